//! Making a block: the transactions a producer chose, executed on the parent's post-state, with
//! the header's commitments (state, transactions, receipts and withdrawals roots, bloom, gas)
//! filled from what they did. Tools that need real blocks without a node use it: the example
//! chain, the benchmarks, a shard node's relayer.

use alloc::vec::Vec;
use primitive_types::{H160, H256};

use super::base_fee::expected_base_fee;
use super::blob_gas::expected_excess_blob_gas;
use super::difficulty::{EMPTY_OMMERS_HASH, expected_difficulty};
use super::execute::{apply_block, logs_bloom, validate_body};
use super::receipt::receipts_root;
use super::validate::validate_header;
use super::withdrawals::withdrawals_root;
use super::{Block, BlockError, BlockOutcome, ChainSpec, Header, Withdrawal};
use crate::precompiles::Precompiles;
use crate::spec::SpecId;
use crate::state::State;
use crate::tx::Transaction;

/// What the producer chooses; everything else in the header follows from the parent, the fork
/// and the execution.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BlockTemplate {
    /// Fee and reward recipient.
    pub beneficiary: H160,
    /// Seconds since the epoch; must be after the parent's.
    pub timestamp: u64,
    /// Gas limit, within the parent's ± 1/1024.
    pub gas_limit: u64,
    /// Up to 32 bytes.
    pub extra_data: Vec<u8>,
    /// `prevRandao` from the merge on; the Ethash mix hash before it.
    pub mix_hash: H256,
    /// The Ethash nonce before the merge (the builder does not mine: a chain that checks seals
    /// refuses a pre-merge block made here).
    pub nonce: [u8; 8],
    /// EIP-4788's parent beacon block root (Cancun on; zero when `None`).
    pub parent_beacon_block_root: Option<H256>,
    /// Transactions in order; each must be valid where it stands.
    pub transactions: Vec<Transaction>,
    /// EIP-4895 withdrawals (Shanghai on; an empty list when `None`).
    pub withdrawals: Option<Vec<Withdrawal>>,
}

/// Executes `template`'s transactions on `state`, the post-state of `parent`, under `spec`, and
/// returns the block with every commitment filled, and its outcome. The header is checked
/// against the parent as an importer checks it, so a template that breaks a header rule (an
/// early timestamp, a gas limit out of bounds) is refused before anything runs.
///
/// On success `state` holds the block's post-state; on error it may hold part of it.
pub fn build_block<S: State>(
    state: &mut S,
    chain: &ChainSpec,
    spec: SpecId,
    parent: &Header,
    template: BlockTemplate,
    precompiles: &dyn Precompiles,
) -> Result<(Block, BlockOutcome), BlockError<S::Error>> {
    let number = parent.number.saturating_add(1);
    let shanghai = spec.is_enabled_in(SpecId::Shanghai);
    let cancun = spec.is_enabled_in(SpecId::Cancun);
    let withdrawals = shanghai.then(|| template.withdrawals.unwrap_or_default());
    let transactions = template.transactions;
    let header = Header {
        parent_hash: parent.hash(),
        ommers_hash: EMPTY_OMMERS_HASH,
        beneficiary: template.beneficiary,
        transactions_root: witness::ordered_trie_root(transactions.iter().map(|tx| tx.encode())),
        difficulty: expected_difficulty(
            spec,
            chain.bomb_delay_at(number),
            parent,
            template.timestamp,
            number,
        ),
        number,
        gas_limit: template.gas_limit,
        timestamp: template.timestamp,
        extra_data: template.extra_data,
        mix_hash: template.mix_hash,
        nonce: if spec.is_enabled_in(SpecId::Paris) {
            [0; 8]
        } else {
            template.nonce
        },
        base_fee_per_gas: spec
            .is_enabled_in(SpecId::London)
            .then(|| expected_base_fee(parent)),
        withdrawals_root: withdrawals.as_deref().map(withdrawals_root),
        blob_gas_used: cancun.then_some(0),
        excess_blob_gas: cancun.then(|| expected_excess_blob_gas(parent)),
        parent_beacon_block_root: cancun
            .then(|| template.parent_beacon_block_root.unwrap_or_default()),
        ..Header::default()
    };
    validate_header(chain, spec, parent, &header).map_err(BlockError::lift)?;
    let mut block = Block {
        header,
        transactions,
        ommers: Vec::new(),
        withdrawals,
    };
    validate_body(spec, &block).map_err(BlockError::lift)?;

    let applied = apply_block(state, chain, spec, &block, precompiles)?;
    let state_root = state.state_root().map_err(BlockError::State)?;
    let header = &mut block.header;
    header.gas_used = applied.gas_used;
    if cancun {
        header.blob_gas_used = Some(applied.blob_gas_used);
    }
    header.logs_bloom = logs_bloom(&applied.receipts);
    header.receipts_root = receipts_root(&applied.receipts);
    header.state_root = state_root;
    let outcome = BlockOutcome {
        receipts: applied.receipts,
        gas_used: applied.gas_used,
        blob_gas_used: applied.blob_gas_used,
        state_root,
    };
    Ok((block, outcome))
}
