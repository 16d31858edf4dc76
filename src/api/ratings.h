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

#endif
