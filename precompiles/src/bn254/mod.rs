//! BN254 (alt_bn128): the curve of EIP-196 (add, mul) and EIP-197 (pairing check).
//!
//! Encodings: a G1 point is `x ‖ y`, 32-byte big-endian each, `(0, 0)` standing for infinity; a
//! G2 point is `x_im ‖ x_re ‖ y_im ‖ y_re`. Coordinates must be below the modulus, points on
//! their curve, and G2 points in the order-r subgroup (G1 is the whole curve).

mod constants;
mod pairing;

use crate::curve::{Affine, Jacobian};
use crate::field::{Field, prime_field};
use crate::tower::{Fp2, TowerConfig};

prime_field!(
    /// The BN254 base field `Fq`.
    Fq,
    4,
    crate::bn254::constants,
    addmod256,
    submod256,
    mulmodmont256
);

/// BN254's tower: `xi = 9 + u`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Bn254;

/// `Fq2 = Fq[u] / (u^2 + 1)`.
pub type Fq2 = Fp2<Bn254>;

const fn fq2(c: [[u64; 4]; 2]) -> Fq2 {
    Fp2::new(Fq(c[0]), Fq(c[1]))
}

const fn fq2_table<const N: usize>(c: [[[u64; 4]; 2]; N]) -> [Fq2; N] {
    let mut out = [Fq2::new(Fq([0; 4]), Fq([0; 4])); N];
    let mut i = 0;
    while i < N {
        out[i] = fq2(c[i]);
        i += 1;
    }
    out
}

impl TowerConfig for Bn254 {
    type Fp = Fq;

    fn mul_by_xi(a: &Fq2) -> Fq2 {
        // (9 + u)(a0 + a1 u) = (9 a0 - a1) + (a0 + 9 a1) u, with additions only.
        let nine = |x: &Fq| {
            let x8 = x.double().double().double();
            x8.add(x)
        };
        Fp2::new(nine(&a.c0).sub(&a.c1), a.c0.add(&nine(&a.c1)))
    }

    const FROBENIUS_FP6_C1: [Fq2; 6] = fq2_table(constants::FROBENIUS_FP6_C1);
    const FROBENIUS_FP6_C2: [Fq2; 6] = fq2_table(constants::FROBENIUS_FP6_C2);
    const FROBENIUS_FP12_C1: [Fq2; 12] = fq2_table(constants::FROBENIUS_FP12_C1);
}

/// Why a BN254 input is rejected.
pub type Invalid = &'static str;

/// Decodes a G1 point (64 bytes); `None` inside is infinity.
fn read_g1(bytes: &[u8]) -> Result<Option<Affine<Fq>>, Invalid> {
    let x = Fq::from_be_bytes(&bytes[..32]).ok_or("bn128: G1 coordinate not below the modulus")?;
    let y =
        Fq::from_be_bytes(&bytes[32..64]).ok_or("bn128: G1 coordinate not below the modulus")?;
    if x.is_zero() && y.is_zero() {
        return Ok(None);
    }
    let point = Affine { x, y };
    if !point.is_on_curve(&Fq(constants::B)) {
        return Err("bn128: G1 point not on the curve");
    }
    Ok(Some(point))
}

/// Decodes a G2 point (128 bytes) and checks its subgroup; `None` inside is infinity.
fn read_g2(bytes: &[u8]) -> Result<Option<Affine<Fq2>>, Invalid> {
    let coordinate = |at: usize| {
        Fq::from_be_bytes(&bytes[at..at + 32]).ok_or("bn128: G2 coordinate not below the modulus")
    };
    let x = Fp2::new(coordinate(32)?, coordinate(0)?);
    let y = Fp2::new(coordinate(96)?, coordinate(64)?);
    if x.is_zero() && y.is_zero() {
        return Ok(None);
    }
    let point = Affine { x, y };
    if !point.is_on_curve(&fq2(constants::TWIST_B)) {
        return Err("bn128: G2 point not on the twist");
    }
    if !in_g2(&point) {
        return Err("bn128: G2 point not in the subgroup");
    }
    Ok(Some(point))
}

/// `psi(Q)` in Jacobian coordinates: the Frobenius endomorphism of the twist.
fn psi(q: &Jacobian<Fq2>) -> Jacobian<Fq2> {
    Jacobian {
        x: fq2(constants::TWIST_MUL_BY_Q_X).mul(&q.x.frobenius(1)),
        y: fq2(constants::TWIST_MUL_BY_Q_Y).mul(&q.y.frobenius(1)),
        z: q.z.frobenius(1),
    }
}

/// Whether a point of the twist is in the order-r subgroup, by the test of El Housni, Guillevic
/// and Piellard for BN curves: `[u + 1] Q + psi([u] Q) + psi^2([u] Q) = psi^3([2u] Q)`. One
/// multiplication by the 63-bit `u` instead of one by the 254-bit `r`.
fn in_g2(point: &Affine<Fq2>) -> bool {
    let q = point.to_jacobian();
    let uq = q.mul(&[constants::BN_U]);
    let lhs = uq.add(&q).add(&psi(&uq)).add(&psi(&psi(&uq)));
    let rhs = psi(&psi(&psi(&uq.double())));
    lhs.add(&rhs.neg()).is_infinity()
}

fn write_g1(point: &Jacobian<Fq>) -> [u8; 64] {
    let mut out = [0u8; 64];
    if let Some(affine) = point.to_affine() {
        out[..32].copy_from_slice(&affine.x.to_be_bytes());
        out[32..].copy_from_slice(&affine.y.to_be_bytes());
    }
    out
}

fn jacobian(point: Option<Affine<Fq>>) -> Jacobian<Fq> {
    point.map_or(Jacobian::INFINITY, |p| p.to_jacobian())
}

/// EIP-196 addition: `p(64) ‖ q(64)` (already padded) to `p + q`.
pub fn add(input: &[u8; 128]) -> Result<[u8; 64], Invalid> {
    let p = jacobian(read_g1(&input[..64])?);
    let q = jacobian(read_g1(&input[64..])?);
    Ok(write_g1(&p.add(&q)))
}

/// EIP-196 scalar multiplication: `p(64) ‖ k(32)` (already padded) to `k p`.
pub fn mul(input: &[u8; 96]) -> Result<[u8; 64], Invalid> {
    let p = jacobian(read_g1(&input[..64])?);
    let k: [u64; 4] = crate::field::limbs_from_be(&input[64..]);
    Ok(write_g1(&p.mul(&k)))
}

/// Bytes of one pairing pair.
pub const PAIR_LEN: usize = 192;

/// EIP-197 pairing check over `k` pairs (`input.len() == 192 k`): whether the product of the
/// pairings is one.
pub fn pairing_check(input: &[u8]) -> Result<bool, Invalid> {
    if !input.len().is_multiple_of(PAIR_LEN) {
        return Err("bn128: pairing input not a multiple of 192 bytes");
    }
    let mut pairs = alloc::vec::Vec::with_capacity(input.len() / PAIR_LEN);
    for pair in input.chunks_exact(PAIR_LEN) {
        let p = read_g1(&pair[..64])?;
        let q = read_g2(&pair[64..])?;
        // A pair with infinity on either side contributes one.
        if let (Some(p), Some(q)) = (p, q) {
            pairs.push((p, q));
        }
    }
    Ok(pairing::pairing_product_is_one(&pairs))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A twist point outside G2 (`tools/constants.py --test-vectors`).
    const NOT_IN_G2: [&str; 4] = [
        "0000000000000000000000000000000000000000000000000000000000000002",
        "0000000000000000000000000000000000000000000000000000000000000001",
        "1b2a1855a4e18488457f136e6ecb627341346445800ed2ed6ab74dc9af538a66",
        "05202d732f082c817c10572228d33ffff38c112711b9b854f4e301b1c254340c",
    ];

    fn fq(hex: &str) -> Fq {
        let bytes: alloc::vec::Vec<u8> = (0..32)
            .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex"))
            .collect();
        Fq::from_be_bytes(&bytes).expect("below p")
    }

    #[test]
    fn the_endomorphism_test_agrees_with_multiplying_by_r() {
        let outside = Affine {
            x: Fp2::new(fq(NOT_IN_G2[1]), fq(NOT_IN_G2[0])),
            y: Fp2::new(fq(NOT_IN_G2[3]), fq(NOT_IN_G2[2])),
        };
        assert!(outside.is_on_curve(&fq2(constants::TWIST_B)));
        let by_order = |p: &Jacobian<Fq2>| p.mul(&constants::ORDER).is_infinity();
        // The twist has r (2p - r) points: [2p - r] of any point is in G2, [r] of a point
        // outside is not (it is in the cofactor part). Both tests must agree on all of them.
        let cofactor = {
            let two_p =
                crate::bignum::add_mod(&constants::MODULUS, &constants::MODULUS, &[u64::MAX; 4]);
            crate::field::sub_limbs(&two_p, &constants::ORDER)
        };
        let outside_j = outside.to_jacobian();
        let in_subgroup = outside_j.mul(&cofactor);
        assert!(by_order(&in_subgroup));
        assert!(!by_order(&outside_j.mul(&constants::ORDER)) || by_order(&outside_j));
        for k in [1u64, 2, 3, 5, 1 << 40, u64::MAX] {
            for point in [
                outside_j.mul(&[k]),
                in_subgroup.mul(&[k]),
                outside_j.mul(&constants::ORDER).mul(&[k]),
            ] {
                let Some(affine) = point.to_affine() else {
                    continue;
                };
                assert_eq!(in_g2(&affine), by_order(&point), "k = {k}");
            }
        }
        assert!(!in_g2(&outside));
        let inside = in_subgroup.to_affine().expect("not infinity");
        assert!(in_g2(&inside));
    }
}
