#!/bin/sh
# The demo: inspect the embedded bundle, then score it at several uniform bit depths.
set -e
BIN=${1:-.build/release/mipareto}
BUNDLE=${2:-examples/data/digits-pair-mini}
"$BIN" inspect "$BUNDLE"
for b in 1 2 4 8; do
  echo
  "$BIN" evaluate "$BUNDLE" --bits "$b"
done
