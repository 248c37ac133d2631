//! Does the host's cost per block grow with the size of the state? The same block-sized set of
//! changes (20 accounts: updates, new accounts, a deletion) applied over a stored state of
//! 10,000 and of 1,000,000 accounts, the way an import does it: the state opened at its root,
//! read and written through the store, the new root, the witness recorded, the new nodes
//! written. Prints time and bytes per block for each size and their ratios.
//!
//! `cargo run --release -p chain --example store_scaling [BLOCKS]`

use std::collections::BTreeMap;
use std::time::Instant;

use chain::store::StoreSource;
use chain::{MemoryStore, Store, StoreBatch};
use evm_core::state::{AccountChange, InMemoryAccount, StateChanges};
use evm_core::{InMemoryState, State};
use primitive_types::{H160, U256};

fn address(i: u64) -> H160 {
    // Spread over the key space as real addresses are.
    H160::from_slice(&witness::keccak256(&i.to_be_bytes()).as_bytes()[..20])
}

struct PerBlock {
    micros: f64,
    witness_bytes: f64,
    new_node_bytes: f64,
}

fn measure(accounts: u64, blocks: u64) -> PerBlock {
    let state = InMemoryState::new(
        (0..accounts)
            .map(|i| {
                let account = InMemoryAccount {
                    balance: U256::from(i + 1),
                    ..InMemoryAccount::default()
                };
                (address(i), account)
            })
            .collect(),
    );
    let (mut root, nodes) = stateless::state_trie_nodes(&state);
    drop(state);
    let mut store = MemoryStore::new();
    store
        .write(StoreBatch {
            nodes,
            ..StoreBatch::default()
        })
        .unwrap_or_else(|_| unreachable!("the memory store does not fail"));
    let hashes = BTreeMap::new();
    let (mut witness_bytes, mut new_node_bytes) = (0usize, 0usize);
    let started = Instant::now();
    for block in 0..blocks {
        let mut changes = StateChanges::new();
        for k in 0..20u64 {
            // Existing accounts (reads then writes), new ones, one deletion per block.
            let i = if k < 12 {
                (block * 7_919 + k * 104_729) % accounts
            } else {
                accounts + block * 20 + k
            };
            let change = if k == 0 {
                AccountChange::Deleted
            } else {
                AccountChange::Updated {
                    nonce: block + 1,
                    balance: U256::from(block * 1_000 + k),
                    code: None,
                    storage_cleared: false,
                    storage: BTreeMap::new(),
                }
            };
            changes.insert(address(i), change);
        }
        let mut stored = StoreSource::open(root, &store, &hashes);
        for address in changes.keys() {
            let _ = stored.account(*address);
        }
        let _ = stored.commit(&changes);
        root = stored.state_root().unwrap_or(root);
        let (nodes, codes) = stored.take_new_nodes();
        let witness = stored.into_source().into_witness();
        witness_bytes += witness.nodes.iter().map(Vec::len).sum::<usize>();
        new_node_bytes += nodes.iter().map(Vec::len).sum::<usize>();
        let _ = store.write(StoreBatch {
            nodes,
            codes,
            ..StoreBatch::default()
        });
    }
    let elapsed = started.elapsed();
    PerBlock {
        micros: elapsed.as_secs_f64() * 1e6 / blocks as f64,
        witness_bytes: witness_bytes as f64 / blocks as f64,
        new_node_bytes: new_node_bytes as f64 / blocks as f64,
    }
}

fn main() {
    let blocks: u64 = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse().ok())
        .unwrap_or(2_000);
    println!("{blocks} blocks of 20 touched accounts each");
    println!("accounts    µs/block  witness B/block  new nodes B/block");
    let small = measure(10_000, blocks);
    let large = measure(1_000_000, blocks);
    for (accounts, result) in [(10_000, &small), (1_000_000, &large)] {
        println!(
            "{accounts:>9} {:>10.1} {:>16.0} {:>18.0}",
            result.micros, result.witness_bytes, result.new_node_bytes
        );
    }
    println!(
        "ratio 1M/10k: time {:.2}x, witness {:.2}x, new nodes {:.2}x",
        large.micros / small.micros,
        large.witness_bytes / small.witness_bytes,
        large.new_node_bytes / small.new_node_bytes
    );
}
