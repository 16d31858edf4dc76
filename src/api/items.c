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
#include "util/parse.h"

/* ---- JSON out ---- */

static json_t *
code_json(const struct bm_code *table, int i)
{
    return json_string(i >= 0 ? table[i].code : "");
}

static json_t *
bits_json(const struct bm_code *table, unsigned bits)
{
    json_t *a = json_array();
    for (size_t i = 0; table[i].code != NULL; i++)
        if (bits & (1u << i))
            json_array_append_new(a, json_string(table[i].code));
    return a;
}

json_t *
bm_api_item_json(const struct bm_item *it, bool full)
{
    json_t *j = json_object();

    json_object_set_new(j, "id", json_integer(it->id));
    json_object_set_new(j, "code", json_string(it->code));
    json_object_set_new(j, "name", json_string(it->name));
    json_object_set_new(j, "type", code_json(bm_item_types, it->type));
    json_object_set_new(j, "type_name", json_string(bm_item_types[it->type].zh));
    json_object_set_new(j, "category", code_json(bm_item_categories, it->category));
    json_object_set_new(j, "category_name", json_string(bm_item_categories[it->category].zh));
    json_object_set_new(j, "service_objects", bits_json(bm_item_objects, it->objects));
    json_object_set_new(j, "implementing_unit_id", json_integer(it->implementing_unit_id));
    json_object_set_new(j, "implementing_unit_name", json_string(it->unit_name ? it->unit_name : ""));
    json_object_set_new(j, "level", code_json(bm_item_levels, it->level));
    json_object_set_new(j, "legal_days", json_integer(it->legal_days));
    json_object_set_new(j, "promised_days", json_integer(it->promised_days));
    json_object_set_new(j, "case_kind", code_json(bm_item_case_kinds, it->case_kind));
    json_object_set_new(j, "visits", json_integer(it->visits));
    json_object_set_new(j, "online_depth", json_integer(it->online_depth));
    json_object_set_new(j, "county_wide", json_boolean(it->county_wide));
    json_object_set_new(j, "is_fee", json_boolean(it->is_fee));
    json_object_set_new(j, "status", code_json(bm_item_statuses, it->status));
    json_object_set_new(j, "item_version", json_integer(it->item_version));
    json_object_set_new(j, "version", json_integer(it->version));
    json_object_set_new(j, "published_at", bm_json_time(it->published_at));
    if (!full)
        return j;
    json_object_set_new(j, "catalog_code", json_string(it->catalog_code));
    json_object_set_new(j, "conditions", json_string(it->conditions));
    json_object_set_new(j, "legal_basis", json_string(it->legal_basis));
    json_object_set_new(j, "process", json_string(it->process));
    json_object_set_new(j, "faq", json_string(it->faq));
    json_object_set_new(j, "keywords", json_string(it->keywords));
    json_object_set_new(j, "fee_standard", json_string(it->fee_standard));
    json_object_set_new(j, "fee_basis", json_string(it->fee_basis));
    json_object_set_new(j, "visits_reason", json_string(it->visits_reason));
    json_object_set_new(j, "online_url", json_string(it->online_url));
    json_object_set_new(j, "needs_approval", json_boolean(it->needs_approval));
    json_object_set_new(j, "result_name", json_string(it->result_name));
    json_object_set_new(j, "result_type", code_json(bm_item_results, it->result_type));
    json_object_set_new(j, "delivery_methods", bits_json(bm_item_deliveries, it->deliveries));
    json_object_set_new(j, "consult_phone", json_string(it->consult_phone));
    json_object_set_new(j, "complaint_phone", json_string(it->complaint_phone));
    json_object_set_new(j, "window_address", json_string(it->window_address));
    json_object_set_new(j, "office_hours", json_string(it->office_hours));
    json_object_set_new(j, "created_at", bm_json_time(it->created_at));
    json_object_set_new(j, "updated_at", bm_json_time(it->updated_at));
    json_object_set_new(j, "retired_at", bm_json_time(it->retired_at));
    {
        json_t *ms = json_array();
        for (size_t i = 0; i < it->n_materials; i++) {
            const struct bm_material *m = &it->materials[i];
            json_array_append_new(
                ms, json_pack("{s:s,s:b,s:i,s:i,s:s,s:s,s:s,s:s}", "name", m->name, "required",
                              m->required, "original_count", m->original_count, "copy_count",
                              m->copy_count, "source", bm_material_sources[m->source].code,
                              "source_name", bm_material_sources[m->source].zh, "notes",
                              m->notes ? m->notes : "", "form_url", m->form_url ? m->form_url : ""));
        }
        json_object_set_new(j, "materials", ms);
    }
    return j;
}

/* ---- JSON in ---- */

static const char *const item_fields[] = {
    "code", "catalog_code", "name", "type", "category", "service_objects", "implementing_unit_id",
    "level", "conditions", "legal_basis", "process", "faq", "keywords", "legal_days",
    "promised_days", "case_kind", "is_fee", "fee_standard", "fee_basis", "visits", "visits_reason",
    "online_depth", "online_url", "county_wide", "needs_approval", "result_name", "result_type",
    "delivery_methods", "consult_phone", "complaint_phone", "window_address", "office_hours",
    "materials", NULL};

static void
get_code(struct bm_req *rq, json_t *b, const char *key, const struct bm_code *table, int *out)
{
    const char *s = NULL;
    bool present;
    if (bm_json_get_str(rq, b, key, false, 40, &s, &present) == BM_OK && present) {
        int i = bm_code_find(table, s);
        if (i < 0)
            (void)bm_err_field(&rq->err, key, "未知的取值“%s”", s);
        else
            *out = i;
    }
}

static void
get_bits(struct bm_req *rq, json_t *b, const char *key, const struct bm_code *table, unsigned *out)
{
    json_t *v = json_object_get(b, key), *e;
    unsigned bits = 0;
    size_t i;

    if (v == NULL || json_is_null(v))
        return;
    if (!json_is_array(v)) {
        (void)bm_err_field(&rq->err, key, "应为代码数组");
        return;
    }
    json_array_foreach(v, i, e) {
        int k = json_is_string(e) ? bm_code_find(table, json_string_value(e)) : -1;
        if (k < 0) {
            (void)bm_err_field(&rq->err, key, "第 %zu 项不是有效的代码", i + 1);
            return;
        }
        bits |= 1u << k;
    }
    *out = bits;
}

static void
get_text(struct bm_req *rq, json_t *b, const char *key, size_t max, const char **out)
{
    (void)bm_json_get_str(rq, b, key, false, max, out, NULL);
}

static void
get_int(struct bm_req *rq, json_t *b, const char *key, int64_t lo, int64_t hi, int *out)
{
    int64_t v;
    bool present;
    if (bm_json_get_int(rq, b, key, false, lo, hi, &v, &present) == BM_OK && present)
        *out = (int)v;
}

static void
get_bool(struct bm_req *rq, json_t *b, const char *key, bool *out)
{
    (void)bm_json_get_bool(rq, b, key, false, out, NULL);
}

static void
get_materials(struct bm_req *rq, json_t *b, struct bm_item *it)
{
    static const char *const fields[] = {"name",  "required", "original_count", "copy_count",
                                         "source", "notes",   "form_url",       NULL};
    json_t *v = json_object_get(b, "materials"), *e;
    size_t i;

    if (v == NULL || json_is_null(v))
        return;
    if (!json_is_array(v) || json_array_size(v) > BM_ITEM_MAX_MATERIALS) {
        (void)bm_err_field(&rq->err, "materials", "应为不超过%d项的材料数组", BM_ITEM_MAX_MATERIALS);
        return;
    }
    it->n_materials = json_array_size(v);
    it->materials = bm_arena_alloc(rq->arena, sizeof(*it->materials) * (it->n_materials + 1));
    if (it->materials == NULL) {
        (void)bm_err_field(&rq->err, "materials", "材料过多");
        return;
    }
    json_array_foreach(v, i, e) {
        struct bm_material *m = &it->materials[i];
        const char *src = "applicant";
        char f[48];
        int64_t n;

        m->required = true;
        m->original_count = 1;
        m->notes = m->form_url = "";
        snprintf(f, sizeof(f), "materials[%zu]", i);
        if (!json_is_object(e) || bm_json_only(rq, e, fields) != BM_OK) {
            (void)bm_err_field(&rq->err, f, "材料应为对象，且只能包含 name、required、"
                                            "original_count、copy_count、source、notes、form_url");
            continue;
        }
        m->name = json_string_value(json_object_get(e, "name"));
        if (m->name == NULL)
            m->name = "";
        if (json_object_get(e, "required"))
            m->required = json_is_true(json_object_get(e, "required"));
        if (json_is_integer(json_object_get(e, "original_count")))
            m->original_count = (int)json_integer_value(json_object_get(e, "original_count"));
        if (json_is_integer((json_object_get(e, "copy_count"))))
            m->copy_count = (int)json_integer_value(json_object_get(e, "copy_count"));
        n = json_is_string(json_object_get(e, "source"))
                ? bm_code_find(bm_material_sources, json_string_value(json_object_get(e, "source")))
                : json_object_get(e, "source") ? -1 : bm_code_find(bm_material_sources, src);
        m->source = (int)n;
        if (json_is_string(json_object_get(e, "notes")))
            m->notes = json_string_value(json_object_get(e, "notes"));
        if (json_is_string(json_object_get(e, "form_url")))
            m->form_url = json_string_value(json_object_get(e, "form_url"));
    }
}

/* Applies the fields present in `b` to `it` (all of them, for a new item). */
static void
read_item(struct bm_req *rq, json_t *b, struct bm_item *it)
{
    int64_t unit;
    bool present;

    get_text(rq, b, "catalog_code", 12, &it->catalog_code);
    get_text(rq, b, "name", 200, &it->name);
    get_code(rq, b, "type", bm_item_types, &it->type);
    get_code(rq, b, "category", bm_item_categories, &it->category);
    get_bits(rq, b, "service_objects", bm_item_objects, &it->objects);
    if (bm_json_get_int(rq, b, "implementing_unit_id", false, 1, INT64_MAX, &unit, &present) ==
            BM_OK &&
        present)
        it->implementing_unit_id = unit;
    get_code(rq, b, "level", bm_item_levels, &it->level);
    get_text(rq, b, "conditions", 4000, &it->conditions);
    get_text(rq, b, "legal_basis", 4000, &it->legal_basis);
    get_text(rq, b, "process", 4000, &it->process);
    get_text(rq, b, "faq", 4000, &it->faq);
    get_text(rq, b, "keywords", 200, &it->keywords);
    get_int(rq, b, "legal_days", 0, 365, &it->legal_days);
    get_int(rq, b, "promised_days", 0, 365, &it->promised_days);
    get_code(rq, b, "case_kind", bm_item_case_kinds, &it->case_kind);
    get_bool(rq, b, "is_fee", &it->is_fee);
    get_text(rq, b, "fee_standard", 1000, &it->fee_standard);
    get_text(rq, b, "fee_basis", 1000, &it->fee_basis);
    get_int(rq, b, "visits", 0, 9, &it->visits);
    get_text(rq, b, "visits_reason", 500, &it->visits_reason);
    get_int(rq, b, "online_depth", 0, BM_ONLINE_DEPTH_FULL, &it->online_depth);
    get_text(rq, b, "online_url", 500, &it->online_url);
    get_bool(rq, b, "county_wide", &it->county_wide);
    get_bool(rq, b, "needs_approval", &it->needs_approval);
    get_text(rq, b, "result_name", 200, &it->result_name);
    get_code(rq, b, "result_type", bm_item_results, &it->result_type);
    get_bits(rq, b, "delivery_methods", bm_item_deliveries, &it->deliveries);
    get_text(rq, b, "consult_phone", 20, &it->consult_phone);
    get_text(rq, b, "complaint_phone", 20, &it->complaint_phone);
    get_text(rq, b, "window_address", 200, &it->window_address);
    get_text(rq, b, "office_hours", 200, &it->office_hours);
    get_materials(rq, b, it);
}

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
        json_array_append_new(items, bm_api_item_json(&its[i], false));
    /* Ranked results page by offset: the cursor is the offset of the next page. */
    return bm_json_page(rq, rs, items, (int)n > q.limit, q.offset + q.limit);
}

enum bm_rc
bm_api_items_get(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_item it;
    enum bm_rc rc = load(rq, &it);
    return rc == BM_OK ? bm_json_reply(rq, rs, 200, bm_api_item_json(&it, true)) : rc;
}

enum bm_rc
bm_api_items_create(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_item it;
    json_t *body;
    int last = 0;
    int64_t id;
    enum bm_rc rc;

    memset(&it, 0, sizeof(it));
    it.type = it.category = -1;
    it.level = bm_code_find(bm_item_levels, "township");
    it.result_type = bm_code_find(bm_item_results, "other");
    it.case_kind = -1;
    it.objects = BM_OBJECT_NATURAL;
    it.deliveries = BM_DELIVERY_WINDOW;
    it.visits = 1;
    it.legal_days = it.promised_days = -1;
    it.status = BM_ITEM_DRAFT;
    rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, item_fields);
    if (rc != BM_OK)
        return rc;
    (void)bm_json_get_str(rq, body, "code", true, 36, &it.code, NULL);
    if (json_object_get(body, "name") == NULL)
        (void)bm_err_field(&rq->err, "name", "必填");
    if (json_object_get(body, "promised_days") == NULL)
        (void)bm_err_field(&rq->err, "promised_days", "必填");
    read_item(rq, body, &it);
    /* 即办件 follows from a promise of 0 unless stated. */
    if (it.case_kind < 0 && it.promised_days >= 0)
        it.case_kind = it.promised_days == 0 ? BM_CASE_KIND_IMMEDIATE : BM_CASE_KIND_PROMISED;
    if (it.legal_days < 0)
        it.legal_days = it.promised_days;
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
    return bm_json_reply(rq, rs, 201, bm_api_item_json(&it, true));
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
        rc = bm_json_only(rq, body, item_fields);
    if (rc != BM_OK)
        return rc;
    read_item(rq, body, &it);
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
    return bm_json_reply(rq, rs, status, bm_api_item_json(&it, true));
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
    return rc == BM_OK ? bm_json_reply(rq, rs, 200, bm_api_item_json(&it, true)) : rc;
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
            json_array_append_new(items, bm_api_item_json(&vs[i], false));
    return bm_json_page(rq, rs, items, false, 0);
}
