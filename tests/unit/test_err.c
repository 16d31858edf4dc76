/*
 * Unit tests for src/util/err.c: codes and statuses, and the texts of errors cut at a
 * character boundary when they do not fit (found by fuzz_import: a long Chinese key name
 * cut mid-character made the report line and the API's problem body invalid UTF-8).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/err.h"
#include "util/utf8.h"

/* Appends `piece` to the string in buf (size checked by the caller's loop bounds). */
static void
append(char *buf, size_t size, const char *piece)
{
    size_t n = strlen(buf), k = strlen(piece);
    assert_true(n + k < size);
    memcpy(buf + n, piece, k + 1);
}

static void
test_codes(void **state)
{
    (void)state;
    assert_string_equal(bm_rc_code(BM_EINVAL), "validation_failed");
    assert_int_equal(bm_rc_status(BM_EINVAL), 400);
    assert_int_equal(bm_rc_status(BM_ENOTFOUND), 404);
    assert_int_equal(bm_rc_status(BM_RC_COUNT), 500);
}

static void
test_field_kept_whole(void **state)
{
    struct bm_err e;
    (void)state;
    bm_err_clear(&e);
    assert_int_equal(bm_err_field(&e, "name", "不能为空"), BM_EINVAL);
    assert_int_equal(e.rc, BM_EINVAL);
    assert_int_equal(e.n_fields, 1);
    assert_string_equal(e.fields[0].field, "name");
    assert_string_equal(e.fields[0].message, "不能为空");
}

/* Every prefix length of a Chinese name: the stored field is valid UTF-8 and a prefix. */
static void
test_field_cut_at_character(void **state)
{
    /* The field of the fuzz_import input: an unknown key of a power, with its prefix
     * (51 bytes; 47 fit). */
    const char *key = "powers[0].towns必须现场办理的原因必填hip";
    char longer[400];
    struct bm_err e;
    (void)state;

    bm_err_clear(&e);
    (void)bm_err_field(&e, key, "未知字段");
    assert_true(strlen(e.fields[0].field) < sizeof(e.fields[0].field));
    assert_true(bm_utf8_valid(e.fields[0].field, strlen(e.fields[0].field)));
    assert_memory_equal(e.fields[0].field, key, strlen(e.fields[0].field));
    assert_string_equal(e.fields[0].field, "powers[0].towns必须现场办理的原因必");

    for (size_t pad = 0; pad < 4; pad++) {
        memset(longer, 'a', pad);
        longer[pad] = '\0';
        for (int i = 0; i < 40; i++)
            append(longer, sizeof(longer), "镇");
        bm_err_clear(&e);
        (void)bm_err_field(&e, longer, "%s", longer);
        assert_true(bm_utf8_valid(e.fields[0].field, strlen(e.fields[0].field)));
        assert_true(bm_utf8_valid(e.fields[0].message, strlen(e.fields[0].message)));
        assert_true(strlen(e.fields[0].field) + 3 >= sizeof(e.fields[0].field) - 1);
        assert_memory_equal(e.fields[0].message, longer, strlen(e.fields[0].message));
    }
}

static void
test_message_cut_at_character(void **state)
{
    char text[600] = "";
    struct bm_err e;
    (void)state;

    for (int i = 0; i < 150; i++)
        append(text, sizeof(text), "长");
    for (size_t pad = 0; pad < 3; pad++) {
        bm_err_clear(&e);
        (void)bm_err_set(&e, BM_EINVAL, "%.*s%s", (int)pad, "xyz", text);
        assert_true(bm_utf8_valid(e.message, strlen(e.message)));
        assert_true(strlen(e.message) > sizeof(e.message) - 4);
    }
    /* A 4-byte character cut after one, two or three of its bytes. */
    for (size_t pad = 0; pad < 4; pad++) {
        char emoji[400];
        memset(emoji, 'x', pad);
        emoji[pad] = '\0';
        for (int i = 0; i < 80; i++)
            append(emoji, sizeof(emoji), "\xF0\x9F\x98\x80");
        bm_err_clear(&e);
        (void)bm_err_set(&e, BM_EINVAL, "%s", emoji);
        assert_true(bm_utf8_valid(e.message, strlen(e.message)));
    }
}

/* A message or field error quoting bytes that are not UTF-8 (jansson's message for an escape
 * that cuts a character, say) stays UTF-8, its good parts kept: else the problem loses it. */
static void
test_input_bytes_scrubbed(void **state)
{
    struct bm_err e;

    (void)state;
    bm_err_clear(&e);
    (void)bm_err_set(&e, BM_EINVAL, "JSON 格式错误：%s", "invalid escape near '\"群\\\xE6'");
    assert_string_equal(e.message, "JSON 格式错误：invalid escape near '\"群\\?'");
    (void)bm_err_field(&e, "name\xE6", "不是 %s", "\xBB\xA1度");
    assert_string_equal(e.fields[0].field, "name?");
    assert_string_equal(e.fields[0].message, "不是 ??度");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codes),
        cmocka_unit_test(test_field_kept_whole),
        cmocka_unit_test(test_field_cut_at_character),
        cmocka_unit_test(test_message_cut_at_character),
        cmocka_unit_test(test_input_bytes_scrubbed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
