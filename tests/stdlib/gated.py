"""stdlib.gated - std.im8's gated_modulated synapse and its modulator
window (modulator_count) against a plain python transcription of
inner-models-v8 §4.2 gated / §4.3 (the importer spec), one tick per ms:

  each tick, after the neuron update: the 50-tick ring of the modulator
  neurons' spikes takes this tick's spikes;
  source spike: e += 1, deliver w;
  target spike: activity = (modulator spikes in the last 50 ticks, this
  tick included) / (len(group) * 50); if activity >= gate_threshold,
  soft-bounded LTP with e (no LTD);
  every tick: e *= exp(-1/tau_plus).

Fixed stimulus: 4 presynaptic, 3 postsynaptic and 3 modulator relay
neurons fired at their own spike times (numpy's seeded generator); the
modulators fire densely in two periods (activity above the threshold) and
sparsely otherwise, so that the gate opens and closes. Sources connect to
targets all to all with gated_modulated, every modulator to every target
with modulator_count delay 50. The relays fire only on their stimulus.
Compared: w and e of every synapse every 10 ticks, and each target's
window count (`modulation`) every tick, against the reference's ring.

Tolerance: rtol 1e-12, atol 1e-15; window counts exactly. Run with
--threads 1 and 2: the recorded files must be identical.

usage: gated.py BRAINC"""
import math
import sys

import numpy as np

from slib import Checker, run

NPRE, NPOST, NMOD, TICKS, EVERY, WINDOW = 4, 3, 3, 2000, 10, 50
LR, W_MIN, W_MAX, TAU, THR = 0.05, 0.0, 10.0, 20.0, 0.2
RTOL, ATOL = 1e-12, 1e-15
HEAD = ("neuron relay() { input I\n state g = 0, modulation = 0\n update { g = I }\n"
        " spike when I > 50 }\n")
ARGS = ("gated_modulated(w = 2, learning_rate = %r, w_min = %r, w_max = %r, tau_plus = %r, "
        "gate_threshold = %r, n_modulators = %d)" % (LR, W_MIN, W_MAX, TAU, THR, NMOD))


def spike_ticks():
    rng = np.random.default_rng(77)
    pre = [sorted(set(rng.integers(1, TICKS - 1, size=int(n)).tolist())) for n in (60, 90, 120, 150)]
    post = [sorted(set(rng.integers(1, TICKS - 1, size=int(n)).tolist())) for n in (50, 80, 110)]
    mod = []
    for m in range(NMOD):
        dense = set(range(300 + m, 520, 2)) | set(range(1200 + m, 1330, 3))
        sparse = set(rng.integers(1, TICKS - 1, size=40).tolist())
        mod.append(sorted(dense | sparse))
    return pre, post, mod


def program():
    pre, post, mod = spike_ticks()
    lines = ["import std.im8", HEAD, "brain b {", " timestep 1",
             " src[%d] : relay" % NPRE, " dst[%d] : relay" % NPOST, " mod[%d] : relay" % NMOD]
    for name, trains in (("src", pre), ("dst", post), ("mod", mod)):
        for k, ts in enumerate(trains):
            lines.append(" stimulus %s[%d] : spikes(times = [%s], w = 100)" % (name, k, ", ".join(str(t) for t in ts)))
    lines.append(" connect src -> dst : %s as c" % ARGS)
    lines.append(" connect mod -> dst : modulator_count delay %d" % WINDOW)
    lines.append(" record c.w every %d" % EVERY)
    lines.append(" record c.eligibility every %d" % EVERY)
    lines.append(" record dst.modulation every 1")
    lines.append("}")
    return "\n".join(lines) + "\n", pre, post, mod


def clamp(x, lo, hi):
    return min(max(x, lo), hi)


def reference(pre, post, mod):
    pre_at = [set(p) for p in pre]
    post_at = [set(p) for p in post]
    mod_at = [set(p) for p in mod]
    w = np.full((NPRE, NPOST), 2.0)
    e = np.zeros((NPRE, NPOST))
    ring = np.zeros((WINDOW, NMOD))  # the reference's 50-tick ring of spike flags
    f = math.exp(-1.0 / TAU)
    R = W_MAX - W_MIN
    rec_w, rec_e, window, opened = [], [], [], 0
    for n in range(TICKS):
        ring[n % WINDOW] = [1.0 if n in mod_at[m] else 0.0 for m in range(NMOD)]
        count = ring.sum()
        window.append([count] * NPOST)
        for i in range(NPRE):
            if n in pre_at[i]:
                e[i, :] += 1
        activity = count / (NMOD * WINDOW)
        for j in range(NPOST):
            if n in post_at[j] and activity >= THR:
                opened += 1
                for i in range(NPRE):
                    if e[i, j] > 0 and R >= 1e-6:
                        w[i, j] = clamp(w[i, j] + LR * e[i, j] * (W_MAX - w[i, j]) / R, W_MIN, W_MAX)
        e *= f
        if n % EVERY == 0:
            rec_w.append(w.reshape(-1).copy())
            rec_e.append(e.reshape(-1).copy())
    return np.array(rec_w), np.array(rec_e), np.array(window), opened


def main():
    brainc = sys.argv[1]
    ck = Checker()
    text, pre, post, mod = program()
    res1 = run(brainc, text, TICKS, threads=1)
    res2 = run(brainc, text, TICKS, threads=2)
    want_w, want_e, window, opened = reference(pre, post, mod)
    ck.check(res1["c.w.ends"] == [(i, j) for i in range(NPRE) for j in range(NPOST)], "synapse numbering is pre-major")
    ck.close(res1["dst.modulation"], window, 0, 0, "modulator spikes in the last 50 ticks, every tick")
    ck.close(res1["c.w"], want_w, RTOL, ATOL, "w of %d synapses every %d ticks" % (NPRE * NPOST, EVERY))
    ck.close(res1["c.eligibility"], want_e, RTOL, ATOL, "eligibility every %d ticks" % EVERY)
    for v in ("c.w", "c.eligibility", "dst.modulation"):
        ck.check(np.array_equal(res1[v], res2[v]), "%s identical with --threads 1 and 2" % v)
    closed = sum(1 for j in range(NPOST) for n in post[j]) - opened
    ck.check(opened > 5 and closed > 5, "the gate opened for %d and stayed closed for %d target spikes" % (opened, closed))
    ck.check(np.ptp(want_w[-1]) > 0.1, "weights moved (spread %.3f)" % np.ptp(want_w[-1]))
    ck.done()


main()
