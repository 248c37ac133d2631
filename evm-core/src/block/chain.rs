//! Which fork rules a block follows: the fork schedule of a chain, from ethereum/tests network
//! names (the EE's compact chain config converts to and from it in the `stateless` crate).

use alloc::vec::Vec;
use primitive_types::U256;

use crate::spec::SpecId;

/// When a fork activates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    /// From this block number on (Frontier to London).
    Block(u64),
    /// From the first block whose timestamp is at least this (Shanghai on).
    Timestamp(u64),
    /// The merge (EIP-3675): from the first block whose parent's total difficulty reaches this
    /// terminal total difficulty.
    TotalDifficulty(U256),
}

/// A chain's rules: its id, its forks in activation order, the DAO fork block if it took the
/// DAO fork.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainSpec {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// Forks in increasing [`SpecId`] order with their activation; a fork that is not listed
    /// never activates (a later listed one still does).
    pub forks: Vec<(SpecId, Activation)>,
    /// The block of the DAO fork's irregular state change and extra-data rule, if any.
    pub dao_fork_block: Option<u64>,
}

/// Mainnet chain id, the one every ethereum/tests network uses.
const TEST_CHAIN_ID: u64 = 1;

impl ChainSpec {
    /// The chain of an ethereum/tests `network`: a single fork (`"Frontier"` .. `"Cancun"`, with
    /// the fixture aliases `EIP150`, `EIP158`, `ConstantinopleFix`, `Merge`) active from genesis,
    /// or a transition `<A>To<B>At<N>` (B from block N), `<A>To<B>AtTime<N>k` (B from timestamp
    /// N * 1000) or `<A>To<B>AtDiff<HEX>` (B once the parent's total difficulty reaches HEX).
    /// `B` may be `Dao` (the DAO fork at block N on A's rules); `A` may be `ArrowGlacier`
    /// (London rules). Every fork between A and B activates with B, as in the clients' test
    /// configurations. Chain id 1.
    pub fn from_test_network(name: &str) -> Option<ChainSpec> {
        let Some((from, rest)) = name.split_once("To") else {
            let spec = parse_fork(name)?;
            return Some(ChainSpec {
                chain_id: TEST_CHAIN_ID,
                forks: from_genesis(spec),
                dao_fork_block: None,
            });
        };
        let from = parse_fork(from)?;
        let (to, at) = rest.split_once("At")?;
        let activation = if let Some(time) = at.strip_prefix("Time") {
            let thousands: u64 = time.strip_suffix('k')?.parse().ok()?;
            Activation::Timestamp(thousands.checked_mul(1000)?)
        } else if let Some(hex) = at.strip_prefix("Diff") {
            Activation::TotalDifficulty(U256::from_str_radix(hex, 16).ok()?)
        } else {
            Activation::Block(at.parse().ok()?)
        };
        let mut forks = from_genesis(from);
        if to.eq_ignore_ascii_case("dao") {
            let Activation::Block(block) = activation else {
                return None;
            };
            return Some(ChainSpec {
                chain_id: TEST_CHAIN_ID,
                forks,
                dao_fork_block: Some(block),
            });
        }
        let to = parse_fork(to)?;
        if to <= from {
            return None;
        }
        forks.extend(
            SpecId::ALL
                .iter()
                .filter(|spec| **spec > from && **spec <= to)
                .map(|spec| (*spec, activation)),
        );
        Some(ChainSpec {
            chain_id: TEST_CHAIN_ID,
            forks,
            dao_fork_block: None,
        })
    }

    /// The fork of the block with this number and timestamp whose parent has total difficulty
    /// `parent_total_difficulty`: the last listed fork whose activation is reached (Frontier if
    /// none is).
    pub fn spec_at(&self, number: u64, timestamp: u64, parent_total_difficulty: U256) -> SpecId {
        self.forks
            .iter()
            .filter(|(_, activation)| match *activation {
                Activation::Block(block) => number >= block,
                Activation::Timestamp(time) => timestamp >= time,
                Activation::TotalDifficulty(ttd) => parent_total_difficulty >= ttd,
            })
            .map(|(spec, _)| *spec)
            .max()
            .unwrap_or(SpecId::Frontier)
    }
}

/// A fork name of a test network; `ArrowGlacier` (a difficulty bomb delay only) follows London.
fn parse_fork(name: &str) -> Option<SpecId> {
    if name.eq_ignore_ascii_case("arrowglacier") {
        return Some(SpecId::London);
    }
    SpecId::from_name(name)
}

/// `spec` and every fork before it, active from genesis (timestamp 0 for Shanghai on).
fn from_genesis(spec: SpecId) -> Vec<(SpecId, Activation)> {
    SpecId::ALL
        .iter()
        .filter(|fork| **fork <= spec)
        .map(|fork| {
            let activation = if fork.is_enabled_in(SpecId::Shanghai) {
                Activation::Timestamp(0)
            } else {
                Activation::Block(0)
            };
            (*fork, activation)
        })
        .collect()
}
