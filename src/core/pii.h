/*
 * Personal data of applicants (docs/architecture.md "Personal data"): sealed with a data key
 * (XSalsa20-Poly1305, a fresh nonce each time) before it is stored, found again through a
 * keyed hash of the ID number, and shown masked to everyone who does not need it in full.
 * The key never leaves memory; the caller loads it (cli) and passes it in.
 */
#ifndef BM_CORE_PII_H
#define BM_CORE_PII_H

#include <stdbool.h>
#include <stddef.h>

#define BM_PII_KEY_LEN 32
#define BM_PII_HASH_LEN 32
#define BM_PII_OVERHEAD 40 /* nonce (24) + authentication tag (16) */
#define BM_PII_MAX_PLAIN 512

struct bm_pii_key {
    unsigned char seal[BM_PII_KEY_LEN]; /* subkey for sealing */
    unsigned char hash[BM_PII_KEY_LEN]; /* subkey for lookup hashes */
};

/* Derives both subkeys from the 32-byte data key. */
void bm_pii_key_init(struct bm_pii_key *k, const unsigned char master[BM_PII_KEY_LEN]);

/* Seals `len` bytes (at most BM_PII_MAX_PLAIN) into out[len + BM_PII_OVERHEAD]. */
void bm_pii_seal(const struct bm_pii_key *k, const void *plain, size_t len, unsigned char *out);

/*
 * Opens a sealed value into out (NUL-terminated, out_size >= sealed_len - overhead + 1).
 * False if it was not sealed with this key or was altered.
 */
bool bm_pii_open(const struct bm_pii_key *k, const unsigned char *sealed, size_t sealed_len,
                 char *out, size_t out_size);

/* Keyed hash of an ID number or credit code (upper-cased first, so "x" and "X" agree). */
void bm_pii_hash(const struct bm_pii_key *k, const char *id, unsigned char out[BM_PII_HASH_LEN]);

/*
 * Masks for display, written into out (NUL-terminated, truncated to out_size):
 * a name keeps its first and (from three characters) last character: 张*, 欧阳*锋;
 * an ID number keeps the first 4 and last 4: 1101**********0014;
 * a phone number keeps the first 3 and last 4: 138****5678.
 */
void bm_pii_mask_name(const char *name, char *out, size_t out_size);
void bm_pii_mask_id(const char *id, char *out, size_t out_size);
void bm_pii_mask_phone(const char *phone, char *out, size_t out_size);

#endif
