/*
 * Sealing, lookup hashes and masks for applicants' personal data.
 */
#include "core/pii.h"

#include <ctype.h>
#include <sodium.h>
#include <string.h>

#include "core/secret.h"
#include "util/err.h"

/* Context of crypto_kdf: exactly 8 bytes. */
#define KDF_CONTEXT "bmpii001"

void
bm_pii_key_init(struct bm_pii_key *k, const unsigned char master[BM_PII_KEY_LEN])
{
    crypto_kdf_derive_from_key(k->seal, sizeof(k->seal), 1, KDF_CONTEXT, master);
    crypto_kdf_derive_from_key(k->hash, sizeof(k->hash), 2, KDF_CONTEXT, master);
}

void
bm_pii_seal(const struct bm_pii_key *k, const void *plain, size_t len, unsigned char *out)
{
    BM_ASSERT(len <= BM_PII_MAX_PLAIN);
    bm_secret_random(out, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES, plain, len, out, k->seal);
}

bool
bm_pii_open(const struct bm_pii_key *k, const unsigned char *sealed, size_t sealed_len, char *out,
            size_t out_size)
{
    size_t len;

    if (sealed_len < BM_PII_OVERHEAD || out_size < sealed_len - BM_PII_OVERHEAD + 1)
        return false;
    len = sealed_len - BM_PII_OVERHEAD;
    if (crypto_secretbox_open_easy((unsigned char *)out, sealed + crypto_secretbox_NONCEBYTES,
                                   sealed_len - crypto_secretbox_NONCEBYTES, sealed,
                                   k->seal) != 0)
        return false;
    out[len] = '\0';
    return true;
}

void
bm_pii_hash(const struct bm_pii_key *k, const char *id, unsigned char out[BM_PII_HASH_LEN])
{
    char up[64];
    size_t n = 0;

    for (; id[n] && n < sizeof(up) - 1; n++)
        up[n] = (char)toupper((unsigned char)id[n]);
    crypto_generichash(out, BM_PII_HASH_LEN, (const unsigned char *)up, n, k->hash,
                       sizeof(k->hash));
    sodium_memzero(up, sizeof(up));
}

/* Length in bytes of the UTF-8 character starting at s (1 for a stray byte). */
static size_t
char_len(const char *s)
{
    unsigned char c = (unsigned char)s[0];
    size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    for (size_t i = 1; i < n; i++)
        if (s[i] == '\0')
            return i;
    return n;
}

static void
append(char *out, size_t out_size, size_t *pos, const char *s, size_t n)
{
    if (*pos + n >= out_size)
        return;
    memcpy(out + *pos, s, n);
    *pos += n;
    out[*pos] = '\0';
}

void
bm_pii_mask_name(const char *name, char *out, size_t out_size)
{
    size_t n_chars = 0, pos = 0, first, last_off = 0;

    if (out_size == 0)
        return;
    out[0] = '\0';
    for (size_t i = 0; name[i]; i += char_len(name + i)) {
        last_off = i;
        n_chars++;
    }
    if (n_chars == 0)
        return;
    first = char_len(name);
    append(out, out_size, &pos, name, first);
    if (n_chars == 1)
        return;
    append(out, out_size, &pos, "*", 1);
    if (n_chars >= 3)
        append(out, out_size, &pos, name + last_off, strlen(name + last_off));
}

/* Keeps `head` leading and `tail` trailing characters of an ASCII value, stars between. */
static void
mask_ascii(const char *v, size_t head, size_t tail, char *out, size_t out_size)
{
    size_t n = strlen(v), pos = 0;

    if (out_size == 0)
        return;
    out[0] = '\0';
    if (n <= head + tail) {
        for (size_t i = 0; i < n; i++)
            append(out, out_size, &pos, "*", 1);
        return;
    }
    append(out, out_size, &pos, v, head);
    for (size_t i = head; i < n - tail; i++)
        append(out, out_size, &pos, "*", 1);
    append(out, out_size, &pos, v + n - tail, tail);
}

void
bm_pii_mask_id(const char *id, char *out, size_t out_size)
{
    mask_ascii(id, 4, 4, out, out_size);
}

void
bm_pii_mask_phone(const char *phone, char *out, size_t out_size)
{
    mask_ascii(phone, 3, 4, out, out_size);
}
