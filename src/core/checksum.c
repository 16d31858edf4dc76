/*
 * GB 11643 and GB 32100 check characters.
 */
#include "core/checksum.h"

#include <string.h>

static const int id_w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
static const char uscc_cs[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const int uscc_w[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};

char
bm_id_check_char(const char *id17)
{
    int s = 0;
    for (int i = 0; i < 17; i++) {
        if (id17[i] < '0' || id17[i] > '9')
            return 0;
        s += (id17[i] - '0') * id_w[i];
    }
    return "10X98765432"[s % 11];
}

static int
num(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static bool
real_date(int y, int m, int d)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1800 || m < 1 || m > 12 || d < 1)
        return false;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

bool
bm_id_valid(const char *id, int today)
{
    char c;
    if (id == NULL || strlen(id) != 18)
        return false;
    c = bm_id_check_char(id);
    if (c == 0 || c != id[17])
        return false;
    if (!real_date(num(id + 6, 4), num(id + 10, 2), num(id + 12, 2)))
        return false;
    return today == 0 || num(id + 6, 8) <= today;
}

static int
uscc_value(char c)
{
    const char *p = c ? strchr(uscc_cs, c) : NULL;
    return p ? (int)(p - uscc_cs) : -1;
}

char
bm_uscc_check_char(const char *u17)
{
    int s = 0;
    for (int i = 0; i < 17; i++) {
        int v = uscc_value(u17[i]);
        if (v < 0)
            return 0;
        /* Positions 3-8 are the registering authority's division code: digits only. */
        if (i >= 2 && i <= 7 && v > 9)
            return 0;
        s += v * uscc_w[i];
    }
    return uscc_cs[(31 - s % 31) % 31];
}

bool
bm_uscc_valid(const char *code)
{
    char c;
    if (code == NULL || strlen(code) != 18)
        return false;
    c = bm_uscc_check_char(code);
    return c != 0 && c == code[17];
}
