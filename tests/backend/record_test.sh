#!/usr/bin/env bash
# record_test.sh BRAINC SRCDIR - `brainc run --out DIR` executes the
# program's `record` members: spikes of a population and of a selection
# (CSV and BRSPK1), state variables every k ticks, synapse variables of a
# named connection every k ticks; the files agree with the full raster of
# --record spikes=FILE; unwritable outputs fail before the run (exit 1).
set -u
B=$1; SRC=$2
pass=0; fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export BRAINC_CACHE_DIR="$tmp/cache"

ok() { if "$@"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: $*"; fi; }

cat > "$tmp/net.brain" <<'BRAIN'
import std.neurons
import std.synapses
brain d(rate = 300) {
  e[100] : izhikevich(v = uniform(-70, -60))
  i[40] : izhikevich(a = 0.1, d = 2)
  connect e -> e : stdp(w = 3) probability 0.1 delay 1..5 as rec
  connect e -> i : fixed(w = 4) probability 0.2 delay 2
  connect i -> e : fixed(w = -5) probability 0.2
  stimulus e : poisson(rate = rate, w = 10)
  record e
  record i[0..9]
  record e.v every 10
  record rec.w every 50
}
BRAIN
run() { "$B" run "$tmp/net.brain" --ticks 200 --seed 3 "$@"; }

run --out "$tmp/o" --record spikes="$tmp/all.csv" 2>"$tmp/err"; ok test $? -eq 0
ok test -z "$(grep 'not executed yet: record' "$tmp/err")"
ok test "$(ls "$tmp/o" | sort | tr '\n' ' ')" = "e.csv e.v.csv i.0..9.csv rec.w.csv "

# Spikes of e: exactly the e rows of the full raster; i[0..9]: its rows with neuron < 10.
ok test "$(head -1 "$tmp/o/e.csv")" = "tick,population,neuron"
ok test "$(wc -l < "$tmp/o/e.csv")" -gt 50
ok cmp -s <(tail -n +2 "$tmp/o/e.csv") <(grep ',e,' "$tmp/all.csv")
ok cmp -s <(tail -n +2 "$tmp/o/i.0..9.csv") <(awk -F, '$2=="i" && $3<10' "$tmp/all.csv")

# e.v every 10: ticks 0,10,...,190 x 100 neurons, values as numbers.
ok test "$(head -1 "$tmp/o/e.v.csv")" = "tick,target,variable,index,value"
ok test "$(wc -l < "$tmp/o/e.v.csv")" -eq $((20 * 100 + 1))
ok test "$(cut -d, -f1 "$tmp/o/e.v.csv" | tail -n +2 | sort -un | tr '\n' ' ')" = \
  "0 10 20 30 40 50 60 70 80 90 100 110 120 130 140 150 160 170 180 190 "
ok test "$(awk -F, 'NR>1 && ($2!="e" || $3!="v" || $5+0 > 40 || $5+0 < -100)' "$tmp/o/e.v.csv" | wc -l)" -eq 0

# rec.w every 50: 4 samples of every synapse; pre/post in range; weights move (stdp).
ok test "$(head -1 "$tmp/o/rec.w.csv")" = "tick,synapse,pre,post,value"
nsyn=$(awk -F, 'NR>1 && $1==0' "$tmp/o/rec.w.csv" | wc -l)
ok test "$nsyn" -gt 500
ok test "$(wc -l < "$tmp/o/rec.w.csv")" -eq $((4 * nsyn + 1))
ok test "$(awk -F, 'NR>1 && ($3>=100 || $4>=100)' "$tmp/o/rec.w.csv" | wc -l)" -eq 0
ok test "$(awk -F, 'NR>1 && $1==0 && $5!=3' "$tmp/o/rec.w.csv" | wc -l)" -eq 0
ok test "$(awk -F, 'NR>1 && $1==150 && $5!=3' "$tmp/o/rec.w.csv" | wc -l)" -gt 0

# Same seed, 2 threads: the same files.
run --out "$tmp/o2" --threads 2 2>/dev/null; ok test $? -eq 0
for f in e.csv e.v.csv i.0..9.csv rec.w.csv; do ok cmp -s "$tmp/o/$f" "$tmp/o2/$f"; done

# Binary spikes (BRSPK1): .bin files for spikes, CSV for the rest.
run --out "$tmp/ob" --record-format binary 2>/dev/null; ok test $? -eq 0
ok test "$(head -c 6 "$tmp/ob/e.bin")" = "BRSPK1"
ok test -f "$tmp/ob/i.0..9.bin"
ok cmp -s "$tmp/o/e.v.csv" "$tmp/ob/e.v.csv"
ok test "$(stat -c %s "$tmp/ob/e.bin")" -lt "$(stat -c %s "$tmp/o/e.csv")"

# Without --out the state and synapse records are named, not written.
run 2>"$tmp/err2" >/dev/null; ok test $? -eq 0
ok grep -q "not executed yet: record e.v" "$tmp/err2"
ok grep -q "not executed yet: record rec.w" "$tmp/err2"

# Unwritable outputs: exit 1 before running (no summary line).
run --out /nonexistent/dir/x 2>"$tmp/err3"; ok test $? -eq 1
ok bash -c "! grep -q '^ran ' '$tmp/err3'"
mkdir -p "$tmp/ro/e.v.csv"
run --out "$tmp/ro" 2>"$tmp/err4"; ok test $? -eq 1
ok grep -q "e.v.csv" "$tmp/err4"
ok bash -c "! grep -q '^ran ' '$tmp/err4'"
: > "$tmp/afile"
run --out "$tmp/afile" 2>/dev/null; ok test $? -eq 1
if [ -w /dev/full ]; then
  run --out "$tmp/o" --record spikes=/dev/full 2>"$tmp/err5"; ok test $? -eq 1
  ok grep -q "No space left" "$tmp/err5"
fi

# Bad flags are usage errors; --quiet drops the summary.
run --record-format xml 2>/dev/null; ok test $? -eq 2
run --out 2>/dev/null; ok test $? -eq 2
run --quiet 2>"$tmp/err6"; ok test $? -eq 0
ok bash -c "! grep -q '^ran ' '$tmp/err6'"

echo "$pass passed, $fail failed"
test "$fail" -eq 0
