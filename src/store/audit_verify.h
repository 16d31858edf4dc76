/*
 * Verification of the audit chains (docs/operations.md, "Audit trail").
 */
#ifndef BM_STORE_AUDIT_VERIFY_H
#define BM_STORE_AUDIT_VERIFY_H

#include "store/store.h"

struct bm_audit_report {
    int64_t checked;     /* entries that verified, in all chains checked */
    int chains;          /* chains checked */
    char county_code[BM_AUDIT_COUNTY_MAX + 1]; /* the broken chain, "" if all hold */
    int64_t head_id;     /* the recorded head of the broken chain (or of the last one) */
    int64_t bad_id;      /* first bad entry's id in the broken chain, 0 if all hold */
    int64_t expected_id; /* the id that was expected there */
    const char *reason;  /* static English text, NULL if the chains hold */
};

/*
 * Reads one county's chain (`county`), or every chain of the store (`county` NULL), and
 * stops at the first break; BM_OK with rep->bad_id == 0 means every chain read is intact.
 */
BM_MUST_CHECK enum bm_rc bm_store_audit_verify(struct bm_store *st, const char *county,
                                               struct bm_audit_report *rep, struct bm_err *err);

#endif
