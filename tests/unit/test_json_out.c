/*
 * bm_json_compact writes exactly what jansson's json_dumps writes with JSON_COMPACT |
 * JSON_REAL_PRECISION(12): checked on hand-made documents and on thousands of generated ones.
 * The streaming writer (bm_jw_*) writes the same text when it is driven value by value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "api/json_out.h"

#define FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(12))

static void
same_as_jansson(const json_t *j)
{
    char *want = json_dumps(j, FLAGS);
    size_t len = 0;
    char *got = bm_json_compact(j, &len);

    if (want == NULL) {
        assert_null(got);
        return;
    }
    assert_non_null(got);
    if (strcmp(want, got) != 0)
        fail_msg("jansson: %s\nours:    %s", want, got);
    assert_int_equal(len, strlen(want));
    free(want);
    free(got);
}

static void
test_hand_made(void **state)
{
    static const char *const docs[] = {
        "{}", "[]", "{\"a\":[]}", "[{}]", "[true,false,null]",
        "{\"name\":\"西田各庄镇便民服务中心\",\"n\":3,\"rate\":0.6493,\"ok\":true}",
        "{\"q\":\"say \\\"hi\\\" \\\\ / \\b\\f\\n\\r\\t \\u0001\\u001f\\u007f\"}",
        "[0.1,1e-07,1e21,123456789012345.0,2.5,-0.0,1.5e300,3.0,100.0,1e-300,0.000123]",
        "[9223372036854775807,-9223372036854775808,0,-1]",
        "{\"emoji\":\"😀\",\"mixed\":\"a中b\\u0000c\"}",
        "{\"z\":1,\"a\":2,\"m\":{\"y\":[1,[2,[3,{}]]]}}",
    };
    (void)state;
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        json_error_t e;
        json_t *j = json_loads(docs[i], JSON_ALLOW_NUL, &e);
        assert_non_null(j);
        same_as_jansson(j);
        json_decref(j);
    }
}

/* Not UTF-8 (possible only through the _nocheck constructors): both refuse. */
static void
test_invalid_utf8_refused(void **state)
{
    json_t *j = json_pack("{s:o}", "k", json_stringn_nocheck("a\xff" "b", 3));
    (void)state;
    assert_null(bm_json_compact(j, NULL));
    assert_null(json_dumps(j, FLAGS));
    json_decref(j);
    assert_null(bm_json_compact(NULL, NULL));
}

/* The string `s` of n bytes, as both writers put it (a tree and the streaming writer), is
 * what jansson writes, or refused by all three. */
static void
string_as_jansson(const char *s, size_t n)
{
    json_t *j = json_stringn_nocheck(s, n);
    char *want = json_dumps(j, FLAGS | JSON_ENCODE_ANY);
    char *got = bm_json_compact(j, NULL);
    struct bm_jw w = {0};
    char *streamed;

    bm_jw_str(&w, s);
    streamed = bm_jw_finish(&w, NULL);
    if (want == NULL) {
        assert_null(got);
        assert_null(streamed);
    } else {
        assert_non_null(got);
        assert_string_equal(got, want);
        assert_non_null(streamed);
        assert_string_equal(streamed, want);
    }
    free(want);
    free(got);
    free(streamed);
    json_decref(j);
}

/* Three-byte sequences at the edges of the writer's shortcut: the refused ones (overlong,
 * surrogate, cut short, a stray continuation byte) and the accepted ones beside them are
 * judged as jansson judges them, with ASCII and escapes around. */
static void
test_utf8_edges(void **state)
{
    static const char *const seqs[] = {
        "\xe0\x80\x80", "\xe0\x9f\xbf", "\xe0\xa0\x80", "\xed\xa0\x80", "\xed\xbf\xbf",
        "\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbf", "\xe1\x80", "\xe4\xb8", "\xe4",
        "\xe4\xb8\x41", "\xe4\x41\xad", "\x80", "\xc0\x80", "\xf4\x90\x80\x80",
        "\xf0\x9f\x98\x80", "\xe4\xb8\xad",
    };
    (void)state;
    for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++)
        for (int at = 0; at < 3; at++) {
            char buf[32];
            int n = snprintf(buf, sizeof(buf), at == 0 ? "%s" : at == 1 ? "a\"%s" : "%s\n", seqs[i]);
            string_as_jansson(buf, (size_t)n);
        }
}

/* A byte that needs a look of its own at every place of a longer ASCII string: the writer
 * checks eight bytes at a time, so each offset within and across those words is tried. */
static void
test_special_at_every_offset(void **state)
{
    static const char *const specials[] = {"\"", "\\", "\n", "\x01", "\x1f", " ", "\x7f", "/",
                                           "\xc3\xa9", "\xe4\xb8\xad", "\xf0\x9f\x98\x80", "\xff",
                                           "\xed\xa0\x80"};
    (void)state;
    for (size_t k = 0; k < sizeof(specials) / sizeof(specials[0]); k++)
        for (int at = 0; at <= 24; at++) {
            char buf[64];
            int n = snprintf(buf, sizeof(buf), "%.*s%s%.*s", at, "abcdefghijklmnopqrstuvwxyz",
                             specials[k], 24 - at, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
            string_as_jansson(buf, (size_t)n);
        }
}

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint32_t
rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static json_t *
gen_string(void)
{
    static const char *const parts[] = {"a", "Z", "9", " ", "\"", "\\", "/", "\n", "\t", "\x01",
                                        "\x1f", "\x7f", "中", "镇", "😀", "é", "\r", "\b", "\f",
                                        "乡镇前台综合受理"};
    char buf[256];
    size_t len = 0, n = rnd(12);
    for (size_t i = 0; i < n; i++) {
        const char *p = parts[rnd(sizeof(parts) / sizeof(parts[0]))];
        memcpy(buf + len, p, strlen(p));
        len += strlen(p);
    }
    if (rnd(10) == 0)
        buf[len++] = '\0'; /* an embedded NUL */
    return json_stringn(buf, len);
}

static json_t *
gen(int depth)
{
    static const double reals[] = {0.0, -0.0, 0.1, 0.5, 1.0, 2.0, 1e-7, 1e21, 1e22, 123.456,
                                   -98765.4321, 1.0 / 3.0, 2.0 / 3.0, 1e300, -1e-300, 0.6493,
                                   99.99999999999, 12345678901234.5, 5e-324};
    switch (rnd(depth > 4 ? 6 : 8)) {
    case 0: return json_null();
    case 1: return json_boolean(rnd(2));
    case 2: return json_integer((json_int_t)((int64_t)(rnd(UINT32_MAX) * (uint64_t)rnd(UINT32_MAX)) - (int64_t)rnd(1000)));
    case 3: return json_real(reals[rnd(sizeof(reals) / sizeof(reals[0]))] * (rnd(2) ? 1 : -1));
    case 4:
    case 5: return gen_string();
    case 6: {
        json_t *a = json_array();
        for (uint32_t i = rnd(6); i > 0; i--)
            json_array_append_new(a, gen(depth + 1));
        return a;
    }
    default: {
        json_t *o = json_object();
        for (uint32_t i = rnd(6); i > 0; i--) {
            json_t *k = gen_string();
            json_object_setn_new(o, json_string_value(k), json_string_length(k), gen(depth + 1));
            json_decref(k);
        }
        return o;
    }
    }
}

static void
test_generated(void **state)
{
    (void)state;
    for (int i = 0; i < 5000; i++) {
        json_t *root = rnd(2) ? json_object() : json_array();
        for (uint32_t k = rnd(5) + 1; k > 0; k--) {
            if (json_is_array(root))
                json_array_append_new(root, gen(1));
            else
                json_object_set_new(root, i % 2 ? "items" : "键", gen(1));
        }
        same_as_jansson(root);
        json_decref(root);
    }
}

/* Writes j through the streaming calls, leaf by leaf; what a C string cannot carry (an
 * embedded NUL in a string or a key) and reals go through bm_jw_value. */
static void
write_streamed(struct bm_jw *w, const json_t *j)
{
    const char *k;
    json_t *v;
    size_t i;

    switch (json_typeof(j)) {
    case JSON_OBJECT:
        json_object_foreach ((json_t *)j, k, v) {
            if (strlen(k) != json_object_iter_key_len(json_object_key_to_iter(k))) {
                bm_jw_value(w, j);
                return;
            }
        }
        bm_jw_obj(w);
        json_object_foreach ((json_t *)j, k, v) {
            bm_jw_key(w, k);
            write_streamed(w, v);
        }
        bm_jw_obj_end(w);
        return;
    case JSON_ARRAY:
        bm_jw_arr(w);
        json_array_foreach (j, i, v)
            write_streamed(w, v);
        bm_jw_arr_end(w);
        return;
    case JSON_STRING:
        if (strlen(json_string_value(j)) == json_string_length(j))
            bm_jw_str(w, json_string_value(j));
        else
            bm_jw_value(w, j);
        return;
    case JSON_INTEGER: bm_jw_int(w, json_integer_value(j)); return;
    case JSON_TRUE: bm_jw_bool(w, true); return;
    case JSON_FALSE: bm_jw_bool(w, false); return;
    case JSON_NULL: bm_jw_null(w); return;
    default: bm_jw_value(w, j); return;
    }
}

static void
test_writer_hand_made(void **state)
{
    struct bm_jw w = {0};
    size_t len = 0;
    char *got;
    (void)state;

    bm_jw_obj(&w);
    bm_jw_key(&w, "办件");
    bm_jw_str(&w, "a\"b\\c\n\x01中");
    bm_jw_key(&w, "none");
    bm_jw_str(&w, NULL);
    bm_jw_key(&w, "n");
    bm_jw_arr(&w);
    bm_jw_int(&w, INT64_MIN);
    bm_jw_int(&w, 0);
    bm_jw_int(&w, INT64_MAX);
    bm_jw_arr(&w);
    bm_jw_arr_end(&w);
    bm_jw_obj(&w);
    bm_jw_obj_end(&w);
    bm_jw_arr_end(&w);
    bm_jw_key(&w, "ok");
    bm_jw_bool(&w, true);
    bm_jw_obj_end(&w);
    got = bm_jw_finish(&w, &len);
    assert_string_equal(got, "{\"办件\":\"a\\\"b\\\\c\\n\\u0001中\",\"none\":null,"
                             "\"n\":[-9223372036854775808,0,9223372036854775807,[],{}],"
                             "\"ok\":true}");
    assert_int_equal(len, strlen(got));
    free(got);

    /* The writer is reset by finish: a second document starts clean. */
    bm_jw_int(&w, 7);
    got = bm_jw_finish(&w, NULL);
    assert_string_equal(got, "7");
    free(got);
}

/* A string that is not UTF-8 spoils the whole text: finish says so with NULL. */
static void
test_writer_invalid_utf8(void **state)
{
    struct bm_jw w = {0};
    (void)state;

    bm_jw_arr(&w);
    bm_jw_str(&w, "ok");
    bm_jw_str(&w, "a\xff");
    bm_jw_arr_end(&w);
    assert_null(bm_jw_finish(&w, NULL));
    bm_jw_str(&w, "fine again");
    char *got = bm_jw_finish(&w, NULL);
    assert_string_equal(got, "\"fine again\"");
    free(got);
}

static void
test_writer_generated(void **state)
{
    (void)state;
    for (int i = 0; i < 3000; i++) {
        json_t *root = json_object();
        for (uint32_t k = rnd(5) + 1; k > 0; k--)
            json_object_set_new(root, k % 2 ? "items" : "键", gen(1));
        char *want = json_dumps(root, FLAGS);
        struct bm_jw w = {0};
        size_t len = 0;
        write_streamed(&w, root);
        char *got = bm_jw_finish(&w, &len);
        assert_non_null(want);
        assert_non_null(got);
        if (strcmp(want, got) != 0)
            fail_msg("jansson: %s\nwriter:  %s", want, got);
        assert_int_equal(len, strlen(want));
        free(want);
        free(got);
        json_decref(root);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_made),
        cmocka_unit_test(test_invalid_utf8_refused),
        cmocka_unit_test(test_utf8_edges),
        cmocka_unit_test(test_special_at_every_offset),
        cmocka_unit_test(test_generated),
        cmocka_unit_test(test_writer_hand_made),
        cmocka_unit_test(test_writer_invalid_utf8),
        cmocka_unit_test(test_writer_generated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
