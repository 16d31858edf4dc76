/*
 * Several `bianmin serve` processes on one PostgreSQL database, as a province runs them
 * behind a load balancer: a session opened on one process works on the other, and writes
 * hammered through both at once all land, with unique ids and one unbroken audit chain.
 * Also: moving a county's store from SQLite to PostgreSQL and back with migrate-store.
 * Runs only against PostgreSQL (BIANMIN_TEST_PG); SQLite is one process by design.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <pthread.h>
#include <time.h>

#include "client.h"

#define PW "Bianmin2026"
#define PER_THREAD 25
#define THREADS_PER_SERVER 2

static struct server a, b;
static struct session admin_a;
static long long parent_id;
static char sms_a[400], sms_b[400];

static int
setup(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_ALL);
    if (getenv("BIANMIN_TEST_PG") == NULL || !server_prepare(&a))
        return -1;
    b = a; /* same store and folder, its own process and port */
    /* Each process writes the text messages it sends to its own file, so the test can
     * tell that no message went out twice. */
    snprintf(sms_a, sizeof(sms_a), "notify_file=%s/sms-a.log", a.dir);
    snprintf(sms_b, sizeof(sms_b), "notify_file=%s/sms-b.log", a.dir);
    if (!server_start(&a, (const char *const[]){"--set", sms_a, NULL}) ||
        !server_start(&b, (const char *const[]){"--set", sms_b, NULL}))
        return -1;
    return login(&a, &admin_a, "admin", PW) == 200 ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    if (b.pid > 0)
        (void)server_stop(&b);
    if (a.pid > 0)
        (void)server_stop(&a);
    server_cleanup(&a);
    curl_global_cleanup();
    return 0;
}

static long long
audit_top(struct server *s, struct session *ss)
{
    struct resp r;
    long long id;
    assert_int_equal(req(s, ss, "GET", "/api/v1/audit?limit=1", NULL, NULL, &r), 200);
    id = json_integer_value(json_object_get(json_array_get(json_object_get(r.json, "items"), 0),
                                            "id"));
    resp_free(&r);
    return id;
}

static void
test_session_shared_across_processes(void **state)
{
    struct resp r;
    (void)state;
    /* Logged in through A, used through B; logged out through B, gone on A. */
    struct session s;
    assert_int_equal(login(&a, &s, "xtgz_clerk", PW), 200);
    assert_int_equal(req(&b, &s, "GET", "/api/v1/me", NULL, NULL, &r), 200);
    resp_free(&r);
    assert_int_equal(req(&b, &s, "DELETE", "/api/v1/session", NULL, NULL, &r), 204);
    resp_free(&r);
    assert_int_equal(req(&a, &s, "GET", "/api/v1/me", NULL, NULL, &r), 401);
    resp_free(&r);
    /* Find the township the hammer writes under. */
    assert_int_equal(req(&a, &admin_a, "GET", "/api/v1/org-units?flat=true", NULL, NULL, &r), 200);
    {
        json_t *e;
        size_t i;
        json_array_foreach(json_object_get(r.json, "items"), i, e) {
            if (strcmp(json_string_value(json_object_get(e, "name")), "西田各庄镇") == 0)
                parent_id = json_integer_value(json_object_get(e, "id"));
        }
    }
    resp_free(&r);
    assert_true(parent_id > 0);
}

struct worker {
    struct server *srv;
    int index;
    int ok;
    long long ids[PER_THREAD];
};

static void *
hammer(void *arg)
{
    struct worker *w = arg;
    char body[256];
    struct resp r;

    for (int i = 0; i < PER_THREAD; i++) {
        snprintf(body, sizeof(body),
                 "{\"name\":\"压力测试办公室-%d-%d\",\"kind\":\"office\",\"parent_id\":%lld}",
                 w->index, i, parent_id);
        if (req(w->srv, &admin_a, "POST", "/api/v1/org-units", body, NULL, &r) == 201) {
            w->ids[w->ok++] = json_integer_value(json_object_get(r.json, "id"));
        } else {
            fprintf(stderr, "worker %d: %ld %s\n", w->index, r.status, r.body ? r.body : "");
        }
        resp_free(&r);
    }
    return NULL;
}

static int
cmp_ll(const void *x, const void *y)
{
    long long p = *(const long long *)x, q = *(const long long *)y;
    return p < q ? -1 : p > q;
}

static void
test_concurrent_writes_through_two_processes(void **state)
{
    enum { N = 2 * THREADS_PER_SERVER };
    struct worker w[N];
    pthread_t th[N];
    long long before = audit_top(&a, &admin_a), all[N * PER_THREAD];
    int total = 0;
    (void)state;

    for (int i = 0; i < N; i++) {
        memset(&w[i], 0, sizeof(w[i]));
        w[i].srv = i % 2 ? &b : &a;
        w[i].index = i;
        pthread_create(&th[i], NULL, hammer, &w[i]);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        for (int k = 0; k < w[i].ok; k++)
            all[total++] = w[i].ids[k];
    }
    /* Every write was acknowledged, and every acknowledged write is there, once. */
    assert_int_equal(total, N * PER_THREAD);
    qsort(all, (size_t)total, sizeof(all[0]), cmp_ll);
    for (int i = 1; i < total; i++)
        assert_true(all[i] != all[i - 1]);
    for (int i = 0; i < total; i += 7) {
        struct resp r;
        char path[64];
        snprintf(path, sizeof(path), "/api/v1/org-units/%lld", all[i]);
        assert_int_equal(req(i % 2 ? &a : &b, &admin_a, "GET", path, NULL, NULL, &r), 200);
        resp_free(&r);
    }
    /* One audit entry per write, consecutive, and the chain verifies end to end. */
    assert_int_equal(audit_top(&b, &admin_a), before + N * PER_THREAD);
    assert_int_equal(run("%s audit verify --db '%s' > /dev/null 2>&1", a.bin, a.db), 0);
}

/* ---- cases accepted through both processes at once ---- */

#define CASES_PER_THREAD 20

struct case_worker {
    struct server *srv;
    struct session ss;
    const char *body;
    int ok;
    char nos[CASES_PER_THREAD][32];
};

static void *
accept_cases(void *arg)
{
    struct case_worker *w = arg;
    struct resp r;

    for (int i = 0; i < CASES_PER_THREAD; i++) {
        if (req(w->srv, &w->ss, "POST", "/api/v1/cases", w->body, NULL, &r) == 201 &&
            strcmp(json_string_value(json_object_get(r.json, "status")), "accepted") == 0)
            snprintf(w->nos[w->ok++], sizeof(w->nos[0]), "%s",
                     json_string_value(json_object_get(r.json, "case_no")));
        else
            fprintf(stderr, "case worker: %ld %s\n", r.status, r.body ? r.body : "");
        resp_free(&r);
    }
    return NULL;
}

static int
cmp_str(const void *x, const void *y)
{
    return strcmp((const char *)x, (const char *)y);
}

/* Lines in both processes' message logs, and whether any outbox id appears twice. */
static int
sent_messages(bool *dup)
{
    char path[400], line[4096];
    long long ids[4096];
    int n = 0;

    *dup = false;
    for (int k = 0; k < 2; k++) {
        FILE *f;
        snprintf(path, sizeof(path), "%s/sms-%c.log", a.dir, k ? 'b' : 'a');
        if ((f = fopen(path, "r")) == NULL)
            continue;
        while (n < 4096 && fgets(line, sizeof(line), f))
            ids[n++] = strtoll(line + strlen("{\"id\":"), NULL, 10);
        fclose(f);
    }
    qsort(ids, (size_t)n, sizeof(ids[0]), cmp_ll);
    for (int i = 1; i < n; i++)
        *dup |= ids[i] == ids[i - 1];
    return n;
}

static void
test_concurrent_case_acceptance(void **state)
{
    enum { N = 2 * THREADS_PER_SERVER, TOTAL = N * CASES_PER_THREAD };
    struct case_worker w[N];
    pthread_t th[N];
    static char all[TOTAL][32];
    char body[4096], materials[3000] = "";
    long long item = 0;
    int total = 0, sent = 0;
    bool dup = false;
    struct resp r;
    json_t *e, *m;
    size_t i, k;
    (void)state;

    /* A county-wide item any township window takes, with every material handed in. */
    assert_int_equal(req(&a, NULL, "GET", "/api/v1/items?limit=100", NULL, NULL, &r), 200);
    json_array_foreach(json_object_get(r.json, "items"), i, e) {
        json_t *o;
        size_t q;
        json_array_foreach(json_object_get(e, "service_objects"), q, o) {
            if (item == 0 && json_is_true(json_object_get(e, "county_wide")) &&
                strcmp(json_string_value(o), "natural_person") == 0)
                item = json_integer_value(json_object_get(e, "id"));
        }
    }
    resp_free(&r);
    assert_true(item > 0);
    {
        char path[64];
        snprintf(path, sizeof(path), "/api/v1/items/%lld", item);
        assert_int_equal(req(&a, NULL, "GET", path, NULL, NULL, &r), 200);
    }
    json_array_foreach(json_object_get(r.json, "materials"), k, m) {
        size_t len = strlen(materials);
        snprintf(materials + len, sizeof(materials) - len, "%s{\"name\":\"%s\",\"provided\":true}",
                 k ? "," : "", json_string_value(json_object_get(m, "name")));
    }
    resp_free(&r);
    snprintf(body, sizeof(body),
             "{\"item_id\":%lld,\"channel\":\"window\",\"accept\":true,\"applicant\":{\"name\":"
             "\"压力测试\",\"id_type\":\"resident_id\",\"id_number\":\"110119198001010014\","
             "\"phone\":\"13800000000\"},\"materials\":[%s]}",
             item, materials);
    for (int t = 0; t < N; t++) {
        memset(&w[t], 0, sizeof(w[t]));
        w[t].srv = t % 2 ? &b : &a;
        w[t].body = body;
        assert_int_equal(login(w[t].srv, &w[t].ss, "xtgz_clerk", PW), 200);
    }
    for (int t = 0; t < N; t++)
        pthread_create(&th[t], NULL, accept_cases, &w[t]);
    for (int t = 0; t < N; t++) {
        pthread_join(th[t], NULL);
        for (int j = 0; j < w[t].ok; j++)
            memcpy(all[total++], w[t].nos[j], sizeof(all[0]));
    }
    /* Every acceptance answered, and the numbers one town's day sequence without gaps:
     * same 20-digit prefix (town code and date), sequences first .. first + TOTAL - 1. */
    assert_int_equal(total, TOTAL);
    qsort(all, TOTAL, sizeof(all[0]), cmp_str);
    for (int j = 0; j < TOTAL; j++) {
        assert_int_equal(strlen(all[j]), 26);
        assert_memory_equal(all[j], all[0], 20);
        assert_int_equal(strtol(all[j] + 20, NULL, 10), strtol(all[0] + 20, NULL, 10) + j);
    }
    for (int j = 0; j < TOTAL; j += 9) {
        char path[80];
        snprintf(path, sizeof(path), "/api/v1/cases/%s", all[j]);
        assert_int_equal(req(j % 2 ? &a : &b, &w[0].ss, "GET", path, NULL, NULL, &r), 200);
        assert_string_equal(json_string_value(json_object_get(r.json, "status")), "accepted");
        resp_free(&r);
    }
    /* Each acceptance queued one text message; the two senders shared them out, none twice. */
    for (int tries = 0; tries < 100 && (sent = sent_messages(&dup)) < TOTAL; tries++) {
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(sent, TOTAL);
    assert_false(dup);
    assert_int_equal(run("%s audit verify --db '%s' > /dev/null 2>&1", a.bin, a.db), 0);
}

/* A database URL on the same server as BIANMIN_TEST_PG, with another database name. */
static void
sibling_db(const char *name, char *out, size_t size)
{
    const char *base = getenv("BIANMIN_TEST_PG"), *slash = strrchr(base, '/');
    snprintf(out, size, "%.*s/%s", (int)(slash - base), base, name);
}

static void
test_migrate_store_sqlite_to_postgres_and_back(void **state)
{
    char pg[300], lite[300], back[300];
    struct server c;
    struct session s;
    struct resp r;
    (void)state;

    sibling_db("bianmin_move", pg, sizeof(pg));
    snprintf(lite, sizeof(lite), "%s/county.db", a.dir);
    snprintf(back, sizeof(back), "%s/back.db", a.dir);
    assert_int_equal(run("psql -q '%s' -c 'CREATE DATABASE bianmin_move'", a.db), 0);
    /* The county's data key lives beside its file and moves with it. */
    assert_int_equal(run("%s demo --db %s --no-serve --cases 300 --set data_key_file=%s.key > /dev/null 2>&1",
                         a.bin, lite, lite),
                     0);

    /* SQLite -> PostgreSQL: everything arrives, counts and chain checked by the command. */
    assert_int_equal(run("%s migrate-store --from %s --to '%s' > %s/move.out 2>&1", a.bin, lite,
                         pg, a.dir),
                     0);
    assert_int_equal(run("grep -q 'users            14 rows' %s/move.out", a.dir), 0);
    assert_int_equal(run("psql -At '%s' -c 'SELECT count(*) FROM org_units' | grep -qx "
                         "\"$(sqlite3 %s 'SELECT count(*) FROM org_units')\"", pg, lite),
                     0);
    assert_int_equal(run("%s audit verify --db '%s' > /dev/null 2>&1", a.bin, pg), 0);
    /* A second move into the now full database is refused and writes nothing. */
    assert_int_equal(run("%s migrate-store --from %s --to '%s' > /dev/null 2>&1", a.bin, lite, pg),
                     1);
    assert_int_equal(run("psql -At '%s' -c 'SELECT count(*) FROM users' | grep -qx 14", pg), 0);

    /* The moved county serves: passwords, sessions and new ids work. */
    memset(&c, 0, sizeof(c));
    c = a;
    snprintf(c.db, sizeof(c.db), "%s", pg);
    {
        /* The county's data key moves with it: sealed personal data still opens. */
        char key[400], no[64] = "", path[400];
        FILE *p;
        snprintf(key, sizeof(key), "data_key_file=%s.key", lite);
        assert_true(server_start(&c, (const char *const[]){"--set", key, NULL}));
        snprintf(path, sizeof(path), "sqlite3 %s 'SELECT case_no FROM cases ORDER BY id LIMIT 1'", lite);
        assert_non_null(p = popen(path, "r"));
        assert_non_null(fgets(no, sizeof(no), p));
        pclose(p);
        no[strcspn(no, "\n")] = '\0';
        assert_int_equal(login(&c, &s, "admin", PW), 200);
        snprintf(path, sizeof(path), "/api/v1/cases/%s", no);
        assert_int_equal(req(&c, &s, "GET", path, NULL, NULL, &r), 200);
        assert_true(json_is_string(json_object_get(json_object_get(r.json, "applicant"), "id_number")));
        resp_free(&r);
    }
    assert_int_equal(login(&c, &s, "xtgz_admin", PW), 200);
    assert_int_equal(req(&c, &s, "POST", "/api/v1/org-units",
                         "{\"name\":\"迁移后新建办公室\",\"kind\":\"office\",\"parent_id\":1}",
                         NULL, &r),
                     400); /* parent outside a township administrator's scope */
    resp_free(&r);
    assert_int_equal(login(&c, &s, "admin", PW), 200);
    assert_int_equal(req(&c, &s, "POST", "/api/v1/org-units",
                         "{\"name\":\"迁移后新建部门\",\"kind\":\"department\",\"parent_id\":1}",
                         NULL, &r),
                     201);
    assert_true(json_integer_value(json_object_get(r.json, "id")) > 70);
    resp_free(&r);
    assert_int_equal(server_stop(&c), 0);

    /* ... and back to a new SQLite file, chain intact. */
    assert_int_equal(run("%s migrate-store --from '%s' --to %s > /dev/null 2>&1", a.bin, pg, back),
                     0);
    assert_int_equal(run("%s audit verify --db %s > /dev/null 2>&1", a.bin, back), 0);
    assert_int_equal(run("sqlite3 %s \"SELECT name FROM org_units ORDER BY id DESC LIMIT 1\" | "
                         "grep -qx 迁移后新建部门",
                         back),
                     0);
    /* A source whose audit chain is broken is refused, and the target stays empty. */
    assert_int_equal(run("sqlite3 %s \"UPDATE audit_log SET actor = 'x' WHERE id = 3\"", back), 0);
    sibling_db("bianmin_move2", pg, sizeof(pg));
    assert_int_equal(run("psql -q '%s' -c 'CREATE DATABASE bianmin_move2'", a.db), 0);
    assert_int_equal(run("%s migrate-store --from %s --to '%s' > %s/move2.out 2>&1", a.bin, back,
                         pg, a.dir),
                     1);
    assert_int_equal(run("grep -q '审计链' %s/move2.out", a.dir), 0);
    assert_int_equal(run("psql -At '%s' -c 'SELECT count(*) FROM org_units' | grep -qx 0", pg), 0);
}

static void
test_both_stop_cleanly(void **state)
{
    (void)state;
    assert_int_equal(server_stop(&a), 0);
    assert_int_equal(server_stop(&b), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_session_shared_across_processes),
        cmocka_unit_test(test_concurrent_writes_through_two_processes),
        cmocka_unit_test(test_concurrent_case_acceptance),
        cmocka_unit_test(test_both_stop_cleanly),
        cmocka_unit_test(test_migrate_store_sqlite_to_postgres_and_back),
    };
    return cmocka_run_group_tests_name("processes and store moves (postgres)", tests, setup,
                                       teardown);
}
