//! What the shard testnet node decodes from strangers: a transaction's JSON (`POST
//! /api/transactions`) and a slot's blocks (what a node imports from another). No panic; what
//! decodes encodes to JSON that decodes to the same value, with the same hash.

#![no_main]

use libfuzzer_sys::fuzz_target;
use node::{SlotBlocks, Transaction};

fuzz_target!(|data: &[u8]| {
    if let Ok(tx) = serde_json::from_slice::<Transaction>(data) {
        let again: Transaction =
            serde_json::from_slice(&serde_json::to_vec(&tx).expect("encodes")).expect("decodes");
        assert_eq!(again, tx);
        assert_eq!(again.hash(), tx.hash());
    }
    if let Ok(blocks) = serde_json::from_slice::<SlotBlocks>(data) {
        let again: SlotBlocks =
            serde_json::from_slice(&serde_json::to_vec(&blocks).expect("encodes"))
                .expect("decodes");
        assert_eq!(again, blocks);
        assert_eq!(again.beacon.hash(), blocks.beacon.hash());
    }
});
