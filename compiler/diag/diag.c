/* diag.c - rendering diagnostics with the offending source line and a caret. */
#include "diag.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void diag_init(Diag *d, FILE *out)
{
    memset(d, 0, sizeof *d);
    d->out = out;
    d->max_errors = 20;
}

void diag_free(Diag *d)
{
    for (int i = 0; i < d->nfiles; i++) {
        free(d->files[i].path);
        free(d->files[i].text);
    }
    free(d->files);
    memset(d, 0, sizeof *d);
}

static char *dup_bytes(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p) {
        fprintf(stderr, "brainc: out of memory\n");
        abort();
    }
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

int diag_add_file(Diag *d, const char *path, const char *text, size_t size)
{
    if (d->nfiles == d->capfiles) {
        d->capfiles = d->capfiles ? d->capfiles * 2 : 8;
        SourceFile *f = realloc(d->files, sizeof(SourceFile) * (size_t)d->capfiles);
        if (!f) {
            fprintf(stderr, "brainc: out of memory\n");
            abort();
        }
        d->files = f;
    }
    SourceFile *f = &d->files[d->nfiles];
    f->path = dup_bytes(path, strlen(path));
    f->text = dup_bytes(text, size);
    f->size = size;
    return d->nfiles++;
}

const char *diag_file_path(const Diag *d, int file)
{
    return file >= 0 && file < d->nfiles ? d->files[file].path : "<unknown>";
}

/* Finds the start of 1-based line `line`; NULL if the file is shorter. */
static const char *line_start(const SourceFile *f, int line)
{
    const char *p = f->text, *end = f->text + f->size;
    for (int l = 1; l < line; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return NULL;
        p = nl + 1;
    }
    return p;
}

/* Display columns of the bytes [s, s+n): UTF-8 continuation bytes take none. */
static int display_width(const char *s, int n)
{
    int w = 0;
    for (int i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            w++;
    return w;
}

int diag_loc_text(const Diag *d, Loc loc, char *buf, size_t size)
{
    if (loc.file < 0 || loc.file >= d->nfiles || loc.line < 1 || loc.col < 1 || size == 0)
        return 0;
    const SourceFile *f = &d->files[loc.file];
    const char *p = line_start(f, loc.line);
    if (!p)
        return 0;
    const char *end = f->text + f->size;
    if ((size_t)(end - p) < (size_t)loc.col - 1)
        return 0;
    p += loc.col - 1;
    size_t n = 0;
    while (p + n < end && n < (size_t)loc.len && n + 1 < size && p[n] != '\n')
        n++;
    memcpy(buf, p, n);
    buf[n] = 0;
    return n > 0;
}

static void print_source_line(Diag *d, Loc loc)
{
    const SourceFile *f = &d->files[loc.file];
    const char *p = line_start(f, loc.line);
    if (!p)
        return;
    const char *end = f->text + f->size;
    int n = 0;
    while (p + n < end && p[n] != '\n' && p[n] != '\r')
        n++;
    fprintf(d->out, "%5d | ", loc.line);
    for (int i = 0; i < n; i++)
        fputc(p[i] == '\t' ? ' ' : (p[i] == 0 ? ' ' : p[i]), d->out);
    fputs("\n      | ", d->out);
    int col = loc.col - 1;
    if (col > n)
        col = n;
    int pad = display_width(p, col);
    int len = loc.len > 0 ? loc.len : 1;
    if (col + len > n)
        len = n - col > 0 ? n - col : 1;
    int under = col < n ? display_width(p + col, len) : 1;
    fprintf(d->out, "%*s^", pad, "");
    for (int i = 1; i < under; i++)
        fputc('~', d->out);
    fputc('\n', d->out);
}

static void report(Diag *d, Loc loc, const char *kind, const char *fmt, va_list ap)
{
    if (loc.file >= 0 && loc.file < d->nfiles)
        fprintf(d->out, "%s:%d:%d: %s: ", d->files[loc.file].path, loc.line, loc.col, kind);
    else
        fprintf(d->out, "brainc: %s: ", kind);
    vfprintf(d->out, fmt, ap);
    fputc('\n', d->out);
    if (d->style == DIAG_HUMAN && loc.file >= 0 && loc.file < d->nfiles && loc.line > 0)
        print_source_line(d, loc);
}

/* Whether output of this message is suppressed by the error cap. */
static int capped(Diag *d)
{
    return d->max_errors > 0 && d->nerrors > d->max_errors;
}

void diag_error(Diag *d, Loc loc, const char *fmt, ...)
{
    d->nerrors++;
    if (capped(d)) {
        d->suppressed++;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    report(d, loc, "error", fmt, ap);
    va_end(ap);
}

void diag_warning(Diag *d, Loc loc, const char *fmt, ...)
{
    d->nwarnings++;
    if (capped(d))
        return;
    va_list ap;
    va_start(ap, fmt);
    report(d, loc, "warning", fmt, ap);
    va_end(ap);
}

void diag_note(Diag *d, Loc loc, const char *fmt, ...)
{
    if (capped(d))
        return;
    va_list ap;
    va_start(ap, fmt);
    report(d, loc, "note", fmt, ap);
    va_end(ap);
}

void diag_finish(Diag *d)
{
    if (d->suppressed)
        fprintf(d->out, "brainc: %d more error%s not shown (%d in all)\n", d->suppressed,
                d->suppressed == 1 ? "" : "s", d->nerrors);
    fflush(d->out);
}

/* Edit distance where swapping two adjacent letters counts as one edit
 * (optimal string alignment), so `tua` suggests `tau`. Names are short. */
static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return 1000;
    int rows[3][65]; /* rows i-2, i-1 and i, used cyclically */
    for (size_t j = 0; j <= lb; j++)
        rows[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int *cur = rows[i % 3], *prev = rows[(i - 1) % 3], *prev2 = rows[(i + 1) % 3];
        cur[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int best = prev[j - 1] + cost;
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < best)
                best = prev2[j - 2] + 1;
            cur[j] = best;
        }
    }
    return rows[la % 3][lb];
}

const char *diag_suggest(const char *name, const char *const *candidates, int n)
{
    const char *best = NULL;
    int best_d = 1000;
    int limit = (int)strlen(name) / 3;
    if (limit < 1)
        limit = 1;
    if (limit > 3)
        limit = 3;
    for (int i = 0; i < n; i++) {
        if (!candidates[i] || strcmp(candidates[i], name) == 0)
            continue;
        int dist = edit_distance(name, candidates[i]);
        if (dist <= limit && dist < best_d) {
            best_d = dist;
            best = candidates[i];
        }
    }
    return best;
}
