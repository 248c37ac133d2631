//! Short Weierstrass curves `y^2 = x^3 + b` (`a = 0`: BN254's G1 and G2, secp256k1, BLS12-381) in
//! Jacobian coordinates `(X, Y, Z)`, `x = X / Z^2`, `y = Y / Z^3`, generic over the field.

use crate::field::Field;

/// A point in affine coordinates; `None` in [`Affine::point`] is the point at infinity.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Affine<F: Field> {
    /// `x`.
    pub x: F,
    /// `y`.
    pub y: F,
}

impl<F: Field> Affine<F> {
    /// Whether `y^2 = x^3 + b`.
    pub fn is_on_curve(&self, b: &F) -> bool {
        self.y.square() == self.x.square().mul(&self.x).add(b)
    }

    /// The same point in Jacobian coordinates.
    pub fn to_jacobian(&self) -> Jacobian<F> {
        Jacobian {
            x: self.x,
            y: self.y,
            z: F::ONE,
        }
    }
}

/// A point in Jacobian coordinates; `z = 0` is the point at infinity.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Jacobian<F: Field> {
    /// `X`.
    pub x: F,
    /// `Y`.
    pub y: F,
    /// `Z`.
    pub z: F,
}

impl<F: Field> Jacobian<F> {
    /// The point at infinity.
    pub const INFINITY: Self = Jacobian {
        x: F::ONE,
        y: F::ONE,
        z: F::ZERO,
    };

    /// Whether this is the point at infinity.
    pub fn is_infinity(&self) -> bool {
        self.z.is_zero()
    }

    /// `2 P` (dbl-2009-l, `a = 0`).
    pub fn double(&self) -> Self {
        if self.is_infinity() {
            return *self;
        }
        let a = self.x.square();
        let b = self.y.square();
        let c = b.square();
        let d = self.x.add(&b).square().sub(&a).sub(&c).double();
        let e = a.double().add(&a);
        let f = e.square();
        let x3 = f.sub(&d.double());
        let c8 = c.double().double().double();
        let y3 = e.mul(&d.sub(&x3)).sub(&c8);
        let z3 = self.y.mul(&self.z).double();
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `P + Q` (add-2007-bl, falling back to doubling for `P = Q`).
    pub fn add(&self, rhs: &Self) -> Self {
        if self.is_infinity() {
            return *rhs;
        }
        if rhs.is_infinity() {
            return *self;
        }
        if rhs.z == F::ONE {
            return self.add_affine(rhs);
        }
        let z1z1 = self.z.square();
        let z2z2 = rhs.z.square();
        let u1 = self.x.mul(&z2z2);
        let u2 = rhs.x.mul(&z1z1);
        let s1 = self.y.mul(&rhs.z).mul(&z2z2);
        let s2 = rhs.y.mul(&self.z).mul(&z1z1);
        let h = u2.sub(&u1);
        let s = s2.sub(&s1);
        if h.is_zero() {
            return if s.is_zero() {
                self.double()
            } else {
                Self::INFINITY
            };
        }
        let i = h.double().square();
        let j = h.mul(&i);
        let r = s.double();
        let v = u1.mul(&i);
        let x3 = r.square().sub(&j).sub(&v.double());
        let y3 = r.mul(&v.sub(&x3)).sub(&s1.mul(&j).double());
        let z3 = self.z.add(&rhs.z).square().sub(&z1z1).sub(&z2z2).mul(&h);
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `P + Q` for `Q` with `z = 1` (madd-2007-bl: 7 multiplications and 4 squarings instead of
    /// 11 and 5).
    fn add_affine(&self, rhs: &Self) -> Self {
        let z1z1 = self.z.square();
        let u2 = rhs.x.mul(&z1z1);
        let s2 = rhs.y.mul(&self.z).mul(&z1z1);
        let h = u2.sub(&self.x);
        let s = s2.sub(&self.y);
        if h.is_zero() {
            return if s.is_zero() {
                self.double()
            } else {
                Self::INFINITY
            };
        }
        let hh = h.square();
        let i = hh.double().double();
        let j = h.mul(&i);
        let r = s.double();
        let v = self.x.mul(&i);
        let x3 = r.square().sub(&j).sub(&v.double());
        let y3 = r.mul(&v.sub(&x3)).sub(&self.y.mul(&j).double());
        let z3 = self.z.add(&h).square().sub(&z1z1).sub(&hh);
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `-P`.
    pub fn neg(&self) -> Self {
        Jacobian {
            x: self.x,
            y: self.y.neg(),
            z: self.z,
        }
    }

    /// `k P` for a scalar of at most four little-endian limbs: width-5 NAF over the odd
    /// multiples `P, 3P, ..., 15P` (one addition per five bits instead of one per set bit).
    pub fn mul(&self, scalar: &[u64]) -> Self {
        const WINDOW: u32 = 5;
        let mut limbs = [0u64; 4];
        for (dst, src) in limbs.iter_mut().zip(scalar) {
            *dst = *src;
        }
        if scalar.len() > 4 {
            // Not used by the precompiles; plain double-and-add keeps it correct.
            return self.mul_plain(scalar);
        }
        let digits = wnaf(&limbs, WINDOW);
        let Some(top) = digits.iter().rposition(|d| *d != 0) else {
            return Self::INFINITY;
        };
        let mut table = [*self; 1 << (WINDOW - 2)];
        let twice = self.double();
        for i in 1..table.len() {
            table[i] = table[i - 1].add(&twice);
        }
        let mut acc = Self::INFINITY;
        for &d in digits[..=top].iter().rev() {
            acc = acc.double();
            if d != 0 {
                let point = table[(d.unsigned_abs() / 2) as usize];
                acc = acc.add(&if d < 0 { point.neg() } else { point });
            }
        }
        acc
    }

    /// `k P` by double-and-add from the top bit (the reference for [`Jacobian::mul`]).
    pub fn mul_plain(&self, scalar: &[u64]) -> Self {
        let mut acc = Self::INFINITY;
        for limb in scalar.iter().rev() {
            for bit in (0..64).rev() {
                acc = acc.double();
                if (limb >> bit) & 1 == 1 {
                    acc = acc.add(self);
                }
            }
        }
        acc
    }

    /// The affine point, `None` for infinity.
    pub fn to_affine(&self) -> Option<Affine<F>> {
        let z_inv = self.z.invert()?;
        let z_inv2 = z_inv.square();
        Some(Affine {
            x: self.x.mul(&z_inv2),
            y: self.y.mul(&z_inv2).mul(&z_inv),
        })
    }
}

/// Width-`w` NAF digits of a 256-bit scalar, least significant first: every non-zero digit is
/// odd and below `2^(w-1)` in absolute value, and at least `w - 1` zeros follow it.
pub(crate) fn wnaf(scalar: &[u64; 4], w: u32) -> [i8; 257] {
    let mut k = [scalar[0], scalar[1], scalar[2], scalar[3], 0u64];
    let mut digits = [0i8; 257];
    let window = 1i64 << w;
    for digit in digits.iter_mut() {
        if k.iter().all(|l| *l == 0) {
            break;
        }
        if k[0] & 1 == 1 {
            let mut d = (k[0] & (window as u64 - 1)) as i64;
            if d >= window / 2 {
                d -= window;
            }
            *digit = d as i8;
            // k -= d (d odd, |d| < 2^(w-1)), leaving k even.
            if d > 0 {
                let mut borrow = d as u64;
                for limb in k.iter_mut() {
                    let (v, b) = limb.overflowing_sub(borrow);
                    *limb = v;
                    borrow = u64::from(b);
                }
            } else {
                let mut carry = (-d) as u64;
                for limb in k.iter_mut() {
                    let (v, c) = limb.overflowing_add(carry);
                    *limb = v;
                    carry = u64::from(c);
                }
            }
        }
        for i in 0..5 {
            k[i] = (k[i] >> 1) | if i < 4 { k[i + 1] << 63 } else { 0 };
        }
    }
    digits
}
