/* import.c - inner-models-v8 JSON to .brain source (docs/import.md).
 *
 * Reads a recipe (`components`, `projections`, `wiring`) or a component
 * file (`nodes`, `paths`, `terminals`) with jansson, checks every field,
 * and writes one .brain program into a memory buffer:
 *   - each component becomes `component NAME { ... }`, one population per
 *     node (n<id> : im8_izh(a, b, c, d) at (x, 0, z)), one connect per path,
 *     one terminal per terminal;
 *   - a recipe becomes `brain NAME { ... }`: instances in `layer` blocks,
 *     projections as `probability p per instance` connects, the wiring
 *     block as `wire proximity(...)`, auto-timers as connects inside the
 *     three components that get them;
 *   - `_comment` keys become // comments; unknown keys are warned about.
 * The models are in stdlib/im8.brain (+ fixed, gap_junction of std.synapses). */
#include "import/import.h"
#include "front/loader.h"
#include "import/json_loc.h"
#include "util/arena.h"
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- output buffer ------------------------------------------------------ */

typedef struct Buf {
    char *p;
    size_t n, cap;
    int oom;
} Buf;

static void bput(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bput(Buf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->oom = 1;
            return;
        }
        if (b->p && b->n + (size_t)k < b->cap) {
            b->n += (size_t)k;
            return;
        }
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + (size_t)k + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
}

/* Shortest decimal text that reads back as the same double. */
static const char *num(char buf[40], double v)
{
    if (v == 0)
        return "0";
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(buf, 40, "%.0f", v);
        return buf;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, 40, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return buf;
}

/* ---- sources and diagnostics --------------------------------------------- */

typedef struct Src {
    const char *path;
    int file; /* Diag file id */
    const char *text;
    size_t size;
    json_t *root;
    JsonLocs locs;
} Src;

typedef struct Comp Comp;

typedef struct Imp {
    Diag *diag;
    Arena arena;
    const char **search;
    int files;
    Src *srcs[256];
    int nsrcs;
    Comp *comps[256];
    int ncomps;
    const char *recipe_real; /* realpath of the recipe (include cycles) */
} Imp;

static Loc loc_at(const Src *s, long off)
{
    Loc l = {s->file, 1, 1, 1};
    if (off < 0 || (size_t)off > s->size)
        return l;
    for (long k = 0; k < off; k++) {
        if (s->text[k] == '\n') {
            l.line++;
            l.col = 1;
        } else {
            l.col++;
        }
    }
    return l;
}

/* The place of parent[key] (or parent[index]); the key itself with want_key. */
static Loc where(const Src *s, const json_t *parent, const char *key, size_t index, int want_key)
{
    long off = json_locs_find(&s->locs, parent, key, index, want_key);
    if (off < 0)
        off = json_locs_of(&s->locs, parent);
    return loc_at(s, off);
}

static void verr(Imp *im, Loc loc, int warn, const char *fmt, va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (warn)
        diag_warning(im->diag, loc, "%s", msg);
    else
        diag_error(im->diag, loc, "%s", msg);
}

static void err_at(Imp *im, const Src *s, const json_t *parent, const char *key, size_t index, const char *fmt,
                   ...) __attribute__((format(printf, 6, 7)));
static void err_at(Imp *im, const Src *s, const json_t *parent, const char *key, size_t index, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr(im, where(s, parent, key, index, 0), 0, fmt, ap);
    va_end(ap);
}

static void warn_key(Imp *im, const Src *s, const json_t *parent, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void warn_key(Imp *im, const Src *s, const json_t *parent, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr(im, where(s, parent, key, 0, 1), 1, fmt, ap);
    va_end(ap);
}

/* ---- typed field access ----------------------------------------------------- */

enum { OPT = 0, REQ = 1 };

/* The field key of obj in *v: 1 if present, 0 if absent and optional, -1
 * (reported) if absent and required. */
static int get_field(Imp *im, const Src *s, const json_t *obj, const char *key, int req, const char *what,
                     json_t **v)
{
    *v = json_object_get(obj, key);
    if (*v)
        return 1;
    if (!req)
        return 0;
    err_at(im, s, obj, NULL, 0, "%s has no `%s` (required)", what, key);
    return -1;
}

/* A number field; returns 1 if present and valid, 0 if absent (dflt), -1 on error. */
static int get_num(Imp *im, const Src *s, const json_t *obj, const char *key, int req, double dflt, double *out,
                   const char *what)
{
    json_t *v;
    *out = dflt;
    int present = get_field(im, s, obj, key, req, what, &v);
    if (present <= 0)
        return present;
    if (!json_is_number(v)) {
        err_at(im, s, obj, key, 0, "`%s` of %s must be a number", key, what);
        return -1;
    }
    *out = json_number_value(v);
    return 1;
}

static int get_int(Imp *im, const Src *s, const json_t *obj, const char *key, int req, long dflt, long *out,
                   const char *what)
{
    json_t *v;
    *out = dflt;
    int present = get_field(im, s, obj, key, req, what, &v);
    if (present <= 0)
        return present;
    if (json_is_real(v) && json_real_value(v) == floor(json_real_value(v)) && fabs(json_real_value(v)) < 1e15) {
        *out = (long)json_real_value(v);
        return 1;
    }
    if (!json_is_integer(v)) {
        err_at(im, s, obj, key, 0, "`%s` of %s must be a whole number", key, what);
        return -1;
    }
    json_int_t k = json_integer_value(v);
    if (k > INT_MAX || k < INT_MIN) {
        err_at(im, s, obj, key, 0, "`%s` of %s is too large", key, what);
        return -1;
    }
    *out = (long)k;
    return 1;
}

static int get_str(Imp *im, const Src *s, const json_t *obj, const char *key, int req, const char **out,
                   const char *what)
{
    json_t *v;
    *out = NULL;
    int present = get_field(im, s, obj, key, req, what, &v);
    if (present <= 0)
        return present;
    if (!json_is_string(v)) {
        err_at(im, s, obj, key, 0, "`%s` of %s must be a string", key, what);
        return -1;
    }
    *out = json_string_value(v);
    return 1;
}

static int is_comment_key(const char *k)
{
    return k[0] == '_';
}

/* Warns about every key of obj not in `known` (NULL-terminated) and not a
 * `_comment`-style key. */
static void check_keys(Imp *im, const Src *s, const json_t *obj, const char *const *known, const char *what)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v) {
        int ok = is_comment_key(k);
        for (int j = 0; !ok && known[j]; j++)
            ok = strcmp(known[j], k) == 0;
        if (!ok)
            warn_key(im, s, obj, k, "unknown key `%s` in %s; it is not imported", k, what);
    }
}

/* `_comment` keys of obj as // lines (strings; other values as JSON). */
static void emit_comments(Buf *o, const json_t *obj, const char *indent)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v) {
        if (!is_comment_key(k))
            continue;
        char *dump = NULL;
        const char *text = json_is_string(v) ? json_string_value(v) : (dump = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY));
        if (!text)
            continue;
        const char *p = text;
        do {
            const char *nl = strchr(p, '\n');
            size_t n = nl ? (size_t)(nl - p) : strlen(p);
            if (strcmp(k, "_comment") == 0)
                bput(o, "%s// %.*s\n", indent, (int)n, p);
            else
                bput(o, "%s// %s: %.*s\n", indent, k, (int)n, p);
            p = nl ? nl + 1 : NULL;
        } while (p);
        free(dump);
    }
}

/* A free-text field as // lines of at most ~90 characters. */
static void emit_text(Buf *o, const char *text, const char *indent)
{
    const char *p = text;
    while (*p) {
        size_t n = strlen(p), cut = n;
        if (n > 88) {
            cut = 88;
            while (cut > 40 && p[cut] != ' ')
                cut--;
        }
        const char *nl = memchr(p, '\n', cut);
        if (nl)
            cut = (size_t)(nl - p);
        bput(o, "%s// %.*s\n", indent, (int)cut, p);
        p += cut;
        while (*p == ' ' || *p == '\n')
            p++;
    }
}

/* ---- names ---------------------------------------------------------------- */

static const char *const keywords[] = {
    "import", "neuron", "synapse", "component", "brain", "world", "body", "curriculum", "for", "state",
    "input", "let", "spike", "when", "refractory", "hold", "integrate", "update", "decay", "on", "pre",
    "post", "reward", "deliver", "to", "gap", "via", "prune", "connect", "in", "out", "preset", "layer",
    "wire", "layout", "timestep", "stimulus", "from", "until", "record", "every", "sense", "act",
    "sensor", "motor", "measure", "teacher", "checkpoint", "stage", "lesson", "ticks", "exam", "set",
    "if", "then", "else", "and", "or", "not", "true", "false", "probability", "fanin", "fanout",
    "one_to_one", "all_to_all", "per", "instance", "delay", "as", "at", "t", "dt", "i",
    /* models of std.im8 and std.synapses */
    "im8_izh", "fixed", "plastic", "facilitating", "depressing", "gated", "reward_plastic",
    "developmental", "gap_junction", "stdp", "RS", "FS", "IB", "CH", "LTS", "TC", "RZ", NULL};

/* name as a .brain identifier: invalid characters become `_`, a leading
 * digit or a keyword gets the prefix. */
static char *identifier(Arena *a, const char *name, const char *prefix)
{
    size_t n = strlen(name);
    char *s = arena_alloc(a, n + strlen(prefix) + 2);
    int bad = n == 0 || (name[0] >= '0' && name[0] <= '9');
    for (int k = 0; keywords[k]; k++)
        if (strcmp(keywords[k], name) == 0)
            bad = 1;
    size_t j = 0;
    if (bad) {
        strcpy(s, prefix);
        j = strlen(prefix);
    }
    for (size_t k = 0; k < n; k++) {
        char ch = name[k];
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
        s[j++] = ok ? ch : '_';
    }
    s[j] = 0;
    return s;
}

/* ---- models ---------------------------------------------------------------- */

typedef struct NeuronType {
    const char *name;
    double a, b, c, d;
} NeuronType;

static const NeuronType neuron_types[] = {
    {"RS", 0.02, 0.2, -65, 8}, {"FS", 0.1, 0.2, -65, 2}, {"IB", 0.02, 0.2, -55, 4},
    {"CH", 0.02, 0.2, -50, 2}, {"LTS", 0.02, 0.25, -65, 2},
};

typedef struct SynType {
    const char *name;
    const char *params[9];
    const char *unused[3]; /* stored by the reference's schema, read by nothing */
} SynType;

static const SynType syn_types[] = {
    {"fixed", {NULL}, {NULL}},
    {"plastic", {"learning_rate", "w_min", "w_max", "tau_plus", "tau_minus", "ltd_ratio", NULL}, {NULL}},
    {"facilitating", {"facil_increment", "tau_recovery", NULL}, {"tau_facil", NULL}},
    {"depressing", {"depress_factor", "tau_recovery", NULL}, {"tau_depress", NULL}},
    {"gated", {"learning_rate", "w_min", "w_max", "tau_plus", "gate_threshold", NULL}, {"modulator_group", NULL}},
    {"gap_junction", {"conductance", NULL}, {NULL}},
    {"reward_plastic", {"learning_rate", "w_min", "w_max", "tau_trace", "tau_eligible", NULL}, {NULL}},
    {"developmental",
     {"learning_rate", "w_min", "w_max", "tau_plus", "critical_period", "pruning_threshold", "eval_interval",
      "min_source_fires", NULL},
     {NULL}},
};
#define NSYN ((int)(sizeof syn_types / sizeof syn_types[0]))
enum { SYN_FIXED = 0, SYN_GAP = 5 };

static int syn_type(const char *name)
{
    for (int k = 0; k < NSYN; k++)
        if (strcmp(syn_types[k].name, name) == 0)
            return k;
    return -1;
}

static int in_strs(const char *const *list, const char *s)
{
    for (int k = 0; list[k]; k++)
        if (strcmp(list[k], s) == 0)
            return 1;
    return 0;
}

/* Checks a synapse's `params` and writes them as model arguments
 * (`, key = value`); returns -1 on errors. */
static int synapse_params(Imp *im, const Src *s, const json_t *owner, int type, double w, Buf *args)
{
    json_t *params = json_object_get(owner, "params");
    if (!params)
        return 0;
    if (!json_is_object(params)) {
        err_at(im, s, owner, "params", 0, "`params` must be an object of synapse parameters");
        return -1;
    }
    const SynType *t = &syn_types[type];
    const char *k;
    json_t *v;
    int rc = 0;
    double wmin = 0, wmax = 10;
    json_object_foreach(params, k, v) {
        char nb[40];
        if (in_strs(t->params, k)) {
            if (!json_is_number(v)) {
                err_at(im, s, params, k, 0, "parameter `%s` of synapse type `%s` must be a number", k, t->name);
                rc = -1;
                continue;
            }
            double x = json_number_value(v);
            if (strcmp(k, "w_min") == 0)
                wmin = x;
            if (strcmp(k, "w_max") == 0)
                wmax = x;
            bput(args, ", %s = %s", k, num(nb, x));
        } else if (in_strs(t->unused, k)) {
            int empty = (json_is_string(v) && !*json_string_value(v)) || (json_is_array(v) && !json_array_size(v));
            if (strcmp(k, "modulator_group") == 0 && !empty)
                warn_key(im, s, params, k,
                         "`modulator_group` of a gated synapse is not expressible yet: its gate stays closed "
                         "(no learning), as with the reference's default empty group");
            else if (strcmp(k, "modulator_group") != 0)
                warn_key(im, s, params, k, "parameter `%s` of `%s` is unused by the reference engine; not imported",
                         k, t->name);
        } else if (!is_comment_key(k)) {
            warn_key(im, s, params, k, "unknown parameter `%s` of synapse type `%s`; not imported", k, t->name);
        }
    }
    if (rc == 0 && w < 0 && !(wmin < 0 && wmax <= 0) && type != SYN_FIXED && type != SYN_GAP &&
        strcmp(t->name, "facilitating") != 0 && strcmp(t->name, "depressing") != 0)
        warn_key(im, s, owner, "weight",
                 "a `%s` synapse with negative weight and excitatory bounds [%g, %g] is clamped to >= %g at "
                 "its first update (reference §4.1)",
                 t->name, wmin, wmax, wmin);
    return rc;
}

/* ---- components ------------------------------------------------------------ */

typedef struct Node {
    long id;
    const char *type;
    double a, b, c, d, v, u, x, z;
    int set_v, set_u, set_b;
    unsigned set; /* overridden: 1 a, 2 b, 4 c, 8 d */
    json_t *j;
} Node;

typedef struct Term {
    const char *label; /* JSON label (or id) */
    char *name;        /* .brain name */
    int out;
    int *nodes; /* node indices */
    int n;
} Term;

struct Comp {
    const char *json_name; /* what recipes match */
    char *name;            /* .brain name */
    const char *desc;
    Src *src;
    Node *nodes;
    int nnodes;
    Term *terms;
    int nterms;
    Buf body; /* the connects, already written */
    int timer_done;
};

static int node_index(const Comp *c, long id)
{
    for (int k = 0; k < c->nnodes; k++)
        if (c->nodes[k].id == id)
            return k;
    return -1;
}

static const char *pop_name(char buf[32], const Node *n)
{
    snprintf(buf, 32, "n%ld", n->id);
    return buf;
}

static int read_node(Imp *im, Src *s, Comp *c, json_t *arr, size_t i, Node *n)
{
    json_t *j = json_array_get(arr, i);
    if (!json_is_object(j)) {
        err_at(im, s, arr, NULL, i, "node %zu must be an object", i);
        return -1;
    }
    static const char *const known[] = {"id", "type", "x", "z", "params", "sensor", "label", "name", NULL};
    check_keys(im, s, j, known, "a node");
    const char *type;
    int rc = 0;
    n->j = j;
    if (get_int(im, s, j, "id", REQ, 0, &n->id, "a node") < 0)
        rc = -1;
    else if (n->id < 0) {
        err_at(im, s, j, "id", 0, "node id must not be negative, not %ld", n->id);
        rc = -1;
    }
    if (get_str(im, s, j, "type", REQ, &type, "a node") < 0)
        return -1;
    const NeuronType *nt = NULL;
    for (size_t k = 0; k < sizeof neuron_types / sizeof neuron_types[0]; k++)
        if (strcmp(neuron_types[k].name, type) == 0)
            nt = &neuron_types[k];
    if (!nt) {
        err_at(im, s, j, "type", 0, "unknown neuron type `%s` (known: RS, FS, IB, CH, LTS)", type);
        return -1;
    }
    n->type = nt->name;
    n->a = nt->a;
    n->b = nt->b;
    n->c = nt->c;
    n->d = nt->d;
    n->v = -65;
    n->u = nt->b * -65; /* the type's b, before any override (§2.2) */
    if (get_num(im, s, j, "x", OPT, 0, &n->x, "a node") < 0 || get_num(im, s, j, "z", OPT, 0, &n->z, "a node") < 0)
        rc = -1;
    json_t *p = json_object_get(j, "params");
    if (p && !json_is_object(p)) {
        err_at(im, s, j, "params", 0, "`params` of a node must be an object");
        return -1;
    }
    const char *k;
    json_t *v;
    json_object_foreach(p, k, v) {
        double *dst = strcmp(k, "a") == 0 ? &n->a : strcmp(k, "b") == 0 ? &n->b : strcmp(k, "c") == 0 ? &n->c
                      : strcmp(k, "d") == 0 ? &n->d : strcmp(k, "v") == 0 ? &n->v : strcmp(k, "u") == 0 ? &n->u
                                                                                          : NULL;
        if (!dst) {
            if (!is_comment_key(k))
                warn_key(im, s, p, k, "node parameter `%s` is not imported (only a, b, c, d, v, u are)", k);
            continue;
        }
        if (!json_is_number(v)) {
            err_at(im, s, p, k, 0, "node parameter `%s` must be a number", k);
            rc = -1;
            continue;
        }
        *dst = json_number_value(v);
        n->set_v |= dst == &n->v;
        n->set_u |= dst == &n->u;
        n->set_b |= dst == &n->b;
        n->set |= dst == &n->a ? 1u : dst == &n->b ? 2u : dst == &n->c ? 4u : dst == &n->d ? 8u : 0u;
    }
    (void)c;
    return rc;
}

static int read_terminal(Imp *im, Src *s, Comp *c, json_t *arr, size_t i, Term *t)
{
    json_t *j = json_array_get(arr, i);
    if (!json_is_object(j)) {
        err_at(im, s, arr, NULL, i, "terminal %zu must be an object", i);
        return -1;
    }
    static const char *const known[] = {"id", "bind_type", "neuron_ids", "label", NULL};
    check_keys(im, s, j, known, "a terminal");
    long id;
    const char *bind, *label;
    if (get_int(im, s, j, "id", REQ, 0, &id, "a terminal") < 0 ||
        get_str(im, s, j, "bind_type", REQ, &bind, "a terminal") < 0 ||
        get_str(im, s, j, "label", OPT, &label, "a terminal") < 0)
        return -1;
    if (strcmp(bind, "input") != 0 && strcmp(bind, "output") != 0) {
        err_at(im, s, j, "bind_type", 0, "`bind_type` must be \"input\" or \"output\", not \"%s\"", bind);
        return -1;
    }
    t->out = bind[0] == 'o';
    t->label = label ? label : arena_printf(&im->arena, "%ld", id);
    t->name = identifier(&im->arena, t->label, "t");
    json_t *ids = json_object_get(j, "neuron_ids");
    if (!ids) {
        err_at(im, s, j, NULL, 0, "a terminal has no `neuron_ids` (required)");
        return -1;
    }
    if (!json_is_array(ids) || json_array_size(ids) == 0) {
        err_at(im, s, j, "neuron_ids", 0, "`neuron_ids` must be a non-empty list of node ids");
        return -1;
    }
    t->n = (int)json_array_size(ids);
    t->nodes = ARENA_ARRAY(&im->arena, int, t->n);
    for (int k = 0; k < t->n; k++) {
        json_t *v = json_array_get(ids, (size_t)k);
        int idx = json_is_integer(v) ? node_index(c, (long)json_integer_value(v)) : -1;
        if (idx < 0) {
            err_at(im, s, ids, NULL, (size_t)k, "terminal `%s` names %s", t->label,
                   json_is_integer(v) ? "a node id that does not exist" : "something that is not a node id");
            return -1;
        }
        t->nodes[k] = idx;
    }
    return 0;
}

static int read_path(Imp *im, Src *s, Comp *c, json_t *arr, size_t i)
{
    json_t *j = json_array_get(arr, i);
    if (!json_is_object(j)) {
        err_at(im, s, arr, NULL, i, "path %zu must be an object", i);
        return -1;
    }
    static const char *const known[] = {"source", "target", "synapse_type", "weight", "delay", "params", NULL};
    check_keys(im, s, j, known, "a path");
    long src, tgt, delay;
    double w;
    const char *type;
    if (get_int(im, s, j, "source", REQ, 0, &src, "a path") < 0 ||
        get_int(im, s, j, "target", REQ, 0, &tgt, "a path") < 0 ||
        get_str(im, s, j, "synapse_type", REQ, &type, "a path") < 0 ||
        get_num(im, s, j, "weight", REQ, 0, &w, "a path") < 0 || get_int(im, s, j, "delay", REQ, 0, &delay, "a path") < 0)
        return -1;
    int si = node_index(c, src), ti = node_index(c, tgt);
    if (si < 0 || ti < 0) {
        err_at(im, s, j, si < 0 ? "source" : "target", 0, "path %s %ld is not a node of `%s`",
               si < 0 ? "source" : "target", si < 0 ? src : tgt, c->json_name);
        return -1;
    }
    int st = syn_type(type);
    if (st < 0) {
        err_at(im, s, j, "synapse_type", 0,
               "unknown synapse type `%s` (known: fixed, plastic, facilitating, depressing, gated, gap_junction, "
               "reward_plastic, developmental)",
               type);
        return -1;
    }
    if (delay < 0) {
        err_at(im, s, j, "delay", 0, "delay must not be negative, not %ld", delay);
        return -1;
    }
    Buf args = {0};
    int rc = synapse_params(im, s, j, st, w, &args);
    char a[32], b[32], nb[40];
    if (rc == 0 && st == SYN_GAP) {
        bput(&c->body, "  connect %s -> %s : gap_junction(%s)\n", pop_name(a, &c->nodes[si]),
             pop_name(b, &c->nodes[ti]), args.n ? args.p + 2 : "");
    } else if (rc == 0) {
        if (delay == 0) {
            warn_key(im, s, j, "delay",
                     "a chemical synapse with delay 0 arrives only after the whole delay ring in the reference "
                     "(§4.3 quirk); imported with delay 1");
            delay = 1;
        }
        bput(&c->body, "  connect %s -> %s : %s(w = %s%s) delay %ld\n", pop_name(a, &c->nodes[si]),
             pop_name(b, &c->nodes[ti]), type, num(nb, w), args.n ? args.p : "", delay);
    }
    free(args.p);
    return rc;
}

static int read_component(Imp *im, Src *s, Comp *c, const char *stem)
{
    json_t *root = s->root;
    static const char *const known[] = {"name", "description", "nodes", "paths", "terminals", NULL};
    check_keys(im, s, root, known, "a component");
    if (get_str(im, s, root, "name", OPT, &c->json_name, "the component") < 0 ||
        get_str(im, s, root, "description", OPT, &c->desc, "the component") < 0)
        return -1;
    if (!c->json_name)
        c->json_name = stem;
    c->name = identifier(&im->arena, c->json_name, "c_");
    c->src = s;
    json_t *nodes = json_object_get(root, "nodes");
    if (!nodes) {
        err_at(im, s, NULL, NULL, 0, "component `%s` has no `nodes` (required)", c->json_name);
        return -1;
    }
    if (!json_is_array(nodes) || json_array_size(nodes) == 0) {
        err_at(im, s, root, "nodes", 0, "`nodes` must be a non-empty list of neurons");
        return -1;
    }
    c->nnodes = (int)json_array_size(nodes);
    c->nodes = ARENA_ARRAY(&im->arena, Node, c->nnodes);
    int rc = 0;
    for (int k = 0; k < c->nnodes; k++) {
        if (read_node(im, s, c, nodes, (size_t)k, &c->nodes[k]) < 0) {
            rc = -1;
            continue;
        }
        for (int q = 0; q < k; q++)
            if (c->nodes[q].id == c->nodes[k].id) {
                err_at(im, s, c->nodes[k].j, "id", 0, "node id %ld appears twice", c->nodes[k].id);
                rc = -1;
            }
    }
    if (rc)
        return rc;
    json_t *paths = json_object_get(root, "paths");
    if (paths && !json_is_array(paths)) {
        err_at(im, s, root, "paths", 0, "`paths` must be a list");
        return -1;
    }
    for (size_t k = 0; k < json_array_size(paths); k++)
        if (read_path(im, s, c, paths, k) < 0)
            rc = -1;
    json_t *terms = json_object_get(root, "terminals");
    if (terms && !json_is_array(terms)) {
        err_at(im, s, root, "terminals", 0, "`terminals` must be a list");
        return -1;
    }
    c->nterms = (int)json_array_size(terms);
    c->terms = ARENA_ARRAY(&im->arena, Term, c->nterms + 1);
    for (int k = 0; k < c->nterms; k++) {
        if (read_terminal(im, s, c, terms, (size_t)k, &c->terms[k]) < 0) {
            rc = -1;
            continue;
        }
        for (int q = 0; q < k; q++)
            if (c->terms[q].name && strcmp(c->terms[q].name, c->terms[k].name) == 0) {
                err_at(im, s, terms, NULL, (size_t)k, "terminal `%s` appears twice in `%s`", c->terms[k].label,
                       c->json_name);
                rc = -1;
            }
        for (int q = 0; q < c->nnodes; q++) {
            char pb[32];
            if (c->terms[k].name && strcmp(c->terms[k].name, pop_name(pb, &c->nodes[q])) == 0)
                c->terms[k].name = arena_printf(&im->arena, "%s_t", c->terms[k].name);
        }
    }
    return rc;
}

static const Term *find_term(const Comp *c, const char *label)
{
    for (int k = 0; k < c->nterms; k++)
        if (strcmp(c->terms[k].label, label) == 0)
            return &c->terms[k];
    return NULL;
}

static void emit_component(Buf *o, const Comp *c, const Buf *timer)
{
    char pb[32], nb[40], nb2[40];
    if (c->desc)
        emit_text(o, c->desc, "");
    bput(o, "// from %s\ncomponent %s {\n", c->src->path, c->name);
    for (int k = 0; k < c->nnodes; k++) {
        const Node *n = &c->nodes[k];
        /* the std.izhikevich type, with the node's overrides */
        Buf args = {0};
        const char *names[] = {"a", "b", "c", "d"};
        double vals[] = {n->a, n->b, n->c, n->d};
        for (int q = 0; q < 4; q++)
            if (n->set & (1u << q))
                bput(&args, ", %s = %s", names[q], num(nb, vals[q]));
        if (n->set_v)
            bput(&args, ", v = %s", num(nb, n->v));
        if (n->set_v || n->set_u || n->set_b)
            bput(&args, ", u = %s", num(nb, n->u));
        bput(o, "  %s : %s%s%s%s at (%s, 0, ", pop_name(pb, n), n->type, args.n ? "(" : "", args.n ? args.p + 2 : "",
             args.n ? ")" : "", num(nb, n->x));
        free(args.p);
        bput(o, "%s)", num(nb2, n->z));
        json_t *sensor = json_object_get(n->j, "sensor");
        char *dump = sensor ? json_dumps(sensor, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
        if (dump) /* not used by the generator either (reference §1) */
            bput(o, "  // sensor %s (not imported)", dump);
        free(dump);
        bput(o, "\n");
    }
    if (c->body.n)
        bput(o, "%.*s", (int)c->body.n, c->body.p);
    if (timer && timer->n)
        bput(o, "%.*s", (int)timer->n, timer->p);
    for (int k = 0; k < c->nterms; k++) {
        const Term *t = &c->terms[k];
        bput(o, "  %s %s = ", t->out ? "out" : "in", t->name);
        for (int q = 0; q < t->n; q++)
            bput(o, "%s%s", q ? ", " : "", pop_name(pb, &c->nodes[t->nodes[q]]));
        if (strcmp(t->name, t->label) != 0)
            bput(o, "  // \"%s\"", t->label);
        bput(o, "\n");
    }
    bput(o, "}\n\n");
}

/* ---- files ----------------------------------------------------------------- */

static Src *load_src(Imp *im, const char *path, const char *text, size_t size)
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
        err_at(im, s, NULL, NULL, 0, "expected a JSON object (a component or a recipe)");
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
    Src *s = load_src(im, path, text, size);
    free(text);
    return s;
}

static int is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static char *dir_of(Arena *a, const char *path)
{
    const char *sl = strrchr(path, '/');
    return sl ? arena_strndup(a, path, (size_t)(sl - path)) : arena_strdup(a, ".");
}

static const char *stem_of(Arena *a, const char *path)
{
    const char *sl = strrchr(path, '/');
    const char *b = sl ? sl + 1 : path;
    size_t n = strlen(b);
    if (n > 5 && strcmp(b + n - 5, ".json") == 0)
        n -= 5;
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
            if (f == 0 && !strchr(name, '/') && !strstr(name, ".json"))
                continue;
            char *p = arena_printf(&im->arena, forms[f], roots[r], name);
            if (is_file(p))
                return p;
        }
    if (name[0] == '/' && is_file(name))
        return arena_strdup(&im->arena, name);
    return NULL;
}

static Comp *component_for(Imp *im, const Src *rs, const json_t *entry, const char *key, const char *name,
                           const char *base)
{
    char *path = im->files ? find_component(im, name, base) : NULL;
    if (!path) {
        err_at(im, rs, entry, key, 0,
               "unknown component type `%s`: no %s.json next to the recipe (blocks/components, "
               "blocks/sub_components) or in an -I folder",
               name, name);
        return NULL;
    }
    char *real = realpath(path, NULL);
    if (real && im->recipe_real && strcmp(real, im->recipe_real) == 0) {
        free(real);
        err_at(im, rs, entry, key, 0, "the recipe includes itself (`%s` is the recipe's own file)", name);
        return NULL;
    }
    for (int k = 0; k < im->ncomps; k++)
        if (real && strcmp(im->comps[k]->src->path, real) == 0) {
            free(real);
            return im->comps[k];
        }
    Src *s = load_file(im, real ? real : path, where(rs, entry, key, 0, 0));
    free(real);
    if (!s)
        return NULL;
    if (json_object_get(s->root, "components")) {
        err_at(im, rs, entry, key, 0, "`%s` is a recipe, not a component; a recipe cannot include a recipe", name);
        return NULL;
    }
    if (im->ncomps == (int)(sizeof im->comps / sizeof im->comps[0])) {
        err_at(im, rs, entry, key, 0, "too many component types (at most 256)");
        return NULL;
    }
    Comp *c = ARENA_NEW(&im->arena, Comp);
    if (read_component(im, s, c, stem_of(&im->arena, s->path)) < 0) {
        free(c->body.p);
        return NULL;
    }
    for (int k = 0; k < im->ncomps; k++)
        if (strcmp(im->comps[k]->name, c->name) == 0) {
            err_at(im, rs, entry, key, 0, "two component files are both called `%s` (%s and %s)", c->json_name,
                   im->comps[k]->src->path, s->path);
            free(c->body.p);
            return NULL;
        }
    im->comps[im->ncomps++] = c;
    return c;
}

/* ---- recipes --------------------------------------------------------------- */

typedef struct Entry {
    Comp *comp;
    long count, layer;
    int has_layer;
    char *inst;
    json_t *j;
} Entry;

typedef struct Wiring {
    double max_distance, probability, weight_scale, inhibition_fraction;
    int auto_timers, type_aware;
    json_t *exclude, *protect, *obj;
} Wiring;

static const char *const control_inputs[] = {"kill_in",  "calm_in",    "error_in", "dopamine_in",
                                             "tonic_in", "satisfy_in", "clear_in", NULL};

static int wiring_excludes(const Wiring *w, const char *label)
{
    if (!w->exclude)
        return in_strs(control_inputs, label);
    for (size_t k = 0; k < json_array_size(w->exclude); k++)
        if (json_is_string(json_array_get(w->exclude, k)) &&
            strcmp(json_string_value(json_array_get(w->exclude, k)), label) == 0)
            return 1;
    return 0;
}

static int read_wiring(Imp *im, const Src *s, Wiring *w)
{
    *w = (Wiring){20.0, 0.3, 1.0, 0.3, 1, 0, NULL, NULL, NULL};
    json_t *o = json_object_get(s->root, "wiring");
    const char *key = "wiring";
    if (!o && (o = json_object_get(s->root, "global_params")))
        key = "global_params";
    if (!o)
        return 0;
    if (!json_is_object(o)) {
        err_at(im, s, s->root, key, 0, "`%s` must be an object", key);
        return -1;
    }
    w->obj = o;
    static const char *const known[] = {"max_distance", "probability",   "weight_scale", "inhibition_fraction",
                                        "auto_timers",  "exclude_inputs", "type_aware_inhibition",
                                        "protected_triggers", NULL};
    check_keys(im, s, o, known, "the wiring block");
    int rc = 0;
    if (get_num(im, s, o, "max_distance", OPT, 20, &w->max_distance, "the wiring") < 0 ||
        get_num(im, s, o, "probability", OPT, 0.3, &w->probability, "the wiring") < 0 ||
        get_num(im, s, o, "weight_scale", OPT, 1, &w->weight_scale, "the wiring") < 0 ||
        get_num(im, s, o, "inhibition_fraction", OPT, 0.3, &w->inhibition_fraction, "the wiring") < 0)
        return -1;
    if (w->max_distance < 0) {
        err_at(im, s, o, "max_distance", 0, "max_distance must not be negative, not %g", w->max_distance);
        rc = -1;
    }
    const char *pk[] = {"probability", "inhibition_fraction"};
    double pv[] = {w->probability, w->inhibition_fraction};
    for (int k = 0; k < 2; k++)
        if (!(pv[k] >= 0 && pv[k] <= 1)) {
            err_at(im, s, o, pk[k], 0, "%s must be between 0 and 1, not %g", pk[k], pv[k]);
            rc = -1;
        }
    const char *bk[] = {"auto_timers", "type_aware_inhibition"};
    int *bv[] = {&w->auto_timers, &w->type_aware};
    for (int k = 0; k < 2; k++) {
        json_t *v = json_object_get(o, bk[k]);
        if (!v)
            continue;
        if (!json_is_boolean(v)) {
            err_at(im, s, o, bk[k], 0, "`%s` must be true or false", bk[k]);
            rc = -1;
        } else {
            *bv[k] = json_is_true(v);
        }
    }
    w->exclude = json_object_get(o, "exclude_inputs");
    if (w->exclude) {
        int ok = json_is_array(w->exclude);
        for (size_t k = 0; ok && k < json_array_size(w->exclude); k++)
            ok = json_is_string(json_array_get(w->exclude, k));
        if (!ok) {
            err_at(im, s, o, "exclude_inputs", 0, "`exclude_inputs` must be a list of terminal labels");
            rc = -1;
        }
    }
    w->protect = json_object_get(o, "protected_triggers");
    if (w->protect) {
        int ok = json_is_object(w->protect);
        const char *k;
        json_t *v;
        json_object_foreach(w->protect, k, v) {
            int good = json_is_array(v);
            for (size_t q = 0; good && q < json_array_size(v); q++)
                good = json_is_string(json_array_get(v, q));
            if (!good) {
                err_at(im, s, w->protect, k, 0, "protected triggers of `%s` must be a list of input labels", k);
                rc = -1;
            }
        }
        if (!ok) {
            err_at(im, s, o, "protected_triggers", 0,
                   "`protected_triggers` must map component names to lists of input labels");
            rc = -1;
        }
    }
    return rc;
}

static const Comp *comp_by_json_name(const Entry *e, int n, const char *name)
{
    for (int k = 0; k < n; k++)
        if (strcmp(e[k].comp->json_name, name) == 0)
            return e[k].comp;
    return NULL;
}

/* Auto-timers (§6.4): a fixed synapse per instance from the first neuron of
 * the trigger terminal to the first neuron of the kill terminal. */
static void auto_timer(Comp *c, Buf *out)
{
    static const struct {
        const char *comp, *from, *to;
        double w;
        int delay;
    } timers[] = {{"emotional_state", "trigger_in", "calm_in", 20, 400},
                  {"working_memory_cell", "trigger_in", "kill_in", 20, 500},
                  {"bistable_motif", "trigger_in", "kill_in", 20, 500}};
    for (size_t k = 0; k < sizeof timers / sizeof timers[0]; k++) {
        if (strcmp(c->json_name, timers[k].comp) != 0)
            continue;
        const Term *f = find_term(c, timers[k].from), *t = find_term(c, timers[k].to);
        if (!f || !t)
            continue;
        char a[32], b[32];
        bput(out, "  // auto-timer of the recipe (reference §6.4)\n");
        bput(out, "  connect %s -> %s : fixed(w = %g) delay %d\n", pop_name(a, &c->nodes[f->nodes[0]]),
             pop_name(b, &c->nodes[t->nodes[0]]), timers[k].w, timers[k].delay);
    }
}

static int read_projection(Imp *im, const Src *s, json_t *arr, size_t i, const Entry *ents, int nents,
                           const Wiring *w, Buf *o)
{
    json_t *p = json_array_get(arr, i);
    if (!json_is_object(p)) {
        err_at(im, s, arr, NULL, i, "projection %zu must be an object", i);
        return -1;
    }
    static const char *const known[] = {"from_type", "to_type", "from_terminal", "to_terminal", "weight",
                                        "probability", "delay", "synapse_type", "params", NULL};
    check_keys(im, s, p, known, "a projection");
    if (!json_object_get(p, "from_type")) {
        /* comment-only entry (reference: skipped) */
        bput(o, "\n");
        emit_comments(o, p, "  ");
        return 0;
    }
    const char *ft, *tt, *fterm, *tterm, *type = "fixed";
    double weight, prob;
    long delay;
    if (get_str(im, s, p, "from_type", REQ, &ft, "a projection") < 0 ||
        get_str(im, s, p, "to_type", REQ, &tt, "a projection") < 0 ||
        get_str(im, s, p, "from_terminal", OPT, &fterm, "a projection") < 0 ||
        get_str(im, s, p, "to_terminal", OPT, &tterm, "a projection") < 0 ||
        get_str(im, s, p, "synapse_type", OPT, &type, "a projection") < 0 ||
        get_num(im, s, p, "weight", OPT, 8.0, &weight, "a projection") < 0 ||
        get_num(im, s, p, "probability", OPT, 0.8, &prob, "a projection") < 0 ||
        get_int(im, s, p, "delay", OPT, 1, &delay, "a projection") < 0)
        return -1;
    if (!type)
        type = "fixed";
    if (!(prob >= 0 && prob <= 1)) {
        err_at(im, s, p, "probability", 0, "probability must be between 0 and 1, not %g", prob);
        return -1;
    }
    if (delay < 0) {
        err_at(im, s, p, "delay", 0, "delay must not be negative, not %ld", delay);
        return -1;
    }
    int st = syn_type(type);
    if (st < 0) {
        err_at(im, s, p, "synapse_type", 0,
               "unknown synapse type `%s` (known: fixed, plastic, facilitating, depressing, gated, gap_junction, "
               "reward_plastic, developmental)",
               type);
        return -1;
    }
    const Comp *fc = comp_by_json_name(ents, nents, ft), *tc = comp_by_json_name(ents, nents, tt);
    if (!fc || !tc) {
        warn_key(im, s, p, fc ? "to_type" : "from_type",
                 "the recipe has no instances of `%s`; this projection makes no synapses (as in the reference)",
                 fc ? tt : ft);
        return 0;
    }
    const Term *fterm_t = fterm ? find_term(fc, fterm) : NULL, *tterm_t = tterm ? find_term(tc, tterm) : NULL;
    if ((fterm && (!fterm_t || !fterm_t->out)) || (tterm && (!tterm_t || tterm_t->out))) {
        int bad_from = fterm && (!fterm_t || !fterm_t->out);
        const Comp *c = bad_from ? fc : tc;
        err_at(im, s, p, bad_from ? "from_terminal" : "to_terminal", 0, "component `%s` has no %s terminal `%s`",
               c->json_name, bad_from ? "output" : "input", bad_from ? fterm : tterm);
        return -1;
    }
    if (delay == 0 && st != SYN_GAP) {
        warn_key(im, s, p, "delay", "a chemical synapse with delay 0 is imported with delay 1 (reference §12.10)");
        delay = 1;
    }
    Buf args = {0};
    double wt = weight * w->weight_scale;
    if (synapse_params(im, s, p, st, wt, &args) < 0) {
        free(args.p);
        return -1;
    }
    char nb[40], nb2[40];
    char *syn = st == SYN_GAP ? arena_printf(&im->arena, "gap_junction(%s)", args.n ? args.p + 2 : "")
                              : arena_printf(&im->arena, "%s(w = %s%s)", type, num(nb, wt), args.n ? args.p : "");
    free(args.p);
    char *tail = st == SYN_GAP ? arena_printf(&im->arena, "probability %s per instance", num(nb, prob))
                               : arena_printf(&im->arena, "probability %s per instance delay %ld", num(nb, prob), delay);
    emit_comments(o, p, "  ");
    if (w->weight_scale != 1)
        bput(o, "  // weight %s x weight_scale %s\n", num(nb, weight), num(nb2, w->weight_scale));
    /* Inputs when none is named: all but the excluded ones. The bare form
     * excludes the reference's default control set; a recipe's own
     * exclude_inputs needs the inputs spelled out. */
    int spell = !tterm && w->exclude;
    for (int a = 0; a < nents; a++) {
        if (ents[a].comp != fc)
            continue;
        for (int b = 0; b < nents; b++) {
            if (ents[b].comp != tc)
                continue;
            char *from = fterm ? arena_printf(&im->arena, "%s.%s", ents[a].inst, fterm_t->name) : ents[a].inst;
            if (!spell) {
                char *to = tterm ? arena_printf(&im->arena, "%s.%s", ents[b].inst, tterm_t->name) : ents[b].inst;
                bput(o, "  connect %s -> %s : %s %s\n", from, to, syn, tail);
                continue;
            }
            for (int k = 0; k < tc->nterms; k++)
                if (!tc->terms[k].out && !wiring_excludes(w, tc->terms[k].label))
                    bput(o, "  connect %s -> %s.%s : %s %s\n", from, ents[b].inst, tc->terms[k].name, syn, tail);
        }
    }
    return 0;
}

static void emit_wiring(Imp *im, Buf *o, const Wiring *w, const Entry *ents, int nents, const Src *s)
{
    char nb[40];
    bput(o, "\n  // the recipe's wiring block: proximity cross-wiring (reference §6.6)\n");
    if (w->obj)
        emit_comments(o, w->obj, "  ");
    bput(o, "  wire proximity(max_distance = %s", num(nb, w->max_distance));
    bput(o, ", probability = %s", num(nb, w->probability));
    bput(o, ", weight_scale = %s", num(nb, w->weight_scale));
    bput(o, ", inhibition_fraction = %s", num(nb, w->inhibition_fraction));
    bput(o, ", type_aware_inhibition = %s", w->type_aware ? "true" : "false");
    if (w->exclude) {
        bput(o, ",\n                 exclude_inputs = [");
        for (size_t k = 0; k < json_array_size(w->exclude); k++)
            bput(o, "%s\"%s\"", k ? ", " : "", json_string_value(json_array_get(w->exclude, k)));
        bput(o, "]");
    }
    if (w->protect && json_object_size(w->protect)) {
        bput(o, ",\n                 protected_triggers = [");
        int first = 1;
        const char *k;
        json_t *v;
        json_object_foreach(w->protect, k, v) {
            const Comp *c = comp_by_json_name(ents, nents, k);
            if (!c) {
                warn_key(im, s, w->protect, k, "protected triggers of `%s`, which the recipe does not use", k);
                continue;
            }
            for (size_t q = 0; q < json_array_size(v); q++) {
                const char *label = json_string_value(json_array_get(v, q));
                const Term *t = find_term(c, label);
                if (!t) {
                    warn_key(im, s, w->protect, k, "`%s` has no terminal `%s` to protect", k, label);
                    continue;
                }
                bput(o, "%s\n                   \"%s.%s\"", first ? "" : ",", c->name, t->name);
                first = 0;
            }
        }
        bput(o, "]");
    }
    bput(o, ")\n");
}

static int import_recipe(Imp *im, Src *s, Buf *o, ImportResult *res)
{
    json_t *r = s->root;
    static const char *const known[] = {"name",   "description", "output",      "seed", "layer_spacing",
                                        "components", "projections", "wiring", "global_params", NULL};
    check_keys(im, s, r, known, "the recipe");
    const char *name = NULL, *desc = NULL, *output = NULL;
    double spacing = 50;
    long seed = 42;
    int rc = 0;
    if (get_str(im, s, r, "name", OPT, &name, "the recipe") < 0 ||
        get_str(im, s, r, "description", OPT, &desc, "the recipe") < 0 ||
        get_str(im, s, r, "output", OPT, &output, "the recipe") < 0 ||
        get_int(im, s, r, "seed", OPT, 42, &seed, "the recipe") < 0 ||
        get_num(im, s, r, "layer_spacing", OPT, 50, &spacing, "the recipe") < 0)
        rc = -1;
    if (seed < 0) {
        err_at(im, s, r, "seed", 0, "seed must not be negative, not %ld", seed);
        rc = -1;
    }
    if (spacing < 0) {
        err_at(im, s, r, "layer_spacing", 0, "layer_spacing must not be negative, not %g", spacing);
        rc = -1;
    }
    Wiring w;
    if (read_wiring(im, s, &w) < 0)
        rc = -1;
    json_t *comps = json_object_get(r, "components");
    if (!json_is_array(comps)) {
        err_at(im, s, r, "components", 0, "`components` must be a list of {\"type\", \"count\", \"layer\"}");
        return -1;
    }
    size_t ncomps = json_array_size(comps);
    Entry *ents = ARENA_ARRAY(&im->arena, Entry, ncomps + 1);
    int nents = 0;
    char *base = dir_of(&im->arena, s->path);
    for (size_t k = 0; k < ncomps; k++) {
        json_t *e = json_array_get(comps, k);
        if (!json_is_object(e)) {
            err_at(im, s, comps, NULL, k, "component entry %zu must be an object", k);
            rc = -1;
            continue;
        }
        static const char *const ek[] = {"type", "path", "count", "layer", NULL};
        check_keys(im, s, e, ek, "a component entry");
        const char *type, *path;
        long count, layer = 0;
        if (get_str(im, s, e, "type", OPT, &type, "a component entry") < 0 ||
            get_str(im, s, e, "path", OPT, &path, "a component entry") < 0 ||
            get_int(im, s, e, "count", OPT, 1, &count, "a component entry") < 0) {
            rc = -1;
            continue;
        }
        json_t *lv = json_object_get(e, "layer");
        int has_layer = lv && !json_is_null(lv);
        if (has_layer && get_int(im, s, e, "layer", REQ, 0, &layer, "a component entry") < 0) {
            rc = -1;
            continue;
        }
        if (!type && !path) {
            err_at(im, s, e, NULL, 0, "a component entry has no `type` (required)");
            rc = -1;
            continue;
        }
        if (count < 0 || count > 10000000) {
            err_at(im, s, e, "count", 0, "count must be between 0 and 10000000, not %ld", count);
            rc = -1;
            continue;
        }
        Comp *c = component_for(im, s, e, path ? "path" : "type", path ? path : type, base);
        if (!c) {
            rc = -1;
            continue;
        }
        if (count == 0) {
            warn_key(im, s, e, "count", "count 0: no instances of `%s`", c->json_name);
            continue;
        }
        Entry *en = &ents[nents++];
        en->comp = c;
        en->count = count;
        en->layer = layer;
        en->has_layer = has_layer;
        en->j = e;
        en->inst = c->name;
        for (int q = 0, dup = 2; q < nents - 1; q++)
            if (strcmp(ents[q].inst, en->inst) == 0) {
                en->inst = arena_printf(&im->arena, "%s_%d", c->name, dup++);
                q = -1;
            }
    }
    if (rc)
        return rc;
    if (nents == 0) {
        err_at(im, s, r, "components", 0, "the recipe is empty: `components` lists no instances");
        return -1;
    }
    json_t *projs = json_object_get(r, "projections");
    if (projs && !json_is_array(projs)) {
        err_at(im, s, r, "projections", 0, "`projections` must be a list");
        return -1;
    }
    Buf pb = {0};
    for (size_t k = 0; k < json_array_size(projs); k++)
        if (read_projection(im, s, projs, k, ents, nents, &w, &pb) < 0)
            rc = -1;
    if (rc == 0) {
        const char *stem = stem_of(&im->arena, s->path);
        char *bname = identifier(&im->arena, stem, "b_");
        for (int k = 0; k < im->ncomps; k++)
            if (strcmp(im->comps[k]->name, bname) == 0)
                bname = arena_printf(&im->arena, "%s_brain", bname);
        bput(o, "// Imported by `brainc import` from %s (an inner-models-v8 recipe).\n", s->path);
        if (name)
            bput(o, "// %s\n", name);
        if (desc)
            emit_text(o, desc, "");
        if (output)
            bput(o, "// The reference generator writes this brain to %s.\n", output);
        bput(o, "// The recipe's seed is %ld: `brainc run`/`ir`/`build` on the JSON use it unless --seed is given;\n"
                "// on this file give --seed %ld.\n",
             seed, seed);
        emit_comments(o, r, "");
        bput(o, "import std.izhikevich\nimport std.im8\nimport std.synapses\n\n");
        for (int k = 0; k < im->ncomps; k++) {
            Buf timer = {0};
            if (w.auto_timers)
                auto_timer(im->comps[k], &timer);
            emit_component(o, im->comps[k], &timer);
            free(timer.p);
        }
        char nb[40];
        bput(o, "brain %s {\n  layout grid(spacing = 12, layer_spacing = %s)\n", bname, num(nb, spacing));
        int open_layer = 0;
        long cur = 0;
        for (int k = 0; k < nents; k++) {
            Entry *e = &ents[k];
            if (open_layer && (!e->has_layer || e->layer != cur)) {
                bput(o, "  }\n");
                open_layer = 0;
            }
            if (e->has_layer && !open_layer) {
                bput(o, "  layer %ld {\n", e->layer);
                open_layer = 1;
                cur = e->layer;
            }
            const char *ind = open_layer ? "    " : "  ";
            emit_comments(o, e->j, ind);
            bput(o, "%s%s[%ld] : %s\n", ind, e->inst, e->count, e->comp->name);
        }
        if (open_layer)
            bput(o, "  }\n");
        if (pb.n)
            bput(o, "%.*s", (int)pb.n, pb.p);
        emit_wiring(im, o, &w, ents, nents, s);
        bput(o, "}\n");
        res->seed = (uint64_t)seed;
        res->is_recipe = 1;
    }
    free(pb.p);
    return rc;
}

static int import_component_file(Imp *im, Src *s, Buf *o)
{
    Comp *c = ARENA_NEW(&im->arena, Comp);
    im->comps[im->ncomps++] = c;
    if (read_component(im, s, c, stem_of(&im->arena, s->path)) < 0)
        return -1;
    bput(o, "// Imported by `brainc import` from %s (an inner-models-v8 component).\n", s->path);
    bput(o, "import std.izhikevich\nimport std.im8\nimport std.synapses\n\n");
    emit_component(o, c, NULL);
    bput(o, "// One instance, so that the component can be run on its own.\nbrain %s_alone {\n  %s[1] : %s\n}\n",
         c->name, c->name, c->name);
    return 0;
}

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
        err_at(im, s, NULL, NULL, 0,
               "neither a recipe (no `components`) nor a component (no `nodes`): nothing to import");
        rc = -1;
    }
    if (rc == 0 && (o.oom || im->diag->nerrors)) {
        if (o.oom)
            diag_error(im->diag, loc_none(), "out of memory while importing");
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
        if (im->srcs[k]->root)
            json_decref(im->srcs[k]->root);
        json_locs_free(&im->srcs[k]->locs);
    }
    free((char *)im->recipe_real);
    arena_free(&im->arena);
}

int import_json_text(const char *name, const char *text, size_t size, const char **search, int files, Diag *diag,
                     ImportResult *out)
{
    Imp im = {0};
    im.diag = diag;
    im.search = search;
    im.files = files;
    arena_init(&im.arena);
    memset(out, 0, sizeof *out);
    if (files)
        im.recipe_real = realpath(name, NULL);
    int errors = diag->nerrors;
    Src *s = load_src(&im, name, text, size);
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
    if (ok)
        (void)chmod(tmp, 0644);
    if (!ok || rename(tmp, path) != 0) {
        snprintf(msg, msize, "cannot write `%s`: %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}
