//! Eth1 block validation and execution, Frontier to Cancun.
//!
//! [`execute_block`] reads top to bottom in pipeline order, one concept per file:
//!
//! 1. [`Header`] and [`Block`]: the block as decoded from RLP.
//! 2. [`chain`]: which fork the block follows.
//! 3. [`validate`]: the header against its parent ([`difficulty`], [`base_fee`],
//!    [`blob_gas`], the [`dao`] extra data), the body against the header, the ommers against
//!    the ancestors.
//! 4. [`dao`]: the DAO fork's irregular state change; [`beacon_root`]: the EIP-4788 system
//!    call.
//! 5. The transactions through [`transact`](crate::execute::transact), each with its
//!    [`receipt`].
//! 6. [`withdrawals`] (EIP-4895) and [`rewards`] (before the merge).
//! 7. The header's commitments: gas used, blob gas used, logs bloom, receipts root, state root.
//!
//! Every rejection is a [`BlockError`] variant naming what the block said and what the rule
//! wanted. Proof-of-work seals are not verified.

pub mod base_fee;
pub mod beacon_root;
pub mod blob_gas;
mod body;
mod build;
pub mod chain;
pub mod dao;
pub mod difficulty;
mod error;
mod execute;
mod header;
pub mod receipt;
pub mod rewards;
pub mod validate;
pub mod withdrawals;

#[cfg(test)]
mod tests;

pub use body::{Block, Withdrawal};
pub use build::{BlockTemplate, build_block};
pub use chain::{Activation, ChainSpec};
pub use error::BlockError;
pub use execute::{BlockOutcome, execute_block};
pub use header::Header;
pub use receipt::{Receipt, receipts_root};
pub use validate::{BLOCK_HASH_WINDOW, MAX_OMMER_DEPTH, validate_header, validate_ommers};
