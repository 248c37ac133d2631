//! A whole world state in memory: the `pre` of a test fixture, the state a witness is generated
//! from, the reference for the stateless path.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::convert::Infallible;
use primitive_types::{H160, H256, U256};

use super::{
    AccountChange, AccountInfo, EMPTY_CODE_HASH, State, StateChanges, account_rlp, storage_root,
};

/// One account with everything it holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InMemoryAccount {
    /// Nonce.
    pub nonce: u64,
    /// Balance.
    pub balance: U256,
    /// Code.
    pub code: Vec<u8>,
    /// Non-zero storage slots.
    pub storage: BTreeMap<H256, H256>,
}

impl InMemoryAccount {
    /// keccak256 of the code.
    pub fn code_hash(&self) -> H256 {
        if self.code.is_empty() {
            EMPTY_CODE_HASH
        } else {
            witness::keccak256(&self.code)
        }
    }
}

/// Accounts and known block hashes, all in `BTreeMap`s so that iteration (and so every root and
/// report) is deterministic.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InMemoryState {
    /// Accounts by address.
    pub accounts: BTreeMap<H160, InMemoryAccount>,
    /// Known block hashes by number; unknown ones read as zero.
    pub block_hashes: BTreeMap<u64, H256>,
}

impl InMemoryState {
    /// A state holding `accounts`; zero storage values are dropped, as the trie does.
    pub fn new(accounts: BTreeMap<H160, InMemoryAccount>) -> Self {
        let mut state = InMemoryState {
            accounts,
            block_hashes: BTreeMap::new(),
        };
        for account in state.accounts.values_mut() {
            account.storage.retain(|_, value| !value.is_zero());
        }
        state
    }

    /// The state root: the secure trie of `keccak(address) -> rlp(account)`, computed from
    /// scratch.
    pub fn root(&self) -> H256 {
        witness::secure_trie_root(self.accounts.iter().map(|(address, account)| {
            (
                address.as_bytes().to_vec(),
                account_rlp(
                    account.nonce,
                    account.balance,
                    storage_root(&account.storage),
                    account.code_hash(),
                ),
            )
        }))
    }
}

impl State for InMemoryState {
    type Error = Infallible;

    fn account(&self, address: H160) -> Result<Option<AccountInfo>, Infallible> {
        Ok(self.accounts.get(&address).map(|account| AccountInfo {
            nonce: account.nonce,
            balance: account.balance,
            code_hash: account.code_hash(),
        }))
    }

    fn code(&self, address: H160) -> Result<Vec<u8>, Infallible> {
        Ok(self
            .accounts
            .get(&address)
            .map(|a| a.code.clone())
            .unwrap_or_default())
    }

    fn storage(&self, address: H160, key: H256) -> Result<H256, Infallible> {
        Ok(self
            .accounts
            .get(&address)
            .and_then(|a| a.storage.get(&key).copied())
            .unwrap_or_default())
    }

    fn has_storage(&self, address: H160) -> Result<bool, Infallible> {
        Ok(self
            .accounts
            .get(&address)
            .is_some_and(|a| !a.storage.is_empty()))
    }

    fn block_hash(&self, number: u64) -> Result<H256, Infallible> {
        Ok(self.block_hashes.get(&number).copied().unwrap_or_default())
    }

    fn commit(&mut self, changes: &StateChanges) -> Result<(), Infallible> {
        for (address, change) in changes {
            match change {
                AccountChange::Deleted => {
                    self.accounts.remove(address);
                }
                AccountChange::Updated {
                    nonce,
                    balance,
                    code,
                    storage_cleared,
                    storage,
                } => {
                    let account = self.accounts.entry(*address).or_default();
                    account.nonce = *nonce;
                    account.balance = *balance;
                    if let Some(code) = code {
                        account.code = code.clone();
                    }
                    if *storage_cleared {
                        account.storage.clear();
                    }
                    for (key, value) in storage {
                        if value.is_zero() {
                            account.storage.remove(key);
                        } else {
                            account.storage.insert(*key, *value);
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn state_root(&mut self) -> Result<H256, Infallible> {
        Ok(self.root())
    }
}
