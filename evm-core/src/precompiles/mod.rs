//! Precompiled contracts behind the [`Precompiles`] trait.

#[cfg(feature = "native-precompiles")]
mod blake2f;
#[cfg(feature = "native-precompiles")]
mod bn128;
#[cfg(feature = "native-precompiles")]
mod ecrecover;
mod guest;
#[cfg(feature = "native-precompiles")]
mod identity;
mod interface;
#[cfg(feature = "native-precompiles")]
mod modexp;
#[cfg(feature = "native-precompiles")]
mod native;
#[cfg(feature = "native-precompiles")]
mod point_evaluation;
#[cfg(feature = "native-precompiles")]
mod ripemd160;
#[cfg(feature = "native-precompiles")]
mod sha256;

pub use guest::{GuestPrecompiles, pricing};
pub use interface::{
    PrecompileFailure, PrecompileOutput, PrecompileResult, Precompiles, precompile_address,
};
#[cfg(feature = "native-precompiles")]
pub use native::NativePrecompiles;
