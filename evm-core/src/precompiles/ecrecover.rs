//! 0x01 ecrecover (Frontier): the address that signed a message hash with secp256k1.
//!
//! Unlike transaction signatures (EIP-2), the precompile accepts `s` in the upper half of the
//! order, and a malformed signature is not an error: the call succeeds with empty output.

use alloc::vec::Vec;
use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};
use sha3::{Digest, Keccak256};

use super::interface::{PrecompileOutput, PrecompileResult};
use super::native::charge;

/// Precompile number (address `0x00..01`).
pub(super) const NUMBER: u8 = 0x01;
/// Fixed price, whatever the input.
pub(super) const GAS: u64 = 3000;

/// Input `hash(32) ‖ v(32) ‖ r(32) ‖ s(32)`, right-padded with zeros; output the signer's
/// address left-padded to 32 bytes, or nothing if the signature does not recover.
pub(super) fn run(input: &[u8], gas_limit: u64) -> PrecompileResult {
    let gas_used = charge(GAS, gas_limit)?;
    let mut padded = [0u8; 128];
    let len = input.len().min(128);
    padded[..len].copy_from_slice(&input[..len]);
    let bytes = recover(&padded).map_or_else(Vec::new, |address| {
        let mut word = alloc::vec![0u8; 32];
        word[12..].copy_from_slice(&address);
        word
    });
    Ok(PrecompileOutput { gas_used, bytes })
}

/// The 20-byte address of the key that signed, or `None` for any invalid input.
fn recover(input: &[u8; 128]) -> Option<[u8; 20]> {
    let (hash, rest) = input.split_at(32);
    let (v, rs) = rest.split_at(32);
    // `v` is a whole word: 27 or 28, nothing else.
    let (v_high, v_low) = v.split_at(31);
    if v_high.iter().any(|b| *b != 0) {
        return None;
    }
    let mut parity = v_low.first()?.checked_sub(27).filter(|p| *p <= 1)?;
    // Checks 1 <= r, s < n.
    let mut signature = Signature::from_slice(rs).ok()?;
    // k256 verifies the recovered key with the low-s rule; (r, n - s) with the other parity
    // recovers the same key, so normalizing keeps high-s signatures valid here.
    if let Some(low) = signature.normalize_s() {
        signature = low;
        parity ^= 1;
    }
    let recovery_id = RecoveryId::from_byte(parity)?;
    let key = VerifyingKey::recover_from_prehash(hash, &signature, recovery_id).ok()?;
    let point = key.to_encoded_point(false);
    // Uncompressed SEC1: 0x04 ‖ x ‖ y.
    let digest = Keccak256::digest(point.as_bytes().get(1..)?);
    let mut address = [0u8; 20];
    address.copy_from_slice(digest.get(12..)?);
    Some(address)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::precompiles::PrecompileFailure;
    use k256::ecdsa::SigningKey;

    fn input(hash: &[u8; 32], v: u8, r: &[u8], s: &[u8]) -> Vec<u8> {
        let mut input = hash.to_vec();
        input.extend_from_slice(&[0; 31]);
        input.push(v);
        input.extend_from_slice(r);
        input.extend_from_slice(s);
        input
    }

    #[test]
    fn go_ethereum_vector() {
        let input = hex::decode(concat!(
            "18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c",
            "000000000000000000000000000000000000000000000000000000000000001c",
            "73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75f",
            "eeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549"
        ))
        .unwrap();
        let out = run(&input, 3000).unwrap();
        assert_eq!(out.gas_used, 3000);
        assert_eq!(
            hex::encode(out.bytes),
            "000000000000000000000000a94f5374fce5edbc8e2a8697c15331677e6ebf0b"
        );
        // Extra input beyond 128 bytes is ignored.
        let mut longer = input.clone();
        longer.extend_from_slice(&[0xff; 40]);
        assert_eq!(run(&longer, 3000).unwrap().bytes.len(), 32);
        // v as a whole word: a high byte set makes it invalid.
        let mut bad_v = input;
        bad_v[32] = 1;
        assert_eq!(run(&bad_v, 3000).unwrap().bytes, Vec::<u8>::new());
    }

    #[test]
    fn recovers_low_and_high_s() {
        let key = SigningKey::from_slice(&[0x42; 32]).unwrap();
        let point = key.verifying_key().to_encoded_point(false);
        let expected = &Keccak256::digest(&point.as_bytes()[1..])[12..];
        let hash = [0x5a; 32];
        let (sig, recid) = key.sign_prehash_recoverable(&hash).unwrap();
        let r = sig.r().to_bytes();
        let s = sig.s().to_bytes();
        let v = 27 + (recid.to_byte() & 1);
        let other_v = 27 + ((recid.to_byte() & 1) ^ 1);
        let out = run(&input(&hash, v, &r, &s), 3000).unwrap();
        assert_eq!(&out.bytes[12..], expected);
        assert_eq!(&out.bytes[..12], &[0; 12]);

        // (r, n - s, other v) is the same signature with high s: still accepted.
        let high_s = (-*sig.s().as_ref()).to_bytes();
        let out = run(&input(&hash, other_v, &r, &high_s), 3000).unwrap();
        assert_eq!(&out.bytes[12..], expected);
        // The wrong parity recovers another key.
        let out = run(&input(&hash, other_v, &r, &s), 3000).unwrap();
        assert!(out.bytes.is_empty() || &out.bytes[12..] != expected);
    }

    #[test]
    fn invalid_inputs_succeed_empty() {
        let n = hex::decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
            .unwrap();
        let one = {
            let mut w = [0u8; 32];
            w[31] = 1;
            w
        };
        let hash = [1u8; 32];
        for input in [
            Vec::new(),
            alloc::vec![0xff; 10],
            input(&hash, 26, &one, &one),
            input(&hash, 29, &one, &one),
            input(&hash, 27, &[0; 32], &one),
            input(&hash, 27, &one, &[0; 32]),
            input(&hash, 27, &n, &one),
            input(&hash, 27, &one, &n),
            input(&hash, 28, &[0xff; 32], &[0xff; 32]),
        ] {
            let out = run(&input, 5000).unwrap();
            assert_eq!(out.gas_used, 3000);
            assert!(out.bytes.is_empty(), "{}", hex::encode(&input));
        }
        assert_eq!(
            run(&[], 2999),
            Err(PrecompileFailure::OutOfGas {
                needed: 3000,
                limit: 2999
            })
        );
    }
}
