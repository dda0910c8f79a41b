#!/usr/bin/env python3
"""example_stdp_pattern.py BRAINC - runs examples/stdp_pattern.brain
(120 000 ticks, seed 1), prints what it shows and checks the claims of its
header against chance levels computed here, not against earlier output:

- early (first 12 s): the detector fires at random with respect to the
  pattern: the fraction of its spikes inside pattern windows (precision)
  is near the windows' share of time, 50/250 = 0.2 (required < 0.4);
- late (last 12 s): precision >= 0.9 (chance 0.2), it fires in >= 75% of
  the windows, and its first spike comes <= 15 ms after the window opens
  (a detector blind to the pattern's timing would average ~25 ms), at
  least 10 ms sooner than in 12-24 s, when it first becomes selective
  (the paper's latency reduction);
- weights at the last snapshot (110 s): >= 15 pattern afferents (even
  index) at >= 0.9 w_max, at most 2 noise afferents (odd index) there,
  and the pattern afferents' mean weight above the noise afferents';
- --threads 2 writes the same spikes and weights."""
import csv
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "..", "examples", "stdp_pattern.brain")
TICKS, PERIOD, WINDOW = 120000, 250, 50


def stats(spikes, a, b):
    s = [t for t in spikes if a <= t < b]
    inw = [t for t in s if t % PERIOD < WINDOW]
    hit = {t // PERIOD for t in inw}
    lat = [min(t % PERIOD for t in inw if t // PERIOD == k) for k in hit]
    nwin = (b - a) // PERIOD
    return {"spikes": len(s), "rate": len(s) * 1000.0 / (b - a),
            "precision": len(inw) / len(s) if s else 0.0, "hit": len(hit) / nwin,
            "latency": sum(lat) / len(lat) if lat else float("nan")}


def main():
    brainc = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        p = subprocess.run([brainc, "run", EXAMPLE, "--ticks", str(TICKS), "--seed", "1", "--quiet", "--out", out],
                           capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit("FAIL: brainc run exited %d\n%s" % (p.returncode, p.stderr))
        spikes = [int(r[0]) for r in list(csv.reader(open(os.path.join(out, "detector.csv"))))[1:]]
        rows = list(csv.reader(open(os.path.join(out, "syn.w.csv"))))[1:]
        # the same run on 2 threads writes the same files
        out2 = os.path.join(tmp, "out2")
        p = subprocess.run([brainc, "run", EXAMPLE, "--ticks", str(TICKS), "--seed", "1", "--quiet", "--out", out2,
                            "--threads", "2"], capture_output=True, text=True)
        same = p.returncode == 0 and all(
            open(os.path.join(out, f)).read() == open(os.path.join(out2, f)).read()
            for f in ("detector.csv", "syn.w.csv"))
    print("   seconds  spikes  rate(Hz)  in windows  windows hit  latency(ms)")
    for a in range(0, TICKS, 12000):
        s = stats(spikes, a, a + 12000)
        print("  %3d-%-3d   %5d    %5.1f      %4.2f        %4.2f        %5.1f"
              % (a // 1000, (a + 12000) // 1000, s["spikes"], s["rate"], s["precision"], s["hit"], s["latency"]))
    w = {}
    for r in rows:
        w.setdefault(int(r[0]), {})[int(r[2])] = float(r[4])
    print("   tick   mean w pattern  mean w noise  pattern >= 0.9  noise >= 0.9")
    for tk in sorted(w):
        pat = [x for k, x in w[tk].items() if k % 2 == 0]
        noi = [x for k, x in w[tk].items() if k % 2 == 1]
        print("  %5d      %.3f          %.3f          %3d           %3d" % (
            tk, sum(pat) / len(pat), sum(noi) / len(noi), sum(x >= 0.9 for x in pat), sum(x >= 0.9 for x in noi)))
    early, late = stats(spikes, 0, 12000), stats(spikes, TICKS - 12000, TICKS)
    second = stats(spikes, 12000, 24000)
    last = w[max(w)]
    pat = [x for k, x in last.items() if k % 2 == 0]
    noi = [x for k, x in last.items() if k % 2 == 1]
    checks = [
        (same, "--threads 2 writes the same spikes and weights"),
        (early["spikes"] >= 50 and early["precision"] < 0.4,
         "early: %d spikes, precision %.2f (chance 0.2, want < 0.4)" % (early["spikes"], early["precision"])),
        (late["precision"] >= 0.9, "late: precision %.2f (want >= 0.9)" % late["precision"]),
        (late["hit"] >= 0.75, "late: %.0f%% of the windows hit (want >= 75%%)" % (100 * late["hit"])),
        (late["latency"] <= 15 and late["latency"] <= second["latency"] - 10,
         "late: first spike %.1f ms into the window (want <= 15, and 10 ms sooner than %.1f at 12-24 s)"
         % (late["latency"], second["latency"])),
        (sum(x >= 0.9 for x in pat) >= 15 and sum(x >= 0.9 for x in noi) <= 2 and sum(pat) > sum(noi),
         "weights at %d: %d pattern and %d noise afferents >= 0.9, means %.3f vs %.3f"
         % (max(w), sum(x >= 0.9 for x in pat), sum(x >= 0.9 for x in noi), sum(pat) / len(pat), sum(noi) / len(noi))),
    ]
    bad = 0
    for ok, msg in checks:
        print(("ok:   " if ok else "FAIL: ") + msg)
        bad += not ok
    sys.exit(1 if bad else 0)


main()
