/*
 * The identifier validators: resident ID numbers (GB 11643, ISO 7064 MOD 11-2) and unified
 * social credit codes (GB 32100, MOD 31), plus the checked integer parser they sit beside.
 *
 * Any input, as text, must be judged without a crash. Then round trips built from the
 * input's bytes:
 *  - an ID number of 17 digits with a real birth date plus bm_id_check_char is valid, with a
 *    lowercase 'x' refused, and changing any one of its 18 characters makes it invalid;
 *  - a credit code of 17 characters from the GB 32100 set (digits in positions 3-8) plus
 *    bm_uscc_check_char is valid, and changing any one character makes it invalid;
 *  - bm_parse_i64 agrees with printing the number back.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "core/checksum.h"
#include "util/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char uscc_cs[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static void
fail(const char *what, const char *code)
{
    fprintf(stderr, "fuzz_checksum: %s: \"%s\"\n", what, code);
    abort();
}

static uint8_t
byte_at(const uint8_t *data, size_t size, size_t i)
{
    return size > 0 ? data[i % size] : 0;
}

static void
id_round_trip(const uint8_t *data, size_t size)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    char id[19], c;
    int y = 1900 + byte_at(data, size, 0) % 125, m = 1 + byte_at(data, size, 1) % 12, d;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    d = 1 + byte_at(data, size, 2) % (mdays[m - 1] + (m == 2 && leap));
    for (int i = 0; i < 6; i++)
        id[i] = (char)('0' + byte_at(data, size, 3 + (size_t)i) % 10);
    snprintf(id + 6, 9, "%04d%02d%02d", y, m, d);
    for (int i = 14; i < 17; i++)
        id[i] = (char)('0' + byte_at(data, size, (size_t)i) % 10);
    id[17] = '\0';
    c = bm_id_check_char(id);
    if (c == 0)
        fail("no check character for 17 digits", id);
    id[17] = c;
    id[18] = '\0';
    if (!bm_id_valid(id, 0))
        fail("an ID number with its own check character refused", id);
    if (!bm_id_valid(id, 99991231))
        fail("an ID number born before 9999 refused", id);
    if (c == 'X') {
        id[17] = 'x';
        if (bm_id_valid(id, 0))
            fail("lowercase x accepted", id);
        id[17] = 'X';
    }
    for (int i = 0; i < 18; i++) {
        char was = id[i];
        for (const char *r = "0123456789X"; *r != '\0'; r++) {
            if (*r == was)
                continue;
            id[i] = *r;
            if (bm_id_valid(id, 0))
                fail("an ID number with one character changed accepted", id);
        }
        id[i] = was;
    }
}

static void
uscc_round_trip(const uint8_t *data, size_t size)
{
    char code[19], c;

    for (size_t i = 0; i < 17; i++) {
        uint8_t b = byte_at(data, size, i + 7);
        code[i] = (i >= 2 && i <= 7) ? (char)('0' + b % 10) : uscc_cs[b % 31];
    }
    code[17] = '\0';
    c = bm_uscc_check_char(code);
    if (c == 0)
        fail("no check character for a well-formed credit code", code);
    code[17] = c;
    code[18] = '\0';
    if (!bm_uscc_valid(code))
        fail("a credit code with its own check character refused", code);
    for (int i = 0; i < 18; i++) {
        char was = code[i];
        for (const char *r = uscc_cs; *r != '\0'; r++) {
            if (*r == was)
                continue;
            code[i] = *r;
            if (bm_uscc_valid(code))
                fail("a credit code with one character changed accepted", code);
        }
        code[i] = was;
    }
}

static void
parse_round_trip(const char *s, size_t n)
{
    int64_t v = 0;
    char back[32];

    if (!bm_parse_i64(s, n, INT64_MIN, INT64_MAX, &v))
        return;
    snprintf(back, sizeof(back), "%" PRId64, v);
    /* Leading zeros are the only other spelling accepted. */
    {
        const char *p = s;
        size_t k = n;
        bool neg = k > 0 && *p == '-';
        if (neg) {
            p++;
            k--;
        }
        while (k > 1 && *p == '0') {
            p++;
            k--;
        }
        if (strlen(back) != k + (neg && v != 0) ||
            memcmp(back + (neg && v != 0), p, k) != 0)
            fail("bm_parse_i64 disagrees with printing back", back);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_strndup(data, size);
    int64_t v;

    /* Arbitrary text: no crash, and a "valid" one has the right length. */
    if (bm_id_valid(s, 20260101) && strlen(s) != 18)
        fail("an ID number of the wrong length accepted", s);
    if (bm_uscc_valid(s) && strlen(s) != 18)
        fail("a credit code of the wrong length accepted", s);
    if (strlen(s) >= 17) {
        (void)bm_id_check_char(s);
        (void)bm_uscc_check_char(s);
    }
    (void)bm_parse_i64z(s, 1, 100, &v);
    parse_round_trip(s, size < 40 ? size : 40);

    id_round_trip(data, size);
    uscc_round_trip(data, size);
    free(s);
    return 0;
}
