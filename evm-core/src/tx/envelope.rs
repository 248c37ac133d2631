//! Signed transactions as they travel on the wire and sit in block bodies: legacy RLP lists and
//! EIP-2718 typed envelopes (EIP-2930 `0x01`, EIP-1559 `0x02`, EIP-4844 `0x03` without the
//! network wrapper), their canonical encoding, hashes and sender recovery.
//!
//! Decoding is strict on purpose: a block commits to the transactions root over the exact bytes,
//! so two encodings of the same transaction must not both be accepted. Non-canonical RLP
//! (leading zeros, long forms for short payloads, single bytes wrapped in a string), wrong field
//! counts, trailing bytes and integers wider than their field are all `Malformed`.

use alloc::vec::Vec;

use primitive_types::{H160, H256, U256};
use sha3::{Digest, Keccak256};

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

    /// Decodes one entry of a block body's transaction list: legacy transactions appear as RLP
    /// lists, typed ones (EIP-2718) as an RLP byte string holding the envelope.
    pub fn decode_block_item(item: rlp::Rlp<'_>) -> Result<Transaction, InvalidTransaction> {
        if item.is_list() {
            return decode_legacy(item.as_raw());
        }
        let envelope = item
            .data()
            .map_err(|_| malformed("block transaction is neither a list nor a byte string"))?;
        match envelope.split_first() {
            Some((&first, payload)) if first < 0xc0 => decode_typed(first, payload),
            _ => Err(malformed(
                "typed transaction envelope expected in byte string",
            )),
        }
    }

    /// The canonical encoding: what [`decode`](Self::decode) accepts and what the transaction
    /// hash and the transactions trie commit to.
    pub fn encode(&self) -> Vec<u8> {
        let mut payload = Vec::new();
        if self.tx_type == TxType::Legacy {
            self.encode_legacy_fields(&mut payload);
            codec::put_uint(&mut payload, self.signature.v);
            codec::put_uint(&mut payload, self.signature.r);
            codec::put_uint(&mut payload, self.signature.s);
            return codec::list(&payload);
        }
        self.encode_typed_fields(&mut payload);
        codec::put_uint(&mut payload, self.signature.v);
        codec::put_uint(&mut payload, self.signature.r);
        codec::put_uint(&mut payload, self.signature.s);
        self.typed(&payload)
    }

    /// `keccak256` of the canonical encoding.
    pub fn hash(&self) -> H256 {
        H256::from_slice(&Keccak256::digest(self.encode()))
    }

    /// The hash the sender signed. Legacy transactions sign the six fields, plus
    /// `chain_id, 0, 0` when replay-protected (EIP-155); typed ones sign the type byte and their
    /// fields without the signature (EIP-2718).
    pub fn signing_hash(&self) -> H256 {
        let mut payload = Vec::new();
        let preimage = if self.tx_type == TxType::Legacy {
            self.encode_legacy_fields(&mut payload);
            if let Some(chain_id) = self.chain_id {
                codec::put_u64(&mut payload, chain_id);
                codec::put_u64(&mut payload, 0);
                codec::put_u64(&mut payload, 0);
            }
            codec::list(&payload)
        } else {
            self.encode_typed_fields(&mut payload);
            self.typed(&payload)
        };
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
    fn encode_legacy_fields(&self, out: &mut Vec<u8>) {
        codec::put_u64(out, self.nonce);
        codec::put_uint(out, self.gas_price.max_fee());
        codec::put_u64(out, self.gas_limit);
        put_kind(out, self.kind);
        codec::put_uint(out, self.value);
        codec::put_bytes(out, &self.data);
    }

    /// The typed fields in order, without the signature.
    fn encode_typed_fields(&self, out: &mut Vec<u8>) {
        let (max_priority_fee, max_fee) = self.fee_caps();
        codec::put_u64(out, self.chain_id.unwrap_or_default());
        codec::put_u64(out, self.nonce);
        if self.tx_type == TxType::AccessList {
            codec::put_uint(out, max_fee);
        } else {
            codec::put_uint(out, max_priority_fee);
            codec::put_uint(out, max_fee);
        }
        codec::put_u64(out, self.gas_limit);
        put_kind(out, self.kind);
        codec::put_uint(out, self.value);
        codec::put_bytes(out, &self.data);
        put_access_list(out, &self.access_list);
        if self.tx_type == TxType::Blob {
            codec::put_uint(out, self.max_fee_per_blob_gas);
            let mut hashes = Vec::new();
            for hash in &self.blob_versioned_hashes {
                codec::put_bytes(&mut hashes, hash.as_bytes());
            }
            out.extend_from_slice(&codec::list(&hashes));
        }
    }

    /// `type || rlp(payload items)`.
    fn typed(&self, payload: &[u8]) -> Vec<u8> {
        let list = codec::list(payload);
        let mut out = Vec::with_capacity(list.len() + 1);
        out.push(self.tx_type as u8);
        out.extend_from_slice(&list);
        out
    }
}

fn put_kind(out: &mut Vec<u8>, kind: TxKind) {
    match kind {
        TxKind::Call(to) => codec::put_bytes(out, to.as_bytes()),
        TxKind::Create => codec::put_bytes(out, &[]),
    }
}

fn put_access_list(out: &mut Vec<u8>, access_list: &[AccessListItem]) {
    let mut items = Vec::new();
    for item in access_list {
        let mut entry = Vec::new();
        codec::put_bytes(&mut entry, item.address.as_bytes());
        let mut keys = Vec::new();
        for key in &item.storage_keys {
            codec::put_bytes(&mut keys, key.as_bytes());
        }
        entry.extend_from_slice(&codec::list(&keys));
        items.extend_from_slice(&codec::list(&entry));
    }
    out.extend_from_slice(&codec::list(&items));
}

/// Field descriptions with their error messages, built at compile time so that `Malformed` can
/// name the field while staying a `&'static str`.
macro_rules! field {
    ($name:literal) => {
        &codec::Field {
            missing: concat!("missing field: ", $name),
            is_list: concat!($name, ": list where a byte string is expected"),
            leading_zero: concat!($name, ": integer with leading zero bytes"),
            too_long: concat!($name, ": value too large or wrong length"),
        }
    };
}

fn decode_legacy(bytes: &[u8]) -> Result<Transaction, InvalidTransaction> {
    let mut fields = codec::whole_list(bytes).map_err(malformed)?;
    let nonce = fields.u64(field!("nonce")).map_err(malformed)?;
    let gas_price = fields.u256(field!("gas price")).map_err(malformed)?;
    let gas_limit = fields.u64(field!("gas limit")).map_err(malformed)?;
    let kind = read_kind(&mut fields)?;
    let value = fields.u256(field!("value")).map_err(malformed)?;
    let data = fields.bytes(field!("data")).map_err(malformed)?.to_vec();
    let v = fields.u256(field!("v")).map_err(malformed)?;
    let r = fields.u256(field!("r")).map_err(malformed)?;
    let s = fields.u256(field!("s")).map_err(malformed)?;
    fields.finish().map_err(malformed)?;
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
    let mut fields = codec::whole_list(payload).map_err(malformed)?;
    let chain_id = fields.u64(field!("chain id")).map_err(malformed)?;
    let nonce = fields.u64(field!("nonce")).map_err(malformed)?;
    let gas_price = if tx_type == TxType::AccessList {
        GasPrice::Legacy(fields.u256(field!("gas price")).map_err(malformed)?)
    } else {
        let max_priority_fee = fields
            .u256(field!("max priority fee per gas"))
            .map_err(malformed)?;
        let max_fee = fields.u256(field!("max fee per gas")).map_err(malformed)?;
        GasPrice::FeeMarket {
            max_fee,
            max_priority_fee,
        }
    };
    let gas_limit = fields.u64(field!("gas limit")).map_err(malformed)?;
    let kind = read_kind(&mut fields)?;
    if tx_type == TxType::Blob && kind == TxKind::Create {
        // EIP-4844 types `to` as an address, not an optional one.
        return Err(malformed("blob transaction without a destination"));
    }
    let value = fields.u256(field!("value")).map_err(malformed)?;
    let data = fields.bytes(field!("data")).map_err(malformed)?.to_vec();
    let access_list = read_access_list(&mut fields)?;
    let (max_fee_per_blob_gas, blob_versioned_hashes) = if tx_type == TxType::Blob {
        let max_fee = fields
            .u256(field!("max fee per blob gas"))
            .map_err(malformed)?;
        let mut list = fields
            .list(field!("blob versioned hashes"))
            .map_err(malformed)?;
        let mut hashes = Vec::new();
        while !list.is_empty() {
            hashes.push(read_h256(&mut list, field!("blob versioned hash"))?);
        }
        (max_fee, hashes)
    } else {
        (U256::zero(), Vec::new())
    };
    let v = fields.u256(field!("y parity")).map_err(malformed)?;
    let r = fields.u256(field!("r")).map_err(malformed)?;
    let s = fields.u256(field!("s")).map_err(malformed)?;
    fields.finish().map_err(malformed)?;
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
fn read_kind(fields: &mut codec::ListReader<'_>) -> Result<TxKind, InvalidTransaction> {
    let to = fields.bytes(field!("to")).map_err(malformed)?;
    match to.len() {
        0 => Ok(TxKind::Create),
        20 => Ok(TxKind::Call(H160::from_slice(to))),
        _ => Err(malformed("to: address is not 20 bytes")),
    }
}

fn read_h256(
    list: &mut codec::ListReader<'_>,
    field: &codec::Field,
) -> Result<H256, InvalidTransaction> {
    let bytes = list.bytes(field).map_err(malformed)?;
    if bytes.len() != 32 {
        return Err(malformed(field.too_long));
    }
    Ok(H256::from_slice(bytes))
}

/// EIP-2930: a list of `[address, [storage_key, ...]]` pairs.
fn read_access_list(
    fields: &mut codec::ListReader<'_>,
) -> Result<Vec<AccessListItem>, InvalidTransaction> {
    let mut list = fields.list(field!("access list")).map_err(malformed)?;
    let mut items = Vec::new();
    while !list.is_empty() {
        let mut entry = list.list(field!("access list entry")).map_err(malformed)?;
        let address = entry
            .bytes(field!("access list address"))
            .map_err(malformed)?;
        if address.len() != 20 {
            return Err(malformed("access list address is not 20 bytes"));
        }
        let address = H160::from_slice(address);
        let mut keys = entry
            .list(field!("access list storage keys"))
            .map_err(malformed)?;
        let mut storage_keys = Vec::new();
        while !keys.is_empty() {
            storage_keys.push(read_h256(&mut keys, field!("access list storage key"))?);
        }
        entry.finish().map_err(malformed)?;
        items.push(AccessListItem {
            address,
            storage_keys,
        });
    }
    Ok(items)
}

/// A minimal, strict RLP reader and writer. The `rlp` crate accepts some non-canonical input
/// (it does not check that a top-level item spans the whole input), so transactions use this.
mod codec {
    use alloc::vec::Vec;
    use primitive_types::U256;

    /// Error messages for one field.
    pub(super) struct Field {
        pub(super) missing: &'static str,
        pub(super) is_list: &'static str,
        pub(super) leading_zero: &'static str,
        pub(super) too_long: &'static str,
    }

    enum Item<'a> {
        Bytes(&'a [u8]),
        List(&'a [u8]),
    }

    /// Reads the items of one list in order.
    pub(super) struct ListReader<'a> {
        rest: &'a [u8],
    }

    /// The input must be exactly one RLP list.
    pub(super) fn whole_list(input: &[u8]) -> Result<ListReader<'_>, &'static str> {
        match split(input)? {
            (Item::List(payload), []) => Ok(ListReader { rest: payload }),
            (Item::List(_), _) => Err("trailing bytes after the transaction"),
            (Item::Bytes(_), _) => Err("transaction is not an RLP list"),
        }
    }

    impl<'a> ListReader<'a> {
        /// No items left.
        pub(super) fn is_empty(&self) -> bool {
            self.rest.is_empty()
        }

        /// All items were read.
        pub(super) fn finish(self) -> Result<(), &'static str> {
            if self.rest.is_empty() {
                Ok(())
            } else {
                Err("too many fields in list")
            }
        }

        fn next(&mut self, field: &Field) -> Result<Item<'a>, &'static str> {
            if self.rest.is_empty() {
                return Err(field.missing);
            }
            let (item, rest) = split(self.rest)?;
            self.rest = rest;
            Ok(item)
        }

        pub(super) fn bytes(&mut self, field: &Field) -> Result<&'a [u8], &'static str> {
            match self.next(field)? {
                Item::Bytes(bytes) => Ok(bytes),
                Item::List(_) => Err(field.is_list),
            }
        }

        pub(super) fn list(&mut self, field: &Field) -> Result<ListReader<'a>, &'static str> {
            match self.next(field)? {
                Item::List(payload) => Ok(ListReader { rest: payload }),
                Item::Bytes(_) => Err(field.missing),
            }
        }

        /// A canonical big-endian integer of at most `max_len` bytes (zero is the empty string).
        fn uint(&mut self, field: &Field, max_len: usize) -> Result<&'a [u8], &'static str> {
            let bytes = self.bytes(field)?;
            if bytes.first() == Some(&0) {
                return Err(field.leading_zero);
            }
            if bytes.len() > max_len {
                return Err(field.too_long);
            }
            Ok(bytes)
        }

        pub(super) fn u64(&mut self, field: &Field) -> Result<u64, &'static str> {
            let bytes = self.uint(field, 8)?;
            Ok(bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
        }

        pub(super) fn u256(&mut self, field: &Field) -> Result<U256, &'static str> {
            Ok(U256::from_big_endian(self.uint(field, 32)?))
        }
    }

    /// Splits the first item off `input`, rejecting every non-canonical header.
    fn split(input: &[u8]) -> Result<(Item<'_>, &[u8]), &'static str> {
        let (&first, rest) = input.split_first().ok_or("unexpected end of input")?;
        match first {
            0x00..=0x7f => {
                let (byte, rest) = input.split_at_checked(1).ok_or("unexpected end of input")?;
                Ok((Item::Bytes(byte), rest))
            }
            0x80..=0xb7 => {
                let (payload, rest) = take(rest, usize::from(first - 0x80))?;
                if let [single] = payload
                    && *single < 0x80
                {
                    return Err("single byte below 0x80 wrapped in a string header");
                }
                Ok((Item::Bytes(payload), rest))
            }
            0xb8..=0xbf => {
                let (len, rest) = long_length(rest, usize::from(first - 0xb7))?;
                let (payload, rest) = take(rest, len)?;
                Ok((Item::Bytes(payload), rest))
            }
            0xc0..=0xf7 => {
                let (payload, rest) = take(rest, usize::from(first - 0xc0))?;
                Ok((Item::List(payload), rest))
            }
            0xf8..=0xff => {
                let (len, rest) = long_length(rest, usize::from(first - 0xf7))?;
                let (payload, rest) = take(rest, len)?;
                Ok((Item::List(payload), rest))
            }
        }
    }

    fn take(input: &[u8], len: usize) -> Result<(&[u8], &[u8]), &'static str> {
        input
            .split_at_checked(len)
            .ok_or("RLP length exceeds the input")
    }

    /// The length of a long-form header: no leading zeros, and at least 56 (shorter payloads
    /// must use the short form).
    fn long_length(input: &[u8], len_of_len: usize) -> Result<(usize, &[u8]), &'static str> {
        let (bytes, rest) = take(input, len_of_len)?;
        if bytes.first() == Some(&0) {
            return Err("RLP length with leading zero bytes");
        }
        if bytes.len() > core::mem::size_of::<usize>() {
            return Err("RLP length exceeds the input");
        }
        let len = bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        if len < 56 {
            return Err("RLP long form for a payload shorter than 56 bytes");
        }
        Ok((len, rest))
    }

    fn put_header(out: &mut Vec<u8>, len: usize, short_base: u8) {
        if len < 56 {
            // `len < 56` fits in the byte.
            out.push(short_base + len as u8);
        } else {
            let be = (len as u64).to_be_bytes();
            let skip = be.iter().take_while(|b| **b == 0).count();
            let len_bytes = be.get(skip..).unwrap_or_default();
            // At most 8 length bytes, so the sum stays below 0xc0 / 0x100.
            out.push(short_base + 55 + len_bytes.len() as u8);
            out.extend_from_slice(len_bytes);
        }
    }

    pub(super) fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
        match bytes {
            [single] if *single < 0x80 => out.push(*single),
            _ => {
                put_header(out, bytes.len(), 0x80);
                out.extend_from_slice(bytes);
            }
        }
    }

    pub(super) fn put_uint(out: &mut Vec<u8>, value: U256) {
        let mut be = [0u8; 32];
        value.to_big_endian(&mut be);
        let skip = be.iter().take_while(|b| **b == 0).count();
        put_bytes(out, be.get(skip..).unwrap_or_default());
    }

    pub(super) fn put_u64(out: &mut Vec<u8>, value: u64) {
        put_uint(out, U256::from(value));
    }

    /// Wraps already encoded items into a list.
    pub(super) fn list(payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(payload.len() + 9);
        put_header(&mut out, payload.len(), 0xc0);
        out.extend_from_slice(payload);
        out
    }
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
            let mut stream = rlp::RlpStream::new();
            stream.append(&bytes);
            let item = stream.out();
            assert_eq!(
                Transaction::decode_block_item(rlp::Rlp::new(&item)),
                Ok(tx.clone())
            );
        }
    }

    #[test]
    fn block_item_legacy_is_a_list() {
        let bytes = hex(LEGACY);
        let tx = Transaction::decode_block_item(rlp::Rlp::new(&bytes)).unwrap();
        assert_eq!(tx.encode(), bytes);
        // A legacy transaction wrapped in a string is not a typed envelope.
        let mut stream = rlp::RlpStream::new();
        stream.append(&bytes);
        let wrapped = stream.out();
        assert!(Transaction::decode_block_item(rlp::Rlp::new(&wrapped)).is_err());
    }

    #[test]
    fn strictness() {
        let bytes = hex(LEGACY);
        let mut trailing = bytes.clone();
        trailing.push(0);
        assert!(matches!(
            Transaction::decode(&trailing),
            Err(InvalidTransaction::Malformed(_))
        ));
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
            Err(InvalidTransaction::Malformed(
                "nonce: integer with leading zero bytes"
            ))
        );

        // A 9-byte nonce overflows u64.
        let mut tx = Transaction::decode(&bytes).unwrap();
        tx.nonce = 0;
        let mut fields = Vec::new();
        codec::put_bytes(&mut fields, &[1, 0, 0, 0, 0, 0, 0, 0, 0]);
        let encoded = tx.encode();
        let mut body = encoded[2..].to_vec(); // skip the 2-byte list header (0xf8 0x5f)
        body.remove(0); // the 0x80 nonce
        fields.extend_from_slice(&body);
        assert_eq!(
            Transaction::decode(&codec::list(&fields)),
            Err(InvalidTransaction::Malformed(
                "nonce: value too large or wrong length"
            ))
        );

        // Missing and extra fields.
        let short = codec::list(&encoded[2..encoded.len() - 33]);
        assert!(matches!(
            Transaction::decode(&short),
            Err(InvalidTransaction::Malformed("missing field: s"))
        ));
        let mut long = encoded[2..].to_vec();
        long.push(0x80);
        assert_eq!(
            Transaction::decode(&codec::list(&long)),
            Err(InvalidTransaction::Malformed("too many fields in list"))
        );
    }

    #[test]
    fn non_canonical_rlp_headers() {
        use codec::*;
        let list = |bytes: &[u8]| whole_list(bytes).map(|_| ());
        // Long form for a short list.
        assert!(list(&[0xf8, 0x01, 0x80]).is_err());
        // Length with a leading zero.
        let mut long = alloc::vec![0xf9, 0x00, 0x38];
        long.extend_from_slice(&[0x80; 0x38]);
        assert!(list(&long).is_err());
        // Single byte wrapped in a header.
        let mut reader = whole_list(&[0xc2, 0x81, 0x05]).unwrap();
        assert!(reader.u64(field!("x")).is_err());
        // Length past the end.
        assert!(list(&[0xc5, 0x80]).is_err());
    }
}
