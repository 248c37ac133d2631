//! RLP helpers, the Merkle-Patricia trie and trie roots for evm-ee, usable without `std`.
//!
//! What is here so far: nibble paths and their hex-prefix encoding ([`Nibbles`]), the trie node
//! kinds with strict RLP decoding ([`Node`]), and the root of a whole trie built from its entries
//! ([`trie_root`], [`secure_trie_root`], [`ordered_trie_root`]), as the state, storage,
//! transactions, receipts and withdrawals roots need.
//!
//! Dependencies and why:
//! - `primitive-types`: `H256`, the hash type the `evm` crate and `evm-core` use, so roots pass
//!   between crates without conversion.
//! - `rlp` (0.5, the version `evm` builds on): the encoding of trie nodes and of the keys of
//!   ordered tries; its decoder reports malformed input as errors instead of panicking.
//! - `sha3`: Keccak-256, the hash of every trie node and of secure-trie keys.
//! - `thiserror` (without default features, so it works under `no_std`): typed errors with
//!   precise messages for untrusted bytes.
//!
//! The `std` feature only turns on the `std` features of those dependencies (for
//! `std::error::Error` on their errors); nothing here needs more than `alloc`.

#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs, unreachable_pub)]

extern crate alloc;

mod nibbles;
mod node;
mod trie_root;

pub use nibbles::{Nibbles, NibblesError};
pub use node::{Node, NodeError, NodeRef};
pub use primitive_types::H256;
pub use trie_root::{EMPTY_ROOT, keccak256, ordered_trie_root, secure_trie_root, trie_root};
