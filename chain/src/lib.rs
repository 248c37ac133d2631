//! Chains on the host side: Eth1 blocks (the block tree and its fork choice, import of a block
//! by native execution, the EE's input built from the parent's full state, the EE module run on
//! it in a Wasm engine) and shards (EEs with their 32-byte states, as Scout runs them, and
//! Scout's YAML test format).
//!
//! The data's way through it: [`Chain::import`] decodes a block and finds its parent
//! ([`tree`]); an engine gets the [`ImportContext`] and returns the post-state or its reason:
//! [`execute_native`] ([`native`]) or [`WasmEngine`] ([`ee_engine`]), which builds an [`EeInput`]
//! ([`ee_input`]) and hands it to the EE through `evm-ee-host`. The fixture runners (`ethtests`)
//! and, later, a node and a history replayer stand on this crate, not on each other.
//!
//! Shards: [`scout`] reads and writes Scout YAML tests; [`Shard`] ([`shard`]) runs shard blocks
//! on EEs by index and keeps their states and deposits; [`run_scout_file`] runs a test file.
//!
//! Dependencies and why:
//! - `evm-core` (with `native-precompiles`): block rules and execution, witness generation.
//! - `witness`: the blob format, the witness, Keccak-256.
//! - `ee`: the EE's state commitment (`ee_state`) and its rejection kinds, so the host reads the
//!   EE's verdict in the EE's own terms.
//! - `evm-ee-host`: the Wasm engines the EE runs in.
//! - `primitive-types`: hashes and 256-bit numbers; `hex`: hex in YAML and messages (parsing is
//!   `witness::hex`'s).
//! - `serde`, `serde_norway`: Scout YAML (`serde_norway` is the maintained fork of the archived
//!   `serde_yaml`); `serde_json`: YAML's double-quoted strings, which JSON's are a subset of.
//! - `thiserror`: [`ShardError`] and [`scout::ScoutFormatError`].

#![warn(missing_docs, unreachable_pub)]

pub mod ee_engine;
pub mod ee_input;
pub mod example_chain;
pub mod genesis_file;
pub mod native;
pub mod networks;
pub mod replay;
pub mod rpc_block;
pub mod scout;
pub mod seal;
pub mod shard;
pub mod store;
pub mod tree;

pub use ee_engine::WasmEngine;
pub use ee_input::{EeInput, chain_config};
pub use native::{NativeRun, execute_native, run_native};
pub use networks::{
    CHAIN_NAMES, ChainDefinition, ChainError, GenesisError, LaterFork, MAINNET_GENESIS_HASH,
    Network, chain_by_name, mainnet,
};
pub use replay::{ArchivedBlock, ReplayEngine, ReplayError, ReplayTotals, ReplayedBlock, Replayer};
pub use seal::{SealRejection, SealVerifier, seal_of};
pub use shard::{
    BlockReport, MAX_SCOUT_YAML_BYTES, ScoutReport, Shard, ShardError, run_scout_file,
};
pub use store::{
    ChainNode, MemoryStore, NodeReader, PostState, RecordedWitness, RedbStore, Store, StoreBatch,
    StoreError,
};
pub use tree::{Chain, ImportContext, Imported, Rejection};
