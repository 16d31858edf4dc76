/*
 * Route matching: literal segments compared whole, {name} taking one non-empty segment,
 * 404 told from 405 with the Allow list, HEAD answered by GET routes; the first route in
 * table order wins. The real table is checked too: every route's own pattern, with its
 * placeholders filled, finds that route.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "http/router.h"

static const struct bm_route table[] = {
    {.method = BM_GET, .pattern = "/api/v1/cases"},
    {.method = BM_POST, .pattern = "/api/v1/cases"},
    {.method = BM_GET, .pattern = "/api/v1/cases/{case_no}"},
    {.method = BM_POST, .pattern = "/api/v1/cases/{case_no}/actions"},
    {.method = BM_GET, .pattern = "/api/v1/cases/{case_no}/documents/{kind}"},
    {.method = BM_GET, .pattern = "/api/v1/case"},
    {.method = BM_DELETE, .pattern = "/api/v1/session"},
    {.method = BM_GET, .pattern = "/"},
};
#define N (sizeof(table) / sizeof(table[0]))

static enum bm_match
m(enum bm_method method, const char *path, struct bm_match_result *r)
{
    return bm_router_match(table, N, method, path, r);
}

static void
test_literal_segments(void **state)
{
    struct bm_match_result r;
    (void)state;

    assert_int_equal(m(BM_GET, "/api/v1/cases", &r), BM_MATCH_OK);
    assert_int_equal(r.route, 0);
    assert_int_equal(r.n_params, 0);
    assert_int_equal(m(BM_POST, "/api/v1/cases", &r), BM_MATCH_OK);
    assert_int_equal(r.route, 1);
    /* A segment that only starts or ends like the pattern's is another path. */
    assert_int_equal(m(BM_GET, "/api/v1/case", &r), BM_MATCH_OK);
    assert_int_equal(r.route, 5);
    assert_int_equal(m(BM_GET, "/api/v1/casesx", &r), BM_MATCH_NONE);
    assert_int_equal(m(BM_GET, "/api/v1/cas", &r), BM_MATCH_NONE);
    assert_int_equal(m(BM_GET, "/api/v2/cases", &r), BM_MATCH_NONE);
    assert_int_equal(m(BM_GET, "/api/v1/cases/", &r), BM_MATCH_NONE);
    assert_int_equal(m(BM_GET, "/api/v1", &r), BM_MATCH_NONE);
    assert_int_equal(m(BM_GET, "/api//v1/cases", &r), BM_MATCH_NONE);
    assert_int_equal(m(BM_GET, "/", &r), BM_MATCH_OK);
    assert_int_equal(r.route, 7);
    assert_int_equal(m(BM_GET, "", &r), BM_MATCH_NONE);
}

static void
test_placeholders(void **state)
{
    struct bm_match_result r;
    (void)state;

    assert_int_equal(m(BM_GET, "/api/v1/cases/11011800000020260101000001", &r), BM_MATCH_OK);
    assert_int_equal(r.route, 2);
    assert_int_equal(r.n_params, 1);
    assert_int_equal(r.param_len[0], 26);
    assert_memory_equal(r.param[0], "11011800000020260101000001", 26);

    assert_int_equal(m(BM_GET, "/api/v1/cases/A1/documents/receipt", &r), BM_MATCH_OK);
    assert_int_equal(r.route, 4);
    assert_int_equal(r.n_params, 2);
    assert_int_equal(r.param_len[0], 2);
    assert_memory_equal(r.param[0], "A1", 2);
    assert_int_equal(r.param_len[1], 7);
    assert_memory_equal(r.param[1], "receipt", 7);

    /* A placeholder takes exactly one non-empty segment. */
    assert_int_equal(m(BM_GET, "/api/v1/cases//documents/receipt", &r), BM_MATCH_NONE);
    assert_int_equal(m(BM_GET, "/api/v1/cases/A1/documents", &r), BM_MATCH_NONE);
    assert_int_equal(m(BM_GET, "/api/v1/cases/A1/documents/receipt/x", &r), BM_MATCH_NONE);
}

static void
test_methods(void **state)
{
    struct bm_match_result r;
    (void)state;

    assert_int_equal(m(BM_PUT, "/api/v1/cases", &r), BM_MATCH_METHOD);
    assert_string_equal(r.allow, "GET, POST");
    assert_int_equal(r.route, -1);
    assert_int_equal(m(BM_GET, "/api/v1/cases/A1/actions", &r), BM_MATCH_METHOD);
    assert_string_equal(r.allow, "POST");
    assert_int_equal(m(BM_GET, "/api/v1/session", &r), BM_MATCH_METHOD);
    assert_string_equal(r.allow, "DELETE");
    assert_int_equal(m(BM_HEAD, "/api/v1/cases/A1", &r), BM_MATCH_OK);
    assert_int_equal(r.route, 2);
    assert_int_equal(m(BM_HEAD, "/api/v1/session", &r), BM_MATCH_METHOD);
}

/* Every route of the real table is found by its own pattern (placeholders filled in), unless
 * an earlier route of the same method takes that path first. */
static void
test_real_table(void **state)
{
    struct bm_match_result r;
    char path[256];
    (void)state;

    for (size_t i = 0; i < bm_n_routes; i++) {
        const char *p = bm_routes[i].pattern;
        size_t len = 0;
        while (*p != '\0' && len < sizeof(path) - 2) {
            if (*p == '{') {
                path[len++] = '7';
                p = strchr(p, '}') + 1;
            } else {
                path[len++] = *p++;
            }
        }
        path[len] = '\0';
        assert_int_equal(bm_router_match(bm_routes, bm_n_routes, bm_routes[i].method, path, &r),
                         BM_MATCH_OK);
        if ((size_t)r.route != i) {
            /* Only a same-method route earlier in the table may take it. */
            assert_true((size_t)r.route < i);
            assert_int_equal(bm_routes[r.route].method, bm_routes[i].method);
        }
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literal_segments),
        cmocka_unit_test(test_placeholders),
        cmocka_unit_test(test_methods),
        cmocka_unit_test(test_real_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
