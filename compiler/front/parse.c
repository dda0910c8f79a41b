/* parse.c - runs the Flex scanner and Bison parser over one file's text. */
#include "parse_ctx.h"
#include "parser.h"
#define YYSTYPE BR_YYSTYPE
#define YYLTYPE BR_YYLTYPE
#include "lexer.h"

void parse_module(ParseCtx *ctx, const char *text, size_t size)
{
    parse_module_from(ctx, text, size, 1);
}

void parse_module_from(ParseCtx *ctx, const char *text, size_t size, int first_line)
{
    yyscan_t scanner;
    ctx->line = first_line;
    ctx->col = 1;
    if (br_yylex_init_extra(ctx, &scanner) != 0) {
        diag_error(ctx->diag, loc_none(), "cannot start the scanner");
        return;
    }
    YY_BUFFER_STATE buf = br_yy_scan_bytes(text, (int)size, scanner);
    br_yyparse(scanner, ctx);
    br_yy_delete_buffer(buf, scanner);
    br_yylex_destroy(scanner);
}
