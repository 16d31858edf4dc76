/*
 * Runs one matched route: authenticates (session cookie or Bearer token), checks the
 * route's permission, the CSRF token and the body's type and size, runs the handler, and
 * renders any error as problem+json. A handler that fails leaves no open transaction.
 */
#ifndef BM_API_DISPATCH_H
#define BM_API_DISPATCH_H

#include "api/routes.h"

#define BM_SESSION_COOKIE "bm_session"

void bm_api_dispatch(const struct bm_route *r, struct bm_req *rq, struct bm_resp *rs);

/* Renders `rc` with `message` for requests that never reach a route (404, 405, 413). */
void bm_api_fail(struct bm_req *rq, struct bm_resp *rs, enum bm_rc rc, const char *message);

#endif
