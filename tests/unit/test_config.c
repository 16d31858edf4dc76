/*
 * Unit tests for src/util/config.c: defaults, bm_config_set for each kind of key, bad values,
 * config files (comments, a bad line), BIANMIN_* environment variables and split_listen.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/config.h"

/* Every key, as in the config file. */
static const char *const all_keys[] = {
    "db", "listen", "web", "threads", "workers", "body_max_bytes", "upload_max_bytes",
    "timeout_s", "arena_max_bytes", "session_idle_s", "session_max_s", "secure_cookies",
    "login_max_failures", "login_ip_max_failures", "login_window_s", "log_level", "trust_proxy",
    "request_timeout_s", "request_min_rate", "writers", "public_posts_per_minute",
};

/* The field behind `key`, formatted as text; the test's own map from keys to fields. */
static void
field_str(const struct bm_config *c, const char *key, char *out, size_t n)
{
    if (strcmp(key, "db") == 0)
        snprintf(out, n, "%s", c->db);
    else if (strcmp(key, "listen") == 0)
        snprintf(out, n, "%s", c->listen);
    else if (strcmp(key, "web") == 0)
        snprintf(out, n, "%s", c->web_dir);
    else if (strcmp(key, "threads") == 0)
        snprintf(out, n, "%d", c->threads);
    else if (strcmp(key, "workers") == 0)
        snprintf(out, n, "%d", c->workers);
    else if (strcmp(key, "writers") == 0)
        snprintf(out, n, "%d", c->writers);
    else if (strcmp(key, "body_max_bytes") == 0)
        snprintf(out, n, "%lld", (long long)c->body_max_bytes);
    else if (strcmp(key, "upload_max_bytes") == 0)
        snprintf(out, n, "%lld", (long long)c->upload_max_bytes);
    else if (strcmp(key, "timeout_s") == 0)
        snprintf(out, n, "%d", c->timeout_s);
    else if (strcmp(key, "request_timeout_s") == 0)
        snprintf(out, n, "%d", c->request_timeout_s);
    else if (strcmp(key, "request_min_rate") == 0)
        snprintf(out, n, "%d", c->request_min_rate);
    else if (strcmp(key, "arena_max_bytes") == 0)
        snprintf(out, n, "%lld", (long long)c->arena_max_bytes);
    else if (strcmp(key, "session_idle_s") == 0)
        snprintf(out, n, "%d", c->session_idle_s);
    else if (strcmp(key, "session_max_s") == 0)
        snprintf(out, n, "%d", c->session_max_s);
    else if (strcmp(key, "secure_cookies") == 0)
        snprintf(out, n, "%s", c->secure_cookies ? "true" : "false");
    else if (strcmp(key, "login_max_failures") == 0)
        snprintf(out, n, "%d", c->login_max_failures);
    else if (strcmp(key, "login_ip_max_failures") == 0)
        snprintf(out, n, "%d", c->login_ip_max_failures);
    else if (strcmp(key, "login_window_s") == 0)
        snprintf(out, n, "%d", c->login_window_s);
    else if (strcmp(key, "public_posts_per_minute") == 0)
        snprintf(out, n, "%d", c->public_posts_per_minute);
    else if (strcmp(key, "log_level") == 0)
        snprintf(out, n, "%s", c->log_level);
    else if (strcmp(key, "trust_proxy") == 0)
        snprintf(out, n, "%s", c->trust_proxy ? "true" : "false");
    else
        fail_msg("test has no field for key %s", key);
}

static void
assert_field(const struct bm_config *c, const char *key, const char *want)
{
    char got[600];

    field_str(c, key, got, sizeof(got));
    if (strcmp(got, want) != 0)
        fail_msg("%s = \"%s\", want \"%s\"", key, got, want);
}

/* Every field of `c` reads the same as in `want`. */
static void
assert_same(const struct bm_config *c, const struct bm_config *want)
{
    for (size_t i = 0; i < sizeof(all_keys) / sizeof(all_keys[0]); i++) {
        char w[600];
        field_str(want, all_keys[i], w, sizeof(w));
        assert_field(c, all_keys[i], w);
    }
}

static void
test_defaults(void **state)
{
    static const struct {
        const char *key, *want;
    } cases[] = {
        {"db", "bianmin.db"},
        {"listen", "127.0.0.1:8080"},
        {"web", "web/dist"},
        {"threads", "0"},
        {"workers", "2"},
        {"writers", "0"},
        {"body_max_bytes", "1048576"},
        {"upload_max_bytes", "20971520"},
        {"timeout_s", "30"},
        {"request_timeout_s", "20"},
        {"request_min_rate", "8192"},
        {"arena_max_bytes", "4194304"},
        {"session_idle_s", "28800"},
        {"session_max_s", "86400"},
        {"secure_cookies", "false"},
        {"login_max_failures", "5"},
        {"login_ip_max_failures", "50"},
        {"login_window_s", "900"},
        {"public_posts_per_minute", "20"},
        {"log_level", "info"},
        {"trust_proxy", "false"},
    };
    struct bm_config c;

    (void)state;
    memset(&c, 0x5A, sizeof(c));
    bm_config_defaults(&c);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_field(&c, cases[i].key, cases[i].want);
}

/* Good values for every key; the row's `want` is how the field reads back. */
static void
test_set_each_key(void **state)
{
    static const struct {
        const char *key, *value, *want;
    } cases[] = {
        {"db", "sqlite:/var/lib/bianmin/密云.db", "sqlite:/var/lib/bianmin/密云.db"},
        {"db", "postgres://u:p@h/db?sslmode=require", "postgres://u:p@h/db?sslmode=require"},
        {"listen", "0.0.0.0:9000", "0.0.0.0:9000"},
        {"web", "", ""},
        {"web", "/srv/web", "/srv/web"},
        {"threads", "0", "0"},
        {"threads", "64", "64"},
        {"workers", "1", "1"},
        {"writers", "0", "0"},
        {"writers", "64", "64"},
        {"body_max_bytes", "1024", "1024"},
        {"body_max_bytes", "1073741824", "1073741824"},
        {"upload_max_bytes", "2147483648", "2147483648"}, /* needs 64 bits */
        {"timeout_s", "3600", "3600"},
        {"request_timeout_s", "1", "1"},
        {"request_min_rate", "1073741824", "1073741824"},
        {"arena_max_bytes", "65536", "65536"},
        {"session_idle_s", "60", "60"},
        {"session_max_s", "7776000", "7776000"},
        {"login_max_failures", "1000", "1000"},
        {"login_ip_max_failures", "100000", "100000"},
        {"login_window_s", "10", "10"},
        {"public_posts_per_minute", "0", "0"},
        {"public_posts_per_minute", "100000", "100000"},
        {"log_level", "debug", "debug"},
        {"secure_cookies", "true", "true"},
        {"secure_cookies", "false", "false"},
        {"secure_cookies", "1", "true"},
        {"secure_cookies", "0", "false"},
        {"secure_cookies", "yes", "true"},
        {"secure_cookies", "no", "false"},
        {"trust_proxy", "yes", "true"},
        {"trust_proxy", "no", "false"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct bm_config c;
        struct bm_err err;

        bm_config_defaults(&c);
        if (strcmp(cases[i].want, "false") == 0) {
            /* Start from true so that a no-op would be caught. */
            struct bm_err e0;
            bm_err_clear(&e0);
            assert_int_equal(bm_config_set(&c, cases[i].key, "true", &e0), BM_OK);
        }
        bm_err_clear(&err);
        if (bm_config_set(&c, cases[i].key, cases[i].value, &err) != BM_OK)
            fail_msg("%s = \"%s\" refused: %s", cases[i].key, cases[i].value, err.message);
        assert_field(&c, cases[i].key, cases[i].want);
    }
}

/* A setting touches its own field only. */
static void
test_set_touches_one_field(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof(all_keys) / sizeof(all_keys[0]); k++) {
        struct bm_config before, c;
        struct bm_err err;
        char old[600], value[600];

        bm_config_defaults(&before);
        c = before;
        field_str(&c, all_keys[k], old, sizeof(old));
        /* Some value different from the default that every key accepts. */
        if (strcmp(old, "false") == 0)
            snprintf(value, sizeof(value), "true");
        else if (strcmp(all_keys[k], "threads") == 0)
            snprintf(value, sizeof(value), "7");
        else if (old[0] >= '0' && old[0] <= '9')
            snprintf(value, sizeof(value), "%lld", strtoll(old, NULL, 10) + 1);
        else
            snprintf(value, sizeof(value), "x");
        bm_err_clear(&err);
        assert_int_equal(bm_config_set(&c, all_keys[k], value, &err), BM_OK);
        for (size_t j = 0; j < sizeof(all_keys) / sizeof(all_keys[0]); j++) {
            char want[600];
            if (j == k)
                snprintf(want, sizeof(want), "%s", value);
            else
                field_str(&before, all_keys[j], want, sizeof(want));
            assert_field(&c, all_keys[j], want);
        }
    }
}

static void
test_set_bad_values(void **state)
{
    static const struct {
        const char *key, *value;
    } cases[] = {
        {"threads", "-1"},
        {"threads", "65"},
        {"threads", "abc"},
        {"threads", ""},
        {"threads", " 4"},
        {"threads", "4 "},
        {"threads", "+4"},
        {"threads", "4.0"},
        {"workers", "0"},
        {"writers", "-1"},
        {"writers", "65"},
        {"body_max_bytes", "1023"},
        {"body_max_bytes", "1073741825"},
        {"upload_max_bytes", "2147483649"},
        {"timeout_s", "0"},
        {"request_timeout_s", "0"},
        {"request_timeout_s", "3601"},
        {"request_min_rate", "0"},
        {"arena_max_bytes", "65535"},
        {"session_idle_s", "59"},
        {"login_window_s", "99999999999999999999"},
        {"public_posts_per_minute", "-1"},
        {"public_posts_per_minute", "100001"},
        {"secure_cookies", "maybe"},
        {"secure_cookies", ""},
        {"secure_cookies", "2"},
        {"secure_cookies", " true"},
        {"trust_proxy", "on?"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct bm_config before, c;
        struct bm_err err;

        bm_config_defaults(&before);
        c = before;
        bm_err_clear(&err);
        if (bm_config_set(&c, cases[i].key, cases[i].value, &err) != BM_EINVAL)
            fail_msg("%s = \"%s\" accepted", cases[i].key, cases[i].value);
        assert_int_equal(err.rc, BM_EINVAL);
        /* The message names the key, and the refused value changed nothing. */
        assert_non_null(strstr(err.message, cases[i].key));
        assert_same(&c, &before);
    }
}

static void
test_set_string_too_long(void **state)
{
    struct bm_config c;
    struct bm_err err;
    char v[600];

    (void)state;
    bm_config_defaults(&c);
    /* db holds 512 bytes with the terminator: 511 characters fit, 512 do not. */
    memset(v, 'd', 511);
    v[511] = '\0';
    bm_err_clear(&err);
    assert_int_equal(bm_config_set(&c, "db", v, &err), BM_OK);
    assert_string_equal(c.db, v);
    memset(v, 'e', 512);
    v[512] = '\0';
    assert_int_equal(bm_config_set(&c, "db", v, &err), BM_EINVAL);
    assert_int_equal(c.db[0], 'd');
    /* log_level holds 16. */
    assert_int_equal(bm_config_set(&c, "log_level", "0123456789abcdef", &err), BM_EINVAL);
    assert_string_equal(c.log_level, "info");
    assert_int_equal(bm_config_set(&c, "log_level", "0123456789abcde", &err), BM_OK);
    assert_string_equal(c.log_level, "0123456789abcde");
}

static void
test_set_unknown_key(void **state)
{
    static const char *const bad[] = {"no_such_key", "", "threads ", "db=", "db = x"};

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct bm_config before, c;
        struct bm_err err;

        bm_config_defaults(&before);
        c = before;
        bm_err_clear(&err);
        assert_int_equal(bm_config_set(&c, bad[i], "1", &err), BM_EINVAL);
        assert_int_equal(err.rc, BM_EINVAL);
        assert_non_null(strstr(err.message, bad[i]));
        assert_same(&c, &before);
    }
}

/* Writes `text` to a new temporary file; the caller unlinks path. */
static void
write_temp(const char *text, char path[64])
{
    int fd;
    size_t n = strlen(text);

    snprintf(path, 64, "/tmp/bm_test_config_XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    assert_int_equal(close(fd), 0);
}

static void
test_load_file(void **state)
{
    static const char text[] =
        "# Bianmin configuration\n"
        "\n"
        "   # an indented comment = not a setting\n"
        "db = sqlite:/tmp/x.db\n"
        "listen=0.0.0.0:9090\n"
        "\t threads   =   3   \n"
        "secure_cookies = yes\n"
        "web =\n"
        "log_level = warn\r\n"
        "   \n"
        "workers = 4";
    struct bm_config c;
    struct bm_err err;
    enum bm_rc rc;
    char path[64];

    (void)state;
    write_temp(text, path);
    bm_config_defaults(&c);
    bm_err_clear(&err);
    rc = bm_config_load_file(&c, path, &err);
    unlink(path);
    assert_int_equal(rc, BM_OK);
    assert_string_equal(c.db, "sqlite:/tmp/x.db");
    assert_string_equal(c.listen, "0.0.0.0:9090");
    assert_int_equal(c.threads, 3);
    assert_true(c.secure_cookies);
    assert_string_equal(c.web_dir, "");
    assert_string_equal(c.log_level, "warn");
    assert_int_equal(c.workers, 4); /* last line without a newline */
    /* Untouched keys keep their defaults. */
    assert_int_equal(c.timeout_s, 30);
}

static void
test_load_file_value_with_equals(void **state)
{
    struct bm_config c;
    struct bm_err err;
    enum bm_rc rc;
    char path[64];

    (void)state;
    write_temp("db = postgres://h/db?sslmode=require&x=1\n", path);
    bm_config_defaults(&c);
    bm_err_clear(&err);
    rc = bm_config_load_file(&c, path, &err);
    unlink(path);
    assert_int_equal(rc, BM_OK);
    assert_string_equal(c.db, "postgres://h/db?sslmode=require&x=1");
}

static void
test_load_file_errors(void **state)
{
    static const struct {
        const char *text, *in_message;
    } cases[] = {
        {"threads = 2\n# ok\nthis line has no equals sign\nworkers = 3\n", "第 3 行"},
        {"threads = 2\nthreads = many\n", "threads"},
        {"colour = blue\n", "colour"},
        {"secure_cookies = perhaps\n", "secure_cookies"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct bm_config c;
        struct bm_err err;
        enum bm_rc rc;
        char path[64];

        write_temp(cases[i].text, path);
        bm_config_defaults(&c);
        bm_err_clear(&err);
        rc = bm_config_load_file(&c, path, &err);
        unlink(path);
        assert_int_equal(rc, BM_EINVAL);
        assert_int_equal(err.rc, BM_EINVAL);
        if (strstr(err.message, cases[i].in_message) == NULL)
            fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, err.message,
                     cases[i].in_message);
        /* Loading stops at the bad line: what follows is not applied. */
        assert_int_equal(c.workers, 2);
    }
}

static void
test_load_file_missing(void **state)
{
    struct bm_config c;
    struct bm_err err;

    (void)state;
    bm_config_defaults(&c);
    bm_err_clear(&err);
    assert_int_equal(bm_config_load_file(&c, "/nonexistent/bianmin.conf", &err), BM_EINVAL);
    assert_non_null(strstr(err.message, "/nonexistent/bianmin.conf"));
}

static void
clear_env(void)
{
    for (size_t i = 0; i < sizeof(all_keys) / sizeof(all_keys[0]); i++) {
        char name[64];
        size_t k;

        snprintf(name, sizeof(name), "BIANMIN_%s", all_keys[i]);
        for (k = 8; name[k] != '\0'; k++)
            if (name[k] >= 'a' && name[k] <= 'z')
                name[k] = (char)(name[k] - 'a' + 'A');
        unsetenv(name);
    }
}

static void
test_load_env(void **state)
{
    struct bm_config c;
    struct bm_err err;

    (void)state;
    clear_env();
    /* Nothing set: nothing changes. */
    {
        struct bm_config d;
        bm_config_defaults(&c);
        d = c;
        bm_err_clear(&err);
        assert_int_equal(bm_config_load_env(&c, &err), BM_OK);
        assert_same(&c, &d);
    }
    assert_int_equal(setenv("BIANMIN_THREADS", "7", 1), 0);
    assert_int_equal(setenv("BIANMIN_LOG_LEVEL", "debug", 1), 0);
    assert_int_equal(setenv("BIANMIN_WEB", "", 1), 0);
    assert_int_equal(setenv("BIANMIN_TRUST_PROXY", "true", 1), 0);
    assert_int_equal(setenv("BIANMIN_LOGIN_IP_MAX_FAILURES", "500", 1), 0);
    assert_int_equal(setenv("BIANMIN_UNKNOWN_THING", "1", 1), 0); /* ignored */
    assert_int_equal(setenv("bianmin_workers", "9", 1), 0);        /* wrong case: ignored */
    bm_config_defaults(&c);
    bm_err_clear(&err);
    assert_int_equal(bm_config_load_env(&c, &err), BM_OK);
    assert_int_equal(c.threads, 7);
    assert_string_equal(c.log_level, "debug");
    assert_string_equal(c.web_dir, "");
    assert_true(c.trust_proxy);
    assert_int_equal(c.login_ip_max_failures, 500);
    assert_int_equal(c.workers, 2);
    unsetenv("BIANMIN_UNKNOWN_THING");
    unsetenv("bianmin_workers");

    /* A bad value is an error naming the key. */
    assert_int_equal(setenv("BIANMIN_WORKERS", "zero", 1), 0);
    bm_config_defaults(&c);
    bm_err_clear(&err);
    assert_int_equal(bm_config_load_env(&c, &err), BM_EINVAL);
    assert_non_null(strstr(err.message, "workers"));
    assert_int_equal(c.workers, 2);
    clear_env();
}

/* writers = 0 chooses by store: 32 on SQLite, 16 on PostgreSQL; a number is taken as is. */
static void
test_writers_by_store(void **state)
{
    static const struct {
        const char *db, *writers;
        int want;
    } cases[] = {
        {"bianmin.db", "0", 32},
        {"sqlite:/var/lib/bianmin/bianmin.db", "0", 32},
        {"postgres://bianmin@localhost/bianmin", "0", 16},
        {"postgresql:///bianmin", "0", 16},
        {"bianmin.db", "8", 8},
        {"postgres://bianmin@localhost/bianmin", "40", 40},
    };
    struct bm_config c;
    struct bm_err err = {0};

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bm_config_defaults(&c);
        assert_int_equal(bm_config_set(&c, "db", cases[i].db, &err), BM_OK);
        assert_int_equal(bm_config_set(&c, "writers", cases[i].writers, &err), BM_OK);
        assert_int_equal(bm_config_writers(&c), cases[i].want);
    }
}

static void
test_split_listen(void **state)
{
    static const struct {
        const char *in;
        bool ok;
        const char *host;
        int port;
    } cases[] = {
        {"127.0.0.1:8080", true, "127.0.0.1", 8080},
        {"0.0.0.0:80", true, "0.0.0.0", 80},
        {"localhost:0", true, "localhost", 0},
        {"example.org:65535", true, "example.org", 65535},
        {"[::1]:8080", true, "::1", 8080},
        {"[::]:443", true, "::", 443},
        {"[fe80::1%eth0]:8080", true, "fe80::1%eth0", 8080},
        /* malformed */
        {"", false, NULL, 0},
        {"127.0.0.1", false, NULL, 0},
        {"127.0.0.1:", false, NULL, 0},
        {":8080", false, NULL, 0},
        {"host:65536", false, NULL, 0},
        {"host:-1", false, NULL, 0},
        {"host:+80", false, NULL, 0},
        {"host:80x", false, NULL, 0},
        {"host: 80", false, NULL, 0},
        {"host:99999999999999999999", false, NULL, 0},
        {"[]:80", false, NULL, 0},
        {"[::1]", false, NULL, 0},
        {"[::1]:", false, NULL, 0},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char host[64] = "untouched";
        int port = -5;
        bool ok = bm_config_split_listen(cases[i].in, host, sizeof(host), &port);

        if (ok != cases[i].ok)
            fail_msg("split_listen(\"%s\") = %d (host \"%s\"), want %d", cases[i].in, ok, host,
                     cases[i].ok);
        if (ok) {
            assert_string_equal(host, cases[i].host);
            assert_int_equal(port, cases[i].port);
        } else {
            assert_int_equal(port, -5);
        }
    }
}

/* A bracket without its partner is malformed, not part of a host name. */
static void
test_split_listen_unbalanced_brackets(void **state)
{
    static const char *const bad[] = {"[::1:8080", "::1]:8080", "[127.0.0.1:80", "[::1]x:80"};

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char host[64] = "";
        int port = -5;

        if (bm_config_split_listen(bad[i], host, sizeof(host), &port))
            fail_msg("split_listen(\"%s\") accepted: host \"%s\" port %d", bad[i], host, port);
    }
}

static void
test_split_listen_host_buffer(void **state)
{
    char host[10];
    int port = 0;

    (void)state;
    /* 9 characters and the terminator fit in 10 bytes; 10 do not. */
    assert_true(bm_config_split_listen("123456789:1", host, sizeof(host), &port));
    assert_string_equal(host, "123456789");
    assert_int_equal(port, 1);
    assert_false(bm_config_split_listen("1234567890:1", host, sizeof(host), &port));
    assert_true(bm_config_split_listen("[123456789]:2", host, sizeof(host), &port));
    assert_string_equal(host, "123456789");
    assert_int_equal(port, 2);
}

/* Store URLs reach logs and terminals: their passwords must not. */
static void
test_url_redact(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"postgres://bianmin:s3cret@db.example:5432/county", "postgres://bianmin:***@db.example:5432/county"},
        {"postgres://bianmin@127.0.0.1/county", "postgres://bianmin@127.0.0.1/county"},
        {"postgres://127.0.0.1:5432/county", "postgres://127.0.0.1:5432/county"},
        {"/var/lib/bianmin/bianmin.db", "/var/lib/bianmin/bianmin.db"},
        {"postgresql://u:p@h/d?sslmode=require", "postgresql://u:***@h/d?sslmode=require"},
    };
    char out[256];
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bm_url_redact(cases[i].in, out, sizeof(out));
        assert_string_equal(out, cases[i].out);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_set_each_key),
        cmocka_unit_test(test_set_touches_one_field),
        cmocka_unit_test(test_set_bad_values),
        cmocka_unit_test(test_set_string_too_long),
        cmocka_unit_test(test_set_unknown_key),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_load_file_value_with_equals),
        cmocka_unit_test(test_load_file_errors),
        cmocka_unit_test(test_load_file_missing),
        cmocka_unit_test(test_load_env),
        cmocka_unit_test(test_writers_by_store),
        cmocka_unit_test(test_split_listen),
        cmocka_unit_test(test_url_redact),
        cmocka_unit_test(test_split_listen_unbalanced_brackets),
        cmocka_unit_test(test_split_listen_host_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
