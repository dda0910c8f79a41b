#!/usr/bin/env python3
"""im8_blocks.py BRAINC - the 33 inner-models-v8 blocks of std.im8_blocks.

For every block, against tests/stdlib/im8_blocks.expect.json (written from
the blocks' JSON by im8_blocks_expect.py, an independent reading of the
format spec; no ../shared files are needed here):

1. Structure, from `brainc ir` of a brain with K instances of the block:
   one population x.n<id> per JSON node, of the node's type, K neurons,
   with the node's effective a, b, c, d and initial v, u; one synapse group
   per JSON path (source, target, type, delay, weight and every effective
   parameter), K synapses each; so the neuron count per type and the
   synapse count per type are the JSON's. Terminals: the same names,
   directions and sizes in the IR, and the same neurons in the source.
2. Behaviour: each of the K instances is driven by its own constant or
   pulsed current on one or all input terminals for 1000 ticks; every
   instance's spike ticks must equal, exactly, those of a plain-Python
   transcription of the inner-models-v8 runner (format spec §2.3, §2.4,
   §4.2, §4.3) on the JSON data: Izhikevich in two half-steps with the
   clamp, 1-tick current pulses after each path's delay, gap junctions on
   the previous tick's voltages, plastic (pair STDP, LTD on pre above 0.01
   then delivery of the new weight, LTP on post, soft bounds), facilitating
   and depressing gains, relaxing as the reference computes them, gain =
   1 + (gain - 1) e^(-1/tau) every tick. Tolerance: none, spike ticks must
   be equal."""
import json
import math
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
STDLIB = os.path.join(HERE, "..", "..", "stdlib", "im8_blocks.brain")
TICKS = 1000
ORDER = ["fixed", "plastic", "facilitating", "depressing"]  # §4.3 step 7 delivery order


def reference(blk, drive, ticks):
    """Spike list [(tick, node id)] of one instance; drive = [(node index, amp, until)]."""
    nodes = blk["nodes"]
    N = len(nodes)
    idx = {n["id"]: k for k, n in enumerate(nodes)}
    a = [n["a"] for n in nodes]; b = [n["b"] for n in nodes]
    c = [n["c"] for n in nodes]; d = [n["d"] for n in nodes]
    v = [float(n["v"]) for n in nodes]; u = [float(n["u"]) for n in nodes]
    chem, gaps = [], []
    for p in blk["paths"]:
        s, g = idx[p["source"]], idx[p["target"]]
        if p["type"] == "gap_junction":
            gaps.append((s, g, p["params"]["conductance"]))
        else:
            q = dict(p["params"]); q["w"] = float(p["weight"]); q["delay"] = p["delay"]
            q["type"] = p["type"]; q["s"] = s; q["t"] = g
            q["pre"] = 0.0; q["post"] = 0.0; q["gain"] = 1.0
            chem.append(q)
    out = {k: [] for k in range(N)}
    inc = {k: [] for k in range(N)}
    for ty in ORDER:
        for q in chem:
            if q["type"] == ty:
                out[q["s"]].append(q)
                if ty == "plastic":
                    inc[q["t"]].append(q)
    size = max([q["delay"] for q in chem] + [0]) + 1
    buf = [[0.0] * N for _ in range(size)]
    spikes = []
    for t in range(ticks):
        I = buf[t % size]
        buf[t % size] = [0.0] * N
        for (k, amp, until) in drive:
            if t < until:
                I[k] += amp
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
        for k in fired:  # delivery (§4.3 step 7)
            spikes.append((t, nodes[k]["id"]))
            for q in out[k]:
                w = q["w"]
                if q["type"] == "plastic":
                    q["pre"] += 1
                    R = q["w_max"] - q["w_min"]
                    if q["post"] > 0.01 and R >= 1e-6:
                        lr = q["learning_rate"] * q["ltd_ratio"] * q["post"]
                        if q["w_min"] < 0 and q["w_max"] <= 0:
                            w = w + lr * (q["w_max"] - w) / R
                        else:
                            w = w - lr * (w - q["w_min"]) / R
                        w = min(max(w, q["w_min"]), q["w_max"])
                        q["w"] = w
                    eff = w
                elif q["type"] == "facilitating":
                    q["gain"] += q["facil_increment"]
                    eff = w * q["gain"]
                elif q["type"] == "depressing":
                    q["gain"] *= q["depress_factor"]
                    eff = w * q["gain"]
                else:
                    eff = w
                buf[(t + q["delay"]) % size][q["t"]] += eff
        for k in fired:  # learning (§4.3 step 8): post trace, then LTP
            for q in inc[k]:
                q["post"] += 1
                R = q["w_max"] - q["w_min"]
                if q["pre"] > 0 and R >= 1e-6:
                    w = q["w"]
                    lr = q["learning_rate"] * q["pre"]
                    if q["w_min"] < 0 and q["w_max"] <= 0:
                        w = w - lr * (w - q["w_min"]) / R
                    else:
                        w = w + lr * (q["w_max"] - w) / R
                    q["w"] = min(max(w, q["w_min"]), q["w_max"])
        for q in chem:  # decay (§4.3 step 9)
            if q["type"] == "plastic":
                q["pre"] *= math.exp(-1.0 / q["tau_plus"])
                q["post"] *= math.exp(-1.0 / q["tau_minus"])
            elif q["type"] in ("facilitating", "depressing"):
                q["gain"] = 1 + (q["gain"] - 1) * math.exp(-1.0 / q["tau_recovery"])
    return spikes


def scenarios(blk):
    """(terminals driven, amplitude, until) for each instance."""
    ins = [t["name"] for t in blk["terminals"] if t["dir"] == "input"]
    sc = []
    for name in ins:
        sc.append(([name], 6.0, TICKS)); sc.append(([name], 15.0, TICKS))
    sc.append((ins, 8.0, TICKS))
    sc.append((ins[:1], 20.0, 30))
    return sc


def parse_kv(line):
    kv = {}
    for m in re.finditer(r"(\w+) = (\S+)", line):
        kv[m.group(1)] = float(m.group(2))
    return kv


def parse_ir(text):
    pops, groups, terms = {}, [], []
    lines = text.split("\n")
    for k, l in enumerate(lines):
        m = re.match(r"population x\.(\S+)  model (\S+)  size (\d+)", l)
        if m:
            pops[m.group(1)] = {"model": m.group(2), "size": int(m.group(3)),
                                "params": parse_kv(lines[k + 1]), "state": parse_kv(lines[k + 2])}
        m = re.match(r"synapses \S+  model (\S+)  pre x\.(\S+)  post x\.(\S+)  count (\d+)(.*)", l)
        if m:
            rest = m.group(5)
            dm = re.search(r"delay (\d+)", rest)
            groups.append({"model": m.group(1), "pre": m.group(2), "post": m.group(3),
                           "count": int(m.group(4)), "delay": int(dm.group(1)) if dm else None,
                           "gap": " gap" in rest, "params": parse_kv(lines[k + 1])})
        m = re.match(r"  (in|out) +(\S+)  (\d+) neurons?$", l)
        if m:
            terms.append((m.group(2), "input" if m.group(1) == "in" else "output", int(m.group(3))))
    return pops, groups, terms


def source_terminals(text, name):
    m = re.search(r"\ncomponent %s \{(.*?)\n\}" % re.escape(name), text, re.S)
    if not m:
        return None
    res = {}
    for tm in re.finditer(r"\n  (in|out) +(\w+) = ([n0-9, ]+)", m.group(1)):
        res[tm.group(2)] = ("input" if tm.group(1) == "in" else "output",
                            [int(x.strip()[1:]) for x in tm.group(3).split(",")])
    return res


def close(x, y):
    return abs(x - y) <= 1e-12 * max(1.0, abs(y))


def main():
    brainc = sys.argv[1]
    blocks = json.load(open(os.path.join(HERE, "im8_blocks.expect.json")))
    src = open(STDLIB).read()
    failed = 0
    total_spikes = 0

    def fail(msg):
        nonlocal failed
        failed += 1
        print("FAIL: " + msg)

    with tempfile.TemporaryDirectory() as tmp:
        for blk in blocks:
            name = blk["name"]
            sc = scenarios(blk)
            K = len(sc)
            prog = ["import std.im8_blocks", "brain b {", "  x[%d] : %s" % (K, name)]
            for k, (terms, amp, until) in enumerate(sc):
                for tn in terms:
                    prog.append("  stimulus x[%d].%s : current(amplitude = %r)%s" % (
                        k, tn, amp, "" if until >= TICKS else " until %d" % until))
            prog.append("}")
            path = os.path.join(tmp, name + ".brain")
            with open(path, "w") as f:
                f.write("\n".join(prog) + "\n")
            p = subprocess.run([brainc, "ir", path], capture_output=True, text=True)
            if p.returncode != 0:
                fail("%s: brainc ir exited %d\n%s" % (name, p.returncode, p.stderr))
                continue
            pops, groups, terms = parse_ir(p.stdout)
            errs = []
            # neurons
            if sorted(pops) != sorted("n%d" % n["id"] for n in blk["nodes"]):
                errs.append("populations %s, want n<id> of %d nodes" % (sorted(pops), len(blk["nodes"])))
            for n in blk["nodes"]:
                q = pops.get("n%d" % n["id"])
                if not q:
                    continue
                if q["model"] != n["type"] or q["size"] != K:
                    errs.append("n%d: model %s size %d, want %s size %d" % (n["id"], q["model"], q["size"], n["type"], K))
                for key in "abcd":
                    if not close(q["params"].get(key, float("nan")), n[key]):
                        errs.append("n%d: %s = %r, want %r" % (n["id"], key, q["params"].get(key), n[key]))
                for key in "vu":
                    if not close(q["state"].get(key, float("nan")), n[key]):
                        errs.append("n%d: initial %s = %r, want %r" % (n["id"], key, q["state"].get(key), n[key]))
            # paths: match each JSON path with one group
            left = list(groups)
            for pth in blk["paths"]:
                want_model = pth["type"]
                hit = None
                for g in left:
                    if (g["pre"], g["post"], g["model"]) != ("n%d" % pth["source"], "n%d" % pth["target"], want_model):
                        continue
                    if g["count"] != K:
                        continue
                    if pth["type"] == "gap_junction":
                        if not g["gap"]:
                            continue
                    elif g["delay"] != pth["delay"] or not close(g["params"].get("w", float("nan")), pth["weight"]):
                        continue
                    if any(not close(g["params"].get(kk, float("nan")), vv) for kk, vv in pth["params"].items()):
                        continue
                    hit = g
                    break
                if hit is None:
                    errs.append("no synapse group for path %s" % json.dumps(pth, sort_keys=True))
                else:
                    left.remove(hit)
            for g in left:
                errs.append("synapse group %s->%s (%s) is not a JSON path" % (g["pre"], g["post"], g["model"]))
            # per-type counts (a summary of the above)
            want_types, got_types = {}, {}
            for pth in blk["paths"]:
                want_types[pth["type"]] = want_types.get(pth["type"], 0) + 1
            for g in groups:
                got_types[g["model"]] = got_types.get(g["model"], 0) + g["count"] // K
            if want_types != got_types:
                errs.append("synapses per type %s, want %s" % (got_types, want_types))
            # terminals
            want_terms = sorted((t["name"], t["dir"], len(t["neurons"])) for t in blk["terminals"])
            if sorted(terms) != want_terms:
                errs.append("terminals %s, want %s" % (sorted(terms), want_terms))
            st = source_terminals(src, name)
            want_src = {t["name"]: (t["dir"], t["neurons"]) for t in blk["terminals"]}
            if st != want_src:
                errs.append("terminals in the source %s, want %s" % (st, want_src))
            # spikes
            csv = os.path.join(tmp, name + ".csv")
            p = subprocess.run([brainc, "run", path, "--ticks", str(TICKS), "--quiet", "--record", "spikes=" + csv],
                               capture_output=True, text=True)
            if p.returncode != 0:
                errs.append("brainc run exited %d\n%s" % (p.returncode, p.stderr))
            else:
                got = {k: [] for k in range(K)}
                for line in open(csv).read().split("\n")[1:]:
                    if line:
                        t, pop, inst = line.split(",")
                        got[int(inst)].append((int(t), int(pop.split(".n")[-1])))
                tidx = {t["name"]: t["neurons"] for t in blk["terminals"]}
                idx = {n["id"]: k for k, n in enumerate(blk["nodes"])}
                for k, (tns, amp, until) in enumerate(sc):
                    drive = [(idx[i], amp, until) for tn in tns for i in tidx[tn]]
                    want = sorted(reference(blk, drive, TICKS))
                    have = sorted(got[k])
                    total_spikes += len(want)
                    if have != want:
                        first = next((j for j in range(min(len(have), len(want))) if have[j] != want[j]),
                                     min(len(have), len(want)))
                        errs.append("instance %d (%s at %g until %d): %d spikes, reference %d; first difference "
                                    "at #%d: %s vs %s" % (k, "+".join(tns), amp, until, len(have), len(want), first,
                                                          have[first:first + 3], want[first:first + 3]))
            for e in errs:
                fail("%s: %s" % (name, e))
            if not errs:
                print("ok:   %s: %d neurons, %d paths %s, %d terminals, spikes of %d drives equal the reference"
                      % (name, len(blk["nodes"]), len(blk["paths"]), want_types, len(blk["terminals"]), K))
        # the *_timed blocks: the block as `cell` plus the auto-timer of §6.4
        for name, trig, kill, delay in (("working_memory_cell", "trigger_in", "kill_in", 500),
                                         ("bistable_motif", "trigger_in", "kill_in", 500),
                                         ("emotional_state", "trigger_in", "calm_in", 400)):
            blk = next(b for b in blocks if b["name"] == name)
            path = os.path.join(tmp, name + "_timed.brain")
            with open(path, "w") as f:
                f.write("import std.im8_blocks\nbrain b {\n  x[3] : %s_timed\n}\n" % name)
            p = subprocess.run([brainc, "ir", path], capture_output=True, text=True)
            tn = {t["name"]: t for t in blk["terminals"]}
            extra = [g for g in re.findall(r"synapses \S+  model (\S+)  pre x\.cell\.n(\d+)  post x\.cell\.n(\d+)  "
                                           r"count (\d+)  delay (\d+)\n  w = (\S+)", p.stdout)
                     if int(g[4]) == delay]
            want = [("fixed", str(tn[trig]["neurons"][0]), str(tn[kill]["neurons"][0]), "3", str(delay), "20")]
            npops = len(re.findall(r"population x\.cell\.n\d+  model \S+  size 3", p.stdout))
            ngroups = len(re.findall(r"^synapses ", p.stdout, re.M))
            terms = sorted(re.findall(r"^  (in|out) +(\S+)  \d+ neurons?$", p.stdout, re.M))
            if (p.returncode != 0 or extra != want or npops != len(blk["nodes"])
                    or ngroups != len(blk["paths"]) + 1):
                fail("%s_timed: auto-timer %s, want %s; %d populations, %d groups (exit %d)\n%s"
                     % (name, extra, want, npops, ngroups, p.returncode, p.stderr))
            else:
                print("ok:   %s_timed: the block plus the auto-timer %s -> %s, w 20, delay %d"
                      % (name, trig, kill, delay))
    if total_spikes < 1000:
        fail("only %d reference spikes compared" % total_spikes)
    print("%d reference spikes compared; %d failures" % (total_spikes, failed))
    sys.exit(1 if failed else 0)


main()
