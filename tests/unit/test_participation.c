/*
 * Unit tests for src/core/participation.c: campaign periods and states, hearing schedules,
 * the registration deadline and capacity, minutes only after the hearing, contact cadres
 * and the coverage figure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/participation.h"
#include "core/roles.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static bm_day
day(const char *s)
{
    bm_day d;
    assert_true(bm_day_parse(s, &d));
    return d;
}

/* The instant of a CST wall-clock time. */
static int64_t
at(const char *date, const char *hhmm)
{
    int64_t t;
    assert_true(bm_participation_instant(day(date), hhmm, &t));
    return t;
}

static void
test_campaign_states(void **state)
{
    static const struct {
        const char *from, *until, *today;
        enum bm_campaign_state want;
    } cases[] = {
        {"2026-12-01", "2026-12-31", "2026-11-30", BM_CAMPAIGN_UPCOMING},
        {"2026-12-01", "2026-12-31", "2026-12-01", BM_CAMPAIGN_OPEN},
        {"2026-12-01", "2026-12-31", "2026-12-31", BM_CAMPAIGN_OPEN},
        {"2026-12-01", "2026-12-31", "2027-01-01", BM_CAMPAIGN_CLOSED},
        {"2026-12-01", "2026-12-01", "2026-12-01", BM_CAMPAIGN_OPEN},
    };
    (void)state;
    for (size_t i = 0; i < N(cases); i++) {
        struct bm_err err;
        enum bm_campaign_state s =
            bm_campaign_state_on(day(cases[i].from), day(cases[i].until), day(cases[i].today));
        assert_int_equal(s, cases[i].want);
        bm_err_clear(&err);
        assert_int_equal(bm_campaign_check_submit(day(cases[i].from), day(cases[i].until),
                                                  day(cases[i].today), &err),
                         s == BM_CAMPAIGN_OPEN ? BM_OK : BM_ECONFLICT);
    }
    assert_string_equal(bm_campaign_state_code(BM_CAMPAIGN_CLOSED), "closed");
    assert_string_equal(bm_campaign_state_name_zh(BM_CAMPAIGN_OPEN), "征集中");
}

static void
test_campaign_period(void **state)
{
    static const struct {
        const char *from, *until, *today;
        bool ok;
    } cases[] = {
        {"2026-12-01", "2026-12-31", "2026-12-05", true},
        {"2026-12-10", "2026-12-10", "2026-12-05", true},
        {"2026-12-31", "2026-12-01", "2026-12-05", false}, /* ends before it starts */
        {"2026-11-01", "2026-12-04", "2026-12-05", false}, /* already over */
        {"2026-12-01", "2027-12-02", "2026-12-05", false}, /* longer than a year */
        {"2026-12-01", "2027-12-01", "2026-12-05", true},
        {"2026-12-01", "2027-11-30", "2026-12-05", true},
    };
    (void)state;
    for (size_t i = 0; i < N(cases); i++) {
        struct bm_err err;
        enum bm_rc rc;
        bm_err_clear(&err);
        rc = bm_campaign_check_period(day(cases[i].from), day(cases[i].until),
                                      day(cases[i].today), &err);
        if (cases[i].ok) {
            assert_int_equal(rc, BM_OK);
        } else {
            assert_int_equal(rc, BM_EINVAL);
            assert_int_equal(err.n_fields, 1);
            assert_string_equal(err.fields[0].field, "open_until");
        }
    }
}

static void
test_instant(void **state)
{
    int64_t t;
    static const char *const bad[] = {"", "9:30", "09:3", "24:00", "12:60", "0930", "09-30",
                                      "09:30:00", "ab:cd", " 9:30"};
    (void)state;
    /* 2026-12-20 09:30 CST = 2026-12-20 01:30 UTC = 1797730200. */
    assert_true(bm_participation_instant(day("2026-12-20"), "09:30", &t));
    assert_int_equal(t, 1797730200);
    assert_true(bm_participation_instant(day("2026-12-20"), "00:00", &t));
    assert_int_equal(bm_day_of_instant(t), day("2026-12-20"));
    assert_true(bm_participation_instant(day("2026-12-20"), "23:59", &t));
    assert_int_equal(bm_day_of_instant(t), day("2026-12-20"));
    for (size_t i = 0; i < N(bad); i++)
        assert_false(bm_participation_instant(day("2026-12-20"), bad[i], &t));
    assert_false(bm_participation_instant(day("2026-12-20"), NULL, &t));
}

static void
test_hearing_schedule(void **state)
{
    const int64_t now = at("2026-12-05", "10:00");
    static const struct {
        const char *date, *time, *reg;
        int64_t capacity;
        const char *field; /* the one field refused, NULL: accepted */
    } cases[] = {
        {"2026-12-20", "09:30", "2026-12-15", 50, NULL},
        {"2026-12-20", "09:30", "2026-12-20", 1, NULL},      /* closes the day it is held */
        {"2026-12-20", "09:30", "2026-12-05", 10000, NULL},  /* closes today */
        {"2026-12-05", "09:00", "2026-12-05", 50, "date"},   /* already started */
        {"2026-12-20", "09:30", "2026-12-21", 50, "register_until"},
        {"2026-12-20", "09:30", "2026-12-04", 50, "register_until"},
        {"2026-12-20", "09:30", "2026-12-15", 0, "capacity"},
        {"2026-12-20", "09:30", "2026-12-15", 10001, "capacity"},
        {"2026-12-20", "09:30", "2026-12-15", -3, "capacity"},
    };
    (void)state;
    for (size_t i = 0; i < N(cases); i++) {
        struct bm_err err;
        enum bm_rc rc;
        bm_err_clear(&err);
        rc = bm_hearing_check_schedule(at(cases[i].date, cases[i].time), day(cases[i].reg),
                                       cases[i].capacity, now, &err);
        if (cases[i].field == NULL) {
            assert_int_equal(rc, BM_OK);
        } else {
            assert_int_equal(rc, BM_EINVAL);
            assert_int_equal(err.n_fields, 1);
            assert_string_equal(err.fields[0].field, cases[i].field);
        }
    }
}

static void
test_hearing_register(void **state)
{
    const int64_t starts = at("2026-12-20", "09:30");
    const bm_day reg = day("2026-12-15");
    static const struct {
        const char *date, *time;
        int64_t capacity, registered;
        enum bm_rc want;
        const char *detail; /* a word of the message */
    } cases[] = {
        {"2026-12-05", "10:00", 2, 0, BM_OK, NULL},
        {"2026-12-05", "10:00", 2, 1, BM_OK, NULL},
        {"2026-12-05", "10:00", 2, 2, BM_ECONFLICT, "名额已满"},
        {"2026-12-05", "10:00", 2, 3, BM_ECONFLICT, "名额已满"},
        {"2026-12-15", "23:59", 2, 0, BM_OK, NULL},          /* the last day, all of it */
        {"2026-12-16", "00:00", 2, 0, BM_ECONFLICT, "报名已截止"},
        {"2026-12-16", "00:00", 2, 2, BM_ECONFLICT, "报名已截止"},
    };
    (void)state;
    for (size_t i = 0; i < N(cases); i++) {
        struct bm_err err;
        bm_err_clear(&err);
        assert_int_equal(bm_hearing_check_register(starts, reg, cases[i].capacity,
                                                   cases[i].registered,
                                                   at(cases[i].date, cases[i].time), &err),
                         cases[i].want);
        if (cases[i].detail != NULL)
            assert_non_null(strstr(err.message, cases[i].detail));
    }
    /* Registration closing on the hearing's own day ends when it starts. */
    {
        struct bm_err err;
        bm_err_clear(&err);
        assert_int_equal(bm_hearing_check_register(starts, day("2026-12-20"), 5, 0,
                                                   at("2026-12-20", "09:29"), &err),
                         BM_OK);
        assert_int_equal(bm_hearing_check_register(starts, day("2026-12-20"), 5, 0,
                                                   at("2026-12-20", "09:30"), &err),
                         BM_ECONFLICT);
    }
}

static void
test_hearing_record(void **state)
{
    const int64_t starts = at("2026-12-20", "09:30");
    struct bm_err err;
    (void)state;
    bm_err_clear(&err);
    assert_int_equal(bm_hearing_check_record(starts, 0, starts - 1, &err), BM_ETRANSITION);
    bm_err_clear(&err);
    assert_int_equal(bm_hearing_check_record(starts, 0, starts, &err), BM_OK);
    assert_int_equal(bm_hearing_check_record(starts, starts + 60, starts + 120, &err),
                     BM_ECONFLICT);
}

static void
test_codes(void **state)
{
    enum bm_hearing_kind k;
    enum bm_participant_role r;
    static const char *const roles[] = {"resident", "interested", "expert", "deputy"};
    (void)state;
    assert_true(bm_hearing_kind_parse("hearing", &k));
    assert_int_equal(k, BM_HEARING_HEARING);
    assert_true(bm_hearing_kind_parse("meeting", &k));
    assert_string_equal(bm_hearing_kind_name_zh(k), "旁听会议");
    assert_false(bm_hearing_kind_parse("Hearing", &k));
    assert_false(bm_hearing_kind_parse(NULL, &k));
    for (size_t i = 0; i < N(roles); i++) {
        assert_true(bm_participant_role_parse(roles[i], &r));
        assert_string_equal(bm_participant_role_code(r), roles[i]);
    }
    assert_false(bm_participant_role_parse("leader", &r));
}

static void
test_cadre_fits(void **state)
{
    static const struct {
        unsigned roles;
        bool active;
        const char *cadre_path, *village_path;
        bool want;
    } cases[] = {
        {BM_ROLE_HANDLER, true, "/1/17/45/", "/1/17/64/", true},  /* an office of the township */
        {BM_ROLE_TOWNSHIP_ADMIN, true, "/1/17/", "/1/17/64/", true},
        {BM_ROLE_HANDLER, false, "/1/17/45/", "/1/17/64/", false}, /* not in post */
        {BM_ROLE_CITIZEN, true, "", "/1/17/64/", false},
        {BM_ROLE_HANDLER, true, "/1/16/", "/1/17/64/", false},      /* another township */
        {BM_ROLE_HANDLER, true, "/1/171/", "/1/17/64/", false},     /* a prefix, not a parent */
        {BM_ROLE_COUNTY_ADMIN, true, "/1/", "/1/17/64/", false},    /* the county is not there */
        {BM_ROLE_HANDLER, true, "/1/17/45/", "/1/", false},
    };
    (void)state;
    for (size_t i = 0; i < N(cases); i++)
        assert_int_equal(bm_household_cadre_fits(cases[i].roles, cases[i].active,
                                                 cases[i].cadre_path, cases[i].village_path),
                         cases[i].want);
}

static void
test_coverage_rate(void **state)
{
    static const struct {
        int64_t covered, households;
        double want;
    } cases[] = {
        {0, 0, -1}, {0, 5, 0}, {5, 5, 1}, {1, 2, 0.5}, {6, 7, 0.8571}, {1, 3, 0.3333},
        {2, 3, 0.6667}, {1, 8, 0.125}, {1, 20000, 0.0001}, {1, 30000, 0},
    };
    (void)state;
    for (size_t i = 0; i < N(cases); i++) {
        double got = bm_coverage_rate(cases[i].covered, cases[i].households);
        assert_true(got > cases[i].want - 1e-9 && got < cases[i].want + 1e-9);
    }
}

static void
test_reception_rules(void **state)
{
    enum bm_reception_kind k;
    struct bm_err err;
    const bm_day d = day("2026-12-10");
    (void)state;
    assert_true(bm_reception_kind_parse("visit", &k));
    assert_string_equal(bm_reception_kind_name_zh(k), "下访");
    assert_true(bm_reception_kind_parse("reception", &k));
    assert_string_equal(bm_reception_kind_code(k), "reception");
    assert_false(bm_reception_kind_parse("petition", &k));

    bm_err_clear(&err);
    assert_int_equal(bm_reception_check_day(d, d, &err), BM_OK);
    assert_int_equal(bm_reception_check_day(d, d - 1, &err), BM_OK);
    assert_int_equal(bm_reception_check_day(d, d + 1, &err), BM_EINVAL);
    assert_string_equal(err.fields[0].field, "day");

    /* Visits on or after the day; a follow-up date not in the past. */
    bm_err_clear(&err);
    assert_int_equal(bm_reception_check_visit(d, BM_DAY_NONE, d - 1, &err), BM_ETRANSITION);
    bm_err_clear(&err);
    assert_int_equal(bm_reception_check_visit(d, BM_DAY_NONE, d, &err), BM_OK);
    assert_int_equal(bm_reception_check_visit(d, d + 7, d, &err), BM_OK);
    assert_int_equal(bm_reception_check_visit(d, d, d + 3, &err), BM_EINVAL);
    assert_string_equal(err.fields[0].field, "follow_up_due");

    bm_err_clear(&err);
    assert_int_equal(bm_reception_check_follow_up(BM_DAY_NONE, 0, &err), BM_ETRANSITION);
    assert_int_equal(bm_reception_check_follow_up(d, 0, &err), BM_OK);
    assert_int_equal(bm_reception_check_follow_up(d, 1700000000, &err), BM_ECONFLICT);
}

static void
test_deputy_codes(void **state)
{
    enum bm_deputy_body b;
    (void)state;
    assert_true(bm_deputy_body_parse("npc", &b));
    assert_string_equal(bm_deputy_body_name_zh(b), "人大代表");
    assert_true(bm_deputy_body_parse("cppcc", &b));
    assert_string_equal(bm_deputy_body_code(b), "cppcc");
    assert_string_equal(bm_deputy_body_name_zh(b), "政协委员");
    assert_false(bm_deputy_body_parse("NPC", &b));
    assert_false(bm_deputy_body_parse(NULL, &b));
    assert_string_equal(bm_matter_status_name_zh("submitted"), "待交办");
    assert_string_equal(bm_matter_status_name_zh("assigned"), "办理中");
    assert_string_equal(bm_matter_status_name_zh("answered"), "已答复");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_campaign_states), cmocka_unit_test(test_campaign_period),
        cmocka_unit_test(test_instant),         cmocka_unit_test(test_hearing_schedule),
        cmocka_unit_test(test_hearing_register), cmocka_unit_test(test_hearing_record),
        cmocka_unit_test(test_codes),           cmocka_unit_test(test_cadre_fits),
        cmocka_unit_test(test_coverage_rate),  cmocka_unit_test(test_reception_rules),
        cmocka_unit_test(test_deputy_codes),
    };
    return cmocka_run_group_tests_name("participation", tests, NULL, NULL);
}
