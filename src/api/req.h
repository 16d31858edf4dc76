/*
 * The request and response as handlers see them: plain structs with no trace of libevent.
 * http/ fills struct bm_req from the wire (everything copied into the request arena, so a
 * worker thread may run the handler), calls bm_api_dispatch, and writes struct bm_resp back.
 */
#ifndef BM_API_REQ_H
#define BM_API_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/access.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/config.h"
#include "util/err.h"

enum bm_method {
    BM_GET,
    BM_HEAD,
    BM_POST,
    BM_PUT,
    BM_PATCH,
    BM_DELETE,
    BM_OPTIONS,
    BM_METHOD_OTHER
};

#define BM_MAX_PARAMS 4
#define BM_MAX_RESP_HEADERS 8

struct bm_req {
    enum bm_method method;
    const char *path;  /* percent-decoded path, no query */
    const char *query; /* raw query string, "" if none */
    const char *params[BM_MAX_PARAMS]; /* path parameters, in pattern order */
    int n_params;
    const char *body; /* NUL-terminated copy; body_len bytes */
    size_t body_len;

    /* Request headers the API uses; "" when absent. */
    const char *content_type;
    const char *cookie;
    const char *authorization;
    const char *csrf_token;
    const char *if_match;
    const char *idempotency_key;
    const char *user_agent;
    const char *client_ip;

    char request_id[24];
    int64_t now;                 /* system clock, read once for this request */
    struct bm_arena *arena;
    struct bm_store *store;      /* this thread's connection */
    const struct bm_config *cfg;

    /* Filled by bm_api_dispatch before the handler runs. */
    bool is_authenticated;
    struct bm_auth auth;
    struct bm_principal who;

    struct bm_err err;
};

struct bm_resp {
    int status;
    char *body; /* malloc'ed; http/ hands it to the socket and frees it */
    size_t body_len;
    const char *content_type; /* static or arena */
    struct {
        const char *name, *value; /* static or arena */
    } headers[BM_MAX_RESP_HEADERS];
    int n_headers;
};

typedef enum bm_rc (*bm_handler_fn)(struct bm_req *rq, struct bm_resp *rs);

/* Adds a response header (name and value must outlive the request: static or arena). */
void bm_resp_header(struct bm_resp *rs, const char *name, const char *value);

#endif
