//! The node: its chains in memory over the database, what it accepts (deployments,
//! transactions), and slots built ([`Node::build_slot`]) apart from slots imported
//! ([`Node::import_slot`], which re-executes every transaction) and committed
//! ([`Node::commit_slot`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use redb::{Database, ReadableDatabase, ReadableTable};
use serde::{Deserialize, Serialize};

use crate::db::{self, db_error, decode, encode};
use crate::executor::{EeLoader, EeRun, run_everywhere};
use crate::types::{
    BeaconBlock, Bytes, Bytes32, Crosslink, Deployment, EeState, LibraryCode, LibraryRef, Outcome,
    Receipt, ShardBlock, ShardHeader, Transaction, hash_of, states_root,
};
use crate::{DeployError, NodeError, SubmitError};

/// What a node is made with; fixed when its database is created (a reopened node checks the
/// shard count).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeConfig {
    /// Shard chains (default 4).
    pub shards: u32,
    /// Ticks of all transactions of one shard block (default 10^11: ten transactions at the
    /// host's per-transaction budget of 10^10). A transaction that would pass it waits for the
    /// next block, unless it is the block's first.
    pub block_ticks: u64,
    /// Largest transaction data (default 8 MiB: an Eth1 block with its witness is a few hundred
    /// KB to a few MB; Scout's 16,384-byte shard block body would hold none).
    pub max_transaction_bytes: usize,
    /// Transactions per shard block at most (default 1,000).
    pub max_block_transactions: usize,
    /// Transactions waiting at most (default 100,000); a full mempool refuses new ones.
    pub max_mempool: usize,
}

impl Default for NodeConfig {
    fn default() -> NodeConfig {
        NodeConfig {
            shards: 4,
            block_ticks: 100_000_000_000,
            max_transaction_bytes: 8 << 20,
            max_block_transactions: 1_000,
            max_mempool: 100_000,
        }
    }
}

/// An EE deployed at genesis: its code and its state on every shard.
#[derive(Clone, Debug)]
pub struct GenesisEe {
    /// The wasm module.
    pub code: Vec<u8>,
    /// Its state on every shard.
    pub initial_state: [u8; 32],
}

/// An EE as the database records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct EeRecord {
    code_hash: Bytes32,
    initial_state: Bytes32,
    /// The beacon slot that deployed it; `None` while it waits for the next slot.
    deployed_slot: Option<u64>,
    /// The libraries it links.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    libraries: Vec<LibraryRef>,
}

/// Where a transaction is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum TxRecord {
    /// In the mempool at this position.
    Pending {
        /// Its place in submission order.
        seq: u64,
    },
    /// In a shard block.
    Included {
        /// The shard.
        shard: u32,
        /// The block's number.
        number: u64,
        /// Its index in the block.
        index: usize,
    },
    /// Left out for good.
    Dropped {
        /// The slot that dropped it.
        slot: u64,
        /// Why (`engines disagree: ...`).
        reason: String,
    },
}

/// An EE the node knows, with its compiled runs.
struct Ee {
    record: EeRecord,
    runs: Vec<Box<dyn EeRun>>,
}

/// A slot's blocks: what a producer proposes and an importer checks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotBlocks {
    /// The beacon block.
    pub beacon: BeaconBlock,
    /// The code of every EE it deploys, in deployment order.
    pub codes: Vec<Bytes>,
    /// The libraries of every EE it deploys, in deployment order; empty when none links any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub libraries: Vec<Vec<LibraryCode>>,
    /// One block per shard, in shard order.
    pub shard_blocks: Vec<ShardBlock>,
}

impl SlotBlocks {
    /// Each deployment with its position, its code and its libraries (none when the slot
    /// carries no libraries).
    fn deployments(&self) -> impl Iterator<Item = (usize, &Deployment, &Bytes, &[LibraryCode])> {
        self.beacon
            .deployments
            .iter()
            .zip(&self.codes)
            .enumerate()
            .map(|(offset, (deployment, code))| {
                let libraries = self.libraries.get(offset).map_or(&[][..], Vec::as_slice);
                (offset, deployment, code, libraries)
            })
    }
}

/// A built slot: its blocks, and the transactions the producer drops.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotProposal {
    /// The blocks.
    pub blocks: SlotBlocks,
    /// Transactions left out for good, with the reason (engines disagree).
    pub dropped: Vec<(Bytes32, String)>,
}

/// Running totals since the node's database was created.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Slots committed after genesis.
    pub slots: u64,
    /// Transactions included (accepted or rejected by their EE).
    pub transactions: u64,
    /// Of them, accepted.
    pub accepted: u64,
    /// Transactions dropped (engines disagree).
    pub dropped: u64,
    /// Ticks of the included transactions.
    pub ticks: u64,
    /// Deposits of the accepted transactions.
    pub deposits: u64,
}

/// A shard testnet node over a database folder.
pub struct Node {
    config: NodeConfig,
    loader: Box<dyn EeLoader>,
    db: Database,
    ees: Vec<Ee>,
    /// `[shard][ee]` for the deployed EEs.
    states: Vec<Vec<Bytes32>>,
    shard_heads: Vec<ShardHeader>,
    beacon_head: BeaconBlock,
    /// Waiting transactions by submission order, with their hashes (computed once).
    mempool: BTreeMap<u64, (Bytes32, Transaction)>,
    next_seq: u64,
    totals: Totals,
}

/// Most shards a node runs: every slot makes a block per shard, so the count bounds a slot's
/// work and the memory of the shards' heads.
pub const MAX_SHARDS: u32 = 1_024;

/// The database file inside a node's folder.
pub const DATABASE_FILE: &str = "node.redb";

const CONFIG_KEY: &str = "config";
const NEXT_SEQ_KEY: &str = "next_seq";
const TOTALS_KEY: &str = "totals";
const BEACON_HEAD_KEY: &str = "beacon_head";

impl Node {
    /// Opens the node in `dir` (created if missing). A new node writes its genesis: slot 0
    /// deploying `genesis_ees` and block 0 of every shard with their initial states. A node
    /// that exists resumes at its head with its mempool; its shard count must be `config`'s.
    pub fn open(
        dir: &Path,
        config: NodeConfig,
        loader: Box<dyn EeLoader>,
        genesis_ees: Vec<GenesisEe>,
    ) -> Result<Node, NodeError> {
        if config.shards == 0 || config.shards > MAX_SHARDS {
            return Err(NodeError::Config(format!(
                "a node has 1 to {MAX_SHARDS} shards, not {}",
                config.shards
            )));
        }
        std::fs::create_dir_all(dir)
            .map_err(|e| NodeError::Database(format!("{}: {e}", dir.display())))?;
        let db = db::open(&dir.join(DATABASE_FILE))?;
        let stored_config: Option<NodeConfig> = {
            let txn = db.begin_read().map_err(db_error)?;
            let meta = txn.open_table(db::META).map_err(db_error)?;
            match meta.get(CONFIG_KEY).map_err(db_error)? {
                Some(value) => Some(decode("config", value.value())?),
                None => None,
            }
        };
        match stored_config {
            None => {
                write_genesis(&db, &config, loader.as_ref(), &genesis_ees)?;
            }
            Some(stored) if stored.shards != config.shards => {
                return Err(NodeError::Config(format!(
                    "the node in {} has {} shards, not {}",
                    dir.display(),
                    stored.shards,
                    config.shards
                )));
            }
            Some(_) => {}
        }
        let mut node = Node {
            config,
            loader,
            db,
            ees: Vec::new(),
            states: Vec::new(),
            shard_heads: Vec::new(),
            beacon_head: BeaconBlock {
                slot: 0,
                parent_hash: Bytes32::default(),
                deployments: Vec::new(),
                crosslinks: Vec::new(),
            },
            mempool: BTreeMap::new(),
            next_seq: 0,
            totals: Totals::default(),
        };
        node.load()?;
        Ok(node)
    }

    /// Reads everything the node keeps in memory back from the database.
    fn load(&mut self) -> Result<(), NodeError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let meta = txn.open_table(db::META).map_err(db_error)?;
        let read_meta = |key: &str| -> Result<Option<Vec<u8>>, NodeError> {
            Ok(meta.get(key).map_err(db_error)?.map(|v| v.value().to_vec()))
        };
        let head_slot: u64 = match read_meta(BEACON_HEAD_KEY)? {
            Some(bytes) => decode("beacon head", &bytes)?,
            None => return Err(NodeError::Corrupt("no beacon head".into())),
        };
        self.next_seq = match read_meta(NEXT_SEQ_KEY)? {
            Some(bytes) => decode("next_seq", &bytes)?,
            None => 0,
        };
        self.totals = match read_meta(TOTALS_KEY)? {
            Some(bytes) => decode("totals", &bytes)?,
            None => Totals::default(),
        };
        let beacon = txn.open_table(db::BEACON).map_err(db_error)?;
        self.beacon_head = match beacon.get(head_slot).map_err(db_error)? {
            Some(value) => decode("beacon block", value.value())?,
            None => return Err(NodeError::Corrupt(format!("no beacon block {head_slot}"))),
        };
        let ees = txn.open_table(db::EES).map_err(db_error)?;
        let codes = txn.open_table(db::CODES).map_err(db_error)?;
        self.ees.clear();
        for entry in ees.iter().map_err(db_error)? {
            let (id, value) = entry.map_err(db_error)?;
            let record: EeRecord = decode("EE", value.value())?;
            let code = codes
                .get(id.value())
                .map_err(db_error)?
                .ok_or_else(|| NodeError::Corrupt(format!("no code for EE {}", id.value())))?;
            let linked = libraries_of(&txn, id.value())?;
            // Code the node accepted once compiles again, unless the engines changed.
            let runs = self.loader.load(code.value(), &linked).map_err(|e| {
                NodeError::Config(format!("EE {} no longer loads: {e}", id.value()))
            })?;
            self.ees.push(Ee { record, runs });
        }
        let states = txn.open_table(db::STATES).map_err(db_error)?;
        let blocks = txn.open_table(db::SHARD_BLOCKS).map_err(db_error)?;
        self.states = vec![Vec::new(); self.config.shards as usize];
        self.shard_heads.clear();
        for shard in 0..self.config.shards {
            for ee in 0..self.deployed_count() {
                let state = states
                    .get((shard, ee as u32))
                    .map_err(db_error)?
                    .map(|v| Bytes32(*v.value()))
                    .ok_or_else(|| {
                        NodeError::Corrupt(format!("no state of EE {ee} on shard {shard}"))
                    })?;
                self.states[shard as usize].push(state);
            }
            let head = blocks
                .range((shard, 0)..=(shard, u64::MAX))
                .map_err(db_error)?
                .next_back()
                .ok_or_else(|| NodeError::Corrupt(format!("no block on shard {shard}")))?
                .map_err(db_error)?;
            let block: ShardBlock = decode("shard block", head.1.value())?;
            self.shard_heads.push(block.header);
        }
        let mempool = txn.open_table(db::MEMPOOL).map_err(db_error)?;
        self.mempool.clear();
        for entry in mempool.iter().map_err(db_error)? {
            let (seq, value) = entry.map_err(db_error)?;
            let tx: Transaction = decode("mempool entry", value.value())?;
            self.mempool.insert(seq.value(), (tx.hash(), tx));
        }
        Ok(())
    }

    /// EEs deployed by a committed beacon block (the others wait for the next slot).
    fn deployed_count(&self) -> usize {
        self.ees
            .iter()
            .take_while(|ee| ee.record.deployed_slot.is_some())
            .count()
    }

    /// The configuration.
    pub fn config(&self) -> &NodeConfig {
        &self.config
    }

    /// The engines every transaction runs in.
    pub fn engines(&self) -> Vec<String> {
        self.loader.engines()
    }

    /// Accepts an EE's code: checked and compiled in every engine with `libraries` linked (the
    /// import modules its functions may come from, as Scout's `libraries`), recorded durably,
    /// deployed by the next slot's beacon block with `initial_state` on every shard. Returns its
    /// index.
    pub fn deploy(
        &mut self,
        code: &[u8],
        initial_state: [u8; 32],
        libraries: &[LibraryCode],
    ) -> Result<u32, DeployError> {
        let max = self.loader.limits().max_module_bytes;
        for module in std::iter::once(code).chain(libraries.iter().map(|l| l.code.0.as_slice())) {
            if module.len() > max {
                return Err(DeployError::TooLarge {
                    len: module.len(),
                    max,
                });
            }
        }
        let linked: Vec<_> = libraries.iter().map(LibraryCode::to_library).collect();
        let runs = self
            .loader
            .load(code, &linked)
            .map_err(|e| DeployError::Invalid(e.to_string()))?;
        let id = u32::try_from(self.ees.len()).map_err(|_| DeployError::TooMany)?;
        let record = EeRecord {
            code_hash: Bytes32(witness::keccak256(code).to_fixed_bytes()),
            initial_state: Bytes32(initial_state),
            deployed_slot: None,
            libraries: libraries.iter().map(LibraryCode::reference).collect(),
        };
        let txn = self.db.begin_write().map_err(db_error)?;
        {
            txn.open_table(db::CODES)
                .map_err(db_error)?
                .insert(id, code)
                .map_err(db_error)?;
            if !libraries.is_empty() {
                txn.open_table(db::LIBRARIES)
                    .map_err(db_error)?
                    .insert(id, encode(&libraries).as_slice())
                    .map_err(db_error)?;
            }
            txn.open_table(db::EES)
                .map_err(db_error)?
                .insert(id, encode(&record).as_slice())
                .map_err(db_error)?;
        }
        txn.commit().map_err(db_error)?;
        self.ees.push(Ee { record, runs });
        Ok(id)
    }

    /// Accepts a transaction into the mempool, durably, and returns its hash: once this
    /// returns, the transaction survives a crash.
    pub fn submit(&mut self, tx: Transaction) -> Result<Bytes32, SubmitError> {
        if tx.shard >= self.config.shards {
            return Err(SubmitError::NoSuchShard {
                shard: tx.shard,
                shards: self.config.shards,
            });
        }
        if tx.ee as usize >= self.ees.len() {
            return Err(SubmitError::NoSuchEe {
                ee: tx.ee,
                ees: self.ees.len(),
            });
        }
        if tx.data.0.len() > self.config.max_transaction_bytes {
            return Err(SubmitError::DataTooLarge {
                len: tx.data.0.len(),
                max: self.config.max_transaction_bytes,
            });
        }
        if self.mempool.len() >= self.config.max_mempool {
            return Err(SubmitError::MempoolFull {
                max: self.config.max_mempool,
            });
        }
        let hash = tx.hash();
        if self.transaction_record(&hash)?.is_some() {
            return Err(SubmitError::Known(hash));
        }
        let seq = self.next_seq;
        let txn = self.db.begin_write().map_err(db_error)?;
        {
            txn.open_table(db::MEMPOOL)
                .map_err(db_error)?
                .insert(seq, encode(&tx).as_slice())
                .map_err(db_error)?;
            txn.open_table(db::TXS)
                .map_err(db_error)?
                .insert(&hash.0, encode(&TxRecord::Pending { seq }).as_slice())
                .map_err(db_error)?;
            txn.open_table(db::META)
                .map_err(db_error)?
                .insert(NEXT_SEQ_KEY, encode(&(seq + 1)).as_slice())
                .map_err(db_error)?;
        }
        txn.commit().map_err(db_error)?;
        self.next_seq = seq + 1;
        self.mempool.insert(seq, (hash, tx));
        Ok(hash)
    }

    /// Where the transaction with `hash` is, if the node has seen it.
    pub fn transaction_record(&self, hash: &Bytes32) -> Result<Option<TxRecord>, NodeError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = txn.open_table(db::TXS).map_err(db_error)?;
        match table.get(&hash.0).map_err(db_error)? {
            Some(value) => decode("transaction record", value.value()).map(Some),
            None => Ok(None),
        }
    }

    /// Transactions waiting.
    pub fn mempool_len(&self) -> usize {
        self.mempool.len()
    }

    /// Whether any transaction or deployment waits for a slot.
    pub fn has_work(&self) -> bool {
        !self.mempool.is_empty() || self.deployed_count() < self.ees.len()
    }

    /// The latest beacon block.
    pub fn beacon_head(&self) -> &BeaconBlock {
        &self.beacon_head
    }

    /// The beacon block of `slot`.
    pub fn beacon_block(&self, slot: u64) -> Result<Option<BeaconBlock>, NodeError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = txn.open_table(db::BEACON).map_err(db_error)?;
        match table.get(slot).map_err(db_error)? {
            Some(value) => decode("beacon block", value.value()).map(Some),
            None => Ok(None),
        }
    }

    /// The latest block's header of `shard`.
    pub fn shard_head(&self, shard: u32) -> Option<&ShardHeader> {
        self.shard_heads.get(shard as usize)
    }

    /// Block `number` of `shard`.
    pub fn shard_block(&self, shard: u32, number: u64) -> Result<Option<ShardBlock>, NodeError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = txn.open_table(db::SHARD_BLOCKS).map_err(db_error)?;
        match table.get((shard, number)).map_err(db_error)? {
            Some(value) => decode("shard block", value.value()).map(Some),
            None => Ok(None),
        }
    }

    /// Up to `count` blocks of `shard` from number `from` on, in order.
    pub fn shard_blocks(
        &self,
        shard: u32,
        from: u64,
        count: usize,
    ) -> Result<Vec<ShardBlock>, NodeError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = txn.open_table(db::SHARD_BLOCKS).map_err(db_error)?;
        let mut blocks = Vec::new();
        for entry in table
            .range((shard, from)..=(shard, u64::MAX))
            .map_err(db_error)?
            .take(count)
        {
            let (_, value) = entry.map_err(db_error)?;
            blocks.push(decode("shard block", value.value())?);
        }
        Ok(blocks)
    }

    /// The state of EE `ee` on `shard` (`None` for an unknown shard or an EE not deployed yet).
    pub fn ee_state(&self, shard: u32, ee: u32) -> Option<Bytes32> {
        self.states.get(shard as usize)?.get(ee as usize).copied()
    }

    /// Every EE: index, code hash, initial state, deploying slot (`None` while pending).
    pub fn ees(&self) -> Vec<(u32, Bytes32, Bytes32, Option<u64>)> {
        self.ees
            .iter()
            .enumerate()
            .map(|(id, ee)| {
                (
                    id as u32,
                    ee.record.code_hash,
                    ee.record.initial_state,
                    ee.record.deployed_slot,
                )
            })
            .collect()
    }

    /// Totals since genesis.
    pub fn totals(&self) -> Totals {
        self.totals
    }

    /// Builds the next slot from what waits: a beacon block deploying the pending EEs and
    /// crosslinking every shard's head, and a block per shard with its mempool transactions in
    /// submission order, each run in every engine (a disagreement drops it), until the block's
    /// tick budget or transaction count is reached. Nothing is written.
    pub fn build_slot(&self) -> Result<SlotProposal, NodeError> {
        let slot = self.beacon_head.slot + 1;
        let first_pending = self.deployed_count();
        let deployments: Vec<Deployment> = self.ees[first_pending..]
            .iter()
            .enumerate()
            .map(|(offset, ee)| Deployment {
                ee: (first_pending + offset) as u32,
                code_hash: ee.record.code_hash,
                initial_state: ee.record.initial_state,
                libraries: ee.record.libraries.clone(),
            })
            .collect();
        let codes = (first_pending..self.ees.len())
            .map(|id| self.code(id as u32))
            .collect::<Result<Vec<_>, _>>()?;
        let mut libraries = Vec::new();
        if deployments.iter().any(|d| !d.libraries.is_empty()) {
            let txn = self.db.begin_read().map_err(db_error)?;
            for id in first_pending..self.ees.len() {
                libraries.push(library_codes(&txn, id as u32)?);
            }
        }
        let beacon = BeaconBlock {
            slot,
            parent_hash: self.beacon_head.hash(),
            deployments,
            crosslinks: self.crosslinks(),
        };
        let beacon_hash = beacon.hash();
        let mut dropped = Vec::new();
        let mut shard_blocks = Vec::with_capacity(self.config.shards as usize);
        for shard in 0..self.config.shards {
            let mut states = self.states_after_deployments(shard, &beacon);
            let (mut transactions, mut receipts, mut ticks) = (Vec::new(), Vec::new(), 0u64);
            for (hash, tx) in self.mempool.values().filter(|(_, tx)| tx.shard == shard) {
                if transactions.len() >= self.config.max_block_transactions
                    || (!transactions.is_empty() && ticks >= self.config.block_ticks)
                {
                    break;
                }
                let Some(ee) = self.ees.get(tx.ee as usize) else {
                    continue;
                };
                let Some(&pre_state) = states.get(tx.ee as usize) else {
                    continue;
                };
                match run_everywhere(&ee.runs, pre_state.0, &tx.data.0) {
                    Err(error) => dropped.push((*hash, error.to_string())),
                    Ok(run) => {
                        if !transactions.is_empty()
                            && ticks.saturating_add(run.ticks) > self.config.block_ticks
                        {
                            // It waits for the next block, and so does everything after it on
                            // this shard, to keep submission order.
                            break;
                        }
                        ticks = ticks.saturating_add(run.ticks);
                        receipts.push(apply_run(&mut states, tx.ee, *hash, pre_state, run));
                        transactions.push(tx.clone());
                    }
                }
            }
            shard_blocks.push(self.shard_block_for(
                shard,
                slot,
                beacon_hash,
                transactions,
                receipts,
                &states,
                ticks,
            ));
        }
        Ok(SlotProposal {
            blocks: SlotBlocks {
                beacon,
                codes,
                libraries,
                shard_blocks,
            },
            dropped,
        })
    }

    /// Checks a slot another node made, by re-executing every transaction, and commits it.
    pub fn import_slot(&mut self, blocks: SlotBlocks) -> Result<(), NodeError> {
        let invalid = |reason: String| NodeError::InvalidSlot {
            slot: blocks.beacon.slot,
            reason,
        };
        let expected_slot = self.beacon_head.slot + 1;
        if blocks.beacon.slot != expected_slot {
            return Err(invalid(format!("the next slot is {expected_slot}")));
        }
        if blocks.beacon.parent_hash != self.beacon_head.hash() {
            return Err(invalid("its parent is not the head".into()));
        }
        if blocks.beacon.crosslinks != self.crosslinks() {
            return Err(invalid("its crosslinks are not the shards' heads".into()));
        }
        if blocks.codes.len() != blocks.beacon.deployments.len()
            || !(blocks.libraries.is_empty()
                || blocks.libraries.len() == blocks.beacon.deployments.len())
            || blocks.shard_blocks.len() != self.config.shards as usize
        {
            return Err(invalid(
                "it carries the wrong number of codes or shard blocks".into(),
            ));
        }
        // Deployments: the next indices, code matching its hash and loading in every engine.
        let mut new_ees = Vec::new();
        for (offset, deployment, code, libraries) in blocks.deployments() {
            let id = self.deployed_count() + offset;
            if deployment.ee as usize != id {
                return Err(invalid(format!("deployment {offset} is not EE {id}")));
            }
            if Bytes32(witness::keccak256(&code.0).to_fixed_bytes()) != deployment.code_hash {
                return Err(invalid(format!("EE {id}'s code does not match its hash")));
            }
            if libraries
                .iter()
                .map(LibraryCode::reference)
                .collect::<Vec<_>>()
                != deployment.libraries
            {
                return Err(invalid(format!(
                    "EE {id}'s libraries do not match its deployment"
                )));
            }
            let linked: Vec<_> = libraries.iter().map(LibraryCode::to_library).collect();
            let runs = self
                .loader
                .load(&code.0, &linked)
                .map_err(|e| invalid(format!("EE {id} does not load: {e}")))?;
            new_ees.push((id, code.0.clone(), deployment.clone(), runs));
        }
        let beacon_hash = blocks.beacon.hash();
        for (shard, block) in blocks.shard_blocks.iter().enumerate() {
            let mut states = self.states_after_deployments(shard as u32, &blocks.beacon);
            let mut receipts = Vec::with_capacity(block.transactions.len());
            let mut ticks = 0u64;
            for tx in &block.transactions {
                if tx.shard != shard as u32 {
                    return Err(invalid(format!(
                        "a transaction of shard {shard} names another"
                    )));
                }
                let runs = match self.ees.get(tx.ee as usize) {
                    Some(ee) if (tx.ee as usize) < self.deployed_count() => &ee.runs,
                    _ => match new_ees.iter().find(|(id, ..)| *id == tx.ee as usize) {
                        Some((_, _, _, runs)) => runs,
                        None => return Err(invalid(format!("no EE {}", tx.ee))),
                    },
                };
                let pre_state = *states
                    .get(tx.ee as usize)
                    .ok_or_else(|| invalid(format!("no state for EE {}", tx.ee)))?;
                let run = run_everywhere(runs, pre_state.0, &tx.data.0)
                    .map_err(|e| invalid(format!("shard {shard}: {e}")))?;
                ticks = ticks.saturating_add(run.ticks);
                receipts.push(apply_run(&mut states, tx.ee, tx.hash(), pre_state, run));
            }
            let expected = self.shard_block_for(
                shard as u32,
                blocks.beacon.slot,
                beacon_hash,
                block.transactions.clone(),
                receipts,
                &states,
                ticks,
            );
            if &expected != block {
                return Err(invalid(format!(
                    "shard {shard}'s block is not what its transactions do"
                )));
            }
        }
        // The checked deployments join the node as pending ones; committing deploys them.
        if self.deployed_count() != self.ees.len() {
            return Err(invalid(
                "this node has its own pending deployments; it cannot import".into(),
            ));
        }
        for (_, _, deployment, runs) in new_ees {
            self.ees.push(Ee {
                record: EeRecord {
                    code_hash: deployment.code_hash,
                    initial_state: deployment.initial_state,
                    deployed_slot: None,
                    libraries: deployment.libraries.clone(),
                },
                runs,
            });
        }
        self.commit_slot(SlotProposal {
            blocks,
            dropped: Vec::new(),
        })
    }

    /// Commits a slot this node built (or checked): the beacon block, the shard blocks, the
    /// new states, the deployments, every included and dropped transaction's record and its
    /// removal from the mempool, in one durable transaction.
    pub fn commit_slot(&mut self, proposal: SlotProposal) -> Result<(), NodeError> {
        let SlotProposal { blocks, dropped } = proposal;
        let slot = blocks.beacon.slot;
        let mut totals = self.totals;
        totals.slots += 1;
        totals.dropped += dropped.len() as u64;
        // Receipts carry their transaction's hash: nothing is hashed again here.
        let included: BTreeSet<Bytes32> = blocks
            .shard_blocks
            .iter()
            .flat_map(|block| block.receipts.iter().map(|receipt| receipt.tx_hash))
            .chain(dropped.iter().map(|(hash, _)| *hash))
            .collect();
        let mut new_states = self.states.clone();
        let txn = self.db.begin_write().map_err(db_error)?;
        {
            let mut ees = txn.open_table(db::EES).map_err(db_error)?;
            let mut codes = txn.open_table(db::CODES).map_err(db_error)?;
            let mut library_table = txn.open_table(db::LIBRARIES).map_err(db_error)?;
            for (_, deployment, code, libraries) in blocks.deployments() {
                codes
                    .insert(deployment.ee, code.0.as_slice())
                    .map_err(db_error)?;
                if !libraries.is_empty() {
                    library_table
                        .insert(deployment.ee, encode(&libraries).as_slice())
                        .map_err(db_error)?;
                }
                let record = EeRecord {
                    code_hash: deployment.code_hash,
                    initial_state: deployment.initial_state,
                    deployed_slot: Some(slot),
                    libraries: deployment.libraries.clone(),
                };
                ees.insert(deployment.ee, encode(&record).as_slice())
                    .map_err(db_error)?;
                for states in &mut new_states {
                    states.push(deployment.initial_state);
                }
            }
            let mut txs = txn.open_table(db::TXS).map_err(db_error)?;
            let mut shard_table = txn.open_table(db::SHARD_BLOCKS).map_err(db_error)?;
            for block in &blocks.shard_blocks {
                let shard = block.header.shard;
                for (index, (tx, receipt)) in
                    block.transactions.iter().zip(&block.receipts).enumerate()
                {
                    let record = TxRecord::Included {
                        shard,
                        number: block.header.number,
                        index,
                    };
                    txs.insert(&receipt.tx_hash.0, encode(&record).as_slice())
                        .map_err(db_error)?;
                    totals.transactions += 1;
                    totals.ticks = totals.ticks.saturating_add(receipt.ticks);
                    if let Outcome::Accepted {
                        post_state,
                        deposits,
                    } = &receipt.outcome
                    {
                        totals.accepted += 1;
                        totals.deposits += deposits.len() as u64;
                        if let Some(state) = new_states
                            .get_mut(shard as usize)
                            .and_then(|states| states.get_mut(tx.ee as usize))
                        {
                            *state = *post_state;
                        }
                    }
                }
                shard_table
                    .insert((shard, block.header.number), encode(block).as_slice())
                    .map_err(db_error)?;
            }
            for (hash, reason) in &dropped {
                let record = TxRecord::Dropped {
                    slot,
                    reason: reason.clone(),
                };
                txs.insert(&hash.0, encode(&record).as_slice())
                    .map_err(db_error)?;
            }
            let mut mempool = txn.open_table(db::MEMPOOL).map_err(db_error)?;
            for (seq, (hash, _)) in &self.mempool {
                if included.contains(hash) {
                    mempool.remove(*seq).map_err(db_error)?;
                }
            }
            let mut states_table = txn.open_table(db::STATES).map_err(db_error)?;
            for (shard, states) in new_states.iter().enumerate() {
                for (ee, state) in states.iter().enumerate() {
                    states_table
                        .insert((shard as u32, ee as u32), &state.0)
                        .map_err(db_error)?;
                }
            }
            txn.open_table(db::BEACON)
                .map_err(db_error)?
                .insert(slot, encode(&blocks.beacon).as_slice())
                .map_err(db_error)?;
            let mut meta = txn.open_table(db::META).map_err(db_error)?;
            meta.insert(BEACON_HEAD_KEY, encode(&slot).as_slice())
                .map_err(db_error)?;
            meta.insert(TOTALS_KEY, encode(&totals).as_slice())
                .map_err(db_error)?;
        }
        txn.commit().map_err(db_error)?;
        // Memory follows the committed database.
        for deployment in &blocks.beacon.deployments {
            if let Some(ee) = self.ees.get_mut(deployment.ee as usize) {
                ee.record.deployed_slot = Some(slot);
            }
        }
        self.states = new_states;
        self.mempool.retain(|_, (hash, _)| !included.contains(hash));
        for block in &blocks.shard_blocks {
            if let Some(head) = self.shard_heads.get_mut(block.header.shard as usize) {
                *head = block.header.clone();
            }
        }
        self.beacon_head = blocks.beacon;
        self.totals = totals;
        Ok(())
    }

    /// Builds and commits the next slot.
    pub fn produce_slot(&mut self) -> Result<SlotBlocks, NodeError> {
        let proposal = self.build_slot()?;
        let blocks = proposal.blocks.clone();
        self.commit_slot(proposal)?;
        Ok(blocks)
    }

    fn code(&self, id: u32) -> Result<Bytes, NodeError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = txn.open_table(db::CODES).map_err(db_error)?;
        let code = table
            .get(id)
            .map_err(db_error)?
            .ok_or_else(|| NodeError::Corrupt(format!("no code for EE {id}")))?;
        Ok(Bytes(code.value().to_vec()))
    }

    fn crosslinks(&self) -> Vec<Crosslink> {
        self.shard_heads
            .iter()
            .map(|head| Crosslink {
                shard: head.shard,
                number: head.number,
                block_hash: hash_of(head),
                states_root: head.states_root,
            })
            .collect()
    }

    /// A shard's EE states once `beacon`'s deployments joined them.
    fn states_after_deployments(&self, shard: u32, beacon: &BeaconBlock) -> Vec<Bytes32> {
        let mut states = self.states.get(shard as usize).cloned().unwrap_or_default();
        states.extend(beacon.deployments.iter().map(|d| d.initial_state));
        states
    }

    #[allow(clippy::too_many_arguments)]
    fn shard_block_for(
        &self,
        shard: u32,
        slot: u64,
        beacon_hash: Bytes32,
        transactions: Vec<Transaction>,
        receipts: Vec<Receipt>,
        states: &[Bytes32],
        ticks: u64,
    ) -> ShardBlock {
        let parent = &self.shard_heads[shard as usize];
        let ee_states: Vec<EeState> = states
            .iter()
            .enumerate()
            .map(|(ee, state)| EeState {
                ee: ee as u32,
                state: *state,
            })
            .collect();
        ShardBlock {
            header: ShardHeader {
                shard,
                number: parent.number + 1,
                slot,
                parent_hash: hash_of(parent),
                beacon_hash,
                transactions_root: hash_of(&transactions),
                receipts_root: hash_of(&receipts),
                states_root: states_root(&ee_states),
                ticks,
            },
            transactions,
            receipts,
        }
    }
}

/// The receipt of a transaction (`tx_hash`, for EE `ee`) whose engines agreed on `run` from
/// `pre_state`; an accepted run moves the EE's state.
fn apply_run(
    states: &mut [Bytes32],
    ee: u32,
    tx_hash: Bytes32,
    pre_state: Bytes32,
    run: crate::executor::AgreedRun,
) -> Receipt {
    if let (Outcome::Accepted { post_state, .. }, Some(state)) =
        (&run.outcome, states.get_mut(ee as usize))
    {
        *state = *post_state;
    }
    Receipt {
        tx_hash,
        pre_state,
        ticks: run.ticks,
        outcome: run.outcome,
    }
}

/// The libraries EE `id` links, as stored at its deployment (none if it links none).
fn library_codes(txn: &redb::ReadTransaction, id: u32) -> Result<Vec<LibraryCode>, NodeError> {
    let table = txn.open_table(db::LIBRARIES).map_err(db_error)?;
    match table.get(id).map_err(db_error)? {
        Some(value) => decode("EE libraries", value.value()),
        None => Ok(Vec::new()),
    }
}

/// [`library_codes`] in the host's form.
fn libraries_of(
    txn: &redb::ReadTransaction,
    id: u32,
) -> Result<Vec<evm_ee_host::Library>, NodeError> {
    Ok(library_codes(txn, id)?
        .iter()
        .map(LibraryCode::to_library)
        .collect())
}

/// Slot 0: the genesis EEs deployed, block 0 of every shard with their initial states.
fn write_genesis(
    db: &Database,
    config: &NodeConfig,
    loader: &dyn EeLoader,
    genesis_ees: &[GenesisEe],
) -> Result<(), NodeError> {
    let mut deployments = Vec::new();
    for (id, ee) in genesis_ees.iter().enumerate() {
        loader
            .load(&ee.code, &[])
            .map_err(|e| NodeError::Config(format!("genesis EE {id} does not load: {e}")))?;
        deployments.push(Deployment {
            ee: id as u32,
            code_hash: Bytes32(witness::keccak256(&ee.code).to_fixed_bytes()),
            initial_state: Bytes32(ee.initial_state),
            libraries: Vec::new(),
        });
    }
    let beacon = BeaconBlock {
        slot: 0,
        parent_hash: Bytes32::default(),
        deployments: deployments.clone(),
        crosslinks: Vec::new(),
    };
    let beacon_hash = beacon.hash();
    let states: Vec<EeState> = deployments
        .iter()
        .map(|d| EeState {
            ee: d.ee,
            state: d.initial_state,
        })
        .collect();
    let txn = db.begin_write().map_err(db_error)?;
    {
        let mut codes = txn.open_table(db::CODES).map_err(db_error)?;
        let mut ees = txn.open_table(db::EES).map_err(db_error)?;
        for (deployment, ee) in deployments.iter().zip(genesis_ees) {
            codes
                .insert(deployment.ee, ee.code.as_slice())
                .map_err(db_error)?;
            let record = EeRecord {
                code_hash: deployment.code_hash,
                initial_state: deployment.initial_state,
                deployed_slot: Some(0),
                libraries: Vec::new(),
            };
            ees.insert(deployment.ee, encode(&record).as_slice())
                .map_err(db_error)?;
        }
        let mut blocks = txn.open_table(db::SHARD_BLOCKS).map_err(db_error)?;
        let mut state_table = txn.open_table(db::STATES).map_err(db_error)?;
        for shard in 0..config.shards {
            let block = ShardBlock {
                header: ShardHeader {
                    shard,
                    number: 0,
                    slot: 0,
                    parent_hash: Bytes32::default(),
                    beacon_hash,
                    transactions_root: hash_of(&Vec::<Transaction>::new()),
                    receipts_root: hash_of(&Vec::<Receipt>::new()),
                    states_root: states_root(&states),
                    ticks: 0,
                },
                transactions: Vec::new(),
                receipts: Vec::new(),
            };
            blocks
                .insert((shard, 0), encode(&block).as_slice())
                .map_err(db_error)?;
            for state in &states {
                state_table
                    .insert((shard, state.ee), &state.state.0)
                    .map_err(db_error)?;
            }
        }
        txn.open_table(db::BEACON)
            .map_err(db_error)?
            .insert(0, encode(&beacon).as_slice())
            .map_err(db_error)?;
        let mut meta = txn.open_table(db::META).map_err(db_error)?;
        meta.insert(CONFIG_KEY, encode(config).as_slice())
            .map_err(db_error)?;
        meta.insert(BEACON_HEAD_KEY, encode(&0u64).as_slice())
            .map_err(db_error)?;
    }
    txn.commit().map_err(db_error)
}
