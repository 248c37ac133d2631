//! secp256k1 public key recovery: the curve arithmetic of ecrecover (0x01) over the bignum
//! backend, both in the base field and in the scalar field (Montgomery works for any odd
//! modulus, so the group order is just another field here).

mod constants;

use crate::curve::{Affine, Jacobian};
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
    let g = Affine {
        x: Fp(constants::fp::GX),
        y: Fp(constants::fp::GY),
    }
    .to_jacobian();
    double_scalar_mul(&g, &u1, &big_r, &u2).to_affine()
}

/// `a P + b Q` with one shared doubling chain (Shamir's trick).
fn double_scalar_mul(
    p: &Jacobian<Fp>,
    a: &[u64; 4],
    q: &Jacobian<Fp>,
    b: &[u64; 4],
) -> Jacobian<Fp> {
    // In affine form, so that every addition of the loop is a mixed one.
    let p_plus_q = match p.add(q).to_affine() {
        Some(sum) => sum.to_jacobian(),
        None => Jacobian::INFINITY,
    };
    let mut acc = Jacobian::INFINITY;
    for limb in (0..4).rev() {
        for bit in (0..64).rev() {
            acc = acc.double();
            match ((a[limb] >> bit) & 1, (b[limb] >> bit) & 1) {
                (1, 1) => acc = acc.add(&p_plus_q),
                (1, 0) => acc = acc.add(p),
                (0, 1) => acc = acc.add(q),
                _ => {}
            }
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
