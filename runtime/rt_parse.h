/* rt_parse.h - strict parsing of command-line numbers, shared by brainc and
 * the standalone executables it builds: the whole string must be the
 * number, so `--ticks 10x` or `-D a=1e999` is an error, not 10 or inf. */
#ifndef RT_PARSE_H
#define RT_PARSE_H
#include <stdint.h>

/* A finite decimal number; 0, or -1 when s is not one. */
int rt_parse_number(const char *s, double *out);
/* A non-negative integer without sign; 0, or -1 when s is not one or overflows. */
int rt_parse_u64(const char *s, uint64_t *out);
/* The value of option opt at argv[*i]: `--opt V` (advancing *i), `--opt=V`,
 * or for a two-character opt such as "-D" also `-DV`. *matched says whether
 * argv[*i] is opt at all; NULL with *matched = 1 means the value is missing. */
const char *rt_parse_option(int argc, char **argv, int *i, const char *opt, int *matched);
#endif
