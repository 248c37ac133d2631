//! The bignum interface (import module `bignum`, or `env` with a `bignum_` prefix): Scout's
//! `add256`/`sub256` and the modular functions the EVM384 and rollup.rs experiments showed to
//! matter, for 256 and 384 bits. The arithmetic is `precompiles::bignum`, the same code a guest
//! links in as its pure-Wasm fallback; here it only reads operands from guest memory, charges
//! the function's fixed ticks and writes the result.
//!
//! | import | operands (pointers into the caller's memory) | ticks |
//! | --- | --- | --- |
//! | `add256(a, b, c)`, `sub256(a, b, c)` | 32-byte big-endian; a carry or borrow traps (Scout aborted) | [`TICKS_BIGNUM_256`] |
//! | `addmod256(a, b, m, r)`, `submod256(a, b, m, r)` | 4 little-endian `u64` limbs | [`TICKS_BIGNUM_256`] |
//! | `mulmodmont256(a, b, m, inv, r)` | 4 limbs; `inv` is 8 bytes, `-m^-1 mod 2^64` | [`TICKS_BIGNUM_MULMONT_256`] |
//! | `addmod384`, `submod384` | 6 limbs | [`TICKS_BIGNUM_384`] |
//! | `mulmodmont384(a, b, m, inv, r)` | 6 limbs | [`TICKS_BIGNUM_MULMONT_384`] |
//!
//! The result may alias any operand. Every range is bounds-checked; out of bounds traps with the
//! function's name and the range.

use precompiles::bignum as arith;

use crate::run::eei::{HostFn, guest_range};
use crate::run::trap::HostTrap;

/// Ticks of a 256-bit addition or subtraction, plain or modular (the host call included).
pub const TICKS_BIGNUM_256: u64 = 40;
/// Ticks of a 256-bit Montgomery multiplication.
pub const TICKS_BIGNUM_MULMONT_256: u64 = 60;
/// Ticks of a 384-bit modular addition or subtraction.
pub const TICKS_BIGNUM_384: u64 = 50;
/// Ticks of a 384-bit Montgomery multiplication.
pub const TICKS_BIGNUM_MULMONT_384: u64 = 100;

/// One function of the bignum interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BignumFn {
    Add256,
    Sub256,
    AddMod256,
    SubMod256,
    MulModMont256,
    AddMod384,
    SubMod384,
    MulModMont384,
}

impl BignumFn {
    /// The name in module `bignum`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            BignumFn::Add256 => "add256",
            BignumFn::Sub256 => "sub256",
            BignumFn::AddMod256 => "addmod256",
            BignumFn::SubMod256 => "submod256",
            BignumFn::MulModMont256 => "mulmodmont256",
            BignumFn::AddMod384 => "addmod384",
            BignumFn::SubMod384 => "submod384",
            BignumFn::MulModMont384 => "mulmodmont384",
        }
    }

    /// The name in module `env`, as Scout-era AssemblyScript EEs import it.
    pub(crate) fn env_name(self) -> &'static str {
        match self {
            BignumFn::Add256 => "bignum_add256",
            BignumFn::Sub256 => "bignum_sub256",
            BignumFn::AddMod256 => "bignum_addmod256",
            BignumFn::SubMod256 => "bignum_submod256",
            BignumFn::MulModMont256 => "bignum_mulmodmont256",
            BignumFn::AddMod384 => "bignum_addmod384",
            BignumFn::SubMod384 => "bignum_submod384",
            BignumFn::MulModMont384 => "bignum_mulmodmont384",
        }
    }

    /// How many `i32` pointers it takes.
    pub(crate) fn arity(self) -> usize {
        match self {
            BignumFn::Add256 | BignumFn::Sub256 => 3,
            BignumFn::AddMod256
            | BignumFn::SubMod256
            | BignumFn::AddMod384
            | BignumFn::SubMod384 => 4,
            BignumFn::MulModMont256 | BignumFn::MulModMont384 => 5,
        }
    }

    pub(crate) fn ticks(self) -> u64 {
        match self {
            BignumFn::Add256 | BignumFn::Sub256 | BignumFn::AddMod256 | BignumFn::SubMod256 => {
                TICKS_BIGNUM_256
            }
            BignumFn::MulModMont256 => TICKS_BIGNUM_MULMONT_256,
            BignumFn::AddMod384 | BignumFn::SubMod384 => TICKS_BIGNUM_384,
            BignumFn::MulModMont384 => TICKS_BIGNUM_MULMONT_384,
        }
    }
}

/// `N` bytes of guest memory at `ptr`.
fn read<const N: usize>(f: BignumFn, memory: &[u8], ptr: u32) -> Result<[u8; N], HostTrap> {
    let range = guest_range(HostFn::Bignum(f), memory.len(), ptr, N as u32)?;
    let mut bytes = [0u8; N];
    bytes.copy_from_slice(&memory[range]);
    Ok(bytes)
}

/// Writes `bytes` to guest memory at `ptr`.
fn write(f: BignumFn, memory: &mut [u8], ptr: u32, bytes: &[u8]) -> Result<(), HostTrap> {
    let range = guest_range(HostFn::Bignum(f), memory.len(), ptr, bytes.len() as u32)?;
    memory[range].copy_from_slice(bytes);
    Ok(())
}

/// A modular function over `N` limbs (`BYTES` = 8 N): operands at `args[..3]` (`a`, `b`, `m`),
/// for Montgomery `inv` at `args[3]`, the result at the last pointer.
fn modular<const N: usize, const BYTES: usize>(
    f: BignumFn,
    memory: &mut [u8],
    args: &[u32],
) -> Result<(), HostTrap> {
    let [a, b, m, ..] = *args else {
        return Err(HostTrap::new(format!("{}: missing operands", f.env_name())));
    };
    let a: [u64; N] = arith::limbs_from_le(&read::<BYTES>(f, memory, a)?);
    let b: [u64; N] = arith::limbs_from_le(&read::<BYTES>(f, memory, b)?);
    let m: [u64; N] = arith::limbs_from_le(&read::<BYTES>(f, memory, m)?);
    let result = match f {
        BignumFn::AddMod256 | BignumFn::AddMod384 => arith::add_mod(&a, &b, &m),
        BignumFn::SubMod256 | BignumFn::SubMod384 => arith::sub_mod(&a, &b, &m),
        _ => {
            let inv = u64::from_le_bytes(read::<8>(f, memory, args[3])?);
            arith::mul_mod_mont(&a, &b, &m, inv)
        }
    };
    let mut out = [0u8; BYTES];
    arith::limbs_to_le(&result, &mut out);
    let ret = args[args.len() - 1];
    write(f, memory, ret, &out)
}

/// Runs bignum function `f` with the pointers `args` (as many as [`BignumFn::arity`]); the
/// engines charge its fixed ticks first, straight on the guest's tick counter.
pub(crate) fn compute(f: BignumFn, memory: &mut [u8], args: &[u32]) -> Result<(), HostTrap> {
    {
        if args.len() != f.arity() {
            return Err(HostTrap::new(format!(
                "{}: takes {} pointers, got {}",
                f.env_name(),
                f.arity(),
                args.len()
            )));
        }
        match f {
            BignumFn::Add256 | BignumFn::Sub256 => {
                let a = read::<32>(f, memory, args[0])?;
                let b = read::<32>(f, memory, args[1])?;
                let result = if f == BignumFn::Add256 {
                    arith::add256_be(&a, &b)
                        .ok_or_else(|| HostTrap::new("bignum_add256: the sum overflows 256 bits"))?
                } else {
                    arith::sub256_be(&a, &b)
                        .ok_or_else(|| HostTrap::new("bignum_sub256: the difference is negative"))?
                };
                write(f, memory, args[2], &result)
            }
            BignumFn::AddMod256 | BignumFn::SubMod256 | BignumFn::MulModMont256 => {
                modular::<4, 32>(f, memory, args)
            }
            BignumFn::AddMod384 | BignumFn::SubMod384 | BignumFn::MulModMont384 => {
                modular::<6, 48>(f, memory, args)
            }
        }
    }
}
