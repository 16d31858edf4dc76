/*
 * UTF-8 validation and counting (RFC 3629).
 */
#include "util/utf8.h"

#include <string.h>

/* Length of the well-formed sequence at s[0..avail) (avail > 0), 0 if there is none: a NUL,
 * a stray continuation byte, an overlong form, a surrogate, past U+10FFFF or cut short. */
static size_t
seq_len(const unsigned char *s, size_t avail)
{
    unsigned c = s[0], cp;
    size_t n;

    if (c == 0)
        return 0;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 1;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 2;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 3;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n >= avail) /* truncated sequence */
        return 0;
    for (size_t k = 1; k <= n; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[k] & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n + 1;
}

bool
bm_utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, n;

    while (i < len) {
        if ((n = seq_len(s + i, len - i)) == 0)
            return false;
        i += n;
    }
    return true;
}

void
bm_utf8_scrub(char *str)
{
    unsigned char *s = (unsigned char *)str;
    size_t len = strlen(str), i = 0, n;

    while (i < len) {
        if ((n = seq_len(s + i, len - i)) == 0) {
            s[i] = '?';
            n = 1;
        }
        i += n;
    }
}

size_t
bm_utf8_count(const char *s)
{
    size_t n = 0;
    for (; *s != '\0'; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}
