//! Executes one transaction: validity checks against the fork, the block and the state, then the
//! `evm` crate's interpreter over a [`State`], then the commit of what changed.

mod backend;
mod env;
mod frame;
mod invoker;
mod precompile_set;
mod system;

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;
use core::cell::Cell;
use evm::backend::{OverlayedBackend, OverlayedChangeSet};
use evm::interpreter::etable::{Chained, DispatchEtable, Single};
use evm::interpreter::runtime::RuntimeBackend;
use evm::interpreter::trap::CallCreateTrap;
use evm::interpreter::{ExitError, ExitFatal};
use evm::standard::{
    EtableResolver, Invoker, TransactArgs, TransactArgsCallCreate, TransactGasPrice,
    TransactValueCallCreate,
};
use primitive_types::{H160, U256};

pub use env::{BlockEnv, GAS_PER_BLOB, MAX_BLOB_GAS_PER_BLOCK, MAX_BLOBS_PER_TX, fake_exponential};
pub use frame::MEMORY_LIMIT;
pub use system::{SystemCall, SystemCallOutcome, system_call};

use crate::logs::Log;
use crate::precompiles::Precompiles;
use crate::spec::SpecId;
use crate::state::{AccountChange, EMPTY_CODE_HASH, State, StateChanges};
use crate::tx::{GasPrice, InvalidTransaction, TxEnv, TxKind, validate_static};
use backend::StateBackend;
use frame::{FrameArgs, FrameState, eval_gas};
use invoker::GasObservingInvoker;
use precompile_set::ForkPrecompiles;

/// Calls deeper than this run on the heap instead of the native stack, so that 1024-deep call
/// chains fit in a Wasm guest's stack too.
const HEAP_DEPTH: Option<usize> = Some(4);

/// What an included transaction did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxOutcome {
    /// The top-level call or creation succeeded (receipt status 1).
    pub success: bool,
    /// Gas charged after refunds.
    pub gas_used: u64,
    /// Logs (empty when the transaction failed).
    pub logs: Vec<Log>,
    /// Return data of a call (empty for creations).
    pub output: Vec<u8>,
    /// Address of the created contract, for successful creations.
    pub created_address: Option<H160>,
    /// Blob gas the transaction used (EIP-4844).
    pub blob_gas_used: u64,
    /// Every account change, already committed to the state.
    pub changes: StateChanges,
}

/// Why a transaction could not be executed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransactError<E: core::fmt::Debug + core::fmt::Display> {
    /// The transaction is invalid: the block holding it is invalid; the state is untouched.
    #[error("invalid transaction: {0}")]
    Invalid(#[from] InvalidTransaction),
    /// The state could not answer a read or take a write (for example a witness gap).
    #[error("state access failed: {0}")]
    State(E),
    /// The interpreter hit an internal error; nothing is committed.
    #[error("interpreter fault: {0:?}")]
    Fatal(ExitFatal),
}

/// Limits the block still leaves to the transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockGasLeft {
    /// Block gas limit minus gas used by earlier transactions.
    pub gas: u64,
    /// Blob gas left (EIP-4844).
    pub blob_gas: u64,
}

impl BlockGasLeft {
    /// All of a block's gas: nothing executed yet.
    pub fn whole_block(env: &BlockEnv) -> Self {
        BlockGasLeft {
            gas: env.gas_limit,
            blob_gas: MAX_BLOB_GAS_PER_BLOCK,
        }
    }
}

/// Validates `tx` and, if valid, executes it and commits its changes to `state`.
pub fn transact<S: State>(
    state: &mut S,
    block: &BlockEnv,
    spec: SpecId,
    precompiles: &dyn Precompiles,
    tx: &TxEnv,
    left: BlockGasLeft,
) -> Result<TxOutcome, TransactError<S::Error>> {
    let blob_gas_used = validate_against_block_and_state(state, block, spec, tx, left)?;

    let backend = StateBackend::new(state, block, spec, &tx.blob_versioned_hashes);
    let (result, used_gas, changeset) =
        run_interpreter(&backend, block, spec, precompiles, tx, blob_gas_used);
    // Resolving the changes reads the pre-state again: check for state errors after it.
    let changes = collect_changes(&backend, &changeset);
    if let Some(error) = backend.take_error() {
        return Err(TransactError::State(error));
    }
    let value = match result {
        Err(ExitError::Fatal(fatal)) => return Err(TransactError::Fatal(fatal)),
        other => other,
    };
    drop(backend);
    state.commit(&changes).map_err(TransactError::State)?;

    let gas_used = used_gas.min(U256::from(u64::MAX)).low_u64();
    let (success, output, created_address) = match value {
        Ok(TransactValueCallCreate::Call { retval, .. }) => (true, retval, None),
        Ok(TransactValueCallCreate::Create { address, .. }) => (true, Vec::new(), Some(address)),
        Err(_) => (false, Vec::new(), None),
    };
    let logs = if success {
        changeset
            .logs
            .into_iter()
            .map(|log| Log {
                address: log.address,
                topics: log.topics,
                data: log.data,
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(TxOutcome {
        success,
        gas_used,
        logs,
        output,
        created_address,
        blob_gas_used,
        changes,
    })
}

/// The checks that depend on more than the transaction itself. Returns the blob gas it uses.
fn validate_against_block_and_state<S: State>(
    state: &S,
    block: &BlockEnv,
    spec: SpecId,
    tx: &TxEnv,
    left: BlockGasLeft,
) -> Result<u64, TransactError<S::Error>> {
    validate_static(tx, spec)?;
    if tx.gas_limit > left.gas {
        return Err(InvalidTransaction::GasLimitExceedsBlock {
            gas_limit: tx.gas_limit,
            available: left.gas,
        }
        .into());
    }
    let max_fee = tx.gas_price.max_fee();
    if spec.is_enabled_in(SpecId::London) && max_fee < block.base_fee {
        return Err(InvalidTransaction::FeeCapBelowBaseFee {
            max_fee,
            base_fee: block.base_fee,
        }
        .into());
    }
    let blob_gas = (tx.blob_versioned_hashes.len() as u64).saturating_mul(GAS_PER_BLOB);
    if spec.is_enabled_in(SpecId::Cancun) && !tx.blob_versioned_hashes.is_empty() {
        if blob_gas > left.blob_gas {
            return Err(InvalidTransaction::BlobGasExceedsBlock {
                blob_gas,
                available: left.blob_gas,
            }
            .into());
        }
        let blob_base_fee = block.blob_base_fee();
        if tx.max_fee_per_blob_gas < blob_base_fee {
            return Err(InvalidTransaction::BlobFeeCapTooLow {
                max_fee: tx.max_fee_per_blob_gas,
                blob_base_fee,
            }
            .into());
        }
    }

    let sender = state
        .account(tx.caller)
        .map_err(TransactError::State)?
        .unwrap_or(crate::state::AccountInfo {
            nonce: 0,
            balance: U256::zero(),
            code_hash: EMPTY_CODE_HASH,
        });
    // EIP-2681: a nonce can never reach 2^64 - 1 + 1.
    if sender.nonce == u64::MAX {
        return Err(InvalidTransaction::NonceOverflow.into());
    }
    if tx.nonce != sender.nonce {
        return Err(InvalidTransaction::NonceMismatch {
            tx: tx.nonce,
            state: sender.nonce,
        }
        .into());
    }
    // EIP-3607: accounts with code cannot originate transactions.
    if sender.code_hash != EMPTY_CODE_HASH {
        return Err(InvalidTransaction::SenderNotEoa.into());
    }
    let cost = U256::from(tx.gas_limit)
        .checked_mul(max_fee)
        .and_then(|gas_cost| gas_cost.checked_add(tx.value))
        .and_then(|cost| {
            cost.checked_add(U256::from(blob_gas).checked_mul(tx.max_fee_per_blob_gas)?)
        })
        .ok_or(InvalidTransaction::CostOverflow)?;
    if sender.balance < cost {
        return Err(InvalidTransaction::InsufficientFunds {
            balance: sender.balance,
            cost,
        }
        .into());
    }
    Ok(if spec.is_enabled_in(SpecId::Cancun) {
        blob_gas
    } else {
        0
    })
}

type EvmResult = Result<TransactValueCallCreate, ExitError>;

/// Runs the interpreter over an overlay of `backend`; returns the result, the gas used and what the
/// overlay collected.
fn run_interpreter<S: State>(
    backend: &StateBackend<'_, S>,
    block: &BlockEnv,
    spec: SpecId,
    precompiles: &dyn Precompiles,
    tx: &TxEnv,
    blob_gas_used: u64,
) -> (EvmResult, U256, OverlayedChangeSet) {
    let config = spec.evm_config();
    let mut overlay = OverlayedBackend::new(backend, &config.runtime);

    // EIP-4844: the blob fee is paid up front and burned, whatever the execution does.
    let blob_fee = U256::from(blob_gas_used).saturating_mul(block.blob_base_fee());
    let (result, used_gas) = match overlay.withdrawal(tx.caller, blob_fee) {
        Err(error) => (Err(error), U256::zero()),
        Ok(()) => execute_on(&mut overlay, spec, precompiles, tx, config),
    };
    let (_, changeset) = overlay.deconstruct();
    (result, used_gas, changeset)
}

fn execute_on<H>(
    handler: &mut H,
    spec: SpecId,
    precompiles: &dyn Precompiles,
    tx: &TxEnv,
    config: &evm::standard::Config,
) -> (EvmResult, U256)
where
    H: evm::interpreter::runtime::RuntimeEnvironment
        + RuntimeBackend
        + evm::backend::TransactionalBackend,
{
    let fork_precompiles = ForkPrecompiles {
        precompiles,
        spec,
        addresses: precompiles.addresses(spec),
    };
    let gas_etable = Single::new(eval_gas::<H, CallCreateTrap> as fn(&mut _, &mut H, usize) -> _);
    let exec_etable: DispatchEtable<FrameState<'_>, H, CallCreateTrap> = DispatchEtable::runtime();
    let etable = Chained(gas_etable, exec_etable);
    let resolver = EtableResolver::new(&fork_precompiles, &etable);
    let invoker = GasObservingInvoker {
        inner: Invoker::new(&resolver),
        gas_limit: U256::from(tx.gas_limit),
        used_gas: Cell::new(U256::from(tx.gas_limit)),
    };
    let call_create = match tx.kind {
        TxKind::Call(address) => TransactArgsCallCreate::Call {
            address,
            data: tx.data.clone(),
        },
        TxKind::Create => TransactArgsCallCreate::Create {
            init_code: tx.data.clone(),
            salt: None,
        },
    };
    let gas_price = match tx.gas_price {
        GasPrice::Legacy(price) => TransactGasPrice::Legacy(price),
        GasPrice::FeeMarket {
            max_fee,
            max_priority_fee,
        } => TransactGasPrice::FeeMarket {
            max_priority: max_priority_fee,
            max: max_fee,
        },
    };
    let args = FrameArgs {
        args: TransactArgs {
            call_create,
            caller: tx.caller,
            value: tx.value,
            gas_limit: U256::from(tx.gas_limit),
            gas_price,
            access_list: tx
                .access_list
                .iter()
                .map(|item| (item.address, item.storage_keys.clone()))
                .collect(),
            config,
        },
        eip1283: spec == SpecId::Constantinople,
    };
    let result = evm::transact(args, HEAP_DEPTH, handler, &invoker).map(|value| value.call_create);
    (result, invoker.used_gas.get())
}

/// Resolves the overlay's change set against the pre-state into final account values.
fn collect_changes<S: State>(
    backend: &StateBackend<'_, S>,
    changeset: &OverlayedChangeSet,
) -> StateChanges {
    let mut storage_by_account: BTreeMap<H160, BTreeMap<_, _>> = BTreeMap::new();
    for ((address, key), value) in &changeset.storages {
        storage_by_account
            .entry(*address)
            .or_default()
            .insert(*key, *value);
    }
    let addresses: BTreeSet<H160> = changeset
        .balances
        .keys()
        .chain(changeset.codes.keys())
        .chain(changeset.nonces.keys())
        .chain(changeset.storage_resets.iter())
        .chain(storage_by_account.keys())
        .chain(changeset.touched.iter())
        .chain(changeset.deletes.iter())
        .copied()
        .collect();
    let mut changes = StateChanges::new();
    for address in addresses {
        if changeset.deletes.contains(&address) {
            changes.insert(address, AccountChange::Deleted);
            continue;
        }
        let pre = backend.account(address);
        let nonce = match changeset.nonces.get(&address) {
            Some(nonce) => nonce.min(&U256::from(u64::MAX)).low_u64(),
            None => pre.as_ref().map(|a| a.nonce).unwrap_or_default(),
        };
        let balance = match changeset.balances.get(&address) {
            Some(balance) => *balance,
            None => pre.as_ref().map(|a| a.balance).unwrap_or_default(),
        };
        changes.insert(
            address,
            AccountChange::Updated {
                nonce,
                balance,
                code: changeset.codes.get(&address).cloned(),
                storage_cleared: changeset.storage_resets.contains(&address),
                storage: storage_by_account.remove(&address).unwrap_or_default(),
            },
        );
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::precompiles::NativePrecompiles;
    use crate::state::{InMemoryAccount, InMemoryState};
    use crate::tx::TxType;

    const CALLER: H160 = H160([0xca; 20]);
    const CONTRACT: H160 = H160([0xc0; 20]);

    /// Runs `code` as the callee of a Cancun call with `gas_limit` and free gas.
    fn call_with_gas(code: &[u8], gas_limit: u64) -> TxOutcome {
        let mut accounts = BTreeMap::new();
        accounts.insert(CALLER, InMemoryAccount::default());
        accounts.insert(
            CONTRACT,
            InMemoryAccount {
                code: code.to_vec(),
                ..Default::default()
            },
        );
        let mut state = InMemoryState::new(accounts);
        let block = BlockEnv {
            number: 1,
            coinbase: H160::zero(),
            timestamp: 1,
            difficulty: U256::zero(),
            prevrandao: Some(primitive_types::H256::zero()),
            gas_limit: u64::MAX,
            base_fee: U256::zero(),
            excess_blob_gas: Some(0),
            chain_id: 1,
        };
        let tx = TxEnv {
            tx_type: TxType::Legacy,
            caller: CALLER,
            nonce: 0,
            gas_limit,
            gas_price: GasPrice::Legacy(U256::zero()),
            kind: TxKind::Call(CONTRACT),
            value: U256::zero(),
            data: Vec::new(),
            access_list: Vec::new(),
            max_fee_per_blob_gas: U256::zero(),
            blob_versioned_hashes: Vec::new(),
        };
        transact(
            &mut state,
            &block,
            SpecId::Cancun,
            &NativePrecompiles,
            &tx,
            BlockGasLeft::whole_block(&block),
        )
        .unwrap()
    }

    /// PUSH1 0x2a, PUSH5 `offset`, MSTORE, STOP.
    fn mstore_at(offset: u64) -> Vec<u8> {
        let mut code = vec![0x60, 0x2a, 0x64];
        code.extend_from_slice(&offset.to_be_bytes()[3..]);
        code.extend_from_slice(&[0x52, 0x00]);
        code
    }

    /// With gas for it (8 GiB of memory costs about 1.4 * 10^14 gas, 2^50 is more), MSTORE at
    /// 8 GiB is out of gas at the memory limit, as in the 32-bit EE, instead of having the host
    /// allocate 8 GiB or abort trying.
    #[test]
    fn memory_past_the_limit_is_out_of_gas_whatever_the_gas() {
        let gas_limit = 1 << 50;
        let outcome = call_with_gas(&mstore_at(8 << 30), gas_limit);
        assert!(!outcome.success);
        assert_eq!(
            outcome.gas_used, gas_limit,
            "an exceptional halt uses all gas"
        );
        // Within the limit the same code runs: 21,000 + 3 + 3 + 3 + memory for one word.
        let outcome = call_with_gas(&mstore_at(0), 100_000);
        assert!(outcome.success);
        assert_eq!(outcome.gas_used, 21_000 + 9 + 3);
    }
}
