/* sema_internal.h - what the sema_*.c files share.
 * One Sema value holds all checker state (no globals). Names live in Scopes
 * (hash table plus declaration order); per-declaration facts in DeclInfo.
 * Expressions are checked under a Ctx saying what the place allows. */
#ifndef BR_SEMA_INTERNAL_H
#define BR_SEMA_INTERNAL_H
#include "sema.h"
#include "../front/loader.h"

/* ---- tables (sema_table.c) ------------------------------------------ */

/* Open-addressing hash table keyed by a string or a pointer; values are
 * pointers. Lives in an arena; never shrinks. */
typedef struct Table {
    const void **keys;
    void **vals;
    int cap, count;
    int strkeys;        /* keys are NUL-terminated strings, else compared by address */
} Table;

void table_init(Table *t, int strkeys);
void *table_get(const Table *t, const void *key);
/* Sets key to val (replacing any earlier value). */
void table_put(Arena *a, Table *t, const void *key, void *val);

/* ---- scopes (sema_scope.c) ------------------------------------------ */

typedef struct Scope {
    struct Scope *parent;
    Table names;        /* name -> Symbol */
    Symbol **items;     /* declaration order, for suggestions */
    int n, cap;
} Scope;

typedef struct Sema Sema;

Scope *scope_new(Sema *s, Scope *parent);
Symbol *sym_new(Sema *s, SymKind kind, const char *name, Loc loc, Decl *owner);
Symbol *scope_find_here(const Scope *sc, const char *name);
Symbol *scope_find(const Scope *sc, const char *name);
/* Adds sym unless sc already has that name; returns the earlier symbol then. */
Symbol *scope_add(Sema *s, Scope *sc, Symbol *sym);
/* Closest name to `name` among symbols of the chain whose kind is in mask
 * (1u << SymKind), plus extra (NULL-terminated, may be NULL). NULL when
 * nothing is close or suggestions would not be printed anyway. */
const char *scope_suggest(Sema *s, const Scope *sc, const char *name, unsigned mask,
                          const char *const *extra);
const char *sym_kind_name(SymKind k);

#define SYMS_VALUES                                                                                \
    ((1u << SYM_PARAM) | (1u << SYM_STATE) | (1u << SYM_INPUT) | (1u << SYM_LET) |                 \
     (1u << SYM_LOCAL) | (1u << SYM_MEASURE) | (1u << SYM_SENSOR) | (1u << SYM_MOTOR) |            \
     (1u << SYM_INDEX) | (1u << SYM_BODY))
#define SYMS_ALL 0xffffffffu

/* ---- the checker ----------------------------------------------------- */

/* A duplicate found while declaring, reported when the declaration is checked
 * so that messages come out in source order. */
typedef struct Dup {
    const char *what;   /* "terminal", "preset", ... or NULL for a plain name */
    const char *name;
    Loc loc, prev;
    struct Dup *next;
} Dup;

typedef struct DeclInfo {
    Decl *decl;
    Scope *params;      /* parameters (parent: none) */
    Scope *members;     /* states, inputs, lets, populations, ... (parent: params) */
    Scope *terminals;   /* component/brain `in`/`out` */
    Scope *presets;     /* brain presets */
    Dup *dups;
    Table undefined;    /* names reported undefined here: once per declaration is enough */
    Member **pops;      /* populations, including those inside layers */
    int npops, cappops;
    int declared;
    int color;          /* component recursion search: 0 new, 1 on the path, 2 done */
    int tick_known;     /* brain: timestep is a constant (default 1) */
    double tick;        /* brain: its tick; component: the longest tick of brains using it */
    Decl *tick_brain;   /* component: that brain (NULL: none, the default 1) */
    int visit;          /* generation mark of Sema.visit_gen searches */
} DeclInfo;

struct Sema {
    Program *prog;
    Diag *diag;
    Arena *arena;
    Table decls;        /* name -> first Decl of that name */
    Table infos;        /* Decl -> DeclInfo */
    Table visible;      /* Module -> Table of modules it imports */
    Table cycles;       /* population Member -> message: its model contains the component */
    int value_depth;    /* lets/measures being checked inside one another */
    int visit_gen;      /* generation for marking DeclInfo.visit without clearing */
    double longest_tick; /* of all brains (0: not computed yet) */
    int too_deep;       /* "nested too deeply" was reported */
};

/* Where an expression is, and what that place allows. */
enum {
    CX_DIST = 1u << 0,      /* distributions (drawn per neuron/synapse) */
    CX_ARRAY = 1u << 1,     /* arrays: per-neuron values, spike times */
    CX_RANGE = 1u << 2,     /* integer ranges */
    CX_I = 1u << 3,         /* `i`, the neuron's index */
    CX_REWARD = 1u << 4,    /* `reward` (inside `on reward`) */
    CX_PREPOST = 1u << 5,   /* `pre.x`, `post.x` (inside a synapse) */
    CX_HANDLER = 1u << 6,   /* `deliver`, `prune` (synapse `on` handlers) */
    CX_STR = 1u << 7,       /* strings */
    CX_RANDOM = 1u << 8,    /* `random()` (update blocks, synapse handlers) */
    CX_ACTIVITY = 1u << 9,  /* `spikes(sel [, window])` (a brain's `reward`) */
};

typedef struct Ctx {
    Sema *s;
    Decl *decl;         /* enclosing declaration */
    Scope *scope;
    unsigned flags;
    const char *where;  /* "an equation": names the place in messages */
    Decl *world;        /* what `world.x` reads: a body's world, a stage's world */
    const char *no_world; /* why `world` is unavailable, when world is NULL (NULL: the
                           * reason was reported already) */
    Symbol *index_var;  /* connection index variable visible here */
    Symbol *hidden_index; /* ... or declared by this connection but not visible here */
    int in_target;      /* in a connection's target selection (where index variables are used) */
    Scope *order_scope; /* with order_limit: symbols of this scope ... */
    int order_limit;    /* ... at or after this order are not yet declared */
} Ctx;

/* sema.c */
DeclInfo *sema_info(Sema *s, Decl *d);
/* The declaration `name` visible from module `from`; reports an error at loc
 * (with a suggestion among kinds in kindmask, 1u << DeclKind) when missing. */
Decl *sema_find_decl(Sema *s, Module *from, const char *name, Loc loc, unsigned kindmask,
                     const char *what);
void sema_error_suggest(Sema *s, Loc loc, const char *suggestion, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Reports "undefined name", once per name and declaration; scope gives the
 * suggestion (kinds in mask). */
void sema_undefined(Sema *s, Decl *d, Loc loc, const char *name, const Scope *scope,
                    unsigned mask, const char *const *extra);
/* Reports the duplicates recorded while declaring d. */
void sema_report_dups(Sema *s, DeclInfo *info);
void sema_add_dup(Sema *s, DeclInfo *info, const char *what, const char *name, Loc loc, Loc prev);
/* Declares sym in sc, recording a duplicate in info when the name is taken
 * (or is t/dt); returns sym, or NULL when it was not added. */
Symbol *sema_declare(Sema *s, DeclInfo *info, Scope *sc, Symbol *sym);
Ctx ctx_make(Sema *s, Decl *d, Scope *sc, unsigned flags, const char *where);
const char *decl_kind_article(DeclKind k); /* "a neuron" */

/* sema_expr.c */
Type expr_check(Ctx *c, Expr *e);
/* A name as the context sees it: scopes, then the index variable. */
Symbol *ctx_lookup(Ctx *c, const char *name);
/* An operand of `op` must be a number (or a distribution); reports otherwise. */
int need_num(Ctx *c, Expr *x, Type t, const char *op);
/* sema_call.c: a call of a math function or distribution. */
Type call_check(Ctx *c, Expr *e);
/* Checks e and requires a number (distributions, arrays, ranges where the
 * context allows them); `what` names the value in messages ("the delay"). */
Type expect_num(Ctx *c, Expr *e, const char *what);
Type expect_bool(Ctx *c, Expr *e, const char *what);
Type expect_str(Ctx *c, Expr *e, const char *what);
/* Number or boolean (lets, measures). */
Type expect_value(Ctx *c, Expr *e, const char *what);
const char *type_name(Type t);
/* Value of an expression made only of number literals and arithmetic. */
int const_num(const Expr *e, double *out);
/* Value check of a let/measure/sensor symbol, on first use (cycle-safe). */
Type sym_value_type(Sema *s, Symbol *sym, Loc use);
/* When e is constant, checks it is: 'i' a whole number >= 1, 'w' a whole
 * number >= 0, 'p' in [0, 1], 'z' >= 0, 'P' > 0; `what` names it. */
void check_const(Sema *s, Expr *e, const char *what, char kind);

/* sema_activity.c: `spikes(sel [, window])`, the brain's own activity. */
Type activity_check(Ctx *c, Expr *e);

/* sema_stmt.c */
void stmts_check(Ctx *c, Stmt *body);

/* sema_args.c: a builtin kind (integrate method, wire, stimulus, ...) */
typedef struct KindParam {
    const char *name;
    char type;          /* n number, z number >= 0, i whole number >= 1, p probability,
                         * s string, b boolean, a array of numbers or a number,
                         * L list of strings, X boolean or list of strings */
    int required;
} KindParam;
typedef struct KindSpec {
    const char *name;
    KindParam params[8];
} KindSpec;
/* Looks up a kind by name in a table (ended by a NULL name); reports unknown kinds. */
const KindSpec *kind_find(Sema *s, const KindSpec *table, const char *name, Loc loc,
                          const char *what);
void kind_args(Ctx *c, const KindSpec *k, Arg *args, Loc at);
/* Arguments of a model instantiation. count: neurons or instances for array
 * lengths (-1 unknown). */
void model_args(Ctx *c, Decl *model, Arg *args, Loc model_loc, long count, unsigned flags);

/* sema_stimulus.c: values of `ramp` and `steps` stimuli (§7.6) */
void stimulus_values_check(Sema *s, Member *m);

/* sema_tables.c */
extern const KindSpec sema_integrators[], sema_wires[], sema_layouts[], sema_stimuli[],
    sema_coders[], sema_teachers[];
typedef struct FuncSpec {
    const char *name;
    int dist;           /* a distribution rather than a math function */
    const char *params[3];
} FuncSpec;
const FuncSpec *func_find(const char *name);
/* NULL-terminated names of functions and distributions, for suggestions. */
const char *const *func_names(void);

/* sema_member.c: §10, which member may appear where */
typedef enum { PL_NEURON, PL_SYNAPSE, PL_COMPONENT, PL_BRAIN, PL_WORLD, PL_BODY, PL_CURRICULUM,
               PL_STAGE, PL_LESSON, PL_LAYER } Place;
/* Reports m when it may not appear in place; returns whether it may. */
int member_placed(Sema *s, Member *m, Place place);
Place place_of(DeclKind k);

/* sema_scope.c / sema_model.c / sema_network.c / sema_world.c: declaring
 * and checking each kind of declaration */
void model_declare(Sema *s, DeclInfo *info);
void model_check(Sema *s, DeclInfo *info);
/* model_check without the derived-model step: parameters and members. */
void model_check_members(Sema *s, DeclInfo *info);
/* The type of a parameter from its default alone (number when none). */
Type param_shallow_type(const Expr *e);

/* sema_derive.c: derived models (§4.12). derive_all gives each its copy of
 * its base, before any check; derive_failed: a derived model whose base
 * could not be resolved (it has no parameters or members to check uses
 * against). */
void derive_all(Sema *s);
void derive_check(Sema *s, DeclInfo *info);
int derive_failed(const Decl *d);
void network_declare(Sema *s, DeclInfo *info);
void network_check(Sema *s, DeclInfo *info);
void world_declare(Sema *s, DeclInfo *info);
void world_check(Sema *s, DeclInfo *info);
void curriculum_check(Sema *s, DeclInfo *info);
/* Declares the parameters of d into info->params. */
void params_declare(Sema *s, DeclInfo *info);
void params_check(Sema *s, DeclInfo *info, unsigned flags);
/* Declares a state/input/let/... member's names. */
void vars_declare(Sema *s, DeclInfo *info, Member *m, SymKind kind);
/* Shared by models, worlds and bodies (sema_model.c). */
void states_check(Sema *s, DeclInfo *info, Member *m, unsigned flags);
void lets_check(Sema *s, DeclInfo *info, Member *m);
void ode_check(Sema *s, DeclInfo *info, Member *m, Table *odes, unsigned flags);
/* For members that may appear once: reports the second; returns 0 then. */
int member_once(Sema *s, Member **seen, Member *m, const char *text);
/* The declaration's world for `world.x` (body: its `in`). */
Decl *body_world(Sema *s, Decl *body);

/* sema_fit.c: what a synapse's handlers name must exist in the neuron
 * models at the ends of a connection (pre/post NULL when not known). */
void synapse_fit_check(Sema *s, Member *conn, Decl *syn, Decl *pre, Decl *post);

/* sema_exact.c */
void exact_check(Sema *s, DeclInfo *info, Member *integrate);

/* sema_select.c: neuron selections in networks */
typedef enum {
    SEL_NONE,       /* error already reported, or nothing */
    SEL_NEURONS,    /* population, part of one, or a terminal */
    SEL_INSTANCES,  /* component instances */
    SEL_STATEVAR,   /* pop.v (record) */
    SEL_CONN,       /* a named connection */
    SEL_CONNVAR,    /* conn.w (record) */
    SEL_BODY,       /* a body bound in the brain */
    SEL_SENSOR,     /* b.sensor */
    SEL_MOTOR,      /* b.motor */
    SEL_BODYVAR,    /* b.measure, b.state */
} SelKind;

typedef struct Sel {
    SelKind kind;
    Decl *model;    /* neuron or component of the selection (NULL when mixed or unknown) */
    long size;      /* neurons or instances selected; -1 unknown */
    int instances;  /* reached through component instances (for `per instance`) */
} Sel;

enum {
    SELOK_NEURONS = 1u << 0,
    SELOK_INSTANCES = 1u << 1,
    SELOK_INNER = 1u << 2,      /* inst.pop: populations inside an instance (record) */
    SELOK_STATEVAR = 1u << 3,
    SELOK_CONN = 1u << 4,
    SELOK_BODYVARS = 1u << 5,   /* b.sensor, b.motor, b.measure */
};

Sel select_check(Ctx *c, Expr *e, unsigned ok, const char *what);
/* Size of a terminal of component comp (-1 unknown); depth bounds recursion. */
long terminal_size(Sema *s, Decl *comp, Member *term, int depth);
Member *find_terminal(Sema *s, Decl *comp, const char *name);
#endif
