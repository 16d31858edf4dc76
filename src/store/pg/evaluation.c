/*
 * PostgreSQL: township performance evaluation (绩效考核): indicator systems and their trees,
 * periods and their townships, inputs (manual, survey, department ratings, frozen platform
 * figures), the platform's figures of a township, vetoes, results, public comments and
 * follow-ups. Mirrors sqlite/evaluation.c.
 */
#include <string.h>

#include "store/pg/int.h"

#define USER_COUNTY(param) "(SELECT county_code FROM users WHERE id = " param ")"
#define PERIOD_COUNTY(param) "(SELECT county_code FROM eval_periods WHERE id = " param ")"

static enum bm_rc
too_big(struct bm_err *err)
{
    return bm_err_set(err, BM_ETOOBIG, "结果过大");
}

static const char *
txt(struct bm_arena *a, const PGresult *r, int row, int col, bool *ok)
{
    const char *t = pq_text(a, r, row, col);
    if (t == NULL)
        *ok = false;
    return t ? t : "";
}

/* An arena array for `rows` elements of `size` bytes (at least one). */
static void *
rows_alloc(struct bm_arena *a, int rows, size_t size)
{
    return bm_arena_alloc(a, size * (size_t)(rows > 0 ? rows : 1));
}

static enum bm_rc
insert_id(struct bm_store *st, const char *sql, const struct pq_args *a, const char *what,
          int64_t *id, struct bm_err *err)
{
    PGresult *r = pq_run(st, sql, a, what, err);
    if (r == NULL)
        return err->rc;
    *id = pq_int(r, 0, 0);
    PQclear(r);
    return BM_OK;
}

static enum bm_rc
stale_or_missing(struct bm_store *st, const char *sql_exists, int64_t id, const char *missing,
                 struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    bool exists;

    pq_i64(&a, id);
    if ((r = pq_run(st, sql_exists, &a, "exists", err)) == NULL)
        return err->rc;
    exists = PQntuples(r) > 0;
    PQclear(r);
    if (exists)
        return bm_err_set(err, BM_ESTALE, "数据已被他人修改，请刷新后重试");
    return bm_err_set(err, BM_ENOTFOUND, "%s", missing);
}

/* ---- plans ---- */

static const char SQL_PLAN_INSERT[] =
    "INSERT INTO eval_plans (county_code, year, township_type, name, excellent_e4, good_e4, "
    "pass_e4, survey_share_e4, created_by, created_at, updated_at) VALUES ("
    USER_COUNTY("$8::bigint") ", $1::bigint, $2, $3, $4::bigint, $5::bigint, $6::bigint, "
    "$7::bigint, $8::bigint, $9::bigint, $9::bigint) RETURNING id";
static const char SQL_IND_INSERT[] =
    "INSERT INTO eval_indicators (county_code, plan_id, ord, code, parent_code, name, weight_e4, "
    "source, rule, floor_e4, target_e4, steps, department_id) VALUES ("
    "(SELECT county_code FROM eval_plans WHERE id = $1::bigint), $1::bigint, $2::bigint, $3, $4, "
    "$5, $6::bigint, $7, $8, $9::bigint, $10::bigint, $11, nullif($12::bigint, 0))";
static const char SQL_IND_DELETE[] = "DELETE FROM eval_indicators WHERE plan_id = $1::bigint";

static enum bm_rc
insert_indicators(struct bm_store *st, int64_t plan_id, const struct bm_eval_plan *p,
                  struct bm_err *err)
{
    enum bm_rc rc = BM_OK;

    for (size_t i = 0; rc == BM_OK && i < p->n_indicators; i++) {
        const struct bm_eval_indicator *x = &p->indicators[i];
        struct pq_args a = {0};
        pq_i64(&a, plan_id);
        pq_i64(&a, (int64_t)i);
        pq_str(&a, x->code);
        pq_str(&a, x->parent_code);
        pq_str(&a, x->name);
        pq_i64(&a, x->weight_e4);
        pq_str(&a, x->source);
        pq_str(&a, x->rule);
        pq_i64(&a, x->floor_e4);
        pq_i64(&a, x->target_e4);
        pq_str(&a, x->steps);
        pq_i64(&a, x->department_id);
        rc = pq_exec(st, SQL_IND_INSERT, &a, "eval indicator insert", NULL, err);
    }
    return rc;
}

enum bm_rc
pg_eval_plan_insert(struct bm_store *st, const struct bm_eval_plan *p, int64_t now, int64_t *id,
                    struct bm_err *err)
{
    struct pq_args a = {0};
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    pq_i64(&a, p->year);
    pq_str(&a, p->township_type);
    pq_str(&a, p->name);
    pq_i64(&a, p->excellent_e4);
    pq_i64(&a, p->good_e4);
    pq_i64(&a, p->pass_e4);
    pq_i64(&a, p->survey_share_e4);
    pq_i64(&a, p->created_by);
    pq_i64(&a, now);
    rc = insert_id(st, SQL_PLAN_INSERT, &a, "eval plan insert", id, err);
    if (rc == BM_ECONFLICT)
        return bm_err_set(err, BM_ECONFLICT, "该年度已有这一类型乡镇的指标体系");
    if (rc != BM_OK)
        return rc;
    return insert_indicators(st, *id, p, err);
}

#define PLAN_COLS                                                                              \
    "p.id, p.county_code, p.year, p.township_type, p.name, p.excellent_e4, p.good_e4, "         \
    "p.pass_e4, p.survey_share_e4, p.version, p.created_by, p.created_at, p.updated_at "

static enum bm_rc
read_plan(const PGresult *r, int row, struct bm_arena *a, struct bm_eval_plan *p,
          struct bm_err *err)
{
    bool ok = true;
    memset(p, 0, sizeof(*p));
    p->id = pq_int(r, row, 0);
    p->county_code = txt(a, r, row, 1, &ok);
    p->year = pq_int(r, row, 2);
    p->township_type = txt(a, r, row, 3, &ok);
    p->name = txt(a, r, row, 4, &ok);
    p->excellent_e4 = pq_int(r, row, 5);
    p->good_e4 = pq_int(r, row, 6);
    p->pass_e4 = pq_int(r, row, 7);
    p->survey_share_e4 = pq_int(r, row, 8);
    p->version = pq_int(r, row, 9);
    p->created_by = pq_int(r, row, 10);
    p->created_at = pq_int(r, row, 11);
    p->updated_at = pq_int(r, row, 12);
    return ok ? BM_OK : too_big(err);
}

static const char SQL_PLAN_GET[] = "SELECT " PLAN_COLS "FROM eval_plans p WHERE p.id = $1::bigint";
static const char SQL_INDS_OF_PLAN[] =
    "SELECT i.id, i.ord, i.code, i.parent_code, i.name, i.weight_e4, i.source, i.rule, "
    "i.floor_e4, i.target_e4, i.steps, coalesce(i.department_id, 0), coalesce(o.name, '') "
    "FROM eval_indicators i LEFT JOIN org_units o ON o.id = i.department_id "
    "WHERE i.plan_id = $1::bigint ORDER BY i.ord";

enum bm_rc
pg_eval_plan_get(struct bm_store *st, int64_t id, struct bm_arena *ar, struct bm_eval_plan *out,
                 struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc;
    int rows;

    pq_i64(&a, id);
    if ((r = pq_run(st, SQL_PLAN_GET, &a, "eval plan get", err)) == NULL)
        return err->rc;
    rc = PQntuples(r) == 1 ? read_plan(r, 0, ar, out, err)
                           : bm_err_set(err, BM_ENOTFOUND, "指标体系不存在");
    PQclear(r);
    if (rc != BM_OK)
        return rc;
    if ((r = pq_run(st, SQL_INDS_OF_PLAN, &a, "eval indicators", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    if ((out->indicators = rows_alloc(ar, rows, sizeof(*out->indicators))) == NULL) {
        PQclear(r);
        return too_big(err);
    }
    for (int i = 0; i < rows; i++) {
        struct bm_eval_indicator *x = &out->indicators[i];
        bool ok = true;
        memset(x, 0, sizeof(*x));
        x->id = pq_int(r, i, 0);
        x->ord = (int)pq_int(r, i, 1);
        x->code = txt(ar, r, i, 2, &ok);
        x->parent_code = txt(ar, r, i, 3, &ok);
        x->name = txt(ar, r, i, 4, &ok);
        x->weight_e4 = pq_int(r, i, 5);
        x->source = txt(ar, r, i, 6, &ok);
        x->rule = txt(ar, r, i, 7, &ok);
        x->floor_e4 = pq_int(r, i, 8);
        x->target_e4 = pq_int(r, i, 9);
        x->steps = txt(ar, r, i, 10, &ok);
        x->department_id = pq_int(r, i, 11);
        x->department_name = txt(ar, r, i, 12, &ok);
        if (!ok)
            rc = too_big(err);
    }
    out->n_indicators = (size_t)rows;
    PQclear(r);
    return rc;
}

static const char SQL_PLANS_LIST[] =
    "SELECT " PLAN_COLS "FROM eval_plans p WHERE ($1::bigint = 0 OR p.year = $1::bigint) "
    "ORDER BY p.year DESC, p.township_type, p.id LIMIT 200";

enum bm_rc
pg_eval_plans_list(struct bm_store *st, int64_t year, struct bm_arena *ar,
                   struct bm_eval_plan **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc = BM_OK;
    int rows, i;

    pq_i64(&a, year);
    if ((r = pq_run(st, SQL_PLANS_LIST, &a, "eval plans list", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    if ((*out = rows_alloc(ar, rows, sizeof(**out))) == NULL) {
        PQclear(r);
        return too_big(err);
    }
    for (i = 0; rc == BM_OK && i < rows; i++)
        rc = read_plan(r, i, ar, &(*out)[i], err);
    *n = (size_t)i;
    PQclear(r);
    return rc;
}

static const char SQL_PLAN_UPDATE[] =
    "UPDATE eval_plans SET name = $3, excellent_e4 = $4::bigint, good_e4 = $5::bigint, "
    "pass_e4 = $6::bigint, survey_share_e4 = $7::bigint, version = version + 1, "
    "updated_at = $8::bigint WHERE id = $1::bigint AND version = $2::bigint";
static const char SQL_PLAN_EXISTS[] = "SELECT 1 FROM eval_plans WHERE id = $1::bigint";

enum bm_rc
pg_eval_plan_update(struct bm_store *st, const struct bm_eval_plan *p, int64_t now,
                    struct bm_err *err)
{
    struct pq_args a = {0}, d = {0};
    int64_t changed = 0;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    pq_i64(&a, p->id);
    pq_i64(&a, p->version);
    pq_str(&a, p->name);
    pq_i64(&a, p->excellent_e4);
    pq_i64(&a, p->good_e4);
    pq_i64(&a, p->pass_e4);
    pq_i64(&a, p->survey_share_e4);
    pq_i64(&a, now);
    if ((rc = pq_exec(st, SQL_PLAN_UPDATE, &a, "eval plan update", &changed, err)) != BM_OK)
        return rc;
    if (changed == 0)
        return stale_or_missing(st, SQL_PLAN_EXISTS, p->id, "指标体系不存在", err);
    pq_i64(&d, p->id);
    if ((rc = pq_exec(st, SQL_IND_DELETE, &d, "eval indicators delete", NULL, err)) != BM_OK)
        return rc;
    return insert_indicators(st, p->id, p, err);
}

/* ---- periods ---- */

static const char SQL_PERIOD_INSERT[] =
    "INSERT INTO eval_periods (county_code, year, name, from_day, to_day, created_by, "
    "created_at, updated_at) VALUES (" USER_COUNTY("$5::bigint") ", $1::bigint, $2, $3::bigint, "
    "$4::bigint, $5::bigint, $6::bigint, $6::bigint) RETURNING id";
static const char SQL_MEMBER_INSERT[] =
    "INSERT INTO eval_period_townships (period_id, township_id, plan_id, county_code) VALUES "
    "($1::bigint, $2::bigint, $3::bigint, " PERIOD_COUNTY("$1::bigint") ")";

enum bm_rc
pg_eval_period_insert(struct bm_store *st, const struct bm_eval_period *p, int64_t now,
                      int64_t *id, struct bm_err *err)
{
    struct pq_args a = {0};
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    pq_i64(&a, p->year);
    pq_str(&a, p->name);
    pq_i64(&a, p->from_day);
    pq_i64(&a, p->to_day);
    pq_i64(&a, p->created_by);
    pq_i64(&a, now);
    if ((rc = insert_id(st, SQL_PERIOD_INSERT, &a, "eval period insert", id, err)) != BM_OK)
        return rc;
    for (size_t i = 0; rc == BM_OK && i < p->n_members; i++) {
        struct pq_args m = {0};
        pq_i64(&m, *id);
        pq_i64(&m, p->members[i].township_id);
        pq_i64(&m, p->members[i].plan_id);
        rc = pq_exec(st, SQL_MEMBER_INSERT, &m, "eval member insert", NULL, err);
    }
    return rc;
}

#define PERIOD_COLS                                                                            \
    "id, county_code, year, name, from_day, to_day, status, coalesce(comment_until, "           \
    PQ_DAY_NONE "), closed_at, published_at, version, created_by, created_at, updated_at "

static enum bm_rc
read_period(const PGresult *r, int row, struct bm_arena *a, struct bm_eval_period *p,
            struct bm_err *err)
{
    bool ok = true;
    memset(p, 0, sizeof(*p));
    p->id = pq_int(r, row, 0);
    p->county_code = txt(a, r, row, 1, &ok);
    p->year = pq_int(r, row, 2);
    p->name = txt(a, r, row, 3, &ok);
    p->from_day = (bm_day)pq_int(r, row, 4);
    p->to_day = (bm_day)pq_int(r, row, 5);
    p->status = txt(a, r, row, 6, &ok);
    p->comment_until = (bm_day)pq_int(r, row, 7);
    p->closed_at = pq_int(r, row, 8);
    p->published_at = pq_int(r, row, 9);
    p->version = pq_int(r, row, 10);
    p->created_by = pq_int(r, row, 11);
    p->created_at = pq_int(r, row, 12);
    p->updated_at = pq_int(r, row, 13);
    return ok ? BM_OK : too_big(err);
}

static const char SQL_PERIOD_GET[] =
    "SELECT " PERIOD_COLS "FROM eval_periods WHERE id = $1::bigint";
static const char SQL_MEMBERS[] =
    "SELECT m.township_id, m.plan_id, o.name, o.path FROM eval_period_townships m "
    "JOIN org_units o ON o.id = m.township_id WHERE m.period_id = $1::bigint "
    "ORDER BY m.township_id";

enum bm_rc
pg_eval_period_get(struct bm_store *st, int64_t id, struct bm_arena *ar,
                   struct bm_eval_period *out, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc;
    int rows;

    pq_i64(&a, id);
    if ((r = pq_run(st, SQL_PERIOD_GET, &a, "eval period get", err)) == NULL)
        return err->rc;
    rc = PQntuples(r) == 1 ? read_period(r, 0, ar, out, err)
                           : bm_err_set(err, BM_ENOTFOUND, "考核期不存在");
    PQclear(r);
    if (rc != BM_OK)
        return rc;
    if ((r = pq_run(st, SQL_MEMBERS, &a, "eval members", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    if ((out->members = rows_alloc(ar, rows, sizeof(*out->members))) == NULL) {
        PQclear(r);
        return too_big(err);
    }
    for (int i = 0; i < rows; i++) {
        struct bm_eval_member *m = &out->members[i];
        bool ok = true;
        m->township_id = pq_int(r, i, 0);
        m->plan_id = pq_int(r, i, 1);
        m->township_name = txt(ar, r, i, 2, &ok);
        m->township_path = txt(ar, r, i, 3, &ok);
        if (!ok)
            rc = too_big(err);
    }
    out->n_members = (size_t)rows;
    PQclear(r);
    return rc;
}

static const char SQL_PERIODS_LIST[] =
    "SELECT " PERIOD_COLS "FROM eval_periods WHERE ($1::bigint = 0 OR status = 'published') "
    "ORDER BY id DESC LIMIT 200";

enum bm_rc
pg_eval_periods_list(struct bm_store *st, bool published_only, struct bm_arena *ar,
                     struct bm_eval_period **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc = BM_OK;
    int rows, i;

    pq_i64(&a, published_only);
    if ((r = pq_run(st, SQL_PERIODS_LIST, &a, "eval periods list", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    if ((*out = rows_alloc(ar, rows, sizeof(**out))) == NULL) {
        PQclear(r);
        return too_big(err);
    }
    for (i = 0; rc == BM_OK && i < rows; i++)
        rc = read_period(r, i, ar, &(*out)[i], err);
    *n = (size_t)i;
    PQclear(r);
    return rc;
}

static const char SQL_PERIOD_UPDATE[] =
    "UPDATE eval_periods SET status = $3, comment_until = nullif($4::bigint, " PQ_DAY_NONE "), "
    "closed_at = $5::bigint, published_at = $6::bigint, version = version + 1, "
    "updated_at = $7::bigint WHERE id = $1::bigint AND version = $2::bigint";
static const char SQL_PERIOD_EXISTS[] = "SELECT 1 FROM eval_periods WHERE id = $1::bigint";

enum bm_rc
pg_eval_period_update(struct bm_store *st, const struct bm_eval_period *p, int64_t now,
                      struct bm_err *err)
{
    struct pq_args a = {0};
    int64_t changed = 0;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    pq_i64(&a, p->id);
    pq_i64(&a, p->version);
    pq_str(&a, p->status);
    pq_i64(&a, p->comment_until);
    pq_i64(&a, p->closed_at);
    pq_i64(&a, p->published_at);
    pq_i64(&a, now);
    if ((rc = pq_exec(st, SQL_PERIOD_UPDATE, &a, "eval period update", &changed, err)) != BM_OK)
        return rc;
    return changed > 0 ? BM_OK
                       : stale_or_missing(st, SQL_PERIOD_EXISTS, p->id, "考核期不存在", err);
}

/* ---- inputs ---- */

static const char SQL_INPUT_PUT[] =
    "INSERT INTO eval_inputs (county_code, period_id, kind, indicator_code, subject_unit_id, "
    "rater_unit_id, value_e4, numerator, denominator, note, entered_by, created_at, updated_at) "
    "VALUES (" PERIOD_COUNTY("$1::bigint") ", $1::bigint, $2, $3, $4::bigint, $5::bigint, "
    "$6::bigint, $7::bigint, $8::bigint, $9, $10::bigint, $11::bigint, $11::bigint) "
    "ON CONFLICT (period_id, kind, indicator_code, subject_unit_id, rater_unit_id) DO UPDATE SET "
    "value_e4 = excluded.value_e4, numerator = excluded.numerator, "
    "denominator = excluded.denominator, note = excluded.note, entered_by = excluded.entered_by, "
    "updated_at = excluded.updated_at";

enum bm_rc
pg_eval_input_put(struct bm_store *st, const struct bm_eval_input *in, int64_t now,
                  struct bm_err *err)
{
    struct pq_args a = {0};

    BM_ASSERT(st->in_tx);
    pq_i64(&a, in->period_id);
    pq_str(&a, in->kind);
    pq_str(&a, in->indicator_code);
    pq_i64(&a, in->subject_unit_id);
    pq_i64(&a, in->rater_unit_id);
    pq_i64(&a, in->value_e4);
    pq_i64(&a, in->numerator);
    pq_i64(&a, in->denominator);
    pq_str(&a, in->note);
    pq_i64(&a, in->entered_by);
    pq_i64(&a, now);
    return pq_exec(st, SQL_INPUT_PUT, &a, "eval input put", NULL, err);
}

static const char SQL_INPUTS_LIST[] =
    "SELECT i.id, i.period_id, i.kind, i.indicator_code, i.note, i.subject_unit_id, "
    "i.rater_unit_id, i.value_e4, i.numerator, i.denominator, i.entered_by, i.created_at, "
    "i.updated_at, so.name, coalesce(ro.name, '') FROM eval_inputs i "
    "JOIN org_units so ON so.id = i.subject_unit_id "
    "LEFT JOIN org_units ro ON ro.id = i.rater_unit_id WHERE i.period_id = $1::bigint "
    "ORDER BY i.kind, i.indicator_code, i.subject_unit_id, i.rater_unit_id LIMIT 20000";

enum bm_rc
pg_eval_inputs_list(struct bm_store *st, int64_t period_id, struct bm_arena *ar,
                    struct bm_eval_input **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc = BM_OK;
    int rows;

    pq_i64(&a, period_id);
    if ((r = pq_run(st, SQL_INPUTS_LIST, &a, "eval inputs list", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    if ((*out = rows_alloc(ar, rows, sizeof(**out))) == NULL) {
        PQclear(r);
        return too_big(err);
    }
    for (int i = 0; i < rows; i++) {
        struct bm_eval_input *x = &(*out)[i];
        bool ok = true;
        x->id = pq_int(r, i, 0);
        x->period_id = pq_int(r, i, 1);
        x->kind = txt(ar, r, i, 2, &ok);
        x->indicator_code = txt(ar, r, i, 3, &ok);
        x->note = txt(ar, r, i, 4, &ok);
        x->subject_unit_id = pq_int(r, i, 5);
        x->rater_unit_id = pq_int(r, i, 6);
        x->value_e4 = pq_int(r, i, 7);
        x->numerator = pq_int(r, i, 8);
        x->denominator = pq_int(r, i, 9);
        x->entered_by = pq_int(r, i, 10);
        x->created_at = pq_int(r, i, 11);
        x->updated_at = pq_int(r, i, 12);
        x->subject_name = txt(ar, r, i, 13, &ok);
        x->rater_name = txt(ar, r, i, 14, &ok);
        if (!ok)
            rc = too_big(err);
    }
    *n = (size_t)rows;
    PQclear(r);
    return rc;
}

/* ---- the platform's figures of one township ---- */

#define IN_TOWN(alias) " JOIN org_units o ON o.id = " alias " WHERE o.path LIKE $1 "

static const char SQL_COUNTS[] =
    "SELECT "
    "(SELECT count(*) FROM cases c" IN_TOWN("c.accepting_unit_id")
    "AND c.decided_at >= $2::bigint AND c.decided_at < $3::bigint), "
    "(SELECT count(*) FROM cases c" IN_TOWN("c.accepting_unit_id")
    "AND c.decided_at >= $2::bigint AND c.decided_at < $3::bigint AND c.due_day IS NOT NULL "
    "AND (c.decided_at + 28800) / 86400 <= c.due_day), "
    "(SELECT count(*) FROM cases c" IN_TOWN("c.accepting_unit_id")
    "AND c.status <> 'draft' AND c.submitted_at >= $2::bigint AND c.submitted_at < $3::bigint), "
    "(SELECT count(*) FROM cases c" IN_TOWN("c.accepting_unit_id")
    "AND c.status <> 'draft' AND c.submitted_at >= $2::bigint AND c.submitted_at < $3::bigint "
    "AND c.channel = 'online'), "
    "(SELECT count(*) FROM ratings r" IN_TOWN("r.accepting_unit_id")
    "AND r.kind = 'initial' AND r.created_at >= $2::bigint AND r.created_at < $3::bigint "
    "AND NOT EXISTS (SELECT 1 FROM rectifications x WHERE x.rating_id = r.id "
    "AND x.status = 'upheld')), "
    "(SELECT count(*) FROM ratings r" IN_TOWN("r.accepting_unit_id")
    "AND r.kind = 'initial' AND r.created_at >= $2::bigint AND r.created_at < $3::bigint "
    "AND r.level >= 3 AND NOT EXISTS (SELECT 1 FROM rectifications x WHERE x.rating_id = r.id "
    "AND x.status = 'upheld')), "
    "(SELECT count(*) FROM rectifications x JOIN cases c ON c.id = x.case_id"
    IN_TOWN("c.accepting_unit_id")
    "AND x.created_at >= $2::bigint AND x.created_at < $3::bigint AND x.status <> 'upheld'), "
    "(SELECT count(*) FROM rectifications x JOIN cases c ON c.id = x.case_id"
    IN_TOWN("c.accepting_unit_id")
    "AND x.created_at >= $2::bigint AND x.created_at < $3::bigint "
    "AND x.status IN ('rectified', 'explained', 'closed')), "
    "(SELECT count(*) FROM demands d" IN_TOWN("d.unit_id")
    "AND d.dispatched_at >= $2::bigint AND d.dispatched_at < $3::bigint), "
    "(SELECT count(*) FROM demands d" IN_TOWN("d.unit_id")
    "AND d.dispatched_at >= $2::bigint AND d.dispatched_at < $3::bigint AND d.replied_at > 0 "
    "AND (d.due_at = 0 OR d.replied_at <= d.due_at)), "
    "(SELECT count(*) FROM households h" IN_TOWN("h.village_id") "), "
    "(SELECT count(*) FROM households h" IN_TOWN("h.village_id") "AND h.cadre_id IS NOT NULL)";

enum bm_rc
pg_eval_counts(struct bm_store *st, const char *township_path, int64_t from, int64_t to,
               struct bm_eval_counts *out, struct bm_err *err)
{
    struct bm_arena *ar = bm_arena_new(4096);
    const char *pat = pq_prefix(ar, township_path);
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc = BM_OK;

    memset(out, 0, sizeof(*out));
    if (pat == NULL) {
        bm_arena_free(ar);
        return too_big(err);
    }
    pq_str(&a, pat);
    pq_i64(&a, from);
    pq_i64(&a, to);
    r = pq_run(st, SQL_COUNTS, &a, "eval counts", err);
    bm_arena_free(ar);
    if (r == NULL)
        return err->rc;
    if (PQntuples(r) == 1) {
        int64_t *f[] = {&out->decided,    &out->decided_on_time, &out->submitted, &out->online,
                        &out->ratings,    &out->satisfied,       &out->rect_tasks, &out->rect_done,
                        &out->demands,    &out->demands_on_time, &out->households,
                        &out->covered};
        for (int i = 0; i < 12; i++)
            *f[i] = pq_int(r, 0, i);
    } else {
        rc = bm_err_set(err, BM_EINTERNAL, "数据存储出错");
    }
    PQclear(r);
    return rc;
}

/* ---- vetoes ---- */

static const char SQL_VETO_INSERT[] =
    "INSERT INTO eval_vetoes (county_code, period_id, township_id, item, reason, "
    "approval_doc_no, approving_body, approval_date, grade_cap, created_by, created_at) VALUES ("
    PERIOD_COUNTY("$1::bigint") ", $1::bigint, $2::bigint, $3, $4, $5, $6, $7::bigint, $8, "
    "$9::bigint, $10::bigint) RETURNING id";

enum bm_rc
pg_eval_veto_insert(struct bm_store *st, const struct bm_eval_veto *v, int64_t now, int64_t *id,
                    struct bm_err *err)
{
    struct pq_args a = {0};

    BM_ASSERT(st->in_tx);
    pq_i64(&a, v->period_id);
    pq_i64(&a, v->township_id);
    pq_str(&a, v->item);
    pq_str(&a, v->reason);
    pq_str(&a, v->approval_doc_no);
    pq_str(&a, v->approving_body);
    pq_i64(&a, v->approval_date);
    pq_str(&a, v->grade_cap);
    pq_i64(&a, v->created_by);
    pq_i64(&a, now);
    return insert_id(st, SQL_VETO_INSERT, &a, "eval veto insert", id, err);
}

static const char SQL_VETOES_LIST[] =
    "SELECT v.id, v.period_id, v.township_id, v.created_by, v.created_at, v.item, v.reason, "
    "v.approval_doc_no, v.approving_body, v.grade_cap, v.approval_date, o.name "
    "FROM eval_vetoes v JOIN org_units o ON o.id = v.township_id WHERE v.period_id = $1::bigint "
    "ORDER BY v.id LIMIT 1000";

enum bm_rc
pg_eval_vetoes_list(struct bm_store *st, int64_t period_id, struct bm_arena *ar,
                    struct bm_eval_veto **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc = BM_OK;
    int rows;

    pq_i64(&a, period_id);
    if ((r = pq_run(st, SQL_VETOES_LIST, &a, "eval vetoes list", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    if ((*out = rows_alloc(ar, rows, sizeof(**out))) == NULL) {
        PQclear(r);
        return too_big(err);
    }
    for (int i = 0; i < rows; i++) {
        struct bm_eval_veto *v = &(*out)[i];
        bool ok = true;
        v->id = pq_int(r, i, 0);
        v->period_id = pq_int(r, i, 1);
        v->township_id = pq_int(r, i, 2);
        v->created_by = pq_int(r, i, 3);
        v->created_at = pq_int(r, i, 4);
        v->item = txt(ar, r, i, 5, &ok);
        v->reason = txt(ar, r, i, 6, &ok);
        v->approval_doc_no = txt(ar, r, i, 7, &ok);
        v->approving_body = txt(ar, r, i, 8, &ok);
        v->grade_cap = txt(ar, r, i, 9, &ok);
        v->approval_date = (bm_day)pq_int(r, i, 10);
        v->township_name = txt(ar, r, i, 11, &ok);
        if (!ok)
            rc = too_big(err);
    }
    *n = (size_t)rows;
    PQclear(r);
    return rc;
}

/* ---- results ---- */

static const char SQL_RESULTS_DELETE[] = "DELETE FROM eval_results WHERE period_id = $1::bigint";
static const char SQL_RESULT_INSERT[] =
    "INSERT INTO eval_results (period_id, township_id, county_code, plan_id, total_e4, rank, "
    "grade, is_capped, detail, computed_at) VALUES ($1::bigint, $2::bigint, "
    PERIOD_COUNTY("$1::bigint") ", $3::bigint, $4::bigint, $5::bigint, $6, $7::bigint, $8, "
    "$9::bigint)";

enum bm_rc
pg_eval_results_put(struct bm_store *st, int64_t period_id, const struct bm_eval_result *rs,
                    size_t n, int64_t now, struct bm_err *err)
{
    struct pq_args d = {0};
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    pq_i64(&d, period_id);
    if ((rc = pq_exec(st, SQL_RESULTS_DELETE, &d, "eval results delete", NULL, err)) != BM_OK)
        return rc;
    for (size_t i = 0; rc == BM_OK && i < n; i++) {
        struct pq_args a = {0};
        pq_i64(&a, period_id);
        pq_i64(&a, rs[i].township_id);
        pq_i64(&a, rs[i].plan_id);
        pq_i64(&a, rs[i].total_e4);
        pq_i64(&a, rs[i].rank);
        pq_str(&a, rs[i].grade);
        pq_i64(&a, rs[i].is_capped);
        pq_str(&a, rs[i].detail);
        pq_i64(&a, now);
        rc = pq_exec(st, SQL_RESULT_INSERT, &a, "eval result insert", NULL, err);
    }
    return rc;
}

static const char SQL_RESULTS_LIST[] =
    "SELECT r.period_id, r.township_id, r.plan_id, r.total_e4, r.computed_at, r.rank, r.grade, "
    "r.detail, r.is_capped, o.name, o.path FROM eval_results r "
    "JOIN org_units o ON o.id = r.township_id WHERE r.period_id = $1::bigint "
    "ORDER BY r.rank, r.township_id LIMIT 1000";

enum bm_rc
pg_eval_results_list(struct bm_store *st, int64_t period_id, struct bm_arena *ar,
                     struct bm_eval_result **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc = BM_OK;
    int rows;

    pq_i64(&a, period_id);
    if ((r = pq_run(st, SQL_RESULTS_LIST, &a, "eval results list", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    if ((*out = rows_alloc(ar, rows, sizeof(**out))) == NULL) {
        PQclear(r);
        return too_big(err);
    }
    for (int i = 0; i < rows; i++) {
        struct bm_eval_result *x = &(*out)[i];
        bool ok = true;
        x->period_id = pq_int(r, i, 0);
        x->township_id = pq_int(r, i, 1);
        x->plan_id = pq_int(r, i, 2);
        x->total_e4 = pq_int(r, i, 3);
        x->computed_at = pq_int(r, i, 4);
        x->rank = (int)pq_int(r, i, 5);
        x->grade = txt(ar, r, i, 6, &ok);
        x->detail = txt(ar, r, i, 7, &ok);
        x->is_capped = pq_int(r, i, 8) != 0;
        x->township_name = txt(ar, r, i, 9, &ok);
        x->township_path = txt(ar, r, i, 10, &ok);
        if (!ok)
            rc = too_big(err);
    }
    *n = (size_t)rows;
    PQclear(r);
    return rc;
}

/* ---- public comments ---- */

static const char SQL_COMMENT_INSERT[] =
    "INSERT INTO eval_comments (county_code, period_id, township_id, content, author_masked, "
    "created_at) VALUES (" PERIOD_COUNTY("$1::bigint") ", $1::bigint, nullif($2::bigint, 0), "
    "$3, $4, $5::bigint) RETURNING id";

enum bm_rc
pg_eval_comment_insert(struct bm_store *st, const struct bm_eval_comment *c, int64_t now,
                       int64_t *id, struct bm_err *err)
{
    struct pq_args a = {0};

    BM_ASSERT(st->in_tx);
    pq_i64(&a, c->period_id);
    pq_i64(&a, c->township_id);
    pq_str(&a, c->content);
    pq_str(&a, c->author_masked);
    pq_i64(&a, now);
    return insert_id(st, SQL_COMMENT_INSERT, &a, "eval comment insert", id, err);
}

static const char SQL_COMMENTS_LIST[] =
    "SELECT id, period_id, coalesce(township_id, 0), created_at, content, author_masked "
    "FROM eval_comments WHERE period_id = $1::bigint AND id > $2::bigint ORDER BY id "
    "LIMIT $3::bigint";

enum bm_rc
pg_eval_comments_list(struct bm_store *st, int64_t period_id, int64_t after_id, int limit,
                      struct bm_arena *ar, struct bm_eval_comment **out, size_t *n,
                      struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc = BM_OK;
    int rows;

    pq_i64(&a, period_id);
    pq_i64(&a, after_id);
    pq_i64(&a, limit);
    if ((r = pq_run(st, SQL_COMMENTS_LIST, &a, "eval comments list", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    if ((*out = rows_alloc(ar, rows, sizeof(**out))) == NULL) {
        PQclear(r);
        return too_big(err);
    }
    for (int i = 0; i < rows; i++) {
        struct bm_eval_comment *c = &(*out)[i];
        bool ok = true;
        c->id = pq_int(r, i, 0);
        c->period_id = pq_int(r, i, 1);
        c->township_id = pq_int(r, i, 2);
        c->created_at = pq_int(r, i, 3);
        c->content = txt(ar, r, i, 4, &ok);
        c->author_masked = txt(ar, r, i, 5, &ok);
        if (!ok)
            rc = too_big(err);
    }
    *n = (size_t)rows;
    PQclear(r);
    return rc;
}

/* ---- follow-ups ---- */

static const char SQL_FOLLOWUP_INSERT[] =
    "INSERT INTO eval_followups (county_code, period_id, township_id, kind, note, due_day, "
    "created_by, created_at, updated_at) VALUES (" PERIOD_COUNTY("$1::bigint")
    ", $1::bigint, $2::bigint, $3, $4, $5::bigint, $6::bigint, $7::bigint, $7::bigint) "
    "RETURNING id";

enum bm_rc
pg_eval_followup_insert(struct bm_store *st, const struct bm_eval_followup *f, int64_t now,
                        int64_t *id, struct bm_err *err)
{
    struct pq_args a = {0};

    BM_ASSERT(st->in_tx);
    pq_i64(&a, f->period_id);
    pq_i64(&a, f->township_id);
    pq_str(&a, f->kind);
    pq_str(&a, f->note);
    pq_i64(&a, f->due_day);
    pq_i64(&a, f->created_by);
    pq_i64(&a, now);
    return insert_id(st, SQL_FOLLOWUP_INSERT, &a, "eval followup insert", id, err);
}

#define FOLLOWUP_COLS                                                                          \
    "f.id, f.period_id, f.township_id, f.version, f.created_by, f.created_at, f.updated_at, "   \
    "f.done_at, f.kind, f.note, f.status, f.result, f.due_day, o.name, o.path "                 \
    "FROM eval_followups f JOIN org_units o ON o.id = f.township_id "

static enum bm_rc
read_followup(const PGresult *r, int row, struct bm_arena *a, struct bm_eval_followup *f,
              struct bm_err *err)
{
    bool ok = true;
    f->id = pq_int(r, row, 0);
    f->period_id = pq_int(r, row, 1);
    f->township_id = pq_int(r, row, 2);
    f->version = pq_int(r, row, 3);
    f->created_by = pq_int(r, row, 4);
    f->created_at = pq_int(r, row, 5);
    f->updated_at = pq_int(r, row, 6);
    f->done_at = pq_int(r, row, 7);
    f->kind = txt(a, r, row, 8, &ok);
    f->note = txt(a, r, row, 9, &ok);
    f->status = txt(a, r, row, 10, &ok);
    f->result = txt(a, r, row, 11, &ok);
    f->due_day = (bm_day)pq_int(r, row, 12);
    f->township_name = txt(a, r, row, 13, &ok);
    f->township_path = txt(a, r, row, 14, &ok);
    return ok ? BM_OK : too_big(err);
}

static const char SQL_FOLLOWUP_GET[] = "SELECT " FOLLOWUP_COLS "WHERE f.id = $1::bigint";

enum bm_rc
pg_eval_followup_get(struct bm_store *st, int64_t id, struct bm_arena *ar,
                     struct bm_eval_followup *out, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc;

    pq_i64(&a, id);
    if ((r = pq_run(st, SQL_FOLLOWUP_GET, &a, "eval followup get", err)) == NULL)
        return err->rc;
    rc = PQntuples(r) == 1 ? read_followup(r, 0, ar, out, err)
                           : bm_err_set(err, BM_ENOTFOUND, "跟踪记录不存在");
    PQclear(r);
    return rc;
}

static const char SQL_FOLLOWUPS_LIST[] =
    "SELECT " FOLLOWUP_COLS "WHERE f.period_id = $1::bigint ORDER BY f.id LIMIT 1000";

enum bm_rc
pg_eval_followups_list(struct bm_store *st, int64_t period_id, struct bm_arena *ar,
                       struct bm_eval_followup **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc = BM_OK;
    int rows, i;

    pq_i64(&a, period_id);
    if ((r = pq_run(st, SQL_FOLLOWUPS_LIST, &a, "eval followups list", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    if ((*out = rows_alloc(ar, rows, sizeof(**out))) == NULL) {
        PQclear(r);
        return too_big(err);
    }
    for (i = 0; rc == BM_OK && i < rows; i++)
        rc = read_followup(r, i, ar, &(*out)[i], err);
    *n = (size_t)i;
    PQclear(r);
    return rc;
}

static const char SQL_FOLLOWUP_UPDATE[] =
    "UPDATE eval_followups SET status = $3, result = $4, done_at = $5::bigint, "
    "version = version + 1, updated_at = $6::bigint WHERE id = $1::bigint AND version = $2::bigint";
static const char SQL_FOLLOWUP_EXISTS[] = "SELECT 1 FROM eval_followups WHERE id = $1::bigint";

enum bm_rc
pg_eval_followup_update(struct bm_store *st, const struct bm_eval_followup *f, int64_t now,
                        struct bm_err *err)
{
    struct pq_args a = {0};
    int64_t changed = 0;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    pq_i64(&a, f->id);
    pq_i64(&a, f->version);
    pq_str(&a, f->status);
    pq_str(&a, f->result);
    pq_i64(&a, f->done_at);
    pq_i64(&a, now);
    if ((rc = pq_exec(st, SQL_FOLLOWUP_UPDATE, &a, "eval followup update", &changed, err)) != BM_OK)
        return rc;
    return changed > 0 ? BM_OK
                       : stale_or_missing(st, SQL_FOLLOWUP_EXISTS, f->id, "跟踪记录不存在", err);
}
