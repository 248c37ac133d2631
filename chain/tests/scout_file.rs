//! Scout YAML end to end with a tiny WAT EE, and clear errors for broken files.

use chain::{MAX_SCOUT_YAML_BYTES, ShardError, run_scout_file};
use evm_ee_host::{Engine, FileError, Limits};
use std::path::Path;

/// post-state = block_data[0..32]; a 216-byte block also deposits block_data[32..216]; any other
/// length is rejected with a reason.
const EE: &str = include_str!("../../tests/ees/deposit.wat");

fn write_case(dir: &Path, yaml: &str) -> std::path::PathBuf {
    std::fs::create_dir_all(dir.join("ees")).unwrap();
    std::fs::write(dir.join("ees/ee.wasm"), wat::parse_str(EE).unwrap()).unwrap();
    let path = dir.join("test.yaml");
    std::fs::write(&path, yaml).unwrap();
    path
}

fn yaml(post: &str) -> String {
    let block1 = "11".repeat(32);
    let block3 = format!(
        "{}{}{}{}{}",
        "22".repeat(32),
        "aa".repeat(48),
        "bb".repeat(32),
        "0000000000000001",
        "cc".repeat(96)
    );
    format!(
        r#"beacon_state:
  execution_scripts:
    - ees/ee.wasm
shard_pre_state:
  exec_env_states:
    - "{zero}"
shard_blocks:
  - env: 0
    data: "{block1}"
  - env: 0
    data: "0102"
    expect_rejection: true
  - env: 0
    data: "0x{block3}"
shard_post_state:
  exec_env_states:
    - "{post}"
deposit_receipts:
  - pubkey: "{pubkey}"
    withdrawal_credentials: "{wc}"
    amount: 1
    signature: "{sig}"
"#,
        zero = "00".repeat(32),
        pubkey = "aa".repeat(48),
        wc = "bb".repeat(32),
        sig = "cc".repeat(96),
    )
}

#[test]
fn scout_yaml_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_case(dir.path(), &yaml(&"22".repeat(32)));
    for &engine in Engine::ALL {
        let report = run_scout_file(&path, engine, Limits::default()).unwrap();
        assert!(report.passed(), "{engine}: {report:?}");
        assert_eq!(report.blocks.len(), 3);
        assert!(report.blocks[0].result.accepted());
        assert_eq!(
            report.blocks[1].result.trap.as_deref(),
            Some("bad block length (trap: wasm `unreachable` instruction executed)")
        );
        assert!(report.blocks[1].expect_rejection);
        // The rejected block left the state alone.
        assert_eq!(report.blocks[2].pre_state, [0x11; 32]);
        assert_eq!(report.final_states, vec![[0x22; 32]]);
        assert_eq!(report.deposits.len(), 1);
        assert_eq!(report.deposits[0].len(), 184);
    }
}

/// Scout's rules: a trap fails the test unless the block is marked `expect_rejection`, and so
/// does a marked block that is accepted; an expected deposit must be among those produced, extra
/// ones are fine.
#[test]
fn scout_rules_for_traps_and_deposits() {
    let dir = tempfile::tempdir().unwrap();
    let good = yaml(&"22".repeat(32));
    let run = |text: &str| {
        let path = write_case(dir.path(), text);
        run_scout_file(&path, Engine::Wasmi, Limits::default()).unwrap()
    };
    let unmarked = run(&good.replace("    expect_rejection: true\n", ""));
    assert!(unmarked.states_match() && unmarked.deposits_match());
    assert_eq!(
        unmarked
            .unexpected_verdicts()
            .map(|b| b.index)
            .collect::<Vec<_>>(),
        [1]
    );
    assert!(!unmarked.passed());
    let wrongly_marked = run(&good.replace("data: \"0x", "expect_rejection: true\n    data: \"0x"));
    assert_eq!(
        wrongly_marked
            .unexpected_verdicts()
            .map(|b| b.index)
            .collect::<Vec<_>>(),
        [2]
    );
    // No deposit expected: the produced one is extra, which Scout accepts.
    let cut = good.find("deposit_receipts:").unwrap();
    let no_deposits = run(&format!("{}deposit_receipts: []\n", &good[..cut]));
    assert!(no_deposits.passed());
    // An expected deposit that was not produced (amount 2 instead of 1).
    let missing = run(&good.replace("amount: 1", "amount: 2"));
    assert!(!missing.deposits_match() && !missing.passed());
}

#[test]
fn scout_yaml_mismatch_is_reported_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_case(dir.path(), &yaml(&"33".repeat(32)));
    let report = run_scout_file(&path, Engine::Wasmi, Limits::default()).unwrap();
    assert!(!report.states_match());
    assert!(report.deposits_match());
    assert!(!report.passed());
}

#[test]
fn scout_yaml_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = yaml(&"22".repeat(32));
    let check = |text: &str, expect: &str| {
        let path = write_case(dir.path(), text);
        let err = run_scout_file(&path, Engine::Wasmi, Limits::default()).unwrap_err();
        assert!(
            err.to_string().contains(expect),
            "{err} should mention {expect}"
        );
        err
    };
    check("beacon_state: [", "test.yaml");
    check("shard_blocks: []\n", "missing field");
    check(
        &good.replace("0102", "0x0g"),
        "shard_blocks[1].data: invalid hex character",
    );
    check(
        &good.replace(&format!("- \"{}\"", "00".repeat(32)), "- \"00\""),
        "expected 32",
    );
    check(
        &good.replace(
            "- env: 0\n    data: \"0102\"",
            "- env: 3\n    data: \"0102\"",
        ),
        "env 3 names no EE",
    );
    check(&good.replace("amount: 1", "amount: -1"), "test.yaml");
    let err = check(
        &good.replace("ees/ee.wasm", "ees/missing.wasm"),
        "missing.wasm",
    );
    assert!(matches!(err, ShardError::File(FileError::Io { .. })));
    let err = run_scout_file(
        Path::new("/nonexistent/x.yaml"),
        Engine::Wasmi,
        Limits::default(),
    )
    .unwrap_err();
    assert!(matches!(err, ShardError::File(FileError::Io { .. })));
}

/// The YAML file and the modules are read with their size capped and only if they are regular
/// files: a FIFO would block the open, a huge file would be read whole before any check.
#[test]
fn scout_files_are_read_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_case(dir.path(), &yaml(&"22".repeat(32)));

    // A module above `max_module_bytes` is refused by its size, not read and then rejected.
    let limits = Limits {
        max_module_bytes: 64,
        ..Limits::default()
    };
    let err = run_scout_file(&path, Engine::Wasmi, limits).unwrap_err();
    assert!(
        matches!(&err, ShardError::File(FileError::TooLarge { max: 64, path })
            if path.ends_with("ees/ee.wasm")),
        "{err}"
    );

    // A YAML file above the cap; sparse, so nothing is written.
    let big = dir.path().join("big.yaml");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(MAX_SCOUT_YAML_BYTES + 1)
        .unwrap();
    let err = run_scout_file(&big, Engine::Wasmi, Limits::default()).unwrap_err();
    assert!(
        matches!(err, ShardError::File(FileError::TooLarge { max, .. }) if max == MAX_SCOUT_YAML_BYTES),
        "{err}"
    );

    #[cfg(unix)]
    {
        let fifo = dir.path().join("pipe.yaml");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        let err = run_scout_file(&fifo, Engine::Wasmi, Limits::default()).unwrap_err();
        assert!(
            err.to_string().ends_with("is not a regular file (a FIFO)"),
            "{err}"
        );
    }
}

/// A Scout test whose EE imports a function of the file's `libraries` runs with it linked.
#[test]
fn an_ee_linking_a_library_of_the_file_runs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("user.wasm"),
        wat::parse_str(include_str!("../../tests/ees/library_user.wat")).unwrap(),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("numbers.wasm"),
        wat::parse_str(include_str!("../../tests/ees/numbers.wat")).unwrap(),
    )
    .unwrap();
    let yaml = format!(
        "beacon_state:\n  execution_scripts:\n    - user.wasm\n  libraries:\n    - name: numbers\n      \
         file: numbers.wasm\nshard_pre_state:\n  exec_env_states:\n    - \"{zero}\"\nshard_blocks:\n  \
         - env: 0\n    data: \"\"\nshard_post_state:\n  exec_env_states:\n    - \"07{rest}\"\n\
         deposit_receipts: []\n",
        zero = "00".repeat(32),
        rest = "00".repeat(31)
    );
    let path = dir.path().join("library.yaml");
    std::fs::write(&path, &yaml).unwrap();
    for &engine in Engine::ALL {
        let report = run_scout_file(&path, engine, Limits::default()).unwrap();
        assert!(report.passed(), "{engine}: {report:?}");
    }
    // Without the library the EE cannot load, which is an error naming the module.
    let cut = yaml.replace(
        "  libraries:\n    - name: numbers\n      file: numbers.wasm\n",
        "",
    );
    std::fs::write(&path, cut).unwrap();
    let error = run_scout_file(&path, Engine::Wasmi, Limits::default()).unwrap_err();
    assert!(error.to_string().contains("user.wasm"), "{error}");
}
