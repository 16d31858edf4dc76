/*
 * Township performance evaluation (绩效考核, policy section 十七): indicator systems per
 * year and township type with a side-by-side comparison; evaluation periods; scores entered
 * by county departments, third-party survey imports, townships' scores of county
 * departments (two-way evaluation); veto items, which need a recorded provincial approval;
 * follow-up of low performers; public comments on published results. The computation of
 * results, closing, publication and the export are in evaluation_run.c.
 */
#include <inttypes.h>
#include <string.h>

#include "api/evaluation.h"
#include "api/handlers.h"
#include "api/json.h"
#include "api/participation.h"
#include "core/evaluation.h"
#include "core/org.h"
#include "core/pii.h"
#include "util/parse.h"

/* ---- shared helpers (evaluation.h) ---- */

enum bm_rc
bm_api_eval_reply(struct bm_req *rq, struct bm_resp *rs, int status, json_t *root)
{
    /* Twelve significant digits, as every answer: 14.3 reads 14.3, not 14.300000000000001. */
    return bm_json_reply(rq, rs, status, root);
}

json_t *
bm_api_eval_num(int64_t e4)
{
    return json_real((double)e4 / BM_EVAL_SCALE);
}

bm_day
bm_api_eval_today(const struct bm_req *rq)
{
    return bm_day_of_instant(rq->now);
}

enum bm_rc
bm_api_eval_load_period(struct bm_req *rq, int param, struct bm_eval_period *p)
{
    int64_t id;
    enum bm_rc rc = bm_req_param_id(rq, param, &id);
    if (rc == BM_OK)
        rc = bm_store_eval_period_get(rq->store, id, rq->arena, p, &rq->err);
    return rc;
}

const struct bm_eval_member *
bm_api_eval_member(const struct bm_eval_period *p, int64_t township_id)
{
    for (size_t i = 0; i < p->n_members; i++)
        if (p->members[i].township_id == township_id)
            return &p->members[i];
    return NULL;
}

json_t *
bm_api_eval_period_json(const struct bm_eval_period *p, bool with_members)
{
    int st = bm_code_find(bm_eval_period_statuses, p->status);
    json_t *j = json_object();

    json_object_set_new(j, "id", json_integer(p->id));
    json_object_set_new(j, "year", json_integer(p->year));
    json_object_set_new(j, "name", json_string(p->name));
    json_object_set_new(j, "from", bm_api_part_day(p->from_day));
    json_object_set_new(j, "to", bm_api_part_day(p->to_day));
    json_object_set_new(j, "status", json_string(p->status));
    json_object_set_new(j, "status_name", json_string(st >= 0 ? bm_eval_period_statuses[st].zh : ""));
    json_object_set_new(j, "comment_until", bm_api_part_day(p->comment_until));
    json_object_set_new(j, "closed_at", bm_json_time(p->closed_at));
    json_object_set_new(j, "published_at", bm_json_time(p->published_at));
    json_object_set_new(j, "version", json_integer(p->version));
    json_object_set_new(j, "created_at", bm_json_time(p->created_at));
    if (with_members) {
        json_t *ms = json_array();
        for (size_t i = 0; i < p->n_members; i++)
            json_array_append_new(ms, json_pack("{s:I,s:s,s:I}", "township_id",
                                                (json_int_t)p->members[i].township_id,
                                                "township_name", p->members[i].township_name,
                                                "plan_id", (json_int_t)p->members[i].plan_id));
        json_object_set_new(j, "townships", ms);
    }
    return j;
}

/*
 * A JSON number (integer or real) as fixed point within [min_e4, max_e4], at most four
 * decimals kept. Adds a field error named `name` otherwise.
 */
enum bm_rc
bm_api_eval_get_num(struct bm_req *rq, json_t *obj, const char *key, const char *name,
                    bool required, int64_t min_e4, int64_t max_e4, int64_t *out, bool *present)
{
    json_t *v = json_object_get(obj, key);
    double d;

    if (present != NULL)
        *present = v != NULL && !json_is_null(v);
    if (v == NULL || json_is_null(v))
        return required ? bm_err_field(&rq->err, name, "必填") : BM_OK;
    if (!json_is_number(v))
        return bm_err_field(&rq->err, name, "应为数字");
    d = json_number_value(v);
    if (!(d > -1e12 && d < 1e12) || d * BM_EVAL_SCALE < (double)min_e4 || d * BM_EVAL_SCALE > (double)max_e4)
        return bm_err_field(&rq->err, name, "应在 %g 到 %g 之间", (double)min_e4 / BM_EVAL_SCALE,
                            (double)max_e4 / BM_EVAL_SCALE);
    *out = bm_eval_e4(d);
    return BM_OK;
}

/* ---- indicator systems ---- */

static const char *
type_name(const char *code)
{
    int i = bm_code_find(bm_eval_township_types, code);
    return i >= 0 ? bm_eval_township_types[i].zh : "";
}

static json_t *
indicator_json(const struct bm_eval_indicator *x, bool inner)
{
    enum bm_eval_source src = BM_EVAL_SRC_NONE;
    json_t *j = json_object();

    (void)bm_eval_source_parse(x->source, &src);
    json_object_set_new(j, "code", json_string(x->code));
    json_object_set_new(j, "parent_code", x->parent_code[0] ? json_string(x->parent_code)
                                                            : json_null());
    json_object_set_new(j, "name", json_string(x->name));
    json_object_set_new(j, "weight", bm_api_eval_num(x->weight_e4));
    if (inner)
        return j;
    json_object_set_new(j, "source", json_string(x->source));
    json_object_set_new(j, "source_name", json_string(bm_eval_source_name_zh(src)));
    json_object_set_new(j, "rule", json_string(x->rule));
    if (strcmp(x->rule, "linear") == 0) {
        json_object_set_new(j, "floor", bm_api_eval_num(x->floor_e4));
        json_object_set_new(j, "target", bm_api_eval_num(x->target_e4));
    } else if (strcmp(x->rule, "threshold") == 0) {
        struct bm_eval_step st[BM_EVAL_MAX_STEPS];
        json_t *steps = json_array();
        int n = 0;
        if (bm_eval_steps_parse(x->steps, st, BM_EVAL_MAX_STEPS, &n))
            for (int k = 0; k < n; k++)
                json_array_append_new(steps, json_pack("{s:o,s:o}", "min",
                                                       bm_api_eval_num(st[k].min_e4), "fraction",
                                                       bm_api_eval_num(st[k].fraction_e4)));
        json_object_set_new(j, "steps", steps);
    }
    if (x->department_id != 0) {
        json_object_set_new(j, "department_id", json_integer(x->department_id));
        json_object_set_new(j, "department_name", json_string(x->department_name));
    }
    return j;
}

/* Advice, not errors: public satisfaction should be the largest single share (domain.md 10). */
static json_t *
plan_warnings(const struct bm_eval_plan *p)
{
    json_t *w = json_array();
    int64_t best_other = 0, satisfaction = 0;

    for (size_t i = 0; i < p->n_indicators; i++) {
        const struct bm_eval_indicator *x = &p->indicators[i];
        enum bm_eval_source s = BM_EVAL_SRC_NONE;
        if (bm_eval_is_inner(p->indicators, p->n_indicators, i))
            continue;
        (void)bm_eval_source_parse(x->source, &s);
        if (s == BM_EVAL_SRC_SATISFACTION_RATE || s == BM_EVAL_SRC_PUBLIC_SATISFACTION ||
            s == BM_EVAL_SRC_SURVEY)
            satisfaction = x->weight_e4 > satisfaction ? x->weight_e4 : satisfaction;
        else if (x->weight_e4 > best_other)
            best_other = x->weight_e4;
    }
    if (satisfaction == 0)
        json_array_append_new(w, json_string("未设置群众满意度指标：政策要求把群众满意度作为重要考核依据"));
    else if (satisfaction < best_other)
        json_array_append_new(w, json_string("群众满意度指标的权重不是最大的单项权重，建议提高"));
    return w;
}

static json_t *
plan_json(const struct bm_eval_plan *p, bool with_tree)
{
    json_t *j = json_object();

    json_object_set_new(j, "id", json_integer(p->id));
    json_object_set_new(j, "year", json_integer(p->year));
    json_object_set_new(j, "township_type", json_string(p->township_type));
    json_object_set_new(j, "township_type_name", json_string(type_name(p->township_type)));
    json_object_set_new(j, "name", json_string(p->name));
    json_object_set_new(j, "grades", json_pack("{s:o,s:o,s:o}", "excellent",
                                               bm_api_eval_num(p->excellent_e4), "good",
                                               bm_api_eval_num(p->good_e4), "pass",
                                               bm_api_eval_num(p->pass_e4)));
    json_object_set_new(j, "survey_share", bm_api_eval_num(p->survey_share_e4));
    json_object_set_new(j, "version", json_integer(p->version));
    json_object_set_new(j, "created_at", bm_json_time(p->created_at));
    json_object_set_new(j, "updated_at", bm_json_time(p->updated_at));
    if (with_tree) {
        json_t *inds = json_array();
        for (size_t i = 0; i < p->n_indicators; i++)
            json_array_append_new(inds, indicator_json(&p->indicators[i],
                                                       bm_eval_is_inner(p->indicators,
                                                                        p->n_indicators, i)));
        json_object_set_new(j, "indicators", inds);
        json_object_set_new(j, "warnings", plan_warnings(p));
    }
    return j;
}

static char *
fname(struct bm_req *rq, size_t i, const char *key)
{
    return bm_arena_printf(rq->arena, "indicators[%zu].%s", i, key);
}

/* Reads one indicator of the request body into x (field errors accumulate in rq->err). */
static void
read_indicator(struct bm_req *rq, json_t *o, size_t i, struct bm_eval_indicator *x)
{
    static const char *const fields[] = {"code", "parent_code", "name", "weight", "source",
                                         "rule", "floor", "target", "steps", "department_id",
                                         NULL};
    const char *key;
    json_t *v;

    memset(x, 0, sizeof(*x));
    x->code = x->parent_code = x->name = x->source = x->rule = x->steps = "";
    if (!json_is_object(o)) {
        (void)bm_err_field(&rq->err, bm_arena_printf(rq->arena, "indicators[%zu]", i),
                           "应为对象");
        return;
    }
    json_object_foreach(o, key, v) {
        bool known = false;
        for (int k = 0; fields[k] != NULL; k++)
            known = known || strcmp(key, fields[k]) == 0;
        if (!known)
            (void)bm_err_field(&rq->err, fname(rq, i, key), "未知字段");
    }
#define STR(k, req, max, dst)                                                                  \
    do {                                                                                       \
        json_t *s_ = json_object_get(o, k);                                                    \
        if (s_ == NULL || json_is_null(s_)) {                                                  \
            if (req)                                                                           \
                (void)bm_err_field(&rq->err, fname(rq, i, k), "必填");                         \
        } else if (!json_is_string(s_) || json_string_length(s_) > (max)) {                    \
            (void)bm_err_field(&rq->err, fname(rq, i, k), "应为不超过 %d 字节的文本", (max));   \
        } else {                                                                               \
            dst = json_string_value(s_);                                                       \
        }                                                                                      \
    } while (0)
    STR("code", true, 32, x->code);
    STR("parent_code", false, 32, x->parent_code);
    STR("name", true, 180, x->name);
    STR("source", false, 32, x->source);
    STR("rule", false, 16, x->rule);
#undef STR
    (void)bm_api_eval_get_num(rq, o, "weight", fname(rq, i, "weight"), true, 0,
                              BM_EVAL_TOTAL_E4, &x->weight_e4, NULL);
    (void)bm_api_eval_get_num(rq, o, "floor", fname(rq, i, "floor"), false,
                              -1000000 * (int64_t)BM_EVAL_SCALE, 1000000 * (int64_t)BM_EVAL_SCALE,
                              &x->floor_e4, NULL);
    (void)bm_api_eval_get_num(rq, o, "target", fname(rq, i, "target"), false,
                              -1000000 * (int64_t)BM_EVAL_SCALE, 1000000 * (int64_t)BM_EVAL_SCALE,
                              &x->target_e4, NULL);
    v = json_object_get(o, "department_id");
    if (v != NULL && !json_is_null(v)) {
        struct bm_org_unit u;
        struct bm_err e;
        bm_err_clear(&e);
        if (!json_is_integer(v) || json_integer_value(v) <= 0 ||
            bm_store_org_get(rq->store, json_integer_value(v), rq->arena, &u, &e) != BM_OK ||
            u.kind != BM_ORG_DEPARTMENT)
            (void)bm_err_field(&rq->err, fname(rq, i, "department_id"), "应为县直部门的编号");
        else
            x->department_id = u.id;
    }
    v = json_object_get(o, "steps");
    if (v != NULL && !json_is_null(v)) {
        struct bm_eval_step st[BM_EVAL_MAX_STEPS];
        size_t k;
        json_t *e;
        char *text = bm_arena_alloc(rq->arena, 512);
        bool ok = json_is_array(v) && json_array_size(v) >= 1 &&
                  json_array_size(v) <= BM_EVAL_MAX_STEPS && text != NULL;
        json_array_foreach(v, k, e) {
            json_t *mn = json_object_get(e, "min"), *fr = json_object_get(e, "fraction");
            if (!ok || k >= BM_EVAL_MAX_STEPS || !json_is_object(e) || json_object_size(e) != 2 ||
                !json_is_number(mn) || !json_is_number(fr) ||
                !(json_number_value(mn) < 1e6 && json_number_value(mn) > -1e6) ||
                !(json_number_value(fr) < 1e6 && json_number_value(fr) > -1e6)) {
                ok = false;
                break;
            }
            st[k].min_e4 = bm_eval_e4(json_number_value(mn));
            st[k].fraction_e4 = bm_eval_e4(json_number_value(fr));
        }
        if (!ok) {
            (void)bm_err_field(&rq->err, fname(rq, i, "steps"),
                               "应为 1～8 档 {\"min\": 数值, \"fraction\": 0～1}");
        } else {
            bm_eval_steps_format(st, (int)json_array_size(v), text, 512);
            x->steps = text;
        }
    }
}

/*
 * Reads the body shared by create and update. On create also year and township_type.
 * Validates the tree in core. p->indicators is in the arena.
 */
static enum bm_rc
read_plan(struct bm_req *rq, json_t *body, bool create, struct bm_eval_plan *p)
{
    static const char *const create_fields[] = {"year", "township_type", "name", "grades",
                                                "survey_share", "indicators", NULL};
    static const char *const update_fields[] = {"name", "grades", "survey_share", "indicators",
                                                NULL};
    json_t *inds, *grades;
    enum bm_rc rc = bm_json_only(rq, body, create ? create_fields : update_fields);
    size_t i;
    json_t *o;

    if (rc != BM_OK)
        return rc;
    p->excellent_e4 = 90 * BM_EVAL_SCALE;
    p->good_e4 = 80 * BM_EVAL_SCALE;
    p->pass_e4 = 60 * BM_EVAL_SCALE;
    p->survey_share_e4 = BM_EVAL_SCALE / 2;
    if (create) {
        (void)bm_json_get_int(rq, body, "year", true, 2000, 2100, &p->year, NULL);
        if (bm_json_get_str(rq, body, "township_type", true, 32, &p->township_type, NULL) ==
                BM_OK &&
            bm_code_find(bm_eval_township_types, p->township_type) < 0)
            (void)bm_err_field(&rq->err, "township_type",
                               "应为 general、agricultural、industrial、ecological、remote 或 urban");
    }
    if (bm_json_get_str(rq, body, "name", true, 100, &p->name, NULL) == BM_OK && p->name[0] == '\0')
        (void)bm_err_field(&rq->err, "name", "请填写指标体系名称");
    grades = json_object_get(body, "grades");
    if (grades != NULL && !json_is_null(grades)) {
        if (!json_is_object(grades) || json_object_size(grades) != 3)
            (void)bm_err_field(&rq->err, "grades", "应为 {\"excellent\", \"good\", \"pass\"}");
        else {
            (void)bm_api_eval_get_num(rq, grades, "excellent", "grades.excellent", true, 1,
                                      BM_EVAL_TOTAL_E4, &p->excellent_e4, NULL);
            (void)bm_api_eval_get_num(rq, grades, "good", "grades.good", true, 1,
                                      BM_EVAL_TOTAL_E4, &p->good_e4, NULL);
            (void)bm_api_eval_get_num(rq, grades, "pass", "grades.pass", true, 1,
                                      BM_EVAL_TOTAL_E4, &p->pass_e4, NULL);
        }
    }
    (void)bm_api_eval_get_num(rq, body, "survey_share", "survey_share", false, 0, BM_EVAL_SCALE,
                              &p->survey_share_e4, NULL);
    inds = json_object_get(body, "indicators");
    if (!json_is_array(inds) || json_array_size(inds) == 0)
        return bm_err_field(&rq->err, "indicators", "请提供指标列表");
    if (json_array_size(inds) > BM_EVAL_MAX_INDICATORS)
        return bm_err_field(&rq->err, "indicators", "指标不能超过 %d 项", BM_EVAL_MAX_INDICATORS);
    p->n_indicators = json_array_size(inds);
    if ((p->indicators = bm_arena_alloc(rq->arena, sizeof(*p->indicators) * p->n_indicators)) ==
        NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    json_array_foreach(inds, i, o) read_indicator(rq, o, i, &p->indicators[i]);
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    if ((rc = bm_eval_thresholds_check(p->excellent_e4, p->good_e4, p->pass_e4, &rq->err)) != BM_OK)
        return rc;
    return bm_eval_plan_check(p->indicators, p->n_indicators, &rq->err);
}

enum bm_rc
bm_api_eval_plans_list(struct bm_req *rq, struct bm_resp *rs)
{
    const char *ys = bm_req_query(rq, "year");
    struct bm_eval_plan *ps;
    int64_t year = 0;
    size_t n = 0;
    json_t *items;
    enum bm_rc rc;

    if (ys != NULL && !bm_parse_i64z(ys, 2000, 2100, &year))
        return bm_err_field(&rq->err, "year", "应为 2000～2100 的年份");
    if ((rc = bm_store_eval_plans_list(rq->store, year, rq->arena, &ps, &n, &rq->err)) != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, plan_json(&ps[i], false));
    return bm_api_eval_reply(rq, rs, 200, json_pack("{s:o,s:n}", "items", items, "next_cursor"));
}

enum bm_rc
bm_api_eval_plans_create(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_eval_plan p;
    json_t *body;
    int64_t id = 0;
    enum bm_rc rc;

    memset(&p, 0, sizeof(p));
    if ((rc = bm_json_body(rq, &body)) != BM_OK)
        return rc;
    if ((rc = read_plan(rq, body, true, &p)) != BM_OK)
        return rc;
    p.created_by = rq->who.user_id;
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_eval_plan_insert(rq->store, &p, rq->now, &id, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "eval.plan.create", "eval_plan", id,
                          json_pack("{s:I,s:s,s:s,s:I}", "year", (json_int_t)p.year,
                                    "township_type", p.township_type, "name", p.name,
                                    "indicators", (json_int_t)p.n_indicators));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_eval_plan_get(rq->store, id, rq->arena, &p, &rq->err);
    if (rc != BM_OK)
        return rc;
    bm_resp_header(rs, "Location",
                   bm_arena_printf(rq->arena, "/api/v1/evaluation/plans/%" PRId64, id));
    return bm_api_eval_reply(rq, rs, 201, plan_json(&p, true));
}

enum bm_rc
bm_api_eval_plans_get(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_eval_plan p;
    int64_t id;
    enum bm_rc rc = bm_req_param_id(rq, 0, &id);

    if (rc == BM_OK)
        rc = bm_store_eval_plan_get(rq->store, id, rq->arena, &p, &rq->err);
    return rc == BM_OK ? bm_api_eval_reply(rq, rs, 200, plan_json(&p, true)) : rc;
}

/* True if a period that is no longer open evaluates some township by plan `id`. */
static enum bm_rc
plan_frozen(struct bm_req *rq, int64_t id, bool *frozen)
{
    struct bm_eval_period *ps, p;
    size_t n = 0;
    enum bm_rc rc = bm_store_eval_periods_list(rq->store, false, rq->arena, &ps, &n, &rq->err);

    *frozen = false;
    for (size_t i = 0; rc == BM_OK && i < n && !*frozen; i++) {
        if (strcmp(ps[i].status, "open") == 0)
            continue;
        rc = bm_store_eval_period_get(rq->store, ps[i].id, rq->arena, &p, &rq->err);
        for (size_t k = 0; rc == BM_OK && k < p.n_members; k++)
            *frozen = *frozen || p.members[k].plan_id == id;
    }
    return rc;
}

enum bm_rc
bm_api_eval_plans_update(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_eval_plan old, p;
    json_t *body;
    int64_t id, version;
    bool frozen = false;
    enum bm_rc rc = bm_req_param_id(rq, 0, &id);

    if (rc == BM_OK)
        rc = bm_store_eval_plan_get(rq->store, id, rq->arena, &old, &rq->err);
    if (rc == BM_OK)
        rc = bm_req_if_match(rq, &version);
    if (rc == BM_OK)
        rc = bm_json_body(rq, &body);
    if (rc != BM_OK)
        return rc;
    p = old;
    if ((rc = read_plan(rq, body, false, &p)) != BM_OK)
        return rc;
    if ((rc = plan_frozen(rq, id, &frozen)) != BM_OK)
        return rc;
    if (frozen)
        return bm_err_set(&rq->err, BM_ECONFLICT,
                          "已有关账的考核期使用该指标体系，不能再修改（请为下一年度新建指标体系）");
    p.version = version;
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_eval_plan_update(rq->store, &p, rq->now, &rq->err);
    if (rc == BM_OK) {
        json_t *d = json_object();
        bm_json_diff_str(d, "name", old.name, p.name);
        json_object_set_new(d, "indicators", json_pack("[I,I]", (json_int_t)old.n_indicators,
                                                       (json_int_t)p.n_indicators));
        rc = bm_api_audit(rq, "eval.plan.update", "eval_plan", id, d);
    }
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_eval_plan_get(rq->store, id, rq->arena, &p, &rq->err);
    return rc == BM_OK ? bm_api_eval_reply(rq, rs, 200, plan_json(&p, true)) : rc;
}

/*
 * Side by side: the union of the indicator codes of the plans named in ?plans=1,2,3 (or all
 * plans of ?year=), each row with every plan's weight, source and rule (null where a plan
 * lacks it), and whether the variants differ on it.
 */
enum bm_rc
bm_api_eval_comparison(struct bm_req *rq, struct bm_resp *rs)
{
    const char *ids = bm_req_query(rq, "plans"), *ys = bm_req_query(rq, "year");
    struct bm_eval_plan ps[8];
    size_t np = 0;
    json_t *cols, *rows, *root;
    enum bm_rc rc;

    if (ids != NULL) {
        const char *s = ids;
        while (*s != '\0') {
            const char *comma = strchr(s, ',');
            size_t len = comma ? (size_t)(comma - s) : strlen(s);
            int64_t id;
            if (np == 8 || !bm_parse_i64(s, len, 1, INT64_MAX, &id))
                return bm_err_field(&rq->err, "plans", "应为以逗号分隔的指标体系编号（最多 8 个）");
            if ((rc = bm_store_eval_plan_get(rq->store, id, rq->arena, &ps[np++], &rq->err)) !=
                BM_OK)
                return rc;
            s += len + (comma != NULL);
        }
    } else if (ys != NULL) {
        struct bm_eval_plan *list;
        int64_t year;
        size_t n = 0;
        if (!bm_parse_i64z(ys, 2000, 2100, &year))
            return bm_err_field(&rq->err, "year", "应为 2000～2100 的年份");
        if ((rc = bm_store_eval_plans_list(rq->store, year, rq->arena, &list, &n, &rq->err)) !=
            BM_OK)
            return rc;
        for (size_t i = 0; i < n && np < 8; i++)
            if ((rc = bm_store_eval_plan_get(rq->store, list[i].id, rq->arena, &ps[np++],
                                             &rq->err)) != BM_OK)
                return rc;
    } else {
        return bm_err_field(&rq->err, "plans", "请用 plans=1,2 或 year=2027 指定要比较的指标体系");
    }
    cols = json_array();
    for (size_t k = 0; k < np; k++)
        json_array_append_new(cols, plan_json(&ps[k], false));
    rows = json_array();
    for (size_t k = 0; k < np; k++) {
        for (size_t i = 0; i < ps[k].n_indicators; i++) {
            const struct bm_eval_indicator *x = &ps[k].indicators[i];
            json_t *row, *cells;
            bool seen = false, differs = false;
            const struct bm_eval_indicator *first = NULL;
            for (size_t q = 0; q < k && !seen; q++)
                for (size_t r = 0; r < ps[q].n_indicators && !seen; r++)
                    seen = strcmp(ps[q].indicators[r].code, x->code) == 0;
            if (seen)
                continue;
            cells = json_array();
            for (size_t q = 0; q < np; q++) {
                const struct bm_eval_indicator *y = NULL;
                for (size_t r = 0; r < ps[q].n_indicators; r++)
                    if (strcmp(ps[q].indicators[r].code, x->code) == 0)
                        y = &ps[q].indicators[r];
                if (y == NULL) {
                    differs = true;
                    json_array_append_new(cells, json_null());
                    continue;
                }
                if (first == NULL)
                    first = y;
                else if (first->weight_e4 != y->weight_e4 || strcmp(first->source, y->source) ||
                         strcmp(first->rule, y->rule) || first->floor_e4 != y->floor_e4 ||
                         first->target_e4 != y->target_e4 || strcmp(first->steps, y->steps))
                    differs = true;
                json_array_append_new(cells, indicator_json(y, bm_eval_is_inner(
                                                                   ps[q].indicators,
                                                                   ps[q].n_indicators,
                                                                   (size_t)(y - ps[q].indicators))));
            }
            row = json_pack("{s:s,s:s,s:o,s:b,s:o}", "code", x->code, "name", x->name,
                            "parent_code", x->parent_code[0] ? json_string(x->parent_code)
                                                             : json_null(),
                            "differs", differs, "plans", cells);
            json_array_append_new(rows, row);
        }
    }
    root = json_pack("{s:o,s:o}", "plans", cols, "indicators", rows);
    return bm_api_eval_reply(rq, rs, 200, root);
}

/* ---- periods ---- */

enum bm_rc
bm_api_eval_periods_list(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_eval_period *ps;
    size_t n = 0;
    json_t *items;
    enum bm_rc rc = bm_store_eval_periods_list(rq->store, false, rq->arena, &ps, &n, &rq->err);

    if (rc != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, bm_api_eval_period_json(&ps[i], false));
    return bm_api_eval_reply(rq, rs, 200, json_pack("{s:o,s:n}", "items", items, "next_cursor"));
}

enum bm_rc
bm_api_eval_periods_create(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"year", "name", "from", "to", "townships", NULL};
    struct bm_eval_period p;
    json_t *body, *ts, *o;
    int64_t id = 0;
    size_t i;
    enum bm_rc rc;

    memset(&p, 0, sizeof(p));
    rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, fields);
    if (rc != BM_OK)
        return rc;
    (void)bm_json_get_int(rq, body, "year", true, 2000, 2100, &p.year, NULL);
    if (bm_json_get_str(rq, body, "name", true, 100, &p.name, NULL) == BM_OK && p.name[0] == '\0')
        (void)bm_err_field(&rq->err, "name", "请填写考核期名称");
    (void)bm_api_part_get_day(rq, body, "from", &p.from_day);
    (void)bm_api_part_get_day(rq, body, "to", &p.to_day);
    ts = json_object_get(body, "townships");
    if (!json_is_array(ts) || json_array_size(ts) == 0 || json_array_size(ts) > 200)
        (void)bm_err_field(&rq->err, "townships", "请列出参加考核的乡镇（1～200 个）及其指标体系");
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    if (p.to_day < p.from_day)
        return bm_err_field(&rq->err, "to", "结束日期不能早于开始日期");
    if (bm_day_year(p.from_day) != p.year)
        return bm_err_field(&rq->err, "from", "考核期应从考核年度内开始");
    p.n_members = json_array_size(ts);
    if ((p.members = bm_arena_alloc(rq->arena, sizeof(*p.members) * p.n_members)) == NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    json_array_foreach(ts, i, o) {
        json_t *t = json_object_get(o, "township_id"), *pl = json_object_get(o, "plan_id");
        struct bm_org_unit u;
        struct bm_eval_plan plan;
        struct bm_err e;
        char *f = bm_arena_printf(rq->arena, "townships[%zu]", i);
        bm_err_clear(&e);
        if (!json_is_object(o) || json_object_size(o) != 2 || !json_is_integer(t) ||
            !json_is_integer(pl)) {
            (void)bm_err_field(&rq->err, f, "应为 {\"township_id\", \"plan_id\"}");
            continue;
        }
        if (bm_store_org_get(rq->store, json_integer_value(t), rq->arena, &u, &e) != BM_OK ||
            u.kind != BM_ORG_TOWNSHIP)
            (void)bm_err_field(&rq->err, f, "乡镇不存在");
        else if (bm_store_eval_plan_get(rq->store, json_integer_value(pl), rq->arena, &plan,
                                        &e) != BM_OK)
            (void)bm_err_field(&rq->err, f, "指标体系不存在");
        else if (plan.year != p.year)
            (void)bm_err_field(&rq->err, f, "指标体系的年度与考核年度不一致");
        for (size_t k = 0; k < i; k++)
            if (p.members[k].township_id == json_integer_value(t))
                (void)bm_err_field(&rq->err, f, "乡镇重复");
        p.members[i].township_id = json_integer_value(t);
        p.members[i].plan_id = json_integer_value(pl);
    }
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    p.created_by = rq->who.user_id;
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_eval_period_insert(rq->store, &p, rq->now, &id, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "eval.period.create", "eval_period", id,
                          json_pack("{s:s,s:I,s:o,s:o,s:I}", "name", p.name, "year",
                                    (json_int_t)p.year, "from", bm_api_part_day(p.from_day),
                                    "to", bm_api_part_day(p.to_day), "townships",
                                    (json_int_t)p.n_members));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_eval_period_get(rq->store, id, rq->arena, &p, &rq->err);
    if (rc != BM_OK)
        return rc;
    bm_resp_header(rs, "Location",
                   bm_arena_printf(rq->arena, "/api/v1/evaluation/periods/%" PRId64, id));
    return bm_api_eval_reply(rq, rs, 201, bm_api_eval_period_json(&p, true));
}

static json_t *
veto_json(const struct bm_eval_veto *v)
{
    return json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:o}", "id", (json_int_t)v->id,
                     "township_id", (json_int_t)v->township_id, "township_name",
                     v->township_name, "item", v->item, "reason", v->reason, "approval_doc_no",
                     v->approval_doc_no, "approving_body", v->approving_body, "approval_date",
                     bm_api_part_day(v->approval_date), "grade_cap", v->grade_cap, "created_at",
                     bm_json_time(v->created_at));
}

enum bm_rc
bm_api_eval_periods_get(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_eval_period p;
    struct bm_eval_veto *vs;
    size_t n = 0;
    json_t *j, *va;
    enum bm_rc rc = bm_api_eval_load_period(rq, 0, &p);

    if (rc == BM_OK)
        rc = bm_store_eval_vetoes_list(rq->store, p.id, rq->arena, &vs, &n, &rq->err);
    if (rc != BM_OK)
        return rc;
    j = bm_api_eval_period_json(&p, true);
    va = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(va, veto_json(&vs[i]));
    json_object_set_new(j, "vetoes", va);
    return bm_api_eval_reply(rq, rs, 200, j);
}

/* ---- inputs ---- */

static enum bm_rc
require_open(struct bm_req *rq, const struct bm_eval_period *p)
{
    if (strcmp(p->status, "open") != 0)
        return bm_err_set(&rq->err, BM_ETRANSITION, "考核期已关账，数据已冻结，不能再录入或修改");
    return BM_OK;
}

/* The leaf `code` of the plan township `t` is evaluated by, or NULL. */
static const struct bm_eval_indicator *
leaf_of(struct bm_req *rq, const struct bm_eval_period *p, int64_t t, const char *code,
        struct bm_eval_plan *plan)
{
    const struct bm_eval_member *m = bm_api_eval_member(p, t);
    struct bm_err e;

    bm_err_clear(&e);
    if (m == NULL || bm_store_eval_plan_get(rq->store, m->plan_id, rq->arena, plan, &e) != BM_OK)
        return NULL;
    for (size_t i = 0; i < plan->n_indicators; i++)
        if (strcmp(plan->indicators[i].code, code) == 0 &&
            !bm_eval_is_inner(plan->indicators, plan->n_indicators, i))
            return &plan->indicators[i];
    return NULL;
}

/* The caller's top unit under the county ("/1/9/"), "" for a county-level user. */
static const char *
top_unit(struct bm_req *rq)
{
    char out[BM_ORG_PATH_MAX];
    if (!bm_org_path_prefix(rq->who.org_path, 2, out, sizeof(out)))
        return "";
    return bm_arena_strdup(rq->arena, out);
}

static bool
is_manager(const struct bm_req *rq)
{
    return bm_access_role_allows(&rq->who, BM_PERM_EVAL_MANAGE);
}

/*
 * Writes the items of a scores or survey body: {"items": [{"township_id", "indicator_code",
 * "value", "note"}]} as inputs of `kind` ("manual" or "survey").
 */
static enum bm_rc
put_scores(struct bm_req *rq, struct bm_resp *rs, const char *kind)
{
    static const char *const manual_fields[] = {"items", NULL};
    static const char *const survey_fields[] = {"provider", "items", NULL};
    static const char *const item_fields[] = {"township_id", "indicator_code", "value", "note",
                                              NULL};
    bool survey = strcmp(kind, "survey") == 0;
    struct bm_eval_period p;
    struct bm_eval_input *ins;
    const char *provider = "", *mytop = top_unit(rq);
    json_t *body, *items, *o;
    size_t i, n;
    enum bm_rc rc = bm_api_eval_load_period(rq, 0, &p);

    /* Who, before what: besides the managers only a department's handlers and approvers
     * score (which indicators, the items say). */
    if (rc == BM_OK && !survey && !is_manager(rq) &&
        !(rq->who.roles & (BM_ROLE_HANDLER | BM_ROLE_APPROVER)))
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "只有指标指定的县直部门可以评分");
    if (rc == BM_OK)
        rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, survey ? survey_fields : manual_fields);
    if (rc != BM_OK)
        return rc;
    if (survey && bm_json_get_str(rq, body, "provider", true, 100, &provider, NULL) == BM_OK &&
        provider[0] == '\0')
        (void)bm_err_field(&rq->err, "provider", "请填写第三方评估机构名称");
    items = json_object_get(body, "items");
    if (!json_is_array(items) || json_array_size(items) == 0 || json_array_size(items) > 2000)
        return bm_err_field(&rq->err, "items", "请提供 1～2000 条评分");
    if ((rc = require_open(rq, &p)) != BM_OK)
        return rc;
    n = json_array_size(items);
    if ((ins = bm_arena_alloc(rq->arena, sizeof(*ins) * n)) == NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    json_array_foreach(items, i, o) {
        struct bm_eval_input *x = &ins[i];
        struct bm_eval_plan plan;
        const struct bm_eval_indicator *leaf;
        enum bm_eval_source src = BM_EVAL_SRC_NONE;
        char *f = bm_arena_printf(rq->arena, "items[%zu]", i);
        int64_t t = 0;
        const char *key;
        json_t *v;

        memset(x, 0, sizeof(*x));
        x->note = survey ? provider : "";
        if (!json_is_object(o)) {
            (void)bm_err_field(&rq->err, f, "应为对象");
            continue;
        }
        json_object_foreach(o, key, v) {
            bool known = false;
            for (int k = 0; item_fields[k]; k++)
                known = known || strcmp(key, item_fields[k]) == 0;
            if (!known)
                (void)bm_err_field(&rq->err, bm_arena_printf(rq->arena, "%s.%s", f, key),
                                   "未知字段");
        }
        v = json_object_get(o, "township_id");
        if (json_is_integer(v))
            t = json_integer_value(v);
        v = json_object_get(o, "indicator_code");
        x->indicator_code = json_is_string(v) ? json_string_value(v) : "";
        v = json_object_get(o, "note");
        if (v != NULL && !json_is_null(v) && (!json_is_string(v) || json_string_length(v) > 500))
            (void)bm_err_field(&rq->err, bm_arena_printf(rq->arena, "%s.note", f),
                               "应为不超过 500 字节的文本");
        else if (!survey && json_is_string(v))
            x->note = json_string_value(v);
        if (bm_api_eval_member(&p, t) == NULL) {
            (void)bm_err_field(&rq->err, f, "该乡镇不在本考核期内");
            continue;
        }
        leaf = leaf_of(rq, &p, t, x->indicator_code, &plan);
        if (leaf != NULL)
            (void)bm_eval_source_parse(leaf->source, &src);
        if (leaf == NULL || (!survey && src != BM_EVAL_SRC_MANUAL) ||
            (survey && src != BM_EVAL_SRC_SURVEY && src != BM_EVAL_SRC_PUBLIC_SATISFACTION)) {
            (void)bm_err_field(&rq->err, f, survey ? "该乡镇的指标体系中没有这项第三方评估指标"
                                                   : "该乡镇的指标体系中没有这项部门评分指标");
            continue;
        }
        if (bm_api_eval_get_num(rq, o, "value", bm_arena_printf(rq->arena, "%s.value", f), true,
                                0, BM_EVAL_TOTAL_E4, &x->value_e4, NULL) != BM_OK)
            continue;
        x->period_id = p.id;
        x->kind = kind;
        x->subject_unit_id = t;
        x->entered_by = rq->who.user_id;
        if (survey)
            continue;
        /* A named department scores its own indicators; evaluators may enter on its behalf. */
        x->rater_unit_id = leaf->department_id != 0 ? leaf->department_id : rq->who.org_unit_id;
        if (!is_manager(rq)) {
            struct bm_org_unit dept;
            struct bm_err e;
            bm_err_clear(&e);
            if (leaf->department_id == 0 ||
                bm_store_org_get(rq->store, leaf->department_id, rq->arena, &dept, &e) != BM_OK ||
                strcmp(dept.path, mytop) != 0)
                return bm_err_set(&rq->err, BM_EFORBIDDEN, "只有指标指定的县直部门可以评分（%s）",
                                  x->indicator_code);
        }
    }
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    rc = bm_store_begin(rq->store, &rq->err);
    for (i = 0; rc == BM_OK && i < n; i++)
        rc = bm_store_eval_input_put(rq->store, &ins[i], rq->now, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, survey ? "eval.survey.import" : "eval.score.enter", "eval_period",
                          p.id, json_pack("{s:I,s:s}", "items", (json_int_t)n, "provider",
                                          provider));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc != BM_OK)
        return rc;
    return bm_api_eval_reply(rq, rs, 200, json_pack("{s:I,s:I}", "period_id", (json_int_t)p.id,
                                                    "accepted", (json_int_t)n));
}

enum bm_rc
bm_api_eval_scores(struct bm_req *rq, struct bm_resp *rs)
{
    return put_scores(rq, rs, "manual");
}

enum bm_rc
bm_api_eval_surveys(struct bm_req *rq, struct bm_resp *rs)
{
    return put_scores(rq, rs, "survey");
}

/*
 * The reverse direction of the two-way evaluation: a township scores county departments.
 * {"township_id" (evaluators only; a township administrator scores for their own),
 *  "items": [{"department_id", "value", "comment"}]}
 */
enum bm_rc
bm_api_eval_dept_ratings_create(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"township_id", "items", NULL};
    struct bm_eval_period p;
    struct bm_eval_input *ins;
    const struct bm_eval_member *m = NULL;
    const char *mytop = top_unit(rq);
    json_t *body, *items, *o;
    int64_t town = 0;
    size_t i, n;
    enum bm_rc rc = bm_api_eval_load_period(rq, 0, &p);

    /* Who, before what: the role is checked before the body is read. */
    if (rc == BM_OK && !is_manager(rq) && !(rq->who.roles & BM_ROLE_TOWNSHIP_ADMIN))
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "只有乡镇管理员或考核人员可以评价县直部门");
    if (rc == BM_OK)
        rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, fields);
    if (rc != BM_OK)
        return rc;
    if (is_manager(rq)) {
        (void)bm_json_get_int(rq, body, "township_id", true, 1, INT64_MAX, &town, NULL);
        m = bm_api_eval_member(&p, town);
    } else if (rq->who.roles & BM_ROLE_TOWNSHIP_ADMIN) {
        for (size_t k = 0; k < p.n_members; k++)
            if (strcmp(p.members[k].township_path, mytop) == 0)
                m = &p.members[k];
        if (m == NULL)
            return bm_err_set(&rq->err, BM_EFORBIDDEN, "您所在的乡镇不在本考核期内");
    } else {
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "只有乡镇管理员或考核人员可以评价县直部门");
    }
    if (m == NULL && rq->err.n_fields == 0)
        (void)bm_err_field(&rq->err, "township_id", "该乡镇不在本考核期内");
    items = json_object_get(body, "items");
    if (!json_is_array(items) || json_array_size(items) == 0 || json_array_size(items) > 200)
        return bm_err_field(&rq->err, "items", "请提供 1～200 条对县直部门的评分");
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    if ((rc = require_open(rq, &p)) != BM_OK)
        return rc;
    n = json_array_size(items);
    if ((ins = bm_arena_alloc(rq->arena, sizeof(*ins) * n)) == NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    json_array_foreach(items, i, o) {
        struct bm_eval_input *x = &ins[i];
        json_t *d = json_object_get(o, "department_id"), *c = json_object_get(o, "comment");
        char *f = bm_arena_printf(rq->arena, "items[%zu]", i);
        struct bm_org_unit u;
        struct bm_err e;

        memset(x, 0, sizeof(*x));
        bm_err_clear(&e);
        const char *key;
        json_t *kv;
        bool unknown = false;

        if (!json_is_object(o)) {
            (void)bm_err_field(&rq->err, f, "应为 {\"department_id\", \"value\", \"comment\"}");
            continue;
        }
        json_object_foreach(o, key, kv) {
            if (strcmp(key, "department_id") && strcmp(key, "value") && strcmp(key, "comment")) {
                (void)bm_err_field(&rq->err, bm_arena_printf(rq->arena, "%s.%s", f, key),
                                   "未知字段");
                unknown = true;
            }
        }
        if (unknown)
            continue;
        if (!json_is_integer(d) ||
            bm_store_org_get(rq->store, json_integer_value(d), rq->arena, &u, &e) != BM_OK ||
            u.kind != BM_ORG_DEPARTMENT) {
            (void)bm_err_field(&rq->err, f, "县直部门不存在");
            continue;
        }
        if (c != NULL && !json_is_null(c) && (!json_is_string(c) || json_string_length(c) > 500)) {
            (void)bm_err_field(&rq->err, f, "评价意见应为不超过 500 字节的文本");
            continue;
        }
        (void)bm_api_eval_get_num(rq, o, "value", bm_arena_printf(rq->arena, "%s.value", f), true,
                                  0, BM_EVAL_TOTAL_E4, &x->value_e4, NULL);
        x->period_id = p.id;
        x->kind = "dept_rating";
        x->indicator_code = "";
        x->subject_unit_id = u.id;
        x->rater_unit_id = m->township_id;
        x->note = json_is_string(c) ? json_string_value(c) : "";
        x->entered_by = rq->who.user_id;
    }
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    rc = bm_store_begin(rq->store, &rq->err);
    for (i = 0; rc == BM_OK && i < n; i++)
        rc = bm_store_eval_input_put(rq->store, &ins[i], rq->now, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "eval.dept_rating.enter", "eval_period", p.id,
                          json_pack("{s:I,s:I}", "township_id", (json_int_t)m->township_id,
                                    "items", (json_int_t)n));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc != BM_OK)
        return rc;
    return bm_api_eval_reply(rq, rs, 200, json_pack("{s:I,s:I}", "period_id", (json_int_t)p.id,
                                                    "accepted", (json_int_t)n));
}

/* Per county department: the townships' scores and their average. */
enum bm_rc
bm_api_eval_dept_ratings_list(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_eval_period p;
    struct bm_eval_input *ins;
    size_t n = 0;
    json_t *items = NULL, *cur = NULL, *scores = NULL;
    int64_t dept = 0, sum = 0, cnt = 0;
    enum bm_rc rc = bm_api_eval_load_period(rq, 0, &p);

    if (rc == BM_OK)
        rc = bm_store_eval_inputs_list(rq->store, p.id, rq->arena, &ins, &n, &rq->err);
    if (rc != BM_OK)
        return rc;
    items = json_array();
    /* Inputs come ordered by kind, indicator, subject (the department), rater. */
    for (size_t i = 0; i <= n; i++) {
        bool is_rating = i < n && strcmp(ins[i].kind, "dept_rating") == 0;
        if (cur != NULL && (!is_rating || ins[i].subject_unit_id != dept)) {
            json_object_set_new(cur, "average", bm_api_eval_num(cnt ? (sum + cnt / 2) / cnt : 0));
            json_object_set_new(cur, "count", json_integer(cnt));
            json_object_set_new(cur, "scores", scores);
            json_array_append_new(items, cur);
            cur = NULL;
        }
        if (!is_rating)
            continue;
        if (cur == NULL) {
            dept = ins[i].subject_unit_id;
            cur = json_pack("{s:I,s:s}", "department_id", (json_int_t)dept, "department_name",
                            ins[i].subject_name);
            scores = json_array();
            sum = cnt = 0;
        }
        sum += ins[i].value_e4;
        cnt++;
        json_array_append_new(scores, json_pack("{s:I,s:s,s:o,s:s}", "township_id",
                                                (json_int_t)ins[i].rater_unit_id,
                                                "township_name", ins[i].rater_name, "value",
                                                bm_api_eval_num(ins[i].value_e4), "comment",
                                                ins[i].note));
    }
    return bm_api_eval_reply(rq, rs, 200, json_pack("{s:o,s:n}", "items", items, "next_cursor"));
}

enum bm_rc
bm_api_eval_inputs_list(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_eval_period p;
    struct bm_eval_input *ins;
    size_t n = 0;
    json_t *items;
    enum bm_rc rc = bm_api_eval_load_period(rq, 0, &p);

    if (rc == BM_OK)
        rc = bm_store_eval_inputs_list(rq->store, p.id, rq->arena, &ins, &n, &rq->err);
    if (rc != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            items, json_pack("{s:s,s:s,s:I,s:s,s:I,s:s,s:o,s:I,s:I,s:s,s:o}", "kind",
                             ins[i].kind, "indicator_code", ins[i].indicator_code,
                             "subject_unit_id", (json_int_t)ins[i].subject_unit_id,
                             "subject_name", ins[i].subject_name, "rater_unit_id",
                             (json_int_t)ins[i].rater_unit_id, "rater_name", ins[i].rater_name,
                             "value", bm_api_eval_num(ins[i].value_e4), "numerator",
                             (json_int_t)ins[i].numerator, "denominator",
                             (json_int_t)ins[i].denominator, "note", ins[i].note, "updated_at",
                             bm_json_time(ins[i].updated_at)));
    return bm_api_eval_reply(rq, rs, 200, json_pack("{s:o,s:n}", "items", items, "next_cursor"));
}

/* ---- vetoes (一票否决) ---- */

enum bm_rc
bm_api_eval_vetoes_create(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"township_id", "item", "reason", "approval_doc_no",
                                         "approving_body", "approval_date", "grade_cap", NULL};
    struct bm_eval_period p;
    struct bm_eval_veto v;
    enum bm_eval_grade cap;
    const char *date = NULL;
    bool has_date = false;
    json_t *body;
    int64_t id = 0;
    enum bm_rc rc = bm_api_eval_load_period(rq, 0, &p);

    memset(&v, 0, sizeof(v));
    v.approval_doc_no = v.approving_body = "";
    v.grade_cap = "pass";
    if (rc == BM_OK)
        rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, fields);
    if (rc != BM_OK)
        return rc;
    if (bm_json_get_int(rq, body, "township_id", true, 1, INT64_MAX, &v.township_id, NULL) ==
            BM_OK &&
        bm_api_eval_member(&p, v.township_id) == NULL)
        (void)bm_err_field(&rq->err, "township_id", "该乡镇不在本考核期内");
    if (bm_json_get_str(rq, body, "item", true, 100, &v.item, NULL) == BM_OK && v.item[0] == '\0')
        (void)bm_err_field(&rq->err, "item", "请填写否决事项");
    if (bm_json_get_str(rq, body, "reason", true, 1000, &v.reason, NULL) == BM_OK &&
        v.reason[0] == '\0')
        (void)bm_err_field(&rq->err, "reason", "请写明适用否决的事实");
    (void)bm_json_get_str(rq, body, "approval_doc_no", false, 100, &v.approval_doc_no, NULL);
    (void)bm_json_get_str(rq, body, "approving_body", false, 100, &v.approving_body, NULL);
    if (bm_json_get_str(rq, body, "approval_date", false, 10, &date, &has_date) == BM_OK &&
        has_date && !bm_day_parse(date, &v.approval_date))
        (void)bm_err_field(&rq->err, "approval_date", "日期应为 YYYY-MM-DD");
    if (bm_json_get_str(rq, body, "grade_cap", false, 16, &v.grade_cap, NULL) == BM_OK &&
        (!bm_eval_grade_parse(v.grade_cap, &cap) || cap == BM_EVAL_EXCELLENT))
        (void)bm_err_field(&rq->err, "grade_cap", "应为 good、pass 或 fail");
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    /* The rule of the policy: no veto without the provincial approval on record. */
    if ((rc = bm_eval_veto_check(v.approval_doc_no, v.approving_body, has_date, &rq->err)) !=
        BM_OK)
        return rc;
    if (v.approval_date > bm_api_eval_today(rq))
        return bm_err_field(&rq->err, "approval_date", "批准日期不能晚于今天");
    if ((rc = require_open(rq, &p)) != BM_OK)
        return rc;
    v.period_id = p.id;
    v.created_by = rq->who.user_id;
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_eval_veto_insert(rq->store, &v, rq->now, &id, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "eval.veto.create", "eval_veto", id,
                          json_pack("{s:I,s:I,s:s,s:s,s:s,s:s}", "period_id", (json_int_t)p.id,
                                    "township_id", (json_int_t)v.township_id, "item", v.item,
                                    "approval_doc_no", v.approval_doc_no, "approving_body",
                                    v.approving_body, "grade_cap", v.grade_cap));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc != BM_OK)
        return rc;
    v.id = id;
    v.created_at = rq->now;
    v.township_name = bm_api_eval_member(&p, v.township_id)->township_name;
    return bm_api_eval_reply(rq, rs, 201, veto_json(&v));
}

/* ---- follow-up of low performers (约谈、整改、通报) ---- */

static json_t *
followup_json(const struct bm_eval_followup *f)
{
    int k = bm_code_find(bm_eval_followup_kinds, f->kind);
    return json_pack("{s:I,s:I,s:I,s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:o,s:I,s:o}", "id",
                     (json_int_t)f->id, "period_id", (json_int_t)f->period_id, "township_id",
                     (json_int_t)f->township_id, "township_name", f->township_name, "kind",
                     f->kind, "kind_name", k >= 0 ? bm_eval_followup_kinds[k].zh : "", "note",
                     f->note, "due_date", bm_api_part_day(f->due_day), "status", f->status,
                     "result", f->result, "done_at", bm_json_time(f->done_at), "version",
                     (json_int_t)f->version, "created_at", bm_json_time(f->created_at));
}

enum bm_rc
bm_api_eval_followups_list(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_eval_period p;
    struct bm_eval_followup *fs;
    size_t n = 0;
    json_t *items;
    enum bm_rc rc = bm_api_eval_load_period(rq, 0, &p);

    if (rc == BM_OK)
        rc = bm_store_eval_followups_list(rq->store, p.id, rq->arena, &fs, &n, &rq->err);
    if (rc != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        if (bm_access_in_scope(&rq->who, BM_PERM_EVAL_READ, fs[i].township_path))
            json_array_append_new(items, followup_json(&fs[i]));
    return bm_api_eval_reply(rq, rs, 200, json_pack("{s:o,s:n}", "items", items, "next_cursor"));
}

enum bm_rc
bm_api_eval_followups_create(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"township_id", "kind", "note", "due_date", NULL};
    struct bm_eval_period p;
    struct bm_eval_followup f;
    json_t *body;
    int64_t id = 0;
    enum bm_rc rc = bm_api_eval_load_period(rq, 0, &p);

    memset(&f, 0, sizeof(f));
    if (rc == BM_OK)
        rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, fields);
    if (rc != BM_OK)
        return rc;
    if (bm_json_get_int(rq, body, "township_id", true, 1, INT64_MAX, &f.township_id, NULL) ==
            BM_OK &&
        bm_api_eval_member(&p, f.township_id) == NULL)
        (void)bm_err_field(&rq->err, "township_id", "该乡镇不在本考核期内");
    if (bm_json_get_str(rq, body, "kind", true, 16, &f.kind, NULL) == BM_OK &&
        bm_code_find(bm_eval_followup_kinds, f.kind) < 0)
        (void)bm_err_field(&rq->err, "kind", "应为 talk（约谈）、rectify（整改）或 notice（通报）");
    if (bm_json_get_str(rq, body, "note", true, 2000, &f.note, NULL) == BM_OK && f.note[0] == '\0')
        (void)bm_err_field(&rq->err, "note", "请写明跟踪要求");
    if (bm_api_part_get_day(rq, body, "due_date", &f.due_day) == BM_OK &&
        f.due_day < bm_api_eval_today(rq))
        (void)bm_err_field(&rq->err, "due_date", "期限不能早于今天");
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    if (strcmp(p.status, "open") == 0)
        return bm_err_set(&rq->err, BM_ETRANSITION, "考核期关账、结果确定后才能安排跟踪整改");
    f.period_id = p.id;
    f.created_by = rq->who.user_id;
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_eval_followup_insert(rq->store, &f, rq->now, &id, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "eval.followup.create", "eval_followup", id,
                          json_pack("{s:I,s:I,s:s,s:o}", "period_id", (json_int_t)p.id,
                                    "township_id", (json_int_t)f.township_id, "kind", f.kind,
                                    "due_date", bm_api_part_day(f.due_day)));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_eval_followup_get(rq->store, id, rq->arena, &f, &rq->err);
    return rc == BM_OK ? bm_api_eval_reply(rq, rs, 201, followup_json(&f)) : rc;
}

enum bm_rc
bm_api_eval_followup_complete(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"result", NULL};
    struct bm_eval_followup f;
    const char *result = NULL;
    json_t *body;
    int64_t id, version;
    enum bm_rc rc = bm_req_param_id(rq, 0, &id);

    if (rc == BM_OK)
        rc = bm_store_eval_followup_get(rq->store, id, rq->arena, &f, &rq->err);
    if (rc == BM_OK)
        rc = bm_req_if_match(rq, &version);
    if (rc == BM_OK)
        rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, fields);
    if (rc != BM_OK)
        return rc;
    if (bm_json_get_str(rq, body, "result", true, 2000, &result, NULL) == BM_OK &&
        result[0] == '\0')
        (void)bm_err_field(&rq->err, "result", "请写明跟踪整改的结果");
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    if (strcmp(f.status, "open") != 0)
        return bm_err_set(&rq->err, BM_ETRANSITION, "该跟踪记录已办结");
    f.version = version;
    f.status = "done";
    f.result = result;
    f.done_at = rq->now;
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_eval_followup_update(rq->store, &f, rq->now, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "eval.followup.complete", "eval_followup", id, NULL);
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_eval_followup_get(rq->store, id, rq->arena, &f, &rq->err);
    return rc == BM_OK ? bm_api_eval_reply(rq, rs, 200, followup_json(&f)) : rc;
}

/* ---- public comments on published results (公示) ---- */

static json_t *
comment_json(const struct bm_eval_comment *c)
{
    return json_pack("{s:I,s:o,s:s,s:s,s:o}", "id", (json_int_t)c->id, "township_id",
                     c->township_id ? json_integer(c->township_id) : json_null(), "content",
                     c->content, "author", c->author_masked, "created_at",
                     bm_json_time(c->created_at));
}

enum bm_rc
bm_api_eval_comments_list(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_eval_period p;
    struct bm_eval_comment *cs;
    size_t n = 0;
    int limit;
    int64_t cursor;
    json_t *items;
    enum bm_rc rc = bm_api_eval_load_period(rq, 0, &p);

    if (rc == BM_OK)
        rc = bm_req_page(rq, 50, 200, &limit, &cursor);
    if (rc == BM_OK)
        rc = bm_store_eval_comments_list(rq->store, p.id, cursor, limit, rq->arena, &cs, &n,
                                         &rq->err);
    if (rc != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, comment_json(&cs[i]));
    return bm_json_page(rq, rs, items, (int)n == limit, n > 0 ? cs[n - 1].id : 0);
}

enum bm_rc
bm_api_public_eval_comment(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"township_id", "content", "name", NULL};
    struct bm_eval_period p;
    struct bm_eval_comment c;
    const char *name = NULL;
    char masked[64];
    json_t *body;
    int64_t id = 0;
    enum bm_rc rc = bm_api_eval_load_period(rq, 0, &p);

    memset(&c, 0, sizeof(c));
    if (rc == BM_OK && strcmp(p.status, "published") != 0)
        rc = bm_err_set(&rq->err, BM_ENOTFOUND, "考核结果不存在或尚未公示");
    if (rc == BM_OK)
        rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, fields);
    if (rc != BM_OK)
        return rc;
    if (bm_json_get_int(rq, body, "township_id", false, 1, INT64_MAX, &c.township_id, NULL) ==
            BM_OK &&
        c.township_id != 0 && bm_api_eval_member(&p, c.township_id) == NULL)
        (void)bm_err_field(&rq->err, "township_id", "该乡镇不在本次考核之列");
    if (bm_json_get_str(rq, body, "content", true, 2000, &c.content, NULL) == BM_OK &&
        c.content[0] == '\0')
        (void)bm_err_field(&rq->err, "content", "请填写意见内容");
    (void)bm_json_get_str(rq, body, "name", false, 30, &name, NULL);
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    if (bm_api_eval_today(rq) > p.comment_until)
        return bm_err_set(&rq->err, BM_ECONFLICT, "公示期已结束，不再受理意见");
    if (name != NULL && name[0] != '\0') {
        bm_pii_mask_name(name, masked, sizeof(masked));
        c.author_masked = masked;
    } else {
        c.author_masked = "匿名";
    }
    c.period_id = p.id;
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_eval_comment_insert(rq->store, &c, rq->now, &id, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "eval.comment.create", "eval_comment", id,
                          json_pack("{s:I}", "period_id", (json_int_t)p.id));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc != BM_OK)
        return rc;
    c.id = id;
    c.created_at = rq->now;
    return bm_api_eval_reply(rq, rs, 201, comment_json(&c));
}
