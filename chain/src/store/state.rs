//! Executing over a stored state: the node source that serves a [`super::NodeReader`] to the
//! stateless crate's `WitnessState` and records what it served (the block's witness).

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use primitive_types::H256;
use stateless::{NodeSource, WitnessState};

use super::{NodeReader, StoreError};

/// The state of one root of a store, resolved node by node as execution reaches it.
pub type StoreState<'a> = WitnessState<StoreSource<'a>>;

/// Serves a store's nodes and codes, and the branch's block hashes, to a [`StoreState`], and
/// keeps a copy of everything it served.
pub struct StoreSource<'a> {
    reader: &'a dyn NodeReader,
    block_hashes: &'a BTreeMap<u64, H256>,
    served_nodes: RefCell<BTreeMap<H256, Vec<u8>>>,
    served_codes: RefCell<BTreeMap<H256, Vec<u8>>>,
    asked_blocks: RefCell<BTreeSet<u64>>,
    /// The first read the store failed; execution saw it as a missing node.
    error: RefCell<Option<StoreError>>,
}

/// What executing over a [`StoreState`] read: a witness for the same execution.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordedWitness {
    /// Trie nodes served, in hash order.
    pub nodes: Vec<Vec<u8>>,
    /// Codes served, in hash order.
    pub codes: Vec<Vec<u8>>,
    /// Block hashes BLOCKHASH asked for and got.
    pub block_hashes: BTreeMap<u64, H256>,
}

/// A state a block led to: its root and what the store must add to hold it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PostState {
    /// The state root.
    pub root: H256,
    /// Trie nodes the block's writes created (some may be of intermediate roots and unused).
    pub nodes: Vec<Vec<u8>>,
    /// Codes the block deployed or read.
    pub codes: Vec<Vec<u8>>,
}

impl PostState {
    /// The state a block left unchanged (an empty block with no rewards, or a block the EE
    /// accepted where native execution did not): the root alone, nothing new to store.
    pub fn unchanged(root: H256) -> PostState {
        PostState {
            root,
            ..PostState::default()
        }
    }
}

impl<'a> StoreSource<'a> {
    /// The state under `root` in `reader`, with `block_hashes` the hashes of the (up to) 256
    /// blocks before the executing one on its branch.
    pub fn open(
        root: H256,
        reader: &'a dyn NodeReader,
        block_hashes: &'a BTreeMap<u64, H256>,
    ) -> StoreState<'a> {
        let source = StoreSource {
            reader,
            block_hashes,
            served_nodes: RefCell::new(BTreeMap::new()),
            served_codes: RefCell::new(BTreeMap::new()),
            asked_blocks: RefCell::new(BTreeSet::new()),
            error: RefCell::new(None),
        };
        WitnessState::over_source(root, source, BTreeMap::new())
    }

    /// The first error the store reported, if any (execution saw it as a missing node, so a
    /// caller checks this before blaming the block).
    pub fn error(&self) -> Option<StoreError> {
        self.error.borrow().clone()
    }

    /// Everything served, as a witness.
    pub fn into_witness(self) -> RecordedWitness {
        let block_hashes = self
            .asked_blocks
            .into_inner()
            .into_iter()
            .filter_map(|number| self.block_hashes.get(&number).map(|hash| (number, *hash)))
            .collect();
        RecordedWitness {
            nodes: self.served_nodes.into_inner().into_values().collect(),
            codes: self.served_codes.into_inner().into_values().collect(),
            block_hashes,
        }
    }

    fn note_error(&self, error: StoreError) {
        self.error.borrow_mut().get_or_insert(error);
    }
}

impl NodeSource for StoreSource<'_> {
    fn trie_node(&self, hash: &H256) -> Option<Vec<u8>> {
        match self.reader.trie_node(hash) {
            Ok(Some(node)) => {
                self.served_nodes.borrow_mut().insert(*hash, node.clone());
                Some(node)
            }
            Ok(None) => None,
            Err(error) => {
                self.note_error(error);
                None
            }
        }
    }

    fn code(&self, hash: &H256) -> Option<Vec<u8>> {
        match self.reader.code(hash) {
            Ok(Some(code)) => {
                self.served_codes.borrow_mut().insert(*hash, code.clone());
                Some(code)
            }
            Ok(None) => None,
            Err(error) => {
                self.note_error(error);
                None
            }
        }
    }

    fn block_hash(&self, number: u64) -> Option<H256> {
        self.asked_blocks.borrow_mut().insert(number);
        self.block_hashes.get(&number).copied()
    }
}
