#!/usr/bin/env bash
# sweep_cache_test.sh BRAINC SRCDIR - the compiled-brain cache of `brainc
# run` (a second run starts faster and spikes identically; --no-cache and
# corrupt entries still run correctly) and parameter sweeps (each variant's
# raster is the raster of a plain run with -D name=value).
set -u
B=$1; SRC=$2
pass=0; fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export BRAINC_CACHE_DIR="$tmp/cache"

ok() { if "$@"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: $*"; fi; }
now() { date +%s.%N; }
entries() { ls "$BRAINC_CACHE_DIR" 2>/dev/null | grep -c '\.o$'; }

F="$SRC/examples/flagship.brain"
runf() { "$B" run "$F" --ticks 300 --quiet "$@" 2>/dev/null; }

# ---- cache ----
t0=$(now); runf --record spikes="$tmp/c1.csv"; ok test $? -eq 0; t1=$(now)
ok test "$(entries)" -eq 1
runf --record spikes="$tmp/c2.csv"; t2=$(now)
ok test "$(entries)" -eq 1
ok cmp -s "$tmp/c1.csv" "$tmp/c2.csv"
first=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
second=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.3f", b - a }')
echo "first run (compile + store): ${first}s, second run (cache hit): ${second}s"
ok awk -v a="$second" -v b="$first" 'BEGIN { exit !(a < b) }'
ok test "$(wc -l < "$tmp/c1.csv")" -gt 100

# --no-cache: the same raster, nothing stored.
BRAINC_CACHE_DIR="$tmp/cache-unused" runf --no-cache --record spikes="$tmp/c3.csv"; ok test $? -eq 0
ok cmp -s "$tmp/c1.csv" "$tmp/c3.csv"
ok test ! -e "$tmp/cache-unused"

# Another parameter value compiles another entry; the raster differs.
"$B" run "$SRC/examples/coba.brain" --ticks 50 --quiet 2>/dev/null
n=$(entries)
"$B" run "$SRC/examples/coba.brain" --ticks 50 --quiet -D we=0.7 2>/dev/null
ok test "$(entries)" -eq $((n + 1))

# Corrupt entries (a flipped byte, truncated, garbage, empty) are rebuilt.
e=$(ls "$BRAINC_CACHE_DIR"/*.o | head -1)
for how in flip truncate garbage empty; do
  for f in "$BRAINC_CACHE_DIR"/*.o; do
    size=$(stat -c %s "$f")
    case $how in
      flip) printf '\xff' | dd of="$f" bs=1 seek=$((size / 2)) conv=notrunc status=none ;;
      truncate) truncate -s $((size - 100)) "$f" ;;
      garbage) head -c 5000 /dev/urandom > "$f" ;;
      empty) : > "$f" ;;
    esac
  done
  runf --record spikes="$tmp/c4.csv"; ok test $? -eq 0
  ok cmp -s "$tmp/c1.csv" "$tmp/c4.csv"
done
# The rebuilt entry is valid again: a hit with the same raster.
runf --record spikes="$tmp/c5.csv"; ok cmp -s "$tmp/c1.csv" "$tmp/c5.csv"
ok test "$(ls -A "$BRAINC_CACHE_DIR" | grep -c '^\.')" -eq 0   # no temporary files left

# A cache directory that cannot be made: the run goes on without one.
: > "$tmp/notadir"
BRAINC_CACHE_DIR="$tmp/notadir/x" runf --record spikes="$tmp/c6.csv"; ok test $? -eq 0
ok cmp -s "$tmp/c1.csv" "$tmp/c6.csv"

# Trimming: with a 0 MB limit only the entry just stored stays (a later hit
# keeps it), and a dead writer's temporary file goes; a bad limit is warned about.
tc="$tmp/cache-trim"; mkdir -p "$tc"
stale="$tc/.0123456789abcdef0123456789abcdef.Ab12Cd"
: > "$stale"; touch -d '2 hours ago' "$stale"
coba() { BRAINC_CACHE_DIR="$tc" "$B" run "$SRC/examples/coba.brain" --ticks 5 --quiet "$@" 2>"$tmp/trim.err"; }
coba; ok test $? -eq 0
ok test "$(ls "$tc" | grep -c '\.o$')" -eq 1
ok test ! -e "$stale"
BRAINC_CACHE_MAX_MB=0 coba -D we=0.7; ok test $? -eq 0
kept=$(ls "$tc" | grep '\.o$')
ok test "$(echo "$kept" | wc -l)" -eq 1
BRAINC_CACHE_MAX_MB=0 coba -D we=0.7; ok test "$(ls "$tc" | grep '\.o$')" = "$kept"
coba -D we=0.5; ok test "$(ls "$tc" | grep -c '\.o$')" -eq 2
BRAINC_CACHE_MAX_MB=lots coba -D we=0.6; ok test $? -eq 0
ok grep -q "BRAINC_CACHE_MAX_MB='lots' is not a size" "$tmp/trim.err"
ok test "$(ls "$tc" | grep -c '\.o$')" -eq 3

# ---- sweeps ----
cat > "$tmp/net.brain" <<'BRAIN'
import std.neurons
import std.synapses
brain d(rate = 300, n = 100) {
  e[n] : izhikevich(v = uniform(-70, -60))
  i[40] : izhikevich(a = 0.1, d = 2)
  connect e -> e : stdp(w = 3) probability 0.1 delay 1..5 as rec
  connect e -> i : fixed(w = 4) probability 0.2 delay 2
  connect i -> e : fixed(w = -5) probability 0.2
  stimulus e : poisson(rate = rate, w = 10)
  record e.v every 50
}
BRAIN
run() { "$B" run "$tmp/net.brain" --ticks 200 --seed 4 "$@"; }
run --sweep rate=100,300,500 --threads 2 --record spikes="$tmp/s.csv" --out "$tmp/o" 2>"$tmp/err"
ok test $? -eq 0
ok test "$(grep -c '^rate=' "$tmp/err")" -eq 3
ok grep -q '^rate=300: ran 200 ticks' "$tmp/err"
for v in 100 300 500; do
  run -D rate=$v --record spikes="$tmp/p$v.csv" --out "$tmp/p$v" 2>/dev/null
  ok cmp -s "$tmp/s.rate=$v.csv" "$tmp/p$v.csv"
  ok cmp -s "$tmp/o/e.v.rate=$v.csv" "$tmp/p$v/e.v.csv"
done
ok bash -c "! cmp -s '$tmp/p100.csv' '$tmp/p500.csv'"
# A structural parameter sweeps too (the network is elaborated per value), 1 thread = 3 threads.
run --sweep n=50,120 --threads 1 --record spikes="$tmp/n1.csv" 2>/dev/null; ok test $? -eq 0
run --sweep n=50,120 --threads 3 --record spikes="$tmp/n3.csv" 2>/dev/null; ok test $? -eq 0
run -D n=120 --record spikes="$tmp/n120.csv" 2>/dev/null
ok cmp -s "$tmp/n1.n=120.csv" "$tmp/n120.csv"
ok cmp -s "$tmp/n3.n=120.csv" "$tmp/n120.csv"
ok cmp -s "$tmp/n1.n=50.csv" "$tmp/n3.n=50.csv"
# A parameter that only sets a neuron parameter (and a stimulus weight) is
# compiled once: one cache entry for the whole sweep (plus the plain runs'),
# each variant still the raster of a plain run with -D.
cat > "$tmp/nd.brain" <<'BRAIN'
import std.neurons
import std.synapses
brain nd(d_e = 8, n = 60) {
  e[n] : izhikevich(d = d_e, v = uniform(-70, -60))
  connect e -> e : fixed(w = 2) probability 0.1 delay 1..3
  stimulus e : poisson(rate = 400, w = 8)
}
BRAIN
export BRAINC_CACHE_DIR="$tmp/cache-sweep"
"$B" run "$tmp/nd.brain" --ticks 300 --seed 2 --sweep d_e=2,4,8 --threads 2 --record spikes="$tmp/nd.csv" 2>/dev/null
ok test $? -eq 0
ok test "$(entries)" -eq 1
for v in 2 4 8; do
  "$B" run "$tmp/nd.brain" --ticks 300 --seed 2 -D d_e=$v --record spikes="$tmp/nd$v.csv" 2>/dev/null
  ok cmp -s "$tmp/nd.d_e=$v.csv" "$tmp/nd$v.csv"
done
ok bash -c "! cmp -s '$tmp/nd2.csv' '$tmp/nd8.csv'"
"$B" run "$tmp/nd.brain" --ticks 300 --seed 2 --sweep d_e=2,4 --no-cache --record spikes="$tmp/ndn.csv" 2>/dev/null
ok cmp -s "$tmp/ndn.d_e=4.csv" "$tmp/nd4.csv"

# Bad sweeps: usage errors; an unknown parameter is an error in the program.
run --sweep rate= 2>/dev/null; ok test $? -eq 2
run --sweep rate=1,x 2>/dev/null; ok test $? -eq 2
run --sweep rate 2>/dev/null; ok test $? -eq 2
run --sweep rate=1,2,1.0 2>/dev/null; ok test $? -eq 2
run --sweep nope=1,2 2>/dev/null; ok test $? -eq 1

echo "$pass passed, $fail failed"
test "$fail" -eq 0
