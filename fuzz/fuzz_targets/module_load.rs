//! Loading a module from anyone (an EE deployed on a shard): `wasm-smith` modules within the
//! host's Wasm features, plus the raw input bytes, through the load-time checks, the metering
//! instrumentation, the shape limits and wasmi's compile.
//!
//! No panic, whatever the module: a refusal is a `HostError`. A module that loads is instrumented
//! within the shape limits.

#![no_main]

use evm_ee_host::{Engine, Limits, Runtime, instrumented_shape, shape_limits};
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|input: (&[u8], common::HostModule)| {
    let (raw, generated) = input;
    let limits = Limits::default();
    let _ = Runtime::new(Engine::Wasmi, raw, limits);
    let wasm = generated.wasm;
    if Runtime::new(Engine::Wasmi, &wasm, limits).is_ok() {
        let shape = instrumented_shape(&wasm, &limits).expect("a loaded module has a shape");
        assert!(shape.max(|f| f.locals) <= shape_limits::MAX_LOCALS);
        assert!(shape.max(|f| f.regions) <= shape_limits::MAX_REGIONS_PER_FUNCTION);
    }
});
