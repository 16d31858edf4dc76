/*
 * Unit tests for src/util/utf8.c: well-formed text (Chinese included) passes; overlongs,
 * surrogates, truncated sequences, stray bytes and NUL are refused; code points are counted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util/utf8.h"

/* Byte strings with an explicit length so that embedded NULs and truncation can be tested. */
#define B(s) s, sizeof(s) - 1

static const struct {
    const char *name;
    const char *s;
    size_t len;
    bool valid;
} cases[] = {
    {"empty", B(""), true},
    {"ascii", B("abc 123 ~"), true},
    {"chinese", B("北京市密云区西田各庄镇"), true},
    {"mixed", B("案件 A-001：已受理"), true},
    {"2-byte min U+0080", B("\xC2\x80"), true},
    {"2-byte max U+07FF", B("\xDF\xBF"), true},
    {"3-byte min U+0800", B("\xE0\xA0\x80"), true},
    {"U+D7FF before surrogates", B("\xED\x9F\xBF"), true},
    {"U+E000 after surrogates", B("\xEE\x80\x80"), true},
    {"U+FFFD", B("\xEF\xBF\xBD"), true},
    {"4-byte min U+10000", B("\xF0\x90\x80\x80"), true},
    {"emoji U+1F600", B("\xF0\x9F\x98\x80"), true},
    {"max U+10FFFF", B("\xF4\x8F\xBF\xBF"), true},
    /* overlong forms */
    {"overlong NUL C0 80", B("\xC0\x80"), false},
    {"overlong C1 BF", B("\xC1\xBF"), false},
    {"overlong '/' E0 80 AF", B("\xE0\x80\xAF"), false},
    {"overlong U+07FF in 3 bytes", B("\xE0\x9F\xBF"), false},
    {"overlong F0 80 80 80", B("\xF0\x80\x80\x80"), false},
    {"overlong U+FFFF in 4 bytes", B("\xF0\x8F\xBF\xBF"), false},
    /* UTF-16 surrogates */
    {"surrogate U+D800", B("\xED\xA0\x80"), false},
    {"surrogate U+DBFF", B("\xED\xAF\xBF"), false},
    {"surrogate U+DC00", B("\xED\xB0\x80"), false},
    {"surrogate U+DFFF", B("\xED\xBF\xBF"), false},
    {"surrogate pair", B("\xED\xA0\xBD\xED\xB8\x80"), false},
    /* beyond Unicode and never-valid lead bytes */
    {"U+110000", B("\xF4\x90\x80\x80"), false},
    {"lead F5", B("\xF5\x80\x80\x80"), false},
    {"lead F8 (5-byte form)", B("\xF8\x88\x80\x80\x80"), false},
    {"byte FE", B("\xFE"), false},
    {"byte FF", B("\xFF"), false},
    /* truncated sequences */
    {"2-byte lead alone", B("\xC3"), false},
    {"3-byte missing one", B("\xE4\xB8"), false},
    {"3-byte missing two", B("\xE4"), false},
    {"4-byte missing one", B("\xF0\x9F\x98"), false},
    {"truncated at end of text", B("密云\xE5\x8C"), false},
    {"truncated before ASCII", B("\xE4\xB8" "a"), false},
    /* bad continuation bytes */
    {"lone continuation", B("\x80"), false},
    {"continuation after ASCII", B("a\xBF"), false},
    {"ASCII inside sequence", B("\xE4" "A" "\xAD"), false},
    {"2-byte bad continuation", B("\xC3\x28"), false},
    {"extra continuation", B("\xC3\xA9\xA9"), false},
    /* NUL is refused wherever it is */
    {"NUL alone", B("\0"), false},
    {"NUL inside", B("ab\0cd"), false},
    {"NUL at end", B("中\0"), false},
};

static void
test_valid_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (bm_utf8_valid(cases[i].s, cases[i].len) != cases[i].valid)
            fail_msg("%s: expected %s", cases[i].name, cases[i].valid ? "valid" : "invalid");
    }
}

/* Only the first `len` bytes count: a sequence cut by len is truncated. */
static void
test_valid_respects_len(void **state)
{
    static const char s[] = "ab中文";

    (void)state;
    assert_true(bm_utf8_valid(s, 2));
    assert_true(bm_utf8_valid(s, 5));
    assert_false(bm_utf8_valid(s, 3));
    assert_false(bm_utf8_valid(s, 4));
    assert_false(bm_utf8_valid(s, 6));
    assert_true(bm_utf8_valid(s, 8));
}

static void
test_count(void **state)
{
    static const struct {
        const char *s;
        size_t n;
    } cases_n[] = {
        {"", 0},
        {"abc", 3},
        {"中", 1},
        {"便民服务", 4},
        {"便民服务 abc", 8},
        {"\xC3\xA9t\xC3\xA9", 3},          /* été */
        {"\xF0\x9F\x98\x80!", 2},          /* emoji + '!' */
        {"北京市密云区西田各庄镇", 11},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases_n) / sizeof(cases_n[0]); i++) {
        if (bm_utf8_count(cases_n[i].s) != cases_n[i].n)
            fail_msg("count(\"%s\") = %zu, want %zu", cases_n[i].s, bm_utf8_count(cases_n[i].s),
                     cases_n[i].n);
        /* Characters, not bytes. */
        assert_true(bm_utf8_count(cases_n[i].s) <= strlen(cases_n[i].s));
    }
}

/* Bytes that begin no well-formed sequence become '?', the rest is kept as it was. */
static void
test_scrub(void **state)
{
    static const struct {
        const char *in, *out;
    } cases_s[] = {
        {"", ""},
        {"便民 abc", "便民 abc"},
        {"\xE7\xBE\xA4\\\xE6", "群\\?"},            /* a character cut after its first byte */
        {"a\xE6\xBB" "b", "a??b"},                      /* cut after two */
        {"\x80x\xBF", "?x?"},                         /* stray continuation bytes */
        {"\xC0\xAF", "??"},                           /* overlong '/' */
        {"\xED\xA0\x80", "???"},                      /* a surrogate */
        {"\xF4\x90\x80\x80", "????"},                 /* past U+10FFFF */
        {"\xFF\xFE中", "??中"},
        {"\xF0\x9F\x98\x80\xF0\x9F", "\xF0\x9F\x98\x80??"}, /* emoji, then half of one */
    };
    char buf[64];

    (void)state;
    for (size_t i = 0; i < sizeof(cases_s) / sizeof(cases_s[0]); i++) {
        snprintf(buf, sizeof(buf), "%s", cases_s[i].in);
        bm_utf8_scrub(buf);
        if (strcmp(buf, cases_s[i].out) != 0)
            fail_msg("case %zu: got \"%s\", want \"%s\"", i, buf, cases_s[i].out);
        assert_true(bm_utf8_valid(buf, strlen(buf)));
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_table),
        cmocka_unit_test(test_valid_respects_len),
        cmocka_unit_test(test_count),
        cmocka_unit_test(test_scrub),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
