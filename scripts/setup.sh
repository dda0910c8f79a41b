#!/usr/bin/env bash
# setup.sh - installs what brainc needs from Debian's archive (only what is
# missing), then configures and builds into build/ (or $BUILD_DIR).
# Usage: scripts/setup.sh [extra cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
for p in gcc make cmake flex bison libjansson-dev libsqlite3-dev libcurl4-openssl-dev clang \
         python3 python3-numpy python3-brian; do
  have_pkg "$p" || need+=("$p")
done
# LLVM: the preinstalled llvm-14-dev, or any newer llvm-N-dev.
if ! ls /usr/lib/llvm-*/bin/llvm-config >/dev/null 2>&1; then need+=(llvm-14-dev); fi
# libFuzzer and the sanitizer runtimes come with clang's runtime package.
if ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  need+=(libclang-rt-dev)
fi

if ((${#need[@]})); then
  echo "setup: installing ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} "$@" >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"
