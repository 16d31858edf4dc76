/*
 * Actions on a case (POST /api/v1/cases/{case_no}/actions): one step of the state machine
 * per call, with If-Match. Who may take a step follows the one-window split: the accepting
 * window's clerks accept, refuse, ask for supplements and hand out results; the handling
 * unit's handlers and approvers handle and decide; the applicant withdraws; a county
 * administrator voids.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "api/cases.h"
#include "api/handlers.h"
#include "api/json.h"
#include "core/access.h"
#include "util/buf.h"

/* 特别程序 (行政许可法 art. 45): the kinds of procedure whose time is not counted. */
static const struct bm_code procedures[] = {
    {"hearing", "听证"},        {"tendering", "招标"},  {"auction", "拍卖"},
    {"inspection", "现场勘查"}, {"testing", "检验检测"}, {"quarantine", "检疫"},
    {"appraisal", "鉴定"},      {"expert_review", "专家评审"}, {"other", "其他"},
    {NULL, NULL},
};

static const char *const action_fields[] = {"action",     "note",          "materials",
                                            "missing",    "handler_id",    "unit_id",
                                            "procedure",  "expected_days", "days",
                                            "method",     "tracking_no",   NULL};

static bool
under(const char *path, const char *prefix)
{
    return strncmp(path, prefix, strlen(prefix)) == 0;
}

/* Marks materials named in body["materials"] as handed in (or not). */
static enum bm_rc
mark_materials(struct bm_req *rq, struct bm_case *c, json_t *body)
{
    json_t *ms = body ? json_object_get(body, "materials") : NULL, *m;
    size_t i;

    if (ms == NULL || json_is_null(ms))
        return BM_OK;
    if (!json_is_array(ms))
        return bm_err_field(&rq->err, "materials", "应为数组");
    json_array_foreach(ms, i, m) {
        const char *name = json_is_object(m) ? json_string_value(json_object_get(m, "name")) : NULL;
        json_t *p = json_object_get(m, "provided");
        bool found = false, provided = !json_is_false(p);
        /* Strict: a misspelt or non-boolean "provided" must not count as handed in. */
        if (name != NULL && ((p != NULL && !json_is_boolean(p)) ||
                             json_object_size(m) != (p != NULL ? 2u : 1u))) {
            (void)bm_err_field(&rq->err, "materials",
                               "第%zu项应为 {\"name\", \"provided\": true|false}", i + 1);
            continue;
        }
        for (size_t k = 0; name && k < c->n_materials; k++)
            if (strcmp(c->materials[k].name, name) == 0) {
                c->materials[k].provided = provided;
                c->materials_changed = true;
                found = true;
            }
        if (!found)
            (void)bm_err_field(&rq->err, "materials", "第%zu项不是该办件的材料", i + 1);
    }
    return rq->err.n_fields > 0 ? BM_EINVAL : BM_OK;
}

/* The one-time notice lists every missing material (行政许可法 art. 32). */
static enum bm_rc
missing_list(struct bm_req *rq, struct bm_case *c, json_t *body, struct bm_buf *text,
             json_t *names)
{
    json_t *given = body ? json_object_get(body, "missing") : NULL, *m;
    bool *named = bm_arena_alloc(rq->arena, c->n_materials + 1);
    size_t i;
    enum bm_rc rc = BM_OK;

    if (named == NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    memset(named, 0, c->n_materials + 1);
    if (given != NULL && !json_is_null(given)) {
        if (!json_is_array(given))
            return bm_err_field(&rq->err, "missing", "应为材料名称数组");
        json_array_foreach(given, i, m) {
            const char *name = json_string_value(m);
            bool found = false;
            for (size_t k = 0; name && k < c->n_materials; k++)
                if (strcmp(c->materials[k].name, name) == 0) {
                    c->materials[k].provided = false;
                    c->materials_changed = true;
                    named[k] = found = true;
                }
            if (!found)
                (void)bm_err_field(&rq->err, "missing", "第%zu项不是该办件的材料", i + 1);
        }
        if (rq->err.n_fields > 0)
            return BM_EINVAL;
    }
    /* Every required gap, and the optional materials the window named. */
    for (size_t k = 0; rc == BM_OK && k < c->n_materials; k++) {
        const struct bm_case_material *x = &c->materials[k];
        if (x->provided || x->exempt || (!x->required && !named[k]))
            continue;
        json_array_append_new(names, json_string(x->name));
        rc = bm_buf_printf(text, "%s%s", text->len ? "、" : "", x->name);
    }
    if (rc == BM_OK && json_array_size(names) == 0)
        return bm_err_field(&rq->err, "missing", "材料已齐全，无需补正");
    return rc;
}

/* The handling unit's township or department (the county when it is the county). */
static void
handling_top(const struct bm_case *c, char top[BM_ORG_PATH_MAX])
{
    if (!bm_org_path_prefix(c->handling_path, 2, top, BM_ORG_PATH_MAX))
        (void)bm_org_path_prefix(c->handling_path, 1, top, BM_ORG_PATH_MAX);
}

static bool
may_handle(const struct bm_user *u, const char *top)
{
    return u->is_active && (u->roles & BM_ROLE_HANDLER) && under(u->org_path, top);
}

static enum bm_rc
check_assignee(struct bm_req *rq, const struct bm_case *c, int64_t uid, const char **name)
{
    struct bm_user u;
    char top[BM_ORG_PATH_MAX];

    handling_top(c, top);
    if (bm_store_user_get(rq->store, uid, rq->arena, &u, &rq->err) != BM_OK ||
        !may_handle(&u, top)) {
        bm_err_clear(&rq->err);
        return bm_err_field(&rq->err, "handler_id", "承办人应为承办单位在职的办理人员");
    }
    *name = u.display_name;
    return BM_OK;
}

static enum bm_rc
check_transfer_unit(struct bm_req *rq, const struct bm_case *c, int64_t unit_id,
                    struct bm_org_unit *o)
{
    char county[BM_ORG_PATH_MAX];

    (void)bm_org_path_prefix(c->handling_path, 1, county, sizeof(county));
    if (bm_store_org_get(rq->store, unit_id, rq->arena, o, &rq->err) != BM_OK || !o->is_active ||
        !under(o->path, county) || o->kind == BM_ORG_COUNTY || o->kind == BM_ORG_VILLAGE ||
        o->kind == BM_ORG_SERVICE_CENTER) {
        bm_err_clear(&rq->err);
        return bm_err_field(&rq->err, "unit_id", "转办单位应为本县在用的部门、乡镇或其内设机构");
    }
    if (o->id == c->handling_unit_id)
        return bm_err_field(&rq->err, "unit_id", "办件已在该单位办理");
    return BM_OK;
}

/* 电子证照: an approved result with a named certificate is kept for its holder. */
static enum bm_rc
issue_certificate(struct bm_req *rq, const struct bm_case *c)
{
    struct bm_item it;
    struct bm_certificate cert;
    int64_t id;
    enum bm_rc rc = bm_store_item_get(rq->store, c->item_id, rq->arena, &it, &rq->err);

    if (rc != BM_OK || it.result_name[0] == '\0')
        return rc;
    memset(&cert, 0, sizeof(cert));
    memcpy(cert.holder_hash, c->applicant_hash, sizeof(cert.holder_hash));
    cert.holder_masked = c->applicant_masked;
    cert.name = it.result_name;
    cert.number = bm_arena_printf(rq->arena, "DZZZ%s", c->case_no);
    cert.case_id = c->id;
    cert.issuer_unit_id = c->handling_unit_id;
    cert.issued_at = rq->now;
    cert.is_valid = true;
    return bm_store_certificate_insert(rq->store, &cert, &id, &rq->err);
}

static const char *
date_text(struct bm_req *rq, bm_day d)
{
    int y, m, dd;
    bm_day_to_ymd(d, &y, &m, &dd);
    return bm_arena_printf(rq->arena, "%d年%d月%d日", y, m, dd);
}

enum bm_rc
bm_api_case_step(struct bm_req *rq, struct bm_case *c, enum bm_case_action action, json_t *body,
                 const struct bm_calendar *cal, struct bm_case_step *out)
{
    struct bm_case_state s = c->st;
    enum bm_case_status from = c->st.status;
    bm_day today = bm_day_of_instant(rq->now);
    const char *note = "", *v = NULL, *notice = NULL, *template_name = NULL;
    json_t *detail = json_object();
    struct bm_buf missing;
    enum bm_rc rc = BM_OK;
    int64_t num = 0;

    bm_buf_init(&missing, 4096);
    if (body != NULL && bm_json_get_str(rq, body, "note", false, 500, &note, NULL) != BM_OK)
        rc = BM_EINVAL;
    if (note == NULL)
        note = "";
    if (action == BM_ACT_AUTO_RETURN)
        note = bm_arena_printf(rq->arena, "自一次性告知之日起%d日内未补正材料",
                               rq->cfg->return_after_days);
    if (rc == BM_OK && bm_case_action_needs_reason(action) && note[0] == '\0')
        rc = bm_err_field(&rq->err, "note", "请填写理由");

    /* What the action brings with it, checked before the state changes. */
    if (rc == BM_OK && (action == BM_ACT_ACCEPT || action == BM_ACT_SUPPLEMENT))
        rc = mark_materials(rq, c, body);
    if (rc == BM_OK && action == BM_ACT_REQUEST_SUPPLEMENT) {
        json_t *names = json_array();
        rc = missing_list(rq, c, body, &missing, names);
        json_object_set_new(detail, "missing", names);
    }
    if (rc == BM_OK && action == BM_ACT_ASSIGN) {
        const char *name = NULL;
        bool present = false;
        rc = bm_json_get_int(rq, body ? body : detail, "handler_id", false, 1, INT64_MAX, &num,
                             &present);
        if (rc == BM_OK && !present)
            num = rq->who.user_id;
        if (rc == BM_OK)
            rc = check_assignee(rq, c, num, &name);
        if (rc == BM_OK) {
            c->handler_id = num;
            c->handler_name = name;
            json_object_set_new(detail, "handler", json_string(name));
        }
    }
    if (rc == BM_OK && action == BM_ACT_TRANSFER) {
        struct bm_org_unit o;
        rc = bm_json_get_int(rq, body ? body : detail, "unit_id", true, 1, INT64_MAX, &num, NULL);
        if (rc == BM_OK)
            rc = check_transfer_unit(rq, c, num, &o);
        if (rc == BM_OK) {
            json_object_set_new(detail, "from_unit", json_string(c->handling_unit_name));
            json_object_set_new(detail, "to_unit", json_string(o.name));
            c->handling_unit_id = o.id;
            c->handling_path = o.path;
            c->handling_unit_name = o.name;
            c->handler_id = 0;
        }
    }
    if (rc == BM_OK && action == BM_ACT_SUSPEND) {
        int64_t days = 0;
        rc = bm_json_get_str(rq, body, "procedure", true, 20, &v, NULL);
        if (rc == BM_OK && bm_code_find(procedures, v) < 0)
            rc = bm_err_field(&rq->err, "procedure",
                              "应为 hearing、tendering、auction、inspection、testing、quarantine、"
                              "appraisal、expert_review 或 other");
        if (rc == BM_OK)
            rc = bm_json_get_int(rq, body, "expected_days", false, 1, 365, &days, NULL);
        json_object_set_new(detail, "procedure", json_string(v ? v : ""));
        json_object_set_new(detail, "expected_days", json_integer(days));
        num = days;
    }
    if (rc == BM_OK && action == BM_ACT_EXTEND) {
        /* 行政许可法 art. 42: a licence may be extended by at most 10 days; other items by
         * up to 30 (local rules vary). */
        struct bm_item it;
        int max = 30;
        if (bm_store_item_get(rq->store, c->item_id, rq->arena, &it, &rq->err) == BM_OK &&
            it.type == bm_code_find(bm_item_types, "permit"))
            max = 10;
        bm_err_clear(&rq->err);
        rc = bm_json_get_int(rq, body ? body : detail, "days", true, 1, max, &num, NULL);
        json_object_set_new(detail, "days", json_integer(num));
    }
    if (rc == BM_OK && action == BM_ACT_DELIVER) {
        const char *method = "window", *ref = "";
        if (body != NULL)
            (void)bm_json_get_str(rq, body, "method", false, 10, &method, NULL);
        if (method == NULL)
            method = "window";
        if (body != NULL)
            (void)bm_json_get_str(rq, body, "tracking_no", false, 40, &ref, NULL);
        if (ref == NULL)
            ref = "";
        if (rq->err.n_fields > 0)
            rc = BM_EINVAL;
        else if (strcmp(method, "window") != 0 && strcmp(method, "post") != 0 &&
                 strcmp(method, "online") != 0)
            rc = bm_err_field(&rq->err, "method", "应为 window（窗口领取）、post（邮寄）或 online（电子送达）");
        else if (strcmp(method, "post") == 0 && ref[0] == '\0')
            rc = bm_err_field(&rq->err, "tracking_no", "邮寄送达须填写快递单号");
        c->delivery_method = method;
        c->delivery_ref = ref;
    }
    if (rc != BM_OK) {
        json_decref(detail);
        bm_buf_fini(&missing);
        return rc == BM_EINVAL || rq->err.n_fields > 0 ? BM_EINVAL : rc;
    }

    s.materials_complete = bm_api_case_materials_complete(c);
    s.has_handler = c->handler_id != 0;
    if ((rc = bm_case_step(&s, action, &rq->err)) != BM_OK) {
        /* Name what is missing, so the window can tell the applicant (行政许可法 art. 32). */
        for (size_t k = 0; rc == BM_EINVAL && action == BM_ACT_ACCEPT && k < c->n_materials; k++)
            if (c->materials[k].required && !c->materials[k].provided && !c->materials[k].exempt)
                (void)bm_err_field(&rq->err, "materials", "缺少必要材料“%.60s”",
                                   c->materials[k].name);
        json_decref(detail);
        bm_buf_fini(&missing);
        return rc;
    }

    /* What the step sets. */
    switch (action) {
    case BM_ACT_AUTO_ACCEPT:
    case BM_ACT_ACCEPT:
        c->accepted_at = rq->now;
        /* Deemed accepted on the day the application was received (行政许可法 art. 32). */
        c->accept_day = action == BM_ACT_AUTO_ACCEPT ? bm_day_of_instant(c->submitted_at) : today;
        rc = bm_api_case_deadline(rq, c, cal);
        template_name = "case_accepted";
        notice = bm_arena_printf(rq->arena,
                                 "【便民服务】您申请的“%s”已受理，办件编号%s，查询码%s，%s。",
                                 c->item_name, c->case_no, c->query_code,
                                 c->promised_days == 0
                                     ? "即时办结"
                                     : bm_arena_printf(rq->arena, "承诺于%s前办结",
                                                       date_text(rq, c->due_day)));
        break;
    case BM_ACT_REQUEST_SUPPLEMENT:
        if (s.status == BM_CASE_SUSPENDED) { /* after acceptance: the clock stops */
            struct bm_case_pause p = {.case_id = c->id, .is_supplement = true, .procedure = "",
                                      .reason = missing.ptr, .from_day = today,
                                      .to_day = BM_DAY_NONE, .started_at = rq->now,
                                      .started_by = rq->who.user_id};
            rc = bm_store_case_pause_insert(rq->store, &p, &rq->err);
        }
        template_name = "supplement_needed";
        notice = bm_arena_printf(rq->arena,
                                 "【便民服务】您申请的“%s”（办件编号%s）需补正以下材料：%s。%s",
                                 c->item_name, c->case_no, missing.ptr ? missing.ptr : "",
                                 s.status == BM_CASE_SUSPENDED
                                     ? "补正期间不计入办理时限。"
                                     : "受理时间自材料补齐之日起计算。");
        break;
    case BM_ACT_SUPPLEMENT:
        if (from == BM_CASE_SUSPENDED) {
            rc = bm_store_case_pause_end(rq->store, c->id, today, rq->now, &rq->err);
            if (rc == BM_OK)
                rc = bm_api_case_deadline(rq, c, cal);
        } else if (!bm_api_case_is_own(rq, c)) {
            c->visits++; /* handed in at the window */
        }
        break;
    case BM_ACT_SUSPEND: {
        struct bm_case_pause p = {.case_id = c->id, .is_supplement = false, .procedure = v,
                                  .reason = note, .expected_days = (int)num, .from_day = today,
                                  .to_day = BM_DAY_NONE, .started_at = rq->now,
                                  .started_by = rq->who.user_id};
        rc = bm_store_case_pause_insert(rq->store, &p, &rq->err);
        break;
    }
    case BM_ACT_RESUME:
        rc = bm_store_case_pause_end(rq->store, c->id, today, rq->now, &rq->err);
        if (rc == BM_OK)
            rc = bm_api_case_deadline(rq, c, cal);
        break;
    case BM_ACT_EXTEND:
        c->extension_days += (int)num;
        rc = bm_api_case_deadline(rq, c, cal);
        break;
    case BM_ACT_APPROVE:
    case BM_ACT_DENY:
        if (s.status != BM_CASE_COMPLETED)
            break; /* proposed; an approver decides */
        c->decided_at = rq->now;
        rc = bm_api_case_used_days(rq, c, cal, today);
        if (rc == BM_OK && s.decision == BM_DECISION_APPROVED)
            rc = issue_certificate(rq, c);
        template_name = s.decision == BM_DECISION_APPROVED ? "ready_for_pickup" : "case_completed";
        notice = s.decision == BM_DECISION_APPROVED
                     ? bm_arena_printf(rq->arena,
                                       "【便民服务】您申请的“%s”（办件编号%s）已办结，请携带身份证件到%s领取办理结果，或申请邮寄送达。",
                                       c->item_name, c->case_no, c->accepting_unit_name)
                     : bm_arena_printf(rq->arena,
                                       "【便民服务】您申请的“%s”（办件编号%s）已办结，决定不予办理，理由：%s。可到%s领取书面决定。",
                                       c->item_name, c->case_no, note, c->accepting_unit_name);
        break;
    case BM_ACT_DELIVER:
        c->closed_at = rq->now;
        if (strcmp(c->delivery_method, "window") == 0)
            c->visits++;
        json_object_set_new(detail, "method", json_string(c->delivery_method));
        if (strcmp(c->delivery_method, "post") == 0) {
            template_name = "case_posted";
            notice = bm_arena_printf(rq->arena, "【便民服务】您申请的“%s”（办件编号%s）办理结果已邮寄，快递单号%s。",
                                     c->item_name, c->case_no, c->delivery_ref);
        }
        break;
    case BM_ACT_RETURN:
    case BM_ACT_AUTO_RETURN:
        template_name = "case_returned";
        notice = bm_arena_printf(rq->arena,
                                 "【便民服务】您申请的“%s”（办件编号%s）因未按一次性告知补正材料已退件（%s）。如需办理，请重新申请。",
                                 c->item_name, c->case_no, note);
        break;
    case BM_ACT_REJECT:
        template_name = "case_rejected";
        notice = bm_arena_printf(rq->arena,
                                 "【便民服务】您申请的“%s”（办件编号%s）不予受理，理由：%s。",
                                 c->item_name, c->case_no, note);
        break;
    default:
        break;
    }
    if (rc == BM_OK && (action == BM_ACT_WITHDRAW || action == BM_ACT_VOID) &&
        from == BM_CASE_SUSPENDED)
        rc = bm_store_case_pause_end(rq->store, c->id, today, rq->now, &rq->err);
    if (rc == BM_OK && bm_case_is_terminal(s.status) && c->closed_at == 0)
        c->closed_at = rq->now;
    bm_buf_fini(&missing);
    if (rc != BM_OK) {
        json_decref(detail);
        return rc;
    }
    c->st = s;
    if (c->handler_id == 0)
        c->st.has_handler = false;
    *out = (struct bm_case_step){.action = action, .from = from, .note = note,
                                 .template_name = template_name, .notice = notice,
                                 .detail = detail};
    return BM_OK;
}

enum bm_rc
bm_api_case_record(struct bm_req *rq, const struct bm_case *c, struct bm_case_step *step)
{
    json_t *detail = step->detail;
    enum bm_rc rc;

    step->detail = NULL;
    rc = bm_api_case_event_kept(rq, c, bm_case_actions[step->action].code, step->from,
                                step->note, json_deep_copy(detail), &step->event);
    if (rc == BM_OK && step->notice != NULL)
        rc = bm_api_notify(rq, c, step->template_name, step->notice);
    json_object_set_new(detail, "case_no", json_string(c->case_no));
    json_object_set_new(detail, "from", json_string(bm_case_statuses[step->from].code));
    json_object_set_new(detail, "to", json_string(bm_case_statuses[c->st.status].code));
    if (rc == BM_OK)
        rc = bm_api_audit(rq,
                          bm_arena_printf(rq->arena, "case.%s", bm_case_actions[step->action].code),
                          "case", c->id, detail);
    else
        json_decref(detail);
    return rc;
}

enum bm_rc
bm_api_case_apply(struct bm_req *rq, struct bm_case *c, enum bm_case_action action, json_t *body,
                  const struct bm_calendar *cal)
{
    struct bm_case_step step;
    enum bm_rc rc = bm_api_case_step(rq, c, action, body, cal, &step);

    if (rc != BM_OK)
        return rc;
    rc = bm_store_case_update(rq->store, c, rq->now, &rq->err);
    if (rc != BM_OK) {
        json_decref(step.detail);
        return rc;
    }
    return bm_api_case_record(rq, c, &step);
}

enum bm_rc
bm_api_cases_act(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_case c;
    struct bm_calendar cal;
    struct bm_case_state probe;
    struct bm_err e;
    const char *code = NULL;
    int64_t version;
    json_t *body;
    int action;
    enum bm_rc rc = bm_api_case_load(rq, rq->params[0], &c);

    if (rc != BM_OK)
        return rc;
    if ((rc = bm_json_body(rq, &body)) != BM_OK || (rc = bm_json_only(rq, body, action_fields)) != BM_OK)
        return rc;
    if (bm_json_get_str(rq, body, "action", true, 32, &code, NULL) != BM_OK)
        return BM_EINVAL;
    if ((action = bm_code_find(bm_case_actions, code)) < 0)
        return bm_err_field(&rq->err, "action", "未知的操作“%.32s”", code);
    if ((rc = bm_req_if_match(rq, &version)) != BM_OK)
        return rc;
    if (version != c.version)
        return bm_err_set(&rq->err, BM_ESTALE, "办件已被他人修改，请刷新后重试");
    /* Legal here at all? Then: may this caller take the step? The probe passes every guard
     * (they are checked when the step is taken), so that it always learns the actor and a
     * caller on the wrong side hears 403, not what a guard of the other side says. */
    probe = c.st;
    probe.materials_complete = true;
    probe.supplement_requests = 0;
    probe.is_extended = false;
    bm_err_clear(&e);
    if (bm_case_step(&probe, (enum bm_case_action)action, &e) != BM_OK)
        return bm_err_set(&rq->err, e.rc == BM_ETRANSITION ? BM_ETRANSITION : BM_EINTERNAL, "%s",
                          e.message);
    if (!bm_api_case_may_act(rq, &c, (enum bm_case_action)action, probe.actor))
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "您无权对该办件执行“%s”",
                          bm_case_actions[action].zh);
    /* Deadlines that are written count with the calendar as stored, in the transaction. */
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_calendar_stored(rq, &cal);
    if (rc == BM_OK)
        rc = bm_api_case_apply(rq, &c, (enum bm_case_action)action, body, &cal);
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc != BM_OK)
        return rc;
    rc = bm_store_case_get(rq->store, c.case_no, rq->arena, &c, &rq->err);
    if (rc != BM_OK)
        return rc;
    return bm_api_case_reply(rq, rs, 200, &c, &cal, false);
}

/*
 * GET /api/v1/cases/{case_no}/assignees: the handlers an `assign` may name (active, with the
 * handler role, in the handling unit's township or department), for the handling side only.
 */
enum bm_rc
bm_api_cases_assignees(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_case c;
    struct bm_user *us;
    char top[BM_ORG_PATH_MAX];
    size_t n = 0;
    int64_t after = 0;
    json_t *items;
    enum bm_rc rc = bm_api_case_load(rq, rq->params[0], &c);

    if (rc != BM_OK)
        return rc;
    if (!bm_access_case_actor(&rq->who, BM_ACTOR_BACK, c.accepting_path, c.handling_path))
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "您无权对该办件执行“%s”",
                          bm_case_actions[BM_ACT_ASSIGN].zh);
    handling_top(&c, top);
    items = json_array();
    /* A unit has a handful of handlers; pages of 200 keep each read bounded. */
    do {
        rc = bm_store_users_list(rq->store, top, after, 200, rq->arena, &us, &n, &rq->err);
        for (size_t i = 0; rc == BM_OK && i < n; i++) {
            if (may_handle(&us[i], top))
                json_array_append_new(
                    items, json_pack("{s:I, s:s, s:{s:I, s:s}}", "id", (json_int_t)us[i].id,
                                     "display_name", us[i].display_name, "org_unit", "id",
                                     (json_int_t)us[i].org_unit_id, "name", us[i].org_name));
            after = us[i].id;
        }
    } while (rc == BM_OK && n == 200);
    if (rc != BM_OK) {
        json_decref(items);
        return rc;
    }
    return bm_json_reply(rq, rs, 200, json_pack("{s:o}", "items", items));
}
