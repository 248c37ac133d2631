//! Where accounts, storage, code and block hashes come from, and where a transaction's changes go.
//!
//! [`State`] is the seam between execution and storage: an in-memory map for tests and the
//! conformance runners ([`InMemoryState`]), a witness-verified sparse trie inside the execution
//! environment. Reads are fallible because a witness may not cover what execution touches; such an
//! error aborts the transaction, it never reads as "absent".

mod in_memory;
mod root;

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use primitive_types::{H160, H256, U256};

pub use in_memory::{InMemoryAccount, InMemoryState};
pub use root::{EMPTY_CODE_HASH, account_rlp, storage_root, storage_value_rlp};

/// The account fields execution reads; the storage root stays with the state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountInfo {
    /// Transaction count (or creation count for contracts).
    pub nonce: u64,
    /// Balance in wei.
    pub balance: U256,
    /// keccak256 of the code ([`EMPTY_CODE_HASH`] for none).
    pub code_hash: H256,
}

/// What a transaction did to one account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountChange {
    /// Self-destructed, or touched and empty after EIP-161: remove it and its storage.
    Deleted,
    /// Created or modified: the final nonce and balance, the new code if it was set, whether the
    /// storage was cleared first (contract creation over an old address), and the slots written
    /// (a zero value deletes the slot).
    Updated {
        /// Final nonce.
        nonce: u64,
        /// Final balance.
        balance: U256,
        /// New code, when the transaction deployed code here.
        code: Option<Vec<u8>>,
        /// Storage wiped before `storage` is applied.
        storage_cleared: bool,
        /// Slots written, in key order.
        storage: BTreeMap<H256, H256>,
    },
}

/// All accounts a transaction changed, in address order (deterministic commit and hashing).
pub type StateChanges = BTreeMap<H160, AccountChange>;

/// The world state as execution sees it.
pub trait State {
    /// Why a read or a commit failed (for example, a witness that does not cover the key).
    type Error: core::fmt::Debug + core::fmt::Display;

    /// The account at `address`, `None` if it does not exist.
    fn account(&self, address: H160) -> Result<Option<AccountInfo>, Self::Error>;
    /// Code of the account at `address` (empty if none).
    fn code(&self, address: H160) -> Result<Vec<u8>, Self::Error>;
    /// Storage slot value (zero if unset).
    fn storage(&self, address: H160, key: H256) -> Result<H256, Self::Error>;
    /// Whether the account has any non-zero storage slot (EIP-7610 create collision).
    fn has_storage(&self, address: H160) -> Result<bool, Self::Error>;
    /// Hash of block `number`; the executor only asks for the 256 blocks before the current one.
    fn block_hash(&self, number: u64) -> Result<H256, Self::Error>;
    /// Applies a transaction's (or a block rule's) changes.
    fn commit(&mut self, changes: &StateChanges) -> Result<(), Self::Error>;
    /// The state root after everything committed so far (receipts before Byzantium and every
    /// block header carry one).
    fn state_root(&mut self) -> Result<H256, Self::Error>;
}
