#!/usr/bin/env bash
# bench/record.sh [BRAINC] [TICKS] - the cost of recording into SQLite (see
# bench/README.md, "Recordings"): examples/coba.brain (4 000 neurons) run
# for TICKS ticks (default 10000) without recording, then with
#   --out run.db --record spikes,exc.v:every=10
# (the spikes of both populations, 3 200 membrane potentials every 10
# ticks), and with the same into CSV files (--out DIR, for comparison).
# Times are the stepping seconds of the summary line (writing and the final
# commit included), each the best of 3 runs, and the process's CPU seconds
# (user + sys, all threads: the SQLite writer thread included), best of 3;
# kernels come from the cache (warmed first). Prints the slowdowns and the
# file size. Not a test.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
B=${1:-$ROOT/build-release/compiler/brainc}
T=${2:-10000}
M=$ROOT/examples/coba.brain
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export BRAINC_CACHE_DIR=$tmp/cache

step_s() { # best of 3: "STEP CPU", the stepping seconds of the summary line and user+sys seconds
  local best= cpu=
  for _ in 1 2 3; do
    rm -rf "$tmp/out" "$tmp/run.db"*
    local s c
    s=$(/usr/bin/time -f "cpu %U %S" "$B" run "$M" --ticks "$T" "$@" 2>&1 >/dev/null |
        sed -n 's/.*; \([0-9.]*\) s, .*/\1/p; s/^cpu \([0-9.]*\) \([0-9.]*\)$/cpu \1 \2/p' | tr '\n' ' ')
    c=$(echo "$s" | awk '{ print $3 + $4 }'); s=${s%% *}
    best=$(awk -v a="$s" -v m="$best" 'BEGIN { print (m == "" || a < m) ? a : m }')
    cpu=$(awk -v a="$c" -v m="$cpu" 'BEGIN { print (m == "" || a < m) ? a : m }')
  done
  echo "$best $cpu"
}

"$B" run "$M" --ticks 10 >/dev/null 2>&1   # warm the kernel cache
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores, $T ticks"
plain=$(step_s)
db=$(step_s --out "$tmp/run.db" --record spikes,exc.v:every=10)
db_size=$(stat -c %s "$tmp/run.db")
db64=$(step_s --out "$tmp/run.db" --record spikes,exc.v:every=10 --record-dtype f64)
bin=$(step_s --out "$tmp/out" --record-format binary)
printf '%-34s %8s %9s %8s %9s\n' run step_s slowdown cpu_s cpu_added
row() { # LABEL "STEP CPU" [SIZE]
  awk -v l="$1" -v r="$2" -v p="$plain" -v sz="${3:-0}" 'BEGIN {
    split(r, x, " "); split(p, y, " ");
    printf "%-34s %8.3f %8.1f%% %8.3f %8.1f%%", l, x[1], (x[1] / y[1] - 1) * 100, x[2], (x[2] / y[2] - 1) * 100
    if (sz > 0) printf "   (%.1f MiB)", sz / 1048576
    printf "\n" }'
}
row "no recording" "$plain"
row "SQLite f32: spikes + exc.v/10" "$db" "$db_size"
row "SQLite f64: spikes + exc.v/10" "$db64"
row "BRSPK1 files: spikes only" "$bin"
