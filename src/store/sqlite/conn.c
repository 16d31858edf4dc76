/*
 * SQLite backend: connection set-up, statement cache, migrations, backup (write
 * transactions: tx.c).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store/like.h"
#include "store/sqlite/int.h"
#include "store/sqlite/mapvfs.h"
#include "util/embed.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/time.h"

extern const struct bm_embedded bm_migrations_sqlite[];

enum bm_rc
sq_fail(struct bm_store *st, int src, const char *what, struct bm_err *err)
{
    int prim = src & 0xff;

    if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED) {
        bm_log(BM_LOG_WARN, "store_busy", "%s: %s", what, sqlite3_errstr(src));
        if (err)
            err->retry_after_s = 1;
        return bm_err_set(err, BM_EBUSY, "数据库繁忙，请稍后重试");
    }
    if (src == SQLITE_CONSTRAINT_UNIQUE || src == SQLITE_CONSTRAINT_PRIMARYKEY)
        return bm_err_set(err, BM_ECONFLICT, "与现有数据重复");
    bm_metrics_store_error();
    bm_log(BM_LOG_ERROR, "store_error", "%s: %s (%s)", what,
           st && sq_db(st) ? sqlite3_errmsg(sq_db(st)) : "", sqlite3_errstr(src));
    return bm_err_set(err, BM_EINTERNAL, "数据存储出错");
}

enum bm_rc
sq_prepare(struct bm_store *st, const char *sql, sqlite3_stmt **out, struct bm_err *err)
{
    struct sq_store *c = sq_conn(st);
    int i, src;

    for (i = 0; i < c->n_cache; i++) {
        if (c->cache[i].sql == sql) {
            *out = c->cache[i].stmt;
            return BM_OK;
        }
    }
    if (c->n_cache == SQ_STMT_CACHE) {
        /* Full (case lists make a statement per filter shape): reuse the slot of an idle
         * statement, never one whose rows are being read. */
        for (i = SQ_STMT_CACHE - 1; i >= 0 && sqlite3_stmt_busy(c->cache[i].stmt); i--)
            ;
        BM_ASSERT(i >= 0);
        sqlite3_finalize(c->cache[i].stmt);
        c->cache[i].stmt = NULL;
        c->n_cache--;
        c->cache[i] = c->cache[c->n_cache];
        i = c->n_cache;
    }
    src = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &c->cache[i].stmt, NULL);
    if (src != SQLITE_OK)
        return sq_fail(st, src, "prepare", err);
    c->cache[i].sql = sql;
    c->n_cache++;
    *out = c->cache[i].stmt;
    return BM_OK;
}

void
sq_done(sqlite3_stmt *s)
{
    if (s != NULL) {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
    }
}

enum bm_rc
sq_exec(struct bm_store *st, sqlite3_stmt *s, const char *what, struct bm_err *err)
{
    int src;
    enum bm_rc rc;

    /* A write of its own (outside bm_store_begin) ends the request's read snapshot first: in
     * WAL mode a read transaction whose snapshot is no longer the newest cannot write. */
    if (st->in_read && !sqlite3_stmt_readonly(s))
        bm_store_read_end(st);
    src = sqlite3_step(s);
    rc = src == SQLITE_DONE || src == SQLITE_ROW ? BM_OK : sq_fail(st, src, what, err);
    sq_done(s);
    return rc;
}

const char *
sq_text(struct bm_arena *a, sqlite3_stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    return bm_arena_strndup(a, t ? (const char *)t : "", t ? (size_t)sqlite3_column_bytes(s, col) : 0);
}

int
sq_bind_text(sqlite3_stmt *s, int idx, const char *v)
{
    return sqlite3_bind_text(s, idx, v ? v : "", -1, SQLITE_TRANSIENT);
}

int
sq_bind_prefix(sqlite3_stmt *s, int idx, const char *prefix, struct bm_arena *a)
{
    const char *pat = bm_like_pattern(a, prefix, false);
    return pat ? sqlite3_bind_text(s, idx, pat, -1, SQLITE_TRANSIENT) : SQLITE_NOMEM;
}

static enum bm_rc
pragma(struct bm_store *st, const char *sql, struct bm_err *err)
{
    /* Constant text with no parameters; sqlite3_exec prepares it. */
    int src = sqlite3_exec(sq_db(st), sql, NULL, NULL, NULL);
    return src == SQLITE_OK ? BM_OK : sq_fail(st, src, sql, err);
}

enum bm_rc
bm_sqlite_open(const char *path, struct bm_store **out, struct bm_err *err)
{
    return sq_open_conn(path, false, out, err);
}

/* The read connections' VFS (mapvfs.c), or NULL: registered by configure_once. */
static const char *read_vfs;

/* Process-wide settings, before SQLite initialises itself on the first open. Without memory
 * statistics (which nothing reads) every allocation of every connection takes one global
 * mutex less: a few hundred per request, shared by all the server's threads. */
static void
configure_once(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    read_vfs = sq_mapvfs_register();
}

enum bm_rc
sq_open_conn(const char *path, bool is_writer, struct bm_store **out, struct bm_err *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    struct sq_store *sq;
    struct bm_store *st;
    enum bm_rc rc;
    int src;

    pthread_once(&once, configure_once);
    sq = bm_xcalloc(1, sizeof(*sq));
    st = &sq->base;
    st->ops = &bm_sqlite_ops;
    src = sqlite3_open_v2(path, &sq->db,
                          SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                          is_writer ? NULL : read_vfs);
    if (src != SQLITE_OK) {
        bm_log(BM_LOG_ERROR, "store_open", "%s: %s", path, sqlite3_errstr(src));
        rc = bm_err_set(err, BM_EINTERNAL, "无法打开数据库文件 %s", path);
        goto fail;
    }
    sqlite3_extended_result_codes(sq->db, 1);
    sqlite3_busy_timeout(sq->db, SQ_BUSY_TIMEOUT_MS);
    /* WAL: readers never block the writer. synchronous=NORMAL, with sqlite_commit syncing
     * the WAL itself (in groups) before it returns: an acknowledged commit survives power
     * loss, which is what "no acknowledged write is ever lost" needs. */
    rc = pragma(st, "PRAGMA journal_mode=WAL", err);
    if (rc == BM_OK)
        rc = pragma(st, "PRAGMA synchronous=NORMAL", err);
    if (rc == BM_OK)
        rc = pragma(st, "PRAGMA foreign_keys=ON", err);
    /* 8 MiB of page cache per connection (the server has six): with a million cases 32 MiB
     * each filled up to 128 MiB of RSS and read no faster, as the operating system caches the
     * file anyway (docs/performance.md). */
    if (rc == BM_OK)
        rc = pragma(st, "PRAGMA cache_size=-8192", err);
    if (rc == BM_OK && is_writer)
        rc = pragma(st, "PRAGMA temp_store=MEMORY", err);
    if (rc != BM_OK)
        goto fail;
    if (!is_writer)
        sq_writer_attach(sq, sqlite3_db_filename(sq->db, "main"));
    *out = st;
    return BM_OK;
fail:
    sqlite_close(st);
    return rc;
}

/* The pages that are not in the WAL straight from a memory map of the file that outlives
 * the transactions (mapvfs.c: read connections open through it, unmapped until this), as
 * far as SQLite maps (2 GiB in Debian's build; by copy beyond): 1 TiB asks for all of it.
 * Only the read connections come here; the write connection reads what it changes. */
void
sqlite_map_reads(struct bm_store *st)
{
    struct bm_err err = {0};

    if (read_vfs != NULL && pragma(st, "PRAGMA mmap_size=1099511627776", &err) != BM_OK)
        bm_log(BM_LOG_WARN, "store_mmap", "%s", err.message);
}

void
sqlite_close(struct bm_store *st)
{
    struct sq_store *sq = SQ(st);
    sqlite3_finalize(sq->copy_stmt);
    for (int i = 0; i < sq->n_cache; i++)
        sqlite3_finalize(sq->cache[i].stmt);
    if (sq->db != NULL)
        sqlite3_close_v2(sq->db);
    sq_writer_detach(sq);
    free(sq);
}

static const char SQL_PING[] = "SELECT count(*) FROM schema_migrations";

enum bm_rc
sqlite_ping(struct bm_store *st, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_PING, &s, err);
    return rc == BM_OK ? sq_exec(st, s, "ping", err) : rc;
}

static const char SQL_MIG_TABLE[] = "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                                    "applied_at INTEGER NOT NULL)";
static const char SQL_MIG_MAX[] = "SELECT coalesce(max(version), 0) FROM schema_migrations";
static const char SQL_MIG_ADD[] =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)";

enum bm_rc
sqlite_schema_version(struct bm_store *st, int *have, int *known, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = pragma(st, SQL_MIG_TABLE, err);

    if (rc == BM_OK)
        rc = sq_prepare(st, SQL_MIG_MAX, &s, err);
    if (rc != BM_OK)
        return rc;
    if (sqlite3_step(s) == SQLITE_ROW)
        *have = sqlite3_column_int(s, 0);
    else
        rc = sq_fail(st, sqlite3_errcode(sq_db(st)), "schema version", err);
    sq_done(s);
    *known = bm_embedded_count(bm_migrations_sqlite);
    return rc;
}

enum bm_rc
sqlite_migrate(struct bm_store *st, int *n_applied, struct bm_err *err)
{
    int have = 0, known = 0, src;
    sqlite3_stmt *s;
    enum bm_rc rc;

    *n_applied = 0;
    rc = bm_store_schema_version(st, &have, &known, err);
    if (rc != BM_OK)
        return rc;
    if (have > known)
        return bm_err_set(err, BM_ECONFLICT,
                          "数据库结构版本（%d）高于本程序所知的版本（%d），请升级 bianmin", have,
                          known);
    for (int v = have + 1; v <= known; v++) {
        const struct bm_embedded *m = &bm_migrations_sqlite[v - 1];
        rc = bm_store_begin(st, err);
        if (rc != BM_OK)
            return rc;
        src = sqlite3_exec(sq_db(st), m->text, NULL, NULL, NULL);
        if (src != SQLITE_OK) {
            rc = sq_fail(st, src, m->name, err);
            goto fail;
        }
        rc = sq_prepare(st, SQL_MIG_ADD, &s, err);
        if (rc != BM_OK)
            goto fail;
        sqlite3_bind_int(s, 1, v);
        sq_bind_text(s, 2, m->name);
        sqlite3_bind_int64(s, 3, bm_now());
        rc = sq_exec(st, s, "record migration", err);
        if (rc == BM_OK)
            rc = bm_store_commit(st, err);
        if (rc != BM_OK)
            goto fail;
        bm_log(BM_LOG_INFO, "migration_applied", "%s", m->name);
        (*n_applied)++;
    }
    return BM_OK;
fail:
    bm_store_rollback(st);
    return rc;
}

enum bm_rc
sqlite_backup(struct bm_store *st, const char *dest, struct bm_err *err)
{
    sqlite3 *to = NULL;
    sqlite3_backup *bk;
    int src;
    enum bm_rc rc = BM_OK;
    FILE *f;

    /* Refuse to overwrite: a backup must never clobber an earlier one by mistake. */
    if ((f = fopen(dest, "r")) != NULL) {
        fclose(f);
        return bm_err_set(err, BM_ECONFLICT, "目标文件 %s 已存在", dest);
    }
    src = sqlite3_open_v2(dest, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (src != SQLITE_OK) {
        rc = bm_err_set(err, BM_EINVAL, "无法创建备份文件 %s", dest);
        goto out;
    }
    bk = sqlite3_backup_init(to, "main", SQ(st)->db, "main");
    if (bk == NULL) {
        rc = sq_fail(st, sqlite3_errcode(to), "backup init", err);
        goto out;
    }
    /* Copy in steps so writers are not held off for the whole copy; a write in between
     * makes SQLite restart the copy from a consistent point. */
    do {
        src = sqlite3_backup_step(bk, 256);
        if (src == SQLITE_BUSY || src == SQLITE_LOCKED)
            sqlite3_sleep(20);
    } while (src == SQLITE_OK || src == SQLITE_BUSY || src == SQLITE_LOCKED);
    sqlite3_backup_finish(bk);
    if (src != SQLITE_DONE)
        rc = sq_fail(st, src, "backup", err);
out:
    sqlite3_close_v2(to);
    if (rc != BM_OK && to != NULL)
        (void)unlink(dest); /* no half-written backup that would block the next attempt */
    return rc;
}
