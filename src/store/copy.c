/*
 * Whole-store copy between backends, through the backends' copy verbs.
 */
#include "store/copy.h"

#include <string.h>

#include "store/audit_verify.h"
#include "store/backend.h"
#include "util/log.h"

/* The schema's tables (migration 0001). Keep in step with src/store/migrations/. */
const struct bm_copy_table bm_copy_tables[] = {
    {"org_units", "length(path), id",
     {"id", "parent_id", "kind", "name", "division_code", "credit_code", "management_mode", "path",
      "county_code", "is_active", "version", "created_at", "updated_at"},
     "intttttttiiii", true},
    {"users", "id",
     {"id", "username", "display_name", "phone", "password_hash", "roles", "org_unit_id",
      "is_active", "version", "created_at", "updated_at", "last_login_at", "password_changed_at",
      "county_code"},
     "ittttiniiiiiit", true},
    {"sessions", "id",
     {"id", "token_hash", "user_id", "csrf_token", "ip", "user_agent", "created_at",
      "last_seen_at", "expires_at", "county_code"},
     "ibitttiiit", true},
    {"api_tokens", "id",
     {"id", "user_id", "name", "prefix", "token_hash", "created_at", "last_used_at", "expires_at",
      "revoked_at", "county_code"},
     "iittbiiiit", true},
    {"login_failures", "id", {"id", "username", "ip", "at", "county_code"}, "ittit", true},
    {"audit_log", "county_code, id",
     {"county_code", "id", "at", "actor_id", "actor", "action", "object_type", "object_id",
      "detail", "prev_hash", "hash"},
     "tiiitttttbb", false},
    {"items", "id",
     {"id", "code", "item_version", "status", "catalog_code", "name", "type", "category",
      "objects", "level", "case_kind", "result_type", "deliveries", "implementing_unit_id",
      "county_code", "conditions", "legal_basis", "process", "faq", "keywords", "legal_days",
      "promised_days", "is_fee", "fee_standard", "fee_basis", "visits", "visits_reason",
      "online_depth", "online_url", "county_wide", "needs_approval", "result_name",
      "consult_phone", "complaint_phone", "window_address", "office_hours", "version",
      "created_at", "updated_at", "published_at", "retired_at"},
     "ititttttitttiittttttiiittititiitttttiiiii", true},
    {"item_materials", "item_id, ord",
     {"item_id", "ord", "name", "required", "original_count", "copy_count", "source", "notes",
      "form_url", "county_code"},
     "iitiiitttt", false},
    {"delegations", "id",
     {"id", "county_code", "name", "from_unit_id", "legal_basis", "approval_document",
      "approval_date", "procedure", "department_responsibility", "township_responsibility",
      "status", "version", "created_at", "updated_at"},
     "ittitttttttiii", true},
    {"delegation_townships", "delegation_id, township_id",
     {"delegation_id", "township_id", "county_code"}, "iit",
     false},
    {"powers", "id",
     {"id", "township_id", "name", "type", "legal_basis", "responsibilities", "accountability",
      "version", "created_at", "updated_at", "county_code"},
     "iitttttiiit", true},
    {"calendar_years", "year",
     {"year", "source", "version", "updated_at"},
     "itii", false},
    {"calendar_days", "day",
     {"day", "year", "kind", "name"},
     "iitt", false},
    {"case_counters", "town_code, ymd",
     {"town_code", "ymd", "last_seq", "county_code"},
     "tiit", false},
    {"cases", "id",
     {"id", "case_no", "county_code", "query_code", "item_id", "channel", "status", "stage", "decision", "proposed", "resume_status", "resume_stage", "suspend_kind", "supplement_requests", "extension_days", "needs_approval", "applicant_type", "applicant_masked", "applicant_enc", "applicant_hash", "applicant_user_id", "accepting_unit_id", "handling_unit_id", "handler_id", "promised_days", "summary", "submitted_at", "accepted_at", "accept_day", "due_day", "due_provisional", "decided_at", "closed_at", "delivery_method", "delivery_ref", "visits", "version", "created_at", "updated_at", "warn_day", "warned_level", "warned_due", "used_days"},
     "itttitttttttiiiittbbniinitiinniiittiiiinini", true},
    {"certificates", "id",
     {"id", "county_code", "holder_hash", "holder_masked", "name", "number", "case_id", "issuer_unit_id", "issued_at", "status"},
     "itbtttiiit", true},
    {"case_materials", "case_id, ord",
     {"case_id", "ord", "name", "required", "source", "provided", "exempt", "certificate_id", "county_code"},
     "iititiint", false},
    {"case_events", "id",
     {"id", "case_id", "at", "actor_id", "actor_name", "action", "from_status", "to_status", "note", "detail", "county_code"},
     "iiiittttttt", true},
    {"case_pauses", "id",
     {"id", "case_id", "kind", "procedure", "reason", "expected_days", "from_day", "to_day", "started_at", "ended_at", "started_by", "county_code"},
     "iitttiiniiit", true},
    {"blobs", "sha256",
     {"sha256", "size", "content", "created_at", "county_code"},
     "bibit", false},
    {"attachments", "id",
     {"id", "case_id", "material_ord", "sha256", "content_type", "size", "filename", "uploaded_by", "created_at", "county_code"},
     "iinbtitiit", true},
    {"idempotency_keys", "user_id, idem_key",
     {"user_id", "idem_key", "body_hash", "case_id", "created_at", "county_code"},
     "itbiit", false},
    {"outbox", "id",
     {"id", "county_code", "channel", "recipient_enc", "template", "body", "case_id", "created_at", "next_attempt_at", "attempts", "locked_until", "sent_at", "last_error"},
     "ittbttniiiiit", true},
    {"supervision_records", "id",
     {"id", "county_code", "kind", "rule", "status", "case_id", "unit_id", "officer_id", "reason", "issued_by", "issued_at", "answer_due_day", "answer", "answered_by", "answered_at", "appeal", "appealed_at", "decision", "decided_by", "decided_at", "version"},
     "ittttnintiiitiititiii", true},
    {"audit_head", "county_code", {"county_code", "last_id", "last_hash"}, "tib", false},
    /* participation (公众参与), migration 0009 */
    {"campaigns", "id",
     {"id", "county_code", "unit_id", "title", "description", "open_from", "open_until", "summary",
      "summarized_at", "created_by", "created_at"},
     "itittiitiii", true},
    {"campaign_submissions", "id",
     {"id", "county_code", "campaign_id", "content", "author_masked", "contact_enc", "user_id",
      "response", "responded_by", "responded_at", "created_at"},
     "itittbntnii", true},
    {"hearings", "id",
     {"id", "county_code", "unit_id", "kind", "title", "matter", "place", "starts_at",
      "register_until", "capacity", "registered", "minutes", "outcome", "recorded_at",
      "created_by", "created_at"},
     "itittttiiiittiii", true},
    {"hearing_participants", "id",
     {"id", "county_code", "hearing_id", "role", "name_masked", "phone_masked", "contact_enc",
      "contact_hash", "created_at"},
     "ititttbbi", true},
    {"households", "id",
     {"id", "county_code", "village_id", "head_masked", "head_enc", "address", "members",
      "cadre_id", "assigned_at", "version", "created_at"},
     "ititbtiniii", true},
    {"reception_days", "id",
     {"id", "county_code", "unit_id", "kind", "leader_name", "leader_title", "day", "place",
      "created_by", "created_at"},
     "ititttitii", true},
    {"reception_visits", "id",
     {"id", "county_code", "reception_id", "visitor_masked", "visitor_enc", "matter", "handling",
      "follow_up_due", "follow_up_result", "followed_up_by", "followed_up_at", "recorded_by",
      "created_at"},
     "ititbttntniii", true},
    {"deputies", "id",
     {"id", "county_code", "unit_id", "name", "body", "token_hash", "is_active", "created_by",
      "created_at"},
     "itittbiii", true},
    {"deputy_matters", "id",
     {"id", "county_code", "deputy_id", "title", "content", "is_urgent", "status",
      "assignee_unit_id", "assigned_at", "answer", "answered_by", "answered_at", "created_at"},
     "itittitnitnii", true},
    /* disclosure (migration 0008) */
    {"publications", "id",
     {"id", "county_code", "unit_id", "category", "title", "body", "status", "publish_at", "withdraw_at", "released_at", "released_by", "withdrawn_at", "withdrawn_by", "withdraw_reason", "created_by", "updated_by", "version", "created_at", "updated_at"},
     "itittttiiiiiitiiiii", true},
    {"publication_files", "id",
     {"id", "publication_id", "sha256", "content_type", "size", "filename", "uploaded_by", "created_at", "county_code"},
     "iibtitiit", true},
    {"publication_events", "id",
     {"id", "publication_id", "at", "actor_id", "actor_name", "action", "detail", "county_code"},
     "iiiitttt", true},
    /* demands */
    {"demand_counters", "county_code, ymd", {"county_code", "ymd", "last_seq"}, "tii", false},
    {"demands", "id",
     {"id", "ticket_no", "county_code", "query_code", "category", "urgency", "channel", "hotline_no", "content", "location", "is_anonymous", "contact_masked", "phone_masked", "contact_enc", "status", "intake_unit_id", "unit_id", "handler_id", "reply", "resolved", "satisfaction", "reopen_count", "extension_days", "merged_into", "submitted_at", "dispatched_at", "due_at", "replied_at", "closed_at", "version", "created_at", "updated_at"},
     "itttttttttittbtnnntitiitiiiiiiii", true},
    {"demand_events", "id",
     {"id", "demand_id", "county_code", "at", "actor_id", "actor_name", "action", "from_status", "to_status", "note"},
     "iitiittttt", true},
    /* ratings (好差评) and rectification of bad ratings */
    {"ratings", "id",
     {"id", "county_code", "case_id", "kind", "item_id", "accepting_unit_id", "handling_unit_id", "handler_id", "channel", "level", "reasons", "comment", "is_default", "recorded_by", "created_at"},
     "ititiiintittini", true},
    {"rectifications", "id",
     {"id", "county_code", "rating_id", "case_id", "unit_id", "status", "callback_due", "rectify_due", "appeal_due", "called_back_at", "callback_note", "resolved_at", "outcome", "appeal_note", "decision_note", "closed_at", "version", "created_at", "updated_at"},
     "itiiitiiiititttiiii", true},
    {"case_stats", "county_code, grain, period, town_id, dept_id, item_id, online",
     {"county_code", "grain", "period", "town_id", "dept_id", "item_id", "online", "received", "online_n", "accepted", "rejected", "completed", "on_time", "early", "overdue", "same_day", "days_sum", "days_known", "delivered", "one_visit", "zero_visit", "rated", "satisfied", "good", "bad", "days"},
     "tiiiiiiiiiiiiiiiiiiiiiiiib", false},
    /* township performance evaluation (绩效考核), migration 0011 */
    {"eval_plans", "id",
     {"id", "county_code", "year", "township_type", "name", "excellent_e4", "good_e4", "pass_e4",
      "survey_share_e4", "version", "created_by", "created_at", "updated_at"},
     "itittiiiiiiii", true},
    {"eval_indicators", "id",
     {"id", "county_code", "plan_id", "ord", "code", "parent_code", "name", "weight_e4", "source",
      "rule", "floor_e4", "target_e4", "steps", "department_id"},
     "itiitttittiitn", true},
    {"eval_periods", "id",
     {"id", "county_code", "year", "name", "from_day", "to_day", "status", "comment_until",
      "closed_at", "published_at", "version", "created_by", "created_at", "updated_at"},
     "ititiitniiiiii", true},
    {"eval_period_townships", "period_id, township_id",
     {"period_id", "township_id", "plan_id", "county_code"}, "iiit", false},
    {"eval_inputs", "id",
     {"id", "county_code", "period_id", "kind", "indicator_code", "subject_unit_id",
      "rater_unit_id", "value_e4", "numerator", "denominator", "note", "entered_by", "created_at",
      "updated_at"},
     "itittiiiiitiii", true},
    {"eval_vetoes", "id",
     {"id", "county_code", "period_id", "township_id", "item", "reason", "approval_doc_no",
      "approving_body", "approval_date", "grade_cap", "created_by", "created_at"},
     "itiittttitii", true},
    {"eval_results", "period_id, township_id",
     {"period_id", "township_id", "county_code", "plan_id", "total_e4", "rank", "grade",
      "is_capped", "detail", "computed_at"},
     "iitiiititi", false},
    {"eval_comments", "id",
     {"id", "county_code", "period_id", "township_id", "content", "author_masked", "created_at"},
     "itintti", true},
    {"eval_followups", "id",
     {"id", "county_code", "period_id", "township_id", "kind", "note", "due_day", "status",
      "result", "done_at", "version", "created_by", "created_at", "updated_at"},
     "itiittittiiiii", true},
};

const size_t bm_n_copy_tables = sizeof(bm_copy_tables) / sizeof(bm_copy_tables[0]);
_Static_assert(sizeof(bm_copy_tables) / sizeof(bm_copy_tables[0]) <= BM_COPY_MAX_TABLES,
               "struct bm_copy_report holds at most BM_COPY_MAX_TABLES tables");

struct sink {
    struct bm_store *to;
    const struct bm_copy_table *t;
};

static enum bm_rc
put_row(void *ctx, const char *const *values, struct bm_err *err)
{
    struct sink *k = ctx;
    return k->to->ops->copy_in(k->to, k->t, values, err);
}

static enum bm_rc
check_empty(struct bm_store *to, struct bm_err *err)
{
    int64_t n = 0;
    for (size_t i = 0; i < bm_n_copy_tables; i++) {
        enum bm_rc rc = to->ops->count_rows(to, &bm_copy_tables[i], &n, err);
        if (rc != BM_OK)
            return rc;
        if (n > 0)
            return bm_err_set(err, BM_ECONFLICT, "目标数据库不是空的（%s 表已有数据）",
                              bm_copy_tables[i].name);
    }
    return BM_OK;
}

enum bm_rc
bm_store_copy_all(struct bm_store *from, struct bm_store *to, struct bm_copy_report *rep,
                  struct bm_err *err)
{
    struct bm_audit_report src_audit, dst_audit;
    int have_from = 0, have_to = 0, known = 0;
    enum bm_rc rc;

    memset(rep, 0, sizeof(*rep));
    rc = bm_store_schema_version(from, &have_from, &known, err);
    if (rc == BM_OK)
        rc = bm_store_schema_version(to, &have_to, &known, err);
    if (rc != BM_OK)
        return rc;
    if (have_from != known || have_to != known)
        return bm_err_set(err, BM_ECONFLICT,
                          "两个数据库的结构版本须与本程序一致（源 %d，目标 %d，程序 %d），请先运行 "
                          "bianmin migrate",
                          have_from, have_to, known);
    /* Everything read from the source, its chain check included, sees one snapshot. */
    rc = from->ops->begin_snapshot(from, err);
    if (rc == BM_OK)
        rc = bm_store_audit_verify(from, NULL, &src_audit, err);
    if (rc == BM_OK && src_audit.bad_id != 0)
        rc = bm_err_set(err, BM_ECONFLICT, "源数据库的审计链在第 %lld 条处断裂，拒绝迁移",
                        (long long)src_audit.bad_id);
    if (rc == BM_OK)
        rc = bm_store_begin(to, err);
    if (rc == BM_OK)
        rc = check_empty(to, err);
    for (size_t i = 0; rc == BM_OK && i < bm_n_copy_tables; i++) {
        const struct bm_copy_table *t = &bm_copy_tables[i];
        struct sink k = {to, t};
        int64_t out = 0, in = 0;

        rc = from->ops->copy_out(from, t, put_row, &k, &out, err);
        if (rc == BM_OK)
            rc = to->ops->copy_finish(to, t, err);
        if (rc == BM_OK)
            rc = to->ops->count_rows(to, t, &in, err);
        if (rc == BM_OK && in != out)
            rc = bm_err_set(err, BM_EINTERNAL, "%s 表复制后行数不符（%lld / %lld）", t->name,
                            (long long)in, (long long)out);
        rep->tables[rep->n_tables].table = t->name;
        rep->tables[rep->n_tables++].rows = out;
    }
    /* The copied chain must verify on the destination, with the same head as the source. */
    if (rc == BM_OK)
        rc = bm_store_audit_verify(to, NULL, &dst_audit, err);
    if (rc == BM_OK && (dst_audit.bad_id != 0 || dst_audit.checked != src_audit.checked ||
                        dst_audit.chains != src_audit.chains))
        rc = bm_err_set(err, BM_EINTERNAL, "复制后的审计链校验失败（第 %lld 条）",
                        (long long)dst_audit.bad_id);
    if (rc == BM_OK)
        rc = bm_store_commit(to, err);
    bm_store_rollback(to);
    bm_store_rollback(from); /* ends the read snapshot */
    if (rc == BM_OK)
        rep->audit_checked = dst_audit.checked;
    return rc;
}
