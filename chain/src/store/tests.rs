use std::collections::BTreeMap;

use evm_core::state::{AccountChange, InMemoryAccount, StateChanges};
use evm_core::{InMemoryState, State};
use primitive_types::{H160, H256, U256};
use stateless::WitnessState;

use super::*;

/// A deterministic state of `count` accounts, some with storage and code.
fn sample_state(count: u64) -> InMemoryState {
    let mut accounts = BTreeMap::new();
    for i in 0..count {
        let mut account = InMemoryAccount {
            nonce: i % 3,
            balance: U256::from(i * 1_000 + 1),
            ..InMemoryAccount::default()
        };
        if i % 7 == 0 {
            account.code = vec![0x60, i as u8, 0x00];
            for slot in 0..(i % 5 + 1) {
                account.storage.insert(
                    H256::from_low_u64_be(slot),
                    H256::from_low_u64_be(i + slot + 1),
                );
            }
        }
        accounts.insert(H160::from_low_u64_be(i * 7919 + 1), account);
    }
    InMemoryState::new(accounts)
}

/// Changes touching a few accounts: updates, new accounts, new slots, deleted slots and a
/// deleted account (which makes branches collapse and needs the siblings).
fn sample_changes(round: u64, count: u64) -> StateChanges {
    let mut changes = StateChanges::new();
    for k in 0..6u64 {
        let i = (round * 13 + k * 29) % (count + 4);
        let address = H160::from_low_u64_be(i * 7919 + 1);
        let change = if k == 5 {
            AccountChange::Deleted
        } else {
            let mut storage = BTreeMap::new();
            storage.insert(H256::from_low_u64_be(round), H256::from_low_u64_be(k + 1));
            storage.insert(H256::from_low_u64_be(0), H256::zero());
            AccountChange::Updated {
                nonce: round,
                balance: U256::from(round * 100 + k),
                code: (k == 2).then(|| vec![0x60, round as u8]),
                storage_cleared: false,
                storage,
            }
        };
        changes.insert(address, change);
    }
    changes
}

fn write_state(store: &mut impl Store, state: &InMemoryState) -> H256 {
    let (root, nodes) = stateless::state_trie_nodes(state);
    let codes = state
        .accounts
        .values()
        .filter(|a| !a.code.is_empty())
        .map(|a| a.code.clone())
        .collect();
    store
        .write(StoreBatch {
            nodes,
            codes,
            ..StoreBatch::default()
        })
        .unwrap();
    root
}

/// Applies `rounds` of changes over the store and checks each root against the full trie of the
/// same state in memory, and each recorded witness against a stateless re-execution.
fn roots_follow_the_full_state(store: &mut impl Store) -> Vec<H256> {
    let count = 200;
    let mut full = sample_state(count);
    let mut root = write_state(store, &full);
    let hashes = BTreeMap::new();
    let mut roots = vec![root];
    for round in 1..=12 {
        let changes = sample_changes(round, count);
        let mut stored = StoreSource::open(root, &*store, &hashes);
        stored.commit(&changes).unwrap();
        let new_root = stored.state_root().unwrap();
        full.commit(&changes).unwrap();
        assert_eq!(new_root, full.state_root().unwrap(), "round {round}");

        let (nodes, codes) = stored.take_new_nodes();
        let witness = stored.into_source().into_witness();
        // The nodes served are a witness for the same changes, on their own.
        let mut alone =
            WitnessState::new(root, &witness.nodes, &witness.codes, BTreeMap::new()).unwrap();
        alone.commit(&changes).unwrap();
        assert_eq!(alone.state_root().unwrap(), new_root, "round {round}");

        store
            .write(StoreBatch {
                nodes,
                codes,
                ..StoreBatch::default()
            })
            .unwrap();
        // Every account of the new state reads back from the store.
        let reread = StoreSource::open(new_root, &*store, &hashes);
        for (address, account) in full.accounts.iter().step_by(17) {
            let info = reread.account(*address).unwrap().unwrap();
            assert_eq!((info.nonce, info.balance), (account.nonce, account.balance));
        }
        root = new_root;
        roots.push(root);
    }
    // Old roots stay readable (nothing is overwritten).
    let old = StoreSource::open(roots[0], &*store, &hashes);
    let first = sample_state(count);
    let (address, account) = first.accounts.iter().next().unwrap();
    assert_eq!(
        old.account(*address).unwrap().unwrap().balance,
        account.balance
    );
    roots
}

#[test]
fn memory_store_roots_follow_the_full_state() {
    roots_follow_the_full_state(&mut MemoryStore::new());
}

#[test]
fn redb_store_gives_the_same_roots_and_reopens_at_its_last_commit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chain.redb");
    let memory_roots = roots_follow_the_full_state(&mut MemoryStore::new());
    let roots = {
        let mut store = RedbStore::open(&path).unwrap().commit_every(5);
        let roots = roots_follow_the_full_state(&mut store);
        store.flush().unwrap();
        roots
    };
    assert_eq!(roots, memory_roots);
    let store = RedbStore::open(&path).unwrap();
    let hashes = BTreeMap::new();
    let mut last = StoreSource::open(*roots.last().unwrap(), &store, &hashes);
    assert!(last.state_root().is_ok());
    let address = H160::from_low_u64_be(7919 + 1);
    assert!(last.account(address).is_ok());
    assert!(last.into_source().error().is_none());
}

#[test]
fn held_batches_are_read_at_once_and_committed_by_flush() {
    // (What a SIGKILL loses, the batches not committed yet and nothing else, is tested end to
    // end in tests/replay.rs: one process cannot open a redb file twice.)
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chain.redb");
    let node = |n: u8| witness::keccak256(&[0xc1, n]);
    {
        let mut store = RedbStore::open(&path).unwrap().commit_every(2);
        let batch = |n: u8| StoreBatch {
            nodes: vec![vec![0xc1, n]],
            meta: vec![("progress".into(), vec![n])],
            ..StoreBatch::default()
        };
        store.write(batch(1)).unwrap();
        store.write(batch(2)).unwrap(); // committed with the first
        store.write(batch(3)).unwrap(); // held
        assert_eq!(store.meta("progress").unwrap(), Some(vec![3]));
        assert!(store.trie_node(&node(3)).unwrap().is_some());
        store.flush().unwrap();
    }
    let store = RedbStore::open(&path).unwrap();
    assert_eq!(store.meta("progress").unwrap(), Some(vec![3]));
    for n in 1..=3 {
        assert!(store.trie_node(&node(n)).unwrap().is_some());
    }
}

#[test]
fn a_file_that_is_not_a_store_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chain.redb");
    std::fs::write(&path, b"not a database").unwrap();
    assert!(matches!(
        RedbStore::open(&path),
        Err(StoreError::Database(_))
    ));
}
