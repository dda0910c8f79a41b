/* izh_ref.c - a plain reference implementation of the Izhikevich (2003)
 * simple model, written from the published equations, independent of
 * brainc's code:
 *     v' = 0.04 v^2 + 5 v + 140 - u + I
 *     u' = a (b v - u)
 *     if v >= 30: v = c, u = u + d
 * integrated with the scheme std.neurons' `izhikevich` declares: forward
 * Euler with `substeps` steps of h = dt/substeps per tick, both derivatives
 * of a step taken from the same (v, u); the spike test after the tick.
 *
 * The input I is a sum of step currents, each given as amplitude and a
 * window [t0, t1) in ms: it is on during the ticks n with
 * t0 <= n*dt < t1 (t0, t1 are multiples of dt in the tests).
 *
 * usage: izh_ref a b c d v0 dt substeps ticks [amp t0 t1]...
 * prints the tick of every spike, one per line. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc < 9 || (argc - 9) % 3 != 0) {
        fprintf(stderr, "usage: izh_ref a b c d v0 dt substeps ticks [amp t0 t1]...\n");
        return 2;
    }
    double a = atof(argv[1]), b = atof(argv[2]), c = atof(argv[3]), d = atof(argv[4]);
    double v = atof(argv[5]), dt = atof(argv[6]);
    int substeps = atoi(argv[7]);
    long ticks = atol(argv[8]);
    int npulses = (argc - 9) / 3;
    double u = b * v, h = dt / substeps;
    for (long n = 0; n < ticks; n++) {
        double I = 0;
        for (int p = 0; p < npulses; p++) {
            double amp = atof(argv[9 + 3 * p]), t0 = atof(argv[10 + 3 * p]), t1 = atof(argv[11 + 3 * p]);
            double t = n * dt;
            if (t >= t0 - 1e-9 && t < t1 - 1e-9)
                I += amp;
        }
        for (int s = 0; s < substeps; s++) {
            double dv = 0.04 * v * v + 5 * v + 140 - u + I;
            double du = a * (b * v - u);
            v = v + h * dv;
            u = u + h * du;
        }
        if (v >= 30) {
            v = c;
            u += d;
            printf("%ld\n", n);
        }
    }
    return 0;
}
