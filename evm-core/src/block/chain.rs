//! Which fork rules a block follows: the fork schedule of a chain, from ethereum/tests network
//! names (the EE's compact chain config converts to and from it in the `stateless` crate).

use alloc::vec::Vec;
use primitive_types::U256;

use super::difficulty::{ARROW_GLACIER_BOMB_DELAY, GRAY_GLACIER_BOMB_DELAY, bomb_delay};
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
/// DAO fork, and when its difficulty bomb was pushed back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainSpec {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// Forks in increasing [`SpecId`] order with their activation; a fork that is not listed
    /// never activates (a later listed one still does).
    pub forks: Vec<(SpecId, Activation)>,
    /// The block of the DAO fork's irregular state change and extra-data rule, if any.
    pub dao_fork_block: Option<u64>,
    /// Difficulty-bomb delays as `(first block, blocks the bomb is pushed back)`, in increasing
    /// block order; before the first entry the bomb is not delayed. Forks that only delay the
    /// bomb (Muir, Arrow and Gray Glacier) appear here and nowhere in [`ChainSpec::forks`].
    pub bomb_delays: Vec<(u64, u64)>,
    /// The beacon chain's deposit contract (EIP-6110's `DEPOSIT_CONTRACT_ADDRESS`), whose
    /// `DepositEvent` logs the EE turns into deposits; `None` on chains without one (every
    /// ethereum/tests network). Execution does not depend on it.
    pub deposit_contract: Option<primitive_types::H160>,
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
            let (spec, glacier) = parse_fork(name)?;
            let forks = from_genesis(spec);
            return Some(ChainSpec {
                chain_id: TEST_CHAIN_ID,
                bomb_delays: bomb_delays_of(&forks, glacier),
                forks,
                dao_fork_block: None,
                deposit_contract: None,
            });
        };
        let (from, glacier) = parse_fork(from)?;
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
                bomb_delays: bomb_delays_of(&forks, glacier),
                forks,
                dao_fork_block: Some(block),
                deposit_contract: None,
            });
        }
        // A glacier target (a bomb delay only) is not a transition these fixtures use.
        let (to, None) = parse_fork(to)? else {
            return None;
        };
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
            bomb_delays: bomb_delays_of(&forks, glacier),
            forks,
            dao_fork_block: None,
            deposit_contract: None,
        })
    }

    /// How many blocks the difficulty bomb is pushed back at block `number`: the delay of the
    /// last [`ChainSpec::bomb_delays`] entry at or before it, zero before the first.
    pub fn bomb_delay_at(&self, number: u64) -> u64 {
        self.bomb_delays
            .iter()
            .take_while(|(block, _)| *block <= number)
            .last()
            .map_or(0, |(_, delay)| *delay)
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

/// A fork name of a test network, with the bomb delay of a glacier name: `ArrowGlacier` and
/// `GrayGlacier` (difficulty-bomb delays only) follow London's rules.
fn parse_fork(name: &str) -> Option<(SpecId, Option<u64>)> {
    if name.eq_ignore_ascii_case("arrowglacier") {
        return Some((SpecId::London, Some(ARROW_GLACIER_BOMB_DELAY)));
    }
    if name.eq_ignore_ascii_case("grayglacier") {
        return Some((SpecId::London, Some(GRAY_GLACIER_BOMB_DELAY)));
    }
    Some((SpecId::from_name(name)?, None))
}

/// The bomb delays of a test network: each block-activated fork's own delay (see
/// [`bomb_delay`]) from its activation block on, and a glacier's delay from genesis. The
/// clients' test configurations schedule Muir Glacier with Berlin, so Berlin delays by 9M.
pub fn bomb_delays_of(forks: &[(SpecId, Activation)], glacier: Option<u64>) -> Vec<(u64, u64)> {
    let mut delays: Vec<(u64, u64)> = Vec::new();
    let mut push = |block: u64, delay: u64| match delays.last_mut() {
        Some(last) if last.0 == block => last.1 = last.1.max(delay),
        Some(last) if last.1 >= delay => {}
        _ => delays.push((block, delay)),
    };
    for (spec, activation) in forks {
        if let Activation::Block(block) = *activation {
            let delay = bomb_delay(*spec);
            if delay > 0 {
                push(block, delay);
            }
        }
    }
    if let Some(delay) = glacier {
        push(0, delay);
    }
    delays
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
