/*
 * API tests of ratings (好差评) and the rectification of bad ratings: a case completed and
 * delivered through the API is rated badly on the public page, the handling unit's task
 * appears with its working-day due dates (across the 2026 National Day holiday, on a clock
 * moved by libfaketime), is called back, rectified and closed, and the rater follows up;
 * the window's rating device; appeals; refused input that changes nothing; the throttled
 * query code; no route that lets staff change a rating; the rating window closing after
 * 7 days; and the authorization table of every ratings route for every demo role.
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
/* Wednesday 2026-09-30, 09:00 China time: the day before the National Day holiday
 * (10-01 to 10-07 off, 10-10 a make-up working day; docs/domain.md 8.2). */
#define DAY0 "@2026-09-30 01:00:00"
/* Monday 2026-10-12, 10:00 China time: twelve natural days later. */
#define DAY12 "@2026-10-12 02:00:00"

static struct server srv;

enum role_ix { ADMIN, XT_CLERK, XT_HANDLER, XT_APPROVER, XT_ADMIN, XW_CLERK, XW_ADMIN, RSJ_HANDLER,
               SUPERVISOR, EVALUATOR, AUDITOR, CITIZEN, N_ROLES };
static const char *users[N_ROLES] = {"admin", "xtgz_clerk", "xtgz_handler", "xtgz_approver",
                                     "xtgz_admin", "xwz_clerk", "xwz_admin", "rsj_handler",
                                     "supervisor", "evaluator", "auditor", "citizen"};
static struct session ss[N_ROLES];

#define RSJ "北京市密云区人力资源和社会保障局"
#define M_FORM "申请表"
#define APPLICANT                                                                              \
    "{\"name\":\"李秀英\",\"id_type\":\"resident_id\",\"id_number\":\"110119198001010014\","  \
    "\"phone\":\"13800138001\"}"

/* Cases made on DAY0 and used by later tests. */
static long long item_id;
static char late_no[32], late_code[16];       /* delivered, never rated: window closes */
static char open_no[32], open_code[16];       /* rated badly, never called back: overdue */
static long long open_task;

/* ---- requests ---- */

static void
pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* One request as role `who` (-1: anonymous), retried on 503 ("busy, safe to retry"): under
 * libfaketime the SQLite write-lock wait gives up at once (see tests/api/test_cases.c). */
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

/* Starts the server with libfaketime at `faketime` and logs every role in. */
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

/* A county-wide item of the county's human resources bureau, decided by its handler alone. */
static long long
make_item(void)
{
    char body[2048];
    struct resp r;
    long long id;

    snprintf(body, sizeof(body),
             "{\"code\":\"TEST-RATE-1\",\"name\":\"测试就业登记\",\"type\":\"confirmation\","
             "\"category\":\"employment\",\"implementing_unit_id\":%lld,\"promised_days\":5,"
             "\"legal_days\":10,\"visits\":1,\"visits_reason\":\"核验原件\","
             "\"conditions\":\"本县户籍居民\",\"legal_basis\":\"《测试条例》第一条\","
             "\"consult_phone\":\"010-69041111\",\"complaint_phone\":\"12345\","
             "\"window_address\":\"各乡镇便民服务中心\",\"delivery_methods\":[\"window\"],"
             "\"county_wide\":true,\"materials\":[{\"name\":\"" M_FORM "\"}]}",
             org_id(RSJ));
    if (call(ADMIN, "POST", "/api/v1/items", body, NULL, &r) != 201)
        fprintf(stderr, "item: %s\n", r.body ? r.body : "");
    assert_int_equal(r.status, 201);
    id = jint(r.json, "id");
    resp_free(&r);
    assert_int_equal(call(ADMIN, "POST", fmt("/api/v1/items/%lld/publish", id), NULL, NULL, &r),
                     200);
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

/* A case opened at 西田各庄镇's window, handled by the bureau, left in `until` status:
 * "submitted" or "delivered". */
static void
make_case(const char *until, char no[32], char code[16])
{
    struct resp r;
    long long v;

    assert_int_equal(call(XT_CLERK, "POST", "/api/v1/cases",
                          fmt("{\"item_id\":%lld,\"applicant\":" APPLICANT ",\"materials\":"
                              "[{\"name\":\"" M_FORM "\",\"provided\":true}]}",
                              item_id),
                          NULL, &r),
                     201);
    snprintf(no, 32, "%s", jstr(r.json, "case_no"));
    snprintf(code, 16, "%s", jstr(r.json, "query_code"));
    v = jint(r.json, "version");
    resp_free(&r);
    if (strcmp(until, "submitted") == 0)
        return;
    v = act_ok(XT_CLERK, no, v, "{\"action\":\"accept\"}", "accepted");
    v = act_ok(RSJ_HANDLER, no, v, "{\"action\":\"approve\",\"note\":\"符合条件\"}", "completed");
    (void)act_ok(XT_CLERK, no, v, "{\"action\":\"deliver\",\"method\":\"window\"}", "delivered");
}

static long
rate(int who, const char *no, const char *code, const char *body, struct resp *r)
{
    return call(who, "POST", fmt("/api/v1/public/cases/%s/rating?code=%s", no, code), body, NULL,
                r);
}

static long
rect_act(int who, long long id, long long version, const char *body, struct resp *r)
{
    char im[48];
    snprintf(im, sizeof(im), "If-Match: \"%lld\"", version);
    return call(who, "POST", fmt("/api/v1/rectifications/%lld/actions", id), body,
                (const char *const[]){im, NULL}, r);
}

/* The public view's "rated" flag. */
static bool
public_rated(const char *no, const char *code)
{
    struct resp r;
    bool rated;
    assert_int_equal(call(-1, "GET", fmt("/api/v1/public/cases/%s?code=%s", no, code), NULL, NULL,
                          &r),
                     200);
    rated = json_is_true(jget(r.json, "rated"));
    resp_free(&r);
    return rated;
}

/* The task of a case as `who` sees it in the list (0 if not listed). */
static long long
task_of(int who, const char *no, const char *query)
{
    struct resp r;
    json_t *e;
    size_t i;
    long long id = 0;
    assert_int_equal(call(who, "GET", fmt("/api/v1/rectifications%s", query), NULL, NULL, &r), 200);
    json_array_foreach(json_object_get(r.json, "items"), i, e) {
        if (strcmp(jstr(e, "case_no"), no) == 0)
            id = jint(e, "id");
    }
    resp_free(&r);
    return id;
}

/* True once the text-message log (where `serve` delivers by default) holds a line with both
 * strings; waits up to 10 seconds for the sender. */
static bool
sms_logged(const char *a, const char *b)
{
    const char *env = getenv("BIANMIN_NOTIFY_FILE");
    char path[400], line[4096];

    if (env != NULL && env[0])
        snprintf(path, sizeof(path), "%s", env);
    else if (srv.is_pg)
        snprintf(path, sizeof(path), "bianmin-sms.log");
    else
        snprintf(path, sizeof(path), "%s.sms.log", srv.db);
    for (int i = 0; i < 100; i++) {
        FILE *f = fopen(path, "r");
        bool found = false;
        while (f != NULL && !found && fgets(line, sizeof(line), f) != NULL)
            found = strstr(line, a) != NULL && strstr(line, b) != NULL;
        if (f != NULL)
            fclose(f);
        if (found)
            return true;
        pause_ms(100);
    }
    fprintf(stderr, "no message with %s and %s in %s\n", a, b, path);
    return false;
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

/* The whole path of a bad rating, with the refusals along it. */
static void
test_bad_rating_flow(void **state)
{
    char no[32], code[16];
    struct resp r;
    long long before, task, v, rating_id;
    (void)state;

    start_at(DAY0);
    item_id = make_item();
    make_case("delivered", no, code);
    make_case("delivered", late_no, late_code);

    assert_int_equal(call(-1, "GET", fmt("/api/v1/public/cases/%s?code=%s", no, code), NULL, NULL,
                          &r),
                     200);
    assert_false(json_is_true(jget(r.json, "rated")));
    assert_true(json_is_true(jget(r.json, "rating_open")));
    resp_free(&r);

    /* A bad rating without a reason: a field error, and nothing changes. */
    before = audit_top();
    rate(-1, no, code, "{\"level\":2,\"comment\":\"等了很久\"}", &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "reasons"));
    resp_free(&r);
    rate(-1, no, code, "{\"level\":1,\"reasons\":[]}", &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "reasons"));
    resp_free(&r);
    /* Other bad input: a level out of range, an unknown reason, a wrong type, an unknown
     * field, malformed JSON. */
    rate(-1, no, code, "{\"level\":6}", &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "level"));
    resp_free(&r);
    rate(-1, no, code, "{\"level\":1,\"reasons\":[\"rude\"]}", &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "reasons"));
    resp_free(&r);
    rate(-1, no, code, "{\"level\":\"5\"}", &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "level"));
    resp_free(&r);
    rate(-1, no, code, "{\"level\":5,\"stars\":5}", &r);
    assert_problem(&r, 400, "validation_failed");
    resp_free(&r);
    rate(-1, no, code, "{\"level\":5", &r);
    assert_problem(&r, 400, "validation_failed");
    resp_free(&r);
    /* A wrong query code: 404, the same answer as for a case that does not exist. */
    rate(-1, no, "000000", "{\"level\":5}", &r);
    assert_problem(&r, 404, "not_found");
    resp_free(&r);
    assert_int_equal(audit_top(), before);
    assert_false(public_rated(no, code));

    /* 不满意, because of the attitude: recorded, and a task opens for the bureau. */
    assert_int_equal(rate(-1, no, code,
                          "{\"level\":2,\"reasons\":[\"poor_attitude\",\"slow\"],"
                          "\"comment\":\"窗口人员态度生硬\"}",
                          &r),
                     201);
    assert_string_equal(jstr(r.json, "case_no"), no);
    assert_int_equal(jint(r.json, "level"), 2);
    assert_string_equal(jstr(r.json, "level_name"), "不满意");
    assert_true(json_is_true(jget(r.json, "rectification_opened")));
    /* The handling unit's approver is told at once, with the callback and rectify days. */
    assert_true(sms_logged("rectification_open", no));
    assert_null(jget(r.json, "id")); /* no internal numbers on the public answer */
    resp_free(&r);
    assert_true(public_rated(no, code));

    /* Once only: a second rating is a conflict, and changes nothing. */
    before = audit_top();
    rate(-1, no, code, "{\"level\":5}", &r);
    assert_problem(&r, 409, "conflict");
    resp_free(&r);
    /* No follow-up before the rectification was fed back. */
    call(-1, "POST", fmt("/api/v1/public/cases/%s/rating/follow-up?code=%s", no, code),
         "{\"level\":4}", NULL, &r);
    assert_problem(&r, 409, "illegal_transition");
    resp_free(&r);
    assert_int_equal(audit_top(), before);

    /* 谁办理谁负责: the bureau sees the task; the accepting township does not. */
    task = task_of(RSJ_HANDLER, no, "");
    assert_true(task > 0);
    assert_int_equal(task_of(XT_HANDLER, no, ""), 0);
    call(XT_HANDLER, "GET", fmt("/api/v1/rectifications/%lld", task), NULL, NULL, &r);
    assert_problem(&r, 404, "not_found");
    resp_free(&r);
    assert_int_equal(task_of(SUPERVISOR, no, "?status=open"), task);
    assert_int_equal(call(RSJ_HANDLER, "GET", fmt("/api/v1/rectifications/%lld", task), NULL, NULL,
                          &r),
                     200);
    assert_string_equal(jstr(r.json, "status"), "open");
    assert_string_equal(jstr(r.json, "unit.name"), RSJ);
    /* Callback 1 working day, rectification 5, appeal 3, counted past the holiday:
     * 10-08 (Thu), 10-09, 10-10 (make-up Saturday), 10-12, 10-13. */
    assert_string_equal(jstr(r.json, "callback_due"), "2026-10-08");
    assert_string_equal(jstr(r.json, "appeal_due"), "2026-10-10");
    assert_string_equal(jstr(r.json, "rectify_due"), "2026-10-13");
    assert_false(json_is_true(jget(r.json, "overdue")));
    assert_int_equal(jint(r.json, "rating.level"), 2);
    assert_string_equal(jstr(r.json, "rating.reasons.0.code"), "poor_attitude");
    assert_string_equal(jstr(r.json, "rating.reasons.0.name"), "服务态度不好");
    assert_string_equal(jstr(r.json, "rating.comment"), "窗口人员态度生硬");
    assert_string_equal(jstr(r.json, "rating.channel"), "online");
    assert_null(jget(r.json, "rating.applicant")); /* the rater is never shown */
    v = jint(r.json, "version");
    rating_id = jint(r.json, "rating_id");
    assert_string_equal(r.etag, fmt("\"%lld\"", v));
    resp_free(&r);

    /* Refused steps change nothing: a supervisor cannot call back, the unit cannot close,
     * an unknown action, a missing note, no If-Match, a stale one. */
    before = audit_top();
    rect_act(SUPERVISOR, task, v, "{\"action\":\"callback\",\"note\":\"已回访\"}", &r);
    assert_problem(&r, 403, "forbidden");
    resp_free(&r);
    rect_act(RSJ_HANDLER, task, v, "{\"action\":\"close\",\"note\":\"办结\"}", &r);
    assert_problem(&r, 409, "illegal_transition");
    resp_free(&r);
    rect_act(RSJ_HANDLER, task, v, "{\"action\":\"delete\",\"note\":\"x\"}", &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "action"));
    resp_free(&r);
    rect_act(RSJ_HANDLER, task, v, "{\"action\":\"callback\",\"note\":\"  \"}", &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "note"));
    resp_free(&r);
    call(RSJ_HANDLER, "POST", fmt("/api/v1/rectifications/%lld/actions", task),
         "{\"action\":\"callback\",\"note\":\"已回访\"}", NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    resp_free(&r);
    rect_act(RSJ_HANDLER, task, v + 5, "{\"action\":\"callback\",\"note\":\"已回访\"}", &r);
    assert_problem(&r, 412, "precondition_failed");
    resp_free(&r);
    assert_int_equal(audit_top(), before);

    /* Callback, rectification, closing. */
    assert_int_equal(rect_act(RSJ_HANDLER, task, v,
                              "{\"action\":\"callback\",\"note\":\"已电话回访申请人，核实属实\"}", &r),
                     200);
    assert_string_equal(jstr(r.json, "status"), "called_back");
    assert_string_equal(jstr(r.json, "callback_note"), "已电话回访申请人，核实属实");
    v = jint(r.json, "version");
    resp_free(&r);
    assert_int_equal(rect_act(RSJ_HANDLER, task, v,
                              "{\"action\":\"rectify\",\"note\":\"已对窗口人员批评教育并调整排班\"}",
                              &r),
                     200);
    assert_string_equal(jstr(r.json, "status"), "rectified");
    assert_string_equal(jstr(r.json, "outcome"), "已对窗口人员批评教育并调整排班");
    v = jint(r.json, "version");
    resp_free(&r);
    /* The rater hears of the outcome by text message (domain.md 4.4, feedback). */
    assert_true(sms_logged("rating_feedback", no));
    /* The rater re-rates the rectification (追评), once. */
    assert_int_equal(call(-1, "POST",
                          fmt("/api/v1/public/cases/%s/rating/follow-up?code=%s", no, code),
                          "{\"level\":4}", NULL, &r),
                     201);
    assert_string_equal(jstr(r.json, "kind"), "follow_up");
    resp_free(&r);
    call(-1, "POST", fmt("/api/v1/public/cases/%s/rating/follow-up?code=%s", no, code),
         "{\"level\":5}", NULL, &r);
    assert_problem(&r, 409, "conflict");
    resp_free(&r);
    assert_int_equal(rect_act(SUPERVISOR, task, v, "{\"action\":\"close\",\"note\":\"整改到位\"}",
                              &r),
                     200);
    assert_string_equal(jstr(r.json, "status"), "closed");
    assert_int_equal(json_array_size(jget(r.json, "allowed_actions")), 0);
    resp_free(&r);

    /* Staff cannot change or delete a rating: no route does it, and it stays as given. */
    call(ADMIN, "PATCH", fmt("/api/v1/ratings/%lld", rating_id), "{\"level\":5}", NULL, &r);
    assert_int_equal(r.status, 405);
    resp_free(&r);
    call(SUPERVISOR, "DELETE", fmt("/api/v1/ratings/%lld", rating_id), NULL, NULL, &r);
    assert_int_equal(r.status, 405);
    resp_free(&r);
    call(ADMIN, "PUT", fmt("/api/v1/ratings/%lld", rating_id), "{\"level\":5}", NULL, &r);
    assert_int_equal(r.status, 405);
    resp_free(&r);
    assert_int_equal(call(SUPERVISOR, "GET", fmt("/api/v1/ratings/%lld", rating_id), NULL, NULL,
                          &r),
                     200);
    assert_int_equal(jint(r.json, "level"), 2);
    assert_string_equal(jstr(r.json, "kind"), "initial");
    assert_false(json_is_true(jget(r.json, "excluded")));
    resp_free(&r);
    /* The list by level and day: the rating, not its follow-up (a 4). The demo county's
     * history, dated back from the real day the store was made, may hold other ratings of
     * that day: only ratings of level 2 and of that day may come with it. */
    assert_int_equal(call(SUPERVISOR, "GET",
                          "/api/v1/ratings?level=2&from=2026-09-30&to=2026-09-30", NULL, NULL, &r),
                     200);
    {
        json_t *items = jget(r.json, "items"), *it;
        size_t i;
        int found = 0;

        json_array_foreach(items, i, it) {
            assert_int_equal(json_integer_value(json_object_get(it, "level")), 2);
            assert_string_equal(json_string_value(json_object_get(it, "kind")), "initial");
            assert_true(strncmp(json_string_value(json_object_get(it, "created_at")),
                                "2026-09-30T", 11) == 0);
            found += json_integer_value(json_object_get(it, "id")) == rating_id;
        }
        assert_int_equal(found, 1);
    }
    resp_free(&r);
    call(SUPERVISOR, "GET", "/api/v1/ratings?level=9", NULL, NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "level"));
    resp_free(&r);
    call(SUPERVISOR, "GET", "/api/v1/ratings?from=30.09.2026", NULL, NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    resp_free(&r);
}

/* The rating device at the accepting window, and cases that may not be rated yet. */
static void
test_window_device(void **state)
{
    char no[32], code[16], fresh[32], fresh_code[16];
    struct resp r;
    long long before, id;
    (void)state;

    make_case("delivered", no, code);
    make_case("submitted", fresh, fresh_code);
    before = audit_top();
    /* Another township's window does not see the case; the bureau has no device. */
    call(XW_CLERK, "POST", fmt("/api/v1/cases/%s/rating", no), "{\"level\":5}", NULL, &r);
    assert_problem(&r, 404, "not_found");
    resp_free(&r);
    call(RSJ_HANDLER, "POST", fmt("/api/v1/cases/%s/rating", no), "{\"level\":5}", NULL, &r);
    assert_problem(&r, 403, "forbidden");
    resp_free(&r);
    /* Not delivered yet: nothing to rate. */
    call(XT_CLERK, "POST", fmt("/api/v1/cases/%s/rating", fresh), "{\"level\":5}", NULL, &r);
    assert_problem(&r, 409, "illegal_transition");
    resp_free(&r);
    rate(-1, fresh, fresh_code, "{\"level\":5}", &r);
    assert_problem(&r, 409, "illegal_transition");
    resp_free(&r);
    assert_int_equal(audit_top(), before);

    assert_int_equal(call(XT_CLERK, "POST", fmt("/api/v1/cases/%s/rating", no),
                          "{\"level\":5,\"comment\":\"办事很快\"}", NULL, &r),
                     201);
    id = jint(r.json, "id");
    assert_true(id > 0);
    assert_false(json_is_true(jget(r.json, "rectification_opened")));
    resp_free(&r);
    /* The accepting window sees it, though the bureau handled the case. */
    assert_int_equal(call(XT_CLERK, "GET", fmt("/api/v1/ratings/%lld", id), NULL, NULL, &r), 200);
    assert_string_equal(jstr(r.json, "channel"), "window_device");
    assert_string_equal(jstr(r.json, "level_name"), "非常满意");
    resp_free(&r);
    /* The device and the public page share the one rating. */
    rate(-1, no, code, "{\"level\":1,\"reasons\":[\"slow\"]}", &r);
    assert_problem(&r, 409, "conflict");
    resp_free(&r);
    assert_int_equal(task_of(SUPERVISOR, no, ""), 0);
}

/* A mistaken bad rating: the unit appeals, supervision upholds; the rating stays, excluded. */
static void
test_appeal(void **state)
{
    char no[32], code[16];
    struct resp r;
    long long task, v, rating_id;
    (void)state;

    make_case("delivered", no, code);
    assert_int_equal(rate(-1, no, code, "{\"level\":1,\"reasons\":[\"other\"],"
                                        "\"comment\":\"点错了\"}", &r),
                     201);
    resp_free(&r);
    task = task_of(RSJ_HANDLER, no, "");
    assert_true(task > 0);
    assert_int_equal(call(RSJ_HANDLER, "GET", fmt("/api/v1/rectifications/%lld", task), NULL, NULL,
                          &r),
                     200);
    v = jint(r.json, "version");
    rating_id = jint(r.json, "rating_id");
    resp_free(&r);
    assert_int_equal(rect_act(RSJ_HANDLER, task, v,
                              "{\"action\":\"appeal\",\"note\":\"申请人来电说明系误操作\"}", &r),
                     200);
    assert_string_equal(jstr(r.json, "status"), "appealed");
    v = jint(r.json, "version");
    resp_free(&r);
    /* The unit cannot decide its own appeal. */
    rect_act(RSJ_HANDLER, task, v, "{\"action\":\"uphold_appeal\",\"note\":\"同意\"}", &r);
    assert_problem(&r, 403, "forbidden");
    resp_free(&r);
    assert_int_equal(rect_act(SUPERVISOR, task, v,
                              "{\"action\":\"uphold_appeal\",\"note\":\"经核实系误评\"}", &r),
                     200);
    assert_string_equal(jstr(r.json, "status"), "upheld");
    resp_free(&r);
    assert_int_equal(call(SUPERVISOR, "GET", fmt("/api/v1/ratings/%lld", rating_id), NULL, NULL,
                          &r),
                     200);
    assert_int_equal(jint(r.json, "level"), 1);
    assert_true(json_is_true(jget(r.json, "excluded")));
    resp_free(&r);

    /* A rejected appeal sends the task back to where it was, and the work goes on. */
    make_case("delivered", no, code);
    assert_int_equal(rate(-1, no, code, "{\"level\":2,\"reasons\":[\"slow\"]}", &r), 201);
    resp_free(&r);
    task = task_of(RSJ_HANDLER, no, "");
    assert_int_equal(rect_act(RSJ_HANDLER, task, 1, "{\"action\":\"appeal\",\"note\":\"系统故障所致\"}",
                              &r),
                     200);
    resp_free(&r);
    assert_int_equal(rect_act(SUPERVISOR, task, 2,
                              "{\"action\":\"reject_appeal\",\"note\":\"理由不成立，请继续整改\"}", &r),
                     200);
    assert_string_equal(jstr(r.json, "status"), "open");
    assert_string_equal(jstr(r.json, "decision_note"), "理由不成立，请继续整改");
    resp_free(&r);
    assert_int_equal(rect_act(RSJ_HANDLER, task, 3, "{\"action\":\"callback\",\"note\":\"已回访\"}",
                              &r),
                     200);
    assert_string_equal(jstr(r.json, "status"), "called_back");
    resp_free(&r);
}

/* A task nobody calls back; then, twelve days on, it is overdue and the window has closed. */
static void
test_overdue_and_window_closed(void **state)
{
    struct resp r;
    long long before;
    (void)state;

    make_case("delivered", open_no, open_code);
    assert_int_equal(rate(-1, open_no, open_code, "{\"level\":2,\"reasons\":[\"extra_visits\"]}",
                          &r),
                     201);
    resp_free(&r);
    open_task = task_of(SUPERVISOR, open_no, "");
    assert_true(open_task > 0);
    assert_int_equal(task_of(SUPERVISOR, open_no, "?overdue=true"), 0);

    start_at(DAY12);
    assert_int_equal(task_of(SUPERVISOR, open_no, "?overdue=true"), open_task);
    assert_int_equal(task_of(RSJ_HANDLER, open_no, "?overdue=true"), open_task);
    /* The appeal period (3 working days) is over too. */
    before = audit_top();
    rect_act(RSJ_HANDLER, open_task, 1, "{\"action\":\"appeal\",\"note\":\"迟到的申诉\"}", &r);
    assert_problem(&r, 409, "illegal_transition");
    resp_free(&r);
    /* Delivered twelve days ago and never rated: the 7-day window has closed. */
    assert_int_equal(call(-1, "GET", fmt("/api/v1/public/cases/%s?code=%s", late_no, late_code),
                          NULL, NULL, &r),
                     200);
    assert_false(json_is_true(jget(r.json, "rated")));
    assert_false(json_is_true(jget(r.json, "rating_open")));
    resp_free(&r);
    rate(-1, late_no, late_code, "{\"level\":5}", &r);
    assert_problem(&r, 409, "illegal_transition");
    resp_free(&r);
    call(-1, "GET", "/api/v1/rectifications?overdue=maybe", NULL, NULL, &r);
    assert_problem(&r, 401, "unauthenticated");
    resp_free(&r);
    call(SUPERVISOR, "GET", "/api/v1/rectifications?overdue=maybe", NULL, NULL, &r);
    assert_problem(&r, 400, "validation_failed");
    resp_free(&r);
    assert_int_equal(audit_top(), before);
}

/* Guessing the query code is throttled like the public case lookup (one shared budget). */
static void
test_wrong_code_throttled(void **state)
{
    char no[32], code[16];
    struct resp r;
    int i;
    (void)state;

    make_case("delivered", no, code);
    for (i = 0; i < 5; i++) {
        rate(-1, no, "999999", "{\"level\":5}", &r);
        assert_problem(&r, 404, "not_found");
        resp_free(&r);
    }
    rate(-1, no, "999999", "{\"level\":5}", &r);
    assert_problem(&r, 429, "throttled");
    assert_true(strlen(r.retry_after) > 0);
    resp_free(&r);
    /* Now even the right code waits, and the lookup shares the limit. */
    rate(-1, no, code, "{\"level\":5}", &r);
    assert_problem(&r, 429, "throttled");
    resp_free(&r);
    call(-1, "GET", fmt("/api/v1/public/cases/%s?code=%s", no, code), NULL, NULL, &r);
    assert_problem(&r, 429, "throttled");
    resp_free(&r);
    assert_int_equal(call(SUPERVISOR, "GET", "/api/v1/ratings?limit=200", NULL, NULL, &r), 200);
    {
        json_t *e;
        size_t k;
        json_array_foreach(json_object_get(r.json, "items"), k, e) {
            assert_true(strcmp(jstr(e, "case_no"), no) != 0);
        }
    }
    resp_free(&r);
}

/* ---- the authorization table: every ratings route, every demo role and anonymous ---- */

#define R_ALL ((1u << N_ROLES) - 1)
#define R(x) (1u << (x))
#define R_ANON (1u << N_ROLES) /* the anonymous caller */
/* BM_PERM_RATING_READ of src/core/access.c: CASE_READ's roles. */
#define R_READ                                                                                 \
    (R(ADMIN) | R(XT_CLERK) | R(XT_HANDLER) | R(XT_APPROVER) | R(XT_ADMIN) | R(XW_CLERK) |      \
     R(XW_ADMIN) | R(RSJ_HANDLER) | R(SUPERVISOR) | R(AUDITOR))
#define R_RECT                                                                                 \
    (R(ADMIN) | R(XT_HANDLER) | R(XT_APPROVER) | R(XT_ADMIN) | R(XW_ADMIN) | R(RSJ_HANDLER) |   \
     R(SUPERVISOR))
#define NO_CASE "11011810200020990101000001"

static void
test_authorization_matrix(void **state)
{
    /* Bodies are empty or point at nothing, so an allowed write fails validation or finds
     * nothing instead of changing data; what matters is who passes the role check. */
    static const struct {
        const char *method, *path, *body;
        unsigned allowed;
    } routes[] = {
        {"POST", "/api/v1/public/cases/" NO_CASE "/rating?code=000000", "{}", R_ALL | R_ANON},
        {"POST", "/api/v1/public/cases/" NO_CASE "/rating/follow-up?code=000000", "{}",
         R_ALL | R_ANON},
        {"POST", "/api/v1/cases/" NO_CASE "/rating", "{}", R(XT_CLERK) | R(XW_CLERK)},
        {"GET", "/api/v1/ratings", NULL, R_READ},
        {"GET", "/api/v1/ratings/99999", NULL, R_READ},
        {"GET", "/api/v1/rectifications", NULL, R_READ},
        {"GET", "/api/v1/rectifications/99999", NULL, R_READ},
        {"POST", "/api/v1/rectifications/99999/actions", "{}", R_RECT},
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

/* Ratings made without a log-in went into the case's county chain, which still verifies. */
static void
test_audit_chain_verifies(void **state)
{
    struct resp r;
    bool found = false;
    json_t *e;
    size_t i;
    (void)state;
    assert_int_equal(call(AUDITOR, "GET", "/api/v1/audit/verify", NULL, NULL, &r), 200);
    assert_true(json_is_true(json_object_get(r.json, "ok")));
    assert_string_equal(jstr(r.json, "county_code"), "110118");
    resp_free(&r);
    assert_int_equal(call(AUDITOR, "GET", "/api/v1/audit?limit=200", NULL, NULL, &r), 200);
    json_array_foreach(json_object_get(r.json, "items"), i, e) {
        if (strcmp(jstr(e, "action"), "rating.create") == 0 &&
            strcmp(jstr(e, "actor"), "anonymous") == 0)
            found = true;
    }
    resp_free(&r);
    assert_true(found);
}

/* The server stops cleanly (a sanitizer finding in it would make the exit status non-zero). */
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
        cmocka_unit_test(test_bad_rating_flow),
        cmocka_unit_test(test_window_device),
        cmocka_unit_test(test_appeal),
        cmocka_unit_test(test_overdue_and_window_closed),
        cmocka_unit_test(test_wrong_code_throttled),
        cmocka_unit_test(test_authorization_matrix),
        cmocka_unit_test(test_audit_chain_verifies),
        cmocka_unit_test(test_clean_shutdown),
    };
    return cmocka_run_group_tests_name(getenv("BIANMIN_TEST_PG") ? "ratings api (postgres)"
                                                                 : "ratings api (sqlite)",
                                       tests, group_setup, group_teardown);
}
