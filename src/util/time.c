/*
 * Clock reads and CST formatting.
 */
#include "util/time.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t
bm_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

double
bm_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void
cst(int64_t t, struct tm *tm)
{
    time_t tt = (time_t)(t + BM_CST_OFFSET_S);
    gmtime_r(&tt, tm);
}

void
bm_put_digits(char *p, int v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* "YYYY-MM-DD" into p (10 bytes, no NUL); false outside years 0..9999. */
static bool
put_date(char *p, const struct tm *tm)
{
    int y = tm->tm_year + 1900;

    if (y < 0 || y > 9999)
        return false;
    bm_put_digits(p, y, 4);
    p[4] = '-';
    bm_put_digits(p + 5, tm->tm_mon + 1, 2);
    p[7] = '-';
    bm_put_digits(p + 8, tm->tm_mday, 2);
    return true;
}

void
bm_time_rfc3339(int64_t t, char *out, size_t out_size)
{
    struct tm tm;
    char s[26];

    cst(t, &tm);
    if (out_size < sizeof(s) || !put_date(s, &tm)) {
        snprintf(out, out_size, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        return;
    }
    s[10] = 'T';
    bm_put_digits(s + 11, tm.tm_hour, 2);
    s[13] = ':';
    bm_put_digits(s + 14, tm.tm_min, 2);
    s[16] = ':';
    bm_put_digits(s + 17, tm.tm_sec, 2);
    memcpy(s + 19, "+08:00", 7);
    memcpy(out, s, sizeof(s));
}

void
bm_time_date(int64_t t, char *out, size_t out_size)
{
    struct tm tm;

    cst(t, &tm);
    if (out_size < 11 || !put_date(out, &tm)) {
        snprintf(out, out_size, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
        return;
    }
    out[10] = '\0';
}
