#!/bin/sh
# Regenerates docs/cli.md from the built binary's --help, so the reference never drifts from the code.
# Usage: docs/cli-reference.sh [path/to/mipareto]
set -e
BIN=${1:-.build/release/mipareto}
OUT=$(dirname "$0")/cli.md
{
  echo "# Command reference"
  echo
  echo "Generated from \`mipareto <command> --help\` by \`docs/cli-reference.sh\`."
  echo
  echo '```'
  "$BIN" --help
  echo '```'
  for cmd in $("$BIN" --help | awk '/^SUBCOMMANDS:/{on=1; next} on && /^  [a-z]/{print $1}'); do
    echo
    echo "## mipareto $cmd"
    echo
    echo '```'
    "$BIN" "$cmd" --help
    echo '```'
  done
} > "$OUT.tmp" && mv "$OUT.tmp" "$OUT"
echo "wrote $OUT"
