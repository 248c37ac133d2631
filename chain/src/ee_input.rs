//! What a host hands the EE for one block: the pre-state commitment and the block-data blob, built
//! from the parent's full state by executing the block natively while recording what it touches.

use std::collections::BTreeSet;

use evm_core::block::{Block, ChainSpec, Header, MAX_OMMER_DEPTH, execute_block};
use evm_core::precompiles::NativePrecompiles;
use evm_core::{InMemoryState, SpecId};
use primitive_types::U256;
use stateless::{BlockDataBlob, ChainConfig, Witness};
use stateless::{RecordingState, generate_witness};

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
}

impl EeInput {
    /// The EE input for the block a blockchain runner is importing: [`ee_input`] over the
    /// context's parent, state and ancestors.
    pub fn for_import(context: &ImportContext<'_>) -> Result<EeInput, String> {
        ee_input(
            context.chain,
            context.spec,
            &context.state,
            context.parent,
            context.parent_total_difficulty,
            context.ancestors,
            context.rlp,
        )
    }
}

/// Builds the EE input for `block_rlp` on top of `parent` (whose total difficulty is
/// `parent_total_difficulty`) and its post-state `parent_state` (whose `block_hashes` hold the
/// ancestors' hashes). `ancestors` are headers of the block's own chain, in any order, with or
/// without the parent, reaching back as far as BLOCKHASH may read (256 blocks) or to genesis. An
/// invalid block still gets a blob: the witness covers what native execution touched up to the
/// failure, so the EE meets the same rule.
pub fn ee_input(
    chain: &ChainSpec,
    spec: SpecId,
    parent_state: &InMemoryState,
    parent: &Header,
    parent_total_difficulty: U256,
    ancestors: &[Header],
    block_rlp: &[u8],
) -> Result<EeInput, String> {
    let chain_config =
        ChainConfig::from_chain_spec(chain).map_err(|e| format!("chain config: {e}"))?;
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
        return Ok(EeInput {
            pre_state,
            blob: blob.encode(),
            post_state: [0; 32],
        });
    };

    let mut recording = RecordingState::new(parent_state.clone());
    // The outcome does not matter here: the witness covers whatever was touched either way.
    let _ = execute_block(
        &mut recording,
        chain,
        spec,
        parent,
        ancestors,
        &block,
        &NativePrecompiles,
    );
    let commits = recording.commits().to_vec();
    let (_, record) = recording.finish();
    let generated = generate_witness(parent_state, &record, &commits)
        .map_err(|e| format!("witness generation: {e}"))?;

    // Headers: the parent and, back along the chain, every ancestor BLOCKHASH asked for or an
    // ommer may hang from.
    let lowest_needed = record
        .block_hashes
        .iter()
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
            state: generated.nodes,
            codes: generated.codes,
            headers,
            keys: Vec::new(),
        },
    };
    Ok(EeInput {
        pre_state,
        blob: blob.encode(),
        post_state: stateless::ee_state(
            block.hash(),
            config_hash,
            parent_total_difficulty.saturating_add(block.header.difficulty),
        ),
    })
}
