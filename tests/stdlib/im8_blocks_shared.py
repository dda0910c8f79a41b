#!/usr/bin/env python3
"""im8_blocks_shared.py BRAINC REFDIR - std.im8_blocks against the real
inner-models-v8 block files (ctest label `shared`; exit 77, skipped,
without REFDIR/im8-json).

1. The checked-in test data tests/stdlib/im8_blocks.expect.json is what
   im8_blocks_expect.py writes from the JSON files now.
2. For each of the 33 blocks, the std.im8_blocks component and the same
   block imported from its JSON (`brainc import`, whose populations may
   group several nodes: the `// nodes ...` comments say which) give the
   same spikes, tick by tick, instance by instance and node by node, under
   the same drive (instances driven on each input terminal and on all of
   them, constant and pulsed currents, 1000 ticks)."""
import glob
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def import_nodes(text, name):
    """{population: [node ids]} of the imported component: a population
    named n<id>, or one marked `// node N` / `// nodes A, B, ...`."""
    m = re.search(r"\ncomponent %s \{(.*?)\n\}" % re.escape(name), text, re.S)
    if not m:
        return None
    res = {}
    for line in m.group(1).split("\n"):
        pm = re.match(r"  (\w+)(\[\d+\])? : ", line)
        if not pm:
            continue
        cm = re.search(r"// nodes? ([0-9, ]+)", line)
        if cm:
            res[pm.group(1)] = [int(x) for x in cm.group(1).split(",")]
        elif re.fullmatch(r"n\d+", pm.group(1)) and not pm.group(2):
            res[pm.group(1)] = [int(pm.group(1)[1:])]
        else:
            return None
    return res


def by_node(raster, nodes):
    """Sorted (tick, instance, node id) of a spike raster of `x[K] : block`;
    population x.P holds the instances one after the other, each with the
    nodes[P] in order."""
    out = []
    for line in raster.split("\n")[1:]:
        if not line:
            continue
        t, pop, k = line.split(",")
        ids = nodes[pop.split(".", 1)[1]]
        out.append((int(t), int(k) // len(ids), ids[int(k) % len(ids)]))
    return sorted(out)


def main():
    brainc, ref = sys.argv[1], sys.argv[2]
    blocks = sorted(glob.glob(os.path.join(ref, "im8-json", "blocks", "*", "*.json")))
    if not blocks:
        print("no %s/im8-json: skipped" % ref)
        sys.exit(77)
    failed = 0
    p = subprocess.run([sys.executable, os.path.join(HERE, "im8_blocks_expect.py"), ref],
                       capture_output=True, text=True)
    want = open(os.path.join(HERE, "im8_blocks.expect.json")).read()
    if p.returncode != 0 or p.stdout != want:
        print("FAIL: im8_blocks.expect.json is not what im8_blocks_expect.py writes from %s%s" % (ref, p.stderr))
        failed += 1
    else:
        print("ok:   im8_blocks.expect.json is up to date")
    import json
    with tempfile.TemporaryDirectory() as tmp:
        for path in blocks:
            comp = json.load(open(path))
            name = comp["name"]
            ins = [t.get("label", "t%d" % t["id"]) for t in comp["terminals"] if t["bind_type"] == "input"]
            drives = [[(t, 7.0, None)] for t in ins] + [[(t, 12.0, None) for t in ins]] + [[(ins[0], 25.0, 20)]]
            body = ["brain drive {", "  x[%d] : %s" % (len(drives), name)]
            for k, dr in enumerate(drives):
                for (t, amp, until) in dr:
                    body.append("  stimulus x[%d].%s : current(amplitude = %r)%s" % (
                        k, t, amp, "" if until is None else " until %d" % until))
            body.append("}")
            imp = os.path.join(tmp, "imported_%s.brain" % name)
            r = subprocess.run([brainc, "import", path, "-o", imp], capture_output=True, text=True)
            if r.returncode != 0:
                print("FAIL: import %s: %s" % (path, r.stderr)); failed += 1; continue
            rasters = []
            for kind, head in (("std", "import std.im8_blocks"), ("json", 'import "%s"' % os.path.basename(imp))):
                prog = os.path.join(tmp, "%s_%s.brain" % (kind, name))
                with open(prog, "w") as f:
                    f.write(head + "\n" + "\n".join(body) + "\n")
                csv = os.path.join(tmp, "%s_%s.csv" % (kind, name))
                r = subprocess.run([brainc, "run", prog, "--brain", "drive", "--ticks", "1000", "--quiet",
                                    "--record", "spikes=" + csv], capture_output=True, text=True)
                if r.returncode != 0:
                    print("FAIL: %s (%s): %s" % (name, kind, r.stderr)); failed += 1; break
                rasters.append(open(csv).read())
            if len(rasters) != 2:
                continue
            std = by_node(rasters[0], {"n%d" % n["id"]: [n["id"]] for n in comp["nodes"]})
            nodes = import_nodes(open(imp).read(), name)
            imported = by_node(rasters[1], nodes) if nodes else None
            n = len(std)
            if nodes is None:
                print("FAIL: %s: cannot tell which imported population holds which node" % name)
                failed += 1
            elif std != imported or n < 5:
                print("FAIL: %s: std.im8_blocks and the imported JSON differ (%d vs %d spikes)"
                      % (name, n, rasters[1].count("\n") - 1))
                failed += 1
            else:
                print("ok:   %s: %d spikes, identical" % (name, n))
    print("%d failures" % failed)
    sys.exit(1 if failed else 0)


main()
