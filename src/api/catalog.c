/*
 * Delegated powers (下放事项), townships' power and responsibility lists (权力清单、责任清单),
 * and the catalog export. Reading is public (government-affairs disclosure); writing is for
 * county administrators.
 */
#include <inttypes.h>
#include <string.h>

#include "api/handlers.h"
#include "api/json.h"
#include "io/catalog.h"
#include "util/parse.h"

static enum bm_rc
units(struct bm_req *rq, struct bm_io_units *u)
{
    return bm_io_units_load(rq->store, rq->arena, u, &rq->err);
}

enum bm_rc
bm_api_delegations_list(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_delegation *ds;
    size_t n = 0;
    json_t *items;
    enum bm_rc rc = bm_store_delegations_list(rq->store, rq->arena, &ds, &n, &rq->err);

    if (rc != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, bm_io_delegation_json(&ds[i]));
    return bm_json_page(rq, rs, items, false, 0);
}

enum bm_rc
bm_api_delegations_get(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_delegation d;
    int64_t id;
    enum bm_rc rc = bm_req_param_id(rq, 0, &id);
    if (rc == BM_OK)
        rc = bm_store_delegation_get(rq->store, id, rq->arena, &d, &rq->err);
    return rc == BM_OK ? bm_json_reply(rq, rs, 200, bm_io_delegation_json(&d)) : rc;
}

enum bm_rc
bm_api_delegations_create(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_io_units u;
    struct bm_delegation d;
    json_t *body;
    int64_t id;
    enum bm_rc rc = bm_json_body(rq, &body);

    if (rc == BM_OK)
        rc = units(rq, &u);
    if (rc != BM_OK)
        return rc;
    bm_io_delegation_read(body, &u, "", &d, &rq->err);
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_delegation_insert(rq->store, &d, rq->now, &id, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "delegation.create", "delegation", id,
                          json_pack("{s:s,s:I,s:i}", "name", d.name, "from_unit_id",
                                    (json_int_t)d.from_unit_id, "townships", (int)d.n_townships));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_delegation_get(rq->store, id, rq->arena, &d, &rq->err);
    if (rc != BM_OK)
        return rc;
    bm_resp_header(rs, "Location", bm_arena_printf(rq->arena, "/api/v1/delegations/%" PRId64, id));
    return bm_json_reply(rq, rs, 201, bm_io_delegation_json(&d));
}

enum bm_rc
bm_api_delegations_revoke(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_delegation d;
    int64_t id, version;
    enum bm_rc rc = bm_req_param_id(rq, 0, &id);

    if (rc == BM_OK)
        rc = bm_store_delegation_get(rq->store, id, rq->arena, &d, &rq->err);
    if (rc == BM_OK && !d.is_active)
        rc = bm_err_set(&rq->err, BM_ETRANSITION, "该下放事项已撤销");
    if (rc == BM_OK)
        rc = bm_req_if_match(rq, &version);
    if (rc == BM_OK)
        rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_delegation_revoke(rq->store, id, version, rq->now, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "delegation.revoke", "delegation", id,
                          json_pack("{s:s}", "name", d.name));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_delegation_get(rq->store, id, rq->arena, &d, &rq->err);
    return rc == BM_OK ? bm_json_reply(rq, rs, 200, bm_io_delegation_json(&d)) : rc;
}

enum bm_rc
bm_api_powers_list(struct bm_req *rq, struct bm_resp *rs)
{
    const char *t = bm_req_query(rq, "township_id");
    struct bm_power *ps;
    size_t n = 0;
    int64_t township = 0;
    json_t *items;
    enum bm_rc rc;

    if (t != NULL && t[0]) {
        struct bm_org_unit o;
        if (!bm_parse_i64z(t, 1, INT64_MAX, &township) ||
            bm_store_org_get(rq->store, township, rq->arena, &o, &rq->err) != BM_OK ||
            o.kind != BM_ORG_TOWNSHIP) {
            bm_err_clear(&rq->err);
            return bm_err_field(&rq->err, "township_id", "乡镇不存在");
        }
    }
    rc = bm_store_powers_list(rq->store, township, rq->arena, &ps, &n, &rq->err);
    if (rc != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, bm_io_power_json(&ps[i]));
    return bm_json_page(rq, rs, items, false, 0);
}

enum bm_rc
bm_api_powers_get(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_power p;
    int64_t id;
    enum bm_rc rc = bm_req_param_id(rq, 0, &id);
    if (rc == BM_OK)
        rc = bm_store_power_get(rq->store, id, rq->arena, &p, &rq->err);
    return rc == BM_OK ? bm_json_reply(rq, rs, 200, bm_io_power_json(&p)) : rc;
}

enum bm_rc
bm_api_powers_create(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_io_units u;
    struct bm_power p;
    json_t *body;
    int64_t id;
    enum bm_rc rc = bm_json_body(rq, &body);

    if (rc == BM_OK)
        rc = units(rq, &u);
    if (rc != BM_OK)
        return rc;
    bm_io_power_read(body, &u, rq->arena, "", &p, &rq->err);
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_power_insert(rq->store, &p, rq->now, &id, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "power.create", "power", id,
                          json_pack("{s:s,s:I}", "name", p.name, "township_id",
                                    (json_int_t)p.township_id));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_power_get(rq->store, id, rq->arena, &p, &rq->err);
    if (rc != BM_OK)
        return rc;
    bm_resp_header(rs, "Location", bm_arena_printf(rq->arena, "/api/v1/powers/%" PRId64, id));
    return bm_json_reply(rq, rs, 201, bm_io_power_json(&p));
}

enum bm_rc
bm_api_powers_update(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_io_units u;
    struct bm_power old, p;
    json_t *body;
    int64_t id, version;
    enum bm_rc rc = bm_req_param_id(rq, 0, &id);

    if (rc == BM_OK)
        rc = bm_store_power_get(rq->store, id, rq->arena, &old, &rq->err);
    if (rc == BM_OK)
        rc = bm_req_if_match(rq, &version);
    if (rc == BM_OK)
        rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = units(rq, &u);
    if (rc != BM_OK)
        return rc;
    /* A power list entry is replaced whole; it stays in its township. */
    if (json_object_get(body, "township_id") == NULL && json_object_get(body, "township") == NULL)
        json_object_set_new(body, "township_id", json_integer(old.township_id));
    bm_io_power_read(body, &u, rq->arena, "", &p, &rq->err);
    if (rq->err.n_fields == 0 && p.township_id != old.township_id)
        (void)bm_err_field(&rq->err, "township_id", "权责清单事项不能移到其他乡镇");
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    p.id = id;
    p.version = version;
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_power_update(rq->store, &p, rq->now, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "power.update", "power", id, json_pack("{s:s}", "name", p.name));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_power_get(rq->store, id, rq->arena, &p, &rq->err);
    return rc == BM_OK ? bm_json_reply(rq, rs, 200, bm_io_power_json(&p)) : rc;
}

enum bm_rc
bm_api_catalog_export(struct bm_req *rq, struct bm_resp *rs)
{
    static const struct {
        const char *format, *type, *disposition;
        enum bm_rc (*fn)(struct bm_store *, struct bm_arena *, char **, size_t *, struct bm_err *);
    } formats[] = {
        {"json", "application/json; charset=utf-8", "attachment; filename=\"catalog.json\"",
         bm_io_catalog_export_json},
        {"csv", "text/csv; charset=utf-8", "attachment; filename=\"catalog.csv\"",
         bm_io_catalog_export_csv},
        {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "attachment; filename=\"catalog.xlsx\"", bm_io_catalog_export_xlsx},
    };
    const char *format = bm_req_query(rq, "format");
    enum bm_rc rc;

    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
        struct bm_arena *big;
        if (strcmp(format ? format : "json", formats[i].format) != 0)
            continue;
        /* The whole catalog outgrows a request's memory cap: this worker-pool route gets an
         * arena of its own, sized for a county's catalog. */
        big = bm_arena_new((size_t)512 << 20);
        rc = formats[i].fn(rq->store, big, &rs->body, &rs->body_len, &rq->err);
        bm_arena_free(big);
        if (rc != BM_OK)
            return rc;
        rs->status = 200;
        rs->content_type = formats[i].type;
        bm_resp_header(rs, "Content-Disposition", formats[i].disposition);
        return BM_OK;
    }
    return bm_err_field(&rq->err, "format", "应为 json、csv 或 xlsx");
}

/* Copies a report line into a field error, cut at a character boundary to fit. */
static void
report_line(struct bm_err *err, const char *line)
{
    const size_t cap = sizeof(err->fields[0].message) - 4; /* room for "…" and NUL */
    size_t n = strlen(line);

    if (n <= cap) {
        (void)bm_err_field(err, "file", "%s", line);
        return;
    }
    n = cap;
    while (n > 0 && ((unsigned char)line[n] & 0xC0) == 0x80)
        n--;
    (void)bm_err_field(err, "file", "%.*s…", (int)n, line);
}

/*
 * POST /api/v1/catalog/import[?publish=true]: a catalog file as the raw body, in the format
 * of `bianmin import catalog` and of the export — JSON, or the .xlsx workbook (told by its
 * zip signature). All or nothing; each problem of the report is one errors[] entry.
 */
enum bm_rc
bm_api_catalog_import(struct bm_req *rq, struct bm_resp *rs)
{
    const char *p = bm_req_query(rq, "publish");
    bool publish = p != NULL && (strcmp(p, "true") == 0 || strcmp(p, "1") == 0);
    struct bm_import_report rep;
    struct bm_arena *big;
    enum bm_rc rc;

    if (rq->body_len == 0)
        return bm_err_field(&rq->err, "file", "请上传目录文件（JSON 或 Excel 工作簿）");
    memset(&rep, 0, sizeof(rep));
    /* As for the export: a county's catalog outgrows a request's memory cap. */
    big = bm_arena_new((size_t)512 << 20);
    if (big == NULL)
        return bm_err_set(&rq->err, BM_EINTERNAL, "内存不足");
    if (rq->body_len >= 4 && memcmp(rq->body, "PK\3\4", 4) == 0)
        rc = bm_io_catalog_import_xlsx(rq->store, rq->body, rq->body_len, publish,
                                       rq->who.username, rq->who.user_id, rq->now, big, &rep,
                                       NULL, NULL, &rq->err);
    else
        rc = bm_io_catalog_import(rq->store, rq->body, rq->body_len, publish, rq->who.username,
                                  rq->who.user_id, rq->now, big, &rep, NULL, NULL, &rq->err);
    if (rc != BM_OK) {
        for (size_t i = 0; i < rep.n_lines && i < BM_ERR_FIELDS; i++)
            report_line(&rq->err, rep.lines[i]);
        rq->err.rc = rc; /* a line is a field error, the answer stays the import's */
        bm_arena_free(big);
        return rc;
    }
    bm_arena_free(big);
    return bm_json_reply(rq, rs, 200,
                         json_pack("{s:i,s:i,s:i,s:b}", "items", rep.items, "delegations",
                                   rep.delegations, "powers", rep.powers, "published", publish));
}
