/*
 * Arena allocator: bump allocation in blocks, a total cap, deferred cleanups.
 */
#include "util/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define BLOCK_MIN 8192
#define ALIGN 16

struct block {
    struct block *next;
    size_t size, used;
    _Alignas(ALIGN) unsigned char data[];
};

struct defer {
    struct defer *next;
    bm_defer_fn fn;
    void *ptr;
};

struct bm_arena {
    struct block *head;
    struct defer *defers;
    size_t cap, used;
};

struct bm_arena *
bm_arena_new(size_t cap_bytes)
{
    struct bm_arena *a = bm_xcalloc(1, sizeof(*a));
    a->cap = cap_bytes;
    return a;
}

void
bm_arena_free(struct bm_arena *a)
{
    struct block *b, *nb;
    struct defer *d;

    if (a == NULL)
        return;
    /* Defers live in blocks, so run them all before freeing any block. */
    for (d = a->defers; d != NULL; d = d->next)
        d->fn(d->ptr);
    for (b = a->head; b != NULL; b = nb) {
        nb = b->next;
        free(b);
    }
    free(a);
}

/* n bytes, not cleared: for callers that write every byte at once. */
static void *
take(struct bm_arena *a, size_t n)
{
    struct block *b = a->head;
    size_t need = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    void *p;

    if (need < n || a->used + need > a->cap || a->used + need < a->used)
        return NULL;
    if (b == NULL || b->size - b->used < need) {
        size_t size = need > BLOCK_MIN ? need : BLOCK_MIN;
        b = bm_xmalloc(sizeof(*b) + size);
        b->size = size;
        b->used = 0;
        b->next = a->head;
        a->head = b;
    }
    p = b->data + b->used;
    b->used += need;
    a->used += need;
    return p;
}

void *
bm_arena_alloc(struct bm_arena *a, size_t n)
{
    void *p = take(a, n);

    if (p != NULL)
        memset(p, 0, n);
    return p;
}

bool
bm_arena_grow(struct bm_arena *a, void **arr, size_t *cap, size_t n, size_t size)
{
    size_t more;
    void *bigger;

    if (n < *cap)
        return true;
    if (*cap > SIZE_MAX / 2 / size)
        return false;
    more = *cap ? *cap * 2 : 16;
    if ((bigger = bm_arena_alloc(a, more * size)) == NULL)
        return false;
    if (n > 0)
        memcpy(bigger, *arr, n * size);
    *arr = bigger;
    *cap = more;
    return true;
}

char *
bm_arena_strndup(struct bm_arena *a, const char *s, size_t n)
{
    char *p = take(a, n + 1); /* a case read copies hundreds of strings: no clearing first */
    if (p == NULL)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
bm_arena_strdup(struct bm_arena *a, const char *s)
{
    return bm_arena_strndup(a, s, strlen(s));
}

char *
bm_arena_printf(struct bm_arena *a, const char *fmt, ...)
{
    va_list ap;
    int n;
    char *p;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    p = take(a, (size_t)n + 1);
    if (p == NULL)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

enum bm_rc
bm_arena_defer(struct bm_arena *a, bm_defer_fn fn, void *ptr)
{
    struct defer *d = bm_arena_alloc(a, sizeof(*d));
    if (d == NULL)
        return BM_ETOOBIG;
    d->fn = fn;
    d->ptr = ptr;
    d->next = a->defers;
    a->defers = d;
    return BM_OK;
}

size_t
bm_arena_used(const struct bm_arena *a)
{
    return a->used;
}
