/* check.h - the assertion and summary shared by the C test programs:
 * CHECK(cond, fmt, ...) counts and reports a failure with its place, and
 * check_report() prints the "N passed, M failed" line ctest shows. */
#ifndef BRAINC_TEST_CHECK_H
#define BRAINC_TEST_CHECK_H
#include <stdio.h>

static int check_passed, check_failed;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (cond) {                                                                                \
            ++check_passed;                                                                        \
        } else {                                                                                   \
            ++check_failed;                                                                        \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                            \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
        }                                                                                          \
    } while (0)

/* Prints the summary (prefixed by name when given); the exit status to return. */
static inline int check_report(const char *name)
{
    printf("%s%s%d passed, %d failed\n", name ? name : "", name ? ": " : "", check_passed, check_failed);
    return check_failed != 0;
}
#endif
