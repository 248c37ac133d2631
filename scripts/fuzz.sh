#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ (or the ones named) for SECONDS each and prints, per
# target, the executions libFuzzer made and whether it found anything:
#   scripts/fuzz.sh 60                      # every target, one minute each
#   scripts/fuzz.sh 1800 differential       # the engine-differential target, 30 minutes
# cargo-fuzz is installed from crates.io when missing. The machine has one stable toolchain, so
# RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass the -Z flags of its coverage instrumentation; the
# sanitizer is off by default (the targets are safe Rust; FUZZ_SANITIZER=address to turn it on
# where the toolchain ships its runtime). Crashes are kept in fuzz/artifacts/<target>/, the
# corpus in fuzz/corpus/<target>/ and the logs in fuzz/logs/ (all ignored by git).
set -euo pipefail
seconds="${1:-60}"
shift || true
cd "$(dirname "$0")/../fuzz"
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
export RUSTC_BOOTSTRAP=1
sanitizer="${FUZZ_SANITIZER:-none}"
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list)
fi
mkdir -p logs
status=0
for target in "${targets[@]}"; do
  log="logs/$target.log"
  # libFuzzer's own bounds: 2 GiB of RSS and 10 s per input, so a decoder that allocates for an
  # unchecked count or a module that runs away is a finding, not a stuck run.
  if cargo fuzz run "$target" --release --sanitizer "$sanitizer" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 >"$log" 2>&1; then
    verdict="no finding"
  else
    verdict="FOUND something (see $log and artifacts/$target/)"
    status=1
  fi
  runs="$(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -n 1 || true)"
  echo "$target: ${runs:-no summary} - $verdict"
done
exit "$status"
