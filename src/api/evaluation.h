/*
 * Helpers shared by the evaluation handlers (evaluation.c, evaluation_run.c); private to
 * src/api.
 */
#ifndef BM_API_EVALUATION_H
#define BM_API_EVALUATION_H

#include <jansson.h>

#include "api/req.h"

/* Like bm_json_reply, with reals written to twelve significant digits (14.3, not 14.3000…1). */
BM_MUST_CHECK enum bm_rc bm_api_eval_reply(struct bm_req *rq, struct bm_resp *rs, int status,
                                           json_t *root);
/* A fixed-point number as a JSON real. */
json_t *bm_api_eval_num(int64_t e4);
bm_day bm_api_eval_today(const struct bm_req *rq);
/* The period named by path parameter `param`; BM_ENOTFOUND if none. */
BM_MUST_CHECK enum bm_rc bm_api_eval_load_period(struct bm_req *rq, int param,
                                                 struct bm_eval_period *p);
/* The member of the period for a township, or NULL. */
const struct bm_eval_member *bm_api_eval_member(const struct bm_eval_period *p,
                                                int64_t township_id);
json_t *bm_api_eval_period_json(const struct bm_eval_period *p, bool with_members);
/* A JSON number as fixed point in [min_e4, max_e4]; field error `name` otherwise. */
enum bm_rc bm_api_eval_get_num(struct bm_req *rq, json_t *obj, const char *key, const char *name,
                               bool required, int64_t min_e4, int64_t max_e4, int64_t *out,
                               bool *present);

#endif
