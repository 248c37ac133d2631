//! Replaying archived history: blocks of a named chain imported in order into a [`Chain`] over a
//! [`Store`], each executed natively over the store and, with a Wasm engine, validated inside the
//! EE from a witness the store gives; the first block that does not match the archive stops the
//! replay with what differs.
//!
//! A store that already holds part of the chain resumes at the block after its head: the blocks
//! it holds are checked against the archive by hash and skipped.
//!
//! Every block's Ethash seal and its ommers' are verified ([`crate::seal`]). They cost about
//! 3 ms each, more than executing an early mainnet block, so [`Replayer::verify_seals`] checks
//! a batch of upcoming blocks on all cores before they are replayed one by one; a block that
//! did not go through it is checked when it is replayed.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use evm_core::block::Block;
use primitive_types::{H256, U256};
use rayon::prelude::*;

use crate::ee_engine::WasmEngine;
use crate::ee_input::EeInput;
use crate::native::execute_native;
use crate::networks::Network;
use crate::seal::SealVerifier;
use crate::store::{Store, StoreError};
use crate::tree::{Chain, Rejection};

/// One block as an archive gives it.
#[derive(Clone, Copy, Debug)]
pub struct ArchivedBlock<'a> {
    /// Its number.
    pub number: u64,
    /// Its hash.
    pub hash: H256,
    /// `rlp([header, transactions, ommers(, withdrawals)])`.
    pub rlp: &'a [u8],
    /// The total difficulty the archive records for it, if it records one.
    pub total_difficulty: Option<U256>,
}

/// How each block is validated.
pub enum ReplayEngine {
    /// evm-core over the store.
    Native,
    /// evm-core over the store (which records the witness), then the EE module in a Wasm engine
    /// on the blob; both must agree.
    Ee(WasmEngine),
}

/// What validating one block measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplayedBlock {
    /// Its number.
    pub number: u64,
    /// Gas used (the header's, which execution checked).
    pub gas_used: u64,
    /// Transactions.
    pub transactions: u64,
    /// The EE's ticks (EE engines only).
    pub ticks: Option<u64>,
    /// The blob's size in bytes (EE engines only).
    pub blob_bytes: Option<u64>,
}

/// Why a replay stopped.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A block of the archive is not what validation computes (or the archive is broken).
    #[error("block {number} ({hash:?}) disagrees with the archive: {reason}")]
    Disagrees {
        /// The block.
        number: u64,
        /// Its hash.
        hash: H256,
        /// Which field, got and expected (evm-core's or the EE's words).
        reason: String,
    },
    /// The store holds another chain than the archive.
    #[error(
        "the store holds a different chain: block {number} of the archive ({archived:?}) is not \
         in it; use a new --data folder for this chain"
    )]
    OtherChain {
        /// The block.
        number: u64,
        /// The archive's hash for it.
        archived: H256,
    },
    /// The archive skips blocks after the store's head.
    #[error("the next block to replay is {expected}, the archive gives {got}: blocks are missing")]
    Gap {
        /// The block after the head.
        expected: u64,
        /// The archive's block.
        got: u64,
    },
}

/// Running totals of a replay.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReplayTotals {
    /// Blocks validated in this run (not counting those the store had already).
    pub blocks: u64,
    /// Blocks skipped because the store had them.
    pub skipped: u64,
    /// Blocks before the first one to validate, imported natively only.
    pub before_from: u64,
    /// Gas used by the validated blocks.
    pub gas: u64,
    /// Transactions in them.
    pub transactions: u64,
    /// EE ticks over them.
    pub ticks: u64,
    /// Blob bytes over them.
    pub blob_bytes: u64,
    /// Time spent validating them.
    pub elapsed: Duration,
}

/// A replay in progress: a chain over a store, an engine, the totals.
pub struct Replayer<S: Store> {
    chain: Chain<S>,
    engine: ReplayEngine,
    seals: SealVerifier,
    /// Blocks whose seals [`Replayer::verify_seals`] checked and that are not replayed yet.
    sealed: HashSet<H256>,
    /// Keep each validated block's EE input (`--emit-witness`), also with the native engine.
    keep_inputs: bool,
    last_input: Option<EeInput>,
    validate_from: u64,
    totals: ReplayTotals,
}

impl<S: Store> Replayer<S> {
    /// A replay of `network` into `store`: a new store gets the network's genesis; one that has
    /// a head must hold the same genesis and resumes after its head.
    pub fn open(store: S, network: &Network, engine: ReplayEngine) -> Result<Self, ReplayError> {
        let genesis_hash = network.genesis.header.hash();
        let had_head = store.head()?.is_some();
        let chain = Chain::with_genesis(
            store,
            network.spec.clone(),
            network.genesis.clone(),
            &network.alloc,
        )?;
        if had_head && chain.node(&genesis_hash).is_none() {
            return Err(ReplayError::OtherChain {
                number: 0,
                archived: genesis_hash,
            });
        }
        Ok(Replayer {
            chain,
            engine,
            seals: SealVerifier::new(),
            sealed: HashSet::new(),
            keep_inputs: false,
            last_input: None,
            validate_from: 0,
            totals: ReplayTotals::default(),
        })
    }

    /// The chain (its head, its store).
    pub fn chain(&self) -> &Chain<S> {
        &self.chain
    }

    /// The head's number: the replay continues at the next block.
    pub fn head_number(&self) -> u64 {
        self.chain
            .head()
            .map(|node| node.block.header.number)
            .unwrap_or_default()
    }

    /// Blocks below `number` are imported natively only (to reach a starting point fast); the
    /// engine validates from `number` on.
    pub fn validate_from(&mut self, number: u64) {
        self.validate_from = number;
    }

    /// Keep the EE input (pre-state and blob, with the witness the store served) of every
    /// validated block for [`Replayer::take_input`]; with the native engine the input's own
    /// native run is the verdict, so the block is still executed once.
    pub fn keep_inputs(&mut self, keep: bool) {
        self.keep_inputs = keep;
    }

    /// The EE input of the block replayed last, if [`Replayer::keep_inputs`] is on.
    pub fn take_input(&mut self) -> Option<EeInput> {
        self.last_input.take()
    }

    /// The totals so far.
    pub fn totals(&self) -> ReplayTotals {
        self.totals
    }

    /// Verifies the seals of `blocks` (header and ommers) on all cores, so that replaying them
    /// does not check them again. A bad seal is the block's [`ReplayError::Disagrees`]; blocks
    /// the store holds already are left out.
    pub fn verify_seals(&mut self, blocks: &[ArchivedBlock<'_>]) -> Result<(), ReplayError> {
        let head = self.head_number();
        let pending: Vec<&ArchivedBlock<'_>> = blocks
            .iter()
            .filter(|block| block.number > head && !self.sealed.contains(&block.hash))
            .collect();
        let seals = &self.seals;
        // Chunks of 16 blocks: enough seals to hash four at a time, enough chunks for every
        // core.
        let results: Vec<Result<H256, ReplayError>> = pending
            .par_chunks(16)
            .flat_map_iter(|chunk| {
                let decoded: Vec<Result<Block, String>> = chunk
                    .iter()
                    .map(|block| Block::decode(block.rlp).map_err(|e| format!("not a block: {e}")))
                    .collect();
                let blocks: Vec<&Block> = decoded.iter().filter_map(|b| b.as_ref().ok()).collect();
                let mut verdicts = seals.verify_blocks(&blocks).into_iter();
                chunk
                    .iter()
                    .zip(decoded)
                    .map(|(block, decoded)| {
                        let reason = match decoded {
                            Err(reason) => reason,
                            Ok(_) => match verdicts.next() {
                                Some(Ok(())) => return Ok(block.hash),
                                Some(Err(rejection)) => rejection.to_string(),
                                None => "seal not verified".into(),
                            },
                        };
                        Err(ReplayError::Disagrees {
                            number: block.number,
                            hash: block.hash,
                            reason,
                        })
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        for result in results {
            self.sealed.insert(result?);
        }
        Ok(())
    }

    /// Validates `block` on top of the head. A block the store holds already is skipped
    /// (`Ok(None)`); any other block must be the head's child.
    pub fn replay(
        &mut self,
        block: &ArchivedBlock<'_>,
    ) -> Result<Option<ReplayedBlock>, ReplayError> {
        let head = self.head_number();
        if block.number <= head {
            if self.chain.node(&block.hash).is_some() {
                self.totals.skipped += 1;
                return Ok(None);
            }
            return Err(ReplayError::OtherChain {
                number: block.number,
                archived: block.hash,
            });
        }
        if block.number != head + 1 {
            return Err(ReplayError::Gap {
                expected: head + 1,
                got: block.number,
            });
        }
        let disagrees = |reason: String| ReplayError::Disagrees {
            number: block.number,
            hash: block.hash,
            reason,
        };
        let started = Instant::now();
        if !self.sealed.remove(&block.hash) {
            self.verify_seals(std::slice::from_ref(block))?;
            self.sealed.remove(&block.hash);
        }
        let mut measured = (None, None);
        let validating = block.number >= self.validate_from;
        let engine = if validating {
            &self.engine
        } else {
            &ReplayEngine::Native
        };
        let keep = self.keep_inputs && validating;
        let mut kept = None;
        let imported = self
            .chain
            .import(block.rlp, |context| match engine {
                ReplayEngine::Native if keep => {
                    let input = EeInput::for_import(&context)?;
                    let verdict = input.native.clone();
                    kept = Some(input);
                    verdict
                }
                ReplayEngine::Native => execute_native(context, false),
                ReplayEngine::Ee(wasm) => {
                    let input = EeInput::for_import(&context)?;
                    measured.1 = Some(input.blob.len() as u64);
                    let (verdict, ticks) = wasm.execute_measured(context, &input);
                    measured.0 = ticks;
                    if keep {
                        kept = Some(input);
                    }
                    verdict
                }
            })
            .map_err(|rejection| match rejection {
                Rejection::Store(error) => ReplayError::Store(error),
                other => disagrees(other.to_string()),
            })?;
        self.last_input = kept;
        if imported.hash != block.hash {
            return Err(disagrees(format!(
                "block hash: got {:?}, expected {:?}",
                imported.hash, block.hash
            )));
        }
        let node = self
            .chain
            .node(&imported.hash)
            .ok_or_else(|| disagrees("the store lost the block it accepted".into()))?;
        if let Some(expected) = block.total_difficulty
            && expected != node.total_difficulty
        {
            return Err(disagrees(format!(
                "total difficulty: got {}, expected {expected}",
                node.total_difficulty
            )));
        }
        if !imported.head {
            return Err(disagrees(
                "the block did not become the head (total difficulty too low)".into(),
            ));
        }
        let header = &node.block.header;
        let report = ReplayedBlock {
            number: block.number,
            gas_used: header.gas_used,
            transactions: node.block.transactions.len() as u64,
            ticks: measured.0,
            blob_bytes: measured.1,
        };
        let totals = &mut self.totals;
        if block.number < self.validate_from {
            totals.before_from += 1;
            return Ok(Some(report));
        }
        totals.blocks += 1;
        totals.gas += report.gas_used;
        totals.transactions += report.transactions;
        totals.ticks += report.ticks.unwrap_or_default();
        totals.blob_bytes += report.blob_bytes.unwrap_or_default();
        totals.elapsed += started.elapsed();
        Ok(Some(report))
    }

    /// Makes everything replayed so far durable.
    pub fn flush(&mut self) -> Result<(), ReplayError> {
        Ok(self.chain.store_mut().flush()?)
    }
}
