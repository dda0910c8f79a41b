"""stdlib.rstdp - std.plasticity's rstdp (reward-modulated STDP with
eligibility traces and per-target dopamine, Izhikevich 2007) and the
brain-level `reward e [to target]` that drives it, against a plain python
transcription of the rule and of docs/language.md §7.8 and §12: per tick,
`on pre` of spiking presynaptic neurons (ascending), `on post`, then the
decays (x *= exp(-dt/tau)) and `update`, then step 8: every `reward`
expression is evaluated (`spikes(sel, window)` = spikes of sel in the last
ceil(window/dt) ticks, this one included) and a nonzero amount is added to
the dopamine d of the synapses it targets.

Fixed stimulus: 6 presynaptic relays (src) and two postsynaptic sets, dst
(5) and dst2 (3), each relay fired only by its own spike times (drawn once
from numpy's seeded generator). src -> dst is connection c1, src -> dst2
is c2, both rstdp. Three rewards with different targets:
  to dst  (a population: reaches c1 only) - reads spikes(dst, 10)
  to c2   (a named connection)             - reads spikes(src[0..2])
  no `to` (every synapse)                   - reads t and a brain parameter
so c1's dopamine sees the first and third, c2's the second and third.

Tolerance: rtol 1e-9, atol 1e-12 on w, c and d every 10 ticks (the
reference does the same operations in the same order; the slack allows
lazy decay, which §12 permits). Run with --threads 1 and 2: identical.
A `brainc build` executable of the same program must end with the same
synapse states (its spec carries the rewards).

usage: rstdp.py BRAINC"""
import math
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

from slib import Checker, run

NPRE, NDST, NDST2, DT, TICKS, EVERY = 6, 5, 3, 0.5, 3000, 10
RTOL, ATOL = 1e-9, 1e-12
P = dict(lr=0.05, a_plus=1.0, a_minus=1.5, tau_plus=20.0, tau_minus=20.0, tau_c=300.0, tau_d=100.0,
         w_min=0.0, w_max=4.0)
GAIN = 0.7
HEAD = "import std.plasticity\nneuron relay() { input I\n spike when I > 50 }\n"


def spike_ticks(rng, n, lo=20, hi=60):
    out = []
    for _ in range(n):
        ts = set(rng.integers(1, TICKS - 1, size=rng.integers(lo, hi)).tolist())
        out.append(sorted(ts))
    return out


def program():
    rng = np.random.default_rng(2007)
    pre, dst, dst2 = spike_ticks(rng, NPRE), spike_ticks(rng, NDST), spike_ticks(rng, NDST2)
    # causal pre -> post pairs so that eligibility builds up
    for k in range(10):
        pre[1].append(400 + 40 * k)
        dst[2].append(404 + 40 * k)
    pre, dst = [sorted(set(p)) for p in pre], [sorted(set(p)) for p in dst]
    args = ", ".join("%s = %r" % kv for kv in P.items())
    lines = [HEAD, "brain b(gain = %r) {" % GAIN, " timestep %g" % DT, " src[%d] : relay" % NPRE,
             " dst[%d] : relay" % NDST, " dst2[%d] : relay" % NDST2]
    for name, sets in (("src", pre), ("dst", dst), ("dst2", dst2)):
        for k, ts in enumerate(sets):
            lines.append(" stimulus %s[%d] : spikes(times = [%s], w = 100)"
                         % (name, k, ", ".join("%g" % (t * DT) for t in ts)))
    lines += [" connect src -> dst : rstdp(w = 1, %s) as c1" % args,
              " connect src -> dst2 : rstdp(w = 1, %s) as c2" % args,
              " reward 0.3 * spikes(dst, 10) - (if t % 37 < 1 then 0.5 else 0) to dst",
              " reward if spikes(src[0..2]) > 0 then -0.2 else 0 to c2",
              " reward if t % 100 == 50 then gain else 0"]
    for c in ("c1", "c2"):
        for v in ("w", "c", "d"):
            lines.append(" record %s.%s every %d" % (c, v, EVERY))
    lines.append("}")
    return "\n".join(lines) + "\n", pre, dst, dst2


def simulate(pre, dst, dst2):
    pre_at = [set(p) for p in pre]
    post_sets = {"c1": [set(p) for p in dst], "c2": [set(p) for p in dst2]}
    npost = {"c1": NDST, "c2": NDST2}
    syn = {c: [[dict(w=1.0, x_pre=0.0, x_post=0.0, c=0.0, d=0.0) for _ in range(npost[c])] for _ in range(NPRE)]
           for c in ("c1", "c2")}
    fac = dict(x_pre=math.exp(-DT / P["tau_plus"]), x_post=math.exp(-DT / P["tau_minus"]),
               c=math.exp(-DT / P["tau_c"]), d=math.exp(-DT / P["tau_d"]))
    window = math.ceil(10 / DT - 1e-9)
    dst_counts = []
    rec = {(c, v): [] for c in syn for v in ("w", "c", "d")}
    for n in range(TICKS):
        for c in syn:
            for i in range(NPRE):
                if n in pre_at[i]:
                    for s in syn[c][i]:
                        s["c"] -= P["a_minus"] * s["x_post"]
                        s["x_pre"] += 1
            for j in range(npost[c]):
                if n in post_sets[c][j]:
                    for i in range(NPRE):
                        s = syn[c][i][j]
                        s["c"] += P["a_plus"] * s["x_pre"]
                        s["x_post"] += 1
            for row in syn[c]:
                for s in row:
                    for k, f in fac.items():
                        s[k] *= f
                    s["w"] = min(max(s["w"] + P["lr"] * s["c"] * s["d"] * DT, P["w_min"]), P["w_max"])
        # step 8
        t = n * DT
        dst_counts.append(sum(n in p for p in post_sets["c1"]))
        r_dst = 0.3 * sum(dst_counts[-window:]) - (0.5 if t % 37 < 1 else 0)
        r_c2 = -0.2 if sum(n in pre_at[i] for i in range(3)) > 0 else 0
        r_all = GAIN if t % 100 == 50 else 0
        amount = {"c1": (r_all + r_dst), "c2": (r_all + r_c2)}
        given = {"c1": r_all != 0 or r_dst != 0, "c2": r_all != 0 or r_c2 != 0}
        for c in syn:
            if given[c]:
                for row in syn[c]:
                    for s in row:
                        s["d"] += amount[c]
        if n % EVERY == 0:
            for (c, v), lst in rec.items():
                lst.append([syn[c][i][j][v] for i in range(NPRE) for j in range(npost[c])])
    return {k: np.array(v) for k, v in rec.items()}


def built_matches_run(brainc, text):
    """`brainc build` serialises the rewards with the spec: the executable's
    final synapse states (mean/min/max per variable, from `brainc inspect`
    of a checkpoint) equal those of `brainc run`."""
    with tempfile.TemporaryDirectory() as tmp:
        src, exe = os.path.join(tmp, "m.brain"), os.path.join(tmp, "m")
        with open(src, "w") as f:
            f.write(text)
        stats = []
        cmds = [[brainc, "build", src, "-o", exe], [exe, "--ticks", str(TICKS), "--quiet", "--checkpoint",
                os.path.join(tmp, "a.db")],
                [brainc, "run", src, "--ticks", str(TICKS), "--quiet", "--checkpoint", os.path.join(tmp, "b.db")]]
        for cmd in cmds:
            p = subprocess.run(cmd, capture_output=True, text=True)
            if p.returncode != 0:
                sys.exit("FAIL: %s exited %d\n%s" % (" ".join(cmd), p.returncode, p.stderr))
        for db in ("a.db", "b.db"):
            p = subprocess.run([brainc, "inspect", os.path.join(tmp, db)], capture_output=True, text=True)
            groups = p.stdout.split("synapse groups")[-1]
            stats.append(re.findall(r"mean (\S+) min (\S+) max (\S+)", groups))
        return stats[0] == stats[1] and len(stats[0]) == 10, stats


def main():
    brainc = sys.argv[1]
    ck = Checker()
    text, pre, dst, dst2 = program()
    res1 = run(brainc, text, TICKS, threads=1)
    res2 = run(brainc, text, TICKS, threads=2)
    want = simulate(pre, dst, dst2)
    for c in ("c1", "c2"):
        for v in ("w", "c", "d"):
            key = "%s.%s" % (c, v)
            ck.close(res1[key], want[(c, v)], RTOL, ATOL, "rstdp %s every %d ticks" % (key, EVERY))
            ck.check(np.array_equal(res1[key], res2[key]), "rstdp %s identical with --threads 1 and 2" % key)
    # the run must exercise the rule: weights moved, and the two targets differ
    w1, w2 = res1["c1.w"][-1], res1["c2.w"][-1]
    ck.check(np.abs(w1 - 1).max() > 0.05 and np.abs(w2 - 1).max() > 0.05, "weights of both connections changed")
    ck.check(not np.allclose(res1["c1.d"][-50:].mean(), res1["c2.d"][-50:].mean()),
             "per-target dopamine differs between the targets")
    same, stats = built_matches_run(brainc, text)
    ck.check(same, "brainc build: the executable's synapse states equal brainc run's (%d statistics)"
             % len(stats[0]))
    ck.done()


if __name__ == "__main__":
    main()
