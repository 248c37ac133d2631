//! The precompiles as functions of (input, gas limit, pricing rules) to output and gas used, or
//! a failure: the whole contract of a call, the same natively, linked into the EE and inside a
//! standalone module.

use alloc::vec::Vec;

use crate::hash::{blake2f, ripemd160, sha256};
use crate::{bn254, modexp, secp256k1};

/// One of the precompiles of Frontier..Cancun.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Precompile {
    /// 0x01: secp256k1 public key recovery.
    Ecrecover,
    /// 0x02: SHA-256.
    Sha256,
    /// 0x03: RIPEMD-160.
    Ripemd160,
    /// 0x04: the identity.
    Identity,
    /// 0x05: modular exponentiation (EIP-198).
    Modexp,
    /// 0x06: BN254 G1 addition (EIP-196).
    Bn128Add,
    /// 0x07: BN254 G1 scalar multiplication (EIP-196).
    Bn128Mul,
    /// 0x08: BN254 pairing check (EIP-197).
    Bn128Pairing,
    /// 0x09: the BLAKE2b compression function (EIP-152).
    Blake2f,
    /// 0x0a: KZG point evaluation (EIP-4844).
    PointEvaluation,
}

impl Precompile {
    /// All of them, by address.
    pub const ALL: [Precompile; 10] = [
        Precompile::Ecrecover,
        Precompile::Sha256,
        Precompile::Ripemd160,
        Precompile::Identity,
        Precompile::Modexp,
        Precompile::Bn128Add,
        Precompile::Bn128Mul,
        Precompile::Bn128Pairing,
        Precompile::Blake2f,
        Precompile::PointEvaluation,
    ];

    /// The precompile at address `0x00..00nn`.
    pub fn from_number(n: u8) -> Option<Precompile> {
        Self::ALL.get(usize::from(n).checked_sub(1)?).copied()
    }

    /// The last byte of its address.
    pub fn number(self) -> u8 {
        self as u8 + 1
    }

    /// Its name in reports and module file names (`bn128_pairing`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Precompile::Ecrecover => "ecrecover",
            Precompile::Sha256 => "sha256",
            Precompile::Ripemd160 => "ripemd160",
            Precompile::Identity => "identity",
            Precompile::Modexp => "modexp",
            Precompile::Bn128Add => "bn128_add",
            Precompile::Bn128Mul => "bn128_mul",
            Precompile::Bn128Pairing => "bn128_pairing",
            Precompile::Blake2f => "blake2f",
            Precompile::PointEvaluation => "point_evaluation",
        }
    }

    /// The precompile of a [`Precompile::name`].
    pub fn from_name(name: &str) -> Option<Precompile> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// The fork-dependent prices: which repricings are in force.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Pricing {
    /// EIP-1108 (Istanbul): cheaper bn128 add, mul and pairing.
    pub eip1108: bool,
    /// EIP-2565 (Berlin): modexp's new formula.
    pub eip2565: bool,
}

impl Pricing {
    /// The prices of the latest fork.
    pub const LATEST: Pricing = Pricing {
        eip1108: true,
        eip2565: true,
    };

    /// The two flags as one integer (bit 0: EIP-1108, bit 1: EIP-2565): the standalone
    /// modules' ABI.
    pub fn to_bits(self) -> u32 {
        u32::from(self.eip1108) | (u32::from(self.eip2565) << 1)
    }

    /// The inverse of [`Pricing::to_bits`]; other bits are ignored.
    pub fn from_bits(bits: u32) -> Pricing {
        Pricing {
            eip1108: bits & 1 != 0,
            eip2565: bits & 2 != 0,
        }
    }
}

/// A successful call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    /// Gas charged, at most the call's limit.
    pub gas_used: u64,
    /// Return data.
    pub bytes: Vec<u8>,
}

/// Why a call failed (it then consumes all the gas it was given).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The price of this input is above the call's gas limit.
    OutOfGas {
        /// The price (saturated at `u64::MAX`).
        needed: u64,
    },
    /// The input is rejected; the text says why.
    InvalidInput(&'static str),
}

/// What a call returns.
pub type CallResult = Result<Output, Failure>;

fn charge(price: u64, gas_limit: u64) -> Result<u64, Failure> {
    if price > gas_limit {
        Err(Failure::OutOfGas { needed: price })
    } else {
        Ok(price)
    }
}

/// `base + per_word * ceil(len / 32)`, saturating.
fn linear_price(len: usize, base: u64, per_word: u64) -> u64 {
    (len as u64)
        .div_ceil(32)
        .saturating_mul(per_word)
        .saturating_add(base)
}

/// The first `N` bytes of `input`, zero-padded.
fn right_pad<const N: usize>(input: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    let len = input.len().min(N);
    out[..len].copy_from_slice(&input[..len]);
    out
}

/// Runs `precompile` on `input` with `gas_limit` under `pricing`.
pub fn run(precompile: Precompile, input: &[u8], gas_limit: u64, pricing: Pricing) -> CallResult {
    match precompile {
        Precompile::Ecrecover => run_ecrecover(input, gas_limit),
        Precompile::Sha256 => {
            let gas_used = charge(linear_price(input.len(), 60, 12), gas_limit)?;
            Ok(Output {
                gas_used,
                bytes: sha256::sha256(input).to_vec(),
            })
        }
        Precompile::Ripemd160 => {
            let gas_used = charge(linear_price(input.len(), 600, 120), gas_limit)?;
            let mut bytes = alloc::vec![0u8; 32];
            bytes[12..].copy_from_slice(&ripemd160::ripemd160(input));
            Ok(Output { gas_used, bytes })
        }
        Precompile::Identity => {
            let gas_used = charge(linear_price(input.len(), 15, 3), gas_limit)?;
            Ok(Output {
                gas_used,
                bytes: input.to_vec(),
            })
        }
        Precompile::Modexp => run_modexp(input, gas_limit, pricing),
        Precompile::Bn128Add => {
            let price = if pricing.eip1108 { 150 } else { 500 };
            let gas_used = charge(price, gas_limit)?;
            let sum = bn254::add(&right_pad(input)).map_err(Failure::InvalidInput)?;
            Ok(Output {
                gas_used,
                bytes: sum.to_vec(),
            })
        }
        Precompile::Bn128Mul => {
            let price = if pricing.eip1108 { 6_000 } else { 40_000 };
            let gas_used = charge(price, gas_limit)?;
            let product = bn254::mul(&right_pad(input)).map_err(Failure::InvalidInput)?;
            Ok(Output {
                gas_used,
                bytes: product.to_vec(),
            })
        }
        Precompile::Bn128Pairing => {
            let (base, per_pair) = if pricing.eip1108 {
                (45_000, 34_000)
            } else {
                (100_000, 80_000)
            };
            let pairs = (input.len() / bn254::PAIR_LEN) as u64;
            let gas_used = charge(
                pairs.saturating_mul(per_pair).saturating_add(base),
                gas_limit,
            )?;
            let one = bn254::pairing_check(input).map_err(Failure::InvalidInput)?;
            let mut bytes = alloc::vec![0u8; 32];
            bytes[31] = u8::from(one);
            Ok(Output { gas_used, bytes })
        }
        Precompile::Blake2f => run_blake2f(input, gas_limit),
        Precompile::PointEvaluation => crate::kzg::run(input, gas_limit),
    }
}

fn run_ecrecover(input: &[u8], gas_limit: u64) -> CallResult {
    let gas_used = charge(3_000, gas_limit)?;
    let input: [u8; 128] = right_pad(input);
    let word = |i: usize| -> [u8; 32] { right_pad(&input[32 * i..]) };
    let v = word(1);
    let odd_y = match (v[..31].iter().all(|b| *b == 0), v[31]) {
        (true, 27) => Some(false),
        (true, 28) => Some(true),
        _ => None,
    };
    let address = odd_y
        .and_then(|odd_y| secp256k1::recover(&word(0), &word(2), &word(3), odd_y))
        .map(|key| secp256k1::address(&key));
    // Any invalid signature is a success with empty output.
    let bytes = address.map_or_else(Vec::new, |address| {
        let mut bytes = alloc::vec![0u8; 32];
        bytes[12..].copy_from_slice(&address);
        bytes
    });
    Ok(Output { gas_used, bytes })
}

/// The 32-byte length word at `offset` (zero-padded), saturated to `u128::MAX`.
fn length_word(input: &[u8], offset: usize) -> u128 {
    let word: [u8; 32] = right_pad(input.get(offset..).unwrap_or(&[]));
    if word[..16].iter().any(|b| *b != 0) {
        return u128::MAX;
    }
    u128::from_be_bytes(right_pad(&word[16..]))
}

/// `input[start..start + len]`, zero-padded past its end.
fn padded_slice(input: &[u8], start: usize, len: usize) -> Vec<u8> {
    try_padded_slice(input, start, len).unwrap_or_default()
}

/// As [`padded_slice`], or `None` when `len` bytes cannot be allocated (only a gas limit far
/// beyond any block's pays for such lengths; this turns the allocator's abort into an error).
fn try_padded_slice(input: &[u8], start: usize, len: usize) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    out.try_reserve_exact(len).ok()?;
    out.resize(len, 0);
    if let Some(available) = input.get(start..) {
        let n = available.len().min(len);
        out[..n].copy_from_slice(&available[..n]);
    }
    Some(out)
}

fn run_modexp(input: &[u8], gas_limit: u64, pricing: Pricing) -> CallResult {
    let base_len = length_word(input, 0);
    let exp_len = length_word(input, 32);
    let mod_len = length_word(input, 64);
    let exp_start = 96u128.saturating_add(base_len);
    let exp_head = match usize::try_from(exp_start) {
        Ok(start) => padded_slice(input, start, exp_len.min(32) as usize),
        Err(_) => alloc::vec![0u8; exp_len.min(32) as usize],
    };
    let price = modexp::price(base_len, exp_len, mod_len, &exp_head, pricing.eip2565);
    let gas_used = charge(u64::try_from(price).unwrap_or(u64::MAX), gas_limit)?;
    if mod_len == 0 {
        return Ok(Output {
            gas_used,
            bytes: Vec::new(),
        });
    }
    // Lengths that got past pricing fit in memory for any gas limit a block can give.
    let too_long = Failure::InvalidInput("modexp: length beyond the address space");
    let to_usize = |n: u128| usize::try_from(n).map_err(|_| too_long);
    let (base_len, exp_len, mod_len) =
        (to_usize(base_len)?, to_usize(exp_len)?, to_usize(mod_len)?);
    let exp_start = 96usize.checked_add(base_len).ok_or(too_long)?;
    let mod_start = exp_start.checked_add(exp_len).ok_or(too_long)?;
    let too_large = Failure::InvalidInput("modexp: operands too large to allocate");
    let base = try_padded_slice(input, 96, base_len).ok_or(too_large)?;
    let exp = try_padded_slice(input, exp_start, exp_len).ok_or(too_large)?;
    let modulus = try_padded_slice(input, mod_start, mod_len).ok_or(too_large)?;
    Ok(Output {
        gas_used,
        bytes: modexp::modexp(&base, &exp, &modulus),
    })
}

fn run_blake2f(input: &[u8], gas_limit: u64) -> CallResult {
    let input: &[u8; 213] = input
        .try_into()
        .map_err(|_| Failure::InvalidInput("blake2f: input must be 213 bytes"))?;
    let last = match input[212] {
        0 => false,
        1 => true,
        _ => return Err(Failure::InvalidInput("blake2f: final flag must be 0 or 1")),
    };
    let rounds = u32::from_be_bytes([input[0], input[1], input[2], input[3]]);
    let gas_used = charge(u64::from(rounds), gas_limit)?;
    let word = |at: usize| {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&input[at..at + 8]);
        u64::from_le_bytes(bytes)
    };
    let mut h = [0u64; 8];
    for (i, w) in h.iter_mut().enumerate() {
        *w = word(4 + 8 * i);
    }
    let mut m = [0u64; 16];
    for (i, w) in m.iter_mut().enumerate() {
        *w = word(68 + 8 * i);
    }
    let t = [word(196), word(204)];
    blake2f::compress(rounds, &mut h, &m, t, last);
    let mut bytes = alloc::vec![0u8; 64];
    for (chunk, w) in bytes.chunks_exact_mut(8).zip(h) {
        chunk.copy_from_slice(&w.to_le_bytes());
    }
    Ok(Output { gas_used, bytes })
}
