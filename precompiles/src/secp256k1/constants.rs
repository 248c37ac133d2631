// Written by tools/constants.py from the curve's defining numbers; do not edit by hand.

//! secp256k1 constants: the base field, the scalar field, the generator.

/// The base field.
pub(crate) mod fp {
    /// The modulus of the secp256k1 base field, little-endian limbs.
    pub(crate) const MODULUS: [u64; 4] = [
        0xfffffffefffffc2f,
        0xffffffffffffffff,
        0xffffffffffffffff,
        0xffffffffffffffff,
    ];
    /// `-MODULUS^-1 mod 2^64`, the Montgomery constant.
    pub(crate) const INV: u64 = 0xd838091dd2253531;
    /// `2^256 mod MODULUS`: one in Montgomery form.
    pub(crate) const R: [u64; 4] = [
        0x00000001000003d1,
        0x0000000000000000,
        0x0000000000000000,
        0x0000000000000000,
    ];
    /// `2^512 mod MODULUS`: converts into Montgomery form.
    pub(crate) const R2: [u64; 4] = [
        0x000007a2000e90a1,
        0x0000000000000001,
        0x0000000000000000,
        0x0000000000000000,
    ];
    /// `MODULUS - 2`: the exponent of inversion (Fermat).
    pub(crate) const MODULUS_MINUS_2: [u64; 4] = [
        0xfffffffefffffc2d,
        0xffffffffffffffff,
        0xffffffffffffffff,
        0xffffffffffffffff,
    ];
    /// `(p + 1) / 4`: the square root exponent (`p = 3 mod 4`).
    pub(crate) const SQRT_EXP: [u64; 4] = [
        0xffffffffbfffff0c,
        0xffffffffffffffff,
        0xffffffffffffffff,
        0x3fffffffffffffff,
    ];
    /// 7 in Montgomery form: the curve's `b`.
    pub(crate) const B: [u64; 4] = [
        0x0000000700001ab7,
        0x0000000000000000,
        0x0000000000000000,
        0x0000000000000000,
    ];
    /// The generator's x, Montgomery form.
    pub(crate) const GX: [u64; 4] = [
        0xd7362e5a487e2097,
        0x231e295329bc66db,
        0x979f48c033fd129c,
        0x9981e643e9089f48,
    ];
    /// The generator's y, Montgomery form.
    pub(crate) const GY: [u64; 4] = [
        0xb15ea6d2d3dbabe2,
        0x8dfc5d5d1f1dc64d,
        0x70b6b59aac19c136,
        0xcf3f851fd4a582d6,
    ];
}

/// The scalar field (the group order).
pub(crate) mod fn_ {
    /// The modulus of the secp256k1 scalar field, little-endian limbs.
    pub(crate) const MODULUS: [u64; 4] = [
        0xbfd25e8cd0364141,
        0xbaaedce6af48a03b,
        0xfffffffffffffffe,
        0xffffffffffffffff,
    ];
    /// `-MODULUS^-1 mod 2^64`, the Montgomery constant.
    pub(crate) const INV: u64 = 0x4b0dff665588b13f;
    /// `2^256 mod MODULUS`: one in Montgomery form.
    pub(crate) const R: [u64; 4] = [
        0x402da1732fc9bebf,
        0x4551231950b75fc4,
        0x0000000000000001,
        0x0000000000000000,
    ];
    /// `2^512 mod MODULUS`: converts into Montgomery form.
    pub(crate) const R2: [u64; 4] = [
        0x896cf21467d7d140,
        0x741496c20e7cf878,
        0xe697f5e45bcd07c6,
        0x9d671cd581c69bc5,
    ];
    /// `MODULUS - 2`: the exponent of inversion (Fermat).
    pub(crate) const MODULUS_MINUS_2: [u64; 4] = [
        0xbfd25e8cd036413f,
        0xbaaedce6af48a03b,
        0xfffffffffffffffe,
        0xffffffffffffffff,
    ];
}
