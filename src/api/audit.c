/*
 * Reading and verifying the audit trail (auditors and county administrators): the chain of
 * the viewer's own county.
 */
#include <inttypes.h>
#include <string.h>

#include "api/handlers.h"
#include "api/json.h"
#include "store/audit_verify.h"

enum bm_rc
bm_api_audit_list(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_audit_entry *es;
    size_t n = 0;
    int limit;
    int64_t cursor;
    json_t *items;
    enum bm_rc rc;

    rc = bm_req_page(rq, 50, 500, &limit, &cursor);
    if (rc == BM_OK)
        rc = bm_store_audit_list(rq->store, rq->auth.user.county_code, cursor, true, limit, rq->arena,
                                 &es, &n, &rq->err);
    if (rc != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++) {
        char hex[65];
        json_t *detail = json_loads(es[i].detail, 0, NULL);
        bm_audit_hex(es[i].hash, hex);
        json_array_append_new(
            items, json_pack("{s:I,s:o,s:I,s:s,s:s,s:s,s:s,s:o,s:s}", "id", (json_int_t)es[i].id,
                             "at", bm_json_time(es[i].at), "actor_id", (json_int_t)es[i].actor_id,
                             "actor", es[i].actor, "action", es[i].action, "object_type",
                             es[i].object_type, "object_id", es[i].object_id, "detail",
                             detail ? detail : json_string(es[i].detail), "hash", hex));
    }
    return bm_json_page(rq, rs, items, (int)n == limit, n ? es[n - 1].id : 0);
}

enum bm_rc
bm_api_audit_verify(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_audit_report rep;
    json_t *root;
    enum bm_rc rc = bm_store_audit_verify(rq->store, rq->auth.user.county_code, &rep, &rq->err);

    if (rc != BM_OK)
        return rc;
    root = json_pack("{s:b,s:s,s:I,s:I}", "ok", rep.bad_id == 0, "county_code",
                     rq->auth.user.county_code, "checked", (json_int_t)rep.checked, "head_id",
                     (json_int_t)rep.head_id);
    if (rep.bad_id != 0) {
        json_object_set_new(root, "bad_id", json_integer(rep.bad_id));
        json_object_set_new(root, "reason", json_string(rep.reason));
    }
    return bm_json_reply(rq, rs, 200, root);
}
