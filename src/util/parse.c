/*
 * Checked decimal parsing.
 */
#include "util/parse.h"

#include <string.h>

bool
bm_parse_i64(const char *s, size_t len, int64_t min, int64_t max, int64_t *out)
{
    bool neg = false;
    uint64_t v = 0, limit;
    size_t i = 0;

    if (s == NULL || len == 0)
        return false;
    if (s[0] == '-') {
        if (min >= 0)
            return false;
        neg = true;
        i = 1;
        if (len == 1)
            return false;
    }
    limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < len; i++) {
        unsigned d;
        if (s[i] < '0' || s[i] > '9')
            return false;
        d = (unsigned)(s[i] - '0');
        if (v > (limit - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (neg) {
        int64_t r = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
        if (r < min || r > max)
            return false;
        *out = r;
    } else {
        if ((int64_t)v < min || (int64_t)v > max)
            return false;
        *out = (int64_t)v;
    }
    return true;
}

bool
bm_parse_i64z(const char *s, int64_t min, int64_t max, int64_t *out)
{
    return s != NULL && bm_parse_i64(s, strlen(s), min, max, out);
}
