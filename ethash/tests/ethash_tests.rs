//! The vectors of ethereum/tests `PoWTests/ethash_tests.json`, read from `ETHTESTS_DIR` (set by
//! `scripts/test.sh`); without it the test fails rather than passing without checking anything.

mod common;

use std::path::PathBuf;

use ethash::{EpochCache, cache_size, dataset_size, epoch_of, seed_hash};
use sha3::{Digest, Keccak256};

fn fixtures() -> PathBuf {
    let dir = std::env::var_os("ETHTESTS_DIR").unwrap_or_else(|| {
        panic!(
            "ETHTESTS_DIR is not set: run scripts/test.sh (it unpacks ../shared/ethtests), or set \
             ETHTESTS_DIR to a folder holding ethereum-tests/ and legacy-tests/"
        )
    });
    PathBuf::from(dir)
}

fn field<'a>(vector: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    vector
        .get(name)
        .unwrap_or_else(|| panic!("vector without {name}"))
}

fn hex_field(vector: &serde_json::Value, name: &str) -> Vec<u8> {
    let text = field(vector, name).as_str().unwrap();
    hex::decode(text.trim_start_matches("0x")).unwrap()
}

/// The block number in the header RLP (its ninth item), to find the vector's epoch.
fn header_number(header_rlp: &[u8]) -> u64 {
    // Skip the list prefix, then eight items: parent hash, ommers hash (33 bytes each),
    // coinbase (21), state, transactions and receipts roots (33 each), bloom (259),
    // difficulty (a short string).
    let mut at = 3 + 33 + 33 + 21 + 33 * 3 + 259;
    let difficulty_prefix = header_rlp[at];
    at += 1 + usize::from(difficulty_prefix.saturating_sub(0x80));
    match header_rlp[at] {
        b @ 0..=0x7f => u64::from(b),
        0x80 => 0,
        p => header_rlp[at + 1..at + 1 + usize::from(p - 0x80)]
            .iter()
            .fold(0, |n, &b| n << 8 | u64::from(b)),
    }
}

#[test]
fn ethash_tests_vectors() {
    let path = fixtures().join("ethereum-tests/PoWTests/ethash_tests.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let vectors: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(vectors.len(), 2);

    let mut caches: Vec<EpochCache> = Vec::new();
    for (name, vector) in &vectors {
        let header = hex_field(vector, "header");
        let header_hash = common::seal_hash(&header);
        assert_eq!(
            header_hash.as_slice(),
            hex_field(vector, "header_hash"),
            "{name}: header_hash"
        );
        let (mix_hash, nonce) = common::mix_hash_and_nonce(&header);
        assert_eq!(
            nonce.as_slice(),
            hex_field(vector, "nonce"),
            "{name}: nonce"
        );
        assert_eq!(
            mix_hash.as_slice(),
            hex_field(vector, "mixHash"),
            "{name}: mixHash"
        );

        let epoch = epoch_of(header_number(&header));
        assert_eq!(
            seed_hash(epoch).as_slice(),
            hex_field(vector, "seed"),
            "{name}: seed"
        );
        assert_eq!(
            cache_size(epoch) as u64,
            field(vector, "cache_size").as_u64().unwrap(),
            "{name}: cache_size"
        );
        assert_eq!(
            dataset_size(epoch),
            field(vector, "full_size").as_u64().unwrap(),
            "{name}: full_size"
        );

        if !caches.iter().any(|c| c.epoch() == epoch) {
            caches.push(EpochCache::new(epoch));
        }
        let cache = caches.iter().find(|c| c.epoch() == epoch).unwrap();
        // cache_hash is the Keccak-256 of the whole cache, little-endian words.
        assert_eq!(
            Keccak256::digest(cache.to_bytes()).to_vec(),
            hex_field(vector, "cache_hash"),
            "{name}: cache_hash"
        );
        let out = cache.hashimoto_light(&header_hash, u64::from_be_bytes(nonce));
        assert_eq!(out.mix_hash, mix_hash, "{name}: mix hash");
        assert_eq!(
            out.result.as_slice(),
            hex_field(vector, "result"),
            "{name}: result"
        );
    }
}
