/*
 * API tests of one-window cases (办件): a case's whole path across the 2026 Spring Festival
 * with the server's clock moved by libfaketime, online applications, bad input that changes
 * nothing, idempotent creation, attachments, the public progress lookup, personal data,
 * queues and the working-day calendar. One demo store; the server is restarted at fake dates
 * for the deadline test and then runs on the system clock for the rest.
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
#define UPLOAD_MAX 65536

static struct server srv;
static const char *running_fake; /* the FAKETIME of the running server, NULL: system clock */

enum role_ix { ADMIN, XT_CLERK, XT_HANDLER, XT_APPROVER, XT_ADMIN, XW_CLERK, XW_ADMIN, RSJ_HANDLER,
               SUPERVISOR, EVALUATOR, AUDITOR, CITIZEN, RSJ_APPROVER, CITIZEN2, RSJ_HANDLER2,
               N_ROLES };
static const char *users[N_ROLES] = {"admin", "xtgz_clerk", "xtgz_handler", "xtgz_approver",
                                     "xtgz_admin", "xwz_clerk", "xwz_admin", "rsj_handler",
                                     "supervisor", "evaluator", "auditor", "citizen",
                                     "test_rsj_approver", "test_citizen", "test_rsj_handler"};
/* The demo's users exist from the start; the last three are created by the tests. */
static bool exists[N_ROLES] = {true, true, true, true, true, true, true, true, true, true, true,
                               true, false, false, false};
static struct session ss[N_ROLES];

/* Made by the Spring Festival test and used by the others. */
static long long rsj_id, item_main, item_cert;

/* The applicant of the main path: a valid ID number (docs/domain.md 7.1, synthetic example). */
#define AP_NAME "张三丰"
#define AP_ID "110119198001010014"
#define AP_PHONE "13800138000"
#define APPLICANT                                                                              \
    "{\"name\":\"" AP_NAME "\",\"id_type\":\"resident_id\",\"id_number\":\"" AP_ID            \
    "\",\"phone\":\"" AP_PHONE "\"}"
#define RSJ "北京市密云区人力资源和社会保障局"
#define XT_CENTER "西田各庄镇便民服务中心"
#define M_FORM "申请表"
#define M_IDCARD "居民身份证"
#define M_GOV "社会保险缴费证明"
#define RESULT "测试资格证书"
#define FORM_ONLY "[{\"name\":\"" M_FORM "\",\"provided\":true}]"
#define ALL_MAIN                                                                               \
    "[{\"name\":\"" M_FORM "\",\"provided\":true},{\"name\":\"" M_IDCARD                      \
    "\",\"provided\":true},{\"name\":\"" M_GOV "\",\"provided\":true}]"

/* ---- requests ---- */

static void
pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/*
 * One request as role `who` (-1: anonymous). 503 is "busy, safe to retry" by contract, and
 * under libfaketime it is not rare: the SQLite backend waits for its write lock with an
 * absolute CLOCK_REALTIME deadline, which the kernel compares with the real clock, so a
 * request that meets the outbox sender's transaction gives up at once instead of waiting.
 */
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

static void
login_as(int i)
{
    long st = 0;
    for (int k = 0; k < 30; k++) {
        if ((st = login(&srv, &ss[i], users[i], PW)) != 503)
            break;
        pause_ms(100);
    }
    if (st != 200)
        fprintf(stderr, "log-in of %s: %ld\n", users[i], st);
    assert_int_equal(st, 200);
}

/* ---- the server ---- */

/*
 * Starts the server on the shared store, on the system clock or (faketime != NULL) with
 * libfaketime's FAKETIME ("@2026-02-10 01:00:00": that instant in UTC, then running). The
 * child inherits the environment set here; this process's own is restored afterwards.
 */
/* Whether servers run the deadline-warning job: only for the test of it, whose audit
 * entries (yellow cards) would otherwise land in the middle of other tests' checks. */
static bool warner_on;

static void
start(const char *faketime)
{
    const char *const args[] = {"--set", "upload_max_bytes=65536", "--set",
                                warner_on ? "warn_interval_s=300" : "warn_interval_s=0", NULL};
    bool ok;

    ok = server_start_at(&srv, faketime, args);
    if (!ok)
        (void)server_stop(&srv);
    assert_true(ok);
    running_fake = faketime;
    for (int i = 0; i < N_ROLES; i++)
        memset(&ss[i], 0, sizeof(ss[i])); /* sessions end with a jump of the clock */
}

static void
stop(void)
{
    if (srv.pid > 0) {
        int st = server_stop(&srv);
        if (st != 0)
            fprintf(stderr, "server exit status %d (log: %s)\n", st, srv.log);
        assert_int_equal(st, 0);
    }
}

/* A server on the system clock with every role logged in. */
static void
normal(void)
{
    if (srv.pid > 0 && running_fake == NULL)
        return;
    stop();
    start(NULL);
    for (int i = 0; i < N_ROLES; i++)
        if (exists[i])
            login_as(i);
}

/* Restarts at a fake instant and logs these roles in (-1 ends the list). */
static void
fake_at(const char *faketime, ...)
{
    va_list ap;
    int who;

    stop();
    start(faketime);
    va_start(ap, faketime);
    while ((who = va_arg(ap, int)) >= 0)
        login_as(who);
    va_end(ap);
}

/* ---- lookups ---- */

/* Id of the newest audit entry: every change appends one, so equal ids = nothing changed. */
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

/* Id of the unit called `name` (under `parent`, if not 0). */
static long long
org_id(const char *name, long long parent)
{
    struct resp r;
    json_t *e;
    size_t i;
    long long id = 0;
    assert_int_equal(call(ADMIN, "GET", "/api/v1/org-units?flat=true", NULL, NULL, &r), 200);
    json_array_foreach(json_object_get(r.json, "items"), i, e) {
        if (strcmp(jstr(e, "name"), name) == 0 && (parent == 0 || jint(e, "parent_id") == parent))
            id = jint(e, "id");
    }
    resp_free(&r);
    assert_true(id > 0);
    return id;
}

/*
 * Creates an item that passes the publication rules (docs/domain.md 1.6) and publishes it
 * unless told not to. `extra` adds fields (",\"k\":v..."), `materials` is the JSON array.
 */
static long long
make_item(const char *code, const char *name, long long unit, int promised, int legal,
          const char *extra, const char *materials, bool publish)
{
    char body[4096];
    struct resp r;
    long long id;

    snprintf(body, sizeof(body),
             "{\"code\":\"%s\",\"name\":\"%s\",\"type\":\"confirmation\","
             "\"category\":\"employment\","
             "\"implementing_unit_id\":%lld,\"promised_days\":%d,\"legal_days\":%d,\"visits\":1,"
             "\"visits_reason\":\"核验原件\",\"conditions\":\"本县户籍居民\","
             "\"legal_basis\":\"《测试条例》第一条\",\"consult_phone\":\"010-69041111\","
             "\"complaint_phone\":\"12345\",\"window_address\":\"各乡镇便民服务中心\","
             "\"delivery_methods\":[\"window\",\"post\"]%s,\"materials\":%s}",
             code, name, unit, promised, legal, extra, materials);
    if (call(ADMIN, "POST", "/api/v1/items", body, NULL, &r) != 201)
        fprintf(stderr, "item %s: %s\n", code, r.body ? r.body : "");
    assert_int_equal(r.status, 201);
    id = jint(r.json, "id");
    resp_free(&r);
    if (publish) {
        if (call(ADMIN, "POST", fmt("/api/v1/items/%lld/publish", id), NULL, NULL, &r) != 200)
            fprintf(stderr, "publish %s: %s\n", code, r.body ? r.body : "");
        assert_int_equal(r.status, 200);
        assert_string_equal(jstr(r.json, "status"), "published");
        resp_free(&r);
    }
    return id;
}

/* A township item of 西田各庄镇 (not county-wide) that can be applied for online (网办深度Ⅱ). */
static long long
online_item(void)
{
    static long long id;
    if (id == 0)
        id = make_item("TEST-XT-ONLINE", "测试网上申办事项",
                       org_id("社会事务办公室", org_id("西田各庄镇", 0)), 5, 10,
                       ",\"online_depth\":2,\"online_url\":\"https://zwfw.example.gov.cn/bm/1\"",
                       "[{\"name\":\"" M_FORM "\"}]", true);
    return id;
}

static long long
draft_item(void)
{
    static long long id;
    if (id == 0)
        id = make_item("TEST-DRAFT", "测试草稿事项", rsj_id, 5, 10, ",\"county_wide\":true",
                       "[{\"name\":\"" M_FORM "\"}]", false);
    return id;
}

static long long
create_user(int who, const char *display_name, const char *role, long long unit)
{
    struct resp r;
    long long id;
    char body[512];

    snprintf(body, sizeof(body),
             "{\"username\":\"%s\",\"password\":\"" PW "\",\"display_name\":\"%s\","
             "\"roles\":[\"%s\"]%s}",
             users[who], display_name, role, unit ? fmt(",\"org_unit_id\":%lld", unit) : "");
    assert_int_equal(call(ADMIN, "POST", "/api/v1/users", body, NULL, &r), 201);
    id = jint(r.json, "id");
    resp_free(&r);
    exists[who] = true;
    return id;
}

/* ---- cases ---- */

/* Opens a case: POST /api/v1/cases with these parts (`extra`: more fields, or ""). */
static long
open_case(int who, long long item, const char *applicant, const char *materials, const char *extra,
          struct resp *r)
{
    char body[2048];
    snprintf(body, sizeof(body), "{\"item_id\":%lld,\"applicant\":%s,\"materials\":%s%s}", item,
             applicant, materials, extra);
    return call(who, "POST", "/api/v1/cases", body, NULL, r);
}

/* Opens a case that must be created; copies its number (and query code) and returns it. */
static char *
open_ok(int who, long long item, const char *materials, const char *extra, char no[32],
        char code[16])
{
    struct resp r, g;
    if (open_case(who, item, APPLICANT, materials, extra, &r) != 201)
        fprintf(stderr, "open case: %s\n", r.body ? r.body : "");
    assert_int_equal(r.status, 201);
    snprintf(no, 32, "%s", jstr(r.json, "case_no"));
    if (code != NULL)
        snprintf(code, 16, "%s", jstr(r.json, "query_code"));
    /* The answer is built from what was written, not read back: it must be the case as the
     * store has it (where the opener may read it there). */
    if (call(who, "GET", fmt("/api/v1/cases/%s", no), NULL, NULL, &g) == 200) {
        if (!json_equal(r.json, g.json))
            fprintf(stderr, "created: %s\nread:    %s\n", r.body, g.body);
        assert_true(json_equal(r.json, g.json));
        assert_string_equal(r.etag, g.etag);
    }
    resp_free(&g);
    resp_free(&r);
    assert_int_equal(strlen(no), 26);
    return no;
}

static long
act(int who, const char *no, long long version, const char *body, struct resp *r)
{
    char path[128], im[48];
    snprintf(path, sizeof(path), "/api/v1/cases/%s/actions", no);
    snprintf(im, sizeof(im), "If-Match: \"%lld\"", version);
    return call(who, "POST", path, body, (const char *const[]){im, NULL}, r);
}

/*
 * Takes an action that must succeed: checks the new status (and stage if not NULL), the
 * version bump and the ETag; returns the new version. `out` (may be NULL) keeps the answer.
 */
static long long
act_ok(int who, const char *no, long long version, const char *body, const char *status,
       const char *stage, struct resp *out)
{
    struct resp r;
    long long v;
    if (act(who, no, version, body, &r) != 200)
        fprintf(stderr, "%s as %s: %ld %s\n", body, users[who], r.status, r.body ? r.body : "");
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(r.json, "status"), status);
    if (stage != NULL)
        assert_string_equal(jstr(r.json, "stage"), stage);
    v = jint(r.json, "version");
    assert_int_equal(v, version + 1);
    assert_string_equal(r.etag, fmt("\"%lld\"", v));
    if (out != NULL)
        *out = r;
    else
        resp_free(&r);
    return v;
}

static long
get_case(int who, const char *no, struct resp *r)
{
    return call(who, "GET", fmt("/api/v1/cases/%s", no), NULL, NULL, r);
}

/* Status and version of a case as its window sees it. */
static long long
case_version(const char *no, const char *want_status)
{
    struct resp r;
    long long v;
    assert_int_equal(get_case(XT_CLERK, no, &r), 200);
    assert_string_equal(jstr(r.json, "status"), want_status);
    v = jint(r.json, "version");
    resp_free(&r);
    return v;
}

/* True if the JSON array at `path` holds the string `s`. */
static bool
has_string(json_t *j, const char *path, const char *s)
{
    json_t *e;
    size_t i;
    json_array_foreach(jget(j, path), i, e) {
        if (json_is_string(e) && strcmp(json_string_value(e), s) == 0)
            return true;
    }
    return false;
}

/* A printable document: 200, HTML, returned for the caller to inspect. */
static void
document(int who, const char *no, const char *kind, struct resp *r)
{
    if (call(who, "GET", fmt("/api/v1/cases/%s/documents/%s", no, kind), NULL, NULL, r) != 200)
        fprintf(stderr, "%s: %s\n", kind, r->body ? r->body : "");
    assert_int_equal(r->status, 200);
    assert_string_equal(r->content_type, "text/html; charset=utf-8");
    assert_non_null(strstr(r->body, no));
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

/* ---- a case's whole path across the Spring Festival, on a moved clock ---- */

static void
test_spring_festival_path(void **state)
{
    struct resp r;
    char no[32], code[16], no2[32];
    long long v;
    json_t *e;
    size_t i;
    static const char *const steps[][3] = {
        {"create", "", "submitted"},
        {"request_supplement", "submitted", "supplement_requested"},
        {"supplement", "supplement_requested", "submitted"},
        {"accept", "submitted", "accepted"},
        {"assign", "accepted", "processing"},
        {"suspend", "processing", "suspended"},
        {"resume", "suspended", "processing"},
        {"approve", "processing", "processing"},
        {"approve", "processing", "completed"},
        {"deliver", "completed", "delivered"},
    };
    (void)state;

    /* Tuesday 2026-02-10, 09:00 China time. */
    fake_at("@2026-02-10 01:00:00", ADMIN, -1);
    rsj_id = org_id(RSJ, 0);
    item_main = make_item("TEST-RSJ-1", "测试职业资格认定", rsj_id, 10, 20,
                          ",\"county_wide\":true,\"needs_approval\":true,"
                          "\"result_name\":\"" RESULT "\"",
                          "[{\"name\":\"" M_FORM "\"},"
                          "{\"name\":\"" M_IDCARD "\",\"source\":\"shared\"},"
                          "{\"name\":\"" M_GOV "\",\"source\":\"government\"}]",
                          true);
    /* A second item that needs, from the government, what the first one issues. */
    item_cert = make_item("TEST-RSJ-2", "测试职业补贴申领", rsj_id, 5, 10, ",\"county_wide\":true",
                          "[{\"name\":\"" M_FORM "\"},"
                          "{\"name\":\"" RESULT "\",\"source\":\"government\"}]",
                          true);
    (void)create_user(RSJ_APPROVER, "马骏", "approver", rsj_id);
    login_as(XT_CLERK);
    login_as(RSJ_HANDLER);
    login_as(RSJ_APPROVER);

    /* The window of 西田各庄镇 takes a county department's county-wide item, form only. */
    assert_int_equal(open_case(XT_CLERK, item_main, APPLICANT, FORM_ONLY, "", &r), 201);
    snprintf(no, sizeof(no), "%s", jstr(r.json, "case_no"));
    snprintf(code, sizeof(code), "%s", jstr(r.json, "query_code"));
    assert_int_equal(strncmp(no, "110118102000" "20260210", 20), 0); /* domain.md 2.7 */
    assert_int_equal(strlen(code), 6);
    assert_string_equal(r.location, fmt("/api/v1/cases/%s", no));
    assert_string_equal(jstr(r.json, "status"), "submitted");
    assert_string_equal(jstr(r.json, "channel"), "window");
    assert_int_equal(jint(r.json, "version"), 1);
    assert_string_equal(jstr(r.json, "accepting_unit.name"), XT_CENTER);
    assert_string_equal(jstr(r.json, "handling_unit.name"), RSJ);
    assert_true(json_is_null(jget(r.json, "deadline")));
    assert_string_equal(jstr(r.json, "clock"), "stopped");
    assert_false(json_is_true(jget(r.json, "materials_complete")));
    assert_true(json_is_true(jget(r.json, "materials.0.provided")));
    /* 居民身份证 comes by data sharing (source "shared"): never asked for. */
    assert_true(json_is_true(jget(r.json, "materials.1.exempt")));
    assert_false(json_is_true(jget(r.json, "materials.2.exempt")));
    assert_true(has_string(r.json, "allowed_actions", "request_supplement"));
    resp_free(&r);

    /* 一次性告知 (行政许可法 art. 32): every gap in one notice. */
    v = act_ok(XT_CLERK, no, 1, "{\"action\":\"request_supplement\",\"note\":\"请一次补齐\"}",
               "supplement_requested", NULL, NULL);
    assert_int_equal(call(-1, "GET", fmt("/api/v1/public/cases/%s?code=%s", no, code), NULL, NULL,
                          &r),
                     200);
    assert_string_equal(jstr(r.json, "status"), "supplement_requested");
    assert_int_equal(json_array_size(jget(r.json, "missing_materials")), 1);
    assert_string_equal(jstr(r.json, "missing_materials.0"), M_GOV);
    resp_free(&r);
    document(XT_CLERK, no, "supplement_notice", &r);
    assert_non_null(strstr(r.body, M_GOV));
    assert_non_null(strstr(r.body, "请一次补齐"));
    resp_free(&r);

    /* The applicant brings the rest. */
    v = act_ok(XT_CLERK, no, v,
               "{\"action\":\"supplement\",\"materials\":[{\"name\":\"" M_IDCARD "\"},"
               "{\"name\":\"" M_GOV "\",\"provided\":true}]}",
               "submitted", NULL, NULL);
    /* The notice reprints as issued, although nothing is missing any more. */
    document(XT_CLERK, no, "supplement_notice", &r);
    assert_non_null(strstr(r.body, M_GOV));
    resp_free(&r);
    /* A second notice is refused (one notice only); the department may not send one at all. */
    act(XT_CLERK, no, v, "{\"action\":\"request_supplement\"}", &r);
    assert_problem(&r, 400, "validation_failed");
    resp_free(&r);
    act(RSJ_HANDLER, no, v, "{\"action\":\"request_supplement\"}", &r);
    assert_problem(&r, 403, "forbidden");
    resp_free(&r);

    /*
     * Accepted Tuesday 2026-02-10, promised 10 working days (domain.md 2.4, 8.2): Wed 02-11 = 1,
     * Thu 02-12 = 2, Fri 02-13 = 3, Sat 02-14 (make-up day) = 4, 02-15 … 02-23 Spring
     * Festival, Tue 02-24 = 5, 02-25 = 6, 02-26 = 7, Fri 02-27 = 8, Sat 02-28 (make-up day) = 9,
     * Mon 03-02 = 10.
     */
    v = act_ok(XT_CLERK, no, v, "{\"action\":\"accept\"}", "accepted", NULL, &r);
    assert_string_equal(jstr(r.json, "deadline"), "2026-03-02");
    assert_int_equal(strncmp(jstr(r.json, "accepted_at"), "2026-02-10T09:", 14), 0);
    assert_string_equal(jstr(r.json, "clock"), "running");
    assert_true(json_is_true(jget(r.json, "materials_complete")));
    assert_false(json_is_true(jget(r.json, "deadline_provisional")));
    resp_free(&r);
    document(XT_CLERK, no, "receipt", &r);
    assert_non_null(strstr(r.body, code));
    assert_non_null(strstr(r.body, "<svg"));
    resp_free(&r);

    /* The department's handler takes it. */
    v = act_ok(RSJ_HANDLER, no, v, "{\"action\":\"assign\"}", "processing", "handling", &r);
    assert_string_equal(jstr(r.json, "handler.name"), "陈静");
    resp_free(&r);

    /* Thursday 2026-02-12: expert review (专家评审) starts; its time is not counted (art. 45). */
    fake_at("@2026-02-12 01:00:00", RSJ_HANDLER, XT_CLERK, -1);
    act(RSJ_HANDLER, no, v, "{\"action\":\"suspend\",\"procedure\":\"expert_review\"}", &r);
    assert_problem(&r, 400, "validation_failed"); /* a special procedure needs its reason */
    assert_true(has_field_error(&r, "note"));
    resp_free(&r);
    v = act_ok(RSJ_HANDLER, no, v,
               "{\"action\":\"suspend\",\"procedure\":\"expert_review\",\"expected_days\":10,"
               "\"note\":\"组织专家评审\"}",
               "suspended", NULL, &r);
    assert_string_equal(jstr(r.json, "clock"), "paused");
    assert_string_equal(jstr(r.json, "deadline"), "2026-03-02");
    assert_string_equal(jstr(r.json, "pauses.0.procedure"), "expert_review");
    assert_string_equal(jstr(r.json, "pauses.0.from"), "2026-02-12");
    assert_true(json_is_null(jget(r.json, "pauses.0.to")));
    resp_free(&r);
    assert_int_equal(call(-1, "GET", fmt("/api/v1/public/cases/%s?code=%s", no, code), NULL, NULL,
                          &r),
                     200);
    assert_true(json_is_true(jget(r.json, "paused")));
    resp_free(&r);

    /*
     * Friday 2026-02-27: the review ends. Days 02-12 … 02-27 (inclusive) are not counted, so
     * from the acceptance on 02-10: Wed 02-11 = 1, [02-12 … 02-27 paused], Sat 02-28 (make-up
     * day) = 2, Mon 03-02 = 3, 03-03 = 4, 03-04 = 5, 03-05 = 6, Fri 03-06 = 7, Mon 03-09 = 8,
     * 03-10 = 9, Wed 03-11 = 10.
     */
    fake_at("@2026-02-27 01:00:00", ADMIN, RSJ_HANDLER, RSJ_APPROVER, XT_CLERK, XW_CLERK, -1);
    v = act_ok(RSJ_HANDLER, no, v, "{\"action\":\"resume\"}", "processing", "handling", &r);
    assert_string_equal(jstr(r.json, "deadline"), "2026-03-11");
    assert_string_equal(jstr(r.json, "clock"), "running");
    assert_string_equal(jstr(r.json, "pauses.0.to"), "2026-02-27");
    resp_free(&r);

    /* The handler proposes, the department's approver decides. */
    v = act_ok(RSJ_HANDLER, no, v, "{\"action\":\"approve\",\"note\":\"符合条件\"}", "processing",
               "approving", &r);
    assert_string_equal(jstr(r.json, "proposed_decision"), "approved");
    assert_true(json_is_null(jget(r.json, "decision")));
    resp_free(&r);
    act(RSJ_HANDLER, no, v, "{\"action\":\"approve\"}", &r); /* the handler cannot sign off */
    assert_problem(&r, 403, "forbidden");
    resp_free(&r);
    v = act_ok(RSJ_APPROVER, no, v, "{\"action\":\"approve\",\"note\":\"同意\"}", "completed", NULL,
               &r);
    assert_string_equal(jstr(r.json, "decision"), "approved");
    assert_int_equal(strncmp(jstr(r.json, "decided_at"), "2026-02-27", 10), 0);
    resp_free(&r);

    /* 乡镇统一窗口出件: only a clerk of the accepting window hands it out. Another township's
     * clerk does not even see the case (404, docs/api-contract.md: outside the scope). */
    act(XW_CLERK, no, v, "{\"action\":\"deliver\"}", &r);
    assert_problem(&r, 404, "not_found");
    resp_free(&r);
    act(RSJ_HANDLER, no, v, "{\"action\":\"deliver\"}", &r);
    assert_problem(&r, 403, "forbidden");
    resp_free(&r);
    v = act_ok(XT_CLERK, no, v, "{\"action\":\"deliver\",\"method\":\"window\"}", "delivered", NULL,
               &r);
    assert_string_equal(jstr(r.json, "delivery.method"), "window");
    assert_string_equal(jstr(r.json, "clock"), "stopped");
    assert_int_equal(json_array_size(jget(r.json, "allowed_actions")), 0);
    /* The trace, in order. */
    assert_int_equal(json_array_size(jget(r.json, "events")), sizeof(steps) / sizeof(steps[0]));
    json_array_foreach(jget(r.json, "events"), i, e) {
        assert_string_equal(jstr(e, "action"), steps[i][0]);
        assert_string_equal(jstr(e, "from_status"), steps[i][1]);
        assert_string_equal(jstr(e, "to_status"), steps[i][2]);
    }
    assert_string_equal(jstr(r.json, "events.5.note"), "组织专家评审");
    assert_string_equal(jstr(r.json, "events.8.actor"), "马骏");
    resp_free(&r);
    document(XT_CLERK, no, "completion_notice", &r);
    assert_non_null(strstr(r.body, "准予"));
    assert_non_null(strstr(r.body, AP_NAME)); /* the window prints the full name */
    resp_free(&r);

    /* 免提交: the certificate the first case issued exempts the same applicant next time. */
    assert_int_equal(open_case(XT_CLERK, item_cert, APPLICANT, FORM_ONLY, "", &r), 201);
    snprintf(no2, sizeof(no2), "%s", jstr(r.json, "case_no"));
    assert_string_equal(jstr(r.json, "materials.1.name"), RESULT);
    assert_true(json_is_true(jget(r.json, "materials.1.exempt")));
    assert_false(json_is_true(jget(r.json, "materials.1.provided")));
    assert_true(jint(r.json, "materials.1.certificate_id") > 0);
    assert_true(json_is_true(jget(r.json, "materials_complete")));
    resp_free(&r);
    /* Accepted Friday 02-27 for 5 days: Sat 02-28 = 1, 03-02 = 2, 03-03 = 3, 03-04 = 4,
     * 03-05 = 5. */
    (void)act_ok(XT_CLERK, no2, 1, "{\"action\":\"accept\"}", "accepted", NULL, &r);
    assert_string_equal(jstr(r.json, "deadline"), "2026-03-05");
    resp_free(&r);
    document(XT_CLERK, no2, "receipt", &r);
    assert_non_null(strstr(r.body, "免提交"));
    resp_free(&r);
}

/* ---- online applications ---- */

#define CITIZEN_AP                                                                             \
    "{\"name\":\"吴小梅\",\"id_type\":\"resident_id\",\"id_number\":\"110118199003050026\","  \
    "\"phone\":\"13900139000\"}"

static void
test_online_application(void **state)
{
    long long item, v;
    char no1[32], no2[32];
    struct resp r;
    json_t *e;
    size_t i;
    int seen = 0;
    (void)state;
    normal();
    item = online_item();
    if (!exists[CITIZEN2]) {
        (void)create_user(CITIZEN2, "钱多多", "citizen", 0);
        login_as(CITIZEN2);
    }

    /* Both doors: the public route and the staff route with channel online. */
    assert_int_equal(call(CITIZEN, "POST", "/api/v1/public/cases",
                          fmt("{\"item_id\":%lld,\"applicant\":" CITIZEN_AP ",\"materials\":"
                              FORM_ONLY "}",
                              item),
                          NULL, &r),
                     201);
    snprintf(no1, sizeof(no1), "%s", jstr(r.json, "case_no"));
    assert_string_equal(jstr(r.json, "status"), "submitted");
    assert_string_equal(jstr(r.json, "channel"), "online");
    assert_string_equal(jstr(r.json, "accepting_unit.name"), XT_CENTER);
    assert_int_equal(jint(r.json, "visits"), 0);
    assert_int_equal(strncmp(no1, "110118102000", 12), 0);
    resp_free(&r);
    assert_int_equal(call(CITIZEN, "POST", "/api/v1/cases",
                          fmt("{\"item_id\":%lld,\"channel\":\"online\",\"applicant\":" CITIZEN_AP
                              ",\"materials\":[]}",
                              item),
                          NULL, &r),
                     201);
    snprintf(no2, sizeof(no2), "%s", jstr(r.json, "case_no"));
    assert_string_equal(jstr(r.json, "channel"), "online");
    resp_free(&r);

    /* The resident's own list has both; another resident's has neither. */
    assert_int_equal(call(CITIZEN, "GET", "/api/v1/public/my-cases", NULL, NULL, &r), 200);
    json_array_foreach(jget(r.json, "items"), i, e) {
        seen += strcmp(jstr(e, "case_no"), no1) == 0 || strcmp(jstr(e, "case_no"), no2) == 0;
    }
    assert_int_equal(seen, 2);
    resp_free(&r);
    assert_int_equal(call(CITIZEN2, "GET", "/api/v1/public/my-cases", NULL, NULL, &r), 200);
    assert_int_equal(json_array_size(jget(r.json, "items")), 0);
    resp_free(&r);

    /* Who sees the case: the applicant, the township's staff; nobody else (404). */
    assert_int_equal(get_case(CITIZEN, no1, &r), 200);
    assert_string_equal(jstr(r.json, "applicant.name"), "吴*梅");
    assert_false(has_string(r.json, "allowed_actions", "accept"));
    assert_true(has_string(r.json, "allowed_actions", "withdraw"));
    resp_free(&r);
    assert_int_equal(get_case(XT_HANDLER, no1, &r), 200);
    resp_free(&r);
    {
        static const int outside[] = {CITIZEN2, XW_CLERK, XW_ADMIN, RSJ_HANDLER, EVALUATOR};
        for (size_t k = 0; k < sizeof(outside) / sizeof(outside[0]); k++) {
            get_case(outside[k], no1, &r);
            assert_problem(&r, 404, "not_found");
            resp_free(&r);
        }
    }

    /* A resident cannot accept; the township's window does. */
    act(CITIZEN, no1, 1, "{\"action\":\"accept\"}", &r);
    assert_problem(&r, 403, "forbidden");
    resp_free(&r);
    (void)act_ok(XT_CLERK, no1, 1, "{\"action\":\"accept\"}", "accepted", NULL, &r);
    assert_true(strlen(jstr(r.json, "deadline")) == 10);
    resp_free(&r);

    /* The second one lacks the form: the window asks, the resident hands it in online. */
    v = act_ok(XT_CLERK, no2, 1, "{\"action\":\"request_supplement\"}", "supplement_requested",
               NULL, NULL);
    assert_int_equal(get_case(CITIZEN, no2, &r), 200);
    assert_true(has_string(r.json, "allowed_actions", "supplement"));
    resp_free(&r);
    v = act_ok(CITIZEN, no2, v,
               "{\"action\":\"supplement\",\"materials\":[{\"name\":\"" M_FORM "\"}]}", "submitted",
               NULL, &r);
    assert_int_equal(jint(r.json, "visits"), 0); /* nobody came to the window */
    resp_free(&r);
    (void)act_ok(CITIZEN, no2, v, "{\"action\":\"withdraw\"}", "withdrawn", NULL, NULL);
}

/* ---- bad input ---- */

static void
test_bad_input_changes_nothing(void **state)
{
    static const char *const bad_ap[][2] = {
        /* check digit wrong: 110119198001010014 is the valid one (domain.md 7.1) */
        {"{\"name\":\"张三丰\",\"id_type\":\"resident_id\",\"id_number\":\"110119198001010013\","
         "\"phone\":\"13800138000\"}",
         "applicant.id_number"},
        {"{\"name\":\"张三丰\",\"id_type\":\"resident_id\",\"id_number\":\"110119198001010014\","
         "\"phone\":\"1380013800\"}",
         "applicant.phone"},
        /* a company for an item of natural persons only */
        {"{\"name\":\"北京某科技有限公司\",\"id_type\":\"uscc\",\"id_number\":\"91110000101623741K\","
         "\"phone\":\"010-69041234\"}",
         "applicant.id_type"},
        {"{\"name\":\"张三丰\",\"id_type\":\"passport\",\"id_number\":\"E12345678\","
         "\"phone\":\"13800138000\"}",
         "applicant.id_type"},
        {"{\"name\":\"张三丰\",\"id_type\":\"resident_id\",\"id_number\":\"110119198001010014\","
         "\"phone\":\"13800138000\",\"age\":46}",
         "applicant.age"},
        {"{\"name\":\"张三丰\",\"id_type\":\"resident_id\",\"id_number\":\"110119198001010014\"}",
         "applicant.phone"},
    };
    long long before, v;
    char no[32];
    struct resp r;
    (void)state;
    normal();
    (void)online_item();
    (void)draft_item();
    before = audit_top();

    for (size_t k = 0; k < sizeof(bad_ap) / sizeof(bad_ap[0]); k++) {
        open_case(XT_CLERK, item_main, bad_ap[k][0], FORM_ONLY, "", &r);
        assert_problem(&r, 400, "validation_failed");
        if (!has_field_error(&r, bad_ap[k][1]))
            fprintf(stderr, "want field %s: %s\n", bad_ap[k][1], r.body);
        assert_true(has_field_error(&r, bad_ap[k][1]));
        resp_free(&r);
    }
    /* The message says what is wrong, in Chinese. */
    open_case(XT_CLERK, item_main, bad_ap[0][0], FORM_ONLY, "", &r);
    assert_non_null(strstr(jstr(r.json, "errors.0.message"), "居民身份证号码无效"));
    resp_free(&r);
    /* Unpublished and unknown items. */
    open_case(XT_CLERK, draft_item(), APPLICANT, FORM_ONLY, "", &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "item_id"));
    resp_free(&r);
    open_case(XT_CLERK, 999999, APPLICANT, FORM_ONLY, "", &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "item_id"));
    resp_free(&r);
    /* A material the item does not list; a misspelt "provided"; unknown fields. */
    open_case(XT_CLERK, item_main, APPLICANT,
              "[{\"name\":\"" M_FORM "\",\"provided\":true},{\"name\":\"户口本\",\"provided\":true}]",
              "", &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "materials[1].name"));
    resp_free(&r);
    open_case(XT_CLERK, item_main, APPLICANT, "[{\"name\":\"" M_FORM "\",\"provded\":true}]", "",
              &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "materials[0].provded"));
    resp_free(&r);
    open_case(XT_CLERK, item_main, APPLICANT, "[{\"name\":\"" M_FORM "\",\"provided\":\"yes\"}]",
              "", &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "materials[0].provided"));
    resp_free(&r);
    open_case(XT_CLERK, item_main, APPLICANT, FORM_ONLY, ",\"colour\":\"red\"", &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "colour"));
    resp_free(&r);
    call(XT_CLERK, "POST", "/api/v1/cases", "{\"item_id\":", NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    resp_free(&r);
    /* 西田各庄镇's own item is not county-wide: 溪翁庄镇's window may not take it. */
    open_case(XW_CLERK, online_item(), APPLICANT, FORM_ONLY, "", &r);
    assert_problem(&r, 403, "forbidden");
    assert_non_null(strstr(jstr(r.json, "detail"), "西田各庄镇"));
    resp_free(&r);
    /* Channels: a window clerk does not file online applications, a resident not at a window. */
    open_case(XT_CLERK, item_main, APPLICANT, FORM_ONLY, ",\"channel\":\"online\"", &r);
    assert_problem(&r, 403, "forbidden");
    resp_free(&r);
    open_case(CITIZEN, online_item(), APPLICANT, FORM_ONLY, ",\"channel\":\"window\"", &r);
    assert_problem(&r, 403, "forbidden");
    resp_free(&r);
    open_case(XT_CLERK, item_main, APPLICANT, FORM_ONLY, ",\"channel\":\"fax\"", &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "channel"));
    resp_free(&r);
    /* Online only where the item allows it (网办深度 >= Ⅱ); staff use the staff route. */
    call(CITIZEN, "POST", "/api/v1/public/cases",
         fmt("{\"item_id\":%lld,\"applicant\":" APPLICANT ",\"materials\":" FORM_ONLY "}",
             item_main),
         NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "item_id"));
    resp_free(&r);
    call(XT_CLERK, "POST", "/api/v1/public/cases",
         fmt("{\"item_id\":%lld,\"applicant\":" APPLICANT ",\"materials\":" FORM_ONLY "}",
             online_item()),
         NULL, &r);
    assert_problem(&r, 403, "forbidden");
    resp_free(&r);
    assert_int_equal(audit_top(), before);

    /* Actions on a submitted case. */
    open_ok(XT_CLERK, item_main, FORM_ONLY, "", no, NULL);
    before = audit_top();
    call(XT_CLERK, "POST", fmt("/api/v1/cases/%s/actions", no), "{\"action\":\"accept\"}", NULL,
         &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "If-Match"));
    resp_free(&r);
    act(XT_CLERK, no, 7, "{\"action\":\"request_supplement\"}", &r);
    assert_problem(&r, 412, "precondition_failed");
    resp_free(&r);
    act(XT_CLERK, no, 1, "{\"action\":\"deliver\"}", &r);
    assert_problem(&r, 409, "illegal_transition");
    assert_non_null(strstr(jstr(r.json, "detail"), "已申请"));
    resp_free(&r);
    act(XT_CLERK, no, 1, "{\"action\":\"fly\"}", &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "action"));
    resp_free(&r);
    act(XT_CLERK, no, 1, "{\"action\":\"accept\",\"urgent\":true}", &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "urgent"));
    resp_free(&r);
    /* The back office does not accept, in a department or in the township. */
    act(RSJ_HANDLER, no, 1, "{\"action\":\"accept\"}", &r);
    assert_problem(&r, 403, "forbidden");
    resp_free(&r);
    act(XT_HANDLER, no, 1, "{\"action\":\"accept\"}", &r);
    assert_problem(&r, 403, "forbidden");
    resp_free(&r);
    /* Another township's clerk does not see it at all. */
    act(XW_CLERK, no, 1, "{\"action\":\"accept\"}", &r);
    assert_problem(&r, 404, "not_found");
    resp_free(&r);
    /* A refusal needs its reason; acceptance needs every required material. */
    act(XT_CLERK, no, 1, "{\"action\":\"reject\"}", &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "note"));
    resp_free(&r);
    act(XT_CLERK, no, 1, "{\"action\":\"accept\"}", &r);
    assert_problem(&r, 400, "validation_failed");
    assert_non_null(strstr(jstr(r.json, "detail"), "材料不齐全"));
    assert_true(has_field_error(&r, "materials"));
    resp_free(&r);
    act(XT_CLERK, no, 1,
        "{\"action\":\"accept\",\"materials\":[{\"name\":\"" M_IDCARD "\",\"provided\":1}]}", &r);
    assert_problem(&r, 400, "validation_failed");
    resp_free(&r);
    act(XT_CLERK, no, 1, "{\"action\":\"request_supplement\",\"missing\":[\"户口本\"]}", &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "missing"));
    resp_free(&r);
    assert_int_equal(audit_top(), before);
    assert_int_equal(case_version(no, "submitted"), 1);

    /* A refusal with its reason renders the refusal notice with the remedy. */
    v = act_ok(XT_CLERK, no, 1, "{\"action\":\"reject\",\"note\":\"不属于本事项受理范围\"}",
               "rejected", NULL, NULL);
    (void)v;
    document(XT_CLERK, no, "refusal_notice", &r);
    assert_non_null(strstr(r.body, "不属于本事项受理范围"));
    resp_free(&r);
    call(XT_CLERK, "GET", fmt("/api/v1/cases/%s/documents/receipt", no), NULL, NULL, &r);
    assert_problem(&r, 409, "illegal_transition"); /* never accepted: no receipt */
    resp_free(&r);
    call(XT_CLERK, "GET", fmt("/api/v1/cases/%s/documents/invoice", no), NULL, NULL, &r);
    assert_problem(&r, 404, "not_found");
    resp_free(&r);
}

/* ---- Idempotency-Key ---- */

static void
test_idempotent_create(void **state)
{
    const char *key[] = {"Idempotency-Key: bm-test-7f3a", NULL};
    char body[1024], no[32];
    long long before;
    struct resp r;
    (void)state;
    normal();
    snprintf(body, sizeof(body), "{\"item_id\":%lld,\"applicant\":%s,\"materials\":%s}", item_main,
             APPLICANT, FORM_ONLY);
    assert_int_equal(call(XT_CLERK, "POST", "/api/v1/cases", body, key, &r), 201);
    snprintf(no, sizeof(no), "%s", jstr(r.json, "case_no"));
    assert_string_equal(r.idempotency_replayed, "");
    resp_free(&r);
    before = audit_top();
    /* A retry gets the same case back, marked as a replay. */
    assert_int_equal(call(XT_CLERK, "POST", "/api/v1/cases", body, key, &r), 200);
    assert_string_equal(jstr(r.json, "case_no"), no);
    assert_string_equal(r.idempotency_replayed, "true");
    resp_free(&r);
    /* The same key with another body is a mistake, not a new case. */
    snprintf(body, sizeof(body),
             "{\"item_id\":%lld,\"applicant\":%s,\"materials\":%s,\"summary\":\"另一份申请\"}",
             item_main, APPLICANT, FORM_ONLY);
    call(XT_CLERK, "POST", "/api/v1/cases", body, key, &r);
    assert_problem(&r, 409, "conflict");
    resp_free(&r);
    assert_int_equal(audit_top(), before);
    assert_int_equal(case_version(no, "submitted"), 1);
}

/* ---- attachments ---- */

/* A PNG signature and a minimal header, with NUL bytes in it. */
static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
                                    'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0,
                                    0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae,
                                    0x42, 0x60, 0x82};

static long
upload(int who, const char *no, const char *query, const void *body, size_t len, const char *type,
       struct resp *r)
{
    char path[256], ct[64];
    snprintf(path, sizeof(path), "/api/v1/cases/%s/attachments%s", no, query);
    snprintf(ct, sizeof(ct), "Content-Type: %s", type);
    for (int i = 0;; i++) {
        req_bin(&srv, &ss[who], "POST", path, body, len,
                (const char *const[]){ct, "Expect: 100-continue", NULL}, r);
        if (r->status != 503 || i == 30)
            return r->status;
        resp_free(r);
        pause_ms(100);
    }
}

static void
test_attachments(void **state)
{
    char no[32], sha[65], loc[256];
    long long before;
    unsigned char *big;
    struct resp r;
    FILE *f;
    (void)state;
    normal();
    open_ok(XT_CLERK, item_main, FORM_ONLY, "", no, NULL);

    /* 申请表 = %E7%94%B3%E8%AF%B7%E8%A1%A8 */
    assert_int_equal(upload(XT_CLERK, no, "?material=%E7%94%B3%E8%AF%B7%E8%A1%A8&filename=form.png",
                            png, sizeof(png), "image/png", &r),
                     201);
    snprintf(sha, sizeof(sha), "%s", jstr(r.json, "sha256"));
    snprintf(loc, sizeof(loc), "%s", r.location);
    assert_int_equal(strlen(sha), 64);
    assert_string_equal(jstr(r.json, "content_type"), "image/png");
    assert_int_equal(jint(r.json, "size"), sizeof(png));
    assert_int_equal(jint(r.json, "material_ord"), 0);
    assert_string_equal(jstr(r.json, "filename"), "form.png");
    resp_free(&r);
    /* The digest is the SHA-256 of exactly these bytes. */
    f = fopen(fmt("%s/upload.png", srv.dir), "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(png, 1, sizeof(png), f), sizeof(png));
    fclose(f);
    assert_int_equal(run("sha256sum %s/upload.png | grep -q '^%s '", srv.dir, sha), 0);
    /* The same bytes again: the same content, stored once. */
    assert_int_equal(upload(XT_CLERK, no, "", png, sizeof(png), "image/png", &r), 201);
    assert_string_equal(jstr(r.json, "sha256"), sha);
    assert_true(json_is_null(jget(r.json, "material_ord")));
    resp_free(&r);
    /* Downloaded as uploaded. */
    assert_int_equal(call(XT_CLERK, "GET", loc, NULL, NULL, &r), 200);
    assert_string_equal(r.content_type, "image/png");
    assert_int_equal(r.len, sizeof(png));
    assert_memory_equal(r.body, png, sizeof(png));
    assert_non_null(strstr(r.content_disposition, "form.png"));
    resp_free(&r);
    assert_int_equal(get_case(XT_CLERK, no, &r), 200);
    assert_int_equal(json_array_size(jget(r.json, "attachments")), 2);
    assert_int_equal(jint(r.json, "materials.0.attachments"), 1);
    assert_string_equal(jstr(r.json, "events.1.action"), "attach");
    assert_string_equal(jstr(r.json, "events.1.action_name"), "上传材料");
    resp_free(&r);

    before = audit_top();
    /* The type comes from the content: text claimed as PDF, a PNG claimed as JPEG. */
    upload(XT_CLERK, no, "", "just some text", 14, "application/pdf", &r);
    assert_problem(&r, 415, "unsupported_media_type");
    resp_free(&r);
    upload(XT_CLERK, no, "", png, sizeof(png), "image/jpeg", &r);
    assert_problem(&r, 415, "unsupported_media_type");
    resp_free(&r);
    upload(XT_CLERK, no, "", "", 0, "image/png", &r);
    assert_problem(&r, 400, "validation_failed");
    resp_free(&r);
    upload(XT_CLERK, no, "?material=nonexistent", png, sizeof(png), "image/png", &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "material"));
    resp_free(&r);
    /* Past upload_max_bytes (this server: 64 KiB) the body is refused unread. */
    big = malloc(UPLOAD_MAX + 4096);
    memset(big, 0x5a, UPLOAD_MAX + 4096);
    memcpy(big, png, 8);
    upload(XT_CLERK, no, "", big, UPLOAD_MAX + 4096, "image/png", &r);
    assert_int_equal(r.status, 413);
    resp_free(&r);
    free(big);
    /* Outside the case's township: not found, for uploads and downloads. */
    upload(XW_CLERK, no, "", png, sizeof(png), "image/png", &r);
    assert_problem(&r, 404, "not_found");
    resp_free(&r);
    call(XW_CLERK, "GET", loc, NULL, NULL, &r);
    assert_problem(&r, 404, "not_found");
    resp_free(&r);
    call(XT_CLERK, "GET", fmt("/api/v1/cases/%s/attachments/999999", no), NULL, NULL, &r);
    assert_problem(&r, 404, "not_found");
    resp_free(&r);
    /* Staff who only read (a supervisor) do not add files. */
    upload(SUPERVISOR, no, "", png, sizeof(png), "image/png", &r);
    assert_problem(&r, 403, "forbidden");
    resp_free(&r);
    assert_int_equal(audit_top(), before);
    assert_int_equal(get_case(XT_CLERK, no, &r), 200);
    assert_int_equal(json_array_size(jget(r.json, "attachments")), 2);
    resp_free(&r);
}

/* ---- the public progress lookup and personal data ---- */

/* A case accepted at 西田各庄镇's window, with its number and query code. */
static void
accepted_case(char no[32], char code[16])
{
    open_ok(XT_CLERK, item_main, ALL_MAIN, "", no, code);
    (void)act_ok(XT_CLERK, no, 1, "{\"action\":\"accept\"}", "accepted", NULL, NULL);
}

static void
test_public_lookup(void **state)
{
    char no[32], code[16], wrong[16];
    struct resp r;
    json_t *e;
    size_t i;
    (void)state;
    normal();
    accepted_case(no, code);
    snprintf(wrong, sizeof(wrong), "%06ld", (strtol(code, NULL, 10) + 1) % 1000000);

    req(&srv, NULL, "GET", fmt("/api/v1/public/cases/%s?code=%s", no, wrong), NULL, NULL, &r);
    assert_problem(&r, 404, "not_found");
    resp_free(&r);
    req(&srv, NULL, "GET", fmt("/api/v1/public/cases/%s", no), NULL, NULL, &r);
    assert_problem(&r, 404, "not_found");
    resp_free(&r);
    req(&srv, NULL, "GET", fmt("/api/v1/public/cases/12345?code=%s", code), NULL, NULL, &r);
    assert_problem(&r, 404, "not_found");
    resp_free(&r);

    assert_int_equal(req(&srv, NULL, "GET", fmt("/api/v1/public/cases/%s?code=%s", no, code), NULL,
                         NULL, &r),
                     200);
    assert_string_equal(jstr(r.json, "case_no"), no);
    assert_string_equal(jstr(r.json, "status"), "accepted");
    assert_int_equal(strlen(jstr(r.json, "deadline")), 10);
    assert_string_equal(jstr(r.json, "applicant"), "张*丰");
    assert_int_equal(json_array_size(jget(r.json, "events")), 2);
    assert_string_equal(jstr(r.json, "events.0.action_name"), "申请");
    assert_string_equal(jstr(r.json, "events.1.action"), "accept");
    json_array_foreach(jget(r.json, "events"), i, e) {
        assert_null(json_object_get(e, "actor"));
        assert_null(json_object_get(e, "note"));
    }
    /* No personal data and no staff names anywhere in the answer. */
    assert_null(strstr(r.body, AP_NAME));
    assert_null(strstr(r.body, AP_ID));
    assert_null(strstr(r.body, "1101**********0014")); /* not even masked */
    assert_null(strstr(r.body, AP_PHONE));
    assert_null(strstr(r.body, "138****8000"));
    assert_null(strstr(r.body, "王丽")); /* xtgz_clerk */
    assert_null(strstr(r.body, "query_code"));
    resp_free(&r);

    /* Guessing is throttled per case number: after five wrong codes even the right one waits,
     * while other cases answer as before. */
    {
        char no2[32], code2[16];
        accepted_case(no2, code2);
        snprintf(wrong, sizeof(wrong), "%06ld", (strtol(code2, NULL, 10) + 1) % 1000000);
        for (int k = 0; k < 5; k++) {
            req(&srv, NULL, "GET", fmt("/api/v1/public/cases/%s?code=%s", no2, wrong), NULL, NULL,
                &r);
            assert_problem(&r, 404, "not_found");
            resp_free(&r);
        }
        req(&srv, NULL, "GET", fmt("/api/v1/public/cases/%s?code=%s", no2, code2), NULL, NULL, &r);
        assert_problem(&r, 429, "throttled");
        assert_true(strlen(r.retry_after) > 0);
        resp_free(&r);
        assert_int_equal(req(&srv, NULL, "GET", fmt("/api/v1/public/cases/%s?code=%s", no, code),
                             NULL, NULL, &r),
                         200);
        resp_free(&r);
    }
}

static void
test_personal_data(void **state)
{
    char no[32], code[16];
    long long before;
    struct resp r;
    (void)state;
    normal();
    accepted_case(no, code);

    /* Masked by default, for the window too. */
    assert_int_equal(get_case(XT_CLERK, no, &r), 200);
    assert_string_equal(jstr(r.json, "applicant.name"), "张*丰");
    assert_string_equal(jstr(r.json, "applicant.id_number"), "1101**********0014");
    assert_string_equal(jstr(r.json, "applicant.phone"), "138****8000");
    assert_true(json_is_true(jget(r.json, "applicant.masked")));
    assert_null(strstr(r.body, AP_NAME));
    assert_null(strstr(r.body, AP_ID));
    assert_null(strstr(r.body, AP_PHONE));
    resp_free(&r);

    /* In full for the accepting window, on request, recorded in the audit trail. */
    before = audit_top();
    assert_int_equal(call(XT_CLERK, "GET", fmt("/api/v1/cases/%s?reveal=pii", no), NULL, NULL, &r),
                     200);
    assert_string_equal(jstr(r.json, "applicant.name"), AP_NAME);
    assert_string_equal(jstr(r.json, "applicant.id_number"), AP_ID);
    assert_string_equal(jstr(r.json, "applicant.phone"), AP_PHONE);
    assert_false(json_is_true(jget(r.json, "applicant.masked")));
    resp_free(&r);
    assert_int_equal(call(AUDITOR, "GET", "/api/v1/audit?limit=1", NULL, NULL, &r), 200);
    assert_int_equal(jint(r.json, "items.0.id"), before + 1);
    assert_string_equal(jstr(r.json, "items.0.action"), "case.view_pii");
    assert_string_equal(jstr(r.json, "items.0.actor"), "xtgz_clerk");
    assert_string_equal(jstr(r.json, "items.0.detail.case_no"), no);
    assert_null(strstr(r.body, AP_ID));
    resp_free(&r);

    /* A supervisor sees the case, masked, and not in full. */
    before = audit_top();
    assert_int_equal(get_case(SUPERVISOR, no, &r), 200);
    assert_string_equal(jstr(r.json, "applicant.name"), "张*丰");
    resp_free(&r);
    call(SUPERVISOR, "GET", fmt("/api/v1/cases/%s?reveal=pii", no), NULL, NULL, &r);
    assert_problem(&r, 403, "forbidden");
    assert_null(strstr(r.body, AP_ID));
    resp_free(&r);
    assert_int_equal(audit_top(), before);
    /* A supervisor's copy of the receipt does not carry the full name either. */
    document(SUPERVISOR, no, "receipt", &r);
    assert_null(strstr(r.body, AP_NAME));
    assert_null(strstr(r.body, AP_ID));
    resp_free(&r);
}

/* ---- queues ---- */

static void
test_queues(void **state)
{
    long long county, dept, item_a, item_b;
    char nos[5][32], cursor[64] = "", last_day[16] = "", last_no[32] = "";
    int pages = 0, seen = 0;
    struct resp r;
    json_t *e;
    size_t i;
    (void)state;
    normal();
    /* A department of its own, so that the demo's cases stay out of these lists. */
    county = org_id("北京市密云区", 0);
    assert_int_equal(call(ADMIN, "POST", "/api/v1/org-units",
                          fmt("{\"name\":\"北京市密云区测试服务局\",\"kind\":\"department\","
                              "\"parent_id\":%lld}",
                              county),
                          NULL, &r),
                     201);
    dept = jint(r.json, "id");
    resp_free(&r);
    item_a = make_item("TEST-Q-3", "测试三日事项", dept, 3, 5, ",\"county_wide\":true",
                       "[{\"name\":\"" M_FORM "\"}]", true);
    item_b = make_item("TEST-Q-8", "测试八日事项", dept, 8, 10, ",\"county_wide\":true",
                       "[{\"name\":\"" M_FORM "\"}]", true);
    /* Five cases accepted on opening ("accept": true), deadlines interleaved with ids. */
    for (int k = 0; k < 5; k++)
        open_ok(XT_CLERK, k % 2 ? item_a : item_b, FORM_ONLY, ",\"accept\":true", nos[k], NULL);
    assert_int_equal(get_case(XT_CLERK, nos[0], &r), 200);
    assert_string_equal(jstr(r.json, "status"), "accepted");
    assert_string_equal(jstr(r.json, "events.1.action"), "accept");
    resp_free(&r);

    /* By deadline, two at a time, following the cursor to the end. */
    do {
        const char *path = fmt("/api/v1/cases?sort=deadline&handling_unit_id=%lld&limit=2%s%s",
                               dept, cursor[0] ? "&cursor=" : "", cursor);
        assert_int_equal(call(XT_CLERK, "GET", path, NULL, NULL, &r), 200);
        assert_true(json_array_size(jget(r.json, "items")) <= 2);
        json_array_foreach(jget(r.json, "items"), i, e) {
            const char *day = jstr(e, "deadline"), *no = jstr(e, "case_no");
            int cmp = strcmp(day, last_day);
            assert_int_equal(strlen(day), 10);
            /* Strictly ordered by (deadline, id) across pages, so nothing repeats; case numbers
             * of one window and day grow with the id. */
            assert_true(cmp > 0 || (cmp == 0 && strcmp(no, last_no) > 0));
            snprintf(last_day, sizeof(last_day), "%s", day);
            snprintf(last_no, sizeof(last_no), "%s", no);
            for (int k = 0; k < 5; k++)
                seen += strcmp(no, nos[k]) == 0;
        }
        snprintf(cursor, sizeof(cursor), "%s", jstr(r.json, "next_cursor"));
        resp_free(&r);
        pages++;
    } while (cursor[0] != '\0' && pages < 10);
    assert_int_equal(pages, 3);
    assert_int_equal(seen, 5);

    /* The window's queue holds only cases taken at this window; a status filter holds. */
    assert_int_equal(call(XT_CLERK, "GET", "/api/v1/cases?queue=window&status=accepted&limit=50",
                          NULL, NULL, &r),
                     200);
    assert_true(json_array_size(jget(r.json, "items")) >= 5);
    json_array_foreach(jget(r.json, "items"), i, e) {
        assert_string_equal(jstr(e, "status"), "accepted");
        assert_string_equal(jstr(e, "accepting_unit.name"), XT_CENTER);
        assert_null(json_object_get(e, "events")); /* lists carry no detail */
    }
    resp_free(&r);
    /* status=open: the cases whose clock runs (accepted, processing, forwarded), in both
     * orders; the web UI's queues ask for them. */
    for (int by_due = 0; by_due < 2; by_due++) {
        assert_int_equal(call(XT_CLERK, "GET",
                              fmt("/api/v1/cases?status=open&handling_unit_id=%lld&limit=50%s", dept,
                                  by_due ? "&sort=deadline" : ""),
                              NULL, NULL, &r),
                         200);
        assert_int_equal(json_array_size(jget(r.json, "items")), 5);
        json_array_foreach(jget(r.json, "items"), i, e)
            assert_string_equal(jstr(e, "status"), "accepted");
        resp_free(&r);
    }
    /* Another township's window sees none of them. */
    assert_int_equal(call(XW_CLERK, "GET", fmt("/api/v1/cases?handling_unit_id=%lld", dept), NULL,
                          NULL, &r),
                     200);
    assert_int_equal(json_array_size(jget(r.json, "items")), 0);
    resp_free(&r);
    /* Bad parameters; roles without case access. */
    call(XT_CLERK, "GET", "/api/v1/cases?sort=colour", NULL, NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "sort"));
    resp_free(&r);
    call(XT_CLERK, "GET", "/api/v1/cases?sort=deadline&cursor=abc", NULL, NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "cursor"));
    resp_free(&r);
    call(XT_CLERK, "GET", "/api/v1/cases?status=lost", NULL, NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    resp_free(&r);
    call(EVALUATOR, "GET", "/api/v1/cases", NULL, NULL, &r);
    assert_problem(&r, 403, "forbidden");
    resp_free(&r);
    call(CITIZEN, "GET", "/api/v1/cases", NULL, NULL, &r);
    assert_problem(&r, 403, "forbidden");
    resp_free(&r);
}

/* ---- assigning to a colleague ---- */

/* Whether the assignees answer lists a handler of this name. */
static bool
lists_handler(struct resp *r, const char *name)
{
    json_t *items = jget(r->json, "items"), *x;
    size_t i;
    json_array_foreach(items, i, x) {
        if (strcmp(json_string_value(json_object_get(x, "display_name")), name) == 0)
            return true;
    }
    return false;
}

static void
test_assignees(void **state)
{
    char no[32], code[16];
    const char *path;
    long long id2, v;
    struct resp r;
    (void)state;
    normal();
    accepted_case(no, code);
    path = fmt("/api/v1/cases/%s/assignees", no);

    /* The department's handlers, not its approvers. */
    assert_int_equal(call(RSJ_HANDLER, "GET", path, NULL, NULL, &r), 200);
    assert_true(lists_handler(&r, "陈静"));
    assert_false(lists_handler(&r, "马骏"));
    assert_false(lists_handler(&r, "林涛"));
    resp_free(&r);
    id2 = create_user(RSJ_HANDLER2, "林涛", "handler", rsj_id);
    login_as(RSJ_HANDLER2);
    assert_int_equal(call(RSJ_HANDLER, "GET", path, NULL, NULL, &r), 200);
    assert_true(lists_handler(&r, "林涛"));
    assert_string_equal(jstr(r.json, "items.0.org_unit.name"), RSJ);
    resp_free(&r);

    /* Only the handling side asks; a case out of sight is 404. */
    assert_int_equal(call(XT_CLERK, "GET", path, NULL, NULL, &r), 403);
    assert_problem(&r, 403, "forbidden");
    resp_free(&r);
    assert_int_equal(call(SUPERVISOR, "GET", path, NULL, NULL, &r), 403);
    resp_free(&r);
    assert_int_equal(call(CITIZEN, "GET", path, NULL, NULL, &r), 404);
    resp_free(&r);
    assert_int_equal(call(RSJ_HANDLER, "GET", "/api/v1/cases/11011810200020260302999999/assignees",
                          NULL, NULL, &r), 404);
    resp_free(&r);

    /* One of them takes the case: it is in the colleague's own queue. */
    v = case_version(no, "accepted");
    v = act_ok(RSJ_HANDLER, no, v, fmt("{\"action\":\"assign\",\"handler_id\":%lld}", id2),
               "processing", "handling", &r);
    assert_string_equal(jstr(r.json, "handler.name"), "林涛");
    resp_free(&r);
    assert_int_equal(call(RSJ_HANDLER2, "GET", "/api/v1/cases?queue=mine&limit=200", NULL, NULL, &r),
                     200);
    {
        json_t *x;
        size_t i;
        bool mine = false;
        json_array_foreach(jget(r.json, "items"), i, x) {
            mine = mine || strcmp(json_string_value(json_object_get(x, "case_no")), no) == 0;
        }
        assert_true(mine);
    }
    resp_free(&r);
    (void)v;
}

/* ---- the other steps ---- */

static void
test_other_actions(void **state)
{
    long long office, v;
    char no[32], code[16];
    struct resp r;
    (void)state;
    normal();
    office = org_id("社会事务办公室", org_id("西田各庄镇", 0));

    /* 转办 to the township's own office, which assigns, extends once and decides. */
    open_ok(XT_CLERK, item_main, ALL_MAIN, ",\"accept\":true", no, code);
    /* Opened and accepted in one request: two steps in the trace, version 2. */
    assert_int_equal(get_case(XT_CLERK, no, &r), 200);
    assert_int_equal(jint(r.json, "version"), 2);
    assert_string_equal(r.etag, "\"2\"");
    assert_int_equal(json_array_size(jget(r.json, "events")), 2);
    assert_string_equal(jstr(r.json, "events.0.action"), "create");
    assert_string_equal(jstr(r.json, "events.0.from_status"), "");
    assert_string_equal(jstr(r.json, "events.0.to_status"), "submitted");
    assert_string_equal(jstr(r.json, "events.1.action"), "accept");
    assert_string_equal(jstr(r.json, "events.1.from_status"), "submitted");
    assert_string_equal(jstr(r.json, "events.1.to_status"), "accepted");
    assert_string_equal(jstr(r.json, "status"), "accepted");
    assert_true(jstr(r.json, "deadline")[0] != '\0');
    resp_free(&r);
    act(RSJ_HANDLER, no, 2, fmt("{\"action\":\"transfer\",\"unit_id\":%lld}", office), &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "note"));
    resp_free(&r);
    v = act_ok(RSJ_HANDLER, no, 2,
               fmt("{\"action\":\"transfer\",\"unit_id\":%lld,\"note\":\"属地办理\"}", office),
               "accepted", NULL, &r);
    assert_string_equal(jstr(r.json, "handling_unit.name"), "社会事务办公室");
    assert_true(json_is_null(jget(r.json, "handler")));
    resp_free(&r);
    get_case(RSJ_HANDLER, no, &r); /* no longer the department's case */
    assert_problem(&r, 404, "not_found");
    resp_free(&r);
    act(XT_HANDLER, no, v, "{\"action\":\"assign\",\"handler_id\":1}", &r);
    assert_problem(&r, 400, "validation_failed"); /* the county administrator handles nothing */
    assert_true(has_field_error(&r, "handler_id"));
    resp_free(&r);
    v = act_ok(XT_HANDLER, no, v, "{\"action\":\"assign\"}", "processing", "handling", NULL);
    {
        char due[16];
        assert_int_equal(get_case(XT_CLERK, no, &r), 200);
        snprintf(due, sizeof(due), "%s", jstr(r.json, "deadline"));
        resp_free(&r);
        /* More than 30 days is refused (10 for a licence), and nothing changes. */
        act(XT_APPROVER, no, v, "{\"action\":\"extend\",\"days\":31,\"note\":\"情况复杂\"}", &r);
        assert_problem(&r, 400, "validation_failed");
        assert_true(has_field_error(&r, "days"));
        resp_free(&r);
        v = act_ok(XT_APPROVER, no, v, "{\"action\":\"extend\",\"days\":5,\"note\":\"情况复杂\"}",
                   "processing", "handling", &r);
        assert_int_equal(jint(r.json, "extension_days"), 5);
        assert_true(strcmp(jstr(r.json, "deadline"), due) > 0);
        resp_free(&r);
    }
    act(XT_APPROVER, no, v, "{\"action\":\"extend\",\"days\":5,\"note\":\"再延\"}", &r);
    assert_problem(&r, 400, "validation_failed"); /* 行政许可法 art. 42: once */
    resp_free(&r);
    act(XT_HANDLER, no, v, "{\"action\":\"extend\",\"days\":5,\"note\":\"再延\"}", &r);
    assert_problem(&r, 403, "forbidden"); /* and by the approver, not the handler */
    resp_free(&r);
    v = act_ok(XT_HANDLER, no, v, "{\"action\":\"deny\",\"note\":\"材料不实\"}", "processing",
               "approving", NULL);
    act(XT_APPROVER, no, v, "{\"action\":\"send_back\"}", &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "note"));
    resp_free(&r);
    v = act_ok(XT_APPROVER, no, v, "{\"action\":\"send_back\",\"note\":\"请核实\"}", "processing",
               "handling", NULL);
    v = act_ok(XT_HANDLER, no, v, "{\"action\":\"deny\",\"note\":\"经核实材料不实\"}",
               "processing", "approving", NULL);
    v = act_ok(XT_APPROVER, no, v, "{\"action\":\"deny\",\"note\":\"不符合认定条件\"}", "completed",
               NULL, &r);
    assert_string_equal(jstr(r.json, "decision"), "denied");
    resp_free(&r);
    document(XT_CLERK, no, "completion_notice", &r);
    assert_non_null(strstr(r.body, "不符合认定条件"));
    assert_non_null(strstr(r.body, "行政复议"));
    resp_free(&r);
    act(XT_CLERK, no, v, "{\"action\":\"deliver\",\"method\":\"post\"}", &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "tracking_no"));
    resp_free(&r);
    v = act_ok(XT_CLERK, no, v,
               "{\"action\":\"deliver\",\"method\":\"post\",\"tracking_no\":\"SF1234567890\"}",
               "delivered", NULL, &r);
    assert_string_equal(jstr(r.json, "delivery.ref"), "SF1234567890");
    assert_int_equal(strlen(jstr(r.json, "closed_at")), 25);
    resp_free(&r);

    /* 退件: the supplement never came. */
    open_ok(XT_CLERK, item_main, FORM_ONLY, "", no, NULL);
    v = act_ok(XT_CLERK, no, 1, "{\"action\":\"request_supplement\"}", "supplement_requested", NULL,
               NULL);
    act(XT_CLERK, no, v, "{\"action\":\"return\"}", &r);
    assert_problem(&r, 400, "validation_failed");
    resp_free(&r);
    (void)act_ok(XT_CLERK, no, v, "{\"action\":\"return\",\"note\":\"逾期未补正\"}", "returned", NULL,
                 NULL);

    /* 上报: the upper body's result comes back. */
    open_ok(XT_CLERK, item_cert, FORM_ONLY, ",\"accept\":true", no, NULL);
    v = act_ok(RSJ_HANDLER, no, 2, "{\"action\":\"forward\"}", "forwarded", NULL, NULL);
    (void)act_ok(RSJ_HANDLER, no, v, "{\"action\":\"approve\"}", "completed", NULL, NULL);

    /* 补正 after acceptance pauses the clock; the handling unit receives it. */
    open_ok(XT_CLERK, item_main, ALL_MAIN, ",\"accept\":true", no, NULL);
    act(RSJ_HANDLER, no, 2, "{\"action\":\"request_supplement\"}", &r);
    assert_problem(&r, 400, "validation_failed"); /* nothing is missing: name what */
    assert_true(has_field_error(&r, "missing"));
    resp_free(&r);
    v = act_ok(RSJ_HANDLER, no, 2,
               "{\"action\":\"request_supplement\",\"missing\":[\"" M_GOV "\"]}", "suspended",
               NULL, &r);
    assert_string_equal(jstr(r.json, "clock"), "paused");
    assert_string_equal(jstr(r.json, "pauses.0.kind"), "supplement");
    assert_false(json_is_true(jget(r.json, "materials.2.provided")));
    resp_free(&r);
    act(RSJ_HANDLER, no, v, "{\"action\":\"resume\"}", &r); /* it ends by the supplement */
    assert_problem(&r, 409, "illegal_transition");
    resp_free(&r);
    v = act_ok(RSJ_HANDLER, no, v,
               "{\"action\":\"supplement\",\"materials\":[{\"name\":\"" M_GOV "\"}]}",
               "accepted", NULL, &r);
    assert_string_equal(jstr(r.json, "clock"), "running");
    assert_false(json_is_null(jget(r.json, "pauses.0.to")));
    resp_free(&r);
    document(XT_CLERK, no, "supplement_notice", &r);
    assert_non_null(strstr(r.body, M_GOV));
    resp_free(&r);

    /* 作废 by the county, which also ends a running special procedure. */
    v = act_ok(RSJ_HANDLER, no, v,
               "{\"action\":\"suspend\",\"procedure\":\"hearing\",\"note\":\"听证\"}",
               "suspended", NULL, NULL);
    act(XT_CLERK, no, v, "{\"action\":\"void\",\"note\":\"重复录入\"}", &r);
    assert_problem(&r, 403, "forbidden");
    resp_free(&r);
    (void)act_ok(ADMIN, no, v, "{\"action\":\"void\",\"note\":\"重复录入\"}", "void", NULL, &r);
    assert_false(json_is_null(jget(r.json, "pauses.1.to")));
    resp_free(&r);

    /* 撤回 at the window on the applicant's request. */
    open_ok(XT_CLERK, item_main, FORM_ONLY, "", no, NULL);
    (void)act_ok(XT_CLERK, no, 1, "{\"action\":\"withdraw\"}", "withdrawn", NULL, NULL);
}

/* ---- the working-day calendar ---- */

/* 2027: 261 weekdays; the test table takes 5 weekdays off and adds one Saturday. */
#define CAL_2027                                                                               \
    "{\"source\":\"测试通知\",\"days\":[{\"date\":\"2027-01-01\",\"kind\":\"off\",\"name\":\"元旦\"},"\
    "{\"date\":\"2027-02-08\",\"kind\":\"off\",\"name\":\"春节\"},"                            \
    "{\"date\":\"2027-02-09\",\"kind\":\"off\",\"name\":\"春节\"},"                            \
    "{\"date\":\"2027-02-10\",\"kind\":\"off\",\"name\":\"春节\"},"                            \
    "{\"date\":\"2027-02-11\",\"kind\":\"off\",\"name\":\"春节\"},"                            \
    "{\"date\":\"2027-02-20\",\"kind\":\"work\",\"name\":\"春节调休\"}%s]}"

static void
test_calendar(void **state)
{
    struct resp r;
    json_t *e;
    size_t i;
    int off = 0, work = 0;
    long long before;
    char no[32];
    (void)state;
    /* Monday 2026-12-21: deadlines of 10 working days reach into 2027, which has no table. */
    fake_at("@2026-12-21 01:00:00", ADMIN, XT_CLERK, AUDITOR, -1);
    assert_int_equal(call(-1, "GET", "/api/v1/calendar/2026", NULL, NULL, &r), 200);
    assert_int_equal(jint(r.json, "year"), 2026);
    assert_int_equal(jint(r.json, "working_days"), 248); /* domain.md 8.2 */
    json_array_foreach(jget(r.json, "days"), i, e) {
        if (strcmp(jstr(e, "name"), "春节") == 0) {
            assert_string_equal(jstr(e, "kind"), "off");
            off++;
        }
        if (strcmp(jstr(e, "name"), "春节调休") == 0) {
            assert_string_equal(jstr(e, "kind"), "work");
            assert_true(strcmp(jstr(e, "date"), "2026-02-14") == 0 ||
                        strcmp(jstr(e, "date"), "2026-02-28") == 0);
            work++;
        }
    }
    assert_int_equal(off, 9);
    assert_int_equal(work, 2);
    assert_string_equal(r.etag, fmt("\"%lld\"", jint(r.json, "version")));
    resp_free(&r);
    assert_int_equal(call(-1, "GET", "/api/v1/calendar", NULL, NULL, &r), 200);
    assert_true(json_array_size(jget(r.json, "items")) >= 2);
    assert_int_equal(jint(r.json, "items.0.year"), 2025);
    assert_int_equal(jint(r.json, "items.0.working_days"), 248);
    resp_free(&r);
    call(-1, "GET", "/api/v1/calendar/2030", NULL, NULL, &r);
    assert_problem(&r, 404, "not_found");
    resp_free(&r);
    call(-1, "GET", "/api/v1/calendar/1999", NULL, NULL, &r);
    assert_problem(&r, 404, "not_found");
    resp_free(&r);

    /*
     * Accepted Monday 2026-12-21 for 10 days, 2027 counted Monday to Friday for now:
     * 12-22 … 12-25 = 1 … 4, 12-28 … 12-31 = 5 … 8, Fri 2027-01-01 = 9, Mon 01-04 = 10.
     */
    open_ok(XT_CLERK, item_main, ALL_MAIN, ",\"accept\":true", no, NULL);
    assert_int_equal(get_case(XT_CLERK, no, &r), 200);
    assert_string_equal(jstr(r.json, "deadline"), "2027-01-04");
    assert_true(json_is_true(jget(r.json, "deadline_provisional")));
    resp_free(&r);

    /* Next year's notice, loaded by the county. */
    assert_int_equal(call(ADMIN, "PUT", "/api/v1/calendar/2027", fmt(CAL_2027, ""), NULL, &r), 201);
    assert_int_equal(jint(r.json, "version"), 1);
    assert_int_equal(jint(r.json, "working_days"), 261 - 5 + 1);
    assert_int_equal(json_array_size(jget(r.json, "days")), 6);
    resp_free(&r);
    /* domain.md 8.3: the provisional deadline is recomputed: 2027-01-01 is a holiday now,
     * so day 9 is Mon 01-04 and day 10 Tue 01-05. */
    assert_int_equal(get_case(XT_CLERK, no, &r), 200);
    assert_string_equal(jstr(r.json, "deadline"), "2027-01-05");
    assert_false(json_is_true(jget(r.json, "deadline_provisional")));
    assert_int_equal(jint(r.json, "version"), 3);
    assert_string_equal(jstr(r.json, "events.2.action"), "deadline");
    assert_string_equal(jstr(r.json, "events.2.detail.from"), "2027-01-04");
    resp_free(&r);
    assert_int_equal(call(AUDITOR, "GET", "/api/v1/audit?limit=1", NULL, NULL, &r), 200);
    assert_string_equal(jstr(r.json, "items.0.action"), "calendar.put");
    assert_true(jint(r.json, "items.0.detail.deadlines_moved") >= 1);
    resp_free(&r);
    assert_int_equal(call(-1, "GET", "/api/v1/calendar/2027", NULL, NULL, &r), 200);
    assert_int_equal(jint(r.json, "working_days"), 257);
    assert_string_equal(jstr(r.json, "source"), "测试通知");
    resp_free(&r);

    before = audit_top();
    /* Changing it needs the current version; a work day must be a weekend day. */
    call(ADMIN, "PUT", "/api/v1/calendar/2027", fmt(CAL_2027, ""), NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "If-Match"));
    resp_free(&r);
    call(ADMIN, "PUT", "/api/v1/calendar/2027", fmt(CAL_2027, ""),
         (const char *const[]){"If-Match: \"2\"", NULL}, &r);
    assert_problem(&r, 412, "precondition_failed");
    resp_free(&r);
    call(ADMIN, "PUT", "/api/v1/calendar/2027",
         fmt(CAL_2027, ",{\"date\":\"2027-02-22\",\"kind\":\"work\",\"name\":\"春节调休\"}"),
         (const char *const[]){"If-Match: \"1\"", NULL}, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "days[6].date"));
    assert_non_null(strstr(jstr(r.json, "errors.0.message"), "星期一"));
    resp_free(&r);
    call(ADMIN, "PUT", "/api/v1/calendar/2027",
         fmt(CAL_2027, ",{\"date\":\"2028-01-03\",\"kind\":\"off\",\"name\":\"元旦\"}"),
         (const char *const[]){"If-Match: \"1\"", NULL}, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "days[6].date"));
    resp_free(&r);
    call(ADMIN, "PUT", "/api/v1/calendar/2027",
         "{\"source\":\"x\",\"days\":[{\"date\":\"2027-13-01\"}]}",
         (const char *const[]){"If-Match: \"1\"", NULL}, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "days[0]"));
    resp_free(&r);
    call(XT_CLERK, "PUT", "/api/v1/calendar/2027", fmt(CAL_2027, ""),
         (const char *const[]){"If-Match: \"1\"", NULL}, &r);
    assert_problem(&r, 403, "forbidden");
    resp_free(&r);
    assert_int_equal(audit_top(), before);
    assert_int_equal(call(-1, "GET", "/api/v1/calendar/2027", NULL, NULL, &r), 200);
    assert_int_equal(jint(r.json, "version"), 1);
    assert_int_equal(json_array_size(jget(r.json, "days")), 6);
    resp_free(&r);

    /* With the right version the change goes through. */
    assert_int_equal(
        call(ADMIN, "PUT", "/api/v1/calendar/2027",
             fmt(CAL_2027, ",{\"date\":\"2027-02-12\",\"kind\":\"off\",\"name\":\"春节\"}"),
             (const char *const[]){"If-Match: \"1\"", NULL}, &r),
        200);
    assert_int_equal(jint(r.json, "version"), 2);
    assert_int_equal(jint(r.json, "working_days"), 256);
    resp_free(&r);
    assert_int_equal(call(AUDITOR, "GET", "/api/v1/audit?limit=1", NULL, NULL, &r), 200);
    assert_string_equal(jstr(r.json, "items.0.action"), "calendar.put");
    resp_free(&r);
}

/* ---- deadline supervision ---- */

/* Where this test began in the log sender's file, which other runs may share. */
static long sms_base;

/* The text messages the servers sent since sms_base (the log sender's file), or "". */
static char *
sms_log(void)
{
    const char *path = getenv("BIANMIN_NOTIFY_FILE") ? getenv("BIANMIN_NOTIFY_FILE")
                                                      : fmt("%s.sms.log", srv.db);
    FILE *f = fopen(path, "r");
    static char buf[1 << 20];
    size_t n = 0;

    if (f != NULL) {
        if (fseek(f, 0, SEEK_END) == 0 && ftell(f) < sms_base)
            sms_base = 0; /* a new file */
        if (fseek(f, sms_base, SEEK_SET) == 0)
            n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
    }
    buf[n] = '\0';
    return buf;
}

static void
sms_mark(void)
{
    sms_base += (long)strlen(sms_log());
}

/* Lines of the message log about case `no` with `template`. */
static int
sms_count(const char *no, const char *template_name)
{
    const char *p = sms_log();
    int n = 0;

    while ((p = strstr(p, no)) != NULL) {
        const char *bol = p, *eol = strchr(p, '\n');
        while (bol > sms_log() && bol[-1] != '\n')
            bol--;
        if (strstr(bol, fmt("\"template\":\"%s\"", template_name)) != NULL &&
            (eol == NULL || strstr(bol, fmt("\"template\":\"%s\"", template_name)) < eol))
            n++;
        p = eol ? eol : p + strlen(p);
    }
    return n;
}

/*
 * Waits for the server's warning round and sender to log `want` such lines: up to 10 s
 * when they are expected, 2 s when `want` is one more than may come (checking for none).
 */
static int
sms_wait(const char *no, const char *template_name, int want, bool expected)
{
    int n = 0;
    for (int i = 0; i < (expected ? 100 : 20) && (n = sms_count(no, template_name)) < want; i++)
        pause_ms(100);
    pause_ms(300); /* and no more than that */
    return sms_count(no, template_name);
}

/* The level the supervisors' warnings list gives case `no` ("" if it is not listed). */
static const char *
warning_of(const char *no, const char *level)
{
    static char got[16];
    struct resp r;
    json_t *e;
    size_t i;

    got[0] = '\0';
    assert_int_equal(call(SUPERVISOR, "GET",
                          fmt("/api/v1/supervision/warnings?limit=200%s%s", level ? "&level=" : "",
                              level ? level : ""),
                          NULL, NULL, &r),
                     200);
    json_array_foreach(jget(r.json, "items"), i, e) {
        if (strcmp(json_string_value(json_object_get(e, "case_no")), no) == 0) {
            snprintf(got, sizeof(got), "%s", json_string_value(json_object_get(e, "level")));
            assert_int_equal(json_integer_value(json_object_get(e, "unit_id")), rsj_id);
        }
    }
    resp_free(&r);
    return got;
}

/*
 * The clock moves over working days (the server restarted at each instant, as after a
 * night): no warning while the case is on track, one yellow warning to the handler and the
 * unit's approver from the day the light turns yellow, one red after the deadline, never
 * twice, and the supervisors' list shows the same lights.
 */
/* The case of the deadline test, red since 2026-03-17; the supervision test goes on with it. */
static char warned_no[32];

static void
test_deadline_warnings(void **state)
{
    struct resp r;
    char *no = warned_no;
    long long item, v;
    (void)state;

    /* Monday 2026-03-02, 09:00 China time: a 10-working-day item, accepted and assigned. */
    warner_on = true;
    fake_at("@2026-03-02 01:00:00", ADMIN, XT_CLERK, RSJ_HANDLER, SUPERVISOR, -1);
    sms_mark();
    item = make_item("TEST-RSJ-WARN", "测试期限预警事项", rsj_id, 10, 20, ",\"county_wide\":true",
                     "[{\"name\":\"" M_FORM "\"}]", true);
    open_ok(XT_CLERK, item, FORM_ONLY, "", no, NULL);
    v = act_ok(XT_CLERK, no, 1, "{\"action\":\"accept\"}", "accepted", NULL, &r);
    /* Due Monday 03-16; k = 10 / 5 = 2 working days: yellow from Thursday 03-12. */
    assert_string_equal(jstr(r.json, "deadline"), "2026-03-16");
    resp_free(&r);
    (void)act_ok(RSJ_HANDLER, no, v, "{\"action\":\"assign\"}", "processing", "handling", NULL);
    assert_string_equal(warning_of(no, NULL), "");

    /* Wednesday 03-11: three working days left, green; the job sends nothing. */
    fake_at("@2026-03-11 01:00:00", SUPERVISOR, -1);
    assert_string_equal(warning_of(no, NULL), "");
    assert_int_equal(sms_wait(no, "warn_yellow", 1, false), 0);

    /* Thursday 03-12: yellow. The handler (陈静) and the unit's approver (马丽) are told. */
    fake_at("@2026-03-12 01:00:00", SUPERVISOR, RSJ_HANDLER, -1);
    assert_string_equal(warning_of(no, NULL), "yellow");
    assert_string_equal(warning_of(no, "yellow"), "yellow");
    assert_string_equal(warning_of(no, "red"), "");
    assert_int_equal(sms_wait(no, "warn_yellow", 2, true), 2);
    assert_non_null(strstr(sms_log(), "\"to\":\"138****0301\""));
    assert_non_null(strstr(sms_log(), "\"to\":\"138****0302\""));
    /* The trace says so, and the handler's own warnings queue lists it. */
    assert_int_equal(get_case(RSJ_HANDLER, no, &r), 200);
    assert_string_equal(jstr(r.json, "light"), "yellow");
    assert_true(strstr(r.body, "\"action\":\"warn\"") != NULL);
    resp_free(&r);
    assert_int_equal(call(RSJ_HANDLER, "GET", "/api/v1/supervision/warnings?queue=mine", NULL,
                          NULL, &r),
                     200);
    assert_non_null(strstr(r.body, no));
    resp_free(&r);

    /* Later that day another start (a second process, a restart): nothing new. */
    fake_at("@2026-03-12 06:00:00", -1);
    assert_int_equal(sms_wait(no, "warn_yellow", 3, false), 2);

    /* Tuesday 03-17, the day after the deadline: red, once. */
    fake_at("@2026-03-17 01:00:00", SUPERVISOR, -1);
    assert_string_equal(warning_of(no, NULL), "red");
    assert_string_equal(warning_of(no, "red"), "red");
    assert_string_equal(warning_of(no, "yellow"), "");
    assert_int_equal(sms_wait(no, "warn_red", 2, true), 2);
    assert_non_null(strstr(sms_log(), "超期1个工作日"));
    /* Past the promised deadline: the job also gave the unit and its handler a yellow card. */
    assert_int_equal(call(SUPERVISOR, "GET", fmt("/api/v1/supervision/records?case_no=%s", no),
                          NULL, NULL, &r),
                     200);
    assert_int_equal(json_array_size(jget(r.json, "items")), 1);
    assert_string_equal(jstr(r.json, "items.0.kind"), "yellow_card");
    assert_string_equal(jstr(r.json, "items.0.rule"), "overdue");
    assert_string_equal(jstr(r.json, "items.0.status"), "open");
    assert_string_equal(jstr(r.json, "items.0.unit.name"), RSJ);
    assert_string_equal(jstr(r.json, "items.0.officer.name"), "陈静");
    assert_string_equal(jstr(r.json, "items.0.answer_due"), "2026-03-19");
    resp_free(&r);
    fake_at("@2026-03-18 01:00:00", -1);
    assert_int_equal(sms_wait(no, "warn_red", 3, false), 2);
    assert_int_equal(sms_count(no, "warn_yellow"), 2);

    /* Bad input: a clear error. */
    fake_at("@2026-03-18 02:00:00", SUPERVISOR, -1);
    assert_int_equal(call(SUPERVISOR, "GET", "/api/v1/supervision/warnings?level=orange", NULL,
                          NULL, &r),
                     400);
    assert_problem(&r, 400, "validation_failed");
    resp_free(&r);
    assert_int_equal(call(SUPERVISOR, "GET", "/api/v1/supervision/warnings?cursor=x", NULL,
                          NULL, &r),
                     400);
    resp_free(&r);
    warner_on = false;
    normal();
}

/* One action on a supervision record; returns the status code, `r` keeps the answer. */
static long
sup_act(int who, long long id, long long version, const char *action, const char *text,
        struct resp *r)
{
    char im[48];
    snprintf(im, sizeof(im), "If-Match: \"%lld\"", version);
    return call(who, "POST", fmt("/api/v1/supervision/records/%lld/actions", id),
                fmt("{\"action\":\"%s\",\"text\":\"%s\"}", action, text),
                (const char *const[]){im, NULL}, r);
}

static long long
sup_count(void)
{
    struct resp r;
    long long n;
    assert_int_equal(call(SUPERVISOR, "GET", "/api/v1/supervision/records?limit=200", NULL, NULL,
                          &r),
                     200);
    n = (long long)json_array_size(jget(r.json, "items"));
    resp_free(&r);
    return n;
}

/*
 * Supervision records: the job's yellow card is explained and closed; a supervisor's notice
 * (督办) is answered; a red card is appealed and revoked. Wrong sides, wrong order, stale
 * versions and bad input change nothing.
 */
static void
test_supervision_records(void **state)
{
    struct resp r;
    long long card, notice, red, n0, top;
    (void)state;

    normal();
    assert_int_equal(call(SUPERVISOR, "GET",
                          fmt("/api/v1/supervision/records?case_no=%s&kind=yellow_card", warned_no),
                          NULL, NULL, &r),
                     200);
    card = jint(r.json, "items.0.id");
    resp_free(&r);

    /* The window of another township does not see the department's card; the handler does,
     * and must explain before anyone closes it. */
    assert_int_equal(sup_act(XT_CLERK, card, 1, "answer", "说明", &r), 404);
    resp_free(&r);
    assert_int_equal(sup_act(SUPERVISOR, card, 1, "close", "", &r), 409);
    assert_problem(&r, 409, "illegal_transition");
    resp_free(&r);
    assert_int_equal(sup_act(RSJ_HANDLER, card, 1, "answer", "", &r), 400);
    resp_free(&r);
    assert_int_equal(sup_act(RSJ_HANDLER, card, 1, "close", "自己办结", &r), 403);
    resp_free(&r);
    assert_int_equal(sup_act(RSJ_HANDLER, card, 1, "answer", "专家意见延迟送达，已催办", &r), 200);
    assert_string_equal(jstr(r.json, "status"), "answered");
    assert_int_equal(jint(r.json, "version"), 2);
    resp_free(&r);
    assert_int_equal(sup_act(RSJ_HANDLER, card, 1, "answer", "再说明", &r), 412);
    resp_free(&r);
    assert_int_equal(sup_act(RSJ_HANDLER, card, 2, "answer", "再说明", &r), 409);
    resp_free(&r);
    assert_int_equal(sup_act(SUPERVISOR, card, 2, "close", "", &r), 200);
    assert_string_equal(jstr(r.json, "status"), "closed");
    assert_string_equal(jstr(r.json, "answer"), "专家意见延迟送达，已催办");
    resp_free(&r);

    /* A notice (督办) on the case: issued by a supervisor only, answered by the unit. */
    n0 = sup_count();
    top = audit_top();
    assert_int_equal(call(RSJ_HANDLER, "POST", "/api/v1/supervision/records",
                          fmt("{\"kind\":\"notice\",\"case_no\":\"%s\",\"reason\":\"x\"}",
                              warned_no),
                          NULL, &r),
                     403);
    resp_free(&r);
    assert_int_equal(call(SUPERVISOR, "POST", "/api/v1/supervision/records",
                          "{\"kind\":\"notice\",\"reason\":\"请说明\"}", NULL, &r),
                     400);
    assert_true(has_field_error(&r, "case_no"));
    resp_free(&r);
    assert_int_equal(call(SUPERVISOR, "POST", "/api/v1/supervision/records",
                          fmt("{\"kind\":\"warning\",\"case_no\":\"%s\",\"reason\":\"\"}",
                              warned_no),
                          NULL, &r),
                     400);
    assert_true(has_field_error(&r, "kind"));
    assert_true(has_field_error(&r, "reason"));
    resp_free(&r);
    assert_int_equal(sup_count(), n0);
    assert_int_equal(audit_top(), top);
    assert_int_equal(call(SUPERVISOR, "POST", "/api/v1/supervision/records",
                          fmt("{\"kind\":\"notice\",\"case_no\":\"%s\",\"reason\":"
                              "\"群众反映久拖未办，请三日内答复\"}",
                              warned_no),
                          NULL, &r),
                     201);
    notice = jint(r.json, "id");
    assert_string_equal(jstr(r.json, "unit.name"), RSJ);
    assert_true(json_is_null(jget(r.json, "officer")));
    resp_free(&r);
    assert_int_equal(sup_act(RSJ_HANDLER, notice, 1, "appeal", "不服", &r), 409);
    resp_free(&r);
    assert_int_equal(sup_act(RSJ_HANDLER, notice, 1, "answer", "已于今日办结", &r), 200);
    resp_free(&r);
    assert_int_equal(get_case(SUPERVISOR, warned_no, &r), 200);
    assert_non_null(strstr(r.body, "\"action\":\"supervise\""));
    resp_free(&r);

    /* A red card against the department, appealed with evidence and revoked. */
    assert_int_equal(call(SUPERVISOR, "POST", "/api/v1/supervision/records",
                          fmt("{\"kind\":\"red_card\",\"unit_id\":%lld,\"reason\":"
                              "\"拒不说明超期原因\"}",
                              rsj_id),
                          NULL, &r),
                     201);
    red = jint(r.json, "id");
    assert_string_equal(jstr(r.json, "status"), "open");
    resp_free(&r);
    assert_int_equal(sup_act(RSJ_HANDLER, red, 1, "appeal", "已于期限内书面说明，附说明材料", &r),
                     200);
    assert_string_equal(jstr(r.json, "status"), "appealed");
    resp_free(&r);
    assert_int_equal(sup_act(SUPERVISOR, red, 2, "uphold_appeal", "经核实说明已按时提交", &r), 200);
    assert_string_equal(jstr(r.json, "status"), "revoked");
    resp_free(&r);
    assert_int_equal(call(SUPERVISOR, "GET", "/api/v1/supervision/records?status=revoked", NULL,
                          NULL, &r),
                     200);
    assert_int_equal(jint(r.json, "items.0.id"), red);
    resp_free(&r);
}

/*
 * 行政许可法 art. 32: a window that neither accepts, refuses nor sends the supplement notice
 * within 5 working days lets the application count as accepted from the day of receipt. The
 * warning job does that, gives the window a yellow card, and texts the applicant; nobody
 * can take the action by hand.
 */
static void
test_auto_accept(void **state)
{
    struct resp r;
    char no[32], other[32], silent[32];
    long long item;
    (void)state;

    /* Monday 2026-03-23, 09:00: two applications at the window, left undecided. */
    warner_on = true;
    fake_at("@2026-03-23 01:00:00", ADMIN, XT_CLERK, SUPERVISOR, -1);
    sms_mark();
    item = make_item("TEST-RSJ-AUTO", "测试视为受理事项", rsj_id, 10, 20, ",\"county_wide\":true",
                     "[{\"name\":\"" M_FORM "\"}]", true);
    open_ok(XT_CLERK, item, "[]", "", no, NULL); /* the form not even handed in */
    open_ok(XT_CLERK, item, FORM_ONLY, "", other, NULL);
    assert_int_equal(act(XT_CLERK, other, 1, "{\"action\":\"auto_accept\"}", &r), 403);
    resp_free(&r);
    assert_int_equal(act(ADMIN, other, 1, "{\"action\":\"auto_accept\"}", &r), 403);
    resp_free(&r);
    (void)act_ok(XT_CLERK, other, 1, "{\"action\":\"reject\",\"note\":\"不属于受理范围\"}",
                 "rejected", NULL, NULL);
    /* A third gets the one-time supplement notice, and the applicant never comes back. */
    open_ok(XT_CLERK, item, "[]", "", silent, NULL);
    (void)act_ok(XT_CLERK, silent, 1, "{\"action\":\"request_supplement\",\"note\":\"请补齐申请表\"}",
                 "supplement_requested", NULL, NULL);

    /* Monday 03-30 is the 5th working day after receipt: still the window's to decide. */
    fake_at("@2026-03-30 01:00:00", XT_CLERK, -1);
    pause_ms(1500);
    assert_int_equal(get_case(XT_CLERK, no, &r), 200);
    assert_string_equal(jstr(r.json, "status"), "submitted");
    resp_free(&r);

    /* Tuesday 03-31: accepted as of 03-23, due 10 working days from then (04-07). */
    fake_at("@2026-03-31 01:00:00", XT_CLERK, SUPERVISOR, -1);
    assert_int_equal(sms_wait(no, "case_accepted", 1, true), 1);
    assert_int_equal(get_case(XT_CLERK, no, &r), 200);
    assert_string_equal(jstr(r.json, "status"), "accepted");
    assert_string_equal(jstr(r.json, "deadline"), "2026-04-07");
    assert_non_null(strstr(r.body, "\"action\":\"auto_accept\""));
    resp_free(&r);
    assert_int_equal(get_case(XT_CLERK, other, &r), 200);
    assert_string_equal(jstr(r.json, "status"), "rejected");
    resp_free(&r);
    assert_int_equal(call(SUPERVISOR, "GET", fmt("/api/v1/supervision/records?case_no=%s", no),
                          NULL, NULL, &r),
                     200);
    assert_int_equal(json_array_size(jget(r.json, "items")), 1);
    assert_string_equal(jstr(r.json, "items.0.rule"), "auto_accepted");
    assert_string_equal(jstr(r.json, "items.0.unit.name"), XT_CENTER);
    resp_free(&r);

    /* The window never explains the card. Friday 04-03 is the third working day after it:
     * still a yellow card. */
    fake_at("@2026-04-03 01:00:00", SUPERVISOR, -1);
    pause_ms(1500);
    assert_int_equal(call(SUPERVISOR, "GET", fmt("/api/v1/supervision/records?case_no=%s", no),
                          NULL, NULL, &r),
                     200);
    assert_int_equal(json_array_size(jget(r.json, "items")), 1);
    assert_string_equal(jstr(r.json, "items.0.status"), "open");
    resp_free(&r);
    /* Tuesday 04-07, after the Qingming holiday: the fourth working day. The job issues a red
     * card (domain.md 3.3) and closes the yellow one, naming it. */
    fake_at("@2026-04-07 01:00:00", SUPERVISOR, -1);
    for (int i = 0; i < 300; i++) {
        assert_int_equal(call(SUPERVISOR, "GET",
                              fmt("/api/v1/supervision/records?case_no=%s", no), NULL, NULL, &r),
                         200);
        if (json_array_size(jget(r.json, "items")) == 2)
            break;
        resp_free(&r);
        pause_ms(100);
    }
    assert_int_equal(json_array_size(jget(r.json, "items")), 2);
    assert_string_equal(jstr(r.json, "items.0.kind"), "red_card");
    assert_string_equal(jstr(r.json, "items.0.rule"), "yellow_unresolved");
    assert_string_equal(jstr(r.json, "items.0.status"), "open");
    assert_string_equal(jstr(r.json, "items.0.unit.name"), XT_CENTER);
    assert_non_null(strstr(jstr(r.json, "items.0.reason"), "未作书面说明"));
    assert_string_equal(jstr(r.json, "items.1.kind"), "yellow_card");
    assert_string_equal(jstr(r.json, "items.1.status"), "closed");
    assert_non_null(strstr(jstr(r.json, "items.1.decision"), "已升级为红牌"));
    resp_free(&r);
    /* A restart the same day escalates nothing twice. */
    fake_at("@2026-04-07 03:00:00", SUPERVISOR, XT_CLERK, -1);
    pause_ms(1500);
    assert_int_equal(call(SUPERVISOR, "GET", fmt("/api/v1/supervision/records?case_no=%s", no),
                          NULL, NULL, &r),
                     200);
    assert_int_equal(json_array_size(jget(r.json, "items")), 2);
    resp_free(&r);
    /* The silent application waits: 15 days. On 04-23, 31 days after the notice, the job
     * returns it (退件) and texts the applicant. */
    assert_int_equal(get_case(XT_CLERK, silent, &r), 200);
    assert_string_equal(jstr(r.json, "status"), "supplement_requested");
    resp_free(&r);
    fake_at("@2026-04-23 01:00:00", XT_CLERK, -1);
    assert_int_equal(sms_wait(silent, "case_returned", 1, true), 1);
    assert_non_null(strstr(sms_log(), "30日内未补正材料"));
    assert_int_equal(get_case(XT_CLERK, silent, &r), 200);
    assert_string_equal(jstr(r.json, "status"), "returned");
    assert_non_null(strstr(r.body, "\"action\":\"auto_return\""));
    resp_free(&r);
    warner_on = false;
    normal();
}

/* ---- a disk that loses a write ---- */

/*
 * The server's fdatasync fails, as after a write the disk lost (this process's seccomp
 * listener answers EIO): a new case is not acknowledged (500 数据存储出错, no case number),
 * reads go on, /readyz says not ready, and nothing is acknowledged again until the server
 * restarts, even once the disk syncs again. On PostgreSQL the database server syncs its
 * own log: the server's fdatasync has no part in a commit.
 */
static void
test_failed_sync(void **state)
{
    struct resp r;
    char no[32], code[16];
    long lost = srv.is_pg ? 201 : 500;

    (void)state;
    stop();
    srv.watch_sync = true;
    atomic_store(&srv.sync_broken, false);
    start(NULL);
    login_as(XT_CLERK);
    open_ok(XT_CLERK, item_main, ALL_MAIN, "", no, code); /* the disk works */

    atomic_store(&srv.sync_broken, true);
    assert_int_equal(open_case(XT_CLERK, item_main, APPLICANT, ALL_MAIN, "", &r), lost);
    if (!srv.is_pg) {
        assert_problem(&r, 500, "internal");
        assert_string_equal(jstr(r.json, "detail"), "数据存储出错");
        assert_null(strstr(r.body, "case_no"));
    }
    resp_free(&r);
    assert_int_equal(get_case(XT_CLERK, no, &r), 200); /* reads go on */
    resp_free(&r);
    assert_int_equal(req(&srv, NULL, "GET", "/readyz", NULL, NULL, &r), srv.is_pg ? 200 : 503);
    if (!srv.is_pg) {
        assert_problem(&r, 503, "unavailable");
        assert_non_null(strstr(jstr(r.json, "detail"), "重启服务"));
    }
    resp_free(&r);
    assert_int_equal(req(&srv, NULL, "GET", "/healthz", NULL, NULL, &r), 200); /* alive */
    resp_free(&r);

    /* The disk syncs again, but what the failed sync was to cover may be gone. */
    atomic_store(&srv.sync_broken, false);
    assert_int_equal(open_case(XT_CLERK, item_main, APPLICANT, ALL_MAIN, "", &r), lost);
    resp_free(&r);
    assert_true(server_metric(&srv, "bianmin_store_sync_failures_total") == (srv.is_pg ? 0 : 1));

    /* A restart (after the disk is checked) makes the server ready again. */
    stop();
    srv.watch_sync = false;
    normal();
    assert_int_equal(req(&srv, NULL, "GET", "/readyz", NULL, NULL, &r), 200);
    resp_free(&r);
    open_ok(XT_CLERK, item_main, ALL_MAIN, "", no, code);
    assert_true(server_metric(&srv, "bianmin_store_sync_failures_total") == 0);
}

static void
test_clean_shutdown(void **state)
{
    (void)state;
    stop();
    assert_int_equal(run("%s audit verify --db '%s' > /dev/null 2>&1", srv.bin, srv.db), 0);
}

/* ---- statistics ---- */

/* The group of `key` (an item code) in a statistics answer, or NULL. */
static json_t *
stat_item(json_t *answer, const char *code)
{
    size_t i;
    json_t *g;
    json_array_foreach(jget(answer, "items"), i, g)
        if (strcmp(jstr(g, "key"), code) == 0)
            return g;
    return NULL;
}

static double
jnum(json_t *j, const char *path)
{
    json_t *v = jget(j, path);
    assert_true(json_is_number(v));
    return json_number_value(v);
}

/*
 * Statistics from the summary the store keeps up to date: cases of one new item taken
 * through acceptance, a same-day decision, a late one, a refusal, delivery and a rating in
 * June 2026 (clock moved), then read by item, township and month, within each role's scope;
 * bad input; the .xlsx export; and `bianmin stats verify` agrees with a full recount.
 */
static void
test_case_stats(void **state)
{
    struct resp r;
    char a[32], acode[16], b[32], c[32], d[32];
    const char *june = "/api/v1/stats/cases?group_by=item&from=2026-06-01&to=2026-06-30";
    long long item, v, xw;
    json_t *g;
    (void)state;

    /* Monday 2026-06-08, 09:00. */
    fake_at("@2026-06-08 01:00:00", ADMIN, XT_CLERK, XW_CLERK, RSJ_HANDLER, -1);
    item = make_item("TEST-STATS", "测试统计事项", rsj_id, 3, 10, ",\"county_wide\":true",
                     "[{\"name\":\"" M_FORM "\"}]", true);
    /* a: accepted, decided and handed over the same day. */
    open_ok(XT_CLERK, item, FORM_ONLY, "", a, acode);
    v = act_ok(XT_CLERK, a, 1, "{\"action\":\"accept\"}", "accepted", NULL, NULL);
    v = act_ok(RSJ_HANDLER, a, v, "{\"action\":\"assign\"}", "processing", "handling", NULL);
    v = act_ok(RSJ_HANDLER, a, v, "{\"action\":\"approve\",\"note\":\"符合条件\"}", "completed",
               NULL, NULL);
    (void)act_ok(XT_CLERK, a, v, "{\"action\":\"deliver\",\"method\":\"window\"}", "delivered",
                 NULL, NULL);
    assert_int_equal(call(-1, "POST", fmt("/api/v1/public/cases/%s/rating?code=%s", a, acode),
                          "{\"level\":5}", NULL, &r),
                     201);
    resp_free(&r);
    /* b: refused at 溪翁庄镇. c: accepted at 西田各庄镇, still open. d: accepted at 溪翁庄镇. */
    open_ok(XW_CLERK, item, FORM_ONLY, "", b, NULL);
    (void)act_ok(XW_CLERK, b, 1, "{\"action\":\"reject\",\"note\":\"不属于受理范围\"}", "rejected",
                 NULL, NULL);
    open_ok(XT_CLERK, item, FORM_ONLY, "", c, NULL);
    (void)act_ok(XT_CLERK, c, 1, "{\"action\":\"accept\"}", "accepted", NULL, NULL);
    open_ok(XW_CLERK, item, FORM_ONLY, "", d, NULL);
    v = act_ok(XW_CLERK, d, 1, "{\"action\":\"accept\"}", "accepted", NULL, NULL);
    /* Monday 06-15: d is decided after its due day (06-11), 5 working days used. */
    fake_at("@2026-06-15 01:00:00", ADMIN, RSJ_HANDLER, SUPERVISOR, XT_ADMIN, XT_CLERK, CITIZEN, -1);
    v = act_ok(RSJ_HANDLER, d, v, "{\"action\":\"assign\"}", "processing", "handling", NULL);
    (void)act_ok(RSJ_HANDLER, d, v, "{\"action\":\"approve\",\"note\":\"符合条件\"}", "completed",
                 NULL, NULL);

    /* The county by item: the new item's figures, exactly. */
    assert_int_equal(call(SUPERVISOR, "GET", june, NULL, NULL, &r), 200);
    assert_string_equal(jstr(r.json, "group_by"), "item");
    assert_string_equal(jstr(r.json, "from"), "2026-06-01");
    assert_non_null(g = stat_item(r.json, "TEST-STATS"));
    assert_string_equal(jstr(g, "name"), "测试统计事项");
    assert_int_equal(jint(g, "received"), 4);
    assert_int_equal(jint(g, "online"), 0);
    assert_int_equal(jint(g, "accepted"), 3);
    assert_int_equal(jint(g, "rejected"), 1);
    assert_int_equal(jint(g, "completed"), 2);
    assert_int_equal(jint(g, "on_time"), 1);
    assert_int_equal(jint(g, "early"), 1);
    assert_int_equal(jint(g, "overdue"), 1);
    assert_int_equal(jint(g, "same_day"), 1);
    assert_int_equal(jint(g, "delivered"), 1);
    assert_int_equal(jint(g, "rated"), 1);
    assert_int_equal(jint(g, "satisfied"), 1);
    assert_true(jnum(g, "on_time_rate") == 0.5);
    assert_true(jnum(g, "overdue_rate") == 0.5);
    assert_true(jnum(g, "satisfaction_rate") == 1.0);
    assert_true(jnum(g, "rejection_rate") == 0.25);
    assert_true(jnum(g, "avg_days") == 2.5);
    assert_int_equal(jint(g, "p90_days"), 5);
    assert_true(json_is_null(jget(g, "zero_visit_rate")) || jnum(g, "zero_visit_rate") >= 0);
    assert_true(jint(r.json, "total.received") >= 4);
    assert_string_equal(jstr(r.json, "total.name"), "合计");
    resp_free(&r);
    /* By township for the two Mondays' week (days, not a whole month): 西田各庄镇 is there. */
    assert_int_equal(call(SUPERVISOR, "GET",
                          "/api/v1/stats/cases?group_by=township&from=2026-06-08&to=2026-06-15",
                          NULL, NULL, &r),
                     200);
    {
        size_t i;
        bool seen = false;
        json_array_foreach(jget(r.json, "items"), i, g)
            if (strcmp(jstr(g, "name"), "西田各庄镇") == 0) {
                seen = true;
                assert_true(jint(g, "received") >= 2);
            }
        assert_true(seen);
    }
    resp_free(&r);
    /* By month: June as "2026-06". */
    assert_int_equal(call(SUPERVISOR, "GET",
                          "/api/v1/stats/cases?group_by=month&from=2026-06-01&to=2026-06-30", NULL,
                          NULL, &r),
                     200);
    assert_string_equal(jstr(r.json, "items.0.key"), "2026-06");
    assert_string_equal(jstr(r.json, "items.0.name"), "2026年6月");
    resp_free(&r);

    /* A township administrator sees their own township's cases only (a and c). */
    assert_int_equal(call(XT_ADMIN, "GET", june, NULL, NULL, &r), 200);
    assert_non_null(g = stat_item(r.json, "TEST-STATS"));
    assert_int_equal(jint(g, "received"), 2);
    assert_int_equal(jint(g, "accepted"), 2);
    resp_free(&r);
    xw = org_id("溪翁庄镇", 0);
    assert_int_equal(call(XT_ADMIN, "GET", fmt("%s&unit=%lld", june, xw), NULL, NULL, &r), 404);
    assert_problem(&r, 404, "not_found");
    resp_free(&r);
    /* A supervisor may narrow to 溪翁庄镇: b and d. */
    assert_int_equal(call(SUPERVISOR, "GET", fmt("%s&unit=%lld", june, xw), NULL, NULL, &r), 200);
    assert_non_null(g = stat_item(r.json, "TEST-STATS"));
    assert_int_equal(jint(g, "received"), 2);
    assert_int_equal(jint(g, "rejected"), 1);
    resp_free(&r);
    /* Not a top unit (an office of a township): not found. */
    assert_int_equal(call(SUPERVISOR, "GET",
                          fmt("%s&unit=%lld", june, org_id("社会事务办公室", org_id("西田各庄镇", 0))),
                          NULL, NULL, &r),
                     404);
    resp_free(&r);

    /* Who may not: a clerk, a resident, nobody logged in. */
    assert_int_equal(call(XT_CLERK, "GET", june, NULL, NULL, &r), 403);
    assert_problem(&r, 403, "forbidden");
    resp_free(&r);
    assert_int_equal(call(CITIZEN, "GET", june, NULL, NULL, &r), 403);
    resp_free(&r);
    assert_int_equal(call(-1, "GET", june, NULL, NULL, &r), 401);
    resp_free(&r);

    /* Bad input: a clear error naming the field. */
    {
        static const struct {
            const char *query, *field;
        } bad[] = {
            {"group_by=week", "group_by"},
            {"from=2026-13-01", "from"},
            {"to=2026-06-31", "to"},
            {"from=2026-06-30&to=2026-06-01", "from"},
            {"from=2010-01-01&to=2026-06-01", "to"},
            {"format=pdf", "format"},
            {"unit=abc", "unit"},
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            assert_int_equal(
                call(SUPERVISOR, "GET", fmt("/api/v1/stats/cases?%s", bad[i].query), NULL, NULL, &r),
                400);
            assert_problem(&r, 400, "validation_failed");
            if (!has_field_error(&r, bad[i].field))
                fprintf(stderr, "%s: %s\n", bad[i].query, r.body);
            assert_true(has_field_error(&r, bad[i].field));
            resp_free(&r);
        }
    }

    /* The workbook. */
    assert_int_equal(call(SUPERVISOR, "GET", fmt("%s&format=xlsx", june), NULL, NULL, &r), 200);
    assert_string_equal(r.content_type,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert_true(r.len > 1000);
    assert_memory_equal(r.body, "PK\x03\x04", 4);
    resp_free(&r);

    /* The summary agrees with a recount of every case in the store; a changed summary row
     * is found, and a rebuild repairs it. */
    assert_int_equal(run("%s stats verify --db '%s' > %s/stats-verify.log 2>&1", srv.bin, srv.db,
                         srv.dir),
                     0);
    {
        const char *sql = "UPDATE case_stats SET received = received + 1 WHERE (county_code, "
                          "grain, period, town_id, dept_id, item_id, online) = (SELECT "
                          "county_code, grain, period, town_id, dept_id, item_id, online FROM "
                          "case_stats ORDER BY period DESC LIMIT 1)";
        bool pg = strncmp(srv.db, "postgres", 8) == 0;
        assert_int_equal(run(pg ? "psql -q '%s' -c '%s'" : "sqlite3 '%s' '%s'", srv.db, sql), 0);
    }
    assert_int_equal(run("%s stats verify --db '%s' > %s/stats-verify.log 2>&1", srv.bin, srv.db,
                         srv.dir),
                     1);
    assert_int_equal(run("grep -q 'stored counters differ' %s/stats-verify.log", srv.dir), 0);
    assert_int_equal(run("%s stats rebuild --db '%s' >> %s/stats-verify.log 2>&1", srv.bin,
                         srv.db, srv.dir),
                     0);
    assert_int_equal(run("%s stats verify --db '%s' >> %s/stats-verify.log 2>&1", srv.bin, srv.db,
                         srv.dir),
                     0);
    normal();
}

/*
 * The default rating (domain.md 4.3): a delivered case nobody rated within 7 natural days
 * gets 基本满意 from the warning job, flagged as a default; one delivered later is left to
 * its rater, and nothing rates a case twice.
 */
static void
test_default_rating(void **state)
{
    struct resp r;
    char a[32], acode[16], b[32], bcode[16];
    long long item, v;
    (void)state;

    /* Monday 2026-06-22, 09:00: case a delivered. Friday 06-26: case b delivered. */
    warner_on = true;
    fake_at("@2026-06-22 01:00:00", ADMIN, XT_CLERK, RSJ_HANDLER, -1);
    item = make_item("TEST-DEFAULT-RATING", "测试默认评价事项", rsj_id, 3, 10,
                     ",\"county_wide\":true", "[{\"name\":\"" M_FORM "\"}]", true);
    open_ok(XT_CLERK, item, FORM_ONLY, "", a, acode);
    v = act_ok(XT_CLERK, a, 1, "{\"action\":\"accept\"}", "accepted", NULL, NULL);
    v = act_ok(RSJ_HANDLER, a, v, "{\"action\":\"assign\"}", "processing", "handling", NULL);
    v = act_ok(RSJ_HANDLER, a, v, "{\"action\":\"approve\",\"note\":\"符合条件\"}", "completed",
               NULL, NULL);
    (void)act_ok(XT_CLERK, a, v, "{\"action\":\"deliver\",\"method\":\"window\"}", "delivered",
                 NULL, NULL);
    fake_at("@2026-06-26 01:00:00", XT_CLERK, RSJ_HANDLER, -1);
    open_ok(XT_CLERK, item, FORM_ONLY, "", b, bcode);
    v = act_ok(XT_CLERK, b, 1, "{\"action\":\"accept\"}", "accepted", NULL, NULL);
    v = act_ok(RSJ_HANDLER, b, v, "{\"action\":\"assign\"}", "processing", "handling", NULL);
    v = act_ok(RSJ_HANDLER, b, v, "{\"action\":\"approve\",\"note\":\"符合条件\"}", "completed",
               NULL, NULL);
    (void)act_ok(XT_CLERK, b, v, "{\"action\":\"deliver\",\"method\":\"window\"}", "delivered",
                 NULL, NULL);

    /* Monday 06-29, 10:00: a's 7 days are over, b's are not. */
    fake_at("@2026-06-29 02:00:00", SUPERVISOR, -1);
    for (int i = 0; i < 300; i++) {
        assert_int_equal(call(SUPERVISOR, "GET", "/api/v1/ratings?level=3&limit=5", NULL, NULL, &r),
                         200);
        if (strstr(r.body, a) != NULL)
            break;
        resp_free(&r);
        pause_ms(100);
    }
    assert_string_equal(jstr(r.json, "items.0.case_no"), a);
    assert_true(json_is_true(jget(r.json, "items.0.is_default")));
    assert_string_equal(jstr(r.json, "items.0.level_name"), "基本满意");
    assert_null(strstr(r.body, b));
    resp_free(&r);
    /* The rater of a comes too late: rated already. b's rater is still welcome. */
    assert_int_equal(call(-1, "POST", fmt("/api/v1/public/cases/%s/rating?code=%s", a, acode),
                          "{\"level\":5}", NULL, &r),
                     409);
    resp_free(&r);
    assert_int_equal(call(-1, "POST", fmt("/api/v1/public/cases/%s/rating?code=%s", b, bcode),
                          "{\"level\":4}", NULL, &r),
                     201);
    resp_free(&r);
    /* A restart gives nothing twice, and b keeps its own rating. */
    fake_at("@2026-07-06 02:00:00", SUPERVISOR, -1);
    pause_ms(1500);
    assert_int_equal(call(SUPERVISOR, "GET", "/api/v1/ratings?level=3&limit=50", NULL, NULL, &r),
                     200);
    {
        size_t i, n_a = 0;
        json_t *e;
        json_array_foreach(jget(r.json, "items"), i, e) {
            n_a += strcmp(jstr(e, "case_no"), a) == 0;
            assert_true(strcmp(jstr(e, "case_no"), b) != 0);
        }
        assert_int_equal(n_a, 1);
    }
    resp_free(&r);
    warner_on = false;
    normal();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spring_festival_path),
        cmocka_unit_test(test_online_application),
        cmocka_unit_test(test_bad_input_changes_nothing),
        cmocka_unit_test(test_idempotent_create),
        cmocka_unit_test(test_attachments),
        cmocka_unit_test(test_public_lookup),
        cmocka_unit_test(test_personal_data),
        cmocka_unit_test(test_queues),
        cmocka_unit_test(test_other_actions),
        cmocka_unit_test(test_assignees),
        cmocka_unit_test(test_calendar),
        cmocka_unit_test(test_deadline_warnings),
        cmocka_unit_test(test_supervision_records),
        cmocka_unit_test(test_auto_accept),
        cmocka_unit_test(test_case_stats),
        cmocka_unit_test(test_default_rating),
        cmocka_unit_test(test_failed_sync),
        cmocka_unit_test(test_clean_shutdown),
    };
    return cmocka_run_group_tests_name(getenv("BIANMIN_TEST_PG") ? "cases (postgres)"
                                                                  : "cases (sqlite)",
                                       tests, group_setup, group_teardown);
}
