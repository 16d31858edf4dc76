/*
 * Wall-clock reads and formatting. Instants are UTC epoch seconds; they are shown in
 * China Standard Time (UTC+8, no daylight saving). bm_now() always asks the system clock,
 * never a cached value, so tools like faketime can move it.
 */
#ifndef BM_UTIL_TIME_H
#define BM_UTIL_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BM_CST_OFFSET_S (8 * 3600)

/* Seconds since the epoch, from the system clock. */
int64_t bm_now(void);

/* Monotonic milliseconds (for durations, not for dates). */
double bm_mono_ms(void);

/* The last `width` decimal digits of v >= 0, zero-padded, into p (no NUL): dates and times
 * are written by hand because snprintf was a sixth of rendering a case. */
void bm_put_digits(char *p, int v, int width);

/* "2026-11-26T22:01:06+08:00" into out (at least 26 bytes). */
void bm_time_rfc3339(int64_t t, char *out, size_t out_size);

/* "2026-11-26" (CST date of the instant) into out (at least 11 bytes). */
void bm_time_date(int64_t t, char *out, size_t out_size);

#endif
