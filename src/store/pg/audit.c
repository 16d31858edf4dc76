/*
 * PostgreSQL: the audit chain. Several processes may append at once, so an append first
 * locks the head row (SELECT ... FOR UPDATE): appends queue on it, and each sees the hash
 * the one before it committed. The lock is held to the end of the caller's transaction.
 */
#include <string.h>

#include "store/pg/int.h"

static const char SQL_HEAD[] = "SELECT last_id, last_hash FROM audit_head WHERE singleton = 1";

enum bm_rc
pg_audit_head(struct bm_store *st, int64_t *last_id, unsigned char hash[BM_AUDIT_HASH_LEN],
              struct bm_err *err)
{
    PGresult *r = pq_run(st, SQL_HEAD, NULL, "audit head", err);

    if (r == NULL)
        return err->rc;
    if (PQntuples(r) == 1) {
        *last_id = pq_int(r, 0, 0);
        pq_blob(r, 0, 1, hash, BM_AUDIT_HASH_LEN);
    } else {
        *last_id = 0;
        memcpy(hash, bm_audit_genesis, BM_AUDIT_HASH_LEN);
    }
    PQclear(r);
    return BM_OK;
}

/* The head row exists from the first append on; creating it cannot race (ON CONFLICT). */
static const char SQL_HEAD_SEED[] =
    "INSERT INTO audit_head (singleton, last_id, last_hash) VALUES (1, 0, $1) "
    "ON CONFLICT (singleton) DO NOTHING";
static const char SQL_HEAD_LOCK[] =
    "SELECT last_id, last_hash FROM audit_head WHERE singleton = 1 FOR UPDATE";
static const char SQL_AUDIT_INSERT[] =
    "INSERT INTO audit_log (id, at, actor_id, actor, action, object_type, object_id, detail, "
    "prev_hash, hash) VALUES ($1::bigint, $2::bigint, $3::bigint, $4, $5, $6, $7, $8, $9, $10)";
static const char SQL_HEAD_SET[] =
    "UPDATE audit_head SET last_id = $1::bigint, last_hash = $2 WHERE singleton = 1";

enum bm_rc
pg_audit_append(struct bm_store *st, struct bm_audit_entry *e, struct bm_err *err)
{
    struct pq_args seed = {0}, a = {0}, h = {0};
    PGresult *r;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    pq_bytes(&seed, bm_audit_genesis, BM_AUDIT_HASH_LEN);
    rc = pq_exec(st, SQL_HEAD_SEED, &seed, "audit head seed", NULL, err);
    if (rc != BM_OK)
        return rc;
    if ((r = pq_run(st, SQL_HEAD_LOCK, NULL, "audit head lock", err)) == NULL)
        return err->rc;
    e->id = pq_int(r, 0, 0) + 1;
    pq_blob(r, 0, 1, e->prev_hash, BM_AUDIT_HASH_LEN);
    PQclear(r);
    bm_audit_seal(e);
    pq_i64(&a, e->id);
    pq_i64(&a, e->at);
    pq_i64(&a, e->actor_id);
    pq_str(&a, e->actor);
    pq_str(&a, e->action);
    pq_str(&a, e->object_type);
    pq_str(&a, e->object_id);
    pq_str(&a, e->detail);
    pq_bytes(&a, e->prev_hash, BM_AUDIT_HASH_LEN);
    pq_bytes(&a, e->hash, BM_AUDIT_HASH_LEN);
    rc = pq_exec(st, SQL_AUDIT_INSERT, &a, "audit insert", NULL, err);
    if (rc != BM_OK)
        return rc;
    pq_i64(&h, e->id);
    pq_bytes(&h, e->hash, BM_AUDIT_HASH_LEN);
    return pq_exec(st, SQL_HEAD_SET, &h, "audit head", NULL, err);
}

#define AUDIT_COLS "id, at, actor_id, actor, action, object_type, object_id, detail, prev_hash, hash"
static const char SQL_AUDIT_ASC[] =
    "SELECT " AUDIT_COLS " FROM audit_log WHERE id > $1::bigint ORDER BY id LIMIT $2::bigint";
static const char SQL_AUDIT_DESC[] =
    "SELECT " AUDIT_COLS " FROM audit_log WHERE id < $1::bigint ORDER BY id DESC LIMIT $2::bigint";

enum bm_rc
pg_audit_list(struct bm_store *st, int64_t cursor, bool newest_first, int limit,
              struct bm_arena *ar, struct bm_audit_entry **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc = BM_OK;
    int rows, i;

    *out = bm_arena_alloc(ar, sizeof(**out) * (size_t)(limit > 0 ? limit : 1));
    if (*out == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    pq_i64(&a, newest_first && cursor == 0 ? INT64_MAX : cursor);
    pq_i64(&a, limit);
    r = pq_run(st, newest_first ? SQL_AUDIT_DESC : SQL_AUDIT_ASC, &a, "audit list", err);
    if (r == NULL)
        return err->rc;
    rows = PQntuples(r);
    for (i = 0; rc == BM_OK && i < rows && i < limit; i++) {
        struct bm_audit_entry *e = &(*out)[i];
        e->id = pq_int(r, i, 0);
        e->at = pq_int(r, i, 1);
        e->actor_id = pq_int(r, i, 2);
        e->actor = pq_text(ar, r, i, 3);
        e->action = pq_text(ar, r, i, 4);
        e->object_type = pq_text(ar, r, i, 5);
        e->object_id = pq_text(ar, r, i, 6);
        e->detail = pq_text(ar, r, i, 7);
        pq_blob(r, i, 8, e->prev_hash, BM_AUDIT_HASH_LEN);
        pq_blob(r, i, 9, e->hash, BM_AUDIT_HASH_LEN);
        if (!e->actor || !e->action || !e->object_type || !e->object_id || !e->detail)
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    }
    *n = (size_t)i;
    PQclear(r);
    return rc;
}
