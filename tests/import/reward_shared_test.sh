#!/bin/sh
# reward_shared_test.sh BRAINC IM8_PROBE SRCDIR WORKDIR RECIPE.json TICKS AMP REWARDS
# An imported recipe with reward_plastic synapses (arena_v1), every neuron
# driven by AMP each tick and rewards given after the ticks of REWARDS
# ("T:M,..."; brainc: rt_brain_reward before tick T, so `on reward` runs at
# its end), spikes the same number of times in every tick as
# bench/im8_ref_engine.py running the same network (written by `brainc
# export-db`) with deliver_reward(M) after tick T (format spec §5.1).
# Exit 77 (skipped) without the recipe or numpy.
set -u
B=$1; P=$2; SRC=$3; W=$4; R=$5; T=$6; A=$7; RW=$8
[ -f "$R" ] || { echo "no $R: skipped"; exit 77; }
py=
for c in /usr/bin/python3 python3; do
  if "$c" -c 'import numpy' 2>/dev/null; then py=$c; break; fi
done
[ -n "$py" ] || { echo "no python3 with numpy: skipped"; exit 77; }
rm -rf "$W" && mkdir -p "$W" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
"$B" export-db "$R" -o "$W/brain.db" 2>"$W/export.txt" || { cat "$W/export.txt"; fail "export-db"; }
"$P" "$R" "$T" "$A" "$RW" > "$W/probe.txt" 2>"$W/probe.err" || { cat "$W/probe.err"; fail "im8_probe"; }
awk '$1 == "tick" {print $3}' "$W/probe.txt" > "$W/brainc.txt"
"$py" "$SRC/bench/im8_ref_engine.py" "$W/brain.db" "$T" "tonic=$A" --reward "$RW" --counts "$W/ref.txt" \
  > "$W/ref.out" || fail "im8_ref_engine.py"
cat "$W/ref.out"
n=$(awk '{s += $1} END {print s + 0}' "$W/ref.txt")
[ "$n" -ge 100 ] || fail "only $n spikes, too few to compare"
paste "$W/brainc.txt" "$W/ref.txt" | awk '$1 != $2 {print "tick " NR - 1 ": brainc " $1 ", reference " $2; bad = 1}
  END {exit bad}' | head -5
cmp -s "$W/brainc.txt" "$W/ref.txt" || fail "spike counts per tick differ"
echo "$n spikes in $T ticks with rewards, equal tick by tick"
