/* parser.y - grammar of the .brain language.
 * Actions only build the tree (ast_* calls); every name lookup and check is
 * sema's job. All declaration kinds share one member grammar, so a member in
 * the wrong place gets a precise message from sema instead of a syntax error.
 * Recovery happens at member, statement and declaration boundaries. */
%require "3.8"
%define api.pure full
%define api.prefix {br_yy}
%define api.token.prefix {TOK_}
%define api.location.type {Loc}
%define parse.error custom
%define parse.lac full
%locations
%expect 0
%param {void *scanner}
%parse-param {ParseCtx *ctx}

%code requires {
#include "parse_ctx.h"
typedef struct { Arg *head, *tail; } ArgList;
typedef struct { Stmt *head, *tail; } StmtList;
typedef struct { Member *head, *tail; } MemberList;
typedef struct { VarDecl *head, *tail; } VarList;
typedef struct { Arg *args; int has; } CallArgs;
typedef struct { ConnRule rule; Expr *arg; Loc loc; } RuleSpec;
typedef struct { const char *name; Loc loc; } Name;
}

%code provides {
int br_yylex(BR_YYSTYPE *lval, Loc *lloc, void *scanner);
}

%code {
#include <string.h>
#define A (ctx->arena)

/* Spans from the first to the last symbol; an empty rule sits where the
 * previous one ended. */
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                                     \
    do {                                                                                \
        if (N) {                                                                        \
            (Cur) = loc_span(YYRHSLOC(Rhs, 1), YYRHSLOC(Rhs, N));                       \
        } else {                                                                        \
            (Cur) = YYRHSLOC(Rhs, 0);                                                   \
            (Cur).col += (Cur).len;                                                     \
            (Cur).len = 1;                                                              \
        }                                                                               \
    } while (0)

static void br_yyerror(Loc *loc, void *scanner, ParseCtx *ctx, const char *msg)
{
    (void)scanner;
    diag_error(ctx->diag, *loc, "%s", msg);
}

#define LIST_ADD(list, item)                                                            \
    do {                                                                                \
        if ((item)) {                                                                   \
            if ((list).tail) (list).tail->next = (item); else (list).head = (item);     \
            (list).tail = (item);                                                       \
        }                                                                               \
    } while (0)

static Member *member(ParseCtx *ctx, MemberKind k, Loc loc)
{
    return ast_member_decl(ctx->arena, k, loc);
}

static void set_model(Member *m, Name model, CallArgs args)
{
    m->model = model.name;
    m->model_loc = model.loc;
    m->args = args.args;
    m->has_args = args.has;
}

static Decl *decl(ParseCtx *ctx, DeclKind k, Loc loc, const char *doc, Name name, VarDecl *params,
                  Member *members)
{
    Decl *d = ast_decl(ctx->arena, k, loc, name.name, name.loc);
    d->doc = doc;
    d->params = params;
    d->members = members;
    d->module = ctx->module;
    return d;
}

/* `neuron NAME = base(args)`: sema fills in the parameters and members. */
static Decl *derived(ParseCtx *ctx, DeclKind k, Loc loc, const char *doc, Name name, Name base,
                     CallArgs args)
{
    Decl *d = decl(ctx, k, loc, doc, name, NULL, NULL);
    d->base = base.name;
    d->base_loc = base.loc;
    d->base_args = args.args;
    return d;
}

static void add_decl(ParseCtx *ctx, Decl *d)
{
    if (ctx->last_decl)
        ctx->last_decl->next = d;
    else
        ctx->module->decls = d;
    ctx->last_decl = d;
}

static void add_import(ParseCtx *ctx, Import *im)
{
    if (ctx->last_import)
        ctx->last_import->next = im;
    else
        ctx->module->imports = im;
    ctx->last_import = im;
}

/* Deep left-leaning chains (1+1+1+...) do not grow Bison's stack but would
 * make every later recursive pass deep; cut them off here. */
#define MAX_EXPR_DEPTH 1000
static Expr *capped(ParseCtx *ctx, Expr *e)
{
    if (e->depth > MAX_EXPR_DEPTH) {
        diag_error(ctx->diag, e->loc, "expression nested more than %d levels deep", MAX_EXPR_DEPTH);
        return ast_num(ctx->arena, e->loc, 0);
    }
    return e;
}

static Stmt *assign(ParseCtx *ctx, Loc loc, Expr *target, AssignOp op, Expr *value)
{
    Stmt *s = ast_stmt(ctx->arena, ST_ASSIGN, loc);
    s->target = target;
    s->aop = op;
    s->value = value;
    return s;
}
}

%union {
    double num;
    const char *str;
    Expr *expr;
    Stmt *stmt;
    Member *member;
    Decl *decl;
    Arg *arg;
    VarDecl *var;
    ArgList args;
    StmtList stmts;
    MemberList members;
    VarList vars;
    CallArgs call;
    RuleSpec rule;
    Name name;
    AssignOp aop;
}

%token <num> NUMBER "number"
%token <str> IDENT "identifier" STRING "string"
%token <str> NEURON "neuron" SYNAPSE "synapse" COMPONENT "component" BRAIN "brain"
             WORLD "world" BODY "body" CURRICULUM "curriculum"
%token IMPORT "import" FOR "for" STATE "state" INPUT "input" LET "let" SPIKE "spike"
             WHEN "when" REFRACTORY "refractory" HOLD "hold" INTEGRATE "integrate"
             UPDATE "update" DECAY "decay" ON "on" PRE "pre" POST "post" REWARD "reward"
             DELIVER "deliver" TO "to" GAP "gap" VIA "via" PRUNE "prune" CONNECT "connect"
             IN "in" OUT "out" PRESET "preset" LAYER "layer" WIRE "wire" LAYOUT "layout"
             TIMESTEP "timestep" STIMULUS "stimulus" FROM "from" UNTIL "until"
             RECORD "record" EVERY "every" SENSE "sense" ACT "act" SENSOR "sensor"
             MOTOR "motor" MEASURE "measure" TEACHER "teacher" CHECKPOINT "checkpoint"
             STAGE "stage" LESSON "lesson" TICKS "ticks" EXAM "exam" SET "set"
             IF "if" THEN "then" ELSE "else" AND "and" OR "or" NOT "not"
             TRUE "true" FALSE "false" PROBABILITY "probability" FANIN "fanin"
             FANOUT "fanout" ONE_TO_ONE "one_to_one" ALL_TO_ALL "all_to_all" PER "per"
             INSTANCE "instance" DELAY "delay" AS "as" AT "at"
%token ARROW "->" DOTDOT ".." EQ "==" NE "!=" LE "<=" GE ">="
       ADD_ASSIGN "+=" SUB_ASSIGN "-=" MUL_ASSIGN "*=" DIV_ASSIGN "/="

%nonassoc DOTDOT
%precedence ELSE
%left OR
%left AND
%precedence NOT
%nonassoc EQ NE '<' LE '>' GE
%left '+' '-'
%left '*' '/' '%'
%precedence NEG
%right '^'

%type <expr> expr postfix primary lvalue
%type <args> arg_list sel_list
%type <arg> arg
%type <call> call_args
%type <stmts> stmts
%type <stmt> stmt if_stmt
%type <stmts> block
%type <members> members
%type <member> member conn_tail
%type <vars> var_list name_list decay_list set_list params param_list
%type <var> var
%type <rule> conn_rule
%type <name> name argname
%type <expr> delay_opt every_opt from_opt until_opt to_target_opt at3
%type <str> as_opt doc_string_opt via_opt to_name_opt
%type <aop> assign_op
%type <str> event

%destructor { } <*>

%start program

%%

/* program -> { import | declaration } */
program
    : %empty
    | program import
    | program declaration
    | program error
    ;

/* import -> "import" name { "." name } | "import" STRING */
import
    : IMPORT dotted_name
    | IMPORT STRING
      { Import *im = ARENA_NEW(A, Import); im->path = $2; im->is_file = 1; im->loc = @2;
        add_import(ctx, im); }
    ;

dotted_name
    : IDENT
      { Import *im = ARENA_NEW(A, Import); im->path = $1; im->loc = @1;
        add_import(ctx, im); }
    | dotted_name '.' IDENT
      { Import *im = ctx->last_import;
        /* a cap keeps a.b.c... from growing quadratically */
        if (strlen(im->path) + strlen($3) < 512)
            im->path = arena_printf(A, "%s.%s", im->path, $3);
        else if (!strstr(im->path, "..."))
            { diag_error(ctx->diag, @3, "module name too long"); im->path = arena_printf(A, "%s...", im->path); }
        im->loc = loc_span(im->loc, @3); }
    ;

/* declaration -> kind name [ "(" params ")" ] "{" members "}" */
declaration
    : NEURON name params '{' members '}'
      { add_decl(ctx, decl(ctx, D_NEURON, @1, $1, $2, $3.head, $5.head)); }
    | SYNAPSE name params '{' members '}'
      { add_decl(ctx, decl(ctx, D_SYNAPSE, @1, $1, $2, $3.head, $5.head)); }
    /* derived models: neuron RS = izhikevich(d = 8), synapse strong = stdp(w_max = 20) */
    | NEURON name '=' name call_args  { add_decl(ctx, derived(ctx, D_NEURON, @1, $1, $2, $4, $5)); }
    | SYNAPSE name '=' name call_args { add_decl(ctx, derived(ctx, D_SYNAPSE, @1, $1, $2, $4, $5)); }
    | COMPONENT name params '{' members '}'
      { add_decl(ctx, decl(ctx, D_COMPONENT, @1, $1, $2, $3.head, $5.head)); }
    | BRAIN name params '{' members '}'
      { add_decl(ctx, decl(ctx, D_BRAIN, @1, $1, $2, $3.head, $5.head)); }
    | WORLD name params '{' members '}'
      { add_decl(ctx, decl(ctx, D_WORLD, @1, $1, $2, $3.head, $5.head)); }
    | BODY name params '{' members '}'
      { add_decl(ctx, decl(ctx, D_BODY, @1, $1, $2, $3.head, $5.head)); }
    | BODY name params IN name '{' members '}'
      { Decl *d = decl(ctx, D_BODY, @1, $1, $2, $3.head, $7.head);
        d->target = $5.name; d->target_loc = $5.loc; add_decl(ctx, d); }
    | CURRICULUM name FOR name '{' members '}'
      { Decl *d = decl(ctx, D_CURRICULUM, @1, $1, $2, NULL, $6.head);
        d->target = $4.name; d->target_loc = $4.loc; add_decl(ctx, d); }
    ;

name: IDENT { $$.name = $1; $$.loc = @1; } ;

params
    : %empty              { $$.head = $$.tail = NULL; }
    | '(' ')'             { $$.head = $$.tail = NULL; }
    | '(' param_list ')'  { $$ = $2; }
    ;

param_list
    : var                 { $$.head = $$.tail = NULL; LIST_ADD($$, $1); }
    | param_list ',' var  { $$ = $1; LIST_ADD($$, $3); }
    ;

var
    : IDENT               { $$ = ast_var(A, @1, $1, NULL); }
    | IDENT '=' expr      { $$ = ast_var(A, @1, $1, $3); }
    ;

members
    : %empty              { $$.head = $$.tail = NULL; }
    | members member      { $$ = $1; LIST_ADD($$, $2); }
    | members ';'         { $$ = $1; }
    | members error       { $$ = $1; }
    ;

member
    /* state v = -65, u = b * v */
    : STATE var_list                  { $$ = member(ctx, M_STATE, @1); $$->vars = $2.head; }
    /* input I, J */
    | INPUT name_list                 { $$ = member(ctx, M_INPUT, @1); $$->vars = $2.head; }
    /* let k = expr */
    | LET var                         { $$ = member(ctx, M_LET, @1); $$->vars = $2; }
    /* dv/dt = expr */
    | IDENT '/' IDENT '=' expr
      { $$ = member(ctx, M_ODE, @1);
        Stmt *s = ast_stmt(A, ST_DERIV, loc_span(@1, @3));
        s->name = $1; s->name_loc = @1; s->value = $5;
        /* the time variable is checked in sema; keep it as a name */
        s->target = ast_name(A, @3, $3);
        $$->stmt = s; }
    /* spike when cond [{ reset }] */
    | SPIKE WHEN expr                 { $$ = member(ctx, M_SPIKE, @1); $$->expr = $3; }
    | SPIKE WHEN expr block           { $$ = member(ctx, M_SPIKE, @1); $$->expr = $3; $$->body = $4.head; }
    /* refractory T [hold v, u] */
    | REFRACTORY expr                 { $$ = member(ctx, M_REFRACTORY, @1); $$->expr = $2; }
    | REFRACTORY expr HOLD name_list  { $$ = member(ctx, M_REFRACTORY, @1); $$->expr = $2; $$->vars = $4.head; }
    /* integrate method[(args)] */
    | INTEGRATE name call_args        { $$ = member(ctx, M_INTEGRATE, @1); set_model($$, $2, $3); $$->name = $2.name; }
    | UPDATE block                    { $$ = member(ctx, M_UPDATE, @1); $$->body = $2.head; }
    /* decay x tau_x, y tau_y */
    | DECAY decay_list                { $$ = member(ctx, M_DECAY, @1); $$->vars = $2.head; }
    /* on pre|post|reward { ... } */
    | ON event block                  { $$ = member(ctx, M_ON, @1); $$->name = $2; $$->name_loc = @2; $$->body = $3.head; }
    /* gap conductance [via v] */
    | GAP expr via_opt                { $$ = member(ctx, M_GAP, @1); $$->expr = $2; $$->name = $3; $$->name_loc = @3; }
    /* name[count] : model(args) [at (x, y, z)] */
    | name ':' name call_args
      { $$ = member(ctx, M_POP, @1); $$->name = $1.name; $$->name_loc = $1.loc; set_model($$, $3, $4); }
    | name '[' expr ']' ':' name call_args
      { $$ = member(ctx, M_POP, @1); $$->name = $1.name; $$->name_loc = $1.loc; $$->expr = $3; set_model($$, $6, $7); }
    | name ':' name call_args AT at3
      { $$ = member(ctx, M_POP, @1); $$->name = $1.name; $$->name_loc = $1.loc; set_model($$, $3, $4);
        $$->pos[0] = $6->a; $$->pos[1] = $6->b; $$->pos[2] = $6->c; }
    | name '[' expr ']' ':' name call_args AT at3
      { $$ = member(ctx, M_POP, @1); $$->name = $1.name; $$->name_loc = $1.loc; $$->expr = $3; set_model($$, $6, $7);
        $$->pos[0] = $9->a; $$->pos[1] = $9->b; $$->pos[2] = $9->c; }
    /* connect src -> dst : synapse(args) [rule] [delay d] [as name] */
    | CONNECT postfix ARROW postfix ':' name call_args conn_tail
      { $$ = $8; $$->loc = @1; $$->src = $2; $$->dst = $4; set_model($$, $6, $7); }
    /* in|out name = selection, selection */
    | IN name '=' sel_list
      { $$ = member(ctx, M_TERMINAL, @1); $$->dir = TERM_IN; $$->name = $2.name; $$->name_loc = $2.loc; $$->sels = $4.head; }
    | OUT name '=' sel_list
      { $$ = member(ctx, M_TERMINAL, @1); $$->dir = TERM_OUT; $$->name = $2.name; $$->name_loc = $2.loc; $$->sels = $4.head; }
    | PRESET name '{' set_list '}'
      { $$ = member(ctx, M_PRESET, @1); $$->name = $2.name; $$->name_loc = $2.loc; $$->vars = $4.head; }
    | LAYER expr '{' members '}'      { $$ = member(ctx, M_LAYER, @1); $$->expr = $2; $$->members = $4.head; }
    | WIRE name call_args             { $$ = member(ctx, M_WIRE, @1); set_model($$, $2, $3); }
    | LAYOUT name call_args           { $$ = member(ctx, M_LAYOUT, @1); set_model($$, $2, $3); }
    | TIMESTEP expr                   { $$ = member(ctx, M_TIMESTEP, @1); $$->expr = $2; }
    /* stimulus target : kind(args) [from t0] [until t1] */
    | STIMULUS postfix ':' name call_args from_opt until_opt
      { $$ = member(ctx, M_STIMULUS, @1); $$->dst = $2; set_model($$, $4, $5); $$->expr = $6; $$->expr2 = $7; }
    /* stimulus * : ... targets every neuron of the brain (the name `*` cannot be declared) */
    | STIMULUS '*' ':' name call_args from_opt until_opt
      { $$ = member(ctx, M_STIMULUS, @1); $$->dst = ast_name(A, @2, "*"); set_model($$, $4, $5);
        $$->expr = $6; $$->expr2 = $7; }
    /* record target [every k] */
    | RECORD postfix every_opt        { $$ = member(ctx, M_RECORD, @1); $$->src = $2; $$->expr2 = $3; }
    | BODY name ':' name call_args
      { (void)$1; $$ = member(ctx, M_BODY, @1); $$->name = $2.name; $$->name_loc = $2.loc; set_model($$, $4, $5); }
    | SENSE postfix ARROW postfix     { $$ = member(ctx, M_SENSE, @1); $$->src = $2; $$->dst = $4; }
    | SENSE postfix ARROW postfix ':' name call_args
      { $$ = member(ctx, M_SENSE, @1); $$->src = $2; $$->dst = $4; set_model($$, $6, $7); }
    | ACT postfix ARROW postfix       { $$ = member(ctx, M_ACT, @1); $$->src = $2; $$->dst = $4; }
    | ACT postfix ARROW postfix ':' name call_args
      { $$ = member(ctx, M_ACT, @1); $$->src = $2; $$->dst = $4; set_model($$, $6, $7); }
    /* reward expr [to target] */
    | REWARD expr to_target_opt       { $$ = member(ctx, M_REWARD, @1); $$->expr = $2; $$->expr2 = $3; }
    | SENSOR name '=' expr            { $$ = member(ctx, M_SENSOR, @1); $$->name = $2.name; $$->name_loc = $2.loc; $$->expr = $4; }
    | MOTOR name_list                 { $$ = member(ctx, M_MOTOR, @1); $$->vars = $2.head; }
    | MEASURE name '=' expr           { $$ = member(ctx, M_MEASURE, @1); $$->name = $2.name; $$->name_loc = $2.loc; $$->expr = $4; }
    /* teacher name : kind(args)  declares; teacher name ["prompt"] asks */
    | TEACHER name ':' name call_args
      { $$ = member(ctx, M_TEACHER, @1); $$->name = $2.name; $$->name_loc = $2.loc; set_model($$, $4, $5); }
    | TEACHER name doc_string_opt
      { $$ = member(ctx, M_TEACHER, @1); $$->name = $2.name; $$->name_loc = $2.loc;
        $$->expr = $3 ? ast_str(A, @3, $3) : NULL; }
    | CHECKPOINT EVERY expr           { $$ = member(ctx, M_CHECKPOINT, @1); $$->expr = $3; }
    | CHECKPOINT EVERY expr TO STRING { $$ = member(ctx, M_CHECKPOINT, @1); $$->expr = $3; $$->expr2 = ast_str(A, @5, $5); }
    | STAGE name '{' members '}'
      { $$ = member(ctx, M_STAGE, @1); $$->name = $2.name; $$->name_loc = $2.loc; $$->members = $4.head; }
    | LESSON name '{' members '}'
      { $$ = member(ctx, M_LESSON, @1); $$->name = $2.name; $$->name_loc = $2.loc; $$->members = $4.head; }
    | WORLD name call_args            { (void)$1; $$ = member(ctx, M_WORLD, @1); set_model($$, $2, $3); }
    | TICKS expr                      { $$ = member(ctx, M_TICKS, @1); $$->expr = $2; }
    | EXAM expr                       { $$ = member(ctx, M_EXAM, @1); $$->expr = $2; }
    | SET var                         { $$ = member(ctx, M_SET, @1); $$->vars = $2; }
    ;

conn_tail
    : conn_rule delay_opt as_opt
      { $$ = member(ctx, M_CONNECT, @$); $$->rule = $1.rule; $$->rule_arg = $1.arg; $$->rule_loc = $1.loc;
        $$->delay = $2; $$->name = $3; $$->name_loc = @3; }
    ;

conn_rule
    : %empty                          { $$.rule = CONN_ALL_TO_ALL; $$.arg = NULL; $$.loc = @$; }
    | ALL_TO_ALL                      { $$.rule = CONN_ALL_TO_ALL; $$.arg = NULL; $$.loc = @1; }
    | ONE_TO_ONE                      { $$.rule = CONN_ONE_TO_ONE; $$.arg = NULL; $$.loc = @1; }
    | PROBABILITY expr                { $$.rule = CONN_PROBABILITY; $$.arg = $2; $$.loc = @1; }
    | PROBABILITY expr PER INSTANCE   { $$.rule = CONN_PER_INSTANCE; $$.arg = $2; $$.loc = @1; }
    | FANIN expr                      { $$.rule = CONN_FANIN; $$.arg = $2; $$.loc = @1; }
    | FANOUT expr                     { $$.rule = CONN_FANOUT; $$.arg = $2; $$.loc = @1; }
    ;

delay_opt: %empty { $$ = NULL; } | DELAY expr { $$ = $2; } ;
as_opt: %empty { $$ = NULL; } | AS IDENT { $$ = $2; } ;
every_opt: %empty { $$ = NULL; } | EVERY expr { $$ = $2; } ;
from_opt: %empty { $$ = NULL; } | FROM expr { $$ = $2; } ;
until_opt: %empty { $$ = NULL; } | UNTIL expr { $$ = $2; } ;
to_target_opt: %empty { $$ = NULL; } | TO postfix { $$ = $2; } ;
via_opt: %empty { $$ = NULL; } | VIA IDENT { $$ = $2; } ;
doc_string_opt: %empty { $$ = NULL; } | STRING { $$ = $1; } ;
to_name_opt: %empty { $$ = NULL; } | TO IDENT { $$ = $2; } ;

/* (x, y, z): an EX_ARRAY node carrying the coordinates in a, b, c */
at3
    : '(' expr ',' expr ',' expr ')'
      { $$ = ast_array(A, @$, NULL); $$->a = $2; $$->b = $4; $$->c = $6; }
    ;

event
    : PRE     { $$ = "pre"; }
    | POST    { $$ = "post"; }
    | REWARD  { $$ = "reward"; }
    | IDENT   { $$ = $1; }
    ;

var_list
    : var                 { $$.head = $$.tail = NULL; LIST_ADD($$, $1); }
    | var_list ',' var    { $$ = $1; LIST_ADD($$, $3); }
    ;

name_list
    : IDENT               { $$.head = $$.tail = NULL; VarDecl *v = ast_var(A, @1, $1, NULL); LIST_ADD($$, v); }
    | name_list ',' IDENT { $$ = $1; VarDecl *v = ast_var(A, @3, $3, NULL); LIST_ADD($$, v); }
    ;

decay_list
    : IDENT expr                 { $$.head = $$.tail = NULL; VarDecl *v = ast_var(A, @1, $1, $2); LIST_ADD($$, v); }
    | decay_list ',' IDENT expr  { $$ = $1; VarDecl *v = ast_var(A, @3, $3, $4); LIST_ADD($$, v); }
    ;

set_list
    : %empty              { $$.head = $$.tail = NULL; }
    | set_list var        { $$ = $1; LIST_ADD($$, $2); }
    | set_list ','        { $$ = $1; }
    | set_list ';'        { $$ = $1; }
    ;

sel_list
    : postfix             { $$.head = $$.tail = NULL; Arg *g = ast_arg(A, @1, NULL, @1, $1); LIST_ADD($$, g); }
    | sel_list ',' postfix { $$ = $1; Arg *g = ast_arg(A, @3, NULL, @3, $3); LIST_ADD($$, g); }
    ;

/* ---- statements ---- */

block: '{' stmts '}' { $$ = $2; } ;

stmts
    : %empty              { $$.head = $$.tail = NULL; }
    | stmts stmt          { $$ = $1; LIST_ADD($$, $2); }
    | stmts ';'           { $$ = $1; }
    | stmts error         { $$ = $1; }
    ;

lvalue
    : IDENT                           { $$ = ast_name(A, @1, $1); }
    | PRE                             { $$ = ast_name(A, @1, "pre"); }
    | POST                            { $$ = ast_name(A, @1, "post"); }
    | lvalue '.' IDENT                { $$ = ast_member(A, @$, $1, $3, @3); }
    ;

stmt
    : lvalue assign_op expr          { $$ = assign(ctx, @$, $1, $2, $3); }
    | LET var                         { $$ = ast_stmt(A, ST_LET, @1); $$->name = $2->name; $$->name_loc = $2->loc; $$->value = $2->value; }
    | DELIVER expr to_name_opt        { $$ = ast_stmt(A, ST_DELIVER, @1); $$->value = $2; $$->name = $3; $$->name_loc = @3; }
    | PRUNE                           { $$ = ast_stmt(A, ST_PRUNE, @1); }
    | if_stmt                         { $$ = $1; }
    ;

if_stmt
    : IF expr block                   { $$ = ast_stmt(A, ST_IF, @1); $$->value = $2; $$->body = $3.head; }
    | IF expr block ELSE block        { $$ = ast_stmt(A, ST_IF, @1); $$->value = $2; $$->body = $3.head; $$->orelse = $5.head; }
    | IF expr block ELSE if_stmt      { $$ = ast_stmt(A, ST_IF, @1); $$->value = $2; $$->body = $3.head; $$->orelse = $5; }
    ;

assign_op
    : '='         { $$ = AS_SET; }
    | ADD_ASSIGN  { $$ = AS_ADD; }
    | SUB_ASSIGN  { $$ = AS_SUB; }
    | MUL_ASSIGN  { $$ = AS_MUL; }
    | DIV_ASSIGN  { $$ = AS_DIV; }
    ;

/* ---- expressions ---- */

expr
    : postfix                         { $$ = capped(ctx, $1); }
    | '-' expr %prec NEG              { $$ = capped(ctx, ast_unary(A, @$, OP_NEG, $2)); }
    | '+' expr %prec NEG              { $$ = $2; }
    | NOT expr                        { $$ = capped(ctx, ast_unary(A, @$, OP_NOT, $2)); }
    | expr '+' expr                   { $$ = capped(ctx, ast_binary(A, @$, OP_ADD, $1, $3)); }
    | expr '-' expr                   { $$ = capped(ctx, ast_binary(A, @$, OP_SUB, $1, $3)); }
    | expr '*' expr                   { $$ = capped(ctx, ast_binary(A, @$, OP_MUL, $1, $3)); }
    | expr '/' expr                   { $$ = capped(ctx, ast_binary(A, @$, OP_DIV, $1, $3)); }
    | expr '%' expr                   { $$ = capped(ctx, ast_binary(A, @$, OP_MOD, $1, $3)); }
    | expr '^' expr                   { $$ = capped(ctx, ast_binary(A, @$, OP_POW, $1, $3)); }
    | expr EQ expr                    { $$ = capped(ctx, ast_binary(A, @$, OP_EQ, $1, $3)); }
    | expr NE expr                    { $$ = capped(ctx, ast_binary(A, @$, OP_NE, $1, $3)); }
    | expr '<' expr                   { $$ = capped(ctx, ast_binary(A, @$, OP_LT, $1, $3)); }
    | expr LE expr                    { $$ = capped(ctx, ast_binary(A, @$, OP_LE, $1, $3)); }
    | expr '>' expr                   { $$ = capped(ctx, ast_binary(A, @$, OP_GT, $1, $3)); }
    | expr GE expr                    { $$ = capped(ctx, ast_binary(A, @$, OP_GE, $1, $3)); }
    | expr AND expr                   { $$ = capped(ctx, ast_binary(A, @$, OP_AND, $1, $3)); }
    | expr OR expr                    { $$ = capped(ctx, ast_binary(A, @$, OP_OR, $1, $3)); }
    | expr DOTDOT expr                { $$ = capped(ctx, ast_range(A, @$, $1, $3)); }
    | IF expr THEN expr ELSE expr     { $$ = capped(ctx, ast_cond(A, @$, $2, $4, $6)); }
    ;

postfix
    : primary                         { $$ = $1; }
    | postfix '.' IDENT               { $$ = ast_member(A, @$, $1, $3, @3); }
    | postfix '[' arg_list ']'        { $$ = ast_index(A, @$, $1, $3.head); }
    ;

primary
    : NUMBER                          { $$ = ast_num(A, @1, $1); }
    | TRUE                            { $$ = ast_bool(A, @1, 1); }
    | FALSE                           { $$ = ast_bool(A, @1, 0); }
    | STRING                          { $$ = ast_str(A, @1, $1); }
    | IDENT                           { $$ = ast_name(A, @1, $1); }
    | PRE                             { $$ = ast_name(A, @1, "pre"); }
    | POST                            { $$ = ast_name(A, @1, "post"); }
    | REWARD                          { $$ = ast_name(A, @1, "reward"); }
    | WORLD                           { (void)$1; $$ = ast_name(A, @1, "world"); }
    | IDENT '(' ')'                   { $$ = ast_call(A, @$, $1, @1, NULL); }
    | IDENT '(' arg_list ')'          { $$ = ast_call(A, @$, $1, @1, $3.head); }
    | '(' expr ')'                    { $$ = $2; }
    | '[' ']'                         { $$ = ast_array(A, @$, NULL); }
    | '[' arg_list ']'                { $$ = ast_array(A, @$, $2.head); }
    ;

call_args
    : %empty                          { $$.args = NULL; $$.has = 0; }
    | '(' ')'                         { $$.args = NULL; $$.has = 1; }
    | '(' arg_list ')'                { $$.args = $2.head; $$.has = 1; }
    ;

arg_list
    : arg                             { $$.head = $$.tail = NULL; LIST_ADD($$, $1); }
    | arg_list ',' arg                { $$ = $1; LIST_ADD($$, $3); }
    ;

arg
    : expr                            { $$ = ast_arg(A, @1, NULL, @1, $1); }
    | argname '=' expr                { $$ = ast_arg(A, @$, $1.name, $1.loc, $3); }
    ;

/* Keywords that are also natural parameter names. */
argname
    : IDENT        { $$.name = $1; $$.loc = @1; }
    | PROBABILITY  { $$.name = "probability"; $$.loc = @1; }
    | DELAY        { $$.name = "delay"; $$.loc = @1; }
    | REWARD       { $$.name = "reward"; $$.loc = @1; }
    | TICKS        { $$.name = "ticks"; $$.loc = @1; }
    | INPUT        { $$.name = "input"; $$.loc = @1; }
    | STATE        { $$.name = "state"; $$.loc = @1; }
    | LAYER        { $$.name = "layer"; $$.loc = @1; }
    | EVERY        { $$.name = "every"; $$.loc = @1; }
    ;

%%

/* A token as a message shows it: `neuron`, `->`, or a category in words. */
static const char *token_text(yysymbol_kind_t sym, char *buf, size_t size)
{
    if (sym == YYSYMBOL_NUMBER || sym == YYSYMBOL_IDENT || sym == YYSYMBOL_STRING)
        return sym == YYSYMBOL_NUMBER ? "a number" : sym == YYSYMBOL_IDENT ? "a name" : "a string";
    if (sym == YYSYMBOL_YYEOF)
        return "end of file";
    const char *name = yysymbol_name(sym);
    size_t n = strlen(name);
    if (n >= 2 && (name[0] == '"' || name[0] == '\'')) {
        name++;
        n -= 2;
    }
    snprintf(buf, size, "`%.*s`", (int)n, name);
    return buf;
}

/* Syntax errors name what was found and what could come instead. */
static int yyreport_syntax_error(const yypcontext_t *pctx, void *scanner, ParseCtx *ctx)
{
    (void)scanner;
    /* Lists of more alternatives than this are noise rather than help. */
    enum { MAX_LISTED = 5 };
    yysymbol_kind_t expected[YYNTOKENS];
    int n = yypcontext_expected_tokens(pctx, expected, YYNTOKENS);
    yysymbol_kind_t got = yypcontext_token(pctx);
    Loc loc = *yypcontext_location(pctx);
    char msg[512], tok[48], text[40];
    size_t len = 0;
    if (got == YYSYMBOL_YYEOF)
        len += (size_t)snprintf(msg, sizeof msg, "unexpected end of file");
    else if ((got == YYSYMBOL_IDENT || got == YYSYMBOL_NUMBER) &&
             diag_loc_text(ctx->diag, loc, text, sizeof text))
        len += (size_t)snprintf(msg, sizeof msg, "unexpected %s `%s`",
                                got == YYSYMBOL_IDENT ? "name" : "number", text);
    else
        len += (size_t)snprintf(msg, sizeof msg, "unexpected %s", token_text(got, tok, sizeof tok));
    if (n > 0 && n <= MAX_LISTED) {
        for (int i = 0; i < n && len < sizeof msg; i++)
            len += (size_t)snprintf(msg + len, sizeof msg - len, "%s%s",
                                    i == 0 ? ", expected " : i == n - 1 ? " or " : ", ",
                                    token_text(expected[i], tok, sizeof tok));
    } else if (got == YYSYMBOL_YYEOF) {
        for (int i = 0; i < n; i++)
            if (strcmp(yysymbol_name(expected[i]), "'}'") == 0) {
                snprintf(msg + len, sizeof msg - len, "; is a `}` missing?");
                break;
            }
    }
    diag_error(ctx->diag, loc, "%s", msg);
    return 0;
}
