"""models.izhikevich2003 - examples/izhikevich2003.brain reproduces the
behaviour of the 1000-neuron network of Izhikevich (2003): firing rates
and population rhythms.

Reference: a numpy transcription of the paper's MATLAB listing (spnet.m
of the paper, written out below from the published code: Gaussian
thalamic input 5 randn / 2 randn per ms, all-to-all weights, two 0.5 ms
half-steps for v, then u). brainc approximates the Gaussian input by
Poisson trains (see the example's header), so the spikes differ; the
statistics are compared, over 2 s of simulated time:

  (1) mean rates of the excitatory and inhibitory populations within 20%
      of the reference's (both are also checked to lie in 2-30 Hz, the
      range of the paper's figure);
  (2) a rhythm: the power spectrum of the excitatory population's spike
      count per ms (mean removed) has, in 5-15 Hz (alpha) or 30-50 Hz
      (gamma), a mean power at least 5x its mean power over 60-200 Hz,
      for brainc and for the reference (the reference shows this; the
      Poisson-approximated input must preserve it);
  (3) the dominant frequency of brainc's spectrum in 3-60 Hz is within
      the same band (alpha or gamma) as the reference's.

usage: izh2003.py BRAINC EXAMPLES_DIR"""
import os
import sys

import numpy as np

from common import Checker, run_file

T = 2000  # ms


def reference(seed):
    rng = np.random.default_rng(seed)
    Ne, Ni = 800, 200
    re, ri = rng.random(Ne), rng.random(Ni)
    a = np.concatenate([0.02 * np.ones(Ne), 0.02 + 0.08 * ri])
    b = np.concatenate([0.2 * np.ones(Ne), 0.25 - 0.05 * ri])
    c = np.concatenate([-65 + 15 * re ** 2, -65 * np.ones(Ni)])
    d = np.concatenate([8 - 6 * re ** 2, 2 * np.ones(Ni)])
    S = np.hstack([0.5 * rng.random((Ne + Ni, Ne)), -rng.random((Ne + Ni, Ni))])
    v = -65 * np.ones(Ne + Ni)
    u = b * v
    counts = np.zeros((T, 2))
    for t in range(T):
        I = np.concatenate([5 * rng.standard_normal(Ne), 2 * rng.standard_normal(Ni)])
        fired = np.nonzero(v >= 30)[0]
        v[fired] = c[fired]
        u[fired] += d[fired]
        I += S[:, fired].sum(axis=1)
        v += 0.5 * (0.04 * v ** 2 + 5 * v + 140 - u + I)
        v += 0.5 * (0.04 * v ** 2 + 5 * v + 140 - u + I)
        u += a * (b * v - u)
        counts[t, 0] = np.count_nonzero(fired < Ne)
        counts[t, 1] = np.count_nonzero(fired >= Ne)
    # spikes detected at the start of ms t were produced by the update of ms t-1
    return counts[1:, 0], counts[1:, 1]


def spectrum(x):
    x = np.asarray(x, float) - np.mean(x)
    p = np.abs(np.fft.rfft(x)) ** 2
    f = np.fft.rfftfreq(len(x), d=1e-3)
    return f, p


def band(f, p, lo, hi):
    return p[(f >= lo) & (f < hi)].mean()


def rhythm(f, p):
    base = band(f, p, 60, 200)
    alpha, gamma = band(f, p, 5, 15) / base, band(f, p, 30, 50) / base
    m = (f >= 3) & (f < 60)
    # smooth over 1 Hz to find the peak
    k = max(1, int(round(1.0 / (f[1] - f[0]))))
    ps = np.convolve(p, np.ones(k) / k, mode="same")
    peak = f[m][np.argmax(ps[m])]
    return alpha, gamma, peak


def band_of(fq):
    return "alpha" if 5 <= fq < 15 else "gamma" if 30 <= fq < 50 else "other"


def main():
    brainc, examples = sys.argv[1], sys.argv[2]
    ck = Checker()
    spikes, summary = run_file(brainc, os.path.join(examples, "izhikevich2003.brain"), T, seed=1)
    ce = np.bincount([t for t, _ in spikes.get("exc", [])], minlength=T)[:T]
    ci = np.bincount([t for t, _ in spikes.get("inh", [])], minlength=T)[:T]
    b_re, b_ri = ce.sum() / 800 / (T / 1000), ci.sum() / 200 / (T / 1000)
    re_, ri_ = reference(1)
    r_re, r_ri = re_.sum() / 800 / ((T - 1) / 1000), ri_.sum() / 200 / ((T - 1) / 1000)
    for name, b, r in (("exc", b_re, r_re), ("inh", b_ri, r_ri)):
        ck.check(abs(b - r) <= 0.2 * r, "%s rate: brainc %.2f Hz, reference %.2f Hz (%+.0f%%, tolerance 20%%)" % (
            name, b, r, 100 * (b / r - 1)))
        ck.check(2 <= b <= 30, "%s rate %.2f Hz within 2-30 Hz" % (name, b))
    fb, pb = spectrum(ce)
    fr, pr = spectrum(re_)
    ab, gb, peak_b = rhythm(fb, pb)
    ar, gr, peak_r = rhythm(fr, pr)
    print("reference: alpha/base %.1f, gamma/base %.1f, peak %.1f Hz" % (ar, gr, peak_r))
    print("brainc:    alpha/base %.1f, gamma/base %.1f, peak %.1f Hz" % (ab, gb, peak_b))
    ck.check(max(ar, gr) >= 5, "reference has a rhythm (alpha %.1fx, gamma %.1fx the 60-200 Hz power)" % (ar, gr))
    ck.check(max(ab, gb) >= 5, "brainc has a rhythm (alpha %.1fx, gamma %.1fx the 60-200 Hz power)" % (ab, gb))
    ck.check(band_of(peak_b) == band_of(peak_r) and band_of(peak_b) != "other",
             "dominant rhythm: brainc %.1f Hz (%s), reference %.1f Hz (%s)" % (
                 peak_b, band_of(peak_b), peak_r, band_of(peak_r)))
    ck.done()


if __name__ == "__main__":
    main()
