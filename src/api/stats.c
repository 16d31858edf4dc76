/*
 * Case statistics (docs/domain.md 3.4): GET /api/v1/stats/cases by township, department,
 * item, month or channel over a period, as JSON or an .xlsx workbook. Read from the summary
 * table the store keeps up to date (core/stats.h), never by scanning cases.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/json.h"
#include "core/access.h"
#include "core/stats.h"
#include "io/stats_xlsx.h"
#include "util/parse.h"

/* Longest period one request may ask for: the day rows stay few, this bounds the rest. */
#define MAX_SPAN_DAYS 3660

static const struct {
    const char *code, *zh;
} dims[BM_STAT_DIM_COUNT] = {
    [BM_STAT_BY_TOWNSHIP] = {"township", "乡镇"},
    [BM_STAT_BY_DEPARTMENT] = {"department", "承办部门"},
    [BM_STAT_BY_ITEM] = {"item", "事项"},
    [BM_STAT_BY_MONTH] = {"month", "月份"},
    [BM_STAT_BY_CHANNEL] = {"channel", "申请渠道"},
};

/* x >= 0 rounded to two decimals (no libm). */
static double
hundredths(double x)
{
    return (double)(int64_t)(x * 100.0 + 0.5) / 100.0;
}

static json_t *
rate_json(double r)
{
    return r < 0 ? json_null() : json_real(hundredths(r * 100.0) / 100.0);
}

/* The group's display key and name: ids for units, item codes, "2026-03", "online". */
static json_t *
key_json(enum bm_stat_dim dim, const struct bm_stat_group *g)
{
    char buf[16];
    int y, m, d;

    switch (dim) {
    case BM_STAT_BY_ITEM:
        return json_string(g->code);
    case BM_STAT_BY_MONTH:
        bm_day_to_ymd((bm_day)g->key, &y, &m, &d);
        snprintf(buf, sizeof(buf), "%04d-%02d", y, m);
        return json_string(buf);
    case BM_STAT_BY_CHANNEL:
        return json_string(g->key ? "online" : "window");
    default:
        return json_integer(g->key);
    }
}

static const char *
name_of(struct bm_req *rq, enum bm_stat_dim dim, const struct bm_stat_group *g)
{
    int y, m, d;

    switch (dim) {
    case BM_STAT_BY_MONTH:
        bm_day_to_ymd((bm_day)g->key, &y, &m, &d);
        return bm_arena_printf(rq->arena, "%d年%d月", y, m);
    case BM_STAT_BY_CHANNEL:
        return g->key ? "网上申请" : "窗口申请";
    default:
        return g->name[0] ? g->name : bm_arena_printf(rq->arena, "（已删除 %" PRId64 "）", g->key);
    }
}

static json_t *
group_json(json_t *key, const char *name, const struct bm_stat_group *g)
{
    json_t *o = json_object();

    json_object_set_new(o, "key", key);
    json_object_set_new(o, "name", json_string(name));
    for (int c = 0; c < BM_STAT_COUNT; c++)
        if (c != BM_STAT_DAYS_SUM && c != BM_STAT_DAYS_KNOWN)
            json_object_set_new(o, bm_stat_counters[c], json_integer(g->n[c]));
    json_object_set_new(o, "on_time_rate", rate_json(g->on_time_rate));
    json_object_set_new(o, "early_rate", rate_json(g->early_rate));
    json_object_set_new(o, "overdue_rate", rate_json(g->overdue_rate));
    json_object_set_new(o, "same_day_rate", rate_json(g->same_day_rate));
    json_object_set_new(o, "one_visit_rate", rate_json(g->one_visit_rate));
    json_object_set_new(o, "zero_visit_rate", rate_json(g->zero_visit_rate));
    json_object_set_new(o, "online_rate", rate_json(g->online_rate));
    json_object_set_new(o, "satisfaction_rate", rate_json(g->satisfaction_rate));
    json_object_set_new(o, "good_rate", rate_json(g->good_rate));
    json_object_set_new(o, "bad_rate", rate_json(g->bad_rate));
    json_object_set_new(o, "rejection_rate", rate_json(g->rejection_rate));
    json_object_set_new(o, "avg_days",
                        g->avg_days < 0 ? json_null() : json_real(hundredths(g->avg_days)));
    json_object_set_new(o, "p90_days", g->p90_days < 0 ? json_null() : json_integer(g->p90_days));
    return o;
}

/* The request's period: from..to, by default this month up to today. */
static enum bm_rc
period(struct bm_req *rq, bm_day *from, bm_day *to)
{
    const char *f = bm_req_query(rq, "from"), *t = bm_req_query(rq, "to");
    bm_day today = bm_day_of_instant(rq->now);

    *to = today;
    *from = bm_stat_month_start(today);
    if (f != NULL && f[0] && !bm_day_parse(f, from))
        return bm_err_field(&rq->err, "from", "日期格式应为 YYYY-MM-DD");
    if (t != NULL && t[0] && !bm_day_parse(t, to))
        return bm_err_field(&rq->err, "to", "日期格式应为 YYYY-MM-DD");
    if (*from > *to)
        return bm_err_field(&rq->err, "from", "开始日期不能晚于结束日期");
    if (*to - *from >= MAX_SPAN_DAYS)
        return bm_err_field(&rq->err, "to", "统计期间不能超过十年");
    return BM_OK;
}

/*
 * Whose cases: county-wide roles see the county, or one township or department of it
 * (`unit`); a township administrator only their own township's (accepted or handled there).
 */
static enum bm_rc
scope(struct bm_req *rq, int64_t *unit_id)
{
    const char *u = bm_req_query(rq, "unit");
    bool county_wide =
        (rq->who.roles & bm_access_roles_for(BM_PERM_STATS_READ) & BM_ROLES_COUNTY_WIDE) != 0;
    char county[BM_ORG_PATH_MAX];
    struct bm_org_unit org;
    int64_t id = 0;
    enum bm_rc rc;

    *unit_id = county_wide ? 0 : bm_stat_top_unit(rq->who.org_path);
    if (!bm_org_path_prefix(rq->who.org_path, 1, county, sizeof(county)) ||
        (!county_wide && *unit_id == 0))
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "您无权查看统计");
    if (u == NULL || u[0] == '\0')
        return BM_OK;
    if (!bm_parse_i64z(u, 1, INT64_MAX, &id))
        return bm_err_field(&rq->err, "unit", "应为单位编号");
    rc = bm_store_org_get(rq->store, id, rq->arena, &org, &rq->err);
    /* Only a top unit of the caller's county (township or department), and for a township
     * administrator only their own: others are "not found", so nothing leaks. */
    if (rc == BM_ENOTFOUND ||
        (rc == BM_OK && (strncmp(org.path, county, strlen(county)) != 0 || org.parent_id == 0 ||
                         bm_stat_top_unit(org.path) != id || (!county_wide && id != *unit_id))))
        return bm_err_set(&rq->err, BM_ENOTFOUND, "单位不存在，或不是乡镇、县直部门");
    if (rc != BM_OK)
        return rc;
    *unit_id = id;
    return BM_OK;
}

enum bm_rc
bm_api_stats_cases(struct bm_req *rq, struct bm_resp *rs)
{
    const char *by = bm_req_query(rq, "group_by"), *format = bm_req_query(rq, "format");
    struct bm_stats_query q = {.county_code = rq->auth.user.county_code};
    struct bm_stat_row *rows = NULL;
    struct bm_stat_group *groups = NULL, total;
    struct bm_arena *a;
    size_t n = 0, ng;
    char from_s[11], to_s[11];
    bool xlsx = false;
    int dim = -1;
    enum bm_rc rc;

    for (int i = 0; i < BM_STAT_DIM_COUNT && dim < 0; i++)
        if (strcmp(by != NULL && by[0] ? by : "township", dims[i].code) == 0)
            dim = i;
    if (dim < 0)
        return bm_err_field(&rq->err, "group_by", "应为 township、department、item、month 或 channel");
    if (format != NULL && format[0] && !(xlsx = strcmp(format, "xlsx") == 0) &&
        strcmp(format, "json") != 0)
        return bm_err_field(&rq->err, "format", "应为 json 或 xlsx");
    q.dim = (enum bm_stat_dim)dim;
    if ((rc = period(rq, &q.from, &q.to)) != BM_OK || (rc = scope(rq, &q.unit_id)) != BM_OK)
        return rc;
    /* Summary rows of a long period by item can outgrow a request's arena. */
    a = bm_arena_new((size_t)256 << 20);
    rc = bm_store_stats_query(rq->store, &q, a, &rows, &n, &rq->err);
    if (rc == BM_OK && n > 0 && (groups = bm_arena_alloc(a, n * sizeof(*groups))) == NULL)
        rc = bm_err_set(&rq->err, BM_ETOOBIG, "统计结果过大，请缩小时间范围");
    if (rc != BM_OK) {
        bm_arena_free(a);
        return rc;
    }
    ng = n > 0 ? bm_stat_summarize(rows, n, groups) : 0;
    /* The total: the same rows summed as one group (the groups keep their own names). */
    for (size_t i = 0; i < n; i++) {
        rows[i].key = 0;
        rows[i].code = "";
    }
    if (n == 0 || bm_stat_summarize(rows, n, &total) != 1) {
        struct bm_stat_row none = {.code = "", .name = ""};
        (void)bm_stat_summarize(&none, 1, &total);
    }
    bm_day_format(q.from, from_s);
    bm_day_format(q.to, to_s);
    if (xlsx) {
        const char **labels = ng > 0 ? bm_arena_alloc(a, ng * sizeof(*labels)) : NULL;
        struct bm_stats_sheet sheet = {
            .title = bm_arena_printf(rq->arena, "办件统计（按%s） %s 至 %s", dims[dim].zh, from_s,
                                     to_s),
            .key_header = dims[dim].zh, .groups = ng > 0 ? groups : NULL,
            .labels = labels, .n = ng, .total = &total};
        for (size_t i = 0; labels != NULL && i < ng; i++)
            labels[i] = dim == BM_STAT_BY_ITEM
                            ? bm_arena_printf(rq->arena, "%s %s", groups[i].code, groups[i].name)
                            : name_of(rq, q.dim, &groups[i]);
        rc = ng > 0 && labels == NULL ? bm_err_set(&rq->err, BM_ETOOBIG, "结果过大")
                                      : bm_io_stats_xlsx(&sheet, &rs->body, &rs->body_len, &rq->err);
        bm_arena_free(a);
        if (rc != BM_OK)
            return rc;
        rs->status = 200;
        rs->content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        bm_resp_header(rs, "Content-Disposition",
                       bm_arena_printf(rq->arena, "attachment; filename=\"stats-%s-%s-%s.xlsx\"",
                                       dims[dim].code, from_s, to_s));
        return BM_OK;
    }
    {
        json_t *items = json_array(), *t;
        for (size_t i = 0; i < ng; i++)
            json_array_append_new(items, group_json(key_json(q.dim, &groups[i]),
                                                    name_of(rq, q.dim, &groups[i]), &groups[i]));
        t = group_json(json_null(), "合计", &total);
        bm_arena_free(a);
        return bm_json_reply(rq, rs, 200,
                             json_pack("{s:s,s:s,s:s,s:o,s:o}", "group_by", dims[dim].code, "from",
                                       from_s, "to", to_s, "items", items, "total", t));
    }
}
