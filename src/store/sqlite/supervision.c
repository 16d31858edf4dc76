/*
 * SQLite: supervision records (督办, 黄牌, 红牌).
 */
#include <string.h>

#include "store/sqlite/int.h"

#define SUP_COLS                                                                               \
    "r.id, r.county_code, r.kind, r.rule, r.status, coalesce(r.case_id, 0), "                  \
    "coalesce(c.case_no, ''), r.unit_id, o.name, o.path, coalesce(r.officer_id, 0), "          \
    "coalesce(u.display_name, ''), r.reason, r.issued_by, r.issued_at, r.answer_due_day, "     \
    "r.answer, r.appeal, r.decision, r.answered_by, r.answered_at, r.appealed_at, "            \
    "r.decided_by, r.decided_at, r.version"
#define SUP_FROM                                                                               \
    " FROM supervision_records r JOIN org_units o ON o.id = r.unit_id "                        \
    "LEFT JOIN cases c ON c.id = r.case_id LEFT JOIN users u ON u.id = r.officer_id "

static enum bm_rc
read_sup(sqlite3_stmt *s, struct bm_arena *a, struct bm_sup_record *r, struct bm_err *err)
{
    int kind = bm_code_find(bm_sup_kinds, (const char *)sqlite3_column_text(s, 2));
    int rule = bm_code_find(bm_sup_rules, (const char *)sqlite3_column_text(s, 3));
    int status = bm_code_find(bm_sup_statuses, (const char *)sqlite3_column_text(s, 4));

    memset(r, 0, sizeof(*r));
    if (kind < 0 || rule < 0 || status < 0)
        return bm_err_set(err, BM_EINTERNAL, "督办记录的类型或状态无法识别");
    r->id = sqlite3_column_int64(s, 0);
    r->county_code = sq_text(a, s, 1);
    r->kind = (enum bm_sup_kind)kind;
    r->rule = (enum bm_sup_rule)rule;
    r->status = (enum bm_sup_status)status;
    r->case_id = sqlite3_column_int64(s, 5);
    r->case_no = sq_text(a, s, 6);
    r->unit_id = sqlite3_column_int64(s, 7);
    r->unit_name = sq_text(a, s, 8);
    r->unit_path = sq_text(a, s, 9);
    r->officer_id = sqlite3_column_int64(s, 10);
    r->officer_name = sq_text(a, s, 11);
    r->reason = sq_text(a, s, 12);
    r->issued_by = sqlite3_column_int64(s, 13);
    r->issued_at = sqlite3_column_int64(s, 14);
    r->answer_due_day = (bm_day)sqlite3_column_int64(s, 15);
    r->answer = sq_text(a, s, 16);
    r->appeal = sq_text(a, s, 17);
    r->decision = sq_text(a, s, 18);
    r->answered_by = sqlite3_column_int64(s, 19);
    r->answered_at = sqlite3_column_int64(s, 20);
    r->appealed_at = sqlite3_column_int64(s, 21);
    r->decided_by = sqlite3_column_int64(s, 22);
    r->decided_at = sqlite3_column_int64(s, 23);
    r->version = sqlite3_column_int64(s, 24);
    if (!r->county_code || !r->case_no || !r->unit_name || !r->unit_path || !r->officer_name ||
        !r->reason || !r->answer || !r->appeal || !r->decision)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    return BM_OK;
}

static const char SQL_SUP_INSERT[] =
    "INSERT INTO supervision_records (county_code, kind, rule, status, case_id, unit_id, "
    "officer_id, reason, issued_by, issued_at, answer_due_day) VALUES ((SELECT county_code "
    "FROM org_units WHERE id = ?5), ?1, ?2, ?3, nullif(?4, 0), ?5, nullif(?6, 0), ?7, ?8, ?9, "
    "?10)";

enum bm_rc
sqlite_sup_insert(struct bm_store *st, const struct bm_sup_record *r, int64_t *id,
                  struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_SUP_INSERT, &s, err)) != BM_OK)
        return rc;
    sq_bind_text(s, 1, bm_sup_kinds[r->kind].code);
    sq_bind_text(s, 2, bm_sup_rules[r->rule].code);
    sq_bind_text(s, 3, bm_sup_statuses[r->status].code);
    sqlite3_bind_int64(s, 4, r->case_id);
    sqlite3_bind_int64(s, 5, r->unit_id);
    sqlite3_bind_int64(s, 6, r->officer_id);
    sq_bind_text(s, 7, r->reason);
    sqlite3_bind_int64(s, 8, r->issued_by);
    sqlite3_bind_int64(s, 9, r->issued_at);
    sqlite3_bind_int64(s, 10, r->answer_due_day);
    if ((rc = sq_exec(st, s, "supervision insert", err)) == BM_OK)
        *id = sqlite3_last_insert_rowid(sq_db(st));
    return rc;
}

static const char SQL_SUP_GET[] = "SELECT " SUP_COLS SUP_FROM "WHERE r.id = ?1";

enum bm_rc
sqlite_sup_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_sup_record *out,
               struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src;

    if ((rc = sq_prepare(st, SQL_SUP_GET, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW)
        rc = read_sup(s, a, out, err);
    else if (src == SQLITE_DONE)
        rc = bm_err_set(err, BM_ENOTFOUND, "督办记录不存在");
    else
        rc = sq_fail(st, src, "supervision get", err);
    sq_done(s);
    return rc;
}

/* Filters that are off compare with a neutral value, so one text serves every shape (the
 * lists are short: a unit's records, or the county's open ones). */
static const char SQL_SUP_LIST[] =
    "SELECT " SUP_COLS SUP_FROM
    "WHERE (?1 = '' OR o.path LIKE ?1 ESCAPE '\\') AND (?2 = 0 OR r.case_id = ?2) AND "
    "(?3 = '' OR r.kind = ?3) AND (?4 = '' OR r.status = ?4) AND r.id < ?5 "
    "ORDER BY r.id DESC LIMIT ?6";

enum bm_rc
sqlite_sup_list(struct bm_store *st, const struct bm_sup_query *q, struct bm_arena *a,
                struct bm_sup_record **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src = SQLITE_DONE, limit = q->limit > 0 ? q->limit : 20;

    *n = 0;
    if ((*out = bm_arena_alloc(a, sizeof(**out) * (size_t)(limit + 1))) == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    if ((rc = sq_prepare(st, SQL_SUP_LIST, &s, err)) != BM_OK)
        return rc;
    if (q->scope_prefix != NULL && q->scope_prefix[0])
        sq_bind_prefix(s, 1, q->scope_prefix, a);
    else
        sq_bind_text(s, 1, "");
    sqlite3_bind_int64(s, 2, q->case_id);
    sq_bind_text(s, 3, q->kind >= 0 ? bm_sup_kinds[q->kind].code : "");
    sq_bind_text(s, 4, q->status >= 0 ? bm_sup_statuses[q->status].code : "");
    sqlite3_bind_int64(s, 5, q->after_id > 0 ? q->after_id : INT64_MAX);
    sqlite3_bind_int(s, 6, limit + 1);
    while (rc == BM_OK && *n < (size_t)limit + 1 && (src = sqlite3_step(s)) == SQLITE_ROW)
        if ((rc = read_sup(s, a, &(*out)[*n], err)) == BM_OK)
            (*n)++;
    if (rc == BM_OK && src != SQLITE_DONE && src != SQLITE_ROW)
        rc = sq_fail(st, src, "supervision list", err);
    sq_done(s);
    return rc;
}

static const char SQL_SUP_UPDATE[] =
    "UPDATE supervision_records SET status = ?3, answer = ?4, answered_by = ?5, "
    "answered_at = ?6, appeal = ?7, appealed_at = ?8, decision = ?9, decided_by = ?10, "
    "decided_at = ?11, version = version + 1 WHERE id = ?1 AND version = ?2";

enum bm_rc
sqlite_sup_update(struct bm_store *st, const struct bm_sup_record *r, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_SUP_UPDATE, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, r->id);
    sqlite3_bind_int64(s, 2, r->version);
    sq_bind_text(s, 3, bm_sup_statuses[r->status].code);
    sq_bind_text(s, 4, r->answer);
    sqlite3_bind_int64(s, 5, r->answered_by);
    sqlite3_bind_int64(s, 6, r->answered_at);
    sq_bind_text(s, 7, r->appeal);
    sqlite3_bind_int64(s, 8, r->appealed_at);
    sq_bind_text(s, 9, r->decision);
    sqlite3_bind_int64(s, 10, r->decided_by);
    sqlite3_bind_int64(s, 11, r->decided_at);
    if ((rc = sq_exec(st, s, "supervision update", err)) != BM_OK)
        return rc;
    return sqlite3_changes(sq_db(st)) == 0
               ? bm_err_set(err, BM_ESTALE, "督办记录已被他人修改，请刷新后重试")
               : BM_OK;
}
