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

use alloc::format;
use alloc::vec::Vec;
use rlp::Rlp;

pub use body::{Block, Withdrawal};
pub use chain::{Activation, ChainSpec};
pub use error::BlockError;
pub use execute::{BlockOutcome, execute_block};
pub use header::Header;
pub use receipt::{Receipt, receipts_root};
pub use validate::{BLOCK_HASH_WINDOW, MAX_OMMER_DEPTH, validate_header, validate_ommers};

/// The items of an RLP list, strictly: the `rlp` crate's own iteration stops silently at the
/// first malformed item, which would let trailing garbage through.
fn list_items<'a>(rlp: &Rlp<'a>, what: &str) -> Result<Vec<Rlp<'a>>, BlockError> {
    if !rlp.is_list() {
        return Err(BlockError::Malformed(format!("{what} is not an RLP list")));
    }
    let mut rest = rlp
        .data()
        .map_err(|e| BlockError::Malformed(format!("{what}: {e}")))?;
    let mut items = Vec::new();
    while !rest.is_empty() {
        let info = rlp::PayloadInfo::from(rest)
            .map_err(|e| BlockError::Malformed(format!("{what} item {}: {e}", items.len())))?;
        let total = info.total();
        let Some((item, tail)) = rest.split_at_checked(total) else {
            return Err(BlockError::Malformed(format!(
                "{what} item {} is longer than the list",
                items.len()
            )));
        };
        items.push(Rlp::new(item));
        rest = tail;
    }
    Ok(items)
}
