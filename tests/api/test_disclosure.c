/*
 * API tests of disclosure (政务公开 / 村务公开): a township administrator drafts and schedules
 * a publication, the public list, detail and Atom feed show it only inside its window (the
 * server's clock moved with libfaketime), village publications, another township's
 * administrator refused, bad input that changes nothing, attachments typed by content, and
 * the authorization table of every disclosure route for every demo role and anonymous.
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

static struct server srv;
static const char *running_fake; /* the FAKETIME of the running server, NULL: system clock */

enum role_ix { ADMIN, XT_CLERK, XT_HANDLER, XT_APPROVER, XT_ADMIN, XW_CLERK, XW_ADMIN, RSJ_HANDLER,
               SUPERVISOR, EVALUATOR, AUDITOR, CITIZEN, N_ROLES };
static const char *users[N_ROLES] = {"admin", "xtgz_clerk", "xtgz_handler", "xtgz_approver",
                                     "xtgz_admin", "xwz_clerk", "xwz_admin", "rsj_handler",
                                     "supervisor", "evaluator", "auditor", "citizen"};
static struct session ss[N_ROLES];

#define XT "西田各庄镇"
#define XT_VILLAGE "西田各庄村民委员会"
/* A title with every character XML escapes. */
#define TRICKY_TITLE "关于<2031年预算>&决算\\\"公开\\\"的'说明'"
#define TRICKY_TITLE_XML "关于&lt;2031年预算&gt;&amp;决算&quot;公开&quot;的&apos;说明&apos;"
#define TRICKY_TITLE_TEXT "关于<2031年预算>&决算\"公开\"的'说明'"

/* ---- requests ---- */

static void
pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* One request as role `who` (-1: anonymous), retried while the store is busy (503, which
 * under libfaketime the SQLite write lock's absolute timeout makes more frequent). */
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

static long
upload(int who, long long pub, const char *query, const char *type, const void *body, size_t len,
       struct resp *r)
{
    char path[256], ct[128];

    snprintf(path, sizeof(path), "/api/v1/publications/%lld/attachments%s", pub, query);
    snprintf(ct, sizeof(ct), "Content-Type: %s", type);
    for (int i = 0;; i++) {
        req_bin(&srv, who < 0 ? NULL : &ss[who], "POST", path, body, len,
                (const char *const[]){ct, NULL}, r);
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
    assert_int_equal(st, 200);
}

/* ---- the server ---- */

/* Starts the server on the shared store, on the system clock or at libfaketime's FAKETIME
 * ("@2031-01-15 00:00:00": that instant in UTC, then running). */
static void
start(const char *faketime)
{
    static const char *const args[] = {"--set", "upload_max_bytes=65536", NULL};
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
        login_as(i);
}

/* Restarts at a fake instant with these roles logged in (-1 ends the list). */
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

/* Number of publications `who` sees in the staff list (all pages of 200). */
static size_t
staff_count(int who)
{
    struct resp r;
    size_t n;
    assert_int_equal(call(who, "GET", "/api/v1/publications?limit=200", NULL, NULL, &r), 200);
    n = json_array_size(json_object_get(r.json, "items"));
    resp_free(&r);
    return n;
}

/* True if the public list (with `query`) holds publication `id`. */
static bool
public_has(const char *query, long long id)
{
    struct resp r;
    json_t *e;
    size_t i;
    bool found = false;
    assert_int_equal(call(-1, "GET", fmt("/api/v1/public/publications%s", query), NULL, NULL, &r),
                     200);
    json_array_foreach(json_object_get(r.json, "items"), i, e) {
        if (jint(e, "id") == id)
            found = true;
        /* The public view names no staff member. */
        assert_null(json_object_get(e, "published_by_name"));
        assert_null(json_object_get(e, "version"));
    }
    resp_free(&r);
    return found;
}

/* Creates a draft as `who`; returns its id. */
static long long
draft(int who, long long unit, const char *category, const char *title, const char *body)
{
    struct resp r;
    long long id;
    if (call(who, "POST", "/api/v1/publications",
             fmt("{\"unit_id\":%lld,\"category\":\"%s\",\"title\":\"%s\",\"body\":\"%s\"}", unit,
                 category, title, body),
             NULL, &r) != 201)
        fprintf(stderr, "draft: %s\n", r.body ? r.body : "");
    assert_int_equal(r.status, 201);
    assert_string_equal(jstr(r.json, "status"), "draft");
    assert_int_equal(jint(r.json, "version"), 1);
    id = jint(r.json, "id");
    assert_string_equal(r.location, fmt("/api/v1/publications/%lld", id));
    resp_free(&r);
    return id;
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

/* ---- scheduled publication, the public list and the feed on a moved clock ---- */

static void
test_scheduled_window(void **state)
{
    struct resp r;
    long long id, before;
    (void)state;

    normal();
    id = draft(XT_ADMIN, org_id(XT), "budget", TRICKY_TITLE, "预算总额 1,000 万元。\\n详见附件。");
    /* Scheduled for 2031: not public now. */
    assert_int_equal(call(XT_ADMIN, "POST", fmt("/api/v1/publications/%lld/publish", id),
                          "{\"publish_at\":\"2031-01-10T09:00:00+08:00\","
                          "\"withdraw_at\":\"2031-02-01T00:00:00+08:00\"}",
                          (const char *const[]){"If-Match: \"1\"", NULL}, &r),
                     200);
    assert_string_equal(jstr(r.json, "status"), "scheduled");
    assert_string_equal(jstr(r.json, "publish_at"), "2031-01-10T09:00:00+08:00");
    assert_string_equal(jstr(r.json, "withdraw_at"), "2031-02-01T00:00:00+08:00");
    assert_string_equal(jstr(r.json, "published_by_name"), "赵敏");
    assert_true(strlen(jstr(r.json, "published_at")) > 0);
    assert_int_equal(jint(r.json, "version"), 2);
    resp_free(&r);
    assert_false(public_has("", id));
    assert_int_equal(call(-1, "GET", fmt("/api/v1/public/publications/%lld", id), NULL, NULL, &r),
                     404);
    assert_problem(&r, 404, "not_found");
    resp_free(&r);
    assert_int_equal(call(-1, "GET", "/api/v1/public/publications.atom", NULL, NULL, &r), 200);
    assert_null(strstr(r.body, TRICKY_TITLE_XML));
    resp_free(&r);
    /* Still editable before its time: a new time, with the version. */
    assert_int_equal(call(XT_ADMIN, "PATCH", fmt("/api/v1/publications/%lld", id),
                          "{\"publish_at\":\"2031-01-10T08:00:00+08:00\"}",
                          (const char *const[]){"If-Match: \"2\"", NULL}, &r),
                     200);
    assert_string_equal(jstr(r.json, "publish_at"), "2031-01-10T08:00:00+08:00");
    assert_string_equal(jstr(r.json, "status"), "scheduled");
    resp_free(&r);

    /* Inside the window: listed, readable, in the feed with its title escaped. */
    fake_at("@2031-01-15 00:00:00", XT_ADMIN, ADMIN, -1);
    assert_true(public_has("", id));
    assert_int_equal(call(-1, "GET", fmt("/api/v1/public/publications/%lld", id), NULL, NULL, &r),
                     200);
    assert_string_equal(jstr(r.json, "title"), TRICKY_TITLE_TEXT);
    assert_string_equal(jstr(r.json, "unit_name"), XT);
    assert_string_equal(jstr(r.json, "category_name"), "财政预算和决算");
    resp_free(&r);
    assert_int_equal(call(-1, "GET", "/api/v1/public/publications.atom", NULL, NULL, &r), 200);
    assert_non_null(strstr(r.content_type, "application/atom+xml"));
    assert_non_null(strstr(r.body, "<feed xmlns=\"http://www.w3.org/2005/Atom\""));
    assert_non_null(strstr(r.body, "<title type=\"text\">" TRICKY_TITLE_XML "</title>"));
    assert_non_null(strstr(r.body, fmt("/api/v1/public/publications/%lld</id>", id)));
    assert_non_null(strstr(r.body, "<published>2031-01-10T08:00:00+08:00</published>"));
    assert_non_null(strstr(r.body, "<category term=\"budget\" label=\"财政预算和决算\"/>"));
    assert_null(strstr(r.body, "<2031"));
    resp_free(&r);
    assert_int_equal(call(XT_ADMIN, "GET", fmt("/api/v1/publications/%lld", id), NULL, NULL, &r),
                     200);
    assert_string_equal(jstr(r.json, "status"), "published");
    resp_free(&r);
    /* Public now: no more edits, and no second publish. */
    before = audit_top();
    assert_int_equal(call(XT_ADMIN, "PATCH", fmt("/api/v1/publications/%lld", id),
                          "{\"title\":\"改标题\"}", (const char *const[]){"If-Match: \"3\"", NULL},
                          &r),
                     409);
    assert_problem(&r, 409, "illegal_transition");
    resp_free(&r);
    assert_int_equal(call(XT_ADMIN, "POST", fmt("/api/v1/publications/%lld/publish", id), NULL,
                          NULL, &r),
                     409);
    resp_free(&r);
    assert_int_equal(audit_top(), before);

    /* Past withdraw_at: gone from the list, the detail and the feed; staff see "withdrawn". */
    fake_at("@2031-02-02 00:00:00", XT_ADMIN, -1);
    assert_false(public_has("", id));
    assert_int_equal(call(-1, "GET", fmt("/api/v1/public/publications/%lld", id), NULL, NULL, &r),
                     404);
    resp_free(&r);
    assert_int_equal(call(-1, "GET", "/api/v1/public/publications.atom", NULL, NULL, &r), 200);
    assert_null(strstr(r.body, TRICKY_TITLE_XML));
    resp_free(&r);
    assert_int_equal(call(XT_ADMIN, "GET", fmt("/api/v1/publications/%lld", id), NULL, NULL, &r),
                     200);
    assert_string_equal(jstr(r.json, "status"), "withdrawn");
    resp_free(&r);
    normal();
}

/* ---- a village's publication, scope, early withdrawal and the history ---- */

static void
test_village_scope_withdraw_history(void **state)
{
    struct resp r;
    long long id, village, xt, xw_count, before;
    (void)state;

    normal();
    village = org_id(XT_VILLAGE);
    xt = org_id(XT);
    id = draft(XT_ADMIN, village, "village_finances", "2026年11月村集体财务收支",
               "收入：土地租金 12,000 元\\n支出：道路维修 3,500 元");
    assert_int_equal(call(XT_ADMIN, "GET", fmt("/api/v1/publications/%lld", id), NULL, NULL, &r),
                     200);
    assert_string_equal(jstr(r.json, "level"), "village");
    assert_string_equal(jstr(r.json, "unit_name"), XT_VILLAGE);
    assert_int_equal(jint(r.json, "township_id"), xt);
    assert_string_equal(jstr(r.json, "period_hint"), "monthly");
    resp_free(&r);
    /* Published at once (no body). */
    assert_int_equal(call(XT_ADMIN, "POST", fmt("/api/v1/publications/%lld/publish", id), NULL,
                          NULL, &r),
                     200);
    assert_string_equal(jstr(r.json, "status"), "published");
    resp_free(&r);
    assert_true(public_has("", id));
    assert_true(public_has(fmt("?township_id=%lld", xt), id));
    assert_true(public_has(fmt("?unit_id=%lld", village), id));
    assert_true(public_has("?category=village_finances", id));
    assert_false(public_has("?category=budget", id));
    assert_false(public_has(fmt("?township_id=%lld", org_id("溪翁庄镇")), id));
    assert_false(public_has(fmt("?unit_id=%lld", xt), id));

    /* Another township's administrator: not found, not listed, cannot create here. */
    xw_count = (long long)staff_count(XW_ADMIN);
    before = audit_top();
    static const char *const methods[][3] = {
        {"GET", "", NULL},
        {"PATCH", "", "{\"title\":\"x\"}"},
        {"POST", "/publish", "{}"},
        {"POST", "/withdraw", "{\"reason\":\"x\"}"},
        {"GET", "/history", NULL},
    };
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        call(XW_ADMIN, methods[i][0], fmt("/api/v1/publications/%lld%s", id, methods[i][1]),
             methods[i][2], (const char *const[]){"If-Match: \"2\"", NULL}, &r);
        assert_problem(&r, 404, "not_found");
        resp_free(&r);
    }
    assert_int_equal(call(XW_ADMIN, "POST", "/api/v1/publications",
                          fmt("{\"unit_id\":%lld,\"category\":\"village_finances\","
                              "\"title\":\"越权\"}",
                              village),
                          NULL, &r),
                     403);
    assert_problem(&r, 403, "forbidden");
    resp_free(&r);
    assert_int_equal(audit_top(), before);
    assert_int_equal((long long)staff_count(XW_ADMIN), xw_count);
    assert_true(staff_count(ADMIN) >= staff_count(XT_ADMIN));
    /* The county administrator and a supervisor see it. */
    assert_int_equal(call(SUPERVISOR, "GET", fmt("/api/v1/publications/%lld", id), NULL, NULL, &r),
                     200);
    resp_free(&r);

    /* Withdrawn early with a reason: off the public list, recorded. */
    assert_int_equal(call(XT_ADMIN, "POST", fmt("/api/v1/publications/%lld/withdraw", id),
                          "{\"reason\":\"金额填写错误，更正后重新公开\"}", NULL, &r),
                     200);
    assert_string_equal(jstr(r.json, "status"), "withdrawn");
    assert_string_equal(jstr(r.json, "withdraw_reason"), "金额填写错误，更正后重新公开");
    assert_string_equal(jstr(r.json, "withdrawn_by_name"), "赵敏");
    assert_int_equal(jint(r.json, "updated_by"), jint(r.json, "withdrawn_by"));
    resp_free(&r);
    assert_false(public_has("", id));
    assert_int_equal(call(XT_ADMIN, "POST", fmt("/api/v1/publications/%lld/withdraw", id),
                          "{\"reason\":\"再撤一次\"}", NULL, &r),
                     409);
    resp_free(&r);

    /* The record of who did what when: the history and the audit trail. */
    assert_int_equal(call(AUDITOR, "GET", fmt("/api/v1/publications/%lld/history", id), NULL,
                          NULL, &r),
                     200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 3);
    assert_string_equal(jstr(r.json, "items.0.action"), "create");
    assert_string_equal(jstr(r.json, "items.1.action"), "publish");
    assert_string_equal(jstr(r.json, "items.2.action"), "withdraw");
    assert_string_equal(jstr(r.json, "items.2.actor"), "赵敏");
    assert_string_equal(jstr(r.json, "items.2.detail.reason"), "金额填写错误，更正后重新公开");
    resp_free(&r);
    assert_int_equal(call(ADMIN, "GET", "/api/v1/audit?limit=1", NULL, NULL, &r), 200);
    assert_string_equal(jstr(r.json, "items.0.action"), "publication.withdraw");
    assert_string_equal(jstr(r.json, "items.0.object_id"), fmt("%lld", id));
    resp_free(&r);

    /* The county administrator may publish for any township's village. */
    id = draft(ADMIN, village, "subsistence_list", "2026年第四季度低保名单", "");
    assert_int_equal(call(ADMIN, "POST", fmt("/api/v1/publications/%lld/publish", id), "{}", NULL,
                          &r),
                     200);
    resp_free(&r);
}

/* ---- bad input: a clear error and nothing changed ---- */

/* `tmpl` with its first "%lld" replaced by `v` (the table's templates stay plain data). */
static const char *
subst(const char *tmpl, long long v, char *out, size_t size)
{
    const char *at = strstr(tmpl, "%lld");
    if (at == NULL)
        snprintf(out, size, "%s", tmpl);
    else
        snprintf(out, size, "%.*s%lld%s", (int)(at - tmpl), tmpl, v, at + 4);
    return out;
}

static void
test_bad_input(void **state)
{
    struct resp r;
    long long xt, village, id, pub, before;
    size_t n;
    (void)state;

    normal();
    xt = org_id(XT);
    village = org_id(XT_VILLAGE);
    id = draft(XT_ADMIN, xt, "statistics", "统计公报", "");
    pub = draft(XT_ADMIN, xt, "statistics", "已发布的统计公报", "");
    assert_int_equal(call(XT_ADMIN, "POST", fmt("/api/v1/publications/%lld/publish", pub), NULL,
                          NULL, &r),
                     200);
    resp_free(&r);
    before = audit_top();
    n = staff_count(ADMIN);

    static const struct {
        const char *method, *path, *body, *if_match;
        long status;
        const char *code, *field;
    } cases[] = {
        {"POST", "/api/v1/publications", "{\"unit_id\":%lld,\"category\":\"nope\",\"title\":\"t\"}",
         NULL, 400, "validation_failed", "category"},
        {"POST", "/api/v1/publications",
         "{\"unit_id\":%lld,\"category\":\"village_finances\",\"title\":\"t\"}", NULL, 400,
         "validation_failed", "category"},
        {"POST", "/api/v1/publications", "{\"unit_id\":%lld,\"category\":\"budget\",\"title\":\"\"}",
         NULL, 400, "validation_failed", "title"},
        {"POST", "/api/v1/publications",
         "{\"unit_id\":%lld,\"category\":\"budget\",\"title\":\"   \"}", NULL, 400,
         "validation_failed", "title"},
        {"POST", "/api/v1/publications", "{\"unit_id\":%lld,\"category\":\"budget\"}", NULL, 400,
         "validation_failed", "title"},
        {"POST", "/api/v1/publications",
         "{\"unit_id\":%lld,\"category\":\"budget\",\"title\":\"t\",\"colour\":\"red\"}", NULL, 400,
         "validation_failed", "colour"},
        {"POST", "/api/v1/publications",
         "{\"unit_id\":%lld,\"category\":\"budget\",\"title\":\"t\",\"publish_at\":\"明天\"}", NULL,
         400, "validation_failed", "publish_at"},
        {"POST", "/api/v1/publications",
         "{\"unit_id\":%lld,\"category\":\"budget\",\"title\":\"t\","
         "\"publish_at\":\"2031-01-10T00:00:00+08:00\",\"withdraw_at\":\"2031-01-09T00:00:00+08:00\"}",
         NULL, 400, "validation_failed", "withdraw_at"},
        {"POST", "/api/v1/publications", "{\"unit_id\":%lld,", NULL, 400, "validation_failed",
         NULL},
        /* The id below is of the draft (or the published one where stated). */
        {"POST", "/api/v1/publications/%lld/publish",
         "{\"publish_at\":\"2031-01-10T00:00:00+08:00\",\"withdraw_at\":\"2031-01-01T00:00:00+08:00\"}",
         NULL, 400, "validation_failed", "withdraw_at"},
        {"POST", "/api/v1/publications/%lld/publish", "{\"publish_at\":\"2020-01-01T00:00:00Z\"}",
         NULL, 400, "validation_failed", "publish_at"},
        {"POST", "/api/v1/publications/%lld/publish", "{\"when\":\"now\"}", NULL, 400,
         "validation_failed", "when"},
        {"POST", "/api/v1/publications/%lld/publish", NULL, "\"7\"", 412, "precondition_failed",
         NULL},
        {"PATCH", "/api/v1/publications/%lld", "{\"title\":\"x\"}", NULL, 400, "validation_failed",
         NULL},
        {"PATCH", "/api/v1/publications/%lld", "{\"title\":\"x\"}", "\"9\"", 412,
         "precondition_failed", NULL},
        {"PATCH", "/api/v1/publications/%lld", "{\"category\":\"subsistence_list\"}", "\"1\"", 400,
         "validation_failed", "category"},
        {"PATCH", "/api/v1/publications/%lld", "{\"unit_id\":1}", "\"1\"", 400,
         "validation_failed", "unit_id"},
        {"POST", "/api/v1/publications/%lld/withdraw", "{\"reason\":\"草稿不能撤下\"}", NULL, 409,
         "illegal_transition", NULL},
        {"POST", "/api/v1/publications/%lld/withdraw", "{}", NULL, 400, "validation_failed",
         "reason"},
        {"GET", "/api/v1/publications?category=nope&x=%lld", NULL, NULL, 400, "validation_failed",
         "category"},
        {"GET", "/api/v1/public/publications?township_id=%lld", NULL, NULL, 400,
         "validation_failed", "township_id"},
        {"GET", "/api/v1/public/publications?cursor=abc&x=%lld", NULL, NULL, 400,
         "validation_failed", "cursor"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char pbuf[512], bbuf[512];
        long long arg = strncmp(cases[i].path, "/api/v1/publications/", 21) == 0 ? id
                        : strstr(cases[i].path, "township_id") != NULL ? village
                                                                        : xt;
        const char *path = subst(cases[i].path, arg, pbuf, sizeof(pbuf));
        const char *body = cases[i].body ? subst(cases[i].body, xt, bbuf, sizeof(bbuf)) : NULL;
        char im[64];
        snprintf(im, sizeof(im), "If-Match: %s", cases[i].if_match ? cases[i].if_match : "");
        call(XT_ADMIN, cases[i].method, path, body,
             cases[i].if_match ? (const char *const[]){im, NULL} : NULL, &r);
        if (r.status != cases[i].status)
            fprintf(stderr, "case %zu %s %s: %ld %s\n", i, cases[i].method, path, r.status,
                    r.body ? r.body : "");
        assert_problem(&r, cases[i].status, cases[i].code);
        if (cases[i].field != NULL && !has_field_error(&r, cases[i].field))
            fail_msg("case %zu: no error on %s: %s", i, cases[i].field, r.body);
        resp_free(&r);
    }
    /* A unit that is not a township or village; a published one cannot be edited. */
    assert_int_equal(call(XT_ADMIN, "POST", "/api/v1/publications",
                          fmt("{\"unit_id\":%lld,\"category\":\"budget\",\"title\":\"t\"}",
                              org_id("西田各庄镇便民服务中心")),
                          NULL, &r),
                     400);
    assert_true(has_field_error(&r, "unit_id"));
    resp_free(&r);
    assert_int_equal(call(XT_ADMIN, "PATCH", fmt("/api/v1/publications/%lld", pub),
                          "{\"title\":\"改\"}", (const char *const[]){"If-Match: \"2\"", NULL}, &r),
                     409);
    assert_problem(&r, 409, "illegal_transition");
    resp_free(&r);

    /* Nothing changed: no audit entry, no new publication, the draft as it was. */
    assert_int_equal(audit_top(), before);
    assert_int_equal(staff_count(ADMIN), n);
    assert_int_equal(call(XT_ADMIN, "GET", fmt("/api/v1/publications/%lld", id), NULL, NULL, &r),
                     200);
    assert_string_equal(jstr(r.json, "title"), "统计公报");
    assert_string_equal(jstr(r.json, "status"), "draft");
    assert_int_equal(jint(r.json, "version"), 1);
    resp_free(&r);
    assert_int_equal(call(XT_ADMIN, "GET", fmt("/api/v1/publications/%lld/history", id), NULL,
                          NULL, &r),
                     200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    resp_free(&r);
}

/* ---- attachments ---- */

static void
test_attachments(void **state)
{
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
                                        'I', 'H', 'D', 'R'};
    static const char pdf[] = "%PDF-1.4\n% 公示附件\n";
    struct resp r;
    long long id, file_png, file_pdf, before;
    (void)state;

    normal();
    id = draft(XT_ADMIN, org_id(XT_VILLAGE), "village_projects", "村道硬化工程公示", "工程预算见附件");
    /* A ".pdf" name with PNG content is stored as what it is, declared truthfully... */
    assert_int_equal(upload(XT_ADMIN, id, "?filename=%E5%B7%A5%E7%A8%8B.pdf", "image/png", png,
                            sizeof(png), &r),
                     201);
    assert_string_equal(jstr(r.json, "content_type"), "image/png");
    assert_string_equal(jstr(r.json, "filename"), "工程.pdf");
    assert_int_equal(jint(r.json, "size"), (long long)sizeof(png));
    file_png = jint(r.json, "id");
    resp_free(&r);
    assert_int_equal(upload(XT_ADMIN, id, "?filename=budget.pdf", "application/pdf", pdf,
                            strlen(pdf), &r),
                     201);
    file_pdf = jint(r.json, "id");
    resp_free(&r);
    /* ...and refused when declared as something else, or when it is no accepted type. */
    before = audit_top();
    assert_int_equal(upload(XT_ADMIN, id, "?filename=x.pdf", "application/pdf", png, sizeof(png),
                            &r),
                     415);
    assert_problem(&r, 415, "unsupported_media_type");
    resp_free(&r);
    assert_int_equal(upload(XT_ADMIN, id, "?filename=x.txt", "text/plain", "hello", 5, &r), 415);
    resp_free(&r);
    assert_int_equal(upload(XT_ADMIN, id, "?filename=a%2Fb.png", "image/png", png, sizeof(png), &r),
                     400);
    resp_free(&r);
    assert_int_equal(upload(XW_ADMIN, id, "", "image/png", png, sizeof(png), &r), 404);
    resp_free(&r);
    assert_int_equal(audit_top(), before);

    /* Staff download; the public only once it is published. */
    assert_int_equal(call(XT_ADMIN, "GET",
                          fmt("/api/v1/publications/%lld/attachments/%lld", id, file_png), NULL,
                          NULL, &r),
                     200);
    assert_non_null(strstr(r.content_type, "image/png"));
    assert_int_equal(r.len, sizeof(png));
    assert_memory_equal(r.body, png, sizeof(png));
    resp_free(&r);
    assert_int_equal(call(-1, "GET",
                          fmt("/api/v1/public/publications/%lld/attachments/%lld", id, file_pdf),
                          NULL, NULL, &r),
                     404);
    resp_free(&r);
    assert_int_equal(call(XT_ADMIN, "POST", fmt("/api/v1/publications/%lld/publish", id), NULL,
                          NULL, &r),
                     200);
    assert_int_equal(json_array_size(json_object_get(r.json, "attachments")), 2);
    resp_free(&r);
    assert_int_equal(call(-1, "GET",
                          fmt("/api/v1/public/publications/%lld/attachments/%lld", id, file_pdf),
                          NULL, NULL, &r),
                     200);
    assert_non_null(strstr(r.content_type, "application/pdf"));
    assert_int_equal(r.len, strlen(pdf));
    assert_non_null(strstr(r.content_disposition, "budget.pdf"));
    resp_free(&r);
    assert_int_equal(call(-1, "GET", fmt("/api/v1/public/publications/%lld", id), NULL, NULL, &r),
                     200);
    assert_string_equal(jstr(r.json, "attachments.1.url"),
                        fmt("/api/v1/public/publications/%lld/attachments/%lld", id, file_pdf));
    resp_free(&r);
    /* No files added once it is public. */
    assert_int_equal(upload(XT_ADMIN, id, "", "image/png", png, sizeof(png), &r), 409);
    resp_free(&r);
    assert_int_equal(call(XT_ADMIN, "GET", fmt("/api/v1/publications/%lld/history", id), NULL,
                          NULL, &r),
                     200);
    assert_string_equal(jstr(r.json, "items.1.action"), "attach");
    assert_string_equal(jstr(r.json, "items.1.detail.content_type"), "image/png");
    resp_free(&r);
}

/* ---- who may call what ---- */

#define R_ALL ((1u << N_ROLES) - 1)
#define R(x) (1u << (x))
#define R_WRITE (R(ADMIN) | R(XT_ADMIN) | R(XW_ADMIN))
#define R_READ (R_WRITE | R(SUPERVISOR) | R(AUDITOR))
#define NO_PUB "999999"

static void
test_authorization_matrix(void **state)
{
    /* Bodies are empty and the id is of no publication, so an allowed call fails validation
     * or is not found instead of changing data; what matters is the role check. */
    static const struct {
        const char *method, *path, *body;
        unsigned allowed;
        bool public_route;
    } routes[] = {
        {"GET", "/api/v1/publications", NULL, R_READ, false},
        {"POST", "/api/v1/publications", "{}", R_WRITE, false},
        {"GET", "/api/v1/publications/" NO_PUB, NULL, R_READ, false},
        {"PATCH", "/api/v1/publications/" NO_PUB, "{}", R_WRITE, false},
        {"POST", "/api/v1/publications/" NO_PUB "/publish", NULL, R_WRITE, false},
        {"POST", "/api/v1/publications/" NO_PUB "/withdraw", "{}", R_WRITE, false},
        {"GET", "/api/v1/publications/" NO_PUB "/history", NULL, R_READ, false},
        {"POST", "/api/v1/publications/" NO_PUB "/attachments", "{}", R_WRITE, false},
        {"GET", "/api/v1/publications/" NO_PUB "/attachments/1", NULL, R_READ, false},
        {"GET", "/api/v1/public/publications", NULL, R_ALL, true},
        {"GET", "/api/v1/public/publications.atom", NULL, R_ALL, true},
        {"GET", "/api/v1/public/publications/" NO_PUB, NULL, R_ALL, true},
        {"GET", "/api/v1/public/publications/" NO_PUB "/attachments/1", NULL, R_ALL, true},
        {"GET", "/api/v1/public/publication-categories", NULL, R_ALL, true},
    };
    struct resp r;
    long long before;
    (void)state;

    normal();
    before = audit_top();
    for (size_t k = 0; k < sizeof(routes) / sizeof(routes[0]); k++) {
        for (int i = -1; i < N_ROLES; i++) {
            call(i, routes[k].method, routes[k].path, routes[k].body, NULL, &r);
            if (i < 0) {
                /* Anonymous: public routes answer, the rest want a log-in. */
                if (routes[k].public_route) {
                    if (r.status == 401 || r.status == 403)
                        fprintf(stderr, "%s %s anonymous: %ld\n", routes[k].method,
                                routes[k].path, r.status);
                    assert_true(r.status != 401 && r.status != 403);
                } else {
                    assert_problem(&r, 401, "unauthenticated");
                }
            } else if (routes[k].allowed & R(i)) {
                if (r.status == 401 || r.status == 403)
                    fprintf(stderr, "%s %s as %s: %ld\n", routes[k].method, routes[k].path,
                            users[i], r.status);
                assert_true(r.status != 401 && r.status != 403);
            } else {
                if (r.status != 403)
                    fprintf(stderr, "%s %s as %s: %ld\n", routes[k].method, routes[k].path,
                            users[i], r.status);
                assert_problem(&r, 403, "forbidden");
            }
            resp_free(&r);
        }
    }
    assert_int_equal(audit_top(), before);
}

/* The demo county shows every state: public, scheduled (not listed) and a draft (not listed). */
static void
test_demo_publications(void **state)
{
    struct resp r;
    (void)state;

    normal();
    assert_int_equal(call(-1, "GET", fmt("/api/v1/public/publications?township_id=%lld&limit=100",
                                         org_id(XT)),
                          NULL, NULL, &r),
                     200);
    assert_non_null(strstr(r.body, "西田各庄镇2026年部门预算公开"));
    assert_non_null(strstr(r.body, "董各庄村2026年第四季度低保对象名单公示"));
    assert_null(strstr(r.body, "西田各庄村村内道路硬化工程公示")); /* scheduled next week */
    assert_null(strstr(r.body, "前三季度经济运行情况"));           /* a draft */
    resp_free(&r);
    assert_int_equal(call(XT_ADMIN, "GET", "/api/v1/publications?limit=200", NULL, NULL, &r), 200);
    assert_non_null(strstr(r.body, "西田各庄村村内道路硬化工程公示"));
    assert_non_null(strstr(r.body, "\"scheduled\""));
    resp_free(&r);
}

/* The category table: both levels, Chinese names. */
static void
test_categories(void **state)
{
    struct resp r;
    json_t *e;
    size_t i, town = 0, village = 0;
    (void)state;

    normal();
    assert_int_equal(call(-1, "GET", "/api/v1/public/publication-categories", NULL, NULL, &r), 200);
    json_array_foreach(json_object_get(r.json, "items"), i, e) {
        if (strcmp(jstr(e, "level"), "village") == 0)
            village++;
        else
            town++;
        assert_true(strlen(jstr(e, "name")) > 0);
    }
    assert_true(town >= 20 && village >= 8);
    resp_free(&r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scheduled_window),
        cmocka_unit_test(test_village_scope_withdraw_history),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_attachments),
        cmocka_unit_test(test_authorization_matrix),
        cmocka_unit_test(test_categories),
        cmocka_unit_test(test_demo_publications),
    };
    return cmocka_run_group_tests_name(getenv("BIANMIN_TEST_PG") ? "disclosure (postgres)"
                                                                 : "disclosure (sqlite)",
                                       tests, group_setup, group_teardown);
}
