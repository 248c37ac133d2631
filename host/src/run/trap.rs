//! The error a host function returns to make the guest trap, with a message for the result.

use std::fmt;

/// A trap raised by a host function: a bad guest pointer, an exhausted budget. The engines carry
/// it through the guest's unwinding and the runtime reads the message back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HostTrap(pub(crate) String);

impl HostTrap {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl fmt::Display for HostTrap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HostTrap {}

impl wasmi::errors::HostError for HostTrap {}
