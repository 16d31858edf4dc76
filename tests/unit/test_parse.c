/*
 * Unit tests for src/util/parse.c: bm_parse_i64 rejects empty input, trailing junk, '+',
 * spaces, '-' unless min < 0, overflow at both int64 ends, and values outside [min, max].
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/parse.h"

#define SENTINEL INT64_C(-777)

static const struct {
    const char *s;
    int64_t min, max;
    bool ok;
    int64_t want;
} cases[] = {
    /* empty and junk */
    {"", INT64_MIN, INT64_MAX, false, 0},
    {" ", INT64_MIN, INT64_MAX, false, 0},
    {"abc", INT64_MIN, INT64_MAX, false, 0},
    {"12a", INT64_MIN, INT64_MAX, false, 0},
    {"1.5", INT64_MIN, INT64_MAX, false, 0},
    {"0x10", INT64_MIN, INT64_MAX, false, 0},
    {"1e3", INT64_MIN, INT64_MAX, false, 0},
    {"--5", INT64_MIN, INT64_MAX, false, 0},
    {"5-", INT64_MIN, INT64_MAX, false, 0},
    /* signs and spaces */
    {"+5", INT64_MIN, INT64_MAX, false, 0},
    {"+0", 0, 10, false, 0},
    {" 5", INT64_MIN, INT64_MAX, false, 0},
    {"5 ", INT64_MIN, INT64_MAX, false, 0},
    {"\t5", INT64_MIN, INT64_MAX, false, 0},
    {"5\n", INT64_MIN, INT64_MAX, false, 0},
    {"- 5", INT64_MIN, INT64_MAX, false, 0},
    {"-", INT64_MIN, INT64_MAX, false, 0},
    {"-", -10, 10, false, 0},
    {"-5", -10, 10, true, -5},
    {"-5", 0, 10, false, 0},          /* '-' only when min < 0 */
    {"-0", 0, 10, false, 0},
    {"-0", -1, 10, true, 0},
    {"-1", -1, 10, true, -1},
    /* plain values */
    {"0", 0, 0, true, 0},
    {"7", 0, 10, true, 7},
    {"123456789", INT64_MIN, INT64_MAX, true, 123456789},
    /* range checks, both ends inclusive */
    {"10", 0, 10, true, 10},
    {"11", 0, 10, false, 0},
    {"0", 1, 10, false, 0},
    {"1", 1, 10, true, 1},
    {"-10", -10, 10, true, -10},
    {"-11", -10, 10, false, 0},
    {"-3", -10, -1, true, -3},
    {"0", -10, -1, false, 0},
    {"5", -10, -1, false, 0},
    {"65535", 0, 65535, true, 65535},
    {"65536", 0, 65535, false, 0},
    /* the int64 boundaries */
    {"9223372036854775807", INT64_MIN, INT64_MAX, true, INT64_MAX},
    {"9223372036854775807", 0, INT64_MAX, true, INT64_MAX},
    {"9223372036854775808", INT64_MIN, INT64_MAX, false, 0},
    {"9223372036854775810", INT64_MIN, INT64_MAX, false, 0},
    {"-9223372036854775808", INT64_MIN, INT64_MAX, true, INT64_MIN},
    {"-9223372036854775807", INT64_MIN, INT64_MAX, true, INT64_MIN + 1},
    {"-9223372036854775809", INT64_MIN, INT64_MAX, false, 0},
    {"-9223372036854775808", INT64_MIN + 1, INT64_MAX, false, 0},
    {"9223372036854775807", INT64_MIN, INT64_MAX - 1, false, 0},
    /* values that wrap a 64-bit accumulator back into range */
    {"18446744073709551615", INT64_MIN, INT64_MAX, false, 0},
    {"18446744073709551616", INT64_MIN, INT64_MAX, false, 0},
    {"18446744073709551617", INT64_MIN, INT64_MAX, false, 0},
    {"-18446744073709551615", INT64_MIN, INT64_MAX, false, 0},
    {"99999999999999999999999999", INT64_MIN, INT64_MAX, false, 0},
    {"00000000000000000000000000000000042", 0, 100, true, 42},
};

static void
test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t out = SENTINEL;
        bool ok = bm_parse_i64(cases[i].s, strlen(cases[i].s), cases[i].min, cases[i].max, &out);

        if (ok != cases[i].ok)
            fail_msg("case %zu \"%s\" in [%lld, %lld]: got %d", i, cases[i].s,
                     (long long)cases[i].min, (long long)cases[i].max, ok);
        /* *out is written only on success. */
        assert_int_equal(out, cases[i].ok ? cases[i].want : SENTINEL);

        /* The NUL-terminated form agrees. */
        out = SENTINEL;
        assert_int_equal(bm_parse_i64z(cases[i].s, cases[i].min, cases[i].max, &out),
                         cases[i].ok);
        assert_int_equal(out, cases[i].ok ? cases[i].want : SENTINEL);
    }
}

/* Exactly `len` bytes are parsed: what follows does not matter, what is inside does. */
static void
test_length_bounded(void **state)
{
    int64_t out = SENTINEL;

    (void)state;
    assert_true(bm_parse_i64("123abc", 3, 0, 1000, &out));
    assert_int_equal(out, 123);
    assert_true(bm_parse_i64("-42,7", 3, -100, 100, &out));
    assert_int_equal(out, -42);
    out = SENTINEL;
    assert_false(bm_parse_i64("123", 0, 0, 1000, &out));
    assert_false(bm_parse_i64("1\0" "2", 3, 0, 1000, &out));
    assert_false(bm_parse_i64("12", 2 + 1, 0, 1000, &out)); /* includes the NUL */
    assert_false(bm_parse_i64(NULL, 0, 0, 1000, &out));
    assert_false(bm_parse_i64z(NULL, 0, 1000, &out));
    assert_int_equal(out, SENTINEL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_length_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
