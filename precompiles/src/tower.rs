//! The pairing-friendly extension tower `Fp2 = Fp[u]/(u^2 + 1)`, `Fp6 = Fp2[v]/(v^3 - xi)`,
//! `Fp12 = Fp6[w]/(w^2 - v)`, generic over the base field and `xi` (BN254 and BLS12-381 both
//! have this shape; they differ in `xi` and the Frobenius coefficients, see [`TowerConfig`]).

use crate::field::Field;

/// A curve's tower: its base field, the non-residue `xi` and the Frobenius coefficients.
pub trait TowerConfig: Copy + PartialEq + Eq + core::fmt::Debug + 'static {
    /// The base prime field.
    type Fp: Field;
    /// `xi * a`: multiplication by the non-residue defining Fp6.
    fn mul_by_xi(a: &Fp2<Self>) -> Fp2<Self>;
    /// `xi^((p^i - 1) / 3)` for `i` in `0..6`.
    const FROBENIUS_FP6_C1: [Fp2<Self>; 6];
    /// `xi^((2 p^i - 2) / 3)` for `i` in `0..6`.
    const FROBENIUS_FP6_C2: [Fp2<Self>; 6];
    /// `xi^((p^i - 1) / 6)` for `i` in `0..12`.
    const FROBENIUS_FP12_C1: [Fp2<Self>; 12];
}

/// `c0 + c1 u`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Fp2<C: TowerConfig> {
    /// The real part.
    pub c0: C::Fp,
    /// The imaginary part.
    pub c1: C::Fp,
}

impl<C: TowerConfig> Fp2<C> {
    /// `c0 + c1 u`.
    pub const fn new(c0: C::Fp, c1: C::Fp) -> Self {
        Fp2 { c0, c1 }
    }

    /// `c0 - c1 u`.
    pub fn conjugate(&self) -> Self {
        Fp2::new(self.c0, self.c1.neg())
    }

    /// The `power`-th Frobenius map (conjugation for odd powers).
    pub fn frobenius(&self, power: usize) -> Self {
        if power % 2 == 1 {
            self.conjugate()
        } else {
            *self
        }
    }

    /// `self * s` for a base-field scalar.
    pub fn scale(&self, s: &C::Fp) -> Self {
        Fp2::new(self.c0.mul(s), self.c1.mul(s))
    }
}

impl<C: TowerConfig> Field for Fp2<C> {
    const ZERO: Self = Fp2 {
        c0: C::Fp::ZERO,
        c1: C::Fp::ZERO,
    };
    const ONE: Self = Fp2 {
        c0: C::Fp::ONE,
        c1: C::Fp::ZERO,
    };

    fn add(&self, rhs: &Self) -> Self {
        Fp2::new(self.c0.add(&rhs.c0), self.c1.add(&rhs.c1))
    }

    fn sub(&self, rhs: &Self) -> Self {
        Fp2::new(self.c0.sub(&rhs.c0), self.c1.sub(&rhs.c1))
    }

    fn mul(&self, rhs: &Self) -> Self {
        // Karatsuba: three base multiplications.
        let aa = self.c0.mul(&rhs.c0);
        let bb = self.c1.mul(&rhs.c1);
        let sum = self.c0.add(&self.c1).mul(&rhs.c0.add(&rhs.c1));
        Fp2::new(aa.sub(&bb), sum.sub(&aa).sub(&bb))
    }

    fn square(&self) -> Self {
        // (a + bu)^2 = (a + b)(a - b) + 2ab u: two multiplications.
        let ab = self.c0.mul(&self.c1);
        let c0 = self.c0.add(&self.c1).mul(&self.c0.sub(&self.c1));
        Fp2::new(c0, ab.double())
    }

    fn neg(&self) -> Self {
        Fp2::new(self.c0.neg(), self.c1.neg())
    }

    fn invert(&self) -> Option<Self> {
        let norm = self.c0.square().add(&self.c1.square());
        let inv = norm.invert()?;
        Some(Fp2::new(self.c0.mul(&inv), self.c1.mul(&inv).neg()))
    }
}

/// `c0 + c1 v + c2 v^2`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Fp6<C: TowerConfig> {
    /// Coefficient of 1.
    pub c0: Fp2<C>,
    /// Coefficient of `v`.
    pub c1: Fp2<C>,
    /// Coefficient of `v^2`.
    pub c2: Fp2<C>,
}

impl<C: TowerConfig> Fp6<C> {
    /// `c0 + c1 v + c2 v^2`.
    pub const fn new(c0: Fp2<C>, c1: Fp2<C>, c2: Fp2<C>) -> Self {
        Fp6 { c0, c1, c2 }
    }

    /// `self * v`.
    pub fn mul_by_v(&self) -> Self {
        Fp6::new(C::mul_by_xi(&self.c2), self.c0, self.c1)
    }

    /// `self * (a + c v^2)`: five Fp2 multiplications.
    pub fn mul_by_02(&self, a: &Fp2<C>, c: &Fp2<C>) -> Self {
        let t0 = self.c0.mul(a);
        let t2 = self.c2.mul(c);
        let t02 = self.c0.add(&self.c2).mul(&a.add(c)).sub(&t0).sub(&t2);
        Fp6::new(
            t0.add(&C::mul_by_xi(&self.c1.mul(c))),
            self.c1.mul(a).add(&C::mul_by_xi(&t2)),
            t02,
        )
    }

    /// `self * (a + b v)`: five Fp2 multiplications.
    pub fn mul_by_01(&self, a: &Fp2<C>, b: &Fp2<C>) -> Self {
        let t0 = self.c0.mul(a);
        let t1 = self.c1.mul(b);
        Fp6::new(
            t0.add(&C::mul_by_xi(&self.c2.mul(b))),
            self.c0.add(&self.c1).mul(&a.add(b)).sub(&t0).sub(&t1),
            t1.add(&self.c2.mul(a)),
        )
    }

    /// `self * b v`: three Fp2 multiplications.
    pub fn mul_by_1(&self, b: &Fp2<C>) -> Self {
        Fp6::new(
            C::mul_by_xi(&self.c2.mul(b)),
            self.c0.mul(b),
            self.c1.mul(b),
        )
    }

    /// The `power`-th Frobenius map.
    pub fn frobenius(&self, power: usize) -> Self {
        Fp6::new(
            self.c0.frobenius(power),
            self.c1
                .frobenius(power)
                .mul(&C::FROBENIUS_FP6_C1[power % 6]),
            self.c2
                .frobenius(power)
                .mul(&C::FROBENIUS_FP6_C2[power % 6]),
        )
    }
}

impl<C: TowerConfig> Field for Fp6<C> {
    const ZERO: Self = Fp6 {
        c0: Fp2::ZERO,
        c1: Fp2::ZERO,
        c2: Fp2::ZERO,
    };
    const ONE: Self = Fp6 {
        c0: Fp2::ONE,
        c1: Fp2::ZERO,
        c2: Fp2::ZERO,
    };

    fn add(&self, rhs: &Self) -> Self {
        Fp6::new(
            self.c0.add(&rhs.c0),
            self.c1.add(&rhs.c1),
            self.c2.add(&rhs.c2),
        )
    }

    fn sub(&self, rhs: &Self) -> Self {
        Fp6::new(
            self.c0.sub(&rhs.c0),
            self.c1.sub(&rhs.c1),
            self.c2.sub(&rhs.c2),
        )
    }

    fn mul(&self, rhs: &Self) -> Self {
        // Karatsuba over three coefficients: six Fp2 multiplications.
        let (a0, a1, a2) = (&self.c0, &self.c1, &self.c2);
        let (b0, b1, b2) = (&rhs.c0, &rhs.c1, &rhs.c2);
        let aa = a0.mul(b0);
        let bb = a1.mul(b1);
        let cc = a2.mul(b2);
        let c0 = C::mul_by_xi(&a1.add(a2).mul(&b1.add(b2)).sub(&bb).sub(&cc)).add(&aa);
        let c1 = a0
            .add(a1)
            .mul(&b0.add(b1))
            .sub(&aa)
            .sub(&bb)
            .add(&C::mul_by_xi(&cc));
        let c2 = a0.add(a2).mul(&b0.add(b2)).sub(&aa).add(&bb).sub(&cc);
        Fp6::new(c0, c1, c2)
    }

    fn square(&self) -> Self {
        // Chung-Hasan SQR2: two multiplications and three squarings in Fp2.
        let s0 = self.c0.square();
        let ab = self.c0.mul(&self.c1);
        let s1 = ab.double();
        let s2 = self.c0.sub(&self.c1).add(&self.c2).square();
        let bc = self.c1.mul(&self.c2);
        let s3 = bc.double();
        let s4 = self.c2.square();
        Fp6::new(
            C::mul_by_xi(&s3).add(&s0),
            C::mul_by_xi(&s4).add(&s1),
            s1.add(&s2).add(&s3).sub(&s0).sub(&s4),
        )
    }

    fn neg(&self) -> Self {
        Fp6::new(self.c0.neg(), self.c1.neg(), self.c2.neg())
    }

    fn invert(&self) -> Option<Self> {
        let t0 = self.c0.square().sub(&C::mul_by_xi(&self.c1.mul(&self.c2)));
        let t1 = C::mul_by_xi(&self.c2.square()).sub(&self.c0.mul(&self.c1));
        let t2 = self.c1.square().sub(&self.c0.mul(&self.c2));
        let det = self
            .c0
            .mul(&t0)
            .add(&C::mul_by_xi(&self.c2.mul(&t1).add(&self.c1.mul(&t2))));
        let inv = det.invert()?;
        Some(Fp6::new(t0.mul(&inv), t1.mul(&inv), t2.mul(&inv)))
    }
}

/// `c0 + c1 w`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Fp12<C: TowerConfig> {
    /// Coefficient of 1.
    pub c0: Fp6<C>,
    /// Coefficient of `w`.
    pub c1: Fp6<C>,
}

impl<C: TowerConfig> Fp12<C> {
    /// `c0 + c1 w`.
    pub const fn new(c0: Fp6<C>, c1: Fp6<C>) -> Self {
        Fp12 { c0, c1 }
    }

    /// `c0 - c1 w`: the inverse of an element of norm one (after the easy part of the final
    /// exponentiation).
    pub fn conjugate(&self) -> Self {
        Fp12::new(self.c0, self.c1.neg())
    }

    /// The `power`-th Frobenius map.
    pub fn frobenius(&self, power: usize) -> Self {
        let c1 = self.c1.frobenius(power);
        let gamma = &C::FROBENIUS_FP12_C1[power % 12];
        Fp12::new(
            self.c0.frobenius(power),
            Fp6::new(c1.c0.mul(gamma), c1.c1.mul(gamma), c1.c2.mul(gamma)),
        )
    }

    /// `self * ((a + c v^2) + b v w)`: a BN254 line (Fp12 positions 0, 2 and 4), fourteen Fp2
    /// multiplications instead of eighteen.
    pub fn mul_by_024(&self, a: &Fp2<C>, c: &Fp2<C>, b: &Fp2<C>) -> Self {
        let aa = self.c0.mul_by_02(a, c);
        let bb = self.c1.mul_by_1(b);
        let c1 = self
            .c0
            .add(&self.c1)
            .mul(&Fp6::new(*a, *b, *c))
            .sub(&aa)
            .sub(&bb);
        Fp12::new(aa.add(&bb.mul_by_v()), c1)
    }

    /// `self * ((a + c v) + b v w)`: a BLS12-381 line (positions 0, 1 and 4), thirteen Fp2
    /// multiplications.
    pub fn mul_by_014(&self, a: &Fp2<C>, c: &Fp2<C>, b: &Fp2<C>) -> Self {
        let aa = self.c0.mul_by_01(a, c);
        let bb = self.c1.mul_by_1(b);
        let c1 = self
            .c0
            .add(&self.c1)
            .mul_by_01(a, &c.add(b))
            .sub(&aa)
            .sub(&bb);
        Fp12::new(aa.add(&bb.mul_by_v()), c1)
    }

    /// `self^2` for `self` in the cyclotomic subgroup (after the easy part of the final
    /// exponentiation): Granger and Scott's squaring over `Fp4`, three `Fp2` multiplications
    /// instead of the twelve of a general squaring.
    pub fn cyclotomic_square(&self) -> Self {
        // (a + b y)^2 in Fp4 = Fp2[y] / (y^2 - xi), for the three Fp4 coordinates of self.
        let fp4_square = |a: &Fp2<C>, b: &Fp2<C>| {
            let ab = a.mul(b);
            let c0 = a
                .add(b)
                .mul(&a.add(&C::mul_by_xi(b)))
                .sub(&ab)
                .sub(&C::mul_by_xi(&ab));
            (c0, ab.double())
        };
        let (z0, z4, z3) = (self.c0.c0, self.c0.c1, self.c0.c2);
        let (z2, z1, z5) = (self.c1.c0, self.c1.c1, self.c1.c2);
        let (t0, t1) = fp4_square(&z0, &z1);
        let (t2, t3) = fp4_square(&z2, &z3);
        let (t4, t5) = fp4_square(&z4, &z5);
        // 3 t - 2 z and 3 t + 2 z, per coordinate.
        let minus = |t: &Fp2<C>, z: &Fp2<C>| t.sub(z).double().add(t);
        let plus = |t: &Fp2<C>, z: &Fp2<C>| t.add(z).double().add(t);
        let xi_t5 = C::mul_by_xi(&t5);
        Fp12::new(
            Fp6::new(minus(&t0, &z0), minus(&t2, &z4), minus(&t4, &z3)),
            Fp6::new(plus(&xi_t5, &z2), plus(&t1, &z1), plus(&t3, &z5)),
        )
    }

    /// `self^exp` for `self` in the cyclotomic subgroup and a 64-bit exponent.
    pub fn cyclotomic_pow(&self, exp: u64) -> Self {
        let mut result = Self::ONE;
        for bit in (0..64 - exp.leading_zeros()).rev() {
            result = result.cyclotomic_square();
            if (exp >> bit) & 1 == 1 {
                result = result.mul(self);
            }
        }
        result
    }
}

impl<C: TowerConfig> Field for Fp12<C> {
    const ZERO: Self = Fp12 {
        c0: Fp6::ZERO,
        c1: Fp6::ZERO,
    };
    const ONE: Self = Fp12 {
        c0: Fp6::ONE,
        c1: Fp6::ZERO,
    };

    fn add(&self, rhs: &Self) -> Self {
        Fp12::new(self.c0.add(&rhs.c0), self.c1.add(&rhs.c1))
    }

    fn sub(&self, rhs: &Self) -> Self {
        Fp12::new(self.c0.sub(&rhs.c0), self.c1.sub(&rhs.c1))
    }

    fn mul(&self, rhs: &Self) -> Self {
        let aa = self.c0.mul(&rhs.c0);
        let bb = self.c1.mul(&rhs.c1);
        let c1 = self
            .c0
            .add(&self.c1)
            .mul(&rhs.c0.add(&rhs.c1))
            .sub(&aa)
            .sub(&bb);
        Fp12::new(aa.add(&bb.mul_by_v()), c1)
    }

    fn square(&self) -> Self {
        // Complex squaring: two Fp6 multiplications.
        let ab = self.c0.mul(&self.c1);
        let c0 = self
            .c0
            .add(&self.c1)
            .mul(&self.c0.add(&self.c1.mul_by_v()))
            .sub(&ab)
            .sub(&ab.mul_by_v());
        Fp12::new(c0, ab.double())
    }

    fn neg(&self) -> Self {
        Fp12::new(self.c0.neg(), self.c1.neg())
    }

    fn invert(&self) -> Option<Self> {
        let t = self.c0.square().sub(&self.c1.square().mul_by_v());
        let inv = t.invert()?;
        Some(Fp12::new(self.c0.mul(&inv), self.c1.mul(&inv).neg()))
    }
}
