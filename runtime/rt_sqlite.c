/* rt_sqlite.c - SQLite helpers shared by checkpoints and recordings
 * (rt_sqlite.h). */
#include "rt_sqlite.h"
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int64_t rt_sqlite_app_id(const char *path)
{
    unsigned char head[100];
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    if (n == 0)
        return 0;
    if (n < sizeof head || memcmp(head, "SQLite format 3", 16) != 0) {
        errno = 0;
        return -1;
    }
    /* The header's application_id: big-endian at offset 68. */
    return (int64_t)((uint32_t)head[68] << 24 | (uint32_t)head[69] << 16 | (uint32_t)head[70] << 8 | head[71]);
}

int rt_sqlite_put_meta(sqlite3 *db, const char *key, const char *value)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return rc;
}

int rt_sqlite_put_meta_u64(sqlite3 *db, const char *key, uint64_t value)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%" PRIu64, value);
    return rt_sqlite_put_meta(db, key, buf);
}
