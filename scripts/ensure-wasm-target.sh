#!/usr/bin/env bash
# The EE and evm-core must build for wasm32-unknown-unknown. rustup does not add targets by itself
# here, so add it when it is missing, or stop with the exact instruction.
set -euo pipefail
target=wasm32-unknown-unknown
if rustc --print target-libdir --target "$target" >/dev/null 2>&1 \
  && [ -d "$(rustc --print target-libdir --target "$target")" ]; then
  exit 0
fi
if command -v rustup >/dev/null 2>&1 && rustup target add "$target"; then
  exit 0
fi
echo "error: the Rust target $target is missing; install it with: rustup target add $target" >&2
exit 1
