//! Why the EE rejects a block-data blob. The message is what the host shows the user; its first
//! word, in brackets, is the [`RejectionKind`], so a host that only sees the printed reason still
//! tells a witness gap (the block may be valid) from an invalid block.

use alloc::format;
use alloc::string::String;
use core::fmt;

use evm_core::BlockError;
use primitive_types::H256;

use crate::witness_state::WitnessStateError;

/// A rejected block, blob or witness.
#[derive(Debug, thiserror::Error)]
pub enum EeError {
    /// The blob does not decode.
    #[error("block data: {0}")]
    Blob(#[from] crate::blob::BlobError),
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
    /// Execution read or wrote state the witness does not cover: the witness is short, which
    /// says nothing about the block.
    #[error("witness gap: {0}")]
    WitnessGap(WitnessStateError),
    /// The parent's total difficulty plus the block's difficulty does not fit in 256 bits.
    #[error("total difficulty overflows 256 bits")]
    TotalDifficultyOverflow,
    /// The block breaks a consensus rule (header, transactions, execution, roots).
    #[error("{0}")]
    Invalid(BlockError<WitnessStateError>),
}

impl From<BlockError<WitnessStateError>> for EeError {
    /// A state error during execution is the witness's fault, every other one the block's.
    fn from(error: BlockError<WitnessStateError>) -> EeError {
        match error {
            BlockError::State(gap) => EeError::WitnessGap(gap),
            invalid => EeError::Invalid(invalid),
        }
    }
}

impl EeError {
    /// The class of this rejection.
    pub fn kind(&self) -> RejectionKind {
        match self {
            EeError::Blob(_) | EeError::Block(_) => RejectionKind::MalformedInput,
            EeError::Header { .. } | EeError::Witness(_) => RejectionKind::InvalidWitness,
            EeError::MissingParent(_) | EeError::WitnessGap(_) => RejectionKind::WitnessGap,
            EeError::PreStateMismatch { .. } => RejectionKind::PreStateMismatch,
            EeError::TotalDifficultyOverflow | EeError::Invalid(_) => RejectionKind::InvalidBlock,
        }
    }

    /// The reason as the EE prints it for the host: `[kind] message`.
    pub fn reason(&self) -> String {
        format!("[{}] {self}", self.kind().code())
    }
}

/// What kind of rejection a reason is, kept apart across the Wasm boundary by the code the EE
/// prints first ([`EeError::reason`]) and read back by the host ([`RejectionKind::of_reason`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RejectionKind {
    /// The blob, its chain config or the block RLP does not decode.
    MalformedInput,
    /// The witness does not prove against the parent's state root, or a header does not decode.
    InvalidWitness,
    /// The witness lacks something execution needs (a node, a code, the parent header): the
    /// block itself may be valid.
    WitnessGap,
    /// The blob's parent, chain config or total difficulty is not what the pre-state commits to.
    PreStateMismatch,
    /// The block breaks a consensus rule.
    InvalidBlock,
    /// The EE stopped for another reason: out of memory, out of ticks, a trap without a reason
    /// of this list (the host's limits, not the block, decided).
    Aborted,
}

impl RejectionKind {
    /// Every kind, in declaration order.
    pub const ALL: [RejectionKind; 6] = [
        RejectionKind::MalformedInput,
        RejectionKind::InvalidWitness,
        RejectionKind::WitnessGap,
        RejectionKind::PreStateMismatch,
        RejectionKind::InvalidBlock,
        RejectionKind::Aborted,
    ];

    /// A stable identifier, printed in brackets before the EE's reason.
    pub fn code(self) -> &'static str {
        match self {
            RejectionKind::MalformedInput => "malformed_input",
            RejectionKind::InvalidWitness => "invalid_witness",
            RejectionKind::WitnessGap => "witness_gap",
            RejectionKind::PreStateMismatch => "pre_state_mismatch",
            RejectionKind::InvalidBlock => "invalid_block",
            RejectionKind::Aborted => "aborted",
        }
    }

    /// The kind of a reason the EE printed, and the message after its code. A reason without a
    /// known code (the EE ran out of memory or ticks, or panicked) is [`RejectionKind::Aborted`].
    pub fn of_reason(reason: &str) -> (RejectionKind, &str) {
        reason
            .strip_prefix('[')
            .and_then(|rest| rest.split_once("] "))
            .and_then(|(code, message)| {
                RejectionKind::ALL
                    .into_iter()
                    .find(|kind| kind.code() == code)
                    .map(|kind| (kind, message))
            })
            .unwrap_or((RejectionKind::Aborted, reason))
    }
}

impl fmt::Display for RejectionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RejectionKind::MalformedInput => "malformed input",
            RejectionKind::InvalidWitness => "invalid witness",
            RejectionKind::WitnessGap => "witness gap",
            RejectionKind::PreStateMismatch => "pre-state mismatch",
            RejectionKind::InvalidBlock => "invalid block",
            RejectionKind::Aborted => "aborted",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_as_its_kind() {
        for kind in RejectionKind::ALL {
            let reason = format!("[{}] something failed", kind.code());
            assert_eq!(
                RejectionKind::of_reason(&reason),
                (kind, "something failed")
            );
        }
    }

    #[test]
    fn a_reason_without_a_code_is_an_abort() {
        let oom = "EE out of memory: cannot allocate 0000000064 bytes (host memory limit)";
        assert_eq!(RejectionKind::of_reason(oom), (RejectionKind::Aborted, oom));
        assert_eq!(
            RejectionKind::of_reason("[nonsense] x"),
            (RejectionKind::Aborted, "[nonsense] x")
        );
    }

    #[test]
    fn a_state_error_is_a_witness_gap_and_a_rule_break_an_invalid_block() {
        let gap: EeError = BlockError::State(WitnessStateError::MalformedStorageValue {
            address: Default::default(),
            slot: H256::zero(),
        })
        .into();
        assert_eq!(gap.kind(), RejectionKind::WitnessGap);
        assert!(gap.reason().starts_with("[witness_gap] witness gap: "));
        let invalid: EeError = BlockError::<WitnessStateError>::Malformed("x".into()).into();
        assert_eq!(invalid.kind(), RejectionKind::InvalidBlock);
        assert!(invalid.reason().starts_with("[invalid_block] "));
    }
}
