#!/usr/bin/env bash
# fast_math_test.sh BRAINC SRCDIR - `--fast-math` end to end: run and
# build accept it; the generated module carries LLVM's unsafe-fp-math
# attribute only when asked; the compiled-code cache keeps IEEE and
# fast-math kernels apart; COBA's rates with fast-math stay those of the
# IEEE run (the kernels differ in last bits only; tests/backend/
# test_fast_math.c compares them with the interpreter value by value).
set -u
B=$1; SRC=$2
pass=0; fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export BRAINC_CACHE_DIR="$tmp/cache"
ok() { if "$@"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: $*"; fi; }
entries() { ls "$BRAINC_CACHE_DIR" 2>/dev/null | grep -c '\.o$'; }
F="$SRC/examples/coba.brain"

# The attribute is in the module with --fast-math, and only then.
"$B" build "$F" -o "$tmp/ieee" --emit-llvm "$tmp/ieee.ll" >/dev/null 2>&1; ok test $? -eq 0
"$B" build "$F" -o "$tmp/fast" --fast-math --emit-llvm "$tmp/fast.ll" >/dev/null 2>&1; ok test $? -eq 0
ok grep -q '"unsafe-fp-math"="true"' "$tmp/fast.ll"
ok bash -c "! grep -q 'unsafe-fp-math\"=\"true' '$tmp/ieee.ll'"

# Two cache entries: fast-math never reuses the IEEE kernels or vice versa.
"$B" run "$F" --ticks 2000 2>"$tmp/ieee.txt" >/dev/null; ok test $? -eq 0
ok test "$(entries)" -eq 1
"$B" run "$F" --ticks 2000 --fast-math 2>"$tmp/fast.txt" >/dev/null; ok test $? -eq 0
ok test "$(entries)" -eq 2

# Rates within 10% (1-2 Hz at 20 Hz) of the IEEE run, for run and build.
spikes() { sed -nE 's/^ran [0-9]+ ticks \([^)]*\), ([0-9]+) spikes.*/\1/p' "$1"; }
close() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > 0 && b > 0 && a < 1.1 * b && b < 1.1 * a) }'; }
ok close "$(spikes "$tmp/fast.txt")" "$(spikes "$tmp/ieee.txt")"
"$tmp/fast" --ticks 2000 2>"$tmp/fastx.txt" >/dev/null; ok test $? -eq 0
ok close "$(spikes "$tmp/fastx.txt")" "$(spikes "$tmp/ieee.txt")"

echo "$pass passed, $fail failed"
test "$fail" -eq 0
