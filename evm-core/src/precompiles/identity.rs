//! 0x04 identity (Frontier): returns its input.

use super::interface::{PrecompileOutput, PrecompileResult};
use super::native::{charge, linear_price};

/// Precompile number (address `0x00..04`).
pub(super) const NUMBER: u8 = 0x04;
/// Base price.
pub(super) const BASE: u64 = 15;
/// Price per 32-byte word of input, rounded up.
pub(super) const PER_WORD: u64 = 3;

/// Copies `input` to the output.
pub(super) fn run(input: &[u8], gas_limit: u64) -> PrecompileResult {
    let gas_used = charge(linear_price(input.len(), BASE, PER_WORD), gas_limit)?;
    Ok(PrecompileOutput {
        gas_used,
        bytes: input.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::precompiles::PrecompileFailure;

    #[test]
    fn copies_and_prices_per_word() {
        let out = run(&[], 15).unwrap();
        assert_eq!((out.gas_used, out.bytes.len()), (15, 0));
        let out = run(&[7; 33], 21).unwrap();
        assert_eq!((out.gas_used, out.bytes), (21, alloc::vec![7; 33]));
        assert_eq!(
            run(&[7; 32], 17),
            Err(PrecompileFailure::OutOfGas {
                needed: 18,
                limit: 17
            })
        );
    }
}
