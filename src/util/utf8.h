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

/* Makes a NUL-terminated string well-formed UTF-8 in place: each byte that begins no
 * well-formed sequence becomes '?' (for text built from input, such as a parser's message
 * quoting the bytes it stopped at). */
void bm_utf8_scrub(char *s);

/* Number of code points in a valid UTF-8 string; undefined for invalid input. */
size_t bm_utf8_count(const char *s);

#endif
