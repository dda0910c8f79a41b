#!/usr/bin/env python3
"""im8_ref_engine.py - the inner-models-v8 reference engine's tick, transcribed.

    im8_ref_engine.py BRAIN.db TICKS tonic|tonic=AMP|noise [--seed S] [--counts FILE] [--learn 0|1]
                      [--reward TICK:M,TICK:M,...]

A straightforward Python + NumPy transcription of `engine/runner.py`'s
`Brain.tick` as ../shared/reference/inner-models-v8-format.md states it
(§2 neurons, §3 containers, §4 synapses and the order of one tick), written
from that text only, in the reference's style: vectorised neuron update,
per-spike Python loops for delivery and learning. It runs a brain DB in the
reference's schema (§7), e.g. one written by `brainc export-db RECIPE.json
-o BRAIN.db`, so that brainc and this engine run the same network side by
side (bench/im8_speed.sh). Drives as in the baseline: tonic adds 2.5 to every
neuron each tick, noise 2.5 + N(0, 2) (numpy's legacy RandomState, as the
reference's callers use).

Prints one line:
    neurons N synapses S drive D ticks T spikes K spikes_per_tick X load_s L run_s R ticks_per_s Y
    cpu_ticks_per_s Y' (ticks over the process's CPU time: steadier on a shared machine)
With --counts FILE, writes the number of spikes of each tick, one a line.
With --reward, deliver_reward(M) (§5.1) is called after tick TICK, as the
reference's callers do (run_arena, §8). Reward homeostasis (off by default in
the reference), sleep, synaptogenesis and drift (§5) are left out.
"""
import json
import sqlite3
import sys
import time

import numpy as np

# engine/paths/*.py defaults (§4.1), under the DB's params and state
DEFAULTS = {
    "fixed": {},
    "plastic": {"learning_rate": 0.01, "w_min": 0.0, "w_max": 10.0, "tau_plus": 20.0, "tau_minus": 20.0,
                "ltd_ratio": 0.5, "eligibility": 0.0, "elig_post": 0.0},
    "facilitating": {"facil_increment": 0.2, "tau_recovery": 200.0, "current_gain": 1.0},
    "depressing": {"depress_factor": 0.5, "tau_recovery": 500.0, "current_gain": 1.0},
    "gated": {"learning_rate": 0.01, "w_min": 0.0, "w_max": 10.0, "tau_plus": 20.0, "gate_threshold": 0.3,
              "modulator_group": "", "eligibility": 0.0},
    "reward_plastic": {"learning_rate": 0.01, "w_min": 0.0, "w_max": 10.0, "tau_trace": 20.0,
                       "tau_eligible": 500.0, "trace": 0.0, "eligibility": 0.0},
    "developmental": {"learning_rate": 0.01, "w_min": 0.0, "w_max": 10.0, "tau_plus": 20.0,
                      "critical_period": 10000, "pruning_threshold": 0.02, "eval_interval": 2000,
                      "min_source_fires": 20, "eligibility": 0.0, "source_fires": 0, "coincidences": 0,
                      "alive": True},
}
ORDER = ["fixed", "plastic", "gated", "reward_plastic", "facilitating", "depressing", "developmental"]


def decay(tau):
    """exp(-1/tau), 0 for tau <= 0 (§4.1)."""
    tau = np.asarray(tau, dtype=float)
    return np.where(tau > 0, np.exp(-1.0 / np.where(tau > 0, tau, 1.0)), 0.0)


class Syn:
    """The chemical synapses of one type: arrays by row, and per-neuron lists."""

    def __init__(self, kind, rows, idx, n):
        self.kind = kind
        self.n = len(rows)
        self.src = np.array([idx[r[0]] for r in rows], dtype=np.int64)
        self.tgt = np.array([idx[r[1]] for r in rows], dtype=np.int64)
        self.w = np.array([r[2] for r in rows], dtype=float)
        self.delay = np.array([r[3] for r in rows], dtype=np.int64)
        eff = []
        for r in rows:
            e = dict(DEFAULTS[kind])
            e.update(json.loads(r[4]))
            st = json.loads(r[5])
            if "pre" in st:
                st["eligibility"] = st.pop("pre")
            e.update(st)
            eff.append(e)
        self.p = {k: np.array([e[k] for e in eff], dtype=float if k != "alive" else bool)
                  for k in DEFAULTS[kind] if k != "modulator_group"}
        self.modulator = [e.get("modulator_group", "") for e in eff]
        self.out = self.lists(self.src, n)
        self.inc = self.lists(self.tgt, n)
        self.tgt_l, self.delay_l = self.tgt.tolist(), self.delay.tolist()

    @staticmethod
    def lists(ends, n):
        order = np.argsort(ends, kind="stable")
        cuts = np.searchsorted(ends[order], np.arange(n + 1))
        return [order[cuts[k]:cuts[k + 1]] for k in range(n)]


class Brain:
    def __init__(self, db, learn=True):
        con = sqlite3.connect(db)
        nrows = con.execute("SELECT id, a, b, c, d, v, u FROM neurons ORDER BY id").fetchall()
        self.N = len(nrows)
        idx = {r[0]: k for k, r in enumerate(nrows)}
        cols = np.array([r[1:] for r in nrows], dtype=float).reshape(-1, 6)
        self.a, self.b, self.c, self.d, self.v, self.u = (cols[:, k].copy() for k in range(6))
        srows = con.execute("SELECT source, target, weight, delay, params, state, synapse_type "
                            "FROM synapses ORDER BY id").fetchall()
        self.nsyn = len(srows)
        gaps = [r for r in srows if r[6] == "gap_junction"]
        self.gs = np.array([idx[r[0]] for r in gaps], dtype=np.int64)
        self.gt = np.array([idx[r[1]] for r in gaps], dtype=np.int64)
        self.gg = np.array([dict({"conductance": 0.1}, **json.loads(r[4]))["conductance"] for r in gaps])
        self.syn = {}
        for kind in ORDER:
            rows = [r for r in srows if r[6] == kind]
            if rows:
                self.syn[kind] = Syn(kind, rows, idx, self.N)
        for r in srows:
            if r[6] != "gap_junction" and r[6] not in DEFAULTS:
                raise SystemExit("unknown synapse type %s" % r[6])
        chem = [s.delay.max() for s in self.syn.values()]
        self.B = int(max(chem)) + 1 if chem else 1
        self.buf = np.zeros((self.B, self.N))
        self.learn = learn
        self.t = 0
        # decay factors, once (§4.1)
        for s in self.syn.values():
            p = s.p
            if s.kind in ("plastic", "gated", "developmental"):
                s.fp = decay(p["tau_plus"])
            if s.kind == "plastic":
                s.fm = decay(p["tau_minus"])
            if s.kind in ("facilitating", "depressing"):
                s.fr = decay(p["tau_recovery"])
            if s.kind == "reward_plastic":
                s.ft, s.fe = decay(p["tau_trace"]), decay(p["tau_eligible"])
        # per neuron: its outgoing fixed synapses as (delay, target, weight),
        # and which other kinds it has outgoing / incoming synapses of
        fx = self.syn.get("fixed")
        self.out_fixed = [[(fx.delay_l[j], fx.tgt_l[j], float(fx.w[j])) for j in fx.out[n]] if fx else []
                          for n in range(self.N)]
        self.out_kinds = [[k for k in ORDER[1:] if k in self.syn and len(self.syn[k].out[n])]
                          for n in range(self.N)]
        self.in_kinds = [[k for k in ("plastic", "gated", "reward_plastic", "developmental")
                          if k in self.syn and len(self.syn[k].inc[n])] for n in range(self.N)]
        # gated: modulator ring of 50 ticks (§4.2), kept only if gated synapses exist
        self.mod_ring = np.zeros((50, self.N), dtype=bool) if "gated" in self.syn else None
        # developmental: global parameters from the first one (§4.2 quirk)
        dv = self.syn.get("developmental")
        if dv is not None:
            first = 0  # rows are in id order: the first has the lowest id
            self.dev_cp = dv.p["critical_period"][first]
            self.dev_eval = dv.p["eval_interval"][first]
            self.dev_thr = dv.p["pruning_threshold"][first]
            self.dev_min = dv.p["min_source_fires"][first]
            self.dev_over = bool(np.any(dv.p["source_fires"] > 10 * self.dev_min))

    @staticmethod
    def ltp(s, i, e):
        """Soft-bounded potentiation of synapses i with traces e (§4.1), one
        synapse at a time."""
        p, w = s.p, s.w
        wmin_a, wmax_a, lr_a = p["w_min"], p["w_max"], p["learning_rate"]
        for j, ej in zip(i.tolist(), e.tolist()):
            wmin, wmax = wmin_a[j], wmax_a[j]
            R = wmax - wmin
            if R < 1e-6 or ej <= 0:
                continue
            wj = w[j]
            if wmin < 0 and wmax <= 0:
                wj = wj - lr_a[j] * ej * (wj - wmin) / R
            else:
                wj = wj + lr_a[j] * ej * (wmax - wj) / R
            w[j] = min(max(wj, wmin), wmax)

    def deliver_reward(self, m):
        """§5.1: called between ticks; not gated by learning."""
        s = self.syn.get("reward_plastic")
        if s is None or abs(m) < 1e-6:
            return
        p, w = s.p, s.w
        elig = p["eligibility"]
        for j in range(s.n):  # rows in DB id order
            e = elig[j]
            wmin, wmax = p["w_min"][j], p["w_max"][j]
            R = wmax - wmin
            if abs(e) < 1e-6 or R < 1e-6:
                continue
            lr = p["learning_rate"][j]
            if wmin < 0 and wmax <= 0:
                dw = -lr * e * m * (w[j] - wmin) / R
            elif m > 0:
                dw = lr * e * m * (wmax - w[j]) / R
            else:
                dw = lr * e * m * (w[j] - wmin) / R
            w[j] = min(max(w[j] + dw, wmin), wmax)
            elig[j] = e * 0.5

    def deliver(self, s, i, val):
        buf, t, B, tg, dl = self.buf, self.t, self.B, s.tgt_l, s.delay_l
        for j, x in zip(i.tolist(), val.tolist()):
            buf[(t + dl[j]) % B, tg[j]] += x

    def tick(self, external_I=None):
        t = self.t
        row = t % self.B
        I = self.buf[row].copy()                      # 1
        self.buf[row] = 0.0
        if external_I is not None:                     # 2
            I += external_I
        if len(self.gs):                               # 3 (end-of-last-tick voltages)
            dv = self.v[self.gs] - self.v[self.gt]
            np.add.at(I, self.gt, self.gg * dv)
            np.add.at(I, self.gs, -self.gg * dv)
        v, u = self.v, self.u                          # 4 (§2.3)
        v += 0.5 * (0.04 * v * v + 5 * v + 140 - u + I)
        np.clip(v, -100.0, 35.0, out=v)
        v += 0.5 * (0.04 * v * v + 5 * v + 140 - u + I)
        u += self.a * (self.b * v - u)
        fired = np.nonzero(v >= 30)[0]                 # 5
        v[fired] = self.c[fired]
        u[fired] += self.d[fired]
        if self.mod_ring is not None:                  # 6
            self.mod_ring[t % 50] = False
            self.mod_ring[t % 50, fired] = True
        syn = self.syn
        buf, B = self.buf, self.B
        for n in fired.tolist():                       # 7: delivery, per spike
            for dl, tg, w in self.out_fixed[n]:
                buf[(t + dl) % B, tg] += w
            for kind in self.out_kinds[n]:
                s = syn[kind]
                i = s.out[n]
                if kind == "plastic":
                    p, w = s.p, s.w
                    pre, post = p["eligibility"], p["elig_post"]
                    for j in i.tolist():
                        pre[j] += 1.0
                        pj = post[j]
                        if pj > 0.01:  # LTD, then the post-LTD weight is delivered
                            wmin, wmax = p["w_min"][j], p["w_max"][j]
                            R = wmax - wmin
                            if R >= 1e-6:
                                k = p["learning_rate"][j] * p["ltd_ratio"][j] * pj
                                wj = w[j]
                                if wmin < 0 and wmax <= 0:
                                    wj = wj + k * (wmax - wj) / R
                                else:
                                    wj = wj - k * (wj - wmin) / R
                                w[j] = min(max(wj, wmin), wmax)
                    self.deliver(s, i, w[i])
                elif kind == "gated":
                    s.p["eligibility"][i] += 1.0
                    self.deliver(s, i, s.w[i])
                elif kind == "reward_plastic":
                    s.p["trace"][i] += 1.0
                    self.deliver(s, i, s.w[i])
                elif kind == "facilitating":
                    s.p["current_gain"][i] += s.p["facil_increment"][i]
                    self.deliver(s, i, s.w[i] * s.p["current_gain"][i])
                elif kind == "depressing":
                    s.p["current_gain"][i] *= s.p["depress_factor"][i]
                    self.deliver(s, i, s.w[i] * s.p["current_gain"][i])
                elif kind == "developmental":
                    i = i[s.p["alive"][i]]
                    if len(i):
                        s.p["eligibility"][i] += 1.0
                        s.p["source_fires"][i] += 1
                        self.deliver(s, i, s.w[i])
        if self.learn and len(fired):                  # 8: learning, per spike
            for n in fired.tolist():
                kinds = self.in_kinds[n]
                if not kinds:
                    continue
                s = syn.get("plastic")
                if "plastic" in kinds:
                    i = s.inc[n]
                    s.p["elig_post"][i] += 1.0
                    self.ltp(s, i, s.p["eligibility"][i])
                s = syn.get("gated")
                if "gated" in kinds:
                    for j in s.inc[n]:
                        grp = s.modulator[j]
                        if isinstance(grp, list) and grp:
                            act = self.mod_ring[:, grp].sum() / (len(grp) * 50.0)
                            if act >= s.p["gate_threshold"][j]:
                                self.ltp(s, np.array([j]), s.p["eligibility"][[j]])
                s = syn.get("reward_plastic")
                if "reward_plastic" in kinds:
                    i = s.inc[n]
                    tr = s.p["trace"][i]
                    m = tr > 0
                    j = i[m]
                    s.p["eligibility"][j] += tr[m]
                    s.p["trace"][j] *= 0.5
                s = syn.get("developmental")
                if "developmental" in kinds:
                    i = s.inc[n]
                    i = i[s.p["alive"][i] & (s.p["eligibility"][i] > 0)]
                    if len(i):
                        s.p["coincidences"][i] += 1
                        self.ltp(s, i, s.p["eligibility"][i])
        for kind, s in syn.items():                    # 9: decay
            p = s.p
            if kind == "plastic":
                p["eligibility"] *= s.fp
                p["elig_post"] *= s.fm
            elif kind in ("gated", "developmental"):
                p["eligibility"] *= s.fp
            elif kind == "reward_plastic":
                p["trace"] *= s.ft
                p["eligibility"] *= s.fe
            elif kind in ("facilitating", "depressing"):
                p["current_gain"] = 1.0 + (p["current_gain"] - 1.0) * s.fr
        s = syn.get("developmental")                   # 10: pruning
        if s is not None and not self.dev_over:
            if 0 < t < self.dev_cp and t % self.dev_eval == 0:
                p = s.p
                sf = p["source_fires"]
                with np.errstate(divide="ignore", invalid="ignore"):
                    r = np.where(sf > 0, p["coincidences"] / np.where(sf > 0, sf, 1), 0.0)
                die = p["alive"] & (sf >= self.dev_min) & (r < self.dev_thr)
                p["alive"][die] = False
                s.w[die] = 0.0
            if t >= self.dev_cp:
                self.dev_over = True
        self.t = t + 1                                 # 12
        return fired


def main():
    args = sys.argv[1:]
    if len(args) < 3 or not (args[2] in ("tonic", "noise") or args[2].startswith("tonic=")):
        sys.exit(__doc__)
    db, ticks, drive = args[0], int(args[1]), args[2]
    amp = float(drive[6:]) if drive.startswith("tonic=") else 2.5
    seed, counts, learn, rewards = 42, None, True, {}
    rest = args[3:]
    while rest:
        k = rest.pop(0)
        if k == "--seed":
            seed = int(rest.pop(0))
        elif k == "--counts":
            counts = rest.pop(0)
        elif k == "--learn":
            learn = rest.pop(0) != "0"
        elif k == "--reward":
            for item in filter(None, rest.pop(0).split(",")):
                tk, m = item.split(":")
                rewards.setdefault(int(tk), []).append(float(m))
        else:
            sys.exit("unknown option %s" % k)
    t0 = time.perf_counter()
    brain = Brain(db, learn)
    t1 = time.perf_counter()
    rng = np.random.RandomState(seed)
    tonic = np.full(brain.N, amp)
    per_tick = []
    t2, c2 = time.perf_counter(), time.process_time()
    for _ in range(ticks):
        ext = 2.5 + rng.normal(0.0, 2.0, brain.N) if drive == "noise" else tonic
        per_tick.append(len(brain.tick(ext)))
        for m in rewards.get(brain.t - 1, ()):
            brain.deliver_reward(m)
    t3, c3 = time.perf_counter(), time.process_time()
    if counts:
        with open(counts, "w") as f:
            f.write("".join("%d\n" % k for k in per_tick))
    total = sum(per_tick)
    print("neurons %d synapses %d drive %s ticks %d spikes %d spikes_per_tick %.1f load_s %.2f run_s %.3f "
          "ticks_per_s %.1f cpu_ticks_per_s %.1f" % (brain.N, brain.nsyn, drive, ticks, total, total / max(ticks, 1),
                                                     t1 - t0, t3 - t2, ticks / (t3 - t2), ticks / (c3 - c2)))


if __name__ == "__main__":
    main()
