#!/bin/sh
# run.sh - golden diagnostics: `brainc check NAME.brain`, run in this
# directory, must print exactly NAME.err on stderr (nothing on stdout) and
# exit 1 when NAME.err has an error, 0 otherwise.
#
#   run.sh BRAINC NAME...            check the cases
#   run.sh BRAINC --update NAME...   rewrite NAME.err from what brainc prints
#                                    (read the result: it must be what a
#                                    person wants to see, not merely what
#                                    the code happens to print)
set -u
if [ $# -lt 2 ]; then
    echo "usage: $0 BRAINC [--update] NAME..." >&2
    exit 2
fi
brainc=$1
shift
case $brainc in
    /*) ;;
    *) brainc=$(pwd)/$brainc ;;
esac
update=0
if [ "$1" = "--update" ]; then
    update=1
    shift
fi
cd "$(dirname "$0")" || exit 2
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
failed=0
for arg in "$@"; do
    name=$(basename "$arg" .brain)
    if [ ! -f "$name.brain" ]; then
        echo "$name: no such case ($name.brain)" >&2
        failed=1
        continue
    fi
    "$brainc" check "$name.brain" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ $update = 1 ]; then
        cp "$tmp/err" "$name.err"
        echo "== $name.err (exit $rc)"
        cat "$name.err"
        continue
    fi
    expected=$name.err
    [ -f "$expected" ] || expected=/dev/null
    if ! diff -u "$expected" "$tmp/err" >"$tmp/diff"; then
        echo "$name: stderr differs from $name.err:"
        cat "$tmp/diff"
        failed=1
    fi
    if [ -s "$tmp/out" ]; then
        echo "$name: unexpected output on stdout:"
        cat "$tmp/out"
        failed=1
    fi
    want=0
    grep -q "error:" "$expected" && want=1
    if [ $rc != $want ]; then
        echo "$name: exit status $rc, expected $want"
        failed=1
    fi
done
exit $failed
