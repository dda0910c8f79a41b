#!/usr/bin/env python3
"""record_check.py - an independent decoder of brainc's SQLite recordings
(docs/cli.md, "Recording to SQLite"), written from the documented schema
with python's sqlite3 module, compared with the CSV files of the same run.

  record_check.py DB --raster RASTER.csv [--dir CSVDIR] [--inspect OUT.txt]
                  [--from T] [--upto T] [--complete 0|1]

Checks: the file's identity (application id, schema version, meta keys);
every spikes block decodes within [t0, t1) to the block's count, with
ascending neurons inside the population; each whole-population spikes
record equals that population's rows of RASTER (ticks in [from, upto));
with --dir, every record equals the CSV file `brainc run --out CSVDIR`
wrote for the same `record` member (spikes, state samples, synapse samples
with their pre/post neurons, values bit for bit); with --inspect, the
spike counts `brainc inspect` printed equal the decoded ones. Samples are
compared exactly: a CSV value (an exact double) rounded to a float with
struct (round to nearest) for f32 records, as is for f64.
Exit 0 when everything matches, 1 otherwise (with the reasons)."""
import argparse
import csv
import os
import sqlite3
import struct
import sys

APP_ID = 0x42525243
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def varints(data):
    """Unsigned LEB128 values of data, in order."""
    out, v, shift = [], 0, 0
    for byte in data:
        v |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            out.append(v)
            v, shift = 0, 0
    check(shift == 0, "a varint runs past the end of a block")
    return out


def decode_spikes(db, rid, size):
    """[(tick, neuron)] of record rid, checking every block."""
    spikes = []
    prev_end = None
    for t0, t1, count, data in db.execute(
            "SELECT t0, t1, count, data FROM spikes WHERE record=? ORDER BY t0", (rid,)):
        check(t0 < t1 and (prev_end is None or t0 >= prev_end), f"record {rid}: block [{t0},{t1}) out of order")
        prev_end = t1
        vals = varints(data)
        k, tick, n_block = 0, t0, 0
        while k < len(vals):
            tick += vals[k]
            n = vals[k + 1]
            k += 2
            check(t0 <= tick < t1 and n > 0, f"record {rid}: tick {tick} outside [{t0},{t1})")
            neuron = 0
            for j in range(n):
                gap = vals[k + j]
                check(j == 0 or gap > 0, f"record {rid}: neurons not ascending at tick {tick}")
                neuron += gap
                check(neuron < size, f"record {rid}: neuron {neuron} outside the population")
                spikes.append((tick, neuron))
            k += n
            n_block += n
        check(n_block == count, f"record {rid}: block [{t0},{t1}) holds {n_block} spikes, count says {count}")
    return spikes


def u32s(blob):
    return list(struct.unpack(f"<{len(blob) // 4}I", blob)) if blob is not None else None


def samples(db, rid, count, dtype):
    """{tick: [values]} of a sampled record (floats widened to Python floats)."""
    out = {}
    size, code = {"f64": (8, "d"), "f32": (4, "f")}[dtype]
    for tick, data in db.execute("SELECT tick, data FROM samples WHERE record=? ORDER BY tick", (rid,)):
        check(len(data) == size * count, f"record {rid}: a sample of {len(data)} bytes, expected {size * count}")
        out[tick] = list(struct.unpack(f"<{count}{code}", data))
    return out


def as_stored(text, dtype):
    """A CSV value (the exact double) as the recording stores it: a double, or rounded to a float."""
    v = float(text)
    return v if dtype == "f64" else struct.unpack("<f", struct.pack("<f", v))[0]


def read_raster(path, lo, hi):
    """{population: sorted [(tick, neuron)]} of a CSV raster, ticks in [lo, hi)."""
    by_pop = {}
    with open(path) as f:
        for row in csv.DictReader(f):
            t = int(row["tick"])
            if lo <= t < hi:
                by_pop.setdefault(row["population"], []).append((t, int(row["neuron"])))
    return {k: sorted(v) for k, v in by_pop.items()}


def csv_file(directory, target, variable, kind, sel):
    name = target + (("." + variable) if variable else "") + sel
    name = "".join(c if c.isalnum() or c in ".-_=" else "_" for c in name)
    return os.path.join(directory, name + ".csv")


def selection_suffix(idx):
    if idx is None:
        return ""
    if len(idx) == 1:
        return f".{idx[0]}"
    if idx == list(range(idx[0], idx[-1] + 1)):
        return f".{idx[0]}..{idx[-1]}"
    return f".{idx[0]}..{idx[-1]}.n{len(idx)}"


def compare_with_dir(db, directory, rec, pops, lo, hi):
    rid, kind, target, variable, pop, every, count, indices, pre, post, dtype = rec
    idx = u32s(indices)
    path = csv_file(directory, target, variable, kind, selection_suffix(idx) if kind != "synapse" else "")
    if not os.path.exists(path):
        return False
    with open(path) as f:
        rows = list(csv.DictReader(f))
    if kind == "spikes":
        want = sorted((int(r["tick"]), int(r["neuron"])) for r in rows if lo <= int(r["tick"]) < hi)
        got = sorted(decode_spikes(db, rid, pops[pop][1]))
        check(got == want, f"{path}: {len(got)} spikes in the DB, {len(want)} in the CSV (or they differ)")
        return True
    got = samples(db, rid, count, dtype)
    want = {}
    for r in rows:
        want.setdefault(int(r["tick"]), []).append(r)
    check(sorted(got) == sorted(t for t in want if lo <= t < hi), f"{path}: sample ticks differ")
    for tick, values in got.items():
        csv_rows = want.get(tick, [])
        check(len(csv_rows) == count, f"{path}: tick {tick}: {len(csv_rows)} rows, {count} values")
        for k, r in enumerate(csv_rows[:count]):
            if kind == "state":
                check(int(r["index"]) == (idx[k] if idx else k), f"{path}: index at tick {tick}")
            else:
                check(int(r["synapse"]) == k and int(r["pre"]) == u32s(pre)[k] and int(r["post"]) == u32s(post)[k],
                      f"{path}: synapse {k} ends at tick {tick}")
            check(as_stored(r["value"], dtype) == values[k],
                  f"{path}: tick {tick} value {k}: {r['value']} vs {values[k]!r} ({dtype})")
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("--raster", required=True)
    ap.add_argument("--dir")
    ap.add_argument("--inspect")
    ap.add_argument("--from", dest="lo", type=int, default=0)
    ap.add_argument("--upto", type=int)
    ap.add_argument("--complete", type=int)
    ap.add_argument("--dtype", choices=["f32", "f64"])
    a = ap.parse_args()

    db = sqlite3.connect(f"file:{a.db}?mode=ro", uri=True)
    check(db.execute("PRAGMA application_id").fetchone()[0] == APP_ID, "application id")
    meta = dict(db.execute("SELECT key, value FROM meta"))
    check(meta.get("schema_version") == "1", "schema_version")
    for key in ("brain", "seed", "dt", "params", "preset", "source_hash", "first_tick", "end_tick", "complete"):
        check(key in meta, f"meta has no {key}")
    lo, hi = int(meta["first_tick"]), int(meta["end_tick"])
    check(lo == a.lo, f"first_tick {lo}, expected {a.lo}")
    if a.upto is not None:
        check(hi == a.upto, f"end_tick {hi}, expected {a.upto}")
    if a.complete is not None:
        check(meta["complete"] == str(a.complete), f"complete is {meta['complete']}")
    pops = {pid: (name, size) for pid, name, size in db.execute("SELECT id, name, size FROM populations")}
    raster = read_raster(a.raster, lo, hi)
    recs = list(db.execute("SELECT id, kind, target, variable, pop, every, count, indices, pre, post, dtype "
                           "FROM records ORDER BY id"))
    check(all(t == lo for (t,) in db.execute("SELECT first_tick FROM records")), "a record's first_tick differs")
    counts = []
    compared = 0
    for rec in recs:
        rid, kind, target, variable, pop, every, count, indices, pre, post, dtype = rec
        if a.dtype and kind != "spikes":
            check(dtype == a.dtype, f"record {rid}: dtype {dtype}, expected {a.dtype}")
        if kind == "spikes":
            spikes = decode_spikes(db, rid, pops[pop][1])
            counts.append((target, count, len(spikes)))
            if indices is None:
                want = raster.get(pops[pop][0], [])
                check(sorted(spikes) == want, f"record {rid} ({target}): {len(spikes)} spikes, raster {len(want)}")
                compared += 1
        else:
            got = samples(db, rid, count, dtype)
            check(all(t % every == 0 and lo <= t < hi for t in got), f"record {rid}: sample ticks off the cadence")
            check(len(got) == len([t for t in range(lo, hi) if t % every == 0]), f"record {rid}: samples missing")
        if a.dir:
            compared += compare_with_dir(db, a.dir, rec, pops, lo, hi)
    check(compared > 0, "nothing was compared")
    if a.inspect:
        with open(a.inspect) as f:
            lines = [ln.split() for ln in f if " neurons " in ln and " spikes " in ln]
        printed = [(ln[0], int(ln[1]), int(ln[3])) for ln in lines]
        check(printed == counts, f"inspect printed {printed}, decoded {counts}")
    for f in failures[:20]:
        print("FAIL:", f)
    print(f"record_check: {len(recs)} records, {compared} compared, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
