//! Receipts: what each transaction left behind (status or intermediate state root, cumulative
//! gas, bloom, logs), EIP-2718 typed like their transaction, committed to by the receipts root.

use alloc::vec::Vec;
use primitive_types::H256;
use rlp::RlpStream;

use crate::logs::{Bloom, Log};
use crate::tx::TxType;

/// A transaction's receipt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// Type of the transaction (and so of the receipt's envelope).
    pub tx_type: TxType,
    /// The transaction succeeded (receipt status 1, from Byzantium on, EIP-658).
    pub success: bool,
    /// The state root after the transaction, which receipts carry instead of a status before
    /// Byzantium.
    pub state_root: Option<H256>,
    /// Gas used by this and every earlier transaction of the block.
    pub cumulative_gas_used: u64,
    /// Bloom of `logs`.
    pub logs_bloom: Bloom,
    /// Logs, in order.
    pub logs: Vec<Log>,
}

impl Receipt {
    /// `rlp([status or state root, cumulative gas, bloom, logs])`, prefixed by the type byte
    /// for typed transactions (EIP-2718): the receipts-trie value.
    pub fn encode(&self) -> Vec<u8> {
        let mut s = RlpStream::new_list(4);
        match self.state_root {
            Some(root) => s.append(&root),
            None => s.append(&u8::from(self.success)),
        };
        s.append(&self.cumulative_gas_used);
        s.append(&self.logs_bloom.0.as_slice());
        s.append_list(&self.logs);
        let payload = s.out();
        let mut out = Vec::with_capacity(payload.len() + 1);
        if self.tx_type != TxType::Legacy {
            out.push(self.tx_type as u8);
        }
        out.extend_from_slice(&payload);
        out
    }
}

/// The ordered trie root of the receipts' encodings.
pub fn receipts_root(receipts: &[Receipt]) -> H256 {
    witness::ordered_trie_root(receipts.iter().map(Receipt::encode))
}
