//! The wasmi engine (interpreter): its configuration and the few calls whose shape differs from
//! wasmtime's; everything else is [`super::shared_engine!`].

use super::{
    Outcome, RawPrecompileCall, link_host_fns, precompile_abi, shared_engine, trap_message as msg,
};
use crate::host_fns::HostFn;
use crate::load::metering::{FRAME_OVERHEAD, METERING_MODULE, STACK_GLOBAL, TICKS_GLOBAL};
use crate::run::eei::HostState;
use crate::run::meter::Meter;
use crate::run::resources::RunResources;
use crate::run::trap::HostTrap;
use crate::{HostError, Limits};
use wasmi::{
    AsContextMut, Caller, CompilationMode, Config, Engine, Error, Extern, Global, Instance, Linker,
    Memory, Module, Mutability, Store, TrapCode, TypedFunc, Val, WasmParams, WasmResults,
};

const ENGINE: &str = "wasmi";

fn new_engine(limits: &Limits) -> Result<Engine, HostError> {
    let mut config = Config::default();
    // wasmi's own limits sit far above the deterministic stack budget (every frame costs at
    // least FRAME_OVERHEAD units there, and a wasmi value slot is at most 8x a unit), so the
    // metering's stack trap always comes first.
    let max_frames = usize::try_from(limits.max_stack / FRAME_OVERHEAD)
        .unwrap_or(usize::MAX)
        .saturating_add(64);
    let max_height = limits.stack_bytes(8, 1 << 20);
    config
        .set_max_recursion_depth(max_frames)
        .set_max_stack_height(max_height)
        .wasm_tail_call(false)
        .wasm_extended_const(false)
        .wasm_multi_memory(false)
        // Validation is eager, translation lazy: deterministic, and quick to load.
        .compilation_mode(CompilationMode::LazyTranslation);
    Ok(Engine::new(&config))
}

/// A counter of the run (a mutable `i64` holding 0), defined as `metering.name`.
fn new_counter(
    store: &mut Store<Data>,
    linker: &mut Linker<Data>,
    name: &str,
) -> Result<Global, HostError> {
    let counter = Global::new(store, Val::I64(0), Mutability::Var);
    linker
        .define(METERING_MODULE, name, counter)
        .map_err(engine_error)?;
    Ok(counter)
}

/// wasmi's `Global::set` has an error type of its own; a host function returns a `wasmi::Error`.
fn set_counter(ctx: impl AsContextMut<Data = Data>, counter: Global, value: i64) -> Ret {
    counter
        .set(ctx, Val::I64(value))
        .map_err(|e| Error::new(format!("metering counters: {e}")))
}

fn instantiate(linker: &Linker<Data>, store: &mut Store<Data>, module: &Module) -> Ret<Instance> {
    linker.instantiate_and_start(store, module)
}

fn host_trap(trap: HostTrap) -> Error {
    Error::host(trap)
}

/// The Wasm trap an error is. wasmi reports segments that do not fit at instantiation as
/// instantiation and memory errors, where the spec (and wasmtime) trap: mapped to the same trap
/// codes, so both engines reject such a module's block with the same reason (found by the
/// differential fuzz target).
fn trap_code(e: &Error) -> Option<TrapCode> {
    use wasmi::errors::{ErrorKind, InstantiationError, MemoryError, TableError};
    e.as_trap_code().or(match e.kind() {
        ErrorKind::Instantiation(InstantiationError::ElementSegmentDoesNotFit { .. })
        | ErrorKind::Table(TableError::InitOutOfBounds) => Some(TrapCode::TableOutOfBounds),
        ErrorKind::Memory(MemoryError::OutOfBoundsAccess) => Some(TrapCode::MemoryOutOfBounds),
        _ => None,
    })
}

impl wasmi::ResourceLimiter for RunResources {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> Result<bool, wasmi_core::LimiterError> {
        Ok(RunResources::memory_growing(self, current, desired))
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> Result<bool, wasmi_core::LimiterError> {
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
