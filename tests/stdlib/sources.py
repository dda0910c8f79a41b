"""std.sources `poisson_source` and `random()` (docs/language.md §2.3).

1000 sources at 20 Hz, dt = 1 ms, for 2000 ticks: each neuron spikes in a
tick with p = 0.02, independently, so the spike count is Binomial(2e6, p):
the mean rate must be within 5 sigma of 20 Hz, and inter-spike intervals
are geometric, with coefficient of variation sqrt(1 - p) = 0.99 (checked
within 0.1 of 1). The raster is a pure function of the seed: identical
with 1 and 2 threads and between `brainc run` and a `brainc build`
executable; another seed gives another raster. Usage: sources.py BRAINC
"""
import math
import os
import subprocess
import sys
import tempfile

import numpy as np

from slib import Checker

N, TICKS, RATE, DT = 1000, 2000, 20.0, 1.0
PROGRAM = """import std.sources
brain b {
  timestep %g
  src[%d] : poisson_source(rate = %g)
}
""" % (DT, N, RATE)


def sh(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("FAIL: %s exited %d:\n%s" % (" ".join(cmd), p.returncode, p.stderr))


def raster(path):
    with open(path) as f:
        return f.read()


def spikes(text):
    rows = [l.split(",") for l in text.splitlines()[1:] if l]
    return [(int(r[0]), int(r[2])) for r in rows]


def main():
    brainc = sys.argv[1]
    ck = Checker()
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "p.brain")
        with open(src, "w") as f:
            f.write(PROGRAM)

        def run(name, seed, *extra):
            out = os.path.join(tmp, name)
            sh([brainc, "run", src, "--ticks", str(TICKS), "--seed", str(seed), "--quiet",
                "--record", "spikes=" + out] + list(extra))
            return raster(out)

        r1 = run("r1.csv", 7, "--threads", "1")
        r2 = run("r2.csv", 7, "--threads", "2")
        r_other = run("r3.csv", 8, "--threads", "1")
        exe = os.path.join(tmp, "brain")
        sh([brainc, "build", src, "-o", exe, "--seed", "7"])
        xo = os.path.join(tmp, "x.csv")
        sh([exe, "--ticks", str(TICKS), "--threads", "2", "--record", "spikes=" + xo])
        rx = raster(xo)

        ck.check(r1 == r2, "same raster with --threads 1 and 2")
        ck.check(r1 == rx, "same raster from `brainc run` and a `brainc build` executable")
        ck.check(r1 != r_other, "another seed gives another raster")

        sp = spikes(r1)
        p = RATE * DT / 1000
        trials = N * TICKS
        mean, sd = trials * p, math.sqrt(trials * p * (1 - p))
        z = (len(sp) - mean) / sd
        rate = len(sp) / N / (TICKS * DT / 1000)
        ck.check(abs(z) < 5, "mean rate %.3f Hz, %.2f sigma from %g Hz" % (rate, z, RATE))
        ck.check(len(set(sp)) == len(sp), "at most one spike per neuron and tick")
        by = [[] for _ in range(N)]
        for t, n in sp:
            by[n].append(t)
        isi = np.concatenate([np.diff(np.array(ts, dtype=float)) for ts in by if len(ts) > 1])
        cv = float(np.std(isi) / np.mean(isi))
        ck.check(abs(cv - 1) < 0.1, "ISI coefficient of variation %.3f (want ~%.3f)"
                 % (cv, math.sqrt(1 - p)))
        per = np.array([len(ts) for ts in by], dtype=float)
        ck.check(per.min() > 0 and abs(per.mean() / (TICKS * p) - 1) < 0.02,
                 "every neuron fires (per-neuron counts %d..%d)" % (per.min(), per.max()))
    ck.done()


main()
