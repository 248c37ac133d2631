//! The node end to end over its library API with a tiny WAT EE: deployments, transactions,
//! slots, persistence across reopening, import by a second node, cross-engine disagreement and
//! every refusal.

use evm_ee_host::{Engine, HostError, Limits, ShardBlockResult};
use node::{
    Bytes, DeployError, EeLoader, EeRun, GenesisEe, HostLoader, Node, NodeConfig, Outcome,
    SubmitError, Transaction, TxRecord,
};

/// post-state = data[0..32]; a 216-byte block also deposits data[32..216]; any other length is
/// rejected with a reason.
const EE: &str = include_str!("../../tests/ees/deposit.wat");

fn ee_code() -> Vec<u8> {
    wat::parse_str(EE).unwrap()
}

fn loader() -> Box<dyn EeLoader> {
    Box::new(HostLoader {
        engines: Engine::ALL.to_vec(),
        limits: Limits::default(),
    })
}

fn genesis() -> Vec<GenesisEe> {
    vec![GenesisEe {
        code: ee_code(),
        initial_state: [0; 32],
    }]
}

fn open(dir: &std::path::Path, config: NodeConfig) -> Node {
    Node::open(dir, config, loader(), genesis()).unwrap()
}

fn tx(shard: u32, ee: u32, data: Vec<u8>) -> Transaction {
    Transaction {
        shard,
        ee,
        data: Bytes(data),
        nonce: 0,
    }
}

#[test]
fn transactions_run_in_slots_and_everything_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let mut node = open(dir.path(), NodeConfig::default());
    assert_eq!(node.beacon_head().slot, 0);
    assert_eq!(node.ee_state(0, 0), Some(node::Bytes32([0; 32])));

    let good = node.submit(tx(1, 0, vec![0x11; 32])).unwrap();
    let bad = node.submit(tx(1, 0, vec![1, 2])).unwrap();
    let mut deposit = vec![0x22; 32];
    deposit.extend_from_slice(&[0xdd; 184]);
    node.submit(tx(2, 0, deposit)).unwrap();
    assert_eq!(node.mempool_len(), 3);
    assert_eq!(
        node.transaction_record(&good).unwrap(),
        Some(TxRecord::Pending { seq: 0 })
    );

    let slot = node.produce_slot().unwrap();
    assert_eq!(slot.beacon.slot, 1);
    assert_eq!(slot.beacon.crosslinks.len(), 4);
    assert_eq!(node.mempool_len(), 0);
    let block = &slot.shard_blocks[1];
    assert_eq!(block.transactions.len(), 2);
    assert!(block.receipts[0].accepted());
    match &block.receipts[1].outcome {
        Outcome::Rejected { reason } => assert!(reason.contains("bad block length"), "{reason}"),
        other => panic!("{other:?}"),
    }
    // The rejected transaction left the state where the first one put it.
    assert_eq!(node.ee_state(1, 0), Some(node::Bytes32([0x11; 32])));
    assert_eq!(node.ee_state(2, 0), Some(node::Bytes32([0x22; 32])));
    assert_eq!(node.ee_state(0, 0), Some(node::Bytes32([0; 32])));
    match &slot.shard_blocks[2].receipts[0].outcome {
        Outcome::Accepted { deposits, .. } => assert_eq!(deposits[0].0, vec![0xdd; 184]),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        node.transaction_record(&bad).unwrap(),
        Some(TxRecord::Included {
            shard: 1,
            number: 1,
            index: 1
        })
    );
    let totals = node.totals();
    assert_eq!(
        (totals.slots, totals.transactions, totals.accepted),
        (1, 3, 2)
    );
    assert_eq!(totals.deposits, 1);

    // Waiting work and a deployment survive a reopen, as does the head.
    let pending = node.submit(tx(3, 0, vec![0x33; 32])).unwrap();
    let ee1 = node.deploy(&ee_code(), [7; 32], &[]).unwrap();
    assert_eq!(ee1, 1);
    let head = node.beacon_head().clone();
    drop(node);
    let mut node = open(dir.path(), NodeConfig::default());
    assert_eq!(node.beacon_head(), &head);
    assert_eq!(node.ee_state(1, 0), Some(node::Bytes32([0x11; 32])));
    assert_eq!(node.mempool_len(), 1);
    assert!(node.has_work());
    assert_eq!(node.ee_state(0, 1), None, "EE 1 waits for the next slot");
    assert_eq!(
        node.submit(tx(3, 0, vec![0x33; 32]))
            .unwrap_err()
            .to_string(),
        format!("transaction {pending} is known already")
    );
    let slot = node.produce_slot().unwrap();
    assert_eq!(slot.beacon.deployments.len(), 1);
    assert_eq!(node.ee_state(0, 1), Some(node::Bytes32([7; 32])));
    assert_eq!(node.ee_state(3, 0), Some(node::Bytes32([0x33; 32])));
    // A transaction for EE 1 runs in the next slot.
    node.submit(tx(0, 1, vec![0x44; 32])).unwrap();
    node.produce_slot().unwrap();
    assert_eq!(node.ee_state(0, 1), Some(node::Bytes32([0x44; 32])));
    assert_eq!(node.shard_head(0).unwrap().number, 3);
    assert_eq!(
        node.shard_block(0, 3).unwrap().unwrap().transactions.len(),
        1
    );
}

#[test]
fn a_second_node_imports_the_slots_and_ends_on_the_same_heads() {
    let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut a = open(a_dir.path(), NodeConfig::default());
    let mut b = open(b_dir.path(), NodeConfig::default());
    a.deploy(&ee_code(), [9; 32], &[]).unwrap();
    for round in 0..3u8 {
        for shard in 0..4 {
            a.submit(tx(shard, u32::from(round % 2), vec![round + 1; 32]))
                .unwrap();
        }
        a.submit(Transaction {
            nonce: u64::from(round),
            ..tx(0, 0, vec![0xee; 5])
        })
        .unwrap();
        let blocks = a.produce_slot().unwrap();
        b.import_slot(blocks.clone()).unwrap();
        // The same slot again is refused: the head moved.
        assert!(b.import_slot(blocks).is_err());
    }
    assert_eq!(a.beacon_head(), b.beacon_head());
    for shard in 0..4 {
        assert_eq!(a.shard_head(shard), b.shard_head(shard));
        for ee in 0..2 {
            assert_eq!(a.ee_state(shard, ee), b.ee_state(shard, ee));
        }
    }
    // A block whose receipts lie is refused.
    a.submit(tx(1, 0, vec![0x55; 32])).unwrap();
    let mut forged = a.build_slot().unwrap().blocks;
    if let Outcome::Accepted { post_state, .. } = &mut forged.shard_blocks[1].receipts[0].outcome {
        post_state.0[0] ^= 1;
    }
    let error = b.import_slot(forged).unwrap_err().to_string();
    assert!(error.contains("not what its transactions do"), "{error}");
}

/// wasmi twice, the second run reporting one tick more for data starting with 0xff: a
/// stand-in for two engines that disagree.
struct Disagreeing;

struct SkewedRun(evm_ee_host::Runtime);

impl EeRun for SkewedRun {
    fn engine(&self) -> String {
        "skewed".into()
    }
    fn execute(&self, pre_state: [u8; 32], data: &[u8]) -> Result<ShardBlockResult, HostError> {
        let mut result = self.0.execute(pre_state, data)?;
        if data.first() == Some(&0xff) {
            result.ticks += 1;
        }
        Ok(result)
    }
}

impl EeLoader for Disagreeing {
    fn load(
        &self,
        code: &[u8],
        _libraries: &[evm_ee_host::Library],
    ) -> Result<Vec<Box<dyn EeRun>>, HostError> {
        let limits = Limits::default();
        Ok(vec![
            Box::new(evm_ee_host::Runtime::new(Engine::Wasmi, code, limits)?),
            Box::new(SkewedRun(evm_ee_host::Runtime::new(
                Engine::Wasmi,
                code,
                limits,
            )?)),
        ])
    }
    fn engines(&self) -> Vec<String> {
        vec!["wasmi".into(), "skewed".into()]
    }
    fn limits(&self) -> Limits {
        Limits::default()
    }
}

#[test]
fn a_transaction_the_engines_disagree_on_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let mut node = Node::open(
        dir.path(),
        NodeConfig::default(),
        Box::new(Disagreeing),
        genesis(),
    )
    .unwrap();
    let fine = node.submit(tx(0, 0, vec![0x01; 32])).unwrap();
    let split = node.submit(tx(0, 0, vec![0xff; 32])).unwrap();
    let slot = node.produce_slot().unwrap();
    assert_eq!(slot.shard_blocks[0].transactions.len(), 1);
    assert!(matches!(
        node.transaction_record(&fine).unwrap(),
        Some(TxRecord::Included { .. })
    ));
    match node.transaction_record(&split).unwrap() {
        Some(TxRecord::Dropped { reason, .. }) => {
            assert!(reason.starts_with("engines disagree"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(node.ee_state(0, 0), Some(node::Bytes32([0x01; 32])));
    assert_eq!(node.totals().dropped, 1);
    assert_eq!(node.mempool_len(), 0);
}

#[test]
fn a_block_keeps_to_its_tick_budget_and_the_rest_waits() {
    let dir = tempfile::tempdir().unwrap();
    let config = NodeConfig {
        block_ticks: 1,
        ..NodeConfig::default()
    };
    let mut node = open(dir.path(), config);
    for byte in 1..=3u8 {
        node.submit(tx(0, 0, vec![byte; 32])).unwrap();
    }
    // Each transaction is over the budget alone: one per block, in order.
    for byte in 1..=3u8 {
        let slot = node.produce_slot().unwrap();
        assert_eq!(slot.shard_blocks[0].transactions.len(), 1);
        assert_eq!(node.ee_state(0, 0), Some(node::Bytes32([byte; 32])));
    }
    assert_eq!(node.mempool_len(), 0);
}

#[test]
fn bad_requests_are_refused_with_their_reason() {
    let dir = tempfile::tempdir().unwrap();
    let config = NodeConfig {
        max_transaction_bytes: 64,
        max_mempool: 2,
        ..NodeConfig::default()
    };
    let mut node = open(dir.path(), config.clone());
    assert!(matches!(
        node.submit(tx(4, 0, vec![0; 32])),
        Err(SubmitError::NoSuchShard {
            shard: 4,
            shards: 4
        })
    ));
    assert!(matches!(
        node.submit(tx(0, 5, vec![0; 32])),
        Err(SubmitError::NoSuchEe { ee: 5, ees: 1 })
    ));
    assert!(matches!(
        node.submit(tx(0, 0, vec![0; 65])),
        Err(SubmitError::DataTooLarge { len: 65, max: 64 })
    ));
    node.submit(tx(0, 0, vec![1; 32])).unwrap();
    node.submit(tx(0, 0, vec![2; 32])).unwrap();
    assert!(matches!(
        node.submit(tx(0, 0, vec![3; 32])),
        Err(SubmitError::MempoolFull { max: 2 })
    ));
    assert!(matches!(
        node.deploy(b"not wasm", [0; 32], &[]),
        Err(DeployError::Invalid(_))
    ));
    let huge = vec![0u8; Limits::default().max_module_bytes + 1];
    assert!(matches!(
        node.deploy(&huge, [0; 32], &[]),
        Err(DeployError::TooLarge { .. })
    ));
    // An EE without `main` is refused by the host's checks.
    let no_main = wat::parse_str("(module (memory (export \"memory\") 1))").unwrap();
    assert!(matches!(
        node.deploy(&no_main, [0; 32], &[]),
        Err(DeployError::Invalid(_))
    ));
    assert_eq!(node.ees().len(), 1);
    // Reopened with another shard count, the node says so.
    drop(node);
    let other = NodeConfig {
        shards: 2,
        ..config
    };
    let error = Node::open(dir.path(), other, loader(), genesis())
        .err()
        .unwrap()
        .to_string();
    assert!(error.contains("has 4 shards, not 2"), "{error}");
    for shards in [0, node::MAX_SHARDS + 1] {
        let fresh = tempfile::tempdir().unwrap();
        let config = NodeConfig {
            shards,
            ..NodeConfig::default()
        };
        let error = Node::open(fresh.path(), config, loader(), genesis())
            .err()
            .unwrap()
            .to_string();
        assert!(error.contains("a node has 1 to 1024 shards"), "{error}");
    }
}

/// An EE that imports functions from a library (Scout's `libraries`) is deployed with it, runs
/// with it linked, reloads with it after a restart, and travels with it to an importing node;
/// without the library it is refused at deployment.
#[test]
fn an_ee_deployed_with_a_library_links_it_everywhere() {
    let user = wat::parse_str(include_str!("../../tests/ees/library_user.wat")).unwrap();
    let numbers = node::LibraryCode {
        name: "numbers".into(),
        code: Bytes(wat::parse_str(include_str!("../../tests/ees/numbers.wat")).unwrap()),
    };
    let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut a = open(a_dir.path(), NodeConfig::default());
    let mut b = open(b_dir.path(), NodeConfig::default());
    assert!(matches!(
        a.deploy(&user, [0; 32], &[]),
        Err(DeployError::Invalid(reason)) if reason.contains("numbers")
    ));
    let ee = a
        .deploy(&user, [0; 32], std::slice::from_ref(&numbers))
        .unwrap();
    a.submit(tx(2, ee, vec![])).unwrap();
    let blocks = a.produce_slot().unwrap();
    assert_eq!(
        blocks.beacon.deployments[0].libraries,
        [numbers.reference()]
    );
    b.import_slot(blocks).unwrap();
    let mut seven = [0u8; 32];
    seven[0] = 7;
    for node in [&a, &b] {
        assert_eq!(node.ee_state(2, ee).unwrap().0, seven);
    }
    drop(a);
    let mut a = open(a_dir.path(), NodeConfig::default());
    a.submit(Transaction {
        nonce: 1,
        ..tx(3, ee, vec![])
    })
    .unwrap();
    a.produce_slot().unwrap();
    assert_eq!(a.ee_state(3, ee).unwrap().0, seven);
}
