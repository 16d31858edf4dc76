/*
 * Demo township evaluation (绩效考核) for `bianmin demo`: this year's indicator systems for
 * general and agricultural townships (after the default system of docs/domain.md 10.3,
 * limited to what the demo has data for), an open period of the year for every township,
 * and the service administration's scores of the townships, so that a run shows figures
 * computed from the demo's cases and ratings.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/calendar.h"
#include "core/evaluation.h"
#include "util/time.h"

#define E4(points) ((int64_t)(points) * BM_EVAL_SCALE)
#define N_INDICATORS 8

/* Agricultural townships of the demo county (the rest are evaluated as general). */
static const char *const agricultural[] = {"溪翁庄镇", "西田各庄镇", "巨各庄镇", "穆家峪镇",
                                           "不老屯镇", "东邵渠镇"};

static bool
is_agricultural(const char *name)
{
    for (size_t i = 0; i < sizeof(agricultural) / sizeof(agricultural[0]); i++)
        if (strcmp(name, agricultural[i]) == 0)
            return true;
    return false;
}

/* One system; `agri` moves weight from efficiency to public satisfaction. */
static void
fill(struct bm_eval_indicator *x, bool agri, int64_t dept)
{
    const struct bm_eval_indicator t[] = {
        {.code = "eff", .name = "办事效能", .weight_e4 = E4(agri ? 30 : 35)},
        {.code = "eff.on_time", .parent_code = "eff", .name = "按时办结率",
         .weight_e4 = E4(agri ? 20 : 25), .source = "on_time_rate", .rule = "linear",
         .floor_e4 = E4(90), .target_e4 = E4(100)},
        {.code = "eff.online", .parent_code = "eff", .name = "网办率", .weight_e4 = E4(10),
         .source = "online_rate", .rule = "linear", .floor_e4 = 0, .target_e4 = E4(60)},
        {.code = "sat", .name = "群众满意度", .weight_e4 = E4(agri ? 45 : 40)},
        {.code = "sat.rating", .parent_code = "sat", .name = agri ? "群众满意度" : "好差评满意率",
         .weight_e4 = E4(agri ? 30 : 25),
         .source = agri ? "public_satisfaction" : "satisfaction_rate", .rule = "threshold",
         .steps = "95:1;90:0.8;80:0.5"},
        {.code = "sat.rectify", .parent_code = "sat", .name = "差评整改率", .weight_e4 = E4(15),
         .source = "rectification_rate", .rule = "linear", .floor_e4 = E4(80),
         .target_e4 = E4(100)},
        {.code = "two", .name = "双向评价", .weight_e4 = E4(25)},
        {.code = "two.dept", .parent_code = "two", .name = "县直部门评价", .weight_e4 = E4(25),
         .source = "manual", .rule = "linear", .floor_e4 = E4(60), .target_e4 = E4(100),
         .department_id = dept},
    };
    _Static_assert(sizeof(t) / sizeof(t[0]) == N_INDICATORS, "one system has N_INDICATORS");
    for (size_t i = 0; i < N_INDICATORS; i++) {
        x[i] = t[i];
        x[i].parent_code = x[i].parent_code ? x[i].parent_code : "";
        x[i].source = x[i].source ? x[i].source : "";
        x[i].rule = x[i].rule ? x[i].rule : "";
        x[i].steps = x[i].steps ? x[i].steps : "";
    }
}


enum bm_rc
cli_demo_evaluation(struct bm_store *st, struct bm_err *err)
{
    struct bm_arena *a = bm_arena_new(1 << 20);
    struct bm_org_unit *us = NULL;
    struct bm_user evaluator;
    struct bm_eval_indicator gen[N_INDICATORS], agri[N_INDICATORS];
    struct bm_eval_plan p;
    struct bm_eval_period per;
    struct bm_eval_member *ms;
    const char *hash;
    char name[64], pname[64];
    int64_t now = bm_now(), dept = 0, plan_gen = 0, plan_agri = 0, period = 0;
    int year = bm_day_year(bm_day_of_instant(now));
    size_t n = 0, nm = 0;
    enum bm_rc rc;

    rc = bm_store_org_list(st, "", a, &us, &n, err);
    for (size_t i = 0; rc == BM_OK && i < n; i++)
        if (strcmp(us[i].name, "北京市密云区政务服务管理局") == 0)
            dept = us[i].id;
    if (rc == BM_OK)
        rc = bm_store_user_get_login(st, "evaluator", a, &evaluator, &hash, err);
    ms = bm_arena_alloc(a, sizeof(*ms) * (n ? n : 1));
    if (rc != BM_OK || dept == 0 || ms == NULL) {
        bm_arena_free(a);
        return rc;
    }
    fill(gen, false, dept);
    fill(agri, true, dept);
    if ((rc = bm_eval_plan_check(gen, N_INDICATORS, err)) == BM_OK)
        rc = bm_eval_plan_check(agri, N_INDICATORS, err);
    if (rc == BM_OK)
        rc = bm_store_begin(st, err);

    memset(&p, 0, sizeof(p));
    p.year = year;
    p.excellent_e4 = E4(90);
    p.good_e4 = E4(80);
    p.pass_e4 = E4(60);
    p.survey_share_e4 = BM_EVAL_SCALE / 2;
    p.created_by = evaluator.id;
    p.n_indicators = N_INDICATORS;
    snprintf(name, sizeof(name), "%d年度乡镇绩效考核指标（通用）", year);
    p.township_type = "general";
    p.name = name;
    p.indicators = gen;
    if (rc == BM_OK)
        rc = bm_store_eval_plan_insert(st, &p, now, &plan_gen, err);
    snprintf(name, sizeof(name), "%d年度乡镇绩效考核指标（农业型）", year);
    p.township_type = "agricultural";
    p.indicators = agri;
    if (rc == BM_OK)
        rc = bm_store_eval_plan_insert(st, &p, now, &plan_agri, err);

    for (size_t i = 0; i < n; i++)
        if (us[i].kind == BM_ORG_TOWNSHIP) {
            ms[nm].township_id = us[i].id;
            ms[nm++].plan_id = is_agricultural(us[i].name) ? plan_agri : plan_gen;
        }
    memset(&per, 0, sizeof(per));
    per.year = year;
    snprintf(pname, sizeof(pname), "%d年度乡镇绩效考核", year);
    per.name = pname;
    (void)bm_day_from_ymd(year, 1, 1, &per.from_day);
    (void)bm_day_from_ymd(year, 12, 31, &per.to_day);
    per.created_by = evaluator.id;
    per.members = ms;
    per.n_members = nm;
    if (rc == BM_OK)
        rc = bm_store_eval_period_insert(st, &per, now, &period, err);
    /* The county service administration's scores of each township (80 to 96). */
    for (size_t i = 0; rc == BM_OK && i < nm; i++) {
        struct bm_eval_input in = {
            .period_id = period, .kind = "manual", .indicator_code = "two.dept",
            .subject_unit_id = ms[i].township_id, .rater_unit_id = dept,
            .value_e4 = E4(80 + (ms[i].township_id * 7) % 17), .note = "",
            .entered_by = evaluator.id,
        };
        rc = bm_store_eval_input_put(st, &in, now, err);
    }
    if (rc == BM_OK)
        rc = cli_audit(st, "demo.evaluation", "eval_period", period,
                       "{\"plans\":2,\"periods\":1}", err);
    if (rc == BM_OK)
        rc = bm_store_commit(st, err);
    bm_store_rollback(st);
    bm_arena_free(a);
    return rc;
}
