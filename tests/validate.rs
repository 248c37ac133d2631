//! End-to-end: `evm-ee ethtests blockchain --emit-witness` writes every block with its
//! `debug_executionWitness` JSON, and `evm-ee validate` validates them from the witness alone,
//! natively (every ValidBlocks block) and inside the EE in wasmi (bcExample), with the runner's
//! verdicts. Fixtures come from `ETHTESTS_DIR` (set by `scripts/test.sh`).

use std::path::PathBuf;
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    let dir = std::env::var_os("ETHTESTS_DIR").unwrap_or_else(|| {
        panic!(
            "ETHTESTS_DIR is not set: run scripts/test.sh (it unpacks ../shared/ethtests), or set \
             ETHTESTS_DIR to a folder holding ethereum-tests/ and legacy-tests/"
        )
    });
    PathBuf::from(dir).join("ethereum-tests/BlockchainTests/ValidBlocks")
}

fn evm_ee(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_evm-ee"))
        .args(args)
        .output()
        .expect("the evm-ee binary runs")
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("evm-ee-validate-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn emit(folder: &std::path::Path, dir: &std::path::Path) {
    let output = evm_ee(&[
        "ethtests",
        "blockchain",
        "--no-progress",
        "--emit-witness",
        dir.to_str().unwrap(),
        folder.to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is JSON ({e}): {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

#[test]
fn every_emitted_valid_block_validates_from_its_witness() {
    let dir = scratch_dir("valid");
    emit(&fixtures(), &dir);
    let output = evm_ee(&[
        "validate",
        "--dir",
        dir.to_str().unwrap(),
        "--engine",
        "native",
        "--json",
    ]);
    let summary = json(&output);
    assert!(output.status.success(), "{summary}");
    assert_eq!(summary["tests"], 442, "{summary}");
    assert_eq!(summary["blocks"], 902, "{summary}");
    assert_eq!(summary["agreed"], 902, "{summary}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_block_validates_inside_the_ee_and_a_tampered_witness_is_rejected() {
    let dir = scratch_dir("example");
    emit(&fixtures().join("bcExample"), &dir);
    let output = evm_ee(&["validate", "--dir", dir.to_str().unwrap(), "--json"]);
    let summary = json(&output);
    assert!(output.status.success(), "{summary}");
    assert_eq!(summary["engine"], "wasmi");
    assert!(summary["ticks"].as_u64().unwrap() > 0, "{summary}");

    // One block by its two files, as a user passes a node's output.
    let test = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.to_string_lossy().contains("basefeeExample"))
        .expect("the basefeeExample test was emitted");
    let block = test.join("000-block-1.rlp");
    let witness = test.join("000-block-1.witness.json");
    let (block, witness) = (block.to_str().unwrap(), witness.to_str().unwrap());
    let output = evm_ee(&["validate", block, witness, "--chain", "Cancun", "--json"]);
    let verdict = json(&output);
    assert_eq!(output.status.code(), Some(0), "{verdict}");
    assert_eq!(verdict["accepted"], true);
    assert_eq!(verdict["number"], 1);
    assert!(verdict["ticks"].as_u64().unwrap() > 0);

    // Without its state nodes the witness proves nothing: the EE rejects the block (exit 1).
    let mut tampered: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(witness).unwrap()).unwrap();
    tampered["state"] = serde_json::json!([]);
    let tampered_path = test.join("tampered.witness.json");
    std::fs::write(&tampered_path, tampered.to_string()).unwrap();
    let output = evm_ee(&[
        "validate",
        block,
        tampered_path.to_str().unwrap(),
        "--chain",
        "Cancun",
        "--json",
    ]);
    let verdict = json(&output);
    assert_eq!(output.status.code(), Some(1), "{verdict}");
    assert_eq!(verdict["accepted"], false);
    assert!(
        verdict["reason"].as_str().unwrap().contains("witness"),
        "{verdict}"
    );

    // Input that is no block, and a chain that is not one, are errors (exit 2) with a message.
    let output = evm_ee(&["validate", witness, witness, "--chain", "Cancun"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("eth_getBlockByNumber"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let garbage = test.join("garbage.rlp");
    std::fs::write(&garbage, [0xc3, 0x01, 0x02]).unwrap();
    let output = evm_ee(&[
        "validate",
        garbage.to_str().unwrap(),
        witness,
        "--chain",
        "Cancun",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a block"));
    let output = evm_ee(&["validate", block, witness, "--chain", "Prague"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--chain \"Prague\""));
    std::fs::remove_dir_all(dir).ok();
}
