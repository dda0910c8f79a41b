#!/bin/sh
# ref_engine_test.sh BRAINC IM8_SPEED SRCDIR WORKDIR RECIPE.json TICKS AMP...
# An imported recipe run by brainc (bench/im8_speed: every neuron gets AMP
# each tick, learning on) spikes the same number of times in every tick as
# bench/im8_ref_engine.py, the Python transcription of the reference engine's
# tick (inner-models-v8-format.md §2-§4), running the same network written
# by `brainc export-db`. The drive is deterministic, so the counts must be
# equal tick by tick. So must those of `brainc run RECIPE.json --stimulus
# '* : current(AMP)'`, the same drive given on the command line.
# Exit 77 (skipped) without the recipe or numpy.
set -u
B=$1; S=$2; SRC=$3; W=$4; R=$5; T=$6
shift 6
[ -f "$R" ] || { echo "no $R: skipped"; exit 77; }
py=
for c in python3 /usr/bin/python3; do
  if "$c" -c 'import numpy' 2>/dev/null; then py=$c; break; fi
done
[ -n "$py" ] || { echo "no python3 with numpy: skipped"; exit 77; }
rm -rf "$W" && mkdir -p "$W" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
"$B" export-db "$R" -o "$W/brain.db" 2>"$W/export.txt" || { cat "$W/export.txt"; fail "export-db"; }
for amp in "$@"; do
  "$S" "$R" "$T" "tonic=$amp" "" "$W/brainc.txt" > "$W/brainc.out" || fail "im8_speed tonic=$amp"
  "$py" "$SRC/bench/im8_ref_engine.py" "$W/brain.db" "$T" "tonic=$amp" --counts "$W/ref.txt" > "$W/ref.out" ||
    fail "im8_ref_engine.py tonic=$amp"
  cat "$W/brainc.out" "$W/ref.out"
  n=$(awk '{s += $1} END {print s + 0}' "$W/ref.txt")
  [ "$n" -ge 100 ] || fail "tonic=$amp: only $n spikes, too few to compare"
  paste "$W/brainc.txt" "$W/ref.txt" | awk -v a="$amp" '$1 != $2 {print "tick " NR - 1 ": brainc " $1 ", reference " $2; bad = 1}
    END {exit bad}' | head -5
  cmp -s "$W/brainc.txt" "$W/ref.txt" || fail "tonic=$amp: spike counts per tick differ"
  "$B" run "$R" --ticks "$T" --quiet --stimulus "* : current($amp)" --record spikes="$W/run.csv" ||
    fail "brainc run --stimulus '* : current($amp)'"
  awk -F, -v t="$T" 'NR > 1 {c[$1]++} END {for (i = 0; i < t; i++) print c[i] + 0}' "$W/run.csv" > "$W/run.txt"
  cmp -s "$W/run.txt" "$W/ref.txt" || fail "tonic=$amp: brainc run --stimulus: spike counts per tick differ"
  echo "tonic=$amp: $n spikes in $T ticks, equal tick by tick (also with --stimulus)"
done
echo "ref engine tests passed"
