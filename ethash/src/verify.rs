//! The seal check: mix digest, then result against `2^256 / difficulty`.

use primitive_types::{U256, U512};

use crate::{EpochCache, MAX_EPOCH, PowOutput, epoch_of};

/// The fields of a header that its Ethash seal covers or consists of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seal {
    /// Keccak-256 of the RLP of the header without its last two fields (`mixHash`, `nonce`).
    pub seal_hash: [u8; 32],
    /// The header's nonce, as its 8 bytes are stored (big-endian).
    pub nonce: [u8; 8],
    /// The header's `mixHash`.
    pub mix_hash: [u8; 32],
    /// The header's difficulty.
    pub difficulty: U256,
    /// The header's block number, which picks the epoch.
    pub number: u64,
}

/// Why a seal is not valid.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The cache passed to [`verify_seal`] is not the one of the block's epoch.
    #[error(
        "Ethash cache of epoch {cache_epoch} given for block {number}, which is in epoch \
         {block_epoch}"
    )]
    WrongEpoch {
        /// Epoch of the cache that was passed.
        cache_epoch: u64,
        /// Epoch of the block.
        block_epoch: u64,
        /// The block number.
        number: u64,
    },
    /// The block number is beyond the epochs this crate supports.
    #[error(
        "block {number} is in Ethash epoch {epoch}, above the last supported epoch {MAX_EPOCH}"
    )]
    EpochTooHigh {
        /// The block number.
        number: u64,
        /// Its epoch.
        epoch: u64,
    },
    /// A difficulty of zero has no target (`2^256 / 0`).
    #[error("block difficulty is zero, so the Ethash target 2^256 / difficulty is undefined")]
    ZeroDifficulty,
    /// The mix digest computed from the nonce is not the header's `mixHash`.
    #[error(
        "Ethash mix digest {} computed from the nonce does not match the header's mixHash {}",
        Hex(.got),
        Hex(.expected)
    )]
    MixHashMismatch {
        /// The computed mix digest.
        got: [u8; 32],
        /// The header's `mixHash`.
        expected: [u8; 32],
    },
    /// The mix digest matches, but the result is above `2^256 / difficulty`: the work done is
    /// less than the block's difficulty claims.
    #[error(
        "Ethash result {} is above the target 2^256 / difficulty for the block's difficulty \
         {difficulty} ({difficulty:#x})",
        Hex(.result)
    )]
    ResultAboveTarget {
        /// The computed result (big-endian).
        result: [u8; 32],
        /// The block's difficulty.
        difficulty: U256,
    },
}

/// Checks `seal` with the cache of its epoch: the epoch and a non-zero difficulty first, then
/// hashimoto (about 3 ms: 128 dataset items of 256 dependent cache reads each). The mix digest
/// must equal `seal.mix_hash` and the result must be at most `2^256 / difficulty` (the Yellow
/// Paper's `n <= 2^256 / H_d`, computed exactly in 512 bits, so difficulty 1 accepts every
/// result).
pub fn verify_seal(cache: &EpochCache, seal: &Seal) -> Result<(), SealError> {
    let block_epoch = epoch_of(seal.number);
    if block_epoch > MAX_EPOCH {
        return Err(SealError::EpochTooHigh {
            number: seal.number,
            epoch: block_epoch,
        });
    }
    if block_epoch != cache.epoch() {
        return Err(SealError::WrongEpoch {
            cache_epoch: cache.epoch(),
            block_epoch,
            number: seal.number,
        });
    }
    if seal.difficulty.is_zero() {
        return Err(SealError::ZeroDifficulty);
    }
    let out = cache.hashimoto_light(&seal.seal_hash, u64::from_be_bytes(seal.nonce));
    check_output(seal, &out)
}

/// [`verify_seal`] of many seals, their hashimoto computed four at a time
/// ([`EpochCache::hashimoto_light_many`]); one result per seal, in order.
pub fn verify_seals(cache: &EpochCache, seals: &[Seal]) -> Vec<Result<(), SealError>> {
    let mut results: Vec<Result<(), SealError>> = seals
        .iter()
        .map(|seal| {
            let block_epoch = epoch_of(seal.number);
            if block_epoch > MAX_EPOCH {
                Err(SealError::EpochTooHigh {
                    number: seal.number,
                    epoch: block_epoch,
                })
            } else if block_epoch != cache.epoch() {
                Err(SealError::WrongEpoch {
                    cache_epoch: cache.epoch(),
                    block_epoch,
                    number: seal.number,
                })
            } else if seal.difficulty.is_zero() {
                Err(SealError::ZeroDifficulty)
            } else {
                Ok(())
            }
        })
        .collect();
    let to_hash: Vec<usize> = (0..seals.len()).filter(|&i| results[i].is_ok()).collect();
    let inputs: Vec<([u8; 32], u64)> = to_hash
        .iter()
        .map(|&i| (seals[i].seal_hash, u64::from_be_bytes(seals[i].nonce)))
        .collect();
    for (&i, out) in to_hash.iter().zip(cache.hashimoto_light_many(&inputs)) {
        results[i] = check_output(&seals[i], &out);
    }
    results
}

/// The mix digest and the target check of a computed hashimoto output.
fn check_output(seal: &Seal, out: &PowOutput) -> Result<(), SealError> {
    if out.mix_hash != seal.mix_hash {
        return Err(SealError::MixHashMismatch {
            got: out.mix_hash,
            expected: seal.mix_hash,
        });
    }
    let target = (U512::one() << 256) / U512::from(seal.difficulty);
    if U512::from_big_endian(&out.result) > target {
        return Err(SealError::ResultAboveTarget {
            result: out.result,
            difficulty: seal.difficulty,
        });
    }
    Ok(())
}

/// `0x`-prefixed lowercase hex of bytes, for error messages.
struct Hex<'a>(&'a [u8]);

impl std::fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("0x")?;
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::cache::epoch0;

    fn h32(s: &str) -> [u8; 32] {
        hex::decode(s).unwrap().try_into().unwrap()
    }

    /// The first ethereum/tests vector as a seal; its result 0xdd47.. is valid up to difficulty
    /// floor(2^256 / result) = 1.
    fn vector_seal(difficulty: u64) -> Seal {
        Seal {
            seal_hash: h32("2a8de2adf89af77358250bf908bf04ba94a6e8c3ba87775564a41d269a05e4ce"),
            nonce: 0x4242_4242_4242_4242u64.to_be_bytes(),
            mix_hash: h32("58f759ede17a706c93f13030328bcea40c1d1341fb26f2facd21ceb0dae57017"),
            difficulty: U256::from(difficulty),
            number: 0,
        }
    }

    /// Mainnet block 1: its seal hash is computed from the header RLP in
    /// `tests/mainnet_blocks.rs`; here its fields are embedded.
    pub(crate) fn mainnet_block1() -> Seal {
        Seal {
            seal_hash: h32("85913a3057ea8bec78cd916871ca73802e77724e014dda65add3405d02240eb7"),
            nonce: 0x539b_d497_9fef_1ec4u64.to_be_bytes(),
            mix_hash: h32("969b900de27b6ac6a67742365dd65f55a0526c41fd18e1b16f1a1215c2e66f59"),
            difficulty: U256::from(0x3_ff80_0000u64),
            number: 1,
        }
    }

    #[test]
    fn mainnet_block_1_is_valid() {
        assert_eq!(verify_seal(epoch0(), &mainnet_block1()), Ok(()));
    }

    #[test]
    fn wrong_nonce_gives_a_mix_hash_mismatch() {
        let mut seal = mainnet_block1();
        seal.nonce[7] ^= 1;
        let got = epoch0()
            .hashimoto_light(&seal.seal_hash, u64::from_be_bytes(seal.nonce))
            .mix_hash;
        assert_eq!(
            verify_seal(epoch0(), &seal),
            Err(SealError::MixHashMismatch {
                got,
                expected: seal.mix_hash
            })
        );
    }

    #[test]
    fn wrong_mix_hash_is_named_in_the_error() {
        let mut seal = mainnet_block1();
        seal.mix_hash[0] ^= 0xff;
        let err = verify_seal(epoch0(), &seal).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Ethash mix digest 0x969b900de27b6ac6a67742365dd65f55a0526c41fd18e1b16f1a1215c2e66f59 \
             computed from the nonce does not match the header's mixHash \
             0x699b900de27b6ac6a67742365dd65f55a0526c41fd18e1b16f1a1215c2e66f59"
        );
    }

    #[test]
    fn difficulty_is_compared_exactly() {
        // The vector's result is 0xdd47.., so only difficulty 1 (target 2^256) admits it.
        assert_eq!(verify_seal(epoch0(), &vector_seal(1)), Ok(()));
        let err = verify_seal(epoch0(), &vector_seal(2)).unwrap_err();
        let result = h32("dd47fd2d98db51078356852d7c4014e6a5d6c387c35f40e2875b74a256ed7906");
        let difficulty = U256::from(2);
        assert_eq!(err, SealError::ResultAboveTarget { result, difficulty });
        assert_eq!(
            err.to_string(),
            "Ethash result 0xdd47fd2d98db51078356852d7c4014e6a5d6c387c35f40e2875b74a256ed7906 is \
             above the target 2^256 / difficulty for the block's difficulty 2 (0x2)"
        );

        // Block 1's result, and the difficulties just at and just above its bound.
        let block1 = mainnet_block1();
        let result = epoch0()
            .hashimoto_light(&block1.seal_hash, u64::from_be_bytes(block1.nonce))
            .result;
        let max = (U512::one() << 256) / U512::from_big_endian(&result);
        let max = U256::try_from(max).unwrap();
        assert!(max >= block1.difficulty);
        for (difficulty, ok) in [(max, true), (max + 1, false), (U256::MAX, false)] {
            let seal = Seal {
                difficulty,
                ..block1
            };
            assert_eq!(verify_seal(epoch0(), &seal).is_ok(), ok, "{difficulty}");
        }
    }

    #[test]
    fn zero_difficulty_is_an_error() {
        let seal = Seal {
            difficulty: U256::zero(),
            ..mainnet_block1()
        };
        assert_eq!(verify_seal(epoch0(), &seal), Err(SealError::ZeroDifficulty));
    }

    #[test]
    fn epochs_are_checked_before_hashing() {
        let seal = Seal {
            number: 30_000,
            ..mainnet_block1()
        };
        let err = verify_seal(epoch0(), &seal).unwrap_err();
        assert_eq!(
            err,
            SealError::WrongEpoch {
                cache_epoch: 0,
                block_epoch: 1,
                number: 30_000
            }
        );
        assert_eq!(
            err.to_string(),
            "Ethash cache of epoch 0 given for block 30000, which is in epoch 1"
        );
        let seal = Seal {
            number: u64::MAX,
            ..mainnet_block1()
        };
        assert_eq!(
            verify_seal(epoch0(), &seal),
            Err(SealError::EpochTooHigh {
                number: u64::MAX,
                epoch: u64::MAX / 30_000
            })
        );
    }
}
