/*
 * Unit tests for src/core/checksum.c: resident ID numbers (GB 11643) and unified social
 * credit codes (GB 32100), with every worked example of docs/domain.md sections 7.1 and 7.2.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/checksum.h"

/*
 * The test's own check characters, computed from the definitions rather than copied tables.
 * ISO 7064 MOD 11-2: weights 2^(18-i) mod 11, and the check value c makes S + c = 1 (mod 11).
 */
static char
ref_id_check(const char *id17)
{
    int s = 0, w = 1, c;

    for (int i = 16; i >= 0; i--) {
        w = w * 2 % 11;
        s += (id17[i] - '0') * w;
    }
    c = (12 - s % 11) % 11;
    return c == 10 ? 'X' : (char)('0' + c);
}

/* GB 32100: 31 symbols, weights 3^(i-1) mod 31, C18 = 31 - S mod 31 (31 becomes 0). */
static const char uscc_set[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static char
ref_uscc_check(const char *u17)
{
    int s = 0, w = 1;

    for (int i = 0; i < 17; i++) {
        s += (int)(strchr(uscc_set, u17[i]) - uscc_set) * w;
        w = w * 3 % 31;
    }
    return uscc_set[(31 - s % 31) % 31];
}

/* id[19] = address + date + sequence + the correct check character. */
static void
make_id(char id[19], const char *addr6, const char *date8, const char *seq3)
{
    snprintf(id, 19, "%s%s%s?", addr6, date8, seq3);
    id[17] = ref_id_check(id);
}

static void
test_id_worked_examples(void **state)
{
    static const struct {
        const char *id;
        char check;
    } cases[] = {
        {"11010519491231002X", 'X'}, /* 7.1 example 1: S = 167, r = 2 */
        {"440524188001010014", '4'}, /* 7.1 example 2: S = 195, r = 8 */
        {"110119198001010014", '4'}, /* synthetic: S = 140, r = 8 */
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(bm_id_check_char(cases[i].id), cases[i].check);
        assert_int_equal(ref_id_check(cases[i].id), cases[i].check);
        assert_true(bm_id_valid(cases[i].id, 0));
        assert_true(bm_id_valid(cases[i].id, 20250101));
    }
}

static void
test_id_invalid(void **state)
{
    static const char *const bad[] = {
        "110119198001010013",  /* wrong check digit (domain.md 7.1) */
        "11010519491231002x",  /* lowercase x: callers normalise first */
        "110105194912310029",  /* digit where X belongs */
        "44052418800101001X",  /* X where a digit belongs */
        "11010519491231002",   /* 17 characters */
        "11010519491231002X0", /* 19 characters */
        "110105491231002",     /* legacy 15 digits */
        "",
        "1101051949123100 X",
        "11010519491231A02X",  /* letter in the body */
        "X10105194912310020",
        " 11010519491231002X",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (bm_id_valid(bad[i], 0))
            fail_msg("\"%s\" accepted", bad[i]);
    }
    assert_false(bm_id_valid(NULL, 0));
    /* Non-digits among the first 17 have no check character. */
    assert_int_equal(bm_id_check_char("11010519491231A02"), 0);
    assert_int_equal(bm_id_check_char("1101051949123100X"), 0);
}

/* Every check character 0-9 and X, each accepted only in its place. */
static void
test_id_every_check_char(void **state)
{
    static const char chars[] = "0123456789X";
    bool seen[11] = {false};

    (void)state;
    for (int seq = 0; seq < 1000; seq++) {
        char id[19], s3[12];
        char want;

        snprintf(s3, sizeof(s3), "%03d", seq);
        make_id(id, "110119", "19800101", s3);
        want = id[17];
        assert_int_equal(bm_id_check_char(id), want);
        seen[strchr(chars, want) - chars] = true;
        if (seq % 37 != 0)
            continue;
        for (int k = 0; k < 11; k++) {
            id[17] = chars[k];
            assert_int_equal(bm_id_valid(id, 0), chars[k] == want);
        }
    }
    for (int k = 0; k < 11; k++)
        assert_true(seen[k]);
}

/* Dates get the right check character, so only the date can make them fail. */
static void
test_id_birth_dates(void **state)
{
    static const struct {
        const char *date;
        bool real;
    } cases[] = {
        {"20000229", true},  /* divisible by 400: leap */
        {"19960229", true},
        {"20240229", true},
        {"19000229", false}, /* divisible by 100, not 400: not leap */
        {"21000229", false},
        {"20230229", false},
        {"20240230", false},
        {"19800131", true},
        {"19800228", true},
        {"19800430", true},
        {"19800431", false},
        {"19800631", false},
        {"19800931", false},
        {"19801131", false},
        {"19801231", true},
        {"19801232", false},
        {"19800100", false},
        {"19800001", false},
        {"19801301", false},
        {"19809901", false},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char id[19];

        make_id(id, "110118", cases[i].date, "031");
        if (bm_id_valid(id, 0) != cases[i].real)
            fail_msg("%s (born %s): want %s", id, cases[i].date,
                     cases[i].real ? "valid" : "invalid");
    }
}

static void
test_id_future_birth(void **state)
{
    static const struct {
        const char *id;
        int today;
        bool ok;
    } cases[] = {
        {"110119198001010014", 0, true},        /* 0 skips the check */
        {"110119198001010014", 19791231, false}, /* born tomorrow */
        {"110119198001010014", 19800101, true},  /* born today */
        {"110119198001010014", 19800102, true},
        {"110119198001010014", 20260101, true},
        {"11010519491231002X", 19491230, false},
        {"11010519491231002X", 19500101, true},
    };
    char id[19];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_int_equal(bm_id_valid(cases[i].id, cases[i].today), cases[i].ok);
    /* A year ahead, a month ahead. */
    make_id(id, "110118", "20260101", "001");
    assert_false(bm_id_valid(id, 20250101));
    assert_true(bm_id_valid(id, 0));
    make_id(id, "110118", "20250201", "001");
    assert_false(bm_id_valid(id, 20250131));
    assert_true(bm_id_valid(id, 20250201));
}

static void
test_uscc_worked_examples(void **state)
{
    static const struct {
        const char *code;
        char check;
    } cases[] = {
        {"91110000101623741K", 'K'}, /* 7.2 example 1: S = 477 */
        {"911101066976941872", '2'}, /* 7.2 example 2: S = 1424 */
        {"11100000000013338W", 'W'}, /* 7.2 example 3: a central ministry, S = 437 */
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(bm_uscc_check_char(cases[i].code), cases[i].check);
        assert_int_equal(ref_uscc_check(cases[i].code), cases[i].check);
        assert_true(bm_uscc_valid(cases[i].code));
    }
    /* The counter-example seen in the wild: computed check R, not 6. */
    assert_false(bm_uscc_valid("91350211M0000XUF46"));
    assert_int_equal(bm_uscc_check_char("91350211M0000XUF46"), 'R');
    assert_true(bm_uscc_valid("91350211M0000XUF4R"));
}

static void
test_uscc_invalid(void **state)
{
    static const char *const bad[] = {
        "91110000101623741L",  /* wrong check */
        "91110000101623741k",  /* lowercase */
        "91350211m0000XUF4R",
        "91110000101623741",   /* 17 */
        "91110000101623741K0", /* 19 */
        "",
        "91110000 101623741K",
        "9111000010162374-1K",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (bm_uscc_valid(bad[i]))
            fail_msg("\"%s\" accepted", bad[i]);
    }
    assert_false(bm_uscc_valid(NULL));
}

/* I, O, Z, S and V are not in the GB 32100 set, in any position. */
static void
test_uscc_excluded_letters(void **state)
{
    static const char excluded[] = "IOZSV";

    (void)state;
    for (const char *l = excluded; *l != '\0'; l++) {
        static const int positions[] = {0, 1, 8, 12, 16};
        char code[19];

        for (size_t p = 0; p < sizeof(positions) / sizeof(positions[0]); p++) {
            snprintf(code, sizeof(code), "%s", "91350211M0000XUF4R");
            code[positions[p]] = *l;
            assert_int_equal(bm_uscc_check_char(code), 0);
            /* No check character can rescue it. */
            for (const char *c = uscc_set; *c != '\0'; c++) {
                code[17] = *c;
                assert_false(bm_uscc_valid(code));
            }
        }
        /* Nor as the check character itself. */
        snprintf(code, sizeof(code), "91110000101623741%c", *l);
        assert_false(bm_uscc_valid(code));
    }
}

/*
 * Positions 3-8 are a division code: digits only. The check character here is computed over
 * the full set, so only the position rule can refuse the code.
 */
static void
test_uscc_letters_in_division_code(void **state)
{
    (void)state;
    for (int pos = 2; pos <= 7; pos++) {
        char code[19];

        snprintf(code, sizeof(code), "%s", "91110000101623741K");
        code[pos] = 'A';
        code[17] = ref_uscc_check(code);
        if (bm_uscc_valid(code))
            fail_msg("letter at position %d accepted: %s", pos + 1, code);
        assert_int_equal(bm_uscc_check_char(code), 0);

        /* A digit there is fine. */
        code[pos] = '7';
        code[17] = ref_uscc_check(code);
        assert_true(bm_uscc_valid(code));
    }
}

/* Letters are allowed outside positions 3-8: authority, category and organization code. */
static void
test_uscc_letters_elsewhere(void **state)
{
    static const char *const bodies[] = {
        "Y1110000MA0000000",
        "N2110118MA01ABCD1",
        "9A110000101623741",
        "51110000HJKLMNPQR",
        "93110000TUWXY0000",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        char code[19];

        snprintf(code, sizeof(code), "%s?", bodies[i]);
        code[17] = ref_uscc_check(code);
        assert_int_equal(bm_uscc_check_char(code), code[17]);
        if (!bm_uscc_valid(code))
            fail_msg("\"%s\" refused", code);
    }
}

/* All 31 check characters occur, and each is accepted only in its place. */
static void
test_uscc_every_check_char(void **state)
{
    bool seen[31] = {false};

    (void)state;
    for (const char *v = uscc_set; *v != '\0'; v++) {
        char code[19];
        char want;

        snprintf(code, sizeof(code), "9111000010162374%c?", *v);
        want = ref_uscc_check(code);
        assert_int_equal(bm_uscc_check_char(code), want);
        seen[strchr(uscc_set, want) - uscc_set] = true;
        for (const char *c = uscc_set; *c != '\0'; c++) {
            code[17] = *c;
            assert_int_equal(bm_uscc_valid(code), *c == want);
        }
    }
    for (int k = 0; k < 31; k++)
        assert_true(seen[k]);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_worked_examples),
        cmocka_unit_test(test_id_invalid),
        cmocka_unit_test(test_id_every_check_char),
        cmocka_unit_test(test_id_birth_dates),
        cmocka_unit_test(test_id_future_birth),
        cmocka_unit_test(test_uscc_worked_examples),
        cmocka_unit_test(test_uscc_invalid),
        cmocka_unit_test(test_uscc_excluded_letters),
        cmocka_unit_test(test_uscc_letters_in_division_code),
        cmocka_unit_test(test_uscc_letters_elsewhere),
        cmocka_unit_test(test_uscc_every_check_char),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
