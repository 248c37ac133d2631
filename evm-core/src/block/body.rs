//! The block: header, transactions, ommers and (Shanghai on) withdrawals, as RLP on the wire.

use ::rlp::RlpStream;
use alloc::format;
use alloc::vec::Vec;
use primitive_types::{H160, H256};
use witness::rlp::{self, RlpError};

use super::{BlockError, Header};
use crate::tx::{Transaction, TxType};

/// An EIP-4895 withdrawal: a validator's balance leaving the beacon chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Withdrawal {
    /// Monotonic withdrawal index.
    pub index: u64,
    /// Index of the validator on the beacon chain.
    pub validator_index: u64,
    /// Recipient on the execution layer.
    pub address: H160,
    /// Amount in Gwei (credited times 10^9 wei).
    pub amount_gwei: u64,
}

impl Withdrawal {
    /// `rlp([index, validator_index, address, amount])`: a withdrawals-trie value.
    pub fn encode(&self) -> Vec<u8> {
        let mut s = RlpStream::new();
        self.append(&mut s);
        s.out().to_vec()
    }

    fn append(&self, s: &mut RlpStream) {
        s.begin_list(4);
        s.append(&self.index);
        s.append(&self.validator_index);
        s.append(&self.address);
        s.append(&self.amount_gwei);
    }

    fn decode_list(mut fields: rlp::List<'_>, position: usize) -> Result<Withdrawal, BlockError> {
        let bad = |e: RlpError| BlockError::Malformed(format!("withdrawal {position}: {e}"));
        let withdrawal = Withdrawal {
            index: fields.u64().map_err(bad)?,
            validator_index: fields.u64().map_err(bad)?,
            address: fields.h160().map_err(bad)?,
            amount_gwei: fields.u64().map_err(bad)?,
        };
        fields.finish().map_err(bad)?;
        Ok(withdrawal)
    }
}

/// A whole block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// The header.
    pub header: Header,
    /// Transactions in order.
    pub transactions: Vec<Transaction>,
    /// Ommer ("uncle") headers; empty from the merge on.
    pub ommers: Vec<Header>,
    /// EIP-4895 withdrawals: `Some` exactly from Shanghai on (the list may be empty).
    pub withdrawals: Option<Vec<Withdrawal>>,
}

impl Block {
    /// Decodes `rlp([header, transactions, ommers(, withdrawals)])`; the whole input must be
    /// consumed. A transaction that does not decode is reported with its index.
    pub fn decode(bytes: &[u8]) -> Result<Block, BlockError> {
        let bad = |what: &'static str| {
            move |e: RlpError| BlockError::Malformed(format!("block {what}: {e}"))
        };
        let mut items = rlp::decode_list(bytes).map_err(bad("list"))?;
        let count = items.count().map_err(bad("list"))?;
        if !(3..=4).contains(&count) {
            return Err(BlockError::Malformed(format!(
                "block has {count} items, expected 3 or 4"
            )));
        }
        let header = Header::decode_list(items.list().map_err(bad("header"))?)?;

        let mut transactions = Vec::new();
        let mut tx_list = items.list().map_err(bad("transactions"))?;
        while let Some((item, raw)) = tx_list.next_raw().map_err(bad("transactions"))? {
            let index = transactions.len();
            let tx = Transaction::decode_block_item(item, raw)
                .map_err(|source| BlockError::InvalidTransaction { index, source })?;
            transactions.push(tx);
        }

        let mut ommers = Vec::new();
        let mut ommer_list = items.list().map_err(bad("ommers"))?;
        while !ommer_list.is_empty() {
            ommers.push(Header::decode_list(
                ommer_list.list().map_err(bad("ommers"))?,
            )?);
        }

        let withdrawals = if items.is_empty() {
            None
        } else {
            let mut list = items.list().map_err(bad("withdrawals"))?;
            let mut withdrawals = Vec::new();
            while !list.is_empty() {
                let position = withdrawals.len();
                let fields = list.list().map_err(bad("withdrawals"))?;
                withdrawals.push(Withdrawal::decode_list(fields, position)?);
            }
            Some(withdrawals)
        };

        Ok(Block {
            header,
            transactions,
            ommers,
            withdrawals,
        })
    }

    /// The canonical RLP: legacy transactions as lists, typed ones as byte strings holding
    /// their EIP-2718 envelope.
    pub fn encode(&self) -> Vec<u8> {
        let mut s = RlpStream::new_list(if self.withdrawals.is_some() { 4 } else { 3 });
        s.append_raw(&self.header.encode(), 1);
        s.begin_list(self.transactions.len());
        for tx in &self.transactions {
            let encoded = tx.encode();
            if tx.tx_type == TxType::Legacy {
                s.append_raw(&encoded, 1);
            } else {
                s.append(&encoded);
            }
        }
        s.append_raw(&ommers_rlp(&self.ommers), 1);
        if let Some(withdrawals) = &self.withdrawals {
            s.begin_list(withdrawals.len());
            for withdrawal in withdrawals {
                withdrawal.append(&mut s);
            }
        }
        s.out().to_vec()
    }

    /// The block hash: the header's hash.
    pub fn hash(&self) -> H256 {
        self.header.hash()
    }
}

/// `rlp(ommers)`, whose keccak256 the header's `ommers_hash` commits to.
pub(crate) fn ommers_rlp(ommers: &[Header]) -> Vec<u8> {
    let mut s = RlpStream::new_list(ommers.len());
    for ommer in ommers {
        s.append_raw(&ommer.encode(), 1);
    }
    s.out().to_vec()
}
