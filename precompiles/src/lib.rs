//! Ethereum precompiles as Wasm guest code over a host "bignum" interface (issue 5). Today: the
//! bignum arithmetic itself ([`bignum`]), the one implementation behind both the host functions
//! of import module `bignum` (in `evm-ee-host`) and the pure-Wasm fallback a guest links in to
//! run without them, so that the two can only differ in speed.
//!
//! `no_std`, no dependencies: the limb arithmetic is a few dozen lines that must behave the same
//! on every target, and the tests check it against `num-bigint`.

#![no_std]
#![warn(missing_docs, unreachable_pub)]

pub mod bignum;
