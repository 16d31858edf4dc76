/*
 * Compact JSON writer (see json_out.h). It follows jansson 2.14's dump.c and strconv.c
 * rule for rule, so that answers stay byte-identical; tests/unit/test_json_out.c compares
 * the two on generated documents.
 */
#include "api/json_out.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/err.h"

static void
reserve(struct bm_jw *o, size_t n)
{
    if (o->cap - o->len > n)
        return;
    while (o->cap - o->len <= n)
        o->cap = o->cap ? o->cap * 2 : 1024;
    o->p = bm_xrealloc(o->p, o->cap);
}

static void
put(struct bm_jw *o, const void *s, size_t n)
{
    reserve(o, n);
    memcpy(o->p + o->len, s, n);
    o->len += n;
}

static void
putc1(struct bm_jw *o, char c)
{
    reserve(o, 1);
    o->p[o->len++] = c;
}

/* Length of the UTF-8 sequence at s[0..n) (n > 0, s[0] >= 0x80), 0 if it is not one:
 * the rules of jansson's utf8.c (no overlongs, surrogates or code points past U+10FFFF). */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
    size_t len, k;
    uint32_t cp;

    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        len = 2;
        cp = s[0] & 0x1Fu;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3;
        cp = s[0] & 0x0Fu;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4;
        cp = s[0] & 0x07u;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[k] & 0x3Fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* One escaped ASCII byte: the short forms JSON has, \u00XX for the other controls. */
static void
put_escape(struct bm_jw *o, unsigned char c)
{
    static const char hex[] = "0123456789ABCDEF";
    const char *esc;
    char u[6];

    switch (c) {
    case '"': esc = "\\\""; break;
    case '\\': esc = "\\\\"; break;
    case '\b': esc = "\\b"; break;
    case '\f': esc = "\\f"; break;
    case '\n': esc = "\\n"; break;
    case '\r': esc = "\\r"; break;
    case '\t': esc = "\\t"; break;
    default: esc = NULL;
    }
    if (esc != NULL) {
        put(o, esc, 2);
    } else {
        memcpy(u, "\\u00", 4);
        u[4] = hex[c >> 4];
        u[5] = hex[c & 15];
        put(o, u, 6);
    }
}

/* True when none of the eight bytes at p needs a look of its own: each is printable ASCII
 * other than '"' and '\\'. The classic tests for a zero byte and for a byte below n, which
 * never miss one (their false alarms only sit above a real one). */
static bool
plain8(const unsigned char *p)
{
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    uint64_t x, q, b;

    memcpy(&x, p, 8);
    q = x ^ (ones * '"');
    b = x ^ (ones * '\\');
    return ((x | ((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b)) & high) == 0;
}

/*
 * A string with JSON's mandatory escapes; false when it is not UTF-8 (jansson refuses).
 * Runs of bytes that need nothing are copied at once, and ASCII is checked eight bytes at a
 * time. Chinese text is mostly three-byte sequences led by E1..EC or EE..EF, which are valid
 * whenever two continuation bytes follow (E0 could be overlong, ED a surrogate): those skip
 * the full check. Strings were a fifth of rendering a case.
 */
static bool
put_string(struct bm_jw *o, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, run = 0;

    reserve(o, n + 2);
    o->p[o->len++] = '"';
    while (i < n) {
        unsigned char c;
        size_t k;

        while (i + 8 <= n && plain8(s + i))
            i += 8;
        if (i == n)
            break;
        c = s[i];

        if (c >= 0x80) {
            if (c >= 0xE1 && c <= 0xEF && c != 0xED && i + 2 < n && (s[i + 1] & 0xC0) == 0x80 &&
                (s[i + 2] & 0xC0) == 0x80)
                k = 3;
            else if ((k = utf8_seq(s + i, n - i)) == 0)
                return false;
            i += k;
        } else if (c >= 0x20 && c != '"' && c != '\\') {
            i++;
        } else {
            put(o, s + run, i - run);
            put_escape(o, c);
            run = ++i;
        }
    }
    put(o, s + run, n - run);
    putc1(o, '"');
    return true;
}

/* Decimal digits by hand: snprintf per number was a tenth of a case's rendering. */
static void
put_integer(struct bm_jw *o, json_int_t v)
{
    char buf[BM_INT_TEXT], *p = bm_int_text(v, buf);
    put(o, p, (size_t)(buf + sizeof(buf) - p));
}

/* jansson's jsonp_dtostr with precision 12: "%.12g", ".0" when it would read as an integer,
 * the exponent without '+' and leading zeros. */
static bool
put_real(struct bm_jw *o, double v)
{
    char buf[64], *start, *end;
    int r = snprintf(buf, sizeof(buf), "%.12g", v);
    size_t len;

    if (r < 0 || (size_t)r >= sizeof(buf) - 3)
        return false;
    len = (size_t)r;
    if (strchr(buf, '.') == NULL && strchr(buf, 'e') == NULL) {
        memcpy(buf + len, ".0", 3);
        len += 2;
    }
    if ((start = strchr(buf, 'e')) != NULL) {
        start++;
        end = start + 1;
        if (*start == '-')
            start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, len - (size_t)(end - buf));
            len -= (size_t)(end - start);
        }
    }
    put(o, buf, len);
    return true;
}

static bool
put_value(struct bm_jw *o, const json_t *j, int depth)
{
    size_t i;

    /* jansson's own limit on nesting (JSON_PARSER_DEFAULT_DEPTH is 2048) is for parsing;
     * answers are built by code and never this deep, but a loop must not recurse forever. */
    if (depth > 2048)
        return false;
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        void *it = json_object_iter((json_t *)j);
        bool first = true;
        if (it == NULL) {
            put(o, "{}", 2);
            return true;
        }
        putc1(o, '{');
        for (; it != NULL; it = json_object_iter_next((json_t *)j, it)) {
            if (!first)
                putc1(o, ',');
            first = false;
            if (!put_string(o, json_object_iter_key(it), json_object_iter_key_len(it)))
                return false;
            putc1(o, ':');
            if (!put_value(o, json_object_iter_value(it), depth + 1))
                return false;
        }
        putc1(o, '}');
        return true;
    }
    case JSON_ARRAY:
        if (json_array_size(j) == 0) {
            put(o, "[]", 2);
            return true;
        }
        putc1(o, '[');
        for (i = 0; i < json_array_size(j); i++) {
            if (i > 0)
                putc1(o, ',');
            if (!put_value(o, json_array_get(j, i), depth + 1))
                return false;
        }
        putc1(o, ']');
        return true;
    case JSON_STRING:
        return put_string(o, json_string_value(j), json_string_length(j));
    case JSON_INTEGER:
        put_integer(o, json_integer_value(j));
        return true;
    case JSON_REAL:
        return put_real(o, json_real_value(j));
    case JSON_TRUE:
        put(o, "true", 4);
        return true;
    case JSON_FALSE:
        put(o, "false", 5);
        return true;
    case JSON_NULL:
        put(o, "null", 4);
        return true;
    }
    return false;
}

char *
bm_json_compact(const json_t *j, size_t *len)
{
    struct bm_jw o = {0};

    if (j == NULL || !put_value(&o, j, 0)) {
        free(o.p);
        return NULL;
    }
    putc1(&o, '\0');
    if (len != NULL)
        *len = o.len - 1;
    return o.p;
}

/* ---- streaming writer ---- */

static void
sep(struct bm_jw *w)
{
    if (w->comma)
        putc1(w, ',');
}

static void
open_level(struct bm_jw *w, char c)
{
    sep(w);
    putc1(w, c);
    w->comma = false;
}

static void
close_level(struct bm_jw *w, char c)
{
    putc1(w, c);
    w->comma = true;
}

void bm_jw_obj(struct bm_jw *w) { open_level(w, '{'); }
void bm_jw_obj_end(struct bm_jw *w) { close_level(w, '}'); }
void bm_jw_arr(struct bm_jw *w) { open_level(w, '['); }
void bm_jw_arr_end(struct bm_jw *w) { close_level(w, ']'); }

void
bm_jw_key(struct bm_jw *w, const char *k)
{
    const unsigned char *u = (const unsigned char *)k;
    size_t n = 0;

    /* Keys are the program's own ASCII names, a case has two hundred of them: one pass finds
     * the end and that nothing needs escaping, and the key, its quotes, the comma before it
     * and the colon go in at once. Anything else takes put_string. */
    while (u[n] >= 0x20 && u[n] < 0x80 && u[n] != '"' && u[n] != '\\')
        n++;
    if (u[n] == '\0') {
        char *p;
        reserve(w, n + 4);
        p = w->p + w->len;
        if (w->comma)
            *p++ = ',';
        *p++ = '"';
        memcpy(p, k, n);
        p += n;
        *p++ = '"';
        *p++ = ':';
        w->len = (size_t)(p - w->p);
    } else {
        sep(w);
        w->bad |= !put_string(w, k, strlen(k));
        putc1(w, ':');
    }
    w->comma = false;
}

void
bm_jw_str(struct bm_jw *w, const char *s)
{
    sep(w);
    if (s == NULL)
        put(w, "null", 4);
    else
        w->bad |= !put_string(w, s, strlen(s));
    w->comma = true;
}

void
bm_jw_int(struct bm_jw *w, int64_t v)
{
    sep(w);
    put_integer(w, (json_int_t)v);
    w->comma = true;
}

void
bm_jw_bool(struct bm_jw *w, bool v)
{
    sep(w);
    if (v)
        put(w, "true", 4);
    else
        put(w, "false", 5);
    w->comma = true;
}

void
bm_jw_null(struct bm_jw *w)
{
    sep(w);
    put(w, "null", 4);
    w->comma = true;
}

void
bm_jw_value(struct bm_jw *w, const json_t *j)
{
    sep(w);
    if (j == NULL)
        put(w, "null", 4);
    else
        w->bad |= !put_value(w, j, 0);
    w->comma = true;
}

void
bm_jw_kstr(struct bm_jw *w, const char *k, const char *s)
{
    bm_jw_key(w, k);
    bm_jw_str(w, s);
}

void
bm_jw_kint(struct bm_jw *w, const char *k, int64_t v)
{
    bm_jw_key(w, k);
    bm_jw_int(w, v);
}

void
bm_jw_kbool(struct bm_jw *w, const char *k, bool v)
{
    bm_jw_key(w, k);
    bm_jw_bool(w, v);
}

char *
bm_jw_finish(struct bm_jw *w, size_t *len)
{
    char *p;

    putc1(w, '\0');
    p = w->p;
    if (w->bad) {
        free(p);
        p = NULL;
    } else if (len != NULL) {
        *len = w->len - 1;
    }
    memset(w, 0, sizeof(*w));
    return p;
}
