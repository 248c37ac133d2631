//! The block: header, transactions, ommers and (Shanghai on) withdrawals, as RLP on the wire.

use alloc::format;
use alloc::vec::Vec;
use primitive_types::{H160, H256};
use rlp::{Rlp, RlpStream};

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

    fn decode_rlp(rlp: &Rlp<'_>, position: usize) -> Result<Withdrawal, BlockError> {
        let bad =
            |e: rlp::DecoderError| BlockError::Malformed(format!("withdrawal {position}: {e}"));
        let items = super::list_items(rlp, "withdrawal")?;
        let [index, validator_index, address, amount_gwei] = items.as_slice() else {
            return Err(BlockError::Malformed(format!(
                "withdrawal {position} has {} items, expected 4",
                items.len()
            )));
        };
        Ok(Withdrawal {
            index: index.as_val().map_err(bad)?,
            validator_index: validator_index.as_val().map_err(bad)?,
            address: address.as_val().map_err(bad)?,
            amount_gwei: amount_gwei.as_val().map_err(bad)?,
        })
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
        let bad =
            |what: &str, e: rlp::DecoderError| BlockError::Malformed(format!("block {what}: {e}"));
        let rlp = Rlp::new(bytes);
        let info = rlp.payload_info().map_err(|e| bad("list", e))?;
        if info.total() != bytes.len() {
            return Err(BlockError::Malformed(format!(
                "block: {} trailing bytes",
                bytes.len().saturating_sub(info.total())
            )));
        }
        let items = super::list_items(&rlp, "block")?;
        let (header, txs, ommer_list, withdrawal_list) = match items.as_slice() {
            [header, txs, ommers] => (header, txs, ommers, None),
            [header, txs, ommers, withdrawals] => (header, txs, ommers, Some(withdrawals)),
            _ => {
                return Err(BlockError::Malformed(format!(
                    "block has {} items, expected 3 or 4",
                    items.len()
                )));
            }
        };
        let header = Header::decode_rlp(header)?;

        let mut transactions = Vec::new();
        for (index, item) in super::list_items(txs, "transactions")?
            .into_iter()
            .enumerate()
        {
            let tx = Transaction::decode_block_item(item)
                .map_err(|source| BlockError::InvalidTransaction { index, source })?;
            transactions.push(tx);
        }

        let mut ommers = Vec::new();
        for item in super::list_items(ommer_list, "ommers")? {
            ommers.push(Header::decode_rlp(&item)?);
        }

        let withdrawals = match withdrawal_list {
            Some(list) => {
                let mut withdrawals = Vec::new();
                for (position, item) in super::list_items(list, "withdrawals")?.iter().enumerate() {
                    withdrawals.push(Withdrawal::decode_rlp(item, position)?);
                }
                Some(withdrawals)
            }
            None => None,
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
