#!/usr/bin/env python3
"""im8_blocks_expect.py REFDIR > tests/stdlib/im8_blocks.expect.json

Writes the test data of stdlib.im8_blocks from the inner-models-v8 block
JSON files (REFDIR/im8-json/blocks/{sub_components,components}/*.json),
read here with nothing but the format spec (inner-models-v8-format.md §1,
§2.1-2.2, §4.1): for every block, each node's type and effective a, b, c,
d, v, u (type defaults, then the node's params; u from the type's b), each
path with its effective parameters (the type's reference defaults, then the
path's params), and each terminal's name, direction and neuron ids
(unlabelled terminals, "0", "1", ..., are named t0, t1, ... in .brain).
The output is checked in; the `shared` test stdlib.im8_blocks_shared
regenerates it and fails if it differs."""
import glob
import json
import os
import sys

TYPES = {"RS": (0.02, 0.2, -65.0, 8.0), "FS": (0.1, 0.2, -65.0, 2.0), "IB": (0.02, 0.2, -55.0, 4.0),
         "CH": (0.02, 0.2, -50.0, 2.0), "LTS": (0.02, 0.25, -65.0, 2.0)}
DEFAULTS = {  # §4.1, effective defaults of each synapse type
    "fixed": {},
    "plastic": {"learning_rate": 0.01, "w_min": 0.0, "w_max": 10.0, "tau_plus": 20.0,
                "tau_minus": 20.0, "ltd_ratio": 0.5},
    "facilitating": {"facil_increment": 0.2, "tau_recovery": 200.0},
    "depressing": {"depress_factor": 0.5, "tau_recovery": 500.0},
    "gap_junction": {"conductance": 0.1},
}


def block(path, folder):
    c = json.load(open(path))
    nodes = []
    for n in c["nodes"]:
        a, b, cc, d = TYPES[n["type"]]
        p = n.get("params", {})
        nodes.append({"id": n["id"], "type": n["type"],
                      "a": p.get("a", a), "b": p.get("b", b), "c": p.get("c", cc), "d": p.get("d", d),
                      "v": p.get("v", -65.0), "u": p.get("u", b * -65.0)})
    paths = []
    for q in c["paths"]:
        params = dict(DEFAULTS[q["synapse_type"]])
        params.update(q.get("params", {}))
        e = {"source": q["source"], "target": q["target"], "type": q["synapse_type"], "params": params}
        if q["synapse_type"] != "gap_junction":  # weight and delay are ignored for gap junctions
            e["weight"] = q["weight"]
            e["delay"] = q["delay"]
        paths.append(e)
    terms = [{"name": t["label"] if "label" in t else "t%d" % t["id"], "dir": t["bind_type"],
              "neurons": t["neuron_ids"]} for t in c["terminals"]]
    return {"name": c["name"], "folder": folder, "nodes": nodes, "paths": paths, "terminals": terms}


def main():
    ref = sys.argv[1]
    out = []
    for folder in ("sub_components", "components"):
        for f in sorted(glob.glob(os.path.join(ref, "im8-json", "blocks", folder, "*.json"))):
            out.append(block(f, folder))
    if len(out) != 33:  # 22 sub-components, 11 components (the issue says 32)
        sys.exit("expected 33 blocks, found %d" % len(out))
    print("[")
    print(",\n".join(json.dumps(b, sort_keys=True) for b in out))
    print("]")


main()
