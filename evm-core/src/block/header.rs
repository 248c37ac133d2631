//! The block header: its RLP (fifteen fields, then one optional field per fork that added one)
//! and its hash.

use ::rlp::RlpStream;
use alloc::format;
use alloc::vec::Vec;
use primitive_types::{H160, H256, U256};
use witness::rlp::{self, RlpError};

use super::BlockError;
use crate::logs::Bloom;

/// Fields every header has, Frontier on.
const BASE_FIELDS: usize = 15;
/// Names of the optional trailing fields, in order: London (EIP-1559), Shanghai (EIP-4895),
/// Cancun (EIP-4844 twice, EIP-4788).
const OPTIONAL_FIELDS: [&str; 5] = [
    "base_fee_per_gas",
    "withdrawals_root",
    "blob_gas_used",
    "excess_blob_gas",
    "parent_beacon_block_root",
];

/// An Ethereum block header, Frontier to Cancun. The optional fields are `Some` exactly from the
/// fork that introduced them on; [`validate_header`](super::validate_header) enforces that.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Header {
    /// Hash of the parent header.
    pub parent_hash: H256,
    /// keccak256 of the RLP list of ommer headers.
    pub ommers_hash: H256,
    /// Fee and reward recipient (`coinbase`).
    pub beneficiary: H160,
    /// State root after the block.
    pub state_root: H256,
    /// Root of the trie of transactions, keyed by RLP index.
    pub transactions_root: H256,
    /// Root of the trie of receipts, keyed by RLP index.
    pub receipts_root: H256,
    /// Union of the receipts' blooms.
    pub logs_bloom: Bloom,
    /// Proof-of-work difficulty; zero from the merge on.
    pub difficulty: U256,
    /// Block number.
    pub number: u64,
    /// Gas limit.
    pub gas_limit: u64,
    /// Gas used by the transactions.
    pub gas_used: u64,
    /// Seconds since the epoch.
    pub timestamp: u64,
    /// Up to 32 bytes chosen by the producer.
    pub extra_data: Vec<u8>,
    /// Ethash mix hash; `prevRandao` from the merge on (EIP-4399).
    pub mix_hash: H256,
    /// Ethash nonce; zero from the merge on.
    pub nonce: [u8; 8],
    /// EIP-1559 base fee (London on).
    pub base_fee_per_gas: Option<U256>,
    /// EIP-4895 withdrawals root (Shanghai on).
    pub withdrawals_root: Option<H256>,
    /// EIP-4844 blob gas used (Cancun on).
    pub blob_gas_used: Option<u64>,
    /// EIP-4844 excess blob gas (Cancun on).
    pub excess_blob_gas: Option<u64>,
    /// EIP-4788 parent beacon block root (Cancun on).
    pub parent_beacon_block_root: Option<H256>,
}

fn malformed(what: &'static str) -> impl Fn(RlpError) -> BlockError {
    move |error| BlockError::Malformed(format!("header {what}: {error}"))
}

impl Header {
    /// Decodes a header from its RLP; the whole input must be one canonical RLP list.
    pub fn decode(bytes: &[u8]) -> Result<Header, BlockError> {
        Header::decode_list(rlp::decode_list(bytes).map_err(malformed("list"))?)
    }

    /// Decodes a header from an RLP list (for example the first item of a block).
    pub fn decode_list(list: rlp::List<'_>) -> Result<Header, BlockError> {
        let count = list.count().map_err(malformed("list"))?;
        if !(BASE_FIELDS..=BASE_FIELDS + OPTIONAL_FIELDS.len()).contains(&count) {
            return Err(BlockError::Malformed(format!(
                "header has {count} fields, expected {BASE_FIELDS} to {}",
                BASE_FIELDS + OPTIONAL_FIELDS.len()
            )));
        }
        let mut fields = list;
        let mut header = Header {
            parent_hash: fields.h256().map_err(malformed("parent_hash"))?,
            ommers_hash: fields.h256().map_err(malformed("ommers_hash"))?,
            beneficiary: fields.h160().map_err(malformed("beneficiary"))?,
            state_root: fields.h256().map_err(malformed("state_root"))?,
            transactions_root: fields.h256().map_err(malformed("transactions_root"))?,
            receipts_root: fields.h256().map_err(malformed("receipts_root"))?,
            logs_bloom: Bloom(fields.fixed().map_err(malformed("logs_bloom"))?),
            difficulty: fields.u256().map_err(malformed("difficulty"))?,
            number: fields.u64().map_err(malformed("number"))?,
            gas_limit: fields.u64().map_err(malformed("gas_limit"))?,
            gas_used: fields.u64().map_err(malformed("gas_used"))?,
            timestamp: fields.u64().map_err(malformed("timestamp"))?,
            extra_data: fields.bytes().map_err(malformed("extra_data"))?.to_vec(),
            mix_hash: fields.h256().map_err(malformed("mix_hash"))?,
            nonce: fields.fixed().map_err(malformed("nonce"))?,
            base_fee_per_gas: None,
            withdrawals_root: None,
            blob_gas_used: None,
            excess_blob_gas: None,
            parent_beacon_block_root: None,
        };
        // The optional fields in fork order, as many as the header has.
        let [
            base_fee,
            withdrawals_root,
            blob_gas_used,
            excess_blob_gas,
            beacon_root,
        ] = OPTIONAL_FIELDS;
        if !fields.is_empty() {
            header.base_fee_per_gas = Some(fields.u256().map_err(malformed(base_fee))?);
        }
        if !fields.is_empty() {
            header.withdrawals_root = Some(fields.h256().map_err(malformed(withdrawals_root))?);
        }
        if !fields.is_empty() {
            header.blob_gas_used = Some(fields.u64().map_err(malformed(blob_gas_used))?);
        }
        if !fields.is_empty() {
            header.excess_blob_gas = Some(fields.u64().map_err(malformed(excess_blob_gas))?);
        }
        if !fields.is_empty() {
            header.parent_beacon_block_root = Some(fields.h256().map_err(malformed(beacon_root))?);
        }
        fields.finish().map_err(malformed("list"))?;
        Ok(header)
    }

    /// The canonical RLP. Optional fields are written up to the last one that is set (a later
    /// field set after an unset one cannot be expressed and is written as if the gap were set
    /// to zero, which validation rejects anyway).
    pub fn encode(&self) -> Vec<u8> {
        self.encode_fields(true)
    }

    /// keccak256 of the RLP without the mix hash and the nonce: what an Ethash seal commits to
    /// (the proof-of-work's "header hash").
    pub fn seal_hash(&self) -> H256 {
        witness::keccak256(&self.encode_fields(false))
    }

    fn encode_fields(&self, with_seal: bool) -> Vec<u8> {
        let present = [
            self.base_fee_per_gas.is_some(),
            self.withdrawals_root.is_some(),
            self.blob_gas_used.is_some(),
            self.excess_blob_gas.is_some(),
            self.parent_beacon_block_root.is_some(),
        ];
        let optional = present
            .iter()
            .rposition(|&set| set)
            .map_or(0, |last| last + 1);
        let seal_fields = if with_seal { 0 } else { 2 };
        let mut s = RlpStream::new_list(BASE_FIELDS - seal_fields + optional);
        s.append(&self.parent_hash);
        s.append(&self.ommers_hash);
        s.append(&self.beneficiary);
        s.append(&self.state_root);
        s.append(&self.transactions_root);
        s.append(&self.receipts_root);
        s.append(&self.logs_bloom.0.as_slice());
        s.append(&self.difficulty);
        s.append(&self.number);
        s.append(&self.gas_limit);
        s.append(&self.gas_used);
        s.append(&self.timestamp);
        s.append(&self.extra_data);
        if with_seal {
            s.append(&self.mix_hash);
            s.append(&self.nonce.as_slice());
        }
        if optional > 0 {
            s.append(&self.base_fee_per_gas.unwrap_or_default());
        }
        if optional > 1 {
            s.append(&self.withdrawals_root.unwrap_or_default());
        }
        if optional > 2 {
            s.append(&self.blob_gas_used.unwrap_or_default());
        }
        if optional > 3 {
            s.append(&self.excess_blob_gas.unwrap_or_default());
        }
        if optional > 4 {
            s.append(&self.parent_beacon_block_root.unwrap_or_default());
        }
        s.out().to_vec()
    }

    /// keccak256 of the RLP: the block hash.
    pub fn hash(&self) -> H256 {
        witness::keccak256(&self.encode())
    }
}
