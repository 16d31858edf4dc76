/*
 * Unit tests for src/util/arena.c: zeroed aligned allocation, the byte cap, string copies
 * and printf, deferred cleanups (run last-registered first, before memory goes) and free(NULL).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util/arena.h"

static void
test_alloc_zeroed_aligned_distinct(void **state)
{
    static const size_t sizes[] = {1, 3, 16, 17, 100, 8000, 8192, 20000, 1};
    unsigned char *prev = NULL;
    size_t prev_n = 0;
    struct bm_arena *a = bm_arena_new(1 << 20);

    (void)state;
    assert_non_null(a);
    assert_int_equal(bm_arena_used(a), 0);
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        size_t used_before = bm_arena_used(a);
        unsigned char *p = bm_arena_alloc(a, sizes[i]);

        assert_non_null(p);
        assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
        for (size_t k = 0; k < sizes[i]; k++)
            assert_int_equal(p[k], 0);
        assert_true(bm_arena_used(a) >= used_before + sizes[i]);
        /* Scribble over the whole block: the previous one must be untouched. */
        memset(p, 0xA5, sizes[i]);
        if (prev != NULL) {
            for (size_t k = 0; k < prev_n; k++)
                assert_int_equal(prev[k], 0xA5);
        }
        prev = p;
        prev_n = sizes[i];
    }
    bm_arena_free(a);
}

/* A sequence of allocations against a cap; each step says whether it must succeed. */
static void
test_cap_refusal(void **state)
{
    static const struct {
        size_t cap;
        size_t sizes[4];
        int n;
        bool ok[4];
    } cases[] = {
        {64, {64}, 1, {true}},                                  /* exactly the cap */
        {64, {65}, 1, {false}},                                 /* one past the cap */
        {100, {64, 64, 32}, 3, {true, false, true}},            /* refusal spends nothing */
        {0, {1}, 1, {false}},                                   /* a zero cap refuses all */
        {1 << 20, {SIZE_MAX}, 1, {false}},                      /* no wrap-around */
        {1 << 20, {SIZE_MAX - 8}, 1, {false}},
        {1 << 20, {(1 << 20) - 16, 16, 1}, 3, {true, true, false}},
    };

    (void)state;
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        struct bm_arena *a = bm_arena_new(cases[c].cap);
        for (int i = 0; i < cases[c].n; i++) {
            size_t before = bm_arena_used(a);
            void *p = bm_arena_alloc(a, cases[c].sizes[i]);
            if (cases[c].ok[i]) {
                assert_non_null(p);
            } else {
                assert_null(p);
                assert_int_equal(bm_arena_used(a), before);
            }
            assert_true(bm_arena_used(a) <= cases[c].cap);
        }
        bm_arena_free(a);
    }
}

static void
test_strdup_strndup(void **state)
{
    static const char src[] = "便民服务 abc";
    struct bm_arena *a = bm_arena_new(4096);
    char *d, *n3, *n0, *full;

    (void)state;
    d = bm_arena_strdup(a, src);
    assert_non_null(d);
    assert_ptr_not_equal(d, src);
    assert_string_equal(d, src);

    /* strndup copies exactly n bytes and terminates, even from the middle of a string. */
    n3 = bm_arena_strndup(a, "abcdef", 3);
    assert_string_equal(n3, "abc");
    n0 = bm_arena_strndup(a, "abcdef", 0);
    assert_non_null(n0);
    assert_string_equal(n0, "");
    /* Source need not be terminated within n bytes. */
    full = bm_arena_strndup(a, (const char[4]){'w', 'x', 'y', 'z'}, 4);
    assert_string_equal(full, "wxyz");

    /* Copies are independent of each other. */
    d[0] = 'Z';
    assert_string_equal(n3, "abc");
    bm_arena_free(a);
}

static void
test_printf(void **state)
{
    struct bm_arena *a = bm_arena_new(1 << 16);
    char *s, *big;

    (void)state;
    s = bm_arena_printf(a, "%s-%d-%05.1f", "案件", 42, 3.5);
    assert_string_equal(s, "案件-42-003.5");
    assert_string_equal(bm_arena_printf(a, "%s", ""), "");
    /* Longer than any internal guess: the result must be complete. */
    big = bm_arena_printf(a, "%9999d|", 7);
    assert_non_null(big);
    assert_int_equal(strlen(big), 10000);
    assert_int_equal(big[9998], '7');
    assert_int_equal(big[9999], '|');
    bm_arena_free(a);
}

static void
test_strings_past_cap(void **state)
{
    struct bm_arena *a = bm_arena_new(32);
    size_t used;

    (void)state;
    /* 32 bytes of text need 33 with the terminator. */
    assert_null(bm_arena_strdup(a, "0123456789abcdef0123456789abcdef"));
    assert_null(bm_arena_strndup(a, "0123456789abcdef0123456789abcdef", 32));
    assert_null(bm_arena_printf(a, "%032d", 1));
    assert_int_equal(bm_arena_used(a), 0);
    assert_string_equal(bm_arena_strdup(a, "short"), "short");
    used = bm_arena_used(a);
    assert_null(bm_arena_printf(a, "%030d", 5));
    assert_int_equal(bm_arena_used(a), used);
    bm_arena_free(a);
}

/* Deferred cleanups record the order they ran in. */
static int ran[8];
static int n_ran;

static void
record(void *ptr)
{
    ran[n_ran++] = *(int *)ptr;
}

static void
test_defer_reverse_order(void **state)
{
    static int ids[] = {1, 2, 3, 4};
    struct bm_arena *a = bm_arena_new(4096);

    (void)state;
    n_ran = 0;
    for (int i = 0; i < 4; i++)
        assert_int_equal(bm_arena_defer(a, record, &ids[i]), BM_OK);
    /* Nothing runs before the arena is freed. */
    assert_int_equal(n_ran, 0);
    bm_arena_free(a);
    assert_int_equal(n_ran, 4);
    assert_int_equal(ran[0], 4);
    assert_int_equal(ran[1], 3);
    assert_int_equal(ran[2], 2);
    assert_int_equal(ran[3], 1);
}

/* A cleanup may still read arena memory (AddressSanitizer would catch a use after free). */
static char seen[64];

static void
copy_out(void *ptr)
{
    snprintf(seen, sizeof(seen), "%s", (const char *)ptr);
}

static void
test_defer_runs_before_memory_is_freed(void **state)
{
    struct bm_arena *a = bm_arena_new(1 << 16);
    char *s;

    (void)state;
    seen[0] = '\0';
    s = bm_arena_strdup(a, "statement");
    assert_int_equal(bm_arena_defer(a, copy_out, s), BM_OK);
    /* Force more blocks after the one holding the string and the cleanup record. */
    assert_non_null(bm_arena_alloc(a, 10000));
    assert_non_null(bm_arena_alloc(a, 10000));
    bm_arena_free(a);
    assert_string_equal(seen, "statement");
}

static void
test_defer_past_cap(void **state)
{
    static int id = 9;
    struct bm_arena *a = bm_arena_new(16);

    (void)state;
    n_ran = 0;
    assert_non_null(bm_arena_alloc(a, 16));
    assert_int_equal(bm_arena_defer(a, record, &id), BM_ETOOBIG);
    bm_arena_free(a);
    /* A refused registration must not run. */
    assert_int_equal(n_ran, 0);
}

static void
test_free_null_is_noop(void **state)
{
    (void)state;
    bm_arena_free(NULL);
    assert_true(true);
}

/* An array grown one element at a time keeps every element, doubling from 16. */
static void
test_grow_keeps_elements(void **state)
{
    struct bm_arena *a = bm_arena_new(1 << 20);
    int64_t *arr = NULL;
    size_t cap = 0, n;

    (void)state;
    for (n = 0; n < 100; n++) {
        assert_true(bm_arena_grow(a, (void **)&arr, &cap, n, sizeof(*arr)));
        arr[n] = (int64_t)n * 7;
    }
    assert_int_equal(cap, 128);
    for (n = 0; n < 100; n++)
        assert_int_equal(arr[n], (int64_t)n * 7);
    /* Room left: no move. */
    int64_t *before = arr;
    assert_true(bm_arena_grow(a, (void **)&arr, &cap, 100, sizeof(*arr)));
    assert_ptr_equal(arr, before);
    bm_arena_free(a);
}

/* Past the arena's cap growing fails and leaves the array as it was. */
static void
test_grow_past_cap(void **state)
{
    struct bm_arena *a = bm_arena_new(4096);
    char *arr = NULL;
    size_t cap = 0, n = 0;

    (void)state;
    while (bm_arena_grow(a, (void **)&arr, &cap, n, 64))
        arr[64 * n++] = 'x';
    assert_true(n > 0);
    assert_int_equal(n, cap);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(arr[64 * i], 'x');
    /* An element size that would overflow the doubled count is refused too. */
    cap = SIZE_MAX / 4;
    assert_false(bm_arena_grow(a, (void **)&arr, &cap, cap, 16));
    bm_arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_zeroed_aligned_distinct),
        cmocka_unit_test(test_cap_refusal),
        cmocka_unit_test(test_strdup_strndup),
        cmocka_unit_test(test_printf),
        cmocka_unit_test(test_strings_past_cap),
        cmocka_unit_test(test_defer_reverse_order),
        cmocka_unit_test(test_defer_runs_before_memory_is_freed),
        cmocka_unit_test(test_defer_past_cap),
        cmocka_unit_test(test_free_null_is_noop),
        cmocka_unit_test(test_grow_keeps_elements),
        cmocka_unit_test(test_grow_past_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
