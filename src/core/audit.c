/*
 * SHA-256 chaining of audit entries (libsodium's crypto_hash_sha256).
 * Encoding: "bianmin-audit-v1" then every field as <decimal length>:<bytes>\n, then the
 * previous hash. Length prefixes make the encoding unambiguous.
 */
#include "core/audit.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "util/hex.h"

const unsigned char bm_audit_genesis[BM_AUDIT_HASH_LEN] = {0};

static void
put(crypto_hash_sha256_state *st, const char *s)
{
    char len[24];
    size_t n = s ? strlen(s) : 0;
    int k = snprintf(len, sizeof(len), "%zu:", n);
    crypto_hash_sha256_update(st, (const unsigned char *)len, (unsigned long long)k);
    if (n > 0)
        crypto_hash_sha256_update(st, (const unsigned char *)s, n);
    crypto_hash_sha256_update(st, (const unsigned char *)"\n", 1);
}

static void
put_i64(crypto_hash_sha256_state *st, int64_t v)
{
    char s[24];
    snprintf(s, sizeof(s), "%" PRId64, v);
    put(st, s);
}

void
bm_audit_seal(struct bm_audit_entry *e)
{
    crypto_hash_sha256_state st;

    crypto_hash_sha256_init(&st);
    put(&st, "bianmin-audit-v1");
    put_i64(&st, e->id);
    put_i64(&st, e->at);
    put_i64(&st, e->actor_id);
    put(&st, e->actor);
    put(&st, e->action);
    put(&st, e->object_type);
    put(&st, e->object_id);
    put(&st, e->detail);
    crypto_hash_sha256_update(&st, e->prev_hash, BM_AUDIT_HASH_LEN);
    crypto_hash_sha256_final(&st, e->hash);
}

void
bm_audit_hex(const unsigned char h[BM_AUDIT_HASH_LEN], char out[65])
{
    bm_hex_encode(h, BM_AUDIT_HASH_LEN, out);
}

const char *
bm_audit_check(const struct bm_audit_entry *e, int64_t expected_id,
               const unsigned char prev[BM_AUDIT_HASH_LEN])
{
    struct bm_audit_entry copy = *e;

    if (e->id != expected_id)
        return "entry missing or out of order";
    if (memcmp(e->prev_hash, prev, BM_AUDIT_HASH_LEN) != 0)
        return "prev_hash does not match the previous entry";
    bm_audit_seal(&copy);
    if (memcmp(copy.hash, e->hash, BM_AUDIT_HASH_LEN) != 0)
        return "content does not match its hash";
    return NULL;
}
