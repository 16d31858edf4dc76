/*
 * libsodium wrappers for passwords and tokens.
 */
#include "core/secret.h"

#include <sodium.h>
#include <string.h>

#include "util/hex.h"

_Static_assert(BM_SECRET_HASH_STR == crypto_pwhash_STRBYTES, "hash string size");

bool
bm_secret_init(void)
{
    return sodium_init() >= 0;
}

/*
 * argon2id's cost. The fuzz build (Makefile: BM_FUZZ_BUILD, never a release or test build)
 * takes libsodium's minimum, so that log-in and password routes are fuzzed at speed rather
 * than spending each run hashing; the hash string records its cost, so verifying follows.
 */
#ifdef BM_FUZZ_BUILD
#define PWHASH_OPS crypto_pwhash_OPSLIMIT_MIN
#define PWHASH_MEM crypto_pwhash_MEMLIMIT_MIN
#else
#define PWHASH_OPS crypto_pwhash_OPSLIMIT_INTERACTIVE
#define PWHASH_MEM crypto_pwhash_MEMLIMIT_INTERACTIVE
#endif

enum bm_rc
bm_secret_hash_password(const char *password, char *out, struct bm_err *err)
{
    if (crypto_pwhash_str(out, password, strlen(password), PWHASH_OPS, PWHASH_MEM) != 0)
        return bm_err_set(err, BM_EINTERNAL, "服务器内存不足，无法处理密码");
    return BM_OK;
}

bool
bm_secret_verify_password(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

void
bm_secret_random(void *out, size_t n)
{
    randombytes_buf(out, n);
}

void
bm_secret_request_id(const unsigned char key[BM_SECRET_RID_KEY_LEN], uint64_t seq, char out[17])
{
    unsigned char in[8], h[crypto_shorthash_BYTES];

    for (int i = 0; i < 8; i++)
        in[i] = (unsigned char)(seq >> (8 * i));
    crypto_shorthash(h, in, sizeof(in), key);
    bm_hex_encode(h, sizeof(h), out);
}

/* Digits from one draw of random bytes (a system call each: randombytes_uniform per digit
 * made six of them per query code). A byte below 250 gives a uniform digit; the rest are
 * skipped, and in the rare case that too many are, more bytes are drawn. */
void
bm_secret_digits(char *out, int digits)
{
    unsigned char raw[32];
    size_t used = sizeof(raw);

    BM_ASSERT(digits >= 1 && digits <= 15);
    for (int i = 0; i < digits;) {
        if (used == sizeof(raw)) {
            randombytes_buf(raw, sizeof(raw));
            used = 0;
        }
        if (raw[used] < 250)
            out[i++] = (char)('0' + raw[used] % 10);
        used++;
    }
    out[digits] = '\0';
    sodium_memzero(raw, sizeof(raw));
}

void
bm_secret_token(char *out)
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(out, BM_SECRET_TOKEN_LEN + 1, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
}

void
bm_secret_digest(const char *token, size_t len, unsigned char out[BM_SECRET_DIGEST_LEN])
{
    crypto_hash_sha256(out, (const unsigned char *)token, len);
}

bool
bm_secret_equal(const char *a, const char *b)
{
    size_t n = strlen(a);
    return n == strlen(b) && sodium_memcmp(a, b, n) == 0;
}

void
bm_secret_wipe(void *p, size_t n)
{
    sodium_memzero(p, n);
}
