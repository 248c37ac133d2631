//! Consensus rules of a header against its parent, and of a block's ommers against its
//! ancestors. Nothing here reads the state.

use alloc::boxed::Box;
use alloc::collections::BTreeSet;
use alloc::vec::Vec;
use primitive_types::{H256, U256};

use super::base_fee::{ELASTICITY_MULTIPLIER, expected_base_fee};
use super::blob_gas::expected_excess_blob_gas;
use super::body::ommers_rlp;
use super::dao::{DAO_EXTRA_DATA, DAO_EXTRA_DATA_RANGE};
use super::difficulty::{EMPTY_OMMERS_HASH, expected_difficulty};
use super::{BlockError, ChainSpec, Header};
use crate::execute::{GAS_PER_BLOB, MAX_BLOB_GAS_PER_BLOCK};
use crate::spec::SpecId;

/// Longest extra data.
pub const MAX_EXTRA_DATA: usize = 32;
/// Lowest gas limit.
pub const MIN_GAS_LIMIT: u64 = 5000;
/// Highest gas limit (2^63 - 1), as the clients cap it.
pub const MAX_GAS_LIMIT: u64 = i64::MAX as u64;
/// The gas limit moves by less than `parent / 1024` per block.
const GAS_LIMIT_BOUND_DIVISOR: u64 = 1024;
/// Most ommers a block may include before the merge.
pub const MAX_OMMERS: usize = 2;
/// An ommer's parent must be at most this many generations above the block (so the ommer is at
/// most 6 generations older than the block).
pub const MAX_OMMER_DEPTH: u64 = 7;

/// BLOCKHASH reaches back this many blocks; the EE's witness carries as many ancestor headers.
pub const BLOCK_HASH_WINDOW: u64 = 256;

/// Checks `header` against `parent` under `spec`: parent hash, number, timestamp, extra data
/// (size, and the DAO fork's marker), gas limit and gas used, the fork-gated fields, difficulty
/// (and zero nonce after the merge, EIP-3675), base fee (EIP-1559), blob gas (EIP-4844).
///
/// The proof-of-work seal (mix hash and nonce before the merge) is not verified.
pub fn validate_header(
    chain: &ChainSpec,
    spec: SpecId,
    parent: &Header,
    header: &Header,
) -> Result<(), BlockError> {
    validate_lineage(parent, header)?;
    validate_extra_data(chain, header)?;
    validate_gas(spec, parent, header)?;
    validate_fork_fields(spec, header)?;
    validate_consensus_fields(chain, spec, parent, header)?;
    if spec.is_enabled_in(SpecId::London) {
        let expected = expected_base_fee(parent);
        if header.base_fee_per_gas != Some(expected) {
            return Err(BlockError::BaseFee {
                got: header.base_fee_per_gas,
                expected: Some(expected),
            });
        }
    }
    if spec.is_enabled_in(SpecId::Cancun) {
        validate_blob_gas(parent, header)?;
    }
    Ok(())
}

/// Parent hash, number, timestamp.
fn validate_lineage(parent: &Header, header: &Header) -> Result<(), BlockError> {
    let parent_hash = parent.hash();
    if header.parent_hash != parent_hash {
        return Err(BlockError::ParentHash {
            got: header.parent_hash,
            expected: parent_hash,
        });
    }
    let expected_number = parent.number.checked_add(1);
    if Some(header.number) != expected_number {
        return Err(BlockError::Number {
            got: header.number,
            expected: expected_number.unwrap_or(u64::MAX),
        });
    }
    if header.timestamp <= parent.timestamp {
        return Err(BlockError::Timestamp {
            got: header.timestamp,
            parent: parent.timestamp,
        });
    }
    Ok(())
}

/// At most 32 bytes; exactly `"dao-hard-fork"` in the ten blocks from the DAO fork on.
fn validate_extra_data(chain: &ChainSpec, header: &Header) -> Result<(), BlockError> {
    if header.extra_data.len() > MAX_EXTRA_DATA {
        return Err(BlockError::ExtraDataTooLong {
            len: header.extra_data.len(),
            max: MAX_EXTRA_DATA,
        });
    }
    if let Some(dao_block) = chain.dao_fork_block
        && header.number >= dao_block
        && header.number - dao_block < DAO_EXTRA_DATA_RANGE
        && header.extra_data != DAO_EXTRA_DATA
    {
        return Err(BlockError::DaoExtraData {
            number: header.number,
        });
    }
    Ok(())
}

/// Gas limit within `parent ± parent/1024` (exclusive), at least 5000, at most 2^63 - 1; the
/// parent's limit counts double at the London fork block (EIP-1559 elasticity); gas used within
/// the limit.
fn validate_gas(spec: SpecId, parent: &Header, header: &Header) -> Result<(), BlockError> {
    let parent_limit = if spec.is_enabled_in(SpecId::London) && parent.base_fee_per_gas.is_none() {
        parent.gas_limit.saturating_mul(ELASTICITY_MULTIPLIER)
    } else {
        parent.gas_limit
    };
    let step = parent_limit / GAS_LIMIT_BOUND_DIVISOR;
    // |limit - parent| < step, so the reachable range is parent ± (step - 1).
    let reach = step.saturating_sub(1);
    let min = parent_limit.saturating_sub(reach).max(MIN_GAS_LIMIT);
    let max = parent_limit.saturating_add(reach).min(MAX_GAS_LIMIT);
    if step == 0 || header.gas_limit < min || header.gas_limit > max {
        return Err(BlockError::GasLimitOutOfBounds {
            got: header.gas_limit,
            parent: parent_limit,
            min,
            max,
        });
    }
    if header.gas_used > header.gas_limit {
        return Err(BlockError::GasUsedExceedsLimit {
            gas_used: header.gas_used,
            gas_limit: header.gas_limit,
        });
    }
    Ok(())
}

/// Each optional field is present exactly from its fork on.
fn validate_fork_fields(spec: SpecId, header: &Header) -> Result<(), BlockError> {
    let fields = [
        (
            "base_fee_per_gas",
            SpecId::London,
            header.base_fee_per_gas.is_some(),
        ),
        (
            "withdrawals_root",
            SpecId::Shanghai,
            header.withdrawals_root.is_some(),
        ),
        (
            "blob_gas_used",
            SpecId::Cancun,
            header.blob_gas_used.is_some(),
        ),
        (
            "excess_blob_gas",
            SpecId::Cancun,
            header.excess_blob_gas.is_some(),
        ),
        (
            "parent_beacon_block_root",
            SpecId::Cancun,
            header.parent_beacon_block_root.is_some(),
        ),
    ];
    for (field, fork, present) in fields {
        let expected_present = spec.is_enabled_in(fork);
        if present != expected_present {
            return Err(BlockError::HeaderField {
                field,
                spec,
                expected_present,
            });
        }
    }
    Ok(())
}

/// Difficulty by the fork's formula; after the merge (EIP-3675) also a zero nonce and no ommers.
fn validate_consensus_fields(
    chain: &ChainSpec,
    spec: SpecId,
    parent: &Header,
    header: &Header,
) -> Result<(), BlockError> {
    let expected = expected_difficulty(
        spec,
        chain.bomb_delay_at(header.number),
        parent,
        header.timestamp,
        header.number,
    );
    if header.difficulty != expected {
        return Err(BlockError::Difficulty {
            got: header.difficulty,
            expected,
        });
    }
    if spec.is_enabled_in(SpecId::Paris) {
        if header.nonce != [0u8; 8] {
            return Err(BlockError::NonZeroNonce { got: header.nonce });
        }
        if header.ommers_hash != EMPTY_OMMERS_HASH {
            return Err(BlockError::OmmersHashMismatch {
                got: header.ommers_hash,
                expected: EMPTY_OMMERS_HASH,
            });
        }
    }
    Ok(())
}

/// EIP-4844: blob gas used a multiple of the blob size within the block maximum, and the excess
/// carried over from the parent.
fn validate_blob_gas(parent: &Header, header: &Header) -> Result<(), BlockError> {
    let used = header.blob_gas_used.unwrap_or_default();
    if used > MAX_BLOB_GAS_PER_BLOCK || !used.is_multiple_of(GAS_PER_BLOB) {
        return Err(BlockError::BlobGasUsedInvalid {
            got: used,
            max: MAX_BLOB_GAS_PER_BLOCK,
            per_blob: GAS_PER_BLOB,
        });
    }
    let expected = expected_excess_blob_gas(parent);
    let got = header.excess_blob_gas.unwrap_or_default();
    if got != expected {
        return Err(BlockError::ExcessBlobGas { got, expected });
    }
    Ok(())
}

/// Checks the ommers of the block with `header`: their hash, their count (at most 2, none after
/// the merge), no duplicates, each neither an ancestor nor already included by one
/// (`included_by_ancestors`: the ommer hashes of the block's last six ancestors, or empty if
/// the caller does not have the ancestors' bodies), each the child of one of the block's
/// last seven ancestors other than its parent (so one to six generations old), and each a valid
/// header against that parent under the rules of the ommer's own number and timestamp.
///
/// `ancestors` are the headers before the block including its parent, in any order, at least the
/// last seven when the block has ommers (fewer near genesis); older ones are ignored.
pub fn validate_ommers(
    chain: &ChainSpec,
    spec: SpecId,
    header: &Header,
    ommers: &[Header],
    ancestors: &[Header],
    included_by_ancestors: &[H256],
) -> Result<(), BlockError> {
    let hash = witness::keccak256(&ommers_rlp(ommers));
    if hash != header.ommers_hash {
        return Err(BlockError::OmmersHashMismatch {
            got: hash,
            expected: header.ommers_hash,
        });
    }
    let max = if spec.is_enabled_in(SpecId::Paris) {
        0
    } else {
        MAX_OMMERS
    };
    if ommers.len() > max {
        return Err(BlockError::TooManyOmmers {
            count: ommers.len(),
            max,
        });
    }
    if ommers.is_empty() {
        return Ok(());
    }

    // The block's last seven ancestors, by number: ancestors form a chain ending at the parent.
    let lowest = header.number.saturating_sub(MAX_OMMER_DEPTH);
    let recent: Vec<(H256, &Header)> = ancestors
        .iter()
        .filter(|a| a.number >= lowest && a.number < header.number)
        .map(|a| (a.hash(), a))
        .collect();
    let block_hash = header.hash();
    let mut seen = BTreeSet::new();
    for (index, ommer) in ommers.iter().enumerate() {
        let hash = ommer.hash();
        if !seen.insert(hash) {
            return Err(BlockError::DuplicateOmmer { hash });
        }
        if hash == block_hash || recent.iter().any(|(ancestor, _)| *ancestor == hash) {
            return Err(BlockError::OmmerIsAncestor { hash });
        }
        if included_by_ancestors.contains(&hash) {
            return Err(BlockError::OmmerAlreadyIncluded { hash });
        }
        // The parent is one of the last seven ancestors but not the block's own parent (an ommer
        // is at least the parent's sibling, at most six generations back), as in the clients.
        let parent = recent
            .iter()
            .find(|(ancestor_hash, _)| *ancestor_hash == ommer.parent_hash)
            .filter(|_| ommer.parent_hash != header.parent_hash);
        let Some((_, ommer_parent)) = parent else {
            return Err(BlockError::OmmerParentUnknown {
                hash,
                number: ommer.number,
            });
        };
        // The fork the ommer was produced under, by its own number and timestamp (total
        // difficulty cannot matter: there are no ommers after the merge).
        let ommer_spec = chain.spec_at(ommer.number, ommer.timestamp, U256::zero());
        validate_header(chain, ommer_spec, ommer_parent, ommer).map_err(|source| {
            BlockError::InvalidOmmer {
                index,
                source: Box::new(source),
            }
        })?;
    }
    Ok(())
}
