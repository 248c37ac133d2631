//! The standalone precompile modules (both builds: host bignum and compiled-in bignum) in every
//! engine against the native precompile set of evm-core (k256, substrate-bn, sha2, ripemd,
//! aurora-engine-modexp, EIP-152's F): same output, same gas, same kind of failure; the same
//! ticks in every engine; and a module's ABI checked at load time.

use ee_module::{Bignum, Precompile, precompile_module};
use evm_core::precompiles::{
    NativePrecompiles, PrecompileFailure, Precompiles, precompile_address, pricing,
};
use evm_core::spec::SpecId;
use evm_ee_host::{Engine, HostError, Limits, PrecompileModule, PrecompileOutcome};

/// xorshift64: reproducible inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).expect("hex literal")
}

/// EIP-197's G2 generator, `x_im ‖ x_re ‖ y_im ‖ y_re`.
const G2: &str = "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c21800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa";
const P: &str = "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47";

/// A G1 point `k G` computed by the native set.
fn g1_times(k: u64) -> Vec<u8> {
    let mut input = vec![0u8; 96];
    input[31] = 1;
    input[63] = 2;
    input[88..].copy_from_slice(&k.to_be_bytes());
    native(SpecId::Cancun, Precompile::Bn128Mul, &input).expect("valid mul")
}

/// `-P` of an encoded G1 point (not infinity).
fn g1_neg(point: &[u8]) -> Vec<u8> {
    let p = h(P);
    let mut out = point[..32].to_vec();
    let mut borrow = 0i16;
    let mut y = [0u8; 32];
    for i in (0..32).rev() {
        let mut d = i16::from(p[i]) - i16::from(point[32 + i]) - borrow;
        borrow = i16::from(d < 0);
        if d < 0 {
            d += 256;
        }
        y[i] = d as u8;
    }
    out.extend_from_slice(&y);
    out
}

fn native(spec: SpecId, precompile: Precompile, input: &[u8]) -> Option<Vec<u8>> {
    match NativePrecompiles.execute(
        spec,
        precompile_address(precompile.number()),
        input,
        u64::MAX,
    ) {
        Some(Ok(out)) => Some(out.bytes),
        _ => None,
    }
}

/// Inputs for each precompile: the EIPs' examples, valid structured inputs, edge cases and
/// random bytes.
fn inputs(precompile: Precompile, rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut inputs: Vec<Vec<u8>> = [0usize, 1, 32, 64, 96, 128, 191, 192, 213]
        .iter()
        .map(|&len| rng.bytes(len))
        .collect();
    match precompile {
        Precompile::Ecrecover => {
            // EIP-2's style vector: a real signature of a real hash (from the ethereum/tests
            // precompile suite), and the same with v flipped.
            let valid = h(
                "18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c000000000000000000000000000000000000000000000000000000000000001c73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75feeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549",
            );
            let mut flipped = valid.clone();
            flipped[63] = 27;
            inputs.extend([valid, flipped]);
        }
        Precompile::Sha256 | Precompile::Ripemd160 | Precompile::Identity => {
            inputs.extend([rng.bytes(1000), rng.bytes(8192)]);
        }
        Precompile::Modexp => {
            inputs.push(h("0000000000000000000000000000000000000000000000000000000000000001000000000000000000000000000000000000000000000000000000000000002000000000000000000000000000000000000000000000000000000000000000200000000000000000000000000000000000000000000000000000000000000003fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2efffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f"));
            for (b, e, m) in [
                (40, 20, 40),
                (64, 32, 64),
                (100, 5, 97),
                (10, 10, 48),
                (5, 3, 8),
            ] {
                let mut input = Vec::new();
                for len in [b, e, m] {
                    let mut word = vec![0u8; 32];
                    word[31] = len as u8;
                    input.extend(word);
                }
                input.extend(rng.bytes(b + e + m));
                inputs.push(input);
            }
        }
        Precompile::Bn128Add => {
            inputs.push([g1_times(3), g1_times(5)].concat());
            inputs.push([g1_times(7), g1_times(7)].concat());
            inputs.push([g1_times(7), g1_neg(&g1_times(7))].concat());
            let mut off_curve = g1_times(3);
            off_curve[63] ^= 1;
            inputs.push([off_curve, g1_times(1)].concat());
        }
        Precompile::Bn128Mul => {
            inputs.push([g1_times(3), rng.bytes(32)].concat());
            inputs.push([g1_times(3), vec![0xff; 32]].concat());
        }
        Precompile::Bn128Pairing => {
            let q = h(G2);
            let p = g1_times(12345);
            inputs.push([p.clone(), q.clone(), g1_neg(&p), q.clone()].concat());
            inputs.push([p.clone(), q.clone(), g1_times(9), q.clone()].concat());
            let mut off_twist = q.clone();
            off_twist[127] ^= 1;
            inputs.push([p, off_twist].concat());
            inputs.push(Vec::new());
        }
        Precompile::PointEvaluation => {
            // A valid proof of the c-kzg-4844 reference tests, and the same with y changed.
            let valid = h(
                "01ad7666ef9d8f53b5adf54f029b13b6f171b1d0bd346a2ede315d3e243484ef73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000000000000000000000000000000000000000000000000000000000000000000000093efc82d2017e9c57834a1246463e64774e56183bb247c8fc9dd98c56817e878d97b05f5c8d900acf1fbbbca6f14655692c51ff81dd71dab71cefecd79e8274b4b7ba36a0f40e2dc086bc4061c7f63249877db23297212991fd63e07b7ebc348",
            );
            let mut wrong_y = valid.clone();
            wrong_y[95] ^= 1;
            inputs.extend([valid, wrong_y]);
        }
        Precompile::Blake2f => {
            let mut input = rng.bytes(213);
            input[..4].copy_from_slice(&12u32.to_be_bytes());
            input[212] = 1;
            inputs.push(input);
        }
    }
    inputs
}

#[test]
fn modules_agree_with_the_native_set_in_every_engine() {
    let mut rng = Rng(11);
    let limits = Limits::default();
    for precompile in Precompile::ALL {
        let inputs = inputs(precompile, &mut rng);
        for bignum in Bignum::ALL {
            let wasm = precompile_module(precompile, bignum);
            let mut ticks_by_engine: Vec<Vec<u64>> = Vec::new();
            for &engine in Engine::ALL {
                let module = PrecompileModule::new(engine, wasm, limits).expect("load");
                // One instance for every call: nothing may leak from a call into the next.
                let mut instance = module.instantiate().expect("instantiate");
                let mut ticks = Vec::new();
                for input in &inputs {
                    // Byzantium's prices where the precompile exists then (blake2f came in Istanbul).
                    let first = match precompile {
                        Precompile::Blake2f => SpecId::Istanbul,
                        Precompile::PointEvaluation => SpecId::Cancun,
                        _ => SpecId::Byzantium,
                    };
                    for spec in [first, SpecId::Cancun] {
                        let address = precompile_address(precompile.number());
                        let expected = NativePrecompiles.execute(spec, address, input, 10_000_000);
                        let call = instance
                            .call(input, 10_000_000, pricing(spec).to_bits())
                            .expect("call");
                        let what = format!(
                            "{precompile:?} {bignum:?} {engine} {spec} on {}",
                            hex::encode(input)
                        );
                        match (expected.expect("active"), &call.outcome) {
                            (Ok(out), PrecompileOutcome::Success { gas_used, output }) => {
                                assert_eq!(
                                    (out.gas_used, &out.bytes),
                                    (*gas_used, output),
                                    "{what}"
                                );
                            }
                            (
                                Err(PrecompileFailure::OutOfGas { needed, .. }),
                                PrecompileOutcome::OutOfGas { needed: n },
                            ) => {
                                assert_eq!(needed, *n, "{what}");
                            }
                            (
                                Err(PrecompileFailure::InvalidInput(_)),
                                PrecompileOutcome::InvalidInput(why),
                            ) => {
                                assert!(!why.is_empty(), "{what}");
                            }
                            (expected, got) => {
                                panic!("{what}: native {expected:?}, module {got:?}")
                            }
                        }
                        ticks.push(call.ticks);
                    }
                }
                ticks_by_engine.push(ticks);
            }
            assert!(
                ticks_by_engine.windows(2).all(|w| w[0] == w[1]),
                "{precompile:?} {bignum:?}: ticks differ between engines"
            );
        }
    }
}

#[test]
fn out_of_gas_and_out_of_ticks() {
    let wasm = precompile_module(Precompile::Bn128Pairing, Bignum::Host);
    let module = PrecompileModule::new(Engine::Wasmi, wasm, Limits::default()).expect("load");
    let mut instance = module.instantiate().expect("instantiate");
    let input = [g1_times(2), h(G2)].concat();
    let call = instance.call(&input, 78_999, 1).expect("call");
    assert_eq!(call.outcome, PrecompileOutcome::OutOfGas { needed: 79_000 });
    let small = Limits {
        max_ticks: 100_000,
        ..Limits::default()
    };
    let module = PrecompileModule::new(Engine::Wasmi, wasm, small).expect("load");
    let mut instance = module.instantiate().expect("instantiate");
    let call = instance.call(&input, 1_000_000, 1).expect("call");
    assert!(
        matches!(&call.outcome, PrecompileOutcome::Trap(why) if why.contains("tick budget")),
        "{call:?}"
    );
    assert_eq!(call.ticks, 100_000);
    // The instance is still usable, with a fresh meter.
    let call = instance.call(b"", 1_000_000, 1).expect("call");
    assert!(
        matches!(call.outcome, PrecompileOutcome::Success { .. }),
        "{call:?}"
    );
}

#[test]
fn a_module_without_the_abi_is_refused_at_load() {
    let ee = wat::parse_str(r#"(module (memory (export "memory") 1) (func (export "main")))"#)
        .expect("wat");
    let err = PrecompileModule::new(Engine::Wasmi, &ee, Limits::default()).expect_err("no ABI");
    assert!(
        matches!(&err, HostError::MissingExport(what) if what.contains("precompile_input")),
        "{err}"
    );
    let wrong_type = wat::parse_str(
        r#"(module (memory (export "memory") 1)
            (func (export "precompile_input") (param i64) (result i32) i32.const 0))"#,
    )
    .expect("wat");
    let err = PrecompileModule::new(Engine::Wasmi, &wrong_type, Limits::default())
        .expect_err("wrong type");
    assert!(err.to_string().contains("[i32] -> [i32]"), "{err}");
}

/// A long exponent runs in constant memory: 800,000 squarings inside 2 MiB (an allocation per
/// step would need 25 MB of the bump allocator, which frees nothing within a call).
#[test]
fn modexp_with_a_long_exponent_allocates_nothing_per_step() {
    let exp_len = 100_000usize;
    let mut input = Vec::new();
    for len in [1usize, exp_len, 1] {
        let mut word = vec![0u8; 32];
        word[24..].copy_from_slice(&(len as u64).to_be_bytes());
        input.extend(word);
    }
    // base 3, exponent 0xff00..00 (zero-padded by the precompile), modulus 251.
    input.extend([3, 0xff, 251]);
    let limits = Limits {
        max_memory_pages: 32,
        ..Limits::default()
    };
    let address = precompile_address(5);
    let expected = NativePrecompiles
        .execute(SpecId::Cancun, address, &input, 10_000_000)
        .expect("active")
        .expect("valid");
    for bignum in Bignum::ALL {
        let wasm = precompile_module(Precompile::Modexp, bignum);
        let module = PrecompileModule::new(Engine::Wasmi, wasm, limits).expect("load");
        let mut instance = module.instantiate().expect("instantiate");
        let call = instance
            .call(&input, 10_000_000, pricing(SpecId::Cancun).to_bits())
            .expect("call");
        assert_eq!(
            call.outcome,
            PrecompileOutcome::Success {
                gas_used: expected.gas_used,
                output: expected.bytes.clone()
            },
            "{bignum:?}"
        );
    }
}
