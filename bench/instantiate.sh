#!/bin/sh
# instantiate.sh - instantiation scaling benchmark (see bench/README.md).
#
#   [THREADS=n] bench/instantiate.sh [BUILD_DIR] [REPEATS]
#
# Configures and builds an optimised library in BUILD_DIR (default
# build-release, CMAKE_BUILD_TYPE=Release), links bench/instantiate.c to it,
# then
# for 10k .. 1M neurons at in-degree 100 (1M .. 100M synapses), with the
# fanin and the probability rule, runs each size REPEATS times (default 3),
# each in a fresh process, and prints the fastest run: neurons, synapses,
# seconds, ns per synapse, peak RSS, and the bytes of the IR's arrays.
# THREADS (default 0: one per CPU) is passed to nir_build.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-release}
repeats=${2:-3}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
make -C "$build" -j2 brainc_lib >/dev/null
lib=$build/compiler/libbrainc_lib.a
bin=$build/bench_instantiate
cc -O2 -std=c11 -D_GNU_SOURCE -I"$root/compiler" -I"$root/compiler/front" -I"$root/runtime" \
   -I"$build/compiler/gen" -o "$bin" "$root/bench/instantiate.c" "$lib" -lm

printf '%-11s %9s %11s %8s %7s %9s %11s\n' rule neurons synapses seconds ns/syn peak_MiB ir_bytes
for rule in fanin probability; do
  for n in 10000 30000 100000 300000 1000000; do
    best=
    i=0
    while [ $i -lt "$repeats" ]; do
      line=$("$bin" "$rule" "$n" 100 1 "${THREADS:-0}")
      t=$(echo "$line" | awk '{print $4}')
      if [ -z "$best" ] || [ "$(echo "$t $best" | awk '{print ($1 < $2)}')" = 1 ]; then
        best=$t
        bestline=$line
      fi
      i=$((i + 1))
    done
    echo "$bestline"
  done
done
