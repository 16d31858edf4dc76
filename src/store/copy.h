/*
 * Moving a whole store from one backend to another (`bianmin migrate-store`): every table
 * copied row for row with its ids, inside one transaction on the destination and one
 * consistent snapshot of the source, then checked by row counts and the audit chain.
 */
#ifndef BM_STORE_COPY_H
#define BM_STORE_COPY_H

#include "store/store.h"

#define BM_COPY_MAX_COLS 48
#define BM_COPY_MAX_TABLES 64

/* Column kinds: 'i' integer, 'n' integer or NULL, 't' text, 'b' bytes (hex in transit). */
struct bm_copy_table {
    const char *name;
    const char *order_by;   /* parents before children, so foreign keys hold row by row */
    const char *columns[BM_COPY_MAX_COLS];
    const char *kinds;      /* one letter per column */
    bool has_identity;      /* an `id` column whose sequence must move past the copied ids */
};

/* Every table of the current schema, in an order that satisfies the foreign keys. */
extern const struct bm_copy_table bm_copy_tables[];
extern const size_t bm_n_copy_tables;

/* Row callback of copy_out: values[i] is text (NULL for SQL NULL), hex for bytes. */
typedef enum bm_rc (*bm_copy_row_fn)(void *ctx, const char *const *values, struct bm_err *err);

struct bm_copy_report {
    struct {
        const char *table;
        int64_t rows;
    } tables[BM_COPY_MAX_TABLES];
    size_t n_tables;
    int64_t audit_checked;
};

/*
 * Copies everything from `from` into `to`. `to` must be migrated to the same schema version
 * and hold no organisation units, users or audit entries (BM_ECONFLICT otherwise). Nothing
 * is written to `to` unless the whole copy, the counts and the audit chain check out.
 */
BM_MUST_CHECK enum bm_rc bm_store_copy_all(struct bm_store *from, struct bm_store *to,
                                           struct bm_copy_report *rep, struct bm_err *err);

#endif
