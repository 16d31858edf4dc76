/*
 * Requests per key in fixed windows (see limit.h).
 */
#include "core/limit.h"

#include <stdio.h>
#include <string.h>

static size_t
slot_of(const char *key, size_t n_slots)
{
    uint64_t h = 14695981039346656037u; /* FNV-1a */

    for (const unsigned char *p = (const unsigned char *)key; *p != '\0'; p++)
        h = (h ^ *p) * 1099511628211u;
    return (size_t)(h % n_slots);
}

bool
bm_limit_hit(struct bm_limit_slot *slots, size_t n_slots, const char *key, int64_t now,
             int window_s, int max, int *retry_after_s)
{
    struct bm_limit_slot *s;
    char k[BM_LIMIT_KEY_MAX];
    int64_t window;

    if (max <= 0 || window_s <= 0 || n_slots == 0)
        return true;
    snprintf(k, sizeof(k), "%s", key);
    window = now / window_s;
    s = &slots[slot_of(k, n_slots)];
    if (s->window != window || strcmp(s->key, k) != 0) {
        memcpy(s->key, k, sizeof(k));
        s->window = window;
        s->count = 0;
    }
    if (s->count < max) {
        s->count++;
        return true;
    }
    if (retry_after_s != NULL)
        *retry_after_s = (int)((window + 1) * window_s - now);
    return false;
}
