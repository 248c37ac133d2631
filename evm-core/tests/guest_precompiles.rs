//! The guest precompiles (the `precompiles` crate, the code of the Wasm modules) against the
//! native set (k256, substrate-bn, sha2, ripemd, aurora-engine-modexp, EIP-152's F): the EIPs'
//! vectors and thousands of random and edge-case inputs, at several gas limits and in every
//! pricing era. Same output, same gas, same kind of failure.

use evm_core::precompiles::{
    GuestPrecompiles, NativePrecompiles, PrecompileFailure, PrecompileResult, Precompiles,
    precompile_address,
};
use evm_core::spec::SpecId;

/// Forks where a price changes: Byzantium (EIP-196/197/198), Istanbul (EIP-1108, blake2f),
/// Berlin (EIP-2565), Cancun.
const SPECS: [SpecId; 4] = [
    SpecId::Byzantium,
    SpecId::Istanbul,
    SpecId::Berlin,
    SpecId::Cancun,
];

/// A failure's kind: the messages are each implementation's own.
fn kind(result: &Option<PrecompileResult>) -> String {
    match result {
        Some(Err(PrecompileFailure::InvalidInput(_))) => "invalid input".into(),
        other => format!("{other:?}"),
    }
}

/// Checks one input at a generous limit, at exactly the price, and one below it.
fn agree(number: u8, input: &[u8]) {
    for spec in SPECS {
        let address = precompile_address(number);
        let native = NativePrecompiles.execute(spec, address, input, 100_000_000);
        let guest = GuestPrecompiles.execute(spec, address, input, 100_000_000);
        assert_eq!(
            kind(&native),
            kind(&guest),
            "precompile {number:#04x} at {spec} on {}",
            hex::encode(input)
        );
        if let Some(Ok(out)) = &native {
            for limit in [out.gas_used, out.gas_used.saturating_sub(1)] {
                let native = NativePrecompiles.execute(spec, address, input, limit);
                let guest = GuestPrecompiles.execute(spec, address, input, limit);
                assert_eq!(
                    kind(&native),
                    kind(&guest),
                    "{number:#04x} at {spec}, limit {limit}"
                );
            }
        }
    }
}

/// xorshift64: reproducible inputs without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).expect("hex literal")
}

#[test]
fn hashes_and_identity_on_random_lengths() {
    let mut rng = Rng(1);
    for len in (0..300).chain([511, 512, 513, 1000, 4096, 8192]) {
        let input = rng.bytes(len);
        for number in [2, 3, 4] {
            agree(number, &input);
        }
    }
}

mod ecrecover {
    use super::*;
    use k256::ecdsa::SigningKey;

    fn encode(hash: &[u8; 32], v: u8, r: &[u8], s: &[u8]) -> Vec<u8> {
        let mut input = hash.to_vec();
        input.extend_from_slice(&[0u8; 31]);
        input.push(v);
        input.extend_from_slice(r);
        input.extend_from_slice(s);
        input
    }

    const N: &str = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";

    #[test]
    fn valid_tampered_and_malformed_signatures() {
        let mut rng = Rng(2);
        let n = h(N);
        let mut recovered = 0;
        for i in 0..300 {
            let key = loop {
                if let Ok(key) = SigningKey::from_slice(&rng.bytes(32)) {
                    break key;
                }
            };
            let mut hash = [0u8; 32];
            hash.copy_from_slice(&rng.bytes(32));
            if i % 50 == 0 {
                // A hash above the group order (reduced by both).
                hash = [0xff; 32];
            }
            let (signature, id) = key.sign_prehash_recoverable(&hash).expect("sign");
            let bytes = signature.to_bytes();
            let (r, s) = bytes.split_at(32);
            let v = 27 + u8::from(id.is_y_odd());
            let input = encode(&hash, v, r, s);
            let out = GuestPrecompiles
                .execute(SpecId::Cancun, precompile_address(1), &input, 3_000)
                .expect("active");
            assert_eq!(out.as_ref().map(|o| o.bytes.len()), Ok(32));
            recovered += 1;
            agree(1, &input);
            // The other parity, the other v values, high s (n - s), tampered r.
            agree(1, &encode(&hash, 55 - v, r, s));
            for bad_v in [0, 1, 26, 29, 255] {
                agree(1, &encode(&hash, bad_v, r, s));
            }
            let high_s = {
                let mut out = [0u8; 32];
                let mut borrow = 0i16;
                for j in (0..32).rev() {
                    let mut d = i16::from(n[j]) - i16::from(s[j]) - borrow;
                    borrow = i16::from(d < 0);
                    if d < 0 {
                        d += 256;
                    }
                    out[j] = d as u8;
                }
                out
            };
            agree(1, &encode(&hash, 55 - v, r, &high_s));
            let mut r2 = r.to_vec();
            r2[31] ^= 1;
            agree(1, &encode(&hash, v, &r2, s));
            // Truncated input (zero-padded by both) and trailing bytes (ignored).
            agree(1, &input[..100]);
            let mut long = input.clone();
            long.extend_from_slice(&rng.bytes(40));
            agree(1, &long);
        }
        assert_eq!(recovered, 300);
        // r or s zero, equal to n, above n, all ones; x not on the curve.
        let hash = [7u8; 32];
        let one = {
            let mut w = [0u8; 32];
            w[31] = 1;
            w
        };
        for r in [[0u8; 32].to_vec(), n.clone(), vec![0xff; 32], one.to_vec()] {
            for s in [[0u8; 32].to_vec(), n.clone(), vec![0xff; 32], one.to_vec()] {
                agree(1, &encode(&hash, 27, &r, &s));
                agree(1, &encode(&hash, 28, &r, &s));
            }
        }
        for _ in 0..500 {
            agree(1, &rng.bytes(128));
        }
        agree(1, &[]);
    }
}

mod bn128 {
    use super::*;
    use substrate_bn::{AffineG1, AffineG2, Fr, G1, G2, Group};

    const P: &str = "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47";
    const R: &str = "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";

    fn scalar(rng: &mut Rng) -> Fr {
        Fr::from_slice(&rng.bytes(32)[..]).unwrap_or_else(|_| Fr::one())
    }

    pub(super) fn g1(p: G1) -> Vec<u8> {
        let mut out = vec![0u8; 64];
        if let Some(a) = AffineG1::from_jacobian(p) {
            let (x, y) = out.split_at_mut(32);
            a.x().to_big_endian(x).expect("32 bytes");
            a.y().to_big_endian(y).expect("32 bytes");
        }
        out
    }

    pub(super) fn g2(q: G2) -> Vec<u8> {
        let mut out = vec![0u8; 128];
        if let Some(a) = AffineG2::from_jacobian(q) {
            let parts = [
                a.x().imaginary(),
                a.x().real(),
                a.y().imaginary(),
                a.y().real(),
            ];
            for (chunk, part) in out.chunks_exact_mut(32).zip(parts) {
                part.to_big_endian(chunk).expect("32 bytes");
            }
        }
        out
    }

    fn edge_g1(rng: &mut Rng) -> Vec<Vec<u8>> {
        let p = h(P);
        let mut off_curve = g1(G1::one() * scalar(rng));
        off_curve[63] ^= 1;
        let mut x_at_p = p.clone();
        x_at_p.extend_from_slice(&[0u8; 32]);
        let mut one_two = vec![0u8; 64];
        one_two[31] = 1;
        one_two[63] = 2;
        vec![vec![0u8; 64], off_curve, x_at_p, vec![0xff; 64], one_two]
    }

    #[test]
    fn add_and_mul_on_random_and_edge_points() {
        let mut rng = Rng(3);
        for _ in 0..400 {
            let a = G1::one() * scalar(&mut rng);
            let b = G1::one() * scalar(&mut rng);
            agree(6, &[g1(a), g1(b)].concat());
            agree(6, &[g1(a), g1(a)].concat());
            agree(6, &[g1(a), g1(-a)].concat());
            agree(6, &[g1(a), vec![0u8; 64]].concat());
            agree(6, &[g1(a), g1(b)].concat()[..rng.below(128) as usize]);
            let k = rng.bytes(32);
            agree(7, &[g1(a), k].concat());
        }
        let a = g1(G1::one() * scalar(&mut rng));
        let r = h(R);
        let mut r_minus_1 = r.clone();
        r_minus_1[31] -= 1;
        for k in [vec![0u8; 32], vec![0xff; 32], r, r_minus_1, vec![1u8; 1]] {
            agree(7, &[a.clone(), k].concat());
        }
        for bad in edge_g1(&mut rng) {
            agree(6, &[bad.clone(), a.clone()].concat());
            agree(6, &[a.clone(), bad.clone()].concat());
            agree(7, &[bad, vec![3u8; 32]].concat());
        }
        for len in [0, 1, 63, 64, 65, 127, 128, 129, 200] {
            agree(6, &rng.bytes(len));
            agree(7, &rng.bytes(len));
        }
    }

    #[test]
    fn pairing_on_bilinear_instances_and_malformed_points() {
        let mut rng = Rng(4);
        for pairs in 1..=6 {
            for _ in 0..4 {
                // prod e(a_i P, b_i Q) e(-(sum a_i b_i) P, Q) = 1; changing one scalar breaks it.
                let mut input = Vec::new();
                let mut sum = Fr::zero();
                for _ in 0..pairs {
                    let (a, b) = (scalar(&mut rng), scalar(&mut rng));
                    sum = sum + a * b;
                    input.extend(g1(G1::one() * a));
                    input.extend(g2(G2::one() * b));
                }
                input.extend(g1(-(G1::one() * sum)));
                input.extend(g2(G2::one()));
                let out = GuestPrecompiles
                    .execute(SpecId::Cancun, precompile_address(8), &input, 10_000_000)
                    .expect("active")
                    .expect("valid");
                assert_eq!(out.bytes[31], 1, "{pairs} pairs");
                agree(8, &input);
                // The same shape with the last G1 point moved: the product is no longer one.
                let broken = [
                    &input[..input.len() - 192],
                    &g1(-(G1::one() * (sum + Fr::one()))),
                    &g2(G2::one()),
                ]
                .concat();
                let out = GuestPrecompiles
                    .execute(SpecId::Cancun, precompile_address(8), &broken, 10_000_000)
                    .expect("active")
                    .expect("valid");
                assert_eq!(out.bytes[31], 0);
                agree(8, &broken);
            }
        }
        let q = g2(G2::one() * scalar(&mut rng));
        let p = g1(G1::one() * scalar(&mut rng));
        agree(8, &[]);
        agree(8, &[vec![0u8; 64], q.clone()].concat());
        agree(8, &[p.clone(), vec![0u8; 128]].concat());
        agree(8, &[p.clone(), q.clone()].concat());
        for bad in edge_g1(&mut rng) {
            agree(8, &[bad, q.clone()].concat());
        }
        let mut off_twist = q.clone();
        off_twist[127] ^= 1;
        let mut at_p = q.clone();
        at_p[..32].copy_from_slice(&h(P));
        let outside = GuestPrecompiles
            .execute(
                SpecId::Cancun,
                precompile_address(8),
                &[p.clone(), h(crate::NOT_IN_G2)].concat(),
                10_000_000,
            )
            .expect("active");
        assert_eq!(
            outside,
            Err(PrecompileFailure::InvalidInput(
                "bn128: G2 point not in the subgroup"
            ))
        );
        for bad in [off_twist, at_p, vec![0xff; 128], h(crate::NOT_IN_G2)] {
            agree(8, &[p.clone(), bad].concat());
        }
        for len in [1, 191, 193, 383] {
            agree(8, &rng.bytes(len));
        }
    }
}

/// A point on the BN254 twist outside the order-r subgroup
/// (`python3 precompiles/tools/constants.py --test-vectors` finds it).
const NOT_IN_G2: &str = "000000000000000000000000000000000000000000000000000000000000000200000000000000000000000000000000000000000000000000000000000000011b2a1855a4e18488457f136e6ecb627341346445800ed2ed6ab74dc9af538a6605202d732f082c817c10572228d33ffff38c112711b9b854f4e301b1c254340c";

mod modexp {
    use super::*;

    fn word(n: usize) -> Vec<u8> {
        let mut w = vec![0u8; 32];
        w[24..].copy_from_slice(&(n as u64).to_be_bytes());
        w
    }

    fn encode(base: &[u8], exp: &[u8], modulus: &[u8]) -> Vec<u8> {
        [
            word(base.len()),
            word(exp.len()),
            word(modulus.len()),
            base.to_vec(),
            exp.to_vec(),
            modulus.to_vec(),
        ]
        .concat()
    }

    #[test]
    fn eip_examples_random_operands_and_odd_lengths() {
        // EIP-198's examples.
        agree(
            5,
            &h(
                "0000000000000000000000000000000000000000000000000000000000000001000000000000000000000000000000000000000000000000000000000000002000000000000000000000000000000000000000000000000000000000000000200000000000000000000000000000000000000000000000000000000000000003fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2efffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f",
            ),
        );
        agree(
            5,
            &h(
                "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000200000000000000000000000000000000000000000000000000000000000000020fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2efffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f",
            ),
        );
        agree(
            5,
            &h(
                "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
            ),
        );
        let mut rng = Rng(5);
        for i in 0..1500 {
            let lens = [
                rng.below(if i % 10 == 0 { 300 } else { 70 }) as usize,
                rng.below(40) as usize,
                rng.below(if i % 10 == 0 { 300 } else { 70 }) as usize,
            ];
            let base = rng.bytes(lens[0]);
            let exp = rng.bytes(lens[1]);
            let mut modulus = rng.bytes(lens[2]);
            match i % 5 {
                // Even moduli, and moduli with many trailing zero bits.
                0 => {
                    if let Some(last) = modulus.last_mut() {
                        *last &= 0xf0;
                    }
                }
                1 => {
                    let n = modulus.len();
                    modulus[n / 2..].iter_mut().for_each(|b| *b = 0);
                }
                // Leading zeros in every operand.
                2 => {
                    modulus.iter_mut().take(3).for_each(|b| *b = 0);
                }
                _ => {}
            }
            let input = encode(&base, &exp, &modulus);
            agree(5, &input);
            // Short inputs (zero-padded), and trailing bytes.
            agree(5, &input[..input.len() * 3 / 4]);
        }
        // Degenerate moduli: zero, one, two, a power of two; zero exponents; zero base.
        for modulus in [
            vec![],
            vec![0],
            vec![1],
            vec![2],
            vec![0, 0, 1],
            vec![128, 0, 0, 0, 0, 0, 0, 0, 0],
        ] {
            for exp in [vec![], vec![0], vec![1], vec![0xff; 33]] {
                for base in [vec![], vec![0], vec![3], vec![0xff; 65]] {
                    agree(5, &encode(&base, &exp, &modulus));
                }
            }
        }
        // Large operands: the generic limb path (beyond 384 bits), a base longer than the
        // modulus, odd and even 2048- and 4096-byte moduli.
        for (base_len, mod_len) in [(4096, 2048), (2048, 2048), (100, 4096)] {
            let mut modulus = rng.bytes(mod_len);
            modulus[0] |= 0x80;
            agree(5, &encode(&rng.bytes(base_len), &[1, 0, 1], &modulus));
            modulus[mod_len - 1] &= 0xfe;
            agree(5, &encode(&rng.bytes(base_len), &[3], &modulus));
        }
        // Declared lengths no gas can pay for.
        let mut huge = word(1);
        huge.extend([0xff; 32]);
        huge.extend(word(1));
        agree(5, &huge);
        agree(5, &[vec![0xff; 32], word(1), word(1)].concat());
        agree(5, &[word(1), word(1), vec![0x0f; 32]].concat());
    }
}

mod blake2f {
    use super::*;

    /// EIP-152 test vector 5 without its rounds (first 4 bytes) and final flag (last byte).
    const VECTOR_5_BODY: &str = concat!(
        "48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5",
        "d182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b",
        "6162630000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0300000000000000",
        "0000000000000000",
    );

    /// EIP-152's vectors 4 to 7: rounds, final flag, expected output.
    const EIP152: [(&str, &str, &str); 4] = [
        (
            "00000000",
            "01",
            "08c9bcf367e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d282e6ad7f520e511f6c3e2b8c68059b9442be0454267ce079217e1319cde05b",
        ),
        (
            "0000000c",
            "01",
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
        ),
        (
            "0000000c",
            "00",
            "75ab69d3190a562c51aef8d88f1c2775876944407270c42c9844252c26d2875298743e7f6d5ea2f2d3e8d226039cd31b4e426ac4f2d3d666a610c2116fde4735",
        ),
        (
            "00000001",
            "01",
            "b63a380cb2897d521994a85234ee2c181b5f844d2c624c002677e9703449d2fba551b3a8333bcdf5f2f7e08993d53923de3d64fcc68c034e717b9293fed7a421",
        ),
    ];

    #[test]
    fn eip152_vectors_and_random_states() {
        for (rounds, last, expected) in EIP152 {
            let input = h(&format!("{rounds}{VECTOR_5_BODY}{last}"));
            let out = GuestPrecompiles
                .execute(SpecId::Cancun, precompile_address(9), &input, 100)
                .expect("active")
                .expect("valid");
            assert_eq!(hex::encode(&out.bytes), expected);
            agree(9, &input);
        }
        let valid = h(&format!("0000000c{VECTOR_5_BODY}01"));
        agree(9, &valid[..212]);
        agree(9, &[valid.clone(), vec![0]].concat());
        let mut bad_flag = valid.clone();
        bad_flag[212] = 2;
        agree(9, &bad_flag);
        let mut rng = Rng(6);
        for _ in 0..2000 {
            let mut input = rng.bytes(213);
            let rounds = rng.below(64) as u32;
            input[..4].copy_from_slice(&rounds.to_be_bytes());
            input[212] = (rng.next() & 1) as u8;
            agree(9, &input);
        }
        // More rounds than any limit pays for: out of gas in both, before any work.
        let mut max = valid;
        max[..4].copy_from_slice(&[0xff; 4]);
        agree(9, &max);
    }
}

#[test]
fn every_precompile_on_junk_of_every_length() {
    let mut rng = Rng(7);
    for number in 1..=9 {
        for len in [
            0usize, 1, 31, 32, 33, 64, 95, 96, 97, 128, 129, 191, 192, 213, 384,
        ] {
            for fill in [0u8, 0xff] {
                agree(number, &vec![fill; len]);
            }
            agree(number, &rng.bytes(len));
        }
    }
}

mod point_evaluation {
    use super::*;
    use sha2::Digest;

    fn input(commitment: &str, z: &str, y: &str, proof: &str) -> Vec<u8> {
        let commitment = h(commitment);
        let mut hash: [u8; 32] = sha2::Sha256::digest(&commitment).into();
        hash[0] = 1;
        [hash.to_vec(), h(z), h(y), commitment, h(proof)].concat()
    }

    #[test]
    fn c_kzg_vectors_and_malformed_inputs() {
        let text = include_str!("data/c_kzg_verify_kzg_proof.txt");
        let mut verified = 0;
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let f: Vec<&str> = line.split(' ').collect();
            let good = input(f[1], f[2], f[3], f[4]);
            let out =
                GuestPrecompiles.execute(SpecId::Cancun, precompile_address(10), &good, 50_000);
            assert_eq!(
                matches!(out, Some(Ok(_))),
                f[5] == "true",
                "{}: {out:?}",
                f[0]
            );
            verified += usize::from(f[5] == "true");
            agree_cancun(&good);
            // Every single-bit change of the commitment, z, y and proof bytes' first byte.
            for at in [0, 32, 64, 96, 144, 191] {
                let mut bad = good.clone();
                bad[at] ^= 0x01;
                agree_cancun(&bad);
                bad[at] ^= 0x81;
                agree_cancun(&bad);
            }
            agree_cancun(&good[..191]);
            agree_cancun(&[good.clone(), vec![0]].concat());
        }
        assert_eq!(verified, 9);
        let mut rng = Rng(8);
        for _ in 0..200 {
            agree_cancun(&rng.bytes(192));
        }
    }

    /// Point evaluation exists from Cancun on only.
    fn agree_cancun(input: &[u8]) {
        let address = precompile_address(10);
        for limit in [50_000, 49_999, 1_000_000] {
            let native = NativePrecompiles.execute(SpecId::Cancun, address, input, limit);
            let guest = GuestPrecompiles.execute(SpecId::Cancun, address, input, limit);
            assert_eq!(
                kind(&native),
                kind(&guest),
                "limit {limit} on {}",
                hex::encode(input)
            );
        }
    }
}
