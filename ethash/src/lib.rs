//! Ethash light verification: epoch caches, hashimoto, and seal checks against the difficulty.
//!
//! Written from the Ethash specification (Yellow Paper appendix J, the Ethash page of the
//! Ethereum wiki), in the order a verifier uses it:
//! 1. [`epoch_of`] a block number; the epoch fixes [`seed_hash`], [`cache_size`] and
//!    [`dataset_size`].
//! 2. [`EpochCache::new`]: the light cache of the epoch (16 MiB at epoch 0, 128 KiB more per
//!    epoch), from which any item of the 1 GiB+ dataset is computed on demand
//!    ([`EpochCache::dataset_item`]).
//! 3. [`EpochCache::hashimoto_light`]: the mix digest and the result of a seal hash and a nonce,
//!    reading the 128 dataset items the nonce selects.
//! 4. [`verify_seal`]: the mix digest must equal the header's `mixHash` and the result, as a
//!    big-endian number, must be at most `2^256 / difficulty`.
//!
//! [`EpochCaches`] keeps the caches of the last few epochs for threads verifying many blocks
//! ([`EpochCaches::verify`]), building each once.
//!
//! Keccak here is the original Keccak (`Keccak256`, `Keccak512`), not SHA-3; words are
//! little-endian `u32`. Epochs are supported up to [`MAX_EPOCH`] (the 2,048 epochs the spec's
//! size tables cover, 61,440,000 blocks; mainnet's proof of work ended in epoch 517): functions
//! taking an epoch panic above it, the seal checks return [`SealError::EpochTooHigh`].
#![warn(missing_docs, unreachable_pub)]

mod cache;
mod store;
mod verify;

pub use cache::{EpochCache, PowOutput};
pub use store::EpochCaches;
pub use verify::{Seal, SealError, verify_seal, verify_seals};

use sha3::{Digest, Keccak256, Keccak512};

/// Blocks per epoch: the cache and the dataset change every 30,000 blocks.
pub const EPOCH_LENGTH: u64 = 30_000;

/// The last epoch supported (block 61,439,999): the spec's tables of sizes cover epochs
/// 0..=2047, and the bound keeps a header's block number from asking for an absurd cache.
pub const MAX_EPOCH: u64 = 2047;

/// Bytes in a word.
const WORD_BYTES: usize = 4;
/// Dataset bytes at epoch 0.
const DATASET_BYTES_INIT: u64 = 1 << 30;
/// Dataset growth per epoch.
const DATASET_BYTES_GROWTH: u64 = 1 << 23;
/// Cache bytes at epoch 0.
const CACHE_BYTES_INIT: u64 = 1 << 24;
/// Cache growth per epoch.
const CACHE_BYTES_GROWTH: u64 = 1 << 17;
/// Width of the mix: one dataset page of two items.
const MIX_BYTES: usize = 128;
/// Size of a cache or dataset item (one Keccak-512 output).
const HASH_BYTES: usize = 64;
/// Words in one item.
const HASH_WORDS: usize = HASH_BYTES / WORD_BYTES;
/// Words in the mix.
const MIX_WORDS: usize = MIX_BYTES / WORD_BYTES;
/// Cache items mixed into each dataset item.
const DATASET_PARENTS: u32 = 256;
/// Passes of the RandMemoHash over the cache.
const CACHE_ROUNDS: usize = 3;
/// Dataset pages read per hashimoto.
const ACCESSES: u32 = 64;

/// One cache or dataset item: 64 bytes as 16 little-endian words.
type Item = [u32; HASH_WORDS];

/// The epoch of a block: its cache and dataset are those of `block_number / EPOCH_LENGTH`.
pub fn epoch_of(block_number: u64) -> u64 {
    block_number / EPOCH_LENGTH
}

/// Bytes of the light cache of `epoch`: the largest `CACHE_BYTES_INIT + CACHE_BYTES_GROWTH *
/// epoch - 64 * (2k + 1)` whose item count is prime (16,776,896 at epoch 0).
///
/// # Panics
/// If `epoch > MAX_EPOCH`.
pub fn cache_size(epoch: u64) -> usize {
    assert_epoch(epoch);
    let size = prime_items_below(
        CACHE_BYTES_INIT + CACHE_BYTES_GROWTH * epoch,
        HASH_BYTES as u64,
    );
    // At most 285 MB (epoch 2047), so it fits a usize on 32-bit targets too.
    size as usize
}

/// Bytes of the full dataset of `epoch`: the largest `DATASET_BYTES_INIT + DATASET_BYTES_GROWTH *
/// epoch - 128 * (2k + 1)` whose page count is prime (1,073,739,904 at epoch 0).
///
/// # Panics
/// If `epoch > MAX_EPOCH`.
pub fn dataset_size(epoch: u64) -> u64 {
    assert_epoch(epoch);
    prime_items_below(
        DATASET_BYTES_INIT + DATASET_BYTES_GROWTH * epoch,
        MIX_BYTES as u64,
    )
}

/// The seed of `epoch`'s cache: Keccak-256 applied `epoch` times to 32 zero bytes.
///
/// # Panics
/// If `epoch > MAX_EPOCH`.
pub fn seed_hash(epoch: u64) -> [u8; 32] {
    assert_epoch(epoch);
    let mut seed = [0u8; 32];
    for _ in 0..epoch {
        seed = Keccak256::digest(seed).into();
    }
    seed
}

/// The panic of the functions that take an epoch from their caller (not from a header).
fn assert_epoch(epoch: u64) {
    assert!(
        epoch <= MAX_EPOCH,
        "Ethash epoch {epoch} is above the last supported epoch {MAX_EPOCH}"
    );
}

/// `limit - unit`, less `2 * unit` at a time until the number of `unit`s is prime.
fn prime_items_below(limit: u64, unit: u64) -> u64 {
    let mut size = limit - unit;
    while !is_prime(size / unit) {
        size -= 2 * unit;
    }
    size
}

/// Trial division: the item counts are below 2^28, so at most a few thousand divisions.
fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    if n.is_multiple_of(2) {
        return n == 2;
    }
    let mut d = 3;
    while d * d <= n {
        if n.is_multiple_of(d) {
            return false;
        }
        d += 2;
    }
    true
}

/// The FNV-1-style mixing step of Ethash (multiply, then xor; not FNV-1a).
#[inline(always)]
fn fnv(a: u32, b: u32) -> u32 {
    a.wrapping_mul(0x0100_0193) ^ b
}

/// Keccak-512 of `input` as 16 little-endian words.
#[inline]
fn keccak512(input: &[u8]) -> Item {
    bytes_to_item(&Keccak512::digest(input).into())
}

/// Keccak-512 of an item's 64 bytes.
#[inline]
fn keccak512_item(item: &Item) -> Item {
    keccak512(&item_to_bytes(item))
}

#[inline]
fn item_to_bytes(item: &Item) -> [u8; HASH_BYTES] {
    let mut bytes = [0u8; HASH_BYTES];
    for (chunk, word) in bytes.chunks_exact_mut(WORD_BYTES).zip(item) {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    bytes
}

#[inline]
fn bytes_to_item(bytes: &[u8; HASH_BYTES]) -> Item {
    let mut item = [0u32; HASH_WORDS];
    for (word, chunk) in item.iter_mut().zip(bytes.chunks_exact(WORD_BYTES)) {
        *word = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
    }
    item
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epochs_change_every_30000_blocks() {
        assert_eq!(epoch_of(0), 0);
        assert_eq!(epoch_of(29_999), 0);
        assert_eq!(epoch_of(30_000), 1);
        assert_eq!(epoch_of(15_537_393), 517);
        assert_eq!(epoch_of(u64::MAX), u64::MAX / 30_000);
    }

    #[test]
    fn sizes_match_the_spec_tables() {
        // First and last entries of the spec's tables (epochs 0, 1, 2 and 2047).
        assert_eq!(cache_size(0), 16_776_896);
        assert_eq!(dataset_size(0), 1_073_739_904);
        assert_eq!(cache_size(1), 16_907_456);
        assert_eq!(dataset_size(1), 1_082_130_304);
        assert_eq!(cache_size(2), 17_039_296);
        assert_eq!(dataset_size(2), 1_090_514_816);
        assert_eq!(cache_size(2047), 285_081_536);
        assert_eq!(dataset_size(2047), 18_245_220_736);
    }

    #[test]
    fn sizes_have_prime_item_counts_just_below_the_linear_bound() {
        for epoch in [0, 1, 100, 517, 1000, MAX_EPOCH] {
            let cache = cache_size(epoch) as u64;
            let bound = CACHE_BYTES_INIT + CACHE_BYTES_GROWTH * epoch;
            assert!(is_prime(cache / 64) && cache.is_multiple_of(64) && cache < bound);
            let dataset = dataset_size(epoch);
            let bound = DATASET_BYTES_INIT + DATASET_BYTES_GROWTH * epoch;
            assert!(is_prime(dataset / 128) && dataset.is_multiple_of(128) && dataset < bound);
        }
    }

    #[test]
    fn trial_division_agrees_with_small_primes() {
        let primes: Vec<u64> = (0..60).filter(|&n| is_prime(n)).collect();
        assert_eq!(
            primes,
            [
                2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59
            ]
        );
        assert!(is_prime(262_139)); // cache items of epoch 0
        assert!(!is_prime(262_141 * 3));
    }

    #[test]
    fn seed_hashes() {
        assert_eq!(seed_hash(0), [0; 32]);
        assert_eq!(
            hex::encode(seed_hash(1)),
            "290decd9548b62a8d60345a988386fc84ba6bc95484008f6362f93160ef3e563"
        );
        assert_eq!(
            seed_hash(2),
            <[u8; 32]>::from(Keccak256::digest(seed_hash(1)))
        );
    }

    #[test]
    #[should_panic(expected = "above the last supported epoch")]
    fn epochs_above_the_limit_panic_in_direct_calls() {
        cache_size(MAX_EPOCH + 1);
    }

    #[test]
    fn fnv_multiplies_then_xors() {
        assert_eq!(fnv(0, 7), 7);
        assert_eq!(fnv(1, 0), 0x0100_0193);
        assert_eq!(fnv(u32::MAX, 0), 0u32.wrapping_sub(0x0100_0193));
    }

    #[test]
    fn item_bytes_round_trip_little_endian() {
        let mut bytes = [0u8; 64];
        bytes[0] = 1;
        bytes[63] = 0x80;
        let item = bytes_to_item(&bytes);
        assert_eq!((item[0], item[15]), (1, 0x8000_0000));
        assert_eq!(item_to_bytes(&item), bytes);
    }
}
