/*
 * Unit tests for src/core/evaluation.c: the scoring rules (linear both ways, thresholds,
 * rank), the worked example of domain.md 10.3, validation of the indicator tree (sibling
 * weights, cycles, depth, rule parameters), totals, ranks, grades and the veto cap, and the
 * veto approval check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/evaluation.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define E4(x) ((int64_t)((x) * BM_EVAL_SCALE + ((x) >= 0 ? 0.5 : -0.5)))

static struct bm_eval_indicator
leaf(const char *code, const char *parent, double weight, const char *source, const char *rule,
     double floor, double target, const char *steps)
{
    struct bm_eval_indicator x = {
        .code = code,
        .parent_code = parent,
        .name = code,
        .weight_e4 = E4(weight),
        .source = source,
        .rule = rule,
        .floor_e4 = E4(floor),
        .target_e4 = E4(target),
        .steps = steps,
    };
    return x;
}

static struct bm_eval_indicator
node(const char *code, const char *parent, double weight)
{
    return leaf(code, parent, weight, "", "", 0, 0, "");
}

static bool
has_field(const struct bm_err *e, const char *field)
{
    for (int i = 0; i < e->n_fields && i < 8; i++)
        if (strcmp(e->fields[i].field, field) == 0)
            return true;
    return false;
}

/* Linear rule in both directions, clamped; the domain.md 10.3 worked example. */
static void
test_linear(void **state)
{
    struct bm_eval_indicator on_time = leaf("a", "", 15, "on_time_rate", "linear", 95, 100, "");
    struct bm_eval_indicator overdue = leaf("b", "", 10, "manual", "linear", 5, 0, "");
    (void)state;

    assert_float_equal(bm_eval_fraction(&on_time, 98), 0.6, 1e-12);
    assert_float_equal(bm_eval_fraction(&on_time, 100), 1.0, 1e-12);
    assert_float_equal(bm_eval_fraction(&on_time, 101), 1.0, 1e-12);
    assert_float_equal(bm_eval_fraction(&on_time, 95), 0.0, 1e-12);
    assert_float_equal(bm_eval_fraction(&on_time, 80), 0.0, 1e-12);
    /* Lower is better: 超期率 2.35 % between 5 % (0) and 0 % (full) -> 0.53. */
    assert_float_equal(bm_eval_fraction(&overdue, 2.35), 0.53, 1e-12);
    assert_float_equal(15 * bm_eval_fraction(&on_time, 98) + 10 * bm_eval_fraction(&overdue, 2.35),
                       14.3, 1e-9);
}

static void
test_threshold_and_steps(void **state)
{
    struct bm_eval_indicator t = leaf("t", "", 10, "survey", "threshold", 0, 0, "90:1;80:0.6;60:0.2");
    struct bm_eval_step st[BM_EVAL_MAX_STEPS];
    char text[128];
    int n = 0;
    static const char *const bad[] = {
        "", "90", "90:", ":1", "90:1;", "80:1;90:0.5", "90:1;90:0.5", "90:1.5", "90:-0.1",
        "9e1:1", "90:1;x:0", "90.12345:1", "1:1;2:1;3:1",
    };
    (void)state;

    assert_float_equal(bm_eval_fraction(&t, 95), 1.0, 1e-12);
    assert_float_equal(bm_eval_fraction(&t, 90), 1.0, 1e-12);
    assert_float_equal(bm_eval_fraction(&t, 89.99), 0.6, 1e-12);
    assert_float_equal(bm_eval_fraction(&t, 60), 0.2, 1e-12);
    assert_float_equal(bm_eval_fraction(&t, 59.9), 0.0, 1e-12);

    assert_true(bm_eval_steps_parse("95.5:1;-1:0.25", st, BM_EVAL_MAX_STEPS, &n));
    assert_int_equal(n, 2);
    assert_int_equal(st[0].min_e4, 955000);
    assert_int_equal(st[1].min_e4, -10000);
    assert_int_equal(st[1].fraction_e4, 2500);
    bm_eval_steps_format(st, n, text, sizeof(text));
    assert_string_equal(text, "95.5:1;-1:0.25");
    for (size_t i = 0; i < N(bad); i++) {
        if (bm_eval_steps_parse(bad[i], st, BM_EVAL_MAX_STEPS, &n))
            fail_msg("accepted \"%s\"", bad[i]);
    }
    assert_false(bm_eval_steps_parse("3:1;2:1;1:1", st, 2, &n)); /* more steps than room */
}

static void
test_rank_fraction(void **state)
{
    (void)state;
    assert_float_equal(bm_eval_rank_fraction(1, 1), 1.0, 1e-12);
    assert_float_equal(bm_eval_rank_fraction(1, 5), 1.0, 1e-12);
    assert_float_equal(bm_eval_rank_fraction(3, 5), 0.5, 1e-12);
    assert_float_equal(bm_eval_rank_fraction(5, 5), 0.0, 1e-12);
}

/* A two-level system: scores per leaf, sums per dimension, totals; rank among townships. */
static void
test_score_tree(void **state)
{
    struct bm_eval_indicator ind[] = {
        node("eff", "", 40),
        leaf("eff.on_time", "eff", 30, "on_time_rate", "linear", 90, 100, ""),
        leaf("eff.rank", "eff", 10, "online_rate", "rank", 0, 0, ""),
        node("sat", "", 60),
        leaf("sat.rate", "sat", 60, "satisfaction_rate", "threshold", 0, 0, "90:1;80:0.5"),
    };
    enum { n = N(ind) };
    /* Three townships; the third has no satisfaction data. */
    double values[3 * n] = {
        0, 95, 40, 0, 92, /* t0 */
        0, 100, 10, 0, 85, /* t1 */
        0, 80, 40, 0, 0,   /* t2 */
    };
    bool has[3 * n] = {
        0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 0,
    };
    double scores[3 * n], totals[3];
    (void)state;

    assert_int_equal(bm_eval_plan_check(ind, n, NULL), BM_OK);
    bm_eval_score(ind, n, 3, values, has, scores, totals);
    /* t0: 30*0.5 + rank 1 of 3 (tied with t2) 10 + 60 = 85. */
    assert_float_equal(scores[1], 15, 1e-9);
    assert_float_equal(scores[2], 10, 1e-9);
    assert_float_equal(scores[0], 25, 1e-9);
    assert_float_equal(scores[3], 60, 1e-9);
    assert_float_equal(totals[0], 85, 1e-9);
    /* t1: 30 + rank 3 of 3 -> 0 + 30 = 60. */
    assert_float_equal(totals[1], 60, 1e-9);
    /* t2: 0 + 10 + missing 0 = 10. */
    assert_float_equal(scores[2 * n + 4], 0, 1e-9);
    assert_float_equal(totals[2], 10, 1e-9);
}

static void
test_ranks_and_grades(void **state)
{
    int64_t totals[] = {E4(85), E4(92.5), E4(85), E4(40)};
    int ranks[4];
    (void)state;

    bm_eval_ranks(totals, 4, ranks);
    assert_int_equal(ranks[0], 2);
    assert_int_equal(ranks[1], 1);
    assert_int_equal(ranks[2], 2);
    assert_int_equal(ranks[3], 4);
    assert_int_equal(bm_eval_grade_of(E4(92.5), E4(90), E4(80), E4(60), BM_EVAL_EXCELLENT),
                     BM_EVAL_EXCELLENT);
    assert_int_equal(bm_eval_grade_of(E4(90), E4(90), E4(80), E4(60), BM_EVAL_EXCELLENT),
                     BM_EVAL_EXCELLENT);
    assert_int_equal(bm_eval_grade_of(E4(89.9999), E4(90), E4(80), E4(60), BM_EVAL_EXCELLENT),
                     BM_EVAL_GOOD);
    assert_int_equal(bm_eval_grade_of(E4(59), E4(90), E4(80), E4(60), BM_EVAL_EXCELLENT),
                     BM_EVAL_FAIL);
    /* A veto caps the grade; it never lifts one. */
    assert_int_equal(bm_eval_grade_of(E4(95), E4(90), E4(80), E4(60), BM_EVAL_PASS), BM_EVAL_PASS);
    assert_int_equal(bm_eval_grade_of(E4(50), E4(90), E4(80), E4(60), BM_EVAL_PASS), BM_EVAL_FAIL);
    assert_int_equal(bm_eval_e4(14.3), 143000);
    assert_int_equal(bm_eval_e4(-0.00005), -1);
    assert_int_equal(bm_eval_e4(66.66666), 666667);
}

/* Validation of the tree, one broken system per row. */
static void
test_plan_check(void **state)
{
    static const struct {
        const char *what, *field;
        struct bm_eval_indicator ind[4];
        size_t n;
    } bad[] = {
        {"top level adds up to 90", "indicators",
         {{.code = "a", .parent_code = "", .name = "a", .weight_e4 = 900000, .source = "manual",
           .rule = "linear", .floor_e4 = 0, .target_e4 = 1000000, .steps = ""}},
         1},
        {"children add up to 30 of 40", "indicators[0].weight",
         {{.code = "a", .parent_code = "", .name = "a", .weight_e4 = 1000000, .source = "",
           .rule = "", .steps = ""},
          {.code = "b", .parent_code = "a", .name = "b", .weight_e4 = 300000, .source = "manual",
           .rule = "rank", .steps = ""}},
         2},
        {"unknown parent", "indicators[0].parent_code",
         {{.code = "a", .parent_code = "zz", .name = "a", .weight_e4 = 1000000,
           .source = "manual", .rule = "rank", .steps = ""}},
         1},
        {"cycle", "indicators[0].parent_code",
         {{.code = "a", .parent_code = "b", .name = "a", .weight_e4 = 500000, .source = "",
           .rule = "", .steps = ""},
          {.code = "b", .parent_code = "a", .name = "b", .weight_e4 = 500000, .source = "",
           .rule = "", .steps = ""}},
         2},
        {"self parent", "indicators[0].parent_code",
         {{.code = "a", .parent_code = "a", .name = "a", .weight_e4 = 1000000, .source = "",
           .rule = "", .steps = ""}},
         1},
        {"duplicate code", "indicators[1].code",
         {{.code = "a", .parent_code = "", .name = "a", .weight_e4 = 500000, .source = "manual",
           .rule = "rank", .steps = ""},
          {.code = "a", .parent_code = "", .name = "a", .weight_e4 = 500000, .source = "manual",
           .rule = "rank", .steps = ""}},
         2},
        {"linear floor = target", "indicators[0].target",
         {{.code = "a", .parent_code = "", .name = "a", .weight_e4 = 1000000,
           .source = "on_time_rate", .rule = "linear", .floor_e4 = 5, .target_e4 = 5,
           .steps = ""}},
         1},
        {"threshold without steps", "indicators[0].steps",
         {{.code = "a", .parent_code = "", .name = "a", .weight_e4 = 1000000, .source = "survey",
           .rule = "threshold", .steps = ""}},
         1},
        {"unknown source", "indicators[0].source",
         {{.code = "a", .parent_code = "", .name = "a", .weight_e4 = 1000000, .source = "gdp",
           .rule = "rank", .steps = ""}},
         1},
        {"unknown rule", "indicators[0].rule",
         {{.code = "a", .parent_code = "", .name = "a", .weight_e4 = 1000000, .source = "manual",
           .rule = "curve", .steps = ""}},
         1},
        {"inner node with a source", "indicators[0].source",
         {{.code = "a", .parent_code = "", .name = "a", .weight_e4 = 1000000, .source = "manual",
           .rule = "rank", .steps = ""},
          {.code = "b", .parent_code = "a", .name = "b", .weight_e4 = 1000000, .source = "manual",
           .rule = "rank", .steps = ""}},
         2},
        {"zero weight", "indicators[1].weight",
         {{.code = "a", .parent_code = "", .name = "a", .weight_e4 = 1000000, .source = "manual",
           .rule = "rank", .steps = ""},
          {.code = "b", .parent_code = "", .name = "b", .weight_e4 = 0, .source = "manual",
           .rule = "rank", .steps = ""}},
         2},
        {"department on a platform source", "indicators[0].department_id",
         {{.code = "a", .parent_code = "", .name = "a", .weight_e4 = 1000000,
           .source = "on_time_rate", .rule = "rank", .steps = "", .department_id = 7}},
         1},
        {"five levels", "indicators[4].parent_code",
         {{.code = "a", .parent_code = "", .name = "a", .weight_e4 = 1000000, .source = "",
           .rule = "", .steps = ""},
          {.code = "b", .parent_code = "a", .name = "b", .weight_e4 = 1000000, .source = "",
           .rule = "", .steps = ""},
          {.code = "c", .parent_code = "b", .name = "c", .weight_e4 = 1000000, .source = "",
           .rule = "", .steps = ""},
          {.code = "d", .parent_code = "c", .name = "d", .weight_e4 = 1000000, .source = "",
           .rule = "", .steps = ""}},
         4},
    };
    (void)state;

    for (size_t i = 0; i < N(bad); i++) {
        struct bm_eval_indicator ind[5];
        struct bm_err e;
        size_t n = bad[i].n;
        memcpy(ind, bad[i].ind, sizeof(bad[i].ind));
        if (strcmp(bad[i].what, "five levels") == 0) {
            /* A fifth level below d: one more row. */
            ind[4] = ind[3];
            ind[4].code = "e";
            ind[4].parent_code = "d";
            ind[4].source = "manual";
            ind[4].rule = "rank";
            ind[3].source = ind[3].rule = "";
            n = 5;
        }
        bm_err_clear(&e);
        if (bm_eval_plan_check(ind, n, &e) != BM_EINVAL || !has_field(&e, bad[i].field))
            fail_msg("%s: want an error on %s (first: %s)", bad[i].what, bad[i].field,
                     e.n_fields ? e.fields[0].field : "none");
    }
}

static void
test_thresholds_and_veto(void **state)
{
    struct bm_err e;
    (void)state;

    bm_err_clear(&e);
    assert_int_equal(bm_eval_thresholds_check(E4(90), E4(80), E4(60), &e), BM_OK);
    assert_int_equal(bm_eval_thresholds_check(E4(90), E4(95), E4(60), &e), BM_EINVAL);
    assert_int_equal(bm_eval_thresholds_check(E4(101), E4(80), E4(60), &e), BM_EINVAL);
    assert_int_equal(bm_eval_thresholds_check(E4(90), E4(80), 0, &e), BM_EINVAL);

    bm_err_clear(&e);
    assert_int_equal(bm_eval_veto_check("某省委办〔2026〕12号", "中共某省委、某省人民政府", true, &e),
                     BM_OK);
    bm_err_clear(&e);
    assert_int_equal(bm_eval_veto_check("", "", false, &e), BM_EINVAL);
    assert_int_equal(e.n_fields, 3);
    assert_non_null(strstr(e.message, "省委、省政府批准"));
    bm_err_clear(&e);
    assert_int_equal(bm_eval_veto_check("某省委办〔2026〕12号", NULL, true, &e), BM_EINVAL);
    assert_true(has_field(&e, "approving_body"));
}

static void
test_codes(void **state)
{
    enum bm_eval_source s;
    enum bm_eval_rule r;
    enum bm_eval_grade g;
    (void)state;

    assert_true(bm_eval_source_parse("on_time_rate", &s));
    assert_int_equal(s, BM_EVAL_SRC_ON_TIME_RATE);
    assert_true(bm_eval_source_is_platform(s));
    assert_true(bm_eval_source_parse("public_satisfaction", &s));
    assert_false(bm_eval_source_is_platform(s));
    assert_false(bm_eval_source_parse("", &s));
    assert_false(bm_eval_source_parse(NULL, &s));
    assert_string_equal(bm_eval_source_name_zh(BM_EVAL_SRC_ON_TIME_RATE), "按时办结率");
    assert_true(bm_eval_rule_parse("rank", &r));
    assert_false(bm_eval_rule_parse("", &r));
    assert_true(bm_eval_grade_parse("pass", &g));
    assert_int_equal(g, BM_EVAL_PASS);
    assert_false(bm_eval_grade_parse("best", &g));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linear),           cmocka_unit_test(test_threshold_and_steps),
        cmocka_unit_test(test_rank_fraction),    cmocka_unit_test(test_score_tree),
        cmocka_unit_test(test_ranks_and_grades), cmocka_unit_test(test_plan_check),
        cmocka_unit_test(test_thresholds_and_veto), cmocka_unit_test(test_codes),
    };
    return cmocka_run_group_tests_name("evaluation", tests, NULL, NULL);
}
