//! Prime fields in Montgomery form over the bignum backend ([`crate::arith`]), and the [`Field`]
//! operations the towers and curves are written against.

/// What the extension towers and the curve formulas need of a field.
pub trait Field: Copy + PartialEq + Eq + core::fmt::Debug {
    /// The additive identity.
    const ZERO: Self;
    /// The multiplicative identity.
    const ONE: Self;
    /// `self + rhs`.
    fn add(&self, rhs: &Self) -> Self;
    /// `self - rhs`.
    fn sub(&self, rhs: &Self) -> Self;
    /// `self * rhs`.
    fn mul(&self, rhs: &Self) -> Self;
    /// `-self`.
    fn neg(&self) -> Self;
    /// `1 / self`, `None` for zero.
    fn invert(&self) -> Option<Self>;
    /// `self^2`.
    fn square(&self) -> Self {
        self.mul(self)
    }
    /// `2 self`.
    fn double(&self) -> Self {
        self.add(self)
    }
    /// Whether `self` is zero.
    fn is_zero(&self) -> bool {
        *self == Self::ZERO
    }
}

/// `base^exp`, `exp` as little-endian limbs: fixed 4-bit windows from the top (one
/// multiplication per window instead of one per set bit; the exponents used here, `p - 2` and
/// `(p + 1) / 4`, are mostly ones).
pub fn pow<F: Field>(base: &F, exp: &[u64]) -> F {
    let mut table = [F::ONE; 16];
    for i in 1..16 {
        table[i] = table[i - 1].mul(base);
    }
    let mut result = F::ONE;
    let mut started = false;
    for limb in exp.iter().rev() {
        for window in (0..16).rev() {
            let digit = ((limb >> (4 * window)) & 0xf) as usize;
            if started {
                for _ in 0..4 {
                    result = result.square();
                }
            }
            if digit != 0 {
                result = if started {
                    result.mul(&table[digit])
                } else {
                    table[digit]
                };
                started = true;
            }
        }
    }
    result
}

/// Defines a prime field type: `$limbs` little-endian `u64` limbs in Montgomery form, with the
/// modulus, Montgomery constants and inversion exponent of the constants module `$c`.
macro_rules! prime_field {
    ($(#[$doc:meta])* $name:ident, $limbs:literal, $c:path, $add:ident, $sub:ident, $mul:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        pub struct $name(pub(crate) [u64; $limbs]);

        impl $name {
            /// Bytes of a big-endian encoding.
            pub const BYTES: usize = $limbs * 8;

            /// The element whose canonical value is `limbs` (little-endian), or `None` when it
            /// is not below the modulus.
            pub fn from_canonical(limbs: [u64; $limbs]) -> Option<Self> {
                use $c as c;
                if !$crate::field::below(&limbs, &c::MODULUS) {
                    return None;
                }
                Some($name($crate::arith::$mul(&limbs, &c::R2, &c::MODULUS, c::INV)))
            }

            /// The element `value mod p` of a value below `2^(64 N)` (for scalars and hashes).
            pub fn reduce(limbs: [u64; $limbs]) -> Self {
                use $c as c;
                let mut limbs = limbs;
                while !$crate::field::below(&limbs, &c::MODULUS) {
                    limbs = $crate::field::sub_limbs(&limbs, &c::MODULUS);
                }
                $name($crate::arith::$mul(&limbs, &c::R2, &c::MODULUS, c::INV))
            }

            /// Decodes a big-endian number; `None` when it is not below the modulus.
            pub fn from_be_bytes(bytes: &[u8]) -> Option<Self> {
                Self::from_canonical($crate::field::limbs_from_be(bytes))
            }

            /// The canonical value, little-endian limbs.
            pub fn to_canonical(&self) -> [u64; $limbs] {
                use $c as c;
                let mut one = [0u64; $limbs];
                one[0] = 1;
                $crate::arith::$mul(&self.0, &one, &c::MODULUS, c::INV)
            }

            /// The canonical value, big-endian bytes.
            pub fn to_be_bytes(&self) -> [u8; $limbs * 8] {
                let mut out = [0u8; $limbs * 8];
                $crate::field::limbs_to_be(&self.to_canonical(), &mut out);
                out
            }

            /// The element of a small integer.
            pub fn from_u64(value: u64) -> Self {
                let mut limbs = [0u64; $limbs];
                limbs[0] = value;
                Self::reduce(limbs)
            }

            /// Whether the canonical value is odd (a square root's "sign").
            pub fn is_odd(&self) -> bool {
                self.to_canonical()[0] & 1 == 1
            }
        }

        impl $crate::field::Field for $name {
            const ZERO: Self = $name([0; $limbs]);
            const ONE: Self = {
                use $c as c;
                $name(c::R)
            };

            #[inline(always)]
            fn add(&self, rhs: &Self) -> Self {
                use $c as c;
                $name($crate::arith::$add(&self.0, &rhs.0, &c::MODULUS))
            }

            #[inline(always)]
            fn sub(&self, rhs: &Self) -> Self {
                use $c as c;
                $name($crate::arith::$sub(&self.0, &rhs.0, &c::MODULUS))
            }

            #[inline(always)]
            fn mul(&self, rhs: &Self) -> Self {
                use $c as c;
                $name($crate::arith::$mul(&self.0, &rhs.0, &c::MODULUS, c::INV))
            }

            #[inline(always)]
            fn neg(&self) -> Self {
                Self::ZERO.sub(self)
            }

            fn invert(&self) -> Option<Self> {
                use $c as c;
                (!self.is_zero()).then(|| $crate::field::pow(self, &c::MODULUS_MINUS_2))
            }
        }
    };
}
pub(crate) use prime_field;

/// Whether `a < m`.
pub(crate) fn below<const N: usize>(a: &[u64; N], m: &[u64; N]) -> bool {
    for i in (0..N).rev() {
        if a[i] != m[i] {
            return a[i] < m[i];
        }
    }
    false
}

/// `a - b` for `a >= b`.
pub(crate) fn sub_limbs<const N: usize>(a: &[u64; N], b: &[u64; N]) -> [u64; N] {
    let mut out = [0u64; N];
    let mut borrow = false;
    for i in 0..N {
        let (d, b1) = a[i].overflowing_sub(b[i]);
        let (d, b2) = d.overflowing_sub(u64::from(borrow));
        out[i] = d;
        borrow = b1 || b2;
    }
    out
}

/// Limbs of a big-endian number of at most `8 N` bytes (shorter input is a smaller number).
pub(crate) fn limbs_from_be<const N: usize>(bytes: &[u8]) -> [u64; N] {
    let mut limbs = [0u64; N];
    for (i, byte) in bytes.iter().rev().take(8 * N).enumerate() {
        limbs[i / 8] |= u64::from(*byte) << (8 * (i % 8));
    }
    limbs
}

/// Writes `limbs` big-endian into `out` (its last `8 N` bytes).
pub(crate) fn limbs_to_be<const N: usize>(limbs: &[u64; N], out: &mut [u8]) {
    for (i, byte) in out.iter_mut().rev().take(8 * N).enumerate() {
        *byte = (limbs[i / 8] >> (8 * (i % 8))) as u8;
    }
}
