//! Reading a BlockchainTests case: the genesis block, the blocks with what the fixture expects of
//! each, and the expected end state.

use primitive_types::H256;
use rlp::RlpStream;
use serde_json::Value;

use crate::json::{self, FieldError};

/// One entry of `blocks`.
#[derive(Clone, Debug)]
pub struct FixtureBlock {
    /// Position in `blocks` (0-based).
    pub position: usize,
    /// The `rlp` field, or why it is not hex.
    pub rlp: Result<Vec<u8>, FieldError>,
    /// `Some(exception)` when the block must be rejected: an `expectException*` field, or (in the
    /// legacy fixtures) no `blockHeader` at all.
    pub exception: Option<String>,
    /// `blockHeader.hash` of a valid block.
    pub hash: Option<H256>,
    /// The `blocknumber` or `blockHeader.number` the fixture gives, for messages.
    pub number: Option<u64>,
}

impl FixtureBlock {
    /// Reads entry `position` of `blocks`.
    pub fn parse(position: usize, value: &Value) -> FixtureBlock {
        let rlp = json::str_at(value, "rlp").and_then(|text| json::bytes("rlp", text));
        let exception = value
            .as_object()
            .and_then(|object| {
                // `expectException`, or the legacy per-fork `expectExceptionALL` /
                // `expectExceptionByzantium` ...: any of them marks the block invalid.
                object
                    .iter()
                    .filter(|(key, _)| key.starts_with("expectException"))
                    .map(|(_, reason)| reason.as_str().unwrap_or("an exception").to_string())
                    .next()
            })
            .or_else(|| {
                value
                    .get("blockHeader")
                    .is_none()
                    .then(|| "no blockHeader: the block is invalid".to_string())
            });
        let header = value.get("blockHeader");
        let hash = header
            .and_then(|h| json::opt_str_at(h, "hash"))
            .and_then(|text| json::h256("hash", text).ok());
        let number = header
            .and_then(|h| json::opt_str_at(h, "number"))
            .or_else(|| json::opt_str_at(value, "blocknumber"))
            .and_then(|text| json::u64("number", text).ok());
        FixtureBlock {
            position,
            rlp,
            exception,
            hash,
            number,
        }
    }
}

/// The fields of a header in RLP order, with how each is encoded; the optional tail (London and
/// later) stops at the first absent one.
const HEADER_FIELDS: [(&str, FieldKind); 20] = [
    ("parentHash", FieldKind::Bytes),
    ("uncleHash", FieldKind::Bytes),
    ("coinbase", FieldKind::Bytes),
    ("stateRoot", FieldKind::Bytes),
    ("transactionsTrie", FieldKind::Bytes),
    ("receiptTrie", FieldKind::Bytes),
    ("bloom", FieldKind::Bytes),
    ("difficulty", FieldKind::Number),
    ("number", FieldKind::Number),
    ("gasLimit", FieldKind::Number),
    ("gasUsed", FieldKind::Number),
    ("timestamp", FieldKind::Number),
    ("extraData", FieldKind::Bytes),
    ("mixHash", FieldKind::Bytes),
    ("nonce", FieldKind::Bytes),
    ("baseFeePerGas", FieldKind::Number),
    ("withdrawalsRoot", FieldKind::Bytes),
    ("blobGasUsed", FieldKind::Number),
    ("excessBlobGas", FieldKind::Number),
    ("parentBeaconBlockRoot", FieldKind::Bytes),
];

/// The mandatory (pre-London) header fields.
const MANDATORY_HEADER_FIELDS: usize = 15;

#[derive(Clone, Copy)]
enum FieldKind {
    Bytes,
    Number,
}

/// The genesis block as RLP: `genesisRLP` when the fixture has it, otherwise built from the
/// `genesisBlockHeader` fields (older fixtures), with no transactions and no ommers (and no
/// withdrawals when the header commits to them).
pub fn genesis_rlp(test: &Value) -> Result<Vec<u8>, FieldError> {
    if let Some(text) = json::opt_str_at(test, "genesisRLP") {
        return json::bytes("genesisRLP", text);
    }
    let header = test.get("genesisBlockHeader").ok_or_else(|| FieldError {
        field: "genesisBlockHeader".into(),
        problem: "missing",
        value: String::new(),
    })?;
    let mut fields: Vec<Vec<u8>> = Vec::new();
    for (index, (name, kind)) in HEADER_FIELDS.iter().enumerate() {
        let text = match json::opt_str_at(header, name) {
            Some(text) => text,
            None if index < MANDATORY_HEADER_FIELDS => json::str_at(header, name)?,
            None => break,
        };
        fields.push(match kind {
            FieldKind::Bytes => rlp::encode(&json::bytes(name, text)?).to_vec(),
            FieldKind::Number => rlp::encode(&json::u256(name, text)?).to_vec(),
        });
    }
    let has_withdrawals = fields.len() > 16;
    let mut header_stream = RlpStream::new_list(fields.len());
    for field in &fields {
        header_stream.append_raw(field, 1);
    }
    let mut block = RlpStream::new_list(if has_withdrawals { 4 } else { 3 });
    block.append_raw(&header_stream.out(), 1);
    block.begin_list(0);
    block.begin_list(0);
    if has_withdrawals {
        block.begin_list(0);
    }
    Ok(block.out().to_vec())
}

/// The expected hash of a header object (`genesisBlockHeader.hash`).
pub fn header_hash(header: Option<&Value>, field: &str) -> Result<H256, FieldError> {
    let header = header.ok_or_else(|| FieldError {
        field: field.into(),
        problem: "missing",
        value: String::new(),
    })?;
    json::h256(field, json::str_at(header, "hash")?)
}

/// Short form of a hash for messages: `0x1234abcd..`.
pub fn short(hash: &H256) -> String {
    format!("0x{}..", hex::encode(&hash.as_bytes()[..4]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The genesis of `InvalidBlocks/bcMultiChainTest/UncleFromSideChain.json` (Cancun, so every
    /// optional header field is present).
    #[test]
    fn genesis_rlp_from_header_fields_matches_the_fixture() {
        let header = serde_json::json!({
            "baseFeePerGas": "0x10", "blobGasUsed": "0x00", "bloom": format!("0x{}", "00".repeat(256)),
            "coinbase": "0x8888f1f195afa192cfee860698584c030f4c9db1", "difficulty": "0x00",
            "excessBlobGas": "0x00", "extraData": "0x42", "gasLimit": "0x2fefd8", "gasUsed": "0x00",
            "mixHash": "0x0000000000000000000000000000000000000000000000000000000000020000",
            "nonce": "0x0000000000000000", "number": "0x00",
            "parentBeaconBlockRoot": format!("0x{}", "00".repeat(32)),
            "parentHash": format!("0x{}", "00".repeat(32)),
            "receiptTrie": "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421",
            "stateRoot": "0x5fc38a0c9f4d4df3e0db7e905d6737fa029d9949848831534a245e1121bb2dba",
            "timestamp": "0x54c98c81",
            "transactionsTrie": "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421",
            "uncleHash": "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347",
            "withdrawalsRoot": "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421",
        });
        let expected = concat!(
            "f9023ff90239a0",
            "0000000000000000000000000000000000000000000000000000000000000000",
            "a01dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347",
            "948888f1f195afa192cfee860698584c030f4c9db1",
            "a05fc38a0c9f4d4df3e0db7e905d6737fa029d9949848831534a245e1121bb2dba",
            "a056e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421",
            "a056e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421",
        );
        let built = genesis_rlp(&serde_json::json!({ "genesisBlockHeader": header })).unwrap();
        let built = hex::encode(built);
        assert!(built.starts_with(expected), "{built}");
        // bloom, then difficulty 0, number 0, gas limit, gas used 0, timestamp, extra data,
        // mix hash, nonce, base fee, withdrawals root, blob gas used, excess blob gas, beacon
        // root, and the empty transaction, ommer and withdrawal lists.
        let tail = concat!(
            "8080832fefd8808454c98c8142a0",
            "0000000000000000000000000000000000000000000000000000000000020000",
            "88000000000000000010a0",
            "56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421",
            "8080a0",
            "0000000000000000000000000000000000000000000000000000000000000000",
            "c0c0c0",
        );
        assert!(built.ends_with(tail), "{built}");
        assert_eq!(built.len(), 2 * 0x242);
    }

    #[test]
    fn blocks_without_header_or_with_an_exception_are_invalid() {
        let valid = FixtureBlock::parse(0, &serde_json::json!({"rlp": "0xc0", "blockHeader": {}}));
        assert_eq!(valid.exception, None);
        let legacy = FixtureBlock::parse(1, &serde_json::json!({"rlp": "0xc0"}));
        assert!(legacy.exception.is_some());
        let per_fork = FixtureBlock::parse(
            2,
            &serde_json::json!({"rlp": "0xzz", "expectExceptionALL": "InvalidGasLimit"}),
        );
        assert_eq!(per_fork.exception.as_deref(), Some("InvalidGasLimit"));
        assert!(per_fork.rlp.is_err());
    }
}
