/* test_rt_progress.c - the progress line: exact text for fixed values,
 * redraws limited to RT_PROGRESS_HZ under a fake clock, blanking of a
 * shorter line, and silence when the stream is not a terminal. */
#include "rt_test.h"

#include "rt_progress.h"

static void check_format(uint64_t tick, uint64_t total, double rate, const char *expected)
{
    char line[RT_PROGRESS_LINE_MAX];
    size_t len = rt_progress_format(line, sizeof line, tick, total, rate);
    CHECK(strcmp(line, expected) == 0 && len == strlen(expected), "got \"%s\", want \"%s\"", line,
          expected);
}

static void test_format(void)
{
    check_format(1200, 10000, 48300, "tick 1200/10000  12.0%  48,300 ticks/s  ETA 0:01");
    check_format(1200, 10000, 400, "tick 1200/10000  12.0%  400 ticks/s  ETA 0:22");
    check_format(0, 10000, 0, "tick 0/10000  0.0%  ? ticks/s  ETA ?");
    check_format(10000, 10000, 0, "tick 10000/10000  100.0%  ? ticks/s  ETA 0:00");
    check_format(5, 3723 * 10 + 5, 10, "tick 5/37235  0.0%  10 ticks/s  ETA 1:02:03");
    check_format(999, 1000, 1234567.4, "tick 999/1000  99.9%  1,234,567 ticks/s  ETA 0:01");
    check_format(42, 0, 1000, "tick 42  1,000 ticks/s");
    check_format(7, 10, 1e300, "tick 7/10  70.0%  ? ticks/s  ETA ?");
    char tiny[8];
    size_t len = rt_progress_format(tiny, sizeof tiny, 1, 2, 3);
    CHECK(len == 7 && strcmp(tiny, "tick 1/") == 0, "truncated to the buffer: \"%s\"", tiny);
}

typedef struct FakeClock {
    double now;
    int reads;
} FakeClock;

static double fake_clock(void *ctx)
{
    FakeClock *c = ctx;
    c->reads++;
    return c->now;
}

static int count_char(const char *s, char c)
{
    int n = 0;
    for (; *s; s++)
        n += *s == c;
    return n;
}

/* 1000 updates over 2 s of fake time: about 20 redraws, not 1000. */
static void test_rate_limit(void)
{
    FILE *f = tmpfile();
    if (!f) {
        CHECK(0, "tmpfile");
        return;
    }
    FakeClock clock = { 100.0, 0 };
    RtProgress p;
    rt_progress_start(&p, f, RT_PROGRESS_ON, 0, 1000, fake_clock, &clock);
    for (uint64_t t = 1; t <= 1000; t++) {
        clock.now = 100.0 + 0.002 * (double)t;
        rt_progress_update(&p, t);
    }
    rt_progress_finish(&p, 1000);
    fflush(f);
    rewind(f);
    char buf[8192] = { 0 };
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    int redraws = count_char(buf, '\r');
    CHECK(redraws >= 19 && redraws <= 22, "%d redraws for 2 s at %d Hz", redraws, RT_PROGRESS_HZ);
    CHECK(n > 0 && buf[n - 1] == '\n', "finish ends the line");
    const char *last = strrchr(buf, '\r');
    CHECK(last && strncmp(last, "\rtick 1000/1000  100.0%  500 ticks/s  ETA 0:00", 46) == 0,
          "final line: %s", last ? last + 1 : "(none)");
}

/* A shorter line is padded with blanks over the previous one's tail. */
static void test_blanking(void)
{
    FILE *f = tmpfile();
    if (!f) {
        CHECK(0, "tmpfile");
        return;
    }
    FakeClock clock = { 0, 0 };
    RtProgress p;
    rt_progress_start(&p, f, RT_PROGRESS_ON, 0, 0, fake_clock, &clock);
    clock.now = 1.0;
    rt_progress_update(&p, 123456); /* "tick 123456  123,456 ticks/s" */
    clock.now = 1000.0;
    rt_progress_update(&p, 123457); /* "tick 123457  123 ticks/s" */
    rewind(f);
    char buf[256] = { 0 };
    CHECK(fread(buf, 1, sizeof buf - 1, f) > 0, "output");
    fclose(f);
    CHECK(strcmp(buf, "\rtick 123456  123,456 ticks/s\rtick 123457  123 ticks/s    ") == 0,
          "blanked: \"%s\"", buf);
}

static void test_silent_when_not_a_terminal(void)
{
    FILE *f = tmpfile();
    if (!f) {
        CHECK(0, "tmpfile");
        return;
    }
    FakeClock clock = { 0, 0 };
    RtProgress p;
    rt_progress_start(&p, f, RT_PROGRESS_AUTO, 0, 100, fake_clock, &clock);
    for (uint64_t t = 0; t < 100; t++) {
        clock.now += 1.0;
        rt_progress_update(&p, t);
    }
    rt_progress_finish(&p, 100);
    CHECK(ftell(f) == 0, "nothing written to a non-terminal (%ld bytes)", ftell(f));
    CHECK(clock.reads == 0, "the clock is not even read (%d reads)", clock.reads);
    rt_progress_start(&p, f, RT_PROGRESS_OFF, 0, 100, fake_clock, &clock);
    rt_progress_update(&p, 50);
    rt_progress_finish(&p, 100);
    CHECK(ftell(f) == 0, "OFF writes nothing");
    fclose(f);
    double t1 = rt_clock_monotonic(NULL), t2 = rt_clock_monotonic(NULL);
    CHECK(t2 >= t1 && t1 > 0, "monotonic clock");
}

int main(void)
{
    test_format();
    test_rate_limit();
    test_blanking();
    test_silent_when_not_a_terminal();
    return rt_test_report();
}
