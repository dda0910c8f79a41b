/* parse_ctx.h - state shared by the lexer and parser of one file. */
#ifndef BR_PARSE_CTX_H
#define BR_PARSE_CTX_H
#include "ast.h"

typedef struct ParseCtx {
    Arena *arena;
    Diag *diag;
    int file;
    int line, col;          /* position of the next character */
    char *doc;              /* pending run of `//` comment lines, for the next declaration */
    int doc_line;           /* line of the last comment in `doc` */
    Module *module;         /* what the parser fills */
    Decl *last_decl;        /* tails of module->decls and ->imports: appends stay O(1) */
    Import *last_import;
    int depth;              /* nesting depth of brackets and blocks */
} ParseCtx;

/* Parses text (registered in diag as `file`) into module. Errors go to diag. */
void parse_module(ParseCtx *ctx, const char *text, size_t size);
/* The same, numbering text's lines from first_line (0: a line of
 * scaffolding before what diag shows as line 1). */
void parse_module_from(ParseCtx *ctx, const char *text, size_t size, int first_line);
#endif
