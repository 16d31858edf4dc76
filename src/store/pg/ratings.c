/*
 * PostgreSQL: ratings (好差评) of cases and the rectification tasks of bad ratings. Mirrors
 * sqlite/ratings.c: ratings are only ever inserted; tasks move by version-checked updates.
 */
#include <string.h>

#include "store/pg/int.h"

#define RATING_COLS                                                                         \
    "r.id, r.county_code, r.case_id, r.kind, r.item_id, r.accepting_unit_id, "              \
    "r.handling_unit_id, coalesce(r.handler_id, 0), r.channel, r.level, r.reasons, "        \
    "r.comment, r.is_default, coalesce(r.recorded_by, 0), r.created_at, c.case_no, i.name, " \
    "o.name, o.path, CASE WHEN EXISTS (SELECT 1 FROM rectifications x WHERE x.rating_id = "  \
    "r.id AND x.status = 'upheld') THEN 1 ELSE 0 END, ao.path "
#define RATING_FROM                                                                         \
    "FROM ratings r JOIN cases c ON c.id = r.case_id JOIN items i ON i.id = r.item_id "      \
    "JOIN org_units o ON o.id = r.handling_unit_id JOIN org_units ao ON "                  \
    "ao.id = r.accepting_unit_id "

/* Reads every row of `r` (a RATING_COLS result) into a new arena array; clears `r`. */
static enum bm_rc
read_ratings(PGresult *r, struct bm_arena *a, struct bm_rating **out, size_t *n,
             struct bm_err *err)
{
    int rows = PQntuples(r);
    struct bm_rating *rs = bm_arena_alloc(a, sizeof(*rs) * (size_t)(rows + 1));
    enum bm_rc rc = BM_OK;

    *n = 0;
    if (rs == NULL)
        rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    for (int i = 0; rc == BM_OK && i < rows; i++) {
        struct bm_rating *x = &rs[(*n)++];
        memset(x, 0, sizeof(*x));
        x->id = pq_int(r, i, 0);
        x->county_code = pq_text(a, r, i, 1);
        x->case_id = pq_int(r, i, 2);
        x->is_follow_up = strcmp(PQgetvalue(r, i, 3), "follow_up") == 0;
        x->item_id = pq_int(r, i, 4);
        x->accepting_unit_id = pq_int(r, i, 5);
        x->handling_unit_id = pq_int(r, i, 6);
        x->handler_id = pq_int(r, i, 7);
        x->channel = pq_text(a, r, i, 8);
        x->level = (int)pq_int(r, i, 9);
        x->reasons = pq_text(a, r, i, 10);
        x->comment = pq_text(a, r, i, 11);
        x->is_default = pq_int(r, i, 12) != 0;
        x->recorded_by = pq_int(r, i, 13);
        x->created_at = pq_int(r, i, 14);
        x->case_no = pq_text(a, r, i, 15);
        x->item_name = pq_text(a, r, i, 16);
        x->handling_unit_name = pq_text(a, r, i, 17);
        x->handling_path = pq_text(a, r, i, 18);
        x->is_excluded = pq_int(r, i, 19) != 0;
        x->accepting_path = pq_text(a, r, i, 20);
        if (!x->county_code || !x->channel || !x->reasons || !x->comment || !x->case_no ||
            !x->item_name || !x->handling_unit_name || !x->handling_path || !x->accepting_path)
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    }
    PQclear(r);
    if (rc == BM_OK)
        *out = rs;
    return rc;
}

static const char SQL_RATING_INSERT[] =
    "INSERT INTO ratings (county_code, case_id, kind, item_id, accepting_unit_id, "
    "handling_unit_id, handler_id, channel, level, reasons, comment, is_default, recorded_by, "
    "created_at) VALUES ((SELECT county_code FROM cases WHERE id = $1::bigint), $1::bigint, $2, "
    "$3::bigint, $4::bigint, $5::bigint, nullif($6::bigint, 0), $7, $8::bigint, $9, $10, "
    "$11::bigint, nullif($12::bigint, 0), $13::bigint) RETURNING id";

enum bm_rc
pg_rating_insert(struct bm_store *st, const struct bm_rating *r, int64_t *id, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *res;

    BM_ASSERT(st->in_tx);
    pq_i64(&a, r->case_id);
    pq_str(&a, r->is_follow_up ? "follow_up" : "initial");
    pq_i64(&a, r->item_id);
    pq_i64(&a, r->accepting_unit_id);
    pq_i64(&a, r->handling_unit_id);
    pq_i64(&a, r->handler_id);
    pq_str(&a, r->channel);
    pq_i64(&a, r->level);
    pq_str(&a, r->reasons);
    pq_str(&a, r->comment);
    pq_i64(&a, r->is_default ? 1 : 0);
    pq_i64(&a, r->recorded_by);
    pq_i64(&a, r->created_at);
    if ((res = pq_run(st, SQL_RATING_INSERT, &a, "rating insert", err)) == NULL) {
        if (err->rc == BM_ECONFLICT)
            return bm_err_set(err, BM_ECONFLICT, r->is_follow_up ? "该办件已追评，不能再次追评"
                                                                 : "该办件已评价，不能重复评价");
        return err->rc;
    }
    *id = pq_int(res, 0, 0);
    PQclear(res);
    return BM_OK;
}

static const char SQL_RATING_GET[] = "SELECT " RATING_COLS RATING_FROM "WHERE r.id = $1::bigint";

enum bm_rc
pg_rating_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_rating *out,
              struct bm_err *err)
{
    struct pq_args args = {0};
    struct bm_rating *rs;
    size_t n = 0;
    PGresult *r;
    enum bm_rc rc;

    pq_i64(&args, id);
    if ((r = pq_run(st, SQL_RATING_GET, &args, "rating get", err)) == NULL)
        return err->rc;
    if ((rc = read_ratings(r, a, &rs, &n, err)) != BM_OK)
        return rc;
    if (n == 0)
        return bm_err_set(err, BM_ENOTFOUND, "评价不存在");
    *out = rs[0];
    return BM_OK;
}

static const char SQL_RATINGS_OF_CASE[] =
    "SELECT " RATING_COLS RATING_FROM "WHERE r.case_id = $1::bigint ORDER BY r.id";

enum bm_rc
pg_ratings_of_case(struct bm_store *st, int64_t case_id, struct bm_arena *a,
                   struct bm_rating **out, size_t *n, struct bm_err *err)
{
    struct pq_args args = {0};
    PGresult *r;

    pq_i64(&args, case_id);
    if ((r = pq_run(st, SQL_RATINGS_OF_CASE, &args, "ratings of case", err)) == NULL)
        return err->rc;
    return read_ratings(r, a, out, n, err);
}

static const char SQL_RATINGS_LIST[] =
    "SELECT " RATING_COLS RATING_FROM
    "WHERE (o.path LIKE $1 OR ao.path LIKE $1) AND ($2::bigint = 0 OR r.handling_unit_id = "
    "$2::bigint) "
    "AND ($3::bigint = 0 OR r.level = $3::bigint) AND ($4::bigint = 0 OR r.created_at >= "
    "$4::bigint) AND ($5::bigint = 0 OR r.created_at < $5::bigint) AND ($6::bigint = 0 OR "
    "r.id < $6::bigint) ORDER BY r.id DESC LIMIT $7::bigint";

enum bm_rc
pg_ratings_list(struct bm_store *st, const struct bm_rating_query *q, struct bm_arena *a,
                struct bm_rating **out, size_t *n, struct bm_err *err)
{
    struct pq_args args = {0};
    const char *pat = pq_prefix(a, q->scope_prefix ? q->scope_prefix : "");
    PGresult *r;

    if (pat == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    pq_str(&args, pat);
    pq_i64(&args, q->handling_unit_id);
    pq_i64(&args, q->level);
    pq_i64(&args, q->from);
    pq_i64(&args, q->to);
    pq_i64(&args, q->after_id);
    pq_i64(&args, q->limit + 1);
    if ((r = pq_run(st, SQL_RATINGS_LIST, &args, "ratings list", err)) == NULL)
        return err->rc;
    return read_ratings(r, a, out, n, err);
}

static const char SQL_RATING_COUNTS[] =
    "SELECT r.level, count(*) FROM ratings r JOIN org_units o ON o.id = r.handling_unit_id "
    "WHERE r.kind = 'initial' AND o.path LIKE $1 AND ($2::bigint = 0 OR r.created_at >= "
    "$2::bigint) AND ($3::bigint = 0 OR r.created_at < $3::bigint) AND NOT EXISTS (SELECT 1 "
    "FROM rectifications x WHERE x.rating_id = r.id AND x.status = 'upheld') GROUP BY r.level";

enum bm_rc
pg_rating_counts(struct bm_store *st, const char *handling_prefix, int64_t from, int64_t to,
                 int64_t counts[6], struct bm_err *err)
{
    struct pq_args args = {0};
    struct bm_arena *a = bm_arena_new(4096);
    const char *pat = pq_prefix(a, handling_prefix ? handling_prefix : "");
    PGresult *r;

    memset(counts, 0, sizeof(int64_t) * 6);
    if (pat == NULL) {
        bm_arena_free(a);
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    }
    pq_str(&args, pat);
    pq_i64(&args, from);
    pq_i64(&args, to);
    r = pq_run(st, SQL_RATING_COUNTS, &args, "rating counts", err);
    bm_arena_free(a);
    if (r == NULL)
        return err->rc;
    for (int i = 0; i < PQntuples(r); i++) {
        int64_t level = pq_int(r, i, 0);
        if (level >= BM_RATING_MIN && level <= BM_RATING_MAX)
            counts[level] = pq_int(r, i, 1);
    }
    PQclear(r);
    return BM_OK;
}

/* ---- rectification ---- */

#define RECT_COLS                                                                           \
    "x.id, x.county_code, x.rating_id, x.case_id, x.unit_id, x.status, x.callback_due, "     \
    "x.rectify_due, x.appeal_due, x.called_back_at, x.callback_note, x.resolved_at, "        \
    "x.outcome, x.appeal_note, x.decision_note, x.closed_at, x.version, x.created_at, "      \
    "x.updated_at, c.case_no, o.name, o.path, r.level "
#define RECT_FROM                                                                           \
    "FROM rectifications x JOIN cases c ON c.id = x.case_id JOIN org_units o ON "           \
    "o.id = x.unit_id JOIN ratings r ON r.id = x.rating_id "

static enum bm_rc
read_rects(PGresult *r, struct bm_arena *a, struct bm_rectification **out, size_t *n,
           struct bm_err *err)
{
    int rows = PQntuples(r);
    struct bm_rectification *rs = bm_arena_alloc(a, sizeof(*rs) * (size_t)(rows + 1));
    enum bm_rc rc = BM_OK;

    *n = 0;
    if (rs == NULL)
        rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    for (int i = 0; rc == BM_OK && i < rows; i++) {
        struct bm_rectification *x = &rs[(*n)++];
        int k = bm_code_find(bm_rect_statuses, PQgetvalue(r, i, 5));
        memset(x, 0, sizeof(*x));
        x->id = pq_int(r, i, 0);
        x->county_code = pq_text(a, r, i, 1);
        x->rating_id = pq_int(r, i, 2);
        x->case_id = pq_int(r, i, 3);
        x->unit_id = pq_int(r, i, 4);
        x->st.status = k < 0 ? BM_RECT_OPEN : (enum bm_rect_status)k;
        x->callback_due = (bm_day)pq_int(r, i, 6);
        x->rectify_due = (bm_day)pq_int(r, i, 7);
        x->appeal_due = (bm_day)pq_int(r, i, 8);
        x->called_back_at = pq_int(r, i, 9);
        x->st.is_called_back = x->called_back_at != 0;
        x->callback_note = pq_text(a, r, i, 10);
        x->resolved_at = pq_int(r, i, 11);
        x->outcome = pq_text(a, r, i, 12);
        x->appeal_note = pq_text(a, r, i, 13);
        x->decision_note = pq_text(a, r, i, 14);
        x->closed_at = pq_int(r, i, 15);
        x->version = pq_int(r, i, 16);
        x->created_at = pq_int(r, i, 17);
        x->updated_at = pq_int(r, i, 18);
        x->case_no = pq_text(a, r, i, 19);
        x->unit_name = pq_text(a, r, i, 20);
        x->unit_path = pq_text(a, r, i, 21);
        x->level = (int)pq_int(r, i, 22);
        if (k < 0)
            rc = bm_err_set(err, BM_EINTERNAL, "整改任务状态无效");
        else if (!x->county_code || !x->callback_note || !x->outcome || !x->appeal_note ||
                 !x->decision_note || !x->case_no || !x->unit_name || !x->unit_path)
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    }
    PQclear(r);
    if (rc == BM_OK)
        *out = rs;
    return rc;
}

static const char SQL_RECT_INSERT[] =
    "INSERT INTO rectifications (county_code, rating_id, case_id, unit_id, status, "
    "callback_due, rectify_due, appeal_due, created_at, updated_at) VALUES ((SELECT "
    "county_code FROM cases WHERE id = $2::bigint), $1::bigint, $2::bigint, $3::bigint, $4, "
    "$5::bigint, $6::bigint, $7::bigint, $8::bigint, $8::bigint) RETURNING id";

enum bm_rc
pg_rect_insert(struct bm_store *st, const struct bm_rectification *r, int64_t now, int64_t *id,
               struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *res;

    BM_ASSERT(st->in_tx);
    pq_i64(&a, r->rating_id);
    pq_i64(&a, r->case_id);
    pq_i64(&a, r->unit_id);
    pq_str(&a, bm_rect_statuses[r->st.status].code);
    pq_i64(&a, r->callback_due);
    pq_i64(&a, r->rectify_due);
    pq_i64(&a, r->appeal_due);
    pq_i64(&a, now);
    if ((res = pq_run(st, SQL_RECT_INSERT, &a, "rectification insert", err)) == NULL)
        return err->rc;
    *id = pq_int(res, 0, 0);
    PQclear(res);
    return BM_OK;
}

static const char SQL_RECT_GET[] = "SELECT " RECT_COLS RECT_FROM "WHERE x.id = $1::bigint";

enum bm_rc
pg_rect_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_rectification *out,
            struct bm_err *err)
{
    struct pq_args args = {0};
    struct bm_rectification *rs;
    size_t n = 0;
    PGresult *r;
    enum bm_rc rc;

    pq_i64(&args, id);
    if ((r = pq_run(st, SQL_RECT_GET, &args, "rectification get", err)) == NULL)
        return err->rc;
    if ((rc = read_rects(r, a, &rs, &n, err)) != BM_OK)
        return rc;
    if (n == 0)
        return bm_err_set(err, BM_ENOTFOUND, "整改任务不存在");
    *out = rs[0];
    return BM_OK;
}

static const char SQL_RECT_UPDATE[] =
    "UPDATE rectifications SET status = $1, called_back_at = $2::bigint, callback_note = $3, "
    "resolved_at = $4::bigint, outcome = $5, appeal_note = $6, decision_note = $7, "
    "closed_at = $8::bigint, version = version + 1, updated_at = $9::bigint "
    "WHERE id = $10::bigint AND version = $11::bigint";

enum bm_rc
pg_rect_update(struct bm_store *st, const struct bm_rectification *r, int64_t now,
               struct bm_err *err)
{
    struct pq_args a = {0};
    int64_t changed = 0;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    pq_str(&a, bm_rect_statuses[r->st.status].code);
    pq_i64(&a, r->called_back_at);
    pq_str(&a, r->callback_note);
    pq_i64(&a, r->resolved_at);
    pq_str(&a, r->outcome);
    pq_str(&a, r->appeal_note);
    pq_str(&a, r->decision_note);
    pq_i64(&a, r->closed_at);
    pq_i64(&a, now);
    pq_i64(&a, r->id);
    pq_i64(&a, r->version);
    rc = pq_exec(st, SQL_RECT_UPDATE, &a, "rectification update", &changed, err);
    if (rc == BM_OK && changed == 0)
        rc = bm_err_set(err, BM_ESTALE, "整改任务已被他人修改，请刷新后重试");
    return rc;
}

static const char SQL_RECTS_LIST[] =
    "SELECT " RECT_COLS RECT_FROM
    "WHERE o.path LIKE $1 AND ($2 = '' OR x.status = $2) AND ($3::bigint = 0 OR x.case_id = "
    "$3::bigint) AND ($4::bigint = -2147483648 OR (x.status = 'open' AND x.callback_due < "
    "$4::bigint) OR (x.status IN ('open', 'called_back', 'appealed') AND x.rectify_due < "
    "$4::bigint)) AND ($5::bigint = 0 OR x.id < $5::bigint) ORDER BY x.id DESC LIMIT $6::bigint";

enum bm_rc
pg_rects_list(struct bm_store *st, const struct bm_rect_query *q, struct bm_arena *a,
              struct bm_rectification **out, size_t *n, struct bm_err *err)
{
    struct pq_args args = {0};
    const char *pat = pq_prefix(a, q->unit_prefix ? q->unit_prefix : "");
    PGresult *r;

    if (pat == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    pq_str(&args, pat);
    pq_str(&args, q->status ? q->status : "");
    pq_i64(&args, q->case_id);
    pq_i64(&args, q->overdue_on);
    pq_i64(&args, q->after_id);
    pq_i64(&args, q->limit + 1);
    if ((r = pq_run(st, SQL_RECTS_LIST, &args, "rectifications list", err)) == NULL)
        return err->rc;
    return read_rects(r, a, out, n, err);
}
