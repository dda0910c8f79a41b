/* loader.c - module loading and import resolution.
 * `import std.x` looks in the stdlib directory; `import a.b` looks next to
 * the importing file, then in the search paths; `import "file.brain"` is
 * relative to the importing file. Each file is parsed once; an import cycle
 * is an error at the import that closes it. */
#include "loader.h"
#include "parse_ctx.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *read_file(const char *path, size_t *size, const char **err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *err = strerror(errno);
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        *err = "not a regular file";
        return NULL;
    }
    if ((unsigned long long)st.st_size > LOADER_MAX_FILE_SIZE) {
        fclose(f);
        *err = "file too large";
        return NULL;
    }
    size_t n = (size_t)st.st_size;
    char *buf = malloc(n + 1);
    if (!buf) {
        fclose(f);
        *err = "out of memory";
        return NULL;
    }
    size_t got = fread(buf, 1, n, f);
    fclose(f);
    if (got != n) {
        free(buf);
        *err = "read error";
        return NULL;
    }
    buf[n] = 0;
    *size = n;
    return buf;
}

static Module *find_loaded(Program *prog, const char *path)
{
    for (Module *m = prog->modules; m; m = m->next)
        if (strcmp(m->path, path) == 0)
            return m;
    return NULL;
}

/* Loading modules, innermost last, for the cycle message. */
typedef struct LoadStack {
    Module *mod;
    struct LoadStack *up;
} LoadStack;

static void load_imports(Program *prog, Module *m, LoadStack *stack);

static Module *parse_text(Program *prog, const char *path, const char *text, size_t size)
{
    Module *m = ARENA_NEW(&prog->arena, Module);
    m->path = arena_strdup(&prog->arena, path);
    m->file = diag_add_file(prog->diag, path, text, size);
    ParseCtx ctx = {0};
    ctx.arena = &prog->arena;
    ctx.diag = prog->diag;
    ctx.file = m->file;
    ctx.module = m;
    parse_module(&ctx, prog->diag->files[m->file].text, size);
    return m;
}

/* Appends m after its dependencies: modules are listed in load-finished order. */
static void finish_module(Program *prog, Module *m)
{
    m->state = 2;
    AST_APPEND(Module, prog->modules, m);
}

static Module *load_file(Program *prog, const char *path, Loc from, LoadStack *stack)
{
    for (LoadStack *s = stack; s; s = s->up) {
        if (strcmp(s->mod->path, path) == 0) {
            diag_error(prog->diag, from, "import cycle: `%s` imports itself", path);
            for (LoadStack *t = stack; t; t = t->up) {
                diag_note(prog->diag, loc_none(), "through `%s`", t->mod->path);
                if (t == s)
                    break;
            }
            return NULL;
        }
    }
    Module *done = find_loaded(prog, path);
    if (done)
        return done;
    size_t size = 0;
    const char *err = NULL;
    char *text = read_file(path, &size, &err);
    if (!text) {
        diag_error(prog->diag, from, "cannot read `%s`: %s", path, err);
        return NULL;
    }
    Module *m = parse_text(prog, path, text, size);
    free(text);
    m->state = 1;
    LoadStack here = {m, stack};
    load_imports(prog, m, &here);
    finish_module(prog, m);
    return m;
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Directory part of path, with a trailing slash, or "" for a bare name. */
static char *dir_of(Arena *a, const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? arena_strndup(a, path, (size_t)(slash - path + 1)) : arena_strdup(a, "");
}

/* Turns an import into a file path, or NULL with an error reported. */
static const char *resolve_import(Program *prog, Module *from, Import *im)
{
    Arena *a = &prog->arena;
    const char *dir = dir_of(a, from->path);
    if (im->is_file) {
        const char *p = im->path[0] == '/' ? im->path : arena_printf(a, "%s%s", dir, im->path);
        if (file_exists(p))
            return p;
        diag_error(prog->diag, im->loc, "cannot find imported file `%s`", im->path);
        return NULL;
    }
    char *rel = arena_printf(a, "%s.brain", im->path);
    for (char *c = rel; *c && c < rel + strlen(im->path); c++)
        if (*c == '.')
            *c = '/';
    int is_std = strncmp(im->path, "std.", 4) == 0;
    if (!is_std) {
        const char *p = arena_printf(a, "%s%s", dir, rel);
        if (file_exists(p))
            return p;
    }
    for (const char **sp = prog->search_paths; sp && *sp; sp++) {
        const char *p = arena_printf(a, "%s/%s", *sp, is_std ? rel + 4 : rel);
        if (file_exists(p))
            return p;
    }
    diag_error(prog->diag, im->loc, "cannot find module `%s`", im->path);
    if (is_std)
        diag_note(prog->diag, loc_none(), "the standard library is searched in %s",
                  prog->search_paths && prog->search_paths[0] ? prog->search_paths[0] : "(no path)");
    return NULL;
}

static void load_imports(Program *prog, Module *m, LoadStack *stack)
{
    for (Import *im = m->imports; im; im = im->next) {
        const char *path = resolve_import(prog, m, im);
        if (path)
            im->resolved = load_file(prog, path, im->loc, stack);
    }
}

static void program_init(Program *prog, Diag *diag, const char **search_paths)
{
    memset(prog, 0, sizeof *prog);
    arena_init(&prog->arena);
    prog->diag = diag;
    prog->search_paths = search_paths;
}

int program_load(Program *prog, Diag *diag, const char *path, const char **search_paths)
{
    program_init(prog, diag, search_paths);
    int before = diag->nerrors;
    prog->main = load_file(prog, path, loc_none(), NULL);
    return prog->main && diag->nerrors == before ? 0 : -1;
}

int program_load_text(Program *prog, Diag *diag, const char *name, const char *text, size_t size,
                      const char **search_paths)
{
    program_init(prog, diag, search_paths);
    int before = diag->nerrors;
    Module *m = parse_text(prog, name, text, size);
    m->state = 1;
    LoadStack here = {m, NULL};
    load_imports(prog, m, &here);
    finish_module(prog, m);
    prog->main = m;
    return diag->nerrors == before ? 0 : -1;
}

static Decl *target_brain(Program *prog, const char *name)
{
    Decl *last = NULL;
    if (name) {
        Decl *d = program_find_decl(prog, name);
        return d && d->kind == D_BRAIN ? d : NULL;
    }
    for (Decl *d = prog->main ? prog->main->decls : NULL; d; d = d->next)
        if (d->kind == D_BRAIN)
            last = d;
    return last;
}

/* The member is parsed inside a scaffold brain whose first line is line 0,
 * so that diag, which is given only the member's line, shows it as line 1
 * with the columns the user typed (after the `stimulus ` added in front);
 * the scaffold's `}` ends that line, so an incomplete stimulus is reported
 * there, just after what was typed. */
int program_add_stimulus(Program *prog, const char *origin, const char *text, const char *brain)
{
    Diag *diag = prog->diag;
    int before = diag->nerrors;
    const char *shown = arena_printf(&prog->arena, "stimulus %s\n", text);
    int file = diag_add_file(diag, origin, shown, strlen(shown));
    Loc where = {file, 1, 1, 1};
    if (strchr(text, '\n') || strchr(text, '{') || strchr(text, '}')) {
        diag_error(diag, where, "%s takes one stimulus on one line: TARGET : KIND(ARGS) [from T] [until T]",
                   origin);
        return -1;
    }
    /* an open bracket would run into the scaffold's `}` */
    int parens = 0, brackets = 0;
    for (const char *c = text; *c; c++)
        parens += (*c == '(') - (*c == ')'), brackets += (*c == '[') - (*c == ']');
    if (parens || brackets) {
        diag_error(diag, where, "%s: unbalanced %s", origin, parens ? "`(` and `)`" : "`[` and `]`");
        return -1;
    }
    const char *src = arena_printf(&prog->arena, "brain __command_line__ {\nstimulus %s }\n", text);
    Module *m = ARENA_NEW(&prog->arena, Module);
    m->path = origin;
    m->file = file;
    ParseCtx ctx = {0};
    ctx.arena = &prog->arena;
    ctx.diag = diag;
    ctx.file = file;
    ctx.module = m;
    parse_module_from(&ctx, src, strlen(src), 0);
    if (diag->nerrors > before)
        return -1;
    Decl *scaffold = m->decls;
    Member *stim = scaffold && scaffold->kind == D_BRAIN ? scaffold->members : NULL;
    if (!stim || stim->kind != M_STIMULUS || stim->next || scaffold->next) {
        diag_error(diag, where, "%s takes one stimulus: TARGET : KIND(ARGS) [from T] [until T]", origin);
        return -1;
    }
    Decl *b = target_brain(prog, brain);
    if (!b) {
        if (brain)
            diag_error(diag, where, "%s: no brain named `%s`", origin, brain);
        else
            diag_error(diag, where, "%s: the program declares no brain", origin);
        return -1;
    }
    Member **tail = &b->members;
    while (*tail)
        tail = &(*tail)->next;
    *tail = stim;
    return 0;
}

void program_free(Program *prog)
{
    arena_free(&prog->arena);
    memset(prog, 0, sizeof *prog);
}

Decl *program_find_decl(const Program *prog, const char *name)
{
    for (Module *m = prog->modules; m; m = m->next)
        for (Decl *d = m->decls; d; d = d->next)
            if (d->name && strcmp(d->name, name) == 0)
                return d;
    return NULL;
}
