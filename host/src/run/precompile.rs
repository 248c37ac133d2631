//! Standalone precompile modules (the `precompile-modules` ABI): checked, metered and compiled
//! like an EE, instantiated once, then called any number of times; each call starts from freed
//! memory and a fresh meter, so no data leaks from one call into the next. The one thing a call
//! inherits is the memory size earlier calls grew to: a call that grows memory pays the
//! `memory.grow` ticks, the same call on a warm instance does not (both engines alike).
//!
//! ```no_run
//! use evm_ee_host::{Engine, Limits, PrecompileModule, PrecompileOutcome};
//! # fn main() -> Result<(), evm_ee_host::HostError> {
//! let wasm = std::fs::read("sha256.wasm").expect("read the module");
//! let module = PrecompileModule::new(Engine::Wasmi, &wasm, Limits::default())?;
//! let mut instance = module.instantiate()?;
//! let call = instance.call(b"abc", 100_000, 0b11)?;
//! if let PrecompileOutcome::Success { gas_used, output } = call.outcome {
//!     println!("{} for {gas_used} gas, {} ticks", hex::encode(output), call.ticks);
//! }
//! # Ok(()) }
//! ```

use crate::load::metering;
use crate::load::module::{self, Role};
use crate::run::engine::{self, Loaded};
use crate::{Engine, HostError, Limits};

/// What a precompile call gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrecompileOutcome {
    /// The call succeeded.
    Success {
        /// Gas charged.
        gas_used: u64,
        /// The return data.
        output: Vec<u8>,
    },
    /// The gas limit is below the price.
    OutOfGas {
        /// The price.
        needed: u64,
    },
    /// The module rejected the input.
    InvalidInput(String),
    /// The module trapped (out of ticks or memory, or a bug), or broke the ABI.
    Trap(String),
}

/// One call: its outcome and the ticks it used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrecompileCall {
    /// What the module returned.
    pub outcome: PrecompileOutcome,
    /// Ticks the call used (deterministic: the same in every engine).
    pub ticks: u64,
}

/// A precompile module, checked, instrumented and compiled by one engine.
pub struct PrecompileModule {
    engine: Engine,
    limits: Limits,
    loaded: Loaded,
}

impl std::fmt::Debug for PrecompileModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrecompileModule")
            .field("engine", &self.engine)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl PrecompileModule {
    /// Checks the module against the ABI (exports `memory`, `precompile_input`,
    /// `precompile_run`, `precompile_gas`, `precompile_output`, `precompile_output_len`; imports
    /// only host functions such as `bignum.*`), instruments it with metering and compiles it.
    pub fn new(engine: Engine, wasm: &[u8], limits: Limits) -> Result<Self, HostError> {
        limits.check()?;
        module::check(wasm, &limits, Role::Precompile)?;
        let instrumented = metering::instrument(wasm, &limits)?;
        let loaded = Loaded::new(engine, &instrumented, &[], &limits)?;
        Ok(PrecompileModule {
            engine,
            limits,
            loaded,
        })
    }

    /// The engine this module runs in.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// A fresh instance. Calls run on the calling thread, which needs
    /// [`Limits::native_stack_bytes`] of stack for the deepest call the stack budget allows
    /// (the modules of `precompile-modules` stay far below it).
    pub fn instantiate(&self) -> Result<PrecompileInstance, HostError> {
        Ok(PrecompileInstance {
            inner: self.loaded.instantiate_precompile(&self.limits)?,
        })
    }
}

/// An instance of a [`PrecompileModule`].
pub struct PrecompileInstance {
    inner: engine::PrecompileInstance,
}

impl std::fmt::Debug for PrecompileInstance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrecompileInstance").finish_non_exhaustive()
    }
}

/// `precompile_run`'s status codes (`precompile-modules::status`).
const SUCCESS: i32 = 0;
const OUT_OF_GAS: i32 = 1;
const INVALID_INPUT: i32 = 2;

impl PrecompileInstance {
    /// Calls the precompile on `input` with `gas_limit`; `pricing` is the ABI's bit set (bit 0
    /// EIP-1108, bit 1 EIP-2565). A trap is an outcome, not an error; errors are the host's.
    pub fn call(
        &mut self,
        input: &[u8],
        gas_limit: u64,
        pricing: u32,
    ) -> Result<PrecompileCall, HostError> {
        let raw = self.inner.call(input, gas_limit, pricing)?;
        let outcome = match raw.status {
            Err(trap) => PrecompileOutcome::Trap(trap),
            Ok(SUCCESS) => PrecompileOutcome::Success {
                gas_used: raw.gas,
                output: raw.output,
            },
            Ok(OUT_OF_GAS) => PrecompileOutcome::OutOfGas { needed: raw.gas },
            Ok(INVALID_INPUT) => {
                PrecompileOutcome::InvalidInput(String::from_utf8_lossy(&raw.output).into_owned())
            }
            Ok(other) => PrecompileOutcome::Trap(format!(
                "precompile_run returned {other}, not a status of the ABI"
            )),
        };
        Ok(PrecompileCall {
            outcome,
            ticks: raw.ticks,
        })
    }
}
