//! secp256k1 public key recovery: the curve arithmetic of ecrecover (0x01) over the bignum
//! backend, both in the base field and in the scalar field (Montgomery works for any odd
//! modulus, so the group order is just another field here).

mod constants;

use crate::curve::{Affine, Jacobian, wnaf};
use crate::field::{Field, pow, prime_field};
use crate::hash::keccak::keccak256;

prime_field!(
    /// The secp256k1 base field.
    Fp,
    4,
    crate::secp256k1::constants::fp,
    addmod256,
    submod256,
    mulmodmont256
);

prime_field!(
    /// The secp256k1 scalar field (integers modulo the group order `n`).
    Scalar,
    4,
    crate::secp256k1::constants::fn_,
    addmod256,
    submod256,
    mulmodmont256
);

/// The public key that signed the 32-byte `hash` with `(r, s)` and recovery id `odd_y` (the
/// parity of `R`'s y); `None` when there is none (`r` or `s` zero or not below `n`, `r` not an
/// x coordinate on the curve, or the key at infinity).
pub fn recover(hash: &[u8; 32], r: &[u8; 32], s: &[u8; 32], odd_y: bool) -> Option<Affine<Fp>> {
    let r_scalar = Scalar::from_be_bytes(r).filter(|v| !v.is_zero())?;
    let s_scalar = Scalar::from_be_bytes(s).filter(|v| !v.is_zero())?;
    // r < n < p, so r is also a base-field element.
    let x = Fp::from_be_bytes(r)?;
    let y_squared = x.square().mul(&x).add(&Fp(constants::fp::B));
    let mut y = pow(&y_squared, &constants::fp::SQRT_EXP);
    if y.square() != y_squared {
        return None;
    }
    if y.is_odd() != odd_y {
        y = y.neg();
    }
    let big_r = Affine { x, y }.to_jacobian();
    let e = Scalar::reduce(crate::field::limbs_from_be(hash));
    let r_inv = r_scalar.invert()?;
    // Q = r^-1 (s R - e G) = u1 G + u2 R with u1 = -e / r, u2 = s / r.
    let u1 = e.neg().mul(&r_inv).to_canonical();
    let u2 = s_scalar.mul(&r_inv).to_canonical();
    lincomb_with_generator(&u1, &big_r, &u2).to_affine()
}

/// `a G + b Q`: both scalars in width-NAF form sharing one doubling chain (Straus); the
/// generator's odd multiples are constants (affine, so every addition of them is mixed), `Q`'s
/// are computed per call.
fn lincomb_with_generator(a: &[u64; 4], q: &Jacobian<Fp>, b: &[u64; 4]) -> Jacobian<Fp> {
    const G_WINDOW: u32 = 7;
    const Q_WINDOW: u32 = 5;
    let g_digits = wnaf(a, G_WINDOW);
    let q_digits = wnaf(b, Q_WINDOW);
    // Q, 3Q, 5Q, ..., 15Q.
    let mut q_table = [*q; 1 << (Q_WINDOW - 2)];
    let two_q = q.double();
    for i in 1..q_table.len() {
        q_table[i] = q_table[i - 1].add(&two_q);
    }
    let g_point = |d: i8| {
        let [x, y] = constants::fp::G_ODD_MULTIPLES[(d.unsigned_abs() / 2) as usize];
        let point = Jacobian {
            x: Fp(x),
            y: Fp(y),
            z: Fp::ONE,
        };
        if d < 0 { point.neg() } else { point }
    };
    let top = g_digits
        .iter()
        .zip(q_digits.iter())
        .rposition(|(g, q)| *g != 0 || *q != 0);
    let mut acc = Jacobian::INFINITY;
    let Some(top) = top else {
        return acc;
    };
    for i in (0..=top).rev() {
        acc = acc.double();
        if g_digits[i] != 0 {
            acc = acc.add(&g_point(g_digits[i]));
        }
        let d = q_digits[i];
        if d != 0 {
            let point = q_table[(d.unsigned_abs() / 2) as usize];
            acc = acc.add(&if d < 0 { point.neg() } else { point });
        }
    }
    acc
}

/// The Ethereum address of a public key: the last 20 bytes of Keccak-256 of `x ‖ y`.
pub fn address(key: &Affine<Fp>) -> [u8; 20] {
    let mut encoded = [0u8; 64];
    encoded[..32].copy_from_slice(&key.x.to_be_bytes());
    encoded[32..].copy_from_slice(&key.y.to_be_bytes());
    let hash = keccak256(&encoded);
    let mut out = [0u8; 20];
    out.copy_from_slice(&hash[12..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalars() -> [[u64; 4]; 6] {
        [
            [0, 0, 0, 0],
            [1, 0, 0, 0],
            [u64::MAX; 4],
            [0x1234_5678_9abc_def0, 0x0fed_cba9_8765_4321, 7, 1 << 63],
            [0xaaaa_aaaa_aaaa_aaaa; 4],
            [63, 0, 0, 0],
        ]
    }

    #[test]
    fn wnaf_digits_recompose_the_scalar() {
        for k in scalars() {
            for w in [5, 7] {
                let digits = wnaf(&k, w);
                // sum d_i 2^i over 5 limbs, with signed digits.
                let mut acc = [0i128; 6];
                for (i, d) in digits.iter().enumerate() {
                    acc[i / 64] += i128::from(*d) << (i % 64);
                }
                let mut limbs = [0u64; 5];
                let mut carry = 0i128;
                for i in 0..5 {
                    let v = acc[i] + carry;
                    limbs[i] = v as u64;
                    carry = v >> 64;
                }
                assert_eq!(&limbs[..4], &k[..], "w = {w}");
                for d in digits {
                    assert!(d == 0 || (d % 2 != 0 && i32::from(d).abs() < 1 << (w - 1)));
                }
            }
        }
    }

    #[test]
    fn width_naf_multiplication_is_double_and_add() {
        let [x, y] = constants::fp::G_ODD_MULTIPLES[0];
        let g = Jacobian {
            x: Fp(x),
            y: Fp(y),
            z: Fp::ONE,
        };
        let q = g.mul_plain(&[0x1234_5678, 0, 0, 9]);
        for k in scalars() {
            for point in [g, q] {
                assert_eq!(point.mul(&k).to_affine(), point.mul_plain(&k).to_affine());
                assert_eq!(
                    point.mul(&k[..1]).to_affine(),
                    point.mul_plain(&k[..1]).to_affine()
                );
            }
        }
    }

    #[test]
    fn the_straus_combination_is_the_sum_of_the_products() {
        let [x, y] = constants::fp::G_ODD_MULTIPLES[0];
        let g = Jacobian {
            x: Fp(x),
            y: Fp(y),
            z: Fp::ONE,
        };
        let q = g.mul(&[0xdead_beef, 3, 0, 0]);
        for a in scalars() {
            for b in scalars() {
                let expected = g.mul(&a).add(&q.mul(&b)).to_affine();
                assert_eq!(lincomb_with_generator(&a, &q, &b).to_affine(), expected);
            }
        }
    }
}
