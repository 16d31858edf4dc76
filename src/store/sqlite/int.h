/*
 * Private to the SQLite backend: the connection struct, the statement cache and the
 * helpers every resource file uses. Nothing outside src/store/sqlite includes this.
 */
#ifndef BM_STORE_SQLITE_INT_H
#define BM_STORE_SQLITE_INT_H

#include <sqlite3.h>

#include "store/store.h"

#define SQ_STMT_CACHE 64

struct bm_store {
    sqlite3 *db;
    bool in_tx;
    struct {
        const char *sql; /* identity of the statement: the address of its static text */
        sqlite3_stmt *stmt;
    } cache[SQ_STMT_CACHE];
    int n_cache;
};

/*
 * Prepared statement for `sql` (a static string), prepared once per connection. The caller
 * binds, steps and ends with sq_done(), which resets and clears bindings.
 */
BM_MUST_CHECK enum bm_rc sq_prepare(struct bm_store *st, const char *sql, sqlite3_stmt **out,
                                    struct bm_err *err);
void sq_done(sqlite3_stmt *s);

/* Maps a SQLite result code to BM_EBUSY / BM_ECONFLICT / BM_EINTERNAL; logs the detail. */
enum bm_rc sq_fail(struct bm_store *st, int src, const char *what, struct bm_err *err);

/* Runs a prepared statement that returns no rows. */
BM_MUST_CHECK enum bm_rc sq_exec(struct bm_store *st, sqlite3_stmt *s, const char *what,
                                 struct bm_err *err);

/* Copies column text into the arena ("" for NULL); NULL only past the arena cap. */
const char *sq_text(struct bm_arena *a, sqlite3_stmt *s, int col);

/* The user columns every query that returns a user selects first (users u, org_units o). */
#define SQ_USER_COLS                                                                        \
    "u.id, u.username, u.display_name, u.phone, u.roles, coalesce(u.org_unit_id, 0), "     \
    "coalesce(o.path, ''), coalesce(o.name, ''), u.is_active, u.version, u.created_at, "   \
    "u.updated_at, u.last_login_at"
#define SQ_USER_NCOLS 13

/* Reads SQ_USER_COLS from the current row into `u` (text copied into the arena). */
BM_MUST_CHECK enum bm_rc sq_read_user(sqlite3_stmt *s, struct bm_arena *a, struct bm_user *u,
                                      struct bm_err *err);

/* Binds a C string as text (NULL binds ""). */
int sq_bind_text(sqlite3_stmt *s, int idx, const char *v);

/* Binds a LIKE prefix pattern: `prefix` with %, _ and \ escaped, then '%'. */
int sq_bind_prefix(sqlite3_stmt *s, int idx, const char *prefix, struct bm_arena *a);

#endif
