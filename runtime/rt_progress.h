/* rt_progress.h - a one-line progress display for long simulations:
 *
 *     tick 1200/10000  12.0%  48,300 ticks/s  ETA 0:01
 *
 * redrawn in place ('\r') at most RT_PROGRESS_HZ times a second, and only
 * when the stream is a terminal (or the caller forces it). The clock is a
 * function pointer so tests can drive it with fixed times. */
#ifndef BR_RT_PROGRESS_H
#define BR_RT_PROGRESS_H

#include "rt_error.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Redraws a second: smooth to the eye, negligible cost even when every
 * tick calls rt_progress_update. */
#define RT_PROGRESS_HZ 10

/* Enough for the longest line (20-digit ticks, rate and ETA). */
#define RT_PROGRESS_LINE_MAX 128

/* Seconds on a monotonic clock; ctx is the caller's. */
typedef double (*RtClockFn)(void *ctx);

typedef enum RtProgressMode {
    RT_PROGRESS_AUTO, /* draw when out is a terminal */
    RT_PROGRESS_OFF,
    RT_PROGRESS_ON
} RtProgressMode;

typedef struct RtProgress {
    FILE *out;
    bool enabled;
    RtClockFn clock;
    void *clock_ctx;
    uint64_t total;      /* 0: unknown, no percentage or ETA */
    uint64_t first_tick; /* tick at rt_progress_start */
    double start_s;
    double last_draw_s;
    size_t last_len;     /* length of the line on screen, to blank leftovers */
    bool drawn;
} RtProgress;

/* The monotonic clock (CLOCK_MONOTONIC), for real use; ignores ctx. */
double rt_clock_monotonic(void *ctx);

/* Starts timing at first_tick, counting towards total ticks. */
void rt_progress_start(RtProgress *p, FILE *out, RtProgressMode mode, uint64_t first_tick,
                       uint64_t total, RtClockFn clock, void *clock_ctx);

/* Call as often as convenient (every tick is fine): redraws when
 * 1/RT_PROGRESS_HZ seconds have passed since the last drawing. */
void rt_progress_update(RtProgress *p, uint64_t tick);

/* Draws the final state and ends the line (if anything was drawn). */
void rt_progress_finish(RtProgress *p, uint64_t tick);

/* Steps b for ticks ticks (rt_brain_step), redrawing the progress line
 * on stderr per mode (RT_PROGRESS_AUTO: when stderr is a terminal; one
 * rt_brain_step call when nothing is drawn). Returns the first failure. */
struct RtBrain;
RtStatus rt_progress_step(struct RtBrain *b, uint64_t ticks, RtProgressMode mode, RtError *err);

/* The line for a state, without '\r' or newline; rate in ticks/s (<= 0 or
 * not finite: unknown). Returns its length. Pure, for tests. */
size_t rt_progress_format(char *buf, size_t size, uint64_t tick, uint64_t total, double rate);

#endif /* BR_RT_PROGRESS_H */
