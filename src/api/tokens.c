/*
 * API tokens for other systems (the 12345 hotline, provincial platforms, window devices).
 * A token acts as the user it was issued for; it is shown once, and only its SHA-256
 * digest is stored.
 */
#include <inttypes.h>
#include <string.h>

#include "api/handlers.h"
#include "api/json.h"
#include "core/secret.h"

static json_t *
token_json(const struct bm_api_token *t)
{
    return json_pack("{s:I,s:I,s:s,s:s,s:s,s:o,s:o,s:o,s:o}", "id", (json_int_t)t->id, "user_id",
                     (json_int_t)t->user_id, "username", t->username, "name", t->name, "prefix",
                     t->prefix, "created_at", bm_json_time(t->created_at), "last_used_at",
                     bm_json_time(t->last_used_at), "expires_at", bm_json_time(t->expires_at),
                     "revoked_at", bm_json_time(t->revoked_at));
}

enum bm_rc
bm_api_tokens_list(struct bm_req *rq, struct bm_resp *rs)
{
    char scope[BM_ORG_PATH_MAX];
    struct bm_api_token *ts;
    size_t n = 0;
    json_t *items;
    enum bm_rc rc;

    if (!bm_access_scope(&rq->who, BM_PERM_TOKEN_ADMIN, scope, sizeof(scope)))
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "没有权限");
    rc = bm_store_tokens_list(rq->store, scope, rq->arena, &ts, &n, &rq->err);
    if (rc != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, token_json(&ts[i]));
    return bm_json_page(rq, rs, items, false, 0);
}

enum bm_rc
bm_api_tokens_create(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"name", "user_id", "expires_in_days", NULL};
    char token[BM_SECRET_TOKEN_LEN + 1];
    unsigned char digest[BM_SECRET_DIGEST_LEN];
    struct bm_api_token t;
    struct bm_user u;
    struct bm_err e;
    int64_t days = 0, id;
    json_t *body, *out;
    enum bm_rc rc;

    memset(&t, 0, sizeof(t));
    rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, fields);
    if (rc != BM_OK)
        return rc;
    if (bm_json_get_str(rq, body, "name", true, 100, &t.name, NULL) == BM_OK && t.name != NULL &&
        t.name[0] == '\0')
        (void)bm_err_field(&rq->err, "name", "请填写令牌用途");
    (void)bm_json_get_int(rq, body, "user_id", true, 1, INT64_MAX, &t.user_id, NULL);
    (void)bm_json_get_int(rq, body, "expires_in_days", false, 1, 3650, &days, NULL);
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    bm_err_clear(&e);
    if (bm_store_user_get(rq->store, t.user_id, rq->arena, &u, &e) != BM_OK ||
        !bm_access_in_scope(&rq->who, BM_PERM_TOKEN_ADMIN, u.org_path))
        return bm_err_field(&rq->err, "user_id", "用户不存在或不在您的管理范围内");
    if (!u.is_active)
        return bm_err_field(&rq->err, "user_id", "该用户已停用");

    bm_secret_token(token);
    bm_secret_digest(token, strlen(token), digest);
    t.prefix = bm_arena_strndup(rq->arena, token, 6);
    t.created_at = rq->now;
    t.expires_at = days > 0 ? rq->now + days * 86400 : 0;
    t.username = u.username;
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_token_insert(rq->store, &t, digest, &id, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "api_token.create", "api_token", id,
                          json_pack("{s:s,s:I,s:s}", "name", t.name, "user_id",
                                    (json_int_t)t.user_id, "prefix", t.prefix));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc != BM_OK) {
        bm_secret_wipe(token, sizeof(token));
        return rc;
    }
    t.id = id;
    out = token_json(&t);
    /* The only time the token itself is shown. */
    json_object_set_new(out, "token", json_string(token));
    bm_secret_wipe(token, sizeof(token));
    return bm_json_reply(rq, rs, 201, out);
}

enum bm_rc
bm_api_tokens_revoke(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_api_token t;
    const char *path = NULL;
    int64_t id;
    enum bm_rc rc;

    rc = bm_req_param_id(rq, 0, &id);
    if (rc == BM_OK)
        rc = bm_store_token_get(rq->store, id, rq->arena, &t, &path, &rq->err);
    if (rc == BM_OK && !bm_access_in_scope(&rq->who, BM_PERM_TOKEN_ADMIN, path))
        rc = bm_err_set(&rq->err, BM_ENOTFOUND, "令牌不存在");
    if (rc == BM_OK)
        rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_token_revoke(rq->store, id, rq->now, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "api_token.revoke", "api_token", id,
                          json_pack("{s:s}", "name", t.name));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc == BM_OK)
        rs->status = 204;
    return rc;
}
