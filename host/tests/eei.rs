//! Each EEI and debug function: the happy path and out-of-bounds pointers, in every engine.

mod common;
use common::{ee, run, seq};
use evm_ee_host::{DebugLine, Engine, HostError, Limits, Runtime};

const PRE: [u8; 32] = [7; 32];

#[test]
fn load_and_save_state_roots() {
    let wasm = ee(
        "(call $load (i32.const 64)) (call $save (i32.const 64))",
        "",
    );
    let result = run(&wasm, PRE, b"");
    assert_eq!(result.post_state, Some(PRE));
    assert!(result.accepted());
    assert_eq!(result.trap, None);
}

#[test]
fn load_pre_state_root_out_of_bounds() {
    let wasm = ee("(call $load (i32.const 65530))", "");
    let result = run(&wasm, PRE, b"");
    assert_eq!(
        result.trap.as_deref(),
        Some("eth2_loadPreStateRoot: guest range 0xfffa+32 is outside memory of 65536 bytes")
    );
    assert_eq!(result.post_state, None);
}

#[test]
fn save_post_state_root_out_of_bounds() {
    let wasm = ee("(call $save (i32.const -1))", "");
    let result = run(&wasm, PRE, b"");
    assert_eq!(
        result.trap.as_deref(),
        Some("eth2_savePostStateRoot: guest range 0xffffffff+32 is outside memory of 65536 bytes")
    );
}

#[test]
fn block_data_size_and_copy_with_offset() {
    // post = block_data[8..40], and print the size.
    let wasm = ee(
        "(call $p32 (call $size)) (call $copy (i32.const 100) (i32.const 8) (i32.const 32)) (call $save (i32.const 100))",
        "",
    );
    let data = seq(50);
    let result = run(&wasm, PRE, &data);
    assert_eq!(
        result.post_state.map(|s| s.to_vec()),
        Some(data[8..40].to_vec())
    );
    assert_eq!(result.debug_output, vec![DebugLine::Print32(50)]);
}

#[test]
fn block_data_copy_guest_out_of_bounds() {
    let wasm = ee(
        "(call $copy (i32.const 65526) (i32.const 0) (i32.const 32))",
        "",
    );
    let result = run(&wasm, PRE, &seq(40));
    assert_eq!(
        result.trap.as_deref(),
        Some("eth2_blockDataCopy: guest range 0xfff6+32 is outside memory of 65536 bytes")
    );
}

#[test]
fn block_data_copy_source_out_of_bounds_and_overflow() {
    let wasm = ee(
        "(call $copy (i32.const 0) (i32.const 30) (i32.const 11))",
        "",
    );
    assert_eq!(
        run(&wasm, PRE, &seq(40)).trap.as_deref(),
        Some("eth2_blockDataCopy: block data range 0x1e+11 is outside block data of 40 bytes")
    );
    // offset + length overflows u32 (Scout sliced `offset..length` here).
    let wasm = ee(
        "(call $copy (i32.const 0) (i32.const -1) (i32.const 2))",
        "",
    );
    let trap = run(&wasm, PRE, &seq(40)).trap.unwrap_or_default();
    assert!(trap.contains("block data range 0xffffffff+2"), "{trap}");
}

#[test]
fn push_new_deposit() {
    let wasm = ee(
        "(call $copy (i32.const 0) (i32.const 0) (i32.const 184)) (call $deposit (i32.const 0) (i32.const 184)) (call $deposit (i32.const 10) (i32.const 2))",
        "",
    );
    let data = seq(184);
    let result = run(&wasm, PRE, &data);
    assert_eq!(result.deposits, vec![data.clone(), data[10..12].to_vec()]);
    // No savePostStateRoot: ran fine but not accepted.
    assert_eq!(result.post_state, None);
    assert!(!result.accepted());
}

/// 300 deposits of a whole 64 KiB page pass the cap of 16 MiB: the run traps with the reason and
/// keeps none of them.
#[test]
fn deposits_of_one_run_are_capped() {
    let wasm = ee(
        "(local $i i32) (loop $again (call $deposit (i32.const 0) (i32.const 65536)) (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $again (i32.lt_u (local.get $i) (i32.const 300))))",
        "",
    );
    let result = run(&wasm, PRE, b"");
    assert_eq!(
        result.trap.as_deref(),
        Some("eth2_pushNewDeposit: deposits of one block exceed 16777216 bytes")
    );
    assert!(result.deposits.is_empty());
}

/// Empty deposits count too (each costs its record): a loop of `pushNewDeposit(ptr, 0)` reaches
/// the cap after 524,288 calls instead of piling up records for as long as the ticks last.
#[test]
fn empty_deposits_reach_the_cap() {
    let wasm = ee(
        "(local $i i32) (loop $again (call $deposit (i32.const 0) (i32.const 0)) (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $again (i32.lt_u (local.get $i) (i32.const 600000))))",
        "",
    );
    for &engine in Engine::ALL {
        let result = common::run_in(engine, &wasm, PRE, b"");
        assert_eq!(
            result.trap.as_deref(),
            Some("eth2_pushNewDeposit: deposits of one block exceed 16777216 bytes"),
            "{engine}"
        );
        assert!(result.deposits.is_empty());
    }
}

/// Empty debug lines fill the 1 MiB log too; the rest are counted as dropped, not kept.
#[test]
fn empty_debug_lines_are_bounded() {
    let wasm = ee(
        "(local $i i32) (loop $again (call $pm (i32.const 0) (i32.const 0)) (call $pmh (i32.const 0) (i32.const 0)) (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $again (i32.lt_u (local.get $i) (i32.const 100000))))",
        "",
    );
    for &engine in Engine::ALL {
        let result = common::run_in(engine, &wasm, PRE, b"");
        assert_eq!(result.debug_output.len(), 32_768, "{engine}");
        assert_eq!(result.debug_dropped, 200_000 - 32_768, "{engine}");
    }
}

/// Tables are capped: at load time for their initial size, and `table.grow` past the cap returns
/// -1 (the Wasm way to refuse) instead of making the host allocate.
#[test]
fn tables_are_capped() {
    let too_big = ee("", "(table 2000000 funcref)");
    let Err(error) = Runtime::new(Engine::Wasmi, &too_big, Limits::default()) else {
        panic!("a table of 2,000,000 elements was accepted");
    };
    assert!(
        error.to_string().contains("at most 1048576 allowed"),
        "{error}"
    );

    let grows = ee(
        "(if (i32.eq (table.grow (ref.null func) (i32.const 2000000)) (i32.const -1)) (then (call $save (i32.const 0))))",
        "(table 1 funcref)",
    );
    let result = run(&grows, PRE, b"");
    assert!(
        result.accepted(),
        "table.grow past the cap must return -1: {:?}",
        result.trap
    );
}

#[test]
fn push_new_deposit_out_of_bounds_discards_deposits() {
    let wasm = ee(
        "(call $deposit (i32.const 0) (i32.const 1)) (call $deposit (i32.const 65500) (i32.const 184))",
        "",
    );
    let result = run(&wasm, PRE, b"");
    assert_eq!(
        result.trap.as_deref(),
        Some("eth2_pushNewDeposit: guest range 0xffdc+184 is outside memory of 65536 bytes")
    );
    assert!(result.deposits.is_empty());
}

#[test]
fn use_ticks_adds_unsigned_ticks() {
    let base = run(&ee("(call $use (i32.const 0))", ""), PRE, b"").ticks;
    let more = run(&ee("(call $use (i32.const 1000))", ""), PRE, b"").ticks;
    assert_eq!(more - base, 1000);
    let huge = run(&ee("(call $use (i32.const -1))", ""), PRE, b"").ticks;
    assert_eq!(huge - base, u64::from(u32::MAX));
}

#[test]
fn debug_prints() {
    let wasm = ee(
        r#"(call $p32 (i32.const -1)) (call $p64 (i64.const 42))
           (call $pm (i32.const 0) (i32.const 5)) (call $pmh (i32.const 0) (i32.const 3))"#,
        r#"(data (i32.const 0) "hello")"#,
    );
    let result = run(&wasm, PRE, b"");
    assert_eq!(
        result.debug_output,
        vec![
            DebugLine::Print32(-1),
            DebugLine::Print64(42),
            DebugLine::Mem("hello".into()),
            DebugLine::MemHex(b"hel".to_vec()),
        ]
    );
    assert_eq!(
        result.debug_output[0].to_string(),
        "print32: 4294967295 (0xffffffff)"
    );
    assert_eq!(result.debug_output[3].to_string(), "print.hex: 68656c");
    // Printing without trapping gives no rejection reason.
    assert_eq!(result.reason, None);
}

#[test]
fn debug_print_mem_out_of_bounds() {
    for (f, name) in [("$pm", "debug_printMem"), ("$pmh", "debug_printMemHex")] {
        let wasm = ee(&format!("(call {f} (i32.const 65535) (i32.const 2))"), "");
        assert_eq!(
            run(&wasm, PRE, b"").trap,
            Some(format!(
                "{name}: guest range 0xffff+2 is outside memory of 65536 bytes"
            ))
        );
    }
}

#[test]
fn trap_after_print_mem_surfaces_the_reason() {
    let wasm = ee(
        r#"(call $load (i32.const 64)) (call $save (i32.const 64))
           (call $deposit (i32.const 0) (i32.const 4))
           (call $pm (i32.const 0) (i32.const 34)) unreachable"#,
        r#"(data (i32.const 0) "gas used 21000 != header 21001xxxx")"#,
    );
    let result = run(&wasm, PRE, b"");
    assert_eq!(
        result.reason.as_deref(),
        Some("gas used 21000 != header 21001xxxx")
    );
    assert_eq!(
        result.trap.as_deref(),
        Some("gas used 21000 != header 21001xxxx (trap: wasm `unreachable` instruction executed)")
    );
    // A trap rejects the block even though a root was saved first.
    assert_eq!(result.post_state, None);
    assert!(result.deposits.is_empty());
}

#[test]
fn unprefixed_eth2_and_debug_modules() {
    let wasm = wat::parse_str(
        r#"(module
          (import "eth2" "loadPreStateRoot" (func $load (param i32)))
          (import "eth2" "savePostStateRoot" (func $save (param i32)))
          (import "debug" "print32" (func $p32 (param i32)))
          (memory (export "memory") 1)
          (func (export "main") (call $load (i32.const 0)) (call $p32 (i32.const 5)) (call $save (i32.const 0))))"#,
    )
    .unwrap();
    let result = run(&wasm, PRE, b"");
    assert_eq!(result.post_state, Some(PRE));
    assert_eq!(result.debug_output, vec![DebugLine::Print32(5)]);
}

#[test]
fn runs_do_not_leak_state() {
    // The first run's global and memory writes must not be seen by the second.
    let wasm = ee(
        r#"(if (i32.ne (global.get $g) (i32.const 0)) (then unreachable))
           (global.set $g (i32.const 1))
           (if (i32.ne (i32.load (i32.const 0)) (i32.const 0)) (then unreachable))
           (i32.store (i32.const 0) (i32.const 9))
           (call $save (i32.const 100))"#,
        "(global $g (mut i32) (i32.const 0))",
    );
    for engine in Engine::ALL {
        let runtime = Runtime::new(*engine, &wasm, Limits::default()).unwrap();
        for _ in 0..3 {
            let result = runtime.execute(PRE, b"").unwrap();
            assert_eq!(result.trap, None, "{engine}");
            assert_eq!(result.post_state, Some([0; 32]));
        }
    }
}

#[test]
fn load_time_errors() {
    let limits = Limits::default();
    let err = |wasm: &[u8]| Runtime::new(Engine::Wasmi, wasm, limits).unwrap_err();
    assert!(matches!(err(b"not wasm"), HostError::InvalidModule(_)));
    let no_main = wat::parse_str(r#"(module (memory (export "memory") 1))"#).unwrap();
    assert_eq!(
        err(&no_main).to_string(),
        "module does not export a function `main`"
    );
    let no_memory = wat::parse_str(r#"(module (func (export "main")))"#).unwrap();
    assert_eq!(
        err(&no_memory).to_string(),
        "module does not export a memory named `memory`"
    );
    let bad_main = wat::parse_str(
        r#"(module (memory (export "memory") 1) (func (export "main") (param i32)))"#,
    )
    .unwrap();
    assert!(err(&bad_main).to_string().contains("[] -> []"));
    let unknown = wat::parse_str(
        r#"(module (import "env" "eth2_getBalance" (func)) (memory (export "memory") 1) (func (export "main")))"#,
    )
    .unwrap();
    assert_eq!(
        err(&unknown).to_string(),
        "module imports `env.eth2_getBalance`, which the host does not provide"
    );
    let wrong_sig = wat::parse_str(
        r#"(module (import "env" "eth2_blockDataSize" (func (result i64))) (memory (export "memory") 1) (func (export "main")))"#,
    )
    .unwrap();
    assert!(err(&wrong_sig).to_string().contains("expected [] -> [i32]"));
    let metering = wat::parse_str(
        r#"(module (import "metering" "finite_wasm_gas" (func (param i64))) (memory (export "memory") 1) (func (export "main")))"#,
    )
    .unwrap();
    assert!(matches!(err(&metering), HostError::UnknownImport { .. }));
}
