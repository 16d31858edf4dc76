/*
 * Bounded string builder.
 */
#include "util/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
bm_buf_init(struct bm_buf *b, size_t max_bytes)
{
    memset(b, 0, sizeof(*b));
    b->max = max_bytes;
}

void
bm_buf_fini(struct bm_buf *b)
{
    free(b->ptr);
    memset(b, 0, sizeof(*b));
}

static enum bm_rc
reserve(struct bm_buf *b, size_t n)
{
    size_t want, cap;

    if (n > b->max || b->len + n > b->max)
        return BM_ETOOBIG;
    want = b->len + n + 1;
    if (want <= b->cap)
        return BM_OK;
    cap = b->cap ? b->cap : 256;
    while (cap < want)
        cap *= 2;
    b->ptr = bm_xrealloc(b->ptr, cap);
    b->cap = cap;
    return BM_OK;
}

enum bm_rc
bm_buf_append(struct bm_buf *b, const void *data, size_t n)
{
    enum bm_rc rc = reserve(b, n);
    if (rc != BM_OK)
        return rc;
    if (n > 0)
        memcpy(b->ptr + b->len, data, n);
    b->len += n;
    b->ptr[b->len] = '\0';
    return BM_OK;
}

enum bm_rc
bm_buf_puts(struct bm_buf *b, const char *s)
{
    return bm_buf_append(b, s, strlen(s));
}

char *
bm_int_text(long long v, char buf[BM_INT_TEXT])
{
    char *p = buf + BM_INT_TEXT;
    /* The magnitude as unsigned, so that the most negative value has one. */
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0)
        *--p = '-';
    return p;
}

enum bm_rc
bm_buf_int(struct bm_buf *b, long long v)
{
    char d[BM_INT_TEXT], *p = bm_int_text(v, d);
    return bm_buf_append(b, p, (size_t)(d + sizeof(d) - p));
}

enum bm_rc
bm_buf_printf(struct bm_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    enum bm_rc rc;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return BM_EINTERNAL;
    rc = reserve(b, (size_t)n);
    if (rc != BM_OK)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return BM_OK;
}

enum bm_rc
bm_buf_json_str(struct bm_buf *b, const char *s)
{
    enum bm_rc rc = BM_OK;
    const unsigned char *p;
    size_t len0 = b->len;
    char esc[8];

    for (p = (const unsigned char *)s; *p != '\0' && rc == BM_OK; p++) {
        switch (*p) {
        case '"': rc = bm_buf_append(b, "\\\"", 2); break;
        case '\\': rc = bm_buf_append(b, "\\\\", 2); break;
        case '\n': rc = bm_buf_append(b, "\\n", 2); break;
        case '\r': rc = bm_buf_append(b, "\\r", 2); break;
        case '\t': rc = bm_buf_append(b, "\\t", 2); break;
        default:
            if (*p < 0x20) {
                snprintf(esc, sizeof(esc), "\\u%04x", *p);
                rc = bm_buf_append(b, esc, 6);
            } else {
                rc = bm_buf_append(b, p, 1);
            }
        }
    }
    if (rc != BM_OK && b->ptr != NULL) {
        /* All or nothing: a refused string leaves no half-escaped tail behind. */
        b->len = len0;
        b->ptr[len0] = '\0';
    }
    return rc;
}

char *
bm_buf_detach(struct bm_buf *b, size_t *len)
{
    char *p = b->ptr ? b->ptr : bm_xstrdup("");
    size_t max = b->max;
    if (len != NULL)
        *len = b->len;
    bm_buf_init(b, max);
    return p;
}
