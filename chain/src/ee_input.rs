//! What a host hands the EE for one block: the pre-state commitment and the block-data blob, built
//! by executing the block natively over the parent's stored state, which records what it touches.

use std::collections::BTreeSet;

use evm_core::block::{Block, ChainSpec, Header, MAX_OMMER_DEPTH};
use primitive_types::U256;
use stateless::{BlockDataBlob, ChainConfig, Witness};

use crate::native::{NativeRun, run_native};
use crate::store::PostState;
use crate::tree::ImportContext;

/// The EE's input for one block.
#[derive(Clone, Debug)]
pub struct EeInput {
    /// `keccak(parent hash ++ chain config hash ++ parent total difficulty)` ([`stateless::ee_state`]).
    pub pre_state: [u8; 32],
    /// The encoded block-data blob.
    pub blob: Vec<u8>,
    /// The EE state the block leads to if it is valid: the block's hash and total difficulty
    /// (the parent's plus the block's difficulty).
    pub post_state: [u8; 32],
    /// The native verdict of the run that recorded the witness: the post-state for the tree, or
    /// evm-core's reason to reject the block.
    pub native: Result<PostState, String>,
}

impl EeInput {
    /// The EE input for the block a chain is importing: executes it natively over the parent's
    /// stored state, and builds the blob from what that run read.
    pub fn for_import(context: &ImportContext<'_>) -> Result<EeInput, String> {
        let chain_config = chain_config(context.chain)?;
        let run = run_native(context);
        Ok(ee_input(
            chain_config,
            context.parent,
            context.parent_total_difficulty,
            context.ancestors,
            context.rlp,
            run,
        ))
    }
}

/// The chain config a chain spec gives the EE, or why the blob format cannot carry it.
pub fn chain_config(chain: &ChainSpec) -> Result<ChainConfig, String> {
    ChainConfig::from_chain_spec(chain).map_err(|e| format!("chain config: {e}"))
}

/// Builds the EE input for `block_rlp` on top of `parent` (whose total difficulty is
/// `parent_total_difficulty`) from the native `run` over the parent's state. `ancestors` are
/// headers of the block's own chain, in any order, with or without the parent, reaching back as
/// far as BLOCKHASH may read (256 blocks) or to genesis. An invalid block still gets a blob: the
/// witness covers what native execution touched up to the failure, so the EE meets the same
/// rule.
fn ee_input(
    chain_config: ChainConfig,
    parent: &Header,
    parent_total_difficulty: U256,
    ancestors: &[Header],
    block_rlp: &[u8],
    run: NativeRun,
) -> EeInput {
    let config_hash = chain_config.hash();
    let pre_state = stateless::ee_state(parent.hash(), config_hash, parent_total_difficulty);
    let mut parent_td_bytes = [0u8; 32];
    parent_total_difficulty.to_big_endian(&mut parent_td_bytes);
    let Ok(block) = Block::decode(block_rlp) else {
        let blob = BlockDataBlob {
            chain_config,
            parent_total_difficulty: parent_td_bytes,
            block: block_rlp.to_vec(),
            witness: Witness::default(),
        };
        return EeInput {
            pre_state,
            blob: blob.encode(),
            post_state: [0; 32],
            native: run.verdict,
        };
    };

    // Headers: the parent and, back along the chain, every ancestor BLOCKHASH asked for or an
    // ommer may hang from.
    let lowest_needed = run
        .witness
        .block_hashes
        .keys()
        .copied()
        .chain((!block.ommers.is_empty()).then(|| parent.number.saturating_sub(MAX_OMMER_DEPTH)))
        .min()
        .unwrap_or(parent.number);
    let mut wanted: BTreeSet<u64> = (lowest_needed..=parent.number).collect();
    wanted.insert(parent.number);
    let headers: Vec<Vec<u8>> = ancestors
        .iter()
        .chain(std::iter::once(parent))
        .filter(|header| wanted.remove(&header.number))
        .map(Header::encode)
        .collect();

    let blob = BlockDataBlob {
        chain_config,
        parent_total_difficulty: parent_td_bytes,
        block: block_rlp.to_vec(),
        witness: Witness {
            state: run.witness.nodes,
            codes: run.witness.codes,
            headers,
            keys: Vec::new(),
        },
    };
    EeInput {
        pre_state,
        blob: blob.encode(),
        post_state: stateless::ee_state(
            block.hash(),
            config_hash,
            parent_total_difficulty.saturating_add(block.header.difficulty),
        ),
        native: run.verdict,
    }
}
