/* import_json.c - reading JSON with diagnostics: positions of values in the
 * source text (from json_loc), errors and warnings placed at a key or an
 * index, typed access to fields (number, integer, string; required or
 * optional), unknown keys warned about, and `_comment` keys written out as
 * // comments. */
#include "import/import_internal.h"
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- sources and diagnostics --------------------------------------------- */

static Loc loc_at(const Src *s, long off)
{
    Loc l = {s->file, 1, 1, 1};
    if (off < 0 || (size_t)off > s->size) return l;
    for (long k = 0; k < off; k++) {
        if (s->text[k] == '\n') {
            l.line++;
            l.col = 1;
        } else {
            l.col++;
        }
    }
    return l;
}

/* The place of parent[key] (or parent[index]); the key itself with want_key. */
Loc imp_where(const Src *s, const json_t *parent, const char *key, size_t index, int want_key)
{
    long off = json_locs_find(&s->locs, parent, key, index, want_key);
    if (off < 0) off = json_locs_of(&s->locs, parent);
    return loc_at(s, off);
}

static void verr(Imp *im, Loc loc, int warn, const char *fmt, va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (warn)
        diag_warning(im->diag, loc, "%s", msg);
    else
        diag_error(im->diag, loc, "%s", msg);
}

void imp_err_at(Imp *im, const Src *s, const json_t *parent, const char *key, size_t index,
                const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr(im, imp_where(s, parent, key, index, 0), 0, fmt, ap);
    va_end(ap);
}

void imp_warn_key(Imp *im, const Src *s, const json_t *parent, const char *key, const char *fmt,
                  ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr(im, imp_where(s, parent, key, 0, 1), 1, fmt, ap);
    va_end(ap);
}

/* ---- typed field access ----------------------------------------------------- */

/* The field key of obj in *v: 1 if present, 0 if absent and optional, -1
 * (reported) if absent and required. */
static int get_field(Imp *im, const Src *s, const json_t *obj, const char *key, int req,
                     const char *what, json_t **v)
{
    *v = json_object_get(obj, key);
    if (*v) return 1;
    if (!req) return 0;
    imp_err_at(im, s, obj, NULL, 0, "%s has no `%s` (required)", what, key);
    return -1;
}

/* A number field; returns 1 if present and valid, 0 if absent (dflt), -1 on error. */
int imp_get_num(Imp *im, const Src *s, const json_t *obj, const char *key, int req, double dflt,
                double *out, const char *what)
{
    json_t *v;
    *out = dflt;
    int present = get_field(im, s, obj, key, req, what, &v);
    if (present <= 0) return present;
    if (!json_is_number(v)) {
        imp_err_at(im, s, obj, key, 0, "`%s` of %s must be a number", key, what);
        return -1;
    }
    *out = json_number_value(v);
    return 1;
}

int imp_get_int(Imp *im, const Src *s, const json_t *obj, const char *key, int req, long dflt,
                long *out, const char *what)
{
    json_t *v;
    *out = dflt;
    int present = get_field(im, s, obj, key, req, what, &v);
    if (present <= 0) return present;
    /* 3.0 is a whole number too; both kinds get the same range check */
    int whole_real = json_is_real(v) && json_real_value(v) == floor(json_real_value(v));
    if (!json_is_integer(v) && !whole_real) {
        imp_err_at(im, s, obj, key, 0, "`%s` of %s must be a whole number", key, what);
        return -1;
    }
    double x = json_number_value(v); /* exact in the range kept */
    if (x > INT_MAX || x < INT_MIN) {
        imp_err_at(im, s, obj, key, 0, "`%s` of %s is too large", key, what);
        return -1;
    }
    *out = (long)x;
    return 1;
}

int imp_get_str(Imp *im, const Src *s, const json_t *obj, const char *key, int req,
                const char **out, const char *what)
{
    json_t *v;
    *out = NULL;
    int present = get_field(im, s, obj, key, req, what, &v);
    if (present <= 0) return present;
    if (!json_is_string(v)) {
        imp_err_at(im, s, obj, key, 0, "`%s` of %s must be a string", key, what);
        return -1;
    }
    *out = json_string_value(v);
    return 1;
}

int imp_is_comment_key(const char *k)
{
    return k[0] == '_';
}

/* Warns about every key of obj not in `known` (NULL-terminated) and not a
 * `_comment`-style key. */
void imp_check_keys(Imp *im, const Src *s, const json_t *obj, const char *const *known,
                    const char *what)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        int ok = imp_is_comment_key(k);
        for (int j = 0; !ok && known[j]; j++)
            ok = strcmp(known[j], k) == 0;
        if (!ok) imp_warn_key(im, s, obj, k, "unknown key `%s` in %s; it is not imported", k, what);
    }
}

/* `_comment` keys of obj as // lines (strings; other values as JSON). */
void imp_emit_comments(Buf *o, const json_t *obj, const char *indent)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        if (!imp_is_comment_key(k)) continue;
        char *dump = NULL;
        const char *text = json_is_string(v)
                               ? json_string_value(v)
                               : (dump = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY));
        if (!text) continue;
        const char *p = text;
        do {
            const char *nl = strchr(p, '\n');
            size_t n = nl ? (size_t)(nl - p) : strlen(p);
            if (strcmp(k, "_comment") == 0)
                imp_bput(o, "%s// %.*s\n", indent, (int)n, p);
            else
                imp_bput(o, "%s// %s: %.*s\n", indent, k, (int)n, p);
            p = nl ? nl + 1 : NULL;
        } while (p);
        free(dump);
    }
}

/* A free-text field as // lines of at most ~90 characters. */
void imp_emit_text(Buf *o, const char *text, const char *indent)
{
    const char *p = text;
    while (*p) {
        size_t n = strlen(p), cut = n;
        if (n > 88) {
            cut = 88;
            while (cut > 40 && p[cut] != ' ')
                cut--;
        }
        const char *nl = memchr(p, '\n', cut);
        if (nl) cut = (size_t)(nl - p);
        imp_bput(o, "%s// %.*s\n", indent, (int)cut, p);
        p += cut;
        while (*p == ' ' || *p == '\n')
            p++;
    }
}
