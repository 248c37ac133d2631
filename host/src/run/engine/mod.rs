//! The Wasm engines an EE runs in. Both get the same instrumented module, the same host
//! functions (the table in `host_fns.rs`) and the same limits, so they produce the same
//! results and tick counts; only speed differs.

use crate::HostError;
use crate::run::eei::HostState;
use std::fmt;
use std::str::FromStr;

mod shared;
mod wasmi;
#[cfg(feature = "wasmtime")]
mod wasmtime;

use shared::shared_engine;

/// Which engine runs the EE.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Engine {
    /// wasmi: an interpreter, the security-first default.
    #[default]
    Wasmi,
    /// wasmtime: an optimizing (Cranelift) compiler, behind the `wasmtime` cargo feature.
    #[cfg(feature = "wasmtime")]
    Wasmtime,
}

impl Engine {
    /// The engines in this build.
    pub const ALL: &'static [Engine] = &[
        Engine::Wasmi,
        #[cfg(feature = "wasmtime")]
        Engine::Wasmtime,
    ];

    /// The engine's name as [`FromStr`] takes it.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Wasmi => "wasmi",
            #[cfg(feature = "wasmtime")]
            Engine::Wasmtime => "wasmtime",
        }
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Engine {
    type Err = HostError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "wasmi" => Ok(Engine::Wasmi),
            #[cfg(feature = "wasmtime")]
            "wasmtime" => Ok(Engine::Wasmtime),
            #[cfg(not(feature = "wasmtime"))]
            "wasmtime" => Err(HostError::EngineNotBuilt("wasmtime")),
            other => Err(HostError::UnknownEngine(other.to_owned())),
        }
    }
}

/// Generates an engine's `linker()` from the table of host functions (`host_fns.rs`): every
/// host function under all its import names. wasmi's and wasmtime's `Linker::func_wrap` and
/// `Caller` have the same shape, so the registrations are written once, expanded by
/// [`shared_engine!`] over each engine's `Engine`, `Linker`, `Caller` and its own `Data`, `Ret`,
/// `with_host`, `with_memory`, `with_memory_charged` and `engine_error`.
macro_rules! link_host_fns {
    ($(
        $variant:ident [$($names:tt)*]
        ($($arg:ident: $ty:ty),*) $(-> $ret:ty)?, $access:ident($($how:tt)*);
    )*) => {
        /// Every host function under all its import names.
        fn linker(engine: &Engine) -> Result<Linker<Data>, HostError> {
            let mut linker = Linker::new(engine);
            $(
                for &(module, name) in HostFn::$variant.import_names() {
                    linker
                        .func_wrap(
                            module,
                            name,
                            |mut c: Caller<'_, Data>,
                             $($arg: $ty),*|
                             -> Ret<crate::host_fns::result_type!($($ret)?)> {
                                super::host_call!(&mut c, HostFn::$variant, $access($($how)*))
                            },
                        )
                        .map_err(engine_error)?;
                }
            )*
            Ok(linker)
        }
    };
}
pub(crate) use link_host_fns;

/// One host call by how its implementation reaches the run's state (see `host_fns.rs`).
macro_rules! host_call {
    ($caller:expr, $f:expr, host($op:expr)) => {
        with_host($caller, $op)
    };
    ($caller:expr, $f:expr, memory($op:expr)) => {
        with_memory($caller, $f, $op)
    };
    ($caller:expr, $f:expr, charged($ticks:expr, $op:expr)) => {
        with_memory_charged($caller, $f, $ticks, $op)
    };
}
pub(crate) use host_call;

/// Trap messages shared by the engines, so a trap reads the same whichever engine ran.
pub(crate) mod trap_message {
    pub(crate) const UNREACHABLE: &str = "wasm `unreachable` instruction executed";
    pub(crate) const MEMORY_OUT_OF_BOUNDS: &str = "out of bounds memory access";
    pub(crate) const TABLE_OUT_OF_BOUNDS: &str = "out of bounds table access";
    pub(crate) const INDIRECT_CALL_TO_NULL: &str = "indirect call to a null table entry";
    pub(crate) const BAD_SIGNATURE: &str = "indirect call type mismatch";
    pub(crate) const DIVISION_BY_ZERO: &str = "integer divide by zero";
    pub(crate) const INTEGER_OVERFLOW: &str = "integer overflow";
    pub(crate) const BAD_CONVERSION: &str = "invalid conversion to integer";
    pub(crate) const STACK_OVERFLOW: &str = "engine call stack exhausted";
}

/// A module compiled by one engine, with its libraries, ready to instantiate per run.
pub(crate) enum Loaded {
    Wasmi(self::wasmi::Loaded),
    #[cfg(feature = "wasmtime")]
    Wasmtime(self::wasmtime::Loaded),
}

/// The state after a run, and the trap message if the EE trapped.
pub(crate) struct Outcome {
    pub(crate) state: HostState,
    pub(crate) trap: Option<String>,
}

impl Loaded {
    /// Compiles the instrumented EE and libraries (already checked by `module.rs`).
    pub(crate) fn new(
        engine: Engine,
        ee: &[u8],
        libraries: &[(String, Vec<u8>)],
        limits: &crate::Limits,
    ) -> Result<Self, HostError> {
        Ok(match engine {
            Engine::Wasmi => Loaded::Wasmi(self::wasmi::Loaded::new(ee, libraries, limits)?),
            #[cfg(feature = "wasmtime")]
            Engine::Wasmtime => {
                Loaded::Wasmtime(self::wasmtime::Loaded::new(ee, libraries, limits)?)
            }
        })
    }

    /// Instantiates the libraries and the EE in a fresh store and calls `main`.
    pub(crate) fn run(&self, state: HostState) -> Result<Outcome, HostError> {
        match self {
            Loaded::Wasmi(loaded) => loaded.run(state),
            #[cfg(feature = "wasmtime")]
            Loaded::Wasmtime(loaded) => loaded.run(state),
        }
    }
}

/// What one call of a precompile module returned, before `precompile.rs` interprets it.
pub(crate) struct RawPrecompileCall {
    /// `precompile_run`'s status, or the trap's message.
    pub(crate) status: Result<i32, String>,
    /// `precompile_gas()`.
    pub(crate) gas: u64,
    /// The bytes at `precompile_output()`.
    pub(crate) output: Vec<u8>,
    /// Ticks the call used.
    pub(crate) ticks: u64,
}

/// Messages of ABI violations by a precompile module.
pub(crate) mod precompile_abi {
    pub(crate) const BAD_INPUT_BUFFER: &str =
        "precompile_input returned a buffer outside the module's memory";
    pub(crate) const BAD_OUTPUT: &str = "the module's output lies outside its memory";
}

/// A precompile module's instance in one engine.
pub(crate) enum PrecompileInstance {
    // Boxed: the instances are large (the wasmtime one most), and made once per module.
    Wasmi(Box<self::wasmi::PrecompileInstance>),
    #[cfg(feature = "wasmtime")]
    Wasmtime(Box<self::wasmtime::PrecompileInstance>),
}

impl Loaded {
    /// Instantiates a precompile module compiled as the `ee` of this `Loaded`.
    pub(crate) fn instantiate_precompile(
        &self,
        limits: &crate::Limits,
    ) -> Result<PrecompileInstance, HostError> {
        Ok(match self {
            Loaded::Wasmi(loaded) => {
                PrecompileInstance::Wasmi(Box::new(loaded.instantiate_precompile(limits)?))
            }
            #[cfg(feature = "wasmtime")]
            Loaded::Wasmtime(loaded) => {
                PrecompileInstance::Wasmtime(Box::new(loaded.instantiate_precompile(limits)?))
            }
        })
    }
}

impl PrecompileInstance {
    pub(crate) fn call(
        &mut self,
        input: &[u8],
        gas_limit: u64,
        pricing: u32,
    ) -> Result<RawPrecompileCall, HostError> {
        match self {
            PrecompileInstance::Wasmi(instance) => instance.call(input, gas_limit, pricing),
            #[cfg(feature = "wasmtime")]
            PrecompileInstance::Wasmtime(instance) => instance.call(input, gas_limit, pricing),
        }
    }
}
