/*
 * RFC 9457 problem details: the single place that turns a struct bm_err into a response.
 */
#ifndef BM_API_PROBLEM_H
#define BM_API_PROBLEM_H

#include "api/req.h"

/* Fills `rs` with application/problem+json for err->rc (status, code, title, detail, errors). */
void bm_api_problem(struct bm_resp *rs, const struct bm_err *err, const char *request_id,
                    struct bm_arena *a);

#endif
