#!/usr/bin/env python3
"""example_stp_traces.py BRAINC - runs examples/stp_traces.brain (1200
ticks), prints the response to every presynaptic spike and checks the
claims of its header:

- the presynaptic raster is the protocol: 8 spikes every 50 ms from
  100 ms, and one at 950 ms;
- every response (read from the receiver's recorded current as the jump
  v[t+1] - v[t] e^(-1/3) at the arrival tick) and the synapse states a =
  u - U and r = 1 - x recorded after each spike equal the event-driven
  Tsodyks-Markram recursion computed here with exact exponentials between
  spikes (u relaxes to U with tau_f, x to 1 with tau_d; at a spike
  u += U (1 - u), the response is w u x, then x -= u x), to 1e-9;
- depressing: responses fall along the train (each smaller than the one
  before, the 8th below 0.3 of the first), and the recovery response lies
  between the 8th and the first; facilitating: the largest response of the
  train is over 1.5x the first and the recovery response is still above
  the first."""
import csv
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "..", "examples", "stp_traces.brain")
SPIKES = [100 + 50 * k for k in range(8)] + [950]
SYN = {"dep": dict(U=0.5, tau_d=800.0, tau_f=10.0), "fac": dict(U=0.15, tau_d=50.0, tau_f=750.0)}
W, TAU = 1.0, 3.0


def recursion(U, tau_d, tau_f):
    """[(response, a after the spike's tick, r after the spike's tick)] per spike."""
    res = []
    u_after, x_after, last = U, 1.0, None
    for t in SPIKES:
        if last is None:
            u, x = U, 1.0
        else:
            u = U + (u_after - U) * math.exp(-(t - last) / tau_f)
            x = 1 - (1 - x_after) * math.exp(-(t - last) / tau_d)
        u1 = u + U * (1 - u)
        amp = W * u1 * x
        u_after, x_after, last = u1, x - u1 * x, t
        # recordings are taken after the tick's decay step (language §12)
        res.append((amp, (u1 - U) * math.exp(-1 / tau_f), (1 - x_after) * math.exp(-1 / tau_d)))
    return res


def series(path):
    out = {}
    for r in list(csv.reader(open(path)))[1:]:
        out[int(r[0])] = float(r[4])
    return out


def main():
    brainc = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        p = subprocess.run([brainc, "run", EXAMPLE, "--ticks", "1200", "--quiet", "--out", out],
                           capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit("FAIL: brainc run exited %d\n%s" % (p.returncode, p.stderr))
        train = [int(r[0]) for r in list(csv.reader(open(os.path.join(out, "train.csv"))))[1:]]
        rec = {}
        for name in ("dep", "fac"):
            rec[name] = (series(os.path.join(out, "%s_cell.v.csv" % name)),
                         series(os.path.join(out, "%s.a.csv" % name)), series(os.path.join(out, "%s.r.csv" % name)))
    bad = 0

    def check(ok, msg):
        nonlocal bad
        print(("ok:   " if ok else "FAIL: ") + msg)
        bad += not ok

    check(train == SPIKES, "presynaptic spikes at %s" % train)
    amps = {}
    print("  spike (ms)   depressing: response  u, x after it  | facilitating: response  u, x after it")
    for name, prm in SYN.items():
        v, a, r = rec[name]
        want = recursion(**prm)
        got = [(v[t + 1] - v[t] * math.exp(-1 / TAU), a[t], r[t]) for t in SPIKES]
        err = max(abs(g - w) for gg, ww in zip(got, want) for g, w in zip(gg, ww))
        check(err <= 1e-9, "%s: responses and a, r after every spike equal the recursion (max |err| %.2g)"
              % (name, err))
        amps[name] = [g[0] for g in got]
        rec[name] = rec[name] + (got,)
    for k, t in enumerate(SPIKES):
        row = "  %6d      " % t
        for name in ("dep", "fac"):
            U = SYN[name]["U"]
            amp, a, r = rec[name][3][k]
            row += "             %.3f   %.3f  %.3f    |" % (amp, U + a, 1 - r)
        print(row.rstrip("|"))
    d, f = amps["dep"], amps["fac"]
    check(all(d[k + 1] < d[k] for k in range(7)) and d[7] < 0.3 * d[0],
          "depressing: every response of the train smaller than the last, 8th/1st = %.2f (want < 0.3)" % (d[7] / d[0]))
    check(d[7] < d[8] < d[0], "depressing: recovery response %.3f between the 8th (%.3f) and the 1st (%.3f)"
          % (d[8], d[7], d[0]))
    check(max(f[:8]) > 1.5 * f[0], "facilitating: largest response of the train / 1st = %.2f (want > 1.5)"
          % (max(f[:8]) / f[0]))
    check(f[8] > f[0], "facilitating: recovery response %.3f still above the 1st (%.3f)" % (f[8], f[0]))
    sys.exit(1 if bad else 0)


main()
