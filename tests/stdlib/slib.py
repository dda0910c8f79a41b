"""Helpers of the stdlib model tests: run `brainc run --out DIR` on a
program text and read back its `record` files as numpy arrays."""
import os
import subprocess
import sys
import tempfile

import numpy as np


def run(brainc, text, ticks, seed=1, threads=1, extra=()):
    """Runs the program; returns {file stem: rows}, where a state record
    `pop.v` gives an array [tick, index] and a synapse record `conn.w` an
    array [tick, synapse] (and `conn.w.ends`, the (pre, post) of each
    synapse number); spike records give a list of (tick, neuron)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "m.brain")
        out = os.path.join(tmp, "out")
        with open(src, "w") as f:
            f.write(text)
        cmd = [brainc, "run", src, "--ticks", str(ticks), "--seed", str(seed),
               "--threads", str(threads), "--quiet", "--out", out] + list(extra)
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit("FAIL: %s exited %d:\n%s\n%s" % (" ".join(cmd), p.returncode, p.stderr, text))
        res = {}
        for name in sorted(os.listdir(out)):
            stem = name[:-4]
            with open(os.path.join(out, name)) as f:
                header = f.readline().strip().split(",")
                rows = [l.strip().split(",") for l in f if l.strip()]
            if header[:2] == ["tick", "population"]:
                res[stem] = [(int(r[0]), int(r[2])) for r in rows]
                continue
            col = 3 if header[1] == "target" else 1  # index / synapse number
            n = 1 + max(int(r[col]) for r in rows)
            ticks_seen = sorted({int(r[0]) for r in rows})
            pos = {t: k for k, t in enumerate(ticks_seen)}
            a = np.full((len(ticks_seen), n), np.nan)
            for r in rows:
                a[pos[int(r[0])], int(r[col])] = float(r[4])
            res[stem] = a
            if col == 1:  # synapse record: (pre, post) of each synapse number
                ends = {}
                for r in rows:
                    ends[int(r[1])] = (int(r[2]), int(r[3]))
                res[stem + ".ends"] = [ends[k] for k in range(n)]
        return res


class Checker:
    def __init__(self):
        self.failed = 0
        self.passed = 0

    def check(self, cond, msg):
        if cond:
            self.passed += 1
            print("ok:   " + msg)
        else:
            self.failed += 1
            print("FAIL: " + msg)

    def close(self, got, want, rtol, atol, msg):
        got = np.asarray(got, dtype=float)
        want = np.asarray(want, dtype=float)
        if got.shape != want.shape:
            self.check(False, "%s: shape %s, want %s" % (msg, got.shape, want.shape))
            return
        err = np.abs(got - want)
        bad = err > atol + rtol * np.abs(want)
        worst = float(np.nanmax(err)) if err.size else 0.0
        if bad.any():
            k = np.argwhere(bad)[0]
            self.check(False, "%s: first mismatch at %s: %r, want %r (max |err| %.3g)"
                       % (msg, tuple(k), got[tuple(k)], want[tuple(k)], worst))
        else:
            self.check(True, "%s (max |err| %.3g, rtol %g, atol %g)" % (msg, worst, rtol, atol))

    def done(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.exit(1 if self.failed else 0)


def stim_on(t, t0, t1):
    """Whether `stimulus ... from t0 until t1` is on at time t (docs §7.6)."""
    return t >= t0 - 1e-9 and t < t1 - 1e-9
