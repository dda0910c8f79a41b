"""models.izhikevich_types - single Izhikevich neurons of the seven types
of Izhikevich (2003, IEEE TNN 14:1569, fig. 2) run by `brainc run` give,
tick for tick, the spike times of a plain reference implementation of the
published equations (izh_ref.c) under the same input.

The .brain side is std.neurons' `izhikevich` (forward Euler, 2 substeps
per tick); izh_ref integrates the same scheme. Both are run at dt = 1 ms
and dt = 0.25 ms. Tolerance: none, the spike ticks must be identical.

Stimuli (all step currents into the first input, `stimulus current`):
  RS, IB, CH, FS, LTS: I = 10 from 20 ms on (tonic / bursting / chattering
      / fast / low-threshold spiking);
  TC (hyp): I = -10 from 20 to 120 ms, then 0: the hyperpolarised
      thalamo-cortical cell fires a rebound burst after release
      (checked: >= 2 spikes within 40 ms of release, none before);
  TC (dep): I = 5 from 20 ms on: tonic firing from rest;
  RZ: 1 ms pulses of I = 2 from rest (v0 = -62.6): one pulse alone is
      subthreshold, a pair 5 ms apart fires, a pair 20 ms apart does not
      (checked on both sides).

usage: izh_single.py BRAINC IZH_REF"""
import subprocess
import sys

from common import Checker, run_brain

TYPES = {  # name: (a, b, c, d)
    "RS": (0.02, 0.2, -65, 8), "IB": (0.02, 0.2, -55, 4), "CH": (0.02, 0.2, -50, 2),
    "FS": (0.1, 0.2, -65, 2), "LTS": (0.02, 0.25, -65, 2), "TC": (0.02, 0.25, -65, 0.05),
    "RZ": (0.1, 0.26, -65, 2),
}
T_END = 400.0  # ms simulated
FOREVER = 1e9

# scenario name: (type, v0, [(amplitude, t0, t1)])
SCENARIOS = {
    "RS": ("RS", -65, [(10, 20, FOREVER)]),
    "IB": ("IB", -65, [(10, 20, FOREVER)]),
    "CH": ("CH", -65, [(10, 20, FOREVER)]),
    "FS": ("FS", -65, [(10, 20, FOREVER)]),
    "LTS": ("LTS", -65, [(10, 20, FOREVER)]),
    "TC_hyp": ("TC", -65, [(-10, 20, 120)]),
    "TC_dep": ("TC", -65, [(5, 20, FOREVER)]),
    "RZ_single": ("RZ", -62.6, [(2, 100, 101)]),
    "RZ_pair5": ("RZ", -62.6, [(2, 100, 101), (2, 105, 106)]),
    "RZ_pair20": ("RZ", -62.6, [(2, 100, 101), (2, 120, 121)]),
}


def brain_text(dt):
    lines = ["import std.neurons", "brain types {", "  timestep %g" % dt]
    for name, (typ, v0, pulses) in SCENARIOS.items():
        a, b, c, d = TYPES[typ]
        lines.append("  %s : izhikevich(a = %g, b = %g, c = %g, d = %g, v = %g)" % (name, a, b, c, d, v0))
        for amp, t0, t1 in pulses:
            until = "" if t1 >= FOREVER else " until %g" % t1
            lines.append("  stimulus %s : current(amplitude = %g) from %g%s" % (name, amp, t0, until))
    lines.append("}")
    return "\n".join(lines) + "\n"


def reference(ref, typ, v0, pulses, dt, ticks):
    a, b, c, d = TYPES[typ]
    args = [ref] + ["%.17g" % x for x in (a, b, c, d, v0, dt)] + ["2", str(ticks)]
    for amp, t0, t1 in pulses:
        args += ["%.17g" % amp, "%.17g" % t0, "%.17g" % t1]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return [int(x) for x in out.split()]


def main():
    brainc, ref = sys.argv[1], sys.argv[2]
    ck = Checker()
    for dt in (1.0, 0.25):
        ticks = int(round(T_END / dt))
        spikes, _ = run_brain(brainc, brain_text(dt), ticks)
        got_all = {}
        for name, (typ, v0, pulses) in SCENARIOS.items():
            want = reference(ref, typ, v0, pulses, dt, ticks)
            got = [t for t, _ in spikes.get(name, [])]
            got_all[name] = got
            first = next((k for k in range(min(len(got), len(want))) if got[k] != want[k]), None)
            detail = "" if got == want else " (first difference at spike %s: brainc %s, reference %s)" % (
                first, got[first:first + 3] if first is not None else got[len(want):][:3],
                want[first:first + 3] if first is not None else want[len(got):][:3])
            ck.check(got == want, "dt=%g %-9s %3d spikes, brainc ticks == reference ticks%s" % (dt, name, len(want), detail))
        # the published behaviours, on brainc's spikes
        ms = lambda name: [t * dt for t in got_all[name]]
        for name in ("RS", "IB", "CH", "FS", "LTS", "TC_dep"):
            ck.check(len(ms(name)) >= 5, "dt=%g %s fires repetitively under the step (%d spikes)" % (dt, name, len(ms(name))))
        fs, rs = len(ms("FS")), len(ms("RS"))
        ck.check(fs > 2 * rs, "dt=%g FS fires faster than RS (%d vs %d spikes)" % (dt, fs, rs))
        isi_ch = [y - x for x, y in zip(ms("CH"), ms("CH")[1:])]
        ck.check(len(isi_ch) > 3 and min(isi_ch) < 10 and max(isi_ch) > 20,
                 "dt=%g CH fires bursts (ISIs %s..%s ms)" % (dt, min(isi_ch or [0]), max(isi_ch or [0])))
        tc = ms("TC_hyp")
        ck.check(all(t >= 120 for t in tc) and sum(1 for t in tc if t < 160) >= 2,
                 "dt=%g TC rebound burst after release at 120 ms (spikes at %s)" % (dt, tc[:4]))
        ck.check(not ms("RZ_single") and ms("RZ_pair5") and not ms("RZ_pair20"),
                 "dt=%g RZ: single pulse %d spikes, pair 5 ms apart %d, pair 20 ms apart %d" % (
                     dt, len(ms("RZ_single")), len(ms("RZ_pair5")), len(ms("RZ_pair20"))))
    ck.done()


if __name__ == "__main__":
    main()
