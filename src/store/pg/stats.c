/*
 * PostgreSQL: the case statistics summary table (the logic is in ../stats.c).
 */
#include <stdlib.h>
#include <string.h>

#include "store/pg/int.h"
#include "util/buf.h"

static const char SQL_SNAP[] = BM_SQL_STAT_CASE "WHERE c.id = $1::bigint";
/* All cases, a page at a time by id, so that a big store is never held in memory at once. */
static const char SQL_SCAN[] = BM_SQL_STAT_CASE "WHERE c.id > $1::bigint ORDER BY c.id LIMIT 5000";
static const char SQL_ADD[] = BM_SQL_STAT_UPSERT("$");
static const char SQL_STORED[] =
    "SELECT " BM_SQL_STAT_KEY ", " BM_SQL_STAT_COUNTERS ", days FROM case_stats";
static const char SQL_DAYS_GET[] = BM_SQL_STAT_DAYS_GET("$", "::bigint");
static const char SQL_DAYS_SET[] = BM_SQL_STAT_DAYS_SET("$", "::bigint");
static const char SQL_UNIT_NAMES[] = BM_SQL_STAT_UNIT_NAMES("$");
static const char SQL_ITEM_NAMES[] = BM_SQL_STAT_ITEM_NAMES("$");
static const char SQL_CLEAR[] = "DELETE FROM case_stats";
static const char *const SQL_BY[BM_STAT_DIM_COUNT] = BM_SQL_STAT_QUERIES("$", "::bigint");

static enum bm_rc
read_snap(const PGresult *r, int row, struct bm_stat_snap *out, struct bm_err *err)
{
    const char *county = PQgetvalue(r, row, 0), *ap = PQgetvalue(r, row, 1),
               *hp = PQgetvalue(r, row, 2);
    int status = bm_code_find(bm_case_statuses, PQgetvalue(r, row, 5));
    enum bm_rc rc = bm_stat_snap_init(out, county, ap, hp, err);

    if (rc != BM_OK)
        return rc;
    if (status < 0)
        return bm_err_set(err, BM_EINTERNAL, "办件统计数据损坏");
    out->c.item_id = pq_int(r, row, 3);
    out->c.online = strcmp(PQgetvalue(r, row, 4), "online") == 0;
    out->c.status = (enum bm_case_status)status;
    out->c.submitted_at = pq_int(r, row, 6);
    out->c.decided_at = pq_int(r, row, 7);
    out->c.closed_at = pq_int(r, row, 8);
    out->c.accept_day = (bm_day)pq_int(r, row, 9);
    out->c.due_day = (bm_day)pq_int(r, row, 10);
    out->c.used_days = (int)pq_int(r, row, 11);
    out->c.visits = (int)pq_int(r, row, 12);
    out->c.rating_level = (int)pq_int(r, row, 13);
    out->c.rated_at = pq_int(r, row, 14);
    return BM_OK;
}

enum bm_rc
pg_stat_snap(struct bm_store *st, int64_t case_id, struct bm_stat_snap *out, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc;

    pq_i64(&a, case_id);
    if ((r = pq_run(st, SQL_SNAP, &a, "case stat snapshot", err)) == NULL)
        return err->rc;
    rc = PQntuples(r) == 1 ? read_snap(r, 0, out, err)
                           : bm_err_set(err, BM_ENOTFOUND, "办件不存在");
    PQclear(r);
    return rc;
}

enum bm_rc
pg_stat_scan(struct bm_store *st, bm_stat_snap_fn fn, void *ctx, struct bm_err *err)
{
    struct bm_stat_snap snap;
    int64_t after = 0;
    enum bm_rc rc = BM_OK;

    for (;;) {
        struct pq_args a = {0};
        PGresult *r;
        int n;

        pq_i64(&a, after);
        if ((r = pq_run(st, SQL_SCAN, &a, "case stat scan", err)) == NULL)
            return err->rc;
        n = PQntuples(r);
        for (int row = 0; rc == BM_OK && row < n; row++)
            if ((rc = read_snap(r, row, &snap, err)) == BM_OK)
                rc = fn(ctx, &snap, err);
        if (n > 0)
            after = pq_int(r, n - 1, 15);
        PQclear(r);
        if (rc != BM_OK || n < 5000)
            return rc;
    }
}

static void
args_key(struct pq_args *a, const char *county, const struct bm_stat_key *k)
{
    pq_str(a, county);
    pq_i64(a, k->is_month);
    pq_i64(a, k->period);
    pq_i64(a, k->town_id);
    pq_i64(a, k->dept_id);
    pq_i64(a, k->item_id);
    pq_i64(a, k->online);
}

/* The histogram in column `col`: NULL and anything malformed read as empty. */
static const unsigned char *
days_of(struct bm_arena *a, const PGresult *r, int row, int col, size_t *len)
{
    const unsigned char *d = NULL;

    *len = 0;
    if (!PQgetisnull(r, row, col) && (d = pq_blob_dup(a, r, row, col, len)) == NULL)
        *len = 0;
    return d;
}

enum bm_rc
pg_stat_add(struct bm_store *st, const char *county, const struct bm_stat_delta *d,
            struct bm_err *err)
{
    struct pq_args a = {0};

    BM_ASSERT(st->in_tx);
    args_key(&a, county, &d->key);
    for (int c = 0; c < BM_STAT_COUNT; c++)
        pq_i64(&a, d->n[c]);
    return pq_exec(st, SQL_ADD, &a, "case stat add", NULL, err);
}

enum bm_rc
pg_stat_days_get(struct bm_store *st, const char *county, const struct bm_stat_key *k,
                 unsigned char *buf, size_t *len, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    unsigned char *d;
    size_t n = 0;

    *len = 0;
    args_key(&a, county, k);
    if ((r = pq_run(st, SQL_DAYS_GET, &a, "case stat days", err)) == NULL)
        return err->rc;
    if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 0) &&
        (d = pq_content_dup(r, 0, 0, &n)) != NULL) {
        if (n <= BM_STAT_HIST_MAX && n % 4 == 0) {
            memcpy(buf, d, n);
            *len = n;
        }
        free(d);
    }
    PQclear(r);
    return BM_OK;
}

enum bm_rc
pg_stat_days_set(struct bm_store *st, const char *county, const struct bm_stat_key *k,
                 const unsigned char *buf, size_t len, struct bm_err *err)
{
    struct pq_args a = {0};

    BM_ASSERT(st->in_tx);
    args_key(&a, county, k);
    pq_bytes(&a, buf, (int)len);
    return pq_exec(st, SQL_DAYS_SET, &a, "case stat days", NULL, err); /* empty: an empty bytea */
}

enum bm_rc
pg_stat_names(struct bm_store *st, const char *county, bool items, struct bm_arena *a,
              struct bm_stat_name **out, size_t *n, struct bm_err *err)
{
    struct pq_args args = {0};
    PGresult *r;
    int rows;

    *out = NULL;
    *n = 0;
    pq_str(&args, county);
    if ((r = pq_run(st, items ? SQL_ITEM_NAMES : SQL_UNIT_NAMES, &args, "case stat names",
                    err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    if (rows > 0 && (*out = bm_arena_alloc(a, (size_t)rows * sizeof(**out))) == NULL) {
        PQclear(r);
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    }
    for (int i = 0; i < rows; i++) {
        (*out)[i] = (struct bm_stat_name){.id = pq_int(r, i, 0), .code = pq_text(a, r, i, 1),
                                          .name = pq_text(a, r, i, 2)};
        if ((*out)[i].code == NULL || (*out)[i].name == NULL) {
            PQclear(r);
            return bm_err_set(err, BM_ETOOBIG, "结果过大");
        }
    }
    *n = (size_t)rows;
    PQclear(r);
    return BM_OK;
}

enum bm_rc
pg_stat_stored(struct bm_store *st, bm_stat_row_fn fn, void *ctx, struct bm_err *err)
{
    struct bm_stat_delta d;
    PGresult *r = pq_run(st, SQL_STORED, NULL, "case stats read", err);
    unsigned char *days;
    size_t len;
    enum bm_rc rc = BM_OK;

    if (r == NULL)
        return err->rc;
    for (int row = 0; rc == BM_OK && row < PQntuples(r); row++) {
        memset(&d, 0, sizeof(d));
        d.key.is_month = pq_int(r, row, 1) != 0;
        d.key.period = (bm_day)pq_int(r, row, 2);
        d.key.town_id = pq_int(r, row, 3);
        d.key.dept_id = pq_int(r, row, 4);
        d.key.item_id = pq_int(r, row, 5);
        d.key.online = pq_int(r, row, 6) != 0;
        for (int c = 0; c < BM_STAT_COUNT; c++)
            d.n[c] = pq_int(r, row, 7 + c);
        len = 0;
        days = PQgetisnull(r, row, 7 + BM_STAT_COUNT)
                   ? NULL
                   : pq_content_dup(r, row, 7 + BM_STAT_COUNT, &len);
        rc = fn(ctx, PQgetvalue(r, row, 0), &d, days, days != NULL ? len : 0, err);
        free(days);
    }
    PQclear(r);
    return rc;
}

enum bm_rc
pg_stat_clear(struct bm_store *st, struct bm_err *err)
{
    BM_ASSERT(st->in_tx);
    return pq_exec(st, SQL_CLEAR, NULL, "case stats clear", NULL, err);
}

enum bm_rc
pg_stat_range(struct bm_store *st, const struct bm_stats_query *q, const struct bm_stat_range *r,
              struct bm_arena *a, struct bm_stat_row **out, size_t *n, struct bm_err *err)
{
    struct pq_args args = {0};
    PGresult *res;
    int rows;

    *out = NULL;
    *n = 0;
    if ((unsigned)q->dim >= BM_STAT_DIM_COUNT)
        return bm_err_set(err, BM_EINVAL, "未知的统计维度");
    pq_str(&args, q->county_code);
    pq_i64(&args, r->is_month);
    pq_i64(&args, r->lo);
    pq_i64(&args, r->hi);
    pq_i64(&args, q->unit_id);
    if ((res = pq_run(st, SQL_BY[q->dim], &args, "case stats query", err)) == NULL)
        return err->rc;
    rows = PQntuples(res);
    if ((size_t)rows * sizeof(**out) > BM_STATS_MAX_BYTES) {
        PQclear(res);
        return bm_err_set(err, BM_ETOOBIG, "统计结果过大，请缩小时间范围");
    }
    if (rows > 0 && (*out = bm_arena_alloc(a, (size_t)rows * sizeof(**out))) == NULL) {
        PQclear(res);
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    }
    for (int i = 0; i < rows; i++) {
        struct bm_stat_row *row = &(*out)[i];
        memset(row, 0, sizeof(*row));
        row->key = pq_int(res, i, 0);
        row->code = row->name = "";
        for (int c = 0; c < BM_STAT_COUNT; c++)
            row->n[c] = pq_int(res, i, 1 + c);
        row->days = days_of(a, res, i, 1 + BM_STAT_COUNT, &row->days_len);
    }
    *n = (size_t)rows;
    PQclear(res);
    return BM_OK;
}
