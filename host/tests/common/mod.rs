//! Helpers shared by the integration tests: WAT EEs with every EEI import, and the engine list.
#![allow(dead_code)]

use evm_ee_host::{Engine, Limits, Runtime, ShardBlockResult};

/// An EE module: all EEI imports under `env`, one page of memory, `main` running `body`, plus
/// `extra` module fields.
pub fn ee(body: &str, extra: &str) -> Vec<u8> {
    let text = format!(
        r#"(module
  (import "env" "eth2_loadPreStateRoot" (func $load (param i32)))
  (import "env" "eth2_blockDataSize" (func $size (result i32)))
  (import "env" "eth2_blockDataCopy" (func $copy (param i32 i32 i32)))
  (import "env" "eth2_savePostStateRoot" (func $save (param i32)))
  (import "env" "eth2_pushNewDeposit" (func $deposit (param i32 i32)))
  (import "env" "eth2_useTicks" (func $use (param i32)))
  (import "env" "debug_print32" (func $p32 (param i32)))
  (import "env" "debug_print64" (func $p64 (param i64)))
  (import "env" "debug_printMem" (func $pm (param i32 i32)))
  (import "env" "debug_printMemHex" (func $pmh (param i32 i32)))
  (memory (export "memory") 1)
  {extra}
  (func (export "main") {body}))"#
    );
    wat::parse_str(&text).expect("test WAT is valid")
}

/// Runs `wasm` once in `engine` with default limits.
pub fn run_in(engine: Engine, wasm: &[u8], pre: [u8; 32], data: &[u8]) -> ShardBlockResult {
    run_with(engine, wasm, pre, data, Limits::default())
}

pub fn run_with(
    engine: Engine,
    wasm: &[u8],
    pre: [u8; 32],
    data: &[u8],
    limits: Limits,
) -> ShardBlockResult {
    Runtime::new(engine, wasm, limits)
        .expect("module loads")
        .execute(pre, data)
        .expect("no host error")
}

/// Runs `wasm` in every engine of this build, checks that they agree on everything, and returns
/// the result.
pub fn run(wasm: &[u8], pre: [u8; 32], data: &[u8]) -> ShardBlockResult {
    run_limits(wasm, pre, data, Limits::default())
}

pub fn run_limits(wasm: &[u8], pre: [u8; 32], data: &[u8], limits: Limits) -> ShardBlockResult {
    let mut results = Engine::ALL
        .iter()
        .map(|&engine| (engine, run_with(engine, wasm, pre, data, limits)));
    let (_, first) = results.next().expect("at least one engine");
    for (engine, other) in results {
        assert_eq!(first, other, "{engine} disagrees with wasmi");
    }
    first
}

pub fn seq(n: usize) -> Vec<u8> {
    (0..n).map(|i| i as u8).collect()
}
