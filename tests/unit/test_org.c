/*
 * Unit tests for src/core/org.c: kind and management-mode codes, which kind may sit under
 * which, bm_org_validate's division-code rules (docs/domain.md section 6) and unit subtypes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/org.h"

static void
test_kind_round_trip(void **state)
{
    static const char *const codes[BM_ORG_KIND_COUNT] = {
        [BM_ORG_COUNTY] = "county",
        [BM_ORG_DEPARTMENT] = "department",
        [BM_ORG_TOWNSHIP] = "township",
        [BM_ORG_OFFICE] = "office",
        [BM_ORG_STATION] = "station",
        [BM_ORG_SERVICE_CENTER] = "service_center",
        [BM_ORG_VILLAGE] = "village",
    };
    static const char *const unknown[] = {"", "County", "villages", "service-center", "dept"};

    (void)state;
    for (int k = 0; k < BM_ORG_KIND_COUNT; k++) {
        enum bm_org_kind out = BM_ORG_KIND_COUNT;

        /* The API's fixed codes (docs api-contract), both ways. */
        assert_string_equal(bm_org_kind_code((enum bm_org_kind)k), codes[k]);
        assert_true(bm_org_kind_parse(codes[k], &out));
        assert_int_equal(out, k);
        assert_true(strlen(bm_org_kind_name_zh((enum bm_org_kind)k)) > 0);
        for (int j = 0; j < k; j++)
            assert_string_not_equal(bm_org_kind_name_zh((enum bm_org_kind)j),
                                    bm_org_kind_name_zh((enum bm_org_kind)k));
    }
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
        enum bm_org_kind out = BM_ORG_VILLAGE;
        assert_false(bm_org_kind_parse(unknown[i], &out));
        assert_int_equal(out, BM_ORG_VILLAGE);
    }
    assert_string_equal(bm_org_kind_code(BM_ORG_KIND_COUNT), "unknown");
}

static void
test_mgmt_mode_round_trip(void **state)
{
    static const char *const codes[BM_MGMT_COUNT] = {
        [BM_MGMT_NONE] = "none",
        [BM_MGMT_TOWNSHIP] = "township",
        [BM_MGMT_COUNTY] = "county",
        [BM_MGMT_DUAL] = "dual",
    };
    enum bm_mgmt_mode out;

    (void)state;
    for (int m = 0; m < BM_MGMT_COUNT; m++) {
        out = BM_MGMT_COUNT;
        assert_string_equal(bm_mgmt_mode_code((enum bm_mgmt_mode)m), codes[m]);
        assert_true(bm_mgmt_mode_parse(codes[m], &out));
        assert_int_equal(out, m);
    }
    out = BM_MGMT_DUAL;
    assert_false(bm_mgmt_mode_parse("Dual", &out));
    assert_false(bm_mgmt_mode_parse("", &out));
    assert_int_equal(out, BM_MGMT_DUAL);
}

/* The whole child x parent matrix; 1 = allowed. */
static void
test_parent_rules(void **state)
{
    enum { C = BM_ORG_COUNTY, D = BM_ORG_DEPARTMENT, T = BM_ORG_TOWNSHIP, O = BM_ORG_OFFICE,
           S = BM_ORG_STATION, SC = BM_ORG_SERVICE_CENTER, V = BM_ORG_VILLAGE };
    static const struct {
        int child;
        int allowed[BM_ORG_KIND_COUNT]; /* by parent kind */
    } rows[] = {
        /* columns: parent C, D, T, O, S, SC, V */
        {C,  {0, 0, 0, 0, 0, 0, 0}}, /* a county is the root */
        {D,  {1, 0, 0, 0, 0, 0, 0}},
        {T,  {1, 0, 0, 0, 0, 0, 0}},
        {O,  {0, 1, 1, 0, 0, 0, 0}}, /* township office or department section */
        {S,  {0, 1, 1, 0, 0, 0, 0}}, /* township station or one dispatched (派驻) */
        {SC, {1, 0, 1, 0, 0, 0, 0}}, /* township centre or county service centre */
        {V,  {0, 0, 1, 0, 0, 0, 0}},
    };

    (void)state;
    assert_int_equal(sizeof(rows) / sizeof(rows[0]), BM_ORG_KIND_COUNT);
    for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
        for (int p = 0; p < BM_ORG_KIND_COUNT; p++) {
            bool got = bm_org_parent_allowed((enum bm_org_kind)rows[r].child,
                                             (enum bm_org_kind)p);
            if (got != (rows[r].allowed[p] != 0))
                fail_msg("%s under %s: got %d", bm_org_kind_code((enum bm_org_kind)rows[r].child),
                         bm_org_kind_code((enum bm_org_kind)p), got);
        }
    }
}

/* Parents used below. */
static const struct bm_org_unit miyun = {
    .id = 1, .kind = BM_ORG_COUNTY, .name = "密云区", .division_code = "110118",
    .credit_code = "", .path = "/1/",
};
static const struct bm_org_unit xitian = {
    .id = 4, .parent_id = 1, .kind = BM_ORG_TOWNSHIP, .name = "西田各庄镇",
    .division_code = "110118102000", .credit_code = "", .path = "/1/4/",
};
static const struct bm_org_unit dept = {
    .id = 2, .parent_id = 1, .kind = BM_ORG_DEPARTMENT, .name = "区民政局",
    .division_code = "", .credit_code = "", .path = "/1/2/",
};

static struct bm_org_unit
unit(enum bm_org_kind kind, const char *name, const char *code)
{
    struct bm_org_unit u = {.kind = kind, .name = name, .division_code = code,
                            .credit_code = "", .is_active = true};
    return u;
}

/*
 * Runs bm_org_validate and checks the outcome: want_field NULL means BM_OK with
 * code_out == want_code; otherwise BM_EINVAL with exactly one error, on that field.
 */
static void
check(const char *what, const struct bm_org_unit *u, const struct bm_org_unit *parent,
      const char *want_field, const char *want_code)
{
    char out[13] = "garbage";
    struct bm_err err;
    enum bm_rc rc;

    bm_err_clear(&err);
    rc = bm_org_validate(u, parent, out, &err);
    if (want_field == NULL) {
        if (rc != BM_OK)
            fail_msg("%s: refused (%s: %s)", what, err.n_fields ? err.fields[0].field : "-",
                     err.n_fields ? err.fields[0].message : err.message);
        assert_string_equal(out, want_code);
        return;
    }
    if (rc != BM_EINVAL)
        fail_msg("%s: accepted, code %s", what, out);
    assert_int_equal(err.rc, BM_EINVAL);
    if (err.n_fields != 1 || strcmp(err.fields[0].field, want_field) != 0)
        fail_msg("%s: %d errors, first on %s, want one on %s", what, err.n_fields,
                 err.n_fields ? err.fields[0].field : "-", want_field);
    assert_true(strlen(err.fields[0].message) > 0);
}

static void
test_validate_county_codes(void **state)
{
    static const struct {
        const char *code;
        const char *field; /* NULL: valid */
        const char *out;
    } cases[] = {
        {"110118", NULL, "110118"},
        {"110118000000", NULL, "110118"},      /* 12-digit form of a county */
        {"110119", NULL, "110119"},
        {"440524", NULL, "440524"},
        {"820101", NULL, "820101"},            /* province 82: upper end */
        {"110101", NULL, "110101"},            /* province 11: lower end */
        {"11011", "division_code", NULL},      /* 5 digits */
        {"1101180", "division_code", NULL},    /* 7 */
        {"11011800000", "division_code", NULL},
        {"110118000001", "division_code", NULL}, /* 12 digits not ending 000000 */
        {"110118102000", "division_code", NULL}, /* a township's code */
        {"11011a", "division_code", NULL},
        {"", "division_code", NULL},
        {"110100", "division_code", NULL},     /* prefecture level (..00) */
        {"440500", "division_code", NULL},
        {"110000", "division_code", NULL},     /* province level */
        {"110100000000", "division_code", NULL},
        {"100118", "division_code", NULL},     /* province below 11 */
        {"010118", "division_code", NULL},
        {"830101", "division_code", NULL},     /* province above 82 */
        {"990101", "division_code", NULL},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct bm_org_unit u = unit(BM_ORG_COUNTY, "某县", cases[i].code);
        char what[64];

        snprintf(what, sizeof(what), "county %s", cases[i].code);
        check(what, &u, NULL, cases[i].field, cases[i].out);
    }
}

static void
test_validate_township_codes(void **state)
{
    static const struct {
        const char *code;
        const char *field;
        const char *out;
    } cases[] = {
        {"110118102", NULL, "110118102000"},
        {"110118102000", NULL, "110118102000"},
        {"110118001", NULL, "110118001000"},   /* 街道, lowest */
        {"110118099", NULL, "110118099000"},
        {"110118200", NULL, "110118200000"},   /* 乡 */
        {"110118400", NULL, "110118400000"},   /* 政企合一 */
        {"110118599", NULL, "110118599000"},   /* highest */
        {"110118000", "division_code", NULL},  /* segment 000 */
        {"110118600", "division_code", NULL},  /* beyond 599 */
        {"110118999", "division_code", NULL},
        {"110119100", "division_code", NULL},  /* 延庆 code under 密云 */
        {"110108102", "division_code", NULL},
        {"110118102001", "division_code", NULL}, /* a village's code */
        {"110118102000000", "division_code", NULL},
        {"11011810", "division_code", NULL},   /* 8 digits */
        {"1101181020", "division_code", NULL}, /* 10 */
        {"11011810200", "division_code", NULL}, /* 11 */
        {"110118", "division_code", NULL},     /* the county's own */
        {"11011810a", "division_code", NULL},
        {"", "division_code", NULL},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct bm_org_unit u = unit(BM_ORG_TOWNSHIP, "某镇", cases[i].code);
        char what[64];

        snprintf(what, sizeof(what), "township %s", cases[i].code);
        check(what, &u, &miyun, cases[i].field, cases[i].out);
    }
}

static void
test_validate_village_codes(void **state)
{
    static const struct {
        const char *code;
        const char *field;
        const char *out;
    } cases[] = {
        {"110118102001", NULL, "110118102001"}, /* 西田各庄社区居民委员会 */
        {"110118102199", NULL, "110118102199"},
        {"110118102200", NULL, "110118102200"}, /* 西田各庄村民委员会 */
        {"110118102207", NULL, "110118102207"},
        {"110118102399", NULL, "110118102399"},
        {"110118102000", "division_code", NULL}, /* the township itself */
        {"110118102400", "division_code", NULL},
        {"110118102999", "division_code", NULL},
        {"110118103200", "division_code", NULL}, /* another township's village */
        {"110119102200", "division_code", NULL}, /* another county */
        {"110118102", "division_code", NULL},    /* 9 digits */
        {"11011810220", "division_code", NULL},
        {"1101181022001", "division_code", NULL},
        {"11011810220a", "division_code", NULL},
        {"", "division_code", NULL},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct bm_org_unit u = unit(BM_ORG_VILLAGE, "某村", cases[i].code);
        char what[64];

        snprintf(what, sizeof(what), "village %s", cases[i].code);
        check(what, &u, &xitian, cases[i].field, cases[i].out);
    }
}

static void
test_validate_management_mode(void **state)
{
    static const struct {
        enum bm_org_kind kind;
        enum bm_mgmt_mode mode;
        bool ok;
    } cases[] = {
        {BM_ORG_STATION, BM_MGMT_NONE, false},
        {BM_ORG_STATION, BM_MGMT_TOWNSHIP, true},
        {BM_ORG_STATION, BM_MGMT_COUNTY, true},
        {BM_ORG_STATION, BM_MGMT_DUAL, true},
        {BM_ORG_OFFICE, BM_MGMT_NONE, true},
        {BM_ORG_OFFICE, BM_MGMT_TOWNSHIP, false},
        {BM_ORG_SERVICE_CENTER, BM_MGMT_DUAL, false},
        {BM_ORG_SERVICE_CENTER, BM_MGMT_NONE, true},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct bm_org_unit u = unit(cases[i].kind, "农业综合服务站", "");
        char what[64];

        u.mgmt_mode = cases[i].mode;
        snprintf(what, sizeof(what), "%s with mode %s", bm_org_kind_code(cases[i].kind),
                 bm_mgmt_mode_code(cases[i].mode));
        check(what, &u, &xitian, cases[i].ok ? NULL : "management_mode", "");
    }
    /* Modes on the kinds that have their own code are refused too. */
    {
        struct bm_org_unit t = unit(BM_ORG_TOWNSHIP, "密云镇", "110118100");
        struct bm_org_unit v = unit(BM_ORG_VILLAGE, "董各庄村", "110118102201");
        struct bm_org_unit c = unit(BM_ORG_COUNTY, "密云区", "110118");

        t.mgmt_mode = BM_MGMT_TOWNSHIP;
        v.mgmt_mode = BM_MGMT_COUNTY;
        c.mgmt_mode = BM_MGMT_DUAL;
        check("township with a mode", &t, &miyun, "management_mode", NULL);
        check("village with a mode", &v, &xitian, "management_mode", NULL);
        check("county with a mode", &c, NULL, "management_mode", NULL);
    }
    /* A station dispatched by a county department. */
    {
        struct bm_org_unit s = unit(BM_ORG_STATION, "派驻所", "");
        s.mgmt_mode = BM_MGMT_COUNTY;
        check("station under a department", &s, &dept, NULL, "");
    }
}

static void
test_validate_units_without_codes(void **state)
{
    static const struct {
        enum bm_org_kind kind;
        const struct bm_org_unit *parent;
    } cases[] = {
        {BM_ORG_DEPARTMENT, &miyun},
        {BM_ORG_OFFICE, &xitian},
        {BM_ORG_OFFICE, &dept},
        {BM_ORG_SERVICE_CENTER, &xitian},
        {BM_ORG_SERVICE_CENTER, &miyun},
        {BM_ORG_STATION, &xitian},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct bm_org_unit u = unit(cases[i].kind, "办公室", "");
        char what[64];

        if (cases[i].kind == BM_ORG_STATION)
            u.mgmt_mode = BM_MGMT_TOWNSHIP;
        snprintf(what, sizeof(what), "%s without code", bm_org_kind_code(cases[i].kind));
        check(what, &u, cases[i].parent, NULL, "");
        /* The same unit with a division code is refused. */
        u.division_code = "110118";
        snprintf(what, sizeof(what), "%s with code", bm_org_kind_code(cases[i].kind));
        check(what, &u, cases[i].parent, "division_code", NULL);
    }
    /* NULL means none. */
    {
        struct bm_org_unit d = unit(BM_ORG_DEPARTMENT, "区民政局", NULL);
        d.credit_code = NULL;
        check("department, NULL codes", &d, &miyun, NULL, "");
    }
}

static void
test_validate_parent_kind(void **state)
{
    struct bm_org_unit county = unit(BM_ORG_COUNTY, "密云区", "110118");
    struct bm_org_unit village = unit(BM_ORG_VILLAGE, "仓头村", "110118102202");
    struct bm_org_unit town = unit(BM_ORG_TOWNSHIP, "溪翁庄镇", "110118101");
    struct bm_org_unit office = unit(BM_ORG_OFFICE, "党政办", "");

    (void)state;
    check("county under a county", &county, &miyun, "parent_id", NULL);
    check("township without parent", &town, NULL, "parent_id", NULL);
    check("township under a township", &town, &xitian, "parent_id", NULL);
    check("office without parent", &office, NULL, "parent_id", NULL);
    check("office under an office", &office, &(struct bm_org_unit){.kind = BM_ORG_OFFICE},
          "parent_id", NULL);
    check("village under a department", &village, &dept, "parent_id", NULL);
}

/*
 * A village placed directly under a county: the parent is wrong, and the county's 6-digit
 * code is no township prefix. Must be refused on parent_id without reading past the parent's
 * code (AddressSanitizer checks the comparison).
 */
static void
test_validate_village_under_county(void **state)
{
    struct bm_org_unit village = unit(BM_ORG_VILLAGE, "仓头村", "110118102202");
    struct bm_err err;
    char out[13];

    (void)state;
    bm_err_clear(&err);
    assert_int_equal(bm_org_validate(&village, &miyun, out, &err), BM_EINVAL);
    assert_true(err.n_fields >= 1);
    assert_string_equal(err.fields[0].field, "parent_id");
}

static void
test_validate_credit_code(void **state)
{
    static const struct {
        const char *credit;
        bool ok;
    } cases[] = {
        {"", true},
        {"11100000000013338W", true},
        {"91110000101623741K", true},
        {"91350211M0000XUF46", false}, /* fails GB 32100 */
        {"11100000000013338w", false},
        {"11100000000013338", false},
        {"not a code", false},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct bm_org_unit u = unit(BM_ORG_DEPARTMENT, "区政务服务局", "");
        char what[64];

        u.credit_code = cases[i].credit;
        snprintf(what, sizeof(what), "credit code \"%s\"", cases[i].credit);
        check(what, &u, &miyun, cases[i].ok ? NULL : "credit_code", "");
    }
}

static void
test_validate_name_length(void **state)
{
    char ascii[128], zh[400];
    struct bm_org_unit u = unit(BM_ORG_DEPARTMENT, NULL, "");

    (void)state;
    /* 100 characters of 3 bytes each are 100 characters, not 300. */
    zh[0] = '\0';
    for (int i = 0; i < 100; i++)
        memcpy(zh + 3 * i, "镇", 4);
    u.name = zh;
    check("100 Chinese characters", &u, &miyun, NULL, "");
    memcpy(zh + 300, "镇", 4);
    check("101 Chinese characters", &u, &miyun, "name", NULL);

    memset(ascii, 'a', 100);
    ascii[100] = '\0';
    u.name = ascii;
    check("100 ASCII", &u, &miyun, NULL, "");
    ascii[100] = 'a';
    ascii[101] = '\0';
    check("101 ASCII", &u, &miyun, "name", NULL);

    u.name = "";
    check("empty name", &u, &miyun, "name", NULL);
    u.name = NULL;
    check("NULL name", &u, &miyun, "name", NULL);
    u.name = "局";
    check("one character", &u, &miyun, NULL, "");
}

/* Several faults are reported together, one per field. */
static void
test_validate_reports_all_fields(void **state)
{
    struct bm_org_unit u = unit(BM_ORG_TOWNSHIP, "", "110119100");
    struct bm_err err;
    char out[13];
    bool name = false, mode = false, credit = false, code = false;

    (void)state;
    u.mgmt_mode = BM_MGMT_DUAL;
    u.credit_code = "91350211M0000XUF46";
    bm_err_clear(&err);
    assert_int_equal(bm_org_validate(&u, &miyun, out, &err), BM_EINVAL);
    assert_int_equal(err.n_fields, 4);
    for (int i = 0; i < err.n_fields; i++) {
        name |= strcmp(err.fields[i].field, "name") == 0;
        mode |= strcmp(err.fields[i].field, "management_mode") == 0;
        credit |= strcmp(err.fields[i].field, "credit_code") == 0;
        code |= strcmp(err.fields[i].field, "division_code") == 0;
    }
    assert_true(name && mode && credit && code);
}

static void
test_township_type(void **state)
{
    static const struct {
        const char *code, *type;
    } cases[] = {
        /* 密云区 (domain.md 6.3) */
        {"110118001000", "subdistrict"}, /* 鼓楼街道 */
        {"110118002000", "subdistrict"}, /* 果园街道 */
        {"110118003000", "subdistrict"}, /* 檀营地区 */
        {"110118100000", "town"},        /* 密云镇 */
        {"110118101000", "town"},        /* 溪翁庄镇 */
        {"110118102000", "town"},        /* 西田各庄镇 */
        {"110118103000", "town"},        /* 十里堡镇 */
        {"110118107000", "town"},        /* 太师屯镇 */
        {"110118111000", "town"},        /* 古北口镇 */
        {"110118116000", "town"},        /* 石城镇 */
        {"110118400000", "combined"},    /* 中关村科技园区密云园 */
        /* 延庆区 */
        {"110119001000", "subdistrict"}, /* 百泉街道 */
        {"110119100000", "town"},        /* 延庆镇 */
        {"110119200000", "township"},    /* 大庄科乡 */
        {"110119203000", "township"},    /* 珍珠泉乡 */
        /* range ends */
        {"110118099000", "subdistrict"},
        {"110118199000", "town"},
        {"110118399000", "township"},
        {"110118599000", "combined"},
        /* not township codes */
        {"110118000000", NULL},          /* a county */
        {"110118600000", NULL},
        {"110118999000", NULL},
        {"110118102001", NULL},          /* a village */
        {"110118102", NULL},             /* 9 digits: not normalised */
        {"11011810200a", NULL},
        {"1101181020000", NULL},
        {"", NULL},
        {NULL, NULL},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *got = bm_org_township_type(cases[i].code);

        if (cases[i].type == NULL ? got != NULL : got == NULL || strcmp(got, cases[i].type) != 0)
            fail_msg("township_type(%s) = %s, want %s", cases[i].code ? cases[i].code : "NULL",
                     got ? got : "NULL", cases[i].type ? cases[i].type : "NULL");
    }
}

static void
test_village_type(void **state)
{
    static const struct {
        const char *code, *type;
    } cases[] = {
        /* 西田各庄镇 (domain.md 6.3) */
        {"110118102001", "community"}, /* 西田各庄社区居民委员会 */
        {"110118102003", "community"}, /* 大辛庄居民委员会 */
        {"110118102004", "community"}, /* 沿村居民委员会 */
        {"110118102200", "village"},   /* 西田各庄村民委员会 */
        {"110118102201", "village"},   /* 董各庄村民委员会 */
        {"110118102202", "village"},   /* 仓头村民委员会 */
        {"110118102207", "village"},   /* 沿村村民委员会 */
        {"110118102199", "community"},
        {"110118102399", "village"},
        {"110118102000", NULL},        /* the township itself */
        {"110118102400", NULL},
        {"110118102999", NULL},
        {"110118102", NULL},
        {"11011810220x", NULL},
        {"", NULL},
        {NULL, NULL},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *got = bm_org_village_type(cases[i].code);

        if (cases[i].type == NULL ? got != NULL : got == NULL || strcmp(got, cases[i].type) != 0)
            fail_msg("village_type(%s) = %s, want %s", cases[i].code ? cases[i].code : "NULL",
                     got ? got : "NULL", cases[i].type ? cases[i].type : "NULL");
    }
}

/* Path prefixes: the county, and the township or department a unit belongs to. */
static void
test_path_prefix(void **state)
{
    char out[16];
    (void)state;

    assert_true(bm_org_path_prefix("/1/4/17/", 1, out, sizeof(out)));
    assert_string_equal(out, "/1/");
    assert_true(bm_org_path_prefix("/1/4/17/", 2, out, sizeof(out)));
    assert_string_equal(out, "/1/4/");
    assert_true(bm_org_path_prefix("/1/4/17/", 3, out, sizeof(out)));
    assert_string_equal(out, "/1/4/17/");
    assert_false(bm_org_path_prefix("/1/4/17/", 4, out, sizeof(out)));
    assert_string_equal(out, "");
    assert_false(bm_org_path_prefix("/1/", 2, out, sizeof(out)));
    assert_string_equal(out, "");
    assert_false(bm_org_path_prefix("", 1, out, sizeof(out)));
    assert_false(bm_org_path_prefix("1/4/", 1, out, sizeof(out)));
    assert_false(bm_org_path_prefix("/1/4/17/", 3, out, 8)); /* too small: 9 bytes needed */
    assert_string_equal(out, "");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kind_round_trip),
        cmocka_unit_test(test_mgmt_mode_round_trip),
        cmocka_unit_test(test_parent_rules),
        cmocka_unit_test(test_validate_county_codes),
        cmocka_unit_test(test_validate_township_codes),
        cmocka_unit_test(test_validate_village_codes),
        cmocka_unit_test(test_validate_management_mode),
        cmocka_unit_test(test_validate_units_without_codes),
        cmocka_unit_test(test_validate_parent_kind),
        cmocka_unit_test(test_validate_credit_code),
        cmocka_unit_test(test_validate_name_length),
        cmocka_unit_test(test_validate_reports_all_fields),
        cmocka_unit_test(test_township_type),
        cmocka_unit_test(test_village_type),
        /* Last: if it reads out of bounds, AddressSanitizer stops the program here. */
        cmocka_unit_test(test_validate_village_under_county),
        cmocka_unit_test(test_path_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
