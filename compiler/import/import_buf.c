/* import_buf.c - the importer's output: a growing text buffer (imp_bput), the
 * shortest decimal text of a double (imp_num), and JSON names turned into
 * .brain identifiers (invalid characters replaced, keywords prefixed). */
#include "import/import_internal.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- output buffer ------------------------------------------------------ */

void imp_bput(Buf *b, const char *fmt, ...)
{
    if (b->oom) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->oom = 1;
            return;
        }
        if (b->p && b->n + (size_t)k < b->cap) {
            b->n += (size_t)k;
            return;
        }
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + (size_t)k + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
}

/* Shortest decimal text that reads back as the same double. */
const char *imp_num(char buf[40], double v)
{
    if (v == 0) return "0";
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(buf, 40, "%.0f", v);
        return buf;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, 40, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) break;
    }
    return buf;
}

/* ---- names ---------------------------------------------------------------- */

static const char *const keywords[] = {
    "import", "neuron", "synapse", "component", "brain", "world", "body", "curriculum", "for",
    "state", "input", "let", "spike", "when", "refractory", "hold", "integrate", "update", "decay",
    "on", "pre", "post", "reward", "deliver", "to", "gap", "via", "prune", "connect", "in", "out",
    "preset", "layer", "wire", "layout", "timestep", "stimulus", "from", "until", "record", "every",
    "sense", "act", "sensor", "motor", "measure", "teacher", "checkpoint", "stage", "lesson",
    "ticks", "exam", "set", "if", "then", "else", "and", "or", "not", "true", "false",
    "probability", "fanin", "fanout", "one_to_one", "all_to_all", "per", "instance", "delay", "as",
    "at", "t", "dt", "i",
    /* models of std.im8 and std.synapses */
    "im8_izh", "im8_izh_modulated", "gated_modulated", "modulator_count", "fixed", "plastic",
    "facilitating", "depressing", "gated", "reward_plastic", "developmental", "gap_junction",
    "stdp", "RS", "FS", "IB", "CH", "LTS", "TC", "RZ", NULL};

/* name as a .brain identifier: invalid characters become `_`, a leading
 * digit or a keyword gets the prefix. */
char *imp_identifier(Arena *a, const char *name, const char *prefix)
{
    size_t n = strlen(name);
    char *s = arena_alloc(a, n + strlen(prefix) + 2);
    int bad = n == 0 || (name[0] >= '0' && name[0] <= '9');
    for (int k = 0; keywords[k]; k++)
        if (strcmp(keywords[k], name) == 0) bad = 1;
    size_t j = 0;
    if (bad) {
        strcpy(s, prefix);
        j = strlen(prefix);
    }
    for (size_t k = 0; k < n; k++) {
        char ch = name[k];
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                 ch == '_';
        s[j++] = ok ? ch : '_';
    }
    s[j] = 0;
    return s;
}
