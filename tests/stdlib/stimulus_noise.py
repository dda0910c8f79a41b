"""The `noise(mean, sd)` stimulus of docs/language.md §7.6, end to end.

A probe neuron copies its input into a state every tick (x = I) and spikes
when it is above 1, so the recorded x of each tick is exactly what the
stimuli added. Checked against the normal distribution itself (the CDF
from math.erf), not against brainc's generator:
  - inside [from, until) the values have the given mean and sd (4 standard
    errors) and pass a Kolmogorov-Smirnov test (D below its 0.1% point);
    outside the window they are exactly 0;
  - two noise stimuli on the same neurons are independent (variance 2);
  - neighbouring neurons and consecutive ticks are uncorrelated;
  - a brain parameter sets sd (-D s=0.5), and a negative one is refused
    with exit status 1 and sema's message;
  - the draws do not depend on the thread count (large inputs are split
    between threads), change with --seed, a
    built executable given the same -D spikes exactly as `brainc run`, and
    a run resumed from a checkpoint spikes as the uninterrupted one.
Usage: stimulus_noise.py BRAINC"""
import math
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
  spike when x > 1
}
brain b(m = 1.5, s = 2) {
  p[5000] : probe
  q[500] : probe
  stimulus p : noise(mean = m, sd = s) from 10 until 60
  stimulus p[1..4500] : noise(0, 1) from 60 until 70
  stimulus q : noise(0, 1)
  stimulus q : noise(sd = 1, mean = 0)
  record p.x
  record q.x
}
"""
TICKS = 80


def normal_cdf(x):
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def ks_statistic(z):
    z = np.sort(z)
    n = len(z)
    cdf = np.array([normal_cdf(v) for v in z])
    return max(np.max(np.arange(1, n + 1) / n - cdf), np.max(cdf - np.arange(n) / n))


def check_normal(ck, values, mean, sd, what):
    n = values.size
    m, s = values.mean(), values.std()
    ck.check(abs(m - mean) < 4 * sd / math.sqrt(n), "%s: mean %.4f (want %g)" % (what, m, mean))
    ck.check(abs(s - sd) < 4 * sd / math.sqrt(2 * n), "%s: sd %.4f (want %g)" % (what, s, sd))
    d = ks_statistic((values.ravel() - mean) / sd)
    ck.check(d < 1.95 / math.sqrt(n), "%s: Kolmogorov-Smirnov D %.5f < %.5f" % (what, d, 1.95 / math.sqrt(n)))


def with_source(text, fn):
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "n.brain")
        with open(src, "w") as f:
            f.write(text)
        return fn(tmp, src)


def spikes_run_vs_built(brainc, ck):
    def go(tmp, src):
        a, b, exe = os.path.join(tmp, "a.csv"), os.path.join(tmp, "b.csv"), os.path.join(tmp, "n")
        cmds = [[brainc, "run", src, "--ticks", str(TICKS), "--seed", "3", "-D", "s=0.5", "--quiet",
                 "--record", "spikes=" + a],
                [brainc, "build", src, "-o", exe, "--seed", "3"],
                [exe, "--ticks", str(TICKS), "-D", "s=0.5", "--quiet", "--record", "spikes=" + b]]
        for cmd in cmds:
            p = subprocess.run(cmd, capture_output=True, text=True)
            if p.returncode != 0:
                ck.check(False, "%s: exit %d %s" % (" ".join(cmd), p.returncode, p.stderr))
                return
        with open(a) as fa, open(b) as fb:
            ra, rb = fa.read(), fb.read()
        n = ra.count("\n") - 1
        ck.check(n > 1000 and ra == rb, "built executable with -D s=0.5: the same %d spikes as brainc run" % n)
    with_source(PROGRAM, go)


def resumed(brainc, ck):
    def go(tmp, src):
        files = [os.path.join(tmp, n) for n in ("whole.csv", "first.csv", "second.csv")]
        db = os.path.join(tmp, "c.db")
        base = [brainc, "run", src, "--seed", "5", "--quiet"]
        cmds = [base + ["--ticks", str(TICKS), "--record", "spikes=" + files[0]],
                base + ["--ticks", "40", "--checkpoint", db, "--record", "spikes=" + files[1]],
                base + ["--ticks", str(TICKS - 40), "--resume", db, "--record", "spikes=" + files[2]]]
        for cmd in cmds:
            p = subprocess.run(cmd, capture_output=True, text=True)
            if p.returncode != 0:
                ck.check(False, "%s: exit %d %s" % (" ".join(cmd), p.returncode, p.stderr))
                return
        text = [open(f).read().splitlines() for f in files]
        ck.check(len(text[1]) > 1000 and text[0] == text[1] + text[2][1:],
                 "40 ticks, a checkpoint, 40 more: the spikes of 80 uninterrupted ticks")
    with_source(PROGRAM, go)


def negative_sd(brainc, ck):
    def go(tmp, src):
        p = subprocess.run([brainc, "ir", src, "-D", "s=-1"], capture_output=True, text=True)
        ck.check(p.returncode == 1 and "`sd` of `noise` cannot be negative (it is -1)" in p.stderr
                 and "n.brain:10:" in p.stderr, "-D s=-1: exit 1 with a located message (%d: %s)"
                 % (p.returncode, p.stderr.strip()))
    with_source(PROGRAM, go)


def main():
    brainc = sys.argv[1]
    ck = Checker()
    res = run(brainc, PROGRAM, TICKS)
    p, q = res["p.x"], res["q.x"]
    ck.check(p.shape == (TICKS, 5000) and q.shape == (TICKS, 500), "recorded %s and %s" % (p.shape, q.shape))
    ck.check(np.all(p[:10] == 0) and np.all(p[70:] == 0), "no noise before `from` 10 or from `until` 70 on")
    check_normal(ck, p[10:60], 1.5, 2.0, "noise(m, s) in its window")
    ck.check(np.all(p[60:70, 0] == 0) and np.all(p[60:70, 4501:] == 0), "p[1..4500] only")
    check_normal(ck, p[60:70, 1:4501], 0.0, 1.0, "noise(0, 1) on p[1..4500] (an index list)")
    check_normal(ck, q, 0.0, math.sqrt(2), "two noise(0, 1) on q (independent: sd sqrt(2))")
    z = (p[10:60] - 1.5) / 2
    n = z[:, 0::2].size
    r_pair = np.mean(z[:, 0::2] * z[:, 1::2])
    r_tick = np.mean(z[1:] * z[:-1])
    ck.check(abs(r_pair) < 4 / math.sqrt(n), "neurons 2k and 2k+1 uncorrelated: %.4f" % r_pair)
    ck.check(abs(r_tick) < 4 / math.sqrt(z[1:].size), "consecutive ticks uncorrelated: %.4f" % r_tick)

    threads = run(brainc, PROGRAM, TICKS, threads=2)
    ck.check(np.array_equal(threads["p.x"], p) and np.array_equal(threads["q.x"], q),
             "--threads 2 (inputs of 4096 neurons or more are split between threads) draws the same numbers")
    other = run(brainc, PROGRAM, TICKS, seed=2)["p.x"]
    ck.check(np.mean(other[10:60] == p[10:60]) < 0.001, "--seed 2 draws other numbers")
    half = run(brainc, PROGRAM.replace("brain b(m = 1.5, s = 2)", "brain b(m = 1.5, s = 0.5)"), TICKS)["p.x"]
    check_normal(ck, half[10:60], 1.5, 0.5, "sd from a brain parameter (s = 0.5)")
    negative_sd(brainc, ck)
    spikes_run_vs_built(brainc, ck)
    resumed(brainc, ck)
    ck.done()


if __name__ == "__main__":
    main()
