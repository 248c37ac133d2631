//! evm-core executing representative transactions natively, reported as time per transaction and
//! gas per second (criterion's "elem/s" here is gas/s): a plain transfer, a contract creation, and
//! loops dominated by 256-bit arithmetic, KECCAK256 and storage.

use std::collections::BTreeMap;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use evm_core::precompiles::NativePrecompiles;
use evm_core::state::InMemoryAccount;
use evm_core::tx::{GasPrice, TxEnv, TxKind, TxType};
use evm_core::{BlockEnv, BlockGasLeft, InMemoryState, SpecId, transact};
use primitive_types::{H160, U256};

const SENDER: H160 = H160([0xaa; 20]);
const CONTRACT: H160 = H160([0xcc; 20]);

/// `for c in (1..=iterations).rev() { body }` with the counter on the stack top during `body`.
fn counted_loop(iterations: u16, body: &[u8]) -> Vec<u8> {
    let [hi, lo] = iterations.to_be_bytes();
    let mut code = vec![0x61, hi, lo, 0x5b];
    code.extend_from_slice(body);
    // counter - 1; loop while non-zero.
    code.extend_from_slice(&[0x60, 0x01, 0x90, 0x03, 0x80, 0x60, 0x03, 0x57, 0x00]);
    code
}

fn state_with(code: Vec<u8>) -> InMemoryState {
    let mut accounts = BTreeMap::new();
    accounts.insert(
        SENDER,
        InMemoryAccount {
            balance: U256::from(10u64).pow(U256::from(24)),
            ..Default::default()
        },
    );
    accounts.insert(
        CONTRACT,
        InMemoryAccount {
            code,
            ..Default::default()
        },
    );
    InMemoryState::new(accounts)
}

fn block() -> BlockEnv {
    BlockEnv {
        number: 1,
        coinbase: H160([0xbb; 20]),
        timestamp: 1000,
        difficulty: U256::zero(),
        prevrandao: Some(Default::default()),
        gas_limit: 30_000_000,
        base_fee: U256::from(7),
        excess_blob_gas: Some(0),
        chain_id: 1,
    }
}

fn tx(kind: TxKind, data: Vec<u8>, value: u64) -> TxEnv {
    TxEnv {
        tx_type: TxType::DynamicFee,
        caller: SENDER,
        nonce: 0,
        gas_limit: 30_000_000,
        gas_price: GasPrice::FeeMarket {
            max_fee: U256::from(10),
            max_priority_fee: U256::from(1),
        },
        kind,
        value: U256::from(value),
        data,
        access_list: Vec::new(),
        max_fee_per_blob_gas: U256::zero(),
        blob_versioned_hashes: Vec::new(),
    }
}

fn bench_transactions(c: &mut Criterion) {
    let arithmetic = counted_loop(
        2000,
        &[0x80, 0x80, 0x02, 0x81, 0x81, 0x01, 0x82, 0x09, 0x50],
    );
    let keccak = counted_loop(
        2000,
        &[0x80, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0x20, 0x50],
    );
    // 1000 fresh slots: about 22 Mgas, under the block gas limit.
    let storage = counted_loop(1000, &[0x80, 0x80, 0x55, 0x80, 0x54, 0x50]);
    let mut init_code = vec![
        0x61, 0x04, 0x00, 0x80, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, 0x00, 0xf3,
    ];
    init_code.extend(std::iter::repeat_n(0x5b, 1024));

    let cases: Vec<(&str, InMemoryState, TxEnv)> = vec![
        (
            "transfer",
            state_with(Vec::new()),
            tx(TxKind::Call(H160([0x11; 20])), Vec::new(), 1),
        ),
        (
            "create 1 KiB contract",
            state_with(Vec::new()),
            tx(TxKind::Create, init_code, 0),
        ),
        (
            "arithmetic loop",
            state_with(arithmetic),
            tx(TxKind::Call(CONTRACT), Vec::new(), 0),
        ),
        (
            "keccak256 loop",
            state_with(keccak),
            tx(TxKind::Call(CONTRACT), Vec::new(), 0),
        ),
        (
            "sstore/sload loop",
            state_with(storage),
            tx(TxKind::Call(CONTRACT), Vec::new(), 0),
        ),
    ];

    let env = block();
    let mut group = c.benchmark_group("evm-core transact (Cancun, native)");
    for (name, state, tx) in cases {
        let mut probe = state.clone();
        let outcome = transact(
            &mut probe,
            &env,
            SpecId::Cancun,
            &NativePrecompiles,
            &tx,
            BlockGasLeft::whole_block(&env),
        )
        .expect("benchmark transaction is valid");
        assert!(outcome.success, "{name} must succeed");
        eprintln!("{name}: {} gas", outcome.gas_used);
        group.throughput(Throughput::Elements(outcome.gas_used));
        group.bench_function(name, |b| {
            b.iter_batched(
                || state.clone(),
                |mut state| {
                    transact(
                        &mut state,
                        &env,
                        SpecId::Cancun,
                        &NativePrecompiles,
                        &tx,
                        BlockGasLeft::whole_block(&env),
                    )
                },
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, bench_transactions);
criterion_main!(benches);
