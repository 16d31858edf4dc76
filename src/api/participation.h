/*
 * Pieces the participation handlers share (participation.c, hearings.c, households.c): the
 * caller's scope, the unit a campaign or hearing belongs to, and sealing a citizen's contact.
 * Private to src/api.
 */
#ifndef BM_API_PARTICIPATION_H
#define BM_API_PARTICIPATION_H

#include <jansson.h>

#include "api/req.h"
#include "core/calendar.h"
#include "core/pii.h"

/* The path prefix the caller reaches under `perm` (in the arena); NULL if none. */
const char *bm_api_part_scope(struct bm_req *rq, enum bm_perm perm);

/*
 * The unit a new campaign or hearing belongs to: body field "unit_id" if given, else the
 * caller's own unit. It must be the county or a township inside the caller's write scope;
 * a field error on unit_id otherwise.
 */
enum bm_rc bm_api_part_unit(struct bm_req *rq, json_t *body, int64_t *unit_id);

/* A citizen's contact, checked, masked and sealed ("name\nphone") with the data key. */
struct bm_part_contact {
    char name_masked[64], phone_masked[24];
    unsigned char *sealed; /* arena */
    size_t sealed_len;
    unsigned char phone_hash[BM_PII_HASH_LEN];
};

/*
 * Reads "name" and "phone" of `obj` (field errors prefixed with `prefix`, e.g. "contact.")
 * and seals them. Field errors accumulate in rq->err; BM_EINVAL if any.
 */
enum bm_rc bm_api_part_contact(struct bm_req *rq, json_t *obj, const char *prefix,
                                             struct bm_part_contact *out);

/* "YYYY-MM-DD" as a JSON string; null for BM_DAY_NONE. */
json_t *bm_api_part_day(bm_day d);

/* Errors of these three accumulate in rq->err (like bm_json_get_*), so a handler may read
 * every field and check rq->err.n_fields once. */

/* A required date field; a field error if missing or not a real "YYYY-MM-DD" date. */
enum bm_rc bm_api_part_get_day(struct bm_req *rq, json_t *body, const char *key,
                                             bm_day *out);

#endif
