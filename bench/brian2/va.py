"""va.py - the Vogels & Abbott (2005) COBA and CUBA networks in Brian2, the
same networks as examples/coba.brain and examples/cuba.brain (Brian2's
COBA/CUBA benchmark scripts: 80% excitatory, connection probability p,
dt = 0.1 ms, forward Euler, refractory 5 ms with v held).

usage: python3 va.py coba|cuba [--mode runtime|standalone] [--scale S]
                     [--p P] [--duration MS] [--seed N] [--dir DIR] [--repeat R]
Prints one JSON line: rates (Hz) of exc and inh, the number of synapses,
the simulation time (standalone: the C++ run loop only, from Brian2's
last_run_info; runtime: time around run()), and the build time
(standalone: code generation + compilation)."""
import argparse
import json
import os
import time

import numpy as np
from brian2 import (NeuronGroup, Synapses, SpikeMonitor, Network, defaultclock, device, ms, mV,
                    prefs, run, seed, set_device)


def build(model, scale, p):
    N = int(4000 * scale)
    Ne = int(3200 * scale)
    taum, taue, taui = 20 * ms, 5 * ms, 10 * ms
    Vt, Vr = -50 * mV, -60 * mV
    if model == "coba":
        El, Ee, Ei, I = -60 * mV, 0 * mV, -80 * mV, 20 * mV
        eqs = """dv/dt = (ge*(Ee-v) + gi*(Ei-v) - (v-El) + I) / taum : volt (unless refractory)
                 dge/dt = -ge/taue : 1
                 dgi/dt = -gi/taui : 1"""
        we, wi = 0.6, 6.7
        ns = dict(taum=taum, taue=taue, taui=taui, El=El, Ee=Ee, Ei=Ei, I=I)
    else:
        El = -49 * mV
        eqs = """dv/dt = (ge + gi - (v-El)) / taum : volt (unless refractory)
                 dge/dt = -ge/taue : volt
                 dgi/dt = -gi/taui : volt"""
        we, wi = (60 * 0.27 / 10) * mV, (-20 * 4.5 / 10) * mV
        ns = dict(taum=taum, taue=taue, taui=taui, El=El)
    P = NeuronGroup(N, eqs, threshold="v>Vt", reset="v = Vr", refractory=5 * ms, method="euler",
                    namespace=dict(ns, Vt=Vt, Vr=Vr))
    P.v = "Vr + rand() * (Vt - Vr)"
    Ce = Synapses(P, P, "w : 1" if model == "coba" else "w : volt", on_pre="ge += w")
    Ci = Synapses(P, P, "w : 1" if model == "coba" else "w : volt", on_pre="gi += w")
    Ce.connect(condition="i < %d" % Ne, p=p)
    Ci.connect(condition="i >= %d" % Ne, p=p)
    Ce.w = we
    Ci.w = wi
    Me = SpikeMonitor(P[:Ne], record=False)
    Mi = SpikeMonitor(P[Ne:], record=False)
    return Network(P, Ce, Ci, Me, Mi), Ne, N - Ne, Me, Mi, Ce, Ci


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model", choices=["coba", "cuba"])
    ap.add_argument("--mode", choices=["runtime", "standalone"], default="runtime")
    ap.add_argument("--scale", type=float, default=1)
    ap.add_argument("--p", type=float, default=0.02)
    ap.add_argument("--duration", type=float, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dir", default="/tmp/brian2_va")
    ap.add_argument("--repeat", type=int, default=1,
                    help="standalone: run the compiled program this many times, report the fastest")
    a = ap.parse_args()
    if a.mode == "standalone":
        set_device("cpp_standalone", build_on_run=False)
        prefs.devices.cpp_standalone.openmp_threads = 0
    else:
        prefs.codegen.target = "numpy"
    defaultclock.dt = 0.1 * ms
    seed(a.seed)
    net, ne, ni, Me, Mi, Ce, Ci = build(a.model, a.scale, a.p)
    t0 = time.time()
    net.run(a.duration * ms)
    run_s = time.time() - t0
    build_s = None
    if a.mode == "standalone":
        t0 = time.time()
        device.build(directory=os.path.join(a.dir, "%s_%g" % (a.model, a.scale)), compile=True, run=False)
        build_s = time.time() - t0
        runs = []
        for _ in range(max(1, a.repeat)):
            device.run(directory=os.path.join(a.dir, "%s_%g" % (a.model, a.scale)), with_output=False, run_args=[])
            runs.append(device._last_run_time)
        run_s = min(runs)
    sec = a.duration / 1000.0
    print(json.dumps({"model": a.model, "mode": a.mode, "scale": a.scale, "p": a.p,
                      "duration_ms": a.duration, "rate_exc": Me.num_spikes / ne / sec,
                      "rate_inh": Mi.num_spikes / ni / sec, "spikes": int(Me.num_spikes + Mi.num_spikes),
                      "n_syn": int(len(Ce) + len(Ci)), "run_s": run_s, "build_s": build_s}))


if __name__ == "__main__":
    main()
