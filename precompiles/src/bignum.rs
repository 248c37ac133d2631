//! The arithmetic of the bignum interface (import module `bignum`), shared by the host functions
//! and the pure-Wasm fallback.
//!
//! | function | operands | result |
//! | --- | --- | --- |
//! | `add256(a, b, c)` | 32-byte big-endian (Scout) | `c = a + b`; a carry out is an error |
//! | `sub256(a, b, c)` | 32-byte big-endian (Scout) | `c = a - b`; a borrow is an error |
//! | `addmod256(a, b, m, r)` | 4 little-endian `u64` limbs | `r = a + b mod m` |
//! | `submod256(a, b, m, r)` | 4 limbs | `r = a - b mod m` |
//! | `mulmodmont256(a, b, m, inv, r)` | 4 limbs; `inv` one limb, `-m^-1 mod 2^64` | `r = a * b / 2^256 mod m` (Montgomery) |
//! | `addmod384`, `submod384`, `mulmodmont384` | the same with 6 limbs | |
//!
//! Scout's `add256`/`sub256` aborted the host on a carry or borrow; here that is an error the
//! host turns into a trap with a reason. The modular functions are exact for `a, b < m` and an
//! odd `m` (Montgomery needs it); for other inputs they still return a deterministic value (no
//! panics, every operation wraps), which is what a guest passing garbage deserves. The result may
//! alias an operand: every function reads all operands before it returns.

/// `a + b` of two 32-byte big-endian numbers, or `None` on a carry out of 256 bits.
pub fn add256_be(a: &[u8; 32], b: &[u8; 32]) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for i in (0..32).rev() {
        let sum = u16::from(a[i]) + u16::from(b[i]) + carry;
        out[i] = sum as u8;
        carry = sum >> 8;
    }
    (carry == 0).then_some(out)
}

/// `a - b` of two 32-byte big-endian numbers, or `None` when `b > a`.
pub fn sub256_be(a: &[u8; 32], b: &[u8; 32]) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut diff = i16::from(a[i]) - i16::from(b[i]) - borrow;
        borrow = 0;
        if diff < 0 {
            diff += 256;
            borrow = 1;
        }
        out[i] = diff as u8;
    }
    (borrow == 0).then_some(out)
}

/// `N` little-endian limbs from `8 * N` little-endian bytes (shorter input reads as zeros).
pub fn limbs_from_le<const N: usize>(bytes: &[u8]) -> [u64; N] {
    let mut limbs = [0u64; N];
    for (limb, chunk) in limbs.iter_mut().zip(bytes.chunks(8)) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        *limb = u64::from_le_bytes(word);
    }
    limbs
}

/// The `8 * N` little-endian bytes of `limbs` into `out` (as far as `out` reaches).
pub fn limbs_to_le<const N: usize>(limbs: &[u64; N], out: &mut [u8]) {
    for (chunk, limb) in out.chunks_mut(8).zip(limbs) {
        chunk.copy_from_slice(&limb.to_le_bytes()[..chunk.len()]);
    }
}

/// `a + b + carry`, returning the low limb and the carry.
#[inline(always)]
fn adc(a: u64, b: u64, carry: u64) -> (u64, u64) {
    let wide = u128::from(a) + u128::from(b) + u128::from(carry);
    (wide as u64, (wide >> 64) as u64)
}

/// `a - b - borrow`, returning the low limb and the borrow (0 or 1).
#[inline(always)]
fn sbb(a: u64, b: u64, borrow: u64) -> (u64, u64) {
    let wide = u128::from(a)
        .wrapping_sub(u128::from(b))
        .wrapping_sub(u128::from(borrow));
    (wide as u64, (wide >> 127) as u64)
}

/// `acc + a * b + carry`, returning the low limb and the carry (which cannot overflow a limb).
#[inline(always)]
fn mac(acc: u64, a: u64, b: u64, carry: u64) -> (u64, u64) {
    let wide = u128::from(acc) + u128::from(a) * u128::from(b) + u128::from(carry);
    (wide as u64, (wide >> 64) as u64)
}

/// `a >= b`.
fn geq<const N: usize>(a: &[u64; N], b: &[u64; N]) -> bool {
    for i in (0..N).rev() {
        if a[i] != b[i] {
            return a[i] > b[i];
        }
    }
    true
}

/// `a - b` modulo `2^(64 N)`.
fn sub_limbs<const N: usize>(a: &[u64; N], b: &[u64; N]) -> [u64; N] {
    let mut out = [0u64; N];
    let mut borrow = 0;
    for i in 0..N {
        (out[i], borrow) = sbb(a[i], b[i], borrow);
    }
    out
}

/// `a + b mod m` for `a, b < m`.
pub fn add_mod<const N: usize>(a: &[u64; N], b: &[u64; N], m: &[u64; N]) -> [u64; N] {
    let mut sum = [0u64; N];
    let mut carry = 0;
    for i in 0..N {
        (sum[i], carry) = adc(a[i], b[i], carry);
    }
    if carry != 0 || geq(&sum, m) {
        sum = sub_limbs(&sum, m);
    }
    sum
}

/// `a - b mod m` for `a, b < m`.
pub fn sub_mod<const N: usize>(a: &[u64; N], b: &[u64; N], m: &[u64; N]) -> [u64; N] {
    let mut diff = [0u64; N];
    let mut borrow = 0;
    for i in 0..N {
        (diff[i], borrow) = sbb(a[i], b[i], borrow);
    }
    if borrow != 0 {
        let mut carry = 0;
        for i in 0..N {
            (diff[i], carry) = adc(diff[i], m[i], carry);
        }
    }
    diff
}

/// The Montgomery product `a * b * 2^(-64 N) mod m` for `a, b < m` and an odd `m`, with `inv`
/// `= -m^-1 mod 2^64` (coarsely integrated operand scanning; one final subtraction).
pub fn mul_mod_mont<const N: usize>(
    a: &[u64; N],
    b: &[u64; N],
    m: &[u64; N],
    inv: u64,
) -> [u64; N] {
    const {
        assert!(
            N >= 1 && N <= 6,
            "the interface has 256- and 384-bit functions"
        )
    };
    // N + 2 limbs of accumulator; 8 covers N <= 6.
    let mut t = [0u64; 8];
    for &b_i in b {
        let mut carry = 0;
        for j in 0..N {
            (t[j], carry) = mac(t[j], a[j], b_i, carry);
        }
        let (low, high) = adc(t[N], carry, 0);
        t[N] = low;
        t[N + 1] = high;

        let q = t[0].wrapping_mul(inv);
        let (_, mut carry) = mac(t[0], q, m[0], 0);
        for j in 1..N {
            (t[j - 1], carry) = mac(t[j], q, m[j], carry);
        }
        let (low, high) = adc(t[N], carry, 0);
        t[N - 1] = low;
        t[N] = t[N + 1].wrapping_add(high);
    }
    let mut out = [0u64; N];
    out.copy_from_slice(&t[..N]);
    if t[N] != 0 || geq(&out, m) {
        out = sub_limbs(&out, m);
    }
    out
}

/// `-m^-1 mod 2^64` for an odd `m0` (the lowest limb of the modulus), the `inv` that
/// [`mul_mod_mont`] takes: Newton's iteration doubles the correct low bits each step.
pub fn mont_inv(m0: u64) -> u64 {
    let mut x: u64 = 1;
    for _ in 0..6 {
        x = x.wrapping_mul(2u64.wrapping_sub(m0.wrapping_mul(x)));
    }
    x.wrapping_neg()
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use num_bigint::BigUint;
    use proptest::prelude::*;
    use std::vec::Vec;

    /// BN254's base field, secp256k1's field, BLS12-381's base field.
    const BN254_P: &str = "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47";
    const SECP256K1_P: &str = "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f";
    const BLS12_381_P: &str = "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab";

    fn big<const N: usize>(limbs: &[u64; N]) -> BigUint {
        let bytes: Vec<u8> = limbs.iter().flat_map(|l| l.to_le_bytes()).collect();
        BigUint::from_bytes_le(&bytes)
    }

    fn limbs<const N: usize>(value: &BigUint) -> [u64; N] {
        limbs_from_le(&value.to_bytes_le())
    }

    fn modulus<const N: usize>(hex: &str) -> [u64; N] {
        limbs(&BigUint::parse_bytes(hex.as_bytes(), 16).unwrap())
    }

    /// A value below `m` from random limbs.
    fn reduced<const N: usize>(raw: [u64; N], m: &[u64; N]) -> [u64; N] {
        limbs(&(big(&raw) % big(m)))
    }

    fn check_all<const N: usize>(m_hex: &str, raw_a: [u64; N], raw_b: [u64; N]) {
        let m = modulus::<N>(m_hex);
        let (a, b) = (reduced(raw_a, &m), reduced(raw_b, &m));
        let (ba, bb, bm) = (big(&a), big(&b), big(&m));
        assert_eq!(big(&add_mod(&a, &b, &m)), (&ba + &bb) % &bm);
        assert_eq!(big(&sub_mod(&a, &b, &m)), (&ba + &bm - &bb) % &bm);
        let r_inv = (BigUint::from(1u8) << (64 * N)).modinv(&bm).unwrap();
        let inv = mont_inv(m[0]);
        assert_eq!(
            big(&mul_mod_mont(&a, &b, &m, inv)),
            (&ba * &bb * r_inv) % &bm
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn modular_functions_match_num_bigint_256(a: [u64; 4], b: [u64; 4]) {
            check_all(BN254_P, a, b);
            check_all(SECP256K1_P, a, b);
        }

        #[test]
        fn modular_functions_match_num_bigint_384(a: [u64; 6], b: [u64; 6]) {
            check_all(BLS12_381_P, a, b);
        }

        #[test]
        fn scout_add_and_sub_match_num_bigint(a: [u8; 32], b: [u8; 32]) {
            let (ba, bb) = (BigUint::from_bytes_be(&a), BigUint::from_bytes_be(&b));
            let limit = BigUint::from(1u8) << 256;
            match add256_be(&a, &b) {
                Some(sum) => prop_assert_eq!(BigUint::from_bytes_be(&sum), &ba + &bb),
                None => prop_assert!(&ba + &bb >= limit),
            }
            match sub256_be(&a, &b) {
                Some(diff) => prop_assert_eq!(BigUint::from_bytes_be(&diff), &ba - &bb),
                None => prop_assert!(ba < bb),
            }
        }
    }

    #[test]
    fn edge_values() {
        // m - 1 squared, zero, one, and the carry out of the top limb.
        check_all::<4>(BN254_P, [u64::MAX; 4], [0; 4]);
        check_all::<4>(SECP256K1_P, [u64::MAX; 4], [u64::MAX; 4]);
        check_all::<6>(BLS12_381_P, [u64::MAX; 6], [1, 0, 0, 0, 0, 0]);
        let max = [0xffu8; 32];
        assert_eq!(add256_be(&max, &[0; 32]), Some(max));
        let mut one = [0u8; 32];
        one[31] = 1;
        assert_eq!(add256_be(&max, &one), None);
        assert_eq!(sub256_be(&[0; 32], &one), None);
        assert_eq!(sub256_be(&one, &one), Some([0; 32]));
        // Garbage in (even modulus, operands above it) is no panic.
        let _ = mul_mod_mont(&[u64::MAX; 4], &[u64::MAX; 4], &[0; 4], 0);
        let _ = add_mod(&[u64::MAX; 6], &[u64::MAX; 6], &[2; 6]);
        let _ = sub_mod(&[0; 6], &[u64::MAX; 6], &[u64::MAX; 6]);
    }

    #[test]
    fn limbs_round_trip() {
        let bytes: Vec<u8> = (0u8..32).collect();
        let limbs: [u64; 4] = limbs_from_le(&bytes);
        let mut out = [0u8; 32];
        limbs_to_le(&limbs, &mut out);
        assert_eq!(&out[..], &bytes[..]);
    }
}
