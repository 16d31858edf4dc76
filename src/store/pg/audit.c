/*
 * PostgreSQL: the audit chains, one per county. Several processes may append at once, so an
 * append first locks its county's head row (SELECT ... FOR UPDATE): appends of one county
 * queue on it, and each sees the hash the one before it committed; other counties do not
 * wait. The lock is held to the end of the caller's transaction.
 */
#include <stdio.h>
#include <string.h>

#include "store/pg/int.h"

static const char SQL_HEAD[] =
    "SELECT last_id, last_hash FROM audit_head WHERE county_code = $1";

enum bm_rc
pg_audit_head(struct bm_store *st, const char *county, int64_t *last_id,
              unsigned char hash[BM_AUDIT_HASH_LEN], struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;

    pq_str(&a, county);
    if ((r = pq_run(st, SQL_HEAD, &a, "audit head", err)) == NULL)
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

/* The entry's chain: given, else its actor's county, else the store's. */
#define CHAIN_OF                                                                            \
    "coalesce(nullif($1, ''), (SELECT nullif(county_code, '') FROM users WHERE id = "       \
    "$2::bigint), " BM_SQL_STORE_COUNTY ", '')"
/* A chain's head row exists from its first append on; creating it cannot race (ON CONFLICT). */
static const char SQL_HEAD_SEED[] =
    "INSERT INTO audit_head (county_code, last_id, last_hash) VALUES (" CHAIN_OF ", 0, $3) "
    "ON CONFLICT (county_code) DO NOTHING";
static const char SQL_HEAD_LOCK[] = "SELECT county_code, last_id, last_hash FROM audit_head "
                                    "WHERE county_code = " CHAIN_OF " FOR UPDATE";
static const char SQL_AUDIT_INSERT[] =
    "INSERT INTO audit_log (id, at, actor_id, actor, action, object_type, object_id, detail, "
    "prev_hash, hash, county_code) VALUES ($1::bigint, $2::bigint, $3::bigint, $4, $5, $6, $7, "
    "$8, $9, $10, $11)";
static const char SQL_HEAD_SET[] =
    "UPDATE audit_head SET last_id = $1::bigint, last_hash = $2 WHERE county_code = $3";

enum bm_rc
pg_audit_append(struct bm_store *st, struct bm_audit_entry *e, struct bm_err *err)
{
    char county[BM_AUDIT_COUNTY_MAX + 1];
    struct pq_args seed = {0}, lock = {0}, a = {0}, h = {0};
    PGresult *r;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    pq_str(&seed, e->county_code ? e->county_code : "");
    pq_i64(&seed, e->actor_id);
    pq_bytes(&seed, bm_audit_genesis, BM_AUDIT_HASH_LEN);
    rc = pq_exec(st, SQL_HEAD_SEED, &seed, "audit head seed", NULL, err);
    if (rc != BM_OK)
        return rc;
    pq_str(&lock, e->county_code ? e->county_code : "");
    pq_i64(&lock, e->actor_id);
    if ((r = pq_run(st, SQL_HEAD_LOCK, &lock, "audit head lock", err)) == NULL)
        return err->rc;
    if (PQntuples(r) != 1 || PQgetlength(r, 0, 0) > BM_AUDIT_COUNTY_MAX) {
        PQclear(r);
        return bm_err_set(err, BM_EINTERNAL, "审计链头记录损坏");
    }
    snprintf(county, sizeof(county), "%s", PQgetvalue(r, 0, 0));
    e->id = pq_int(r, 0, 1) + 1;
    pq_blob(r, 0, 2, e->prev_hash, BM_AUDIT_HASH_LEN);
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
    pq_str(&a, county);
    rc = pq_exec(st, SQL_AUDIT_INSERT, &a, "audit insert", NULL, err);
    if (rc != BM_OK)
        return rc;
    pq_i64(&h, e->id);
    pq_bytes(&h, e->hash, BM_AUDIT_HASH_LEN);
    pq_str(&h, county);
    return pq_exec(st, SQL_HEAD_SET, &h, "audit head", NULL, err);
}

static const char SQL_CHAINS[] =
    "SELECT county_code FROM audit_head UNION SELECT DISTINCT county_code FROM audit_log "
    "ORDER BY 1 LIMIT $1::bigint";

enum bm_rc
pg_audit_chains(struct bm_store *st, struct bm_arena *ar, const char ***out, size_t *n,
                struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc = BM_OK;
    int rows;

    *n = 0;
    *out = bm_arena_alloc(ar, sizeof(**out) * BM_AUDIT_CHAINS_MAX);
    if (*out == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    pq_i64(&a, BM_AUDIT_CHAINS_MAX);
    if ((r = pq_run(st, SQL_CHAINS, &a, "audit chains", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    for (int i = 0; rc == BM_OK && i < rows && i < BM_AUDIT_CHAINS_MAX; i++)
        if (((*out)[(*n)++] = pq_text(ar, r, i, 0)) == NULL)
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    PQclear(r);
    return rc;
}

#define AUDIT_COLS "id, at, actor_id, actor, action, object_type, object_id, detail, prev_hash, hash"
static const char SQL_AUDIT_ASC[] =
    "SELECT " AUDIT_COLS " FROM audit_log WHERE county_code = $3 AND id > $1::bigint "
    "ORDER BY id LIMIT $2::bigint";
static const char SQL_AUDIT_DESC[] =
    "SELECT " AUDIT_COLS " FROM audit_log WHERE county_code = $3 AND id < $1::bigint "
    "ORDER BY id DESC LIMIT $2::bigint";

enum bm_rc
pg_audit_list(struct bm_store *st, const char *county, int64_t cursor, bool newest_first, int limit,
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
    pq_str(&a, county);
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
