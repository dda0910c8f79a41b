#!/usr/bin/env bash
# bench/run_sim.sh [BRAINC] - simulation benchmarks, brainc vs Brian2's C++
# standalone mode (Debian's python3-brian, one thread), same networks, same
# dt, same simulated time, measured side by side in this run.
#   COBA-4000, CUBA-4000 (1 s), Izhikevich-1000 (1 s), COBA at 64 000
#   (0.5 s) and 256 000 neurons (0.2 s) with a fixed in-degree of 80
#   (p = 80 / N).
# Simulation time only: brainc's summary line (`ran ... ; X s`), Brian2's
# C++ run loop (last_run_info). Also: brainc source-to-first-tick (wall
# time of `brainc run FILE --ticks 1`) beside Brian2's build time (code
# generation + compilation), synaptic events/s (spikes x out-degree /
# simulation time), peak RSS. Not a test. See bench/README.md.
# REPEAT=R (default 3): R interleaved rounds of brainc (IEEE), brainc
# --fast-math and Brian2's compiled program (run again from its build
# directory), the fastest of each counts (on a shared machine the noise is
# one-sided: load only ever slows a run down).
# brainc runs twice per case: IEEE (the default, bit-identical to the
# reference interpreter) and --fast-math (as Brian2's -ffast-math).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
B=${1:-$ROOT/build-release/compiler/brainc}
PY=/usr/bin/python3
for py in python3 /usr/bin/python3; do
  if "$py" -c "import brian2" >/dev/null 2>&1; then PY=$py; break; fi
done
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
W=${BRIAN2_DIR:-/tmp/brainc_bench_brian2}

# name file ticks defines brian2-command...
cases=(
  "COBA-4000|coba.brain|10000||va.py coba --duration 1000"
  "CUBA-4000|cuba.brain|10000||va.py cuba --duration 1000"
  "Izhikevich-1000|izhikevich2003.brain|1000||izh2003.py --duration 1000"
  "COBA-64k|coba.brain|5000|-D scale=16 -D p=0.00125|va.py coba --scale 16 --p 0.00125 --duration 500"
  "COBA-256k|coba.brain|2000|-D scale=64 -D p=0.0003125|va.py coba --scale 64 --p 0.0003125 --duration 200"
)
R=${REPEAT:-3}
# run_time FILE: the simulation time of brainc's summary line in FILE.
run_time() { grep '^ran ' "$1" | tail -1 | sed -E 's/.*; ([0-9.eE+-]+) s, .*/\1/'; }
# keep_min VAR VALUE: VAR = min(VAR, VALUE) (VAR empty: VALUE).
keep_min() { if [ -z "${!1}" ] || [ "$(echo "$2 < ${!1}" | bc -l)" = 1 ]; then printf -v "$1" '%s' "$2"; fi; }
printf "%-16s %9s %9s %9s %7s %7s %11s %11s %9s %9s %8s %8s %s\n" network brainc_s brainc_fm brian2_s ratio ratio_fm brainc_ev/s brian2_ev/s first_s b2build rate_b rate_b2 rss_MB
for c in "${cases[@]}"; do
  IFS='|' read -r name file ticks defs b2 <<<"$c"
  # brainc: one run for its peak RSS, summary line and rate (compiles the kernels into the cache)
  /usr/bin/time -f "%M" -o "$TMP/rss" "$B" run "$ROOT/examples/$file" --ticks "$ticks" $defs 2>"$TMP/err" >/dev/null
  "$B" run "$ROOT/examples/$file" --ticks 1 --fast-math $defs >/dev/null 2>&1
  rss=$(( $(tail -1 "$TMP/rss") / 1024 ))
  line=$(grep '^ran ' "$TMP/err" | tail -1)
  spikes=$(sed -E 's/^ran [0-9]+ ticks \([^)]*\), ([0-9]+) spikes.*/\1/' <<<"$line")
  brate=$(sed -E 's/.*rates \(Hz\): ([a-z]+) ([0-9.eE+-]+).*/\2/' <<<"$line")
  # brainc: source to first tick
  t0=$(date +%s.%N); "$B" run "$ROOT/examples/$file" --ticks 1 $defs >/dev/null 2>&1; t1=$(date +%s.%N)
  first=$(echo "$t1 - $t0" | bc -l)
  # Brian2 standalone: build and run once
  rm -rf "$W/$name"  # a fresh build: Brian2 would otherwise reuse an earlier compilation
  j=$(cd "$TMP" && $PY "$HERE/brian2/"$b2 --mode standalone --dir "$W/$name" 2>/dev/null | tail -1)
  read -r b2s b2build b2spikes nsyn b2rate <<<"$($PY -c '
import json,sys; j=json.loads(sys.argv[1]); print(j["run_s"], j["build_s"], j["spikes"], j["n_syn"], j["rate_exc"])' "$j")"
  main=$(find "$W/$name" -maxdepth 2 -name main -type f | head -1)
  # R rounds, interleaved: brainc IEEE, brainc --fast-math, Brian2's compiled program
  # (its run loop time from results/last_run_info.txt); the fastest of each counts.
  bs=""; fs=""
  for r in $(seq "$R"); do
    "$B" run "$ROOT/examples/$file" --ticks "$ticks" $defs 2>"$TMP/one" >/dev/null; keep_min bs "$(run_time "$TMP/one")"
    "$B" run "$ROOT/examples/$file" --ticks "$ticks" --fast-math $defs 2>"$TMP/one" >/dev/null; keep_min fs "$(run_time "$TMP/one")"
    if [ -n "$main" ] && (cd "$(dirname "$main")" && ./main >/dev/null 2>&1); then
      keep_min b2s "$(cut -d' ' -f1 "$(dirname "$main")/results/last_run_info.txt")"
    fi
  done
  n=$($PY -c 'import json,sys; j=json.loads(sys.argv[1]); print(int(4000*j.get("scale",0.25)))' "$j")
  outdeg=$(echo "$nsyn / $n" | bc -l)
  printf "%-16s %9.3f %9.3f %9.3f %7.2f %7.2f %11.3g %11.3g %9.3f %9.1f %8.2f %8.2f %s\n" "$name" "$bs" "$fs" "$b2s" \
    "$(echo "$bs / $b2s" | bc -l)" "$(echo "$fs / $b2s" | bc -l)" "$(echo "$spikes * $outdeg / $bs" | bc -l)" \
    "$(echo "$b2spikes * $outdeg / $b2s" | bc -l)" "$first" "$b2build" "$brate" "$b2rate" "$rss"
done
echo "ratio = brainc_s / brian2_s, ratio_fm = brainc --fast-math / brian2_s (target <= 0.5);"
echo "fastest of $R interleaved rounds each; rates: excitatory population (Hz); rss: brainc peak RSS"
