"""stdlib.plasticity - std.stp's tsodyks_markram and std.plasticity's
triplet_stdp, bcm and scaling against a plain numpy/python transcription of
the published rules under docs/language.md §12's tick order: presynaptic
handlers (in ascending neuron order), then postsynaptic ones, then each
`decay` (x *= exp(-dt/tau) once per tick), then the synapse's `update`.

Fixed stimulus: 6 presynaptic and 5 postsynaptic relay neurons, each fired
at its own spike times (drawn once from numpy's seeded generator, written
into the program as `stimulus pre[k] : spikes(...)`), connected all to all.
The relays fire only on their stimulus (synaptic input stays far below
their threshold). Weights (and traces) are recorded every 10 ticks and
compared per synapse; tsodyks_markram's deliveries are read from a sink
neuron that records its summed input each tick.

Tolerance: rtol 1e-12, atol 1e-15 (the references multiply by the same
decay factors per tick; the slack allows lazy decay, exp(-k dt/tau), which
§12 permits). Every rule is run with --threads 1 and 2: the weight files
must be identical.

usage: plasticity.py BRAINC"""
import math
import sys

import numpy as np

from slib import Checker, run

NPRE, NPOST, DT, TICKS, EVERY = 6, 5, 0.5, 4000, 10
RTOL, ATOL = 1e-12, 1e-15
HEAD = ("neuron relay() { input I\n spike when I > 50 }\n"
        "neuron sink() { input I\n state g = 0\n update { g = I } }\n")


def spike_ticks():
    rng = np.random.default_rng(12345)
    pre = [sorted(set(rng.integers(1, TICKS - 1, size=rng.integers(20, 60)).tolist())) for _ in range(NPRE)]
    post = [sorted(set(rng.integers(1, TICKS - 1, size=rng.integers(20, 60)).tolist())) for _ in range(NPOST)]
    # a few tight pre-post pairs and bursts so that triplets matter
    pre[0] += [TICKS // 2 + k * 6 for k in range(8)]
    post[0] += [TICKS // 2 + 2 + k * 6 for k in range(8)]
    return [sorted(set(p)) for p in pre], [sorted(set(p)) for p in post]


def program(syn_args, extra=""):
    pre, post = spike_ticks()
    lines = ["import std.plasticity", "import std.stp", HEAD, "brain b {", " timestep %g" % DT,
             " src[%d] : relay" % NPRE, " dst[%d] : relay" % NPOST]
    for k, ts in enumerate(pre):
        lines.append(" stimulus src[%d] : spikes(times = [%s], w = 100)" % (k, ", ".join("%g" % (t * DT) for t in ts)))
    for k, ts in enumerate(post):
        lines.append(" stimulus dst[%d] : spikes(times = [%s], w = 100)" % (k, ", ".join("%g" % (t * DT) for t in ts)))
    lines.append(" connect src -> dst : %s as c" % syn_args)
    lines.append(extra)
    lines.append("}")
    return "\n".join(lines) + "\n", pre, post


def simulate(pre, post, make, on_pre, on_post, taus, update=None):
    """One dict of state per synapse (pre i, post j); returns the
    recorded traces {var: [tick/EVERY, synapse i*NPOST+j]} and the
    deliveries per (tick, post)."""
    pre_at = [set(p) for p in pre]
    post_at = [set(p) for p in post]
    syn = [[make() for _ in range(NPOST)] for _ in range(NPRE)]
    fac = {k: math.exp(-DT / tau) for k, tau in taus.items()}
    rec = {k: [] for k in syn[0][0]}
    delivered = np.zeros((TICKS + 1, NPOST))
    for n in range(TICKS):
        for i in range(NPRE):
            if n in pre_at[i]:
                for j in range(NPOST):
                    delivered[n + 1, j] += on_pre(syn[i][j])
        for j in range(NPOST):
            if n in post_at[j]:
                for i in range(NPRE):
                    on_post(syn[i][j])
        for row in syn:
            for s in row:
                for k, f in fac.items():
                    s[k] *= f
                if update:
                    update(s)
        if n % EVERY == 0:
            for k in rec:
                rec[k].append([syn[i][j][k] for i in range(NPRE) for j in range(NPOST)])
    return {k: np.array(v) for k, v in rec.items()}, delivered


def clamp(x, lo, hi):
    return min(max(x, lo), hi)


def check_rule(brainc, ck, name, syn_args, vars_, ref, extra=""):
    text, pre, post = program(syn_args, extra)
    recs = "".join(" record c.%s every %d\n" % (v, EVERY) for v in vars_)
    text = text.replace("\n}\n", "\n" + recs + "}\n")
    res1 = run(brainc, text, TICKS, threads=1)
    res2 = run(brainc, text, TICKS, threads=2)
    want, delivered = ref(pre, post)
    ends = res1["c.%s.ends" % vars_[0]]
    ck.check(ends == [(i, j) for i in range(NPRE) for j in range(NPOST)], "%s: synapse numbering is pre-major" % name)
    for v in vars_:
        ck.close(res1["c." + v], want[v], RTOL, ATOL, "%s: %s of %d synapses every %d ticks" % (name, v, NPRE * NPOST, EVERY))
        same = np.array_equal(res1["c." + v], res2["c." + v])
        ck.check(same, "%s: %s identical with --threads 1 and 2" % (name, v))
    return res1, want, delivered


def test_tm(brainc, ck):
    U, tau_f, tau_d, w = 0.2, 300.0, 80.0, 0.7

    def on_pre(s):
        u = U + s["a"]
        u1 = u + U * (1 - u)
        x = 1 - s["r"]
        out = w * u1 * x
        s["a"] = u1 - U
        s["r"] += u1 * x
        return out
    ref = lambda pre, post: simulate(pre, post, lambda: {"a": 0.0, "r": 0.0}, on_pre, lambda s: None,
                                     {"a": tau_f, "r": tau_d})
    extra = (" sink[%d] : sink\n connect src -> sink : tsodyks_markram(w = %g, U = %g, tau_f = %g, tau_d = %g)\n"
             " record sink.g every 1" % (NPOST, w, U, tau_f, tau_d))
    res, want, delivered = check_rule(brainc, ck, "tsodyks_markram",
                                      "tsodyks_markram(w = %g, U = %g, tau_f = %g, tau_d = %g)" % (w, U, tau_f, tau_d),
                                      ["a", "r"], ref, extra)
    ck.close(res["sink.g"], delivered[:TICKS], RTOL, ATOL, "tsodyks_markram: delivered currents every tick")
    d = delivered[:, 0][delivered[:, 0] > 0]
    ck.check(d.min() < 0.5 * d.max(), "tsodyks_markram: depression visible (%.3f .. %.3f)" % (d.min(), d.max()))


def test_triplet(brainc, ck):
    A2p, A3p, A2m, A3m = 5e-10, 6.2e-3, 7e-3, 2.3e-4
    # scaled up 20x so that changes are visible over the few spikes here
    A2p, A3p, A2m, A3m = A2p * 20, A3p * 20, A2m * 20, A3m * 20
    taus = {"r1": 16.8, "r2": 101.0, "o1": 33.7, "o2": 125.0}

    def on_pre(s):
        out = s["w"]
        s["w"] = clamp(s["w"] - s["o1"] * (A2m + A3m * s["r2"]), 0, 1)
        s["r1"] += 1
        s["r2"] += 1
        return out

    def on_post(s):
        s["w"] = clamp(s["w"] + s["r1"] * (A2p + A3p * s["o2"]), 0, 1)
        s["o1"] += 1
        s["o2"] += 1
    ref = lambda pre, post: simulate(pre, post, lambda: {"w": 0.5, "r1": 0.0, "r2": 0.0, "o1": 0.0, "o2": 0.0},
                                     on_pre, on_post, taus)
    res, want, _ = check_rule(brainc, ck, "triplet_stdp",
                              "triplet_stdp(w = 0.5, A2_plus = %r, A3_plus = %r, A2_minus = %r, A3_minus = %r)"
                              % (A2p, A3p, A2m, A3m), ["w", "r2", "o2"], ref)
    ck.check(np.ptp(want["w"][-1]) > 0.01, "triplet_stdp: weights moved (spread %.3f)" % np.ptp(want["w"][-1]))


def test_bcm(brainc, ck):
    eta, tau_x, tau_y, tau_th, y0, th0 = 1e-6, 50.0, 50.0, 500.0, 10.0, 10.0

    def on_pre(s):
        s["x"] += 1000 / tau_x
        return s["w"]

    def on_post(s):
        s["y"] += 1000 / tau_y

    def update(s):
        s["w"] = clamp(s["w"] + DT * eta * s["x"] * s["y"] * (s["y"] - s["theta"]), 0, 5)
        s["theta"] += DT * (s["y"] * s["y"] / y0 - s["theta"]) / tau_th
    ref = lambda pre, post: simulate(pre, post, lambda: {"w": 1.0, "x": 0.0, "y": 0.0, "theta": th0},
                                     on_pre, on_post, {"x": tau_x, "y": tau_y}, update)
    res, want, _ = check_rule(brainc, ck, "bcm", "bcm(w = 1, eta = %r)" % eta, ["w", "theta", "y"], ref)
    ck.check(np.ptp(want["w"][-1]) > 1e-3, "bcm: weights moved (spread %.4f)" % np.ptp(want["w"][-1]))


def test_scaling(brainc, ck):
    eta, target, tau_y = 1e-4, 10.0, 1000.0

    def on_post(s):
        s["y"] += 1000 / tau_y

    def update(s):
        s["w"] = clamp(s["w"] + DT * eta * s["w"] * (target - s["y"]), 0, 10)
    ref = lambda pre, post: simulate(pre, post, lambda: {"w": 1.0, "y": 0.0}, lambda s: s["w"], on_post,
                                     {"y": tau_y}, update)
    res, want, _ = check_rule(brainc, ck, "scaling", "scaling(w = 1, eta = %r)" % eta, ["w", "y"], ref)
    ck.check(np.ptp(want["w"][-1]) > 1e-3, "scaling: weights moved (spread %.4f)" % np.ptp(want["w"][-1]))


def main():
    brainc = sys.argv[1]
    ck = Checker()
    test_tm(brainc, ck)
    test_triplet(brainc, ck)
    test_bcm(brainc, ck)
    test_scaling(brainc, ck)
    ck.done()


main()
