//! The EE host runtime: loads an execution-environment (EE) Wasm module and optional library
//! modules, provides the Eth 2.0 Phase 2 EEI with Scout's names and semantics, meters execution
//! deterministically, and runs it in wasmi or wasmtime. (Scout's YAML test format and the shard loop
//! that runs it are in the `chain` crate.)
//!
//! ```no_run
//! use evm_ee_host::{Engine, Limits, Runtime};
//! # fn main() -> Result<(), evm_ee_host::HostError> {
//! let ee = std::fs::read("ee.wasm").expect("read the EE");
//! let runtime = Runtime::new(Engine::Wasmi, &ee, Limits::default())?;
//! let result = runtime.execute([0; 32], b"block data")?;
//! match (&result.post_state, &result.trap) {
//!     (Some(root), None) => println!("accepted: {}", hex::encode(root)),
//!     (_, Some(why)) => println!("rejected: {why}"),
//!     (None, None) => println!("the EE saved no post-state"),
//! }
//! # Ok(()) }
//! ```
//!
//! Standalone precompile modules (`precompile.rs`) go through the same checks, metering and
//! engines, behind the small ABI of the `precompile-modules` crate.
//!
//! The crate is in two stages, one folder each. `load/` is what happens once per module:
//! `load/module.rs` checks it (size before parsing, validation against the Wasm features rustc
//! emits for `wasm32-unknown-unknown`, imports, exports, memory size) within `load/limits.rs`,
//! and `load/metering/` injects tick and stack metering. `run/` is what happens per run:
//! `run/engine/` compiles the instrumented module once, and each [`Runtime::execute`]
//! (`run/runtime.rs`) instantiates the libraries and the EE in a fresh store, calls `main`, and
//! collects the post-state, deposits, ticks and debug output of the host functions
//! (`run/eei.rs`, `run/debug.rs`, `run/bignum.rs`).
//!
//! Dependencies and why:
//! - `wasmi`: the default engine, an interpreter (fast to load, no native code).
//! - `wasmtime` (optional, `wasmtime` feature): the optimizing engine, for speed.
//! - `wasm-encoder`: re-encodes finite-wasm's output with the counters in globals
//!   (`metering/counters.rs`).
//! - `finite-wasm`: the metering injection (per-region gas calls and a deterministic stack
//!   bound), engine-independent by construction; its `wasmparser` also validates modules.
//! - `precompiles`: the arithmetic behind the bignum host functions (`bignum.rs`), the same code
//!   a guest links in as its pure-Wasm fallback.
//! - `hex`: hex in debug output.
//! - `thiserror`: [`HostError`].
#![warn(missing_docs, unreachable_pub)]

mod error;
mod host_fns;
mod load;
mod run;

pub use error::HostError;
pub use load::file::{FileError, read_file_bounded};
pub use load::limits::{Limits, MAX_STACK_CAP};
pub use load::metering::{
    FRAME_OVERHEAD, LOCAL_SIZE, LOCALS_PER_TICK, TICKS_BULK_BASE, TICKS_BULK_PER_UNIT, TICKS_CALL,
    TICKS_CALL_INDIRECT, TICKS_DEFAULT, TICKS_DEPOSIT, TICKS_DIV_REM, TICKS_HOST_CALL,
    TICKS_HOST_COPY_PER_WORD, TICKS_MEMORY_ACCESS, TICKS_MEMORY_GROW, TICKS_MEMORY_GROW_PER_PAGE,
    TICKS_PER_CHECK, TICKS_TABLE_GROW, TICKS_TABLE_GROW_PER_ELEMENT,
};
pub use load::shape::{FunctionShape, ModuleShape, instrumented_shape, module_shape, shape_limits};
pub use run::bignum::{
    TICKS_BIGNUM_256, TICKS_BIGNUM_384, TICKS_BIGNUM_MULMONT_256, TICKS_BIGNUM_MULMONT_384,
};
pub use run::debug::DebugLine;
pub use run::engine::Engine;
pub use run::precompile::{
    PrecompileCall, PrecompileInstance, PrecompileModule, PrecompileOutcome,
};
pub use run::resources::MAX_LIBRARIES;
pub use run::runtime::{Library, Runtime, ShardBlockResult};
