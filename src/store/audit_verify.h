/*
 * Verification of the audit chain (docs/operations.md, "Audit trail").
 */
#ifndef BM_STORE_AUDIT_VERIFY_H
#define BM_STORE_AUDIT_VERIFY_H

#include "store/store.h"

struct bm_audit_report {
    int64_t checked;     /* entries that verified, from id 1 on */
    int64_t head_id;     /* the recorded head */
    int64_t bad_id;      /* first bad entry's id, 0 if the chain holds */
    int64_t expected_id; /* the id that was expected there */
    const char *reason;  /* static English text, NULL if the chain holds */
};

/* Reads the whole chain; BM_OK with rep->bad_id == 0 means it is intact. */
BM_MUST_CHECK enum bm_rc bm_store_audit_verify(struct bm_store *st, struct bm_audit_report *rep,
                                               struct bm_err *err);

#endif
