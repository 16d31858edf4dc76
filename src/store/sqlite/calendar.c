/*
 * SQLite: the working-day calendar, one table of years and one of listed days.
 */
#include <string.h>

#include "store/sqlite/int.h"

static const char SQL_YEARS[] =
    "SELECT year, source, version, updated_at FROM calendar_years ORDER BY year LIMIT 64";
static const char SQL_DAYS[] =
    "SELECT day, year, kind, name FROM calendar_days ORDER BY day LIMIT 8000";

enum bm_rc
sqlite_calendar_load(struct bm_store *st, struct bm_arena *a, struct bm_cal_year **out, size_t *n,
                     struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src = SQLITE_DONE;
    const size_t cap = 64;

    *n = 0;
    if ((*out = bm_arena_alloc(a, sizeof(**out) * cap)) == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    if ((rc = sq_prepare(st, SQL_YEARS, &s, err)) != BM_OK)
        return rc;
    while (rc == BM_OK && *n < cap && (src = sqlite3_step(s)) == SQLITE_ROW) {
        struct bm_cal_year *y = &(*out)[(*n)++];
        y->year = sqlite3_column_int(s, 0);
        y->source = sq_text(a, s, 1);
        y->version = sqlite3_column_int64(s, 2);
        y->updated_at = sqlite3_column_int64(s, 3);
        y->entries = bm_arena_alloc(a, sizeof(*y->entries) * BM_CAL_MAX_ENTRIES);
        if (y->source == NULL || y->entries == NULL)
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    }
    if (rc == BM_OK && src != SQLITE_DONE && src != SQLITE_ROW)
        rc = sq_fail(st, src, "calendar years", err);
    sq_done(s);
    if (rc != BM_OK || (rc = sq_prepare(st, SQL_DAYS, &s, err)) != BM_OK)
        return rc;
    while (rc == BM_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
        int year = sqlite3_column_int(s, 1);
        for (size_t i = 0; i < *n; i++) {
            struct bm_cal_year *y = &(*out)[i];
            struct bm_cal_entry *e;
            if (y->year != year || y->n_entries >= BM_CAL_MAX_ENTRIES)
                continue;
            e = &y->entries[y->n_entries++];
            e->day = (bm_day)sqlite3_column_int64(s, 0);
            e->kind = strcmp((const char *)sqlite3_column_text(s, 2), "work") == 0 ? BM_CAL_WORK
                                                                                  : BM_CAL_OFF;
            if ((e->name = sq_text(a, s, 3)) == NULL)
                rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
        }
    }
    if (rc == BM_OK && src != SQLITE_DONE)
        rc = sq_fail(st, src, "calendar days", err);
    sq_done(s);
    return rc;
}

static const char SQL_STAMP[] = "SELECT coalesce(sum(version), 0) FROM calendar_years";

enum bm_rc
sqlite_calendar_stamp(struct bm_store *st, int64_t *stamp, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_STAMP, &s, err);

    if (rc != BM_OK)
        return rc;
    if (sqlite3_step(s) == SQLITE_ROW)
        *stamp = sqlite3_column_int64(s, 0);
    else
        rc = sq_fail(st, sqlite3_errcode(sq_db(st)), "calendar stamp", err);
    sq_done(s);
    return rc;
}

static const char SQL_YEAR_INSERT[] =
    "INSERT INTO calendar_years (year, source, version, updated_at) VALUES (?1, ?2, 1, ?3)";
static const char SQL_YEAR_UPDATE[] =
    "UPDATE calendar_years SET source = ?2, version = version + 1, updated_at = ?3 "
    "WHERE year = ?1 AND version = ?4";
static const char SQL_DAYS_DELETE[] = "DELETE FROM calendar_days WHERE year = ?1";
static const char SQL_DAY_INSERT[] =
    "INSERT INTO calendar_days (day, year, kind, name) VALUES (?1, ?2, ?3, ?4)";

enum bm_rc
sqlite_calendar_put(struct bm_store *st, const struct bm_cal_year *y, int64_t version, int64_t now,
                    struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, version == 0 ? SQL_YEAR_INSERT : SQL_YEAR_UPDATE, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int(s, 1, y->year);
    sq_bind_text(s, 2, y->source);
    sqlite3_bind_int64(s, 3, now);
    if (version != 0)
        sqlite3_bind_int64(s, 4, version);
    rc = sq_exec(st, s, "calendar year", err);
    if (rc == BM_ECONFLICT)
        return bm_err_set(err, BM_ECONFLICT, "该年度日历已存在");
    if (rc != BM_OK)
        return rc;
    if (version != 0 && sqlite3_changes(sq_db(st)) == 0)
        return bm_err_set(err, BM_ESTALE, "日历已被他人修改，请刷新后重试");
    if ((rc = sq_prepare(st, SQL_DAYS_DELETE, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int(s, 1, y->year);
    if ((rc = sq_exec(st, s, "calendar days delete", err)) != BM_OK)
        return rc;
    if ((rc = sq_prepare(st, SQL_DAY_INSERT, &s, err)) != BM_OK)
        return rc;
    for (size_t i = 0; i < y->n_entries && rc == BM_OK; i++) {
        sqlite3_bind_int64(s, 1, y->entries[i].day);
        sqlite3_bind_int(s, 2, y->year);
        sq_bind_text(s, 3, y->entries[i].kind == BM_CAL_WORK ? "work" : "off");
        sq_bind_text(s, 4, y->entries[i].name);
        rc = sq_exec(st, s, "calendar day insert", err);
    }
    return rc;
}
