//! Criterion bench of the precompile cases of `evm-ee bench precompiles`: native (evm-core's
//! native set) and each Wasm module (host and compiled-in bignum) in every engine of the build.
//! `cargo bench -p evm-ee-cli --features wasmtime --bench precompiles`.

#[path = "../src/precompile_cases.rs"]
mod precompile_cases;

use criterion::{Criterion, criterion_group, criterion_main};
use ee_module::{Bignum, precompile_module};
use evm_core::precompiles::{NativePrecompiles, Precompiles, precompile_address, pricing};
use evm_ee_host::{Engine, Limits, PrecompileModule, PrecompileOutcome};
use precompile_cases::{SPEC, cases};

fn precompiles(c: &mut Criterion) {
    let limits = Limits {
        max_ticks: 1 << 60,
        ..Limits::default()
    };
    for case in cases() {
        let mut group = c.benchmark_group(format!("{}/{}", case.precompile.name(), case.name));
        group.sample_size(10);
        let address = precompile_address(case.precompile.number());
        group.bench_function("native", |b| {
            b.iter(|| NativePrecompiles.execute(SPEC, address, &case.input, u64::MAX))
        });
        for &engine in Engine::ALL {
            for bignum in Bignum::ALL {
                let wasm = precompile_module(case.precompile, bignum);
                let Ok(module) = PrecompileModule::new(engine, wasm, limits) else {
                    panic!("{} does not load in {engine}", case.precompile.name());
                };
                let Ok(mut instance) = module.instantiate() else {
                    panic!(
                        "{} does not instantiate in {engine}",
                        case.precompile.name()
                    );
                };
                let bits = pricing(SPEC).to_bits();
                group.bench_function(format!("{engine}/{}", bignum.name()), |b| {
                    b.iter(|| {
                        let call = instance.call(&case.input, u64::MAX, bits);
                        assert!(matches!(
                            call.map(|c| c.outcome),
                            Ok(PrecompileOutcome::Success { .. })
                        ));
                    })
                });
            }
        }
        group.finish();
    }
}

criterion_group!(benches, precompiles);
criterion_main!(benches);
