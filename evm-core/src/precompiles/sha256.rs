//! 0x02 sha256 (Frontier).

use sha2::{Digest, Sha256};

use super::interface::{PrecompileOutput, PrecompileResult};
use super::native::{charge, linear_price};

/// Precompile number (address `0x00..02`).
pub(super) const NUMBER: u8 = 0x02;
/// Base price.
pub(super) const BASE: u64 = 60;
/// Price per 32-byte word of input, rounded up.
pub(super) const PER_WORD: u64 = 12;

/// The SHA-256 digest of `input`, 32 bytes.
pub(super) fn run(input: &[u8], gas_limit: u64) -> PrecompileResult {
    let gas_used = charge(linear_price(input.len(), BASE, PER_WORD), gas_limit)?;
    Ok(PrecompileOutput {
        gas_used,
        bytes: Sha256::digest(input).to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::precompiles::PrecompileFailure;

    #[test]
    fn digests_and_prices() {
        let out = run(&[], 60).unwrap();
        assert_eq!(out.gas_used, 60);
        assert_eq!(
            hex::encode(out.bytes),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let out = run(b"abc", 100).unwrap();
        assert_eq!(out.gas_used, 72);
        assert_eq!(
            hex::encode(out.bytes),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(run(&[0; 65], 96).unwrap().gas_used, 96);
        assert_eq!(
            run(&[0; 65], 95),
            Err(PrecompileFailure::OutOfGas {
                needed: 96,
                limit: 95
            })
        );
    }
}
