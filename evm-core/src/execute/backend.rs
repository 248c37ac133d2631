//! The `evm` crate's read-only backend over a [`State`]: block environment plus pre-transaction
//! state. Writes go to the `evm` crate's overlay on top of it and are committed after the
//! transaction.

use alloc::vec::Vec;
use core::cell::RefCell;
use evm::interpreter::runtime::{RuntimeBaseBackend, RuntimeEnvironment};
use primitive_types::{H160, H256, U256};

use super::BlockEnv;
use crate::spec::SpecId;
use crate::state::{AccountInfo, EMPTY_CODE_HASH, State};

/// BLOCKHASH reaches back this many blocks.
use crate::block::BLOCK_HASH_WINDOW;

/// Reads through to `state`. The `evm` backend traits cannot fail, so the first state error is kept
/// here, reads answer as if empty from then on, and the executor turns the kept error into a
/// failed transaction instead of trusting anything computed after it.
pub(crate) struct StateBackend<'a, S: State> {
    state: &'a S,
    env: &'a BlockEnv,
    spec: SpecId,
    blob_hashes: &'a [H256],
    error: RefCell<Option<S::Error>>,
}

impl<'a, S: State> StateBackend<'a, S> {
    pub(crate) fn new(
        state: &'a S,
        env: &'a BlockEnv,
        spec: SpecId,
        blob_hashes: &'a [H256],
    ) -> Self {
        StateBackend {
            state,
            env,
            spec,
            blob_hashes,
            error: RefCell::new(None),
        }
    }

    /// The first state error met, if any.
    pub(crate) fn take_error(&self) -> Option<S::Error> {
        self.error.borrow_mut().take()
    }

    fn read<T: Default>(&self, result: Result<T, S::Error>) -> T {
        match result {
            Ok(value) => value,
            Err(error) => {
                let mut slot = self.error.borrow_mut();
                if slot.is_none() {
                    *slot = Some(error);
                }
                T::default()
            }
        }
    }

    pub(crate) fn account(&self, address: H160) -> Option<AccountInfo> {
        self.read(self.state.account(address))
    }
}

impl<S: State> RuntimeEnvironment for StateBackend<'_, S> {
    fn block_hash(&self, number: U256) -> H256 {
        let current = self.env.number;
        if number >= U256::from(current) {
            return H256::zero();
        }
        let number = number.low_u64();
        if current - number > BLOCK_HASH_WINDOW {
            return H256::zero();
        }
        self.read(self.state.block_hash(number))
    }

    fn block_number(&self) -> U256 {
        U256::from(self.env.number)
    }

    fn block_coinbase(&self) -> H160 {
        self.env.coinbase
    }

    fn block_timestamp(&self) -> U256 {
        U256::from(self.env.timestamp)
    }

    fn block_difficulty(&self) -> U256 {
        self.env.difficulty
    }

    fn block_randomness(&self) -> Option<H256> {
        // EIP-4399: from the merge on, the DIFFICULTY opcode reads prevRandao.
        if self.spec.is_enabled_in(SpecId::Paris) {
            Some(self.env.prevrandao.unwrap_or_default())
        } else {
            None
        }
    }

    fn block_gas_limit(&self) -> U256 {
        U256::from(self.env.gas_limit)
    }

    fn block_base_fee_per_gas(&self) -> U256 {
        self.env.base_fee
    }

    fn blob_versioned_hash(&self, index: U256) -> H256 {
        if index >= U256::from(self.blob_hashes.len()) {
            return H256::zero();
        }
        self.blob_hashes
            .get(index.low_u64() as usize)
            .copied()
            .unwrap_or_default()
    }

    fn blob_base_fee_per_gas(&self) -> U256 {
        self.env.blob_base_fee()
    }

    fn chain_id(&self) -> U256 {
        U256::from(self.env.chain_id)
    }
}

impl<S: State> RuntimeBaseBackend for StateBackend<'_, S> {
    fn balance(&self, address: H160) -> U256 {
        self.account(address).map(|a| a.balance).unwrap_or_default()
    }

    fn code_size(&self, address: H160) -> U256 {
        U256::from(self.code(address).len())
    }

    fn code_hash(&self, address: H160) -> H256 {
        self.account(address)
            .map(|a| a.code_hash)
            .unwrap_or_default()
    }

    fn code(&self, address: H160) -> Vec<u8> {
        match self.account(address) {
            Some(account) if account.code_hash != EMPTY_CODE_HASH => {
                self.read(self.state.code(address))
            }
            _ => Vec::new(),
        }
    }

    fn storage(&self, address: H160, index: H256) -> H256 {
        self.read(self.state.storage(address, index))
    }

    fn transient_storage(&self, _address: H160, _index: H256) -> H256 {
        // EIP-1153: transient storage starts empty in every transaction.
        H256::zero()
    }

    fn exists(&self, address: H160) -> bool {
        self.account(address).is_some()
    }

    fn can_create(&self, address: H160) -> bool {
        // EIP-7610: an address with a nonce, code or storage cannot be created over.
        match self.account(address) {
            None => true,
            Some(account) => {
                account.nonce == 0
                    && account.code_hash == EMPTY_CODE_HASH
                    && !self.read(self.state.has_storage(address))
            }
        }
    }

    fn nonce(&self, address: H160) -> U256 {
        U256::from(self.account(address).map(|a| a.nonce).unwrap_or_default())
    }
}
