//! Ethereum's precompiles as `no_std` guest code over a host "bignum" interface: the same code
//! runs natively, linked into the EE, and as one standalone Wasm module per precompile
//! (`precompile-modules`).
//!
//! Layers, bottom up: [`bignum`] is the limb arithmetic of the interface (the host functions of
//! import module `bignum` in `evm-ee-host` run exactly this); `arith` picks where field
//! arithmetic runs (the host's imports on wasm32 with the `host-bignum` feature, [`bignum`]
//! compiled in otherwise, the pure-Wasm fallback); [`field`], [`tower`] and [`curve`] are
//! Montgomery prime fields, the Fp2/Fp6/Fp12 tower and `a = 0` Weierstrass curves over them;
//! [`bn254`], [`bls12_381`], [`secp256k1`], [`hash`], [`modexp`] and [`kzg`] are the precompiles' mathematics; and
//! [`precompile`] is the contract of a call: input, gas limit and pricing rules in, output and
//! gas or a failure out.
//!
//! No dependencies: guest modules must not carry any, and every piece is checked against a
//! native reference crate in the tests (`num-bigint`, `k256`, `substrate-bn`, `sha2`, `ripemd`,
//! `blake2`, `bls12_381`; the differential tests live in `evm-core`, against its native set).

#![no_std]
#![warn(missing_docs, unreachable_pub)]

extern crate alloc;

mod arith;
pub mod bignum;
pub mod bls12_381;
pub mod bn254;
pub mod curve;
pub mod field;
pub mod hash;
pub mod kzg;
pub mod modexp;
pub mod precompile;
pub mod secp256k1;
pub mod tower;

pub use arith::HOST_BIGNUM;
pub use precompile::{CallResult, Failure, Output, Precompile, Pricing, run};
