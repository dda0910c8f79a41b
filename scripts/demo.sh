#!/usr/bin/env bash
# demo.sh - sets up, builds, and runs the flagship example.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "== brainc check examples/flagship.brain"
build/compiler/brainc check examples/flagship.brain
echo "== brainc ir examples/flagship.brain --preset small"
build/compiler/brainc ir examples/flagship.brain --preset small
