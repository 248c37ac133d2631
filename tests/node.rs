//! End-to-end: `evm-ee node run` as a process. The example chain relayed through the EVM EE
//! (EE 0) in wasmi and wasmtime at once; the client commands; and a node killed with SIGKILL
//! while transactions arrive, which after a restart has every acknowledged transaction in a
//! block and the states of an uninterrupted run; Scout's YAML tests and the project's emitted
//! ones loaded onto the node (`node load`); a BlockchainTests fixture relayed to a fresh EVM EE.
//! Scout's files come from `SCOUT_DIR`, fixtures from `ETHTESTS_DIR` (both set by
//! `scripts/test.sh`).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

fn evm_ee() -> Command {
    Command::new(env!("CARGO_BIN_EXE_evm-ee"))
}

/// A node process and its URL.
struct RunningNode {
    child: Child,
    url: String,
}

impl Drop for RunningNode {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_node(data: &Path, engines: &str) -> RunningNode {
    let mut child = evm_ee()
        .args(["node", "run", "--slot-time", "0", "--http", "127.0.0.1:0"])
        .args(["--engines", engines, "--data"])
        .arg(data)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("evm-ee runs");
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("the node says where it listens")
            .unwrap();
        if let Some(rest) = line.split("API on ").nth(1) {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    // Keep draining stderr so the node never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    RunningNode { child, url }
}

fn client(node: &RunningNode, args: &[&str]) -> (bool, String) {
    let output = evm_ee()
        .arg("node")
        .args(args)
        .args(["--node", &node.url])
        .output()
        .unwrap();
    (
        output.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    )
}

#[test]
fn the_example_chain_is_relayed_through_the_evm_ee_in_both_engines() {
    let dir = tempfile_dir("relay");
    let engines = if cfg!(feature = "wasmtime") {
        "wasmi,wasmtime"
    } else {
        "wasmi"
    };
    let node = start_node(&dir, engines);
    let (ok, out) = client(&node, &["relay-eth1", "--shard", "2", "--json"]);
    assert!(ok, "{out}");
    let summary: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(summary["accepted"], 5, "{summary}");
    assert_eq!(
        summary["ticks"], 259_751_019u64,
        "the same ticks as `validate`"
    );
    // The shard's EE state is the example head's EE state; another shard stayed at genesis.
    let (ok, state) = client(&node, &["state", "--shard", "2", "--ee", "0"]);
    assert!(ok, "{state}");
    let (_, genesis_state) = client(&node, &["state", "--shard", "0", "--ee", "0"]);
    assert_ne!(state, genesis_state);
    // Relaying again to the same shard is refused with a clear reason.
    let (ok, out) = client(&node, &["relay-eth1", "--shard", "2"]);
    assert!(!ok && out.contains("not at block 1's parent"), "{out}");
    // A junk transaction is included and rejected by the EE, with its reason.
    let (ok, out) = client(&node, &["submit", "0x0102", "--shard", "3", "--wait"]);
    assert!(!ok, "{out}");
    assert!(out.contains("\"rejected\""), "{out}");
    let (ok, out) = client(&node, &["blocks", "head", "--shard", "2"]);
    assert!(ok && out.contains("\"transactions\""), "{out}");
    let (ok, out) = client(&node, &["info"]);
    assert!(ok && out.contains("\"accepted\": 5"), "{out}");
    let (ok, out) = client(&node, &["submit", "0x00", "--shard", "9"]);
    assert!(!ok && out.contains("no shard 9"), "{out}");
}

fn tempfile_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("evm-ee-node-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The node's test EE (post-state = the 32 bytes of data; anything else is rejected).
const COPY_EE: &str = include_str!("ees/copy.wat");

fn post(url: &str, path: &str, content_type: &str, body: &[u8]) -> Result<Value, String> {
    match ureq::post(&format!("{url}{path}"))
        .set("content-type", content_type)
        .timeout(Duration::from_secs(10))
        .send_bytes(body)
    {
        Ok(response) => Ok(response.into_json().unwrap()),
        Err(ureq::Error::Status(409, _)) => Ok(json!({"known": true})),
        Err(error) => Err(error.to_string()),
    }
}

fn get(url: &str, path: &str) -> Value {
    ureq::get(&format!("{url}{path}"))
        .call()
        .unwrap()
        .into_json()
        .unwrap()
}

fn transactions() -> Vec<Value> {
    (0..200u32)
        .map(|i| {
            let mut data = [0u8; 32];
            data[..4].copy_from_slice(&i.to_be_bytes());
            json!({"shard": i % 4, "ee": 1, "data": witness::hex::encode(&data)})
        })
        .collect()
}

fn wait_all_included(url: &str, hashes: &[String]) {
    let deadline = Instant::now() + Duration::from_secs(120);
    for hash in hashes {
        loop {
            let record = get(url, &format!("/api/transactions/{hash}"));
            if record["status"] == "included" {
                break;
            }
            assert_ne!(record["status"], "dropped", "{record}");
            assert!(Instant::now() < deadline, "{record}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn states(url: &str) -> Vec<Value> {
    (0..4)
        .map(|shard| get(url, &format!("/api/shards/{shard}/ees/1/state"))["state"].clone())
        .collect()
}

#[test]
fn a_node_killed_during_submission_loses_nothing_it_acknowledged() {
    let wasm = wat::parse_str(COPY_EE).unwrap();
    let txs = transactions();

    // The uninterrupted run.
    let clean_dir = tempfile_dir("clean");
    let clean = start_node(&clean_dir, "wasmi");
    post(&clean.url, "/api/ees", "application/wasm", &wasm).unwrap();
    let mut hashes = Vec::new();
    for tx in &txs {
        let reply = post(
            &clean.url,
            "/api/transactions",
            "application/json",
            tx.to_string().as_bytes(),
        )
        .unwrap();
        hashes.push(reply["hash"].as_str().unwrap().to_string());
    }
    wait_all_included(&clean.url, &hashes);
    let expected = states(&clean.url);
    drop(clean);

    // Killed after 80 acknowledged transactions, while slots are being made.
    let dir = tempfile_dir("killed");
    let mut node = start_node(&dir, "wasmi");
    post(&node.url, "/api/ees", "application/wasm", &wasm).unwrap();
    let mut acknowledged = Vec::new();
    let mut next = 0;
    while next < txs.len() {
        if acknowledged.len() == 80 {
            node.child.kill().unwrap(); // SIGKILL
            node.child.wait().unwrap();
            break;
        }
        match post(
            &node.url,
            "/api/transactions",
            "application/json",
            txs[next].to_string().as_bytes(),
        ) {
            Ok(reply) => acknowledged.push(reply["hash"].as_str().unwrap().to_string()),
            Err(error) => panic!("before the kill: {error}"),
        }
        next += 1;
    }
    drop(node);
    let node = start_node(&dir, "wasmi");
    // Every acknowledged transaction is in a block or still waiting.
    for hash in &acknowledged {
        let record = get(&node.url, &format!("/api/transactions/{hash}"));
        assert!(
            record["status"] == "included" || record["status"] == "pending",
            "{hash}: {record}"
        );
    }
    // The client goes on where it stopped.
    for tx in &txs[next..] {
        let reply = post(
            &node.url,
            "/api/transactions",
            "application/json",
            tx.to_string().as_bytes(),
        )
        .unwrap();
        if let Some(hash) = reply["hash"].as_str() {
            acknowledged.push(hash.to_string());
        }
    }
    wait_all_included(&node.url, &acknowledged);
    assert_eq!(states(&node.url), expected);
    let info = get(&node.url, "/api/info");
    assert_eq!(info["totals"]["transactions"], 200, "{info}");
    assert_eq!(info["mempool"], 0);
}

/// Scout's own example tests and EEs (`../shared/scout`, or `SCOUT_DIR`).
fn scout_dir() -> std::path::PathBuf {
    let dir = std::env::var_os("SCOUT_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/scout"));
    assert!(
        dir.join("test.yaml").exists(),
        "no Scout tests in {}: set SCOUT_DIR to a folder with Scout's test.yaml, bazaar.yaml and \
         their EEs built from ewasm/scout (scripts/test.sh sets it to ../shared/scout)",
        dir.display()
    );
    dir
}

fn fixtures() -> std::path::PathBuf {
    std::path::PathBuf::from(std::env::var_os("ETHTESTS_DIR").expect(
        "ETHTESTS_DIR is not set: run scripts/test.sh (it unpacks ../shared/ethtests), or set \
         ETHTESTS_DIR to a folder holding ethereum-tests/ and legacy-tests/",
    ))
}

fn json_of(out: &str) -> Value {
    let line = out
        .lines()
        .rev()
        .find(|line| line.starts_with('{'))
        .unwrap_or_else(|| panic!("no JSON in {out}"));
    serde_json::from_str(line).unwrap()
}

/// Scout's `test.yaml` and `bazaar.yaml`, unchanged, on the node (their helloworld and bazaar
/// EEs deployed from the files), and the project's emitted YAML for invalid Eth1 blocks, whose
/// rejected blocks carry `expect_rejection`.
#[test]
fn scout_yaml_tests_pass_on_the_node() {
    let dir = tempfile_dir("scout");
    let node = start_node(&dir.join("node"), "wasmi");
    for (file, blocks) in [("test.yaml", 2), ("bazaar.yaml", 3)] {
        let path = scout_dir().join(file);
        let (ok, out) = client(&node, &["load", path.to_str().unwrap(), "--json"]);
        assert!(ok, "{file}: {out}");
        let report = json_of(&out);
        assert_eq!(report["passed"], true, "{report}");
        assert_eq!(report["blocks"].as_array().unwrap().len(), blocks);
        // helloworld pushes one all-zero deposit per block: more than test.yaml expects, which
        // Scout accepts.
        let (ok, text) = client(&node, &["load", path.to_str().unwrap(), "--shard", "3"]);
        assert!(ok, "{text}");
        assert!(text.contains("deposits match"), "{text}");
    }

    let emitted = dir.join("emitted");
    let fixture = fixtures().join("ethereum-tests/BlockchainTests/InvalidBlocks/bcEIP1559");
    let output = evm_ee()
        .args(["ethtests", "blockchain", "--no-progress", "--emit-yaml"])
        .arg(&emitted)
        .args(["--filter", "badBlocks"])
        .arg(&fixture)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let mut yamls: Vec<_> = std::fs::read_dir(&emitted)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    yamls.sort();
    assert!(!yamls.is_empty());
    let mut expected_rejections = 0;
    for yaml in &yamls {
        let (ok, out) = client(&node, &["load", yaml.to_str().unwrap(), "--json"]);
        assert!(ok, "{}: {out}", yaml.display());
        let report = json_of(&out);
        expected_rejections += report["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| b["expect_rejection"] == true && b["accepted"] == false)
            .count();
    }
    assert!(expected_rejections > 0, "badBlocks has invalid blocks");

    // An EE importing a function of the file's `libraries`, deployed with it over the API.
    let wat_file = |name: &str| {
        wat::parse_str(
            std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../tests/ees")
                    .join(name),
            )
            .unwrap(),
        )
        .unwrap()
    };
    std::fs::write(dir.join("user.wasm"), wat_file("library_user.wat")).unwrap();
    std::fs::write(dir.join("numbers.wasm"), wat_file("numbers.wat")).unwrap();
    let library_yaml = dir.join("library.yaml");
    std::fs::write(
        &library_yaml,
        format!(
            "beacon_state:\n  execution_scripts: [user.wasm]\n  libraries:\n    - {{name: numbers, \
             file: numbers.wasm}}\nshard_pre_state:\n  exec_env_states: [\"{zero}\"]\n\
             shard_blocks:\n  - {{env: 0, data: \"\"}}\nshard_post_state:\n  exec_env_states: \
             [\"07{rest}\"]\ndeposit_receipts: []\n",
            zero = "00".repeat(32),
            rest = "00".repeat(31)
        ),
    )
    .unwrap();
    let (ok, out) = client(&node, &["load", library_yaml.to_str().unwrap()]);
    assert!(ok && out.contains("post-state matches"), "{out}");

    // A trap on a block not marked `expect_rejection` fails the test, as in Scout.
    let yaml = yamls
        .iter()
        .map(|path| std::fs::read_to_string(path).unwrap())
        .find(|text| text.contains("expect_rejection: true"))
        .unwrap();
    let unmarked = dir.join("unmarked.yaml");
    std::fs::write(&unmarked, yaml.replace("    expect_rejection: true\n", "")).unwrap();
    std::fs::copy(emitted.join("ee.wasm"), dir.join("ee.wasm")).unwrap();
    let (ok, out) = client(&node, &["load", unmarked.to_str().unwrap()]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("TRAPPED (fails the test, as in Scout)"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A ValidBlocks fixture relayed block by block to a fresh EVM EE on the node ends with the EE
/// state of the fixture's `lastblockhash`; a fixture whose head is on a side chain (which one
/// state per EE cannot follow) says so and fails.
#[test]
fn a_blockchain_fixture_is_relayed_and_ends_on_lastblockhash() {
    let dir = tempfile_dir("relay-fixture");
    let node = start_node(&dir, "wasmi");
    let fixture = fixtures().join("ethereum-tests/BlockchainTests/ValidBlocks/bcExample");
    let (ok, out) = client(
        &node,
        &[
            "relay-eth1",
            fixture.to_str().unwrap(),
            "--shard",
            "1",
            "--json",
        ],
    );
    assert!(ok, "{out}");
    let summary = json_of(&out);
    assert!(summary["passed"].as_u64().unwrap() > 0, "{summary}");
    assert_eq!(summary["failed"], json!([]), "{summary}");
    for test in summary["tests"].as_array().unwrap() {
        assert_eq!(test["ends_on_lastblockhash"], true, "{test}");
    }
    let side_chain = fixtures().join(
        "legacy-tests/Constantinople/BlockchainTests/ValidBlocks/bcTotalDifficultyTest/\
         sideChainWithMoreTransactions2.json",
    );
    let (ok, out) = client(&node, &["relay-eth1", side_chain.to_str().unwrap()]);
    assert!(!ok, "{out}");
    assert!(out.contains("does NOT end on lastblockhash"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The README's main command: `evm-ee demo` starts a node, relays the embedded example chain
/// (a deposit included) and, with `--exit`, stops; every block accepted, the deposit counted.
#[test]
fn the_demo_relays_the_example_chain_with_its_deposit() {
    let output = evm_ee()
        .args([
            "demo",
            "--exit",
            "--http",
            "127.0.0.1:0",
            "--engines",
            "wasmi",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(text.matches("): accepted, ").count(), 5, "{text}");
    assert!(text.contains("1 deposit(s)"), "{text}");
    assert!(
        text.contains("relayed 5 blocks to shard 0: 5 accepted, 0 rejected, 259751019 ticks"),
        "{text}"
    );
}

/// Mainnet history from an era1 archive (`ERA1_DIR`, set by `scripts/test.sh` to
/// `../shared/history`) relayed to a fresh EVM EE: every block's witness served by the relay's
/// own state store, every block accepted with its own EE state.
#[test]
fn mainnet_history_is_relayed_from_an_era1_archive() {
    let era1 = std::path::PathBuf::from(std::env::var_os("ERA1_DIR").expect(
        "ERA1_DIR is not set: run scripts/test.sh, or set ERA1_DIR to a folder holding \
         mainnet-00000.era1",
    ))
    .join("mainnet-00000.era1");
    let dir = tempfile_dir("relay-era1");
    let node = start_node(&dir, "wasmi");
    let (ok, out) = client(
        &node,
        &[
            "relay-eth1",
            era1.to_str().unwrap(),
            "--to",
            "300",
            "--shard",
            "2",
            "--json",
        ],
    );
    assert!(ok, "{out}");
    let summary = json_of(&out);
    assert_eq!(summary["blocks"], 300, "{summary}");
    assert_eq!(summary["head"], 300, "{summary}");
    assert_eq!(summary["failure"], Value::Null, "{summary}");
    let ee = summary["ee"].as_u64().unwrap().to_string();
    let (ok, state) = client(&node, &["state", "--shard", "2", "--ee", &ee]);
    assert!(
        ok && state.contains(summary["state"].as_str().unwrap()),
        "{state}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
