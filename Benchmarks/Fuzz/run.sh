#!/usr/bin/env bash
# Builds the libFuzzer targets and runs each for a bounded time (`make fuzz` at the top).
#   FUZZ_SECONDS   seconds per target (default 60)
#   FUZZ_RUNS      stop a target after this many executions instead (the campaign: 1000000),
#                  FUZZ_SECONDS still bounding it
#   FUZZ_TARGETS   the targets to run, space-separated (default: all)
#   FUZZ_WORK      where the growing corpora and the crash / hang / leak artifacts go
#                  (default Benchmarks/Fuzz/.build/fuzz-work; the committed seeds stay untouched)
#   FUZZ_SANITIZE  swiftc -sanitize= value (default fuzzer,address)
#   FUZZ_BUILD=0   run what is built without building
#   FUZZ_FLAGS     extra libFuzzer flags
# Prints one line per target (executions, corpus size, crashes / hangs / leaks) and exits 1 when
# any target left an artifact.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
seconds="${FUZZ_SECONDS:-60}"
targets="${FUZZ_TARGETS:-fuzz-npy fuzz-bundle fuzz-problem fuzz-allocation fuzz-front-checkpoint fuzz-nsga-checkpoint fuzz-evaluator-reply}"
work="${FUZZ_WORK:-$here/.build/fuzz-work}"
sanitize="${FUZZ_SANITIZE:-fuzzer,address}"
swift="${SWIFT:-swift}"

if [ "${FUZZ_BUILD:-1}" != 0 ]; then
  start=$(date +%s)
  "$swift" build -c release -Xswiftc "-sanitize=$sanitize" -Xswiftc -enable-testing
  echo "fuzz build: $(( $(date +%s) - start )) s"
fi
bin="$("$swift" build -c release -Xswiftc "-sanitize=$sanitize" -Xswiftc -enable-testing --show-bin-path)"

# The Swift runtime's own crash backtracer would race libFuzzer's report; libFuzzer and ASan report.
export SWIFT_BACKTRACE=enable=no
failed=0
summary=()
for target in $targets; do
  corpus="$work/$target/corpus"
  artifacts="$work/$target/artifacts"
  mkdir -p "$corpus" "$artifacts"
  rm -f "$artifacts"/*
  log="$work/$target/log.txt"
  dict=()
  [ -f "Dictionaries/$target.dict" ] && dict=("-dict=Dictionaries/$target.dict")
  runs=()
  [ -n "${FUZZ_RUNS:-}" ] && runs=("-runs=$FUZZ_RUNS")
  status=0
  began=$(date +%s)
  # shellcheck disable=SC2086
  "$bin/$target" "$corpus" "Corpus/$target" "${dict[@]}" "${runs[@]}" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -detect_leaks=1 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" ${FUZZ_FLAGS:-} >"$log" 2>&1 || status=$?
  elapsed=$(( $(date +%s) - began ))
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  # A crash ends the run before the final stats: the last progress line has the count.
  [ -z "$executions" ] && executions=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  files=$(find "$corpus" -type f | wc -l)
  crashes=$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'oom-*' -o -name 'deadly-*' \) | wc -l)
  hangs=$(find "$artifacts" -type f \( -name 'timeout-*' -o -name 'slow-unit-*' \) | wc -l)
  leaks=$(find "$artifacts" -type f -name 'leak-*' | wc -l)
  line=$(printf '%-24s %10s executions  %6s corpus files  %s crashes  %s hangs  %s leaks  (%s s)' \
    "$target" "${executions:-0}" "$files" "$crashes" "$hangs" "$leaks" "$elapsed")
  echo "$line"
  summary+=("$line")
  if [ "$status" -ne 0 ] || [ $((crashes + hangs + leaks)) -ne 0 ]; then
    failed=1
    echo "  $target: exit $status; log $log; artifacts in $artifacts:" >&2
    ls "$artifacts" >&2 || true
    grep -m1 -E 'ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)|Fatal error|fuzz property failed' "$log" >&2 || true
  fi
done
echo
echo "fuzzing summary (at most $seconds s${FUZZ_RUNS:+ or $FUZZ_RUNS executions} per target):"
printf '%s\n' "${summary[@]}"
exit "$failed"
