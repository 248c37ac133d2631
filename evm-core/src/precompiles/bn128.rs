//! 0x06 bn128 add, 0x07 bn128 mul (EIP-196) and 0x08 bn128 pairing check (EIP-197), all from
//! Byzantium; EIP-1108 cut their prices in Istanbul.
//!
//! Points are `x(32) ‖ y(32)` big-endian, `(0, 0)` standing for infinity. G2 points are
//! `x_im ‖ x_re ‖ y_im ‖ y_re`. Coordinates must be below the field modulus and points on the
//! curve; G2 points must also be in the order-r subgroup.

use alloc::vec::Vec;
use substrate_bn::{AffineG1, AffineG2, Fq, Fq2, Fr, G1, G2, Group, Gt};

use super::interface::{PrecompileFailure, PrecompileOutput, PrecompileResult};
use super::native::charge;
use crate::spec::SpecId;

/// Precompile number of the addition (address `0x00..06`).
pub(super) const ADD_NUMBER: u8 = 0x06;
/// Precompile number of the scalar multiplication (address `0x00..07`).
pub(super) const MUL_NUMBER: u8 = 0x07;
/// Precompile number of the pairing check (address `0x00..08`).
pub(super) const PAIRING_NUMBER: u8 = 0x08;

/// EIP-196 price of an addition.
pub(super) const ADD_GAS_BYZANTIUM: u64 = 500;
/// EIP-1108 price of an addition.
pub(super) const ADD_GAS_ISTANBUL: u64 = 150;
/// EIP-196 price of a multiplication.
pub(super) const MUL_GAS_BYZANTIUM: u64 = 40_000;
/// EIP-1108 price of a multiplication.
pub(super) const MUL_GAS_ISTANBUL: u64 = 6_000;
/// EIP-197 pairing price: base and per pair.
pub(super) const PAIRING_GAS_BYZANTIUM: (u64, u64) = (100_000, 80_000);
/// EIP-1108 pairing price: base and per pair.
pub(super) const PAIRING_GAS_ISTANBUL: (u64, u64) = (45_000, 34_000);

/// Bytes of an encoded G1 point.
const G1_LEN: usize = 64;
/// Bytes of one pairing pair: a G1 point and a G2 point.
const PAIR_LEN: usize = 192;

/// Adds two G1 points; input `p(64) ‖ q(64)`, zero-padded; output 64 bytes.
pub(super) fn run_add(spec: SpecId, input: &[u8], gas_limit: u64) -> PrecompileResult {
    let price = if spec.is_enabled_in(SpecId::Istanbul) {
        ADD_GAS_ISTANBUL
    } else {
        ADD_GAS_BYZANTIUM
    };
    let gas_used = charge(price, gas_limit)?;
    let input = right_pad::<128>(input);
    let p = read_g1(&input[..64])?;
    let q = read_g1(&input[64..])?;
    Ok(PrecompileOutput {
        gas_used,
        bytes: encode_g1(p + q),
    })
}

/// Multiplies a G1 point by a scalar; input `p(64) ‖ k(32)`, zero-padded; output 64 bytes.
pub(super) fn run_mul(spec: SpecId, input: &[u8], gas_limit: u64) -> PrecompileResult {
    let price = if spec.is_enabled_in(SpecId::Istanbul) {
        MUL_GAS_ISTANBUL
    } else {
        MUL_GAS_BYZANTIUM
    };
    let gas_used = charge(price, gas_limit)?;
    let input = right_pad::<96>(input);
    let p = read_g1(&input[..64])?;
    // Any 256-bit scalar: reduced modulo the group order, which leaves `k·p` unchanged.
    let k = Fr::from_slice(&input[64..])
        .map_err(|_| PrecompileFailure::InvalidInput("bn128 scalar"))?;
    Ok(PrecompileOutput {
        gas_used,
        bytes: encode_g1(p * k),
    })
}

/// Checks `e(a_1, b_1) · … · e(a_k, b_k) = 1`; input `k` pairs of 192 bytes (none is a pass);
/// output 32 bytes, 1 or 0.
pub(super) fn run_pairing(spec: SpecId, input: &[u8], gas_limit: u64) -> PrecompileResult {
    let (base, per_pair) = if spec.is_enabled_in(SpecId::Istanbul) {
        PAIRING_GAS_ISTANBUL
    } else {
        PAIRING_GAS_BYZANTIUM
    };
    let pairs_count = (input.len() / PAIR_LEN) as u64;
    let gas_used = charge(
        pairs_count.saturating_mul(per_pair).saturating_add(base),
        gas_limit,
    )?;
    if !input.len().is_multiple_of(PAIR_LEN) {
        return Err(PrecompileFailure::InvalidInput(
            "bn128 pairing input length is not a multiple of 192",
        ));
    }
    let mut pairs = Vec::with_capacity(input.len() / PAIR_LEN);
    for pair in input.chunks_exact(PAIR_LEN) {
        let (a, b) = pair.split_at(G1_LEN);
        let a = read_g1(a)?;
        let b = read_g2(b)?;
        // Pairs with infinity contribute 1; dropping them also keeps the batch well-formed.
        if !a.is_zero() && !b.is_zero() {
            pairs.push((a, b));
        }
    }
    let holds = pairs.is_empty() || substrate_bn::pairing_batch(&pairs) == Gt::one();
    let mut bytes = alloc::vec![0u8; 32];
    bytes[31] = u8::from(holds);
    Ok(PrecompileOutput { gas_used, bytes })
}

/// `input` right-padded with zeros (or cut) to `N` bytes.
fn right_pad<const N: usize>(input: &[u8]) -> [u8; N] {
    let mut padded = [0u8; N];
    let n = input.len().min(N);
    padded[..n].copy_from_slice(&input[..n]);
    padded
}

/// A base-field element from 32 big-endian bytes, rejecting values at or above the modulus.
fn read_fq(bytes: &[u8]) -> Result<Fq, PrecompileFailure> {
    Fq::from_slice(bytes).map_err(|_| {
        PrecompileFailure::InvalidInput("bn128 coordinate not below the field modulus")
    })
}

/// A G1 point from 64 bytes; `(0, 0)` is infinity.
fn read_g1(bytes: &[u8]) -> Result<G1, PrecompileFailure> {
    let (x, y) = bytes.split_at(32);
    let (x, y) = (read_fq(x)?, read_fq(y)?);
    if x.is_zero() && y.is_zero() {
        return Ok(G1::zero());
    }
    AffineG1::new(x, y)
        .map(G1::from)
        .map_err(|_| PrecompileFailure::InvalidInput("bn128 G1 point not on the curve"))
}

/// A G2 point from 128 bytes `x_im ‖ x_re ‖ y_im ‖ y_re`; all zeros is infinity.
fn read_g2(bytes: &[u8]) -> Result<G2, PrecompileFailure> {
    let (x, y) = bytes.split_at(64);
    let (x_im, x_re) = x.split_at(32);
    let (y_im, y_re) = y.split_at(32);
    let x = Fq2::new(read_fq(x_re)?, read_fq(x_im)?);
    let y = Fq2::new(read_fq(y_re)?, read_fq(y_im)?);
    if x.is_zero() && y.is_zero() {
        return Ok(G2::zero());
    }
    // Checks both the curve equation and membership in the order-r subgroup.
    AffineG2::new(x, y)
        .map(G2::from)
        .map_err(|_| PrecompileFailure::InvalidInput("bn128 G2 point not on the curve or subgroup"))
}

/// 64 bytes `x ‖ y`, or zeros for infinity.
fn encode_g1(point: G1) -> Vec<u8> {
    let mut bytes = alloc::vec![0u8; 64];
    if let Some(affine) = AffineG1::from_jacobian(point) {
        let (x, y) = bytes.split_at_mut(32);
        // Both slices are 32 bytes, the only length `to_big_endian` asks for.
        let written = affine.x().to_big_endian(x).and(affine.y().to_big_endian(y));
        debug_assert!(written.is_ok());
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s.replace([' ', '\n'], "")).unwrap()
    }

    /// The G1 generator (1, 2).
    const G1_GEN: &str = "0000000000000000000000000000000000000000000000000000000000000001\
                          0000000000000000000000000000000000000000000000000000000000000002";
    /// 2·(1, 2).
    const G1_DOUBLE: &str = "030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3\
                             15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4";
    /// The G2 generator of EIP-197, `x_im ‖ x_re ‖ y_im ‖ y_re`.
    const G2_GEN: &str = "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2\
                          1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed\
                          090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b\
                          12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa";

    #[test]
    fn add_vectors() {
        let out = run_add(SpecId::Istanbul, &h(&[G1_GEN, G1_GEN].concat()), 150).unwrap();
        assert_eq!(out.gas_used, 150);
        assert_eq!(out.bytes, h(G1_DOUBLE));
        // Infinity is the identity, and empty input adds infinity to itself.
        let out = run_add(SpecId::Byzantium, &h(G1_GEN), 500).unwrap();
        assert_eq!(out.gas_used, 500);
        assert_eq!(out.bytes, h(G1_GEN));
        assert_eq!(run_add(SpecId::Cancun, &[], 150).unwrap().bytes, [0u8; 64]);
        // P + (-P) is infinity.
        let minus_g = "0000000000000000000000000000000000000000000000000000000000000001\
                       30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd45";
        let out = run_add(SpecId::Cancun, &h(&[G1_GEN, minus_g].concat()), 150).unwrap();
        assert_eq!(out.bytes, [0u8; 64]);
        // Invalid points and out of gas.
        let mut not_on_curve = h(G1_GEN);
        not_on_curve[63] = 3;
        assert!(matches!(
            run_add(SpecId::Cancun, &not_on_curve, 150),
            Err(PrecompileFailure::InvalidInput(_))
        ));
        let mut big_x = h(G1_GEN);
        big_x[..32].copy_from_slice(&[0xff; 32]);
        assert!(matches!(
            run_add(SpecId::Cancun, &big_x, 150),
            Err(PrecompileFailure::InvalidInput(_))
        ));
        assert_eq!(
            run_add(SpecId::Byzantium, &[], 499),
            Err(PrecompileFailure::OutOfGas {
                needed: 500,
                limit: 499
            })
        );
    }

    #[test]
    fn mul_vectors() {
        let two = format!("{:064x}", 2);
        let out = run_mul(SpecId::Istanbul, &h(&[G1_GEN, &two].concat()), 6_000).unwrap();
        assert_eq!(out.gas_used, 6_000);
        assert_eq!(out.bytes, h(G1_DOUBLE));
        // The group order r maps every point to infinity; r + 2 acts as 2.
        let r = "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";
        let out = run_mul(SpecId::Byzantium, &h(&[G1_GEN, r].concat()), 40_000).unwrap();
        assert_eq!((out.gas_used, out.bytes), (40_000, alloc::vec![0u8; 64]));
        let r_plus_2 = "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000003";
        let out = run_mul(SpecId::Cancun, &h(&[G1_GEN, r_plus_2].concat()), 6_000).unwrap();
        assert_eq!(out.bytes, h(G1_DOUBLE));
        // A scalar of all ones is fine; short input is padded: scalar 0 gives infinity.
        assert!(
            run_mul(
                SpecId::Cancun,
                &h(&[G1_GEN, &"ff".repeat(32)].concat()),
                6_000
            )
            .is_ok()
        );
        assert_eq!(
            run_mul(SpecId::Cancun, &h(G1_GEN), 6_000).unwrap().bytes,
            [0u8; 64]
        );
        // Not on the curve.
        let mut bad = h(&[G1_GEN, &two].concat());
        bad[31] = 2;
        assert!(matches!(
            run_mul(SpecId::Cancun, &bad, 6_000),
            Err(PrecompileFailure::InvalidInput(_))
        ));
        assert_eq!(
            run_mul(SpecId::Byzantium, &[], 6_000),
            Err(PrecompileFailure::OutOfGas {
                needed: 40_000,
                limit: 6_000
            })
        );
    }

    /// Negation of the G1 generator: (1, p - 2).
    const G1_NEG: &str = "0000000000000000000000000000000000000000000000000000000000000001\
                          30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd45";

    #[test]
    fn pairing_vectors() {
        // Empty input: the empty product is 1.
        let out = run_pairing(SpecId::Istanbul, &[], 45_000).unwrap();
        assert_eq!((out.gas_used, out.bytes[31]), (45_000, 1));
        // e(G, H) · e(-G, H) = 1.
        let input = h(&[G1_GEN, G2_GEN, G1_NEG, G2_GEN].concat());
        let out = run_pairing(SpecId::Istanbul, &input, 113_000).unwrap();
        assert_eq!((out.gas_used, out.bytes[31]), (113_000, 1));
        let out = run_pairing(SpecId::Byzantium, &input, 260_000).unwrap();
        assert_eq!((out.gas_used, out.bytes[31]), (260_000, 1));
        // e(G, H) alone is not 1.
        let out = run_pairing(SpecId::Cancun, &h(&[G1_GEN, G2_GEN].concat()), 100_000).unwrap();
        assert_eq!(out.bytes, [0u8; 32]);
        // e(G, H) · e(G, H) is not 1 either.
        let input = h(&[G1_GEN, G2_GEN, G1_GEN, G2_GEN].concat());
        assert_eq!(
            run_pairing(SpecId::Cancun, &input, 200_000).unwrap().bytes[31],
            0
        );
        // A pair with infinity contributes 1.
        let zero_g1 = "00".repeat(64);
        let input = h(&[&zero_g1, G2_GEN].concat());
        assert_eq!(
            run_pairing(SpecId::Cancun, &input, 100_000).unwrap().bytes[31],
            1
        );
    }

    /// EIP-197 example of a valid check, from the EIP's test (two pairs).
    #[test]
    fn pairing_eip197_two_pairs() {
        let input = h(
            "1c76476f4def4bb94541d57ebba1193381ffa7aa76ada664dd31c16024c43f59\
             3034dd2920f673e204fee2811c678745fc819b55d3e9d294e45c9b03a76aef41\
             209dd15ebff5d46c4bd888e51a93cf99a7329636c63514396b4a452003a35bf7\
             04bf11ca01483bfa8b34b43561848d28905960114c8ac04049af4b6315a41678\
             2bb8324af6cfc93537a2ad1a445cfd0ca2a71acd7ac41fadbf933c2a51be344d\
             120a2a4cf30c1bf9845f20c6fe39e07ea2cce61f0c9bb048165fe5e4de877550\
             111e129f1cf1097710d41c4ac70fcdfa5ba2023c6ff1cbeac322de49d1b6df7c\
             2032c61a830e3c17286de9462bf242fca2883585b93870a73853face6a6bf411\
             198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2\
             1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed\
             090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b\
             12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa",
        );
        let out = run_pairing(SpecId::Istanbul, &input, 113_000).unwrap();
        assert_eq!(out.bytes[31], 1);
    }

    #[test]
    fn pairing_invalid_inputs() {
        // Length not a multiple of 192, charged for the whole pairs it holds.
        let input = h(&[G1_GEN, G2_GEN].concat());
        assert!(matches!(
            run_pairing(SpecId::Cancun, &input[..191], 100_000),
            Err(PrecompileFailure::InvalidInput(_))
        ));
        assert!(matches!(
            run_pairing(
                SpecId::Cancun,
                &[input.clone(), alloc::vec![0]].concat(),
                100_000
            ),
            Err(PrecompileFailure::InvalidInput(_))
        ));
        // G1 point off the curve.
        let mut bad = input.clone();
        bad[63] ^= 1;
        assert!(matches!(
            run_pairing(SpecId::Cancun, &bad, 100_000),
            Err(PrecompileFailure::InvalidInput(_))
        ));
        // G2 point off the curve.
        let mut bad = input.clone();
        bad[191] ^= 1;
        assert!(matches!(
            run_pairing(SpecId::Cancun, &bad, 100_000),
            Err(PrecompileFailure::InvalidInput(_))
        ));
        // G2 coordinate not below the modulus.
        let mut bad = input.clone();
        bad[64..96].copy_from_slice(&[0xff; 32]);
        assert!(matches!(
            run_pairing(SpecId::Cancun, &bad, 100_000),
            Err(PrecompileFailure::InvalidInput(_))
        ));
        // Out of gas: two pairs in Byzantium need 260000.
        let two = h(&[G1_GEN, G2_GEN, G1_NEG, G2_GEN].concat());
        assert_eq!(
            run_pairing(SpecId::Byzantium, &two, 259_999),
            Err(PrecompileFailure::OutOfGas {
                needed: 260_000,
                limit: 259_999
            })
        );
    }

    fn encode_g2(point: G2) -> Vec<u8> {
        let affine = AffineG2::from_jacobian(point).unwrap();
        let mut out = Vec::new();
        let mut word = [0u8; 32];
        for value in [
            affine.x().imaginary(),
            affine.x().real(),
            affine.y().imaginary(),
            affine.y().real(),
        ] {
            value.to_big_endian(&mut word).unwrap();
            out.extend_from_slice(&word);
        }
        out
    }

    #[test]
    fn mul_agrees_with_repeated_add() {
        let g = h(G1_GEN);
        let mut sum = alloc::vec![0u8; 64];
        for k in 0u64..8 {
            let input = [&g[..], &h(&format!("{k:064x}"))].concat();
            assert_eq!(
                run_mul(SpecId::Cancun, &input, 6_000).unwrap().bytes,
                sum,
                "k = {k}"
            );
            sum = run_add(SpecId::Cancun, &[&sum[..], &g[..]].concat(), 150)
                .unwrap()
                .bytes;
        }
    }

    #[test]
    fn pairing_is_bilinear() {
        // e(a·G, b·H) · e(-(a·b)·G, H) = 1, with the points built by substrate-bn directly.
        for (a, b) in [(2u64, 3u64), (12345, 67890), (u64::MAX, 7)] {
            let (fa, fb) = (
                Fr::from_str(&a.to_string()).unwrap(),
                Fr::from_str(&b.to_string()).unwrap(),
            );
            let ab = fa * fb;
            let g = G1::one();
            let q = G2::one();
            let input = [
                &encode_g1(g * fa)[..],
                &encode_g2(q * fb),
                &encode_g1(-(g * ab)),
                &encode_g2(q),
            ]
            .concat();
            assert_eq!(
                run_pairing(SpecId::Cancun, &input, 200_000).unwrap().bytes[31],
                1
            );
            // Off by one in the scalar breaks it.
            let input = [
                &encode_g1(g * fa)[..],
                &encode_g2(q * fb),
                &encode_g1(-(g * (ab + Fr::one()))),
                &encode_g2(q),
            ]
            .concat();
            assert_eq!(
                run_pairing(SpecId::Cancun, &input, 200_000).unwrap().bytes[31],
                0
            );
        }
        // The EIP-197 G2 generator encoding is substrate-bn's generator.
        assert_eq!(encode_g2(G2::one()), h(G2_GEN));
    }

    #[test]
    fn g2_point_outside_the_subgroup_is_rejected() {
        // Search a small x for a point on the twist that is not in the order-r subgroup: the
        // twist's cofactor is large, so the first point found is almost surely outside.
        let mut found = false;
        for k in 1u64..50 {
            let x = Fq2::new(Fq::from_str(&k.to_string()).unwrap(), Fq::one());
            let rhs = x * x * x + G2::b();
            let Some(y) = rhs.sqrt() else { continue };
            if AffineG2::new(x, y).is_ok() {
                continue;
            }
            let mut input = h(G1_GEN);
            let mut word = [0u8; 32];
            for value in [x.imaginary(), x.real(), y.imaginary(), y.real()] {
                value.to_big_endian(&mut word).unwrap();
                input.extend_from_slice(&word);
            }
            assert_eq!(
                run_pairing(SpecId::Cancun, &input, 100_000),
                Err(PrecompileFailure::InvalidInput(
                    "bn128 G2 point not on the curve or subgroup"
                ))
            );
            found = true;
            break;
        }
        assert!(found);
    }
}
