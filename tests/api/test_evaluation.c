/*
 * API tests of township performance evaluation (绩效考核): two variants of a two-level
 * indicator system compared side by side; a period for 西田各庄镇 and 溪翁庄镇 fed with cases
 * decided on time and late (the server's clock moved with libfaketime), ratings, a county
 * department's manual scores, a third-party survey and the townships' scores of the
 * department; each township's total checked against a hand computation; a veto refused
 * without its provincial approval (nothing changed) and capping the grade with it; closing
 * freezes the period, so a re-run after new cases inside the period gives identical results;
 * publication with public comments and the public results page; follow-up of the low
 * performer; the .xlsx export; bad input; and the authorization table of every route.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "client.h"

#define PW "Bianmin2026"
/* Monday 2027-03-01, 09:00 China time: the first day of the period (March 2027). */
#define DAY0 "@2027-03-01 01:00:00"
/* Monday 2027-03-22, 10:00: past the five-working-day limit of cases accepted on DAY0. */
#define DAY_LATE "@2027-03-22 02:00:00"
/* Friday 2027-04-02, 10:00: the period is over. */
#define DAY_AFTER "@2027-04-02 02:00:00"
/* Thursday 2027-03-25: back inside the period, to add cases after it was closed. */
#define DAY_MID "@2027-03-25 02:00:00"

static struct server srv;

enum role_ix { ADMIN, XT_CLERK, XT_HANDLER, XT_APPROVER, XT_ADMIN, XW_CLERK, XW_ADMIN, RSJ_HANDLER,
               SUPERVISOR, EVALUATOR, AUDITOR, CITIZEN, N_ROLES };
static const char *users[N_ROLES] = {"admin", "xtgz_clerk", "xtgz_handler", "xtgz_approver",
                                     "xtgz_admin", "xwz_clerk", "xwz_admin", "rsj_handler",
                                     "supervisor", "evaluator", "auditor", "citizen"};
static struct session ss[N_ROLES];

#define XT "西田各庄镇"
#define XW "溪翁庄镇"
#define RSJ "北京市密云区人力资源和社会保障局"
#define M_FORM "申请表"
#define APPLICANT                                                                              \
    "{\"name\":\"李秀英\",\"id_type\":\"resident_id\",\"id_number\":\"110119198001010014\","  \
    "\"phone\":\"13800138001\"}"

/* Shared between the tests, which run in order. */
static long long item_id, xt_id, xw_id, rsj_id, plan_a, plan_b, period_id, control_id;
static char late_xt[32], late_xt_code[16], late_xw[32], late_xw_code[16];
static long long late_xt_v, late_xw_v;
static char closed_xt_detail[8192], closed_xw_detail[8192];
static double closed_xt_total, closed_xw_total;

static void
pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static long
call(int who, const char *method, const char *path, const char *body, const char *const *headers,
     struct resp *r)
{
    for (int i = 0;; i++) {
        req(&srv, who < 0 ? NULL : &ss[who], method, path, body, headers, r);
        if (r->status != 503 || i == 30)
            return r->status;
        resp_free(r);
        pause_ms(100);
    }
}

/* A call that must answer `want`; prints the body otherwise. */
static void
expect(int who, const char *method, const char *path, const char *body, long want,
       struct resp *r)
{
    call(who, method, path, body, NULL, r);
    if (r->status != want)
        fprintf(stderr, "%s %s as %s: %ld %s\n", method, path, who < 0 ? "anonymous" : users[who],
                r->status, r->body ? r->body : "");
    assert_int_equal(r->status, want);
}

static void
login_as(int i)
{
    long st = 0;
    for (int k = 0; k < 30; k++) {
        if ((st = login(&srv, &ss[i], users[i], PW)) != 503)
            break;
        pause_ms(100);
    }
    assert_int_equal(st, 200);
}

static void
start_at(const char *faketime)
{
    bool ok;

    if (srv.pid > 0)
        assert_int_equal(server_stop(&srv), 0);
    ok = server_start_at(&srv, faketime, NULL);
    if (!ok)
        (void)server_stop(&srv);
    assert_true(ok);
    for (int i = 0; i < N_ROLES; i++) {
        memset(&ss[i], 0, sizeof(ss[i]));
        login_as(i);
    }
}

static long long
audit_top(void)
{
    struct resp r;
    long long id;
    assert_int_equal(call(ADMIN, "GET", "/api/v1/audit?limit=1", NULL, NULL, &r), 200);
    id = jint(r.json, "items.0.id");
    resp_free(&r);
    return id;
}

static long long
org_id(const char *name)
{
    struct resp r;
    json_t *e;
    size_t i;
    long long id = 0;
    assert_int_equal(call(ADMIN, "GET", "/api/v1/org-units?flat=true", NULL, NULL, &r), 200);
    json_array_foreach(json_object_get(r.json, "items"), i, e) {
        if (strcmp(jstr(e, "name"), name) == 0)
            id = jint(e, "id");
    }
    resp_free(&r);
    assert_true(id > 0);
    return id;
}

static long long
make_item(void)
{
    struct resp r;
    long long id;

    expect(ADMIN, "POST", "/api/v1/items",
           fmt("{\"code\":\"TEST-EVAL-1\",\"name\":\"测试就业登记\",\"type\":\"confirmation\","
               "\"category\":\"employment\",\"implementing_unit_id\":%lld,\"promised_days\":5,"
               "\"legal_days\":10,\"visits\":1,\"visits_reason\":\"核验原件\","
               "\"conditions\":\"本县户籍居民\",\"legal_basis\":\"《测试条例》第一条\","
               "\"consult_phone\":\"010-69041111\",\"complaint_phone\":\"12345\","
               "\"window_address\":\"各乡镇便民服务中心\",\"delivery_methods\":[\"window\"],"
               "\"county_wide\":true,\"materials\":[{\"name\":\"" M_FORM "\"}]}",
               rsj_id),
           201, &r);
    id = jint(r.json, "id");
    resp_free(&r);
    expect(ADMIN, "POST", fmt("/api/v1/items/%lld/publish", id), NULL, 200, &r);
    resp_free(&r);
    return id;
}

static long long
act_ok(int who, const char *no, long long version, const char *body, const char *status)
{
    struct resp r;
    char im[48];
    long long v;

    snprintf(im, sizeof(im), "If-Match: \"%lld\"", version);
    if (call(who, "POST", fmt("/api/v1/cases/%s/actions", no), body,
             (const char *const[]){im, NULL}, &r) != 200)
        fprintf(stderr, "%s: %ld %s\n", body, r.status, r.body ? r.body : "");
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(r.json, "status"), status);
    v = jint(r.json, "version");
    resp_free(&r);
    return v;
}

/* A case at the window of `clerk` accepted now; decided and delivered now unless `keep`. */
static long long
make_case(int clerk, bool keep, char no[32], char code[16])
{
    struct resp r;
    long long v;

    expect(clerk, "POST", "/api/v1/cases",
           fmt("{\"item_id\":%lld,\"applicant\":" APPLICANT ",\"materials\":"
               "[{\"name\":\"" M_FORM "\",\"provided\":true}]}",
               item_id),
           201, &r);
    snprintf(no, 32, "%s", jstr(r.json, "case_no"));
    snprintf(code, 16, "%s", jstr(r.json, "query_code"));
    v = jint(r.json, "version");
    resp_free(&r);
    v = act_ok(clerk, no, v, "{\"action\":\"accept\"}", "accepted");
    if (keep)
        return v;
    v = act_ok(RSJ_HANDLER, no, v, "{\"action\":\"approve\",\"note\":\"符合条件\"}", "completed");
    return act_ok(clerk, no, v, "{\"action\":\"deliver\",\"method\":\"window\"}", "delivered");
}

/* Decides and delivers a case kept open by make_case. */
static void
finish_case(int clerk, const char *no, long long v)
{
    v = act_ok(RSJ_HANDLER, no, v, "{\"action\":\"approve\",\"note\":\"符合条件\"}", "completed");
    (void)act_ok(clerk, no, v, "{\"action\":\"deliver\",\"method\":\"window\"}", "delivered");
}

static void
rate(const char *no, const char *code, int level)
{
    struct resp r;
    expect(-1, "POST", fmt("/api/v1/public/cases/%s/rating?code=%s", no, code),
           level <= 2 ? fmt("{\"level\":%d,\"reasons\":[\"slow\"]}", level)
                      : fmt("{\"level\":%d}", level),
           201, &r);
    resp_free(&r);
}

/* A delivered case rated at `level`. */
static void
rated_case(int clerk, int level)
{
    char no[32], code[16];
    (void)make_case(clerk, false, no, code);
    rate(no, code, level);
}

/* The two-level system: three dimensions, leaves with linear and threshold rules. */
static const char *
plan_body(const char *type, bool agricultural)
{
    /* Variant A (industrial): 效能 40 = 按时办结率 30 + 网办率 10; 满意度 40 (threshold on
     * the rating satisfaction rate); 双向评价 20 (the bureau's manual score).
     * Variant B (`agricultural` true, used as the ecological variant): 效能 30 = 20 + 10;
     * 满意度 50 = public satisfaction (ratings and survey, half each, linear 0..100);
     * 双向评价 20. The demo's own systems are general and agricultural. */
    return fmt("{\"year\":2027,\"township_type\":\"%s\",\"name\":\"2027年度%s乡镇考核指标\","
               "\"grades\":{\"excellent\":90,\"good\":80,\"pass\":60},\"survey_share\":0.5,"
               "\"indicators\":["
               "{\"code\":\"eff\",\"name\":\"办事效能\",\"weight\":%d},"
               "{\"code\":\"eff.on_time\",\"parent_code\":\"eff\",\"name\":\"按时办结率\","
               "\"weight\":%d,\"source\":\"on_time_rate\",\"rule\":\"linear\",\"floor\":50,"
               "\"target\":100},"
               "{\"code\":\"eff.online\",\"parent_code\":\"eff\",\"name\":\"网办率\","
               "\"weight\":10,\"source\":\"online_rate\",\"rule\":\"linear\",\"floor\":0,"
               "\"target\":100},"
               "{\"code\":\"sat\",\"name\":\"群众满意度\",\"weight\":%d},"
               "%s,"
               "{\"code\":\"two\",\"name\":\"双向评价\",\"weight\":20},"
               "{\"code\":\"two.dept\",\"parent_code\":\"two\",\"name\":\"县直部门评价\","
               "\"weight\":20,\"source\":\"manual\",\"rule\":\"linear\",\"floor\":0,"
               "\"target\":100,\"department_id\":%lld}]}",
               type, agricultural ? "生态型" : "工业型", agricultural ? 30 : 40,
               agricultural ? 20 : 30, agricultural ? 50 : 40,
               agricultural
                   ? "{\"code\":\"sat.rating\",\"parent_code\":\"sat\",\"name\":\"群众满意度\","
                     "\"weight\":50,\"source\":\"public_satisfaction\",\"rule\":\"linear\","
                     "\"floor\":0,\"target\":100}"
                   : "{\"code\":\"sat.rating\",\"parent_code\":\"sat\",\"name\":\"好差评满意率\","
                     "\"weight\":40,\"source\":\"satisfaction_rate\",\"rule\":\"threshold\","
                     "\"steps\":[{\"min\":90,\"fraction\":1},{\"min\":60,\"fraction\":0.5}]}",
               rsj_id);
}

static double
jnum(json_t *j, const char *path)
{
    json_t *v = jget(j, path);
    return json_is_number(v) ? json_number_value(v) : -1;
}

/* The result object of a township in a results answer. */
static json_t *
result_of(json_t *root, long long town)
{
    json_t *e;
    size_t i;
    json_array_foreach(json_object_get(root, "items"), i, e) {
        if (jint(e, "township_id") == town)
            return e;
    }
    return NULL;
}

/* The indicator `code` in a result's breakdown. */
static json_t *
leaf_of(json_t *result, const char *code)
{
    json_t *e;
    size_t i;
    json_array_foreach(json_object_get(result, "indicators"), i, e) {
        if (strcmp(jstr(e, "code"), code) == 0)
            return e;
    }
    return NULL;
}

static long long
period_version(long long id)
{
    struct resp r;
    long long v;
    expect(EVALUATOR, "GET", fmt("/api/v1/evaluation/periods/%lld", id), NULL, 200, &r);
    v = jint(r.json, "version");
    resp_free(&r);
    return v;
}

static long
with_if_match(int who, const char *method, const char *path, const char *body, long long version,
              struct resp *r)
{
    char im[48];
    snprintf(im, sizeof(im), "If-Match: \"%lld\"", version);
    return call(who, method, path, body, (const char *const[]){im, NULL}, r);
}

/* ---- setup ---- */

static int
group_setup(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_ALL);
    return server_prepare(&srv) ? 0 : -1;
}

static int
group_teardown(void **state)
{
    (void)state;
    if (srv.pid > 0)
        (void)server_stop(&srv);
    server_cleanup(&srv);
    curl_global_cleanup();
    return 0;
}

/* ---- tests ---- */

/* Two variants of the system, refused trees, the side-by-side comparison. */
static void
test_plans(void **state)
{
    struct resp r;
    long long before;
    json_t *e;
    size_t i;
    bool saw_differs = false, saw_same = false;
    (void)state;

    start_at(DAY0);
    expect(-1, "GET", "/api/v1/enums", NULL, 200, &r);
    assert_string_equal(jstr(r.json, "evaluation_sources.0.code"), "manual");
    assert_string_equal(jstr(r.json, "evaluation_grades.3.name"), "不合格");
    resp_free(&r);
    xt_id = org_id(XT);
    xw_id = org_id(XW);
    rsj_id = org_id(RSJ);
    item_id = make_item();

    expect(EVALUATOR, "POST", "/api/v1/evaluation/plans", plan_body("industrial", false), 201, &r);
    plan_a = jint(r.json, "id");
    assert_int_equal(json_array_size(json_object_get(r.json, "indicators")), 7);
    assert_string_equal(jstr(r.json, "township_type_name"), "工业型");
    assert_string_equal(jstr(r.json, "indicators.6.department_name"), RSJ);
    assert_true(jnum(r.json, "indicators.4.steps.1.fraction") == 0.5);
    resp_free(&r);
    expect(ADMIN, "POST", "/api/v1/evaluation/plans", plan_body("ecological", true), 201, &r);
    plan_b = jint(r.json, "id");
    resp_free(&r);
    /* One system per year and type. */
    expect(EVALUATOR, "POST", "/api/v1/evaluation/plans", plan_body("industrial", false), 409, &r);
    assert_problem(&r, 409, "conflict");
    resp_free(&r);

    /* Broken trees are refused with the field named, and nothing is stored. */
    before = audit_top();
    {
        static const struct {
            const char *body, *field;
        } bad[] = {
            /* top level adds up to 90 */
            {"{\"year\":2027,\"township_type\":\"remote\",\"name\":\"x\",\"indicators\":["
             "{\"code\":\"a\",\"name\":\"a\",\"weight\":90,\"source\":\"manual\","
             "\"rule\":\"rank\"}]}",
             "indicators"},
            /* children 20 + 10 under a dimension of 40 */
            {"{\"year\":2027,\"township_type\":\"remote\",\"name\":\"x\",\"indicators\":["
             "{\"code\":\"a\",\"name\":\"a\",\"weight\":40},{\"code\":\"b\",\"name\":\"b\","
             "\"weight\":60,\"source\":\"manual\",\"rule\":\"rank\"},"
             "{\"code\":\"a1\",\"parent_code\":\"a\",\"name\":\"a1\",\"weight\":20,"
             "\"source\":\"manual\",\"rule\":\"rank\"},{\"code\":\"a2\",\"parent_code\":\"a\","
             "\"name\":\"a2\",\"weight\":10,\"source\":\"manual\",\"rule\":\"rank\"}]}",
             "indicators[0].weight"},
            /* a cycle */
            {"{\"year\":2027,\"township_type\":\"remote\",\"name\":\"x\",\"indicators\":["
             "{\"code\":\"a\",\"parent_code\":\"b\",\"name\":\"a\",\"weight\":100},"
             "{\"code\":\"b\",\"parent_code\":\"a\",\"name\":\"b\",\"weight\":100}]}",
             "indicators[0].parent_code"},
            /* linear rule with floor = target */
            {"{\"year\":2027,\"township_type\":\"remote\",\"name\":\"x\",\"indicators\":["
             "{\"code\":\"a\",\"name\":\"a\",\"weight\":100,\"source\":\"on_time_rate\","
             "\"rule\":\"linear\",\"floor\":90,\"target\":90}]}",
             "indicators[0].target"},
            /* steps out of order */
            {"{\"year\":2027,\"township_type\":\"remote\",\"name\":\"x\",\"indicators\":["
             "{\"code\":\"a\",\"name\":\"a\",\"weight\":100,\"source\":\"survey\","
             "\"rule\":\"threshold\",\"steps\":[{\"min\":60,\"fraction\":0.5},"
             "{\"min\":90,\"fraction\":1}]}]}",
             "indicators[0].steps"},
            /* a misspelt field inside an indicator */
            {"{\"year\":2027,\"township_type\":\"remote\",\"name\":\"x\",\"indicators\":["
             "{\"code\":\"a\",\"name\":\"a\",\"wieght\":100,\"source\":\"manual\","
             "\"rule\":\"rank\"}]}",
             "indicators[0].wieght"},
            /* a township type nobody knows */
            {"{\"year\":2027,\"township_type\":\"coastal\",\"name\":\"x\",\"indicators\":["
             "{\"code\":\"a\",\"name\":\"a\",\"weight\":100,\"source\":\"manual\","
             "\"rule\":\"rank\"}]}",
             "township_type"},
            /* a department that is a township */
            {"{\"year\":2027,\"township_type\":\"remote\",\"name\":\"x\",\"indicators\":["
             "{\"code\":\"a\",\"name\":\"a\",\"weight\":100,\"source\":\"manual\","
             "\"rule\":\"rank\",\"department_id\":1}]}",
             "indicators[0].department_id"},
        };
        for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
            expect(EVALUATOR, "POST", "/api/v1/evaluation/plans", bad[k].body, 400, &r);
            assert_problem(&r, 400, "validation_failed");
            if (!has_field_error(&r, bad[k].field))
                fprintf(stderr, "want %s: %s\n", bad[k].field, r.body);
            assert_true(has_field_error(&r, bad[k].field));
            resp_free(&r);
        }
    }
    expect(EVALUATOR, "POST", "/api/v1/evaluation/plans", "{\"year\":", 400, &r);
    assert_problem(&r, 400, "validation_failed");
    resp_free(&r);
    assert_int_equal(audit_top(), before);
    /* (The demo county has this year's general and agricultural systems of its own.) */
    expect(EVALUATOR, "GET", "/api/v1/evaluation/plans?year=2027", NULL, 200, &r);
    {
        int found = 0;
        json_array_foreach(json_object_get(r.json, "items"), i, e) {
            found += jint(e, "id") == plan_a || jint(e, "id") == plan_b;
            assert_int_equal(jint(e, "year"), 2027);
        }
        assert_int_equal(found, 2);
    }
    resp_free(&r);

    /* Side by side: weights differ on the efficiency and satisfaction rows, not on two-way. */
    expect(XT_ADMIN, "GET", fmt("/api/v1/evaluation/comparison?plans=%lld,%lld", plan_a, plan_b),
           NULL, 200, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "plans")), 2);
    assert_int_equal(json_array_size(json_object_get(r.json, "indicators")), 7);
    json_array_foreach(json_object_get(r.json, "indicators"), i, e) {
        bool differs = json_is_true(json_object_get(e, "differs"));
        if (strcmp(jstr(e, "code"), "eff.on_time") == 0) {
            assert_true(differs);
            assert_true(jnum(e, "plans.0.weight") == 30 && jnum(e, "plans.1.weight") == 20);
            saw_differs = true;
        }
        if (strcmp(jstr(e, "code"), "two.dept") == 0) {
            assert_false(differs);
            saw_same = true;
        }
    }
    assert_true(saw_differs && saw_same);
    resp_free(&r);
    expect(EVALUATOR, "GET", "/api/v1/evaluation/comparison?year=2027", NULL, 200, &r);
    assert_true(json_array_size(json_object_get(r.json, "plans")) >= 2);
    resp_free(&r);
    expect(EVALUATOR, "GET", "/api/v1/evaluation/comparison?plans=1,x", NULL, 400, &r);
    resp_free(&r);

    /* An update needs If-Match; a stale one is refused. */
    call(EVALUATOR, "PUT", fmt("/api/v1/evaluation/plans/%lld", plan_a),
         "{\"name\":\"改名\",\"indicators\":[]}", NULL, &r);
    assert_int_equal(r.status, 400);
    resp_free(&r);
    with_if_match(EVALUATOR, "PUT", fmt("/api/v1/evaluation/plans/%lld", plan_a),
                  "{\"name\":\"2027年度通用乡镇考核指标（修订）\",\"indicators\":["
                  "{\"code\":\"x\",\"name\":\"x\",\"weight\":100,\"source\":\"manual\","
                  "\"rule\":\"rank\"}]}",
                  7, &r);
    assert_problem(&r, 412, "precondition_failed");
    resp_free(&r);
}

/* The period, its inputs, a veto refused without approval, the hand-computed totals. */
static void
test_period_and_totals(void **state)
{
    struct resp r;
    long long before;
    json_t *x;
    (void)state;

    expect(EVALUATOR, "POST", "/api/v1/evaluation/periods",
           fmt("{\"year\":2027,\"name\":\"2027年3月乡镇考核\",\"from\":\"2027-03-01\","
               "\"to\":\"2027-03-31\",\"townships\":[{\"township_id\":%lld,\"plan_id\":%lld},"
               "{\"township_id\":%lld,\"plan_id\":%lld}]}",
               xt_id, plan_a, xw_id, plan_b),
           201, &r);
    period_id = jint(r.json, "id");
    assert_string_equal(jstr(r.json, "status"), "open");
    assert_int_equal(json_array_size(json_object_get(r.json, "townships")), 2);
    resp_free(&r);
    /* A second period over the same days stays open: it shows what the platform says now. */
    expect(EVALUATOR, "POST", "/api/v1/evaluation/periods",
           fmt("{\"year\":2027,\"name\":\"对照\",\"from\":\"2027-03-01\",\"to\":\"2027-03-31\","
               "\"townships\":[{\"township_id\":%lld,\"plan_id\":%lld},"
               "{\"township_id\":%lld,\"plan_id\":%lld}]}",
               xt_id, plan_a, xw_id, plan_b),
           201, &r);
    control_id = jint(r.json, "id");
    resp_free(&r);

    /* Cases of DAY0: 西田各庄镇 four decided on time (rated 5, 5, 4, 3) and one kept open;
     * 溪翁庄镇 three on time (rated 5, 4, 3) and one kept open. */
    rated_case(XT_CLERK, 5);
    rated_case(XT_CLERK, 5);
    rated_case(XT_CLERK, 4);
    rated_case(XT_CLERK, 3);
    late_xt_v = make_case(XT_CLERK, true, late_xt, late_xt_code);
    rated_case(XW_CLERK, 5);
    rated_case(XW_CLERK, 4);
    rated_case(XW_CLERK, 3);
    late_xw_v = make_case(XW_CLERK, true, late_xw, late_xw_code);

    /* The bureau scores both townships on its own indicator; others may not. */
    expect(RSJ_HANDLER, "POST", fmt("/api/v1/evaluation/periods/%lld/scores", period_id),
           fmt("{\"items\":[{\"township_id\":%lld,\"indicator_code\":\"two.dept\",\"value\":90,"
               "\"note\":\"配合良好\"},{\"township_id\":%lld,\"indicator_code\":\"two.dept\","
               "\"value\":70}]}",
               xt_id, xw_id),
           200, &r);
    assert_int_equal(jint(r.json, "accepted"), 2);
    resp_free(&r);
    expect(XT_HANDLER, "POST", fmt("/api/v1/evaluation/periods/%lld/scores", period_id),
           fmt("{\"items\":[{\"township_id\":%lld,\"indicator_code\":\"two.dept\",\"value\":100}]}",
               xt_id),
           403, &r);
    assert_problem(&r, 403, "forbidden");
    resp_free(&r);
    /* A platform indicator takes no manual score; a value out of range; a stranger township. */
    before = audit_top();
    expect(EVALUATOR, "POST", fmt("/api/v1/evaluation/periods/%lld/scores", period_id),
           fmt("{\"items\":[{\"township_id\":%lld,\"indicator_code\":\"eff.on_time\",\"value\":100},"
               "{\"township_id\":%lld,\"indicator_code\":\"two.dept\",\"value\":101},"
               "{\"township_id\":1,\"indicator_code\":\"two.dept\",\"value\":50}]}",
               xt_id, xw_id),
           400, &r);
    assert_true(has_field_error(&r, "items[0]"));
    assert_true(has_field_error(&r, "items[1].value"));
    assert_true(has_field_error(&r, "items[2]"));
    resp_free(&r);
    expect(RSJ_HANDLER, "POST", fmt("/api/v1/evaluation/periods/%lld/scores", period_id),
           fmt("{\"items\":[{\"township_id\":%lld,\"indicator_code\":\"two.dept\","
               "\"value\":\"90\",\"note\":7}]}",
               xt_id),
           400, &r);
    assert_true(has_field_error(&r, "items[0].value"));
    assert_true(has_field_error(&r, "items[0].note"));
    resp_free(&r);
    assert_int_equal(audit_top(), before);

    /* The third-party survey of 溪翁庄镇's public satisfaction. */
    expect(EVALUATOR, "POST", fmt("/api/v1/evaluation/periods/%lld/surveys", period_id),
           fmt("{\"provider\":\"某调查咨询有限公司\",\"items\":[{\"township_id\":%lld,"
               "\"indicator_code\":\"sat.rating\",\"value\":80}]}",
               xw_id),
           200, &r);
    resp_free(&r);
    /* 西田各庄镇's system has no survey indicator. */
    expect(EVALUATOR, "POST", fmt("/api/v1/evaluation/periods/%lld/surveys", period_id),
           fmt("{\"provider\":\"某调查咨询有限公司\",\"items\":[{\"township_id\":%lld,"
               "\"indicator_code\":\"sat.rating\",\"value\":80}]}",
               xt_id),
           400, &r);
    resp_free(&r);

    /* Two-way: the townships score the bureau (the township admin for their own township,
     * the evaluator on behalf of another). */
    expect(XT_ADMIN, "POST", fmt("/api/v1/evaluation/periods/%lld/department-ratings", period_id),
           fmt("{\"items\":[{\"department_id\":%lld,\"value\":85,\"comment\":\"办理及时\"}]}",
               rsj_id),
           200, &r);
    resp_free(&r);
    expect(EVALUATOR, "POST",
           fmt("/api/v1/evaluation/periods/%lld/department-ratings", period_id),
           fmt("{\"township_id\":%lld,\"items\":[{\"department_id\":%lld,\"value\":95}]}", xw_id,
               rsj_id),
           200, &r);
    resp_free(&r);
    expect(XT_ADMIN, "POST", fmt("/api/v1/evaluation/periods/%lld/department-ratings", period_id),
           fmt("{\"items\":[{\"department_id\":%lld,\"value\":85}]}", xt_id), 400, &r);
    resp_free(&r);
    expect(XT_ADMIN, "POST", fmt("/api/v1/evaluation/periods/%lld/department-ratings", period_id),
           fmt("{\"items\":[{\"department_id\":%lld,\"value\":85,\"score\":1}]}", rsj_id),
           400, &r);
    assert_true(has_field_error(&r, "items[0].score"));
    resp_free(&r);
    expect(XW_CLERK, "POST", fmt("/api/v1/evaluation/periods/%lld/department-ratings", period_id),
           fmt("{\"items\":[{\"department_id\":%lld,\"value\":85}]}", rsj_id), 403, &r);
    resp_free(&r);
    expect(EVALUATOR, "GET", fmt("/api/v1/evaluation/periods/%lld/department-ratings", period_id),
           NULL, 200, &r);
    assert_int_equal(jint(r.json, "items.0.department_id"), rsj_id);
    assert_true(jnum(r.json, "items.0.average") == 90);
    assert_int_equal(jint(r.json, "items.0.count"), 2);
    resp_free(&r);

    /* A veto without the provincial approval is refused, and nothing changes. */
    before = audit_top();
    expect(EVALUATOR, "POST", fmt("/api/v1/evaluation/periods/%lld/vetoes", period_id),
           fmt("{\"township_id\":%lld,\"item\":\"安全生产\",\"reason\":\"发生较大安全事故\"}",
               xw_id),
           400, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_non_null(strstr(jstr(r.json, "detail"), "省委、省政府批准"));
    assert_true(has_field_error(&r, "approval_doc_no"));
    assert_true(has_field_error(&r, "approving_body"));
    assert_true(has_field_error(&r, "approval_date"));
    resp_free(&r);
    expect(EVALUATOR, "POST", fmt("/api/v1/evaluation/periods/%lld/vetoes", period_id),
           fmt("{\"township_id\":%lld,\"item\":\"安全生产\",\"reason\":\"发生较大安全事故\","
               "\"approval_doc_no\":\"  \",\"approving_body\":\"\"}",
               xw_id),
           400, &r);
    resp_free(&r);
    assert_int_equal(audit_top(), before);
    expect(EVALUATOR, "GET", fmt("/api/v1/evaluation/periods/%lld", period_id), NULL, 200, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "vetoes")), 0);
    resp_free(&r);

    /* Preliminary run: 西田各庄镇 has 4 of 4 decided cases on time so far. */
    expect(EVALUATOR, "POST", fmt("/api/v1/evaluation/periods/%lld/run", period_id), NULL, 200,
           &r);
    x = result_of(r.json, xt_id);
    assert_non_null(x);
    assert_true(jnum(leaf_of(x, "eff.on_time"), "value") == 100);
    resp_free(&r);

    /* Three weeks later the kept cases are decided late, and rated. */
    start_at(DAY_LATE);
    finish_case(XT_CLERK, late_xt, late_xt_v);
    rate(late_xt, late_xt_code, 2);
    finish_case(XW_CLERK, late_xw, late_xw_v);
    rate(late_xw, late_xw_code, 4);

    expect(EVALUATOR, "POST", fmt("/api/v1/evaluation/periods/%lld/run", period_id), NULL, 200,
           &r);
    /*
     * Hand computation.
     * 西田各庄镇 (variant A): 按时办结率 4/5 = 80 % -> (80 - 50) / (100 - 50) = 0.6 x 30 = 18;
     *   网办率 0/5 = 0 % -> 0; 好差评满意率 4/5 = 80 % (levels 5, 5, 4, 3 of 5, 5, 4, 3, 2)
     *   -> threshold 60 -> 0.5 x 40 = 20; the bureau's 90 -> 0.9 x 20 = 18. Total 56: 不合格.
     * 溪翁庄镇 (variant B): 按时办结率 3/4 = 75 % -> 0.5 x 20 = 10; 网办率 0; public
     *   satisfaction 0.5 x survey 80 + 0.5 x ratings 4/4 = 100 % -> 90 -> 0.9 x 50 = 45;
     *   the bureau's 70 -> 14. Total 69: 合格.
     */
    x = result_of(r.json, xt_id);
    assert_non_null(x);
    assert_float_equal(jnum(x, "total"), 56.0, 1e-6);
    assert_int_equal(jint(x, "rank"), 2);
    assert_string_equal(jstr(x, "grade"), "fail");
    assert_float_equal(jnum(leaf_of(x, "eff.on_time"), "value"), 80.0, 1e-6);
    assert_int_equal(jint(leaf_of(x, "eff.on_time"), "numerator"), 4);
    assert_int_equal(jint(leaf_of(x, "eff.on_time"), "denominator"), 5);
    assert_float_equal(jnum(leaf_of(x, "eff.on_time"), "score"), 18.0, 1e-6);
    assert_float_equal(jnum(leaf_of(x, "eff"), "score"), 18.0, 1e-6);
    assert_float_equal(jnum(leaf_of(x, "sat.rating"), "value"), 80.0, 1e-6);
    assert_float_equal(jnum(leaf_of(x, "sat.rating"), "score"), 20.0, 1e-6);
    assert_float_equal(jnum(leaf_of(x, "two.dept"), "score"), 18.0, 1e-6);
    assert_float_equal(jnum(leaf_of(x, "eff.online"), "value"), 0.0, 1e-6);
    x = result_of(r.json, xw_id);
    assert_non_null(x);
    assert_float_equal(jnum(x, "total"), 69.0, 1e-6);
    assert_int_equal(jint(x, "rank"), 1);
    assert_string_equal(jstr(x, "grade"), "pass");
    assert_float_equal(jnum(leaf_of(x, "sat.rating"), "value"), 90.0, 1e-6);
    assert_float_equal(jnum(leaf_of(x, "sat.rating"), "score"), 45.0, 1e-6);
    assert_float_equal(jnum(leaf_of(x, "eff.on_time"), "score"), 10.0, 1e-6);
    resp_free(&r);

    /* With the approval on record the veto applies: the grade is capped, the score stays. */
    expect(EVALUATOR, "POST", fmt("/api/v1/evaluation/periods/%lld/vetoes", period_id),
           fmt("{\"township_id\":%lld,\"item\":\"安全生产\",\"reason\":\"发生较大安全事故\","
               "\"approval_doc_no\":\"京办字〔2026〕8号\",\"approving_body\":\"中共北京市委、"
               "北京市人民政府\",\"approval_date\":\"2026-12-20\",\"grade_cap\":\"fail\"}",
               xw_id),
           201, &r);
    resp_free(&r);
    expect(EVALUATOR, "POST", fmt("/api/v1/evaluation/periods/%lld/run", period_id), NULL, 200,
           &r);
    x = result_of(r.json, xw_id);
    assert_float_equal(jnum(x, "total"), 69.0, 1e-6);
    assert_string_equal(jstr(x, "grade"), "fail");
    assert_true(json_is_true(json_object_get(x, "capped_by_veto")));
    assert_string_equal(jstr(x, "vetoes.0.approval_doc_no"), "京办字〔2026〕8号");
    resp_free(&r);

    /* Township leaders see their own result only; the supervisor sees all. */
    expect(XT_ADMIN, "GET", fmt("/api/v1/evaluation/periods/%lld/results", period_id), NULL, 200,
           &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    assert_int_equal(jint(r.json, "items.0.township_id"), xt_id);
    resp_free(&r);
    expect(XT_ADMIN, "GET", fmt("/api/v1/evaluation/periods/%lld/results/%lld", period_id, xt_id),
           NULL, 200, &r);
    assert_non_null(leaf_of(r.json, "two.dept"));
    resp_free(&r);
    expect(XT_ADMIN, "GET", fmt("/api/v1/evaluation/periods/%lld/results/%lld", period_id, xw_id),
           NULL, 404, &r);
    assert_problem(&r, 404, "not_found");
    resp_free(&r);
    expect(SUPERVISOR, "GET", fmt("/api/v1/evaluation/periods/%lld/results", period_id), NULL,
           200, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2);
    resp_free(&r);
    /* Not yet public. */
    expect(-1, "GET", fmt("/api/v1/public/evaluation/periods/%lld/results", period_id), NULL, 404,
           &r);
    resp_free(&r);
}

/* Closing freezes the period: new cases inside it change the open control period only. */
static void
test_close_freezes(void **state)
{
    struct resp r;
    long long v;
    json_t *x;
    (void)state;

    /* Not before the period is over. */
    v = period_version(period_id);
    with_if_match(EVALUATOR, "POST", fmt("/api/v1/evaluation/periods/%lld/close", period_id),
                  NULL, v, &r);
    assert_problem(&r, 409, "illegal_transition");
    resp_free(&r);

    start_at(DAY_AFTER);
    with_if_match(EVALUATOR, "POST", fmt("/api/v1/evaluation/periods/%lld/close", period_id),
                  NULL, v + 1, &r);
    assert_problem(&r, 412, "precondition_failed");
    resp_free(&r);
    assert_int_equal(with_if_match(EVALUATOR, "POST",
                                   fmt("/api/v1/evaluation/periods/%lld/close", period_id), NULL,
                                   v, &r),
                     200);
    assert_string_equal(jstr(r.json, "status"), "closed");
    resp_free(&r);
    expect(EVALUATOR, "GET", fmt("/api/v1/evaluation/periods/%lld/results", period_id), NULL, 200,
           &r);
    closed_xt_total = jnum(result_of(r.json, xt_id), "total");
    closed_xw_total = jnum(result_of(r.json, xw_id), "total");
    assert_float_equal(closed_xt_total, 56.0, 1e-6);
    assert_float_equal(closed_xw_total, 69.0, 1e-6);
    resp_free(&r);
    expect(EVALUATOR, "GET", fmt("/api/v1/evaluation/periods/%lld/results/%lld", period_id, xt_id),
           NULL, 200, &r);
    {
        char *d = json_dumps(json_object_get(r.json, "indicators"), JSON_COMPACT);
        snprintf(closed_xt_detail, sizeof(closed_xt_detail), "%s", d ? d : "");
        free(d);
    }
    resp_free(&r);
    expect(EVALUATOR, "GET", fmt("/api/v1/evaluation/periods/%lld/results/%lld", period_id, xw_id),
           NULL, 200, &r);
    {
        char *d = json_dumps(json_object_get(r.json, "indicators"), JSON_COMPACT);
        snprintf(closed_xw_detail, sizeof(closed_xw_detail), "%s", d ? d : "");
        free(d);
    }
    resp_free(&r);
    /* The frozen figures are part of the period's inputs. */
    expect(EVALUATOR, "GET", fmt("/api/v1/evaluation/periods/%lld/inputs", period_id), NULL, 200,
           &r);
    {
        json_t *e;
        size_t i;
        int frozen = 0, coverage = 0;
        json_array_foreach(json_object_get(r.json, "items"), i, e) {
            if (strcmp(jstr(e, "kind"), "platform") == 0 &&
                strcmp(jstr(e, "indicator_code"), "household_coverage") == 0)
                coverage++;
            if (strcmp(jstr(e, "kind"), "platform") == 0 &&
                strcmp(jstr(e, "indicator_code"), "on_time_rate") == 0 &&
                jint(e, "subject_unit_id") == xt_id) {
                assert_int_equal(jint(e, "numerator"), 4);
                assert_int_equal(jint(e, "denominator"), 5);
                frozen++;
            }
        }
        assert_int_equal(frozen, 1);
        assert_int_equal(coverage, 2); /* one per township, whether or not a plan uses it */
    }
    resp_free(&r);
    /* Inputs are frozen too. */
    expect(RSJ_HANDLER, "POST", fmt("/api/v1/evaluation/periods/%lld/scores", period_id),
           fmt("{\"items\":[{\"township_id\":%lld,\"indicator_code\":\"two.dept\",\"value\":100}]}",
               xt_id),
           409, &r);
    assert_problem(&r, 409, "illegal_transition");
    resp_free(&r);
    with_if_match(EVALUATOR, "POST", fmt("/api/v1/evaluation/periods/%lld/close", period_id),
                  NULL, v + 1, &r);
    assert_problem(&r, 409, "illegal_transition");
    resp_free(&r);
    /* The system of a closed period cannot be edited any more. */
    with_if_match(EVALUATOR, "PUT", fmt("/api/v1/evaluation/plans/%lld", plan_a),
                  "{\"name\":\"改\",\"indicators\":[{\"code\":\"x\",\"name\":\"x\",\"weight\":100,"
                  "\"source\":\"manual\",\"rule\":\"rank\"}]}",
                  1, &r);
    assert_problem(&r, 409, "conflict");
    resp_free(&r);

    /* Back inside March: two more cases of 西田各庄镇, decided on time and rated 1. */
    start_at(DAY_MID);
    rated_case(XT_CLERK, 1);
    rated_case(XT_CLERK, 1);
    start_at(DAY_AFTER);
    /* The open control period sees them: 6/7 on time, 4/7 satisfied. */
    expect(EVALUATOR, "POST", fmt("/api/v1/evaluation/periods/%lld/run", control_id), NULL, 200,
           &r);
    x = result_of(r.json, xt_id);
    assert_int_equal(jint(leaf_of(x, "eff.on_time"), "denominator"), 7);
    assert_true(jnum(x, "total") != closed_xt_total);
    resp_free(&r);
    /* The closed period gives exactly what it gave at closing. */
    expect(EVALUATOR, "POST", fmt("/api/v1/evaluation/periods/%lld/run", period_id), NULL, 200,
           &r);
    assert_true(jnum(result_of(r.json, xt_id), "total") == closed_xt_total);
    assert_true(jnum(result_of(r.json, xw_id), "total") == closed_xw_total);
    resp_free(&r);
    expect(EVALUATOR, "GET", fmt("/api/v1/evaluation/periods/%lld/results/%lld", period_id, xt_id),
           NULL, 200, &r);
    {
        char *now = json_dumps(json_object_get(r.json, "indicators"), JSON_COMPACT);
        assert_string_equal(now, closed_xt_detail);
        free(now);
    }
    resp_free(&r);
    expect(EVALUATOR, "GET", fmt("/api/v1/evaluation/periods/%lld/results/%lld", period_id, xw_id),
           NULL, 200, &r);
    {
        char *now = json_dumps(json_object_get(r.json, "indicators"), JSON_COMPACT);
        assert_string_equal(now, closed_xw_detail);
        free(now);
    }
    resp_free(&r);
}

/* Publication, public comments, the public page, follow-up, the workbook. */
static void
test_publish_followup_export(void **state)
{
    struct resp r;
    long long v, fid, fv;
    (void)state;

    v = period_version(period_id);
    with_if_match(EVALUATOR, "POST", fmt("/api/v1/evaluation/periods/%lld/publish", period_id),
                  "{\"comment_until\":\"2027-03-01\"}", v, &r);
    assert_true(has_field_error(&r, "comment_until"));
    resp_free(&r);
    with_if_match(EVALUATOR, "POST", fmt("/api/v1/evaluation/periods/%lld/publish", control_id),
                  "{\"comment_until\":\"2027-04-12\"}", period_version(control_id), &r);
    assert_problem(&r, 409, "illegal_transition");
    resp_free(&r);
    assert_int_equal(with_if_match(EVALUATOR, "POST",
                                   fmt("/api/v1/evaluation/periods/%lld/publish", period_id),
                                   "{\"comment_until\":\"2027-04-12\"}", v, &r),
                     200);
    assert_string_equal(jstr(r.json, "status"), "published");
    assert_string_equal(jstr(r.json, "comment_until"), "2027-04-12");
    resp_free(&r);
    /* Published results are not recomputed. */
    expect(EVALUATOR, "POST", fmt("/api/v1/evaluation/periods/%lld/run", period_id), NULL, 409,
           &r);
    resp_free(&r);

    /* The public: the list, the results with their breakdown, a comment. */
    expect(-1, "GET", "/api/v1/public/evaluation/periods", NULL, 200, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    assert_int_equal(jint(r.json, "items.0.id"), period_id);
    assert_true(json_is_true(jget(r.json, "items.0.comments_open")));
    resp_free(&r);
    expect(-1, "GET", fmt("/api/v1/public/evaluation/periods/%lld/results", period_id), NULL, 200,
           &r);
    assert_int_equal(jint(r.json, "items.0.township_id"), xw_id);
    assert_true(jnum(result_of(r.json, xt_id), "total") == closed_xt_total);
    assert_non_null(leaf_of(result_of(r.json, xt_id), "eff.on_time"));
    resp_free(&r);
    expect(-1, "GET", fmt("/api/v1/public/evaluation/periods/%lld/results", control_id), NULL, 404,
           &r);
    resp_free(&r);
    expect(-1, "POST", fmt("/api/v1/public/evaluation/periods/%lld/comments", period_id),
           fmt("{\"township_id\":%lld,\"content\":\"窗口服务明显改进\",\"name\":\"王小明\"}",
               xt_id),
           201, &r);
    assert_string_equal(jstr(r.json, "author"), "王*明");
    resp_free(&r);
    expect(-1, "POST", fmt("/api/v1/public/evaluation/periods/%lld/comments", period_id),
           "{\"content\":\"\"}", 400, &r);
    assert_true(has_field_error(&r, "content"));
    resp_free(&r);
    expect(-1, "POST", fmt("/api/v1/public/evaluation/periods/%lld/comments", control_id),
           "{\"content\":\"x\"}", 404, &r);
    resp_free(&r);
    expect(EVALUATOR, "GET", fmt("/api/v1/evaluation/periods/%lld/comments", period_id), NULL, 200,
           &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    assert_string_equal(jstr(r.json, "items.0.content"), "窗口服务明显改进");
    resp_free(&r);

    /* Follow-up of the township graded 不合格: a talk (约谈) with a deadline. */
    expect(EVALUATOR, "POST", fmt("/api/v1/evaluation/periods/%lld/follow-ups", period_id),
           fmt("{\"township_id\":%lld,\"kind\":\"talk\",\"note\":\"约谈镇长，提交整改报告\","
               "\"due_date\":\"2027-04-30\"}",
               xt_id),
           201, &r);
    fid = jint(r.json, "id");
    fv = jint(r.json, "version");
    assert_string_equal(jstr(r.json, "kind_name"), "约谈");
    assert_string_equal(jstr(r.json, "status"), "open");
    resp_free(&r);
    expect(EVALUATOR, "POST", fmt("/api/v1/evaluation/periods/%lld/follow-ups", period_id),
           fmt("{\"township_id\":%lld,\"kind\":\"scold\",\"note\":\"x\",\"due_date\":\"2027-01-01\"}",
               xt_id),
           400, &r);
    assert_true(has_field_error(&r, "kind"));
    assert_true(has_field_error(&r, "due_date"));
    resp_free(&r);
    expect(XT_ADMIN, "GET", fmt("/api/v1/evaluation/periods/%lld/follow-ups", period_id), NULL,
           200, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    resp_free(&r);
    expect(XW_ADMIN, "GET", fmt("/api/v1/evaluation/periods/%lld/follow-ups", period_id), NULL,
           200, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
    resp_free(&r);
    with_if_match(EVALUATOR, "POST", fmt("/api/v1/evaluation/follow-ups/%lld/complete", fid),
                  "{\"result\":\"已约谈，整改报告已提交\"}", fv + 5, &r);
    assert_problem(&r, 412, "precondition_failed");
    resp_free(&r);
    assert_int_equal(with_if_match(EVALUATOR, "POST",
                                   fmt("/api/v1/evaluation/follow-ups/%lld/complete", fid),
                                   "{\"result\":\"已约谈，整改报告已提交\"}", fv, &r),
                     200);
    assert_string_equal(jstr(r.json, "status"), "done");
    resp_free(&r);

    /* The workbook: a real .xlsx (a zip). */
    expect(EVALUATOR, "GET", fmt("/api/v1/evaluation/periods/%lld/export", period_id), NULL, 200,
           &r);
    assert_non_null(strstr(r.content_type, "spreadsheetml"));
    assert_true(r.len > 1000);
    assert_memory_equal(r.body, "PK", 2);
    assert_non_null(strstr(r.content_disposition, ".xlsx"));
    resp_free(&r);
}

#define R(i) (1u << (i))
#define R_ANON (1u << N_ROLES)
#define R_ALL ((1u << N_ROLES) - 1)
#define R_MANAGE (R(ADMIN) | R(EVALUATOR))
#define R_READ (R_MANAGE | R(SUPERVISOR) | R(XT_ADMIN) | R(XW_ADMIN))
#define R_SCORE (R_MANAGE | R(XT_ADMIN) | R(XW_ADMIN) | R(XT_HANDLER) | R(XT_APPROVER) |           \
                 R(RSJ_HANDLER))

static void
test_authorization_matrix(void **state)
{
    /* Bodies are empty or point at nothing, so an allowed write fails validation or finds
     * nothing instead of changing data; what matters is who passes the role check. */
    static const struct {
        const char *method, *path, *body;
        unsigned allowed;
    } routes[] = {
        {"GET", "/api/v1/evaluation/plans", NULL, R_READ},
        {"POST", "/api/v1/evaluation/plans", "{}", R_MANAGE},
        {"GET", "/api/v1/evaluation/plans/99999", NULL, R_READ},
        {"PUT", "/api/v1/evaluation/plans/99999", "{}", R_MANAGE},
        {"GET", "/api/v1/evaluation/comparison?plans=99999", NULL, R_READ},
        {"GET", "/api/v1/evaluation/periods", NULL, R_READ},
        {"POST", "/api/v1/evaluation/periods", "{}", R_MANAGE},
        {"GET", "/api/v1/evaluation/periods/99999", NULL, R_READ},
        {"POST", "/api/v1/evaluation/periods/99999/scores", "{}", R_SCORE},
        {"POST", "/api/v1/evaluation/periods/99999/surveys", "{}", R_MANAGE},
        {"POST", "/api/v1/evaluation/periods/99999/department-ratings", "{}", R_SCORE},
        {"GET", "/api/v1/evaluation/periods/99999/department-ratings", NULL, R_MANAGE},
        {"GET", "/api/v1/evaluation/periods/99999/inputs", NULL, R_MANAGE},
        {"POST", "/api/v1/evaluation/periods/99999/vetoes", "{}", R_MANAGE},
        {"POST", "/api/v1/evaluation/periods/99999/run", NULL, R_MANAGE},
        {"GET", "/api/v1/evaluation/periods/99999/results", NULL, R_READ},
        {"GET", "/api/v1/evaluation/periods/99999/results/1", NULL, R_READ},
        {"POST", "/api/v1/evaluation/periods/99999/close", NULL, R_MANAGE},
        {"POST", "/api/v1/evaluation/periods/99999/publish", "{}", R_MANAGE},
        {"GET", "/api/v1/evaluation/periods/99999/export", NULL, R_MANAGE},
        {"GET", "/api/v1/evaluation/periods/99999/follow-ups", NULL, R_READ},
        {"POST", "/api/v1/evaluation/periods/99999/follow-ups", "{}", R_MANAGE},
        {"POST", "/api/v1/evaluation/follow-ups/99999/complete", "{}", R_MANAGE},
        {"GET", "/api/v1/evaluation/periods/99999/comments", NULL, R_MANAGE},
        {"GET", "/api/v1/public/evaluation/periods", NULL, R_ALL | R_ANON},
        {"GET", "/api/v1/public/evaluation/periods/99999/results", NULL, R_ALL | R_ANON},
        {"POST", "/api/v1/public/evaluation/periods/99999/comments", "{}", R_ALL | R_ANON},
    };
    long long before = audit_top();
    struct resp r;
    (void)state;

    for (size_t k = 0; k < sizeof(routes) / sizeof(routes[0]); k++) {
        for (int i = 0; i <= N_ROLES; i++) {
            bool anon = i == N_ROLES;
            call(anon ? -1 : i, routes[k].method, routes[k].path, routes[k].body, NULL, &r);
            if (routes[k].allowed & (anon ? R_ANON : R(i))) {
                if (r.status == 401 || r.status == 403)
                    fprintf(stderr, "%s %s as %s: %ld\n", routes[k].method, routes[k].path,
                            anon ? "anonymous" : users[i], r.status);
                assert_true(r.status != 401 && r.status != 403);
            } else if (anon) {
                assert_problem(&r, 401, "unauthenticated");
            } else {
                if (r.status != 403)
                    fprintf(stderr, "%s %s as %s: %ld\n", routes[k].method, routes[k].path,
                            users[i], r.status);
                assert_problem(&r, 403, "forbidden");
            }
            resp_free(&r);
        }
    }
    /* The calls above changed nothing. */
    assert_int_equal(audit_top(), before);
}

static void
test_audit_chain_verifies(void **state)
{
    struct resp r;
    (void)state;
    assert_int_equal(call(AUDITOR, "GET", "/api/v1/audit/verify", NULL, NULL, &r), 200);
    assert_true(json_is_true(json_object_get(r.json, "ok")));
    resp_free(&r);
}

static void
test_clean_shutdown(void **state)
{
    int st;
    (void)state;
    st = server_stop(&srv);
    if (st != 0)
        fprintf(stderr, "server exit status %d (log: %s)\n", st, srv.log);
    assert_int_equal(st, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plans),
        cmocka_unit_test(test_period_and_totals),
        cmocka_unit_test(test_close_freezes),
        cmocka_unit_test(test_publish_followup_export),
        cmocka_unit_test(test_authorization_matrix),
        cmocka_unit_test(test_audit_chain_verifies),
        cmocka_unit_test(test_clean_shutdown),
    };
    return cmocka_run_group_tests_name(getenv("BIANMIN_TEST_PG") ? "evaluation api (postgres)"
                                                                 : "evaluation api (sqlite)",
                                       tests, group_setup, group_teardown);
}
