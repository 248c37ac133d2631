//! Signed transactions as they travel on the wire and sit in block bodies: legacy RLP lists and
//! EIP-2718 typed envelopes (EIP-2930 `0x01`, EIP-1559 `0x02`, EIP-4844 `0x03` without the
//! network wrapper), their canonical encoding, hashes and sender recovery.
//!
//! Decoding is strict on purpose: a block commits to the transactions root over the exact bytes,
//! so two encodings of the same transaction must not both be accepted. Non-canonical RLP
//! (leading zeros, long forms for short payloads, single bytes wrapped in a string), wrong field
//! counts, trailing bytes and integers wider than their field are all rejected, read by the
//! workspace's one strict reader, [`witness::rlp`].

use alloc::vec::Vec;

use ::rlp::RlpStream;
use primitive_types::{H160, H256, U256};
use sha3::{Digest, Keccak256};
use witness::rlp::{self, Item, RlpError};

use crate::spec::SpecId;
use crate::tx::signature::recover_address;
use crate::tx::{AccessListItem, GasPrice, InvalidTransaction, TxEnv, TxKind, TxType};

/// The signature values exactly as encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Signature {
    /// Legacy: `v` (27/28, or EIP-155 `35/36 + 2 * chain_id`); typed: the y parity (0/1).
    pub v: U256,
    /// `r` of the ECDSA signature.
    pub r: U256,
    /// `s` of the ECDSA signature.
    pub s: U256,
}

/// A signed transaction of any supported type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transaction {
    /// Envelope type.
    pub tx_type: TxType,
    /// EIP-155 / EIP-2930 chain id: always set for typed transactions, derived from `v` for a
    /// replay-protected legacy one, `None` for an unprotected legacy one.
    pub chain_id: Option<u64>,
    /// Sender nonce.
    pub nonce: u64,
    /// `gas_price` (legacy, EIP-2930) or the EIP-1559 fee caps (EIP-1559, EIP-4844).
    pub gas_price: GasPrice,
    /// Gas limit.
    pub gas_limit: u64,
    /// Call target or creation.
    pub kind: TxKind,
    /// Value transferred.
    pub value: U256,
    /// Call data or init code.
    pub data: Vec<u8>,
    /// EIP-2930 access list (empty for legacy).
    pub access_list: Vec<AccessListItem>,
    /// EIP-4844 `max_fee_per_blob_gas` (zero for other types).
    pub max_fee_per_blob_gas: U256,
    /// EIP-4844 versioned hashes (empty for other types).
    pub blob_versioned_hashes: Vec<H256>,
    /// The signature.
    pub signature: Signature,
}

const fn malformed(reason: &'static str) -> InvalidTransaction {
    InvalidTransaction::Malformed(reason)
}

/// An RLP error in the named field.
fn bad(field: &'static str) -> impl Fn(RlpError) -> InvalidTransaction {
    move |source| InvalidTransaction::Rlp { field, source }
}

impl Transaction {
    /// Decodes a transaction as signed and broadcast: a legacy RLP list, or an EIP-2718 type byte
    /// followed by the type's RLP payload. The whole input must be consumed.
    pub fn decode(bytes: &[u8]) -> Result<Transaction, InvalidTransaction> {
        match bytes.split_first() {
            None => Err(malformed("empty transaction")),
            Some((&first, _)) if first >= 0xc0 => decode_legacy(bytes),
            Some((&first, payload)) => decode_typed(first, payload),
        }
    }

    /// Decodes one entry of a block body's transaction list (`item`, whose bytes are `raw`):
    /// legacy transactions appear as RLP lists, typed ones (EIP-2718) as an RLP byte string
    /// holding the envelope.
    pub fn decode_block_item(
        item: Item<'_>,
        raw: &[u8],
    ) -> Result<Transaction, InvalidTransaction> {
        match item {
            Item::List(_) => decode_legacy(raw),
            Item::Bytes(envelope) => match envelope.split_first() {
                Some((&first, payload)) if first < 0xc0 => decode_typed(first, payload),
                _ => Err(malformed(
                    "typed transaction envelope expected in byte string",
                )),
            },
        }
    }

    /// The canonical encoding: what [`decode`](Self::decode) accepts and what the transaction
    /// hash and the transactions trie commit to.
    pub fn encode(&self) -> Vec<u8> {
        let mut stream = RlpStream::new();
        stream.begin_unbounded_list();
        if self.tx_type == TxType::Legacy {
            self.append_legacy_fields(&mut stream);
        } else {
            self.append_typed_fields(&mut stream);
        }
        stream
            .append(&self.signature.v)
            .append(&self.signature.r)
            .append(&self.signature.s);
        stream.finalize_unbounded_list();
        self.with_type_byte(stream.out().to_vec())
    }

    /// `keccak256` of the canonical encoding.
    pub fn hash(&self) -> H256 {
        H256::from_slice(&Keccak256::digest(self.encode()))
    }

    /// The hash the sender signed. Legacy transactions sign the six fields, plus
    /// `chain_id, 0, 0` when replay-protected (EIP-155); typed ones sign the type byte and their
    /// fields without the signature (EIP-2718).
    pub fn signing_hash(&self) -> H256 {
        let mut stream = RlpStream::new();
        stream.begin_unbounded_list();
        if self.tx_type == TxType::Legacy {
            self.append_legacy_fields(&mut stream);
            if let Some(chain_id) = self.chain_id {
                stream.append(&chain_id).append(&0u8).append(&0u8);
            }
        } else {
            self.append_typed_fields(&mut stream);
        }
        stream.finalize_unbounded_list();
        let preimage = self.with_type_byte(stream.out().to_vec());
        H256::from_slice(&Keccak256::digest(preimage))
    }

    /// Recovers the sender under the rules of `spec`: `r, s` in `[1, n)`; `s <= n/2` from
    /// Homestead (EIP-2); legacy `v` is 27 or 28, or `35/36 + 2 * chain_id` from Spurious Dragon
    /// (EIP-155); typed transactions carry a y parity of 0 or 1.
    ///
    /// The chain id itself is not compared with the chain's: see
    /// [`check_chain_id`](Self::check_chain_id).
    pub fn recover_sender(&self, spec: SpecId) -> Result<H160, InvalidTransaction> {
        let v = self.signature.v;
        let odd_y_parity = if self.tx_type == TxType::Legacy {
            if v == U256::from(27) || v == U256::from(28) {
                v == U256::from(28)
            } else if self.chain_id.is_some() {
                if !spec.is_enabled_in(SpecId::SpuriousDragon) {
                    return Err(InvalidTransaction::InvalidSignature(
                        "EIP-155 v before Spurious Dragon",
                    ));
                }
                // `chain_id` is only set when `v >= 35`, so `v - 35` cannot underflow.
                (v - 35).bit(0)
            } else {
                return Err(InvalidTransaction::InvalidSignature(
                    "v is neither 27, 28 nor an EIP-155 value",
                ));
            }
        } else if v.is_zero() || v == U256::one() {
            v == U256::one()
        } else {
            return Err(InvalidTransaction::InvalidSignature(
                "y parity is neither 0 nor 1",
            ));
        };
        let low_s = spec.is_enabled_in(SpecId::Homestead) || self.tx_type != TxType::Legacy;
        recover_address(
            self.signing_hash().as_fixed_bytes(),
            self.signature.r,
            self.signature.s,
            odd_y_parity,
            low_s,
        )
    }

    /// EIP-155 / EIP-2930: a transaction that names a chain id must name this chain's. An
    /// unprotected legacy transaction is valid on every chain.
    pub fn check_chain_id(&self, chain_id: u64) -> Result<(), InvalidTransaction> {
        match self.chain_id {
            Some(got) if got != chain_id => Err(InvalidTransaction::WrongChainId {
                got,
                expected: chain_id,
            }),
            _ => Ok(()),
        }
    }

    /// What the executor needs, once the sender is known.
    pub fn to_tx_env(&self, caller: H160) -> TxEnv {
        TxEnv {
            tx_type: self.tx_type,
            caller,
            nonce: self.nonce,
            gas_limit: self.gas_limit,
            gas_price: self.gas_price,
            kind: self.kind,
            value: self.value,
            data: self.data.clone(),
            access_list: self.access_list.clone(),
            max_fee_per_blob_gas: self.max_fee_per_blob_gas,
            blob_versioned_hashes: self.blob_versioned_hashes.clone(),
        }
    }

    /// `(max_priority_fee_per_gas, max_fee_per_gas)`; a single legacy price serves as both.
    fn fee_caps(&self) -> (U256, U256) {
        match self.gas_price {
            GasPrice::Legacy(price) => (price, price),
            GasPrice::FeeMarket {
                max_fee,
                max_priority_fee,
            } => (max_priority_fee, max_fee),
        }
    }

    /// `nonce, gas_price, gas_limit, to, value, data`.
    fn append_legacy_fields(&self, stream: &mut RlpStream) {
        stream
            .append(&self.nonce)
            .append(&self.gas_price.max_fee())
            .append(&self.gas_limit);
        append_kind(stream, self.kind);
        stream.append(&self.value).append(&self.data);
    }

    /// The typed fields in order, without the signature.
    fn append_typed_fields(&self, stream: &mut RlpStream) {
        let (max_priority_fee, max_fee) = self.fee_caps();
        stream
            .append(&self.chain_id.unwrap_or_default())
            .append(&self.nonce);
        if self.tx_type == TxType::AccessList {
            stream.append(&max_fee);
        } else {
            stream.append(&max_priority_fee).append(&max_fee);
        }
        stream.append(&self.gas_limit);
        append_kind(stream, self.kind);
        stream.append(&self.value).append(&self.data);
        stream.begin_list(self.access_list.len());
        for item in &self.access_list {
            stream.begin_list(2).append(&item.address);
            stream.append_list(&item.storage_keys);
        }
        if self.tx_type == TxType::Blob {
            stream
                .append(&self.max_fee_per_blob_gas)
                .append_list(&self.blob_versioned_hashes);
        }
    }

    /// Typed transactions put their type byte before the RLP list (EIP-2718).
    fn with_type_byte(&self, list: Vec<u8>) -> Vec<u8> {
        if self.tx_type == TxType::Legacy {
            return list;
        }
        let mut out = Vec::with_capacity(list.len() + 1);
        out.push(self.tx_type as u8);
        out.extend_from_slice(&list);
        out
    }
}

fn append_kind(stream: &mut RlpStream, kind: TxKind) {
    match kind {
        TxKind::Call(to) => stream.append(&to),
        TxKind::Create => stream.append_empty_data(),
    };
}

fn decode_legacy(bytes: &[u8]) -> Result<Transaction, InvalidTransaction> {
    let mut fields = rlp::decode_list(bytes).map_err(bad("transaction"))?;
    let nonce = fields.u64().map_err(bad("nonce"))?;
    let gas_price = fields.u256().map_err(bad("gas price"))?;
    let gas_limit = fields.u64().map_err(bad("gas limit"))?;
    let kind = read_kind(&mut fields)?;
    let value = fields.u256().map_err(bad("value"))?;
    let data = fields.bytes().map_err(bad("data"))?.to_vec();
    let v = fields.u256().map_err(bad("v"))?;
    let r = fields.u256().map_err(bad("r"))?;
    let s = fields.u256().map_err(bad("s"))?;
    fields.finish().map_err(bad("transaction"))?;
    Ok(Transaction {
        tx_type: TxType::Legacy,
        chain_id: legacy_chain_id(v),
        nonce,
        gas_price: GasPrice::Legacy(gas_price),
        gas_limit,
        kind,
        value,
        data,
        access_list: Vec::new(),
        max_fee_per_blob_gas: U256::zero(),
        blob_versioned_hashes: Vec::new(),
        signature: Signature { v, r, s },
    })
}

/// EIP-155: `v = chain_id * 2 + 35 + y_parity`. `None` for 27/28 and for values that name no
/// representable chain (recovery rejects those).
fn legacy_chain_id(v: U256) -> Option<u64> {
    if v < U256::from(35) {
        return None;
    }
    let chain_id = (v - 35) / 2;
    (chain_id <= U256::from(u64::MAX)).then(|| chain_id.low_u64())
}

fn decode_typed(type_byte: u8, payload: &[u8]) -> Result<Transaction, InvalidTransaction> {
    let tx_type = match type_byte {
        0x01 => TxType::AccessList,
        0x02 => TxType::DynamicFee,
        0x03 => TxType::Blob,
        // EIP-2718 keeps type bytes below 0x80, so that they never read as an RLP header.
        0x80..=0xff => return Err(malformed("RLP byte string where a transaction is expected")),
        other => return Err(InvalidTransaction::UnknownType(other)),
    };
    let mut fields = rlp::decode_list(payload).map_err(bad("transaction"))?;
    let chain_id = fields.u64().map_err(bad("chain id"))?;
    let nonce = fields.u64().map_err(bad("nonce"))?;
    let gas_price = if tx_type == TxType::AccessList {
        GasPrice::Legacy(fields.u256().map_err(bad("gas price"))?)
    } else {
        let max_priority_fee = fields.u256().map_err(bad("max priority fee per gas"))?;
        let max_fee = fields.u256().map_err(bad("max fee per gas"))?;
        GasPrice::FeeMarket {
            max_fee,
            max_priority_fee,
        }
    };
    let gas_limit = fields.u64().map_err(bad("gas limit"))?;
    let kind = read_kind(&mut fields)?;
    if tx_type == TxType::Blob && kind == TxKind::Create {
        // EIP-4844 types `to` as an address, not an optional one.
        return Err(malformed("blob transaction without a destination"));
    }
    let value = fields.u256().map_err(bad("value"))?;
    let data = fields.bytes().map_err(bad("data"))?.to_vec();
    let access_list = read_access_list(&mut fields)?;
    let (max_fee_per_blob_gas, blob_versioned_hashes) = if tx_type == TxType::Blob {
        let max_fee = fields.u256().map_err(bad("max fee per blob gas"))?;
        let mut list = fields.list().map_err(bad("blob versioned hashes"))?;
        let mut hashes = Vec::new();
        while !list.is_empty() {
            hashes.push(list.h256().map_err(bad("blob versioned hash"))?);
        }
        (max_fee, hashes)
    } else {
        (U256::zero(), Vec::new())
    };
    let v = fields.u256().map_err(bad("y parity"))?;
    let r = fields.u256().map_err(bad("r"))?;
    let s = fields.u256().map_err(bad("s"))?;
    fields.finish().map_err(bad("transaction"))?;
    Ok(Transaction {
        tx_type,
        chain_id: Some(chain_id),
        nonce,
        gas_price,
        gas_limit,
        kind,
        value,
        data,
        access_list,
        max_fee_per_blob_gas,
        blob_versioned_hashes,
        signature: Signature { v, r, s },
    })
}

/// `to`: empty for a creation, else exactly 20 bytes.
fn read_kind(fields: &mut rlp::List<'_>) -> Result<TxKind, InvalidTransaction> {
    let to = fields.bytes().map_err(bad("to"))?;
    match to.len() {
        0 => Ok(TxKind::Create),
        20 => Ok(TxKind::Call(H160::from_slice(to))),
        _ => Err(malformed("to: address is not 20 bytes")),
    }
}

/// EIP-2930: a list of `[address, [storage_key, ...]]` pairs.
fn read_access_list(fields: &mut rlp::List<'_>) -> Result<Vec<AccessListItem>, InvalidTransaction> {
    let mut list = fields.list().map_err(bad("access list"))?;
    let mut items = Vec::new();
    while !list.is_empty() {
        let mut entry = list.list().map_err(bad("access list entry"))?;
        let address = entry.h160().map_err(bad("access list address"))?;
        let mut keys = entry.list().map_err(bad("access list storage keys"))?;
        let mut storage_keys = Vec::new();
        while !keys.is_empty() {
            storage_keys.push(keys.h256().map_err(bad("access list storage key"))?);
        }
        entry.finish().map_err(bad("access list entry"))?;
        items.push(AccessListItem {
            address,
            storage_keys,
        });
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        ::hex::decode(s.trim_start_matches("0x")).unwrap()
    }

    /// ethereum/tests TransactionTests/ttAddress/AddressLessThan20Prefixed0.
    const LEGACY: &str = "0xf85f800182520894000000000000000000000000000b9331677e6ebf0a801ca098ff921201554726367d2be8c804a7ff89ccf285ebc57dff8ae4c44b9c19ac4aa01887321be575c8095f789dd4c743dfe42c1820f9231f98a962b210e3ac2452a3";

    /// The EIP-155 example transaction (chain id 1).
    const EIP155: &str = "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83";

    #[test]
    fn legacy_round_trip_hash_and_sender() {
        let bytes = hex(LEGACY);
        let tx = Transaction::decode(&bytes).unwrap();
        assert_eq!(tx.encode(), bytes);
        assert_eq!(tx.chain_id, None);
        assert_eq!(
            tx.hash(),
            H256::from_slice(&hex(
                "2781a1444a7a4a646bf551f90913054dc47b2f3493d4a82a057445eb9e1c98cf"
            ))
        );
        let sender = tx.recover_sender(SpecId::Frontier).unwrap();
        assert_eq!(
            sender,
            H160::from_slice(&hex("2fbffb0b9f709fd1fa4db9ff7342f2e6b3b2b7a6"))
        );
        assert_eq!(tx.to_tx_env(sender).caller, sender);
    }

    #[test]
    fn eip155_needs_spurious_dragon() {
        let bytes = hex(EIP155);
        let tx = Transaction::decode(&bytes).unwrap();
        assert_eq!(tx.encode(), bytes);
        assert_eq!(tx.chain_id, Some(1));
        assert_eq!(
            tx.signing_hash(),
            H256::from_slice(&hex(
                "daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53"
            ))
        );
        assert_eq!(
            tx.recover_sender(SpecId::SpuriousDragon).unwrap(),
            H160::from_slice(&hex("9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f"))
        );
        assert!(tx.recover_sender(SpecId::Tangerine).is_err());
        assert!(tx.check_chain_id(1).is_ok());
        assert_eq!(
            tx.check_chain_id(5),
            Err(InvalidTransaction::WrongChainId {
                got: 1,
                expected: 5
            })
        );
    }

    fn signed(mut tx: Transaction) -> (Transaction, H160) {
        use k256::ecdsa::SigningKey;
        let key = SigningKey::from_slice(&[0x45; 32]).unwrap();
        let (sig, recid) = key
            .sign_prehash_recoverable(tx.signing_hash().as_bytes())
            .unwrap();
        tx.signature = Signature {
            v: U256::from(u8::from(recid.is_y_odd())),
            r: U256::from_big_endian(&sig.r().to_bytes()),
            s: U256::from_big_endian(&sig.s().to_bytes()),
        };
        let point = key.verifying_key().to_encoded_point(false);
        let address = H160::from_slice(&Keccak256::digest(&point.as_bytes()[1..])[12..]);
        (tx, address)
    }

    fn blob_tx() -> Transaction {
        Transaction {
            tx_type: TxType::Blob,
            chain_id: Some(1),
            nonce: 3,
            gas_price: GasPrice::FeeMarket {
                max_fee: U256::from(100),
                max_priority_fee: U256::from(2),
            },
            gas_limit: 100_000,
            kind: TxKind::Call(H160::repeat_byte(0x11)),
            value: U256::from(5),
            data: alloc::vec![0, 1, 2],
            access_list: alloc::vec![AccessListItem {
                address: H160::repeat_byte(0x22),
                storage_keys: alloc::vec![H256::repeat_byte(0x33), H256::zero()],
            }],
            max_fee_per_blob_gas: U256::from(7),
            blob_versioned_hashes: alloc::vec![H256::repeat_byte(0x01)],
            signature: Signature::default(),
        }
    }

    #[test]
    fn typed_round_trips_and_recovers() {
        for tx_type in [TxType::AccessList, TxType::DynamicFee, TxType::Blob] {
            let mut tx = blob_tx();
            tx.tx_type = tx_type;
            if tx_type != TxType::Blob {
                tx.max_fee_per_blob_gas = U256::zero();
                tx.blob_versioned_hashes.clear();
            }
            if tx_type == TxType::AccessList {
                tx.gas_price = GasPrice::Legacy(U256::from(100));
            }
            let (tx, sender) = signed(tx);
            let bytes = tx.encode();
            assert_eq!(bytes.first(), Some(&(tx_type as u8)));
            let decoded = Transaction::decode(&bytes).unwrap();
            assert_eq!(decoded, tx);
            assert_eq!(decoded.recover_sender(SpecId::Cancun), Ok(sender));

            // In a block body a typed transaction is an RLP string holding the envelope.
            let mut stream = RlpStream::new();
            stream.append(&bytes);
            let item = stream.out();
            assert_eq!(block_item(&item), Ok(tx.clone()));
        }
    }

    fn block_item(bytes: &[u8]) -> Result<Transaction, InvalidTransaction> {
        let item = rlp::decode_exact(bytes).unwrap();
        Transaction::decode_block_item(item, bytes)
    }

    #[test]
    fn block_item_legacy_is_a_list() {
        let bytes = hex(LEGACY);
        let tx = block_item(&bytes).unwrap();
        assert_eq!(tx.encode(), bytes);
        // A legacy transaction wrapped in a string is not a typed envelope.
        let mut stream = RlpStream::new();
        stream.append(&bytes);
        let wrapped = stream.out();
        assert!(block_item(&wrapped).is_err());
    }

    #[test]
    fn strictness() {
        let bytes = hex(LEGACY);
        let mut trailing = bytes.clone();
        trailing.push(0);
        assert_eq!(
            Transaction::decode(&trailing),
            Err(InvalidTransaction::Rlp {
                field: "transaction",
                source: RlpError::TrailingBytes(1)
            })
        );
        assert!(Transaction::decode(&bytes[..bytes.len() - 1]).is_err());
        assert!(Transaction::decode(&[]).is_err());
        assert_eq!(
            Transaction::decode(&[0x04, 0xc0]),
            Err(InvalidTransaction::UnknownType(4))
        );
        assert!(matches!(
            Transaction::decode(&[0x81, 0x80]),
            Err(InvalidTransaction::Malformed(_))
        ));

        // Nonce 0 written as 0x00 (leading zero) instead of 0x80.
        let mut leading = bytes.clone();
        leading[2] = 0x00;
        assert_eq!(
            Transaction::decode(&leading),
            Err(InvalidTransaction::Rlp {
                field: "nonce",
                source: RlpError::IntegerLeadingZero
            })
        );

        // The legacy fields as raw items, so that single fields can be replaced.
        let tx = Transaction::decode(&bytes).unwrap();
        let fields: Vec<Vec<u8>> = {
            let mut list = rlp::decode_list(&bytes).unwrap();
            core::iter::from_fn(|| list.next_raw().unwrap().map(|(_, raw)| raw.to_vec())).collect()
        };
        let list_of = |items: &[Vec<u8>]| {
            let mut stream = RlpStream::new_list(items.len());
            for item in items {
                stream.append_raw(item, 1);
            }
            stream.out().to_vec()
        };
        assert_eq!(list_of(&fields), tx.encode());

        // A 9-byte nonce overflows u64.
        let mut wide = fields.clone();
        wide[0] = ::rlp::encode(&[1u8, 0, 0, 0, 0, 0, 0, 0, 0].as_slice()).to_vec();
        assert_eq!(
            Transaction::decode(&list_of(&wide)),
            Err(InvalidTransaction::Rlp {
                field: "nonce",
                source: RlpError::IntegerTooLong { got: 9, max: 8 }
            })
        );

        // Missing and extra fields.
        assert_eq!(
            Transaction::decode(&list_of(&fields[..8])),
            Err(InvalidTransaction::Rlp {
                field: "s",
                source: RlpError::MissingItem
            })
        );
        let mut long = fields.clone();
        long.push(alloc::vec![0x80]);
        assert_eq!(
            Transaction::decode(&list_of(&long)),
            Err(InvalidTransaction::Rlp {
                field: "transaction",
                source: RlpError::TrailingBytes(1)
            })
        );
    }
}
