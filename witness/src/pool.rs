//! The trie nodes of a witness, looked up by hash.
//!
//! A witness is a bag of RLP trie nodes (the `state` list of geth's and reth's
//! `debug_executionWitness`). Parents refer to children by Keccak-256 of their RLP, so keying the
//! bag by that hash is what lets a trie be rebuilt from a root: a node found under the hash its
//! parent names is, by collision resistance, the node the root committed to. Nodes nobody refers
//! to, and duplicates, cost memory but never change a result.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use primitive_types::H256;

use crate::trie_root::keccak256;

/// Trie nodes of a witness, by Keccak-256 of their RLP. Duplicates and unused nodes are fine.
///
/// The pool does not decode what it holds: bytes are only checked (strictly, see
/// [`Node::decode`](crate::Node::decode)) when a trie reaches them from its root, so junk that no
/// root reaches is never an error.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodePool {
    nodes: BTreeMap<H256, Vec<u8>>,
    /// Sum of the lengths of the distinct nodes, which bounds the work of resolving a trie.
    bytes: usize,
}

impl NodePool {
    /// An empty pool.
    pub fn new() -> Self {
        Self::default()
    }

    /// A pool holding each of `nodes` (RLP bytes, in any order).
    pub fn from_nodes<I: IntoIterator<Item = B>, B: AsRef<[u8]>>(nodes: I) -> Self {
        let mut pool = Self::new();
        for node in nodes {
            pool.insert(node.as_ref().to_vec());
        }
        pool
    }

    /// Adds a node and returns its hash. Adding the same bytes again changes nothing.
    pub fn insert(&mut self, rlp: Vec<u8>) -> H256 {
        let hash = keccak256(&rlp);
        let len = rlp.len();
        if let alloc::collections::btree_map::Entry::Vacant(slot) = self.nodes.entry(hash) {
            slot.insert(rlp);
            self.bytes = self.bytes.saturating_add(len);
        }
        hash
    }

    /// The node whose RLP hashes to `hash`, if the pool holds it.
    pub fn get(&self, hash: &H256) -> Option<&[u8]> {
        self.nodes.get(hash).map(Vec::as_slice)
    }

    /// Number of distinct nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the pool holds no node.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The nodes with their hashes, in hash order (deterministic, whatever order they came in).
    pub fn iter(&self) -> impl Iterator<Item = (&H256, &[u8])> {
        self.nodes.iter().map(|(hash, rlp)| (hash, rlp.as_slice()))
    }

    /// Total length of the distinct nodes' RLP.
    pub(crate) fn total_bytes(&self) -> usize {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn keyed_by_hash_and_deduplicated() {
        let mut pool = NodePool::from_nodes([vec![0xc2, 0x20, 0x01], vec![0xc1, 0x80]]);
        assert_eq!(pool.len(), 2);
        assert_eq!(pool.total_bytes(), 5);
        let hash = pool.insert(vec![0xc2, 0x20, 0x01]);
        assert_eq!(hash, keccak256(&[0xc2, 0x20, 0x01]));
        assert_eq!(pool.len(), 2);
        assert_eq!(pool.total_bytes(), 5);
        assert_eq!(pool.get(&hash), Some(&[0xc2, 0x20, 0x01][..]));
        assert_eq!(pool.get(&H256::zero()), None);
        let hashes: Vec<H256> = pool.iter().map(|(h, _)| *h).collect();
        let mut sorted = hashes.clone();
        sorted.sort();
        assert_eq!(hashes, sorted);
        assert!(NodePool::new().is_empty());
    }
}
