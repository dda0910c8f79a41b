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
    /* the pruning parameters of every developmental synapse: those of the
     * first one (lowest reference DB id, §4.2 quirk), and where it is */
    int dev_set;
    double dev[4];
    const char *dev_from;
    int has_groups; /* some gated synapse has a modulator group */
    int has_dev;    /* some synapse is developmental */
    Buf hidden;     /* `, "name"` for each hidden input terminal (left out of wiring) */
    long total;     /* neurons of the recipe, in the reference's numbering */
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
    "im8_izh", "im8_izh_modulated", "gated_modulated", "modulator_count", "fixed", "plastic", "facilitating",
    "depressing", "gated", "reward_plastic",
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

enum { SYN_GATED = 4, SYN_DEV = 7 };

/* The pruning parameters of developmental (§4.1 defaults); the reference
 * reads them from its first developmental synapse for all (§4.2). */
static const char *const prune_keys[4] = {"critical_period", "pruning_threshold", "eval_interval",
                                          "min_source_fires"};
static const double prune_defaults[4] = {10000, 0.02, 2000, 20};

/* What a synapse's params say beyond its arguments. */
typedef struct SynExtra {
    double prune[4];  /* developmental: its own pruning parameters */
    json_t *group;    /* gated: a non-empty list of neuron indices (modulator_group) */
    json_t *params;   /* where they are, for warnings */
} SynExtra;

/* Checks a synapse's `params` and writes them as model arguments
 * (`, key = value`), except developmental's pruning parameters and gated's
 * modulator_group, which go to *x; returns -1 on errors. */
static int synapse_params(Imp *im, const Src *s, const json_t *owner, int type, double w, Buf *args, SynExtra *x)
{
    json_t *params = json_object_get(owner, "params");
    memcpy(x->prune, prune_defaults, sizeof x->prune);
    x->group = NULL;
    x->params = params;
    im->has_dev |= type == SYN_DEV;
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
            double xv = json_number_value(v);
            if (strcmp(k, "w_min") == 0)
                wmin = xv;
            if (strcmp(k, "w_max") == 0)
                wmax = xv;
            int pk = -1;
            for (int q = 0; type == SYN_DEV && q < 4; q++)
                if (strcmp(k, prune_keys[q]) == 0)
                    pk = q;
            if (pk >= 0)
                x->prune[pk] = xv;
            else
                bput(args, ", %s = %s", k, num(nb, xv));
        } else if (in_strs(t->unused, k)) {
            if (strcmp(k, "modulator_group") == 0 && json_is_array(v) && json_array_size(v)) {
                for (size_t q = 0; q < json_array_size(v); q++) {
                    json_t *e = json_array_get(v, q);
                    if (!json_is_integer(e) || json_integer_value(e) < 0) {
                        err_at(im, s, v, NULL, q,
                               "`modulator_group` must list neuron indices (whole numbers from 0, in the "
                               "reference's numbering of the recipe's neurons)");
                        rc = -1;
                        break;
                    }
                }
                x->group = v;
                im->has_groups = 1;
            } else if (strcmp(k, "modulator_group") == 0 && !(json_is_string(v) && !*json_string_value(v)) &&
                       !json_is_array(v)) {
                warn_key(im, s, params, k,
                         "`modulator_group` is not a list of neuron indices: the reference's gate never opens "
                         "for it (no learning), and neither does brainc's");
            } else if (strcmp(k, "modulator_group") != 0)
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
    int cls, pos; /* the population (class) it is merged into, and its index there */
} Node;

/* Nodes of one neuron type with equal a, b, c, d, v, u: one population. */
typedef struct Class {
    const Node *first; /* the values */
    char *name;
    int n;
    int *nodes; /* node indices, in node order */
    /* gated synapses with a modulator group into this class: the group
     * (one per class: its neurons' `modulation`), and which nodes they reach */
    json_t *group;
    char *target; /* [nnodes of the component] */
    char *term;   /* the hidden input terminal of those targets */
    const Src *gsrc; /* the file of group */
} Class;

/* A path, kept until all are read: paths of one synapse (type, arguments,
 * delay) between the same two populations become one connect. */
typedef struct PathRec {
    int si, ti;
    int type;   /* index into syn_types */
    char *args; /* `w = 9, learning_rate = 0.1` (gap junctions: without w) */
    SynExtra x;
    json_t *j;
    char *syn; /* `fixed(w = 9)`, `gap_junction(conductance = 0.15)`, made by emit_paths */
    long delay; /* 0 for gap junctions */
    int done;
} PathRec;

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
    Class *cls;
    int ncls;
    PathRec *paths;
    int npaths;
    Buf body; /* the connects, written by emit_paths */
    int timer_done;
    int emitted;
    char **modsrc; /* [nnodes]: the hidden input terminal of a modulator node, or NULL */
};

static int node_index(const Comp *c, long id)
{
    for (int k = 0; k < c->nnodes; k++)
        if (c->nodes[k].id == id)
            return k;
    return -1;
}

/* Node k as a selection: `rs[2]`, or `rs` for a one-neuron population. */
static const char *node_sel(char buf[48], const Comp *c, int k)
{
    const Class *cl = &c->cls[c->nodes[k].cls];
    if (cl->n == 1)
        snprintf(buf, 48, "%s", cl->name);
    else
        snprintf(buf, 48, "%s[%d]", cl->name, c->nodes[k].pos);
    return buf;
}

static int same_values(const Node *x, const Node *y)
{
    return strcmp(x->type, y->type) == 0 && x->a == y->a && x->b == y->b && x->c == y->c && x->d == y->d &&
           x->v == y->v && x->u == y->u;
}

/* Merges the nodes into classes (populations) of equal type and values, in
 * order of first appearance, named by the type in lower case (`ch`, then
 * `ch_2`, ... for CH nodes with other values). */
static void make_classes(Imp *im, Comp *c)
{
    c->cls = ARENA_ARRAY(&im->arena, Class, c->nnodes);
    c->ncls = 0;
    for (int k = 0; k < c->nnodes; k++) {
        Node *n = &c->nodes[k];
        int q = 0;
        while (q < c->ncls && !same_values(c->cls[q].first, n))
            q++;
        if (q == c->ncls) {
            Class *cl = &c->cls[c->ncls++];
            cl->first = n;
            cl->nodes = ARENA_ARRAY(&im->arena, int, c->nnodes);
            int same_type = 0;
            for (int r = 0; r < q; r++)
                same_type += strcmp(c->cls[r].first->type, n->type) == 0;
            char low[8];
            size_t j = 0;
            for (; n->type[j] && j < sizeof low - 1; j++)
                low[j] = (char)(n->type[j] - 'A' + 'a');
            low[j] = 0;
            cl->name = same_type ? arena_printf(&im->arena, "%s_%d", low, same_type + 1)
                                 : arena_strdup(&im->arena, low);
        }
        n->cls = q;
        n->pos = c->cls[q].n;
        c->cls[q].nodes[c->cls[q].n++] = k;
    }
}

/* The selection `cl[i, j, ...]` of the given nodes (all of one class), or
 * `cl` when they are the whole class in order. */
static void put_list(Buf *o, const Comp *c, const int *nodes, int n)
{
    const Class *cl = &c->cls[c->nodes[nodes[0]].cls];
    int whole = n == cl->n;
    for (int k = 0; whole && k < n; k++)
        whole = c->nodes[nodes[k]].pos == k;
    if (whole) {
        bput(o, "%s", cl->name);
        return;
    }
    bput(o, "%s[", cl->name);
    for (int k = 0; k < n; k++)
        bput(o, "%s%d", k ? ", " : "", c->nodes[nodes[k]].pos);
    bput(o, "]");
}

/* The synapse of a path or projection as written: the model and its
 * arguments; developmental with the pruning parameters of the first one
 * (im->dev), gated with a modulator group as gated_modulated. */
static char *syn_text(Imp *im, int type, const char *args, const SynExtra *x, int modulated)
{
    Buf b = {0};
    char nb[40];
    if (type == SYN_GAP) {
        bput(&b, "gap_junction(%s)", args);
    } else if (type == SYN_GATED && modulated) {
        bput(&b, "gated_modulated(%s, n_modulators = %zu)", args, json_array_size(x->group));
    } else {
        bput(&b, "%s(%s", syn_types[type].name, args);
        for (int q = 0; type == SYN_DEV && q < 4; q++)
            bput(&b, ", %s = %s", prune_keys[q], num(nb, im->dev[q]));
        bput(&b, ")");
    }
    char *r = arena_strdup(&im->arena, b.p ? b.p : "");
    free(b.p);
    return r;
}

/* A developmental synapse whose pruning parameters differ from the first
 * one's: the reference prunes it with the first one's (§4.2). */
static void dev_warn(Imp *im, const Src *s, const json_t *owner, const SynExtra *x)
{
    char msg[512], a[40], b[40];
    size_t n = 0;
    msg[0] = 0;
    for (int q = 0; q < 4; q++)
        if (x->prune[q] != im->dev[q] && n < sizeof msg)
            n += (size_t)snprintf(msg + n, sizeof msg - n, "%s%s %s -> %s", n ? ", " : "", prune_keys[q],
                                  num(a, x->prune[q]), num(b, im->dev[q]));
    if (!n)
        return;
    if (x->params)
        warn_key(im, s, owner, "params",
                 "developmental pruning parameters overridden (%s): the reference prunes every developmental "
                 "synapse with those of its first one (%s; reference §4.2)",
                 msg, im->dev_from ? im->dev_from : "");
    else
        warn_key(im, s, owner, "synapse_type",
                 "developmental pruning parameters overridden (%s): the reference prunes every developmental "
                 "synapse with those of its first one (%s; reference §4.2)",
                 msg, im->dev_from ? im->dev_from : "");
}

/* Gives class q of c the modulator group g: 0 when it had none or an equal
 * one, else (warned) -1: one `modulation` state per neuron holds one group. */
static int class_group(Imp *im, Comp *c, int q, json_t *g, const Src *s, const json_t *where_)
{
    Class *cl = &c->cls[q];
    if (!cl->target)
        cl->target = ARENA_ARRAY(&im->arena, char, c->nnodes);
    if (!cl->group || json_equal(cl->group, g)) {
        if (!cl->group)
            cl->gsrc = s;
        cl->group = g;
        return 0;
    }
    warn_key(im, s, where_, "modulator_group",
             "population `%s` of `%s` already has another modulator group; this gated synapse is imported as "
             "`gated` (its gate stays closed: no learning)",
             cl->name, c->json_name);
    return -1;
}

/* Paths of one kind between the same two populations as one connect:
 * `connect rs[0, 1] -> ch[0, 0] : fixed(w = 9) one_to_one delay 1`. */
static void emit_paths(Imp *im, Comp *c)
{
    if (c->emitted)
        return;
    c->emitted = 1;
    int *src = ARENA_ARRAY(&im->arena, int, c->npaths + 1), *dst = ARENA_ARRAY(&im->arena, int, c->npaths + 1);
    for (int k = 0; k < c->npaths; k++) {
        PathRec *p = &c->paths[k];
        int modulated = 0;
        if (p->type == SYN_DEV)
            dev_warn(im, c->src, p->j, &p->x);
        if (p->type == SYN_GATED && p->x.group) {
            int q = c->nodes[p->ti].cls;
            modulated = class_group(im, c, q, p->x.group, c->src, p->x.params) == 0;
            if (modulated)
                c->cls[q].target[p->ti] = 1;
        }
        p->syn = syn_text(im, p->type, p->args, &p->x, modulated);
    }
    for (int k = 0; k < c->npaths; k++) {
        PathRec *p = &c->paths[k];
        if (p->done)
            continue;
        int n = 0;
        for (int q = k; q < c->npaths; q++) {
            PathRec *r = &c->paths[q];
            if (r->done || r->delay != p->delay || strcmp(r->syn, p->syn) != 0 ||
                c->nodes[r->si].cls != c->nodes[p->si].cls || c->nodes[r->ti].cls != c->nodes[p->ti].cls)
                continue;
            r->done = 1;
            src[n] = r->si;
            dst[n++] = r->ti;
        }
        bput(&c->body, "  connect ");
        put_list(&c->body, c, src, n);
        bput(&c->body, " -> ");
        put_list(&c->body, c, dst, n);
        bput(&c->body, " : %s", p->syn);
        if (n > 1)
            bput(&c->body, " one_to_one");
        if (p->delay)
            bput(&c->body, " delay %ld", p->delay);
        bput(&c->body, "\n");
    }
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
    PathRec *pr = &c->paths[c->npaths];
    int rc = synapse_params(im, s, j, st, w, &args, &pr->x);
    char nb[40];
    pr->si = si;
    pr->ti = ti;
    pr->type = st;
    pr->j = j;
    if (rc == 0 && st == SYN_GAP) {
        pr->args = arena_strdup(&im->arena, args.n ? args.p + 2 : "");
        c->npaths++;
    } else if (rc == 0) {
        if (delay == 0) {
            warn_key(im, s, j, "delay",
                     "a chemical synapse with delay 0 arrives only after the whole delay ring in the reference "
                     "(§4.3 quirk); imported with delay 1");
            delay = 1;
        }
        pr->args = arena_printf(&im->arena, "w = %s%s", num(nb, w), args.n ? args.p : "");
        pr->delay = delay;
        c->npaths++;
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
    make_classes(im, c);
    json_t *paths = json_object_get(root, "paths");
    if (paths && !json_is_array(paths)) {
        err_at(im, s, root, "paths", 0, "`paths` must be a list");
        return -1;
    }
    c->paths = ARENA_ARRAY(&im->arena, PathRec, json_array_size(paths) + 1);
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
        for (int q = 0; q < c->ncls; q++)
            if (c->terms[k].name && strcmp(c->terms[k].name, c->cls[q].name) == 0)
                c->terms[k].name = arena_printf(&im->arena, "%s_t", c->terms[k].name);
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

/* A coordinate of the nodes of a class as an expression of i: a constant,
 * `x0 + dx * i` when evenly spaced, else `if i == 0 then .. else ..`. */
static void put_coord(Buf *o, const Comp *c, const Class *cl, int axis)
{
    char nb[40], nb2[40];
    double v0 = axis ? c->nodes[cl->nodes[0]].z : c->nodes[cl->nodes[0]].x;
    int same = 1, linear = cl->n > 1;
    double dx = cl->n > 1 ? (axis ? c->nodes[cl->nodes[1]].z : c->nodes[cl->nodes[1]].x) - v0 : 0;
    for (int k = 0; k < cl->n; k++) {
        double v = axis ? c->nodes[cl->nodes[k]].z : c->nodes[cl->nodes[k]].x;
        same = same && v == v0;
        linear = linear && v == v0 + dx * k;
    }
    if (same) {
        bput(o, "%s", num(nb, v0));
        return;
    }
    if (linear) {
        double m = fabs(dx);
        if (v0 != 0)
            bput(o, "%s %s ", num(nb, v0), dx < 0 ? "-" : "+");
        else if (dx < 0)
            bput(o, "-");
        if (m == 1)
            bput(o, "i");
        else
            bput(o, "%s * i", num(nb2, m));
        return;
    }
    for (int k = 0; k < cl->n; k++) {
        double v = axis ? c->nodes[cl->nodes[k]].z : c->nodes[cl->nodes[k]].x;
        if (k < cl->n - 1)
            bput(o, "if i == %d then %s else ", k, num(nb, v));
        else
            bput(o, "%s", num(nb, v));
    }
}

static void emit_component(Buf *o, const Comp *c, const Buf *timer)
{
    char nb[40], pb[48];
    if (c->desc)
        emit_text(o, c->desc, "");
    bput(o, "// from %s\ncomponent %s {\n", c->src->path, c->name);
    for (int q = 0; q < c->ncls; q++) {
        const Class *cl = &c->cls[q];
        const Node *n = cl->first;
        const NeuronType *nt = NULL;
        for (size_t k = 0; k < sizeof neuron_types / sizeof neuron_types[0]; k++)
            if (strcmp(neuron_types[k].name, n->type) == 0)
                nt = &neuron_types[k];
        /* the std.izhikevich type, with the node's overrides; u explicitly
         * where the model's default b * v would differ (§2.2) */
        Buf args = {0};
        const char *names[] = {"a", "b", "c", "d"};
        double vals[] = {n->a, n->b, n->c, n->d}, defs[] = {nt->a, nt->b, nt->c, nt->d};
        for (int k = 0; k < 4; k++)
            if (vals[k] != defs[k] || cl->group) /* im8_izh_modulated: all four */
                bput(&args, ", %s = %s", names[k], num(nb, vals[k]));
        if (n->v != -65)
            bput(&args, ", v = %s", num(nb, n->v));
        if (n->u != n->b * n->v)
            bput(&args, ", u = %s", num(nb, n->u));
        bput(o, "  %s", cl->name);
        if (cl->n > 1)
            bput(o, "[%d]", cl->n);
        bput(o, " : %s%s%s%s at (", cl->group ? "im8_izh_modulated" : n->type, args.n ? "(" : "",
             args.n ? args.p + 2 : "", args.n ? ")" : "");
        free(args.p);
        put_coord(o, c, cl, 0);
        bput(o, ", 0, ");
        put_coord(o, c, cl, 1);
        bput(o, ")  // node%s", cl->n > 1 ? "s" : "");
        for (int k = 0; k < cl->n; k++)
            bput(o, "%s %ld", k ? "," : "", c->nodes[cl->nodes[k]].id);
        if (cl->group)
            bput(o, "; %s with `modulation` for gated_modulated", n->type);
        bput(o, "\n");
    }
    for (int k = 0; k < c->nnodes; k++) {
        json_t *sensor = json_object_get(c->nodes[k].j, "sensor");
        char *dump = sensor ? json_dumps(sensor, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
        if (dump) /* not used by the generator either (reference §1) */
            bput(o, "  // node %ld (%s): sensor %s (not imported)\n", c->nodes[k].id, node_sel(pb, c, k), dump);
        free(dump);
    }
    if (c->body.n)
        bput(o, "%.*s", (int)c->body.n, c->body.p);
    if (timer && timer->n)
        bput(o, "%.*s", (int)timer->n, timer->p);
    for (int k = 0; k < c->nterms; k++) {
        const Term *t = &c->terms[k];
        bput(o, "  %s %s = ", t->out ? "out" : "in", t->name);
        /* runs of nodes of one class as one selection, in the JSON's order */
        for (int q = 0; q < t->n;) {
            int r = q + 1;
            while (r < t->n && c->nodes[t->nodes[r]].cls == c->nodes[t->nodes[q]].cls)
                r++;
            if (q)
                bput(o, ", ");
            put_list(o, c, t->nodes + q, r - q);
            q = r;
        }
        if (strcmp(t->name, t->label) != 0)
            bput(o, "  // \"%s\"", t->label);
        bput(o, "\n");
    }
    /* hidden input terminals of modulator groups (never wired) */
    for (int q = 0; q < c->ncls; q++) {
        const Class *cl = &c->cls[q];
        if (!cl->term)
            continue;
        int *nodes = malloc(sizeof(int) * (size_t)cl->n), n = 0;
        for (int k = 0; nodes && k < cl->n; k++)
            if (cl->target[cl->nodes[k]])
                nodes[n++] = cl->nodes[k];
        if (n) {
            bput(o, "  in %s = ", cl->term);
            put_list(o, c, nodes, n);
            bput(o, "  // targets of gated synapses with a modulator group; not wired\n");
        }
        free(nodes);
    }
    for (int k = 0; c->modsrc && k < c->nnodes; k++)
        if (c->modsrc[k])
            bput(o, "  in %s = %s  // a modulator neuron of gated synapses; not wired\n", c->modsrc[k],
                 node_sel(pb, c, k));
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
        char a[48], b[48];
        bput(out, "  // auto-timer of the recipe (reference §6.4)\n");
        bput(out, "  connect %s -> %s : fixed(w = %g) delay %d\n", node_sel(a, c, f->nodes[0]),
             node_sel(b, c, t->nodes[0]), timers[k].w, timers[k].delay);
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
    SynExtra x;
    if (synapse_params(im, s, p, st, wt, &args, &x) < 0) {
        free(args.p);
        return -1;
    }
    char nb[40], nb2[40];
    char *sargs = st == SYN_GAP ? arena_strdup(&im->arena, args.n ? args.p + 2 : "")
                                : arena_printf(&im->arena, "w = %s%s", num(nb, wt), args.n ? args.p : "");
    free(args.p);
    if (st == SYN_DEV)
        dev_warn(im, s, p, &x);
    int modulated = 0;
    if (st == SYN_GATED && x.group) {
        /* the target neurons: those of the input terminals it reaches */
        Comp *tcw = (Comp *)tc;
        int ok = 1;
        for (int pass = 0; pass < 2 && ok; pass++)
            for (int k = 0; k < tc->nterms && ok; k++) {
                const Term *t = &tc->terms[k];
                if (t->out || (tterm ? t != tterm_t : wiring_excludes(w, t->label)))
                    continue;
                for (int q = 0; q < t->n && ok; q++) {
                    Class *cl = &tcw->cls[tc->nodes[t->nodes[q]].cls];
                    if (pass == 0 && cl->group && !json_equal(cl->group, x.group))
                        ok = class_group(im, tcw, tc->nodes[t->nodes[q]].cls, x.group, s, x.params) == 0;
                    if (pass == 1) {
                        class_group(im, tcw, tc->nodes[t->nodes[q]].cls, x.group, s, x.params);
                        cl->target[t->nodes[q]] = 1;
                    }
                }
            }
        modulated = ok;
    }
    char *syn = syn_text(im, st, sargs, &x, modulated);
    char *tail = st == SYN_GAP ? arena_printf(&im->arena, "probability %s per instance", num(nb, prob))
                               : arena_printf(&im->arena, "probability %s per instance delay %ld", num(nb, prob), delay);
    emit_comments(o, p, "  ");
    if (w->weight_scale != 1)
        bput(o, "  // weight %s x weight_scale %s\n", num(nb, weight), num(nb2, w->weight_scale));
    /* Inputs when none is named: all but the excluded ones. The bare form
     * excludes the reference's default control set; a recipe's own
     * exclude_inputs needs the inputs spelled out. */
    int spell = !tterm && (w->exclude || im->has_groups);
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

/* The pruning parameters of the first developmental synapse in the
 * reference's row order (§6.3): the internal paths of the instances in
 * recipe order, then the projections in recipe order (the first that can
 * make synapses); im->dev, for every developmental synapse (§4.2 quirk). */
static void dev_first(Imp *im, const Entry *ents, int nents, const json_t *projs, const Wiring *w)
{
    memcpy(im->dev, prune_defaults, sizeof im->dev);
    for (int e = 0; e < nents; e++) {
        const Comp *c = ents[e].comp;
        for (int k = 0; k < c->npaths; k++)
            if (c->paths[k].type == SYN_DEV) {
                memcpy(im->dev, c->paths[k].x.prune, sizeof im->dev);
                im->dev_from = arena_printf(&im->arena, "the path from node %ld to node %ld of `%s`",
                                            c->nodes[c->paths[k].si].id, c->nodes[c->paths[k].ti].id,
                                            c->json_name);
                return;
            }
    }
    for (size_t i = 0; i < json_array_size(projs); i++) {
        const json_t *p = json_array_get(projs, i);
        const char *ty = json_string_value(json_object_get(p, "synapse_type"));
        const char *ft = json_string_value(json_object_get(p, "from_type"));
        const char *tt = json_string_value(json_object_get(p, "to_type"));
        const json_t *pr = json_object_get(p, "probability");
        if (!ty || strcmp(ty, "developmental") != 0 || !ft || !tt || (pr && !json_is_number(pr)) ||
            (pr && !(json_number_value(pr) > 0)))
            continue;
        const Comp *fc = comp_by_json_name(ents, nents, ft), *tc = comp_by_json_name(ents, nents, tt);
        if (!fc || !tc)
            continue;
        const char *fterm = json_string_value(json_object_get(p, "from_terminal"));
        const char *tterm = json_string_value(json_object_get(p, "to_terminal"));
        int outs = 0, ins = 0;
        for (int k = 0; k < fc->nterms; k++)
            outs += fc->terms[k].out && (!fterm || strcmp(fc->terms[k].label, fterm) == 0);
        for (int k = 0; k < tc->nterms; k++)
            ins += !tc->terms[k].out &&
                   (tterm ? strcmp(tc->terms[k].label, tterm) == 0 : !wiring_excludes(w, tc->terms[k].label));
        if (!outs || !ins)
            continue;
        const json_t *params = json_object_get(p, "params");
        for (int q = 0; q < 4; q++) {
            const json_t *v = json_object_get(params, prune_keys[q]);
            if (json_is_number(v))
                im->dev[q] = json_number_value(v);
        }
        im->dev_from = arena_printf(&im->arena, "the projection %s -> %s", ft, tt);
        return;
    }
}

/* Neuron g of the reference's numbering (§6.3: instance by instance in
 * recipe order, nodes in list order): entry *e, copy *k, node *n. */
static int global_node(const Entry *ents, int nents, long g, int *e, long *k, int *n)
{
    for (int q = 0; q < nents; q++) {
        long m = ents[q].count * ents[q].comp->nnodes;
        if (g < m) {
            *e = q;
            *k = g / ents[q].comp->nnodes;
            *n = (int)(g % ents[q].comp->nnodes);
            return 0;
        }
        g -= m;
    }
    return -1;
}

/* Adds a hidden terminal's name to the list for exclude_inputs, once. */
static void hide(Imp *im, const char *name)
{
    char *q = arena_printf(&im->arena, ", \"%s\"", name);
    if (!im->hidden.p || !strstr(im->hidden.p, q))
        bput(&im->hidden, "%s", q);
}

/* Modulator groups (§4.2 gated): for each population with one, a hidden
 * input terminal of its target neurons, one of each modulator neuron, and
 * `connect MOD[k].src -> INST.targets : modulator_count() delay 50` per
 * modulator (a neuron listed twice counts twice, as in the reference) and
 * instance set. Hidden terminals are left out of wiring (exclude_inputs)
 * and of projections (spelled out). */
static int modulator_connects(Imp *im, const Entry *ents, int nents, Buf *o)
{
    int rc = 0, first = 1;
    for (int ci = 0; ci < im->ncomps; ci++) {
        Comp *c = im->comps[ci];
        for (int q = 0; q < c->ncls; q++) {
            Class *cl = &c->cls[q];
            if (!cl->group)
                continue;
            if (!cl->term) {
                cl->term = arena_printf(&im->arena, "gate_targets_%s", cl->name);
                hide(im, cl->term);
            }
            for (size_t i = 0; i < json_array_size(cl->group); i++) {
                long g = (long)json_integer_value(json_array_get(cl->group, i)), k;
                int e, n;
                if (global_node(ents, nents, g, &e, &k, &n) < 0) {
                    err_at(im, cl->gsrc, cl->group, NULL, i,
                           "modulator_group index %ld is not a neuron: there are %ld (indices from 0, in the "
                           "reference's numbering: instance by instance in recipe order)",
                           g, im->total);
                    rc = -1;
                    continue;
                }
                Comp *mc = ents[e].comp;
                if (!mc->modsrc)
                    mc->modsrc = ARENA_ARRAY(&im->arena, char *, mc->nnodes);
                if (!mc->modsrc[n]) {
                    mc->modsrc[n] = arena_printf(&im->arena, "gate_modulator_n%ld", mc->nodes[n].id);
                    hide(im, mc->modsrc[n]);
                }
                for (int b = 0; b < nents; b++) {
                    if (ents[b].comp != c)
                        continue;
                    if (first)
                        bput(o, "\n  // modulator groups of gated synapses (reference §4.2): each modulator "
                                "neuron counts\n  // its spikes of the last 50 ticks into the targets' "
                                "`modulation` (std.im8 modulator_count)\n");
                    first = 0;
                    bput(o, "  connect %s[%ld].%s -> %s.%s : modulator_count() delay 50  // neuron %ld\n",
                         ents[e].inst, k, mc->modsrc[n], ents[b].inst, cl->term, g);
                }
            }
        }
    }
    return rc;
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
    if (w->exclude || im->hidden.n) {
        bput(o, ",\n                 exclude_inputs = [");
        int n = 0;
        if (w->exclude)
            for (size_t k = 0; k < json_array_size(w->exclude); k++)
                bput(o, "%s\"%s\"", n++ ? ", " : "", json_string_value(json_array_get(w->exclude, k)));
        else
            for (int k = 0; control_inputs[k]; k++)
                bput(o, "%s\"%s\"", n++ ? ", " : "", control_inputs[k]);
        if (im->hidden.n) /* the hidden terminals of modulator groups */
            bput(o, "%s%s", n ? "" : "", n ? im->hidden.p : im->hidden.p + 2);
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

/* The header comment on developmental pruning (§4.2 quirk). */
static void dev_comment(const Imp *im, Buf *o)
{
    char a[40], b[40], c[40], d[40];
    if (!im->has_dev)
        return;
    bput(o,
         "// Developmental synapses: the reference prunes all of them with the pruning parameters of\n"
         "// its first one (lowest DB id, reference §4.2), here %s:\n"
         "// critical_period = %s, pruning_threshold = %s, eval_interval = %s, min_source_fires = %s;\n"
         "// these are written into every developmental connect.\n",
         im->dev_from ? im->dev_from : "none is made, the defaults", num(a, im->dev[0]), num(b, im->dev[1]),
         num(c, im->dev[2]), num(d, im->dev[3]));
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
    for (int k = 0; k < nents; k++)
        im->total += ents[k].count * ents[k].comp->nnodes;
    /* the reference's order: internal paths, then projections (§6.3) */
    for (size_t k = 0; k < json_array_size(projs); k++) {
        const json_t *p = json_array_get(projs, k);
        const char *ty = json_string_value(json_object_get(p, "synapse_type"));
        const json_t *g = json_object_get(json_object_get(p, "params"), "modulator_group");
        im->has_groups |= ty && strcmp(ty, "gated") == 0 && json_is_array(g) && json_array_size(g) > 0;
    }
    dev_first(im, ents, nents, projs, &w);
    for (int k = 0; k < im->ncomps; k++)
        emit_paths(im, im->comps[k]);
    Buf pb = {0}, mb = {0};
    for (size_t k = 0; k < json_array_size(projs); k++)
        if (read_projection(im, s, projs, k, ents, nents, &w, &pb) < 0)
            rc = -1;
    if (rc == 0 && modulator_connects(im, ents, nents, &mb) < 0)
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
        dev_comment(im, o);
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
        if (mb.n)
            bput(o, "%.*s", (int)mb.n, mb.p);
        emit_wiring(im, o, &w, ents, nents, s);
        bput(o, "}\n");
        res->seed = (uint64_t)seed;
        res->is_recipe = 1;
    }
    free(pb.p);
    free(mb.p);
    return rc;
}

static int import_component_file(Imp *im, Src *s, Buf *o)
{
    Comp *c = ARENA_NEW(&im->arena, Comp);
    im->comps[im->ncomps++] = c;
    if (read_component(im, s, c, stem_of(&im->arena, s->path)) < 0)
        return -1;
    Entry e = {c, 1, 0, 0, c->name, NULL};
    im->total = c->nnodes;
    dev_first(im, &e, 1, NULL, NULL);
    emit_paths(im, c);
    Buf mb = {0};
    if (modulator_connects(im, &e, 1, &mb) < 0) {
        free(mb.p);
        return -1;
    }
    bput(o, "// Imported by `brainc import` from %s (an inner-models-v8 component).\n", s->path);
    dev_comment(im, o);
    bput(o, "import std.izhikevich\nimport std.im8\nimport std.synapses\n\n");
    emit_component(o, c, NULL);
    bput(o, "// One instance, so that the component can be run on its own.\nbrain %s_alone {\n  %s[1] : %s\n",
         c->name, c->name, c->name);
    bput(o, "%.*s}\n", (int)mb.n, mb.p ? mb.p : "");
    free(mb.p);
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
    free(im->hidden.p);
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
