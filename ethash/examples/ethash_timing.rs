//! Times the cache build of an epoch and seal verification (mainnet block 1 on epoch 0).
//!
//! `cargo run --release -p ethash --example ethash_timing [EPOCH]` (default: 0 only).

use std::time::Instant;

use ethash::{EpochCache, Seal, verify_seal};
use primitive_types::U256;

fn h32(s: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex");
    }
    out
}

fn main() {
    let started = Instant::now();
    let cache = EpochCache::new(0);
    println!(
        "cache build, epoch 0 ({} bytes): {:.3} s",
        cache.size_bytes(),
        started.elapsed().as_secs_f64()
    );

    let block1 = Seal {
        seal_hash: h32("85913a3057ea8bec78cd916871ca73802e77724e014dda65add3405d02240eb7"),
        nonce: 0x539b_d497_9fef_1ec4u64.to_be_bytes(),
        mix_hash: h32("969b900de27b6ac6a67742365dd65f55a0526c41fd18e1b16f1a1215c2e66f59"),
        difficulty: U256::from(0x3_ff80_0000u64),
        number: 1,
    };
    let runs: u32 = 200;
    let started = Instant::now();
    for _ in 0..runs {
        verify_seal(&cache, &block1).expect("mainnet block 1 is valid");
    }
    println!(
        "verify_seal (128 dataset items): {:.3} ms per seal ({runs} runs)",
        started.elapsed().as_secs_f64() * 1e3 / f64::from(runs)
    );

    // Distinct nonces read distinct dataset items, as blocks of a replay do (the repeated seal
    // above finds its 32k cache lines in the CPU caches).
    let started = Instant::now();
    let mut sink = 0u8;
    for nonce in 0..runs {
        sink ^= cache
            .hashimoto_light(&block1.seal_hash, u64::from(nonce))
            .result[0];
    }
    println!(
        "hashimoto_light, distinct nonces: {:.3} ms per seal ({runs} runs, xor {sink:02x})",
        started.elapsed().as_secs_f64() * 1e3 / f64::from(runs)
    );

    let started = Instant::now();
    let items = 128 * runs;
    let mut sink = 0u32;
    for i in 0..items {
        sink ^= cache.dataset_item(i.wrapping_mul(2_654_435_761))[0];
    }
    println!(
        "dataset_item, one at a time: {:.2} us per item, {:.3} ms per 128 \
         ({items} items, xor {sink:08x})",
        started.elapsed().as_secs_f64() * 1e6 / f64::from(items),
        started.elapsed().as_secs_f64() * 1e3 / f64::from(runs)
    );

    if let Some(epoch) = std::env::args().nth(1) {
        let epoch: u64 = epoch.parse().expect("an epoch number");
        let started = Instant::now();
        let cache = EpochCache::new(epoch);
        println!(
            "cache build, epoch {epoch} ({} bytes): {:.3} s",
            cache.size_bytes(),
            started.elapsed().as_secs_f64()
        );
        let started = Instant::now();
        let mut sink = 0u8;
        for nonce in 0..runs {
            sink ^= cache
                .hashimoto_light(&block1.seal_hash, u64::from(nonce))
                .result[0];
        }
        println!(
            "hashimoto_light on epoch {epoch}, distinct nonces: {:.3} ms per seal (xor {sink:02x})",
            started.elapsed().as_secs_f64() * 1e3 / f64::from(runs)
        );
    }
}
