/*
 * Counting requests per key (a client address) in fixed windows of time, in a table of a
 * fixed size: memory stays bounded whatever the number of addresses. A key whose slot another
 * key takes over starts counting again; that only lets through more, never refuses wrongly.
 * Pure: the caller owns the table, the clock and any lock.
 */
#ifndef BM_CORE_LIMIT_H
#define BM_CORE_LIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BM_LIMIT_KEY_MAX 48 /* an IPv6 address in text, with room to spare */

struct bm_limit_slot {
    char key[BM_LIMIT_KEY_MAX];
    int64_t window; /* now / window_s when counting began */
    int count;
};

/*
 * One request of `key` at `now` (seconds): true while it is at most the max-th in its window
 * of window_s seconds (max 0: no limit). When refused, *retry_after_s (if not NULL) is the
 * number of seconds until the next window. Keys longer than the slot are cut.
 */
bool bm_limit_hit(struct bm_limit_slot *slots, size_t n_slots, const char *key, int64_t now,
                  int window_s, int max, int *retry_after_s);

#endif
