//! The block header: its RLP (fifteen fields, then one optional field per fork that added one)
//! and its hash.

use alloc::format;
use alloc::vec::Vec;
use primitive_types::{H160, H256, U256};
use rlp::{Rlp, RlpStream};

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
#[derive(Clone, Debug, PartialEq, Eq)]
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

fn malformed(what: &str, error: rlp::DecoderError) -> BlockError {
    BlockError::Malformed(format!("header {what}: {error}"))
}

impl Header {
    /// Decodes a header from its RLP; the whole input must be one canonical RLP list.
    pub fn decode(bytes: &[u8]) -> Result<Header, BlockError> {
        let rlp = Rlp::new(bytes);
        let info = rlp.payload_info().map_err(|e| malformed("list", e))?;
        if info.total() != bytes.len() {
            return Err(BlockError::Malformed(format!(
                "header: {} trailing bytes",
                bytes.len().saturating_sub(info.total())
            )));
        }
        Header::decode_rlp(&rlp)
    }

    /// Decodes a header from an RLP item (for example the first item of a block).
    pub fn decode_rlp(rlp: &Rlp<'_>) -> Result<Header, BlockError> {
        let items = super::list_items(rlp, "header")?;
        let count = items.len();
        if !(BASE_FIELDS..=BASE_FIELDS + OPTIONAL_FIELDS.len()).contains(&count) {
            return Err(BlockError::Malformed(format!(
                "header has {count} fields, expected {BASE_FIELDS} to {}",
                BASE_FIELDS + OPTIONAL_FIELDS.len()
            )));
        }
        let optional = |index: usize| -> Option<usize> {
            let position = BASE_FIELDS + index;
            (position < count).then_some(position)
        };
        Ok(Header {
            parent_hash: field(&items, 0, "parent_hash")?,
            ommers_hash: field(&items, 1, "ommers_hash")?,
            beneficiary: field(&items, 2, "beneficiary")?,
            state_root: field(&items, 3, "state_root")?,
            transactions_root: field(&items, 4, "transactions_root")?,
            receipts_root: field(&items, 5, "receipts_root")?,
            logs_bloom: Bloom(fixed_bytes(&items, 6, "logs_bloom")?),
            difficulty: field(&items, 7, "difficulty")?,
            number: field(&items, 8, "number")?,
            gas_limit: field(&items, 9, "gas_limit")?,
            gas_used: field(&items, 10, "gas_used")?,
            timestamp: field(&items, 11, "timestamp")?,
            extra_data: field(&items, 12, "extra_data")?,
            mix_hash: field(&items, 13, "mix_hash")?,
            nonce: fixed_bytes(&items, 14, "nonce")?,
            base_fee_per_gas: optional(0)
                .map(|i| field(&items, i, OPTIONAL_FIELDS[0]))
                .transpose()?,
            withdrawals_root: optional(1)
                .map(|i| field(&items, i, OPTIONAL_FIELDS[1]))
                .transpose()?,
            blob_gas_used: optional(2)
                .map(|i| field(&items, i, OPTIONAL_FIELDS[2]))
                .transpose()?,
            excess_blob_gas: optional(3)
                .map(|i| field(&items, i, OPTIONAL_FIELDS[3]))
                .transpose()?,
            parent_beacon_block_root: optional(4)
                .map(|i| field(&items, i, OPTIONAL_FIELDS[4]))
                .transpose()?,
        })
    }

    /// The canonical RLP. Optional fields are written up to the last one that is set (a later
    /// field set after an unset one cannot be expressed and is written as if the gap were set
    /// to zero, which validation rejects anyway).
    pub fn encode(&self) -> Vec<u8> {
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
        let mut s = RlpStream::new_list(BASE_FIELDS + optional);
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
        s.append(&self.mix_hash);
        s.append(&self.nonce.as_slice());
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

fn field<T: rlp::Decodable>(items: &[Rlp<'_>], index: usize, name: &str) -> Result<T, BlockError> {
    let item = items
        .get(index)
        .ok_or_else(|| BlockError::Malformed(format!("header {name}: missing")))?;
    item.as_val().map_err(|e| malformed(name, e))
}

/// A byte string of exactly `N` bytes (the bloom, the nonce).
fn fixed_bytes<const N: usize>(
    items: &[Rlp<'_>],
    index: usize,
    name: &str,
) -> Result<[u8; N], BlockError> {
    let item = items
        .get(index)
        .ok_or_else(|| BlockError::Malformed(format!("header {name}: missing")))?;
    if !item.is_data() {
        return Err(BlockError::Malformed(format!(
            "header {name}: not a byte string"
        )));
    }
    let data = item.data().map_err(|e| malformed(name, e))?;
    <[u8; N]>::try_from(data).map_err(|_| {
        BlockError::Malformed(format!("header {name}: {} bytes, expected {N}", data.len()))
    })
}
