#!/bin/sh
# The demo: the paper's comparison on the embedded bundle, every number on the held-out report split.
# 1. Hard selection: keep the top-k channels of each ranking, drop the rest — MI (the paper's patch
#    estimator), the redundancy-aware MI-JMI, and the baselines l1, l2, variance, random.
# 2. Fronts of bitrate against every task's metric: the integer program over MI, over measured
#    sensitivities and over l1; uniform bits; and the archived search on the true metrics (NSGA-II
#    seeded with the ILP solutions), with hypervolumes and BD-rates against uniform.
set -e
BIN=${1:-.build/release/mipareto}
BUNDLE=${2:-examples/data/digits-pair-mini}
OUT=${3:-demo-out}
"$BIN" inspect "$BUNDLE"
echo
"$BIN" select "$BUNDLE" --measures mi,mi-jmi,l1,l2,variance,random --estimator patch --split report -o "$OUT/select"
echo
"$BIN" front "$BUNDLE" \
  --methods ilp-mi,ilp-sensitivity,ilp-l1,uniform,nsga2 \
  --seed-from-ilp --population 32 --generations 20 -o "$OUT/front"
echo
echo "Open $OUT/select/select.svg (hard selection), $OUT/front/front.svg (fronts per task) and"
echo "$OUT/front/importance.svg (MI per channel); every point is a row of $OUT/front/front.csv, the"
echo "hypervolumes and BD-rates are in $OUT/front/summary.json."
