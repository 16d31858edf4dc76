/*
 * Unit tests for src/core/user.c: user names, display names counted in characters, password
 * rules, mainland phone numbers, and which role sets need or forbid an org unit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/roles.h"
#include "core/user.h"

/* rc is BM_OK, or BM_EINVAL with exactly one per-field error on `field`. */
static void
expect(const char *what, enum bm_rc rc, const struct bm_err *err, const char *field)
{
    if (field == NULL) {
        if (rc != BM_OK || err->n_fields != 0)
            fail_msg("%s: refused (%s)", what, err->n_fields ? err->fields[0].message : "-");
        return;
    }
    if (rc != BM_EINVAL || err->rc != BM_EINVAL)
        fail_msg("%s: accepted", what);
    if (err->n_fields != 1 || strcmp(err->fields[0].field, field) != 0)
        fail_msg("%s: %d errors, first on %s, want one on %s", what, err->n_fields,
                 err->n_fields ? err->fields[0].field : "-", field);
    assert_true(strlen(err->fields[0].message) > 0);
}

/* `n` copies of `unit` into out (which must be large enough). */
static char *
repeat(char *out, const char *unit, int n)
{
    size_t len = strlen(unit);

    out[0] = '\0';
    for (int i = 0; i < n; i++)
        memcpy(out + len * (size_t)i, unit, len + 1);
    return out;
}

static void
test_username(void **state)
{
    char s32[40], s33[40], b[40];
    const struct {
        const char *name;
        bool ok;
    } cases[] = {
        {"abc", true},
        {"zhangsan", true},
        {"li.si-2025_a", true},
        {"a1-", true},
        {repeat(s32, "a", 32), true},
        {repeat(s33, "a", 33), false},
        {"ab", false},
        {"a", false},
        {"", false},
        {NULL, false},
        {"Abc", false},        /* upper case */
        {"abC", false},
        {"1abc", false},       /* must start with a letter */
        {"_abc", false},
        {".abc", false},
        {"-abc", false},
        {"ab c", false},
        {"ab@c", false},
        {"ab/c", false},
        {"张三abc", false},
        {"abc\n", false},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct bm_err err;
        enum bm_rc rc;

        bm_err_clear(&err);
        rc = bm_user_check_username(cases[i].name, &err);
        snprintf(b, sizeof(b), "username %.30s", cases[i].name ? cases[i].name : "NULL");
        expect(b, rc, &err, cases[i].ok ? NULL : "username");
    }
}

static void
test_display_name(void **state)
{
    char zh50[200], zh51[200], a50[60], a51[60], mixed[200];
    const struct {
        const char *label, *name;
        bool ok;
    } cases[] = {
        {"two characters", "张三", true},
        {"one character", "王", true},
        {"ASCII", "Li Si", true},
        {"50 Chinese (150 bytes)", repeat(zh50, "张", 50), true},
        {"51 Chinese", repeat(zh51, "张", 51), false},
        {"50 ASCII", repeat(a50, "a", 50), true},
        {"51 ASCII", repeat(a51, "a", 51), false},
        {"49 Chinese + 1 ASCII", mixed, true},
        {"empty", "", false},
        {"NULL", NULL, false},
    };

    (void)state;
    repeat(mixed, "李", 49);
    memcpy(mixed + strlen(mixed), "x", 2);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct bm_err err;
        enum bm_rc rc;

        bm_err_clear(&err);
        rc = bm_user_check_display_name(cases[i].name, &err);
        expect(cases[i].label, rc, &err, cases[i].ok ? NULL : "display_name");
    }
}

static void
test_password(void **state)
{
    char max_ok[200], too_long[200], zh[200];
    const struct {
        const char *label, *pw, *username;
        bool ok;
    } cases[] = {
        {"letters and digits", "abcd1234", "zhangsan", true},
        {"upper case letter", "ABCDEFG1", "zhangsan", true},
        {"symbols allowed", "p@ss w0rd!", "zhangsan", true},
        {"7 characters", "abc1234", "zhangsan", false},
        {"8 characters", "abc12345", "zhangsan", true},
        {"no digit", "abcdefgh", "zhangsan", false},
        {"no letter", "12345678", "zhangsan", false},
        {"symbols and digits only", "!@#$1234", "zhangsan", false},
        {"empty", "", "zhangsan", false},
        {"NULL", NULL, "zhangsan", false},
        {"equal to user name", "zhang3san", "zhang3san", false},
        {"128 bytes", max_ok, "zhangsan", true},
        {"129 bytes", too_long, "zhangsan", false},
        /* characters, not bytes: 5 Chinese + 2 ASCII = 7 characters in 17 bytes */
        {"7 characters in 17 bytes", "密码密码密1a", "zhangsan", false},
        {"8 characters in 20 bytes", zh, "zhangsan", true},
    };

    (void)state;
    repeat(max_ok, "a", 127);
    memcpy(max_ok + 127, "1", 2);
    repeat(too_long, "a", 128);
    memcpy(too_long + 128, "1", 2);
    repeat(zh, "密", 6);
    memcpy(zh + strlen(zh), "1a", 3);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct bm_err err;
        enum bm_rc rc;

        bm_err_clear(&err);
        rc = bm_user_check_password(cases[i].pw, cases[i].username, "new_password", &err);
        /* The error is filed under the field the caller named. */
        expect(cases[i].label, rc, &err, cases[i].ok ? NULL : "new_password");
    }
}

static void
test_phone(void **state)
{
    static const struct {
        const char *phone;
        bool ok;
    } cases[] = {
        {"", true},                /* optional */
        {NULL, true},
        {"13800138000", true},     /* mobile */
        {"19912345678", true},
        {"1380013800", false},     /* 10 digits */
        {"138001380001", false},   /* 12 */
        {"23800138000", false},    /* not starting with 1 */
        {"1380013800a", false},
        {"+8613800138000", false},
        {"138 0013 8000", false},
        {"010-69041234", true},    /* fixed line: Beijing, 8 digits */
        {"0755-1234567", true},    /* 4-character area code, 7 digits */
        {"0755-12345678", true},
        {"010-1234567", true},
        {"010-123456", false},     /* 6 digits */
        {"010-123456789", false},  /* 9 */
        {"10-69041234", false},    /* area code without 0 */
        {"01-69041234", false},    /* area code too short */
        {"01234-6904123", false},  /* too long */
        {"010-6904-1234", false},
        {"010 69041234", false},
        {"01069041234", false},    /* no dash */
        {"010-", false},
        {"-69041234", false},
        {"0a0-69041234", false},
        {"010-6904123x", false},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct bm_err err;
        enum bm_rc rc;
        char what[64];

        bm_err_clear(&err);
        rc = bm_user_check_phone(cases[i].phone, &err);
        snprintf(what, sizeof(what), "phone %s", cases[i].phone ? cases[i].phone : "NULL");
        expect(what, rc, &err, cases[i].ok ? NULL : "phone");
    }
}

static void
test_roles(void **state)
{
    static const struct {
        const char *label;
        unsigned roles;
        int64_t org;
        const char *field; /* NULL: valid */
    } cases[] = {
        {"citizen alone", BM_ROLE_CITIZEN, 0, NULL},
        {"citizen with a unit", BM_ROLE_CITIZEN, 5, "org_unit_id"},
        {"citizen and clerk", BM_ROLE_CITIZEN | BM_ROLE_CLERK, 5, "roles"},
        {"citizen and clerk, no unit", BM_ROLE_CITIZEN | BM_ROLE_CLERK, 0, "roles"},
        {"clerk with a unit", BM_ROLE_CLERK, 5, NULL},
        {"clerk without a unit", BM_ROLE_CLERK, 0, "org_unit_id"},
        {"county admin without a unit", BM_ROLE_COUNTY_ADMIN, 0, "org_unit_id"},
        {"several staff roles", BM_ROLE_CLERK | BM_ROLE_HANDLER | BM_ROLE_APPROVER, 17, NULL},
        {"county admin and auditor", BM_ROLE_COUNTY_ADMIN | BM_ROLE_AUDITOR, 1, NULL},
        {"every staff role", BM_ROLE_ALL & ~(unsigned)BM_ROLE_CITIZEN, 1, NULL},
        {"no role", 0, 5, "roles"},
        {"no role, no unit", 0, 0, "roles"},
        {"unknown bit", 1u << BM_ROLE_COUNT, 5, "roles"},
        {"unknown bit with a known one", BM_ROLE_CLERK | (1u << 20), 5, "roles"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct bm_err err;
        enum bm_rc rc;

        bm_err_clear(&err);
        rc = bm_user_check_roles(cases[i].roles, cases[i].org, &err);
        expect(cases[i].label, rc, &err, cases[i].field);
    }
    /* Each single staff role needs a unit and is fine with one. */
    for (int i = 0; i < BM_ROLE_COUNT; i++) {
        unsigned r = bm_role_at(i);
        struct bm_err err;

        if (r == BM_ROLE_CITIZEN)
            continue;
        bm_err_clear(&err);
        expect(bm_role_code(r), bm_user_check_roles(r, 3, &err), &err, NULL);
        bm_err_clear(&err);
        expect(bm_role_code(r), bm_user_check_roles(r, 0, &err), &err, "org_unit_id");
    }
}

/* The checks add to one error, so a caller can report several fields together. */
static void
test_errors_accumulate(void **state)
{
    struct bm_err err;

    (void)state;
    bm_err_clear(&err);
    assert_int_equal(bm_user_check_username("X", &err), BM_EINVAL);
    assert_int_equal(bm_user_check_display_name("", &err), BM_EINVAL);
    assert_int_equal(bm_user_check_password("short", "x", "password", &err), BM_EINVAL);
    assert_int_equal(bm_user_check_phone("123", &err), BM_EINVAL);
    assert_int_equal(bm_user_check_roles(0, 0, &err), BM_EINVAL);
    assert_int_equal(err.rc, BM_EINVAL);
    assert_int_equal(err.n_fields, 5);
    assert_string_equal(err.fields[0].field, "username");
    assert_string_equal(err.fields[1].field, "display_name");
    assert_string_equal(err.fields[2].field, "password");
    assert_string_equal(err.fields[3].field, "phone");
    assert_string_equal(err.fields[4].field, "roles");
    /* A passing check adds nothing. */
    assert_int_equal(bm_user_check_username("abc", &err), BM_OK);
    assert_int_equal(err.n_fields, 5);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_username),
        cmocka_unit_test(test_display_name),
        cmocka_unit_test(test_password),
        cmocka_unit_test(test_phone),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_errors_accumulate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
