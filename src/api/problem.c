/*
 * application/problem+json rendering.
 */
#include "api/problem.h"

#include <jansson.h>
#include <string.h>

#include "api/json_out.h"

void
bm_resp_header(struct bm_resp *rs, const char *name, const char *value)
{
    if (rs->n_headers < BM_MAX_RESP_HEADERS) {
        rs->headers[rs->n_headers].name = name;
        rs->headers[rs->n_headers].value = value;
        rs->n_headers++;
    }
}

void
bm_api_problem(struct bm_resp *rs, const struct bm_err *err, const char *request_id,
               struct bm_arena *a)
{
    enum bm_rc rc = err->rc == BM_OK ? BM_EINTERNAL : err->rc;
    json_t *root = json_object(), *errors;

    json_object_set_new(root, "type", json_string("about:blank"));
    json_object_set_new(root, "status", json_integer(bm_rc_status(rc)));
    json_object_set_new(root, "title", json_string(bm_rc_title(rc)));
    json_object_set_new(root, "code", json_string(bm_rc_code(rc)));
    json_object_set_new(root, "detail",
                        json_string(err->message[0] ? err->message : bm_rc_title(rc)));
    if (request_id != NULL && request_id[0] != '\0')
        json_object_set_new(root, "request_id", json_string(request_id));
    if (err->n_fields > 0) {
        errors = json_array();
        for (int i = 0; i < err->n_fields && i < BM_ERR_FIELDS; i++) {
            json_t *e = json_object();
            json_object_set_new(e, "field", json_string(err->fields[i].field));
            json_object_set_new(e, "message", json_string(err->fields[i].message));
            json_array_append_new(errors, e);
        }
        json_object_set_new(root, "errors", errors);
    }
    free(rs->body);
    rs->status = bm_rc_status(rc);
    rs->content_type = "application/problem+json";
    rs->body = bm_json_compact(root, &rs->body_len);
    if (rs->body == NULL)
        rs->body_len = 0;
    json_decref(root);
    if ((rc == BM_ETHROTTLED || rc == BM_EBUSY) && err->retry_after_s > 0) {
        const char *retry = bm_arena_printf(a, "%d", err->retry_after_s);
        if (retry != NULL)
            bm_resp_header(rs, "Retry-After", retry);
    }
}
