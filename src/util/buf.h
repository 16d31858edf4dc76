/*
 * Growable byte buffer with a maximum size; appends past the maximum fail with
 * BM_ETOOBIG and leave the buffer unchanged. Memory is malloc'ed and owned by the buffer
 * until bm_buf_detach hands it to the caller.
 */
#ifndef BM_UTIL_BUF_H
#define BM_UTIL_BUF_H

#include <stddef.h>

#include "util/err.h"

struct bm_buf {
    char *ptr;  /* always NUL-terminated when non-NULL */
    size_t len, cap, max;
};

void bm_buf_init(struct bm_buf *b, size_t max_bytes);
void bm_buf_fini(struct bm_buf *b);
BM_MUST_CHECK enum bm_rc bm_buf_append(struct bm_buf *b, const void *data, size_t n);
BM_MUST_CHECK enum bm_rc bm_buf_puts(struct bm_buf *b, const char *s);
BM_MUST_CHECK enum bm_rc bm_buf_printf(struct bm_buf *b, const char *fmt, ...) BM_PRINTF(2, 3);
/* Appends the decimal digits of v: a printf's work for one number, without parsing a format. */
BM_MUST_CHECK enum bm_rc bm_buf_int(struct bm_buf *b, long long v);

/* The decimal text of v, written backwards so that it ends at buf + BM_INT_TEXT; returns
 * where it begins. Not NUL-terminated. */
#define BM_INT_TEXT 24
char *bm_int_text(long long v, char buf[BM_INT_TEXT]);
/* Appends `s` escaped for the inside of a JSON string. */
BM_MUST_CHECK enum bm_rc bm_buf_json_str(struct bm_buf *b, const char *s);
/* Returns the content (caller frees) and resets the buffer. Never NULL. */
char *bm_buf_detach(struct bm_buf *b, size_t *len);

#endif
