//! The optimal ate pairing check on BLS12-381.

use super::{Bls12, Fp, Fq2, constants};
use crate::curve::Affine;
use crate::field::Field;
use crate::tower::Fp12;

type Fq12 = Fp12<Bls12>;

/// The G2 accumulator, Jacobian coordinates.
#[derive(Clone, Copy)]
struct Accumulator {
    x: Fq2,
    y: Fq2,
    z: Fq2,
}

/// A line's coefficients `(c0, c1, c2)`, evaluated as `c2 + c1 x_P v + c0 y_P v w` (Fp12
/// positions 0, 1 and 4 of the M-type twist).
type Line = (Fq2, Fq2, Fq2);

fn doubling_step(r: &mut Accumulator) -> Line {
    let tmp0 = r.x.square();
    let tmp1 = r.y.square();
    let tmp2 = tmp1.square();
    let tmp3 = tmp1.add(&r.x).square().sub(&tmp0).sub(&tmp2).double();
    let tmp4 = tmp0.double().add(&tmp0);
    let tmp6 = r.x.add(&tmp4);
    let tmp5 = tmp4.square();
    let z_squared = r.z.square();
    r.x = tmp5.sub(&tmp3).sub(&tmp3);
    r.z = r.z.add(&r.y).square().sub(&tmp1).sub(&z_squared);
    r.y = tmp3.sub(&r.x).mul(&tmp4);
    r.y = r.y.sub(&tmp2.double().double().double());
    let c1 = tmp4.mul(&z_squared).double().neg();
    let c2 = tmp6
        .square()
        .sub(&tmp0)
        .sub(&tmp5)
        .sub(&tmp1.double().double());
    let c0 = r.z.mul(&z_squared).double();
    (c0, c1, c2)
}

fn addition_step(r: &mut Accumulator, q: &Affine<Fq2>) -> Line {
    let z_squared = r.z.square();
    let y_squared = q.y.square();
    let t0 = z_squared.mul(&q.x);
    let t1 =
        q.y.add(&r.z)
            .square()
            .sub(&y_squared)
            .sub(&z_squared)
            .mul(&z_squared);
    let t2 = t0.sub(&r.x);
    let t3 = t2.square();
    let t4 = t3.double().double();
    let t5 = t4.mul(&t2);
    let t6 = t1.sub(&r.y).sub(&r.y);
    let t9 = t6.mul(&q.x);
    let t7 = t4.mul(&r.x);
    r.x = t6.square().sub(&t5).sub(&t7).sub(&t7);
    r.z = r.z.add(&t2).square().sub(&z_squared).sub(&t3);
    let t10 = q.y.add(&r.z);
    let t8 = t7.sub(&r.x).mul(&t6);
    let t0 = r.y.mul(&t5).double();
    r.y = t8.sub(&t0);
    let t10 = t10.square().sub(&y_squared).sub(&r.z.square());
    let c2 = t9.double().sub(&t10);
    let c0 = r.z.double();
    let c1 = t6.neg().double();
    (c0, c1, c2)
}

/// `f * line(P)`.
fn mul_by_line(f: &Fq12, line: &Line, p: &Affine<Fp>) -> Fq12 {
    f.mul_by_014(&line.2, &line.1.scale(&p.x), &line.0.scale(&p.y))
}

fn miller_loop(pairs: &[(Affine<Fp>, Affine<Fq2>)]) -> Fq12 {
    let mut accumulators: alloc::vec::Vec<Accumulator> = pairs
        .iter()
        .map(|(_, q)| Accumulator {
            x: q.x,
            y: q.y,
            z: Fq2::ONE,
        })
        .collect();
    let mut f = Fq12::ONE;
    let x = constants::BLS_X >> 1;
    let bits = 64 - x.leading_zeros();
    for bit in (0..bits - 1).rev() {
        for ((p, q), r) in pairs.iter().zip(accumulators.iter_mut()) {
            let line = doubling_step(r);
            f = mul_by_line(&f, &line, p);
            if (x >> bit) & 1 == 1 {
                let line = addition_step(r, q);
                f = mul_by_line(&f, &line, p);
            }
        }
        f = f.square();
    }
    for ((p, _), r) in pairs.iter().zip(accumulators.iter_mut()) {
        let line = doubling_step(r);
        f = mul_by_line(&f, &line, p);
    }
    // The parameter is negative.
    f.conjugate()
}

/// `f^x` for `f` in the cyclotomic subgroup (`x` negative: the inverse is the conjugate).
fn exp_by_x(f: &Fq12) -> Fq12 {
    f.cyclotomic_pow(constants::BLS_X).conjugate()
}

fn final_exponentiation(f: &Fq12) -> Option<Fq12> {
    // Easy part: f^((p^6 - 1)(p^2 + 1)).
    let t = f.conjugate().mul(&f.invert()?);
    let t2 = t.frobenius(2).mul(&t);
    // Hard part.
    let t1 = t2.cyclotomic_square().conjugate();
    let t3 = exp_by_x(&t2);
    let t4 = t3.cyclotomic_square();
    let t5 = t1.mul(&t3);
    let t1 = exp_by_x(&t5);
    let t0 = exp_by_x(&t1);
    let t6 = exp_by_x(&t0).mul(&t4);
    let t4 = exp_by_x(&t6);
    let t5 = t5.conjugate();
    let t4 = t4.mul(&t5).mul(&t2);
    let t5 = t2.conjugate();
    let t1 = t1.mul(&t2).frobenius(3);
    let t6 = t6.mul(&t5).frobenius(1);
    let t3 = t3.mul(&t0).frobenius(2).mul(&t1).mul(&t6);
    Some(t3.mul(&t4))
}

pub(super) fn pairing_product_is_one(pairs: &[(Affine<Fp>, Affine<Fq2>)]) -> bool {
    if pairs.is_empty() {
        return true;
    }
    final_exponentiation(&miller_loop(pairs)) == Some(Fq12::ONE)
}
