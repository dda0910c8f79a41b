/* llvm_cache.c - the compiled-brain cache (llvm_cache.h).
 *
 * Key: the unoptimised module of every kernel, printed as text, holds all
 * that the generated code depends on (uniform parameters folded as
 * constants, dt, uniform delays, the model code, kernel names); with the
 * cache format, brainc's and LLVM's versions, the triple and the host CPU's
 * name and features it is hashed into a 128-bit key. Emitting that module
 * costs a few milliseconds; the optimiser and code generator that a hit
 * skips cost the rest.
 *
 * Entry DIR/<key>.o: a 40-byte header (magic "BRNCOBJ1", the key's two
 * 64-bit halves, payload size, payload checksum; host byte order) and the
 * object file. Written to a temporary file in DIR and renamed, so a reader
 * sees a whole entry or none; read back, a wrong magic, key, size or
 * checksum makes it a miss (and the rebuild overwrites it). The network's
 * arrays are not cached: elaborating them again is fast. */
#include "llvm_cache.h"
#include "llvm_internal.h"
#include <llvm-c/TargetMachine.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_MAGIC "BRNCOBJ1"
#define CACHE_FORMAT "brainc-cache 1"
#define CACHE_HEADER 40
#define CACHE_MAX_OBJECT ((uint64_t)1 << 30)

/* FNV-1a, then a SplitMix64 finaliser; seed picks one of a family. */
static uint64_t hash64(const void *data, size_t n, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ull ^ seed;
    for (size_t k = 0; k < n; k++)
        h = (h ^ p[k]) * 0x100000001b3ull;
    h ^= h >> 30, h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27, h *= 0x94d049bb133111ebull;
    return h ^ (h >> 31);
}

/* Everything but the module text that the object depends on. */
static char *host_prefix(void)
{
    char *triple = LLVMGetDefaultTargetTriple(), *cpu = LLVMGetHostCPUName();
    char *features = LLVMGetHostCPUFeatures();
    size_t n = strlen(triple) + strlen(cpu) + strlen(features) + 256;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s\nbrainc %s\nllvm %s\n%s\n%s\n%s\n", CACHE_FORMAT, BRAINC_VERSION,
                 LLVM_VERSION_STRING, triple, cpu, features);
    LLVMDisposeMessage(triple);
    LLVMDisposeMessage(cpu);
    LLVMDisposeMessage(features);
    return s;
}

void llvm_cache_key(const char *ir, size_t len, char key[33])
{
    char *prefix = host_prefix();
    const char *p = prefix ? prefix : "";
    uint64_t a = hash64(ir, len, hash64(p, strlen(p), 1));
    uint64_t b = hash64(ir, len, hash64(p, strlen(p), 2) ^ 0x9e3779b97f4a7c15ull);
    snprintf(key, 33, "%016llx%016llx", (unsigned long long)a, (unsigned long long)b);
    free(prefix);
}

/* ---- entries ---------------------------------------------------------------- */

static void entry_path(const char *dir, const char *key, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s.o", dir, key);
}

static void key_halves(const char *key, uint64_t half[2])
{
    char h[17];
    for (int i = 0; i < 2; i++) {
        memcpy(h, key + 16 * i, 16);
        h[16] = 0;
        half[i] = strtoull(h, NULL, 16);
    }
}

/* The object of a valid entry (malloc'd), or NULL: missing or corrupt. */
static void *read_entry(const char *path, const char *key, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint64_t head[4], half[2];
    char magic[8];
    void *obj = NULL;
    key_halves(key, half);
    if (fread(magic, 1, 8, f) == 8 && memcmp(magic, CACHE_MAGIC, 8) == 0 && fread(head, 8, 4, f) == 4 &&
        head[0] == half[0] && head[1] == half[1] && head[2] > 0 && head[2] <= CACHE_MAX_OBJECT &&
        (obj = malloc(head[2])) && fread(obj, 1, head[2], f) == head[2] && fgetc(f) == EOF &&
        hash64(obj, head[2], 3) == head[3]) {
        *size = head[2];
        fclose(f);
        return obj;
    }
    free(obj);
    fclose(f);
    return NULL;
}

/* Writes the entry to a temporary file in dir, then renames it into
 * place. Failures only mean no entry. */
static void write_entry(const char *dir, const char *key, const void *obj, size_t size)
{
    char tmp[4096], path[4096];
    snprintf(tmp, sizeof tmp, "%s/.%s.XXXXXX", dir, key);
    int fd = mkstemp(tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!f) {
        if (fd >= 0)
            close(fd), unlink(tmp);
        return;
    }
    uint64_t half[2];
    key_halves(key, half);
    uint64_t head[4] = {half[0], half[1], size, hash64(obj, size, 3)};
    int ok = fwrite(CACHE_MAGIC, 1, 8, f) == 8 && fwrite(head, 8, 4, f) == 4 &&
             fwrite(obj, 1, size, f) == size;
    ok = (fclose(f) == 0) && ok;
    entry_path(dir, key, path, sizeof path);
    if (!ok || rename(tmp, path) != 0)
        unlink(tmp);
}

/* ---- compiling ------------------------------------------------------------------- */

/* Optimises m and emits it as an object into *buf (LLVMDisposeMemoryBuffer). */
static int compile_object(LlvmModule *m, LLVMMemoryBufferRef *buf, LlvmError *err)
{
    LlvmTarget *tg = llvm_target_create_host(err);
    if (!tg || llvm_target_optimize(tg, m, err)) {
        llvm_target_dispose(tg);
        return -1;
    }
    llvm_target_dispose(tg);
    /* The same machine as llvm_target_create_host: PIC, default code model. */
    LLVMTargetMachineRef tm = llvm_host_machine(LLVMCodeGenLevelAggressive, LLVMRelocPIC,
                                                LLVMCodeModelDefault, NULL, err);
    if (!tm)
        return -1;
    char *msg = NULL;
    int failed = LLVMTargetMachineEmitToMemoryBuffer(tm, m->mod, LLVMObjectFile, &msg, buf);
    LLVMDisposeTargetMachine(tm);
    return llvm_check_message(failed, msg, "emitting the object", err);
}

/* A fresh JIT holding the object obj[0..size). */
static LlvmJit *jit_with_object(const void *obj, size_t size, LlvmError *err)
{
    LlvmJit *jit = llvm_jit_create(err);
    if (jit && llvm_jit_add_object(jit, obj, size, err)) {
        llvm_jit_dispose(jit);
        return NULL;
    }
    return jit;
}

/* The miss: compile m (taken), store its object, load it. */
static LlvmJit *compile_and_store(LlvmModule *m, const char *dir, const char *key, LlvmError *err)
{
    LLVMMemoryBufferRef buf = NULL;
    int rc = compile_object(m, &buf, err);
    llvm_module_dispose(m);
    if (rc)
        return NULL;
    const void *obj = LLVMGetBufferStart(buf);
    size_t size = LLVMGetBufferSize(buf);
    write_entry(dir, key, obj, size);
    llvm_cache_trim(dir, key);
    LlvmJit *jit = jit_with_object(obj, size, err);
    LLVMDisposeMemoryBuffer(buf);
    return jit;
}

/* The key of m's text. */
static void module_key(LlvmModule *m, char key[33])
{
    char *ir = LLVMPrintModuleToString(m->mod);
    llvm_cache_key(ir, strlen(ir), key);
    LLVMDisposeMessage(ir);
}

LlvmJit *llvm_cache_jit(const Nir *nir, const char *dir, int *hit, LlvmError *err)
{
    *hit = 0;
    LlvmModule *m = llvm_module_create(nir->brain, err);
    if (!m || llvm_brain_emit(m, nir, err)) {
        llvm_module_dispose(m);
        return NULL;
    }
    char key[33], path[4096];
    module_key(m, key);
    entry_path(dir, key, path, sizeof path);
    size_t size = 0;
    void *obj = read_entry(path, key, &size);
    LlvmJit *jit = obj ? jit_with_object(obj, size, err) : NULL;
    free(obj);
    if (jit) {
        llvm_module_dispose(m);
        llvm_cache_touch(path);
        *hit = 1;
        return jit;
    }
    return compile_and_store(m, dir, key, err); /* a miss, or an entry the JIT refused */
}
