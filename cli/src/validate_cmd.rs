//! `evm-ee validate`: one block from a node, validated inside the EE from its witness alone:
//! the block's RLP (`debug_getRawBlock`), its witness (`debug_executionWitness`, reth's or
//! geth's shape), the chain's rules and the parent's total difficulty become a pre-state and a
//! block-data blob, and the EE's verdict is printed. `--dir` validates every block a
//! `ethtests blockchain --emit-witness` run wrote.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use evm_core::SpecId;
use evm_core::block::{Activation, Block, ChainSpec};
use primitive_types::U256;
use serde_json::{Value, json};
use stateless::{BlockDataBlob, Witness};

/// Largest block or witness file read (a mainnet block's witness is a few MB).
const MAX_INPUT_BYTES: u64 = 256 << 20;

#[derive(clap::Args, Debug)]
pub(crate) struct ValidateArgs {
    /// The block: raw RLP bytes, its hex (`0x...`, as `debug_getRawBlock` returns it), a saved
    /// JSON-RPC response `{"result": "0x..."}`, or `eth_getBlockByNumber`'s block object with full
    /// transactions (checked against the node's transaction and block hashes).
    #[arg(required_unless_present = "dir")]
    block: Option<PathBuf>,
    /// Its witness: `debug_executionWitness` JSON (reth's or geth's shape, or the saved
    /// response), with the parent header among `headers`.
    #[arg(required_unless_present = "dir")]
    witness: Option<PathBuf>,
    /// Validate every block of a folder that `ethtests blockchain --emit-witness`, `replay
    /// --emit-witness` or `example` wrote (each manifest.json gives the chain, the parent's total difficulty and the expected verdict).
    #[arg(long, conflicts_with_all = ["block", "witness"])]
    dir: Option<PathBuf>,
    /// The chain's rules: mainnet, sepolia, holesky, hoodi, example (the chain `evm-ee example`
    /// writes), a geth genesis or chain-config FILE.json, or an ethereum/tests network name (Cancun, BerlinToLondonAt5, ...).
    #[arg(long, default_value = "mainnet", value_name = "NAME|FILE.json")]
    chain: String,
    /// The parent's total difficulty (decimal or 0x hex). Needed before the merge; after it
    /// the chain's terminal total difficulty is implied.
    #[arg(long, value_name = "N")]
    parent_td: Option<String>,
    /// Where the EE runs: `wasmi`, `wasmtime`, or `native` (the EE's own validation code,
    /// compiled natively).
    #[arg(long, default_value = "wasmi", value_parser = ["wasmi", "wasmtime", "native"])]
    engine: String,
    /// The EE's tick budget (10^10 by default); `1e13` style accepted.
    #[arg(long, value_parser = crate::parse_max_ticks)]
    max_ticks: Option<u64>,
    /// The EE's memory limit in MiB.
    #[arg(long, value_name = "MIB")]
    max_memory: Option<u32>,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    json: bool,
    /// With --dir: every block's verdict, gas, ticks and sizes (in JSON as `"verdicts"`), not
    /// only the summary.
    #[arg(short, long)]
    verbose: bool,
}

/// A chain's rules and the forks it has past evm-core's.
struct Rules {
    name: String,
    spec: ChainSpec,
    later: Vec<chain::LaterFork>,
}

/// Where blocks are validated.
enum Validator {
    Native,
    Wasm(evm_ee_host::Runtime),
}

/// One block's outcome.
struct Verdict {
    number: u64,
    hash: String,
    accepted: bool,
    reason: Option<String>,
    gas_used: u64,
    ticks: Option<u64>,
    witness_bytes: usize,
    blob_bytes: usize,
    post_state: Option<[u8; 32]>,
    seconds: f64,
}

pub(crate) fn run(args: &ValidateArgs) -> ExitCode {
    match validate(args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn validate(args: &ValidateArgs) -> Result<ExitCode, String> {
    let validator = match args.engine.as_str() {
        "native" => Validator::Native,
        name => {
            let engine: evm_ee_host::Engine = name
                .parse()
                .map_err(|e: evm_ee_host::HostError| format!("--engine: {e}"))?;
            let limits = crate::host_limits(args.max_ticks, args.max_memory)?;
            Validator::Wasm(
                evm_ee_host::Runtime::new(engine, ee_module::EE_WASM, limits)
                    .map_err(|e| e.to_string())?,
            )
        }
    };
    if let Some(dir) = &args.dir {
        return validate_dir(args, &validator, dir);
    }
    let (Some(block_path), Some(witness_path)) = (&args.block, &args.witness) else {
        return Err("give a BLOCK and a WITNESS file, or --dir DIR".into());
    };
    let rules = rules(&args.chain)?;
    let verdict = validate_one(
        &validator,
        &rules,
        args.parent_td.as_deref(),
        block_path,
        witness_path,
    )?;
    print_verdict(args, &rules.name, &verdict);
    Ok(if verdict.accepted {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `--chain`: a named chain or file, else an ethereum/tests network name.
fn rules(name: &str) -> Result<Rules, String> {
    match chain::chain_by_name(name) {
        Ok(definition) => Ok(Rules {
            name: definition.name,
            spec: definition.spec,
            later: definition.later_forks,
        }),
        Err(chain::ChainError::Unknown(_)) => ChainSpec::from_test_network(name)
            .map(|spec| Rules {
                name: name.to_string(),
                spec,
                later: Vec::new(),
            })
            .ok_or_else(|| {
                format!(
                    "--chain {name:?}: expected mainnet, sepolia, holesky, hoodi, example, a FILE.json or \
                     an ethereum/tests network name such as Cancun"
                )
            }),
        Err(other) => Err(format!("--chain: {other}")),
    }
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    evm_ee_host::read_file_bounded(path, MAX_INPUT_BYTES).map_err(|e| e.to_string())
}

/// A block file's RLP: raw bytes, hex text, a JSON-RPC response with the hex as `result`, or
/// the block object of `eth_getBlockByNumber` with full transactions (rebuilt and checked
/// against the node's hashes by `chain::rpc_block`).
fn block_rlp(path: &Path) -> Result<Vec<u8>, String> {
    let bytes = read(path)?;
    let text = std::str::from_utf8(&bytes).map(str::trim);
    let hex_text = match text {
        Ok(text) if text.starts_with('{') => {
            let value: Value = serde_json::from_str(text)
                .map_err(|e| format!("{}: not JSON: {e}", path.display()))?;
            match value.get("result").and_then(Value::as_str) {
                Some(hex) => hex.to_string(),
                None => {
                    let block = chain::rpc_block::block_from_rpc_json(&value).map_err(|e| {
                        format!(
                            "{}: neither debug_getRawBlock's hex nor an eth_getBlockByNumber \
                             block: {e}",
                            path.display()
                        )
                    })?;
                    return Ok(block.encode());
                }
            }
        }
        Ok(text) if text.starts_with("0x") => text.to_string(),
        // Raw RLP: a block is a list, whose first byte is at least 0xc0.
        _ => return Ok(bytes),
    };
    witness::hex::decode(&hex_text).map_err(|e| format!("{}: {e}", path.display()))
}

fn parse_td(text: &str) -> Result<U256, String> {
    let parsed = match text.strip_prefix("0x") {
        Some(hex) if hex.len() <= 64 => U256::from_str_radix(hex, 16).ok(),
        Some(_) => None,
        None => U256::from_dec_str(text).ok(),
    };
    parsed.ok_or_else(|| format!("--parent-td {text:?}: not a 256-bit number"))
}

/// The parent's total difficulty: given, or the terminal total difficulty of a merged chain.
fn parent_total_difficulty(
    rules: &Rules,
    given: Option<&str>,
    block: &Block,
) -> Result<U256, String> {
    if let Some(text) = given {
        return parse_td(text);
    }
    let header = &block.header;
    let ttd = rules
        .spec
        .forks
        .iter()
        .find_map(|(spec, activation)| match activation {
            Activation::TotalDifficulty(ttd) if *spec == SpecId::Paris => Some(*ttd),
            _ => None,
        });
    match ttd {
        // After the merge any total difficulty at or past the terminal one selects it.
        Some(ttd) if header.difficulty.is_zero() => Ok(ttd),
        Some(_) => Err(format!(
            "block {} is before the merge of {} (difficulty {}): give its parent's total \
             difficulty with --parent-td",
            header.number, rules.name, header.difficulty
        )),
        // A chain whose forks are by block and timestamp only: the total difficulty picks no fork.
        None => Ok(U256::zero()),
    }
}

fn validate_one(
    validator: &Validator,
    rules: &Rules,
    parent_td: Option<&str>,
    block_path: &Path,
    witness_path: &Path,
) -> Result<Verdict, String> {
    let rlp = block_rlp(block_path)?;
    let block =
        Block::decode(&rlp).map_err(|e| format!("{}: not a block: {e}", block_path.display()))?;
    let header = &block.header;
    if let Some(later) = rules.later.iter().find(|fork| match fork.activation {
        Activation::Block(number) => header.number >= number,
        Activation::Timestamp(time) => header.timestamp >= time,
        Activation::TotalDifficulty(_) => false,
    }) {
        return Err(format!(
            "block {} is in {} on {}, which evm-core does not implement (it stops at Cancun)",
            header.number, later.name, rules.name
        ));
    }
    let witness_text = String::from_utf8(read(witness_path)?)
        .map_err(|_| format!("{}: not UTF-8 JSON", witness_path.display()))?;
    let witness = Witness::from_json(&witness_text)
        .map_err(|e| format!("{}: {e}", witness_path.display()))?;
    let parent_td = parent_total_difficulty(rules, parent_td, &block)?;
    let chain_config = chain::chain_config(&rules.spec)?;
    let mut td_bytes = [0u8; 32];
    parent_td.to_big_endian(&mut td_bytes);
    let pre_state = stateless::ee_state(header.parent_hash, chain_config.hash(), parent_td);
    let witness_bytes = witness
        .state
        .iter()
        .chain(&witness.codes)
        .chain(&witness.headers)
        .chain(&witness.keys)
        .map(Vec::len)
        .sum();
    let blob = BlockDataBlob {
        chain_config,
        parent_total_difficulty: td_bytes,
        block: rlp,
        witness,
    }
    .encode();
    let started = Instant::now();
    let (accepted, reason, ticks, post_state) = match validator {
        Validator::Native => match stateless::validate_block_data(pre_state, &blob) {
            Ok(validated) => (true, None, None, Some(validated.post_state)),
            Err(error) => (false, Some(error.to_string()), None, None),
        },
        Validator::Wasm(runtime) => {
            let result = runtime
                .execute(pre_state, &blob)
                .map_err(|e| format!("host fault: {e}"))?;
            let accepted = result.accepted();
            let reason = (!accepted).then(|| {
                result
                    .reason
                    .clone()
                    .or_else(|| result.trap.clone())
                    .unwrap_or_else(|| "no post-state saved".into())
            });
            (accepted, reason, Some(result.ticks), result.post_state)
        }
    };
    Ok(Verdict {
        number: header.number,
        hash: format!("{:?}", header.hash()),
        accepted,
        reason,
        gas_used: header.gas_used,
        ticks,
        witness_bytes,
        blob_bytes: blob.len(),
        post_state,
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn verdict_json(chain: &str, verdict: &Verdict) -> Value {
    json!({
        "chain": chain,
        "number": verdict.number,
        "hash": verdict.hash,
        "accepted": verdict.accepted,
        "reason": verdict.reason,
        "gas_used": verdict.gas_used,
        "ticks": verdict.ticks,
        "witness_bytes": verdict.witness_bytes,
        "blob_bytes": verdict.blob_bytes,
        "post_state": verdict.post_state.map(|state| format!("0x{}", hex::encode(state))),
        "seconds": verdict.seconds,
    })
}

fn print_verdict(args: &ValidateArgs, chain: &str, verdict: &Verdict) {
    if args.json {
        println!("{}", verdict_json(chain, verdict));
        return;
    }
    let outcome = match &verdict.reason {
        None => "accepted".to_string(),
        Some(reason) => format!("rejected: {reason}"),
    };
    println!(
        "block {} ({}) on {chain}: {outcome}\n  gas used {}, {} ticks, witness {} bytes (blob {} \
         bytes), {:.3} s in {}",
        verdict.number,
        verdict.hash,
        verdict.gas_used,
        verdict
            .ticks
            .map_or_else(|| "-".to_string(), |ticks| ticks.to_string()),
        verdict.witness_bytes,
        verdict.blob_bytes,
        verdict.seconds,
        args.engine
    );
}

/// Every manifest under `dir`: each block validated, its verdict compared with the manifest's.
fn validate_dir(
    args: &ValidateArgs,
    validator: &Validator,
    dir: &Path,
) -> Result<ExitCode, String> {
    // A folder `replay --emit-witness` wrote holds its manifest; one of `ethtests blockchain
    // --emit-witness` holds a folder per test.
    let mut manifests = Vec::new();
    let top = dir.join(ethtests::witness_emit::MANIFEST_FILE);
    if top.is_file() {
        manifests.push(top);
    }
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        let manifest = path.join(ethtests::witness_emit::MANIFEST_FILE);
        if manifest.is_file() {
            manifests.push(manifest);
        }
    }
    manifests.sort();
    if manifests.is_empty() {
        return Err(format!(
            "no {} under {} (write one with `evm-ee ethtests blockchain --emit-witness DIR`)",
            ethtests::witness_emit::MANIFEST_FILE,
            dir.display()
        ));
    }
    let (mut agreed, mut disagreed, mut ticks) = (0u64, Vec::new(), 0u64);
    let mut verdicts = Vec::new();
    let mut chains: std::collections::BTreeMap<String, Rules> = Default::default();
    for manifest_path in &manifests {
        let folder = manifest_path.parent().unwrap_or(dir);
        let manifest: Value = serde_json::from_slice(&read(manifest_path)?)
            .map_err(|e| format!("{}: {e}", manifest_path.display()))?;
        let blocks = manifest
            .get("blocks")
            .and_then(Value::as_array)
            .ok_or_else(|| format!("{}: no blocks list", manifest_path.display()))?;
        for entry in blocks {
            let field = |name: &str| {
                entry
                    .get(name)
                    .and_then(Value::as_str)
                    .ok_or_else(|| format!("{}: entry without {name}", manifest_path.display()))
            };
            // One set of rules per chain name: a named chain checks its genesis when built.
            let name = field("chain")?;
            if !chains.contains_key(name) {
                chains.insert(name.to_string(), rules(name)?);
            }
            let rules = &chains[name];
            let verdict = validate_one(
                validator,
                rules,
                Some(field("parentTotalDifficulty")?),
                &folder.join(field("block")?),
                &folder.join(field("witness")?),
            )?;
            ticks += verdict.ticks.unwrap_or_default();
            if args.verbose {
                if args.json {
                    verdicts.push(verdict_json(name, &verdict));
                } else {
                    print_verdict(args, name, &verdict);
                }
            }
            let expected = entry.get("accepted").and_then(Value::as_bool);
            if expected == Some(verdict.accepted) {
                agreed += 1;
            } else {
                disagreed.push(format!(
                    "{} block {}: {} here, {} by the runner",
                    folder.display(),
                    verdict.number,
                    verdict.reason.as_deref().unwrap_or("accepted"),
                    if expected == Some(true) {
                        "accepted"
                    } else {
                        "rejected"
                    }
                ));
            }
        }
    }
    if args.json {
        println!(
            "{}",
            json!({"tests": manifests.len(), "blocks": agreed + disagreed.len() as u64,
                   "agreed": agreed, "disagreed": disagreed, "ticks": ticks,
                   "engine": args.engine, "verdicts": args.verbose.then_some(verdicts)})
        );
    } else {
        for line in &disagreed {
            println!("FAIL {line}");
        }
        println!(
            "validate: {} manifests, {} blocks, {agreed} agree with the manifest, {} disagree, \
             {ticks} ticks in {}",
            manifests.len(),
            agreed + disagreed.len() as u64,
            disagreed.len(),
            args.engine
        );
    }
    Ok(if disagreed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
