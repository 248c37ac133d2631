//! The EE's pipeline, top to bottom: decode the blob, check the parent, the chain config and the
//! parent's total difficulty against the pre-state commitment, verify the witness against the parent's state root, execute and
//! validate the block, commit to the new head.

use alloc::collections::BTreeMap;
use alloc::string::ToString;
use alloc::vec::Vec;
use evm_core::block::{BLOCK_HASH_WINDOW, Block, Header, execute_block};
use evm_core::precompiles::GuestPrecompiles;
use primitive_types::{H160, H256, U256};
use witness::keccak256;

use crate::blob::BlockDataBlob;
use crate::witness_state::WitnessState;

use crate::deposit::{DEPOSIT_LEN, deposits_of};
use crate::error::EeError;

/// An accepted block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validated {
    /// The new EE state: [`ee_state`] of the block's hash, the chain config hash and the block's
    /// total difficulty (the parent's plus the block's difficulty).
    pub post_state: [u8; 32],
    /// Deposits for the beacon chain, in log order.
    pub deposits: Vec<[u8; DEPOSIT_LEN]>,
    /// Gas the block used.
    pub gas_used: u64,
}

/// The EE state committing to a chain head, the rules of its chain and the head's total
/// difficulty: `keccak(head hash ++ chain config hash ++ total difficulty as 32 bytes big-endian)`.
pub fn ee_state(head_hash: H256, chain_config_hash: H256, head_total_difficulty: U256) -> [u8; 32] {
    let mut preimage = [0u8; 96];
    preimage[..32].copy_from_slice(head_hash.as_bytes());
    preimage[32..64].copy_from_slice(chain_config_hash.as_bytes());
    head_total_difficulty.to_big_endian(&mut preimage[64..]);
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
    let chain = blob.chain_config.to_chain_spec();
    let block = Block::decode(&blob.block).map_err(|e| EeError::Block(e.to_string()))?;
    let mut headers: BTreeMap<H256, Header> = BTreeMap::new();
    for (index, bytes) in blob.witness.headers.iter().enumerate() {
        let header = Header::decode(bytes).map_err(|e| EeError::Header {
            index,
            reason: e.to_string(),
        })?;
        headers.insert(header.hash(), header);
    }

    // The parent, the rules and the parent's total difficulty must be the ones the pre-state
    // commits to. The parent is the block's `parent_hash`, so this comes before looking for its
    // header: a block naming another parent builds on another head whatever the witness holds
    // (a pre-state mismatch), and only a block on the committed head can lack its parent header
    // (a witness gap). In the other order the witness would choose between the two.
    let chain_config_hash = blob.chain_config.hash();
    let parent_total_difficulty = U256::from_big_endian(&blob.parent_total_difficulty);
    let expected = ee_state(
        block.header.parent_hash,
        chain_config_hash,
        parent_total_difficulty,
    );
    if expected != pre_state {
        return Err(EeError::PreStateMismatch {
            got: H256(pre_state),
            expected: H256(expected),
        });
    }
    let parent = headers
        .get(&block.header.parent_hash)
        .ok_or(EeError::MissingParent(block.header.parent_hash))?;

    // Ancestors, parent last, as far back as the witness's headers chain.
    let mut ancestors: Vec<Header> = Vec::new();
    let mut cursor = Some(parent);
    while let Some(header) = cursor {
        ancestors.push(header.clone());
        if ancestors.len() as u64 == BLOCK_HASH_WINDOW {
            break;
        }
        cursor = headers.get(&header.parent_hash);
    }
    ancestors.reverse();
    let block_hashes: BTreeMap<u64, H256> =
        ancestors.iter().map(|h| (h.number, h.hash())).collect();

    // Verify the witness against the parent's state root, then validate and execute
    // (`execute_block` checks the header against the parent first).
    let spec = chain.spec_at(
        block.header.number,
        block.header.timestamp,
        parent_total_difficulty,
    );
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
        &GuestPrecompiles,
    )?;

    // Commit.
    let total_difficulty = parent_total_difficulty
        .checked_add(block.header.difficulty)
        .ok_or(EeError::TotalDifficultyOverflow)?;
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
        post_state: ee_state(block.header.hash(), chain_config_hash, total_difficulty),
        deposits,
        gas_used: outcome.gas_used,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blob::{ChainConfig, ForkActivation};
    use crate::block_witness::Witness;
    use crate::error::RejectionKind;
    use alloc::vec;
    use evm_core::SpecId;
    use evm_core::logs::Bloom;

    /// A block on `parent_hash` with no parent header in its witness, as a blob.
    fn orphan_blob(parent_hash: H256) -> (BlockDataBlob, H256) {
        let header = Header {
            parent_hash,
            ommers_hash: H256::zero(),
            beneficiary: H160::zero(),
            state_root: H256::zero(),
            transactions_root: H256::zero(),
            receipts_root: H256::zero(),
            logs_bloom: Bloom::default(),
            difficulty: U256::one(),
            number: 1,
            gas_limit: 5000,
            gas_used: 0,
            timestamp: 1,
            extra_data: vec![],
            mix_hash: H256::zero(),
            nonce: [0; 8],
            base_fee_per_gas: None,
            withdrawals_root: None,
            blob_gas_used: None,
            excess_blob_gas: None,
            parent_beacon_block_root: None,
        };
        let block = Block {
            header,
            transactions: vec![],
            ommers: vec![],
            withdrawals: None,
        };
        let chain_config = ChainConfig {
            chain_id: 1,
            forks: vec![(SpecId::Frontier, ForkActivation::Block(0))],
            deposit_contract: None,
            dao_fork_block: None,
            bomb_delays: Vec::new(),
        };
        let config_hash = chain_config.hash();
        let blob = BlockDataBlob {
            chain_config,
            parent_total_difficulty: [0; 32],
            block: block.encode(),
            witness: Witness::default(),
        };
        (blob, config_hash)
    }

    #[test]
    fn a_block_on_another_parent_is_a_pre_state_mismatch_whatever_the_witness_holds() {
        let head = H256::repeat_byte(1);
        let (blob, config_hash) = orphan_blob(H256::repeat_byte(2));
        let pre_state = ee_state(head, config_hash, U256::zero());
        let error = validate_block_data(pre_state, &blob.encode()).unwrap_err();
        assert!(matches!(error, EeError::PreStateMismatch { .. }), "{error}");
        assert_eq!(error.kind(), RejectionKind::PreStateMismatch);
    }

    #[test]
    fn a_block_on_the_committed_head_without_its_header_is_a_witness_gap() {
        let head = H256::repeat_byte(1);
        let (blob, config_hash) = orphan_blob(head);
        let pre_state = ee_state(head, config_hash, U256::zero());
        let error = validate_block_data(pre_state, &blob.encode()).unwrap_err();
        assert!(
            matches!(error, EeError::MissingParent(h) if h == head),
            "{error}"
        );
        assert_eq!(error.kind(), RejectionKind::WitnessGap);
    }
}
