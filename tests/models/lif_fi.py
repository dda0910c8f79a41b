"""models.lif_fi - a LIF neuron's firing rate matches its analytic f-I curve.

std.neurons' `lif` (exact integration, refractory period held at v_reset)
with tau_m = 20, v_rest = v_reset = -65, v_th = -50, R = 1, t_ref = 2 ms,
driven by constant currents I_ext (one neuron per current, an array
argument), dt = 0.1 ms, 2 s simulated. The analytic rate is

    f(I) = 1 / (t_ref + tau_m * ln(R I / (R I - (v_th - v_rest))))   (R I > 15)

and 0 below rheobase (R I <= 15).

Tick discretisation: the threshold is tested at the end of each tick, so a
crossing at time T after the refractory period ends is seen at the next
tick boundary: the simulated period is t_ref + ceil(T/dt) dt, longer than
the analytic one by less than one dt. Tolerances:
  (1) measured rate (spikes in 2 s, from the mean inter-spike interval)
      within 2% of the analytic rate: dt/ISI <= 0.1/5.2 < 2% for the
      highest current used (ISI 5.2 ms), and one spike of 2 s at most;
  (2) the mean ISI equals the discretised prediction
      t_ref + ceil(T/dt) dt to 1e-6 ms, unless T/dt is within 1e-6 of a whole
      number (then either neighbour is accepted): this is the sharp test;
  (3) below rheobase (I = 10, 15) no spike.

usage: lif_fi.py BRAINC"""
import math
import sys

from common import Checker, run_brain

TAU, V_REST, V_TH, R, T_REF, DT = 20.0, -65.0, -50.0, 1.0, 2.0, 0.1
CURRENTS = [10, 15, 15.5, 16, 18, 20, 25, 30, 40, 60, 100]
T_SIM = 2000.0


def main():
    brainc = sys.argv[1]
    ck = Checker()
    text = """import std.neurons
brain fi {
  timestep %g
  n[%d] : lif(tau_m = %g, v_rest = %g, v_reset = %g, v_th = %g, R = %g, t_ref = %g, I_ext = [%s])
}
""" % (DT, len(CURRENTS), TAU, V_REST, V_REST, V_TH, R, T_REF, ", ".join("%g" % c for c in CURRENTS))
    ticks = int(round(T_SIM / DT))
    spikes, _ = run_brain(brainc, text, ticks)
    by_neuron = {k: [] for k in range(len(CURRENTS))}
    for tick, k in spikes.get("n", []):
        by_neuron[k].append(tick)
    for k, I in enumerate(CURRENTS):
        s = by_neuron[k]
        if R * I <= V_TH - V_REST:
            ck.check(not s, "I=%g below rheobase: %d spikes (want 0)" % (I, len(s)))
            continue
        T = TAU * math.log(R * I / (R * I - (V_TH - V_REST)))
        f_analytic = 1000.0 / (T_REF + T)
        if len(s) < 2:
            ck.check(False, "I=%g: only %d spikes" % (I, len(s)))
            continue
        isi = (s[-1] - s[0]) * DT / (len(s) - 1)
        f = 1000.0 / isi
        ck.check(abs(f - f_analytic) <= 0.02 * f_analytic,
                 "I=%-5g rate %.3f Hz vs analytic %.3f Hz (%+.2f%%, tolerance 2%%)" % (
                     I, f, f_analytic, 100 * (f / f_analytic - 1)))
        count_expected = T_SIM / 1000.0 * f_analytic
        ck.check(abs(len(s) - count_expected) <= 1 + 0.02 * count_expected,
                 "I=%-5g %d spikes in %g ms vs analytic %.1f" % (I, len(s), T_SIM, count_expected))
        x = T / DT
        preds = {T_REF + math.ceil(x) * DT}
        if abs(x - round(x)) < 1e-6:
            preds = {T_REF + round(x) * DT, T_REF + (round(x) + 1) * DT}
        ck.check(any(abs(isi - p) < 1e-6 for p in preds),
                 "I=%-5g mean ISI %.6f ms == t_ref + ceil(T/dt) dt = %s ms" % (
                     I, isi, " or ".join("%.6f" % p for p in sorted(preds))))
    ck.done()


if __name__ == "__main__":
    main()
