#!/bin/sh
# shared_test.sh BRAINC REFDIR WORKDIR - fidelity against the real
# inner-models-v8 files in ../shared/reference (skipped, exit 77, without).
# Neuron counts equal the reference generator's, synapse counts per type
# within 3% of it (inner-models-v8-format.md §11), and single real
# components spike as the reference equations do.
set -u
B=$1; R=$2; W=$3
[ -f "$R/im8-json/recipes/arena_v1.json" ] || { echo "no $R: skipped"; exit 77; }
rm -rf "$W" && mkdir -p "$W" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
check() { # recipe neurons fixed plastic reward_plastic depressing facilitating gap
  f=$R/im8-json/recipes/$1.json
  n=$("$B" ir "$f" --stats | awk '{print $2}')
  [ "$n" = "$2" ] || fail "$1: $n neurons, reference $2"
  "$B" ir "$f" > "$W/$1.ir" || fail "$1: ir"
  set -- "$@"
  i=3
  for m in fixed plastic reward_plastic depressing facilitating gap_junction; do
    eval want=\${$i}
    got=$(awk -v m="$m" '$1=="synapses" {for(i=1;i<=NF;i++){if($i=="model")mm=$(i+1); if($i=="count")c=$(i+1)} if(mm==m)s+=c} END{print s+0}' "$W/$1.ir")
    awk -v g="$got" -v w="$want" 'BEGIN{d=g-w; if(d<0)d=-d; exit !(w==0 ? g==0 : d <= 0.03*w)}' ||
      fail "$1: $m $got synapses, reference $want (more than 3% off)"
    echo "$1 $m: $got (reference $want)"
    i=$((i + 1))
  done
}
check arena_v1 8070 50148 7498 1557 860 192 1620
check big_layered_v1 49760 1328571 289809 0 4200 1280 9780
# every shipped block imports without errors or warnings, and checks
for c in "$R"/im8-json/blocks/*/*.json; do
  "$B" import "$c" -o "$W/c.brain" 2>"$W/c.err" || { cat "$W/c.err"; fail "import $c"; }
  [ -s "$W/c.err" ] && { cat "$W/c.err"; fail "warnings importing $c"; }
  "$B" check "$W/c.brain" || fail "check of imported $c"
done
D=$(dirname "$0")
for c in winner_take_all rebound_timer; do
  python3 "$D/spikes_ref.py" "$B" "$R/im8-json/blocks/sub_components/$c.json" "$W/sp_$c" || fail "spikes of $c"
done
for c in cpg backward_motor; do
  python3 "$D/spikes_ref.py" "$B" "$R/im8-json/blocks/components/$c.json" "$W/sp_$c" || fail "spikes of $c"
done
echo "shared fidelity tests passed"
