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

#include "client.h"

#define PW "Bianmin2026"
#define PER_THREAD 25
#define THREADS_PER_SERVER 2

static struct server a, b;
static struct session admin_a;
static long long parent_id;

static int
setup(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_ALL);
    if (getenv("BIANMIN_TEST_PG") == NULL || !server_prepare(&a))
        return -1;
    b = a; /* same store and folder, its own process and port */
    if (!server_start(&a, NULL) || !server_start(&b, NULL))
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
    assert_int_equal(run("%s demo --db %s --no-serve > /dev/null 2>&1", a.bin, lite), 0);

    /* SQLite -> PostgreSQL: everything arrives, counts and chain checked by the command. */
    assert_int_equal(run("%s migrate-store --from %s --to '%s' > %s/move.out 2>&1", a.bin, lite,
                         pg, a.dir),
                     0);
    assert_int_equal(run("grep -q 'users            12 rows' %s/move.out", a.dir), 0);
    assert_int_equal(run("psql -At '%s' -c 'SELECT count(*) FROM org_units' | grep -qx "
                         "\"$(sqlite3 %s 'SELECT count(*) FROM org_units')\"", pg, lite),
                     0);
    assert_int_equal(run("%s audit verify --db '%s' > /dev/null 2>&1", a.bin, pg), 0);
    /* A second move into the now full database is refused and writes nothing. */
    assert_int_equal(run("%s migrate-store --from %s --to '%s' > /dev/null 2>&1", a.bin, lite, pg),
                     1);
    assert_int_equal(run("psql -At '%s' -c 'SELECT count(*) FROM users' | grep -qx 12", pg), 0);

    /* The moved county serves: passwords, sessions and new ids work. */
    memset(&c, 0, sizeof(c));
    c = a;
    snprintf(c.db, sizeof(c.db), "%s", pg);
    assert_true(server_start(&c, NULL));
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
        cmocka_unit_test(test_both_stop_cleanly),
        cmocka_unit_test(test_migrate_store_sqlite_to_postgres_and_back),
    };
    return cmocka_run_group_tests_name("processes and store moves (postgres)", tests, setup,
                                       teardown);
}
