/*
 * SQLite: ratings (好差评) of cases and the rectification tasks of bad ratings. Ratings are
 * only ever inserted; a task moves through its states by version-checked updates.
 */
#include <string.h>

#include "store/sqlite/int.h"

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

static enum bm_rc
read_rating(sqlite3_stmt *s, struct bm_arena *a, struct bm_rating *r, struct bm_err *err)
{
    memset(r, 0, sizeof(*r));
    r->id = sqlite3_column_int64(s, 0);
    r->county_code = sq_text(a, s, 1);
    r->case_id = sqlite3_column_int64(s, 2);
    r->is_follow_up = strcmp((const char *)sqlite3_column_text(s, 3), "follow_up") == 0;
    r->item_id = sqlite3_column_int64(s, 4);
    r->accepting_unit_id = sqlite3_column_int64(s, 5);
    r->handling_unit_id = sqlite3_column_int64(s, 6);
    r->handler_id = sqlite3_column_int64(s, 7);
    r->channel = sq_text(a, s, 8);
    r->level = sqlite3_column_int(s, 9);
    r->reasons = sq_text(a, s, 10);
    r->comment = sq_text(a, s, 11);
    r->is_default = sqlite3_column_int(s, 12) != 0;
    r->recorded_by = sqlite3_column_int64(s, 13);
    r->created_at = sqlite3_column_int64(s, 14);
    r->case_no = sq_text(a, s, 15);
    r->item_name = sq_text(a, s, 16);
    r->handling_unit_name = sq_text(a, s, 17);
    r->handling_path = sq_text(a, s, 18);
    r->is_excluded = sqlite3_column_int(s, 19) != 0;
    r->accepting_path = sq_text(a, s, 20);
    if (!r->county_code || !r->channel || !r->reasons || !r->comment || !r->case_no ||
        !r->item_name || !r->handling_unit_name || !r->handling_path || !r->accepting_path)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    return BM_OK;
}

/* Steps `s` to the end, reading at most `cap` ratings into a new arena array. */
static enum bm_rc
read_ratings(struct bm_store *st, sqlite3_stmt *s, size_t cap, struct bm_arena *a,
             struct bm_rating **out, size_t *n, struct bm_err *err)
{
    enum bm_rc rc = BM_OK;
    int src = SQLITE_DONE;
    struct bm_rating *rs = bm_arena_alloc(a, sizeof(*rs) * (cap + 1));

    *n = 0;
    if (rs == NULL)
        rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    while (rc == BM_OK && *n < cap && (src = sqlite3_step(s)) == SQLITE_ROW)
        rc = read_rating(s, a, &rs[(*n)++], err);
    if (rc == BM_OK && src != SQLITE_DONE && src != SQLITE_ROW)
        rc = sq_fail(st, src, "ratings", err);
    sq_done(s);
    if (rc == BM_OK)
        *out = rs;
    return rc;
}

static const char SQL_RATING_INSERT[] =
    "INSERT INTO ratings (county_code, case_id, kind, item_id, accepting_unit_id, "
    "handling_unit_id, handler_id, channel, level, reasons, comment, is_default, recorded_by, "
    "created_at) VALUES ((SELECT county_code FROM cases WHERE id = ?1), ?1, ?2, ?3, ?4, ?5, "
    "nullif(?6, 0), ?7, ?8, ?9, ?10, ?11, nullif(?12, 0), ?13)";

enum bm_rc
sqlite_rating_insert(struct bm_store *st, const struct bm_rating *r, int64_t *id,
                     struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_RATING_INSERT, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, r->case_id);
    sq_bind_text(s, 2, r->is_follow_up ? "follow_up" : "initial");
    sqlite3_bind_int64(s, 3, r->item_id);
    sqlite3_bind_int64(s, 4, r->accepting_unit_id);
    sqlite3_bind_int64(s, 5, r->handling_unit_id);
    sqlite3_bind_int64(s, 6, r->handler_id);
    sq_bind_text(s, 7, r->channel);
    sqlite3_bind_int(s, 8, r->level);
    sq_bind_text(s, 9, r->reasons);
    sq_bind_text(s, 10, r->comment);
    sqlite3_bind_int(s, 11, r->is_default ? 1 : 0);
    sqlite3_bind_int64(s, 12, r->recorded_by);
    sqlite3_bind_int64(s, 13, r->created_at);
    rc = sq_exec(st, s, "rating insert", err);
    if (rc == BM_ECONFLICT)
        return bm_err_set(err, BM_ECONFLICT, r->is_follow_up ? "该办件已追评，不能再次追评"
                                                             : "该办件已评价，不能重复评价");
    if (rc == BM_OK)
        *id = sqlite3_last_insert_rowid(sq_db(st));
    return rc;
}

static const char SQL_RATING_GET[] = "SELECT " RATING_COLS RATING_FROM "WHERE r.id = ?1";

enum bm_rc
sqlite_rating_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_rating *out,
                  struct bm_err *err)
{
    sqlite3_stmt *s;
    struct bm_rating *rs;
    size_t n = 0;
    enum bm_rc rc;

    if ((rc = sq_prepare(st, SQL_RATING_GET, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    if ((rc = read_ratings(st, s, 1, a, &rs, &n, err)) != BM_OK)
        return rc;
    if (n == 0)
        return bm_err_set(err, BM_ENOTFOUND, "评价不存在");
    *out = rs[0];
    return BM_OK;
}

static const char SQL_RATINGS_OF_CASE[] =
    "SELECT " RATING_COLS RATING_FROM "WHERE r.case_id = ?1 ORDER BY r.id";

enum bm_rc
sqlite_ratings_of_case(struct bm_store *st, int64_t case_id, struct bm_arena *a,
                       struct bm_rating **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    if ((rc = sq_prepare(st, SQL_RATINGS_OF_CASE, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, case_id);
    return read_ratings(st, s, 2, a, out, n, err);
}

static const char SQL_RATINGS_LIST[] =
    "SELECT " RATING_COLS RATING_FROM
    "WHERE (o.path LIKE ?1 ESCAPE '\\' OR ao.path LIKE ?1 ESCAPE '\\') "
    "AND (?2 = 0 OR r.handling_unit_id = ?2) "
    "AND (?3 = 0 OR r.level = ?3) AND (?4 = 0 OR r.created_at >= ?4) "
    "AND (?5 = 0 OR r.created_at < ?5) AND (?6 = 0 OR r.id < ?6) ORDER BY r.id DESC LIMIT ?7";

enum bm_rc
sqlite_ratings_list(struct bm_store *st, const struct bm_rating_query *q, struct bm_arena *a,
                    struct bm_rating **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    if ((rc = sq_prepare(st, SQL_RATINGS_LIST, &s, err)) != BM_OK)
        return rc;
    if (sq_bind_prefix(s, 1, q->scope_prefix ? q->scope_prefix : "", a) != SQLITE_OK) {
        sq_done(s);
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    }
    sqlite3_bind_int64(s, 2, q->handling_unit_id);
    sqlite3_bind_int(s, 3, q->level);
    sqlite3_bind_int64(s, 4, q->from);
    sqlite3_bind_int64(s, 5, q->to);
    sqlite3_bind_int64(s, 6, q->after_id);
    sqlite3_bind_int(s, 7, q->limit + 1);
    return read_ratings(st, s, (size_t)q->limit + 1, a, out, n, err);
}

static const char SQL_RATING_COUNTS[] =
    "SELECT r.level, count(*) FROM ratings r JOIN org_units o ON o.id = r.handling_unit_id "
    "WHERE r.kind = 'initial' AND o.path LIKE ?1 ESCAPE '\\' AND (?2 = 0 OR r.created_at >= ?2) "
    "AND (?3 = 0 OR r.created_at < ?3) AND NOT EXISTS (SELECT 1 FROM rectifications x "
    "WHERE x.rating_id = r.id AND x.status = 'upheld') GROUP BY r.level";

enum bm_rc
sqlite_rating_counts(struct bm_store *st, const char *handling_prefix, int64_t from, int64_t to,
                     int64_t counts[6], struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src;
    struct bm_arena *a = bm_arena_new(4096);

    memset(counts, 0, sizeof(int64_t) * 6);
    if ((rc = sq_prepare(st, SQL_RATING_COUNTS, &s, err)) != BM_OK) {
        bm_arena_free(a);
        return rc;
    }
    if (sq_bind_prefix(s, 1, handling_prefix ? handling_prefix : "", a) != SQLITE_OK) {
        sq_done(s);
        bm_arena_free(a);
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    }
    sqlite3_bind_int64(s, 2, from);
    sqlite3_bind_int64(s, 3, to);
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        int level = sqlite3_column_int(s, 0);
        if (level >= BM_RATING_MIN && level <= BM_RATING_MAX)
            counts[level] = sqlite3_column_int64(s, 1);
    }
    if (src != SQLITE_DONE)
        rc = sq_fail(st, src, "rating counts", err);
    sq_done(s);
    bm_arena_free(a);
    return rc;
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
read_rect(sqlite3_stmt *s, struct bm_arena *a, struct bm_rectification *r, struct bm_err *err)
{
    int k;

    memset(r, 0, sizeof(*r));
    r->id = sqlite3_column_int64(s, 0);
    r->county_code = sq_text(a, s, 1);
    r->rating_id = sqlite3_column_int64(s, 2);
    r->case_id = sqlite3_column_int64(s, 3);
    r->unit_id = sqlite3_column_int64(s, 4);
    k = bm_code_find(bm_rect_statuses, (const char *)sqlite3_column_text(s, 5));
    r->st.status = k < 0 ? BM_RECT_OPEN : (enum bm_rect_status)k;
    r->callback_due = (bm_day)sqlite3_column_int64(s, 6);
    r->rectify_due = (bm_day)sqlite3_column_int64(s, 7);
    r->appeal_due = (bm_day)sqlite3_column_int64(s, 8);
    r->called_back_at = sqlite3_column_int64(s, 9);
    r->st.is_called_back = r->called_back_at != 0;
    r->callback_note = sq_text(a, s, 10);
    r->resolved_at = sqlite3_column_int64(s, 11);
    r->outcome = sq_text(a, s, 12);
    r->appeal_note = sq_text(a, s, 13);
    r->decision_note = sq_text(a, s, 14);
    r->closed_at = sqlite3_column_int64(s, 15);
    r->version = sqlite3_column_int64(s, 16);
    r->created_at = sqlite3_column_int64(s, 17);
    r->updated_at = sqlite3_column_int64(s, 18);
    r->case_no = sq_text(a, s, 19);
    r->unit_name = sq_text(a, s, 20);
    r->unit_path = sq_text(a, s, 21);
    r->level = sqlite3_column_int(s, 22);
    if (k < 0)
        return bm_err_set(err, BM_EINTERNAL, "整改任务状态无效");
    if (!r->county_code || !r->callback_note || !r->outcome || !r->appeal_note ||
        !r->decision_note || !r->case_no || !r->unit_name || !r->unit_path)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    return BM_OK;
}

static enum bm_rc
read_rects(struct bm_store *st, sqlite3_stmt *s, size_t cap, struct bm_arena *a,
           struct bm_rectification **out, size_t *n, struct bm_err *err)
{
    enum bm_rc rc = BM_OK;
    int src = SQLITE_DONE;
    struct bm_rectification *rs = bm_arena_alloc(a, sizeof(*rs) * (cap + 1));

    *n = 0;
    if (rs == NULL)
        rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    while (rc == BM_OK && *n < cap && (src = sqlite3_step(s)) == SQLITE_ROW)
        rc = read_rect(s, a, &rs[(*n)++], err);
    if (rc == BM_OK && src != SQLITE_DONE && src != SQLITE_ROW)
        rc = sq_fail(st, src, "rectifications", err);
    sq_done(s);
    if (rc == BM_OK)
        *out = rs;
    return rc;
}

static const char SQL_RECT_INSERT[] =
    "INSERT INTO rectifications (county_code, rating_id, case_id, unit_id, status, "
    "callback_due, rectify_due, appeal_due, created_at, updated_at) VALUES ((SELECT "
    "county_code FROM cases WHERE id = ?2), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)";

enum bm_rc
sqlite_rect_insert(struct bm_store *st, const struct bm_rectification *r, int64_t now,
                   int64_t *id, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_RECT_INSERT, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, r->rating_id);
    sqlite3_bind_int64(s, 2, r->case_id);
    sqlite3_bind_int64(s, 3, r->unit_id);
    sq_bind_text(s, 4, bm_rect_statuses[r->st.status].code);
    sqlite3_bind_int64(s, 5, r->callback_due);
    sqlite3_bind_int64(s, 6, r->rectify_due);
    sqlite3_bind_int64(s, 7, r->appeal_due);
    sqlite3_bind_int64(s, 8, now);
    if ((rc = sq_exec(st, s, "rectification insert", err)) == BM_OK)
        *id = sqlite3_last_insert_rowid(sq_db(st));
    return rc;
}

static const char SQL_RECT_GET[] = "SELECT " RECT_COLS RECT_FROM "WHERE x.id = ?1";

enum bm_rc
sqlite_rect_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_rectification *out,
                struct bm_err *err)
{
    sqlite3_stmt *s;
    struct bm_rectification *rs;
    size_t n = 0;
    enum bm_rc rc;

    if ((rc = sq_prepare(st, SQL_RECT_GET, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    if ((rc = read_rects(st, s, 1, a, &rs, &n, err)) != BM_OK)
        return rc;
    if (n == 0)
        return bm_err_set(err, BM_ENOTFOUND, "整改任务不存在");
    *out = rs[0];
    return BM_OK;
}

static const char SQL_RECT_UPDATE[] =
    "UPDATE rectifications SET status = ?1, called_back_at = ?2, callback_note = ?3, "
    "resolved_at = ?4, outcome = ?5, appeal_note = ?6, decision_note = ?7, closed_at = ?8, "
    "version = version + 1, updated_at = ?9 WHERE id = ?10 AND version = ?11";

enum bm_rc
sqlite_rect_update(struct bm_store *st, const struct bm_rectification *r, int64_t now,
                   struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_RECT_UPDATE, &s, err)) != BM_OK)
        return rc;
    sq_bind_text(s, 1, bm_rect_statuses[r->st.status].code);
    sqlite3_bind_int64(s, 2, r->called_back_at);
    sq_bind_text(s, 3, r->callback_note);
    sqlite3_bind_int64(s, 4, r->resolved_at);
    sq_bind_text(s, 5, r->outcome);
    sq_bind_text(s, 6, r->appeal_note);
    sq_bind_text(s, 7, r->decision_note);
    sqlite3_bind_int64(s, 8, r->closed_at);
    sqlite3_bind_int64(s, 9, now);
    sqlite3_bind_int64(s, 10, r->id);
    sqlite3_bind_int64(s, 11, r->version);
    if ((rc = sq_exec(st, s, "rectification update", err)) != BM_OK)
        return rc;
    if (sqlite3_changes(sq_db(st)) == 0)
        return bm_err_set(err, BM_ESTALE, "整改任务已被他人修改，请刷新后重试");
    return BM_OK;
}

static const char SQL_RECTS_LIST[] =
    "SELECT " RECT_COLS RECT_FROM
    "WHERE o.path LIKE ?1 ESCAPE '\\' AND (?2 = '' OR x.status = ?2) "
    "AND (?3 = 0 OR x.case_id = ?3) AND (?4 = -2147483648 OR (x.status = 'open' AND "
    "x.callback_due < ?4) OR (x.status IN ('open', 'called_back', 'appealed') AND "
    "x.rectify_due < ?4)) AND (?5 = 0 OR x.id < ?5) ORDER BY x.id DESC LIMIT ?6";

enum bm_rc
sqlite_rects_list(struct bm_store *st, const struct bm_rect_query *q, struct bm_arena *a,
                  struct bm_rectification **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    if ((rc = sq_prepare(st, SQL_RECTS_LIST, &s, err)) != BM_OK)
        return rc;
    if (sq_bind_prefix(s, 1, q->unit_prefix ? q->unit_prefix : "", a) != SQLITE_OK) {
        sq_done(s);
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    }
    sq_bind_text(s, 2, q->status);
    sqlite3_bind_int64(s, 3, q->case_id);
    sqlite3_bind_int64(s, 4, q->overdue_on);
    sqlite3_bind_int64(s, 5, q->after_id);
    sqlite3_bind_int(s, 6, q->limit + 1);
    return read_rects(st, s, (size_t)q->limit + 1, a, out, n, err);
}
