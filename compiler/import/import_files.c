/* import_files.c - the JSON files of an import: loading and parsing one
 * into a Src (imp_load_src), path helpers, and finding and reading the component
 * file that a recipe names (beside the recipe, its parent, blocks/ folders,
 * -I folders; each file read once, a recipe including itself refused:
 * imp_component_for). */
#include "import/import_internal.h"
#include "front/loader.h"
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- files ----------------------------------------------------------------- */

Src *imp_load_src(Imp *im, const char *path, const char *text, size_t size)
{
    if (im->nsrcs == (int)(sizeof im->srcs / sizeof im->srcs[0])) {
        diag_error(im->diag, loc_none(), "too many JSON files");
        return NULL;
    }
    Src *s = ARENA_NEW(&im->arena, Src);
    s->path = arena_strdup(&im->arena, path);
    s->file = diag_add_file(im->diag, path, text, size);
    s->text = diag_file_path(im->diag, s->file) ? im->diag->files[s->file].text : text;
    s->size = size;
    im->srcs[im->nsrcs++] = s;
    json_error_t je;
    s->root = json_loadb(text, size, JSON_REJECT_DUPLICATES, &je);
    if (!s->root) {
        Loc l = {s->file, je.line > 0 ? je.line : 1, je.column > 0 ? je.column : 1, 1};
        diag_error(im->diag, l, "malformed JSON: %s", je.text);
        return NULL;
    }
    json_locs_build(&s->locs, s->text, s->size, s->root);
    if (!json_is_object(s->root)) {
        imp_err_at(im, s, NULL, NULL, 0, "expected a JSON object (a component or a recipe)");
        return NULL;
    }
    return s;
}

static Src *load_file(Imp *im, const char *path, Loc from)
{
    size_t size;
    const char *e;
    char *text = read_file(path, &size, &e);
    if (!text) {
        diag_error(im->diag, from, "cannot read `%s`: %s", path, e);
        return NULL;
    }
    Src *s = imp_load_src(im, path, text, size);
    free(text);
    return s;
}

static int is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

char *imp_dir_of(Arena *a, const char *path)
{
    const char *sl = strrchr(path, '/');
    return sl ? arena_strndup(a, path, (size_t)(sl - path)) : arena_strdup(a, ".");
}

const char *imp_stem_of(Arena *a, const char *path)
{
    const char *sl = strrchr(path, '/');
    const char *b = sl ? sl + 1 : path;
    size_t n = strlen(b);
    if (n > 5 && strcmp(b + n - 5, ".json") == 0) n -= 5;
    return arena_strndup(a, b, n);
}

/* The component file for `name`: the recipe's folder and its parent, then
 * each -I folder; in each, NAME.json and blocks/, blocks/sub_components/,
 * blocks/components/, sub_components/, components/ (reference §6.1). */
static char *find_component(Imp *im, const char *name, const char *base)
{
    static const char *const forms[] = {"%s/%s",
                                        "%s/%s.json",
                                        "%s/blocks/%s.json",
                                        "%s/blocks/sub_components/%s.json",
                                        "%s/blocks/components/%s.json",
                                        "%s/sub_components/%s.json",
                                        "%s/components/%s.json",
                                        NULL};
    const char *roots[70];
    int nr = 0;
    roots[nr++] = base;
    roots[nr++] = arena_printf(&im->arena, "%s/..", base);
    for (int k = 0; im->search && im->search[k] && nr < 68; k++)
        roots[nr++] = im->search[k];
    for (int r = 0; r < nr; r++)
        for (int f = 0; forms[f]; f++) {
            if (f == 0 && !strchr(name, '/') && !strstr(name, ".json")) continue;
            char *p = arena_printf(&im->arena, forms[f], roots[r], name);
            if (is_file(p)) return p;
        }
    if (name[0] == '/' && is_file(name)) return arena_strdup(&im->arena, name);
    return NULL;
}

Comp *imp_component_for(Imp *im, const Src *rs, const json_t *entry, const char *key,
                        const char *name, const char *base)
{
    char *path = im->files ? find_component(im, name, base) : NULL;
    if (!path) {
        imp_err_at(im, rs, entry, key, 0,
                   "unknown component type `%s`: no %s.json next to the recipe (blocks/components, "
                   "blocks/sub_components) or in an -I folder",
                   name, name);
        return NULL;
    }
    char *real = realpath(path, NULL);
    if (real && im->recipe_real && strcmp(real, im->recipe_real) == 0) {
        free(real);
        imp_err_at(im, rs, entry, key, 0,
                   "the recipe includes itself (`%s` is the recipe's own file)", name);
        return NULL;
    }
    for (int k = 0; k < im->ncomps; k++)
        if (real && strcmp(im->comps[k]->src->path, real) == 0) {
            free(real);
            return im->comps[k];
        }
    Src *s = load_file(im, real ? real : path, imp_where(rs, entry, key, 0, 0));
    free(real);
    if (!s) return NULL;
    if (json_object_get(s->root, "components")) {
        imp_err_at(im, rs, entry, key, 0,
                   "`%s` is a recipe, not a component; a recipe cannot include a recipe", name);
        return NULL;
    }
    if (im->ncomps == (int)(sizeof im->comps / sizeof im->comps[0])) {
        imp_err_at(im, rs, entry, key, 0, "too many component types (at most 256)");
        return NULL;
    }
    Comp *c = ARENA_NEW(&im->arena, Comp);
    if (imp_read_component(im, s, c, imp_stem_of(&im->arena, s->path)) < 0) {
        free(c->body.p);
        return NULL;
    }
    for (int k = 0; k < im->ncomps; k++)
        if (strcmp(im->comps[k]->name, c->name) == 0) {
            imp_err_at(im, rs, entry, key, 0,
                       "two component files are both called `%s` (%s and %s)", c->json_name,
                       im->comps[k]->src->path, s->path);
            free(c->body.p);
            return NULL;
        }
    im->comps[im->ncomps++] = c;
    return c;
}
