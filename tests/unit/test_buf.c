/*
 * Unit tests for src/util/buf.c: append, puts and printf, the maximum size (a refused append
 * leaves the content unchanged), JSON string escaping and detach.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/buf.h"

static void
test_init_empty(void **state)
{
    struct bm_buf b;

    (void)state;
    bm_buf_init(&b, 100);
    assert_null(b.ptr);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.max, 100);
    bm_buf_fini(&b);
    assert_null(b.ptr);
}

static void
test_append_puts_printf(void **state)
{
    struct bm_buf b;

    (void)state;
    bm_buf_init(&b, 1 << 16);
    assert_int_equal(bm_buf_append(&b, "ab\0cd", 5), BM_OK);
    assert_int_equal(b.len, 5);
    assert_memory_equal(b.ptr, "ab\0cd", 6);
    assert_int_equal(bm_buf_puts(&b, "乡镇"), BM_OK);
    assert_int_equal(bm_buf_printf(&b, "[%d|%s|%lld]", -7, "x", (long long)INT64_MAX), BM_OK);
    assert_int_equal(bm_buf_append(&b, "zz", 0), BM_OK);
    assert_int_equal(b.len, 5 + strlen("乡镇") + strlen("[-7|x|9223372036854775807]"));
    assert_string_equal(b.ptr + 3, "cd乡镇[-7|x|9223372036854775807]");
    assert_int_equal(b.ptr[b.len], '\0');
    bm_buf_fini(&b);
}

static void
test_int(void **state)
{
    static const long long v[] = {0, 7, -7, 10, 99, -100, 1234567890123LL, INT64_MAX, INT64_MIN};
    struct bm_buf b;
    char want[400] = "";

    (void)state;
    bm_buf_init(&b, 1 << 16);
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        assert_int_equal(bm_buf_int(&b, v[i]), BM_OK);
        assert_int_equal(bm_buf_puts(&b, ","), BM_OK);
        snprintf(want + strlen(want), sizeof(want) - strlen(want), "%lld,", v[i]);
    }
    assert_string_equal(b.ptr, want);
    bm_buf_fini(&b);
    /* Past the maximum: refused, the buffer unchanged. */
    bm_buf_init(&b, 4);
    assert_int_equal(bm_buf_int(&b, 123), BM_OK);
    assert_int_equal(bm_buf_int(&b, 45), BM_ETOOBIG);
    assert_string_equal(b.ptr, "123");
    bm_buf_fini(&b);
}

static void
test_empty_append_terminates(void **state)
{
    struct bm_buf b;

    (void)state;
    bm_buf_init(&b, 10);
    assert_int_equal(bm_buf_puts(&b, ""), BM_OK);
    assert_non_null(b.ptr);
    assert_string_equal(b.ptr, "");
    bm_buf_fini(&b);

    bm_buf_init(&b, 10);
    assert_int_equal(bm_buf_printf(&b, "%s", ""), BM_OK);
    assert_non_null(b.ptr);
    assert_string_equal(b.ptr, "");
    bm_buf_fini(&b);
}

static void
test_growth_keeps_content(void **state)
{
    struct bm_buf b;
    char want[5001];

    (void)state;
    bm_buf_init(&b, 5000);
    for (int i = 0; i < 5000; i++) {
        char c = (char)('a' + i % 26);
        want[i] = c;
        assert_int_equal(bm_buf_append(&b, &c, 1), BM_OK);
    }
    want[5000] = '\0';
    assert_int_equal(b.len, 5000);
    assert_string_equal(b.ptr, want);
    /* Full: one more byte is refused. */
    assert_int_equal(bm_buf_append(&b, "x", 1), BM_ETOOBIG);
    assert_int_equal(b.len, 5000);
    assert_string_equal(b.ptr, want);
    bm_buf_fini(&b);
}

/* Each row: prefix written first, then one append that must succeed or leave the prefix. */
enum op { APPEND, PUTS, PRINTF_S, PRINTF_D, JSON };

static void
test_max_refusal_leaves_content(void **state)
{
    static const struct {
        size_t max;
        const char *prefix;
        enum op op;
        const char *arg;
        enum bm_rc rc;
        const char *want;
    } cases[] = {
        {5, "abc", PUTS, "de", BM_OK, "abcde"},         /* exactly the maximum */
        {5, "abc", PUTS, "def", BM_ETOOBIG, "abc"},
        {5, "abc", APPEND, "def", BM_ETOOBIG, "abc"},
        {5, "abc", PRINTF_S, "def", BM_ETOOBIG, "abc"},
        {5, "abc", PRINTF_D, NULL, BM_ETOOBIG, "abc"},  /* "%d" of 12345 */
        {8, "abc", PRINTF_D, NULL, BM_OK, "abc12345"},
        {0, "", PUTS, "a", BM_ETOOBIG, ""},
        {0, "", PUTS, "", BM_OK, ""},
        {3, "", PUTS, "中", BM_OK, "中"},
        {3, "a", PUTS, "中", BM_ETOOBIG, "a"},          /* no half characters */
        {7, "abc", JSON, "\"\"", BM_OK, "abc\\\"\\\""},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct bm_buf b;
        enum bm_rc rc = BM_EINTERNAL;

        bm_buf_init(&b, cases[i].max);
        assert_int_equal(bm_buf_puts(&b, cases[i].prefix), BM_OK);
        switch (cases[i].op) {
        case APPEND: rc = bm_buf_append(&b, cases[i].arg, strlen(cases[i].arg)); break;
        case PUTS: rc = bm_buf_puts(&b, cases[i].arg); break;
        case PRINTF_S: rc = bm_buf_printf(&b, "%s", cases[i].arg); break;
        case PRINTF_D: rc = bm_buf_printf(&b, "%d", 12345); break;
        case JSON: rc = bm_buf_json_str(&b, cases[i].arg); break;
        }
        assert_int_equal(rc, cases[i].rc);
        assert_int_equal(b.len, strlen(cases[i].want));
        assert_string_equal(b.ptr, cases[i].want);
        assert_true(b.len <= b.max);
        bm_buf_fini(&b);
    }
}

static void
test_json_str_escaping(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"", ""},
        {"plain text", "plain text"},
        {"say \"hi\"", "say \\\"hi\\\""},
        {"C:\\dir\\", "C:\\\\dir\\\\"},
        {"a\nb\rc\td", "a\\nb\\rc\\td"},
        {"\x01", "\\u0001"},
        {"\x08\x0c", "\\u0008\\u000c"},
        {"\x1f|\x1b", "\\u001f|\\u001b"},
        {"密云区 西田各庄镇", "密云区 西田各庄镇"},  /* UTF-8 passes through */
        {"/ ' \x7f", "/ ' \x7f"},                      /* not required by JSON */
        {"\"\\\n\x02", "\\\"\\\\\\n\\u0002"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct bm_buf b;

        bm_buf_init(&b, 1024);
        assert_int_equal(bm_buf_puts(&b, "\""), BM_OK);
        assert_int_equal(bm_buf_json_str(&b, cases[i].in), BM_OK);
        assert_int_equal(bm_buf_puts(&b, "\""), BM_OK);
        assert_int_equal(b.len, strlen(cases[i].out) + 2);
        assert_memory_equal(b.ptr + 1, cases[i].out, strlen(cases[i].out));
        bm_buf_fini(&b);
    }
}

/* The header promises that a refused append leaves the buffer as it was; json_str too. */
static void
test_json_str_refusal_is_atomic(void **state)
{
    struct bm_buf b;
    enum bm_rc rc;
    size_t len;
    char got[16];

    (void)state;
    bm_buf_init(&b, 6);
    assert_int_equal(bm_buf_puts(&b, "{"), BM_OK);
    /* Escaped: ab\"cd = 7 bytes, one past the room left (5). */
    rc = bm_buf_json_str(&b, "ab\"cd");
    /* Copy out and release before asserting, so a failure does not also leak. */
    len = b.len;
    snprintf(got, sizeof(got), "%s", b.ptr);
    bm_buf_fini(&b);
    assert_int_equal(rc, BM_ETOOBIG);
    assert_string_equal(got, "{");
    assert_int_equal(len, 1);
}

static void
test_detach(void **state)
{
    struct bm_buf b;
    size_t len = 99;
    char *p;

    (void)state;
    bm_buf_init(&b, 100);
    assert_int_equal(bm_buf_puts(&b, "hello"), BM_OK);
    p = bm_buf_detach(&b, &len);
    assert_string_equal(p, "hello");
    assert_int_equal(len, 5);
    /* The buffer no longer owns the memory: fini must not free it. */
    assert_null(b.ptr);
    assert_int_equal(b.len, 0);
    bm_buf_fini(&b);
    free(p);
}

static void
test_detach_empty_never_null(void **state)
{
    struct bm_buf b;
    size_t len = 99;
    char *p;

    (void)state;
    bm_buf_init(&b, 100);
    p = bm_buf_detach(&b, &len);
    assert_non_null(p);
    assert_string_equal(p, "");
    assert_int_equal(len, 0);
    free(p);

    /* len is optional. */
    bm_buf_init(&b, 100);
    assert_int_equal(bm_buf_puts(&b, "x"), BM_OK);
    p = bm_buf_detach(&b, NULL);
    assert_string_equal(p, "x");
    free(p);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_empty),
        cmocka_unit_test(test_append_puts_printf),
        cmocka_unit_test(test_int),
        cmocka_unit_test(test_empty_append_terminates),
        cmocka_unit_test(test_growth_keeps_content),
        cmocka_unit_test(test_max_refusal_leaves_content),
        cmocka_unit_test(test_json_str_escaping),
        cmocka_unit_test(test_json_str_refusal_is_atomic),
        cmocka_unit_test(test_detach),
        cmocka_unit_test(test_detach_empty_never_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
