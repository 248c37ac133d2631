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

/// Where a [`WitnessState`] finds the trie nodes and codes its witness does not carry.
///
/// Inside the EE there is nowhere else to look ([`WitnessOnly`]): a gap is a
/// [`WitnessStateError`]. A host that executes a block over its own node store implements this
/// to serve the store's nodes on demand; every node and code it serves is then, by construction,
/// what a witness for that block must hold (the paths read, written and the siblings deletions
/// merge), which is how the host builds witnesses without touching the rest of the state.
pub trait NodeSource {
    /// The trie node whose RLP hashes to `hash`, if there is one.
    fn trie_node(&self, hash: &H256) -> Option<Vec<u8>>;
    /// The code whose Keccak-256 is `hash`, if there is one.
    fn code(&self, hash: &H256) -> Option<Vec<u8>>;
    /// The hash of block `number` on the executing block's branch, if known.
    fn block_hash(&self, number: u64) -> Option<H256>;
}

/// No source beyond the witness: what the EE validates with.
#[derive(Clone, Copy, Debug, Default)]
pub struct WitnessOnly;

impl NodeSource for WitnessOnly {
    fn trie_node(&self, _: &H256) -> Option<Vec<u8>> {
        None
    }

    fn code(&self, _: &H256) -> Option<Vec<u8>> {
        None
    }

    fn block_hash(&self, _: u64) -> Option<H256> {
        None
    }
}

/// Accounts, storage and code from a witness, and from `S` for what the witness lacks.
#[derive(Clone, Debug)]
pub struct WitnessState<S = WitnessOnly> {
    /// `RefCell` because reads take `&self` and may resolve nodes from the source.
    accounts: RefCell<SparseTrie>,
    pool: NodePool,
    /// Storage tries opened so far; each is verified against its account's storage root when
    /// opened.
    storage: RefCell<BTreeMap<H160, SparseTrie>>,
    codes: BTreeMap<H256, Vec<u8>>,
    block_hashes: BTreeMap<u64, H256>,
    source: S,
    /// Nodes re-encoded by root computations, kept when the state is over a source (a store
    /// persists them); `None` inside the EE, which only needs the root.
    new_nodes: Option<Vec<Vec<u8>>>,
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
            accounts: RefCell::new(accounts),
            pool,
            storage: RefCell::new(BTreeMap::new()),
            codes,
            block_hashes,
            source: WitnessOnly,
            new_nodes: None,
        })
    }
}

impl<S: NodeSource> WitnessState<S> {
    /// The state under `pre_state_root` with no witness at all: every node and code comes from
    /// `source` when execution first needs it, and every node that root computations re-encode
    /// is kept for [`WitnessState::take_new_nodes`].
    pub fn over_source(pre_state_root: H256, source: S, block_hashes: BTreeMap<u64, H256>) -> Self {
        let pool = NodePool::new();
        // An empty pool cannot fail to resolve: the root stays a hash reference.
        let accounts =
            SparseTrie::from_pool(pre_state_root, &pool).unwrap_or_else(|_| SparseTrie::empty());
        WitnessState {
            accounts: RefCell::new(accounts),
            pool,
            storage: RefCell::new(BTreeMap::new()),
            codes: BTreeMap::new(),
            block_hashes,
            source,
            new_nodes: Some(Vec::new()),
        }
    }

    /// The source.
    pub fn source(&self) -> &S {
        &self.source
    }

    /// The nodes root computations re-encoded since the last call (those of the latest roots of
    /// the account trie and of every written storage trie among them), and the codes deployed:
    /// what a node store must add for the state root this state reached.
    pub fn take_new_nodes(&mut self) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
        let nodes = self
            .new_nodes
            .as_mut()
            .map(core::mem::take)
            .unwrap_or_default();
        let codes = core::mem::take(&mut self.codes).into_values().collect();
        (nodes, codes)
    }

    /// The state as the source `into` gives it back, for callers that record what was served.
    pub fn into_source(self) -> S {
        self.source
    }

    fn account_key(address: H160) -> H256 {
        keccak256(address.as_bytes())
    }

    /// Runs `op` on `trie`; while it stops at a node the trie has not resolved and the source has
    /// it, resolves that node and runs `op` again (a failed operation changes nothing). Each
    /// round resolves one more node on the key's path, so the rounds are bounded by the depth.
    fn resolving<T>(
        &self,
        trie: &mut SparseTrie,
        mut op: impl FnMut(&mut SparseTrie) -> Result<T, TrieError>,
    ) -> Result<T, TrieError> {
        loop {
            let error = match op(trie) {
                Err(error) => error,
                done => return done,
            };
            let (TrieError::MissingNode { path, hash } | TrieError::MissingSibling { path, hash }) =
                &error
            else {
                return Err(error);
            };
            let Some(node) = self.source.trie_node(hash) else {
                return Err(error);
            };
            let pool = NodePool::from_nodes([node]);
            if !trie.reveal(path, &pool)? {
                return Err(error);
            }
        }
    }

    /// The full account leaf: `(info, storage_root)`.
    fn read_account(
        &self,
        address: H160,
    ) -> Result<Option<(AccountInfo, H256)>, WitnessStateError> {
        let key = Self::account_key(address);
        let mut accounts = self.accounts.borrow_mut();
        let leaf = self
            .resolving(&mut accounts, |trie| {
                Ok(trie
                    .get(key.as_bytes())?
                    .map(|bytes| decode_account(address, bytes)))
            })
            .map_err(|source| WitnessStateError::AccountTrie {
                address,
                source: Box::new(source),
            })?;
        leaf.transpose()
    }

    /// Runs `f` on the storage trie of `address`, opening it from the pool on first use.
    fn with_storage<T>(
        &self,
        address: H160,
        slot: H256,
        f: impl FnMut(&mut SparseTrie) -> Result<T, TrieError>,
    ) -> Result<T, WitnessStateError> {
        let error = |source| WitnessStateError::StorageTrie {
            address,
            slot,
            source: Box::new(source),
        };
        let mut tries = self.storage.borrow_mut();
        let trie = match tries.entry(address) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => {
                let root = self
                    .read_account(address)?
                    .map(|(_, root)| root)
                    .unwrap_or(EMPTY_ROOT);
                let trie = SparseTrie::from_pool(root, &self.pool).map_err(error)?;
                entry.insert(trie)
            }
        };
        self.resolving(trie, f).map_err(error)
    }

    /// The root of `trie`, keeping the re-encoded nodes when there is a store to give them to.
    fn root_of(trie: &mut SparseTrie, new_nodes: &mut Option<Vec<Vec<u8>>>) -> H256 {
        match new_nodes {
            Some(sink) => trie.root_with_new_nodes(sink),
            None => trie.root(),
        }
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

impl<S: NodeSource> State for WitnessState<S> {
    type Error = WitnessStateError;

    fn account(&self, address: H160) -> Result<Option<AccountInfo>, WitnessStateError> {
        Ok(self.read_account(address)?.map(|(info, _)| info))
    }

    fn code(&self, address: H160) -> Result<Vec<u8>, WitnessStateError> {
        match self.read_account(address)? {
            None => Ok(Vec::new()),
            Some((info, _)) if info.code_hash == EMPTY_CODE_HASH => Ok(Vec::new()),
            Some((info, _)) => self
                .codes
                .get(&info.code_hash)
                .cloned()
                .or_else(|| self.source.code(&info.code_hash))
                .ok_or(WitnessStateError::MissingCode {
                    address,
                    code_hash: info.code_hash,
                }),
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
            .or_else(|| self.source.block_hash(number))
            .ok_or(WitnessStateError::MissingBlockHash { number })
    }

    fn commit(&mut self, changes: &StateChanges) -> Result<(), WitnessStateError> {
        for (address, change) in changes {
            let key = Self::account_key(*address);
            match change {
                AccountChange::Deleted => {
                    self.storage.get_mut().insert(*address, SparseTrie::empty());
                    let mut accounts = self.accounts.borrow_mut();
                    self.resolving(&mut accounts, |trie| trie.remove(key.as_bytes()))
                        .map_err(|source| WitnessStateError::AccountTrie {
                            address: *address,
                            source: Box::new(source),
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
                        Some(trie) => Self::root_of(trie, &mut self.new_nodes),
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
                    let mut accounts = self.accounts.borrow_mut();
                    self.resolving(&mut accounts, |trie| {
                        trie.insert(key.as_bytes(), leaf.clone())
                    })
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
        Ok(Self::root_of(self.accounts.get_mut(), &mut self.new_nodes))
    }
}
