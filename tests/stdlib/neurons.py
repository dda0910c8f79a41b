"""stdlib.neurons - std.lif (lif_cond, lif_cond_alpha, alif,
lif_homeostatic), std.adex and std.hh, with std.conductance's synapses,
against numpy transcriptions of the published equations with the same
integration scheme and dt (docs/language.md §4.9, §12):

  lif_cond / lif_cond_alpha: forward Euler at dt = 0.1 ms, driven by a
    constant current and by spike trains through cond_exp_e/_i and
    cond_alpha_e/_i (a relay neuron per train; the conductance jump lands
    on the post neuron one tick after the relay spikes); refractory 5 ms;
  alif: exact exponential integration at dt = 0.5 ms, current step;
  lif_homeostatic: Euler at dt = 1 ms, a constant current: the bias b
    tracks the rate trace toward target;
  adex: Euler with 10 substeps at dt = 0.1 ms, current step (tonic and
    adapting firing);
  hh: RK4 with 10 substeps at dt = 0.05 ms, current step above rheobase
    (repetitive firing) and a subthreshold one.

Tolerance: spike ticks identical; state traces within rtol 1e-9 and
atol 1e-9 (the references evaluate the same formulas in the same order,
so in practice they agree to the last bit or nearly so; the slack covers
the backend's choice of exp/pow implementation).

usage: neurons.py BRAINC"""
import math
import sys

import numpy as np

from slib import Checker, run, stim_on

E = 2.718281828459045
RTOL, ATOL = 1e-9, 1e-9
RELAY = "neuron relay() { input I\n spike when I > 0.5 }\n"


def euler_lif_cond(dt, ticks, I_amp, t_on, arrivals, alpha, p):
    """arrivals: {tick: {state: amount}} conductance jumps."""
    v, ge, he, gi, hi = p["E_L"], 0.0, 0.0, 0.0, 0.0
    refr = 0.0
    out, sp = [], []
    for n in range(ticks):
        t = n * dt
        for k, w in arrivals.get(n, {}).items():
            if k == "ge": ge += w
            elif k == "gi": gi += w
            elif k == "he": he += w
            else: hi += w
        I = I_amp if stim_on(t, t_on, 1e18) else 0.0
        v0 = v
        dv = ((p["E_L"] - v) + ge * (p["E_e"] - v) + gi * (p["E_i"] - v) + p["R"] * (I + 0)) / p["tau_m"]
        if alpha:
            dge = (E * he - ge) / p["tau_e"]; dhe = -he / p["tau_e"]
            dgi = (E * hi - gi) / p["tau_i"]; dhi = -hi / p["tau_i"]
            v = v + dt * dv; ge = ge + dt * dge; he = he + dt * dhe; gi = gi + dt * dgi; hi = hi + dt * dhi
        else:
            dge = -ge / p["tau_e"]; dgi = -gi / p["tau_i"]
            v = v + dt * dv; ge = ge + dt * dge; gi = gi + dt * dgi
        if refr > 1e-9 * dt:
            v = v0
            refr -= dt
        elif v >= p["v_th"]:
            v = p["v_reset"]
            refr = p["t_ref"]
            sp.append(n)
        out.append((v, ge, gi))
    return np.array(out), sp


def test_lif_cond(brainc, ck):
    dt, ticks = 0.1, 3000
    p = dict(tau_m=20, E_L=-60, v_reset=-60, v_th=-50, t_ref=5, E_e=0, E_i=-80, tau_e=5, tau_i=10, R=1)
    e_times = [5, 12, 12.5, 13, 13.5, 14, 40, 41, 42, 43, 44, 45, 46, 47, 150, 151]
    i_times = [60, 61, 62, 200]
    we, wi = 0.8, 2.5
    for alpha in (False, True):
        model = "lif_cond_alpha" if alpha else "lif_cond"
        syn_e, syn_i = ("cond_alpha_e", "cond_alpha_i") if alpha else ("cond_exp_e", "cond_exp_i")
        text = ("import std.lif\nimport std.conductance\n" + RELAY +
                "brain b {\n timestep %g\n re : relay\n ri : relay\n n : %s\n"
                " stimulus re : spikes(times = [%s], w = 1)\n stimulus ri : spikes(times = [%s], w = 1)\n"
                " stimulus n : current(amplitude = 8) from 100\n"
                " connect re -> n : %s(w = %g)\n connect ri -> n : %s(w = %g)\n"
                " record n\n record n.v every 1\n record n.ge every 1\n record n.gi every 1\n}\n"
                % (dt, model, ", ".join("%g" % x for x in e_times), ", ".join("%g" % x for x in i_times),
                   syn_e, we, syn_i, wi))
        res = run(brainc, text, ticks)
        arr = {}
        for times, key, w in ((e_times, "he" if alpha else "ge", we), (i_times, "hi" if alpha else "gi", wi)):
            for x in times:
                n = int(round(x / dt)) + 1
                arr.setdefault(n, {})
                arr[n][key] = arr[n].get(key, 0.0) + w
        want, sp = euler_lif_cond(dt, ticks, 8.0, 100, arr, alpha, p)
        ck.check([t for t, _ in res.get("n", [])] == sp, "%s: %d spikes at the reference's ticks" % (model, len(sp)))
        for j, var in enumerate(("v", "ge", "gi")):
            ck.close(res["n." + var][:, 0], want[:, j], RTOL, ATOL, "%s: %s trace" % (model, var))
        ck.check(len(sp) >= 3, "%s fires under the drive" % model)


def test_alif(brainc, ck):
    dt, ticks = 0.5, 1200
    tau_m, v_rest, v_reset, v_th, R, t_ref, beta, tau_a = 20, -65, -65, -50, 1, 2, 2, 200
    text = ("import std.lif\nbrain b {\n timestep %g\n n : alif\n stimulus n : current(amplitude = 20) from 10\n"
            " record n\n record n.v every 1\n record n.a every 1\n}\n" % dt)
    res = run(brainc, text, ticks)
    v, a, refr = float(v_rest), 0.0, 0.0
    out, sp = [], []
    for n in range(ticks):
        I = 20.0 if stim_on(n * dt, 10, 1e18) else 0.0
        v0 = v
        # exact: dv/dt = A + B v with B = -1/tau_m, A = (v_rest + R I) / tau_m
        A, B = (v_rest + R * (I + 0)) / tau_m, (-1) / tau_m
        c = A / B
        v = -c + (v + c) * math.exp(B * dt)
        A, B = 0.0, -1.0 / tau_a
        a = -(A / B) + (a + A / B) * math.exp(B * dt)
        if refr > 1e-9 * dt:
            v = v0; refr -= dt
        elif v >= v_th + beta * a:
            v = v_reset; a += 1; refr = t_ref; sp.append(n)
        out.append((v, a))
    out = np.array(out)
    ck.check([t for t, _ in res["n"]] == sp, "alif: %d spikes at the reference's ticks" % len(sp))
    ck.close(res["n.v"][:, 0], out[:, 0], 1e-9, 1e-9, "alif: v trace")
    ck.close(res["n.a"][:, 0], out[:, 1], 1e-9, 1e-9, "alif: a trace")
    isi = np.diff(sp)
    ck.check(len(isi) > 3 and isi[-1] > isi[0], "alif adapts (ISI %d -> %d ticks)" % (isi[0], isi[-1]))


def test_homeostatic(brainc, ck):
    dt, ticks = 1.0, 4000
    tau_m, v_rest, v_reset, v_th, R, t_ref, target, tau_r, eta = 20, -65, -65, -50, 1, 2, 10, 1000, 0.0001
    text = ("import std.lif\nbrain b {\n n : lif_homeostatic(eta = 0.002)\n stimulus n : current(amplitude = 14)\n"
            " record n\n record n.v every 1\n record n.b every 1\n record n.r every 1\n}\n")
    eta = 0.002
    res = run(brainc, text, ticks)
    v, b, r, refr = float(v_rest), 0.0, 0.0, 0.0
    out, sp = [], []
    for n in range(ticks):
        I = 14.0
        v0 = v
        dv = (v_rest - v + R * (I + 0 + b)) / tau_m
        dr = -r / tau_r
        v = v + dt * dv; r = r + dt * dr
        b += dt * eta * (target - r)
        if refr > 1e-9 * dt:
            v = v0; refr -= dt
        elif v >= v_th:
            v = v_reset; r += 1000 / tau_r; refr = t_ref; sp.append(n)
        out.append((v, b, r))
    out = np.array(out)
    ck.check([t for t, _ in res["n"]] == sp, "lif_homeostatic: %d spikes at the reference's ticks" % len(sp))
    for j, var in enumerate(("v", "b", "r")):
        ck.close(res["n." + var][:, 0], out[:, j], RTOL, ATOL, "lif_homeostatic: %s trace" % var)
    ck.check(abs(out[-1, 2] - target) < 3, "lif_homeostatic: rate trace near target (%.2f Hz)" % out[-1, 2])


def test_adex(brainc, ck):
    dt, ticks, sub = 0.1, 4000, 10
    C, g_L, E_L, V_T, D_T, tau_w, a, b, v_r, v_peak = 281, 30, -70.6, -50.4, 2, 144, 4, 80.5, -70.6, -40.4
    text = ("import std.adex\nbrain b {\n timestep %g\n n : adex\n stimulus n : current(amplitude = 800) from 20\n"
            " record n\n record n.v every 1\n record n.w every 1\n}\n" % dt)
    res = run(brainc, text, ticks)
    v, w = E_L, 0.0
    out, sp = [], []
    h = dt / sub
    for n in range(ticks):
        I = 800.0 if stim_on(n * dt, 20, 1e18) else 0.0
        for _ in range(sub):
            dv = (-g_L * (v - E_L) + g_L * D_T * math.exp((v - V_T) / D_T) - w + I + 0) / C
            dw = (a * (v - E_L) - w) / tau_w
            v = v + h * dv; w = w + h * dw
        if v >= v_peak:
            v = v_r; w += b; sp.append(n)
        out.append((v, w))
    out = np.array(out)
    ck.check([t for t, _ in res["n"]] == sp, "adex: %d spikes at the reference's ticks" % len(sp))
    ck.close(res["n.v"][:, 0], out[:, 0], RTOL, ATOL, "adex: v trace")
    ck.close(res["n.w"][:, 0], out[:, 1], RTOL, ATOL, "adex: w trace")
    isi = np.diff(sp)
    ck.check(len(isi) > 3 and isi[-1] > isi[0], "adex adapts (ISI %d -> %d ticks)" % (isi[0], isi[-1]))


def hh_f(x, I):
    v, m, h, n = x
    C, gNa, gK, gL, ENa, EK, EL = 1, 120, 36, 0.3, 50, -77, -54.387
    am = 0.1 * (v + 40) / (1 - math.exp(-(v + 40) / 10)); bm = 4 * math.exp(-(v + 65) / 18)
    ah = 0.07 * math.exp(-(v + 65) / 20); bh = 1 / (1 + math.exp(-(v + 35) / 10))
    an = 0.01 * (v + 55) / (1 - math.exp(-(v + 55) / 10)); bn = 0.125 * math.exp(-(v + 65) / 80)
    dv = (-gNa * m * m * m * h * (v - ENa) - gK * n * n * n * n * (v - EK) - gL * (v - EL) + I + 0) / C
    return np.array([dv, am * (1 - m) - bm * m, ah * (1 - h) - bh * h, an * (1 - n) - bn * n])


def test_hh(brainc, ck):
    dt, ticks, sub = 0.05, 2000, 10
    for amp in (10.0, 2.0):
        text = ("import std.hh\nbrain b {\n timestep %g\n n : hh\n stimulus n : current(amplitude = %g) from 10\n"
                " record n\n record n.v every 1\n record n.m every 1\n record n.h every 1\n record n.n every 1\n}\n"
                % (dt, amp))
        res = run(brainc, text, ticks)
        x = np.array([-65, 0.0529, 0.5961, 0.3177])
        armed = 1
        out, sp = [], []
        hs = dt / sub
        for k in range(ticks):
            I = amp if stim_on(k * dt, 10, 1e18) else 0.0
            for _ in range(sub):
                k1 = hh_f(x, I); k2 = hh_f(x + hs * 0.5 * k1, I)
                k3 = hh_f(x + hs * 0.5 * k2, I); k4 = hh_f(x + hs * k3, I)
                x = x + hs / 6.0 * (((k1 + 2.0 * k2) + 2.0 * k3) + k4)
            if x[0] < -30:
                armed = 1
            if x[0] >= 0 and armed > 0.5:
                armed = 0; sp.append(k)
            out.append(x.copy())
        out = np.array(out)
        ck.check([t for t, _ in res.get("n", [])] == sp, "hh I=%g: %d spikes at the reference's ticks" % (amp, len(sp)))
        for j, var in enumerate(("v", "m", "h", "n")):
            ck.close(res["n." + var][:, 0], out[:, j], 1e-7, 1e-7, "hh I=%g: %s trace" % (amp, var))
        if amp == 10.0:
            ck.check(len(sp) >= 5, "hh fires repetitively at 10 uA/cm^2")
        else:
            ck.check(len(sp) == 0, "hh stays subthreshold at 2 uA/cm^2")


def main():
    brainc = sys.argv[1]
    ck = Checker()
    test_lif_cond(brainc, ck)
    test_alif(brainc, ck)
    test_homeostatic(brainc, ck)
    test_adex(brainc, ck)
    test_hh(brainc, ck)
    ck.done()


main()
