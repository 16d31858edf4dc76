/*
 * JSON in and out for handlers (jansson). Decoding rejects duplicate keys and anything
 * but an object; field getters check type and length and report per-field errors in
 * Chinese; unknown fields are refused so a misspelt name is reported, not ignored.
 * Every json_t returned is owned by the request arena (released when it is freed).
 */
#ifndef BM_API_JSON_H
#define BM_API_JSON_H

#include <jansson.h>

#include "api/json_out.h"
#include "api/req.h"

/* Parses the request body as a JSON object. BM_EINVAL with line and column on bad JSON. */
BM_MUST_CHECK enum bm_rc bm_json_body(struct bm_req *rq, json_t **out);

/* Refuses fields not in the NULL-terminated `allowed` list (one error per unknown field). */
BM_MUST_CHECK enum bm_rc bm_json_only(struct bm_req *rq, json_t *obj, const char *const *allowed);

/*
 * Typed getters. `*present` (may be NULL) tells whether the key was there; a missing
 * required field, a wrong type or a string longer than max_chars adds a field error and
 * returns BM_EINVAL. Strings are borrowed from the JSON tree (request lifetime).
 * A JSON null counts as absent. Errors accumulate in rq->err, so a handler may read
 * every field and then check rq->err.n_fields once.
 */
enum bm_rc bm_json_get_str(struct bm_req *rq, json_t *obj, const char *key,
                                         bool required, size_t max_chars, const char **out,
                                         bool *present);
enum bm_rc bm_json_get_int(struct bm_req *rq, json_t *obj, const char *key,
                                         bool required, int64_t min, int64_t max, int64_t *out,
                                         bool *present);
enum bm_rc bm_json_get_bool(struct bm_req *rq, json_t *obj, const char *key,
                                          bool required, bool *out, bool *present);
/* An array of role codes; BM_EINVAL naming the first unknown one. */
enum bm_rc bm_json_get_roles(struct bm_req *rq, json_t *obj, const char *key,
                                           bool required, unsigned *out, bool *present);

/* Encodes `root` (stolen) as the response body with `status`. */
BM_MUST_CHECK enum bm_rc bm_json_reply(struct bm_req *rq, struct bm_resp *rs, int status,
                                       json_t *root);

/* The text of `w` (finished here) as the response body with `status`. */
BM_MUST_CHECK enum bm_rc bm_json_reply_jw(struct bm_req *rq, struct bm_resp *rs, int status,
                                          struct bm_jw *w);

/*
 * Replies 200 with the list wrapper {"items": items, "next_cursor": ...}: the cursor is
 * `last_id` as text when the page was full (`full`), else null. Steals `items`.
 */
BM_MUST_CHECK enum bm_rc bm_json_page(struct bm_req *rq, struct bm_resp *rs, json_t *items,
                                      bool full, int64_t last_id);

/* Helpers for building responses. */
json_t *bm_json_time(int64_t t); /* RFC 3339 string in +08:00, or null for 0 */
void bm_jw_time(struct bm_jw *w, int64_t t); /* the same, written */
void bm_jw_ktime(struct bm_jw *w, const char *k, int64_t t);
json_t *bm_json_roles(unsigned roles);

/* Sets d[field] = [old, new] when the two strings differ (for audit details). */
void bm_json_diff_str(json_t *d, const char *field, const char *old, const char *new_value);

/* Parses the `If-Match` header ("\"3\"" or "3"); BM_EINVAL if missing or malformed. */
BM_MUST_CHECK enum bm_rc bm_req_if_match(struct bm_req *rq, int64_t *version);

/* A path parameter as a positive id; BM_ENOTFOUND if it is not one. */
BM_MUST_CHECK enum bm_rc bm_req_param_id(struct bm_req *rq, int i, int64_t *id);

/* Value of `name` in the query string (percent-decoded into the arena); NULL if absent. */
const char *bm_req_query(struct bm_req *rq, const char *name);

/* The `limit` and `cursor` query parameters of a keyset-paginated list. */
BM_MUST_CHECK enum bm_rc bm_req_page(struct bm_req *rq, int default_limit, int max_limit,
                                     int *limit, int64_t *cursor);

/*
 * Appends an audit entry for the change this request made (inside its transaction).
 * `detail` (stolen, may be NULL) says what changed; it is serialised with sorted keys.
 */
BM_MUST_CHECK enum bm_rc bm_api_audit(struct bm_req *rq, const char *action,
                                      const char *object_type, int64_t object_id, json_t *detail);

#endif
