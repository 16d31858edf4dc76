/*
 * PostgreSQL: supervision records (督办, 黄牌, 红牌).
 */
#include <stdint.h>
#include <string.h>

#include "store/pg/int.h"

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
read_sup(const PGresult *res, int row, struct bm_arena *a, struct bm_sup_record *r,
         struct bm_err *err)
{
    int kind = bm_code_find(bm_sup_kinds, PQgetvalue(res, row, 2));
    int rule = bm_code_find(bm_sup_rules, PQgetvalue(res, row, 3));
    int status = bm_code_find(bm_sup_statuses, PQgetvalue(res, row, 4));

    memset(r, 0, sizeof(*r));
    if (kind < 0 || rule < 0 || status < 0)
        return bm_err_set(err, BM_EINTERNAL, "督办记录的类型或状态无法识别");
    r->id = pq_int(res, row, 0);
    r->county_code = pq_text(a, res, row, 1);
    r->kind = (enum bm_sup_kind)kind;
    r->rule = (enum bm_sup_rule)rule;
    r->status = (enum bm_sup_status)status;
    r->case_id = pq_int(res, row, 5);
    r->case_no = pq_text(a, res, row, 6);
    r->unit_id = pq_int(res, row, 7);
    r->unit_name = pq_text(a, res, row, 8);
    r->unit_path = pq_text(a, res, row, 9);
    r->officer_id = pq_int(res, row, 10);
    r->officer_name = pq_text(a, res, row, 11);
    r->reason = pq_text(a, res, row, 12);
    r->issued_by = pq_int(res, row, 13);
    r->issued_at = pq_int(res, row, 14);
    r->answer_due_day = (bm_day)pq_int(res, row, 15);
    r->answer = pq_text(a, res, row, 16);
    r->appeal = pq_text(a, res, row, 17);
    r->decision = pq_text(a, res, row, 18);
    r->answered_by = pq_int(res, row, 19);
    r->answered_at = pq_int(res, row, 20);
    r->appealed_at = pq_int(res, row, 21);
    r->decided_by = pq_int(res, row, 22);
    r->decided_at = pq_int(res, row, 23);
    r->version = pq_int(res, row, 24);
    if (!r->county_code || !r->case_no || !r->unit_name || !r->unit_path || !r->officer_name ||
        !r->reason || !r->answer || !r->appeal || !r->decision)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    return BM_OK;
}

static const char SQL_SUP_INSERT[] =
    "INSERT INTO supervision_records (county_code, kind, rule, status, case_id, unit_id, "
    "officer_id, reason, issued_by, issued_at, answer_due_day) VALUES ((SELECT county_code "
    "FROM org_units WHERE id = $5::bigint), $1, $2, $3, nullif($4::bigint, 0), $5::bigint, "
    "nullif($6::bigint, 0), $7, $8::bigint, $9::bigint, $10::bigint) RETURNING id";

enum bm_rc
pg_sup_insert(struct bm_store *st, const struct bm_sup_record *r, int64_t *id, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *res;

    BM_ASSERT(st->in_tx);
    pq_str(&a, bm_sup_kinds[r->kind].code);
    pq_str(&a, bm_sup_rules[r->rule].code);
    pq_str(&a, bm_sup_statuses[r->status].code);
    pq_i64(&a, r->case_id);
    pq_i64(&a, r->unit_id);
    pq_i64(&a, r->officer_id);
    pq_str(&a, r->reason);
    pq_i64(&a, r->issued_by);
    pq_i64(&a, r->issued_at);
    pq_i64(&a, r->answer_due_day);
    if ((res = pq_run(st, SQL_SUP_INSERT, &a, "supervision insert", err)) == NULL)
        return err->rc;
    *id = pq_int(res, 0, 0);
    PQclear(res);
    return BM_OK;
}

static const char SQL_SUP_GET[] = "SELECT " SUP_COLS SUP_FROM "WHERE r.id = $1::bigint";

enum bm_rc
pg_sup_get(struct bm_store *st, int64_t id, struct bm_arena *ar, struct bm_sup_record *out,
           struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *res;
    enum bm_rc rc;

    pq_i64(&a, id);
    if ((res = pq_run(st, SQL_SUP_GET, &a, "supervision get", err)) == NULL)
        return err->rc;
    rc = PQntuples(res) == 1 ? read_sup(res, 0, ar, out, err)
                             : bm_err_set(err, BM_ENOTFOUND, "督办记录不存在");
    PQclear(res);
    return rc;
}

static const char SQL_SUP_LIST[] =
    "SELECT " SUP_COLS SUP_FROM
    "WHERE ($1 = '' OR o.path LIKE $1) AND ($2::bigint = 0 OR r.case_id = $2::bigint) AND "
    "($3 = '' OR r.kind = $3) AND ($4 = '' OR r.status = $4) AND r.id < $5::bigint "
    "ORDER BY r.id DESC LIMIT $6::bigint";

enum bm_rc
pg_sup_list(struct bm_store *st, const struct bm_sup_query *q, struct bm_arena *ar,
            struct bm_sup_record **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    int limit = q->limit > 0 ? q->limit : 20;
    const char *prefix = q->scope_prefix && q->scope_prefix[0] ? pq_prefix(ar, q->scope_prefix) : "";
    PGresult *res;
    enum bm_rc rc = BM_OK;

    *n = 0;
    if ((*out = bm_arena_alloc(ar, sizeof(**out) * (size_t)(limit + 1))) == NULL || prefix == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    pq_str(&a, prefix);
    pq_i64(&a, q->case_id);
    pq_str(&a, q->kind >= 0 ? bm_sup_kinds[q->kind].code : "");
    pq_str(&a, q->status >= 0 ? bm_sup_statuses[q->status].code : "");
    pq_i64(&a, q->after_id > 0 ? q->after_id : INT64_MAX);
    pq_i64(&a, limit + 1);
    if ((res = pq_run(st, SQL_SUP_LIST, &a, "supervision list", err)) == NULL)
        return err->rc;
    for (int i = 0; rc == BM_OK && i < PQntuples(res) && i < limit + 1; i++)
        if ((rc = read_sup(res, i, ar, &(*out)[*n], err)) == BM_OK)
            (*n)++;
    PQclear(res);
    return rc;
}

static const char SQL_SUP_UPDATE[] =
    "UPDATE supervision_records SET status = $3, answer = $4, answered_by = $5::bigint, "
    "answered_at = $6::bigint, appeal = $7, appealed_at = $8::bigint, decision = $9, "
    "decided_by = $10::bigint, decided_at = $11::bigint, version = version + 1 "
    "WHERE id = $1::bigint AND version = $2::bigint";

enum bm_rc
pg_sup_update(struct bm_store *st, const struct bm_sup_record *r, struct bm_err *err)
{
    struct pq_args a = {0};
    int64_t changed = 0;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    pq_i64(&a, r->id);
    pq_i64(&a, r->version);
    pq_str(&a, bm_sup_statuses[r->status].code);
    pq_str(&a, r->answer);
    pq_i64(&a, r->answered_by);
    pq_i64(&a, r->answered_at);
    pq_str(&a, r->appeal);
    pq_i64(&a, r->appealed_at);
    pq_str(&a, r->decision);
    pq_i64(&a, r->decided_by);
    pq_i64(&a, r->decided_at);
    rc = pq_exec(st, SQL_SUP_UPDATE, &a, "supervision update", &changed, err);
    if (rc == BM_OK && changed == 0)
        rc = bm_err_set(err, BM_ESTALE, "督办记录已被他人修改，请刷新后重试");
    return rc;
}
