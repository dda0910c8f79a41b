#!/usr/bin/env bash
# bench/decay.sh [BRAINC] - eager vs lazy synaptic trace decay: seconds of
# stepping for 1000 ticks of bench/decay.brain (10 000 Izhikevich neurons,
# 1M STDP synapses, fan-in 100) at three Poisson drive rates, best of 3.
# eager = `decay x tau` (every trace multiplied every tick; brainc keeps
# these STDP traces once per neuron, docs/architecture.md "Shared traces"),
# eager/syn = the same with every trace kept per synapse
# (BRAINC_NO_SHARED_TRACES=1), lazy = the same rule bringing its traces up
# to date when touched, fixed = a static synapse (the cost of the network
# without plasticity).
set -eu
B=${1:-build-release/compiler/brainc}
DIR=$(cd "$(dirname "$0")" && pwd)
export BRAINC_CACHE_DIR=${BRAINC_CACHE_DIR:-$(mktemp -d)}
best() {
  local best=
  for _ in 1 2 3; do
    s=$("$B" run "$DIR/decay.brain" --brain "$1" --ticks 1000 -D rate="$2" 2>&1 | tail -1 |
        sed -n 's/.*; \([0-9.]*\) s, .*/\1/p')
    best=$(awk -v a="$s" -v b="$best" 'BEGIN { print (b == "" || a < b) ? a : b }')
  done
  echo "$best"
}
rate_of() {
  "$B" run "$DIR/decay.brain" --brain fixed --ticks 1000 -D rate="$1" 2>&1 | tail -1 |
    sed -n 's/.*rates (Hz): e \([0-9.]*\);.*/\1/p'
}
printf '| drive Hz | firing Hz | eager s | eager/syn s | lazy s | fixed s | eager/lazy | eager/syn / lazy |\n|---|---|---|---|---|---|---|---|\n'
for r in 1 5 20 60; do
  e=$(best eager "$r"); es=$(BRAINC_NO_SHARED_TRACES=1 best eager "$r"); l=$(best lazy "$r"); f=$(best fixed "$r")
  printf '| %s | %s | %s | %s | %s | %s | %.2f | %.2f |\n' "$r" "$(rate_of "$r")" "$e" "$es" "$l" "$f" \
    "$(awk -v a="$e" -v b="$l" 'BEGIN { print a / b }')" "$(awk -v a="$es" -v b="$l" 'BEGIN { print a / b }')"
done
