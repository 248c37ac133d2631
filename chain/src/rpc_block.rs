//! A block from a node's `eth_getBlockByNumber` / `eth_getBlockByHash` JSON (with full
//! transactions), rebuilt as evm-core's [`Block`] and checked against the node's own hashes:
//! every transaction's `hash` and the block's `hash` must equal what the rebuilt RLP hashes
//! to, so a field read wrongly is an error, never a different block.
//!
//! The JSON names ommers by hash only: a block with ommers cannot be rebuilt from it (take
//! `debug_getRawBlock`'s RLP instead).

use evm_core::block::{Block, Header, Withdrawal};
use evm_core::tx::{AccessListItem, GasPrice, Signature, Transaction, TxKind, TxType};
use primitive_types::{H160, H256, U256};
use serde_json::{Map, Value};

/// Why a block JSON was refused: the field (a JSON path) and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct RpcBlockError {
    /// The field, e.g. `transactions[3].maxFeePerGas`.
    pub field: String,
    /// What is wrong.
    pub reason: String,
}

fn error(field: &str, reason: impl Into<String>) -> RpcBlockError {
    RpcBlockError {
        field: field.to_string(),
        reason: reason.into(),
    }
}

/// Reads a block object, or a saved JSON-RPC response whose `result` is one.
pub fn block_from_rpc_json(value: &Value) -> Result<Block, RpcBlockError> {
    let object = match value.get("result") {
        Some(result) if value.get("hash").is_none() => result,
        _ => value,
    };
    let object = object
        .as_object()
        .ok_or_else(|| error("(block)", "not a JSON object"))?;
    let fields = Fields { object, path: "" };
    let uncles = fields.array("uncles").unwrap_or_default();
    if !uncles.is_empty() {
        return Err(error(
            "uncles",
            format!(
                "the block has {} ommers, which the JSON names only by hash: take the block's \
                 RLP from debug_getRawBlock",
                uncles.len()
            ),
        ));
    }
    let header = Header {
        parent_hash: fields.h256("parentHash")?,
        ommers_hash: fields.h256("sha3Uncles")?,
        beneficiary: fields.address("miner")?,
        state_root: fields.h256("stateRoot")?,
        transactions_root: fields.h256("transactionsRoot")?,
        receipts_root: fields.h256("receiptsRoot")?,
        logs_bloom: evm_core::logs::Bloom(fields.fixed_bytes::<256>("logsBloom")?),
        difficulty: fields.u256("difficulty")?,
        number: fields.u64("number")?,
        gas_limit: fields.u64("gasLimit")?,
        gas_used: fields.u64("gasUsed")?,
        timestamp: fields.u64("timestamp")?,
        extra_data: fields.bytes("extraData")?,
        mix_hash: fields.h256("mixHash")?,
        nonce: fields.fixed_bytes::<8>("nonce")?,
        base_fee_per_gas: fields.optional("baseFeePerGas", |f, k| f.u256(k))?,
        withdrawals_root: fields.optional("withdrawalsRoot", |f, k| f.h256(k))?,
        blob_gas_used: fields.optional("blobGasUsed", |f, k| f.u64(k))?,
        excess_blob_gas: fields.optional("excessBlobGas", |f, k| f.u64(k))?,
        parent_beacon_block_root: fields.optional("parentBeaconBlockRoot", |f, k| f.h256(k))?,
    };
    if object.get("requestsHash").is_some_and(|v| !v.is_null()) {
        return Err(error(
            "requestsHash",
            "a Prague block (EIP-7685), which evm-core does not implement",
        ));
    }
    let mut transactions = Vec::new();
    for (index, tx) in fields.array("transactions")?.iter().enumerate() {
        let path = format!("transactions[{index}]");
        let tx_object = tx.as_object().ok_or_else(|| {
            error(
                &path,
                "a transaction hash, not an object: ask for full transactions \
                 (eth_getBlockByNumber's second parameter true)",
            )
        })?;
        let tx_fields = Fields {
            object: tx_object,
            path: &path,
        };
        let transaction = transaction(&tx_fields)?;
        let expected = tx_fields.h256("hash")?;
        if transaction.hash() != expected {
            return Err(error(
                &format!("{path}.hash"),
                format!(
                    "the transaction rebuilt from its fields hashes to {:?}, the node says \
                     {expected:?}",
                    transaction.hash()
                ),
            ));
        }
        transactions.push(transaction);
    }
    let withdrawals = match object.get("withdrawals") {
        None | Some(Value::Null) => None,
        Some(_) => {
            let mut list = Vec::new();
            for (index, w) in fields.array("withdrawals")?.iter().enumerate() {
                let path = format!("withdrawals[{index}]");
                let w = Fields {
                    object: w.as_object().ok_or_else(|| error(&path, "not an object"))?,
                    path: &path,
                };
                list.push(Withdrawal {
                    index: w.u64("index")?,
                    validator_index: w.u64("validatorIndex")?,
                    address: w.address("address")?,
                    amount_gwei: w.u64("amount")?,
                });
            }
            Some(list)
        }
    };
    let block = Block {
        header,
        transactions,
        ommers: Vec::new(),
        withdrawals,
    };
    let expected = fields.h256("hash")?;
    if block.header.hash() != expected {
        return Err(error(
            "hash",
            format!(
                "the header rebuilt from the JSON hashes to {:?}, the node says {expected:?}",
                block.header.hash()
            ),
        ));
    }
    Ok(block)
}

/// One signed transaction from its JSON fields.
fn transaction(f: &Fields<'_>) -> Result<Transaction, RpcBlockError> {
    let tx_type = match f.optional("type", |f, k| f.u64(k))?.unwrap_or(0) {
        0 => TxType::Legacy,
        1 => TxType::AccessList,
        2 => TxType::DynamicFee,
        3 => TxType::Blob,
        other => {
            return Err(error(
                &f.name("type"),
                format!("transaction type {other}, which evm-core does not implement"),
            ));
        }
    };
    let v = match f.optional("v", |f, k| f.u256(k))? {
        Some(v) => v,
        None => f.u256("yParity")?,
    };
    let chain_id = match tx_type {
        TxType::Legacy if v >= U256::from(35) => Some(((v - 35) / 2).low_u64()),
        TxType::Legacy => None,
        _ => Some(f.u64("chainId")?),
    };
    let gas_price = match tx_type {
        TxType::Legacy | TxType::AccessList => GasPrice::Legacy(f.u256("gasPrice")?),
        TxType::DynamicFee | TxType::Blob => GasPrice::FeeMarket {
            max_fee: f.u256("maxFeePerGas")?,
            max_priority_fee: f.u256("maxPriorityFeePerGas")?,
        },
    };
    let kind = match f.object.get("to") {
        None | Some(Value::Null) => TxKind::Create,
        Some(_) => TxKind::Call(f.address("to")?),
    };
    let mut access_list = Vec::new();
    if tx_type != TxType::Legacy {
        for (index, item) in f.array("accessList")?.iter().enumerate() {
            let path = f.name(&format!("accessList[{index}]"));
            let item = Fields {
                object: item
                    .as_object()
                    .ok_or_else(|| error(&path, "not an object"))?,
                path: &path,
            };
            let mut storage_keys = Vec::new();
            for (k, key) in item.array("storageKeys")?.iter().enumerate() {
                let text = key.as_str().ok_or_else(|| {
                    error(&item.name(&format!("storageKeys[{k}]")), "not a string")
                })?;
                storage_keys.push(H256(parse_fixed::<32>(text).map_err(|reason| {
                    error(&item.name(&format!("storageKeys[{k}]")), reason)
                })?));
            }
            access_list.push(AccessListItem {
                address: item.address("address")?,
                storage_keys,
            });
        }
    }
    let (max_fee_per_blob_gas, blob_versioned_hashes) = if tx_type == TxType::Blob {
        let mut hashes = Vec::new();
        for (index, hash) in f.array("blobVersionedHashes")?.iter().enumerate() {
            let name = f.name(&format!("blobVersionedHashes[{index}]"));
            let text = hash.as_str().ok_or_else(|| error(&name, "not a string"))?;
            hashes.push(H256(
                parse_fixed::<32>(text).map_err(|reason| error(&name, reason))?,
            ));
        }
        (f.u256("maxFeePerBlobGas")?, hashes)
    } else {
        (U256::zero(), Vec::new())
    };
    Ok(Transaction {
        tx_type,
        chain_id,
        nonce: f.u64("nonce")?,
        gas_price,
        gas_limit: f.u64("gas")?,
        kind,
        value: f.u256("value")?,
        data: f.bytes("input")?,
        access_list,
        max_fee_per_blob_gas,
        blob_versioned_hashes,
        signature: Signature {
            v,
            r: f.u256("r")?,
            s: f.u256("s")?,
        },
    })
}

/// Exactly `N` bytes of `0x` hex.
fn parse_fixed<const N: usize>(text: &str) -> Result<[u8; N], String> {
    witness::hex::decode_fixed::<N>(text).map_err(|e| e.to_string())
}

/// The fields of one JSON object, with its path for messages.
struct Fields<'a> {
    object: &'a Map<String, Value>,
    path: &'a str,
}

impl Fields<'_> {
    fn name(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn text(&self, key: &str) -> Result<&str, RpcBlockError> {
        match self.object.get(key) {
            Some(Value::String(text)) => Ok(text),
            Some(_) => Err(error(&self.name(key), "not a string")),
            None => Err(error(&self.name(key), "missing")),
        }
    }

    fn array(&self, key: &str) -> Result<Vec<Value>, RpcBlockError> {
        match self.object.get(key) {
            Some(Value::Array(items)) => Ok(items.clone()),
            Some(Value::Null) | None => Ok(Vec::new()),
            Some(_) => Err(error(&self.name(key), "not an array")),
        }
    }

    fn optional<T>(
        &self,
        key: &str,
        read: impl Fn(&Self, &str) -> Result<T, RpcBlockError>,
    ) -> Result<Option<T>, RpcBlockError> {
        match self.object.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(_) => read(self, key).map(Some),
        }
    }

    fn u256(&self, key: &str) -> Result<U256, RpcBlockError> {
        let text = self.text(key)?;
        witness::hex::decode_u256(text).map_err(|e| error(&self.name(key), e.to_string()))
    }

    fn u64(&self, key: &str) -> Result<u64, RpcBlockError> {
        let value = self.u256(key)?;
        if value > U256::from(u64::MAX) {
            return Err(error(
                &self.name(key),
                format!("{value} does not fit 64 bits"),
            ));
        }
        Ok(value.low_u64())
    }

    fn bytes(&self, key: &str) -> Result<Vec<u8>, RpcBlockError> {
        witness::hex::decode(self.text(key)?).map_err(|e| error(&self.name(key), e.to_string()))
    }

    fn fixed_bytes<const N: usize>(&self, key: &str) -> Result<[u8; N], RpcBlockError> {
        parse_fixed::<N>(self.text(key)?).map_err(|reason| error(&self.name(key), reason))
    }

    fn h256(&self, key: &str) -> Result<H256, RpcBlockError> {
        self.fixed_bytes::<32>(key).map(H256)
    }

    fn address(&self, key: &str) -> Result<H160, RpcBlockError> {
        self.fixed_bytes::<20>(key).map(H160)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn hex<T: AsRef<[u8]>>(bytes: T) -> String {
        witness::hex::encode(bytes.as_ref())
    }

    fn quantity(value: impl Into<U256>) -> String {
        format!("{:#x}", value.into())
    }

    fn tx(tx_type: TxType, nonce: u64) -> Transaction {
        Transaction {
            tx_type,
            chain_id: Some(1),
            nonce,
            gas_price: match tx_type {
                TxType::Legacy | TxType::AccessList => GasPrice::Legacy(U256::from(7)),
                _ => GasPrice::FeeMarket {
                    max_fee: U256::from(9),
                    max_priority_fee: U256::from(2),
                },
            },
            gas_limit: 21_000,
            kind: if nonce == 0 {
                TxKind::Create
            } else {
                TxKind::Call(H160::repeat_byte(0x11))
            },
            value: U256::from(1_000),
            data: vec![0x60, 0x00],
            access_list: if tx_type == TxType::Legacy {
                Vec::new()
            } else {
                vec![AccessListItem {
                    address: H160::repeat_byte(0x22),
                    storage_keys: vec![H256::repeat_byte(0x33)],
                }]
            },
            max_fee_per_blob_gas: if tx_type == TxType::Blob {
                U256::from(5)
            } else {
                U256::zero()
            },
            blob_versioned_hashes: if tx_type == TxType::Blob {
                vec![H256::repeat_byte(0x01)]
            } else {
                Vec::new()
            },
            signature: Signature {
                v: if tx_type == TxType::Legacy {
                    U256::from(37)
                } else {
                    U256::one()
                },
                r: U256::from(0xabcdu64),
                s: U256::from(0x1234u64),
            },
        }
    }

    /// The block as geth writes it for `eth_getBlockByNumber(n, true)`.
    fn rpc_json(block: &Block) -> Value {
        let h = &block.header;
        let txs: Vec<Value> = block
            .transactions
            .iter()
            .map(|t| {
                let mut o = json!({
                    "type": quantity(t.tx_type as u8),
                    "nonce": quantity(t.nonce),
                    "gas": quantity(t.gas_limit),
                    "to": match t.kind { TxKind::Call(a) => json!(hex(a)), TxKind::Create => Value::Null },
                    "value": quantity(t.value),
                    "input": hex(&t.data),
                    "v": quantity(t.signature.v),
                    "r": quantity(t.signature.r),
                    "s": quantity(t.signature.s),
                    "hash": format!("{:?}", t.hash()),
                    "from": hex(H160::zero()),
                });
                match t.gas_price {
                    GasPrice::Legacy(p) => o["gasPrice"] = json!(quantity(p)),
                    GasPrice::FeeMarket { max_fee, max_priority_fee } => {
                        o["maxFeePerGas"] = json!(quantity(max_fee));
                        o["maxPriorityFeePerGas"] = json!(quantity(max_priority_fee));
                        o["gasPrice"] = json!(quantity(max_fee));
                    }
                }
                if t.tx_type != TxType::Legacy {
                    o["chainId"] = json!(quantity(t.chain_id.unwrap_or(1)));
                    o["yParity"] = json!(quantity(t.signature.v));
                    o["accessList"] = t
                        .access_list
                        .iter()
                        .map(|i| json!({"address": hex(i.address), "storageKeys": i.storage_keys.iter().map(hex).collect::<Vec<_>>()}))
                        .collect();
                }
                if t.tx_type == TxType::Blob {
                    o["maxFeePerBlobGas"] = json!(quantity(t.max_fee_per_blob_gas));
                    o["blobVersionedHashes"] =
                        t.blob_versioned_hashes.iter().map(|k| json!(hex(k))).collect();
                }
                o
            })
            .collect();
        json!({
            "hash": format!("{:?}", h.hash()),
            "parentHash": hex(h.parent_hash), "sha3Uncles": hex(h.ommers_hash),
            "miner": hex(h.beneficiary), "stateRoot": hex(h.state_root),
            "transactionsRoot": hex(h.transactions_root), "receiptsRoot": hex(h.receipts_root),
            "logsBloom": hex(h.logs_bloom.0), "difficulty": quantity(h.difficulty),
            "number": quantity(h.number), "gasLimit": quantity(h.gas_limit),
            "gasUsed": quantity(h.gas_used), "timestamp": quantity(h.timestamp),
            "extraData": hex(&h.extra_data), "mixHash": hex(h.mix_hash), "nonce": hex(h.nonce),
            "baseFeePerGas": h.base_fee_per_gas.map(quantity),
            "withdrawalsRoot": h.withdrawals_root.map(hex),
            "blobGasUsed": h.blob_gas_used.map(quantity),
            "excessBlobGas": h.excess_blob_gas.map(quantity),
            "parentBeaconBlockRoot": h.parent_beacon_block_root.map(hex),
            "totalDifficulty": "0x0", "size": "0x0", "uncles": [],
            "transactions": txs,
            "withdrawals": block.withdrawals.as_ref().map(|list| list.iter().map(|w| json!({
                "index": quantity(w.index), "validatorIndex": quantity(w.validator_index),
                "address": hex(w.address), "amount": quantity(w.amount_gwei)})).collect::<Vec<_>>()),
        })
    }

    fn cancun_block() -> Block {
        Block {
            header: Header {
                number: 7,
                gas_limit: 30_000_000,
                timestamp: 1_710_338_200,
                extra_data: b"evm-ee".to_vec(),
                nonce: [0; 8],
                base_fee_per_gas: Some(U256::from(7)),
                withdrawals_root: Some(H256::repeat_byte(0x44)),
                blob_gas_used: Some(131_072),
                excess_blob_gas: Some(0),
                parent_beacon_block_root: Some(H256::repeat_byte(0x55)),
                ..Header::default()
            },
            transactions: vec![
                tx(TxType::Legacy, 0),
                tx(TxType::AccessList, 1),
                tx(TxType::DynamicFee, 2),
                tx(TxType::Blob, 3),
            ],
            ommers: Vec::new(),
            withdrawals: Some(vec![Withdrawal {
                index: 1,
                validator_index: 2,
                address: H160::repeat_byte(0x66),
                amount_gwei: 3,
            }]),
        }
    }

    #[test]
    fn a_block_of_every_transaction_type_is_rebuilt_byte_for_byte() {
        let block = cancun_block();
        let rebuilt = block_from_rpc_json(&rpc_json(&block)).unwrap();
        assert_eq!(rebuilt, block);
        assert_eq!(rebuilt.encode(), block.encode());
        // A saved JSON-RPC response works the same.
        let response = json!({"jsonrpc": "2.0", "id": 1, "result": rpc_json(&block)});
        assert_eq!(block_from_rpc_json(&response).unwrap(), block);
    }

    #[test]
    fn a_field_read_wrong_is_caught_by_the_nodes_hashes() {
        let block = cancun_block();
        let mut json = rpc_json(&block);
        json["transactions"][2]["maxPriorityFeePerGas"] = json!("0x3");
        let err = block_from_rpc_json(&json).unwrap_err();
        assert_eq!(err.field, "transactions[2].hash");
        let mut json = rpc_json(&block);
        json["gasUsed"] = json!("0x1");
        assert_eq!(block_from_rpc_json(&json).unwrap_err().field, "hash");
        let mut json = rpc_json(&block);
        json["uncles"] = json!(["0x01"]);
        assert!(
            block_from_rpc_json(&json)
                .unwrap_err()
                .reason
                .contains("debug_getRawBlock")
        );
        let mut json = rpc_json(&block);
        json["transactions"] = json!(["0x1234"]);
        let err = block_from_rpc_json(&json).unwrap_err();
        assert!(err.reason.contains("full transactions"), "{err}");
        let mut json = rpc_json(&block);
        json["number"] = json!(7);
        assert_eq!(
            block_from_rpc_json(&json).unwrap_err().to_string(),
            "number: not a string"
        );
    }
}
