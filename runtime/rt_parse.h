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
#endif
