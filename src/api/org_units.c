/*
 * Organisation tree: every logged-in user reads their county's tree; county administrators
 * change all of it, township administrators the offices, stations, centres and villages of
 * their own township.
 */
#include <inttypes.h>
#include <string.h>

#include "api/handlers.h"
#include "api/json.h"

static json_t *
org_json(const struct bm_org_unit *o)
{
    json_t *j = json_object();
    const char *sub = NULL;

    json_object_set_new(j, "id", json_integer(o->id));
    json_object_set_new(j, "parent_id", o->parent_id ? json_integer(o->parent_id) : json_null());
    json_object_set_new(j, "kind", json_string(bm_org_kind_code(o->kind)));
    json_object_set_new(j, "kind_name", json_string(bm_org_kind_name_zh(o->kind)));
    json_object_set_new(j, "name", json_string(o->name));
    json_object_set_new(j, "division_code", o->division_code[0] ? json_string(o->division_code)
                                                                : json_null());
    json_object_set_new(j, "credit_code", o->credit_code[0] ? json_string(o->credit_code)
                                                            : json_null());
    if (o->kind == BM_ORG_STATION)
        json_object_set_new(j, "management_mode", json_string(bm_mgmt_mode_code(o->mgmt_mode)));
    if (o->kind == BM_ORG_TOWNSHIP)
        sub = bm_org_township_type(o->division_code);
    else if (o->kind == BM_ORG_VILLAGE)
        sub = bm_org_village_type(o->division_code);
    if (sub != NULL)
        json_object_set_new(j, "subtype", json_string(sub));
    json_object_set_new(j, "is_active", json_boolean(o->is_active));
    json_object_set_new(j, "version", json_integer(o->version));
    json_object_set_new(j, "created_at", bm_json_time(o->created_at));
    json_object_set_new(j, "updated_at", bm_json_time(o->updated_at));
    return j;
}

/* The county a user reads: the first element of their unit's path ("" for citizens: all). */
static const char *
read_scope(struct bm_req *rq)
{
    const char *p = rq->who.org_path, *end;
    if (p[0] != '/' || (end = strchr(p + 1, '/')) == NULL)
        return "";
    return bm_arena_strndup(rq->arena, p, (size_t)(end - p) + 1);
}

static bool
readable(struct bm_req *rq, const struct bm_org_unit *o)
{
    const char *scope = read_scope(rq);
    return scope != NULL && strncmp(o->path, scope, strlen(scope)) == 0;
}

/* Position of unit `id` in `us` (sorted by id), or n if absent. */
static size_t
index_of(const struct bm_org_unit *us, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (us[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && us[lo].id == id ? lo : n;
}

enum bm_rc
bm_api_org_list(struct bm_req *rq, struct bm_resp *rs)
{
    const char *scope = read_scope(rq), *flat = bm_req_query(rq, "flat");
    struct bm_org_unit *us;
    json_t **nodes, *roots = json_array();
    bool tree = flat == NULL || strcmp(flat, "true") != 0;
    size_t n = 0;
    enum bm_rc rc;

    if (scope == NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "结果过大");
    rc = bm_store_org_list(rq->store, scope, rq->arena, &us, &n, &rq->err);
    if (rc != BM_OK) {
        json_decref(roots);
        return rc;
    }
    nodes = bm_arena_alloc(rq->arena, sizeof(*nodes) * (n + 1));
    if (nodes == NULL) {
        json_decref(roots);
        return bm_err_set(&rq->err, BM_ETOOBIG, "结果过大");
    }
    for (size_t i = 0; i < n; i++) {
        nodes[i] = org_json(&us[i]);
        if (tree)
            json_object_set_new(nodes[i], "children", json_array());
    }
    /* A JSON object may gain children before or after it is itself attached, so one pass
     * in id order builds the tree even where a moved unit is older than its new parent. */
    for (size_t i = 0; i < n; i++) {
        size_t k = tree ? index_of(us, n, us[i].parent_id) : n;
        if (k < n)
            json_array_append_new(json_object_get(nodes[k], "children"), nodes[i]);
        else
            json_array_append_new(roots, nodes[i]);
    }
    return bm_json_page(rq, rs, roots, false, 0);
}

static enum bm_rc
load(struct bm_req *rq, struct bm_org_unit *o)
{
    int64_t id;
    enum bm_rc rc = bm_req_param_id(rq, 0, &id);
    if (rc == BM_OK)
        rc = bm_store_org_get(rq->store, id, rq->arena, o, &rq->err);
    if (rc == BM_OK && !readable(rq, o))
        rc = bm_err_set(&rq->err, BM_ENOTFOUND, "单位不存在");
    return rc;
}

enum bm_rc
bm_api_org_get(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_org_unit o;
    enum bm_rc rc = load(rq, &o);
    return rc == BM_OK ? bm_json_reply(rq, rs, 200, org_json(&o)) : rc;
}

/* Parent for a new or moved unit: it must exist and lie in the caller's write scope. */
static enum bm_rc
writable_parent(struct bm_req *rq, int64_t id, struct bm_org_unit *parent)
{
    struct bm_err e;
    bm_err_clear(&e);
    if (bm_store_org_get(rq->store, id, rq->arena, parent, &e) != BM_OK ||
        !bm_access_in_scope(&rq->who, BM_PERM_ORG_WRITE, parent->path))
        return bm_err_field(&rq->err, "parent_id", "上级单位不存在或不在您的管理范围内");
    return BM_OK;
}

/* Counties, departments and townships are the county administrator's to change. */
static bool
county_level(enum bm_org_kind k)
{
    return k == BM_ORG_COUNTY || k == BM_ORG_DEPARTMENT || k == BM_ORG_TOWNSHIP;
}

static void
read_fields(struct bm_req *rq, json_t *body, struct bm_org_unit *u, bool creating)
{
    const char *s = NULL;
    bool present;

    (void)bm_json_get_str(rq, body, "name", creating, 100, &u->name, NULL);
    (void)bm_json_get_str(rq, body, "division_code", false, 12, &u->division_code, NULL);
    (void)bm_json_get_str(rq, body, "credit_code", false, 18, &u->credit_code, NULL);
    if (bm_json_get_str(rq, body, "management_mode", false, 16, &s, &present) == BM_OK && present &&
        !bm_mgmt_mode_parse(s, &u->mgmt_mode))
        (void)bm_err_field(&rq->err, "management_mode", "应为 township、county 或 dual");
    (void)bm_json_get_bool(rq, body, "is_active", false, &u->is_active, NULL);
}

enum bm_rc
bm_api_org_create(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"name", "kind", "parent_id", "division_code",
                                         "credit_code", "management_mode", "is_active", NULL};
    struct bm_org_unit u, parent;
    const char *kind = NULL;
    char code[13];
    int64_t id;
    json_t *body;
    enum bm_rc rc;

    memset(&u, 0, sizeof(u));
    u.division_code = u.credit_code = "";
    u.is_active = true;
    rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, fields);
    if (rc != BM_OK)
        return rc;
    if (bm_json_get_str(rq, body, "kind", true, 20, &kind, NULL) == BM_OK &&
        !bm_org_kind_parse(kind, &u.kind))
        (void)bm_err_field(&rq->err, "kind", "应为 department、township、office、station、"
                                             "service_center 或 village");
    else if (kind != NULL && u.kind == BM_ORG_COUNTY)
        (void)bm_err_field(&rq->err, "kind", "县级单位由 bianmin init 创建");
    (void)bm_json_get_int(rq, body, "parent_id", true, 1, INT64_MAX, &u.parent_id, NULL);
    read_fields(rq, body, &u, true);
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    rc = county_level(u.kind) && !(rq->who.roles & BM_ROLE_COUNTY_ADMIN)
             ? bm_err_set(&rq->err, BM_EFORBIDDEN, "只有县级管理员可以设立部门和乡镇")
             : writable_parent(rq, u.parent_id, &parent);
    if (rc == BM_OK)
        rc = bm_org_validate(&u, &parent, code, &rq->err);
    if (rc != BM_OK)
        return rc;
    u.division_code = code;

    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_org_insert(rq->store, &u, rq->now, &id, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "org_unit.create", "org_unit", id,
                          json_pack("{s:s,s:s,s:I,s:s}", "name", u.name, "kind",
                                    bm_org_kind_code(u.kind), "parent_id",
                                    (json_int_t)u.parent_id, "division_code", u.division_code));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_org_get(rq->store, id, rq->arena, &u, &rq->err);
    if (rc != BM_OK)
        return rc;
    bm_resp_header(rs, "Location", bm_arena_printf(rq->arena, "/api/v1/org-units/%" PRId64, id));
    return bm_json_reply(rq, rs, 201, org_json(&u));
}

enum bm_rc
bm_api_org_update(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"name", "parent_id", "division_code", "credit_code",
                                         "management_mode", "is_active", NULL};
    struct bm_org_unit old, u, parent;
    bool has_parent = false;
    char code[13];
    int64_t version;
    json_t *body, *diff;
    enum bm_rc rc;

    rc = load(rq, &old);
    if (rc == BM_OK && !bm_access_in_scope(&rq->who, BM_PERM_ORG_WRITE, old.path))
        rc = bm_err_set(&rq->err, BM_ENOTFOUND, "单位不存在");
    if (rc == BM_OK && county_level(old.kind) && !(rq->who.roles & BM_ROLE_COUNTY_ADMIN))
        rc = bm_err_set(&rq->err, BM_EFORBIDDEN, "只有县级管理员可以修改县、部门和乡镇");
    if (rc == BM_OK)
        rc = bm_req_if_match(rq, &version);
    if (rc == BM_OK)
        rc = bm_json_body(rq, &body);
    if (rc == BM_OK && json_object_get(body, "kind") != NULL)
        rc = bm_err_field(&rq->err, "kind", "单位类型不能修改，请停用后另设");
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, fields);
    if (rc != BM_OK)
        return rc;
    u = old;
    u.version = version;
    read_fields(rq, body, &u, false);
    (void)bm_json_get_int(rq, body, "parent_id", false, 1, INT64_MAX, &u.parent_id, &has_parent);
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    if (has_parent && old.kind == BM_ORG_COUNTY)
        return bm_err_field(&rq->err, "parent_id", "县级单位不能有上级单位");
    /* A new parent must be in the caller's scope; an unchanged one is only read, for the
     * division-code check (a township administrator edits units below their own). */
    if (u.parent_id != 0 && u.parent_id != old.parent_id)
        rc = writable_parent(rq, u.parent_id, &parent);
    else if (u.parent_id != 0)
        rc = bm_store_org_get(rq->store, u.parent_id, rq->arena, &parent, &rq->err);
    if (rc != BM_OK)
        return rc;
    rc = bm_org_validate(&u, u.parent_id ? &parent : NULL, code, &rq->err);
    if (rc != BM_OK)
        return rc;
    u.division_code = code;

    diff = json_object();
    bm_json_diff_str(diff, "name", old.name, u.name);
    bm_json_diff_str(diff, "division_code", old.division_code, u.division_code);
    bm_json_diff_str(diff, "credit_code", old.credit_code, u.credit_code);
    bm_json_diff_str(diff, "management_mode", bm_mgmt_mode_code(old.mgmt_mode),
             bm_mgmt_mode_code(u.mgmt_mode));
    if (u.is_active != old.is_active)
        json_object_set_new(diff, "is_active", json_pack("[b,b]", old.is_active, u.is_active));
    if (u.parent_id != old.parent_id)
        json_object_set_new(diff, "parent_id", json_pack("[I,I]", (json_int_t)old.parent_id,
                                                         (json_int_t)u.parent_id));
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_org_update(rq->store, &u, rq->now, &rq->err);
    if (rc == BM_OK) {
        rc = bm_api_audit(rq, "org_unit.update", "org_unit", u.id, diff);
        diff = NULL;
    }
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    json_decref(diff);
    if (rc == BM_OK)
        rc = bm_store_org_get(rq->store, u.id, rq->arena, &u, &rq->err);
    return rc == BM_OK ? bm_json_reply(rq, rs, 200, org_json(&u)) : rc;
}
