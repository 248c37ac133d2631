//! The in-memory backend: the same tables as the database, in ordered maps.

use std::collections::BTreeMap;
use std::sync::Arc;

use primitive_types::H256;
use witness::keccak256;

use super::{ChainNode, NodeReader, Store, StoreBatch, StoreError};

/// A [`Store`] in memory: what the fixture runners and tests use. It holds every node any
/// accepted block's state needs, shared between blocks (see the module doc of [`super`]), so it
/// grows with what blocks change, not with the state times the blocks.
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    nodes: BTreeMap<H256, Vec<u8>>,
    codes: BTreeMap<H256, Vec<u8>>,
    blocks: BTreeMap<H256, Arc<ChainNode>>,
    head: Option<H256>,
    meta: BTreeMap<String, Vec<u8>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// Number of trie nodes held.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Bytes of trie nodes and codes held.
    pub fn bytes(&self) -> usize {
        self.nodes
            .values()
            .chain(self.codes.values())
            .map(Vec::len)
            .sum()
    }
}

impl NodeReader for MemoryStore {
    fn trie_node(&self, hash: &H256) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.nodes.get(hash).cloned())
    }

    fn code(&self, hash: &H256) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.codes.get(hash).cloned())
    }
}

impl Store for MemoryStore {
    fn block(&self, hash: &H256) -> Result<Option<Arc<ChainNode>>, StoreError> {
        Ok(self.blocks.get(hash).cloned())
    }

    fn head(&self) -> Result<Option<H256>, StoreError> {
        Ok(self.head)
    }

    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.meta.get(key).cloned())
    }

    fn write(&mut self, batch: StoreBatch) -> Result<(), StoreError> {
        for node in batch.nodes {
            self.nodes.entry(keccak256(&node)).or_insert(node);
        }
        for code in batch.codes {
            self.codes.entry(keccak256(&code)).or_insert(code);
        }
        for (hash, node) in batch.blocks {
            self.blocks.insert(hash, Arc::new(node));
        }
        if let Some(head) = batch.head {
            self.head = Some(head);
        }
        self.meta.extend(batch.meta);
        Ok(())
    }
}
