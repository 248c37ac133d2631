//! Blocks and transactions as RLP from anyone (a blob's block, a node's `eth_getBlock`):
//! `Block::decode`, `Header::decode` and `Transaction::decode` on arbitrary bytes.
//!
//! No panic, whatever the input; what decodes re-encodes to the same value (the encoders are the
//! decoders' inverse on canonical input).

#![no_main]

use evm_core::block::{Block, Header};
use evm_core::tx::Transaction;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(block) = Block::decode(data) {
        assert_eq!(Block::decode(&block.encode()).ok().as_ref(), Some(&block));
    }
    if let Ok(header) = Header::decode(data) {
        assert_eq!(Header::decode(&header.encode()).ok().as_ref(), Some(&header));
    }
    if let Ok(tx) = Transaction::decode(data) {
        assert_eq!(Transaction::decode(&tx.encode()).ok().as_ref(), Some(&tx));
    }
});
