/* rt_parse.c - strict number parsing for command lines. */
#include "rt_parse.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int rt_parse_number(const char *s, double *out)
{
    if (!s)
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || v != v || v - v != 0)
        return -1;
    *out = v;
    return 0;
}

int rt_parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno == ERANGE)
        return -1;
    *out = v;
    return 0;
}

const char *rt_parse_option(int argc, char **argv, int *i, const char *opt, int *matched)
{
    const char *a = argv[*i];
    size_t n = strlen(opt);
    *matched = 1;
    if (strncmp(a, opt, n) == 0 && a[n] == '=')
        return a + n + 1;
    if (strcmp(a, opt) == 0)
        return *i + 1 < argc ? argv[++*i] : NULL;
    if (n == 2 && strncmp(a, opt, 2) == 0 && a[2])
        return a + 2;
    *matched = 0;
    return NULL;
}
