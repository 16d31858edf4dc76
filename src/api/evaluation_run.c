/*
 * Township performance evaluation: computing a period's results (every leaf with its source
 * data, totals, ranks, grades, veto caps), closing a period (the platform's figures frozen
 * into the period's inputs), publication for public comment (公示) with the public views,
 * and the .xlsx export.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "api/evaluation.h"
#include "api/handlers.h"
#include "api/json.h"
#include "api/participation.h"
#include "core/evaluation.h"
#include "io/evaluation.h"

/* The platform figures of one township, live or frozen. */
struct figures {
    int64_t num[BM_EVAL_SRC_COUNT], den[BM_EVAL_SRC_COUNT];
};

static void
figures_of_counts(const struct bm_eval_counts *c, struct figures *f)
{
    memset(f, 0, sizeof(*f));
    f->num[BM_EVAL_SRC_ON_TIME_RATE] = c->decided_on_time;
    f->den[BM_EVAL_SRC_ON_TIME_RATE] = c->decided;
    f->num[BM_EVAL_SRC_SATISFACTION_RATE] = c->satisfied;
    f->den[BM_EVAL_SRC_SATISFACTION_RATE] = c->ratings;
    f->num[BM_EVAL_SRC_RECTIFICATION_RATE] = c->rect_done;
    f->den[BM_EVAL_SRC_RECTIFICATION_RATE] = c->rect_tasks;
    f->num[BM_EVAL_SRC_ONLINE_RATE] = c->online;
    f->den[BM_EVAL_SRC_ONLINE_RATE] = c->submitted;
    f->num[BM_EVAL_SRC_DEMAND_RESPONSE_RATE] = c->demands_on_time;
    f->den[BM_EVAL_SRC_DEMAND_RESPONSE_RATE] = c->demands;
    f->num[BM_EVAL_SRC_HOUSEHOLD_COVERAGE] = c->covered;
    f->den[BM_EVAL_SRC_HOUSEHOLD_COVERAGE] = c->households;
}

/* [from, to) in UTC instants for the CST days of the period. */
static void
period_instants(const struct bm_eval_period *p, int64_t *from, int64_t *to)
{
    *from = (int64_t)p->from_day * 86400 - 8 * 3600;
    *to = ((int64_t)p->to_day + 1) * 86400 - 8 * 3600;
}

/*
 * The figures of every member: computed from the platform while the period is open, read
 * from the frozen inputs once it is closed.
 */
static enum bm_rc
load_figures(struct bm_req *rq, const struct bm_eval_period *p, const struct bm_eval_input *ins,
             size_t n_ins, struct figures *figs)
{
    int64_t from, to;
    enum bm_rc rc = BM_OK;

    period_instants(p, &from, &to);
    for (size_t m = 0; rc == BM_OK && m < p->n_members; m++) {
        struct bm_eval_counts c;
        if (strcmp(p->status, "open") == 0) {
            rc = bm_store_eval_counts(rq->store, p->members[m].township_path, from, to, &c,
                                      &rq->err);
            if (rc == BM_OK)
                figures_of_counts(&c, &figs[m]);
            continue;
        }
        memset(&figs[m], 0, sizeof(figs[m]));
        for (size_t i = 0; i < n_ins; i++) {
            enum bm_eval_source s;
            if (strcmp(ins[i].kind, "platform") != 0 ||
                ins[i].subject_unit_id != p->members[m].township_id ||
                !bm_eval_source_parse(ins[i].indicator_code, &s))
                continue;
            figs[m].num[s] = ins[i].numerator;
            figs[m].den[s] = ins[i].denominator;
        }
    }
    return rc;
}

/* Average of the inputs of `kind` for (indicator, township); false if there are none. */
static bool
average(const struct bm_eval_input *ins, size_t n, const char *kind, const char *code,
        int64_t town, double *out)
{
    double sum = 0;
    int cnt = 0;
    for (size_t i = 0; i < n; i++)
        if (ins[i].subject_unit_id == town && strcmp(ins[i].kind, kind) == 0 &&
            strcmp(ins[i].indicator_code, code) == 0) {
            sum += (double)ins[i].value_e4 / BM_EVAL_SCALE;
            cnt++;
        }
    if (cnt == 0)
        return false;
    *out = sum / cnt;
    return true;
}

/* Everything a run works from, loaded once. */
struct run {
    struct bm_eval_period p;
    struct bm_eval_plan *plans; /* plans[m]: the plan of member m */
    struct bm_eval_input *ins;
    size_t n_ins;
    struct figures *figs;
    struct bm_eval_veto *vetoes;
    size_t n_vetoes;
};

static enum bm_rc
load_run(struct bm_req *rq, struct run *r)
{
    size_t nm = r->p.n_members;
    enum bm_rc rc;

    r->plans = bm_arena_alloc(rq->arena, sizeof(*r->plans) * (nm ? nm : 1));
    r->figs = bm_arena_alloc(rq->arena, sizeof(*r->figs) * (nm ? nm : 1));
    if (r->plans == NULL || r->figs == NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "考核数据过大");
    rc = bm_store_eval_inputs_list(rq->store, r->p.id, rq->arena, &r->ins, &r->n_ins, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_eval_vetoes_list(rq->store, r->p.id, rq->arena, &r->vetoes, &r->n_vetoes,
                                       &rq->err);
    for (size_t m = 0; rc == BM_OK && m < nm; m++) {
        size_t k;
        for (k = 0; k < m && r->plans[k].id != r->p.members[m].plan_id; k++)
            ;
        if (k < m)
            r->plans[m] = r->plans[k];
        else
            rc = bm_store_eval_plan_get(rq->store, r->p.members[m].plan_id, rq->arena,
                                        &r->plans[m], &rq->err);
    }
    if (rc == BM_OK)
        rc = load_figures(rq, &r->p, r->ins, r->n_ins, r->figs);
    return rc;
}

/* The value of leaf `x` for member m, with the figures it came from. */
static bool
leaf_value(const struct run *r, size_t m, const struct bm_eval_indicator *x, double *v,
           int64_t *num, int64_t *den)
{
    enum bm_eval_source s = BM_EVAL_SRC_NONE;
    const struct figures *f = &r->figs[m];
    int64_t town = r->p.members[m].township_id;
    double sat = 0, survey = 0, share;
    bool has_sat, has_survey;

    *num = *den = 0;
    (void)bm_eval_source_parse(x->source, &s);
    if (bm_eval_source_is_platform(s)) {
        *num = f->num[s];
        *den = f->den[s];
        if (*den == 0)
            return false;
        *v = 100.0 * (double)*num / (double)*den;
        return true;
    }
    if (s == BM_EVAL_SRC_MANUAL)
        return average(r->ins, r->n_ins, "manual", x->code, town, v);
    if (s == BM_EVAL_SRC_SURVEY)
        return average(r->ins, r->n_ins, "survey", x->code, town, v);
    if (s != BM_EVAL_SRC_PUBLIC_SATISFACTION)
        return false;
    /* Public satisfaction: the rating satisfaction rate and the survey, blended. */
    *num = f->num[BM_EVAL_SRC_SATISFACTION_RATE];
    *den = f->den[BM_EVAL_SRC_SATISFACTION_RATE];
    has_sat = *den > 0;
    if (has_sat)
        sat = 100.0 * (double)*num / (double)*den;
    has_survey = average(r->ins, r->n_ins, "survey", x->code, town, &survey);
    share = (double)r->plans[m].survey_share_e4 / BM_EVAL_SCALE;
    if (has_sat && has_survey)
        *v = share * survey + (1 - share) * sat;
    else if (has_sat || has_survey)
        *v = has_sat ? sat : survey;
    return has_sat || has_survey;
}

/* Computes the results of every member into out[] (detail JSON text in the arena). */
static enum bm_rc
compute(struct bm_req *rq, struct run *r, struct bm_eval_result *out)
{
    size_t nm = r->p.n_members;
    int64_t *totals = bm_arena_alloc(rq->arena, sizeof(*totals) * (nm ? nm : 1));
    int *ranks = bm_arena_alloc(rq->arena, sizeof(*ranks) * (nm ? nm : 1));
    json_t **details = bm_arena_alloc(rq->arena, sizeof(*details) * (nm ? nm : 1));
    bool *done = bm_arena_alloc(rq->arena, sizeof(*done) * (nm ? nm : 1));

    if (totals == NULL || ranks == NULL || details == NULL || done == NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "考核数据过大");
    memset(done, 0, sizeof(*done) * nm);
    /* One group per indicator system: rank rules rank the townships that share it. */
    for (size_t g = 0; g < nm; g++) {
        const struct bm_eval_plan *pl = &r->plans[g];
        size_t n = pl->n_indicators, nt = 0, *idx;
        double *values, *scores, *tot, *nums, *dens;
        bool *has;

        if (done[g])
            continue;
        idx = bm_arena_alloc(rq->arena, sizeof(*idx) * nm);
        values = bm_arena_alloc(rq->arena, sizeof(double) * nm * n);
        scores = bm_arena_alloc(rq->arena, sizeof(double) * nm * n);
        nums = bm_arena_alloc(rq->arena, sizeof(double) * nm * n);
        dens = bm_arena_alloc(rq->arena, sizeof(double) * nm * n);
        tot = bm_arena_alloc(rq->arena, sizeof(double) * nm);
        has = bm_arena_alloc(rq->arena, sizeof(bool) * nm * n);
        if (!idx || !values || !scores || !nums || !dens || !tot || !has)
            return bm_err_set(&rq->err, BM_ETOOBIG, "考核数据过大");
        for (size_t m = g; m < nm; m++)
            if (!done[m] && r->plans[m].id == pl->id) {
                idx[nt++] = m;
                done[m] = true;
            }
        for (size_t t = 0; t < nt; t++)
            for (size_t i = 0; i < n; i++) {
                int64_t num = 0, den = 0;
                values[t * n + i] = 0;
                has[t * n + i] = !bm_eval_is_inner(pl->indicators, n, i) &&
                                 leaf_value(r, idx[t], &pl->indicators[i], &values[t * n + i],
                                            &num, &den);
                nums[t * n + i] = (double)num;
                dens[t * n + i] = (double)den;
            }
        bm_eval_score(pl->indicators, n, nt, values, has, scores, tot);
        for (size_t t = 0; t < nt; t++) {
            json_t *inds = json_array();
            for (size_t i = 0; i < n; i++) {
                const struct bm_eval_indicator *x = &pl->indicators[i];
                bool inner = bm_eval_is_inner(pl->indicators, n, i);
                json_t *e = json_pack("{s:s,s:s,s:o,s:o,s:o}", "code", x->code, "name", x->name,
                                      "parent_code",
                                      x->parent_code[0] ? json_string(x->parent_code)
                                                        : json_null(),
                                      "weight", bm_api_eval_num(x->weight_e4), "score",
                                      bm_api_eval_num(bm_eval_e4(scores[t * n + i])));
                if (!inner) {
                    json_object_set_new(e, "source", json_string(x->source));
                    json_object_set_new(e, "rule", json_string(x->rule));
                    json_object_set_new(e, "value",
                                        has[t * n + i]
                                            ? bm_api_eval_num(bm_eval_e4(values[t * n + i]))
                                            : json_null());
                    json_object_set_new(e, "missing", json_boolean(!has[t * n + i]));
                    if (dens[t * n + i] > 0) {
                        json_object_set_new(e, "numerator", json_integer((json_int_t)nums[t * n + i]));
                        json_object_set_new(e, "denominator",
                                            json_integer((json_int_t)dens[t * n + i]));
                    }
                }
                json_array_append_new(inds, e);
            }
            details[idx[t]] = inds;
            totals[idx[t]] = bm_eval_e4(tot[t]);
        }
    }
    bm_eval_ranks(totals, nm, ranks);
    for (size_t m = 0; m < nm; m++) {
        const struct bm_eval_plan *pl = &r->plans[m];
        enum bm_eval_grade cap = BM_EVAL_EXCELLENT, g, uncapped;
        json_t *vs = json_array(), *detail;
        char *text;

        for (size_t v = 0; v < r->n_vetoes; v++) {
            enum bm_eval_grade c;
            if (r->vetoes[v].township_id != r->p.members[m].township_id ||
                !bm_eval_grade_parse(r->vetoes[v].grade_cap, &c))
                continue;
            cap = c > cap ? c : cap;
            json_array_append_new(vs, json_pack("{s:s,s:s,s:s,s:s}", "item", r->vetoes[v].item,
                                                "approval_doc_no", r->vetoes[v].approval_doc_no,
                                                "approving_body", r->vetoes[v].approving_body,
                                                "grade_cap", r->vetoes[v].grade_cap));
        }
        uncapped = bm_eval_grade_of(totals[m], pl->excellent_e4, pl->good_e4, pl->pass_e4,
                                    BM_EVAL_EXCELLENT);
        g = bm_eval_grade_of(totals[m], pl->excellent_e4, pl->good_e4, pl->pass_e4, cap);
        detail = json_pack("{s:o,s:o}", "indicators", details[m], "vetoes", vs);
        text = json_dumps(detail, JSON_COMPACT | JSON_REAL_PRECISION(12));
        json_decref(detail);
        if (text == NULL)
            return bm_err_set(&rq->err, BM_EINTERNAL, "无法生成考核明细");
        out[m].detail = bm_arena_strdup(rq->arena, text);
        free(text);
        if (out[m].detail == NULL)
            return bm_err_set(&rq->err, BM_ETOOBIG, "考核数据过大");
        out[m].period_id = r->p.id;
        out[m].township_id = r->p.members[m].township_id;
        out[m].township_name = r->p.members[m].township_name;
        out[m].township_path = r->p.members[m].township_path;
        out[m].plan_id = pl->id;
        out[m].total_e4 = totals[m];
        out[m].rank = ranks[m];
        out[m].grade = bm_eval_grades[g].code;
        out[m].is_capped = g != uncapped;
        out[m].computed_at = rq->now;
    }
    return BM_OK;
}

static json_t *
result_json(const struct bm_eval_result *x, bool with_detail)
{
    enum bm_eval_grade g = BM_EVAL_FAIL;
    json_t *j = json_object();

    (void)bm_eval_grade_parse(x->grade, &g);
    json_object_set_new(j, "township_id", json_integer(x->township_id));
    json_object_set_new(j, "township_name", json_string(x->township_name));
    json_object_set_new(j, "plan_id", json_integer(x->plan_id));
    json_object_set_new(j, "total", bm_api_eval_num(x->total_e4));
    json_object_set_new(j, "rank", json_integer(x->rank));
    json_object_set_new(j, "grade", json_string(x->grade));
    json_object_set_new(j, "grade_name", json_string(bm_eval_grades[g].zh));
    json_object_set_new(j, "capped_by_veto", json_boolean(x->is_capped));
    json_object_set_new(j, "computed_at", bm_json_time(x->computed_at));
    if (with_detail) {
        json_error_t jerr;
        json_t *d = json_loads(x->detail, 0, &jerr);
        json_object_set_new(j, "indicators", d ? json_incref(json_object_get(d, "indicators"))
                                               : json_array());
        json_object_set_new(j, "vetoes", d ? json_incref(json_object_get(d, "vetoes"))
                                           : json_array());
        json_decref(d);
    }
    return j;
}

/* Runs the computation and stores the results, inside the caller's transaction. */
static enum bm_rc
run_and_store(struct bm_req *rq, struct run *r, struct bm_eval_result **out)
{
    enum bm_rc rc;

    *out = bm_arena_alloc(rq->arena, sizeof(**out) * (r->p.n_members ? r->p.n_members : 1));
    if (*out == NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "考核数据过大");
    rc = compute(rq, r, *out);
    if (rc == BM_OK)
        rc = bm_store_eval_results_put(rq->store, r->p.id, *out, r->p.n_members, rq->now,
                                       &rq->err);
    return rc;
}

static enum bm_rc
reply_results(struct bm_req *rq, struct bm_resp *rs, const struct bm_eval_period *p,
              bool with_detail, bool scoped)
{
    struct bm_eval_result *xs;
    size_t n = 0;
    json_t *items, *root;
    enum bm_rc rc = bm_store_eval_results_list(rq->store, p->id, rq->arena, &xs, &n, &rq->err);

    if (rc != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        if (!scoped || bm_access_in_scope(&rq->who, BM_PERM_EVAL_READ, xs[i].township_path))
            json_array_append_new(items, result_json(&xs[i], with_detail));
    root = json_pack("{s:o,s:o,s:n}", "period", bm_api_eval_period_json(p, false), "items",
                     items, "next_cursor");
    return bm_api_eval_reply(rq, rs, 200, root);
}

enum bm_rc
bm_api_eval_run(struct bm_req *rq, struct bm_resp *rs)
{
    struct run r;
    struct bm_eval_result *out;
    enum bm_rc rc;

    memset(&r, 0, sizeof(r));
    if ((rc = bm_api_eval_load_period(rq, 0, &r.p)) != BM_OK)
        return rc;
    if (strcmp(r.p.status, "published") == 0)
        return bm_err_set(&rq->err, BM_ETRANSITION, "考核结果已公示，不能重新计算");
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = load_run(rq, &r);
    if (rc == BM_OK)
        rc = run_and_store(rq, &r, &out);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "eval.run", "eval_period", r.p.id,
                          json_pack("{s:s,s:I}", "status", r.p.status, "townships",
                                    (json_int_t)r.p.n_members));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    return rc == BM_OK ? reply_results(rq, rs, &r.p, true, false) : rc;
}

enum bm_rc
bm_api_eval_results_list(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_eval_period p;
    enum bm_rc rc = bm_api_eval_load_period(rq, 0, &p);
    return rc == BM_OK ? reply_results(rq, rs, &p, false, true) : rc;
}

enum bm_rc
bm_api_eval_result_get(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_eval_period p;
    struct bm_eval_result *xs;
    size_t n = 0;
    int64_t town;
    enum bm_rc rc = bm_api_eval_load_period(rq, 0, &p);

    if (rc == BM_OK)
        rc = bm_req_param_id(rq, 1, &town);
    if (rc == BM_OK)
        rc = bm_store_eval_results_list(rq->store, p.id, rq->arena, &xs, &n, &rq->err);
    if (rc != BM_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (xs[i].township_id == town &&
            bm_access_in_scope(&rq->who, BM_PERM_EVAL_READ, xs[i].township_path)) {
            json_t *j = result_json(&xs[i], true);
            json_object_set_new(j, "period", bm_api_eval_period_json(&p, false));
            return bm_api_eval_reply(rq, rs, 200, j);
        }
    return bm_err_set(&rq->err, BM_ENOTFOUND, "没有该乡镇的考核结果");
}

/* Closing freezes the platform's figures of the period into its inputs, then computes. */
enum bm_rc
bm_api_eval_close(struct bm_req *rq, struct bm_resp *rs)
{
    static const enum bm_eval_source platform[] = {
        BM_EVAL_SRC_ON_TIME_RATE, BM_EVAL_SRC_SATISFACTION_RATE, BM_EVAL_SRC_RECTIFICATION_RATE,
        BM_EVAL_SRC_ONLINE_RATE, BM_EVAL_SRC_DEMAND_RESPONSE_RATE, BM_EVAL_SRC_HOUSEHOLD_COVERAGE};
    struct run r;
    struct bm_eval_result *out;
    int64_t version;
    enum bm_rc rc;

    memset(&r, 0, sizeof(r));
    rc = bm_api_eval_load_period(rq, 0, &r.p);
    if (rc == BM_OK)
        rc = bm_req_if_match(rq, &version);
    if (rc != BM_OK)
        return rc;
    if (strcmp(r.p.status, "open") != 0)
        return bm_err_set(&rq->err, BM_ETRANSITION, "考核期已经关账");
    if (r.p.to_day >= bm_api_eval_today(rq)) {
        char d[11];
        bm_day_format(r.p.to_day, d);
        return bm_err_set(&rq->err, BM_ETRANSITION, "考核期到 %s 才结束，结束后才能关账", d);
    }
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = load_run(rq, &r); /* status open: figures computed from the platform now */
    for (size_t m = 0; rc == BM_OK && m < r.p.n_members; m++)
        for (size_t k = 0; rc == BM_OK && k < sizeof(platform) / sizeof(platform[0]); k++) {
            struct bm_eval_input in = {0};
            enum bm_eval_source s = platform[k];
            in.period_id = r.p.id;
            in.kind = "platform";
            in.indicator_code = bm_eval_source_code(s);
            in.subject_unit_id = r.p.members[m].township_id;
            in.numerator = r.figs[m].num[s];
            in.denominator = r.figs[m].den[s];
            in.value_e4 = in.denominator ? bm_eval_e4(100.0 * (double)in.numerator /
                                                      (double)in.denominator)
                                         : 0;
            in.note = "";
            in.entered_by = rq->who.user_id;
            rc = bm_store_eval_input_put(rq->store, &in, rq->now, &rq->err);
        }
    if (rc == BM_OK) {
        r.p.version = version;
        r.p.status = "closed";
        r.p.closed_at = rq->now;
        rc = bm_store_eval_period_update(rq->store, &r.p, rq->now, &rq->err);
    }
    if (rc == BM_OK)
        rc = bm_store_eval_inputs_list(rq->store, r.p.id, rq->arena, &r.ins, &r.n_ins, &rq->err);
    if (rc == BM_OK)
        rc = run_and_store(rq, &r, &out);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "eval.period.close", "eval_period", r.p.id,
                          json_pack("{s:I}", "townships", (json_int_t)r.p.n_members));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_eval_period_get(rq->store, r.p.id, rq->arena, &r.p, &rq->err);
    return rc == BM_OK ? bm_api_eval_reply(rq, rs, 200, bm_api_eval_period_json(&r.p, true)) : rc;
}

enum bm_rc
bm_api_eval_publish(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"comment_until", NULL};
    struct bm_eval_period p;
    struct bm_eval_result *xs;
    size_t n = 0;
    json_t *body;
    bm_day until = BM_DAY_NONE;
    int64_t version;
    enum bm_rc rc = bm_api_eval_load_period(rq, 0, &p);

    if (rc == BM_OK)
        rc = bm_req_if_match(rq, &version);
    if (rc == BM_OK)
        rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, fields);
    if (rc != BM_OK)
        return rc;
    if (bm_api_part_get_day(rq, body, "comment_until", &until) == BM_OK &&
        (until < bm_api_eval_today(rq) || until > bm_api_eval_today(rq) + 60))
        (void)bm_err_field(&rq->err, "comment_until", "公示期应从今天起，不超过 60 天");
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    if (strcmp(p.status, "closed") != 0)
        return bm_err_set(&rq->err, BM_ETRANSITION,
                          strcmp(p.status, "open") == 0 ? "考核期关账后才能公示结果"
                                                        : "考核结果已经公示");
    if ((rc = bm_store_eval_results_list(rq->store, p.id, rq->arena, &xs, &n, &rq->err)) != BM_OK)
        return rc;
    if (n == 0)
        return bm_err_set(&rq->err, BM_ETRANSITION, "还没有考核结果，不能公示");
    p.version = version;
    p.status = "published";
    p.comment_until = until;
    p.published_at = rq->now;
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_eval_period_update(rq->store, &p, rq->now, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "eval.period.publish", "eval_period", p.id,
                          json_pack("{s:o}", "comment_until", bm_api_part_day(until)));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_eval_period_get(rq->store, p.id, rq->arena, &p, &rq->err);
    return rc == BM_OK ? bm_api_eval_reply(rq, rs, 200, bm_api_eval_period_json(&p, true)) : rc;
}

enum bm_rc
bm_api_eval_export(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_eval_period p;
    struct bm_eval_result *xs;
    size_t n = 0;
    json_t *items;
    enum bm_rc rc = bm_api_eval_load_period(rq, 0, &p);

    if (rc == BM_OK)
        rc = bm_store_eval_results_list(rq->store, p.id, rq->arena, &xs, &n, &rq->err);
    if (rc != BM_OK)
        return rc;
    if (n == 0)
        return bm_err_set(&rq->err, BM_ETRANSITION, "还没有考核结果，请先计算");
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, result_json(&xs[i], true));
    rc = bm_io_eval_export_xlsx(p.name, items, &rs->body, &rs->body_len, &rq->err);
    json_decref(items);
    if (rc != BM_OK)
        return rc;
    rs->status = 200;
    rs->content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    bm_resp_header(rs, "Content-Disposition",
                   bm_arena_printf(rq->arena, "attachment; filename=\"evaluation-%" PRId64
                                              ".xlsx\"",
                                   p.id));
    return BM_OK;
}

/* ---- the public views (no log-in): published results only ---- */

enum bm_rc
bm_api_public_eval_periods(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_eval_period *ps;
    size_t n = 0;
    json_t *items;
    enum bm_rc rc = bm_store_eval_periods_list(rq->store, true, rq->arena, &ps, &n, &rq->err);

    if (rc != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *j = bm_api_eval_period_json(&ps[i], false);
        json_object_set_new(j, "comments_open",
                            json_boolean(bm_api_eval_today(rq) <= ps[i].comment_until));
        json_object_del(j, "version");
        json_array_append_new(items, j);
    }
    return bm_api_eval_reply(rq, rs, 200, json_pack("{s:o,s:n}", "items", items, "next_cursor"));
}

enum bm_rc
bm_api_public_eval_results(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_eval_period p;
    enum bm_rc rc = bm_api_eval_load_period(rq, 0, &p);

    if (rc == BM_OK && strcmp(p.status, "published") != 0)
        rc = bm_err_set(&rq->err, BM_ENOTFOUND, "考核结果不存在或尚未公示");
    return rc == BM_OK ? reply_results(rq, rs, &p, true, false) : rc;
}
