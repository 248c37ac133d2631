//! End-to-end: the `evm-ee` binary on real ethereum/tests fixtures and on fixtures corrupted on
//! purpose. Fixtures come from `ETHTESTS_DIR` (set by `scripts/test.sh`, which unpacks them).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    let dir = std::env::var_os("ETHTESTS_DIR").unwrap_or_else(|| {
        panic!(
            "ETHTESTS_DIR is not set: run scripts/test.sh (it unpacks ../shared/ethtests), or set \
             ETHTESTS_DIR to a folder holding ethereum-tests/ and legacy-tests/"
        )
    });
    PathBuf::from(dir)
}

fn evm_ee(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_evm-ee"))
        .args(args)
        .output()
        .expect("the evm-ee binary runs")
}

fn json_report(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is one JSON object ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("evm-ee-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn state_suite_passes_on_st_example_with_the_documented_json_shape() {
    let folder = fixtures().join("ethereum-tests/GeneralStateTests/stExample");
    let output = evm_ee(&["ethtests", "state", "--json", folder.to_str().unwrap()]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let report = json_report(&output);
    assert_eq!(report["suite"], "state");
    assert_eq!(report["failed"], 0);
    assert_eq!(report["skipped"], 0);
    assert!(report["passed"].as_u64().unwrap() > 30);
    assert_eq!(report["total"], report["passed"]);
    assert!(report["forks"]["Cancun"]["passed"].as_u64().unwrap() > 0);
    assert_eq!(report["failures"], serde_json::json!([]));
}

#[test]
fn fork_and_filter_narrow_the_run() {
    let folder = fixtures().join("legacy-tests/Constantinople/GeneralStateTests/stExample");
    let output = evm_ee(&[
        "ethtests",
        "state",
        "--json",
        "--fork",
        "Petersburg",
        "--filter",
        "add11",
        folder.to_str().unwrap(),
    ]);
    assert!(output.status.success());
    let report = json_report(&output);
    let forks = report["forks"].as_object().unwrap();
    assert_eq!(forks.keys().collect::<Vec<_>>(), vec!["ConstantinopleFix"]);
    assert_eq!(report["total"], 1);
}

/// A wrong expected root must fail the case, name it, and make the exit code non-zero.
#[test]
fn a_tampered_post_state_root_is_reported_as_a_failure() {
    let original = fixtures().join("ethereum-tests/GeneralStateTests/stExample/add11.json");
    let mut test: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&original).unwrap()).unwrap();
    let (name, body) = test.as_object_mut().unwrap().iter_mut().next().unwrap();
    let name = name.clone();
    let post = &mut body["post"]["Cancun"][0];
    post["hash"] = serde_json::json!(format!("0x{}", "11".repeat(32)));
    let dir = scratch_dir("tampered");
    let file = dir.join("add11.json");
    std::fs::write(&file, serde_json::to_string(&test).unwrap()).unwrap();

    let output = evm_ee(&["ethtests", "state", "--json", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let report = json_report(&output);
    assert_eq!(report["failed"], 1);
    let failure = &report["failures"][0];
    assert_eq!(failure["test"], serde_json::json!(name));
    assert_eq!(failure["fork"], "Cancun");
    assert_eq!(failure["index"], "d0g0v0");
    assert!(failure["reason"].as_str().unwrap().contains("state root"));
    std::fs::remove_dir_all(dir).ok();
}

/// Garbage instead of JSON is a failed case with a reason, not a crash.
#[test]
fn a_malformed_fixture_is_a_failed_case_not_a_crash() {
    let dir = scratch_dir("garbage");
    std::fs::write(dir.join("broken.json"), b"{\"t\": {\"pre\": 12,").unwrap();
    std::fs::write(
        dir.join("wrong_shape.json"),
        b"{\"t\": {\"pre\": {}, \"post\": {\"Cancun\": [{}]}}}",
    )
    .unwrap();
    let output = evm_ee(&["ethtests", "state", "--json", dir.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let report = json_report(&output);
    assert_eq!(report["failed"], 2);
    for failure in report["failures"].as_array().unwrap() {
        assert!(!failure["reason"].as_str().unwrap().is_empty());
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_missing_path_and_an_unknown_fork_are_clear_errors() {
    let output = evm_ee(&["ethtests", "state", "/nonexistent/fixtures"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("does not exist") && stderr.contains("unpack.sh"),
        "{stderr}"
    );

    let output = evm_ee(&["ethtests", "state", "--fork", "Osaka", "."]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("known forks"));
}

/// An empty folder, or one holding no `.json` file, is a usage error in every suite: a run over
/// nothing would report success.
#[test]
fn a_folder_without_fixtures_is_an_error_in_every_suite() {
    let dir = scratch_dir("no-fixtures");
    let empty = dir.join("empty");
    let notes = dir.join("notes");
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::create_dir_all(notes.join("sub")).unwrap();
    std::fs::write(notes.join("README.md"), "not a fixture").unwrap();
    for suite in [
        "state",
        "transaction",
        "trie",
        "rlp",
        "blockchain",
        "difficulty",
        "pow",
    ] {
        for folder in [&empty, &notes] {
            let folder = folder.to_str().unwrap();
            let output = evm_ee(&["ethtests", suite, folder]);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{suite} {folder}: {stderr}");
            assert!(
                stderr.contains(&format!("no fixture files (*.json) found under {folder}")),
                "{suite} {folder}: {stderr}"
            );
        }
    }
    std::fs::remove_dir_all(dir).ok();
}

/// `--threads` is bounded by the machine (0 meant rayon's default, 100,000 hung the machine) and
/// `--max-ticks 0`, a budget no block can run in, is refused: both by the argument parser, with
/// the bound in the message, before any work.
#[test]
fn threads_and_max_ticks_out_of_range_are_usage_errors() {
    let dir = scratch_dir("arg-bounds");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let max = cores * 4;
    let folder = dir.to_str().unwrap();
    for threads in ["0".to_string(), (max + 1).to_string(), "100000".to_string()] {
        let output = evm_ee(&["ethtests", "state", "--threads", &threads, folder]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(2),
            "--threads {threads}: {stderr}"
        );
        assert!(
            stderr.contains(&format!(
                "must be between 1 and {max} (4 per core, {cores} cores here)"
            )),
            "--threads {threads}: {stderr}"
        );
    }
    let yaml = dir.join("t.yaml");
    std::fs::write(&yaml, "").unwrap();
    for args in [
        vec!["run", "--max-ticks", "0", yaml.to_str().unwrap()],
        vec![
            "ethtests",
            "blockchain",
            "--engine",
            "wasmi",
            "--max-ticks",
            "0",
            folder,
        ],
        vec!["bench", "blocks", "--max-ticks", "0", folder],
    ] {
        let output = evm_ee(&args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("invalid value '0' for '--max-ticks")
                && stderr.contains("must be at least 1"),
            "{args:?}: {stderr}"
        );
    }
    // Within the bounds the same arguments get past the parser (and find no fixtures).
    let output = evm_ee(&["ethtests", "state", "--threads", &max.to_string(), folder]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("no fixture files"));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn the_other_suites_pass_on_a_sample() {
    let root = fixtures().join("ethereum-tests");
    for (suite, path) in [
        ("transaction", "TransactionTests/ttNonce"),
        ("trie", "TrieTests"),
        ("rlp", "RLPTests"),
        ("difficulty", "DifficultyTests/dfGrayGlacier"),
        ("pow", "PoWTests"),
    ] {
        let folder: &Path = &root.join(path);
        let output = evm_ee(&["ethtests", suite, "--json", folder.to_str().unwrap()]);
        let report = json_report(&output);
        assert!(output.status.success(), "{suite}: {report}");
        assert_eq!(report["suite"], suite);
        assert!(report["passed"].as_u64().unwrap() > 0, "{suite}");
        assert_eq!(report["failed"], 0, "{suite}");
    }
}

#[test]
fn stateless_state_run_passes_and_reports_witness_sizes() {
    let folder = fixtures().join("ethereum-tests/GeneralStateTests/stExample");
    let output = evm_ee(&[
        "ethtests",
        "state",
        "--stateless",
        "--json",
        folder.to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let report = json_report(&output);
    assert_eq!(report["failed"], 0);
    let sizes = &report["witness_sizes"];
    assert_eq!(sizes["count"], report["passed"]);
    let (median, max) = (
        sizes["median"].as_u64().unwrap(),
        sizes["max"].as_u64().unwrap(),
    );
    assert!(median > 100 && median <= max, "{sizes}");

    let output = evm_ee(&["ethtests", "rlp", "--stateless", folder.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
}

/// A witness file as a node would give it, and the same witness inside a block-data blob.
#[test]
fn witness_inspect_verifies_json_and_blob_witnesses() {
    let entries: Vec<([u8; 32], Vec<u8>)> = (0u8..20)
        .map(|i| (witness::keccak256(&[i]).0, vec![i; 40]))
        .collect();
    let (root, nodes) = witness::trie_nodes(entries);
    let witness = stateless::Witness {
        state: nodes,
        codes: vec![vec![0x60, 0x00]],
        headers: vec![],
        keys: vec![],
    };
    let dir = scratch_dir("witness");
    let json_file = dir.join("witness.json");
    std::fs::write(&json_file, witness.to_json()).unwrap();
    let root_hex = format!("{root:#x}");

    let output = evm_ee(&[
        "witness",
        "inspect",
        json_file.to_str().unwrap(),
        "--root",
        &root_hex,
        "--json",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json_report(&output);
    assert_eq!(report["verified"], true);
    assert_eq!(report["state_nodes"], witness.state.len());
    assert_eq!(report["codes"], 1);

    let wrong_root = format!("0x{}", "ab".repeat(32));
    let output = evm_ee(&[
        "witness",
        "inspect",
        json_file.to_str().unwrap(),
        "--root",
        &wrong_root,
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stdout).contains("NOT verified"));

    let blob = stateless::BlockDataBlob {
        chain_config: stateless::ChainConfig {
            chain_id: 1,
            forks: vec![(
                evm_core::SpecId::Cancun,
                stateless::ForkActivation::Block(0),
            )],
            deposit_contract: None,
            dao_fork_block: None,
            bomb_delays: Vec::new(),
        },
        parent_total_difficulty: [0; 32],
        block: vec![0xc0],
        witness,
    };
    let encoded = blob.encode();
    let blob_file = dir.join("block.blob");
    std::fs::write(&blob_file, &encoded).unwrap();
    let output = evm_ee(&[
        "witness",
        "inspect",
        blob_file.to_str().unwrap(),
        "--root",
        &root_hex,
    ]);
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("block-data blob"));

    std::fs::write(&blob_file, &encoded[..encoded.len() - 3]).unwrap();
    let output = evm_ee(&["witness", "inspect", blob_file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a valid block-data blob"));
    std::fs::remove_dir_all(dir).ok();
}

/// The witness file is read only if it is a regular file of at most 256 MiB: a FIFO would block
/// the open, a device or a huge file would be read whole.
#[test]
fn witness_inspect_refuses_what_is_not_a_witness_file_before_reading_it() {
    let dir = scratch_dir("witness-files");
    let big = dir.join("big.json");
    std::fs::File::create(&big)
        .unwrap()
        .set_len((256 << 20) + 1)
        .unwrap();
    let mut cases = vec![
        (big, "is larger than the limit of 268435456 bytes"),
        (dir.clone(), "is not a regular file (a folder)"),
    ];
    #[cfg(unix)]
    {
        let fifo = dir.join("pipe.json");
        let status = Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(status.success());
        cases.push((fifo, "is not a regular file (a FIFO)"));
    }
    for (path, expected) in cases {
        let output = evm_ee(&["witness", "inspect", path.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{}: {stderr}",
            path.display()
        );
        assert!(stderr.contains(expected), "{}: {stderr}", path.display());
    }
    std::fs::remove_dir_all(dir).ok();
}

/// A Scout YAML file nested 100,000 deep (200 KB) kept the parser busy for 40 s before it
/// failed; `evm-ee run` now refuses it before parsing, naming the limit.
#[test]
fn run_refuses_deeply_nested_yaml_before_parsing() {
    let dir = scratch_dir("deep-yaml");
    let yaml = dir.join("deep.yaml");
    let depth = 100_000;
    let text = format!("beacon_state: {}{}\n", "[".repeat(depth), "]".repeat(depth));
    std::fs::write(&yaml, text).unwrap();
    let output = evm_ee(&["run", yaml.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("deep.yaml: YAML nested more than 64 levels deep at line 1"),
        "{stderr}"
    );
    std::fs::remove_dir_all(dir).ok();
}

/// Blocks validated inside the EE, in wasmi: the EE accepts the valid ones and reports its ticks.
#[test]
fn blockchain_tests_pass_inside_the_ee_in_wasmi() {
    let folder = fixtures().join("ethereum-tests/BlockchainTests/ValidBlocks/bcExample");
    let output = evm_ee(&[
        "ethtests",
        "blockchain",
        "--engine",
        "wasmi",
        "--json",
        folder.to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let report = json_report(&output);
    assert_eq!(report["failed"], 0);
    assert_eq!(report["ee"]["engine"], "wasmi");
    assert!(report["ee"]["blocks"].as_u64().unwrap() >= report["passed"].as_u64().unwrap());
    assert!(report["ee"]["ticks"].as_u64().unwrap() > 0);
}

/// The same blocks cost the same ticks in both engines (metering is injected into the module,
/// not left to the engine).
#[cfg(feature = "wasmtime")]
#[test]
fn wasmi_and_wasmtime_agree_on_verdicts_and_ticks() {
    let folder = fixtures().join("ethereum-tests/BlockchainTests/ValidBlocks/bcExample");
    let run = |engine: &str| {
        let output = evm_ee(&[
            "ethtests",
            "blockchain",
            "--engine",
            engine,
            "--json",
            folder.to_str().unwrap(),
        ]);
        assert!(
            output.status.success(),
            "{engine}: {}",
            String::from_utf8_lossy(&output.stdout)
        );
        json_report(&output)
    };
    let (wasmi, wasmtime) = (run("wasmi"), run("wasmtime"));
    assert_eq!(wasmi["passed"], wasmtime["passed"]);
    assert_eq!(wasmi["ee"]["blocks"], wasmtime["ee"]["blocks"]);
    assert_eq!(wasmi["ee"]["ticks"], wasmtime["ee"]["ticks"]);
}

/// `--emit-yaml` turns BlockchainTests into Scout YAML; `evm-ee run` replays each one through the
/// EE and gets the expected post-state, including a fixture with a side chain (Scout's one state
/// per EE rejects its blocks) and one with invalid blocks.
#[test]
fn emitted_scout_yaml_replays_through_evm_ee_run() {
    let dir = scratch_dir("emit-yaml");
    let folders = [
        fixtures().join("ethereum-tests/BlockchainTests/ValidBlocks/bcExample"),
        fixtures().join(
            "legacy-tests/Constantinople/BlockchainTests/ValidBlocks/bcTotalDifficultyTest/\
             sideChainWithMoreTransactions2.json",
        ),
        fixtures().join("ethereum-tests/BlockchainTests/InvalidBlocks/bcEIP1559"),
    ];
    let mut args = vec![
        "ethtests",
        "blockchain",
        "--json",
        "--emit-yaml",
        dir.to_str().unwrap(),
    ];
    args.extend(folders.iter().map(|f| f.to_str().unwrap()));
    let output = evm_ee(&args);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let report = json_report(&output);
    let ran = report["passed"].as_u64().unwrap();
    assert!(String::from_utf8_lossy(&output.stderr).contains(&format!("wrote {ran} Scout YAML")));
    assert!(dir.join("ee.wasm").exists());
    let mut yamls: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    yamls.sort();
    assert_eq!(yamls.len() as u64, ran);
    let mut side_chain_files = 0;
    let mut rejected_blocks = 0;
    for yaml in &yamls {
        let text = std::fs::read_to_string(yaml).unwrap();
        // A side-chain block's blob commits to a parent that is not the shard's head.
        side_chain_files += usize::from(text.contains("rejected: pre-state"));
        let output = evm_ee(&["run", "--json", yaml.to_str().unwrap()]);
        assert!(
            output.status.success(),
            "{}: {}",
            yaml.display(),
            String::from_utf8_lossy(&output.stdout)
        );
        let run = json_report(&output);
        assert_eq!(run["passed"], true, "{}", yaml.display());
        rejected_blocks += run["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| b["accepted"] == false)
            .count();
    }
    assert!(
        side_chain_files > 0,
        "sideChainWithMoreTransactions2 has a side chain"
    );
    assert!(rejected_blocks > 0, "bcEIP1559 has invalid blocks");
    std::fs::remove_dir_all(dir).ok();
}

/// `-v` lists every block with its verdict and ticks; an invalid block's line gives the EE's
/// reason.
#[test]
fn verbose_blockchain_run_shows_why_blocks_are_rejected() {
    let folder = fixtures().join("ethereum-tests/BlockchainTests/InvalidBlocks/bcEIP1559");
    let output = evm_ee(&[
        "ethtests",
        "blockchain",
        "--engine",
        "wasmi",
        "--json",
        "-v",
        "--filter",
        "badBlocks",
        folder.to_str().unwrap(),
    ]);
    assert!(output.status.success());
    let report = json_report(&output);
    let tests = report["tests"].as_array().expect("-v adds \"tests\"");
    assert_eq!(tests.len() as u64, report["total"].as_u64().unwrap());
    let lines: Vec<&str> = tests
        .iter()
        .flat_map(|t| t["blocks"].as_array().unwrap())
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("rejected as expected") && l.contains("EE: invalid block: ")),
        "{lines:?}"
    );
    // The EE's reason keeps its kind across the Wasm boundary: none of these blocks is rejected
    // for want of witness data, and no reason shows the EE's raw `[code]` prefix.
    assert!(
        !lines
            .iter()
            .any(|l| l.contains("witness gap") || l.contains("[invalid_block]")),
        "{lines:?}"
    );
    // Every block the EE ran reports its ticks.
    assert!(
        lines
            .iter()
            .any(|l| l.contains("accepted") && l.ends_with(" ticks]")),
        "{lines:?}"
    );
}

/// `bench blocks` measures the same blocks natively and in the Wasm engines and reports ratios.
#[test]
fn bench_blocks_reports_every_engine_on_the_same_blocks() {
    let folder = fixtures().join("ethereum-tests/BlockchainTests/ValidBlocks/bcExample");
    let output = evm_ee(&[
        "bench",
        "blocks",
        "--iterations",
        "1",
        "--json",
        folder.to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json_report(&output);
    assert!(report["wasm_bytes"].as_u64().unwrap() > 100_000);
    let results = report["results"].as_array().unwrap();
    let engines: Vec<&str> = results
        .iter()
        .map(|r| r["engine"].as_str().unwrap())
        .collect();
    assert_eq!(engines[0], "native");
    assert!(engines.contains(&"wasmi"));
    let blocks = &results[0]["blocks"];
    let gas = &results[0]["gas"];
    assert!(gas.as_u64().unwrap() > 0);
    for row in results {
        assert_eq!(&row["blocks"], blocks);
        assert_eq!(&row["gas"], gas);
        assert!(row["mgas_per_s"].as_f64().unwrap() > 0.0);
    }
    let ticks: Vec<&serde_json::Value> = results[1..].iter().map(|r| &r["ticks"]).collect();
    assert!(ticks.windows(2).all(|w| w[0] == w[1]), "{ticks:?}");
}

/// `bench precompiles` times every module against the native set and reports the JSON
/// shape, every field present, and an SVG chart.
#[test]
fn bench_precompiles_reports_the_documented_json_shape_and_a_chart() {
    let dir = scratch_dir("bench-precompiles");
    let chart = dir.join("chart.svg");
    let output = evm_ee(&[
        "bench",
        "precompiles",
        "--min-time",
        "1",
        "--filter",
        "bn128_add",
        "--json",
        "--chart",
        chart.to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json_report(&output);
    let results = report["results"].as_array().unwrap();
    // One case, every engine of the build, both bignum builds.
    assert!(results.len() >= 2, "{results:?}");
    for row in results {
        assert_eq!(row["precompile"], "bn128_add");
        assert_eq!(row["case"], "two points");
        assert!(["wasmi", "wasmtime"].contains(&row["engine"].as_str().unwrap()));
        assert!(["host", "wasm"].contains(&row["bignum"].as_str().unwrap()));
        assert_eq!(row["gas"], 150);
        for field in ["native_ns", "wasm_ns", "effective_gas", "ticks"] {
            assert!(row[field].as_u64().unwrap() > 0, "{field}: {row}");
        }
        assert!(row["ratio"].as_f64().unwrap() > 0.0);
    }
    let ticks: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| r["bignum"] == "host")
        .map(|r| &r["ticks"])
        .collect();
    assert!(ticks.windows(2).all(|w| w[0] == w[1]), "{ticks:?}");
    assert!(!report["setup"].as_array().unwrap().is_empty());
    let svg = std::fs::read_to_string(&chart).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("bn128_add"),
        "{svg}"
    );
    let output = evm_ee(&["bench", "precompiles", "--filter", "no such precompile"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no case matches"));
}

/// Scout's own `test.yaml` and `bazaar.yaml` (from `SCOUT_DIR`, set by `scripts/test.sh` to
/// `../shared/scout`), unchanged, pass `evm-ee run` in both engines with Scout's rules: the
/// helloworld EE pushes two deposits where `test.yaml` expects one (a subset check, as Scout's),
/// and bazaar checks and updates its message board state.
#[test]
fn scouts_own_yaml_tests_pass_unchanged() {
    let dir = std::env::var_os("SCOUT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/scout"));
    assert!(
        dir.join("test.yaml").exists(),
        "no Scout tests in {}: set SCOUT_DIR (scripts/test.sh sets it to ../shared/scout)",
        dir.display()
    );
    let engines: &[&str] = if cfg!(feature = "wasmtime") {
        &["wasmi", "wasmtime"]
    } else {
        &["wasmi"]
    };
    for engine in engines {
        for (file, blocks, deposits) in [("test.yaml", 2, 2), ("bazaar.yaml", 3, 2)] {
            let path = dir.join(file);
            let output = evm_ee(&["run", "--json", "--engine", engine, path.to_str().unwrap()]);
            assert!(output.status.success(), "{engine} {file}: {output:?}");
            let report = json_report(&output);
            assert_eq!(report["passed"], true, "{report}");
            let run: &[serde_json::Value] = report["blocks"].as_array().unwrap();
            assert_eq!(run.len(), blocks);
            let pushed: usize = run
                .iter()
                .map(|b| b["deposits"].as_array().unwrap().len())
                .sum();
            assert_eq!(pushed, deposits, "{report}");
        }
    }
    let bazaar = std::fs::read_to_string(dir.join("bazaar.yaml")).unwrap();
    let scratch = scratch_dir("scout-mismatch");
    let broken = bazaar.replace(
        "29505fd952857b5766c759bcb4af58eb8df5a91043540c1398dd987a503127fc",
        &"00".repeat(32),
    );
    let path = scratch.join("bazaar.yaml");
    std::fs::write(
        &path,
        broken.replace("scripts/", &format!("{}/scripts/", dir.display())),
    )
    .unwrap();
    let output = evm_ee(&["run", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("post-state MISMATCH"));
    std::fs::remove_dir_all(scratch).ok();
}

/// A run in which nothing matched is an error (exit 2) that says what matched nothing; a test of
/// another suite is named with the subcommand that runs it (exit 2 when that is every failure).
#[test]
fn nothing_to_run_and_the_wrong_suite_are_usage_errors() {
    let example = fixtures().join("ethereum-tests/GeneralStateTests/stExample");
    let output = evm_ee(&[
        "ethtests",
        "state",
        "--filter",
        "no-such-test",
        example.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("nothing to run") && stderr.contains("--filter \"no-such-test\""),
        "{stderr}"
    );
    let output = evm_ee(&[
        "ethtests",
        "state",
        "--fork",
        "Frontier",
        example.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("--fork Frontier"));

    let state_test = example.join("add11.json");
    let output = evm_ee(&["ethtests", "blockchain", state_test.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        String::from_utf8_lossy(&output.stdout).contains(
            "a GeneralStateTests test, not a BlockchainTests one; run it with `evm-ee ethtests state`"
        ),
        "{output:?}"
    );
    let blockchain_tests = fixtures().join("ethereum-tests/BlockchainTests/ValidBlocks/bcExample");
    let output = evm_ee(&[
        "ethtests",
        "state",
        "--json",
        blockchain_tests.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let report = json_report(&output);
    assert!(
        report["failures"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("run it with `evm-ee ethtests blockchain`"),
        "{report}"
    );
}

/// `--version` names the engines built in; completion scripts and man pages are generated.
#[test]
fn version_completions_and_man_pages() {
    let output = evm_ee(&["--version"]);
    let version = String::from_utf8_lossy(&output.stdout);
    assert!(version.contains("engines: native, wasmi"), "{version}");
    assert_eq!(
        version.contains("wasmtime)"),
        cfg!(feature = "wasmtime"),
        "{version}"
    );
    // Every --json report carries the same envelope.
    let example = fixtures().join("ethereum-tests/GeneralStateTests/stExample/add11.json");
    let report = json_report(&evm_ee(&[
        "ethtests",
        "state",
        "--json",
        example.to_str().unwrap(),
    ]));
    assert_eq!(report["command"], "ethtests state");
    assert_eq!(report["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(report["engines_built_in"][1], "wasmi");
    assert!(report["elapsed_ms"].is_u64());
    let output = evm_ee(&["completions", "bash"]);
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("complete -F _evm__ee"));
    let dir = scratch_dir("man");
    let output = evm_ee(&["man", dir.to_str().unwrap()]);
    assert!(output.status.success(), "{output:?}");
    let page = std::fs::read_to_string(dir.join("evm-ee-ethtests-state.1")).unwrap();
    assert!(page.contains(".TH evm-ee-ethtests-state"), "{page}");
    assert!(dir.join("evm-ee-node-relay-eth1.1").exists());
    std::fs::remove_dir_all(dir).ok();
}

/// One case at a time: `--fork` repeated or as a range in fork order, `--index d0g0v0` (or
/// `--data/--gas/--value`) for state tests, `--run REGEX` on test names, as geth's tools take
/// them.
#[test]
fn cases_are_selected_by_fork_range_index_and_regex() {
    let legacy = fixtures().join("legacy-tests/Constantinople/GeneralStateTests/stExample");
    let run = |extra: &[&str], path: &Path| {
        let mut args = vec!["ethtests", "state", "--json"];
        args.extend_from_slice(extra);
        args.push(path.to_str().unwrap());
        let output = evm_ee(&args);
        assert!(output.status.success(), "{extra:?}: {output:?}");
        json_report(&output)
    };
    let range = run(
        &["--fork", "Homestead..Byzantium"],
        &legacy.join("add11.json"),
    );
    let forks: Vec<&String> = range["forks"].as_object().unwrap().keys().collect();
    assert_eq!(
        forks,
        ["Byzantium", "EIP150", "EIP158", "Homestead"],
        "{range}"
    );
    let two = run(
        &["--fork", "Frontier", "--fork", "Constantinople"],
        &legacy.join("add11.json"),
    );
    assert_eq!(two["total"], 2, "{two}");

    let example = fixtures().join("ethereum-tests/GeneralStateTests/stExample");
    let all = run(&[], &example);
    let first = run(&["--index", "d0g0v0"], &example);
    let by_parts = run(&["--data", "0", "--gas", "0", "--value", "0"], &example);
    assert!(first["total"].as_u64().unwrap() < all["total"].as_u64().unwrap());
    assert_eq!(first["total"], by_parts["total"]);
    let one = run(&["--run", "^add11$"], &example);
    assert_eq!(one["total"], 1, "{one}");

    for (args, needle) in [
        (
            &["--fork", "Cancun..Berlin"][..],
            "a range goes in fork order",
        ),
        (&["--index", "x1"][..], "not a case index"),
        (&["--run", "("][..], "regex parse error"),
    ] {
        let mut all_args = vec!["ethtests", "state"];
        all_args.extend_from_slice(args);
        all_args.push(example.to_str().unwrap());
        let output = evm_ee(&all_args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(needle),
            "{output:?}"
        );
    }
    let blockchain = fixtures().join("ethereum-tests/BlockchainTests/ValidBlocks/bcExample");
    let output = evm_ee(&[
        "ethtests",
        "blockchain",
        "--index",
        "d0",
        blockchain.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
}

/// `--fail-fast` stops starting files after the first failure (one thread, so the order is the
/// files' order), and says so.
#[test]
fn fail_fast_stops_after_the_first_failure() {
    let source = fixtures().join("ethereum-tests/GeneralStateTests/stExample");
    let dir = scratch_dir("fail-fast");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&source)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for file in &files {
        std::fs::copy(file, dir.join(file.file_name().unwrap())).unwrap();
    }
    // The first file in sorted order expects a wrong root in every case.
    let first = dir.join(files[0].file_name().unwrap());
    let mut test: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&first).unwrap()).unwrap();
    for case in test.as_object_mut().unwrap().values_mut() {
        for posts in case["post"].as_object_mut().unwrap().values_mut() {
            for post in posts.as_array_mut().unwrap() {
                post["hash"] = format!("0x{}", "11".repeat(32)).into();
            }
        }
    }
    std::fs::write(&first, test.to_string()).unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["ethtests", "state", "--json", "--threads", "1"];
        args.extend_from_slice(extra);
        args.push(dir.to_str().unwrap());
        evm_ee(&args)
    };
    let all = run(&[]);
    let stopped = run(&["--fail-fast"]);
    assert_eq!(stopped.status.code(), Some(1));
    let (all, stopped_report) = (json_report(&all), json_report(&stopped));
    assert!(stopped_report["failed"].as_u64().unwrap() > 0);
    assert_eq!(
        stopped_report["failures"][0]["code"], "state_root_mismatch",
        "{stopped_report}"
    );
    assert!(
        stopped_report["total"].as_u64().unwrap() < all["total"].as_u64().unwrap(),
        "{stopped_report}"
    );
    assert!(String::from_utf8_lossy(&stopped.stderr).contains("--fail-fast: stopped"));
    std::fs::remove_dir_all(dir).ok();
}

/// `evm-ee run` takes several files or folders: every file runs, the totals close the output, and
/// a file that cannot be run is exit 2 without stopping the others.
#[test]
fn run_takes_several_files_and_folders() {
    let scout = std::env::var_os("SCOUT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/scout"));
    let output = evm_ee(&["run", scout.to_str().unwrap()]);
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("run: 2 files, 2 passed, 0 failed"), "{text}");
    let output = evm_ee(&["run", "--json", scout.to_str().unwrap()]);
    let report = json_report(&output);
    assert_eq!(report["files"].as_array().unwrap().len(), 2, "{report}");
    assert_eq!(report["passed"], 2);
    let broken = scratch_dir("run-broken").join("broken.yaml");
    std::fs::write(&broken, "beacon_state: [").unwrap();
    let output = evm_ee(&[
        "run",
        broken.to_str().unwrap(),
        scout.join("test.yaml").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("run: 2 files, 1 passed, 0 failed, 1 could not be run"),
        "{text}"
    );
}

/// `witness inspect` reads a blob out of a Scout YAML file's shard block or from standard input
/// (`-`), and names the blob's block: number, hash, parent.
#[test]
fn witness_inspect_reads_yaml_blocks_and_stdin() {
    let dir = scratch_dir("inspect-yaml");
    let folder = fixtures().join("ethereum-tests/BlockchainTests/ValidBlocks/bcExample");
    let output = evm_ee(&[
        "ethtests",
        "blockchain",
        "--no-progress",
        "--filter",
        "basefeeExample",
        "--emit-yaml",
        dir.to_str().unwrap(),
        folder.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{output:?}");
    let yaml = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "yaml"))
        .unwrap();
    let output = evm_ee(&["witness", "inspect", "--json", yaml.to_str().unwrap()]);
    assert!(output.status.success(), "{output:?}");
    let from_yaml = json_report(&output);
    assert_eq!(from_yaml["block"]["number"], 1, "{from_yaml}");
    assert!(
        from_yaml["block"]["hash"]
            .as_str()
            .unwrap()
            .starts_with("0xe9008b75")
    );

    // The same blob through standard input.
    let test = chain::scout::ScoutTest::parse(&std::fs::read(&yaml).unwrap()).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_evm-ee"))
        .args(["witness", "inspect", "--json", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), &test.blocks[0].data).unwrap();
    drop(child.stdin.take());
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_eq!(json_report(&output), from_yaml);

    let output = evm_ee(&["witness", "inspect", "--block", "9", yaml.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no shard block 9"));
    std::fs::remove_dir_all(dir).ok();
}
