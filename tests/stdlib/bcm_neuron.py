"""stdlib.bcm_neuron - std.plasticity's bcm_neuron with its per-neuron rate
and threshold (bcm_rate) against a plain python transcription of the BCM
rule (Bienenstock, Cooper & Munro 1982; Dayan & Abbott 2001 §8.2) with one
rate y and one threshold theta per postsynaptic neuron, under
docs/language.md §12's tick order (pre handlers, post handlers, then each
synapse's decays and update, groups in declaration order):

  pre spike:  x += 1000 / tau_x, deliver w
  post spike: y += 1000 / tau_y
  each tick:  x *= exp(-dt / tau_x), y *= exp(-dt / tau_y),
              w = clamp(w + dt eta x y (y - theta)),
              theta += dt (y^2 / y0 - theta) / tau_theta   (after w)

Fixed stimulus: 6 presynaptic and 5 postsynaptic relay neurons fired at
their own spike times (numpy's seeded generator), all to all, timestep
0.5 ms. The same spikes also drive a copy of the postsynaptic neurons
through std.plasticity's per-synapse `bcm`, whose weights must be the same
bits (every synapse onto a neuron computes the same threshold). Compared
every 10 ticks: w of every synapse, y and theta of every neuron (theta
after tick n is the neuron's theta_next; its theta is the value before).

Tolerance: rtol 1e-12, atol 1e-15 against the transcription; exact
against `bcm`. Run with --threads 1 and 2: identical files.

usage: bcm_neuron.py BRAINC"""
import math
import sys

import numpy as np

from slib import Checker, run

NPRE, NPOST, DT, TICKS, EVERY = 6, 5, 0.5, 4000, 10
ETA, TAU_X, TAU_Y, TAU_TH, Y0, TH0 = 1e-8, 50.0, 50.0, 500.0, 10.0, 10.0
RTOL, ATOL = 1e-12, 1e-15
HEAD = ("neuron relay_bcm() { input I\n state y = 0, theta = %r, theta_next = %r\n spike when I > 50 }\n"
        % (TH0, TH0))


def spike_ticks():
    rng = np.random.default_rng(31337)
    pre = [sorted(set(rng.integers(1, TICKS - 1, size=int(n)).tolist())) for n in (40, 60, 80, 100, 120, 160)]
    post = [sorted(set(rng.integers(1, TICKS - 1, size=int(n)).tolist())) for n in (20, 50, 90, 130, 200)]
    return pre, post


def program():
    pre, post = spike_ticks()
    lines = ["import std.plasticity", HEAD, "brain b {", " timestep %g" % DT,
             " src[%d] : relay_bcm" % NPRE, " dst[%d] : relay_bcm" % NPOST, " twin[%d] : relay_bcm" % NPOST]
    for name, trains in (("src", pre), ("dst", post), ("twin", post)):
        for k, ts in enumerate(trains):
            lines.append(" stimulus %s[%d] : spikes(times = [%s], w = 100)" % (name, k, ", ".join("%g" % (t * DT) for t in ts)))
    lines.append(" connect dst -> dst : bcm_rate(tau_y = %r, tau_theta = %r, y0 = %r) one_to_one" % (TAU_Y, TAU_TH, Y0))
    lines.append(" connect src -> dst : bcm_neuron(w = 1, eta = %r, tau_x = %r) as c" % (ETA, TAU_X))
    lines.append(" connect src -> twin : bcm(w = 1, eta = %r, tau_x = %r, tau_y = %r, tau_theta = %r, y0 = %r, theta0 = %r) as c2"
                 % (ETA, TAU_X, TAU_Y, TAU_TH, Y0, TH0))
    for rec in ("c.w", "c2.w", "dst.y", "dst.theta_next"):
        lines.append(" record %s every %d" % (rec, EVERY))
    lines.append("}")
    return "\n".join(lines) + "\n", pre, post


def reference(pre, post):
    pre_at = [set(p) for p in pre]
    post_at = [set(p) for p in post]
    w = np.ones((NPRE, NPOST))
    x = np.zeros(NPRE)  # every synapse of a source has the same x
    y = np.zeros(NPOST)
    th = np.full(NPOST, TH0)
    fx, fy = math.exp(-DT / TAU_X), math.exp(-DT / TAU_Y)
    rec = {"w": [], "y": [], "theta": []}
    for n in range(TICKS):
        for i in range(NPRE):
            if n in pre_at[i]:
                x[i] += 1000 / TAU_X
        for j in range(NPOST):
            if n in post_at[j]:
                y[j] += 1000 / TAU_Y
        x *= fx
        y *= fy
        for i in range(NPRE):
            for j in range(NPOST):
                w[i, j] = min(max(w[i, j] + DT * ETA * x[i] * y[j] * (y[j] - th[j]), 0.0), 5.0)
        for j in range(NPOST):
            th[j] += DT * (y[j] * y[j] / Y0 - th[j]) / TAU_TH
        if n % EVERY == 0:
            rec["w"].append(w.reshape(-1).copy())
            rec["y"].append(y.copy())
            rec["theta"].append(th.copy())
    return {k: np.array(v) for k, v in rec.items()}


def main():
    brainc = sys.argv[1]
    ck = Checker()
    text, pre, post = program()
    res1 = run(brainc, text, TICKS, threads=1)
    res2 = run(brainc, text, TICKS, threads=2)
    want = reference(pre, post)
    ck.check(res1["c.w.ends"] == [(i, j) for i in range(NPRE) for j in range(NPOST)], "synapse numbering is pre-major")
    ck.close(res1["c.w"], want["w"], RTOL, ATOL, "w of %d synapses every %d ticks" % (NPRE * NPOST, EVERY))
    ck.close(res1["dst.y"], want["y"], RTOL, ATOL, "y of %d neurons" % NPOST)
    ck.close(res1["dst.theta_next"], want["theta"], RTOL, ATOL, "theta (the neuron's theta_next) of %d neurons" % NPOST)
    ck.check(np.array_equal(res1["c.w"], res1["c2.w"]), "the same bits as the per-synapse bcm")
    for v in ("c.w", "dst.y", "dst.theta_next"):
        ck.check(np.array_equal(res1[v], res2[v]), "%s identical with --threads 1 and 2" % v)
    ck.check(np.ptp(want["w"][-1]) > 1e-3, "weights moved (spread %.4f)" % np.ptp(want["w"][-1]))
    inside = np.mean((want["w"][-1] > 0) & (want["w"][-1] < 5))
    ck.check(inside > 0.3, "most weights within the bounds (%.0f%%)" % (100 * inside))
    ck.check(np.ptp(want["theta"][-1]) > 1, "thresholds differ per neuron (spread %.2f)" % np.ptp(want["theta"][-1]))
    ck.done()


main()
