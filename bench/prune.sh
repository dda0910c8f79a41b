#!/usr/bin/env bash
# bench/prune.sh [BRAINC] - the cost of pruned synapses: seconds of stepping
# for 1000 ticks of bench/prune.brain (5000 Izhikevich neurons, 200 000
# STDP synapses, fan-in 40, Poisson drive 5 Hz), best of 3: keep = the rule
# without `prune`, live / half / dead = the rule with a pruning `update`
# that prunes none, half or all of the synapses at 1 ms.
set -eu
B=${1:-build-release/compiler/brainc}
DIR=$(cd "$(dirname "$0")" && pwd)
export BRAINC_CACHE_DIR=${BRAINC_CACHE_DIR:-$(mktemp -d)}
best() {
  local best=
  for _ in 1 2 3; do
    s=$("$B" run "$DIR/prune.brain" --brain "$1" --ticks 1000 2>&1 | tail -1 |
        sed -n 's/.*; \([0-9.]*\) s, .*/\1/p')
    best=$(awk -v a="$s" -v b="$best" 'BEGIN { print (b == "" || a < b) ? a : b }')
  done
  echo "$best"
}
printf '| variant | s per 1000 ticks |\n|---|---|\n'
for v in keep live half dead; do
  printf '| %s | %s |\n' "$v" "$(best "$v")"
done
