/*
 * SQLite: the case statistics summary table (the logic is in ../stats.c).
 */
#include <string.h>

#include "store/sqlite/int.h"
#include "util/buf.h"

static const char SQL_SNAP[] = BM_SQL_STAT_CASE "WHERE c.id = ?1";
static const char SQL_SCAN[] = BM_SQL_STAT_CASE;
static const char SQL_ADD[] = BM_SQL_STAT_UPSERT("?");
static const char SQL_STORED[] =
    "SELECT " BM_SQL_STAT_KEY ", " BM_SQL_STAT_COUNTERS ", days FROM case_stats";
static const char SQL_DAYS_GET[] = BM_SQL_STAT_DAYS_GET("?", "");
static const char SQL_DAYS_SET[] = BM_SQL_STAT_DAYS_SET("?", "");
static const char SQL_UNIT_NAMES[] = BM_SQL_STAT_UNIT_NAMES("?");
static const char SQL_ITEM_NAMES[] = BM_SQL_STAT_ITEM_NAMES("?");
static const char SQL_CLEAR[] = "DELETE FROM case_stats";
static const char *const SQL_BY[BM_STAT_DIM_COUNT] = BM_SQL_STAT_QUERIES("?", "");

static enum bm_rc
read_snap(sqlite3_stmt *s, struct bm_stat_snap *out, struct bm_err *err)
{
    const char *county = (const char *)sqlite3_column_text(s, 0);
    const char *ap = (const char *)sqlite3_column_text(s, 1);
    const char *hp = (const char *)sqlite3_column_text(s, 2);
    int status = bm_code_find(bm_case_statuses, (const char *)sqlite3_column_text(s, 5));
    enum bm_rc rc = bm_stat_snap_init(out, county, ap, hp, err);

    if (rc != BM_OK)
        return rc;
    if (status < 0)
        return bm_err_set(err, BM_EINTERNAL, "办件统计数据损坏");
    out->c.item_id = sqlite3_column_int64(s, 3);
    out->c.online = strcmp((const char *)sqlite3_column_text(s, 4), "online") == 0;
    out->c.status = (enum bm_case_status)status;
    out->c.submitted_at = sqlite3_column_int64(s, 6);
    out->c.decided_at = sqlite3_column_int64(s, 7);
    out->c.closed_at = sqlite3_column_int64(s, 8);
    out->c.accept_day = (bm_day)sqlite3_column_int64(s, 9);
    out->c.due_day = (bm_day)sqlite3_column_int64(s, 10);
    out->c.used_days = sqlite3_column_int(s, 11);
    out->c.visits = sqlite3_column_int(s, 12);
    out->c.rating_level = sqlite3_column_int(s, 13);
    out->c.rated_at = sqlite3_column_int64(s, 14);
    return BM_OK;
}

enum bm_rc
sqlite_stat_snap(struct bm_store *st, int64_t case_id, struct bm_stat_snap *out,
                 struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src;

    if ((rc = sq_prepare(st, SQL_SNAP, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, case_id);
    if ((src = sqlite3_step(s)) == SQLITE_ROW)
        rc = read_snap(s, out, err);
    else if (src == SQLITE_DONE)
        rc = bm_err_set(err, BM_ENOTFOUND, "办件不存在");
    else
        rc = sq_fail(st, src, "case stat snapshot", err);
    sq_done(s);
    return rc;
}

enum bm_rc
sqlite_stat_scan(struct bm_store *st, bm_stat_snap_fn fn, void *ctx, struct bm_err *err)
{
    struct bm_stat_snap snap;
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src;

    if ((rc = sq_prepare(st, SQL_SCAN, &s, err)) != BM_OK)
        return rc;
    while (rc == BM_OK && (src = sqlite3_step(s)) == SQLITE_ROW)
        if ((rc = read_snap(s, &snap, err)) == BM_OK)
            rc = fn(ctx, &snap, err);
    if (rc == BM_OK && src != SQLITE_DONE)
        rc = sq_fail(st, src, "case stat scan", err);
    sq_done(s);
    return rc;
}

static void
bind_key(sqlite3_stmt *s, const char *county, const struct bm_stat_key *k)
{
    sq_bind_text(s, 1, county);
    sqlite3_bind_int(s, 2, k->is_month);
    sqlite3_bind_int64(s, 3, k->period);
    sqlite3_bind_int64(s, 4, k->town_id);
    sqlite3_bind_int64(s, 5, k->dept_id);
    sqlite3_bind_int64(s, 6, k->item_id);
    sqlite3_bind_int(s, 7, k->online);
}

enum bm_rc
sqlite_stat_add(struct bm_store *st, const char *county, const struct bm_stat_delta *d,
                struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_ADD, &s, err)) != BM_OK)
        return rc;
    bind_key(s, county, &d->key);
    for (int c = 0; c < BM_STAT_COUNT; c++)
        sqlite3_bind_int64(s, 8 + c, d->n[c]);
    return sq_exec(st, s, "case stat add", err);
}

enum bm_rc
sqlite_stat_days_get(struct bm_store *st, const char *county, const struct bm_stat_key *k,
                     unsigned char *buf, size_t *len, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src, n;

    *len = 0;
    if ((rc = sq_prepare(st, SQL_DAYS_GET, &s, err)) != BM_OK)
        return rc;
    bind_key(s, county, k);
    if ((src = sqlite3_step(s)) == SQLITE_ROW) {
        n = sqlite3_column_bytes(s, 0);
        if (n > 0 && n <= BM_STAT_HIST_MAX && n % 4 == 0) {
            memcpy(buf, sqlite3_column_blob(s, 0), (size_t)n);
            *len = (size_t)n;
        }
    } else if (src != SQLITE_DONE) {
        rc = sq_fail(st, src, "case stat days", err);
    }
    sq_done(s);
    return rc;
}

enum bm_rc
sqlite_stat_days_set(struct bm_store *st, const char *county, const struct bm_stat_key *k,
                     const unsigned char *buf, size_t len, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_DAYS_SET, &s, err)) != BM_OK)
        return rc;
    bind_key(s, county, k);
    if (len > 0)
        sqlite3_bind_blob(s, 8, buf, (int)len, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, 8);
    return sq_exec(st, s, "case stat days", err);
}

enum bm_rc
sqlite_stat_names(struct bm_store *st, const char *county, bool items, struct bm_arena *a,
                  struct bm_stat_name **out, size_t *n, struct bm_err *err)
{
    struct bm_buf names;
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src;

    *out = NULL;
    *n = 0;
    if ((rc = sq_prepare(st, items ? SQL_ITEM_NAMES : SQL_UNIT_NAMES, &s, err)) != BM_OK)
        return rc;
    bm_buf_init(&names, BM_STATS_MAX_BYTES);
    sq_bind_text(s, 1, county);
    while (rc == BM_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
        struct bm_stat_name nm = {.id = sqlite3_column_int64(s, 0), .code = sq_text(a, s, 1),
                                  .name = sq_text(a, s, 2)};
        if (nm.code == NULL || nm.name == NULL || bm_buf_append(&names, &nm, sizeof(nm)) != BM_OK)
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    }
    if (rc == BM_OK && src != SQLITE_DONE)
        rc = sq_fail(st, src, "case stat names", err);
    sq_done(s);
    if (rc == BM_OK && names.len > 0) {
        if ((*out = bm_arena_alloc(a, names.len)) == NULL)
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
        else {
            memcpy(*out, names.ptr, names.len);
            *n = names.len / sizeof(**out);
        }
    }
    bm_buf_fini(&names);
    return rc;
}

enum bm_rc
sqlite_stat_stored(struct bm_store *st, bm_stat_row_fn fn, void *ctx, struct bm_err *err)
{
    struct bm_stat_delta d;
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src;

    if ((rc = sq_prepare(st, SQL_STORED, &s, err)) != BM_OK)
        return rc;
    while (rc == BM_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
        memset(&d, 0, sizeof(d));
        d.key.is_month = sqlite3_column_int(s, 1) != 0;
        d.key.period = (bm_day)sqlite3_column_int64(s, 2);
        d.key.town_id = sqlite3_column_int64(s, 3);
        d.key.dept_id = sqlite3_column_int64(s, 4);
        d.key.item_id = sqlite3_column_int64(s, 5);
        d.key.online = sqlite3_column_int(s, 6) != 0;
        for (int c = 0; c < BM_STAT_COUNT; c++)
            d.n[c] = sqlite3_column_int64(s, 7 + c);
        rc = fn(ctx, (const char *)sqlite3_column_text(s, 0), &d,
                sqlite3_column_blob(s, 7 + BM_STAT_COUNT),
                (size_t)sqlite3_column_bytes(s, 7 + BM_STAT_COUNT), err);
    }
    if (rc == BM_OK && src != SQLITE_DONE)
        rc = sq_fail(st, src, "case stats read", err);
    sq_done(s);
    return rc;
}

enum bm_rc
sqlite_stat_clear(struct bm_store *st, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_CLEAR, &s, err)) != BM_OK)
        return rc;
    return sq_exec(st, s, "case stats clear", err);
}

enum bm_rc
sqlite_stat_range(struct bm_store *st, const struct bm_stats_query *q,
                  const struct bm_stat_range *r, struct bm_arena *a, struct bm_stat_row **out,
                  size_t *n, struct bm_err *err)
{
    struct bm_buf rows;
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src;

    *out = NULL;
    *n = 0;
    if ((unsigned)q->dim >= BM_STAT_DIM_COUNT)
        return bm_err_set(err, BM_EINVAL, "未知的统计维度");
    if ((rc = sq_prepare(st, SQL_BY[q->dim], &s, err)) != BM_OK)
        return rc;
    bm_buf_init(&rows, BM_STATS_MAX_BYTES);
    sq_bind_text(s, 1, q->county_code);
    sqlite3_bind_int(s, 2, r->is_month);
    sqlite3_bind_int64(s, 3, r->lo);
    sqlite3_bind_int64(s, 4, r->hi);
    sqlite3_bind_int64(s, 5, q->unit_id);
    while (rc == BM_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
        struct bm_stat_row row = {.key = sqlite3_column_int64(s, 0), .code = "", .name = ""};
        int len = sqlite3_column_bytes(s, 1 + BM_STAT_COUNT);
        for (int c = 0; c < BM_STAT_COUNT; c++)
            row.n[c] = sqlite3_column_int64(s, 1 + c);
        if (len > 0) {
            unsigned char *days = bm_arena_alloc(a, (size_t)len);
            if (days == NULL) {
                rc = bm_err_set(err, BM_ETOOBIG, "统计结果过大，请缩小时间范围");
                break;
            }
            memcpy(days, sqlite3_column_blob(s, 1 + BM_STAT_COUNT), (size_t)len);
            row.days = days;
            row.days_len = (size_t)len;
        }
        if (bm_buf_append(&rows, &row, sizeof(row)) != BM_OK)
            rc = bm_err_set(err, BM_ETOOBIG, "统计结果过大，请缩小时间范围");
    }
    if (rc == BM_OK && src != SQLITE_DONE)
        rc = sq_fail(st, src, "case stats query", err);
    sq_done(s);
    /* The rows stay where they are: the arena frees them with itself. */
    if (rc == BM_OK && rows.len > 0) {
        size_t len = 0;
        char *p = bm_buf_detach(&rows, &len);
        if (bm_arena_defer(a, free, p) != BM_OK) {
            free(p);
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
        } else {
            *out = (struct bm_stat_row *)(void *)p;
            *n = len / sizeof(**out);
        }
    }
    bm_buf_fini(&rows);
    return rc;
}
