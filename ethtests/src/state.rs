//! GeneralStateTests: every (test, fork, data/gas/value index) case executes one transaction on the
//! `pre` state; the post-state root and the logs hash must equal the fixture's, and a case with
//! `expectException` must be rejected as an invalid transaction.

use std::collections::BTreeMap;
use std::path::PathBuf;

use evm_core::logs::Log;
use evm_core::precompiles::NativePrecompiles;
use evm_core::state::{AccountChange, EMPTY_CODE_HASH, InMemoryAccount, State, StateChanges};
use evm_core::tx::{AccessListItem, GasPrice, TxEnv, TxKind, TxType};
use evm_core::{BlockEnv, BlockGasLeft, InMemoryState, SpecId, TransactError};
use primitive_types::{H160, H256, U256};
use rayon::prelude::*;
use serde_json::Value;
use stateless::{BlockDataBlob, ChainConfig, ForkActivation, Witness};
use stateless::{RecordingState, WitnessState, generate_witness};

use crate::json::{self, FieldError};
use crate::report::SizeStats;
use crate::{
    CaseResult, FixtureFile, Outcome, Report, RunError, RunOptions, read_tests, run_files,
};

/// State tests use chain id 1.
const CHAIN_ID: u64 = 1;

/// Runs every state test case under `paths` (files or folders, recursively).
pub fn run(paths: &[PathBuf], options: &RunOptions) -> Result<Report, RunError> {
    let results = run_files(paths, options, run_file)?;
    let sizes: Vec<usize> = results.iter().filter_map(|(_, size)| *size).collect();
    let mut report =
        Report::from_results("state", results.into_iter().map(|(case, _)| case).collect());
    report.witness_sizes = SizeStats::of(sizes);
    Ok(report)
}

/// Runs all cases of one fixture file; in stateless mode each passed case carries the size of its
/// encoded block-data blob.
pub fn run_file(file: &FixtureFile, options: &RunOptions) -> Vec<(CaseResult, Option<usize>)> {
    let tests = match read_tests(file) {
        Ok(tests) => tests,
        Err(error) => return vec![(CaseResult::file_failed(file, &error), None)],
    };
    let mut results = Vec::new();
    for (name, test) in &tests {
        if !options.matches(&file.display, name) {
            continue;
        }
        // A test that fails as a whole, before any case: one failed case for it.
        let test_failed = |reason: String| {
            (
                CaseResult {
                    file: file.display.clone(),
                    test: name.clone(),
                    fork: "-".into(),
                    index: String::new(),
                    outcome: Outcome::Failed(reason),
                },
                None,
            )
        };
        if let Some(reason) = crate::kind::check(test, crate::kind::FixtureKind::State) {
            results.push(test_failed(reason));
            continue;
        }
        let cases = match expand_cases(test, options) {
            Ok(cases) => cases,
            Err(error) => {
                results.push(test_failed(format!("malformed test: {error}")));
                continue;
            }
        };
        let pre = match parse_pre(test) {
            Ok(pre) => pre,
            Err(error) => {
                results.extend(cases.iter().map(|case| {
                    (
                        CaseResult {
                            file: file.display.clone(),
                            test: name.clone(),
                            fork: case.fork_name.clone(),
                            index: case.index.clone(),
                            outcome: Outcome::Failed(format!("malformed pre-state: {error}")),
                        },
                        None,
                    )
                }));
                continue;
            }
        };
        let case_results: Vec<(CaseResult, Option<usize>)> = cases
            .par_iter()
            .map(|case| {
                let (outcome, witness_bytes) = run_case(test, &pre, case, options.stateless);
                let result = CaseResult {
                    file: file.display.clone(),
                    test: name.clone(),
                    fork: case.fork_name.clone(),
                    index: case.index.clone(),
                    outcome,
                };
                (result, witness_bytes)
            })
            .collect();
        results.extend(case_results);
    }
    results
}

/// One post entry of one fork.
struct Case<'a> {
    fork_name: String,
    spec: Option<SpecId>,
    index: String,
    post: &'a Value,
    data: usize,
    gas: usize,
    value: usize,
}

fn expand_cases<'a>(test: &'a Value, options: &RunOptions) -> Result<Vec<Case<'a>>, FieldError> {
    let posts = test
        .get("post")
        .and_then(Value::as_object)
        .ok_or_else(|| FieldError {
            field: "post".into(),
            problem: "missing",
            value: String::new(),
        })?;
    let mut cases = Vec::new();
    for (fork_name, entries) in posts {
        let spec = SpecId::from_name(fork_name);
        if !options.wants_fork(spec) {
            continue;
        }
        for entry in entries.as_array().into_iter().flatten() {
            let index = |key: &str| {
                entry
                    .get("indexes")
                    .and_then(|i| i.get(key))
                    .and_then(Value::as_u64)
                    .map(|i| i as usize)
                    .ok_or_else(|| FieldError {
                        field: format!("indexes.{key}"),
                        problem: "missing",
                        value: String::new(),
                    })
            };
            let (data, gas, value) = (index("data")?, index("gas")?, index("value")?);
            if !options.case_index.selects(data, gas, value) {
                continue;
            }
            cases.push(Case {
                fork_name: fork_name.clone(),
                spec,
                index: format!("d{data}g{gas}v{value}"),
                post: entry,
                data,
                gas,
                value,
            });
        }
    }
    Ok(cases)
}

/// The `pre` accounts of a test.
pub fn parse_pre(test: &Value) -> Result<InMemoryState, FieldError> {
    let pre = test
        .get("pre")
        .and_then(Value::as_object)
        .ok_or_else(|| FieldError {
            field: "pre".into(),
            problem: "missing",
            value: String::new(),
        })?;
    let mut accounts = BTreeMap::new();
    for (address, account) in pre {
        let address = json::address("pre address", address)?;
        let mut storage = BTreeMap::new();
        if let Some(slots) = account.get("storage").and_then(Value::as_object) {
            for (key, value) in slots {
                let value = value.as_str().unwrap_or_default();
                storage.insert(
                    json::h256_from_number("storage key", key)?,
                    json::h256_from_number("storage value", value)?,
                );
            }
        }
        accounts.insert(
            address,
            InMemoryAccount {
                nonce: json::u64("nonce", json::str_at(account, "nonce")?)?,
                balance: json::u256("balance", json::str_at(account, "balance")?)?,
                code: json::bytes("code", json::str_at(account, "code")?)?,
                storage,
            },
        );
    }
    Ok(InMemoryState::new(accounts))
}

/// One case's outcome and, in stateless mode, the size of its encoded block-data blob.
fn run_case(
    test: &Value,
    pre: &InMemoryState,
    case: &Case<'_>,
    stateless: bool,
) -> (Outcome, Option<usize>) {
    let outcome = |outcome| (outcome, None);
    let Some(spec) = case.spec else {
        return outcome(Outcome::Skipped(format!(
            "fork {} is not supported",
            case.fork_name
        )));
    };
    let expect_exception = json::opt_str_at(case.post, "expectException");
    let env = match block_env(test, spec) {
        Ok(env) => env,
        Err(error) => return outcome(Outcome::Failed(format!("malformed env: {error}"))),
    };
    let tx = match tx_env(test, case) {
        Ok(tx) => tx,
        // A value the transaction format cannot carry (for example a 257-bit value) is what some
        // exception cases test: such a transaction cannot even be decoded.
        Err(error) => {
            return outcome(match expect_exception {
                Some(_) => Outcome::Passed,
                None => Outcome::Failed(format!("malformed transaction: {error}")),
            });
        }
    };
    let expected_root = match json::str_at(case.post, "hash").and_then(|h| json::h256("hash", h)) {
        Ok(root) => root,
        Err(error) => return outcome(Outcome::Failed(format!("malformed post: {error}"))),
    };
    let expected_logs = match json::opt_str_at(case.post, "logs").map(|l| json::h256("logs", l)) {
        None => None,
        Some(Ok(hash)) => Some(hash),
        Some(Err(error)) => return outcome(Outcome::Failed(format!("malformed post: {error}"))),
    };
    let mut state = pre.clone();
    for number in env.number.saturating_sub(256)..env.number {
        state
            .block_hashes
            .insert(number, state_test_block_hash(number));
    }
    let expected = Expected {
        exception: expect_exception,
        root: expected_root,
        logs: expected_logs,
    };
    if stateless {
        return run_stateless(state, &env, spec, &tx, &expected);
    }
    outcome(match execute_case(&mut state, &env, spec, &tx, &expected) {
        Ok((logs, _)) => expected.check(state.root(), &logs),
        Err(failed) => failed,
    })
}

/// What the fixture says a case must produce.
struct Expected<'a> {
    exception: Option<&'a str>,
    root: H256,
    logs: Option<H256>,
}

impl Expected<'_> {
    fn check(&self, root: H256, logs: &[Log]) -> Outcome {
        if root != self.root {
            return Outcome::Failed(format!("state root {root:?} != expected {:?}", self.root));
        }
        if let Some(expected) = self.logs {
            let logs_hash = evm_core::logs::logs_hash(logs);
            if logs_hash != expected {
                return Outcome::Failed(format!(
                    "logs hash {logs_hash:?} != expected {expected:?}"
                ));
            }
        }
        Outcome::Passed
    }
}

/// Runs the transaction on `state`; returns its logs and the changes it committed (for witness
/// replay), or the outcome when the case is decided without looking at the state root.
fn execute_case<S: State>(
    state: &mut S,
    env: &BlockEnv,
    spec: SpecId,
    tx: &TxEnv,
    expected: &Expected<'_>,
) -> Result<(Vec<Log>, StateChanges), Outcome> {
    let result = evm_core::transact(
        state,
        env,
        spec,
        &NativePrecompiles,
        tx,
        BlockGasLeft::whole_block(env),
    );
    match (result, expected.exception) {
        (Err(TransactError::Invalid(_)), Some(_)) => {
            let touch = coinbase_touch(state, env.coinbase, spec)
                .map_err(|e| Outcome::Failed(format!("state access failed: {e}")))?;
            state
                .commit(&touch)
                .map_err(|e| Outcome::Failed(format!("state access failed: {e}")))?;
            Ok((Vec::new(), touch))
        }
        (Err(TransactError::Invalid(invalid)), None) => {
            Err(Outcome::Failed(format!("transaction rejected: {invalid}")))
        }
        (Err(error), _) => Err(Outcome::Failed(error.to_string())),
        (Ok(_), Some(exception)) => Err(Outcome::Failed(format!(
            "expected exception {exception}, transaction was accepted"
        ))),
        (Ok(outcome), None) => Ok((outcome.logs, outcome.changes)),
    }
}

/// The stateless path: execute natively while recording what is touched, generate the witness,
/// encode it in a block-data blob and decode it again, then execute over the witness alone and
/// check the fixture's root against the witness state's root.
fn run_stateless(
    pre: InMemoryState,
    env: &BlockEnv,
    spec: SpecId,
    tx: &TxEnv,
    expected: &Expected<'_>,
) -> (Outcome, Option<usize>) {
    let mut recording = RecordingState::new(pre.clone());
    let changes = match execute_case(&mut recording, env, spec, tx, expected) {
        Ok((_, changes)) => changes,
        Err(outcome) => return (outcome, None),
    };
    let (_, record) = recording.finish();
    let generated = match generate_witness(&pre, &record, &[changes]) {
        Ok(generated) => generated,
        Err(error) => {
            return (
                Outcome::Failed(format!("witness generation: {error}")),
                None,
            );
        }
    };
    let blob = BlockDataBlob {
        chain_config: ChainConfig {
            chain_id: env.chain_id,
            forks: vec![(spec, ForkActivation::Block(0))],
            deposit_contract: None,
            dao_fork_block: None,
            bomb_delays: Vec::new(),
        },
        // No parent block either: any total difficulty does.
        parent_total_difficulty: [0; 32],
        // State tests have no block: the blob carries the witness only.
        block: Vec::new(),
        witness: Witness {
            state: generated.nodes,
            codes: generated.codes,
            headers: Vec::new(),
            keys: Vec::new(),
        },
    };
    let encoded = blob.encode();
    let decoded = match BlockDataBlob::decode(&encoded) {
        Ok(decoded) => decoded,
        Err(error) => return (Outcome::Failed(format!("blob round trip: {error}")), None),
    };
    // The pre-state root comes from the full state, as a parent header would give it.
    let mut witness_state = match WitnessState::new(
        pre.root(),
        &decoded.witness.state,
        &decoded.witness.codes,
        generated.block_hashes,
    ) {
        Ok(state) => state,
        Err(error) => {
            return (
                Outcome::Failed(format!("witness verification: {error}")),
                None,
            );
        }
    };
    let outcome = match execute_case(&mut witness_state, env, spec, tx, expected) {
        Ok((logs, _)) => match witness_state.state_root() {
            Ok(root) => expected.check(root, &logs),
            Err(error) => Outcome::Failed(format!("state access failed: {error}")),
        },
        Err(outcome) => outcome,
    };
    (outcome, Some(encoded.len()))
}

/// The fixtures of a rejected transaction were filled by clients that still pay the coinbase a zero
/// reward: the touch creates an absent coinbase before EIP-158 and removes an empty one after.
/// This belongs to the test harness, not to consensus, so it lives here.
fn coinbase_touch<S: State>(
    state: &S,
    coinbase: H160,
    spec: SpecId,
) -> Result<StateChanges, S::Error> {
    let eip158 = spec.is_enabled_in(SpecId::SpuriousDragon);
    let mut changes = StateChanges::new();
    match state.account(coinbase)? {
        None if !eip158 => {
            changes.insert(
                coinbase,
                AccountChange::Updated {
                    nonce: 0,
                    balance: U256::zero(),
                    code: None,
                    storage_cleared: false,
                    storage: BTreeMap::new(),
                },
            );
        }
        Some(account)
            if eip158
                && account.nonce == 0
                && account.balance.is_zero()
                && account.code_hash == EMPTY_CODE_HASH =>
        {
            changes.insert(coinbase, AccountChange::Deleted);
        }
        _ => {}
    }
    Ok(changes)
}

/// State tests fill BLOCKHASH with `keccak256(decimal(number))`, as geth's state test runner does.
fn state_test_block_hash(number: u64) -> H256 {
    witness::keccak256(number.to_string().as_bytes())
}

fn block_env(test: &Value, spec: SpecId) -> Result<BlockEnv, FieldError> {
    let env = test.get("env").ok_or_else(|| FieldError {
        field: "env".into(),
        problem: "missing",
        value: String::new(),
    })?;
    let opt = |key: &str| json::opt_str_at(env, key);
    Ok(BlockEnv {
        number: json::u64("currentNumber", json::str_at(env, "currentNumber")?)?,
        coinbase: json::address("currentCoinbase", json::str_at(env, "currentCoinbase")?)?,
        timestamp: json::u64_saturating(
            "currentTimestamp",
            json::str_at(env, "currentTimestamp")?,
        )?,
        difficulty: match opt("currentDifficulty") {
            Some(text) => json::u256("currentDifficulty", text)?,
            None => U256::zero(),
        },
        prevrandao: opt("currentRandom")
            .map(|r| json::h256_from_number("currentRandom", r))
            .transpose()?,
        gas_limit: json::u64_saturating("currentGasLimit", json::str_at(env, "currentGasLimit")?)?,
        base_fee: match opt("currentBaseFee") {
            Some(text) if spec.is_enabled_in(SpecId::London) => json::u256("currentBaseFee", text)?,
            _ => U256::zero(),
        },
        excess_blob_gas: if spec.is_enabled_in(SpecId::Cancun) {
            Some(match opt("currentExcessBlobGas") {
                Some(text) => json::u64("currentExcessBlobGas", text)?,
                None => 0,
            })
        } else {
            None
        },
        chain_id: CHAIN_ID,
    })
}

fn tx_env(test: &Value, case: &Case<'_>) -> Result<TxEnv, FieldError> {
    let tx = test.get("transaction").ok_or_else(|| FieldError {
        field: "transaction".into(),
        problem: "missing",
        value: String::new(),
    })?;
    let pick = |key: &str, index: usize| -> Result<&str, FieldError> {
        tx.get(key)
            .and_then(Value::as_array)
            .and_then(|values| values.get(index))
            .and_then(Value::as_str)
            .ok_or_else(|| FieldError {
                field: format!("transaction.{key}[{index}]"),
                problem: "missing",
                value: String::new(),
            })
    };
    let data = json::bytes("data", pick("data", case.data)?)?;
    let gas_limit = json::u64("gasLimit", pick("gasLimit", case.gas)?)?;
    let value = json::u256("value", pick("value", case.value)?)?;
    let caller = match json::opt_str_at(tx, "sender") {
        Some(sender) => json::address("sender", sender)?,
        None => sender_of_secret_key(json::str_at(tx, "secretKey")?)?,
    };
    let kind = match json::opt_str_at(tx, "to") {
        Some(to) if !to.is_empty() && to != "0x" => TxKind::Call(json::address("to", to)?),
        _ => TxKind::Create,
    };
    let access_list = match tx
        .get("accessLists")
        .and_then(Value::as_array)
        .and_then(|lists| lists.get(case.data))
    {
        Some(Value::Array(items)) => Some(parse_access_list(items)?),
        _ => None,
    };
    let blob_hashes = match tx.get("blobVersionedHashes").and_then(Value::as_array) {
        Some(hashes) => Some(
            hashes
                .iter()
                .map(|h| json::h256("blobVersionedHashes", h.as_str().unwrap_or_default()))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        None => None,
    };
    let fee_market = match (
        json::opt_str_at(tx, "maxFeePerGas"),
        json::opt_str_at(tx, "maxPriorityFeePerGas"),
    ) {
        (Some(max_fee), Some(tip)) => Some(GasPrice::FeeMarket {
            max_fee: json::u256("maxFeePerGas", max_fee)?,
            max_priority_fee: json::u256("maxPriorityFeePerGas", tip)?,
        }),
        _ => None,
    };
    let (tx_type, gas_price) = match (blob_hashes.is_some(), fee_market) {
        (true, Some(price)) => (TxType::Blob, price),
        (false, Some(price)) => (TxType::DynamicFee, price),
        (_, None) => {
            let price = GasPrice::Legacy(json::u256("gasPrice", json::str_at(tx, "gasPrice")?)?);
            (
                if access_list.is_some() {
                    TxType::AccessList
                } else {
                    TxType::Legacy
                },
                price,
            )
        }
    };
    Ok(TxEnv {
        tx_type,
        caller,
        nonce: json::u64("nonce", json::str_at(tx, "nonce")?)?,
        gas_limit,
        gas_price,
        kind,
        value,
        data,
        access_list: access_list.unwrap_or_default(),
        max_fee_per_blob_gas: match json::opt_str_at(tx, "maxFeePerBlobGas") {
            Some(fee) => json::u256("maxFeePerBlobGas", fee)?,
            None => U256::zero(),
        },
        blob_versioned_hashes: blob_hashes.unwrap_or_default(),
    })
}

fn parse_access_list(items: &[Value]) -> Result<Vec<AccessListItem>, FieldError> {
    items
        .iter()
        .map(|item| {
            Ok(AccessListItem {
                address: json::address("accessList address", json::str_at(item, "address")?)?,
                storage_keys: item
                    .get("storageKeys")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|key| {
                        json::h256_from_number("storageKey", key.as_str().unwrap_or_default())
                    })
                    .collect::<Result<_, _>>()?,
            })
        })
        .collect()
}

/// The address of the key that signs a state test's transaction.
fn sender_of_secret_key(secret: &str) -> Result<H160, FieldError> {
    let bad = |problem| FieldError {
        field: "secretKey".into(),
        problem,
        value: secret.into(),
    };
    let raw = json::bytes("secretKey", secret)?;
    let raw: [u8; 32] = raw.try_into().map_err(|_| bad("not 32 bytes"))?;
    evm_core::tx::address_of_secret_key(&raw).map_err(|_| bad("not a secp256k1 key"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_key_gives_the_usual_test_sender() {
        // The key every ethereum/tests filler uses for its transactions.
        let sender = sender_of_secret_key(
            "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8",
        )
        .unwrap();
        assert_eq!(
            hex::encode(sender),
            "a94f5374fce5edbc8e2a8697c15331677e6ebf0b"
        );
    }

    #[test]
    fn block_hash_is_keccak_of_the_decimal_number() {
        assert_eq!(state_test_block_hash(0), witness::keccak256(b"0"));
    }
}
