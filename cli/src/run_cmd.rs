//! `evm-ee run FILE.yaml`: runs a Scout-format test on a shard (`chain::run_scout_file`) and
//! says, per block, what happened, then whether the final states, deposits and verdicts are what
//! the file expects under Scout's rules.

use std::path::PathBuf;
use std::process::ExitCode;

use chain::{ScoutReport, run_scout_file};
use clap::Args;
use evm_ee_host::Engine;
use serde_json::json;

#[derive(Args, Debug)]
pub(crate) struct RunArgs {
    /// Scout YAML test files (execution scripts, shard blocks, expected post-state), or folders
    /// whose `*.yaml` files are run in name order.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The Wasm engine: wasmi (interpreter) or wasmtime (compiler, when built in).
    #[arg(long, default_value = "wasmi", value_parser = parse_engine)]
    engine: Engine,
    /// Tick budget per block (default: the host's safe default, 10^10; at least 1).
    #[arg(long, value_parser = crate::parse_max_ticks)]
    max_ticks: Option<u64>,
    /// Memory limit of the EE in MiB (default: the host's, 128; at most 4096).
    #[arg(long, value_name = "MIB")]
    max_memory: Option<u32>,
    /// Print a JSON report instead of text.
    #[arg(long)]
    json: bool,
    /// Also print each block's debug output.
    #[arg(short, long)]
    verbose: bool,
}

fn parse_engine(s: &str) -> Result<Engine, String> {
    s.parse().map_err(|e: evm_ee_host::HostError| e.to_string())
}

/// The YAML files `paths` name: files as given, folders' `*.yaml` files in name order.
fn yaml_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for path in paths {
        if !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        let mut found: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
            .collect();
        if found.is_empty() {
            return Err(format!("{}: no *.yaml file in this folder", path.display()));
        }
        found.sort();
        files.extend(found);
    }
    Ok(files)
}

/// Exit codes: 0 when every file's states, deposits and verdicts are as expected, 1 when one's
/// are not, 2 when a file cannot be run (the others still run).
pub(crate) fn run(args: &RunArgs) -> ExitCode {
    let limits = match crate::host_limits(args.max_ticks, args.max_memory) {
        Ok(limits) => limits,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    let files = match yaml_files(&args.files) {
        Ok(files) => files,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    let started = std::time::Instant::now();
    let (mut passed, mut failed, mut errors) = (Vec::new(), Vec::new(), Vec::new());
    let mut reports = Vec::new();
    for file in &files {
        let report = match run_scout_file(file, args.engine, limits) {
            Ok(report) => report,
            Err(e) => {
                eprintln!("error: {e}");
                errors.push(json!({"file": file.display().to_string(), "error": e.to_string()}));
                continue;
            }
        };
        if args.json {
            reports.push(report_json(&report));
        } else {
            print_report(&report, args.verbose);
        }
        if report.passed() {
            passed.push(file.display().to_string());
        } else {
            failed.push(file.display().to_string());
        }
    }
    if args.json {
        // One file: its report, as before; several: every report and the totals.
        match (files.len(), reports.pop()) {
            (1, Some(report)) => println!("{}", crate::json_envelope("run", started, report)),
            (_, last) => {
                reports.extend(last);
                let summary = json!({"files": reports, "passed": passed.len(), "failed": failed,
                                     "errors": errors});
                println!("{}", crate::json_envelope("run", started, summary));
            }
        }
    } else if files.len() > 1 {
        println!(
            "run: {} files, {} passed, {} failed, {} could not be run",
            files.len(),
            passed.len(),
            failed.len(),
            errors.len()
        );
    }
    if !errors.is_empty() {
        ExitCode::from(2)
    } else if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The report as text: a line per block, then states, deposits and verdicts.
pub(crate) fn print_report(report: &ScoutReport, verbose: bool) {
    println!("{} ({})", report.path.display(), report.ran_on);
    for block in &report.blocks {
        let r = &block.result;
        match (&r.trap, &r.post_state) {
            (Some(trap), _) if block.expect_rejection => println!(
                "block {} (env {}) rejected as expected: {trap} [{} ticks]",
                block.index, block.env, r.ticks
            ),
            (Some(trap), _) => println!(
                "block {} (env {}) TRAPPED (fails the test, as in Scout): {trap} [{} ticks]",
                block.index, block.env, r.ticks
            ),
            (None, _) if block.expect_rejection => println!(
                "block {} (env {}) ACCEPTED but expected to be rejected [{} ticks]",
                block.index, block.env, r.ticks
            ),
            (None, Some(post)) => println!(
                "block {} (env {}) accepted: {} -> {} [{} ticks, {} deposits]",
                block.index,
                block.env,
                witness::hex::encode(&block.pre_state),
                witness::hex::encode(post),
                r.ticks,
                r.deposits.len()
            ),
            (None, None) => println!(
                "block {} (env {}) ran but saved no post-state: the state is now zero, as in \
                 Scout [{} ticks]",
                block.index, block.env, r.ticks
            ),
        }
        if verbose {
            for line in &r.debug_output {
                println!("    {line}");
            }
        }
    }
    if report.states_match() {
        println!("post-state matches");
    } else {
        println!("post-state MISMATCH");
        for (i, (got, want)) in report
            .final_states
            .iter()
            .zip(&report.expected_states)
            .enumerate()
        {
            if got != want {
                println!(
                    "  env {i}: got {} expected {}",
                    witness::hex::encode(got),
                    witness::hex::encode(want)
                );
            }
        }
        if report.final_states.len() != report.expected_states.len() {
            println!(
                "  {} EE states, {} expected",
                report.final_states.len(),
                report.expected_states.len()
            );
        }
    }
    let expected = report.expected_deposits.len();
    if report.deposits_match() {
        println!(
            "deposits match (each of the {expected} expected is among the {} produced)",
            report.deposits.len()
        );
    } else {
        let missing = report
            .expected_deposits
            .iter()
            .filter(|d| !report.deposits.contains(d))
            .count();
        println!(
            "deposits MISMATCH: {missing} of the {expected} expected not among the {} produced",
            report.deposits.len()
        );
    }
    let unexpected = report.unexpected_verdicts().count();
    if unexpected > 0 {
        println!("{unexpected} block(s) trapped or ran against their expectation");
    }
}

/// The report as JSON.
pub(crate) fn report_json(report: &ScoutReport) -> serde_json::Value {
    let blocks: Vec<_> = report
        .blocks
        .iter()
        .map(|b| {
            serde_json::json!({
                "index": b.index,
                "env": b.env,
                "pre_state": witness::hex::encode(&b.pre_state),
                "post_state": b.result.post_state.map(|s| witness::hex::encode(&s)),
                "accepted": b.result.next_state().is_some(),
                "expect_rejection": b.expect_rejection,
                "ticks": b.result.ticks,
                "trap": b.result.trap,
                "reason": b.result.reason,
                "deposits": b.result.deposits.iter().map(|d| witness::hex::encode(d)).collect::<Vec<_>>(),
                "debug": b.result.debug_output.iter().map(|l| l.to_string()).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::json!({
        "file": report.path.display().to_string(),
        "engine": report.ran_on,
        "blocks": blocks,
        "final_states": report.final_states.iter().map(|s| witness::hex::encode(s)).collect::<Vec<_>>(),
        "expected_states": report.expected_states.iter().map(|s| witness::hex::encode(s)).collect::<Vec<_>>(),
        "states_match": report.states_match(),
        "deposits_match": report.deposits_match(),
        "unexpected_verdicts": report.unexpected_verdicts().map(|b| b.index).collect::<Vec<_>>(),
        "passed": report.passed(),
    })
}
