//! The root of a whole Merkle-Patricia trie built from its entries in one pass, for the state and
//! storage roots and the transactions, receipts and withdrawals roots of a block.
//!
//! The entries are sorted once; the trie is then built top down: a run of sorted keys that share
//! a prefix is a contiguous slice, so each node is encoded exactly once, with no per-insert
//! rehashing. Cost: the sort (O(n log n) key comparisons) plus O(n · key length) for the build.

use alloc::vec::Vec;

use primitive_types::H256;
use rlp::RlpStream;
use sha3::{Digest, Keccak256};

use crate::nibbles::{encode_compact_iter, nibble_at};

/// Root of the empty trie: `keccak256(rlp(""))`, i.e. `keccak256([0x80])`.
pub const EMPTY_ROOT: H256 = H256([
    0x56, 0xe8, 0x1f, 0x17, 0x1b, 0xcc, 0x55, 0xa6, 0xff, 0x83, 0x45, 0xe6, 0x92, 0xc0, 0xf8, 0x6e,
    0x5b, 0x48, 0xe0, 0x1b, 0x99, 0x6c, 0xad, 0xc0, 0x01, 0x62, 0x2f, 0xb5, 0xe3, 0x63, 0xb4, 0x21,
]);

/// Keccak-256 of `data`.
pub fn keccak256(data: &[u8]) -> H256 {
    H256(Keccak256::digest(data).into())
}

/// Root of the trie holding `entries`, with keys used as given.
///
/// Order does not matter. When a key appears more than once the last value wins, and an empty
/// value means the key is absent (the trie cannot store an empty value), so a later empty value
/// deletes an earlier one.
///
/// Recursion depth is at most one branch and one extension per nibble of the longest key, so
/// the usual 32-byte (hashed) and RLP-index keys stay shallow.
pub fn trie_root<K: AsRef<[u8]>, V: AsRef<[u8]>>(
    entries: impl IntoIterator<Item = (K, V)>,
) -> H256 {
    let mut entries: Vec<(K, V)> = entries.into_iter().collect();
    // Stable sort: among equal keys, insertion order is kept, so the last one is the latest.
    entries.sort_by(|a, b| a.0.as_ref().cmp(b.0.as_ref()));
    let mut sorted: Vec<(&[u8], &[u8])> = Vec::with_capacity(entries.len());
    for (i, (key, value)) in entries.iter().enumerate() {
        let superseded = entries
            .get(i + 1)
            .is_some_and(|next| next.0.as_ref() == key.as_ref());
        if !superseded && !value.as_ref().is_empty() {
            sorted.push((key.as_ref(), value.as_ref()));
        }
    }
    root_of_sorted(&sorted)
}

/// Root of a "secure" trie, as the state and storage tries are: each key is replaced by its
/// Keccak-256 before insertion, which keeps the trie balanced whatever keys an attacker picks.
pub fn secure_trie_root<K: AsRef<[u8]>, V: AsRef<[u8]>>(
    entries: impl IntoIterator<Item = (K, V)>,
) -> H256 {
    trie_root(
        entries
            .into_iter()
            .map(|(key, value)| (keccak256(key.as_ref()), value)),
    )
}

/// Root of a list stored under the keys `rlp(0)`, `rlp(1)`, ..., as the transactions, receipts and
/// withdrawals roots of a block header are.
pub fn ordered_trie_root<V: AsRef<[u8]>>(values: impl IntoIterator<Item = V>) -> H256 {
    trie_root(
        values
            .into_iter()
            .enumerate()
            .map(|(index, value)| (rlp::encode(&(index as u64)), value)),
    )
}

/// Root of entries already sorted by key, without duplicate keys or empty values.
fn root_of_sorted(entries: &[(&[u8], &[u8])]) -> H256 {
    if entries.is_empty() {
        return EMPTY_ROOT;
    }
    // The root is always referred to by hash, even when its RLP is under 32 bytes.
    keccak256(&encode_subtrie(entries, 0))
}

/// RLP of the node holding `entries` (sorted, at least one), all of which share their first
/// `depth` nibbles, which are already consumed by the nodes above.
fn encode_subtrie(entries: &[(&[u8], &[u8])], depth: usize) -> Vec<u8> {
    let (first_key, first_value) = entries[0];
    let first_len = first_key.len() * 2;

    if entries.len() == 1 {
        let path = encode_compact_iter(
            (depth..first_len).map(|i| nibble_at(first_key, i)),
            first_len - depth,
            true,
        );
        let mut stream = RlpStream::new_list(2);
        stream.append(&path);
        stream.append(&first_value);
        return stream.out().to_vec();
    }

    // Sorted keys: the prefix shared by the first and the last is shared by all.
    let last_key = entries[entries.len() - 1].0;
    let shared = shared_nibbles(first_key, last_key, depth);
    if shared > 0 {
        let path = encode_compact_iter(
            (depth..depth + shared).map(|i| nibble_at(first_key, i)),
            shared,
            false,
        );
        let child = encode_subtrie(entries, depth + shared);
        let mut stream = RlpStream::new_list(2);
        stream.append(&path);
        append_child(&mut stream, &child);
        return stream.out().to_vec();
    }

    // A branch. A key that ends here sorts first (it is a prefix of all the others) and becomes
    // the branch value.
    let mut stream = RlpStream::new_list(17);
    let (value, mut rest) = if first_len == depth {
        (first_value, &entries[1..])
    } else {
        (&[][..], entries)
    };
    for nibble in 0..16u8 {
        let count = rest
            .iter()
            .take_while(|(key, _)| nibble_at(key, depth) == nibble)
            .count();
        if count == 0 {
            stream.append_empty_data();
        } else {
            let (group, tail) = rest.split_at(count);
            append_child(&mut stream, &encode_subtrie(group, depth + 1));
            rest = tail;
        }
    }
    stream.append(&value);
    stream.out().to_vec()
}

/// Number of nibbles from `depth` on that both keys share.
fn shared_nibbles(a: &[u8], b: &[u8], depth: usize) -> usize {
    let end = (a.len() * 2).min(b.len() * 2);
    (depth..end)
        .take_while(|&i| nibble_at(a, i) == nibble_at(b, i))
        .count()
}

/// Appends a child reference: a node whose RLP is under 32 bytes is inlined, a longer one is
/// replaced by its hash (Yellow Paper, appendix D, the `c` function).
fn append_child(stream: &mut RlpStream, child_rlp: &[u8]) {
    if child_rlp.len() < 32 {
        stream.append_raw(child_rlp, 1);
    } else {
        stream.append(&keccak256(child_rlp).as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeMap;
    use alloc::string::String;
    use alloc::vec;
    use proptest::prelude::*;

    fn h(hex: &str) -> H256 {
        let bytes: Vec<u8> = (0..64)
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        H256::from_slice(&bytes)
    }

    fn oracle(entries: &BTreeMap<Vec<u8>, Vec<u8>>) -> H256 {
        H256(triehash::trie_root::<keccak_hasher::KeccakHasher, _, _, _>(
            entries.clone(),
        ))
    }

    #[test]
    fn empty_root() {
        assert_eq!(EMPTY_ROOT, keccak256(&[0x80]));
        assert_eq!(trie_root(Vec::<(Vec<u8>, Vec<u8>)>::new()), EMPTY_ROOT);
        assert_eq!(secure_trie_root([(b"k", b"")]), EMPTY_ROOT);
        assert_eq!(ordered_trie_root(Vec::<Vec<u8>>::new()), EMPTY_ROOT);
    }

    #[test]
    fn known_roots() {
        // ethereum/tests TrieTests/trieanyorder.json.
        assert_eq!(
            trie_root([
                ("doe", "reindeer"),
                ("dog", "puppy"),
                ("dogglesworth", "cat")
            ]),
            h("8aad789dff2f538bca5d8ea56e8abe10f4c7ba3a5dea95fea4cd6e7c3a1168d3")
        );
        assert_eq!(
            trie_root([
                ("do", "verb"),
                ("horse", "stallion"),
                ("doge", "coin"),
                ("dog", "puppy")
            ]),
            h("5991bb8c6514148a29db676a14ac506cd2cd5775ace63c30a4fe457715e9ac84")
        );
        assert_eq!(
            trie_root([("foo", "bar"), ("food", "bass")]),
            h("17beaa1648bafa633cda809c90c04af50fc8aed3cb40d16efbddee6fdf63c4c3")
        );
        assert_eq!(
            trie_root([("be", "e"), ("dog", "puppy"), ("bed", "d")]),
            h("3f67c7a47520f79faa29255d2d3c084a7a6df0453116ed7232ff10277a8be68b")
        );
        assert_eq!(
            trie_root([("test", "test"), ("te", "testy")]),
            h("8452568af70d8d140f58d941338542f645fcca50094b20f3c3d8c3df49337928")
        );
        assert_eq!(
            trie_root([("A", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]),
            h("d23786fb4a010da3ce639d66d5e904a11dbc02746d1ce25029e53290cabf28ab")
        );
        // The same entries in a secure trie (trieanyorder_secureTrie.json).
        assert_eq!(
            secure_trie_root([
                ("doe", "reindeer"),
                ("dog", "puppy"),
                ("dogglesworth", "cat")
            ]),
            h("d4cd937e4a4368d7931a9cf51686b7e10abb3dce38a39000fd7902a092b64585")
        );
        assert_eq!(
            trie_root([
                (vec![0x00, 0x45], vec![0x01, 0x23, 0x45, 0x67, 0x89]),
                (vec![0x45, 0x00], vec![0x98, 0x76, 0x54, 0x32, 0x10]),
            ]),
            h("285505fcabe84badc8aa310e2aae17eddc7d120aabec8a476902c8184b3a3503")
        );
    }

    #[test]
    fn last_value_wins_and_empty_deletes() {
        // trietest.json "emptyValues": ether and shaman are set, then deleted.
        let entries = [
            ("do", "verb"),
            ("ether", "wookiedoo"),
            ("horse", "stallion"),
            ("shaman", "horse"),
            ("doge", "coin"),
            ("ether", ""),
            ("dog", "puppy"),
            ("shaman", ""),
        ];
        assert_eq!(
            trie_root(entries),
            h("5991bb8c6514148a29db676a14ac506cd2cd5775ace63c30a4fe457715e9ac84")
        );
        assert_eq!(trie_root([("a", "1"), ("a", "2")]), trie_root([("a", "2")]));
    }

    #[test]
    fn ordered_root_matches_rlp_index_keys() {
        let values: Vec<String> = (0..300).map(|i| alloc::format!("value {i}")).collect();
        let expected = H256(
            triehash::ordered_trie_root::<keccak_hasher::KeccakHasher, _>(
                values.iter().map(|v| v.as_bytes()),
            ),
        );
        assert_eq!(ordered_trie_root(&values), expected);
    }

    fn entries() -> impl Strategy<Value = BTreeMap<Vec<u8>, Vec<u8>>> {
        // Short keys over a small alphabet force shared prefixes, keys that are prefixes of
        // others, and branch values; values range from inlined (tiny) to hashed nodes.
        let key = proptest::collection::vec(
            prop_oneof![Just(0u8), Just(0x12), Just(0xff), any::<u8>()],
            0..6,
        );
        let value = proptest::collection::vec(any::<u8>(), 1..40);
        proptest::collection::btree_map(key, value, 0..60)
    }

    proptest! {
        #[test]
        fn matches_triehash(map in entries()) {
            prop_assert_eq!(trie_root(&map), oracle(&map));
        }

        #[test]
        fn secure_matches_triehash(map in entries()) {
            let expected = H256(triehash::sec_trie_root::<keccak_hasher::KeccakHasher, _, _, _>(map.clone()));
            prop_assert_eq!(secure_trie_root(&map), expected);
        }

        #[test]
        fn order_does_not_matter(map in entries()) {
            let mut reversed: Vec<_> = map.iter().collect();
            reversed.reverse();
            prop_assert_eq!(trie_root(reversed), trie_root(&map));
        }

        #[test]
        fn long_random_keys(map in proptest::collection::btree_map(
            proptest::collection::vec(any::<u8>(), 32), proptest::collection::vec(any::<u8>(), 1..80), 0..200,
        )) {
            prop_assert_eq!(trie_root(&map), oracle(&map));
        }
    }
}
