//! Witness generation: from a full pre-state, the keys a block touched and the changes it made,
//! the smallest set of trie nodes and codes that lets [`WitnessState`] re-execute it.

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;
use primitive_types::{H160, H256};
use witness::{NodePool, TrieError, keccak256, proof_nodes, trie_nodes};

use evm_core::state::{InMemoryState, State, StateChanges, account_rlp, storage_value_rlp};

use crate::recording::AccessRecord;
use crate::witness_state::{WitnessState, WitnessStateError};

/// What a witness for one block (or one state test transaction) holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GeneratedWitness {
    /// The pre-state root the nodes prove against.
    pub pre_state_root: H256,
    /// Account and storage trie nodes (RLP), in hash order.
    pub nodes: Vec<Vec<u8>>,
    /// Codes of the touched contracts, in hash order.
    pub codes: Vec<Vec<u8>>,
    /// Hashes of the blocks BLOCKHASH asked for.
    pub block_hashes: BTreeMap<u64, H256>,
}

impl GeneratedWitness {
    /// Bytes of nodes and codes (what a witness costs to ship, before any envelope).
    pub fn size(&self) -> usize {
        self.nodes
            .iter()
            .chain(self.codes.iter())
            .map(Vec::len)
            .sum()
    }
}

/// Why a witness could not be generated: a bug or an inconsistent input, never a property of the
/// block (the full state has every node).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GenerationError {
    /// A proof could not be built from the full state.
    #[error("cannot prove a key of the full state: {0}")]
    Proof(Box<TrieError>),
    /// Replaying the changes on the witness needs a node the full state does not have.
    #[error("replaying the block on the witness failed: {0}")]
    Replay(Box<WitnessStateError>),
}

/// All trie nodes of `state`, with its root and every account's storage root.
struct FullTries {
    root: H256,
    pool: NodePool,
    storage_roots: BTreeMap<H160, H256>,
}

fn full_tries(state: &InMemoryState) -> FullTries {
    let mut pool = NodePool::new();
    let mut storage_roots = BTreeMap::new();
    let mut leaves = Vec::with_capacity(state.accounts.len());
    for (address, account) in &state.accounts {
        let (storage_root, nodes) = trie_nodes(
            account
                .storage
                .iter()
                .map(|(slot, value)| (keccak256(slot.as_bytes()).0, storage_value_rlp(*value))),
        );
        for node in nodes {
            pool.insert(node);
        }
        storage_roots.insert(*address, storage_root);
        leaves.push((
            keccak256(address.as_bytes()).0,
            account_rlp(
                account.nonce,
                account.balance,
                storage_root,
                account.code_hash(),
            ),
        ));
    }
    let (root, nodes) = trie_nodes(leaves);
    for node in nodes {
        pool.insert(node);
    }
    FullTries {
        root,
        pool,
        storage_roots,
    }
}

/// Every trie node of `state` (the account trie and each storage trie, hashed nodes only) and
/// its state root: what a node store needs to serve any proof of it (a genesis, a fixture's
/// `pre`).
pub fn state_trie_nodes(state: &InMemoryState) -> (H256, Vec<Vec<u8>>) {
    let full = full_tries(state);
    let nodes = full.pool.iter().map(|(_, rlp)| rlp.to_vec()).collect();
    (full.root, nodes)
}

/// Builds the witness of a block that read and wrote `record` and made `changes` (one entry per
/// transaction or system change, in order) on top of `pre`.
///
/// The nodes are the proofs of every touched key in `pre`, plus the sibling nodes that deletions
/// need to collapse a branch: the changes are replayed on the witness and every node the replay
/// asks for is added, so nothing is included that the block does not use.
pub fn generate_witness(
    pre: &InMemoryState,
    record: &AccessRecord,
    changes: &[StateChanges],
) -> Result<GeneratedWitness, GenerationError> {
    let full = full_tries(pre);
    let mut nodes: BTreeMap<H256, Vec<u8>> = BTreeMap::new();
    let mut add = |proof: Vec<Vec<u8>>| {
        for node in proof {
            nodes.insert(keccak256(&node), node);
        }
    };

    let mut accounts: BTreeSet<H160> = record.accounts.clone();
    accounts.extend(changes.iter().flat_map(|c| c.keys().copied()));
    let account_keys: Vec<H256> = accounts.iter().map(|a| keccak256(a.as_bytes())).collect();
    let account_key_refs: Vec<&[u8]> = account_keys.iter().map(|k| k.as_bytes()).collect();
    add(proof_nodes(full.root, &full.pool, &account_key_refs)
        .map_err(|e| GenerationError::Proof(Box::new(e)))?);

    for (address, slots) in &record.storage {
        let Some(root) = full.storage_roots.get(address) else {
            continue;
        };
        let slot_keys: Vec<H256> = slots.iter().map(|s| keccak256(s.as_bytes())).collect();
        let slot_key_refs: Vec<&[u8]> = slot_keys.iter().map(|k| k.as_bytes()).collect();
        add(proof_nodes(*root, &full.pool, &slot_key_refs)
            .map_err(|e| GenerationError::Proof(Box::new(e)))?);
    }

    let codes: BTreeMap<H256, Vec<u8>> = accounts
        .iter()
        .filter_map(|address| pre.accounts.get(address))
        .filter(|account| !account.code.is_empty())
        .map(|account| (account.code_hash(), account.code.clone()))
        .collect();
    let codes: Vec<Vec<u8>> = codes.into_values().collect();
    let block_hashes: BTreeMap<u64, H256> = record
        .block_hashes
        .iter()
        .filter_map(|number| pre.block_hashes.get(number).map(|hash| (*number, *hash)))
        .collect();

    // Replay the changes until the witness needs nothing more. Each round adds one node, so this
    // ends within the size of the full pool.
    loop {
        let node_list: Vec<Vec<u8>> = nodes.values().cloned().collect();
        let mut state = WitnessState::new(full.root, &node_list, &codes, block_hashes.clone())
            .map_err(|e| GenerationError::Proof(Box::new(e)))?;
        let replay = changes.iter().try_for_each(|change| state.commit(change));
        match replay {
            Ok(()) => {
                state
                    .state_root()
                    .map_err(|e| GenerationError::Replay(Box::new(e)))?;
                return Ok(GeneratedWitness {
                    pre_state_root: full.root,
                    nodes: node_list,
                    codes,
                    block_hashes,
                });
            }
            Err(error) => {
                let needed = missing_node(&error)
                    .and_then(|hash| full.pool.get(&hash).map(|node| (hash, node.to_vec())));
                match needed {
                    Some((hash, node)) if !nodes.contains_key(&hash) => {
                        nodes.insert(hash, node);
                    }
                    _ => return Err(GenerationError::Replay(Box::new(error))),
                }
            }
        }
    }
}

fn missing_node(error: &WitnessStateError) -> Option<H256> {
    let source = match error {
        WitnessStateError::AccountTrie { source, .. } => &**source,
        WitnessStateError::StorageTrie { source, .. } => &**source,
        _ => return None,
    };
    match source {
        TrieError::MissingNode { hash, .. } | TrieError::MissingSibling { hash, .. } => Some(*hash),
        _ => None,
    }
}
