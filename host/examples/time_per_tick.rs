//! What one tick is worth in time, in each engine, for the cheapest and the most expensive code
//! per tick a module can run: `cargo run --release -p evm-ee-host --features wasmtime --example
//! time_per_tick -- [EE_NS_PER_TICK_WASMI EE_NS_PER_TICK_WASMTIME]`. Each case runs until its
//! tick budget (10^9) or its own end; the table gives nanoseconds per tick, the ratio to the
//! plain loop of the same engine and, given the EE's own average per tick in each engine (time
//! over ticks from `evm-ee bench blocks`), the ratio to it. The host's goal is that no module
//! costs more than 4x the EE's average per tick.

use std::time::Instant;

use evm_ee_host::{Engine, Limits, Runtime};

const IMPORTS: &str = r#"
  (import "env" "eth2_blockDataCopy" (func $copy (param i32 i32 i32)))
  (import "env" "debug_print32" (func $p32 (param i32)))
  (import "env" "debug_printMem" (func $pm (param i32 i32)))
  (import "env" "debug_printMemHex" (func $pmh (param i32 i32)))
  (import "env" "eth2_pushNewDeposit" (func $deposit (param i32 i32)))
  (import "bignum" "mulmodmont384" (func $mont384 (param i32 i32 i32 i32 i32)))
  (import "bignum" "mulmodmont256" (func $mont256 (param i32 i32 i32 i32 i32)))"#;

/// An EE whose `main` runs `body` in an endless loop (the budget ends it), with `extra` fields.
fn looping(body: &str, extra: &str) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module {IMPORTS}
          (memory (export "memory") 16)
          (table 16 funcref)
          {extra}
          (func (export "main") (local $i i32) (local $j i64)
            (loop $l {body} (br $l))))"#
    ))
    .expect("valid WAT")
}

fn cases() -> Vec<(&'static str, Vec<u8>)> {
    let locals = |n: usize| format!("(func $many (local {}))", "i64 ".repeat(n));
    vec![
        ("empty loop", looping("", "")),
        (
            "plain loop",
            looping("(local.set $i (i32.add (local.get $i) (i32.const 1)))", ""),
        ),
        (
            "arithmetic",
            looping(
                "(local.set $j (i64.mul (i64.add (local.get $j) (i64.const 7)) (i64.const 3)))
             (local.set $j (i64.xor (local.get $j) (i64.shr_u (local.get $j) (i64.const 5))))",
                "",
            ),
        ),
        (
            "division",
            looping(
                "(local.set $j (i64.div_u (i64.const -1) (i64.or (local.get $j) (i64.const 3))))",
                "",
            ),
        ),
        (
            "loads and stores",
            looping(
                "(i64.store (i32.const 64) (i64.add (i64.load (i32.const 64)) (i64.const 1)))",
                "",
            ),
        ),
        (
            "remainder",
            looping(
                "(local.set $j (i64.rem_s (i64.const -1) (i64.or (local.get $j) (i64.const 3))))",
                "",
            ),
        ),
        (
            "f64 sqrt and division",
            looping(
                "(local.set $j (i64.reinterpret_f64 (f64.div (f64.sqrt (f64.convert_i64_u (local.get $j))) (f64.const 3.3))))",
                "",
            ),
        ),
        (
            "br_table",
            looping(
                "(block (block (block (br_table 0 1 2 (i32.and (local.get $i) (i32.const 3))))))",
                "",
            ),
        ),
        ("empty call", looping("(call $f)", "(func $f)")),
        (
            "call_indirect",
            looping(
                "(call_indirect (i32.const 0))",
                "(elem (i32.const 0) $f) (func $f)",
            ),
        ),
        (
            "call of 4,000 locals",
            looping("(call $many)", &locals(4_000)),
        ),
        ("call of 64 locals", looping("(call $many)", &locals(64))),
        (
            "memory.fill 64 KiB",
            looping(
                "(memory.fill (i32.const 0) (i32.const 1) (i32.const 65536))",
                "",
            ),
        ),
        (
            "memory.copy 64 KiB",
            looping(
                "(memory.copy (i32.const 0) (i32.const 65536) (i32.const 65536))",
                "",
            ),
        ),
        (
            "memory.grow 1 page",
            looping("(drop (memory.grow (i32.const 1)))", ""),
        ),
        (
            "blockDataCopy 0 bytes",
            looping("(call $copy (i32.const 0) (i32.const 0) (i32.const 0))", ""),
        ),
        ("debug_print32", looping("(call $p32 (i32.const 1))", "")),
        (
            "debug_printMem 4 KiB",
            looping("(call $pm (i32.const 0) (i32.const 4096))", ""),
        ),
        (
            "debug_printMem 4 KiB invalid UTF-8",
            looping(
                "(call $pm (i32.const 8192) (i32.const 4096))",
                &format!("(data (i32.const 8192) \"{}\")", "\\ff".repeat(4096)),
            ),
        ),
        (
            "debug_printMemHex 4 KiB",
            looping("(call $pmh (i32.const 0) (i32.const 4096))", ""),
        ),
        (
            "pushNewDeposit 0 bytes",
            looping("(call $deposit (i32.const 0) (i32.const 0))", ""),
        ),
        (
            "bignum mulmodmont256",
            looping(
                "(call $mont256 (i32.const 0) (i32.const 64) (i32.const 128) (i32.const 192) (i32.const 256))",
                "",
            ),
        ),
        (
            "bignum mulmodmont384",
            looping(
                "(call $mont384 (i32.const 0) (i32.const 64) (i32.const 128) (i32.const 192) (i32.const 256))",
                "",
            ),
        ),
        (
            "recursion to the stack limit",
            looping(
                "(call $down (i32.const 2000))",
                "(func $down (param i32) (if (local.get 0) (then (call $down (i32.sub (local.get 0) (i32.const 1))))))",
            ),
        ),
    ]
}

fn main() {
    // The EE's own average per tick in each engine (from `evm-ee bench blocks`: time / ticks),
    // for the last column; without them that column is left out.
    let ee: Vec<f64> = std::env::args()
        .skip(1)
        .map(|a| {
            a.parse()
                .expect("ns per tick of the EE, wasmi then wasmtime")
        })
        .collect();
    let limits = Limits {
        max_ticks: 1_000_000_000,
        ..Limits::default()
    };
    println!("| case | engine | ticks | ns per tick | x plain loop | x EE average |");
    println!("| --- | --- | ---: | ---: | ---: | ---: |");
    for (e, &engine) in Engine::ALL.iter().enumerate() {
        let mut rows = Vec::new();
        for (name, wasm) in cases() {
            let runtime = Runtime::new(engine, &wasm, limits).expect("case loads");
            let started = Instant::now();
            let result = runtime.execute([0; 32], &[0; 64]).expect("no host error");
            let ns = started.elapsed().as_nanos() as f64 / result.ticks.max(1) as f64;
            rows.push((name, result.ticks, ns));
        }
        let plain = rows
            .iter()
            .find(|row| row.0 == "plain loop")
            .map_or(1.0, |row| row.2);
        for (name, ticks, ns) in rows {
            let to_ee = ee
                .get(e)
                .map(|average| format!("{:.1}", ns / average))
                .unwrap_or_default();
            println!(
                "| {name} | {engine} | {ticks} | {ns:.3} | {:.1} | {to_ee} |",
                ns / plain
            );
        }
    }
}
