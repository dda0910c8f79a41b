/* link.c - running the C compiler as a linker for `brainc build`: the
 * command line is built as an argv array and run with posix_spawnp, so no
 * shell ever parses a path; the exit status is checked. */
#define _POSIX_C_SOURCE 200809L
#include "driver/link.h"
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

#ifndef BRAINC_CC
#define BRAINC_CC "cc"
#endif
#ifndef BRAINC_RUNTIME_LDFLAGS
#define BRAINC_RUNTIME_LDFLAGS ""
#endif

#define MAX_ARGS 256

typedef struct Args {
    char *v[MAX_ARGS + 1];
    int n;
    char *words;  /* the split copy of $CC and the flags, freed at the end */
    char *paths;  /* the library paths under $BRAINC_RUNTIME_DIR */
} Args;

static int push(Args *a, char *s)
{
    if (a->n == MAX_ARGS)
        return -1;
    a->v[a->n++] = s;
    a->v[a->n] = NULL;
    return 0;
}

/* Pushes the space-separated words of s (copied into *store). */
static int push_words(Args *a, const char *s, char **store)
{
    *store = strdup(s);
    if (!*store)
        return -1;
    for (char *save = NULL, *w = strtok_r(*store, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
        if (push(a, w))
            return -1;
    return 0;
}

/* The standalone main and runtime libraries, in link order. */
static int push_runtime(Args *a)
{
    const char *dir = getenv("BRAINC_RUNTIME_DIR");
    if (!dir || !*dir)
        return push(a, BRAINC_RUNTIME_MAIN_LIB) || push(a, BRAINC_RUNTIME_LIB);
    size_t n = strlen(dir) + 32;
    a->paths = malloc(2 * n);
    if (!a->paths)
        return -1;
    snprintf(a->paths, n, "%s/libbrainrt_main.a", dir);
    snprintf(a->paths + n, n, "%s/libbrainrt.a", dir);
    return push(a, a->paths) || push(a, a->paths + n);
}

int driver_spawn(char *const *argv, char *msg, size_t size)
{
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
    if (rc != 0) {
        snprintf(msg, size, "cannot run `%s`: %s", argv[0], strerror(rc));
        return -1;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            snprintf(msg, size, "waiting for `%s`: %s", argv[0], strerror(errno));
            return -1;
        }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFEXITED(status))
        snprintf(msg, size, "`%s` failed with exit status %d", argv[0], WEXITSTATUS(status));
    else
        snprintf(msg, size, "`%s` was killed by signal %d", argv[0], WTERMSIG(status));
    return -1;
}

static int build_args(Args *a, const char *const *objects, int n, const char *out, char **flags)
{
    const char *cc = getenv("CC");
    if (push_words(a, cc && *cc ? cc : BRAINC_CC, &a->words) || a->n == 0)
        return -1;
    if (push_words(a, BRAINC_RUNTIME_LDFLAGS, flags) || push(a, "-o") || push(a, (char *)out))
        return -1;
    for (int i = 0; i < n; i++)
        if (push(a, (char *)objects[i]))
            return -1;
    return push_runtime(a) || push(a, "-lsqlite3") || push(a, "-lpthread") || push(a, "-lm");
}

int driver_link(const char *const *objects, int n, const char *out, char *msg, size_t size)
{
    Args a = {{0}, 0, NULL, NULL};
    char *flags = NULL;
    int rc = build_args(&a, objects, n, out, &flags);
    if (rc)
        snprintf(msg, size, "cannot build the linker's command line (out of memory, or $CC empty)");
    else
        rc = driver_spawn(a.v, msg, size);
    free(a.words);
    free(a.paths);
    free(flags);
    return rc;
}
