//! The Ethereum state transition from Frontier to Cancun, over the rust-ethereum `evm` interpreter.
//!
//! The data flows: a transaction ([`tx`]) is checked against the fork and the state, then executed
//! ([`execute`]) on the `evm` crate's interpreter with a [`State`](state::State) behind it and a
//! [`Precompiles`](precompiles::Precompiles) set beside it; the changes are committed to the state,
//! whose root the `witness` crate's trie computes.
//!
//! `no_std` + `alloc`, deterministic, no I/O and no floats, so the same code runs natively and
//! inside the Wasm execution environment.
//!
//! Dependencies and why: `evm` (the interpreter, gasometer and call stack), `primitive-types`,
//! `rlp` and `sha3` (the types and encodings `evm` itself uses), `k256` (secp256k1 recovery for
//! senders and ECRECOVER), `sha2`, `ripemd`, `substrate-bn` and `aurora-engine-modexp` (native
//! precompiles), `thiserror` (error enums that work without std), `witness` (the Merkle-Patricia
//! trie for state roots, the strict RLP reader every decoder here uses, hex literals); stateless
//! execution over a witness is the `stateless` crate's, on top of this one, `precompiles` (the guest precompile code, [`GuestPrecompiles`](precompiles::GuestPrecompiles)).

#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs, unreachable_pub)]

extern crate alloc;

pub mod block;
pub mod execute;
pub mod logs;
pub mod precompiles;
pub mod spec;
pub mod state;
pub mod tx;

pub use block::{Block, BlockError, ChainSpec, Header, execute_block};
pub use execute::{BlockEnv, BlockGasLeft, TransactError, TxOutcome, transact};
pub use spec::SpecId;
pub use state::{InMemoryState, State};
