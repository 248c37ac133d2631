//! Why a transaction cannot be included: the block that holds it is invalid, and a state test that
//! expects an exception expects one of these.

use primitive_types::U256;

use crate::spec::SpecId;
use crate::tx::TxType;

/// A transaction that must not be executed. Distinct from an execution failure (out of gas,
/// revert), which still consumes gas and is included.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidTransaction {
    /// The envelope type is not active in this fork (EIP-2718 before Berlin, ...).
    #[error("transaction type {tx_type:?} is not supported in {spec}")]
    TypeNotSupported {
        /// Type of the transaction.
        tx_type: TxType,
        /// Fork of the block.
        spec: SpecId,
    },
    /// The EIP-2718 type byte names no transaction type this implementation knows.
    #[error("unknown transaction type {0:#04x}")]
    UnknownType(u8),
    /// A field's RLP is malformed, not canonical, or wider than the field; or the list has too
    /// few or too many fields.
    #[error("malformed transaction: {field}: {source}")]
    Rlp {
        /// The field being read (`transaction` for the list itself).
        field: &'static str,
        /// What is wrong with its RLP.
        source: witness::RlpError,
    },
    /// Well-formed RLP that is not a transaction (an address that is not 20 bytes, ...).
    #[error("malformed transaction: {0}")]
    Malformed(&'static str),
    /// The signature does not recover to a public key, or breaks EIP-2 (high s) or EIP-155.
    #[error("invalid signature: {0}")]
    InvalidSignature(&'static str),
    /// The EIP-155 chain id differs from the chain's.
    #[error("chain id {got} != {expected}")]
    WrongChainId {
        /// Chain id in the transaction.
        got: u64,
        /// Chain id of the chain.
        expected: u64,
    },
    /// Nonce differs from the sender account's.
    #[error("nonce {tx} != account nonce {state}")]
    NonceMismatch {
        /// Nonce in the transaction.
        tx: u64,
        /// Nonce of the sender account.
        state: u64,
    },
    /// EIP-2681: the sender nonce is already 2^64 - 1.
    #[error("sender nonce is at its maximum")]
    NonceOverflow,
    /// The gas limit is below the intrinsic gas.
    #[error("intrinsic gas too low: limit {gas_limit} < intrinsic {intrinsic}")]
    IntrinsicGasTooLow {
        /// Transaction gas limit.
        gas_limit: u64,
        /// Intrinsic gas of the transaction.
        intrinsic: u64,
    },
    /// The gas limit exceeds what is left of the block gas limit.
    #[error("gas limit {gas_limit} exceeds block gas available {available}")]
    GasLimitExceedsBlock {
        /// Transaction gas limit.
        gas_limit: u64,
        /// Block gas still available.
        available: u64,
    },
    /// The sender cannot pay `gas_limit * max_fee + value (+ blob fees)`.
    #[error("insufficient funds: balance {balance} < cost {cost}")]
    InsufficientFunds {
        /// Sender balance.
        balance: U256,
        /// Upfront cost.
        cost: U256,
    },
    /// `gas_limit * max_fee (+ value)` overflows 256 bits.
    #[error("gas limit times price overflows")]
    CostOverflow,
    /// EIP-1559: `max_fee_per_gas` (or the legacy gas price) is below the block base fee.
    #[error("max fee per gas {max_fee} < base fee {base_fee}")]
    FeeCapBelowBaseFee {
        /// Transaction fee cap.
        max_fee: U256,
        /// Block base fee.
        base_fee: U256,
    },
    /// EIP-1559: the tip cap exceeds the fee cap.
    #[error("max priority fee {max_priority_fee} > max fee {max_fee}")]
    TipAboveFeeCap {
        /// Tip cap.
        max_priority_fee: U256,
        /// Fee cap.
        max_fee: U256,
    },
    /// EIP-3607: the sender has code.
    #[error("sender is not an EOA (it has code)")]
    SenderNotEoa,
    /// EIP-3860: init code longer than 49152 bytes.
    #[error("init code size {size} exceeds {limit}")]
    InitCodeTooLarge {
        /// Init code length.
        size: usize,
        /// Limit.
        limit: usize,
    },
    /// EIP-4844: a blob transaction must call, not create.
    #[error("blob transaction cannot create a contract")]
    BlobCreate,
    /// EIP-4844: at least one blob.
    #[error("blob transaction without blobs")]
    BlobListEmpty,
    /// EIP-4844: at most 6 blobs per transaction.
    #[error("{count} blobs exceed the limit of {limit}")]
    TooManyBlobs {
        /// Blobs in the transaction.
        count: usize,
        /// Limit.
        limit: usize,
    },
    /// EIP-4844: versioned hashes must start with version byte 0x01.
    #[error("blob versioned hash with version {0:#04x}")]
    BlobVersionInvalid(u8),
    /// EIP-4844: `max_fee_per_blob_gas` below the block's blob base fee.
    #[error("max fee per blob gas {max_fee} < blob base fee {blob_base_fee}")]
    BlobFeeCapTooLow {
        /// Transaction blob fee cap.
        max_fee: U256,
        /// Block blob base fee.
        blob_base_fee: U256,
    },
    /// EIP-4844: the block would hold more blob gas than allowed.
    #[error("blob gas {blob_gas} exceeds block blob gas available {available}")]
    BlobGasExceedsBlock {
        /// Blob gas of the transaction.
        blob_gas: u64,
        /// Blob gas still available in the block.
        available: u64,
    },
}
