/*
 * The working-day calendar as data (GET/PUT /api/v1/calendar/{year}): each year's holidays
 * and adjusted working weekends after the State Council notice. Anyone may read it; a
 * county administrator loads next year's when the notice comes out (usually November).
 */
#include <inttypes.h>
#include <string.h>

#include "api/cases.h"
#include "api/handlers.h"
#include "api/json.h"
#include "util/parse.h"

static json_t *
year_json(const struct bm_cal_year *y)
{
    /* The year's own table decides its working days (not the cached snapshot, which another
     * process's change reaches only after a while). */
    const struct bm_calendar cal = {.entries = y->entries, .n_entries = y->n_entries,
                                    .years = &y->year, .n_years = 1};
    json_t *days = json_array();
    bm_day first, last;
    char buf[12];

    for (size_t i = 0; i < y->n_entries; i++) {
        bm_day_format(y->entries[i].day, buf);
        json_array_append_new(days, json_pack("{s:s,s:s,s:s}", "date", buf, "kind",
                                              y->entries[i].kind == BM_CAL_WORK ? "work" : "off",
                                              "name", y->entries[i].name));
    }
    (void)bm_day_from_ymd(y->year - 1, 12, 31, &first);
    (void)bm_day_from_ymd(y->year, 12, 31, &last);
    return json_pack("{s:i,s:s,s:I,s:o,s:i,s:o}", "year", y->year, "source", y->source, "version",
                     (json_int_t)y->version, "updated_at", bm_json_time(y->updated_at),
                     "working_days", bm_cal_working_days_between(&cal, first, last, NULL, 0),
                     "days", days);
}

static enum bm_rc
load_years(struct bm_req *rq, struct bm_cal_year **ys, size_t *n)
{
    return bm_store_calendar_load(rq->store, rq->arena, ys, n, &rq->err);
}

enum bm_rc
bm_api_calendar_list(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_cal_year *ys;
    size_t n = 0;
    json_t *items;
    enum bm_rc rc = load_years(rq, &ys, &n);

    if (rc != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, year_json(&ys[i]));
    return bm_json_page(rq, rs, items, false, 0);
}

static enum bm_rc
param_year(struct bm_req *rq, int *year)
{
    int64_t y;
    if (!bm_parse_i64z(rq->params[0], BM_CAL_MIN_YEAR, BM_CAL_MAX_YEAR, &y))
        return bm_err_set(&rq->err, BM_ENOTFOUND, "年份应在%d至%d之间", BM_CAL_MIN_YEAR,
                          BM_CAL_MAX_YEAR);
    *year = (int)y;
    return BM_OK;
}

enum bm_rc
bm_api_calendar_get(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_cal_year *ys;
    size_t n = 0;
    int year = 0;
    enum bm_rc rc = param_year(rq, &year);

    if (rc == BM_OK)
        rc = load_years(rq, &ys, &n);
    if (rc != BM_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (ys[i].year == year) {
            bm_resp_header(rs, "ETag", bm_arena_printf(rq->arena, "\"%" PRId64 "\"", ys[i].version));
            return bm_json_reply(rq, rs, 200, year_json(&ys[i]));
        }
    return bm_err_set(&rq->err, BM_ENOTFOUND, "%d年的节假日安排尚未录入", year);
}

static const char *const put_fields[] = {"source", "days", NULL};

/* Recomputes one case's deadline with `cal`; counts it in *moved if it changed. */
static enum bm_rc
recompute_one(struct bm_req *rq, const char *case_no, const struct bm_calendar *cal, int *moved)
{
    struct bm_case c;
    bm_day old_due, old_warn;
    bool old_prov;
    char from[12], to[12];
    enum bm_rc rc = bm_store_case_get(rq->store, case_no, rq->arena, &c, &rq->err);

    if (rc != BM_OK)
        return rc;
    old_due = c.due_day;
    old_prov = c.due_provisional;
    old_warn = c.warn_day;
    if ((rc = bm_api_case_deadline(rq, &c, cal)) != BM_OK)
        return rc;
    if (c.due_day == old_due && c.due_provisional == old_prov)
        return old_warn == c.warn_day ? BM_OK : bm_store_case_set_warn_day(rq->store, c.id, c.warn_day, &rq->err);
    bm_day_format(old_due, from);
    bm_day_format(c.due_day, to);
    rc = bm_store_case_update(rq->store, &c, rq->now, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_case_event(rq, &c, "deadline", c.st.status, "节假日安排更新，办理期限重新计算",
                               json_pack("{s:s,s:s,s:b}", "from", from, "to", to,
                                         "provisional", c.due_provisional));
    if (rc == BM_OK)
        (*moved)++;
    return rc;
}

/*
 * docs/domain.md 8.3: a deadline counted through a year without a table (Monday to Friday,
 * flagged provisional) is recomputed when the year's notice is loaded; so is one counted
 * through a year whose table changed. Every open case whose count runs through `year`
 * (accepted by its end, due from its start) gets its deadline from the stored calendar, and
 * a trace event when it moved. Inside the caller's transaction; each case in a scratch
 * arena, so that a county's worth of cases fits the request's budget.
 */
static enum bm_rc
recompute_deadlines(struct bm_req *rq, int year, int *moved)
{
    static const char *const open_statuses[] = {"accepted", "processing", "forwarded",
                                                "suspended"};
    struct bm_arena *req_arena = rq->arena;
    struct bm_calendar cal;
    bm_day first, last;
    enum bm_rc rc = bm_api_calendar_stored(rq, &cal);

    (void)bm_day_from_ymd(year, 1, 1, &first);
    (void)bm_day_from_ymd(year, 12, 31, &last);
    for (size_t s = 0; rc == BM_OK && s < sizeof(open_statuses) / sizeof(open_statuses[0]); s++) {
        struct bm_case_query q;
        bool more = true;

        memset(&q, 0, sizeof(q));
        q.status = open_statuses[s];
        q.by_due = true;
        q.due_before = BM_DAY_NONE;
        q.after_due = first - 1; /* (due, id) > (first - 1, max): due on or after `first` */
        q.after_id = INT64_MAX;
        q.limit = 100;
        while (rc == BM_OK && more) {
            struct bm_arena *page = bm_arena_new((size_t)rq->cfg->arena_max_bytes);
            struct bm_case *cs;
            size_t n = 0;

            rq->arena = page;
            rc = bm_store_cases_list(rq->store, &q, page, &cs, &n, &rq->err);
            more = rc == BM_OK && n > (size_t)q.limit;
            for (size_t i = 0; rc == BM_OK && i < n && i < (size_t)q.limit; i++) {
                struct bm_arena *one;
                if (cs[i].accept_day == BM_DAY_NONE || cs[i].accept_day > last)
                    continue;
                one = bm_arena_new((size_t)rq->cfg->arena_max_bytes);
                rq->arena = one;
                rc = recompute_one(rq, cs[i].case_no, &cal, moved);
                rq->arena = page;
                bm_arena_free(one);
            }
            if (more) {
                q.after_due = cs[q.limit - 1].due_day;
                q.after_id = cs[q.limit - 1].id;
            }
            rq->arena = req_arena;
            bm_arena_free(page);
        }
    }
    rq->arena = req_arena;
    if (rc == BM_ESTALE) { /* a case changed under us (another server): retry the whole PUT */
        rq->err.retry_after_s = 1;
        rc = bm_err_set(&rq->err, BM_EBUSY, "有办件正在办理，请稍后重试");
    }
    return rc;
}

/* PUT replaces the year's table; a new year needs no If-Match, an existing one does. */
enum bm_rc
bm_api_calendar_put(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_cal_year y, *ys;
    json_t *body, *days, *d;
    size_t n = 0, i;
    int64_t version = 0, have = 0;
    int year = 0, moved = 0;
    enum bm_rc rc = param_year(rq, &year);

    if (rc == BM_OK)
        rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, put_fields);
    if (rc != BM_OK)
        return rc;
    memset(&y, 0, sizeof(y));
    y.year = year;
    (void)bm_json_get_str(rq, body, "source", true, 200, &y.source, NULL);
    days = json_object_get(body, "days");
    if (!json_is_array(days))
        (void)bm_err_field(&rq->err, "days", "必填，应为数组");
    else if (json_array_size(days) > BM_CAL_MAX_ENTRIES)
        (void)bm_err_field(&rq->err, "days", "一年最多%d天", BM_CAL_MAX_ENTRIES);
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    y.entries = bm_arena_alloc(rq->arena, sizeof(*y.entries) * (json_array_size(days) + 1));
    if (y.entries == NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    json_array_foreach(days, i, d) {
        const char *date = json_string_value(json_object_get(d, "date"));
        const char *kind = json_string_value(json_object_get(d, "kind"));
        const char *name = json_string_value(json_object_get(d, "name"));
        struct bm_cal_entry *e = &y.entries[y.n_entries++];
        char field[32];
        snprintf(field, sizeof(field), "days[%zu]", i);
        if (!json_is_object(d) || date == NULL || kind == NULL || name == NULL ||
            json_object_size(d) != 3) {
            (void)bm_err_field(&rq->err, field, "应为 {\"date\", \"kind\", \"name\"}");
            continue;
        }
        if (!bm_day_parse(date, &e->day))
            (void)bm_err_field(&rq->err, bm_arena_printf(rq->arena, "%s.date", field),
                               "应为 YYYY-MM-DD 格式的日期");
        if (strcmp(kind, "off") != 0 && strcmp(kind, "work") != 0)
            (void)bm_err_field(&rq->err, bm_arena_printf(rq->arena, "%s.kind", field),
                               "应为 off（放假）或 work（调休上班）");
        e->kind = strcmp(kind, "work") == 0 ? BM_CAL_WORK : BM_CAL_OFF;
        e->name = name;
    }
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    if ((rc = bm_cal_check_year(year, y.entries, y.n_entries, &rq->err)) != BM_OK)
        return rc;
    /* Sorted by day, as the store returns and the calendar expects. */
    for (size_t a = 1; a < y.n_entries; a++)
        for (size_t b = a; b > 0 && y.entries[b - 1].day > y.entries[b].day; b--) {
            struct bm_cal_entry t = y.entries[b];
            y.entries[b] = y.entries[b - 1];
            y.entries[b - 1] = t;
        }
    if ((rc = bm_store_calendar_load(rq->store, rq->arena, &ys, &n, &rq->err)) != BM_OK)
        return rc;
    for (i = 0; i < n; i++)
        if (ys[i].year == year)
            have = ys[i].version;
    if (have != 0 && (rc = bm_req_if_match(rq, &version)) != BM_OK)
        return rc;
    if (have != 0 && version != have)
        return bm_err_set(&rq->err, BM_ESTALE, "日历已被他人修改，请刷新后重试");
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_calendar_put(rq->store, &y, have, rq->now, &rq->err);
    if (rc == BM_OK)
        rc = recompute_deadlines(rq, year, &moved);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "calendar.put", "calendar", year,
                          json_pack("{s:s,s:i,s:i}", "source", y.source, "days", (int)y.n_entries,
                                    "deadlines_moved", moved));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc != BM_OK)
        return rc;
    bm_api_calendar_changed();
    if ((rc = load_years(rq, &ys, &n)) != BM_OK)
        return rc;
    for (i = 0; i < n; i++)
        if (ys[i].year == year) {
            bm_resp_header(rs, "ETag", bm_arena_printf(rq->arena, "\"%" PRId64 "\"", ys[i].version));
            return bm_json_reply(rq, rs, have ? 200 : 201, year_json(&ys[i]));
        }
    return bm_err_set(&rq->err, BM_EINTERNAL, "日历保存后无法读取");
}
