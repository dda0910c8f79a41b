"""Current sources of docs/language.md §7.6: `ramp(start, end) from t0
until t1` and `steps(times, amplitudes)`, against a numpy reference.

A non-spiking leaky integrator, dv/dt = (-v + I) / tau (forward Euler),
is driven by ramps, step lists, a constant current and sums of them, at
dt = 0.5 ms and dt = 1 ms. The reference builds the input of every tick
from the documented definitions alone: a window [t0, t1) covers ticks
n0 = ceil(t0 / dt) .. n1 - 1; a ramp gives start + (end - start) (n - n0)
/ (n1 - n0) at tick n; step j gives amplitudes[j] from times[j] until
times[j + 1] (the last until the stimulus' `until`, or for ever), clipped
to [from, until). Then v[n] = v[n-1] + dt * ((-v[n-1] + I[n]) / tau), the
recorded v of tick n. Tolerance: rtol 1e-12, atol 1e-12 (the same
operations in the same order; in practice bit-identical).

Values that only elaboration can check (they depend on brain parameters
given with -D) are rejected by `brainc ir` with exit status 1 and a
message: step times that do not increase or are negative, a ramp whose
end comes before its start, and a negative Poisson rate. Usage: current_sources.py BRAINC"""
import math
import subprocess
import sys

import numpy as np

from slib import Checker, run

RTOL, ATOL = 1e-12, 1e-12
TICKS = 140
INF = float("inf")


def tick_at(ms, dt):
    """First tick at or after ms (the runtime's rounding of window ends)."""
    if ms == INF:
        return 1 << 62
    return max(0, math.ceil(ms / dt - 1e-9))


def ramp(dt, start, end, t0, t1):
    n0, n1 = tick_at(t0, dt), tick_at(t1, dt)
    I = np.zeros(TICKS)
    for n in range(n0, min(n1, TICKS)):
        I[n] = start + (end - start) * (n - n0) / (n1 - n0)
    return I


def current(dt, amp, t0=0.0, t1=INF):
    I = np.zeros(TICKS)
    for n in range(tick_at(t0, dt), min(tick_at(t1, dt), TICKS)):
        I[n] = amp
    return I


def steps(dt, times, amps, t0=0.0, t1=INF):
    I = np.zeros(TICKS)
    for j, (t, a) in enumerate(zip(times, amps)):
        lo = max(t, t0)
        hi = min(times[j + 1] if j + 1 < len(times) else INF, t1)
        if hi > lo:
            I += current(dt, a, lo, hi)
    return I


def integrate(dt, tau, I):
    v, out = 0.0, np.zeros(TICKS)
    for n in range(TICKS):
        v = v + dt * ((-v + I[n]) / tau)
        out[n] = v
    return out


# (stimulus members, the input they give as a function of dt)
CASES = [
    ("ramp(0, 10) from 2 until 12.5", lambda dt: ramp(dt, 0, 10, 2, 12.5)),
    ("ramp(start = 8, end = -4) until 50", lambda dt: ramp(dt, 8, -4, 0, 50)),
    ("ramp(end = 3, start = 1) from 20.2 until 30.7", lambda dt: ramp(dt, 1, 3, 20.2, 30.7)),
    ("ramp(0, top) from 5 until 5 + span", lambda dt: ramp(dt, 0, 6, 5, 45)),
    ("steps([1, 2, 3.5], [5, -2, 1]) until 40",
     lambda dt: steps(dt, [1, 2, 3.5], [5, -2, 1], 0, 40)),
    ("steps(times = [0, 10, 20, 35], amplitudes = [1, 3, 0, 2]) from 5 until 30",
     lambda dt: steps(dt, [0, 10, 20, 35], [1, 3, 0, 2], 5, 30)),
    ("steps([10.25, 30], [4, -1])", lambda dt: steps(dt, [10.25, 30], [4, -1])),
    ("current(2) from 3 until 9; stimulus x[7] : ramp(1, 5) from 4 until 24; "
     "stimulus x[7] : steps([6, 12], [-1, 0.5]) until 20",
     lambda dt: current(dt, 2, 3, 9) + ramp(dt, 1, 5, 4, 24) + steps(dt, [6, 12], [-1, 0.5], 0, 20)),
]


def program(dt, tau):
    lines = ["neuron leaky(tau = 10) { state v = 0; input I; dv/dt = (-v + I) / tau }",
             "brain b(top = 6, span = 40) {", "  timestep %g" % dt, "  x[%d] : leaky(tau = %g)" % (len(CASES), tau)]
    for k, (stim, _) in enumerate(CASES):
        lines.append("  stimulus x[%d] : %s" % (k, stim))
    lines += ["  record x.v", "}"]
    return "\n".join(lines) + "\n"


def elaboration_errors(brainc, ck):
    text = ("neuron leaky(tau = 10) { state v = 0; input I; dv/dt = (-v + I) / tau }\n"
            "brain b(t1 = 10, t2 = 20, r = 5) {\n  x[2] : leaky\n"
            "  stimulus x : poisson(rate = r)\n"
            "  stimulus x : steps([t1, t2], [1, 2])\n"
            "  stimulus x : ramp(0, 1) from t1 until t2\n}\n")
    import os
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "e.brain")
        with open(src, "w") as f:
            f.write(text)
        for defs, want in [([], None),
                           (["-D", "t2=10"], "step times increase: 10 ms comes after 10 ms"),
                           (["-D", "t1=-1"], "step times are not negative (this one is -1 ms)"),
                           (["-D", "t1=30", "-D", "t2=40"], None),
                           (["-D", "t1=50"], "step times increase: 20 ms comes after 50 ms"),
                           (["-D", "r=-3"], "e.brain:4:31: error: `rate` of `poisson` cannot be negative (it is -3)")]:
            p = subprocess.run([brainc, "ir", src] + defs, capture_output=True, text=True)
            if want is None:
                ck.check(p.returncode == 0, "ir %s: accepted (exit %d) %s" % (" ".join(defs), p.returncode,
                                                                             p.stderr.strip()))
            else:
                ck.check(p.returncode == 1 and want in p.stderr,
                         "ir %s: exit 1 with `%s` (got exit %d: %s)" % (" ".join(defs), want, p.returncode,
                                                                    p.stderr.strip()))
        p = subprocess.run([brainc, "ir", src, "-D", "t1=30", "-D", "t2=25"], capture_output=True, text=True)
        ck.check(p.returncode == 1 and "`ramp` needs `until` after `from`" in p.stderr,
                 "ir with the ramp's end before its start: exit 1 (%d: %s)" % (p.returncode, p.stderr.strip()))


def main():
    brainc = sys.argv[1]
    ck = Checker()
    for dt, tau in [(0.5, 10.0), (1.0, 7.0)]:
        got = run(brainc, program(dt, tau), TICKS)["x.v"]
        ck.check(got.shape == (TICKS, len(CASES)), "dt %g: recorded %s values" % (dt, got.shape))
        for k, (stim, ref) in enumerate(CASES):
            want = integrate(dt, tau, ref(dt))
            ck.check(np.abs(want).max() > 0.1, "dt %g x[%d]: the reference is driven" % (dt, k))
            ck.close(got[:, k], want, RTOL, ATOL, "dt %g x[%d] (%s): v trace" % (dt, k, stim))
    elaboration_errors(brainc, ck)
    ck.done()


if __name__ == "__main__":
    main()
