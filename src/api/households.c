/*
 * Cadres in contact with households (联系服务群众全覆盖, policy section 十四): the township
 * keeps a register of the households of its villages (the head's name sealed, a masked form
 * in clear), assigns each a contact cadre of the township, and sees the coverage per village
 * and the households nobody is assigned to yet.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "api/cases.h"
#include "api/handlers.h"
#include "api/json.h"
#include "api/participation.h"
#include "core/participation.h"
#include "util/parse.h"
#include "util/utf8.h"

#define IMPORT_MAX 500

static json_t *
household_json(const struct bm_household *h)
{
    json_t *j = json_object();

    json_object_set_new(j, "id", json_integer(h->id));
    json_object_set_new(j, "village_id", json_integer(h->village_id));
    json_object_set_new(j, "village_name", json_string(h->village_name));
    json_object_set_new(j, "head", json_string(h->head_masked));
    json_object_set_new(j, "address", json_string(h->address));
    json_object_set_new(j, "members", json_integer(h->members));
    json_object_set_new(j, "cadre_id", h->cadre_id ? json_integer(h->cadre_id) : json_null());
    json_object_set_new(j, "cadre_name", h->cadre_id ? json_string(h->cadre_name) : json_null());
    json_object_set_new(j, "covered", json_boolean(h->cadre_id != 0));
    json_object_set_new(j, "assigned_at", bm_json_time(h->assigned_at));
    json_object_set_new(j, "version", json_integer(h->version));
    json_object_set_new(j, "created_at", bm_json_time(h->created_at));
    return j;
}

enum bm_rc
bm_api_households_list(struct bm_req *rq, struct bm_resp *rs)
{
    const char *village = bm_req_query(rq, "village_id"), *unc = bm_req_query(rq, "uncovered");
    struct bm_household_query q;
    struct bm_household *hs;
    json_t *items;
    size_t n = 0;
    enum bm_rc rc;

    memset(&q, 0, sizeof(q));
    if ((q.path_prefix = bm_api_part_scope(rq, BM_PERM_PARTICIPATION_READ)) == NULL)
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "您没有可查看的范围");
    if (village != NULL && !bm_parse_i64z(village, 1, INT64_MAX, &q.village_id))
        (void)bm_err_field(&rq->err, "village_id", "应为村（社区）的编号");
    if (unc != NULL && strcmp(unc, "true") != 0 && strcmp(unc, "false") != 0)
        (void)bm_err_field(&rq->err, "uncovered", "应为 true 或 false");
    q.uncovered_only = unc != NULL && strcmp(unc, "true") == 0;
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    if ((rc = bm_req_page(rq, 100, 500, &q.limit, &q.after_id)) != BM_OK)
        return rc;
    rc = bm_store_households_list(rq->store, &q, rq->arena, &hs, &n, &rq->err);
    if (rc != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, household_json(&hs[i]));
    return bm_json_page(rq, rs, items, (int)n == q.limit, n > 0 ? hs[n - 1].id : 0);
}

/* One household of an import, checked; field errors name "households[i].field". */
static void
read_household(struct bm_req *rq, json_t *o, size_t i, struct bm_household *h,
               const char **head)
{
    static const char *const fields[] = {"village_id", "head_name", "address", "members", NULL};
    struct bm_org_unit v;
    struct bm_err e;
    const char *key;
    json_t *val;
    char f[48];

    if (!json_is_object(o)) {
        snprintf(f, sizeof(f), "households[%zu]", i);
        (void)bm_err_field(&rq->err, f, "应为对象");
        return;
    }
    json_object_foreach(o, key, val) {
        bool known = false;
        for (int k = 0; fields[k] != NULL; k++)
            known = known || strcmp(key, fields[k]) == 0;
        if (!known) {
            snprintf(f, sizeof(f), "households[%zu].%s", i, key);
            (void)bm_err_field(&rq->err, f, "未知字段");
        }
    }
    bm_err_clear(&e);
    val = json_object_get(o, "village_id");
    h->village_id = json_is_integer(val) ? json_integer_value(val) : 0;
    snprintf(f, sizeof(f), "households[%zu].village_id", i);
    if (h->village_id <= 0 || bm_store_org_get(rq->store, h->village_id, rq->arena, &v, &e) != BM_OK ||
        v.kind != BM_ORG_VILLAGE ||
        !bm_access_in_scope(&rq->who, BM_PERM_PARTICIPATION_WRITE, v.path))
        (void)bm_err_field(&rq->err, f, "村（社区）不存在或不在您的管理范围内");
    val = json_object_get(o, "head_name");
    *head = json_is_string(val) ? json_string_value(val) : NULL;
    snprintf(f, sizeof(f), "households[%zu].head_name", i);
    if (*head == NULL || (*head)[0] == '\0' || bm_utf8_count(*head) > 30)
        (void)bm_err_field(&rq->err, f, "请填写户主姓名（不超过30字）");
    val = json_object_get(o, "address");
    h->address = json_is_string(val) ? json_string_value(val) : NULL;
    snprintf(f, sizeof(f), "households[%zu].address", i);
    if (h->address == NULL || h->address[0] == '\0' || bm_utf8_count(h->address) > 200)
        (void)bm_err_field(&rq->err, f, "请填写住址（不超过200字）");
    val = json_object_get(o, "members");
    h->members = json_is_integer(val) ? json_integer_value(val) : 0;
    snprintf(f, sizeof(f), "households[%zu].members", i);
    if (h->members < 1 || h->members > BM_HOUSEHOLD_MEMBERS_MAX)
        (void)bm_err_field(&rq->err, f, "家庭人口应为 1 到 %d", BM_HOUSEHOLD_MEMBERS_MAX);
}

enum bm_rc
bm_api_households_import(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"households", NULL};
    struct bm_household *hs;
    const char **heads;
    struct bm_pii_key k;
    json_t *body, *arr, *ids;
    size_t n;
    int64_t id;
    enum bm_rc rc;

    rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, fields);
    if (rc != BM_OK)
        return rc;
    arr = json_object_get(body, "households");
    if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > IMPORT_MAX)
        return bm_err_field(&rq->err, "households", "应为 1 到 %d 户的数组", IMPORT_MAX);
    n = json_array_size(arr);
    hs = bm_arena_alloc(rq->arena, sizeof(*hs) * n);
    heads = bm_arena_alloc(rq->arena, sizeof(*heads) * n);
    if (hs == NULL || heads == NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    memset(hs, 0, sizeof(*hs) * n);
    /* Every household is checked before any is written: an import is all or nothing. */
    for (size_t i = 0; i < n; i++)
        read_household(rq, json_array_get(arr, i), i, &hs[i], &heads[i]);
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    bm_api_pii_key(rq, &k);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(heads[i]);
        char masked[64];
        unsigned char *sealed = bm_arena_alloc(rq->arena, len + BM_PII_OVERHEAD);
        if (sealed == NULL || len > BM_PII_MAX_PLAIN) {
            sodium_memzero(&k, sizeof(k));
            return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
        }
        bm_pii_seal(&k, heads[i], len, sealed);
        hs[i].head_enc = sealed;
        hs[i].head_enc_len = len + BM_PII_OVERHEAD;
        bm_pii_mask_name(heads[i], masked, sizeof(masked));
        hs[i].head_masked = bm_arena_strdup(rq->arena, masked);
        if (hs[i].head_masked == NULL) {
            sodium_memzero(&k, sizeof(k));
            return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
        }
    }
    sodium_memzero(&k, sizeof(k));

    ids = json_array();
    rc = bm_store_begin(rq->store, &rq->err);
    for (size_t i = 0; rc == BM_OK && i < n; i++) {
        rc = bm_store_household_insert(rq->store, &hs[i], rq->now, &id, &rq->err);
        if (rc == BM_OK)
            json_array_append_new(ids, json_integer(id));
    }
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "household.import", "household", json_integer_value(json_array_get(ids, 0)),
                          json_pack("{s:I,s:O}", "count", (json_int_t)n, "ids", ids));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc != BM_OK) {
        json_decref(ids);
        return rc;
    }
    return bm_json_reply(rq, rs, 201, json_pack("{s:I,s:o}", "created", (json_int_t)n, "ids", ids));
}

enum bm_rc
bm_api_household_assign(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"cadre_id", NULL};
    struct bm_household h;
    struct bm_user u;
    struct bm_err e;
    json_t *body, *cj;
    int64_t id, version, cadre = 0;
    enum bm_rc rc;

    rc = bm_req_param_id(rq, 0, &id);
    if (rc == BM_OK)
        rc = bm_store_household_get(rq->store, id, rq->arena, &h, &rq->err);
    if (rc == BM_OK &&
        !bm_access_in_scope(&rq->who, BM_PERM_PARTICIPATION_WRITE, h.village_path))
        rc = bm_err_set(&rq->err, BM_ENOTFOUND, "住户不存在");
    if (rc == BM_OK)
        rc = bm_req_if_match(rq, &version);
    if (rc == BM_OK)
        rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, fields);
    if (rc != BM_OK)
        return rc;
    cj = json_object_get(body, "cadre_id");
    if (cj == NULL)
        return bm_err_field(&rq->err, "cadre_id", "请指定联系干部（null 表示取消）");
    if (!json_is_null(cj)) {
        if (!json_is_integer(cj) || json_integer_value(cj) <= 0)
            return bm_err_field(&rq->err, "cadre_id", "应为工作人员的用户编号或 null");
        cadre = json_integer_value(cj);
        bm_err_clear(&e);
        if (bm_store_user_get(rq->store, cadre, rq->arena, &u, &e) != BM_OK ||
            !bm_household_cadre_fits(u.roles, u.is_active, u.org_path, h.village_path))
            return bm_err_field(&rq->err, "cadre_id", "联系干部应为本乡镇在岗的工作人员");
    }
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_household_assign(rq->store, h.id, version, cadre, rq->now, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "household.assign", "household", h.id,
                          json_pack("{s:[o,o]}", "cadre_id",
                                    h.cadre_id ? json_integer(h.cadre_id) : json_null(),
                                    cadre ? json_integer(cadre) : json_null()));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_household_get(rq->store, h.id, rq->arena, &h, &rq->err);
    return rc == BM_OK ? bm_json_reply(rq, rs, 200, household_json(&h)) : rc;
}

static json_t *
coverage_json(int64_t households, int64_t covered)
{
    double rate = bm_coverage_rate(covered, households);
    char text[16];

    snprintf(text, sizeof(text), "%.2f%%", rate * 100.0);
    return json_pack("{s:I,s:I,s:I,s:o,s:o}", "households", (json_int_t)households, "covered",
                     (json_int_t)covered, "uncovered", (json_int_t)(households - covered),
                     "coverage_rate", rate < 0 ? json_null() : json_real(rate), "coverage_text",
                     rate < 0 ? json_null() : json_string(text));
}

enum bm_rc
bm_api_households_coverage(struct bm_req *rq, struct bm_resp *rs)
{
    const char *scope = bm_api_part_scope(rq, BM_PERM_PARTICIPATION_READ);
    struct bm_coverage_row *rows;
    int64_t total = 0, covered = 0;
    json_t *items, *root;
    size_t n = 0;
    enum bm_rc rc;

    if (scope == NULL)
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "您没有可查看的范围");
    rc = bm_store_households_coverage(rq->store, scope, rq->arena, &rows, &n, &rq->err);
    if (rc != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *j = coverage_json(rows[i].households, rows[i].covered);
        json_object_set_new(j, "village_id", json_integer(rows[i].village_id));
        json_object_set_new(j, "village_name", json_string(rows[i].village_name));
        json_array_append_new(items, j);
        total += rows[i].households;
        covered += rows[i].covered;
    }
    root = json_pack("{s:o,s:n,s:o}", "items", items, "next_cursor", "total",
                     coverage_json(total, covered));
    return bm_json_reply(rq, rs, 200, root);
}
