/*
 * The audit chain: each entry's hash is SHA-256 over a fixed encoding of its fields and
 * the previous entry's hash, so an edited, deleted or reordered row breaks the chain
 * at that row. The store appends in the same transaction as the change it records.
 */
#ifndef BM_CORE_AUDIT_H
#define BM_CORE_AUDIT_H

#include <stdint.h>

#define BM_AUDIT_HASH_LEN 32

/* Bounds of a chain's name (a county division code) and of the chains one store holds. */
#define BM_AUDIT_COUNTY_MAX 15
#define BM_AUDIT_CHAINS_MAX 4096

/*
 * One entry of a county's chain. The chain is not covered by the hash: an entry moved to
 * another county's chain breaks both chains' links.
 */
struct bm_audit_entry {
    const char *county_code; /* the chain; NULL: the store takes the actor's county */
    int64_t id;              /* 1, 2, 3 ... without gaps within the chain */
    int64_t at;              /* UTC epoch seconds */
    int64_t actor_id;        /* 0 for the system or the command line */
    const char *actor;       /* user name, or "system" / "cli" */
    const char *action;      /* "org_unit.create", "user.update", "session.create" ... */
    const char *object_type; /* "org_unit", "user", ... */
    const char *object_id;   /* the object's id as text */
    const char *detail;      /* JSON text: what changed; never secrets */
    unsigned char prev_hash[BM_AUDIT_HASH_LEN];
    unsigned char hash[BM_AUDIT_HASH_LEN];
};

/* Hash of the first entry's predecessor: 32 zero bytes. */
extern const unsigned char bm_audit_genesis[BM_AUDIT_HASH_LEN];

/* Computes e->hash from the fields and e->prev_hash. Pure. */
void bm_audit_seal(struct bm_audit_entry *e);

/*
 * Checks one stored entry against the chain read so far: its id must be `expected_id`,
 * its prev_hash must equal `prev`, and its hash must match its content. Returns NULL if
 * it holds, or a short English reason naming what broke.
 */
const char *bm_audit_check(const struct bm_audit_entry *e, int64_t expected_id,
                           const unsigned char prev[BM_AUDIT_HASH_LEN]);

/* Lowercase hex of a hash into out[65]. */
void bm_audit_hex(const unsigned char h[BM_AUDIT_HASH_LEN], char out[65]);

#endif
