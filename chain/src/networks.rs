//! Named chains: their fork schedules, and for mainnet the genesis block and allocation, built
//! in so a replay needs no file beside the binary. Sepolia, Holesky and Hoodi come with their
//! rules only (their genesis allocations are large and their history is post-merge); any chain
//! can be given as a geth `genesis.json` ([`crate::genesis_file`]).

use std::collections::BTreeMap;

use evm_core::block::{Activation, Block, ChainSpec, Header};
use evm_core::state::InMemoryAccount;
use evm_core::{InMemoryState, SpecId};
use primitive_types::{H160, H256, U256};
use witness::hex::literal;

/// Mainnet's genesis allocation: an RLP list of `[address, balance]` pairs, addresses as
/// integers (leading zero bytes dropped). 8,893 accounts, no code, no storage.
const MAINNET_ALLOC_RLP: &[u8] = include_bytes!("../data/mainnet-alloc.rlp");

/// Mainnet's genesis block hash.
pub const MAINNET_GENESIS_HASH: H256 = H256(literal(
    "d4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3",
));

/// Why a built-in network could not be set up (a broken build, never a user's input).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("built-in {network} genesis: {reason}")]
pub struct GenesisError {
    /// The network.
    pub network: &'static str,
    /// What is wrong.
    pub reason: String,
}

/// Sepolia's genesis block hash.
pub const SEPOLIA_GENESIS_HASH: H256 = H256(literal(
    "25a5cc106eea7138acab33231d7160d69cb777ee0c2c553fcddf5138993e6dd9",
));
/// Holesky's genesis block hash.
pub const HOLESKY_GENESIS_HASH: H256 = H256(literal(
    "b5f7f912443c940f21fd611f12828d75b534364ed9e95ca4e307729a4661bde4",
));
/// Hoodi's genesis block hash.
pub const HOODI_GENESIS_HASH: H256 = H256(literal(
    "bbe312868b376a3001692a646dd2d7d1e4406380dfd86b98aa8a34d1557c971b",
));

/// The chains `--chain` knows by name.
pub const CHAIN_NAMES: [&str; 5] = ["mainnet", "sepolia", "holesky", "hoodi", "example"];

/// A fork a chain activates that evm-core does not implement (Prague on): blocks from it on are
/// refused with its name, never validated under older rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaterFork {
    /// The fork's name.
    pub name: String,
    /// When it activates.
    pub activation: Activation,
}

/// A chain as `--chain` names it: its rules, the forks past evm-core's, and its genesis where
/// the project has it.
#[derive(Clone, Debug)]
pub struct ChainDefinition {
    /// `mainnet`, `sepolia`, ... or a genesis file's stem.
    pub name: String,
    /// The forks evm-core implements, the DAO fork and the bomb delays.
    pub spec: ChainSpec,
    /// Forks after Cancun, in order.
    pub later_forks: Vec<LaterFork>,
    /// The genesis block's hash, where known.
    pub genesis_hash: Option<H256>,
    /// The genesis block and state: built in for mainnet, from the file for a genesis file.
    pub network: Option<Network>,
}

impl ChainDefinition {
    /// The first fork past evm-core's that a block with this number and timestamp is in.
    pub fn later_fork_at(&self, number: u64, timestamp: u64) -> Option<&LaterFork> {
        self.later_forks.iter().find(|fork| match fork.activation {
            Activation::Block(block) => number >= block,
            Activation::Timestamp(time) => timestamp >= time,
            Activation::TotalDifficulty(_) => false,
        })
    }
}

/// Why `--chain` gave no chain.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// Neither a known name nor a `.json` file.
    #[error(
        "unknown chain {0:?}: expected one of mainnet, sepolia, holesky, hoodi, example or a genesis/chain-config FILE.json"
    )]
    Unknown(String),
    /// The built-in genesis did not check out (a broken build).
    #[error(transparent)]
    Genesis(#[from] GenesisError),
    /// The file was refused.
    #[error(transparent)]
    File(#[from] crate::genesis_file::GenesisFileError),
}

/// The chain `--chain` names: `mainnet`, `sepolia`, `holesky`, `hoodi`, `example` (the
/// project's own example chain, [`crate::example_chain`]), or a path to a geth genesis file or
/// bare chain config ending in `.json`.
pub fn chain_by_name(name: &str) -> Result<ChainDefinition, ChainError> {
    let timestamp_fork = |name: &str, time: u64| LaterFork {
        name: name.to_string(),
        activation: Activation::Timestamp(time),
    };
    let rules_only =
        |name: &str, spec: ChainSpec, later: Vec<LaterFork>, hash: H256| ChainDefinition {
            name: name.to_string(),
            spec,
            later_forks: later,
            genesis_hash: Some(hash),
            network: None,
        };
    Ok(match name {
        "mainnet" => {
            let network = mainnet()?;
            ChainDefinition {
                name: "mainnet".into(),
                spec: network.spec.clone(),
                later_forks: vec![timestamp_fork("Prague", 1_746_612_311)],
                genesis_hash: Some(MAINNET_GENESIS_HASH),
                network: Some(network),
            }
        }
        "sepolia" => rules_only(
            "sepolia",
            merged_testnet_spec(
                11_155_111,
                U256::from(17_000_000_000_000_000u64),
                1_677_557_088,
                1_706_655_072,
            ),
            vec![timestamp_fork("Prague", 1_741_159_776)],
            SEPOLIA_GENESIS_HASH,
        ),
        "holesky" => rules_only(
            "holesky",
            merged_testnet_spec(17_000, U256::zero(), 1_696_000_704, 1_707_305_664),
            vec![timestamp_fork("Prague", 1_740_434_112)],
            HOLESKY_GENESIS_HASH,
        ),
        "hoodi" => rules_only(
            "hoodi",
            merged_testnet_spec(560_048, U256::zero(), 0, 0),
            vec![timestamp_fork("Prague", 1_742_999_832)],
            HOODI_GENESIS_HASH,
        ),
        crate::example_chain::EXAMPLE_CHAIN_NAME => {
            let network = crate::example_chain::example_network();
            ChainDefinition {
                name: network.name.clone(),
                spec: network.spec.clone(),
                later_forks: Vec::new(),
                genesis_hash: Some(network.genesis.header.hash()),
                network: Some(network),
            }
        }
        path if path.ends_with(".json") => {
            crate::genesis_file::read_chain_file(std::path::Path::new(path))?
        }
        other => return Err(ChainError::Unknown(other.to_string())),
    })
}

/// A testnet with every block fork from genesis (Muir Glacier's delay included, as their geth
/// configs have it), the merge at `ttd`, Shanghai and Cancun by timestamp.
fn merged_testnet_spec(chain_id: u64, ttd: U256, shanghai: u64, cancun: u64) -> ChainSpec {
    let mut forks: Vec<(SpecId, Activation)> = SpecId::ALL
        .iter()
        .filter(|spec| **spec <= SpecId::London)
        .map(|spec| (*spec, Activation::Block(0)))
        .collect();
    forks.push((SpecId::Paris, Activation::TotalDifficulty(ttd)));
    forks.push((SpecId::Shanghai, Activation::Timestamp(shanghai)));
    forks.push((SpecId::Cancun, Activation::Timestamp(cancun)));
    ChainSpec {
        chain_id,
        bomb_delays: evm_core::block::chain::bomb_delays_of(&forks, None),
        forks,
        dao_fork_block: None,
        // Their deposit contracts come with their genesis.json (`depositContractAddress`).
        deposit_contract: None,
    }
}

/// A chain with its genesis: its rules, its genesis block and the state that block commits to.
#[derive(Clone, Debug)]
pub struct Network {
    /// The name (`mainnet`, or a genesis file's stem).
    pub name: String,
    /// Fork schedule, DAO fork.
    pub spec: ChainSpec,
    /// The genesis block.
    pub genesis: Block,
    /// The genesis state (its root is the genesis header's state root).
    pub alloc: InMemoryState,
}

/// Ethereum mainnet: every fork evm-core implements at its mainnet activation (blocks to
/// London, the merge by terminal total difficulty, timestamps from Shanghai), and the DAO fork.
pub fn mainnet_spec() -> ChainSpec {
    use Activation::{Block as AtBlock, Timestamp, TotalDifficulty};
    ChainSpec {
        chain_id: 1,
        forks: vec![
            (SpecId::Frontier, AtBlock(0)),
            (SpecId::Homestead, AtBlock(1_150_000)),
            (SpecId::Tangerine, AtBlock(2_463_000)),
            (SpecId::SpuriousDragon, AtBlock(2_675_000)),
            (SpecId::Byzantium, AtBlock(4_370_000)),
            (SpecId::Constantinople, AtBlock(7_280_000)),
            (SpecId::Petersburg, AtBlock(7_280_000)),
            (SpecId::Istanbul, AtBlock(9_069_000)),
            (SpecId::Berlin, AtBlock(12_244_000)),
            (SpecId::London, AtBlock(12_965_000)),
            (
                SpecId::Paris,
                TotalDifficulty(U256::from_dec_str("58750000000000000000000").unwrap_or_default()),
            ),
            (SpecId::Shanghai, Timestamp(1_681_338_455)),
            (SpecId::Cancun, Timestamp(1_710_338_135)),
        ],
        dao_fork_block: Some(1_920_000),
        // Byzantium (EIP-649), Constantinople (EIP-1234), Muir Glacier (EIP-2384), London
        // (EIP-3554), Arrow Glacier (EIP-4345), Gray Glacier (EIP-5133).
        bomb_delays: vec![
            (4_370_000, 3_000_000),
            (7_280_000, 5_000_000),
            (9_200_000, 9_000_000),
            (12_965_000, 9_700_000),
            (13_773_000, 10_700_000),
            (15_050_000, 11_400_000),
        ],
        // The beacon chain's deposit contract, deployed at block 11,052,984.
        deposit_contract: Some(H160([
            0x00, 0x00, 0x00, 0x00, 0x21, 0x9a, 0xb5, 0x40, 0x35, 0x6c, 0xbb, 0x83, 0x9c, 0xbe,
            0x05, 0x30, 0x3d, 0x77, 0x05, 0xfa,
        ])),
    }
}

/// Mainnet's genesis header (block 0 of July 30, 2015).
pub fn mainnet_genesis_header() -> Header {
    Header {
        parent_hash: H256::zero(),
        ommers_hash: H256(literal(
            "1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347",
        )),
        beneficiary: H160::zero(),
        state_root: H256(literal(
            "d7f8974fb5ac78d9ac099b9ad5018bedc2ce0a72dad1827a1709da30580f0544",
        )),
        transactions_root: witness::EMPTY_ROOT,
        receipts_root: witness::EMPTY_ROOT,
        logs_bloom: Default::default(),
        difficulty: U256::from(0x4_0000_0000u64),
        number: 0,
        gas_limit: 5000,
        gas_used: 0,
        timestamp: 0,
        extra_data: literal::<32>(
            "11bbe8db4e347b4e8c937c1c8370e4b5ed33adb3db69cbdb7a38e1e50b1b82fa",
        )
        .to_vec(),
        mix_hash: H256::zero(),
        nonce: 0x42u64.to_be_bytes(),
        base_fee_per_gas: None,
        withdrawals_root: None,
        blob_gas_used: None,
        excess_blob_gas: None,
        parent_beacon_block_root: None,
    }
}

/// Mainnet's genesis allocation.
pub fn mainnet_alloc() -> Result<InMemoryState, GenesisError> {
    decode_alloc(MAINNET_ALLOC_RLP).map_err(|reason| GenesisError {
        network: "mainnet",
        reason,
    })
}

/// Mainnet with its genesis; the genesis hash and state root are checked.
pub fn mainnet() -> Result<Network, GenesisError> {
    let header = mainnet_genesis_header();
    let bad = |reason: String| GenesisError {
        network: "mainnet",
        reason,
    };
    if header.hash() != MAINNET_GENESIS_HASH {
        return Err(bad(format!("header hashes to {:?}", header.hash())));
    }
    let alloc = mainnet_alloc()?;
    let (root, _) = stateless::state_trie_nodes(&alloc);
    if root != header.state_root {
        return Err(bad(format!(
            "allocation root {root:?} is not the header's {:?}",
            header.state_root
        )));
    }
    Ok(Network {
        name: "mainnet".into(),
        spec: mainnet_spec(),
        genesis: Block {
            header,
            transactions: Vec::new(),
            ommers: Vec::new(),
            withdrawals: None,
        },
        alloc,
    })
}

/// `[[address, balance], ...]` to a state.
fn decode_alloc(rlp: &[u8]) -> Result<InMemoryState, String> {
    let mut list = witness::rlp::decode_list(rlp).map_err(|e| e.to_string())?;
    let mut accounts = BTreeMap::new();
    while !list.is_empty() {
        let mut pair = list.list().map_err(|e| e.to_string())?;
        let address = pair.bytes().map_err(|e| e.to_string())?;
        let balance = pair.u256().map_err(|e| e.to_string())?;
        pair.finish().map_err(|e| e.to_string())?;
        if address.len() > 20 {
            return Err(format!("address of {} bytes", address.len()));
        }
        let mut padded = [0u8; 20];
        padded[20 - address.len()..].copy_from_slice(address);
        accounts.insert(
            H160(padded),
            InMemoryAccount {
                balance,
                ..InMemoryAccount::default()
            },
        );
    }
    Ok(InMemoryState::new(accounts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_testnets_have_their_schedules() {
        let sepolia = chain_by_name("sepolia").unwrap();
        assert_eq!(sepolia.spec.chain_id, 11_155_111);
        let before_merge = U256::from(16_999_999_999_999_999u64);
        assert_eq!(sepolia.spec.spec_at(1, 1, before_merge), SpecId::London);
        assert_eq!(sepolia.spec.spec_at(1, 1, before_merge + 1), SpecId::Paris);
        assert_eq!(
            sepolia.spec.spec_at(1, 1_706_655_072, before_merge + 1),
            SpecId::Cancun
        );
        assert_eq!(sepolia.spec.bomb_delay_at(0), 9_700_000);
        assert_eq!(
            sepolia
                .later_fork_at(1, 1_741_159_776)
                .map(|f| f.name.as_str()),
            Some("Prague")
        );
        assert_eq!(sepolia.later_fork_at(1, 1_741_159_775), None);
        for name in CHAIN_NAMES {
            let chain = chain_by_name(name).unwrap();
            // Every schedule fits the EE's chain config.
            crate::ee_input::chain_config(&chain.spec).unwrap();
        }
        let hoodi = chain_by_name("hoodi").unwrap();
        assert_eq!(hoodi.spec.spec_at(0, 0, U256::zero()), SpecId::Cancun);
        assert!(hoodi.network.is_none());
        assert!(matches!(
            chain_by_name("goerli"),
            Err(ChainError::Unknown(name)) if name == "goerli"
        ));
    }

    #[test]
    fn mainnet_genesis_is_mainnets() {
        let network = mainnet().unwrap();
        assert_eq!(network.genesis.header.hash(), MAINNET_GENESIS_HASH);
        assert_eq!(network.alloc.accounts.len(), 8893);
        assert_eq!(
            network.spec.spec_at(1_149_999, 0, U256::zero()),
            SpecId::Frontier
        );
        assert_eq!(
            network.spec.spec_at(1_150_000, 0, U256::zero()),
            SpecId::Homestead
        );
        assert_eq!(
            network.spec.spec_at(19_426_587, 1_710_338_135, U256::MAX),
            SpecId::Cancun
        );
    }
}
