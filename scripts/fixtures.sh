#!/usr/bin/env bash
# Prints the folder holding the ethereum/tests fixtures, unpacking the shipped archives on first use.
# ETHTESTS_DIR overrides the location (it must contain ethereum-tests/ and legacy-tests/).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="${ETHTESTS_DIR:-$root/fixtures}"
if [ ! -d "$dest/ethereum-tests" ] || [ ! -d "$dest/legacy-tests" ]; then
  unpack="$root/../shared/ethtests/unpack.sh"
  if [ ! -x "$unpack" ]; then
    echo "error: no fixtures in $dest and no $unpack to unpack them." >&2
    echo "Clone ethereum/tests into $dest/ethereum-tests and ethereum/legacytests into $dest/legacy-tests," >&2
    echo "or set ETHTESTS_DIR to a folder that has both." >&2
    exit 1
  fi
  "$unpack" "$dest" >&2
fi
echo "$dest"
