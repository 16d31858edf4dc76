/*
 * API tests: a real `bianmin serve` on a free loopback port, driven over HTTP with libcurl.
 * Every endpoint: the happy path, every demo role (the authorization matrix), and bad input
 * answered with the right status and a problem+json body while the store stays unchanged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "client.h"

#define PW "Bianmin2026"

static struct server srv;

enum role_ix { ADMIN, XT_CLERK, XT_HANDLER, XT_APPROVER, XT_ADMIN, XW_CLERK, XW_ADMIN, RSJ_HANDLER,
               SUPERVISOR, EVALUATOR, AUDITOR, CITIZEN, N_ROLES };
static const char *users[N_ROLES] = {"admin", "xtgz_clerk", "xtgz_handler", "xtgz_approver",
                                     "xtgz_admin", "xwz_clerk", "xwz_admin", "rsj_handler",
                                     "supervisor", "evaluator", "auditor", "citizen"};
static struct session ss[N_ROLES];

/* ---- helpers (jget, jstr, jint, fmt, assert_problem, has_field_error: client.h) ---- */

/* Id of the newest audit entry: every change appends one, so equal ids = nothing changed. */
static long long
audit_top(void)
{
    struct resp r;
    long long id;
    assert_int_equal(req(&srv, &ss[ADMIN], "GET", "/api/v1/audit?limit=1", NULL, NULL, &r), 200);
    id = jint(r.json, "items.0.id");
    resp_free(&r);
    return id;
}

static size_t
org_count(void)
{
    struct resp r;
    size_t n;
    assert_int_equal(req(&srv, &ss[ADMIN], "GET", "/api/v1/org-units?flat=true", NULL, NULL, &r),
                     200);
    n = json_array_size(json_object_get(r.json, "items"));
    resp_free(&r);
    return n;
}

/* Id of the unit with this name (flat list). */
static long long
org_id(const char *name)
{
    struct resp r;
    json_t *e;
    size_t i;
    long long id = 0;
    assert_int_equal(req(&srv, &ss[ADMIN], "GET", "/api/v1/org-units?flat=true", NULL, NULL, &r),
                     200);
    json_array_foreach(json_object_get(r.json, "items"), i, e) if (strcmp(jstr(e, "name"), name) ==
                                                                   0) id = jint(e, "id");
    resp_free(&r);
    assert_true(id > 0);
    return id;
}

static long long
user_id(const char *username, long long *version)
{
    struct resp r;
    json_t *e;
    size_t i;
    long long id = 0;
    assert_int_equal(req(&srv, &ss[ADMIN], "GET", "/api/v1/users?limit=500", NULL, NULL, &r), 200);
    json_array_foreach(json_object_get(r.json, "items"), i, e) {
        if (strcmp(jstr(e, "username"), username) == 0) {
            id = jint(e, "id");
            if (version)
                *version = jint(e, "version");
        }
    }
    resp_free(&r);
    return id;
}

/* ---- setup ---- */

static int
group_setup(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_ALL);
    if (!server_prepare(&srv))
        return -1;
    if (!server_start(&srv, NULL))
        return -1;
    for (int i = 0; i < N_ROLES; i++)
        if (login(&srv, &ss[i], users[i], PW) != 200)
            return -1;
    return 0;
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

/* ---- operations endpoints ---- */

/* The value of an unlabelled metric in a /metrics text; -1 if it is not there. */
static double
metric(const char *text, const char *name)
{
    char key[128];
    const char *p;

    snprintf(key, sizeof(key), "\n%s ", name);
    p = strstr(text, key);
    return p ? strtod(p + strlen(key), NULL) : -1;
}

static void
test_health_ready_metrics(void **state)
{
    struct resp r;
    (void)state;
    assert_int_equal(req(&srv, NULL, "GET", "/healthz", NULL, NULL, &r), 200);
    assert_string_equal(jstr(r.json, "status"), "ok");
    assert_true(strstr(r.content_type, "application/json") != NULL);
    resp_free(&r);
    assert_int_equal(req(&srv, NULL, "GET", "/readyz", NULL, NULL, &r), 200);
    assert_string_equal(jstr(r.json, "status"), "ready");
    resp_free(&r);
    assert_int_equal(req(&srv, NULL, "GET", "/metrics", NULL, NULL, &r), 200);
    assert_true(strstr(r.content_type, "text/plain") != NULL);
    assert_non_null(strstr(r.body, "bianmin_http_requests_total{route=\"GET /healthz\",status=\"200\"}"));
    assert_non_null(strstr(r.body, "bianmin_http_requests_total{route=\"POST /api/v1/session\",status=\"200\"}"));
    assert_non_null(strstr(r.body, "bianmin_http_request_duration_seconds_bucket{le=\"+Inf\"}"));
    assert_non_null(strstr(r.body, "bianmin_http_connections_open "));
    assert_non_null(strstr(r.body, "bianmin_store_errors_total 0"));
    assert_non_null(strstr(r.body, "\nbianmin_store_sync_failures_total 0\n"));
    /* The log-ins wrote: on SQLite through commits that held the write lock and were
     * synced; PostgreSQL's commits are its own. */
    if (!srv.is_pg) {
        double commits = metric(r.body, "bianmin_store_commits_total");
        assert_true(commits >= 1);
        assert_true(metric(r.body, "bianmin_store_committed_writes_total") >= commits);
        assert_true(metric(r.body, "bianmin_store_commit_seconds_total") > 0);
        assert_true(metric(r.body, "bianmin_store_write_lock_seconds_total") >=
                    metric(r.body, "bianmin_store_commit_seconds_total"));
        assert_true(metric(r.body, "bianmin_store_syncs_total") >= 1);
        assert_true(metric(r.body, "bianmin_store_sync_seconds_total") > 0);
    } else {
        assert_true(metric(r.body, "bianmin_store_commits_total") == 0);
        assert_true(metric(r.body, "bianmin_store_syncs_total") == 0);
    }
    resp_free(&r);
}

/* Access-log lines in the server's log for `route` (status 200). */
static int
access_lines(const char *route)
{
    char cmd[700];
    FILE *p;
    int n = -1;

    snprintf(cmd, sizeof(cmd),
             "grep -c '\"event\":\"access\",\"method\":\"GET\",\"route\":\"%s\",\"status\":200,' "
             "%s",
             route, srv.log);
    p = popen(cmd, "r");
    assert_non_null(p);
    if (fscanf(p, "%d", &n) != 1)
        n = -1;
    pclose(p);
    return n;
}

/* Each answered request leaves exactly one whole access-log line, written within moments
 * (the loop keeps the lines of one iteration and writes them together when it ends). */
static void
test_access_log(void **state)
{
    struct resp r;
    int before = access_lines("GET /api/v1/enums"), after = -1;
    size_t body_len = 0;
    (void)state;

    assert_true(before >= 0);
    for (int i = 0; i < 25; i++) {
        assert_int_equal(req(&srv, NULL, "GET", "/api/v1/enums", NULL, NULL, &r), 200);
        body_len = r.len;
        resp_free(&r);
    }
    for (int waited = 0; waited < 2000 && after != before + 25; waited += 20) {
        after = access_lines("GET /api/v1/enums");
        if (after != before + 25)
            usleep(20 * 1000);
    }
    assert_int_equal(after, before + 25);
    /* Whole lines: every access line of the log is one JSON object, with every field in
     * its form (the time to the hundredth of a millisecond), and the lines of these
     * requests give the size of the answer and no user. */
    assert_int_equal(
        run("grep '\"event\":\"access\"' %s | python3 -c 'import json, re, sys\n"
            "for l in sys.stdin:\n"
            "    d = json.loads(l)\n"
            "    assert list(d) == [\"ts\", \"level\", \"req\", \"event\", \"method\", \"route\", "
            "\"status\", \"ms\", \"bytes\", \"user\", \"ip\"], l\n"
            "    assert re.fullmatch(r\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\+08:00\", d[\"ts\"]), l\n"
            "    assert re.fullmatch(r\"[0-9a-f]{16}\", d[\"req\"]), l\n"
            "    assert re.search(r\"\\\"ms\\\":\\d+\\.\\d\\d,\", l) and d[\"ms\"] >= 0, l\n"
            "    assert type(d[\"status\"]) is int and type(d[\"user\"]) is int, l\n"
            "    if d[\"route\"] == \"GET /api/v1/enums\":\n"
            "        assert d[\"bytes\"] == %zu and d[\"user\"] == 0 and d[\"ip\"] == \"127.0.0.1\", l\n"
            "'",
            srv.log, body_len),
        0);
}

static void
test_security_headers(void **state)
{
    struct resp r;
    (void)state;
    assert_int_equal(req(&srv, &ss[ADMIN], "GET", "/api/v1/me", NULL, NULL, &r), 200);
    assert_non_null(strstr(r.csp, "frame-ancestors 'none'"));
    assert_non_null(strstr(r.csp, "default-src 'self'"));
    assert_string_equal(r.nosniff, "nosniff");
    assert_string_equal(r.frame_options, "DENY");
    resp_free(&r);
}

static void
test_enums_public(void **state)
{
    struct resp r;
    (void)state;
    assert_int_equal(req(&srv, NULL, "GET", "/api/v1/enums", NULL, NULL, &r), 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "roles")), 9);
    assert_string_equal(jstr(r.json, "roles.1.code"), "clerk");
    assert_string_equal(jstr(r.json, "roles.1.name"), "综合窗口受理员");
    assert_int_equal(json_array_size(json_object_get(r.json, "org_kinds")), 7);
    /* The case lifecycle's codes with the names the UI shows. */
    assert_int_equal(json_array_size(json_object_get(r.json, "case_statuses")), 13);
    assert_string_equal(jstr(r.json, "case_statuses.3.code"), "accepted");
    assert_string_equal(jstr(r.json, "case_statuses.3.name"), "已受理");
    assert_int_equal(json_array_size(json_object_get(r.json, "case_actions")), 20);
    /* The system's own actions are listed too: clients label them in a case's trace. */
    assert_string_equal(jstr(r.json, "case_actions.18.code"), "auto_accept");
    assert_string_equal(jstr(r.json, "case_actions.19.code"), "auto_return");
    assert_string_equal(jstr(r.json, "case_actions.1.code"), "accept");
    resp_free(&r);
}

/* ---- routing and generic bad input ---- */

static void
test_unknown_route_and_method(void **state)
{
    struct resp r;
    (void)state;
    req(&srv, &ss[ADMIN], "GET", "/api/v1/no-such-thing", NULL, NULL, &r);
    assert_problem(&r, 404, "not_found");
    resp_free(&r);
    req(&srv, &ss[ADMIN], "PUT", "/api/v1/org-units", "{}", NULL, &r);
    assert_problem(&r, 405, "method_not_allowed");
    assert_non_null(strstr(r.allow, "GET"));
    assert_non_null(strstr(r.allow, "POST"));
    resp_free(&r);
    req(&srv, &ss[ADMIN], "GET", "/api/v1/users/abc", NULL, NULL, &r);
    assert_problem(&r, 404, "not_found");
    resp_free(&r);
    req(&srv, &ss[ADMIN], "GET", "/api/v1/users/99999", NULL, NULL, &r);
    assert_problem(&r, 404, "not_found");
    resp_free(&r);
}

static void
test_unauthenticated(void **state)
{
    static const char *paths[] = {"/api/v1/me", "/api/v1/org-units", "/api/v1/users",
                                  "/api/v1/api-tokens", "/api/v1/audit", "/api/v1/audit/verify"};
    struct resp r;
    struct session bogus;
    (void)state;
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        req(&srv, NULL, "GET", paths[i], NULL, NULL, &r);
        assert_problem(&r, 401, "unauthenticated");
        resp_free(&r);
    }
    /* A forged or expired cookie is the same as none. */
    memset(&bogus, 0, sizeof(bogus));
    snprintf(bogus.cookie, sizeof(bogus.cookie), "bm_session=forged-token-value");
    req(&srv, &bogus, "GET", "/api/v1/me", NULL, NULL, &r);
    assert_problem(&r, 401, "unauthenticated");
    resp_free(&r);
    /* A wrong bearer token is refused even on a public route. */
    memset(&bogus, 0, sizeof(bogus));
    snprintf(bogus.bearer, sizeof(bogus.bearer), "not-a-real-token");
    req(&srv, &bogus, "GET", "/api/v1/enums", NULL, NULL, &r);
    assert_problem(&r, 401, "unauthenticated");
    resp_free(&r);
}

static void
test_bad_bodies_change_nothing(void **state)
{
    const char *ct_text[] = {"Content-Type: text/plain", NULL};
    long long before = audit_top();
    size_t orgs = org_count();
    char *big;
    struct resp r;
    (void)state;

    req(&srv, &ss[ADMIN], "POST", "/api/v1/org-units", "{\"name\": \"x\",", NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_non_null(strstr(jstr(r.json, "detail"), "JSON"));
    resp_free(&r);
    req(&srv, &ss[ADMIN], "POST", "/api/v1/org-units", "[1,2]", NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    resp_free(&r);
    req(&srv, &ss[ADMIN], "POST", "/api/v1/org-units", "{\"name\":1,\"kind\":\"office\"}", NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "name"));
    assert_true(has_field_error(&r, "parent_id"));
    resp_free(&r);
    req(&srv, &ss[ADMIN], "POST", "/api/v1/org-units",
        "{\"name\":\"x\",\"kind\":\"office\",\"parent_id\":1,\"colour\":\"red\"}", NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "colour"));
    resp_free(&r);
    req(&srv, &ss[ADMIN], "POST", "/api/v1/org-units", "{\"a\":1,\"a\":2}", NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    resp_free(&r);
    req(&srv, &ss[ADMIN], "POST", "/api/v1/org-units", "{}", ct_text, &r);
    assert_problem(&r, 415, "unsupported_media_type");
    resp_free(&r);
    req(&srv, &ss[ADMIN], "POST", "/api/v1/org-units", "{}",
        (const char *const[]){"Content-Type: application/jsonx", NULL}, &r);
    assert_problem(&r, 415, "unsupported_media_type");
    resp_free(&r);
    /* 2 MiB of JSON: over the 1 MiB JSON limit. */
    big = malloc(2u << 20);
    memset(big, ' ', (2u << 20) - 1);
    big[0] = '{';
    big[(2u << 20) - 2] = '}';
    big[(2u << 20) - 1] = '\0';
    req(&srv, &ss[ADMIN], "POST", "/api/v1/org-units", big, NULL, &r);
    assert_problem(&r, 413, "too_large");
    resp_free(&r);
    free(big);

    assert_int_equal(audit_top(), before);
    assert_int_equal(org_count(), orgs);
}

static void
test_oversize_beyond_hard_cap(void **state)
{
    /* Past upload_max_bytes evhttp refuses the body before reading it. */
    size_t n = (21u << 20);
    char *big = malloc(n + 1);
    struct resp r;
    (void)state;
    memset(big, 'a', n);
    big[n] = '\0';
    /* With Expect: 100-continue the refusal comes before the body is sent, so the client
     * reliably reads it (without, the server may close while the client is still sending). */
    req(&srv, &ss[ADMIN], "POST", "/api/v1/org-units", big,
        (const char *const[]){"Expect: 100-continue", NULL}, &r);
    assert_int_equal(r.status, 413);
    resp_free(&r);
    free(big);
}

/* ---- sessions ---- */

static void
test_login_every_role(void **state)
{
    struct resp r;
    (void)state;
    for (int i = 0; i < N_ROLES; i++) {
        assert_true(ss[i].cookie[0] != '\0');
        assert_true(strlen(ss[i].csrf) >= 40);
        assert_int_equal(req(&srv, &ss[i], "GET", "/api/v1/me", NULL, NULL, &r), 200);
        assert_string_equal(jstr(r.json, "user.username"), users[i]);
        assert_string_equal(jstr(r.json, "csrf_token"), ss[i].csrf);
        resp_free(&r);
    }
    assert_int_equal(req(&srv, &ss[XT_CLERK], "GET", "/api/v1/me", NULL, NULL, &r), 200);
    assert_string_equal(jstr(r.json, "user.roles.0"), "clerk");
    assert_string_equal(jstr(r.json, "user.org_unit_name"), "西田各庄镇便民服务中心");
    resp_free(&r);
}

static void
test_login_cookie_flags(void **state)
{
    struct resp r;
    (void)state;
    req(&srv, NULL, "POST", "/api/v1/session", "{\"username\":\"auditor\",\"password\":\"" PW "\"}",
        NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.set_cookie, "bm_session="));
    assert_non_null(strstr(r.set_cookie, "HttpOnly"));
    assert_non_null(strstr(r.set_cookie, "SameSite=Strict"));
    assert_non_null(strstr(r.set_cookie, "Path=/"));
    assert_string_equal(jstr(r.json, "user.roles.0"), "auditor");
    resp_free(&r);
}

static void
test_login_failures(void **state)
{
    struct resp r;
    (void)state;
    req(&srv, NULL, "POST", "/api/v1/session", "{\"username\":\"admin\",\"password\":\"wrong-1\"}",
        NULL, &r);
    assert_problem(&r, 401, "unauthenticated");
    assert_string_equal(r.set_cookie, "");
    resp_free(&r);
    req(&srv, NULL, "POST", "/api/v1/session", "{\"username\":\"nobody\",\"password\":\"wrong-1\"}",
        NULL, &r);
    assert_problem(&r, 401, "unauthenticated");
    resp_free(&r);
    req(&srv, NULL, "POST", "/api/v1/session", "{\"username\":\"admin\"}", NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "password"));
    resp_free(&r);
    req(&srv, NULL, "POST", "/api/v1/session", "{\"username\":[],\"password\":\"x\"}", NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "username"));
    resp_free(&r);
}

static void
test_login_throttling(void **state)
{
    struct session s2;
    struct resp r;
    (void)state;
    /* Five wrong passwords lock this user name for the window, even for the right one. */
    for (int i = 0; i < 5; i++) {
        req(&srv, NULL, "POST", "/api/v1/session",
            "{\"username\":\"evaluator\",\"password\":\"guess1234\"}", NULL, &r);
        assert_int_equal(r.status, 401);
        resp_free(&r);
    }
    req(&srv, NULL, "POST", "/api/v1/session", "{\"username\":\"evaluator\",\"password\":\"" PW "\"}",
        NULL, &r);
    assert_problem(&r, 429, "throttled");
    assert_true(strtol(r.retry_after, NULL, 10) > 0);
    resp_free(&r);
    /* Other users are not affected, and the existing session still works. */
    assert_int_equal(login(&srv, &s2, "supervisor", PW), 200);
    assert_int_equal(req(&srv, &ss[EVALUATOR], "GET", "/api/v1/me", NULL, NULL, &r), 200);
    resp_free(&r);
    assert_int_equal(req(&srv, NULL, "GET", "/metrics", NULL, NULL, &r), 200);
    assert_non_null(strstr(r.body, "route=\"POST /api/v1/session\",status=\"429\""));
    assert_null(strstr(r.body, "bianmin_login_throttled_total 0\n"));
    resp_free(&r);
}

static void
test_csrf_required(void **state)
{
    struct session no_csrf = ss[ADMIN];
    long long before = audit_top();
    struct resp r;
    char body[256];
    (void)state;
    no_csrf.csrf[0] = '\0';
    snprintf(body, sizeof(body), "{\"name\":\"测试办公室\",\"kind\":\"office\",\"parent_id\":%lld}",
             org_id("西田各庄镇"));
    req(&srv, &no_csrf, "POST", "/api/v1/org-units", body, NULL, &r);
    assert_problem(&r, 403, "forbidden");
    assert_non_null(strstr(jstr(r.json, "detail"), "CSRF"));
    resp_free(&r);
    snprintf(no_csrf.csrf, sizeof(no_csrf.csrf), "wrong-token");
    req(&srv, &no_csrf, "POST", "/api/v1/org-units", body, NULL, &r);
    assert_problem(&r, 403, "forbidden");
    resp_free(&r);
    assert_int_equal(audit_top(), before);
}

/* ---- organisation ---- */

static void
test_org_tree(void **state)
{
    struct resp r;
    json_t *county, *child;
    size_t i, townships = 0;
    (void)state;
    assert_int_equal(req(&srv, &ss[XT_CLERK], "GET", "/api/v1/org-units", NULL, NULL, &r), 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    county = jget(r.json, "items.0");
    assert_string_equal(jstr(county, "kind"), "county");
    assert_string_equal(jstr(county, "division_code"), "110118");
    json_array_foreach(json_object_get(county, "children"), i, child) {
        if (strcmp(jstr(child, "kind"), "township") == 0) {
            townships++;
            if (strcmp(jstr(child, "name"), "西田各庄镇") == 0) {
                assert_string_equal(jstr(child, "division_code"), "110118102000");
                assert_string_equal(jstr(child, "subtype"), "town");
                assert_true(json_array_size(json_object_get(child, "children")) >= 7);
            }
            if (strcmp(jstr(child, "name"), "鼓楼街道") == 0)
                assert_string_equal(jstr(child, "subtype"), "subdistrict");
        }
    }
    assert_int_equal(townships, 20);
    resp_free(&r);
    /* Single unit, readable by anyone logged in; a citizen too. */
    assert_int_equal(req(&srv, &ss[CITIZEN], "GET", fmt("/api/v1/org-units/%lld", org_id("司法所")),
                         NULL, NULL, &r),
                     200);
    assert_string_equal(jstr(r.json, "management_mode"), "county");
    resp_free(&r);
}

static void
test_org_create_and_validate(void **state)
{
    long long xt = org_id("西田各庄镇"), county = org_id("北京市密云区"), before;
    struct resp r;
    (void)state;
    /* A village with its real code. */
    req(&srv, &ss[XT_ADMIN], "POST", "/api/v1/org-units",
        fmt("{\"name\":\"新建测试村\",\"kind\":\"village\",\"parent_id\":%lld,"
            "\"division_code\":\"110118102399\"}", xt),
        NULL, &r);
    assert_int_equal(r.status, 201);
    assert_string_equal(jstr(r.json, "subtype"), "village");
    assert_int_equal(jint(r.json, "version"), 1);
    resp_free(&r);

    before = audit_top();
    /* Village code outside its township. */
    req(&srv, &ss[ADMIN], "POST", "/api/v1/org-units",
        fmt("{\"name\":\"错码村\",\"kind\":\"village\",\"parent_id\":%lld,"
            "\"division_code\":\"110118101201\"}", xt),
        NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "division_code"));
    resp_free(&r);
    /* Duplicate code. */
    req(&srv, &ss[ADMIN], "POST", "/api/v1/org-units",
        fmt("{\"name\":\"重复村\",\"kind\":\"village\",\"parent_id\":%lld,"
            "\"division_code\":\"110118102399\"}", xt),
        NULL, &r);
    assert_problem(&r, 409, "conflict");
    assert_true(has_field_error(&r, "division_code"));
    resp_free(&r);
    /* Station without management mode; village under the county. */
    req(&srv, &ss[ADMIN], "POST", "/api/v1/org-units",
        fmt("{\"name\":\"文化站\",\"kind\":\"station\",\"parent_id\":%lld}", xt), NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "management_mode"));
    resp_free(&r);
    req(&srv, &ss[ADMIN], "POST", "/api/v1/org-units",
        fmt("{\"name\":\"某村\",\"kind\":\"village\",\"parent_id\":%lld,"
            "\"division_code\":\"110118102398\"}", county),
        NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "parent_id"));
    resp_free(&r);
    /* Counties only come from `bianmin init`. */
    req(&srv, &ss[ADMIN], "POST", "/api/v1/org-units",
        "{\"name\":\"某县\",\"kind\":\"county\",\"parent_id\":1,\"division_code\":\"110119\"}", NULL,
        &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "kind"));
    resp_free(&r);
    /* Bad credit code on a department. */
    req(&srv, &ss[ADMIN], "POST", "/api/v1/org-units",
        fmt("{\"name\":\"测试局\",\"kind\":\"department\",\"parent_id\":%lld,"
            "\"credit_code\":\"91110000101623741A\"}", county),
        NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "credit_code"));
    resp_free(&r);
    assert_int_equal(audit_top(), before);

    /* A department with a valid credit code. */
    req(&srv, &ss[ADMIN], "POST", "/api/v1/org-units",
        fmt("{\"name\":\"北京市密云区测试局\",\"kind\":\"department\",\"parent_id\":%lld,"
            "\"credit_code\":\"11100000000013338W\"}", county),
        NULL, &r);
    assert_int_equal(r.status, 201);
    assert_string_equal(jstr(r.json, "credit_code"), "11100000000013338W");
    resp_free(&r);
}

static void
test_org_scope(void **state)
{
    long long xt = org_id("西田各庄镇"), xw = org_id("溪翁庄镇"), county = org_id("北京市密云区"),
              before = audit_top();
    struct resp r;
    (void)state;
    /* A township administrator cannot create under another township ... */
    req(&srv, &ss[XW_ADMIN], "POST", "/api/v1/org-units",
        fmt("{\"name\":\"越权办公室\",\"kind\":\"office\",\"parent_id\":%lld}", xt), NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "parent_id"));
    resp_free(&r);
    /* ... nor set up a department or township. */
    req(&srv, &ss[XW_ADMIN], "POST", "/api/v1/org-units",
        fmt("{\"name\":\"越权局\",\"kind\":\"department\",\"parent_id\":%lld}", county), NULL, &r);
    assert_int_equal(r.status == 400 || r.status == 403, 1);
    resp_free(&r);
    /* ... nor change their own township, nor another township's office (hidden: 404). */
    req(&srv, &ss[XW_ADMIN], "PATCH", fmt("/api/v1/org-units/%lld", xw), "{\"name\":\"改名\"}",
        (const char *const[]){"If-Match: \"1\"", NULL}, &r);
    assert_problem(&r, 403, "forbidden");
    resp_free(&r);
    req(&srv, &ss[XW_ADMIN], "PATCH",
        fmt("/api/v1/org-units/%lld", org_id("西田各庄镇便民服务中心")), "{\"name\":\"改名\"}",
        (const char *const[]){"If-Match: \"1\"", NULL}, &r);
    assert_problem(&r, 404, "not_found");
    resp_free(&r);
    /* Roles without org write rights. */
    for (int i = 0; i < N_ROLES; i++) {
        if (i == ADMIN || i == XT_ADMIN || i == XW_ADMIN)
            continue;
        req(&srv, &ss[i], "POST", "/api/v1/org-units",
            fmt("{\"name\":\"某办公室\",\"kind\":\"office\",\"parent_id\":%lld}", xt), NULL, &r);
        assert_problem(&r, 403, "forbidden");
        resp_free(&r);
    }
    assert_int_equal(audit_top(), before);
}

static void
test_org_update(void **state)
{
    long long id = org_id("党政办公室"), xw_social;
    struct resp r;
    long long v;
    (void)state;
    assert_int_equal(req(&srv, &ss[ADMIN], "GET", fmt("/api/v1/org-units/%lld", id), NULL, NULL, &r),
                     200);
    v = jint(r.json, "version");
    resp_free(&r);
    /* No If-Match: refused. Stale: 412. */
    req(&srv, &ss[ADMIN], "PATCH", fmt("/api/v1/org-units/%lld", id), "{\"name\":\"综合办公室\"}",
        NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    resp_free(&r);
    req(&srv, &ss[ADMIN], "PATCH", fmt("/api/v1/org-units/%lld", id), "{\"name\":\"综合办公室\"}",
        (const char *const[]){fmt("If-Match: \"%lld\"", v + 5), NULL}, &r);
    assert_problem(&r, 412, "precondition_failed");
    resp_free(&r);
    req(&srv, &ss[ADMIN], "PATCH", fmt("/api/v1/org-units/%lld", id), "{\"kind\":\"station\"}",
        (const char *const[]){fmt("If-Match: \"%lld\"", v), NULL}, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "kind"));
    resp_free(&r);
    req(&srv, &ss[XT_ADMIN], "PATCH", fmt("/api/v1/org-units/%lld", id), "{\"name\":\"综合办公室\"}",
        (const char *const[]){fmt("If-Match: \"%lld\"", v), NULL}, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(r.json, "name"), "综合办公室");
    assert_int_equal(jint(r.json, "version"), v + 1);
    resp_free(&r);
    /* The same stale version again loses. */
    req(&srv, &ss[ADMIN], "PATCH", fmt("/api/v1/org-units/%lld", id), "{\"name\":\"党政办\"}",
        (const char *const[]){fmt("If-Match: \"%lld\"", v), NULL}, &r);
    assert_problem(&r, 412, "precondition_failed");
    resp_free(&r);
    /* Moving a township under one of its own units would make a cycle. */
    xw_social = org_id("溪翁庄镇");
    (void)xw_social;
    req(&srv, &ss[ADMIN], "PATCH", fmt("/api/v1/org-units/%lld", org_id("西田各庄镇")),
        fmt("{\"parent_id\":%lld}", id), (const char *const[]){"If-Match: \"1\"", NULL}, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "parent_id"));
    resp_free(&r);
    /* The audit records what changed. */
    assert_int_equal(req(&srv, &ss[AUDITOR], "GET", "/api/v1/audit?limit=5", NULL, NULL, &r), 200);
    assert_string_equal(jstr(r.json, "items.0.action"), "org_unit.update");
    assert_string_equal(jstr(r.json, "items.0.actor"), "xtgz_admin");
    assert_string_equal(jstr(r.json, "items.0.detail.name.1"), "综合办公室");
    resp_free(&r);
}

/* ---- users ---- */

static void
test_users_matrix(void **state)
{
    struct resp r;
    (void)state;
    for (int i = 0; i < N_ROLES; i++) {
        long want = (i == ADMIN || i == XT_ADMIN || i == XW_ADMIN) ? 200 : 403;
        req(&srv, &ss[i], "GET", "/api/v1/users", NULL, NULL, &r);
        if (want == 403)
            assert_problem(&r, 403, "forbidden");
        assert_int_equal(r.status, want);
        resp_free(&r);
    }
    /* A township administrator sees only their township's staff. */
    assert_int_equal(req(&srv, &ss[XT_ADMIN], "GET", "/api/v1/users", NULL, NULL, &r), 200);
    {
        json_t *e;
        size_t i;
        json_array_foreach(json_object_get(r.json, "items"), i, e) {
            assert_true(strncmp(jstr(e, "username"), "xtgz_", 5) == 0);
        }
        assert_true(json_array_size(json_object_get(r.json, "items")) >= 4);
    }
    resp_free(&r);
    req(&srv, &ss[XT_ADMIN], "GET", fmt("/api/v1/users/%lld", user_id("xwz_clerk", NULL)), NULL,
        NULL, &r);
    assert_problem(&r, 404, "not_found");
    resp_free(&r);
}

static void
test_users_pagination(void **state)
{
    struct resp r;
    char cursor[32];
    long long first;
    (void)state;
    assert_int_equal(req(&srv, &ss[ADMIN], "GET", "/api/v1/users?limit=3", NULL, NULL, &r), 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 3);
    first = jint(r.json, "items.0.id");
    snprintf(cursor, sizeof(cursor), "%s", jstr(r.json, "next_cursor"));
    assert_true(cursor[0] != '\0');
    resp_free(&r);
    assert_int_equal(req(&srv, &ss[ADMIN], "GET", fmt("/api/v1/users?limit=3&cursor=%s", cursor),
                         NULL, NULL, &r),
                     200);
    assert_true(jint(r.json, "items.0.id") > first + 2);
    resp_free(&r);
    req(&srv, &ss[ADMIN], "GET", "/api/v1/users?limit=0", NULL, NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "limit"));
    resp_free(&r);
    req(&srv, &ss[ADMIN], "GET", "/api/v1/users?cursor=abc", NULL, NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    resp_free(&r);
}

static void
test_users_create_and_rules(void **state)
{
    long long center = org_id("西田各庄镇便民服务中心"), xw_center = org_id("溪翁庄镇便民服务中心");
    long long before;
    struct session s2;
    struct resp r;
    (void)state;
    req(&srv, &ss[XT_ADMIN], "POST", "/api/v1/users",
        fmt("{\"username\":\"xtgz_clerk2\",\"password\":\"Window2026a\",\"display_name\":\"钱红\","
            "\"roles\":[\"clerk\"],\"org_unit_id\":%lld,\"phone\":\"13800138000\"}", center),
        NULL, &r);
    assert_int_equal(r.status, 201);
    assert_string_equal(jstr(r.json, "display_name"), "钱红");
    assert_null(json_object_get(r.json, "password"));
    assert_null(json_object_get(r.json, "password_hash"));
    resp_free(&r);
    assert_int_equal(login(&srv, &s2, "xtgz_clerk2", "Window2026a"), 200);

    before = audit_top();
    /* Duplicate user name. */
    req(&srv, &ss[ADMIN], "POST", "/api/v1/users",
        fmt("{\"username\":\"xtgz_clerk2\",\"password\":\"Window2026a\",\"display_name\":\"钱红\","
            "\"roles\":[\"clerk\"],\"org_unit_id\":%lld}", center),
        NULL, &r);
    assert_problem(&r, 409, "conflict");
    assert_true(has_field_error(&r, "username"));
    resp_free(&r);
    /* A township administrator cannot grant county roles or place staff elsewhere. */
    req(&srv, &ss[XT_ADMIN], "POST", "/api/v1/users",
        fmt("{\"username\":\"sneaky\",\"password\":\"Window2026a\",\"display_name\":\"某\","
            "\"roles\":[\"county_admin\"],\"org_unit_id\":%lld}", center),
        NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "roles"));
    resp_free(&r);
    req(&srv, &ss[XT_ADMIN], "POST", "/api/v1/users",
        fmt("{\"username\":\"sneaky\",\"password\":\"Window2026a\",\"display_name\":\"某\","
            "\"roles\":[\"clerk\"],\"org_unit_id\":%lld}", xw_center),
        NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "org_unit_id"));
    resp_free(&r);
    /* Weak password, bad user name, unknown role, bad phone, citizen with a unit. */
    req(&srv, &ss[ADMIN], "POST", "/api/v1/users",
        fmt("{\"username\":\"9bad\",\"password\":\"short\",\"display_name\":\"某\","
            "\"roles\":[\"wizard\"],\"org_unit_id\":%lld,\"phone\":\"12345\"}", center),
        NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "username"));
    assert_true(has_field_error(&r, "password"));
    assert_true(has_field_error(&r, "roles"));
    assert_true(has_field_error(&r, "phone"));
    resp_free(&r);
    req(&srv, &ss[ADMIN], "POST", "/api/v1/users",
        fmt("{\"username\":\"citizen2\",\"password\":\"Citizen2026\",\"display_name\":\"某\","
            "\"roles\":[\"citizen\"],\"org_unit_id\":%lld}", center),
        NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "org_unit_id"));
    resp_free(&r);
    assert_int_equal(audit_top(), before);
}

static void
test_users_update(void **state)
{
    long long v, id = user_id("xtgz_clerk2", &v);
    struct session s2;
    struct resp r;
    (void)state;
    assert_int_equal(login(&srv, &s2, "xtgz_clerk2", "Window2026a"), 200);
    /* Stale version. */
    req(&srv, &ss[XT_ADMIN], "PATCH", fmt("/api/v1/users/%lld", id), "{\"display_name\":\"钱红红\"}",
        (const char *const[]){fmt("If-Match: \"%lld\"", v + 1), NULL}, &r);
    assert_problem(&r, 412, "precondition_failed");
    resp_free(&r);
    /* Rename keeps the session; a password reset ends it. */
    req(&srv, &ss[XT_ADMIN], "PATCH", fmt("/api/v1/users/%lld", id), "{\"display_name\":\"钱红红\"}",
        (const char *const[]){fmt("If-Match: \"%lld\"", v), NULL}, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(r.json, "display_name"), "钱红红");
    v = jint(r.json, "version");
    resp_free(&r);
    assert_int_equal(req(&srv, &s2, "GET", "/api/v1/me", NULL, NULL, &r), 200);
    resp_free(&r);
    req(&srv, &ss[XT_ADMIN], "PATCH", fmt("/api/v1/users/%lld", id), "{\"password\":\"NewPass2026\"}",
        (const char *const[]){fmt("If-Match: \"%lld\"", v), NULL}, &r);
    assert_int_equal(r.status, 200);
    v = jint(r.json, "version");
    resp_free(&r);
    req(&srv, &s2, "GET", "/api/v1/me", NULL, NULL, &r);
    assert_problem(&r, 401, "unauthenticated");
    resp_free(&r);
    assert_int_equal(login(&srv, &s2, "xtgz_clerk2", "Window2026a"), 401);
    assert_int_equal(login(&srv, &s2, "xtgz_clerk2", "NewPass2026"), 200);
    /* Deactivation ends sessions and blocks log-in. */
    req(&srv, &ss[ADMIN], "PATCH", fmt("/api/v1/users/%lld", id), "{\"is_active\":false}",
        (const char *const[]){fmt("If-Match: \"%lld\"", v), NULL}, &r);
    assert_int_equal(r.status, 200);
    assert_false(json_is_true(json_object_get(r.json, "is_active")));
    resp_free(&r);
    req(&srv, &s2, "GET", "/api/v1/me", NULL, NULL, &r);
    assert_problem(&r, 401, "unauthenticated");
    resp_free(&r);
    assert_int_equal(login(&srv, &s2, "xtgz_clerk2", "NewPass2026"), 401);
    /* Nobody demotes or deactivates themselves. */
    id = user_id("admin", &v);
    req(&srv, &ss[ADMIN], "PATCH", fmt("/api/v1/users/%lld", id), "{\"roles\":[\"clerk\"]}",
        (const char *const[]){fmt("If-Match: \"%lld\"", v), NULL}, &r);
    assert_problem(&r, 400, "validation_failed");
    resp_free(&r);
    /* A township administrator cannot touch the county administrator (outside scope: 404). */
    req(&srv, &ss[XT_ADMIN], "PATCH", fmt("/api/v1/users/%lld", id), "{\"display_name\":\"x\"}",
        (const char *const[]){fmt("If-Match: \"%lld\"", v), NULL}, &r);
    assert_problem(&r, 404, "not_found");
    resp_free(&r);
}

static void
test_change_own_password(void **state)
{
    struct session s2;
    struct resp r;
    (void)state;
    assert_int_equal(login(&srv, &s2, "xwz_clerk", PW), 200);
    req(&srv, &s2, "POST", "/api/v1/me/password",
        "{\"old_password\":\"wrong\",\"new_password\":\"Another2026\"}", NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "old_password"));
    resp_free(&r);
    req(&srv, &s2, "POST", "/api/v1/me/password",
        "{\"old_password\":\"" PW "\",\"new_password\":\"abc\"}", NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "new_password"));
    resp_free(&r);
    req(&srv, &s2, "POST", "/api/v1/me/password",
        "{\"old_password\":\"" PW "\",\"new_password\":\"Another2026\"}", NULL, &r);
    assert_int_equal(r.status, 204);
    resp_free(&r);
    assert_int_equal(login(&srv, &s2, "xwz_clerk", PW), 401);
    assert_int_equal(login(&srv, &ss[XW_CLERK], "xwz_clerk", "Another2026"), 200);
}

static void
test_logout(void **state)
{
    struct session s2;
    struct resp r;
    (void)state;
    assert_int_equal(login(&srv, &s2, "xtgz_handler", PW), 200);
    assert_int_equal(req(&srv, &s2, "DELETE", "/api/v1/session", NULL, NULL, &r), 204);
    assert_non_null(strstr(r.set_cookie, "Max-Age=0"));
    resp_free(&r);
    req(&srv, &s2, "GET", "/api/v1/me", NULL, NULL, &r);
    assert_problem(&r, 401, "unauthenticated");
    resp_free(&r);
    /* The other session of the same user is untouched. */
    assert_int_equal(req(&srv, &ss[XT_HANDLER], "GET", "/api/v1/me", NULL, NULL, &r), 200);
    resp_free(&r);
}

/* ---- API tokens ---- */

static void
test_api_tokens(void **state)
{
    long long uid = user_id("rsj_handler", NULL), tid;
    struct session bearer;
    struct resp r;
    (void)state;
    for (int i = 0; i < N_ROLES; i++) {
        if (i == ADMIN)
            continue;
        req(&srv, &ss[i], "GET", "/api/v1/api-tokens", NULL, NULL, &r);
        assert_problem(&r, 403, "forbidden");
        resp_free(&r);
    }
    req(&srv, &ss[ADMIN], "POST", "/api/v1/api-tokens",
        fmt("{\"name\":\"12345热线对接\",\"user_id\":%lld,\"expires_in_days\":30}", uid), NULL, &r);
    assert_int_equal(r.status, 201);
    memset(&bearer, 0, sizeof(bearer));
    snprintf(bearer.bearer, sizeof(bearer.bearer), "%s", jstr(r.json, "token"));
    assert_true(strlen(bearer.bearer) >= 40);
    tid = jint(r.json, "id");
    resp_free(&r);
    /* The token acts as its user; no CSRF token is needed with a bearer token. */
    assert_int_equal(req(&srv, &bearer, "GET", "/api/v1/me", NULL, NULL, &r), 200);
    assert_string_equal(jstr(r.json, "user.username"), "rsj_handler");
    resp_free(&r);
    req(&srv, &bearer, "POST", "/api/v1/org-units", "{}", NULL, &r);
    assert_problem(&r, 403, "forbidden"); /* a handler's rights, not an admin's */
    resp_free(&r);
    /* Listed without the secret. */
    assert_int_equal(req(&srv, &ss[ADMIN], "GET", "/api/v1/api-tokens", NULL, NULL, &r), 200);
    assert_string_equal(jstr(r.json, "items.0.name"), "12345热线对接");
    assert_null(json_object_get(jget(r.json, "items.0"), "token"));
    resp_free(&r);
    /* Revoked: refused at once. */
    assert_int_equal(req(&srv, &ss[ADMIN], "DELETE", fmt("/api/v1/api-tokens/%lld", tid), NULL,
                         NULL, &r),
                     204);
    resp_free(&r);
    req(&srv, &bearer, "GET", "/api/v1/me", NULL, NULL, &r);
    assert_problem(&r, 401, "unauthenticated");
    resp_free(&r);
    req(&srv, &ss[ADMIN], "DELETE", fmt("/api/v1/api-tokens/%lld", tid), NULL, NULL, &r);
    assert_problem(&r, 409, "conflict");
    resp_free(&r);
    req(&srv, &ss[ADMIN], "POST", "/api/v1/api-tokens", fmt("{\"name\":\"\",\"user_id\":%lld}", uid),
        NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "name"));
    resp_free(&r);
    req(&srv, &ss[ADMIN], "POST", "/api/v1/api-tokens", "{\"name\":\"x\",\"user_id\":99999}", NULL,
        &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "user_id"));
    resp_free(&r);
}

/* ---- audit ---- */

static void
test_audit_read_and_verify(void **state)
{
    struct resp r;
    long long top;
    (void)state;
    for (int i = 0; i < N_ROLES; i++) {
        long want = (i == ADMIN || i == AUDITOR) ? 200 : 403;
        req(&srv, &ss[i], "GET", "/api/v1/audit?limit=2", NULL, NULL, &r);
        assert_int_equal(r.status, want);
        resp_free(&r);
    }
    assert_int_equal(req(&srv, &ss[AUDITOR], "GET", "/api/v1/audit?limit=2", NULL, NULL, &r), 200);
    top = jint(r.json, "items.0.id");
    assert_int_equal(jint(r.json, "items.1.id"), top - 1);
    assert_int_equal(strlen(jstr(r.json, "items.0.hash")), 64);
    assert_true(strlen(jstr(r.json, "next_cursor")) > 0);
    resp_free(&r);
    assert_int_equal(req(&srv, &ss[AUDITOR], "GET", "/api/v1/audit/verify", NULL, NULL, &r), 200);
    assert_true(json_is_true(json_object_get(r.json, "ok")));
    assert_true(jint(r.json, "checked") >= top);
    /* The auditor's own county's chain: the demo store's county. */
    assert_string_equal(jstr(r.json, "county_code"), "110118");
    resp_free(&r);
}

/* ---- the authorization matrix: every route, every role ---- */

#define R_ALL ((1u << N_ROLES) - 1)
#define R(x) (1u << (x))
/* BM_PERM_CASE_READ and BM_PERM_CASE_ACT of src/core/access.c. */
#define R_CASE_READ                                                                            \
    (R(ADMIN) | R(XT_CLERK) | R(XT_HANDLER) | R(XT_APPROVER) | R(XT_ADMIN) | R(XW_CLERK) |      \
     R(XW_ADMIN) | R(RSJ_HANDLER) | R(SUPERVISOR) | R(AUDITOR))
#define R_CASE_ACT                                                                             \
    (R(ADMIN) | R(XT_CLERK) | R(XT_HANDLER) | R(XT_APPROVER) | R(XW_CLERK) | R(RSJ_HANDLER) |   \
     R(CITIZEN))
#define NO_CASE "11011810200020990101000001"

static void
test_authorization_matrix(void **state)
{
    /* Bodies are empty or harmless, so an allowed call fails validation instead of changing
     * data; what matters here is that the role check lets exactly these roles through. */
    static const struct {
        const char *method, *path, *body;
        unsigned allowed;
    } routes[] = {
        {"GET", "/api/v1/me", NULL, R_ALL},
        {"POST", "/api/v1/me/password", "{}", R_ALL},
        {"GET", "/api/v1/org-units", NULL, R_ALL},
        {"GET", "/api/v1/org-units/1", NULL, R_ALL},
        {"POST", "/api/v1/org-units", "{}", R(ADMIN) | R(XT_ADMIN) | R(XW_ADMIN)},
        {"PATCH", "/api/v1/org-units/1", "{}", R(ADMIN) | R(XT_ADMIN) | R(XW_ADMIN)},
        {"GET", "/api/v1/users", NULL, R(ADMIN) | R(XT_ADMIN) | R(XW_ADMIN)},
        {"POST", "/api/v1/users", "{}", R(ADMIN) | R(XT_ADMIN) | R(XW_ADMIN)},
        {"GET", "/api/v1/users/1", NULL, R(ADMIN) | R(XT_ADMIN) | R(XW_ADMIN)},
        {"PATCH", "/api/v1/users/1", "{}", R(ADMIN) | R(XT_ADMIN) | R(XW_ADMIN)},
        {"GET", "/api/v1/api-tokens", NULL, R(ADMIN)},
        {"POST", "/api/v1/api-tokens", "{}", R(ADMIN)},
        {"DELETE", "/api/v1/api-tokens/99999", NULL, R(ADMIN)},
        {"GET", "/api/v1/audit", NULL, R(ADMIN) | R(AUDITOR)},
        {"GET", "/api/v1/audit/verify", NULL, R(ADMIN) | R(AUDITOR)},
        {"GET", "/api/v1/items", NULL, R_ALL},
        {"POST", "/api/v1/items", "{}", R(ADMIN) | R(XT_ADMIN) | R(XW_ADMIN)},
        {"GET", "/api/v1/items/1", NULL, R_ALL},
        /* Item 1 is a county department's: township administrators are refused on the object. */
        {"PATCH", "/api/v1/items/1", "{}", R(ADMIN)},
        {"POST", "/api/v1/items/1/publish", NULL, R(ADMIN)},
        {"POST", "/api/v1/items/99999/retire", NULL, R(ADMIN)},
        {"GET", "/api/v1/items/1/versions", NULL, R_ALL},
        {"GET", "/api/v1/delegations", NULL, R_ALL},
        {"POST", "/api/v1/delegations", "{}", R(ADMIN)},
        {"GET", "/api/v1/delegations/1", NULL, R_ALL},
        {"POST", "/api/v1/delegations/99999/revoke", NULL, R(ADMIN)},
        {"GET", "/api/v1/powers", NULL, R_ALL},
        {"POST", "/api/v1/powers", "{}", R(ADMIN)},
        {"GET", "/api/v1/powers/1", NULL, R_ALL},
        {"PATCH", "/api/v1/powers/99999", "{}", R(ADMIN)},
        {"GET", "/api/v1/catalog/export?format=csv", NULL, R(ADMIN) | R(XT_ADMIN) | R(XW_ADMIN)},
        {"POST", "/api/v1/catalog/import", "[]", R(ADMIN)},
        /* Cases: a case number no demo case has (2099), so allowed roles get 400 or 404. */
        {"POST", "/api/v1/cases", "{}", R(XT_CLERK) | R(XW_CLERK) | R(CITIZEN)},
        {"GET", "/api/v1/cases", NULL, R_CASE_READ},
        {"GET", "/api/v1/supervision/warnings", NULL, R_CASE_READ},
        /* Supervision records: record 99999 does not exist, so allowed roles get 404. */
        {"GET", "/api/v1/supervision/records", NULL, R_CASE_READ},
        {"POST", "/api/v1/supervision/records", "{}", R(ADMIN) | R(SUPERVISOR)},
        {"GET", "/api/v1/supervision/records/99999", NULL, R_CASE_READ},
        {"POST", "/api/v1/supervision/records/99999/actions", "{}", R_CASE_READ},
        {"GET", "/api/v1/cases/" NO_CASE, NULL, R_ALL},
        {"POST", "/api/v1/cases/" NO_CASE "/actions", "{}", R_CASE_ACT},
        {"POST", "/api/v1/cases/" NO_CASE "/attachments", "{}", R_CASE_ACT},
        {"GET", "/api/v1/cases/" NO_CASE "/attachments/1", NULL, R_ALL},
        {"GET", "/api/v1/cases/" NO_CASE "/documents/receipt", NULL, R_ALL},
        /* Any log-in passes the route; the handler takes residents only. */
        {"POST", "/api/v1/public/cases", "{}", R(CITIZEN)},
        {"GET", "/api/v1/public/my-cases", NULL, R_ALL},
        {"GET", "/api/v1/public/cases/" NO_CASE "?code=000000", NULL, R_ALL},
        {"GET", "/api/v1/calendar", NULL, R_ALL},
        {"GET", "/api/v1/calendar/2026", NULL, R_ALL},
        {"PUT", "/api/v1/calendar/2026", "{}", R(ADMIN)},
        {"GET", "/api/v1/enums", NULL, R_ALL},
        {"GET", "/healthz", NULL, R_ALL},
        {"GET", "/readyz", NULL, R_ALL},
        {"GET", "/metrics", NULL, R_ALL},
    };
    long long before = audit_top();
    struct resp r;
    (void)state;
    for (size_t k = 0; k < sizeof(routes) / sizeof(routes[0]); k++) {
        for (int i = 0; i < N_ROLES; i++) {
            req(&srv, &ss[i], routes[k].method, routes[k].path, routes[k].body, NULL, &r);
            if (routes[k].allowed & R(i)) {
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
    /* The calls above changed nothing. */
    assert_int_equal(audit_top(), before);
    /* Log-out is open to every role: end each role's session (the last tests need none). */
    for (int i = 0; i < N_ROLES; i++) {
        assert_int_equal(req(&srv, &ss[i], "DELETE", "/api/v1/session", NULL, NULL, &r), 204);
        resp_free(&r);
        req(&srv, &ss[i], "GET", "/api/v1/me", NULL, NULL, &r);
        assert_problem(&r, 401, "unauthenticated");
        resp_free(&r);
    }
}

/* ---- the service catalog ---- */

/* A complete item that passes the publication rules; `code` and `name` vary per test. */
static const char *
item_body(const char *code, const char *name, long long unit)
{
    return fmt("{\"code\":\"%s\",\"name\":\"%s\",\"type\":\"public_service\","
               "\"category\":\"agriculture\",\"implementing_unit_id\":%lld,\"promised_days\":5,"
               "\"legal_days\":10,\"county_wide\":true,\"visits\":1,\"visits_reason\":\"核验原件\","
               "\"conditions\":\"本镇农户\",\"legal_basis\":\"《中华人民共和国农业法》第十条\","
               "\"consult_phone\":\"010-69041111\",\"complaint_phone\":\"12345\","
               "\"window_address\":\"西田各庄镇便民服务中心\",\"delivery_methods\":[\"window\"],"
               "\"keywords\":\"苗木 补助\",\"materials\":[{\"name\":\"居民身份证\","
               "\"source\":\"shared\"},{\"name\":\"申请表\",\"original_count\":1}]}",
               code, name, unit);
}

static long long
items_found(const char *query, const char *name)
{
    struct resp r;
    json_t *e;
    size_t i;
    long long found = 0;
    assert_int_equal(req(&srv, NULL, "GET", fmt("/api/v1/items?limit=50&q=%s", query), NULL, NULL,
                         &r),
                     200);
    json_array_foreach(json_object_get(r.json, "items"), i, e) if (strcmp(jstr(e, "name"), name) ==
                                                                   0) found = jint(e, "id");
    resp_free(&r);
    return found;
}

static void
test_catalog_search(void **state)
{
    struct resp r;
    json_t *e;
    size_t i;
    (void)state;
    /* Two characters (低保), one, and a longer phrase: the demo catalog answers them all. */
    assert_true(items_found("%E4%BD%8E%E4%BF%9D", "最低生活保障审核确认") > 0);
    assert_int_equal(req(&srv, NULL, "GET", "/api/v1/items?q=%E4%BD%8E%E4%BF%9D", NULL, NULL, &r),
                     200);
    assert_non_null(strstr(jstr(r.json, "items.0.name"), "最低生活保障"));
    resp_free(&r);
    assert_int_equal(req(&srv, NULL, "GET", "/api/v1/items?q=%E4%BF%9D", NULL, NULL, &r), 200);
    assert_true(json_array_size(json_object_get(r.json, "items")) > 0);
    resp_free(&r);
    assert_int_equal(req(&srv, NULL, "GET",
                         "/api/v1/items?q=%E5%85%BB%E8%80%81%E4%BF%9D%E9%99%A9", NULL, NULL, &r),
                     200);
    assert_non_null(strstr(jstr(r.json, "items.0.name"), "养老保险"));
    resp_free(&r);
    /* Filters. */
    assert_int_equal(req(&srv, NULL, "GET", "/api/v1/items?category=education&limit=100", NULL,
                         NULL, &r),
                     200);
    assert_true(json_array_size(json_object_get(r.json, "items")) >= 3);
    json_array_foreach(json_object_get(r.json, "items"), i, e)
        assert_string_equal(jstr(e, "category"), "education");
    resp_free(&r);
    assert_int_equal(req(&srv, NULL, "GET", "/api/v1/items?online=true&limit=100", NULL, NULL, &r),
                     200);
    json_array_foreach(json_object_get(r.json, "items"), i, e) assert_true(jint(e, "online_depth") > 0);
    resp_free(&r);
    assert_int_equal(req(&srv, NULL, "GET", "/api/v1/items?object=legal_person&limit=100", NULL,
                         NULL, &r),
                     200);
    json_array_foreach(json_object_get(r.json, "items"), i, e) {
        json_t *objs = json_object_get(e, "service_objects"), *o;
        size_t k;
        bool legal = false;
        json_array_foreach(objs, k, o) legal |= strcmp(json_string_value(o), "legal_person") == 0;
        assert_true(legal);
    }
    resp_free(&r);
    /* Pages by offset, and bad filters. */
    assert_int_equal(req(&srv, NULL, "GET", "/api/v1/items?limit=5", NULL, NULL, &r), 200);
    assert_string_equal(jstr(r.json, "next_cursor"), "5");
    resp_free(&r);
    req(&srv, NULL, "GET", "/api/v1/items?category=astrology", NULL, NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "category"));
    resp_free(&r);
    req(&srv, NULL, "GET", "/api/v1/items?status=draft", NULL, NULL, &r);
    assert_problem(&r, 401, "unauthenticated");
    resp_free(&r);
}

static void
test_items_lifecycle(void **state)
{
    long long unit = org_id("北京市密云区农业农村局"), id, id2;
    struct resp r;
    (void)state;
    req(&srv, &ss[ADMIN], "POST", "/api/v1/items", item_body("TEST-LC-1", "林果苗木补助申请测试", unit),
        NULL, &r);
    assert_int_equal(r.status, 201);
    assert_string_equal(jstr(r.json, "status"), "draft");
    assert_int_equal(jint(r.json, "item_version"), 1);
    assert_int_equal(jint(r.json, "version"), 1);
    assert_string_equal(jstr(r.json, "materials.0.source"), "shared");
    id = jint(r.json, "id");
    resp_free(&r);
    /* A draft is nobody's business but its editors'. */
    req(&srv, NULL, "GET", fmt("/api/v1/items/%lld", id), NULL, NULL, &r);
    assert_problem(&r, 404, "not_found");
    resp_free(&r);
    assert_int_equal(items_found("%E8%8B%97%E6%9C%A8", "林果苗木补助申请测试"), 0);
    /* Published: found by a two-character fragment of its name (苗木). */
    req(&srv, &ss[ADMIN], "POST", fmt("/api/v1/items/%lld/publish", id), NULL,
        (const char *const[]){"If-Match: \"1\"", NULL}, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(r.json, "status"), "published");
    resp_free(&r);
    assert_int_equal(items_found("%E8%8B%97%E6%9C%A8", "林果苗木补助申请测试"), id);
    assert_int_equal(items_found("%E8%A1%A5%E5%8A%A9%E7%94%B3%E8%AF%B7", "林果苗木补助申请测试"), id);
    /* Editing the published item makes version 2 as a new draft; version 1 stays public. */
    req(&srv, &ss[ADMIN], "PATCH", fmt("/api/v1/items/%lld", id), "{\"promised_days\":3}",
        (const char *const[]){"If-Match: \"2\"", NULL}, &r);
    assert_int_equal(r.status, 201);
    assert_int_equal(jint(r.json, "item_version"), 2);
    assert_string_equal(jstr(r.json, "status"), "draft");
    id2 = jint(r.json, "id");
    assert_true(id2 != id);
    resp_free(&r);
    req(&srv, &ss[ADMIN], "PATCH", fmt("/api/v1/items/%lld", id), "{\"promised_days\":4}",
        (const char *const[]){"If-Match: \"2\"", NULL}, &r);
    assert_problem(&r, 409, "conflict"); /* one draft at a time */
    resp_free(&r);
    assert_int_equal(req(&srv, NULL, "GET", fmt("/api/v1/items/%lld", id), NULL, NULL, &r), 200);
    assert_int_equal(jint(r.json, "promised_days"), 5);
    resp_free(&r);
    req(&srv, &ss[ADMIN], "POST", fmt("/api/v1/items/%lld/publish", id2), NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    /* The old version is superseded but still shows what a case accepted under it used. */
    assert_int_equal(req(&srv, NULL, "GET", fmt("/api/v1/items/%lld", id), NULL, NULL, &r), 200);
    assert_string_equal(jstr(r.json, "status"), "superseded");
    assert_int_equal(jint(r.json, "promised_days"), 5);
    resp_free(&r);
    assert_int_equal(items_found("%E8%8B%97%E6%9C%A8", "林果苗木补助申请测试"), id2);
    assert_int_equal(req(&srv, NULL, "GET", fmt("/api/v1/items/%lld/versions", id), NULL, NULL, &r),
                     200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2);
    assert_int_equal(jint(r.json, "items.0.item_version"), 2);
    resp_free(&r);
    /* Retired: gone from search, still readable. */
    req(&srv, &ss[ADMIN], "POST", fmt("/api/v1/items/%lld/retire", id2), NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(r.json, "status"), "retired");
    resp_free(&r);
    assert_int_equal(items_found("%E8%8B%97%E6%9C%A8", "林果苗木补助申请测试"), 0);
    assert_int_equal(req(&srv, NULL, "GET", fmt("/api/v1/items/%lld", id2), NULL, NULL, &r), 200);
    resp_free(&r);
    req(&srv, &ss[ADMIN], "PATCH", fmt("/api/v1/items/%lld", id2), "{\"promised_days\":4}",
        (const char *const[]){fmt("If-Match: \"%d\"", 3), NULL}, &r);
    assert_problem(&r, 409, "illegal_transition");
    resp_free(&r);
}

static void
test_items_bad_input(void **state)
{
    long long unit = org_id("北京市密云区农业农村局"), before, id;
    struct resp r;
    (void)state;
    req(&srv, &ss[ADMIN], "POST", "/api/v1/items", item_body("TEST-BAD-1", "草稿事项测试", unit), NULL,
        &r);
    assert_int_equal(r.status, 201);
    id = jint(r.json, "id");
    resp_free(&r);
    before = audit_top();
    req(&srv, &ss[ADMIN], "POST", "/api/v1/items", "{\"name\":\"缺字段\"}", NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "code"));
    assert_true(has_field_error(&r, "category"));
    assert_true(has_field_error(&r, "promised_days"));
    resp_free(&r);
    req(&srv, &ss[ADMIN], "POST", "/api/v1/items",
        fmt("{\"code\":\"X-1\",\"name\":\"时限错误\",\"type\":\"permit\",\"category\":\"astrology\","
            "\"implementing_unit_id\":%lld,\"promised_days\":30,\"legal_days\":20}", unit),
        NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "category"));
    resp_free(&r);
    req(&srv, &ss[ADMIN], "POST", "/api/v1/items",
        fmt("{\"code\":\"X-1\",\"name\":\"时限错误\",\"type\":\"permit\",\"category\":\"health\","
            "\"implementing_unit_id\":%lld,\"promised_days\":30,\"legal_days\":20,\"colour\":1}",
            unit),
        NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "colour"));
    resp_free(&r);
    req(&srv, &ss[ADMIN], "POST", "/api/v1/items",
        fmt("{\"code\":\"X-1\",\"name\":\"时限错误\",\"type\":\"permit\",\"category\":\"health\","
            "\"implementing_unit_id\":%lld,\"promised_days\":30,\"legal_days\":20}", unit),
        NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "promised_days"));
    resp_free(&r);
    req(&srv, &ss[ADMIN], "POST", "/api/v1/items", item_body("TEST-BAD-1", "重复编码", unit), NULL,
        &r);
    assert_problem(&r, 409, "conflict");
    assert_true(has_field_error(&r, "code"));
    resp_free(&r);
    /* A draft that breaks a publication rule cannot be published. */
    req(&srv, &ss[ADMIN], "PATCH", fmt("/api/v1/items/%lld", id), "{\"promised_days\":6}", NULL, &r);
    assert_problem(&r, 400, "validation_failed"); /* no If-Match */
    resp_free(&r);
    req(&srv, &ss[ADMIN], "PATCH", fmt("/api/v1/items/%lld", id), "{\"promised_days\":6}",
        (const char *const[]){"If-Match: \"7\"", NULL}, &r);
    assert_problem(&r, 412, "precondition_failed");
    resp_free(&r);
    req(&srv, &ss[ADMIN], "POST", fmt("/api/v1/items/%lld/retire", id), NULL, NULL, &r);
    assert_problem(&r, 409, "illegal_transition");
    resp_free(&r);
    assert_int_equal(audit_top(), before);
    req(&srv, &ss[ADMIN], "PATCH", fmt("/api/v1/items/%lld", id),
        "{\"consult_phone\":\"12345678\",\"visits_reason\":\"\"}",
        (const char *const[]){"If-Match: \"1\"", NULL}, &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    before = audit_top();
    req(&srv, &ss[ADMIN], "POST", fmt("/api/v1/items/%lld/publish", id), NULL, NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "consult_phone"));
    assert_true(has_field_error(&r, "visits_reason"));
    resp_free(&r);
    assert_int_equal(audit_top(), before);
}

static void
test_items_scope(void **state)
{
    long long office = 0, dept = org_id("北京市密云区民政局"), id;
    struct resp r;
    json_t *e;
    size_t i;
    (void)state;
    /* 西田各庄镇's 社会事务办公室 (the first one in the tree is 溪翁庄镇's or 西田各庄镇's). */
    assert_int_equal(req(&srv, &ss[XT_ADMIN], "GET", "/api/v1/org-units?flat=true", NULL, NULL, &r),
                     200);
    json_array_foreach(json_object_get(r.json, "items"), i, e) {
        if (strcmp(jstr(e, "name"), "社会事务办公室") == 0 && jint(e, "parent_id") == org_id("西田各庄镇"))
            office = jint(e, "id");
    }
    resp_free(&r);
    assert_true(office > 0);
    /* A township administrator drafts for their own township, not for a county department. */
    req(&srv, &ss[XT_ADMIN], "POST", "/api/v1/items", item_body("TEST-XT-1", "西田各庄镇自拟事项", office),
        NULL, &r);
    assert_int_equal(r.status, 201);
    id = jint(r.json, "id");
    resp_free(&r);
    req(&srv, &ss[XT_ADMIN], "POST", "/api/v1/items", item_body("TEST-XT-2", "越权事项", dept), NULL,
        &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "implementing_unit_id"));
    resp_free(&r);
    /* Only the county publishes. */
    req(&srv, &ss[XT_ADMIN], "POST", fmt("/api/v1/items/%lld/publish", id), NULL, NULL, &r);
    assert_problem(&r, 403, "forbidden");
    resp_free(&r);
    /* Drafts are listed for their township only. */
    assert_int_equal(req(&srv, &ss[XT_ADMIN], "GET", "/api/v1/items?status=draft", NULL, NULL, &r),
                     200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    assert_string_equal(jstr(r.json, "items.0.code"), "TEST-XT-1");
    resp_free(&r);
    assert_int_equal(req(&srv, &ss[XW_ADMIN], "GET", "/api/v1/items?status=draft", NULL, NULL, &r),
                     200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
    resp_free(&r);
    req(&srv, &ss[XW_ADMIN], "GET", fmt("/api/v1/items/%lld", id), NULL, NULL, &r);
    assert_problem(&r, 404, "not_found");
    resp_free(&r);
    req(&srv, &ss[XT_CLERK], "GET", "/api/v1/items?status=draft", NULL, NULL, &r);
    assert_problem(&r, 403, "forbidden");
    resp_free(&r);
}

static void
test_delegations_and_powers(void **state)
{
    long long xt = org_id("西田各庄镇"), xw = org_id("溪翁庄镇"), dept = org_id("北京市密云区农业农村局"),
              did, pid, before;
    struct resp r;
    (void)state;
    assert_int_equal(req(&srv, NULL, "GET", "/api/v1/delegations", NULL, NULL, &r), 200);
    assert_true(json_array_size(json_object_get(r.json, "items")) >= 5);
    resp_free(&r);
    assert_int_equal(req(&srv, NULL, "GET", fmt("/api/v1/powers?township_id=%lld", xt), NULL, NULL,
                         &r),
                     200);
    assert_true(json_array_size(json_object_get(r.json, "items")) >= 12);
    assert_true(json_array_size(jget(r.json, "items.0.responsibilities")) >= 3);
    resp_free(&r);

    before = audit_top();
    req(&srv, &ss[ADMIN], "POST", "/api/v1/delegations",
        fmt("{\"name\":\"测试下放事项\",\"from_unit_id\":%lld,\"township_ids\":[%lld,%lld],"
            "\"legal_basis\":\"《测试条例》第一条\",\"approval_document\":\"密政发〔2026〕1号\","
            "\"approval_date\":\"2026-02-30\"}", dept, xt, xw),
        NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "approval_date"));
    resp_free(&r);
    req(&srv, &ss[ADMIN], "POST", "/api/v1/delegations",
        fmt("{\"name\":\"测试下放事项\",\"from_unit_id\":%lld,\"township_ids\":[%lld],"
            "\"legal_basis\":\"《测试条例》第一条\",\"approval_document\":\"密政发〔2026〕1号\","
            "\"approval_date\":\"2026-03-02\"}", xt, xt),
        NULL, &r);
    assert_problem(&r, 400, "validation_failed"); /* a township does not delegate */
    resp_free(&r);
    assert_int_equal(audit_top(), before);
    req(&srv, &ss[ADMIN], "POST", "/api/v1/delegations",
        fmt("{\"name\":\"测试下放事项\",\"from_unit_id\":%lld,\"township_ids\":[%lld,%lld],"
            "\"legal_basis\":\"《测试条例》第一条\",\"approval_document\":\"密政发〔2026〕1号\","
            "\"approval_date\":\"2026-03-02\"}", dept, xt, xw),
        NULL, &r);
    assert_int_equal(r.status, 201);
    assert_int_equal(json_array_size(json_object_get(r.json, "townships")), 2);
    did = jint(r.json, "id");
    resp_free(&r);
    req(&srv, &ss[ADMIN], "POST", fmt("/api/v1/delegations/%lld/revoke", did), NULL, NULL, &r);
    assert_problem(&r, 400, "validation_failed"); /* If-Match required */
    resp_free(&r);
    req(&srv, &ss[ADMIN], "POST", fmt("/api/v1/delegations/%lld/revoke", did), NULL,
        (const char *const[]){"If-Match: \"1\"", NULL}, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(r.json, "status"), "revoked");
    resp_free(&r);
    req(&srv, &ss[ADMIN], "POST", fmt("/api/v1/delegations/%lld/revoke", did), NULL,
        (const char *const[]){"If-Match: \"2\"", NULL}, &r);
    assert_problem(&r, 409, "illegal_transition");
    resp_free(&r);

    req(&srv, &ss[ADMIN], "POST", "/api/v1/powers",
        fmt("{\"township_id\":%lld,\"name\":\"测试权力\",\"type\":\"inspection\","
            "\"legal_basis\":\"《测试法》第二条\",\"responsibilities\":[\"不是对象\"],"
            "\"accountability\":[]}", xt),
        NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "responsibilities"));
    resp_free(&r);
    req(&srv, &ss[ADMIN], "POST", "/api/v1/powers",
        fmt("{\"township_id\":%lld,\"name\":\"测试权力\",\"type\":\"inspection\","
            "\"legal_basis\":\"《测试法》第二条\",\"responsibilities\":[{\"stage\":\"检查责任\","
            "\"duty\":\"依法检查\"}],\"accountability\":[\"不依法检查的\"]}", xt),
        NULL, &r);
    assert_int_equal(r.status, 201);
    pid = jint(r.json, "id");
    assert_string_equal(jstr(r.json, "responsibilities.0.stage"), "检查责任");
    resp_free(&r);
    req(&srv, &ss[ADMIN], "PATCH", fmt("/api/v1/powers/%lld", pid),
        "{\"name\":\"测试权力（修订）\",\"type\":\"inspection\",\"legal_basis\":\"《测试法》第二条\","
        "\"responsibilities\":[{\"stage\":\"检查责任\",\"duty\":\"依法检查\"}],"
        "\"accountability\":[]}",
        (const char *const[]){"If-Match: \"1\"", NULL}, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(jint(r.json, "version"), 2);
    resp_free(&r);
    req(&srv, &ss[ADMIN], "PATCH", fmt("/api/v1/powers/%lld", pid),
        "{\"name\":\"x过期\",\"type\":\"inspection\",\"legal_basis\":\"《测试法》第二条\","
        "\"responsibilities\":[{\"stage\":\"检查责任\",\"duty\":\"依法检查\"}],\"accountability\":[]}",
        (const char *const[]){"If-Match: \"1\"", NULL}, &r);
    assert_problem(&r, 412, "precondition_failed");
    resp_free(&r);
}

static void
test_catalog_export(void **state)
{
    struct resp r;
    (void)state;
    assert_int_equal(req(&srv, &ss[ADMIN], "GET", "/api/v1/catalog/export?format=csv", NULL, NULL,
                         &r),
                     200);
    assert_string_equal(r.content_type, "text/csv; charset=utf-8");
    assert_int_equal(memcmp(r.body, "\xef\xbb\xbf\"事项编码\"", 16), 0);
    assert_non_null(strstr(r.body, "最低生活保障审核确认"));
    resp_free(&r);
    assert_int_equal(req(&srv, &ss[ADMIN], "GET", "/api/v1/catalog/export?format=xlsx", NULL, NULL,
                         &r),
                     200);
    assert_int_equal(memcmp(r.body, "PK", 2), 0);
    resp_free(&r);
    assert_int_equal(req(&srv, &ss[XT_ADMIN], "GET", "/api/v1/catalog/export", NULL, NULL, &r), 200);
    assert_true(json_array_size(json_object_get(r.json, "items")) >= 100);
    assert_true(json_array_size(json_object_get(r.json, "powers")) >= 12);
    resp_free(&r);
    req(&srv, &ss[ADMIN], "GET", "/api/v1/catalog/export?format=pdf", NULL, NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    resp_free(&r);
}

/* POST /api/v1/catalog/import: the file as the body; all or nothing; county administrators. */
static void
test_catalog_import(void **state)
{
#define IMP_ITEM(code, name)                                                                       \
    "{\"code\": \"" code "\", \"name\": \"" name "\", \"type\": \"public_service\", "              \
    "\"category\": \"agriculture\", \"implementing_unit\": \"北京市密云区民政局\", "               \
    "\"promised_days\": 5, \"legal_days\": 10, \"visits\": 1, \"visits_reason\": \"核验原件\", "   \
    "\"conditions\": \"本区居民\", \"legal_basis\": \"《测试办法》第一条\", "                      \
    "\"consult_phone\": \"010-69041111\", \"complaint_phone\": \"12345\", "                        \
    "\"window_address\": \"区政务服务中心\", \"delivery_methods\": [\"window\"], "                 \
    "\"materials\": [{\"name\": \"居民身份证\"}]}"
    const char *good = "{\"items\": [" IMP_ITEM("TEST-IMP-1", "导入测试补助申请") "]}";
    const char *bad = "{\"items\": [" IMP_ITEM("TEST-IMP-2", "导入测试另一事项") ", "
                      "{\"code\": \"TEST-IMP-3\", \"name\": \"x\", \"implementing_unit\": "
                      "\"没有这个单位\"}]}";
    const char *json_type[] = {"Content-Type: application/json", NULL};
    long long before = audit_top();
    struct resp r, x;
    (void)state;

    /* A bad record refuses the whole file, each problem named in Chinese. */
    req(&srv, &ss[ADMIN], "POST", "/api/v1/catalog/import", bad, json_type, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_non_null(strstr(jstr(r.json, "detail"), "未导入任何数据"));
    assert_true(has_field_error(&r, "file"));
    assert_non_null(strstr(r.body, "找不到该实施主体"));
    resp_free(&r);
    assert_int_equal(audit_top(), before);
    assert_int_equal(req(&srv, NULL, "GET", "/api/v1/items?q=导入测试另一事项", NULL, NULL, &r), 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
    resp_free(&r);
    /* Not JSON, and an empty body. */
    req(&srv, &ss[ADMIN], "POST", "/api/v1/catalog/import", "items: no", json_type, &r);
    assert_problem(&r, 400, "validation_failed");
    resp_free(&r);
    req(&srv, &ss[ADMIN], "POST", "/api/v1/catalog/import", NULL, NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "file"));
    resp_free(&r);
    /* Township administrators write drafts by hand; the import is the county's. */
    req(&srv, &ss[XT_ADMIN], "POST", "/api/v1/catalog/import", good, json_type, &r);
    assert_problem(&r, 403, "forbidden");
    resp_free(&r);
    assert_int_equal(audit_top(), before);

    /* A good file, published at once: the public finds the item. */
    assert_int_equal(req(&srv, &ss[ADMIN], "POST", "/api/v1/catalog/import?publish=true", good,
                         json_type, &r),
                     200);
    assert_int_equal(jint(r.json, "items"), 1);
    assert_int_equal(jint(r.json, "delegations"), 0);
    assert_true(json_is_true(json_object_get(r.json, "published")));
    resp_free(&r);
    assert_true(audit_top() > before);
    assert_int_equal(req(&srv, NULL, "GET", "/api/v1/items?q=导入测试补助申请", NULL, NULL, &r), 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    assert_string_equal(jstr(r.json, "items.0.status"), "published");
    assert_string_equal(jstr(r.json, "items.0.implementing_unit_name"), "北京市密云区民政局");
    resp_free(&r);
    /* The same file again: the code exists, nothing is written. */
    before = audit_top();
    req(&srv, &ss[ADMIN], "POST", "/api/v1/catalog/import", good, json_type, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_non_null(strstr(r.body, "数据库中已有该编码的事项"));
    resp_free(&r);
    /* The exported workbook read back: every code exists already, so it is refused whole. */
    assert_int_equal(req(&srv, &ss[ADMIN], "GET", "/api/v1/catalog/export?format=xlsx", NULL, NULL,
                         &x),
                     200);
    req_bin(&srv, &ss[ADMIN], "POST", "/api/v1/catalog/import", x.body, x.len, NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "file"));
    resp_free(&r);
    resp_free(&x);
    assert_int_equal(audit_top(), before);
#undef IMP_ITEM
}

static void
test_cli_catalog_round_trip(void **state)
{
    const char *b = srv.bin, *d = srv.dir;
    struct resp r;
    long long id = 0;
    json_t *e;
    size_t i;
    (void)state;
    /* Publish the township's own item, whose unit name (社会事务办公室) every township has. */
    assert_int_equal(req(&srv, &ss[ADMIN], "GET", "/api/v1/items?status=draft&limit=100", NULL,
                         NULL, &r),
                     200);
    json_array_foreach(json_object_get(r.json, "items"), i, e) if (strcmp(jstr(e, "code"),
                                                                         "TEST-XT-1") == 0) id =
        jint(e, "id");
    resp_free(&r);
    assert_true(id > 0);
    assert_int_equal(req(&srv, &ss[ADMIN], "POST", fmt("/api/v1/items/%lld/publish", id), NULL,
                         NULL, &r),
                     200);
    resp_free(&r);
    /* Export, import into a county with no catalog, export again: the same file. */
    assert_int_equal(run("%s export catalog --db '%s' --output %s/c1.json", b, srv.db, d), 0);
    assert_int_equal(run("grep -q '西田各庄镇/社会事务办公室' %s/c1.json", d), 0);
    assert_int_equal(run("%s demo --db %s/rt.db --no-serve --no-catalog > /dev/null 2>&1", b, d), 0);
    assert_int_equal(run("%s import catalog %s/c1.json --db %s/rt.db --publish > %s/imp.out 2>&1",
                         b, d, d, d),
                     0);
    assert_int_equal(run("%s export catalog --db %s/rt.db --output %s/c2.json", b, d, d), 0);
    assert_int_equal(run("cmp -s %s/c1.json %s/c2.json", d, d), 0);
    assert_int_equal(run("%s export catalog --db %s/rt.db --format xlsx --output %s/c.xlsx && "
                         "head -c 2 %s/c.xlsx | grep -q PK",
                         b, d, d, d),
                     0);
    /* A file with a bad time limit, an unknown category and a missing name imports nothing
     * and names each bad record and field. */
    assert_int_equal(run("%s demo --db %s/bad.db --no-serve --no-catalog > /dev/null 2>&1", b, d), 0);
    assert_int_equal(run("sed -e '0,/\"promised_days\": [0-9]*/s//\"promised_days\": 999/' "
                         "-e '0,/\"category\": \"[a-z_]*\"/s//\"category\": \"astrology\"/' "
                         "%s/c1.json > %s/bad.json", d, d),
                     0);
    assert_int_equal(run("%s import catalog %s/bad.json --db %s/bad.db --publish > %s/bad.out 2>&1",
                         b, d, d, d),
                     1);
    assert_int_equal(run("grep -q 'items\\[0\\].promised_days' %s/bad.out && "
                         "grep -q 'items\\[0\\].category' %s/bad.out && grep -q '未导入任何数据' "
                         "%s/bad.out",
                         d, d, d),
                     0);
    assert_int_equal(run("sqlite3 %s/bad.db 'SELECT count(*) FROM items' | grep -qx 0", d), 0);

    /* The same round trip through a workbook: export .xlsx, import it, export JSON again. */
    assert_int_equal(run("%s demo --db %s/rx.db --no-serve --no-catalog > /dev/null 2>&1", b, d), 0);
    assert_int_equal(run("%s import catalog %s/c.xlsx --db %s/rx.db --publish > /dev/null 2>&1", b,
                         d, d),
                     0);
    assert_int_equal(run("%s export catalog --db %s/rx.db --output %s/c3.json && cmp -s %s/c1.json "
                         "%s/c3.json",
                         b, d, d, d, d),
                     0);
    /* A workbook with an unknown type name and one without the name column: nothing imported,
     * each problem named by sheet, row and column. */
    assert_int_equal(run("python3 -c \"import zipfile,sys\n"
                         "src=zipfile.ZipFile(sys.argv[1])\n"
                         "for out,a,b2 in ((sys.argv[2],'行政给付','行政魔法'),(sys.argv[3],'>事项名称<','>名称<')):\n"
                         "  z=zipfile.ZipFile(out,'w')\n"
                         "  for n in src.namelist():\n"
                         "    data=src.read(n)\n"
                         "    if n.endswith('sharedStrings.xml'): data=data.decode().replace(a,b2).encode()\n"
                         "    z.writestr(n,data)\n"
                         "  z.close()\" %s/c.xlsx %s/bad1.xlsx %s/bad2.xlsx",
                         d, d, d),
                     0);
    assert_int_equal(run("%s import catalog %s/bad1.xlsx --db %s/bad.db --publish > %s/bx1.out 2>&1",
                         b, d, d, d),
                     1);
    assert_int_equal(run("grep -q '工作表“服务事项”第 [0-9]* 行第 D 列（事项类型）' %s/bx1.out", d), 0);
    assert_int_equal(run("%s import catalog %s/bad2.xlsx --db %s/bad.db --publish > %s/bx2.out 2>&1",
                         b, d, d, d),
                     1);
    assert_int_equal(run("grep -q '事项名称）：缺少这一列' %s/bx2.out", d), 0);
    assert_int_equal(run("sqlite3 %s/bad.db 'SELECT count(*) FROM items' | grep -qx 0", d), 0);
}

/* ---- static files ---- */

static void
test_static_files(void **state)
{
    struct resp r;
    (void)state;
    assert_int_equal(req(&srv, NULL, "GET", "/", NULL, NULL, &r), 200);
    assert_string_equal(r.content_type, "text/html; charset=utf-8");
    assert_non_null(strstr(r.body, "便民"));
    assert_non_null(strstr(r.csp, "frame-ancestors 'none'"));
    resp_free(&r);
    assert_int_equal(req(&srv, NULL, "GET", "/assets/app.js", NULL, NULL, &r), 200);
    assert_string_equal(r.content_type, "text/javascript; charset=utf-8");
    resp_free(&r);
    /* The single-page app's own routes get index.html. */
    assert_int_equal(req(&srv, NULL, "GET", "/window/intake", NULL, NULL, &r), 200);
    assert_non_null(strstr(r.body, "便民"));
    resp_free(&r);
    assert_int_equal(req(&srv, NULL, "GET", "/progress?case_no=1&code=2", NULL, NULL, &r), 200);
    assert_non_null(strstr(r.body, "便民"));
    resp_free(&r);
    assert_int_equal(req(&srv, NULL, "GET", "/guide/", NULL, NULL, &r), 200);
    assert_string_equal(r.content_type, "text/html; charset=utf-8");
    assert_non_null(strstr(r.body, "便民"));
    resp_free(&r);
    /* Missing asset, traversal, and a symlink out of the folder. */
    req(&srv, NULL, "GET", "/assets/missing.js", NULL, NULL, &r);
    assert_problem(&r, 404, "not_found");
    resp_free(&r);
    req_raw(&srv, "GET", "/../../../../etc/passwd", &r);
    assert_true(r.status == 404 || r.status == 400);
    assert_null(r.body ? strstr(r.body, "root:") : NULL);
    resp_free(&r);
    req_raw(&srv, "GET", "/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd", &r);
    assert_true(r.status == 404 || r.status == 400);
    assert_null(r.body ? strstr(r.body, "root:") : NULL);
    resp_free(&r);
    req(&srv, NULL, "GET", "/leak.txt", NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    assert_null(r.body ? strstr(r.body, "root:") : NULL);
    resp_free(&r);
}

/* ---- command line against the same store ---- */

/* Runs SQL on the server's store behind its back: the sqlite3 shell, or psql. */
static int
raw_sql(const char *sql)
{
    if (srv.is_pg)
        return run("psql -q '%s' -c \"%s\" > /dev/null", srv.db, sql);
    return run("sqlite3 %s \"%s\"", srv.db, sql);
}

static void
test_audit_cli_detects_tampering(void **state)
{
    (void)state;
    /* Verified while the server is still running. */
    assert_int_equal(run("%s audit verify --db '%s' > /dev/null 2>&1", srv.bin, srv.db), 0);
    if (srv.is_pg) {
        /* PostgreSQL is backed up with its own tools; the command says so and writes nothing. */
        assert_int_equal(run("%s backup --db '%s' %s/backup.db > %s/backup.out 2>&1", srv.bin,
                             srv.db, srv.dir, srv.dir),
                         1);
        assert_int_equal(run("grep -q pg_dump %s/backup.out && test ! -e %s/backup.db", srv.dir,
                             srv.dir),
                         0);
    } else {
        assert_int_equal(run("%s backup --db %s %s/backup.db > /dev/null 2>&1", srv.bin, srv.db,
                             srv.dir),
                         0);
        assert_int_equal(run("%s audit verify --db %s/backup.db > /dev/null 2>&1", srv.bin,
                             srv.dir),
                         0);
        /* Backups never overwrite. */
        assert_int_equal(run("%s backup --db %s %s/backup.db > /dev/null 2>&1", srv.bin, srv.db,
                             srv.dir),
                         1);
    }
    /* Edit one row with the database's own shell, behind the server's back ... */
    assert_int_equal(raw_sql("UPDATE audit_log SET actor = 'mallory' WHERE id = 5"), 0);
    assert_int_equal(run("%s audit verify --db '%s' > %s/verify.out 2>&1", srv.bin, srv.db,
                         srv.dir),
                     1);
    assert_int_equal(run("grep -q 'entry 5' %s/verify.out", srv.dir), 0);
    /* ... and put it back: the chain is whole again. */
    assert_int_equal(raw_sql("UPDATE audit_log SET actor = 'cli' WHERE id = 5"), 0);
    assert_int_equal(run("%s audit verify --db '%s' > /dev/null 2>&1", srv.bin, srv.db), 0);
}

static void
test_cli_init_and_errors(void **state)
{
    const char *b = srv.bin, *d = srv.dir;
    (void)state;
    assert_int_equal(run("BIANMIN_ADMIN_PASSWORD=Init2026pass %s init --db %s/i.db "
                         "--county-name 北京市延庆区 --county-code 110119 > /dev/null 2>&1", b, d),
                     0);
    /* A second init refuses and changes nothing. */
    assert_int_equal(run("BIANMIN_ADMIN_PASSWORD=Other2026pass %s init --db %s/i.db > %s/init2.out "
                         "2>&1", b, d, d),
                     1);
    assert_int_equal(run("grep -q '已经初始化' %s/init2.out", d), 0);
    assert_int_equal(run("sqlite3 %s/i.db 'SELECT count(*) FROM users' | grep -qx 1", d), 0);
    assert_int_equal(run("sqlite3 %s/i.db \"SELECT division_code FROM org_units\" | grep -qx 110119",
                         d),
                     0);
    /* No password and no terminal; a bad county code; a weak password: nothing is created. */
    assert_int_equal(run("env -u BIANMIN_ADMIN_PASSWORD %s init --db %s/j.db < /dev/null > /dev/null "
                         "2>&1", b, d),
                     2);
    assert_int_equal(run("BIANMIN_ADMIN_PASSWORD=Init2026pass %s init --db %s/k.db --county-code 1101 "
                         "> %s/k.out 2>&1", b, d, d),
                     1);
    assert_int_equal(run("grep -q division_code %s/k.out", d), 0);
    assert_int_equal(run("BIANMIN_ADMIN_PASSWORD=short %s init --db %s/k.db > /dev/null 2>&1", b, d), 1);
    assert_int_equal(run("sqlite3 %s/k.db 'SELECT count(*) FROM org_units' | grep -qx 0", d), 0);
    /* Serving an empty store is refused with a hint. */
    assert_int_equal(run("%s serve --db %s/k.db --listen 127.0.0.1:1 > /dev/null 2> %s/k.err", b, d, d),
                     1);
    assert_int_equal(run("grep -q 'bianmin init' %s/k.err", d), 0);
    /* migrate, audit verify, usage and option errors. */
    /* init applied every migration already: nothing is left to do. */
    assert_int_equal(run("%s migrate --db %s/i.db | grep -qE 'applied 0 migration\\(s\\); schema "
                         "version [1-9]'",
                         b, d),
                     0);
    assert_int_equal(run("%s audit verify --db %s/i.db > /dev/null", b, d), 0);
    assert_int_equal(run("%s no-such-command > /dev/null 2>&1", b), 2);
    assert_int_equal(run("%s serve --bogus > /dev/null 2>&1", b), 2);
    assert_int_equal(run("%s serve --help | grep -q -- '--listen'", b), 0);
    assert_int_equal(run("%s backup --db %s/i.db > /dev/null 2>&1", b, d), 2);
    assert_int_equal(run("printf 'listen = 127.0.0.1:1\\nnot a setting\\n' > %s/c.conf && "
                         "%s migrate --config %s/c.conf --db %s/i.db > /dev/null 2>&1", d, b, d, d),
                     2);
    assert_int_equal(run("BIANMIN_THREADS=abc %s migrate --db %s/i.db > /dev/null 2>&1", b, d), 2);
    /* A mistyped store path is an error, and no empty store is left behind. */
    assert_int_equal(run("%s audit verify --db %s/typo.db > /dev/null 2>&1", b, d), 2);
    assert_int_equal(run("%s backup --db %s/typo.db %s/b2.db > /dev/null 2>&1", b, d, d), 1);
    assert_int_equal(run("%s serve --db %s/typo.db --listen 127.0.0.1:1 > /dev/null 2>&1", b, d), 1);
    assert_int_equal(run("%s migrate --db %s/typo.db > /dev/null 2>&1", b, d), 1);
    assert_int_equal(run("test -e %s/typo.db || test -e %s/b2.db", d, d), 1);
    assert_int_equal(run("printf 'db = %s/i.db\\n' > %s/ok.conf && %s audit verify --config "
                         "%s/ok.conf > /dev/null 2>&1", d, d, b, d),
                     0);
}

static void
test_graceful_shutdown(void **state)
{
    (void)state;
    assert_int_equal(server_stop(&srv), 0);
    assert_int_equal(run("grep -q '\"event\":\"stopped\"' %s", srv.log), 0);
    /* The store is left consistent and the chain intact. */
    assert_int_equal(run("%s audit verify --db '%s' > /dev/null 2>&1", srv.bin, srv.db), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_health_ready_metrics),
        cmocka_unit_test(test_security_headers),
        cmocka_unit_test(test_access_log),
        cmocka_unit_test(test_enums_public),
        cmocka_unit_test(test_unknown_route_and_method),
        cmocka_unit_test(test_unauthenticated),
        cmocka_unit_test(test_bad_bodies_change_nothing),
        cmocka_unit_test(test_oversize_beyond_hard_cap),
        cmocka_unit_test(test_login_every_role),
        cmocka_unit_test(test_login_cookie_flags),
        cmocka_unit_test(test_login_failures),
        cmocka_unit_test(test_login_throttling),
        cmocka_unit_test(test_csrf_required),
        cmocka_unit_test(test_org_tree),
        cmocka_unit_test(test_org_create_and_validate),
        cmocka_unit_test(test_org_scope),
        cmocka_unit_test(test_org_update),
        cmocka_unit_test(test_users_matrix),
        cmocka_unit_test(test_users_pagination),
        cmocka_unit_test(test_users_create_and_rules),
        cmocka_unit_test(test_users_update),
        cmocka_unit_test(test_change_own_password),
        cmocka_unit_test(test_logout),
        cmocka_unit_test(test_api_tokens),
        cmocka_unit_test(test_catalog_search),
        cmocka_unit_test(test_items_lifecycle),
        cmocka_unit_test(test_items_bad_input),
        cmocka_unit_test(test_items_scope),
        cmocka_unit_test(test_delegations_and_powers),
        cmocka_unit_test(test_catalog_export),
        cmocka_unit_test(test_catalog_import),
        cmocka_unit_test(test_cli_catalog_round_trip),
        cmocka_unit_test(test_audit_read_and_verify),
        cmocka_unit_test(test_authorization_matrix),
        cmocka_unit_test(test_static_files),
        cmocka_unit_test(test_audit_cli_detects_tampering),
        cmocka_unit_test(test_cli_init_and_errors),
        cmocka_unit_test(test_graceful_shutdown),
    };
    return cmocka_run_group_tests_name(getenv("BIANMIN_TEST_PG") ? "api (postgres)" : "api (sqlite)",
                                       tests, group_setup, group_teardown);
}
