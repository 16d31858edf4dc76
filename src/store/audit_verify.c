/*
 * Walks the whole audit chain through the store interface, whatever the backend, and
 * reports the first entry that breaks it. Used by `bianmin audit verify` and the API.
 */
#include "store/audit_verify.h"

#include <string.h>

#define PAGE 500

enum bm_rc
bm_store_audit_verify(struct bm_store *st, struct bm_audit_report *rep, struct bm_err *err)
{
    unsigned char prev[BM_AUDIT_HASH_LEN], head_hash[BM_AUDIT_HASH_LEN];
    int64_t head_id = 0, cursor = 0;
    enum bm_rc rc;

    memset(rep, 0, sizeof(*rep));
    memcpy(prev, bm_audit_genesis, BM_AUDIT_HASH_LEN);
    rc = bm_store_audit_head(st, &head_id, head_hash, err);
    while (rc == BM_OK) {
        struct bm_arena *a = bm_arena_new((size_t)64 << 20);
        struct bm_audit_entry *es;
        size_t n = 0;

        rc = bm_store_audit_list(st, cursor, false, PAGE, a, &es, &n, err);
        for (size_t i = 0; rc == BM_OK && i < n && rep->bad_id == 0; i++) {
            const char *why = bm_audit_check(&es[i], rep->checked + 1, prev);
            if (why != NULL) {
                /* A gap is reported at the missing id, anything else at the bad row. */
                rep->bad_id = es[i].id != rep->checked + 1 ? rep->checked + 1 : es[i].id;
                rep->expected_id = rep->checked + 1;
                rep->reason = why;
                break;
            }
            memcpy(prev, es[i].hash, BM_AUDIT_HASH_LEN);
            rep->checked++;
            cursor = es[i].id;
        }
        bm_arena_free(a);
        if (rc != BM_OK || rep->bad_id != 0 || n < PAGE)
            break;
    }
    if (rc == BM_OK && rep->bad_id == 0 &&
        (head_id != rep->checked || memcmp(head_hash, prev, BM_AUDIT_HASH_LEN) != 0)) {
        /* Every row chains, but the recorded head says more entries existed. */
        rep->bad_id = rep->checked + 1;
        rep->expected_id = rep->checked + 1;
        rep->reason = "chain ends before the recorded head (entries removed from the end)";
    }
    rep->head_id = head_id;
    return rc;
}
