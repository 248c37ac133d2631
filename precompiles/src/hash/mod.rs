//! The hash functions of the precompiles, written here so that the guest modules carry no
//! dependency: SHA-256 (0x02), RIPEMD-160 (0x03), Keccak-256 (ecrecover's address) and the
//! BLAKE2b compression function F (0x09, EIP-152). The tests check each against its reference
//! crate.

pub mod blake2f;
pub mod keccak;
pub mod ripemd160;
pub mod sha256;

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use blake2::Digest as _;
    use proptest::prelude::*;
    use std::vec::Vec;

    /// BLAKE2b-512 of a message of at most one block, built from F as RFC 7693 does.
    fn blake2b_512_one_block(message: &[u8]) -> [u8; 64] {
        let mut h = blake2f::BLAKE2B_IV;
        // Parameter block: digest length 64, no key, fanout 1, depth 1.
        h[0] ^= 0x0101_0040;
        let mut block = [0u8; 128];
        block[..message.len()].copy_from_slice(message);
        let mut m = [0u64; 16];
        for (word, chunk) in m.iter_mut().zip(block.chunks_exact(8)) {
            *word = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        }
        blake2f::compress(12, &mut h, &m, [message.len() as u64, 0], true);
        let mut out = [0u8; 64];
        for (chunk, word) in out.chunks_exact_mut(8).zip(h) {
            chunk.copy_from_slice(&word.to_le_bytes());
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn sha256_matches_sha2(data in proptest::collection::vec(any::<u8>(), 0..600)) {
            let expected: [u8; 32] = sha2::Sha256::digest(&data).into();
            prop_assert_eq!(sha256::sha256(&data), expected);
        }

        #[test]
        fn ripemd160_matches_ripemd(data in proptest::collection::vec(any::<u8>(), 0..600)) {
            let expected: [u8; 20] = ripemd::Ripemd160::digest(&data).into();
            prop_assert_eq!(ripemd160::ripemd160(&data), expected);
        }

        #[test]
        fn keccak256_matches_sha3(data in proptest::collection::vec(any::<u8>(), 0..600)) {
            let expected: [u8; 32] = sha3::Keccak256::digest(&data).into();
            prop_assert_eq!(keccak::keccak256(&data), expected);
        }

        #[test]
        fn f_builds_blake2b(data in proptest::collection::vec(any::<u8>(), 0..=128)) {
            let expected: Vec<u8> = blake2::Blake2b512::digest(&data).to_vec();
            prop_assert_eq!(blake2b_512_one_block(&data).to_vec(), expected);
        }
    }

    #[test]
    fn block_boundaries() {
        for len in [55, 56, 63, 64, 65, 119, 120, 127, 128, 135, 136, 137, 272] {
            let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let sha: [u8; 32] = sha2::Sha256::digest(&data).into();
            assert_eq!(sha256::sha256(&data), sha, "sha256 of {len} bytes");
            let ripemd: [u8; 20] = ripemd::Ripemd160::digest(&data).into();
            assert_eq!(
                ripemd160::ripemd160(&data),
                ripemd,
                "ripemd160 of {len} bytes"
            );
            let keccak: [u8; 32] = sha3::Keccak256::digest(&data).into();
            assert_eq!(keccak::keccak256(&data), keccak, "keccak256 of {len} bytes");
        }
    }
}
