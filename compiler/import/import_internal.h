/* import_internal.h - what the files of the importer share (import.c,
 * import_buf.c, import_json.c, import_models.c, import_component.c,
 * import_files.c, import_recipe.c, import_modulators.c): the output buffer,
 * the sources and the import state (Imp), the models' tables, the
 * components' nodes, populations, paths and terminals, the recipe's
 * entries and wiring, and the functions that more than one file calls. */
#ifndef BR_IMPORT_INTERNAL_H
#define BR_IMPORT_INTERNAL_H
#include "import/import.h"
#include "import/json_loc.h"
#include "util/arena.h"
#include <jansson.h>

/* ---- output buffer and names (import_buf.c) ------------------------------ */

typedef struct Buf {
    char *p;
    size_t n, cap;
    int oom;
} Buf;

void imp_bput(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *imp_num(char buf[40], double v);
char *imp_identifier(Arena *a, const char *name, const char *prefix);

/* ---- sources, diagnostics and typed field access (import_json.c) --------- */

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

enum { OPT = 0, REQ = 1 };

Loc imp_where(const Src *s, const json_t *parent, const char *key, size_t index, int want_key);
void imp_err_at(Imp *im, const Src *s, const json_t *parent, const char *key, size_t index,
                const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void imp_warn_key(Imp *im, const Src *s, const json_t *parent, const char *key, const char *fmt,
                  ...) __attribute__((format(printf, 5, 6)));
int imp_get_num(Imp *im, const Src *s, const json_t *obj, const char *key, int req, double dflt,
                double *out, const char *what);
int imp_get_int(Imp *im, const Src *s, const json_t *obj, const char *key, int req, long dflt,
                long *out, const char *what);
int imp_get_str(Imp *im, const Src *s, const json_t *obj, const char *key, int req,
                const char **out, const char *what);
int imp_is_comment_key(const char *k);
void imp_check_keys(Imp *im, const Src *s, const json_t *obj, const char *const *known,
                    const char *what);
void imp_emit_comments(Buf *o, const json_t *obj, const char *indent);
void imp_emit_text(Buf *o, const char *text, const char *indent);

/* ---- models (import_models.c) -------------------------------------------- */

typedef struct NeuronType {
    const char *name;
    double a, b, c, d;
} NeuronType;

typedef struct SynType {
    const char *name;
    const char *params[9];
    const char *unused[3]; /* stored by the reference's schema, read by nothing */
} SynType;

#define NSYN ((int)(sizeof imp_syn_types / sizeof imp_syn_types[0]))
enum { SYN_FIXED = 0, SYN_GAP = 5 };

enum { SYN_GATED = 4, SYN_DEV = 7 };

/* What a synapse's params say beyond its arguments. */
typedef struct SynExtra {
    double prune[4]; /* developmental: its own pruning parameters */
    json_t *group;   /* gated: a non-empty list of neuron indices (modulator_group) */
    json_t *params;  /* where they are, for warnings */
} SynExtra;

extern const NeuronType imp_neuron_types[5];
extern const SynType imp_syn_types[8];
/* The index of synapse type `name` in imp_syn_types, or -1 after an error
 * naming the known ones at parent's "synapse_type". */
int imp_syn_type(Imp *im, const Src *s, const json_t *parent, const char *name);
int imp_in_strs(const char *const *list, const char *s);
extern const char *const imp_prune_keys[4];
extern const double imp_prune_defaults[4];
int imp_synapse_params(Imp *im, const Src *s, const json_t *owner, int type, double w, Buf *args,
                       SynExtra *x);

/* ---- components (import_component.c) ------------------------------------- */

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
    char *target;    /* [nnodes of the component] */
    char *term;      /* the hidden input terminal of those targets */
    const Src *gsrc; /* the file of group */
} Class;

/* A path, kept until all are read: paths of one synapse (type, arguments,
 * delay) between the same two populations become one connect. */
typedef struct PathRec {
    int si, ti;
    int type;   /* index into imp_syn_types */
    char *args; /* `w = 9, learning_rate = 0.1` (gap junctions: without w) */
    SynExtra x;
    json_t *j;
    char *syn;  /* `fixed(w = 9)`, `gap_junction(conductance = 0.15)`, made by imp_emit_paths */
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
    Buf body; /* the connects, written by imp_emit_paths */
    int timer_done;
    int emitted;
    char **modsrc; /* [nnodes]: the hidden input terminal of a modulator node, or NULL */
};

const char *imp_node_sel(char buf[48], const Comp *c, int k);
char *imp_syn_text(Imp *im, int type, const char *args, const SynExtra *x, int modulated);
int imp_class_group(Imp *im, Comp *c, int q, json_t *g, const Src *s, const json_t *where_);
void imp_emit_paths(Imp *im, Comp *c);
int imp_read_component(Imp *im, Src *s, Comp *c, const char *stem);
const Term *imp_find_term(const Comp *c, const char *label);
void imp_emit_component(Buf *o, const Comp *c, const Buf *timer);
int import_component_file(Imp *im, Src *s, Buf *o);

/* ---- files (import_files.c) ---------------------------------------------- */

Src *imp_load_src(Imp *im, const char *path, const char *text, size_t size);
char *imp_dir_of(Arena *a, const char *path);
const char *imp_stem_of(Arena *a, const char *path);
Comp *imp_component_for(Imp *im, const Src *rs, const json_t *entry, const char *key,
                        const char *name, const char *base);

/* ---- recipes (import_recipe.c) ------------------------------------------- */

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

int imp_wiring_excludes(const Wiring *w, const char *label);
const Comp *imp_comp_by_json_name(const Entry *e, int n, const char *name);
int import_recipe(Imp *im, Src *s, Buf *o, ImportResult *res);

/* ---- developmental parameters and modulator groups (import_modulators.c) ---- */

void imp_dev_warn(Imp *im, const Src *s, const json_t *owner, const SynExtra *x);
void imp_dev_first(Imp *im, const Entry *ents, int nents, const json_t *projs, const Wiring *w);
int imp_modulator_connects(Imp *im, const Entry *ents, int nents, Buf *o);
void imp_dev_comment(const Imp *im, Buf *o);

#endif
