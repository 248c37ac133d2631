//! End-to-end: `evm-ee replay` on mainnet's era 0 (`ERA1_DIR`, set by `scripts/test.sh` to
//! `../shared/history`): mainnet's roots natively, a replay into `--data` killed with SIGKILL
//! and restarted ends where an uninterrupted one does, and a bad archive is a clear error.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn era0() -> PathBuf {
    let dir = std::env::var_os("ERA1_DIR").unwrap_or_else(|| {
        panic!(
            "ERA1_DIR is not set: run scripts/test.sh, or set ERA1_DIR to a folder holding \
             mainnet-00000.era1 (mainnet blocks 0..8191)"
        )
    });
    PathBuf::from(dir).join("mainnet-00000.era1")
}

fn evm_ee(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_evm-ee"))
        .args(args)
        .output()
        .expect("the evm-ee binary runs")
}

fn summary(output: &Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "replay failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("one JSON summary on stdout")
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("evm-ee-replay-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The store's size once some blocks past genesis are committed.
const GROWN: u64 = 12 << 20;

const BLOCK_8191: &str = "0xa6860fefa339c963e1bb622526cc8dd4344eedd2a9b969e74de5cccc445fbed4";

#[test]
fn era0_replays_to_mainnets_block_8191() {
    let era = era0();
    let output = evm_ee(&["replay", era.to_str().unwrap(), "--json"]);
    let summary = summary(&output);
    assert_eq!(summary["validated"], 8191);
    assert_eq!(summary["failed"], 0);
    assert_eq!(summary["head"]["number"], 8191);
    assert_eq!(summary["head"]["hash"], BLOCK_8191);
}

#[test]
fn emitted_mainnet_witnesses_validate_inside_the_ee() {
    let era = era0();
    let dir = scratch_dir("emitted");
    let dir_arg = dir.to_str().unwrap();
    let output = evm_ee(&[
        "replay",
        era.to_str().unwrap(),
        "--to",
        "64",
        "--emit-witness",
        dir_arg,
        "--json",
    ]);
    assert_eq!(summary(&output)["validated"], 64);
    let output = evm_ee(&["validate", "--dir", dir_arg, "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(output.status.success(), "{report}");
    assert_eq!(report["blocks"], 64, "{report}");
    assert_eq!(report["agreed"], 64, "{report}");
    // One mainnet block by its files, with its parent's total difficulty.
    let output = evm_ee(&[
        "validate",
        dir.join("block-1.rlp").to_str().unwrap(),
        dir.join("block-1.witness.json").to_str().unwrap(),
        "--parent-td",
        "0x400000000",
        "--json",
    ]);
    let verdict: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(verdict["accepted"], true, "{verdict}");
    assert_eq!(
        verdict["hash"],
        "0x88e96d4537bea4d9c05d12549907b32561d3bf31f45aae734cdc119f13406cb6"
    );
    // Before the merge the parent's total difficulty cannot be implied.
    let output = evm_ee(&[
        "validate",
        dir.join("block-1.rlp").to_str().unwrap(),
        dir.join("block-1.witness.json").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--parent-td"));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn chains_without_a_genesis_state_or_unknown_are_clear_errors() {
    let era = era0();
    let era = era.to_str().unwrap();
    for (chain, expected) in [
        (
            "sepolia",
            "knows this chain's rules but not its genesis state",
        ),
        ("goerli", "unknown chain \"goerli\""),
        ("/nonexistent/genesis.json", "/nonexistent/genesis.json"),
    ] {
        let output = evm_ee(&["replay", era, "--chain", chain]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{chain}: {stderr}");
        assert!(stderr.contains(expected), "{chain}: {stderr}");
    }
}

#[test]
fn a_replay_killed_with_sigkill_resumes_and_ends_the_same() {
    let era = era0();
    let era = era.to_str().unwrap();
    let data = scratch_dir("killed");
    let data_arg = data.to_str().unwrap();
    let reference = summary(&evm_ee(&["replay", era, "--to", "6000", "--json"]));

    // Killed once part of the blocks are committed (the store file grows with each commit).
    let mut child = Command::new(env!("CARGO_BIN_EXE_evm-ee"))
        .args(["replay", era, "--to", "6000", "--data", data_arg, "--json"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the evm-ee binary runs");
    let store = data.join("chain.redb");
    let mut waited = Duration::ZERO;
    while std::fs::metadata(&store).map(|m| m.len()).unwrap_or(0) < GROWN
        && child.try_wait().ok().flatten().is_none()
        && waited < Duration::from_secs(60)
    {
        std::thread::sleep(Duration::from_millis(20));
        waited += Duration::from_millis(20);
    }
    child.kill().expect("SIGKILL");
    let status = child.wait().expect("the child ends");
    assert!(
        !status.success(),
        "the replay ended before the kill: {status}"
    );

    let resumed = summary(&evm_ee(&[
        "replay", era, "--to", "6000", "--data", data_arg, "--json",
    ]));
    assert_eq!(resumed["head"], reference["head"]);
    assert_eq!(resumed["failed"], 0);
    // It resumed after a committed block, past genesis and before the end.
    let resumed_after = resumed["resumed_after"].as_u64().unwrap();
    assert!(resumed_after > 0 && resumed_after < 6000, "{resumed}");
    assert_eq!(resumed["skipped"], resumed_after);
    // A third run finds everything in the store.
    let again = summary(&evm_ee(&[
        "replay", era, "--to", "6000", "--data", data_arg, "--json",
    ]));
    assert_eq!(again["validated"], 0);
    assert_eq!(again["head"], reference["head"]);
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn a_truncated_archive_is_a_clear_error() {
    let bytes = std::fs::read(era0()).unwrap();
    let dir = scratch_dir("truncated");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("cut.era1");
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let output = evm_ee(&["replay", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not a valid era1 archive"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
