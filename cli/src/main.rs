//! `evm-ee`: the project's command-line tool. Today: the ethereum/tests conformance suites on
//! evm-core, with per-fork tables, a progress bar and a `--json` report.
//!
//! Dependencies and why: `clap` (arguments and `--help`), `indicatif` (progress bars),
//! `serde_json` (the `--json` report), `ethtests` and `evm-core` (the work itself).

mod run_cmd;
mod witness_cmd;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use ethtests::{Progress, Report, RunOptions};
use evm_core::SpecId;

/// An Ethereum execution environment toolkit: run the ethereum/tests conformance suites against
/// evm-core, the Frontier..Cancun state transition built on the rust-ethereum `evm` interpreter.
#[derive(Parser, Debug)]
#[command(name = "evm-ee", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run an ethereum/tests conformance suite. Fixture folders come from
    /// `../shared/ethtests/unpack.sh DEST` or a clone of ethereum/tests and ethereum/legacytests.
    #[command(subcommand)]
    Ethtests(Suite),
    /// Look into witnesses and block-data blobs.
    #[command(subcommand)]
    Witness(WitnessCommand),
    /// Run a Scout YAML test (execution scripts, shard blocks, expected post-state and deposit
    /// receipts) through the EE host; exits 1 when the post-state or deposits do not match.
    Run(run_cmd::RunArgs),
}

#[derive(Subcommand, Debug)]
enum WitnessCommand {
    /// Summarize a witness (debug_executionWitness JSON or block-data blob) and optionally verify
    /// its trie nodes against a state root.
    Inspect(witness_cmd::InspectArgs),
}

#[derive(Subcommand, Debug)]
enum Suite {
    /// GeneralStateTests: every (test, fork, data/gas/value) case; checks the post-state root,
    /// the logs hash and expected exceptions.
    State(SuiteArgs),
    /// TransactionTests: decoding, sender recovery, intrinsic gas and validity per fork.
    Transaction(SuiteArgs),
    /// TrieTests: Merkle-Patricia trie roots (plain and secure).
    Trie(SuiteArgs),
    /// RLPTests: RLP encoding and rejection of malformed RLP.
    Rlp(SuiteArgs),
    /// BlockchainTests: blocks imported in order with side chains and reorgs, checked against
    /// lastblockhash and the post-state.
    Blockchain(SuiteArgs),
}

/// A suite runner of the `ethtests` crate.
type Runner = fn(&[PathBuf], &RunOptions) -> std::io::Result<Report>;

impl Suite {
    fn parts(&self) -> (&SuiteArgs, Runner) {
        match self {
            Suite::State(args) => (args, ethtests::state::run),
            Suite::Transaction(args) => (args, ethtests::transaction::run),
            Suite::Trie(args) => (args, ethtests::trie::run),
            Suite::Rlp(args) => (args, ethtests::rlp_tests::run),
            Suite::Blockchain(args) => (args, ethtests::blockchain::run),
        }
    }
}

#[derive(Args, Debug)]
struct SuiteArgs {
    /// Fixture files or folders (searched recursively for .json files).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Only run this fork (fixture names such as Cancun, EIP150, ConstantinopleFix, or aliases
    /// such as Petersburg, Merge).
    #[arg(long, value_parser = parse_fork)]
    fork: Option<SpecId>,
    /// Only run cases whose file path or test name contains this text.
    #[arg(long)]
    filter: Option<String>,
    /// Print one JSON object with the counts and every failure instead of the table.
    #[arg(long)]
    json: bool,
    /// Never show the progress bar (it is shown only when stderr is a terminal anyway).
    #[arg(long)]
    no_progress: bool,
    /// State suite: generate a witness for every case from its `pre`, encode it in a
    /// block-data blob, decode and verify it, and execute over the witness alone; reports
    /// witness sizes. Blockchain suite: execute every accepted block a second time over a
    /// witness generated from the native run.
    #[arg(long)]
    stateless: bool,
    /// Blockchain suite: who validates the blocks. `native` runs evm-core directly; `wasmi` and
    /// `wasmtime` hand every block to the EE Wasm module as a pre-state and a block-data blob
    /// (with a witness generated from the parent's full state) and take its verdict.
    #[arg(long, default_value = "native", value_parser = ["native", "wasmi", "wasmtime"])]
    engine: String,
    /// Blockchain suite in a Wasm engine: the EE's tick budget per block (default: the host's,
    /// 10^10). A block that needs more is rejected by the EE, as a shard would reject it.
    #[arg(long)]
    max_ticks: Option<u64>,
    /// Worker threads (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
}

fn parse_fork(name: &str) -> Result<SpecId, String> {
    SpecId::from_name(name).ok_or_else(|| {
        let known: Vec<&str> = SpecId::ALL.iter().map(|s| s.fixture_name()).collect();
        format!("unknown fork {name:?}; known forks: {}", known.join(", "))
    })
}

/// An indicatif bar fed by the runners.
struct Bar(indicatif::ProgressBar);

impl Progress for Bar {
    fn start(&self, files: usize) {
        self.0.set_length(files as u64);
    }

    fn file_done(&self) {
        self.0.inc(1);
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Ethtests(suite) => run_suite(suite),
        Command::Witness(WitnessCommand::Inspect(args)) => witness_cmd::inspect(&args),
        Command::Run(args) => run_cmd::run(&args),
    }
}

/// BlockchainTests with every block validated by the EE in a Wasm engine.
fn run_blockchain_in_ee(
    engine: &str,
    max_ticks: Option<u64>,
    paths: &[PathBuf],
    options: &RunOptions,
) -> std::io::Result<Report> {
    let engine: evm_ee_host::Engine = engine.parse().map_err(std::io::Error::other)?;
    let mut limits = evm_ee_host::Limits::default();
    if let Some(max_ticks) = max_ticks {
        limits.max_ticks = max_ticks;
    }
    let ee = ethtests::ee_engine::WasmEngine::new(engine, limits).map_err(std::io::Error::other)?;
    let mut report =
        ethtests::blockchain::run_with(paths, options, &|context| ee.execute(context))?;
    let (blocks, ticks) = ee.totals();
    report.ee = Some(ethtests::report::EeStats {
        engine: engine.to_string(),
        blocks,
        ticks,
    });
    Ok(report)
}

fn run_suite(suite: Suite) -> ExitCode {
    let (args, runner) = suite.parts();
    if args.stateless && !matches!(suite, Suite::State(_) | Suite::Blockchain(_)) {
        eprintln!("error: --stateless applies to the state and blockchain suites only");
        return ExitCode::from(2);
    }
    for path in &args.paths {
        if !path.exists() {
            eprintln!(
                "error: {} does not exist.\nGet the fixtures with `../shared/ethtests/unpack.sh fixtures` \
                 (or clone ethereum/tests and ethereum/legacytests) and pass a folder such as \
                 fixtures/ethereum-tests/GeneralStateTests.",
                path.display()
            );
            return ExitCode::from(2);
        }
    }
    if let Some(threads) = args.threads
        && let Err(error) = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
    {
        eprintln!("error: cannot set up {threads} threads: {error}");
        return ExitCode::from(2);
    }
    let bar = (!args.no_progress && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} files {elapsed} (eta {eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let options = RunOptions {
        fork: args.fork,
        filter: args.filter.clone(),
        stateless: args.stateless,
        progress: bar
            .clone()
            .map(|bar| Arc::new(Bar(bar)) as Arc<dyn Progress>),
    };
    if args.engine != "native" && !matches!(suite, Suite::Blockchain(_)) {
        eprintln!("error: --engine applies to the blockchain suite only");
        return ExitCode::from(2);
    }
    let result = if args.engine == "native" {
        runner(&args.paths, &options)
    } else {
        run_blockchain_in_ee(&args.engine, args.max_ticks, &args.paths, &options)
    };
    let report = match result {
        Ok(report) => report,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if args.json {
        println!("{}", report.to_json());
    } else {
        println!("{report}");
    }
    if report.is_success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
