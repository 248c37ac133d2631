//! End-to-end: `evm-ee node run` as a process. The example chain relayed through the EVM EE
//! (EE 0) in wasmi and wasmtime at once; the client commands; and a node killed with SIGKILL
//! while transactions arrive, which after a restart has every acknowledged transaction in a
//! block and the states of an uninterrupted run.

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
        summary["ticks"], 249_767_094u64,
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
const COPY_EE: &str = include_str!("../node/tests/ees/copy.wat");

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
            json!({"shard": i % 4, "ee": 1, "data": format!("0x{}", hex_of(&data))})
        })
        .collect()
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
