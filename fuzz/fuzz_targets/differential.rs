//! wasmi against wasmtime under the host, as wasmtime fuzzes itself against wasmi: a `wasm-smith`
//! EE (the host's Wasm features, the EEI imports available, `main` and `memory` exported) runs
//! over fuzzed block data in both engines with small budgets, and the two must agree on
//! everything: loading or not, verdict, post-state, deposits, ticks and debug output.

#![no_main]

use evm_ee_host::{Engine, Limits, Runtime};
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|input: (common::HostModule, [u8; 32], Vec<u8>)| {
    let (module, pre_state, block_data) = input;
    // Small budgets keep each execution short; memory small enough for many runs per second.
    let limits = Limits {
        max_ticks: 1_000_000,
        max_memory_pages: 64,
        ..Limits::default()
    };
    let run = |engine| {
        Runtime::new(engine, &module.wasm, limits)
            .map_err(|e| e.to_string())
            .and_then(|runtime| {
                runtime
                    .execute(pre_state, &block_data)
                    .map_err(|e| e.to_string())
            })
    };
    let wasmi = run(Engine::Wasmi);
    let wasmtime = run(Engine::Wasmtime);
    match (&wasmi, &wasmtime) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "wasmi and wasmtime disagree"),
        // A load error is the host's (shape, checks), before any engine: the same text.
        (Err(a), Err(b)) => assert_eq!(a, b),
        _ => panic!("one engine loaded or ran the module, the other did not: {wasmi:?} vs {wasmtime:?}"),
    }
});
