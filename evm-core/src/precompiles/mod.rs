//! Precompiled contracts behind the [`Precompiles`] trait.

mod blake2f;
mod bn128;
mod ecrecover;
mod guest;
mod identity;
mod interface;
mod modexp;
mod native;
mod point_evaluation;
mod ripemd160;
mod sha256;

pub use guest::{GuestPrecompiles, pricing};
pub use interface::{
    PrecompileFailure, PrecompileOutput, PrecompileResult, Precompiles, precompile_address,
};
pub use native::NativePrecompiles;
