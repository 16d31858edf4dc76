/*
 * Walks audit chains through the store interface, whatever the backend, and reports the
 * first entry that breaks one. A chain's recorded head is read before and after its walk,
 * so entries appended while a live store is checked cause no false alarm, while a removed
 * tail or a removed head record is still noticed.
 */
#include "store/audit_verify.h"

#include <stdio.h>
#include <string.h>

#define PAGE 500

/* One chain; adds its verified entries to rep->checked. */
static enum bm_rc
verify_chain(struct bm_store *st, const char *county, struct bm_audit_report *rep,
             struct bm_err *err)
{
    unsigned char prev[BM_AUDIT_HASH_LEN], head_hash[BM_AUDIT_HASH_LEN];
    int64_t head_before = 0, head_after = 0, cursor = 0, checked = 0;
    enum bm_rc rc;

    memcpy(prev, bm_audit_genesis, BM_AUDIT_HASH_LEN);
    rc = bm_store_audit_head(st, county, &head_before, head_hash, err);
    while (rc == BM_OK) {
        struct bm_arena *a = bm_arena_new((size_t)64 << 20);
        struct bm_audit_entry *es;
        size_t n = 0;

        rc = bm_store_audit_list(st, county, cursor, false, PAGE, a, &es, &n, err);
        for (size_t i = 0; rc == BM_OK && i < n && rep->bad_id == 0; i++) {
            const char *why = bm_audit_check(&es[i], checked + 1, prev);
            if (why != NULL) {
                /* A gap is reported at the missing id, anything else at the bad row. */
                rep->bad_id = es[i].id != checked + 1 ? checked + 1 : es[i].id;
                rep->expected_id = checked + 1;
                rep->reason = why;
                break;
            }
            memcpy(prev, es[i].hash, BM_AUDIT_HASH_LEN);
            checked++;
            cursor = es[i].id;
        }
        bm_arena_free(a);
        if (rc != BM_OK || rep->bad_id != 0 || n < PAGE)
            break;
    }
    if (rc == BM_OK)
        rc = bm_store_audit_head(st, county, &head_after, head_hash, err);
    rep->checked += checked;
    rep->chains++;
    rep->head_id = head_after ? head_after : head_before;
    if (rc != BM_OK || rep->bad_id != 0)
        goto out;
    if (checked < head_before) {
        /* Every row chains, but the head said more entries existed before the walk began. */
        rep->bad_id = checked + 1;
        rep->reason = "chain ends before the recorded head (entries removed from the end)";
    } else if (checked > head_after) {
        rep->bad_id = head_after + 1;
        rep->reason = "entries beyond the recorded head (head record removed or rewound)";
    } else if (checked == head_after && memcmp(head_hash, prev, BM_AUDIT_HASH_LEN) != 0) {
        rep->bad_id = head_after;
        rep->reason = "recorded head hash does not match the last entry";
    }
    rep->expected_id = rep->bad_id;
out:
    if (rep->bad_id != 0)
        snprintf(rep->county_code, sizeof(rep->county_code), "%s", county);
    return rc;
}

enum bm_rc
bm_store_audit_verify(struct bm_store *st, const char *county, struct bm_audit_report *rep,
                      struct bm_err *err)
{
    struct bm_arena *a;
    const char **chains;
    size_t n = 0;
    enum bm_rc rc;

    memset(rep, 0, sizeof(*rep));
    if (county != NULL)
        return verify_chain(st, county, rep, err);
    a = bm_arena_new((size_t)1 << 20);
    rc = bm_store_audit_chains(st, a, &chains, &n, err);
    for (size_t i = 0; rc == BM_OK && i < n && rep->bad_id == 0; i++)
        rc = verify_chain(st, chains[i], rep, err);
    bm_arena_free(a);
    return rc;
}
