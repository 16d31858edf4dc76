/*
 * SQLite: township performance evaluation (绩效考核): indicator systems and their trees,
 * periods and their townships, inputs (manual, survey, department ratings, frozen platform
 * figures), the platform's figures of a township, vetoes, results, public comments and
 * follow-ups. Mirrors pg/evaluation.c.
 */
#include <string.h>

#include "store/sqlite/int.h"

#define USER_COUNTY(param) "(SELECT county_code FROM users WHERE id = " param ")"
#define PERIOD_COUNTY(param) "(SELECT county_code FROM eval_periods WHERE id = " param ")"

static enum bm_rc
too_big(struct bm_err *err)
{
    return bm_err_set(err, BM_ETOOBIG, "结果过大");
}

/* Text of a column into the arena; clears *ok past the arena cap. */
static const char *
txt(struct bm_arena *a, sqlite3_stmt *s, int col, bool *ok)
{
    const char *t = sq_text(a, s, col);
    if (t == NULL)
        *ok = false;
    return t ? t : "";
}

static void
bind_day(sqlite3_stmt *s, int idx, bm_day d)
{
    if (d == BM_DAY_NONE)
        sqlite3_bind_null(s, idx);
    else
        sqlite3_bind_int64(s, idx, d);
}

static bm_day
day_at(sqlite3_stmt *s, int col)
{
    return sqlite3_column_type(s, col) == SQLITE_NULL ? BM_DAY_NONE
                                                      : (bm_day)sqlite3_column_int64(s, col);
}

/* Runs a prepared UPDATE and reports whether it changed a row. */
static enum bm_rc
exec_changed(struct bm_store *st, sqlite3_stmt *s, const char *what, bool *changed,
             struct bm_err *err)
{
    enum bm_rc rc = sq_exec(st, s, what, err);
    *changed = rc == BM_OK && sqlite3_changes(sq_db(st)) > 0;
    return rc;
}

/* After an UPDATE ... AND version = ? changed nothing: stale, or not there at all. */
static enum bm_rc
stale_or_missing(struct bm_store *st, const char *sql_exists, int64_t id, const char *missing,
                 struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, sql_exists, &s, err);
    int src;

    if (rc != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    src = sqlite3_step(s);
    sq_done(s);
    if (src == SQLITE_ROW)
        return bm_err_set(err, BM_ESTALE, "数据已被他人修改，请刷新后重试");
    if (src == SQLITE_DONE)
        return bm_err_set(err, BM_ENOTFOUND, "%s", missing);
    return sq_fail(st, src, "exists", err);
}

/* ---- plans ---- */

static const char SQL_PLAN_INSERT[] =
    "INSERT INTO eval_plans (county_code, year, township_type, name, excellent_e4, good_e4, "
    "pass_e4, survey_share_e4, created_by, created_at, updated_at) VALUES (" USER_COUNTY("?8")
    ", ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)";
static const char SQL_IND_INSERT[] =
    "INSERT INTO eval_indicators (county_code, plan_id, ord, code, parent_code, name, weight_e4, "
    "source, rule, floor_e4, target_e4, steps, department_id) VALUES ("
    "(SELECT county_code FROM eval_plans WHERE id = ?1), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
    "?10, ?11, nullif(?12, 0))";
static const char SQL_IND_DELETE[] = "DELETE FROM eval_indicators WHERE plan_id = ?1";

static enum bm_rc
insert_indicators(struct bm_store *st, int64_t plan_id, const struct bm_eval_plan *p,
                  struct bm_err *err)
{
    enum bm_rc rc = BM_OK;

    for (size_t i = 0; rc == BM_OK && i < p->n_indicators; i++) {
        const struct bm_eval_indicator *x = &p->indicators[i];
        sqlite3_stmt *s;
        if ((rc = sq_prepare(st, SQL_IND_INSERT, &s, err)) != BM_OK)
            return rc;
        sqlite3_bind_int64(s, 1, plan_id);
        sqlite3_bind_int64(s, 2, (int64_t)i);
        sq_bind_text(s, 3, x->code);
        sq_bind_text(s, 4, x->parent_code);
        sq_bind_text(s, 5, x->name);
        sqlite3_bind_int64(s, 6, x->weight_e4);
        sq_bind_text(s, 7, x->source);
        sq_bind_text(s, 8, x->rule);
        sqlite3_bind_int64(s, 9, x->floor_e4);
        sqlite3_bind_int64(s, 10, x->target_e4);
        sq_bind_text(s, 11, x->steps);
        sqlite3_bind_int64(s, 12, x->department_id);
        rc = sq_exec(st, s, "eval indicator insert", err);
    }
    return rc;
}

enum bm_rc
sqlite_eval_plan_insert(struct bm_store *st, const struct bm_eval_plan *p, int64_t now,
                        int64_t *id, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_PLAN_INSERT, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, p->year);
    sq_bind_text(s, 2, p->township_type);
    sq_bind_text(s, 3, p->name);
    sqlite3_bind_int64(s, 4, p->excellent_e4);
    sqlite3_bind_int64(s, 5, p->good_e4);
    sqlite3_bind_int64(s, 6, p->pass_e4);
    sqlite3_bind_int64(s, 7, p->survey_share_e4);
    sqlite3_bind_int64(s, 8, p->created_by);
    sqlite3_bind_int64(s, 9, now);
    rc = sq_exec(st, s, "eval plan insert", err);
    if (rc == BM_ECONFLICT)
        return bm_err_set(err, BM_ECONFLICT, "该年度已有这一类型乡镇的指标体系");
    if (rc != BM_OK)
        return rc;
    *id = sqlite3_last_insert_rowid(sq_db(st));
    return insert_indicators(st, *id, p, err);
}

#define PLAN_COLS                                                                              \
    "p.id, p.county_code, p.year, p.township_type, p.name, p.excellent_e4, p.good_e4, "         \
    "p.pass_e4, p.survey_share_e4, p.version, p.created_by, p.created_at, p.updated_at "

static enum bm_rc
read_plan(sqlite3_stmt *s, struct bm_arena *a, struct bm_eval_plan *p, struct bm_err *err)
{
    bool ok = true;
    memset(p, 0, sizeof(*p));
    p->id = sqlite3_column_int64(s, 0);
    p->county_code = txt(a, s, 1, &ok);
    p->year = sqlite3_column_int64(s, 2);
    p->township_type = txt(a, s, 3, &ok);
    p->name = txt(a, s, 4, &ok);
    p->excellent_e4 = sqlite3_column_int64(s, 5);
    p->good_e4 = sqlite3_column_int64(s, 6);
    p->pass_e4 = sqlite3_column_int64(s, 7);
    p->survey_share_e4 = sqlite3_column_int64(s, 8);
    p->version = sqlite3_column_int64(s, 9);
    p->created_by = sqlite3_column_int64(s, 10);
    p->created_at = sqlite3_column_int64(s, 11);
    p->updated_at = sqlite3_column_int64(s, 12);
    return ok ? BM_OK : too_big(err);
}

static const char SQL_PLAN_GET[] = "SELECT " PLAN_COLS "FROM eval_plans p WHERE p.id = ?1";
static const char SQL_INDS_OF_PLAN[] =
    "SELECT i.id, i.ord, i.code, i.parent_code, i.name, i.weight_e4, i.source, i.rule, "
    "i.floor_e4, i.target_e4, i.steps, coalesce(i.department_id, 0), coalesce(o.name, '') "
    "FROM eval_indicators i LEFT JOIN org_units o ON o.id = i.department_id "
    "WHERE i.plan_id = ?1 ORDER BY i.ord";

enum bm_rc
sqlite_eval_plan_get(struct bm_store *st, int64_t id, struct bm_arena *a,
                     struct bm_eval_plan *out, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    size_t cap = 0, n = 0;
    int src;

    if ((rc = sq_prepare(st, SQL_PLAN_GET, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW)
        rc = read_plan(s, a, out, err);
    else if (src == SQLITE_DONE)
        rc = bm_err_set(err, BM_ENOTFOUND, "指标体系不存在");
    else
        rc = sq_fail(st, src, "eval plan get", err);
    sq_done(s);
    if (rc != BM_OK)
        return rc;
    if ((rc = sq_prepare(st, SQL_INDS_OF_PLAN, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    while (rc == BM_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
        struct bm_eval_indicator *x;
        bool ok = true;
        if (!bm_arena_grow(a, (void **)&out->indicators, &cap, n, sizeof(*x))) {
            rc = too_big(err);
            break;
        }
        x = &out->indicators[n++];
        memset(x, 0, sizeof(*x));
        x->id = sqlite3_column_int64(s, 0);
        x->ord = sqlite3_column_int(s, 1);
        x->code = txt(a, s, 2, &ok);
        x->parent_code = txt(a, s, 3, &ok);
        x->name = txt(a, s, 4, &ok);
        x->weight_e4 = sqlite3_column_int64(s, 5);
        x->source = txt(a, s, 6, &ok);
        x->rule = txt(a, s, 7, &ok);
        x->floor_e4 = sqlite3_column_int64(s, 8);
        x->target_e4 = sqlite3_column_int64(s, 9);
        x->steps = txt(a, s, 10, &ok);
        x->department_id = sqlite3_column_int64(s, 11);
        x->department_name = txt(a, s, 12, &ok);
        if (!ok)
            rc = too_big(err);
    }
    if (rc == BM_OK && src != SQLITE_DONE)
        rc = sq_fail(st, src, "eval indicators", err);
    sq_done(s);
    out->n_indicators = n;
    return rc;
}

static const char SQL_PLANS_LIST[] =
    "SELECT " PLAN_COLS "FROM eval_plans p WHERE (?1 = 0 OR p.year = ?1) "
    "ORDER BY p.year DESC, p.township_type, p.id LIMIT 200";

enum bm_rc
sqlite_eval_plans_list(struct bm_store *st, int64_t year, struct bm_arena *a,
                       struct bm_eval_plan **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    size_t cap = 0;
    int src = SQLITE_DONE;

    *out = NULL;
    *n = 0;
    if ((rc = sq_prepare(st, SQL_PLANS_LIST, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, year);
    while (rc == BM_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
        if (!bm_arena_grow(a, (void **)out, &cap, *n, sizeof(**out)))
            rc = too_big(err);
        else
            rc = read_plan(s, a, &(*out)[(*n)++], err);
    }
    if (rc == BM_OK && src != SQLITE_DONE)
        rc = sq_fail(st, src, "eval plans list", err);
    sq_done(s);
    return rc;
}

static const char SQL_PLAN_UPDATE[] =
    "UPDATE eval_plans SET name = ?3, excellent_e4 = ?4, good_e4 = ?5, pass_e4 = ?6, "
    "survey_share_e4 = ?7, version = version + 1, updated_at = ?8 WHERE id = ?1 AND version = ?2";
static const char SQL_PLAN_EXISTS[] = "SELECT 1 FROM eval_plans WHERE id = ?1";

enum bm_rc
sqlite_eval_plan_update(struct bm_store *st, const struct bm_eval_plan *p, int64_t now,
                        struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    bool changed = false;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_PLAN_UPDATE, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, p->id);
    sqlite3_bind_int64(s, 2, p->version);
    sq_bind_text(s, 3, p->name);
    sqlite3_bind_int64(s, 4, p->excellent_e4);
    sqlite3_bind_int64(s, 5, p->good_e4);
    sqlite3_bind_int64(s, 6, p->pass_e4);
    sqlite3_bind_int64(s, 7, p->survey_share_e4);
    sqlite3_bind_int64(s, 8, now);
    if ((rc = exec_changed(st, s, "eval plan update", &changed, err)) != BM_OK)
        return rc;
    if (!changed)
        return stale_or_missing(st, SQL_PLAN_EXISTS, p->id, "指标体系不存在", err);
    if ((rc = sq_prepare(st, SQL_IND_DELETE, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, p->id);
    if ((rc = sq_exec(st, s, "eval indicators delete", err)) != BM_OK)
        return rc;
    return insert_indicators(st, p->id, p, err);
}

/* ---- periods ---- */

static const char SQL_PERIOD_INSERT[] =
    "INSERT INTO eval_periods (county_code, year, name, from_day, to_day, created_by, "
    "created_at, updated_at) VALUES (" USER_COUNTY("?5") ", ?1, ?2, ?3, ?4, ?5, ?6, ?6)";
static const char SQL_MEMBER_INSERT[] =
    "INSERT INTO eval_period_townships (period_id, township_id, plan_id, county_code) VALUES "
    "(?1, ?2, ?3, " PERIOD_COUNTY("?1") ")";

enum bm_rc
sqlite_eval_period_insert(struct bm_store *st, const struct bm_eval_period *p, int64_t now,
                          int64_t *id, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_PERIOD_INSERT, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, p->year);
    sq_bind_text(s, 2, p->name);
    sqlite3_bind_int64(s, 3, p->from_day);
    sqlite3_bind_int64(s, 4, p->to_day);
    sqlite3_bind_int64(s, 5, p->created_by);
    sqlite3_bind_int64(s, 6, now);
    if ((rc = sq_exec(st, s, "eval period insert", err)) != BM_OK)
        return rc;
    *id = sqlite3_last_insert_rowid(sq_db(st));
    for (size_t i = 0; rc == BM_OK && i < p->n_members; i++) {
        if ((rc = sq_prepare(st, SQL_MEMBER_INSERT, &s, err)) != BM_OK)
            return rc;
        sqlite3_bind_int64(s, 1, *id);
        sqlite3_bind_int64(s, 2, p->members[i].township_id);
        sqlite3_bind_int64(s, 3, p->members[i].plan_id);
        rc = sq_exec(st, s, "eval member insert", err);
    }
    return rc;
}

#define PERIOD_COLS                                                                            \
    "id, county_code, year, name, from_day, to_day, status, comment_until, closed_at, "         \
    "published_at, version, created_by, created_at, updated_at "

static enum bm_rc
read_period(sqlite3_stmt *s, struct bm_arena *a, struct bm_eval_period *p, struct bm_err *err)
{
    bool ok = true;
    memset(p, 0, sizeof(*p));
    p->id = sqlite3_column_int64(s, 0);
    p->county_code = txt(a, s, 1, &ok);
    p->year = sqlite3_column_int64(s, 2);
    p->name = txt(a, s, 3, &ok);
    p->from_day = (bm_day)sqlite3_column_int64(s, 4);
    p->to_day = (bm_day)sqlite3_column_int64(s, 5);
    p->status = txt(a, s, 6, &ok);
    p->comment_until = day_at(s, 7);
    p->closed_at = sqlite3_column_int64(s, 8);
    p->published_at = sqlite3_column_int64(s, 9);
    p->version = sqlite3_column_int64(s, 10);
    p->created_by = sqlite3_column_int64(s, 11);
    p->created_at = sqlite3_column_int64(s, 12);
    p->updated_at = sqlite3_column_int64(s, 13);
    return ok ? BM_OK : too_big(err);
}

static const char SQL_PERIOD_GET[] = "SELECT " PERIOD_COLS "FROM eval_periods WHERE id = ?1";
static const char SQL_MEMBERS[] =
    "SELECT m.township_id, m.plan_id, o.name, o.path FROM eval_period_townships m "
    "JOIN org_units o ON o.id = m.township_id WHERE m.period_id = ?1 ORDER BY m.township_id";

enum bm_rc
sqlite_eval_period_get(struct bm_store *st, int64_t id, struct bm_arena *a,
                       struct bm_eval_period *out, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    size_t cap = 0, n = 0;
    int src;

    if ((rc = sq_prepare(st, SQL_PERIOD_GET, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW)
        rc = read_period(s, a, out, err);
    else if (src == SQLITE_DONE)
        rc = bm_err_set(err, BM_ENOTFOUND, "考核期不存在");
    else
        rc = sq_fail(st, src, "eval period get", err);
    sq_done(s);
    if (rc != BM_OK)
        return rc;
    if ((rc = sq_prepare(st, SQL_MEMBERS, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    while (rc == BM_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
        struct bm_eval_member *m;
        bool ok = true;
        if (!bm_arena_grow(a, (void **)&out->members, &cap, n, sizeof(*m))) {
            rc = too_big(err);
            break;
        }
        m = &out->members[n++];
        m->township_id = sqlite3_column_int64(s, 0);
        m->plan_id = sqlite3_column_int64(s, 1);
        m->township_name = txt(a, s, 2, &ok);
        m->township_path = txt(a, s, 3, &ok);
        if (!ok)
            rc = too_big(err);
    }
    if (rc == BM_OK && src != SQLITE_DONE)
        rc = sq_fail(st, src, "eval members", err);
    sq_done(s);
    out->n_members = n;
    return rc;
}

static const char SQL_PERIODS_LIST[] =
    "SELECT " PERIOD_COLS "FROM eval_periods WHERE (?1 = 0 OR status = 'published') "
    "ORDER BY id DESC LIMIT 200";

enum bm_rc
sqlite_eval_periods_list(struct bm_store *st, bool published_only, struct bm_arena *a,
                         struct bm_eval_period **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    size_t cap = 0;
    int src = SQLITE_DONE;

    *out = NULL;
    *n = 0;
    if ((rc = sq_prepare(st, SQL_PERIODS_LIST, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int(s, 1, published_only);
    while (rc == BM_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
        if (!bm_arena_grow(a, (void **)out, &cap, *n, sizeof(**out)))
            rc = too_big(err);
        else
            rc = read_period(s, a, &(*out)[(*n)++], err);
    }
    if (rc == BM_OK && src != SQLITE_DONE)
        rc = sq_fail(st, src, "eval periods list", err);
    sq_done(s);
    return rc;
}

static const char SQL_PERIOD_UPDATE[] =
    "UPDATE eval_periods SET status = ?3, comment_until = ?4, closed_at = ?5, published_at = ?6, "
    "version = version + 1, updated_at = ?7 WHERE id = ?1 AND version = ?2";
static const char SQL_PERIOD_EXISTS[] = "SELECT 1 FROM eval_periods WHERE id = ?1";

enum bm_rc
sqlite_eval_period_update(struct bm_store *st, const struct bm_eval_period *p, int64_t now,
                          struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    bool changed = false;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_PERIOD_UPDATE, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, p->id);
    sqlite3_bind_int64(s, 2, p->version);
    sq_bind_text(s, 3, p->status);
    bind_day(s, 4, p->comment_until);
    sqlite3_bind_int64(s, 5, p->closed_at);
    sqlite3_bind_int64(s, 6, p->published_at);
    sqlite3_bind_int64(s, 7, now);
    if ((rc = exec_changed(st, s, "eval period update", &changed, err)) != BM_OK)
        return rc;
    return changed ? BM_OK : stale_or_missing(st, SQL_PERIOD_EXISTS, p->id, "考核期不存在", err);
}

/* ---- inputs ---- */

static const char SQL_INPUT_PUT[] =
    "INSERT INTO eval_inputs (county_code, period_id, kind, indicator_code, subject_unit_id, "
    "rater_unit_id, value_e4, numerator, denominator, note, entered_by, created_at, updated_at) "
    "VALUES (" PERIOD_COUNTY("?1") ", ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11) "
    "ON CONFLICT (period_id, kind, indicator_code, subject_unit_id, rater_unit_id) DO UPDATE SET "
    "value_e4 = excluded.value_e4, numerator = excluded.numerator, "
    "denominator = excluded.denominator, note = excluded.note, entered_by = excluded.entered_by, "
    "updated_at = excluded.updated_at";

enum bm_rc
sqlite_eval_input_put(struct bm_store *st, const struct bm_eval_input *in, int64_t now,
                      struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_INPUT_PUT, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, in->period_id);
    sq_bind_text(s, 2, in->kind);
    sq_bind_text(s, 3, in->indicator_code);
    sqlite3_bind_int64(s, 4, in->subject_unit_id);
    sqlite3_bind_int64(s, 5, in->rater_unit_id);
    sqlite3_bind_int64(s, 6, in->value_e4);
    sqlite3_bind_int64(s, 7, in->numerator);
    sqlite3_bind_int64(s, 8, in->denominator);
    sq_bind_text(s, 9, in->note);
    sqlite3_bind_int64(s, 10, in->entered_by);
    sqlite3_bind_int64(s, 11, now);
    return sq_exec(st, s, "eval input put", err);
}

static const char SQL_INPUTS_LIST[] =
    "SELECT i.id, i.period_id, i.kind, i.indicator_code, i.note, i.subject_unit_id, "
    "i.rater_unit_id, i.value_e4, i.numerator, i.denominator, i.entered_by, i.created_at, "
    "i.updated_at, so.name, coalesce(ro.name, '') FROM eval_inputs i "
    "JOIN org_units so ON so.id = i.subject_unit_id "
    "LEFT JOIN org_units ro ON ro.id = i.rater_unit_id WHERE i.period_id = ?1 "
    "ORDER BY i.kind, i.indicator_code, i.subject_unit_id, i.rater_unit_id LIMIT 20000";

enum bm_rc
sqlite_eval_inputs_list(struct bm_store *st, int64_t period_id, struct bm_arena *a,
                        struct bm_eval_input **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    size_t cap = 0;
    int src = SQLITE_DONE;

    *out = NULL;
    *n = 0;
    if ((rc = sq_prepare(st, SQL_INPUTS_LIST, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, period_id);
    while (rc == BM_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
        struct bm_eval_input *x;
        bool ok = true;
        if (!bm_arena_grow(a, (void **)out, &cap, *n, sizeof(**out))) {
            rc = too_big(err);
            break;
        }
        x = &(*out)[(*n)++];
        x->id = sqlite3_column_int64(s, 0);
        x->period_id = sqlite3_column_int64(s, 1);
        x->kind = txt(a, s, 2, &ok);
        x->indicator_code = txt(a, s, 3, &ok);
        x->note = txt(a, s, 4, &ok);
        x->subject_unit_id = sqlite3_column_int64(s, 5);
        x->rater_unit_id = sqlite3_column_int64(s, 6);
        x->value_e4 = sqlite3_column_int64(s, 7);
        x->numerator = sqlite3_column_int64(s, 8);
        x->denominator = sqlite3_column_int64(s, 9);
        x->entered_by = sqlite3_column_int64(s, 10);
        x->created_at = sqlite3_column_int64(s, 11);
        x->updated_at = sqlite3_column_int64(s, 12);
        x->subject_name = txt(a, s, 13, &ok);
        x->rater_name = txt(a, s, 14, &ok);
        if (!ok)
            rc = too_big(err);
    }
    if (rc == BM_OK && src != SQLITE_DONE)
        rc = sq_fail(st, src, "eval inputs list", err);
    sq_done(s);
    return rc;
}

/* ---- the platform's figures of one township ---- */

#define IN_TOWN(alias) " JOIN org_units o ON o.id = " alias " WHERE o.path LIKE ?1 ESCAPE '\\' "

static const char SQL_COUNTS[] =
    "SELECT "
    "(SELECT count(*) FROM cases c" IN_TOWN("c.accepting_unit_id")
    "AND c.decided_at >= ?2 AND c.decided_at < ?3), "
    "(SELECT count(*) FROM cases c" IN_TOWN("c.accepting_unit_id")
    "AND c.decided_at >= ?2 AND c.decided_at < ?3 AND c.due_day IS NOT NULL "
    "AND (c.decided_at + 28800) / 86400 <= c.due_day), "
    "(SELECT count(*) FROM cases c" IN_TOWN("c.accepting_unit_id")
    "AND c.status <> 'draft' AND c.submitted_at >= ?2 AND c.submitted_at < ?3), "
    "(SELECT count(*) FROM cases c" IN_TOWN("c.accepting_unit_id")
    "AND c.status <> 'draft' AND c.submitted_at >= ?2 AND c.submitted_at < ?3 "
    "AND c.channel = 'online'), "
    "(SELECT count(*) FROM ratings r" IN_TOWN("r.accepting_unit_id")
    "AND r.kind = 'initial' AND r.created_at >= ?2 AND r.created_at < ?3 AND NOT EXISTS "
    "(SELECT 1 FROM rectifications x WHERE x.rating_id = r.id AND x.status = 'upheld')), "
    "(SELECT count(*) FROM ratings r" IN_TOWN("r.accepting_unit_id")
    "AND r.kind = 'initial' AND r.created_at >= ?2 AND r.created_at < ?3 AND r.level >= 3 "
    "AND NOT EXISTS (SELECT 1 FROM rectifications x WHERE x.rating_id = r.id "
    "AND x.status = 'upheld')), "
    "(SELECT count(*) FROM rectifications x JOIN cases c ON c.id = x.case_id"
    IN_TOWN("c.accepting_unit_id")
    "AND x.created_at >= ?2 AND x.created_at < ?3 AND x.status <> 'upheld'), "
    "(SELECT count(*) FROM rectifications x JOIN cases c ON c.id = x.case_id"
    IN_TOWN("c.accepting_unit_id")
    "AND x.created_at >= ?2 AND x.created_at < ?3 "
    "AND x.status IN ('rectified', 'explained', 'closed')), "
    "(SELECT count(*) FROM demands d" IN_TOWN("d.unit_id")
    "AND d.dispatched_at >= ?2 AND d.dispatched_at < ?3), "
    "(SELECT count(*) FROM demands d" IN_TOWN("d.unit_id")
    "AND d.dispatched_at >= ?2 AND d.dispatched_at < ?3 AND d.replied_at > 0 "
    "AND (d.due_at = 0 OR d.replied_at <= d.due_at)), "
    "(SELECT count(*) FROM households h" IN_TOWN("h.village_id") "), "
    "(SELECT count(*) FROM households h" IN_TOWN("h.village_id") "AND h.cadre_id IS NOT NULL)";

enum bm_rc
sqlite_eval_counts(struct bm_store *st, const char *township_path, int64_t from, int64_t to,
                   struct bm_eval_counts *out, struct bm_err *err)
{
    struct bm_arena *a = bm_arena_new(4096);
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src;

    memset(out, 0, sizeof(*out));
    if ((rc = sq_prepare(st, SQL_COUNTS, &s, err)) != BM_OK) {
        bm_arena_free(a);
        return rc;
    }
    if (sq_bind_prefix(s, 1, township_path, a) != SQLITE_OK) {
        sq_done(s);
        bm_arena_free(a);
        return too_big(err);
    }
    sqlite3_bind_int64(s, 2, from);
    sqlite3_bind_int64(s, 3, to);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW) {
        int64_t *f[] = {&out->decided,    &out->decided_on_time, &out->submitted, &out->online,
                        &out->ratings,    &out->satisfied,       &out->rect_tasks, &out->rect_done,
                        &out->demands,    &out->demands_on_time, &out->households,
                        &out->covered};
        for (int i = 0; i < 12; i++)
            *f[i] = sqlite3_column_int64(s, i);
    } else {
        rc = sq_fail(st, src, "eval counts", err);
    }
    sq_done(s);
    bm_arena_free(a);
    return rc;
}

/* ---- vetoes ---- */

static const char SQL_VETO_INSERT[] =
    "INSERT INTO eval_vetoes (county_code, period_id, township_id, item, reason, "
    "approval_doc_no, approving_body, approval_date, grade_cap, created_by, created_at) VALUES ("
    PERIOD_COUNTY("?1") ", ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

enum bm_rc
sqlite_eval_veto_insert(struct bm_store *st, const struct bm_eval_veto *v, int64_t now,
                        int64_t *id, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_VETO_INSERT, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, v->period_id);
    sqlite3_bind_int64(s, 2, v->township_id);
    sq_bind_text(s, 3, v->item);
    sq_bind_text(s, 4, v->reason);
    sq_bind_text(s, 5, v->approval_doc_no);
    sq_bind_text(s, 6, v->approving_body);
    sqlite3_bind_int64(s, 7, v->approval_date);
    sq_bind_text(s, 8, v->grade_cap);
    sqlite3_bind_int64(s, 9, v->created_by);
    sqlite3_bind_int64(s, 10, now);
    if ((rc = sq_exec(st, s, "eval veto insert", err)) == BM_OK)
        *id = sqlite3_last_insert_rowid(sq_db(st));
    return rc;
}

static const char SQL_VETOES_LIST[] =
    "SELECT v.id, v.period_id, v.township_id, v.created_by, v.created_at, v.item, v.reason, "
    "v.approval_doc_no, v.approving_body, v.grade_cap, v.approval_date, o.name "
    "FROM eval_vetoes v JOIN org_units o ON o.id = v.township_id WHERE v.period_id = ?1 "
    "ORDER BY v.id LIMIT 1000";

enum bm_rc
sqlite_eval_vetoes_list(struct bm_store *st, int64_t period_id, struct bm_arena *a,
                        struct bm_eval_veto **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    size_t cap = 0;
    int src = SQLITE_DONE;

    *out = NULL;
    *n = 0;
    if ((rc = sq_prepare(st, SQL_VETOES_LIST, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, period_id);
    while (rc == BM_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
        struct bm_eval_veto *v;
        bool ok = true;
        if (!bm_arena_grow(a, (void **)out, &cap, *n, sizeof(**out))) {
            rc = too_big(err);
            break;
        }
        v = &(*out)[(*n)++];
        v->id = sqlite3_column_int64(s, 0);
        v->period_id = sqlite3_column_int64(s, 1);
        v->township_id = sqlite3_column_int64(s, 2);
        v->created_by = sqlite3_column_int64(s, 3);
        v->created_at = sqlite3_column_int64(s, 4);
        v->item = txt(a, s, 5, &ok);
        v->reason = txt(a, s, 6, &ok);
        v->approval_doc_no = txt(a, s, 7, &ok);
        v->approving_body = txt(a, s, 8, &ok);
        v->grade_cap = txt(a, s, 9, &ok);
        v->approval_date = (bm_day)sqlite3_column_int64(s, 10);
        v->township_name = txt(a, s, 11, &ok);
        if (!ok)
            rc = too_big(err);
    }
    if (rc == BM_OK && src != SQLITE_DONE)
        rc = sq_fail(st, src, "eval vetoes list", err);
    sq_done(s);
    return rc;
}

/* ---- results ---- */

static const char SQL_RESULTS_DELETE[] = "DELETE FROM eval_results WHERE period_id = ?1";
static const char SQL_RESULT_INSERT[] =
    "INSERT INTO eval_results (period_id, township_id, county_code, plan_id, total_e4, rank, "
    "grade, is_capped, detail, computed_at) VALUES (?1, ?2, " PERIOD_COUNTY("?1")
    ", ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

enum bm_rc
sqlite_eval_results_put(struct bm_store *st, int64_t period_id, const struct bm_eval_result *rs,
                        size_t n, int64_t now, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_RESULTS_DELETE, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, period_id);
    if ((rc = sq_exec(st, s, "eval results delete", err)) != BM_OK)
        return rc;
    for (size_t i = 0; rc == BM_OK && i < n; i++) {
        if ((rc = sq_prepare(st, SQL_RESULT_INSERT, &s, err)) != BM_OK)
            return rc;
        sqlite3_bind_int64(s, 1, period_id);
        sqlite3_bind_int64(s, 2, rs[i].township_id);
        sqlite3_bind_int64(s, 3, rs[i].plan_id);
        sqlite3_bind_int64(s, 4, rs[i].total_e4);
        sqlite3_bind_int(s, 5, rs[i].rank);
        sq_bind_text(s, 6, rs[i].grade);
        sqlite3_bind_int(s, 7, rs[i].is_capped);
        sq_bind_text(s, 8, rs[i].detail);
        sqlite3_bind_int64(s, 9, now);
        rc = sq_exec(st, s, "eval result insert", err);
    }
    return rc;
}

static const char SQL_RESULTS_LIST[] =
    "SELECT r.period_id, r.township_id, r.plan_id, r.total_e4, r.computed_at, r.rank, r.grade, "
    "r.detail, r.is_capped, o.name, o.path FROM eval_results r "
    "JOIN org_units o ON o.id = r.township_id WHERE r.period_id = ?1 "
    "ORDER BY r.rank, r.township_id LIMIT 1000";

enum bm_rc
sqlite_eval_results_list(struct bm_store *st, int64_t period_id, struct bm_arena *a,
                         struct bm_eval_result **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    size_t cap = 0;
    int src = SQLITE_DONE;

    *out = NULL;
    *n = 0;
    if ((rc = sq_prepare(st, SQL_RESULTS_LIST, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, period_id);
    while (rc == BM_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
        struct bm_eval_result *r;
        bool ok = true;
        if (!bm_arena_grow(a, (void **)out, &cap, *n, sizeof(**out))) {
            rc = too_big(err);
            break;
        }
        r = &(*out)[(*n)++];
        r->period_id = sqlite3_column_int64(s, 0);
        r->township_id = sqlite3_column_int64(s, 1);
        r->plan_id = sqlite3_column_int64(s, 2);
        r->total_e4 = sqlite3_column_int64(s, 3);
        r->computed_at = sqlite3_column_int64(s, 4);
        r->rank = sqlite3_column_int(s, 5);
        r->grade = txt(a, s, 6, &ok);
        r->detail = txt(a, s, 7, &ok);
        r->is_capped = sqlite3_column_int(s, 8) != 0;
        r->township_name = txt(a, s, 9, &ok);
        r->township_path = txt(a, s, 10, &ok);
        if (!ok)
            rc = too_big(err);
    }
    if (rc == BM_OK && src != SQLITE_DONE)
        rc = sq_fail(st, src, "eval results list", err);
    sq_done(s);
    return rc;
}

/* ---- public comments ---- */

static const char SQL_COMMENT_INSERT[] =
    "INSERT INTO eval_comments (county_code, period_id, township_id, content, author_masked, "
    "created_at) VALUES (" PERIOD_COUNTY("?1") ", ?1, nullif(?2, 0), ?3, ?4, ?5)";

enum bm_rc
sqlite_eval_comment_insert(struct bm_store *st, const struct bm_eval_comment *c, int64_t now,
                           int64_t *id, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_COMMENT_INSERT, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, c->period_id);
    sqlite3_bind_int64(s, 2, c->township_id);
    sq_bind_text(s, 3, c->content);
    sq_bind_text(s, 4, c->author_masked);
    sqlite3_bind_int64(s, 5, now);
    if ((rc = sq_exec(st, s, "eval comment insert", err)) == BM_OK)
        *id = sqlite3_last_insert_rowid(sq_db(st));
    return rc;
}

static const char SQL_COMMENTS_LIST[] =
    "SELECT id, period_id, coalesce(township_id, 0), created_at, content, author_masked "
    "FROM eval_comments WHERE period_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3";

enum bm_rc
sqlite_eval_comments_list(struct bm_store *st, int64_t period_id, int64_t after_id, int limit,
                          struct bm_arena *a, struct bm_eval_comment **out, size_t *n,
                          struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    size_t cap = 0;
    int src = SQLITE_DONE;

    *out = NULL;
    *n = 0;
    if ((rc = sq_prepare(st, SQL_COMMENTS_LIST, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, period_id);
    sqlite3_bind_int64(s, 2, after_id);
    sqlite3_bind_int(s, 3, limit);
    while (rc == BM_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
        struct bm_eval_comment *c;
        bool ok = true;
        if (!bm_arena_grow(a, (void **)out, &cap, *n, sizeof(**out))) {
            rc = too_big(err);
            break;
        }
        c = &(*out)[(*n)++];
        c->id = sqlite3_column_int64(s, 0);
        c->period_id = sqlite3_column_int64(s, 1);
        c->township_id = sqlite3_column_int64(s, 2);
        c->created_at = sqlite3_column_int64(s, 3);
        c->content = txt(a, s, 4, &ok);
        c->author_masked = txt(a, s, 5, &ok);
        if (!ok)
            rc = too_big(err);
    }
    if (rc == BM_OK && src != SQLITE_DONE)
        rc = sq_fail(st, src, "eval comments list", err);
    sq_done(s);
    return rc;
}

/* ---- follow-ups ---- */

static const char SQL_FOLLOWUP_INSERT[] =
    "INSERT INTO eval_followups (county_code, period_id, township_id, kind, note, due_day, "
    "created_by, created_at, updated_at) VALUES (" PERIOD_COUNTY("?1")
    ", ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)";

enum bm_rc
sqlite_eval_followup_insert(struct bm_store *st, const struct bm_eval_followup *f, int64_t now,
                            int64_t *id, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_FOLLOWUP_INSERT, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, f->period_id);
    sqlite3_bind_int64(s, 2, f->township_id);
    sq_bind_text(s, 3, f->kind);
    sq_bind_text(s, 4, f->note);
    sqlite3_bind_int64(s, 5, f->due_day);
    sqlite3_bind_int64(s, 6, f->created_by);
    sqlite3_bind_int64(s, 7, now);
    if ((rc = sq_exec(st, s, "eval followup insert", err)) == BM_OK)
        *id = sqlite3_last_insert_rowid(sq_db(st));
    return rc;
}

#define FOLLOWUP_COLS                                                                          \
    "f.id, f.period_id, f.township_id, f.version, f.created_by, f.created_at, f.updated_at, "   \
    "f.done_at, f.kind, f.note, f.status, f.result, f.due_day, o.name, o.path "                 \
    "FROM eval_followups f JOIN org_units o ON o.id = f.township_id "

static enum bm_rc
read_followup(sqlite3_stmt *s, struct bm_arena *a, struct bm_eval_followup *f,
              struct bm_err *err)
{
    bool ok = true;
    f->id = sqlite3_column_int64(s, 0);
    f->period_id = sqlite3_column_int64(s, 1);
    f->township_id = sqlite3_column_int64(s, 2);
    f->version = sqlite3_column_int64(s, 3);
    f->created_by = sqlite3_column_int64(s, 4);
    f->created_at = sqlite3_column_int64(s, 5);
    f->updated_at = sqlite3_column_int64(s, 6);
    f->done_at = sqlite3_column_int64(s, 7);
    f->kind = txt(a, s, 8, &ok);
    f->note = txt(a, s, 9, &ok);
    f->status = txt(a, s, 10, &ok);
    f->result = txt(a, s, 11, &ok);
    f->due_day = (bm_day)sqlite3_column_int64(s, 12);
    f->township_name = txt(a, s, 13, &ok);
    f->township_path = txt(a, s, 14, &ok);
    return ok ? BM_OK : too_big(err);
}

static const char SQL_FOLLOWUP_GET[] = "SELECT " FOLLOWUP_COLS "WHERE f.id = ?1";

enum bm_rc
sqlite_eval_followup_get(struct bm_store *st, int64_t id, struct bm_arena *a,
                         struct bm_eval_followup *out, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src;

    if ((rc = sq_prepare(st, SQL_FOLLOWUP_GET, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW)
        rc = read_followup(s, a, out, err);
    else if (src == SQLITE_DONE)
        rc = bm_err_set(err, BM_ENOTFOUND, "跟踪记录不存在");
    else
        rc = sq_fail(st, src, "eval followup get", err);
    sq_done(s);
    return rc;
}

static const char SQL_FOLLOWUPS_LIST[] =
    "SELECT " FOLLOWUP_COLS "WHERE f.period_id = ?1 ORDER BY f.id LIMIT 1000";

enum bm_rc
sqlite_eval_followups_list(struct bm_store *st, int64_t period_id, struct bm_arena *a,
                           struct bm_eval_followup **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    size_t cap = 0;
    int src = SQLITE_DONE;

    *out = NULL;
    *n = 0;
    if ((rc = sq_prepare(st, SQL_FOLLOWUPS_LIST, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, period_id);
    while (rc == BM_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
        if (!bm_arena_grow(a, (void **)out, &cap, *n, sizeof(**out)))
            rc = too_big(err);
        else
            rc = read_followup(s, a, &(*out)[(*n)++], err);
    }
    if (rc == BM_OK && src != SQLITE_DONE)
        rc = sq_fail(st, src, "eval followups list", err);
    sq_done(s);
    return rc;
}

static const char SQL_FOLLOWUP_UPDATE[] =
    "UPDATE eval_followups SET status = ?3, result = ?4, done_at = ?5, version = version + 1, "
    "updated_at = ?6 WHERE id = ?1 AND version = ?2";
static const char SQL_FOLLOWUP_EXISTS[] = "SELECT 1 FROM eval_followups WHERE id = ?1";

enum bm_rc
sqlite_eval_followup_update(struct bm_store *st, const struct bm_eval_followup *f, int64_t now,
                            struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    bool changed = false;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_FOLLOWUP_UPDATE, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, f->id);
    sqlite3_bind_int64(s, 2, f->version);
    sq_bind_text(s, 3, f->status);
    sq_bind_text(s, 4, f->result);
    sqlite3_bind_int64(s, 5, f->done_at);
    sqlite3_bind_int64(s, 6, now);
    if ((rc = exec_changed(st, s, "eval followup update", &changed, err)) != BM_OK)
        return rc;
    return changed ? BM_OK
                   : stale_or_missing(st, SQL_FOLLOWUP_EXISTS, f->id, "跟踪记录不存在", err);
}
