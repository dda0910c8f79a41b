#!/usr/bin/env bash
# demo.sh - sets up, builds, and runs the flagship example.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "== brainc ir examples/flagship.brain --stats"
build/compiler/brainc ir examples/flagship.brain --stats
echo "== brainc run examples/flagship.brain --ticks 2000 --record spikes=build/flagship_spikes.csv"
build/compiler/brainc run examples/flagship.brain --ticks 2000 --record spikes=build/flagship_spikes.csv
echo "spike raster: build/flagship_spikes.csv ($(($(wc -l < build/flagship_spikes.csv) - 1)) spikes)"
