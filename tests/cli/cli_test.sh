#!/usr/bin/env bash
# cli_test.sh BRAINC SRCDIR - the command line: exit codes, help, bad flags.
# Exit codes are part of the interface (docs/cli.md): 0 ok, 1 user error,
# 2 usage error, 3 internal error.
set -u
B=$1; SRC=$2
pass=0; fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# expect CODE PATTERN -- ARGS... : exit code must be CODE and stdout+stderr match PATTERN
expect() {
  local code=$1 pat=$2; shift 3
  local out; out=$("$B" "$@" 2>&1 </dev/null); local rc=$?
  if [ "$rc" -eq "$code" ] && grep -qE -- "$pat" <<<"$out"; then
    pass=$((pass+1))
  else
    fail=$((fail+1)); echo "FAIL: brainc $* -> rc=$rc (want $code), output:"; echo "$out" | head -20
  fi
}

printf 'neuron n(a = 1) { state v\n dv/dt = -v }\nbrain b(k = 2) { p[k] : n }\n' > "$tmp/ok.brain"
printf 'neuron n { state v\n dv/dt = -q }\n' > "$tmp/bad.brain"

expect 0 '^brainc [0-9]+\.[0-9]+\.[0-9]+$' -- --version
expect 0 'usage: brainc COMMAND'           -- help
expect 0 'usage: brainc check FILE'        -- help check
expect 0 'usage: brainc ir FILE'           -- help ir
expect 2 'no command `nope`'               -- help nope
expect 2 'usage: brainc'                   --
expect 2 'unknown command `frobnicate`'    -- frobnicate x.brain
expect 2 'needs an input file'             -- check
expect 2 'unknown option `--bogus`'        -- check "$tmp/ok.brain" --bogus
expect 2 'more than one input file'        -- check "$tmp/ok.brain" "$tmp/ok.brain"
expect 2 '-D expects name=value'           -- ir "$tmp/ok.brain" -D k
expect 2 '-D value must be a number'       -- ir "$tmp/ok.brain" -D k=abc
expect 2 '-D value must be a number'       -- ir "$tmp/ok.brain" -Dk=1e999
expect 2 '--seed needs'                    -- ir "$tmp/ok.brain" --seed -3
expect 2 '--seed needs'                    -- ir "$tmp/ok.brain" --seed
expect 1 'cannot read .*nothere.brain'     -- check "$tmp/nothere.brain"
expect 1 'not a regular file'              -- check "$tmp"
expect 0 '^$'                              -- check "$tmp/ok.brain"
expect 1 'bad.brain:2:11: error: .*`q`'    -- check "$tmp/bad.brain"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
