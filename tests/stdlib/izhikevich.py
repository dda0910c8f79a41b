"""stdlib.izhikevich - std.izhikevich's named types (RS FS IB CH LTS TC RZ)
against a numpy transcription of inner-models-v8's tick (its spec §2.3):
two half-steps of v with the clamp to [-100, 35] between them, then u with
the new v, spike at v >= 30 (v = c, u += d). Each type gets a current step
(and TC a hyperpolarising step for its rebound burst, RZ a pulse pair) at
dt = 1 ms (exactly inner-models-v8) and dt = 0.5 ms.

Tolerance: none - the same operations in the same order, so v and u must
be bit-identical every tick and spike ticks identical.

usage: izhikevich.py BRAINC"""
import sys

import numpy as np

from slib import Checker, run, stim_on

TYPES = {"RS": (0.02, 0.2, -65, 8), "FS": (0.1, 0.2, -65, 2), "IB": (0.02, 0.2, -55, 4),
         "CH": (0.02, 0.2, -50, 2), "LTS": (0.02, 0.25, -65, 2), "TC": (0.02, 0.25, -65, 0.05),
         "RZ": (0.1, 0.26, -65, 2)}
# population: (type, v0, [(amplitude, t0, t1)])
SCEN = {"rs": ("RS", -65, [(10, 20, 1e9)]), "fs": ("FS", -65, [(10, 20, 1e9)]),
        "ib": ("IB", -65, [(10, 20, 1e9)]), "ch": ("CH", -65, [(10, 20, 1e9)]),
        "lts": ("LTS", -65, [(10, 20, 1e9)]), "tc": ("TC", -65, [(-10, 20, 120)]),
        "tc_dep": ("TC", -65, [(5, 20, 1e9)]),
        "rz": ("RZ", -62.6, [(2, 100, 101), (2, 105, 106)]),
        "rs_big": ("RS", -65, [(60, 10, 1e9)])}  # drives v past the clamp
T_END = 300.0


def reference(typ, v0, pulses, dt, ticks):
    a, b, c, d = TYPES[typ]
    v = float(v0)
    u = b * v
    vs, us, sp = [], [], []
    for n in range(ticks):
        t = n * dt
        I = 0.0
        for amp, t0, t1 in pulses:
            if stim_on(t, t0, t1):
                I += amp
        v += 0.5 * dt * (0.04 * v * v + 5 * v + 140 - u + I + 0)
        v = min(max(v, -100.0), 35.0)
        v += 0.5 * dt * (0.04 * v * v + 5 * v + 140 - u + I + 0)
        u += dt * a * (b * v - u)
        if v >= 30:
            v = float(c)
            u += d
            sp.append(n)
        vs.append(v)
        us.append(u)
    return np.array(vs), np.array(us), sp


def main():
    brainc = sys.argv[1]
    ck = Checker()
    for dt in (1.0, 0.5):
        ticks = int(round(T_END / dt))
        lines = ["import std.izhikevich", "brain types {", "  timestep %g" % dt]
        for pop, (typ, v0, pulses) in SCEN.items():
            lines.append("  %s : %s(v = %g)" % (pop, typ, v0))
            for amp, t0, t1 in pulses:
                until = "" if t1 >= 1e9 else " until %g" % t1
                lines.append("  stimulus %s : current(amplitude = %g) from %g%s" % (pop, amp, t0, until))
            lines += ["  record %s" % pop, "  record %s.v every 1" % pop, "  record %s.u every 1" % pop]
        res = run(brainc, "\n".join(lines + ["}"]) + "\n", ticks)
        for pop, (typ, v0, pulses) in SCEN.items():
            v, u, sp = reference(typ, v0, pulses, dt, ticks)
            got_sp = [t for t, _ in res[pop]]
            ck.check(got_sp == sp, "dt %g %s (%s): %d spikes at the reference's ticks" % (dt, pop, typ, len(sp)))
            ck.close(res[pop + ".v"][:, 0], v, 0, 0, "dt %g %s: v trace" % (dt, pop))
            ck.close(res[pop + ".u"][:, 0], u, 0, 0, "dt %g %s: u trace" % (dt, pop))
        if dt == 1.0:
            ck.check(len(reference(*SCEN["rz"], dt, ticks)[2]) > 0, "RZ fires for a 5 ms pulse pair")
            ck.check(len(reference(*SCEN["tc"], dt, ticks)[2]) >= 1, "TC fires a rebound after release")
    ck.done()


main()
