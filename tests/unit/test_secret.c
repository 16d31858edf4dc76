/*
 * Unit tests for src/core/secret.c: query codes, tokens and request ids.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/secret.h"

static int
setup(void **state)
{
    (void)state;
    return bm_secret_init() ? 0 : -1;
}

/* Every length gets that many decimal digits and a terminator. */
static void
test_digits_shape(void **state)
{
    char out[17];
    (void)state;
    for (int n = 1; n <= 15; n++) {
        memset(out, 'x', sizeof(out));
        bm_secret_digits(out, n);
        assert_int_equal(strlen(out), n);
        for (int i = 0; i < n; i++)
            assert_true(out[i] >= '0' && out[i] <= '9');
    }
}

/* Each digit value turns up about as often as any other, in every position: a stuck or
 * skewed position would show. The bounds are seven standard deviations wide, so that chance
 * alone does not fail the test. */
static void
test_digits_uniform(void **state)
{
    enum { ROUNDS = 40000, DIGITS = 6 };
    static long count[DIGITS][10];
    char out[DIGITS + 1];
    (void)state;
    for (int r = 0; r < ROUNDS; r++) {
        bm_secret_digits(out, DIGITS);
        for (int i = 0; i < DIGITS; i++)
            count[i][out[i] - '0']++;
    }
    for (int i = 0; i < DIGITS; i++)
        for (int d = 0; d < 10; d++)
            assert_in_range(count[i][d], ROUNDS / 10 - 420, ROUNDS / 10 + 420);
}

/* Two codes in a row differ (a generator that repeated itself would give equal ones). */
static void
test_digits_differ(void **state)
{
    char a[16], b[16];
    (void)state;
    bm_secret_digits(a, 15);
    bm_secret_digits(b, 15);
    assert_string_not_equal(a, b);
}

static void
test_token_and_request_id(void **state)
{
    char t1[BM_SECRET_TOKEN_LEN + 1], t2[BM_SECRET_TOKEN_LEN + 1], r1[17], r2[17], r3[17];
    unsigned char key[BM_SECRET_RID_KEY_LEN];
    (void)state;
    bm_secret_token(t1);
    bm_secret_token(t2);
    assert_int_equal(strlen(t1), BM_SECRET_TOKEN_LEN);
    assert_string_not_equal(t1, t2);
    assert_int_equal(strspn(t1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                     BM_SECRET_TOKEN_LEN);
    memset(key, 3, sizeof(key));
    bm_secret_request_id(key, 1, r1);
    bm_secret_request_id(key, 1, r2);
    bm_secret_request_id(key, 2, r3);
    assert_int_equal(strlen(r1), 16);
    assert_string_equal(r1, r2);
    assert_string_not_equal(r1, r3);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_digits_shape),
        cmocka_unit_test(test_digits_uniform),
        cmocka_unit_test(test_digits_differ),
        cmocka_unit_test(test_token_and_request_id),
    };
    return cmocka_run_group_tests_name("secret", tests, setup, NULL);
}
