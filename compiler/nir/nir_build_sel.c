/* nir_build_sel.c - selections of neurons and instances, and pass 2 of
 * elaboration: terminals.
 *
 * A selection is written in a body (the brain or a component) and means
 * the same neurons in every instance of that body, so it is kept relative
 * to one instance: segments of (population, offsets within the body
 * instance's block of that population). Forms: `pop`, `pop[3]`,
 * `pop[0..2]`, `pop[0, 2]`, `inst.term`, `inst[2].term`, and for records
 * also paths to inner populations, `inst.pop`. */
#include "nir_internal.h"
#include <stdlib.h>
#include <string.h>

int nir_find_local(Ctx *c, const char *name, Local **out)
{
    for (Local *l = c->locals; l; l = l->next)
        if (strcmp(l->name, name) == 0) {
            *out = l;
            return 1;
        }
    return 0;
}

uint32_t nir_block(Builder *b, Ctx *c, uint32_t pop) { return nir_div(b->nir->pops[pop].size, c->mult); }

int nir_find_terminal(const NirInstSet *s, const char *name)
{
    for (int t = 0; t < s->nterms; t++)
        if (strcmp(s->terms[t].name, name) == 0)
            return t;
    return -1;
}

const char *nir_sel_text(Builder *b, Ctx *c, Expr *e)
{
    switch (e->kind) {
    case EX_NAME: return arena_printf(&b->tmp, "%s%s", c->prefix, e->str);
    case EX_INDEX: return nir_sel_text(b, c, e->a);
    case EX_MEMBER: return arena_printf(&b->tmp, "%s.%s", nir_sel_text(b, c, e->a), e->str);
    default: return arena_printf(&b->tmp, "%s?", c->prefix);
    }
}

/* ---- index lists ------------------------------------------------------- */

typedef struct IdxList {
    uint32_t *v;
    int n, cap;
} IdxList;

/* `[3]`, `[0..2]`, `[0, 2, 5..7]` against `limit` elements of `what`. */
static int index_list(Builder *b, Ctx *c, Arg *args, uint32_t limit, const char *what, IdxList *out)
{
    EvalCtx ec;
    nir_ev_init(&ec, b, c->scope);
    for (Arg *a = args; a; a = a->next) {
        Expr *lo = a->value, *hi = a->value;
        if (a->value->kind == EX_RANGE) {
            lo = a->value->a;
            hi = a->value->b;
        }
        int64_t from, to;
        if (a->name) {
            diag_error(b->diag, a->name_loc, "a selection takes indices, not named arguments");
            return -1;
        }
        if (nir_ev_integer(&ec, lo, "an index", 0, 4294967295.0, &from) ||
            nir_ev_integer(&ec, hi, "an index", 0, 4294967295.0, &to))
            return -1;
        if (to >= limit || from >= limit) {
            diag_error(b->diag, a->value->loc, "index %lld is out of range: `%s` has %u element%s",
                       (long long)(to >= limit ? to : from), what, limit, limit == 1 ? "" : "s");
            return -1;
        }
        for (int64_t k = from; k <= to; k++)
            *NIR_PUSH(out->v, out->n, out->cap) = (uint32_t)k;
    }
    return 0;
}

/* Keeps the list in the arena (selections live as long as the build). */
static const uint32_t *keep_list(Builder *b, IdxList *l)
{
    uint32_t *v = ARENA_ARRAY(&b->tmp, uint32_t, l->n ? l->n : 1);
    if (l->n)
        memcpy(v, l->v, sizeof *v * (size_t)l->n);
    free(l->v);
    l->v = NULL;
    return v;
}

static int is_contiguous(const IdxList *l)
{
    for (int k = 1; k < l->n; k++)
        if (l->v[k] != l->v[k - 1] + 1)
            return 0;
    return 1;
}

/* ---- instances ------------------------------------------------------------ */

static Ctx *set_body(Builder *b, int set) { return b->set_ctx[set]; }

static int local_set(Builder *b, Ctx *c, Expr *e, int flags, int *set)
{
    Local *l;
    if (!nir_find_local(c, e->str, &l)) {
        if (flags & SEL_REPORT)
            diag_error(b->diag, e->loc, "`%s` is not a population or component instance of `%s`", e->str,
                       c->decl->name);
        return -1;
    }
    if (l->kind == LOCAL_POISON)
        return -1;
    if (l->kind != LOCAL_SET)
        return 0;
    *set = l->id;
    return 1;
}

int nir_select_insts(Builder *b, Ctx *c, Expr *e, InstRef *out, int flags)
{
    memset(out, 0, sizeof *out);
    Expr *base = e->kind == EX_INDEX ? e->a : e;
    int set, rc;
    if (base->kind == EX_NAME) {
        if ((rc = local_set(b, c, base, flags, &set)) <= 0)
            return rc;
    } else if (base->kind == EX_MEMBER && (flags & SEL_INTERNAL)) {
        InstRef outer;
        if ((rc = nir_select_insts(b, c, base->a, &outer, flags)) <= 0 || !set_body(b, outer.set))
            return rc < 0 ? -1 : 0;
        if ((rc = local_set(b, set_body(b, outer.set), base, flags & ~SEL_REPORT, &set)) <= 0)
            return rc;
        /* instances of the inner set under the selected outer ones: all of
         * them, or those listed (`o.sub[1]`: the second sub of each o) */
        uint32_t per = b->nir->sets[set].per_parent;
        IdxList local = {0}, l = {0};
        if (e->kind == EX_INDEX && index_list(b, c, e->args, per, b->nir->sets[set].path, &local)) {
            free(local.v);
            return -1;
        }
        uint32_t nlocal = e->kind == EX_INDEX ? (uint32_t)local.n : per;
        for (uint32_t k = 0; k < outer.n; k++)
            for (uint32_t s = 0; s < nlocal; s++)
                *NIR_PUSH(l.v, l.n, l.cap) = inst_at(&outer, k) * per + (local.v ? local.v[s] : s);
        free(local.v);
        out->set = set;
        out->per_ctx = outer.per_ctx * per;
        out->n = (uint32_t)l.n;
        out->idx = keep_list(b, &l);
        return 1;
    } else {
        return 0;
    }
    const NirInstSet *s = &b->nir->sets[set];
    out->set = set;
    out->per_ctx = s->per_parent; /* a set declared in this body */
    out->n = out->per_ctx;
    if (e->kind == EX_INDEX) {
        IdxList l = {0};
        if (index_list(b, c, e->args, out->per_ctx, s->path, &l)) {
            free(l.v);
            return -1;
        }
        out->n = (uint32_t)l.n;
        out->idx = keep_list(b, &l);
    }
    return 1;
}

/* ---- neuron selections ------------------------------------------------------ */

typedef struct SegList {
    SelSeg *v;
    int n, cap;
} SegList;

static void add_seg(SegList *l, uint32_t pop, uint32_t n, uint32_t lo, const uint32_t *off)
{
    SelSeg *s = NIR_PUSH(l->v, l->n, l->cap);
    s->pop = pop;
    s->n = n;
    s->lo = lo;
    s->off = off;
}

static void finish_sel(Builder *b, SegList *l, Sel *out)
{
    out->nseg = l->n;
    out->segs = ARENA_ARRAY(&b->tmp, SelSeg, l->n ? l->n : 1);
    if (l->n)
        memcpy(out->segs, l->v, sizeof *l->v * (size_t)l->n);
    out->n = 0;
    for (int k = 0; k < l->n; k++)
        out->n += l->v[k].n;
    free(l->v);
}

static void ensure_terminals(Builder *b, Ctx *body);

/* (pop, offset) pairs in order, cut into one segment per run of a population. */
static void add_pairs(Builder *b, SegList *segs, const uint32_t *pop, const uint32_t *off, uint32_t n)
{
    uint32_t start = 0;
    for (uint32_t k = 1; k <= n; k++) {
        if (k < n && pop[k] == pop[start])
            continue;
        uint32_t *o = ARENA_ARRAY(&b->tmp, uint32_t, k - start);
        memcpy(o, off + start, sizeof *o * (k - start));
        add_seg(segs, pop[start], k - start, 0, o);
        start = k;
    }
}

/* Terminal `name` of the given instances, relative to the body instance. */
static int select_terminal(Builder *b, Ctx *c, const InstRef *r, Expr *e, SegList *segs)
{
    NirInstSet *s = &b->nir->sets[r->set];
    ensure_terminals(b, set_body(b, r->set));
    int t = nir_find_terminal(s, e->str);
    if (t < 0)
        return 1;
    const NirTerminal *term = &s->terms[t];
    uint64_t n = (uint64_t)r->n * term->n;
    uint32_t *pop = malloc((n ? n : 1) * sizeof *pop), *off = malloc((n ? n : 1) * sizeof *off);
    uint64_t k = 0;
    for (uint32_t i = 0; i < r->n; i++)
        for (uint32_t j = 0; j < term->n; j++, k++) {
            pop[k] = term->pop[j];
            off[k] = inst_at(r, i) * nir_div(b->nir->pops[term->pop[j]].size, s->count) + term->offset[j];
        }
    add_pairs(b, segs, pop, off, (uint32_t)n);
    free(pop);
    free(off);
    (void)c;
    return 0;
}

/* `inst.pop`: a population inside the instances (records only). */
static int select_inner_pop(Builder *b, const InstRef *r, Expr *e, SegList *segs)
{
    Local *l;
    if (!nir_find_local(set_body(b, r->set), e->str, &l) || l->kind != LOCAL_POP)
        return 1;
    uint32_t block = nir_div(b->nir->pops[l->id].size, b->nir->sets[r->set].count);
    uint64_t n = (uint64_t)r->n * block;
    uint32_t *off = ARENA_ARRAY(&b->tmp, uint32_t, n ? n : 1);
    for (uint64_t k = 0; k < n; k++)
        off[k] = inst_at(r, (uint32_t)(k / block)) * block + (uint32_t)(k % block);
    add_seg(segs, (uint32_t)l->id, (uint32_t)n, 0, off);
    return 0;
}

static int select_member(Builder *b, Ctx *c, Expr *e, SegList *segs, int flags)
{
    InstRef r;
    int rc = nir_select_insts(b, c, e->a, &r, flags);
    if (rc < 0)
        return -1;
    if (rc == 0) {
        if (flags & SEL_REPORT)
            diag_error(b->diag, e->a->loc, "`%s` is not a component instance", nir_sel_text(b, c, e->a));
        return -1;
    }
    if (select_terminal(b, c, &r, e, segs) == 0)
        return 0;
    if ((flags & SEL_INTERNAL) && select_inner_pop(b, &r, e, segs) == 0)
        return 0;
    if (flags & SEL_REPORT) {
        const NirInstSet *s = &b->nir->sets[r.set];
        const char *names[64];
        int n = 0;
        for (int t = 0; t < s->nterms && n < 64; t++)
            names[n++] = s->terms[t].name;
        const char *hint = diag_suggest(e->str, names, n);
        diag_error(b->diag, e->name_loc, "component `%s` has no terminal `%s`%s%s%s", s->component, e->str,
                   hint ? "; did you mean `" : "", hint ? hint : "", hint ? "`?" : "");
    }
    return -1;
}

static int select_pop(Builder *b, Ctx *c, Expr *e, SegList *segs, int flags)
{
    Expr *base = e->kind == EX_INDEX ? e->a : e;
    if (base->kind != EX_NAME) {
        if ((flags & SEL_REPORT) && base->kind == EX_MEMBER && e->kind == EX_INDEX)
            diag_error(b->diag, e->loc, "`%s` cannot be indexed: select the whole of it, or index the "
                                        "instances (`inst[0].pop`) or a terminal",
                       nir_sel_text(b, c, base));
        else if (flags & SEL_REPORT)
            diag_error(b->diag, e->loc, "this is not a selection of neurons");
        return -1;
    }
    Local *l;
    if (!nir_find_local(c, base->str, &l)) {
        if (flags & SEL_REPORT)
            diag_error(b->diag, base->loc, "`%s` is not a population of `%s`", base->str, c->decl->name);
        return -1;
    }
    if (l->kind == LOCAL_POISON)
        return -1;
    if (l->kind == LOCAL_SET) {
        if (flags & SEL_REPORT)
            diag_error(b->diag, e->loc, "`%s` is a set of `%s` instances: select one of its terminals",
                       base->str, b->nir->sets[l->id].component);
        return -1;
    }
    uint32_t block = b->nir->pops[l->id].per_instance; /* declared in this body */
    if (e->kind != EX_INDEX) {
        add_seg(segs, (uint32_t)l->id, block, 0, NULL);
        return 0;
    }
    IdxList il = {0};
    if (index_list(b, c, e->args, block, base->str, &il)) {
        free(il.v);
        return -1;
    }
    if (is_contiguous(&il)) {
        add_seg(segs, (uint32_t)l->id, (uint32_t)il.n, il.n ? il.v[0] : 0, NULL);
        free(il.v);
    } else {
        uint32_t n = (uint32_t)il.n;
        add_seg(segs, (uint32_t)l->id, n, 0, keep_list(b, &il));
    }
    return 0;
}

int nir_select(Builder *b, Ctx *c, Expr *e, Sel *out, int flags)
{
    SegList segs = {0};
    int rc = e->kind == EX_MEMBER ? select_member(b, c, e, &segs, flags) : select_pop(b, c, e, &segs, flags);
    finish_sel(b, &segs, out);
    return rc;
}

/* Every neuron of the instances e selects (`wm`, `wm[0..3]`, `wm.sub`), at
 * every depth of nesting, one segment per population: 1 if e names
 * instances, 0 if not, -1 after an error. For brain bodies, where instance
 * numbers are the sets' own. */
int nir_select_inst_neurons(Builder *b, Ctx *c, Expr *e, Sel *out, int flags)
{
    InstRef r;
    int rc = nir_select_insts(b, c, e, &r, flags);
    if (rc <= 0)
        return rc;
    const Nir *x = b->nir;
    SegList segs = {0};
    for (int p = 0; p < x->npops; p++) {
        int s = x->pops[p].inst;
        while (s >= 0 && s != r.set)
            s = x->sets[s].parent;
        if (s != r.set)
            continue;
        /* the instances of the innermost set under one of r.set are consecutive */
        uint32_t block = nir_div(x->pops[p].size, x->sets[r.set].count);
        uint64_t n = (uint64_t)r.n * block;
        uint32_t *off = ARENA_ARRAY(&b->tmp, uint32_t, n ? n : 1);
        for (uint64_t k = 0; k < n; k++)
            off[k] = inst_at(&r, (uint32_t)(k / block)) * block + (uint32_t)(k % block);
        add_seg(&segs, (uint32_t)p, (uint32_t)n, 0, off);
    }
    finish_sel(b, &segs, out);
    return 1;
}

/* Every neuron of the brain (the stimulus target `*`). */
void nir_select_all(Builder *b, Sel *out)
{
    SegList segs = {0};
    for (int p = 0; p < b->nir->npops; p++)
        add_seg(&segs, (uint32_t)p, b->nir->pops[p].size, 0, NULL);
    finish_sel(b, &segs, out);
}

/* ---- terminals (pass 2) ------------------------------------------------------ */

static void add_terminal(Builder *b, Ctx *body, NirInstSet *s, Member *m)
{
    if (nir_find_terminal(s, m->name) >= 0) {
        diag_error(b->diag, m->name_loc, "terminal `%s` is declared twice", m->name);
        return;
    }
    IdxList pops = {0}, offs = {0};
    for (Arg *a = m->sels; a; a = a->next) {
        Sel sel;
        if (nir_select(b, body, a->value, &sel, SEL_REPORT))
            continue;
        for (int k = 0; k < sel.nseg; k++)
            for (uint32_t j = 0; j < sel.segs[k].n; j++) {
                const SelSeg *g = &sel.segs[k];
                *NIR_PUSH(pops.v, pops.n, pops.cap) = g->pop;
                *NIR_PUSH(offs.v, offs.n, offs.cap) = g->off ? g->off[j] : g->lo + j;
            }
    }
    int cap = s->nterms;
    NirTerminal *t = NIR_PUSH(s->terms, s->nterms, cap);
    t->name = nir_str(b, m->name);
    t->dir = m->dir;
    t->n = (uint32_t)pops.n;
    t->pop = pops.v ? pops.v : calloc(1, sizeof *t->pop);
    t->offset = offs.v ? offs.v : calloc(1, sizeof *t->offset);
}

static void ensure_terminals(Builder *b, Ctx *body)
{
    if (!body || body->term_state != 0)
        return;
    body->term_state = 1;
    NirInstSet *s = &b->nir->sets[body->set];
    for (int k = 0; k < body->nitems; k++)
        if (body->items[k].m->kind == M_TERMINAL)
            add_terminal(b, body, s, body->items[k].m);
    body->term_state = 2;
}

void nir_build_terminals(Builder *b, Ctx *c)
{
    if (c->set >= 0)
        ensure_terminals(b, c);
    for (Ctx *k = c->first_child; k; k = k->next_sibling)
        nir_build_terminals(b, k);
}
