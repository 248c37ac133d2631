//! The generator's side of the sparse trie: the nodes a witness must carry.
//!
//! The generator holds the whole pre-state trie ([`trie_nodes`]). A witness needs the nodes on
//! the path of every key the block reads or writes ([`proof_nodes`]; for an absent key, up to
//! where the path leaves the trie, which is what proves the absence), plus the siblings that
//! deletions merge and the nodes below where a write redirects a path, which are only known by
//! running the writes: [`apply_with_full_pool`] does so and records each node it had to fetch.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;

use primitive_types::H256;

use crate::nibbles::Nibbles;
use crate::node::{Node, NodeRef};
use crate::pool::NodePool;
use crate::sparse::{SparseTrie, TrieError};
use crate::trie_root::EMPTY_ROOT;

/// All nodes (RLP, hashed ones only — inline nodes live inside their parent) of the full trie of
/// `entries`, plus its root. Same root as [`trie_root`](crate::trie_root): the last value of a
/// repeated key wins and an empty value means absent. The root node is included even when its
/// RLP is under 32 bytes, since the root is always referred to by hash.
pub fn trie_nodes<K: AsRef<[u8]>, V: AsRef<[u8]>>(
    entries: impl IntoIterator<Item = (K, V)>,
) -> (H256, Vec<Vec<u8>>) {
    let mut trie = SparseTrie::empty();
    for (key, value) in entries {
        let result = trie.insert(key.as_ref(), value.as_ref().to_vec());
        // A trie built from nothing has no unresolved node, so no operation on it can fail.
        debug_assert!(result.is_ok(), "{result:?}");
    }
    let mut nodes = Vec::new();
    let root = trie.root_collecting(Some(&mut nodes));
    (root, nodes)
}

/// The nodes on the paths from `root` to each key (present or absent: an absence proof ends where
/// the path leaves the trie), taken from `pool`, each once, parents before children. Error if the
/// pool lacks a node on a path ([`TrieError::MissingNode`]) or holds a malformed one.
pub fn proof_nodes(root: H256, pool: &NodePool, keys: &[&[u8]]) -> Result<Vec<Vec<u8>>, TrieError> {
    let mut out = Vec::new();
    if root == EMPTY_ROOT {
        return Ok(out);
    }
    let mut taken = BTreeSet::new();
    // Nodes near the root lie on every path: decode each once.
    let mut decoded: BTreeMap<H256, Node> = BTreeMap::new();
    for key in keys {
        let key = Nibbles::from_bytes(key);
        let key = key.as_slice();
        let mut hash = root;
        let mut at = 0usize;
        'path: loop {
            let Some(rlp) = pool.get(&hash) else {
                return Err(TrieError::MissingNode {
                    path: prefix(key, at),
                    hash,
                });
            };
            if taken.insert(hash) {
                out.push(rlp.to_vec());
            }
            let node = match decoded.entry(hash) {
                alloc::collections::btree_map::Entry::Occupied(entry) => entry.into_mut(),
                alloc::collections::btree_map::Entry::Vacant(entry) => entry.insert(
                    Node::decode(rlp)
                        .map_err(|source| TrieError::MalformedNode { hash, source })?,
                ),
            };
            // Walk down this node and the nodes inlined in it until the path needs another
            // pool node or ends.
            let mut node: &Node = node;
            loop {
                let next = match node {
                    Node::Leaf { .. } => break 'path,
                    Node::Extension { path, child } => {
                        let end = at.saturating_add(path.len());
                        if key.get(at..end) != Some(path.as_slice()) {
                            break 'path;
                        }
                        at = end;
                        child
                    }
                    Node::Branch { children, .. } => {
                        let child = key
                            .get(at)
                            .and_then(|nibble| children.get(usize::from(*nibble)));
                        match child {
                            Some(Some(child)) => {
                                at += 1;
                                child
                            }
                            _ => break 'path,
                        }
                    }
                };
                match next {
                    NodeRef::Hash(child) => {
                        hash = *child;
                        continue 'path;
                    }
                    NodeRef::Inline(child) => node = child,
                }
            }
        }
    }
    Ok(out)
}

/// Applies `updates` in order to `trie` (an empty value deletes), as the generator does with the
/// trie it built from [`proof_nodes`]: whenever the trie lacks a node
/// ([`TrieError::MissingNode`], [`TrieError::MissingSibling`]), the node is taken from `full`,
/// recorded in `fetched`, revealed (alone: nodes below it stay hashes, so later needs are
/// recorded too) and the update retried. Replaying the same updates on a trie built from the
/// proof nodes plus `fetched` then needs nothing else.
///
/// Fails with the trie's error if `full` lacks a needed node, or on any other error.
pub fn apply_with_full_pool<K: AsRef<[u8]>, V: AsRef<[u8]>>(
    trie: &mut SparseTrie,
    full: &NodePool,
    updates: impl IntoIterator<Item = (K, V)>,
    fetched: &mut NodePool,
) -> Result<(), TrieError> {
    for (key, value) in updates {
        // Each pass reveals one more node of `full` on this update's path, so this ends.
        loop {
            let error = match trie.insert(key.as_ref(), value.as_ref().to_vec()) {
                Ok(()) => break,
                Err(error) => error,
            };
            let (TrieError::MissingNode { path, hash } | TrieError::MissingSibling { path, hash }) =
                &error
            else {
                return Err(error);
            };
            let Some(rlp) = full.get(hash) else {
                return Err(error);
            };
            let single = NodePool::from_nodes([rlp]);
            if !trie.reveal(path, &single)? {
                return Err(error);
            }
            fetched.insert(rlp.to_vec());
        }
    }
    Ok(())
}

/// The first `len` nibbles of `key`.
fn prefix(key: &[u8], len: usize) -> Nibbles {
    Nibbles::from_nibbles(key.get(..len).unwrap_or(key)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trie_root::{keccak256, trie_root};
    use alloc::vec;
    use proptest::prelude::*;

    type Entries = Vec<(Vec<u8>, Vec<u8>)>;

    /// Keys of 0 to 3 bytes over a tiny alphabet: many shared prefixes, keys that are prefixes
    /// of others (branch values), extensions that split and merge.
    fn short_key() -> BoxedStrategy<Vec<u8>> {
        proptest::collection::vec(prop::sample::select(vec![0x00u8, 0x01, 0x10, 0xff]), 0..4)
            .boxed()
    }

    /// 32-byte keys as the state and storage tries have: random, or sharing a long prefix.
    fn long_key() -> BoxedStrategy<Vec<u8>> {
        prop_oneof![
            any::<[u8; 32]>().prop_map(|key| key.to_vec()),
            (prop::sample::select(vec![0x00u8, 0x5a]), 0u8..3, 0u8..3).prop_map(|(fill, a, b)| {
                let mut key = vec![fill; 32];
                key[20] = a;
                key[31] = b << 4;
                key
            }),
        ]
        .boxed()
    }

    /// Short values make inline nodes, long ones hashed nodes.
    fn value() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 1..4),
            proptest::collection::vec(any::<u8>(), 30..40),
        ]
    }

    fn update() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![1 => Just(Vec::new()), 2 => value()]
    }

    /// Updates touch base keys (to change or delete them) and new keys.
    fn case(key: BoxedStrategy<Vec<u8>>) -> impl Strategy<Value = (Entries, Entries, bool)> {
        proptest::collection::vec((key.clone(), value()), 0..24).prop_flat_map(move |base| {
            let known: Vec<Vec<u8>> = base.iter().map(|(key, _)| key.clone()).collect();
            let touched = if known.is_empty() {
                key.clone().boxed()
            } else {
                prop_oneof![prop::sample::select(known), key.clone()].boxed()
            };
            (
                Just(base),
                proptest::collection::vec((touched, update()), 0..10),
                any::<bool>(),
            )
        })
    }

    fn pairs(entries: &[(Vec<u8>, Vec<u8>)]) -> impl Iterator<Item = (&Vec<u8>, &Vec<u8>)> {
        entries.iter().map(|(key, value)| (key, value))
    }

    fn apply(model: &mut BTreeMap<Vec<u8>, Vec<u8>>, updates: &Entries) {
        for (key, value) in updates {
            if value.is_empty() {
                model.remove(key);
            } else {
                model.insert(key.clone(), value.clone());
            }
        }
    }

    /// The generator's loop and the validator's replay: both must reach the full trie's root.
    fn check(base: Entries, updates: Entries, root_each: bool) -> Result<(), TestCaseError> {
        let (root, nodes) = trie_nodes(base.clone());
        prop_assert_eq!(root, trie_root(base.clone()));
        let full = NodePool::from_nodes(&nodes);
        let mut model = BTreeMap::new();
        apply(&mut model, &base);

        let touched: Vec<&[u8]> = updates.iter().map(|(key, _)| key.as_slice()).collect();
        let proof = proof_nodes(root, &full, &touched)?;
        let witness = NodePool::from_nodes(&proof);
        let mut trie = SparseTrie::from_pool(root, &witness)?;
        prop_assert_eq!(trie.root(), root);
        for key in &touched {
            prop_assert_eq!(trie.get(key)?, model.get(*key).map(Vec::as_slice));
        }

        let mut fetched = NodePool::new();
        if root_each {
            for update in &updates {
                apply_with_full_pool(&mut trie, &full, [(&update.0, &update.1)], &mut fetched)?;
                apply(&mut model, &vec![update.clone()]);
                prop_assert_eq!(trie.root(), trie_root(&model));
            }
        } else {
            apply_with_full_pool(&mut trie, &full, pairs(&updates), &mut fetched)?;
            apply(&mut model, &updates);
        }
        let expected = trie_root(&model);
        prop_assert_eq!(trie.root(), expected);
        for key in &touched {
            prop_assert_eq!(trie.get(key)?, model.get(*key).map(Vec::as_slice));
        }

        // The validator's side: proof plus fetched nodes suffice, with no retry.
        let mut complete = witness.clone();
        for (_, node) in fetched.iter() {
            complete.insert(node.to_vec());
        }
        let mut replay = SparseTrie::from_pool(root, &complete)?;
        for (key, value) in &updates {
            replay.insert(key, value.clone())?;
        }
        prop_assert_eq!(replay.root(), expected);

        // The full trie answers every key, present or absent.
        let whole = SparseTrie::from_pool(root, &full)?;
        let mut base_model = BTreeMap::new();
        apply(&mut base_model, &base);
        for key in base.iter().chain(&updates).map(|(key, _)| key) {
            prop_assert_eq!(whole.get(key)?, base_model.get(key).map(Vec::as_slice));
        }
        Ok(())
    }

    #[test]
    fn trie_nodes_of_nothing_and_of_a_small_root() {
        assert_eq!(
            trie_nodes(Vec::<(Vec<u8>, Vec<u8>)>::new()),
            (EMPTY_ROOT, vec![])
        );
        let (root, nodes) = trie_nodes([(b"a", b"b")]);
        assert_eq!(root, trie_root([(b"a", b"b")]));
        assert_eq!(nodes.len(), 1);
        assert_eq!(keccak256(&nodes[0]), root);
    }

    #[test]
    fn proof_nodes_need_every_node_on_the_path() {
        let entries: Vec<(Vec<u8>, Vec<u8>)> = (0u8..3)
            .map(|i| (vec![i << 4; 32], vec![i + 1; 40]))
            .collect();
        let (root, nodes) = trie_nodes(entries.clone());
        let full = NodePool::from_nodes(&nodes);
        let key = entries[1].0.as_slice();
        let proof = proof_nodes(root, &full, &[key, key]).unwrap();
        assert_eq!(proof.len(), 2); // the root branch and the leaf, once each
        assert_eq!(
            proof_nodes(EMPTY_ROOT, &NodePool::new(), &[key]),
            Ok(vec![])
        );
        // An absent key under an empty slot needs only the root.
        assert_eq!(proof_nodes(root, &full, &[&[0xf0; 32]]).unwrap().len(), 1);
        let without_leaf = NodePool::from_nodes(&proof[..1]);
        assert_eq!(
            proof_nodes(root, &without_leaf, &[key]),
            Err(TrieError::MissingNode {
                path: Nibbles::from_nibbles(&[1]).unwrap(),
                hash: keccak256(&proof[1])
            })
        );
    }

    #[test]
    fn full_pool_lacking_a_node_is_an_error() {
        let entries: Vec<(Vec<u8>, Vec<u8>)> = (0u8..2)
            .map(|i| (vec![i << 4; 32], vec![i + 1; 40]))
            .collect();
        let (root, nodes) = trie_nodes(entries.clone());
        let full = NodePool::from_nodes(&nodes);
        let proof = proof_nodes(root, &full, &[&entries[0].0]).unwrap();
        let mut trie = SparseTrie::from_pool(root, &NodePool::from_nodes(&proof)).unwrap();
        let mut fetched = NodePool::new();
        let deletion = [(entries[0].0.clone(), Vec::new())];
        let error =
            apply_with_full_pool(&mut trie, &NodePool::new(), pairs(&deletion), &mut fetched);
        assert!(matches!(error, Err(TrieError::MissingSibling { .. })));
        assert!(fetched.is_empty());
        apply_with_full_pool(&mut trie, &full, pairs(&deletion), &mut fetched).unwrap();
        assert_eq!(fetched.len(), 1);
        assert_eq!(trie.root(), trie_root([entries[1].clone()]));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1200))]
        #[test]
        fn sparse_matches_full_with_short_keys((base, updates, root_each) in case(short_key())) {
            check(base, updates, root_each)?;
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        #[test]
        fn sparse_matches_full_with_32_byte_keys((base, updates, root_each) in case(long_key())) {
            check(base, updates, root_each)?;
        }
    }
}
