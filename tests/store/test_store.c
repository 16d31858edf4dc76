/*
 * Store contract suite: what every caller relies on from store.h and audit_verify.h,
 * checked against a fresh database per test. The backend-specific pieces (where the
 * database lives, how to reach it behind the server's back for the tamper tests) are the
 * helpers at the top; a PostgreSQL run replaces only those. Both backends must agree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/audit.h"
#include "core/disclosure.h"
#include "core/roles.h"
#include "store/audit_verify.h"
#include "store/store.h"
#include "util/metrics.h"
#include "util/log.h"
#include "../sync_fault.h"

/* A fixed "now" (2023-11-14 22:13:20 UTC); every instant in the suite is relative to it. */
#define T0 ((int64_t)1700000000)

struct fx {
    char dir[64];              /* private temporary directory of this test */
    char path[128];            /* the database file */
    char url[160];             /* what bm_store_open is given */
    struct bm_store *st;       /* connection A */
    struct bm_store *st2;      /* second connection or opened backup, closed by teardown */
    struct bm_arena *a;
    struct bm_err err;
};

/* ------------------------------------------------------------------------------------
 * Backend-specific helpers. The suite runs on SQLite, and on PostgreSQL when
 * BIANMIN_TEST_PG names a scratch database (scripts/test-pg.sh starts a throwaway server);
 * there each test starts from an empty schema.
 * ------------------------------------------------------------------------------------ */

static const char *pg_url; /* NULL: SQLite */

/* Runs `sql` on the PostgreSQL database through a connection of its own. */
static void
pg_raw(const char *sql)
{
    PGconn *c = PQconnectdb(pg_url);
    PGresult *r;

    assert_int_equal(PQstatus(c), CONNECTION_OK);
    r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        print_error("raw SQL failed: %s\n", PQresultErrorMessage(r));
    assert_true(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK);
    PQclear(r);
    PQfinish(c);
}

static void
backend_create(struct fx *f)
{
    snprintf(f->dir, sizeof(f->dir), "/tmp/bm-store-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/bianmin.db", f->dir);
    if (pg_url != NULL) {
        snprintf(f->url, sizeof(f->url), "%s", pg_url);
        pg_raw("SET client_min_messages = warning; DROP SCHEMA IF EXISTS public CASCADE; "
               "CREATE SCHEMA public");
    } else {
        snprintf(f->url, sizeof(f->url), "sqlite:%s", f->path);
    }
}

/* A 32-byte hash as an SQL literal of the backend's byte-string type. */
static void
backend_blob_literal(const char *hex, char *out, size_t out_size)
{
    if (pg_url != NULL)
        snprintf(out, out_size, "'\\x%s'::bytea", hex);
    else
        snprintf(out, out_size, "X'%s'", hex);
}

/* Removes the directory and everything SQLite left in it (-wal, -shm, backups). */
static void
backend_destroy(struct fx *f)
{
    DIR *d = opendir(f->dir);
    struct dirent *de;

    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            (void)unlinkat(dirfd(d), de->d_name, 0); /* best effort: rmdir reports leftovers */
    }
    closedir(d);
    if (rmdir(f->dir) != 0)
        print_error("could not remove %s\n", f->dir);
}

/* Destination for bm_store_backup and the URL that opens the copy. */
static void
backend_backup_target(struct fx *f, const char *name, char *dest, size_t dest_size, char *url,
                      size_t url_size)
{
    snprintf(dest, dest_size, "%s/%s", f->dir, name);
    snprintf(url, url_size, "sqlite:%s", dest);
}

/*
 * Runs `sql` on the database file through a raw connection of its own, as someone with
 * access to the file could while the server runs. Only the tamper tests use this.
 */
static void
backend_tamper(struct fx *f, const char *sql)
{
    sqlite3 *db = NULL;
    char *msg = NULL;
    int src;

    if (pg_url != NULL) {
        pg_raw(sql);
        return;
    }
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    src = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (src != SQLITE_OK)
        print_error("tamper failed: %s\n", msg ? msg : sqlite3_errstr(src));
    sqlite3_free(msg);
    sqlite3_close(db);
    assert_int_equal(src, SQLITE_OK);
}

/* Records a migration this binary does not know, as a newer bianmin would have. */
static void
backend_fake_newer_schema(struct fx *f)
{
    backend_tamper(f, "INSERT INTO schema_migrations (version, name, applied_at) "
                      "VALUES (9999, '9999_from_the_future.sql', 0)");
}

/* The single integer `sql` gives, read through a raw connection of its own (row counts the
 * store interface does not expose, such as stored blobs). */
static int64_t
backend_count(struct fx *f, const char *sql)
{
    int64_t n = -1;

    if (pg_url != NULL) {
        PGconn *c = PQconnectdb(pg_url);
        PGresult *r = PQexec(c, sql);
        bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
        if (ok)
            n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        else
            print_error("count failed: %s\n", PQerrorMessage(c));
        PQclear(r);
        PQfinish(c);
        assert_true(ok);
    } else {
        sqlite3 *db = NULL;
        sqlite3_stmt *s = NULL;
        int src;

        assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
        sqlite3_busy_timeout(db, 5000);
        src = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
        if (src == SQLITE_OK && (src = sqlite3_step(s)) == SQLITE_ROW)
            n = sqlite3_column_int64(s, 0);
        else
            print_error("count failed: %s\n", sqlite3_errmsg(db));
        sqlite3_finalize(s);
        sqlite3_close(db);
        assert_int_equal(src, SQLITE_ROW);
    }
    return n;
}

/* ------------------------------------------------------------------------------------
 * Generic helpers: only the public store interface from here on.
 * ------------------------------------------------------------------------------------ */

/* Runs `call`, which fills f->err, and asserts its code, printing the store's message. */
#define EXPECT_RC(f, want, call)                                                              \
    do {                                                                                      \
        enum bm_rc rc_;                                                                       \
        bm_err_clear(&(f)->err);                                                              \
        rc_ = (call);                                                                         \
        if (rc_ != (want))                                                                    \
            print_error("%s:%d: %s\n  gave %s (%s), want %s\n", __FILE__, __LINE__, #call,    \
                        bm_rc_code(rc_), (f)->err.message, bm_rc_code(want));                 \
        assert_int_equal(rc_, (want));                                                        \
    } while (0)
#define EXPECT_OK(f, call) EXPECT_RC(f, BM_OK, call)

static int
setup_empty(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    backend_create(f);
    EXPECT_OK(f, bm_store_open(f->url, &f->st, &f->err));
    f->a = bm_arena_new((size_t)1 << 20);
    assert_non_null(f->a);
    *state = f;
    return 0;
}

static int
setup(void **state)
{
    struct fx *f;
    int n = 0;

    setup_empty(state);
    f = *state;
    EXPECT_OK(f, bm_store_migrate(f->st, &n, &f->err));
    assert_true(n > 0);
    return 0;
}

static int
teardown(void **state)
{
    struct fx *f = *state;

    if (f->st != NULL)
        bm_store_rollback(f->st);
    if (f->st2 != NULL)
        bm_store_rollback(f->st2);
    bm_store_close(f->st2);
    bm_store_close(f->st);
    bm_arena_free(f->a);
    backend_destroy(f);
    free(f);
    return 0;
}

/* "/a/b/c/" for the ids given: the path the store must maintain. */
static const char *
mkpath(struct fx *f, int n, ...)
{
    char buf[256];
    size_t k = 0;
    va_list ap;

    buf[k++] = '/';
    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        int w = snprintf(buf + k, sizeof(buf) - k, "%" PRId64 "/", va_arg(ap, int64_t));
        assert_true(w > 0 && (size_t)w < sizeof(buf) - k);
        k += (size_t)w;
    }
    va_end(ap);
    buf[k] = '\0';
    return bm_arena_strdup(f->a, buf);
}

static int64_t
add_org_full(struct fx *f, int64_t parent, enum bm_org_kind kind, const char *name,
             const char *code, enum bm_mgmt_mode mode)
{
    struct bm_org_unit u = {
        .parent_id = parent,
        .kind = kind,
        .name = name,
        .division_code = code,
        .credit_code = "",
        .mgmt_mode = mode,
        .is_active = true,
    };
    int64_t id = 0;

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_org_insert(f->st, &u, T0, &id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    assert_true(id > 0);
    return id;
}

static int64_t
add_org(struct fx *f, int64_t parent, enum bm_org_kind kind, const char *name, const char *code)
{
    return add_org_full(f, parent, kind, name, code, BM_MGMT_NONE);
}

static struct bm_org_unit
get_org(struct fx *f, int64_t id)
{
    struct bm_org_unit u;

    EXPECT_OK(f, bm_store_org_get(f->st, id, f->a, &u, &f->err));
    return u;
}

static int64_t
org_count(struct fx *f)
{
    int64_t n = -1;

    EXPECT_OK(f, bm_store_org_count(f->st, &n, &f->err));
    return n;
}

static int64_t
add_user(struct fx *f, const char *username, unsigned roles, int64_t org_unit_id)
{
    struct bm_user u = {
        .username = username,
        .display_name = "测试用户",
        .phone = "",
        .roles = roles,
        .org_unit_id = org_unit_id,
        .is_active = true,
    };
    int64_t id = 0;

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_user_insert(f->st, &u, "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA",
                                      T0, &id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    assert_true(id > 0);
    return id;
}

static struct bm_user
get_user(struct fx *f, int64_t id)
{
    struct bm_user u;

    EXPECT_OK(f, bm_store_user_get(f->st, id, f->a, &u, &f->err));
    return u;
}

static int64_t
user_count(struct fx *f)
{
    int64_t n = -1;

    EXPECT_OK(f, bm_store_user_count(f->st, &n, &f->err));
    return n;
}

/* Deactivates or reactivates a user through an ordinary versioned update. */
static void
set_active(struct fx *f, int64_t user_id, bool active)
{
    struct bm_user u = get_user(f, user_id);

    u.is_active = active;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_user_update(f->st, &u, T0 + 5, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
}

/* A token hash that differs per seed (the store never sees the token itself). */
static void
hash_of(unsigned char h[BM_TOKEN_HASH_LEN], unsigned seed)
{
    for (int i = 0; i < BM_TOKEN_HASH_LEN; i++)
        h[i] = (unsigned char)(seed * 31u + (unsigned)i * 7u);
}

static int64_t
add_session(struct fx *f, unsigned seed, int64_t user_id, int64_t created, int64_t expires)
{
    unsigned char h[BM_TOKEN_HASH_LEN];
    int64_t id = 0;

    hash_of(h, seed);
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_session_insert(f->st, h, user_id, "csrf-令牌-0123456789", "192.0.2.7",
                                         "Mozilla/5.0 (X11; Linux x86_64)", created, expires,
                                         &id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    assert_true(id > 0);
    return id;
}

/* bm_store_auth_session's code for the session with this seed at `now`. */
static enum bm_rc
auth_session(struct fx *f, unsigned seed, int64_t now, struct bm_auth *out)
{
    unsigned char h[BM_TOKEN_HASH_LEN];
    struct bm_auth dummy;

    hash_of(h, seed);
    bm_err_clear(&f->err);
    return bm_store_auth_session(f->st, h, now, f->a, out ? out : &dummy, &f->err);
}

static int64_t
add_token(struct fx *f, unsigned seed, int64_t user_id, const char *name, int64_t created,
          int64_t expires)
{
    unsigned char h[BM_TOKEN_HASH_LEN];
    struct bm_api_token t = {
        .user_id = user_id,
        .name = name,
        .prefix = "bmt_a1b2",
        .created_at = created,
        .expires_at = expires,
    };
    int64_t id = 0;

    hash_of(h, seed);
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_token_insert(f->st, &t, h, &id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    assert_true(id > 0);
    return id;
}

static enum bm_rc
auth_token(struct fx *f, unsigned seed, int64_t now, struct bm_auth *out)
{
    unsigned char h[BM_TOKEN_HASH_LEN];
    struct bm_auth dummy;

    hash_of(h, seed);
    bm_err_clear(&f->err);
    return bm_store_auth_token(f->st, h, now, f->a, out ? out : &dummy, &f->err);
}

/* The chain of a store without a county unit: the audit tests need no organisation. */
#define NO_COUNTY ""

/* Appends three entries in one transaction, as a use case writing its trail would. */
static void
append_three(struct fx *f, struct bm_audit_entry e[3])
{
    static const char *const details[3] = {
        "{\"name\":\"北京市密云区\",\"kind\":\"county\"}",
        "{\"name\":\"溪翁庄镇\",\"kind\":\"township\"}",
        "{\"username\":\"zhangsan\",\"roles\":[\"clerk\"]}",
    };
    static const char *const actions[3] = {"org_unit.create", "org_unit.create", "user.create"};
    static const char *const types[3] = {"org_unit", "org_unit", "user"};
    static const char *const ids[3] = {"1", "2", "1"};

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    for (int i = 0; i < 3; i++) {
        memset(&e[i], 0, sizeof(e[i]));
        e[i].at = T0 + i;
        e[i].actor_id = 0;
        e[i].actor = "cli";
        e[i].action = actions[i];
        e[i].object_type = types[i];
        e[i].object_id = ids[i];
        e[i].detail = details[i];
        EXPECT_OK(f, bm_store_audit_append(f->st, &e[i], &f->err));
    }
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
}

static struct bm_audit_report
verify(struct fx *f)
{
    struct bm_audit_report rep;

    EXPECT_OK(f, bm_store_audit_verify(f->st, NULL, &rep, &f->err));
    return rep;
}

/* ---- open, migrations ---------------------------------------------------------------- */

static void
test_open_migrate(void **state)
{
    struct fx *f = *state;
    struct bm_store *other = NULL;
    int have = -1, known = -1, n = -1;

    EXPECT_OK(f, bm_store_schema_version(f->st, &have, &known, &f->err));
    assert_int_equal(have, 0);
    assert_true(known > 0);

    EXPECT_OK(f, bm_store_migrate(f->st, &n, &f->err));
    assert_int_equal(n, known);
    EXPECT_OK(f, bm_store_schema_version(f->st, &have, &known, &f->err));
    assert_int_equal(have, known);
    EXPECT_OK(f, bm_store_ping(f->st, &f->err));

    EXPECT_OK(f, bm_store_migrate(f->st, &n, &f->err));
    assert_int_equal(n, 0);

    /* The schema is in the file, not in the connection: a new one finds nothing to do. */
    EXPECT_OK(f, bm_store_open(f->url, &f->st2, &f->err));
    EXPECT_OK(f, bm_store_migrate(f->st2, &n, &f->err));
    assert_int_equal(n, 0);
    EXPECT_OK(f, bm_store_schema_version(f->st2, &have, &known, &f->err));
    assert_int_equal(have, known);

    /* An unknown scheme is an input error, an unreachable server a retryable one; neither
     * hands anything out. */
    EXPECT_RC(f, BM_EINVAL, bm_store_open("mysql://localhost/bianmin", &other, &f->err));
    assert_null(other);
    assert_true(f->err.message[0] != '\0');
    EXPECT_RC(f, BM_EBUSY, bm_store_open("postgres://127.0.0.1:1/none?connect_timeout=2", &other,
                                         &f->err));
    assert_null(other);
    EXPECT_RC(f, BM_EINVAL, bm_store_open("", &other, &f->err));
    assert_null(other);
}

/* ---- transactions -------------------------------------------------------------------- */

static void
test_tx_rollback_leaves_nothing(void **state)
{
    struct fx *f = *state;
    struct bm_org_unit u = {
        .kind = BM_ORG_COUNTY, .name = "北京市密云区", .division_code = "110118",
        .credit_code = "", .is_active = true,
    };
    struct bm_org_unit got;
    int64_t id = 0;

    assert_false(bm_store_in_tx(f->st));
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    assert_true(bm_store_in_tx(f->st));
    EXPECT_OK(f, bm_store_org_insert(f->st, &u, T0, &id, &f->err));
    /* A transaction sees its own writes. */
    EXPECT_OK(f, bm_store_org_get(f->st, id, f->a, &got, &f->err));
    bm_store_rollback(f->st);
    assert_false(bm_store_in_tx(f->st));

    EXPECT_RC(f, BM_ENOTFOUND, bm_store_org_get(f->st, id, f->a, &got, &f->err));
    assert_int_equal(org_count(f), 0);
    /* Rolling back with no transaction open is harmless. */
    bm_store_rollback(f->st);
    assert_false(bm_store_in_tx(f->st));

    /* The division code is free again: the rolled-back row left no trace in the index. */
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_org_insert(f->st, &u, T0, &id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    assert_int_equal(org_count(f), 1);
}

static void
test_tx_commit_keeps(void **state)
{
    struct fx *f = *state;
    struct bm_org_unit u = {
        .kind = BM_ORG_COUNTY, .name = "北京市密云区", .division_code = "110118",
        .credit_code = "", .is_active = true,
    };
    struct bm_org_unit got;
    int64_t id = 0, n = 0;

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_org_insert(f->st, &u, T0, &id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    assert_false(bm_store_in_tx(f->st));
    got = get_org(f, id);
    assert_string_equal(got.name, "北京市密云区");

    /* Committed means durable: a fresh connection finds it. */
    bm_store_close(f->st);
    f->st = NULL;
    EXPECT_OK(f, bm_store_open(f->url, &f->st, &f->err));
    EXPECT_OK(f, bm_store_org_count(f->st, &n, &f->err));
    assert_int_equal(n, 1);
    got = get_org(f, id);
    assert_string_equal(got.division_code, "110118");
}

/* A read snapshot: on SQLite the request's reads see one state of the store, whatever another
 * connection commits meanwhile; on PostgreSQL it is nothing and each read sees the latest.
 * A write transaction ends it first and sees the latest state. */
static void
test_read_snapshot(void **state)
{
    struct fx *f = *state;
    struct bm_org_unit a = {
        .kind = BM_ORG_COUNTY, .name = "北京市密云区", .division_code = "110118",
        .credit_code = "", .is_active = true,
    };
    struct bm_org_unit b = {
        .kind = BM_ORG_COUNTY, .name = "北京市延庆区", .division_code = "110119",
        .credit_code = "", .is_active = true,
    };
    int64_t id = 0, n = 0;

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_org_insert(f->st, &a, T0, &id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_open(f->url, &f->st2, &f->err));

    bm_store_read_begin(f->st);
    assert_true(bm_store_in_tx(f->st) == (pg_url == NULL));
    EXPECT_OK(f, bm_store_org_count(f->st, &n, &f->err));
    assert_int_equal(n, 1);
    EXPECT_OK(f, bm_store_begin(f->st2, &f->err));
    EXPECT_OK(f, bm_store_org_insert(f->st2, &b, T0, &id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st2, &f->err));
    EXPECT_OK(f, bm_store_org_count(f->st, &n, &f->err));
    assert_int_equal(n, pg_url == NULL ? 1 : 2);

    /* A write ends the snapshot: it counts both, and its rollback leaves nothing open. */
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_org_count(f->st, &n, &f->err));
    assert_int_equal(n, 2);
    bm_store_rollback(f->st);
    assert_false(bm_store_in_tx(f->st));

    /* Ending it reads the latest again; ending none, or one inside a write, is harmless. */
    bm_store_read_begin(f->st);
    bm_store_read_end(f->st);
    assert_false(bm_store_in_tx(f->st));
    bm_store_read_end(f->st);
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    bm_store_read_begin(f->st);
    bm_store_read_end(f->st);
    assert_true(bm_store_in_tx(f->st));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    assert_false(bm_store_in_tx(f->st));
}

/*
 * Stores of one file write through one shared connection (SQLite) while each reads on its
 * own: an open write is still invisible to the others, a rollback leaves nothing for the
 * next writer, and closing one store leaves the others writing. A store of another file
 * writes to that file only.
 */
static void
test_stores_share_writes(void **state)
{
    struct fx *f = *state;
    struct bm_org_unit u = {
        .kind = BM_ORG_COUNTY, .name = "北京市密云区", .division_code = "110118",
        .credit_code = "", .is_active = true,
    };
    struct bm_store *other = NULL;
    struct fx g = {0};
    int64_t id = 0, n = -1;
    int applied = 0;

    EXPECT_OK(f, bm_store_open(f->url, &f->st2, &f->err));
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_org_insert(f->st, &u, T0, &id, &f->err));
    EXPECT_OK(f, bm_store_org_count(f->st, &n, &f->err));
    assert_int_equal(n, 1); /* the writer reads its own write */
    EXPECT_OK(f, bm_store_org_count(f->st2, &n, &f->err));
    assert_int_equal(n, 0);
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_org_count(f->st2, &n, &f->err));
    assert_int_equal(n, 1);

    u.division_code = "110119";
    u.name = "北京市延庆区";
    EXPECT_OK(f, bm_store_begin(f->st2, &f->err));
    EXPECT_OK(f, bm_store_org_insert(f->st2, &u, T0, &id, &f->err));
    bm_store_rollback(f->st2);
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_org_count(f->st, &n, &f->err));
    assert_int_equal(n, 1);
    EXPECT_OK(f, bm_store_org_insert(f->st, &u, T0, &id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));

    bm_store_close(f->st2);
    f->st2 = NULL;
    u.division_code = "110117";
    u.name = "北京市平谷区";
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_org_insert(f->st, &u, T0, &id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_open(f->url, &f->st2, &f->err));
    EXPECT_OK(f, bm_store_org_count(f->st2, &n, &f->err));
    assert_int_equal(n, 3);

    if (pg_url != NULL)
        return; /* one server database: there is no other file */
    backend_create(&g);
    EXPECT_OK(f, bm_store_open(g.url, &other, &f->err));
    EXPECT_OK(f, bm_store_migrate(other, &applied, &f->err));
    EXPECT_OK(f, bm_store_begin(other, &f->err));
    EXPECT_OK(f, bm_store_org_insert(other, &u, T0, &id, &f->err));
    EXPECT_OK(f, bm_store_commit(other, &f->err));
    EXPECT_OK(f, bm_store_org_count(other, &n, &f->err));
    assert_int_equal(n, 1);
    EXPECT_OK(f, bm_store_org_count(f->st, &n, &f->err));
    assert_int_equal(n, 3);
    bm_store_close(other);
    backend_destroy(&g);
}

static void
test_tx_rollback_undoes_audit_append(void **state)
{
    struct fx *f = *state;
    struct bm_audit_entry e = {
        .at = T0, .actor = "cli", .action = "org_unit.create", .object_type = "org_unit",
        .object_id = "1", .detail = "{}",
    };
    struct bm_audit_entry after = e;
    unsigned char head[BM_AUDIT_HASH_LEN];
    int64_t last = -1;
    struct bm_audit_report rep;

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_audit_append(f->st, &e, &f->err));
    assert_int_equal(e.id, 1);
    bm_store_rollback(f->st);

    EXPECT_OK(f, bm_store_audit_head(f->st, NO_COUNTY, &last, head, &f->err));
    assert_int_equal(last, 0);
    assert_memory_equal(head, bm_audit_genesis, BM_AUDIT_HASH_LEN);
    rep = verify(f);
    assert_int_equal(rep.bad_id, 0);
    assert_int_equal(rep.checked, 0);

    /* The id is reused: the chain has no gap where the rolled-back entry was. */
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_audit_append(f->st, &after, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    assert_int_equal(after.id, 1);
    rep = verify(f);
    assert_int_equal(rep.bad_id, 0);
    assert_int_equal(rep.checked, 1);
}

/* ---- organisation units ------------------------------------------------------------- */

static void
test_org_insert_get_roundtrip(void **state)
{
    struct fx *f = *state;
    struct bm_org_unit town = {
        .kind = BM_ORG_TOWNSHIP, .name = "溪翁庄镇", .division_code = "110118100000",
        .credit_code = "11110228000012345E", .mgmt_mode = BM_MGMT_NONE, .is_active = true,
    };
    struct bm_org_unit got;
    int64_t county, town_id = 0, village, station, n = -1;

    assert_int_equal(org_count(f), 0);
    county = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    town.parent_id = county;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_org_insert(f->st, &town, T0 + 60, &town_id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    village = add_org(f, town_id, BM_ORG_VILLAGE, "金叵罗村", "110118100201");
    station = add_org_full(f, town_id, BM_ORG_STATION, "溪翁庄镇农业综合服务站", "",
                           BM_MGMT_DUAL);

    got = get_org(f, county);
    assert_int_equal(got.id, county);
    assert_int_equal(got.parent_id, 0);
    assert_int_equal(got.kind, BM_ORG_COUNTY);
    assert_string_equal(got.path, mkpath(f, 1, county));
    assert_string_equal(got.division_code, "110118");

    got = get_org(f, town_id);
    assert_int_equal(got.id, town_id);
    assert_int_equal(got.parent_id, county);
    assert_int_equal(got.kind, BM_ORG_TOWNSHIP);
    assert_string_equal(got.name, "溪翁庄镇");
    assert_string_equal(got.division_code, "110118100000");
    assert_string_equal(got.credit_code, "11110228000012345E");
    assert_int_equal(got.mgmt_mode, BM_MGMT_NONE);
    assert_string_equal(got.path, mkpath(f, 2, county, town_id));
    assert_true(got.is_active);
    assert_int_equal(got.version, 1);
    assert_int_equal(got.created_at, T0 + 60);
    assert_int_equal(got.updated_at, T0 + 60);

    got = get_org(f, village);
    assert_int_equal(got.kind, BM_ORG_VILLAGE);
    assert_string_equal(got.name, "金叵罗村");
    assert_string_equal(got.path, mkpath(f, 3, county, town_id, village));
    assert_string_equal(got.credit_code, "");

    got = get_org(f, station);
    assert_int_equal(got.kind, BM_ORG_STATION);
    assert_int_equal(got.mgmt_mode, BM_MGMT_DUAL);
    assert_string_equal(got.division_code, "");
    assert_string_equal(got.path, mkpath(f, 3, county, town_id, station));

    EXPECT_OK(f, bm_store_org_count(f->st, &n, &f->err));
    assert_int_equal(n, 4);
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_org_get(f->st, station + 100, f->a, &got, &f->err));

    /* An inactive unit is stored as inactive. */
    town.name = "已撤并的乡";
    town.division_code = "110118200000";
    town.credit_code = "";
    town.is_active = false;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_org_insert(f->st, &town, T0, &town_id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    assert_false(get_org(f, town_id).is_active);
}

static void
test_org_duplicate_division_code(void **state)
{
    struct fx *f = *state;
    int64_t county = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    struct bm_org_unit dup = {
        .parent_id = county, .kind = BM_ORG_TOWNSHIP, .name = "另一个镇",
        .division_code = "110118100000", .credit_code = "", .is_active = true,
    };
    int64_t id = 0;
    bool named = false;

    add_org(f, county, BM_ORG_TOWNSHIP, "溪翁庄镇", "110118100000");
    assert_int_equal(org_count(f), 2);

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ECONFLICT, bm_store_org_insert(f->st, &dup, T0, &id, &f->err));
    assert_int_equal(f->err.rc, BM_ECONFLICT);
    for (int i = 0; i < f->err.n_fields && i < BM_ERR_FIELDS; i++)
        named = named || strcmp(f->err.fields[i].field, "division_code") == 0;
    assert_true(named);
    bm_store_rollback(f->st);
    assert_int_equal(org_count(f), 2);

    /* "" means "no code" and may repeat: stations and offices usually have none. */
    add_org(f, county, BM_ORG_DEPARTMENT, "县农业农村局", "");
    add_org(f, county, BM_ORG_DEPARTMENT, "县民政局", "");
    assert_int_equal(org_count(f), 4);
}

static void
test_org_list_prefix(void **state)
{
    struct fx *f = *state;
    int64_t a = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    int64_t t1 = add_org(f, a, BM_ORG_TOWNSHIP, "溪翁庄镇", "110118100000");
    int64_t b = add_org(f, 0, BM_ORG_COUNTY, "北京市怀柔区", "110116");
    int64_t v1 = add_org(f, t1, BM_ORG_VILLAGE, "金叵罗村", "110118100201");
    int64_t t2 = add_org(f, a, BM_ORG_TOWNSHIP, "穆家峪镇", "110118101000");
    int64_t t3 = add_org(f, b, BM_ORG_TOWNSHIP, "怀柔镇", "110116100000");
    struct bm_org_unit *l;
    size_t n = 99;
    char aid[24];
    int64_t lookalike = 0;

    /* The township subtree: the unit itself and its village, nothing of the neighbours. */
    EXPECT_OK(f, bm_store_org_list(f->st, mkpath(f, 2, a, t1), f->a, &l, &n, &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(l[0].id, t1);
    assert_int_equal(l[1].id, v1);
    assert_string_equal(l[1].name, "金叵罗村");

    /* County A, ordered by id although the rows of B are interleaved. */
    EXPECT_OK(f, bm_store_org_list(f->st, mkpath(f, 1, a), f->a, &l, &n, &f->err));
    assert_int_equal(n, 4);
    assert_int_equal(l[0].id, a);
    assert_int_equal(l[1].id, t1);
    assert_int_equal(l[2].id, v1);
    assert_int_equal(l[3].id, t2);

    EXPECT_OK(f, bm_store_org_list(f->st, "", f->a, &l, &n, &f->err));
    assert_int_equal(n, 6);
    for (size_t i = 1; i < n; i++)
        assert_true(l[i - 1].id < l[i].id);
    assert_int_equal(l[5].id, t3);

    EXPECT_OK(f, bm_store_org_list(f->st, "/99999/", f->a, &l, &n, &f->err));
    assert_int_equal(n, 0);

    /*
     * A prefix is a whole path: "/1/" must not match "/1x/". Add counties until one's id
     * starts with A's digits, then list A again.
     */
    snprintf(aid, sizeof(aid), "%" PRId64, a);
    for (int i = 0; i < 40 && lookalike == 0; i++) {
        int64_t id = add_org(f, 0, BM_ORG_COUNTY, "填充县", "");
        char s[24];
        snprintf(s, sizeof(s), "%" PRId64, id);
        if (strncmp(s, aid, strlen(aid)) == 0 && strcmp(s, aid) != 0)
            lookalike = id;
    }
    assert_true(lookalike != 0);
    EXPECT_OK(f, bm_store_org_list(f->st, mkpath(f, 1, a), f->a, &l, &n, &f->err));
    assert_int_equal(n, 4);
    for (size_t i = 0; i < n; i++)
        assert_true(l[i].id != lookalike);
}

static void
test_org_update_version(void **state)
{
    struct fx *f = *state;
    int64_t county = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    int64_t st_id = add_org_full(f, county, BM_ORG_STATION, "县农机站", "", BM_MGMT_COUNTY);
    struct bm_org_unit u = get_org(f, st_id), stale, got;

    stale = u;
    u.name = "县农业机械化服务站";
    u.credit_code = "12110228MB1234567D";
    u.mgmt_mode = BM_MGMT_DUAL;
    u.is_active = false;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_org_update(f->st, &u, T0 + 100, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));

    got = get_org(f, st_id);
    assert_string_equal(got.name, "县农业机械化服务站");
    assert_string_equal(got.credit_code, "12110228MB1234567D");
    assert_int_equal(got.mgmt_mode, BM_MGMT_DUAL);
    assert_false(got.is_active);
    assert_int_equal(got.version, 2);
    assert_int_equal(got.created_at, T0);
    assert_int_equal(got.updated_at, T0 + 100);
    assert_string_equal(got.path, mkpath(f, 2, county, st_id));

    /* Someone else's edit based on version 1 loses and changes nothing. */
    stale.name = "过期的名称";
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ESTALE, bm_store_org_update(f->st, &stale, T0 + 200, &f->err));
    bm_store_rollback(f->st);
    got = get_org(f, st_id);
    assert_string_equal(got.name, "县农业机械化服务站");
    assert_int_equal(got.version, 2);
    assert_int_equal(got.updated_at, T0 + 100);
}

static void
test_org_move_rewrites_subtree(void **state)
{
    struct fx *f = *state;
    /* 区划调整: a township with its village and station moves to the neighbouring county. */
    int64_t a = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    int64_t b = add_org(f, 0, BM_ORG_COUNTY, "北京市怀柔区", "110116");
    int64_t t1 = add_org(f, a, BM_ORG_TOWNSHIP, "溪翁庄镇", "110118100000");
    int64_t v1 = add_org(f, t1, BM_ORG_VILLAGE, "金叵罗村", "110118100201");
    int64_t s1 = add_org_full(f, t1, BM_ORG_STATION, "溪翁庄镇农业综合服务站", "",
                              BM_MGMT_TOWNSHIP);
    int64_t t2 = add_org(f, a, BM_ORG_TOWNSHIP, "穆家峪镇", "110118101000");
    int64_t t3 = add_org(f, b, BM_ORG_TOWNSHIP, "怀柔镇", "110116100000");
    int64_t clerk = add_user(f, "cunguan", BM_ROLE_CLERK, v1);
    struct bm_org_unit u = get_org(f, t1), stale = u, got;
    struct bm_org_unit *l;
    size_t n = 0;

    u.parent_id = b;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_org_update(f->st, &u, T0 + 10, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));

    got = get_org(f, t1);
    assert_int_equal(got.parent_id, b);
    assert_int_equal(got.version, 2);
    assert_string_equal(got.path, mkpath(f, 2, b, t1));
    got = get_org(f, v1);
    assert_int_equal(got.parent_id, t1);
    assert_string_equal(got.path, mkpath(f, 3, b, t1, v1));
    got = get_org(f, s1);
    assert_string_equal(got.path, mkpath(f, 3, b, t1, s1));
    /* Everything outside the moved subtree keeps its path. */
    assert_string_equal(get_org(f, a).path, mkpath(f, 1, a));
    assert_string_equal(get_org(f, t2).path, mkpath(f, 2, a, t2));
    assert_string_equal(get_org(f, t3).path, mkpath(f, 2, b, t3));

    EXPECT_OK(f, bm_store_org_list(f->st, mkpath(f, 1, a), f->a, &l, &n, &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(l[0].id, a);
    assert_int_equal(l[1].id, t2);
    EXPECT_OK(f, bm_store_org_list(f->st, mkpath(f, 1, b), f->a, &l, &n, &f->err));
    assert_int_equal(n, 5);
    assert_int_equal(l[0].id, b);
    assert_int_equal(l[1].id, t1);
    assert_int_equal(l[2].id, v1);
    assert_int_equal(l[3].id, s1);
    assert_int_equal(l[4].id, t3);

    /* A user's scope follows the tree. */
    assert_string_equal(get_user(f, clerk).org_path, mkpath(f, 3, b, t1, v1));

    /* A stale move back changes no path. */
    stale.parent_id = a;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ESTALE, bm_store_org_update(f->st, &stale, T0 + 20,
                                                 &f->err));
    bm_store_rollback(f->st);
    assert_string_equal(get_org(f, v1).path, mkpath(f, 3, b, t1, v1));
    assert_int_equal(get_org(f, t1).parent_id, b);
}

static void
test_org_move_after_ancestor_moved(void **state)
{
    struct fx *f = *state;
    int64_t a = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    int64_t b = add_org(f, 0, BM_ORG_COUNTY, "北京市怀柔区", "110116");
    int64_t t1 = add_org(f, a, BM_ORG_TOWNSHIP, "溪翁庄镇", "110118100000");
    int64_t t2 = add_org(f, b, BM_ORG_TOWNSHIP, "怀柔镇", "110116100000");
    int64_t v = add_org(f, t1, BM_ORG_VILLAGE, "金叵罗村", "110118100201");
    struct bm_org_unit town, village, got;
    struct bm_org_unit *l;
    size_t n = 0;
    bool listed = false;

    /*
     * Two edits interleave. Editor 1 reads village v (and its destination, township t2) to
     * move v under t2. Meanwhile editor 2 moves v's township t1 from county a to county b,
     * which changes v's path but not v itself. Editor 1 then saves with v's version, which
     * is still current. Either the store refuses (BM_ESTALE) or the move must land: v under
     * t2 with the path of t2's subtree, and never a path that contradicts its parent.
     */
    village = get_org(f, v);
    (void)get_org(f, t2); /* editor 1 also looked at the destination */

    town = get_org(f, t1);
    town.parent_id = b;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_org_update(f->st, &town, T0 + 10, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    assert_string_equal(get_org(f, v).path, mkpath(f, 3, b, t1, v));

    village.parent_id = t2;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    bm_err_clear(&f->err);
    if (bm_store_org_update(f->st, &village, T0 + 20, &f->err) != BM_OK) {
        assert_int_equal(f->err.rc, BM_ESTALE);
        bm_store_rollback(f->st);
        assert_int_equal(get_org(f, v).parent_id, t1);
        return;
    }
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    got = get_org(f, v);
    assert_int_equal(got.parent_id, t2);
    assert_string_equal(got.path, mkpath(f, 3, b, t2, v));
    EXPECT_OK(f, bm_store_org_list(f->st, mkpath(f, 2, b, t2), f->a, &l, &n, &f->err));
    for (size_t i = 0; i < n; i++)
        listed = listed || l[i].id == v;
    assert_true(listed);
}

/* ---- users --------------------------------------------------------------------------- */

/* A unit moved under itself or its own descendant would make a cycle: refused, nothing changes. */
static void
test_org_move_cycle_refused(void **state)
{
    struct fx *f = *state;
    int64_t c = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    int64_t t = add_org(f, c, BM_ORG_TOWNSHIP, "西田各庄镇", "110118102000");
    int64_t v = add_org(f, t, BM_ORG_VILLAGE, "仓头村民委员会", "110118102202");
    struct bm_org_unit town = get_org(f, t);

    town.parent_id = v;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_EINVAL, bm_store_org_update(f->st, &town, T0 + 10, &f->err));
    assert_string_equal(f->err.fields[0].field, "parent_id");
    bm_store_rollback(f->st);
    town.parent_id = t;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_EINVAL, bm_store_org_update(f->st, &town, T0 + 10, &f->err));
    bm_store_rollback(f->st);
    assert_int_equal(get_org(f, t).parent_id, c);
    assert_int_equal(get_org(f, t).version, 1);
    assert_string_equal(get_org(f, v).path, mkpath(f, 3, c, t, v));
}

static void
test_user_insert_get_login(void **state)
{
    struct fx *f = *state;
    int64_t county = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    int64_t town = add_org(f, county, BM_ORG_TOWNSHIP, "溪翁庄镇", "110118100000");
    struct bm_user u = {
        .username = "zhangsan", .display_name = "张三", .phone = "13800138000",
        .roles = BM_ROLE_CLERK | BM_ROLE_HANDLER, .org_unit_id = town, .is_active = true,
    };
    const char *hash = NULL;
    struct bm_user got;
    int64_t id = 0;

    assert_int_equal(user_count(f), 0);
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_user_insert(f->st, &u, "$argon2id$v=19$first", T0 + 1, &id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    assert_true(id > 0);
    assert_int_equal(user_count(f), 1);

    got = get_user(f, id);
    assert_int_equal(got.id, id);
    assert_string_equal(got.username, "zhangsan");
    assert_string_equal(got.display_name, "张三");
    assert_string_equal(got.phone, "13800138000");
    assert_int_equal(got.roles, BM_ROLE_CLERK | BM_ROLE_HANDLER);
    assert_int_equal(got.org_unit_id, town);
    assert_string_equal(got.org_path, mkpath(f, 2, county, town));
    assert_string_equal(got.org_name, "溪翁庄镇");
    assert_true(got.is_active);
    assert_int_equal(got.version, 1);
    assert_int_equal(got.created_at, T0 + 1);
    assert_int_equal(got.updated_at, T0 + 1);
    assert_int_equal(got.last_login_at, 0);

    EXPECT_OK(f, bm_store_user_get_login(f->st, "zhangsan", f->a, &got, &hash, &f->err));
    assert_int_equal(got.id, id);
    assert_non_null(hash);
    assert_string_equal(hash, "$argon2id$v=19$first");
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_user_get_login(f->st, "lisi", f->a, &got, &hash,
                                                       &f->err));
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_user_get(f->st, id + 1000, f->a, &got, &f->err));

    /* A new password replaces the hash; the old one no longer comes back. */
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_user_set_password(f->st, id, "$argon2id$v=19$second", T0 + 50,
                                            &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_user_get_login(f->st, "zhangsan", f->a, &got, &hash, &f->err));
    assert_string_equal(hash, "$argon2id$v=19$second");
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_user_set_password(f->st, id + 1000, "$x", T0, &f->err));

    EXPECT_OK(f, bm_store_user_touch_login(f->st, id, T0 + 60, &f->err));
    assert_int_equal(get_user(f, id).last_login_at, T0 + 60);

    /* A citizen has no unit: the joined path and name are empty, not NULL. */
    id = add_user(f, "citizen01", BM_ROLE_CITIZEN, 0);
    got = get_user(f, id);
    assert_int_equal(got.org_unit_id, 0);
    assert_string_equal(got.org_path, "");
    assert_string_equal(got.org_name, "");
    assert_int_equal(user_count(f), 2);
}

static void
test_user_duplicate_username(void **state)
{
    struct fx *f = *state;
    int64_t county = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    struct bm_user u = {
        .username = "zhangsan", .display_name = "另一个张三", .phone = "",
        .roles = BM_ROLE_CLERK, .org_unit_id = county, .is_active = true,
    };
    int64_t id = 0;
    bool named = false;

    add_user(f, "zhangsan", BM_ROLE_CLERK, county);
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ECONFLICT, bm_store_user_insert(f->st, &u, "$h", T0, &id, &f->err));
    assert_int_equal(f->err.rc, BM_ECONFLICT);
    for (int i = 0; i < f->err.n_fields && i < BM_ERR_FIELDS; i++)
        named = named || strcmp(f->err.fields[i].field, "username") == 0;
    assert_true(named);
    bm_store_rollback(f->st);
    assert_int_equal(user_count(f), 1);
}

static void
test_users_list_scope_and_pages(void **state)
{
    struct fx *f = *state;
    int64_t county = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    int64_t ta = add_org(f, county, BM_ORG_TOWNSHIP, "溪翁庄镇", "110118100000");
    int64_t tb = add_org(f, county, BM_ORG_TOWNSHIP, "穆家峪镇", "110118101000");
    int64_t va = add_org(f, ta, BM_ORG_VILLAGE, "金叵罗村", "110118100201");
    int64_t in_a[5], other, citizen, boss;
    struct bm_user *l;
    size_t n = 0;
    const char *pa = mkpath(f, 2, county, ta);
    int64_t after = 0;
    int seen = 0;

    in_a[0] = add_user(f, "clerk_a1", BM_ROLE_CLERK, ta);
    other = add_user(f, "clerk_b1", BM_ROLE_CLERK, tb);
    in_a[1] = add_user(f, "clerk_a2", BM_ROLE_CLERK, ta);
    citizen = add_user(f, "citizen01", BM_ROLE_CITIZEN, 0);
    in_a[2] = add_user(f, "cunguan_a", BM_ROLE_CLERK, va);
    in_a[3] = add_user(f, "handler_a", BM_ROLE_HANDLER, ta);
    boss = add_user(f, "county_admin", BM_ROLE_COUNTY_ADMIN, county);
    in_a[4] = add_user(f, "admin_a", BM_ROLE_TOWNSHIP_ADMIN, ta);

    /* Township A in pages of two: every user of A (village included) once, in id order. */
    for (int page = 0; page < 4; page++) {
        EXPECT_OK(f, bm_store_users_list(f->st, pa, after, 2, f->a, &l, &n, &f->err));
        assert_true(n <= 2);
        for (size_t i = 0; i < n; i++) {
            assert_true(seen < 5);
            assert_int_equal(l[i].id, in_a[seen]);
            assert_true(l[i].id > after);
            assert_true(strncmp(l[i].org_path, pa, strlen(pa)) == 0);
            seen++;
        }
        if (n > 0)
            after = l[n - 1].id;
        if (n < 2)
            break;
    }
    assert_int_equal(seen, 5);
    EXPECT_OK(f, bm_store_users_list(f->st, pa, in_a[4], 2, f->a, &l, &n, &f->err));
    assert_int_equal(n, 0);

    /* The county sees both townships and its own staff, but citizens are not staff. */
    EXPECT_OK(f, bm_store_users_list(f->st, mkpath(f, 1, county), 0, 100, f->a, &l, &n,
                                     &f->err));
    assert_int_equal(n, 7);
    for (size_t i = 0; i < n; i++)
        assert_true(l[i].id != citizen);
    assert_int_equal(l[1].id, other);
    assert_int_equal(l[5].id, boss);

    /* Township B sees only its own clerk. */
    EXPECT_OK(f, bm_store_users_list(f->st, mkpath(f, 2, county, tb), 0, 100, f->a, &l, &n,
                                     &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(l[0].id, other);
    assert_string_equal(l[0].username, "clerk_b1");

    /* "" is everyone, citizens included. */
    EXPECT_OK(f, bm_store_users_list(f->st, "", 0, 100, f->a, &l, &n, &f->err));
    assert_int_equal(n, 8);
    assert_int_equal(l[3].id, citizen);
    assert_int_equal(user_count(f), 8);
}

static void
test_user_update_version(void **state)
{
    struct fx *f = *state;
    int64_t county = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    int64_t ta = add_org(f, county, BM_ORG_TOWNSHIP, "溪翁庄镇", "110118100000");
    int64_t tb = add_org(f, county, BM_ORG_TOWNSHIP, "穆家峪镇", "110118101000");
    int64_t id = add_user(f, "zhangsan", BM_ROLE_CLERK, ta);
    struct bm_user u = get_user(f, id), stale = u, got;

    u.display_name = "张三丰";
    u.phone = "010-69041234";
    u.roles = BM_ROLE_HANDLER | BM_ROLE_APPROVER;
    u.org_unit_id = tb;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_user_update(f->st, &u, T0 + 30, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));

    got = get_user(f, id);
    assert_string_equal(got.username, "zhangsan");
    assert_string_equal(got.display_name, "张三丰");
    assert_string_equal(got.phone, "010-69041234");
    assert_int_equal(got.roles, BM_ROLE_HANDLER | BM_ROLE_APPROVER);
    assert_int_equal(got.org_unit_id, tb);
    assert_string_equal(got.org_path, mkpath(f, 2, county, tb));
    assert_string_equal(got.org_name, "穆家峪镇");
    assert_int_equal(got.version, 2);
    assert_int_equal(got.created_at, T0);
    assert_int_equal(got.updated_at, T0 + 30);

    stale.display_name = "过期";
    stale.is_active = false;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ESTALE, bm_store_user_update(f->st, &stale, T0 + 40, &f->err));
    bm_store_rollback(f->st);
    got = get_user(f, id);
    assert_string_equal(got.display_name, "张三丰");
    assert_true(got.is_active);
    assert_int_equal(got.version, 2);
}

/* ---- sessions ------------------------------------------------------------------------ */

static void
test_session_auth_and_expiry(void **state)
{
    struct fx *f = *state;
    int64_t county = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    int64_t uid = add_user(f, "zhangsan", BM_ROLE_CLERK | BM_ROLE_HANDLER, county);
    int64_t sid = add_session(f, 1, uid, T0, T0 + 1800);
    struct bm_auth au;

    assert_int_equal(auth_session(f, 1, T0 + 10, &au), BM_OK);
    assert_int_equal(au.session_id, sid);
    assert_int_equal(au.token_id, 0);
    assert_int_equal(au.user.id, uid);
    assert_string_equal(au.user.username, "zhangsan");
    assert_int_equal(au.user.roles, BM_ROLE_CLERK | BM_ROLE_HANDLER);
    assert_string_equal(au.user.org_path, mkpath(f, 1, county));
    assert_true(au.user.is_active);
    assert_string_equal(au.csrf_token, "csrf-令牌-0123456789");
    assert_int_equal(au.last_seen_at, T0);

    assert_int_equal(auth_session(f, 1, T0 + 1799, NULL), BM_OK);
    assert_int_equal(auth_session(f, 1, T0 + 1801, NULL), BM_EUNAUTH);
    assert_int_equal(auth_session(f, 1, T0 + 86400, NULL), BM_EUNAUTH);
    /* A hash nobody was given. */
    assert_int_equal(auth_session(f, 2, T0 + 10, NULL), BM_EUNAUTH);
}

static void
test_session_inactive_user(void **state)
{
    struct fx *f = *state;
    int64_t county = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    int64_t uid = add_user(f, "zhangsan", BM_ROLE_CLERK, county);

    add_session(f, 1, uid, T0, T0 + 1800);
    assert_int_equal(auth_session(f, 1, T0 + 10, NULL), BM_OK);
    set_active(f, uid, false);
    assert_int_equal(auth_session(f, 1, T0 + 10, NULL), BM_EUNAUTH);
    /* The check is made on every request, not when the session was created. */
    set_active(f, uid, true);
    assert_int_equal(auth_session(f, 1, T0 + 10, NULL), BM_OK);
}

/*
 * A write of its own (a session touch, as a GET's log-in check makes) while the store reads
 * from an older snapshot: it ends the snapshot and succeeds, where SQLite would refuse a
 * snapshot that another store has written past (SQLITE_BUSY_SNAPSHOT).
 */
static void
test_session_touch_in_read_snapshot(void **state)
{
    struct fx *f = *state;
    int64_t county = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    int64_t uid = add_user(f, "zhangsan", BM_ROLE_CLERK, county);
    int64_t sid = add_session(f, 1, uid, T0, T0 + 1800), n = 0;
    struct bm_org_unit b = {
        .kind = BM_ORG_TOWNSHIP, .name = "溪翁庄镇", .division_code = "110118100",
        .parent_id = county, .credit_code = "", .is_active = true,
    };
    struct bm_auth au;
    int64_t id;

    EXPECT_OK(f, bm_store_open(f->url, &f->st2, &f->err));
    bm_store_read_begin(f->st);
    assert_int_equal(auth_session(f, 1, T0 + 10, &au), BM_OK);
    EXPECT_OK(f, bm_store_org_count(f->st, &n, &f->err));
    assert_int_equal(n, 1);
    EXPECT_OK(f, bm_store_begin(f->st2, &f->err));
    EXPECT_OK(f, bm_store_org_insert(f->st2, &b, T0, &id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st2, &f->err));

    EXPECT_OK(f, bm_store_session_touch(f->st, sid, T0 + 700, T0 + 2500, 86400, &f->err));
    assert_false(bm_store_in_tx(f->st));
    assert_int_equal(auth_session(f, 1, T0 + 2400, &au), BM_OK);
    assert_int_equal(au.last_seen_at, T0 + 700);
    EXPECT_OK(f, bm_store_org_count(f->st, &n, &f->err));
    assert_int_equal(n, 2);
}

static void
test_session_touch_slides_with_cap(void **state)
{
    struct fx *f = *state;
    int64_t county = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    int64_t uid = add_user(f, "zhangsan", BM_ROLE_CLERK, county);
    int64_t sid = add_session(f, 1, uid, T0, T0 + 1800);
    const int64_t max_age = 2400;
    struct bm_auth au;

    /*
     * Activity at +500 slides the idle expiry from +1800 to +2300, within the cap.
     * auth_session only reads, so asking about later instants first is harmless.
     */
    EXPECT_OK(f, bm_store_session_touch(f->st, sid, T0 + 500, T0 + 2300, max_age, &f->err));
    assert_int_equal(auth_session(f, 1, T0 + 2000, &au), BM_OK); /* past the first expiry */
    assert_int_equal(au.last_seen_at, T0 + 500);
    assert_int_equal(auth_session(f, 1, T0 + 2301, NULL), BM_EUNAUTH);

    /* Sliding again asks for +3800, but the session may live only max_age after creation. */
    EXPECT_OK(f, bm_store_session_touch(f->st, sid, T0 + 2000, T0 + 3800, max_age, &f->err));
    assert_int_equal(auth_session(f, 1, T0 + 2399, &au), BM_OK);
    assert_int_equal(au.last_seen_at, T0 + 2000);
    assert_int_equal(auth_session(f, 1, T0 + 2401, NULL), BM_EUNAUTH);
    assert_int_equal(auth_session(f, 1, T0 + 3000, NULL), BM_EUNAUTH);
}

static void
test_session_delete(void **state)
{
    struct fx *f = *state;
    int64_t county = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    int64_t alice = add_user(f, "alice", BM_ROLE_CLERK, county);
    int64_t bob = add_user(f, "bob", BM_ROLE_CLERK, county);
    int64_t s1 = add_session(f, 1, alice, T0, T0 + 1800);

    add_session(f, 2, alice, T0, T0 + 1800);
    add_session(f, 3, bob, T0, T0 + 1800);

    EXPECT_OK(f, bm_store_session_delete(f->st, s1, &f->err));
    assert_int_equal(auth_session(f, 1, T0 + 1, NULL), BM_EUNAUTH);
    assert_int_equal(auth_session(f, 2, T0 + 1, NULL), BM_OK);

    EXPECT_OK(f, bm_store_sessions_delete_user(f->st, alice, &f->err));
    assert_int_equal(auth_session(f, 2, T0 + 1, NULL), BM_EUNAUTH);
    assert_int_equal(auth_session(f, 3, T0 + 1, NULL), BM_OK);
}

/* ---- API tokens ---------------------------------------------------------------------- */

static void
test_token_auth_and_revoke(void **state)
{
    struct fx *f = *state;
    int64_t county = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    int64_t town = add_org(f, county, BM_ORG_TOWNSHIP, "溪翁庄镇", "110118100000");
    int64_t uid = add_user(f, "hotline", BM_ROLE_HANDLER, town);
    int64_t tid = add_token(f, 1, uid, "12345 热线对接", T0, 0);
    struct bm_api_token t;
    const char *path = NULL;
    struct bm_auth au;

    assert_int_equal(auth_token(f, 1, T0 + 100, &au), BM_OK);
    assert_int_equal(au.token_id, tid);
    assert_int_equal(au.session_id, 0);
    assert_string_equal(au.csrf_token, "");
    assert_int_equal(au.user.id, uid);
    assert_string_equal(au.user.username, "hotline");
    assert_string_equal(au.user.org_path, mkpath(f, 2, county, town));
    assert_int_equal(auth_token(f, 2, T0 + 100, NULL), BM_EUNAUTH);

    EXPECT_OK(f, bm_store_token_get(f->st, tid, f->a, &t, &path, &f->err));
    assert_int_equal(t.id, tid);
    assert_int_equal(t.user_id, uid);
    assert_string_equal(t.username, "hotline");
    assert_string_equal(t.name, "12345 热线对接");
    assert_string_equal(t.prefix, "bmt_a1b2");
    assert_int_equal(t.created_at, T0);
    assert_int_equal(t.last_used_at, T0 + 100);
    assert_int_equal(t.expires_at, 0);
    assert_int_equal(t.revoked_at, 0);
    assert_non_null(path);
    assert_string_equal(path, mkpath(f, 2, county, town));
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_token_get(f->st, tid + 100, f->a, &t, &path, &f->err));

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_token_revoke(f->st, tid, T0 + 200, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    assert_int_equal(auth_token(f, 1, T0 + 201, NULL), BM_EUNAUTH);
    EXPECT_OK(f, bm_store_token_get(f->st, tid, f->a, &t, NULL, &f->err));
    assert_int_equal(t.revoked_at, T0 + 200);

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ECONFLICT, bm_store_token_revoke(f->st, tid, T0 + 300, &f->err));
    bm_store_rollback(f->st);
    EXPECT_OK(f, bm_store_token_get(f->st, tid, f->a, &t, NULL, &f->err));
    assert_int_equal(t.revoked_at, T0 + 200);
}

static void
test_token_expiry_and_inactive_user(void **state)
{
    struct fx *f = *state;
    int64_t county = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    int64_t uid = add_user(f, "robot", BM_ROLE_HANDLER, county);

    add_token(f, 1, uid, "临时令牌", T0, T0 + 100);
    add_token(f, 2, uid, "长期令牌", T0, 0);
    assert_int_equal(auth_token(f, 1, T0 + 99, NULL), BM_OK);
    assert_int_equal(auth_token(f, 1, T0 + 101, NULL), BM_EUNAUTH);
    /* expires_at 0 means "never". */
    assert_int_equal(auth_token(f, 2, T0 + 10 * 365 * 86400, NULL), BM_OK);

    set_active(f, uid, false);
    assert_int_equal(auth_token(f, 2, T0 + 1, NULL), BM_EUNAUTH);
}

static void
test_tokens_list_prefix(void **state)
{
    struct fx *f = *state;
    int64_t county = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    int64_t ta = add_org(f, county, BM_ORG_TOWNSHIP, "溪翁庄镇", "110118100000");
    int64_t tb = add_org(f, county, BM_ORG_TOWNSHIP, "穆家峪镇", "110118101000");
    int64_t ua = add_user(f, "robot_a", BM_ROLE_HANDLER, ta);
    int64_t ub = add_user(f, "robot_b", BM_ROLE_HANDLER, tb);
    int64_t uc = add_user(f, "citizen01", BM_ROLE_CITIZEN, 0);
    int64_t a1 = add_token(f, 1, ua, "a-1", T0, 0);
    int64_t b1 = add_token(f, 2, ub, "b-1", T0, 0);
    int64_t a2 = add_token(f, 3, ua, "a-2", T0 + 1, 0);
    int64_t c1 = add_token(f, 4, uc, "c-1", T0 + 2, 0);
    struct bm_api_token *l;
    size_t n = 0;

    EXPECT_OK(f, bm_store_tokens_list(f->st, mkpath(f, 2, county, ta), f->a, &l, &n, &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(l[0].id, a2); /* newest first */
    assert_int_equal(l[1].id, a1);
    assert_string_equal(l[0].username, "robot_a");
    assert_string_equal(l[0].name, "a-2");

    EXPECT_OK(f, bm_store_tokens_list(f->st, mkpath(f, 1, county), f->a, &l, &n, &f->err));
    assert_int_equal(n, 3);
    assert_int_equal(l[0].id, a2);
    assert_int_equal(l[1].id, b1);
    assert_int_equal(l[2].id, a1);

    EXPECT_OK(f, bm_store_tokens_list(f->st, "", f->a, &l, &n, &f->err));
    assert_int_equal(n, 4);
    assert_int_equal(l[0].id, c1);
}

/* ---- log-in throttling --------------------------------------------------------------- */

static void
test_login_failures(void **state)
{
    struct fx *f = *state;
    int64_t nu = -1, ni = -1;

    EXPECT_OK(f, bm_store_login_failure_add(f->st, "alice", "192.0.2.1", T0 + 100, &f->err));
    EXPECT_OK(f, bm_store_login_failure_add(f->st, "bob", "192.0.2.1", T0 + 150, &f->err));
    EXPECT_OK(f, bm_store_login_failure_add(f->st, "alice", "192.0.2.1", T0 + 200, &f->err));
    EXPECT_OK(f, bm_store_login_failure_add(f->st, "alice", "198.51.100.9", T0 + 300, &f->err));
    EXPECT_OK(f, bm_store_login_failure_add(f->st, "carol", "203.0.113.5", T0 + 400, &f->err));

    EXPECT_OK(f, bm_store_login_failures(f->st, "alice", "192.0.2.1", T0, &nu, &ni, &f->err));
    assert_int_equal(nu, 3);
    assert_int_equal(ni, 3);
    /* Only failures at or after `since` count. */
    EXPECT_OK(f, bm_store_login_failures(f->st, "alice", "192.0.2.1", T0 + 150, &nu, &ni,
                                         &f->err));
    assert_int_equal(nu, 2);
    assert_int_equal(ni, 2);
    EXPECT_OK(f, bm_store_login_failures(f->st, "nobody", "10.0.0.1", T0, &nu, &ni, &f->err));
    assert_int_equal(nu, 0);
    assert_int_equal(ni, 0);

    /* Alice logs in: her rows go, and so does everything older than T0+160 (bob's). */
    EXPECT_OK(f, bm_store_login_failures_clear(f->st, "alice", T0 + 160, &f->err));
    EXPECT_OK(f, bm_store_login_failures(f->st, "alice", "192.0.2.1", T0, &nu, &ni, &f->err));
    assert_int_equal(nu, 0);
    assert_int_equal(ni, 0);
    EXPECT_OK(f, bm_store_login_failures(f->st, "bob", "198.51.100.9", T0, &nu, &ni, &f->err));
    assert_int_equal(nu, 0);
    assert_int_equal(ni, 0);
    EXPECT_OK(f, bm_store_login_failures(f->st, "carol", "203.0.113.5", T0, &nu, &ni, &f->err));
    assert_int_equal(nu, 1);
    assert_int_equal(ni, 1);
}

/* ---- audit chain --------------------------------------------------------------------- */

static void
test_audit_chain(void **state)
{
    struct fx *f = *state;
    struct bm_audit_entry e[3], more = {
        .at = T0 + 10, .actor_id = 7, .actor = "zhangsan", .action = "session.create",
        .object_type = "session", .object_id = "1", .detail = "{}",
    };
    struct bm_audit_entry *l;
    unsigned char head[BM_AUDIT_HASH_LEN];
    int64_t last = -1;
    struct bm_audit_report rep;
    size_t n = 0;

    append_three(f, e);
    assert_int_equal(e[0].id, 1);
    assert_int_equal(e[1].id, 2);
    assert_int_equal(e[2].id, 3);
    assert_memory_equal(e[0].prev_hash, bm_audit_genesis, BM_AUDIT_HASH_LEN);
    assert_memory_equal(e[1].prev_hash, e[0].hash, BM_AUDIT_HASH_LEN);
    assert_memory_equal(e[2].prev_hash, e[1].hash, BM_AUDIT_HASH_LEN);
    assert_memory_not_equal(e[0].hash, e[1].hash, BM_AUDIT_HASH_LEN);

    EXPECT_OK(f, bm_store_audit_head(f->st, NO_COUNTY, &last, head, &f->err));
    assert_int_equal(last, 3);
    assert_memory_equal(head, e[2].hash, BM_AUDIT_HASH_LEN);

    /* Oldest first, two per page. */
    EXPECT_OK(f, bm_store_audit_list(f->st, NO_COUNTY, 0, false, 2, f->a, &l, &n, &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(l[0].id, 1);
    assert_int_equal(l[1].id, 2);
    assert_int_equal(l[1].at, T0 + 1);
    assert_string_equal(l[1].actor, "cli");
    assert_string_equal(l[1].action, "org_unit.create");
    assert_string_equal(l[1].object_type, "org_unit");
    assert_string_equal(l[1].object_id, "2");
    assert_string_equal(l[1].detail, e[1].detail);
    assert_memory_equal(l[1].prev_hash, e[0].hash, BM_AUDIT_HASH_LEN);
    assert_memory_equal(l[1].hash, e[1].hash, BM_AUDIT_HASH_LEN);
    EXPECT_OK(f, bm_store_audit_list(f->st, NO_COUNTY, l[1].id, false, 2, f->a, &l, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(l[0].id, 3);
    EXPECT_OK(f, bm_store_audit_list(f->st, NO_COUNTY, 3, false, 2, f->a, &l, &n, &f->err));
    assert_int_equal(n, 0);

    /* Newest first: cursor 0 starts at the head, then ids below the cursor. */
    EXPECT_OK(f, bm_store_audit_list(f->st, NO_COUNTY, 0, true, 2, f->a, &l, &n, &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(l[0].id, 3);
    assert_int_equal(l[1].id, 2);
    EXPECT_OK(f, bm_store_audit_list(f->st, NO_COUNTY, l[1].id, true, 2, f->a, &l, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(l[0].id, 1);
    assert_string_equal(l[0].detail, e[0].detail);
    EXPECT_OK(f, bm_store_audit_list(f->st, NO_COUNTY, 1, true, 2, f->a, &l, &n, &f->err));
    assert_int_equal(n, 0);

    rep = verify(f);
    assert_int_equal(rep.bad_id, 0);
    assert_int_equal(rep.checked, 3);
    assert_int_equal(rep.head_id, 3);
    assert_null(rep.reason);

    /* A later transaction continues the same chain. */
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_audit_append(f->st, &more, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    assert_int_equal(more.id, 4);
    assert_memory_equal(more.prev_hash, e[2].hash, BM_AUDIT_HASH_LEN);
    rep = verify(f);
    assert_int_equal(rep.bad_id, 0);
    assert_int_equal(rep.checked, 4);
    assert_int_equal(rep.head_id, 4);
}

static void
test_audit_verify_long_chain(void **state)
{
    struct fx *f = *state;
    /* Long enough that the verifier must read the trail in several pages. */
    enum { N = 1203 };
    struct bm_audit_entry e;
    struct bm_audit_report rep;
    char oid[24];

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    for (int i = 0; i < N; i++) {
        snprintf(oid, sizeof(oid), "%d", i + 1);
        memset(&e, 0, sizeof(e));
        e.at = T0 + i;
        e.actor = "cli";
        e.action = "user.update";
        e.object_type = "user";
        e.object_id = oid;
        e.detail = "{\"display_name\":\"张三\"}";
        EXPECT_OK(f, bm_store_audit_append(f->st, &e, &f->err));
        assert_int_equal(e.id, i + 1);
    }
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    rep = verify(f);
    assert_int_equal(rep.bad_id, 0);
    assert_int_equal(rep.checked, N);
    assert_int_equal(rep.head_id, N);

    /* A break deep in a later page is still found, at the right entry. */
    backend_tamper(f, "UPDATE audit_log SET actor = 'admin' WHERE id = 1100");
    rep = verify(f);
    assert_int_equal(rep.bad_id, 1100);
    assert_int_equal(rep.checked, 1099);
}

/*
 * Tamper tests: someone with write access to the database file edits the trail behind the
 * server's back (backend_tamper). `bianmin audit verify` must name where it broke.
 */

static void
test_tamper_edit_detail(void **state)
{
    struct fx *f = *state;
    struct bm_audit_entry e[3];
    struct bm_audit_report rep;

    append_three(f, e);
    backend_tamper(f, "UPDATE audit_log SET detail = '{\"name\":\"别的镇\"}' WHERE id = 2");
    rep = verify(f);
    assert_int_equal(rep.bad_id, 2);
    assert_int_equal(rep.checked, 1);
    assert_int_equal(rep.head_id, 3);
    assert_non_null(rep.reason);
}

static void
test_tamper_edit_and_reseal(void **state)
{
    struct fx *f = *state;
    struct bm_audit_entry e[3], forged;
    struct bm_audit_report rep;
    char hex[65], lit[96], sql[256];

    append_three(f, e);
    /* A careful forger also recomputes the edited row's hash: the next row still points
     * at the original, so the chain breaks right after the forgery. */
    forged = e[1];
    forged.detail = "{}";
    bm_audit_seal(&forged);
    bm_audit_hex(forged.hash, hex);
    backend_blob_literal(hex, lit, sizeof(lit));
    snprintf(sql, sizeof(sql), "UPDATE audit_log SET detail = '{}', hash = %s WHERE id = 2", lit);
    backend_tamper(f, sql);
    rep = verify(f);
    assert_int_equal(rep.bad_id, 3);
    assert_int_equal(rep.checked, 2);
}

static void
test_tamper_delete_middle(void **state)
{
    struct fx *f = *state;
    struct bm_audit_entry e[3];
    struct bm_audit_report rep;

    append_three(f, e);
    backend_tamper(f, "DELETE FROM audit_log WHERE id = 2");
    rep = verify(f);
    assert_int_equal(rep.checked, 1);
    assert_non_null(rep.reason);
    assert_int_equal(rep.expected_id, 2);
    /* The report names the missing entry, as it does for a removed tail. */
    assert_int_equal(rep.bad_id, 2);
}

static void
test_tamper_delete_last(void **state)
{
    struct fx *f = *state;
    struct bm_audit_entry e[3];
    struct bm_audit_report rep;

    append_three(f, e);
    backend_tamper(f, "DELETE FROM audit_log WHERE id = 3");
    rep = verify(f);
    assert_int_equal(rep.checked, 2);
    assert_int_equal(rep.head_id, 3);
    assert_int_equal(rep.bad_id, 3);
    assert_non_null(rep.reason);
}

static void
test_tamper_swap_rows(void **state)
{
    struct fx *f = *state;
    struct bm_audit_entry e[3];
    struct bm_audit_report rep;

    append_three(f, e);
    /* Rows 2 and 3 trade places, each keeping its own (valid) hash. */
    backend_tamper(f, "UPDATE audit_log SET id = -2 WHERE id = 2;"
                      "UPDATE audit_log SET id = 2 WHERE id = 3;"
                      "UPDATE audit_log SET id = 3 WHERE id = -2;");
    rep = verify(f);
    assert_int_equal(rep.bad_id, 2);
    assert_int_equal(rep.checked, 1);
    assert_non_null(rep.reason);
}

static void
test_tamper_delete_head_record(void **state)
{
    struct fx *f = *state;
    struct bm_audit_entry e[3];
    struct bm_audit_report rep;

    append_three(f, e);
    /* Without the head record a removed tail could no longer be noticed. */
    backend_tamper(f, "DELETE FROM audit_head");
    rep = verify(f);
    assert_true(rep.bad_id != 0);
    assert_non_null(rep.reason);
}

static void
test_tamper_newer_schema_refused(void **state)
{
    struct fx *f = *state;
    int n = -1, have = 0, known = 0;

    backend_fake_newer_schema(f);
    EXPECT_OK(f, bm_store_schema_version(f->st, &have, &known, &f->err));
    assert_true(have > known);
    EXPECT_RC(f, BM_ECONFLICT, bm_store_migrate(f->st, &n, &f->err));
    assert_int_equal(n, 0);
}

/* ---- backup -------------------------------------------------------------------------- */

static void
test_backup(void **state)
{
    struct fx *f = *state;
    int64_t county = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    int64_t town = add_org(f, county, BM_ORG_TOWNSHIP, "溪翁庄镇", "110118100000");
    int64_t uid = add_user(f, "zhangsan", BM_ROLE_CLERK, town);
    struct bm_audit_entry e[3];
    struct bm_audit_report rep;
    struct bm_user got;
    char dest[192], url[224];
    int64_t n = -1;
    int have = 0, known = 0;

    append_three(f, e);
    backend_backup_target(f, "backup.db", dest, sizeof(dest), url, sizeof(url));
    if (pg_url != NULL) {
        /* PostgreSQL is backed up with its own tools; the store says so and writes nothing. */
        EXPECT_RC(f, BM_EINVAL, bm_store_backup(f->st, dest, &f->err));
        assert_non_null(strstr(f->err.message, "pg_dump"));
        assert_int_equal(access(dest, F_OK), -1);
        return;
    }
    EXPECT_OK(f, bm_store_backup(f->st, dest, &f->err));

    EXPECT_OK(f, bm_store_open(url, &f->st2, &f->err));
    EXPECT_OK(f, bm_store_schema_version(f->st2, &have, &known, &f->err));
    assert_int_equal(have, known);
    EXPECT_OK(f, bm_store_org_count(f->st2, &n, &f->err));
    assert_int_equal(n, org_count(f));
    EXPECT_OK(f, bm_store_user_count(f->st2, &n, &f->err));
    assert_int_equal(n, user_count(f));
    EXPECT_OK(f, bm_store_user_get(f->st2, uid, f->a, &got, &f->err));
    assert_string_equal(got.org_path, mkpath(f, 2, county, town));
    EXPECT_OK(f, bm_store_audit_verify(f->st2, NULL, &rep, &f->err));
    assert_int_equal(rep.bad_id, 0);
    assert_int_equal(rep.checked, 3);

    /* A backup never overwrites: not an earlier backup, not the live database. */
    EXPECT_RC(f, BM_ECONFLICT, bm_store_backup(f->st, dest, &f->err));
    EXPECT_RC(f, BM_ECONFLICT, bm_store_backup(f->st, f->path, &f->err));
    EXPECT_OK(f, bm_store_org_count(f->st2, &n, &f->err));
    assert_int_equal(n, 2);
}

/* ---- reads through a memory map ------------------------------------------------------ */

/* How many of this process's maps are of the test's database file. */
static int
file_maps(const struct fx *f)
{
    char line[512], tail[160];
    FILE *in = fopen("/proc/self/maps", "r");
    size_t t = (size_t)snprintf(tail, sizeof(tail), " %s\n", f->path), n;
    int count = 0;

    assert_non_null(in);
    while (fgets(line, sizeof(line), in) != NULL)
        count += (n = strlen(line)) >= t && strcmp(line + n - t, tail) == 0;
    fclose(in);
    return count;
}

/* bm_store_map_reads: on SQLite the store's reads then take the file's pages from a memory
 * map (no other connection maps it), and still see what another connection commits. */
static void
test_map_reads(void **state)
{
    struct fx *f = *state;
    int64_t id = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    struct bm_org_unit got;

    /* The last connection to close moves the WAL into the file: pages to map. */
    bm_store_close(f->st);
    f->st = NULL;
    EXPECT_OK(f, bm_store_open(f->url, &f->st2, &f->err));
    EXPECT_OK(f, bm_store_org_get(f->st2, id, f->a, &got, &f->err));
    assert_int_equal(file_maps(f), 0);

    bm_store_map_reads(f->st2);
    EXPECT_OK(f, bm_store_org_get(f->st2, id, f->a, &got, &f->err));
    assert_string_equal(got.name, "北京市密云区");
    assert_int_equal(file_maps(f), pg_url == NULL ? 1 : 0);

    EXPECT_OK(f, bm_store_open(f->url, &f->st, &f->err));
    got.name = "北京市密云区（改）";
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_org_update(f->st, &got, T0 + 1, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_org_get(f->st2, id, f->a, &got, &f->err));
    assert_string_equal(got.name, "北京市密云区（改）");
}

/* ---- two connections ----------------------------------------------------------------- */

static void
test_two_connections(void **state)
{
    struct fx *f = *state;
    struct bm_org_unit u = {
        .kind = BM_ORG_COUNTY, .name = "北京市密云区", .division_code = "110118",
        .credit_code = "", .is_active = true,
    };
    struct bm_org_unit got;
    int64_t id = 0, n = -1;

    EXPECT_OK(f, bm_store_open(f->url, &f->st2, &f->err));

    /* B does not see A's write until A commits, and sees it afterwards. */
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_org_insert(f->st, &u, T0, &id, &f->err));
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_org_get(f->st2, id, f->a, &got, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_org_get(f->st2, id, f->a, &got, &f->err));
    assert_string_equal(got.name, "北京市密云区");

    if (pg_url != NULL) {
        /*
         * PostgreSQL locks rows, not the database: while A holds a change to the county, B
         * may read it and write elsewhere, but B's change to the same row gives up after
         * the lock timeout (5 s) with a retryable code.
         */
        struct bm_org_unit a_view = got, b_view = got;
        EXPECT_OK(f, bm_store_begin(f->st, &f->err));
        a_view.name = "北京市密云区（A）";
        EXPECT_OK(f, bm_store_org_update(f->st, &a_view, T0 + 1, &f->err));
        EXPECT_OK(f, bm_store_org_count(f->st2, &n, &f->err));
        assert_int_equal(n, 1);
        EXPECT_OK(f, bm_store_begin(f->st2, &f->err));
        b_view.name = "北京市密云区（B）";
        EXPECT_RC(f, BM_EBUSY, bm_store_org_update(f->st2, &b_view, T0 + 1, &f->err));
        assert_true(f->err.retry_after_s > 0);
        bm_store_rollback(f->st2);
        bm_store_rollback(f->st);
    } else {
    /*
     * While A holds the write transaction, B may still read, but B's own write transaction
     * gives up after the busy timeout with a retryable code. (Slow: the timeout is 5 s.)
     */
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_org_count(f->st2, &n, &f->err));
    assert_int_equal(n, 1);
    EXPECT_RC(f, BM_EBUSY, bm_store_begin(f->st2, &f->err));
    assert_false(bm_store_in_tx(f->st2));
    assert_true(f->err.retry_after_s > 0);
    bm_store_rollback(f->st);
    }

    /* Once A is done, B gets its turn. */
    EXPECT_OK(f, bm_store_begin(f->st2, &f->err));
    assert_true(bm_store_in_tx(f->st2));
    u.name = "北京市怀柔区";
    u.division_code = "110116";
    EXPECT_OK(f, bm_store_org_insert(f->st2, &u, T0, &id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st2, &f->err));
    assert_int_equal(org_count(f), 2);
}

/* ---- service catalog ------------------------------------------------------------------ */

/* Three materials in a deliberate (not alphabetical) order: the store must keep it. */
static struct bm_material catalog_mats[3] = {
    {.name = "居民身份证", .required = true, .original_count = 1, .copy_count = 1,
     .source = BM_SOURCE_APPLICANT, .notes = "原件核验后当场退回", .form_url = ""},
    {.name = "户口簿（户主页及本人页）", .required = true, .original_count = 0, .copy_count = 2,
     .source = BM_SOURCE_GOVERNMENT, .notes = "", .form_url = ""},
    {.name = "《城乡居民基本养老保险参保登记表》", .required = false, .original_count = 1,
     .copy_count = 0, .source = BM_SOURCE_SHARED, .notes = "可在线填报，免提交纸质表",
     .form_url = "https://zwfw.example.gov.cn/forms/参保登记表.pdf"},
};

/* A complete draft, version 1, of a township service, with the three materials above. */
static struct bm_item
item_new(const char *code, const char *name, int64_t unit)
{
    struct bm_item it = {
        .code = code,
        .catalog_code = "GG00012300",
        .name = name,
        .type = bm_code_find(bm_item_types, "public_service"),
        .category = bm_code_find(bm_item_categories, "social_insurance"),
        .level = bm_code_find(bm_item_levels, "township"),
        .case_kind = BM_CASE_KIND_PROMISED,
        .result_type = bm_code_find(bm_item_results, "other"),
        .objects = BM_OBJECT_NATURAL,
        .deliveries = BM_DELIVERY_WINDOW | BM_DELIVERY_POST,
        .implementing_unit_id = unit,
        .conditions = "本镇户籍、年满16周岁、未参加城镇职工基本养老保险的居民",
        .legal_basis = "《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）",
        .process = "受理—审核—办结—送达",
        .faq = "问：可以代办吗？答：可以，需提供代办人身份证。",
        .keywords = "",
        .legal_days = 20,
        .promised_days = 5,
        .is_fee = false,
        .fee_standard = "",
        .fee_basis = "",
        .visits = 1,
        .visits_reason = "需本人现场采集照片",
        .online_depth = 0,
        .online_url = "",
        .county_wide = false,
        .needs_approval = true,
        .result_name = "参保登记回执",
        .consult_phone = "010-69041234",
        .complaint_phone = "12345",
        .window_address = "溪翁庄镇便民服务中心3号窗口",
        .office_hours = "周一至周五 9:00-12:00，13:30-17:00",
        .status = BM_ITEM_DRAFT,
        .item_version = 1,
        .materials = catalog_mats,
        .n_materials = 3,
    };
    return it;
}

static int64_t
add_item(struct fx *f, const struct bm_item *it, int64_t now)
{
    int64_t id = 0;

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_item_insert(f->st, it, now, &id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    assert_true(id > 0);
    return id;
}

static struct bm_item
get_item(struct fx *f, int64_t id)
{
    struct bm_item it;

    EXPECT_OK(f, bm_store_item_get(f->st, id, f->a, &it, &f->err));
    return it;
}

static void
set_item_status(struct fx *f, int64_t id, int64_t version, int status, int64_t now)
{
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_item_set_status(f->st, id, version, status, now, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
}

/* Inserts `it` as a draft and publishes it at once. */
static int64_t
add_published(struct fx *f, const struct bm_item *it)
{
    int64_t id = add_item(f, it, T0);

    set_item_status(f, id, 1, BM_ITEM_PUBLISHED, T0 + 1);
    return id;
}

static int
last_version(struct fx *f, const char *code)
{
    int last = -1;

    EXPECT_OK(f, bm_store_item_last_version(f->st, code, &last, &f->err));
    return last;
}

/* The names of items, joined by '|', for comparisons that print well. */
static const char *
names_of(struct fx *f, const struct bm_item *its, size_t n)
{
    const char *s = "";

    for (size_t i = 0; i < n; i++)
        s = bm_arena_printf(f->a, "%s%s%s", s, i ? "|" : "", its[i].name);
    assert_non_null(s);
    return s;
}

/* A listing of every status, no filter, 50 a page. */
static struct bm_item_query
query_all(void)
{
    struct bm_item_query q;

    memset(&q, 0, sizeof(q));
    q.category = "";
    q.township_path = "";
    q.unit_prefix = "";
    q.status = "";
    q.limit = 50;
    return q;
}

static struct bm_item_query
query_published(void)
{
    struct bm_item_query q = query_all();

    q.status = "published";
    return q;
}

/* Runs `q` with the terms of `text` (NULL: none), split as the API splits them. */
static size_t
search(struct fx *f, struct bm_item_query q, const char *text, struct bm_item **out)
{
    size_t n = 999;

    if (text != NULL) {
        size_t size = strlen(text) + 1;
        char *buf = bm_arena_alloc(f->a, size);
        assert_non_null(buf);
        q.n_terms = bm_item_split_query(text, buf, size, q.terms, BM_SEARCH_TERMS);
        assert_true(q.n_terms >= 0);
    }
    EXPECT_OK(f, bm_store_items_search(f->st, &q, f->a, out, &n, &f->err));
    assert_true(n <= (size_t)q.limit + 1);
    return n;
}

/* The names found by `q` with `text`, in rank order. */
static const char *
found(struct fx *f, struct bm_item_query q, const char *text)
{
    struct bm_item *its;
    size_t n = search(f, q, text, &its);

    return names_of(f, its, n);
}

static void
expect_material(const struct bm_material *got, const struct bm_material *want)
{
    assert_string_equal(got->name, want->name);
    assert_int_equal(got->required, want->required);
    assert_int_equal(got->original_count, want->original_count);
    assert_int_equal(got->copy_count, want->copy_count);
    assert_int_equal(got->source, want->source);
    assert_string_equal(got->notes, want->notes);
    assert_string_equal(got->form_url, want->form_url);
}

static void
test_item_insert_get_roundtrip(void **state)
{
    struct fx *f = *state;
    int64_t county = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    int64_t town = add_org(f, county, BM_ORG_TOWNSHIP, "溪翁庄镇", "110118100000");
    int64_t office = add_org(f, town, BM_ORG_OFFICE, "溪翁庄镇社会保障事务所", "");
    struct bm_item it = item_new("11011810000-GG-0001", "城乡居民养老保险参保登记", office);
    struct bm_item got, bare;
    int64_t id, bare_id;

    it.keywords = "社保 养老金 参保缴费";
    it.county_wide = true;
    it.online_depth = 3;
    it.online_url = "https://zwfw.example.gov.cn/item/cxjm";
    it.is_fee = true;
    it.fee_standard = "工本费10元";
    it.fee_basis = "京发改〔2019〕1号";
    it.visits = 2;
    it.result_type = bm_code_find(bm_item_results, "certificate");
    it.objects = BM_OBJECT_NATURAL | BM_OBJECT_LEGAL;
    it.deliveries = BM_DELIVERY_WINDOW | BM_DELIVERY_POST | BM_DELIVERY_ONLINE;
    it.case_kind = bm_code_find(bm_item_case_kinds, "joint");
    id = add_item(f, &it, T0 + 10);

    got = get_item(f, id);
    assert_int_equal(got.id, id);
    assert_string_equal(got.code, "11011810000-GG-0001");
    assert_string_equal(got.catalog_code, "GG00012300");
    assert_string_equal(got.name, "城乡居民养老保险参保登记");
    assert_int_equal(got.type, it.type);
    assert_int_equal(got.category, it.category);
    assert_int_equal(got.level, it.level);
    assert_int_equal(got.case_kind, it.case_kind);
    assert_int_equal(got.result_type, it.result_type);
    assert_int_equal(got.objects, BM_OBJECT_NATURAL | BM_OBJECT_LEGAL);
    assert_int_equal(got.deliveries, BM_DELIVERY_WINDOW | BM_DELIVERY_POST | BM_DELIVERY_ONLINE);
    assert_int_equal(got.implementing_unit_id, office);
    assert_string_equal(got.unit_name, "溪翁庄镇社会保障事务所");
    assert_string_equal(got.unit_path, mkpath(f, 3, county, town, office));
    assert_string_equal(got.conditions, it.conditions);
    assert_string_equal(got.legal_basis, it.legal_basis);
    assert_string_equal(got.process, it.process);
    assert_string_equal(got.faq, it.faq);
    assert_string_equal(got.keywords, "社保 养老金 参保缴费");
    assert_int_equal(got.legal_days, 20);
    assert_int_equal(got.promised_days, 5);
    assert_true(got.is_fee);
    assert_string_equal(got.fee_standard, "工本费10元");
    assert_string_equal(got.fee_basis, "京发改〔2019〕1号");
    assert_int_equal(got.visits, 2);
    assert_string_equal(got.visits_reason, "需本人现场采集照片");
    assert_int_equal(got.online_depth, 3);
    assert_string_equal(got.online_url, "https://zwfw.example.gov.cn/item/cxjm");
    assert_true(got.county_wide);
    assert_true(got.needs_approval);
    assert_string_equal(got.result_name, "参保登记回执");
    assert_string_equal(got.consult_phone, "010-69041234");
    assert_string_equal(got.complaint_phone, "12345");
    assert_string_equal(got.window_address, "溪翁庄镇便民服务中心3号窗口");
    assert_string_equal(got.office_hours, "周一至周五 9:00-12:00，13:30-17:00");
    assert_int_equal(got.status, BM_ITEM_DRAFT);
    assert_int_equal(got.item_version, 1);
    assert_int_equal(got.version, 1);
    assert_int_equal(got.created_at, T0 + 10);
    assert_int_equal(got.updated_at, T0 + 10);
    assert_int_equal(got.published_at, 0);
    assert_int_equal(got.retired_at, 0);
    assert_int_equal(got.n_materials, 3);
    for (size_t i = 0; i < 3; i++)
        expect_material(&got.materials[i], &catalog_mats[i]);

    /* The opposite flags, no materials and empty optional text come back as such. */
    it = item_new("11011810000-GG-0002", "独生子女父母光荣证办理", town);
    it.needs_approval = false;
    it.catalog_code = "";
    it.faq = "";
    it.n_materials = 0;
    it.materials = NULL;
    bare_id = add_item(f, &it, T0 + 11);
    assert_true(bare_id != id);
    bare = get_item(f, bare_id);
    assert_int_equal(bare.n_materials, 0);
    assert_false(bare.is_fee);
    assert_false(bare.county_wide);
    assert_false(bare.needs_approval);
    assert_string_equal(bare.catalog_code, "");
    assert_string_equal(bare.faq, "");
    assert_string_equal(bare.unit_name, "溪翁庄镇");
    assert_string_equal(bare.unit_path, mkpath(f, 2, county, town));
    /* ... and the first item kept its materials. */
    assert_int_equal(get_item(f, id).n_materials, 3);

    EXPECT_RC(f, BM_ENOTFOUND, bm_store_item_get(f->st, bare_id + 100, f->a, &got, &f->err));
}

static void
test_item_second_draft_conflict(void **state)
{
    struct fx *f = *state;
    int64_t county = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    int64_t town = add_org(f, county, BM_ORG_TOWNSHIP, "溪翁庄镇", "110118100000");
    struct bm_item it = item_new("XW-GG-0001", "城乡居民养老保险参保登记", town);
    struct bm_item *vs;
    size_t n = 0;
    int64_t v1, id = 0;
    bool named = false;

    v1 = add_item(f, &it, T0);

    /* A second draft of the same code, whatever its item version, is refused. */
    it.item_version = 2;
    it.name = "城乡居民养老保险参保登记（第二稿）";
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ECONFLICT, bm_store_item_insert(f->st, &it, T0 + 5, &id, &f->err));
    for (int i = 0; i < f->err.n_fields && i < BM_ERR_FIELDS; i++)
        named = named || strcmp(f->err.fields[i].field, "code") == 0;
    assert_true(named);
    bm_store_rollback(f->st);
    EXPECT_OK(f, bm_store_item_versions(f->st, "XW-GG-0001", f->a, &vs, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(vs[0].id, v1);
    assert_int_equal(last_version(f, "XW-GG-0001"), 1);
    assert_int_equal(get_item(f, v1).n_materials, 3);

    /* Once version 1 is published, version 1 cannot be inserted again, version 2 can. */
    set_item_status(f, v1, 1, BM_ITEM_PUBLISHED, T0 + 10);
    it.item_version = 1;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ECONFLICT, bm_store_item_insert(f->st, &it, T0 + 20, &id, &f->err));
    bm_store_rollback(f->st);
    it.item_version = 2;
    (void)add_item(f, &it, T0 + 30);
    assert_int_equal(last_version(f, "XW-GG-0001"), 2);

    /* Other codes are independent. */
    it = item_new("XW-GG-0002", "高龄津贴申领", town);
    (void)add_item(f, &it, T0 + 40);
    assert_int_equal(last_version(f, "XW-GG-0002"), 1);
}

static void
test_item_update_draft(void **state)
{
    struct fx *f = *state;
    int64_t county = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    int64_t town = add_org(f, county, BM_ORG_TOWNSHIP, "溪翁庄镇", "110118100000");
    int64_t other = add_org(f, county, BM_ORG_TOWNSHIP, "穆家峪镇", "110118101000");
    struct bm_item it = item_new("XW-GG-0001", "城乡居民养老保险参保登记", town);
    struct bm_material two[2] = {catalog_mats[2], catalog_mats[0]};
    struct bm_item cur, stale, got;
    int64_t id;

    it.keywords = "社保 养老金 参保缴费";
    id = add_item(f, &it, T0 + 10);
    assert_string_equal(found(f, query_all(), "民养"), "城乡居民养老保险参保登记");
    assert_string_equal(found(f, query_all(), "金"), "城乡居民养老保险参保登记");
    cur = get_item(f, id);
    stale = cur;
    two[0].name = "参保登记表（新版）";
    two[0].copy_count = 3;
    two[1].source = BM_SOURCE_SHARED;
    cur.name = "城乡居民基本养老保险参保登记";
    cur.keywords = "社保卡 缴费档次";
    cur.implementing_unit_id = other;
    cur.legal_days = 15;
    cur.promised_days = 3;
    cur.online_depth = 2;
    cur.online_url = "https://zwfw.example.gov.cn/item/2";
    cur.materials = two;
    cur.n_materials = 2;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_item_update(f->st, &cur, T0 + 20, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));

    got = get_item(f, id);
    assert_string_equal(got.name, "城乡居民基本养老保险参保登记");
    assert_string_equal(got.keywords, "社保卡 缴费档次");
    assert_int_equal(got.implementing_unit_id, other);
    assert_string_equal(got.unit_name, "穆家峪镇");
    assert_int_equal(got.legal_days, 15);
    assert_int_equal(got.promised_days, 3);
    assert_int_equal(got.online_depth, 2);
    assert_int_equal(got.version, 2);
    assert_int_equal(got.item_version, 1);
    assert_int_equal(got.status, BM_ITEM_DRAFT);
    assert_int_equal(got.created_at, T0 + 10);
    assert_int_equal(got.updated_at, T0 + 20);
    /* The materials are replaced, not appended to, in the new order. */
    assert_int_equal(got.n_materials, 2);
    expect_material(&got.materials[0], &two[0]);
    expect_material(&got.materials[1], &two[1]);

    /* The search follows the new name and keywords, for terms of every length. */
    assert_string_equal(found(f, query_all(), "基本养老保险"), "城乡居民基本养老保险参保登记");
    assert_string_equal(found(f, query_all(), "缴费档次"), "城乡居民基本养老保险参保登记");
    assert_string_equal(found(f, query_all(), "基本"), "城乡居民基本养老保险参保登记");
    assert_string_equal(found(f, query_all(), "档次"), "城乡居民基本养老保险参保登记");
    assert_string_equal(found(f, query_all(), "档"), "城乡居民基本养老保险参保登记");
    assert_string_equal(found(f, query_all(), "城乡居民养老"), "");
    assert_string_equal(found(f, query_all(), "民养"), ""); /* only in the old name */
    assert_string_equal(found(f, query_all(), "养老金"), "");
    assert_string_equal(found(f, query_all(), "金"), "");

    /* An edit based on version 1 loses and changes nothing, materials included. */
    stale.name = "过期的名称";
    stale.n_materials = 1;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ESTALE, bm_store_item_update(f->st, &stale, T0 + 30, &f->err));
    bm_store_rollback(f->st);
    got = get_item(f, id);
    assert_string_equal(got.name, "城乡居民基本养老保险参保登记");
    assert_int_equal(got.version, 2);
    assert_int_equal(got.updated_at, T0 + 20);
    assert_int_equal(got.n_materials, 2);
    expect_material(&got.materials[0], &two[0]);

    /* No such item. */
    cur.id = id + 100;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_item_update(f->st, &cur, T0 + 40, &f->err));
    bm_store_rollback(f->st);
}

/*
 * An item that is no longer a draft is not edited in place: BM_ETRANSITION at its current
 * version (store.h), and nothing changes.
 */
static void
test_item_update_published_refused(void **state)
{
    struct fx *f = *state;
    int64_t county = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    int64_t town = add_org(f, county, BM_ORG_TOWNSHIP, "溪翁庄镇", "110118100000");
    struct bm_item it = item_new("XW-GG-0001", "城乡居民养老保险参保登记", town);
    int64_t id = add_published(f, &it);
    struct bm_item cur = get_item(f, id), got;

    assert_int_equal(cur.status, BM_ITEM_PUBLISHED);
    assert_int_equal(cur.version, 2);
    cur.name = "发布后改名";
    cur.n_materials = 1;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ETRANSITION, bm_store_item_update(f->st, &cur, T0 + 50, &f->err));
    bm_store_rollback(f->st);
    got = get_item(f, id);
    assert_string_equal(got.name, "城乡居民养老保险参保登记");
    assert_int_equal(got.status, BM_ITEM_PUBLISHED);
    assert_int_equal(got.version, 2);
    assert_int_equal(got.n_materials, 3);
    assert_int_equal(got.updated_at, T0 + 1);

    /* The same for a retired item. */
    set_item_status(f, id, 2, BM_ITEM_RETIRED, T0 + 60);
    cur = get_item(f, id);
    cur.name = "停用后改名";
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ETRANSITION, bm_store_item_update(f->st, &cur, T0 + 70, &f->err));
    bm_store_rollback(f->st);
    got = get_item(f, id);
    assert_string_equal(got.name, "城乡居民养老保险参保登记");
    assert_int_equal(got.status, BM_ITEM_RETIRED);
    assert_int_equal(got.version, 3);
}

static void
test_item_publish_supersede_retire(void **state)
{
    struct fx *f = *state;
    int64_t county = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    int64_t town = add_org(f, county, BM_ORG_TOWNSHIP, "溪翁庄镇", "110118100000");
    struct bm_item it = item_new("XW-GG-0001", "城乡居民养老保险参保登记", town);
    struct bm_item got, *vs;
    size_t n = 0;
    int64_t v1, v2, v3;

    assert_int_equal(last_version(f, "XW-GG-0001"), 0);
    v1 = add_item(f, &it, T0);
    assert_int_equal(last_version(f, "XW-GG-0001"), 1);
    set_item_status(f, v1, 1, BM_ITEM_PUBLISHED, T0 + 100);
    got = get_item(f, v1);
    assert_int_equal(got.status, BM_ITEM_PUBLISHED);
    assert_int_equal(got.version, 2);
    assert_int_equal(got.published_at, T0 + 100);
    assert_int_equal(got.updated_at, T0 + 100);
    assert_int_equal(got.retired_at, 0);

    /* A status change based on an old record version is refused. */
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ESTALE,
              bm_store_item_set_status(f->st, v1, 1, BM_ITEM_RETIRED, T0 + 110, &f->err));
    bm_store_rollback(f->st);
    assert_int_equal(get_item(f, v1).status, BM_ITEM_PUBLISHED);

    /* Version 2: a draft beside the published version 1. */
    it.item_version = 2;
    it.name = "城乡居民养老保险参保登记（2024年版）";
    it.n_materials = 2;
    v2 = add_item(f, &it, T0 + 200);
    assert_int_equal(last_version(f, "XW-GG-0001"), 2);
    assert_string_equal(found(f, query_published(), "参保登记"), "城乡居民养老保险参保登记");

    /* Publishing it with a stale version fails and, rolled back, leaves version 1 published. */
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ESTALE,
              bm_store_item_set_status(f->st, v2, 7, BM_ITEM_PUBLISHED, T0 + 250, &f->err));
    bm_store_rollback(f->st);
    assert_int_equal(get_item(f, v1).status, BM_ITEM_PUBLISHED);
    assert_int_equal(get_item(f, v1).version, 2);
    assert_int_equal(get_item(f, v2).status, BM_ITEM_DRAFT);

    /* Publishing it supersedes version 1 in the same transaction. */
    set_item_status(f, v2, 1, BM_ITEM_PUBLISHED, T0 + 300);
    got = get_item(f, v1);
    assert_int_equal(got.status, BM_ITEM_SUPERSEDED);
    assert_int_equal(got.version, 3);
    assert_int_equal(got.updated_at, T0 + 300);
    assert_int_equal(got.published_at, T0 + 100);
    assert_int_equal(got.n_materials, 3);
    got = get_item(f, v2);
    assert_int_equal(got.status, BM_ITEM_PUBLISHED);
    assert_int_equal(got.version, 2);
    assert_int_equal(got.published_at, T0 + 300);
    assert_int_equal(got.n_materials, 2);
    assert_string_equal(found(f, query_published(), "参保登记"),
                        "城乡居民养老保险参保登记（2024年版）");
    {
        struct bm_item_query q = query_all();
        q.status = "superseded";
        assert_string_equal(found(f, q, "参保登记"), "城乡居民养老保险参保登记");
    }

    /* Every version, newest first, without materials. */
    EXPECT_OK(f, bm_store_item_versions(f->st, "XW-GG-0001", f->a, &vs, &n, &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(vs[0].id, v2);
    assert_int_equal(vs[0].item_version, 2);
    assert_int_equal(vs[0].status, BM_ITEM_PUBLISHED);
    assert_int_equal(vs[1].id, v1);
    assert_int_equal(vs[1].item_version, 1);
    assert_int_equal(vs[1].status, BM_ITEM_SUPERSEDED);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(vs[i].n_materials, 0);
        assert_string_equal(vs[i].unit_name, "溪翁庄镇");
        assert_string_equal(vs[i].code, "XW-GG-0001");
    }

    /* Retiring (record version 0: any) stamps the time; nothing is published any more. */
    set_item_status(f, v2, 0, BM_ITEM_RETIRED, T0 + 400);
    got = get_item(f, v2);
    assert_int_equal(got.status, BM_ITEM_RETIRED);
    assert_int_equal(got.retired_at, T0 + 400);
    assert_int_equal(got.published_at, T0 + 300);
    assert_int_equal(got.version, 3);
    assert_int_equal(get_item(f, v1).status, BM_ITEM_SUPERSEDED);
    assert_string_equal(found(f, query_published(), "参保登记"), "");

    /* A third version after all that; the history grows newest first. */
    it.item_version = 3;
    it.name = "城乡居民养老保险参保登记（2025年版）";
    v3 = add_item(f, &it, T0 + 500);
    assert_int_equal(last_version(f, "XW-GG-0001"), 3);
    EXPECT_OK(f, bm_store_item_versions(f->st, "XW-GG-0001", f->a, &vs, &n, &f->err));
    assert_int_equal(n, 3);
    assert_int_equal(vs[0].id, v3);
    assert_int_equal(vs[1].id, v2);
    assert_int_equal(vs[2].id, v1);
    assert_int_equal(vs[0].status, BM_ITEM_DRAFT);

    /* Unknown codes and ids. */
    EXPECT_OK(f, bm_store_item_versions(f->st, "XW-GG-9999", f->a, &vs, &n, &f->err));
    assert_int_equal(n, 0);
    assert_int_equal(last_version(f, "XW-GG-9999"), 0);
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ENOTFOUND,
              bm_store_item_set_status(f->st, v3 + 100, 0, BM_ITEM_RETIRED, T0, &f->err));
    bm_store_rollback(f->st);
}

/* The county of the search tests and its published catalog (see catalog_fixture). */
struct catalog {
    int64_t county, dept, t1, office1, t2;
    const char *t1_path, *t2_path, *dept_path;
    int64_t a, b, c, d, e;
};

/*
 * A: 城乡居民养老保险参保登记 (office under township 1, social insurance, natural persons)
 * B: 高龄津贴申领 (township 2, elderly care, online depth 3; "养老保险" only in keywords)
 * C: 临时救助申请 (county department, county-wide, natural and legal persons)
 * D: 农业机械购置补贴 (township 2, agriculture, legal persons)
 * E: 养老服务补贴申请 (township 1, elderly care) -- a draft, never published
 */
static void
catalog_fixture(struct fx *f, struct catalog *c)
{
    struct bm_item it;

    c->county = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    c->dept = add_org(f, c->county, BM_ORG_DEPARTMENT, "区民政局", "");
    c->t1 = add_org(f, c->county, BM_ORG_TOWNSHIP, "溪翁庄镇", "110118100000");
    c->office1 = add_org(f, c->t1, BM_ORG_OFFICE, "溪翁庄镇社会保障事务所", "");
    c->t2 = add_org(f, c->county, BM_ORG_TOWNSHIP, "穆家峪镇", "110118101000");
    c->t1_path = mkpath(f, 2, c->county, c->t1);
    c->t2_path = mkpath(f, 2, c->county, c->t2);
    c->dept_path = mkpath(f, 2, c->county, c->dept);

    it = item_new("SB-001", "城乡居民养老保险参保登记", c->office1);
    it.keywords = "社保 养老金 参保缴费";
    c->a = add_published(f, &it);

    it = item_new("YL-001", "高龄津贴申领", c->t2);
    it.category = bm_code_find(bm_item_categories, "elderly_care");
    it.keywords = "老年人 养老保险 补贴 北京通APP";
    it.online_depth = 3;
    it.online_url = "https://zwfw.example.gov.cn/item/gljt";
    c->b = add_published(f, &it);

    it = item_new("JZ-001", "临时救助申请", c->dept);
    it.category = bm_code_find(bm_item_categories, "social_assistance");
    it.keywords = "困难群众 救助";
    it.objects = BM_OBJECT_NATURAL | BM_OBJECT_LEGAL;
    it.county_wide = true;
    c->c = add_published(f, &it);

    it = item_new("NY-001", "农业机械购置补贴", c->t2);
    it.category = bm_code_find(bm_item_categories, "agriculture");
    it.keywords = "农机";
    it.objects = BM_OBJECT_LEGAL;
    c->d = add_published(f, &it);

    it = item_new("YL-002", "养老服务补贴申请", c->t1);
    it.category = bm_code_find(bm_item_categories, "elderly_care");
    it.keywords = "居家养老";
    c->e = add_item(f, &it, T0);
}

#define ITEM_A "城乡居民养老保险参保登记"
#define ITEM_B "高龄津贴申领"
#define ITEM_C "临时救助申请"
#define ITEM_D "农业机械购置补贴"
#define ITEM_E "养老服务补贴申请"

/* No item found after the first one whose name lacks `term` has the term in its name. */
static void
expect_names_first(const struct bm_item *its, size_t n, const char *term)
{
    bool keyword_seen = false;

    for (size_t i = 0; i < n; i++) {
        bool in_name = strstr(its[i].name, term) != NULL;
        if (in_name && keyword_seen)
            fail_msg("\"%s\": %s (name match) ranked after a keyword-only match", term,
                     its[i].name);
        keyword_seen = keyword_seen || !in_name;
    }
}

static void
test_items_search_terms(void **state)
{
    struct fx *f = *state;
    struct catalog c;
    struct bm_item *its;
    size_t n;

    catalog_fixture(f, &c);

    /* Two characters (a scan): A by its name, then B by its keywords; the draft E not. */
    assert_string_equal(found(f, query_published(), "养老"), ITEM_A "|" ITEM_B);
    /* One character: D by its name, then B by its keyword 补贴. */
    assert_string_equal(found(f, query_published(), "补"), ITEM_D "|" ITEM_B);
    /* Four characters (the trigram index): A by name, then B by keyword. */
    assert_string_equal(found(f, query_published(), "养老保险"), ITEM_A "|" ITEM_B);
    /* Three characters, only in keywords. */
    assert_string_equal(found(f, query_published(), "养老金"), ITEM_A);
    assert_string_equal(found(f, query_published(), "困难群众"), ITEM_C);
    assert_string_equal(found(f, query_published(), "不存在的事项"), "");
    assert_string_equal(found(f, query_published(), "护照"), "");

    /* Every status: the draft E is found too, and name matches still come first. */
    n = search(f, query_all(), "养老", &its);
    assert_int_equal(n, 3);
    expect_names_first(its, n, "养老");
    assert_string_equal(its[2].name, ITEM_B);
    n = search(f, query_all(), "补贴", &its);
    assert_int_equal(n, 3);
    expect_names_first(its, n, "补贴");
    assert_string_equal(its[2].name, ITEM_B);
    n = search(f, query_all(), "补贴申请", &its);
    assert_int_equal(n, 1);
    assert_int_equal(its[0].id, c.e);
    assert_int_equal(its[0].status, BM_ITEM_DRAFT);

    /* Several terms must all match, in name or keywords, whatever their lengths. */
    assert_string_equal(found(f, query_published(), "养老 登记"), ITEM_A);
    assert_string_equal(found(f, query_published(), "养老保险，参保登记"), ITEM_A);
    assert_string_equal(found(f, query_published(), "养老保险　高龄"), ITEM_B);
    assert_string_equal(found(f, query_published(), "高龄、养老保险"), ITEM_B);
    assert_string_equal(found(f, query_published(), "养老保险 农机"), "");
    assert_string_equal(found(f, query_published(), "补 农"), ITEM_D);

    /* Returned rows carry the item's fields, without materials. */
    n = search(f, query_published(), "临时救助", &its);
    assert_int_equal(n, 1);
    assert_int_equal(its[0].id, c.c);
    assert_string_equal(its[0].code, "JZ-001");
    assert_string_equal(its[0].unit_name, "区民政局");
    assert_string_equal(its[0].unit_path, c.dept_path);
    assert_true(its[0].county_wide);
    assert_int_equal(its[0].status, BM_ITEM_PUBLISHED);
    assert_int_equal(its[0].n_materials, 0);
}

/*
 * Latin letters in a term (APP, ETC, CA证书) match whatever their case, as PostgreSQL's
 * ILIKE and the SQLite trigram index do, whatever the length of the term.
 */
static void
test_items_search_latin_case(void **state)
{
    struct fx *f = *state;
    struct catalog c;
    static const char *const terms[] = {"APP", "app", "App", "通APP", "通app", "AP", "ap", "Ap",
                                        "P", "p"};
    const char *missed = "";

    catalog_fixture(f, &c);
    for (size_t i = 0; i < sizeof(terms) / sizeof(terms[0]); i++)
        if (strcmp(found(f, query_published(), terms[i]), ITEM_B) != 0)
            missed = bm_arena_printf(f->a, "%s \"%s\"", missed, terms[i]);
    if (missed[0] != '\0')
        fail_msg("%s not found by%s", ITEM_B, missed);
}

static void
test_items_search_filters(void **state)
{
    struct fx *f = *state;
    struct catalog c;
    struct bm_item_query q;

    catalog_fixture(f, &c);

    /* Without terms: by category code, then item code. */
    assert_string_equal(found(f, query_published(), NULL),
                        ITEM_D "|" ITEM_B "|" ITEM_C "|" ITEM_A);
    assert_string_equal(found(f, query_all(), NULL),
                        ITEM_D "|" ITEM_B "|" ITEM_E "|" ITEM_C "|" ITEM_A);
    q = query_all();
    q.status = "draft";
    assert_string_equal(found(f, q, NULL), ITEM_E);

    q = query_published();
    q.category = "elderly_care";
    assert_string_equal(found(f, q, NULL), ITEM_B);
    q.status = "";
    assert_string_equal(found(f, q, NULL), ITEM_B "|" ITEM_E);
    assert_string_equal(found(f, q, "补贴"), ITEM_E "|" ITEM_B);
    q.category = "housing";
    assert_string_equal(found(f, q, NULL), "");

    q = query_published();
    q.objects = BM_OBJECT_LEGAL;
    assert_string_equal(found(f, q, NULL), ITEM_D "|" ITEM_C);
    q.objects = BM_OBJECT_NATURAL;
    assert_string_equal(found(f, q, NULL), ITEM_B "|" ITEM_C "|" ITEM_A);
    q.objects = BM_OBJECT_NATURAL | BM_OBJECT_LEGAL;
    assert_string_equal(found(f, q, NULL), ITEM_D "|" ITEM_B "|" ITEM_C "|" ITEM_A);
    q.objects = BM_OBJECT_LEGAL;
    assert_string_equal(found(f, q, "补"), ITEM_D);

    q = query_published();
    q.online_only = true;
    assert_string_equal(found(f, q, NULL), ITEM_B);
    assert_string_equal(found(f, q, "养老"), ITEM_B);

    /* A township: the items of units under it (an office too) and the county-wide ones. */
    q = query_published();
    q.township_path = c.t1_path;
    assert_string_equal(found(f, q, NULL), ITEM_C "|" ITEM_A);
    assert_string_equal(found(f, q, "养老"), ITEM_A);
    assert_string_equal(found(f, q, "养老保险"), ITEM_A);
    assert_string_equal(found(f, q, "救助"), ITEM_C);
    q.status = "";
    assert_string_equal(found(f, q, NULL), ITEM_E "|" ITEM_C "|" ITEM_A);
    q = query_published();
    q.township_path = c.t2_path;
    assert_string_equal(found(f, q, NULL), ITEM_D "|" ITEM_B "|" ITEM_C);
    assert_string_equal(found(f, q, "补"), ITEM_D "|" ITEM_B);

    /* A unit prefix: only what the units under it implement, county-wide or not. */
    q = query_published();
    q.unit_prefix = c.dept_path;
    assert_string_equal(found(f, q, NULL), ITEM_C);
    q.unit_prefix = c.t1_path;
    assert_string_equal(found(f, q, NULL), ITEM_A);
    assert_string_equal(found(f, q, "救助"), "");
    q.unit_prefix = mkpath(f, 1, c.county);
    assert_string_equal(found(f, q, NULL), ITEM_D "|" ITEM_B "|" ITEM_C "|" ITEM_A);
    q.unit_prefix = "/99999/";
    assert_string_equal(found(f, q, NULL), "");

    /* Filters combine. */
    q = query_published();
    q.township_path = c.t2_path;
    q.category = "agriculture";
    q.objects = BM_OBJECT_LEGAL;
    assert_string_equal(found(f, q, "补贴"), ITEM_D);
    q.online_only = true;
    assert_string_equal(found(f, q, "补贴"), "");
}

static void
test_items_search_pages(void **state)
{
    struct fx *f = *state;
    struct catalog c;
    struct bm_item_query q;

    catalog_fixture(f, &c);

    /* limit + 1 rows when there is more; the rest on the next page. */
    q = query_published();
    q.limit = 2;
    assert_string_equal(found(f, q, NULL), ITEM_D "|" ITEM_B "|" ITEM_C);
    q.offset = 2;
    assert_string_equal(found(f, q, NULL), ITEM_C "|" ITEM_A);
    q.offset = 4;
    assert_string_equal(found(f, q, NULL), "");
    q.offset = 0;
    q.limit = 3;
    assert_string_equal(found(f, q, NULL), ITEM_D "|" ITEM_B "|" ITEM_C "|" ITEM_A);
    q.offset = 3;
    assert_string_equal(found(f, q, NULL), ITEM_A);
    q.offset = 0;
    q.limit = 4;
    assert_string_equal(found(f, q, NULL), ITEM_D "|" ITEM_B "|" ITEM_C "|" ITEM_A);

    /* Ranked results page the same way, for a scan and for the trigram index. */
    q = query_published();
    q.limit = 1;
    assert_string_equal(found(f, q, "补"), ITEM_D "|" ITEM_B);
    q.offset = 1;
    assert_string_equal(found(f, q, "补"), ITEM_B);
    q.offset = 2;
    assert_string_equal(found(f, q, "补"), "");
    q.offset = 0;
    assert_string_equal(found(f, q, "养老保险"), ITEM_A "|" ITEM_B);
    q.offset = 1;
    assert_string_equal(found(f, q, "养老保险"), ITEM_B);
}

/* LIKE's % and _ (and its escape character) in a term are ordinary characters. */
static void
test_items_search_like_characters(void **state)
{
    struct fx *f = *state;
    int64_t county = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    int64_t town = add_org(f, county, BM_ORG_TOWNSHIP, "溪翁庄镇", "110118100000");
    static const struct {
        const char *code, *name;
    } items[] = {
        {"P-1", "事项办结率100%公示"},
        {"P-2", "事项办结率1000公示"},
        {"P-3", "材料清单_模板下载"},
        {"P-4", "材料清单A模板下载"},
        {"P-5", "路径\\分隔说明"},
        {"P-6", "路径/分隔说明"},
        {"P-7", "关于\"最多跑一次\"的说明"},
    };
    static const struct {
        const char *q, *want;
    } cases[] = {
        {"%", "事项办结率100%公示"},
        {"0%", "事项办结率100%公示"},
        {"100%", "事项办结率100%公示"},
        {"率100%公", "事项办结率100%公示"},
        {"1000", "事项办结率1000公示"},
        {"_", "材料清单_模板下载"},
        {"单_", "材料清单_模板下载"},
        {"单_模", "材料清单_模板下载"},
        {"清单_模板", "材料清单_模板下载"},
        {"\\", "路径\\分隔说明"},
        {"径\\", "路径\\分隔说明"},
        {"径\\分", "路径\\分隔说明"},
        {"\"", "关于\"最多跑一次\"的说明"},
        {"\"最多", "关于\"最多跑一次\"的说明"},
        {"跑一次\"的", "关于\"最多跑一次\"的说明"},
        {"跑一次*", ""},
        {"最多 OR", ""},
        {"%%", ""},
        {"__", ""},
        {"_%_", ""},
    };

    for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
        struct bm_item it = item_new(items[i].code, items[i].name, town);
        (void)add_published(f, &it);
    }
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *got = found(f, query_published(), cases[i].q);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("search \"%s\": found \"%s\", want \"%s\"", cases[i].q, got, cases[i].want);
    }
    /* Sanity: the plain terms around them still find both look-alikes. */
    assert_string_equal(found(f, query_published(), "清单"), "材料清单_模板下载|材料清单A模板下载");
    assert_int_equal(strlen(found(f, query_published(), "办结率")) > 0, 1);
}

/* ---- delegated powers and power lists ------------------------------------------------- */

/* The county, its planning department and three townships. */
struct towns {
    int64_t county, dept, t[3];
};

static void
towns_fixture(struct fx *f, struct towns *w)
{
    w->county = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    w->dept = add_org(f, w->county, BM_ORG_DEPARTMENT, "区规划自然资源分局", "");
    w->t[0] = add_org(f, w->county, BM_ORG_TOWNSHIP, "溪翁庄镇", "110118100000");
    w->t[1] = add_org(f, w->county, BM_ORG_TOWNSHIP, "穆家峪镇", "110118101000");
    w->t[2] = add_org(f, w->county, BM_ORG_TOWNSHIP, "西田各庄镇", "110118102000");
}

static struct bm_delegation
delegation_new(const struct towns *w)
{
    struct bm_delegation d = {
        .name = "乡村建设规划许可证核发",
        .from_unit_id = w->dept,
        .legal_basis = "《中华人民共和国城乡规划法》第四十一条",
        .approval_document = "密政发〔2019〕12号",
        .approval_date = "2019-06-01",
        .procedure = "镇政府受理、审查并作出决定，报分局备案",
        .department_responsibility = "业务指导、培训和监督检查",
        .township_responsibility = "依法受理、审查、决定并承担相应责任",
        .is_active = true,
        .township_ids = {w->t[0], w->t[1]},
        .n_townships = 2,
    };
    return d;
}

static int64_t
add_delegation(struct fx *f, const struct bm_delegation *d, int64_t now)
{
    int64_t id = 0;

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_delegation_insert(f->st, d, now, &id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    assert_true(id > 0);
    return id;
}

/* The name the delegation gives township `tid`, or NULL if it does not list it. */
static const char *
town_name(const struct bm_delegation *d, int64_t tid)
{
    for (size_t i = 0; i < d->n_townships; i++)
        if (d->township_ids[i] == tid)
            return d->township_names[i];
    return NULL;
}

static void
test_delegation_insert_get_list_revoke(void **state)
{
    struct fx *f = *state;
    struct towns w;
    struct bm_delegation d, got, *l;
    struct bm_arena *big = bm_arena_new((size_t)64 << 20); /* see the small-arena test */
    size_t n = 0;
    int64_t d1, d2;

    assert_non_null(big);
    towns_fixture(f, &w);
    d = delegation_new(&w);
    d1 = add_delegation(f, &d, T0 + 10);

    EXPECT_OK(f, bm_store_delegation_get(f->st, d1, f->a, &got, &f->err));
    assert_int_equal(got.id, d1);
    assert_string_equal(got.name, "乡村建设规划许可证核发");
    assert_int_equal(got.from_unit_id, w.dept);
    assert_string_equal(got.from_unit_name, "区规划自然资源分局");
    assert_string_equal(got.legal_basis, "《中华人民共和国城乡规划法》第四十一条");
    assert_string_equal(got.approval_document, "密政发〔2019〕12号");
    assert_string_equal(got.approval_date, "2019-06-01");
    assert_string_equal(got.procedure, d.procedure);
    assert_string_equal(got.department_responsibility, d.department_responsibility);
    assert_string_equal(got.township_responsibility, d.township_responsibility);
    assert_true(got.is_active);
    assert_int_equal(got.version, 1);
    assert_int_equal(got.created_at, T0 + 10);
    assert_int_equal(got.updated_at, T0 + 10);
    assert_int_equal(got.n_townships, 2);
    assert_string_equal(town_name(&got, w.t[0]), "溪翁庄镇");
    assert_string_equal(town_name(&got, w.t[1]), "穆家峪镇");
    assert_null(town_name(&got, w.t[2]));

    /* A second one, to the third township only. */
    d.name = "农村村民住宅建设审批";
    d.approval_document = "密政发〔2020〕3号";
    d.approval_date = "2020-02-29";
    d.procedure = "";
    d.township_ids[0] = w.t[2];
    d.n_townships = 1;
    d2 = add_delegation(f, &d, T0 + 20);

    /* The list, newest first, each with its own townships. */
    EXPECT_OK(f, bm_store_delegations_list(f->st, big, &l, &n, &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(l[0].id, d2);
    assert_int_equal(l[1].id, d1);
    assert_string_equal(l[0].name, "农村村民住宅建设审批");
    assert_string_equal(l[0].approval_date, "2020-02-29");
    assert_string_equal(l[0].procedure, "");
    assert_string_equal(l[0].from_unit_name, "区规划自然资源分局");
    assert_int_equal(l[0].n_townships, 1);
    assert_int_equal(l[0].township_ids[0], w.t[2]);
    assert_string_equal(l[0].township_names[0], "西田各庄镇");
    assert_int_equal(l[1].n_townships, 2);
    assert_string_equal(town_name(&l[1], w.t[0]), "溪翁庄镇");
    assert_string_equal(town_name(&l[1], w.t[1]), "穆家峪镇");

    /* Revoking with an old version fails and changes nothing. */
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ESTALE, bm_store_delegation_revoke(f->st, d1, 2, T0 + 30, &f->err));
    bm_store_rollback(f->st);
    EXPECT_OK(f, bm_store_delegation_get(f->st, d1, f->a, &got, &f->err));
    assert_true(got.is_active);
    assert_int_equal(got.version, 1);

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_delegation_revoke(f->st, d1, 1, T0 + 40, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_delegation_get(f->st, d1, f->a, &got, &f->err));
    assert_false(got.is_active);
    assert_int_equal(got.version, 2);
    assert_int_equal(got.updated_at, T0 + 40);
    assert_int_equal(got.created_at, T0 + 10);
    assert_int_equal(got.n_townships, 2); /* the record of where it went stays */

    /* Revoking twice is refused as stale; the other delegation is untouched. */
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ESTALE, bm_store_delegation_revoke(f->st, d1, 2, T0 + 50, &f->err));
    bm_store_rollback(f->st);
    EXPECT_OK(f, bm_store_delegation_get(f->st, d2, f->a, &got, &f->err));
    assert_true(got.is_active);
    assert_int_equal(got.version, 1);
    EXPECT_OK(f, bm_store_delegations_list(f->st, big, &l, &n, &f->err));
    assert_int_equal(n, 2);
    assert_false(l[1].is_active);

    EXPECT_RC(f, BM_ENOTFOUND, bm_store_delegation_get(f->st, d2 + 100, f->a, &got, &f->err));

    /* The same township twice is a conflict on both backends, and rolls back completely. */
    d = delegation_new(&w);
    d.township_ids[1] = d.township_ids[0];
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ECONFLICT, bm_store_delegation_insert(f->st, &d, T0 + 60, &d1, &f->err));
    bm_store_rollback(f->st);
    EXPECT_OK(f, bm_store_delegations_list(f->st, big, &l, &n, &f->err));
    assert_int_equal(n, 2);
    bm_arena_free(big);
}

/*
 * A server configured with the smallest arena_max_bytes (65536) gives each request an arena
 * of 64 KiB + 64 KiB (src/http/server.c). Listing two delegations and three powers fits in
 * that many times over, and does on PostgreSQL, which sizes the result by the rows found.
 */
static void
test_delegations_list_small_arena(void **state)
{
    struct fx *f = *state;
    struct towns w;
    struct bm_delegation d, *l;
    struct bm_arena *a = bm_arena_new((size_t)65536 + 65536);
    size_t n = 0;

    assert_non_null(a);
    towns_fixture(f, &w);
    d = delegation_new(&w);
    (void)add_delegation(f, &d, T0);
    (void)add_delegation(f, &d, T0 + 1);
    bm_err_clear(&f->err);
    if (bm_store_delegations_list(f->st, a, &l, &n, &f->err) != BM_OK) {
        bm_arena_free(a);
        fail_msg("listing 2 delegations in a 128 KiB arena: %s (%s)", bm_rc_code(f->err.rc),
                 f->err.message);
    }
    assert_int_equal(n, 2);
    assert_true(bm_arena_used(a) < 65536);
    bm_arena_free(a);
}

static void
test_powers_list_small_arena(void **state)
{
    struct fx *f = *state;
    struct towns w;
    struct bm_power p = {
        .name = "对违反村庄规划建设行为的处罚",
        .legal_basis = "《中华人民共和国城乡规划法》第六十五条",
        .responsibilities = "[]",
        .accountability = "[]",
    }, *l;
    struct bm_arena *a = bm_arena_new((size_t)65536 + 65536);
    size_t n = 0;
    int64_t id;

    assert_non_null(a);
    towns_fixture(f, &w);
    p.township_id = w.t[0];
    for (int i = 0; i < 3; i++) {
        EXPECT_OK(f, bm_store_begin(f->st, &f->err));
        EXPECT_OK(f, bm_store_power_insert(f->st, &p, T0, &id, &f->err));
        EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    }
    bm_err_clear(&f->err);
    if (bm_store_powers_list(f->st, w.t[0], a, &l, &n, &f->err) != BM_OK) {
        bm_arena_free(a);
        fail_msg("listing 3 powers in a 128 KiB arena: %s (%s)", bm_rc_code(f->err.rc),
                 f->err.message);
    }
    assert_int_equal(n, 3);
    assert_true(bm_arena_used(a) < 65536);
    bm_arena_free(a);
}

/* The history of an item with two versions, in the same smallest request arena. */
static void
test_item_versions_small_arena(void **state)
{
    struct fx *f = *state;
    int64_t county = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    int64_t town = add_org(f, county, BM_ORG_TOWNSHIP, "溪翁庄镇", "110118100000");
    struct bm_item it = item_new("XW-GG-0001", "城乡居民养老保险参保登记", town), *vs;
    struct bm_arena *a = bm_arena_new((size_t)65536 + 65536);
    size_t n = 0;

    assert_non_null(a);
    (void)add_published(f, &it);
    it.item_version = 2;
    (void)add_item(f, &it, T0 + 10);
    bm_err_clear(&f->err);
    if (bm_store_item_versions(f->st, "XW-GG-0001", a, &vs, &n, &f->err) != BM_OK) {
        bm_arena_free(a);
        fail_msg("listing 2 item versions in a 128 KiB arena: %s (%s)", bm_rc_code(f->err.rc),
                 f->err.message);
    }
    assert_int_equal(n, 2);
    assert_true(bm_arena_used(a) < 65536);
    bm_arena_free(a);
}

static int64_t
add_power(struct fx *f, const struct bm_power *p, int64_t now)
{
    int64_t id = 0;

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_power_insert(f->st, p, now, &id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    assert_true(id > 0);
    return id;
}

static void
test_powers_insert_get_list_update(void **state)
{
    struct fx *f = *state;
    struct towns w;
    struct bm_power p = {
        .name = "对违反村庄规划建设行为的处罚",
        .type = bm_code_find(bm_power_types, "penalty"),
        .legal_basis = "《中华人民共和国城乡规划法》第六十五条",
        .responsibilities = "[{\"stage\":\"立案\",\"duty\":\"依法立案调查\"}]",
        .accountability = "[\"不依法履行职责的\"]",
    };
    struct bm_power got, cur, stale, *l;
    struct bm_arena *big = bm_arena_new((size_t)64 << 20); /* see the small-arena test */
    size_t n = 0;
    int64_t p1, p2, p3;

    assert_non_null(big);
    towns_fixture(f, &w);
    p.township_id = w.t[0];
    p1 = add_power(f, &p, T0 + 10);
    p.township_id = w.t[1];
    p.name = "特困人员救助供养审核";
    p.type = bm_code_find(bm_power_types, "payment");
    p2 = add_power(f, &p, T0 + 20);
    p.township_id = w.t[0];
    p.name = "农村村民住宅建设审批";
    p.type = bm_code_find(bm_power_types, "permit");
    p3 = add_power(f, &p, T0 + 30);

    EXPECT_OK(f, bm_store_power_get(f->st, p1, f->a, &got, &f->err));
    assert_int_equal(got.id, p1);
    assert_int_equal(got.township_id, w.t[0]);
    assert_string_equal(got.township_name, "溪翁庄镇");
    assert_string_equal(got.name, "对违反村庄规划建设行为的处罚");
    assert_int_equal(got.type, bm_code_find(bm_power_types, "penalty"));
    assert_string_equal(got.legal_basis, "《中华人民共和国城乡规划法》第六十五条");
    assert_string_equal(got.responsibilities, "[{\"stage\":\"立案\",\"duty\":\"依法立案调查\"}]");
    assert_string_equal(got.accountability, "[\"不依法履行职责的\"]");
    assert_int_equal(got.version, 1);
    assert_int_equal(got.created_at, T0 + 10);
    assert_int_equal(got.updated_at, T0 + 10);

    /* A township's list by id; 0 lists every township's. */
    EXPECT_OK(f, bm_store_powers_list(f->st, w.t[0], big, &l, &n, &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(l[0].id, p1);
    assert_int_equal(l[1].id, p3);
    assert_string_equal(l[1].name, "农村村民住宅建设审批");
    assert_string_equal(l[1].township_name, "溪翁庄镇");
    EXPECT_OK(f, bm_store_powers_list(f->st, w.t[1], big, &l, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(l[0].id, p2);
    assert_string_equal(l[0].township_name, "穆家峪镇");
    assert_int_equal(l[0].type, bm_code_find(bm_power_types, "payment"));
    EXPECT_OK(f, bm_store_powers_list(f->st, w.t[2], big, &l, &n, &f->err));
    assert_int_equal(n, 0);
    EXPECT_OK(f, bm_store_powers_list(f->st, 0, big, &l, &n, &f->err));
    assert_int_equal(n, 3);
    assert_int_equal(l[0].id, p1);
    assert_int_equal(l[1].id, p2);
    assert_int_equal(l[2].id, p3);

    /* Update with the current version. */
    EXPECT_OK(f, bm_store_power_get(f->st, p1, f->a, &cur, &f->err));
    stale = cur;
    cur.name = "对未取得乡村建设规划许可证进行建设的处罚";
    cur.type = bm_code_find(bm_power_types, "coercion");
    cur.legal_basis = "《中华人民共和国城乡规划法》第六十五条、第六十八条";
    cur.responsibilities = "[]";
    cur.accountability = "[\"超越职权的\"]";
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_power_update(f->st, &cur, T0 + 40, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_power_get(f->st, p1, f->a, &got, &f->err));
    assert_string_equal(got.name, "对未取得乡村建设规划许可证进行建设的处罚");
    assert_int_equal(got.type, bm_code_find(bm_power_types, "coercion"));
    assert_string_equal(got.legal_basis, "《中华人民共和国城乡规划法》第六十五条、第六十八条");
    assert_string_equal(got.responsibilities, "[]");
    assert_string_equal(got.accountability, "[\"超越职权的\"]");
    assert_int_equal(got.version, 2);
    assert_int_equal(got.created_at, T0 + 10);
    assert_int_equal(got.updated_at, T0 + 40);
    assert_int_equal(got.township_id, w.t[0]);

    /* An update based on version 1 loses and changes nothing. */
    stale.name = "过期的名称";
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ESTALE, bm_store_power_update(f->st, &stale, T0 + 50, &f->err));
    bm_store_rollback(f->st);
    EXPECT_OK(f, bm_store_power_get(f->st, p1, f->a, &got, &f->err));
    assert_string_equal(got.name, "对未取得乡村建设规划许可证进行建设的处罚");
    assert_int_equal(got.version, 2);
    assert_int_equal(got.updated_at, T0 + 40);

    EXPECT_RC(f, BM_ENOTFOUND, bm_store_power_get(f->st, p3 + 100, f->a, &got, &f->err));
    bm_arena_free(big);
}

/* ---- working-day calendar ------------------------------------------------------------- */

static bm_day
ymd(int y, int m, int d)
{
    bm_day out = BM_DAY_NONE;

    assert_true(bm_day_from_ymd(y, m, d, &out));
    return out;
}

static void
put_year(struct fx *f, const struct bm_cal_year *y, int64_t version, int64_t now)
{
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_calendar_put(f->st, y, version, now, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
}

static void
expect_entry(const struct bm_cal_entry *e, bm_day day, enum bm_cal_kind kind, const char *name)
{
    assert_int_equal(e->day, day);
    assert_int_equal(e->kind, kind);
    assert_string_equal(e->name, name);
}

static void
test_calendar_put_load(void **state)
{
    struct fx *f = *state;
    /* Given out of order: the store hands them back by day. */
    struct bm_cal_entry e24[] = {
        {ymd(2024, 2, 10), BM_CAL_OFF, "春节"},
        {ymd(2024, 1, 1), BM_CAL_OFF, "元旦"},
        {ymd(2024, 2, 4), BM_CAL_WORK, "春节调休"},
    };
    struct bm_cal_entry e23[] = {
        {ymd(2023, 10, 7), BM_CAL_WORK, "国庆节调休"},
        {ymd(2023, 10, 1), BM_CAL_OFF, "国庆节"},
    };
    struct bm_cal_year y24 = {.year = 2024, .source = "国办发明电〔2023〕7号", .entries = e24,
                              .n_entries = 3};
    struct bm_cal_year y23 = {.year = 2023, .source = "国办发明电〔2022〕16号", .entries = e23,
                              .n_entries = 2};
    struct bm_cal_year y25 = {.year = 2025, .source = "", .entries = e24, .n_entries = 0};
    struct bm_cal_year *ys;
    size_t n = 99;
    int64_t stamp = -1, stamp2 = -1;

    EXPECT_OK(f, bm_store_calendar_load(f->st, f->a, &ys, &n, &f->err));
    assert_int_equal(n, 0);
    EXPECT_OK(f, bm_store_calendar_stamp(f->st, &stamp, &f->err));
    assert_int_equal(stamp, 0);

    put_year(f, &y24, 0, T0);
    EXPECT_OK(f, bm_store_calendar_load(f->st, f->a, &ys, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(ys[0].year, 2024);
    assert_string_equal(ys[0].source, "国办发明电〔2023〕7号");
    assert_int_equal(ys[0].version, 1);
    assert_int_equal(ys[0].updated_at, T0);
    assert_int_equal(ys[0].n_entries, 3);
    expect_entry(&ys[0].entries[0], ymd(2024, 1, 1), BM_CAL_OFF, "元旦");
    expect_entry(&ys[0].entries[1], ymd(2024, 2, 4), BM_CAL_WORK, "春节调休");
    expect_entry(&ys[0].entries[2], ymd(2024, 2, 10), BM_CAL_OFF, "春节");

    /* An earlier year comes first, each year with its own days. */
    put_year(f, &y23, 0, T0 + 1);
    EXPECT_OK(f, bm_store_calendar_load(f->st, f->a, &ys, &n, &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(ys[0].year, 2023);
    assert_int_equal(ys[0].n_entries, 2);
    expect_entry(&ys[0].entries[0], ymd(2023, 10, 1), BM_CAL_OFF, "国庆节");
    expect_entry(&ys[0].entries[1], ymd(2023, 10, 7), BM_CAL_WORK, "国庆节调休");
    assert_int_equal(ys[1].year, 2024);
    assert_int_equal(ys[1].n_entries, 3);

    /* Every change raises the stamp; a refused one leaves it. */
    EXPECT_OK(f, bm_store_calendar_stamp(f->st, &stamp, &f->err));
    assert_int_equal(stamp, 2);

    /* Creating a year that exists is a conflict and changes nothing. */
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ECONFLICT, bm_store_calendar_put(f->st, &y24, 0, T0 + 2, &f->err));
    bm_store_rollback(f->st);
    EXPECT_OK(f, bm_store_calendar_load(f->st, f->a, &ys, &n, &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(ys[1].version, 1);
    assert_int_equal(ys[1].updated_at, T0);
    assert_int_equal(ys[1].n_entries, 3);

    /* Replacing with the current version: new source and days, version bumped. */
    y24.source = "国办发明电〔2023〕7号（更正）";
    y24.n_entries = 2; /* 春节 and 元旦 */
    put_year(f, &y24, 1, T0 + 10);
    EXPECT_OK(f, bm_store_calendar_load(f->st, f->a, &ys, &n, &f->err));
    assert_int_equal(n, 2);
    assert_string_equal(ys[1].source, "国办发明电〔2023〕7号（更正）");
    assert_int_equal(ys[1].version, 2);
    assert_int_equal(ys[1].updated_at, T0 + 10);
    assert_int_equal(ys[1].n_entries, 2);
    expect_entry(&ys[1].entries[0], ymd(2024, 1, 1), BM_CAL_OFF, "元旦");
    expect_entry(&ys[1].entries[1], ymd(2024, 2, 10), BM_CAL_OFF, "春节");
    assert_int_equal(ys[0].version, 1); /* the other year is untouched */
    assert_int_equal(ys[0].n_entries, 2);
    EXPECT_OK(f, bm_store_calendar_stamp(f->st, &stamp2, &f->err));
    assert_true(stamp2 > stamp);
    stamp = stamp2;

    /* An old version loses and changes nothing; so does a version of a year not stored. */
    y24.n_entries = 0;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ESTALE, bm_store_calendar_put(f->st, &y24, 1, T0 + 20, &f->err));
    bm_store_rollback(f->st);
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ESTALE, bm_store_calendar_put(f->st, &y25, 1, T0 + 20, &f->err));
    bm_store_rollback(f->st);
    EXPECT_OK(f, bm_store_calendar_load(f->st, f->a, &ys, &n, &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(ys[1].version, 2);
    assert_int_equal(ys[1].n_entries, 2);
    EXPECT_OK(f, bm_store_calendar_stamp(f->st, &stamp2, &f->err));
    assert_int_equal(stamp2, stamp);

    /* A year may be emptied. */
    put_year(f, &y24, 2, T0 + 30);
    EXPECT_OK(f, bm_store_calendar_load(f->st, f->a, &ys, &n, &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(ys[1].version, 3);
    assert_int_equal(ys[1].n_entries, 0);
    assert_int_equal(ys[0].n_entries, 2);
}

/* ---- cases (办件) ----------------------------------------------------------------------- */

/*
 * The county of the case tests: a department, township 1 with its social security office,
 * township 2; a published item of the office; a clerk, two handlers and a resident.
 */
struct cases {
    int64_t county, dept, t1, office1, t2;
    const char *county_path, *t1_path, *t2_path, *office1_path, *dept_path;
    int64_t item, clerk, handler, handler2, resident;
};

static int64_t
add_staff(struct fx *f, const char *username, const char *display_name, unsigned roles,
          int64_t unit)
{
    struct bm_user u = {
        .username = username,
        .display_name = display_name,
        .phone = "",
        .roles = roles,
        .org_unit_id = unit,
        .is_active = true,
    };
    int64_t id = 0;

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_user_insert(f->st, &u, "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA",
                                      T0, &id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    assert_true(id > 0);
    return id;
}

static void
cases_fixture(struct fx *f, struct cases *w)
{
    struct bm_item it;

    w->county = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    w->dept = add_org(f, w->county, BM_ORG_DEPARTMENT, "区人力社保局", "");
    w->t1 = add_org(f, w->county, BM_ORG_TOWNSHIP, "溪翁庄镇", "110118100000");
    w->office1 = add_org(f, w->t1, BM_ORG_OFFICE, "溪翁庄镇社会保障事务所", "");
    w->t2 = add_org(f, w->county, BM_ORG_TOWNSHIP, "穆家峪镇", "110118101000");
    w->county_path = mkpath(f, 1, w->county);
    w->t1_path = mkpath(f, 2, w->county, w->t1);
    w->t2_path = mkpath(f, 2, w->county, w->t2);
    w->office1_path = mkpath(f, 3, w->county, w->t1, w->office1);
    w->dept_path = mkpath(f, 2, w->county, w->dept);
    it = item_new("SB-001", "城乡居民养老保险参保登记", w->office1);
    w->item = add_published(f, &it);
    w->clerk = add_staff(f, "clerk1", "王受理", BM_ROLE_CLERK, w->t1);
    w->handler = add_staff(f, "handler1", "李承办", BM_ROLE_HANDLER, w->office1);
    w->handler2 = add_staff(f, "handler2", "赵承办", BM_ROLE_HANDLER, w->dept);
    w->resident = add_staff(f, "resident1", "张三", BM_ROLE_CITIZEN, 0);
}

/* Materials in insertion order 3, 1, 2: the store returns them by ord. */
static const struct bm_case_material case_mats[3] = {
    {.ord = 3, .name = "《城乡居民基本养老保险参保登记表》", .required = false,
     .source = BM_SOURCE_SHARED, .provided = false},
    {.ord = 1, .name = "居民身份证", .required = true, .source = BM_SOURCE_APPLICANT,
     .provided = true},
    {.ord = 2, .name = "户口簿（户主页及本人页）", .required = true,
     .source = BM_SOURCE_GOVERNMENT, .provided = false},
};

/* Sealed applicant data: bytes a text protocol would mangle (NUL, backslash-x, quotes). */
static const unsigned char sealed_applicant[] = {0x00, 0x5c, 0x78, 0x30, 0x27, 0x22, 0xff,
                                                 0x80, 0x00, 0x0a, 0xe5, 0xbc, 0xa0, 0x01};

static const char *
case_number(struct fx *f, const char *town, int ymd_num, int seq)
{
    const char *s = bm_arena_printf(f->a, "%s%08d%06d", town, ymd_num, seq);

    assert_non_null(s);
    return s;
}

/* A window case of township 1, submitted and not accepted, with the three materials. */
static struct bm_case
case_new(struct fx *f, const struct cases *w, int seq)
{
    struct bm_case_material *m = bm_arena_alloc(f->a, sizeof(case_mats));
    struct bm_case c = {
        .query_code = "Q7K9M2",
        .item_id = w->item,
        .st = {.status = BM_CASE_SUBMITTED, .needs_approval = true},
        .applicant_masked = "张*",
        .applicant_enc = sealed_applicant,
        .applicant_enc_len = sizeof(sealed_applicant),
        .accepting_unit_id = w->t1,
        .handling_unit_id = w->office1,
        .promised_days = 5,
        .summary = "城乡居民养老保险参保登记（张*）",
        .submitted_at = T0 - 3600,
        .accept_day = BM_DAY_NONE,
        .due_day = BM_DAY_NONE,
        .delivery_method = "",
        .delivery_ref = "",
        .n_materials = 3,
    };

    assert_non_null(m);
    memcpy(m, case_mats, sizeof(case_mats));
    c.materials = m;
    c.case_no = case_number(f, "110118100000", 20240105, seq);
    for (int i = 0; i < 32; i++)
        c.applicant_hash[i] = (unsigned char)(0xa0 + i * 3);
    return c;
}

static int64_t
add_case(struct fx *f, const struct bm_case *c, int64_t now)
{
    int64_t id = 0;

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_case_insert(f->st, c, now, &id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    assert_true(id > 0);
    return id;
}

static struct bm_case
get_case(struct fx *f, const char *case_no)
{
    struct bm_case c;

    EXPECT_OK(f, bm_store_case_get(f->st, case_no, f->a, &c, &f->err));
    return c;
}

static const struct bm_case_material *
material_of(const struct bm_case *c, int ord)
{
    for (size_t i = 0; i < c->n_materials; i++)
        if (c->materials[i].ord == ord)
            return &c->materials[i];
    return NULL;
}

/* Every stored field of `want` (as inserted or updated) is in `got`. */
static void
expect_case_fields(const struct bm_case *got, const struct bm_case *want)
{
    assert_string_equal(got->case_no, want->case_no);
    assert_string_equal(got->query_code, want->query_code);
    assert_int_equal(got->item_id, want->item_id);
    assert_int_equal(got->is_online, want->is_online);
    assert_int_equal(got->st.status, want->st.status);
    assert_int_equal(got->st.stage, want->st.stage);
    assert_int_equal(got->st.decision, want->st.decision);
    assert_int_equal(got->st.proposed, want->st.proposed);
    assert_int_equal(got->st.suspend_kind, want->st.suspend_kind);
    if (want->st.suspend_kind != BM_SUSPEND_NONE) {
        assert_int_equal(got->st.resume_status, want->st.resume_status);
        assert_int_equal(got->st.resume_stage, want->st.resume_stage);
    }
    assert_int_equal(got->st.supplement_requests, want->st.supplement_requests);
    assert_int_equal(got->st.needs_approval, want->st.needs_approval);
    assert_int_equal(got->st.is_extended, want->extension_days > 0);
    assert_int_equal(got->st.has_handler, want->handler_id != 0);
    assert_false(got->st.materials_complete); /* the API's to compute */
    assert_int_equal(got->extension_days, want->extension_days);
    assert_int_equal(got->is_applicant_uscc, want->is_applicant_uscc);
    assert_string_equal(got->applicant_masked, want->applicant_masked);
    assert_int_equal(got->applicant_enc_len, want->applicant_enc_len);
    assert_memory_equal(got->applicant_enc, want->applicant_enc, want->applicant_enc_len);
    assert_memory_equal(got->applicant_hash, want->applicant_hash, 32);
    assert_int_equal(got->applicant_user_id, want->applicant_user_id);
    assert_int_equal(got->accepting_unit_id, want->accepting_unit_id);
    assert_int_equal(got->handling_unit_id, want->handling_unit_id);
    assert_int_equal(got->handler_id, want->handler_id);
    assert_int_equal(got->promised_days, want->promised_days);
    assert_string_equal(got->summary, want->summary);
    assert_int_equal(got->submitted_at, want->submitted_at);
    assert_int_equal(got->accepted_at, want->accepted_at);
    assert_int_equal(got->accept_day, want->accept_day);
    assert_int_equal(got->due_day, want->due_day);
    assert_int_equal(got->due_provisional, want->due_provisional);
    assert_int_equal(got->decided_at, want->decided_at);
    assert_int_equal(got->closed_at, want->closed_at);
    assert_string_equal(got->delivery_method, want->delivery_method);
    assert_string_equal(got->delivery_ref, want->delivery_ref);
    assert_int_equal(got->visits, want->visits);
    assert_int_equal(got->used_days, want->used_days);
}

/* The materials of `got`, by ord, carry what `want` (in any order) has. */
static void
expect_case_materials(const struct bm_case *got, const struct bm_case *want)
{
    assert_int_equal(got->n_materials, want->n_materials);
    for (size_t i = 0; i < got->n_materials; i++) {
        const struct bm_case_material *g = &got->materials[i], *m = material_of(want, g->ord);
        assert_non_null(m);
        if (i > 0)
            assert_true(got->materials[i - 1].ord < g->ord);
        assert_string_equal(g->name, m->name);
        assert_int_equal(g->required, m->required);
        assert_int_equal(g->source, m->source);
        assert_int_equal(g->provided, m->provided);
        assert_int_equal(g->exempt, m->exempt);
        assert_int_equal(g->certificate_id, m->certificate_id);
    }
}

static void
hash32(unsigned char h[32], unsigned seed)
{
    for (int i = 0; i < 32; i++)
        h[i] = (unsigned char)(seed * 131u + (unsigned)i * 17u);
}

static int64_t
add_certificate(struct fx *f, const struct bm_certificate *c)
{
    int64_t id = 0;

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_certificate_insert(f->st, c, &id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    assert_true(id > 0);
    return id;
}

/* What sqlite_master (SQLite) or pg_indexes (PostgreSQL) holds about one index: 1 when it
 * exists and its definition contains `part` (case as the engine prints it). */
static int64_t
index_has(struct fx *f, const char *index, const char *part)
{
    char sql[300];

    if (pg_url != NULL)
        snprintf(sql, sizeof(sql),
                 "SELECT count(*) FROM pg_indexes WHERE indexname = '%s' AND indexdef LIKE '%%%s%%'",
                 index, part);
    else
        snprintf(sql, sizeof(sql),
                 "SELECT count(*) FROM sqlite_master WHERE name = '%s' AND sql LIKE '%%%s%%'",
                 index, part);
    return backend_count(f, sql);
}

/*
 * Schema 12 (0012_lean_writes.sql) on a store that holds cases: a store taken back to schema
 * 11 (case_materials a rowid table, the three indexes as they were) and migrated again keeps
 * every case and material, and the handler's and the resident's lists still find theirs.
 */
static void
test_migrate_lean_writes(void **state)
{
    struct fx *f = *state;
    struct bm_case_query q;
    struct bm_case c1, c2, got, *cs = NULL;
    struct cases w;
    size_t n = 0;
    int applied = -1;

    cases_fixture(f, &w);
    c1 = case_new(f, &w, 1);
    add_case(f, &c1, T0);
    c2 = case_new(f, &w, 2);
    c2.is_online = true;
    c2.applicant_user_id = w.resident;
    c2.handler_id = w.handler;
    c2.st.status = BM_CASE_PROCESSING;
    c2.st.stage = BM_STAGE_HANDLING;
    c2.st.has_handler = true;
    add_case(f, &c2, T0 + 1);

    if (pg_url == NULL)
        backend_tamper(f, "CREATE TABLE m11 (case_id INTEGER NOT NULL REFERENCES cases(id), "
                          "ord INTEGER NOT NULL, name TEXT NOT NULL, required INTEGER NOT NULL, "
                          "source TEXT NOT NULL, provided INTEGER NOT NULL, exempt INTEGER NOT "
                          "NULL DEFAULT 0, certificate_id INTEGER REFERENCES certificates(id), "
                          "county_code TEXT NOT NULL DEFAULT '', PRIMARY KEY (case_id, ord)); "
                          "INSERT INTO m11 SELECT case_id, ord, name, required, source, provided, "
                          "exempt, certificate_id, county_code FROM case_materials; "
                          "DROP TABLE case_materials; ALTER TABLE m11 RENAME TO case_materials");
    backend_tamper(f, "DROP INDEX cases_handler; DROP INDEX cases_user; "
                      "CREATE INDEX cases_handler ON cases(handler_id, status, id); "
                      "CREATE INDEX cases_user ON cases(applicant_user_id, id); "
                      "CREATE INDEX cases_open_due ON cases(due_day, id) "
                      "WHERE status IN ('accepted', 'processing', 'forwarded'); "
                      "DELETE FROM schema_migrations WHERE name = '0012_lean_writes.sql'");
    assert_int_equal(index_has(f, "cases_open_due", "due_day"), 1);
    assert_int_equal(index_has(f, "cases_handler", "NOT NULL"), 0);

    EXPECT_OK(f, bm_store_migrate(f->st, &applied, &f->err));
    assert_int_equal(applied, 1);
    assert_int_equal(index_has(f, "cases_open_due", ""), 0);
    assert_int_equal(index_has(f, "cases_handler", "NOT NULL"), 1);
    assert_int_equal(index_has(f, "cases_user", "NOT NULL"), 1);
    if (pg_url == NULL)
        assert_int_equal(backend_count(f, "SELECT count(*) FROM sqlite_master WHERE name = "
                                          "'case_materials' AND sql LIKE '%WITHOUT ROWID%'"),
                         1);
    assert_int_equal(backend_count(f, "SELECT count(*) FROM case_materials"), 6);

    got = get_case(f, c1.case_no);
    expect_case_fields(&got, &c1);
    expect_case_materials(&got, &c1);
    got = get_case(f, c2.case_no);
    expect_case_materials(&got, &c2);

    memset(&q, 0, sizeof(q));
    q.due_before = q.warn_before = BM_DAY_NONE;
    q.handler_id = w.handler;
    q.limit = 10;
    EXPECT_OK(f, bm_store_cases_list(f->st, &q, f->a, &cs, &n, &f->err));
    assert_int_equal(n, 1);
    assert_string_equal(cs[0].case_no, c2.case_no);
    q.handler_id = 0;
    q.applicant_user_id = w.resident;
    EXPECT_OK(f, bm_store_cases_list(f->st, &q, f->a, &cs, &n, &f->err));
    assert_int_equal(n, 1);
    assert_string_equal(cs[0].case_no, c2.case_no);
}

static void
test_case_insert_get_roundtrip(void **state)
{
    struct fx *f = *state;
    struct cases w;
    struct bm_case c1, c2, got;
    struct bm_certificate cert = {
        .holder_masked = "张*", .name = "城乡居民养老保险参保登记回执",
        .number = "XW-2024-000001", .issued_at = T0, .is_valid = true,
    };
    int64_t id1, id2, cert_id;

    cases_fixture(f, &w);

    /* A fresh window case: nothing accepted, no handler, no resident account. */
    c1 = case_new(f, &w, 1);
    id1 = add_case(f, &c1, T0);
    got = get_case(f, c1.case_no);
    assert_int_equal(got.id, id1);
    expect_case_fields(&got, &c1);
    expect_case_materials(&got, &c1);
    assert_string_equal(got.county_code, "110118");
    assert_string_equal(got.item_code, "SB-001");
    assert_string_equal(got.item_name, "城乡居民养老保险参保登记");
    assert_int_equal(got.item_version, 1);
    assert_string_equal(got.accepting_unit_name, "溪翁庄镇");
    assert_string_equal(got.accepting_path, w.t1_path);
    assert_string_equal(got.handling_unit_name, "溪翁庄镇社会保障事务所");
    assert_string_equal(got.handling_path, w.office1_path);
    assert_string_equal(got.handler_name, "");
    assert_int_equal(got.handler_id, 0);
    assert_int_equal(got.applicant_user_id, 0);
    assert_int_equal(got.accept_day, BM_DAY_NONE);
    assert_int_equal(got.due_day, BM_DAY_NONE);
    assert_int_equal(got.version, 1);
    assert_int_equal(got.created_at, T0);
    assert_int_equal(got.updated_at, T0);
    for (size_t i = 0; i < got.n_materials; i++) {
        assert_int_equal(got.materials[i].ord, (int)i + 1);
        assert_int_equal(got.materials[i].n_attachments, 0);
    }

    /* A certificate the first case produced, used as an exempt material of the second. */
    hash32(cert.holder_hash, 1);
    cert.case_id = id1;
    cert.issuer_unit_id = w.office1;
    cert_id = add_certificate(f, &cert);

    /* An online case of a company, suspended in a special procedure, every field set. */
    c2 = case_new(f, &w, 2);
    c2.query_code = "Z3X8C1";
    c2.is_online = true;
    c2.st.status = BM_CASE_SUSPENDED;
    c2.st.stage = BM_STAGE_NONE;
    c2.st.decision = BM_DECISION_NONE;
    c2.st.proposed = BM_DECISION_APPROVED;
    c2.st.resume_status = BM_CASE_PROCESSING;
    c2.st.resume_stage = BM_STAGE_APPROVING;
    c2.st.suspend_kind = BM_SUSPEND_PROCEDURE;
    c2.st.supplement_requests = 1;
    c2.st.needs_approval = false;
    c2.extension_days = 10;
    c2.is_applicant_uscc = true;
    c2.applicant_masked = "北京密云**有限公司";
    c2.applicant_enc_len = 5;
    c2.applicant_hash[0] = 0;
    c2.applicant_user_id = w.resident;
    c2.accepting_unit_id = w.t2;
    c2.handling_unit_id = w.dept;
    c2.handler_id = w.handler2;
    c2.promised_days = 0;
    c2.summary = "企业参保登记 \"加急\" 'quoted' \\ 反斜杠";
    c2.submitted_at = T0 - 86400;
    c2.accepted_at = T0 - 80000;
    c2.accept_day = ymd(2024, 1, 4);
    c2.due_day = ymd(2025, 1, 20);
    c2.due_provisional = true;
    c2.decided_at = T0 - 100;
    c2.closed_at = T0 - 50;
    c2.delivery_method = "post";
    c2.delivery_ref = "EMS 1187 2345 678";
    c2.visits = 2;
    c2.materials[1].exempt = true; /* ord 1 */
    c2.materials[1].provided = false;
    c2.materials[1].certificate_id = cert_id;
    c2.materials[2].provided = true; /* ord 2 */
    c2.materials[0].source = BM_SOURCE_GOVERNMENT; /* ord 3 */
    id2 = add_case(f, &c2, T0 + 5);
    assert_true(id2 != id1);
    got = get_case(f, c2.case_no);
    assert_int_equal(got.id, id2);
    expect_case_fields(&got, &c2);
    expect_case_materials(&got, &c2);
    assert_true(got.st.is_extended);
    assert_true(got.st.has_handler);
    assert_string_equal(got.handler_name, "赵承办");
    assert_string_equal(got.accepting_unit_name, "穆家峪镇");
    assert_string_equal(got.accepting_path, w.t2_path);
    assert_string_equal(got.handling_unit_name, "区人力社保局");
    assert_string_equal(got.handling_path, w.dept_path);
    assert_string_equal(got.county_code, "110118");
    assert_int_equal(got.created_at, T0 + 5);
    assert_int_equal(got.version, 1);
    assert_int_equal(material_of(&got, 1)->certificate_id, cert_id);

    /* The first case is unchanged by the second. */
    got = get_case(f, c1.case_no);
    expect_case_fields(&got, &c1);

    /* Every status, stage and decision code survives the trip. */
    for (int s = 0; s < BM_CASE_STATUS_COUNT; s++) {
        struct bm_case c = case_new(f, &w, 10 + s);
        c.st.status = (enum bm_case_status)s;
        c.st.stage = (enum bm_case_stage)(s % 3);
        c.st.decision = (enum bm_case_decision)((s + 1) % 3);
        c.st.proposed = (enum bm_case_decision)((s + 2) % 3);
        c.st.suspend_kind = (enum bm_suspend_kind)(s % 3);
        c.st.resume_status = (enum bm_case_status)((s + 5) % BM_CASE_STATUS_COUNT);
        c.st.resume_stage = (enum bm_case_stage)((s + 1) % 3);
        (void)add_case(f, &c, T0 + 10 + s);
        got = get_case(f, c.case_no);
        expect_case_fields(&got, &c);
    }

    /* The same case number twice is a conflict and leaves nothing behind. */
    c1.query_code = "DUPLICATE";
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ECONFLICT, bm_store_case_insert(f->st, &c1, T0 + 100, &id2, &f->err));
    bm_store_rollback(f->st);
    got = get_case(f, c1.case_no);
    assert_string_equal(got.query_code, "Q7K9M2");
    assert_int_equal(got.n_materials, 3);

    EXPECT_RC(f, BM_ENOTFOUND,
              bm_store_case_get(f->st, "11011810000020240105999999", f->a, &got, &f->err));
}

/* ---- case numbers ---- */

static int
next_seq(struct fx *f, const char *town, int ymd_num)
{
    int seq = -1;

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_case_next_seq(f->st, town, ymd_num, &seq, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    return seq;
}

static void
test_case_next_seq(void **state)
{
    struct fx *f = *state;
    int seq = -1;

    assert_int_equal(next_seq(f, "110118100000", 20240105), 1);
    assert_int_equal(next_seq(f, "110118100000", 20240105), 2);
    assert_int_equal(next_seq(f, "110118100000", 20240105), 3);
    /* Another town, another day: their own sequences. */
    assert_int_equal(next_seq(f, "110118101000", 20240105), 1);
    assert_int_equal(next_seq(f, "110118100000", 20240106), 1);
    assert_int_equal(next_seq(f, "110118101000", 20240105), 2);
    assert_int_equal(next_seq(f, "110118100000", 20240105), 4);

    /* A number taken in a transaction that rolls back is given again: no gaps. */
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_case_next_seq(f->st, "110118100000", 20240105, &seq, &f->err));
    assert_int_equal(seq, 5);
    bm_store_rollback(f->st);
    assert_int_equal(next_seq(f, "110118100000", 20240105), 5);

    /* Two in one transaction. */
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_case_next_seq(f->st, "110118100000", 20240105, &seq, &f->err));
    assert_int_equal(seq, 6);
    EXPECT_OK(f, bm_store_case_next_seq(f->st, "110118100000", 20240105, &seq, &f->err));
    assert_int_equal(seq, 7);
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    assert_int_equal(next_seq(f, "110118101000", 20240105), 3);
}

#define SEQ_PER_WORKER 25

/* One connection taking case numbers in its own transactions, retrying when busy. */
struct seq_worker {
    struct bm_store *st;
    int seqs[SEQ_PER_WORKER];
    enum bm_rc rc;
    char message[256];
};

static void *
seq_worker_run(void *arg)
{
    struct seq_worker *w = arg;
    struct bm_err err;

    for (int i = 0; i < SEQ_PER_WORKER && w->rc == BM_OK; i++) {
        for (int attempt = 0; attempt < 20; attempt++) {
            bm_err_clear(&err);
            w->rc = bm_store_begin(w->st, &err);
            if (w->rc == BM_OK)
                w->rc = bm_store_case_next_seq(w->st, "110118100000", 20240105, &w->seqs[i], &err);
            if (w->rc == BM_OK)
                w->rc = bm_store_commit(w->st, &err);
            if (w->rc == BM_OK)
                break;
            bm_store_rollback(w->st);
            if (w->rc != BM_EBUSY)
                break;
        }
        if (w->rc != BM_OK)
            snprintf(w->message, sizeof(w->message), "%s", err.message);
    }
    return NULL;
}

/* Two connections taking numbers at the same time get each number exactly once. */
static void
test_case_next_seq_concurrent(void **state)
{
    struct fx *f = *state;
    struct seq_worker a = {0}, b = {0};
    bool seen[2 * SEQ_PER_WORKER + 1] = {false};
    pthread_t t;

    EXPECT_OK(f, bm_store_open(f->url, &f->st2, &f->err));
    a.st = f->st;
    b.st = f->st2;
    assert_int_equal(pthread_create(&t, NULL, seq_worker_run, &b), 0);
    (void)seq_worker_run(&a);
    assert_int_equal(pthread_join(t, NULL), 0);
    if (a.rc != BM_OK || b.rc != BM_OK)
        fail_msg("worker failed: %s / %s", a.message, b.message);
    for (int i = 0; i < SEQ_PER_WORKER; i++) {
        int s[2] = {a.seqs[i], b.seqs[i]};
        for (int k = 0; k < 2; k++) {
            if (s[k] < 1 || s[k] > 2 * SEQ_PER_WORKER || seen[s[k]])
                fail_msg("sequence number %d out of range or given twice", s[k]);
            seen[s[k]] = true;
        }
        /* Each connection sees its own numbers increase. */
        if (i > 0) {
            assert_true(a.seqs[i] > a.seqs[i - 1]);
            assert_true(b.seqs[i] > b.seqs[i - 1]);
        }
    }
    assert_int_equal(next_seq(f, "110118100000", 20240105), 2 * SEQ_PER_WORKER + 1);
}

/* ---- batched write transactions (SQLite, store/sqlite/tx.c) ---- */

/* A write transaction on its own thread: begins (waiting for the lock), takes a case
 * number, then commits or rolls back as told. */
struct member {
    struct bm_store *st;
    bool roll_back;
    int seq;
    enum bm_rc rc;
};

static void *
member_run(void *arg)
{
    struct member *m = arg;
    struct bm_err err;

    bm_err_clear(&err);
    m->rc = bm_store_begin(m->st, &err);
    if (m->rc == BM_OK)
        m->rc = bm_store_case_next_seq(m->st, "110118100000", 20240105, &m->seq, &err);
    if (m->rc == BM_OK && m->roll_back)
        bm_store_rollback(m->st);
    else if (m->rc == BM_OK)
        m->rc = bm_store_commit(m->st, &err);
    return NULL;
}

/* Starts `m` on a thread that will wait for the write lock `f->st` holds. */
static pthread_t
start_waiting_member(struct fx *f, struct member *m)
{
    pthread_t t;
    struct timespec pause = {0, 200 * 1000 * 1000};

    EXPECT_OK(f, bm_store_open(f->url, &m->st, &f->err));
    assert_int_equal(pthread_create(&t, NULL, member_run, m), 0);
    nanosleep(&pause, NULL); /* time enough to queue for the lock */
    return t;
}

/*
 * A writer that ends while another waits passes the open transaction on: both are
 * committed by one COMMIT (SQLite), and the first one's commit returns only after it. A
 * member rolled back inside a batch undoes its own work only.
 */
static void
test_writes_batched(void **state)
{
    struct fx *f = *state;
    struct member b = {0}, c = {.roll_back = true};
    unsigned long commits0, writes0, commits1, writes1;
    int seq = 0;
    pthread_t t;

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_case_next_seq(f->st, "110118100000", 20240105, &seq, &f->err));
    assert_int_equal(seq, 1);
    t = start_waiting_member(f, &b);
    bm_metrics_store_commits(&commits0, &writes0);
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(b.rc, BM_OK);
    assert_int_equal(b.seq, 2);
    bm_metrics_store_commits(&commits1, &writes1);
    if (pg_url == NULL) { /* PostgreSQL commits each transaction itself */
        assert_int_equal(commits1 - commits0, 1);
        assert_int_equal(writes1 - writes0, 2);
    }
    assert_int_equal(next_seq(f, "110118100000", 20240105), 3);
    bm_metrics_store_commits(&commits1, &writes1);

    /* The member rolled back in the batch gives its number back; the first keeps its own. */
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_case_next_seq(f->st, "110118100000", 20240105, &seq, &f->err));
    assert_int_equal(seq, 4);
    t = start_waiting_member(f, &c);
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(c.rc, BM_OK);
    assert_int_equal(c.seq, 5);
    bm_metrics_store_commits(&commits0, &writes0);
    if (pg_url == NULL) {
        assert_int_equal(commits0 - commits1, 1);
        assert_int_equal(writes0 - writes1, 1);
    }
    assert_int_equal(next_seq(f, "110118100000", 20240105), 5);
    bm_store_close(b.st);
    bm_store_close(c.st);
}

#define BATCH_THREADS 8
#define BATCH_TX 40

struct batch_worker {
    struct bm_store *st;
    int id, seqs[BATCH_TX], n;
    enum bm_rc rc;
    char message[256];
};

static void *
batch_worker_run(void *arg)
{
    struct batch_worker *w = arg;
    struct bm_err err;

    for (int i = 0; i < BATCH_TX && w->rc == BM_OK; i++) {
        struct bm_audit_entry e = {
            .at = T0, .actor = "test", .action = "batch.write", .object_type = "worker",
            .object_id = "1", .detail = "{}",
        };
        int seq = 0;
        bm_err_clear(&err);
        w->rc = bm_store_begin(w->st, &err);
        if (w->rc == BM_OK)
            w->rc = bm_store_case_next_seq(w->st, "110118100000", 20240105, &seq, &err);
        if (w->rc == BM_OK)
            w->rc = bm_store_audit_append(w->st, &e, &err);
        if (w->rc == BM_OK && i % 4 == 3) {
            bm_store_rollback(w->st); /* every fourth changes its mind */
            continue;
        }
        if (w->rc == BM_OK)
            w->rc = bm_store_commit(w->st, &err);
        if (w->rc == BM_OK)
            w->seqs[w->n++] = seq;
        else
            snprintf(w->message, sizeof(w->message), "%s", err.message);
    }
    return NULL;
}

/* Many writers at once: every committed transaction is there exactly once, none of the
 * rolled back ones, and the audit chain holds. */
static void
test_writes_concurrent(void **state)
{
    struct fx *f = *state;
    struct batch_worker w[BATCH_THREADS];
    pthread_t t[BATCH_THREADS];
    bool seen[BATCH_THREADS * BATCH_TX + 1] = {false};
    int total = 0;
    struct bm_audit_report rep;

    memset(w, 0, sizeof(w));
    for (int i = 0; i < BATCH_THREADS; i++) {
        w[i].id = i;
        EXPECT_OK(f, bm_store_open(f->url, &w[i].st, &f->err));
        assert_int_equal(pthread_create(&t[i], NULL, batch_worker_run, &w[i]), 0);
    }
    for (int i = 0; i < BATCH_THREADS; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    for (int i = 0; i < BATCH_THREADS; i++) {
        if (w[i].rc != BM_OK)
            fail_msg("writer %d failed: %s", i, w[i].message);
        for (int k = 0; k < w[i].n; k++) {
            int s = w[i].seqs[k];
            if (s < 1 || s > BATCH_THREADS * BATCH_TX || seen[s])
                fail_msg("case number %d out of range or given twice", s);
            seen[s] = true;
        }
        total += w[i].n;
        bm_store_close(w[i].st);
    }
    assert_int_equal(total, BATCH_THREADS * BATCH_TX * 3 / 4);
    /* Rolled back numbers were given again: the committed ones are 1..total. */
    for (int s = 1; s <= total; s++)
        assert_true(seen[s]);
    assert_int_equal(next_seq(f, "110118100000", 20240105), total + 1);
    rep = verify(f);
    assert_int_equal(rep.bad_id, 0);
    assert_int_equal(rep.checked, total);
}

/* Deferred durability (the server's pools): a commit returns once the batch is committed,
 * and bm_store_when_durable's callback runs once it is on disk. */
struct deferred_worker {
    struct bm_store *st;
    struct bm_durable d[BATCH_TX];
    int queued, immediate;
    enum bm_rc rc;
    char message[256];
};

static atomic_int deferred_fired, deferred_failed;

static void
deferred_cb(struct bm_durable *d, bool ok)
{
    (void)d;
    if (!ok)
        atomic_fetch_add(&deferred_failed, 1);
    atomic_fetch_add(&deferred_fired, 1);
}

static void *
deferred_worker_run(void *arg)
{
    struct deferred_worker *w = arg;
    struct bm_err err;

    for (int i = 0; i < BATCH_TX && w->rc == BM_OK; i++) {
        int seq = 0;
        bm_err_clear(&err);
        w->rc = bm_store_begin(w->st, &err);
        if (w->rc == BM_OK)
            w->rc = bm_store_case_next_seq(w->st, "110118100000", 20240106, &seq, &err);
        if (w->rc == BM_OK)
            w->rc = bm_store_commit(w->st, &err);
        if (w->rc != BM_OK) {
            snprintf(w->message, sizeof(w->message), "%s", err.message);
            break;
        }
        w->d[i].fn = deferred_cb;
        if (bm_store_when_durable(w->st, &w->d[i]))
            w->queued++;
        else
            w->immediate++;
        /* Nothing committed since: nothing more to wait for. */
        if (bm_store_when_durable(w->st, &w->d[i]))
            w->rc = BM_EINTERNAL;
    }
    return NULL;
}

static void
test_writes_deferred_durability(void **state)
{
    struct fx *f = *state;
    struct deferred_worker w[BATCH_THREADS];
    pthread_t t[BATCH_THREADS];
    struct bm_durable plain = {.fn = deferred_cb};
    int queued = 0, immediate = 0, seq = 0;

    /* A store left as it opens waits for the disk in its commit: nothing is left to wait
     * for afterwards. */
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_case_next_seq(f->st, "110118100000", 20240106, &seq, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    assert_false(bm_store_when_durable(f->st, &plain));

    atomic_store(&deferred_fired, 0);
    atomic_store(&deferred_failed, 0);
    memset(w, 0, sizeof(w));
    for (int i = 0; i < BATCH_THREADS; i++) {
        EXPECT_OK(f, bm_store_open(f->url, &w[i].st, &f->err));
        bm_store_defer_durability(w[i].st);
        assert_int_equal(pthread_create(&t[i], NULL, deferred_worker_run, &w[i]), 0);
    }
    for (int i = 0; i < BATCH_THREADS; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        if (w[i].rc != BM_OK)
            fail_msg("writer %d failed: %s", i, w[i].message[0] ? w[i].message : "waited twice");
        queued += w[i].queued;
        immediate += w[i].immediate;
    }
    assert_int_equal(queued + immediate, BATCH_THREADS * BATCH_TX);
    /* Every queued callback runs, once, without failure. */
    for (int ms = 0; ms < 10000 && atomic_load(&deferred_fired) < queued; ms += 5)
        usleep(5000);
    assert_int_equal(atomic_load(&deferred_fired), queued);
    assert_int_equal(atomic_load(&deferred_failed), 0);
    if (strncmp(f->url, "sqlite:", 7) == 0)
        assert_true(queued > 0); /* the first commit at least was not yet on disk */
    else
        assert_int_equal(queued, 0); /* PostgreSQL's COMMIT returns once durable */
    for (int i = 0; i < BATCH_THREADS; i++)
        bm_store_close(w[i].st);
    /* Every commit is there. */
    assert_int_equal(next_seq(f, "110118100000", 20240106), BATCH_THREADS * BATCH_TX + 2);
}

/* ---- a disk that loses a write ------------------------------------------------------- */

/* From now on this process's fdatasync() fails with EIO, as after a lost write. */
static bool
break_fdatasync(void)
{
    return filter_fdatasync(SECCOMP_RET_ERRNO | (EIO & SECCOMP_RET_DATA)) == 0;
}

/* One counter draw in a write transaction of its own. */
static enum bm_rc
draw_seq(struct bm_store *st, struct bm_err *err)
{
    int seq;
    enum bm_rc rc = bm_store_begin(st, err);

    if (rc == BM_OK)
        rc = bm_store_case_next_seq(st, "110118100000", 20240107, &seq, err);
    if (rc == BM_OK)
        return bm_store_commit(st, err);
    bm_store_rollback(st);
    return rc;
}

/* The child of test_failed_sync: 0, or the number of the step that went wrong. On SQLite
 * it uses a store file of its own (an open SQLite file must not cross a fork). */
static int
failed_sync_child(const struct fx *f)
{
    char url[200];
    struct bm_store *blocking, *deferred;
    struct bm_durable d = {.fn = deferred_cb};
    struct bm_err err = {0};
    bool sqlite = pg_url == NULL;
    int n = 0;

    snprintf(url, sizeof(url), sqlite ? "sqlite:%s/child.db" : "%s", sqlite ? f->dir : pg_url);
    if (bm_store_open(url, &blocking, &err) != BM_OK || bm_store_open(url, &deferred, &err) != BM_OK)
        return 1;
    if (sqlite && bm_store_migrate(blocking, &n, &err) != BM_OK)
        return 2;
    bm_store_defer_durability(deferred);
    if (draw_seq(blocking, &err) != BM_OK || bm_store_sync_failed(blocking)) /* the disk works */
        return 3;
    if (!break_fdatasync())
        return 4;

    /* A deferred commit returns, and its callback says it is not on disk. */
    atomic_store(&deferred_fired, 0);
    atomic_store(&deferred_failed, 0);
    if (draw_seq(deferred, &err) != BM_OK)
        return 5;
    if (bm_store_when_durable(deferred, &d) != sqlite) /* PostgreSQL: COMMIT was durable */
        return 6;
    for (int ms = 0; sqlite && ms < 10000 && atomic_load(&deferred_fired) == 0; ms += 5)
        usleep(5000);
    if (atomic_load(&deferred_fired) != (sqlite ? 1 : 0) ||
        atomic_load(&deferred_failed) != atomic_load(&deferred_fired))
        return 7;
    /* A blocking commit fails with the error the user sees; PostgreSQL's server syncs. */
    bm_err_clear(&err);
    if (sqlite ? draw_seq(blocking, &err) != BM_EINTERNAL || strcmp(err.message, "数据存储出错") != 0
               : draw_seq(blocking, &err) != BM_OK)
        return 8;
    /* And reads go on. */
    if (bm_store_ping(blocking, &err) != BM_OK || bm_store_ping(deferred, &err) != BM_OK)
        return 9;
    /* Every connection to the file knows (for /readyz). */
    if (bm_store_sync_failed(blocking) != sqlite || bm_store_sync_failed(deferred) != sqlite)
        return 10;
    return 0;
}

/* A failed fdatasync of the WAL: what was committed after the last good sync is reported
 * not durable to whoever waits, deferred (the callback's ok is false, the server answers
 * 500) or blocking (数据存储出错), and reads still work. In a child process. */
static void
test_failed_sync(void **state)
{
    struct fx *f = *state;
    int status = -1;
    pid_t pid = fork();

    if (pid == 0)
        _exit(failed_sync_child(f));
    assert_true(pid > 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0); /* else the step of failed_sync_child */
}

/* ---- case update ---- */

/* A copy of `c` with materials of its own, to be changed without touching `c`. */
static struct bm_case
copy_case(struct fx *f, const struct bm_case *c)
{
    struct bm_case d = *c;
    struct bm_case_material *m = bm_arena_alloc(f->a, sizeof(*m) * (c->n_materials + 1));

    assert_non_null(m);
    memcpy(m, c->materials, sizeof(*m) * c->n_materials);
    d.materials = m;
    return d;
}

static void
test_case_update_version(void **state)
{
    struct fx *f = *state;
    struct cases w;
    struct bm_case c, other, cur, stale, want, got;
    struct bm_certificate cert = {
        .holder_masked = "张*", .name = "参保登记回执", .number = "XW-2024-000009",
        .issued_at = T0, .is_valid = true,
    };
    int64_t id, cert_id;

    cases_fixture(f, &w);
    c = case_new(f, &w, 1);
    id = add_case(f, &c, T0);
    other = case_new(f, &w, 2);
    (void)add_case(f, &other, T0);
    hash32(cert.holder_hash, 7);
    cert.case_id = id;
    cert.issuer_unit_id = w.office1;
    cert_id = add_certificate(f, &cert);

    cur = get_case(f, c.case_no);
    stale = copy_case(f, &cur);

    /* Every mutable field changes (materials come back by ord: 1, 2, 3). */
    cur.st.status = BM_CASE_SUSPENDED;
    cur.st.stage = BM_STAGE_APPROVING;
    cur.st.decision = BM_DECISION_DENIED;
    cur.st.proposed = BM_DECISION_DENIED;
    cur.st.suspend_kind = BM_SUSPEND_SUPPLEMENT;
    cur.st.resume_status = BM_CASE_FORWARDED;
    cur.st.resume_stage = BM_STAGE_HANDLING;
    cur.st.supplement_requests = 1;
    cur.extension_days = 15;
    cur.handling_unit_id = w.dept;
    cur.handler_id = w.handler2;
    cur.accepted_at = T0 + 60;
    cur.accept_day = ymd(2024, 1, 5);
    cur.due_day = ymd(2024, 1, 12);
    cur.due_provisional = true;
    cur.decided_at = T0 + 70;
    cur.closed_at = T0 + 80;
    cur.delivery_method = "window";
    cur.delivery_ref = "3号窗口";
    cur.visits = 1;
    cur.summary = "已转区人力社保局办理";
    cur.materials[1].provided = true;
    cur.materials[2].exempt = true;
    cur.materials[2].certificate_id = cert_id;
    cur.materials_changed = true;
    want = copy_case(f, &cur);
    /* What an update does not write: the record of the application itself. */
    cur.query_code = "CHANGED";
    cur.is_online = true;
    cur.is_applicant_uscc = true;
    cur.applicant_masked = "改*";
    cur.promised_days = 99;
    cur.submitted_at = 1;
    cur.st.needs_approval = false;
    cur.materials[0].name = "改过的名称";
    cur.materials[0].required = false;
    cur.materials[0].source = BM_SOURCE_SHARED;

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_case_update(f->st, &cur, T0 + 100, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    got = get_case(f, c.case_no);
    expect_case_fields(&got, &want);
    expect_case_materials(&got, &want);
    assert_int_equal(got.id, id);
    assert_int_equal(got.version, 2);
    assert_int_equal(got.created_at, T0);
    assert_int_equal(got.updated_at, T0 + 100);
    assert_string_equal(got.handling_unit_name, "区人力社保局");
    assert_string_equal(got.handling_path, w.dept_path);
    assert_string_equal(got.handler_name, "赵承办");
    assert_true(got.st.is_extended);
    assert_true(got.st.has_handler);

    /* An update based on version 1 loses and changes nothing, materials included. */
    stale.st.status = BM_CASE_VOID;
    stale.summary = "过期的修改";
    stale.handler_id = w.handler;
    stale.materials[0].provided = false;
    stale.materials[2].exempt = false;
    stale.materials[2].certificate_id = 0;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ESTALE, bm_store_case_update(f->st, &stale, T0 + 200, &f->err));
    bm_store_rollback(f->st);
    got = get_case(f, c.case_no);
    expect_case_fields(&got, &want);
    expect_case_materials(&got, &want);
    assert_int_equal(got.version, 2);
    assert_int_equal(got.updated_at, T0 + 100);

    /* Based on version 2, back to "none": no handler, no days, no extension. */
    cur = copy_case(f, &got);
    cur.st.status = BM_CASE_ACCEPTED;
    cur.st.stage = BM_STAGE_NONE;
    cur.st.decision = BM_DECISION_NONE;
    cur.st.proposed = BM_DECISION_NONE;
    cur.st.suspend_kind = BM_SUSPEND_NONE;
    cur.handler_id = 0;
    cur.accept_day = BM_DAY_NONE;
    cur.due_day = BM_DAY_NONE;
    cur.due_provisional = false;
    cur.extension_days = 0;
    cur.materials[2].exempt = false;
    cur.materials[2].certificate_id = 0;
    cur.materials_changed = true;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_case_update(f->st, &cur, T0 + 300, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    got = get_case(f, c.case_no);
    expect_case_fields(&got, &cur);
    expect_case_materials(&got, &cur);
    assert_string_equal(got.handler_name, "");
    assert_false(got.st.has_handler);
    assert_false(got.st.is_extended);
    assert_int_equal(got.version, 3);

    /* Without materials_changed the materials are left as stored. */
    cur = got;
    cur.materials[2].exempt = true;
    cur.materials[2].certificate_id = cert_id;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_case_update(f->st, &cur, T0 + 350, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    got = get_case(f, c.case_no);
    assert_false(got.materials[2].exempt);
    assert_int_equal(got.materials[2].certificate_id, 0);
    assert_int_equal(got.version, 4);

    /* The other case never moved. */
    got = get_case(f, other.case_no);
    expect_case_fields(&got, &other);
    expect_case_materials(&got, &other);
    assert_int_equal(got.version, 1);

    /* No such case: nothing to update at that version. */
    cur.id = id + 1000;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ESTALE, bm_store_case_update(f->st, &cur, T0 + 400, &f->err));
    bm_store_rollback(f->st);
}

/* ---- case lists ---- */

/* A query with every filter off, 50 a page, newest first. */
static struct bm_case_query
case_query(void)
{
    struct bm_case_query q;

    memset(&q, 0, sizeof(q));
    q.status = "";
    q.handling_prefix = "";
    q.accepting_prefix = "";
    q.scope_prefix = "";
    q.due_before = BM_DAY_NONE;
    q.after_due = BM_DAY_NONE;
    q.limit = 50;
    return q;
}

/* The labels (indexes into ids[1..n_ids]) of the cases `q` lists, as "5,4,1". */
static const char *
listed(struct fx *f, struct bm_case_query q, const int64_t *ids, int n_ids)
{
    struct bm_case *cs;
    size_t n = 999;
    const char *s = "";

    EXPECT_OK(f, bm_store_cases_list(f->st, &q, f->a, &cs, &n, &f->err));
    assert_true(n <= (size_t)q.limit + 1);
    for (size_t i = 0; i < n; i++) {
        int k = 0;
        for (int j = 1; j <= n_ids; j++)
            if (ids[j] == cs[i].id)
                k = j;
        assert_int_equal(cs[i].n_materials, 0);
        s = bm_arena_printf(f->a, "%s%s%d", s, i ? "," : "", k);
    }
    assert_non_null(s);
    return s;
}

static void
test_cases_list_filters(void **state)
{
    struct fx *f = *state;
    struct cases w;
    struct bm_case_query q;
    struct bm_case *cs;
    bm_day d = ymd(2024, 1, 8);
    const struct {
        int accepting; /* 1: township 1, 2: township 2 */
        int handling;  /* 0: office of township 1, 1: department, 2: township 2 */
        enum bm_case_status status;
        int handler; /* 0: none, 1, 2 */
        int due;     /* days after d, -1: none */
        bool resident;
    } spec[7] = {
        {0},
        {1, 0, BM_CASE_ACCEPTED, 1, 5, true},
        {1, 1, BM_CASE_PROCESSING, 2, 3, false},
        {2, 2, BM_CASE_SUBMITTED, 0, -1, false},
        {2, 0, BM_CASE_COMPLETED, 1, 1, false},
        {1, 0, BM_CASE_FORWARDED, 0, 10, true},
        {2, 2, BM_CASE_SUSPENDED, 0, 2, false},
    };
    int64_t k[7] = {0};
    size_t n = 0;

    cases_fixture(f, &w);
    for (int i = 1; i <= 6; i++) {
        struct bm_case c = case_new(f, &w, i);
        const int64_t handling[3] = {w.office1, w.dept, w.t2};
        const int64_t handlers[3] = {0, w.handler, w.handler2};
        c.accepting_unit_id = spec[i].accepting == 1 ? w.t1 : w.t2;
        c.handling_unit_id = handling[spec[i].handling];
        c.st.status = spec[i].status;
        c.handler_id = handlers[spec[i].handler];
        c.due_day = spec[i].due < 0 ? BM_DAY_NONE : d + spec[i].due;
        c.accept_day = spec[i].due < 0 ? BM_DAY_NONE : d - 3;
        c.applicant_user_id = spec[i].resident ? w.resident : 0;
        k[i] = add_case(f, &c, T0 + i);
    }

    q = case_query();
    assert_string_equal(listed(f, q, k, 6), "6,5,4,3,2,1");
    q.status = "accepted";
    assert_string_equal(listed(f, q, k, 6), "1");
    q.status = "suspended";
    assert_string_equal(listed(f, q, k, 6), "6");
    q.status = "void";
    assert_string_equal(listed(f, q, k, 6), "");

    q = case_query();
    q.handling_unit_id = w.office1;
    assert_string_equal(listed(f, q, k, 6), "5,4,1");
    q = case_query();
    q.handling_prefix = w.t1_path; /* the office lies under township 1 */
    assert_string_equal(listed(f, q, k, 6), "5,4,1");
    q.handling_prefix = w.dept_path;
    assert_string_equal(listed(f, q, k, 6), "2");
    q.handling_prefix = w.county_path;
    assert_string_equal(listed(f, q, k, 6), "6,5,4,3,2,1");
    q.handling_prefix = "%"; /* a LIKE wildcard in a prefix is a literal character */
    assert_string_equal(listed(f, q, k, 6), "");

    q = case_query();
    q.accepting_unit_id = w.t2;
    assert_string_equal(listed(f, q, k, 6), "6,4,3");
    q = case_query();
    q.accepting_prefix = w.t1_path;
    assert_string_equal(listed(f, q, k, 6), "5,2,1");

    /* Scope: handled under the prefix, or accepted there. */
    q = case_query();
    q.scope_prefix = w.t1_path;
    assert_string_equal(listed(f, q, k, 6), "5,4,2,1");
    q.scope_prefix = w.t2_path;
    assert_string_equal(listed(f, q, k, 6), "6,4,3");
    q.scope_prefix = w.dept_path;
    assert_string_equal(listed(f, q, k, 6), "2");

    q = case_query();
    q.handler_id = w.handler;
    assert_string_equal(listed(f, q, k, 6), "4,1");
    q.handler_id = w.handler2;
    assert_string_equal(listed(f, q, k, 6), "2");
    q = case_query();
    q.applicant_user_id = w.resident;
    assert_string_equal(listed(f, q, k, 6), "5,1");

    q = case_query();
    q.open_only = true;
    assert_string_equal(listed(f, q, k, 6), "5,2,1");
    q = case_query();
    q.due_before = d + 3;
    assert_string_equal(listed(f, q, k, 6), "6,4,2");
    q.due_before = d;
    assert_string_equal(listed(f, q, k, 6), "");

    /* Filters combine. */
    q = case_query();
    q.open_only = true;
    q.scope_prefix = w.t1_path;
    q.due_before = d + 5;
    assert_string_equal(listed(f, q, k, 6), "2,1");
    q = case_query();
    q.status = "processing";
    q.handler_id = w.handler;
    assert_string_equal(listed(f, q, k, 6), "");
    q.handler_id = w.handler2;
    q.accepting_unit_id = w.t1;
    q.handling_unit_id = w.dept;
    assert_string_equal(listed(f, q, k, 6), "2");

    /* By due day: only cases with one, earliest first. */
    q = case_query();
    q.by_due = true;
    assert_string_equal(listed(f, q, k, 6), "4,6,2,1,5");
    q.open_only = true;
    assert_string_equal(listed(f, q, k, 6), "2,1,5");
    q.open_only = false;
    q.due_before = d + 2;
    assert_string_equal(listed(f, q, k, 6), "4,6");

    /* limit + 1 rows, so the caller can tell there is more. */
    q = case_query();
    q.limit = 2;
    assert_string_equal(listed(f, q, k, 6), "6,5,4");
    q.by_due = true;
    assert_string_equal(listed(f, q, k, 6), "4,6,2");

    /* A listed case carries its joined names but no materials. */
    q = case_query();
    q.handler_id = w.handler2;
    EXPECT_OK(f, bm_store_cases_list(f->st, &q, f->a, &cs, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(cs[0].id, k[2]);
    assert_string_equal(cs[0].case_no, case_number(f, "110118100000", 20240105, 2));
    assert_string_equal(cs[0].item_name, "城乡居民养老保险参保登记");
    assert_string_equal(cs[0].accepting_unit_name, "溪翁庄镇");
    assert_string_equal(cs[0].handling_unit_name, "区人力社保局");
    assert_string_equal(cs[0].handling_path, w.dept_path);
    assert_string_equal(cs[0].handler_name, "赵承办");
    assert_int_equal(cs[0].due_day, d + 3);
    assert_int_equal(cs[0].st.status, BM_CASE_PROCESSING);
    assert_int_equal(cs[0].applicant_enc_len, sizeof(sealed_applicant));
    assert_memory_equal(cs[0].applicant_enc, sealed_applicant, sizeof(sealed_applicant));
    assert_int_equal(cs[0].n_materials, 0);
}

/* Follows the keyset cursor through every page of `q`; the ids seen, in order. */
static size_t
page_all(struct fx *f, struct bm_case_query q, int limit, int64_t *ids, size_t max)
{
    size_t total = 0;

    q.limit = limit;
    q.after_id = 0;
    q.after_due = BM_DAY_NONE;
    for (int page = 0; page < 100; page++) {
        struct bm_case *cs;
        size_t n = 0, take;

        EXPECT_OK(f, bm_store_cases_list(f->st, &q, f->a, &cs, &n, &f->err));
        assert_true(n <= (size_t)limit + 1);
        take = n > (size_t)limit ? (size_t)limit : n;
        for (size_t i = 0; i < take; i++) {
            assert_true(total < max);
            ids[total++] = cs[i].id;
        }
        if (n <= (size_t)limit)
            return total;
        q.after_id = cs[take - 1].id;
        q.after_due = cs[take - 1].due_day;
    }
    fail_msg("paging did not end");
    return total;
}

static void
expect_ids(const int64_t *got, size_t n_got, const int64_t *want, size_t n_want)
{
    assert_int_equal(n_got, n_want);
    for (size_t i = 0; i < n_want; i++)
        if (got[i] != want[i])
            fail_msg("row %zu: case id %" PRId64 ", want %" PRId64, i, got[i], want[i]);
}

static void
test_cases_list_pages(void **state)
{
    struct fx *f = *state;
    struct cases w;
    struct bm_case_query q;
    bm_day d = ymd(2024, 1, 8);
    /* Due days (after d; -1: none) with ties that straddle page boundaries. */
    const int due[8] = {0, 2, 1, 2, -1, 1, 3, 2};
    int64_t k[8] = {0}, got[16];
    size_t n;

    cases_fixture(f, &w);
    for (int i = 1; i <= 7; i++) {
        struct bm_case c = case_new(f, &w, i);
        c.st.status = i == 3 ? BM_CASE_SUBMITTED : BM_CASE_ACCEPTED;
        c.due_day = due[i] < 0 ? BM_DAY_NONE : d + due[i];
        k[i] = add_case(f, &c, T0 + i);
    }

    /* Newest first, any page size. */
    {
        const int64_t want[7] = {k[7], k[6], k[5], k[4], k[3], k[2], k[1]};
        for (int limit = 1; limit <= 8; limit++) {
            q = case_query();
            n = page_all(f, q, limit, got, 16);
            expect_ids(got, n, want, 7);
        }
    }
    /* By due day then id; the case without one is left out. */
    {
        const int64_t want[6] = {k[2], k[5], k[1], k[3], k[7], k[6]};
        for (int limit = 1; limit <= 7; limit++) {
            q = case_query();
            q.by_due = true;
            n = page_all(f, q, limit, got, 16);
            expect_ids(got, n, want, 6);
        }
    }
    /* With a filter: the submitted case 3 is not open. */
    {
        const int64_t by_id[6] = {k[7], k[6], k[5], k[4], k[2], k[1]};
        const int64_t by_due[5] = {k[2], k[5], k[1], k[7], k[6]};
        q = case_query();
        q.open_only = true;
        n = page_all(f, q, 2, got, 16);
        expect_ids(got, n, by_id, 6);
        q.by_due = true;
        n = page_all(f, q, 2, got, 16);
        expect_ids(got, n, by_due, 5);
    }
}

/* ---- events and pauses ---- */

static void
test_case_events_and_pauses(void **state)
{
    struct fx *f = *state;
    struct cases w;
    struct bm_case c1, c2;
    struct bm_case_event e = {0}, *es;
    struct bm_case_pause p = {0}, *ps;
    int64_t id1, id2;
    bm_day d = ymd(2024, 1, 8);
    size_t n = 99;

    cases_fixture(f, &w);
    c1 = case_new(f, &w, 1);
    id1 = add_case(f, &c1, T0);
    c2 = case_new(f, &w, 2);
    id2 = add_case(f, &c2, T0);

    EXPECT_OK(f, bm_store_case_events(f->st, id1, f->a, &es, &n, &f->err));
    assert_int_equal(n, 0);

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    e.case_id = id1;
    e.at = T0 + 10;
    e.actor_id = w.clerk;
    e.actor_name = "王受理";
    e.action = "accept";
    e.from_status = "submitted";
    e.to_status = "accepted";
    e.note = "";
    e.detail = "";
    EXPECT_OK(f, bm_store_case_event_insert(f->st, &e, &f->err));
    e.case_id = id2;
    e.at = T0 + 15;
    e.note = "另一件";
    EXPECT_OK(f, bm_store_case_event_insert(f->st, &e, &f->err));
    e.case_id = id1;
    e.at = T0 + 20;
    e.actor_id = w.handler;
    e.actor_name = "李承办";
    e.action = "suspend";
    e.from_status = "processing";
    e.to_status = "suspended";
    e.note = "需组织专家评审";
    e.detail = "{\"procedure\":\"专家评审\",\"expected_days\":10,\"quote\":\"a\\\"b\"}";
    EXPECT_OK(f, bm_store_case_event_insert(f->st, &e, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));

    /* Oldest first, only the case's own. */
    EXPECT_OK(f, bm_store_case_events(f->st, id1, f->a, &es, &n, &f->err));
    assert_int_equal(n, 2);
    assert_true(es[0].id > 0 && es[0].id < es[1].id);
    assert_int_equal(es[0].case_id, id1);
    assert_int_equal(es[0].at, T0 + 10);
    assert_int_equal(es[0].actor_id, w.clerk);
    assert_string_equal(es[0].actor_name, "王受理");
    assert_string_equal(es[0].action, "accept");
    assert_string_equal(es[0].from_status, "submitted");
    assert_string_equal(es[0].to_status, "accepted");
    assert_string_equal(es[0].note, "");
    assert_string_equal(es[0].detail, "");
    assert_int_equal(es[1].at, T0 + 20);
    assert_int_equal(es[1].actor_id, w.handler);
    assert_string_equal(es[1].action, "suspend");
    assert_string_equal(es[1].note, "需组织专家评审");
    assert_string_equal(es[1].detail, e.detail);
    EXPECT_OK(f, bm_store_case_events(f->st, id2, f->a, &es, &n, &f->err));
    assert_int_equal(n, 1);
    assert_string_equal(es[0].note, "另一件");
    EXPECT_OK(f, bm_store_case_events(f->st, id2 + 100, f->a, &es, &n, &f->err));
    assert_int_equal(n, 0);

    /* A special procedure, open until it is ended. */
    p.case_id = id1;
    p.is_supplement = false;
    p.procedure = "专家评审";
    p.reason = "技术问题需专家论证";
    p.expected_days = 10;
    p.from_day = d;
    p.to_day = BM_DAY_NONE;
    p.started_at = T0 + 20;
    p.started_by = w.handler;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_case_pause_insert(f->st, &p, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_case_pauses(f->st, id1, f->a, &ps, &n, &f->err));
    assert_int_equal(n, 1);
    assert_true(ps[0].id > 0);
    assert_int_equal(ps[0].case_id, id1);
    assert_false(ps[0].is_supplement);
    assert_string_equal(ps[0].procedure, "专家评审");
    assert_string_equal(ps[0].reason, "技术问题需专家论证");
    assert_int_equal(ps[0].expected_days, 10);
    assert_int_equal(ps[0].from_day, d);
    assert_int_equal(ps[0].to_day, BM_DAY_NONE);
    assert_int_equal(ps[0].started_at, T0 + 20);
    assert_int_equal(ps[0].ended_at, 0);
    assert_int_equal(ps[0].started_by, w.handler);

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_case_pause_end(f->st, id1, d + 4, T0 + 50, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_case_pauses(f->st, id1, f->a, &ps, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(ps[0].to_day, d + 4);
    assert_int_equal(ps[0].ended_at, T0 + 50);

    /* Nothing open any more; the other case never had a pause. */
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_case_pause_end(f->st, id1, d + 5, T0 + 60, &f->err));
    bm_store_rollback(f->st);
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_case_pause_end(f->st, id2, d + 5, T0 + 60, &f->err));
    bm_store_rollback(f->st);

    /* A supplement pause after it; ending it leaves the first alone. */
    p.is_supplement = true;
    p.procedure = "";
    p.reason = "补正户口簿复印件";
    p.expected_days = 0;
    p.from_day = d + 6;
    p.started_at = T0 + 70;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_case_pause_insert(f->st, &p, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_case_pause_end(f->st, id1, d + 7, T0 + 80, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_case_pauses(f->st, id1, f->a, &ps, &n, &f->err));
    assert_int_equal(n, 2);
    assert_true(ps[0].id < ps[1].id);
    assert_false(ps[0].is_supplement);
    assert_int_equal(ps[0].to_day, d + 4);
    assert_int_equal(ps[0].ended_at, T0 + 50);
    assert_true(ps[1].is_supplement);
    assert_string_equal(ps[1].procedure, "");
    assert_string_equal(ps[1].reason, "补正户口簿复印件");
    assert_int_equal(ps[1].from_day, d + 6);
    assert_int_equal(ps[1].to_day, d + 7);
    assert_int_equal(ps[1].ended_at, T0 + 80);
    EXPECT_OK(f, bm_store_case_pauses(f->st, id2, f->a, &ps, &n, &f->err));
    assert_int_equal(n, 0);
}

/* ---- attachments ---- */

static int64_t
add_attachment(struct fx *f, const struct bm_attachment *at, const void *content)
{
    int64_t id = 0;

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_attachment_insert(f->st, at, content, &id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    assert_true(id > 0);
    return id;
}

static void
expect_attachment(struct fx *f, int64_t case_id, int64_t id, const void *content, size_t len)
{
    struct bm_attachment got;
    void *body = NULL;
    bool same;

    EXPECT_OK(f, bm_store_attachment_get(f->st, case_id, id, f->a, &got, &body, &f->err));
    assert_non_null(body);
    same = got.size == (int64_t)len && memcmp(body, content, len) == 0;
    free(body); /* the caller's, before any assertion can jump away */
    assert_int_equal(got.id, id);
    assert_int_equal(got.case_id, case_id);
    assert_int_equal(got.size, (int64_t)len);
    assert_true(same);
}

static void
test_attachments_dedup(void **state)
{
    struct fx *f = *state;
    struct cases w;
    struct bm_case c1, c2, got;
    struct bm_attachment at = {0}, *l;
    const size_t big_len = 70000; /* more than one 64 KiB buffer */
    unsigned char *big = bm_arena_alloc(f->a, big_len), small[300], lone[16];
    int64_t id1, id2, a1, a2, a3, a4, tmp;
    size_t n = 99;

    assert_non_null(big);
    for (size_t i = 0; i < big_len; i++)
        big[i] = (unsigned char)(i * 7 + i / 251);
    for (size_t i = 0; i < sizeof(small); i++)
        small[i] = (unsigned char)(i % 3 == 0 ? 0 : 255 - i);
    memset(lone, 0x5c, sizeof(lone));
    cases_fixture(f, &w);
    c1 = case_new(f, &w, 1);
    id1 = add_case(f, &c1, T0);
    c2 = case_new(f, &w, 2);
    id2 = add_case(f, &c2, T0);

    EXPECT_OK(f, bm_store_attachments_list(f->st, id1, f->a, &l, &n, &f->err));
    assert_int_equal(n, 0);

    /* The same content twice: two attachments, one stored copy. */
    at.case_id = id1;
    at.material_ord = 1;
    hash32(at.sha256, 42);
    at.content_type = "application/pdf";
    at.filename = "身份证正反面.pdf";
    at.size = (int64_t)big_len;
    at.uploaded_by = w.clerk;
    at.created_at = T0 + 1;
    a1 = add_attachment(f, &at, big);
    at.material_ord = -1;
    at.filename = "补充说明（同一文件）.pdf";
    at.created_at = T0 + 2;
    a2 = add_attachment(f, &at, big);
    assert_true(a2 != a1);
    assert_int_equal(backend_count(f, "SELECT count(*) FROM blobs"), 1);

    /* Other content on the other case. */
    at.case_id = id2;
    at.material_ord = 2;
    hash32(at.sha256, 43);
    at.content_type = "image/jpeg";
    at.filename = "户口簿.jpg";
    at.size = (int64_t)sizeof(small);
    at.uploaded_by = w.handler;
    at.created_at = T0 + 3;
    a3 = add_attachment(f, &at, small);
    assert_int_equal(backend_count(f, "SELECT count(*) FROM blobs"), 2);
    assert_int_equal(backend_count(f, "SELECT count(*) FROM attachments"), 3);

    EXPECT_OK(f, bm_store_attachments_list(f->st, id1, f->a, &l, &n, &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(l[0].id, a1);
    assert_int_equal(l[0].case_id, id1);
    assert_int_equal(l[0].material_ord, 1);
    hash32(at.sha256, 42);
    assert_memory_equal(l[0].sha256, at.sha256, 32);
    assert_string_equal(l[0].content_type, "application/pdf");
    assert_string_equal(l[0].filename, "身份证正反面.pdf");
    assert_int_equal(l[0].size, (int64_t)big_len);
    assert_int_equal(l[0].uploaded_by, w.clerk);
    assert_int_equal(l[0].created_at, T0 + 1);
    assert_int_equal(l[1].id, a2);
    assert_int_equal(l[1].material_ord, -1);
    assert_string_equal(l[1].filename, "补充说明（同一文件）.pdf");
    assert_memory_equal(l[1].sha256, at.sha256, 32);
    EXPECT_OK(f, bm_store_attachments_list(f->st, id2, f->a, &l, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(l[0].id, a3);
    assert_int_equal(l[0].material_ord, 2);
    assert_string_equal(l[0].content_type, "image/jpeg");

    /* Both attachments of the shared content give back the exact bytes. */
    expect_attachment(f, id1, a1, big, big_len);
    expect_attachment(f, id1, a2, big, big_len);
    expect_attachment(f, id2, a3, small, sizeof(small));
    {
        struct bm_attachment one;
        void *body = NULL;
        EXPECT_OK(f, bm_store_attachment_get(f->st, id1, a2, f->a, &one, &body, &f->err));
        free(body);
        body = NULL;
        assert_int_equal(one.material_ord, -1);
        assert_string_equal(one.filename, "补充说明（同一文件）.pdf");
        assert_string_equal(one.content_type, "application/pdf");
        assert_int_equal(one.uploaded_by, w.clerk);
        assert_int_equal(one.created_at, T0 + 2);
        assert_memory_equal(one.sha256, at.sha256, 32);

        /* An attachment is found only through its own case. */
        EXPECT_RC(f, BM_ENOTFOUND,
                  bm_store_attachment_get(f->st, id2, a1, f->a, &one, &body, &f->err));
        EXPECT_RC(f, BM_ENOTFOUND,
                  bm_store_attachment_get(f->st, id1, a3, f->a, &one, &body, &f->err));
        EXPECT_RC(f, BM_ENOTFOUND,
                  bm_store_attachment_get(f->st, id1, a3 + 100, f->a, &one, &body, &f->err));
        assert_null(body); /* nothing handed out on failure */
    }

    /* The case view counts attachments per material. */
    got = get_case(f, c1.case_no);
    assert_int_equal(material_of(&got, 1)->n_attachments, 1);
    assert_int_equal(material_of(&got, 2)->n_attachments, 0);
    assert_int_equal(material_of(&got, 3)->n_attachments, 0);
    at.case_id = id1;
    at.material_ord = 1;
    hash32(at.sha256, 42);
    at.size = (int64_t)big_len;
    a4 = add_attachment(f, &at, big);
    assert_true(a4 > a3);
    got = get_case(f, c1.case_no);
    assert_int_equal(material_of(&got, 1)->n_attachments, 2);
    got = get_case(f, c2.case_no);
    assert_int_equal(material_of(&got, 1)->n_attachments, 0);
    assert_int_equal(material_of(&got, 2)->n_attachments, 1);
    assert_int_equal(backend_count(f, "SELECT count(*) FROM blobs"), 2);

    /* An upload rolled back leaves neither the attachment nor its content. */
    hash32(at.sha256, 44);
    at.size = (int64_t)sizeof(lone);
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_attachment_insert(f->st, &at, lone, &tmp, &f->err));
    bm_store_rollback(f->st);
    assert_int_equal(backend_count(f, "SELECT count(*) FROM blobs"), 2);
    EXPECT_OK(f, bm_store_attachments_list(f->st, id1, f->a, &l, &n, &f->err));
    assert_int_equal(n, 3);
}

/* ---- certificates ---- */

static void
test_certificates_of_holder(void **state)
{
    struct fx *f = *state;
    struct cases w;
    struct bm_case c;
    struct bm_certificate cert = {0}, *l;
    unsigned char h1[32], h2[32], h3[32];
    int64_t k[4], c1, c2, c3, dup;
    size_t n = 99;

    cases_fixture(f, &w);
    for (int i = 1; i <= 3; i++) {
        c = case_new(f, &w, i);
        k[i] = add_case(f, &c, T0);
    }
    hash32(h1, 1);
    hash32(h2, 2);
    hash32(h3, 3);

    memcpy(cert.holder_hash, h1, 32);
    cert.holder_masked = "张*";
    cert.name = "城乡居民养老保险参保登记回执";
    cert.number = "XW-2024-000001";
    cert.case_id = k[1];
    cert.issuer_unit_id = w.office1;
    cert.issued_at = T0 + 10;
    cert.is_valid = true;
    c1 = add_certificate(f, &cert);
    cert.name = "就业创业证";
    cert.number = "XW-2024-000002";
    cert.case_id = k[2];
    cert.issuer_unit_id = w.dept;
    cert.issued_at = T0 + 20;
    c2 = add_certificate(f, &cert);
    memcpy(cert.holder_hash, h2, 32);
    cert.holder_masked = "李*";
    cert.name = "城乡居民养老保险参保登记回执";
    cert.number = "XW-2024-000003";
    cert.case_id = k[3];
    cert.issuer_unit_id = w.office1;
    cert.issued_at = T0 + 30;
    c3 = add_certificate(f, &cert);

    /* A holder's valid certificates, newest first, with case number and issuer. */
    EXPECT_OK(f, bm_store_certificates_of(f->st, h1, f->a, &l, &n, &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(l[0].id, c2);
    assert_int_equal(l[1].id, c1);
    assert_memory_equal(l[0].holder_hash, h1, 32);
    assert_string_equal(l[0].holder_masked, "张*");
    assert_string_equal(l[0].name, "就业创业证");
    assert_string_equal(l[0].number, "XW-2024-000002");
    assert_int_equal(l[0].case_id, k[2]);
    assert_string_equal(l[0].case_no, case_number(f, "110118100000", 20240105, 2));
    assert_int_equal(l[0].issuer_unit_id, w.dept);
    assert_string_equal(l[0].issuer_name, "区人力社保局");
    assert_int_equal(l[0].issued_at, T0 + 20);
    assert_true(l[0].is_valid);
    assert_string_equal(l[1].name, "城乡居民养老保险参保登记回执");
    assert_string_equal(l[1].issuer_name, "溪翁庄镇社会保障事务所");
    assert_string_equal(l[1].case_no, case_number(f, "110118100000", 20240105, 1));
    EXPECT_OK(f, bm_store_certificates_of(f->st, h2, f->a, &l, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(l[0].id, c3);
    assert_string_equal(l[0].holder_masked, "李*");
    EXPECT_OK(f, bm_store_certificates_of(f->st, h3, f->a, &l, &n, &f->err));
    assert_int_equal(n, 0);

    /* A number is issued once. */
    cert.case_id = k[1];
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ECONFLICT, bm_store_certificate_insert(f->st, &cert, &dup, &f->err));
    bm_store_rollback(f->st);

    /* Revoked certificates are no longer offered. */
    backend_tamper(f, "UPDATE certificates SET status = 'revoked' WHERE number = 'XW-2024-000001'");
    EXPECT_OK(f, bm_store_certificates_of(f->st, h1, f->a, &l, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(l[0].id, c2);
    /* Nor is one recorded as not valid. */
    memcpy(cert.holder_hash, h3, 32);
    cert.number = "XW-2024-000004";
    cert.is_valid = false;
    (void)add_certificate(f, &cert);
    EXPECT_OK(f, bm_store_certificates_of(f->st, h3, f->a, &l, &n, &f->err));
    assert_int_equal(n, 0);
}

/* ---- idempotency keys ---- */

static void
test_idempotency_keys(void **state)
{
    struct fx *f = *state;
    struct cases w;
    struct bm_case c;
    unsigned char body[32], other_body[32], got_hash[32];
    const char *no = NULL;
    int64_t k1, k2, case_id = -1;

    cases_fixture(f, &w);
    c = case_new(f, &w, 1);
    k1 = add_case(f, &c, T0);
    c = case_new(f, &w, 2);
    k2 = add_case(f, &c, T0);
    hash32(body, 9);
    hash32(other_body, 10);

    EXPECT_RC(f, BM_ENOTFOUND, bm_store_idem_get(f->st, w.resident, "key-1", got_hash, &case_id,
                                                 &no, f->a, &f->err));

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_idem_put(f->st, w.resident, "key-1", body, k1, T0, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_idem_get(f->st, w.resident, "key-1", got_hash, &case_id, &no, f->a,
                                   &f->err));
    assert_memory_equal(got_hash, body, 32);
    assert_int_equal(case_id, k1);
    assert_string_equal(no, case_number(f, "110118100000", 20240105, 1));

    /* A key is recorded once per user. */
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ECONFLICT,
              bm_store_idem_put(f->st, w.resident, "key-1", other_body, k2, T0 + 1, &f->err));
    bm_store_rollback(f->st);
    EXPECT_OK(f, bm_store_idem_get(f->st, w.resident, "key-1", got_hash, &case_id, &no, f->a,
                                   &f->err));
    assert_memory_equal(got_hash, body, 32);
    assert_int_equal(case_id, k1);

    /* Another user's key of the same text is another key. */
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_idem_put(f->st, w.clerk, "key-1", other_body, k2, T0 + 2, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_idem_get(f->st, w.clerk, "key-1", got_hash, &case_id, &no, f->a,
                                   &f->err));
    assert_memory_equal(got_hash, other_body, 32);
    assert_int_equal(case_id, k2);
    assert_string_equal(no, case_number(f, "110118100000", 20240105, 2));

    /* A key recorded in a transaction that rolled back was never recorded. */
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_idem_put(f->st, w.resident, "key-2", body, k2, T0 + 3, &f->err));
    bm_store_rollback(f->st);
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_idem_get(f->st, w.resident, "key-2", got_hash, &case_id,
                                                 &no, f->a, &f->err));
}

/* ---- notification outbox ---- */

static size_t
claim(struct fx *f, struct bm_store *st, int64_t now, int lease_s, int limit,
      struct bm_outbox_msg **out)
{
    size_t n = 999;

    EXPECT_OK(f, bm_store_outbox_claim(st, now, lease_s, limit, f->a, out, &n, &f->err));
    assert_false(bm_store_in_tx(st)); /* it ran its own transaction */
    assert_true(n <= (size_t)limit);
    return n;
}

static const struct bm_outbox_msg *
msg_of(const struct bm_outbox_msg *ms, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ms[i].id == id)
            return &ms[i];
    return NULL;
}

static void
done(struct fx *f, int64_t id, bool sent, const char *error, int64_t retry_at, int64_t now)
{
    EXPECT_OK(f, bm_store_outbox_done(f->st, id, sent, error, retry_at, now, &f->err));
}

static void
test_outbox_claim_lease_retry(void **state)
{
    struct fx *f = *state;
    struct cases w;
    struct bm_case c;
    static const unsigned char phone[] = {0x00, 0x13, 0x80, 0x5c, 0x78, 0xff, 0x00};
    struct bm_outbox_msg m = {0}, *ms;
    int64_t case_id, m1, m2, m3;
    size_t n;

    cases_fixture(f, &w);
    c = case_new(f, &w, 1);
    case_id = add_case(f, &c, T0);
    EXPECT_OK(f, bm_store_open(f->url, &f->st2, &f->err));

    /* Three messages queued in one transaction, two of them about the case. */
    m.case_id = case_id;
    m.county_code = "110118";
    m.channel = "sms";
    m.template_name = "case_accepted";
    m.body = "【密云区政务服务】您的办件已受理，查询码 Q7K9M2。";
    m.recipient_enc = phone;
    m.recipient_enc_len = sizeof(phone);
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_outbox_insert(f->st, &m, T0, &f->err));
    m.template_name = "case_due_soon";
    m.body = "您的办件即将到期。";
    EXPECT_OK(f, bm_store_outbox_insert(f->st, &m, T0, &f->err));
    m.case_id = 0;
    m.template_name = "account_created";
    m.body = "账户已开通。";
    EXPECT_OK(f, bm_store_outbox_insert(f->st, &m, T0, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));

    EXPECT_OK(f, bm_store_outbox_of_case(f->st, case_id, f->a, &ms, &n, &f->err));
    assert_int_equal(n, 2);
    m1 = ms[0].id;
    m2 = ms[1].id;
    assert_true(m1 > 0 && m1 < m2);
    assert_int_equal(ms[0].case_id, case_id);
    assert_string_equal(ms[0].county_code, "110118");
    assert_string_equal(ms[0].channel, "sms");
    assert_string_equal(ms[0].template_name, "case_accepted");
    assert_string_equal(ms[0].body, "【密云区政务服务】您的办件已受理，查询码 Q7K9M2。");
    assert_int_equal(ms[0].recipient_enc_len, sizeof(phone));
    assert_memory_equal(ms[0].recipient_enc, phone, sizeof(phone));
    assert_int_equal(ms[0].attempts, 0);
    assert_int_equal(ms[0].created_at, T0);
    assert_int_equal(ms[0].sent_at, 0);
    assert_string_equal(ms[1].template_name, "case_due_soon");

    /* Claims take the oldest first, up to the limit, counting an attempt. */
    n = claim(f, f->st, T0 + 10, 60, 2, &ms);
    assert_int_equal(n, 2);
    assert_non_null(msg_of(ms, n, m1));
    assert_non_null(msg_of(ms, n, m2));
    assert_int_equal(msg_of(ms, n, m1)->attempts, 1);
    assert_string_equal(msg_of(ms, n, m2)->body, "您的办件即将到期。");
    assert_memory_equal(msg_of(ms, n, m1)->recipient_enc, phone, sizeof(phone));

    /* While the lease holds, another connection (process) gets only what is left. */
    n = claim(f, f->st2, T0 + 20, 60, 10, &ms);
    assert_int_equal(n, 1);
    m3 = ms[0].id;
    assert_true(m3 > m2);
    assert_int_equal(ms[0].case_id, 0);
    assert_string_equal(ms[0].template_name, "account_created");
    assert_int_equal(ms[0].attempts, 1);
    n = claim(f, f->st2, T0 + 30, 60, 10, &ms);
    assert_int_equal(n, 0);
    n = claim(f, f->st, T0 + 69, 60, 10, &ms);
    assert_int_equal(n, 0);

    /* m1 is sent; m2 failed and is due again at T0 + 500; m3's lease lapses at T0 + 80. */
    done(f, m1, true, "", 0, T0 + 40);
    done(f, m2, false, "短信网关超时", T0 + 500, T0 + 40);
    n = claim(f, f->st, T0 + 79, 60, 10, &ms);
    assert_int_equal(n, 0);
    n = claim(f, f->st2, T0 + 80, 60, 10, &ms);
    assert_int_equal(n, 1);
    assert_int_equal(ms[0].id, m3);
    assert_int_equal(ms[0].attempts, 2);
    done(f, m3, true, "", 0, T0 + 90);

    n = claim(f, f->st, T0 + 499, 60, 10, &ms);
    assert_int_equal(n, 0);
    n = claim(f, f->st, T0 + 500, 60, 10, &ms);
    assert_int_equal(n, 1);
    assert_int_equal(ms[0].id, m2);
    assert_int_equal(ms[0].attempts, 2);
    done(f, m2, true, "", 0, T0 + 510);

    /* Sent messages are never claimed again. */
    n = claim(f, f->st, T0 + 100000, 60, 10, &ms);
    assert_int_equal(n, 0);
    EXPECT_OK(f, bm_store_outbox_of_case(f->st, case_id, f->a, &ms, &n, &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(ms[0].id, m1);
    assert_int_equal(ms[0].sent_at, T0 + 40);
    assert_int_equal(ms[0].attempts, 1);
    assert_int_equal(ms[1].id, m2);
    assert_int_equal(ms[1].sent_at, T0 + 510);
    assert_int_equal(ms[1].attempts, 2);
    EXPECT_OK(f, bm_store_outbox_of_case(f->st, case_id + 100, f->a, &ms, &n, &f->err));
    assert_int_equal(n, 0);

    /* A message of a transaction that rolled back never exists. */
    m.case_id = case_id;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_outbox_insert(f->st, &m, T0 + 200000, &f->err));
    bm_store_rollback(f->st);
    n = claim(f, f->st, T0 + 300000, 60, 10, &ms);
    assert_int_equal(n, 0);
}


/* ---- county codes (province-scale partitioning) -------------------------------------- */

/* Rows of `table` that do not carry `county`; -1 if the table holds none at all. */
static int64_t
rows_outside(struct fx *f, const char *table, const char *county)
{
    char sql[200];

    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
    if (backend_count(f, sql) == 0)
        return -1;
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE county_code <> '%s'", table, county);
    return backend_count(f, sql);
}

static void
test_county_code_on_growing_tables(void **state)
{
    struct fx *f = *state;
    static const char *const tables[] = {
        "users", "sessions", "api_tokens", "login_failures", "audit_log", "audit_head",
        "items", "item_materials", "cases", "case_counters", "case_materials", "case_events",
        "case_pauses", "attachments", "blobs", "idempotency_keys",
    };
    struct cases w;
    struct bm_case c;
    struct bm_case_event e = {0};
    struct bm_case_pause p = {0};
    struct bm_attachment at = {0};
    struct bm_user u;
    struct bm_audit_entry ae = {
        .at = T0, .actor = "clerk1", .action = "case.create", .object_type = "case",
        .object_id = "1", .detail = "{}",
    };
    unsigned char body[32];
    int64_t id, other_county, other_town, other_user;
    int seq = 0;

    cases_fixture(f, &w);
    c = case_new(f, &w, 1);
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_case_next_seq(f->st, "110118100000", 20240105, &seq, &f->err));
    EXPECT_OK(f, bm_store_case_insert(f->st, &c, T0, &id, &f->err));
    e.case_id = id;
    e.at = T0 + 10;
    e.actor_id = w.clerk;
    e.actor_name = "王受理";
    e.action = "accept";
    e.from_status = "submitted";
    e.to_status = "accepted";
    e.note = "";
    e.detail = "";
    EXPECT_OK(f, bm_store_case_event_insert(f->st, &e, &f->err));
    p.case_id = id;
    p.procedure = "现场勘查";
    p.reason = "需现场核实";
    p.expected_days = 3;
    p.from_day = ymd(2024, 1, 8);
    p.to_day = BM_DAY_NONE;
    p.started_at = T0 + 20;
    p.started_by = w.handler;
    EXPECT_OK(f, bm_store_case_pause_insert(f->st, &p, &f->err));
    hash32(body, 3);
    EXPECT_OK(f, bm_store_idem_put(f->st, w.clerk, "key-county", body, id, T0, &f->err));
    ae.actor_id = w.clerk;
    EXPECT_OK(f, bm_store_audit_append(f->st, &ae, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    at.case_id = id;
    at.material_ord = 1;
    hash32(at.sha256, 77);
    at.content_type = "image/png";
    at.filename = "户口簿.png";
    at.size = 4;
    at.uploaded_by = w.clerk;
    at.created_at = T0 + 30;
    add_attachment(f, &at, "\x89PNG");
    add_session(f, 1, w.clerk, T0, T0 + 3600);
    add_session(f, 2, w.resident, T0, T0 + 3600);
    add_token(f, 3, w.handler, "对接", T0, 0);
    EXPECT_OK(f, bm_store_login_failure_add(f->st, "clerk1", "192.0.2.1", T0, &f->err));
    EXPECT_OK(f, bm_store_login_failure_add(f->st, "nobody", "192.0.2.1", T0, &f->err));

    /* Staff take their unit's county, a citizen without a unit the store's. */
    EXPECT_OK(f, bm_store_user_get(f->st, w.clerk, f->a, &u, &f->err));
    assert_string_equal(u.county_code, "110118");
    EXPECT_OK(f, bm_store_user_get(f->st, w.resident, f->a, &u, &f->err));
    assert_string_equal(u.county_code, "110118");
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        int64_t n = rows_outside(f, tables[i], "110118");
        if (n != 0)
            print_error("%s: %lld rows outside the county\n", tables[i], (long long)n);
        assert_int_equal(n, 0);
    }

    /* A second county in the same store: its staff and their sessions carry its code. */
    other_county = add_org(f, 0, BM_ORG_COUNTY, "北京市延庆区", "110119");
    other_town = add_org(f, other_county, BM_ORG_TOWNSHIP, "永宁镇", "110119104000");
    other_user = add_staff(f, "clerk_yq", "延庆受理", BM_ROLE_CLERK, other_town);
    add_session(f, 4, other_user, T0, T0 + 3600);
    EXPECT_OK(f, bm_store_user_get(f->st, other_user, f->a, &u, &f->err));
    assert_string_equal(u.county_code, "110119");
    assert_int_equal(backend_count(f, "SELECT count(*) FROM sessions WHERE county_code = '110119'"),
                     1);
    /* Moving a user to another county's unit moves the account with it. */
    u.org_unit_id = w.t1;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_user_update(f->st, &u, T0 + 50, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_user_get(f->st, other_user, f->a, &u, &f->err));
    assert_string_equal(u.county_code, "110118");
}

static void
test_audit_chains_per_county(void **state)
{
    struct fx *f = *state;
    struct bm_audit_entry sys = {
        .at = T0, .actor = "system", .action = "calendar.update", .object_type = "calendar",
        .object_id = "2026", .detail = "{}",
    };
    struct bm_audit_entry given = sys, by_user = sys, *l;
    struct bm_audit_report rep;
    unsigned char head[BM_AUDIT_HASH_LEN];
    const char **chains;
    int64_t county1, county2, town2, user2, last = -1;
    size_t n = 0;

    county1 = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    county2 = add_org(f, 0, BM_ORG_COUNTY, "北京市延庆区", "110119");
    town2 = add_org(f, county2, BM_ORG_TOWNSHIP, "永宁镇", "110119104000");
    user2 = add_user(f, "clerk_yq", BM_ROLE_CLERK, town2);
    assert_true(county1 > 0);

    given.county_code = "110119";
    given.object_id = "given";
    by_user.actor_id = user2;
    by_user.actor = "clerk_yq";
    by_user.object_id = "by_user";
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_audit_append(f->st, &sys, &f->err));
    EXPECT_OK(f, bm_store_audit_append(f->st, &given, &f->err));
    EXPECT_OK(f, bm_store_audit_append(f->st, &by_user, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    /* The system's entry joins the store's county; each chain numbers from 1. */
    assert_int_equal(sys.id, 1);
    assert_int_equal(given.id, 1);
    assert_int_equal(by_user.id, 2);
    assert_memory_equal(given.prev_hash, bm_audit_genesis, BM_AUDIT_HASH_LEN);
    assert_memory_equal(by_user.prev_hash, given.hash, BM_AUDIT_HASH_LEN);

    EXPECT_OK(f, bm_store_audit_chains(f->st, f->a, &chains, &n, &f->err));
    assert_int_equal(n, 2);
    assert_string_equal(chains[0], "110118");
    assert_string_equal(chains[1], "110119");
    EXPECT_OK(f, bm_store_audit_list(f->st, "110119", 0, false, 10, f->a, &l, &n, &f->err));
    assert_int_equal(n, 2);
    assert_string_equal(l[0].object_id, "given");
    assert_string_equal(l[1].object_id, "by_user");
    EXPECT_OK(f, bm_store_audit_list(f->st, "110118", 0, true, 10, f->a, &l, &n, &f->err));
    assert_int_equal(n, 1);
    assert_string_equal(l[0].object_id, "2026");
    EXPECT_OK(f, bm_store_audit_head(f->st, "110119", &last, head, &f->err));
    assert_int_equal(last, 2);
    assert_memory_equal(head, by_user.hash, BM_AUDIT_HASH_LEN);

    EXPECT_OK(f, bm_store_audit_verify(f->st, NULL, &rep, &f->err));
    assert_int_equal(rep.bad_id, 0);
    assert_int_equal(rep.chains, 2);
    assert_int_equal(rep.checked, 3);

    /* An entry moved into another county's chain breaks that chain, and is named there. */
    backend_tamper(f, "UPDATE audit_log SET county_code = '110118', id = 2 "
                      "WHERE county_code = '110119' AND id = 2");
    EXPECT_OK(f, bm_store_audit_verify(f->st, NULL, &rep, &f->err));
    assert_string_equal(rep.county_code, "110118");
    assert_int_equal(rep.bad_id, 2);
    EXPECT_OK(f, bm_store_audit_verify(f->st, "110119", &rep, &f->err));
    assert_int_equal(rep.chains, 1);
    assert_int_equal(rep.bad_id, 2); /* its tail is gone */
    assert_string_equal(rep.county_code, "110119");
}

/* ---- participation (公众参与): campaigns, hearings, households ---- */

struct part_fx {
    int64_t county, t1, t2, v1, v2, v3, staff1, staff2;
};

static void
part_fixture(struct fx *f, struct part_fx *w)
{
    w->county = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    w->t1 = add_org(f, w->county, BM_ORG_TOWNSHIP, "鼓楼街道", "110118001000");
    w->t2 = add_org(f, w->county, BM_ORG_TOWNSHIP, "果园街道", "110118002000");
    w->v1 = add_org(f, w->t1, BM_ORG_VILLAGE, "甲村民委员会", "110118001201");
    w->v2 = add_org(f, w->t1, BM_ORG_VILLAGE, "乙村民委员会", "110118001202");
    w->v3 = add_org(f, w->t2, BM_ORG_VILLAGE, "丙村民委员会", "110118002201");
    w->staff1 = add_staff(f, "part_admin1", "赵敏", BM_ROLE_TOWNSHIP_ADMIN, w->t1);
    w->staff2 = add_staff(f, "part_handler1", "李强", BM_ROLE_HANDLER, w->t1);
}

static int64_t
add_campaign(struct fx *f, int64_t unit, int64_t by, const char *title, bm_day from, bm_day until)
{
    struct bm_campaign c = {.unit_id = unit, .created_by = by, .title = title,
                            .description = "征集说明", .open_from = from, .open_until = until};
    int64_t id = 0;

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_campaign_insert(f->st, &c, T0, &id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    return id;
}

static int64_t
add_submission(struct fx *f, int64_t campaign, const char *content, int64_t user_id)
{
    static const unsigned char sealed[48] = {1, 2, 3};
    struct bm_campaign_submission s = {.campaign_id = campaign, .content = content,
                                       .author_masked = "张*", .user_id = user_id};
    int64_t id = 0;

    if (user_id == 0) {
        s.contact_enc = sealed;
        s.contact_enc_len = sizeof(sealed);
    }
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_submission_insert(f->st, &s, T0 + 60, &id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    return id;
}

static void
test_participation_campaigns(void **state)
{
    struct fx *f = *state;
    struct part_fx w;
    struct bm_campaign c, *cs;
    struct bm_campaign_submission *ss;
    const bm_day d0 = ymd(2026, 12, 1), d1 = ymd(2026, 12, 31);
    int64_t c1, c2, c3, s1, s2, s3;
    size_t n = 0;

    part_fixture(f, &w);
    c1 = add_campaign(f, w.t1, w.staff1, "乡村振兴建议征集", d0, d1);
    c2 = add_campaign(f, w.t2, w.staff1, "老旧小区改造", ymd(2027, 1, 10), ymd(2027, 2, 10));
    c3 = add_campaign(f, w.county, w.staff1, "县十五五规划", d0, d1);

    EXPECT_OK(f, bm_store_campaign_get(f->st, c1, f->a, &c, &f->err));
    assert_int_equal(c.id, c1);
    assert_int_equal(c.unit_id, w.t1);
    assert_string_equal(c.unit_name, "鼓楼街道");
    assert_string_equal(c.unit_path, mkpath(f, 2, w.county, w.t1));
    assert_string_equal(c.title, "乡村振兴建议征集");
    assert_string_equal(c.description, "征集说明");
    assert_int_equal(c.open_from, d0);
    assert_int_equal(c.open_until, d1);
    assert_string_equal(c.summary, "");
    assert_int_equal(c.summarized_at, 0);
    assert_int_equal(c.created_by, w.staff1);
    assert_int_equal(c.created_at, T0);
    assert_int_equal(c.n_submissions, 0);
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_campaign_get(f->st, 99999, f->a, &c, &f->err));

    /* Scope by path prefix; the public list only what has begun by the day given. */
    EXPECT_OK(f, bm_store_campaigns_list(f->st, mkpath(f, 2, w.county, w.t1), BM_DAY_NONE, 0, 50,
                                         f->a, &cs, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(cs[0].id, c1);
    EXPECT_OK(f, bm_store_campaigns_list(f->st, "", BM_DAY_NONE, 0, 50, f->a, &cs, &n, &f->err));
    assert_int_equal(n, 3);
    EXPECT_OK(f, bm_store_campaigns_list(f->st, "", ymd(2026, 12, 5), 0, 50, f->a, &cs, &n,
                                         &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(cs[0].id, c1);
    assert_int_equal(cs[1].id, c3);
    /* Pages by id. */
    EXPECT_OK(f, bm_store_campaigns_list(f->st, "", BM_DAY_NONE, 0, 2, f->a, &cs, &n, &f->err));
    assert_int_equal(n, 2);
    EXPECT_OK(f, bm_store_campaigns_list(f->st, "", BM_DAY_NONE, cs[1].id, 2, f->a, &cs, &n,
                                         &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(cs[0].id, c3);
    (void)c2;

    s1 = add_submission(f, c1, "修缮村道", 0);
    s2 = add_submission(f, c1, "增设路灯", w.staff2);
    s3 = add_submission(f, c3, "县城公交", 0);
    EXPECT_OK(f, bm_store_submissions_list(f->st, c1, false, 0, 50, f->a, &ss, &n, &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(ss[0].id, s1);
    assert_string_equal(ss[0].content, "修缮村道");
    assert_string_equal(ss[0].author_masked, "张*");
    assert_int_equal(ss[0].user_id, 0);
    assert_int_equal(ss[1].user_id, w.staff2);
    assert_string_equal(ss[0].response, "");
    assert_int_equal(ss[0].created_at, T0 + 60);
    EXPECT_OK(f, bm_store_submissions_list(f->st, c1, true, 0, 50, f->a, &ss, &n, &f->err));
    assert_int_equal(n, 0);

    /* A response is published once, and only on a submission of that campaign. */
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_submission_respond(f->st, c1, s2, "已列入明年计划", w.staff1, T0 + 120,
                                             &f->err));
    EXPECT_RC(f, BM_ECONFLICT, bm_store_submission_respond(f->st, c1, s2, "再答", w.staff1,
                                                           T0 + 130, &f->err));
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_submission_respond(f->st, c1, s3, "错", w.staff1,
                                                           T0 + 130, &f->err));
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_submission_respond(f->st, c1, 99999, "错", w.staff1,
                                                           T0 + 130, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_submissions_list(f->st, c1, true, 0, 50, f->a, &ss, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(ss[0].id, s2);
    assert_string_equal(ss[0].response, "已列入明年计划");
    assert_int_equal(ss[0].responded_by, w.staff1);
    assert_int_equal(ss[0].responded_at, T0 + 120);
    EXPECT_OK(f, bm_store_submissions_list(f->st, c1, false, s1, 50, f->a, &ss, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(ss[0].id, s2);

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_campaign_summarize(f->st, c1, "共收到建议2条", T0 + 200, &f->err));
    EXPECT_RC(f, BM_ECONFLICT, bm_store_campaign_summarize(f->st, c1, "又一次", T0 + 300, &f->err));
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_campaign_summarize(f->st, 99999, "无", T0, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_campaign_get(f->st, c1, f->a, &c, &f->err));
    assert_string_equal(c.summary, "共收到建议2条");
    assert_int_equal(c.summarized_at, T0 + 200);
    assert_int_equal(c.n_submissions, 2);
    assert_int_equal(c.n_responded, 1);

    /* A rolled-back response leaves nothing. */
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_submission_respond(f->st, c1, s1, "未提交", w.staff1, T0, &f->err));
    bm_store_rollback(f->st);
    EXPECT_OK(f, bm_store_campaign_get(f->st, c1, f->a, &c, &f->err));
    assert_int_equal(c.n_responded, 1);

    assert_int_equal(rows_outside(f, "campaigns", "110118"), 0);
    assert_int_equal(rows_outside(f, "campaign_submissions", "110118"), 0);
}

static int64_t
add_hearing(struct fx *f, struct part_fx *w, const char *kind, int64_t capacity)
{
    struct bm_hearing h = {.unit_id = w->t1, .kind = kind, .title = "水价调整听证会",
                           .matter = "自来水价格调整方案", .place = "街道三楼会议室",
                           .starts_at = T0 + 86400 * 10, .register_until = ymd(2023, 11, 20),
                           .capacity = capacity, .created_by = w->staff1};
    int64_t id = 0;

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_hearing_insert(f->st, &h, T0, &id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    return id;
}

static enum bm_rc
register_one(struct fx *f, int64_t hearing, unsigned seed, int64_t *id)
{
    static const unsigned char sealed[60] = {9, 8, 7};
    struct bm_hearing_participant p = {.hearing_id = hearing, .role = "expert",
                                       .name_masked = "王*", .phone_masked = "138****0001",
                                       .contact_enc = sealed, .contact_enc_len = sizeof(sealed)};
    enum bm_rc rc;

    hash32(p.contact_hash, seed);
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    rc = bm_store_hearing_register(f->st, &p, T0 + seed, id, &f->err);
    if (rc == BM_OK)
        EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    else
        bm_store_rollback(f->st);
    return rc;
}

static void
test_participation_hearings(void **state)
{
    struct fx *f = *state;
    struct part_fx w;
    struct bm_hearing h, *hs;
    struct bm_hearing_participant *ps;
    int64_t h1, h2, p1 = 0, p2 = 0, p3 = 0;
    size_t n = 0;

    part_fixture(f, &w);
    h1 = add_hearing(f, &w, "hearing", 2);
    h2 = add_hearing(f, &w, "meeting", 5);

    EXPECT_OK(f, bm_store_hearing_get(f->st, h1, f->a, &h, &f->err));
    assert_string_equal(h.kind, "hearing");
    assert_string_equal(h.title, "水价调整听证会");
    assert_string_equal(h.matter, "自来水价格调整方案");
    assert_string_equal(h.place, "街道三楼会议室");
    assert_string_equal(h.unit_name, "鼓楼街道");
    assert_int_equal(h.starts_at, T0 + 86400 * 10);
    assert_int_equal(h.register_until, ymd(2023, 11, 20));
    assert_int_equal(h.capacity, 2);
    assert_int_equal(h.registered, 0);
    assert_string_equal(h.minutes, "");
    assert_int_equal(h.recorded_at, 0);
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_hearing_get(f->st, 99999, f->a, &h, &f->err));

    /* Two places: the third registration is refused and changes nothing. */
    assert_int_equal(register_one(f, h1, 1, &p1), BM_OK);
    assert_int_equal(register_one(f, h1, 1, &p3), BM_ECONFLICT); /* the same phone again */
    assert_int_equal(register_one(f, h1, 2, &p2), BM_OK);
    assert_int_equal(register_one(f, h1, 3, &p3), BM_ECONFLICT);
    assert_non_null(strstr(f->err.message, "名额已满"));
    assert_int_equal(register_one(f, 99999, 4, &p3), BM_ENOTFOUND);
    EXPECT_OK(f, bm_store_hearing_get(f->st, h1, f->a, &h, &f->err));
    assert_int_equal(h.registered, 2);
    /* The same phone may register for another meeting. */
    assert_int_equal(register_one(f, h2, 1, &p3), BM_OK);

    EXPECT_OK(f, bm_store_participants_list(f->st, h1, f->a, &ps, &n, &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(ps[0].id, p1);
    assert_int_equal(ps[1].id, p2);
    assert_string_equal(ps[0].role, "expert");
    assert_string_equal(ps[0].name_masked, "王*");
    assert_string_equal(ps[0].phone_masked, "138****0001");
    assert_int_equal(ps[0].created_at, T0 + 1);
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_participants_list(f->st, 99999, f->a, &ps, &n, &f->err));

    EXPECT_OK(f, bm_store_hearings_list(f->st, "", "meeting", 0, 50, f->a, &hs, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(hs[0].id, h2);
    assert_int_equal(hs[0].registered, 1);
    EXPECT_OK(f, bm_store_hearings_list(f->st, mkpath(f, 2, w.county, w.t1), "", 0, 50, f->a, &hs,
                                        &n, &f->err));
    assert_int_equal(n, 2);
    EXPECT_OK(f, bm_store_hearings_list(f->st, mkpath(f, 2, w.county, w.t2), "", 0, 50, f->a, &hs,
                                        &n, &f->err));
    assert_int_equal(n, 0);
    EXPECT_OK(f, bm_store_hearings_list(f->st, "", "", h1, 50, f->a, &hs, &n, &f->err));
    assert_int_equal(n, 1);

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_hearing_record(f->st, h1, "纪要正文", "方案通过", T0 + 86400 * 11,
                                         &f->err));
    EXPECT_RC(f, BM_ECONFLICT, bm_store_hearing_record(f->st, h1, "再记", "再记", T0, &f->err));
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_hearing_record(f->st, 99999, "x", "x", T0, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_hearing_get(f->st, h1, f->a, &h, &f->err));
    assert_string_equal(h.minutes, "纪要正文");
    assert_string_equal(h.outcome, "方案通过");
    assert_int_equal(h.recorded_at, T0 + 86400 * 11);

    assert_int_equal(rows_outside(f, "hearings", "110118"), 0);
    assert_int_equal(rows_outside(f, "hearing_participants", "110118"), 0);
}

/* Concurrent registrations from two connections never take more places than there are. */
static void
test_participation_capacity_two_connections(void **state)
{
    struct fx *f = *state;
    struct part_fx w;
    struct bm_hearing_participant p = {.role = "resident", .name_masked = "甲*",
                                       .phone_masked = "139****0000"};
    static const unsigned char sealed[44] = {1};
    struct bm_hearing h;
    int64_t h1, id;
    int ok = 0;

    part_fixture(f, &w);
    h1 = add_hearing(f, &w, "hearing", 3);
    EXPECT_OK(f, bm_store_open(f->url, &f->st2, &f->err));
    p.hearing_id = h1;
    p.contact_enc = sealed;
    p.contact_enc_len = sizeof(sealed);
    /* Alternate connections, each registration in its own transaction. */
    for (unsigned i = 0; i < 6; i++) {
        struct bm_store *st = (i % 2) ? f->st2 : f->st;
        enum bm_rc rc;
        hash32(p.contact_hash, 100 + i);
        EXPECT_OK(f, bm_store_begin(st, &f->err));
        rc = bm_store_hearing_register(st, &p, T0, &id, &f->err);
        if (rc == BM_OK) {
            EXPECT_OK(f, bm_store_commit(st, &f->err));
            ok++;
        } else {
            assert_int_equal(rc, BM_ECONFLICT);
            bm_store_rollback(st);
        }
    }
    assert_int_equal(ok, 3);
    EXPECT_OK(f, bm_store_hearing_get(f->st, h1, f->a, &h, &f->err));
    assert_int_equal(h.registered, 3);
    assert_int_equal(backend_count(f, "SELECT count(*) FROM hearing_participants"), 3);
}

static int64_t
add_household(struct fx *f, int64_t village, const char *head)
{
    static const unsigned char sealed[46] = {5};
    struct bm_household h = {.village_id = village, .head_masked = head, .address = "一号院",
                             .members = 4, .head_enc = sealed, .head_enc_len = sizeof(sealed)};
    int64_t id = 0;

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_household_insert(f->st, &h, T0, &id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    return id;
}

static void
assign(struct fx *f, int64_t id, int64_t version, int64_t cadre, enum bm_rc want)
{
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, want, bm_store_household_assign(f->st, id, version, cadre, T0 + 500, &f->err));
    if (want == BM_OK)
        EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    else
        bm_store_rollback(f->st);
}

static void
test_participation_households(void **state)
{
    struct fx *f = *state;
    struct part_fx w;
    struct bm_household h, *hs;
    struct bm_household_query q = {.limit = 50};
    struct bm_coverage_row *rows;
    int64_t a1, a2, a3, b1, c1;
    size_t n = 0;

    part_fixture(f, &w);
    a1 = add_household(f, w.v1, "王*锤");
    a2 = add_household(f, w.v1, "赵*");
    a3 = add_household(f, w.v1, "钱*");
    b1 = add_household(f, w.v2, "孙*");
    c1 = add_household(f, w.v3, "周*");

    EXPECT_OK(f, bm_store_household_get(f->st, a1, f->a, &h, &f->err));
    assert_int_equal(h.village_id, w.v1);
    assert_string_equal(h.village_name, "甲村民委员会");
    assert_string_equal(h.village_path, mkpath(f, 3, w.county, w.t1, w.v1));
    assert_string_equal(h.head_masked, "王*锤");
    assert_string_equal(h.address, "一号院");
    assert_int_equal(h.members, 4);
    assert_int_equal(h.cadre_id, 0);
    assert_int_equal(h.version, 1);
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_household_get(f->st, 99999, f->a, &h, &f->err));

    assign(f, a1, 1, w.staff2, BM_OK);
    assign(f, a2, 1, w.staff1, BM_OK);
    assign(f, a1, 1, w.staff1, BM_ESTALE); /* version moved on */
    EXPECT_OK(f, bm_store_household_get(f->st, a1, f->a, &h, &f->err));
    assert_int_equal(h.cadre_id, w.staff2);
    assert_string_equal(h.cadre_name, "李强");
    assert_int_equal(h.assigned_at, T0 + 500);
    assert_int_equal(h.version, 2);

    /* Coverage of township 1: by hand, 甲 2 of 3, 乙 0 of 1; 丙 is another township's. */
    EXPECT_OK(f, bm_store_households_coverage(f->st, mkpath(f, 2, w.county, w.t1), f->a, &rows, &n,
                                              &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].village_id, w.v1);
    assert_string_equal(rows[0].village_name, "甲村民委员会");
    assert_int_equal(rows[0].households, 3);
    assert_int_equal(rows[0].covered, 2);
    assert_int_equal(rows[1].village_id, w.v2);
    assert_int_equal(rows[1].households, 1);
    assert_int_equal(rows[1].covered, 0);
    EXPECT_OK(f, bm_store_households_coverage(f->st, "", f->a, &rows, &n, &f->err));
    assert_int_equal(n, 3);
    assert_int_equal(rows[2].households, 1);

    q.path_prefix = mkpath(f, 2, w.county, w.t1);
    q.uncovered_only = true;
    EXPECT_OK(f, bm_store_households_list(f->st, &q, f->a, &hs, &n, &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(hs[0].id, a3);
    assert_int_equal(hs[1].id, b1);
    q.village_id = w.v1;
    EXPECT_OK(f, bm_store_households_list(f->st, &q, f->a, &hs, &n, &f->err));
    assert_int_equal(n, 1);
    q.uncovered_only = false;
    EXPECT_OK(f, bm_store_households_list(f->st, &q, f->a, &hs, &n, &f->err));
    assert_int_equal(n, 3);
    q.after_id = a1;
    q.limit = 1;
    EXPECT_OK(f, bm_store_households_list(f->st, &q, f->a, &hs, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(hs[0].id, a2);
    assert_string_equal(hs[0].cadre_name, "赵敏");
    q.path_prefix = mkpath(f, 2, w.county, w.t2);
    q.village_id = 0;
    q.after_id = 0;
    q.limit = 50;
    EXPECT_OK(f, bm_store_households_list(f->st, &q, f->a, &hs, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(hs[0].id, c1);

    /* Taking the cadre away uncovers the household again. */
    assign(f, a2, 2, 0, BM_OK);
    EXPECT_OK(f, bm_store_household_get(f->st, a2, f->a, &h, &f->err));
    assert_int_equal(h.cadre_id, 0);
    assert_int_equal(h.assigned_at, 0);
    EXPECT_OK(f, bm_store_households_coverage(f->st, mkpath(f, 2, w.county, w.t1), f->a, &rows, &n,
                                              &f->err));
    assert_int_equal(rows[0].covered, 1);

    assert_int_equal(rows_outside(f, "households", "110118"), 0);
}

static int64_t
add_visit(struct fx *f, int64_t reception, const char *visitor, bm_day due)
{
    static const unsigned char sealed[50] = {7};
    struct bm_reception_visit v = {.reception_id = reception, .visitor_masked = visitor,
                                   .matter = "宅基地纠纷", .handling = "当场调解",
                                   .follow_up_due = due, .visitor_enc = sealed,
                                   .visitor_enc_len = sizeof(sealed), .recorded_by = 0};
    int64_t id = 0;

    v.recorded_by = backend_count(f, "SELECT min(id) FROM users");
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_visit_insert(f->st, &v, T0 + 100, &id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    return id;
}

static void
test_participation_receptions(void **state)
{
    struct fx *f = *state;
    struct part_fx w;
    struct bm_reception r = {.kind = "reception", .leader_name = "张书记", .leader_title = "镇党委书记",
                             .place = "镇信访接待室"};
    struct bm_reception *rs;
    struct bm_reception_visit v, *vs;
    int64_t r1, r2, a, b, c;
    size_t n = 0;

    part_fixture(f, &w);
    r.unit_id = w.t1;
    r.day = ymd(2026, 12, 10);
    r.created_by = w.staff1;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_reception_insert(f->st, &r, T0, &r1, &f->err));
    r.kind = "visit";
    r.unit_id = w.t2;
    r.day = ymd(2026, 12, 20);
    r.place = "丙村村委会";
    EXPECT_OK(f, bm_store_reception_insert(f->st, &r, T0, &r2, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));

    EXPECT_OK(f, bm_store_reception_get(f->st, r1, f->a, &r, &f->err));
    assert_string_equal(r.kind, "reception");
    assert_string_equal(r.leader_name, "张书记");
    assert_string_equal(r.leader_title, "镇党委书记");
    assert_string_equal(r.place, "镇信访接待室");
    assert_string_equal(r.unit_name, "鼓楼街道");
    assert_int_equal(r.day, ymd(2026, 12, 10));
    assert_int_equal(r.n_visits, 0);
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_reception_get(f->st, 99999, f->a, &r, &f->err));
    EXPECT_OK(f, bm_store_receptions_list(f->st, "", ymd(2026, 12, 11), 0, 50, f->a, &rs, &n,
                                          &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(rs[0].id, r2);
    EXPECT_OK(f, bm_store_receptions_list(f->st, mkpath(f, 2, w.county, w.t1), BM_DAY_NONE, 0, 50,
                                          f->a, &rs, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(rs[0].id, r1);

    a = add_visit(f, r1, "王*", ymd(2026, 12, 20));
    b = add_visit(f, r1, "李*", BM_DAY_NONE);
    c = add_visit(f, r2, "赵*", ymd(2026, 12, 15));
    EXPECT_OK(f, bm_store_visit_get(f->st, a, f->a, &v, &f->err));
    assert_string_equal(v.visitor_masked, "王*");
    assert_string_equal(v.matter, "宅基地纠纷");
    assert_int_equal(v.follow_up_due, ymd(2026, 12, 20));
    assert_int_equal(v.reception_day, ymd(2026, 12, 10));
    assert_string_equal(v.leader_name, "张书记");
    assert_string_equal(v.unit_path, mkpath(f, 2, w.county, w.t1));
    EXPECT_OK(f, bm_store_visit_get(f->st, b, f->a, &v, &f->err));
    assert_int_equal(v.follow_up_due, BM_DAY_NONE);
    EXPECT_OK(f, bm_store_visits_list(f->st, r1, f->a, &vs, &n, &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(vs[0].id, a);
    assert_int_equal(vs[1].id, b);

    /* Open follow-ups: earliest due first; settled ones never appear. */
    EXPECT_OK(f, bm_store_follow_ups_open(f->st, "", 50, f->a, &vs, &n, &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(vs[0].id, c);
    assert_int_equal(vs[1].id, a);
    EXPECT_OK(f, bm_store_follow_ups_open(f->st, mkpath(f, 2, w.county, w.t1), 50, f->a, &vs, &n,
                                          &f->err));
    assert_int_equal(n, 1);

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_visit_follow_up(f->st, a, "已办结，当事人满意", w.staff1, T0 + 900,
                                          &f->err));
    EXPECT_RC(f, BM_ECONFLICT, bm_store_visit_follow_up(f->st, a, "再记", w.staff1, T0, &f->err));
    EXPECT_RC(f, BM_ECONFLICT, bm_store_visit_follow_up(f->st, b, "无需", w.staff1, T0, &f->err));
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_visit_follow_up(f->st, 99999, "x", w.staff1, T0, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_visit_get(f->st, a, f->a, &v, &f->err));
    assert_string_equal(v.follow_up_result, "已办结，当事人满意");
    assert_int_equal(v.followed_up_by, w.staff1);
    assert_int_equal(v.followed_up_at, T0 + 900);
    EXPECT_OK(f, bm_store_follow_ups_open(f->st, "", 50, f->a, &vs, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(vs[0].id, c);
    EXPECT_OK(f, bm_store_reception_get(f->st, r1, f->a, &r, &f->err));
    assert_int_equal(r.n_visits, 2);

    assert_int_equal(rows_outside(f, "reception_days", "110118"), 0);
    assert_int_equal(rows_outside(f, "reception_visits", "110118"), 0);
}

static int64_t
add_deputy(struct fx *f, int64_t unit, int64_t by, const char *name, unsigned seed)
{
    struct bm_deputy d = {.unit_id = unit, .name = name, .body = "npc", .is_active = true,
                          .created_by = by};
    int64_t id = 0;

    hash32(d.token_hash, seed);
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_deputy_insert(f->st, &d, T0, &id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    return id;
}

static int64_t
add_matter(struct fx *f, int64_t deputy, const char *title, bool urgent)
{
    struct bm_deputy_matter m = {.deputy_id = deputy, .title = title, .content = "情况和建议",
                                 .is_urgent = urgent};
    int64_t id = 0;

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_matter_insert(f->st, &m, T0 + 10, &id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    return id;
}

static void
test_participation_deputies(void **state)
{
    struct fx *f = *state;
    struct part_fx w;
    struct bm_deputy d, *ds;
    struct bm_deputy_matter m, *ms;
    struct bm_deputy dup = {.name = "重复", .body = "cppcc", .is_active = true};
    unsigned char h[32];
    int64_t d1, d2, m1, m2, m3, id;
    size_t n = 0;

    part_fixture(f, &w);
    d1 = add_deputy(f, w.county, w.staff1, "周代表", 1);
    d2 = add_deputy(f, w.t2, w.staff1, "吴委员", 2);
    /* A token hash is unique. */
    dup.unit_id = w.t1;
    dup.created_by = w.staff1;
    hash32(dup.token_hash, 1);
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ECONFLICT, bm_store_deputy_insert(f->st, &dup, T0, &id, &f->err));
    bm_store_rollback(f->st);

    hash32(h, 2);
    EXPECT_OK(f, bm_store_deputy_by_token(f->st, h, f->a, &d, &f->err));
    assert_int_equal(d.id, d2);
    assert_string_equal(d.name, "吴委员");
    assert_string_equal(d.body, "npc");
    assert_string_equal(d.unit_name, "果园街道");
    assert_true(d.is_active);
    hash32(h, 3);
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_deputy_by_token(f->st, h, f->a, &d, &f->err));
    EXPECT_OK(f, bm_store_deputies_list(f->st, mkpath(f, 2, w.county, w.t2), f->a, &ds, &n,
                                        &f->err));
    assert_int_equal(n, 1);
    EXPECT_OK(f, bm_store_deputies_list(f->st, "", f->a, &ds, &n, &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(ds[0].id, d1);

    m1 = add_matter(f, d1, "农村客运班线", false);
    m2 = add_matter(f, d2, "学校周边交通安全", true);
    m3 = add_matter(f, d1, "养老服务", false);

    /* The queue: urgent first, then oldest; answered last. */
    EXPECT_OK(f, bm_store_matters_list(f->st, "", false, 0, 50, f->a, &ms, &n, &f->err));
    assert_int_equal(n, 3);
    assert_int_equal(ms[0].id, m2);
    assert_int_equal(ms[1].id, m1);
    assert_int_equal(ms[2].id, m3);
    EXPECT_OK(f, bm_store_matters_list(f->st, "", false, d1, 50, f->a, &ms, &n, &f->err));
    assert_int_equal(n, 2);

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_matter_assign(f->st, m1, w.t1, T0 + 20, &f->err));
    EXPECT_RC(f, BM_ETRANSITION, bm_store_matter_assign(f->st, m1, w.t2, T0 + 20, &f->err));
    EXPECT_RC(f, BM_ETRANSITION, bm_store_matter_answer(f->st, m3, "未交办", w.staff1, T0,
                                                        &f->err));
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_matter_assign(f->st, 99999, w.t1, T0, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    /* By the assigned unit: township 1 sees only m1. */
    EXPECT_OK(f, bm_store_matters_list(f->st, mkpath(f, 2, w.county, w.t1), true, 0, 50, f->a, &ms,
                                       &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(ms[0].id, m1);
    assert_string_equal(ms[0].status, "assigned");
    assert_string_equal(ms[0].assignee_name, "鼓楼街道");

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_matter_answer(f->st, m1, "已增开班次", w.staff1, T0 + 30, &f->err));
    EXPECT_RC(f, BM_ETRANSITION, bm_store_matter_answer(f->st, m1, "再答", w.staff1, T0, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_matter_get(f->st, m1, f->a, &m, &f->err));
    assert_string_equal(m.status, "answered");
    assert_string_equal(m.answer, "已增开班次");
    assert_int_equal(m.answered_by, w.staff1);
    assert_int_equal(m.answered_at, T0 + 30);
    assert_int_equal(m.assigned_at, T0 + 20);
    assert_string_equal(m.deputy_name, "周代表");
    assert_string_equal(m.title, "农村客运班线");
    assert_false(m.is_urgent);
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_matter_get(f->st, 99999, f->a, &m, &f->err));
    EXPECT_OK(f, bm_store_matters_list(f->st, "", false, 0, 50, f->a, &ms, &n, &f->err));
    assert_int_equal(ms[2].id, m1); /* answered last */

    /* A deactivated deputy's token is refused; the matters stay. */
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_deputy_deactivate(f->st, d2, &f->err));
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_deputy_deactivate(f->st, 99999, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    hash32(h, 2);
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_deputy_by_token(f->st, h, f->a, &d, &f->err));
    EXPECT_OK(f, bm_store_deputies_list(f->st, "", f->a, &ds, &n, &f->err));
    assert_false(ds[1].is_active);
    EXPECT_OK(f, bm_store_matter_get(f->st, m2, f->a, &m, &f->err));

    assert_int_equal(rows_outside(f, "deputies", "110118"), 0);
    assert_int_equal(rows_outside(f, "deputy_matters", "110118"), 0);
}


/* ---- deadline warnings ---------------------------------------------------------------- */

/* A running case of township 1 due on `due`, whose light turns yellow on `warn`. */
static int64_t
running_case(struct fx *f, const struct cases *w, int seq, bm_day due, bm_day warn)
{
    struct bm_case c = case_new(f, w, seq);

    c.st.status = BM_CASE_PROCESSING;
    c.st.stage = BM_STAGE_HANDLING;
    c.accept_day = due - 14;
    c.due_day = due;
    c.warn_day = warn;
    return add_case(f, &c, T0);
}

static void
test_case_warnings(void **state)
{
    struct fx *f = *state;
    struct cases w;
    struct bm_case *cs, got, done;
    struct bm_case_query q;
    bm_day today = ymd(2024, 3, 11);
    int64_t on_track, yellow, red, old, closed;
    bool claimed = false;
    size_t n = 99;

    cases_fixture(f, &w);
    on_track = running_case(f, &w, 1, today + 10, today + 6);
    yellow = running_case(f, &w, 2, today + 2, today);
    red = running_case(f, &w, 3, today - 1, today - 3);
    old = running_case(f, &w, 4, today + 1, BM_DAY_NONE); /* accepted before schema 5 */
    done = case_new(f, &w, 5);
    done.st.status = BM_CASE_COMPLETED;
    done.accept_day = today - 20;
    done.due_day = today - 5;
    done.warn_day = today - 7;
    closed = add_case(f, &done, T0);

    got = get_case(f, case_number(f, "110118100000", 20240105, 2));
    assert_int_equal(got.warn_day, today);
    assert_int_equal(got.warned_level, 0);
    assert_int_equal(got.warned_due, BM_DAY_NONE);

    /* The job's candidates: in warning and not yet warned, and those without a warn day. */
    EXPECT_OK(f, bm_store_cases_to_warn(f->st, today, 0, 10, f->a, &cs, &n, &f->err));
    assert_int_equal(n, 3);
    assert_int_equal(cs[0].id, yellow);
    assert_int_equal(cs[1].id, red);
    assert_int_equal(cs[2].id, old);
    /* Pages by id. */
    EXPECT_OK(f, bm_store_cases_to_warn(f->st, today, yellow, 1, f->a, &cs, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(cs[0].id, red);

    /* A claim succeeds once per level and due day; a stale due day claims nothing. */
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_case_mark_warned(f->st, yellow, 1, today + 2, &claimed, &f->err));
    assert_true(claimed);
    EXPECT_OK(f, bm_store_case_mark_warned(f->st, yellow, 1, today + 2, &claimed, &f->err));
    assert_false(claimed);
    EXPECT_OK(f, bm_store_case_mark_warned(f->st, red, 1, today + 5, &claimed, &f->err));
    assert_false(claimed);
    EXPECT_OK(f, bm_store_case_mark_warned(f->st, red, 2, today - 1, &claimed, &f->err));
    assert_true(claimed);
    EXPECT_OK(f, bm_store_case_mark_warned(f->st, closed, 2, today - 5, &claimed, &f->err));
    assert_false(claimed); /* not running */
    EXPECT_OK(f, bm_store_case_set_warn_day(f->st, old, today - 1, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));

    /* Neither the marks nor the warn day changed the versions. */
    got = get_case(f, case_number(f, "110118100000", 20240105, 2));
    assert_int_equal(got.version, 1);
    assert_int_equal(got.warned_level, 1);
    assert_int_equal(got.warned_due, today + 2);
    EXPECT_OK(f, bm_store_cases_to_warn(f->st, today, 0, 10, f->a, &cs, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(cs[0].id, old);
    /* The yellow case turns red after its due day: due again, for level 2. */
    EXPECT_OK(f, bm_store_cases_to_warn(f->st, today + 3, 0, 10, f->a, &cs, &n, &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(cs[0].id, yellow);

    /* A moved deadline (an extension) makes the case due for warnings again. */
    got = get_case(f, case_number(f, "110118100000", 20240105, 2));
    got.due_day = today + 7;
    got.warn_day = today + 5;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_case_update(f->st, &got, T0 + 50, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_cases_to_warn(f->st, today + 5, 0, 10, f->a, &cs, &n, &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(cs[0].id, yellow);
    assert_int_equal(cs[0].warn_day, today + 5);

    /* The warnings list: running cases with warn_day <= the day, by deadline. */
    memset(&q, 0, sizeof(q));
    q.open_only = true;
    q.by_due = true;
    q.due_before = BM_DAY_NONE;
    q.after_due = BM_DAY_NONE;
    q.warn_before = today;
    q.scope_prefix = w.county_path;
    q.limit = 10;
    EXPECT_OK(f, bm_store_cases_list(f->st, &q, f->a, &cs, &n, &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(cs[0].id, red);
    assert_int_equal(cs[1].id, old);
    q.warn_before = today + 6;
    EXPECT_OK(f, bm_store_cases_list(f->st, &q, f->a, &cs, &n, &f->err));
    assert_int_equal(n, 4);
    assert_int_equal(cs[3].id, on_track);
    /* Other townships see none of them. */
    q.scope_prefix = w.t2_path;
    EXPECT_OK(f, bm_store_cases_list(f->st, &q, f->a, &cs, &n, &f->err));
    assert_int_equal(n, 0);
}


/* ---- supervision records ------------------------------------------------------------- */

static void
test_supervision_records_store(void **state)
{
    struct fx *f = *state;
    struct cases w;
    struct bm_case c = {0};
    struct bm_sup_record r, got, *l;
    struct bm_sup_query q = {.kind = -1, .status = -1, .limit = 10};
    int64_t case_id, id1 = 0, id2 = 0;
    size_t n = 99;

    cases_fixture(f, &w);
    c = case_new(f, &w, 1);
    case_id = add_case(f, &c, T0);
    memset(&r, 0, sizeof(r));
    r.kind = BM_SUP_YELLOW_CARD;
    r.rule = BM_SUP_RULE_OVERDUE;
    r.status = BM_SUP_OPEN;
    r.case_id = case_id;
    r.unit_id = w.office1;
    r.officer_id = w.handler;
    r.reason = "超过承诺办结期限";
    r.issued_at = T0;
    r.answer_due_day = ymd(2024, 1, 9);
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_sup_insert(f->st, &r, &id1, &f->err));
    r.kind = BM_SUP_NOTICE;
    r.rule = BM_SUP_RULE_MANUAL;
    r.case_id = 0;
    r.officer_id = 0;
    r.unit_id = w.dept;
    r.issued_by = w.clerk;
    r.reason = "请答复";
    EXPECT_OK(f, bm_store_sup_insert(f->st, &r, &id2, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));

    EXPECT_OK(f, bm_store_sup_get(f->st, id1, f->a, &got, &f->err));
    assert_int_equal(got.kind, BM_SUP_YELLOW_CARD);
    assert_int_equal(got.rule, BM_SUP_RULE_OVERDUE);
    assert_int_equal(got.status, BM_SUP_OPEN);
    assert_string_equal(got.county_code, "110118");
    assert_string_equal(got.case_no, c.case_no);
    assert_string_equal(got.unit_name, "溪翁庄镇社会保障事务所");
    assert_string_equal(got.unit_path, w.office1_path);
    assert_string_equal(got.officer_name, "李承办");
    assert_int_equal(got.answer_due_day, ymd(2024, 1, 9));
    assert_int_equal(got.version, 1);
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_sup_get(f->st, id2 + 100, f->a, &got, &f->err));

    /* Lists: newest first, by scope, case, kind and status. */
    EXPECT_OK(f, bm_store_sup_list(f->st, &q, f->a, &l, &n, &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(l[0].id, id2);
    q.scope_prefix = w.t1_path;
    EXPECT_OK(f, bm_store_sup_list(f->st, &q, f->a, &l, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(l[0].id, id1);
    q.scope_prefix = NULL;
    q.case_id = case_id;
    EXPECT_OK(f, bm_store_sup_list(f->st, &q, f->a, &l, &n, &f->err));
    assert_int_equal(n, 1);
    q.case_id = 0;
    q.kind = BM_SUP_NOTICE;
    EXPECT_OK(f, bm_store_sup_list(f->st, &q, f->a, &l, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(l[0].id, id2);
    q.kind = -1;
    q.status = BM_SUP_CLOSED;
    EXPECT_OK(f, bm_store_sup_list(f->st, &q, f->a, &l, &n, &f->err));
    assert_int_equal(n, 0);
    q.status = -1;
    q.after_id = id2;
    q.limit = 1;
    EXPECT_OK(f, bm_store_sup_list(f->st, &q, f->a, &l, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(l[0].id, id1);

    /* Updates check the version. */
    EXPECT_OK(f, bm_store_sup_get(f->st, id1, f->a, &got, &f->err));
    got.status = BM_SUP_ANSWERED;
    got.answer = "专家意见延迟";
    got.answered_by = w.handler;
    got.answered_at = T0 + 5;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_sup_update(f->st, &got, &f->err));
    EXPECT_RC(f, BM_ESTALE, bm_store_sup_update(f->st, &got, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_sup_get(f->st, id1, f->a, &got, &f->err));
    assert_int_equal(got.status, BM_SUP_ANSWERED);
    assert_string_equal(got.answer, "专家意见延迟");
    assert_int_equal(got.answered_at, T0 + 5);
    assert_int_equal(got.version, 2);
}

/* ---- disclosure (政务公开 / 村务公开) ---- */

struct pubs {
    int64_t county, town, other_town, village, admin;
};

static void
pubs_fixture(struct fx *f, struct pubs *w)
{
    w->county = add_org(f, 0, BM_ORG_COUNTY, "北京市密云区", "110118");
    w->town = add_org(f, w->county, BM_ORG_TOWNSHIP, "西田各庄镇", "110118102000");
    w->other_town = add_org(f, w->county, BM_ORG_TOWNSHIP, "溪翁庄镇", "110118101000");
    w->village = add_org(f, w->town, BM_ORG_VILLAGE, "西田各庄村民委员会", "110118102200");
    w->admin = add_user(f, "pub_admin", BM_ROLE_TOWNSHIP_ADMIN, w->town);
}

static int64_t
add_pub(struct fx *f, int64_t unit, const char *category, const char *title, int status,
        int64_t publish_at, int64_t withdraw_at, int64_t by)
{
    struct bm_publication p = {
        .unit_id = unit, .category = category, .title = title, .body = "正文\n第二行",
        .status = BM_PUB_S_DRAFT, .publish_at = publish_at, .withdraw_at = withdraw_at,
        .created_by = by, .created_at = T0,
    };
    int64_t id = 0;

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_pub_insert(f->st, &p, &id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    assert_true(id > 0);
    if (status != BM_PUB_S_DRAFT) {
        struct bm_publication q;
        EXPECT_OK(f, bm_store_pub_get(f->st, id, f->a, &q, &f->err));
        q.status = status;
        q.released_at = T0;
        q.released_by = by;
        if (status == BM_PUB_S_WITHDRAWN) {
            q.withdrawn_at = T0 + 1;
            q.withdrawn_by = by;
            q.withdraw_reason = "内容有误";
        }
        q.updated_by = by;
        q.updated_at = T0 + 1;
        EXPECT_OK(f, bm_store_begin(f->st, &f->err));
        EXPECT_OK(f, bm_store_pub_update(f->st, &q, &f->err));
        EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    }
    return id;
}

static void
test_pub_insert_get_update(void **state)
{
    struct fx *f = *state;
    struct pubs w;
    struct bm_publication p, q;
    int64_t id;

    pubs_fixture(f, &w);
    id = add_pub(f, w.village, "village_finances", "2026年1月<财务>&收支", BM_PUB_S_DRAFT,
                 T0 + 3600, T0 + 7200, w.admin);
    EXPECT_OK(f, bm_store_pub_get(f->st, id, f->a, &p, &f->err));
    assert_int_equal(p.id, id);
    assert_int_equal(p.unit_id, w.village);
    assert_string_equal(p.county_code, "110118");
    assert_string_equal(p.unit_name, "西田各庄村民委员会");
    assert_int_equal(p.unit_kind, BM_ORG_VILLAGE);
    assert_string_equal(p.unit_path, mkpath(f, 3, w.county, w.town, w.village));
    /* A village's township is its parent. */
    assert_int_equal(p.township_id, w.town);
    assert_string_equal(p.township_name, "西田各庄镇");
    assert_string_equal(p.category, "village_finances");
    assert_string_equal(p.title, "2026年1月<财务>&收支");
    assert_string_equal(p.body, "正文\n第二行");
    assert_int_equal(p.status, BM_PUB_S_DRAFT);
    assert_int_equal(p.publish_at, T0 + 3600);
    assert_int_equal(p.withdraw_at, T0 + 7200);
    assert_int_equal(p.created_by, w.admin);
    assert_string_equal(p.created_by_name, "测试用户");
    assert_string_equal(p.released_by_name, "");
    assert_int_equal(p.version, 1);
    assert_int_equal(p.created_at, T0);

    /* Release it: every mutable field written, the version bumped. */
    q = p;
    q.title = "新标题";
    q.category = "collective_assets";
    q.body = "";
    q.status = BM_PUB_S_RELEASED;
    q.publish_at = T0 + 60;
    q.withdraw_at = 0;
    q.released_at = T0 + 10;
    q.released_by = w.admin;
    q.updated_by = w.admin;
    q.updated_at = T0 + 10;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_pub_update(f->st, &q, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_pub_get(f->st, id, f->a, &p, &f->err));
    assert_string_equal(p.title, "新标题");
    assert_string_equal(p.category, "collective_assets");
    assert_string_equal(p.body, "");
    assert_int_equal(p.status, BM_PUB_S_RELEASED);
    assert_int_equal(p.publish_at, T0 + 60);
    assert_int_equal(p.withdraw_at, 0);
    assert_int_equal(p.released_at, T0 + 10);
    assert_int_equal(p.released_by, w.admin);
    assert_string_equal(p.released_by_name, "测试用户");
    assert_int_equal(p.version, 2);
    assert_int_equal(p.updated_at, T0 + 10);

    /* A stale version changes nothing; an unknown id is not found. */
    q.title = "不该写入";
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ESTALE, bm_store_pub_update(f->st, &q, &f->err));
    bm_store_rollback(f->st);
    q.id = id + 100;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_pub_update(f->st, &q, &f->err));
    bm_store_rollback(f->st);
    EXPECT_OK(f, bm_store_pub_get(f->st, id, f->a, &p, &f->err));
    assert_string_equal(p.title, "新标题");
    assert_int_equal(p.version, 2);
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_pub_get(f->st, id + 100, f->a, &p, &f->err));

    /* A township's own publication is its own township. */
    id = add_pub(f, w.town, "budget", "预算", BM_PUB_S_DRAFT, 0, 0, w.admin);
    EXPECT_OK(f, bm_store_pub_get(f->st, id, f->a, &p, &f->err));
    assert_int_equal(p.township_id, w.town);
    assert_int_equal(p.unit_kind, BM_ORG_TOWNSHIP);
}

static size_t
pub_ids(struct fx *f, const struct bm_pub_query *q, int64_t *ids, size_t max)
{
    struct bm_publication *ps;
    size_t n = 0;

    EXPECT_OK(f, bm_store_pubs_list(f->st, q, f->a, &ps, &n, &f->err));
    assert_true(n <= max);
    for (size_t i = 0; i < n; i++)
        ids[i] = ps[i].id;
    return n;
}

static void
test_pubs_list_window_and_filters(void **state)
{
    struct fx *f = *state;
    struct pubs w;
    struct bm_pub_query q = {.path_prefix = "", .category = "", .limit = 20};
    int64_t ids[32], draft, now_pub, later, expired, withdrawn, village, other, windowed;
    size_t n;

    pubs_fixture(f, &w);
    draft = add_pub(f, w.town, "budget", "草稿", BM_PUB_S_DRAFT, T0 - 100, 0, w.admin);
    now_pub = add_pub(f, w.town, "budget", "已发布", BM_PUB_S_RELEASED, T0 - 100, 0, w.admin);
    later = add_pub(f, w.town, "statistics", "待发布", BM_PUB_S_RELEASED, T0 + 100, 0, w.admin);
    expired = add_pub(f, w.town, "budget", "已过期", BM_PUB_S_RELEASED, T0 - 200, T0 - 1, w.admin);
    withdrawn = add_pub(f, w.town, "budget", "已撤下", BM_PUB_S_WITHDRAWN, T0 - 100, 0, w.admin);
    village = add_pub(f, w.village, "village_finances", "村财务", BM_PUB_S_RELEASED, T0 - 50, 0,
                      w.admin);
    other = add_pub(f, w.other_town, "budget", "溪翁庄镇预算", BM_PUB_S_RELEASED, T0 - 50, 0,
                    w.admin);
    windowed = add_pub(f, w.town, "budget", "限时", BM_PUB_S_RELEASED, T0, T0 + 50, w.admin);

    /* Everything, newest first. */
    n = pub_ids(f, &q, ids, 32);
    assert_int_equal(n, 8);
    assert_int_equal(ids[0], windowed);
    assert_int_equal(ids[7], draft);

    /* What the public sees at T0: released, publish_at <= now < withdraw_at. */
    q.visible_only = true;
    q.now = T0;
    n = pub_ids(f, &q, ids, 32);
    assert_int_equal(n, 4);
    assert_int_equal(ids[0], windowed);
    assert_int_equal(ids[1], other);
    assert_int_equal(ids[2], village);
    assert_int_equal(ids[3], now_pub);
    /* Later: the scheduled one appears, the windowed one is gone at its withdraw_at. */
    q.now = T0 + 100;
    n = pub_ids(f, &q, ids, 32);
    assert_int_equal(n, 4);
    assert_int_equal(ids[0], other);
    assert_int_equal(ids[2], later);
    q.now = T0 + 49;
    n = pub_ids(f, &q, ids, 32);
    assert_int_equal(ids[0], windowed);
    (void)expired;
    (void)withdrawn;

    /* One township with its villages; one unit; one category. */
    q.now = T0;
    q.path_prefix = mkpath(f, 2, w.county, w.town);
    n = pub_ids(f, &q, ids, 32);
    assert_int_equal(n, 3);
    assert_int_equal(ids[1], village);
    q.unit_id = w.village;
    n = pub_ids(f, &q, ids, 32);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], village);
    q.unit_id = 0;
    q.category = "village_finances";
    n = pub_ids(f, &q, ids, 32);
    assert_int_equal(n, 1);
    q.category = "";

    /* Keyset pages: limit + 1 rows tell a next page; before_id continues it. */
    q.path_prefix = "";
    q.visible_only = false;
    q.limit = 3;
    n = pub_ids(f, &q, ids, 32);
    assert_int_equal(n, 4);
    q.before_id = ids[2];
    n = pub_ids(f, &q, ids, 32);
    assert_int_equal(n, 4);
    assert_true(ids[0] < q.before_id);
    q.before_id = draft + 1;
    n = pub_ids(f, &q, ids, 32);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], draft);
    /* A prefix with LIKE characters matches literally. */
    q.before_id = 0;
    q.path_prefix = "/%/";
    assert_int_equal(pub_ids(f, &q, ids, 32), 0);
}

static void
test_pub_files_and_events(void **state)
{
    struct fx *f = *state;
    struct pubs w;
    struct bm_pub_file pf = {0}, got, *fs;
    struct bm_pub_event e = {0}, *es;
    struct bm_attachment at = {0};
    struct cases cw;
    struct bm_case c;
    void *content = NULL;
    int64_t pub, pub2, fid, fid2, case_id;
    size_t n = 0;

    cases_fixture(f, &cw);
    w.county = cw.county;
    w.town = cw.t1;
    w.village = add_org(f, w.town, BM_ORG_VILLAGE, "溪翁庄村民委员会", "110118100200");
    w.admin = add_user(f, "pub_admin", BM_ROLE_TOWNSHIP_ADMIN, w.town);
    pub = add_pub(f, w.village, "village_projects", "村道硬化工程", BM_PUB_S_DRAFT, 0, 0, w.admin);
    pub2 = add_pub(f, w.town, "budget", "预算", BM_PUB_S_DRAFT, 0, 0, w.admin);

    /* A case scan with the same bytes: the content is stored once. */
    c = case_new(f, &cw, 1);
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_case_insert(f->st, &c, T0, &case_id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    at.case_id = case_id;
    at.material_ord = -1;
    hash32(at.sha256, 9);
    at.content_type = "application/pdf";
    at.filename = "scan.pdf";
    at.size = 8;
    at.uploaded_by = cw.clerk;
    at.created_at = T0;
    add_attachment(f, &at, "%PDF-1.4");

    pf.publication_id = pub;
    memcpy(pf.sha256, at.sha256, 32);
    pf.content_type = "application/pdf";
    pf.filename = "工程预算.pdf";
    pf.size = 8;
    pf.uploaded_by = w.admin;
    pf.created_at = T0 + 5;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_pub_file_insert(f->st, &pf, "%PDF-1.4", &fid, &f->err));
    hash32(pf.sha256, 10);
    pf.content_type = "image/png";
    pf.filename = "现场.png";
    pf.size = 4;
    EXPECT_OK(f, bm_store_pub_file_insert(f->st, &pf, "\x89PNG", &fid2, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    assert_int_equal(backend_count(f, "SELECT count(*) FROM blobs"), 2);

    EXPECT_OK(f, bm_store_pub_files(f->st, pub, f->a, &fs, &n, &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(fs[0].id, fid);
    assert_string_equal(fs[0].filename, "工程预算.pdf");
    assert_memory_equal(fs[0].sha256, at.sha256, 32);
    assert_string_equal(fs[1].content_type, "image/png");
    assert_int_equal(fs[1].size, 4);
    assert_int_equal(fs[1].created_at, T0 + 5);
    EXPECT_OK(f, bm_store_pub_files(f->st, pub2, f->a, &fs, &n, &f->err));
    assert_int_equal(n, 0);

    EXPECT_OK(f, bm_store_pub_file_get(f->st, pub, fid2, f->a, &got, &content, &f->err));
    assert_int_equal(got.size, 4);
    assert_memory_equal(content, "\x89PNG", 4);
    assert_string_equal(got.filename, "现场.png");
    free(content);
    content = NULL;
    /* Another publication's file is not found through this one. */
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_pub_file_get(f->st, pub2, fid2, f->a, &got, &content,
                                                     &f->err));
    assert_null(content);

    e.publication_id = pub;
    e.at = T0;
    e.actor_id = w.admin;
    e.actor_name = "赵敏";
    e.action = "create";
    e.detail = "{\"title\":\"村道硬化工程\"}";
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_pub_event_insert(f->st, &e, &f->err));
    e.at = T0 + 9;
    e.action = "publish";
    e.detail = "{}";
    EXPECT_OK(f, bm_store_pub_event_insert(f->st, &e, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_pub_events(f->st, pub, f->a, &es, &n, &f->err));
    assert_int_equal(n, 2);
    assert_string_equal(es[0].action, "create");
    assert_string_equal(es[0].actor_name, "赵敏");
    assert_string_equal(es[0].detail, "{\"title\":\"村道硬化工程\"}");
    assert_int_equal(es[1].at, T0 + 9);
    assert_int_equal(es[1].actor_id, w.admin);
    EXPECT_OK(f, bm_store_pub_events(f->st, pub2, f->a, &es, &n, &f->err));
    assert_int_equal(n, 0);

    /* Every disclosure row carries the county of its unit. */
    assert_int_equal(rows_outside(f, "publications", "110118"), 0);
    assert_int_equal(rows_outside(f, "publication_files", "110118"), 0);
    assert_int_equal(rows_outside(f, "publication_events", "110118"), 0);
}

/* ---- demands ---- */

static struct bm_demand
demand_new(const char *no, const char *hotline, int64_t intake)
{
    struct bm_demand d;
    memset(&d, 0, sizeof(d));
    d.ticket_no = no;
    d.query_code = "482913";
    d.category = "complaint";
    d.urgency = "normal";
    d.channel = intake ? "window" : "online";
    d.hotline_no = hotline;
    d.content = "村口路灯坏了一个多月。";
    d.location = "溪翁庄村";
    d.contact_masked = "王*华";
    d.phone_masked = "139****2222";
    d.contact_enc = sealed_applicant;
    d.contact_enc_len = sizeof(sealed_applicant);
    d.status = "submitted";
    d.intake_unit_id = intake;
    d.reply = d.satisfaction = d.merged_into = "";
    d.resolved = -1;
    d.submitted_at = T0;
    return d;
}

static void
test_demand_insert_get_seq(void **state)
{
    struct fx *f = *state;
    struct cases w;
    struct bm_demand d, got;
    int64_t id1, id2, id3;
    int s1 = 0, s2 = 0, s3 = 0;

    cases_fixture(f, &w);
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_demand_next_seq(f->st, "110118", 20261205, &s1, &f->err));
    EXPECT_OK(f, bm_store_demand_next_seq(f->st, "110118", 20261205, &s2, &f->err));
    EXPECT_OK(f, bm_store_demand_next_seq(f->st, "110118", 20261206, &s3, &f->err));
    assert_int_equal(s1, 1);
    assert_int_equal(s2, 2);
    assert_int_equal(s3, 1);
    EXPECT_OK(f, bm_store_demand_next_seq(f->st, "110228", 20261205, &s3, &f->err));
    assert_int_equal(s3, 1);
    d = demand_new("D110118202612050001", "", w.t1);
    EXPECT_OK(f, bm_store_demand_insert(f->st, &d, T0, &id1, &f->err));
    d = demand_new("D110118202612050002", "12345-0001", 0);
    d.is_anonymous = true;
    d.contact_enc_len = 0;
    d.contact_masked = d.phone_masked = "";
    EXPECT_OK(f, bm_store_demand_insert(f->st, &d, T0 + 1, &id2, &f->err));
    /* Several orders without a hotline number are fine. */
    d = demand_new("D110118202612050003", "", 0);
    EXPECT_OK(f, bm_store_demand_insert(f->st, &d, T0 + 2, &id3, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    assert_true(id1 > 0 && id1 < id2 && id2 < id3);

    EXPECT_OK(f, bm_store_demand_get(f->st, "D110118202612050001", f->a, &got, &f->err));
    assert_int_equal(got.id, id1);
    assert_string_equal(got.county_code, "110118");
    assert_string_equal(got.query_code, "482913");
    assert_string_equal(got.category, "complaint");
    assert_string_equal(got.channel, "window");
    assert_string_equal(got.content, "村口路灯坏了一个多月。");
    assert_string_equal(got.location, "溪翁庄村");
    assert_string_equal(got.contact_masked, "王*华");
    assert_string_equal(got.phone_masked, "139****2222");
    assert_int_equal(got.contact_enc_len, sizeof(sealed_applicant));
    assert_memory_equal(got.contact_enc, sealed_applicant, sizeof(sealed_applicant));
    assert_int_equal(got.intake_unit_id, w.t1);
    assert_string_equal(got.intake_path, w.t1_path);
    assert_int_equal(got.unit_id, 0);
    assert_string_equal(got.unit_path, "");
    assert_int_equal(got.resolved, -1);
    assert_int_equal(got.version, 1);
    assert_int_equal(got.created_at, T0);
    assert_false(got.is_anonymous);

    /* No intake unit: the store's county. */
    EXPECT_OK(f, bm_store_demand_get(f->st, "D110118202612050002", f->a, &got, &f->err));
    assert_string_equal(got.county_code, "110118");
    assert_true(got.is_anonymous);
    assert_int_equal(got.contact_enc_len, 0);
    assert_string_equal(got.hotline_no, "12345-0001");

    /* A ticket or hotline number twice is a conflict; nothing of the transaction stays. */
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    d = demand_new("D110118202612050001", "", 0);
    EXPECT_RC(f, BM_ECONFLICT, bm_store_demand_insert(f->st, &d, T0, &id3, &f->err));
    bm_store_rollback(f->st);
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    d = demand_new("D110118202612050009", "12345-0001", 0);
    EXPECT_RC(f, BM_ECONFLICT, bm_store_demand_insert(f->st, &d, T0, &id3, &f->err));
    bm_store_rollback(f->st);
    EXPECT_RC(f, BM_ENOTFOUND,
              bm_store_demand_get(f->st, "D110118202612050009", f->a, &got, &f->err));
}

static void
test_demand_update_list_events(void **state)
{
    struct fx *f = *state;
    struct cases w;
    struct bm_demand d, got, *ds;
    struct bm_demand_event e = {0}, *es;
    struct bm_demand_query q;
    int64_t ids[4];
    size_t n;
    static const char *const nos[] = {"D110118202612050001", "D110118202612050002",
                                      "D110118202612050003", "D110118202612050004"};

    cases_fixture(f, &w);
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    for (int i = 0; i < 4; i++) {
        d = demand_new(nos[i], i == 3 ? "12345-7" : "", i == 2 ? w.t2 : 0);
        d.category = i == 1 ? "consult" : "complaint";
        EXPECT_OK(f, bm_store_demand_insert(f->st, &d, T0 + i, &ids[i], &f->err));
    }
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));

    /* Dispatch the first to the office of t1, due at T0 + 100. */
    EXPECT_OK(f, bm_store_demand_get(f->st, nos[0], f->a, &got, &f->err));
    got.status = "dispatched";
    got.unit_id = w.office1;
    got.dispatched_at = T0 + 10;
    got.due_at = T0 + 100;
    got.urgency = "urgent";
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_demand_update(f->st, &got, T0 + 10, &f->err));
    e.demand_id = ids[0];
    e.at = T0 + 10;
    e.actor_id = w.handler;
    e.actor_name = "李承办";
    e.action = "dispatch";
    e.from_status = "submitted";
    e.to_status = "dispatched";
    e.note = "请核实";
    EXPECT_OK(f, bm_store_demand_event_insert(f->st, &e, &f->err));
    e.action = "accept";
    e.from_status = "dispatched";
    e.to_status = "accepted";
    e.note = "";
    e.at = T0 + 20;
    EXPECT_OK(f, bm_store_demand_event_insert(f->st, &e, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    /* The old version is stale now. */
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ESTALE, bm_store_demand_update(f->st, &got, T0 + 11, &f->err));
    bm_store_rollback(f->st);

    EXPECT_OK(f, bm_store_demand_get(f->st, nos[0], f->a, &got, &f->err));
    assert_string_equal(got.status, "dispatched");
    assert_string_equal(got.urgency, "urgent");
    assert_int_equal(got.unit_id, w.office1);
    assert_string_equal(got.unit_name, "溪翁庄镇社会保障事务所");
    assert_string_equal(got.unit_path, w.office1_path);
    assert_int_equal(got.due_at, T0 + 100);
    assert_int_equal(got.version, 2);
    assert_int_equal(got.updated_at, T0 + 10);
    EXPECT_OK(f, bm_store_demand_events(f->st, ids[0], f->a, &es, &n, &f->err));
    assert_int_equal(n, 2);
    assert_string_equal(es[0].action, "dispatch");
    assert_string_equal(es[0].note, "请核实");
    assert_string_equal(es[0].actor_name, "李承办");
    assert_int_equal(es[0].actor_id, w.handler);
    assert_string_equal(es[1].to_status, "accepted");
    assert_int_equal(es[1].at, T0 + 20);
    EXPECT_OK(f, bm_store_demand_events(f->st, ids[1], f->a, &es, &n, &f->err));
    assert_int_equal(n, 0);

    /* Filters. */
    memset(&q, 0, sizeof(q));
    q.limit = 10;
    EXPECT_OK(f, bm_store_demands_list(f->st, &q, f->a, &ds, &n, &f->err));
    assert_int_equal(n, 4);
    assert_int_equal(ds[0].id, ids[3]); /* newest first */
    q.county_code = "110118";
    EXPECT_OK(f, bm_store_demands_list(f->st, &q, f->a, &ds, &n, &f->err));
    assert_int_equal(n, 4);
    q.county_code = "110228";
    EXPECT_OK(f, bm_store_demands_list(f->st, &q, f->a, &ds, &n, &f->err));
    assert_int_equal(n, 0);
    q.county_code = NULL;
    q.scope_prefix = w.t1_path; /* assigned under t1 */
    EXPECT_OK(f, bm_store_demands_list(f->st, &q, f->a, &ds, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(ds[0].id, ids[0]);
    q.scope_prefix = w.t2_path; /* filed at t2 */
    EXPECT_OK(f, bm_store_demands_list(f->st, &q, f->a, &ds, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(ds[0].id, ids[2]);
    q.scope_prefix = NULL;
    q.status = "submitted";
    EXPECT_OK(f, bm_store_demands_list(f->st, &q, f->a, &ds, &n, &f->err));
    assert_int_equal(n, 3);
    q.category = "consult";
    EXPECT_OK(f, bm_store_demands_list(f->st, &q, f->a, &ds, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(ds[0].id, ids[1]);
    memset(&q, 0, sizeof(q));
    q.limit = 10;
    q.hotline_no = "12345-7";
    EXPECT_OK(f, bm_store_demands_list(f->st, &q, f->a, &ds, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(ds[0].id, ids[3]);
    q.hotline_no = NULL;
    q.unit_id = w.office1;
    EXPECT_OK(f, bm_store_demands_list(f->st, &q, f->a, &ds, &n, &f->err));
    assert_int_equal(n, 1);
    q.unit_id = 0;
    q.overdue_at = T0 + 100; /* due at T0 + 100: not yet overdue */
    EXPECT_OK(f, bm_store_demands_list(f->st, &q, f->a, &ds, &n, &f->err));
    assert_int_equal(n, 0);
    q.overdue_at = T0 + 101;
    EXPECT_OK(f, bm_store_demands_list(f->st, &q, f->a, &ds, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(ds[0].id, ids[0]);
    /* Pages: limit + 1 rows tell a next page; the cursor is the last id. */
    memset(&q, 0, sizeof(q));
    q.limit = 2;
    EXPECT_OK(f, bm_store_demands_list(f->st, &q, f->a, &ds, &n, &f->err));
    assert_int_equal(n, 3);
    q.after_id = ds[1].id;
    EXPECT_OK(f, bm_store_demands_list(f->st, &q, f->a, &ds, &n, &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(ds[0].id, ids[1]);
    assert_int_equal(ds[1].id, ids[0]);
}

/* ---- ratings (好差评) and rectification of bad ratings ---- */

static int64_t
add_rating(struct fx *f, const struct bm_rating *r)
{
    int64_t id = 0;

    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_rating_insert(f->st, r, &id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    assert_true(id > 0);
    return id;
}

static struct bm_rating
rating_new(int64_t case_id, const struct cases *w, int level, const char *reasons, int64_t at)
{
    struct bm_rating r = {
        .case_id = case_id,
        .item_id = w->item,
        .accepting_unit_id = w->t1,
        .handling_unit_id = w->office1,
        .channel = "online",
        .level = level,
        .reasons = reasons,
        .comment = "",
        .created_at = at,
    };
    return r;
}

/* ---- case statistics (summary table) ---- */

/* Noon, China Standard Time, of day d. */
#define T_OF(d) ((int64_t)(d) * 86400 + 4 * 3600)

/* The summary row sums of a period grouped by `dim`, summarised; returns the group count. */
static size_t
stats_groups(struct fx *f, enum bm_stat_dim dim, bm_day from, bm_day to, int64_t unit,
             struct bm_stat_group *out, size_t max)
{
    struct bm_stats_query q = {.county_code = "110118", .dim = dim, .from = from, .to = to,
                               .unit_id = unit};
    struct bm_stat_row *rows;
    size_t n = 0, groups;

    EXPECT_OK(f, bm_store_stats_query(f->st, &q, f->a, &rows, &n, &f->err));
    assert_true(n <= max * 40);
    {
        struct bm_stat_group *all = bm_arena_alloc(f->a, (n + 1) * sizeof(*all));
        groups = bm_stat_summarize(rows, n, all);
        assert_true(groups <= max);
        memcpy(out, all, groups * sizeof(*all));
    }
    return groups;
}

static void
expect_stats_agree(struct fx *f, int64_t cases)
{
    struct bm_stats_check ch;

    EXPECT_OK(f, bm_store_stats_verify(f->st, &ch, &f->err));
    assert_string_equal(ch.first, "");
    assert_int_equal(ch.mismatched, 0);
    assert_int_equal(ch.cases, cases);
}

static void
test_case_stats(void **state)
{
    struct fx *f = *state;
    struct cases w;
    struct bm_case c, got;
    struct bm_stat_group g[8];
    struct bm_rating r;
    bm_day d1 = ymd(2024, 1, 8), d2 = ymd(2024, 2, 5);
    int64_t ids[4], rebuilt = 0;
    size_t n;

    cases_fixture(f, &w);
    /* 1: accepted at township 1 on d1, handled by its office, done early, delivered. */
    c = case_new(f, &w, 1);
    c.submitted_at = T_OF(d1);
    c.st.status = BM_CASE_DELIVERED;
    c.st.decision = BM_DECISION_APPROVED;
    c.accept_day = d1;
    c.due_day = d1 + 7;
    c.decided_at = T_OF(d1 + 2);
    c.used_days = 2;
    c.closed_at = T_OF(d1 + 3);
    c.visits = 1;
    ids[0] = add_case(f, &c, T0);
    /* 2: online, accepted on d1 at township 1, still running. */
    c = case_new(f, &w, 2);
    c.is_online = true;
    c.submitted_at = T_OF(d1);
    c.st.status = BM_CASE_PROCESSING;
    c.st.stage = BM_STAGE_HANDLING;
    c.accept_day = d1;
    c.due_day = d1 + 7;
    ids[1] = add_case(f, &c, T0);
    /* 3: refused at township 2 in February. */
    c = case_new(f, &w, 3);
    c.accepting_unit_id = w.t2;
    c.submitted_at = T_OF(d2);
    c.st.status = BM_CASE_REJECTED;
    c.closed_at = T_OF(d2);
    ids[2] = add_case(f, &c, T0);
    /* 4: a draft: counts nowhere. */
    c = case_new(f, &w, 4);
    c.st.status = BM_CASE_DRAFT;
    ids[3] = add_case(f, &c, T0);
    expect_stats_agree(f, 4);

    /* By township for January: township 1 received 2 (1 online), accepted 2, completed 1. */
    n = stats_groups(f, BM_STAT_BY_TOWNSHIP, ymd(2024, 1, 1), ymd(2024, 1, 31), 0, g, 8);
    assert_int_equal(n, 1);
    assert_int_equal(g[0].key, w.t1);
    assert_string_equal(g[0].name, "溪翁庄镇");
    assert_int_equal(g[0].n[BM_STAT_RECEIVED], 2);
    assert_int_equal(g[0].n[BM_STAT_ONLINE], 1);
    assert_int_equal(g[0].n[BM_STAT_ACCEPTED], 2);
    assert_int_equal(g[0].n[BM_STAT_COMPLETED], 1);
    assert_int_equal(g[0].n[BM_STAT_EARLY], 1);
    assert_int_equal(g[0].n[BM_STAT_ONE_VISIT], 1);
    assert_int_equal(g[0].p90_days, 2);
    /* A period of ragged days reads day rows: only d1's received. */
    n = stats_groups(f, BM_STAT_BY_TOWNSHIP, d1, d1, 0, g, 8);
    assert_int_equal(n, 1);
    assert_int_equal(g[0].n[BM_STAT_RECEIVED], 2);
    assert_int_equal(g[0].n[BM_STAT_COMPLETED], 0);
    /* By month across both: two months; February has township 2's refusal. */
    n = stats_groups(f, BM_STAT_BY_MONTH, ymd(2024, 1, 1), ymd(2024, 2, 29), 0, g, 8);
    assert_int_equal(n, 2);
    assert_int_equal(g[1].key, ymd(2024, 2, 1));
    assert_int_equal(g[1].n[BM_STAT_REJECTED], 1);
    /* By item: the item's code; a unit filter keeps township 2's cases only. */
    n = stats_groups(f, BM_STAT_BY_ITEM, ymd(2024, 1, 1), ymd(2024, 2, 29), w.t2, g, 8);
    assert_int_equal(n, 1);
    assert_string_equal(g[0].code, "SB-001");
    assert_int_equal(g[0].n[BM_STAT_RECEIVED], 1);
    assert_int_equal(g[0].n[BM_STAT_REJECTED], 1);

    /* Case 2 transferred to the county department, then decided late: its rows move. */
    got = get_case(f, case_number(f, "110118100000", 20240105, 2));
    got.handling_unit_id = w.dept;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_case_update(f->st, &got, T0 + 10, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    got = get_case(f, case_number(f, "110118100000", 20240105, 2));
    got.st.status = BM_CASE_COMPLETED;
    got.st.decision = BM_DECISION_DENIED;
    got.decided_at = T_OF(d1 + 9);
    got.used_days = 7;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_case_update(f->st, &got, T0 + 20, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    /* A rating of case 1 (bad) counts for its day. */
    r = rating_new(ids[0], &w, 2, "办理时间长", T_OF(d1 + 4));
    (void)add_rating(f, &r);
    expect_stats_agree(f, 4);
    n = stats_groups(f, BM_STAT_BY_DEPARTMENT, ymd(2024, 1, 1), ymd(2024, 1, 31), 0, g, 8);
    assert_int_equal(n, 2);
    for (size_t i = 0; i < n; i++) {
        if (g[i].key == w.dept) {
            assert_int_equal(g[i].n[BM_STAT_ACCEPTED], 1);
            assert_int_equal(g[i].n[BM_STAT_OVERDUE], 1);
            assert_int_equal(g[i].p90_days, 7);
        } else {
            assert_int_equal(g[i].key, w.t1); /* the office belongs to township 1 */
            assert_int_equal(g[i].n[BM_STAT_ACCEPTED], 1);
            assert_int_equal(g[i].n[BM_STAT_RATED], 1);
            assert_int_equal(g[i].n[BM_STAT_BAD], 1);
        }
    }
    /* By channel. */
    n = stats_groups(f, BM_STAT_BY_CHANNEL, ymd(2024, 1, 1), ymd(2024, 1, 31), 0, g, 8);
    assert_int_equal(n, 2);
    assert_int_equal(g[0].key, 0);
    assert_int_equal(g[1].key, 1);
    assert_int_equal(g[1].n[BM_STAT_ONLINE], 1);

    /* A failed (stale) update changes nothing. */
    got.version = 1;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ESTALE, bm_store_case_update(f->st, &got, T0 + 30, &f->err));
    bm_store_rollback(f->st);
    expect_stats_agree(f, 4);

    /* Rebuilding gives the same table. */
    EXPECT_OK(f, bm_store_stats_rebuild(f->st, &rebuilt, &f->err));
    assert_int_equal(rebuilt, 4);
    expect_stats_agree(f, 4);
    n = stats_groups(f, BM_STAT_BY_MONTH, ymd(2024, 1, 1), ymd(2024, 2, 29), 0, g, 8);
    assert_int_equal(n, 2);
    assert_int_equal(g[0].n[BM_STAT_COMPLETED], 2);
    (void)ids;
}

static void
test_ratings_insert_get_list(void **state)
{
    struct fx *f = *state;
    struct cases w;
    struct bm_case c;
    struct bm_rating r, got, *l;
    struct bm_rating_query q = {0};
    int64_t k[4], r1, r2, r3, r2f, dup = 0;
    size_t n = 99;

    cases_fixture(f, &w);
    for (int i = 1; i <= 3; i++) {
        c = case_new(f, &w, i);
        if (i == 3)
            c.handling_unit_id = w.dept;
        k[i] = add_case(f, &c, T0);
    }
    r = rating_new(k[1], &w, 5, "", T0 + 100);
    r1 = add_rating(f, &r);
    r = rating_new(k[2], &w, 1, "slow,poor_attitude", T0 + 200);
    r.channel = "window_device";
    r.recorded_by = w.clerk;
    r.handler_id = w.handler;
    r.comment = "窗口人员态度生硬";
    r2 = add_rating(f, &r);
    r = rating_new(k[3], &w, 4, "", T0 + 300);
    r.handling_unit_id = w.dept;
    r3 = add_rating(f, &r);

    /* One rating per case: a second is a conflict and leaves nothing behind. */
    r = rating_new(k[1], &w, 1, "slow", T0 + 400);
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ECONFLICT, bm_store_rating_insert(f->st, &r, &dup, &f->err));
    assert_true(strlen(f->err.message) > 0);
    bm_store_rollback(f->st);
    /* One follow-up (追评) is appended; a second is refused too. */
    r = rating_new(k[2], &w, 3, "", T0 + 500);
    r.is_follow_up = true;
    r2f = add_rating(f, &r);
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ECONFLICT, bm_store_rating_insert(f->st, &r, &dup, &f->err));
    bm_store_rollback(f->st);

    EXPECT_OK(f, bm_store_rating_get(f->st, r2, f->a, &got, &f->err));
    assert_int_equal(got.case_id, k[2]);
    assert_string_equal(got.county_code, "110118");
    assert_false(got.is_follow_up);
    assert_int_equal(got.item_id, w.item);
    assert_int_equal(got.accepting_unit_id, w.t1);
    assert_int_equal(got.handling_unit_id, w.office1);
    assert_int_equal(got.handler_id, w.handler);
    assert_string_equal(got.channel, "window_device");
    assert_int_equal(got.level, 1);
    assert_string_equal(got.reasons, "slow,poor_attitude");
    assert_string_equal(got.comment, "窗口人员态度生硬");
    assert_false(got.is_default);
    assert_int_equal(got.recorded_by, w.clerk);
    assert_int_equal(got.created_at, T0 + 200);
    assert_string_equal(got.case_no, case_number(f, "110118100000", 20240105, 2));
    assert_string_equal(got.item_name, "城乡居民养老保险参保登记");
    assert_string_equal(got.handling_unit_name, "溪翁庄镇社会保障事务所");
    assert_string_equal(got.handling_path, w.office1_path);
    assert_string_equal(got.accepting_path, w.t1_path);
    assert_false(got.is_excluded);
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_rating_get(f->st, 99999, f->a, &got, &f->err));

    EXPECT_OK(f, bm_store_ratings_of_case(f->st, k[2], f->a, &l, &n, &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(l[0].id, r2);
    assert_int_equal(l[1].id, r2f);
    assert_true(l[1].is_follow_up);
    assert_int_equal(l[1].handler_id, 0);
    assert_int_equal(l[1].recorded_by, 0);
    EXPECT_OK(f, bm_store_ratings_of_case(f->st, 99999, f->a, &l, &n, &f->err));
    assert_int_equal(n, 0);

    /* Lists: newest first, by handling unit path, unit, level and time. */
    q.scope_prefix = "";
    q.limit = 10;
    EXPECT_OK(f, bm_store_ratings_list(f->st, &q, f->a, &l, &n, &f->err));
    assert_int_equal(n, 4);
    assert_int_equal(l[0].id, r2f);
    assert_int_equal(l[3].id, r1);
    /* The township sees what it handled and what its window accepted (case 3 too). */
    q.scope_prefix = w.t1_path;
    EXPECT_OK(f, bm_store_ratings_list(f->st, &q, f->a, &l, &n, &f->err));
    assert_int_equal(n, 4);
    q.scope_prefix = w.t2_path;
    EXPECT_OK(f, bm_store_ratings_list(f->st, &q, f->a, &l, &n, &f->err));
    assert_int_equal(n, 0);
    q.scope_prefix = w.dept_path;
    EXPECT_OK(f, bm_store_ratings_list(f->st, &q, f->a, &l, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(l[0].id, r3);
    q.scope_prefix = "";
    q.level = 1;
    EXPECT_OK(f, bm_store_ratings_list(f->st, &q, f->a, &l, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(l[0].id, r2);
    q.level = 0;
    q.handling_unit_id = w.dept;
    EXPECT_OK(f, bm_store_ratings_list(f->st, &q, f->a, &l, &n, &f->err));
    assert_int_equal(n, 1);
    q.handling_unit_id = 0;
    q.from = T0 + 200;
    q.to = T0 + 300;
    EXPECT_OK(f, bm_store_ratings_list(f->st, &q, f->a, &l, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(l[0].id, r2);
    /* Pages: limit + 1 rows tell that there is more; the cursor goes on below. */
    q.from = q.to = 0;
    q.limit = 2;
    EXPECT_OK(f, bm_store_ratings_list(f->st, &q, f->a, &l, &n, &f->err));
    assert_int_equal(n, 3);
    q.after_id = l[1].id;
    EXPECT_OK(f, bm_store_ratings_list(f->st, &q, f->a, &l, &n, &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(l[0].id, r2);
    assert_int_equal(l[1].id, r1);
}

static void
test_rating_counts_and_rectifications(void **state)
{
    struct fx *f = *state;
    struct cases w;
    struct bm_case c;
    struct bm_rating r;
    struct bm_rectification x = {0}, got, *l;
    struct bm_rect_query q = {0};
    int64_t k[5], counts[6], rid[5], xid = 0, xid2 = 0;
    static const int levels[5] = {0, 5, 3, 2, 1};
    size_t n = 99;

    cases_fixture(f, &w);
    for (int i = 1; i <= 4; i++) {
        c = case_new(f, &w, i);
        k[i] = add_case(f, &c, T0);
        r = rating_new(k[i], &w, levels[i], levels[i] <= 2 ? "slow" : "", T0 + 100 * i);
        rid[i] = add_rating(f, &r);
    }
    /* A follow-up is not a second opinion on the service: not counted. */
    r = rating_new(k[4], &w, 4, "", T0 + 900);
    r.is_follow_up = true;
    (void)add_rating(f, &r);

    EXPECT_OK(f, bm_store_rating_counts(f->st, "", 0, 0, counts, &f->err));
    assert_int_equal(counts[5], 1);
    assert_int_equal(counts[4], 0);
    assert_int_equal(counts[3], 1);
    assert_int_equal(counts[2], 1);
    assert_int_equal(counts[1], 1);
    EXPECT_OK(f, bm_store_rating_counts(f->st, w.t1_path, T0 + 200, T0 + 400, counts, &f->err));
    assert_int_equal(counts[5] + counts[4] + counts[3] + counts[2] + counts[1], 2);
    assert_int_equal(counts[3], 1);
    assert_int_equal(counts[2], 1);
    EXPECT_OK(f, bm_store_rating_counts(f->st, w.t2_path, 0, 0, counts, &f->err));
    assert_int_equal(counts[5] + counts[4] + counts[3] + counts[2] + counts[1], 0);

    /* Tasks of the two bad ratings. */
    x.rating_id = rid[3];
    x.case_id = k[3];
    x.unit_id = w.office1;
    x.st.status = BM_RECT_OPEN;
    x.callback_due = ymd(2023, 11, 15);
    x.rectify_due = ymd(2023, 11, 21);
    x.appeal_due = ymd(2023, 11, 17);
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_rect_insert(f->st, &x, T0 + 300, &xid, &f->err));
    x.rating_id = rid[4];
    x.case_id = k[4];
    EXPECT_OK(f, bm_store_rect_insert(f->st, &x, T0 + 400, &xid2, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));

    EXPECT_OK(f, bm_store_rect_get(f->st, xid, f->a, &got, &f->err));
    assert_int_equal(got.rating_id, rid[3]);
    assert_int_equal(got.case_id, k[3]);
    assert_int_equal(got.unit_id, w.office1);
    assert_string_equal(got.county_code, "110118");
    assert_int_equal(got.st.status, BM_RECT_OPEN);
    assert_false(got.st.is_called_back);
    assert_int_equal(got.callback_due, ymd(2023, 11, 15));
    assert_int_equal(got.rectify_due, ymd(2023, 11, 21));
    assert_int_equal(got.appeal_due, ymd(2023, 11, 17));
    assert_int_equal(got.version, 1);
    assert_int_equal(got.created_at, T0 + 300);
    assert_string_equal(got.case_no, case_number(f, "110118100000", 20240105, 3));
    assert_string_equal(got.unit_name, "溪翁庄镇社会保障事务所");
    assert_string_equal(got.unit_path, w.office1_path);
    assert_int_equal(got.level, 2);
    assert_string_equal(got.callback_note, "");
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_rect_get(f->st, 99999, f->a, &got, &f->err));

    /* Version-checked updates. */
    got.st.status = BM_RECT_CALLED_BACK;
    got.called_back_at = T0 + 500;
    got.callback_note = "已电话回访，申请人反映等候时间长";
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_rect_update(f->st, &got, T0 + 500, &f->err));
    EXPECT_RC(f, BM_ESTALE, bm_store_rect_update(f->st, &got, T0 + 501, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_rect_get(f->st, xid, f->a, &got, &f->err));
    assert_int_equal(got.st.status, BM_RECT_CALLED_BACK);
    assert_true(got.st.is_called_back);
    assert_int_equal(got.called_back_at, T0 + 500);
    assert_string_equal(got.callback_note, "已电话回访，申请人反映等候时间长");
    assert_int_equal(got.version, 2);
    assert_int_equal(got.updated_at, T0 + 500);

    /* Lists: by status, case, scope and lateness. */
    q.unit_prefix = "";
    q.status = "";
    q.overdue_on = BM_DAY_NONE;
    q.limit = 10;
    EXPECT_OK(f, bm_store_rects_list(f->st, &q, f->a, &l, &n, &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(l[0].id, xid2);
    q.status = "open";
    EXPECT_OK(f, bm_store_rects_list(f->st, &q, f->a, &l, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(l[0].id, xid2);
    q.status = "";
    q.case_id = k[3];
    EXPECT_OK(f, bm_store_rects_list(f->st, &q, f->a, &l, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(l[0].id, xid);
    q.case_id = 0;
    q.unit_prefix = w.dept_path;
    EXPECT_OK(f, bm_store_rects_list(f->st, &q, f->a, &l, &n, &f->err));
    assert_int_equal(n, 0);
    q.unit_prefix = w.t1_path;
    /* On the callback due day nothing is late; the day after, the open one is. */
    q.overdue_on = ymd(2023, 11, 15);
    EXPECT_OK(f, bm_store_rects_list(f->st, &q, f->a, &l, &n, &f->err));
    assert_int_equal(n, 0);
    q.overdue_on = ymd(2023, 11, 16);
    EXPECT_OK(f, bm_store_rects_list(f->st, &q, f->a, &l, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(l[0].id, xid2);
    /* After the rectification due day the called-back one is late too. */
    q.overdue_on = ymd(2023, 11, 22);
    EXPECT_OK(f, bm_store_rects_list(f->st, &q, f->a, &l, &n, &f->err));
    assert_int_equal(n, 2);

    /* An upheld appeal takes the rating out of the counts (and marks it excluded). */
    EXPECT_OK(f, bm_store_rect_get(f->st, xid2, f->a, &got, &f->err));
    got.st.status = BM_RECT_UPHELD;
    got.closed_at = T0 + 600;
    got.decision_note = "经核实系误评";
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_rect_update(f->st, &got, T0 + 600, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_rating_counts(f->st, "", 0, 0, counts, &f->err));
    assert_int_equal(counts[1], 0);
    assert_int_equal(counts[2], 1);
    {
        struct bm_rating kept;
        EXPECT_OK(f, bm_store_rating_get(f->st, rid[4], f->a, &kept, &f->err));
        assert_true(kept.is_excluded);
        assert_int_equal(kept.level, 1); /* the rating itself is unchanged */
    }
    assert_int_equal(rows_outside(f, "ratings", "110118"), 0);
    assert_int_equal(rows_outside(f, "rectifications", "110118"), 0);
}

/* A rolled-back rating leaves no row (the API relies on this for refused input). */
static void
test_rating_rollback(void **state)
{
    struct fx *f = *state;
    struct cases w;
    struct bm_case c;
    struct bm_rating r, *l;
    int64_t id = 0, kc;
    size_t n = 99;

    cases_fixture(f, &w);
    c = case_new(f, &w, 1);
    kc = add_case(f, &c, T0);
    r = rating_new(kc, &w, 2, "other", T0);
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_rating_insert(f->st, &r, &id, &f->err));
    bm_store_rollback(f->st);
    EXPECT_OK(f, bm_store_ratings_of_case(f->st, kc, f->a, &l, &n, &f->err));
    assert_int_equal(n, 0);
}

/* ---- township performance evaluation (绩效考核) ------------------------------------------- */

static struct bm_eval_indicator eval_inds[] = {
    {.code = "eff", .parent_code = "", .name = "办事效能", .weight_e4 = 600000, .source = "",
     .rule = "", .steps = ""},
    {.code = "eff.on_time", .parent_code = "eff", .name = "按时办结率", .weight_e4 = 600000,
     .source = "on_time_rate", .rule = "linear", .floor_e4 = 500000, .target_e4 = 1000000,
     .steps = ""},
    {.code = "dept", .parent_code = "", .name = "县直部门评价", .weight_e4 = 400000,
     .source = "manual", .rule = "threshold", .steps = "90:1;60:0.5"},
};

static int64_t
add_eval_plan(struct fx *f, const struct cases *w, const char *type, int64_t *id)
{
    struct bm_eval_plan p = {
        .year = 2023, .township_type = type, .name = "2023年度考核指标",
        .excellent_e4 = 900000, .good_e4 = 800000, .pass_e4 = 600000, .survey_share_e4 = 5000,
        .created_by = w->clerk, .indicators = eval_inds, .n_indicators = 3,
    };
    enum bm_rc rc;

    eval_inds[2].department_id = w->dept;
    *id = 0;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    bm_err_clear(&f->err);
    rc = bm_store_eval_plan_insert(f->st, &p, T0, id, &f->err);
    if (rc == BM_OK)
        EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    else
        bm_store_rollback(f->st);
    return rc;
}

/* Plans with their tree, periods with their townships, versions, inputs, vetoes, results,
 * comments and follow-ups. */
static void
test_eval_store_roundtrip(void **state)
{
    struct fx *f = *state;
    struct cases w;
    struct bm_eval_plan p, *ps;
    struct bm_eval_period per, *pers;
    struct bm_eval_member mem[2];
    struct bm_eval_input in = {0}, *ins;
    struct bm_eval_veto v = {0}, *vs;
    struct bm_eval_result res[2] = {{0}}, *rs;
    struct bm_eval_comment cm = {0}, *cms;
    struct bm_eval_followup fu = {0}, fgot, *fus;
    struct bm_eval_indicator one = {.code = "all", .parent_code = "", .name = "综合",
                                    .weight_e4 = 1000000, .source = "survey", .rule = "rank",
                                    .steps = ""};
    int64_t plan, plan2, dup, period, id = 0, cid = 0, fid = 0;
    size_t n = 99;

    cases_fixture(f, &w);
    assert_int_equal(add_eval_plan(f, &w, "general", &plan), BM_OK);
    assert_int_equal(add_eval_plan(f, &w, "remote", &plan2), BM_OK);
    assert_int_equal(add_eval_plan(f, &w, "general", &dup), BM_ECONFLICT);

    EXPECT_OK(f, bm_store_eval_plan_get(f->st, plan, f->a, &p, &f->err));
    assert_string_equal(p.county_code, "110118");
    assert_int_equal(p.year, 2023);
    assert_string_equal(p.township_type, "general");
    assert_int_equal(p.excellent_e4, 900000);
    assert_int_equal(p.survey_share_e4, 5000);
    assert_int_equal(p.version, 1);
    assert_int_equal(p.n_indicators, 3);
    assert_string_equal(p.indicators[1].code, "eff.on_time");
    assert_string_equal(p.indicators[1].parent_code, "eff");
    assert_int_equal(p.indicators[1].floor_e4, 500000);
    assert_int_equal(p.indicators[1].target_e4, 1000000);
    assert_int_equal(p.indicators[1].department_id, 0);
    assert_string_equal(p.indicators[2].steps, "90:1;60:0.5");
    assert_int_equal(p.indicators[2].department_id, w.dept);
    assert_string_equal(p.indicators[2].department_name, "区人力社保局");
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_eval_plan_get(f->st, 99999, f->a, &p, &f->err));
    EXPECT_OK(f, bm_store_eval_plans_list(f->st, 2023, f->a, &ps, &n, &f->err));
    assert_int_equal(n, 2);
    EXPECT_OK(f, bm_store_eval_plans_list(f->st, 2024, f->a, &ps, &n, &f->err));
    assert_int_equal(n, 0);

    /* Update: the tree is replaced; a stale version and a missing plan are told apart. */
    EXPECT_OK(f, bm_store_eval_plan_get(f->st, plan2, f->a, &p, &f->err));
    p.name = "修订";
    p.indicators = &one;
    p.n_indicators = 1;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_eval_plan_update(f->st, &p, T0 + 10, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_RC(f, BM_ESTALE, bm_store_eval_plan_update(f->st, &p, T0 + 20, &f->err));
    p.id = 99999;
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_eval_plan_update(f->st, &p, T0 + 20, &f->err));
    bm_store_rollback(f->st);
    EXPECT_OK(f, bm_store_eval_plan_get(f->st, plan2, f->a, &p, &f->err));
    assert_int_equal(p.version, 2);
    assert_string_equal(p.name, "修订");
    assert_int_equal(p.n_indicators, 1);
    assert_string_equal(p.indicators[0].code, "all");
    assert_int_equal(p.updated_at, T0 + 10);

    /* A period with its two townships. */
    mem[0] = (struct bm_eval_member){.township_id = w.t2, .plan_id = plan};
    mem[1] = (struct bm_eval_member){.township_id = w.t1, .plan_id = plan2};
    memset(&per, 0, sizeof(per));
    per.year = 2023;
    per.name = "2023年度考核";
    per.from_day = ymd(2023, 1, 1);
    per.to_day = ymd(2023, 12, 31);
    per.created_by = w.clerk;
    per.members = mem;
    per.n_members = 2;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_eval_period_insert(f->st, &per, T0, &period, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_eval_period_get(f->st, period, f->a, &per, &f->err));
    assert_string_equal(per.status, "open");
    assert_string_equal(per.county_code, "110118");
    assert_int_equal(per.from_day, ymd(2023, 1, 1));
    assert_int_equal(per.to_day, ymd(2023, 12, 31));
    assert_int_equal(per.comment_until, BM_DAY_NONE);
    assert_int_equal(per.n_members, 2);
    assert_int_equal(per.members[0].township_id, w.t1); /* by township id */
    assert_int_equal(per.members[0].plan_id, plan2);
    assert_string_equal(per.members[0].township_name, "溪翁庄镇");
    assert_string_equal(per.members[0].township_path, w.t1_path);
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_eval_period_get(f->st, 99999, f->a, &per, &f->err));
    EXPECT_OK(f, bm_store_eval_periods_list(f->st, true, f->a, &pers, &n, &f->err));
    assert_int_equal(n, 0);

    /* Inputs: the same key is written over, not duplicated. */
    in.period_id = period;
    in.kind = "manual";
    in.indicator_code = "dept";
    in.subject_unit_id = w.t1;
    in.rater_unit_id = w.dept;
    in.value_e4 = 850000;
    in.note = "初评";
    in.entered_by = w.handler2;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_eval_input_put(f->st, &in, T0, &f->err));
    in.value_e4 = 900000;
    in.note = "复评";
    EXPECT_OK(f, bm_store_eval_input_put(f->st, &in, T0 + 5, &f->err));
    in.kind = "platform";
    in.indicator_code = "on_time_rate";
    in.rater_unit_id = 0;
    in.numerator = 4;
    in.denominator = 5;
    in.value_e4 = 800000;
    in.note = "";
    EXPECT_OK(f, bm_store_eval_input_put(f->st, &in, T0 + 6, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_eval_inputs_list(f->st, period, f->a, &ins, &n, &f->err));
    assert_int_equal(n, 2);
    assert_string_equal(ins[0].kind, "manual");
    assert_int_equal(ins[0].value_e4, 900000);
    assert_string_equal(ins[0].note, "复评");
    assert_int_equal(ins[0].created_at, T0);
    assert_int_equal(ins[0].updated_at, T0 + 5);
    assert_string_equal(ins[0].subject_name, "溪翁庄镇");
    assert_string_equal(ins[0].rater_name, "区人力社保局");
    assert_string_equal(ins[1].kind, "platform");
    assert_int_equal(ins[1].numerator, 4);
    assert_int_equal(ins[1].denominator, 5);
    assert_string_equal(ins[1].rater_name, "");

    /* Vetoes. */
    v.period_id = period;
    v.township_id = w.t2;
    v.item = "安全生产";
    v.reason = "事故";
    v.approval_doc_no = "某政函〔2023〕1号";
    v.approving_body = "某省人民政府";
    v.approval_date = ymd(2023, 3, 1);
    v.grade_cap = "pass";
    v.created_by = w.clerk;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_eval_veto_insert(f->st, &v, T0, &id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_eval_vetoes_list(f->st, period, f->a, &vs, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(vs[0].id, id);
    assert_string_equal(vs[0].approval_doc_no, "某政函〔2023〕1号");
    assert_int_equal(vs[0].approval_date, ymd(2023, 3, 1));
    assert_string_equal(vs[0].township_name, "穆家峪镇");

    /* Results: a second put replaces the first; read back by rank. */
    res[0] = (struct bm_eval_result){.township_id = w.t1, .plan_id = plan2, .total_e4 = 700000,
                                     .rank = 2, .grade = "pass", .detail = "{}"};
    res[1] = (struct bm_eval_result){.township_id = w.t2, .plan_id = plan, .total_e4 = 905000,
                                     .rank = 1, .grade = "pass", .is_capped = true,
                                     .detail = "{\"indicators\":[]}"};
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_eval_results_put(f->st, period, res, 1, T0, &f->err));
    EXPECT_OK(f, bm_store_eval_results_put(f->st, period, res, 2, T0 + 1, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_eval_results_list(f->st, period, f->a, &rs, &n, &f->err));
    assert_int_equal(n, 2);
    assert_int_equal(rs[0].township_id, w.t2);
    assert_int_equal(rs[0].total_e4, 905000);
    assert_true(rs[0].is_capped);
    assert_string_equal(rs[0].detail, "{\"indicators\":[]}");
    assert_int_equal(rs[0].computed_at, T0 + 1);
    assert_string_equal(rs[1].township_name, "溪翁庄镇");
    assert_false(rs[1].is_capped);

    /* Close and publish with a comment period; a stale version is refused. */
    EXPECT_OK(f, bm_store_eval_period_get(f->st, period, f->a, &per, &f->err));
    per.status = "published";
    per.comment_until = ymd(2024, 1, 10);
    per.closed_at = T0 + 2;
    per.published_at = T0 + 3;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_eval_period_update(f->st, &per, T0 + 3, &f->err));
    EXPECT_RC(f, BM_ESTALE, bm_store_eval_period_update(f->st, &per, T0 + 4, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_eval_periods_list(f->st, true, f->a, &pers, &n, &f->err));
    assert_int_equal(n, 1);
    assert_string_equal(pers[0].status, "published");
    assert_int_equal(pers[0].comment_until, ymd(2024, 1, 10));
    assert_int_equal(pers[0].version, 2);
    assert_int_equal(pers[0].published_at, T0 + 3);

    /* Comments, with and without a township; pages by id. */
    cm.period_id = period;
    cm.content = "意见一";
    cm.author_masked = "匿名";
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_eval_comment_insert(f->st, &cm, T0, &cid, &f->err));
    cm.township_id = w.t1;
    cm.content = "意见二";
    EXPECT_OK(f, bm_store_eval_comment_insert(f->st, &cm, T0 + 1, &id, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_eval_comments_list(f->st, period, 0, 1, f->a, &cms, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(cms[0].id, cid);
    assert_int_equal(cms[0].township_id, 0);
    EXPECT_OK(f, bm_store_eval_comments_list(f->st, period, cid, 10, f->a, &cms, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(cms[0].township_id, w.t1);
    assert_string_equal(cms[0].content, "意见二");

    /* Follow-ups. */
    fu.period_id = period;
    fu.township_id = w.t1;
    fu.kind = "talk";
    fu.note = "约谈";
    fu.due_day = ymd(2024, 1, 31);
    fu.created_by = w.clerk;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_eval_followup_insert(f->st, &fu, T0, &fid, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_eval_followup_get(f->st, fid, f->a, &fgot, &f->err));
    assert_string_equal(fgot.status, "open");
    assert_int_equal(fgot.due_day, ymd(2024, 1, 31));
    assert_string_equal(fgot.township_path, w.t1_path);
    fgot.status = "done";
    fgot.result = "已整改";
    fgot.done_at = T0 + 9;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_eval_followup_update(f->st, &fgot, T0 + 9, &f->err));
    EXPECT_RC(f, BM_ESTALE, bm_store_eval_followup_update(f->st, &fgot, T0 + 9, &f->err));
    fgot.id = 99999;
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_eval_followup_update(f->st, &fgot, T0 + 9, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));
    EXPECT_OK(f, bm_store_eval_followups_list(f->st, period, f->a, &fus, &n, &f->err));
    assert_int_equal(n, 1);
    assert_string_equal(fus[0].status, "done");
    assert_string_equal(fus[0].result, "已整改");
    assert_int_equal(fus[0].version, 2);
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_eval_followup_get(f->st, 99999, f->a, &fgot, &f->err));
}

/* A plan insert rolled back leaves neither the plan nor its indicators. */
static void
test_eval_plan_rollback(void **state)
{
    struct fx *f = *state;
    struct cases w;
    struct bm_eval_plan p = {
        .year = 2023, .township_type = "general", .name = "x", .excellent_e4 = 900000,
        .good_e4 = 800000, .pass_e4 = 600000, .indicators = eval_inds, .n_indicators = 3,
    };
    struct bm_eval_plan *ps;
    int64_t id = 0;
    size_t n = 99;

    cases_fixture(f, &w);
    p.created_by = w.clerk;
    eval_inds[2].department_id = w.dept;
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_eval_plan_insert(f->st, &p, T0, &id, &f->err));
    bm_store_rollback(f->st);
    EXPECT_OK(f, bm_store_eval_plans_list(f->st, 0, f->a, &ps, &n, &f->err));
    assert_int_equal(n, 0);
    EXPECT_RC(f, BM_ENOTFOUND, bm_store_eval_plan_get(f->st, id, f->a, &p, &f->err));
    /* The same year and type can be created afterwards. */
    assert_int_equal(add_eval_plan(f, &w, "general", &id), BM_OK);
}

/* The platform's figures of a township over a window (domain.md 3.4 and 4.5). */
static void
test_eval_counts(void **state)
{
    struct fx *f = *state;
    struct cases w;
    struct bm_case c;
    struct bm_rating r;
    struct bm_rectification x = {0};
    struct bm_eval_counts k;
    int64_t c1, c2, c4, r2, r3, xid;
    const int64_t from = T0 - 86400, to = T0 + 86400 * 30;

    cases_fixture(f, &w);
    /* c1: decided on time; c2: decided late; c3: online, open; c4: decided before the
     * window; c5: another township's. */
    c = case_new(f, &w, 1);
    c.accept_day = ymd(2023, 11, 15);
    c.due_day = ymd(2023, 11, 20);
    c.decided_at = T0;
    c1 = add_case(f, &c, T0);
    c = case_new(f, &w, 2);
    c.accept_day = ymd(2023, 11, 15);
    c.due_day = ymd(2023, 11, 20);
    c.decided_at = T0 + 86400 * 10;
    c2 = add_case(f, &c, T0);
    c = case_new(f, &w, 3);
    c.is_online = true;
    (void)add_case(f, &c, T0);
    c = case_new(f, &w, 4);
    c.submitted_at = T0 - 86400 * 6;
    c.accept_day = ymd(2023, 11, 9);
    c.due_day = ymd(2023, 11, 14);
    c.decided_at = T0 - 86400 * 5;
    c4 = add_case(f, &c, T0);
    c = case_new(f, &w, 5);
    c.accepting_unit_id = w.t2;
    c.accept_day = ymd(2023, 11, 15);
    c.due_day = ymd(2023, 11, 20);
    c.decided_at = T0;
    (void)add_case(f, &c, T0);

    /* Ratings: 5 and 2 in the window, 4 before it, 1 whose appeal was upheld. */
    r = rating_new(c1, &w, 5, "", T0 + 100);
    (void)add_rating(f, &r);
    r = rating_new(c2, &w, 2, "slow", T0 + 200);
    r2 = add_rating(f, &r);
    r = rating_new(c4, &w, 4, "", T0 - 86400 * 4);
    (void)add_rating(f, &r);
    c = get_case(f, case_number(f, "110118100000", 20240105, 3));
    r = rating_new(c.id, &w, 1, "slow", T0 + 300);
    r3 = add_rating(f, &r);
    x.rating_id = r2;
    x.case_id = c2;
    x.unit_id = w.office1;
    x.st.status = BM_RECT_RECTIFIED;
    x.callback_due = x.rectify_due = x.appeal_due = ymd(2023, 11, 30);
    EXPECT_OK(f, bm_store_begin(f->st, &f->err));
    EXPECT_OK(f, bm_store_rect_insert(f->st, &x, T0 + 250, &xid, &f->err));
    x.rating_id = r3;
    x.case_id = c.id;
    x.st.status = BM_RECT_UPHELD;
    EXPECT_OK(f, bm_store_rect_insert(f->st, &x, T0 + 350, &xid, &f->err));
    EXPECT_OK(f, bm_store_commit(f->st, &f->err));

    /* Households of a village of township 1: two, one with a contact cadre. */
    {
        int64_t v1 = add_org(f, w.t1, BM_ORG_VILLAGE, "东村", "110118100201");
        int64_t h1 = add_household(f, v1, "张*");
        (void)add_household(f, v1, "李*");
        assign(f, h1, 1, w.handler, BM_OK);
    }

    EXPECT_OK(f, bm_store_eval_counts(f->st, w.t1_path, from, to, &k, &f->err));
    assert_int_equal(k.households, 2);
    assert_int_equal(k.covered, 1);
    assert_int_equal(k.decided, 2);
    assert_int_equal(k.decided_on_time, 1);
    assert_int_equal(k.submitted, 3);
    assert_int_equal(k.online, 1);
    assert_int_equal(k.ratings, 2);
    assert_int_equal(k.satisfied, 1);
    assert_int_equal(k.rect_tasks, 1);
    assert_int_equal(k.rect_done, 1);
    assert_int_equal(k.demands, 0);
    assert_int_equal(k.demands_on_time, 0);
    EXPECT_OK(f, bm_store_eval_counts(f->st, w.t2_path, from, to, &k, &f->err));
    assert_int_equal(k.households, 0);
    assert_int_equal(k.decided, 1);
    assert_int_equal(k.decided_on_time, 1);
    assert_int_equal(k.ratings, 0);
    /* A window that ends before the late decision. */
    EXPECT_OK(f, bm_store_eval_counts(f->st, w.t1_path, from, T0 + 86400, &k, &f->err));
    assert_int_equal(k.decided, 1);
    assert_int_equal(k.decided_on_time, 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_migrate, setup_empty, teardown),
        cmocka_unit_test_setup_teardown(test_tx_rollback_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tx_commit_keeps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stores_share_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writes_batched, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writes_concurrent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writes_deferred_durability, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_sync, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tx_rollback_undoes_audit_append, setup, teardown),
        cmocka_unit_test_setup_teardown(test_org_insert_get_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_org_duplicate_division_code, setup, teardown),
        cmocka_unit_test_setup_teardown(test_org_list_prefix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_org_update_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_org_move_rewrites_subtree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_org_move_after_ancestor_moved, setup, teardown),
        cmocka_unit_test_setup_teardown(test_org_move_cycle_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_user_insert_get_login, setup, teardown),
        cmocka_unit_test_setup_teardown(test_user_duplicate_username, setup, teardown),
        cmocka_unit_test_setup_teardown(test_users_list_scope_and_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_user_update_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_auth_and_expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_inactive_user, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_touch_in_read_snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_touch_slides_with_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_token_auth_and_revoke, setup, teardown),
        cmocka_unit_test_setup_teardown(test_token_expiry_and_inactive_user, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens_list_prefix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_verify_long_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_edit_detail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_edit_and_reseal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_delete_middle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_delete_last, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_swap_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_delete_head_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_newer_schema_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_connections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_reads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_item_insert_get_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_item_second_draft_conflict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_item_update_draft, setup, teardown),
        cmocka_unit_test_setup_teardown(test_item_update_published_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_item_publish_supersede_retire, setup, teardown),
        cmocka_unit_test_setup_teardown(test_items_search_terms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_items_search_latin_case, setup, teardown),
        cmocka_unit_test_setup_teardown(test_items_search_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_items_search_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_items_search_like_characters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delegation_insert_get_list_revoke, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delegations_list_small_arena, setup, teardown),
        cmocka_unit_test_setup_teardown(test_powers_insert_get_list_update, setup, teardown),
        cmocka_unit_test_setup_teardown(test_powers_list_small_arena, setup, teardown),
        cmocka_unit_test_setup_teardown(test_item_versions_small_arena, setup, teardown),
        cmocka_unit_test_setup_teardown(test_calendar_put_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_case_insert_get_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_lean_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_case_next_seq, setup, teardown),
        cmocka_unit_test_setup_teardown(test_case_next_seq_concurrent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_case_update_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cases_list_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cases_list_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_case_events_and_pauses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_attachments_dedup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_certificates_of_holder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idempotency_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_county_code_on_growing_tables, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_chains_per_county, setup, teardown),
        cmocka_unit_test_setup_teardown(test_case_warnings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_case_stats, setup, teardown),
        cmocka_unit_test_setup_teardown(test_supervision_records_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outbox_claim_lease_retry, setup, teardown),
        /* participation (公众参与) */
        cmocka_unit_test_setup_teardown(test_participation_campaigns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_participation_hearings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_participation_capacity_two_connections, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_participation_households, setup, teardown),
        cmocka_unit_test_setup_teardown(test_participation_receptions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_participation_deputies, setup, teardown),
        /* disclosure */
        cmocka_unit_test_setup_teardown(test_pub_insert_get_update, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pubs_list_window_and_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pub_files_and_events, setup, teardown),
        /* demands */
        cmocka_unit_test_setup_teardown(test_demand_insert_get_seq, setup, teardown),
        cmocka_unit_test_setup_teardown(test_demand_update_list_events, setup, teardown),
        /* ratings (好差评) and rectification of bad ratings */
        cmocka_unit_test_setup_teardown(test_ratings_insert_get_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rating_counts_and_rectifications, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rating_rollback, setup, teardown),
        /* township performance evaluation (绩效考核) */
        cmocka_unit_test_setup_teardown(test_eval_store_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eval_plan_rollback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eval_counts, setup, teardown),
    };

    /* Migrations log at info; keep the output to what explains a failure. */
    bm_log_set_level(BM_LOG_ERROR);
    pg_url = getenv("BIANMIN_TEST_PG");
    return cmocka_run_group_tests_name(pg_url ? "store contract (postgres)"
                                              : "store contract (sqlite)",
                                       tests, NULL, NULL);
}
