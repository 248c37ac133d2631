//! Why the EE rejects a block-data blob. The message is what the host shows the user.

use primitive_types::H256;

/// A rejected block, blob or witness.
#[derive(Debug, thiserror::Error)]
pub enum EeError {
    /// The blob does not decode.
    #[error("block data: {0}")]
    Blob(#[from] witness::BlobError),
    /// The chain config in the blob is not one evm-core can run.
    #[error("chain config: {0}")]
    ChainConfig(String),
    /// The block RLP does not decode.
    #[error("block: {0}")]
    Block(String),
    /// A witness header does not decode.
    #[error("witness header {index}: {reason}")]
    Header {
        /// Position in the witness's header list.
        index: usize,
        /// Why.
        reason: String,
    },
    /// The witness lacks the block's parent header.
    #[error("witness lacks the parent header {0:?}")]
    MissingParent(H256),
    /// The parent, chain config and parent total difficulty do not match the pre-state
    /// commitment.
    #[error(
        "pre-state {got:?} != keccak(parent hash ++ chain config hash ++ parent total \
         difficulty) {expected:?}"
    )]
    PreStateMismatch {
        /// The EE state the host gave.
        got: H256,
        /// What the blob's parent, chain config and parent total difficulty commit to.
        expected: H256,
    },
    /// The witness nodes do not prove against the parent's state root.
    #[error("witness: {0}")]
    Witness(#[from] witness::TrieError),
    /// The parent's total difficulty plus the block's difficulty does not fit in 256 bits.
    #[error("total difficulty overflows 256 bits")]
    TotalDifficultyOverflow,
    /// The block breaks a consensus rule (header, transactions, execution, roots).
    #[error("{0}")]
    Invalid(String),
}
