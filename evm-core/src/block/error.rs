//! Why a block is rejected: one variant per rule, with what the block said and what the rule
//! wanted, so that a rejection reads like `gas used 21000 != header 21001`.
//!
//! Three kinds stay apart, as the style guide asks: the block is invalid (every variant but the
//! last two), the interpreter hit an internal fault ([`BlockError::Interpreter`]), or the state
//! could not answer ([`BlockError::State`], for example a witness gap: the block may be valid).

use alloc::boxed::Box;
use alloc::string::String;
use core::convert::Infallible;
use evm::interpreter::ExitFatal;
use primitive_types::{H256, U256};

use crate::logs::Bloom;
use crate::spec::SpecId;
use crate::tx::InvalidTransaction;

/// A block that must not be accepted, or a state that could not tell.
///
/// `E` is the [`State`](crate::state::State)'s error; checks that never read the state (decoding,
/// header rules) use the default, [`Infallible`], and convert with [`BlockError::lift`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BlockError<E: core::fmt::Debug + core::fmt::Display = Infallible> {
    /// The RLP of the block, a header, a body list or a withdrawal is malformed or not canonical.
    #[error("malformed block: {0}")]
    Malformed(String),

    // Header against its parent.
    /// `parent_hash` is not the hash of the parent header.
    #[error("parent hash {got:?} != parent header hash {expected:?}")]
    ParentHash {
        /// In the header.
        got: H256,
        /// Hash of the parent.
        expected: H256,
    },
    /// The number is not the parent's plus one.
    #[error("block number {got} != parent number + 1 = {expected}")]
    Number {
        /// In the header.
        got: u64,
        /// Parent number plus one.
        expected: u64,
    },
    /// The timestamp is not after the parent's.
    #[error("timestamp {got} is not after the parent's {parent}")]
    Timestamp {
        /// In the header.
        got: u64,
        /// The parent's.
        parent: u64,
    },
    /// More than 32 bytes of extra data.
    #[error("extra data of {len} bytes exceeds {max}")]
    ExtraDataTooLong {
        /// Length of the extra data.
        len: usize,
        /// Limit.
        max: usize,
    },
    /// The DAO fork block and the nine after it must carry `"dao-hard-fork"` as extra data.
    #[error("extra data of the DAO fork range must be \"dao-hard-fork\" (block {number})")]
    DaoExtraData {
        /// Number of the block (or ommer) that broke the rule.
        number: u64,
    },
    /// The gas limit moved by parent/1024 or more, fell below 5000 or exceeds 2^63 - 1.
    #[error("gas limit {got} outside [{min}, {max}] (parent {parent})")]
    GasLimitOutOfBounds {
        /// In the header.
        got: u64,
        /// The parent's (doubled at the London fork block, EIP-1559).
        parent: u64,
        /// Lowest allowed.
        min: u64,
        /// Highest allowed.
        max: u64,
    },
    /// The header claims more gas used than its limit.
    #[error("gas used {gas_used} exceeds gas limit {gas_limit}")]
    GasUsedExceedsLimit {
        /// Header gas used.
        gas_used: u64,
        /// Header gas limit.
        gas_limit: u64,
    },
    /// Difficulty differs from the fork's formula (zero from the merge on, EIP-3675).
    #[error("difficulty {got} != expected {expected}")]
    Difficulty {
        /// In the header.
        got: U256,
        /// From the formula.
        expected: U256,
    },
    /// EIP-3675: a proof-of-stake header has a zero nonce.
    #[error("nonce {got:?} must be zero after the merge")]
    NonZeroNonce {
        /// In the header.
        got: [u8; 8],
    },
    /// EIP-1559: the base fee differs from the one computed from the parent (or is missing, or
    /// present before London).
    #[error("base fee {got:?} != expected {expected:?}")]
    BaseFee {
        /// In the header.
        got: Option<U256>,
        /// From the parent.
        expected: Option<U256>,
    },
    /// A header field is present before its fork or missing after it.
    #[error("header field {field} must be {} in {spec}", if *.expected_present { "present" } else { "absent" })]
    HeaderField {
        /// Field name.
        field: &'static str,
        /// Fork of the block.
        spec: SpecId,
        /// Whether the fork requires it.
        expected_present: bool,
    },
    /// EIP-4844: `excess_blob_gas` differs from the one computed from the parent.
    #[error("excess blob gas {got} != expected {expected}")]
    ExcessBlobGas {
        /// In the header.
        got: u64,
        /// From the parent.
        expected: u64,
    },
    /// EIP-4844: `blob_gas_used` exceeds the block maximum or is not a multiple of the blob size.
    #[error("blob gas used {got} is above {max} or not a multiple of {per_blob}")]
    BlobGasUsedInvalid {
        /// In the header.
        got: u64,
        /// Block maximum.
        max: u64,
        /// Gas per blob.
        per_blob: u64,
    },

    // Body against header.
    /// The transactions root differs from the trie of the body's transactions.
    #[error("transactions root {got:?} != header {expected:?}")]
    TransactionsRootMismatch {
        /// Computed from the body.
        got: H256,
        /// In the header.
        expected: H256,
    },
    /// The ommers hash differs from keccak256 of the body's ommer list.
    #[error("ommers hash {got:?} != header {expected:?}")]
    OmmersHashMismatch {
        /// Computed from the body.
        got: H256,
        /// In the header.
        expected: H256,
    },
    /// EIP-4895: the withdrawals root differs from the trie of the body's withdrawals.
    #[error("withdrawals root {got:?} != header {expected:?}")]
    WithdrawalsRootMismatch {
        /// Computed from the body.
        got: H256,
        /// In the header.
        expected: H256,
    },
    /// EIP-4895: a withdrawals list before Shanghai, or none from Shanghai on.
    #[error("withdrawals list must be {} in {spec}", if *.expected_present { "present" } else { "absent" })]
    WithdrawalsPresence {
        /// Fork of the block.
        spec: SpecId,
        /// Whether the fork requires it.
        expected_present: bool,
    },

    // Ommers.
    /// More than two ommers, or any after the merge (EIP-3675).
    #[error("{count} ommers exceed the limit of {max}")]
    TooManyOmmers {
        /// Ommers in the block.
        count: usize,
        /// Limit for the fork.
        max: usize,
    },
    /// The same ommer twice in one block.
    #[error("ommer {hash:?} included twice")]
    DuplicateOmmer {
        /// Ommer hash.
        hash: H256,
    },
    /// The ommer is the block itself or one of its ancestors.
    #[error("ommer {hash:?} is an ancestor of the block")]
    OmmerIsAncestor {
        /// Ommer hash.
        hash: H256,
    },
    /// The ommer was already included by an ancestor.
    #[error("ommer {hash:?} was already included by an ancestor")]
    OmmerAlreadyIncluded {
        /// Ommer hash.
        hash: H256,
    },
    /// The ommer's parent is not one of the six ancestors before the block's parent (or that
    /// parent), so the ommer is too old, too new or from an unknown chain.
    #[error("ommer {hash:?} (number {number}) has no parent among the block's last 7 ancestors")]
    OmmerParentUnknown {
        /// Ommer hash.
        hash: H256,
        /// Ommer number.
        number: u64,
    },
    /// An ommer header breaks a header rule against its own parent.
    #[error("ommer {index} is invalid: {source}")]
    InvalidOmmer {
        /// Position in the block's ommer list.
        index: usize,
        /// The rule it breaks.
        source: Box<BlockError>,
    },

    // Execution.
    /// A transaction cannot be included: wrong type for the fork, bad signature, wrong chain
    /// id, nonce, balance, gas...
    #[error("transaction {index} is invalid: {source}")]
    InvalidTransaction {
        /// Position in the block.
        index: usize,
        /// The rule it breaks.
        source: InvalidTransaction,
    },
    /// The block's blob gas differs from the sum over its transactions (EIP-4844).
    #[error("blob gas used {got} != header {expected}")]
    BlobGasUsedMismatch {
        /// Sum over the transactions.
        got: u64,
        /// In the header.
        expected: u64,
    },

    // Post-execution.
    /// Gas used by the transactions differs from the header.
    #[error("gas used {got} != header {expected}")]
    GasUsedMismatch {
        /// After execution.
        got: u64,
        /// In the header.
        expected: u64,
    },
    /// The receipts root differs from the trie of the computed receipts.
    #[error("receipts root {got:?} != header {expected:?}")]
    ReceiptsRootMismatch {
        /// Computed.
        got: H256,
        /// In the header.
        expected: H256,
    },
    /// The logs bloom differs from the union of the receipts' blooms.
    #[error("logs bloom of the receipts differs from the header's")]
    BloomMismatch {
        /// Computed.
        got: Box<Bloom>,
        /// In the header.
        expected: Box<Bloom>,
    },
    /// The post-state root differs from the header.
    #[error("state root {got:?} != header {expected:?}")]
    StateRootMismatch {
        /// Computed.
        got: H256,
        /// In the header.
        expected: H256,
    },

    // Not a verdict on the block.
    /// The interpreter hit an internal fault while running a transaction (or a system call).
    #[error("interpreter fault in transaction {index:?}: {fault:?}")]
    Interpreter {
        /// Position of the transaction, `None` for a system call.
        index: Option<usize>,
        /// The fault.
        fault: ExitFatal,
    },
    /// The state could not answer a read or take a write (for example a witness gap).
    #[error("state access failed: {0}")]
    State(E),
}

impl BlockError {
    /// The same error for a block executed over a state whose error type is `E`.
    pub fn lift<E: core::fmt::Debug + core::fmt::Display>(self) -> BlockError<E> {
        use BlockError as B;
        match self {
            B::Malformed(reason) => B::Malformed(reason),
            B::ParentHash { got, expected } => B::ParentHash { got, expected },
            B::Number { got, expected } => B::Number { got, expected },
            B::Timestamp { got, parent } => B::Timestamp { got, parent },
            B::ExtraDataTooLong { len, max } => B::ExtraDataTooLong { len, max },
            B::DaoExtraData { number } => B::DaoExtraData { number },
            B::GasLimitOutOfBounds {
                got,
                parent,
                min,
                max,
            } => B::GasLimitOutOfBounds {
                got,
                parent,
                min,
                max,
            },
            B::GasUsedExceedsLimit {
                gas_used,
                gas_limit,
            } => B::GasUsedExceedsLimit {
                gas_used,
                gas_limit,
            },
            B::Difficulty { got, expected } => B::Difficulty { got, expected },
            B::NonZeroNonce { got } => B::NonZeroNonce { got },
            B::BaseFee { got, expected } => B::BaseFee { got, expected },
            B::HeaderField {
                field,
                spec,
                expected_present,
            } => B::HeaderField {
                field,
                spec,
                expected_present,
            },
            B::ExcessBlobGas { got, expected } => B::ExcessBlobGas { got, expected },
            B::BlobGasUsedInvalid { got, max, per_blob } => {
                B::BlobGasUsedInvalid { got, max, per_blob }
            }
            B::TransactionsRootMismatch { got, expected } => {
                B::TransactionsRootMismatch { got, expected }
            }
            B::OmmersHashMismatch { got, expected } => B::OmmersHashMismatch { got, expected },
            B::WithdrawalsRootMismatch { got, expected } => {
                B::WithdrawalsRootMismatch { got, expected }
            }
            B::WithdrawalsPresence {
                spec,
                expected_present,
            } => B::WithdrawalsPresence {
                spec,
                expected_present,
            },
            B::TooManyOmmers { count, max } => B::TooManyOmmers { count, max },
            B::DuplicateOmmer { hash } => B::DuplicateOmmer { hash },
            B::OmmerIsAncestor { hash } => B::OmmerIsAncestor { hash },
            B::OmmerAlreadyIncluded { hash } => B::OmmerAlreadyIncluded { hash },
            B::OmmerParentUnknown { hash, number } => B::OmmerParentUnknown { hash, number },
            B::InvalidOmmer { index, source } => B::InvalidOmmer { index, source },
            B::InvalidTransaction { index, source } => B::InvalidTransaction { index, source },
            B::BlobGasUsedMismatch { got, expected } => B::BlobGasUsedMismatch { got, expected },
            B::GasUsedMismatch { got, expected } => B::GasUsedMismatch { got, expected },
            B::ReceiptsRootMismatch { got, expected } => B::ReceiptsRootMismatch { got, expected },
            B::BloomMismatch { got, expected } => B::BloomMismatch { got, expected },
            B::StateRootMismatch { got, expected } => B::StateRootMismatch { got, expected },
            B::Interpreter { index, fault } => B::Interpreter { index, fault },
            B::State(never) => match never {},
        }
    }
}
