//! Stateless validation of one Eth1 block: what the EE receives, how it checks it, and how a host
//! produces it; `no_std` + `alloc`, so the EE module links it for `wasm32-unknown-unknown`.
//!
//! The EE's pipeline, [`validate_block_data`], reads top to bottom in the data's order, each
//! failure its own [`EeError`] variant (sorted into a [`RejectionKind`] for hosts):
//!
//! 1. **Decode**: the [`BlockDataBlob`] ([`blob`]): the [`ChainConfig`] (forks typed as
//!    evm-core's `SpecId`), the parent's total difficulty, the block RLP and its [`Witness`].
//! 2. **Verify**: the parent, the chain config and the total difficulty against the 32-byte
//!    pre-state ([`ee_state`]); the witness against the parent's state root, every node, before
//!    anything reads it ([`WitnessState::new`]).
//! 3. **Execute**: evm-core's `execute_block` over the [`WitnessState`]; a key the witness does not
//!    cover is [`WitnessStateError`] (a witness gap), never an empty account.
//! 4. **Commit**: the post-state ([`ee_state`] of the new head) and the beacon-chain deposits
//!    ([`deposits_of`]).
//!
//! A host builds the blob's witness the other way round: execute natively over a
//! [`RecordingState`], then [`generate_witness`] from the pre-state, the [`AccessRecord`] and the
//! changes. With `std`, witnesses are also read from and written to the JSON of geth's and reth's
//! `debug_executionWitness` ([`Witness::from_json`]).
//!
//! ```
//! use stateless::{BlockDataBlob, EeError, RejectionKind, validate_block_data};
//!
//! // Bytes that are not a blob are rejected with a typed reason, never a panic.
//! let error = validate_block_data([0; 32], b"not a blob").unwrap_err();
//! assert!(matches!(error, EeError::Blob(_)));
//! assert_eq!(error.kind(), RejectionKind::MalformedInput);
//! assert!(BlockDataBlob::decode(b"not a blob").is_err());
//! ```
//!
//! Dependencies and why:
//! - `evm-core`: block rules and execution, the `State` trait the witness-backed state and the
//!   recorder implement, `SpecId` and `ChainSpec` for the chain config.
//! - `witness`: the sparse trie the witness is verified into, proofs for generation, Keccak-256,
//!   the strict RLP reader (accounts, storage values) and the hex reader (JSON).
//! - `primitive-types`: hashes and 256-bit numbers, shared with evm-core.
//! - `thiserror` (no default features, so it works under `no_std`): the typed errors.
//! - `serde`, `serde_json` (optional, with `std`): the `debug_executionWitness` JSON.

#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs, unreachable_pub)]

extern crate alloc;

pub mod blob;
mod block_witness;
mod deposit;
mod error;
mod generate;
#[cfg(feature = "std")]
mod json;
mod recording;
mod validate;
mod witness_state;

#[cfg(test)]
mod generate_tests;

pub use blob::{
    BLOB_MAGIC, BLOB_VERSION, BlobError, BlockDataBlob, ChainConfig, ForkActivation,
    MAX_BOMB_DELAYS, MAX_FORK_INDEX, MAX_FORKS,
};
pub use block_witness::{Witness, WitnessSizes};
pub use deposit::{DEPOSIT_EVENT_TOPIC, DEPOSIT_LEN, deposits_of};
pub use error::{EeError, RejectionKind};
pub use generate::{GeneratedWitness, GenerationError, generate_witness, state_trie_nodes};
#[cfg(feature = "std")]
pub use json::WitnessJsonError;
pub use recording::{AccessRecord, RecordingState};
pub use validate::{Validated, ee_state, validate_block_data};
pub use witness_state::{NodeSource, WitnessOnly, WitnessState, WitnessStateError};
