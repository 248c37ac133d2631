//! The encodings that turn accounts and storage into Merkle-Patricia trie leaves.

use alloc::vec::Vec;
use primitive_types::{H256, U256};
use rlp::RlpStream;

/// keccak256 of empty code.
pub const EMPTY_CODE_HASH: H256 = H256([
    0xc5, 0xd2, 0x46, 0x01, 0x86, 0xf7, 0x23, 0x3c, 0x92, 0x7e, 0x7d, 0xb2, 0xdc, 0xc7, 0x03, 0xc0,
    0xe5, 0x00, 0xb6, 0x53, 0xca, 0x82, 0x27, 0x3b, 0x7b, 0xfa, 0xd8, 0x04, 0x5d, 0x85, 0xa4, 0x70,
]);

/// The state trie leaf of an account: `rlp([nonce, balance, storage_root, code_hash])`.
pub fn account_rlp(nonce: u64, balance: U256, storage_root: H256, code_hash: H256) -> Vec<u8> {
    let mut stream = RlpStream::new_list(4);
    stream.append(&nonce);
    stream.append(&balance);
    stream.append(&storage_root);
    stream.append(&code_hash);
    stream.out().to_vec()
}

/// The storage trie leaf of a slot: the value as a minimal big-endian integer, RLP-encoded.
pub fn storage_value_rlp(value: H256) -> Vec<u8> {
    rlp::encode(&U256::from_big_endian(value.as_bytes())).to_vec()
}

/// Root of a storage trie holding `slots` (zero values are absent).
pub fn storage_root<'a>(slots: impl IntoIterator<Item = (&'a H256, &'a H256)>) -> H256 {
    witness::secure_trie_root(
        slots
            .into_iter()
            .filter(|(_, value)| !value.is_zero())
            .map(|(key, value)| (key.as_bytes().to_vec(), storage_value_rlp(*value))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_code_hash_is_keccak_of_nothing() {
        assert_eq!(EMPTY_CODE_HASH, witness::keccak256(&[]));
    }

    #[test]
    fn empty_storage_has_the_empty_root() {
        assert_eq!(storage_root(core::iter::empty()), witness::EMPTY_ROOT);
    }
}
