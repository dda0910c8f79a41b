/* json_loc.c - where each value of a parsed JSON document sits in its text.
 * jansson keeps no positions, so after a successful parse the text is walked
 * once more alongside the tree, recording (parent, key or index) -> offsets
 * of the key and of the value. Used only to place diagnostics. */
#include "import/json_loc.h"
#include <stdlib.h>
#include <string.h>

static void add(JsonLocs *m, const json_t *parent, const char *key, size_t index, long key_off, long val_off)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 256;
        JsonLoc *e = realloc(m->e, cap * sizeof *e);
        if (!e)
            return;
        m->e = e;
        m->cap = cap;
    }
    m->e[m->n++] = (JsonLoc){parent, key, index, key_off, val_off};
}

static size_t skip_ws(const char *t, size_t n, size_t p)
{
    while (p < n && (t[p] == ' ' || t[p] == '\t' || t[p] == '\n' || t[p] == '\r'))
        p++;
    return p;
}

/* Past a string starting at t[p] == '"'; the raw contents (escapes of
 * quotes and backslashes undone) go to buf. */
static size_t scan_string(const char *t, size_t n, size_t p, char *buf, size_t bsize)
{
    size_t k = 0;
    p++;
    while (p < n && t[p] != '"') {
        char ch = t[p];
        if (ch == '\\' && p + 1 < n) {
            p++;
            ch = t[p] == 'n' ? '\n' : t[p] == 't' ? '\t' : t[p];
        }
        if (buf && k + 1 < bsize)
            buf[k++] = ch;
        p++;
    }
    if (buf && bsize)
        buf[k] = 0;
    return p < n ? p + 1 : p;
}

static size_t scan_value(JsonLocs *m, const char *t, size_t n, size_t p, const json_t *v, int depth)
{
    p = skip_ws(t, n, p);
    if (p >= n || depth > 4096)
        return n;
    if (t[p] == '{') {
        p = skip_ws(t, n, p + 1);
        while (p < n && t[p] != '}') {
            char key[512];
            size_t key_off = p;
            p = scan_string(t, n, p, key, sizeof key);
            p = skip_ws(t, n, p);
            if (p < n && t[p] == ':')
                p++;
            p = skip_ws(t, n, p);
            json_t *child = NULL;
            const char *jkey = NULL;
            if (json_is_object(v)) {
                void *iter = json_object_iter_at((json_t *)v, key);
                if (iter) {
                    jkey = json_object_iter_key(iter);
                    child = json_object_iter_value(iter);
                }
            }
            if (jkey)
                add(m, v, jkey, 0, (long)key_off, (long)p);
            p = scan_value(m, t, n, p, child, depth + 1);
            p = skip_ws(t, n, p);
            if (p < n && t[p] == ',')
                p = skip_ws(t, n, p + 1);
            else
                break;
        }
        return p < n ? p + 1 : p;
    }
    if (t[p] == '[') {
        size_t i = 0;
        p = skip_ws(t, n, p + 1);
        while (p < n && t[p] != ']') {
            json_t *child = json_is_array(v) ? json_array_get(v, i) : NULL;
            add(m, v, NULL, i, -1, (long)p);
            p = scan_value(m, t, n, p, child, depth + 1);
            i++;
            p = skip_ws(t, n, p);
            if (p < n && t[p] == ',')
                p = skip_ws(t, n, p + 1);
            else
                break;
        }
        return p < n ? p + 1 : p;
    }
    if (t[p] == '"')
        return scan_string(t, n, p, NULL, 0);
    while (p < n && !strchr(",]} \t\r\n", t[p]))
        p++;
    return p;
}

void json_locs_build(JsonLocs *m, const char *text, size_t size, const json_t *root)
{
    memset(m, 0, sizeof *m);
    m->root_off = (long)skip_ws(text, size, 0);
    scan_value(m, text, size, 0, root, 0);
}

void json_locs_free(JsonLocs *m)
{
    free(m->e);
    memset(m, 0, sizeof *m);
}

long json_locs_find(const JsonLocs *m, const json_t *parent, const char *key, size_t index, int want_key)
{
    if (!parent)
        return m->root_off;
    for (size_t k = 0; k < m->n; k++) {
        const JsonLoc *e = &m->e[k];
        if (e->parent != parent)
            continue;
        if (key ? e->key && strcmp(e->key, key) == 0 : !e->key && e->index == index)
            return want_key && e->key_off >= 0 ? e->key_off : e->val_off;
    }
    return -1;
}

long json_locs_of(const JsonLocs *m, const json_t *value)
{
    if (!value)
        return m->root_off;
    for (size_t k = 0; k < m->n; k++) {
        const JsonLoc *e = &m->e[k];
        const json_t *child = e->key ? json_object_get(e->parent, e->key) : json_array_get(e->parent, e->index);
        if (child == value)
            return e->val_off;
    }
    return m->root_off;
}
