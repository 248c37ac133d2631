#!/usr/bin/env python3
"""Writes the curve constants of the precompiles crate (src/*/constants.rs).

Every constant is derived here from the curve's defining numbers with Python's big integers, so
the Rust sources hold no hand-copied magic: Montgomery forms, Frobenius coefficients of the
towers, twist coefficients and exponents. Run from precompiles/: python3 tools/constants.py
"""

import os

HEADER = "// Written by tools/constants.py from the curve's defining numbers; do not edit by hand.\n"


def limbs(x, n):
    out = []
    for _ in range(n):
        out.append(x & (2**64 - 1))
        x >>= 64
    assert x == 0
    return out


def rust_limbs(x, n):
    return "[" + ", ".join("0x%016x" % l for l in limbs(x, n)) + "]"


class Field:
    def __init__(self, p, n):
        self.p, self.n = p, n
        self.R = pow(2, 64 * n, p)

    def mont(self, x):
        return x * self.R % self.p

    def inv64(self):
        return (-pow(self.p, -1, 2**64)) % 2**64


def fp2_mul(a, b, p):
    # Fp2 = Fp[u] / (u^2 + 1)
    return ((a[0] * b[0] - a[1] * b[1]) % p, (a[0] * b[1] + a[1] * b[0]) % p)


def fp2_pow(a, e, p):
    result = (1, 0)
    while e:
        if e & 1:
            result = fp2_mul(result, a, p)
        a = fp2_mul(a, a, p)
        e >>= 1
    return result


def fp2_inv(a, p):
    norm = (a[0] * a[0] + a[1] * a[1]) % p
    ninv = pow(norm, -1, p)
    return (a[0] * ninv % p, (-a[1]) * ninv % p)


def field_block(name, f):
    lines = []
    n = f.n
    lines.append("/// The modulus of %s, little-endian limbs." % name)
    lines.append("pub(crate) const MODULUS: [u64; %d] = %s;" % (n, rust_limbs(f.p, n)))
    lines.append("/// `-MODULUS^-1 mod 2^64`, the Montgomery constant.")
    lines.append("pub(crate) const INV: u64 = 0x%016x;" % f.inv64())
    lines.append("/// `2^%d mod MODULUS`: one in Montgomery form." % (64 * n))
    lines.append("pub(crate) const R: [u64; %d] = %s;" % (n, rust_limbs(f.R, n)))
    lines.append("/// `2^%d mod MODULUS`: converts into Montgomery form." % (128 * n))
    lines.append("pub(crate) const R2: [u64; %d] = %s;" % (n, rust_limbs(f.R * f.R % f.p, n)))
    lines.append("/// `MODULUS - 2`: the exponent of inversion (Fermat).")
    lines.append("pub(crate) const MODULUS_MINUS_2: [u64; %d] = %s;" % (n, rust_limbs(f.p - 2, n)))
    return lines


def fp2_const(name, doc, f, v):
    return [
        "/// %s" % doc,
        "pub(crate) const %s: [[u64; %d]; 2] = [%s, %s];"
        % (name, f.n, rust_limbs(f.mont(v[0]), f.n), rust_limbs(f.mont(v[1]), f.n)),
    ]


def fp2_table(name, doc, f, values):
    rows = ",\n".join(
        "    [%s, %s]" % (rust_limbs(f.mont(v[0]), f.n), rust_limbs(f.mont(v[1]), f.n)) for v in values
    )
    return ["/// %s" % doc, "pub(crate) const %s: [[[u64; %d]; 2]; %d] = [\n%s,\n];" % (name, f.n, len(values), rows)]


def tower_block(f, xi):
    p = f.p
    lines = []
    c6_1, c6_2, c12 = [], [], []
    for i in range(12):
        e = p**i - 1
        assert e % 6 == 0
        c6_1.append(fp2_pow(xi, e // 3, p))
        c6_2.append(fp2_pow(xi, 2 * e // 3, p))
        c12.append(fp2_pow(xi, e // 6, p))
    lines += fp2_table("FROBENIUS_FP6_C1", "`xi^((p^i - 1) / 3)`, Montgomery form: Frobenius of Fp6's `v` coefficient.", f, c6_1[:6])
    lines += fp2_table("FROBENIUS_FP6_C2", "`xi^((2 p^i - 2) / 3)`: Frobenius of Fp6's `v^2` coefficient.", f, c6_2[:6])
    lines += fp2_table("FROBENIUS_FP12_C1", "`xi^((p^i - 1) / 6)`: Frobenius of Fp12's `w` coefficient.", f, c12)
    return lines


def write(path, lines):
    with open(path, "w") as out:
        out.write(HEADER + "\n" + "\n".join(lines) + "\n")


def bn254():
    p = 21888242871839275222246405745257275088696311157297823662689037894645226208583
    r = 21888242871839275222246405745257275088548364400416034343698204186575808495617
    z = 4965661367192848881
    f = Field(p, 4)
    xi = (9, 1)
    assert p % 4 == 3
    lines = ["//! BN254 (alt_bn128) constants: the base field, the tower over `xi = 9 + u`, the twist.", ""]
    lines += field_block("the BN254 base field Fq", f)
    lines.append("/// The order of G1 and G2, little-endian limbs (the tests' reference subgroup check).")
    lines.append("#[cfg(test)]")
    lines.append("pub(crate) const ORDER: [u64; 4] = %s;" % rust_limbs(r, 4))
    lines.append("/// The BN parameter `u` (the final exponentiation's `z`).")
    lines.append("pub(crate) const BN_U: u64 = %d;" % z)
    lines.append("/// The optimal ate loop count `6u + 2`.")
    lines.append("pub(crate) const ATE_LOOP_COUNT: u128 = %d;" % (6 * z + 2))
    lines.append("/// 3 in Montgomery form: the G1 curve's `b`.")
    lines.append("pub(crate) const B: [u64; 4] = %s;" % rust_limbs(f.mont(3), 4))
    twist_b = fp2_mul((3, 0), fp2_inv(xi, p), p)
    lines += fp2_const("TWIST_B", "`3 / xi`: the twist's `b`.", f, twist_b)
    lines += fp2_const("XI", "`xi = 9 + u`, the non-residue of Fp6 over Fp2.", f, xi)
    lines += fp2_const("TWIST_MUL_BY_Q_X", "`xi^((p - 1) / 3)`: the Frobenius endomorphism of the twist, on x.", f, fp2_pow(xi, (p - 1) // 3, p))
    lines += fp2_const("TWIST_MUL_BY_Q_Y", "`xi^((p - 1) / 2)`: the Frobenius endomorphism of the twist, on y.", f, fp2_pow(xi, (p - 1) // 2, p))
    lines.append("/// `1 / 2` in Montgomery form (the doubling step's halving).")
    lines.append("pub(crate) const TWO_INV: [u64; 4] = %s;" % rust_limbs(f.mont(pow(2, -1, p)), 4))
    lines += tower_block(f, xi)
    write("src/bn254/constants.rs", lines)


def secp256k1():
    p = 2**256 - 2**32 - 977
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    gx = 0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798
    gy = 0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8
    assert (gy * gy - gx**3 - 7) % p == 0
    fp, fn = Field(p, 4), Field(n, 4)
    lines = ["//! secp256k1 constants: the base field, the scalar field, the generator.", "", "/// The base field.", "pub(crate) mod fp {"]
    lines += ["    " + l for l in field_block("the secp256k1 base field", fp)]
    lines.append("    /// `(p + 1) / 4`: the square root exponent (`p = 3 mod 4`).")
    lines.append("    pub(crate) const SQRT_EXP: [u64; 4] = %s;" % rust_limbs((p + 1) // 4, 4))
    lines.append("    /// 7 in Montgomery form: the curve's `b`.")
    lines.append("    pub(crate) const B: [u64; 4] = %s;" % rust_limbs(fp.mont(7), 4))
    # Odd multiples 1G, 3G, ..., 63G in affine form: the table of the generator's width-7 NAF.
    def add(P, Q):
        if P is None:
            return Q
        if Q is None:
            return P
        if P[0] == Q[0]:
            if (P[1] + Q[1]) % p == 0:
                return None
            lam = 3 * P[0] * P[0] * pow(2 * P[1], -1, p) % p
        else:
            lam = (Q[1] - P[1]) * pow(Q[0] - P[0], -1, p) % p
        x = (lam * lam - P[0] - Q[0]) % p
        return (x, (lam * (P[0] - x) - P[1]) % p)
    g = (gx, gy)
    two_g = add(g, g)
    multiples = [g]
    for _ in range(31):
        multiples.append(add(multiples[-1], two_g))
    rows = ",\n".join("        [%s, %s]" % (rust_limbs(fp.mont(m[0]), 4), rust_limbs(fp.mont(m[1]), 4)) for m in multiples)
    lines.append("    /// `(2 i + 1) G` for `i` in `0..32`, affine, Montgomery form: the generator's wNAF table.")
    lines.append("    pub(crate) const G_ODD_MULTIPLES: [[[u64; 4]; 2]; 32] = [\n%s,\n    ];" % rows)
    lines.append("}")
    lines += ["", "/// The scalar field (the group order).", "pub(crate) mod fn_ {"]
    lines += ["    " + l for l in field_block("the secp256k1 scalar field", fn)]
    lines.append("}")
    write("src/secp256k1/constants.rs", lines)


def bls12_381():
    p = 0x1A0111EA397FE69A4B1BA7B6434BACD764774B84F38512BF6730D2A0F6B0F6241EABFFFEB153FFFFB9FEFFFFFFFFAAAB
    r = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
    x = 0xD201000000010000  # the BLS parameter is -x
    assert p % 4 == 3
    f = Field(p, 6)
    xi = (1, 1)
    b2 = (4, 4)
    g1 = (
        0x17F1D3A73197D7942695638C4FA9AC0FC3688C4F9774B905A14E3A3F171BAC586C55E83FF97A1AEFFB3AF00ADB22C6BB,
        0x08B3F481E3AAA0F1A09E30ED741D8AE4FCF5E095D5D00AF600DB18CB2C04B3EDD03CC744A2888AE40CAA232946C5E7E1,
    )
    g2 = (
        (
            0x024AA2B2F08F0A91260805272DC51051C6E47AD4FA403B02B4510B647AE3D1770BAC0326A805BBEFD48056C8C121BDB8,
            0x13E02B6052719F607DACD3A088274F65596BD0D09920B61AB5DA61BBDC7F5049334CF11213945D57E5AC7D055D042B7E,
        ),
        (
            0x0CE5D527727D6E118CC9CDC6DA2E351AADFD9BAA8CBDD3A76D429A695160D12C923AC9CC3BACA289E193548608B82801,
            0x0606C4A02EA734CC32ACD2B02BC28B99CB3E287E85A763AF267492AB572E99AB3F370D275CEC1DA1AAA9075FF05F79BE,
        ),
    )
    assert (g1[1] ** 2 - g1[0] ** 3 - 4) % p == 0
    gx, gy = g2
    assert fp2_mul(gy, gy, p) == fp2_add(fp2_mul(fp2_mul(gx, gx, p), gx, p), b2, p)
    # The trusted setup's [tau] G2 (EIP-4844's KZG_SETUP_G2[1]), compressed as in the ZCash format.
    tau = bytes.fromhex(
        "b5bfd7dd8cdeb128843bc287230af38926187075cbfbefa81009a2ce615ac53d2914e5870cb452d2afaaab24f3499f72"
        "185cbfee53492714734429b7b38608e23926c911cceceac9a36851477ba4c60b087041de621000edc98edada20c1def2"
    )
    flags = tau[0] >> 5
    assert flags & 0b100 and not flags & 0b010
    x1 = int.from_bytes(bytes([tau[0] & 0x1F]) + tau[1:48], "big")
    x0 = int.from_bytes(tau[48:], "big")
    tx = (x0, x1)
    ty = fp2_sqrt(fp2_add(fp2_mul(fp2_mul(tx, tx, p), tx, p), b2, p), p)
    assert ty is not None
    neg = ((-ty[0]) % p, (-ty[1]) % p)
    # The sign bit picks the lexicographically larger y (c1 first, then c0).
    larger = max(ty, neg, key=lambda v: (v[1], v[0]))
    ty = larger if flags & 0b001 else min(ty, neg, key=lambda v: (v[1], v[0]))
    lines = ["//! BLS12-381 constants: the base field, the tower over `xi = 1 + u`, generators, the setup.", ""]
    lines += field_block("the BLS12-381 base field", f)
    lines.append("/// The order of G1 and G2 (the scalar field's modulus), little-endian limbs.")
    lines.append("pub(crate) const ORDER: [u64; 4] = %s;" % rust_limbs(r, 4))
    lines.append("/// `|x|`, the absolute value of the (negative) BLS parameter.")
    lines.append("pub(crate) const BLS_X: u64 = 0x%016x;" % x)
    lines.append("/// `(p + 1) / 4`: the square root exponent (`p = 3 mod 4`).")
    lines.append("pub(crate) const SQRT_EXP: [u64; 6] = %s;" % rust_limbs((p + 1) // 4, 6))
    lines.append("/// `(p - 1) / 2`: a canonical value above it is the \"larger\" of a square root pair.")
    lines.append("pub(crate) const HALF_MODULUS: [u64; 6] = %s;" % rust_limbs((p - 1) // 2, 6))
    lines.append("/// 4 in Montgomery form: G1's `b`.")
    lines.append("pub(crate) const B: [u64; 6] = %s;" % rust_limbs(f.mont(4), 6))
    lines.append("/// G1's generator, Montgomery form.")
    lines.append("pub(crate) const G1_X: [u64; 6] = %s;" % rust_limbs(f.mont(g1[0]), 6))
    lines.append("/// G1's generator, Montgomery form.")
    lines.append("pub(crate) const G1_Y: [u64; 6] = %s;" % rust_limbs(f.mont(g1[1]), 6))
    lines += fp2_const("G2_X", "G2's generator.", f, g2[0])
    lines += fp2_const("G2_Y", "G2's generator.", f, g2[1])
    lines += fp2_const("TAU_G2_X", "The trusted setup's `[tau] G2`, decompressed.", f, tx)
    lines += fp2_const("TAU_G2_Y", "The trusted setup's `[tau] G2`, decompressed.", f, ty)
    # G1 membership by the endomorphism phi(x, y) = (beta x, y): P in G1 iff phi(P) = -u^2 P
    # (Scott, "A note on group membership tests for G1, G2 and GT on BLS pairing-friendly
    # curves"); of the two cube roots of unity, beta is the one that matches on the generator.
    def g1_add(P, Q):
        if P is None:
            return Q
        if Q is None:
            return P
        if P[0] == Q[0]:
            if (P[1] + Q[1]) % p == 0:
                return None
            lam = 3 * P[0] * P[0] * pow(2 * P[1], -1, p) % p
        else:
            lam = (Q[1] - P[1]) * pow(Q[0] - P[0], -1, p) % p
        x3 = (lam * lam - P[0] - Q[0]) % p
        return (x3, (lam * (P[0] - x3) - P[1]) % p)

    def g1_mul(P, k):
        result = None
        while k:
            if k & 1:
                result = g1_add(result, P)
            P = g1_add(P, P)
            k >>= 1
        return result

    u2 = x * x
    minus_u2_g = g1_mul(g1, u2)
    minus_u2_g = (minus_u2_g[0], (-minus_u2_g[1]) % p)
    beta = None
    for candidate in (pow(2, (p - 1) // 3, p), pow(2, 2 * (p - 1) // 3, p)):
        assert pow(candidate, 3, p) == 1 and candidate != 1
        if (candidate * g1[0] % p, g1[1]) == minus_u2_g:
            beta = candidate
    assert beta is not None
    lines.append("/// `beta`, the cube root of unity of G1's endomorphism `(x, y) -> (beta x, y)`, Montgomery form.")
    lines.append("pub(crate) const BETA: [u64; 6] = %s;" % rust_limbs(f.mont(beta), 6))
    lines.append("/// `u^2` for the BLS parameter `u`: `phi(P) = -u^2 P` exactly on G1.")
    lines.append("pub(crate) const U_SQUARED: [u64; 2] = %s;" % rust_limbs(u2, 2))
    lines += tower_block(f, xi)
    write("src/bls12_381/constants.rs", lines)
    global BLS_G1_OUTSIDE
    for xx in range(1, 100):
        rhs = (xx ** 3 + 4) % p
        yy = pow(rhs, (p + 1) // 4, p)
        if yy * yy % p == rhs and g1_mul((xx, yy), r) is not None:
            BLS_G1_OUTSIDE = (xx, yy)
            break




def fp2_add(a, b, p):
    return ((a[0] + b[0]) % p, (a[1] + b[1]) % p)


def fp2_sub(a, b, p):
    return ((a[0] - b[0]) % p, (a[1] - b[1]) % p)


def fp2_sqrt(a, p):
    """A square root in Fp2 for p = 3 mod 4 (Adj and Rodriguez-Henriquez, algorithm 9), or None."""
    a1 = fp2_pow(a, (p - 3) // 4, p)
    alpha = fp2_mul(fp2_mul(a1, a1, p), a, p)
    a0 = fp2_mul(fp2_pow(alpha, p, p), alpha, p)
    if a0 == (p - 1, 0):
        return None
    x0 = fp2_mul(a1, a, p)
    if alpha == (p - 1, 0):
        x = fp2_mul((0, 1), x0, p)
    else:
        b = fp2_pow(fp2_add((1, 0), alpha, p), (p - 1) // 2, p)
        x = fp2_mul(b, x0, p)
    return x if fp2_mul(x, x, p) == a else None


def g2_mul(point, k, p):
    """k * point on the twist, affine, None for infinity."""
    def add(P, Q):
        if P is None:
            return Q
        if Q is None:
            return P
        if P[0] == Q[0]:
            if fp2_add(P[1], Q[1], p) == (0, 0):
                return None
            lam = fp2_mul(fp2_mul((3, 0), fp2_mul(P[0], P[0], p), p), fp2_inv(fp2_add(P[1], P[1], p), p), p)
        else:
            lam = fp2_mul(fp2_sub(Q[1], P[1], p), fp2_inv(fp2_sub(Q[0], P[0], p), p), p)
        x = fp2_sub(fp2_sub(fp2_mul(lam, lam, p), P[0], p), Q[0], p)
        y = fp2_sub(fp2_mul(lam, fp2_sub(P[0], x, p), p), P[1], p)
        return (x, y)
    result = None
    while k:
        if k & 1:
            result = add(result, point)
        point = add(point, point)
        k >>= 1
    return result


def bn254_point_outside_g2():
    """The EIP-197 encoding of the first twist point (x = 1 + t u) outside the order-r subgroup."""
    p = 21888242871839275222246405745257275088696311157297823662689037894645226208583
    r = 21888242871839275222246405745257275088548364400416034343698204186575808495617
    twist_b = fp2_mul((3, 0), fp2_inv((9, 1), p), p)
    for t in range(1, 1000):
        x = (1, t)
        rhs = fp2_add(fp2_mul(fp2_mul(x, x, p), x, p), twist_b, p)
        y = fp2_sqrt(rhs, p)
        if y is not None and g2_mul((x, y), r, p) is not None:
            return "%064x%064x%064x%064x" % (x[1], x[0], y[1], y[0])
    raise AssertionError("no point found")


if __name__ == "__main__":
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    os.makedirs("src/bn254", exist_ok=True)
    os.makedirs("src/secp256k1", exist_ok=True)
    os.makedirs("src/bls12_381", exist_ok=True)
    bn254()
    secp256k1()
    bls12_381()
    if "--test-vectors" in os.sys.argv:
        print("bn254 twist point outside G2:", bn254_point_outside_g2())
        print("bls12-381 curve point outside G1: x = %d, y = %#x" % BLS_G1_OUTSIDE)
