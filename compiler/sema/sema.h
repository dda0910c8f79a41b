/* sema.h - semantic checks of a loaded program.
 * Runs after loading and before lowering: resolves every name, gives every
 * expression a type (Expr.type) and the symbol it names (Expr.sym, Stmt.sym),
 * and reports what the language reference (docs/language.md) forbids. */
#ifndef BR_SEMA_H
#define BR_SEMA_H
#include "../front/ast.h"

/* What a name can denote. */
typedef enum {
    SYM_PARAM,    /* parameter of a declaration */
    SYM_STATE,    /* state variable (neuron, synapse, world, body) */
    SYM_INPUT,    /* neuron input accumulator */
    SYM_LET,      /* member `let`: a derived value */
    SYM_LOCAL,    /* `let` inside a block */
    SYM_MEASURE,  /* world/body measure */
    SYM_SENSOR,   /* body sensor */
    SYM_MOTOR,    /* body motor (set by the brain, read by the body) */
    SYM_POP,      /* population of neurons or of component instances */
    SYM_CONN,     /* connection named with `as` */
    SYM_BODY,     /* body bound in a brain */
    SYM_TEACHER,  /* teacher declared in a curriculum */
    SYM_INDEX,    /* connection index variable (`connect a[i] -> b[i + 1]`) */
    SYM_BUILTIN,  /* t, dt, i, reward */
} SymKind;

typedef struct Symbol {
    SymKind kind;
    const char *name;
    Loc loc;            /* where it is declared */
    Type type;          /* value type; TY_NEURONS / TY_INSTANCES for populations */
    Decl *owner;        /* the declaration it belongs to */
    Decl *model;        /* SYM_POP, SYM_BODY: model instantiated; SYM_CONN: the synapse */
    Member *member;     /* the declaring member, when there is one */
    Expr *value;        /* SYM_PARAM default, SYM_STATE initial value, SYM_LET/SYM_MEASURE/SYM_SENSOR definition */
    int order;          /* declaration order within its scope */
    int state;          /* sema: 0 unchecked, 1 being checked (cycles), 2 checked */
} Symbol;

/* Checks every declaration of every loaded module; reports to prog->diag and
 * returns the number of errors reported. Never crashes on trees with error
 * recovery holes (NULL fields). Symbols live in prog->arena. */
int sema_check(Program *prog);
#endif
