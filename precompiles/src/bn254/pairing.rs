//! The optimal ate pairing on BN254: a Miller loop over `6u + 2` with the G2 side in
//! homogeneous projective coordinates on the D-type twist (the "flipped" loop of libff and the
//! zcash `bn` crate, whose line functions are sparse in Fp12's positions 0, 2 and 4), then the
//! final exponentiation `(p^12 - 1) / r` as the easy part `(p^6 - 1)(p^2 + 1)` and the hard part
//! of Fuentes-Castaneda, Knapp and Rodriguez-Henriquez.

use super::constants;
use super::{Bn254, Fq, Fq2, fq2};
use crate::curve::Affine;
use crate::field::Field;
use crate::tower::Fp12;

type Fq12 = Fp12<Bn254>;

/// The G2 accumulator of the Miller loop, `(X : Y : Z)` with `x = X / Z`, `y = Y / Z`.
#[derive(Clone, Copy)]
struct Projective {
    x: Fq2,
    y: Fq2,
    z: Fq2,
}

/// A line's coefficients, evaluated at a G1 point as `ell_0 + ell_vv x_P w^4 + ell_vw y_P w^3`.
struct Line {
    ell_0: Fq2,
    ell_vw: Fq2,
    ell_vv: Fq2,
}

fn doubling_step(r: &mut Projective) -> Line {
    let two_inv = Fq(constants::TWO_INV);
    let (x, y, z) = (r.x, r.y, r.z);
    let a = x.mul(&y).scale(&two_inv);
    let b = y.square();
    let c = z.square();
    let d = c.double().add(&c);
    let e = fq2(constants::TWIST_B).mul(&d);
    let f = e.double().add(&e);
    let g = b.add(&f).scale(&two_inv);
    let h = y.add(&z).square().sub(&b.add(&c));
    let i = e.sub(&b);
    let j = x.square();
    let e_squared = e.square();
    r.x = a.mul(&b.sub(&f));
    r.y = g.square().sub(&e_squared.double().add(&e_squared));
    r.z = b.mul(&h);
    Line {
        ell_0: fq2(constants::XI).mul(&i),
        ell_vw: h.neg(),
        ell_vv: j.double().add(&j),
    }
}

fn addition_step(base: &Affine<Fq2>, r: &mut Projective) -> Line {
    let d = r.x.sub(&base.x.mul(&r.z));
    let e = r.y.sub(&base.y.mul(&r.z));
    let f = d.square();
    let g = e.square();
    let h = d.mul(&f);
    let i = r.x.mul(&f);
    let j = h.add(&r.z.mul(&g)).sub(&i.double());
    r.x = d.mul(&j);
    r.y = e.mul(&i.sub(&j)).sub(&h.mul(&r.y));
    r.z = r.z.mul(&h);
    Line {
        ell_0: fq2(constants::XI).mul(&e.mul(&base.x).sub(&d.mul(&base.y))),
        ell_vw: d,
        ell_vv: e.neg(),
    }
}

/// `f * line(P)`, the line being zero outside Fp12 positions 0, 2 and 4.
fn mul_by_line(f: &Fq12, line: &Line, p: &Affine<Fq>) -> Fq12 {
    f.mul_by_024(
        &line.ell_0,
        &line.ell_vv.scale(&p.x),
        &line.ell_vw.scale(&p.y),
    )
}

/// `pi(Q)`: the p-power Frobenius endomorphism of the twist.
pub(super) fn frobenius_twist(q: &Affine<Fq2>) -> Affine<Fq2> {
    Affine {
        x: fq2(constants::TWIST_MUL_BY_Q_X).mul(&q.x.frobenius(1)),
        y: fq2(constants::TWIST_MUL_BY_Q_Y).mul(&q.y.frobenius(1)),
    }
}

/// The product of the Miller loops of all pairs, one shared squaring per step.
fn miller_loop(pairs: &[(Affine<Fq>, Affine<Fq2>)]) -> Fq12 {
    let mut accumulators: alloc::vec::Vec<Projective> = pairs
        .iter()
        .map(|(_, q)| Projective {
            x: q.x,
            y: q.y,
            z: Fq2::ONE,
        })
        .collect();
    let mut f = Fq12::ONE;
    let bits = 128 - constants::ATE_LOOP_COUNT.leading_zeros();
    // The top bit only sets the accumulator to Q.
    for bit in (0..bits - 1).rev() {
        f = f.square();
        for ((p, q), r) in pairs.iter().zip(accumulators.iter_mut()) {
            let line = doubling_step(r);
            f = mul_by_line(&f, &line, p);
            if (constants::ATE_LOOP_COUNT >> bit) & 1 == 1 {
                let line = addition_step(q, r);
                f = mul_by_line(&f, &line, p);
            }
        }
    }
    for ((p, q), r) in pairs.iter().zip(accumulators.iter_mut()) {
        let q1 = frobenius_twist(q);
        let mut q2 = frobenius_twist(&q1);
        q2.y = q2.y.neg();
        let line = addition_step(&q1, r);
        f = mul_by_line(&f, &line, p);
        let line = addition_step(&q2, r);
        f = mul_by_line(&f, &line, p);
    }
    f
}

/// `f^(-u)` for `f` in the cyclotomic subgroup (where the inverse is the conjugate).
fn exp_by_neg_u(f: &Fq12) -> Fq12 {
    f.cyclotomic_pow(constants::BN_U).conjugate()
}

/// `f^((p^12 - 1) / r)` up to a fixed power coprime to `r`, so one stays one and only one; `None`
/// when `f` is zero (no pairing value is).
fn final_exponentiation(f: &Fq12) -> Option<Fq12> {
    // Easy part: f^((p^6 - 1)(p^2 + 1)).
    let f1 = f.conjugate().mul(&f.invert()?);
    let elt = f1.frobenius(2).mul(&f1);
    // Hard part.
    let a = exp_by_neg_u(&elt);
    let b = a.cyclotomic_square();
    let c = b.cyclotomic_square();
    let d = c.mul(&b);
    let e = exp_by_neg_u(&d);
    let f_ = e.cyclotomic_square();
    let g = exp_by_neg_u(&f_);
    let h = d.conjugate();
    let i = g.conjugate();
    let j = i.mul(&e);
    let k = j.mul(&h);
    let l = k.mul(&b);
    let m = k.mul(&e);
    let n = m.mul(&elt);
    let o = l.frobenius(1);
    let p = o.mul(&n);
    let q = k.frobenius(2);
    let r = q.mul(&p);
    let s = elt.conjugate();
    let t = s.mul(&l);
    let u = t.frobenius(3);
    Some(u.mul(&r))
}

/// Whether `prod e(P_i, Q_i) = 1` (pairs with infinity already dropped).
pub(super) fn pairing_product_is_one(pairs: &[(Affine<Fq>, Affine<Fq2>)]) -> bool {
    if pairs.is_empty() {
        return true;
    }
    final_exponentiation(&miller_loop(pairs)) == Some(Fq12::ONE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sparse_line_product_is_the_full_product() {
        let p = Affine {
            x: Fq::from_u64(1),
            y: Fq::from_u64(2),
        };
        let q = Affine {
            x: fq2(constants::TWIST_MUL_BY_Q_X),
            y: fq2(constants::TWIST_MUL_BY_Q_Y),
        };
        let f = miller_loop(&[(p, q)]);
        let (a, b, c) = (fq2(constants::XI), fq2(constants::TWIST_B), f.c1.c2);
        let full = f.mul(&Fp12::new(
            crate::tower::Fp6::new(a, Fq2::ZERO, c),
            crate::tower::Fp6::new(Fq2::ZERO, b, Fq2::ZERO),
        ));
        assert_eq!(f.mul_by_024(&a, &c, &b), full);
        let full = f.mul(&Fp12::new(
            crate::tower::Fp6::new(a, c, Fq2::ZERO),
            crate::tower::Fp6::new(Fq2::ZERO, b, Fq2::ZERO),
        ));
        assert_eq!(f.mul_by_014(&a, &c, &b), full);
    }

    #[test]
    fn cyclotomic_squaring_is_squaring_after_the_easy_part() {
        let p = Affine {
            x: Fq::from_u64(1),
            y: Fq::from_u64(2),
        };
        let q = Affine {
            x: fq2(constants::TWIST_MUL_BY_Q_X),
            y: fq2(constants::TWIST_MUL_BY_Q_Y),
        };
        // Any non-zero Fp12 element lands in the cyclotomic subgroup after the easy part.
        let f = miller_loop(&[(p, q)]);
        let f1 = f.conjugate().mul(&f.invert().expect("non-zero"));
        let g = f1.frobenius(2).mul(&f1);
        assert_eq!(g.cyclotomic_square(), g.square());
        assert_eq!(
            g.cyclotomic_pow(constants::BN_U),
            crate::field::pow(&g, &[constants::BN_U])
        );
    }
}
