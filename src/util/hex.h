/*
 * Lowercase hexadecimal, both ways (hashes in audit output, bytes in store copies).
 */
#ifndef BM_UTIL_HEX_H
#define BM_UTIL_HEX_H

#include <stdbool.h>
#include <stddef.h>

/* Writes 2n hex digits and a NUL into out (at least 2n + 1 bytes). */
void bm_hex_encode(const unsigned char *p, size_t n, char *out);

/*
 * Decodes up to `max` bytes from hex text (either case); stops at the first non-pair.
 * Returns the number of bytes written, or -1 if `hex` holds a non-hex character.
 */
int bm_hex_decode(const char *hex, unsigned char *out, size_t max);

#endif
