/*
 * The service catalog: public search and service guides for residents; drafting, editing,
 * publishing and retiring for administrators. Editing a published item makes a new draft
 * version; publishing it supersedes the old one, which stays readable by id, so a case can
 * always show the version it was accepted under.
 */
#include <inttypes.h>
#include <string.h>

#include "api/handlers.h"
#include "api/json.h"
#include "core/item.h"
#include "io/item_json.h"
#include "util/parse.h"

/* ---- access ---- */

/* Drafts are seen by those who may write items in the unit's scope; the rest by anyone. */
static bool
visible(struct bm_req *rq, const struct bm_item *it)
{
    if (it->status != BM_ITEM_DRAFT)
        return true;
    return rq->is_authenticated && bm_access_in_scope(&rq->who, BM_PERM_ITEM_WRITE, it->unit_path);
}

static enum bm_rc
load(struct bm_req *rq, struct bm_item *it)
{
    int64_t id;
    enum bm_rc rc = bm_req_param_id(rq, 0, &id);
    if (rc == BM_OK)
        rc = bm_store_item_get(rq->store, id, rq->arena, it, &rq->err);
    if (rc == BM_OK && !visible(rq, it))
        rc = bm_err_set(&rq->err, BM_ENOTFOUND, "事项不存在");
    return rc;
}

/* The implementing unit must exist, be active and lie in the caller's item scope. */
static enum bm_rc
check_unit(struct bm_req *rq, int64_t unit_id)
{
    struct bm_org_unit o;
    struct bm_err e;

    bm_err_clear(&e);
    if (bm_store_org_get(rq->store, unit_id, rq->arena, &o, &e) != BM_OK ||
        !bm_access_in_scope(&rq->who, BM_PERM_ITEM_WRITE, o.path))
        return bm_err_field(&rq->err, "implementing_unit_id", "实施主体不存在或不在您的管理范围内");
    if (!o.is_active)
        return bm_err_field(&rq->err, "implementing_unit_id", "实施主体已停用");
    return BM_OK;
}

static enum bm_rc
audit_item(struct bm_req *rq, const char *action, const struct bm_item *it, int64_t id)
{
    return bm_api_audit(rq, action, "item", id,
                        json_pack("{s:s,s:s,s:i,s:s}", "code", it->code, "name", it->name,
                                  "item_version", it->item_version, "status",
                                  bm_item_statuses[it->status].code));
}

/* ---- handlers ---- */

enum bm_rc
bm_api_items_list(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_item_query q;
    const char *text = bm_req_query(rq, "q"), *v;
    char terms_buf[512];
    struct bm_item *its;
    size_t n = 0;
    int64_t num;
    json_t *items;
    enum bm_rc rc;

    memset(&q, 0, sizeof(q));
    q.category = q.township_path = q.unit_prefix = "";
    q.status = "published";
    q.limit = 20;
    if (text != NULL && (q.n_terms = bm_item_split_query(text, terms_buf, sizeof(terms_buf), q.terms,
                                                         BM_SEARCH_TERMS)) < 0)
        return bm_err_field(&rq->err, "q", "搜索词过长（最多100个字）");
    if ((v = bm_req_query(rq, "category")) != NULL && v[0]) {
        if (bm_code_find(bm_item_categories, v) < 0)
            return bm_err_field(&rq->err, "category", "未知的服务类别");
        q.category = v;
    }
    if ((v = bm_req_query(rq, "object")) != NULL && v[0]) {
        int k = bm_code_find(bm_item_objects, v);
        if (k < 0)
            return bm_err_field(&rq->err, "object", "应为 natural_person 或 legal_person");
        q.objects = 1u << k;
    }
    if ((v = bm_req_query(rq, "online")) != NULL)
        q.online_only = strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
    if ((v = bm_req_query(rq, "township_id")) != NULL && v[0]) {
        struct bm_org_unit o;
        if (!bm_parse_i64z(v, 1, INT64_MAX, &num) ||
            bm_store_org_get(rq->store, num, rq->arena, &o, &rq->err) != BM_OK ||
            o.kind != BM_ORG_TOWNSHIP) {
            bm_err_clear(&rq->err);
            return bm_err_field(&rq->err, "township_id", "乡镇不存在");
        }
        q.township_path = o.path;
    }
    /* Drafts and history are for item writers, within their scope. */
    if ((v = bm_req_query(rq, "status")) != NULL && strcmp(v, "published") != 0) {
        char scope[BM_ORG_PATH_MAX];
        if (strcmp(v, "any") != 0 && bm_code_find(bm_item_statuses, v) < 0)
            return bm_err_field(&rq->err, "status", "未知的状态");
        if (!rq->is_authenticated ||
            !bm_access_scope(&rq->who, BM_PERM_ITEM_WRITE, scope, sizeof(scope)))
            return bm_err_set(&rq->err, rq->is_authenticated ? BM_EFORBIDDEN : BM_EUNAUTH,
                              "只有事项管理员可以查看草稿和历史版本");
        q.status = strcmp(v, "any") == 0 ? "" : v;
        q.unit_prefix = bm_arena_strdup(rq->arena, scope);
    }
    rc = bm_req_page(rq, 20, 200, &q.limit, &num);
    if (rc != BM_OK)
        return rc;
    if (num > 100000)
        return bm_err_field(&rq->err, "cursor", "翻页游标无效");
    q.offset = (int)num;
    rc = bm_store_items_search(rq->store, &q, rq->arena, &its, &n, &rq->err);
    if (rc != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n && (int)i < q.limit; i++)
        json_array_append_new(items, bm_io_item_json(&its[i], false));
    /* Ranked results page by offset: the cursor is the offset of the next page. */
    return bm_json_page(rq, rs, items, (int)n > q.limit, q.offset + q.limit);
}

enum bm_rc
bm_api_items_get(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_item it;
    enum bm_rc rc = load(rq, &it);
    return rc == BM_OK ? bm_json_reply(rq, rs, 200, bm_io_item_json(&it, true)) : rc;
}

/* What a new item must state (api-contract.md); the rest has defaults. */
static const char *const required_fields[] = {"code", "name", "type", "category",
                                              "implementing_unit_id", "promised_days", NULL};

enum bm_rc
bm_api_items_create(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_item it;
    json_t *body;
    int last = 0;
    int64_t id;
    enum bm_rc rc;

    bm_io_item_defaults(&it);
    rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, bm_io_item_fields);
    if (rc != BM_OK)
        return rc;
    for (const char *const *req = required_fields; *req; req++)
        if (json_object_get(body, *req) == NULL || json_is_null(json_object_get(body, *req)))
            (void)bm_err_field(&rq->err, *req, "必填");
    bm_io_item_read(body, rq->arena, "", &it, &rq->err);
    if (rq->err.n_fields == 0)
        (void)bm_item_check(&it, &rq->err);
    if (rq->err.n_fields == 0)
        (void)check_unit(rq, it.implementing_unit_id);
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_item_last_version(rq->store, it.code, &last, &rq->err);
    if (rc == BM_OK && last > 0) {
        (void)bm_err_field(&rq->err, "code", "该编码已有事项，请在原事项上修改");
        rc = bm_err_set(&rq->err, BM_ECONFLICT, "事项编码已存在");
    }
    it.item_version = 1;
    if (rc == BM_OK)
        rc = bm_store_item_insert(rq->store, &it, rq->now, &id, &rq->err);
    if (rc == BM_OK)
        rc = audit_item(rq, "item.create", &it, id);
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_item_get(rq->store, id, rq->arena, &it, &rq->err);
    if (rc != BM_OK)
        return rc;
    bm_resp_header(rs, "Location", bm_arena_printf(rq->arena, "/api/v1/items/%" PRId64, id));
    return bm_json_reply(rq, rs, 201, bm_io_item_json(&it, true));
}

enum bm_rc
bm_api_items_update(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_item it;
    json_t *body;
    int64_t version, id;
    int last = 0, status = 201;
    enum bm_rc rc;

    rc = load(rq, &it);
    if (rc == BM_OK && !bm_access_in_scope(&rq->who, BM_PERM_ITEM_WRITE, it.unit_path))
        rc = bm_err_set(&rq->err, BM_EFORBIDDEN, "该事项不在您的管理范围内");
    if (rc == BM_OK && it.status != BM_ITEM_DRAFT && it.status != BM_ITEM_PUBLISHED)
        rc = bm_err_set(&rq->err, BM_ETRANSITION, "已停用或已被取代的版本不能修改");
    if (rc == BM_OK)
        rc = bm_req_if_match(rq, &version);
    if (rc == BM_OK && version != it.version)
        rc = bm_err_set(&rq->err, BM_ESTALE, "该事项已被他人修改，请刷新后重试");
    if (rc == BM_OK)
        rc = bm_json_body(rq, &body);
    if (rc == BM_OK && json_object_get(body, "code") != NULL)
        rc = bm_err_field(&rq->err, "code", "事项编码不能修改");
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, bm_io_item_fields);
    if (rc != BM_OK)
        return rc;
    bm_io_item_read(body, rq->arena, "", &it, &rq->err);
    if (rq->err.n_fields == 0)
        (void)bm_item_check(&it, &rq->err);
    if (rq->err.n_fields == 0 && json_object_get(body, "implementing_unit_id") != NULL)
        (void)check_unit(rq, it.implementing_unit_id);
    if (rq->err.n_fields > 0)
        return BM_EINVAL;

    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK && it.status == BM_ITEM_DRAFT) {
        /* A draft is edited in place. */
        status = 200;
        id = it.id;
        rc = bm_store_item_update(rq->store, &it, rq->now, &rq->err);
    } else if (rc == BM_OK) {
        /* A published item stays as it is; the edit becomes the next version's draft. */
        rc = bm_store_item_last_version(rq->store, it.code, &last, &rq->err);
        it.item_version = last + 1;
        it.status = BM_ITEM_DRAFT;
        if (rc == BM_OK)
            rc = bm_store_item_insert(rq->store, &it, rq->now, &id, &rq->err);
    }
    if (rc == BM_OK)
        rc = audit_item(rq, status == 200 ? "item.update" : "item.new_version", &it, id);
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_item_get(rq->store, id, rq->arena, &it, &rq->err);
    if (rc != BM_OK)
        return rc;
    if (status == 201)
        bm_resp_header(rs, "Location", bm_arena_printf(rq->arena, "/api/v1/items/%" PRId64, id));
    return bm_json_reply(rq, rs, status, bm_io_item_json(&it, true));
}

/* Publish or retire: If-Match is checked when sent. */
static enum bm_rc
transition(struct bm_req *rq, struct bm_resp *rs, int from, int to, const char *action)
{
    struct bm_item it;
    int64_t version = 0;
    enum bm_rc rc = load(rq, &it);

    if (rc == BM_OK && rq->if_match[0] != '\0')
        rc = bm_req_if_match(rq, &version);
    if (rc == BM_OK && it.status != from)
        rc = bm_err_set(&rq->err, BM_ETRANSITION, to == BM_ITEM_PUBLISHED
                                                       ? "只有草稿可以发布"
                                                       : "只有已发布的事项可以停用");
    if (rc == BM_OK && to == BM_ITEM_PUBLISHED)
        rc = bm_item_check_publish(&it, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_item_set_status(rq->store, it.id, version, to, rq->now, &rq->err);
    it.status = to;
    if (rc == BM_OK)
        rc = audit_item(rq, action, &it, it.id);
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_item_get(rq->store, it.id, rq->arena, &it, &rq->err);
    return rc == BM_OK ? bm_json_reply(rq, rs, 200, bm_io_item_json(&it, true)) : rc;
}

enum bm_rc
bm_api_items_publish(struct bm_req *rq, struct bm_resp *rs)
{
    return transition(rq, rs, BM_ITEM_DRAFT, BM_ITEM_PUBLISHED, "item.publish");
}

enum bm_rc
bm_api_items_retire(struct bm_req *rq, struct bm_resp *rs)
{
    return transition(rq, rs, BM_ITEM_PUBLISHED, BM_ITEM_RETIRED, "item.retire");
}

enum bm_rc
bm_api_items_versions(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_item it, *vs;
    size_t n = 0;
    json_t *items;
    enum bm_rc rc = load(rq, &it);

    if (rc == BM_OK)
        rc = bm_store_item_versions(rq->store, it.code, rq->arena, &vs, &n, &rq->err);
    if (rc != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        if (visible(rq, &vs[i]))
            json_array_append_new(items, bm_io_item_json(&vs[i], false));
    return bm_json_page(rq, rs, items, false, 0);
}
