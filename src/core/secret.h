/*
 * Secrets: argon2id password hashes (libsodium, interactive limits: about 64 MiB and a
 * fraction of a second each, so callers run them off the event loop and few at a time),
 * random bearer tokens and their SHA-256 digests (what the store keeps), and a
 * constant-time comparison. The only core file that reads the OS random source.
 */
#ifndef BM_CORE_SECRET_H
#define BM_CORE_SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define BM_SECRET_HASH_STR 128 /* crypto_pwhash_STRBYTES */
#define BM_SECRET_TOKEN_LEN 43 /* 32 random bytes, base64url without padding */
#define BM_SECRET_DIGEST_LEN 32

/* Initialises libsodium; call once at start-up. False if it cannot. */
bool bm_secret_init(void);

/* argon2id hash string of `password` into out[BM_SECRET_HASH_STR]. BM_EINTERNAL if out of memory. */
BM_MUST_CHECK enum bm_rc bm_secret_hash_password(const char *password, char *out,
                                                 struct bm_err *err);

/* True if `password` matches the stored hash string. */
bool bm_secret_verify_password(const char *hash, const char *password);

/* A fresh random token (base64url, NUL-terminated) into out[BM_SECRET_TOKEN_LEN + 1]. */
void bm_secret_token(char *out);

/* `n` random bytes from the OS source. */
void bm_secret_random(void *out, size_t n);

/*
 * A request id: 16 hex digits, the keyed hash (SipHash-2-4) of a counter under a random key of
 * BM_SECRET_RID_KEY_LEN bytes (bm_secret_random, once per thread), so that ids look random and
 * do not repeat while the key lives, without a call to the system's random source per request.
 */
#define BM_SECRET_RID_KEY_LEN 16
void bm_secret_request_id(const unsigned char key[BM_SECRET_RID_KEY_LEN], uint64_t seq,
                          char out[17]);

/* A random decimal code of `digits` digits (1..15) into out[digits + 1], e.g. a query code. */
void bm_secret_digits(char *out, int digits);

/* SHA-256 of a token as presented by a client. */
void bm_secret_digest(const char *token, size_t len, unsigned char out[BM_SECRET_DIGEST_LEN]);

/* Constant-time equality of two strings (length differences leak only the length). */
bool bm_secret_equal(const char *a, const char *b);

/* Overwrites a secret in memory in a way the compiler cannot drop. */
void bm_secret_wipe(void *p, size_t n);

#endif
