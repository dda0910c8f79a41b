/* run_brain.c - one brain from instantiation to its summary line. */
#include "driver/run_brain.h"
#include "backend/llvm/llvm_cache.h"
#include "driver/checkpoint_opts.h"
#include "rt_brain.h"
#include "rt_progress.h"
#include <stdlib.h>
#include <string.h>

int run_compile(const Nir *nir, const char *cache_dir, LlvmBrain **lb, char *msg, size_t size)
{
    LlvmError lerr = {{0}};
    if (llvm_brain_compile_cached(nir, cache_dir, lb, &lerr) == 0)
        return 0;
    snprintf(msg, size, "%s", lerr.msg);
    return -1;
}

static int fail(RunResult *res, int status, const char *msg)
{
    res->status = status;
    snprintf(res->msg, sizeof res->msg, "%s", msg);
    return status;
}

int run_brain(LlvmBrain *lb, const Nir *nir, const RunSettings *rs, RunResult *res)
{
    memset(res, 0, sizeof *res);
    res->spikes = calloc((size_t)nir->npops + 1, sizeof *res->spikes);
    if (!res->spikes)
        return fail(res, 3, "out of memory");
    LlvmError lerr = {{0}};
    RtBrain *b = llvm_brain_instantiate(lb, rs->threads ? rs->threads : 1, &lerr);
    if (!b)
        return fail(res, 3, lerr.msg);
    RtError rerr = {0};
    if ((rs->ckpt && checkpoint_resume(rs->ckpt, b, &rerr)) || record_attach(b, nir, &rs->rec, &rerr)) {
        rt_brain_destroy(b);
        return fail(res, 1, rerr.msg);
    }
    for (int p = 0; p < nir->npops; p++) /* a resumed brain counts from its checkpoint */
        res->spikes[p] = rt_brain_spike_count(b, (uint32_t)p);
    double start = rt_clock_monotonic(NULL);
    RtStatus st = rs->ckpt ? checkpoint_step(rs->ckpt, b, rs->ticks, &rerr)
                           : rt_progress_step(b, rs->ticks, rs->progress ? RT_PROGRESS_AUTO : RT_PROGRESS_OFF, &rerr);
    RtError cerr = {0};
    RtStatus cst = rt_brain_record_close(b, &cerr);
    res->seconds = rt_clock_monotonic(NULL) - start;
    for (int p = 0; p < nir->npops; p++)
        res->spikes[p] = rt_brain_spike_count(b, (uint32_t)p) - res->spikes[p];
    rt_brain_destroy(b);
    if (st || cst)
        return fail(res, 1, st ? rerr.msg : cerr.msg);
    return 0;
}

void run_result_free(RunResult *res)
{
    free(res->spikes);
    res->spikes = NULL;
}

void run_print_summary(FILE *out, const Nir *nir, const RunResult *res, uint64_t ticks,
                       const char *label)
{
    uint64_t total = 0;
    for (int p = 0; p < nir->npops; p++)
        total += res->spikes[p];
    double ms = (double)ticks * nir->dt;
    fprintf(out, "%s%sran %llu ticks (%g ms), %llu spikes; rates (Hz):", label ? label : "",
            label ? ": " : "", (unsigned long long)ticks, ms, (unsigned long long)total);
    for (int p = 0; p < nir->npops; p++) {
        double n = (double)res->spikes[p];
        double rate = ms > 0 && nir->pops[p].size ? n / nir->pops[p].size / (ms / 1000.0) : 0;
        fprintf(out, " %s %.3g", nir->pops[p].path, rate);
    }
    double s = res->seconds;
    fprintf(out, "; %.3f s, %.0f ticks/s\n", s, s > 0 ? (double)ticks / s : 0);
}
