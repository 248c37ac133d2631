//! `base^exp mod modulus` over big-endian integers of any length (EIP-198), and its price
//! (EIP-198, and EIP-2565 from Berlin on).
//!
//! An odd modulus runs in Montgomery form: through the bignum backend's 256- or 384-bit
//! `mulmodmont` when it fits, with this file's own limb loop beyond. An even modulus
//! `2^k m'` is split by the Chinese remainder theorem into `m'` (Montgomery) and `2^k`
//! (truncated products), so no long division is ever needed: the set-up (`R mod m` by under 64
//! doublings, `R^2 mod m` by about `2 log2 n` products, the base by two products per `n`-limb
//! chunk) costs a few products, and the exponentiation allocates nothing per step.

use alloc::vec;
use alloc::vec::Vec;

/// Little-endian limbs of a big-endian byte string.
fn limbs_of(bytes: &[u8]) -> Vec<u64> {
    let mut limbs = vec![0u64; bytes.len().div_ceil(8)];
    for (i, byte) in bytes.iter().rev().enumerate() {
        limbs[i / 8] |= u64::from(*byte) << (8 * (i % 8));
    }
    trim(&mut limbs);
    limbs
}

fn trim(limbs: &mut Vec<u64>) {
    while limbs.last() == Some(&0) {
        limbs.pop();
    }
}

/// Whether `a >= b` for equal-length limb slices.
fn geq(a: &[u64], b: &[u64]) -> bool {
    for i in (0..a.len()).rev() {
        if a[i] != b[i] {
            return a[i] > b[i];
        }
    }
    true
}

/// `a -= b` for equal-length slices, returning the borrow.
fn sub_in_place(a: &mut [u64], b: &[u64]) -> bool {
    let mut borrow = false;
    for (x, y) in a.iter_mut().zip(b) {
        let (d, b1) = x.overflowing_sub(*y);
        let (d, b2) = d.overflowing_sub(u64::from(borrow));
        *x = d;
        borrow = b1 || b2;
    }
    borrow
}

/// Montgomery arithmetic modulo an odd `m > 1` of `n` limbs. Products go into caller buffers:
/// an exponentiation makes no allocation per step (a standalone module's bump allocator frees
/// nothing until the call ends).
struct Montgomery {
    m: Vec<u64>,
    inv: u64,
    /// `R mod m`: one in Montgomery form.
    r1: Vec<u64>,
    /// `R^2 mod m`: converts into Montgomery form.
    r2: Vec<u64>,
}

impl Montgomery {
    /// `m` odd, above one, trimmed; padded to the 256- or 384-bit backend width when it fits, so
    /// that `R` is the backend's `2^256` or `2^384`.
    fn new(mut m: Vec<u64>) -> Self {
        let width = match m.len() {
            0..=4 => 4,
            5 | 6 => 6,
            n => n,
        };
        m.resize(width, 0);
        let inv = crate::bignum::mont_inv(m[0]);
        let r1 = r_mod(&m);
        let mut context = Montgomery {
            m,
            inv,
            r2: Vec::new(),
            r1,
        };
        context.r2 = context.r_squared();
        context
    }

    /// `R^2 mod m` as the Montgomery form of `R = (2^64)^n`: `2^64` in Montgomery form by 64
    /// doublings of `R mod m`, then raised to the `n`-th power (about `2 log2 n` products).
    fn r_squared(&self) -> Vec<u64> {
        let n = self.m.len();
        let mut base = self.r1.clone();
        for _ in 0..64 {
            double_mod(&mut base, &self.m);
        }
        let mut scratch = vec![0u64; n + 2];
        let mut acc = self.r1.clone();
        let mut tmp = vec![0u64; n];
        let exponent = [n as u64];
        for bit in bits_from_top(&exponent) {
            self.mul_into(&acc, &acc, &mut tmp, &mut scratch);
            core::mem::swap(&mut acc, &mut tmp);
            if bit {
                self.mul_into(&acc, &base, &mut tmp, &mut scratch);
                core::mem::swap(&mut acc, &mut tmp);
            }
        }
        acc
    }

    /// `out = a b / R mod m` (`a, b < R`, one of them below `m`).
    fn mul_into(&self, a: &[u64], b: &[u64], out: &mut [u64], scratch: &mut [u64]) {
        match self.m.len() {
            4 => out.copy_from_slice(&crate::arith::mulmodmont256(
                &pad(a),
                &pad(b),
                &pad(&self.m),
                self.inv,
            )),
            6 => out.copy_from_slice(&crate::arith::mulmodmont384(
                &pad(a),
                &pad(b),
                &pad(&self.m),
                self.inv,
            )),
            _ => mont_mul_into(a, b, &self.m, self.inv, out, scratch),
        }
    }

    /// The Montgomery form of `x mod m` for `x` of any length: Horner's rule over `n`-limb
    /// chunks from the top, `acc = acc R + chunk`, two products per chunk.
    fn to_montgomery(&self, x: &[u64]) -> Vec<u64> {
        let n = self.m.len();
        let mut scratch = vec![0u64; n + 2];
        let mut acc = vec![0u64; n];
        let mut shifted = vec![0u64; n];
        let mut chunk_mont = vec![0u64; n];
        let mut chunk = vec![0u64; n];
        let chunks = x.len().div_ceil(n);
        for c in (0..chunks).rev() {
            chunk.iter_mut().for_each(|l| *l = 0);
            let start = c * n;
            let end = (start + n).min(x.len());
            chunk[..end - start].copy_from_slice(&x[start..end]);
            self.mul_into(&acc, &self.r2, &mut shifted, &mut scratch);
            self.mul_into(&chunk, &self.r2, &mut chunk_mont, &mut scratch);
            add_mod_into(&shifted, &chunk_mont, &self.m, &mut acc);
        }
        acc
    }

    /// `base^exp mod m` for `base` in Montgomery form; the result in ordinary form.
    fn pow(&self, base: &[u64], exp: &[u64]) -> Vec<u64> {
        let n = self.m.len();
        let mut scratch = vec![0u64; n + 2];
        let mut acc = self.r1.clone();
        let mut tmp = vec![0u64; n];
        for bit in bits_from_top(exp) {
            self.mul_into(&acc, &acc, &mut tmp, &mut scratch);
            core::mem::swap(&mut acc, &mut tmp);
            if bit {
                self.mul_into(&acc, base, &mut tmp, &mut scratch);
                core::mem::swap(&mut acc, &mut tmp);
            }
        }
        let mut one = vec![0u64; n];
        one[0] = 1;
        self.mul_into(&acc, &one, &mut tmp, &mut scratch);
        tmp
    }
}

/// `x = 2 x mod m` for `x < m`.
fn double_mod(x: &mut [u64], m: &[u64]) {
    let mut carry = 0;
    for limb in x.iter_mut() {
        let next = *limb >> 63;
        *limb = (*limb << 1) | carry;
        carry = next;
    }
    if carry == 1 || geq(x, m) {
        sub_in_place(x, m);
    }
}

/// `R mod m` for `R = 2^(64 n)`, `m` odd and above one: doublings from the highest power of two
/// below `m`, as many as `R` has bits more than `m` (under 64 but for the padded small moduli).
fn r_mod(m: &[u64]) -> Vec<u64> {
    let n = m.len();
    let top = (0..n).rev().find(|&i| m[i] != 0).unwrap_or(0);
    let bits = 64 * top + (64 - m[top].leading_zeros() as usize);
    let mut x = vec![0u64; n];
    x[(bits - 1) / 64] = 1 << ((bits - 1) % 64);
    for _ in 0..(64 * n - (bits - 1)) {
        double_mod(&mut x, m);
    }
    x
}

/// `out = a + b mod m` for `a, b < m`, equal lengths.
fn add_mod_into(a: &[u64], b: &[u64], m: &[u64], out: &mut [u64]) {
    let mut carry = 0u128;
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        let wide = u128::from(*x) + u128::from(*y) + carry;
        *o = wide as u64;
        carry = wide >> 64;
    }
    if carry != 0 || geq(out, m) {
        sub_in_place(out, m);
    }
}

/// The first `N` limbs of `a`, zero-extended.
fn pad<const N: usize>(a: &[u64]) -> [u64; N] {
    let mut out = [0u64; N];
    out[..a.len()].copy_from_slice(a);
    out
}

/// CIOS Montgomery product of any length (moduli beyond the 384-bit host function) into
/// `out`; `t` is scratch of `n + 2` limbs.
fn mont_mul_into(a: &[u64], b: &[u64], m: &[u64], inv: u64, out: &mut [u64], t: &mut [u64]) {
    let n = m.len();
    t.iter_mut().for_each(|l| *l = 0);
    for &b_i in b {
        let mut carry = 0u128;
        for j in 0..n {
            let wide = u128::from(t[j]) + u128::from(a[j]) * u128::from(b_i) + carry;
            t[j] = wide as u64;
            carry = wide >> 64;
        }
        let wide = u128::from(t[n]) + carry;
        t[n] = wide as u64;
        t[n + 1] = (wide >> 64) as u64;
        let q = t[0].wrapping_mul(inv);
        let mut carry = (u128::from(t[0]) + u128::from(q) * u128::from(m[0])) >> 64;
        for j in 1..n {
            let wide = u128::from(t[j]) + u128::from(q) * u128::from(m[j]) + carry;
            t[j - 1] = wide as u64;
            carry = wide >> 64;
        }
        let wide = u128::from(t[n]) + carry;
        t[n - 1] = wide as u64;
        t[n] = t[n + 1] + (wide >> 64) as u64;
    }
    out.copy_from_slice(&t[..n]);
    if t[n] != 0 || geq(out, m) {
        sub_in_place(out, m);
    }
}

/// `a * b mod 2^(64 w)`: the low `w` limbs of the product.
fn mul_low(a: &[u64], b: &[u64], w: usize) -> Vec<u64> {
    let mut out = vec![0u64; w];
    mul_low_into(a, b, &mut out);
    out
}

/// `out = a * b mod 2^(64 w)`, `w = out.len()`.
fn mul_low_into(a: &[u64], b: &[u64], out: &mut [u64]) {
    let w = out.len();
    out.iter_mut().for_each(|l| *l = 0);
    for (i, &a_i) in a.iter().enumerate().take(w) {
        let mut carry = 0u128;
        for j in 0..w - i {
            let b_j = b.get(j).copied().unwrap_or(0);
            let wide = u128::from(out[i + j]) + u128::from(a_i) * u128::from(b_j) + carry;
            out[i + j] = wide as u64;
            carry = wide >> 64;
        }
    }
}

/// Keeps the low `k` bits of `w = ceil(k / 64)` limbs.
fn mask(x: &mut [u64], k: usize) {
    let w = x.len();
    let top_bits = k - 64 * (w - 1);
    if top_bits < 64 {
        x[w - 1] &= (1u64 << top_bits) - 1;
    }
}

/// `base^exp mod 2^k`.
fn pow_mod_pow2(base: &[u64], exp: &[u64], k: usize) -> Vec<u64> {
    let w = k.div_ceil(64);
    let mut b = vec![0u64; w];
    for (dst, src) in b.iter_mut().zip(base) {
        *dst = *src;
    }
    mask(&mut b, k);
    let mut acc = vec![0u64; w];
    acc[0] = 1;
    mask(&mut acc, k);
    let mut tmp = vec![0u64; w];
    for bit in bits_from_top(exp) {
        mul_low_into(&acc, &acc, &mut tmp);
        core::mem::swap(&mut acc, &mut tmp);
        if bit {
            mul_low_into(&acc, &b, &mut tmp);
            core::mem::swap(&mut acc, &mut tmp);
        }
        mask(&mut acc, k);
    }
    acc
}

/// The bits of a trimmed number from its highest set bit down.
fn bits_from_top(x: &[u64]) -> impl Iterator<Item = bool> + '_ {
    let total = x
        .last()
        .map_or(0, |top| 64 * x.len() - top.leading_zeros() as usize);
    (0..total)
        .rev()
        .map(move |i| (x[i / 64] >> (i % 64)) & 1 == 1)
}

/// `m^-1 mod 2^(64 w)` for odd `m` (Newton: each step doubles the correct bits).
fn inverse_mod_pow2(m: &[u64], w: usize) -> Vec<u64> {
    let mut x = vec![0u64; w];
    x[0] = 1;
    let mut two = vec![0u64; w];
    two[0] = 2;
    let mut bits = 1;
    while bits < 64 * w {
        // x = x (2 - m x)
        let mx = mul_low(m, &x, w);
        let mut t = two.clone();
        sub_in_place(&mut t, &mx);
        x = mul_low(&x, &t, w);
        bits *= 2;
    }
    x
}

/// `a + b` of any lengths.
fn add(a: &[u64], b: &[u64]) -> Vec<u64> {
    let n = a.len().max(b.len()) + 1;
    let mut out = vec![0u64; n];
    let mut carry = 0u128;
    for (i, word) in out.iter_mut().enumerate() {
        let wide = u128::from(a.get(i).copied().unwrap_or(0))
            + u128::from(b.get(i).copied().unwrap_or(0))
            + carry;
        *word = wide as u64;
        carry = wide >> 64;
    }
    out
}

/// `a * b` of any lengths.
fn mul_full(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut out = vec![0u64; a.len() + b.len()];
    for (i, &a_i) in a.iter().enumerate() {
        let mut carry = 0u128;
        for (j, &b_j) in b.iter().enumerate() {
            let wide = u128::from(out[i + j]) + u128::from(a_i) * u128::from(b_j) + carry;
            out[i + j] = wide as u64;
            carry = wide >> 64;
        }
        out[i + b.len()] = carry as u64;
    }
    out
}

/// `base^exp mod modulus`, big-endian, as `modulus.len()` bytes (all zero for a zero modulus).
pub fn modexp(base: &[u8], exp: &[u8], modulus: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; modulus.len()];
    let m = limbs_of(modulus);
    if m.is_empty() {
        return out;
    }
    let base = limbs_of(base);
    let exp = limbs_of(exp);
    let k = m
        .iter()
        .position(|l| *l != 0)
        .map_or(0, |i| 64 * i + m[i].trailing_zeros() as usize);
    // m = 2^k m_odd
    let mut m_odd = vec![0u64; m.len()];
    for (i, limb) in m_odd.iter_mut().enumerate() {
        let shifted = (k / 64) + i;
        let lo = m.get(shifted).copied().unwrap_or(0) >> (k % 64);
        let hi = if k % 64 == 0 {
            0
        } else {
            m.get(shifted + 1).copied().unwrap_or(0) << (64 - k % 64)
        };
        *limb = lo | hi;
    }
    trim(&mut m_odd);
    let odd_part = if m_odd == [1] {
        vec![0u64]
    } else {
        let context = Montgomery::new(m_odd.clone());
        context.pow(&context.to_montgomery(&base), &exp)
    };
    let result = if k == 0 {
        odd_part
    } else {
        // x = a + m_odd ((b - a) m_odd^-1 mod 2^k), where a = x mod m_odd, b = x mod 2^k.
        let w = k.div_ceil(64);
        let b = pow_mod_pow2(&base, &exp, k);
        let mut diff = b.clone();
        let a_low: Vec<u64> = (0..w)
            .map(|i| odd_part.get(i).copied().unwrap_or(0))
            .collect();
        sub_in_place(&mut diff, &a_low);
        mask(&mut diff, k);
        let inv = inverse_mod_pow2(&m_odd, w);
        let mut t = mul_low(&diff, &inv, w);
        mask(&mut t, k);
        add(&odd_part, &mul_full(&m_odd, &t))
    };
    for (i, byte) in out.iter_mut().rev().enumerate() {
        *byte = (result.get(i / 8).copied().unwrap_or(0) >> (8 * (i % 8))) as u8;
    }
    out
}

/// EIP-198 `adjusted_exponent_length` from the exponent's declared length and its first (at
/// most) 32 bytes.
fn adjusted_exponent_length(exp_len: u128, exp_head: &[u8]) -> u128 {
    let highest_bit = exp_head
        .iter()
        .position(|b| *b != 0)
        .map(|i| 8 * (exp_head.len() - i) as u128 - u128::from(exp_head[i].leading_zeros()) - 1);
    let head = highest_bit.unwrap_or(0);
    if exp_len <= 32 {
        head
    } else {
        (exp_len - 32).saturating_mul(8).saturating_add(head)
    }
}

/// The price of a call with these declared lengths; `eip2565` selects Berlin's formula.
pub fn price(base_len: u128, exp_len: u128, mod_len: u128, exp_head: &[u8], eip2565: bool) -> u128 {
    let max_len = base_len.max(mod_len);
    let iterations = adjusted_exponent_length(exp_len, exp_head).max(1);
    if eip2565 {
        let words = max_len.div_ceil(8);
        let complexity = words.saturating_mul(words);
        (complexity.saturating_mul(iterations) / 3).max(200)
    } else {
        let x = max_len;
        let x2 = x.saturating_mul(x);
        let complexity = if x <= 64 {
            x2
        } else if x <= 1024 {
            (x2 / 4).saturating_add(96 * x).saturating_sub(3072)
        } else {
            (x2 / 16)
                .saturating_add(x.saturating_mul(480))
                .saturating_sub(199_680)
        };
        complexity.saturating_mul(iterations) / 20
    }
}
