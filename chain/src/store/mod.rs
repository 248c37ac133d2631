//! Where a chain keeps its blocks and states: trie nodes and codes by hash, accepted blocks with
//! their post-state roots and total difficulties, the head, all behind [`Store`], with an
//! in-memory backend ([`MemoryStore`], for fixtures and tests) and a crash-safe one on disk
//! ([`RedbStore`]).
//!
//! # How states are kept
//! A state is its root: trie nodes are content-addressed (keyed by the Keccak-256 of their RLP),
//! so the post-states of all blocks share every node they have in common and a block adds only
//! the nodes on the paths it changed (about touched keys times trie depth). Any accepted block's
//! post-state, on any branch, is reachable from its root without copying anything; nothing is
//! ever deleted (an archive store; pruning of nodes no kept root reaches is not done). Accounts
//! and storage slots live in the trie leaves, codes in their own table by code hash.
//!
//! # How a block is executed over it
//! [`StoreState`] is the stateless crate's `WitnessState` over a [`StoreSource`]: it starts from
//! a root alone and resolves each node from the store the first time execution reaches it. The
//! nodes and codes it was served are exactly the block's witness (proofs of what was read and
//! written, plus the siblings deletions merge), found in time proportional to the touched keys
//! times the depth; the nodes its root computations re-encode are the new nodes of the
//! post-state ([`PostState`]).
//!
//! # Atomicity
//! A block's nodes, codes, its record and the new head go to the store as one [`StoreBatch`],
//! which a backend applies in one transaction: a reader (or a restart after `kill -9`) sees the
//! store at a block boundary, never half a block.

mod memory;
mod redb_store;
mod state;

use std::sync::Arc;

use evm_core::block::Block;
use primitive_types::{H256, U256};

pub use memory::MemoryStore;
pub use redb_store::RedbStore;
pub use state::{PostState, RecordedWitness, StoreSource, StoreState};

/// One accepted block as the store keeps it.
#[derive(Clone, Debug)]
pub struct ChainNode {
    /// The block (header, transactions, ommers, withdrawals).
    pub block: Block,
    /// The root of the world state after the block (the header's, for a block executed natively;
    /// the parent's for a block only the EE accepted).
    pub state_root: H256,
    /// Sum of the difficulties from genesis to this block.
    pub total_difficulty: U256,
}

/// Why the store could not read or write.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The database reported an error (I/O, a corrupt file, a full disk).
    #[error("state store: {0}")]
    Database(String),
    /// A record in the store does not decode (a file written by something else).
    #[error("state store: corrupt record {what}: {reason}")]
    Corrupt {
        /// Which record.
        what: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// Trie nodes and codes by hash: what executing over a stored state reads.
pub trait NodeReader {
    /// The trie node whose RLP hashes to `hash`.
    fn trie_node(&self, hash: &H256) -> Result<Option<Vec<u8>>, StoreError>;
    /// The code whose Keccak-256 is `hash`.
    fn code(&self, hash: &H256) -> Result<Option<Vec<u8>>, StoreError>;
}

/// Everything one step of a chain writes, applied atomically by [`Store::write`].
#[derive(Clone, Debug, Default)]
pub struct StoreBatch {
    /// Trie nodes (RLP); a node the store has already is skipped.
    pub nodes: Vec<Vec<u8>>,
    /// Codes; a code the store has already is skipped.
    pub codes: Vec<Vec<u8>>,
    /// Accepted blocks by hash.
    pub blocks: Vec<(H256, ChainNode)>,
    /// The new head, if it moved.
    pub head: Option<H256>,
    /// Small named values (the chain a store belongs to, a replay's progress).
    pub meta: Vec<(String, Vec<u8>)>,
}

/// A chain's storage; see the module doc.
pub trait Store: NodeReader {
    /// An accepted block.
    fn block(&self, hash: &H256) -> Result<Option<Arc<ChainNode>>, StoreError>;
    /// The head block's hash (`None` for a store nothing was written to).
    fn head(&self) -> Result<Option<H256>, StoreError>;
    /// A value written with [`StoreBatch::meta`].
    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Applies `batch` as one transaction. A backend may hold batches back and commit several
    /// at once (each still whole) until [`Store::flush`]; reads see them at once.
    fn write(&mut self, batch: StoreBatch) -> Result<(), StoreError>;
    /// Makes every batch written so far durable.
    fn flush(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
}

/// The encoding of a [`ChainNode`] in a byte-valued table: total difficulty (32 bytes, big
/// endian), state root (32 bytes), then the block's RLP.
pub(crate) fn encode_chain_node(node: &ChainNode) -> Vec<u8> {
    let rlp = node.block.encode();
    let mut out = Vec::with_capacity(64 + rlp.len());
    let mut td = [0u8; 32];
    node.total_difficulty.to_big_endian(&mut td);
    out.extend_from_slice(&td);
    out.extend_from_slice(node.state_root.as_bytes());
    out.extend_from_slice(&rlp);
    out
}

/// The reverse of [`encode_chain_node`].
pub(crate) fn decode_chain_node(hash: &H256, bytes: &[u8]) -> Result<ChainNode, StoreError> {
    let corrupt = |reason: String| StoreError::Corrupt {
        what: format!("block {hash:?}"),
        reason,
    };
    let (td, rest) = bytes
        .split_at_checked(32)
        .ok_or_else(|| corrupt("shorter than 64 bytes".into()))?;
    let (root, rlp) = rest
        .split_at_checked(32)
        .ok_or_else(|| corrupt("shorter than 64 bytes".into()))?;
    let block = Block::decode(rlp).map_err(|e| corrupt(e.to_string()))?;
    Ok(ChainNode {
        block,
        state_root: H256::from_slice(root),
        total_difficulty: U256::from_big_endian(td),
    })
}

#[cfg(test)]
mod tests;
