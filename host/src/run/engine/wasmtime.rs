//! The wasmtime engine (Cranelift compiler).

use super::{Outcome, link_host_fns, trap_message as msg};
use crate::host_fns::HostFn;
use crate::load::metering::{METERING_MODULE, STACK_GLOBAL, TICKS_GLOBAL};
use crate::load::module::{MAX_TABLE_ELEMENTS, MAX_TABLES};
use crate::run::eei::HostState;
use crate::run::trap::HostTrap;
use crate::{HostError, Limits};
use wasmtime::{
    Caller, Config, Engine, Extern, Global, GlobalType, Linker, Module, Mutability, Store,
    StoreLimits, StoreLimitsBuilder, Trap, Val, ValType,
};

/// What the store holds: the EEI state, the memory limiter and the run's metering counters.
struct Data {
    host: HostState,
    limits: StoreLimits,
    counters: Option<Counters>,
    /// The memory of the only module in the store, once instantiated: host functions use it
    /// without looking the caller's export up by name. `None` with libraries (each module
    /// calls with its own memory) and during instantiation.
    memory: Option<wasmtime::Memory>,
}

/// The `metering.ticks` and `metering.stack` globals of one run (see `metering/counters.rs`).
#[derive(Clone, Copy)]
struct Counters {
    ticks: Global,
    stack: Global,
}

impl Counters {
    fn new(store: &mut Store<Data>) -> Result<Counters, HostError> {
        let ty = GlobalType::new(ValType::I64, Mutability::Var);
        let mut counter =
            || Global::new(&mut *store, ty.clone(), Val::I64(0)).map_err(engine_error);
        Ok(Counters {
            ticks: counter()?,
            stack: counter()?,
        })
    }
}

/// Copies the counters from the globals into the host's meter (before a host function charges).
fn sync_in(caller: &mut Caller<'_, Data>) {
    if let Some(counters) = caller.data().counters {
        let ticks = counters.ticks.get(&mut *caller).i64().unwrap_or_default();
        let stack = counters.stack.get(&mut *caller).i64().unwrap_or_default();
        caller.data_mut().host.meter.load_counters(ticks, stack);
    }
}

/// Copies the host's meter back into the globals (after a host function charged).
fn sync_out(caller: &mut Caller<'_, Data>) -> Ret {
    if let Some(counters) = caller.data().counters {
        let (ticks, stack) = caller.data().host.meter.counters();
        counters.ticks.set(&mut *caller, Val::I64(ticks))?;
        counters.stack.set(&mut *caller, Val::I64(stack))?;
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
    result.map_err(wasmtime::Error::new)
}

/// The host state after a run, its meter holding the guest's final counts (a count past the
/// budget only exists on the way to the trap that reports it, which already set the budget).
fn final_state(mut store: Store<Data>) -> HostState {
    let counters = store.data().counters;
    let counts = counters.map(|c| {
        (
            c.ticks.get(&mut store).i64().unwrap_or_default(),
            c.stack.get(&mut store).i64().unwrap_or_default(),
        )
    });
    let mut host = store.into_data().host;
    if let Some((ticks, stack)) = counts {
        host.meter.finish_counters(ticks, stack);
    }
    host
}

pub(crate) struct Loaded {
    engine: Engine,
    ee: Module,
    libraries: Vec<(String, Module)>,
    max_memory_bytes: usize,
}

fn engine_error(e: impl std::fmt::Display) -> HostError {
    HostError::Engine(format!("wasmtime: {e}"))
}

impl Loaded {
    pub(crate) fn new(
        ee: &[u8],
        libraries: &[(String, Vec<u8>)],
        limits: &Limits,
    ) -> Result<Self, HostError> {
        let mut config = Config::new();
        // Far above the deterministic stack budget (16 native bytes per unit, at least 2 KiB
        // per frame) and below the run thread's stack (`Limits::native_stack_bytes`).
        let wasm_stack = usize::try_from(limits.max_stack)
            .unwrap_or(usize::MAX)
            .saturating_mul(16)
            .saturating_add(1 << 20);
        config
            .max_wasm_stack(wasm_stack)
            // Unused (no async calls), but wasmtime checks it against `max_wasm_stack`.
            .async_stack_size(wasm_stack.saturating_add(1 << 20))
            // Same NaN bits as wasmi's `deterministic` feature.
            .cranelift_nan_canonicalization(true)
            .wasm_tail_call(false)
            .wasm_multi_memory(false)
            .wasm_relaxed_simd(false)
            .wasm_simd(false);
        let engine = Engine::new(&config).map_err(engine_error)?;
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
        let counters = Counters::new(&mut store)?;
        store.data_mut().counters = Some(counters);
        for (name, global) in [
            (TICKS_GLOBAL, counters.ticks),
            (STACK_GLOBAL, counters.stack),
        ] {
            linker
                .define(&store, METERING_MODULE, name, global)
                .map_err(engine_error)?;
        }
        Ok((store, linker, counters))
    }

    pub(crate) fn run(&self, state: HostState) -> Result<Outcome, HostError> {
        let (mut store, mut linker, _) = self.new_store(state)?;
        for (name, module) in &self.libraries {
            let instance = match linker.instantiate(&mut store, module) {
                Ok(instance) => instance,
                Err(e) => return instantiation_failed(e, store),
            };
            linker
                .instance(&mut store, name, instance)
                .map_err(engine_error)?;
        }
        let instance = match linker.instantiate(&mut store, &self.ee) {
            Ok(instance) => instance,
            Err(e) => return instantiation_failed(e, store),
        };
        if self.libraries.is_empty() {
            store.data_mut().memory = instance.get_memory(&mut store, "memory");
        }
        let main = instance
            .get_typed_func::<(), ()>(&mut store, "main")
            .map_err(|_| HostError::MissingExport("a function `main`".into()))?;
        let trap = main.call(&mut store, ()).err().map(|e| trap_text(&e));
        Ok(Outcome {
            state: final_state(store),
            trap,
        })
    }
}

/// A trap while instantiating is the EE's failure; anything else is the host's.
fn instantiation_failed(e: wasmtime::Error, store: Store<Data>) -> Result<Outcome, HostError> {
    if e.downcast_ref::<HostTrap>().is_some() || e.downcast_ref::<Trap>().is_some() {
        Ok(Outcome {
            trap: Some(trap_text(&e)),
            state: final_state(store),
        })
    } else {
        Err(engine_error(e))
    }
}

fn trap_text(e: &wasmtime::Error) -> String {
    if let Some(trap) = e.downcast_ref::<HostTrap>() {
        return trap.0.clone();
    }
    match e.downcast_ref::<Trap>() {
        Some(Trap::UnreachableCodeReached) => msg::UNREACHABLE.into(),
        Some(Trap::MemoryOutOfBounds) => msg::MEMORY_OUT_OF_BOUNDS.into(),
        Some(Trap::TableOutOfBounds) => msg::TABLE_OUT_OF_BOUNDS.into(),
        Some(Trap::IndirectCallToNull) => msg::INDIRECT_CALL_TO_NULL.into(),
        Some(Trap::BadSignature) => msg::BAD_SIGNATURE.into(),
        Some(Trap::IntegerDivisionByZero) => msg::DIVISION_BY_ZERO.into(),
        Some(Trap::IntegerOverflow) => msg::INTEGER_OVERFLOW.into(),
        Some(Trap::BadConversionToInteger) => msg::BAD_CONVERSION.into(),
        Some(Trap::StackOverflow) => msg::STACK_OVERFLOW.into(),
        _ => e.to_string(),
    }
}

/// Runs `op` on the calling module's exported memory and the host state.
fn with_memory<R>(
    caller: &mut Caller<'_, Data>,
    f: HostFn,
    op: impl FnOnce(&mut HostState, &mut [u8]) -> Result<R, HostTrap>,
) -> wasmtime::Result<R> {
    let memory = match caller.data().memory {
        Some(memory) => memory,
        None => match caller.get_export("memory") {
            Some(Extern::Memory(memory)) => memory,
            _ => {
                return Err(wasmtime::Error::new(HostTrap::new(format!(
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
    result.map_err(wasmtime::Error::new)
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
        let used = counters.ticks.get(&mut *caller).i64().unwrap_or_default() as u64;
        if let Some(total) = used
            .checked_add(ticks)
            .filter(|total| *total <= caller.data().host.meter.max_ticks())
        {
            counters.ticks.set(&mut *caller, Val::I64(total as i64))?;
            return op(f, memory.data_mut(&mut *caller)).map_err(wasmtime::Error::new);
        }
    }
    with_memory(caller, f, |h, m| {
        h.meter.charge(ticks)?;
        op(f, m)
    })
}

type Ret<T = ()> = wasmtime::Result<T>;

crate::host_fns::for_each_host_fn!(link_host_fns);

/// A standalone precompile module's instance: one store, reused across calls (the module's ABI
/// frees everything at the start of a call, and the meter restarts).
pub(crate) struct PrecompileInstance {
    store: Store<Data>,
    memory: wasmtime::Memory,
    input: wasmtime::TypedFunc<i32, i32>,
    run: wasmtime::TypedFunc<(i32, i64, i32), i32>,
    gas: wasmtime::TypedFunc<(), i64>,
    output: wasmtime::TypedFunc<(), i32>,
    output_len: wasmtime::TypedFunc<(), i32>,
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
            .instantiate(&mut store, &self.ee)
            .map_err(|e| HostError::Engine(format!("instantiating: {}", trap_text(&e))))?;
        let missing = |what: &str| HostError::MissingExport(what.into());
        let memory = instance
            .get_memory(&mut store, "memory")
            .ok_or_else(|| missing("a memory named `memory`"))?;
        store.data_mut().memory = Some(memory);
        Ok(PrecompileInstance {
            memory,
            input: instance
                .get_typed_func(&mut store, "precompile_input")
                .map_err(|_| missing("`precompile_input`"))?,
            run: instance
                .get_typed_func(&mut store, "precompile_run")
                .map_err(|_| missing("`precompile_run`"))?,
            gas: instance
                .get_typed_func(&mut store, "precompile_gas")
                .map_err(|_| missing("`precompile_gas`"))?,
            output: instance
                .get_typed_func(&mut store, "precompile_output")
                .map_err(|_| missing("`precompile_output`"))?,
            output_len: instance
                .get_typed_func(&mut store, "precompile_output_len")
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
            .get(&mut self.store)
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
        let trap = |e: wasmtime::Error| trap_text(&e);
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
