//! The inputs `evm-ee bench precompiles` and the criterion bench time: for each precompile the
//! representative cases of issue 5 (the EIPs' examples where they give some), built from fixed
//! seeds so every run times the same bytes. Curve points come from the native set (`k G` by the
//! native bn128 mul), so every case is a valid input with a non-trivial result.

use evm_core::precompiles::{NativePrecompiles, Precompiles, precompile_address};
use evm_core::spec::SpecId;
use precompiles::Precompile;

/// One benchmark input.
#[derive(Clone, Debug)]
pub(crate) struct Case {
    pub(crate) precompile: Precompile,
    /// What the input is, for tables and JSON.
    pub(crate) name: String,
    pub(crate) input: Vec<u8>,
}

/// The fork whose prices every case is run at.
pub(crate) const SPEC: SpecId = SpecId::Cancun;

/// EIP-197's G2 generator, `x_im ‖ x_re ‖ y_im ‖ y_re`.
const G2_GENERATOR: &str = "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c21800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa";
/// The BN254 base field modulus, big-endian.
const BN254_P: &str = "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47";
/// A signature from the ethereum/tests precompile suite (hash, v = 28, r, s).
const ECRECOVER_INPUT: &str = "18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c000000000000000000000000000000000000000000000000000000000000001c73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75feeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549";
/// EIP-198's first example: `3^(p - 1) mod p` for secp256k1's p.
const MODEXP_EIP198: &str = "0000000000000000000000000000000000000000000000000000000000000001000000000000000000000000000000000000000000000000000000000000002000000000000000000000000000000000000000000000000000000000000000200000000000000000000000000000000000000000000000000000000000000003fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2efffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f";

/// A valid KZG proof of the c-kzg-4844 reference tests (`verify_kzg_proof_case_correct_proof_
/// 1ce8e4f69d5df899`, as ethereum/tests' Pyspecs call the precompile with it).
pub(crate) const POINT_EVALUATION_INPUT: &str = "01ad7666ef9d8f53b5adf54f029b13b6f171b1d0bd346a2ede315d3e243484ef73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000000000000000000000000000000000000000000000000000000000000000000000093efc82d2017e9c57834a1246463e64774e56183bb247c8fc9dd98c56817e878d97b05f5c8d900acf1fbbbca6f14655692c51ff81dd71dab71cefecd79e8274b4b7ba36a0f40e2dc086bc4061c7f63249877db23297212991fd63e07b7ebc348";

fn unhex(text: &str) -> Vec<u8> {
    // The constants above are valid hex; an empty input would make the case fail its check.
    witness::hex::decode(text).unwrap_or_default()
}

/// Reproducible bytes (xorshift64).
fn bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.max(1);
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

/// `k G` on BN254's G1, by the native set.
fn g1_times(k: u64) -> Vec<u8> {
    let mut input = vec![0u8; 96];
    input[31] = 1;
    input[63] = 2;
    input[88..].copy_from_slice(&k.to_be_bytes());
    match NativePrecompiles.execute(SPEC, precompile_address(7), &input, u64::MAX) {
        Some(Ok(out)) => out.bytes,
        _ => vec![0u8; 64],
    }
}

/// `-P` for an encoded G1 point other than infinity: `(x, p - y)`.
fn g1_neg(point: &[u8]) -> Vec<u8> {
    let p = unhex(BN254_P);
    let mut y = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = i16::from(p[i]) - i16::from(point[32 + i]) - borrow;
        borrow = i16::from(d < 0);
        if d < 0 {
            d += 256;
        }
        y[i] = d as u8;
    }
    [&point[..32], &y[..]].concat()
}

/// `pairs` pairs whose pairing product is one: `(k G, G2), (-k G, G2)`, ...
fn pairing_input(pairs: usize) -> Vec<u8> {
    let q = unhex(G2_GENERATOR);
    let mut input = Vec::new();
    for i in 0..pairs {
        let p = g1_times(1_000_003 * (i as u64 / 2 + 1));
        let p = if i % 2 == 0 { p } else { g1_neg(&p) };
        input.extend(p);
        input.extend_from_slice(&q);
    }
    input
}

/// A modexp input with the given base, exponent and modulus.
fn modexp_input(base: &[u8], exp: &[u8], modulus: &[u8]) -> Vec<u8> {
    let mut input = Vec::new();
    for len in [base.len(), exp.len(), modulus.len()] {
        let mut word = vec![0u8; 32];
        word[24..].copy_from_slice(&(len as u64).to_be_bytes());
        input.extend(word);
    }
    [input, base.to_vec(), exp.to_vec(), modulus.to_vec()].concat()
}

/// A random odd modulus of `len` bytes with its top bit set.
fn odd_modulus(seed: u64, len: usize) -> Vec<u8> {
    let mut m = bytes(seed, len);
    m[0] |= 0x80;
    m[len - 1] |= 1;
    m
}

fn blake2f_input(rounds: u32) -> Vec<u8> {
    let mut input = bytes(9, 213);
    input[..4].copy_from_slice(&rounds.to_be_bytes());
    input[212] = 1;
    input
}

/// Every case, in precompile order.
pub(crate) fn cases() -> Vec<Case> {
    let case = |precompile, name: &str, input| Case {
        precompile,
        name: name.to_owned(),
        input,
    };
    vec![
        case(
            Precompile::Ecrecover,
            "valid signature",
            unhex(ECRECOVER_INPUT),
        ),
        case(Precompile::Sha256, "128 B", bytes(1, 128)),
        case(Precompile::Sha256, "8 KB", bytes(2, 8192)),
        case(Precompile::Ripemd160, "128 B", bytes(3, 128)),
        case(Precompile::Identity, "128 B", bytes(4, 128)),
        case(
            Precompile::Modexp,
            "EIP-198: 3^(p-1) mod p, 256 bits",
            unhex(MODEXP_EIP198),
        ),
        case(
            Precompile::Modexp,
            "384-bit base, exponent and modulus",
            modexp_input(&bytes(5, 48), &bytes(6, 48), &odd_modulus(7, 48)),
        ),
        case(
            Precompile::Modexp,
            "2048-bit modulus, exponent 65537 (RSA verify)",
            modexp_input(&bytes(8, 256), &[1, 0, 1], &odd_modulus(9, 256)),
        ),
        case(
            Precompile::Bn128Add,
            "two points",
            [g1_times(3), g1_times(5)].concat(),
        ),
        case(
            Precompile::Bn128Mul,
            "256-bit scalar",
            [g1_times(7), bytes(10, 32)].concat(),
        ),
        case(Precompile::Bn128Pairing, "2 points", pairing_input(2)),
        case(Precompile::Bn128Pairing, "10 points", pairing_input(10)),
        case(Precompile::Blake2f, "12 rounds", blake2f_input(12)),
        case(
            Precompile::Blake2f,
            "100,000 rounds",
            blake2f_input(100_000),
        ),
        case(
            Precompile::PointEvaluation,
            "valid proof",
            unhex(POINT_EVALUATION_INPUT),
        ),
    ]
}
