//! The era accumulator: the SSZ `hash_tree_root` of `List[HeaderRecord, 8192]`, where
//! `HeaderRecord = {block_hash: Bytes32, total_difficulty: uint256}` (the Portal network's epoch
//! accumulator, which an era1 file carries as its accumulator entry).

use primitive_types::{H256, U256};
use sha2::{Digest, Sha256};

use crate::ERA_BLOCKS;

/// Mainnet's accumulator roots by era, as published with the era1 files (the first bytes of
/// each name the file: `mainnet-00000-5ec1ffb8.era1`). Only the eras the project replays are
/// listed; a later era is checked for self-consistency alone.
pub const MAINNET_ACCUMULATOR_ROOTS: [H256; 2] = [
    H256(witness::hex::literal(
        "5ec1ffb8c3b146f42606c74ced973dc16ec5a107c0345858c343fc94780b4218",
    )),
    H256(witness::hex::literal(
        "a5364e9a9bc513c4601f0d62e6b46dbdedf3200bbfae54d6350f46f2c7a01938",
    )),
];

fn sha256_pair(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// The accumulator root of an era's `(block hash, total difficulty)` records, in block order
/// (at most 8,192; more are ignored, as no era has them).
pub fn accumulator_root(records: &[(H256, U256)]) -> H256 {
    let depth = ERA_BLOCKS.trailing_zeros() as usize;
    let mut level: Vec<[u8; 32]> = records
        .iter()
        .take(ERA_BLOCKS as usize)
        .map(|(hash, total_difficulty)| {
            let mut difficulty = [0u8; 32];
            total_difficulty.to_little_endian(&mut difficulty);
            sha256_pair(&hash.0, &difficulty)
        })
        .collect();
    // Levels are padded with the root of an all-zero subtree of their height, so only the
    // records present are hashed.
    let mut zero = [0u8; 32];
    for _ in 0..depth {
        if level.len() % 2 == 1 {
            level.push(zero);
        }
        level = level
            .chunks_exact(2)
            .map(|pair| sha256_pair(&pair[0], &pair[1]))
            .collect();
        zero = sha256_pair(&zero, &zero);
    }
    let root = level.first().copied().unwrap_or(zero);
    let mut length = [0u8; 32];
    length[..8].copy_from_slice(&(records.len().min(ERA_BLOCKS as usize) as u64).to_le_bytes());
    H256(sha256_pair(&root, &length))
}
