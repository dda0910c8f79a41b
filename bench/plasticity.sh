#!/usr/bin/env bash
# bench/plasticity.sh [BRAINC] [TICKS] [FANOUT] - cost per synaptic event of each
# plasticity rule of the standard library, relative to a fixed synapse
# (see bench/README.md, "Plasticity rules"). Not a test.
#
# The same network for every rule: 1000 Poisson sources at 20 Hz, each
# connected (`fanout FANOUT`, default 500) to FANOUT of 1000 postsynaptic
# neurons that fire as Poisson trains at 10 Hz by themselves (their input
# is summed but not used), so every rule sees the same spikes: ~20 x
# FANOUT presynaptic and ~10 x FANOUT postsynaptic events per tick on
# 1000 x FANOUT synapses. Each run is timed in CPU seconds (user + system:
# other jobs on the machine disturb that less than wall time): fastest of
# 3 runs of TICKS ticks minus fastest of 3 runs of 0 ticks (loading and
# elaboration; kernels come from the cache, warmed first); the same for
# the network without the connection is subtracted:
#   ns/event = (t_rule - t_no_synapses) / (presynaptic spikes x FANOUT)
# Rules whose synapses also work every tick (an `update` block: bcm,
# scaling, rstdp; developmental's pruning check) pay per synapse and tick
# too; the column ns/syn/tick
# gives that view of the same time. One thread. A rule that does not build
# with this brainc and stdlib is listed as n/a with the first error.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
B=${1:-$ROOT/build-release/compiler/brainc}
TICKS=${2:-5000}
FANOUT=${3:-500}
[ -x "$B" ] || { echo "no brainc at $B (give its path as the first argument)"; exit 1; }
[ -x /usr/bin/time ] || { echo "needs GNU time as /usr/bin/time (Debian package time)"; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export BRAINC_CACHE_DIR=$tmp/cache

# RULE  MODULE  TICKS_FACTOR  ARGUMENTS (fixed runs 10 x TICKS ticks: it
# costs so little that TICKS would give it too few CPU centiseconds). The
# plastic rules start from per-synapse weights, as real networks do: with
# one weight for all, a rule whose weight changes only with neuron-wide
# quantities (scaling) would keep it once per neuron (shared traces).
RULES="
fixed           std.synapses    10 w = 0.1
stdp            std.synapses    1  w = uniform(0.4, 0.6)
triplet_stdp    std.plasticity  1  w = uniform(0.4, 0.6)
bcm             std.plasticity  1  w = uniform(0.4, 0.6)
scaling         std.plasticity  1  w = uniform(0.4, 0.6)
rstdp           std.plasticity  1  w = uniform(0.4, 0.6)
tsodyks_markram std.stp         1  w = uniform(0.4, 0.6)
plastic         std.im8         1  w = uniform(0.4, 0.6)
facilitating    std.im8         1  w = uniform(0.4, 0.6)
depressing      std.im8         1  w = uniform(0.4, 0.6)
gated           std.im8         1  w = uniform(0.4, 0.6)
reward_plastic  std.im8         1  w = uniform(0.4, 0.6)
developmental   std.im8         1  w = uniform(0.4, 0.6)
"

program() { # RULE MODULE ARGS... (RULE "none": no connection)
  local rule=$1 mod=$2; shift 2
  cat <<EOP
import std.sources
$( [ "$rule" = none ] || echo "import $mod" )
neuron bench_post(rate = 10) {
  state fire = 0
  input I
  update { fire = if random() < rate * dt / 1000 then 1 else 0 }
  spike when fire > 0.5
}
brain plasticity_bench {
  src[1000] : poisson_source(rate = 20)
  dst[1000] : bench_post
$( [ "$rule" = none ] || echo "  connect src -> dst : $rule($*) fanout $FANOUT" )
}
EOP
}

cpu() { # FILE TICKS: user + system CPU seconds of one run
  /usr/bin/time -f "%U %S" "$B" run "$1" --ticks "$2" --quiet 2>&1 >/dev/null | tail -1 | awk '{ print $1 + $2 }'
}

seconds() { # FILE TICKS: CPU seconds of the simulation loop: fastest of 3
            # runs of TICKS ticks minus fastest of 3 runs of 0 ticks
            # (loading, elaboration; kernels come from the cache)
  "$B" run "$1" --ticks 10 --quiet >/dev/null 2>&1 || return 1    # warm the kernel cache
  local best= zero=
  for _ in 1 2 3; do
    local s z
    s=$(cpu "$1" "$2"); z=$(cpu "$1" 0)
    best=$(awk -v a="$s" -v m="$best" 'BEGIN { print (m == "" || a < m) ? a : m }')
    zero=$(awk -v a="$z" -v m="$zero" 'BEGIN { print (m == "" || a < m) ? a : m }')
  done
  awk -v a="$best" -v z="$zero" 'BEGIN { printf "%.2f\n", a - z }'
}

program none - > "$tmp/none.brain"
declare -A PRE BASE
for f in 1 10; do
  "$B" run "$tmp/none.brain" --ticks $((TICKS * f)) --quiet --record spikes="$tmp/spikes.csv" || exit 1
  PRE[$f]=$(grep -c ',src,' "$tmp/spikes.csv")
  [ $f = 1 ] && post=$(grep -c ',dst,' "$tmp/spikes.csv")
  BASE[$f]=$(seconds "$tmp/none.brain" $((TICKS * f))) || { echo "baseline failed"; exit 1; }
done
pre=${PRE[1]}
echo "$TICKS ticks; $pre presynaptic spikes x $FANOUT = $((pre * FANOUT)) events; $post postsynaptic spikes x $FANOUT = $((post * FANOUT)) events; no synapses: ${BASE[1]} s (${BASE[10]} s for $((TICKS * 10)) ticks)"
printf '%-16s %-15s %7s %9s %9s %11s %8s\n' rule module ticks seconds ns/event ns/syn/tick vs_fixed
fixed_ns=
while read -r rule mod f args; do
  [ -n "$rule" ] || continue
  program "$rule" "$mod" "$args" > "$tmp/$rule.brain"
  n=$((TICKS * f))
  if ! t=$(seconds "$tmp/$rule.brain" $n); then
    printf '%-16s %-15s %s\n' "$rule" "$mod" "n/a (does not build: $("$B" check "$tmp/$rule.brain" 2>&1 | head -1))"
    continue
  fi
  ns=$(awk -v t="$t" -v b="${BASE[$f]}" -v e="$((${PRE[$f]} * FANOUT))" 'BEGIN { printf "%.2f", (t - b) * 1e9 / e }')
  nst=$(awk -v t="$t" -v b="${BASE[$f]}" -v n="$n" -v k="$FANOUT" 'BEGIN { printf "%.3f", (t - b) * 1e9 / (n * 1000 * k) }')
  [ -n "$fixed_ns" ] || fixed_ns=$ns
  rel=$(awk -v a="$ns" -v x="$fixed_ns" 'BEGIN { if (x > 0) printf "%.1f", a / x; else printf "n/a" }')
  printf '%-16s %-15s %7s %9s %9s %11s %8s\n' "$rule" "$mod" "$n" "$t" "$ns" "$nst" "$rel"
done <<< "$RULES"
