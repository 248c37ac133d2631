//! Witness generation and the witness-backed state, end to end on a small world: the generated
//! witness re-executes to the same root, and every kind of tampering is caught with its own error.

use alloc::collections::BTreeMap;
use alloc::vec;
use alloc::vec::Vec;
use primitive_types::{H160, H256, U256};
use witness::{TrieError, keccak256};

use evm_core::precompiles::NativePrecompiles;
use evm_core::state::{InMemoryAccount, InMemoryState, State};
use evm_core::tx::{GasPrice, TxEnv, TxKind, TxType};
use evm_core::{BlockEnv, BlockGasLeft, SpecId, TransactError, transact};

use crate::{GeneratedWitness, RecordingState, WitnessState, WitnessStateError, generate_witness};

const SENDER: H160 = H160([0xaa; 20]);
const CONTRACT: H160 = H160([0xcc; 20]);

/// `SSTORE(2, SLOAD(1)); SSTORE(3, 0)`: reads one slot, writes one, deletes one.
const CODE: [u8; 12] = [
    0x60, 0x01, 0x54, 0x60, 0x02, 0x55, 0x60, 0x00, 0x60, 0x03, 0x55, 0x00,
];

fn world() -> InMemoryState {
    let mut accounts = BTreeMap::new();
    accounts.insert(
        SENDER,
        InMemoryAccount {
            balance: U256::exp10(20),
            ..Default::default()
        },
    );
    let storage = (1u64..40)
        .map(|slot| (h256(slot), h256(slot * 7 + 5)))
        .collect::<BTreeMap<_, _>>();
    accounts.insert(
        CONTRACT,
        InMemoryAccount {
            code: CODE.to_vec(),
            storage,
            ..Default::default()
        },
    );
    // Filler accounts give the account trie some depth.
    for i in 0..50u8 {
        accounts.insert(
            H160([i; 20]),
            InMemoryAccount {
                balance: U256::from(i) + 1,
                ..Default::default()
            },
        );
    }
    InMemoryState::new(accounts)
}

fn h256(value: u64) -> H256 {
    H256::from_low_u64_be(value)
}

fn env() -> BlockEnv {
    BlockEnv {
        number: 1,
        coinbase: H160([0xbb; 20]),
        timestamp: 1,
        difficulty: U256::zero(),
        prevrandao: Some(H256::zero()),
        gas_limit: 10_000_000,
        base_fee: U256::from(1),
        excess_blob_gas: Some(0),
        chain_id: 1,
    }
}

fn call() -> TxEnv {
    TxEnv {
        tx_type: TxType::Legacy,
        caller: SENDER,
        nonce: 0,
        gas_limit: 200_000,
        gas_price: GasPrice::Legacy(U256::from(2)),
        kind: TxKind::Call(CONTRACT),
        value: U256::from(3),
        data: Vec::new(),
        access_list: Vec::new(),
        max_fee_per_blob_gas: U256::zero(),
        blob_versioned_hashes: Vec::new(),
    }
}

/// The generated witness and the post-state root of the native run.
fn generate() -> (GeneratedWitness, H256) {
    let pre = world();
    let mut recording = RecordingState::new(pre.clone());
    let outcome = transact(
        &mut recording,
        &env(),
        SpecId::Cancun,
        &NativePrecompiles,
        &call(),
        BlockGasLeft::whole_block(&env()),
    )
    .unwrap();
    assert!(outcome.success);
    let (post, record) = recording.finish();
    let witness = generate_witness(&pre, &record, &[outcome.changes]).unwrap();
    (witness, post.root())
}

fn run_on(
    root: H256,
    nodes: &[Vec<u8>],
    codes: &[Vec<u8>],
) -> Result<H256, TransactError<WitnessStateError>> {
    let mut state = WitnessState::new(root, nodes, codes, BTreeMap::new()).map_err(|source| {
        TransactError::State(WitnessStateError::AccountTrie {
            address: H160::zero(),
            source: alloc::boxed::Box::new(source),
        })
    })?;
    transact(
        &mut state,
        &env(),
        SpecId::Cancun,
        &NativePrecompiles,
        &call(),
        BlockGasLeft::whole_block(&env()),
    )?;
    Ok(state.state_root().unwrap_or_default())
}

#[test]
fn the_witness_alone_reproduces_the_post_state_root() {
    let (witness, post_root) = generate();
    assert_eq!(witness.pre_state_root, world().root());
    assert_eq!(
        run_on(witness.pre_state_root, &witness.nodes, &witness.codes),
        Ok(post_root)
    );
    // Far fewer nodes than the whole state has: only the touched paths.
    assert!(witness.nodes.len() < 30, "{} nodes", witness.nodes.len());
    assert_eq!(witness.codes, vec![CODE.to_vec()]);
}

#[test]
fn extra_nodes_and_codes_are_tolerated() {
    let (mut witness, post_root) = generate();
    witness.nodes.push(vec![0xc2, 0x80, 0x80]);
    witness.codes.push(vec![0x00]);
    assert_eq!(
        run_on(witness.pre_state_root, &witness.nodes, &witness.codes),
        Ok(post_root)
    );
}

#[test]
fn every_removed_node_is_reported_missing_never_read_as_absent() {
    let (witness, _) = generate();
    for removed in 0..witness.nodes.len() {
        let mut nodes = witness.nodes.clone();
        let node = nodes.remove(removed);
        let hash = keccak256(&node);
        match run_on(witness.pre_state_root, &nodes, &witness.codes) {
            Err(TransactError::State(error)) => {
                let source = match &error {
                    WitnessStateError::AccountTrie { source, .. }
                    | WitnessStateError::StorageTrie { source, .. } => source,
                    other => panic!("node {removed}: unexpected error {other}"),
                };
                match &**source {
                    TrieError::MissingNode { hash: missing, .. }
                    | TrieError::MissingSibling { hash: missing, .. } => assert_eq!(*missing, hash),
                    other => panic!("node {removed}: unexpected trie error {other}"),
                }
            }
            other => panic!("node {removed}: the witness without it was accepted: {other:?}"),
        }
    }
}

#[test]
fn an_altered_node_no_longer_matches_its_hash() {
    let (witness, _) = generate();
    let mut nodes = witness.nodes.clone();
    let last = nodes[0].len() - 1;
    nodes[0][last] ^= 0x01;
    let result = run_on(witness.pre_state_root, &nodes, &witness.codes);
    assert!(matches!(result, Err(TransactError::State(_))), "{result:?}");
}

#[test]
fn an_altered_code_is_missing_code() {
    let (witness, _) = generate();
    let codes = vec![vec![0x60, 0x00, 0x00]];
    let result = run_on(witness.pre_state_root, &witness.nodes, &codes);
    assert_eq!(
        result,
        Err(TransactError::State(WitnessStateError::MissingCode {
            address: CONTRACT,
            code_hash: keccak256(&CODE),
        }))
    );
}

#[test]
fn a_wrong_pre_state_root_proves_nothing() {
    let (witness, _) = generate();
    let wrong = keccak256(b"not the root");
    match run_on(wrong, &witness.nodes, &witness.codes) {
        Err(TransactError::State(WitnessStateError::AccountTrie { source, .. })) => {
            assert!(
                matches!(*source, TrieError::MissingNode { hash, .. } if hash == wrong),
                "{source}"
            )
        }
        other => panic!("accepted a wrong root: {other:?}"),
    }
}

#[test]
fn a_missing_block_hash_is_an_error() {
    let state = WitnessState::new(witness::EMPTY_ROOT, &[], &[], BTreeMap::new()).unwrap();

    assert_eq!(
        state.block_hash(7),
        Err(WitnessStateError::MissingBlockHash { number: 7 })
    );
}
