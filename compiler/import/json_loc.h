/* json_loc.h - byte offsets of the keys and values of a jansson tree in the
 * text it was parsed from (for diagnostics). */
#ifndef BR_JSON_LOC_H
#define BR_JSON_LOC_H
#include <jansson.h>
#include <stddef.h>

typedef struct JsonLoc {
    const json_t *parent;
    const char *key; /* NULL: array element `index` */
    size_t index;
    long key_off, val_off;
} JsonLoc;

typedef struct JsonLocs {
    JsonLoc *e;
    size_t n, cap;
    long root_off;
} JsonLocs;

void json_locs_build(JsonLocs *m, const char *text, size_t size, const json_t *root);
void json_locs_free(JsonLocs *m);
/* Offset of parent's member key (or element index): of the key itself with
 * want_key, else of the value; -1 if unknown. parent NULL: the root. */
long json_locs_find(const JsonLocs *m, const json_t *parent, const char *key, size_t index, int want_key);
/* Offset of an object or array value (not of the shared true/false/null). */
long json_locs_of(const JsonLocs *m, const json_t *value);
#endif
