/* sema_member.c - where each kind of member may appear (§10).
 * The grammar lets every member appear in every declaration, so that a
 * misplaced one gets this message ("`decay` is not allowed in a neuron; it
 * belongs in a synapse") instead of a syntax error. */
#include "sema_internal.h"

#define B(p) (1u << (p))

typedef struct Placement {
    unsigned places;
    const char *belongs;    /* where it belongs, for the message */
} Placement;

static const Placement placements[] = {
    [M_STATE] = {B(PL_NEURON) | B(PL_SYNAPSE) | B(PL_WORLD) | B(PL_BODY),
                 "a neuron, synapse, world or body"},
    [M_LET] = {B(PL_NEURON) | B(PL_SYNAPSE) | B(PL_WORLD) | B(PL_BODY),
               "a neuron, synapse, world or body"},
    [M_UPDATE] = {B(PL_NEURON) | B(PL_SYNAPSE) | B(PL_WORLD) | B(PL_BODY),
                  "a neuron, synapse, world or body"},
    [M_INPUT] = {B(PL_NEURON), "a neuron"},
    [M_ODE] = {B(PL_NEURON) | B(PL_BODY), "a neuron or body"},
    [M_SPIKE] = {B(PL_NEURON), "a neuron"},
    [M_REFRACTORY] = {B(PL_NEURON), "a neuron"},
    [M_INTEGRATE] = {B(PL_NEURON), "a neuron"},
    [M_DECAY] = {B(PL_SYNAPSE), "a synapse"},
    [M_ON] = {B(PL_SYNAPSE), "a synapse"},
    [M_GAP] = {B(PL_SYNAPSE), "a synapse"},
    [M_POP] = {B(PL_COMPONENT) | B(PL_BRAIN) | B(PL_LAYER), "a component or brain"},
    [M_CONNECT] = {B(PL_COMPONENT) | B(PL_BRAIN) | B(PL_LAYER), "a component or brain"},
    [M_TERMINAL] = {B(PL_COMPONENT) | B(PL_BRAIN) | B(PL_LAYER), "a component or brain"},
    [M_PRESET] = {B(PL_BRAIN), "a brain"},
    [M_LAYER] = {B(PL_BRAIN), "a brain"},
    [M_WIRE] = {B(PL_BRAIN) | B(PL_LAYER), "a brain"},
    [M_LAYOUT] = {B(PL_BRAIN), "a brain"},
    [M_TIMESTEP] = {B(PL_BRAIN), "a brain"},
    [M_STIMULUS] = {B(PL_BRAIN) | B(PL_LAYER), "a brain"},
    [M_RECORD] = {B(PL_BRAIN) | B(PL_LAYER), "a brain"},
    [M_BODY] = {B(PL_BRAIN) | B(PL_LAYER), "a brain"},
    [M_SENSE] = {B(PL_BRAIN) | B(PL_LAYER), "a brain"},
    [M_ACT] = {B(PL_BRAIN) | B(PL_LAYER), "a brain"},
    [M_REWARD] = {B(PL_BRAIN) | B(PL_LAYER) | B(PL_STAGE) | B(PL_LESSON),
                  "a brain, stage or lesson"},
    [M_SENSOR] = {B(PL_BODY), "a body"},
    [M_MOTOR] = {B(PL_BODY), "a body"},
    [M_MEASURE] = {B(PL_WORLD) | B(PL_BODY), "a world or body"},
    [M_CHECKPOINT] = {B(PL_CURRICULUM), "a curriculum"},
    [M_STAGE] = {B(PL_CURRICULUM), "a curriculum"},
    [M_LESSON] = {B(PL_STAGE), "a stage"},
    [M_WORLD] = {B(PL_STAGE) | B(PL_LESSON), "a stage or lesson"},
    [M_TICKS] = {B(PL_STAGE) | B(PL_LESSON), "a stage or lesson"},
    [M_EXAM] = {B(PL_STAGE) | B(PL_LESSON), "a stage or lesson"},
    [M_SET] = {B(PL_STAGE) | B(PL_LESSON), "a stage or lesson"},
};

/* `teacher t : http(...)` declares (curriculum); `teacher t "..."` asks (stage). */
static const Placement teacher_decl = {B(PL_CURRICULUM), "a curriculum"};
static const Placement teacher_ask = {B(PL_STAGE) | B(PL_LESSON), "a stage or lesson"};

static const char *place_name(Place p)
{
    static const char *const names[] = {
        [PL_NEURON] = "neuron", [PL_SYNAPSE] = "synapse", [PL_COMPONENT] = "component",
        [PL_BRAIN] = "brain", [PL_WORLD] = "world", [PL_BODY] = "body",
        [PL_CURRICULUM] = "curriculum", [PL_STAGE] = "stage", [PL_LESSON] = "lesson",
        [PL_LAYER] = "layer",
    };
    return names[p];
}

Place place_of(DeclKind k)
{
    static const Place places[] = {
        [D_NEURON] = PL_NEURON, [D_SYNAPSE] = PL_SYNAPSE, [D_COMPONENT] = PL_COMPONENT,
        [D_BRAIN] = PL_BRAIN, [D_WORLD] = PL_WORLD, [D_BODY] = PL_BODY,
        [D_CURRICULUM] = PL_CURRICULUM,
    };
    return places[k];
}

/* How the message names the member: `decay`, a population, ... */
static const char *member_text(const Member *m)
{
    switch (m->kind) {
    case M_ODE: return "a differential equation";
    case M_POP: return "a population";
    case M_TERMINAL: return m->dir == TERM_IN ? "`in`" : "`out`";
    case M_TEACHER: return m->model ? "a teacher declaration" : "asking a teacher";
    case M_WORLD: return "`world`";
    default: return NULL;
    }
}

int member_placed(Sema *s, Member *m, Place place)
{
    const Placement *p = &placements[m->kind];
    if (m->kind == M_TEACHER)
        p = m->model ? &teacher_decl : &teacher_ask;
    if (p->places & B(place))
        return 1;
    const char *text = member_text(m);
    if (!text)
        text = arena_printf(s->arena, "`%s`", ast_member_kind_name(m->kind));
    if (place == PL_LAYER && (p->places & B(PL_BRAIN)))
        diag_error(s->diag, m->loc, "%s is not allowed inside a layer; put it directly in the brain",
                   text);
    else
        diag_error(s->diag, m->loc, "%s is not allowed in a %s; it belongs in %s", text,
                   place_name(place), p->belongs);
    return 0;
}
