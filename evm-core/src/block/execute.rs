//! Executes and validates a whole block, top to bottom: header and body against the parent and
//! the header, the DAO fork's state change, the beacon root, the transactions with their
//! receipts, withdrawals, rewards, then the header's commitments to the result.

use alloc::vec::Vec;
use primitive_types::H256;

use super::beacon_root::apply_beacon_root;
use super::dao::dao_drain_changes;
use super::receipt::{Receipt, receipts_root};
use super::rewards::reward_changes;
use super::validate::{validate_header, validate_ommers};
use super::withdrawals::{withdrawal_changes, withdrawals_root};
use super::{Block, BlockError, ChainSpec, Header};
use crate::execute::{BlockEnv, BlockGasLeft, MAX_BLOB_GAS_PER_BLOCK, TransactError, transact};
use crate::logs::Bloom;
use crate::precompiles::Precompiles;
use crate::spec::SpecId;
use crate::state::State;

/// What a valid block did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockOutcome {
    /// One receipt per transaction.
    pub receipts: Vec<Receipt>,
    /// Gas used by all transactions.
    pub gas_used: u64,
    /// Blob gas used by all transactions (EIP-4844).
    pub blob_gas_used: u64,
    /// The post-state root (equal to the header's).
    pub state_root: H256,
}

/// Executes and validates `block` on `state`, which must be the parent's post-state, under
/// `spec` (from [`ChainSpec::spec_at`]). On success the state holds the block's post-state.
///
/// `ancestors` are headers before the block (in any order, with or without the parent), at least
/// the seven before it when the block has ommers: ommers must descend from them. Whether an
/// ommer was already included by an ancestor needs the ancestors' bodies: callers that have them
/// check it with [`validate_ommers`]. BLOCKHASH reads come from [`State::block_hash`].
///
/// # Assumptions
///
/// The proof-of-work seal is not verified, and `spec` is trusted to be the block's fork (a
/// total-difficulty activation needs the parent's total difficulty, which only the caller knows).
///
/// On error the state may hold part of the block's changes: callers discard it.
pub fn execute_block<S: State>(
    state: &mut S,
    chain: &ChainSpec,
    spec: SpecId,
    parent: &Header,
    ancestors: &[Header],
    block: &Block,
    precompiles: &dyn Precompiles,
) -> Result<BlockOutcome, BlockError<S::Error>> {
    let header = &block.header;

    // 1. Consensus checks of the header and the body, before anything runs.
    validate_header(chain, spec, parent, header).map_err(BlockError::lift)?;
    validate_body(spec, block).map_err(BlockError::lift)?;
    if !block.ommers.is_empty() && !ancestors.contains(parent) {
        let mut with_parent = ancestors.to_vec();
        with_parent.push(parent.clone());
        validate_ommers(chain, spec, header, &block.ommers, &with_parent, &[])
    } else {
        validate_ommers(chain, spec, header, &block.ommers, ancestors, &[])
    }
    .map_err(BlockError::lift)?;

    let applied = apply_block(state, chain, spec, block, precompiles)?;
    let (receipts, gas_used, blob_gas_used) =
        (applied.receipts, applied.gas_used, applied.blob_gas_used);

    // 6. The header's commitments to the result.
    if gas_used != header.gas_used {
        return Err(BlockError::GasUsedMismatch {
            got: gas_used,
            expected: header.gas_used,
        });
    }
    if let Some(expected) = header.blob_gas_used
        && blob_gas_used != expected
    {
        return Err(BlockError::BlobGasUsedMismatch {
            got: blob_gas_used,
            expected,
        });
    }
    let bloom = logs_bloom(&receipts);
    if bloom != header.logs_bloom {
        return Err(BlockError::BloomMismatch {
            got: alloc::boxed::Box::new(bloom),
            expected: alloc::boxed::Box::new(header.logs_bloom),
        });
    }
    let receipts_root = receipts_root(&receipts);
    if receipts_root != header.receipts_root {
        return Err(BlockError::ReceiptsRootMismatch {
            got: receipts_root,
            expected: header.receipts_root,
        });
    }
    let state_root = state.state_root().map_err(BlockError::State)?;
    if state_root != header.state_root {
        return Err(BlockError::StateRootMismatch {
            got: state_root,
            expected: header.state_root,
        });
    }
    Ok(BlockOutcome {
        receipts,
        gas_used,
        blob_gas_used,
        state_root,
    })
}

/// What running a block's state changes gave, before any commitment is compared.
pub(crate) struct AppliedBlock {
    pub(crate) receipts: Vec<Receipt>,
    pub(crate) gas_used: u64,
    pub(crate) blob_gas_used: u64,
}

/// Steps 2 to 5 of [`execute_block`]: the DAO drain, the beacon root, the transactions with
/// their receipts, the withdrawals and the rewards, on `state`. The header is read for the block
/// environment and the gas limit only, so a block builder can run it before the commitments are
/// known.
pub(crate) fn apply_block<S: State>(
    state: &mut S,
    chain: &ChainSpec,
    spec: SpecId,
    block: &Block,
    precompiles: &dyn Precompiles,
) -> Result<AppliedBlock, BlockError<S::Error>> {
    let header = &block.header;
    let env = BlockEnv {
        number: header.number,
        coinbase: header.beneficiary,
        timestamp: header.timestamp,
        difficulty: header.difficulty,
        prevrandao: spec.is_enabled_in(SpecId::Paris).then_some(header.mix_hash),
        gas_limit: header.gas_limit,
        base_fee: header.base_fee_per_gas.unwrap_or_default(),
        excess_blob_gas: header.excess_blob_gas,
        chain_id: chain.chain_id,
    };

    // 2. Irregular state change at the DAO fork block, before any transaction.
    if chain.dao_fork_block == Some(header.number) {
        let changes = dao_drain_changes(state).map_err(BlockError::State)?;
        state.commit(&changes).map_err(BlockError::State)?;
    }

    // 3. EIP-4788: the parent beacon block root, stored by a system call.
    if let Some(root) = header.parent_beacon_block_root
        && spec.is_enabled_in(SpecId::Cancun)
    {
        apply_beacon_root(state, &env, spec, precompiles, root)
            .map_err(|error| transact_error(None, error))?;
    }

    // 4. Transactions, each with its receipt.
    let mut receipts = Vec::with_capacity(block.transactions.len());
    let mut gas_used: u64 = 0;
    let mut blob_gas_used: u64 = 0;
    for (index, tx) in block.transactions.iter().enumerate() {
        let invalid = |source| BlockError::InvalidTransaction { index, source };
        let sender = tx.recover_sender(spec).map_err(invalid)?;
        tx.check_chain_id(chain.chain_id).map_err(invalid)?;
        let left = BlockGasLeft {
            gas: header.gas_limit.saturating_sub(gas_used),
            blob_gas: MAX_BLOB_GAS_PER_BLOCK.saturating_sub(blob_gas_used),
        };
        let outcome = transact(state, &env, spec, precompiles, &tx.to_tx_env(sender), left)
            .map_err(|error| transact_error(Some(index), error))?;
        gas_used = gas_used.saturating_add(outcome.gas_used);
        blob_gas_used = blob_gas_used.saturating_add(outcome.blob_gas_used);
        // Before Byzantium (EIP-658) a receipt carries the state root after its transaction.
        let state_root = if spec.is_enabled_in(SpecId::Byzantium) {
            None
        } else {
            Some(state.state_root().map_err(BlockError::State)?)
        };
        receipts.push(Receipt {
            tx_type: tx.tx_type,
            success: outcome.success,
            state_root,
            cumulative_gas_used: gas_used,
            logs_bloom: Bloom::of_logs(&outcome.logs),
            logs: outcome.logs,
        });
    }

    // 5. EIP-4895 withdrawals, then the proof-of-work rewards (never both in one block).
    if let Some(withdrawals) = &block.withdrawals {
        let changes = withdrawal_changes(state, withdrawals).map_err(BlockError::State)?;
        state.commit(&changes).map_err(BlockError::State)?;
    }
    let rewards = reward_changes(state, spec, header, &block.ommers).map_err(BlockError::State)?;
    state.commit(&rewards).map_err(BlockError::State)?;
    Ok(AppliedBlock {
        receipts,
        gas_used,
        blob_gas_used,
    })
}

/// The union of the receipts' blooms.
pub(crate) fn logs_bloom(receipts: &[Receipt]) -> Bloom {
    let mut bloom = Bloom::default();
    for receipt in receipts {
        bloom.merge(&receipt.logs_bloom);
    }
    bloom
}

/// The body against the header: transactions root, withdrawals present exactly from Shanghai on
/// and matching the withdrawals root.
pub(crate) fn validate_body(spec: SpecId, block: &Block) -> Result<(), BlockError> {
    let header = &block.header;
    let transactions_root =
        witness::ordered_trie_root(block.transactions.iter().map(|tx| tx.encode()));
    if transactions_root != header.transactions_root {
        return Err(BlockError::TransactionsRootMismatch {
            got: transactions_root,
            expected: header.transactions_root,
        });
    }
    let shanghai = spec.is_enabled_in(SpecId::Shanghai);
    match (&block.withdrawals, header.withdrawals_root) {
        (Some(withdrawals), Some(expected)) if shanghai => {
            let got = withdrawals_root(withdrawals);
            if got != expected {
                return Err(BlockError::WithdrawalsRootMismatch { got, expected });
            }
        }
        (None, None) if !shanghai => {}
        _ => {
            return Err(BlockError::WithdrawalsPresence {
                spec,
                expected_present: shanghai,
            });
        }
    }
    Ok(())
}

fn transact_error<E: core::fmt::Debug + core::fmt::Display>(
    index: Option<usize>,
    error: TransactError<E>,
) -> BlockError<E> {
    match error {
        TransactError::Invalid(source) => BlockError::InvalidTransaction {
            index: index.unwrap_or_default(),
            source,
        },
        TransactError::State(error) => BlockError::State(error),
        TransactError::Fatal(fault) => BlockError::Interpreter { index, fault },
    }
}
