/*
 * Unit tests for src/core/disclosure.c: the category tables and their levels, the states
 * and visibility window of a publication at an instant, content checks, RFC 3339 instants,
 * and the disclosure permissions of src/core/access.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/access.h"
#include "core/disclosure.h"

/* 2026-03-01T00:00:00+08:00 */
#define T ((int64_t)1772294400)

static void
test_categories(void **state)
{
    size_t n_town = 0, n_village = 0;
    (void)state;
    for (size_t i = 0; bm_pub_categories[i].code != NULL; i++) {
        const struct bm_pub_category *c = &bm_pub_categories[i];
        /* Codes are unique and every one has a Chinese name and a period hint. */
        assert_ptr_equal(bm_pub_category_find(c->code), c);
        assert_true(strlen(c->zh) > 0);
        assert_non_null(c->period);
        if (c->level == BM_PUB_VILLAGE)
            n_village++;
        else
            n_town++;
    }
    assert_true(n_town >= 20);
    assert_true(n_village >= 8);
    assert_int_equal(bm_pub_category_find("budget")->level, BM_PUB_TOWNSHIP);
    assert_int_equal(bm_pub_category_find("village_finances")->level, BM_PUB_VILLAGE);
    /* Village finances monthly (村民委员会组织法 art. 30), major matters at once. */
    assert_string_equal(bm_pub_category_find("village_finances")->period, "monthly");
    assert_string_equal(bm_pub_category_find("village_decisions")->period, "quarterly");
    assert_null(bm_pub_category_find("nope"));
    assert_null(bm_pub_category_find(NULL));
}

static void
test_status_window(void **state)
{
    static const struct {
        enum bm_pub_stored s;
        int64_t publish_at, withdraw_at, now;
        enum bm_pub_status want;
    } rows[] = {
        {BM_PUB_S_DRAFT, 0, 0, T, BM_PUB_DRAFT},
        {BM_PUB_S_DRAFT, T - 10, 0, T, BM_PUB_DRAFT},
        {BM_PUB_S_RELEASED, T + 1, 0, T, BM_PUB_SCHEDULED},
        {BM_PUB_S_RELEASED, T, 0, T, BM_PUB_PUBLISHED},       /* publish_at itself: visible */
        {BM_PUB_S_RELEASED, T - 100, T + 1, T, BM_PUB_PUBLISHED},
        {BM_PUB_S_RELEASED, T - 100, T, T, BM_PUB_WITHDRAWN}, /* withdraw_at itself: gone */
        {BM_PUB_S_RELEASED, T - 100, T - 1, T, BM_PUB_WITHDRAWN},
        {BM_PUB_S_WITHDRAWN, T - 100, 0, T, BM_PUB_WITHDRAWN},
        {BM_PUB_S_WITHDRAWN, T + 100, 0, T, BM_PUB_WITHDRAWN},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        enum bm_pub_status got = bm_pub_status_at(rows[i].s, rows[i].publish_at,
                                                  rows[i].withdraw_at, rows[i].now);
        if (got != rows[i].want)
            fail_msg("row %zu: got %s, want %s", i, bm_pub_status_code(got),
                     bm_pub_status_code(rows[i].want));
        assert_int_equal(bm_pub_visible(rows[i].s, rows[i].publish_at, rows[i].withdraw_at,
                                        rows[i].now),
                         rows[i].want == BM_PUB_PUBLISHED);
    }
    /* Editable: drafts, and what is scheduled but not yet public. */
    assert_true(bm_pub_editable(BM_PUB_S_DRAFT, 0, T));
    assert_true(bm_pub_editable(BM_PUB_S_RELEASED, T + 1, T));
    assert_false(bm_pub_editable(BM_PUB_S_RELEASED, T, T));
    assert_false(bm_pub_editable(BM_PUB_S_WITHDRAWN, T + 100, T));
}

static void
test_codes(void **state)
{
    enum bm_pub_stored s;
    (void)state;
    assert_string_equal(bm_pub_stored_code(BM_PUB_S_RELEASED), "released");
    assert_true(bm_pub_stored_parse("withdrawn", &s));
    assert_int_equal(s, BM_PUB_S_WITHDRAWN);
    assert_false(bm_pub_stored_parse("published", &s));
    assert_string_equal(bm_pub_status_code(BM_PUB_SCHEDULED), "scheduled");
    assert_string_equal(bm_pub_status_zh(BM_PUB_PUBLISHED), "已发布");
}

static void
test_check(void **state)
{
    struct bm_err e;
    char long_title[3 * 201 + 1];
    (void)state;

    bm_err_clear(&e);
    assert_int_equal(bm_pub_check(BM_PUB_TOWNSHIP, "budget", "2026年预算", "正文\n第二行\t。", &e),
                     BM_OK);
    assert_int_equal(bm_pub_check(BM_PUB_VILLAGE, "subsistence_list", "低保名单", "", &e), BM_OK);
    /* A category of the other level, an unknown one. */
    bm_err_clear(&e);
    assert_int_equal(bm_pub_check(BM_PUB_VILLAGE, "budget", "标题", "", &e), BM_EINVAL);
    assert_string_equal(e.fields[0].field, "category");
    bm_err_clear(&e);
    assert_int_equal(bm_pub_check(BM_PUB_TOWNSHIP, "village_finances", "标题", "", &e), BM_EINVAL);
    assert_string_equal(e.fields[0].field, "category");
    bm_err_clear(&e);
    assert_int_equal(bm_pub_check(BM_PUB_TOWNSHIP, "unknown", "标题", "", &e), BM_EINVAL);
    /* Titles: empty, blank, a line break, too long (201 characters of three bytes). */
    static const char *const bad_titles[] = {"", "   ", "一\n二", "a\x01"};
    for (size_t i = 0; i < sizeof(bad_titles) / sizeof(bad_titles[0]); i++) {
        bm_err_clear(&e);
        assert_int_equal(bm_pub_check(BM_PUB_TOWNSHIP, "budget", bad_titles[i], "", &e), BM_EINVAL);
        assert_string_equal(e.fields[0].field, "title");
    }
    for (int i = 0; i < 201; i++)
        memcpy(long_title + 3 * i, "公", 3);
    long_title[3 * 201] = '\0';
    bm_err_clear(&e);
    assert_int_equal(bm_pub_check(BM_PUB_TOWNSHIP, "budget", long_title, "", &e), BM_EINVAL);
    long_title[3 * 200] = '\0';
    bm_err_clear(&e);
    assert_int_equal(bm_pub_check(BM_PUB_TOWNSHIP, "budget", long_title, "", &e), BM_OK);
    /* Bodies: plain text only; invalid UTF-8 and control characters are refused. */
    bm_err_clear(&e);
    assert_int_equal(bm_pub_check(BM_PUB_TOWNSHIP, "budget", "标题", "bell\x07", &e), BM_EINVAL);
    assert_string_equal(e.fields[0].field, "body");
    bm_err_clear(&e);
    assert_int_equal(bm_pub_check(BM_PUB_TOWNSHIP, "budget", "标题", "\xff\xfe", &e), BM_EINVAL);
}

static void
test_window(void **state)
{
    struct bm_err e;
    (void)state;
    bm_err_clear(&e);
    assert_int_equal(bm_pub_check_window(T, 0, T, &e), BM_OK);
    assert_int_equal(bm_pub_check_window(T + 10, T + 20, T, &e), BM_OK);
    assert_int_equal(bm_pub_check_window(T + 10, T + 10, T, &e), BM_EINVAL);
    assert_string_equal(e.fields[0].field, "withdraw_at");
    bm_err_clear(&e);
    assert_int_equal(bm_pub_check_window(T + 10, T + 5, T, &e), BM_EINVAL);
    bm_err_clear(&e);
    assert_int_equal(bm_pub_check_window(T - 100, T - 1, T, &e), BM_EINVAL);
}

static void
test_parse_instant(void **state)
{
    static const struct {
        const char *s;
        bool ok;
        int64_t want;
    } rows[] = {
        {"2026-03-01T00:00:00+08:00", true, T},
        {"2026-02-28T16:00:00Z", true, T},
        {"2026-02-28T16:00:00.250Z", true, T},
        {"2026-02-28t16:00:00z", true, T},
        {"2026-02-28T11:00:00-05:00", true, T},
        {"2026-03-01 00:00:00+08:00", true, T},
        {"2026-03-01T00:00:00", false, 0},  /* no offset */
        {"2026-02-30T00:00:00Z", false, 0}, /* no such day */
        {"2026-03-01T24:00:00Z", false, 0},
        {"2026-3-1T00:00:00Z", false, 0},
        {"2026-03-01T00:00:00+0800", false, 0},
        {"2026-03-01T00:00:00Zjunk", false, 0},
        {"2026-03-01T00:00:00.Z", false, 0},
        {"", false, 0},
    };
    int64_t t;
    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        bool ok = bm_pub_parse_instant(rows[i].s, &t);
        if (ok != rows[i].ok)
            fail_msg("%s: got %d", rows[i].s, ok);
        if (ok)
            assert_int_equal(t, rows[i].want);
    }
    assert_false(bm_pub_parse_instant(NULL, &t));
}

/* Writers: county and township administrators; readers add supervisors and auditors. */
static void
test_permissions(void **state)
{
    (void)state;
    assert_int_equal(bm_access_roles_for(BM_PERM_DISCLOSURE_WRITE),
                     BM_ROLE_COUNTY_ADMIN | BM_ROLE_TOWNSHIP_ADMIN);
    assert_int_equal(bm_access_roles_for(BM_PERM_DISCLOSURE_READ),
                     BM_ROLE_COUNTY_ADMIN | BM_ROLE_TOWNSHIP_ADMIN | BM_ROLE_SUPERVISOR |
                         BM_ROLE_AUDITOR);
    struct bm_principal town = {.user_id = 5, .roles = BM_ROLE_TOWNSHIP_ADMIN, .org_unit_id = 17};
    snprintf(town.org_path, sizeof(town.org_path), "/1/17/");
    /* A township administrator: the township and its villages, not another township. */
    assert_true(bm_access_in_scope(&town, BM_PERM_DISCLOSURE_WRITE, "/1/17/"));
    assert_true(bm_access_in_scope(&town, BM_PERM_DISCLOSURE_WRITE, "/1/17/67/"));
    assert_false(bm_access_in_scope(&town, BM_PERM_DISCLOSURE_WRITE, "/1/16/"));
    assert_false(bm_access_in_scope(&town, BM_PERM_DISCLOSURE_WRITE, "/1/170/"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_categories),   cmocka_unit_test(test_status_window),
        cmocka_unit_test(test_codes),        cmocka_unit_test(test_check),
        cmocka_unit_test(test_window),       cmocka_unit_test(test_parse_instant),
        cmocka_unit_test(test_permissions),
    };
    return cmocka_run_group_tests_name("disclosure", tests, NULL, NULL);
}
