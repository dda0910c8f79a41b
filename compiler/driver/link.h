/* link.h - linking a standalone executable: the objects `brainc build`
 * emitted, the standalone main and the runtime library, through the
 * system C compiler run as a child process (no shell). */
#ifndef BR_DRIVER_LINK_H
#define BR_DRIVER_LINK_H
#include <stddef.h>

/* Links objects[0..n) with libbrainrt_main.a and libbrainrt.a (from
 * $BRAINC_RUNTIME_DIR, else the build tree brainc came from), -lpthread
 * and -lm into the executable out, adding the sanitizer flags the runtime
 * was built with. The compiler is $CC (split at spaces), else the one
 * brainc was built with. Its messages go to stderr. Returns 0, or -1 with
 * a message in msg. */
int driver_link(const char *const *objects, int n, const char *out, char *msg, size_t size);

/* Runs argv[0] with argv (searched in PATH) and waits for it. Returns 0
 * when it exits with status 0, else -1 with a message in msg. */
int driver_spawn(char *const *argv, char *msg, size_t size);
#endif
