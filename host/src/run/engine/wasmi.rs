//! The wasmi engine (interpreter).

use super::{Outcome, link_host_fns, trap_message as msg};
use crate::host_fns::HostFn;
use crate::load::metering::{FRAME_OVERHEAD, METERING_MODULE, STACK_GLOBAL, TICKS_GLOBAL};
use crate::load::module::{MAX_TABLE_ELEMENTS, MAX_TABLES};
use crate::run::eei::HostState;
use crate::run::trap::HostTrap;
use crate::{HostError, Limits};
use wasmi::{
    Caller, CompilationMode, Config, Engine, Extern, Global, Linker, Module, Mutability, Store,
    StoreLimits, StoreLimitsBuilder, TrapCode, Val,
};

/// What the store holds: the EEI state, the memory limiter and the run's metering counters.
struct Data {
    host: HostState,
    limits: StoreLimits,
    counters: Option<Counters>,
    /// The memory of the only module in the store, once instantiated: host functions use it
    /// without looking the caller's export up by name. `None` with libraries (each module
    /// calls with its own memory) and during instantiation.
    memory: Option<wasmi::Memory>,
}

/// The `metering.ticks` and `metering.stack` globals of one run (see `metering/counters.rs`).
#[derive(Clone, Copy)]
struct Counters {
    ticks: Global,
    stack: Global,
}

impl Counters {
    fn new(store: &mut Store<Data>) -> Counters {
        let mut counter = || Global::new(&mut *store, Val::I64(0), Mutability::Var);
        Counters {
            ticks: counter(),
            stack: counter(),
        }
    }
}

/// Copies the counters from the globals into the host's meter (before a host function charges).
fn sync_in(caller: &mut Caller<'_, Data>) {
    if let Some(counters) = caller.data().counters {
        let ticks = counters.ticks.get(&*caller).i64().unwrap_or_default();
        let stack = counters.stack.get(&*caller).i64().unwrap_or_default();
        caller.data_mut().host.meter.load_counters(ticks, stack);
    }
}

/// Copies the host's meter back into the globals (after a host function charged).
fn sync_out(caller: &mut Caller<'_, Data>) -> Ret {
    if let Some(counters) = caller.data().counters {
        let (ticks, stack) = caller.data().host.meter.counters();
        counters
            .ticks
            .set(&mut *caller, Val::I64(ticks))
            .and_then(|()| counters.stack.set(&mut *caller, Val::I64(stack)))
            .map_err(|e| wasmi::Error::new(format!("metering counters: {e}")))?;
    }
    Ok(())
}

/// Runs a host function on the host state with the meter in sync with the guest's counters.
fn with_host<R>(
    caller: &mut Caller<'_, Data>,
    op: impl FnOnce(&mut HostState) -> Result<R, HostTrap>,
) -> Ret<R> {
    sync_in(caller);
    let result = op(&mut caller.data_mut().host);
    sync_out(caller)?;
    result.map_err(wasmi::Error::host)
}

pub(crate) struct Loaded {
    engine: Engine,
    ee: Module,
    libraries: Vec<(String, Module)>,
    max_memory_bytes: usize,
}

fn engine_error(e: impl std::fmt::Display) -> HostError {
    HostError::Engine(format!("wasmi: {e}"))
}

impl Loaded {
    pub(crate) fn new(
        ee: &[u8],
        libraries: &[(String, Vec<u8>)],
        limits: &Limits,
    ) -> Result<Self, HostError> {
        let mut config = Config::default();
        // wasmi's own limits sit far above the deterministic stack budget (every frame costs at
        // least FRAME_OVERHEAD units there, and a wasmi value slot is at most 8x a unit), so the
        // metering's stack trap always comes first.
        let max_frames = usize::try_from(limits.max_stack / FRAME_OVERHEAD)
            .unwrap_or(usize::MAX)
            .saturating_add(64);
        let max_height = usize::try_from(limits.max_stack)
            .unwrap_or(usize::MAX)
            .saturating_mul(8)
            .saturating_add(1 << 20);
        config
            .set_max_recursion_depth(max_frames)
            .set_max_stack_height(max_height)
            .wasm_tail_call(false)
            .wasm_extended_const(false)
            .wasm_multi_memory(false)
            // Validation is eager, translation lazy: deterministic, and quick to load.
            .compilation_mode(CompilationMode::LazyTranslation);
        let engine = Engine::new(&config);
        let ee = Module::new(&engine, ee).map_err(engine_error)?;
        let libraries = libraries
            .iter()
            .map(|(name, wasm)| {
                Ok((
                    name.clone(),
                    Module::new(&engine, wasm).map_err(engine_error)?,
                ))
            })
            .collect::<Result<_, HostError>>()?;
        Ok(Self {
            engine,
            ee,
            libraries,
            max_memory_bytes: limits.max_memory_bytes(),
        })
    }

    /// A store for one run: the memory limiter, the metering counters, and a linker with every
    /// host function and the counters defined.
    fn new_store(
        &self,
        host: HostState,
    ) -> Result<(Store<Data>, Linker<Data>, Counters), HostError> {
        let limits = StoreLimitsBuilder::new()
            .memory_size(self.max_memory_bytes)
            .table_elements(MAX_TABLE_ELEMENTS)
            .tables(MAX_TABLES)
            .build();
        let mut store = Store::new(
            &self.engine,
            Data {
                host,
                limits,
                counters: None,
                memory: None,
            },
        );
        store.limiter(|data| &mut data.limits);
        let mut linker = linker(&self.engine)?;
        let counters = Counters::new(&mut store);
        store.data_mut().counters = Some(counters);
        for (name, global) in [
            (TICKS_GLOBAL, counters.ticks),
            (STACK_GLOBAL, counters.stack),
        ] {
            linker
                .define(METERING_MODULE, name, global)
                .map_err(engine_error)?;
        }
        Ok((store, linker, counters))
    }

    pub(crate) fn run(&self, state: HostState) -> Result<Outcome, HostError> {
        let (mut store, mut linker, _) = self.new_store(state)?;
        for (name, module) in &self.libraries {
            let instance = match linker.instantiate_and_start(&mut store, module) {
                Ok(instance) => instance,
                Err(e) => return instantiation_failed(e, store),
            };
            linker
                .instance(&mut store, name, instance)
                .map_err(engine_error)?;
        }
        let instance = match linker.instantiate_and_start(&mut store, &self.ee) {
            Ok(instance) => instance,
            Err(e) => return instantiation_failed(e, store),
        };
        if self.libraries.is_empty() {
            store.data_mut().memory = instance.get_memory(&store, "memory");
        }
        let main = instance
            .get_typed_func::<(), ()>(&store, "main")
            .map_err(|_| HostError::MissingExport("a function `main`".into()))?;
        let trap = main.call(&mut store, ()).err().map(|e| trap_text(&e));
        Ok(Outcome {
            state: final_state(store),
            trap,
        })
    }
}

/// The host state after a run, its meter holding the guest's final counts (a count past the
/// budget only exists on the way to the trap that reports it, which already set the budget).
fn final_state(store: Store<Data>) -> HostState {
    let counters = store.data().counters;
    let counts = counters.map(|c| {
        (
            c.ticks.get(&store).i64().unwrap_or_default(),
            c.stack.get(&store).i64().unwrap_or_default(),
        )
    });
    let mut host = store.into_data().host;
    if let Some((ticks, stack)) = counts {
        host.meter.finish_counters(ticks, stack);
    }
    host
}

/// A trap while instantiating (a start function, a data segment out of bounds) is the EE's
/// failure; anything else is the host's.
fn instantiation_failed(e: wasmi::Error, store: Store<Data>) -> Result<Outcome, HostError> {
    if e.downcast_ref::<HostTrap>().is_some() || e.as_trap_code().is_some() {
        Ok(Outcome {
            trap: Some(trap_text(&e)),
            state: final_state(store),
        })
    } else {
        Err(engine_error(e))
    }
}

fn trap_text(e: &wasmi::Error) -> String {
    if let Some(trap) = e.downcast_ref::<HostTrap>() {
        return trap.0.clone();
    }
    match e.as_trap_code() {
        Some(TrapCode::UnreachableCodeReached) => msg::UNREACHABLE.into(),
        Some(TrapCode::MemoryOutOfBounds) => msg::MEMORY_OUT_OF_BOUNDS.into(),
        Some(TrapCode::TableOutOfBounds) => msg::TABLE_OUT_OF_BOUNDS.into(),
        Some(TrapCode::IndirectCallToNull) => msg::INDIRECT_CALL_TO_NULL.into(),
        Some(TrapCode::BadSignature) => msg::BAD_SIGNATURE.into(),
        Some(TrapCode::IntegerDivisionByZero) => msg::DIVISION_BY_ZERO.into(),
        Some(TrapCode::IntegerOverflow) => msg::INTEGER_OVERFLOW.into(),
        Some(TrapCode::BadConversionToInteger) => msg::BAD_CONVERSION.into(),
        Some(TrapCode::StackOverflow) => msg::STACK_OVERFLOW.into(),
        _ => e.to_string(),
    }
}

/// Runs `op` on the calling module's exported memory and the host state.
fn with_memory<R>(
    caller: &mut Caller<'_, Data>,
    f: HostFn,
    op: impl FnOnce(&mut HostState, &mut [u8]) -> Result<R, HostTrap>,
) -> Result<R, wasmi::Error> {
    let memory = match caller.data().memory {
        Some(memory) => memory,
        None => match caller.get_export("memory") {
            Some(Extern::Memory(memory)) => memory,
            _ => {
                return Err(wasmi::Error::host(HostTrap::new(format!(
                    "{}: the calling module exports no memory named `memory`",
                    f.env_name()
                ))));
            }
        },
    };
    sync_in(caller);
    let (bytes, data) = memory.data_and_store_mut(&mut *caller);
    let result = op(&mut data.host, bytes);
    sync_out(caller)?;
    result.map_err(wasmi::Error::host)
}

/// As [`with_memory`] for a host function of fixed cost that leaves the stack alone (the bignum
/// functions): the ticks go straight onto the guest's counter, without the meter's hand-over,
/// unless they exhaust the budget, where the ordinary path reports it.
fn with_memory_charged<R>(
    caller: &mut Caller<'_, Data>,
    f: HostFn,
    ticks: u64,
    op: impl FnOnce(HostFn, &mut [u8]) -> Result<R, HostTrap>,
) -> Ret<R> {
    if let (Some(counters), Some(memory)) = (caller.data().counters, caller.data().memory) {
        let used = counters.ticks.get(&*caller).i64().unwrap_or_default() as u64;
        if let Some(total) = used
            .checked_add(ticks)
            .filter(|total| *total <= caller.data().host.meter.max_ticks())
        {
            counters
                .ticks
                .set(&mut *caller, Val::I64(total as i64))
                .map_err(|e| wasmi::Error::new(format!("metering counters: {e}")))?;
            return op(f, memory.data_mut(&mut *caller)).map_err(wasmi::Error::host);
        }
    }
    with_memory(caller, f, |h, m| {
        h.meter.charge(ticks)?;
        op(f, m)
    })
}

type Ret<T = ()> = Result<T, wasmi::Error>;

crate::host_fns::for_each_host_fn!(link_host_fns);

/// A standalone precompile module's instance: one store, reused across calls (the module's ABI
/// frees everything at the start of a call, and the meter restarts).
pub(crate) struct PrecompileInstance {
    store: Store<Data>,
    memory: wasmi::Memory,
    input: wasmi::TypedFunc<i32, i32>,
    run: wasmi::TypedFunc<(i32, i64, i32), i32>,
    gas: wasmi::TypedFunc<(), i64>,
    output: wasmi::TypedFunc<(), i32>,
    output_len: wasmi::TypedFunc<(), i32>,
    counters: Counters,
    max_ticks: u64,
    max_stack: u64,
}

impl Loaded {
    /// Instantiates the module (checked as a precompile module by `module.rs`).
    pub(crate) fn instantiate_precompile(
        &self,
        limits: &Limits,
    ) -> Result<PrecompileInstance, HostError> {
        let meter = crate::run::meter::Meter::new(limits.max_ticks, limits.max_stack);
        let (mut store, linker, counters) =
            self.new_store(HostState::new([0; 32], Vec::new(), meter))?;
        let instance = linker
            .instantiate_and_start(&mut store, &self.ee)
            .map_err(|e| HostError::Engine(format!("instantiating: {}", trap_text(&e))))?;
        let missing = |what: &str| HostError::MissingExport(what.into());
        let memory = instance
            .get_memory(&store, "memory")
            .ok_or_else(|| missing("a memory named `memory`"))?;
        store.data_mut().memory = Some(memory);
        Ok(PrecompileInstance {
            memory,
            input: instance
                .get_typed_func(&store, "precompile_input")
                .map_err(|_| missing("`precompile_input`"))?,
            run: instance
                .get_typed_func(&store, "precompile_run")
                .map_err(|_| missing("`precompile_run`"))?,
            gas: instance
                .get_typed_func(&store, "precompile_gas")
                .map_err(|_| missing("`precompile_gas`"))?,
            output: instance
                .get_typed_func(&store, "precompile_output")
                .map_err(|_| missing("`precompile_output`"))?,
            output_len: instance
                .get_typed_func(&store, "precompile_output_len")
                .map_err(|_| missing("`precompile_output_len`"))?,
            store,
            counters,
            max_ticks: limits.max_ticks,
            max_stack: limits.max_stack,
        })
    }
}

impl PrecompileInstance {
    /// One call through the ABI; a trap is `Err` in [`super::RawPrecompileCall::status`].
    pub(crate) fn call(
        &mut self,
        input: &[u8],
        gas_limit: u64,
        pricing: u32,
    ) -> Result<super::RawPrecompileCall, HostError> {
        self.store.data_mut().host.meter =
            crate::run::meter::Meter::new(self.max_ticks, self.max_stack);
        for global in [self.counters.ticks, self.counters.stack] {
            global
                .set(&mut self.store, Val::I64(0))
                .map_err(engine_error)?;
        }
        let status = self.call_abi(input, gas_limit, pricing);
        let ticks = self
            .counters
            .ticks
            .get(&self.store)
            .i64()
            .unwrap_or_default() as u64;
        let (status, gas, output) = match status {
            Ok(triple) => (Ok(triple.0), triple.1, triple.2),
            Err(trap) => (Err(trap), 0, Vec::new()),
        };
        Ok(super::RawPrecompileCall {
            status,
            gas,
            output,
            ticks: ticks.min(self.max_ticks),
        })
    }

    fn call_abi(
        &mut self,
        input: &[u8],
        gas_limit: u64,
        pricing: u32,
    ) -> Result<(i32, u64, Vec<u8>), String> {
        let trap = |e: wasmi::Error| trap_text(&e);
        let len = i32::try_from(input.len()).map_err(|_| "input beyond 2 GiB".to_owned())?;
        let ptr = self.input.call(&mut self.store, len).map_err(trap)?;
        self.memory
            .write(&mut self.store, ptr as u32 as usize, input)
            .map_err(|_| super::precompile_abi::BAD_INPUT_BUFFER.to_owned())?;
        let status = self
            .run
            .call(&mut self.store, (len, gas_limit as i64, pricing as i32))
            .map_err(trap)?;
        let gas = self.gas.call(&mut self.store, ()).map_err(trap)? as u64;
        let out_ptr = self.output.call(&mut self.store, ()).map_err(trap)? as u32 as usize;
        let out_len = self.output_len.call(&mut self.store, ()).map_err(trap)? as u32 as usize;
        // Bounds first: the length is the module's word, not an allocation to trust.
        let output = out_ptr
            .checked_add(out_len)
            .and_then(|end| self.memory.data(&self.store).get(out_ptr..end))
            .ok_or_else(|| super::precompile_abi::BAD_OUTPUT.to_owned())?
            .to_vec();
        Ok((status, gas, output))
    }
}
