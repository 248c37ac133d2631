//! The part of an engine that is the same text in wasmi and wasmtime: their APIs mirror each
//! other (`Store`, `Caller`, `Linker`, `Global`, `Memory`, `TypedFunc`, `AsContextMut`, with the
//! same methods), so the store set-up, the counter hand-over between the host's meter and the
//! metering globals, instantiation, calling `main`, precompile instances and trap mapping are
//! written once here and expanded in each engine module over that engine's types.
//!
//! A macro rather than a trait over the two engines: the linkers' `func_wrap` takes closures
//! bounded by each engine's own `IntoFunc`, which no generic code can name for both, and a trait
//! would need one method per API call, each implemented the same way twice, which is the
//! duplication this removes.
//!
//! The engine module that expands [`shared_engine!`] provides:
//! - the engine's `AsContextMut`, `Caller`, `Engine`, `Error`, `Extern`, `Global`, `Instance`,
//!   `Linker`, `Memory`, `Module`, `Store`, `TypedFunc`,
//!   `Val`, `WasmParams` and `WasmResults`, and its trap code enum as `TrapCode`, in scope;
//! - `ENGINE`, its name in engine errors;
//! - `new_engine(&Limits)`: the engine, configured;
//! - `new_counter(&mut Store<Data>, &mut Linker<Data>, name)`: a mutable `i64` global holding
//!   0, defined as `metering.name`;
//! - `set_counter(ctx, Global, i64)`: sets a counter from a host function;
//! - `instantiate(&Linker<Data>, &mut Store<Data>, &Module)`: instantiates and runs the start
//!   function;
//! - `host_trap(HostTrap)`: the engine error that carries a host function's trap;
//! - `trap_code(&Error)`: the Wasm trap an error is, if it is one;
//! - the engine's `ResourceLimiter` for [`crate::run::resources::RunResources`].

/// The engine code shared by `wasmi.rs` and `wasmtime.rs`; see the module docs.
macro_rules! shared_engine {
    () => {
        /// What the store holds: the EEI state, the memory limiter and the run's metering
        /// counters.
        struct Data {
            host: HostState,
            resources: RunResources,
            counters: Option<Counters>,
            /// The memory of the only module in the store, once instantiated: host functions
            /// use it without looking the caller's export up by name. `None` with libraries
            /// (each module calls with its own memory) and during instantiation.
            memory: Option<Memory>,
        }

        /// The `metering.ticks` and `metering.stack` globals of one run (see
        /// `load/metering/counters.rs`).
        #[derive(Clone, Copy)]
        struct Counters {
            ticks: Global,
            stack: Global,
        }

        impl Counters {
            fn new(
                store: &mut Store<Data>,
                linker: &mut Linker<Data>,
            ) -> Result<Counters, HostError> {
                Ok(Counters {
                    ticks: new_counter(store, linker, TICKS_GLOBAL)?,
                    stack: new_counter(store, linker, STACK_GLOBAL)?,
                })
            }
        }

        /// A counter's value. The globals hold `u64`s in `i64`s and are the host's own, so
        /// they are never of another type.
        fn get_counter(ctx: impl AsContextMut<Data = Data>, counter: Global) -> i64 {
            counter.get(ctx).i64().unwrap_or_default()
        }

        type Ret<T = ()> = Result<T, Error>;

        /// With its causes (`{:#}`): wasmtime's compile errors name the function first and the
        /// reason in the cause.
        fn engine_error(e: impl std::fmt::Display) -> HostError {
            HostError::Engine(format!("{ENGINE}: {e:#}"))
        }

        /// Copies the counters from the globals into the host's meter (before a host function
        /// charges).
        fn sync_in(caller: &mut Caller<'_, Data>) {
            if let Some(counters) = caller.data().counters {
                let ticks = get_counter(&mut *caller, counters.ticks);
                let stack = get_counter(&mut *caller, counters.stack);
                caller.data_mut().host.meter.load_counters(ticks, stack);
            }
        }

        /// Copies the host's meter back into the globals (after a host function charged).
        fn sync_out(caller: &mut Caller<'_, Data>) -> Ret {
            if let Some(counters) = caller.data().counters {
                let (ticks, stack) = caller.data().host.meter.counters();
                set_counter(&mut *caller, counters.ticks, ticks)?;
                set_counter(&mut *caller, counters.stack, stack)?;
            }
            Ok(())
        }

        /// Runs a host function on the host state with the meter in sync with the guest's
        /// counters.
        fn with_host<R>(
            caller: &mut Caller<'_, Data>,
            op: impl FnOnce(&mut HostState) -> Result<R, HostTrap>,
        ) -> Ret<R> {
            sync_in(caller);
            let result = op(&mut caller.data_mut().host);
            sync_out(caller)?;
            result.map_err(host_trap)
        }

        /// Runs `op` on the calling module's exported memory and the host state.
        fn with_memory<R>(
            caller: &mut Caller<'_, Data>,
            f: HostFn,
            op: impl FnOnce(&mut HostState, &mut [u8]) -> Result<R, HostTrap>,
        ) -> Ret<R> {
            let memory = match caller.data().memory {
                Some(memory) => memory,
                None => match caller.get_export("memory") {
                    Some(Extern::Memory(memory)) => memory,
                    _ => {
                        return Err(host_trap(HostTrap::new(format!(
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
            result.map_err(host_trap)
        }

        /// As [`with_memory`] for a host function of fixed cost that leaves the stack alone
        /// (the bignum functions): the ticks go straight onto the guest's counter, without the
        /// meter's hand-over, unless they exhaust the budget, where the ordinary path reports
        /// it.
        fn with_memory_charged<R>(
            caller: &mut Caller<'_, Data>,
            f: HostFn,
            ticks: u64,
            op: impl FnOnce(HostFn, &mut [u8]) -> Result<R, HostTrap>,
        ) -> Ret<R> {
            if let (Some(counters), Some(memory)) = (caller.data().counters, caller.data().memory) {
                let used = get_counter(&mut *caller, counters.ticks) as u64;
                if let Some(total) = used
                    .checked_add(ticks)
                    .filter(|total| *total <= caller.data().host.meter.max_ticks())
                {
                    set_counter(&mut *caller, counters.ticks, total as i64)?;
                    return op(f, memory.data_mut(&mut *caller)).map_err(host_trap);
                }
            }
            with_memory(caller, f, |h, m| {
                h.meter.charge(ticks)?;
                op(f, m)
            })
        }

        crate::host_fns::for_each_host_fn!(link_host_fns);

        pub(crate) struct Loaded {
            engine: Engine,
            ee: Module,
            libraries: Vec<(String, Module)>,
            limits: Limits,
        }

        impl Loaded {
            pub(crate) fn new(
                ee: &[u8],
                libraries: &[(String, Vec<u8>)],
                limits: &Limits,
            ) -> Result<Self, HostError> {
                let engine = new_engine(limits)?;
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
                    limits: *limits,
                })
            }

            /// A store for one run: the memory limiter, the metering counters, and a linker
            /// with every host function and the counters defined.
            fn new_store(
                &self,
                host: HostState,
            ) -> Result<(Store<Data>, Linker<Data>, Counters), HostError> {
                let mut store = Store::new(
                    &self.engine,
                    Data {
                        host,
                        resources: RunResources::new(&self.limits),
                        counters: None,
                        memory: None,
                    },
                );
                store.limiter(|data| &mut data.resources);
                let mut linker = linker(&self.engine)?;
                let counters = Counters::new(&mut store, &mut linker)?;
                store.data_mut().counters = Some(counters);
                Ok((store, linker, counters))
            }

            pub(crate) fn run(&self, state: HostState) -> Result<Outcome, HostError> {
                let (mut store, mut linker, _) = self.new_store(state)?;
                for (name, module) in &self.libraries {
                    let instance = match instantiate(&linker, &mut store, module) {
                        Ok(instance) => instance,
                        Err(e) => return instantiation_failed(e, store),
                    };
                    linker
                        .instance(&mut store, name, instance)
                        .map_err(engine_error)?;
                }
                let instance = match instantiate(&linker, &mut store, &self.ee) {
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

        /// The host state after a run, its meter holding the guest's final counts (a count
        /// past the budget only exists on the way to the trap that reports it, which already
        /// set the budget).
        fn final_state(mut store: Store<Data>) -> HostState {
            let counters = store.data().counters;
            let counts = counters.map(|c| {
                (
                    get_counter(&mut store, c.ticks),
                    get_counter(&mut store, c.stack),
                )
            });
            let mut host = store.into_data().host;
            if let Some((ticks, stack)) = counts {
                host.meter.finish_counters(ticks, stack);
            }
            host
        }

        /// A trap while instantiating (a start function, a data segment out of bounds) is the
        /// EE's failure; anything else is the host's.
        fn instantiation_failed(e: Error, store: Store<Data>) -> Result<Outcome, HostError> {
            if e.downcast_ref::<HostTrap>().is_some() || trap_code(&e).is_some() {
                Ok(Outcome {
                    trap: Some(trap_text(&e)),
                    state: final_state(store),
                })
            } else {
                Err(engine_error(e))
            }
        }

        /// The trap's message, the same whichever engine ran.
        fn trap_text(e: &Error) -> String {
            if let Some(trap) = e.downcast_ref::<HostTrap>() {
                return trap.0.clone();
            }
            match trap_code(e) {
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

        /// A standalone precompile module's instance: one store, reused across calls (the
        /// module's ABI frees everything at the start of a call, and the meter restarts).
        pub(crate) struct PrecompileInstance {
            store: Store<Data>,
            memory: Memory,
            input: TypedFunc<i32, i32>,
            run: TypedFunc<(i32, i64, i32), i32>,
            gas: TypedFunc<(), i64>,
            output: TypedFunc<(), i32>,
            output_len: TypedFunc<(), i32>,
            counters: Counters,
            max_ticks: u64,
            max_stack: u64,
        }

        impl Loaded {
            /// Instantiates the module (checked as a precompile module by `load/module.rs`).
            pub(crate) fn instantiate_precompile(
                &self,
                limits: &Limits,
            ) -> Result<PrecompileInstance, HostError> {
                let meter = Meter::new(limits.max_ticks, limits.max_stack);
                let (mut store, linker, counters) =
                    self.new_store(HostState::new([0; 32], Vec::new(), meter))?;
                let instance = instantiate(&linker, &mut store, &self.ee)
                    .map_err(|e| HostError::Engine(format!("instantiating: {}", trap_text(&e))))?;
                let memory = instance
                    .get_memory(&mut store, "memory")
                    .ok_or_else(|| HostError::MissingExport("a memory named `memory`".into()))?;
                store.data_mut().memory = Some(memory);
                Ok(PrecompileInstance {
                    memory,
                    input: typed_func(&instance, &mut store, "precompile_input")?,
                    run: typed_func(&instance, &mut store, "precompile_run")?,
                    gas: typed_func(&instance, &mut store, "precompile_gas")?,
                    output: typed_func(&instance, &mut store, "precompile_output")?,
                    output_len: typed_func(&instance, &mut store, "precompile_output_len")?,
                    store,
                    counters,
                    max_ticks: limits.max_ticks,
                    max_stack: limits.max_stack,
                })
            }
        }

        /// The precompile module's export `name`, with the types the ABI gives it.
        fn typed_func<P: WasmParams, R: WasmResults>(
            instance: &Instance,
            store: &mut Store<Data>,
            name: &str,
        ) -> Result<TypedFunc<P, R>, HostError> {
            instance
                .get_typed_func(&mut *store, name)
                .map_err(|_| HostError::MissingExport(format!("`{name}`")))
        }

        impl PrecompileInstance {
            /// One call through the ABI; a trap is `Err` in [`RawPrecompileCall::status`].
            pub(crate) fn call(
                &mut self,
                input: &[u8],
                gas_limit: u64,
                pricing: u32,
            ) -> Result<RawPrecompileCall, HostError> {
                self.store.data_mut().host.meter = Meter::new(self.max_ticks, self.max_stack);
                for global in [self.counters.ticks, self.counters.stack] {
                    set_counter(&mut self.store, global, 0).map_err(engine_error)?;
                }
                let status = self.call_abi(input, gas_limit, pricing);
                let ticks = get_counter(&mut self.store, self.counters.ticks) as u64;
                let (status, gas, output) = match status {
                    Ok(triple) => (Ok(triple.0), triple.1, triple.2),
                    Err(trap) => (Err(trap), 0, Vec::new()),
                };
                Ok(RawPrecompileCall {
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
                let trap = |e: Error| trap_text(&e);
                let len =
                    i32::try_from(input.len()).map_err(|_| "input beyond 2 GiB".to_owned())?;
                let ptr = self.input.call(&mut self.store, len).map_err(trap)?;
                self.memory
                    .write(&mut self.store, ptr as u32 as usize, input)
                    .map_err(|_| precompile_abi::BAD_INPUT_BUFFER.to_owned())?;
                let status = self
                    .run
                    .call(&mut self.store, (len, gas_limit as i64, pricing as i32))
                    .map_err(trap)?;
                let gas = self.gas.call(&mut self.store, ()).map_err(trap)? as u64;
                let out_ptr = self.output.call(&mut self.store, ()).map_err(trap)? as u32 as usize;
                let out_len =
                    self.output_len.call(&mut self.store, ()).map_err(trap)? as u32 as usize;
                // Bounds first: the length is the module's word, not an allocation to trust.
                let output = out_ptr
                    .checked_add(out_len)
                    .and_then(|end| self.memory.data(&self.store).get(out_ptr..end))
                    .ok_or_else(|| precompile_abi::BAD_OUTPUT.to_owned())?
                    .to_vec();
                Ok((status, gas, output))
            }
        }
    };
}
pub(crate) use shared_engine;
