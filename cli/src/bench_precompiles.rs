//! `evm-ee bench precompiles`: each precompile natively (evm-core's native set: k256,
//! substrate-bn, sha2, ripemd, aurora-engine-modexp) and as its standalone Wasm module, with the
//! host's bignum functions and with the arithmetic compiled in, in wasmi and in wasmtime, on the
//! same inputs in one run.
//!
//! Every timed call is checked against the native result first (same output, same gas). A
//! measurement repeats the call on one instance until `--min-time` has passed (at least five
//! calls) and keeps the median. The ratio is Wasm time over native time; the effective gas is
//! the price times the ratio: what the call would cost if gas stayed proportional to native
//! time. "fits" says whether the Wasm call is at least as fast per gas as native ecrecover,
//! the yardstick EIP-1108 and EIP-2565 priced precompiles by. Compile and instantiate times are
//! reported apart.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;
use ee_module::{Bignum, precompile_module};
use evm_core::precompiles::{NativePrecompiles, Precompiles, precompile_address, pricing};
use evm_ee_host::{Engine, Limits, PrecompileModule, PrecompileOutcome};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::precompile_cases::{Case, SPEC, cases};

#[derive(Args, Debug)]
pub(crate) struct PrecompilesArgs {
    /// Only cases whose precompile or case name contains this text (e.g. `pairing`).
    #[arg(long)]
    filter: Option<String>,
    /// Minimum time per measurement in milliseconds (at least five calls are made).
    #[arg(long, value_name = "MS", default_value_t = 300)]
    min_time: u64,
    /// Write a bar chart of the ratios (log scale) as SVG to this file.
    #[arg(long, value_name = "FILE")]
    chart: Option<PathBuf>,
    /// Only these engines (default: every engine in this build).
    #[arg(long, value_name = "ENGINE")]
    engine: Vec<Engine>,
    /// Print one JSON object at the end instead of the table.
    #[arg(long)]
    json: bool,
}

/// One (case, engine, bignum) measurement; the JSON shape of issue 5.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct ResultRow {
    precompile: &'static str,
    case: String,
    engine: String,
    bignum: &'static str,
    native_ns: u128,
    wasm_ns: u128,
    ratio: f64,
    gas: u64,
    effective_gas: u64,
    /// As fast per gas as native ecrecover.
    fits: bool,
    /// Ticks of one call (the same in every engine).
    ticks: u64,
}

/// Compile and instantiate time of one module in one engine.
#[derive(Clone, Debug, Serialize)]
struct SetupRow {
    precompile: &'static str,
    engine: String,
    bignum: &'static str,
    wasm_bytes: usize,
    compile_ns: u128,
    instantiate_ns: u128,
}

#[derive(Clone, Debug, Serialize)]
struct Report {
    /// Native ecrecover's time per gas, the "fits" yardstick.
    reference_ns_per_gas: f64,
    results: Vec<ResultRow>,
    setup: Vec<SetupRow>,
}

pub(crate) fn run(args: &PrecompilesArgs) -> ExitCode {
    let started = std::time::Instant::now();
    match bench(args) {
        Ok(report) => {
            if let Some(path) = &args.chart
                && let Err(e) = std::fs::write(path, chart_svg(&report.results))
            {
                eprintln!("error: cannot write {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
            if args.json {
                match serde_json::to_value(&report) {
                    Ok(value) => println!(
                        "{}",
                        crate::json_envelope("bench precompiles", started, value)
                    ),
                    Err(e) => {
                        eprintln!("error: {e}");
                        return ExitCode::FAILURE;
                    }
                }
            } else {
                print_table(&report);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The median time of `call`, repeated until `min_time` has passed and at least five times.
fn median_time(
    min_time: Duration,
    mut call: impl FnMut() -> Result<(), String>,
) -> Result<u128, String> {
    call()?;
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < 5 || start.elapsed() < min_time {
        let t = Instant::now();
        call()?;
        times.push(t.elapsed().as_nanos());
    }
    times.sort_unstable();
    Ok(times[times.len() / 2])
}

/// The native result of a case, which every Wasm call must reproduce.
fn native_call(case: &Case) -> Result<(u64, Vec<u8>), String> {
    let address = precompile_address(case.precompile.number());
    match NativePrecompiles.execute(SPEC, address, &case.input, u64::MAX) {
        Some(Ok(out)) => Ok((out.gas_used, out.bytes)),
        other => Err(format!(
            "{} {}: the native set does not accept the case ({other:?})",
            case.precompile.name(),
            case.name
        )),
    }
}

fn bench(args: &PrecompilesArgs) -> Result<Report, String> {
    let engines: Vec<Engine> = if args.engine.is_empty() {
        Engine::ALL.to_vec()
    } else {
        args.engine.clone()
    };
    let min_time = Duration::from_millis(args.min_time);
    let all = cases();
    let selected: Vec<&Case> = all
        .iter()
        .filter(|c| {
            args.filter.as_ref().is_none_or(|f| {
                c.precompile.name().contains(f.as_str()) || c.name.contains(f.as_str())
            })
        })
        .collect();
    if selected.is_empty() {
        return Err("no case matches --filter".into());
    }
    let limits = Limits {
        max_ticks: 1 << 60,
        ..Limits::default()
    };
    let pricing_bits = pricing(SPEC).to_bits();

    // The yardstick: native ecrecover's time per gas.
    let ecrecover = all
        .iter()
        .find(|c| c.precompile == precompiles::Precompile::Ecrecover)
        .ok_or("no ecrecover case")?;
    let (ecrecover_gas, _) = native_call(ecrecover)?;
    let ecrecover_ns = median_time(min_time, || native_call(ecrecover).map(|_| ()))?;
    let reference_ns_per_gas = ecrecover_ns as f64 / ecrecover_gas as f64;

    let progress = ProgressBar::new((selected.len() * (1 + 2 * engines.len())) as u64);
    progress.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut results = Vec::new();
    let mut setup: Vec<SetupRow> = Vec::new();
    for case in selected {
        progress.set_message(format!("{} {}", case.precompile.name(), case.name));
        let (gas, expected) = native_call(case)?;
        let native_ns = median_time(min_time, || native_call(case).map(|_| ()))?;
        progress.inc(1);
        for &engine in &engines {
            for bignum in Bignum::ALL {
                let wasm = precompile_module(case.precompile, bignum);
                let what = format!(
                    "{} {} in {engine} with {} bignum",
                    case.precompile.name(),
                    case.name,
                    bignum.name()
                );
                let t = Instant::now();
                let module = PrecompileModule::new(engine, wasm, limits)
                    .map_err(|e| format!("{what}: {e}"))?;
                let compile_ns = t.elapsed().as_nanos();
                let t = Instant::now();
                let mut instance = module.instantiate().map_err(|e| format!("{what}: {e}"))?;
                let instantiate_ns = t.elapsed().as_nanos();
                if !setup.iter().any(|s| {
                    s.precompile == case.precompile.name()
                        && s.engine == engine.name()
                        && s.bignum == bignum.name()
                }) {
                    setup.push(SetupRow {
                        precompile: case.precompile.name(),
                        engine: engine.name().into(),
                        bignum: bignum.name(),
                        wasm_bytes: wasm.len(),
                        compile_ns,
                        instantiate_ns,
                    });
                }
                let mut ticks = 0;
                let wasm_ns = median_time(min_time, || {
                    let call = instance
                        .call(&case.input, u64::MAX, pricing_bits)
                        .map_err(|e| format!("{what}: {e}"))?;
                    match call.outcome {
                        PrecompileOutcome::Success { gas_used, output }
                            if gas_used == gas && output == expected =>
                        {
                            ticks = call.ticks;
                            Ok(())
                        }
                        other => Err(format!(
                            "{what}: {other:?}, native gave {gas} gas and {}",
                            hex::encode(&expected)
                        )),
                    }
                })?;
                let ratio = wasm_ns as f64 / native_ns.max(1) as f64;
                results.push(ResultRow {
                    precompile: case.precompile.name(),
                    case: case.name.clone(),
                    engine: engine.name().into(),
                    bignum: bignum.name(),
                    native_ns,
                    wasm_ns,
                    ratio,
                    gas,
                    effective_gas: (gas as f64 * ratio).round() as u64,
                    fits: wasm_ns as f64 <= gas as f64 * reference_ns_per_gas,
                    ticks,
                });
                progress.inc(1);
            }
        }
    }
    progress.finish_and_clear();
    Ok(Report {
        reference_ns_per_gas,
        results,
        setup,
    })
}

fn micros(ns: u128) -> String {
    format!("{:.1}", ns as f64 / 1e3)
}

fn print_table(report: &Report) {
    println!(
        "median time per call, one thread; ratio = Wasm / native; fits = at least as fast per gas as native ecrecover ({:.1} ns/gas)",
        report.reference_ns_per_gas
    );
    println!(
        "{:<15} {:<45} {:<9} {:<6} {:>10} {:>12} {:>12} {:>8} {:>13} {:>5} {:>14}",
        "precompile",
        "case",
        "engine",
        "bignum",
        "gas",
        "native µs",
        "wasm µs",
        "ratio",
        "effective gas",
        "fits",
        "ticks"
    );
    for row in &report.results {
        println!(
            "{:<15} {:<45} {:<9} {:<6} {:>10} {:>12} {:>12} {:>7.2}x {:>13} {:>5} {:>14}",
            row.precompile,
            row.case,
            row.engine,
            row.bignum,
            row.gas,
            micros(row.native_ns),
            micros(row.wasm_ns),
            row.ratio,
            row.effective_gas,
            if row.fits { "yes" } else { "no" },
            row.ticks
        );
    }
    println!();
    println!(
        "{:<15} {:<9} {:<6} {:>10} {:>12} {:>15}",
        "module", "engine", "bignum", "bytes", "compile ms", "instantiate µs"
    );
    for row in &report.setup {
        println!(
            "{:<15} {:<9} {:<6} {:>10} {:>12.2} {:>15}",
            row.precompile,
            row.engine,
            row.bignum,
            row.wasm_bytes,
            row.compile_ns as f64 / 1e6,
            micros(row.instantiate_ns)
        );
    }
}

/// Escapes text for SVG.
fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A horizontal bar chart of the ratios on a log scale, one group of bars per case. Written by
/// hand: a few rectangles and labels need no plotting crate (plotters' text needs a font
/// backend).
pub(crate) fn chart_svg(results: &[ResultRow]) -> String {
    const LABEL_WIDTH: f64 = 380.0;
    const PLOT_WIDTH: f64 = 560.0;
    const BAR: f64 = 11.0;
    const GAP: f64 = 10.0;
    const TOP: f64 = 40.0;
    let series: Vec<(String, &'static str)> = {
        let mut s: Vec<(String, &'static str)> = Vec::new();
        for row in results {
            let key = (row.engine.clone(), row.bignum);
            if !s.contains(&key) {
                s.push(key);
            }
        }
        s
    };
    let colours = ["#1f77b4", "#aec7e8", "#d62728", "#ff9896"];
    let mut groups: Vec<(String, Vec<&ResultRow>)> = Vec::new();
    for row in results {
        let label = format!("{} · {}", row.precompile, row.case);
        match groups.iter_mut().find(|(l, _)| *l == label) {
            Some((_, rows)) => rows.push(row),
            None => groups.push((label, vec![row])),
        }
    }
    let max_ratio = results.iter().map(|r| r.ratio).fold(10.0_f64, f64::max);
    let decades = max_ratio.log10().ceil().max(1.0);
    // Ratios below 0.1 are drawn at 0.1.
    let x =
        |ratio: f64| LABEL_WIDTH + PLOT_WIDTH * ((ratio.max(0.1).log10() + 1.0) / (decades + 1.0));
    let group_height = BAR * series.len() as f64 + GAP;
    let height = TOP + group_height * groups.len() as f64 + 60.0;
    let width = LABEL_WIDTH + PLOT_WIDTH + 40.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"11\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"10\" y=\"20\" font-size=\"14\">Precompiles in Wasm: time / native time (log scale)</text>\n"
    );
    let bottom = TOP + group_height * groups.len() as f64;
    for decade in -1..=decades as i32 {
        let ratio = 10f64.powi(decade);
        let px = x(ratio);
        svg += &format!(
            "<line x1=\"{px:.1}\" y1=\"{TOP}\" x2=\"{px:.1}\" y2=\"{bottom:.1}\" stroke=\"{}\"/>\n<text x=\"{px:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}x</text>\n",
            if decade == 0 { "#000" } else { "#ddd" },
            bottom + 14.0,
            ratio
        );
    }
    for (g, (label, rows)) in groups.iter().enumerate() {
        let y0 = TOP + group_height * g as f64;
        svg += &format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\n",
            LABEL_WIDTH - 8.0,
            y0 + group_height / 2.0,
            xml(label)
        );
        for row in rows {
            let Some(s) = series
                .iter()
                .position(|(e, b)| *e == row.engine && *b == row.bignum)
            else {
                continue;
            };
            let y = y0 + BAR * s as f64;
            let x0 = x(0.1);
            svg += &format!(
                "<rect x=\"{x0:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{} {}: {:.2}x</title></rect>\n",
                (x(row.ratio) - x0).max(1.0),
                BAR - 1.0,
                colours[s % colours.len()],
                row.engine,
                row.bignum,
                row.ratio
            );
        }
    }
    for (s, (engine, bignum)) in series.iter().enumerate() {
        let lx = LABEL_WIDTH + 150.0 * s as f64;
        let ly = bottom + 30.0;
        svg += &format!(
            "<rect x=\"{lx:.1}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{ly:.1}\">{engine}, {bignum} bignum</text>\n",
            ly - 10.0,
            colours[s % colours.len()],
            lx + 16.0
        );
    }
    svg += "</svg>\n";
    svg
}
