/*
 * What the ratings handlers (ratings.c) give the public case view (cases.c): whether a case
 * was rated and whether it may be rated now. Private to src/api.
 */
#ifndef BM_API_RATINGS_H
#define BM_API_RATINGS_H

#include <jansson.h>

#include "api/req.h"

/*
 * Sets "rated" (bool) and "rating_open" (bool: a rating would be taken now) on the public
 * view `o` of case `c`. Never publishes the rating itself. On a store error the fields say
 * false and the error is cleared (the view stays useful).
 */
void bm_api_rating_public_fields(struct bm_req *rq, const struct bm_case *c, json_t *o);

/*
 * Rates delivered case `c` with `level` by the default rule (domain.md 4.3: nobody rated it
 * within 7 days of delivery), flagged is_default, with its audit entry; inside the caller's
 * transaction. BM_ECONFLICT if it was rated meanwhile.
 */
BM_MUST_CHECK enum bm_rc bm_api_rating_default(struct bm_req *rq, const struct bm_case *c,
                                               int level);

#endif
