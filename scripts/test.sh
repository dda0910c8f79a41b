#!/usr/bin/env bash
# test.sh - sets up, builds and runs the whole test suite three ways:
#   1. the normal build (gcc, -Werror)          -> build/
#   2. the same under ASan + UBSan              -> build-asan/
#   3. libFuzzer harnesses, a short fuzz smoke  -> build-fuzz/ (clang)
# Prints ctest's summary for each; exits non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
jobs=$(nproc)

scripts/setup.sh || exit 1
echo "== tests (build/)"
(cd build && ctest --output-on-failure -j"$jobs") || status=1

echo "== tests under ASan+UBSan (build-asan/)"
BUILD_DIR=build-asan BUILD_TYPE=Debug scripts/setup.sh -DBRAINC_SANITIZE=ON || exit 1
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
   ctest --output-on-failure -j"$jobs" -LE brian2) || status=1

echo "== fuzz smoke (build-fuzz/)"
CC=clang BUILD_DIR=build-fuzz BUILD_TYPE=Debug scripts/setup.sh -DBRAINC_FUZZ=ON || exit 1
(cd build-fuzz && ctest --output-on-failure -L fuzz) || status=1

exit $status
