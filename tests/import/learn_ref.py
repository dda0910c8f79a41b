#!/usr/bin/env python3
"""learn_ref.py - learning in imported recipes against the reference engine.

    learn_ref.py IM8_PROBE SRCDIR WORKDIR RECIPE.json TICKS AMP [REWARDS] [--expect KIND...]

Builds the brain DB that the reference generator would make from RECIPE.json
(inner-models-v8-format.md §6.3: neurons instance by instance in recipe order,
nodes in list order; rows: internal paths of each instance, then projections;
§7 params = the JSON params, the engine adds its defaults) and runs it with
bench/im8_ref_engine.py's Brain (the reference's tick, §2-§4, and
deliver_reward, §5.1), every neuron driven by AMP each tick and
deliver_reward(M) after each tick of REWARDS ("T:M,T:M"). IM8_PROBE runs
brainc's import of the same JSON the same way. Both must give the same spike
counts per tick and per neuron, and the same final weight of every synapse
(matched by the positions of its neurons and its type).

Because the DB is built from the JSON here, the reference quirks come from the
engine, not from brainc: the developmental pruning parameters of the first row
(lowest id), modulator_group indices in the reference's numbering.

The generator here handles only what is deterministic: projections with
probability 1 between one-neuron terminals, and no cross-wiring (wiring
probability 0); the test recipes are written so. --expect names what the run
must show, so that the test cannot pass vacuously: `pruned` (some
developmental synapses die, some live), `gated` (some gated weight changes,
some gated weight does not), `reward` (a silent reward_plastic synapse grows
and an inhibitory-bounded one moves), `warn=TEXT` (the import warns TEXT).
"""
import json
import os
import sqlite3
import subprocess
import sys

GEN_DEFAULTS = {"gated": {"modulator_group": ""}}  # schema value the engine does not default
TYPES = {"RS": (0.02, 0.2, -65, 8), "FS": (0.1, 0.2, -65, 2), "IB": (0.02, 0.2, -55, 4),
         "CH": (0.02, 0.2, -50, 2), "LTS": (0.02, 0.25, -65, 2)}


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def load_component(recipe_dir, name):
    for sub in ("sub_components", "components"):
        p = os.path.join(recipe_dir, "..", "blocks", sub, name + ".json")
        if os.path.exists(p):
            with open(p) as f:
                return json.load(f)
    fail("no component " + name)


def generate(recipe_path, db_path):
    """The reference generator's DB for a deterministic recipe (§6)."""
    with open(recipe_path) as f:
        rec = json.load(f)
    rdir = os.path.dirname(recipe_path)
    wiring = rec.get("wiring", {})
    if wiring.get("probability", 0.3) != 0:
        fail("the test generator needs wiring probability 0")
    comps = {}
    insts = []  # (component json, anchor x, z, first neuron index)
    entries = [e for e in rec["components"] if e.get("count", 1) > 0]
    total = sum(e.get("count", 1) for e in entries)
    cols = 1
    while cols * cols < total:
        cols += 1
    neurons = []  # (type, a, b, c, d, v, u, x, z)
    idx = 0
    for e in entries:
        name = e.get("path", e.get("type"))
        c = comps.setdefault(name, load_component(rdir, name))
        for k in range(e.get("count", 1)):
            if e.get("layer") is not None:
                ax, az = (k // cols) * 12.0, e["layer"] * rec.get("layer_spacing", 50.0) + (k % cols) * 12.0
            else:
                ax, az = (idx % cols) * 12.0, (idx // cols) * 12.0
            insts.append((c, ax, az, len(neurons)))
            for n in c["nodes"]:
                a, b, cc, d = TYPES[n["type"]]
                row = {"a": a, "b": b, "c": cc, "d": d, "v": -65.0, "u": b * -65.0}
                row.update(n.get("params", {}))  # after u (§2.2)
                neurons.append((n["type"], row["a"], row["b"], row["c"], row["d"], row["v"], row["u"],
                                ax + n.get("x", 0), az + n.get("z", 0)))
            idx += 1
    syns = []  # (src, tgt, w, delay, type, params)

    def local(c, nid):
        return [n["id"] for n in c["nodes"]].index(nid)

    for c, _, _, first in insts:  # 1: internal paths, instance by instance
        for p in c.get("paths", []):
            syns.append((first + local(c, p["source"]) + 1, first + local(c, p["target"]) + 1, p["weight"],
                         p["delay"], p["synapse_type"], p.get("params", {})))
    for p in rec.get("projections", []):  # 3: projections (no auto-timers in the test recipes)
        if "from_type" not in p:
            continue
        if p.get("probability", 0.8) != 1:
            fail("the test generator needs projections of probability 1")
        for fc, _, _, ff in insts:
            if fc["name"] != p["from_type"]:
                continue
            for tc, _, _, tf in insts:
                if tc["name"] != p["to_type"]:
                    continue
                outs = [t for t in fc["terminals"] if t["bind_type"] == "output" and
                        t.get("label", str(t["id"])) == p["from_terminal"]]
                ins = [t for t in tc["terminals"] if t["bind_type"] == "input" and
                       t.get("label", str(t["id"])) == p["to_terminal"]]
                for o in outs:
                    for i in ins:
                        if len(o["neuron_ids"]) != 1 or len(i["neuron_ids"]) != 1:
                            fail("the test generator needs one-neuron terminals")
                        syns.append((ff + local(fc, o["neuron_ids"][0]) + 1, tf + local(tc, i["neuron_ids"][0]) + 1,
                                     p.get("weight", 8.0) * wiring.get("weight_scale", 1.0), p.get("delay", 1),
                                     p.get("synapse_type", "fixed"), p.get("params", {})))
    if os.path.exists(db_path):
        os.remove(db_path)
    con = sqlite3.connect(db_path)
    con.execute("CREATE TABLE neurons(id INTEGER PRIMARY KEY, neuron_type TEXT, a REAL, b REAL, c REAL, d REAL,"
                " v REAL, u REAL, pos_x REAL, pos_z REAL)")
    con.execute("CREATE TABLE synapses(id INTEGER PRIMARY KEY AUTOINCREMENT, source INTEGER, target INTEGER,"
                " weight REAL, delay INTEGER, synapse_type TEXT, params TEXT, state TEXT)")
    for k, n in enumerate(neurons):
        con.execute("INSERT INTO neurons VALUES(?,?,?,?,?,?,?,?,?,?)", (k + 1,) + n)
    for s in syns:
        params = dict(GEN_DEFAULTS.get(s[4], {}))
        params.update(s[5])
        con.execute("INSERT INTO synapses(source, target, weight, delay, synapse_type, params, state)"
                    " VALUES(?,?,?,?,?,?,'{}')", s[:5] + (json.dumps(params),))
    con.commit()
    con.close()
    return [(n[7], n[8]) for n in neurons], syns


def main():
    args = sys.argv[1:]
    expect = []
    if "--expect" in args:
        expect = args[args.index("--expect") + 1:]
        args = args[:args.index("--expect")]
    probe, src, work, recipe, ticks, amp = args[:6]
    rewards = args[6] if len(args) > 6 else ""
    ticks, amp = int(ticks), float(amp)
    os.makedirs(work, exist_ok=True)
    sys.path.insert(0, os.path.join(src, "bench"))
    try:
        import numpy as np
    except ImportError:
        print("no numpy: skipped")
        sys.exit(77)
    import im8_ref_engine as ref

    pos, syns = generate(recipe, os.path.join(work, "ref.db"))
    sched = {}
    for item in filter(None, rewards.split(",")):
        t, m = item.split(":")
        sched.setdefault(int(t), []).append(float(m))
    brain = ref.Brain(os.path.join(work, "ref.db"))
    ext = np.full(brain.N, amp)
    ref_ticks, ref_counts = [], np.zeros(brain.N, dtype=int)
    for t in range(ticks):
        fired = brain.tick(ext)
        ref_ticks.append(len(fired))
        ref_counts[fired] += 1
        for m in sched.get(t, ()):
            brain.deliver_reward(m)
    ref_syn = []
    for kind, s in brain.syn.items():
        for j in range(s.n):
            ref_syn.append((kind, pos[s.src[j]], pos[s.tgt[j]], float(s.w[j])))
    init_w = {}
    for s in syns:
        init_w.setdefault((s[4], pos[s[0] - 1], pos[s[1] - 1]), []).append(float(s[2]))

    out = subprocess.run([probe, recipe, str(ticks), str(amp), rewards], capture_output=True, text=True)
    sys.stderr.write(out.stderr)
    if out.returncode != 0:
        fail("im8_probe exited with %d" % out.returncode)
    b_ticks, b_neurons, b_syn = [], {}, []
    for line in out.stdout.splitlines():
        f = line.split()
        if f[0] == "tick":
            b_ticks.append(int(f[2]))
        elif f[0] == "neuron":
            b_neurons[(float(f[1]), float(f[2]))] = int(f[3])
        elif f[0] == "syn":
            b_syn.append((f[1], (float(f[2]), float(f[3])), (float(f[4]), float(f[5])), float(f[6])))
    bad = 0
    if b_ticks != ref_ticks:
        k = next(i for i in range(min(len(b_ticks), len(ref_ticks))) if b_ticks[i] != ref_ticks[i])
        print("spikes per tick differ first at tick %d: brainc %d, reference %d" % (k, b_ticks[k], ref_ticks[k]))
        bad = 1
    for k, p in enumerate(pos):
        if b_neurons.get(p) != ref_counts[k]:
            print("neuron %d at %s: brainc %s spikes, reference %d" % (k, p, b_neurons.get(p), ref_counts[k]))
            bad = 1
    ref_syn.sort()
    b_syn.sort()
    if len(ref_syn) != len(b_syn):
        print("synapses: brainc %d, reference %d" % (len(b_syn), len(ref_syn)))
        bad = 1
    worst = 0.0
    for r, b in zip(ref_syn, b_syn):
        if r[:3] == b[:3]:
            worst = max(worst, abs(r[3] - b[3]) / max(1.0, abs(r[3])))
        if r[:3] != b[:3] or abs(r[3] - b[3]) > 1e-11 * max(1.0, abs(r[3])):
            print("synapse %s %s -> %s: brainc w %r, reference w %r" % (r[0], r[1], r[2], b[3], r[3]))
            bad = 1
    if bad:
        fail("brainc and the reference engine differ")
    changed = {}
    for kind, a, b, w in ref_syn:
        w0 = init_w[(kind, a, b)]
        changed.setdefault(kind, []).append((w0[0], w))
    print("%d ticks, %d spikes, %d synapses: equal (tick counts, neuron counts, weights; largest relative "
          "weight difference %.2g)" % (ticks, sum(ref_ticks), len(ref_syn), worst))
    for kind, ws in sorted(changed.items()):
        print("  %s: %s" % (kind, ", ".join("%g->%.6g" % x for x in ws)))
    for e in expect:
        if e.startswith("warn="):  # a warning the import must give
            if e[5:] not in out.stderr:
                fail("expected the warning `%s`" % e[5:])
            continue
        ws = changed.get({"pruned": "developmental", "gated": "gated", "reward": "reward_plastic"}[e], [])
        if e == "pruned" and not (any(w == 0 and w0 != 0 for w0, w in ws) and any(w != 0 for w0, w in ws)):
            fail("expected some developmental synapses pruned and some alive")
        if e == "gated" and not (any(w != w0 for w0, w in ws) and any(w == w0 for w0, w in ws)):
            fail("expected some gated weights to change and some not")
        if e == "reward" and not (any(w0 == 0 and w > 0 for w0, w in ws) and any(w0 < 0 and w != w0 for w0, w in ws)):
            fail("expected reward to grow a silent reward_plastic synapse and move an inhibitory-bounded one")
    print("learn ref test passed")


if __name__ == "__main__":
    main()
