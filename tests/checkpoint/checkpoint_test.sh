#!/usr/bin/env bash
# checkpoint_test.sh BRAINC SRCDIR - checkpoints end to end (docs/cli.md,
# "Checkpoints"): a run resumed at tick T spikes exactly as the
# uninterrupted run after T and ends with the same state (every array's
# checksum equal), for every stdlib synapse type, short-term plasticity,
# delays up to 5, Poisson input, random() (std.sources), brain-level reward
# over spike windows and an imported recipe; the same for a
# built executable; a changed program is refused; bad files (not SQLite,
# empty, truncated, corrupted, another program's, newer or older schema)
# are refused with a clear message and exit 1, never a crash.
set -u
B=$1; SRC=$2
M="$SRC/tests/checkpoint/models.brain"
pass=0; fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

ok() { if "$@"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: $*"; fi; }
# The state of a checkpoint: every array's name, size and checksum, and the tick.
state() { sqlite3 "$1" "SELECT name, dtype, count, crc FROM arrays ORDER BY name; SELECT value FROM meta WHERE key='tick'"; }
after() { awk -F, -v t="$2" 'NR == 1 || $1 >= t' "$1"; }
crashed() { grep -qE 'Sanitizer|Segmentation|Aborted|core dumped|runtime error' "$1"; }

run() { "$B" run "$M" --quiet "$@"; }

# Resumed at T, on 1 or 2 threads: the same spikes after T as the
# uninterrupted run, and the same state at tick 400.
resume_check() { # MODEL
  local m=$1
  "$B" run "$m" --quiet --ticks 400 --record spikes="$tmp/full.csv" --checkpoint "$tmp/full.db"; ok test $? -eq 0
  ok test "$(sqlite3 "$tmp/full.db" "SELECT value FROM meta WHERE key='tick'")" = 400
  ok test "$(wc -l < "$tmp/full.csv")" -gt 200
  for T in 1 137 250 399; do
    "$B" run "$m" --quiet --ticks $T --checkpoint "$tmp/half.db"; ok test $? -eq 0
    for th in 1 2; do
      "$B" run "$m" --quiet --ticks $((400 - T)) --threads $th --resume "$tmp/half.db" \
          --record spikes="$tmp/res.csv" --checkpoint "$tmp/res.db"; ok test $? -eq 0
      ok cmp -s <(after "$tmp/full.csv" $T) "$tmp/res.csv"
      ok cmp -s <(state "$tmp/full.db") <(state "$tmp/res.db")
    done
  done
}
# Every stdlib synapse model (generated), then the test model: its own
# short-term plasticity, refractory neurons and an imported recipe.
mkdir -p "$tmp/src"
"$SRC/tests/checkpoint/gen_stdlib_model.sh" "$SRC" "$tmp/src/all.brain"
ok test "$(grep -c '^  connect' "$tmp/src/all.brain")" -ge 3
resume_check "$tmp/src/all.brain"
# random() (std.sources): the draws after a resume are those of the uninterrupted run.
resume_check "$SRC/tests/checkpoint/sources.brain"
ok test "$(awk -F, '$2 == "noise"' "$tmp/full.csv" | wc -l)" -gt 500
# Brain-level reward over spike windows that span the checkpoint (restored
# window counts; without them the runs diverge after T = 36).
resume_check "$SRC/tests/checkpoint/reward.brain"
ok test "$(sqlite3 "$tmp/full.db" "SELECT count(*) FROM arrays WHERE name LIKE 'reward/observe/%'")" -eq 3
resume_check "$M"
# Resuming in several hops, from and into the same file.
run --ticks 100 --checkpoint "$tmp/hop.db"
for k in 1 2 3; do run --ticks 100 --resume "$tmp/hop.db" --checkpoint "$tmp/hop.db"; ok test $? -eq 0; done
ok cmp -s <(state "$tmp/full.db") <(state "$tmp/hop.db")
# --checkpoint-every: the cadence follows the brain's tick; the last save is at the end.
run --ticks 250 --checkpoint-every 100 --checkpoint "$tmp/every.db"; ok test $? -eq 0
ok test "$(sqlite3 "$tmp/every.db" "SELECT value FROM meta WHERE key='tick'")" = 250

# --checkpoint-keep K: FILE is the newest, FILE.1 .. FILE.<K-1> the ones before.
run --ticks 400 --checkpoint-every 100 --checkpoint-keep 3 --checkpoint "$tmp/keep.db"; ok test $? -eq 0
ok test "$(for f in keep.db keep.db.1 keep.db.2; do sqlite3 "$tmp/$f" "SELECT value FROM meta WHERE key='tick'"; done | xargs)" = "400 300 200"
ok test ! -e "$tmp/keep.db.3"
ok test ! -e "$tmp/keep.db.new"
ok cmp -s <(state "$tmp/full.db") <(state "$tmp/keep.db")
run --ticks 200 --resume "$tmp/keep.db.2" --record spikes="$tmp/kres.csv" --checkpoint "$tmp/kres.db"; ok test $? -eq 0
ok cmp -s <(after "$tmp/full.csv" 200) "$tmp/kres.csv"
ok cmp -s <(state "$tmp/full.db") <(state "$tmp/kres.db")
: > "$tmp/keep.db.new"   # left by a run killed mid-save: replaced
run --ticks 50 --resume "$tmp/keep.db" --checkpoint "$tmp/keep.db" --checkpoint-keep 3; ok test $? -eq 0
ok test "$(for f in keep.db keep.db.1 keep.db.2; do sqlite3 "$tmp/$f" "SELECT value FROM meta WHERE key='tick'"; done | xargs)" = "450 400 300"
run --ticks 5 --checkpoint-keep 2 2>/dev/null; ok test $? -eq 2
run --ticks 5 --checkpoint-keep 0 --checkpoint "$tmp/x.db" 2>/dev/null; ok test $? -eq 2

# Arrays larger than a chunk are stored in parts (chunk size lowered to 1000
# bytes for the test): the same arrays, and a resume from them spikes the same.
BRAINC_CHECKPOINT_CHUNK=1000 run --ticks 400 --checkpoint "$tmp/chunked.db"; ok test $? -eq 0
ok test "$(sqlite3 "$tmp/chunked.db" "SELECT count(DISTINCT name) FROM chunks")" -ge 5
ok test "$(sqlite3 "$tmp/chunked.db" "SELECT count(*) FROM arrays WHERE data IS NULL")" -ge 5
ok cmp -s <(state "$tmp/full.db") <(state "$tmp/chunked.db")
BRAINC_CHECKPOINT_CHUNK=1000 run --ticks 150 --checkpoint "$tmp/chalf.db"; ok test $? -eq 0
run --ticks 250 --resume "$tmp/chalf.db" --record spikes="$tmp/cres.csv" --checkpoint "$tmp/cres.db"; ok test $? -eq 0
ok cmp -s <(after "$tmp/full.csv" 150) "$tmp/cres.csv"
ok cmp -s <(state "$tmp/full.db") <(state "$tmp/cres.db")
"$B" inspect "$tmp/chunked.db" > "$tmp/ci.txt"; "$B" inspect "$tmp/full.db" > "$tmp/fi.txt"
ok cmp -s <(tail -n +2 "$tmp/ci.txt") <(tail -n +2 "$tmp/fi.txt")
cp "$tmp/chunked.db" "$tmp/badpart.db"; sqlite3 "$tmp/badpart.db" "UPDATE chunks SET part = 100 WHERE part = 1"
"$B" inspect "$tmp/badpart.db" >/dev/null 2>"$tmp/err"; ok test $? -eq 1
ok grep -q 'damaged (the parts of array .* are not in sequence)' "$tmp/err"
# A schema 1 checkpoint (no chunks table; pending reward in meta `rewarded`,
# none here) resumes, and saving into it migrates it to 3.
cp "$tmp/half.db" "$tmp/v1.db"
sqlite3 "$tmp/v1.db" "DROP TABLE chunks; UPDATE meta SET value='1' WHERE key='schema_version';
  UPDATE meta SET key='rewarded', value='0' WHERE key='deliveries'; DELETE FROM arrays WHERE name LIKE 'reward/delivery_%'"
run --ticks 1 --resume "$tmp/v1.db" --checkpoint "$tmp/v1.db"; ok test $? -eq 0
ok test "$(sqlite3 "$tmp/v1.db" "SELECT value FROM meta WHERE key='schema_version'; SELECT count(*) FROM chunks" | xargs)" = "3 0"

# inspect: the summary.
"$B" inspect "$tmp/full.db" > "$tmp/inspect.txt"; ok test $? -eq 0
ok grep -q 'brain ckpt, seed 1, tick 400' "$tmp/inspect.txt"
ok grep -q 'e->e .*1[0-9][0-9][0-9] synapses  w mean .* x_pre mean .* x_post mean' "$tmp/inspect.txt"
ok grep -q '^  e  .* 100 neurons   rate [0-9.]* Hz  v mean .* u mean' "$tmp/inspect.txt"
ok grep -q 'cells.relayed->cells.feed' "$tmp/inspect.txt"

# A changed program: refused with what changed; a comment only: resumed with a note.
cp "$SRC/tests/checkpoint/recipe.brain" "$tmp/src/"
sed 's/stdp(w = 3)/stdp(w = 3.5)/' "$M" > "$tmp/src/changed.brain"
"$B" run "$tmp/src/changed.brain" --quiet --ticks 10 --resume "$tmp/half.db" 2>"$tmp/err"; ok test $? -eq 1
ok grep -q "checkpoint is of a different network (the program's source changed)" "$tmp/err"
run --ticks 10 -D rate=200 --resume "$tmp/half.db" 2>"$tmp/err"; ok test $? -eq 1
ok grep -q "parameters '' then, 'rate=200' now" "$tmp/err"
run --ticks 10 --seed 2 --resume "$tmp/half.db" 2>"$tmp/err"; ok test $? -eq 1
ok grep -q "seed 1 then, 2 now" "$tmp/err"
{ cat "$M"; echo "// a comment"; } > "$tmp/src/comment.brain"
"$B" run "$tmp/src/comment.brain" --quiet --ticks 10 --resume "$tmp/half.db" 2>"$tmp/err"; ok test $? -eq 0
ok grep -q "source changed .* but its network is the same" "$tmp/err"

# Bad files: exit 1 with a clear message, for inspect and for --resume.
bad() { # FILE PATTERN
  "$B" inspect "$1" >/dev/null 2>"$tmp/err"; ok test $? -eq 1; ok grep -q "$2" "$tmp/err"
  crashed "$tmp/err" && { fail=$((fail+1)); echo "FAIL: crash on $1"; cat "$tmp/err"; }
  run --ticks 5 --resume "$1" 2>"$tmp/err"; ok test $? -eq 1; ok grep -q "$2" "$tmp/err"
  crashed "$tmp/err" && { fail=$((fail+1)); echo "FAIL: crash on $1"; cat "$tmp/err"; }
}
head -c 70000 /dev/urandom > "$tmp/random.db"; bad "$tmp/random.db" 'not a brainc checkpoint (not an SQLite database)'
: > "$tmp/empty.db"; bad "$tmp/empty.db" 'not a brainc checkpoint (an empty file or database)'
bad "$tmp/missing.db" "cannot open checkpoint '.*missing.db': no such file"
size=$(stat -c %s "$tmp/full.db")
head -c $((size / 2)) "$tmp/full.db" > "$tmp/trunc.db"; bad "$tmp/trunc.db" 'damaged\|malformed'
cp "$tmp/full.db" "$tmp/corrupt.db"
for ((off = 4096; off < size; off += 8192)); do  # 256 bytes every 8 KiB past the header
  head -c 256 /dev/urandom | dd of="$tmp/corrupt.db" bs=1 seek=$off conv=notrunc status=none
done
bad "$tmp/corrupt.db" 'damaged\|malformed'
sqlite3 "$tmp/other.db" "CREATE TABLE people(name TEXT); INSERT INTO people VALUES('ada')"
bad "$tmp/other.db" 'not a brainc checkpoint (an SQLite database of another program)'
cp "$tmp/full.db" "$tmp/newer.db"; sqlite3 "$tmp/newer.db" "UPDATE meta SET value='99' WHERE key='schema_version'"
bad "$tmp/newer.db" 'written by a newer brainc (schema version 99; this brainc reads up to 3)'
cp "$tmp/full.db" "$tmp/older.db"; sqlite3 "$tmp/older.db" "UPDATE meta SET value='0' WHERE key='schema_version'"
bad "$tmp/older.db" 'schema version 0, older than any this brainc can migrate'
cp "$tmp/full.db" "$tmp/crc.db"; sqlite3 "$tmp/crc.db" "UPDATE arrays SET crc = crc + 1 WHERE name='pop/0/state/0'"
bad "$tmp/crc.db" 'damaged: array pop/0/state/0 fails its checksum'
# Damage at random places (page 1 included): a clear verdict, never a crash.
for ((k = 0; k < 30; k++)); do
  cp "$tmp/full.db" "$tmp/fuzz.db"
  off=$(( (RANDOM * 32768 + RANDOM) % size )); [ $k -lt 5 ] && off=$((RANDOM % 4096))
  head -c 16 /dev/urandom | dd of="$tmp/fuzz.db" bs=1 seek=$off conv=notrunc status=none
  "$B" inspect "$tmp/fuzz.db" >/dev/null 2>"$tmp/err"; rc=$?
  ok test $rc -le 1
  crashed "$tmp/err" && { fail=$((fail+1)); echo "FAIL: crash at offset $off"; cat "$tmp/err"; }
  [ $rc -eq 1 ] && ok grep -q "checkpoint\|damaged" "$tmp/err"
done
# Never overwritten: another program's database.
run --ticks 5 --checkpoint "$tmp/other.db" 2>"$tmp/err"; ok test $? -eq 1
ok grep -q 'not overwriting it' "$tmp/err"
ok test "$(sqlite3 "$tmp/other.db" "SELECT name FROM people")" = ada
# Flags.
run --checkpoint-every 10 2>/dev/null; ok test $? -eq 2
run --checkpoint-every 0 --checkpoint "$tmp/x.db" 2>/dev/null; ok test $? -eq 2
run --sweep rate=1,2 --checkpoint "$tmp/x.db" 2>/dev/null; ok test $? -eq 2

# A built executable: the same flags, the same guarantee.
if "$B" build "$M" -o "$tmp/brain" 2>/dev/null; then
  "$tmp/brain" --quiet --ticks 300 --record spikes="$tmp/sfull.csv" --checkpoint "$tmp/sfull.db"; ok test $? -eq 0
  "$tmp/brain" --quiet --ticks 120 --checkpoint-every 40 --checkpoint "$tmp/shalf.db"; ok test $? -eq 0
  "$tmp/brain" --quiet --ticks 180 --resume "$tmp/shalf.db" --record spikes="$tmp/sres.csv" --checkpoint "$tmp/sres.db"
  ok test $? -eq 0
  ok cmp -s <(after "$tmp/sfull.csv" 120) "$tmp/sres.csv"
  ok cmp -s <(state "$tmp/sfull.db") <(state "$tmp/sres.db")
  # brainc run resumes the executable's checkpoint, spike for spike.
  run --ticks 180 --resume "$tmp/shalf.db" --record spikes="$tmp/rres.csv" --checkpoint "$tmp/rres.db"
  ok test $? -eq 0
  ok cmp -s "$tmp/sres.csv" "$tmp/rres.csv"
  ok cmp -s <(state "$tmp/sres.db") <(state "$tmp/rres.db")
  "$tmp/brain" --quiet --ticks 120 --checkpoint-every 40 --checkpoint-keep 2 --checkpoint "$tmp/skeep.db"; ok test $? -eq 0
  ok test "$(for f in skeep.db skeep.db.1; do sqlite3 "$tmp/$f" "SELECT value FROM meta WHERE key='tick'"; done | xargs)" = "120 80"
  "$tmp/brain" --quiet --ticks 5 -D rate=100 --resume "$tmp/shalf.db" 2>"$tmp/err"; ok test $? -eq 1
  ok grep -q "different network" "$tmp/err"
  "$tmp/brain" --quiet --ticks 5 --resume "$tmp/newer.db" 2>"$tmp/err"; ok test $? -eq 1
  ok grep -q "newer brainc" "$tmp/err"
else
  fail=$((fail+1)); echo "FAIL: brainc build"
fi

echo "checkpoint: $pass passed, $fail failed"
test $fail -eq 0
