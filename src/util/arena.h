/*
 * Request-lifetime memory: a chain of blocks with a byte cap, plus deferred cleanups
 * (statement resets, json_decref, connection release) that run when the arena is freed.
 * See docs/c-style.md section 5.
 */
#ifndef BM_UTIL_ARENA_H
#define BM_UTIL_ARENA_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

struct bm_arena;

typedef void (*bm_defer_fn)(void *ptr);

/* New arena that refuses to hand out more than `cap_bytes` in total. Caller frees. */
struct bm_arena *bm_arena_new(size_t cap_bytes);

/* Runs deferred cleanups (last registered first), then frees all memory. NULL is a no-op. */
void bm_arena_free(struct bm_arena *a);

/* Zeroed memory aligned for any type; NULL past the cap (the caller returns BM_ETOOBIG). */
void *bm_arena_alloc(struct bm_arena *a, size_t n);

/*
 * Makes room for one more element in an arena array of `size`-byte elements holding `n`:
 * when it is full (n == *cap) it moves to one twice as large (16 at first), the old one
 * left to the arena. False past the cap. Lists whose length is unknown grow with this
 * instead of a zeroed worst-case array.
 */
BM_MUST_CHECK bool bm_arena_grow(struct bm_arena *a, void **arr, size_t *cap, size_t n,
                                 size_t size);

/* Copies of strings; NULL past the cap. bm_arena_strndup always NUL-terminates. */
char *bm_arena_strdup(struct bm_arena *a, const char *s);
char *bm_arena_strndup(struct bm_arena *a, const char *s, size_t n);
char *bm_arena_printf(struct bm_arena *a, const char *fmt, ...) BM_PRINTF(2, 3);

/* Registers fn(ptr) to run when the arena is freed. BM_ETOOBIG past the cap. */
BM_MUST_CHECK enum bm_rc bm_arena_defer(struct bm_arena *a, bm_defer_fn fn, void *ptr);

/* Bytes handed out so far (for metrics and tests). */
size_t bm_arena_used(const struct bm_arena *a);

#endif
