/*
 * Deputies' direct channel (人大代表、政协委员“直通车”, policy section 十四). Design: deputies
 * and CPPCC members are not staff and need no account; the county administrator registers
 * each one (name, body, the county or township they sit for) and hands them a personal access
 * token, shown once and kept only as a hash. With it they submit matters and follow their
 * status without logging in. Matters reach the county's queue (urgent ones first), where the
 * county administrator assigns each to a township or department; that unit's administrator
 * (or the county administrator) answers. Supervisors read everything.
 */
#include <inttypes.h>
#include <string.h>

#include "api/handlers.h"
#include "api/json.h"
#include "api/participation.h"
#include "core/participation.h"
#include "core/secret.h"

static json_t *
deputy_json(const struct bm_deputy *d)
{
    enum bm_deputy_body b = BM_DEPUTY_NPC;
    (void)bm_deputy_body_parse(d->body, &b);
    return json_pack("{s:I,s:s,s:s,s:s,s:I,s:s,s:b,s:o}", "id", (json_int_t)d->id, "name",
                     d->name, "body", bm_deputy_body_code(b), "body_name",
                     bm_deputy_body_name_zh(b), "unit_id", (json_int_t)d->unit_id, "unit_name",
                     d->unit_name, "is_active", d->is_active, "created_at",
                     bm_json_time(d->created_at));
}

static json_t *
matter_json(const struct bm_deputy_matter *m)
{
    enum bm_deputy_body b = BM_DEPUTY_NPC;
    json_t *j = json_object();

    (void)bm_deputy_body_parse(m->deputy_body, &b);
    json_object_set_new(j, "id", json_integer(m->id));
    json_object_set_new(j, "deputy_id", json_integer(m->deputy_id));
    json_object_set_new(j, "deputy_name", json_string(m->deputy_name));
    json_object_set_new(j, "deputy_body", json_string(bm_deputy_body_code(b)));
    json_object_set_new(j, "title", json_string(m->title));
    json_object_set_new(j, "content", json_string(m->content));
    json_object_set_new(j, "urgent", json_boolean(m->is_urgent));
    json_object_set_new(j, "status", json_string(m->status));
    json_object_set_new(j, "status_name", json_string(bm_matter_status_name_zh(m->status)));
    json_object_set_new(j, "assignee_unit_id",
                        m->assignee_unit_id ? json_integer(m->assignee_unit_id) : json_null());
    json_object_set_new(j, "assignee_name",
                        m->assignee_unit_id ? json_string(m->assignee_name) : json_null());
    json_object_set_new(j, "assigned_at", bm_json_time(m->assigned_at));
    json_object_set_new(j, "answer", m->answered_at ? json_string(m->answer) : json_null());
    json_object_set_new(j, "answered_at", bm_json_time(m->answered_at));
    json_object_set_new(j, "created_at", bm_json_time(m->created_at));
    return j;
}

enum bm_rc
bm_api_deputies_list(struct bm_req *rq, struct bm_resp *rs)
{
    const char *scope = bm_api_part_scope(rq, BM_PERM_PARTICIPATION_READ);
    struct bm_deputy *ds;
    json_t *items;
    size_t n = 0;
    enum bm_rc rc;

    if (scope == NULL)
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "您没有可查看的范围");
    rc = bm_store_deputies_list(rq->store, scope, rq->arena, &ds, &n, &rq->err);
    if (rc != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, deputy_json(&ds[i]));
    return bm_json_page(rq, rs, items, false, 0);
}

enum bm_rc
bm_api_deputies_create(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"name", "body", "unit_id", NULL};
    enum bm_deputy_body b = BM_DEPUTY_NPC;
    struct bm_deputy d;
    const char *body_code = NULL;
    char token[BM_SECRET_TOKEN_LEN + 1];
    json_t *body, *reply;
    struct bm_org_unit u;
    int64_t id;
    enum bm_rc rc;

    memset(&d, 0, sizeof(d));
    rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, fields);
    if (rc != BM_OK)
        return rc;
    if (bm_json_get_str(rq, body, "name", true, 30, &d.name, NULL) == BM_OK && !d.name[0])
        (void)bm_err_field(&rq->err, "name", "请填写姓名");
    if (bm_json_get_str(rq, body, "body", true, 8, &body_code, NULL) == BM_OK &&
        !bm_deputy_body_parse(body_code, &b))
        (void)bm_err_field(&rq->err, "body", "应为 npc（人大代表）或 cppcc（政协委员）");
    (void)bm_api_part_unit(rq, body, &d.unit_id);
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    d.body = bm_deputy_body_code(b);
    d.is_active = true;
    d.created_by = rq->who.user_id;
    bm_secret_token(token);
    bm_secret_digest(token, strlen(token), d.token_hash);

    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_deputy_insert(rq->store, &d, rq->now, &id, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "deputy.create", "deputy", id,
                          json_pack("{s:s,s:s,s:I}", "name", d.name, "body", d.body, "unit_id",
                                    (json_int_t)d.unit_id));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_org_get(rq->store, d.unit_id, rq->arena, &u, &rq->err);
    if (rc != BM_OK) {
        bm_secret_wipe(token, sizeof(token));
        return rc;
    }
    d.id = id;
    d.unit_name = u.name;
    d.created_at = rq->now;
    reply = deputy_json(&d);
    /* The token is shown this once; the store keeps only its hash. */
    json_object_set_new(reply, "token", json_string(token));
    bm_secret_wipe(token, sizeof(token));
    return bm_json_reply(rq, rs, 201, reply);
}

enum bm_rc
bm_api_deputy_deactivate(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_deputy *ds, d;
    bool found = false;
    size_t n = 0;
    int64_t id;
    enum bm_rc rc;
    const char *scope = bm_api_part_scope(rq, BM_PERM_DEPUTY_ADMIN);

    if (scope == NULL)
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "您没有可管理的范围");
    rc = bm_req_param_id(rq, 0, &id);
    /* Only a deputy of the caller's county, found through its list (ids are not scoped). */
    if (rc == BM_OK)
        rc = bm_store_deputies_list(rq->store, scope, rq->arena, &ds, &n, &rq->err);
    for (size_t i = 0; rc == BM_OK && i < n; i++)
        if (ds[i].id == id) {
            d = ds[i];
            found = true;
        }
    if (rc == BM_OK && !found)
        rc = bm_err_set(&rq->err, BM_ENOTFOUND, "代表、委员不存在");
    if (rc == BM_OK && !d.is_active)
        rc = bm_err_set(&rq->err, BM_ETRANSITION, "该代表、委员的凭证已经停用");
    if (rc == BM_OK)
        rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_deputy_deactivate(rq->store, id, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "deputy.deactivate", "deputy", id, NULL);
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc != BM_OK)
        return rc;
    d.is_active = false;
    return bm_json_reply(rq, rs, 200, deputy_json(&d));
}

/* The deputy holding `token`; BM_EUNAUTH (not a 404: the token is the credential). */
static enum bm_rc
deputy_of(struct bm_req *rq, const char *token, struct bm_deputy *d)
{
    unsigned char digest[BM_SECRET_DIGEST_LEN];
    struct bm_err e;

    bm_secret_digest(token, strlen(token), digest);
    bm_err_clear(&e);
    if (bm_store_deputy_by_token(rq->store, digest, rq->arena, d, &e) != BM_OK)
        return e.rc == BM_ENOTFOUND ? bm_err_set(&rq->err, BM_EUNAUTH, "代表、委员凭证无效")
                                    : bm_err_set(&rq->err, e.rc, "%s", e.message);
    return BM_OK;
}

enum bm_rc
bm_api_public_deputy_submit(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"token", "title", "content", "urgent", NULL};
    struct bm_deputy_matter m;
    struct bm_deputy d;
    const char *token = NULL;
    json_t *body;
    int64_t id;
    enum bm_rc rc;

    memset(&m, 0, sizeof(m));
    rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, fields);
    if (rc != BM_OK)
        return rc;
    (void)bm_json_get_str(rq, body, "token", true, 64, &token, NULL);
    if (bm_json_get_str(rq, body, "title", true, 100, &m.title, NULL) == BM_OK && !m.title[0])
        (void)bm_err_field(&rq->err, "title", "请填写标题");
    if (bm_json_get_str(rq, body, "content", true, 5000, &m.content, NULL) == BM_OK &&
        !m.content[0])
        (void)bm_err_field(&rq->err, "content", "请填写反映的情况和建议");
    (void)bm_json_get_bool(rq, body, "urgent", false, &m.is_urgent, NULL);
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    if ((rc = deputy_of(rq, token, &d)) != BM_OK)
        return rc;
    m.deputy_id = d.id;
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_matter_insert(rq->store, &m, rq->now, &id, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "deputy_matter.submit", "deputy_matter", id,
                          json_pack("{s:I,s:s,s:b}", "deputy_id", (json_int_t)d.id, "title",
                                    m.title, "urgent", m.is_urgent));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_matter_get(rq->store, id, rq->arena, &m, &rq->err);
    return rc == BM_OK ? bm_json_reply(rq, rs, 201, matter_json(&m)) : rc;
}

enum bm_rc
bm_api_public_deputy_matters(struct bm_req *rq, struct bm_resp *rs)
{
    const char *token = bm_req_query(rq, "token");
    struct bm_deputy_matter *ms;
    struct bm_deputy d;
    json_t *items;
    size_t n = 0;
    enum bm_rc rc;

    if (token == NULL || token[0] == '\0')
        return bm_err_field(&rq->err, "token", "请提供代表、委员凭证");
    if ((rc = deputy_of(rq, token, &d)) != BM_OK)
        return rc;
    rc = bm_store_matters_list(rq->store, "", false, d.id, 500, rq->arena, &ms, &n, &rq->err);
    if (rc != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, matter_json(&ms[i]));
    return bm_json_page(rq, rs, items, false, 0);
}

enum bm_rc
bm_api_deputy_matters_list(struct bm_req *rq, struct bm_resp *rs)
{
    const char *scope = bm_api_part_scope(rq, BM_PERM_PARTICIPATION_READ);
    bool county_wide = (rq->who.roles & bm_access_roles_for(BM_PERM_PARTICIPATION_READ) &
                        BM_ROLES_COUNTY_WIDE) != 0;
    struct bm_deputy_matter *ms;
    json_t *items;
    size_t n = 0;
    int limit;
    int64_t cursor;
    enum bm_rc rc;

    if (scope == NULL)
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "您没有可查看的范围");
    if ((rc = bm_req_page(rq, 200, 1000, &limit, &cursor)) != BM_OK)
        return rc;
    /* The county sees its deputies' matters; a township the matters assigned to it. */
    rc = bm_store_matters_list(rq->store, scope, !county_wide, 0, limit, rq->arena, &ms, &n,
                               &rq->err);
    if (rc != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, matter_json(&ms[i]));
    return bm_json_page(rq, rs, items, false, 0);
}

static enum bm_rc
load_matter(struct bm_req *rq, struct bm_deputy_matter *m)
{
    int64_t id;
    enum bm_rc rc = bm_req_param_id(rq, 0, &id);
    if (rc == BM_OK)
        rc = bm_store_matter_get(rq->store, id, rq->arena, m, &rq->err);
    return rc;
}

enum bm_rc
bm_api_deputy_matter_assign(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"unit_id", NULL};
    struct bm_deputy_matter m;
    struct bm_org_unit u;
    struct bm_err e;
    json_t *body;
    int64_t unit_id = 0;
    enum bm_rc rc;

    rc = load_matter(rq, &m);
    if (rc == BM_OK && !bm_access_in_scope(&rq->who, BM_PERM_DEPUTY_ADMIN, m.deputy_unit_path))
        rc = bm_err_set(&rq->err, BM_ENOTFOUND, "代表委员反映的事项不存在");
    if (rc == BM_OK)
        rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, fields);
    if (rc != BM_OK)
        return rc;
    if (bm_json_get_int(rq, body, "unit_id", true, 1, INT64_MAX, &unit_id, NULL) != BM_OK)
        return BM_EINVAL;
    bm_err_clear(&e);
    if (bm_store_org_get(rq->store, unit_id, rq->arena, &u, &e) != BM_OK ||
        !bm_access_in_scope(&rq->who, BM_PERM_DEPUTY_ADMIN, u.path) ||
        (u.kind != BM_ORG_TOWNSHIP && u.kind != BM_ORG_DEPARTMENT))
        return bm_err_field(&rq->err, "unit_id", "应为本县的乡镇或县直部门");
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_matter_assign(rq->store, m.id, unit_id, rq->now, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "deputy_matter.assign", "deputy_matter", m.id,
                          json_pack("{s:I}", "unit_id", (json_int_t)unit_id));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_matter_get(rq->store, m.id, rq->arena, &m, &rq->err);
    return rc == BM_OK ? bm_json_reply(rq, rs, 200, matter_json(&m)) : rc;
}

enum bm_rc
bm_api_deputy_matter_answer(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"answer", NULL};
    struct bm_deputy_matter m;
    const char *answer = NULL;
    json_t *body;
    bool mine;
    enum bm_rc rc;

    rc = load_matter(rq, &m);
    /* The assigned unit's administrator answers; the county administrator may always. */
    mine = rc == BM_OK &&
           (bm_access_in_scope(&rq->who, BM_PERM_DEPUTY_ADMIN, m.deputy_unit_path) ||
            (m.assignee_path[0] != '\0' &&
             bm_access_in_scope(&rq->who, BM_PERM_PARTICIPATION_WRITE, m.assignee_path)));
    if (rc == BM_OK && !mine)
        rc = bm_err_set(&rq->err, BM_ENOTFOUND, "代表委员反映的事项不存在");
    if (rc == BM_OK)
        rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, fields);
    if (rc != BM_OK)
        return rc;
    if (bm_json_get_str(rq, body, "answer", true, 5000, &answer, NULL) == BM_OK && !answer[0])
        (void)bm_err_field(&rq->err, "answer", "请填写答复内容");
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_matter_answer(rq->store, m.id, answer, rq->who.user_id, rq->now, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "deputy_matter.answer", "deputy_matter", m.id, NULL);
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_matter_get(rq->store, m.id, rq->arena, &m, &rq->err);
    return rc == BM_OK ? bm_json_reply(rq, rs, 200, matter_json(&m)) : rc;
}
