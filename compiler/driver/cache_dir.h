/* cache_dir.h - where `brainc run` keeps compiled brains: $BRAINC_CACHE_DIR,
 * else $XDG_CACHE_HOME/brainc, else $HOME/.cache/brainc. */
#ifndef BR_DRIVER_CACHE_DIR_H
#define BR_DRIVER_CACHE_DIR_H
#include <stddef.h>

/* The directory into buf, created (with its parents) if missing. Returns
 * 0, or -1 when there is no such place or it cannot be created (then the
 * run simply compiles without a cache). */
int cache_dir_resolve(char *buf, size_t size);
#endif
