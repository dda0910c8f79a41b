#!/usr/bin/env bash
# run_test.sh BRAINC SRCDIR - `brainc run`: the flagship runs and records a
# CSV raster; the same seed gives the same raster, with 1 or 2 threads;
# features not executed yet are named on stderr; bad flags exit 2.
set -u
B=$1; SRC=$2
pass=0; fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

ok() { if "$@"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: $*"; fi; }

# The flagship: exit 0, a CSV with the right header, a summary line, and
# the parts not executed yet (body, sense, act, reward, recurrent.w) named.
"$B" run "$SRC/examples/flagship.brain" --ticks 200 --record spikes="$tmp/x.csv" 2>"$tmp/err"
ok test $? -eq 0
ok test "$(head -1 "$tmp/x.csv")" = "tick,population,neuron"
ok grep -q '^ran 200 ticks' "$tmp/err"
for what in body sense act reward 'record recurrent.w'; do
  ok grep -q "not executed yet: $what" "$tmp/err"
done

# A small active network: spikes are recorded, same seed = same raster,
# 1 thread = 2 threads, another seed differs.
cat > "$tmp/net.brain" <<'BRAIN'
import std.neurons
import std.synapses
brain d(rate = 300) {
  e[100] : izhikevich(v = uniform(-70, -60))
  i[40] : izhikevich(a = 0.1, d = 2)
  connect e -> e : stdp(w = 3) probability 0.1 delay 1..5
  connect e -> i : fixed(w = 4) probability 0.2 delay 2
  connect i -> e : fixed(w = -5) probability 0.2
  stimulus e : poisson(rate = rate, w = 10)
}
BRAIN
run() { "$B" run "$tmp/net.brain" --ticks 300 "$@" 2>/dev/null; }
run --seed 5 --record spikes="$tmp/a.csv"; ok test $? -eq 0
run --seed 5 --record spikes="$tmp/b.csv"
run --seed 5 --threads 2 --record spikes="$tmp/c.csv"
run --seed 6 --record spikes="$tmp/d.csv"
run --seed 5 -D rate=0 --record spikes="$tmp/e.csv"
ok test "$(wc -l < "$tmp/a.csv")" -gt 100
ok cmp -s "$tmp/a.csv" "$tmp/b.csv"
ok cmp -s "$tmp/a.csv" "$tmp/c.csv"
ok bash -c "! cmp -s '$tmp/a.csv' '$tmp/d.csv'"
ok test "$(wc -l < "$tmp/e.csv")" -eq 1

# Bad flags are usage errors; an unwritable raster is an error in the inputs.
"$B" run "$tmp/net.brain" --ticks x >/dev/null 2>&1; ok test $? -eq 2
"$B" run "$tmp/net.brain" --threads 0 >/dev/null 2>&1; ok test $? -eq 2
"$B" run "$tmp/net.brain" --record v=x.csv >/dev/null 2>&1; ok test $? -eq 2
"$B" run "$tmp/net.brain" --ticks 5 --record spikes=/nonexistent/dir/x.csv >/dev/null 2>&1; ok test $? -eq 1

echo "$pass passed, $fail failed"
test "$fail" -eq 0
