//! A Phase 2 style shard testnet node: a beacon chain of slots that deploys execution
//! environments and crosslinks N shard chains, whose blocks run transactions `{ee, data}` on
//! each EE's 32-byte state, every transaction in every configured Wasm engine, all persisted in
//! redb so that nothing acknowledged is lost.
//!
//! The data's way: [`Node::deploy`] and [`Node::submit`] record what arrives durably;
//! [`Node::build_slot`] runs the waiting transactions ([`executor`]) into a [`SlotProposal`];
//! [`Node::commit_slot`] writes it in one transaction ([`db`]); another node checks the same
//! blocks with [`Node::import_slot`], which executes them again.
//!
//! Dependencies and why: `evm-ee-host` (the engines and their limits, the EEI), `witness`
//! (Keccak-256 and the one hex helper), `serde`/`serde_json` (the canonical encoding blocks are
//! hashed and stored in, and the API's JSON), `redb` (the database, as the chain's state store
//! uses it), `tokio` + `axum` (the HTTP API, [`server`]), `tokio-stream` (its server-sent
//! events), `thiserror` (the typed errors).

#![warn(missing_docs, unreachable_pub)]

pub mod db;
pub mod executor;
pub mod node;
pub mod server;
pub mod types;

pub use executor::{EeLoader, EeRun, HostLoader, RunError};
pub use node::{
    DATABASE_FILE, GenesisEe, MAX_SHARDS, Node, NodeConfig, SlotBlocks, SlotProposal, Totals,
    TxRecord,
};
pub use types::{
    BeaconBlock, Bytes, Bytes32, Crosslink, Deployment, EeState, LibraryCode, LibraryRef, Outcome,
    Receipt, ShardBlock, ShardHeader, Transaction,
};

/// The node failed, not the request.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The database failed.
    #[error("database: {0}")]
    Database(String),
    /// The database holds something the node cannot read.
    #[error("the database is corrupt: {0}")]
    Corrupt(String),
    /// The node cannot start as configured.
    #[error("{0}")]
    Config(String),
    /// Another node's slot does not check out.
    #[error("slot {slot} is invalid: {reason}")]
    InvalidSlot {
        /// The slot.
        slot: u64,
        /// What is wrong.
        reason: String,
    },
}

/// Why a transaction was refused (the request's fault, a 4xx over HTTP), or the node failed.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// No such shard.
    #[error("no shard {shard}: the node has shards 0..{shards}")]
    NoSuchShard {
        /// The shard named.
        shard: u32,
        /// Shards the node has.
        shards: u32,
    },
    /// No such EE.
    #[error("no EE {ee}: the node has {ees} EEs")]
    NoSuchEe {
        /// The EE named.
        ee: u32,
        /// EEs the node has (deployed or pending).
        ees: usize,
    },
    /// The data is over the limit.
    #[error("transaction data of {len} bytes is over the node's limit of {max}")]
    DataTooLarge {
        /// Its size.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The mempool is full.
    #[error("the mempool is full ({max} transactions): try again after the next slot")]
    MempoolFull {
        /// Its capacity.
        max: usize,
    },
    /// The node has seen this transaction already.
    #[error("transaction {0} is known already")]
    Known(Bytes32),
    /// The node failed.
    #[error(transparent)]
    Node(#[from] NodeError),
}

/// Why an EE was refused, or the node failed.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    /// The code is over the host's module size limit.
    #[error("the module is {len} bytes, over the host's limit of {max}")]
    TooLarge {
        /// Its size.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The host refuses the module (not wasm, wrong exports or imports, over a limit).
    #[error("the module is refused: {0}")]
    Invalid(String),
    /// No index is left.
    #[error("the node has as many EEs as it can index")]
    TooMany,
    /// The node failed.
    #[error(transparent)]
    Node(#[from] NodeError),
}

impl From<redb::Error> for NodeError {
    fn from(error: redb::Error) -> NodeError {
        NodeError::Database(error.to_string())
    }
}
