#!/usr/bin/env bash
# bench/checkpoint.sh [BRAINC] - checkpoint save and load times (see
# bench/README.md, "Checkpoints"). For an arena_v1-sized brain (8 000
# neurons, ~60k plastic synapses) and a 10M-synapse brain
# (tests/checkpoint/big.brain with -D n, p), each the fastest of 3 runs:
#   save = wall(run --ticks 0 --checkpoint F) - wall(run --ticks 0)
#   load = wall(run --ticks 0 --resume F)     - wall(run --ticks 0)
# (so both include what `brainc run` adds: hashing the network spec), the
# file size, and the cost of --checkpoint-every 100 over 1000 ticks.
# Kernels come from the cache (warmed first). Not a test.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
B=${1:-$ROOT/build-release/compiler/brainc}
M=$ROOT/tests/checkpoint/big.brain
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export BRAINC_CACHE_DIR=$tmp/cache

wall() { # best of 3 wall times of a command, in seconds
  local best=
  for _ in 1 2 3; do
    local t0 t1
    t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N)
    best=$(awk -v a="$t0" -v b="$t1" -v m="$best" 'BEGIN { d = b - a; print (m == "" || d < m) ? d : m }')
  done
  echo "$best"
}

printf '%-10s %8s %10s %8s %8s %9s %12s\n' brain neurons synapses save_s load_s file_MiB every100_pct
bench() { # NAME N P
  local name=$1 n=$2 p=$3 args=(run "$M" --quiet -D n=$2 -D p=$3)
  "$B" "${args[@]}" --ticks 1 >/dev/null 2>&1      # warm the kernel cache
  local base save load syn plain every
  base=$(wall "$B" "${args[@]}" --ticks 0)
  save=$(wall "$B" "${args[@]}" --ticks 0 --checkpoint "$tmp/$name.db")
  load=$(wall "$B" "${args[@]}" --ticks 0 --resume "$tmp/$name.db")
  syn=$("$B" inspect "$tmp/$name.db" | awk '/synapses/ { print $2 }')
  plain=$(wall "$B" "${args[@]}" --ticks 1000)
  every=$(wall "$B" "${args[@]}" --ticks 1000 --checkpoint "$tmp/e.db" --checkpoint-every 100)
  awk -v nm="$name" -v n="$n" -v s="$syn" -v b="$base" -v sv="$save" -v ld="$load" \
      -v sz="$(stat -c %s "$tmp/$name.db")" -v pl="$plain" -v ev="$every" \
      'BEGIN { printf "%-10s %8d %10d %8.3f %8.3f %9.1f %11.0f%%\n", nm, n, s, sv - b, ld - b, sz / 1048576,
               100 * (ev - pl) / pl }'
}
bench arena 8000 0.0009375
bench 10M 32000 0.009766
