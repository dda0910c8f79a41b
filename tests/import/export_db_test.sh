#!/bin/sh
# export_db_test.sh BRAINC SRCDIR WORKDIR - brainc export-db: the reference's
# SQLite schema (§7), neuron and synapse counts equal to `ir --stats`, per-type
# counts, a known internal path, warnings for non-im8 models, and an
# unwritable output path (exit 1, nothing created).
set -u
B=$1; S=$2; W=$3
D=$S/tests/import
rm -rf "$W" && mkdir -p "$W" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
command -v python3 >/dev/null || { echo "no python3: skipped"; exit 77; }

# check.py DB BRAIN_OR_JSON EXPECT... - schema, counts, then `type=count`,
# `path:SRC->TGT=WEIGHT/DELAY` and `neuron:ID=TYPE` expectations.
cat > "$W/check.py" <<'PY'
import json, sqlite3, subprocess, sys
db, brainc, src = sys.argv[1], sys.argv[2], sys.argv[3]
con = sqlite3.connect(db)
want = {
    "neurons": [("id", "INTEGER", 0, None, 1), ("neuron_type", "TEXT", 1, None, 0),
                ("a", "REAL", 1, None, 0), ("b", "REAL", 1, None, 0), ("c", "REAL", 1, None, 0),
                ("d", "REAL", 1, None, 0), ("v", "REAL", 1, "-65.0", 0), ("u", "REAL", 1, None, 0),
                ("last_spike", "INTEGER", 1, "-1000", 0), ("pos_x", "REAL", 1, "0.0", 0),
                ("pos_y", "REAL", 1, "0.0", 0), ("pos_z", "REAL", 1, "0.0", 0)],
    "synapses": [("id", "INTEGER", 0, None, 1), ("source", "INTEGER", 1, None, 0),
                 ("target", "INTEGER", 1, None, 0), ("weight", "REAL", 1, None, 0),
                 ("delay", "INTEGER", 1, None, 0), ("synapse_type", "TEXT", 1, "'fixed'", 0),
                 ("params", "TEXT", 1, "'{}'", 0), ("state", "TEXT", 1, "'{}'", 0)],
    "body_map": [("neuron_id", "INTEGER", 1, None, 0), ("segment", "INTEGER", 1, None, 0),
                 ("side", "TEXT", 1, None, 0), ("effect", "TEXT", 1, None, 0)],
    "sensor_map": [("neuron_id", "INTEGER", 1, None, 0), ("modality", "TEXT", 1, None, 0),
                   ("location", "TEXT", 1, None, 0), ("response_type", "TEXT", 1, "'tonic'", 0),
                   ("side", "TEXT", 1, "'bilateral'", 0)],
}
for t, cols in want.items():
    got = [tuple(r[1:]) for r in con.execute(f"PRAGMA table_info({t})")]
    assert got == cols, (t, got)
idx = {r[0]: r[1] for r in con.execute("SELECT name, tbl_name FROM sqlite_master WHERE type='index'")}
for i, t in [("idx_syn_source", "synapses"), ("idx_syn_target", "synapses"), ("idx_syn_type", "synapses"),
             ("idx_body_map_seg", "body_map"), ("idx_body_map_neuron", "body_map"),
             ("idx_sensor_map_modality", "sensor_map"), ("idx_sensor_map_neuron", "sensor_map")]:
    assert idx.get(i) == t, (i, idx)
fks = sorted((r[2], r[3], r[4]) for r in con.execute("PRAGMA foreign_key_list(synapses)"))
assert fks == [("neurons", "source", "id"), ("neurons", "target", "id")], fks
assert "AUTOINCREMENT" in con.execute("SELECT sql FROM sqlite_master WHERE name='synapses'").fetchone()[0]
stats = subprocess.run([brainc, "ir", src, "--stats"], capture_output=True, text=True, check=True).stdout.split()
nn, ns = con.execute("SELECT count(*) FROM neurons").fetchone()[0], con.execute("SELECT count(*) FROM synapses").fetchone()[0]
assert (nn, ns) == (int(stats[1]), int(stats[3])), (nn, ns, stats)
ids = [r[0] for r in con.execute("SELECT id FROM neurons ORDER BY id")]
assert ids == list(range(1, nn + 1)), "ids"
assert con.execute("SELECT count(*) FROM synapses WHERE source NOT IN (SELECT id FROM neurons) "
                   "OR target NOT IN (SELECT id FROM neurons)").fetchone()[0] == 0, "dangling"
assert con.execute("SELECT count(*) FROM neurons WHERE pos_y != 0 OR last_spike != -1000").fetchone()[0] == 0
for r in con.execute("SELECT params, state FROM synapses"):
    json.loads(r[0]); json.loads(r[1])
for e in sys.argv[4:]:
    k, v = e.split("=", 1)
    if k.startswith("path:"):
        s, t = map(int, k[5:].split("->"))
        w, d = v.split("/")
        got = con.execute("SELECT weight, delay FROM synapses WHERE source=? AND target=?", (s, t)).fetchone()
        assert got == (float(w), int(d)), (e, got)
    elif k.startswith("neuron:"):
        got = con.execute("SELECT neuron_type, a, b, c, d, v, u FROM neurons WHERE id=?", (int(k[7:]),)).fetchone()
        assert ",".join("%g" % x if isinstance(x, float) else x for x in got) == v, (e, got)
    elif k.startswith("params:"):
        got = con.execute("SELECT params FROM synapses WHERE synapse_type=? LIMIT 1", (k[7:],)).fetchone()[0]
        assert json.loads(got) == json.loads(v), (e, got)
    else:
        got = con.execute("SELECT count(*) FROM synapses WHERE synapse_type=?", (k,)).fetchone()[0]
        assert got == int(v), (e, got)
PY

# The hand-written recipe: 8 relay3 (4 neurons), 4 mixers (3 neurons).
"$B" export-db "$D/data/recipes/tiny.json" -o "$W/tiny.db" 2>"$W/warn.txt" || fail "export-db tiny.json"
[ -s "$W/warn.txt" ] && { cat "$W/warn.txt"; fail "warnings on an im8 recipe"; }
"$B" ir "$D/data/recipes/tiny.json" > "$W/tiny.ir" || fail "ir tiny.json"
total() { awk -v pat="$1" '$1=="synapses" && $0 ~ pat {for(i=1;i<=NF;i++) if($i=="count") s+=$(i+1)} END{print s+0}' "$W/tiny.ir"; }
set --
for m in fixed plastic facilitating depressing gated gap_junction reward_plastic developmental; do
  set -- "$@" "$m=$(total "model $m ")"
done
# Ids follow the populations: relay3.rs (nodes 0, 1) is 1-12, relay3.ch (node 2)
# 13-18, relay3.fs (node 3) 19-24. In relay3 instance 0 (ids 1, 2, 13, 19):
# n0 -> n2 (9, delay 1), n1 -> n2 (9, delay 2), n3 -> n2 (-20); the gap junction
# n0 -> n1 has weight 0.1, delay 0; n2 is CH(a = 0, c = -65, d = 0).
python3 "$W/check.py" "$W/tiny.db" "$B" "$D/data/recipes/tiny.json" "$@" \
  'path:1->13=9/1' 'path:2->13=9/2' 'path:19->13=-20/1' 'path:1->2=0.1/0' 'gap_junction=8' \
  'neuron:1=RS,0.02,0.2,-65,8,-65,-13' 'neuron:13=CH,0,0.2,-65,0,-65,-13' 'neuron:19=FS,0.1,0.2,-65,2,-65,-13' \
  'params:fixed={}' 'params:gap_junction={"conductance": 0.15}' \
  'params:plastic={"learning_rate": 0.05, "w_min": 0, "w_max": 8, "tau_plus": 20, "tau_minus": 20, "ltd_ratio": 0.5}' || fail "tiny.db"

# A .brain program: im8_izh mapped to the closest type, a non-im8 neuron and
# synapse model (warned about), per-synapse weights.
cat > "$W/prog.brain" <<'BR'
import std.izhikevich
import std.im8
import std.synapses
import std.lif

brain exp {
  a[3] : RS
  b[2] : im8_izh(a = 0.1, b = 0.2, c = -65, d = 2)
  c[2] : im8_izh(a = 0.02, b = 0.24, c = -64, d = 2)
  l[2] : alif
  connect a -> b : fixed(w = 4) all_to_all delay 3
  connect b -> c : plastic(w = 2) one_to_one delay 2
  connect c -> l : stdp(w = uniform(0, 1)) all_to_all
  connect a -> a : gap_junction(conductance = 0.2) one_to_one
}
BR
"$B" check "$W/prog.brain" || fail "check prog.brain"
"$B" export-db "$W/prog.brain" -o "$W/prog.db" 2>"$W/warn2.txt" || { cat "$W/warn2.txt"; fail "export-db prog.brain"; }
grep -q "neuron model alif has no inner-models-v8 equivalent" "$W/warn2.txt" || { cat "$W/warn2.txt"; fail "alif warning"; }
grep -q "synapse model stdp has no inner-models-v8 equivalent" "$W/warn2.txt" || { cat "$W/warn2.txt"; fail "stdp warning"; }
python3 "$W/check.py" "$W/prog.db" "$B" "$W/prog.brain" fixed=6 plastic=2 stdp=4 gap_junction=3 \
  'path:1->4=4/3' 'path:4->6=2/2' 'path:1->1=0.1/0' 'neuron:4=FS,0.1,0.2,-65,2,-65,-13' \
  'neuron:6=LTS,0.02,0.24,-64,2,-65,-15.6' || fail "prog.db"

# Overwrites atomically; an unwritable path exits 1 and creates nothing.
"$B" export-db "$W/prog.brain" -o "$W/prog.db" 2>/dev/null || fail "overwrite"
"$B" export-db "$W/prog.brain" -o "$W/no/such/dir/x.db" 2>"$W/err.txt"
[ $? = 1 ] || fail "unwritable path: exit status"
grep -q "cannot write" "$W/err.txt" || fail "unwritable path: message"
[ -e "$W/no" ] && fail "unwritable path: something was created"
ls "$W" | grep -q 'tmp-' && fail "temporary file left behind"
"$B" export-db "$W/prog.brain" 2>/dev/null
[ $? = 2 ] || fail "missing -o: exit status"
echo "export-db: ok"
