//! What the node's HTTP and browser tests share: a node serving on a free port, and calls to it.

#![allow(dead_code)] // each test file uses its own part

use std::time::{Duration, Instant};

use evm_ee_host::{Engine, Limits};
use node::server::{SlotTiming, serve};
use node::{GenesisEe, HostLoader, Node, NodeConfig};
use serde_json::Value;

/// The test EE (post-state = the 32 bytes of data; anything else is rejected).
pub const EE: &str = include_str!("../../../tests/ees/copy.wat");

pub struct Server {
    pub url: String,
    _dir: tempfile::TempDir,
}

/// A node with [`EE`] as EE 0, running `engines` under `config`, serving on a free port and
/// making a slot as soon as work waits.
pub fn start_with(engines: Vec<Engine>, config: NodeConfig) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let loader = Box::new(HostLoader {
        engines,
        limits: Limits::default(),
    });
    let genesis = vec![GenesisEe {
        code: wat::parse_str(EE).unwrap(),
        initial_state: [0; 32],
    }];
    let node = Node::open(dir.path(), config, loader, genesis).unwrap();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            sender.send(listener.local_addr().unwrap()).unwrap();
            serve(node, listener, SlotTiming::OnDemand).await.unwrap();
        });
    });
    let address = receiver.recv().unwrap();
    Server {
        url: format!("http://{address}"),
        _dir: dir,
    }
}

/// Status and JSON body of a request, whatever the status.
pub fn call(request: ureq::Request, body: Option<&[u8]>) -> (u16, Value) {
    let result = match body {
        Some(bytes) => request.send_bytes(bytes),
        None => request.call(),
    };
    let response = match result {
        Ok(response) => response,
        Err(ureq::Error::Status(_, response)) => response,
        Err(other) => panic!("{other}"),
    };
    let status = response.status();
    let text = response.into_string().unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

pub fn get(server: &Server, path: &str) -> (u16, Value) {
    call(ureq::get(&format!("{}{path}", server.url)), None)
}

pub fn post_json(server: &Server, path: &str, body: &str) -> (u16, Value) {
    call(
        ureq::post(&format!("{}{path}", server.url)).set("content-type", "application/json"),
        Some(body.as_bytes()),
    )
}

pub fn wait_included(server: &Server, hash: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = get(server, &format!("/api/transactions/{hash}"));
        assert_eq!(status, 200, "{body}");
        if body["status"] == "included" {
            return body;
        }
        assert!(Instant::now() < deadline, "not included: {body}");
        std::thread::sleep(Duration::from_millis(20));
    }
}
