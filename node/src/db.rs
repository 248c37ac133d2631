//! The node's database: one redb file holding the beacon and shard blocks, the EEs' code and
//! states, the transaction index and the mempool. Every change the node acknowledges is one
//! durable write transaction, committed before the answer: a transaction accepted by
//! [`crate::Node::submit`] is in the mempool table, and a slot's blocks, states, index entries and
//! mempool removals land together or not at all, so a `kill -9` at any moment leaves the last
//! committed slot and every acknowledged transaction.
//!
//! Why redb: the same engine as the chain's state store (pure Rust, copy-on-write B-trees with
//! two commit slots, so a killed process reopens at the last commit with no recovery step).

use redb::{Database, TableDefinition};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::NodeError;

pub(crate) const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
pub(crate) const CODES: TableDefinition<u32, &[u8]> = TableDefinition::new("ee_codes");
pub(crate) const EES: TableDefinition<u32, &[u8]> = TableDefinition::new("ees");
/// The libraries of an EE that links some (its `Vec<LibraryCode>`); absent for the others.
pub(crate) const LIBRARIES: TableDefinition<u32, &[u8]> = TableDefinition::new("ee_libraries");
pub(crate) const MEMPOOL: TableDefinition<u64, &[u8]> = TableDefinition::new("mempool");
pub(crate) const TXS: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("transactions");
pub(crate) const BEACON: TableDefinition<u64, &[u8]> = TableDefinition::new("beacon_blocks");
pub(crate) const SHARD_BLOCKS: TableDefinition<(u32, u64), &[u8]> =
    TableDefinition::new("shard_blocks");
pub(crate) const STATES: TableDefinition<(u32, u32), &[u8; 32]> = TableDefinition::new("states");

pub(crate) fn db_error(error: impl std::fmt::Display) -> NodeError {
    NodeError::Database(error.to_string())
}

pub(crate) fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    // The node's records are plain structs: serializing them cannot fail.
    serde_json::to_vec(value).unwrap_or_default()
}

pub(crate) fn decode<T: DeserializeOwned>(what: &str, bytes: &[u8]) -> Result<T, NodeError> {
    serde_json::from_slice(bytes).map_err(|e| NodeError::Corrupt(format!("{what}: {e}")))
}

/// Opens (or creates) the database with every table present.
pub(crate) fn open(path: &std::path::Path) -> Result<Database, NodeError> {
    let db = Database::create(path).map_err(db_error)?;
    let txn = db.begin_write().map_err(db_error)?;
    {
        txn.open_table(META).map_err(db_error)?;
        txn.open_table(CODES).map_err(db_error)?;
        txn.open_table(EES).map_err(db_error)?;
        txn.open_table(LIBRARIES).map_err(db_error)?;
        txn.open_table(MEMPOOL).map_err(db_error)?;
        txn.open_table(TXS).map_err(db_error)?;
        txn.open_table(BEACON).map_err(db_error)?;
        txn.open_table(SHARD_BLOCKS).map_err(db_error)?;
        txn.open_table(STATES).map_err(db_error)?;
    }
    txn.commit().map_err(db_error)?;
    Ok(db)
}
