/*
 * Catalog import and export.
 */
#include "io/catalog.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "io/item_json.h"
#include "io/xlsx.h"
#include "io/xlsx_out.h"
#include "util/parse.h"
#include <unistd.h>
#include <xlsxwriter.h>
#include "util/buf.h"
#include "util/time.h"

#define MAX_REPORT_LINES 500

enum bm_rc
bm_io_units_load(struct bm_store *st, struct bm_arena *a, struct bm_io_units *out,
                 struct bm_err *err)
{
    return bm_store_org_list(st, "", a, &out->units, &out->n, err);
}

static const struct bm_org_unit *
unit_by_id(const struct bm_io_units *u, int64_t id)
{
    for (size_t i = 0; u != NULL && i < u->n; i++)
        if (u->units[i].id == id)
            return &u->units[i];
    return NULL;
}

/*
 * A unit by name, or by "parent name/name" where names repeat (every township has a
 * 社会事务办公室). A name that fits several units and has no parent part finds none.
 */
static const struct bm_org_unit *
unit_by_name(const struct bm_io_units *u, const char *name, int kind)
{
    const char *slash = name ? strchr(name, '/') : NULL;
    const struct bm_org_unit *found = NULL;

    for (size_t i = 0; u != NULL && name != NULL && i < u->n; i++) {
        const struct bm_org_unit *o = &u->units[i];
        if (kind >= 0 && (int)o->kind != kind)
            continue;
        if (slash == NULL ? strcmp(o->name, name) != 0
                          : strcmp(o->name, slash + 1) != 0 || unit_by_id(u, o->parent_id) == NULL ||
                                strncmp(unit_by_id(u, o->parent_id)->name, name,
                                        (size_t)(slash - name)) != 0 ||
                                unit_by_id(u, o->parent_id)->name[slash - name] != '\0')
            continue;
        if (found != NULL)
            return NULL; /* ambiguous */
        found = o;
    }
    return found;
}

/* The name an export writes: unique names as they are, repeated ones with their parent. */
static const char *
unit_ref(const struct bm_io_units *u, const struct bm_org_unit *o, struct bm_arena *a)
{
    const struct bm_org_unit *parent;
    if (o == NULL)
        return "";
    if (unit_by_name(u, o->name, -1) == o || (parent = unit_by_id(u, o->parent_id)) == NULL)
        return o->name;
    return bm_arena_printf(a, "%s/%s", parent->name, o->name);
}

static void
field(struct bm_err *err, const char *prefix, const char *key, const char *msg)
{
    char f[96];
    snprintf(f, sizeof(f), "%s%s", prefix, key);
    (void)bm_err_field(err, f, "%s", msg);
}

static const char *
str(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Every text field present in `obj` must be a string (null counts as absent). */
static void
texts_are_strings(json_t *obj, const char *const *keys, const char *prefix, struct bm_err *err)
{
    for (const char *const *k = keys; *k; k++) {
        json_t *v = json_object_get(obj, *k);
        if (v != NULL && !json_is_null(v) && !json_is_string(v))
            field(err, prefix, *k, "应为字符串");
    }
}

static void
only(json_t *obj, const char *const *allowed, const char *prefix, struct bm_err *err)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        const char *const *a;
        for (a = allowed; *a && strcmp(*a, key) != 0; a++)
            ;
        if (*a == NULL)
            field(err, prefix, key, "未知字段");
    }
}

/* ---- delegations ---- */

static const char *const delegation_fields[] = {
    "name", "from_unit_id", "from_department", "township_ids", "townships", "legal_basis",
    "approval_document", "approval_date", "procedure", "department_responsibility",
    "township_responsibility", NULL};

void
bm_io_delegation_read(json_t *obj, const struct bm_io_units *u, const char *prefix,
                      struct bm_delegation *d, struct bm_err *err)
{
    json_t *ids = json_object_get(obj, "township_ids"), *names = json_object_get(obj, "townships");
    const struct bm_org_unit *dep = NULL;
    json_t *e;
    size_t i;

    static const char *const text_keys[] = {"name", "from_department", "legal_basis",
                                            "approval_document", "approval_date", "procedure",
                                            "department_responsibility",
                                            "township_responsibility", NULL};
    memset(d, 0, sizeof(*d));
    only(obj, delegation_fields, prefix, err);
    texts_are_strings(obj, text_keys, prefix, err);
    d->name = str(obj, "name");
    d->legal_basis = str(obj, "legal_basis");
    d->approval_document = str(obj, "approval_document");
    d->approval_date = str(obj, "approval_date");
    d->procedure = str(obj, "procedure") ? str(obj, "procedure") : "";
    d->department_responsibility =
        str(obj, "department_responsibility") ? str(obj, "department_responsibility") : "";
    d->township_responsibility =
        str(obj, "township_responsibility") ? str(obj, "township_responsibility") : "";
    d->is_active = true;
    if (json_is_integer(json_object_get(obj, "from_unit_id")))
        dep = unit_by_id(u, json_integer_value(json_object_get(obj, "from_unit_id")));
    else if (str(obj, "from_department") != NULL)
        dep = unit_by_name(u, str(obj, "from_department"), BM_ORG_DEPARTMENT);
    if (dep == NULL || dep->kind != BM_ORG_DEPARTMENT)
        field(err, prefix, "from_unit_id", "下放权力的单位应为本县的县直部门");
    else
        d->from_unit_id = dep->id;
    if (json_is_array(names) && json_array_size(names) == 1 &&
        json_is_string(json_array_get(names, 0)) &&
        strcmp(json_string_value(json_array_get(names, 0)), "*") == 0) {
        /* Every township of the county. */
        for (i = 0; u && i < u->n && d->n_townships < BM_DELEGATION_MAX_TOWNSHIPS; i++)
            if (u->units[i].kind == BM_ORG_TOWNSHIP)
                d->township_ids[d->n_townships++] = u->units[i].id;
    } else if (json_is_array(ids) || json_is_array(names)) {
        json_array_foreach(ids ? ids : names, i, e) {
            const struct bm_org_unit *t =
                ids ? (json_is_integer(e) ? unit_by_id(u, json_integer_value(e)) : NULL)
                    : (json_is_string(e) ? unit_by_name(u, json_string_value(e), BM_ORG_TOWNSHIP)
                                         : NULL);
            if (t == NULL || t->kind != BM_ORG_TOWNSHIP ||
                d->n_townships >= BM_DELEGATION_MAX_TOWNSHIPS) {
                field(err, prefix, ids ? "township_ids" : "townships", "含有不存在的乡镇");
                break;
            }
            d->township_ids[d->n_townships++] = t->id;
        }
    }
    if (d->name == NULL)
        d->name = "";
    if (d->legal_basis == NULL)
        d->legal_basis = "";
    if (d->approval_document == NULL)
        d->approval_document = "";
    if (d->approval_date == NULL)
        d->approval_date = "";
    if (err->n_fields == 0) {
        struct bm_err e2;
        bm_err_clear(&e2);
        if (bm_delegation_check(d, &e2) != BM_OK)
            for (int k = 0; k < e2.n_fields && k < BM_ERR_FIELDS; k++)
                field(err, prefix, e2.fields[k].field, e2.fields[k].message);
    }
}

json_t *
bm_io_delegation_json(const struct bm_delegation *d)
{
    json_t *towns = json_array(), *ids = json_array();
    for (size_t i = 0; i < d->n_townships; i++) {
        json_array_append_new(ids, json_integer(d->township_ids[i]));
        json_array_append_new(towns, json_string(d->township_names[i] ? d->township_names[i] : ""));
    }
    return json_pack("{s:I,s:s,s:I,s:s,s:o,s:o,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I}", "id",
                     (json_int_t)d->id, "name", d->name, "from_unit_id",
                     (json_int_t)d->from_unit_id, "from_department",
                     d->from_unit_name ? d->from_unit_name : "", "township_ids", ids, "townships",
                     towns, "legal_basis", d->legal_basis, "approval_document",
                     d->approval_document, "approval_date", d->approval_date, "procedure",
                     d->procedure, "department_responsibility", d->department_responsibility,
                     "township_responsibility", d->township_responsibility, "status",
                     d->is_active ? "active" : "revoked", "version", (json_int_t)d->version);
}

/* ---- powers ---- */

static const char *const power_fields[] = {"township_id", "township",       "name",
                                           "type",        "legal_basis",    "responsibilities",
                                           "accountability", NULL};

void
bm_io_power_read(json_t *obj, const struct bm_io_units *u, struct bm_arena *a, const char *prefix,
                 struct bm_power *p, struct bm_err *err)
{
    json_t *resp = json_object_get(obj, "responsibilities"), *acc = json_object_get(obj, "accountability"),
           *e;
    const struct bm_org_unit *t = NULL;
    size_t i;
    char *text;

    static const char *const text_keys[] = {"township", "name", "type", "legal_basis", NULL};
    memset(p, 0, sizeof(*p));
    only(obj, power_fields, prefix, err);
    texts_are_strings(obj, text_keys, prefix, err);
    p->name = str(obj, "name") ? str(obj, "name") : "";
    p->legal_basis = str(obj, "legal_basis") ? str(obj, "legal_basis") : "";
    p->type = str(obj, "type") ? bm_code_find(bm_power_types, str(obj, "type")) : -1;
    if (json_is_integer(json_object_get(obj, "township_id")))
        t = unit_by_id(u, json_integer_value(json_object_get(obj, "township_id")));
    else if (str(obj, "township") != NULL)
        t = unit_by_name(u, str(obj, "township"), BM_ORG_TOWNSHIP);
    if (t == NULL || t->kind != BM_ORG_TOWNSHIP)
        field(err, prefix, "township_id", "应为本县的乡镇");
    else
        p->township_id = t->id;
    /* [{"stage", "duty"}, ...] and ["situation", ...]: checked, then kept as JSON text. */
    if (!json_is_array(resp) || json_array_size(resp) == 0 || json_array_size(resp) > 20)
        field(err, prefix, "responsibilities", "应为1至20条责任事项");
    else
        json_array_foreach(resp, i, e) if (!json_is_object(e) || !str(e, "stage") ||
                                           !str(e, "duty") || json_object_size(e) != 2) {
            field(err, prefix, "responsibilities", "每条责任事项应为 {\"stage\", \"duty\"}");
            break;
        }
    if (!json_is_array(acc) || json_array_size(acc) > 40)
        field(err, prefix, "accountability", "应为追责情形的数组");
    else
        json_array_foreach(acc, i, e) if (!json_is_string(e)) {
            field(err, prefix, "accountability", "追责情形应为文字");
            break;
        }
    if (err->n_fields == 0) {
        struct bm_err e2;
        bm_err_clear(&e2);
        if (bm_power_check(p, &e2) != BM_OK)
            for (int k = 0; k < e2.n_fields && k < BM_ERR_FIELDS; k++)
                field(err, prefix, e2.fields[k].field, e2.fields[k].message);
    }
    if (err->n_fields == 0) {
        text = json_dumps(resp, JSON_COMPACT);
        p->responsibilities = text ? bm_arena_strdup(a, text) : NULL;
        free(text);
        text = json_dumps(acc, JSON_COMPACT);
        p->accountability = text ? bm_arena_strdup(a, text) : NULL;
        free(text);
        if (p->responsibilities == NULL || p->accountability == NULL)
            field(err, prefix, "responsibilities", "内容过大");
    }
}

json_t *
bm_io_power_json(const struct bm_power *p)
{
    json_t *resp = json_loads(p->responsibilities, 0, NULL), *acc = json_loads(p->accountability, 0, NULL);
    return json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:I}", "id", (json_int_t)p->id,
                     "township_id", (json_int_t)p->township_id, "township",
                     p->township_name ? p->township_name : "", "name", p->name, "type",
                     bm_power_types[p->type].code, "type_name", bm_power_types[p->type].zh,
                     "legal_basis", p->legal_basis, "responsibilities", resp ? resp : json_array(),
                     "accountability", acc ? acc : json_array(), "version", (json_int_t)p->version);
}

/* ---- import ---- */

static void
report(struct bm_import_report *rep, struct bm_arena *a, const struct bm_err *e, const char *what)
{
    rep->n_errors += e->n_fields > 0 ? e->n_fields : e->message[0] ? 1 : 0;
    for (int k = 0; k < e->n_fields && k < BM_ERR_FIELDS; k++) {
        const char *line;
        if (rep->n_lines >= MAX_REPORT_LINES)
            return;
        line = bm_arena_printf(a, "%s：%s：%s", what, e->fields[k].field, e->fields[k].message);
        if (line != NULL)
            rep->lines[rep->n_lines++] = line;
    }
    if (e->n_fields == 0 && e->message[0] && rep->n_lines < MAX_REPORT_LINES)
        rep->lines[rep->n_lines++] = bm_arena_printf(a, "%s：%s", what, e->message);
}

static const char *const file_fields[] = {"items", "delegations", "powers", NULL};

/* Fields an item record of a file may carry: the API's, plus the unit by name. */
static bool
item_key_known(const char *key)
{
    if (strcmp(key, "implementing_unit") == 0)
        return true;
    for (const char *const *f = bm_io_item_fields; *f; f++)
        if (strcmp(*f, key) == 0)
            return true;
    return false;
}

enum bm_rc
bm_io_catalog_import(struct bm_store *st, const char *text, size_t len, bool publish,
                     const char *actor, int64_t actor_id, int64_t now, struct bm_arena *a,
                     struct bm_import_report *rep, bm_progress_fn progress, void *pctx,
                     struct bm_err *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr), *items, *dels, *pows, *e;
    struct bm_io_units units;
    struct bm_item *its = NULL;
    struct bm_delegation *ds = NULL;
    struct bm_power *ps = NULL;
    size_t i, n_items, n_dels, n_pows, done = 0, total;
    enum bm_rc rc = BM_OK;

    memset(rep, 0, sizeof(*rep));
    rep->lines = bm_arena_alloc(a, sizeof(*rep->lines) * MAX_REPORT_LINES);
    if (root == NULL)
        return bm_err_set(err, BM_EINVAL, "文件不是有效的 JSON（第 %d 行第 %d 列）：%s", jerr.line,
                          jerr.column, jerr.text);
    if (!json_is_object(root)) {
        json_decref(root);
        return bm_err_set(err, BM_EINVAL, "文件应为对象 {\"items\": [...], \"delegations\": [...], "
                                          "\"powers\": [...]}");
    }
    items = json_object_get(root, "items");
    dels = json_object_get(root, "delegations");
    pows = json_object_get(root, "powers");
    n_items = json_array_size(items);
    n_dels = json_array_size(dels);
    n_pows = json_array_size(pows);
    total = n_items + n_dels + n_pows;
    rc = bm_io_units_load(st, a, &units, err);
    if (rc == BM_OK) {
        its = bm_arena_alloc(a, sizeof(*its) * (n_items + 1));
        ds = bm_arena_alloc(a, sizeof(*ds) * (n_dels + 1));
        ps = bm_arena_alloc(a, sizeof(*ps) * (n_pows + 1));
        if (its == NULL || ds == NULL || ps == NULL || rep->lines == NULL)
            rc = bm_err_set(err, BM_ETOOBIG, "文件过大");
    }
    if (rc != BM_OK)
        goto out;
    {
        struct bm_err fe;
        const char *key;
        json_t *v;
        bm_err_clear(&fe);
        only(root, file_fields, "", &fe);
        json_object_foreach(root, key, v) if (!json_is_array(v)) field(&fe, "", key, "应为数组");
        report(rep, a, &fe, "文件");
    }

    /* Pass 1: check everything; write nothing. */
    json_array_foreach(items, i, e) {
        struct bm_err ie;
        char prefix[48], what[96];
        const char *key;
        json_t *v;
        int last = 0;

        bm_err_clear(&ie);
        snprintf(prefix, sizeof(prefix), "items[%zu].", i);
        bm_io_item_defaults(&its[i]);
        if (!json_is_object(e)) {
            field(&ie, prefix, "", "应为对象");
        } else {
            json_object_foreach(e, key, v) if (!item_key_known(key)) field(&ie, prefix, key, "未知字段");
            bm_io_item_read(e, a, prefix, &its[i], &ie);
            if (str(e, "implementing_unit") != NULL) {
                const struct bm_org_unit *o = unit_by_name(&units, str(e, "implementing_unit"), -1);
                if (o == NULL)
                    field(&ie, prefix, "implementing_unit",
                          "找不到该实施主体（重名单位请写成“上级单位/单位名称”）");
                else if (!o->is_active)
                    field(&ie, prefix, "implementing_unit", "该实施主体已停用");
                else
                    its[i].implementing_unit_id = o->id;
            } else if (its[i].implementing_unit_id != 0 &&
                       unit_by_id(&units, its[i].implementing_unit_id) == NULL) {
                field(&ie, prefix, "implementing_unit_id", "找不到该实施主体");
            }
            if (json_object_get(e, "name") == NULL)
                field(&ie, prefix, "name", "必填");
            if (json_object_get(e, "promised_days") == NULL)
                field(&ie, prefix, "promised_days", "必填");
        }
        if (ie.n_fields == 0) {
            struct bm_err ce;
            bm_err_clear(&ce);
            its[i].status = publish ? BM_ITEM_PUBLISHED : BM_ITEM_DRAFT;
            its[i].item_version = 1;
            if ((publish ? bm_item_check_publish(&its[i], &ce) : bm_item_check(&its[i], &ce)) !=
                BM_OK)
                for (int k = 0; k < ce.n_fields && k < BM_ERR_FIELDS; k++)
                    field(&ie, prefix, ce.fields[k].field, ce.fields[k].message);
        }
        for (size_t k = 0; ie.n_fields == 0 && k < i; k++)
            if (strcmp(its[k].code, its[i].code) == 0)
                field(&ie, prefix, "code", "与文件中前面的事项编码重复");
        if (ie.n_fields == 0) {
            rc = bm_store_item_last_version(st, its[i].code, &last, err);
            if (rc != BM_OK)
                goto out;
            if (last > 0)
                field(&ie, prefix, "code", "数据库中已有该编码的事项");
        }
        snprintf(what, sizeof(what), "第 %zu 条事项", i + 1);
        report(rep, a, &ie, what);
        if (progress)
            progress(pctx, ++done, total);
    }
    json_array_foreach(dels, i, e) {
        struct bm_err de;
        char prefix[48], what[64];
        bm_err_clear(&de);
        snprintf(prefix, sizeof(prefix), "delegations[%zu].", i);
        if (json_is_object(e))
            bm_io_delegation_read(e, &units, prefix, &ds[i], &de);
        else
            field(&de, prefix, "", "应为对象");
        snprintf(what, sizeof(what), "第 %zu 条下放事项", i + 1);
        report(rep, a, &de, what);
        if (progress)
            progress(pctx, ++done, total);
    }
    json_array_foreach(pows, i, e) {
        struct bm_err pe;
        char prefix[48], what[64];
        bm_err_clear(&pe);
        snprintf(prefix, sizeof(prefix), "powers[%zu].", i);
        if (json_is_object(e))
            bm_io_power_read(e, &units, a, prefix, &ps[i], &pe);
        else
            field(&pe, prefix, "", "应为对象");
        snprintf(what, sizeof(what), "第 %zu 条权责清单事项", i + 1);
        report(rep, a, &pe, what);
        if (progress)
            progress(pctx, ++done, total);
    }
    rep->items = (int)n_items;
    rep->delegations = (int)n_dels;
    rep->powers = (int)n_pows;
    if (rep->n_errors > 0) {
        rc = bm_err_set(err, BM_EINVAL, "文件中有 %d 处错误，未导入任何数据", rep->n_errors);
        goto out;
    }

    /* Pass 2: one transaction for all of it, an audit entry per record. */
    rc = bm_store_begin(st, err);
    for (i = 0; rc == BM_OK && i < n_items + n_dels + n_pows; i++) {
        struct bm_audit_entry ae;
        int64_t id = 0;
        char detail[256];

        memset(&ae, 0, sizeof(ae));
        if (i < n_items) {
            rc = bm_store_item_insert(st, &its[i], now, &id, err);
            if (rc == BM_OK && publish)
                rc = bm_store_item_set_status(st, id, 0, BM_ITEM_PUBLISHED, now, err);
            ae.action = "item.import";
            ae.object_type = "item";
            snprintf(detail, sizeof(detail), "{\"code\":\"%s\",\"status\":\"%s\"}", its[i].code,
                     publish ? "published" : "draft");
        } else if (i < n_items + n_dels) {
            rc = bm_store_delegation_insert(st, &ds[i - n_items], now, &id, err);
            ae.action = "delegation.import";
            ae.object_type = "delegation";
            snprintf(detail, sizeof(detail), "{\"townships\":%zu}", ds[i - n_items].n_townships);
        } else {
            rc = bm_store_power_insert(st, &ps[i - n_items - n_dels], now, &id, err);
            ae.action = "power.import";
            ae.object_type = "power";
            snprintf(detail, sizeof(detail), "{\"township_id\":%" PRId64 "}",
                     ps[i - n_items - n_dels].township_id);
        }
        if (rc != BM_OK)
            break;
        ae.at = now;
        ae.actor_id = actor_id;
        ae.actor = actor;
        ae.object_id = bm_arena_printf(a, "%" PRId64, id);
        ae.detail = detail;
        rc = bm_store_audit_append(st, &ae, err);
    }
    if (rc == BM_OK)
        rc = bm_store_commit(st, err);
    bm_store_rollback(st);
out:
    json_decref(root);
    return rc;
}

/* ---- export ---- */

static const char *
unit_name(const struct bm_io_units *u, int64_t id)
{
    const struct bm_org_unit *o = unit_by_id(u, id);
    return o ? o->name : "";
}

/* The unit reference of an exported item: one that an import resolves to the same unit. */
static const char *
unit_key(const struct bm_io_units *u, int64_t id, struct bm_arena *a)
{
    return unit_ref(u, unit_by_id(u, id), a);
}

/* Every published item, in full. */
static enum bm_rc
published(struct bm_store *st, struct bm_arena *a, struct bm_item **out, size_t *n,
          struct bm_err *err)
{
    struct bm_item_query q;
    struct bm_item *list;
    size_t m = 0;
    enum bm_rc rc;

    memset(&q, 0, sizeof(q));
    q.category = q.township_path = q.unit_prefix = "";
    q.status = "published";
    q.limit = 100000;
    rc = bm_store_items_search(st, &q, a, &list, &m, err);
    if (rc != BM_OK)
        return rc;
    *out = bm_arena_alloc(a, sizeof(**out) * (m + 1));
    if (*out == NULL)
        return bm_err_set(err, BM_ETOOBIG, "目录过大");
    for (size_t i = 0; rc == BM_OK && i < m; i++)
        rc = bm_store_item_get(st, list[i].id, a, &(*out)[i], err);
    *n = m;
    return rc;
}

/* The published catalog as the import format's JSON tree (new reference in *root). */
static enum bm_rc
catalog_json(struct bm_store *st, struct bm_arena *a, json_t **root_out, struct bm_err *err)
{
    struct bm_io_units units;
    struct bm_item *its;
    struct bm_delegation *ds;
    struct bm_power *ps;
    size_t ni = 0, nd = 0, np = 0;
    json_t *root, *items, *dels, *pows;
    enum bm_rc rc = bm_io_units_load(st, a, &units, err);

    if (rc == BM_OK)
        rc = published(st, a, &its, &ni, err);
    if (rc == BM_OK)
        rc = bm_store_delegations_list(st, a, &ds, &nd, err);
    if (rc == BM_OK)
        rc = bm_store_powers_list(st, 0, a, &ps, &np, err);
    if (rc != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < ni; i++) {
        json_t *j = bm_io_item_json(&its[i], true);
        /* The import format: no ids or history, the unit by name. */
        static const char *const drop[] = {"id", "type_name", "category_name", "status",
                                           "item_version", "version", "published_at",
                                           "created_at", "updated_at", "retired_at",
                                           "implementing_unit_id", "implementing_unit_name", NULL};
        json_object_set_new(j, "implementing_unit",
                            json_string(unit_key(&units, its[i].implementing_unit_id, a)));
        for (const char *const *k = drop; *k; k++)
            json_object_del(j, *k);
        {
            json_t *m;
            size_t x;
            json_array_foreach(json_object_get(j, "materials"), x, m) json_object_del(m, "source_name");
        }
        json_array_append_new(items, j);
    }
    dels = json_array();
    /* The store lists the newest first; a file keeps the order they were made in. */
    for (size_t k = nd; k-- > 0;) {
        json_t *j;
        if (!ds[k].is_active)
            continue;
        j = bm_io_delegation_json(&ds[k]);
        json_object_del(j, "id");
        json_object_del(j, "from_unit_id");
        json_object_del(j, "township_ids");
        json_object_del(j, "status");
        json_object_del(j, "version");
        json_array_append_new(dels, j);
    }
    pows = json_array();
    for (size_t i = 0; i < np; i++) {
        json_t *j = bm_io_power_json(&ps[i]);
        json_object_del(j, "id");
        json_object_del(j, "township_id");
        json_object_del(j, "type_name");
        json_object_del(j, "version");
        json_array_append_new(pows, j);
    }
    root = json_pack("{s:o,s:o,s:o}", "items", items, "delegations", dels, "powers", pows);
    *root_out = root;
    return root ? BM_OK : bm_err_set(err, BM_EINTERNAL, "无法生成导出文件");
}

enum bm_rc
bm_io_catalog_export_json(struct bm_store *st, struct bm_arena *a, char **out, size_t *len,
                          struct bm_err *err)
{
    json_t *root = NULL;
    enum bm_rc rc = catalog_json(st, a, &root, err);

    if (rc != BM_OK)
        return rc;
    *out = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (*out == NULL)
        return bm_err_set(err, BM_EINTERNAL, "无法生成导出文件");
    *len = strlen(*out);
    return BM_OK;
}

/* The item list's columns, shared by the CSV and the spreadsheet export. */
static const char *const item_header[] = {
    "事项编码", "事项名称", "事项类型", "服务类别", "实施主体", "行使层级",
    "法定时限（工作日）", "承诺时限（工作日）", "办件类型", "到现场次数", "网办深度",
    "全县通办", "收费", "受理条件", "设定依据", "申请材料", "咨询电话", "投诉电话", NULL};
#define N_ITEM_COLS 18

/* One item as the export's row of texts (arena strings). */
static enum bm_rc
item_row(const struct bm_item *it, const struct bm_io_units *u, struct bm_arena *a,
         const char *cols[N_ITEM_COLS], struct bm_err *err)
{
    struct bm_buf m;
    enum bm_rc rc = BM_OK;

    bm_buf_init(&m, 1 << 16);
    for (size_t k = 0; rc == BM_OK && k < it->n_materials; k++)
        rc = bm_buf_printf(&m, "%s%s（%s，%s）", k ? "；" : "", it->materials[k].name,
                           it->materials[k].required ? "必要" : "非必要",
                           bm_material_sources[it->materials[k].source].zh);
    cols[0] = it->code;
    cols[1] = it->name;
    cols[2] = bm_item_types[it->type].zh;
    cols[3] = bm_item_categories[it->category].zh;
    cols[4] = unit_name(u, it->implementing_unit_id);
    cols[5] = bm_item_levels[it->level].zh;
    cols[6] = bm_arena_printf(a, "%d", it->legal_days);
    cols[7] = bm_arena_printf(a, "%d", it->promised_days);
    cols[8] = bm_item_case_kinds[it->case_kind].zh;
    cols[9] = bm_arena_printf(a, "%d", it->visits);
    cols[10] = bm_arena_printf(a, "%d", it->online_depth);
    cols[11] = it->county_wide ? "是" : "否";
    cols[12] = it->is_fee ? "是" : "否";
    cols[13] = it->conditions;
    cols[14] = it->legal_basis;
    cols[15] = bm_arena_strdup(a, m.ptr ? m.ptr : "");
    cols[16] = it->consult_phone;
    cols[17] = it->complaint_phone;
    bm_buf_fini(&m);
    for (int k = 0; rc == BM_OK && k < N_ITEM_COLS; k++)
        if (cols[k] == NULL)
            rc = BM_ETOOBIG;
    return rc == BM_OK ? BM_OK : bm_err_set(err, BM_ETOOBIG, "导出内容过大");
}

/*
 * One CSV field: quoted, with inner quotes doubled, and a leading = + - @ neutralised with an
 * apostrophe so that spreadsheet programs do not take the cell for a formula.
 */
static enum bm_rc
csv(struct bm_buf *b, const char *s, bool last)
{
    enum bm_rc rc = bm_buf_puts(b, s && strchr("=+-@", s[0]) && s[0] ? "\"'" : "\"");
    for (const char *p = s ? s : ""; rc == BM_OK && *p; p++)
        rc = *p == '"' ? bm_buf_puts(b, "\"\"") : bm_buf_append(b, p, 1);
    if (rc == BM_OK)
        rc = bm_buf_puts(b, last ? "\"\r\n" : "\",");
    return rc;
}

enum bm_rc
bm_io_catalog_export_csv(struct bm_store *st, struct bm_arena *a, char **out, size_t *len,
                         struct bm_err *err)
{
    struct bm_io_units units;
    struct bm_item *its;
    const char *cols[N_ITEM_COLS];
    size_t n = 0;
    struct bm_buf b;
    enum bm_rc rc = bm_io_units_load(st, a, &units, err);

    if (rc == BM_OK)
        rc = published(st, a, &its, &n, err);
    if (rc != BM_OK)
        return rc;
    bm_buf_init(&b, (size_t)256 << 20);
    rc = bm_buf_puts(&b, "\xef\xbb\xbf"); /* BOM: spreadsheet programs then read UTF-8 */
    for (int k = 0; rc == BM_OK && k < N_ITEM_COLS; k++)
        rc = csv(&b, item_header[k], k == N_ITEM_COLS - 1);
    for (size_t i = 0; rc == BM_OK && i < n; i++) {
        rc = item_row(&its[i], &units, a, cols, err);
        for (int k = 0; rc == BM_OK && k < N_ITEM_COLS; k++)
            rc = csv(&b, cols[k], k == N_ITEM_COLS - 1);
    }
    if (rc != BM_OK) {
        bm_buf_fini(&b);
        return bm_err_set(err, BM_ETOOBIG, "导出文件过大");
    }
    *out = bm_buf_detach(&b, len);
    return BM_OK;
}

/* ---- the workbook format: one sheet per record kind, one column per field ---- */

enum col_kind { C_TEXT, C_INT, C_BOOL, C_ENUM, C_LIST, C_LINES_RESP, C_LINES };

struct column {
    const char *header; /* Chinese header, as people read the sheet */
    const char *key;    /* field of the JSON record */
    enum col_kind kind;
    const struct bm_code *table; /* C_ENUM and C_LIST: values written as Chinese names */
};

static const struct column item_cols[] = {
    {"事项编码", "code", C_TEXT, NULL},
    {"事项名称", "name", C_TEXT, NULL},
    {"基本编码", "catalog_code", C_TEXT, NULL},
    {"事项类型", "type", C_ENUM, bm_item_types},
    {"服务类别", "category", C_ENUM, bm_item_categories},
    {"服务对象", "service_objects", C_LIST, bm_item_objects},
    {"实施主体", "implementing_unit", C_TEXT, NULL},
    {"行使层级", "level", C_ENUM, bm_item_levels},
    {"受理条件", "conditions", C_TEXT, NULL},
    {"设定依据", "legal_basis", C_TEXT, NULL},
    {"办理流程", "process", C_TEXT, NULL},
    {"常见问题", "faq", C_TEXT, NULL},
    {"检索关键词", "keywords", C_TEXT, NULL},
    {"法定时限（工作日）", "legal_days", C_INT, NULL},
    {"承诺时限（工作日）", "promised_days", C_INT, NULL},
    {"办件类型", "case_kind", C_ENUM, bm_item_case_kinds},
    {"是否收费", "is_fee", C_BOOL, NULL},
    {"收费标准", "fee_standard", C_TEXT, NULL},
    {"收费依据", "fee_basis", C_TEXT, NULL},
    {"到现场次数", "visits", C_INT, NULL},
    {"必须现场办理的原因", "visits_reason", C_TEXT, NULL},
    {"网上办理深度", "online_depth", C_INT, NULL},
    {"网上办理地址", "online_url", C_TEXT, NULL},
    {"全县通办", "county_wide", C_BOOL, NULL},
    {"需领导审批", "needs_approval", C_BOOL, NULL},
    {"审批结果名称", "result_name", C_TEXT, NULL},
    {"审批结果类型", "result_type", C_ENUM, bm_item_results},
    {"出件方式", "delivery_methods", C_LIST, bm_item_deliveries},
    {"咨询电话", "consult_phone", C_TEXT, NULL},
    {"投诉电话", "complaint_phone", C_TEXT, NULL},
    {"办理地点", "window_address", C_TEXT, NULL},
    {"办理时间", "office_hours", C_TEXT, NULL},
    {NULL, NULL, C_TEXT, NULL},
};
static const struct column material_cols[] = {
    {"事项编码", "code", C_TEXT, NULL},          {"材料名称", "name", C_TEXT, NULL},
    {"是否必要", "required", C_BOOL, NULL},      {"原件份数", "original_count", C_INT, NULL},
    {"复印件份数", "copy_count", C_INT, NULL},    {"来源渠道", "source", C_ENUM, bm_material_sources},
    {"备注", "notes", C_TEXT, NULL},             {"样表地址", "form_url", C_TEXT, NULL},
    {NULL, NULL, C_TEXT, NULL},
};
static const struct column delegation_cols[] = {
    {"下放事项名称", "name", C_TEXT, NULL},
    {"下放部门", "from_department", C_TEXT, NULL},
    {"下放乡镇", "townships", C_LINES, NULL},
    {"法律依据", "legal_basis", C_TEXT, NULL},
    {"批准文件", "approval_document", C_TEXT, NULL},
    {"批准日期", "approval_date", C_TEXT, NULL},
    {"实施程序", "procedure", C_TEXT, NULL},
    {"部门责任", "department_responsibility", C_TEXT, NULL},
    {"乡镇责任", "township_responsibility", C_TEXT, NULL},
    {NULL, NULL, C_TEXT, NULL},
};
static const struct column power_cols[] = {
    {"乡镇", "township", C_TEXT, NULL},
    {"权力名称", "name", C_TEXT, NULL},
    {"权力类型", "type", C_ENUM, bm_power_types},
    {"设定依据", "legal_basis", C_TEXT, NULL},
    {"责任事项（每行“环节：职责”）", "responsibilities", C_LINES_RESP, NULL},
    {"追责情形（每行一条）", "accountability", C_LINES, NULL},
    {NULL, NULL, C_TEXT, NULL},
};

static const struct {
    const char *sheet, *key;
    const struct column *cols;
} sheets[] = {
    {"服务事项", "items", item_cols},
    {"申请材料", NULL, material_cols},
    {"下放事项", "delegations", delegation_cols},
    {"权责清单", "powers", power_cols},
};

/* One cell's text for a JSON value of the column's kind (arena). */
static const char *
cell_text(const struct column *c, json_t *v, struct bm_arena *a)
{
    struct bm_buf b;
    const char *out;
    json_t *e;
    size_t i;
    int k;

    switch (c->kind) {
    case C_ENUM:
        k = json_is_string(v) ? bm_code_find(c->table, json_string_value(v)) : -1;
        return k >= 0 ? c->table[k].zh : "";
    case C_BOOL:
        return json_is_true(v) ? "是" : "否";
    case C_INT:
        return bm_arena_printf(a, "%lld", (long long)json_integer_value(v));
    case C_TEXT:
        return json_is_string(v) ? json_string_value(v) : "";
    default:
        break;
    }
    bm_buf_init(&b, 1 << 20);
    json_array_foreach(v, i, e) {
        const char *t = "";
        if (c->kind == C_LIST) {
            k = json_is_string(e) ? bm_code_find(c->table, json_string_value(e)) : -1;
            t = k >= 0 ? c->table[k].zh : "";
        } else if (c->kind == C_LINES_RESP) {
            t = bm_arena_printf(a, "%s：%s", json_string_value(json_object_get(e, "stage")),
                                json_string_value(json_object_get(e, "duty")));
        } else {
            t = json_is_string(e) ? json_string_value(e) : "";
        }
        if (bm_buf_puts(&b, i ? (c->kind == C_LIST ? "、" : "\n") : "") != BM_OK ||
            bm_buf_puts(&b, t ? t : "") != BM_OK)
            break;
    }
    out = bm_arena_strdup(a, b.ptr ? b.ptr : "");
    bm_buf_fini(&b);
    return out;
}

static void
write_row(lxw_worksheet *ws, lxw_row_t row, const struct column *cols, json_t *rec,
          struct bm_arena *a)
{
    for (int k = 0; cols[k].header; k++) {
        json_t *v = json_object_get(rec, cols[k].key);
        if (cols[k].kind == C_INT)
            worksheet_write_number(ws, row, (lxw_col_t)k, (double)json_integer_value(v), NULL);
        else
            worksheet_write_string(ws, row, (lxw_col_t)k, cell_text(&cols[k], v, a), NULL);
    }
}

enum bm_rc
bm_io_catalog_export_xlsx(struct bm_store *st, struct bm_arena *a, char **out, size_t *len,
                          struct bm_err *err)
{
    struct bm_xlsx_out x;
    json_t *root = NULL, *rec, *m;
    lxw_workbook *wb;
    lxw_format *bold;
    size_t i, j, mrow = 1;
    enum bm_rc rc = catalog_json(st, a, &root, err);

    if (rc != BM_OK)
        return rc;
    if ((rc = bm_xlsx_out_open(&x, err)) != BM_OK) {
        json_decref(root);
        return rc;
    }
    wb = x.wb;
    bold = workbook_add_format(wb);
    format_set_bold(bold);
    for (size_t s = 0; s < sizeof(sheets) / sizeof(sheets[0]); s++) {
        lxw_worksheet *ws = workbook_add_worksheet(wb, sheets[s].sheet);
        for (int k = 0; sheets[s].cols[k].header; k++)
            worksheet_write_string(ws, 0, (lxw_col_t)k, sheets[s].cols[k].header, bold);
        worksheet_set_column(ws, 0, 1, 24, NULL);
        if (sheets[s].key == NULL) {
            /* Materials: one row each, tied to their item by its code. */
            json_array_foreach(json_object_get(root, "items"), i, rec) {
                json_array_foreach(json_object_get(rec, "materials"), j, m) {
                    json_t *copy = json_deep_copy(m);
                    json_object_set(copy, "code", json_object_get(rec, "code"));
                    write_row(ws, (lxw_row_t)mrow++, material_cols, copy, a);
                    json_decref(copy);
                }
            }
            continue;
        }
        json_array_foreach(json_object_get(root, sheets[s].key), i, rec)
            write_row(ws, (lxw_row_t)(i + 1), sheets[s].cols, rec, a);
    }
    json_decref(root);
    return bm_xlsx_out_finish(&x, BM_OK, out, len, err);
}

/* ---- reading the workbook back ---- */

static void
sheet_error(struct bm_import_report *rep, struct bm_arena *a, const char *sheet, size_t row,
            int col, const char *header, const char *msg)
{
    rep->n_errors++;
    if (rep->n_lines < MAX_REPORT_LINES)
        rep->lines[rep->n_lines++] =
            bm_arena_printf(a, "工作表“%s”第 %zu 行第 %c 列（%s）：%s", sheet, row,
                            'A' + (col < 26 ? col : 25), header, msg);
}

/* A cell's JSON value for its column; NULL (with a report line) if it does not convert. */
static json_t *
cell_json(const struct column *c, const char *text, const char *sheet, size_t row, int col,
          struct bm_import_report *rep, struct bm_arena *a)
{
    const char *t = text ? text : "";
    json_t *list;
    char *copy, *p;
    int k;

    switch (c->kind) {
    case C_TEXT:
        return json_string(t);
    case C_INT: {
        int64_t v;
        if (bm_parse_i64z(t, 0, 1000000, &v))
            return json_integer(v);
        sheet_error(rep, a, sheet, row, col, c->header, "应为非负整数");
        return NULL;
    }
    case C_BOOL:
        if (strcmp(t, "是") == 0 || strcmp(t, "否") == 0 || t[0] == '\0')
            return json_boolean(strcmp(t, "是") == 0);
        sheet_error(rep, a, sheet, row, col, c->header, "应为“是”或“否”");
        return NULL;
    case C_ENUM:
        for (k = 0; c->table[k].code; k++)
            if (strcmp(c->table[k].zh, t) == 0 || strcmp(c->table[k].code, t) == 0)
                return json_string(c->table[k].code);
        sheet_error(rep, a, sheet, row, col, c->header, "不是可选的取值");
        return NULL;
    default:
        break;
    }
    list = json_array();
    copy = bm_arena_strdup(a, t);
    for (p = copy; p && *p;) {
        /* Lists are separated by 、 (C_LIST) or by lines. */
        const char *sep = c->kind == C_LIST ? "、" : "\n";
        char *end = strstr(p, sep);
        if (end)
            *end = '\0';
        if (*p) {
            if (c->kind == C_LIST) {
                json_t *v = cell_json(&(struct column){c->header, c->key, C_ENUM, c->table}, p,
                                      sheet, row, col, rep, a);
                if (v == NULL) {
                    json_decref(list);
                    return NULL;
                }
                json_array_append_new(list, v);
            } else if (c->kind == C_LINES_RESP) {
                char *colon = strstr(p, "：");
                if (colon == NULL) {
                    sheet_error(rep, a, sheet, row, col, c->header, "每行应为“环节：职责”");
                    json_decref(list);
                    return NULL;
                }
                *colon = '\0';
                json_array_append_new(list, json_pack("{s:s,s:s}", "stage", p, "duty",
                                                      colon + strlen("：")));
            } else {
                json_array_append_new(list, json_string(p));
            }
        }
        p = end ? end + strlen(sep) : NULL;
    }
    return list;
}

/* Converts a workbook into the import format's JSON tree; NULL with report lines if not. */
static json_t *
book_json(const struct bm_xlsx_book *book, struct bm_import_report *rep, struct bm_arena *a)
{
    json_t *root = json_pack("{s:[],s:[],s:[]}", "items", "delegations", "powers");
    const struct bm_xlsx_sheet *sh;

    for (size_t s = 0; s < sizeof(sheets) / sizeof(sheets[0]); s++) {
        const struct column *cols = sheets[s].cols;
        int where[64];
        if ((sh = bm_xlsx_sheet(book, sheets[s].sheet)) == NULL)
            continue; /* a sheet may be left out */
        /* Columns are found by their headers, so their order may change. */
        for (int k = 0; cols[k].header; k++) {
            where[k] = -1;
            for (int c = 0; sh->n_rows > 0 && c < sh->rows[0].n_cells; c++)
                if (sh->rows[0].cells[c] && strcmp(sh->rows[0].cells[c], cols[k].header) == 0)
                    where[k] = c;
            if (where[k] < 0)
                sheet_error(rep, a, sheets[s].sheet, 1, 0, cols[k].header, "缺少这一列");
        }
        if (rep->n_errors > 0)
            continue;
        for (size_t r = 1; r < sh->n_rows; r++) {
            const struct bm_xlsx_row *row = &sh->rows[r];
            json_t *rec = json_object();
            if (row->n_cells == 0) {
                json_decref(rec);
                continue; /* blank row */
            }
            for (int k = 0; cols[k].header; k++) {
                json_t *v = cell_json(&cols[k], row->cells[where[k]], sheets[s].sheet, r + 1,
                                      where[k], rep, a);
                if (v != NULL)
                    json_object_set_new(rec, cols[k].key, v);
            }
            if (sheets[s].key != NULL) {
                json_array_append_new(json_object_get(root, sheets[s].key), rec);
            } else {
                /* A material joins the item with its code. */
                const char *code = json_string_value(json_object_get(rec, "code"));
                json_t *it, *target = NULL;
                size_t i;
                json_array_foreach(json_object_get(root, "items"), i, it) if (
                    code && strcmp(json_string_value(json_object_get(it, "code")), code) == 0)
                    target = it;
                if (target == NULL) {
                    sheet_error(rep, a, sheets[s].sheet, r + 1, where[0], cols[0].header,
                                "找不到该编码的事项");
                } else {
                    if (json_object_get(target, "materials") == NULL)
                        json_object_set_new(target, "materials", json_array());
                    json_object_del(rec, "code");
                    json_array_append(json_object_get(target, "materials"), rec);
                }
                json_decref(rec);
            }
        }
    }
    if (rep->n_errors > 0) {
        json_decref(root);
        return NULL;
    }
    return root;
}

enum bm_rc
bm_io_catalog_import_xlsx(struct bm_store *st, const void *data, size_t len, bool publish,
                          const char *actor, int64_t actor_id, int64_t now, struct bm_arena *a,
                          struct bm_import_report *rep, bm_progress_fn progress,
                          void *progress_ctx, struct bm_err *err)
{
    struct bm_xlsx_book book;
    json_t *root;
    char *text;
    enum bm_rc rc;

    memset(rep, 0, sizeof(*rep));
    rep->lines = bm_arena_alloc(a, sizeof(*rep->lines) * MAX_REPORT_LINES);
    if (rep->lines == NULL)
        return bm_err_set(err, BM_ETOOBIG, "文件过大");
    rc = bm_xlsx_read(data, len, a, &book, err);
    if (rc != BM_OK)
        return rc;
    if ((root = book_json(&book, rep, a)) == NULL)
        return bm_err_set(err, BM_EINVAL, "文件中有 %d 处错误，未导入任何数据", rep->n_errors);
    text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (text == NULL)
        return bm_err_set(err, BM_EINTERNAL, "无法转换表格文件");
    rc = bm_io_catalog_import(st, text, strlen(text), publish, actor, actor_id, now, a, rep,
                              progress, progress_ctx, err);
    free(text);
    return rc;
}
