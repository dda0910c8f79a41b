"""izh2003.py - the 1000-neuron network of Izhikevich (2003) in Brian2, as
examples/izhikevich2003.brain: dt = 1 ms, the paper's update (two 0.5 ms
half-steps for v, then u) as a run_regularly operation, all-to-all
synapses adding to I_syn (used the next ms), Gaussian thalamic input
(5 randn / 2 randn per ms, the paper's; brainc uses Poisson trains).

usage: python3 izh2003.py [--mode runtime|standalone] [--duration MS] [--dir DIR] [--repeat R]
Prints one JSON line (as va.py)."""
import argparse
import json
import os
import time

from brian2 import (NeuronGroup, Synapses, SpikeMonitor, Network, defaultclock, device, ms,
                    prefs, seed, set_device)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["runtime", "standalone"], default="runtime")
    ap.add_argument("--duration", type=float, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dir", default="/tmp/brian2_izh")
    ap.add_argument("--repeat", type=int, default=1,
                    help="standalone: run the compiled program this many times, report the fastest")
    a = ap.parse_args()
    if a.mode == "standalone":
        set_device("cpp_standalone", build_on_run=False)
        prefs.devices.cpp_standalone.openmp_threads = 0
    else:
        prefs.codegen.target = "numpy"
    defaultclock.dt = 1 * ms
    seed(a.seed)
    Ne, Ni = 800, 200
    G = NeuronGroup(Ne + Ni, """v : 1
                               u : 1
                               a : 1
                               b : 1
                               c : 1
                               d : 1
                               r : 1
                               sigma : 1
                               I_syn : 1""", threshold="v >= 30", reset="v = c; u += d")
    G.run_regularly("""I_tot = I_syn + sigma * randn()
                       v += 0.5 * (0.04 * v**2 + 5 * v + 140 - u + I_tot)
                       v += 0.5 * (0.04 * v**2 + 5 * v + 140 - u + I_tot)
                       u += a * (b * v - u)
                       I_syn = 0""", when="start")
    G.r = "rand()"
    E, I = G[:Ne], G[Ne:]
    E.a, E.b, E.c, E.d, E.sigma = 0.02, 0.2, "-65 + 15 * r**2", "8 - 6 * r**2", 5
    I.a, I.b, I.c, I.d, I.sigma = "0.02 + 0.08 * r", "0.25 - 0.05 * r", -65, 2, 2
    G.v = -65
    G.u = "b * v"
    S = Synapses(G, G, "w : 1", on_pre="I_syn += w")
    S.connect()
    S.w["i < %d" % Ne] = "0.5 * rand()"
    S.w["i >= %d" % Ne] = "-rand()"
    Me = SpikeMonitor(E, record=False)
    Mi = SpikeMonitor(I, record=False)
    net = Network(G, S, Me, Mi)
    t0 = time.time()
    net.run(a.duration * ms)
    run_s = time.time() - t0
    build_s = None
    if a.mode == "standalone":
        t0 = time.time()
        device.build(directory=a.dir, compile=True, run=False)
        build_s = time.time() - t0
        runs = []
        for _ in range(max(1, a.repeat)):
            device.run(directory=a.dir, with_output=False, run_args=[])
            runs.append(device._last_run_time)
        run_s = min(runs)
    sec = a.duration / 1000.0
    print(json.dumps({"model": "izh2003", "mode": a.mode, "duration_ms": a.duration,
                      "rate_exc": Me.num_spikes / Ne / sec, "rate_inh": Mi.num_spikes / Ni / sec,
                      "spikes": int(Me.num_spikes + Mi.num_spikes), "n_syn": (Ne + Ni) ** 2,
                      "run_s": run_s, "build_s": build_s}))


if __name__ == "__main__":
    main()
