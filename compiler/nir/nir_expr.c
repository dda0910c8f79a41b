/* nir_expr.c - lowering of neuron and synapse model code to the NIR's small
 * expression/statement IR: names resolved to (kind, slot), member `let`s
 * inlined, block `let`s given local slots, compound assignments expanded,
 * constants folded. Synapse code names neuron variables (pre.v, post.g_e,
 * the target of `deliver`) through a per-model table of refs that each
 * group resolves against its own pre and post neuron models. */
#include "nir_internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- functions and operators ------------------------------------------ */

static const struct {
    const char *name;
    int arity;
} fns[NF_COUNT] = {
    [NF_EXP] = {"exp", 1},
    [NF_LOG] = {"log", 1},
    [NF_LOG10] = {"log10", 1},
    [NF_SQRT] = {"sqrt", 1},
    [NF_ABS] = {"abs", 1},
    [NF_SIN] = {"sin", 1},
    [NF_COS] = {"cos", 1},
    [NF_TAN] = {"tan", 1},
    [NF_TANH] = {"tanh", 1},
    [NF_SINH] = {"sinh", 1},
    [NF_COSH] = {"cosh", 1},
    [NF_ATAN] = {"atan", 1},
    [NF_FLOOR] = {"floor", 1},
    [NF_CEIL] = {"ceil", 1},
    [NF_ROUND] = {"round", 1},
    [NF_SIGN] = {"sign", 1},
    [NF_HEAVISIDE] = {"heaviside", 1},
    [NF_POW] = {"pow", 2},
    [NF_ATAN2] = {"atan2", 2},
    [NF_MIN] = {"min", 2},
    [NF_MAX] = {"max", 2},
    [NF_CLAMP] = {"clamp", 3},
};

const char *nir_fn_name(NirFn fn) { return fn < NF_COUNT ? fns[fn].name : "?"; }
int nir_fn_arity(NirFn fn) { return fn < NF_COUNT ? fns[fn].arity : 0; }

int nir_fn_lookup(const char *name)
{
    for (int k = 0; k < NF_COUNT; k++)
        if (strcmp(fns[k].name, name) == 0)
            return k;
    return -1;
}

double nir_fn_apply(NirFn fn, const double *x)
{
    switch (fn) {
    case NF_EXP: return exp(x[0]);
    case NF_LOG: return log(x[0]);
    case NF_LOG10: return log10(x[0]);
    case NF_SQRT: return sqrt(x[0]);
    case NF_ABS: return fabs(x[0]);
    case NF_SIN: return sin(x[0]);
    case NF_COS: return cos(x[0]);
    case NF_TAN: return tan(x[0]);
    case NF_TANH: return tanh(x[0]);
    case NF_SINH: return sinh(x[0]);
    case NF_COSH: return cosh(x[0]);
    case NF_ATAN: return atan(x[0]);
    case NF_FLOOR: return floor(x[0]);
    case NF_CEIL: return ceil(x[0]);
    case NF_ROUND: return round(x[0]);
    case NF_SIGN: return (x[0] > 0) - (x[0] < 0);
    case NF_HEAVISIDE: return x[0] > 0 ? 1.0 : 0.0;
    case NF_POW: return pow(x[0], x[1]);
    case NF_ATAN2: return atan2(x[0], x[1]);
    case NF_MIN: return fmin(x[0], x[1]);
    case NF_MAX: return fmax(x[0], x[1]);
    case NF_CLAMP: return fmin(fmax(x[0], x[1]), x[2]);
    default: return 0;
    }
}

/* `%` is floored (the sign of the divisor), so (i - 1) % n stays in 0..n-1. */
double nir_op_apply(Op op, double a, double b)
{
    switch (op) {
    case OP_ADD: return a + b;
    case OP_SUB: return a - b;
    case OP_MUL: return a * b;
    case OP_DIV: return a / b;
    case OP_MOD: return a - b * floor(a / b);
    case OP_POW: return pow(a, b);
    case OP_EQ: return a == b;
    case OP_NE: return a != b;
    case OP_LT: return a < b;
    case OP_LE: return a <= b;
    case OP_GT: return a > b;
    case OP_GE: return a >= b;
    case OP_AND: return a != 0 && b != 0;
    case OP_OR: return a != 0 || b != 0;
    case OP_NEG: return -a;
    case OP_NOT: return a == 0;
    }
    return 0;
}

/* ---- the lowering context ----------------------------------------------- */

typedef struct Names {
    const char **v;
    int n, cap;
} Names;

typedef struct Lower {
    Builder *b;
    Decl *decl;
    int synapse;
    Names params, states, inputs;
    VarDecl **lets; /* member lets, by name */
    NirExpr **let_code;
    int *let_busy; /* cycle guard while inlining */
    int nlets;
    const char *locals[256]; /* block lets in scope, innermost last */
    int local_slot[256];
    int nscope, nlocals;
    int in_reward;
    NirSynRef *refs;
    int nrefs, caprefs;
    int nrandom; /* random() sites so far */
} Lower;

static int names_find(const Names *s, const char *name)
{
    for (int k = 0; k < s->n; k++)
        if (strcmp(s->v[k], name) == 0)
            return k;
    return -1;
}

static void names_add(Lower *L, Names *s, const char *name, Loc loc)
{
    if (names_find(&L->params, name) >= 0 || names_find(&L->states, name) >= 0 ||
        names_find(&L->inputs, name) >= 0) {
        diag_error(L->b->diag, loc, "`%s` is declared twice in `%s`", name, L->decl->name);
        return;
    }
    *NIR_PUSH(s->v, s->n, s->cap) = name;
}

static const char **names_keep(Lower *L, Names *s)
{
    const char **out = ARENA_ARRAY(L->b->arena, const char *, s->n ? s->n : 1);
    for (int k = 0; k < s->n; k++)
        out[k] = nir_str(L->b, s->v[k]);
    free(s->v);
    s->v = NULL;
    return out;
}

static NirExpr *node(Lower *L, NirExprKind kind)
{
    NirExpr *e = ARENA_NEW(L->b->arena, NirExpr);
    e->kind = kind;
    return e;
}

static NirExpr *constant(Lower *L, double v)
{
    NirExpr *e = node(L, NX_CONST);
    e->value = v;
    return e;
}

static NirExpr *var_node(Lower *L, NirExprKind kind, int slot)
{
    NirExpr *e = node(L, kind);
    e->slot = slot;
    return e;
}

static int is_const(const NirExpr *e) { return e && e->kind == NX_CONST; }

/* ---- expressions ---------------------------------------------------------- */

static NirExpr *lower_expr(Lower *L, Expr *e);

static int ref_index(Lower *L, int post, const char *name)
{
    for (int k = 0; k < L->nrefs; k++)
        if (L->refs[k].post == post &&
            (L->refs[k].name == name || (name && L->refs[k].name && strcmp(L->refs[k].name, name) == 0)))
            return k;
    NirSynRef *r = NIR_PUSH(L->refs, L->nrefs, L->caprefs);
    r->post = post;
    r->name = nir_str(L->b, name);
    return L->nrefs - 1;
}

static int find_local(Lower *L, const char *name)
{
    for (int k = L->nscope - 1; k >= 0; k--)
        if (strcmp(L->locals[k], name) == 0)
            return L->local_slot[k];
    return -1;
}

static NirExpr *inline_let(Lower *L, int k, Loc loc)
{
    if (L->let_code[k])
        return L->let_code[k];
    if (L->let_busy[k]) {
        diag_error(L->b->diag, loc, "`let %s` refers to itself", L->lets[k]->name);
        return constant(L, 0);
    }
    L->let_busy[k] = 1;
    NirExpr *code = L->lets[k]->value ? lower_expr(L, L->lets[k]->value) : constant(L, 0);
    L->let_busy[k] = 0;
    L->let_code[k] = code;
    return code;
}

static NirExpr *lower_name(Lower *L, Expr *e)
{
    const char *n = e->str;
    int k;
    if ((k = find_local(L, n)) >= 0)
        return var_node(L, NX_LOCAL, k);
    if ((k = names_find(&L->states, n)) >= 0)
        return var_node(L, NX_STATE, k);
    if ((k = names_find(&L->inputs, n)) >= 0)
        return var_node(L, NX_INPUT, k);
    if ((k = names_find(&L->params, n)) >= 0)
        return var_node(L, NX_PARAM, k);
    for (k = 0; k < L->nlets; k++)
        if (strcmp(L->lets[k]->name, n) == 0)
            return inline_let(L, k, e->loc);
    if (strcmp(n, "t") == 0)
        return node(L, NX_T);
    if (strcmp(n, "dt") == 0)
        return node(L, NX_DT);
    if (strcmp(n, "reward") == 0 && L->in_reward)
        return node(L, NX_REWARD);
    diag_error(L->b->diag, e->loc, "unknown name `%s` in `%s`", n, L->decl->name);
    return constant(L, 0);
}

/* pre.X / post.X in synapse code. */
static NirExpr *lower_member(Lower *L, Expr *e)
{
    int side = e->a && e->a->kind == EX_NAME ? (strcmp(e->a->str, "post") == 0  ? 1
                                                : strcmp(e->a->str, "pre") == 0 ? 0
                                                                                : -1)
                                             : -1;
    if (!L->synapse || side < 0) {
        diag_error(L->b->diag, e->loc, "`.%s` cannot be used in model code here", e->str);
        return constant(L, 0);
    }
    return var_node(L, NX_REF, ref_index(L, side, e->str));
}

static NirExpr *fold_unary(Lower *L, Op op, NirExpr *a)
{
    if (is_const(a))
        return constant(L, nir_op_apply(op, a->value, 0));
    NirExpr *e = node(L, NX_UNARY);
    e->op = op;
    e->a = a;
    return e;
}

/* Folds constants and the identities that cannot change a finite result. */
static NirExpr *fold_binary(Lower *L, Op op, NirExpr *a, NirExpr *b)
{
    if (is_const(a) && is_const(b))
        return constant(L, nir_op_apply(op, a->value, b->value));
    if (op == OP_ADD && is_const(b) && b->value == 0)
        return a;
    if (op == OP_ADD && is_const(a) && a->value == 0)
        return b;
    if ((op == OP_MUL || op == OP_DIV) && is_const(b) && b->value == 1)
        return a;
    if (op == OP_MUL && is_const(a) && a->value == 1)
        return b;
    if (op == OP_SUB && is_const(b) && b->value == 0)
        return a;
    NirExpr *e = node(L, NX_BINARY);
    e->op = op;
    e->a = a;
    e->b = b;
    return e;
}

static NirExpr *lower_call(Lower *L, Expr *e)
{
    if (e->str && strcmp(e->str, "random") == 0 && !e->args)
        return var_node(L, NX_RANDOM, L->nrandom++);
    int fn = nir_fn_lookup(e->str);
    if (fn < 0) {
        if (nir_ev_is_distribution(e->str))
            diag_error(L->b->diag, e->loc,
                       "distribution `%s` cannot be used in model code; draw initial values with "
                       "`state x = %s(...)`",
                       e->str, e->str);
        else
            diag_error(L->b->diag, e->loc, "unknown function `%s`", e->str);
        return constant(L, 0);
    }
    NirExpr *args[3] = {NULL, NULL, NULL};
    int n = 0, all_const = 1;
    for (Arg *a = e->args; a; a = a->next, n++) {
        if (n < 3)
            args[n] = lower_expr(L, a->value);
        all_const = all_const && n < 3 && is_const(args[n]);
    }
    if (n != fns[fn].arity) {
        diag_error(L->b->diag, e->loc, "`%s` takes %d argument%s, not %d", e->str, fns[fn].arity,
                   fns[fn].arity == 1 ? "" : "s", n);
        return constant(L, 0);
    }
    if (all_const) {
        double x[3] = {args[0]->value, n > 1 ? args[1]->value : 0, n > 2 ? args[2]->value : 0};
        return constant(L, nir_fn_apply((NirFn)fn, x));
    }
    NirExpr *c = node(L, NX_CALL);
    c->fn = (NirFn)fn;
    c->a = args[0];
    c->b = args[1];
    c->c = args[2];
    return c;
}

static NirExpr *lower_expr(Lower *L, Expr *e)
{
    switch (e->kind) {
    case EX_NUM:
    case EX_BOOL: return constant(L, e->num);
    case EX_NAME: return lower_name(L, e);
    case EX_MEMBER: return lower_member(L, e);
    case EX_UNARY: return fold_unary(L, e->op, lower_expr(L, e->a));
    case EX_BINARY: return fold_binary(L, e->op, lower_expr(L, e->a), lower_expr(L, e->b));
    case EX_COND: {
        NirExpr *c = lower_expr(L, e->a), *t = lower_expr(L, e->b), *f = lower_expr(L, e->c);
        if (is_const(c))
            return c->value != 0 ? t : f;
        NirExpr *n = node(L, NX_COND);
        n->a = c;
        n->b = t;
        n->c = f;
        return n;
    }
    case EX_CALL: return lower_call(L, e);
    default:
        diag_error(L->b->diag, e->loc, "this kind of value cannot be used in model code");
        return constant(L, 0);
    }
}

/* ---- statements -------------------------------------------------------------- */

static NirStmt *lower_block(Lower *L, Stmt *s);

static NirStmt *stmt_node(Lower *L, NirStmtKind kind)
{
    NirStmt *s = ARENA_NEW(L->b->arena, NirStmt);
    s->kind = kind;
    return s;
}

/* The variable an assignment writes; kind NX_CONST when it cannot be written. */
static NirVar lower_target(Lower *L, Expr *t)
{
    NirVar v = {NX_CONST, 0};
    if (t->kind == EX_MEMBER) {
        NirExpr *r = lower_member(L, t);
        if (r->kind == NX_REF)
            v = (NirVar){NX_REF, r->slot};
        return v;
    }
    if (t->kind != EX_NAME) {
        diag_error(L->b->diag, t->loc, "cannot assign to this");
        return v;
    }
    int k;
    if ((k = find_local(L, t->str)) >= 0)
        return (NirVar){NX_LOCAL, k};
    if ((k = names_find(&L->states, t->str)) >= 0)
        return (NirVar){NX_STATE, k};
    if ((k = names_find(&L->inputs, t->str)) >= 0)
        return (NirVar){NX_INPUT, k};
    if (names_find(&L->params, t->str) >= 0)
        diag_error(L->b->diag, t->loc, "parameter `%s` is read-only", t->str);
    else
        diag_error(L->b->diag, t->loc, "`%s` is not a state variable of `%s`", t->str, L->decl->name);
    return v;
}

static NirStmt *lower_assign(Lower *L, Stmt *s)
{
    static const Op ops[] = {[AS_ADD] = OP_ADD, [AS_SUB] = OP_SUB, [AS_MUL] = OP_MUL, [AS_DIV] = OP_DIV};
    NirStmt *n = stmt_node(L, NS_ASSIGN);
    n->var = lower_target(L, s->target);
    n->value = lower_expr(L, s->value);
    if (s->aop != AS_SET)
        n->value = fold_binary(L, ops[s->aop], var_node(L, n->var.kind, n->var.slot), n->value);
    return n->var.kind == NX_CONST ? NULL : n;
}

static NirStmt *lower_let(Lower *L, Stmt *s)
{
    NirStmt *n = stmt_node(L, NS_ASSIGN);
    n->value = lower_expr(L, s->value); /* before the name is visible */
    if (L->nscope >= 256) {
        diag_error(L->b->diag, s->loc, "too many `let`s in one block");
        return NULL;
    }
    int slot = L->nlocals++;
    L->locals[L->nscope] = s->name;
    L->local_slot[L->nscope++] = slot;
    n->var = (NirVar){NX_LOCAL, slot};
    return n;
}

static NirStmt *lower_stmt(Lower *L, Stmt *s)
{
    switch (s->kind) {
    case ST_ASSIGN: return lower_assign(L, s);
    case ST_LET: return lower_let(L, s);
    case ST_IF: {
        NirStmt *n = stmt_node(L, NS_IF);
        n->value = lower_expr(L, s->value);
        n->body = lower_block(L, s->body);
        n->orelse = lower_block(L, s->orelse);
        return n;
    }
    case ST_DELIVER: {
        if (!L->synapse) {
            diag_error(L->b->diag, s->loc, "`deliver` is allowed only in synapses");
            return NULL;
        }
        NirStmt *n = stmt_node(L, NS_DELIVER);
        n->value = lower_expr(L, s->value);
        n->ref = ref_index(L, 1, s->name);
        return n;
    }
    case ST_PRUNE: return stmt_node(L, NS_PRUNE);
    case ST_DERIV: diag_error(L->b->diag, s->loc, "an ODE cannot appear inside a block"); return NULL;
    }
    return NULL;
}

/* Lowers a statement list; its block lets go out of scope at the end. */
static NirStmt *lower_block(Lower *L, Stmt *s)
{
    int scope = L->nscope;
    NirStmt *head = NULL, **tail = &head;
    for (; s; s = s->next) {
        NirStmt *n = lower_stmt(L, s);
        if (n) {
            *tail = n;
            tail = &n->next;
        }
    }
    L->nscope = scope;
    return head;
}

/* ---- declarations' names ------------------------------------------------------ */

static void collect_names(Lower *L)
{
    for (VarDecl *p = L->decl->params; p; p = p->next)
        names_add(L, &L->params, p->name, p->loc);
    int caplets = 0;
    for (Member *m = L->decl->members; m; m = m->next) {
        if (m->kind == M_STATE)
            for (VarDecl *v = m->vars; v; v = v->next)
                names_add(L, &L->states, v->name, v->loc);
        else if (m->kind == M_INPUT && !L->synapse)
            for (VarDecl *v = m->vars; v; v = v->next)
                names_add(L, &L->inputs, v->name, v->loc);
        else if (m->kind == M_LET && m->vars)
            *NIR_PUSH(L->lets, L->nlets, caplets) = m->vars;
    }
    L->let_code = calloc((size_t)L->nlets + 1, sizeof *L->let_code);
    L->let_busy = calloc((size_t)L->nlets + 1, sizeof *L->let_busy);
}

static void lower_free(Lower *L)
{
    free(L->params.v);
    free(L->states.v);
    free(L->inputs.v);
    free(L->lets);
    free(L->let_code);
    free(L->let_busy);
    free(L->refs);
}

/* ---- neuron models ---------------------------------------------------------- */

static void lower_integrate(Lower *L, NirNeuronModel *m, Member *mm)
{
    if (strcmp(mm->model, "euler") == 0)
        m->method = NIR_EULER;
    else if (strcmp(mm->model, "rk4") == 0)
        m->method = NIR_RK4;
    else if (strcmp(mm->model, "exact") == 0)
        m->method = NIR_EXACT;
    else
        diag_error(L->b->diag, mm->model_loc, "unknown integration method `%s` (euler, rk4, exact)",
                   mm->model);
    static const char *const names[] = {"substeps"};
    Expr *sub;
    if (nir_ev_bind_args(L->b, mm->args, mm->model, names, 1, &sub) || !sub)
        return;
    EvalCtx ec;
    nir_ev_init(&ec, L->b, NULL);
    int64_t n;
    if (nir_ev_integer(&ec, sub, "substeps", 1, 1e6, &n) == 0)
        m->substeps = (int)n;
}

static void lower_refractory(Lower *L, NirNeuronModel *m, Member *mm)
{
    m->refractory = lower_expr(L, mm->expr);
    int n = 0;
    for (VarDecl *v = mm->vars; v; v = v->next)
        n++;
    m->held = ARENA_ARRAY(L->b->arena, int, n ? n : 1);
    for (VarDecl *v = mm->vars; v; v = v->next) {
        int k = names_find(&L->states, v->name);
        if (k < 0)
            diag_error(L->b->diag, v->loc, "`hold %s`: `%s` is not a state variable", v->name, v->name);
        else
            m->held[m->nheld++] = k;
    }
}

/* `dX/dt = e`: the parser keeps `dX` as the name; X is the state. */
static void lower_ode(Lower *L, NirNeuronModel *m, Stmt *s)
{
    const char *state = s->name[0] == 'd' && s->name[1] ? s->name + 1 : s->name;
    int k = names_find(&L->states, state);
    if (k < 0) {
        diag_error(L->b->diag, s->name_loc, "%s/dt: `%s` is not a state variable", s->name, state);
        return;
    }
    if (m->ode[k])
        diag_error(L->b->diag, s->loc, "second ODE for `%s`", state);
    m->ode[k] = lower_expr(L, s->value);
}

/* Appends the statements of a second block of the same kind. */
static void append_stmts(NirStmt **list, NirStmt *more)
{
    while (*list)
        list = &(*list)->next;
    *list = more;
}

static void lower_neuron_members(Lower *L, NirNeuronModel *m)
{
    for (Member *mm = L->decl->members; mm; mm = mm->next) {
        switch (mm->kind) {
        case M_ODE: lower_ode(L, m, mm->stmt); break;
        case M_SPIKE:
            m->spike = lower_expr(L, mm->expr);
            append_stmts(&m->reset, lower_block(L, mm->body));
            break;
        case M_REFRACTORY: lower_refractory(L, m, mm); break;
        case M_INTEGRATE: lower_integrate(L, m, mm); break;
        case M_UPDATE: append_stmts(&m->update, lower_block(L, mm->body)); break;
        default: break;
        }
    }
}

int nir_neuron_model(Builder *b, Decl *d)
{
    Nir *nir = b->nir;
    for (int k = 0; k < nir->nneuron_models; k++)
        if (b->nmodel_decls[k] == d)
            return k;
    Lower L = {0};
    L.b = b;
    L.decl = d;
    collect_names(&L);
    NirNeuronModel m = {0};
    m.name = nir_str(b, d->name);
    m.loc = d->name_loc;
    m.substeps = 1;
    m.ode = ARENA_ARRAY(b->arena, NirExpr *, L.states.n ? L.states.n : 1);
    lower_neuron_members(&L, &m);
    m.nparams = L.params.n;
    m.nstates = L.states.n;
    m.ninputs = L.inputs.n;
    m.nlocals = L.nlocals;
    m.params = names_keep(&L, &L.params);
    m.states = names_keep(&L, &L.states);
    m.inputs = names_keep(&L, &L.inputs);
    lower_free(&L);
    int id = nir->nneuron_models;
    *NIR_PUSH(nir->neuron_models, nir->nneuron_models, b->capmodels) = m;
    *NIR_PUSH(b->nmodel_decls, id, b->capmdecls) = d;
    return nir->nneuron_models - 1;
}

/* ---- synapse models ------------------------------------------------------- */

static void lower_decays(Lower *L, NirSynapseModel *m, Member *mm)
{
    int n = 0;
    for (VarDecl *v = mm->vars; v; v = v->next)
        n++;
    NirDecay *d = ARENA_ARRAY(L->b->arena, NirDecay, m->ndecays + n);
    if (m->ndecays)
        memcpy(d, m->decays, sizeof *d * (size_t)m->ndecays);
    m->decays = d;
    for (VarDecl *v = mm->vars; v; v = v->next) {
        int k = names_find(&L->states, v->name);
        if (k < 0) {
            diag_error(L->b->diag, v->loc, "`decay %s`: `%s` is not a state variable", v->name, v->name);
            continue;
        }
        d[m->ndecays].state = k;
        d[m->ndecays++].tau = lower_expr(L, v->value);
    }
}

static void lower_handler(Lower *L, NirSynapseModel *m, Member *mm)
{
    NirStmt **list = NULL;
    if (strcmp(mm->name, "pre") == 0)
        list = &m->on_pre;
    else if (strcmp(mm->name, "post") == 0)
        list = &m->on_post;
    else if (strcmp(mm->name, "reward") == 0)
        list = &m->on_reward;
    if (!list) {
        diag_error(L->b->diag, mm->name_loc, "unknown event `%s` (pre, post, reward)", mm->name);
        return;
    }
    L->in_reward = list == &m->on_reward;
    append_stmts(list, lower_block(L, mm->body));
    L->in_reward = 0;
}

static void lower_gap(Lower *L, NirSynapseModel *m, Member *mm)
{
    m->is_gap = 1;
    m->gap_g = lower_expr(L, mm->expr);
    const char *var = mm->name ? mm->name : "v";
    m->gap_pre_var = ref_index(L, 0, var);
    m->gap_post_var = ref_index(L, 1, var);
    m->gap_pre_in = ref_index(L, 0, NULL);
    m->gap_post_in = ref_index(L, 1, NULL);
}

static int has_assignment(const NirStmt *s)
{
    for (; s; s = s->next)
        if (s->kind == NS_ASSIGN || s->kind == NS_PRUNE || has_assignment(s->body) ||
            has_assignment(s->orelse))
            return 1;
    return 0;
}

static int has_prune(const NirStmt *s)
{
    for (; s; s = s->next)
        if (s->kind == NS_PRUNE || has_prune(s->body) || has_prune(s->orelse))
            return 1;
    return 0;
}

static void lower_synapse_members(Lower *L, NirSynapseModel *m, NirStmt **update)
{
    for (Member *mm = L->decl->members; mm; mm = mm->next) {
        switch (mm->kind) {
        case M_DECAY: lower_decays(L, m, mm); break;
        case M_ON: lower_handler(L, m, mm); break;
        case M_GAP: lower_gap(L, m, mm); break;
        case M_UPDATE: append_stmts(update, lower_block(L, mm->body)); break;
        default: break;
        }
    }
}

int nir_synapse_model(Builder *b, Decl *d)
{
    Nir *nir = b->nir;
    for (int k = 0; k < nir->nsyn_models; k++)
        if (b->smodel_decls[k] == d)
            return k;
    Lower L = {0};
    L.b = b;
    L.decl = d;
    L.synapse = 1;
    collect_names(&L);
    NirSynapseModel m = {0};
    m.name = nir_str(b, d->name);
    m.loc = d->name_loc;
    lower_synapse_members(&L, &m, &m.update);
    m.is_static =
        !m.is_gap && m.ndecays == 0 && !m.on_post && !m.on_reward && !m.update && !has_assignment(m.on_pre);
    m.pruned_state = -1;
    if (has_prune(m.on_pre) || has_prune(m.on_post) || has_prune(m.on_reward) || has_prune(m.update)) {
        m.pruned_state = L.states.n; /* after the declared states: initial value 0 (alive) */
        names_add(&L, &L.states, NIR_PRUNED_STATE, m.loc);
    }
    m.nparams = L.params.n;
    m.nstates = L.states.n;
    m.nlocals = L.nlocals;
    m.nrefs = L.nrefs;
    m.refs = ARENA_ARRAY(b->arena, NirSynRef, L.nrefs ? L.nrefs : 1);
    if (L.nrefs)
        memcpy(m.refs, L.refs, sizeof *m.refs * (size_t)L.nrefs);
    m.params = names_keep(&L, &L.params);
    m.states = names_keep(&L, &L.states);
    lower_free(&L);
    int id = nir->nsyn_models;
    *NIR_PUSH(nir->syn_models, nir->nsyn_models, b->capsmodels) = m;
    *NIR_PUSH(b->smodel_decls, id, b->capsdecls) = d;
    return nir->nsyn_models - 1;
}

/* ---- per-group resolution of pre.X / post.X --------------------------------- */

static NirVar resolve_ref(const NirNeuronModel *nm, const NirSynRef *r)
{
    if (!r->name)
        return nm->ninputs > 0 ? (NirVar){NX_INPUT, 0} : (NirVar){NX_CONST, 0};
    int k;
    for (k = 0; k < nm->ninputs; k++)
        if (strcmp(nm->inputs[k], r->name) == 0)
            return (NirVar){NX_INPUT, k};
    if ((k = nir_model_state(nm, r->name)) >= 0)
        return (NirVar){NX_STATE, k};
    if ((k = nir_model_param(nm, r->name)) >= 0)
        return (NirVar){NX_PARAM, k};
    return (NirVar){NX_CONST, 0};
}

int nir_resolve_refs(Builder *b, NirGroup *g, Loc loc)
{
    Nir *nir = b->nir;
    const NirSynapseModel *sm = &nir->syn_models[g->model];
    g->refs = ARENA_ARRAY(b->arena, NirVar, sm->nrefs ? sm->nrefs : 1);
    int rc = 0;
    for (int k = 0; k < sm->nrefs; k++) {
        const NirSynRef *r = &sm->refs[k];
        const NirPop *p = &nir->pops[r->post ? g->post : g->pre];
        const NirNeuronModel *nm = &nir->neuron_models[p->model];
        g->refs[k] = resolve_ref(nm, r);
        if (g->refs[k].kind != NX_CONST)
            continue;
        if (r->name)
            diag_error(b->diag, loc, "synapse `%s` uses %s.%s, but neuron `%s` of `%s` has no `%s`", sm->name,
                       r->post ? "post" : "pre", r->name, nm->name, p->path, r->name);
        else
            diag_error(b->diag, loc,
                       "synapse `%s` delivers to the first input of `%s`, but neuron `%s` has no `input`",
                       sm->name, p->path, nm->name);
        rc = -1;
    }
    return rc;
}
