/* diag.h - source files, locations and diagnostics.
 * Library code reports here and counts errors; only main.c decides the exit
 * status. Messages render gcc-style: file:line:col: error: msg, the source
 * line, and a caret underline. */
#ifndef BR_DIAG_H
#define BR_DIAG_H
#include <stdio.h>
#include <stddef.h>

typedef struct Loc {
    int file;       /* index into Diag.files; -1 for "no location" */
    int line, col;  /* 1-based; col counts bytes */
    int len;        /* bytes to underline, at least 1 */
} Loc;

typedef struct SourceFile {
    char *path;
    char *text;     /* NUL-terminated copy of the file */
    size_t size;
} SourceFile;

typedef enum { DIAG_HUMAN, DIAG_PLAIN } DiagStyle;

typedef struct Diag {
    SourceFile *files;
    int nfiles, capfiles;
    int nerrors, nwarnings;
    int max_errors;     /* stop printing after this many errors; 0 = no cap */
    int suppressed;     /* errors counted but not printed past the cap */
    DiagStyle style;    /* PLAIN: no source line and caret (used by golden tests of notes) */
    FILE *out;
} Diag;

void diag_init(Diag *d, FILE *out);
void diag_free(Diag *d);
/* Registers a file whose text the caller owns no longer (copied). Returns its id. */
int diag_add_file(Diag *d, const char *path, const char *text, size_t size);
const char *diag_file_path(const Diag *d, int file);

void diag_error(Diag *d, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_warning(Diag *d, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A note attached to the previous error or warning (e.g. "first declared here"). */
void diag_note(Diag *d, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prints "N errors generated" style summary if there were errors past the cap. */
void diag_finish(Diag *d);

/* Copies the source text under loc (one line at most) into buf; 0 if unavailable. */
int diag_loc_text(const Diag *d, Loc loc, char *buf, size_t size);

/* Closest candidate to name by edit distance, or NULL if none is close. */
const char *diag_suggest(const char *name, const char *const *candidates, int n);

static inline Loc loc_none(void) { Loc l = {-1, 0, 0, 0}; return l; }
#endif
