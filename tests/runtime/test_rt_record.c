/* test_rt_record.c - recorders. A random raster written both as BRSPK1
 * and as CSV must read back (rt_record_read) exactly as written, and the
 * CSV file must equal the CSV this test prints from the decoded spikes.
 * Truncated or corrupt files are rejected; unwritable paths and full
 * disks return RT_ERR_IO with a message; allocation failures leak nothing.
 * The sample writer's CSV is compared with hand-written text. */
#include "rt_test.h"

#include "rt_record.h"

#include <stdarg.h>

#define NPOPS 3
#define N_TICKS 400
#define MAX_SPIKES 200000

static const RtPopulationInfo pops[NPOPS] = {
    { "exc", 300 },
    { "inh,\"b\"", 50 }, /* needs CSV quoting */
    { "input", 100000 },
};

typedef struct Spike {
    uint64_t tick;
    uint32_t pop, neuron;
} Spike;

static Spike reference[MAX_SPIKES];
static size_t nref;

static char dir[256];

static const char *path_in_dir(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
    return buf;
}

static int compare_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* A list for one (tick, population): sometimes empty, sometimes unsorted,
 * sometimes with a duplicate. */
static uint32_t random_list(TestRng *rng, uint32_t size, uint32_t *out)
{
    uint32_t n = test_rng_below(rng, 4) == 0 ? 0 : test_rng_below(rng, 40);
    for (uint32_t i = 0; i < n; i++)
        out[i] = test_rng_below(rng, size);
    if (n > 2 && test_rng_below(rng, 3) == 0)
        qsort(out, n, sizeof *out, compare_u32);
    if (n > 3 && test_rng_below(rng, 5) == 0)
        out[1] = out[0];
    return n;
}

static void add_reference(uint64_t tick, uint32_t pop, const uint32_t *list, uint32_t n)
{
    uint32_t sorted[64];
    memcpy(sorted, list, n * sizeof *list);
    qsort(sorted, n, sizeof *sorted, compare_u32);
    for (uint32_t i = 0; i < n && nref < MAX_SPIKES; i++)
        reference[nref++] = (Spike){ tick, pop, sorted[i] };
}

/* Same calls into both writers; ticks jump now and then, up to ~2^40. */
static int write_both(const char *bin_path, const char *csv_path)
{
    RtRasterWriter *bin, *csv;
    RtError err;
    if (rt_raster_open(NULL, bin_path, RT_RASTER_BINARY, pops, NPOPS, 0.1, &bin, &err) ||
        rt_raster_open(NULL, csv_path, RT_RASTER_CSV, pops, NPOPS, 0.1, &csv, &err)) {
        printf("open: %s\n", err.msg);
        return -1;
    }
    TestRng rng = { 2024 };
    uint64_t tick = 0;
    int failures = 0;
    for (int step = 0; step < N_TICKS; step++) {
        tick += test_rng_below(&rng, 50) == 0 ? ((uint64_t)1 << 33) : test_rng_below(&rng, 3);
        for (uint32_t k = 0; k < NPOPS; k++) {
            uint32_t pop = (k + (uint32_t)step) % NPOPS, list[64];
            uint32_t n = random_list(&rng, pops[pop].size, list);
            failures += rt_raster_write(bin, tick, pop, list, n, &err) != RT_OK;
            failures += rt_raster_write(csv, tick, pop, list, n, &err) != RT_OK;
            add_reference(tick, pop, list, n);
        }
    }
    failures += rt_raster_close(bin, &err) != RT_OK;
    failures += rt_raster_close(csv, &err) != RT_OK;
    return failures;
}

/* The CSV a correct writer produces for the decoded raster. */
static char *csv_from_raster(const RtRaster *r)
{
    size_t cap = 64 + r->count * 64, len = 0;
    char *text = malloc(cap);
    if (!text)
        return NULL;
    len += (size_t)snprintf(text, cap, "tick,population,neuron\n");
    for (size_t i = 0; i < r->count; i++) {
        const char *name = r->pops[r->populations[i]].name;
        char field[64];
        if (strpbrk(name, ",\"")) { /* RFC 4180: quote, double the quotes */
            size_t k = 0;
            field[k++] = '"';
            for (const char *c = name; *c; c++) {
                if (*c == '"')
                    field[k++] = '"';
                field[k++] = *c;
            }
            field[k++] = '"';
            field[k] = '\0';
        } else {
            snprintf(field, sizeof field, "%s", name);
        }
        len += (size_t)snprintf(text + len, cap - len, "%llu,%s,%u\n",
                                (unsigned long long)r->ticks[i], field, r->neurons[i]);
    }
    return text;
}

static void test_round_trip(void)
{
    char bin_path[512], csv_path[512];
    path_in_dir(bin_path, sizeof bin_path, "raster.brspk");
    path_in_dir(csv_path, sizeof csv_path, "raster.csv");
    CHECK(write_both(bin_path, csv_path) == 0, "writing the raster failed");
    RtAllocator a;
    rt_allocator_init(&a);
    RtRaster r;
    RtError err;
    if (rt_record_read(&a, bin_path, &r, &err) != RT_OK) {
        CHECK(0, "read back: %s", err.msg);
        return;
    }
    int bad = r.npops != NPOPS || r.dt_ms != 0.1;
    for (uint32_t p = 0; p < NPOPS && !bad; p++)
        bad += strcmp(r.pops[p].name, pops[p].name) != 0 || r.pops[p].size != pops[p].size;
    CHECK(bad == 0, "header differs");
    CHECK(r.count == nref && nref > 1000, "%zu spikes read, %zu written", r.count, nref);
    int diff = 0;
    for (size_t i = 0; i < r.count && i < nref; i++)
        diff += r.ticks[i] != reference[i].tick || r.populations[i] != reference[i].pop ||
                r.neurons[i] != reference[i].neuron;
    CHECK(diff == 0, "%d decoded spikes differ", diff);
    char *expected = csv_from_raster(&r), *got = test_read_file(csv_path, NULL);
    CHECK(expected && got && strcmp(expected, got) == 0, "CSV differs from the binary raster");
    size_t bin_len = 0;
    free(test_read_file(bin_path, &bin_len));
    CHECK(bin_len < 3 * nref, "binary is compact: %zu bytes for %zu spikes", bin_len, nref);
    free(expected);
    free(got);
    rt_raster_free(&r);
    CHECK(a.live_blocks == 0, "reader leaked %zu blocks", a.live_blocks);
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(data, 1, len, f);
        fclose(f);
    }
}

/* Every proper prefix of a valid file, and a few corruptions, must be
 * rejected with RT_ERR_FORMAT and leave nothing allocated. */
static void test_corrupt_files(void)
{
    char good[512], cut[512];
    path_in_dir(good, sizeof good, "small.brspk");
    path_in_dir(cut, sizeof cut, "cut.brspk");
    RtPopulationInfo small[2] = { { "a", 10 }, { "b", 1000 } };
    RtRasterWriter *w;
    RtError err;
    rt_raster_open(NULL, good, RT_RASTER_BINARY, small, 2, 1.0, &w, &err);
    uint32_t s1[] = { 3, 1, 9 }, s2[] = { 999, 0, 500 };
    rt_raster_write(w, 5, 0, s1, 3, &err);
    rt_raster_write(w, 300, 1, s2, 3, &err);
    CHECK(rt_raster_close(w, &err) == RT_OK, "small raster: %s", err.msg);
    size_t len;
    unsigned char *bytes = (unsigned char *)test_read_file(good, &len);
    RtAllocator a;
    rt_allocator_init(&a);
    RtRaster r;
    int wrong = 0;
    for (size_t n = 0; bytes && n < len; n++) {
        write_file(cut, bytes, n);
        wrong += rt_record_read(&a, cut, &r, &err) != RT_ERR_FORMAT;
    }
    CHECK(wrong == 0 && len > 20, "%d of %zu truncations not rejected", wrong, len);
    CHECK(strstr(err.msg, cut) != NULL, "message names the file: %s", err.msg);
    unsigned char *copy = malloc(len + 1);
    if (bytes && copy) {
        memcpy(copy, bytes, len);
        copy[0] = 'X';
        write_file(cut, copy, len);
        CHECK(rt_record_read(&a, cut, &r, &err) == RT_ERR_FORMAT, "bad magic");
        memcpy(copy, bytes, len);
        copy[len - 1] ^= 1; /* the end marker's total */
        write_file(cut, copy, len);
        CHECK(rt_record_read(&a, cut, &r, &err) == RT_ERR_FORMAT, "wrong total");
        memcpy(copy, bytes, len);
        copy[len] = 0;
        write_file(cut, copy, len + 1);
        CHECK(rt_record_read(&a, cut, &r, &err) == RT_ERR_FORMAT, "trailing garbage");
    }
    CHECK(a.live_blocks == 0, "failed reads leaked %zu blocks", a.live_blocks);
    CHECK(rt_record_read(&a, good, &r, &err) == RT_OK && r.count == 6 && r.neurons[0] == 1 &&
              r.neurons[5] == 999 && r.ticks[3] == 300,
          "the uncut file reads: %s", err.msg);
    rt_raster_free(&r);
    path_in_dir(cut, sizeof cut, "missing.brspk");
    CHECK(rt_record_read(&a, cut, &r, &err) == RT_ERR_IO, "missing file is an I/O error");
    free(bytes);
    free(copy);
}

static void test_unwritable(void)
{
    RtRasterWriter *w = (RtRasterWriter *)1;
    RtSampleWriter *s = (RtSampleWriter *)1;
    RtError err;
    RtAllocator a;
    rt_allocator_init(&a);
    const char *bad = "/nonexistent-brainrt-dir/raster.csv";
    CHECK(rt_raster_open(&a, bad, RT_RASTER_CSV, pops, NPOPS, 1, &w, &err) == RT_ERR_IO && !w,
          "unwritable path refused");
    CHECK(strstr(err.msg, bad) && strstr(err.msg, "No such file"), "message: %s", err.msg);
    CHECK(rt_raster_open(&a, dir, RT_RASTER_BINARY, pops, NPOPS, 1, &w, &err) == RT_ERR_IO,
          "a directory is not writable as a file: %s", err.msg);
    CHECK(rt_samples_open(&a, bad, &s, &err) == RT_ERR_IO && !s, "samples: unwritable path");
    CHECK(a.live_blocks == 0, "failed opens leaked %zu blocks", a.live_blocks);
}

/* /dev/full accepts the open and fails the first real write. */
static void test_disk_full(void)
{
    RtRasterWriter *w;
    RtError err;
    if (rt_raster_open(NULL, "/dev/full", RT_RASTER_CSV, pops, NPOPS, 1, &w, &err) != RT_OK) {
        printf("note: /dev/full not available, skipping (%s)\n", err.msg);
        return;
    }
    uint32_t list[40];
    for (uint32_t i = 0; i < 40; i++)
        list[i] = i;
    RtStatus st = RT_OK;
    int calls = 0;
    for (; calls < 100000 && st == RT_OK; calls++)
        st = rt_raster_write(w, (uint64_t)calls, 0, list, 40, &err);
    CHECK(st == RT_ERR_IO, "writing to a full disk fails (after %d calls)", calls);
    CHECK(strstr(err.msg, "/dev/full") && strstr(err.msg, "No space"), "message: %s", err.msg);
    CHECK(rt_raster_write(w, 1000000, 0, list, 1, &err) == RT_ERR_IO, "the failure is sticky");
    CHECK(rt_raster_close(w, &err) == RT_ERR_IO, "close reports the failure");

    RtSampleWriter *s;
    double v = 1;
    CHECK(rt_samples_open(NULL, "/dev/full", &s, &err) == RT_OK, "samples open");
    rt_samples_write(s, 0, "p", "v", &v, NULL, 1, &err);
    CHECK(rt_samples_close(s, &err) == RT_ERR_IO, "close flushes and reports: %s", err.msg);
}

static void test_argument_errors(void)
{
    char path[512];
    path_in_dir(path, sizeof path, "args.brspk");
    RtRasterWriter *w;
    RtError err;
    CHECK(rt_raster_open(NULL, path, RT_RASTER_BINARY, pops, 0, 1, &w, &err) == RT_ERR_ARG,
          "no populations refused");
    rt_raster_open(NULL, path, RT_RASTER_BINARY, pops, NPOPS, 1, &w, &err);
    uint32_t ok[] = { 1 }, outside[] = { 300 };
    CHECK(rt_raster_write(w, 10, 0, ok, 1, &err) == RT_OK, "a good write");
    CHECK(rt_raster_write(w, 9, 0, ok, 1, &err) == RT_ERR_ARG, "decreasing tick refused");
    CHECK(rt_raster_write(w, 10, 0, outside, 1, &err) == RT_ERR_ARG, "neuron >= size refused");
    CHECK(rt_raster_write(w, 10, 3, ok, 1, &err) == RT_ERR_ARG, "population >= npops refused");
    CHECK(rt_raster_write(w, 11, 1, ok, 1, &err) == RT_OK, "still usable after bad calls");
    CHECK(rt_raster_close(w, &err) == RT_OK, "close");
    RtRaster r;
    CHECK(rt_record_read(NULL, path, &r, &err) == RT_OK && r.count == 2, "only good calls stored");
    rt_raster_free(&r);
}

static void test_samples(void)
{
    char path[512];
    path_in_dir(path, sizeof path, "samples.csv");
    RtSampleWriter *s;
    RtError err;
    CHECK(rt_samples_open(NULL, path, &s, &err) == RT_OK, "open: %s", err.msg);
    double v[4] = { 0.1, 1.0 / 3.0, -2, 1e300 };
    uint32_t pick[2] = { 3, 1 };
    rt_samples_write(s, 0, "exc", "v", v, NULL, 2, &err);
    rt_samples_write(s, 10, "exc", "v", v, pick, 2, &err);
    rt_samples_write(s, 20, "syn,1", "w", v, NULL, 1, &err);
    CHECK(rt_samples_close(s, &err) == RT_OK, "close: %s", err.msg);
    char *got = test_read_file(path, NULL);
    const char *expected = "tick,target,variable,index,value\n"
                           "0,exc,v,0,0.1\n"
                           "0,exc,v,1,0.33333333333333331\n"
                           "10,exc,v,3,1e+300\n"
                           "10,exc,v,1,0.33333333333333331\n"
                           "20,\"syn,1\",w,0,0.1\n";
    CHECK(got && strcmp(got, expected) == 0, "sample CSV:\n%s", got ? got : "(unreadable)");
    free(got);
}

static void test_allocation_failures(void)
{
    char path[512];
    path_in_dir(path, sizeof path, "nomem.brspk");
    RtRasterWriter *w;
    uint32_t one = 0;
    rt_raster_open(NULL, path, RT_RASTER_BINARY, pops, NPOPS, 1, &w, NULL);
    rt_raster_write(w, 0, 0, &one, 1, NULL);
    rt_raster_close(w, NULL); /* a file to read even when the opens below fail */
    int wrong = 0, leaks = 0;
    for (uint64_t nth = 1; nth <= 16; nth++) {
        RtAllocator a;
        rt_allocator_init(&a);
        rt_allocator_fail_nth(&a, nth, false);
        RtStatus st = rt_raster_open(&a, path, RT_RASTER_BINARY, pops, NPOPS, 1, &w, NULL);
        if (st == RT_OK) {
            uint32_t list[3] = { 2, 1, 0 }; /* unsorted: needs scratch */
            st = rt_raster_write(w, 1, 0, list, 3, NULL);
            rt_raster_close(w, NULL);
        }
        wrong += st != RT_OK && st != RT_ERR_NOMEM;
        RtRaster r;
        rt_allocator_fail_nth(&a, nth, false);
        st = rt_record_read(&a, path, &r, NULL);
        if (st == RT_OK)
            rt_raster_free(&r);
        wrong += st != RT_OK && st != RT_ERR_NOMEM;
        leaks += a.live_blocks != 0;
    }
    CHECK(wrong == 0 && leaks == 0, "allocation failures: %d wrong statuses, %d leaks", wrong,
          leaks);
}

/* Removes the files this test made, then the directory. */
static void clean_up(void)
{
    static const char *names[] = { "raster.brspk", "raster.csv", "small.brspk", "cut.brspk",
                                   "args.brspk",   "samples.csv", "nomem.brspk" };
    char path[512];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        remove(path_in_dir(path, sizeof path, names[i]));
    rmdir(dir);
}

int main(void)
{
    if (!test_tmpdir(dir, sizeof dir)) {
        printf("cannot create a temporary directory\n");
        return 1;
    }
    test_round_trip();
    test_corrupt_files();
    test_unwritable();
    test_disk_full();
    test_argument_errors();
    test_samples();
    test_allocation_failures();
    clean_up();
    return rt_test_report();
}
