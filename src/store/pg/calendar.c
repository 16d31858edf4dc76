/*
 * PostgreSQL: the working-day calendar, one row per year and one per listed day (holidays
 * and adjusted working weekends). Mirrors sqlite/calendar.c.
 */
#include <string.h>

#include "store/pg/int.h"
#include "util/log.h"

static const char SQL_CAL_YEARS[] =
    "SELECT year, source, version, updated_at FROM calendar_years ORDER BY year LIMIT 64";
/* Days sort by year too: every listed day lies inside its own year. */
static const char SQL_CAL_DAYS[] =
    "SELECT year, day, kind, name FROM calendar_days ORDER BY day LIMIT 8000";

/* The years of `ys` that day rows belong to, and their entries, from the days result. */
static enum bm_rc
attach_days(const PGresult *r, struct bm_arena *ar, struct bm_cal_year *ys, size_t n,
            struct bm_err *err)
{
    int rows = PQntuples(r);
    size_t y = 0;

    for (int i = 0; i < rows; i++) {
        int64_t year = pq_int(r, i, 0);
        while (y < n && ys[y].year < year)
            y++;
        if (y == n || ys[y].year != year)
            return bm_err_set(err, BM_EINTERNAL, "数据存储出错"); /* foreign key holds */
        ys[y].n_entries++;
    }
    for (y = 0; y < n; y++) {
        ys[y].entries = bm_arena_alloc(ar, sizeof(*ys[y].entries) * (ys[y].n_entries + 1));
        if (ys[y].entries == NULL)
            return bm_err_set(err, BM_ETOOBIG, "结果过大");
        ys[y].n_entries = 0;
    }
    y = 0;
    for (int i = 0; i < rows; i++) {
        int64_t year = pq_int(r, i, 0);
        const char *kind = PQgetvalue(r, i, 2);
        struct bm_cal_entry *e;
        while (ys[y].year < year)
            y++;
        e = &ys[y].entries[ys[y].n_entries++];
        e->day = (bm_day)pq_int(r, i, 1);
        if (strcmp(kind, "off") == 0) {
            e->kind = BM_CAL_OFF;
        } else if (strcmp(kind, "work") == 0) {
            e->kind = BM_CAL_WORK;
        } else {
            bm_log(BM_LOG_ERROR, "store_error", "calendar day %d: unknown kind", (int)e->day);
            return bm_err_set(err, BM_EINTERNAL, "数据存储出错");
        }
        if ((e->name = pq_text(ar, r, i, 3)) == NULL)
            return bm_err_set(err, BM_ETOOBIG, "结果过大");
    }
    return BM_OK;
}

enum bm_rc
pg_calendar_load(struct bm_store *st, struct bm_arena *ar, struct bm_cal_year **out, size_t *n,
                 struct bm_err *err)
{
    PGresult *r;
    enum bm_rc rc = BM_OK;
    struct bm_cal_year *ys;
    size_t k = 0;
    int rows;

    if ((r = pq_run(st, SQL_CAL_YEARS, NULL, "calendar years", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    ys = bm_arena_alloc(ar, sizeof(*ys) * (size_t)(rows + 1));
    if (ys == NULL)
        rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    for (int i = 0; rc == BM_OK && i < rows; i++) {
        struct bm_cal_year *y = &ys[k++];
        memset(y, 0, sizeof(*y));
        y->year = (int)pq_int(r, i, 0);
        y->source = pq_text(ar, r, i, 1);
        y->version = pq_int(r, i, 2);
        y->updated_at = pq_int(r, i, 3);
        if (y->source == NULL)
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    }
    PQclear(r);
    if (rc != BM_OK)
        return rc;
    if ((r = pq_run(st, SQL_CAL_DAYS, NULL, "calendar days", err)) == NULL)
        return err->rc;
    rc = attach_days(r, ar, ys, k, err);
    PQclear(r);
    if (rc == BM_OK) {
        *out = ys;
        *n = k;
    }
    return rc;
}

static const char SQL_CAL_INSERT[] =
    "INSERT INTO calendar_years (year, source, version, updated_at) "
    "VALUES ($1::bigint, $2, 1, $3::bigint)";
static const char SQL_CAL_UPDATE[] =
    "UPDATE calendar_years SET source = $2, version = version + 1, updated_at = $3::bigint "
    "WHERE year = $1::bigint AND version = $4::bigint";
static const char SQL_CAL_DAYS_DELETE[] = "DELETE FROM calendar_days WHERE year = $1::bigint";
static const char SQL_CAL_DAY_INSERT[] =
    "INSERT INTO calendar_days (day, year, kind, name) VALUES ($1::bigint, $2::bigint, $3, $4)";

static const char SQL_CAL_STAMP[] = "SELECT coalesce(sum(version), 0) FROM calendar_years";

enum bm_rc
pg_calendar_stamp(struct bm_store *st, int64_t *stamp, struct bm_err *err)
{
    PGresult *r = pq_run(st, SQL_CAL_STAMP, NULL, "calendar stamp", err);

    if (r == NULL)
        return err->rc;
    *stamp = pq_int(r, 0, 0);
    PQclear(r);
    return BM_OK;
}

enum bm_rc
pg_calendar_put(struct bm_store *st, const struct bm_cal_year *y, int64_t version, int64_t now,
                struct bm_err *err)
{
    struct pq_args a = {0}, d = {0};
    int64_t changed = 0;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    pq_i64(&a, y->year);
    pq_str(&a, y->source);
    pq_i64(&a, now);
    if (version == 0) {
        rc = pq_exec(st, SQL_CAL_INSERT, &a, "calendar insert", NULL, err);
        if (rc == BM_ECONFLICT)
            return bm_err_set(err, BM_ECONFLICT, "该年度日历已存在");
    } else {
        pq_i64(&a, version);
        rc = pq_exec(st, SQL_CAL_UPDATE, &a, "calendar update", &changed, err);
        if (rc == BM_OK && changed == 0)
            rc = bm_err_set(err, BM_ESTALE, "该年度日历已被他人修改，请刷新后重试");
    }
    if (rc != BM_OK)
        return rc;
    pq_i64(&d, y->year);
    rc = pq_exec(st, SQL_CAL_DAYS_DELETE, &d, "calendar days delete", NULL, err);
    for (size_t i = 0; rc == BM_OK && i < y->n_entries; i++) {
        const struct bm_cal_entry *e = &y->entries[i];
        struct pq_args b = {0};
        pq_i64(&b, e->day);
        pq_i64(&b, y->year);
        pq_str(&b, e->kind == BM_CAL_WORK ? "work" : "off");
        pq_str(&b, e->name);
        rc = pq_exec(st, SQL_CAL_DAY_INSERT, &b, "calendar day insert", NULL, err);
    }
    return rc;
}
