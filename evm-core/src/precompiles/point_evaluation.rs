//! 0x0a point evaluation (EIP-4844, Cancun): verifies a KZG proof that the polynomial committed
//! to by a blob commitment takes the value `y` at `z`.
//!
//! Crate choice: `bls12_381` (zkcrypto) for the curve and the pairing, plus the one point of the
//! trusted setup the check needs, `[τ]G2`, embedded below. `kzg-rs` (which embeds the whole
//! setup) was the alternative; it pins a zkVM fork (`sp1_bls12_381`) and converts all 4096 G1
//! points in a build script, while point evaluation only ever uses `[τ]G2`. `bls12_381` is pure
//! Rust, `no_std` with `alloc`, builds for wasm32-unknown-unknown, and shares `ff`/`group`
//! with `k256`. Its decompression checks the encoding, the curve and the subgroup, as the
//! consensus specs' `bytes_to_kzg_commitment` / `validate_kzg_g1` require.

use bls12_381::{
    G1Affine, G1Projective, G2Affine, G2Prepared, G2Projective, Gt, Scalar, multi_miller_loop,
};
use sha2::{Digest, Sha256};

use super::interface::{PrecompileFailure, PrecompileOutput, PrecompileResult};
use super::native::charge;

/// Precompile number (address `0x00..0a`).
pub(super) const NUMBER: u8 = 0x0a;
/// EIP-4844 `POINT_EVALUATION_PRECOMPILE_GAS`.
pub(super) const GAS: u64 = 50_000;
/// `versioned_hash(32) ‖ z(32) ‖ y(32) ‖ commitment(48) ‖ proof(48)`.
const INPUT_LEN: usize = 192;
/// EIP-4844 `VERSIONED_HASH_VERSION_KZG`.
const VERSIONED_HASH_VERSION_KZG: u8 = 0x01;

/// The output of every successful call: `FIELD_ELEMENTS_PER_BLOB` (4096) and `BLS_MODULUS`, as
/// two 32-byte big-endian words.
const RETURN_VALUE: [u8; 64] = {
    let mut out = [0u8; 64];
    out[30] = 0x10;
    let modulus = BLS_MODULUS;
    let mut i = 0;
    while i < 32 {
        out[32 + i] = modulus[i];
        i += 1;
    }
    out
};

/// The order of the BLS12-381 scalar field, big-endian.
const BLS_MODULUS: [u8; 32] = [
    0x73, 0xed, 0xa7, 0x53, 0x29, 0x9d, 0x7d, 0x48, 0x33, 0x39, 0xd8, 0x08, 0x09, 0xa1, 0xd8, 0x05,
    0x53, 0xbd, 0xa4, 0x02, 0xff, 0xfe, 0x5b, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
];

/// `[τ]G2`, compressed: entry 1 of `g2_monomial` in the Ethereum mainnet KZG trusted setup
/// (the KZG ceremony output, `trusted_setup.txt` of ethereum/c-kzg-4844, line 4100, as shipped
/// in the `kzg-rs` 0.2.9 crate). Entry 0 is the G2 generator.
const TAU_G2: [u8; 96] = [
    0xb5, 0xbf, 0xd7, 0xdd, 0x8c, 0xde, 0xb1, 0x28, 0x84, 0x3b, 0xc2, 0x87, 0x23, 0x0a, 0xf3, 0x89,
    0x26, 0x18, 0x70, 0x75, 0xcb, 0xfb, 0xef, 0xa8, 0x10, 0x09, 0xa2, 0xce, 0x61, 0x5a, 0xc5, 0x3d,
    0x29, 0x14, 0xe5, 0x87, 0x0c, 0xb4, 0x52, 0xd2, 0xaf, 0xaa, 0xab, 0x24, 0xf3, 0x49, 0x9f, 0x72,
    0x18, 0x5c, 0xbf, 0xee, 0x53, 0x49, 0x27, 0x14, 0x73, 0x44, 0x29, 0xb7, 0xb3, 0x86, 0x08, 0xe2,
    0x39, 0x26, 0xc9, 0x11, 0xcc, 0xec, 0xea, 0xc9, 0xa3, 0x68, 0x51, 0x47, 0x7b, 0xa4, 0xc6, 0x0b,
    0x08, 0x70, 0x41, 0xde, 0x62, 0x10, 0x00, 0xed, 0xc9, 0x8e, 0xda, 0xda, 0x20, 0xc1, 0xde, 0xf2,
];

/// Checks the versioned hash against the commitment and the proof against `(z, y)`.
pub(super) fn run(input: &[u8], gas_limit: u64) -> PrecompileResult {
    let gas_used = charge(GAS, gas_limit)?;
    let input: &[u8; INPUT_LEN] = input
        .try_into()
        .map_err(|_| PrecompileFailure::InvalidInput("point evaluation input must be 192 bytes"))?;
    let (versioned_hash, rest) = input.split_at(32);
    let (z, rest) = rest.split_at(32);
    let (y, rest) = rest.split_at(32);
    let (commitment, proof) = rest.split_at(48);

    if versioned_hash != kzg_to_versioned_hash(commitment) {
        return Err(PrecompileFailure::InvalidInput(
            "versioned hash does not match the commitment",
        ));
    }
    let z = read_scalar(z)?;
    let y = read_scalar(y)?;
    let commitment = read_g1(commitment)?;
    let proof = read_g1(proof)?;
    if !verify_kzg_proof(&commitment, &z, &y, &proof) {
        return Err(PrecompileFailure::InvalidInput("KZG proof does not verify"));
    }
    Ok(PrecompileOutput {
        gas_used,
        bytes: RETURN_VALUE.to_vec(),
    })
}

/// EIP-4844 `kzg_to_versioned_hash`: the version byte, then `sha256(commitment)[1..]`.
fn kzg_to_versioned_hash(commitment: &[u8]) -> [u8; 32] {
    let mut hash: [u8; 32] = Sha256::digest(commitment).into();
    hash[0] = VERSIONED_HASH_VERSION_KZG;
    hash
}

/// A field element from 32 big-endian bytes, rejecting non-canonical values (`>= BLS_MODULUS`).
fn read_scalar(bytes: &[u8]) -> Result<Scalar, PrecompileFailure> {
    let mut le = [0u8; 32];
    for (dst, src) in le.iter_mut().zip(bytes.iter().rev()) {
        *dst = *src;
    }
    Option::from(Scalar::from_bytes(&le)).ok_or(PrecompileFailure::InvalidInput(
        "field element not below BLS_MODULUS",
    ))
}

/// A compressed G1 point: a valid encoding, on the curve and in the subgroup (infinity is
/// allowed, as `validate_kzg_g1` allows it).
fn read_g1(bytes: &[u8]) -> Result<G1Affine, PrecompileFailure> {
    let invalid = PrecompileFailure::InvalidInput("invalid BLS12-381 G1 point");
    let bytes: &[u8; 48] = bytes.try_into().map_err(|_| invalid.clone())?;
    Option::from(G1Affine::from_compressed(bytes)).ok_or(invalid)
}

/// `verify_kzg_proof_impl` of the Deneb polynomial-commitments spec:
/// `e(C - [y]G1, -G2) · e(π, [τ]G2 - [z]G2) = 1`.
fn verify_kzg_proof(commitment: &G1Affine, z: &Scalar, y: &Scalar, proof: &G1Affine) -> bool {
    // A constant from the setup, checked to be in G2 by a test; decompressing without the
    // subgroup check saves a G2 scalar multiplication per call. It always decodes.
    let Some(tau_g2) = Option::<G2Affine>::from(G2Affine::from_compressed_unchecked(&TAU_G2))
    else {
        return false;
    };
    let x_minus_z = G2Affine::from(G2Projective::from(tau_g2) - G2Projective::generator() * z);
    let p_minus_y = G1Affine::from(G1Projective::from(commitment) - G1Projective::generator() * y);
    let neg_g2 = G2Prepared::from(-G2Affine::generator());
    multi_miller_loop(&[(&p_minus_y, &neg_g2), (proof, &G2Prepared::from(x_minus_z))])
        .final_exponentiation()
        == Gt::identity()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// `(case, commitment, z, y, proof, verifies)`; `None` means the input is malformed. The
    /// c-kzg-4844 `verify_kzg_proof` reference cases, shared with the guest precompiles' tests.
    type Vector = (
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        Option<bool>,
    );

    fn vectors() -> Vec<Vector> {
        include_str!("../../tests/data/c_kzg_verify_kzg_proof.txt")
            .lines()
            .filter(|line| !line.starts_with('#'))
            .map(|line| {
                let f: Vec<&str> = line.split(' ').collect();
                let verifies = match f[5] {
                    "true" => Some(true),
                    "false" => Some(false),
                    _ => None,
                };
                (f[0], f[1], f[2], f[3], f[4], verifies)
            })
            .collect()
    }

    fn input(commitment: &str, z: &str, y: &str, proof: &str) -> Vec<u8> {
        let commitment = hex::decode(commitment).unwrap();
        let mut input = kzg_to_versioned_hash(&commitment).to_vec();
        input.extend(hex::decode(z).unwrap());
        input.extend(hex::decode(y).unwrap());
        input.extend(commitment);
        input.extend(hex::decode(proof).unwrap());
        input
    }

    #[test]
    fn tau_g2_is_a_valid_g2_point() {
        let checked = Option::<G2Affine>::from(G2Affine::from_compressed(&TAU_G2)).unwrap();
        let unchecked =
            Option::<G2Affine>::from(G2Affine::from_compressed_unchecked(&TAU_G2)).unwrap();
        assert_eq!(checked, unchecked);
        assert_ne!(checked, G2Affine::generator());
        assert_eq!(
            hex::encode(RETURN_VALUE),
            "0000000000000000000000000000000000000000000000000000000000001000\
             73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001"
        );
    }

    #[test]
    fn c_kzg_reference_vectors() {
        let vectors = vectors();
        assert_eq!(vectors.len(), 26);
        for (case, commitment, z, y, proof, expected) in vectors {
            let result = run(&input(commitment, z, y, proof), 50_000);
            match expected {
                Some(true) => {
                    let out = result.unwrap_or_else(|e| panic!("{case}: {e}"));
                    assert_eq!(out.gas_used, 50_000);
                    assert_eq!(out.bytes, RETURN_VALUE);
                }
                Some(false) | None => assert!(
                    matches!(result, Err(PrecompileFailure::InvalidInput(_))),
                    "{case}: {result:?}"
                ),
            }
        }
    }

    #[test]
    fn bad_lengths_hashes_and_gas() {
        let (_, commitment, z, y, proof, _) = vectors()[0];
        let good = input(commitment, z, y, proof);
        assert!(run(&good, 50_000).is_ok());
        for bad in [&[][..], &good[..191], &[&good[..], &[0]].concat()] {
            assert_eq!(
                run(bad, 50_000),
                Err(PrecompileFailure::InvalidInput(
                    "point evaluation input must be 192 bytes"
                ))
            );
        }
        // Version byte other than 0x01, and a hash of another commitment.
        let mut wrong_version = good.clone();
        wrong_version[0] = 0x02;
        let mut wrong_hash = good.clone();
        wrong_hash[31] ^= 1;
        for bad in [wrong_version, wrong_hash] {
            assert_eq!(
                run(&bad, 50_000),
                Err(PrecompileFailure::InvalidInput(
                    "versioned hash does not match the commitment"
                ))
            );
        }
        assert_eq!(
            run(&good, 49_999),
            Err(PrecompileFailure::OutOfGas {
                needed: 50_000,
                limit: 49_999
            })
        );
    }
}
