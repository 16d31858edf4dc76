/*
 * The route table: every endpoint as data (method, pattern, handler, permission, flags),
 * checked before any handler runs. Patterns use {name} for one path segment.
 */
#ifndef BM_API_ROUTES_H
#define BM_API_ROUTES_H

#include "api/req.h"

enum bm_route_flag {
    BM_ROUTE_SLOW = 1u << 0,    /* runs on the worker pool (password hashing, exports) */
    BM_ROUTE_NO_CSRF = 1u << 1, /* log-in itself: there is no session yet */
    BM_ROUTE_UPLOAD = 1u << 2,  /* the body is a file of any type, up to upload_max_bytes */
    /* Not counted against public_posts_per_minute: log-in, limited by its failures instead. */
    BM_ROUTE_OWN_LIMIT = 1u << 3,
};

struct bm_route {
    enum bm_method method;
    const char *pattern;
    bm_handler_fn fn;
    enum bm_perm perm;
    unsigned flags;
    const char *label; /* "GET /api/v1/users/{id}" for metrics and logs */
};

extern const struct bm_route bm_routes[];
extern const size_t bm_n_routes;

/* Route labels in table order, for bm_metrics_init. */
const char *const *bm_route_labels(void);

#endif
