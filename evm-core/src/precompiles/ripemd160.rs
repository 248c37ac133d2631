//! 0x03 ripemd160 (Frontier).

use ripemd::{Digest, Ripemd160};

use super::interface::{PrecompileOutput, PrecompileResult};
use super::native::{charge, linear_price};

/// Precompile number (address `0x00..03`).
pub(super) const NUMBER: u8 = 0x03;
/// Base price.
pub(super) const BASE: u64 = 600;
/// Price per 32-byte word of input, rounded up.
pub(super) const PER_WORD: u64 = 120;

/// The RIPEMD-160 digest of `input`, left-padded with zeros to a 32-byte word.
pub(super) fn run(input: &[u8], gas_limit: u64) -> PrecompileResult {
    let gas_used = charge(linear_price(input.len(), BASE, PER_WORD), gas_limit)?;
    let mut bytes = alloc::vec![0u8; 32];
    bytes[12..].copy_from_slice(&Ripemd160::digest(input));
    Ok(PrecompileOutput { gas_used, bytes })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::precompiles::PrecompileFailure;

    #[test]
    fn digests_padded_and_prices() {
        let out = run(&[], 600).unwrap();
        assert_eq!(out.gas_used, 600);
        assert_eq!(
            hex::encode(out.bytes),
            "0000000000000000000000009c1185a5c5e9fc54612808977ee8f548b2258d31"
        );
        let out = run(b"abc", 720).unwrap();
        assert_eq!(out.gas_used, 720);
        assert_eq!(
            hex::encode(out.bytes),
            "0000000000000000000000008eb208f7e05d987a9b044a8e98c6b087f15a0bfc"
        );
        assert_eq!(
            run(b"abc", 719),
            Err(PrecompileFailure::OutOfGas {
                needed: 720,
                limit: 719
            })
        );
    }
}
