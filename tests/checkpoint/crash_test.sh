#!/usr/bin/env bash
# crash_test.sh BRAINC SRCDIR - crash safety of checkpoints: a run saving
# a ~1M-synapse brain every tick is killed with SIGKILL at a random moment,
# 20 times; each time the checkpoint file must still load (inspect exits 0)
# and its tick never goes back; then 10 times with --checkpoint-keep 3 (the
# file and the kept ones must load). Finally a run resumes from it.
set -u
B=$1; SRC=$2
M="$SRC/tests/checkpoint/big.brain"
N=${CRASH_LOOPS:-20}
pass=0; fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ok() { if "$@"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: $*"; fi; }
tick_of() { "$B" inspect "$1" | sed -n 's/^brain .* tick \([0-9]*\)$/\1/p'; }

"$B" run "$M" --quiet --ticks 1 --checkpoint "$tmp/c.db"; ok test $? -eq 0
last=$(tick_of "$tmp/c.db")
for ((k = 0; k < N; k++)); do
  "$B" run "$M" --quiet --ticks 1000000 --resume "$tmp/c.db" --checkpoint "$tmp/c.db" --checkpoint-every 1 \
      2>"$tmp/err" &
  pid=$!
  sleep "$(awk -v s=$RANDOM 'BEGIN { srand(s); printf "%.3f", 0.25 + rand() * 0.6 }')"
  kill -KILL $pid 2>/dev/null
  wait $pid 2>/dev/null
  "$B" inspect "$tmp/c.db" >"$tmp/out" 2>"$tmp/ierr"
  if ! ok test $? -eq 0; then cat "$tmp/ierr" "$tmp/err"; break; fi
  t=$(tick_of "$tmp/c.db")
  ok test "$t" -ge "$last"
  last=$t
done
# The same with --checkpoint-keep 3: the newest file and the kept ones
# always load, whatever moment of the write-and-rename the kill hits.
cp "$tmp/c.db" "$tmp/k.db"
for ((k = 0; k < N / 2; k++)); do
  "$B" run "$M" --quiet --ticks 1000000 --resume "$tmp/k.db" --checkpoint "$tmp/k.db" --checkpoint-every 1 \
      --checkpoint-keep 3 2>"$tmp/err" &
  pid=$!
  sleep "$(awk -v s=$RANDOM 'BEGIN { srand(s); printf "%.3f", 0.25 + rand() * 0.6 }')"
  kill -KILL $pid 2>/dev/null
  wait $pid 2>/dev/null
  for f in k.db k.db.1 k.db.2; do
    [ "$f" != k.db ] && [ ! -e "$tmp/$f" ] && continue
    "$B" inspect "$tmp/$f" >"$tmp/out" 2>"$tmp/ierr"
    if ! ok test $? -eq 0; then cat "$tmp/ierr" "$tmp/err"; break 2; fi
  done
done
echo "last checkpoint at tick $last"
"$B" run "$M" --quiet --ticks 2 --resume "$tmp/c.db" --checkpoint "$tmp/c.db"; ok test $? -eq 0
ok test "$(tick_of "$tmp/c.db")" -eq $((last + 2))
echo "crash: $pass passed, $fail failed"
test $fail -eq 0
