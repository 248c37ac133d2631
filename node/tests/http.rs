//! The node's HTTP API end to end: a server on a free port with a tiny WAT EE; deploy, submit,
//! follow the transaction, read states and blocks, the event stream, and a 4xx with a clear
//! message for every kind of bad request while the node keeps serving.

use std::io::{BufRead, BufReader};
use std::time::Duration;

use evm_ee_host::Engine;
use node::NodeConfig;
use serde_json::{Value, json};

mod common;
use common::{EE, Server, call, get, post_json, start_with, wait_included};

fn start() -> Server {
    start_with(
        Engine::ALL.to_vec(),
        NodeConfig {
            max_transaction_bytes: 1024,
            ..NodeConfig::default()
        },
    )
}

#[test]
fn deploy_submit_and_query_over_http() {
    let server = start();
    let (status, info) = get(&server, "/api/info");
    assert_eq!(status, 200);
    assert_eq!(info["shards"].as_array().unwrap().len(), 4);
    assert_eq!(info["ees"], 1);

    // Deploy a second EE as raw wasm with an initial state.
    let wasm = wat::parse_str(EE).unwrap();
    let (status, deployed) = call(
        ureq::post(&format!(
            "{}/api/ees?initial_state=0x{}",
            server.url,
            "07".repeat(32)
        ))
        .set("content-type", "application/wasm"),
        Some(&wasm),
    );
    assert_eq!(status, 201, "{deployed}");
    assert_eq!(deployed["ee"], 1);

    let data = format!("0x{}", "11".repeat(32));
    let (status, submitted) = post_json(
        &server,
        "/api/transactions",
        &json!({"shard": 2, "ee": 1, "data": data}).to_string(),
    );
    assert_eq!(status, 202, "{submitted}");
    let hash = submitted["hash"].as_str().unwrap().to_string();
    let included = wait_included(&server, &hash);
    assert_eq!(included["accepted"], true, "{included}");
    assert_eq!(included["shard"], 2);
    let (_, state) = get(&server, "/api/shards/2/ees/1/state");
    assert_eq!(state["state"], data);
    let (_, other) = get(&server, "/api/shards/1/ees/1/state");
    assert_eq!(other["state"], format!("0x{}", "07".repeat(32)));

    // A rejected transaction is included with its reason.
    let (_, submitted) = post_json(
        &server,
        "/api/transactions",
        r#"{"shard": 2, "ee": 1, "data": "0x0102"}"#,
    );
    let rejected = wait_included(&server, submitted["hash"].as_str().unwrap());
    assert_eq!(rejected["accepted"], false);
    assert!(
        rejected["receipt"]["outcome"]["reason"]
            .as_str()
            .unwrap()
            .contains("bad block length"),
        "{rejected}"
    );

    let (status, block) = get(&server, "/api/shards/2/blocks/head");
    assert_eq!(status, 200);
    assert!(block["header"]["number"].as_u64().unwrap() >= 1);
    let (status, beacon) = get(&server, "/api/beacon/blocks/head");
    assert_eq!(status, 200);
    assert!(beacon["slot"].as_u64().unwrap() >= 1);
    let (status, genesis) = get(&server, "/api/beacon/blocks/0");
    assert_eq!(status, 200);
    assert_eq!(genesis["deployments"].as_array().unwrap().len(), 1);
    let (status, ees) = get(&server, "/api/ees");
    assert_eq!(status, 200);
    assert_eq!(ees.as_array().unwrap().len(), 2);
    let (status, deposits) = get(&server, "/api/shards/2/deposits?from=1");
    assert_eq!(status, 200, "{deposits}");
    assert_eq!(
        deposits["deposits"].as_array().unwrap().len(),
        0,
        "this EE pushes none"
    );
    assert!(deposits["next"].as_u64().unwrap() >= 2);
    let (status, _) = get(&server, "/api/shards/2/deposits?from=x");
    assert_eq!(status, 400);
    let (status, _) = get(&server, "/api/shards/9/deposits");
    assert_eq!(status, 404);
    let (status, metrics) = get(&server, "/api/metrics");
    assert_eq!(status, 200);
    assert!(
        metrics
            .as_str()
            .unwrap()
            .contains("evm_ee_node_transactions 2"),
        "{metrics}"
    );
    let (status, page) = get(&server, "/");
    assert_eq!(status, 200);
    assert!(page.as_str().unwrap().contains("evm-ee shard testnet"));
}

#[test]
fn new_slots_arrive_on_the_event_stream() {
    let server = start();
    let response = ureq::get(&format!("{}/api/events", server.url))
        .timeout(Duration::from_secs(30))
        .call()
        .unwrap();
    assert_eq!(response.header("content-type"), Some("text/event-stream"));
    let mut reader = BufReader::new(response.into_reader());
    post_json(
        &server,
        "/api/transactions",
        &json!({"shard": 0, "ee": 0, "data": format!("0x{}", "22".repeat(32))}).to_string(),
    );
    let mut line = String::new();
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        if let Some(data) = line.strip_prefix("data: ") {
            let event: Value = serde_json::from_str(data.trim()).unwrap();
            assert!(event["slot"].as_u64().unwrap() >= 1);
            assert_eq!(event["shard_blocks"][0]["transactions"], 1, "{event}");
            break;
        }
    }
}

#[test]
fn bad_requests_get_a_4xx_with_a_message_and_the_node_keeps_serving() {
    let server = start();
    let cases: Vec<(&str, &str, u16, &str)> = vec![
        ("/api/transactions", "{not json", 400, "not a transaction"),
        (
            "/api/transactions",
            r#"{"shard": 0, "ee": 0}"#,
            400,
            "missing field",
        ),
        (
            "/api/transactions",
            r#"{"shard": 0, "ee": 0, "data": "0xzz"}"#,
            400,
            "hex",
        ),
        (
            "/api/transactions",
            r#"{"shard": 0, "ee": 0, "data": "0x", "x": 1}"#,
            400,
            "unknown field",
        ),
        (
            "/api/transactions",
            r#"{"shard": 9, "ee": 0, "data": "0x"}"#,
            404,
            "no shard 9",
        ),
        (
            "/api/transactions",
            r#"{"shard": 0, "ee": 9, "data": "0x"}"#,
            404,
            "no EE 9",
        ),
        ("/api/ees", r#"{"code": "0x0061736d"}"#, 422, "refused"),
        ("/api/ees", r#"{"code": 5}"#, 400, "not a deployment"),
        (
            "/api/ees",
            r#"{"code": "0x", "libraries": [{"name": "x", "code": "0x00", "extra": 1}]}"#,
            400,
            "unknown field",
        ),
    ];
    for (path, body, status, needle) in cases {
        let (got, reply) = post_json(&server, path, body);
        assert_eq!(got, status, "{path} {body}: {reply}");
        let message = reply["error"].as_str().unwrap_or_default();
        assert!(message.contains(needle), "{path} {body}: {message}");
    }
    let big = json!({"shard": 0, "ee": 0, "data": format!("0x{}", "00".repeat(1025))});
    let (status, reply) = post_json(&server, "/api/transactions", &big.to_string());
    assert_eq!(status, 413, "{reply}");
    // Over the body limit altogether (2 x 1024 + 1 MiB).
    // The server answers 413 and stops reading, so the client may see its write cut off
    // instead of the answer; either way the node lives on.
    let huge = vec![b' '; 3 << 20];
    match ureq::post(&format!("{}/api/transactions", server.url)).send_bytes(&huge) {
        Err(ureq::Error::Status(status, _)) => assert_eq!(status, 413),
        Err(ureq::Error::Transport(error)) => {
            let text = error.to_string();
            assert!(
                text.contains("Broken pipe") || text.contains("reset"),
                "{text}"
            );
        }
        Ok(response) => panic!("accepted a 3 MiB body: {}", response.status()),
    }
    assert_eq!(get(&server, "/api/info").0, 200);
    // Libraries: more than the host links, or one that is not wasm.
    let code = witness::hex::encode(&wat::parse_str(EE).unwrap());
    let many: Vec<Value> = (0..=evm_ee_host::MAX_LIBRARIES)
        .map(|i| json!({"name": format!("lib{i}"), "code": "0x"}))
        .collect();
    let (status, reply) = post_json(
        &server,
        "/api/ees",
        &json!({"code": code, "libraries": many}).to_string(),
    );
    assert_eq!(status, 400, "{reply}");
    assert!(
        reply["error"].as_str().unwrap().contains("at most"),
        "{reply}"
    );
    let (status, reply) = post_json(
        &server,
        "/api/ees",
        &json!({"code": code, "libraries": [{"name": "numbers", "code": "0x0102"}]}).to_string(),
    );
    assert_eq!(status, 422, "{reply}");
    let (status, reply) = call(
        ureq::post(&format!("{}/api/ees", server.url)).set("content-type", "application/wasm"),
        Some(b"not wasm at all"),
    );
    assert_eq!(status, 422, "{reply}");
    let (status, reply) = call(
        ureq::post(&format!("{}/api/ees?initial_state=0x12", server.url)),
        Some(&wat::parse_str(EE).unwrap()),
    );
    assert_eq!(status, 400, "{reply}");
    for (path, status) in [
        ("/api/transactions/0x12", 400),
        (&*format!("/api/transactions/0x{}", "00".repeat(32)), 404),
        ("/api/shards/x/blocks/head", 400),
        ("/api/shards/9/blocks/head", 404),
        ("/api/shards/0/blocks/999", 404),
        ("/api/shards/0/blocks/first", 400),
        ("/api/beacon/blocks/999", 404),
        ("/api/shards/0/ees/7/state", 404),
        ("/api/nothing", 404),
    ] {
        let (got, reply) = get(&server, path);
        assert_eq!(got, status, "{path}: {reply}");
        assert!(reply["error"].is_string(), "{path}: {reply}");
    }
    // A duplicate is a conflict; the node still works.
    let tx = json!({"shard": 0, "ee": 0, "data": format!("0x{}", "33".repeat(32))}).to_string();
    let (status, first) = post_json(&server, "/api/transactions", &tx);
    assert_eq!(status, 202);
    wait_included(&server, first["hash"].as_str().unwrap());
    let (status, reply) = post_json(&server, "/api/transactions", &tx);
    assert_eq!(status, 409, "{reply}");
    let (status, _) = get(&server, "/api/info");
    assert_eq!(status, 200);
}
