/* im8_speed.c - ticks per second of an inner-models-v8 brain under brainc,
 * with the reference baseline's two drives (bench/README.md, "im8"):
 *
 *   im8_speed FILE.json|FILE.brain TICKS tonic|tonic=AMP|noise [SEED] [COUNTS.txt]
 *
 * FILE is imported (a .json recipe, with the recipe's seed unless SEED is
 * given; "" keeps it) or loaded (.brain), checked, elaborated, JIT-compiled (through the
 * cache in $BRAINC_CACHE_DIR when it is set, else without a cache: a first
 * compile) and run as a pure brain:
 * no body, learning on (the synapse rules always run). Before every tick
 * each neuron's first input gets 2.5 (tonic, what the arena adds; AMP with
 * tonic=AMP, for tests) or
 * 2.5 + N(0, 2) (noise: a ziggurat over xoshiro128++ seeded from SEED; its
 * time is reported apart as drive_s, and included in ticks_per_s).
 * Prints one line:
 *   neurons N synapses S groups G pops P drive D ticks T spikes K
 *   spikes_per_tick X build_s B compile_s C run_s R drive_s D' ticks_per_s Y
 *   brain_ticks_per_s Y' (the same without the time spent making the drive)
 *   cpu_ticks_per_s Y'' (ticks over the process's CPU time: steadier on a
 *   shared machine)
 * With COUNTS.txt, writes the spikes of each tick, one number a line. */
#include "backend/llvm/llvm_cache.h"
#include "backend/llvm/llvm_codegen.h"
#include "front/loader.h"
#include "import/import.h"
#include "nir/nir.h"
#include "rt_brain.h"
#include "sema/sema.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static double clock_s(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

static double now(void) { return clock_s(CLOCK_MONOTONIC); }
static double cpu(void) { return clock_s(CLOCK_PROCESS_CPUTIME_ID); }

/* ---- the noise drive: N(0, 1) by Marsaglia and Tsang's ziggurat (2000),
 * 128 layers, over xoshiro128++ (a few ns a draw; the brain should not
 * wait on its input) -------------------------------------------------------- */

typedef struct Zig {
    uint32_t s[4];
    uint32_t kn[128];
    double wn[128], fn[128];
} Zig;

static uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

static uint32_t next32(Zig *z)
{
    uint32_t *s = z->s, r = rotl(s[0] + s[3], 7) + s[0], t = s[1] << 9;
    s[2] ^= s[0], s[3] ^= s[1], s[1] ^= s[2], s[0] ^= s[3], s[2] ^= t, s[3] = rotl(s[3], 11);
    return r;
}

static double uni(Zig *z) { return ((double)next32(z) + 0.5) / 4294967296.0; } /* (0, 1) */

static void zig_init(Zig *z, uint64_t seed)
{
    uint64_t x = seed ^ 0x696d38u; /* splitmix64 for the state */
    for (int k = 0; k < 4; k++) {
        uint64_t v = (x += 0x9e3779b97f4a7c15ull);
        v = (v ^ (v >> 30)) * 0xbf58476d1ce4e5b9ull;
        v = (v ^ (v >> 27)) * 0x94d049bb133111ebull;
        z->s[k] = (uint32_t)(v ^ (v >> 31)) | 1u;
    }
    const double m1 = 2147483648.0, vn = 9.91256303526217e-3;
    double dn = 3.442619855899, tn = dn, q = vn / exp(-0.5 * dn * dn);
    z->kn[0] = (uint32_t)((dn / q) * m1);
    z->kn[1] = 0;
    z->wn[0] = q / m1;
    z->wn[127] = dn / m1;
    z->fn[0] = 1.0;
    z->fn[127] = exp(-0.5 * dn * dn);
    for (int i = 126; i >= 1; i--) {
        dn = sqrt(-2.0 * log(vn / dn + exp(-0.5 * dn * dn)));
        z->kn[i + 1] = (uint32_t)((dn / tn) * m1);
        tn = dn;
        z->fn[i] = exp(-0.5 * dn * dn);
        z->wn[i] = dn / m1;
    }
}

/* A draw hz (layer iz) outside its layer's rectangle: the tail or the
 * wedge, else a new draw. */
static double normal_slow(Zig *z, int32_t hz, uint32_t iz)
{
    for (;;) {
        double x = hz * z->wn[iz];
        if (iz == 0) { /* the tail beyond r */
            const double r = 3.442619855899;
            double y;
            do {
                x = -log(uni(z)) / r;
                y = -log(uni(z));
            } while (y + y < x * x);
            return hz > 0 ? r + x : -r - x;
        }
        if (z->fn[iz] + uni(z) * (z->fn[iz - 1] - z->fn[iz]) < exp(-0.5 * x * x))
            return x;
        hz = (int32_t)next32(z);
        iz = (uint32_t)hz & 127u;
        uint32_t ahz = hz < 0 ? (uint32_t)-(int64_t)hz : (uint32_t)hz;
        if (ahz < z->kn[iz])
            return hz * z->wn[iz];
    }
}

/* out[k] += base + scale * N(0, 1) for k < n: the ziggurat's fast path with
 * the generator's state in registers (through memory, each draw waits on
 * the last one's stores); the rare other cases go through normal_slow(). */
static void add_normals(Zig *z, double *out, uint32_t n, double base, double scale)
{
    uint32_t s0 = z->s[0], s1 = z->s[1], s2 = z->s[2], s3 = z->s[3];
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = rotl(s0 + s3, 7) + s0, t = s1 << 9;
        s2 ^= s0, s3 ^= s1, s1 ^= s2, s0 ^= s3, s2 ^= t, s3 = rotl(s3, 11);
        int32_t hz = (int32_t)r;
        uint32_t iz = (uint32_t)hz & 127u, ahz = hz < 0 ? (uint32_t)-(int64_t)hz : (uint32_t)hz;
        double x;
        if (ahz < z->kn[iz]) {
            x = hz * z->wn[iz];
        } else { /* the same draws as a one-at-a-time generator */
            z->s[0] = s0, z->s[1] = s1, z->s[2] = s2, z->s[3] = s3;
            x = normal_slow(z, hz, iz);
            s0 = z->s[0], s1 = z->s[1], s2 = z->s[2], s3 = z->s[3];
        }
        out[k] += base + scale * x;
    }
    z->s[0] = s0, z->s[1] = s1, z->s[2] = s2, z->s[3] = s3;
}

static int load(Program *prog, Diag *diag, const char *file, const char **search, uint64_t *seed)
{
    if (!import_is_json_path(file))
        return program_load(prog, diag, file, search);
    ImportResult r;
    if (import_json_file(file, search, diag, &r) != 0) {
        program_load_text(prog, diag, file, "", 0, search);
        return -1;
    }
    *seed = r.seed;
    int rc = program_load_text(prog, diag, file, r.text, r.size, search);
    import_result_free(&r);
    return rc;
}

int main(int argc, char **argv)
{
    double amp = 2.5;
    if (argc >= 4 && strncmp(argv[3], "tonic=", 6) == 0)
        amp = atof(argv[3] + 6);
    else if (argc >= 4 && strcmp(argv[3], "tonic") && strcmp(argv[3], "noise"))
        argc = 0;
    if (argc < 4) {
        fprintf(stderr, "usage: im8_speed FILE.json|FILE.brain TICKS tonic|tonic=AMP|noise [SEED] [COUNTS.txt]\n");
        return 2;
    }
    const char *file = argv[1];
    long long ticks = atoll(argv[2]);
    int noise = strcmp(argv[3], "noise") == 0;
    uint64_t seed = 1;
    const char *env = getenv("BRAINC_STDLIB");
    const char *search[] = {env && *env ? env : BRAINC_STDLIB_DIR, NULL};
    Diag diag;
    diag_init(&diag, stderr);
    Program prog;
    double t0 = now();
    if (load(&prog, &diag, file, search, &seed) != 0 || (sema_check(&prog), diag.nerrors)) {
        program_free(&prog);
        diag_finish(&diag);
        diag_free(&diag);
        return 1;
    }
    if (argc > 4 && *argv[4])
        seed = strtoull(argv[4], NULL, 10);
    NirOptions opt = {0};
    opt.seed = seed;
    Nir *nir = nir_build(&prog, &opt, &diag);
    if (!nir) {
        program_free(&prog);
        diag_finish(&diag);
        diag_free(&diag);
        return 1;
    }
    double t1 = now();
    LlvmBrain *lb = NULL;
    LlvmError err = {{0}};
    const char *cache = getenv("BRAINC_CACHE_DIR");
    if (cache && *cache)
        (void)mkdir(cache, 0755); /* may exist */
    if (llvm_brain_compile_cached(nir, cache && *cache ? cache : NULL, &lb, &err)) {
        fprintf(stderr, "compile failed: %s\n", err.msg);
        return 3;
    }
    double t2 = now();
    const char *threads_env = getenv("THREADS"); /* brain threads, default 1 */
    unsigned threads = threads_env && atoi(threads_env) > 0 ? (unsigned)atoi(threads_env) : 1;
    RtBrain *b = llvm_brain_instantiate(lb, threads, &err);
    if (!b) {
        fprintf(stderr, "instantiate failed: %s\n", err.msg);
        return 3;
    }
    FILE *counts = argc > 5 ? fopen(argv[5], "w") : NULL;
    if (argc > 5 && !counts) {
        perror(argv[5]);
        return 1;
    }
    uint64_t total = 0;
    RtError rerr = {0};
    double t3 = now(), c3 = cpu();
    Zig zig;
    zig_init(&zig, seed);
    double drive_s = 0;
    for (long long t = 0; t < ticks; t++) {
        double td = now();
        for (int p = 0; p < nir->npops; p++) {
            double *in = rt_brain_pop_input(b, (uint32_t)p, 0);
            uint32_t n = nir->pops[p].size;
            if (!noise) {
                for (uint32_t k = 0; k < n; k++)
                    in[k] += amp;
                continue;
            }
            add_normals(&zig, in, n, 2.5, 2.0);
        }
        drive_s += now() - td;
        if (rt_brain_step(b, 1, &rerr) != RT_OK) {
            fprintf(stderr, "step failed: %s\n", rerr.msg);
            return 3;
        }
        uint64_t k = 0;
        for (int p = 0; p < nir->npops; p++) {
            uint32_t n;
            rt_brain_spikes(b, (uint32_t)p, &n);
            k += n;
        }
        total += k;
        if (counts)
            fprintf(counts, "%llu\n", (unsigned long long)k);
    }
    double t4 = now(), c4 = cpu();
    if (counts)
        fclose(counts);
    printf("neurons %llu synapses %llu groups %d pops %d drive %s ticks %lld spikes %llu spikes_per_tick %.1f "
           "build_s %.2f compile_s %.2f run_s %.3f drive_s %.3f ticks_per_s %.0f brain_ticks_per_s %.0f "
           "cpu_ticks_per_s %.0f\n",
           (unsigned long long)nir->n_neurons, (unsigned long long)nir->n_synapses, nir->ngroups, nir->npops,
           argv[3], ticks, (unsigned long long)total, ticks ? (double)total / (double)ticks : 0.0, t1 - t0,
           t2 - t1, t4 - t3, drive_s, ticks / (t4 - t3), ticks / (t4 - t3 - drive_s), ticks / (c4 - c3));
    rt_brain_destroy(b);
    llvm_brain_free(lb);
    nir_free(nir);
    program_free(&prog);
    diag_finish(&diag);
    diag_free(&diag);
    return 0;
}
