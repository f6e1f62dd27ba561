#!/bin/sh
# Makes Benchmarks/.venv with the peers' Python packages (shared/peers/scripts/requirements.txt).
set -e
here=$(cd "$(dirname "$0")/.." && pwd)
req="$here/../../shared/peers/scripts/requirements.txt"
[ -f "$req" ] || req="$here/peers/requirements.txt"
python3 -m venv "$here/.venv"
"$here/.venv/bin/pip" install -q -r "$req"
