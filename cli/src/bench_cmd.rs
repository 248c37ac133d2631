//! `evm-ee bench blocks PATH...`: block validation throughput of the EE natively and in each Wasm
//! engine, on the same blocks, in one run.
//!
//! The blocks are the accepted blocks of BlockchainTests fixtures, each turned into what the EE
//! gets (pre-state commitment and block-data blob with a witness generated from the parent's full
//! state) before any timing starts. "native" is the EE's own validation (`stateless::validate_block_data`:
//! decode, verify the witness, execute, commit) compiled for this machine; "wasmi" and
//! "wasmtime" run the same code as the EE Wasm module through the host runtime, one fresh
//! instance per block as a shard would (instantiation is part of the cost). Every run is checked:
//! a block must be accepted with the expected post-state in every engine. Runs are
//! single-threaded and repeated `--iterations` times; the fastest pass counts. Module compile
//! time and the fixed cost of one run are reported apart.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};
use ethtests::RunOptions;
use ethtests::blockchain::recorded::{EeBlock, run_test_recording};
use ethtests::blockchain::{execute_native, run_tests};
use evm_ee_host::{Engine, Runtime};
use serde::Serialize;

#[derive(Subcommand, Debug)]
pub(crate) enum BenchCommand {
    /// Block validation throughput (Mgas/s) natively, in wasmi and in wasmtime on the same
    /// BlockchainTests blocks, as ratios to native, plus the EE's size and compile times.
    Blocks(BlocksArgs),
    /// Each precompile natively and as its Wasm module (host bignum and compiled-in bignum) in
    /// wasmi and wasmtime: time ratios to native, effective gas, compile and instantiate time;
    /// a table, `--chart FILE.svg` and `--json`.
    Precompiles(crate::bench_precompiles::PrecompilesArgs),
}

#[derive(Args, Debug)]
pub(crate) struct BlocksArgs {
    /// BlockchainTests files or folders; each path is one row group of the table.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Only use tests whose file path or test name contains this text.
    #[arg(long)]
    filter: Option<String>,
    /// Timed passes over all blocks per engine; the fastest counts.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    iterations: u32,
    /// Tick budget per block in the Wasm engines (default 10^13, which every fixture fits; the
    /// slowest, CALLBlake2f_MaxRounds, takes minutes in wasmi; at least 1).
    #[arg(long, default_value_t = 10_000_000_000_000, value_parser = crate::parse_max_ticks)]
    max_ticks: u64,
    /// Memory limit of the EE in MiB (default 4096: a few fixtures need up to 2.2 GB).
    #[arg(long, value_name = "MIB", default_value_t = 4096)]
    max_memory: u32,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    json: bool,
}

/// One row: a group of blocks in one engine.
#[derive(Clone, Debug, Serialize)]
struct Row {
    group: String,
    engine: String,
    blocks: usize,
    gas: u64,
    ns: u128,
    mgas_per_s: f64,
    /// Time over the native time of the same group.
    ratio: f64,
    /// Ticks used (Wasm engines; the same in both).
    #[serde(skip_serializing_if = "Option::is_none")]
    ticks: Option<u64>,
}

/// Per engine: compile time of the EE and the fixed cost of one run (instantiate, call `main`
/// on an empty blob, which the EE rejects at once).
#[derive(Clone, Debug, Serialize)]
struct EngineSetup {
    engine: String,
    compile_ns: u128,
    run_overhead_ns: u128,
}

#[derive(Clone, Debug, Serialize)]
struct BenchReport {
    wasm_bytes: usize,
    iterations: u32,
    setup: Vec<EngineSetup>,
    results: Vec<Row>,
}

pub(crate) fn run(command: &BenchCommand) -> ExitCode {
    let started = Instant::now();
    match command {
        BenchCommand::Precompiles(args) => crate::bench_precompiles::run(args),
        BenchCommand::Blocks(args) => match bench_blocks(args) {
            Ok(report) => {
                if args.json {
                    match serde_json::to_value(&report) {
                        Ok(value) => {
                            println!("{}", crate::json_envelope("bench blocks", started, value))
                        }
                        Err(error) => {
                            eprintln!("error: {error}");
                            return ExitCode::FAILURE;
                        }
                    }
                } else {
                    print_table(&report);
                }
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::FAILURE
            }
        },
    }
}

/// The accepted blocks of every test under `path`, in file and import order.
fn collect_blocks(path: &PathBuf, filter: &Option<String>) -> Result<Vec<EeBlock>, String> {
    if !path.exists() {
        return Err(format!(
            "{} does not exist; get the fixtures with `../shared/ethtests/unpack.sh fixtures`",
            path.display()
        ));
    }
    let options = RunOptions {
        filter: filter.clone(),
        ..RunOptions::default()
    };
    let found: Mutex<Vec<(String, String, Vec<EeBlock>)>> = Mutex::new(Vec::new());
    run_tests(
        std::slice::from_ref(path),
        &options,
        &|file: &ethtests::FixtureFile, name: &str, test: &serde_json::Value| {
            let (run, blocks) =
                run_test_recording(test, |context, _input| execute_native(context, false));
            let accepted = blocks.into_iter().filter(|b| b.verdict.is_ok()).collect();
            if let Ok(mut found) = found.lock() {
                found.push((file.display.clone(), name.to_string(), accepted));
            }
            run
        },
    )
    .map_err(|e| e.to_string())?;
    let mut found = found
        .into_inner()
        .map_err(|_| "a worker panicked".to_string())?;
    found.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    Ok(found
        .into_iter()
        .flat_map(|(_, _, blocks)| blocks)
        .collect())
}

/// Times `validate` over all blocks `iterations` times; returns the fastest pass.
fn fastest<F>(iterations: u32, blocks: &[EeBlock], mut validate: F) -> Result<Duration, String>
where
    F: FnMut(&EeBlock) -> Result<(), String>,
{
    let mut best = Duration::MAX;
    for _ in 0..iterations {
        let start = Instant::now();
        for block in blocks {
            validate(block)?;
        }
        best = best.min(start.elapsed());
    }
    Ok(best)
}

fn native_check(block: &EeBlock) -> Result<(), String> {
    let validated = stateless::validate_block_data(block.input.pre_state, &block.input.blob)
        .map_err(|e| format!("native EE rejected block {}: {e}", block.number))?;
    if validated.post_state != block.input.post_state {
        return Err(format!(
            "native EE saved a wrong post-state for block {}",
            block.number
        ));
    }
    Ok(())
}

fn wasm_check(runtime: &Runtime, block: &EeBlock) -> Result<u64, String> {
    let result = runtime
        .execute(block.input.pre_state, &block.input.blob)
        .map_err(|e| format!("host fault on block {}: {e}", block.number))?;
    if !result.accepted() || result.post_state != Some(block.input.post_state) {
        return Err(format!(
            "{} rejected block {} or saved a wrong post-state: {}",
            runtime.engine(),
            block.number,
            result.trap.unwrap_or_default()
        ));
    }
    Ok(result.ticks)
}

fn row(group: &str, engine: &str, blocks: &[EeBlock], time: Duration, native: Duration) -> Row {
    let gas: u64 = blocks.iter().map(|b| b.gas_used).sum();
    let seconds = time.as_secs_f64();
    Row {
        group: group.to_string(),
        engine: engine.to_string(),
        blocks: blocks.len(),
        gas,
        ns: time.as_nanos(),
        mgas_per_s: if seconds > 0.0 {
            gas as f64 / seconds / 1e6
        } else {
            0.0
        },
        ratio: if native.is_zero() {
            0.0
        } else {
            seconds / native.as_secs_f64()
        },
        ticks: None,
    }
}

fn bench_blocks(args: &BlocksArgs) -> Result<BenchReport, String> {
    let limits = crate::host_limits(Some(args.max_ticks), Some(args.max_memory))?;
    let mut setup = Vec::new();
    let mut runtimes = Vec::new();
    for &engine in Engine::ALL {
        let start = Instant::now();
        let runtime =
            Runtime::new(engine, ee_module::EE_WASM, limits).map_err(|e| e.to_string())?;
        let compile = start.elapsed();
        let start = Instant::now();
        const EMPTY_RUNS: u32 = 20;
        for _ in 0..EMPTY_RUNS {
            runtime
                .execute([0; 32], &[])
                .map_err(|e| format!("host fault on an empty blob: {e}"))?;
        }
        setup.push(EngineSetup {
            engine: engine.to_string(),
            compile_ns: compile.as_nanos(),
            run_overhead_ns: (start.elapsed() / EMPTY_RUNS).as_nanos(),
        });
        runtimes.push(runtime);
    }

    let mut results = Vec::new();
    for path in &args.paths {
        let group = path.display().to_string();
        eprintln!("{group}: building the EE inputs");
        let blocks = collect_blocks(path, &args.filter)?;
        if blocks.is_empty() {
            return Err(format!("{group}: no accepted blocks to measure"));
        }
        eprintln!("{group}: {} blocks, native", blocks.len());
        let native = fastest(args.iterations, &blocks, native_check)?;
        results.push(row(&group, "native", &blocks, native, native));
        for runtime in &runtimes {
            eprintln!("{group}: {} blocks, {}", blocks.len(), runtime.engine());
            let mut ticks = 0u64;
            let time = fastest(args.iterations, &blocks, |block| {
                ticks = ticks.saturating_add(wasm_check(runtime, block)?);
                Ok(())
            })?;
            let mut wasm_row = row(&group, runtime.engine().name(), &blocks, time, native);
            wasm_row.ticks = Some(ticks / u64::from(args.iterations));
            results.push(wasm_row);
        }
    }
    Ok(BenchReport {
        wasm_bytes: ee_module::EE_WASM.len(),
        iterations: args.iterations,
        setup,
        results,
    })
}

fn print_table(report: &BenchReport) {
    println!(
        "EE module: {} bytes; fastest of {} passes, one thread",
        report.wasm_bytes, report.iterations
    );
    for setup in &report.setup {
        println!(
            "{:<9} compile {:>9.1} ms, one run's fixed cost {:>8.1} µs",
            setup.engine,
            setup.compile_ns as f64 / 1e6,
            setup.run_overhead_ns as f64 / 1e3
        );
    }
    println!(
        "{:<50} {:<9} {:>7} {:>14} {:>11} {:>9} {:>8} {:>16}",
        "blocks", "engine", "count", "gas", "time ms", "Mgas/s", "ratio", "ticks"
    );
    for row in &report.results {
        let chars: Vec<char> = row.group.chars().collect();
        let group: String = match chars.len().checked_sub(47) {
            Some(cut) if chars.len() > 50 => {
                format!("...{}", chars[cut..].iter().collect::<String>())
            }
            _ => row.group.clone(),
        };
        println!(
            "{:<50} {:<9} {:>7} {:>14} {:>11.1} {:>9.1} {:>7.1}x {:>16}",
            group,
            row.engine,
            row.blocks,
            row.gas,
            row.ns as f64 / 1e6,
            row.mgas_per_s,
            row.ratio,
            row.ticks.map(|t| t.to_string()).unwrap_or_default()
        );
    }
}
