//! What the executor needs to know about a transaction once its sender is known: no signature, no
//! encoding. State tests build it from JSON fields, blocks from a decoded, recovered transaction.

use alloc::vec::Vec;
use primitive_types::{H160, H256, U256};

/// EIP-2718 transaction type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum TxType {
    /// Untyped legacy transaction (with or without EIP-155 replay protection).
    Legacy = 0,
    /// EIP-2930 access-list transaction.
    AccessList = 1,
    /// EIP-1559 dynamic-fee transaction.
    DynamicFee = 2,
    /// EIP-4844 blob transaction.
    Blob = 3,
}

/// Call or create.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxKind {
    /// Message call to an address.
    Call(H160),
    /// Contract creation; the data is the init code.
    Create,
}

/// One EIP-2930 access-list entry.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct AccessListItem {
    /// Account to pre-warm.
    pub address: H160,
    /// Storage slots of that account to pre-warm.
    pub storage_keys: Vec<H256>,
}

/// How the transaction pays for gas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GasPrice {
    /// Legacy and EIP-2930: one price per gas.
    Legacy(U256),
    /// EIP-1559 and EIP-4844: a cap and a tip cap.
    FeeMarket {
        /// `max_fee_per_gas`.
        max_fee: U256,
        /// `max_priority_fee_per_gas`.
        max_priority_fee: U256,
    },
}

impl GasPrice {
    /// The most the sender may pay per gas (`gas_price` or `max_fee_per_gas`); balance checks use it.
    pub fn max_fee(&self) -> U256 {
        match *self {
            GasPrice::Legacy(price) => price,
            GasPrice::FeeMarket { max_fee, .. } => max_fee,
        }
    }
}

/// A transaction ready to execute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxEnv {
    /// Envelope type; decides which fork may include it.
    pub tx_type: TxType,
    /// Sender, recovered from the signature or given by a test.
    pub caller: H160,
    /// Sender nonce the transaction claims.
    pub nonce: u64,
    /// Gas limit.
    pub gas_limit: u64,
    /// Fee parameters.
    pub gas_price: GasPrice,
    /// Call target or creation.
    pub kind: TxKind,
    /// Value transferred.
    pub value: U256,
    /// Call data or init code.
    pub data: Vec<u8>,
    /// EIP-2930 access list (empty for legacy transactions).
    pub access_list: Vec<AccessListItem>,
    /// EIP-4844 `max_fee_per_blob_gas` (zero for other types).
    pub max_fee_per_blob_gas: U256,
    /// EIP-4844 versioned hashes (empty for other types).
    pub blob_versioned_hashes: Vec<H256>,
}
