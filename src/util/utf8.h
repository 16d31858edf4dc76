/*
 * UTF-8 checks for input that does not pass through jansson (query strings,
 * headers, imported text). Limits users see are in characters, storage limits in bytes.
 */
#ifndef BM_UTIL_UTF8_H
#define BM_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True if s[0..len) is well-formed UTF-8 (no overlongs, surrogates or NULs). */
bool bm_utf8_valid(const char *s, size_t len);

/* Number of code points in a valid UTF-8 string; undefined for invalid input. */
size_t bm_utf8_count(const char *s);

#endif
