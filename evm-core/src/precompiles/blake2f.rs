//! 0x09 blake2f (EIP-152, Istanbul): the BLAKE2b compression function F with a caller-chosen
//! number of rounds.
//!
//! Written out here because the `blake2` crate does not expose F with a rounds parameter.

use super::interface::{PrecompileFailure, PrecompileOutput, PrecompileResult};
use super::native::charge;

/// Precompile number (address `0x00..09`).
pub(super) const NUMBER: u8 = 0x09;
/// Price per round.
pub(super) const GAS_PER_ROUND: u64 = 1;
/// `rounds(4, BE) ‖ h(64) ‖ m(128) ‖ t(16) ‖ f(1)`.
const INPUT_LEN: usize = 213;

/// BLAKE2b initialization vector (RFC 7693, section 2.6).
const IV: [u64; 8] = [
    0x6a09e667f3bcc908,
    0xbb67ae8584caa73b,
    0x3c6ef372fe94f82b,
    0xa54ff53a5f1d36f1,
    0x510e527fade682d1,
    0x9b05688c2b3e6c1f,
    0x1f83d9abfb41bd6b,
    0x5be0cd19137e2179,
];

/// Message word schedule (RFC 7693, section 2.7); round `i` uses row `i % 10`.
const SIGMA: [[usize; 16]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
    [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
    [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
    [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
    [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
    [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
    [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
    [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
    [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];

/// Runs F over the EIP-152 input; the output is the new state `h`, 64 bytes little-endian.
pub(super) fn run(input: &[u8], gas_limit: u64) -> PrecompileResult {
    // EIP-152: the length is checked before the price is charged.
    let input: &[u8; INPUT_LEN] = input
        .try_into()
        .map_err(|_| PrecompileFailure::InvalidInput("blake2f input must be 213 bytes"))?;
    let rounds = u32::from_be_bytes([input[0], input[1], input[2], input[3]]);
    let final_block = match input[212] {
        0 => false,
        1 => true,
        _ => {
            return Err(PrecompileFailure::InvalidInput(
                "blake2f final flag must be 0 or 1",
            ));
        }
    };
    let gas_used = charge(u64::from(rounds).saturating_mul(GAS_PER_ROUND), gas_limit)?;

    let word = |offset: usize| {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&input[offset..offset + 8]);
        u64::from_le_bytes(bytes)
    };
    let mut h: [u64; 8] = core::array::from_fn(|i| word(4 + 8 * i));
    let m: [u64; 16] = core::array::from_fn(|i| word(68 + 8 * i));
    let t = [word(196), word(204)];
    compress(rounds, &mut h, &m, t, final_block);

    let mut bytes = alloc::vec![0u8; 64];
    for (chunk, value) in bytes.chunks_exact_mut(8).zip(h) {
        chunk.copy_from_slice(&value.to_le_bytes());
    }
    Ok(PrecompileOutput { gas_used, bytes })
}

/// The mixing function G (RFC 7693, section 3.1).
#[inline(always)]
fn g(v: &mut [u64; 16], a: usize, b: usize, c: usize, d: usize, x: u64, y: u64) {
    v[a] = v[a].wrapping_add(v[b]).wrapping_add(x);
    v[d] = (v[d] ^ v[a]).rotate_right(32);
    v[c] = v[c].wrapping_add(v[d]);
    v[b] = (v[b] ^ v[c]).rotate_right(24);
    v[a] = v[a].wrapping_add(v[b]).wrapping_add(y);
    v[d] = (v[d] ^ v[a]).rotate_right(16);
    v[c] = v[c].wrapping_add(v[d]);
    v[b] = (v[b] ^ v[c]).rotate_right(63);
}

/// The compression function F (RFC 7693, section 3.2) with `rounds` rounds instead of 12.
fn compress(rounds: u32, h: &mut [u64; 8], m: &[u64; 16], t: [u64; 2], final_block: bool) {
    let mut v = [0u64; 16];
    v[..8].copy_from_slice(h);
    v[8..].copy_from_slice(&IV);
    v[12] ^= t[0];
    v[13] ^= t[1];
    if final_block {
        v[14] = !v[14];
    }
    for round in 0..rounds as usize {
        let s = &SIGMA[round % 10];
        g(&mut v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
        g(&mut v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
        g(&mut v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
        g(&mut v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
        g(&mut v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
        g(&mut v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
        g(&mut v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
        g(&mut v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for i in 0..8 {
        h[i] ^= v[i] ^ v[i + 8];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// EIP-152 test vector 5 (12 rounds, "abc"); vectors 4, 6, 7, 8 change its first and last
    /// bytes.
    const VECTOR_5: &str = concat!(
        "0000000c",
        "48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5",
        "d182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b",
        "6162630000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0300000000000000",
        "0000000000000000",
        "01"
    );

    fn vector(rounds: &str, last: &str) -> alloc::vec::Vec<u8> {
        let mut text = alloc::string::String::from(rounds);
        text.push_str(&VECTOR_5[8..VECTOR_5.len() - 2]);
        text.push_str(last);
        hex::decode(text).unwrap()
    }

    #[test]
    fn eip152_vectors() {
        let cases = [
            // Vector 4: zero rounds.
            (
                "00000000",
                "01",
                0,
                "08c9bcf367e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d282e6ad7f520e511f6c3e2b8c68059b9442be0454267ce079217e1319cde05b",
            ),
            // Vector 5.
            (
                "0000000c",
                "01",
                12,
                "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
            ),
            // Vector 6: not the final block.
            (
                "0000000c",
                "00",
                12,
                "75ab69d3190a562c51aef8d88f1c2775876944407270c42c9844252c26d2875298743e7f6d5ea2f2d3e8d226039cd31b4e426ac4f2d3d666a610c2116fde4735",
            ),
            // Vector 7: one round.
            (
                "00000001",
                "01",
                1,
                "b63a380cb2897d521994a85234ee2c181b5f844d2c624c002677e9703449d2fba551b3a8333bcdf5f2f7e08993d53923de3d64fcc68c034e717b9293fed7a421",
            ),
        ];
        for (rounds, last, gas, expected) in cases {
            let out = run(&vector(rounds, last), 100).unwrap();
            assert_eq!(out.gas_used, gas);
            assert_eq!(hex::encode(out.bytes), expected, "rounds {rounds}");
        }
    }

    #[test]
    #[ignore = "2^32 - 1 rounds take minutes; run with --ignored"]
    fn eip152_vector_8() {
        let out = run(&vector("ffffffff", "01"), u64::MAX).unwrap();
        assert_eq!(
            hex::encode(out.bytes),
            "fc59093aafa9ab43daae0e914c57635c5402d8e3d2130eb9b3cc181de7f0ecf9b22bf99a7815ce16419e200e01846e6b5df8cc7703041bbceb571de6631d2615"
        );
    }

    #[test]
    fn eip152_invalid_inputs() {
        // Vectors 0-3: empty, one byte short, one byte long, bad final flag.
        let good = vector("0000000c", "01");
        let bad_flag = vector("0000000c", "02");
        for input in [
            &[][..],
            &good[..212],
            &[&good[..], &[0]].concat(),
            &bad_flag,
        ] {
            assert!(matches!(
                run(input, 100),
                Err(PrecompileFailure::InvalidInput(_))
            ));
        }
        assert_eq!(
            run(&good, 11),
            Err(PrecompileFailure::OutOfGas {
                needed: 12,
                limit: 11
            })
        );
        // 2^32 - 1 rounds are priced before any work is done.
        assert!(matches!(
            run(&vector("ffffffff", "01"), 1_000_000),
            Err(PrecompileFailure::OutOfGas {
                needed: 4294967295,
                ..
            })
        ));
    }
}
