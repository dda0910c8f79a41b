#!/usr/bin/env python3
"""spikes_ref.py BRAINC COMPONENT.json WORKDIR

A single imported component, driven by a constant current on one input
terminal, spikes at the same ticks under brainc as under a straightforward
re-implementation (plain Python, written from the inner-models-v8 spec) of
the reference engine's equations: Izhikevich with two half-steps of v and
the clamp to [-100, 35] (§2.3), fixed synapses as 1-tick current pulses
after `delay` ticks, gap junctions from the previous tick's voltages (§4.2),
node params overriding a, b, c, d with u from the type's b (§2.2).
Exact equality of spike ticks is required (the arithmetic is the same
double-precision sequence). Nodes are found in brainc's populations (nodes of
one type and values are merged into one) through the `// nodes ...` comment
of each population."""
import json, os, re, subprocess, sys

TYPES = {"RS": (0.02, 0.2, -65, 8), "FS": (0.1, 0.2, -65, 2), "IB": (0.02, 0.2, -55, 4),
         "CH": (0.02, 0.2, -50, 2), "LTS": (0.02, 0.25, -65, 2)}


def reference(comp, drive_term, amp, ticks):
    nodes = comp["nodes"]
    idx = {n["id"]: k for k, n in enumerate(nodes)}
    N = len(nodes)
    a, b, c, d, v, u = [], [], [], [], [], []
    for n in nodes:
        ta, tb, tc, td = TYPES[n["type"]]
        p = n.get("params", {})
        a.append(p.get("a", ta)); b.append(p.get("b", tb)); c.append(p.get("c", tc)); d.append(p.get("d", td))
        v.append(-65.0); u.append(p.get("u", tb * -65.0))
    chem = [(idx[p["source"]], idx[p["target"]], p["weight"], p["delay"]) for p in comp["paths"]
            if p["synapse_type"] == "fixed"]
    gaps = [(idx[p["source"]], idx[p["target"]], p.get("params", {}).get("conductance", 0.1))
            for p in comp["paths"] if p["synapse_type"] == "gap_junction"]
    assert all(p["synapse_type"] in ("fixed", "gap_junction") for p in comp["paths"])
    ext = [0.0] * N
    for t in comp["terminals"]:
        if t.get("label") == drive_term:
            for i in t["neuron_ids"]:
                ext[idx[i]] += amp
    maxd = max([dl for (_, _, _, dl) in chem] + [0])
    buf = [[0.0] * N for _ in range(maxd + 1)]
    spikes = []
    for t in range(ticks):
        I = buf[t % (maxd + 1)]
        buf[t % (maxd + 1)] = [0.0] * N
        I = [I[k] + ext[k] for k in range(N)]
        for (s, g, cond) in gaps:
            dv = v[s] - v[g]
            I[g] += cond * dv
            I[s] -= cond * dv
        fired = []
        for k in range(N):
            vk = v[k]
            vk = vk + 0.5 * (0.04 * vk * vk + 5 * vk + 140 - u[k] + I[k])
            vk = min(max(vk, -100.0), 35.0)
            vk = vk + 0.5 * (0.04 * vk * vk + 5 * vk + 140 - u[k] + I[k])
            u[k] = u[k] + a[k] * (b[k] * vk - u[k])
            v[k] = vk
            if vk >= 30:
                v[k] = c[k]
                u[k] += d[k]
                fired.append(k)
        for k in fired:
            spikes.append((t, nodes[k]["id"]))
            for (s, g, w, dl) in chem:
                if s == k:
                    buf[(t + dl) % (maxd + 1)][g] += w
    return spikes


def main():
    brainc, comp_path, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    comp = json.load(open(comp_path))
    name = comp["name"]
    src = os.path.join(work, "comp.brain")
    subprocess.run([brainc, "import", comp_path, "-o", src], check=True)
    # nodes of one type and values share a population: `rs[2] : RS ...  // nodes 0, 1`
    node_of = {}
    for m in re.finditer(r"^  (\w+)(?:\[\d+\])? : \w+.*// nodes? ([\d, ]+)$", open(src).read(), re.M):
        for k, i in enumerate(m.group(2).split(",")):
            node_of[(m.group(1), k)] = int(i)
    if len(node_of) != len(comp["nodes"]):
        print("FAIL: %d of %d nodes found in the imported populations" % (len(node_of), len(comp["nodes"])))
        sys.exit(1)
    inputs = [t["label"] for t in comp["terminals"] if t["bind_type"] == "input"]
    ok = True
    total = 0
    for term in inputs:
        for amp in (4.0, 7.5, 15.0):
            prog = os.path.join(work, "drive.brain")
            with open(prog, "w") as f:
                f.write('import "comp.brain"\nimport std.im8\nbrain drive {\n  x[1] : %s\n'
                        '  stimulus x.%s : current(amplitude = %r)\n}\n' % (name, term, amp))
            csv = os.path.join(work, "spikes.csv")
            subprocess.run([brainc, "run", prog, "--ticks", "600", "--quiet", "--record", "spikes=" + csv],
                           check=True)
            got = []
            for line in open(csv).read().split("\n")[1:]:
                if line:
                    t, pop, k = line.split(",")
                    got.append((int(t), node_of[(pop.split(".")[-1], int(k))]))
            want = reference(comp, term, amp, 600)
            got.sort(); want.sort()
            total += len(want)
            if got != want:
                ok = False
                print("MISMATCH %s amp %g: brainc %d spikes, reference %d" % (term, amp, len(got), len(want)))
                print(" brainc   ", got[:12]); print(" reference", want[:12])
    if total < 10:
        print("too few spikes (%d) to compare" % total); ok = False
    print("%s: %d reference spikes compared" % ("ok" if ok else "FAIL", total))
    sys.exit(0 if ok else 1)


main()
