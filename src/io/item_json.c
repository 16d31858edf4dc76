/*
 * Item JSON decoding and encoding, shared by the API and catalog import/export.
 */
#include "io/item_json.h"

#include <stdio.h>
#include <string.h>

#include "util/time.h"
#include "util/utf8.h"

static json_t *
time_json(int64_t t)
{
    char buf[40];
    if (t == 0)
        return json_null();
    bm_time_rfc3339(t, buf, sizeof(buf));
    return json_string(buf);
}

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
bm_io_item_json(const struct bm_item *it, bool full)
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
    json_object_set_new(j, "published_at", time_json(it->published_at));
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
    json_object_set_new(j, "created_at", time_json(it->created_at));
    json_object_set_new(j, "updated_at", time_json(it->updated_at));
    json_object_set_new(j, "retired_at", time_json(it->retired_at));
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

const char *const bm_io_item_fields[] = {
    "code", "catalog_code", "name", "type", "category", "service_objects", "implementing_unit_id",
    "level", "conditions", "legal_basis", "process", "faq", "keywords", "legal_days",
    "promised_days", "case_kind", "is_fee", "fee_standard", "fee_basis", "visits", "visits_reason",
    "online_depth", "online_url", "county_wide", "needs_approval", "result_name", "result_type",
    "delivery_methods", "consult_phone", "complaint_phone", "window_address", "office_hours",
    "materials", NULL};

struct ctx {
    json_t *obj;
    const char *prefix;
    struct bm_err *err;
};

static void
bad(struct ctx *c, const char *key, const char *msg)
{
    char f[96];
    snprintf(f, sizeof(f), "%s%s", c->prefix, key);
    (void)bm_err_field(c->err, f, "%s", msg);
}

/* The value of `key` unless absent or null. */
static json_t *
val(struct ctx *c, const char *key)
{
    json_t *v = json_object_get(c->obj, key);
    return json_is_null(v) ? NULL : v;
}

static void
get_text(struct ctx *c, const char *key, size_t max_chars, const char **out)
{
    json_t *v = val(c, key);
    if (v == NULL)
        return;
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
        bad(c, key, "应为字符串");
    else if (bm_utf8_count(json_string_value(v)) > max_chars)
        bad(c, key, "内容过长");
    else
        *out = json_string_value(v);
}

static void
get_int(struct ctx *c, const char *key, int lo, int hi, int *out)
{
    json_t *v = val(c, key);
    if (v == NULL)
        return;
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
        char m[64];
        snprintf(m, sizeof(m), "应为%d至%d之间的整数", lo, hi);
        bad(c, key, m);
    } else {
        *out = (int)json_integer_value(v);
    }
}

static void
get_bool(struct ctx *c, const char *key, bool *out)
{
    json_t *v = val(c, key);
    if (v == NULL)
        return;
    if (!json_is_boolean(v))
        bad(c, key, "应为 true 或 false");
    else
        *out = json_is_true(v);
}

static void
get_code(struct ctx *c, const char *key, const struct bm_code *table, int *out)
{
    json_t *v = val(c, key);
    int i;
    if (v == NULL)
        return;
    if (!json_is_string(v) || (i = bm_code_find(table, json_string_value(v))) < 0)
        bad(c, key, "不是有效的代码");
    else
        *out = i;
}

static void
get_bits(struct ctx *c, const char *key, const struct bm_code *table, unsigned *out)
{
    json_t *v = val(c, key), *e;
    unsigned bits = 0;
    size_t i;

    if (v == NULL)
        return;
    if (!json_is_array(v)) {
        bad(c, key, "应为代码数组");
        return;
    }
    json_array_foreach(v, i, e) {
        int k = json_is_string(e) ? bm_code_find(table, json_string_value(e)) : -1;
        if (k < 0) {
            bad(c, key, "含有无效的代码");
            return;
        }
        bits |= 1u << k;
    }
    *out = bits;
}

static void
get_materials(struct ctx *c, struct bm_arena *a, struct bm_item *it)
{
    static const char *const fields[] = {"name",  "required", "original_count", "copy_count",
                                         "source", "notes",   "form_url",       NULL};
    json_t *v = val(c, "materials"), *e;
    size_t i;

    if (v == NULL)
        return;
    if (!json_is_array(v) || json_array_size(v) > BM_ITEM_MAX_MATERIALS) {
        bad(c, "materials", "应为不超过64项的材料数组");
        return;
    }
    it->n_materials = json_array_size(v);
    it->materials = bm_arena_alloc(a, sizeof(*it->materials) * (it->n_materials + 1));
    if (it->materials == NULL) {
        it->n_materials = 0;
        bad(c, "materials", "材料过多");
        return;
    }
    json_array_foreach(v, i, e) {
        struct bm_material *m = &it->materials[i];
        char p[64];
        struct ctx mc;
        const char *key;
        json_t *unused;

        snprintf(p, sizeof(p), "%smaterials[%zu].", c->prefix, i);
        mc.obj = e;
        mc.prefix = p;
        mc.err = c->err;
        m->name = "";
        m->required = true;
        m->original_count = 1;
        m->source = BM_SOURCE_APPLICANT;
        m->notes = m->form_url = "";
        if (!json_is_object(e)) {
            bad(&mc, "name", "材料应为对象");
            continue;
        }
        json_object_foreach(e, key, unused) {
            const char *const *f;
            for (f = fields; *f && strcmp(*f, key) != 0; f++)
                ;
            if (*f == NULL)
                bad(&mc, key, "未知字段");
        }
        get_text(&mc, "name", 200, &m->name);
        get_bool(&mc, "required", &m->required);
        get_int(&mc, "original_count", 0, 99, &m->original_count);
        get_int(&mc, "copy_count", 0, 99, &m->copy_count);
        get_code(&mc, "source", bm_material_sources, &m->source);
        get_text(&mc, "notes", 500, &m->notes);
        get_text(&mc, "form_url", 500, &m->form_url);
    }
}

void
bm_io_item_defaults(struct bm_item *it)
{
    memset(it, 0, sizeof(*it));
    it->code = it->catalog_code = it->name = "";
    it->conditions = it->legal_basis = it->process = it->faq = it->keywords = "";
    it->fee_standard = it->fee_basis = it->visits_reason = it->online_url = "";
    it->result_name = it->consult_phone = it->complaint_phone = "";
    it->window_address = it->office_hours = it->unit_name = it->unit_path = "";
    it->type = it->category = -1;
    it->level = bm_code_find(bm_item_levels, "township");
    it->result_type = bm_code_find(bm_item_results, "other");
    it->case_kind = -1;
    it->objects = BM_OBJECT_NATURAL;
    it->deliveries = BM_DELIVERY_WINDOW;
    it->visits = 1;
    it->legal_days = it->promised_days = -1;
    it->status = BM_ITEM_DRAFT;
}

void
bm_io_item_read(json_t *obj, struct bm_arena *a, const char *prefix, struct bm_item *it,
                struct bm_err *err)
{
    struct ctx c = {obj, prefix, err};
    json_t *unit = val(&c, "implementing_unit_id");

    get_text(&c, "code", 36, &it->code);
    get_text(&c, "catalog_code", 12, &it->catalog_code);
    get_text(&c, "name", 200, &it->name);
    get_code(&c, "type", bm_item_types, &it->type);
    get_code(&c, "category", bm_item_categories, &it->category);
    get_bits(&c, "service_objects", bm_item_objects, &it->objects);
    if (unit != NULL && (!json_is_integer(unit) || json_integer_value(unit) < 1))
        bad(&c, "implementing_unit_id", "应为单位编号");
    else if (unit != NULL)
        it->implementing_unit_id = json_integer_value(unit);
    get_code(&c, "level", bm_item_levels, &it->level);
    get_text(&c, "conditions", 4000, &it->conditions);
    get_text(&c, "legal_basis", 4000, &it->legal_basis);
    get_text(&c, "process", 4000, &it->process);
    get_text(&c, "faq", 4000, &it->faq);
    get_text(&c, "keywords", 200, &it->keywords);
    get_int(&c, "legal_days", 0, 365, &it->legal_days);
    get_int(&c, "promised_days", 0, 365, &it->promised_days);
    get_code(&c, "case_kind", bm_item_case_kinds, &it->case_kind);
    get_bool(&c, "is_fee", &it->is_fee);
    get_text(&c, "fee_standard", 1000, &it->fee_standard);
    get_text(&c, "fee_basis", 1000, &it->fee_basis);
    get_int(&c, "visits", 0, 9, &it->visits);
    get_text(&c, "visits_reason", 500, &it->visits_reason);
    get_int(&c, "online_depth", 0, BM_ONLINE_DEPTH_FULL, &it->online_depth);
    get_text(&c, "online_url", 500, &it->online_url);
    get_bool(&c, "county_wide", &it->county_wide);
    get_bool(&c, "needs_approval", &it->needs_approval);
    get_text(&c, "result_name", 200, &it->result_name);
    get_code(&c, "result_type", bm_item_results, &it->result_type);
    get_bits(&c, "delivery_methods", bm_item_deliveries, &it->deliveries);
    get_text(&c, "consult_phone", 20, &it->consult_phone);
    get_text(&c, "complaint_phone", 20, &it->complaint_phone);
    get_text(&c, "window_address", 200, &it->window_address);
    get_text(&c, "office_hours", 200, &it->office_hours);
    get_materials(&c, a, it);
    /* 即办件 follows from a promise of 0 unless stated; the statutory limit defaults to it. */
    if (it->case_kind < 0 && it->promised_days >= 0)
        it->case_kind = it->promised_days == 0 ? BM_CASE_KIND_IMMEDIATE : BM_CASE_KIND_PROMISED;
    if (it->legal_days < 0 && it->promised_days >= 0)
        it->legal_days = it->promised_days;
}
