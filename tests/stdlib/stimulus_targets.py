"""Stimulus targets of docs/language.md §7.6 beyond neurons and terminals:
whole component instances (`o`, `o[1, 3]`, every population inside them at
any depth), instances inside instances (`o.sub[1]`: the second `sub` of
every `o`; `o[2].sub[0]`), populations inside instances (`o[0].a`), and
`*`, every neuron of the brain, also from inside a layer; and the same
stimuli given on the command line (`--stimulus '* : current(4)'`).

A probe neuron copies its input into a state (x = I); each stimulus is a
current of a different power of two, so the recorded x of a neuron tells
exactly which stimuli reached it. The expected sums come from the
documented meaning, with the instance numbering of §6 (the instances of a
set inside a set are numbered outer-major: sub k of o j is sub 2 j + k).
Unknown instances, indices out of range and instance selections used where
neurons are needed elsewhere still fail with a message.
Usage: stimulus_targets.py BRAINC"""
import os
import subprocess
import sys
import tempfile

import numpy as np

from slib import Checker, run

PROGRAM = """neuron probe() {
  state x = 0
  input I
  update { x = I }
  spike when x > 1e9
}
component inner { q[2] : probe }
component outer {
  a[3] : probe
  sub[2] : inner
}
brain b {
  o[4] : outer
  lone[5] : probe
  layer 1 {
    l2[2] : outer
    stimulus l2 : current(128)
  }
  stimulus o[1, 3] : current(1)
  stimulus o.sub[1] : current(2)
  stimulus * : current(4)
  stimulus o.a : current(8)
  stimulus o[2].sub[0] : current(16)
  stimulus o[0].a : current(32)
  stimulus lone[1..2] : current(64)
  record o.a.x
  record o.sub.q.x
  record lone.x
  record l2.a.x
  record l2.sub.q.x
}
"""


def expected():
    """{record: per-neuron sums} from the documented meaning of each target."""
    o_a = np.full(4 * 3, 4.0)             # `*`
    o_q = np.full(4 * 2 * 2, 4.0)
    lone = np.full(5, 4.0)
    l2_a = np.full(2 * 3, 4.0 + 128)      # `*` and `l2`
    l2_q = np.full(2 * 2 * 2, 4.0 + 128)
    for o in range(4):
        a = slice(3 * o, 3 * o + 3)
        if o in (1, 3):                   # o[1, 3]: all of both instances
            o_a[a] += 1
        o_a[a] += 8                       # o.a
        if o == 0:                        # o[0].a
            o_a[a] += 32
        for s in range(2):
            q = slice(2 * (2 * o + s), 2 * (2 * o + s) + 2)
            if o in (1, 3):
                o_q[q] += 1
            if s == 1:                    # o.sub[1]
                o_q[q] += 2
            if (o, s) == (2, 0):          # o[2].sub[0]
                o_q[q] += 16
    lone[1:3] += 64
    return {"o.a.x": o_a, "o.sub.q.x": o_q, "lone.x": lone, "l2.a.x": l2_a, "l2.sub.q.x": l2_q}


def refused(brainc, ck, args, want, label):
    """`brainc ir ARGS` exits 1 with `want` in its message."""
    p = subprocess.run([brainc, "ir"] + args, capture_output=True, text=True)
    ck.check(p.returncode == 1 and want in p.stderr,
             "%s: exit 1 with `%s` (%d: %s)" % (label, want, p.returncode, p.stderr.strip()[:200]))


def errors(brainc, ck):
    cases = [("stimulus o[4] : current(1)", "index 4 is out of range"),
             ("stimulus o.sub[2] : current(1)", "index 2 is out of range: `o.sub` has 2 elements"),
             ("stimulus nope : current(1)", "undefined name `nope`"),
             ("stimulus o.a[1] : current(1)", "`o.a` cannot be indexed: select the whole of it"),
             ("record o.sub.q[1]", "`o.sub.q` cannot be indexed: select the whole of it"),
             ("stimulus o.nope : current(1)", "component `outer` has no terminal `nope`"),
             ("connect o -> lone : fixed", "must be neurons, not component instances")]
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "e.brain")
        for line, want in cases:
            with open(src, "w") as f:
                f.write("import std.synapses\n" + PROGRAM.replace("  record o.a.x\n", "  %s\n  record o.a.x\n" % line))
            refused(brainc, ck, [src], "e.brain:", "`%s` (located)" % line)
            refused(brainc, ck, [src], want, "`%s`" % line)


def cli_errors(brainc, ck, text):
    cases = [("* : nois(1)", "--stimulus:1:14: error: unknown stimulus `nois`; did you mean `noise`?"),
             ("o.sub[5] : current(1)", "--stimulus:1:16: error: index 5 is out of range"),
             ("* : current(1", "--stimulus:1:1: error: --stimulus: unbalanced `(` and `)`"),
             ("* : current(1) from", "--stimulus:1:30: error: unexpected `}`"),
             ("* : current(1) } brain x {", "takes one stimulus on one line")]
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "c.brain")
        with open(src, "w") as f:
            f.write(text)
        for arg, want in cases:
            refused(brainc, ck, [src, "--stimulus", arg], want, "--stimulus '%s'" % arg)
        refused(brainc, ck, [src, "--brain", "nope", "--stimulus", "* : current(1)"],
                "--stimulus:1:1: error: --stimulus: no brain named `nope`", "--stimulus with --brain nope")


def main():
    brainc = sys.argv[1]
    ck = Checker()
    got = run(brainc, PROGRAM, 2)
    for name, want in expected().items():
        x = got.get(name)
        ok = x is not None and x.shape == (2, want.size) and np.array_equal(x[0], want) and np.array_equal(x[1], want)
        ck.check(ok, "%s: %s (want %s)" % (name, None if x is None else x[0].tolist(), want.tolist()))
    # the same stimuli from the command line, appended to the brain
    text = PROGRAM.replace("  stimulus * : current(4)\n", "").replace("  stimulus o.sub[1] : current(2)\n", "")
    cli = run(brainc, text, 2, extra=["--stimulus", "* : current(4)", "--stimulus", "o.sub[1] : current(2)"])
    ck.check(all(np.array_equal(cli[k], got[k]) for k in got),
             "--stimulus '* : current(4)' --stimulus 'o.sub[1] : current(2)': the same inputs")
    cli_errors(brainc, ck, text)
    errors(brainc, ck)
    ck.done()


if __name__ == "__main__":
    main()
