//! The runtime: a checked, instrumented, compiled EE (with its libraries) that runs one shard
//! block per [`Runtime::execute`] call in a fresh instance.

use crate::load::metering;
use crate::load::module::{self, InitialSize, MAX_TABLE_ELEMENTS, Role};
use crate::run::debug::DebugLine;
use crate::run::eei::HostState;
use crate::run::engine::{Engine, Loaded, Outcome};
use crate::run::meter::Meter;
use crate::run::resources::MAX_LIBRARIES;
use crate::{HostError, Limits};

/// A library module: importable by the EE (and later libraries) under `name`, as in Scout's
/// `beacon_state.libraries`.
#[derive(Clone, Debug)]
pub struct Library {
    /// The import module name the EE uses for it.
    pub name: String,
    /// The Wasm binary.
    pub wasm: Vec<u8>,
}

/// What one run of the EE over one shard block did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardBlockResult {
    /// The root the EE saved with `eth2_savePostStateRoot` (the last one, if several). `None` if
    /// it never saved one or if it trapped: a trap rejects the block, whatever was saved.
    pub post_state: Option<[u8; 32]>,
    /// The deposits pushed with `eth2_pushNewDeposit`, in order; empty if the EE trapped.
    pub deposits: Vec<Vec<u8>>,
    /// Ticks used, the same in every engine; equal to the budget if it ran out.
    pub ticks: u64,
    /// What the EE printed through the debug interface, in order (up to 1 MiB of it).
    pub debug_output: Vec<DebugLine>,
    /// Debug lines dropped past the 1 MiB cap.
    pub debug_dropped: usize,
    /// If the EE trapped: its last `debug_printMem` text (how an EE says why it rejects a
    /// block), then the trap itself, as `reason (trap: cause)`; or just the cause.
    pub trap: Option<String>,
    /// If the EE trapped: its last `debug_printMem` text alone, if it printed one.
    pub reason: Option<String>,
}

impl ShardBlockResult {
    /// The EE ran to the end and saved a post-state.
    pub fn accepted(&self) -> bool {
        self.trap.is_none() && self.post_state.is_some()
    }

    /// The EE's state after this block under Scout's rules, which a shard keeps: `None` if the
    /// EE trapped (the block is rejected and the state stays), otherwise the root it saved, or
    /// 32 zero bytes if it saved none (Scout starts each run's post-state zeroed and stores it
    /// whatever the EE did).
    ///
    /// ```
    /// # use evm_ee_host::ShardBlockResult;
    /// let ran = ShardBlockResult { post_state: None, deposits: vec![], ticks: 1,
    ///     debug_output: vec![], debug_dropped: 0, trap: None, reason: None };
    /// assert_eq!(ran.next_state(), Some([0; 32]));
    /// let trapped = ShardBlockResult { trap: Some("unreachable".into()), ..ran };
    /// assert_eq!(trapped.next_state(), None);
    /// ```
    pub fn next_state(&self) -> Option<[u8; 32]> {
        match self.trap {
            Some(_) => None,
            None => Some(self.post_state.unwrap_or([0; 32])),
        }
    }
}

/// An EE ready to run blocks; see the crate docs.
pub struct Runtime {
    engine: Engine,
    limits: Limits,
    loaded: Loaded,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("engine", &self.engine)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl Runtime {
    /// Checks, instruments and compiles an EE without libraries.
    pub fn new(engine: Engine, ee_wasm: &[u8], limits: Limits) -> Result<Runtime, HostError> {
        Self::with_libraries(engine, ee_wasm, &[], limits)
    }

    /// Checks, instruments and compiles an EE and its libraries. Libraries are instantiated in
    /// order before the EE on every run; each may import the host functions and the libraries
    /// before it, and is metered like the EE.
    pub fn with_libraries(
        engine: Engine,
        ee_wasm: &[u8],
        libraries: &[Library],
        limits: Limits,
    ) -> Result<Runtime, HostError> {
        limits.check()?;
        if libraries.len() > MAX_LIBRARIES {
            return Err(HostError::TooManyLibraries {
                count: libraries.len(),
                max: MAX_LIBRARIES,
            });
        }
        let mut initial = InitialSize::default();
        let mut add = |size: InitialSize| {
            initial.memory_pages = initial.memory_pages.saturating_add(size.memory_pages);
            initial.table_elements = initial.table_elements.saturating_add(size.table_elements);
        };
        let mut names: Vec<String> = Vec::new();
        let mut instrumented_libs = Vec::with_capacity(libraries.len());
        for library in libraries {
            if matches!(
                library.name.as_str(),
                "env" | "eth2" | "debug" | "bignum" | metering::METERING_MODULE
            ) || names.contains(&library.name)
            {
                return Err(HostError::InvalidModule(format!(
                    "library name `{}` is reserved for the host or used twice",
                    library.name
                )));
            }
            add(module::check(
                &library.wasm,
                &limits,
                Role::Library { earlier: &names },
            )?);
            instrumented_libs.push((
                library.name.clone(),
                metering::instrument(&library.wasm, &limits)?,
            ));
            names.push(library.name.clone());
        }
        add(module::check(
            ee_wasm,
            &limits,
            Role::ExecutionEnvironment { libraries: &names },
        )?);
        if initial.memory_pages > u64::from(limits.max_memory_pages) {
            return Err(HostError::RunMemoryTooLarge {
                pages: initial.memory_pages,
                max: limits.max_memory_pages,
            });
        }
        if initial.table_elements > MAX_TABLE_ELEMENTS as u64 {
            return Err(HostError::RunTablesTooLarge {
                elements: initial.table_elements,
                max: MAX_TABLE_ELEMENTS,
            });
        }
        let ee = metering::instrument(ee_wasm, &limits)?;
        let loaded = Loaded::new(engine, &ee, &instrumented_libs, &limits)?;
        Ok(Runtime {
            engine,
            limits,
            loaded,
        })
    }

    /// The engine this runtime runs in.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The limits this runtime enforces.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Runs on a thread whose native stack is sized from the limits, so that the metering's
    /// deterministic stack trap always comes before an engine runs out of native stack,
    /// whatever thread the caller is on.
    fn run_on_own_stack(&self, state: HostState) -> Result<Outcome, HostError> {
        std::thread::scope(|scope| {
            let thread = std::thread::Builder::new()
                .name("evm-ee-run".into())
                .stack_size(self.limits.native_stack_bytes())
                .spawn_scoped(scope, || self.loaded.run(state))
                .map_err(|e| HostError::Engine(format!("cannot start the run's thread: {e}")))?;
            thread
                .join()
                .map_err(|_| HostError::Engine(format!("the {} engine panicked", self.engine)))?
        })
    }

    /// Instantiates afresh (nothing leaks across runs), runs the exported `main` with
    /// `pre_state` and `block_data`. An EE trap is a result with `trap` set, not an error.
    pub fn execute(
        &self,
        pre_state: [u8; 32],
        block_data: &[u8],
    ) -> Result<ShardBlockResult, HostError> {
        if i32::try_from(block_data.len()).is_err() {
            return Err(HostError::BlockDataTooLarge(block_data.len()));
        }
        let meter = Meter::new(self.limits.max_ticks, self.limits.max_stack);
        let state = HostState::new(pre_state, block_data.to_vec(), meter);
        let outcome = self.run_on_own_stack(state)?;
        let state = outcome.state;
        let (post_state, deposits, trap, reason) = match outcome.trap {
            None => (state.post_state, state.deposits, None, None),
            Some(cause) => {
                let reason = state.debug.last_message();
                let trap = match &reason {
                    Some(reason) => format!("{reason} (trap: {cause})"),
                    None => cause,
                };
                (None, Vec::new(), Some(trap), reason)
            }
        };
        Ok(ShardBlockResult {
            post_state,
            deposits,
            ticks: state.meter.ticks,
            debug_output: state.debug.lines,
            debug_dropped: state.debug.dropped,
            trap,
            reason,
        })
    }
}
