/*
 * Check characters of Chinese identifiers: the resident identity number (GB 11643-1999,
 * ISO 7064 MOD 11-2) and the unified social credit code (GB 32100-2015, MOD 31).
 * docs/domain.md section 7 has the worked examples the unit tests use.
 */
#ifndef BM_CORE_CHECKSUM_H
#define BM_CORE_CHECKSUM_H

#include <stdbool.h>

/* Check character for the first 17 digits of an ID number; 0 if they are not digits. */
char bm_id_check_char(const char *id17);

/*
 * True if `id` is an 18-character resident ID number with a real birth date not after
 * `today` (YYYYMMDD as an integer; 0 skips that check) and a correct check character.
 * A lowercase 'x' is refused: callers normalise to 'X' first.
 */
bool bm_id_valid(const char *id, int today);

/* Check character for the first 17 characters of a credit code; 0 if any is invalid. */
char bm_uscc_check_char(const char *u17);

/* True if `code` is 18 characters from the GB 32100 set with a correct check character. */
bool bm_uscc_valid(const char *code);

#endif
