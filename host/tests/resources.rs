//! The resource model of one run: the EE and its libraries share one memory and table allowance,
//! the number of libraries is capped, and what the debug interface keeps is bounded by the text
//! it becomes. Every test runs in both engines where the build has them, and bounds work by sizes
//! and ticks, not time.

mod common;

use common::{ee, run_limits};
use evm_ee_host::{Engine, HostError, Library, Limits, MAX_LIBRARIES, Runtime};

/// A library with `pages` of memory that grows it by `grow` pages at start and exports the result.
fn library(pages: u32, grow: u32) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module
            (memory (export "memory") {pages})
            (global (export "grown") (mut i32) (i32.const 0))
            (func $start (global.set 0 (memory.grow (i32.const {grow}))))
            (start $start))"#
    ))
    .unwrap()
}

fn limits(pages: u32) -> Limits {
    Limits {
        max_memory_pages: pages,
        ..Limits::default()
    }
}

#[test]
fn libraries_share_the_run_memory_limit() {
    // Today's limit per memory let 16 libraries take 16 x 128 MiB; now the pages are the run's.
    let libraries: Vec<Library> = (0..3)
        .map(|i| Library {
            name: format!("lib{i}"),
            wasm: library(2, 0),
        })
        .collect();
    let main = ee("", "");
    for &engine in Engine::ALL {
        // 3 x 2 + 1 pages at start: refused at load, named, in every engine.
        let error = Runtime::with_libraries(engine, &main, &libraries, limits(6)).unwrap_err();
        assert!(
            matches!(error, HostError::RunMemoryTooLarge { pages: 7, max: 6 }),
            "{engine}: {error}"
        );
        assert!(Runtime::with_libraries(engine, &main, &libraries, limits(7)).is_ok());
    }
}

#[test]
fn memory_grow_is_refused_past_what_the_other_modules_hold() {
    // The library takes 3 pages; the EE may grow only by what is left of 8.
    let libraries = [Library {
        name: "big".into(),
        wasm: library(1, 2),
    }];
    let main = ee(
        "(call $p32 (memory.grow (i32.const 5))) (call $p32 (memory.grow (i32.const 1)))",
        "",
    );
    let mut outcomes = Vec::new();
    for &engine in Engine::ALL {
        let runtime = Runtime::with_libraries(engine, &main, &libraries, limits(8)).unwrap();
        let result = runtime.execute([0; 32], b"").unwrap();
        assert_eq!(result.trap, None);
        outcomes.push((result.debug_output, result.ticks));
    }
    use evm_ee_host::DebugLine::Print32;
    // The library holds 3 pages and the EE 1: growing the EE by 5 would make 9 pages of 8 and
    // returns -1; growing it by 1 makes 5 and returns the EE's old size, 1.
    assert_eq!(outcomes[0].0, vec![Print32(-1), Print32(1)]);
    assert!(outcomes.windows(2).all(|w| w[0] == w[1]), "{outcomes:?}");
}

#[test]
fn the_number_of_libraries_is_capped() {
    let libraries: Vec<Library> = (0..=MAX_LIBRARIES)
        .map(|i| Library {
            name: format!("lib{i}"),
            wasm: library(0, 0),
        })
        .collect();
    let error = Runtime::with_libraries(Engine::Wasmi, &ee("", ""), &libraries, Limits::default())
        .unwrap_err();
    assert!(
        matches!(error, HostError::TooManyLibraries { count, max } if count == MAX_LIBRARIES + 1 && max == MAX_LIBRARIES),
        "{error}"
    );
    assert!(
        Runtime::with_libraries(
            Engine::Wasmi,
            &ee("", ""),
            &libraries[..MAX_LIBRARIES],
            Limits::default()
        )
        .is_ok()
    );
}

#[test]
fn invalid_utf8_in_print_mem_is_kept_within_the_cap_as_text() {
    // 64 KiB of 0xff per print becomes 192 KiB of U+FFFD: the log keeps as many lines as fit
    // 1 MiB of text (5), not as many as fit 1 MiB of bytes (15).
    let main = ee(
        r#"(local $n i32)
           (memory.fill (i32.const 0) (i32.const 255) (i32.const 65536))
           (local.set $n (i32.const 16))
           (loop $l
             (call $pm (i32.const 0) (i32.const 65536))
             (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))"#,
        "",
    );
    let result = run_limits(&main, [0; 32], b"", Limits::default());
    assert_eq!(result.trap, None);
    assert_eq!(result.debug_output.len(), 5);
    assert_eq!(result.debug_dropped, 11);
    let text: usize = result
        .debug_output
        .iter()
        .map(|line| line.to_string().len())
        .sum();
    assert!(text <= 1024 * 1024 + 5 * 16, "{text} bytes kept");
}

#[test]
fn memory_and_table_growth_are_charged_by_size() {
    use evm_ee_host::{TICKS_MEMORY_GROW_PER_PAGE, TICKS_TABLE_GROW_PER_ELEMENT};
    let grow = |pages: u32, elements: u32| {
        let main = ee(
            &format!(
                "(drop (memory.grow (i32.const {pages}))) (drop (table.grow (ref.null func) (i32.const {elements})))"
            ),
            "(table 0 funcref)",
        );
        run_limits(&main, [0; 32], b"", Limits::default())
    };
    let base = grow(0, 0);
    let grown = grow(10, 100);
    assert_eq!(grown.trap, None);
    assert_eq!(
        grown.ticks - base.ticks,
        (10 * TICKS_MEMORY_GROW_PER_PAGE + 100 * TICKS_TABLE_GROW_PER_ELEMENT) as u64
    );
    // A growth the run cannot have (3,000 pages of 2,048) is charged all the same: asking is the
    // work an attacker would repeat.
    let refused = grow(3_000, 0);
    assert_eq!(refused.trap, None);
    assert_eq!(
        refused.ticks - base.ticks,
        3_000 * TICKS_MEMORY_GROW_PER_PAGE as u64
    );
    // Past the budget the charge traps before anything is allocated.
    let main = ee("(drop (memory.grow (i32.const 2000)))", "");
    let result = run_limits(
        &main,
        [0; 32],
        b"",
        Limits {
            max_ticks: 1_000_000,
            ..Limits::default()
        },
    );
    assert_eq!(
        result.trap.as_deref(),
        Some("tick budget 1000000 exhausted")
    );
}

#[test]
fn segments_that_do_not_fit_reject_the_block_alike_in_every_engine() {
    // Found by the differential fuzz target: an element segment past its table was a host error
    // in wasmi and a trap in wasmtime.
    let element = ee("", "(table 1 funcref) (elem (i32.const 1) $f) (func $f)");
    let result = run_limits(&element, [0; 32], b"", Limits::default());
    assert_eq!(result.trap.as_deref(), Some("out of bounds table access"));
    let data = ee("", r#"(data (i32.const 65535) "ab")"#);
    let result = run_limits(&data, [0; 32], b"", Limits::default());
    assert_eq!(result.trap.as_deref(), Some("out of bounds memory access"));
}

/// An EE calls a function of a library (Scout's `libraries`): linked by name, metered (the
/// library's instructions cost ticks like the EE's), with the same ticks in every engine.
#[test]
fn an_ee_calls_a_library_function_with_the_same_ticks_everywhere() {
    let user = wat::parse_str(include_str!("../../tests/ees/library_user.wat")).unwrap();
    let numbers = [Library {
        name: "numbers".into(),
        wasm: wat::parse_str(include_str!("../../tests/ees/numbers.wat")).unwrap(),
    }];
    let mut runs = Vec::new();
    for &engine in Engine::ALL {
        let runtime = Runtime::with_libraries(engine, &user, &numbers, Limits::default()).unwrap();
        let result = runtime.execute([0; 32], b"").unwrap();
        assert_eq!(result.trap, None, "{engine}");
        let mut seven = [0u8; 32];
        seven[0] = 7;
        assert_eq!(result.post_state, Some(seven), "{engine}");
        runs.push(result.ticks);
        // Without the library the import is unknown.
        let error = Runtime::new(engine, &user, Limits::default()).unwrap_err();
        assert!(
            matches!(&error, HostError::UnknownImport { module, .. } if module == "numbers"),
            "{engine}: {error}"
        );
    }
    assert!(runs.windows(2).all(|w| w[0] == w[1]), "{runs:?}");
}
