/*
 * Clock reads and CST formatting.
 */
#include "util/time.h"

#include <stdio.h>
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
bm_time_rfc3339(int64_t t, char *out, size_t out_size)
{
    struct tm tm;
    cst(t, &tm);
    snprintf(out, out_size, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void
bm_time_date(int64_t t, char *out, size_t out_size)
{
    struct tm tm;
    cst(t, &tm);
    snprintf(out, out_size, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}
