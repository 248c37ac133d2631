//! Proof-of-work seals, verified natively on the host: Ethash light verification of a block's
//! header and of its ommers' headers, from the epoch caches of the `ethash` crate.
//!
//! The EE does not verify seals: a light cache is 16 MiB or more per epoch, far more than a
//! shard block's budget, and a seal proves work, not validity. The host checks it before the
//! block reaches an engine, as a client checks it before execution. Blocks with difficulty zero
//! (after the merge, EIP-3675) carry no seal; validation requires their zero nonce.

use std::sync::Arc;

use ethash::{EpochCaches, Seal, SealError};
use evm_core::block::{Block, Header};

/// Why a block's seal was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SealRejection {
    /// The block's own seal.
    #[error("proof-of-work seal: {0}")]
    Header(SealError),
    /// The seal of one of its ommers.
    #[error("ommer {index}: proof-of-work seal: {source}")]
    Ommer {
        /// The ommer's position in the block.
        index: usize,
        /// Why.
        source: SealError,
    },
}

/// The Ethash seal of `header`.
pub fn seal_of(header: &Header) -> Seal {
    Seal {
        seal_hash: header.seal_hash().0,
        nonce: header.nonce,
        mix_hash: header.mix_hash.0,
        difficulty: header.difficulty,
        number: header.number,
    }
}

/// Shared epoch caches and the check of a block's seals with them.
#[derive(Clone, Debug, Default)]
pub struct SealVerifier {
    caches: Arc<EpochCaches>,
}

impl SealVerifier {
    /// A verifier with its own caches (each holds up to three epochs, 16 MiB and more each).
    pub fn new() -> SealVerifier {
        SealVerifier::default()
    }

    /// Verifies the seal of `block`'s header and of each ommer; blocks of difficulty zero (after
    /// the merge) have none to verify.
    pub fn verify_block(&self, block: &Block) -> Result<(), SealRejection> {
        if block.header.difficulty.is_zero() {
            return Ok(());
        }
        self.caches
            .verify(&seal_of(&block.header))
            .map_err(SealRejection::Header)?;
        for (index, ommer) in block.ommers.iter().enumerate() {
            self.caches
                .verify(&seal_of(ommer))
                .map_err(|source| SealRejection::Ommer { index, source })?;
        }
        Ok(())
    }

    /// [`SealVerifier::verify_block`] of many blocks, their seals hashed four at a time (about
    /// twice as fast as one by one: the cache misses of four seals overlap).
    pub fn verify_blocks(&self, blocks: &[&Block]) -> Vec<Result<(), SealRejection>> {
        // (block, ommer index or None) of every seal to check.
        let mut owners = Vec::new();
        let mut seals = Vec::new();
        for (i, block) in blocks.iter().enumerate() {
            if block.header.difficulty.is_zero() {
                continue;
            }
            owners.push((i, None));
            seals.push(seal_of(&block.header));
            for (index, ommer) in block.ommers.iter().enumerate() {
                owners.push((i, Some(index)));
                seals.push(seal_of(ommer));
            }
        }
        let mut results: Vec<Result<(), SealRejection>> = vec![Ok(()); blocks.len()];
        for ((block, ommer), result) in owners.into_iter().zip(self.caches.verify_many(&seals)) {
            if let (Err(source), Ok(())) = (result, &results[block]) {
                results[block] = Err(match ommer {
                    None => SealRejection::Header(source),
                    Some(index) => SealRejection::Ommer { index, source },
                });
            }
        }
        results
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use primitive_types::U256;

    /// A header of difficulty 1 (any result meets the target) sealed with its own mix digest.
    fn sealed(number: u64, nonce: u64) -> Header {
        let mut header = Header {
            number,
            difficulty: U256::one(),
            nonce: nonce.to_be_bytes(),
            ..Header::default()
        };
        let out = ethash::EpochCache::new(0).hashimoto_light(&header.seal_hash().0, nonce);
        header.mix_hash = primitive_types::H256(out.mix_hash);
        header
    }

    #[test]
    fn blocks_and_ommers_with_a_wrong_seal_are_named() {
        let verifier = SealVerifier::new();
        let good = sealed(3, 7);
        let ommer = sealed(2, 9);
        let block = |header: Header, ommers: Vec<Header>| Block {
            header,
            transactions: Vec::new(),
            ommers,
            withdrawals: None,
        };
        assert_eq!(
            verifier.verify_block(&block(good.clone(), vec![ommer.clone()])),
            Ok(())
        );
        let mut bad_nonce = good.clone();
        bad_nonce.nonce = 8u64.to_be_bytes();
        let mut bad_ommer = ommer.clone();
        bad_ommer.mix_hash = primitive_types::H256::zero();
        let blocks = [
            block(good.clone(), vec![ommer.clone()]),
            block(bad_nonce, Vec::new()),
            block(good, vec![ommer, bad_ommer]),
            block(Header::default(), Vec::new()),
        ];
        let results = verifier.verify_blocks(&blocks.iter().collect::<Vec<_>>());
        assert_eq!(results[0], Ok(()));
        assert!(matches!(
            results[1],
            Err(SealRejection::Header(SealError::MixHashMismatch { .. }))
        ));
        assert!(matches!(
            results[2],
            Err(SealRejection::Ommer {
                index: 1,
                source: SealError::MixHashMismatch { .. }
            })
        ));
        // Difficulty zero: after the merge, no seal.
        assert_eq!(results[3], Ok(()));
        assert_eq!(verifier.verify_block(&blocks[2]), results[2].clone());
    }
}
