/*
 * The supervision records' lifecycle (src/core/supervision.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/supervision.h"

/* Every (kind, status, action): the next status, or -1 where the step is refused. */
static void
test_steps(void **state)
{
    static const struct {
        enum bm_sup_kind k;
        enum bm_sup_status s;
        enum bm_sup_action a;
        int next;
    } cases[] = {
        {BM_SUP_NOTICE, BM_SUP_OPEN, BM_SUP_ANSWER, BM_SUP_ANSWERED},
        {BM_SUP_NOTICE, BM_SUP_ANSWERED, BM_SUP_ANSWER, -1},
        {BM_SUP_NOTICE, BM_SUP_OPEN, BM_SUP_APPEAL, -1},
        {BM_SUP_NOTICE, BM_SUP_OPEN, BM_SUP_CLOSE, -1},
        {BM_SUP_NOTICE, BM_SUP_ANSWERED, BM_SUP_CLOSE, BM_SUP_CLOSED},
        {BM_SUP_NOTICE, BM_SUP_CLOSED, BM_SUP_CLOSE, -1},
        {BM_SUP_YELLOW_CARD, BM_SUP_OPEN, BM_SUP_ANSWER, BM_SUP_ANSWERED},
        {BM_SUP_YELLOW_CARD, BM_SUP_OPEN, BM_SUP_APPEAL, BM_SUP_APPEALED},
        {BM_SUP_RED_CARD, BM_SUP_ANSWERED, BM_SUP_APPEAL, BM_SUP_APPEALED},
        {BM_SUP_RED_CARD, BM_SUP_CLOSED, BM_SUP_APPEAL, -1},
        {BM_SUP_RED_CARD, BM_SUP_REVOKED, BM_SUP_APPEAL, -1},
        {BM_SUP_RED_CARD, BM_SUP_APPEALED, BM_SUP_UPHOLD_APPEAL, BM_SUP_REVOKED},
        {BM_SUP_RED_CARD, BM_SUP_APPEALED, BM_SUP_REJECT_APPEAL, BM_SUP_CLOSED},
        {BM_SUP_RED_CARD, BM_SUP_APPEALED, BM_SUP_CLOSE, -1},
        {BM_SUP_RED_CARD, BM_SUP_ANSWERED, BM_SUP_UPHOLD_APPEAL, -1},
        {BM_SUP_YELLOW_CARD, BM_SUP_OPEN, BM_SUP_REJECT_APPEAL, -1},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct bm_err err;
        enum bm_sup_status next = BM_SUP_STATUS_COUNT;
        enum bm_rc rc;

        bm_err_clear(&err);
        rc = bm_sup_step(cases[i].k, cases[i].s, cases[i].a, &next, &err);
        if (cases[i].next < 0) {
            assert_int_equal(rc, BM_ETRANSITION);
            assert_true(err.message[0] != '\0');
        } else {
            assert_int_equal(rc, BM_OK);
            assert_int_equal(next, cases[i].next);
        }
    }
}

static void
test_sides_and_codes(void **state)
{
    (void)state;
    assert_false(bm_sup_by_supervisor(BM_SUP_ANSWER));
    assert_false(bm_sup_by_supervisor(BM_SUP_APPEAL));
    assert_true(bm_sup_by_supervisor(BM_SUP_CLOSE));
    assert_true(bm_sup_by_supervisor(BM_SUP_UPHOLD_APPEAL));
    assert_true(bm_sup_by_supervisor(BM_SUP_REJECT_APPEAL));
    assert_int_equal(bm_sup_answer_days(BM_SUP_YELLOW_CARD), 2); /* domain.md 3.3 */
    assert_int_equal(bm_sup_answer_days(BM_SUP_RED_CARD), 2);
    assert_int_equal(bm_sup_answer_days(BM_SUP_NOTICE), 3);
    assert_int_equal(bm_code_find(bm_sup_kinds, "red_card"), BM_SUP_RED_CARD);
    assert_int_equal(bm_code_find(bm_sup_statuses, "revoked"), BM_SUP_REVOKED);
    assert_int_equal(bm_code_find(bm_sup_actions, "uphold_appeal"), BM_SUP_UPHOLD_APPEAL);
    assert_int_equal(bm_code_find(bm_sup_rules, "overdue"), BM_SUP_RULE_OVERDUE);
    assert_int_equal(bm_code_find(bm_sup_rules, "yellow_unresolved"),
                     BM_SUP_RULE_YELLOW_UNRESOLVED);
    assert_int_equal(bm_code_find(bm_sup_kinds, "orange_card"), -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_steps),
        cmocka_unit_test(test_sides_and_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
