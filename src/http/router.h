/*
 * Path matching against the route table: segment by segment, with {name} matching one
 * non-empty segment. Tells "no such path" (404) from "path exists for other methods" (405).
 */
#ifndef BM_HTTP_ROUTER_H
#define BM_HTTP_ROUTER_H

#include <stddef.h>

#include "api/routes.h"

enum bm_match { BM_MATCH_OK, BM_MATCH_NONE, BM_MATCH_METHOD };

struct bm_match_result {
    int route;                      /* index into the table when BM_MATCH_OK */
    const char *param[BM_MAX_PARAMS];
    size_t param_len[BM_MAX_PARAMS];
    int n_params;
    char allow[64];                 /* "GET, POST" when BM_MATCH_METHOD */
};

/* Matches `path` (decoded, starting with '/') for method `m`; HEAD matches GET routes. */
enum bm_match bm_router_match(const struct bm_route *routes, size_t n, enum bm_method m,
                              const char *path, struct bm_match_result *out);

#endif
