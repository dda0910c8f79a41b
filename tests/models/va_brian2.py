"""models.coba_brian2 / models.cuba_brian2 - examples/coba.brain and
examples/cuba.brain reach the firing rates Brian2 gives for the same
networks (bench/brian2/va.py: same equations, parameters, dt = 0.1 ms,
Euler, refractoriness, connection probability, initial values).

Brian2 runs in runtime mode (numpy target), 500 ms simulated, two seeds;
brainc runs the example as is for 5000 ticks, two seeds. The mean rates
over the seeds, of the excitatory and of the inhibitory population, must
agree within 15%: between single seeds the COBA rate varies by up to ~15%
(the network is chaotic), the mean of two seeds by less; a model that
differs (a wrong weight, a missed refractory period, a delivery to the
wrong target) moves the rates by far more (e.g. CUBA's rate roughly
doubles if wi is halved). Skipped (77) when brian2 cannot be imported.

usage: va_brian2.py BRAINC EXAMPLES_DIR coba|cuba"""
import json
import os
import subprocess
import sys

from common import Checker, run_file

SEEDS = (1, 2)
TOL = 0.15


def main():
    brainc, examples, model = sys.argv[1], sys.argv[2], sys.argv[3]
    here = os.path.dirname(os.path.abspath(__file__))
    va = os.path.join(here, "..", "..", "bench", "brian2", "va.py")
    ck = Checker()
    b_rates, r_rates = [], []
    for s in SEEDS:
        spikes, summary = run_file(brainc, os.path.join(examples, model + ".brain"), 5000, seed=s)
        ne = 3200.0
        ni = 800.0
        r = (len(spikes.get("exc", [])) / ne / 0.5, len(spikes.get("inh", [])) / ni / 0.5)
        b_rates.append(r)
        out = subprocess.run([sys.executable, va, model, "--mode", "runtime", "--duration", "500",
                              "--seed", str(s)], capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit("FAIL: brian2 run failed:\n" + out.stderr[-3000:])
        j = json.loads(out.stdout.strip().splitlines()[-1])
        r_rates.append((j["rate_exc"], j["rate_inh"]))
        print("seed %d: brainc exc %.2f inh %.2f Hz; brian2 exc %.2f inh %.2f Hz" % (
            s, r[0], r[1], j["rate_exc"], j["rate_inh"]))
    for k, pop in enumerate(("exc", "inh")):
        b = sum(r[k] for r in b_rates) / len(SEEDS)
        r = sum(x[k] for x in r_rates) / len(SEEDS)
        ck.check(r > 1 and abs(b - r) <= TOL * r,
                 "%s %s: brainc %.2f Hz vs Brian2 %.2f Hz (%+.1f%%, tolerance %d%%)" % (
                     model, pop, b, r, 100 * (b / r - 1) if r else 0, 100 * TOL))
    ck.done()


if __name__ == "__main__":
    main()
