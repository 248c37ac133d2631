#!/usr/bin/env bash
# The project's test command: unit and integration tests, the wasm32 build of the no_std crates,
# and the ethereum/tests conformance suites (the fixtures are unpacked on first use, see
# scripts/fixtures.sh). Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${CARGO_BUILD_JOBS:-$(nproc)}"

scripts/ensure-wasm-target.sh
fixtures="$(scripts/fixtures.sh)"
export ETHTESTS_DIR="$fixtures"

echo "== unit and integration tests"
cargo test --workspace -j "$jobs"

echo "== no_std crates for wasm32-unknown-unknown"
cargo build -p evm-core -p witness --no-default-features --target wasm32-unknown-unknown -j "$jobs"

echo "== conformance (ethereum/tests, legacytests)"
cargo build --release -p evm-ee-cli -j "$jobs"
bin="${CARGO_TARGET_DIR:-target}/release/evm-ee"
"$bin" ethtests state --no-progress \
  "$fixtures/ethereum-tests/GeneralStateTests" \
  "$fixtures/legacy-tests/Cancun/GeneralStateTests" \
  "$fixtures/legacy-tests/Constantinople/GeneralStateTests"
# The same cases again, each executed over a witness generated from its pre-state, encoded in a
# block-data blob, decoded and verified (issue 3).
"$bin" ethtests state --no-progress --stateless \
  "$fixtures/ethereum-tests/GeneralStateTests" \
  "$fixtures/legacy-tests/Cancun/GeneralStateTests" \
  "$fixtures/legacy-tests/Constantinople/GeneralStateTests"
"$bin" ethtests transaction --no-progress "$fixtures/ethereum-tests/TransactionTests"
"$bin" ethtests trie --no-progress "$fixtures/ethereum-tests/TrieTests"
"$bin" ethtests rlp --no-progress "$fixtures/ethereum-tests/RLPTests"
