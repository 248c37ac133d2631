//! `evm-ee replay`: era1 archives of a named chain replayed from genesis over the state store,
//! every block validated natively or inside the EE.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use chain::{ArchivedBlock, MemoryStore, RedbStore, ReplayEngine, ReplayError, Replayer, Store};
use era1::Era1Archive;

/// Blocks between two durable commits of `--data` (a `kill -9` re-validates at most these).
const COMMIT_EVERY: usize = 256;

#[derive(clap::Args, Debug)]
pub(crate) struct ReplayArgs {
    /// era1 archives, in block order (one era after the other).
    #[arg(required = true)]
    archives: Vec<PathBuf>,
    /// The chain the archives belong to: `mainnet` (its genesis is built in) or a geth
    /// `genesis.json` with the chain's config and allocation. `sepolia`, `holesky` and `hoodi`
    /// are known by their rules only, so replaying them from genesis needs their genesis file.
    #[arg(long, default_value = "mainnet", value_name = "NAME|FILE.json")]
    chain: String,
    /// Where each block is validated: `native` (evm-core over the store), or `wasmi` /
    /// `wasmtime` (also inside the EE module, from a witness the store gives).
    #[arg(long, default_value = "native")]
    engine: String,
    /// First block to validate (earlier blocks of the archives are imported natively, unless
    /// the store has them).
    #[arg(long)]
    from: Option<u64>,
    /// Last block to validate.
    #[arg(long)]
    to: Option<u64>,
    /// The state store's folder: the replay is persisted there and resumes after its head when
    /// run again (also after a `kill -9`). Without it the state lives in memory.
    #[arg(long)]
    data: Option<PathBuf>,
    /// The EE's tick budget per block (10^10 by default); `1e13` style accepted.
    #[arg(long, value_parser = crate::parse_max_ticks)]
    max_ticks: Option<u64>,
    /// The EE's memory limit in MiB.
    #[arg(long)]
    max_memory: Option<u32>,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    json: bool,
    /// No progress bar.
    #[arg(long)]
    no_progress: bool,
    /// Write every validated block's RLP and witness (`debug_executionWitness` JSON, as the
    /// store served it) into DIR with a manifest.json, for `evm-ee validate --dir DIR` or any
    /// stateless validator.
    #[arg(long, value_name = "DIR")]
    emit_witness: Option<PathBuf>,
}

pub(crate) fn run(args: &ReplayArgs) -> ExitCode {
    match replay(args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn replay(args: &ReplayArgs) -> Result<ExitCode, String> {
    let definition = chain::chain_by_name(&args.chain).map_err(|e| format!("--chain: {e}"))?;
    let Some(network) = definition.network else {
        return Err(format!(
            "--chain {}: the project knows this chain's rules but not its genesis state; pass \
             its genesis.json (geth's format, with the allocation) as --chain FILE.json",
            definition.name
        ));
    };
    let engine = match args.engine.as_str() {
        "native" => ReplayEngine::Native,
        name => {
            let engine: evm_ee_host::Engine = name
                .parse()
                .map_err(|e: evm_ee_host::HostError| format!("--engine: {e}"))?;
            let limits = crate::host_limits(args.max_ticks, args.max_memory)?;
            ReplayEngine::Ee(
                chain::WasmEngine::new(engine, ee_module::EE_WASM, limits)
                    .map_err(|e| e.to_string())?,
            )
        }
    };
    match &args.data {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            let store = RedbStore::open(&dir.join("chain.redb"))
                .map_err(|e| e.to_string())?
                .commit_every(COMMIT_EVERY);
            run_archives(args, Replayer::open(store, &network, engine))
        }
        None => run_archives(args, Replayer::open(MemoryStore::new(), &network, engine)),
    }
}

/// Blocks whose seals are verified together, on all cores, before they are replayed.
const SEAL_BATCH: usize = 512;

/// Why a batch stopped: the replay's reason, or a witness file that could not be written.
enum BatchError {
    Replay(ReplayError),
    Emit(String),
}

impl From<ReplayError> for BatchError {
    fn from(error: ReplayError) -> BatchError {
        BatchError::Replay(error)
    }
}

/// Verifies the seals of `blocks`, then replays them in order, moving the progress bar.
fn replay_batch<S: Store>(
    replayer: &mut Replayer<S>,
    blocks: &[ArchivedBlock<'_>],
    bar: Option<&indicatif::ProgressBar>,
    resumed_at: u64,
    mut emit: Option<(&Path, &str, &mut Vec<serde_json::Value>)>,
) -> Result<(), BatchError> {
    replayer.verify_seals(blocks)?;
    for block in blocks {
        replayer.replay(block)?;
        if let (Some((dir, chain, entries)), Some(input)) = (emit.as_mut(), replayer.take_input()) {
            let stem = format!("block-{}", block.number);
            let entry =
                ethtests::witness_emit::write_block(dir, &stem, block.hash, chain, &input, Ok(()))
                    .map_err(|e| BatchError::Emit(format!("{}: {e}", dir.display())))?;
            entries.extend(entry);
        }
        if let Some(bar) = bar
            && block.number > resumed_at
        {
            bar.inc(1);
            let totals = replayer.totals();
            let seconds = totals.elapsed.as_secs_f64().max(1e-9);
            bar.set_message(format!(
                "{:.1} Mgas/s {} ticks",
                totals.gas as f64 / seconds / 1e6,
                totals.ticks
            ));
        }
    }
    Ok(())
}

/// Opens era1 archives and checks each one's accumulator (against mainnet's root where the
/// project knows it), saying so on stderr when `tell`.
pub(crate) fn open_archives(paths: &[PathBuf], tell: bool) -> Result<Vec<Era1Archive>, String> {
    let mut archives = Vec::new();
    for path in paths {
        let archive = Era1Archive::open(path).map_err(|e| e.to_string())?;
        let root = archive
            .verify_accumulator()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let checked = if archive.mainnet_root_known() {
            "mainnet's"
        } else {
            "self-consistent; no built-in mainnet root for this era"
        };
        if tell {
            eprintln!(
                "{}: blocks {}..={}, accumulator {root:?} ({checked})",
                path.display(),
                archive.first_block(),
                archive.last_block()
            );
        }
        archives.push(archive);
    }
    Ok(archives)
}

/// Hands `each` the blocks 1..=`last` of `archives` in batches of [`SEAL_BATCH`], every block
/// decoded and checked against its archive's receipts. Stops at the first failure, a block whose
/// receipts do not match its header or what `each` reports (`Ok(Some(reason))`); `Err` is a file
/// that cannot be read, or `each`'s error.
pub(crate) fn for_each_archived_batch(
    archives: &[Era1Archive],
    last: u64,
    mut each: impl FnMut(&[ArchivedBlock<'_>]) -> Result<Option<String>, String>,
) -> Result<Option<String>, String> {
    for archive in archives {
        let mut blocks = archive.blocks().peekable();
        while blocks.peek().is_some() {
            let mut batch = Vec::with_capacity(SEAL_BATCH);
            let mut stop = false;
            for block in blocks.by_ref() {
                let block = block.map_err(|e| e.to_string())?;
                if block.number == 0 {
                    continue;
                }
                if block.number > last {
                    stop = true;
                    break;
                }
                if block.receipts_root().map_err(|e| e.to_string())? != block.header.receipts_root {
                    return Ok(Some(format!(
                        "block {}: the archive's receipts do not match its header's receipts root",
                        block.number
                    )));
                }
                let rlp = block.block_rlp().map_err(|e| e.to_string())?;
                batch.push((block.number, block.hash(), rlp, block.total_difficulty));
                if batch.len() == SEAL_BATCH {
                    break;
                }
            }
            let archived: Vec<ArchivedBlock<'_>> = batch
                .iter()
                .map(|(number, hash, rlp, total_difficulty)| ArchivedBlock {
                    number: *number,
                    hash: *hash,
                    rlp,
                    total_difficulty: Some(*total_difficulty),
                })
                .collect();
            if let Some(failure) = each(&archived)? {
                return Ok(Some(failure));
            }
            if stop {
                return Ok(None);
            }
        }
    }
    Ok(None)
}

fn run_archives<S: Store>(
    args: &ReplayArgs,
    replayer: Result<Replayer<S>, ReplayError>,
) -> Result<ExitCode, String> {
    let mut replayer = replayer.map_err(|e| e.to_string())?;
    let mut emitted: Option<(PathBuf, Vec<serde_json::Value>)> = match &args.emit_witness {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            replayer.keep_inputs(true);
            Some((dir.clone(), Vec::new()))
        }
        None => None,
    };
    let started = Instant::now();
    let resumed_at = replayer.head_number();
    let archives = open_archives(&args.archives, !args.json)?;
    let first = args.from.unwrap_or(1).max(1);
    let last = args
        .to
        .unwrap_or(u64::MAX)
        .min(archives.last().map(Era1Archive::last_block).unwrap_or(0));
    let bar = (!args.no_progress && !args.json && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(last.saturating_sub(resumed_at));
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} blocks {per_sec} {msg} {elapsed} (eta {eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    replayer.validate_from(first);
    let failure = for_each_archived_batch(&archives, last, |archived| {
        let emit = emitted
            .as_mut()
            .map(|(dir, entries)| (dir.as_path(), args.chain.as_str(), entries));
        match replay_batch(&mut replayer, archived, bar.as_ref(), resumed_at, emit) {
            Ok(()) => Ok(None),
            Err(BatchError::Replay(error @ ReplayError::Disagrees { .. })) => {
                Ok(Some(error.to_string()))
            }
            Err(BatchError::Replay(other)) => Err(other.to_string()),
            Err(BatchError::Emit(message)) => Err(format!("--emit-witness: {message}")),
        }
    })?;
    replayer.flush().map_err(|e| e.to_string())?;
    if let Some((dir, entries)) = emitted {
        let count = entries.len();
        ethtests::witness_emit::write_manifest(&dir, "replay", &args.chain, entries)
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        if !args.json {
            eprintln!(
                "wrote {count} blocks with their witnesses to {}",
                dir.display()
            );
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let totals = replayer.totals();
    let head = replayer.chain().head().ok_or("the store lost its head")?;
    let elapsed = started.elapsed().as_secs_f64();
    if args.json {
        let summary = serde_json::json!({
            "command": "replay",
            "chain": args.chain,
            "engine": args.engine,
            "resumed_after": resumed_at,
            "validated": totals.blocks,
            "skipped": totals.skipped,
            "imported_before_from": totals.before_from,
            "failed": u64::from(failure.is_some()),
            "gas": totals.gas,
            "transactions": totals.transactions,
            "ticks": totals.ticks,
            "blob_bytes": totals.blob_bytes,
            "head": {
                "number": head.block.header.number,
                "hash": format!("{:?}", head.block.header.hash()),
                "state_root": format!("{:?}", head.state_root),
            },
            "seconds": elapsed,
            "first_failure": failure,
        });
        println!("{summary}");
    } else {
        println!(
            "{} blocks validated ({} already in the store) with {}: {} gas, {} transactions, {} \
             ticks, {} blob bytes in {elapsed:.1} s ({:.0} blocks/s)",
            totals.blocks,
            totals.skipped,
            args.engine,
            totals.gas,
            totals.transactions,
            totals.ticks,
            totals.blob_bytes,
            totals.blocks as f64 / elapsed.max(1e-9),
        );
        println!(
            "head: block {} {:?}, state root {:?}",
            head.block.header.number,
            head.block.header.hash(),
            head.state_root
        );
        if let Some(failure) = &failure {
            println!("FAIL {failure}");
        }
    }
    Ok(if failure.is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
