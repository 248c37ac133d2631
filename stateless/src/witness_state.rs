//! A [`State`] backed by nothing but a witness: the account trie and the storage tries are sparse
//! tries resolved from the witness nodes, verified against the pre-state root when built.
//!
//! # Assumptions
//! The caller has checked that `pre_state_root` is the state root the block builds on (the parent
//! header's, itself checked against the EE's pre-state commitment). Everything else is verified
//! here: nodes are found by hash from that root, codes by their hash.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::collections::btree_map::Entry;
use alloc::vec::Vec;
use core::cell::RefCell;
use primitive_types::{H160, H256};
use witness::rlp;
use witness::{EMPTY_ROOT, NodePool, SparseTrie, TrieError, keccak256};

use evm_core::state::{
    AccountChange, AccountInfo, EMPTY_CODE_HASH, State, StateChanges, account_rlp,
    storage_value_rlp,
};

/// Why the witness cannot answer or take a change.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WitnessStateError {
    /// The account trie lacks a node on the path to `address`, or the node is malformed.
    #[error("account {address:?}: {source}")]
    AccountTrie {
        /// Account being read or written.
        address: H160,
        /// What the trie reported (boxed: paths make it large).
        source: Box<TrieError>,
    },
    /// A storage trie lacks a node on the path to `slot`, or the node is malformed.
    #[error("storage of {address:?} slot {slot:?}: {source}")]
    StorageTrie {
        /// Account owning the storage.
        address: H160,
        /// Slot being read or written.
        slot: H256,
        /// What the trie reported (boxed: paths make it large).
        source: Box<TrieError>,
    },
    /// An account leaf is not `rlp([nonce, balance, storage_root, code_hash])`.
    #[error("account {address:?}: malformed account leaf ({reason})")]
    MalformedAccount {
        /// The account.
        address: H160,
        /// What is wrong.
        reason: &'static str,
    },
    /// A storage leaf is not an RLP integer of at most 32 bytes.
    #[error("storage of {address:?} slot {slot:?}: malformed value")]
    MalformedStorageValue {
        /// The account.
        address: H160,
        /// The slot.
        slot: H256,
    },
    /// The witness has no code with the account's code hash.
    #[error("witness lacks the code of {address:?} (code hash {code_hash:?})")]
    MissingCode {
        /// The account.
        address: H160,
        /// Its code hash.
        code_hash: H256,
    },
    /// No hash is known for a block BLOCKHASH asked for.
    #[error("witness lacks the hash of block {number}")]
    MissingBlockHash {
        /// The block number.
        number: u64,
    },
}

/// Accounts, storage and code from a witness.
#[derive(Clone, Debug)]
pub struct WitnessState {
    accounts: SparseTrie,
    pool: NodePool,
    /// Storage tries opened so far; each is verified against its account's storage root when
    /// opened. `RefCell` because reads take `&self`.
    storage: RefCell<BTreeMap<H160, SparseTrie>>,
    codes: BTreeMap<H256, Vec<u8>>,
    block_hashes: BTreeMap<u64, H256>,
}

impl WitnessState {
    /// Verifies the witness nodes against `pre_state_root` and indexes the codes by their hash.
    /// Extra nodes and codes are tolerated.
    pub fn new(
        pre_state_root: H256,
        nodes: &[Vec<u8>],
        codes: &[Vec<u8>],
        block_hashes: BTreeMap<u64, H256>,
    ) -> Result<Self, TrieError> {
        let pool = NodePool::from_nodes(nodes);
        let accounts = SparseTrie::from_pool(pre_state_root, &pool)?;
        let codes = codes
            .iter()
            .map(|code| (keccak256(code), code.clone()))
            .collect();
        Ok(WitnessState {
            accounts,
            pool,
            storage: RefCell::new(BTreeMap::new()),
            codes,
            block_hashes,
        })
    }

    fn account_key(address: H160) -> H256 {
        keccak256(address.as_bytes())
    }

    /// The full account leaf: `(info, storage_root)`.
    fn read_account(
        &self,
        address: H160,
    ) -> Result<Option<(AccountInfo, H256)>, WitnessStateError> {
        let key = Self::account_key(address);
        let leaf =
            self.accounts
                .get(key.as_bytes())
                .map_err(|source| WitnessStateError::AccountTrie {
                    address,
                    source: Box::new(source),
                })?;
        leaf.map(|bytes| decode_account(address, bytes)).transpose()
    }

    /// Runs `f` on the storage trie of `address`, opening it from the pool on first use.
    fn with_storage<T>(
        &self,
        address: H160,
        slot: H256,
        f: impl FnOnce(&mut SparseTrie) -> Result<T, TrieError>,
    ) -> Result<T, WitnessStateError> {
        let mut tries = self.storage.borrow_mut();
        let trie = match tries.entry(address) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => {
                let root = self
                    .read_account(address)?
                    .map(|(_, root)| root)
                    .unwrap_or(EMPTY_ROOT);
                let trie = SparseTrie::from_pool(root, &self.pool).map_err(|source| {
                    WitnessStateError::StorageTrie {
                        address,
                        slot,
                        source: Box::new(source),
                    }
                })?;
                entry.insert(trie)
            }
        };
        f(trie).map_err(|source| WitnessStateError::StorageTrie {
            address,
            slot,
            source: Box::new(source),
        })
    }
}

fn decode_account(address: H160, bytes: &[u8]) -> Result<(AccountInfo, H256), WitnessStateError> {
    let malformed = |reason| WitnessStateError::MalformedAccount { address, reason };
    let mut fields = rlp::decode_list(bytes).map_err(|_| malformed("not one RLP list"))?;
    let nonce = fields.u64().map_err(|_| malformed("nonce"))?;
    let balance = fields.u256().map_err(|_| malformed("balance"))?;
    let storage_root = fields.h256().map_err(|_| malformed("storage root"))?;
    let code_hash = fields.h256().map_err(|_| malformed("code hash"))?;
    fields
        .finish()
        .map_err(|_| malformed("more than 4 items"))?;
    Ok((
        AccountInfo {
            nonce,
            balance,
            code_hash,
        },
        storage_root,
    ))
}

impl State for WitnessState {
    type Error = WitnessStateError;

    fn account(&self, address: H160) -> Result<Option<AccountInfo>, WitnessStateError> {
        Ok(self.read_account(address)?.map(|(info, _)| info))
    }

    fn code(&self, address: H160) -> Result<Vec<u8>, WitnessStateError> {
        match self.read_account(address)? {
            None => Ok(Vec::new()),
            Some((info, _)) if info.code_hash == EMPTY_CODE_HASH => Ok(Vec::new()),
            Some((info, _)) => {
                self.codes
                    .get(&info.code_hash)
                    .cloned()
                    .ok_or(WitnessStateError::MissingCode {
                        address,
                        code_hash: info.code_hash,
                    })
            }
        }
    }

    fn storage(&self, address: H160, key: H256) -> Result<H256, WitnessStateError> {
        let slot_key = keccak256(key.as_bytes());
        let value = self.with_storage(address, key, |trie| {
            Ok(trie.get(slot_key.as_bytes())?.map(<[u8]>::to_vec))
        })?;
        match value {
            None => Ok(H256::zero()),
            Some(bytes) => {
                let value = rlp::decode_u256(&bytes)
                    .map_err(|_| WitnessStateError::MalformedStorageValue { address, slot: key })?;
                let mut out = [0u8; 32];
                value.to_big_endian(&mut out);
                Ok(H256(out))
            }
        }
    }

    fn has_storage(&self, address: H160) -> Result<bool, WitnessStateError> {
        Ok(self
            .read_account(address)?
            .is_some_and(|(_, root)| root != EMPTY_ROOT))
    }

    fn block_hash(&self, number: u64) -> Result<H256, WitnessStateError> {
        self.block_hashes
            .get(&number)
            .copied()
            .ok_or(WitnessStateError::MissingBlockHash { number })
    }

    fn commit(&mut self, changes: &StateChanges) -> Result<(), WitnessStateError> {
        for (address, change) in changes {
            let key = Self::account_key(*address);
            match change {
                AccountChange::Deleted => {
                    self.storage.get_mut().insert(*address, SparseTrie::empty());
                    self.accounts.remove(key.as_bytes()).map_err(|source| {
                        WitnessStateError::AccountTrie {
                            address: *address,
                            source: Box::new(source),
                        }
                    })?;
                }
                AccountChange::Updated {
                    nonce,
                    balance,
                    code,
                    storage_cleared,
                    storage,
                } => {
                    let old = self.read_account(*address)?;
                    if *storage_cleared {
                        self.storage.get_mut().insert(*address, SparseTrie::empty());
                    }
                    for (slot, value) in storage {
                        let slot_key = keccak256(slot.as_bytes());
                        self.with_storage(*address, *slot, |trie| {
                            if value.is_zero() {
                                trie.remove(slot_key.as_bytes())
                            } else {
                                trie.insert(slot_key.as_bytes(), storage_value_rlp(*value))
                            }
                        })?;
                    }
                    let storage_root = match self.storage.get_mut().get_mut(address) {
                        Some(trie) => trie.root(),
                        None => old.as_ref().map(|(_, root)| *root).unwrap_or(EMPTY_ROOT),
                    };
                    let code_hash = match code {
                        Some(code) if !code.is_empty() => {
                            let hash = keccak256(code);
                            self.codes.insert(hash, code.clone());
                            hash
                        }
                        Some(_) => EMPTY_CODE_HASH,
                        None => old
                            .as_ref()
                            .map(|(info, _)| info.code_hash)
                            .unwrap_or(EMPTY_CODE_HASH),
                    };
                    let leaf = account_rlp(*nonce, *balance, storage_root, code_hash);
                    self.accounts
                        .insert(key.as_bytes(), leaf)
                        .map_err(|source| WitnessStateError::AccountTrie {
                            address: *address,
                            source: Box::new(source),
                        })?;
                }
            }
        }
        Ok(())
    }

    fn state_root(&mut self) -> Result<H256, WitnessStateError> {
        // Storage roots are folded into the account leaves at commit time.
        Ok(self.accounts.root())
    }
}
