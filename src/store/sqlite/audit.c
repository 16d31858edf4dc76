/*
 * SQLite: the audit chains, one per county. Appends run inside the caller's write
 * transaction, which holds SQLite's single write lock, so reading a head and inserting after
 * it cannot race.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "store/sqlite/int.h"

static const char SQL_HEAD[] = "SELECT last_id, last_hash FROM audit_head WHERE county_code = ?1";

enum bm_rc
sqlite_audit_head(struct bm_store *st, const char *county, int64_t *last_id,
                  unsigned char hash[BM_AUDIT_HASH_LEN], struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_HEAD, &s, err);
    int src;

    if (rc != BM_OK)
        return rc;
    sq_bind_text(s, 1, county);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW && sqlite3_column_bytes(s, 1) == BM_AUDIT_HASH_LEN) {
        *last_id = sqlite3_column_int64(s, 0);
        memcpy(hash, sqlite3_column_blob(s, 1), BM_AUDIT_HASH_LEN);
    } else if (src == SQLITE_DONE) {
        *last_id = 0;
        memcpy(hash, bm_audit_genesis, BM_AUDIT_HASH_LEN);
    } else if (src == SQLITE_ROW) {
        rc = bm_err_set(err, BM_EINTERNAL, "审计链头记录损坏");
    } else {
        rc = sq_fail(st, src, "audit head", err);
    }
    sq_done(s);
    return rc;
}

/* The entry's chain (given, else its actor's county, else the store's) and that chain's head. */
static const char SQL_CHAIN[] =
    "SELECT c.code, h.last_id, h.last_hash FROM (SELECT coalesce(nullif(?1, ''), "
    "(SELECT nullif(county_code, '') FROM users WHERE id = ?2), " BM_SQL_STORE_COUNTY
    ", '') AS code) c LEFT JOIN audit_head h ON h.county_code = c.code";
static const char SQL_AUDIT_INSERT[] =
    "INSERT INTO audit_log (county_code, id, at, actor_id, actor, action, object_type, "
    "object_id, detail, prev_hash, hash) VALUES (?11, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
static const char SQL_HEAD_SET[] =
    "INSERT INTO audit_head (county_code, last_id, last_hash) VALUES (?3, ?1, ?2) "
    "ON CONFLICT (county_code) DO UPDATE SET last_id = excluded.last_id, "
    "last_hash = excluded.last_hash";

enum bm_rc
sqlite_audit_append(struct bm_store *st, struct bm_audit_entry *e, struct bm_err *err)
{
    char county[BM_AUDIT_COUNTY_MAX + 1];
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_CHAIN, &s, err)) != BM_OK)
        return rc;
    sq_bind_text(s, 1, e->county_code ? e->county_code : "");
    sqlite3_bind_int64(s, 2, e->actor_id);
    src = sqlite3_step(s);
    if (src != SQLITE_ROW) {
        rc = sq_fail(st, src, "audit chain", err);
    } else if (sqlite3_column_bytes(s, 0) > BM_AUDIT_COUNTY_MAX ||
               (sqlite3_column_type(s, 2) != SQLITE_NULL &&
                sqlite3_column_bytes(s, 2) != BM_AUDIT_HASH_LEN)) {
        rc = bm_err_set(err, BM_EINTERNAL, "审计链头记录损坏");
    } else {
        snprintf(county, sizeof(county), "%s", (const char *)sqlite3_column_text(s, 0));
        e->id = sqlite3_column_int64(s, 1) + 1; /* NULL reads as 0: a new chain */
        memcpy(e->prev_hash,
               sqlite3_column_type(s, 2) == SQLITE_NULL ? bm_audit_genesis
                                                        : sqlite3_column_blob(s, 2),
               BM_AUDIT_HASH_LEN);
    }
    sq_done(s);
    if (rc != BM_OK)
        return rc;
    bm_audit_seal(e);
    rc = sq_prepare(st, SQL_AUDIT_INSERT, &s, err);
    if (rc != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, e->id);
    sqlite3_bind_int64(s, 2, e->at);
    sqlite3_bind_int64(s, 3, e->actor_id);
    sq_bind_text(s, 4, e->actor);
    sq_bind_text(s, 5, e->action);
    sq_bind_text(s, 6, e->object_type);
    sq_bind_text(s, 7, e->object_id);
    sq_bind_text(s, 8, e->detail);
    sqlite3_bind_blob(s, 9, e->prev_hash, BM_AUDIT_HASH_LEN, SQLITE_TRANSIENT);
    sqlite3_bind_blob(s, 10, e->hash, BM_AUDIT_HASH_LEN, SQLITE_TRANSIENT);
    sq_bind_text(s, 11, county);
    rc = sq_exec(st, s, "audit insert", err);
    if (rc != BM_OK)
        return rc;
    rc = sq_prepare(st, SQL_HEAD_SET, &s, err);
    if (rc != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, e->id);
    sqlite3_bind_blob(s, 2, e->hash, BM_AUDIT_HASH_LEN, SQLITE_TRANSIENT);
    sq_bind_text(s, 3, county);
    return sq_exec(st, s, "audit head", err);
}

static const char SQL_CHAINS[] =
    "SELECT county_code FROM audit_head UNION SELECT DISTINCT county_code FROM audit_log "
    "ORDER BY 1 LIMIT ?1";

enum bm_rc
sqlite_audit_chains(struct bm_store *st, struct bm_arena *a, const char ***out, size_t *n,
                    struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src = SQLITE_DONE;

    *n = 0;
    *out = bm_arena_alloc(a, sizeof(**out) * BM_AUDIT_CHAINS_MAX);
    if (*out == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    if ((rc = sq_prepare(st, SQL_CHAINS, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int(s, 1, BM_AUDIT_CHAINS_MAX);
    while (rc == BM_OK && (src = sqlite3_step(s)) == SQLITE_ROW)
        if (((*out)[(*n)++] = sq_text(a, s, 0)) == NULL)
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    if (rc == BM_OK && src != SQLITE_DONE)
        rc = sq_fail(st, src, "audit chains", err);
    sq_done(s);
    return rc;
}

#define AUDIT_COLS "id, at, actor_id, actor, action, object_type, object_id, detail, prev_hash, hash"
static const char SQL_AUDIT_ASC[] = "SELECT " AUDIT_COLS
                                    " FROM audit_log WHERE county_code = ?3 AND id > ?1 "
                                    "ORDER BY id LIMIT ?2";
static const char SQL_AUDIT_DESC[] = "SELECT " AUDIT_COLS
                                     " FROM audit_log WHERE county_code = ?3 AND id < ?1 "
                                     "ORDER BY id DESC LIMIT ?2";

static void
blob32(sqlite3_stmt *s, int col, unsigned char out[BM_AUDIT_HASH_LEN])
{
    /* A wrong-sized blob (tampering) reads as zeros and then fails verification. */
    memset(out, 0, BM_AUDIT_HASH_LEN);
    if (sqlite3_column_bytes(s, col) == BM_AUDIT_HASH_LEN)
        memcpy(out, sqlite3_column_blob(s, col), BM_AUDIT_HASH_LEN);
}

enum bm_rc
sqlite_audit_list(struct bm_store *st, const char *county, int64_t cursor, bool newest_first,
                  int limit, struct bm_arena *a, struct bm_audit_entry **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    size_t i = 0;
    int src = SQLITE_DONE;

    *out = bm_arena_alloc(a, sizeof(**out) * (size_t)(limit > 0 ? limit : 1));
    if (*out == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    rc = sq_prepare(st, newest_first ? SQL_AUDIT_DESC : SQL_AUDIT_ASC, &s, err);
    if (rc != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, newest_first && cursor == 0 ? INT64_MAX : cursor);
    sqlite3_bind_int(s, 2, limit);
    sq_bind_text(s, 3, county);
    while (rc == BM_OK && (int)i < limit && (src = sqlite3_step(s)) == SQLITE_ROW) {
        struct bm_audit_entry *e = &(*out)[i++];
        e->id = sqlite3_column_int64(s, 0);
        e->at = sqlite3_column_int64(s, 1);
        e->actor_id = sqlite3_column_int64(s, 2);
        e->actor = sq_text(a, s, 3);
        e->action = sq_text(a, s, 4);
        e->object_type = sq_text(a, s, 5);
        e->object_id = sq_text(a, s, 6);
        e->detail = sq_text(a, s, 7);
        blob32(s, 8, e->prev_hash);
        blob32(s, 9, e->hash);
        if (!e->actor || !e->action || !e->object_type || !e->object_id || !e->detail)
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    }
    if (rc == BM_OK && (int)i < limit && src != SQLITE_DONE)
        rc = sq_fail(st, src, "audit list", err);
    sq_done(s);
    *n = i;
    return rc;
}
