#!/usr/bin/env python3
"""example_rstdp_choice.py BRAINC - runs examples/rstdp_choice.brain
(60 000 ticks = 120 trials, seed 1), prints the fraction of right answers
per block of trials and the mean weights, and checks its header's claims
against chance, computed here from the spike rasters (not from earlier
output):

- each trial's cue is the cue population with more spikes in the cue
  window, the answer the choice population with more spikes there (a tie
  counts as wrong); the cues must be roughly balanced (30-70% cue A);
- early (first 30 trials): right at most 75% of the time (chance is 50%;
  23 or more of 30 by chance has probability 0.003);
- late (last 30 trials): right at least 90% of the time;
- control, the same run with -D lr=0 (no learning): the last 30 trials are
  right at most 75% of the time, so the improvement comes from R-STDP;
- weights at the last snapshot: the rewarded pairings (cueA->left,
  cueB->right) have grown above 1.25 times their initial mean and above both
  wrong pairings."""
import csv
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "..", "examples", "rstdp_choice.brain")
TICKS, PERIOD, CUE = 60000, 500, 100
NTRIALS = TICKS // PERIOD
failed = 0


def check(cond, msg):
    global failed
    print(("ok:   " if cond else "FAIL: ") + msg)
    failed += not cond


def run(brainc, out, extra):
    cmd = [brainc, "run", EXAMPLE, "--ticks", str(TICKS), "--seed", "1", "--quiet", "--out", out] + extra
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("FAIL: %s exited %d\n%s" % (" ".join(cmd), p.returncode, p.stderr))


def cue_counts(out, name):
    n = [0] * NTRIALS
    for r in list(csv.reader(open(os.path.join(out, name + ".csv"))))[1:]:
        t = int(r[0])
        if t % PERIOD < CUE:
            n[t // PERIOD] += 1
    return n


def trials(out):
    a, b, left, right = (cue_counts(out, n) for n in ("cueA", "cueB", "left", "right"))
    cue_a = [a[k] > b[k] for k in range(NTRIALS)]
    right_answer = [(left[k] > right[k]) if cue_a[k] else (right[k] > left[k]) for k in range(NTRIALS)]
    return cue_a, right_answer


def weights(out, conn):
    by_tick = {}
    for r in list(csv.reader(open(os.path.join(out, conn + ".w.csv"))))[1:]:
        by_tick.setdefault(int(r[0]), []).append(float(r[4]))
    return {t: sum(v) / len(v) for t, v in by_tick.items()}


def frac(x):
    return sum(x) / len(x)


def main():
    brainc = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        learn, control = os.path.join(tmp, "learn"), os.path.join(tmp, "control")
        run(brainc, learn, [])
        run(brainc, control, ["-D", "lr=0"])
        cue_a, ok = trials(learn)
        _, ok0 = trials(control)
        w = {c: weights(learn, c) for c in ("a_left", "a_right", "b_left", "b_right")}
    print("  trials    right answers (learning)   (lr = 0)")
    for k in range(0, NTRIALS, 20):
        print("  %3d-%-3d   %4.2f                       %4.2f" % (k, k + 19, frac(ok[k:k + 20]), frac(ok0[k:k + 20])))
    ticks = sorted(w["a_left"])
    print("  tick    " + "  ".join("%8s" % c for c in w))
    for t in ticks:
        print("  %6d  " % t + "  ".join("%8.2f" % w[c][t] for c in w))
    check(0.3 <= frac(cue_a) <= 0.7, "cues balanced: %.2f of trials show cue A" % frac(cue_a))
    check(frac(ok[:30]) <= 0.75, "first 30 trials near chance: %.2f right (<= 0.75)" % frac(ok[:30]))
    check(frac(ok[-30:]) >= 0.9, "last 30 trials learnt: %.2f right (>= 0.90)" % frac(ok[-30:]))
    check(frac(ok0[-30:]) <= 0.75, "without learning (lr = 0) the last 30 stay near chance: %.2f (<= 0.75)"
          % frac(ok0[-30:]))
    first, last = ticks[0], ticks[-1]
    for good in ("a_left", "b_right"):
        check(w[good][last] > 1.25 * w[good][first], "%s grew: mean w %.2f -> %.2f" % (good, w[good][first], w[good][last]))
        for bad in ("a_right", "b_left"):
            check(w[good][last] > w[bad][last], "%s (%.2f) above %s (%.2f)" % (good, w[good][last], bad, w[bad][last]))
    print("%s" % ("FAILED" if failed else "all passed"))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
