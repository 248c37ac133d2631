//! The block tree: every accepted block with its post-state root and total difficulty, keyed by
//! hash in a [`Store`], and the canonical head chosen as clients choose it (a BlockchainTests
//! case, a replay, and later a node).
//!
//! Engines plug in through [`Chain::import`]: the tree decodes the block, finds its parent, and
//! hands the engine an [`ImportContext`] (the parent's state root in the store, the BLOCKHASH
//! window of the block's own branch, the parent header, the ancestors); the engine validates and
//! executes over the stored state and returns the post-state (root and new nodes) or the reason
//! it rejects the block. The native engine calls
//! `evm_core::block` directly; a Wasm engine builds a block-data blob from the same context.
//!
//! Head choice: before the merge the branch with the highest total difficulty wins and the first
//! block seen wins a tie; a block the merge rules apply to (Paris and later, whose difficulty is
//! zero) becomes the head when imported, as a consensus client's forkchoice update after every
//! payload makes it in the fixtures' fillers.

use std::collections::BTreeMap;
use std::sync::Arc;

use evm_core::block::{
    BLOCK_HASH_WINDOW, Block, BlockOutcome, BlockTemplate, ChainSpec, Header, MAX_OMMER_DEPTH,
    build_block,
};
use evm_core::precompiles::NativePrecompiles;
use evm_core::{InMemoryState, SpecId};
use primitive_types::{H256, U256};

use crate::seal::SealVerifier;
pub use crate::store::ChainNode;
use crate::store::{
    MemoryStore, NodeReader, PostState, Store, StoreBatch, StoreError, StoreSource, StoreState,
};

/// How many ancestor blocks the engine gets (ommers may be up to 6 generations back; their own
/// parents must be known too).
const ANCESTOR_DEPTH: usize = MAX_OMMER_DEPTH as usize + 1;

/// What an engine gets to validate and execute one block.
pub struct ImportContext<'a> {
    /// The chain's fork schedule.
    pub chain: &'a ChainSpec,
    /// The fork the block's number, timestamp and parent total difficulty select.
    pub spec: SpecId,
    /// The parent's header.
    pub parent: &'a Header,
    /// The parent's total difficulty (sum of the difficulties from genesis to the parent).
    pub parent_total_difficulty: U256,
    /// The root of the parent's post-state in `nodes` (the parent header's, but for a block
    /// only the EE accepted, whose state is its own parent's).
    pub parent_state_root: H256,
    /// Headers of the block's ancestors, parent first, as far back as BLOCKHASH reads (256 of
    /// them; genesis last when the branch is shorter): a blob carries the ones BLOCKHASH asked
    /// for, back from the parent.
    pub ancestors: &'a [Header],
    /// Blocks of the first `ANCESTOR_DEPTH` ancestors (parent first, same order as `ancestors`),
    /// for rules that look at what earlier blocks included (ommers already used).
    pub ancestor_blocks: &'a [Arc<ChainNode>],
    /// The block to import.
    pub block: &'a Block,
    /// The block as it came on the wire.
    pub rlp: &'a [u8],
    /// Hashes of the (up to) 256 blocks before this one on its own branch.
    pub block_hashes: &'a BTreeMap<u64, H256>,
    /// The store the parent's state is read from.
    pub nodes: &'a dyn NodeReader,
}

impl<'a> ImportContext<'a> {
    /// The parent's post-state, read from the store as execution reaches it; what it was served
    /// is the block's witness.
    pub fn parent_state(&self) -> StoreState<'a> {
        StoreSource::open(self.parent_state_root, self.nodes, self.block_hashes)
    }
}

/// Why the tree refused a block before or after the engine saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// The RLP is not a block.
    Decode(String),
    /// The parent is not a block the tree accepted.
    UnknownParent(H256),
    /// The engine rejected it.
    Invalid(String),
    /// Its proof-of-work seal, or an ommer's, is not valid.
    Seal(crate::seal::SealRejection),
    /// The store failed; the block was not judged.
    Store(StoreError),
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rejection::Decode(reason) => write!(f, "not a block: {reason}"),
            Rejection::UnknownParent(parent) => write!(f, "unknown parent {parent:?}"),
            Rejection::Invalid(reason) => f.write_str(reason),
            Rejection::Seal(rejection) => write!(f, "{rejection}"),
            Rejection::Store(error) => write!(f, "{error}"),
        }
    }
}

impl From<StoreError> for Rejection {
    fn from(error: StoreError) -> Rejection {
        Rejection::Store(error)
    }
}

/// A block the tree accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Imported {
    /// Its hash.
    pub hash: H256,
    /// Its number.
    pub number: u64,
    /// It was already in the tree (nothing was executed).
    pub known: bool,
    /// It is the head now.
    pub head: bool,
}

/// The block tree over a [`Store`] (in memory unless given one).
pub struct Chain<S = MemoryStore> {
    spec: ChainSpec,
    seals: Option<SealVerifier>,
    store: S,
    head: H256,
    head_total_difficulty: U256,
}

impl Chain<MemoryStore> {
    /// A tree in memory holding the genesis block and its state.
    pub fn new(spec: ChainSpec, genesis: Block, state: InMemoryState) -> Chain {
        // A memory store cannot fail.
        Chain::with_genesis(MemoryStore::new(), spec, genesis, &state)
            .unwrap_or_else(|_| unreachable!("the memory store does not fail"))
    }
}

impl<S: Store> Chain<S> {
    /// A tree in `store` starting at `genesis` over `state` (whose root the caller has checked
    /// against the genesis header). A store that already has a head keeps it: reopening a store
    /// continues where it stopped.
    pub fn with_genesis(
        mut store: S,
        spec: ChainSpec,
        genesis: Block,
        state: &InMemoryState,
    ) -> Result<Chain<S>, StoreError> {
        if store.head()?.is_none() {
            let (root, nodes) = stateless::state_trie_nodes(state);
            let codes = state
                .accounts
                .values()
                .filter(|account| !account.code.is_empty())
                .map(|account| account.code.clone())
                .collect();
            let hash = genesis.header.hash();
            let total_difficulty = genesis.header.difficulty;
            store.write(StoreBatch {
                nodes,
                codes,
                blocks: vec![(
                    hash,
                    ChainNode {
                        block: genesis,
                        state_root: root,
                        total_difficulty,
                    },
                )],
                head: Some(hash),
                meta: Vec::new(),
            })?;
            store.flush()?;
        }
        Chain::open(store, spec)
    }

    /// The tree a store holds, at its head; `StoreError::Corrupt` if it has none.
    pub fn open(store: S, spec: ChainSpec) -> Result<Chain<S>, StoreError> {
        let missing = |what: &str| StoreError::Corrupt {
            what: what.into(),
            reason: "missing".into(),
        };
        let head = store.head()?.ok_or_else(|| missing("head"))?;
        let head_total_difficulty = store
            .block(&head)?
            .ok_or_else(|| missing("head block"))?
            .total_difficulty;
        Ok(Chain {
            spec,
            seals: None,
            store,
            head,
            head_total_difficulty,
        })
    }

    /// Verify the Ethash seal of every imported block and its ommers with `seals` (off by
    /// default: fixtures with `"sealEngine": "NoProof"` and blocks whose seals were verified
    /// ahead of import need none).
    pub fn with_seal_check(mut self, seals: SealVerifier) -> Chain<S> {
        self.seals = Some(seals);
        self
    }

    /// The chain's fork schedule.
    pub fn spec(&self) -> &ChainSpec {
        &self.spec
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The store, to flush it or read its meta values.
    pub fn store_mut(&mut self) -> &mut S {
        &mut self.store
    }

    /// The head's hash.
    pub fn head_hash(&self) -> H256 {
        self.head
    }

    /// The head block.
    pub fn head(&self) -> Option<Arc<ChainNode>> {
        self.node(&self.head)
    }

    /// An accepted block (`None` also when the store fails to read it).
    pub fn node(&self, hash: &H256) -> Option<Arc<ChainNode>> {
        self.store.block(hash).ok().flatten()
    }

    /// Decodes `rlp`, finds the parent, lets `execute` validate and run the block over the
    /// parent's stored state, and on success stores the block and its new nodes in one batch and
    /// moves the head if it wins.
    pub fn import<F>(&mut self, rlp: &[u8], execute: F) -> Result<Imported, Rejection>
    where
        F: FnOnce(ImportContext<'_>) -> Result<PostState, String>,
    {
        self.import_with_meta(rlp, Vec::new(), execute)
    }

    /// [`Chain::import`], also writing `meta` in the same batch as the block (a replay's
    /// progress, so both are committed together or not at all).
    pub fn import_with_meta<F>(
        &mut self,
        rlp: &[u8],
        meta: Vec<(String, Vec<u8>)>,
        execute: F,
    ) -> Result<Imported, Rejection>
    where
        F: FnOnce(ImportContext<'_>) -> Result<PostState, String>,
    {
        let block = Block::decode(rlp).map_err(|e| Rejection::Decode(e.to_string()))?;
        let hash = block.header.hash();
        if self.store.block(&hash)?.is_some() {
            return Ok(Imported {
                hash,
                number: block.header.number,
                known: true,
                head: self.head == hash,
            });
        }
        let parent_hash = block.header.parent_hash;
        let parent = self
            .store
            .block(&parent_hash)?
            .ok_or(Rejection::UnknownParent(parent_hash))?;
        if let Some(seals) = &self.seals {
            seals.verify_block(&block).map_err(Rejection::Seal)?;
        }
        let parent_td = parent.total_difficulty;
        let spec = self
            .spec
            .spec_at(block.header.number, block.header.timestamp, parent_td);
        let (ancestors, ancestor_blocks, block_hashes) = self.ancestors(&block.header, &parent)?;
        let context = ImportContext {
            chain: &self.spec,
            spec,
            parent: &parent.block.header,
            parent_total_difficulty: parent_td,
            parent_state_root: parent.state_root,
            ancestors: &ancestors,
            ancestor_blocks: &ancestor_blocks,
            block: &block,
            rlp,
            block_hashes: &block_hashes,
            nodes: &self.store,
        };
        let post = execute(context).map_err(Rejection::Invalid)?;
        let total_difficulty = parent_td.saturating_add(block.header.difficulty);
        let number = block.header.number;
        let becomes_head =
            spec.is_enabled_in(SpecId::Paris) || total_difficulty > self.head_total_difficulty;
        self.store.write(StoreBatch {
            nodes: post.nodes,
            codes: post.codes,
            blocks: vec![(
                hash,
                ChainNode {
                    block,
                    state_root: post.root,
                    total_difficulty,
                },
            )],
            head: becomes_head.then_some(hash),
            meta,
        })?;
        if becomes_head {
            self.head = hash;
            self.head_total_difficulty = total_difficulty;
        }
        Ok(Imported {
            hash,
            number,
            known: false,
            head: becomes_head,
        })
    }

    /// Builds a block from `template` on top of the head over the head's stored state
    /// ([`evm_core::block::build_block`]: the template's transactions executed, the header's
    /// commitments filled), with its receipts. Nothing is stored: [`Chain::import`] the block to add it.
    pub fn build_on_head(
        &self,
        template: BlockTemplate,
    ) -> Result<(Block, BlockOutcome), Rejection> {
        let head = self
            .store
            .block(&self.head)?
            .ok_or(Rejection::UnknownParent(self.head))?;
        let next = Header {
            number: head.block.header.number.saturating_add(1),
            parent_hash: self.head,
            ..Header::default()
        };
        let (_, _, block_hashes) = self.ancestors(&next, &head)?;
        let spec = self
            .spec
            .spec_at(next.number, template.timestamp, head.total_difficulty);
        let mut state = StoreSource::open(head.state_root, &self.store, &block_hashes);
        let built = build_block(
            &mut state,
            &self.spec,
            spec,
            &head.block.header,
            template,
            &NativePrecompiles,
        );
        if let Some(error) = state.into_source().error() {
            return Err(Rejection::Store(error));
        }
        built.map_err(|e| Rejection::Invalid(e.to_string()))
    }

    /// For a block on top of `parent`: the headers of up to `BLOCK_HASH_WINDOW` ancestors
    /// (parent first), the first `ANCESTOR_DEPTH` of them as blocks, and the hashes of the 256
    /// blocks before it on its own branch.
    #[allow(clippy::type_complexity)]
    fn ancestors(
        &self,
        header: &Header,
        parent: &Arc<ChainNode>,
    ) -> Result<(Vec<Header>, Vec<Arc<ChainNode>>, BTreeMap<u64, H256>), StoreError> {
        let mut headers = Vec::new();
        let mut blocks = Vec::new();
        let mut hashes = BTreeMap::new();
        let lowest = header.number.saturating_sub(BLOCK_HASH_WINDOW);
        let mut hash = header.parent_hash;
        let mut node = Some(parent.clone());
        while let Some(current) = node {
            let number = current.block.header.number;
            if headers.len() as u64 >= BLOCK_HASH_WINDOW || number < lowest {
                break;
            }
            hashes.insert(number, hash);
            headers.push(current.block.header.clone());
            if blocks.len() < ANCESTOR_DEPTH {
                blocks.push(current.clone());
            }
            if number == 0 {
                break;
            }
            hash = current.block.header.parent_hash;
            node = self.store.block(&hash)?;
        }
        Ok((headers, blocks, hashes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Frontier-shaped genesis block with the given difficulty and empty tries.
    fn genesis(difficulty: u64) -> Block {
        Block {
            header: Header {
                parent_hash: H256::zero(),
                ommers_hash: evm_core::block::difficulty::EMPTY_OMMERS_HASH,
                beneficiary: Default::default(),
                state_root: witness::EMPTY_ROOT,
                transactions_root: witness::EMPTY_ROOT,
                receipts_root: witness::EMPTY_ROOT,
                logs_bloom: Default::default(),
                difficulty: U256::from(difficulty),
                number: 0,
                gas_limit: 3_141_592,
                gas_used: 0,
                timestamp: 0x54c9_8c81,
                extra_data: vec![0x42],
                mix_hash: H256::zero(),
                nonce: [0; 8],
                base_fee_per_gas: None,
                withdrawals_root: None,
                blob_gas_used: None,
                excess_blob_gas: None,
                parent_beacon_block_root: None,
            },
            transactions: Vec::new(),
            ommers: Vec::new(),
            withdrawals: None,
        }
    }

    /// A child of `parent` with `difficulty`; `tag` makes siblings distinct.
    fn child(parent: &Block, difficulty: u64, tag: u8) -> Block {
        let mut block = parent.clone();
        block.header.parent_hash = parent.header.hash();
        block.header.number = parent.header.number + 1;
        block.header.difficulty = U256::from(difficulty);
        block.header.extra_data = vec![tag];
        block
    }

    fn tree(network: &str, difficulty: u64) -> (Chain, Block) {
        let genesis = genesis(difficulty);
        let spec = ChainSpec::from_test_network(network).unwrap();
        (
            Chain::new(spec, genesis.clone(), InMemoryState::default()),
            genesis,
        )
    }

    fn accept(context: ImportContext<'_>) -> Result<PostState, String> {
        Ok(PostState::unchanged(context.parent_state_root))
    }

    #[test]
    fn highest_total_difficulty_wins_and_the_first_seen_wins_a_tie() {
        let (mut chain, genesis) = tree("Frontier", 100);
        let a1 = child(&genesis, 10, 1);
        let b1 = child(&genesis, 20, 2);
        let a2 = child(&a1, 15, 1);
        let c1 = child(&genesis, 25, 3);
        assert!(chain.import(&a1.encode(), accept).unwrap().head);
        assert!(chain.import(&b1.encode(), accept).unwrap().head);
        assert!(chain.import(&a2.encode(), accept).unwrap().head);
        // 125 == 125: the branch seen first stays.
        let imported = chain.import(&c1.encode(), accept).unwrap();
        assert!(!imported.head);
        assert_eq!(chain.head_hash(), a2.header.hash());
        assert_eq!(
            chain.head().unwrap().total_difficulty,
            U256::from(100 + 10 + 15)
        );
        assert!(chain.import(&a2.encode(), accept).unwrap().known);
    }

    #[test]
    fn after_the_merge_the_last_imported_block_is_the_head() {
        let (mut chain, genesis) = tree("Paris", 0);
        let a1 = child(&genesis, 0, 1);
        let a2 = child(&a1, 0, 1);
        let b1 = child(&genesis, 0, 2);
        for block in [&a1, &a2, &b1] {
            assert!(chain.import(&block.encode(), accept).unwrap().head);
        }
        assert_eq!(chain.head_hash(), b1.header.hash());
    }

    #[test]
    fn unknown_parents_and_engine_rejections_leave_the_tree_alone() {
        let (mut chain, genesis) = tree("Frontier", 100);
        let a1 = child(&genesis, 10, 1);
        let orphan = child(&a1, 10, 1);
        assert_eq!(
            chain.import(&orphan.encode(), accept),
            Err(Rejection::UnknownParent(a1.header.hash()))
        );
        let rejected = chain.import(&a1.encode(), |_| Err("no".to_string()));
        assert_eq!(rejected, Err(Rejection::Invalid("no".into())));
        assert!(chain.node(&a1.header.hash()).is_none());
        assert_eq!(chain.head_hash(), genesis.header.hash());
        assert!(matches!(
            chain.import(&[0xc0], accept),
            Err(Rejection::Decode(_))
        ));
    }

    #[test]
    fn the_engine_sees_its_own_branch() {
        let (mut chain, genesis) = tree("Frontier", 100);
        let a1 = child(&genesis, 10, 1);
        let b1 = child(&genesis, 10, 2);
        let b2 = child(&b1, 10, 2);
        chain.import(&a1.encode(), accept).unwrap();
        chain.import(&b1.encode(), accept).unwrap();
        chain
            .import(&b2.encode(), |context| {
                assert_eq!(context.parent.hash(), b1.header.hash());
                let numbers: Vec<u64> = context.ancestors.iter().map(|h| h.number).collect();
                assert_eq!(numbers, vec![1, 0]);
                assert_eq!(context.block_hashes.get(&1), Some(&b1.header.hash()));
                assert_eq!(context.block_hashes.get(&0), Some(&genesis.header.hash()));
                Ok(PostState::unchanged(context.parent_state_root))
            })
            .unwrap();
        assert_eq!(chain.head_hash(), b2.header.hash());
    }
}
