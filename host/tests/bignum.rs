//! The bignum host functions in every engine: results equal `precompiles::bignum` (whose own
//! tests check it against num-bigint), both import spellings, fixed ticks, and traps for
//! overflows and out-of-bounds pointers.

mod common;
use common::run;
use evm_ee_host::{TICKS_BIGNUM_MULMONT_256, TICKS_BIGNUM_MULMONT_384, TICKS_CALL};
use precompiles::bignum as arith;

/// BN254's base field modulus, little-endian limbs.
const BN254_P: [u64; 4] = [
    0x3c208c16d87cfd47,
    0x97816a916871ca8d,
    0xb85045b68181585d,
    0x30644e72e131a029,
];
/// BLS12-381's base field modulus, little-endian limbs.
const BLS_P: [u64; 6] = [
    0xb9feffffffffaaab,
    0x1eabfffeb153ffff,
    0x6730d2a0f6b0f624,
    0x64774b84f38512bf,
    0x4b1ba7b6434bacd7,
    0x1a0111ea397fe69a,
];

const IMPORTS: &str = r#"
  (import "bignum" "add256" (func $add256 (param i32 i32 i32)))
  (import "env" "bignum_sub256" (func $sub256 (param i32 i32 i32)))
  (import "bignum" "addmod256" (func $addmod256 (param i32 i32 i32 i32)))
  (import "bignum" "submod256" (func $submod256 (param i32 i32 i32 i32)))
  (import "bignum" "mulmodmont256" (func $mulmont256 (param i32 i32 i32 i32 i32)))
  (import "bignum" "addmod384" (func $addmod384 (param i32 i32 i32 i32)))
  (import "bignum" "mulmodmont384" (func $mulmont384 (param i32 i32 i32 i32 i32)))"#;

/// A WAT data segment holding `bytes` at `at`.
fn data(at: u32, bytes: &[u8]) -> String {
    let escaped: String = bytes.iter().map(|b| format!("\\{b:02x}")).collect();
    format!(r#"(data (i32.const {at}) "{escaped}")"#)
}

fn le<const N: usize>(limbs: &[u64; N]) -> Vec<u8> {
    limbs.iter().flat_map(|l| l.to_le_bytes()).collect()
}

/// An EE importing the bignum functions and the state-root functions, with the data segments,
/// running `body` and then saving the 32 bytes at 0x400 as the post-state.
fn module(body: &str, segments: &[String]) -> Vec<u8> {
    let text = format!(
        r#"(module
  (import "env" "eth2_loadPreStateRoot" (func $load (param i32)))
  (import "env" "eth2_savePostStateRoot" (func $save (param i32)))
  {IMPORTS}
  (memory (export "memory") 1)
  {}
  (func (export "main") {body} (call $save (i32.const 0x400))))"#,
        segments.join("\n")
    );
    wat::parse_str(&text).expect("test WAT is valid")
}

#[test]
fn modular_functions_match_the_shared_arithmetic() {
    let a = [1, 2, 3, 0x1000];
    let b = [u64::MAX, 7, 9, 0x2000];
    let inv = arith::mont_inv(BN254_P[0]);
    let segments = [
        data(0x100, &le(&a)),
        data(0x140, &le(&b)),
        data(0x180, &le(&BN254_P)),
        data(0x1c0, &inv.to_le_bytes()),
    ];
    for (call, expected) in [
        (
            "(call $addmod256 (i32.const 0x100) (i32.const 0x140) (i32.const 0x180) (i32.const 0x400))",
            arith::add_mod(&a, &b, &BN254_P),
        ),
        (
            "(call $submod256 (i32.const 0x100) (i32.const 0x140) (i32.const 0x180) (i32.const 0x400))",
            arith::sub_mod(&a, &b, &BN254_P),
        ),
        (
            "(call $mulmont256 (i32.const 0x100) (i32.const 0x140) (i32.const 0x180) (i32.const 0x1c0) (i32.const 0x400))",
            arith::mul_mod_mont(&a, &b, &BN254_P, inv),
        ),
    ] {
        let result = run(&module(call, &segments), [0; 32], b"");
        assert_eq!(result.trap, None, "{call}");
        assert_eq!(
            result.post_state.map(|s| s.to_vec()),
            Some(le(&expected)),
            "{call}"
        );
    }
}

#[test]
fn the_result_may_alias_an_operand_and_384_bits_work() {
    let a = [5, 0, 0, 0, 0, 1];
    let b = [3, 1, 4, 1, 5, 9];
    let inv = arith::mont_inv(BLS_P[0]);
    let segments = [
        data(0x400, &le(&a)),
        data(0x440, &le(&b)),
        data(0x480, &le(&BLS_P)),
        data(0x4c0, &inv.to_le_bytes()),
    ];
    // r = a * b (Montgomery), written over a; the post-state is its first 32 bytes.
    let result = run(
        &module(
            "(call $mulmont384 (i32.const 0x400) (i32.const 0x440) (i32.const 0x480) (i32.const 0x4c0) (i32.const 0x400))",
            &segments,
        ),
        [0; 32],
        b"",
    );
    let expected = le(&arith::mul_mod_mont(&a, &b, &BLS_P, inv));
    assert_eq!(
        result.post_state.map(|s| s.to_vec()),
        Some(expected[..32].to_vec())
    );
}

#[test]
fn scout_add256_and_sub256_are_big_endian_and_trap_on_overflow() {
    let mut one = [0u8; 32];
    one[31] = 1;
    let pre = [0x11; 32];
    // post = pre + 1 (Scout's own example EE), through module `bignum`.
    let add = module(
        "(call $load (i32.const 0x100)) (call $add256 (i32.const 0x100) (i32.const 0x140) (i32.const 0x400))",
        &[data(0x140, &one)],
    );
    let mut expected = pre;
    expected[31] += 1;
    assert_eq!(run(&add, pre, b"").post_state, Some(expected));
    let overflow = run(&add, [0xff; 32], b"");
    assert_eq!(
        overflow.trap.as_deref(),
        Some("bignum_add256: the sum overflows 256 bits")
    );
    // `env.bignum_sub256`: 0 - 1 traps.
    let sub = module(
        "(call $sub256 (i32.const 0x100) (i32.const 0x140) (i32.const 0x400))",
        &[data(0x140, &one)],
    );
    assert_eq!(
        run(&sub, [0; 32], b"").trap.as_deref(),
        Some("bignum_sub256: the difference is negative")
    );
}

#[test]
fn pointers_are_bounds_checked() {
    let call = "(call $addmod384 (i32.const 0) (i32.const 0) (i32.const 65500) (i32.const 0))";
    assert_eq!(
        run(&module(call, &[]), [0; 32], b"").trap.as_deref(),
        Some("bignum_addmod384: guest range 0xffdc+48 is outside memory of 65536 bytes")
    );
}

#[test]
fn each_call_costs_its_fixed_ticks() {
    let base = run(&module("", &[]), [0; 32], b"").ticks;
    let with_256 = run(
        &module(
            "(call $mulmont256 (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))",
            &[],
        ),
        [0; 32],
        b"",
    )
    .ticks;
    let with_384 = run(
        &module(
            "(call $mulmont384 (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))",
            &[],
        ),
        [0; 32],
        b"",
    )
    .ticks;
    // Five i32.const (1 tick each) and a call besides the function's own cost.
    assert_eq!(with_256 - base, TICKS_BIGNUM_MULMONT_256 + 5 + TICKS_CALL);
    assert_eq!(with_384 - base, TICKS_BIGNUM_MULMONT_384 + 5 + TICKS_CALL);
}
