//! Scout's YAML test format: execution scripts (and libraries), the shard pre-state, shard
//! blocks, the expected shard post-state and deposit receipts. Paths in the file are relative to
//! the file. Each block runs in a fresh instance with the full tick budget; an accepted block
//! (no trap, a post-state saved) replaces its EE's state, a rejected one leaves it unchanged.
//!
//! Deposits match when the deposits of all blocks, in order, equal `deposit_receipts` encoded in
//! Scout's 184-byte layout (pubkey 48, withdrawal credentials 32, amount as little-endian u64,
//! signature 96). Scout itself only checked that each expected receipt was among them.

use crate::run::runtime::{Library, Runtime, ShardBlockResult};
use crate::{Engine, HostError, Limits};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
struct TestFile {
    beacon_state: TestBeaconState,
    #[serde(default)]
    shard_blocks: Vec<TestShardBlock>,
    shard_pre_state: TestShardState,
    shard_post_state: TestShardState,
    #[serde(default)]
    deposit_receipts: Vec<TestDeposit>,
}

#[derive(Deserialize)]
struct TestBeaconState {
    execution_scripts: Vec<String>,
    #[serde(default)]
    libraries: Option<Vec<TestLibrary>>,
}

#[derive(Deserialize)]
struct TestLibrary {
    name: String,
    file: String,
}

#[derive(Deserialize)]
struct TestShardBlock {
    env: u64,
    data: String,
}

#[derive(Deserialize)]
struct TestShardState {
    exec_env_states: Vec<String>,
}

#[derive(Deserialize)]
struct TestDeposit {
    pubkey: String,
    withdrawal_credentials: String,
    amount: u64,
    signature: String,
}

/// What happened to one shard block.
#[derive(Clone, Debug)]
pub struct BlockReport {
    /// Position in `shard_blocks`.
    pub index: usize,
    /// The execution script (EE) that ran it.
    pub env: usize,
    /// The EE's state before the block.
    pub pre_state: [u8; 32],
    /// The run's result: post-state, ticks, trap reason, debug output.
    pub result: ShardBlockResult,
}

/// The outcome of a Scout YAML file.
#[derive(Clone, Debug)]
pub struct ScoutReport {
    /// The YAML file.
    pub path: PathBuf,
    /// The engine that ran it.
    pub engine: Engine,
    /// One entry per shard block, in order.
    pub blocks: Vec<BlockReport>,
    /// The EE states after all blocks.
    pub final_states: Vec<[u8; 32]>,
    /// `shard_post_state.exec_env_states`.
    pub expected_states: Vec<[u8; 32]>,
    /// The deposits of all blocks, in order.
    pub deposits: Vec<Vec<u8>>,
    /// `deposit_receipts`, encoded in Scout's 184-byte layout.
    pub expected_deposits: Vec<Vec<u8>>,
}

impl ScoutReport {
    /// The final states are the expected ones.
    pub fn states_match(&self) -> bool {
        self.final_states == self.expected_states
    }

    /// The deposits are the expected ones.
    pub fn deposits_match(&self) -> bool {
        self.deposits == self.expected_deposits
    }

    /// States and deposits both match.
    pub fn passed(&self) -> bool {
        self.states_match() && self.deposits_match()
    }
}

fn hex_bytes(text: &str) -> Result<Vec<u8>, String> {
    let text = text.trim();
    let text = text.strip_prefix("0x").unwrap_or(text);
    hex::decode(text).map_err(|e| format!("bad hex ({e})"))
}

fn hex_fixed<const N: usize>(text: &str, what: &str) -> Result<[u8; N], String> {
    let bytes = hex_bytes(text).map_err(|e| format!("{what}: {e}"))?;
    <[u8; N]>::try_from(bytes.as_slice())
        .map_err(|_| format!("{what}: expected {N} bytes of hex, got {}", bytes.len()))
}

fn states(state: &TestShardState, what: &str) -> Result<Vec<[u8; 32]>, String> {
    state
        .exec_env_states
        .iter()
        .enumerate()
        .map(|(i, s)| hex_fixed::<32>(s, &format!("{what}.exec_env_states[{i}]")))
        .collect()
}

fn deposit(d: &TestDeposit, i: usize) -> Result<Vec<u8>, String> {
    let what = |field: &str| format!("deposit_receipts[{i}].{field}");
    let mut out = Vec::with_capacity(184);
    out.extend_from_slice(&hex_fixed::<48>(&d.pubkey, &what("pubkey"))?);
    out.extend_from_slice(&hex_fixed::<32>(
        &d.withdrawal_credentials,
        &what("withdrawal_credentials"),
    )?);
    out.extend_from_slice(&d.amount.to_le_bytes());
    out.extend_from_slice(&hex_fixed::<96>(&d.signature, &what("signature"))?);
    Ok(out)
}

fn read(path: &Path) -> Result<Vec<u8>, HostError> {
    std::fs::read(path).map_err(|source| HostError::Io {
        path: path.to_owned(),
        source,
    })
}

/// Runs a Scout YAML test file: see the module docs. Malformed files, missing modules and bad
/// hex are errors; what the blocks do (including traps and mismatches) is in the report.
pub fn run_scout_yaml(
    path: &Path,
    engine: Engine,
    limits: Limits,
) -> Result<ScoutReport, HostError> {
    let yaml_error = |message: String| HostError::ScoutYaml {
        path: path.to_owned(),
        message,
    };
    let text = read(path)?;
    let file: TestFile = serde_norway::from_slice(&text).map_err(|e| yaml_error(e.to_string()))?;
    let base = path.parent().unwrap_or(Path::new("."));

    let mut pre_states = states(&file.shard_pre_state, "shard_pre_state").map_err(yaml_error)?;
    let expected_states = states(&file.shard_post_state, "shard_post_state").map_err(yaml_error)?;
    let expected_deposits = file
        .deposit_receipts
        .iter()
        .enumerate()
        .map(|(i, d)| deposit(d, i))
        .collect::<Result<Vec<_>, _>>()
        .map_err(yaml_error)?;
    let blocks = file
        .shard_blocks
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let data = hex_bytes(&b.data).map_err(|e| format!("shard_blocks[{i}].data: {e}"))?;
            let env = usize::try_from(b.env)
                .ok()
                .filter(|&env| env < file.beacon_state.execution_scripts.len() && env < pre_states.len())
                .ok_or_else(|| {
                    format!(
                        "shard_blocks[{i}].env {} names no EE ({} execution scripts, {} pre-states)",
                        b.env,
                        file.beacon_state.execution_scripts.len(),
                        pre_states.len()
                    )
                })?;
            Ok((env, data))
        })
        .collect::<Result<Vec<_>, String>>()
        .map_err(yaml_error)?;

    let mut libraries = Vec::new();
    for library in file.beacon_state.libraries.iter().flatten() {
        let file_path = base.join(&library.file);
        libraries.push(Library {
            name: library.name.clone(),
            wasm: read(&file_path)?,
        });
    }
    // Compile only the EEs that blocks use, once each.
    let mut runtimes: Vec<Option<Runtime>> = Vec::new();
    runtimes.resize_with(file.beacon_state.execution_scripts.len(), || None);

    let mut reports = Vec::with_capacity(blocks.len());
    let mut deposits = Vec::new();
    for (index, (env, data)) in blocks.into_iter().enumerate() {
        let runtime =
            match &mut runtimes[env] {
                Some(runtime) => runtime,
                slot => {
                    let script = base.join(&file.beacon_state.execution_scripts[env]);
                    let wasm = read(&script)?;
                    let runtime = Runtime::with_libraries(engine, &wasm, &libraries, limits)
                        .map_err(|e| HostError::ScoutModule {
                            path: script,
                            source: Box::new(e),
                        })?;
                    slot.insert(runtime)
                }
            };
        let pre_state = pre_states[env];
        let result = runtime.execute(pre_state, &data)?;
        if result.accepted() {
            if let Some(post) = result.post_state {
                pre_states[env] = post;
            }
            deposits.extend(result.deposits.iter().cloned());
        }
        reports.push(BlockReport {
            index,
            env,
            pre_state,
            result,
        });
    }
    Ok(ScoutReport {
        path: path.to_owned(),
        engine,
        blocks: reports,
        final_states: pre_states,
        expected_states,
        deposits,
        expected_deposits,
    })
}
