/* test_rt_parse.c - the strict number parsers and the option-value reader
 * shared by brainc and the executables it builds (rt_parse.h). */
#include "rt_test.h"
#include "rt_parse.h"
#include <string.h>

static void test_numbers(void)
{
    double d;
    uint64_t u;
    CHECK(rt_parse_number("2.5", &d) == 0 && d == 2.5, "2.5");
    CHECK(rt_parse_number("-1e3", &d) == 0 && d == -1000, "-1e3");
    CHECK(rt_parse_number("10x", &d) == -1, "trailing text refused");
    CHECK(rt_parse_number("1e999", &d) == -1, "overflow refused");
    CHECK(rt_parse_number("", &d) == -1, "empty refused");
    CHECK(rt_parse_u64("42", &u) == 0 && u == 42, "42");
    CHECK(rt_parse_u64("-1", &u) == -1, "sign refused");
    CHECK(rt_parse_u64("18446744073709551616", &u) == -1, "2^64 refused");
}

static void test_options(void)
{
    char *argv[] = {"prog", "--ticks", "10", "--seed=7", "-Dw=2", "-D", "v=3", "--tick", "--threads"};
    int argc = (int)(sizeof argv / sizeof argv[0]), m, i = 1;
    const char *v = rt_parse_option(argc, argv, &i, "--ticks", &m);
    CHECK(m && v && strcmp(v, "10") == 0 && i == 2, "--ticks 10 takes the next argument");
    i = 3;
    v = rt_parse_option(argc, argv, &i, "--seed", &m);
    CHECK(m && v && strcmp(v, "7") == 0 && i == 3, "--seed=7");
    i = 4;
    v = rt_parse_option(argc, argv, &i, "-D", &m);
    CHECK(m && v && strcmp(v, "w=2") == 0, "-Dw=2");
    i = 5;
    v = rt_parse_option(argc, argv, &i, "-D", &m);
    CHECK(m && v && strcmp(v, "v=3") == 0 && i == 6, "-D v=3");
    i = 7;
    v = rt_parse_option(argc, argv, &i, "--ticks", &m);
    CHECK(!m && !v && i == 7, "--tick is not --ticks");
    i = 1;
    v = rt_parse_option(argc, argv, &i, "--tick", &m);
    CHECK(!m && !v, "--ticks is not --tick");
    i = 8;
    v = rt_parse_option(argc, argv, &i, "--threads", &m);
    CHECK(m && !v && i == 8, "a missing value is NULL with matched set");
}

int main(void)
{
    test_numbers();
    test_options();
    return rt_test_report();
}
