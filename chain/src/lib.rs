//! Chains of Eth1 blocks on the host side: the block tree and its fork choice, import of a block
//! by native execution, the EE's input (pre-state commitment and block-data blob) built from the
//! parent's full state, and the EE module run on it in a Wasm engine.
//!
//! The data's way through it: [`Chain::import`] decodes a block and finds its parent
//! ([`tree`]); an engine gets the [`ImportContext`] and returns the post-state or its reason:
//! [`execute_native`] ([`native`]) or [`WasmEngine`] ([`ee_engine`]), which builds an [`EeInput`]
//! ([`ee_input`]) and hands it to the EE through `evm-ee-host`. The fixture runners (`ethtests`)
//! and, later, a node and a history replayer stand on this crate, not on each other.
//!
//! Dependencies and why:
//! - `evm-core` (with `native-precompiles`): block rules and execution, witness generation.
//! - `witness`: the blob format, the witness, Keccak-256.
//! - `ee`: the EE's state commitment (`ee_state`) and its rejection kinds, so the host reads the
//!   EE's verdict in the EE's own terms.
//! - `evm-ee-host`: the Wasm engines the EE runs in.
//! - `primitive-types`: hashes and 256-bit numbers; `hex`: hashes in messages.

#![warn(missing_docs, unreachable_pub)]

pub mod ee_engine;
pub mod ee_input;
pub mod native;
mod stateless_check;
pub mod tree;

pub use ee_engine::WasmEngine;
pub use ee_input::{EeInput, ee_input};
pub use native::execute_native;
pub use tree::{Chain, ChainNode, ImportContext, Imported, Rejection};
