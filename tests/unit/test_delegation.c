/*
 * Unit tests for src/core/delegation.c: calendar dates, the checks of a delegated power
 * (下放事项) and of an entry in a township's power list, and the power types table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/delegation.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static char *
repeat(char *out, const char *unit, int n)
{
    size_t len = strlen(unit);

    out[0] = '\0';
    for (int i = 0; i < n; i++)
        memcpy(out + len * (size_t)i, unit, len + 1);
    return out;
}

/* rc is BM_OK with no field errors (fields[0] NULL), or BM_EINVAL naming exactly `fields`. */
static void
expect_fields(const char *what, enum bm_rc rc, const struct bm_err *err,
              const char *const fields[])
{
    int want = 0;

    while (want < 8 && fields[want] != NULL)
        want++;
    if (want == 0) {
        if (rc != BM_OK || err->n_fields != 0)
            fail_msg("%s: refused (%s: %s)", what, err->n_fields ? err->fields[0].field : "-",
                     err->n_fields ? err->fields[0].message : "-");
        return;
    }
    if (rc != BM_EINVAL || err->rc != BM_EINVAL)
        fail_msg("%s: accepted", what);
    if (err->n_fields != want)
        fail_msg("%s: %d errors (first on %s), want %d (first on %s)", what, err->n_fields,
                 err->fields[0].field, want, fields[0]);
    for (int i = 0; i < want; i++) {
        if (strcmp(err->fields[i].field, fields[i]) != 0)
            fail_msg("%s: error %d on %s, want %s", what, i, err->fields[i].field, fields[i]);
        assert_true(strlen(err->fields[i].message) > 0);
    }
}

/* ---- dates ------------------------------------------------------------------------------ */

static void
test_date_valid(void **state)
{
    static const struct {
        const char *s;
        bool ok;
    } cases[] = {
        {"2019-06-01", true},
        {"2023-01-31", true},
        {"2023-12-31", true},
        {"2023-04-30", true},
        {"2023-04-31", false},
        {"2023-06-31", false},
        {"2023-09-31", false},
        {"2023-11-31", false},
        {"2023-01-32", false},
        {"2023-03-31", true},
        /* leap years: every 4th, not every 100th, but every 400th */
        {"2024-02-29", true},
        {"2023-02-29", false},
        {"2023-02-28", true},
        {"2024-02-30", false},
        {"2000-02-29", true},
        {"2100-02-29", false},
        {"2100-02-28", true},
        {"2400-02-29", true},
        {"1952-02-29", true},
        {"1950-02-29", false},
        /* the People's Republic's dates only */
        {"1949-01-01", true},
        {"1949-10-01", true},
        {"1948-12-31", false},
        {"1900-01-01", false},
        {"0000-01-01", false},
        {"9999-12-31", true},
        /* months and days out of range */
        {"2023-00-10", false},
        {"2023-13-01", false},
        {"2023-99-01", false},
        {"2023-01-00", false},
        {"2023-12-00", false},
        {"2023-12-99", false},
        /* formats */
        {"2023-1-01", false},
        {"2023-01-1", false},
        {"23-01-01", false},
        {"2023/01/01", false},
        {"2023.01.01", false},
        {"20230101", false},
        {"2023-0101", false},
        {"2023--0101", false},
        {"2023-01-01 ", false},
        {" 2023-01-01", false},
        {"2023-01-01T00:00:00", false},
        {"2023-01-0a", false},
        {"202a-01-01", false},
        {"+023-01-01", false},
        {"-023-01-01", false},
        {"2023-+1-01", false},
        {"2023-01--1", false},
        {"2023年1月1日", false},
        {"２０２３-01-01", false}, /* full-width digits */
        {"----------", false},
        {"", false},
        {NULL, false},
    };

    (void)state;
    for (size_t i = 0; i < N(cases); i++)
        if (bm_date_valid(cases[i].s) != cases[i].ok)
            fail_msg("date \"%s\": got %d, want %d", cases[i].s ? cases[i].s : "(null)",
                     !cases[i].ok, cases[i].ok);
}

/* ---- delegations ------------------------------------------------------------------------ */

static struct bm_delegation
base_delegation(void)
{
    struct bm_delegation d = {
        .name = "乡村建设规划许可证核发",
        .from_unit_id = 2,
        .legal_basis = "《中华人民共和国城乡规划法》第四十一条",
        .approval_document = "密政发〔2019〕12号",
        .approval_date = "2019-06-01",
        .procedure = "县规划分局业务指导，乡镇受理审批",
        .department_responsibility = "业务指导和监督",
        .township_responsibility = "受理、审查、决定",
        .is_active = true,
        .township_ids = {4, 5},
        .n_townships = 2,
    };
    return d;
}

static void
test_delegation_check(void **state)
{
    static char n1[8], n2[8], n200[1024], n201[1024];
    static const struct {
        const char *what;
        int change;
        const char *fields[8];
    } cases[] = {
        {"valid", 0, {NULL}},
        {"name of 2 characters", 1, {NULL}},
        {"name of 200 characters", 2, {NULL}},
        {"name of 1 character", 3, {"name"}},
        {"name of 201 characters", 4, {"name"}},
        {"name empty", 5, {"name"}},
        {"name NULL", 6, {"name"}},
        {"no department", 7, {"from_unit_id"}},
        {"negative department", 8, {"from_unit_id"}},
        {"legal basis of 1 character", 9, {"legal_basis"}},
        {"legal basis NULL", 10, {"legal_basis"}},
        {"approval document empty", 11, {"approval_document"}},
        {"approval document NULL", 12, {"approval_document"}},
        {"approval date not a date", 13, {"approval_date"}},
        {"approval date 2019-02-29", 14, {"approval_date"}},
        {"approval date NULL", 15, {"approval_date"}},
        {"approval date 2020-02-29", 16, {NULL}},
        {"no township", 17, {"township_ids"}},
        {"one township", 18, {NULL}},
        {"64 townships", 19, {NULL}},
        {"everything wrong", 20,
         {"name", "from_unit_id", "legal_basis", "approval_document", "approval_date",
          "township_ids"}},
    };

    (void)state;
    repeat(n1, "镇", 1);
    repeat(n2, "低保", 1);
    repeat(n200, "权", 200);
    repeat(n201, "权", 201);
    for (size_t i = 0; i < N(cases); i++) {
        struct bm_delegation d = base_delegation();
        struct bm_err err;

        switch (cases[i].change) {
        case 1: d.name = n2; break;
        case 2: d.name = n200; break;
        case 3: d.name = n1; break;
        case 4: d.name = n201; break;
        case 5: d.name = ""; break;
        case 6: d.name = NULL; break;
        case 7: d.from_unit_id = 0; break;
        case 8: d.from_unit_id = -1; break;
        case 9: d.legal_basis = "法"; break;
        case 10: d.legal_basis = NULL; break;
        case 11: d.approval_document = ""; break;
        case 12: d.approval_document = NULL; break;
        case 13: d.approval_date = "2019年6月1日"; break;
        case 14: d.approval_date = "2019-02-29"; break;
        case 15: d.approval_date = NULL; break;
        case 16: d.approval_date = "2020-02-29"; break;
        case 17: d.n_townships = 0; break;
        case 18: d.n_townships = 1; break;
        case 19:
            for (int k = 0; k < BM_DELEGATION_MAX_TOWNSHIPS; k++)
                d.township_ids[k] = 10 + k;
            d.n_townships = BM_DELEGATION_MAX_TOWNSHIPS;
            break;
        case 20:
            d.name = "";
            d.from_unit_id = 0;
            d.legal_basis = "";
            d.approval_document = "";
            d.approval_date = "2019-13-01";
            d.n_townships = 0;
            break;
        default: break;
        }
        bm_err_clear(&err);
        expect_fields(cases[i].what, bm_delegation_check(&d, &err), &err, cases[i].fields);
    }
}

/* ---- power lists ------------------------------------------------------------------------ */

static void
test_power_types(void **state)
{
    static const char *const codes[] = {"permit",     "payment",     "confirmation", "reward",
                                        "adjudication", "penalty",   "coercion",     "inspection",
                                        "levy",       "other_power", "public_service"};

    (void)state;
    assert_int_equal(bm_code_count(bm_power_types), N(codes));
    for (size_t i = 0; i < N(codes); i++) {
        assert_int_equal(bm_code_find(bm_power_types, codes[i]), (int)i);
        assert_true(strlen(bm_power_types[i].zh) > 0);
    }
    assert_string_equal(bm_power_types[5].zh, "行政处罚");
    assert_int_equal(bm_code_find(bm_power_types, "other"), -1);
    assert_int_equal(bm_code_find(bm_power_types, NULL), -1);
    /* The item types that are powers keep their codes in the power table. */
    for (size_t i = 0; bm_item_types[i].code != NULL; i++)
        if (strcmp(bm_item_types[i].code, "other") != 0)
            assert_true(bm_code_find(bm_power_types, bm_item_types[i].code) >= 0);
}

static void
test_power_check(void **state)
{
    static char n200[1024], n201[1024];
    static const struct {
        const char *what;
        int change;
        const char *fields[8];
    } cases[] = {
        {"valid", 0, {NULL}},
        {"name of 200 characters", 1, {NULL}},
        {"name of 201 characters", 2, {"name"}},
        {"name of 1 character", 3, {"name"}},
        {"name NULL", 4, {"name"}},
        {"type -1", 5, {"type"}},
        {"type past the table", 6, {"type"}},
        {"type last in the table", 7, {NULL}},
        {"type penalty", 8, {NULL}},
        {"legal basis empty", 9, {"legal_basis"}},
        {"legal basis of 1 character", 10, {"legal_basis"}},
        {"legal basis NULL", 11, {"legal_basis"}},
        {"no township", 12, {"township_id"}},
        {"negative township", 13, {"township_id"}},
        {"JSON arrays are not checked here", 14, {NULL}},
        {"everything wrong", 15, {"name", "type", "legal_basis", "township_id"}},
    };

    (void)state;
    repeat(n200, "权", 200);
    repeat(n201, "权", 201);
    for (size_t i = 0; i < N(cases); i++) {
        struct bm_power p = {
            .township_id = 4,
            .name = "对违反村庄规划建设行为的处罚",
            .type = 0,
            .legal_basis = "《中华人民共和国城乡规划法》第六十五条",
            .responsibilities = "[{\"stage\":\"受理\",\"duty\":\"依法受理\"}]",
            .accountability = "[\"不依法受理的\"]",
        };
        struct bm_err err;

        switch (cases[i].change) {
        case 1: p.name = n200; break;
        case 2: p.name = n201; break;
        case 3: p.name = "罚"; break;
        case 4: p.name = NULL; break;
        case 5: p.type = -1; break;
        case 6: p.type = (int)bm_code_count(bm_power_types); break;
        case 7: p.type = (int)bm_code_count(bm_power_types) - 1; break;
        case 8: p.type = bm_code_find(bm_power_types, "penalty"); break;
        case 9: p.legal_basis = ""; break;
        case 10: p.legal_basis = "法"; break;
        case 11: p.legal_basis = NULL; break;
        case 12: p.township_id = 0; break;
        case 13: p.township_id = -4; break;
        case 14:
            p.responsibilities = "not json";
            p.accountability = "";
            break;
        case 15:
            p.name = "";
            p.type = 42;
            p.legal_basis = "";
            p.township_id = 0;
            break;
        default: break;
        }
        bm_err_clear(&err);
        expect_fields(cases[i].what, bm_power_check(&p, &err), &err, cases[i].fields);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_valid),
        cmocka_unit_test(test_delegation_check),
        cmocka_unit_test(test_power_types),
        cmocka_unit_test(test_power_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
