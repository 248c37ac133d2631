//! Deterministic metering and the limits: tick counts, budgets, stack, memory, module size.

mod common;
#[cfg(feature = "wasmtime")]
use common::run_with;
use common::{ee, run, run_limits};
use evm_ee_host::{Engine, HostError, Limits, Runtime};

const PRE: [u8; 32] = [0; 32];

/// Loops `n` times (n = the first block-data byte), summing into a local.
fn loop_ee() -> Vec<u8> {
    ee(
        r#"(local $n i32) (local $acc i64)
           (call $copy (i32.const 0) (i32.const 0) (i32.const 1))
           (local.set $n (i32.load8_u (i32.const 0)))
           (block $done
             (loop $again
               (br_if $done (i32.eqz (local.get $n)))
               (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get $n))))
               (local.set $n (i32.sub (local.get $n) (i32.const 1)))
               (br $again)))
           (i64.store (i32.const 8) (local.get $acc))
           (call $save (i32.const 8))"#,
        "",
    )
}

#[test]
fn ticks_grow_linearly_with_the_loop_count() {
    let wasm = loop_ee();
    let t0 = run(&wasm, PRE, &[0]).ticks;
    let t1 = run(&wasm, PRE, &[1]).ticks;
    let t100 = run(&wasm, PRE, &[100]).ticks;
    let per_iteration = t1 - t0;
    assert!(per_iteration > 0);
    assert_eq!(t100 - t0, 100 * per_iteration);
    let result = run(&wasm, PRE, &[100]);
    assert_eq!(result.post_state.unwrap()[..8], 5050u64.to_le_bytes());
}

#[test]
fn tick_counts_are_the_same_in_every_engine() {
    // `run` asserts that all engines of this build agree on the whole result, ticks included.
    let wasm = loop_ee();
    for n in [0u8, 1, 7, 255] {
        let result = run(&wasm, PRE, &[n]);
        assert!(result.ticks > 0);
    }
    #[cfg(feature = "wasmtime")]
    {
        let a = run_with(Engine::Wasmi, &wasm, PRE, &[200], Limits::default()).ticks;
        let b = run_with(Engine::Wasmtime, &wasm, PRE, &[200], Limits::default()).ticks;
        assert_eq!(a, b);
    }
}

#[test]
fn tick_budget_exhaustion() {
    let wasm = ee("(loop $forever (br $forever))", "");
    let limits = Limits {
        max_ticks: 5000,
        ..Limits::default()
    };
    let result = run_limits(&wasm, PRE, b"", limits);
    assert_eq!(result.trap.as_deref(), Some("tick budget 5000 exhausted"));
    assert_eq!(result.ticks, 5000);
    assert_eq!(result.post_state, None);
}

#[test]
fn host_calls_cost_fixed_ticks() {
    let one = run(&ee("(call $p32 (i32.const 1))", ""), PRE, b"").ticks;
    let two = run(
        &ee("(call $p32 (i32.const 1)) (call $p32 (i32.const 1))", ""),
        PRE,
        b"",
    )
    .ticks;
    // The second call adds its host cost plus `i32.const` and `call` (1 + 4).
    assert_eq!(
        two - one,
        evm_ee_host::TICKS_HOST_CALL + 1 + evm_ee_host::TICKS_CALL
    );
}

#[test]
fn bulk_memory_is_charged_by_length() {
    let copy = |len: u32| {
        ee(
            &format!("(memory.copy (i32.const 0) (i32.const 1000) (i32.const {len}))"),
            "",
        )
    };
    let t0 = run(&copy(0), PRE, b"").ticks;
    let t64 = run(&copy(64), PRE, b"").ticks;
    let t65 = run(&copy(65), PRE, b"").ticks;
    assert_eq!(t64 - t0, 8);
    assert_eq!(t65 - t0, 9);
}

#[test]
fn deep_recursion_hits_the_deterministic_stack_budget() {
    let wasm = ee(
        "(call $rec (i32.const 0))",
        "(func $rec (param i32) (call $rec (i32.add (local.get 0) (i32.const 1))))",
    );
    let result = run(&wasm, PRE, b"");
    let limit = Limits::default().max_stack;
    assert_eq!(result.trap, Some(format!("stack budget {limit} exhausted")));
    // The largest budget allowed must still trap deterministically, before engine limits.
    let limits = Limits {
        max_stack: evm_ee_host::MAX_STACK_CAP,
        ..Limits::default()
    };
    let result = run_limits(&wasm, PRE, b"", limits);
    assert_eq!(
        result.trap,
        Some(format!(
            "stack budget {} exhausted",
            evm_ee_host::MAX_STACK_CAP
        ))
    );
}

#[test]
fn memory_limit() {
    let limits = Limits {
        max_memory_pages: 4,
        ..Limits::default()
    };
    // memory.grow within the limit returns the old size, past it -1.
    let wasm = ee(
        "(call $p32 (memory.grow (i32.const 3))) (call $p32 (memory.grow (i32.const 1)))",
        "",
    );
    let result = run_limits(&wasm, PRE, b"", limits);
    assert_eq!(
        result.debug_output,
        vec![
            evm_ee_host::DebugLine::Print32(1),
            evm_ee_host::DebugLine::Print32(-1)
        ]
    );
    // A module that starts above the limit is refused at load time.
    let big =
        wat::parse_str(r#"(module (memory (export "memory") 5) (func (export "main")))"#).unwrap();
    let err = Runtime::new(Engine::Wasmi, &big, limits).unwrap_err();
    assert!(
        matches!(err, HostError::MemoryTooLarge { pages: 5, max: 4 }),
        "{err}"
    );
}

#[test]
fn module_size_limit_is_checked_before_parsing() {
    let limits = Limits {
        max_module_bytes: 16,
        ..Limits::default()
    };
    let err = Runtime::new(Engine::Wasmi, &[0u8; 17], limits).unwrap_err();
    assert_eq!(
        err.to_string(),
        "module of 17 bytes is larger than the limit of 16 bytes"
    );
}

#[test]
fn invalid_limits_are_refused() {
    let wasm = ee("", "");
    let limits = Limits {
        max_stack: evm_ee_host::MAX_STACK_CAP + 1,
        ..Limits::default()
    };
    assert!(matches!(
        Runtime::new(Engine::Wasmi, &wasm, limits),
        Err(HostError::InvalidLimits(_))
    ));
}

#[test]
fn engine_names() {
    assert_eq!("wasmi".parse::<Engine>().unwrap(), Engine::Wasmi);
    assert_eq!(Engine::Wasmi.to_string(), "wasmi");
    assert!(matches!(
        "v8".parse::<Engine>(),
        Err(HostError::UnknownEngine(_))
    ));
    #[cfg(feature = "wasmtime")]
    assert_eq!(
        "wasmtime".parse::<Engine>().unwrap().to_string(),
        "wasmtime"
    );
    #[cfg(not(feature = "wasmtime"))]
    assert!(matches!(
        "wasmtime".parse::<Engine>(),
        Err(HostError::EngineNotBuilt(_))
    ));
}
