//! Load on a running node: 10,000 small transactions (a copy EE: post-state = data) submitted
//! over HTTP by four clients to a node in this process, slots made on demand. Prints the
//! submission rate, the rate at which transactions land in committed slots, ticks per second
//! and the peak memory. A benchmark, not a test: nothing here fails on a number.
//!
//! `cargo run --release -p node --example load [TRANSACTIONS] [ENGINES]` (ENGINES: `wasmi`
//! or, with `--features wasmtime`, `wasmi,wasmtime` or `wasmtime`).

use std::time::{Duration, Instant};

use evm_ee_host::{Engine, Limits};
use node::server::{SlotTiming, serve};
use node::{GenesisEe, HostLoader, Node, NodeConfig};

const COPY_EE: &str = include_str!("../../tests/ees/copy.wat");

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let total: u32 = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse().ok())
        .unwrap_or(10_000);
    let engines: Vec<Engine> = std::env::args()
        .nth(2)
        .unwrap_or_else(|| "wasmi".into())
        .split(',')
        .map(|name| name.parse().unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let dir = std::env::temp_dir().join(format!("evm-ee-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let code = wat::parse_str(COPY_EE).unwrap_or_else(|e| panic!("{e}"));
    let node = Node::open(
        &dir,
        NodeConfig::default(),
        Box::new(HostLoader {
            engines: engines.clone(),
            limits: Limits::default(),
        }),
        vec![GenesisEe {
            code,
            initial_state: [0; 32],
        }],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let _ = sender.send(listener.local_addr().unwrap_or_else(|e| panic!("{e}")));
            let _ = serve(node, listener, SlotTiming::OnDemand).await;
        });
    });
    let url = format!(
        "http://{}",
        receiver.recv().unwrap_or_else(|e| panic!("{e}"))
    );
    let started = Instant::now();
    let clients: Vec<_> = (0..4u32)
        .map(|client| {
            let url = url.clone();
            std::thread::spawn(move || {
                let agent = ureq::AgentBuilder::new().build();
                for i in (client..total).step_by(4) {
                    let mut data = [0u8; 32];
                    data[..4].copy_from_slice(&i.to_be_bytes());
                    let body = format!(
                        r#"{{"shard":{},"ee":0,"data":"0x{}"}}"#,
                        i % 4,
                        data.iter().map(|b| format!("{b:02x}")).collect::<String>()
                    );
                    agent
                        .post(&format!("{url}/api/transactions"))
                        .set("content-type", "application/json")
                        .send_string(&body)
                        .unwrap_or_else(|e| panic!("{e}"));
                }
            })
        })
        .collect();
    for client in clients {
        let _ = client.join();
    }
    let submitted = started.elapsed();
    let info = loop {
        let response = ureq::get(&format!("{url}/api/info"))
            .call()
            .unwrap_or_else(|e| panic!("{e}"));
        let info: serde_json::Value = response.into_json().unwrap_or_else(|e| panic!("{e}"));
        if info["totals"]["transactions"].as_u64() == Some(u64::from(total)) {
            break info;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let done = started.elapsed();
    let ticks = info["totals"]["ticks"].as_u64().unwrap_or_default();
    println!(
        "{total} transactions, engines {:?}, 4 shards, 4 HTTP clients",
        engines.iter().map(ToString::to_string).collect::<Vec<_>>()
    );
    println!(
        "submitted (each durably in the mempool before its answer): {:.2} s, {:.0} tx/s",
        submitted.as_secs_f64(),
        f64::from(total) / submitted.as_secs_f64()
    );
    println!(
        "all in committed blocks: {:.2} s, {:.0} tx/s, {} slots, {ticks} ticks, {:.0} ticks/s",
        done.as_secs_f64(),
        f64::from(total) / done.as_secs_f64(),
        info["totals"]["slots"],
        ticks as f64 / done.as_secs_f64()
    );
    println!(
        "peak RSS {:.0} MB; database {:.1} MB",
        peak_rss_mb(),
        std::fs::metadata(dir.join(node::DATABASE_FILE)).map_or(0.0, |m| m.len() as f64 / 1e6)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
