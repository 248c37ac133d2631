//! The EE's pipeline, top to bottom: decode the blob, check the parent and chain config against
//! the pre-state commitment, verify the witness against the parent's state root, execute and
//! validate the block, commit to the new head.

use alloc::collections::BTreeMap;
use alloc::string::ToString;
use alloc::vec::Vec;
use evm_core::block::{Block, ChainSpec, Header, execute_block};
use evm_core::precompiles::NativePrecompiles;
use evm_core::stateless::WitnessState;
use primitive_types::{H160, H256, U256};
use witness::{BlockDataBlob, keccak256};

use crate::deposit::{DEPOSIT_LEN, deposits_of};
use crate::error::EeError;

extern crate alloc;

/// BLOCKHASH reaches this many ancestors.
const BLOCK_HASH_WINDOW: usize = 256;

/// An accepted block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validated {
    /// The new EE state: `keccak(block hash ++ chain config hash)`.
    pub post_state: [u8; 32],
    /// Deposits for the beacon chain, in log order.
    pub deposits: Vec<[u8; DEPOSIT_LEN]>,
    /// Gas the block used.
    pub gas_used: u64,
}

/// The EE state committing to a chain head and the rules of its chain.
pub fn ee_state(head_hash: H256, chain_config_hash: H256) -> [u8; 32] {
    let mut preimage = [0u8; 64];
    preimage[..32].copy_from_slice(head_hash.as_bytes());
    preimage[32..].copy_from_slice(chain_config_hash.as_bytes());
    keccak256(&preimage).0
}

/// Validates the block in `blob_bytes` on top of the head `pre_state` commits to.
///
/// # Assumptions
/// `pre_state` is the state the host holds for this EE; everything else comes from the blob and
/// is checked here.
pub fn validate_block_data(pre_state: [u8; 32], blob_bytes: &[u8]) -> Result<Validated, EeError> {
    // Decode.
    let blob = BlockDataBlob::decode(blob_bytes)?;
    let chain = ChainSpec::from_chain_config(&blob.chain_config)
        .map_err(|e| EeError::ChainConfig(e.to_string()))?;
    let block = Block::decode(&blob.block).map_err(|e| EeError::Block(e.to_string()))?;
    let mut headers: BTreeMap<H256, Header> = BTreeMap::new();
    for (index, bytes) in blob.witness.headers.iter().enumerate() {
        let header = Header::decode(bytes).map_err(|e| EeError::Header {
            index,
            reason: e.to_string(),
        })?;
        headers.insert(header.hash(), header);
    }

    // The parent and the rules must be the ones the pre-state commits to.
    let chain_config_hash = blob.chain_config.hash();
    let parent = headers
        .get(&block.header.parent_hash)
        .ok_or(EeError::MissingParent(block.header.parent_hash))?;
    let expected = ee_state(block.header.parent_hash, chain_config_hash);
    if expected != pre_state {
        return Err(EeError::PreStateMismatch {
            got: H256(pre_state),
            expected: H256(expected),
        });
    }

    // Ancestors, parent last, as far back as the witness's headers chain.
    let mut ancestors: Vec<Header> = Vec::new();
    let mut cursor = Some(parent);
    while let Some(header) = cursor {
        ancestors.push(header.clone());
        if ancestors.len() == BLOCK_HASH_WINDOW {
            break;
        }
        cursor = headers.get(&header.parent_hash);
    }
    ancestors.reverse();
    let block_hashes: BTreeMap<u64, H256> =
        ancestors.iter().map(|h| (h.number, h.hash())).collect();

    // Verify the witness against the parent's state root, then validate and execute
    // (`execute_block` checks the header against the parent first).
    let spec = chain.spec_at(block.header.number, block.header.timestamp, U256::zero());
    let mut state = WitnessState::new(
        parent.state_root,
        &blob.witness.state,
        &blob.witness.codes,
        block_hashes,
    )?;
    let outcome = execute_block(
        &mut state,
        &chain,
        spec,
        parent,
        &ancestors,
        &block,
        &NativePrecompiles,
    )
    .map_err(|e| EeError::Invalid(e.to_string()))?;

    // Commit.
    let deposits = match blob.chain_config.deposit_contract {
        Some(contract) => deposits_of(
            H160(contract),
            outcome
                .receipts
                .iter()
                .flat_map(|receipt| receipt.logs.iter()),
        ),
        None => Vec::new(),
    };
    Ok(Validated {
        post_state: ee_state(block.header.hash(), chain_config_hash),
        deposits,
        gas_used: outcome.gas_used,
    })
}
