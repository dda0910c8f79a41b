/* rt_sqlite.h - what the runtime's two SQLite files (checkpoints,
 * rt_checkpoint_db.c; recordings, rt_record_db.c) do alike. */
#ifndef RT_SQLITE_H
#define RT_SQLITE_H
#include <sqlite3.h>
#include <stdint.h>

/* The application id in the header of the SQLite file at path (a brainc
 * checkpoint or recording says which it is there): 0 when the file is
 * empty, -1 when it cannot be read or is not an SQLite file (errno ENOENT
 * when it does not exist). */
int64_t rt_sqlite_app_id(const char *path);

/* INSERT OR REPLACE of key = value into the table meta(key, value).
 * Returns SQLITE_DONE, or the SQLite error code. */
int rt_sqlite_put_meta(sqlite3 *db, const char *key, const char *value);
/* The same with an unsigned integer value, as decimal text. */
int rt_sqlite_put_meta_u64(sqlite3 *db, const char *key, uint64_t value);
#endif
