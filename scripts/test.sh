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

# The wasmtime engine is a cargo feature (slow to compile); it is built once, in release, for the
# engine-agreement tests and the conformance runs below.
echo "== both Wasm engines (wasmi and wasmtime): same results, same ticks"
cargo test --release -p evm-ee-host -p evm-ee-cli --features evm-ee-cli/wasmtime -j "$jobs"

echo "== no_std crates for wasm32-unknown-unknown"
cargo build -p evm-core -p witness --no-default-features --target wasm32-unknown-unknown -j "$jobs"

echo "== conformance (ethereum/tests, legacytests)"
cargo build --release -p evm-ee-cli --features wasmtime -j "$jobs"
bin="${CARGO_TARGET_DIR:-target}/release/evm-ee"
"$bin" ethtests state --no-progress \
  "$fixtures/ethereum-tests/GeneralStateTests" \
  "$fixtures/legacy-tests/Cancun/GeneralStateTests" \
  "$fixtures/legacy-tests/Constantinople/GeneralStateTests"
# The same cases again, each executed over a witness generated from its pre-state, encoded in a
# block-data blob, decoded and verified (issue 3). The legacy Cancun folder (101,161 cases, same
# result) is left to `STATELESS_ALL=1` to keep CI well inside its time.
stateless=(
  "$fixtures/ethereum-tests/GeneralStateTests"
  "$fixtures/legacy-tests/Constantinople/GeneralStateTests"
)
if [ -n "${STATELESS_ALL:-}" ]; then stateless+=("$fixtures/legacy-tests/Cancun/GeneralStateTests"); fi
"$bin" ethtests state --no-progress --stateless "${stateless[@]}"
"$bin" ethtests transaction --no-progress "$fixtures/ethereum-tests/TransactionTests"
"$bin" ethtests trie --no-progress "$fixtures/ethereum-tests/TrieTests"
"$bin" ethtests rlp --no-progress "$fixtures/ethereum-tests/RLPTests"
blockchain=(
  "$fixtures/ethereum-tests/BlockchainTests/ValidBlocks"
  "$fixtures/ethereum-tests/BlockchainTests/InvalidBlocks"
  "$fixtures/ethereum-tests/BlockchainTests/TransitionTests"
  "$fixtures/legacy-tests/Constantinople/BlockchainTests"
)
"$bin" ethtests blockchain --no-progress "${blockchain[@]}" "$fixtures/ethereum-tests/BlockchainTests/GeneralStateTests"
# Every block handed to the EE Wasm module as a pre-state and a block-data blob, in both engines.
# The legacy folder and BlockchainTests/GeneralStateTests are not in CI's EE runs yet (README
# lists what they give today and why).
ee_blockchain=(
  "$fixtures/ethereum-tests/BlockchainTests/ValidBlocks"
  "$fixtures/ethereum-tests/BlockchainTests/InvalidBlocks"
  "$fixtures/ethereum-tests/BlockchainTests/TransitionTests"
)
for engine in wasmi wasmtime; do
  "$bin" ethtests blockchain --no-progress --engine "$engine" --max-ticks 100000000000 "${ee_blockchain[@]}"
done
