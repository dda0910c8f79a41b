/* llvm_cache_trim.c - keeps the compiled-brain cache under a size limit.
 *
 * Every sweep value or -D that changes a compiled-in constant adds an
 * entry, so without a bound the directory only grows. After a miss stores
 * an entry, entries are removed least recently used first (a hit touches
 * its entry's mtime) until the entries fit in $BRAINC_CACHE_MAX_MB
 * (default 1024); the entry just stored is always kept. Temporary files of
 * writers that died (".KEY.XXXXXX", older than an hour) go too. Trimming
 * is best effort: a file that cannot be removed is skipped. */
#define _POSIX_C_SOURCE 200809L
#include "llvm_cache.h"
#include "rt_parse.h"
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_MAX_MB 1024.0
#define STALE_TEMP_SECONDS 3600

typedef struct Entry {
    char name[40];
    struct timespec used;
    off_t size;
} Entry;

/* "<32 hex digits>.o", the only names the cache writes as entries. */
static int is_entry_name(const char *s)
{
    for (int k = 0; k < 32; k++)
        if (!s[k] || !strchr("0123456789abcdef", s[k]))
            return 0;
    return strcmp(s + 32, ".o") == 0;
}

static int older_first(const void *a, const void *b)
{
    const Entry *x = a, *y = b;
    if (x->used.tv_sec != y->used.tv_sec)
        return x->used.tv_sec < y->used.tv_sec ? -1 : 1;
    if (x->used.tv_nsec != y->used.tv_nsec)
        return x->used.tv_nsec < y->used.tv_nsec ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* The limit in bytes; a malformed value is warned about and ignored. */
static double max_bytes(void)
{
    const char *env = getenv("BRAINC_CACHE_MAX_MB");
    double mb = DEFAULT_MAX_MB;
    if (env && *env && (rt_parse_number(env, &mb) || mb < 0)) {
        fprintf(stderr, "brainc: warning: BRAINC_CACHE_MAX_MB='%s' is not a size in MB; using %g\n",
                env, DEFAULT_MAX_MB);
        mb = DEFAULT_MAX_MB;
    }
    return mb * 1024.0 * 1024.0;
}

void llvm_cache_touch(const char *path)
{
    utimensat(AT_FDCWD, path, NULL, 0); /* now; failure only skews the order */
}

void llvm_cache_trim(const char *dir, const char *keep_key)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    Entry *v = NULL;
    size_t n = 0, cap = 0;
    double total = 0;
    char path[4096];
    time_t now = time(NULL);
    for (struct dirent *e; (e = readdir(d));) {
        struct stat st;
        int len = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (len < 0 || (size_t)len >= sizeof path || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (e->d_name[0] == '.' && strlen(e->d_name) == 40 && e->d_name[33] == '.' && now - st.st_mtime > STALE_TEMP_SECONDS) {
            unlink(path); /* a writer's temporary file, its writer long gone */
            continue;
        }
        if (!is_entry_name(e->d_name))
            continue;
        if (n == cap) {
            size_t grown_cap = cap ? 2 * cap : 64;
            Entry *grown = realloc(v, grown_cap * sizeof *grown);
            if (!grown)
                break;
            v = grown, cap = grown_cap;
        }
        memcpy(v[n].name, e->d_name, 35); /* is_entry_name: 34 characters and the NUL */
        v[n].used = st.st_mtim;
        v[n].size = st.st_size;
        total += (double)st.st_size;
        n++;
    }
    closedir(d);
    double limit = max_bytes();
    qsort(v, n, sizeof *v, older_first);
    for (size_t k = 0; k < n && total > limit; k++) {
        if (keep_key && strncmp(v[k].name, keep_key, 32) == 0)
            continue;
        int len = snprintf(path, sizeof path, "%s/%s", dir, v[k].name);
        if (len >= 0 && (size_t)len < sizeof path && unlink(path) == 0)
            total -= (double)v[k].size;
    }
    free(v);
}
