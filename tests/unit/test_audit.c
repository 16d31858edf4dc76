/*
 * Unit tests for src/core/audit.c: sealing is deterministic and covers every field and the
 * previous hash, bm_audit_check finds gaps, broken links and edits, and hashes print as hex.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "core/audit.h"

static struct bm_audit_entry
entry(int64_t id, const unsigned char prev[BM_AUDIT_HASH_LEN])
{
    struct bm_audit_entry e = {
        .id = id,
        .at = 1700000000,
        .actor_id = 7,
        .actor = "admin",
        .action = "org_unit.create",
        .object_type = "org_unit",
        .object_id = "17",
        .detail = "{\"name\":\"密云镇\"}",
    };
    memcpy(e.prev_hash, prev, BM_AUDIT_HASH_LEN);
    return e;
}

static void
test_genesis_is_zeros(void **state)
{
    char out[65];

    (void)state;
    for (int i = 0; i < BM_AUDIT_HASH_LEN; i++)
        assert_int_equal(bm_audit_genesis[i], 0);
    bm_audit_hex(bm_audit_genesis, out);
    assert_string_equal(out, "0000000000000000000000000000000000000000000000000000000000000000");
}

static void
test_hex(void **state)
{
    unsigned char h[BM_AUDIT_HASH_LEN];
    char out[66];

    (void)state;
    for (int i = 0; i < BM_AUDIT_HASH_LEN; i++)
        h[i] = (unsigned char)(i * 8 + 7);
    memset(out, 'Z', sizeof(out));
    bm_audit_hex(h, out);
    assert_string_equal(out, "070f171f272f373f474f575f676f777f878f979fa7afb7bfc7cfd7dfe7eff7ff");
    assert_int_equal(out[64], '\0');
    assert_int_equal(out[65], 'Z'); /* writes exactly 65 bytes */
    memset(h, 0xAB, sizeof(h));
    bm_audit_hex(h, out);
    assert_string_equal(out, "abababababababababababababababababababababababababababababababab");
}

static void
test_seal_deterministic(void **state)
{
    struct bm_audit_entry a = entry(1, bm_audit_genesis), b = entry(1, bm_audit_genesis);

    (void)state;
    memset(b.hash, 0xFF, sizeof(b.hash)); /* the old hash is not an input */
    bm_audit_seal(&a);
    bm_audit_seal(&b);
    assert_memory_equal(a.hash, b.hash, BM_AUDIT_HASH_LEN);
    bm_audit_seal(&a);
    assert_memory_equal(a.hash, b.hash, BM_AUDIT_HASH_LEN);
    assert_memory_not_equal(a.hash, bm_audit_genesis, BM_AUDIT_HASH_LEN);
}

/*
 * Known answers: SHA-256 of "16:bianmin-audit-v1\n" + each field as "<len>:<bytes>\n" + the
 * previous hash (computed independently). Stored chains depend on this encoding not changing.
 */
static void
test_seal_known_answer(void **state)
{
    struct bm_audit_entry a = entry(1, bm_audit_genesis), b;
    char out[65];

    (void)state;
    bm_audit_seal(&a);
    bm_audit_hex(a.hash, out);
    assert_string_equal(out, "813d5a079cf8b4f6b34617fed1532d758824cc4a9972eb6e1efd3870e7883c26");

    b = entry(2, a.hash);
    b.at = 1700000060;
    b.actor_id = 0;
    b.actor = "cli";
    b.action = "user.update";
    b.object_type = "user";
    b.object_id = "-5";
    b.detail = "";
    bm_audit_seal(&b);
    bm_audit_hex(b.hash, out);
    assert_string_equal(out, "e75a88b085d7d3734127368f122f32077070f77d30276e4dbdf0db80450b7f31");
}

/* Changing any one field, or the link to the previous entry, changes the hash. */
static void
test_every_field_changes_hash(void **state)
{
    enum { ID, AT, ACTOR_ID, ACTOR, ACTION, OBJECT_TYPE, OBJECT_ID, DETAIL, PREV, PREV_LAST,
           ACTOR_SHIFT, DETAIL_WS, N_EDITS };
    static const char *const names[N_EDITS] = {
        "id", "at", "actor_id", "actor", "action", "object_type", "object_id", "detail",
        "prev_hash[0]", "prev_hash[31]", "actor/action boundary", "detail whitespace",
    };
    struct bm_audit_entry base = entry(1, bm_audit_genesis);
    unsigned char seen[N_EDITS][BM_AUDIT_HASH_LEN];

    (void)state;
    bm_audit_seal(&base);
    for (int k = 0; k < N_EDITS; k++) {
        struct bm_audit_entry e = entry(1, bm_audit_genesis);

        switch (k) {
        case ID: e.id = 2; break;
        case AT: e.at += 1; break;
        case ACTOR_ID: e.actor_id = 8; break;
        case ACTOR: e.actor = "admim"; break;
        case ACTION: e.action = "org_unit.update"; break;
        case OBJECT_TYPE: e.object_type = "user"; break;
        case OBJECT_ID: e.object_id = "18"; break;
        case DETAIL: e.detail = "{\"name\":\"密云区\"}"; break;
        case PREV: e.prev_hash[0] = 1; break;
        case PREV_LAST: e.prev_hash[31] = 0x80; break;
        /* Moving text from one field to the next keeps the concatenation the same. */
        case ACTOR_SHIFT: e.actor = "adminorg_unit"; e.action = ".create"; break;
        case DETAIL_WS: e.detail = "{\"name\": \"密云镇\"}"; break;
        }
        bm_audit_seal(&e);
        if (memcmp(e.hash, base.hash, BM_AUDIT_HASH_LEN) == 0)
            fail_msg("changing %s leaves the hash unchanged", names[k]);
        memcpy(seen[k], e.hash, BM_AUDIT_HASH_LEN);
        for (int j = 0; j < k; j++)
            if (memcmp(seen[j], e.hash, BM_AUDIT_HASH_LEN) == 0)
                fail_msg("edits %s and %s give the same hash", names[j], names[k]);
    }
}

static void
test_check_accepts_sealed_entry(void **state)
{
    struct bm_audit_entry e = entry(1, bm_audit_genesis);

    (void)state;
    bm_audit_seal(&e);
    assert_null(bm_audit_check(&e, 1, bm_audit_genesis));
}

static void
test_check_detects(void **state)
{
    enum { WRONG_ID, WRONG_PREV, EDIT_DETAIL, EDIT_ACTOR, EDIT_AT, EDIT_HASH, EDIT_PREV_FIELD };
    static const struct {
        int edit;
        const char *label;
        const char *reason_names; /* a word the reason must contain */
    } cases[] = {
        {WRONG_ID, "expected id 2", "order"},
        {WRONG_PREV, "other previous hash", "prev_hash"},
        {EDIT_DETAIL, "detail edited", "content"},
        {EDIT_ACTOR, "actor edited", "content"},
        {EDIT_AT, "time edited", "content"},
        {EDIT_HASH, "hash edited", "content"},
        {EDIT_PREV_FIELD, "stored prev_hash edited", "prev_hash"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct bm_audit_entry e = entry(1, bm_audit_genesis);
        unsigned char prev[BM_AUDIT_HASH_LEN] = {0};
        int64_t expected = 1;
        const char *why;

        bm_audit_seal(&e);
        switch (cases[i].edit) {
        case WRONG_ID: expected = 2; break;
        case WRONG_PREV: prev[5] = 1; break;
        case EDIT_DETAIL: e.detail = "{\"name\":\"另一个\"}"; break;
        case EDIT_ACTOR: e.actor = "mallory"; break;
        case EDIT_AT: e.at -= 3600; break;
        case EDIT_HASH: e.hash[31] ^= 1; break;
        case EDIT_PREV_FIELD: e.prev_hash[0] = 9; break;
        }
        why = bm_audit_check(&e, expected, prev);
        if (why == NULL)
            fail_msg("%s: not detected", cases[i].label);
        if (strstr(why, cases[i].reason_names) == NULL)
            fail_msg("%s: reason \"%s\" does not name %s", cases[i].label, why,
                     cases[i].reason_names);
    }
}

/* A chain of five; then the same chain with a row deleted, two swapped, one re-sealed. */
static void
test_chain(void **state)
{
    struct bm_audit_entry c[5];
    const unsigned char *prev = bm_audit_genesis;
    char ids[5][12];

    (void)state;
    for (int i = 0; i < 5; i++) {
        c[i] = entry(i + 1, prev);
        snprintf(ids[i], sizeof(ids[i]), "%d", 100 + i);
        c[i].object_id = ids[i];
        bm_audit_seal(&c[i]);
        prev = c[i].hash;
    }
    /* Intact. */
    prev = bm_audit_genesis;
    for (int i = 0; i < 5; i++) {
        assert_null(bm_audit_check(&c[i], i + 1, prev));
        prev = c[i].hash;
    }
    /* Row 3 deleted: row 4 arrives where 3 is expected. */
    assert_non_null(bm_audit_check(&c[3], 3, c[1].hash));
    /* Even renumbered, row 4 does not link to row 2. */
    {
        struct bm_audit_entry r = c[3];
        r.id = 3;
        assert_non_null(bm_audit_check(&r, 3, c[1].hash));
    }
    /* Rows 2 and 3 swapped. */
    assert_non_null(bm_audit_check(&c[2], 2, c[0].hash));
    /* Row 2 edited and re-sealed by someone without the rest: row 3 no longer links. */
    {
        struct bm_audit_entry r = c[1];
        r.detail = "{\"name\":\"伪造\"}";
        bm_audit_seal(&r);
        assert_null(bm_audit_check(&r, 2, c[0].hash));
        assert_non_null(bm_audit_check(&c[2], 3, r.hash));
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_genesis_is_zeros),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_seal_deterministic),
        cmocka_unit_test(test_seal_known_answer),
        cmocka_unit_test(test_every_field_changes_hash),
        cmocka_unit_test(test_check_accepts_sealed_entry),
        cmocka_unit_test(test_check_detects),
        cmocka_unit_test(test_chain),
    };

    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
