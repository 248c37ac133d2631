//! A [`State`] wrapper that records every key execution reads or writes: what a witness must cover.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;
use core::cell::RefCell;
use primitive_types::{H160, H256};

use evm_core::state::{AccountChange, AccountInfo, State, StateChanges};

/// The keys a block touched.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccessRecord {
    /// Accounts read or written (their code included when they have any).
    pub accounts: BTreeSet<H160>,
    /// Storage slots read or written, per account.
    pub storage: BTreeMap<H160, BTreeSet<H256>>,
    /// Block numbers BLOCKHASH asked for.
    pub block_hashes: BTreeSet<u64>,
}

/// Passes everything to `inner` and remembers the keys, and every commit in order (witness
/// generation replays them to find the nodes deletions need).
pub struct RecordingState<S> {
    inner: S,
    record: RefCell<AccessRecord>,
    commits: Vec<StateChanges>,
}

impl<S: State> RecordingState<S> {
    /// Starts recording over `inner`.
    pub fn new(inner: S) -> Self {
        RecordingState {
            inner,
            record: RefCell::new(AccessRecord::default()),
            commits: Vec::new(),
        }
    }

    /// The state and the keys touched.
    pub fn finish(self) -> (S, AccessRecord) {
        (self.inner, self.record.into_inner())
    }

    /// Every commit so far, in order.
    pub fn commits(&self) -> &[StateChanges] {
        &self.commits
    }

    /// The wrapped state.
    pub fn inner(&self) -> &S {
        &self.inner
    }
}

impl<S: State> State for RecordingState<S> {
    type Error = S::Error;

    fn account(&self, address: H160) -> Result<Option<AccountInfo>, S::Error> {
        self.record.borrow_mut().accounts.insert(address);
        self.inner.account(address)
    }

    fn code(&self, address: H160) -> Result<Vec<u8>, S::Error> {
        self.record.borrow_mut().accounts.insert(address);
        self.inner.code(address)
    }

    fn storage(&self, address: H160, key: H256) -> Result<H256, S::Error> {
        {
            let mut record = self.record.borrow_mut();
            record.accounts.insert(address);
            record.storage.entry(address).or_default().insert(key);
        }
        self.inner.storage(address, key)
    }

    fn has_storage(&self, address: H160) -> Result<bool, S::Error> {
        // The account's storage root answers this: the account proof covers it.
        self.record.borrow_mut().accounts.insert(address);
        self.inner.has_storage(address)
    }

    fn block_hash(&self, number: u64) -> Result<H256, S::Error> {
        self.record.borrow_mut().block_hashes.insert(number);
        self.inner.block_hash(number)
    }

    fn commit(&mut self, changes: &StateChanges) -> Result<(), S::Error> {
        {
            let mut record = self.record.borrow_mut();
            for (address, change) in changes {
                record.accounts.insert(*address);
                if let AccountChange::Updated { storage, .. } = change {
                    record
                        .storage
                        .entry(*address)
                        .or_default()
                        .extend(storage.keys().copied());
                }
            }
        }
        self.inner.commit(changes)?;
        self.commits.push(changes.clone());
        Ok(())
    }

    fn state_root(&mut self) -> Result<H256, S::Error> {
        self.inner.state_root()
    }
}
