//! Issue 13, mutated witnesses inside the EE: for a sample of valid BlockchainTests blocks, the
//! block-data blob is mutated one change at a time (a trie node removed or altered, a code removed
//! or altered, a header or a header field altered, the chain config altered, something added) and
//! the EE Wasm module must give each its own verdict, in every engine of the build (wasmi, and
//! wasmtime with the `wasmtime` feature): a rejection of the expected kind with the expected
//! reason, never an acceptance, never a host error; except for the two kinds of mutation below
//! that must be accepted. Fixtures come from `ETHTESTS_DIR` (set by `scripts/test.sh`); without it
//! the test fails and says so, as `tests/cli.rs` does, because a skipped soundness test would
//! pass silently.
//!
//! Each mutation states the verdict it must get: for a rejection, the kind the EE prints first
//! (`RejectionKind::of_reason`) and a piece of the message naming what was broken (the hash of
//! the removed node, the code hash, the header field with both values, the pre-state the mutated
//! config commits to). The EE's whole reason must also equal the one `validate_block_data` gives
//! natively on the same bytes, so the reason crosses the Wasm boundary unchanged.
//!
//! What the expectations follow from (see `witness/src/pool.rs` and `stateless/src/validate.rs`):
//! - Witness nodes are found by the hash their parent names, so a node with one byte flipped or
//!   appended hashes elsewhere: nobody refers to it, and the original node is missing. Removing
//!   and altering a node are both a witness gap naming the original node's hash: the EE cannot
//!   tell a forged node from a missing one, and it must not call the block invalid for it.
//! - Codes are found by their hash in the same way: a removed or altered code is a witness gap
//!   naming the code hash.
//! - An extra node, code or key preimage (well-formed or junk, or a real node of the pre-state
//!   the block does not need) is ignored by design: the pool keeps nodes by hash and only nodes
//!   reached from the committed root are read, so the result cannot depend on the rest. Such
//!   blobs must be accepted with the unmutated block's post-state: rejecting them would reject
//!   honest but generous witnesses (geth's and reth's `debug_executionWitness` carry more than
//!   the minimum). An extra header that is no ancestor is ignored in the same way.
//! - The parent header is found by the block's `parent_hash`: an altered parent header (a field
//!   changed, so another state root claimed) is a missing parent, a witness gap; one that no
//!   longer decodes is an invalid witness. An older ancestor removed or altered cuts the chain of
//!   headers there: BLOCKHASH lacks a hash, a witness gap.
//! - The block's own header is checked by the block rules: each altered field is an invalid
//!   block with that field's rule, with two exceptions. `parent_hash` names another head than
//!   the pre-state's, a pre-state mismatch (the commitment is checked before the parent header is
//!   looked for, so the witness cannot turn it into a witness gap). prevRandao is checked by
//!   nothing the EE holds: another one makes another valid block, which must be accepted with
//!   that block's post-state.
//! - The chain config and the parent's total difficulty are committed to by the pre-state: any
//!   change is a pre-state mismatch, whatever rule it would change.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Instant;

use chain::{EeInput, ImportContext, NodeReader, execute_native};
use evm_core::block::{Block, Header};
use evm_core::state::account_rlp;
use evm_ee_host::{Engine, Limits, Runtime};
use primitive_types::{H256, U256};
use rayon::prelude::*;
use stateless::{BlockDataBlob, EeError, ForkActivation, RejectionKind, ee_state};
use witness::{Node, NodeRef, keccak256, trie_nodes};

fn fixtures() -> PathBuf {
    let dir = std::env::var_os("ETHTESTS_DIR").unwrap_or_else(|| {
        panic!(
            "ETHTESTS_DIR is not set: run scripts/test.sh (it unpacks ../shared/ethtests), or set \
             ETHTESTS_DIR to a folder holding ethereum-tests/ and legacy-tests/"
        )
    });
    PathBuf::from(dir)
}

/// The sample: fixture files under `BlockchainTests/ValidBlocks` (the first test of each) and
/// which of their blocks, by number. Together they have contract code and storage (every Cancun
/// block also writes the beacon-roots contract's storage), self-destructs, BLOCKHASH over
/// ancestors, withdrawals, EIP-1559 fees and all transaction types.
const SAMPLE: &[(&str, &[u64])] = &[
    ("bcValidBlockTest/SimpleTx.json", &[1]),
    ("bcStateTests/suicideStorageCheck.json", &[1]),
    ("bcStateTests/blockhashTests.json", &[5]),
    ("bcWalletTest/wallet2outOf3txs.json", &[2]),
    ("bcExample/shanghaiExample.json", &[1]),
    ("bcEIP1559/burnVerify.json", &[4]),
    ("bcStateTests/extCodeHashOfDeletedAccount.json", &[1]),
    (
        "bcEIP4844-blobtransactions/blockWithAllTransactionTypes.json",
        &[1],
    ),
    ("bcStateTests/refundReset.json", &[2]),
    ("bcStateTests/simpleSuicide.json", &[2]),
    ("bcValidBlockTest/RecallSuicidedContract.json", &[3]),
    ("bcStateTests/BLOCKHASH_Bounds.json", &[1]),
    ("bcEIP3675/tipInsideBlock.json", &[2]),
    (
        "bcStateTests/create2collisionwithSelfdestructSameBlock.json",
        &[1],
    ),
    ("bcStateTests/selfdestructBalance.json", &[1]),
    ("bcValidBlockTest/eip2930.json", &[1]),
    ("bcStateTests/extcodehashEmptySuicide.json", &[2]),
    (
        "bcEIP1153-transientStorage/tloadDoesNotPersistAcrossBlocks.json",
        &[2],
    ),
];

/// Trie nodes mutated per block besides the account trie's root node, spread evenly over the
/// witness's nodes (in hash order, so over account and storage tries alike). The sample's
/// witnesses have at most 20, so every node is mutated; the cap keeps a bigger block added later
/// within the time budget. Every code and every header is mutated.
const NODES_PER_BLOCK: usize = 24;

/// The mutation classes the sample must cover.
const CLASSES: &[&str] = &[
    "node removed",
    "node byte flipped",
    "node byte appended",
    "all nodes removed",
    "node added (unrelated)",
    "node added (junk)",
    "node added (pre-state, unneeded)",
    "code removed",
    "code byte flipped",
    "code byte appended",
    "code added",
    "key added",
    "parent header removed",
    "parent header state root altered",
    "parent header byte appended",
    "ancestor header removed",
    "ancestor header altered",
    "header added",
    "block header field",
    "block header prevRandao (another valid block)",
    "block byte appended",
    "chain config",
];

/// A valid block as the EE gets it, and a node of the parent's state the witness does not hold
/// (real but not needed).
struct SampleBlock {
    label: String,
    pre_state: [u8; 32],
    blob: BlockDataBlob,
    post_state: [u8; 32],
    spare_node: Option<Vec<u8>>,
}

/// What a mutated blob must get.
#[derive(Clone, Debug)]
enum Expected {
    /// Rejected with this kind and a message containing the text.
    Rejected(RejectionKind, String),
    /// Ignored by design: accepted with the unmutated block's post-state.
    Ignored,
    /// A different valid block: accepted with this post-state (that block's).
    AcceptedAs([u8; 32]),
}

struct Mutation {
    /// The mutation class (the key of the summary) and what exactly changed.
    class: &'static str,
    detail: String,
    blob: Vec<u8>,
    expected: Expected,
}

/// Runs the sample's tests natively (they must pass) and keeps the EE input of the chosen blocks.
fn sample_blocks() -> Vec<SampleBlock> {
    let root = fixtures().join("ethereum-tests/BlockchainTests/ValidBlocks");
    let mut out = Vec::new();
    for (file, numbers) in SAMPLE {
        let path = root.join(file);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let tests: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        let (name, test) = tests.iter().next().expect("a fixture file holds a test");
        let found = RefCell::new(Vec::new());
        let run = ethtests::blockchain::run_test_with(test, |context: ImportContext<'_>| {
            let number = context.block.header.number;
            let keep = numbers
                .contains(&number)
                .then(|| (EeInput::for_import(&context), context.block.header.hash()));
            let keep = keep.map(|(input, hash)| {
                let input = input.unwrap_or_else(|e| panic!("{name} block {number}: {e}"));
                let blob = BlockDataBlob::decode(&input.blob)
                    .unwrap_or_else(|e| panic!("{name} block {number}: {e}"));
                let spare_node = spare_node(&blob, context.nodes);
                (input, hash, blob, spare_node)
            });
            let result = execute_native(context, false);
            if let Some((input, hash, blob, spare_node)) = keep {
                found.borrow_mut().push(SampleBlock {
                    label: format!("{name} block {number} ({hash:?})"),
                    pre_state: input.pre_state,
                    blob,
                    post_state: input.post_state,
                    spare_node,
                });
            }
            result
        });
        assert_eq!(
            run.outcome,
            ethtests::Outcome::Passed,
            "{name}: {:?}",
            run.log
        );
        let found = found.into_inner();
        assert_eq!(found.len(), numbers.len(), "{name}: blocks {numbers:?}");
        out.extend(found);
    }
    out
}

fn rejected(kind: RejectionKind, needle: impl Into<String>) -> Expected {
    Expected::Rejected(kind, needle.into())
}

/// The pre-state mismatch `blob` must get: the pre-state the host holds against the one the
/// blob's (mutated) parent, chain config and total difficulty commit to.
fn pre_state_mismatch(block: &SampleBlock, blob: &BlockDataBlob, parent_hash: H256) -> Expected {
    let committed = ee_state(
        parent_hash,
        blob.chain_config.hash(),
        U256::from_big_endian(&blob.parent_total_difficulty),
    );
    let error = EeError::PreStateMismatch {
        got: H256(block.pre_state),
        expected: H256(committed),
    };
    rejected(RejectionKind::PreStateMismatch, error.to_string())
}

/// A node of the parent's state that `blob`'s witness does not hold: a child, named by hash,
/// of one of the witness's branch nodes, read from the store.
fn spare_node(blob: &BlockDataBlob, store: &dyn NodeReader) -> Option<Vec<u8>> {
    let have: BTreeSet<H256> = blob.witness.state.iter().map(|n| keccak256(n)).collect();
    blob.witness
        .state
        .iter()
        .filter_map(|node| match Node::decode(node) {
            Ok(Node::Branch { children, .. }) => Some(children),
            _ => None,
        })
        .flat_map(|children| children.into_iter().flatten())
        .filter_map(|child| match child {
            NodeRef::Hash(hash) if !have.contains(&hash) => store.trie_node(&hash).ok().flatten(),
            _ => None,
        })
        .next()
}

/// `count` indexes spread evenly over `0..len`, first and last included.
fn spread(len: usize, count: usize) -> BTreeSet<usize> {
    if len <= count {
        return (0..len).collect();
    }
    (0..count)
        .map(|i| i * (len - 1) / (count - 1).max(1))
        .collect()
}

fn flip_middle_byte(bytes: &mut [u8]) {
    let middle = bytes.len() / 2;
    if let Some(byte) = bytes.get_mut(middle) {
        *byte ^= 0x01;
    }
}

/// Every mutation of `block`'s blob, each with the verdict it must get.
fn mutations(block: &SampleBlock) -> Vec<Mutation> {
    let mut out = Vec::new();
    let base = &block.blob;
    let mut push = |class: &'static str, detail: String, blob: BlockDataBlob, expected| {
        out.push(Mutation {
            class,
            detail,
            blob: blob.encode(),
            expected,
        });
    };
    let decoded = Block::decode(&base.block).expect("the sample block decodes");
    assert_eq!(
        decoded.encode(),
        base.block,
        "{}: re-encoding the block is exact, so a changed field is the only change",
        block.label
    );
    let parent_hash = decoded.header.parent_hash;
    let (parent_index, parent) = base
        .witness
        .headers
        .iter()
        .enumerate()
        .find_map(|(i, bytes)| {
            let header = Header::decode(bytes).ok()?;
            (header.hash() == parent_hash).then_some((i, header))
        })
        .expect("the witness holds the parent header");

    // Trie nodes: removed, one byte flipped, one byte appended. Each is the original node
    // missing (the altered bytes hash elsewhere), so a witness gap naming its hash.
    let state_root_node = base
        .witness
        .state
        .iter()
        .position(|node| keccak256(node) == parent.state_root)
        .expect("the witness holds the parent's state root node");
    let mut chosen = spread(base.witness.state.len(), NODES_PER_BLOCK);
    chosen.insert(state_root_node);
    for index in chosen {
        let node = &base.witness.state[index];
        let hash = keccak256(node);
        let gap = || rejected(RejectionKind::WitnessGap, format!("{hash:#x}"));
        let mut blob = base.clone();
        blob.witness.state.remove(index);
        push("node removed", format!("node {hash:?}"), blob, gap());
        let mut blob = base.clone();
        flip_middle_byte(&mut blob.witness.state[index]);
        push("node byte flipped", format!("node {hash:?}"), blob, gap());
        let mut blob = base.clone();
        blob.witness.state[index].push(0x80);
        push("node byte appended", format!("node {hash:?}"), blob, gap());
    }

    let mut blob = base.clone();
    blob.witness.state.clear();
    push(
        "all nodes removed",
        String::new(),
        blob,
        rejected(
            RejectionKind::WitnessGap,
            format!(
                "witness lacks trie node {:#x} at path 0x (the root)",
                parent.state_root
            ),
        ),
    );

    // Extra nodes: ignored (see the module docs), so accepted with the same post-state.
    let (_, unrelated) = trie_nodes([(
        keccak256(b"an account no block touches").0,
        account_rlp(
            1,
            U256::from(1_000_000u64),
            witness::EMPTY_ROOT,
            H256::zero(),
        ),
    )]);
    let mut blob = base.clone();
    blob.witness.state.extend(unrelated);
    push(
        "node added (unrelated)",
        "a leaf of another trie".into(),
        blob,
        Expected::Ignored,
    );
    let mut blob = base.clone();
    blob.witness.state.push(b"not a trie node".to_vec());
    push(
        "node added (junk)",
        "bytes that are no node".into(),
        blob,
        Expected::Ignored,
    );
    if let Some(node) = block.spare_node.clone() {
        let mut blob = base.clone();
        let hash = keccak256(&node);
        blob.witness.state.push(node);
        push(
            "node added (pre-state, unneeded)",
            format!("node {hash:?}"),
            blob,
            Expected::Ignored,
        );
    }

    // Codes: removed, one byte flipped, one byte appended: the code with the account's hash is
    // missing.
    for (index, code) in base.witness.codes.iter().enumerate() {
        let hash = keccak256(code);
        let gap = || rejected(RejectionKind::WitnessGap, format!("(code hash {hash:?})"));
        let mut blob = base.clone();
        blob.witness.codes.remove(index);
        push("code removed", format!("code {hash:?}"), blob, gap());
        let mut blob = base.clone();
        flip_middle_byte(&mut blob.witness.codes[index]);
        push("code byte flipped", format!("code {hash:?}"), blob, gap());
        let mut blob = base.clone();
        blob.witness.codes[index].push(0x00);
        push("code byte appended", format!("code {hash:?}"), blob, gap());
    }
    let mut blob = base.clone();
    blob.witness.codes.push(vec![0x60, 0x00, 0x60, 0x00, 0xfd]);
    push(
        "code added",
        "PUSH1 0 PUSH1 0 REVERT".into(),
        blob,
        Expected::Ignored,
    );

    // Key preimages are never read by validation (the tries are keyed by hashes).
    let mut blob = base.clone();
    blob.witness.keys.push(b"not a key".to_vec());
    push(
        "key added",
        "9 bytes that are no address or slot".into(),
        blob,
        Expected::Ignored,
    );

    // Witness headers. The parent: removed, or a field changed (it then claims another state
    // root and no longer has the hash the block names), is a missing parent; a byte appended no
    // longer decodes.
    let missing_parent = || {
        rejected(
            RejectionKind::WitnessGap,
            format!("witness lacks the parent header {parent_hash:?}"),
        )
    };
    let mut blob = base.clone();
    blob.witness.headers.remove(parent_index);
    push(
        "parent header removed",
        String::new(),
        blob,
        missing_parent(),
    );
    let mut blob = base.clone();
    let mut forged = parent.clone();
    forged.state_root = keccak256(b"another pre-state");
    blob.witness.headers[parent_index] = forged.encode();
    push(
        "parent header state root altered",
        String::new(),
        blob,
        missing_parent(),
    );
    let mut blob = base.clone();
    blob.witness.headers[parent_index].push(0x80);
    push(
        "parent header byte appended",
        String::new(),
        blob,
        rejected(
            RejectionKind::InvalidWitness,
            format!("witness header {parent_index}: malformed block: header list"),
        ),
    );
    // Older ancestors are there for BLOCKHASH: without one, the chain of headers stops there.
    for (index, bytes) in base.witness.headers.iter().enumerate() {
        if index == parent_index {
            continue;
        }
        let ancestor = Header::decode(bytes).expect("the witness's headers decode");
        let gap = || {
            rejected(
                RejectionKind::WitnessGap,
                "witness lacks the hash of block ",
            )
        };
        let mut blob = base.clone();
        blob.witness.headers.remove(index);
        let detail = format!("block {}", ancestor.number);
        push("ancestor header removed", detail.clone(), blob, gap());
        // Another header in its place: its child no longer names it, so the chain stops there.
        let mut blob = base.clone();
        let mut forged = ancestor.clone();
        forged.gas_used ^= 1;
        blob.witness.headers[index] = forged.encode();
        push("ancestor header altered", detail, blob, gap());
    }
    let mut blob = base.clone();
    blob.witness.headers.push(decoded.header.encode());
    push(
        "header added",
        "the block's own header".into(),
        blob,
        Expected::Ignored,
    );

    // The block's own header: each field against its rule.
    let header = &decoded.header;
    let invalid = |needle: String| rejected(RejectionKind::InvalidBlock, needle);
    let mut fields: Vec<(&'static str, Header, Expected)> = Vec::new();
    let mut changed = header.clone();
    changed.state_root = keccak256(b"another post-state");
    fields.push((
        "state root",
        changed.clone(),
        invalid(format!(
            "state root {:?} != header {:?}",
            header.state_root, changed.state_root
        )),
    ));
    let mut changed = header.clone();
    changed.gas_used = if header.gas_used < header.gas_limit {
        header.gas_used + 1
    } else {
        header.gas_used - 1
    };
    fields.push((
        "gas used",
        changed.clone(),
        invalid(format!(
            "gas used {} != header {}",
            header.gas_used, changed.gas_used
        )),
    ));
    let mut changed = header.clone();
    changed.receipts_root = keccak256(b"other receipts");
    fields.push((
        "receipts root",
        changed.clone(),
        invalid(format!(
            "receipts root {:?} != header {:?}",
            header.receipts_root, changed.receipts_root
        )),
    ));
    let mut changed = header.clone();
    changed.transactions_root = keccak256(b"other transactions");
    fields.push((
        "transactions root",
        changed.clone(),
        invalid(format!(
            "transactions root {:?} != header {:?}",
            header.transactions_root, changed.transactions_root
        )),
    ));
    let mut changed = header.clone();
    changed.logs_bloom.0[0] ^= 0x80;
    fields.push((
        "logs bloom",
        changed,
        invalid("logs bloom of the receipts differs from the header's".into()),
    ));
    let mut changed = header.clone();
    changed.number += 1;
    fields.push((
        "number",
        changed.clone(),
        invalid(format!(
            "block number {} != parent number + 1 = {}",
            changed.number, header.number
        )),
    ));
    let mut changed = header.clone();
    changed.timestamp = parent.timestamp;
    fields.push((
        "timestamp",
        changed,
        invalid(format!(
            "timestamp {0} is not after the parent's {0}",
            parent.timestamp
        )),
    ));
    let mut changed = header.clone();
    changed.gas_limit = parent.gas_limit.saturating_mul(4);
    fields.push((
        "gas limit",
        changed.clone(),
        invalid(format!("gas limit {} outside [", changed.gas_limit)),
    ));
    let mut changed = header.clone();
    changed.extra_data = vec![0x42; 33];
    fields.push((
        "extra data",
        changed,
        invalid("extra data of 33 bytes exceeds 32".into()),
    ));
    let mut changed = header.clone();
    changed.difficulty = header.difficulty + 1;
    fields.push((
        "difficulty",
        changed.clone(),
        invalid(format!(
            "difficulty {} != expected {}",
            changed.difficulty, header.difficulty
        )),
    ));
    if let Some(base_fee) = header.base_fee_per_gas {
        let mut changed = header.clone();
        changed.base_fee_per_gas = Some(base_fee + 1);
        fields.push((
            "base fee",
            changed,
            invalid(format!(
                "base fee {:?} != expected {:?}",
                Some(base_fee + 1),
                Some(base_fee)
            )),
        ));
    }
    // Only the rule's name and the forged value: the post-merge header rule in evm-core
    // (`validate_header`, "ommers hash must be empty") fills `got` with the header's value and
    // `expected` with the empty hash, the other way round from `OmmersHashMismatch`'s docs and
    // from the body rule, so its message reads "ommers hash <forged> != header <empty>".
    let mut changed = header.clone();
    changed.ommers_hash = keccak256(b"other ommers");
    fields.push((
        "ommers hash",
        changed.clone(),
        invalid(format!("ommers hash {:?} != header ", changed.ommers_hash)),
    ));
    if header.difficulty.is_zero() {
        let mut changed = header.clone();
        changed.nonce = [0, 0, 0, 0, 0, 0, 0, 1];
        fields.push((
            "nonce",
            changed.clone(),
            invalid(format!(
                "nonce {:?} must be zero after the merge",
                changed.nonce
            )),
        ));
    }
    if let Some(root) = header.withdrawals_root {
        let mut changed = header.clone();
        changed.withdrawals_root = Some(keccak256(b"other withdrawals"));
        fields.push((
            "withdrawals root",
            changed.clone(),
            invalid(format!(
                "withdrawals root {root:?} != header {:?}",
                keccak256(b"other withdrawals")
            )),
        ));
    }
    if let Some(excess) = header.excess_blob_gas {
        let mut changed = header.clone();
        changed.excess_blob_gas = Some(excess + 1);
        fields.push((
            "excess blob gas",
            changed,
            invalid(format!(
                "excess blob gas {} != expected {excess}",
                excess + 1
            )),
        ));
    }
    if let Some(used) = header.blob_gas_used {
        // Not a multiple of the gas per blob.
        let mut changed = header.clone();
        changed.blob_gas_used = Some(used + 1);
        fields.push((
            "blob gas used",
            changed,
            invalid(format!("blob gas used {} is above ", used + 1)),
        ));
    }
    if header.parent_beacon_block_root.is_some() {
        // EIP-4788 stores it in the beacon-roots contract, so the post-state differs.
        let mut changed = header.clone();
        changed.parent_beacon_block_root = Some(keccak256(b"another beacon block"));
        fields.push((
            "parent beacon block root",
            changed,
            invalid(format!("!= header {:?}", header.state_root)),
        ));
    }
    // Another parent is another head than the one the pre-state commits to.
    let mut changed = header.clone();
    changed.parent_hash = keccak256(b"another parent");
    fields.push((
        "parent hash",
        changed.clone(),
        pre_state_mismatch(block, base, changed.parent_hash),
    ));
    // prevRandao (the mix hash field) comes from the beacon chain and nothing in the EE's input
    // checks it: a block with another one is another valid block, as long as no transaction
    // reads it (none in the sample does; one that did would change the state root). The EE must
    // then commit to that block, not to the original.
    let mut changed = header.clone();
    changed.mix_hash = keccak256(b"another prevRandao");
    let td = U256::from_big_endian(&base.parent_total_difficulty) + changed.difficulty;
    let other_block = ee_state(changed.hash(), base.chain_config.hash(), td);
    fields.push((
        "prevRandao (another valid block)",
        changed,
        Expected::AcceptedAs(other_block),
    ));
    for (field, changed, expected) in fields {
        let mut blob = base.clone();
        let mut block = decoded.clone();
        block.header = changed;
        blob.block = block.encode();
        let class = match expected {
            Expected::AcceptedAs(_) => "block header prevRandao (another valid block)",
            _ => "block header field",
        };
        push(class, field.into(), blob, expected);
    }
    let mut blob = base.clone();
    blob.block.push(0x80);
    push(
        "block byte appended",
        String::new(),
        blob,
        rejected(RejectionKind::MalformedInput, "block: malformed block: "),
    );

    // The chain config and the parent's total difficulty: committed to by the pre-state.
    let mut configs = Vec::new();
    let mut blob = base.clone();
    blob.chain_config.chain_id += 1;
    configs.push(("chain id + 1", blob));
    let mut blob = base.clone();
    if let Some((_, activation)) = blob.chain_config.forks.last_mut() {
        // The last activation moved one later keeps the list in order.
        *activation = match *activation {
            ForkActivation::Block(n) => ForkActivation::Block(n + 1),
            ForkActivation::Timestamp(t) => ForkActivation::Timestamp(t + 1),
            ForkActivation::TotalDifficulty(td) => {
                let mut bytes = [0u8; 32];
                (U256::from_big_endian(&td) + 1).to_big_endian(&mut bytes);
                ForkActivation::TotalDifficulty(bytes)
            }
        };
    }
    configs.push(("last fork activation moved", blob));
    let mut blob = base.clone();
    blob.chain_config.forks.pop();
    configs.push(("last fork dropped", blob));
    let mut blob = base.clone();
    blob.chain_config.deposit_contract = Some([0x42; 20]);
    configs.push(("deposit contract set", blob));
    let mut blob = base.clone();
    blob.chain_config.dao_fork_block = Some(header.number);
    configs.push(("DAO fork block set", blob));
    let mut blob = base.clone();
    let td = U256::from_big_endian(&blob.parent_total_difficulty) + 1;
    td.to_big_endian(&mut blob.parent_total_difficulty);
    configs.push(("parent total difficulty + 1", blob));
    for (detail, blob) in configs {
        blob.chain_config
            .check()
            .unwrap_or_else(|e| panic!("{detail}: the mutated config must decode: {e}"));
        let expected = pre_state_mismatch(block, &blob, parent_hash);
        push("chain config", detail.into(), blob, expected);
    }
    out
}

/// Checks one engine's verdict on one mutation against the expectation and the native verdict.
fn check(runtime: &Runtime, block: &SampleBlock, mutation: &Mutation) -> Result<(), String> {
    let native = stateless::validate_block_data(block.pre_state, &mutation.blob);
    let result = runtime
        .execute(block.pre_state, &mutation.blob)
        .map_err(|e| format!("host error: {e}"))?;
    match &mutation.expected {
        Expected::Ignored | Expected::AcceptedAs(_) => {
            let post_state = match mutation.expected {
                Expected::AcceptedAs(post_state) => post_state,
                _ => block.post_state,
            };
            if !result.accepted() || result.post_state != Some(post_state) {
                return Err(format!(
                    "expected acceptance with post-state {}, got {:?} / {:?}",
                    hex::encode(post_state),
                    result.post_state.map(hex::encode),
                    result.trap
                ));
            }
            match native {
                Ok(validated) if validated.post_state == post_state => Ok(()),
                other => Err(format!("native disagrees: {other:?}")),
            }
        }
        Expected::Rejected(kind, needle) => {
            if result.accepted() {
                return Err("accepted".into());
            }
            let reason = result
                .reason
                .as_deref()
                .ok_or_else(|| format!("rejected without a reason: {:?}", result.trap))?;
            let (got_kind, message) = RejectionKind::of_reason(reason);
            if got_kind != *kind || !message.contains(needle.as_str()) {
                return Err(format!(
                    "expected [{}] containing {needle:?}, got {reason:?}",
                    kind.code()
                ));
            }
            match native {
                Err(error) if error.reason() == reason => Ok(()),
                other => Err(format!(
                    "the EE's reason {reason:?} differs from native {:?}",
                    other.map_err(|e| e.reason())
                )),
            }
        }
    }
}

#[test]
fn every_mutation_of_a_valid_blob_is_rejected_with_its_reason_in_every_engine() {
    let blocks = sample_blocks();
    let cases: Vec<(&SampleBlock, Mutation)> = blocks
        .iter()
        .flat_map(|block| mutations(block).into_iter().map(move |m| (block, m)))
        .collect();
    for block in &blocks {
        let w = &block.blob.witness;
        eprintln!(
            "{}: {} nodes, {} codes, {} headers",
            block.label,
            w.state.len(),
            w.codes.len(),
            w.headers.len()
        );
    }
    // Every mutation class must occur in the sample, or a class would pass without being run.
    let classes: BTreeSet<&str> = cases.iter().map(|(_, m)| m.class).collect();
    let missing: Vec<&&str> = CLASSES.iter().filter(|c| !classes.contains(**c)).collect();
    assert!(
        missing.is_empty(),
        "no mutation of class {missing:?} in the sample"
    );
    let engines = Engine::ALL;
    // The CI run with `--features evm-ee-cli/wasmtime` must cover wasmtime, not just build it.
    assert_eq!(
        engines.len(),
        if cfg!(feature = "wasmtime") { 2 } else { 1 }
    );
    let mut failures = Vec::new();
    for &engine in engines {
        let started = Instant::now();
        let runtime = Runtime::new(engine, ee_module::EE_WASM, Limits::default())
            .unwrap_or_else(|e| panic!("{engine}: the EE loads: {e}"));
        // The unmutated blobs first: a test of rejections means nothing if these fail too.
        for block in &blocks {
            let result = runtime
                .execute(block.pre_state, &block.blob.encode())
                .unwrap_or_else(|e| panic!("{engine} {}: {e}", block.label));
            assert_eq!(
                result.post_state,
                Some(block.post_state),
                "{engine} {}: the unmutated blob is accepted: {:?}",
                block.label,
                result.trap
            );
        }
        let results: Vec<(&str, Result<(), String>)> = cases
            .par_iter()
            .map(|(block, mutation)| {
                let verdict = check(&runtime, block, mutation).map_err(|e| {
                    format!(
                        "{engine} {}: {} {}: {e}",
                        block.label, mutation.class, mutation.detail
                    )
                });
                (mutation.class, verdict)
            })
            .collect();
        let mut per_class: std::collections::BTreeMap<&str, usize> = Default::default();
        for (class, verdict) in results {
            *per_class.entry(class).or_default() += 1;
            if let Err(e) = verdict {
                failures.push(e);
            }
        }
        eprintln!(
            "{engine}: {} blocks, {} mutations in {:.1?}: {per_class:?}",
            blocks.len(),
            cases.len(),
            started.elapsed()
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {} checks failed:\n{}",
        failures.len(),
        cases.len() * engines.len(),
        failures.join("\n")
    );
}
