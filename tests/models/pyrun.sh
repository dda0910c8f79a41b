#!/usr/bin/env bash
# pyrun.sh [--need MODULE]... SCRIPT ARGS... - runs SCRIPT with the first
# python3 on the machine that can import every MODULE given
# (python3 on PATH, then Debian's /usr/bin/python3). Exits 77 (ctest SKIP)
# when there is none.
export PYTHONDONTWRITEBYTECODE=1
need=(sys)
while [ "${1:-}" = --need ]; do need+=("$2"); shift 2; done
imports=$(IFS=,; echo "${need[*]}")
for py in python3 /usr/bin/python3; do
  if command -v "$py" >/dev/null 2>&1 && "$py" -c "import $imports" >/dev/null 2>&1; then
    exec "$py" "$@"
  fi
done
echo "SKIP: no python3 with $imports"
exit 77
