/*
 * User administration: county administrators manage every account of their county, township
 * administrators the front and back office staff of their own township. Accounts are never
 * deleted (their names stand in the audit trail); they are deactivated.
 */
#include <inttypes.h>
#include <string.h>

#include "api/handlers.h"
#include "api/json.h"
#include "core/secret.h"

json_t *
bm_api_user_json(const struct bm_user *u)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(u->id));
    json_object_set_new(j, "username", json_string(u->username));
    json_object_set_new(j, "display_name", json_string(u->display_name));
    json_object_set_new(j, "phone", json_string(u->phone ? u->phone : ""));
    json_object_set_new(j, "roles", bm_json_roles(u->roles));
    json_object_set_new(j, "org_unit_id", u->org_unit_id ? json_integer(u->org_unit_id) : json_null());
    json_object_set_new(j, "org_unit_name", json_string(u->org_name ? u->org_name : ""));
    json_object_set_new(j, "is_active", json_boolean(u->is_active));
    json_object_set_new(j, "version", json_integer(u->version));
    json_object_set_new(j, "created_at", bm_json_time(u->created_at));
    json_object_set_new(j, "updated_at", bm_json_time(u->updated_at));
    json_object_set_new(j, "last_login_at", bm_json_time(u->last_login_at));
    return j;
}

/* Citizens belong to no unit: only county administrators manage their accounts. */
static bool
user_in_scope(struct bm_req *rq, const struct bm_user *u)
{
    if (u->org_path == NULL || u->org_path[0] == '\0')
        return (rq->who.roles & BM_ROLE_COUNTY_ADMIN) != 0;
    return bm_access_in_scope(&rq->who, BM_PERM_USER_ADMIN, u->org_path);
}

/* The unit a user is placed in must exist and lie in the caller's scope. */
static enum bm_rc
check_unit(struct bm_req *rq, int64_t unit_id)
{
    struct bm_org_unit o;
    struct bm_err e;

    if (unit_id == 0)
        return BM_OK;
    bm_err_clear(&e);
    if (bm_store_org_get(rq->store, unit_id, rq->arena, &o, &e) != BM_OK ||
        !bm_access_in_scope(&rq->who, BM_PERM_USER_ADMIN, o.path))
        return bm_err_field(&rq->err, "org_unit_id", "单位不存在或不在您的管理范围内");
    if (!o.is_active)
        return bm_err_field(&rq->err, "org_unit_id", "该单位已停用");
    return BM_OK;
}

static enum bm_rc
check_grant(struct bm_req *rq, unsigned roles)
{
    unsigned extra = roles & ~bm_access_grantable_roles(&rq->who);
    if (extra != 0)
        return bm_err_field(&rq->err, "roles", "您不能授予%s角色",
                            bm_role_name_zh((enum bm_role)(extra & -extra)));
    return BM_OK;
}

enum bm_rc
bm_api_users_list(struct bm_req *rq, struct bm_resp *rs)
{
    char scope[BM_ORG_PATH_MAX];
    struct bm_user *us;
    size_t n = 0;
    int limit;
    int64_t cursor;
    json_t *items;
    enum bm_rc rc;

    rc = bm_req_page(rq, 50, 500, &limit, &cursor);
    if (rc != BM_OK)
        return rc;
    if (!bm_access_scope(&rq->who, BM_PERM_USER_ADMIN, scope, sizeof(scope)))
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "没有权限");
    rc = bm_store_users_list(rq->store, scope, cursor, limit, rq->arena, &us, &n, &rq->err);
    if (rc != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, bm_api_user_json(&us[i]));
    return bm_json_page(rq, rs, items, (int)n == limit, n ? us[n - 1].id : 0);
}

static enum bm_rc
load_in_scope(struct bm_req *rq, struct bm_user *u)
{
    int64_t id;
    enum bm_rc rc = bm_req_param_id(rq, 0, &id);
    if (rc == BM_OK)
        rc = bm_store_user_get(rq->store, id, rq->arena, u, &rq->err);
    if (rc == BM_OK && !user_in_scope(rq, u))
        rc = bm_err_set(&rq->err, BM_ENOTFOUND, "用户不存在");
    return rc;
}

enum bm_rc
bm_api_users_get(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_user u;
    enum bm_rc rc = load_in_scope(rq, &u);
    return rc == BM_OK ? bm_json_reply(rq, rs, 200, bm_api_user_json(&u)) : rc;
}

enum bm_rc
bm_api_users_create(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"username", "password", "display_name", "roles",
                                         "org_unit_id", "phone", NULL};
    const char *password = NULL;
    char hash[BM_SECRET_HASH_STR];
    struct bm_user u;
    int64_t id;
    json_t *body;
    enum bm_rc rc;

    memset(&u, 0, sizeof(u));
    u.phone = "";
    u.is_active = true;
    rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, fields);
    if (rc != BM_OK)
        return rc;
    if (bm_json_get_str(rq, body, "username", true, 32, &u.username, NULL) == BM_OK)
        (void)bm_user_check_username(u.username, &rq->err);
    if (bm_json_get_str(rq, body, "display_name", true, 50, &u.display_name, NULL) == BM_OK)
        (void)bm_user_check_display_name(u.display_name, &rq->err);
    if (bm_json_get_str(rq, body, "phone", false, 20, &u.phone, NULL) == BM_OK)
        (void)bm_user_check_phone(u.phone, &rq->err);
    if (bm_json_get_str(rq, body, "password", true, BM_PASSWORD_MAX_BYTES, &password, NULL) ==
            BM_OK &&
        password != NULL)
        (void)bm_user_check_password(password, u.username, "password", &rq->err);
    (void)bm_json_get_int(rq, body, "org_unit_id", false, 1, INT64_MAX, &u.org_unit_id, NULL);
    if (bm_json_get_roles(rq, body, "roles", true, &u.roles, NULL) == BM_OK &&
        bm_user_check_roles(u.roles, u.org_unit_id, &rq->err) == BM_OK)
        (void)check_grant(rq, u.roles);
    if (rq->err.n_fields == 0)
        (void)check_unit(rq, u.org_unit_id);
    if (rq->err.n_fields > 0)
        return BM_EINVAL;

    rc = bm_secret_hash_password(password, hash, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_user_insert(rq->store, &u, hash, rq->now, &id, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "user.create", "user", id,
                          json_pack("{s:s,s:s,s:o,s:I}", "username", u.username, "display_name",
                                    u.display_name, "roles", bm_json_roles(u.roles),
                                    "org_unit_id", (json_int_t)u.org_unit_id));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    bm_secret_wipe(hash, sizeof(hash));
    if (rc == BM_OK)
        rc = bm_store_user_get(rq->store, id, rq->arena, &u, &rq->err);
    if (rc != BM_OK)
        return rc;
    bm_resp_header(rs, "Location", bm_arena_printf(rq->arena, "/api/v1/users/%" PRId64, id));
    return bm_json_reply(rq, rs, 201, bm_api_user_json(&u));
}

enum bm_rc
bm_api_users_update(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"display_name", "phone", "roles", "org_unit_id",
                                         "is_active", "password", NULL};
    const char *password = NULL;
    char hash[BM_SECRET_HASH_STR];
    struct bm_user old, u;
    bool has_roles = false, has_active = false, has_unit = false, end_sessions;
    int64_t version;
    json_t *body, *diff;
    enum bm_rc rc;

    rc = load_in_scope(rq, &old);
    if (rc == BM_OK)
        rc = bm_req_if_match(rq, &version);
    if (rc == BM_OK)
        rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, fields);
    if (rc != BM_OK)
        return rc;
    /* A township administrator may not touch an account that holds roles beyond theirs. */
    if ((old.roles & ~bm_access_grantable_roles(&rq->who)) != 0)
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "您无权修改该账号");
    u = old;
    u.version = version;
    if (bm_json_get_str(rq, body, "display_name", false, 50, &u.display_name, NULL) == BM_OK)
        (void)bm_user_check_display_name(u.display_name, &rq->err);
    if (bm_json_get_str(rq, body, "phone", false, 20, &u.phone, NULL) == BM_OK)
        (void)bm_user_check_phone(u.phone, &rq->err);
    (void)bm_json_get_int(rq, body, "org_unit_id", false, 1, INT64_MAX, &u.org_unit_id, &has_unit);
    (void)bm_json_get_roles(rq, body, "roles", false, &u.roles, &has_roles);
    (void)bm_json_get_bool(rq, body, "is_active", false, &u.is_active, &has_active);
    if (bm_json_get_str(rq, body, "password", false, BM_PASSWORD_MAX_BYTES, &password, NULL) ==
            BM_OK &&
        password != NULL)
        (void)bm_user_check_password(password, u.username, "password", &rq->err);
    if (rq->err.n_fields == 0 && u.id == rq->who.user_id &&
        (u.roles != old.roles || !u.is_active || u.org_unit_id != old.org_unit_id))
        (void)bm_err_field(&rq->err, has_roles ? "roles" : has_active ? "is_active" : "org_unit_id",
                           "不能修改自己的角色、单位或停用自己的账号");
    if (rq->err.n_fields == 0 && bm_user_check_roles(u.roles, u.org_unit_id, &rq->err) == BM_OK)
        (void)check_grant(rq, u.roles);
    if (rq->err.n_fields == 0 && has_unit && u.org_unit_id != old.org_unit_id)
        (void)check_unit(rq, u.org_unit_id);
    if (rq->err.n_fields > 0)
        return BM_EINVAL;

    diff = json_object();
    bm_json_diff_str(diff, "display_name", old.display_name, u.display_name);
    bm_json_diff_str(diff, "phone", old.phone, u.phone);
    if (u.roles != old.roles)
        json_object_set_new(diff, "roles", json_pack("[o,o]", bm_json_roles(old.roles),
                                                     bm_json_roles(u.roles)));
    if (u.org_unit_id != old.org_unit_id)
        json_object_set_new(diff, "org_unit_id", json_pack("[I,I]", (json_int_t)old.org_unit_id,
                                                           (json_int_t)u.org_unit_id));
    if (u.is_active != old.is_active)
        json_object_set_new(diff, "is_active", json_pack("[b,b]", old.is_active, u.is_active));
    if (password != NULL)
        json_object_set_new(diff, "password_reset", json_true());
    end_sessions = password != NULL || !u.is_active || u.roles != old.roles;

    rc = password != NULL ? bm_secret_hash_password(password, hash, &rq->err) : BM_OK;
    if (rc == BM_OK)
        rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_user_update(rq->store, &u, rq->now, &rq->err);
    if (rc == BM_OK && password != NULL)
        rc = bm_store_user_set_password(rq->store, u.id, hash, rq->now, &rq->err);
    /* A reset also lifts a log-in lock, so a locked-out clerk can work again at once. */
    if (rc == BM_OK && password != NULL)
        rc = bm_store_login_failures_clear(rq->store, u.username,
                                           rq->now - rq->cfg->login_window_s, &rq->err);
    /* Changed rights take effect now, not when the old session expires. */
    if (rc == BM_OK && end_sessions)
        rc = bm_store_sessions_delete_user(rq->store, u.id, &rq->err);
    if (rc == BM_OK) {
        rc = bm_api_audit(rq, "user.update", "user", u.id, diff);
        diff = NULL;
    }
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    json_decref(diff);
    if (password != NULL)
        bm_secret_wipe(hash, sizeof(hash));
    if (rc == BM_OK)
        rc = bm_store_user_get(rq->store, u.id, rq->arena, &u, &rq->err);
    return rc == BM_OK ? bm_json_reply(rq, rs, 200, bm_api_user_json(&u)) : rc;
}
