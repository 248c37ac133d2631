//! Chains from a geth-style `genesis.json`: the `config` object's fork blocks, terminal total
//! difficulty and fork timestamps become a [`ChainSpec`] (with the bomb delays of its glacier
//! blocks), and the header fields with the `alloc` become the genesis block and state, built as
//! geth builds them.
//!
//! A file may also be a bare chain config (the object geth keeps under `config`): then the chain
//! has rules but no genesis, enough for `evm-ee validate` and not for a replay.
//!
//! Numbers are read from the file's text, not through JSON's doubles: a terminal total
//! difficulty such as mainnet's 58,750,000,000,000,000,000,000 does not fit a double exactly.

use std::collections::BTreeMap;
use std::path::Path;

use evm_core::block::difficulty::{
    ARROW_GLACIER_BOMB_DELAY, EMPTY_OMMERS_HASH, GRAY_GLACIER_BOMB_DELAY, MINIMUM_DIFFICULTY,
    MUIR_GLACIER_BOMB_DELAY, bomb_delay,
};
use evm_core::block::{Activation, Block, ChainSpec, Header};
use evm_core::state::InMemoryAccount;
use evm_core::{InMemoryState, SpecId};
use primitive_types::{H160, H256, U256};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::networks::{ChainDefinition, LaterFork, Network};

/// Largest genesis file read: holesky's, with its 1.4 million-account allocation, is about
/// 200 MB; a file that is no genesis is refused before it fills memory.
pub const MAX_GENESIS_FILE_BYTES: u64 = 512 << 20;

/// geth's default genesis gas limit (`params.GenesisGasLimit`).
const DEFAULT_GAS_LIMIT: u64 = 4_712_388;
/// EIP-1559's initial base fee, the genesis default when London is active from block 0.
const INITIAL_BASE_FEE: u64 = 1_000_000_000;

/// Why a genesis or chain-config file was refused.
#[derive(Debug, thiserror::Error)]
pub enum GenesisFileError {
    /// The file cannot be read or is too large.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: evm_ee_host::FileError,
    },
    /// Not JSON of the expected shape.
    #[error("{path}: not a genesis or chain-config JSON file: {reason}")]
    Json {
        /// The file.
        path: String,
        /// serde's message (names the field and line).
        reason: String,
    },
    /// A field is present but its value is wrong.
    #[error("{path}: {field}: {reason}")]
    Field {
        /// The file.
        path: String,
        /// The field, as a JSON path.
        field: String,
        /// What is wrong.
        reason: String,
    },
}

/// A JSON number or a hex or decimal string, kept as text until it is read as a 256-bit integer.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
struct Quantity(Box<RawValue>);

impl Quantity {
    fn u256(&self) -> Result<U256, String> {
        let text = self.0.get().trim();
        let text = text
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .unwrap_or(text);
        let parsed = if let Some(hex) = text.strip_prefix("0x").or(text.strip_prefix("0X")) {
            if hex.is_empty() {
                Ok(U256::zero())
            } else if hex.len() > 64 {
                Err(())
            } else {
                U256::from_str_radix(hex, 16).map_err(|_| ())
            }
        } else {
            U256::from_dec_str(text).map_err(|_| ())
        };
        parsed.map_err(|()| format!("{text:?} is not a 256-bit number (hex or decimal)"))
    }

    fn u64(&self) -> Result<u64, String> {
        let value = self.u256()?;
        if value > U256::from(u64::MAX) {
            return Err(format!("{value} does not fit 64 bits"));
        }
        Ok(value.low_u64())
    }
}

/// geth's `params.ChainConfig` as JSON, the fields evm-ee reads; others (`ethash`, `clique`,
/// `blobSchedule`, ...) are ignored.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GethChainConfig {
    chain_id: Quantity,
    homestead_block: Option<Quantity>,
    dao_fork_block: Option<Quantity>,
    dao_fork_support: Option<bool>,
    eip150_block: Option<Quantity>,
    eip155_block: Option<Quantity>,
    eip158_block: Option<Quantity>,
    byzantium_block: Option<Quantity>,
    constantinople_block: Option<Quantity>,
    petersburg_block: Option<Quantity>,
    istanbul_block: Option<Quantity>,
    muir_glacier_block: Option<Quantity>,
    berlin_block: Option<Quantity>,
    london_block: Option<Quantity>,
    arrow_glacier_block: Option<Quantity>,
    gray_glacier_block: Option<Quantity>,
    terminal_total_difficulty: Option<Quantity>,
    shanghai_time: Option<Quantity>,
    cancun_time: Option<Quantity>,
    prague_time: Option<Quantity>,
    osaka_time: Option<Quantity>,
    deposit_contract_address: Option<String>,
}

/// geth's `core.Genesis` as JSON.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GethGenesis {
    config: GethChainConfig,
    nonce: Option<Quantity>,
    timestamp: Option<Quantity>,
    extra_data: Option<String>,
    gas_limit: Option<Quantity>,
    difficulty: Option<Quantity>,
    mix_hash: Option<String>,
    coinbase: Option<String>,
    #[serde(default)]
    alloc: BTreeMap<String, GethAccount>,
    number: Option<Quantity>,
    gas_used: Option<Quantity>,
    parent_hash: Option<String>,
    base_fee_per_gas: Option<Quantity>,
    excess_blob_gas: Option<Quantity>,
    blob_gas_used: Option<Quantity>,
}

/// One account of `alloc`.
#[derive(Debug, Deserialize)]
struct GethAccount {
    balance: Option<Quantity>,
    nonce: Option<Quantity>,
    code: Option<String>,
    #[serde(default)]
    storage: BTreeMap<String, String>,
}

/// Reads a genesis file (`{"config": {...}, "alloc": {...}, ...}`) or a bare chain config.
pub fn read_chain_file(path: &Path) -> Result<ChainDefinition, GenesisFileError> {
    let display = path.display().to_string();
    let bytes = evm_ee_host::read_file_bounded(path, MAX_GENESIS_FILE_BYTES).map_err(|source| {
        GenesisFileError::Read {
            path: display.clone(),
            source,
        }
    })?;
    let name = path.file_stem().map_or_else(
        || display.clone(),
        |stem| stem.to_string_lossy().into_owned(),
    );
    parse_chain_json(&name, &bytes).map_err(|error| match error {
        ParseError::Json(reason) => GenesisFileError::Json {
            path: display.clone(),
            reason,
        },
        ParseError::Field { field, reason } => GenesisFileError::Field {
            path: display.clone(),
            field,
            reason,
        },
    })
}

/// What [`parse_chain_json`] found wrong, before the file's path is attached.
#[derive(Debug)]
enum ParseError {
    Json(String),
    Field { field: String, reason: String },
}

fn field_error(field: impl Into<String>) -> impl FnOnce(String) -> ParseError {
    let field = field.into();
    move |reason| ParseError::Field { field, reason }
}

/// A chain named `name` from the bytes of a genesis file or a bare chain config.
fn parse_chain_json(name: &str, bytes: &[u8]) -> Result<ChainDefinition, ParseError> {
    #[derive(Deserialize)]
    struct Probe {
        config: Option<Box<RawValue>>,
    }
    let probe: Probe =
        serde_json::from_slice(bytes).map_err(|e| ParseError::Json(e.to_string()))?;
    if probe.config.is_none() {
        let config: GethChainConfig =
            serde_json::from_slice(bytes).map_err(|e| ParseError::Json(e.to_string()))?;
        let (spec, later_forks) = chain_spec(&config, "")?;
        return Ok(ChainDefinition {
            name: name.to_string(),
            spec,
            later_forks,
            genesis_hash: None,
            network: None,
        });
    }
    let genesis: GethGenesis =
        serde_json::from_slice(bytes).map_err(|e| ParseError::Json(e.to_string()))?;
    let (spec, later_forks) = chain_spec(&genesis.config, "config.")?;
    let block = genesis_block(&genesis, &spec, &later_forks)?;
    let alloc = genesis_alloc(&genesis.alloc)?;
    let (root, _) = stateless::state_trie_nodes(&alloc);
    let mut block = block;
    block.header.state_root = root;
    let hash = block.header.hash();
    Ok(ChainDefinition {
        name: name.to_string(),
        spec: spec.clone(),
        later_forks,
        genesis_hash: Some(hash),
        network: Some(Network {
            name: name.to_string(),
            spec,
            genesis: block,
            alloc,
        }),
    })
}

/// The fork schedule of a geth chain config; forks evm-core does not implement (Prague on)
/// come back apart.
fn chain_spec(
    config: &GethChainConfig,
    prefix: &str,
) -> Result<(ChainSpec, Vec<LaterFork>), ParseError> {
    let block = |value: &Option<Quantity>, key: &str| -> Result<Option<u64>, ParseError> {
        value
            .as_ref()
            .map(|q| q.u64().map_err(field_error(format!("{prefix}{key}"))))
            .transpose()
    };
    let chain_id = config
        .chain_id
        .u64()
        .map_err(field_error(format!("{prefix}chainId")))?;
    let eip155 = block(&config.eip155_block, "eip155Block")?;
    let eip158 = block(&config.eip158_block, "eip158Block")?;
    if eip155 != eip158 {
        return Err(ParseError::Field {
            field: format!("{prefix}eip155Block"),
            reason: format!(
                "{eip155:?} differs from eip158Block {eip158:?}; evm-core has one Spurious \
                 Dragon fork for both"
            ),
        });
    }
    let constantinople = block(&config.constantinople_block, "constantinopleBlock")?;
    // geth: without a Petersburg block, Petersburg comes with Constantinople.
    let petersburg = block(&config.petersburg_block, "petersburgBlock")?.or(constantinople);
    let by_block = [
        (
            SpecId::Homestead,
            block(&config.homestead_block, "homesteadBlock")?,
        ),
        (
            SpecId::Tangerine,
            block(&config.eip150_block, "eip150Block")?,
        ),
        (SpecId::SpuriousDragon, eip158),
        (
            SpecId::Byzantium,
            block(&config.byzantium_block, "byzantiumBlock")?,
        ),
        (SpecId::Constantinople, constantinople),
        (SpecId::Petersburg, petersburg),
        (
            SpecId::Istanbul,
            block(&config.istanbul_block, "istanbulBlock")?,
        ),
        (SpecId::Berlin, block(&config.berlin_block, "berlinBlock")?),
        (SpecId::London, block(&config.london_block, "londonBlock")?),
    ];
    let mut forks = vec![(SpecId::Frontier, Activation::Block(0))];
    let mut last_block = 0;
    for (spec, at) in by_block {
        if let Some(at) = at {
            if at < last_block {
                return Err(ParseError::Field {
                    field: format!("{prefix}{}", config_key(spec)),
                    reason: format!("block {at} is before an earlier fork's block {last_block}"),
                });
            }
            last_block = at;
            forks.push((spec, Activation::Block(at)));
        }
    }
    if let Some(ttd) = &config.terminal_total_difficulty {
        let ttd = ttd
            .u256()
            .map_err(field_error(format!("{prefix}terminalTotalDifficulty")))?;
        forks.push((SpecId::Paris, Activation::TotalDifficulty(ttd)));
    }
    let mut last_time = 0;
    for (spec, value, key) in [
        (SpecId::Shanghai, &config.shanghai_time, "shanghaiTime"),
        (SpecId::Cancun, &config.cancun_time, "cancunTime"),
    ] {
        if let Some(time) = block(value, key)? {
            if time < last_time {
                return Err(ParseError::Field {
                    field: format!("{prefix}{key}"),
                    reason: format!("timestamp {time} is before an earlier fork's {last_time}"),
                });
            }
            last_time = time;
            forks.push((spec, Activation::Timestamp(time)));
        }
    }
    let mut later_forks = Vec::new();
    for (name, value, key) in [
        ("Prague", &config.prague_time, "pragueTime"),
        ("Osaka", &config.osaka_time, "osakaTime"),
    ] {
        if let Some(time) = block(value, key)? {
            later_forks.push(LaterFork {
                name: name.to_string(),
                activation: Activation::Timestamp(time),
            });
        }
    }
    let dao_fork_block = match (config.dao_fork_support, config.dao_fork_block.as_ref()) {
        (Some(true), Some(_)) => block(&config.dao_fork_block, "daoForkBlock")?,
        _ => None,
    };
    let mut bomb_delays: Vec<(u64, u64)> = Vec::new();
    for (at, delay) in [
        (
            block(&config.byzantium_block, "byzantiumBlock")?,
            bomb_delay(SpecId::Byzantium),
        ),
        (constantinople, bomb_delay(SpecId::Constantinople)),
        (
            block(&config.muir_glacier_block, "muirGlacierBlock")?,
            MUIR_GLACIER_BOMB_DELAY,
        ),
        (
            block(&config.london_block, "londonBlock")?,
            bomb_delay(SpecId::London),
        ),
        (
            block(&config.arrow_glacier_block, "arrowGlacierBlock")?,
            ARROW_GLACIER_BOMB_DELAY,
        ),
        (
            block(&config.gray_glacier_block, "grayGlacierBlock")?,
            GRAY_GLACIER_BOMB_DELAY,
        ),
    ] {
        let Some(at) = at else { continue };
        match bomb_delays.last_mut() {
            Some(last) if at < last.0 => {
                return Err(ParseError::Field {
                    field: format!("{prefix}bomb delays"),
                    reason: format!("a glacier block {at} is before an earlier one {}", last.0),
                });
            }
            Some(last) if at == last.0 => last.1 = last.1.max(delay),
            _ => bomb_delays.push((at, delay)),
        }
    }
    let deposit_contract = match &config.deposit_contract_address {
        Some(_) => Some(H160(hex_field(
            &config.deposit_contract_address,
            &format!("{prefix}depositContractAddress"),
        )?)),
        None => None,
    };
    let spec = ChainSpec {
        chain_id,
        forks,
        dao_fork_block,
        bomb_delays,
        deposit_contract,
    };
    // The EE must be able to commit to these rules.
    crate::ee_input::chain_config(&spec).map_err(field_error(format!("{prefix}(schedule)")))?;
    Ok((spec, later_forks))
}

/// The geth config key of a block-activated fork, for messages.
fn config_key(spec: SpecId) -> &'static str {
    match spec {
        SpecId::Homestead => "homesteadBlock",
        SpecId::Tangerine => "eip150Block",
        SpecId::SpuriousDragon => "eip158Block",
        SpecId::Byzantium => "byzantiumBlock",
        SpecId::Constantinople => "constantinopleBlock",
        SpecId::Petersburg => "petersburgBlock",
        SpecId::Istanbul => "istanbulBlock",
        SpecId::Berlin => "berlinBlock",
        _ => "londonBlock",
    }
}

fn hex_field<const N: usize>(value: &Option<String>, field: &str) -> Result<[u8; N], ParseError> {
    match value {
        None => Ok([0; N]),
        Some(text) => padded(text).map_err(field_error(field)),
    }
}

/// Hex of at most `N` bytes, left-padded with zeros.
fn padded<const N: usize>(text: &str) -> Result<[u8; N], String> {
    let bytes = witness::hex::decode_unpadded(text).map_err(|e| e.to_string())?;
    if bytes.len() > N {
        return Err(format!("{} bytes, expected at most {N}", bytes.len()));
    }
    let mut out = [0u8; N];
    out[N - bytes.len()..].copy_from_slice(&bytes);
    Ok(out)
}

/// The genesis header and body, as geth's `Genesis.ToBlock` makes them (state root set later).
fn genesis_block(
    genesis: &GethGenesis,
    spec: &ChainSpec,
    later_forks: &[LaterFork],
) -> Result<Block, ParseError> {
    let number_of = |value: &Option<Quantity>, key: &str| -> Result<Option<U256>, ParseError> {
        value
            .as_ref()
            .map(|q| q.u256().map_err(field_error(key)))
            .transpose()
    };
    let u64_of = |value: &Option<Quantity>, key: &str| -> Result<Option<u64>, ParseError> {
        value
            .as_ref()
            .map(|q| q.u64().map_err(field_error(key)))
            .transpose()
    };
    let number = u64_of(&genesis.number, "number")?.unwrap_or(0);
    let timestamp = u64_of(&genesis.timestamp, "timestamp")?.unwrap_or(0);
    if let Some(later) = later_forks
        .iter()
        .find(|fork| matches!(fork.activation, Activation::Timestamp(t) if timestamp >= t))
    {
        return Err(ParseError::Field {
            field: "timestamp".into(),
            reason: format!(
                "the genesis is in {}, which evm-core does not implement",
                later.name
            ),
        });
    }
    let merged_at_genesis = spec.forks.iter().any(|(fork, activation)| {
        *fork == SpecId::Paris && *activation == Activation::TotalDifficulty(U256::zero())
    });
    let difficulty = number_of(&genesis.difficulty, "difficulty")?.unwrap_or_else(|| {
        if merged_at_genesis {
            U256::zero()
        } else {
            U256::from(MINIMUM_DIFFICULTY)
        }
    });
    let fork = spec.spec_at(number, timestamp, U256::zero());
    let fork = if merged_at_genesis && fork < SpecId::Paris {
        SpecId::Paris
    } else {
        fork
    };
    let london = fork.is_enabled_in(SpecId::London);
    let shanghai = fork.is_enabled_in(SpecId::Shanghai);
    let cancun = fork.is_enabled_in(SpecId::Cancun);
    let extra_data = match &genesis.extra_data {
        None => Vec::new(),
        Some(text) => witness::hex::decode_unpadded(text).map_err(|e| ParseError::Field {
            field: "extraData".into(),
            reason: e.to_string(),
        })?,
    };
    let base_fee_per_gas = match number_of(&genesis.base_fee_per_gas, "baseFeePerGas")? {
        Some(fee) if london => Some(fee),
        None if london => Some(U256::from(INITIAL_BASE_FEE)),
        _ => None,
    };
    let header = Header {
        parent_hash: H256(hex_field(&genesis.parent_hash, "parentHash")?),
        ommers_hash: EMPTY_OMMERS_HASH,
        beneficiary: H160(hex_field(&genesis.coinbase, "coinbase")?),
        state_root: H256::zero(),
        transactions_root: witness::EMPTY_ROOT,
        receipts_root: witness::EMPTY_ROOT,
        logs_bloom: Default::default(),
        difficulty,
        number,
        gas_limit: u64_of(&genesis.gas_limit, "gasLimit")?
            .filter(|limit| *limit != 0)
            .unwrap_or(DEFAULT_GAS_LIMIT),
        gas_used: u64_of(&genesis.gas_used, "gasUsed")?.unwrap_or(0),
        timestamp,
        extra_data,
        mix_hash: H256(hex_field(&genesis.mix_hash, "mixHash")?),
        nonce: u64_of(&genesis.nonce, "nonce")?.unwrap_or(0).to_be_bytes(),
        base_fee_per_gas,
        withdrawals_root: shanghai.then_some(witness::EMPTY_ROOT),
        blob_gas_used: if cancun {
            Some(u64_of(&genesis.blob_gas_used, "blobGasUsed")?.unwrap_or(0))
        } else {
            None
        },
        excess_blob_gas: if cancun {
            Some(u64_of(&genesis.excess_blob_gas, "excessBlobGas")?.unwrap_or(0))
        } else {
            None
        },
        parent_beacon_block_root: cancun.then(H256::zero),
    };
    Ok(Block {
        header,
        transactions: Vec::new(),
        ommers: Vec::new(),
        withdrawals: shanghai.then(Vec::new),
    })
}

/// The `alloc` object as a state.
fn genesis_alloc(alloc: &BTreeMap<String, GethAccount>) -> Result<InMemoryState, ParseError> {
    let mut accounts = BTreeMap::new();
    for (address_text, account) in alloc {
        let field = |name: &str| format!("alloc.{address_text}{name}");
        let address = H160(padded(address_text).map_err(field_error(field("")))?);
        let balance = match &account.balance {
            Some(balance) => balance.u256().map_err(field_error(field(".balance")))?,
            None => U256::zero(),
        };
        let nonce = match &account.nonce {
            Some(nonce) => nonce.u64().map_err(field_error(field(".nonce")))?,
            None => 0,
        };
        let code = match &account.code {
            Some(code) => witness::hex::decode_unpadded(code).map_err(|e| ParseError::Field {
                field: field(".code"),
                reason: e.to_string(),
            })?,
            None => Vec::new(),
        };
        let mut storage = BTreeMap::new();
        for (slot, value) in &account.storage {
            let slot_field = || field(&format!(".storage.{slot}"));
            let key = H256(padded(slot).map_err(field_error(slot_field()))?);
            let value = H256(padded(value).map_err(field_error(slot_field()))?);
            if !value.is_zero() {
                storage.insert(key, value);
            }
        }
        accounts.insert(
            address,
            InMemoryAccount {
                nonce,
                balance,
                code,
                storage,
            },
        );
    }
    Ok(InMemoryState::new(accounts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::networks::{MAINNET_GENESIS_HASH, mainnet, mainnet_spec};

    /// Mainnet's genesis written as geth writes a genesis file, from the built-in allocation.
    fn mainnet_genesis_json() -> String {
        let network = mainnet().unwrap();
        let alloc: Vec<String> = network
            .alloc
            .accounts
            .iter()
            .map(|(address, account)| {
                format!(
                    "\"{}\": {{\"balance\": \"{}\"}}",
                    hex::encode(address.0),
                    account.balance
                )
            })
            .collect();
        format!(
            r#"{{
  "config": {{
    "chainId": 1, "homesteadBlock": 1150000, "daoForkBlock": 1920000, "daoForkSupport": true,
    "eip150Block": 2463000, "eip155Block": 2675000, "eip158Block": 2675000,
    "byzantiumBlock": 4370000, "constantinopleBlock": 7280000, "petersburgBlock": 7280000,
    "istanbulBlock": 9069000, "muirGlacierBlock": 9200000, "berlinBlock": 12244000,
    "londonBlock": 12965000, "arrowGlacierBlock": 13773000, "grayGlacierBlock": 15050000,
    "terminalTotalDifficulty": 58750000000000000000000,
    "shanghaiTime": 1681338455, "cancunTime": 1710338135, "pragueTime": 1746612311,
    "depositContractAddress": "0x00000000219ab540356cBB839Cbe05303d7705Fa",
    "ethash": {{}}
  }},
  "nonce": "0x42", "timestamp": "0x0",
  "extraData": "0x11bbe8db4e347b4e8c937c1c8370e4b5ed33adb3db69cbdb7a38e1e50b1b82fa",
  "gasLimit": "0x1388", "difficulty": "0x400000000",
  "mixHash": "0x0000000000000000000000000000000000000000000000000000000000000000",
  "coinbase": "0x0000000000000000000000000000000000000000",
  "alloc": {{ {} }}
}}"#,
            alloc.join(",\n")
        )
    }

    #[test]
    fn mainnet_as_a_genesis_file_is_mainnet() {
        let chain = parse_chain_json("mainnet", mainnet_genesis_json().as_bytes()).unwrap();
        assert_eq!(chain.genesis_hash, Some(MAINNET_GENESIS_HASH));
        assert_eq!(chain.spec, mainnet_spec());
        assert_eq!(chain.later_forks.len(), 1);
        assert_eq!(chain.later_forks[0].name, "Prague");
        let network = chain.network.unwrap();
        assert_eq!(network.alloc.accounts.len(), 8893);
    }

    #[test]
    fn a_bare_chain_config_has_rules_and_no_genesis() {
        let chain = parse_chain_json(
            "dev",
            br#"{"chainId": 1337, "homesteadBlock": 0, "eip150Block": 0, "eip155Block": 0,
                "eip158Block": 0, "byzantiumBlock": 0, "constantinopleBlock": 0,
                "petersburgBlock": 0, "istanbulBlock": 0, "berlinBlock": 0, "londonBlock": 0,
                "terminalTotalDifficulty": "0x0", "shanghaiTime": 0, "cancunTime": 0}"#,
        )
        .unwrap();
        assert!(chain.network.is_none());
        assert_eq!(chain.spec.chain_id, 1337);
        assert_eq!(chain.spec.spec_at(5, 5, U256::zero()), SpecId::Cancun);
    }

    #[test]
    fn bad_files_name_the_field() {
        let error = |json: &str| match parse_chain_json("x", json.as_bytes()) {
            Err(ParseError::Field { field, reason }) => format!("{field}: {reason}"),
            Err(ParseError::Json(reason)) => format!("json: {reason}"),
            Ok(_) => panic!("accepted {json}"),
        };
        assert!(error("[1]").starts_with("json: "));
        assert!(error(r#"{"homesteadBlock": 0}"#).contains("chainId"));
        assert_eq!(
            error(r#"{"chainId": 1, "homesteadBlock": "0xzz"}"#),
            "homesteadBlock: \"0xzz\" is not a 256-bit number (hex or decimal)"
        );
        assert_eq!(
            error(r#"{"chainId": 1, "homesteadBlock": 5, "eip150Block": 2}"#),
            "eip150Block: block 2 is before an earlier fork's block 5"
        );
        assert_eq!(
            error(r#"{"config": {"chainId": 1}, "alloc": {"0x01": {"balance": "-1"}}}"#),
            "alloc.0x01.balance: \"-1\" is not a 256-bit number (hex or decimal)"
        );
        assert!(
            error(r#"{"config": {"chainId": 1, "pragueTime": 0}}"#)
                .contains("the genesis is in Prague")
        );
    }
}
