/*
 * Supervision records (docs/domain.md 3.3): supervisors issue notices (督办) on a case and
 * yellow or red cards against a unit and an officer; the unit answers (reply or written
 * explanation) and may appeal a card; supervisors close, or decide the appeal. The warning
 * job issues a yellow card by itself when a case passes its promised deadline.
 */
#include <inttypes.h>
#include <string.h>

#include "api/cases.h"
#include "api/handlers.h"
#include "api/json.h"
#include "core/access.h"
#include "core/calendar.h"
#include "core/supervision.h"
#include "util/parse.h"

static json_t *
day_or_null(bm_day d)
{
    char s[11];
    if (d == BM_DAY_NONE)
        return json_null();
    bm_day_format(d, s);
    return json_string(s);
}

static json_t *
record_json(struct bm_req *rq, const struct bm_sup_record *r)
{
    bm_day today = bm_day_of_instant(rq->now);
    json_t *o = json_object();

    json_object_set_new(o, "id", json_integer(r->id));
    json_object_set_new(o, "kind", json_string(bm_sup_kinds[r->kind].code));
    json_object_set_new(o, "kind_name", json_string(bm_sup_kinds[r->kind].zh));
    json_object_set_new(o, "rule", json_string(bm_sup_rules[r->rule].code));
    json_object_set_new(o, "rule_name", json_string(bm_sup_rules[r->rule].zh));
    json_object_set_new(o, "status", json_string(bm_sup_statuses[r->status].code));
    json_object_set_new(o, "status_name", json_string(bm_sup_statuses[r->status].zh));
    json_object_set_new(o, "case_no", r->case_no[0] ? json_string(r->case_no) : json_null());
    json_object_set_new(o, "unit", json_pack("{s:I,s:s}", "id", (json_int_t)r->unit_id, "name",
                                             r->unit_name));
    json_object_set_new(o, "officer",
                        r->officer_id ? json_pack("{s:I,s:s}", "id", (json_int_t)r->officer_id,
                                                  "name", r->officer_name)
                                      : json_null());
    json_object_set_new(o, "reason", json_string(r->reason));
    json_object_set_new(o, "issued_by", json_integer(r->issued_by));
    json_object_set_new(o, "issued_at", bm_json_time(r->issued_at));
    json_object_set_new(o, "answer_due", day_or_null(r->answer_due_day));
    json_object_set_new(o, "answer_overdue",
                        json_boolean(r->status == BM_SUP_OPEN && today > r->answer_due_day));
    json_object_set_new(o, "answer", json_string(r->answer));
    json_object_set_new(o, "answered_at", bm_json_time(r->answered_at));
    json_object_set_new(o, "appeal", json_string(r->appeal));
    json_object_set_new(o, "appealed_at", bm_json_time(r->appealed_at));
    json_object_set_new(o, "decision", json_string(r->decision));
    json_object_set_new(o, "decided_at", bm_json_time(r->decided_at));
    json_object_set_new(o, "version", json_integer(r->version));
    return o;
}

/* The record, if the caller's case scope covers its unit (404 otherwise, as for cases). */
static enum bm_rc
load_visible(struct bm_req *rq, int64_t id, struct bm_sup_record *r)
{
    char scope[BM_ORG_PATH_MAX];
    enum bm_rc rc;

    if (!bm_access_case_scope(&rq->who, scope, sizeof(scope)))
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "您无权查看督办记录");
    rc = bm_store_sup_get(rq->store, id, rq->arena, r, &rq->err);
    if (rc == BM_OK && strncmp(r->unit_path, scope, strlen(scope)) != 0)
        rc = bm_err_set(&rq->err, BM_ENOTFOUND, "督办记录不存在");
    return rc;
}

enum bm_rc
bm_api_sup_issue_rule(struct bm_req *rq, const struct bm_case *c, enum bm_sup_rule rule,
                      int64_t unit_id, int64_t officer_id, const char *reason)
{
    struct bm_calendar cal;
    struct bm_sup_record r;
    int64_t id;
    enum bm_rc rc = bm_api_calendar(rq, &cal);

    if (rc != BM_OK)
        return rc;
    memset(&r, 0, sizeof(r));
    r.kind = BM_SUP_YELLOW_CARD;
    r.rule = rule;
    r.status = BM_SUP_OPEN;
    r.case_id = c->id;
    r.unit_id = unit_id;
    r.officer_id = officer_id;
    r.reason = reason;
    r.issued_at = rq->now;
    r.answer_due_day = bm_cal_add_working_days(&cal, bm_day_of_instant(rq->now),
                                               bm_sup_answer_days(r.kind), NULL, 0, NULL);
    rc = bm_store_sup_insert(rq->store, &r, &id, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "supervision.issue", "supervision_record", id,
                          json_pack("{s:s,s:s,s:s}", "kind", "yellow_card", "rule",
                                    bm_sup_rules[rule].code, "case_no", c->case_no));
    return rc;
}

/* ---- GET /api/v1/supervision/records ---- */

enum bm_rc
bm_api_sup_list(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_sup_query q = {.kind = -1, .status = -1};
    struct bm_sup_record *rs_ = NULL;
    char scope[BM_ORG_PATH_MAX];
    const char *v;
    size_t n = 0;
    json_t *items;
    enum bm_rc rc;

    if (!bm_access_case_scope(&rq->who, scope, sizeof(scope)))
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "您无权查看督办记录");
    q.scope_prefix = scope;
    if ((v = bm_req_query(rq, "kind")) != NULL && v[0] &&
        (q.kind = bm_code_find(bm_sup_kinds, v)) < 0)
        return bm_err_field(&rq->err, "kind", "应为 notice、yellow_card 或 red_card");
    if ((v = bm_req_query(rq, "status")) != NULL && v[0] &&
        (q.status = bm_code_find(bm_sup_statuses, v)) < 0)
        return bm_err_field(&rq->err, "status", "未知的状态");
    if ((v = bm_req_query(rq, "case_no")) != NULL && v[0]) {
        struct bm_case c;
        rc = bm_store_case_get(rq->store, v, rq->arena, &c, &rq->err);
        if (rc == BM_ENOTFOUND)
            return bm_err_field(&rq->err, "case_no", "办件不存在");
        if (rc != BM_OK)
            return rc;
        q.case_id = c.id;
    }
    if ((rc = bm_req_page(rq, 20, 200, &q.limit, &q.after_id)) != BM_OK)
        return rc;
    if ((rc = bm_store_sup_list(rq->store, &q, rq->arena, &rs_, &n, &rq->err)) != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n && (int)i < q.limit; i++)
        json_array_append_new(items, record_json(rq, &rs_[i]));
    return bm_json_page(rq, rs, items, (int)n > q.limit, (int)n > q.limit ? rs_[q.limit - 1].id : 0);
}

/* ---- GET /api/v1/supervision/records/{id} ---- */

enum bm_rc
bm_api_sup_get(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_sup_record r;
    int64_t id;
    enum bm_rc rc = bm_req_param_id(rq, 0, &id);

    if (rc == BM_OK)
        rc = load_visible(rq, id, &r);
    return rc != BM_OK ? rc : bm_json_reply(rq, rs, 200, record_json(rq, &r));
}

/* ---- POST /api/v1/supervision/records ---- */

static const char *const issue_fields[] = {"kind", "case_no", "unit_id", "officer_id",
                                           "reason", "answer_days", NULL};

enum bm_rc
bm_api_sup_create(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_sup_record r;
    struct bm_calendar cal;
    struct bm_case c;
    char scope[BM_ORG_PATH_MAX];
    const char *kind = NULL, *case_no = NULL, *reason = NULL;
    int64_t unit_id = 0, officer_id = 0, days = 0, id = 0;
    bool has_case = false, has_days = false;
    json_t *body;
    enum bm_rc rc;

    memset(&r, 0, sizeof(r));
    if ((rc = bm_json_body(rq, &body)) != BM_OK)
        return rc;
    if ((rc = bm_json_only(rq, body, issue_fields)) != BM_OK)
        return rc;
    (void)bm_json_get_str(rq, body, "kind", true, 20, &kind, NULL);
    (void)bm_json_get_str(rq, body, "case_no", false, 40, &case_no, &has_case);
    (void)bm_json_get_int(rq, body, "unit_id", false, 1, INT64_MAX, &unit_id, NULL);
    (void)bm_json_get_int(rq, body, "officer_id", false, 1, INT64_MAX, &officer_id, NULL);
    (void)bm_json_get_str(rq, body, "reason", true, 500, &reason, NULL);
    (void)bm_json_get_int(rq, body, "answer_days", false, 1, 30, &days, &has_days);
    if (kind != NULL && bm_code_find(bm_sup_kinds, kind) < 0)
        bm_err_field(&rq->err, "kind", "应为 notice、yellow_card 或 red_card");
    if (reason != NULL && reason[0] == '\0')
        bm_err_field(&rq->err, "reason", "请写明督办事由或亮牌理由");
    if (kind != NULL && strcmp(kind, "notice") == 0 && !has_case)
        bm_err_field(&rq->err, "case_no", "督办通知须针对一件办件");
    if (!has_case && unit_id == 0 && kind != NULL && strcmp(kind, "notice") != 0)
        bm_err_field(&rq->err, "unit_id", "请指定被亮牌的单位，或填写办件编号");
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    r.kind = (enum bm_sup_kind)bm_code_find(bm_sup_kinds, kind);
    r.rule = BM_SUP_RULE_MANUAL;
    r.status = BM_SUP_OPEN;
    r.reason = reason;
    r.issued_by = rq->who.user_id;
    r.issued_at = rq->now;
    r.unit_id = unit_id;
    r.officer_id = officer_id;
    if (!bm_access_case_scope(&rq->who, scope, sizeof(scope)))
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "您无权督办");
    if (has_case) {
        rc = bm_store_case_get(rq->store, case_no, rq->arena, &c, &rq->err);
        if (rc == BM_ENOTFOUND || (rc == BM_OK && strncmp(c.handling_path, scope, strlen(scope)) &&
                                   strncmp(c.accepting_path, scope, strlen(scope))))
            return bm_err_field(&rq->err, "case_no", "办件不存在");
        if (rc != BM_OK)
            return rc;
        r.case_id = c.id;
        if (r.unit_id == 0)
            r.unit_id = c.handling_unit_id;
        if (r.officer_id == 0 && r.kind != BM_SUP_NOTICE)
            r.officer_id = c.handler_id;
    }
    {
        struct bm_org_unit u;
        rc = bm_store_org_get(rq->store, r.unit_id, rq->arena, &u, &rq->err);
        if (rc == BM_ENOTFOUND || (rc == BM_OK && strncmp(u.path, scope, strlen(scope)) != 0))
            return bm_err_field(&rq->err, "unit_id", "单位不存在");
        if (rc != BM_OK)
            return rc;
        if (r.officer_id != 0) {
            struct bm_user o;
            rc = bm_store_user_get(rq->store, r.officer_id, rq->arena, &o, &rq->err);
            if (rc == BM_ENOTFOUND ||
                (rc == BM_OK && strncmp(o.org_path, u.path, strlen(u.path)) != 0))
                return bm_err_field(&rq->err, "officer_id", "该工作人员不属于被督办单位");
            if (rc != BM_OK)
                return rc;
        }
    }
    if ((rc = bm_api_calendar(rq, &cal)) != BM_OK)
        return rc;
    r.answer_due_day = bm_cal_add_working_days(&cal, bm_day_of_instant(rq->now),
                                               has_days ? (int)days : bm_sup_answer_days(r.kind),
                                               NULL, 0, NULL);
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_sup_insert(rq->store, &r, &id, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "supervision.issue", "supervision_record", id,
                          json_pack("{s:s,s:s,s:I,s:I}", "kind", kind, "case_no",
                                    has_case ? case_no : "", "unit_id", (json_int_t)r.unit_id,
                                    "officer_id", (json_int_t)r.officer_id));
    if (rc == BM_OK && has_case)
        rc = bm_api_case_event(rq, &c, "supervise", c.st.status,
                               bm_arena_printf(rq->arena, "%s：%s", bm_sup_kinds[r.kind].zh,
                                               reason),
                               json_pack("{s:I,s:s}", "record_id", (json_int_t)id, "kind", kind));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    bm_store_rollback(rq->store);
    if (rc == BM_OK)
        rc = bm_store_sup_get(rq->store, id, rq->arena, &r, &rq->err);
    return rc != BM_OK ? rc : bm_json_reply(rq, rs, 201, record_json(rq, &r));
}

/* ---- POST /api/v1/supervision/records/{id}/actions ---- */

static const char *const action_fields[] = {"action", "text", NULL};

enum bm_rc
bm_api_sup_act(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_sup_record r;
    enum bm_sup_status next;
    const char *action = NULL, *text = "";
    int64_t id, version;
    int a;
    bool supervisor = bm_access_role_allows(&rq->who, BM_PERM_SUPERVISE);
    json_t *body;
    enum bm_rc rc;

    /* The record first: one out of the caller's sight is not found, whatever the body. */
    if ((rc = bm_req_param_id(rq, 0, &id)) != BM_OK || (rc = load_visible(rq, id, &r)) != BM_OK ||
        (rc = bm_json_body(rq, &body)) != BM_OK ||
        (rc = bm_json_only(rq, body, action_fields)) != BM_OK)
        return rc;
    (void)bm_json_get_str(rq, body, "action", true, 20, &action, NULL);
    (void)bm_json_get_str(rq, body, "text", false, 2000, &text, NULL);
    if (action != NULL && (a = bm_code_find(bm_sup_actions, action)) < 0)
        bm_err_field(&rq->err, "action", "未知的操作");
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    a = bm_code_find(bm_sup_actions, action);
    if (text == NULL)
        text = "";
    if (a != BM_SUP_CLOSE && text[0] == '\0')
        return bm_err_field(&rq->err, "text", a == BM_SUP_APPEAL ? "请写明申诉理由和依据"
                                              : a == BM_SUP_ANSWER ? "请填写答复或书面说明"
                                                                   : "请写明处理意见");
    if ((rc = bm_req_if_match(rq, &version)) != BM_OK)
        return rc;
    /* The supervising side decides; the supervised unit (its staff, or the officer) answers. */
    if (bm_sup_by_supervisor((enum bm_sup_action)a) ? !supervisor
                                                    : strncmp(rq->who.org_path, r.unit_path,
                                                              strlen(r.unit_path)) != 0 &&
                                                          rq->who.user_id != r.officer_id)
        return bm_err_set(&rq->err, BM_EFORBIDDEN,
                          bm_sup_by_supervisor((enum bm_sup_action)a)
                              ? "只有效能监督员或县级管理员能办结督办记录、处理申诉"
                              : "只有被督办单位的工作人员能答复或申诉");
    if (version != r.version)
        return bm_err_set(&rq->err, BM_ESTALE, "督办记录已被他人修改，请刷新后重试");
    if ((rc = bm_sup_step(r.kind, r.status, (enum bm_sup_action)a, &next, &rq->err)) != BM_OK)
        return rc;
    switch ((enum bm_sup_action)a) {
    case BM_SUP_ANSWER:
        r.answer = text;
        r.answered_by = rq->who.user_id;
        r.answered_at = rq->now;
        break;
    case BM_SUP_APPEAL:
        r.appeal = text;
        r.appealed_at = rq->now;
        break;
    default:
        r.decision = text;
        r.decided_by = rq->who.user_id;
        r.decided_at = rq->now;
        break;
    }
    r.status = next;
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_sup_update(rq->store, &r, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, bm_arena_printf(rq->arena, "supervision.%s", action),
                          "supervision_record", r.id,
                          json_pack("{s:s,s:s}", "status", bm_sup_statuses[next].code, "text",
                                    text));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    bm_store_rollback(rq->store);
    if (rc == BM_OK)
        rc = bm_store_sup_get(rq->store, id, rq->arena, &r, &rq->err);
    return rc != BM_OK ? rc : bm_json_reply(rq, rs, 200, record_json(rq, &r));
}
