/* sema_world.c - worlds, bodies (§8) and curricula (§9).
 * A body reads its world as `world.x`; a curriculum sees its brain's
 * parameters and bodies (`b.chemotaxis_index`), and in a stage the stage's
 * world. */
#include "sema_internal.h"
#include <string.h>

void world_declare(Sema *s, DeclInfo *info)
{
    for (Member *m = info->decl->members; m; m = m->next) {
        switch (m->kind) {
        case M_STATE: vars_declare(s, info, m, SYM_STATE); break;
        case M_LET: vars_declare(s, info, m, SYM_LET); break;
        case M_MOTOR: vars_declare(s, info, m, SYM_MOTOR); break;
        case M_MEASURE:
        case M_SENSOR: {
            Symbol *sym = sym_new(s, m->kind == M_MEASURE ? SYM_MEASURE : SYM_SENSOR, m->name,
                                  m->name_loc, info->decl);
            sym->value = m->expr;
            sym->member = m;
            sema_declare(s, info, info->members, sym);
            break;
        }
        default: break;
        }
    }
}

Decl *body_world(Sema *s, Decl *body)
{
    Decl *w = body->target ? table_get(&s->decls, body->target) : NULL;
    return w && w->kind == D_WORLD ? w : NULL;
}

/* `body b in w`: w must be a world. */
static void body_target_check(Sema *s, Decl *d)
{
    if (!d->target)
        return;
    Decl *w = sema_find_decl(s, d->module, d->target, d->target_loc, 1u << D_WORLD, "world");
    if (w && w->kind != D_WORLD)
        diag_error(s->diag, d->target_loc, "`%s` is %s; a body lives in a world", w->name,
                   decl_kind_article(w->kind));
}

void world_check(Sema *s, DeclInfo *info)
{
    Decl *d = info->decl;
    Member *update = NULL;
    Table odes;
    table_init(&odes, 0);
    sema_report_dups(s, info);
    if (d->kind == D_BODY)
        body_target_check(s, d);
    params_check(s, info, 0);
    for (Member *m = d->members; m; m = m->next) {
        if (!member_placed(s, m, place_of(d->kind)))
            continue;
        Ctx c = ctx_make(s, d, info->members, 0, "an update block");
        switch (m->kind) {
        case M_STATE: states_check(s, info, m, 0); break;
        case M_LET: lets_check(s, info, m); break;
        case M_ODE: ode_check(s, info, m, &odes, 0); break;
        case M_UPDATE:
            member_once(s, &update, m, "an `update` block");
            stmts_check(&c, m->body);
            break;
        case M_MEASURE:
        case M_SENSOR: {
            Symbol *sym = scope_find_here(info->members, m->name);
            if (sym && sym->member == m)
                sym_value_type(s, sym, m->name_loc);
            break;
        }
        default: break;
        }
    }
}

/* ---- curricula ------------------------------------------------------------- */

typedef struct Curriculum {
    Sema *s;
    DeclInfo *info;
    Decl *brain;
    Scope *scope;       /* teachers; parent: the brain's names */
} Curriculum;

/* world, named: the enclosing stage's world, and whether it names one. */
static void stage_check(Curriculum *cu, Member *stage, Place place, Decl *world, int named);

/* The world a stage runs in (its `world` member), for `world.x`. Sets
 * *named when the stage names one, even one that does not resolve. */
static Decl *stage_world(Sema *s, Member *stage, Decl *outer, int *named)
{
    for (Member *m = stage->members; m; m = m->next) {
        if (m->kind != M_WORLD || !m->model)
            continue;
        Decl *w = table_get(&s->decls, m->model);
        *named = 1;
        return w && w->kind == D_WORLD ? w : NULL;
    }
    return outer;
}

static void world_member_check(Ctx *c, Member *m)
{
    Sema *s = c->s;
    Decl *w = sema_find_decl(s, c->decl->module, m->model, m->model_loc, 1u << D_WORLD, "world");
    if (w && w->kind != D_WORLD) {
        diag_error(s->diag, m->model_loc, "`%s` is %s, not a world", w->name,
                   decl_kind_article(w->kind));
        w = NULL;
    }
    if (w)
        model_args(c, w, m->args, m->model_loc, -1, 0);
}

/* `set p = v` (§9): brain parameters only. */
static void set_check(Curriculum *cu, Ctx *c, Member *m)
{
    Sema *s = cu->s;
    VarDecl *v = m->vars;
    if (!v)
        return;
    Symbol *p = NULL;
    if (cu->brain) {
        DeclInfo *bi = sema_info(s, cu->brain);
        p = scope_find_here(bi->params, v->name);
        if (!p)
            sema_error_suggest(s, v->loc, scope_suggest(s, bi->params, v->name, SYMS_ALL, NULL),
                               "brain `%s` has no parameter `%s`", cu->brain->name, v->name);
    }
    const char *what = arena_printf(s->arena, "the value of `%s`", v->name);
    if (!v->value)
        diag_error(s->diag, v->loc, "`set %s` needs a value: `set %s = ...`", v->name, v->name);
    else if (p && p->type == TY_BOOL)
        expect_bool(c, v->value, what);
    else
        expect_num(c, v->value, what);
}

static void ask_check(Curriculum *cu, Member *m)
{
    Symbol *t = scope_find_here(cu->scope, m->name);
    if (!t && m->name)
        sema_error_suggest(cu->s, m->name_loc,
                           scope_suggest(cu->s, cu->scope, m->name, 1u << SYM_TEACHER, NULL),
                           "unknown teacher `%s`", m->name);
}

typedef struct StageOnce {
    Member *world, *ticks;
} StageOnce;

static void stage_member(Curriculum *cu, Ctx *c, Member *m, StageOnce *once, Table *lessons)
{
    Sema *s = cu->s;
    switch (m->kind) {
    case M_WORLD:
        if (member_once(s, &once->world, m, "`world`"))
            world_member_check(c, m);
        break;
    case M_TICKS:
        member_once(s, &once->ticks, m, "`ticks`");
        if (expect_num(c, m->expr, "the number of ticks") == TY_NUM)
            check_const(s, m->expr, "the number of ticks", 'i');
        break;
    case M_LESSON: {
        Member *prev = m->name ? table_get(lessons, m->name) : NULL;
        if (prev) {
            diag_error(s->diag, m->name_loc, "lesson `%s` is already declared", m->name);
            diag_note(s->diag, prev->name_loc, "previous declaration of `%s`", m->name);
        }
        table_put(s->arena, lessons, m->name, m);
        stage_check(cu, m, PL_LESSON, c->world, c->no_world == NULL);
        break;
    }
    case M_EXAM: expect_bool(c, m->expr, "an exam"); break;
    case M_SET: set_check(cu, c, m); break;
    case M_REWARD:
        expect_num(c, m->expr, "the reward");
        if (m->expr2)
            select_check(c, m->expr2, SELOK_NEURONS | SELOK_CONN, "the target of a reward");
        break;
    case M_TEACHER: ask_check(cu, m); break;
    default: break;
    }
}

static void stage_check(Curriculum *cu, Member *stage, Place place, Decl *world, int named)
{
    Sema *s = cu->s;
    StageOnce once = {0};
    Table lessons;
    table_init(&lessons, 1);
    Ctx c = ctx_make(s, cu->info->decl, cu->scope, 0, place == PL_STAGE ? "a stage" : "a lesson");
    c.world = stage_world(s, stage, world, &named);
    c.no_world = named ? NULL : "this stage has no `world`, so `world` cannot be read here";
    for (Member *m = stage->members; m; m = m->next)
        if (member_placed(s, m, place))
            stage_member(cu, &c, m, &once, &lessons);
}

static void teacher_check(Curriculum *cu, Member *m)
{
    const KindSpec *k = kind_find(cu->s, sema_teachers, m->model, m->model_loc, "teacher kind");
    Ctx c = ctx_make(cu->s, cu->info->decl, cu->scope, 0, "teacher settings");
    if (k)
        kind_args(&c, k, m->args, m->model_loc);
}

/* Teachers and stages have their own names in a curriculum. */
static void curriculum_declare(Curriculum *cu, Scope *stages)
{
    Sema *s = cu->s;
    for (Member *m = cu->info->decl->members; m; m = m->next) {
        int teacher = m->kind == M_TEACHER && m->model;
        if (!m->name || (!teacher && m->kind != M_STAGE))
            continue;
        Symbol *sym = sym_new(s, teacher ? SYM_TEACHER : SYM_POP, m->name, m->name_loc,
                              cu->info->decl);
        sym->member = m;
        Symbol *old = scope_add(s, teacher ? cu->scope : stages, sym);
        if (old)
            sema_add_dup(s, cu->info, teacher ? "teacher" : "stage", m->name, m->name_loc,
                         old->loc);
    }
}

void curriculum_check(Sema *s, DeclInfo *info)
{
    Decl *d = info->decl;
    Curriculum cu = {s, info, NULL, NULL};
    if (d->target) {
        cu.brain = sema_find_decl(s, d->module, d->target, d->target_loc, 1u << D_BRAIN, "brain");
        if (cu.brain && cu.brain->kind != D_BRAIN) {
            diag_error(s->diag, d->target_loc, "`%s` is %s; a curriculum is for a brain",
                       cu.brain->name, decl_kind_article(cu.brain->kind));
            cu.brain = NULL;
        }
    }
    cu.scope = scope_new(s, cu.brain ? sema_info(s, cu.brain)->members : NULL);
    curriculum_declare(&cu, scope_new(s, NULL));
    sema_report_dups(s, info);
    for (Member *m = d->members; m; m = m->next) {
        if (!member_placed(s, m, PL_CURRICULUM))
            continue;
        Ctx c = ctx_make(s, d, cu.scope, 0, "a checkpoint");
        if (m->kind == M_TEACHER)
            teacher_check(&cu, m);
        else if (m->kind == M_CHECKPOINT && expect_num(&c, m->expr, "the checkpoint interval") == TY_NUM)
            check_const(s, m->expr, "the checkpoint interval", 'i');
        else if (m->kind == M_STAGE)
            stage_check(&cu, m, PL_STAGE, NULL, 0);
    }
}
