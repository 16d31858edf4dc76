/*
 * Case statistics (src/core/stats.c): what a case adds to the summary, what a change
 * moves, the period's ranges, and the figures of docs/domain.md 3.4's worked example.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/stats.h"

static bm_day
day(int y, int m, int d)
{
    bm_day out = 0;
    assert_true(bm_day_from_ymd(y, m, d, &out));
    return out;
}

/* Noon, China Standard Time, of day d. */
static int64_t
noon(bm_day d)
{
    return (int64_t)d * 86400 + 4 * 3600;
}

static void
test_top_unit(void **state)
{
    (void)state;
    assert_int_equal(bm_stat_top_unit("/1/4/17/"), 4);
    assert_int_equal(bm_stat_top_unit("/1/4/"), 4);
    assert_int_equal(bm_stat_top_unit("/12/345/6/7/"), 345);
    assert_int_equal(bm_stat_top_unit("/1/"), 1);
    assert_int_equal(bm_stat_top_unit(""), 0);
    assert_int_equal(bm_stat_top_unit("/1/x/"), 0);
    assert_int_equal(bm_stat_top_unit(NULL), 0);
}

static void
test_ranges(void **state)
{
    struct bm_stat_range r[3];
    (void)state;

    /* A whole month: its month row only. */
    assert_int_equal(bm_stat_ranges(day(2026, 3, 1), day(2026, 3, 31), r), 1);
    assert_true(r[0].is_month);
    assert_int_equal(r[0].lo, day(2026, 3, 1));
    assert_int_equal(r[0].hi, day(2026, 3, 31));
    /* Inside one month: days only. */
    assert_int_equal(bm_stat_ranges(day(2026, 3, 5), day(2026, 3, 20), r), 1);
    assert_false(r[0].is_month);
    assert_int_equal(r[0].lo, day(2026, 3, 5));
    assert_int_equal(r[0].hi, day(2026, 3, 20));
    /* Ragged ends around whole months: days, months, days. */
    assert_int_equal(bm_stat_ranges(day(2025, 12, 20), day(2026, 3, 10), r), 3);
    assert_false(r[0].is_month);
    assert_int_equal(r[0].lo, day(2025, 12, 20));
    assert_int_equal(r[0].hi, day(2025, 12, 31));
    assert_true(r[1].is_month);
    assert_int_equal(r[1].lo, day(2026, 1, 1));
    assert_int_equal(r[1].hi, day(2026, 2, 28));
    assert_false(r[2].is_month);
    assert_int_equal(r[2].lo, day(2026, 3, 1));
    assert_int_equal(r[2].hi, day(2026, 3, 10));
    /* Across a month end without a whole month: days. */
    assert_int_equal(bm_stat_ranges(day(2026, 1, 15), day(2026, 2, 14), r), 1);
    assert_false(r[0].is_month);
    /* A year to date ending on a month's last day. */
    assert_int_equal(bm_stat_ranges(day(2026, 1, 1), day(2026, 11, 30), r), 1);
    assert_true(r[0].is_month);
    assert_int_equal(r[0].hi, day(2026, 11, 30));
    /* One day, and an empty period. */
    assert_int_equal(bm_stat_ranges(day(2026, 2, 28), day(2026, 2, 28), r), 1);
    assert_int_equal(bm_stat_ranges(day(2026, 3, 2), day(2026, 3, 1), r), 0);
    assert_int_equal(bm_stat_month_start(day(2024, 2, 29)), day(2024, 2, 1));
}

/* A case accepted at a window of township 4, handled by department 9, delivered, rated. */
static struct bm_stat_case
delivered_case(void)
{
    struct bm_stat_case c = {.accepting_path = "/1/4/17/", .handling_path = "/1/9/",
                             .item_id = 55, .online = false, .status = BM_CASE_DELIVERED,
                             .accept_day = day(2026, 3, 2), .due_day = day(2026, 3, 10),
                             .used_days = 6, .visits = 2, .rating_level = 2};
    c.submitted_at = noon(day(2026, 2, 27));
    c.decided_at = noon(day(2026, 3, 10));
    c.closed_at = noon(day(2026, 3, 12));
    c.rated_at = noon(day(2026, 4, 1));
    return c;
}

static const struct bm_stat_delta *
find(const struct bm_stat_delta *rows, size_t n, bool month, bm_day period)
{
    for (size_t i = 0; i < n; i++)
        if (rows[i].key.is_month == month && rows[i].key.period == period)
            return &rows[i];
    return NULL;
}

static void
test_rows_of_a_case(void **state)
{
    struct bm_stat_case c = delivered_case();
    struct bm_stat_delta rows[BM_STAT_MAX_ROWS];
    const struct bm_stat_delta *r;
    size_t n = bm_stat_rows(&c, 1, rows);
    (void)state;

    /* Received 2-27, accepted 3-02, completed 3-10 (6 days), delivered 3-12, rated 4-01:
     * five day rows and three month rows (February, March, April). */
    assert_int_equal(n, 8);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(rows[i].key.town_id, 4);
        assert_int_equal(rows[i].key.dept_id, 9);
        assert_int_equal(rows[i].key.item_id, 55);
    }
    r = find(rows, n, false, day(2026, 2, 27));
    assert_non_null(r);
    assert_int_equal(r->n[BM_STAT_RECEIVED], 1);
    assert_int_equal(r->n[BM_STAT_ONLINE], 0);
    assert_int_equal(r->n_days, 0);
    r = find(rows, n, false, day(2026, 3, 10));
    assert_non_null(r);
    assert_int_equal(r->n[BM_STAT_COMPLETED], 1);
    assert_int_equal(r->n[BM_STAT_ON_TIME], 1); /* on the due day */
    assert_int_equal(r->n[BM_STAT_EARLY], 0);
    assert_int_equal(r->n[BM_STAT_OVERDUE], 0);
    assert_int_equal(r->n[BM_STAT_DAYS_SUM], 6);
    assert_int_equal(r->n[BM_STAT_DAYS_KNOWN], 1);
    assert_int_equal(r->n_days, 1);
    assert_int_equal(r->days[0].used, 6);
    assert_int_equal(r->days[0].n, 1);
    /* March's month row holds acceptance, completion and delivery together. */
    r = find(rows, n, true, day(2026, 3, 1));
    assert_non_null(r);
    assert_int_equal(r->n[BM_STAT_ACCEPTED], 1);
    assert_int_equal(r->n[BM_STAT_DELIVERED], 1);
    assert_int_equal(r->n[BM_STAT_ONE_VISIT], 0); /* two visits */
    assert_int_equal(r->n[BM_STAT_COMPLETED], 1);
    assert_int_equal(r->n_days, 1);
    r = find(rows, n, true, day(2026, 4, 1));
    assert_non_null(r);
    assert_int_equal(r->n[BM_STAT_RATED], 1);
    assert_int_equal(r->n[BM_STAT_BAD], 1);
    assert_int_equal(r->n[BM_STAT_SATISFIED], 0);

    /* Negative: the same rows, every counter negated. */
    {
        struct bm_stat_delta neg[BM_STAT_MAX_ROWS];
        assert_int_equal(bm_stat_rows(&c, -1, neg), n);
        for (size_t i = 0; i < n; i++)
            for (int k = 0; k < BM_STAT_COUNT; k++)
                assert_int_equal(neg[i].n[k], -rows[i].n[k]);
        assert_int_equal(neg[4].n_days, rows[4].n_days);
    }
    /* More than BM_STAT_MAX_DAYS working days count as that many. */
    {
        struct bm_stat_case slow = c;
        slow.used_days = 5000;
        (void)bm_stat_rows(&slow, 1, rows);
        r = find(rows, n, false, day(2026, 3, 10));
        assert_int_equal(r->days[0].used, BM_STAT_MAX_DAYS);
    }
    /* A draft adds nothing; a rejected application counts as received and rejected. */
    c = (struct bm_stat_case){.accepting_path = "/1/4/", .handling_path = "/1/4/",
                              .status = BM_CASE_DRAFT, .accept_day = BM_DAY_NONE,
                              .due_day = BM_DAY_NONE, .used_days = -1};
    assert_int_equal(bm_stat_rows(&c, 1, rows), 0);
    c.status = BM_CASE_REJECTED;
    c.online = true;
    c.submitted_at = noon(day(2026, 5, 6));
    c.closed_at = noon(day(2026, 5, 6));
    n = bm_stat_rows(&c, 1, rows);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].n[BM_STAT_RECEIVED], 1);
    assert_int_equal(rows[0].n[BM_STAT_ONLINE], 1);
    assert_int_equal(rows[0].n[BM_STAT_REJECTED], 1);
    assert_int_equal(rows[0].n[BM_STAT_ACCEPTED], 0);
}

static void
test_diff(void **state)
{
    struct bm_stat_case before = delivered_case(), after;
    struct bm_stat_delta d[BM_STAT_MAX_DIFF];
    size_t n;
    (void)state;

    /* No change, nothing to write. */
    assert_int_equal(bm_stat_diff(&before, &before, d), 0);
    /* A new case: all its rows. */
    assert_int_equal(bm_stat_diff(NULL, &before, d), 8);
    /* The rating arrives: April's two rows, nothing else. */
    after = before;
    before.rating_level = 0;
    before.rated_at = 0;
    n = bm_stat_diff(&before, &after, d);
    assert_int_equal(n, 2);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(d[i].n[BM_STAT_RATED], 1);
        assert_int_equal(d[i].n[BM_STAT_RECEIVED], 0);
    }
    /* Transferred to department 12 before the decision: every row moves. */
    before = after = delivered_case();
    before.status = after.status = BM_CASE_PROCESSING;
    before.decided_at = after.decided_at = before.closed_at = after.closed_at = 0;
    before.rating_level = after.rating_level = 0;
    after.handling_path = "/1/12/";
    n = bm_stat_diff(&before, &after, d);
    assert_int_equal(n, 8); /* received and accepted, day and month, out of 9 into 12 */
    for (size_t i = 0; i < n; i++) {
        int64_t sum = d[i].n[BM_STAT_RECEIVED] + d[i].n[BM_STAT_ACCEPTED];
        assert_int_equal(sum, d[i].key.dept_id == 12 ? 1 : -1);
    }
    /* The decision: the completion rows appear, with the days used in the key. */
    before = after;
    after.status = BM_CASE_COMPLETED;
    after.decided_at = noon(day(2026, 3, 12));
    after.used_days = 8;
    n = bm_stat_diff(&before, &after, d);
    assert_int_equal(n, 2); /* the day 3-12 and March */
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(d[i].n[BM_STAT_OVERDUE], 1); /* after the due day, 3-10 */
        assert_int_equal(d[i].n[BM_STAT_ON_TIME], 0);
        assert_int_equal(d[i].n[BM_STAT_ACCEPTED], 0);
        assert_int_equal(d[i].n_days, 1);
        assert_int_equal(d[i].days[0].used, 8);
        assert_int_equal(d[i].days[0].n, 1);
    }
    /* The days used corrected on the same day: only the histogram moves, 8 out, 7 in. */
    before = after;
    after.used_days = 7;
    n = bm_stat_diff(&before, &after, d);
    assert_int_equal(n, 2);
    assert_int_equal(d[0].n[BM_STAT_DAYS_SUM], -1);
    assert_int_equal(d[0].n_days, 2);
    assert_int_equal(d[0].days[0].used + d[0].days[1].used, 15);
    assert_int_equal(d[0].days[0].n + d[0].days[1].n, 0);
}

static void
test_histogram(void **state)
{
    unsigned char h[BM_STAT_HIST_MAX];
    size_t len = 0;
    (void)state;

    assert_true(bm_stat_hist_add(h, &len, 3, 2));
    assert_int_equal(len, 16);
    assert_int_equal(bm_stat_hist_at(h, len, 3), 2);
    assert_int_equal(bm_stat_hist_at(h, len, 0), 0);
    assert_int_equal(bm_stat_hist_at(h, len, 40), 0);
    assert_true(bm_stat_hist_add(h, &len, 1, 1));
    assert_int_equal(len, 16);
    assert_false(bm_stat_hist_add(h, &len, 1, -2)); /* never below zero */
    assert_int_equal(bm_stat_hist_at(h, len, 1), 1);
    assert_true(bm_stat_hist_add(h, &len, 3, -2)); /* trailing zeros go */
    assert_int_equal(len, 8);
    assert_true(bm_stat_hist_add(h, &len, 1, -1));
    assert_int_equal(len, 0);
    assert_true(bm_stat_hist_add(h, &len, 100000, 1)); /* capped */
    assert_int_equal(len, BM_STAT_HIST_MAX);
    assert_int_equal(bm_stat_hist_at(h, len, BM_STAT_MAX_DAYS), 1);
    assert_false(bm_stat_hist_add(h, &len, -1, 1));
}

/* docs/domain.md 3.4: 400 closed cases, 392 by the due day (350 before it), 8 late; 120 with
 * no visit, 250 with one, 30 with more; 160 applied online. Two summary rows of one group. */
static void
test_worked_example(void **state)
{
    static unsigned char h1[BM_STAT_HIST_MAX], h2[BM_STAT_HIST_MAX];
    struct bm_stat_row rows[2];
    struct bm_stat_group g[2];
    size_t l1 = 0, l2 = 0;
    (void)state;

    memset(rows, 0, sizeof(rows));
    /* Days used: 200 cases took 2 days, 150 took 5, 42 took 9, 8 took 12; split over the
     * two rows. */
    assert_true(bm_stat_hist_add(h1, &l1, 2, 200));
    assert_true(bm_stat_hist_add(h1, &l1, 9, 40));
    assert_true(bm_stat_hist_add(h2, &l2, 5, 150));
    assert_true(bm_stat_hist_add(h2, &l2, 9, 2));
    assert_true(bm_stat_hist_add(h2, &l2, 12, 8));
    for (int i = 0; i < 2; i++) {
        rows[i].key = 7;
        rows[i].code = rows[i].name = "";
    }
    rows[0].days = h1;
    rows[0].days_len = l1;
    rows[1].days = h2;
    rows[1].days_len = l2;
    rows[0].n[BM_STAT_COMPLETED] = rows[0].n[BM_STAT_DAYS_KNOWN] = 240;
    rows[0].n[BM_STAT_DAYS_SUM] = 400 + 360;
    rows[0].n[BM_STAT_ON_TIME] = 240;
    rows[0].n[BM_STAT_EARLY] = 200;
    rows[1].n[BM_STAT_COMPLETED] = rows[1].n[BM_STAT_DAYS_KNOWN] = 160;
    rows[1].n[BM_STAT_DAYS_SUM] = 750 + 18 + 96;
    rows[1].n[BM_STAT_ON_TIME] = 152;
    rows[1].n[BM_STAT_EARLY] = 150;
    rows[1].n[BM_STAT_OVERDUE] = 8;
    rows[1].n[BM_STAT_DELIVERED] = 400;
    rows[1].n[BM_STAT_ONE_VISIT] = 370;
    rows[1].n[BM_STAT_ZERO_VISIT] = 120;
    rows[1].n[BM_STAT_RECEIVED] = 400;
    rows[1].n[BM_STAT_ONLINE] = 160;
    rows[1].n[BM_STAT_RATED] = 50;
    rows[1].n[BM_STAT_SATISFIED] = 48;
    rows[1].n[BM_STAT_BAD] = 2;

    assert_int_equal(bm_stat_summarize(rows, 2, g), 1);
    assert_int_equal(g[0].key, 7);
    assert_int_equal(g[0].n[BM_STAT_COMPLETED], 400);
    assert_float_equal(g[0].on_time_rate, 0.98, 1e-9);
    assert_float_equal(g[0].early_rate, 0.875, 1e-9);
    assert_float_equal(g[0].overdue_rate, 0.02, 1e-9);
    assert_float_equal(g[0].one_visit_rate, 0.925, 1e-9);
    assert_float_equal(g[0].zero_visit_rate, 0.30, 1e-9);
    assert_float_equal(g[0].online_rate, 0.40, 1e-9);
    assert_float_equal(g[0].satisfaction_rate, 0.96, 1e-9);
    assert_float_equal(g[0].avg_days, (400.0 + 750 + 378 + 96) / 400, 1e-9);
    /* 90th percentile, nearest rank: the 360th of 400 sorted; 350 took at most 5 days. */
    assert_int_equal(g[0].p90_days, 9);
    assert_float_equal(g[0].same_day_rate, 0.0, 1e-9);
    assert_true(g[0].rejection_rate < 0); /* nothing accepted or refused: no rate */
}

static void
test_groups(void **state)
{
    static unsigned char h[3][BM_STAT_HIST_MAX];
    size_t len[3] = {0, 0, 0};
    struct bm_stat_row rows[5];
    struct bm_stat_group g[5];
    (void)state;

    assert_true(bm_stat_hist_add(h[0], &len[0], 3, 2));
    assert_true(bm_stat_hist_add(h[1], &len[1], 1, 1));
    assert_true(bm_stat_hist_add(h[2], &len[2], 1, 4));
    memset(rows, 0, sizeof(rows));
    rows[0] = (struct bm_stat_row){.key = 0, .code = "B", .name = "乙", .days = h[0],
                                   .days_len = len[0]};
    rows[1] = (struct bm_stat_row){.key = 0, .code = "A", .name = "甲", .days = h[1],
                                   .days_len = len[1]};
    rows[2] = (struct bm_stat_row){.key = 0, .code = "B", .name = ""};
    rows[3] = (struct bm_stat_row){.key = 0, .code = "A", .name = "甲", .days = h[2],
                                   .days_len = len[2]};
    rows[4] = (struct bm_stat_row){.key = 0, .code = "C", .name = "丙"};
    rows[0].n[BM_STAT_DAYS_KNOWN] = rows[0].n[BM_STAT_COMPLETED] = 2;
    rows[1].n[BM_STAT_DAYS_KNOWN] = rows[1].n[BM_STAT_COMPLETED] = 1;
    rows[3].n[BM_STAT_DAYS_KNOWN] = rows[3].n[BM_STAT_COMPLETED] = 4;
    rows[2].n[BM_STAT_RECEIVED] = 9;
    assert_int_equal(bm_stat_summarize(rows, 5, g), 3);
    assert_string_equal(g[0].code, "A");
    assert_int_equal(g[0].n[BM_STAT_COMPLETED], 5);
    assert_int_equal(g[0].p90_days, 1);
    assert_string_equal(g[1].code, "B");
    assert_string_equal(g[1].name, "乙");
    assert_int_equal(g[1].n[BM_STAT_RECEIVED], 9);
    assert_int_equal(g[1].p90_days, 3);
    assert_string_equal(g[2].code, "C");
    assert_int_equal(g[2].p90_days, -1); /* nothing completed */
    assert_true(g[2].avg_days < 0);
    assert_true(g[2].on_time_rate < 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_top_unit),
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_rows_of_a_case),
        cmocka_unit_test(test_diff),
        cmocka_unit_test(test_histogram),
        cmocka_unit_test(test_worked_example),
        cmocka_unit_test(test_groups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
