//! The on-disk backend, on redb.
//!
//! Why redb: pure Rust (nothing to build in C, works wherever the host builds), ACID with
//! copy-on-write B-trees and two commit slots, so a process killed at any instant reopens at the
//! last committed transaction with no recovery step; one writer and many readers, which is the
//! shape of a chain (one importer, readers for witnesses and an API); a small, well-kept crate
//! that several Rust chain indexers use.
//!
//! Batches are held in memory and committed together every [`RedbStore::commit_every`] blocks
//! (each batch whole: a transaction never ends inside a block), because a durable commit costs
//! an `fsync`, which would otherwise dominate a replay of small blocks. Reads see held batches
//! first, so nothing is different for the chain above.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::Arc;

use primitive_types::H256;
use redb::{Database, ReadOnlyTable, ReadableDatabase, TableDefinition};
use witness::keccak256;

use super::{
    ChainNode, NodeReader, Store, StoreBatch, StoreError, decode_chain_node, encode_chain_node,
};

const NODES: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("trie_nodes");
const CODES: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("codes");
const BLOCKS: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("blocks");
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");

/// The meta key of the head block's hash.
const HEAD: &str = "head";

/// Decoded blocks kept for reads (the tree reads the last 256 on every import).
const BLOCK_CACHE: usize = 2048;

fn db_error(error: impl std::fmt::Display) -> StoreError {
    StoreError::Database(error.to_string())
}

/// Batches written but not committed yet, as the reads must see them.
#[derive(Default)]
struct Held {
    nodes: HashMap<H256, Vec<u8>>,
    codes: HashMap<H256, Vec<u8>>,
    blocks: HashMap<H256, Arc<ChainNode>>,
    meta: HashMap<String, Vec<u8>>,
    batches: usize,
}

/// Decoded blocks by hash, and their hashes oldest first (to evict).
type BlockCache = (HashMap<H256, Arc<ChainNode>>, VecDeque<H256>);

/// Read handles on the last committed transaction.
struct Readers {
    nodes: ReadOnlyTable<&'static [u8; 32], &'static [u8]>,
    codes: ReadOnlyTable<&'static [u8; 32], &'static [u8]>,
    blocks: ReadOnlyTable<&'static [u8; 32], &'static [u8]>,
    meta: ReadOnlyTable<&'static str, &'static [u8]>,
}

/// A [`Store`] in a redb database file.
pub struct RedbStore {
    db: Database,
    readers: Readers,
    held: Held,
    commit_every: usize,
    cache: RefCell<BlockCache>,
}

impl RedbStore {
    /// Opens the store in `path` (a file), creating it if it does not exist.
    pub fn open(path: &Path) -> Result<RedbStore, StoreError> {
        let db = Database::create(path).map_err(db_error)?;
        // Create the tables, so readers can open them on a new file.
        let txn = db.begin_write().map_err(db_error)?;
        {
            txn.open_table(NODES).map_err(db_error)?;
            txn.open_table(CODES).map_err(db_error)?;
            txn.open_table(BLOCKS).map_err(db_error)?;
            txn.open_table(META).map_err(db_error)?;
        }
        txn.commit().map_err(db_error)?;
        let readers = Self::readers(&db)?;
        Ok(RedbStore {
            db,
            readers,
            held: Held::default(),
            commit_every: 1,
            cache: RefCell::new((HashMap::new(), VecDeque::new())),
        })
    }

    /// Commits every `blocks` batches instead of every batch (at least 1). A `kill -9` loses at
    /// most the batches not yet committed; the store reopens at the last committed one.
    pub fn commit_every(mut self, blocks: usize) -> RedbStore {
        self.commit_every = blocks.max(1);
        self
    }

    fn readers(db: &Database) -> Result<Readers, StoreError> {
        let txn = db.begin_read().map_err(db_error)?;
        Ok(Readers {
            nodes: txn.open_table(NODES).map_err(db_error)?,
            codes: txn.open_table(CODES).map_err(db_error)?,
            blocks: txn.open_table(BLOCKS).map_err(db_error)?,
            meta: txn.open_table(META).map_err(db_error)?,
        })
    }

    fn read_hashed(
        table: &ReadOnlyTable<&'static [u8; 32], &'static [u8]>,
        hash: &H256,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(table
            .get(&hash.0)
            .map_err(db_error)?
            .map(|value| value.value().to_vec()))
    }

    fn cache_block(&self, hash: H256, node: Arc<ChainNode>) {
        let mut cache = self.cache.borrow_mut();
        let (map, order) = &mut *cache;
        if map.insert(hash, node).is_none() {
            order.push_back(hash);
            while order.len() > BLOCK_CACHE {
                if let Some(old) = order.pop_front() {
                    map.remove(&old);
                }
            }
        }
    }
}

impl NodeReader for RedbStore {
    fn trie_node(&self, hash: &H256) -> Result<Option<Vec<u8>>, StoreError> {
        if let Some(node) = self.held.nodes.get(hash) {
            return Ok(Some(node.clone()));
        }
        Self::read_hashed(&self.readers.nodes, hash)
    }

    fn code(&self, hash: &H256) -> Result<Option<Vec<u8>>, StoreError> {
        if let Some(code) = self.held.codes.get(hash) {
            return Ok(Some(code.clone()));
        }
        Self::read_hashed(&self.readers.codes, hash)
    }
}

impl Store for RedbStore {
    fn block(&self, hash: &H256) -> Result<Option<Arc<ChainNode>>, StoreError> {
        if let Some(node) = self.held.blocks.get(hash) {
            return Ok(Some(node.clone()));
        }
        if let Some(node) = self.cache.borrow().0.get(hash) {
            return Ok(Some(node.clone()));
        }
        let Some(bytes) = Self::read_hashed(&self.readers.blocks, hash)? else {
            return Ok(None);
        };
        let node = Arc::new(decode_chain_node(hash, &bytes)?);
        self.cache_block(*hash, node.clone());
        Ok(Some(node))
    }

    fn head(&self) -> Result<Option<H256>, StoreError> {
        let Some(bytes) = self.meta(HEAD)? else {
            return Ok(None);
        };
        let hash: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| StoreError::Corrupt {
                what: "head".into(),
                reason: format!("{} bytes, not 32", bytes.len()),
            })?;
        Ok(Some(H256(hash)))
    }

    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        if let Some(value) = self.held.meta.get(key) {
            return Ok(Some(value.clone()));
        }
        Ok(self
            .readers
            .meta
            .get(key)
            .map_err(db_error)?
            .map(|value| value.value().to_vec()))
    }

    fn write(&mut self, batch: StoreBatch) -> Result<(), StoreError> {
        let held = &mut self.held;
        for node in batch.nodes {
            held.nodes.entry(keccak256(&node)).or_insert(node);
        }
        for code in batch.codes {
            held.codes.entry(keccak256(&code)).or_insert(code);
        }
        for (hash, node) in batch.blocks {
            held.blocks.insert(hash, Arc::new(node));
        }
        if let Some(head) = batch.head {
            held.meta.insert(HEAD.into(), head.as_bytes().to_vec());
        }
        held.meta.extend(batch.meta);
        held.batches += 1;
        if held.batches >= self.commit_every {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), StoreError> {
        if self.held.batches == 0 {
            return Ok(());
        }
        let held = std::mem::take(&mut self.held);
        let txn = self.db.begin_write().map_err(db_error)?;
        {
            let mut nodes = txn.open_table(NODES).map_err(db_error)?;
            for (hash, node) in &held.nodes {
                nodes.insert(&hash.0, node.as_slice()).map_err(db_error)?;
            }
            let mut codes = txn.open_table(CODES).map_err(db_error)?;
            for (hash, code) in &held.codes {
                codes.insert(&hash.0, code.as_slice()).map_err(db_error)?;
            }
            let mut blocks = txn.open_table(BLOCKS).map_err(db_error)?;
            for (hash, node) in &held.blocks {
                blocks
                    .insert(&hash.0, encode_chain_node(node).as_slice())
                    .map_err(db_error)?;
            }
            let mut meta = txn.open_table(META).map_err(db_error)?;
            for (key, value) in &held.meta {
                meta.insert(key.as_str(), value.as_slice())
                    .map_err(db_error)?;
            }
        }
        txn.commit().map_err(db_error)?;
        for (hash, node) in held.blocks {
            self.cache_block(hash, node);
        }
        self.readers = Self::readers(&self.db)?;
        Ok(())
    }
}

impl Drop for RedbStore {
    fn drop(&mut self) {
        // Best effort: a caller that needs to know calls `flush` itself.
        let _ = self.flush();
    }
}
