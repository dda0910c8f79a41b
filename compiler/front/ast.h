/* ast.h - the syntax tree of a .brain program.
 * Built by the parser (parser.y) through the ast_* constructors, checked and
 * annotated by sema/, lowered to the network IR by nir/. Every node lives in
 * the Program's arena; lists are singly linked through `next`. */
#ifndef BR_AST_H
#define BR_AST_H
#include "../diag/diag.h"
#include "../util/arena.h"

typedef struct Expr Expr;
typedef struct Arg Arg;
typedef struct Stmt Stmt;
typedef struct Member Member;
typedef struct Decl Decl;
typedef struct Module Module;
typedef struct Program Program;

/* ---- expressions ---------------------------------------------------- */

typedef enum {
    EX_NUM,     /* num */
    EX_BOOL,    /* num is 0 or 1 */
    EX_STR,     /* str */
    EX_NAME,    /* name; also the keywords reward/world/pre/post/t used as values */
    EX_MEMBER,  /* a.name  (terminal of an instance, pre.v, body.sensor) */
    EX_INDEX,   /* a[args] (selection of neurons or instances; args may be ranges) */
    EX_CALL,    /* name(args) math function, distribution or model instantiation */
    EX_UNARY,   /* op a          ('-', '!') */
    EX_BINARY,  /* a op b */
    EX_COND,    /* if a then b else c */
    EX_ARRAY,   /* [args]        per-neuron values or lists */
    EX_RANGE,   /* a..b          inclusive integer range */
} ExprKind;

/* Binary and unary operators. */
typedef enum {
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_POW,
    OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
    OP_AND, OP_OR, OP_NEG, OP_NOT,
} Op;

/* The type sema gives an expression. */
typedef enum {
    TY_UNKNOWN,  /* not yet checked, or poisoned by an earlier error */
    TY_NUM,
    TY_BOOL,
    TY_STR,
    TY_ARRAY,    /* array of numbers */
    TY_DIST,     /* random distribution: a number drawn per neuron/synapse */
    TY_RANGE,
    TY_NEURONS,  /* a set of neurons: population, selection or terminal */
    TY_INSTANCES,/* component instances */
} Type;

struct Arg {
    const char *name;   /* NULL for a positional argument */
    Loc loc, name_loc;
    Expr *value;
    Arg *next;
};

struct Expr {
    ExprKind kind;
    Loc loc;
    double num;
    const char *str;    /* EX_STR text, EX_NAME / EX_MEMBER / EX_CALL name */
    Loc name_loc;       /* EX_MEMBER: the member name; EX_CALL: the callee */
    Op op;
    Expr *a, *b, *c;
    Arg *args;          /* EX_CALL, EX_INDEX, EX_ARRAY */
    int depth;          /* height of this subtree; the parser caps it so recursion stays shallow */
    /* set by sema */
    Type type;
    void *sym;          /* what a name resolved to (sema's Symbol) */
};

/* ---- statements (bodies of update/spike/on blocks) ------------------- */

typedef enum {
    ST_ASSIGN,  /* target op= value; target is EX_NAME or EX_MEMBER (post.x) */
    ST_DERIV,   /* dNAME/dt = value (only as a neuron or body member) */
    ST_LET,     /* let name = value */
    ST_IF,      /* if cond { body } else { orelse } */
    ST_DELIVER, /* deliver value [to name] */
    ST_PRUNE,   /* prune: remove this synapse */
} StmtKind;

typedef enum { AS_SET, AS_ADD, AS_SUB, AS_MUL, AS_DIV } AssignOp;

struct Stmt {
    StmtKind kind;
    Loc loc;
    AssignOp aop;
    Expr *target;       /* ST_ASSIGN */
    const char *name;   /* ST_DERIV state, ST_LET name, ST_DELIVER target var (NULL = default input) */
    Loc name_loc;
    Expr *value;        /* ST_ASSIGN/DERIV/LET/DELIVER value, ST_IF condition */
    Stmt *body, *orelse;
    Stmt *next;
    void *sym;          /* sema: resolved variable */
};

/* ---- declarations' members ------------------------------------------ */

/* A name with an optional value: parameters, state variables, preset
 * settings, decay entries (value = time constant). */
typedef struct VarDecl {
    const char *name;
    Loc loc;
    Expr *value;
    int derived;        /* value comes from a derived model's argument (`neuron RS = izh(a = 1)`) */
    struct VarDecl *next;
} VarDecl;

typedef enum {
    /* models (neuron, synapse) */
    M_STATE,      /* state a = 1, b           vars */
    M_INPUT,      /* input I, J               vars */
    M_LET,        /* let k = expr             vars (one) */
    M_ODE,        /* dv/dt = expr             stmt */
    M_SPIKE,      /* spike when cond { reset }  expr, body */
    M_REFRACTORY, /* refractory T [hold v, u]  expr, vars (held states) */
    M_INTEGRATE,  /* integrate euler(substeps=2) | rk4 | exact   name, args */
    M_UPDATE,     /* update { stmts }  explicit per-tick update */
    M_DECAY,      /* decay x tau, y tau2      vars */
    M_ON,         /* on pre|post|reward { stmts }   name = event, body */
    M_GAP,        /* gap conductance [on v]   expr, name (coupled variable) */
    /* networks (component, brain) */
    M_POP,        /* name[count] : model(args) [at (x, y, z)]   name, expr = count, model, args, pos */
    M_CONNECT,    /* connect src -> dst : syn(args) rule [delay d] [as name] */
    M_TERMINAL,   /* in|out name = sel, sel   name, dir, sels */
    M_PRESET,     /* preset name { p = v ... }  vars */
    M_LAYER,      /* layer expr { members }   expr, members */
    M_WIRE,       /* wire proximity(args)     model, args */
    M_LAYOUT,     /* layout grid(args)        model, args */
    M_TIMESTEP,   /* timestep expr */
    M_STIMULUS,   /* stimulus target : kind(args) [from e] [until e] */
    M_RECORD,     /* record target [every e] */
    M_BODY,       /* body name : model(args)  (in a brain) */
    M_SENSE,      /* sense src -> dst [: encoder(args)] */
    M_ACT,        /* act src -> dst [: decoder(args)] */
    M_REWARD,     /* reward expr [to target] */
    /* worlds and bodies */
    M_SENSOR,     /* sensor name = expr */
    M_MOTOR,      /* motor name [, name] vars */
    M_MEASURE,    /* measure name = expr */
    /* curricula */
    M_TEACHER,    /* teacher name : kind(args)   in a curriculum; `teacher name [STRING]` in a stage asks */
    M_CHECKPOINT, /* checkpoint every e [to STRING] */
    M_STAGE,      /* stage name { members } */
    M_LESSON,     /* lesson name { members } */
    M_WORLD,      /* world model(args)        which world a stage runs in */
    M_TICKS,      /* ticks expr */
    M_EXAM,       /* exam expr */
    M_SET,        /* set name = expr          parameter override for a stage/lesson */
} MemberKind;

typedef enum { CONN_ALL_TO_ALL, CONN_ONE_TO_ONE, CONN_PROBABILITY, CONN_FANIN, CONN_FANOUT, CONN_PER_INSTANCE } ConnRule;
typedef enum { TERM_IN, TERM_OUT } TermDir;

struct Member {
    MemberKind kind;
    Loc loc;
    const char *name;   /* declared name, event name, method name */
    Loc name_loc;
    VarDecl *vars;
    Expr *expr;         /* count, condition, time, value */
    Expr *expr2;        /* M_STIMULUS until, M_RECORD every, M_REWARD target, M_CHECKPOINT file */
    Stmt *stmt;         /* M_ODE */
    Stmt *body;         /* blocks */
    Member *members;    /* M_LAYER, M_STAGE, M_LESSON */
    /* instantiation of a model: M_POP model(args), M_CONNECT synapse, M_WIRE, M_INTEGRATE,
     * M_STIMULUS kind, M_SENSE/M_ACT coder, M_BODY, M_WORLD, M_TEACHER */
    const char *model;
    Loc model_loc;
    Arg *args;
    int has_args;       /* distinguishes `m` from `m()` */
    Expr *pos[3];       /* M_POP at (x, y, z) */
    /* M_CONNECT, M_SENSE, M_ACT */
    Expr *src, *dst;
    ConnRule rule;
    Expr *rule_arg;     /* probability, fan-in or fan-out */
    Loc rule_loc;
    Expr *delay;
    TermDir dir;
    Arg *sels;          /* M_TERMINAL selections */
    Member *next;
    void *sym;          /* sema */
};

/* ---- top level ------------------------------------------------------- */

typedef enum { D_NEURON, D_SYNAPSE, D_COMPONENT, D_BRAIN, D_WORLD, D_BODY, D_CURRICULUM } DeclKind;

struct Decl {
    DeclKind kind;
    Loc loc;
    const char *name;
    Loc name_loc;
    const char *doc;    /* the comment block just before the declaration, if any */
    VarDecl *params;
    const char *target; /* curriculum: the brain; body: the world it lives in (may be NULL) */
    Loc target_loc;
    Member *members;
    Module *module;
    /* a derived model `neuron RS = base(args)`: sema gives it a copy of the
     * base's parameters (defaults replaced by args) and members */
    const char *base;
    Loc base_loc;
    Arg *base_args;
    int derive;         /* sema: 0 not yet, 1 resolving, 2 expanded, 3 failed */
    Decl *next;
};

typedef struct Import {
    const char *path;   /* "std.neurons" or a file path */
    int is_file;        /* written as a string */
    Loc loc;
    Module *resolved;
    struct Import *next;
} Import;

struct Module {
    const char *path;   /* file path as opened */
    int file;           /* Diag file id */
    Import *imports;
    Decl *decls;
    Module *next;       /* in Program.modules, dependencies first */
    int state;          /* loader: 0 new, 1 loading, 2 done (cycle detection) */
};

struct Program {
    Arena arena;
    Diag *diag;
    Module *modules;    /* every loaded module, dependencies before dependents */
    Module *main;
    const char **search_paths; /* NULL-terminated: where `import a.b` looks (stdlib first) */
};

/* constructors used by the parser */
Expr *ast_num(Arena *a, Loc loc, double v);
Expr *ast_bool(Arena *a, Loc loc, int v);
Expr *ast_str(Arena *a, Loc loc, const char *s);
Expr *ast_name(Arena *a, Loc loc, const char *name);
Expr *ast_member(Arena *a, Loc loc, Expr *obj, const char *name, Loc name_loc);
Expr *ast_index(Arena *a, Loc loc, Expr *obj, Arg *args);
Expr *ast_call(Arena *a, Loc loc, const char *name, Loc name_loc, Arg *args);
Expr *ast_unary(Arena *a, Loc loc, Op op, Expr *x);
Expr *ast_binary(Arena *a, Loc loc, Op op, Expr *l, Expr *r);
Expr *ast_cond(Arena *a, Loc loc, Expr *c, Expr *t, Expr *e);

/* `*` as a stimulus target: every neuron of the brain (a name no
 * declaration can have). */
int ast_is_all_neurons(const Expr *e);
Expr *ast_array(Arena *a, Loc loc, Arg *items);
Expr *ast_range(Arena *a, Loc loc, Expr *lo, Expr *hi);
Arg *ast_arg(Arena *a, Loc loc, const char *name, Loc name_loc, Expr *value);
Stmt *ast_stmt(Arena *a, StmtKind kind, Loc loc);
Member *ast_member_decl(Arena *a, MemberKind kind, Loc loc);
VarDecl *ast_var(Arena *a, Loc loc, const char *name, Expr *value);
Decl *ast_decl(Arena *a, DeclKind kind, Loc loc, const char *name, Loc name_loc);

/* Deep copies (for derived models): fresh nodes, same locations, no sema
 * annotations. */
Expr *ast_clone_expr(Arena *a, const Expr *e);
VarDecl *ast_clone_vars(Arena *a, const VarDecl *v);
Member *ast_clone_members(Arena *a, const Member *m);

/* Joins two locations on the same line into one span (for carets). */
Loc loc_span(Loc a, Loc b);

const char *ast_op_text(Op op);
const char *ast_decl_kind_name(DeclKind k);
const char *ast_member_kind_name(MemberKind k);

/* Appends to a NULL-terminated singly linked list (lists are short). */
#define AST_APPEND(T, head, item)                                                                  \
    do {                                                                                           \
        T **p_ = &(head);                                                                          \
        while (*p_)                                                                                \
            p_ = &(*p_)->next;                                                                     \
        *p_ = (item);                                                                              \
    } while (0)
#endif
