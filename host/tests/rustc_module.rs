//! A module built by the stock rustc for `wasm32-unknown-unknown` (tests/fixtures/tiny_ee.rs)
//! loads, is instrumented, and runs the same in every engine. Skipped, with a message, when the
//! wasm32 target is not installed (scripts/ensure-wasm-target.sh installs it).

mod common;
use evm_ee_host::{Engine, Limits, Runtime};
use std::process::Command;

fn build_fixture() -> Option<Vec<u8>> {
    let dir = tempfile::tempdir().ok()?;
    let out = dir.path().join("tiny_ee.wasm");
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let status = Command::new(rustc)
        .args([
            "--edition",
            "2024",
            "--target",
            "wasm32-unknown-unknown",
            "--crate-type",
            "cdylib",
            "-O",
        ])
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/tiny_ee.rs"
        ))
        .arg("-o")
        .arg(&out)
        .status()
        .ok()?;
    if !status.success() {
        return None;
    }
    std::fs::read(&out).ok()
}

#[test]
fn rustc_built_module_runs_metered_in_every_engine() {
    let Some(wasm) = build_fixture() else {
        eprintln!("skipped: rustc cannot build for wasm32-unknown-unknown here");
        return;
    };
    let data: Vec<u8> = (0..200u16).map(|i| (i * 7) as u8).collect();
    let result = common::run(&wasm, [5; 32], &data);
    assert_eq!(result.trap, None);
    assert!(result.post_state.is_some());
    assert!(result.ticks > 200, "ticks {}", result.ticks);
    let rejected = common::run(&wasm, [5; 32], &[0xff, 1, 2]);
    assert_eq!(rejected.reason.as_deref(), Some("first byte is 0xff"));
    assert_eq!(rejected.post_state, None);
    // Same input, same ticks, run after run.
    let runtime = Runtime::new(Engine::Wasmi, &wasm, Limits::default()).unwrap();
    let again = runtime.execute([5; 32], &data).unwrap();
    assert_eq!(again.ticks, result.ticks);
}
