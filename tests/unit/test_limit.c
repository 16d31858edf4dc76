/*
 * Unit tests for src/core/limit.c: requests per key in fixed windows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/limit.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define T 1800000000 /* a multiple of 60: the start of a minute */

static void
test_within_and_past_the_limit(void **state)
{
    struct bm_limit_slot slots[64];
    int retry = -1;

    (void)state;
    memset(slots, 0, sizeof(slots));
    for (int i = 0; i < 3; i++)
        assert_true(bm_limit_hit(slots, N_OF(slots), "10.0.0.1", T + 10, 60, 3, &retry));
    assert_int_equal(retry, -1); /* untouched while allowed */
    assert_false(bm_limit_hit(slots, N_OF(slots), "10.0.0.1", T + 15, 60, 3, &retry));
    assert_int_equal(retry, 45); /* to the next minute */
    assert_false(bm_limit_hit(slots, N_OF(slots), "10.0.0.1", T + 59, 60, 3, &retry));
    assert_int_equal(retry, 1);
    /* The next window counts afresh. */
    assert_true(bm_limit_hit(slots, N_OF(slots), "10.0.0.1", T + 60, 60, 3, &retry));
}

static void
test_keys_apart(void **state)
{
    struct bm_limit_slot slots[4096];

    (void)state;
    memset(slots, 0, sizeof(slots));
    assert_true(bm_limit_hit(slots, N_OF(slots), "10.0.0.1", T, 60, 1, NULL));
    assert_false(bm_limit_hit(slots, N_OF(slots), "10.0.0.1", T, 60, 1, NULL));
    assert_true(bm_limit_hit(slots, N_OF(slots), "10.0.0.2", T, 60, 1, NULL));
    assert_true(bm_limit_hit(slots, N_OF(slots), "2001:db8::1", T, 60, 1, NULL));
    assert_false(bm_limit_hit(slots, N_OF(slots), "10.0.0.2", T, 60, 1, NULL));
}

/* One slot: a second key takes it over and the first starts again (lets through, never
 * refuses a key for another's requests). */
static void
test_slot_taken_over(void **state)
{
    struct bm_limit_slot slot[1];

    (void)state;
    memset(slot, 0, sizeof(slot));
    assert_true(bm_limit_hit(slot, 1, "a", T, 60, 1, NULL));
    assert_false(bm_limit_hit(slot, 1, "a", T, 60, 1, NULL));
    assert_true(bm_limit_hit(slot, 1, "b", T, 60, 1, NULL));
    assert_true(bm_limit_hit(slot, 1, "a", T, 60, 1, NULL));
}

static void
test_no_limit(void **state)
{
    struct bm_limit_slot slots[8];

    (void)state;
    memset(slots, 0, sizeof(slots));
    for (int i = 0; i < 1000; i++)
        assert_true(bm_limit_hit(slots, N_OF(slots), "10.0.0.1", T, 60, 0, NULL));
}

/* A key longer than a slot's is cut, and still counted. */
static void
test_long_key(void **state)
{
    struct bm_limit_slot slots[8];
    char k[200];

    (void)state;
    memset(slots, 0, sizeof(slots));
    memset(k, 'x', sizeof(k) - 1);
    k[sizeof(k) - 1] = '\0';
    assert_true(bm_limit_hit(slots, N_OF(slots), k, T, 60, 1, NULL));
    assert_false(bm_limit_hit(slots, N_OF(slots), k, T, 60, 1, NULL));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_within_and_past_the_limit),
        cmocka_unit_test(test_keys_apart),
        cmocka_unit_test(test_slot_taken_over),
        cmocka_unit_test(test_no_limit),
        cmocka_unit_test(test_long_key),
    };
    return cmocka_run_group_tests_name("limit", tests, NULL, NULL);
}
