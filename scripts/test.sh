#!/usr/bin/env bash
# The project's test command: unit and integration tests, the wasm32 build of the no_std crates,
# and the ethereum/tests conformance suites (the fixtures are unpacked on first use, see
# scripts/fixtures.sh). Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${CARGO_BUILD_JOBS:-$(nproc)}"
started=$(date +%s)
# Section headers with the time since the start, so a CI log shows where the time goes.
section() { echo "== $1 (+$(( $(date +%s) - started )) s)"; }

scripts/ensure-wasm-target.sh
fixtures="$(scripts/fixtures.sh)"
export ETHTESTS_DIR="$fixtures"
# Mainnet history (era 0 as an era1 archive) for the era1 reader and `evm-ee replay`.
export ERA1_DIR="${ERA1_DIR:-$(cd .. && pwd)/shared/history}"

section "unit and integration tests"
cargo test --workspace -j "$jobs"

# The wasmtime engine is a cargo feature (slow to compile); it is built once, in release, for the
# engine-agreement tests and the conformance runs below.
section "both Wasm engines (wasmi and wasmtime): same results, same ticks"
cargo test --release -p evm-ee-host -p evm-ee-cli --features evm-ee-cli/wasmtime -j "$jobs"

section "no_std crates for wasm32-unknown-unknown"
cargo build -p evm-core -p witness -p stateless -p precompiles --no-default-features --target wasm32-unknown-unknown -j "$jobs"

section "conformance (ethereum/tests, legacytests)"
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
section "precompile modules against the native set, every case of bench precompiles"
# Every module (host and compiled-in bignum) in both engines on the benchmark's inputs, each call
# checked against the native result; the timings of this smoke run are not the point.
"$bin" bench precompiles --min-time 1
section "blockchain tests inside the EE"
# Every block handed to the EE Wasm module as a pre-state and a block-data blob (issue 4). The
# budgets fit the heaviest fixtures: CALLBlake2f_MaxRounds runs 2^32 blake2f rounds (over 10^12
# ticks) and the 1 MB-calldata-at-depth-1024 and 1.4 GB-KECCAK cases need up to 2.2 GB of EE
# memory; with the host's defaults (10^10 ticks, 128 MiB) a shard would reject those blocks.
ee_limits=(--max-ticks 10000000000000 --max-memory 4096)
ee_blockchain=(
  "$fixtures/ethereum-tests/BlockchainTests/ValidBlocks"
  "$fixtures/ethereum-tests/BlockchainTests/InvalidBlocks"
  "$fixtures/ethereum-tests/BlockchainTests/TransitionTests"
)
# Both engines on the same blocks: the same verdicts, post-states and ticks block by block (the
# report's digest is a hash over all of them), checked here.
ee_log="$(mktemp)"
trap 'rm -f "$ee_log"' EXIT
ee_summary=()
for engine in wasmi wasmtime; do
  "$bin" ethtests blockchain --no-progress --engine "$engine" "${ee_limits[@]}" "${ee_blockchain[@]}" | tee "$ee_log"
  ee_summary+=("$(sed -n 's/^EE in [a-z]*: //p' "$ee_log")")
done
if [ -z "${ee_summary[0]}" ] || [ "${ee_summary[0]}" != "${ee_summary[1]}" ]; then
  echo "error: wasmi and wasmtime disagree: '${ee_summary[0]}' vs '${ee_summary[1]}'" >&2
  exit 1
fi
echo "wasmi and wasmtime agree: ${ee_summary[0]}"
# Mainnet's era 0 (blocks 1..8191) replayed through the EE in both engines (issue 14): mainnet's
# roots, and the same ticks in each.
replay_ticks=()
for engine in wasmi wasmtime; do
  out="$("$bin" replay --json --engine "$engine" "$ERA1_DIR/mainnet-00000.era1")"
  echo "replay in $engine: $out"
  replay_ticks+=("$(echo "$out" | sed -n 's/.*"ticks":\([0-9]*\).*/\1/p')")
done
if [ -z "${replay_ticks[0]}" ] || [ "${replay_ticks[0]}" != "${replay_ticks[1]}" ]; then
  echo "error: the replay's ticks differ: ${replay_ticks[*]}" >&2
  exit 1
fi
# The state tests as blocks and the legacy (PoW era) chains, inside the EE in wasmtime.
"$bin" ethtests blockchain --no-progress --engine wasmtime "${ee_limits[@]}" \
  "$fixtures/ethereum-tests/BlockchainTests/GeneralStateTests" \
  "$fixtures/legacy-tests/Constantinople/BlockchainTests"
# The same in wasmi, but for the two folders of deliberately time-consuming tests
# (stTimeConsuming, VMTests/vmPerformance: about 4 * 10^12 ticks, most of an hour in an
# interpreter), which the wasmtime run above covers; EE_WASMI_ALL=1 runs them in wasmi too.
gst="$fixtures/ethereum-tests/BlockchainTests/GeneralStateTests"
shopt -s nullglob
wasmi_gst=()
for dir in "$gst"/*/; do
  case "$(basename "$dir")" in
    stTimeConsuming)
      if [ -n "${EE_WASMI_ALL:-}" ]; then wasmi_gst+=("$dir"); fi
      ;;
    VMTests)
      for sub in "$dir"*/; do
        if [ "$(basename "$sub")" != vmPerformance ] || [ -n "${EE_WASMI_ALL:-}" ]; then
          wasmi_gst+=("$sub")
        fi
      done
      ;;
    *) wasmi_gst+=("$dir") ;;
  esac
done
"$bin" ethtests blockchain --no-progress --engine wasmi "${ee_limits[@]}" \
  "${wasmi_gst[@]}" "$fixtures/legacy-tests/Constantinople/BlockchainTests"
section "done"
