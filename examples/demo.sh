#!/bin/sh
# The demo: inspect the embedded bundle, then draw the Pareto fronts of bitrate against every task's
# metric for MI-driven allocation and the baselines (other importance measures, two-level, hard
# selection, uniform bits, NSGA-II on true metrics), all scored on the held-out report split.
set -e
BIN=${1:-.build/release/mipareto}
BUNDLE=${2:-examples/data/digits-pair-mini}
OUT=${3:-demo-out}
"$BIN" inspect "$BUNDLE"
echo
"$BIN" front "$BUNDLE" \
  --methods ilp-mi,ilp-l1,ilp-variance,ilp-random,ilp-equal,twolevel-mi,select-mi,uniform,nsga2 \
  --seed-from-ilp --population 32 --generations 20 -o "$OUT"
echo
echo "Open $OUT/front.svg (fronts per task), $OUT/importance.svg (MI per channel) and $OUT/select.svg;"
echo "every point is a row of $OUT/front.csv, the hypervolumes are in $OUT/summary.json."
