//! End-to-end: the example chain in `examples/chain/` (the README's first command) is exactly
//! what `evm-ee example` writes, and `evm-ee validate --dir` accepts every block of it natively
//! and inside the EE, with the same ticks in both Wasm engines. Needs nothing outside the
//! repository.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn evm_ee(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_evm-ee"))
        .args(args)
        .output()
        .expect("the evm-ee binary runs")
}

fn bundled() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/chain")
}

fn validate(engine: &str) -> serde_json::Value {
    let dir = bundled();
    let output = evm_ee(&[
        "validate",
        "--dir",
        dir.to_str().unwrap(),
        "--engine",
        engine,
        "--json",
        "-v",
    ]);
    assert!(
        output.status.success(),
        "{engine}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("--json prints JSON")
}

#[test]
fn the_bundled_example_is_what_the_example_command_writes() {
    let out = std::env::temp_dir().join(format!("evm-ee-example-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let output = evm_ee(&["example", "--out", out.to_str().unwrap()]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut written: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    written.sort();
    let mut committed: Vec<_> = std::fs::read_dir(bundled())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    committed.sort();
    assert_eq!(written, committed, "the same files");
    for name in &written {
        assert!(
            std::fs::read(out.join(name)).unwrap() == std::fs::read(bundled().join(name)).unwrap(),
            "{name:?} differs from examples/chain: run `evm-ee example` and commit the result"
        );
    }
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn every_example_block_is_accepted_in_every_engine_with_the_same_ticks() {
    let native = validate("native");
    assert_eq!(native["blocks"], 5, "{native}");
    assert_eq!(native["agreed"], 5, "{native}");
    let wasmi = validate("wasmi");
    assert_eq!(wasmi["agreed"], 5, "{wasmi}");
    let verdicts = wasmi["verdicts"].as_array().unwrap();
    assert_eq!(verdicts.len(), 5);
    for (index, verdict) in verdicts.iter().enumerate() {
        assert_eq!(verdict["accepted"], true, "{verdict}");
        assert_eq!(verdict["number"], index as u64 + 1, "{verdict}");
        assert!(verdict["ticks"].as_u64().unwrap() > 0, "{verdict}");
    }
    // Blocks with transactions use gas; the last block is empty.
    assert!(verdicts[1]["gas_used"].as_u64().unwrap() > 21_000 * 11);
    assert_eq!(verdicts[4]["gas_used"], 0);
    if cfg!(feature = "wasmtime") {
        let wasmtime = validate("wasmtime");
        assert_eq!(wasmtime["agreed"], 5, "{wasmtime}");
        assert_eq!(wasmtime["ticks"], wasmi["ticks"]);
        for (a, b) in verdicts
            .iter()
            .zip(wasmtime["verdicts"].as_array().unwrap())
        {
            assert_eq!(a["ticks"], b["ticks"]);
            assert_eq!(a["post_state"], b["post_state"]);
        }
    }
}
