/*
 * Unit tests for src/core/rating.c: the level and reason tables, the rule that bad ratings
 * need a reason (docs/domain.md 4.2), the 7-day rating window (4.3), every rectification
 * action tried from every state (4.4), whole task histories and the overdue rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/rating.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void
test_levels(void **state)
{
    (void)state;
    assert_string_equal(bm_rating_levels[5].zh, "非常满意");
    assert_string_equal(bm_rating_levels[4].zh, "满意");
    assert_string_equal(bm_rating_levels[3].zh, "基本满意");
    assert_string_equal(bm_rating_levels[2].zh, "不满意");
    assert_string_equal(bm_rating_levels[1].zh, "非常不满意");
    for (int l = -1; l <= 7; l++)
        assert_int_equal(bm_rating_is_bad(l), l == 1 || l == 2);
    /* Every reason has a code and a Chinese label, and codes are distinct. */
    for (int i = 0; bm_rating_reasons[i].code != NULL; i++) {
        assert_true(strlen(bm_rating_reasons[i].zh) > 0);
        assert_int_equal(bm_code_find(bm_rating_reasons, bm_rating_reasons[i].code), i);
    }
    assert_int_equal(bm_code_find(bm_rating_channels, "online"), 0);
    assert_int_equal(bm_code_find(bm_rating_channels, "window_device"), 1);
}

static void
test_check(void **state)
{
    static const struct {
        int level;
        const char *reasons[10];
        size_t n;
        bool ok;
        const char *field; /* the field named when refused */
    } cases[] = {
        {5, {NULL}, 0, true, NULL},
        {4, {NULL}, 0, true, NULL},
        {3, {NULL}, 0, true, NULL},
        {3, {"slow"}, 1, true, NULL},          /* a reason is allowed on any level */
        {2, {NULL}, 0, false, "reasons"},      /* bad ratings must say why */
        {1, {NULL}, 0, false, "reasons"},
        {2, {"poor_attitude"}, 1, true, NULL},
        {1, {"slow", "extra_visits"}, 2, true, NULL},
        {1, {"slow", "slow"}, 2, false, "reasons"},
        {1, {"rude"}, 1, false, "reasons"},
        {0, {NULL}, 0, false, "level"},
        {6, {NULL}, 0, false, "level"},
        {-3, {NULL}, 0, false, "level"},
        {1, {"slow", "guide_inaccurate", "inconvenient", "platform_hard", "poor_skill",
             "poor_attitude", "extra_visits", "other", "slow"}, 9, false, "reasons"},
    };
    (void)state;
    for (size_t i = 0; i < N(cases); i++) {
        struct bm_err err;
        enum bm_rc rc;
        bm_err_clear(&err);
        rc = bm_rating_check(cases[i].level, cases[i].reasons, cases[i].n, &err);
        if ((rc == BM_OK) != cases[i].ok)
            fail_msg("case %zu: rc %d", i, (int)rc);
        if (!cases[i].ok) {
            assert_int_equal(rc, BM_EINVAL);
            assert_true(err.n_fields > 0);
            assert_string_equal(err.fields[0].field, cases[i].field);
            assert_true(strlen(err.fields[0].message) > 0);
        }
    }
}

static void
test_window(void **state)
{
    const int64_t closed = 1790000000;
    (void)state;
    assert_false(bm_rating_window_open(0, closed));          /* never delivered */
    assert_true(bm_rating_window_open(closed, closed));
    assert_true(bm_rating_window_open(closed, closed + 7 * 86400));
    assert_false(bm_rating_window_open(closed, closed + 7 * 86400 + 1));
    assert_false(bm_rating_window_open(closed, closed - 1)); /* a clock that went back */
}

/* Every action from every state (with and without a callback): the table of rating.h. */
static void
test_every_transition(void **state)
{
    /* [status][action] -> next status, or -1 if illegal; the called-back variant differs
     * only for reject_appeal. */
    static const int next[BM_RECT_STATUS_COUNT][BM_RECT_ACTION_COUNT] = {
        /*                  callback rectify explain close appeal uphold reject */
        [BM_RECT_OPEN] = {BM_RECT_CALLED_BACK, -1, -1, -1, BM_RECT_APPEALED, -1, -1},
        [BM_RECT_CALLED_BACK] = {-1, BM_RECT_RECTIFIED, BM_RECT_EXPLAINED, -1, BM_RECT_APPEALED,
                                 -1, -1},
        [BM_RECT_RECTIFIED] = {-1, -1, -1, BM_RECT_CLOSED, -1, -1, -1},
        [BM_RECT_EXPLAINED] = {-1, -1, -1, BM_RECT_CLOSED, -1, -1, -1},
        [BM_RECT_CLOSED] = {-1, -1, -1, -1, -1, -1, -1},
        [BM_RECT_APPEALED] = {-1, -1, -1, -1, -1, BM_RECT_UPHELD, BM_RECT_OPEN},
        [BM_RECT_UPHELD] = {-1, -1, -1, -1, -1, -1, -1},
    };
    static const enum bm_rect_actor by[BM_RECT_ACTION_COUNT] = {
        BM_RECT_BY_UNIT,       BM_RECT_BY_UNIT,       BM_RECT_BY_UNIT,      BM_RECT_BY_SUPERVISOR,
        BM_RECT_BY_UNIT,       BM_RECT_BY_SUPERVISOR, BM_RECT_BY_SUPERVISOR,
    };
    (void)state;
    for (int st = 0; st < BM_RECT_STATUS_COUNT; st++)
        for (int cb = 0; cb < 2; cb++)
            for (int a = 0; a < BM_RECT_ACTION_COUNT; a++) {
                struct bm_rect_state s = {.status = (enum bm_rect_status)st, .is_called_back = cb};
                struct bm_err err;
                int want = next[st][a];
                enum bm_rc rc;
                if (want == BM_RECT_OPEN && cb)
                    want = BM_RECT_CALLED_BACK;
                bm_err_clear(&err);
                rc = bm_rect_step(&s, (enum bm_rect_action)a, &err);
                if (want < 0) {
                    if (rc != BM_ETRANSITION || (int)s.status != st)
                        fail_msg("%s from %s: rc %d", bm_rect_actions[a].code,
                                 bm_rect_statuses[st].code, (int)rc);
                    assert_non_null(strstr(err.message, bm_rect_statuses[st].zh));
                    assert_non_null(strstr(err.message, bm_rect_actions[a].zh));
                } else {
                    if (rc != BM_OK || (int)s.status != want)
                        fail_msg("%s from %s: rc %d, status %d", bm_rect_actions[a].code,
                                 bm_rect_statuses[st].code, (int)rc, (int)s.status);
                    assert_int_equal(s.actor, by[a]);
                }
                /* Probing without an error struct gives the same answer. */
                s = (struct bm_rect_state){.status = (enum bm_rect_status)st, .is_called_back = cb};
                assert_int_equal(bm_rect_step(&s, (enum bm_rect_action)a, NULL) == BM_OK,
                                 want >= 0);
            }
}

static void
test_histories(void **state)
{
    static const struct {
        enum bm_rect_action steps[5];
        size_t n;
        enum bm_rect_status end;
    } h[] = {
        {{BM_RECT_CALLBACK, BM_RECT_RECTIFY, BM_RECT_CLOSE}, 3, BM_RECT_CLOSED},
        {{BM_RECT_CALLBACK, BM_RECT_EXPLAIN, BM_RECT_CLOSE}, 3, BM_RECT_CLOSED},
        {{BM_RECT_APPEAL, BM_RECT_UPHOLD_APPEAL}, 2, BM_RECT_UPHELD},
        /* A rejected appeal goes back to where the task was, and the work goes on. */
        {{BM_RECT_CALLBACK, BM_RECT_APPEAL, BM_RECT_REJECT_APPEAL, BM_RECT_RECTIFY, BM_RECT_CLOSE},
         5, BM_RECT_CLOSED},
        {{BM_RECT_APPEAL, BM_RECT_REJECT_APPEAL, BM_RECT_CALLBACK}, 3, BM_RECT_CALLED_BACK},
    };
    (void)state;
    for (size_t i = 0; i < N(h); i++) {
        struct bm_rect_state s = {.status = BM_RECT_OPEN};
        for (size_t k = 0; k < h[i].n; k++)
            assert_int_equal(bm_rect_step(&s, h[i].steps[k], NULL), BM_OK);
        assert_int_equal(s.status, h[i].end);
    }
}

static void
test_predicates(void **state)
{
    (void)state;
    for (int s = 0; s < BM_RECT_STATUS_COUNT; s++) {
        assert_int_equal(bm_rect_is_final((enum bm_rect_status)s),
                         s == BM_RECT_CLOSED || s == BM_RECT_UPHELD);
        assert_int_equal(bm_rect_has_feedback((enum bm_rect_status)s),
                         s == BM_RECT_RECTIFIED || s == BM_RECT_EXPLAINED || s == BM_RECT_CLOSED);
    }
    /* Callback due day 10, rectification due day 14. */
    assert_false(bm_rect_is_overdue(BM_RECT_OPEN, 10, 14, 10));
    assert_true(bm_rect_is_overdue(BM_RECT_OPEN, 10, 14, 11));
    assert_false(bm_rect_is_overdue(BM_RECT_CALLED_BACK, 10, 14, 14));
    assert_true(bm_rect_is_overdue(BM_RECT_CALLED_BACK, 10, 14, 15));
    assert_true(bm_rect_is_overdue(BM_RECT_APPEALED, 10, 14, 15));
    assert_false(bm_rect_is_overdue(BM_RECT_RECTIFIED, 10, 14, 30));
    assert_false(bm_rect_is_overdue(BM_RECT_EXPLAINED, 10, 14, 30));
    assert_false(bm_rect_is_overdue(BM_RECT_CLOSED, 10, 14, 30));
    assert_false(bm_rect_is_overdue(BM_RECT_UPHELD, 10, 14, 30));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_levels),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_window),
        cmocka_unit_test(test_every_transition),
        cmocka_unit_test(test_histories),
        cmocka_unit_test(test_predicates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
