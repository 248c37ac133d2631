//! BLS12-381 for KZG point evaluation (EIP-4844): the base field over the 384-bit bignum
//! functions, the tower over `xi = 1 + u`, G1 decompression with its subgroup check, and the
//! optimal ate pairing check (the M-type twist's Miller loop over `|x|` with the line formulas
//! of Costello, Lange and Naehrig, as the zkcrypto `bls12_381` crate has them, and the final
//! exponentiation of Hayashida, Hayasaka and Teruya).

mod constants;
mod pairing;

use crate::curve::{Affine, Jacobian};
use crate::field::{Field, pow, prime_field};
use crate::tower::{Fp2, TowerConfig};

prime_field!(
    /// The BLS12-381 base field.
    Fp,
    6,
    crate::bls12_381::constants,
    addmod384,
    submod384,
    mulmodmont384
);

/// BLS12-381's tower: `xi = 1 + u`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Bls12;

/// `Fp2 = Fp[u] / (u^2 + 1)`.
pub type Fq2 = Fp2<Bls12>;

const fn fp2(c: [[u64; 6]; 2]) -> Fq2 {
    Fp2::new(Fp(c[0]), Fp(c[1]))
}

const fn fp2_table<const N: usize>(c: [[[u64; 6]; 2]; N]) -> [Fq2; N] {
    let mut out = [Fq2::new(Fp([0; 6]), Fp([0; 6])); N];
    let mut i = 0;
    while i < N {
        out[i] = fp2(c[i]);
        i += 1;
    }
    out
}

impl TowerConfig for Bls12 {
    type Fp = Fp;

    fn mul_by_xi(a: &Fq2) -> Fq2 {
        // (1 + u)(a0 + a1 u) = (a0 - a1) + (a0 + a1) u.
        Fp2::new(a.c0.sub(&a.c1), a.c0.add(&a.c1))
    }

    const FROBENIUS_FP6_C1: [Fq2; 6] = fp2_table(constants::FROBENIUS_FP6_C1);
    const FROBENIUS_FP6_C2: [Fq2; 6] = fp2_table(constants::FROBENIUS_FP6_C2);
    const FROBENIUS_FP12_C1: [Fq2; 12] = fp2_table(constants::FROBENIUS_FP12_C1);
}

/// G1's generator.
pub fn g1_generator() -> Jacobian<Fp> {
    Affine {
        x: Fp(constants::G1_X),
        y: Fp(constants::G1_Y),
    }
    .to_jacobian()
}

/// G2's generator.
pub fn g2_generator() -> Jacobian<Fq2> {
    Affine {
        x: fp2(constants::G2_X),
        y: fp2(constants::G2_Y),
    }
    .to_jacobian()
}

/// The trusted setup's `[tau] G2`.
pub fn tau_g2() -> Jacobian<Fq2> {
    Affine {
        x: fp2(constants::TAU_G2_X),
        y: fp2(constants::TAU_G2_Y),
    }
    .to_jacobian()
}

/// Decodes a compressed G1 point (the ZCash format of the KZG commitments): checks the flags,
/// that `x` is below the modulus and on the curve, picks `y` by the sign flag, and checks the
/// order-r subgroup. `None` inside the `Ok` is the point at infinity.
pub fn g1_from_compressed(bytes: &[u8; 48]) -> Result<Option<Affine<Fp>>, &'static str> {
    let compressed = bytes[0] & 0x80 != 0;
    let infinity = bytes[0] & 0x40 != 0;
    let larger = bytes[0] & 0x20 != 0;
    if !compressed {
        return Err("G1 point not in compressed form");
    }
    let mut x_bytes = *bytes;
    x_bytes[0] &= 0x1f;
    if infinity {
        return if !larger && x_bytes.iter().all(|b| *b == 0) {
            Ok(None)
        } else {
            Err("G1 point at infinity with stray bits")
        };
    }
    let x = Fp::from_be_bytes(&x_bytes).ok_or("G1 x not below the modulus")?;
    let y_squared = x.square().mul(&x).add(&Fp(constants::B));
    let mut y = pow(&y_squared, &constants::SQRT_EXP);
    if y.square() != y_squared {
        return Err("G1 point not on the curve");
    }
    let is_larger = !crate::field::below(&y.to_canonical(), &constants::HALF_MODULUS)
        && y.to_canonical() != constants::HALF_MODULUS;
    if is_larger != larger {
        y = y.neg();
    }
    let point = Affine { x, y };
    if !in_g1(&point) {
        return Err("G1 point not in the subgroup");
    }
    Ok(Some(point))
}

/// Whether a curve point is in the order-r subgroup, by Scott's endomorphism test:
/// `phi(P) = -u^2 P` with `phi(x, y) = (beta x, y)`. A 128-bit multiplication instead of one by
/// the 255-bit `r`.
fn in_g1(point: &Affine<Fp>) -> bool {
    let phi = Affine {
        x: point.x.mul(&Fp(constants::BETA)),
        y: point.y,
    }
    .to_jacobian();
    phi.add(&point.to_jacobian().mul(&constants::U_SQUARED))
        .is_infinity()
}

/// Whether `prod e(P_i, Q_i) = 1`; pairs with infinity on either side contribute one.
pub fn pairing_product_is_one(pairs: &[(Jacobian<Fp>, Jacobian<Fq2>)]) -> bool {
    let affine: alloc::vec::Vec<(Affine<Fp>, Affine<Fq2>)> = pairs
        .iter()
        .filter_map(|(p, q)| Some((p.to_affine()?, q.to_affine()?)))
        .collect();
    pairing::pairing_product_is_one(&affine)
}

/// The scalar field's modulus, for range checks of field elements given as bytes.
pub const ORDER: [u64; 4] = constants::ORDER;

#[cfg(test)]
mod tests {
    use super::*;

    fn affine<F: Field>(p: &Jacobian<F>) -> Jacobian<F> {
        p.to_affine()
            .map_or(Jacobian::INFINITY, |a| a.to_jacobian())
    }

    #[test]
    fn generators_are_on_their_curves_and_of_order_r() {
        let g1 = g1_generator();
        let g2 = g2_generator();
        assert!(Affine { x: g1.x, y: g1.y }.is_on_curve(&Fp(constants::B)));
        assert!(g1.mul(&ORDER).is_infinity());
        assert!(g2.mul(&ORDER).is_infinity());
        assert!(tau_g2().mul(&ORDER).is_infinity());
    }

    #[test]
    fn the_pairing_is_bilinear_and_non_degenerate() {
        let (a, b) = (
            [0x1234_5678_9abc_def1u64, 7, 0, 0],
            [0xfedc_ba98_7654_3211u64, 0, 3, 0],
        );
        // a * b as a scalar (small enough not to wrap the order).
        let ab = {
            let mut out = [0u64; 4];
            for i in 0..4 {
                let mut carry = 0u128;
                for j in 0..4 - i {
                    let wide = u128::from(out[i + j]) + u128::from(a[i]) * u128::from(b[j]) + carry;
                    out[i + j] = wide as u64;
                    carry = wide >> 64;
                }
            }
            out
        };
        let p = g1_generator();
        let q = g2_generator();
        let pairs = [
            (affine(&p.mul(&a)), affine(&q.mul(&b))),
            (affine(&p.mul(&ab).neg()), q),
        ];
        assert!(pairing_product_is_one(&pairs));
        let wrong = [
            (affine(&p.mul(&a)), affine(&q.mul(&b))),
            (affine(&p.mul(&a).neg()), q),
        ];
        assert!(!pairing_product_is_one(&wrong));
        assert!(!pairing_product_is_one(&[(p, q)]));
        assert!(pairing_product_is_one(&[(Jacobian::INFINITY, q)]));
    }

    #[test]
    fn the_endomorphism_test_agrees_with_multiplying_by_r() {
        // A curve point outside G1 (`tools/constants.py --test-vectors`).
        let x = Fp::from_u64(4);
        let y_squared = x.square().mul(&x).add(&Fp(constants::B));
        let y = pow(&y_squared, &constants::SQRT_EXP);
        assert_eq!(y.square(), y_squared);
        let outside = Affine { x, y }.to_jacobian();
        let by_order = |p: &Jacobian<Fp>| p.mul(&ORDER).is_infinity();
        let affine_of = |p: &Jacobian<Fp>| p.to_affine();
        for k in [1u64, 2, 3, 1 << 33, u64::MAX] {
            for point in [
                outside.mul(&[k]),
                g1_generator().mul(&[k]),
                outside.mul(&ORDER).mul(&[k]),
            ] {
                let Some(affine) = affine_of(&point) else {
                    continue;
                };
                assert_eq!(in_g1(&affine), by_order(&point), "k = {k}");
            }
        }
        assert!(!in_g1(&affine_of(&outside).expect("finite")));
        assert!(in_g1(&affine_of(&g1_generator()).expect("finite")));
    }

    #[test]
    fn compressed_generator_round_trip() {
        let compressed = [
            0x97, 0xf1, 0xd3, 0xa7, 0x31, 0x97, 0xd7, 0x94, 0x26, 0x95, 0x63, 0x8c, 0x4f, 0xa9,
            0xac, 0x0f, 0xc3, 0x68, 0x8c, 0x4f, 0x97, 0x74, 0xb9, 0x05, 0xa1, 0x4e, 0x3a, 0x3f,
            0x17, 0x1b, 0xac, 0x58, 0x6c, 0x55, 0xe8, 0x3f, 0xf9, 0x7a, 0x1a, 0xef, 0xfb, 0x3a,
            0xf0, 0x0a, 0xdb, 0x22, 0xc6, 0xbb,
        ];
        let decoded = g1_from_compressed(&compressed)
            .expect("valid")
            .expect("finite");
        assert_eq!(decoded.x, g1_generator().x);
        assert_eq!(decoded.y, g1_generator().y);
        let mut negated = compressed;
        negated[0] |= 0x20;
        let decoded = g1_from_compressed(&negated)
            .expect("valid")
            .expect("finite");
        assert_eq!(decoded.y, g1_generator().y.neg());
    }
}
