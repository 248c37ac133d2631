//! ethereum/tests `TransactionTests`: each test holds one `txbytes` and, per fork, either the
//! expected `hash`, `sender` and `intrinsicGas`, or an `exception`. A case runs the same
//! pipeline a block would: decode, chain id, sender recovery, static validity.
//!
//! The fixtures are filled for chain id 1. An exception case passes on any rejection: the fixture
//! names geth-style exceptions, which do not map one to one onto [`InvalidTransaction`].

use std::path::PathBuf;

use evm_core::SpecId;
use evm_core::tx::{InvalidTransaction, Transaction, validate_static};
use primitive_types::{H160, H256};
use serde_json::Value;

use crate::json;
use crate::{
    CaseResult, FixtureFile, Outcome, Report, RunError, RunOptions, read_tests, run_files,
};

/// The chain the fixtures are signed for.
const CHAIN_ID: u64 = 1;

/// Runs every test of every fixture file under `paths` (suite name `transaction`).
pub fn run(paths: &[PathBuf], options: &RunOptions) -> Result<Report, RunError> {
    Ok(Report::from_results(
        "transaction",
        run_files(paths, options, run_file)?,
    ))
}

/// One file's cases; a file that cannot be read or parsed is one failed case.
fn run_file(file: &FixtureFile, options: &RunOptions) -> Vec<CaseResult> {
    let tests = match read_tests(file) {
        Ok(tests) => tests,
        Err(error) => return vec![CaseResult::file_failed(file, &error)],
    };

    let mut results = Vec::new();
    for (test, body) in &tests {
        if !options.matches(&file.display, test) {
            continue;
        }
        let case = |fork: &str, outcome: Outcome| CaseResult {
            file: file.display.clone(),
            test: test.clone(),
            fork: fork.to_string(),
            index: String::new(),
            outcome,
        };
        if let Some(reason) = crate::kind::check(body, crate::kind::FixtureKind::Transaction) {
            results.push(case("-", Outcome::Failed(reason)));
            continue;
        }
        let Some(forks) = body.get("result").and_then(Value::as_object) else {
            results.push(case(
                "",
                Outcome::Failed("test has no `result` object".into()),
            ));
            continue;
        };
        let txbytes = json::str_at(body, "txbytes")
            .and_then(|text| json::bytes("txbytes", text))
            .map_err(|e| e.to_string());
        for (fork, expected) in forks {
            let spec = SpecId::from_name(fork);
            if !options.wants_fork(spec) {
                continue;
            }
            let outcome = match (spec, &txbytes) {
                (None, _) => Outcome::Skipped(format!("fork {fork} not supported")),
                (Some(_), Err(e)) => Outcome::Failed(e.clone()),
                (Some(spec), Ok(bytes)) => run_case(bytes, spec, expected),
            };
            results.push(case(fork, outcome));
        }
    }
    results
}

/// What a successful case produces.
struct Accepted {
    hash: H256,
    sender: H160,
    intrinsic_gas: u64,
}

/// The checks a block applies to a transaction before touching the state.
fn check(bytes: &[u8], spec: SpecId) -> Result<Accepted, InvalidTransaction> {
    let tx = Transaction::decode(bytes)?;
    // Signature first: before EIP-155 a `v` of `35 + 2 * chain_id` is a bad signature, not a
    // foreign chain.
    let sender = tx.recover_sender(spec)?;
    tx.check_chain_id(CHAIN_ID)?;
    let intrinsic_gas = validate_static(&tx.to_tx_env(sender), spec)?;
    Ok(Accepted {
        hash: tx.hash(),
        sender,
        intrinsic_gas,
    })
}

fn run_case(bytes: &[u8], spec: SpecId, expected: &Value) -> Outcome {
    let result = check(bytes, spec);
    if let Some(exception) = expected.get("exception") {
        let exception = exception.as_str().unwrap_or("?");
        return match result {
            Err(_) => Outcome::Passed,
            Ok(accepted) => Outcome::Failed(format!(
                "expected exception {exception}, but accepted (hash {:?}, sender {:?}, intrinsic gas {})",
                accepted.hash, accepted.sender, accepted.intrinsic_gas
            )),
        };
    }
    let accepted = match result {
        Ok(accepted) => accepted,
        Err(e) => return Outcome::Failed(format!("rejected: {e}")),
    };
    let want = match Expected::parse(expected) {
        Ok(want) => want,
        Err(e) => return Outcome::Failed(format!("malformed expectation: {e}")),
    };
    let mut mismatches = Vec::new();
    if accepted.hash != want.hash {
        mismatches.push(format!("hash {:?} != {:?}", accepted.hash, want.hash));
    }
    if accepted.sender != want.sender {
        mismatches.push(format!("sender {:?} != {:?}", accepted.sender, want.sender));
    }
    if accepted.intrinsic_gas != want.intrinsic_gas {
        mismatches.push(format!(
            "intrinsic gas {} != {}",
            accepted.intrinsic_gas, want.intrinsic_gas
        ));
    }
    if mismatches.is_empty() {
        Outcome::Passed
    } else {
        Outcome::Failed(mismatches.join("; "))
    }
}

/// A success expectation.
struct Expected {
    hash: H256,
    sender: H160,
    intrinsic_gas: u64,
}

impl Expected {
    fn parse(value: &Value) -> Result<Expected, json::FieldError> {
        let field = |name| json::str_at(value, name);
        Ok(Expected {
            hash: json::h256("hash", field("hash")?)?,
            sender: json::address("sender", field("sender")?)?,
            intrinsic_gas: json::u64("intrinsicGas", field("intrinsicGas")?)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "ethtests-transaction-{name}-{}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// ethereum/tests ttAddress/AddressLessThan20Prefixed0, trimmed, plus cases of our own.
    const FIXTURE: &str = r#"{
        "AddressLessThan20Prefixed0": {
            "result": {
                "Frontier": {
                    "hash": "0x2781a1444a7a4a646bf551f90913054dc47b2f3493d4a82a057445eb9e1c98cf",
                    "intrinsicGas": "0x5208",
                    "sender": "0x2fbffb0b9f709fd1fa4db9ff7342f2e6b3b2b7a6"
                },
                "Cancun": {
                    "hash": "0x2781a1444a7a4a646bf551f90913054dc47b2f3493d4a82a057445eb9e1c98cf",
                    "intrinsicGas": "0x5209",
                    "sender": "0x2fbffb0b9f709fd1fa4db9ff7342f2e6b3b2b7a6"
                },
                "Prague": {
                    "hash": "0x2781a1444a7a4a646bf551f90913054dc47b2f3493d4a82a057445eb9e1c98cf",
                    "intrinsicGas": "0x5208",
                    "sender": "0x2fbffb0b9f709fd1fa4db9ff7342f2e6b3b2b7a6"
                }
            },
            "txbytes": "0xf85f800182520894000000000000000000000000000b9331677e6ebf0a801ca098ff921201554726367d2be8c804a7ff89ccf285ebc57dff8ae4c44b9c19ac4aa01887321be575c8095f789dd4c743dfe42c1820f9231f98a962b210e3ac2452a3"
        },
        "Garbage": {
            "result": {
                "Berlin": { "exception": "TransactionException.RLP_ERROR_SIZE", "intrinsicGas": "0x00" }
            },
            "txbytes": "0xc1"
        }
    }"#;

    #[test]
    fn runs_a_fixture_file() {
        let dir = temp_dir("ok");
        std::fs::write(dir.join("t.json"), FIXTURE).unwrap();
        std::fs::write(dir.join("broken.json"), "{ not json").unwrap();
        let report = run(std::slice::from_ref(&dir), &RunOptions::default()).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();

        assert_eq!(report.suite, "transaction");
        assert_eq!(report.forks["Frontier"].passed, 1);
        assert_eq!(report.forks["Berlin"].passed, 1);
        assert_eq!(report.forks["Prague"].skipped, 1);
        assert_eq!(report.skip_reasons["fork Prague not supported"], 1);
        // The Cancun expectation was altered on purpose, and the broken file is one failure.
        assert_eq!(report.failed, 2, "{report}");
        assert!(
            report
                .failures
                .iter()
                .any(|f| f.fork == "Cancun" && f.reason.contains("intrinsic gas 21000 != 21001"))
        );
        assert!(report.failures.iter().any(|f| f.file == "broken.json"));
        assert_eq!(report.total, 5);
    }

    #[test]
    fn fork_and_filter_options() {
        let dir = temp_dir("filter");
        std::fs::write(dir.join("t.json"), FIXTURE).unwrap();
        let options = RunOptions {
            forks: vec![SpecId::Frontier],
            filter: Some("Prefixed".into()),
            ..RunOptions::default()
        };
        let report = run(std::slice::from_ref(&dir), &options).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!((report.total, report.passed), (1, 1), "{report}");
    }
}
