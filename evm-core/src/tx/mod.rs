//! Transactions: what the executor consumes ([`TxEnv`]) and why one can be rejected; the signed
//! wire form ([`Transaction`]) with decoding, hashing and sender recovery; intrinsic gas and the
//! state-independent validity rules.

mod env;
mod envelope;
mod error;
mod intrinsic;
mod signature;
mod validate;

pub use env::{AccessListItem, GasPrice, TxEnv, TxKind, TxType};
pub use envelope::{Signature, Transaction};
pub use error::InvalidTransaction;
pub use intrinsic::intrinsic_gas;
pub use signature::address_of_secret_key;
pub use validate::{
    MAX_BLOBS_PER_TX, MAX_INIT_CODE_SIZE, VERSIONED_HASH_VERSION_KZG, validate_static,
};
