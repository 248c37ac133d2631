//! The wasmtime engine (Cranelift compiler): its configuration and the few calls whose shape
//! differs from wasmi's; everything else is [`super::shared_engine!`].

use super::{
    Outcome, RawPrecompileCall, link_host_fns, precompile_abi, shared_engine, trap_message as msg,
};
use crate::host_fns::HostFn;
use crate::load::metering::{METERING_MODULE, STACK_GLOBAL, TICKS_GLOBAL};
use crate::run::eei::HostState;
use crate::run::meter::Meter;
use crate::run::resources::RunResources;
use crate::run::trap::HostTrap;
use crate::{HostError, Limits};
use wasmtime::{
    AsContextMut, Caller, Config, Engine, Error, Extern, Global, GlobalType, Instance, Linker,
    Memory, Module, Mutability, Store, Trap as TrapCode, TypedFunc, Val, ValType, WasmParams,
    WasmResults,
};

const ENGINE: &str = "wasmtime";

fn new_engine(limits: &Limits) -> Result<Engine, HostError> {
    let mut config = Config::new();
    // Far above the deterministic stack budget (16 native bytes per unit, at least 2 KiB
    // per frame) and below the run thread's stack (`Limits::native_stack_bytes`).
    let wasm_stack = limits.stack_bytes(16, 1 << 20);
    config
        .max_wasm_stack(wasm_stack)
        // Unused (no async calls), but wasmtime checks it against `max_wasm_stack`.
        .async_stack_size(wasm_stack.saturating_add(1 << 20))
        // Same NaN bits as wasmi's `deterministic` feature.
        .cranelift_nan_canonicalization(true)
        // Without Cranelift's mid-end: the modules it gets were optimized by their own
        // compilers (the EE by LLVM) and the EE runs 5 to 14% slower without it, but its
        // rewrites take super-linear time on chains a module can be made of (a 1 MB function
        // of `x = x + 1`: 2.4 s with them, 0.07 s without), which a stranger's module must not
        // be able to buy for the price of its bytes.
        .cranelift_opt_level(wasmtime::OptLevel::None)
        .wasm_tail_call(false)
        .wasm_multi_memory(false)
        .wasm_relaxed_simd(false)
        .wasm_simd(false);
    Engine::new(&config).map_err(engine_error)
}

/// A counter of the run (a mutable `i64` holding 0), defined as `metering.name`; wasmtime's
/// linker takes the store to check that the global belongs to it.
fn new_counter(
    store: &mut Store<Data>,
    linker: &mut Linker<Data>,
    name: &str,
) -> Result<Global, HostError> {
    let ty = GlobalType::new(ValType::I64, Mutability::Var);
    let counter = Global::new(&mut *store, ty, Val::I64(0)).map_err(engine_error)?;
    linker
        .define(&*store, METERING_MODULE, name, counter)
        .map_err(engine_error)?;
    Ok(counter)
}

fn set_counter(ctx: impl AsContextMut<Data = Data>, counter: Global, value: i64) -> Ret {
    counter.set(ctx, Val::I64(value))
}

/// wasmtime's `instantiate` runs the start function too.
fn instantiate(linker: &Linker<Data>, store: &mut Store<Data>, module: &Module) -> Ret<Instance> {
    linker.instantiate(store, module)
}

fn host_trap(trap: HostTrap) -> Error {
    Error::new(trap)
}

fn trap_code(e: &Error) -> Option<TrapCode> {
    e.downcast_ref::<TrapCode>().copied()
}

impl wasmtime::ResourceLimiter for RunResources {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(RunResources::memory_growing(self, current, desired))
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(RunResources::table_growing(self, current, desired))
    }

    fn instances(&self) -> usize {
        RunResources::INSTANCES
    }

    fn tables(&self) -> usize {
        RunResources::TABLES
    }

    fn memories(&self) -> usize {
        RunResources::MEMORIES
    }
}

shared_engine!();
