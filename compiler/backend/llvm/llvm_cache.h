/* llvm_cache.h - compiled brains kept on disk (llvm_cache.c), so that an
 * unchanged brain starts without running the optimiser and code generator.
 * No LLVM types cross this header. */
#ifndef BR_LLVM_CACHE_H
#define BR_LLVM_CACHE_H
#include "llvm_codegen.h"

/* llvm_brain_compile through the cache in directory dir (NULL: no cache).
 * A hit loads the cached object into the JIT; a miss compiles, loads the
 * object it produced and stores it. Cache failures (unwritable directory,
 * corrupt entry) never fail the compile: the brain is then compiled anew. */
int llvm_brain_compile_cached(const Nir *nir, const char *dir, LlvmBrain **out, LlvmError *err);

/* A JIT holding every kernel of nir (llvm_brain_emit), from the cache entry
 * of dir when a valid one exists, else compiled and stored there. *hit says
 * which. Used by llvm_brain_compile_cached. */
LlvmJit *llvm_cache_jit(const Nir *nir, const char *dir, int *hit, LlvmError *err);

/* llvm_jit.c: adds an object file (copied) to the JIT's main library. */
int llvm_jit_add_object(LlvmJit *jit, const void *obj, size_t size, LlvmError *err);

/* The key of a module's text on this host, as 32 hex digits into key[33]:
 * a hash of the cache format, brainc's and LLVM's versions, the target
 * triple, the host CPU's name and features, and the text. */
void llvm_cache_key(const char *ir, size_t len, char key[33]);

/* llvm_cache_trim.c: removes entries of dir, least recently used first,
 * until they fit in $BRAINC_CACHE_MAX_MB (default 1024), keeping keep_key's
 * entry, and temporary files of writers that died. */
void llvm_cache_trim(const char *dir, const char *keep_key);
/* Marks an entry as just used (its mtime), for the trimming order. */
void llvm_cache_touch(const char *path);
#endif
