//! Which suite a fixture test belongs to, told from its keys, so that a test handed to the wrong
//! subcommand is named as such, with the subcommand that runs it, instead of being skipped or
//! failing on a missing field.

use serde_json::Value;

/// The suites a test can be told apart by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixtureKind {
    /// GeneralStateTests: `env`, `pre`, `transaction`, `post`.
    State,
    /// BlockchainTests: `genesisBlockHeader`, `blocks`.
    Blockchain,
    /// TransactionTests: `txbytes`, `result`.
    Transaction,
}

impl FixtureKind {
    /// The test's suite, when its keys say it plainly.
    pub fn of(test: &Value) -> Option<FixtureKind> {
        let has = |key: &str| test.get(key).is_some();
        if has("genesisBlockHeader") && has("blocks") {
            Some(FixtureKind::Blockchain)
        } else if has("transaction") && has("post") && has("env") {
            Some(FixtureKind::State)
        } else if has("txbytes") && has("result") {
            Some(FixtureKind::Transaction)
        } else {
            None
        }
    }

    fn folder(self) -> &'static str {
        match self {
            FixtureKind::State => "GeneralStateTests",
            FixtureKind::Blockchain => "BlockchainTests",
            FixtureKind::Transaction => "TransactionTests",
        }
    }

    fn subcommand(self) -> &'static str {
        match self {
            FixtureKind::State => "state",
            FixtureKind::Blockchain => "blockchain",
            FixtureKind::Transaction => "transaction",
        }
    }
}

/// How the failure of a test given to the wrong suite starts ([`wrong_suite`]).
pub const WRONG_SUITE: &str = "wrong suite: ";

/// The failure of a test of kind `found` given to the `expected` suite: what it is and the
/// command that runs it.
pub fn wrong_suite(found: FixtureKind, expected: FixtureKind) -> String {
    format!(
        "{WRONG_SUITE}a {} test, not a {} one; run it with `evm-ee ethtests {}`",
        found.folder(),
        expected.folder(),
        found.subcommand()
    )
}

/// The [`wrong_suite`] failure of `test` in the `expected` suite, if it is of another kind.
pub fn check(test: &Value, expected: FixtureKind) -> Option<String> {
    match FixtureKind::of(test) {
        Some(found) if found != expected => Some(wrong_suite(found, expected)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kinds_are_told_by_their_keys() {
        let state = json!({"env": {}, "pre": {}, "transaction": {}, "post": {}});
        let blockchain = json!({"genesisBlockHeader": {}, "blocks": [], "pre": {}});
        let transaction = json!({"txbytes": "0x", "result": {}});
        assert_eq!(FixtureKind::of(&state), Some(FixtureKind::State));
        assert_eq!(FixtureKind::of(&blockchain), Some(FixtureKind::Blockchain));
        assert_eq!(
            FixtureKind::of(&transaction),
            Some(FixtureKind::Transaction)
        );
        assert_eq!(FixtureKind::of(&json!({"in": [], "root": "0x"})), None);
        assert_eq!(check(&state, FixtureKind::State), None);
        assert_eq!(
            check(&state, FixtureKind::Blockchain).unwrap(),
            "wrong suite: a GeneralStateTests test, not a BlockchainTests one; run it with \
             `evm-ee ethtests state`"
        );
    }
}
