#!/usr/bin/env bash
# record_test.sh BRAINC SRCDIR - recordings in SQLite end to end (docs/cli.md,
# "Recording to SQLite"): the DB decoded by an independent Python decoder
# (record_check.py) equals the CSV recording of the same run (spikes,
# selections, state and synapse samples, bit for bit) and the spike counts
# `brainc inspect` prints; resumed runs, sweeps and built executables; bad items, paths and
# files refused with clear messages and no file left behind; a run killed
# with SIGKILL leaves a readable recording of the ticks committed so far.
set -u
B=$1; SRC=$2
M="$SRC/tests/checkpoint/record.brain"
CHECK="python3 $SRC/tests/checkpoint/record_check.py"
pass=0; fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ok() { if "$@"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: $*"; fi; }
crashed() { grep -qE 'Sanitizer|Segmentation|Aborted|core dumped|runtime error' "$1"; }
run() { "$B" run "$M" --quiet "$@"; }
cd "$tmp" || exit 1

# The same run as CSV files and as one DB (on 2 threads), compared.
run --ticks 2500 --record spikes=sp.csv --out csv; ok test $? -eq 0
run --ticks 2500 --threads 2 --out r.db --record 'spikes,e.u:every=5,ee.x_pre:every=100'; ok test $? -eq 0
"$B" inspect r.db > ins.txt; ok test $? -eq 0
ok $CHECK r.db --raster sp.csv --dir csv --inspect ins.txt --upto 2500 --complete 1 --dtype f32
# Samples as doubles: bit for bit the CSV's values.
run --ticks 2500 --out r64.db --record-dtype f64 --record spikes; ok test $? -eq 0
ok $CHECK r64.db --raster sp.csv --dir csv --upto 2500 --complete 1 --dtype f64
run --ticks 10 --out r64.db --record-dtype f16 2>/dev/null; ok test $? -eq 2
ok grep -q '^brain rec, seed 1, dt 1 ms, ticks 0..2500 (2500 ticks)' ins.txt
ok grep -q '^  ee.w  *every 20, 125 samples of [0-9]* synapses (f32); first (tick 0) mean 3 .*; last (tick 2480) .*; change mean' ins.txt
ok grep -q '^  e.u  *every 5, 500 samples of 60 neurons' ins.txt
ok grep -q '^  ee.x_pre  *every 100, 25 samples' ins.txt
# Every population's spikes were recorded once (e by the program, i by the list).
ok test "$(sqlite3 r.db "SELECT group_concat(target) FROM records WHERE kind='spikes' AND indices IS NULL")" = e,i
# Writing over a recording replaces it.
run --ticks 300 --out r.db --record spikes; ok test $? -eq 0
ok test "$(sqlite3 r.db "SELECT value FROM meta WHERE key='end_tick'")" = 300

# A resumed run records its own ticks: first_tick is the checkpoint's.
run --ticks 700 --checkpoint c.db; ok test $? -eq 0
run --ticks 800 --resume c.db --out res.db --record spikes; ok test $? -eq 0
ok $CHECK res.db --raster sp.csv --from 700 --upto 1500 --complete 1
# Sweeps: one DB per variant, the same as a plain run with -D.
run --ticks 400 --sweep rate=100,300 --out s.db --record spikes,i.v; ok test $? -eq 0
run --ticks 400 -D rate=100 --record spikes=sp100.csv
ok $CHECK s.rate=100.db --raster sp100.csv --upto 400
ok test -f s.rate=300.db

# A built executable records spikes into SQLite too (same seed, same spikes).
if "$B" build "$M" -o recexe 2>/dev/null; then
  ./recexe --quiet --ticks 1500 --record spikes --out exe.db; ok test $? -eq 0
  ok $CHECK exe.db --raster sp.csv --upto 1500 --complete 1
  ./recexe --quiet --ticks 10 --record e,zz --out x.db 2>err; ok test $? -eq 1
  ok grep -q 'no population `zz` (a built executable records spikes: `spikes` or a population: e, i)' err
  ok test ! -e x.db
  ./recexe --quiet --ticks 10 --record spikes 2>/dev/null; ok test $? -eq 2
else
  fail=$((fail+1)); echo "FAIL: brainc build"
fi

# Bad items: exit 1 with the valid names, and no file left behind.
bad_item() { # LIST PATTERN
  run --ticks 10 --out bad.db --record "$1" 2>err; ok test $? -eq 1; ok grep -q -- "$2" err
  ok test ! -e bad.db; crashed err && { fail=$((fail+1)); cat err; }
}
bad_item spikes,foo.v 'no population or connection `foo` (populations: e, i; connections: ee, e->i, i->e)'
bad_item e.w 'population `e` has no variable `w` (it has: v, u)'
bad_item ee.q 'connection `ee` has no variable `q` (it has: w, x_pre, x_post)'
bad_item nothing 'no population or connection `nothing`'
bad_item 'i.v:every=0' 'expected :every=K with K >= 1'
bad_item 'e:every=5' ':every applies to state and synapse variables'
run --ticks 10 --record spikes,e.v 2>err; ok test $? -eq 2; ok grep -q 'needs --out FILE.db' err
run --ticks 10 --record spikes,e.v --out dir 2>err; ok test $? -eq 2
# Unwritable paths and files that are not recordings: exit 1, nothing overwritten.
run --ticks 10 --out "$tmp/no/such/dir/r.db" --record spikes 2>err; ok test $? -eq 1
ok grep -q "cannot create the recording" err
cp c.db keep.db
run --ticks 10 --out keep.db --record spikes 2>err; ok test $? -eq 1
ok grep -q "'keep.db' exists and is not a brainc recording: not overwriting it" err
ok cmp -s c.db keep.db

# Bad recordings given to inspect: exit 1 with a message, never a crash.
run --ticks 2500 --out big.db --record spikes,e.v,ee.w
bad_file() { # FILE PATTERN
  "$B" inspect "$1" >/dev/null 2>err; ok test $? -eq 1; ok grep -q "$2" err
  crashed err && { fail=$((fail+1)); echo "FAIL: crash on $1"; cat err; }
}
cp big.db corrupt.db
sqlite3 corrupt.db "UPDATE spikes SET data = x'ffffffff' WHERE t0 = 1000"
bad_file corrupt.db "recording 'corrupt.db' is damaged (a block of spikes does not decode)"
cp big.db wrongsize.db
sqlite3 wrongsize.db "UPDATE samples SET data = x'00' WHERE tick = 0"
bad_file wrongsize.db "is damaged (a sample has the wrong size)"
cp big.db pages.db
size=$(stat -c %s pages.db)
# Garbage over pages after the first (the header keeps saying: a recording).
dd if=/dev/urandom of=pages.db bs=65536 seek=1 count=$(( size / 65536 - 1 )) conv=notrunc 2>/dev/null
bad_file pages.db "recording 'pages.db' is damaged\|is not a brainc recording"
head -c 150000 big.db > trunc.db
bad_file trunc.db "damaged\|not a brainc"
cp big.db newer.db; sqlite3 newer.db "UPDATE meta SET value='9' WHERE key='schema_version'"
bad_file newer.db "written by a newer brainc (schema version 9"
sqlite3 other.db "PRAGMA application_id=1; CREATE TABLE t(x)"
bad_file other.db "another program"

# SIGKILL while recording: the file is readable and holds whole blocks.
"$B" run "$M" --quiet --ticks 400000 --out killed.db --record spikes,e.v:every=50 & pid=$!
for k in $(seq 1 50); do
  sleep 0.1
  [ "$(sqlite3 killed.db "SELECT value FROM meta WHERE key='end_tick'" 2>/dev/null || echo 0)" -ge 3000 ] && break
done
kill -9 $pid; wait $pid 2>/dev/null
"$B" inspect killed.db > ins.txt; ok test $? -eq 0
ok grep -q 'incomplete (the run stopped early)' ins.txt
end=$(sqlite3 killed.db "SELECT value FROM meta WHERE key='end_tick'")
ok test "$end" -ge 1000
ok test $((end % 1000)) -eq 0
run --ticks "$end" --record spikes=full.csv
ok $CHECK killed.db --raster full.csv --upto "$end" --complete 0

echo "record: $pass passed, $fail failed"
test $fail -eq 0
