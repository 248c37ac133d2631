//! Does the host's cost per block grow with the size of the state? Two measures, each over a
//! stored state of 10,000 and of 1,000,000 accounts built here:
//!
//! - **whole blocks**: the same shape of block (20 signed transfers from 20 funded keys, 12 to
//!   existing accounts spread over the state and 8 to new ones) imported as `evm-ee replay
//!   --engine wasmi|wasmtime` imports a block before the EE runs: decoded, its senders recovered,
//!   executed natively over the parent's stored state, the new root, the witness recorded, the
//!   blob built, the new nodes written;
//! - **the store alone**: the same 20-account change set (updates, new accounts, a deletion)
//!   written through the store without transactions: the part that follows the trie's depth.
//!
//! Prints time and bytes per block for each size and their ratios.
//!
//! `cargo run --release -p chain --example store_scaling [BLOCKS]`

use std::collections::BTreeMap;
use std::time::Instant;

use chain::example_chain::{EXAMPLE_CHAIN_ID, ExampleWallet, TxCall, cancun_genesis, example_spec};
use chain::store::StoreSource;
use chain::{Chain, EeInput, MemoryStore, Store, StoreBatch};
use evm_core::block::BlockTemplate;
use evm_core::state::{AccountChange, InMemoryAccount, StateChanges};
use evm_core::tx::TxType;
use evm_core::{InMemoryState, State};
use primitive_types::{H160, U256};

fn address(i: u64) -> H160 {
    // Spread over the key space as real addresses are.
    H160::from_slice(&witness::keccak256(&i.to_be_bytes()).as_bytes()[..20])
}

/// `accounts` accounts with small balances, spread over the key space.
fn filler_state(accounts: u64) -> InMemoryState {
    InMemoryState::new(
        (0..accounts)
            .map(|i| {
                let account = InMemoryAccount {
                    balance: U256::from(i + 1),
                    ..InMemoryAccount::default()
                };
                (address(i), account)
            })
            .collect(),
    )
}

const SENDERS: u64 = 20;

/// Whole blocks of 20 transfers imported over a chain whose genesis holds `accounts` accounts
/// (plus the 20 funded senders).
fn measure_blocks(accounts: u64, blocks: u64) -> PerBlock {
    let mut wallet = ExampleWallet::new(EXAMPLE_CHAIN_ID, SENDERS);
    let mut state = filler_state(accounts);
    for index in 0..wallet.len() {
        state.accounts.insert(
            wallet.address(index),
            InMemoryAccount {
                balance: U256::from(10u64).pow(U256::from(24)),
                ..InMemoryAccount::default()
            },
        );
    }
    let genesis = cancun_genesis(&mut state, b"store_scaling");
    let mut chain = Chain::new(example_spec(), genesis, state);
    let (mut elapsed, mut blob_bytes, mut new_node_bytes) =
        (std::time::Duration::ZERO, 0usize, 0usize);
    for block in 0..blocks {
        let transactions = (0..SENDERS)
            .map(|k| {
                let to = if k < 12 {
                    address((block * 7_919 + k * 104_729) % accounts)
                } else {
                    address(accounts + block * SENDERS + k)
                };
                wallet.transaction(k as usize, TxType::DynamicFee, TxCall::transfer(to, 1_000))
            })
            .collect();
        let parent = chain.head().map(|node| node.block.header.clone());
        let parent = parent.unwrap_or_else(|| unreachable!("a chain has a head"));
        let template = BlockTemplate {
            beneficiary: H160::repeat_byte(0xfe),
            timestamp: parent.timestamp + 12,
            gas_limit: parent.gas_limit,
            transactions,
            ..BlockTemplate::default()
        };
        let (built, _) = chain
            .build_on_head(template)
            .unwrap_or_else(|e| panic!("block {block}: {e}"));
        let rlp = built.encode();
        let started = Instant::now();
        chain
            .import(&rlp, |context| {
                let input = EeInput::for_import(&context)?;
                blob_bytes += input.blob.len();
                let post = input.native?;
                new_node_bytes += post.nodes.iter().map(Vec::len).sum::<usize>();
                Ok(post)
            })
            .unwrap_or_else(|e| panic!("block {block}: {e}"));
        elapsed += started.elapsed();
    }
    PerBlock {
        micros: elapsed.as_secs_f64() * 1e6 / blocks as f64,
        witness_bytes: blob_bytes as f64 / blocks as f64,
        new_node_bytes: new_node_bytes as f64 / blocks as f64,
    }
}

struct PerBlock {
    micros: f64,
    witness_bytes: f64,
    new_node_bytes: f64,
}

fn measure_store(accounts: u64, blocks: u64) -> PerBlock {
    let state = filler_state(accounts);
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

fn print(title: &str, bytes: &str, small: &PerBlock, large: &PerBlock) {
    println!("{title}");
    println!("accounts    µs/block  {bytes:>15}  new nodes B/block");
    for (accounts, result) in [(10_000, small), (1_000_000, large)] {
        println!(
            "{accounts:>9} {:>10.1} {:>16.0} {:>18.0}",
            result.micros, result.witness_bytes, result.new_node_bytes
        );
    }
    println!(
        "ratio 1M/10k: time {:.2}x, {} {:.2}x, new nodes {:.2}x\n",
        large.micros / small.micros,
        bytes.split(' ').next().unwrap_or(bytes),
        large.witness_bytes / small.witness_bytes,
        large.new_node_bytes / small.new_node_bytes
    );
}

fn main() {
    let blocks: u64 = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse().ok())
        .unwrap_or(1_000);
    println!("{blocks} blocks per state size\n");
    let small = measure_blocks(10_000, blocks);
    let large = measure_blocks(1_000_000, blocks);
    print(
        "whole blocks: 20 signed transfers, imported with the EE's witness and blob built",
        "blob B/block",
        &small,
        &large,
    );
    let small = measure_store(10_000, blocks);
    let large = measure_store(1_000_000, blocks);
    print(
        "the store alone: 20 accounts changed per block, no transactions",
        "witness B/block",
        &small,
        &large,
    );
}
