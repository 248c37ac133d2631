//! 0x05 modexp (EIP-198, Byzantium; repriced by EIP-2565 in Berlin): `base^exp mod modulus`
//! over big-endian integers of any declared length.
//!
//! The price is computed from the three declared lengths and the head of the exponent before
//! anything is allocated, so a declared length of 2^255 costs nothing but an `OutOfGas`.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use super::interface::{PrecompileFailure, PrecompileOutput, PrecompileResult};
use super::native::charge;
use crate::spec::SpecId;

/// Precompile number (address `0x00..05`).
pub(super) const NUMBER: u8 = 0x05;
/// EIP-198: `GQUADDIVISOR`.
const BYZANTIUM_DIVISOR: u128 = 20;
/// EIP-2565: the divisor that replaced `GQUADDIVISOR`.
const BERLIN_DIVISOR: u128 = 3;
/// EIP-2565: minimum price.
const BERLIN_MIN_GAS: u128 = 200;
/// Offset of the base in the input, after the three 32-byte lengths.
const HEADER_LEN: u64 = 96;

/// Input `base_len(32) ‖ exp_len(32) ‖ mod_len(32) ‖ base ‖ exp ‖ modulus`, zero-padded on the
/// right when short; output `mod_len` bytes.
///
/// The gas limit bounds what is allocated: a length only gets past pricing if the caller paid
/// for it. For 30M gas that is about 75 KB of modulus, or an exponent (allocated only when it
/// runs past the end of the input) of 11 MB from Berlin on and 75 MB before.
pub(super) fn run(spec: SpecId, input: &[u8], gas_limit: u64) -> PrecompileResult {
    let base_len = length(input, 0);
    let exp_len = length(input, 32);
    let mod_len = length(input, 64);

    let exp_start = HEADER_LEN.saturating_add(u64::try_from(base_len).unwrap_or(u64::MAX));
    let exp_head = padded_u64(input, exp_start, exp_len.min(32) as usize);
    let price = price(spec, base_len, exp_len, mod_len, &exp_head);
    // A price beyond u64 can never be paid, whatever the limit.
    let needed = u64::try_from(price).unwrap_or(u64::MAX);
    if price > u128::from(u64::MAX) {
        return Err(PrecompileFailure::OutOfGas {
            needed,
            limit: gas_limit,
        });
    }
    let gas_used = charge(needed, gas_limit)?;

    // EIP-198: with a zero-length modulus the result is empty, whatever the other lengths.
    if mod_len == 0 {
        return Ok(PrecompileOutput {
            gas_used,
            bytes: Vec::new(),
        });
    }
    // Paid-for lengths fit in memory; this only fails for limits no block can give.
    let too_long = || PrecompileFailure::InvalidInput("modexp length exceeds the address space");
    let base_len = usize::try_from(base_len).map_err(|_| too_long())?;
    let exp_len = usize::try_from(exp_len).map_err(|_| too_long())?;
    let mod_len = usize::try_from(mod_len).map_err(|_| too_long())?;
    let base_start = HEADER_LEN as usize;
    let exp_start = base_start.checked_add(base_len).ok_or_else(too_long)?;
    let mod_start = exp_start.checked_add(exp_len).ok_or_else(too_long)?;

    let base = padded(input, base_start, base_len);
    let exp = padded(input, exp_start, exp_len);
    let modulus = padded(input, mod_start, mod_len);
    let result = aurora_engine_modexp::modexp(&base, &exp, &modulus);

    // The result is below the modulus, so it fits in `mod_len` bytes once leading zeros go.
    let mut bytes = alloc::vec![0u8; mod_len];
    let significant = result
        .iter()
        .position(|b| *b != 0)
        .and_then(|first| result.get(first..))
        .unwrap_or(&[]);
    let offset = mod_len.saturating_sub(significant.len());
    let take = significant.len().min(mod_len);
    if let (Some(dst), Some(src)) = (
        bytes.get_mut(offset..),
        significant.get(significant.len() - take..),
    ) {
        dst.copy_from_slice(src);
    }
    Ok(PrecompileOutput { gas_used, bytes })
}

/// The 32-byte length word at `offset`, saturated to `u128::MAX`: any length that large is
/// priced far beyond `u64` gas anyway.
fn length(input: &[u8], offset: usize) -> u128 {
    let mut word = [0u8; 32];
    if let Some(available) = input.get(offset..) {
        let n = available.len().min(32);
        word[..n].copy_from_slice(&available[..n]);
    }
    let (high, low) = word.split_at(16);
    if high.iter().any(|b| *b != 0) {
        return u128::MAX;
    }
    let mut low_bytes = [0u8; 16];
    low_bytes.copy_from_slice(low);
    u128::from_be_bytes(low_bytes)
}

/// `input[start..start + len]`, zero-padded past the end of the input.
fn padded(input: &[u8], start: usize, len: usize) -> Cow<'_, [u8]> {
    if let Some(slice) = start.checked_add(len).and_then(|end| input.get(start..end)) {
        return Cow::Borrowed(slice);
    }
    let mut bytes = alloc::vec![0u8; len];
    if let Some(available) = input.get(start..) {
        let n = available.len().min(len);
        bytes[..n].copy_from_slice(&available[..n]);
    }
    Cow::Owned(bytes)
}

/// As [`padded`] for a start that may not fit in `usize`; `len` is at most 32.
fn padded_u64(input: &[u8], start: u64, len: usize) -> Vec<u8> {
    match usize::try_from(start) {
        Ok(start) => padded(input, start, len).into_owned(),
        Err(_) => alloc::vec![0u8; len],
    }
}

/// The price in gas, before saturation to `u64`.
fn price(spec: SpecId, base_len: u128, exp_len: u128, mod_len: u128, exp_head: &[u8]) -> u128 {
    let max_len = base_len.max(mod_len);
    let iterations = adjusted_exponent_length(exp_len, exp_head).max(1);
    if spec.is_enabled_in(SpecId::Berlin) {
        // EIP-2565: words of 8 bytes, squared.
        let words = max_len.div_ceil(8);
        let complexity = words.saturating_mul(words);
        (complexity.saturating_mul(iterations) / BERLIN_DIVISOR).max(BERLIN_MIN_GAS)
    } else {
        // EIP-198: the Karatsuba-shaped complexity.
        let x = max_len;
        let x2 = x.saturating_mul(x);
        let complexity = if x <= 64 {
            x2
        } else if x <= 1024 {
            (x2 / 4).saturating_add(96 * x).saturating_sub(3072)
        } else {
            (x2 / 16)
                .saturating_add(x.saturating_mul(480))
                .saturating_sub(199_680)
        };
        complexity.saturating_mul(iterations) / BYZANTIUM_DIVISOR
    }
}

/// EIP-198 `adjusted_exponent_length`: the index of the exponent's highest set bit, counting
/// 8 bits for every byte past the first 32.
fn adjusted_exponent_length(exp_len: u128, exp_head: &[u8]) -> u128 {
    let head_bits = exp_head.iter().position(|b| *b != 0).map_or(0, |i| {
        8 * (exp_head.len() - i) as u128 - u128::from(exp_head[i].leading_zeros())
    });
    let head_index = head_bits.saturating_sub(1);
    if exp_len <= 32 {
        head_index
    } else {
        (exp_len - 32).saturating_mul(8).saturating_add(head_index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::BigUint;

    fn word(n: u128) -> [u8; 32] {
        let mut w = [0u8; 32];
        w[16..].copy_from_slice(&n.to_be_bytes());
        w
    }

    fn encode(base: &[u8], exp: &[u8], modulus: &[u8]) -> Vec<u8> {
        let mut input = Vec::new();
        input.extend_from_slice(&word(base.len() as u128));
        input.extend_from_slice(&word(exp.len() as u128));
        input.extend_from_slice(&word(modulus.len() as u128));
        input.extend_from_slice(base);
        input.extend_from_slice(exp);
        input.extend_from_slice(modulus);
        input
    }

    const P: &str = "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f";
    const P_MINUS_1: &str = "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e";

    #[test]
    fn eip198_examples() {
        // 3^(p-1) mod p = 1 (Fermat).
        let input = encode(
            &[3],
            &hex::decode(P_MINUS_1).unwrap(),
            &hex::decode(P).unwrap(),
        );
        let out = run(SpecId::Byzantium, &input, 1_000_000).unwrap();
        assert_eq!(out.gas_used, 13056);
        assert_eq!(hex::encode(&out.bytes), format!("{:064x}", 1));
        let out = run(SpecId::Berlin, &input, 1_000_000).unwrap();
        assert_eq!(out.gas_used, 1360);
        assert_eq!(out.bytes, word(1));

        // Base of length 0 is zero: 0^(p-1) mod p = 0.
        let input = encode(
            &[],
            &hex::decode(P_MINUS_1).unwrap(),
            &hex::decode(P).unwrap(),
        );
        let out = run(SpecId::Byzantium, &input, 1_000_000).unwrap();
        assert_eq!(out.bytes, [0u8; 32]);

        // Huge declared lengths: priced, never allocated, and beyond any gas limit.
        for (base_len, exp_len, mod_len) in [
            ([0u8; 32], [0xff; 32], word(32)),
            ([0xff; 32], word(1), word(1)),
            (word(1), word(1), [0xff; 32]),
            (word(1 << 40), word(1), word(1)),
        ] {
            let input = [base_len, exp_len, mod_len].concat();
            for spec in [SpecId::Byzantium, SpecId::Cancun] {
                let result = run(spec, &input, u64::MAX);
                assert!(
                    matches!(
                        result,
                        Err(PrecompileFailure::OutOfGas {
                            needed: u64::MAX,
                            ..
                        })
                    ),
                    "{result:?}"
                );
            }
        }
    }

    #[test]
    fn zero_lengths_and_short_inputs() {
        // Empty input: all lengths zero, empty output, minimum price.
        assert_eq!(run(SpecId::Byzantium, &[], 0).unwrap().gas_used, 0);
        let out = run(SpecId::Berlin, &[], 200).unwrap();
        assert_eq!((out.gas_used, out.bytes.len()), (200, 0));
        assert!(matches!(
            run(SpecId::Berlin, &[], 199),
            Err(PrecompileFailure::OutOfGas {
                needed: 200,
                limit: 199
            })
        ));

        // Zero base and modulus lengths with an astronomically long exponent: the complexity is
        // zero, so this is cheap and empty.
        let mut input = [0u8; 96];
        input[32..64].copy_from_slice(&[0xff; 32]);
        assert_eq!(run(SpecId::Byzantium, &input, 0).unwrap().bytes.len(), 0);
        assert_eq!(run(SpecId::Berlin, &input, 200).unwrap().gas_used, 200);

        // Declared lengths longer than the input: zero-padded on the right.
        // base = 0x02, exp = 0x03 (padded), modulus = 0x0100 (second byte padded) -> 8 in 2 bytes.
        let mut input = Vec::new();
        input.extend_from_slice(&word(1));
        input.extend_from_slice(&word(1));
        input.extend_from_slice(&word(2));
        input.extend_from_slice(&[2, 3, 1]);
        let out = run(SpecId::Cancun, &input, 1_000).unwrap();
        assert_eq!(out.bytes, [0, 8]);

        // Zero modulus: mod_len zero bytes.
        let input = encode(&[5], &[3], &[0, 0, 0]);
        assert_eq!(run(SpecId::Cancun, &input, 1_000).unwrap().bytes, [0, 0, 0]);
        // Zero-length modulus with a base: empty.
        let input = encode(&[5], &[3], &[]);
        assert!(run(SpecId::Cancun, &input, 1_000).unwrap().bytes.is_empty());
    }

    #[test]
    fn adjusted_exponent_length_cases() {
        assert_eq!(adjusted_exponent_length(0, &[]), 0);
        assert_eq!(adjusted_exponent_length(1, &[1]), 0);
        assert_eq!(adjusted_exponent_length(1, &[0x80]), 7);
        assert_eq!(adjusted_exponent_length(32, &[0xff; 32]), 255);
        assert_eq!(adjusted_exponent_length(33, &[0; 32]), 8);
        assert_eq!(adjusted_exponent_length(64, &word(1)), 256);
        assert_eq!(adjusted_exponent_length(u128::MAX, &[1]), u128::MAX);
    }

    #[test]
    fn byzantium_complexity_bands() {
        // x = 65 lies in the middle band: 65^2/4 + 96*65 - 3072 = 4224; 4224 * 1 / 20 = 211.
        let input = encode(&[1; 65], &[1], &[7]);
        assert_eq!(
            run(SpecId::Byzantium, &input, 10_000).unwrap().gas_used,
            211
        );
        // x = 1025: 1025^2/16 + 480*1025 - 199680 = 357_984; / 20 = 17_899.
        let input = encode(&[1; 1025], &[1], &[7]);
        assert_eq!(
            run(SpecId::Byzantium, &input, 100_000).unwrap().gas_used,
            17_899
        );
        // Berlin for the same: ceil(1025/8)^2 = 129^2 = 16641; / 3 = 5547.
        assert_eq!(run(SpecId::Berlin, &input, 100_000).unwrap().gas_used, 5547);
    }

    #[test]
    fn matches_num_bigint_on_random_inputs() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..300 {
            let mut bytes = |max: u64| {
                let len = (next() % (max + 1)) as usize;
                (0..len).map(|_| next() as u8).collect::<Vec<u8>>()
            };
            let base = bytes(80);
            let exp = bytes(40);
            let mut modulus = bytes(80);
            if next() % 8 == 0 {
                modulus.iter_mut().for_each(|b| *b = 0);
            }
            let out = run(SpecId::Cancun, &encode(&base, &exp, &modulus), u64::MAX).unwrap();
            assert_eq!(out.bytes.len(), modulus.len());
            let m = BigUint::from_bytes_be(&modulus);
            let expected = if m == BigUint::ZERO {
                BigUint::ZERO
            } else {
                BigUint::from_bytes_be(&base).modpow(&BigUint::from_bytes_be(&exp), &m)
            };
            assert_eq!(
                BigUint::from_bytes_be(&out.bytes),
                expected,
                "base {} exp {} mod {}",
                hex::encode(&base),
                hex::encode(&exp),
                hex::encode(&modulus)
            );
        }
    }
}
