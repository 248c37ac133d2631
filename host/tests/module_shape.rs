//! The host's shape limits against the modules this project ships: the EVM EE and every
//! precompile module must load with room to spare, and a module past each limit is refused at
//! load, naming the limit, in every engine.

use evm_ee_host::{Limits, instrumented_shape, shape_limits};

#[test]
fn the_ee_and_the_precompile_modules_are_well_inside_the_limits() {
    let limits = Limits::default();
    let mut modules = vec![("ee".to_string(), ee_module::EE_WASM)];
    for precompile in ee_module::Precompile::ALL {
        for bignum in ee_module::Bignum::ALL {
            modules.push((
                format!("{precompile:?}/{}", bignum.name()),
                ee_module::precompile_module(precompile, bignum),
            ));
        }
    }
    for (name, wasm) in modules {
        let shape = instrumented_shape(wasm, &limits).unwrap();
        println!(
            "{name}: {} bytes instrumented, {} functions, {} globals; per function at most {} locals, {} operands, depth {}, {} body bytes, {} regions; {} regions and {} locals in all",
            shape.module_bytes,
            shape.functions.len(),
            shape.globals,
            shape.max(|f| f.locals),
            shape.max(|f| f.max_operands),
            shape.max(|f| f.max_depth),
            shape.max(|f| f.body_bytes),
            shape.max(|f| f.regions),
            shape.total_regions(),
            shape.total_locals(),
        );
        // Three quarters of each limit at most: room for the EE to grow before the limits need
        // a look.
        assert!(
            shape.max(|f| f.locals) <= shape_limits::MAX_LOCALS / 4 * 3,
            "{name}"
        );
        assert!(
            shape.max(|f| f.max_operands) <= shape_limits::MAX_OPERANDS / 4 * 3,
            "{name}"
        );
        assert!(
            shape.max(|f| f.max_depth) <= shape_limits::MAX_DEPTH / 4 * 3,
            "{name}"
        );
        assert!(
            shape.max(|f| f.body_bytes) <= shape_limits::MAX_BODY_BYTES / 4 * 3,
            "{name}"
        );
        assert!(
            shape.max(|f| f.regions) <= shape_limits::MAX_REGIONS_PER_FUNCTION / 4 * 3,
            "{name}"
        );
        assert!(
            shape.total_regions() <= shape_limits::MAX_REGIONS / 4 * 3,
            "{name}"
        );
        assert!(
            shape.module_bytes <= shape_limits::MAX_MODULE_BYTES / 4 * 3,
            "{name}"
        );
        assert!(
            shape.functions.len() <= shape_limits::MAX_FUNCTIONS / 4 * 3,
            "{name}"
        );
        assert!(
            shape.total_locals() <= shape_limits::MAX_TOTAL_LOCALS / 4 * 3,
            "{name}"
        );
    }
}

mod common;

use evm_ee_host::{Engine, HostError, LOCALS_PER_TICK, Runtime};

/// The load error of `wasm` in every engine; they must agree on refusing it.
fn refused(wasm: &[u8]) -> HostError {
    let mut errors = Engine::ALL
        .iter()
        .map(|&engine| Runtime::new(engine, wasm, Limits::default()).unwrap_err());
    let first = errors.next().unwrap();
    for other in errors {
        assert_eq!(other.to_string(), first.to_string());
    }
    first
}

fn assert_limit(error: HostError, limit: &str) {
    assert!(
        matches!(&error, HostError::ShapeLimit { what, .. } if *what == limit),
        "expected the {limit} limit, got: {error}"
    );
}

#[test]
fn too_many_locals_is_refused_at_load_in_every_engine() {
    // 30,001 locals passed the old checks; wasmi refused the function when first called, wasmtime
    // ran it: one block, two verdicts. Now the module does not load anywhere.
    for locals in [4_097, 30_001] {
        let wasm = common::ee(&format!("(local {})", "i64 ".repeat(locals)), "");
        assert_limit(refused(&wasm), "locals");
    }
    let wasm = common::ee(&format!("(local {})", "i64 ".repeat(4_000)), "");
    assert!(Runtime::new(Engine::Wasmi, &wasm, Limits::default()).is_ok());
}

#[test]
fn a_deep_operand_stack_is_refused_at_load() {
    // 70,000 operands passed the old checks and exceeded wasmi's registers.
    for operands in [5_000, 70_000] {
        let body = format!(
            "{}{}",
            "(i32.const 1)".repeat(operands),
            "(drop)".repeat(operands)
        );
        assert_limit(refused(&common::ee(&body, "")), "operand stack height");
    }
}

#[test]
fn deep_nesting_is_refused_at_load() {
    let body = format!("{}{}", "(block ".repeat(2_000), ")".repeat(2_000));
    assert_limit(refused(&common::ee(&body, "")), "block nesting depth");
}

#[test]
fn too_many_regions_in_one_function_is_refused_at_load() {
    // Each `br_if` ends a region: 9,000 of them in one function.
    let body = format!(
        "(local i32) (block {})",
        "(br_if 0 (local.get 0))".repeat(9_000)
    );
    assert_limit(refused(&common::ee(&body, "")), "metering regions");
}

/// The module-wide totals, each of which costs wasmtime compile time however it is split into
/// functions: regions, functions, locals and bytes.
#[test]
fn module_totals_past_the_limits_are_refused_at_load() {
    let functions = |count: usize, body: &str| -> String {
        (0..count).map(|i| format!("(func $x{i} {body})")).collect()
    };
    // 7 x 8,000 regions: each function within its own limit, 56,000 in all.
    let regions = functions(
        7,
        &format!(
            "(local i32) (block {})",
            "(br_if 0 (local.get 0))".repeat(8_000)
        ),
    );
    assert_limit(
        refused(&common::ee("", &regions)),
        "metering regions in all",
    );
    assert_limit(
        refused(&common::ee("", &functions(10_001, ""))),
        "functions",
    );
    // 100 functions of 4,000 locals: three bytes each, 400,000 locals to zero.
    let locals = functions(100, &format!("(local {})", "i64 ".repeat(4_000)));
    assert_limit(refused(&common::ee("", &locals)), "locals in all");
    // Eight functions under the body limit: about 7 MB of code.
    let big = functions(8, &"(drop (i64.const 0x7fffffffffffffff))".repeat(80_000));
    assert_limit(
        refused(&common::ee("", &big)),
        "bytes after instrumentation",
    );
}

#[test]
fn a_body_past_the_size_limit_is_refused_at_load() {
    // 300,000 constant pairs: over 1 MiB of code in one function, few regions.
    let body = "(drop (i64.const 0x7fffffffffffffff))".repeat(100_000);
    let error = refused(&common::ee(&body, ""));
    assert_limit(error, "body bytes after instrumentation");
}

#[test]
fn declared_locals_are_charged_at_entry_in_every_engine() {
    // The same function with 0 and with 400 declared locals, called 10 times: 10 x 400 / 4 ticks
    // apart, the same in every engine (common::run compares them).
    let module = |locals: usize| {
        common::ee(
            "(call $f) (call $f) (call $f) (call $f) (call $f) (call $f) (call $f) (call $f) (call $f) (call $f)",
            &format!("(func $f (local {}))", "i64 ".repeat(locals)),
        )
    };
    let without = common::run(&module(0), [0; 32], b"").ticks;
    let with = common::run(&module(400), [0; 32], b"").ticks;
    assert_eq!(with - without, 10 * 400 / LOCALS_PER_TICK);
}

#[test]
fn externref_is_refused_at_load_in_every_engine() {
    // Found by the differential fuzz target: wasmi ran a module with an `externref` global,
    // wasmtime (built without its garbage collector) refused to compile it.
    let wasm = common::ee("", "(global $g externref (ref.null extern))");
    let error = refused(&wasm);
    assert!(matches!(error, HostError::InvalidModule(_)), "{error}");
}
