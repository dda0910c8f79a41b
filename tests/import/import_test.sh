#!/bin/sh
# import_test.sh BRAINC SRCDIR WORKDIR - brainc import: round trip, component-only
# import, run on JSON, unknown keys warned about, and the bad-input golden set.
set -u
B=$1; S=$2; W=$3
D=$S/tests/import
rm -rf "$W" && mkdir -p "$W" || exit 1
fail() { echo "FAIL: $*"; exit 1; }

# Round trip: import -> check -> ir counts equal what the JSON implies.
"$B" import "$D/data/recipes/tiny.json" -o "$W/tiny.brain" 2>"$W/warn.txt" || fail "import tiny.json"
[ -s "$W/warn.txt" ] && { cat "$W/warn.txt"; fail "warnings on a clean recipe"; }
"$B" check "$W/tiny.brain" || fail "check of the imported source"
grep -q '^brain tiny {' "$W/tiny.brain" || fail "brain tiny"
grep -q '^  layer 1 {' "$W/tiny.brain" || fail "layers"
grep -q '// written for brainc' "$W/tiny.brain" || fail "_comment -> comment"
grep -q '// === relays -> mixers ===' "$W/tiny.brain" || fail "projection comment"
grep -q 'protected_triggers' "$W/tiny.brain" || fail "protected triggers"
grep -q 'seed is 7' "$W/tiny.brain" || fail "seed comment"
"$B" ir "$D/data/recipes/tiny.json" > "$W/ir.txt" || fail "ir on JSON"
"$B" ir "$W/tiny.brain" --seed 7 > "$W/ir2.txt" || fail "ir on the source"
cmp -s "$W/ir.txt" "$W/ir2.txt" || fail "ir of JSON (recipe seed) and of its source with --seed 7 differ"
total() { awk -v pat="$2" '$1=="synapses" && $0 ~ pat {for(i=1;i<=NF;i++) if($i=="count") s+=$(i+1)} END{print s+0}' "$1"; }
neurons=$("$B" ir "$D/data/recipes/tiny.json" --stats | awk '{print $2}')
# 8 relay3 (4 neurons) + 4 mixer (3 neurons)
[ "$neurons" = 44 ] || fail "neurons $neurons, expected 44"
# internal paths: relay3 has 4 fixed + 1 gap, mixer 6 plastic kinds (one each)
[ "$(total "$W/ir.txt" '^synapses relay3(_2)?\.[a-z]+->relay3(_2)?\.[a-z]+(#[0-9])? .*model fixed')" = 32 ] || fail "relay3 internals"
[ "$(total "$W/ir.txt" 'model gap_junction')" = 8 ] || fail "gap junctions"
for m in facilitating depressing reward_plastic developmental gated; do
  [ "$(total "$W/ir.txt" "model $m ")" = 4 ] || fail "mixer $m"
done
# projections at p = 1: 8 relays x 4 mixers (one terminal pair each), and
# 4 mixers x 8 relays (mix_out -> sensory_in; kill_in is a control input)
[ "$(total "$W/ir.txt" '^synapses relay3(_2)?\.relay_out->mixer')" = 32 ] || fail "relay -> mixer"
[ "$(total "$W/ir.txt" '^synapses mixer->relay3')" = 32 ] || fail "mixer -> relay"
[ "$(total "$W/ir.txt" 'model plastic')" = 36 ] || fail "plastic: 4 internal + 32"

# A component file alone: a component and a one-instance brain; it runs.
"$B" import "$D/data/blocks/components/mixer.json" -o "$W/mixer.brain" || fail "component import"
grep -q '^component mixer {' "$W/mixer.brain" || fail "component"
grep -q 'in t0 = ib  // "0"' "$W/mixer.brain" || fail "unlabelled terminal"
grep -q 'lts : LTS(b = 0.3, u = -16.25) at (2, 0, 0)  // node 1' "$W/mixer.brain" || fail "u from the type's b"

# Nodes of one type and values share a population; paths of one kind between
# two populations are one connect (import.spikes_merged runs this component).
"$B" import "$D/data/blocks/sub_components/merge7.json" -o "$W/merge7.brain" || fail "merge7 import"
for l in '  rs\[3\] : RS at (2 \* i, 0, if i == 0 then 0 else if i == 1 then 0 else 1)  // nodes 0, 1, 2' \
         '  ch\[2\] : CH(a = 0, c = -65, d = 0) at (2 \* i, 0, 3)  // nodes 3, 4' \
         '  ch_2 : CH at (3, 0, -2)  // node 6' \
         '  connect rs -> rs\[1, 2, 0\] : fixed(w = 6) one_to_one delay 1' \
         '  connect rs\[0, 0\] -> ch : fixed(w = 9) one_to_one delay 2' \
         '  connect rs\[0, 1\] -> rs\[1, 2\] : gap_junction(conductance = 0.1) one_to_one' \
         '  in kick_in = ch_2, rs\[1\]'; do
  grep -q "^$l\$" "$W/merge7.brain" || { cat "$W/merge7.brain"; fail "merge7: no line '$l'"; }
done
"$B" ir "$W/merge7.brain" --stats > "$W/merge7.stats" || fail "ir merge7"
grep -q 'neurons 7  synapses 16  populations 4  groups 9 ' "$W/merge7.stats" || { cat "$W/merge7.stats"; fail "merge7 stats"; }
"$B" run "$W/mixer.brain" --ticks 50 --quiet || fail "run component"

# run and build straight from JSON
"$B" run "$D/data/recipes/tiny.json" --ticks 100 --quiet || fail "run tiny.json"
"$B" build "$D/data/recipes/tiny.json" -o "$W/tiny.exe" || fail "build tiny.json"
"$W/tiny.exe" --ticks 100 --record "spikes=$W/exe.csv" 2>/dev/null || fail "run the built tiny.json"
"$B" run "$D/data/recipes/tiny.json" --ticks 100 --quiet --record "spikes=$W/jit.csv" || fail "run tiny.json"
cmp -s "$W/exe.csv" "$W/jit.csv" || fail "built and run spikes differ"

# Unknown keys are named in warnings, and do not stop the import.
cat > "$W/extra.json" <<'J'
{"name": "odd", "flavour": "sweet",
 "nodes": [{"id": 0, "type": "RS", "colour": "red", "params": {"a": 0.03, "last_spike": 3}}],
 "paths": [{"source": 0, "target": 0, "synapse_type": "facilitating", "weight": 1, "delay": 1,
            "params": {"tau_facil": 50, "bogus": 1}}],
 "terminals": []}
J
"$B" import "$W/extra.json" -o "$W/extra.brain" 2>"$W/extra.txt" || fail "import with unknown keys"
for k in flavour colour last_spike tau_facil bogus; do
  grep -q "warning: .*\`$k\`" "$W/extra.txt" || { cat "$W/extra.txt"; fail "no warning naming $k"; }
done

# Bad input: exit 1, the expected file:line:col message, no output file.
for j in "$D"/bad/*.json; do
  n=$(basename "$j" .json)
  rm -f "$W/out.brain"
  "$B" import "$j" -I "$D/data" -o "$W/out.brain" 2>"$W/$n.err"
  rc=$?
  [ $rc = 1 ] || fail "$n: exit $rc, expected 1"
  [ -e "$W/out.brain" ] && fail "$n: output file written"
  ls "$W" | grep -q 'out.brain.tmp' && fail "$n: temporary file left"
  want=$(cat "$D/bad/$n.expect")
  grep -qF "$want" "$W/$n.err" || { cat "$W/$n.err"; fail "$n: expected '$want'"; }
  "$B" run "$j" -I "$D/data" --ticks 1 2>/dev/null && fail "$n: run accepted bad JSON"
done
# An existing output file is left as it was.
echo keep > "$W/keep.brain"
"$B" import "$D/bad/empty.json" -o "$W/keep.brain" 2>/dev/null
[ "$(cat "$W/keep.brain")" = keep ] || fail "output overwritten on error"
echo "import tests passed"
