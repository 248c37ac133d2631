//! The trie side of stateless validation: the Merkle-Patricia trie a witness proves (nodes,
//! roots, the sparse witness-backed trie, proofs for the generator), and the strict RLP and hex
//! readers every decoder uses; `no_std`. The blob, the witness lists and the EE pipeline are the
//! `stateless` crate's.
//!
//! [`rlp`] is the one RLP reader of the workspace and [`hex`] the one hex reader: every decoder
//! of untrusted bytes or text goes through them. Then: nibble paths and their hex-prefix encoding ([`Nibbles`]), the trie node
//! kinds with strict RLP decoding ([`Node`]), and the root of a whole trie built from its entries
//! ([`trie_root`], [`secure_trie_root`], [`ordered_trie_root`]), as the state, storage,
//! transactions, receipts and withdrawals roots need.
//!
//! The sparse trie, in the order stateless validation uses it:
//! 1. [`NodePool`]: the witness's trie nodes, keyed by the hash a parent names them by.
//! 2. [`SparseTrie::from_pool`]: resolves from the pre-state root every node the pool holds, so
//!    the whole witness is checked against the root before anything reads it; what the pool lacks
//!    stays a hash, and reading through it is [`TrieError::MissingNode`], never "absent".
//! 3. [`SparseTrie::get`], [`SparseTrie::insert`], [`SparseTrie::remove`]: reads that prove what
//!    they return, writes that fail without changing anything when the witness is short (a
//!    deletion that merges a branch needs the sibling: [`TrieError::MissingSibling`]).
//! 4. [`SparseTrie::root`]: the post-state root, rehashing only the nodes writes changed.
//!
//! On the generator's side ([`trie_nodes`], [`proof_nodes`], [`apply_with_full_pool`]): the nodes
//! of a full trie, the nodes on the paths of the touched keys, and the extra nodes that writes
//! turn out to need.
//!
//! Dependencies and why:
//! - `primitive-types`: `H256`, the hash type the `evm` crate and `evm-core` use, so roots pass
//!   between crates without conversion.
//! - `rlp` (0.5, the version `evm` builds on): `RlpStream`, the writer of trie nodes and of the
//!   keys of ordered tries, whose output is canonical. Reading is [`rlp`]'s, stricter than the
//!   crate's reader (see there).
//! - `sha3`: Keccak-256, the hash of every trie node and of secure-trie keys.
//! - `thiserror` (without default features, so it works under `no_std`): typed errors with
//!   precise messages for untrusted bytes.
//!
//! The `std` feature only turns on the `std` features of those dependencies (for
//! `std::error::Error` on their errors); nothing here needs more than `alloc`.

#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs, unreachable_pub)]

extern crate alloc;

pub mod hex;
mod nibbles;
mod node;
mod pool;
mod proof;
pub mod rlp;
mod sparse;
mod trie_root;

pub use hex::HexError;
pub use nibbles::{Nibbles, NibblesError};
pub use node::{Node, NodeError, NodeRef};
pub use pool::NodePool;
pub use primitive_types::H256;
pub use proof::{apply_with_full_pool, proof_nodes, trie_nodes};
pub use rlp::RlpError;
pub use sparse::{MAX_DEPTH, SparseTrie, TrieError};
pub use trie_root::{EMPTY_ROOT, keccak256, ordered_trie_root, secure_trie_root, trie_root};
