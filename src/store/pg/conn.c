/*
 * PostgreSQL backend: connection, prepared-statement cache, parameter and result helpers,
 * transactions, migrations. One PGconn per struct bm_store, used by one thread at a time.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/like.h"
#include "store/pg/int.h"
#include "util/embed.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/time.h"

extern const struct bm_embedded bm_migrations_pg[];

/* Serialises migrations of several processes starting at once on one database. */
#define MIGRATION_LOCK_KEY 0x626d6967 /* "bmig" */

void
pq_i64(struct pq_args *a, int64_t v)
{
    BM_ASSERT(a->n < PQ_MAX_ARGS);
    snprintf(a->num[a->n], sizeof(a->num[0]), "%" PRId64, v);
    a->v[a->n] = a->num[a->n];
    a->len[a->n] = 0;
    a->fmt[a->n] = 0;
    a->n++;
}

void
pq_str(struct pq_args *a, const char *s)
{
    BM_ASSERT(a->n < PQ_MAX_ARGS);
    a->v[a->n] = s ? s : "";
    a->len[a->n] = 0;
    a->fmt[a->n] = 0;
    a->n++;
}

void
pq_bytes(struct pq_args *a, const unsigned char *p, int len)
{
    BM_ASSERT(a->n < PQ_MAX_ARGS);
    a->v[a->n] = (const char *)p;
    a->len[a->n] = len;
    a->fmt[a->n] = 1; /* binary: a bytea needs no escaping */
    a->n++;
}

static bool
lost(struct pq_store *pq)
{
    return PQstatus(pq->conn) != CONNECTION_OK;
}

/*
 * Session settings, sent on every (re)connection: text is UTF-8, a row lock is waited for
 * at most 5 s (then 503, retryable), notices are quiet, and bytea comes back as hex, which
 * pq_blob and the copy code read. (plan_cache_mode = force_custom_plan was tried against
 * generic plans cached while a table was tiny: it cut point-read throughput to a third, so
 * tables are analyzed after migrations instead, and autovacuum's ANALYZE refreshes plans.)
 */
static const char SQL_SESSION[] = "SET client_encoding = 'UTF8'; SET lock_timeout = '5s'; "
                                  "SET client_min_messages = warning; SET bytea_output = 'hex'";

static bool
session_settings(struct pq_store *pq)
{
    PGresult *r = PQexec(pq->conn, SQL_SESSION); /* constant text, no parameters */
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        bm_log(BM_LOG_ERROR, "store_error", "session settings: %s", PQresultErrorMessage(r));
    PQclear(r);
    return ok;
}

/* After a lost connection: reconnect, and forget statements prepared on the old one. */
static void
reconnect(struct pq_store *pq)
{
    PQreset(pq->conn);
    pq->n_cache = 0;
    pq->copy_table = NULL;
    pq->base.in_tx = false;
    if (PQstatus(pq->conn) == CONNECTION_OK)
        (void)session_settings(pq);
}

static enum bm_rc
fail(struct bm_store *st, PGresult *r, const char *what, struct bm_err *err)
{
    struct pq_store *pq = PQ(st);
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = r ? PQresultErrorMessage(r) : PQerrorMessage(pq->conn);

    if (state != NULL && strcmp(state, "23505") == 0)
        return bm_err_set(err, BM_ECONFLICT, "与现有数据重复");
    if ((state != NULL && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
                           strcmp(state, "55P03") == 0)) ||
        lost(pq)) {
        bm_log(BM_LOG_WARN, "store_busy", "%s: %s", what, msg);
        if (lost(pq))
            reconnect(pq);
        if (err)
            err->retry_after_s = 1;
        return bm_err_set(err, BM_EBUSY, "数据库繁忙或暂时不可用，请稍后重试");
    }
    bm_metrics_store_error();
    bm_log(BM_LOG_ERROR, "store_error", "%s: %s (SQLSTATE %s)", what, msg, state ? state : "-");
    return bm_err_set(err, BM_EINTERNAL, "数据存储出错");
}

static const char *
prepared(struct bm_store *st, const char *sql, int nargs, struct bm_err *err)
{
    struct pq_store *pq = PQ(st);
    PGresult *r;
    int i;

    for (i = 0; i < pq->n_cache; i++)
        if (pq->cache[i].sql == sql)
            return pq->cache[i].name;
    if (pq->n_cache == PQ_STMT_CACHE) {
        /* Full (case lists prepare one statement per filter shape): drop the last slot's.
         * The name is ours ("bmN"), not data. */
        char sql_dealloc[40];
        i = PQ_STMT_CACHE - 1;
        snprintf(sql_dealloc, sizeof(sql_dealloc), "DEALLOCATE %s", pq->cache[i].name);
        PQclear(PQexec(pq->conn, sql_dealloc));
        pq->n_cache--;
    }
    snprintf(pq->cache[i].name, sizeof(pq->cache[i].name), "bm%d", i);
    r = PQprepare(pq->conn, pq->cache[i].name, sql, nargs, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        (void)fail(st, r, "prepare", err);
        PQclear(r);
        return NULL;
    }
    PQclear(r);
    pq->cache[i].sql = sql;
    pq->n_cache++;
    return pq->cache[i].name;
}

PGresult *
pq_run(struct bm_store *st, const char *sql, const struct pq_args *args, const char *what,
       struct bm_err *err)
{
    static const struct pq_args none;
    const struct pq_args *a = args ? args : &none;
    const char *name = prepared(st, sql, a->n, err);
    PGresult *r;
    ExecStatusType s;

    if (name == NULL)
        return NULL;
    r = PQexecPrepared(PQ(st)->conn, name, a->n, a->v, a->len, a->fmt, 0);
    s = PQresultStatus(r);
    if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
        return r;
    (void)fail(st, r, what, err);
    PQclear(r);
    return NULL;
}

enum bm_rc
pq_exec(struct bm_store *st, const char *sql, const struct pq_args *args, const char *what,
        int64_t *changed, struct bm_err *err)
{
    PGresult *r = pq_run(st, sql, args, what, err);
    if (r == NULL)
        return err->rc;
    if (changed != NULL)
        *changed = strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    return BM_OK;
}

const char *
pq_text(struct bm_arena *a, const PGresult *r, int row, int col)
{
    return bm_arena_strndup(a, PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col));
}

int64_t
pq_int(const PGresult *r, int row, int col)
{
    return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

void
pq_blob(const PGresult *r, int row, int col, unsigned char *out, size_t len)
{
    const char *v = PQgetvalue(r, row, col);
    memset(out, 0, len);
    if ((size_t)PQgetlength(r, row, col) != 2 + 2 * len || v[0] != '\\' || v[1] != 'x')
        return; /* a wrong-sized value (tampering) reads as zeros and fails verification */
    if (bm_hex_decode(v + 2, out, len) != (int)len)
        memset(out, 0, len);
}

enum bm_rc
pq_read_user(const PGresult *r, int row, struct bm_arena *a, struct bm_user *u, struct bm_err *err)
{
    memset(u, 0, sizeof(*u));
    u->id = pq_int(r, row, 0);
    u->username = pq_text(a, r, row, 1);
    u->display_name = pq_text(a, r, row, 2);
    u->phone = pq_text(a, r, row, 3);
    u->roles = (unsigned)pq_int(r, row, 4);
    u->org_unit_id = pq_int(r, row, 5);
    u->org_path = pq_text(a, r, row, 6);
    u->org_name = pq_text(a, r, row, 7);
    u->is_active = pq_int(r, row, 8) != 0;
    u->version = pq_int(r, row, 9);
    u->created_at = pq_int(r, row, 10);
    u->updated_at = pq_int(r, row, 11);
    u->last_login_at = pq_int(r, row, 12);
    u->county_code = pq_text(a, r, row, 13);
    if (!u->county_code || !u->username || !u->display_name || !u->phone || !u->org_path || !u->org_name)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    return BM_OK;
}

const char *
pq_prefix(struct bm_arena *a, const char *prefix)
{
    return bm_like_pattern(a, prefix, false);
}

/* ---- connection ---- */

/* Server notices go to our log, not to stderr as raw text. */
static void
notice(void *arg, const char *message)
{
    (void)arg;
    bm_log(BM_LOG_DEBUG, "pg_notice", "%s", message);
}

enum bm_rc
bm_pg_open(const char *url, struct bm_store **out, struct bm_err *err)
{
    struct pq_store *pq = bm_xcalloc(1, sizeof(*pq));
    pq->base.ops = &bm_pg_ops;
    pq->url = bm_xstrdup(url);
    pq->conn = PQconnectdb(url);
    if (PQstatus(pq->conn) != CONNECTION_OK) {
        bm_log(BM_LOG_ERROR, "store_open", "postgres: %s", PQerrorMessage(pq->conn));
        pg_close(&pq->base);
        if (err)
            err->retry_after_s = 5;
        return bm_err_set(err, BM_EBUSY, "无法连接 PostgreSQL 数据库");
    }
    /* Constant settings, no parameters: instants are epoch integers, text is UTF-8. */
    PQsetNoticeProcessor(pq->conn, notice, NULL);
    if (!session_settings(pq)) {
        pg_close(&pq->base);
        return bm_err_set(err, BM_EINTERNAL, "数据库会话设置失败");
    }
    *out = &pq->base;
    return BM_OK;
}

void
pg_close(struct bm_store *st)
{
    struct pq_store *pq = PQ(st);
    PQfinish(pq->conn);
    free(pq->url);
    free(pq);
}

static const char SQL_BEGIN[] = "BEGIN";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";

enum bm_rc
pg_begin(struct bm_store *st, struct bm_err *err)
{
    enum bm_rc rc;

    BM_ASSERT(!st->in_tx);
    if (lost(PQ(st)))
        reconnect(PQ(st)); /* a connection lost between requests comes back here */
    rc = pq_exec(st, SQL_BEGIN, NULL, "begin", NULL, err);
    if (rc == BM_OK)
        st->in_tx = true;
    return rc;
}

enum bm_rc
pg_commit(struct bm_store *st, struct bm_err *err)
{
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    rc = pq_exec(st, SQL_COMMIT, NULL, "commit", NULL, err);
    st->in_tx = false;
    return rc;
}

void
pg_rollback(struct bm_store *st)
{
    struct bm_err e;

    if (!st->in_tx)
        return;
    st->in_tx = false;
    bm_err_clear(&e);
    if (pq_exec(st, SQL_ROLLBACK, NULL, "rollback", NULL, &e) != BM_OK)
        return; /* logged there; a lost connection is reset on its next use */
}

static const char SQL_PING[] = "SELECT 1";

enum bm_rc
pg_ping(struct bm_store *st, struct bm_err *err)
{
    if (lost(PQ(st)))
        reconnect(PQ(st));
    return pq_exec(st, SQL_PING, NULL, "ping", NULL, err);
}

void
pg_tune_for_batch(struct bm_store *st)
{
    PGresult *r = PQexec(PQ(st)->conn, "SET plan_cache_mode = force_custom_plan"); /* constant */
    PQclear(r);
}

enum bm_rc
pg_backup(struct bm_store *st, const char *dest, struct bm_err *err)
{
    (void)st;
    (void)dest;
    return bm_err_set(err, BM_EINVAL,
                      "PostgreSQL 存储请用 pg_dump 或数据库服务器的备份机制备份（见 docs/operations.md）");
}

/* ---- migrations ---- */

static const char SQL_MIG_TABLE[] = "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                    "version BIGINT PRIMARY KEY, name TEXT NOT NULL, "
                                    "applied_at BIGINT NOT NULL)";
static const char SQL_MIG_EXISTS[] = "SELECT to_regclass('schema_migrations') IS NOT NULL";
static const char SQL_MIG_MAX[] = "SELECT coalesce(max(version), 0) FROM schema_migrations";
static const char SQL_MIG_LOCK[] = "SELECT pg_advisory_xact_lock($1::bigint)";
static const char SQL_MIG_ADD[] =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)";

static enum bm_rc
current_version(struct bm_store *st, int *have, struct bm_err *err)
{
    PGresult *r = pq_run(st, SQL_MIG_MAX, NULL, "schema version", err);
    if (r == NULL)
        return err->rc;
    *have = (int)pq_int(r, 0, 0);
    PQclear(r);
    return BM_OK;
}

/* Reads only (works on a replica): an empty database is at version 0. */
enum bm_rc
pg_schema_version(struct bm_store *st, int *have, int *known, struct bm_err *err)
{
    PGresult *r = pq_run(st, SQL_MIG_EXISTS, NULL, "schema version", err);
    bool exists;

    *known = bm_embedded_count(bm_migrations_pg);
    if (r == NULL)
        return err->rc;
    exists = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    *have = 0;
    return exists ? current_version(st, have, err) : BM_OK;
}

enum bm_rc
pg_migrate(struct bm_store *st, int *n_applied, struct bm_err *err)
{
    int have = 0, known = 0;
    struct pq_args a = {0};
    enum bm_rc rc;

    *n_applied = 0;
    rc = pg_schema_version(st, &have, &known, err);
    if (rc != BM_OK)
        return rc;
    if (have > known)
        return bm_err_set(err, BM_ECONFLICT,
                          "数据库结构版本（%d）高于本程序所知的版本（%d），请升级 bianmin", have,
                          known);
    pq_i64(&a, MIGRATION_LOCK_KEY);
    if (have == 0) {
        /* Create the bookkeeping table under the lock: two processes starting on an empty
         * database would otherwise race on CREATE TABLE IF NOT EXISTS. */
        PGresult *r;
        rc = pg_begin(st, err);
        if (rc == BM_OK)
            rc = pq_exec(st, SQL_MIG_LOCK, &a, "migration lock", NULL, err);
        if (rc == BM_OK) {
            r = PQexec(PQ(st)->conn, SQL_MIG_TABLE); /* constant DDL */
            if (PQresultStatus(r) != PGRES_COMMAND_OK)
                rc = fail(st, r, "schema_migrations", err);
            PQclear(r);
        }
        if (rc == BM_OK)
            rc = pg_commit(st, err);
        if (rc != BM_OK)
            goto fail;
    }
    while (have < known) {
        const struct bm_embedded *m = &bm_migrations_pg[have];
        struct pq_args add = {0};
        PGresult *r;

        rc = pg_begin(st, err);
        if (rc == BM_OK)
            rc = pq_exec(st, SQL_MIG_LOCK, &a, "migration lock", NULL, err);
        /* Another process may have applied it while we waited for the lock. */
        if (rc == BM_OK)
            rc = current_version(st, &have, err);
        if (rc != BM_OK)
            goto fail;
        if (have > known) {
            rc = bm_err_set(err, BM_ECONFLICT,
                            "数据库结构版本（%d）高于本程序所知的版本（%d），请升级 bianmin", have,
                            known);
            goto fail;
        }
        if (have >= known || have != (int)(m - bm_migrations_pg)) {
            pg_rollback(st);
            continue;
        }
        r = PQexec(PQ(st)->conn, m->text); /* embedded text, no parameters */
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            rc = fail(st, r, m->name, err);
            PQclear(r);
            goto fail;
        }
        PQclear(r);
        pq_i64(&add, have + 1);
        pq_str(&add, m->name);
        pq_i64(&add, bm_now());
        rc = pq_exec(st, SQL_MIG_ADD, &add, "record migration", NULL, err);
        if (rc == BM_OK)
            rc = pg_commit(st, err);
        if (rc != BM_OK)
            goto fail;
        bm_log(BM_LOG_INFO, "migration_applied", "%s", m->name);
        (*n_applied)++;
        have++;
    }
    if (*n_applied > 0) {
        /* Fresh statistics, so that plans are not made for empty tables. */
        PGresult *r = PQexec(PQ(st)->conn, "ANALYZE"); /* constant, no parameters */
        PQclear(r);
    }
    return BM_OK;
fail:
    pg_rollback(st);
    return rc;
}
