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
    /// start of every transaction (EIP-2929). By default the fork's rule, `0x01..=last` (one
    /// place for both sets).
    fn addresses(&self, spec: SpecId) -> Vec<H160> {
        (1..=last_precompile(spec))
            .map(precompile_address)
            .collect()
    }

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

/// The highest precompile number active in `spec` (the fork rule every set follows, native or
/// guest); numbers `1..=last` are all active.
const fn last_precompile(spec: SpecId) -> u8 {
    if spec.is_enabled_in(SpecId::Cancun) {
        // EIP-4844: point evaluation.
        0x0a
    } else if spec.is_enabled_in(SpecId::Istanbul) {
        // EIP-152: blake2f.
        0x09
    } else if spec.is_enabled_in(SpecId::Byzantium) {
        // EIP-198: modexp; EIP-196, EIP-197: bn128 add, mul and pairing.
        0x08
    } else {
        // Frontier: ecrecover, sha256, ripemd160, identity.
        0x04
    }
}

/// The precompile number of `address`, if it is `0x00..00nn` with `nn` active in `spec`.
pub(super) fn precompile_number(spec: SpecId, address: &H160) -> Option<u8> {
    let (prefix, last) = address.as_bytes().split_at(19);
    let n = *last.first()?;
    (prefix.iter().all(|b| *b == 0) && (1..=last_precompile(spec)).contains(&n)).then_some(n)
}
