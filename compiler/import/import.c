/* import.c - inner-models-v8 JSON to .brain source (docs/import.md).
 *
 * Reads a recipe (`components`, `projections`, `wiring`) or a component
 * file (`nodes`, `paths`, `terminals`) with jansson, checks every field,
 * and writes one .brain program into a memory buffer:
 *   - each component becomes `component NAME { ... }`, one population per
 *     neuron type and values (`rs[3] : RS at (2 * i, 0, 0)  // nodes 0, 1,
 *     4`), one connect per kind of path between two populations (index
 *     lists, one_to_one), one terminal per terminal;
 *   - a recipe becomes `brain NAME { ... }`: instances in `layer` blocks,
 *     projections as `probability p per instance` connects, the wiring
 *     block as `wire proximity(...)`, auto-timers as connects inside the
 *     three components that get them;
 *   - `_comment` keys become // comments; unknown keys are warned about.
 * The models are in stdlib/im8.brain (+ fixed, gap_junction of std.synapses).
 * This file holds the entry points; the parts are in import_*.c, which share
 * import_internal.h. */
#include "import/import_internal.h"
#include "front/loader.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- entry points ----------------------------------------------------------- */

static int import_src(Imp *im, Src *s, ImportResult *out)
{
    Buf o = {0};
    int rc;
    memset(out, 0, sizeof *out);
    out->seed = 42;
    if (json_object_get(s->root, "components"))
        rc = import_recipe(im, s, &o, out);
    else if (json_object_get(s->root, "nodes"))
        rc = import_component_file(im, s, &o);
    else {
        imp_err_at(
            im, s, NULL, NULL, 0,
            "neither a recipe (no `components`) nor a component (no `nodes`): nothing to import");
        rc = -1;
    }
    if (rc == 0 && (o.oom || im->diag->nerrors)) {
        if (o.oom) diag_error(im->diag, loc_none(), "out of memory while importing");
        rc = -1;
    }
    if (rc) {
        free(o.p);
        return -1;
    }
    out->text = o.p ? o.p : strdup("");
    out->size = o.n;
    return 0;
}

static void imp_free(Imp *im)
{
    for (int k = 0; k < im->ncomps; k++)
        free(im->comps[k]->body.p);
    for (int k = 0; k < im->nsrcs; k++) {
        if (im->srcs[k]->root) json_decref(im->srcs[k]->root);
        json_locs_free(&im->srcs[k]->locs);
    }
    free((char *)im->recipe_real);
    free(im->hidden.p);
    arena_free(&im->arena);
}

int import_json_text(const char *name, const char *text, size_t size, const char **search,
                     int files, Diag *diag, ImportResult *out)
{
    Imp im = {0};
    im.diag = diag;
    im.search = search;
    im.files = files;
    arena_init(&im.arena);
    memset(out, 0, sizeof *out);
    if (files) im.recipe_real = realpath(name, NULL);
    int errors = diag->nerrors;
    Src *s = imp_load_src(&im, name, text, size);
    int rc = s ? import_src(&im, s, out) : -1;
    if (rc == 0 && diag->nerrors > errors) {
        import_result_free(out);
        rc = -1;
    }
    imp_free(&im);
    return rc;
}

int import_json_file(const char *path, const char **search, Diag *diag, ImportResult *out)
{
    size_t size;
    const char *e;
    memset(out, 0, sizeof *out);
    char *text = read_file(path, &size, &e);
    if (!text) {
        diag_error(diag, loc_none(), "cannot read `%s`: %s", path, e);
        return -1;
    }
    int rc = import_json_text(path, text, size, search, 1, diag, out);
    free(text);
    return rc;
}

void import_result_free(ImportResult *r)
{
    free(r->text);
    memset(r, 0, sizeof *r);
}

int import_is_json_path(const char *path)
{
    size_t n = strlen(path);
    return n > 5 && strcmp(path + n - 5, ".json") == 0;
}

int import_write_atomic(const char *path, const char *text, size_t size, char *msg, size_t msize)
{
    size_t n = strlen(path);
    char *tmp = malloc(n + 16);
    if (!tmp) {
        snprintf(msg, msize, "out of memory");
        return -1;
    }
    snprintf(tmp, n + 16, "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(msg, msize, "cannot write `%s`: %s", path, strerror(errno));
        free(tmp);
        return -1;
    }
    FILE *f = fdopen(fd, "w");
    int ok = f && fwrite(text, 1, size, f) == size;
    if (f)
        ok = fclose(f) == 0 && ok;
    else
        close(fd);
    if (ok) (void)chmod(tmp, 0644);
    if (!ok || rename(tmp, path) != 0) {
        snprintf(msg, msize, "cannot write `%s`: %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}
