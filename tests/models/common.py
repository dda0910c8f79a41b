"""Helpers of the model tests: run `brainc run` on a program text and read
its spike raster (tick,population,neuron CSV)."""
import collections
import os
import re
import subprocess
import sys
import tempfile


def run_brain(brainc, text, ticks, seed=1, threads=1, extra=()):
    """Runs the program; returns (spikes, summary line) where spikes maps a
    population name to a list of (tick, neuron), in file order."""
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "m.brain")
        csv = os.path.join(tmp, "s.csv")
        with open(src, "w") as f:
            f.write(text)
        return run_file(brainc, src, ticks, seed, threads, extra, csv)


def run_file(brainc, src, ticks, seed=1, threads=1, extra=(), csv=None):
    own = csv is None
    tmp = tempfile.mkdtemp() if own else None
    if own:
        csv = os.path.join(tmp, "s.csv")
    cmd = [brainc, "run", src, "--ticks", str(ticks), "--seed", str(seed),
           "--threads", str(threads), "--record", "spikes=" + csv] + list(extra)
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("FAIL: %s exited %d:\n%s" % (" ".join(cmd), p.returncode, p.stderr))
    spikes = collections.defaultdict(list)
    with open(csv) as f:
        header = f.readline().strip()
        if header != "tick,population,neuron":
            sys.exit("FAIL: bad raster header %r" % header)
        for line in f:
            tick, pop, neuron = line.strip().split(",")
            spikes[pop].append((int(tick), int(neuron)))
    if own:
        os.remove(csv)
        os.rmdir(tmp)
    summary = [l for l in p.stderr.splitlines() if l.startswith("ran ")]
    return spikes, (summary[-1] if summary else "")


def wall_seconds(summary):
    """The wall time in seconds from the `ran ...` summary line."""
    m = re.search(r"; ([0-9.eE+-]+) s, ", summary)
    return float(m.group(1)) if m else float("nan")


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

    def done(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.exit(1 if self.failed else 0)
