/*
 * API tests of demands (诉求 work orders, docs/domain.md 5): a complaint's whole path from the
 * public page through dispatch, reply, an unsatisfied callback that reopens it, a second
 * reply and closing; an anonymous report found again by its query code; 12345 imports that
 * are idempotent; merging duplicates; bad input and illegal steps that change nothing; and
 * the authorization table of every demand route for every demo role and an anonymous caller.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "client.h"

#define PW "Bianmin2026"
#define XT "西田各庄镇"
#define XW "溪翁庄镇"
#define RSJ "北京市密云区人力资源和社会保障局"

static struct server srv;

enum role_ix { ADMIN, XT_CLERK, XT_HANDLER, XT_APPROVER, XT_ADMIN, XW_CLERK, XW_ADMIN, RSJ_HANDLER,
               RSJ_APPROVER, SUPERVISOR, EVALUATOR, AUDITOR, CITIZEN, N_ROLES };
static const char *users[N_ROLES] = {"admin", "xtgz_clerk", "xtgz_handler", "xtgz_approver",
                                     "xtgz_admin", "xwz_clerk", "xwz_admin", "rsj_handler",
                                     "rsj_approver", "supervisor", "evaluator", "auditor",
                                     "citizen"};
static struct session ss[N_ROLES];
#define ANON (-1)
#define R(x) (1u << (x))
#define R_ALL ((1u << N_ROLES) - 1)

static long long xt_id, xw_id;

/* ---- requests ---- */

static void
pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* One request as role `who` (ANON: no session); 503 (busy) is retried. */
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

/* Number of demands the county administrator sees (all of them), optionally filtered. */
static size_t
demand_count(const char *query)
{
    struct resp r;
    size_t n;
    assert_int_equal(call(ADMIN, "GET", fmt("/api/v1/demands?limit=200%s", query), NULL, NULL, &r),
                     200);
    n = json_array_size(json_object_get(r.json, "items"));
    resp_free(&r);
    return n;
}

/* Files a demand on the public page; writes ticket number and query code. */
static void
file_public(const char *body, char no[32], char code[16])
{
    struct resp r;
    assert_int_equal(call(ANON, "POST", "/api/v1/public/demands", body, NULL, &r), 201);
    assert_string_equal(jstr(r.json, "status"), "submitted");
    snprintf(no, 32, "%s", jstr(r.json, "ticket_no"));
    snprintf(code, 16, "%s", jstr(r.json, "query_code"));
    assert_int_equal(strlen(no), 19);
    assert_int_equal(strlen(code), 6);
    resp_free(&r);
}

/* The order as the county administrator sees it (caller frees). */
static void
get_demand(const char *no, struct resp *r)
{
    assert_int_equal(call(ADMIN, "GET", fmt("/api/v1/demands/%s", no), NULL, NULL, r), 200);
}

static long long
version_of(const char *no)
{
    struct resp r;
    long long v;
    get_demand(no, &r);
    v = jint(r.json, "version");
    resp_free(&r);
    return v;
}

/* An action by `who` with the current version; returns the status (r kept for the caller). */
static long
act(int who, const char *no, const char *body, struct resp *r)
{
    char im[32];
    const char *h[] = {im, NULL};
    snprintf(im, sizeof(im), "If-Match: \"%lld\"", version_of(no));
    return call(who, "POST", fmt("/api/v1/demands/%s/actions", no), body, h, r);
}

static void
act_ok(int who, const char *no, const char *body, const char *status)
{
    struct resp r;
    if (act(who, no, body, &r) != 200)
        fprintf(stderr, "%s %s: %ld %s\n", users[who], body, r.status, r.body);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(r.json, "status"), status);
    resp_free(&r);
}

/*
 * True once the server's text-message log (the notifier's file: BIANMIN_NOTIFY_FILE, else
 * beside the SQLite store, else in the working directory) holds a line with both strings.
 */
static bool
sms_sent(const char *a, const char *b)
{
    const char *env = getenv("BIANMIN_NOTIFY_FILE");
    char path[400], line[2048];

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
    return false;
}

/* ---- anonymous submissions per address ---- */

/*
 * With public_posts_per_minute = 3 one address gets three anonymous submissions a minute,
 * valid or not, and the fourth is refused with 429 and Retry-After before anything is filed.
 * Logged-in users and log-ins are not counted, and another address has its own count (behind
 * a trusted proxy, the last X-Forwarded-For entry).
 */
static void
test_public_posts_limited(void **state)
{
    const char *const args[] = {"--set", "public_posts_per_minute=3", "--set", "trust_proxy=true",
                                NULL};
    const char *const other[] = {"X-Forwarded-For: 192.0.2.7", NULL};
    const char *body = "{\"category\":\"consult\",\"content\":\"村口路灯什么时候修？\","
                       "\"contact\":{\"name\":\"王桂芳\",\"phone\":\"13911112222\"}}";
    struct session s = {0};
    struct resp r;
    long long top;
    long retry;
    size_t n;

    (void)state;
    assert_int_equal(server_stop(&srv), 0);
    assert_true(server_start(&srv, args));
    /* The count is per minute of the clock: keep the four requests inside one. */
    while (time(NULL) % 60 > 40)
        pause_ms(500);
    n = demand_count("");
    for (int i = 0; i < 2; i++) {
        assert_int_equal(call(ANON, "POST", "/api/v1/public/demands", body, NULL, &r), 201);
        resp_free(&r);
    }
    assert_int_equal(call(ANON, "POST", "/api/v1/public/demands", "{}", NULL, &r), 400);
    resp_free(&r);
    top = audit_top();
    assert_int_equal(call(ANON, "POST", "/api/v1/public/demands", body, NULL, &r), 429);
    assert_problem(&r, 429, "throttled");
    assert_non_null(strstr(jstr(r.json, "detail"), "提交过于频繁"));
    retry = strtol(r.retry_after, NULL, 10);
    assert_true(retry >= 1 && retry <= 60);
    resp_free(&r);
    assert_int_equal(demand_count(""), n + 2);
    assert_int_equal(audit_top(), top);
    assert_true(server_metric(&srv, "bianmin_public_posts_throttled_total") == 1);

    /* Not counted: a logged-in user, a log-in; counted apart: another address. */
    assert_int_equal(call(ADMIN, "POST", "/api/v1/public/demands", body, NULL, &r), 201);
    resp_free(&r);
    assert_int_equal(login(&srv, &s, users[XT_CLERK], PW), 200);
    assert_int_equal(call(ANON, "POST", "/api/v1/public/demands", body, other, &r), 201);
    resp_free(&r);
    assert_int_equal(demand_count(""), n + 4);

    assert_int_equal(server_stop(&srv), 0);
    assert_true(server_start(&srv, NULL));
}

/* ---- set-up ---- */

static int
group_setup(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_ALL);
    if (!server_prepare(&srv) || !server_start(&srv, NULL))
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

#define COMPLAINT                                                                              \
    "{\"category\":\"complaint\",\"content\":\"西田各庄村东口路灯坏了一个多月，晚上出行不便。\"," \
    "\"contact\":{\"name\":\"王建华\",\"phone\":\"13911112222\"},\"location\":\"西田各庄村\"}"

/* ---- the whole path ---- */

static void
test_complaint_path(void **state)
{
    struct resp r;
    char no[32], code[16];
    static const char *const steps[] = {"submitted", "dispatched", "accepted", "replied",
                                        "accepted",  "replied",    "closed"};
    json_t *e;
    size_t i;
    (void)state;

    xt_id = org_id(XT);
    xw_id = org_id(XW);
    file_public(COMPLAINT, no, code);

    /* Staff see the contact masked only. */
    get_demand(no, &r);
    assert_string_equal(jstr(r.json, "contact.name"), "王*华");
    assert_string_equal(jstr(r.json, "contact.phone"), "139****2222");
    assert_string_equal(jstr(r.json, "channel"), "online");
    assert_true(strstr(r.body, "13911112222") == NULL);
    resp_free(&r);

    /* Before dispatch a township has nothing to do with it. */
    assert_int_equal(call(XT_ADMIN, "GET", fmt("/api/v1/demands/%s", no), NULL, NULL, &r), 404);
    resp_free(&r);

    act_ok(ADMIN, no, fmt("{\"action\":\"dispatch\",\"unit_id\":%lld,\"note\":\"请西田各庄镇核实处理\"}",
                          xt_id),
           "dispatched");
    get_demand(no, &r);
    assert_true(jget(r.json, "due_at") != NULL && json_is_string(jget(r.json, "due_at")));
    assert_int_equal(jint(r.json, "unit.id"), xt_id);
    resp_free(&r);

    /* Another township's staff cannot see or act on it. */
    assert_int_equal(act(XW_ADMIN, no, "{\"action\":\"accept\"}", &r), 404);
    resp_free(&r);
    /* A handler of a department it was not sent to is refused too. */
    assert_int_equal(act(RSJ_HANDLER, no, "{\"action\":\"accept\"}", &r), 404);
    resp_free(&r);

    act_ok(XT_HANDLER, no, "{\"action\":\"accept\"}", "accepted");
    act_ok(XT_HANDLER, no, "{\"action\":\"reply\",\"reply\":\"已安排电工更换路灯，本周内修复。\"}",
           "replied");

    /* The citizen is told by text message that the answer is there. */
    assert_true(sms_sent(no, "139****2222"));

    /* The citizen reads the answer with the query code, without any personal data. */
    assert_int_equal(call(ANON, "GET", fmt("/api/v1/public/demands/%s?code=%s", no, code), NULL,
                          NULL, &r),
                     200);
    assert_string_equal(jstr(r.json, "status"), "replied");
    assert_string_equal(jstr(r.json, "reply"), "已安排电工更换路灯，本周内修复。");
    assert_true(json_is_true(jget(r.json, "feedback_open")));
    assert_null(jget(r.json, "contact"));
    assert_true(strstr(r.body, "王") == NULL);
    resp_free(&r);

    /* Unresolved and unsatisfied: the order is reopened, once. */
    assert_int_equal(call(ANON, "POST", fmt("/api/v1/public/demands/%s/feedback?code=%s", no, code),
                          "{\"resolved\":false,\"satisfaction\":\"unsatisfied\","
                          "\"comment\":\"路灯还是不亮\"}",
                          NULL, &r),
                     200);
    assert_string_equal(jstr(r.json, "status"), "accepted");
    assert_int_equal(jint(r.json, "reopen_count"), 1);
    resp_free(&r);
    /* A second answer while it is being handled again is refused. */
    assert_int_equal(call(ANON, "POST", fmt("/api/v1/public/demands/%s/feedback?code=%s", no, code),
                          "{\"resolved\":true,\"satisfaction\":\"satisfied\"}", NULL, &r),
                     409);
    assert_problem(&r, 409, "illegal_transition");
    resp_free(&r);

    act_ok(XT_HANDLER, no, "{\"action\":\"reply\",\"reply\":\"路灯线路已更换，经回访确认恢复照明。\"}",
           "replied");
    assert_int_equal(call(ANON, "POST", fmt("/api/v1/public/demands/%s/feedback?code=%s", no, code),
                          "{\"resolved\":true,\"satisfaction\":\"basic\"}", NULL, &r),
                     200);
    assert_string_equal(jstr(r.json, "status"), "closed");
    resp_free(&r);

    /* The trail has every step, in order, with who did it. */
    get_demand(no, &r);
    assert_string_equal(jstr(r.json, "status"), "closed");
    assert_string_equal(jstr(r.json, "satisfaction"), "basic");
    assert_true(json_is_true(jget(r.json, "resolved")));
    assert_int_equal(json_array_size(jget(r.json, "events")), 7);
    json_array_foreach(jget(r.json, "events"), i, e) assert_string_equal(jstr(e, "to_status"),
                                                                         steps[i]);
    assert_string_equal(jstr(r.json, "events.2.actor"), "李强");
    assert_int_equal(json_array_size(jget(r.json, "allowed_actions")), 0);
    resp_free(&r);
}

/* ---- replying to a closed order ---- */

static void
test_reply_to_closed_changes_nothing(void **state)
{
    struct resp r, before, after;
    char no[32], code[16];
    long long top;
    (void)state;

    file_public("{\"category\":\"consult\",\"content\":\"新农合缴费截止日期是哪天？\","
                "\"contact\":{\"name\":\"李秀兰\",\"phone\":\"010-69041234\"}}",
                no, code);
    act_ok(ADMIN, no, fmt("{\"action\":\"dispatch\",\"unit_id\":%lld}", xt_id), "dispatched");
    act_ok(XT_HANDLER, no, "{\"action\":\"reply\",\"reply\":\"本年度缴费截止到12月31日。\"}",
           "replied");
    act_ok(ADMIN, no, "{\"action\":\"close\",\"note\":\"咨询类已答复\"}", "closed");

    get_demand(no, &before);
    top = audit_top();
    assert_int_equal(act(XT_HANDLER, no, "{\"action\":\"reply\",\"reply\":\"补充答复\"}", &r), 409);
    assert_problem(&r, 409, "illegal_transition");
    assert_non_null(strstr(jstr(r.json, "detail"), "已办结"));
    resp_free(&r);
    /* Nor may it be merged or dispatched again. */
    assert_int_equal(act(ADMIN, no, fmt("{\"action\":\"dispatch\",\"unit_id\":%lld}", xt_id), &r),
                     409);
    resp_free(&r);
    get_demand(no, &after);
    assert_int_equal(jint(after.json, "version"), jint(before.json, "version"));
    assert_string_equal(jstr(after.json, "reply"), "本年度缴费截止到12月31日。");
    assert_int_equal(json_array_size(jget(after.json, "events")),
                     json_array_size(jget(before.json, "events")));
    assert_int_equal(audit_top(), top);
    resp_free(&before);
    resp_free(&after);

    /* Reopened by the dispatcher once; a second reopen is refused. */
    act_ok(ADMIN, no, "{\"action\":\"reopen\",\"note\":\"群众来电反映未解决\"}", "accepted");
    act_ok(XT_HANDLER, no, "{\"action\":\"reply\",\"reply\":\"截止日期为12月31日，可在村委会代缴。\"}",
           "replied");
    act_ok(ADMIN, no,
           "{\"action\":\"callback\",\"resolved\":false,\"satisfaction\":\"unsatisfied\"}",
           "closed");
    assert_int_equal(act(ADMIN, no, "{\"action\":\"reopen\"}", &r), 409);
    assert_problem(&r, 409, "illegal_transition");
    resp_free(&r);

    /* A stale version is refused with 412. */
    {
        const char *h[] = {"If-Match: \"1\"", NULL};
        assert_int_equal(call(ADMIN, "POST", fmt("/api/v1/demands/%s/actions", no),
                              "{\"action\":\"close\"}", h, &r),
                         412);
        resp_free(&r);
    }
}

/* ---- anonymous reports ---- */

static void
test_anonymous_report(void **state)
{
    struct resp r;
    char no[32], code[16], bad[16];
    long long top;
    size_t n;
    (void)state;

    file_public("{\"category\":\"report\",\"anonymous\":true,"
                "\"content\":\"某养殖场夜间向河道直排污水。\",\"location\":\"溪翁庄镇白河沿岸\"}",
                no, code);
    assert_int_equal(call(ANON, "GET", fmt("/api/v1/public/demands/%s?code=%s", no, code), NULL,
                          NULL, &r),
                     200);
    assert_string_equal(jstr(r.json, "category"), "report");
    assert_string_equal(jstr(r.json, "status"), "submitted");
    assert_int_equal(json_array_size(jget(r.json, "events")), 1);
    resp_free(&r);
    get_demand(no, &r);
    assert_true(json_is_true(jget(r.json, "anonymous")));
    assert_true(json_is_null(jget(r.json, "contact")));
    resp_free(&r);

    /* A wrong code (or none) is 404, like an unknown ticket. */
    snprintf(bad, sizeof(bad), "%s", code);
    bad[5] = (char)('0' + (bad[5] - '0' + 1) % 10);
    assert_int_equal(call(ANON, "GET", fmt("/api/v1/public/demands/%s?code=%s", no, bad), NULL,
                          NULL, &r),
                     404);
    assert_problem(&r, 404, "not_found");
    resp_free(&r);
    assert_int_equal(call(ANON, "GET", fmt("/api/v1/public/demands/%s", no), NULL, NULL, &r), 404);
    resp_free(&r);
    assert_int_equal(call(ANON, "GET", "/api/v1/public/demands/D110118209901010001?code=123456",
                          NULL, NULL, &r),
                     404);
    resp_free(&r);
    /* Feedback with a wrong code changes nothing. */
    assert_int_equal(call(ANON, "POST", fmt("/api/v1/public/demands/%s/feedback?code=%s", no, bad),
                          "{\"resolved\":true,\"satisfaction\":\"satisfied\"}", NULL, &r),
                     404);
    resp_free(&r);

    /* Only a report may be anonymous; nothing is filed. */
    top = audit_top();
    n = demand_count("");
    assert_int_equal(call(ANON, "POST", "/api/v1/public/demands",
                          "{\"category\":\"complaint\",\"anonymous\":true,\"content\":\"投诉\"}",
                          NULL, &r),
                     400);
    assert_true(has_field_error(&r, "anonymous"));
    resp_free(&r);
    assert_int_equal(demand_count(""), n);
    assert_int_equal(audit_top(), top);
}

/* ---- bad input ---- */

static void
test_validation_changes_nothing(void **state)
{
    static const struct {
        const char *body, *field;
    } bad[] = {
        {"{\"category\":\"gossip\",\"content\":\"内容\",\"contact\":{\"name\":\"张三\","
         "\"phone\":\"13800138000\"}}",
         "category"},
        {"{\"category\":\"help\",\"content\":\"   \",\"contact\":{\"name\":\"张三\","
         "\"phone\":\"13800138000\"}}",
         "content"},
        {"{\"category\":\"help\",\"contact\":{\"name\":\"张三\",\"phone\":\"13800138000\"}}",
         "content"},
        {"{\"category\":\"help\",\"content\":\"求助\",\"contact\":{\"name\":\"张三\","
         "\"phone\":\"12345\"}}",
         "contact.phone"},
        {"{\"category\":\"help\",\"content\":\"求助\",\"contact\":{\"name\":\"\","
         "\"phone\":\"13800138000\"}}",
         "contact.name"},
        {"{\"category\":\"help\",\"content\":\"求助\"}", "contact"},
        {"{\"category\":\"help\",\"content\":\"求助\",\"contact\":{\"name\":\"张三\","
         "\"phone\":\"13800138000\"},\"urgency\":\"urgent\"}",
         "urgency"},
    };
    struct resp r;
    long long top = audit_top();
    size_t n = demand_count("");
    (void)state;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(call(ANON, "POST", "/api/v1/public/demands", bad[i].body, NULL, &r), 400);
        assert_problem(&r, 400, "validation_failed");
        if (!has_field_error(&r, bad[i].field))
            fprintf(stderr, "case %zu: %s\n", i, r.body);
        assert_true(has_field_error(&r, bad[i].field));
        resp_free(&r);
    }
    assert_int_equal(call(ANON, "POST", "/api/v1/public/demands", "[1]", NULL, &r), 400);
    resp_free(&r);
    /* The window: the same checks. */
    assert_int_equal(call(XT_CLERK, "POST", "/api/v1/demands", bad[3].body, NULL, &r), 400);
    assert_true(has_field_error(&r, "contact.phone"));
    resp_free(&r);
    assert_int_equal(demand_count(""), n);
    assert_int_equal(audit_top(), top);

    /* Bad actions on an order change nothing either. */
    {
        char no[32], code[16];
        file_public(COMPLAINT, no, code);
        top = audit_top();
        assert_int_equal(act(ADMIN, no, "{\"action\":\"fly\"}", &r), 400);
        assert_true(has_field_error(&r, "action"));
        resp_free(&r);
        assert_int_equal(act(ADMIN, no, "{\"action\":\"dispatch\"}", &r), 400);
        assert_true(has_field_error(&r, "unit_id"));
        resp_free(&r);
        assert_int_equal(act(ADMIN, no, "{\"action\":\"dispatch\",\"unit_id\":999999}", &r), 400);
        assert_true(has_field_error(&r, "unit_id"));
        resp_free(&r);
        /* Not dispatched yet: nothing to accept or reply to. */
        assert_int_equal(act(ADMIN, no, "{\"action\":\"reply\",\"reply\":\"答复\"}", &r), 403);
        resp_free(&r);
        act_ok(ADMIN, no, fmt("{\"action\":\"dispatch\",\"unit_id\":%lld}", xt_id), "dispatched");
        top = audit_top();
        assert_int_equal(act(XT_HANDLER, no, "{\"action\":\"return\"}", &r), 400);
        assert_true(has_field_error(&r, "note"));
        resp_free(&r);
        assert_int_equal(act(ADMIN, no, "{\"action\":\"extend\",\"days\":11,\"note\":\"复杂\"}", &r),
                         400);
        assert_true(has_field_error(&r, "days"));
        resp_free(&r);
        assert_int_equal(act(XT_HANDLER, no, "{\"action\":\"reply\",\"reply\":\" \"}", &r), 400);
        assert_true(has_field_error(&r, "reply"));
        resp_free(&r);
        /* Dispatcher steps are not the unit's. */
        assert_int_equal(act(XT_HANDLER, no, "{\"action\":\"extend\",\"days\":3,\"note\":\"复杂\"}",
                             &r),
                         403);
        resp_free(&r);
        assert_int_equal(audit_top(), top);

        /* Extension once, then a wrong dispatch goes back to the dispatcher. */
        act_ok(ADMIN, no, "{\"action\":\"extend\",\"days\":5,\"note\":\"需现场勘查\"}", "dispatched");
        assert_int_equal(act(ADMIN, no, "{\"action\":\"extend\",\"days\":2,\"note\":\"再延\"}", &r),
                         409);
        resp_free(&r);
        act_ok(XT_HANDLER, no, "{\"action\":\"return\",\"note\":\"属溪翁庄镇辖区\"}", "submitted");
        get_demand(no, &r);
        assert_true(json_is_null(jget(r.json, "unit")));
        resp_free(&r);
        act_ok(ADMIN, no, fmt("{\"action\":\"dispatch\",\"unit_id\":%lld}", xw_id), "dispatched");
        act_ok(XW_ADMIN, no, "{\"action\":\"accept\"}", "accepted");
    }
}

/* ---- window intake and lists ---- */

static void
test_window_and_lists(void **state)
{
    struct resp r;
    char no[32];
    json_t *e;
    size_t i;
    bool found = false;
    (void)state;

    assert_int_equal(call(XT_CLERK, "POST", "/api/v1/demands",
                          "{\"category\":\"help\",\"urgency\":\"urgent\",\"content\":\"独居老人家中"
                          "断水，请求帮助。\",\"contact\":{\"name\":\"赵桂芬\",\"phone\":"
                          "\"13700001234\"}}",
                          NULL, &r),
                     201);
    snprintf(no, sizeof(no), "%s", jstr(r.json, "ticket_no"));
    resp_free(&r);
    get_demand(no, &r);
    assert_string_equal(jstr(r.json, "channel"), "window");
    assert_string_equal(jstr(r.json, "urgency"), "urgent");
    resp_free(&r);
    /* Filed at the township's window: the township sees it and may dispatch within itself. */
    assert_int_equal(call(XT_ADMIN, "GET", "/api/v1/demands?status=submitted", NULL, NULL, &r),
                     200);
    json_array_foreach(jget(r.json, "items"), i, e) found |= strcmp(jstr(e, "ticket_no"), no) == 0;
    assert_true(found);
    resp_free(&r);
    assert_int_equal(call(XW_ADMIN, "GET", fmt("/api/v1/demands/%s", no), NULL, NULL, &r), 404);
    resp_free(&r);
    assert_int_equal(act(XT_ADMIN, no, fmt("{\"action\":\"dispatch\",\"unit_id\":%lld}",
                                          org_id(RSJ)),
                         &r),
                     400);
    assert_true(has_field_error(&r, "unit_id"));
    resp_free(&r);
    act_ok(XT_ADMIN, no, fmt("{\"action\":\"dispatch\",\"unit_id\":%lld}", xt_id), "dispatched");
    get_demand(no, &r);
    /* Urgent: due within 24 hours, not at the end of a working day. */
    assert_true(json_is_string(jget(r.json, "due_at")));
    resp_free(&r);

    /* Filters. */
    assert_int_equal(call(ADMIN, "GET", "/api/v1/demands?category=help&status=dispatched", NULL,
                          NULL, &r),
                     200);
    json_array_foreach(jget(r.json, "items"), i, e) {
        assert_string_equal(jstr(e, "category"), "help");
        assert_string_equal(jstr(e, "status"), "dispatched");
    }
    assert_true(json_array_size(jget(r.json, "items")) >= 1);
    resp_free(&r);
    /* Overdue: open orders past their deadline (the demo has some; today's are not). */
    assert_int_equal(call(ADMIN, "GET", fmt("/api/v1/demands?unit_id=%lld&overdue=true", xt_id),
                          NULL, NULL, &r),
                     200);
    json_array_foreach(jget(r.json, "items"), i, e) {
        assert_true(json_is_true(jget(e, "overdue")));
        assert_true(strcmp(jstr(e, "ticket_no"), no) != 0);
    }
    assert_true(json_array_size(jget(r.json, "items")) >= 1);
    resp_free(&r);
    assert_int_equal(call(ADMIN, "GET", "/api/v1/demands?status=nope", NULL, NULL, &r), 400);
    assert_true(has_field_error(&r, "status"));
    resp_free(&r);
    assert_int_equal(call(ADMIN, "GET", "/api/v1/demands?overdue=maybe", NULL, NULL, &r), 400);
    resp_free(&r);
    /* Paging. */
    assert_int_equal(call(ADMIN, "GET", "/api/v1/demands?limit=1", NULL, NULL, &r), 200);
    assert_int_equal(json_array_size(jget(r.json, "items")), 1);
    assert_true(json_is_string(jget(r.json, "next_cursor")));
    resp_free(&r);
}

/* ---- 12345 imports ---- */

#define IMPORT_BATCH                                                                           \
    "{\"orders\":[{\"hotline_no\":\"12345-20261205-0001\",\"category\":\"complaint\","         \
    "\"content\":\"小区供暖温度不达标。\",\"contact\":{\"name\":\"孙立新\",\"phone\":"           \
    "\"13600002222\"}},{\"hotline_no\":\"12345-20261205-0002\",\"category\":\"report\","       \
    "\"anonymous\":true,\"content\":\"有人在山林附近焚烧秸秆。\",\"urgency\":\"urgent\"}]}"

static void
test_import_idempotent(void **state)
{
    struct resp r;
    char tok[96];
    long long top;
    size_t n;
    (void)state;

    assert_int_equal(call(ADMIN, "POST", "/api/v1/demands/import", IMPORT_BATCH, NULL, &r), 200);
    assert_int_equal(json_array_size(jget(r.json, "created")), 2);
    assert_int_equal(json_array_size(jget(r.json, "existing")), 0);
    resp_free(&r);
    assert_int_equal(demand_count("&hotline_no=12345-20261205-0001"), 1);

    /* The same batch again, this time with an API token as the hotline system would. */
    assert_int_equal(call(ADMIN, "POST", "/api/v1/api-tokens",
                          "{\"name\":\"12345热线对接\",\"user_id\":1}", NULL, &r),
                     201);
    snprintf(tok, sizeof(tok), "%s", jstr(r.json, "token"));
    resp_free(&r);
    {
        struct session bearer;
        memset(&bearer, 0, sizeof(bearer));
        memcpy(bearer.bearer, tok, sizeof(bearer.bearer));
        top = audit_top();
        n = demand_count("");
        req(&srv, &bearer, "POST", "/api/v1/demands/import", IMPORT_BATCH, NULL, &r);
        assert_int_equal(r.status, 200);
        assert_int_equal(json_array_size(jget(r.json, "created")), 0);
        assert_int_equal(json_array_size(jget(r.json, "existing")), 2);
        resp_free(&r);
        assert_int_equal(demand_count(""), n);
        assert_int_equal(audit_top(), top);
    }
}

static void
test_import_bad_batch(void **state)
{
    struct resp r;
    long long top = audit_top();
    size_t n = demand_count("");
    (void)state;

    /* The second order is bad: the first is not filed either. */
    assert_int_equal(call(ADMIN, "POST", "/api/v1/demands/import",
                          "{\"orders\":[{\"hotline_no\":\"12345-X-1\",\"category\":\"help\","
                          "\"content\":\"求助\",\"contact\":{\"name\":\"周梅\",\"phone\":"
                          "\"13500001111\"}},{\"hotline_no\":\"12345-X-2\",\"category\":\"help\","
                          "\"content\":\"\",\"contact\":{\"name\":\"周梅\",\"phone\":\"1\"}}]}",
                          NULL, &r),
                     400);
    assert_true(has_field_error(&r, "orders[1].content"));
    assert_true(has_field_error(&r, "orders[1].contact.phone"));
    resp_free(&r);
    assert_int_equal(call(ADMIN, "POST", "/api/v1/demands/import",
                          "{\"orders\":[{\"hotline_no\":\"12345-X-3\",\"category\":\"help\","
                          "\"content\":\"求助\",\"anonymous\":true},{\"hotline_no\":\"12345-X-3\","
                          "\"category\":\"report\",\"content\":\"举报\",\"anonymous\":true}]}",
                          NULL, &r),
                     400);
    assert_true(has_field_error(&r, "orders[0].anonymous"));
    resp_free(&r);
    assert_int_equal(call(ADMIN, "POST", "/api/v1/demands/import", "{\"orders\":[]}", NULL, &r),
                     400);
    assert_true(has_field_error(&r, "orders"));
    resp_free(&r);
    assert_int_equal(demand_count(""), n);
    assert_int_equal(demand_count("&hotline_no=12345-X-1"), 0);
    assert_int_equal(audit_top(), top);
}

/* ---- merging duplicates ---- */

static void
test_merge_duplicates(void **state)
{
    struct resp r;
    char a[32], b[32], code_a[16], code_b[16];
    (void)state;

    file_public(COMPLAINT, a, code_a);
    file_public(COMPLAINT, b, code_b);
    assert_int_equal(act(ADMIN, b, fmt("{\"action\":\"merge\",\"target\":\"%s\"}", b), &r), 400);
    assert_true(has_field_error(&r, "target"));
    resp_free(&r);
    assert_int_equal(act(ADMIN, b, "{\"action\":\"merge\",\"target\":\"D110118209901010001\"}", &r),
                     400);
    resp_free(&r);
    act_ok(ADMIN, b, fmt("{\"action\":\"merge\",\"target\":\"%s\",\"note\":\"重复反映\"}", a),
           "merged");
    get_demand(b, &r);
    assert_string_equal(jstr(r.json, "merged_into"), a);
    resp_free(&r);
    /* The duplicate's citizen sees where it went. */
    assert_int_equal(call(ANON, "GET", fmt("/api/v1/public/demands/%s?code=%s", b, code_b), NULL,
                          NULL, &r),
                     200);
    assert_string_equal(jstr(r.json, "merged_into"), a);
    resp_free(&r);
    /* The target records the merge; merging into a merged order is refused. */
    get_demand(a, &r);
    assert_string_equal(jstr(r.json, "events.1.action"), "merge");
    resp_free(&r);
    assert_int_equal(act(ADMIN, a, fmt("{\"action\":\"merge\",\"target\":\"%s\"}", b), &r), 400);
    resp_free(&r);
    assert_int_equal(act(ADMIN, b, fmt("{\"action\":\"merge\",\"target\":\"%s\"}", a), &r), 409);
    resp_free(&r);
}

/* ---- who may call what ---- */

static void
test_authorization_matrix(void **state)
{
    /* Bodies are empty or harmless and tickets unknown, so allowed calls fail validation or
     * find nothing instead of changing data. */
    static const struct {
        const char *method, *path, *body;
        unsigned allowed;
        bool anon;
    } routes[] = {
        {"POST", "/api/v1/public/demands", "{}", R_ALL, true},
        {"GET", "/api/v1/public/demands/D110118209901010001?code=000000", NULL, R_ALL, true},
        {"POST", "/api/v1/public/demands/D110118209901010001/feedback?code=000000", "{}", R_ALL,
         true},
        {"POST", "/api/v1/demands", "{}", R(ADMIN) | R(XT_CLERK) | R(XT_ADMIN) | R(XW_CLERK) |
                                             R(XW_ADMIN), false},
        {"POST", "/api/v1/demands/import", "{}", R(ADMIN), false},
        {"GET", "/api/v1/demands", NULL, R_ALL & ~R(EVALUATOR) & ~R(CITIZEN), false},
        {"GET", "/api/v1/demands/D110118209901010001", NULL, R_ALL & ~R(EVALUATOR) & ~R(CITIZEN),
         false},
        {"POST", "/api/v1/demands/D110118209901010001/actions", "{}",
         R(ADMIN) | R(XT_HANDLER) | R(XT_ADMIN) | R(XW_ADMIN) | R(RSJ_HANDLER) | R(SUPERVISOR),
         false},
    };
    long long before = audit_top();
    struct resp r;
    (void)state;

    for (size_t k = 0; k < sizeof(routes) / sizeof(routes[0]); k++) {
        for (int i = -1; i < N_ROLES; i++) {
            bool ok = i < 0 ? routes[k].anon : (routes[k].allowed & R(i)) != 0;
            req(&srv, i < 0 ? NULL : &ss[i], routes[k].method, routes[k].path, routes[k].body,
                NULL, &r);
            if (ok ? (r.status == 401 || r.status == 403)
                   : (r.status != (i < 0 ? 401 : 403)))
                fprintf(stderr, "%s %s as %s: %ld\n", routes[k].method, routes[k].path,
                        i < 0 ? "anonymous" : users[i], r.status);
            if (ok)
                assert_true(r.status != 401 && r.status != 403 && r.status < 500);
            else if (i < 0)
                assert_problem(&r, 401, "unauthenticated");
            else
                assert_problem(&r, 403, "forbidden");
            resp_free(&r);
        }
    }
    assert_int_equal(audit_top(), before);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_complaint_path),
        cmocka_unit_test(test_reply_to_closed_changes_nothing),
        cmocka_unit_test(test_anonymous_report),
        cmocka_unit_test(test_validation_changes_nothing),
        cmocka_unit_test(test_window_and_lists),
        cmocka_unit_test(test_import_idempotent),
        cmocka_unit_test(test_import_bad_batch),
        cmocka_unit_test(test_merge_duplicates),
        cmocka_unit_test(test_authorization_matrix),
        cmocka_unit_test(test_public_posts_limited),
    };
    return cmocka_run_group_tests_name(getenv("BIANMIN_TEST_PG") ? "demands (postgres)"
                                                                 : "demands (sqlite)",
                                       tests, group_setup, group_teardown);
}
