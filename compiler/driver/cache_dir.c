/* cache_dir.c - the cache directory of compiled brains (cache_dir.h). */
#include "driver/cache_dir.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* mkdir -p path (0700 for what it creates). */
static int make_dirs(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        int rc = mkdir(path, 0700);
        *p = '/';
        if (rc != 0 && errno != EEXIST)
            return -1;
    }
    struct stat st;
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return -1;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

int cache_dir_resolve(char *buf, size_t size)
{
    const char *env = getenv("BRAINC_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    int n;
    if (env && *env)
        n = snprintf(buf, size, "%s", env);
    else if (xdg && *xdg == '/')
        n = snprintf(buf, size, "%s/brainc", xdg);
    else if (home && *home)
        n = snprintf(buf, size, "%s/.cache/brainc", home);
    else
        return -1;
    if (n <= 0 || (size_t)n >= size)
        return -1;
    return make_dirs(buf);
}
