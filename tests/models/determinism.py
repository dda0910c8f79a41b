"""models.determinism - the examples give the same spikes for the same
seed: twice in a row, and with 1 or 2 threads; another seed gives other
spikes. Exact equality of the rasters (tick, population, neuron).

usage: determinism.py BRAINC EXAMPLES_DIR"""
import os
import sys

from common import Checker, run_file

CASES = (("coba.brain", 2000), ("cuba.brain", 2000), ("izhikevich2003.brain", 500))


def main():
    brainc, examples = sys.argv[1], sys.argv[2]
    ck = Checker()
    for name, ticks in CASES:
        path = os.path.join(examples, name)
        a, _ = run_file(brainc, path, ticks, seed=3)
        b, _ = run_file(brainc, path, ticks, seed=3)
        c, _ = run_file(brainc, path, ticks, seed=3, threads=2)
        d, _ = run_file(brainc, path, ticks, seed=4)
        n = sum(len(v) for v in a.values())
        ck.check(n > 100, "%s: %d spikes in %d ticks" % (name, n, ticks))
        ck.check(a == b, "%s: same seed, same spikes" % name)
        ck.check(a == c, "%s: 1 and 2 threads, same spikes" % name)
        ck.check(a != d, "%s: another seed, other spikes" % name)
    ck.done()


if __name__ == "__main__":
    main()
