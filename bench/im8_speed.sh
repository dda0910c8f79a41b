#!/bin/sh
# im8_speed.sh - brainc against the inner-models-v8 reference engine on the
# real recipes, side by side (bench/README.md, "inner-models-v8 recipes").
#
#   [BUILD=DIR] [REF=DIR] [PYTHON=python3] [BIG_TICKS=150] bench/im8_speed.sh [arena|big|all]
#
# Builds brainc and bench/im8_speed.c in BUILD (default build/), then for
# arena_v1 and big_layered_v1 (in REF/im8-json/recipes, default
# ../shared/reference) and the baseline's two drives (tonic: 2.5 to every
# neuron each tick; noise: 2.5 + N(0, 2)), as pure brains with learning on:
#   - brainc: bench/im8_speed (import, compile, run; the first drive of a
#     recipe compiles without a cache, the second reuses it);
#   - the reference transcription: `brainc export-db` writes the same
#     network in the reference's schema, bench/im8_ref_engine.py runs it;
# and prints spikes per tick, ticks/s (wall clock, and over CPU time, which
# is steadier on a shared machine) and the ratios: brainc / transcription,
# both running the same ticks from tick 0 (arena 2000, big_layered
# BIG_TICKS: 150 by default, as the transcription needs about a minute per
# 1000 ticks under tonic drive and two under noise),
# and brainc over a longer run (arena 10000, big_layered 1000 ticks, where
# its spikes per tick come near the published ones) / the published
# baseline (inner-models-v8-baseline.md: 5043 and 535 ticks/s for arena_v1,
# 9.4 and 5.6 for big_layered_v1). The network of a recipe is compiled
# once (the first run, without a cache; the others reuse it). The details
# add the same long runs with the drive given to `brainc run` as
# `--stimulus '* : current(2.5)'` or `'* : noise(2.5, 2)'`.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build}
ref=${REF:-$root/../shared/reference}
which=${1:-all}
recipes=$ref/im8-json/recipes
[ -f "$recipes/arena_v1.json" ] || { echo "no $recipes (../shared/reference): nothing to measure"; exit 77; }
py=${PYTHON:-}
if [ -z "$py" ]; then
  for c in python3 /usr/bin/python3; do
    if "$c" -c 'import numpy' 2>/dev/null; then py=$c; break; fi
  done
fi
[ -n "$py" ] || { echo "no python3 with numpy (Debian: apt-get install python3-numpy)"; exit 1; }
cmake -S "$root" -B "$build" >/dev/null
cmake --build "$build" -j2 --target brainc im8_speed >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export BRAINC_CACHE_DIR=$tmp/cache

field() { echo "$1" | awk -v k="$2" '{for (i = 1; i < NF; i++) if ($i == k) print $(i + 1)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.0fx", a / b}'; }

printf '%-15s %-5s %6s | %-29s | %-29s | %-13s | %s\n' recipe drive ticks \
  "brainc: spk/tick tick/s cpu" "transcr.: spk/tick tick/s cpu" "vs transcr." "vs published (spk/tick tick/s)"
row() { # recipe drive ticks brainc_line [python_line published_spikes published_ticks]
  ct=$(field "$4" ticks_per_s); cc=$(field "$4" cpu_ticks_per_s)
  if [ -n "${5:-}" ]; then
    pt=$(field "$5" ticks_per_s); pc=$(field "$5" cpu_ticks_per_s)
    printf '%-15s %-5s %6s | %8s %8s %10s | %8s %8s %10s | %4s %4s cpu |\n' "$1" "$2" "$3" \
      "$(field "$4" spikes_per_tick)" "$ct" "$cc" "$(field "$5" spikes_per_tick)" "$pt" "$pc" \
      "$(ratio "$ct" "$pt")" "$(ratio "$cc" "$pc")"
  else
    printf '%-15s %-5s %6s | %8s %8s %10s | %-29s | %-13s | %s (cpu %s) of (%s %s)\n' "$1" "$2" "$3" \
      "$(field "$4" spikes_per_tick)" "$ct" "$cc" "" "" "$(ratio "$ct" "$7")" "$(ratio "$cc" "$7")" "$6" "$7"
  fi
}
run() { # recipe side_by_side_ticks long_ticks pub_tonic_spikes pub_tonic pub_noise_spikes pub_noise
  r=$1
  "$build/compiler/brainc" export-db "$recipes/$r.json" -o "$tmp/$r.db" 2>/dev/null
  for drive in tonic noise; do
    c=$("$build/bench/im8_speed" "$recipes/$r.json" "$2" "$drive")
    p=$("$py" "$root/bench/im8_ref_engine.py" "$tmp/$r.db" "$2" "$drive")
    row "$r" "$drive" "$2" "$c" "$p"
    printf '  brainc: %s\n  transcription: %s\n' "$c" "$p" >> "$tmp/details"
    l=$("$build/bench/im8_speed" "$recipes/$r.json" "$3" "$drive")
    if [ "$drive" = tonic ]; then row "$r" "$drive" "$3" "$l" "" "$4" "$5"; else row "$r" "$drive" "$3" "$l" "" "$6" "$7"; fi
    printf '  brainc: %s\n' "$l" >> "$tmp/details"
    # the same drive given to `brainc run` as a stimulus (counter-based noise)
    stim='* : current(2.5)'
    [ "$drive" = noise ] && stim='* : noise(2.5, 2)'
    s=$("$build/compiler/brainc" run "$recipes/$r.json" --ticks "$3" --stimulus "$stim" 2>&1 | tail -n 1)
    printf '  brainc run --stimulus '"'"'%s'"'"' --ticks %s: %s\n' "$stim" "$3" \
      "$(echo "$s" | sed -n 's/^ran [0-9]* ticks ([^)]*), \([0-9]*\) spikes;.*; \([0-9.]* s\), \([0-9]*\) ticks\/s$/\1 spikes, \2, \3 ticks\/s/p')" >> "$tmp/details"
  done
}
case $which in arena|all) run arena_v1 2000 10000 7.5 5043 221 535 ;; esac
case $which in big|all) run big_layered_v1 "${BIG_TICKS:-150}" 1000 2045 9.4 2959 5.6 ;; esac
echo "details:"
cat "$tmp/details"
