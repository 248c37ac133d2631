//! `evm-ee`: the project's command-line tool: the ethereum/tests conformance suites natively and
//! inside the EE, Scout YAML tests, witness inspection and benchmarks.
//!
//! Dependencies and why: `clap` (arguments and `--help`), `indicatif` (progress bars),
//! `serde`/`serde_json` (the `--json` reports), `tokio` (the runtime `node run` serves on),
//! `ureq` (the node client commands' HTTP), `node` (the shard testnet), `ethtests`, `evm-core`, `ee`, `ee-module` and
//! `evm-ee-host` (the work itself: runners, the native EE, the Wasm EE and its host).

mod bench_cmd;
mod bench_precompiles;
mod example_cmd;
mod node_cmd;
mod node_load;
mod precompile_cases;
mod replay_cmd;
mod run_cmd;
mod validate_cmd;
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
#[command(name = "evm-ee", version = VERSION, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// `--version`: the version and the engines this build runs blocks in.
const VERSION: &str = if cfg!(feature = "wasmtime") {
    concat!(
        env!("CARGO_PKG_VERSION"),
        " (engines: native, wasmi, wasmtime)"
    )
} else {
    concat!(
        env!("CARGO_PKG_VERSION"),
        " (engines: native, wasmi; wasmtime not built in, see --features wasmtime)"
    )
};

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
    /// receipts) through the EE host with Scout's rules; exits 1 when the post-state does not
    /// match, an expected deposit is missing, or a block traps (unless marked
    /// `expect_rejection: true`).
    Run(run_cmd::RunArgs),
    /// Measure what Wasm costs against native code, on the same inputs in one run.
    #[command(subcommand)]
    Bench(bench_cmd::BenchCommand),
    /// Replay era1 archives of a named chain from its built-in genesis over the state store,
    /// every block validated natively or inside the EE (`--engine wasmi|wasmtime`); resumable
    /// with `--data DIR`. Example: `evm-ee replay mainnet-00000.era1 --engine wasmi`.
    Replay(replay_cmd::ReplayArgs),
    /// Validate one block from a node inside the EE, from its witness alone: the block's RLP
    /// (`debug_getRawBlock`) and its `debug_executionWitness` JSON, under `--chain`. Exits 1 if
    /// the EE rejects it. `--dir DIR` validates what `ethtests blockchain --emit-witness DIR`,
    /// `replay --emit-witness DIR` or `example` wrote. Example:
    /// `evm-ee validate --dir examples/chain --engine wasmi`.
    Validate(validate_cmd::ValidateArgs),
    /// Write the project's example chain (five Cancun blocks with every transaction type, a
    /// contract, every precompile but the point evaluation, withdrawals, a deposit) as blocks,
    /// witnesses and a manifest for `validate --dir`. The repository holds its output in examples/chain.
    Example(example_cmd::ExampleArgs),
    /// The main demo, with nothing outside the repository: a shard testnet node with the EVM
    /// EE, the project's example chain relayed to it block by block (each verdict, ticks,
    /// deposits and EE state printed), and its explorer page served until ctrl-c.
    /// Example: `evm-ee demo` then open http://127.0.0.1:7070/.
    Demo(node_cmd::DemoArgs),
    /// A shard testnet node: `node run` starts one (the EVM EE on every shard, an HTTP API and
    /// an explorer page); `deploy`, `submit`, `state`, `blocks`, `info`, `relay-eth1` and
    /// `load` talk to a running one. The API is in docs/node-api.md.
    #[command(subcommand)]
    Node(node_cmd::NodeCommand),
    /// Print a shell completion script. Example: `evm-ee completions bash >
    /// ~/.local/share/bash-completion/completions/evm-ee`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Write the man pages: `evm-ee.1` and one per subcommand (`evm-ee-node.1`, ...) into DIR.
    /// Example: `evm-ee man target/man && man -l target/man/evm-ee.1`.
    Man {
        /// The folder the pages go to (created if missing).
        dir: PathBuf,
    },
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
    #[command(
        after_help = "Examples:\n  evm-ee ethtests state fixtures/ethereum-tests/GeneralStateTests --fork Cancun\n  evm-ee ethtests state add11.json --index d0g0v0 --fork Berlin..Cancun"
    )]
    State(SuiteArgs),
    /// TransactionTests: decoding, sender recovery, intrinsic gas and validity per fork.
    #[command(
        after_help = "Example:\n  evm-ee ethtests transaction fixtures/ethereum-tests/TransactionTests"
    )]
    Transaction(SuiteArgs),
    /// TrieTests: Merkle-Patricia trie roots (plain and secure).
    #[command(after_help = "Example:\n  evm-ee ethtests trie fixtures/ethereum-tests/TrieTests")]
    Trie(SuiteArgs),
    /// RLPTests: RLP encoding and rejection of malformed RLP.
    #[command(after_help = "Example:\n  evm-ee ethtests rlp fixtures/ethereum-tests/RLPTests")]
    Rlp(SuiteArgs),
    /// BlockchainTests: blocks imported in order with side chains and reorgs, checked against
    /// lastblockhash and the post-state.
    #[command(
        after_help = "Examples:\n  evm-ee ethtests blockchain fixtures/ethereum-tests/BlockchainTests\n  evm-ee ethtests blockchain --engine wasmi -v InvalidBlocks/bcEIP1559"
    )]
    Blockchain(SuiteArgs),
    /// DifficultyTests: the proof-of-work difficulty of a block after its parent, with every
    /// bomb delay (Byzantium, Constantinople, Muir, London, Arrow and Gray Glacier).
    #[command(
        after_help = "Example:\n  evm-ee ethtests difficulty fixtures/ethereum-tests/DifficultyTests"
    )]
    Difficulty(SuiteArgs),
    /// PoWTests: Ethash vectors (seal hash, seed, cache and dataset sizes, cache hash, mix
    /// digest and result), checked with the Ethash code the replay verifies seals with.
    #[command(after_help = "Example:\n  evm-ee ethtests pow fixtures/ethereum-tests/PoWTests")]
    Pow(SuiteArgs),
}

/// A suite runner of the `ethtests` crate.
type Runner = fn(&[PathBuf], &RunOptions) -> Result<Report, ethtests::RunError>;

impl Suite {
    fn parts(&self) -> (&SuiteArgs, Runner) {
        match self {
            Suite::State(args) => (args, ethtests::state::run),
            Suite::Transaction(args) => (args, ethtests::transaction::run),
            Suite::Trie(args) => (args, ethtests::trie::run),
            Suite::Rlp(args) => (args, ethtests::rlp_tests::run),
            Suite::Blockchain(args) => (args, ethtests::blockchain::run),
            Suite::Difficulty(args) => (args, ethtests::difficulty::run),
            Suite::Pow(args) => (args, ethtests::pow::run),
        }
    }
}

#[derive(Args, Debug)]
struct SuiteArgs {
    /// Fixture files or folders (searched recursively for .json files).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Only run these forks: a fixture name such as Cancun, EIP150, ConstantinopleFix, an alias
    /// such as Petersburg or Merge, or a range in fork order such as Berlin..Cancun; repeat it
    /// for several.
    #[arg(long = "fork", value_name = "FORK", value_parser = parse_forks)]
    forks: Vec<ForkSelection>,
    /// Only run cases whose file path or test name contains this text.
    #[arg(long)]
    filter: Option<String>,
    /// Only run tests whose name matches this regular expression, as geth's `--run`.
    #[arg(long, value_name = "REGEX", value_parser = parse_regex)]
    run: Option<regex::Regex>,
    /// State suite: only the case with these indexes into the transaction's data, gas and
    /// value lists, as failures name them (d0g0v0; parts may be left out: d1, g0v2).
    #[arg(long, value_name = "dNgNvN", value_parser = ethtests::CaseIndex::parse)]
    index: Option<ethtests::CaseIndex>,
    /// State suite: only cases with this data index.
    #[arg(long, value_name = "N")]
    data: Option<usize>,
    /// State suite: only cases with this gas index.
    #[arg(long, value_name = "N")]
    gas: Option<usize>,
    /// State suite: only cases with this value index.
    #[arg(long, value_name = "N")]
    value: Option<usize>,
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
    /// 10^10; at least 1). A block that needs more is rejected by the EE, as a shard would
    /// reject it.
    #[arg(long, value_parser = crate::parse_max_ticks)]
    max_ticks: Option<u64>,
    /// Blockchain suite in a Wasm engine: the EE's memory limit in MiB (default: the host's,
    /// 128). Blocks whose EVM memory outgrows it are rejected with "EE out of memory"; up to
    /// 4096 (the 32-bit address space).
    #[arg(long, value_name = "MIB")]
    max_memory: Option<u32>,
    /// Blockchain suite: also write every test as a Scout YAML file into DIR (with the EE as
    /// DIR/ee.wasm), for `evm-ee run` or any Scout-compatible host.
    #[arg(long, value_name = "DIR")]
    emit_yaml: Option<PathBuf>,
    /// Blockchain suite: also write every block the engine saw as its RLP (hex, as
    /// `debug_getRawBlock` returns it) and its witness (`debug_executionWitness` JSON), one
    /// folder per test with a manifest.json, for `evm-ee validate --dir DIR` or any stateless
    /// validator.
    #[arg(long, value_name = "DIR")]
    emit_witness: Option<PathBuf>,
    /// Blockchain suite: list every test with what happened to each block (accepted, or
    /// rejected and why); in JSON as "tests".
    #[arg(short, long)]
    verbose: bool,
    /// Worker threads (default: one per core; at most four per core).
    #[arg(long, value_parser = parse_threads)]
    threads: Option<usize>,
    /// Stop starting fixture files after the first failed case (files already running finish).
    #[arg(long)]
    fail_fast: bool,
}

/// `--threads` at most this many times the cores: the runners are CPU-bound, so threads beyond
/// the cores only cost memory (a stack each, and in the blockchain suite a Wasm instance each);
/// `--threads 100000` hung the machine in the pool's start-up.
const THREADS_PER_CORE: usize = 4;

/// `--max-ticks`: at least 1, since a budget of 0 rejects every block before it starts. Also
/// `MeN` (`1e13`, `25e9`): M times 10^N, as the help writes budgets.
pub(crate) fn parse_max_ticks(text: &str) -> Result<u64, String> {
    let value = match text.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => mantissa
            .parse::<u64>()
            .ok()
            .zip(exponent.parse::<u32>().ok())
            .and_then(|(m, e)| 10u64.checked_pow(e).and_then(|p| m.checked_mul(p)))
            .ok_or(()),
        None => text.parse::<u64>().map_err(|_| ()),
    };
    match value {
        Ok(0) => Err("must be at least 1: a budget of 0 ticks rejects every block".into()),
        Ok(ticks) => Ok(ticks),
        Err(_) => Err(format!("{text:?} is not a number of ticks")),
    }
}

fn parse_threads(text: &str) -> Result<usize, String> {
    let threads: usize = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number of threads"))?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let max = cores.saturating_mul(THREADS_PER_CORE);
    if threads == 0 || threads > max {
        return Err(format!(
            "must be between 1 and {max} ({THREADS_PER_CORE} per core, {cores} cores here)"
        ));
    }
    Ok(threads)
}

fn parse_fork(name: &str) -> Result<SpecId, String> {
    SpecId::from_name(name).ok_or_else(|| {
        let known: Vec<&str> = SpecId::ALL.iter().map(|s| s.fixture_name()).collect();
        format!("unknown fork {name:?}; known forks: {}", known.join(", "))
    })
}

/// The forks one `--fork` names: one, or a range in fork order.
#[derive(Clone, Debug)]
struct ForkSelection(Vec<SpecId>);

fn parse_forks(text: &str) -> Result<ForkSelection, String> {
    let Some((first, last)) = text.split_once("..") else {
        return parse_fork(text).map(|fork| ForkSelection(vec![fork]));
    };
    let (first, last) = (parse_fork(first)?, parse_fork(last)?);
    if first > last {
        return Err(format!(
            "{text:?}: {first:?} comes after {last:?}; a range goes in fork order"
        ));
    }
    Ok(ForkSelection(
        SpecId::ALL
            .iter()
            .copied()
            .filter(|fork| (first..=last).contains(fork))
            .collect(),
    ))
}

fn parse_regex(text: &str) -> Result<regex::Regex, String> {
    // The size limit keeps a pathological expression from taking the machine's memory.
    regex::RegexBuilder::new(text)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| e.to_string())
}

/// An indicatif bar fed by the runners: files done of all, and the cases so far that passed
/// (or were skipped) and failed.
struct Bar {
    bar: indicatif::ProgressBar,
    ok: std::sync::atomic::AtomicUsize,
    failed: std::sync::atomic::AtomicUsize,
}

impl Progress for Bar {
    fn start(&self, files: usize) {
        self.bar.set_length(files as u64);
    }

    fn file_done(&self) {
        self.bar.inc(1);
    }

    fn cases_done(&self, ok: usize, failed: usize) {
        use std::sync::atomic::Ordering::Relaxed;
        let ok = self.ok.fetch_add(ok, Relaxed) + ok;
        let failed = self.failed.fetch_add(failed, Relaxed) + failed;
        self.bar
            .set_message(format!("{} cases: {ok} ok, {failed} failed", ok + failed));
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Ethtests(suite) => run_suite(suite),
        Command::Witness(WitnessCommand::Inspect(args)) => witness_cmd::inspect(&args),
        Command::Run(args) => run_cmd::run(&args),
        Command::Bench(command) => bench_cmd::run(&command),
        Command::Replay(args) => replay_cmd::run(&args),
        Command::Validate(args) => validate_cmd::run(&args),
        Command::Example(args) => example_cmd::run(&args),
        Command::Node(command) => node_cmd::run(&command),
        Command::Demo(args) => node_cmd::demo(&args),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            // Into memory first: clap_complete panics on a write error, and a closed pipe
            // (`| head`) is not one worth a panic.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "evm-ee", &mut script);
            let _ = std::io::Write::write_all(&mut std::io::stdout(), &script);
            ExitCode::SUCCESS
        }
        Command::Man { dir } => match write_man_pages(&dir) {
            Ok(count) => {
                eprintln!("wrote {count} man pages to {}", dir.display());
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("error: {}: {error}", dir.display());
                ExitCode::from(2)
            }
        },
    }
}

/// The engines this build runs blocks in, as `--version` and every JSON report name them.
pub(crate) fn engines_built_in() -> &'static [&'static str] {
    if cfg!(feature = "wasmtime") {
        &["native", "wasmi", "wasmtime"]
    } else {
        &["native", "wasmi"]
    }
}

/// `report` (a JSON object) with what every `--json` report of the command carries: the
/// command, the version, the engines built in and the elapsed time since `started`.
pub(crate) fn json_envelope(
    command: &str,
    started: std::time::Instant,
    mut report: serde_json::Value,
) -> serde_json::Value {
    if let serde_json::Value::Object(map) = &mut report {
        map.insert("command".into(), command.into());
        map.insert("version".into(), env!("CARGO_PKG_VERSION").into());
        map.insert("engines_built_in".into(), engines_built_in().into());
        map.insert(
            "elapsed_ms".into(),
            u64::try_from(started.elapsed().as_millis())
                .unwrap_or(u64::MAX)
                .into(),
        );
    }
    report
}

/// Colour on a terminal unless `NO_COLOR` is set to something (no-color.org).
fn color_enabled(terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    terminal && no_color.is_none_or(|value| value.is_empty())
}

/// The report's text with `FAIL` in red and the closing line green when nothing failed, red
/// otherwise.
fn paint(text: &str) -> String {
    const RED: &str = "\x1b[31m";
    const GREEN: &str = "\x1b[32m";
    const RESET: &str = "\x1b[0m";
    let lines: Vec<&str> = text.lines().collect();
    let last = lines.len().saturating_sub(1);
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| match line.strip_prefix("FAIL ") {
            Some(rest) => format!("{RED}FAIL{RESET} {rest}"),
            None if i == last && line.contains(" 0 failed") => format!("{GREEN}{line}{RESET}"),
            None if i == last => format!("{RED}{line}{RESET}"),
            None => (*line).to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `evm-ee.1` and a page per subcommand, at every depth (`evm-ee-ethtests-state.1`), into `dir`.
fn write_man_pages(dir: &std::path::Path) -> std::io::Result<usize> {
    fn write(
        dir: &std::path::Path,
        command: clap::Command,
        name: String,
    ) -> std::io::Result<usize> {
        let command = command.name(name.clone());
        let mut page = Vec::new();
        clap_mangen::Man::new(command.clone()).render(&mut page)?;
        std::fs::write(dir.join(format!("{name}.1")), page)?;
        let mut count = 1;
        for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
            count += write(dir, sub.clone(), format!("{name}-{}", sub.get_name()))?;
        }
        Ok(count)
    }
    std::fs::create_dir_all(dir)?;
    let mut command = <Cli as clap::CommandFactory>::command();
    command.build();
    write(dir, command, "evm-ee".into())
}

/// The host limits a run asks for: the defaults with `--max-ticks` and `--max-memory` applied.
pub(crate) fn host_limits(
    max_ticks: Option<u64>,
    max_memory_mib: Option<u32>,
) -> Result<evm_ee_host::Limits, String> {
    let mut limits = evm_ee_host::Limits::default();
    if let Some(max_ticks) = max_ticks {
        limits.max_ticks = max_ticks;
    }
    if let Some(mib) = max_memory_mib {
        if mib == 0 || mib > 4096 {
            return Err(format!("--max-memory {mib} must be between 1 and 4096 MiB"));
        }
        // 16 pages of 64 KiB per MiB.
        limits.max_memory_pages = mib * 16;
    }
    Ok(limits)
}

/// BlockchainTests natively or with every block validated by the EE in a Wasm engine, and with
/// `--emit-yaml` every test written as Scout YAML on the way. The error is the message to print.
fn run_blockchain(args: &SuiteArgs, options: &RunOptions) -> Result<Report, String> {
    use chain::{EeInput, ImportContext};

    let wasm = match args.engine.as_str() {
        "native" => None,
        name => {
            let engine: evm_ee_host::Engine = name
                .parse()
                .map_err(|e: evm_ee_host::HostError| e.to_string())?;
            let limits = host_limits(args.max_ticks, args.max_memory)?;
            Some(
                chain::WasmEngine::new(engine, ee_module::EE_WASM, limits)
                    .map_err(|e| e.to_string())?,
            )
        }
    };
    let stateless = options.stateless;
    // The engine of the emitting runs, which see each block's EE input.
    let validate = |context: ImportContext<'_>, input: Result<&EeInput, &str>| match (&wasm, input)
    {
        (Some(ee), Ok(input)) => ee.execute_input(context, input),
        (Some(_), Err(reason)) => Err(reason.to_string()),
        (None, _) => ethtests::blockchain::execute_native(context, stateless),
    };
    let mut report = match (&args.emit_yaml, &wasm) {
        (None, _) if args.emit_witness.is_some() => {
            let dir = args
                .emit_witness
                .as_deref()
                .unwrap_or(std::path::Path::new("."));
            let (report, written) =
                ethtests::witness_emit::run(&args.paths, options, dir, &validate)
                    .map_err(|e| e.to_string())?;
            eprintln!(
                "wrote {written} blocks with their witnesses to {}",
                dir.display()
            );
            report
        }
        (Some(dir), _) => {
            let (report, written) =
                ethtests::scout_emit::run(&args.paths, options, dir, ee_module::EE_WASM, &validate)
                    .map_err(|e| e.to_string())?;
            eprintln!(
                "wrote {written} Scout YAML files and {} to {}",
                ethtests::scout_emit::EE_FILE,
                dir.display()
            );
            report
        }
        (None, Some(ee)) => ethtests::blockchain::run_tests(
            &args.paths,
            options,
            &|_: &ethtests::FixtureFile, _: &str, test: &serde_json::Value| {
                ethtests::blockchain::run_test_in_ee(ee, test)
            },
        )
        .map_err(|e| e.to_string())?,
        (None, None) => {
            ethtests::blockchain::run(&args.paths, options).map_err(|e| e.to_string())?
        }
    };
    if let Some(ee) = &wasm {
        let (blocks, ticks) = ee.totals();
        report.ee = Some(ethtests::report::EeStats {
            engine: args.engine.clone(),
            blocks,
            ticks,
            digest: hex::encode(ee.digest()),
        });
    }
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
                "{bar:40} {pos}/{len} files, {msg} {elapsed} (eta {eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let mut case_index = args.index.unwrap_or_default();
    case_index.data = args.data.or(case_index.data);
    case_index.gas = args.gas.or(case_index.gas);
    case_index.value = args.value.or(case_index.value);
    if case_index != ethtests::CaseIndex::default() && !matches!(suite, Suite::State(_)) {
        eprintln!("error: --index, --data, --gas and --value apply to the state suite only");
        return ExitCode::from(2);
    }
    let options = RunOptions {
        forks: args
            .forks
            .iter()
            .flat_map(|s| s.0.iter().copied())
            .collect(),
        filter: args.filter.clone(),
        run: args.run.clone(),
        case_index,
        stateless: args.stateless,
        verbose: args.verbose,
        fail_fast: args.fail_fast,
        progress: bar.clone().map(|bar| {
            Arc::new(Bar {
                bar,
                ok: Default::default(),
                failed: Default::default(),
            }) as Arc<dyn Progress>
        }),
        ..RunOptions::default()
    };
    let blockchain_only = [
        (args.engine != "native", "--engine"),
        (args.max_ticks.is_some(), "--max-ticks"),
        (args.max_memory.is_some(), "--max-memory"),
        (args.emit_yaml.is_some(), "--emit-yaml"),
        (args.emit_witness.is_some(), "--emit-witness"),
        (args.verbose, "--verbose"),
    ];
    if args.emit_yaml.is_some() && args.emit_witness.is_some() {
        eprintln!("error: --emit-yaml and --emit-witness are separate runs; give one of them");
        return ExitCode::from(2);
    }
    if !matches!(suite, Suite::Blockchain(_))
        && let Some((_, flag)) = blockchain_only.iter().find(|(given, _)| *given)
    {
        eprintln!("error: {flag} applies to the blockchain suite only");
        return ExitCode::from(2);
    }
    if args.stateless && args.engine != "native" {
        eprintln!("error: --stateless applies to the native engine (the EE is stateless anyway)");
        return ExitCode::from(2);
    }
    let started = std::time::Instant::now();
    let result = if matches!(suite, Suite::Blockchain(_)) {
        run_blockchain(args, &options)
    } else {
        runner(&args.paths, &options).map_err(|e| e.to_string())
    };
    let mut report = match result {
        Ok(report) => report,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    report.elapsed_ms = Some(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX));
    if report.total == 0 {
        // Nothing ran: a passing report over nothing would hide a typo in a path or a filter.
        let mut why = Vec::new();
        if let Some(filter) = &args.filter {
            why.push(format!("--filter {filter:?}"));
        }
        for selection in &args.forks {
            let names: Vec<String> = selection.0.iter().map(|f| format!("{f:?}")).collect();
            why.push(format!("--fork {}", names.join(",")));
        }
        if let Some(run) = &args.run {
            why.push(format!("--run {:?}", run.as_str()));
        }
        if case_index != ethtests::CaseIndex::default() {
            why.push(format!("the index {case_index:?}"));
        }
        let paths: Vec<String> = args.paths.iter().map(|p| p.display().to_string()).collect();
        eprintln!(
            "error: nothing to run: no {} case under {}{}",
            report.suite,
            paths.join(", "),
            if why.is_empty() {
                String::new()
            } else {
                format!(" matches {}", why.join(" and "))
            }
        );
        return ExitCode::from(2);
    }
    if args.json {
        let command = format!("ethtests {}", report.suite);
        println!("{}", json_envelope(&command, started, report.to_json()));
    } else if color_enabled(
        std::io::stdout().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    ) {
        println!("{}", paint(&report.to_string()));
    } else {
        println!("{report}");
    }
    if options.stopped_early() {
        eprintln!(
            "--fail-fast: stopped after the first failure; files not yet started were not run"
        );
    }
    if report.failed > 0 && report.wrong_suite_failures() == report.failed {
        // Every failure is a test of another suite: a usage error, not a failing client.
        eprintln!(
            "error: these are not {} tests (see each failure for the subcommand that runs them)",
            report.suite
        );
        return ExitCode::from(2);
    }
    if report.is_success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_on_a_terminal_and_never_with_no_color() {
        assert!(color_enabled(true, None));
        assert!(color_enabled(true, Some(std::ffi::OsStr::new(""))));
        assert!(!color_enabled(true, Some(std::ffi::OsStr::new("1"))));
        assert!(!color_enabled(false, None));
        let failing = paint("fork x\nFAIL a :: b [Cancun] d0g0v0: why\nstate: 1 passed, 1 failed");
        assert!(
            failing.contains("\x1b[31mFAIL\x1b[0m a :: b"),
            "{failing:?}"
        );
        assert!(failing.ends_with("\x1b[31mstate: 1 passed, 1 failed\x1b[0m"));
        let passing = paint("state: 2 passed, 0 failed, 0 skipped");
        assert_eq!(
            passing,
            "\x1b[32mstate: 2 passed, 0 failed, 0 skipped\x1b[0m"
        );
    }
}
