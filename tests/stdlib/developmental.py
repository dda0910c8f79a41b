"""stdlib.developmental - std.im8's developmental synapse (STDP plus
coincidence-rate pruning during a critical period) against a plain python
transcription of inner-models-v8 §4.2 / §4.3 (the importer spec,
../shared/reference/inner-models-v8-format.md), one tick per ms:

  source spike, alive: e += 1, source_fires += 1, deliver w
  target spike, alive and e > 0: coincidences += 1, then soft-bounded LTP
  every tick: e *= exp(-1/tau_plus)
  pruning, after the decay, at ticks 0 < t < critical_period with
  t % eval_interval == 0: a live synapse with source_fires >= min_fires and
  coincidences / source_fires < threshold dies: alive = 0, w = 0.

Fixed stimulus: 6 presynaptic and 4 postsynaptic relay neurons fired at
their own spike times (numpy's seeded generator, different rates per
neuron so that the coincidence ratio differs per synapse), all to all.
The relays fire only on their stimulus (input from the synapses stays far
below threshold). Weights, alive flags and counters are recorded every 10
ticks and compared per synapse; what is compared is also which synapses
died, and when. A dead synapse's eligibility is not compared: the
reference keeps decaying it (without effect), brainc leaves a pruned
synapse untouched (docs/language.md §5.5).

The postsynaptic relays record their input every tick (g): minus the
stimulus, it shows what the synapses delivered, so that a pruned synapse
is seen to deliver nothing.

Tolerance: rtol 1e-12, atol 1e-15; counters and alive flags exactly. The
rule is run with --threads 1 and 2: the recorded files must be identical.

usage: developmental.py BRAINC"""
import math
import sys

import numpy as np

from slib import Checker, run

NPRE, NPOST, TICKS, EVERY = 6, 4, 1500, 10
LR, W_MIN, W_MAX, TAU = 0.05, 0.0, 5.0, 20.0
CP, THR, EVAL, MIN_FIRES = 1000, 0.5, 200, 12
RTOL, ATOL = 1e-12, 1e-15
HEAD = "neuron relay() { input I\n state g = 0\n update { g = I }\n spike when I > 50 }\n"
ARGS = ("developmental(w = 1.5, learning_rate = %r, w_min = %r, w_max = %r, tau_plus = %r, "
        "critical_period = %r, pruning_threshold = %r, eval_interval = %r, min_source_fires = %r)"
        % (LR, W_MIN, W_MAX, TAU, CP, THR, EVAL, MIN_FIRES))
VARS = ["w", "alive", "source_fires", "coincidences", "eligibility"]


def spike_ticks():
    rng = np.random.default_rng(2024)
    pre = [sorted(set(rng.integers(1, TICKS - 1, size=int(n)).tolist())) for n in (15, 30, 45, 60, 90, 120)]
    post = [sorted(set(rng.integers(1, TICKS - 1, size=int(n)).tolist())) for n in (10, 25, 40, 70)]
    return pre, post


def program():
    pre, post = spike_ticks()
    lines = ["import std.im8", HEAD, "brain b {", " timestep 1",
             " src[%d] : relay" % NPRE, " dst[%d] : relay" % NPOST]
    for k, ts in enumerate(pre):
        lines.append(" stimulus src[%d] : spikes(times = [%s], w = 100)" % (k, ", ".join(str(t) for t in ts)))
    for k, ts in enumerate(post):
        lines.append(" stimulus dst[%d] : spikes(times = [%s], w = 100)" % (k, ", ".join(str(t) for t in ts)))
    lines.append(" connect src -> dst : %s as c" % ARGS)
    lines.extend(" record c.%s every %d" % (v, EVERY) for v in VARS)
    lines.append(" record dst.g every 1")
    lines.append("}")
    return "\n".join(lines) + "\n", pre, post


def clamp(x, lo, hi):
    return min(max(x, lo), hi)


def reference(pre, post):
    pre_at = [set(p) for p in pre]
    post_at = [set(p) for p in post]
    syn = [[{"w": 1.5, "alive": 1.0, "source_fires": 0.0, "coincidences": 0.0, "eligibility": 0.0}
            for _ in range(NPOST)] for _ in range(NPRE)]
    f = math.exp(-1.0 / TAU)
    R = W_MAX - W_MIN
    rec = {k: [] for k in VARS}
    died = {}
    delivered = np.zeros((TICKS + 1, NPOST))
    for n in range(TICKS):
        for i in range(NPRE):
            if n in pre_at[i]:
                for j in range(NPOST):
                    s = syn[i][j]
                    if s["alive"]:
                        s["eligibility"] += 1
                        s["source_fires"] += 1
                        delivered[n + 1, j] += s["w"]
        for j in range(NPOST):
            if n in post_at[j]:
                for i in range(NPRE):
                    s = syn[i][j]
                    if s["alive"] and s["eligibility"] > 0:
                        s["coincidences"] += 1
                        s["w"] = clamp(s["w"] + LR * s["eligibility"] * (W_MAX - s["w"]) / R, W_MIN, W_MAX)
        for row in syn:
            for s in row:
                if s["alive"]:  # a dead synapse's trace: see the docstring
                    s["eligibility"] *= f
        if 0 < n < CP and n % EVAL == 0:
            for i in range(NPRE):
                for j in range(NPOST):
                    s = syn[i][j]
                    if s["alive"] and s["source_fires"] >= MIN_FIRES and s["coincidences"] / s["source_fires"] < THR:
                        s["alive"] = 0.0
                        s["w"] = 0.0
                        died[(i, j)] = n
        if n % EVERY == 0:
            for k in rec:
                rec[k].append([syn[i][j][k] for i in range(NPRE) for j in range(NPOST)])
    return {k: np.array(v) for k, v in rec.items()}, died, delivered


def main():
    brainc = sys.argv[1]
    ck = Checker()
    text, pre, post = program()
    res1 = run(brainc, text, TICKS, threads=1)
    res2 = run(brainc, text, TICKS, threads=2)
    want, died, _ = reference(pre, post)
    ends = res1["c.w.ends"]
    ck.check(ends == [(i, j) for i in range(NPRE) for j in range(NPOST)], "synapse numbering is pre-major")
    for v in VARS:
        got = res1["c." + v]
        if v == "eligibility":
            live = want["alive"] > 0
            got, w = np.where(live, got, 0.0), np.where(live, want[v], 0.0)
        else:
            w = want[v]
        tol = (RTOL, ATOL) if v in ("w", "eligibility") else (0, 0)
        ck.close(got, w, tol[0], tol[1], "%s of %d synapses every %d ticks" % (v, NPRE * NPOST, EVERY))
        ck.check(np.array_equal(res1["c." + v], res2["c." + v]), "%s identical with --threads 1 and 2" % v)
    # which died, and when: the first recorded tick with alive = 0
    alive = res1["c.alive"]
    got_died = {}
    for k in range(NPRE * NPOST):
        dead = np.nonzero(alive[:, k] == 0)[0]
        if dead.size:
            got_died[divmod(k, NPOST)] = int(dead[0]) * EVERY
    ck.check(got_died == died, "the same %d synapses die at the same ticks (%s)"
             % (len(died), sorted(died.items())))
    ck.check(0 < len(died) < NPRE * NPOST, "some but not all synapses die (%d of %d)" % (len(died), NPRE * NPOST))
    ck.check(len(set(died.values())) > 1, "deaths at more than one evaluation (%s)" % sorted(set(died.values())))
    ck.check(max(died.values()) < CP, "no pruning after the critical period")
    # a pruned synapse delivers nothing: the post neurons' input, less the stimulus
    _, _, delivered = reference(pre, post)
    stim = np.zeros((TICKS, NPOST))
    for j, ts in enumerate(post):
        stim[ts, j] = 100
    ck.close(res1["dst.g"], delivered[:TICKS] + stim, RTOL, ATOL, "input of the post neurons every tick")
    ck.done()


main()
