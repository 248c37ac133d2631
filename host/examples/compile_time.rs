//! How long each engine takes to load (check, instrument, compile) a module, for the EE and for
//! the worst shapes the host's limits allow: `cargo run --release -p evm-ee-host --features
//! wasmtime --example compile_time -- [straight | locals] [REGIONS | BYTES | LOCALS per function]
//! [FUNCTIONS]`.
//!
//! The generated module has FUNCTIONS functions of REGIONS_PER_FUNCTION metering regions each
//! (a `br_if` ends each region), the shape that makes wasmtime's compile time grow fastest; with
//! `straight`, FUNCTIONS functions of about BYTES_PER_FUNCTION bytes of straight-line arithmetic;
//! with `locals`, FUNCTIONS empty functions of LOCALS locals each.

use std::time::Instant;

use evm_ee_host::{Engine, Limits, Runtime, instrumented_shape};

fn bomb(regions: usize, functions: usize) -> Vec<u8> {
    let mut body = String::new();
    for _ in 0..regions {
        body.push_str("(br_if 0 (local.get 0))");
    }
    let mut text = String::from("(module (memory (export \"memory\") 1)");
    for i in 0..functions {
        text.push_str(&format!("(func $f{i} (param i32) (block {body}))"));
    }
    text.push_str("(func (export \"main\") (call $f0 (i32.const 0))))");
    // `main` has a region of its own: FUNCTIONS x REGIONS + 1 must be within the total limit.
    wat::parse_str(text).expect("generated WAT is valid")
}

/// FUNCTIONS functions of straight-line arithmetic (one region each), about `bytes` each.
fn straight(bytes: usize, functions: usize) -> Vec<u8> {
    // `local.get 0; i32.const 1; i32.add; local.set 0` is 7 bytes.
    let body = "(local.set 0 (i32.add (local.get 0) (i32.const 1)))".repeat(bytes / 7);
    let mut text = String::from("(module (memory (export \"memory\") 1)");
    for i in 0..functions {
        text.push_str(&format!("(func $f{i} (param i32) {body})"));
    }
    text.push_str("(func (export \"main\") (call $f0 (i32.const 0))))");
    wat::parse_str(text).expect("generated WAT is valid")
}

/// FUNCTIONS functions declaring LOCALS `i64` locals each (three bytes of locals declaration,
/// but every engine zeroes them at entry) and an empty body.
fn locals(locals: usize, functions: usize) -> Vec<u8> {
    let mut text = String::from("(module (memory (export \"memory\") 1)");
    let declared = "i64 ".repeat(locals);
    for i in 0..functions {
        text.push_str(&format!("(func $f{i} (local {declared}))"));
    }
    text.push_str("(func (export \"main\") (call $f0)))");
    wat::parse_str(text).expect("generated WAT is valid")
}

fn time(engine: Engine, name: &str, wasm: &[u8]) {
    let limits = Limits::default();
    let started = Instant::now();
    let loaded = Runtime::new(engine, wasm, limits);
    let elapsed = started.elapsed();
    match loaded {
        Ok(_) => println!(
            "{engine:>8} {name}: loaded in {:.3} s",
            elapsed.as_secs_f64()
        ),
        Err(e) => println!(
            "{engine:>8} {name}: refused in {:.3} s: {e}",
            elapsed.as_secs_f64()
        ),
    }
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let shape = match args.first().map(String::as_str) {
        Some(name @ ("straight" | "locals")) => {
            let name = name.to_string();
            args.remove(0);
            name
        }
        _ => "regions".to_string(),
    };
    let args: Vec<usize> = args.iter().map(|a| a.parse().expect("a number")).collect();
    let size = args.first().copied().unwrap_or(16_000);
    let functions = args.get(1).copied().unwrap_or(1);
    let wasm = match shape.as_str() {
        "straight" => straight(size, functions),
        "locals" => locals(size, functions),
        _ => bomb(size, functions),
    };
    let shape = instrumented_shape(&wasm, &Limits::default()).expect("valid");
    let name = format!(
        "{functions} x {} regions ({} bytes, {} instrumented)",
        shape.max(|f| f.regions),
        wasm.len(),
        shape.module_bytes
    );
    for (what, bytes) in [("EE", ee_module::EE_WASM), ("bomb", &wasm[..])] {
        for level in [wasmtime::OptLevel::Speed, wasmtime::OptLevel::None] {
            let mut config = wasmtime::Config::new();
            config.cranelift_opt_level(level);
            let engine = wasmtime::Engine::new(&config).expect("engine");
            let started = Instant::now();
            let compiled = wasmtime::Module::new(&engine, bytes);
            println!(
                "raw wasmtime {what} without metering, {level:?}: {:.3} s ({})",
                started.elapsed().as_secs_f64(),
                compiled.is_ok()
            );
        }
    }
    for &engine in Engine::ALL {
        time(engine, "EE", ee_module::EE_WASM);
        time(engine, &name, &wasm);
    }
}
