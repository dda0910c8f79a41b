#!/usr/bin/env bash
# build_test.sh BRAINC SRCDIR - `brainc build`: the standalone executable
# needs no LLVM, spikes exactly as `brainc run` with the same seed (with a
# delay and STDP, on 1 and 2 threads), -D on parameters that do not shape
# the network gives the raster of `brainc run -D`, -D on a structural one
# is refused (exit 2); --emit-llvm / --emit-asm write the module; link
# failures are errors (exit 1).
set -u
B=$1; SRC=$2
pass=0; fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

ok() { if "$@"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: $*"; fi; }

cat > "$tmp/net.brain" <<'BRAIN'
import std.neurons
import std.synapses
brain d(rate = 300, ai = 0.1, n = 100, wee = 3) {
  e[n] : izhikevich(v = uniform(-70, -60))
  i[40] : izhikevich(a = ai, d = 2)
  connect e -> e : stdp(w = wee) probability 0.1 delay 1..5
  connect e -> i : fixed(w = 4) probability 0.2 delay 2
  connect i -> e : fixed(w = -5) probability 0.2
  stimulus e : poisson(rate = rate, w = 10)
}
BRAIN

# Build, with the generated module written for inspection.
mkdir "$tmp/t"
TMPDIR="$tmp/t" "$B" build "$tmp/net.brain" -o "$tmp/brain" --seed 5 --emit-llvm "$tmp/k.ll" --emit-asm "$tmp/k.s" 2>"$tmp/err"
ok test $? -eq 0
ok test -z "$(ls -A "$tmp/t")"   # the temporary object is removed
ok test -x "$tmp/brain"
for k in pop_0_update pop_1_update group_0_on_pre group_0_on_post group_0_tick brain_kernels brain_spec_blob; do
  ok grep -q "@$k" "$tmp/k.ll"
done
ok test -s "$tmp/k.s"
ok grep -q pop_0_update "$tmp/k.s"

# No LLVM at run time: not linked, and it runs in an empty environment.
if command -v ldd >/dev/null; then
  ldd "$tmp/brain" > "$tmp/ldd"
  ok bash -c "! grep -qi llvm '$tmp/ldd'"
fi
env -i "$tmp/brain" --ticks 10 2>"$tmp/err"; ok test $? -eq 0
ok grep -q '^ran 10 ticks' "$tmp/err"

# Same seed, same spikes: brainc run and the executable, 1 and 2 threads.
run() { "$B" run "$tmp/net.brain" --ticks 300 --seed 5 "$@" 2>/dev/null; }
exe() { "$tmp/brain" --ticks 300 "$@" 2>/dev/null; }
run --record spikes="$tmp/r.csv"; ok test $? -eq 0
exe --record spikes="$tmp/x1.csv"; ok test $? -eq 0
exe --threads 2 --record spikes="$tmp/x2.csv"
ok test "$(wc -l < "$tmp/r.csv")" -gt 100
ok cmp -s "$tmp/r.csv" "$tmp/x1.csv"
ok cmp -s "$tmp/r.csv" "$tmp/x2.csv"
"$tmp/brain" --ticks 300 2>"$tmp/sum"
ok grep -q "^ran 300 ticks (300 ms), $(( $(wc -l < "$tmp/r.csv") - 1 )) spikes; rates (Hz): e .* i " "$tmp/sum"

# -D on parameters that only set values: the raster of `brainc run -D`.
for d in rate=120 ai=0.02 wee=5; do
  run -D $d --record spikes="$tmp/rd.csv"
  exe -D $d --record spikes="$tmp/xd.csv"; ok test $? -eq 0
  ok cmp -s "$tmp/rd.csv" "$tmp/xd.csv"
  ok bash -c "! cmp -s '$tmp/rd.csv' '$tmp/r.csv'"
done
"$tmp/brain" --params > "$tmp/params"; ok test $? -eq 0
ok grep -q 'n = 100  (structural' "$tmp/params"
ok grep -q 'rate = 300  (-D changes it)' "$tmp/params"

# Structural or unknown parameters, presets and bad flags: exit 2.
"$tmp/brain" -D n=50 2>"$tmp/err"; ok test $? -eq 2
ok grep -q 'changeable here: rate, ai, wee' "$tmp/err"
"$tmp/brain" -D nope=1 >/dev/null 2>&1; ok test $? -eq 2
"$tmp/brain" --preset large >/dev/null 2>&1; ok test $? -eq 2
"$tmp/brain" --ticks x >/dev/null 2>&1; ok test $? -eq 2
"$tmp/brain" --threads 0 >/dev/null 2>&1; ok test $? -eq 2
"$tmp/brain" --ticks 5 --record spikes=/nonexistent/dir/x.csv >/dev/null 2>&1; ok test $? -eq 1
# --seed on the executable re-seeds the Poisson draws only.
exe --seed 6 --record spikes="$tmp/s6.csv"; ok test $? -eq 0
ok bash -c "! cmp -s '$tmp/s6.csv' '$tmp/r.csv'"

# The driver: -o is required; a failing linker is an error in the inputs.
"$B" build "$tmp/net.brain" >/dev/null 2>&1; ok test $? -eq 2
CC=false "$B" build "$tmp/net.brain" -o "$tmp/nolink" >/dev/null 2>"$tmp/err"; ok test $? -eq 1
ok grep -q 'linking' "$tmp/err"
BRAINC_RUNTIME_DIR=/nonexistent "$B" build "$tmp/net.brain" -o "$tmp/nolink" >/dev/null 2>&1
ok test $? -eq 1
ok test ! -e "$tmp/nolink"

# Identical kernels are compiled once (llvm_merge.c): a1..a3 (same model,
# all fed by synapses) share one update and its loop, the three connections
# one on_pre: six aliases; the built executable spikes like `run`.
cat > "$tmp/many.brain" <<'BRAIN'
import std.neurons
import std.synapses
brain many() {
  a0[20] : izhikevich
  a1[20] : izhikevich
  a2[20] : izhikevich
  a3[20] : izhikevich
  connect a0 -> a1 : fixed(w = 8) probability 0.5
  connect a1 -> a2 : fixed(w = 8) probability 0.5
  connect a2 -> a3 : fixed(w = 8) probability 0.5
  stimulus a0 : poisson(rate = 200, w = 12)
}
BRAIN
"$B" build "$tmp/many.brain" -o "$tmp/many" --seed 3 --emit-llvm "$tmp/many.ll" 2>/dev/null; ok test $? -eq 0
ok test "$(grep -c ' = alias ' "$tmp/many.ll")" -eq 6
ok test "$(grep -c '^define' "$tmp/many.ll")" -le 4
"$tmp/many" --ticks 300 --seed 3 --record spikes="$tmp/many1.csv" 2>/dev/null
"$B" run "$tmp/many.brain" --ticks 300 --seed 3 --record spikes="$tmp/many2.csv" 2>/dev/null
ok cmp -s "$tmp/many1.csv" "$tmp/many2.csv"
ok test "$(cut -d, -f2 "$tmp/many1.csv" | sort -u | wc -l)" -eq 5   # header + all four populations spike

echo "$pass passed, $fail failed"
test "$fail" -eq 0
