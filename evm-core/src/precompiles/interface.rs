//! The seam between the state transition and whoever computes precompiles: the native set of this
//! crate, or the guest code of the `precompiles` crate (the Wasm precompile modules' code).

use alloc::vec::Vec;
use primitive_types::H160;

use crate::spec::SpecId;

/// A successful precompile call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrecompileOutput {
    /// Gas charged, at most the gas limit the call was given.
    pub gas_used: u64,
    /// Return data.
    pub bytes: Vec<u8>,
}

/// Why a precompile call failed. Every failure consumes all gas given to the call and makes the
/// call fail; the transaction goes on (as revm's `PrecompileHalt`, not a fatal error).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PrecompileFailure {
    /// The call's gas limit is below the precompile's price for this input.
    #[error("out of gas: needs {needed}, has {limit}")]
    OutOfGas {
        /// Price for this input (saturated at `u64::MAX`).
        needed: u64,
        /// Gas the call was given.
        limit: u64,
    },
    /// The input is not acceptable (a point not on the curve, a bad length, a wrong proof...).
    #[error("invalid input: {0}")]
    InvalidInput(&'static str),
}

/// Result of one precompile call.
pub type PrecompileResult = Result<PrecompileOutput, PrecompileFailure>;

/// A set of precompiled contracts, per fork.
pub trait Precompiles {
    /// Addresses of the precompiles active in `spec`, in ascending order. They are warm from the
    /// start of every transaction (EIP-2929).
    fn addresses(&self, spec: SpecId) -> Vec<H160>;

    /// Runs the precompile at `address` if `spec` has one there; `None` means the address is an
    /// ordinary account.
    fn execute(
        &self,
        spec: SpecId,
        address: H160,
        input: &[u8],
        gas_limit: u64,
    ) -> Option<PrecompileResult>;
}

/// The address `0x00..00nn` of precompile number `n`.
pub const fn precompile_address(n: u8) -> H160 {
    let mut bytes = [0u8; 20];
    bytes[19] = n;
    H160(bytes)
}
