//! The light cache of one epoch, dataset items computed from it, and hashimoto over them.

use sha3::{Digest, Keccak256};

use crate::{
    ACCESSES, CACHE_ROUNDS, DATASET_PARENTS, HASH_BYTES, HASH_WORDS, Item, MIX_BYTES, MIX_WORDS,
    cache_size, dataset_size, fnv, item_to_bytes, keccak512, keccak512_item, seed_hash,
};

/// The light cache of one epoch: `cache_size(epoch) / 64` items of 64 bytes, enough to compute
/// any item of the epoch's full dataset and so to verify seals without the dataset.
///
/// Memory: 16 MiB at epoch 0, 128 KiB more per epoch (about 80 MiB at mainnet's last proof-of-work
/// epoch, 517). Building it is `4 * items` Keccak-512 hashes (see the crate README for times).
pub struct EpochCache {
    epoch: u64,
    /// Never empty: the smallest cache has 262,139 items.
    items: Vec<Item>,
    /// Pages of 128 bytes (two items) in the full dataset: a prime below 2^28, never zero.
    dataset_pages: u32,
}

/// Seals [`EpochCache::hashimoto_light_many`] hashes in lockstep.
const LANES: usize = 4;

/// What [`EpochCache::hashimoto_light`] computes from a seal hash and a nonce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PowOutput {
    /// The mix digest, which a valid header stores as `mixHash`.
    pub mix_hash: [u8; 32],
    /// The value compared with `2^256 / difficulty`, as a big-endian number.
    pub result: [u8; 32],
}

impl EpochCache {
    /// Builds the cache of `epoch` from its seed: a chain of Keccak-512 hashes, then
    /// `CACHE_ROUNDS` passes of RandMemoHash (each item rehashed with the xor of its predecessor
    /// and an item its first word picks).
    ///
    /// # Panics
    /// If `epoch > MAX_EPOCH` (see [`crate::EpochCaches::verify`] for seals of arbitrary
    /// headers).
    pub fn new(epoch: u64) -> EpochCache {
        let n = cache_size(epoch) / HASH_BYTES;
        let mut items: Vec<Item> = Vec::with_capacity(n);
        let mut item = keccak512(&seed_hash(epoch));
        items.push(item);
        for _ in 1..n {
            item = keccak512_item(&item);
            items.push(item);
        }
        for _ in 0..CACHE_ROUNDS {
            for i in 0..n {
                let picked = items[items[i][0] as usize % n];
                let mut mixed = items[(i + n - 1) % n];
                for (word, other) in mixed.iter_mut().zip(picked) {
                    *word ^= other;
                }
                items[i] = keccak512_item(&mixed);
            }
        }
        // At most 18.3 GB / 128 bytes (epoch 2047), well below 2^32.
        let dataset_pages = u32::try_from(dataset_size(epoch) / MIX_BYTES as u64)
            .expect("dataset pages of a supported epoch fit in u32");
        EpochCache {
            epoch,
            items,
            dataset_pages,
        }
    }

    /// The epoch this cache belongs to.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Bytes of the cache (`cache_size(epoch)`), which is also about the memory it holds.
    pub fn size_bytes(&self) -> usize {
        self.items.len() * HASH_BYTES
    }

    /// The cache as the spec serialises it: its items in order, words little-endian (the
    /// `cache_hash` of ethereum/tests' `ethash_tests.json` is the Keccak-256 of these bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(self.size_bytes());
        for item in &self.items {
            bytes.extend_from_slice(&item_to_bytes(item));
        }
        bytes
    }

    /// Item `index` of the epoch's full dataset, computed from 256 cache items. Indexes past the
    /// end of the dataset are not rejected: like every index here they wrap modulo the cache.
    pub fn dataset_item(&self, index: u32) -> [u32; 16] {
        let [item] = self.dataset_items([index]);
        item
    }

    /// Several dataset items computed side by side: each item is a chain of 256 dependent
    /// cache reads (mostly cache misses), and interleaving independent chains lets the CPU
    /// overlap their misses (hashimoto reads pages of two items: about 1.4 times faster).
    #[inline(always)]
    fn dataset_items<const N: usize>(&self, indexes: [u32; N]) -> [Item; N] {
        let n = self.items.len();
        let mut mixes = indexes.map(|index| {
            let mut mix = self.items[index as usize % n];
            mix[0] ^= index;
            keccak512_item(&mix)
        });
        for j in 0..DATASET_PARENTS {
            for (mix, &index) in mixes.iter_mut().zip(&indexes) {
                let parent = fnv(index ^ j, mix[j as usize % HASH_WORDS]) as usize % n;
                for (word, &p) in mix.iter_mut().zip(&self.items[parent]) {
                    *word = fnv(*word, p);
                }
            }
        }
        mixes.map(|mix| keccak512_item(&mix))
    }

    /// Hashimoto with dataset items computed from the cache: the mix digest and the result of
    /// `seal_hash` (Keccak-256 of the header without `mixHash` and `nonce`) and `nonce` (the
    /// header's 8 bytes read big-endian, `u64::from_be_bytes`).
    pub fn hashimoto_light(&self, seal_hash: &[u8; 32], nonce: u64) -> PowOutput {
        let [out] = self.hashimoto_lanes::<1, 2>([(*seal_hash, nonce)]);
        out
    }

    /// [`EpochCache::hashimoto_light`] of many `(seal hash, nonce)` pairs, four at a time in
    /// lockstep: the eight dataset items of their pages are computed side by side, so the CPU
    /// overlaps eight chains of cache misses instead of two.
    pub fn hashimoto_light_many(&self, inputs: &[([u8; 32], u64)]) -> Vec<PowOutput> {
        let mut outputs = Vec::with_capacity(inputs.len());
        let mut chunks = inputs.chunks_exact(LANES);
        for chunk in &mut chunks {
            let lanes: [([u8; 32], u64); LANES] = std::array::from_fn(|i| chunk[i]);
            outputs.extend(self.hashimoto_lanes::<LANES, { 2 * LANES }>(lanes));
        }
        for &input in chunks.remainder() {
            outputs.extend(self.hashimoto_lanes::<1, 2>([input]));
        }
        outputs
    }

    /// Hashimoto of `K` inputs in lockstep; `ITEMS` is `2 * K` (two dataset items per page).
    fn hashimoto_lanes<const K: usize, const ITEMS: usize>(
        &self,
        inputs: [([u8; 32], u64); K],
    ) -> [PowOutput; K] {
        debug_assert_eq!(ITEMS, 2 * K);
        let seeds = inputs.map(|(seal_hash, nonce)| {
            let mut input = [0u8; 40];
            input[..32].copy_from_slice(&seal_hash);
            input[32..].copy_from_slice(&nonce.to_le_bytes());
            keccak512(&input)
        });
        let mut mixes = seeds.map(|seed| {
            let mut mix = [0u32; MIX_WORDS];
            mix[..HASH_WORDS].copy_from_slice(&seed);
            mix[HASH_WORDS..].copy_from_slice(&seed);
            mix
        });
        for i in 0..ACCESSES {
            let mut indexes = [0u32; ITEMS];
            for (lane, (mix, seed)) in mixes.iter().zip(&seeds).enumerate() {
                let page = fnv(i ^ seed[0], mix[i as usize % MIX_WORDS]) % self.dataset_pages;
                // page < 2^28, so both item indexes fit in u32.
                indexes[2 * lane] = page * 2;
                indexes[2 * lane + 1] = page * 2 + 1;
            }
            let items = self.dataset_items(indexes);
            for (lane, mix) in mixes.iter_mut().enumerate() {
                let page = items[2 * lane].iter().chain(&items[2 * lane + 1]);
                for (word, &d) in mix.iter_mut().zip(page) {
                    *word = fnv(*word, d);
                }
            }
        }
        let mut lane = 0;
        mixes.map(|mix| {
            let seed = &seeds[lane];
            lane += 1;
            let mut mix_hash = [0u8; 32];
            for (out, group) in mix_hash.chunks_exact_mut(4).zip(mix.chunks_exact(4)) {
                let folded = fnv(fnv(fnv(group[0], group[1]), group[2]), group[3]);
                out.copy_from_slice(&folded.to_le_bytes());
            }
            let result = Keccak256::new()
                .chain_update(item_to_bytes(seed))
                .chain_update(mix_hash)
                .finalize()
                .into();
            PowOutput { mix_hash, result }
        })
    }
}

impl std::fmt::Debug for EpochCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EpochCache")
            .field("epoch", &self.epoch)
            .field("size_bytes", &self.size_bytes())
            .finish_non_exhaustive()
    }
}

/// The epoch-0 cache, built once for all tests of the crate.
#[cfg(test)]
pub(crate) fn epoch0() -> &'static EpochCache {
    static CACHE: std::sync::OnceLock<EpochCache> = std::sync::OnceLock::new();
    CACHE.get_or_init(|| EpochCache::new(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h32(s: &str) -> [u8; 32] {
        hex::decode(s).unwrap().try_into().unwrap()
    }

    #[test]
    fn epoch0_cache_has_the_spec_size_and_hash() {
        let cache = epoch0();
        assert_eq!((cache.epoch(), cache.size_bytes()), (0, 16_776_896));
        assert_eq!(cache.to_bytes().len(), 16_776_896);
        // `cache_hash` of both vectors of ethereum/tests PoWTests/ethash_tests.json.
        assert_eq!(
            hex::encode(Keccak256::digest(cache.to_bytes())),
            "35ded12eecf2ce2e8da2e15c06d463aae9b84cb2530a00b932e4bbc484cde353"
        );
        assert_eq!(
            format!("{cache:?}"),
            "EpochCache { epoch: 0, size_bytes: 16776896, .. }"
        );
    }

    /// The two vectors of ethereum/tests `PoWTests/ethash_tests.json`, embedded so the crate is
    /// proven without the fixtures (`tests/ethash_tests.rs` reads the file itself).
    #[test]
    fn hashimoto_light_matches_the_ethereum_tests_vectors() {
        let vectors = [
            (
                "2a8de2adf89af77358250bf908bf04ba94a6e8c3ba87775564a41d269a05e4ce",
                0x4242_4242_4242_4242u64,
                "58f759ede17a706c93f13030328bcea40c1d1341fb26f2facd21ceb0dae57017",
                "dd47fd2d98db51078356852d7c4014e6a5d6c387c35f40e2875b74a256ed7906",
            ),
            (
                "100cbec5e5ef82991290d0d93d758f19082e71f234cf479192a8b94df6da6bfe",
                0x3076_92cf_71b1_2f6d,
                "e55d02c555a7969361cf74a9ec6211d8c14e4517930a00442f171bdb1698d175",
                "ab9b13423cface72cbec8424221651bc2e384ef0f7a560e038fc68c8d8684829",
            ),
        ];
        for (header_hash, nonce, mix_hash, result) in vectors {
            let out = epoch0().hashimoto_light(&h32(header_hash), nonce);
            assert_eq!(hex::encode(out.mix_hash), mix_hash);
            assert_eq!(hex::encode(out.result), result);
        }
    }

    #[test]
    fn many_in_lockstep_equals_one_at_a_time() {
        let cache = epoch0();
        let inputs: Vec<([u8; 32], u64)> =
            (0..7u8).map(|i| ([i; 32], u64::from(i) * 977)).collect();
        let one_by_one: Vec<PowOutput> = inputs
            .iter()
            .map(|(hash, nonce)| cache.hashimoto_light(hash, *nonce))
            .collect();
        assert_eq!(cache.hashimoto_light_many(&inputs), one_by_one);
    }

    #[test]
    fn dataset_items_depend_on_the_index_and_wrap_safely() {
        let cache = epoch0();
        let first = cache.dataset_item(0);
        assert_eq!(first, cache.dataset_item(0));
        assert_ne!(first, cache.dataset_item(1));
        // Far past the dataset's end: computed (wrapping modulo the cache), no panic.
        let _ = cache.dataset_item(u32::MAX);
    }
}
