//! Scout tests on a running node: `evm-ee node load FILE.yaml` and `evm-ee node relay-eth1
//! FIXTURE.json`. The test's execution scripts are deployed (with its libraries) with its
//! pre-states, its shard blocks are submitted in order as transactions on one shard, and the
//! receipts and the node's EE states are checked against the test's expectations under the same
//! Scout rules as `evm-ee run` ([`chain::ScoutReport`]).

use std::path::Path;

use chain::scout::ScoutTest;
use chain::{BlockReport, ScoutReport};
use evm_ee_host::ShardBlockResult;
use serde_json::{Value, json};

use crate::node_cmd::{ClientArgs, request, submit_transaction, wait_for};

/// A Scout test's modules, read: the execution scripts in order and the libraries by name.
pub(crate) struct ScoutModules {
    /// The EEs' wasm, one per execution script.
    pub scripts: Vec<Vec<u8>>,
    /// `(import module name, wasm)` of the libraries.
    pub libraries: Vec<(String, Vec<u8>)>,
}

impl ScoutModules {
    /// Reads the modules `test` names, relative to `base` (the YAML file's folder), each capped
    /// at the host's module size.
    pub(crate) fn read(test: &ScoutTest, base: &Path) -> Result<ScoutModules, String> {
        let max = evm_ee_host::Limits::default().max_module_bytes as u64;
        let read = |file: &Path| {
            evm_ee_host::read_file_bounded(&base.join(file), max).map_err(|e| e.to_string())
        };
        Ok(ScoutModules {
            scripts: test
                .execution_scripts
                .iter()
                .map(|script| read(script))
                .collect::<Result<_, _>>()?,
            libraries: test
                .libraries
                .iter()
                .map(|(name, file)| Ok((name.clone(), read(file)?)))
                .collect::<Result<_, String>>()?,
        })
    }
}

/// Deploys `code` with `libraries` (`(import module name, wasm)`) at `initial_state` on every
/// shard of the node behind `client`; the EE's index.
pub(crate) fn deploy(
    client: &ClientArgs,
    code: &[u8],
    initial_state: [u8; 32],
    libraries: &[(String, Vec<u8>)],
) -> Result<u32, String> {
    let libraries: Vec<Value> = libraries
        .iter()
        .map(|(name, code)| json!({"name": name, "code": witness::hex::encode(code)}))
        .collect();
    let body = json!({"code": witness::hex::encode(code),
                      "initial_state": witness::hex::encode(&initial_state),
                      "libraries": libraries});
    let reply = request(
        client,
        "POST",
        "/api/ees",
        Some(("application/json", body.to_string().as_bytes())),
    )?;
    reply["ee"]
        .as_u64()
        .and_then(|ee| u32::try_from(ee).ok())
        .ok_or_else(|| format!("the node answered the deployment without an EE: {reply}"))
}

/// Runs `test` on the node behind `client`, its blocks on `shard`; `path` labels the report.
/// A block the node drops (its engines disagree) or refuses is an error; a trap is a verdict in
/// the report.
pub(crate) fn run_on_node(
    client: &ClientArgs,
    shard: u32,
    path: &Path,
    test: &ScoutTest,
    modules: &ScoutModules,
) -> Result<ScoutReport, String> {
    let info = request(client, "GET", "/api/info", None)?;
    let engines: Vec<&str> = info["engines"]
        .as_array()
        .map(|engines| engines.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut ees = Vec::with_capacity(modules.scripts.len());
    for (index, (code, state)) in modules.scripts.iter().zip(&test.pre_states).enumerate() {
        let ee = deploy(client, code, *state, &modules.libraries)
            .map_err(|e| format!("execution script {index}: {e}"))?;
        ees.push(ee);
    }
    // Every block is submitted before any receipt is awaited, so that a slot takes as many as its
    // tick budget allows; the node keeps their order on the shard.
    let mut hashes = Vec::with_capacity(test.blocks.len());
    for (index, block) in test.blocks.iter().enumerate() {
        let ee = *ees
            .get(block.env)
            .ok_or_else(|| format!("shard block {index} names EE {}, not deployed", block.env))?;
        // The block's position is its nonce: Scout's files repeat equal blocks.
        let hash = submit_transaction(client, shard, ee, &block.data, index as u64)
            .map_err(|e| format!("shard block {index}: {e}"))?;
        hashes.push(hash);
    }
    let mut blocks = Vec::with_capacity(hashes.len());
    let mut deposits = Vec::new();
    for (index, (hash, block)) in hashes.iter().zip(&test.blocks).enumerate() {
        let record = wait_for(client, hash)?;
        if record["status"] != "included" {
            return Err(format!(
                "shard block {index} ({hash}) was not included: {}",
                record["reason"].as_str().unwrap_or("no reason given")
            ));
        }
        let receipt: node::Receipt = serde_json::from_value(record["receipt"].clone())
            .map_err(|e| format!("shard block {index}: the node's receipt is unreadable: {e}"))?;
        let (post_state, block_deposits, trap) = match receipt.outcome {
            node::Outcome::Accepted {
                post_state,
                deposits,
            } => (
                Some(post_state.0),
                deposits.into_iter().map(|d| d.0).collect(),
                None,
            ),
            node::Outcome::Rejected { reason } => (None, Vec::new(), Some(reason)),
        };
        deposits.extend(block_deposits.iter().cloned());
        blocks.push(BlockReport {
            index,
            env: block.env,
            pre_state: receipt.pre_state.0,
            expect_rejection: block.expect_rejection,
            result: ShardBlockResult {
                post_state,
                deposits: block_deposits,
                ticks: receipt.ticks,
                debug_output: Vec::new(),
                debug_dropped: 0,
                trap,
                reason: None,
            },
        });
    }
    let mut final_states = Vec::with_capacity(ees.len());
    for ee in &ees {
        let state = request(
            client,
            "GET",
            &format!("/api/shards/{shard}/ees/{ee}/state"),
            None,
        )?;
        let text = state["state"].as_str().unwrap_or_default();
        final_states.push(
            witness::hex::decode_fixed::<32>(text)
                .map_err(|e| format!("EE {ee}'s state {text:?}: {e}"))?,
        );
    }
    Ok(ScoutReport {
        path: path.to_owned(),
        ran_on: format!(
            "node {}, shard {shard}, EEs {}, engines {}",
            client.node,
            ees.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(","),
            engines.join(",")
        ),
        blocks,
        final_states,
        expected_states: test.post_states.clone(),
        deposits,
        expected_deposits: test
            .deposits
            .iter()
            .map(|deposit| deposit.to_bytes().to_vec())
            .collect(),
    })
}
