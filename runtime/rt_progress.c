/* rt_progress.c - the progress line; see rt_progress.h. */
#define _POSIX_C_SOURCE 200809L
#include "rt_progress.h"
#include "rt_brain.h"

#include <math.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double rt_clock_monotonic(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* v with a comma every three digits: 48300 -> "48,300". */
static size_t put_grouped(char *dst, uint64_t v)
{
    char digits[20];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    size_t k = 0;
    for (size_t i = n; i-- > 0;) {
        dst[k++] = digits[i];
        if (i > 0 && i % 3 == 0)
            dst[k++] = ',';
    }
    dst[k] = '\0';
    return k;
}

/* "m:ss", or "h:mm:ss" from an hour on; seconds rounded up so the display
 * reaches 0:00 only when the work is done. */
static void put_duration(char *dst, size_t size, double seconds)
{
    if (!(seconds < 1e12)) {
        snprintf(dst, size, "?");
        return;
    }
    uint64_t s = (uint64_t)ceil(seconds);
    uint64_t h = s / 3600, m = s / 60 % 60, sec = s % 60;
    if (h)
        snprintf(dst, size, "%llu:%02llu:%02llu", (unsigned long long)h, (unsigned long long)m,
                 (unsigned long long)sec);
    else
        snprintf(dst, size, "%llu:%02llu", (unsigned long long)m, (unsigned long long)sec);
}

size_t rt_progress_format(char *buf, size_t size, uint64_t tick, uint64_t total, double rate)
{
    bool known_rate = rate > 0.0 && isfinite(rate) && rate < 1e19;
    char ticks[32] = "?", eta[32] = "?";
    if (known_rate)
        put_grouped(ticks, (uint64_t)llround(rate));
    int n;
    if (total == 0) {
        n = snprintf(buf, size, "tick %llu  %s ticks/s", (unsigned long long)tick, ticks);
    } else {
        uint64_t left = tick < total ? total - tick : 0;
        if (known_rate)
            put_duration(eta, sizeof eta, (double)left / rate);
        else if (left == 0)
            put_duration(eta, sizeof eta, 0.0);
        n = snprintf(buf, size, "tick %llu/%llu  %.1f%%  %s ticks/s  ETA %s",
                     (unsigned long long)tick, (unsigned long long)total,
                     100.0 * (double)tick / (double)total, ticks, eta);
    }
    if (n < 0)
        return 0;
    return (size_t)n < size ? (size_t)n : size - 1;
}

void rt_progress_start(RtProgress *p, FILE *out, RtProgressMode mode, uint64_t first_tick,
                       uint64_t total, RtClockFn clock, void *clock_ctx)
{
    memset(p, 0, sizeof *p);
    p->out = out;
    p->clock = clock ? clock : rt_clock_monotonic;
    p->clock_ctx = clock_ctx;
    p->total = total;
    p->first_tick = first_tick;
    p->enabled = mode == RT_PROGRESS_ON || (mode == RT_PROGRESS_AUTO && isatty(fileno(out)));
    if (p->enabled)
        p->start_s = p->last_draw_s = p->clock(p->clock_ctx);
}

/* '\r', the line, and blanks over whatever the previous line had more. */
static void draw(RtProgress *p, uint64_t tick, double now)
{
    double elapsed = now - p->start_s;
    uint64_t done = tick > p->first_tick ? tick - p->first_tick : 0;
    double rate = elapsed > 0.0 ? (double)done / elapsed : 0.0;
    char line[RT_PROGRESS_LINE_MAX];
    size_t len = rt_progress_format(line, sizeof line, tick, p->total, rate);
    size_t pad = p->last_len > len ? p->last_len - len : 0;
    fprintf(p->out, "\r%s%*s", line, (int)pad, "");
    fflush(p->out);
    p->last_len = len;
    p->last_draw_s = now;
    p->drawn = true;
}

void rt_progress_update(RtProgress *p, uint64_t tick)
{
    if (!p->enabled)
        return;
    double now = p->clock(p->clock_ctx);
    if (now - p->last_draw_s >= 1.0 / RT_PROGRESS_HZ)
        draw(p, tick, now);
}

void rt_progress_finish(RtProgress *p, uint64_t tick)
{
    if (!p->enabled)
        return;
    draw(p, tick, p->clock(p->clock_ctx));
    fputc('\n', p->out);
    fflush(p->out);
}

RtStatus rt_progress_step(RtBrain *b, uint64_t ticks, RtProgressMode mode, RtError *err)
{
    RtProgress pr;
    rt_progress_start(&pr, stderr, mode, 0, ticks, rt_clock_monotonic, NULL);
    if (!pr.enabled)
        return rt_brain_step(b, ticks, err);
    RtStatus first = RT_OK;
    for (uint64_t t = 0; t < ticks; t++) {
        RtStatus st = rt_brain_step(b, 1, err);
        first = first ? first : st;
        rt_progress_update(&pr, t + 1);
    }
    rt_progress_finish(&pr, ticks);
    return first;
}
