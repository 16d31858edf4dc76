/*
 * Checked number parsing. The banned atoi/atol family accepts junk silently; these
 * reject empty input, trailing junk, signs where none are allowed, and overflow.
 */
#ifndef BM_UTIL_PARSE_H
#define BM_UTIL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Parses exactly `len` bytes of `s` as a decimal integer within [min, max].
 * A leading '-' is accepted only when min < 0; '+' and spaces never. Returns false
 * (and leaves *out alone) on any error.
 */
bool bm_parse_i64(const char *s, size_t len, int64_t min, int64_t max, int64_t *out);

/* Same for a NUL-terminated string. */
bool bm_parse_i64z(const char *s, int64_t min, int64_t max, int64_t *out);

#endif
