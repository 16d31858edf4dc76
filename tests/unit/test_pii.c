/*
 * Unit tests for src/core/pii.c: sealing and opening applicants' personal data, the keyed
 * lookup hash, and the masks shown to staff who do not need the full values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/pii.h"
#include "core/secret.h"

static struct bm_pii_key key_a, key_b;

static int
setup(void **state)
{
    unsigned char m[BM_PII_KEY_LEN];
    (void)state;
    if (!bm_secret_init())
        return -1;
    memset(m, 7, sizeof(m));
    bm_pii_key_init(&key_a, m);
    m[0] = 8;
    bm_pii_key_init(&key_b, m);
    return 0;
}

static void
test_seal_open_round_trip(void **state)
{
    const char *plain = "张三丰\x1f" "110119198001010014\x1f" "13812345678";
    size_t len = strlen(plain);
    unsigned char s1[BM_PII_MAX_PLAIN + BM_PII_OVERHEAD], s2[sizeof(s1)];
    char out[BM_PII_MAX_PLAIN + 1];
    (void)state;

    bm_pii_seal(&key_a, plain, len, s1);
    bm_pii_seal(&key_a, plain, len, s2);
    /* A fresh nonce each time: equal values do not give equal ciphertexts. */
    assert_memory_not_equal(s1, s2, len + BM_PII_OVERHEAD);
    /* Nothing of the plain text shows in the stored bytes. */
    assert_null(memmem(s1, len + BM_PII_OVERHEAD, "110119", 6));
    assert_true(bm_pii_open(&key_a, s1, len + BM_PII_OVERHEAD, out, sizeof(out)));
    assert_string_equal(out, plain);
    assert_true(bm_pii_open(&key_a, s2, len + BM_PII_OVERHEAD, out, sizeof(out)));
    assert_string_equal(out, plain);
}

static void
test_open_refuses_wrong_key_and_tampering(void **state)
{
    const char *plain = "13800000000";
    size_t len = strlen(plain);
    unsigned char s[64];
    char out[64];
    (void)state;

    bm_pii_seal(&key_a, plain, len, s);
    assert_false(bm_pii_open(&key_b, s, len + BM_PII_OVERHEAD, out, sizeof(out)));
    s[30] ^= 1;
    assert_false(bm_pii_open(&key_a, s, len + BM_PII_OVERHEAD, out, sizeof(out)));
    s[30] ^= 1;
    /* Too short to hold a nonce and a tag, or no room for the text: refused, not read. */
    assert_false(bm_pii_open(&key_a, s, BM_PII_OVERHEAD - 1, out, sizeof(out)));
    assert_false(bm_pii_open(&key_a, s, len + BM_PII_OVERHEAD, out, len));
    assert_true(bm_pii_open(&key_a, s, len + BM_PII_OVERHEAD, out, len + 1));
    assert_string_equal(out, plain);
}

static void
test_hash_is_keyed_and_case_blind(void **state)
{
    unsigned char h1[BM_PII_HASH_LEN], h2[BM_PII_HASH_LEN], h3[BM_PII_HASH_LEN];
    (void)state;

    bm_pii_hash(&key_a, "11010519491231002X", h1);
    bm_pii_hash(&key_a, "11010519491231002x", h2);
    assert_memory_equal(h1, h2, sizeof(h1));
    bm_pii_hash(&key_b, "11010519491231002X", h3);
    assert_memory_not_equal(h1, h3, sizeof(h1));
    bm_pii_hash(&key_a, "110105194912310021", h3);
    assert_memory_not_equal(h1, h3, sizeof(h1));
}

static void
test_masks(void **state)
{
    char out[64];
    (void)state;

    bm_pii_mask_name("张三丰", out, sizeof(out));
    assert_string_equal(out, "张*丰");
    bm_pii_mask_name("王丽", out, sizeof(out));
    assert_string_equal(out, "王*");
    bm_pii_mask_name("欧阳锋", out, sizeof(out));
    assert_string_equal(out, "欧*锋");
    bm_pii_mask_name("张", out, sizeof(out));
    assert_string_equal(out, "张");
    bm_pii_mask_name("", out, sizeof(out));
    assert_string_equal(out, "");
    bm_pii_mask_name("Li", out, sizeof(out));
    assert_string_equal(out, "L*");
    bm_pii_mask_id("110119198001010014", out, sizeof(out));
    assert_string_equal(out, "1101**********0014");
    bm_pii_mask_id("1234", out, sizeof(out));
    assert_string_equal(out, "****");
    bm_pii_mask_phone("13812345678", out, sizeof(out));
    assert_string_equal(out, "138****5678");
    bm_pii_mask_phone("010-69041111", out, sizeof(out));
    assert_string_equal(out, "010*****1111");
    /* Truncated to the buffer, still terminated and never half a character. */
    bm_pii_mask_name("张三丰", out, 4);
    assert_string_equal(out, "张");
    bm_pii_mask_id("110119198001010014", out, 6);
    assert_true(strlen(out) < 6);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seal_open_round_trip),
        cmocka_unit_test(test_open_refuses_wrong_key_and_tampering),
        cmocka_unit_test(test_hash_is_keyed_and_case_blind),
        cmocka_unit_test(test_masks),
    };
    return cmocka_run_group_tests_name("pii", tests, setup, NULL);
}
