/*
 * Ratings (好差评, docs/domain.md 4) and the rectification of bad ratings: the applicant
 * rates a delivered case once on the public page (case number and query code) or at the
 * window's rating device (a clerk's screen), may append one follow-up rating after the
 * rectification feedback, and every bad rating opens a task for the handling unit that
 * supervisors track. No route changes or deletes a rating.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "api/cases.h"
#include "api/handlers.h"
#include "api/json.h"
#include "api/ratings.h"
#include "core/access.h"
#include "core/rating.h"
#include "core/secret.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/parse.h"
#include "util/utf8.h"

#define NOTE_MAX 500 /* characters of a rectification note */
#define CST_OFFSET_S (8 * 3600)

static const char *const rating_fields[] = {"level", "reasons", "comment", NULL};
static const char *const action_fields[] = {"action", "note", NULL};

/* ---- JSON ---- */

static json_t *
day_json(bm_day d)
{
    char buf[12];
    if (d == BM_DAY_NONE)
        return json_null();
    bm_day_format(d, buf);
    return json_string(buf);
}

/* [{"code", "name"}] of a stored comma-joined reason list. */
static json_t *
reasons_json(const char *joined)
{
    json_t *a = json_array();
    const char *p = joined;

    while (p != NULL && *p) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        for (int i = 0; bm_rating_reasons[i].code != NULL; i++)
            if (strlen(bm_rating_reasons[i].code) == len &&
                strncmp(bm_rating_reasons[i].code, p, len) == 0)
                json_array_append_new(a, json_pack("{s:s,s:s}", "code", bm_rating_reasons[i].code,
                                                   "name", bm_rating_reasons[i].zh));
        p = e ? e + 1 : NULL;
    }
    return a;
}

/* The staff view of a rating. Nothing in it names the rater (domain.md 4.1, 4.5). */
static json_t *
rating_json(const struct bm_rating *r)
{
    int ch = bm_code_find(bm_rating_channels, r->channel);
    json_t *o = json_object();

    json_object_set_new(o, "id", json_integer(r->id));
    json_object_set_new(o, "case_no", json_string(r->case_no));
    json_object_set_new(o, "kind", json_string(r->is_follow_up ? "follow_up" : "initial"));
    json_object_set_new(o, "level", json_integer(r->level));
    json_object_set_new(o, "level_name", json_string(bm_rating_levels[r->level].zh));
    json_object_set_new(o, "is_bad", json_boolean(bm_rating_is_bad(r->level)));
    json_object_set_new(o, "reasons", reasons_json(r->reasons));
    json_object_set_new(o, "comment", json_string(r->comment));
    json_object_set_new(o, "channel", json_string(r->channel));
    json_object_set_new(o, "channel_name", json_string(ch >= 0 ? bm_rating_channels[ch].zh : ""));
    json_object_set_new(o, "item", json_pack("{s:I,s:s}", "id", (json_int_t)r->item_id, "name",
                                             r->item_name));
    json_object_set_new(o, "handling_unit",
                        json_pack("{s:I,s:s}", "id", (json_int_t)r->handling_unit_id, "name",
                                  r->handling_unit_name));
    json_object_set_new(o, "accepting_unit_id", json_integer(r->accepting_unit_id));
    json_object_set_new(o, "handler_id", r->handler_id ? json_integer(r->handler_id) : json_null());
    json_object_set_new(o, "is_default", json_boolean(r->is_default));
    json_object_set_new(o, "excluded", json_boolean(r->is_excluded));
    json_object_set_new(o, "created_at", bm_json_time(r->created_at));
    return o;
}

/* Steps of a task the caller could take now (legal and allowed to them). */
static bool may_act(const struct bm_req *rq, const struct bm_rectification *x,
                    enum bm_rect_actor actor);

static json_t *
rect_json(struct bm_req *rq, const struct bm_rectification *x)
{
    bm_day today = bm_day_of_instant(rq->now);
    json_t *o = json_object(), *allowed = json_array();

    for (int i = 0; i < BM_RECT_ACTION_COUNT; i++) {
        struct bm_rect_state s = x->st;
        if (bm_rect_step(&s, (enum bm_rect_action)i, NULL) == BM_OK && may_act(rq, x, s.actor))
            json_array_append_new(allowed, json_string(bm_rect_actions[i].code));
    }
    json_object_set_new(o, "id", json_integer(x->id));
    json_object_set_new(o, "case_no", json_string(x->case_no));
    json_object_set_new(o, "rating_id", json_integer(x->rating_id));
    json_object_set_new(o, "level", json_integer(x->level));
    json_object_set_new(o, "level_name", json_string(bm_rating_levels[x->level].zh));
    json_object_set_new(o, "unit", json_pack("{s:I,s:s}", "id", (json_int_t)x->unit_id, "name",
                                             x->unit_name));
    json_object_set_new(o, "status", json_string(bm_rect_statuses[x->st.status].code));
    json_object_set_new(o, "status_name", json_string(bm_rect_statuses[x->st.status].zh));
    json_object_set_new(o, "callback_due", day_json(x->callback_due));
    json_object_set_new(o, "rectify_due", day_json(x->rectify_due));
    json_object_set_new(o, "appeal_due", day_json(x->appeal_due));
    json_object_set_new(o, "overdue", json_boolean(bm_rect_is_overdue(
                                          x->st.status, x->callback_due, x->rectify_due, today)));
    json_object_set_new(o, "called_back_at", bm_json_time(x->called_back_at));
    json_object_set_new(o, "callback_note", json_string(x->callback_note));
    json_object_set_new(o, "resolved_at", bm_json_time(x->resolved_at));
    json_object_set_new(o, "outcome", json_string(x->outcome));
    json_object_set_new(o, "appeal_note", json_string(x->appeal_note));
    json_object_set_new(o, "decision_note", json_string(x->decision_note));
    json_object_set_new(o, "closed_at", bm_json_time(x->closed_at));
    json_object_set_new(o, "version", json_integer(x->version));
    json_object_set_new(o, "created_at", bm_json_time(x->created_at));
    json_object_set_new(o, "updated_at", bm_json_time(x->updated_at));
    json_object_set_new(o, "allowed_actions", allowed);
    return o;
}

/* ---- rating a case ---- */

/* A rating body, checked: level, reasons (joined by ','), comment. */
struct rating_in {
    int level;
    const char *reasons;
    const char *comment;
};

static enum bm_rc
parse_rating(struct bm_req *rq, struct rating_in *in)
{
    const char *codes[BM_RATING_MAX_REASONS + 1];
    size_t n = 0, i;
    json_t *body, *rs, *v;
    int64_t level = 0;
    struct bm_buf b;
    bool has_level = false;
    enum bm_rc rc;

    memset(in, 0, sizeof(*in));
    if ((rc = bm_json_body(rq, &body)) != BM_OK ||
        (rc = bm_json_only(rq, body, rating_fields)) != BM_OK)
        return rc;
    (void)bm_json_get_int(rq, body, "level", true, INT32_MIN, INT32_MAX, &level, &has_level);
    (void)bm_json_get_str(rq, body, "comment", false, BM_RATING_COMMENT_MAX, &in->comment, NULL);
    rs = json_object_get(body, "reasons");
    if (rs != NULL && !json_is_null(rs) && !json_is_array(rs))
        (void)bm_err_field(&rq->err, "reasons", "应为评价原因代码的数组");
    else if (rs != NULL && json_is_array(rs)) {
        json_array_foreach(rs, i, v) {
            if (!json_is_string(v)) {
                (void)bm_err_field(&rq->err, "reasons", "第%zu项应为字符串", i + 1);
                continue;
            }
            if (n < BM_RATING_MAX_REASONS + 1)
                codes[n++] = json_string_value(v);
        }
        if (json_array_size(rs) > BM_RATING_MAX_REASONS)
            n = json_array_size(rs); /* reported by bm_rating_check; codes[] holds the first */
    }
    if (rq->err.n_fields > 0 || !has_level)
        return bm_err_set(&rq->err, BM_EINVAL, "评价内容有误");
    if (bm_rating_check((int)level, codes, n, &rq->err) != BM_OK)
        return BM_EINVAL;
    in->level = (int)level;
    if (in->comment == NULL)
        in->comment = "";
    bm_buf_init(&b, 1024);
    for (i = 0; i < n; i++)
        if (bm_buf_printf(&b, "%s%s", i ? "," : "", codes[i]) != BM_OK) {
            bm_buf_fini(&b);
            return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
        }
    in->reasons = bm_arena_strdup(rq->arena, b.ptr != NULL ? b.ptr : "");
    bm_buf_fini(&b);
    return in->reasons ? BM_OK : bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
}

/* The task's due days from the day of the rating (domain.md 4.4, Bianmin defaults). */
static void
rect_dues(const struct bm_calendar *cal, bm_day today, struct bm_rectification *x)
{
    x->callback_due = bm_cal_add_working_days(cal, today, BM_RECT_CALLBACK_DAYS, NULL, 0, NULL);
    x->rectify_due = bm_cal_add_working_days(cal, today, BM_RECT_RECTIFY_DAYS, NULL, 0, NULL);
    x->appeal_due = bm_cal_add_working_days(cal, today, BM_RECT_APPEAL_DAYS, NULL, 0, NULL);
}

/*
 * An audit entry in the case's county chain: a public rating has no logged-in actor whose
 * county the store could take, and in a store shared by counties it belongs to the case's.
 */
static enum bm_rc
audit_case(struct bm_req *rq, const struct bm_case *c, const char *action, const char *type,
           int64_t id, json_t *detail)
{
    struct bm_audit_entry e;
    char *text = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);

    json_decref(detail);
    memset(&e, 0, sizeof(e));
    e.county_code = c->county_code;
    e.at = rq->now;
    e.actor_id = rq->who.user_id;
    e.actor = rq->who.username ? rq->who.username : "anonymous";
    e.action = action;
    e.object_type = type;
    e.object_id = bm_arena_printf(rq->arena, "%" PRId64, id);
    e.detail = text ? bm_arena_strdup(rq->arena, text) : NULL;
    free(text);
    if (e.object_id == NULL || e.detail == NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    return bm_store_audit_append(rq->store, &e, &rq->err);
}

enum bm_rc
bm_api_rating_default(struct bm_req *rq, const struct bm_case *c, int level)
{
    struct bm_rating r;
    int64_t id = 0;
    enum bm_rc rc;

    memset(&r, 0, sizeof(r));
    r.case_id = c->id;
    r.item_id = c->item_id;
    r.accepting_unit_id = c->accepting_unit_id;
    r.handling_unit_id = c->handling_unit_id;
    r.handler_id = c->handler_id;
    r.channel = "online";
    r.level = level;
    r.reasons = r.comment = "";
    r.is_default = true;
    r.created_at = rq->now;
    rc = bm_store_rating_insert(rq->store, &r, &id, &rq->err);
    if (rc == BM_OK)
        rc = audit_case(rq, c, "rating.default", "rating", id,
                        json_pack("{s:s,s:i}", "case_no", c->case_no, "level", level));
    return rc;
}

/*
 * Records a rating of `c` (checked input `in`) and, for a bad initial rating, opens the
 * rectification task for the handling unit (谁办理谁负责), in one transaction with their
 * audit entries. Replies 201.
 */
static enum bm_rc
record(struct bm_req *rq, struct bm_resp *rs, const struct bm_case *c, const struct rating_in *in,
       const char *channel, bool follow_up)
{
    struct bm_rating r;
    struct bm_rectification x;
    struct bm_calendar cal;
    int64_t id = 0, rect_id = 0;
    enum bm_rc rc;
    json_t *o;

    memset(&r, 0, sizeof(r));
    r.case_id = c->id;
    r.item_id = c->item_id;
    r.is_follow_up = follow_up;
    r.accepting_unit_id = c->accepting_unit_id;
    r.handling_unit_id = c->handling_unit_id;
    r.handler_id = c->handler_id;
    r.channel = channel;
    r.level = in->level;
    r.reasons = in->reasons;
    r.comment = in->comment;
    r.recorded_by = strcmp(channel, "window_device") == 0 ? rq->who.user_id : 0;
    r.created_at = rq->now;
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_rating_insert(rq->store, &r, &id, &rq->err);
    /* The rater is not named in the audit either: the case number leads to them only for
     * those allowed to open the case. */
    if (rc == BM_OK)
        rc = audit_case(rq, c, follow_up ? "rating.follow_up" : "rating.create", "rating", id,
                          json_pack("{s:s,s:i,s:s,s:s}", "case_no", c->case_no, "level",
                                    in->level, "channel", channel, "reasons", in->reasons));
    if (rc == BM_OK && !follow_up && bm_rating_is_bad(in->level)) {
        memset(&x, 0, sizeof(x));
        x.rating_id = id;
        x.case_id = c->id;
        x.unit_id = c->handling_unit_id;
        x.st.status = BM_RECT_OPEN;
        /* Due days that are written count with the calendar as stored. */
        rc = bm_api_calendar_stored(rq, &cal);
        if (rc == BM_OK) {
            rect_dues(&cal, bm_day_of_instant(rq->now), &x);
            rc = bm_store_rect_insert(rq->store, &x, rq->now, &rect_id, &rq->err);
        }
        /* The unit hears of it at once (domain.md 4.4: callback "第一时间"). */
        if (rc == BM_OK) {
            char cb[11], fix[11];
            const char *text;
            int sent = 0;
            size_t heads = 0;
            bm_day_format(x.callback_due, cb);
            bm_day_format(x.rectify_due, fix);
            text = bm_arena_printf(rq->arena,
                                   "【便民】差评整改：办件%s（%s）收到“%s”评价，请于%s前回访申请人，"
                                   "%s前完成整改或说明。",
                                   c->case_no, c->item_name, bm_rating_levels[in->level].zh, cb,
                                   fix);
            rc = text == NULL ? bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大")
                              : bm_api_notify_unit(rq, c, "rectification_open", text, &sent,
                                                   &heads);
        }
        if (rc == BM_OK)
            rc = audit_case(rq, c, "rectification.open", "rectification", rect_id,
                              json_pack("{s:s,s:I,s:I}", "case_no", c->case_no, "rating_id",
                                        (json_int_t)id, "unit_id",
                                        (json_int_t)c->handling_unit_id));
    }
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc != BM_OK)
        return rc;
    bm_log(BM_LOG_INFO, "rating_recorded", "case=%s level=%d channel=%s", c->case_no, in->level,
           channel);
    o = json_pack("{s:s,s:s,s:i,s:s,s:o,s:b}", "case_no", c->case_no, "kind",
                  follow_up ? "follow_up" : "initial", "level", in->level, "level_name",
                  bm_rating_levels[in->level].zh, "created_at", bm_json_time(rq->now),
                  "rectification_opened", rect_id != 0);
    /* Staff at the device see the id; the public answer stays free of internal numbers. */
    if (strcmp(channel, "window_device") == 0)
        json_object_set_new(o, "id", json_integer(id));
    return bm_json_reply(rq, rs, 201, o);
}

/* May `c` take a rating of this kind now? BM_ETRANSITION with the reason if not. */
static enum bm_rc
check_open(struct bm_req *rq, const struct bm_case *c, bool follow_up)
{
    struct bm_rating *rt;
    struct bm_rectification *xs;
    size_t n = 0, nx = 0;
    enum bm_rc rc;
    struct bm_rect_query q;

    if (c->st.status != BM_CASE_DELIVERED)
        return bm_err_set(&rq->err, BM_ETRANSITION, "办件尚未出件，暂不能评价");
    if (!follow_up) {
        /* A second rating is a conflict even after the window closed: say what is true. */
        rc = bm_store_ratings_of_case(rq->store, c->id, rq->arena, &rt, &n, &rq->err);
        if (rc != BM_OK)
            return rc;
        if (n > 0)
            return bm_err_set(&rq->err, BM_ECONFLICT, "该办件已评价，不能重复评价");
        if (!bm_rating_window_open(c->closed_at, rq->now))
            return bm_err_set(&rq->err, BM_ETRANSITION, "评价期已过（出件后 7 日内可评价）");
        return BM_OK;
    }
    /* 追评: the rater may re-rate the rectification once it was fed back (domain.md 4.4). */
    memset(&q, 0, sizeof(q));
    q.unit_prefix = "";
    q.status = "";
    q.case_id = c->id;
    q.overdue_on = BM_DAY_NONE;
    q.limit = 1;
    if ((rc = bm_store_rects_list(rq->store, &q, rq->arena, &xs, &nx, &rq->err)) != BM_OK)
        return rc;
    if (nx == 0 || !bm_rect_has_feedback(xs[0].st.status))
        return bm_err_set(&rq->err, BM_ETRANSITION, "差评整改反馈后方可追评");
    return BM_OK;
}

/*
 * The public page's code check, throttled like the public case lookup and sharing its
 * budget (the same key): per case number and per client address, with the log-in limits.
 * Wrong number or code: 404 and a counted failure.
 */
static enum bm_rc
public_case(struct bm_req *rq, struct bm_case *c)
{
    const char *code = bm_req_query(rq, "code");
    const char *key = bm_arena_printf(rq->arena, "case:%.30s", rq->params[0]);
    int64_t n_case = 0, n_ip = 0;
    enum bm_rc rc;

    if (key == NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    rc = bm_store_login_failures(rq->store, key, rq->client_ip, rq->now - rq->cfg->login_window_s,
                                 &n_case, &n_ip, &rq->err);
    if (rc != BM_OK)
        return rc;
    if (n_case >= rq->cfg->login_max_failures || n_ip >= rq->cfg->login_ip_max_failures) {
        bm_metrics_throttled();
        rq->err.retry_after_s = rq->cfg->login_window_s;
        return bm_err_set(&rq->err, BM_ETHROTTLED, "查询码错误次数过多，请 %d 分钟后再试",
                          rq->cfg->login_window_s / 60);
    }
    if (!bm_case_no_valid(rq->params[0]) || code == NULL ||
        bm_store_case_get(rq->store, rq->params[0], rq->arena, c, &rq->err) != BM_OK ||
        !bm_secret_equal(code, c->query_code)) {
        bm_err_clear(&rq->err);
        if (bm_store_login_failure_add(rq->store, key, rq->client_ip, rq->now, &rq->err) != BM_OK)
            return rq->err.rc;
        return bm_err_set(&rq->err, BM_ENOTFOUND, "办件编号或查询码不正确");
    }
    return BM_OK;
}

static enum bm_rc
public_rate(struct bm_req *rq, struct bm_resp *rs, bool follow_up)
{
    struct bm_case c;
    struct rating_in in;
    enum bm_rc rc = public_case(rq, &c);

    if (rc == BM_OK)
        rc = parse_rating(rq, &in);
    if (rc == BM_OK)
        rc = check_open(rq, &c, follow_up);
    if (rc == BM_OK)
        rc = record(rq, rs, &c, &in, "online", follow_up);
    return rc;
}

/* POST /api/v1/public/cases/{case_no}/rating?code= */
enum bm_rc
bm_api_public_rating_create(struct bm_req *rq, struct bm_resp *rs)
{
    return public_rate(rq, rs, false);
}

/* POST /api/v1/public/cases/{case_no}/rating/follow-up?code= */
enum bm_rc
bm_api_public_rating_follow_up(struct bm_req *rq, struct bm_resp *rs)
{
    return public_rate(rq, rs, true);
}

/* POST /api/v1/cases/{case_no}/rating: the rating device at the accepting window. */
enum bm_rc
bm_api_cases_rating_create(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_case c;
    struct rating_in in;
    enum bm_rc rc = bm_api_case_load(rq, rq->params[0], &c);

    if (rc != BM_OK)
        return rc;
    /* The device stands at the window that hands out the result (一次一评). */
    if (!bm_access_case_actor(&rq->who, BM_ACTOR_FRONT, c.accepting_path, c.handling_path))
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "只有受理窗口的评价器可以为该办件评价");
    if ((rc = parse_rating(rq, &in)) == BM_OK && (rc = check_open(rq, &c, false)) == BM_OK)
        rc = record(rq, rs, &c, &in, "window_device", false);
    return rc;
}

void
bm_api_rating_public_fields(struct bm_req *rq, const struct bm_case *c, json_t *o)
{
    struct bm_rating *rt;
    size_t n = 0;

    if (bm_store_ratings_of_case(rq->store, c->id, rq->arena, &rt, &n, &rq->err) != BM_OK) {
        bm_err_clear(&rq->err);
        n = 0;
    }
    json_object_set_new(o, "rated", json_boolean(n > 0));
    json_object_set_new(o, "rating_open",
                        json_boolean(n == 0 && c->st.status == BM_CASE_DELIVERED &&
                                     bm_rating_window_open(c->closed_at, rq->now)));
}

/* ---- staff views ---- */

/* "YYYY-MM-DD" query parameter as the instant its day starts (China Standard Time);
 * `next` gives the start of the following day (an exclusive end). 0 when absent. */
static enum bm_rc
day_param(struct bm_req *rq, const char *name, bool next, int64_t *out)
{
    const char *v = bm_req_query(rq, name);
    bm_day d;

    *out = 0;
    if (v == NULL || v[0] == '\0')
        return BM_OK;
    if (!bm_day_parse(v, &d))
        return bm_err_field(&rq->err, name, "应为 YYYY-MM-DD 格式的日期");
    *out = ((int64_t)d + (next ? 1 : 0)) * 86400 - CST_OFFSET_S;
    return BM_OK;
}

/* GET /api/v1/ratings?level=&unit_id=&from=&to=&limit=&cursor= */
enum bm_rc
bm_api_ratings_list(struct bm_req *rq, struct bm_resp *rs)
{
    char scope[BM_ORG_PATH_MAX];
    struct bm_rating_query q;
    struct bm_rating *r;
    size_t n = 0;
    const char *v;
    int64_t num;
    json_t *items;
    enum bm_rc rc;

    memset(&q, 0, sizeof(q));
    if (!bm_access_case_scope(&rq->who, scope, sizeof(scope)))
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "您无权查看评价");
    /* A township sees the ratings of what it handled and of what its windows accepted. */
    q.scope_prefix = scope;
    if ((v = bm_req_query(rq, "level")) != NULL && v[0]) {
        if (!bm_parse_i64z(v, BM_RATING_MIN, BM_RATING_MAX, &num))
            (void)bm_err_field(&rq->err, "level", "应为 1 至 5 之间的整数");
        q.level = (int)num;
    }
    if ((v = bm_req_query(rq, "unit_id")) != NULL && v[0] &&
        !bm_parse_i64z(v, 1, INT64_MAX, &q.handling_unit_id))
        (void)bm_err_field(&rq->err, "unit_id", "应为单位编号");
    (void)day_param(rq, "from", false, &q.from);
    (void)day_param(rq, "to", true, &q.to);
    if (rq->err.n_fields > 0)
        return bm_err_set(&rq->err, BM_EINVAL, "查询条件有误");
    if ((rc = bm_req_page(rq, 20, 200, &q.limit, &q.after_id)) != BM_OK)
        return rc;
    if ((rc = bm_store_ratings_list(rq->store, &q, rq->arena, &r, &n, &rq->err)) != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n && (int)i < q.limit; i++)
        json_array_append_new(items, rating_json(&r[i]));
    return bm_json_page(rq, rs, items, (int)n > q.limit,
                        (int)n > q.limit ? r[q.limit - 1].id : 0);
}

/* GET /api/v1/ratings/{id}: a rating within the caller's scope (404 outside it). */
enum bm_rc
bm_api_ratings_get(struct bm_req *rq, struct bm_resp *rs)
{
    char scope[BM_ORG_PATH_MAX];
    struct bm_rating r;
    int64_t id;
    enum bm_rc rc = bm_req_param_id(rq, 0, &id);

    if (rc == BM_OK)
        rc = bm_store_rating_get(rq->store, id, rq->arena, &r, &rq->err);
    if (rc != BM_OK)
        return rc;
    if (!bm_access_case_scope(&rq->who, scope, sizeof(scope)) ||
        (strncmp(r.handling_path, scope, strlen(scope)) != 0 &&
         strncmp(r.accepting_path, scope, strlen(scope)) != 0))
        return bm_err_set(&rq->err, BM_ENOTFOUND, "评价不存在");
    return bm_json_reply(rq, rs, 200, rating_json(&r));
}

/* ---- rectification tasks ---- */

/* The unit's side (callback, rectify, explain, appeal): a handler, approver or township
 * administrator of the responsible unit's township or department, or a county
 * administrator. Supervision (close, decide appeals): a supervisor or county administrator. */
static bool
may_act(const struct bm_req *rq, const struct bm_rectification *x, enum bm_rect_actor actor)
{
    char scope[BM_ORG_PATH_MAX];
    const struct bm_principal *p = &rq->who;

    if (!rq->is_authenticated || !bm_access_case_scope(p, scope, sizeof(scope)) ||
        strncmp(x->unit_path, scope, strlen(scope)) != 0)
        return false;
    if (actor == BM_RECT_BY_SUPERVISOR)
        return (p->roles & (BM_ROLE_SUPERVISOR | BM_ROLE_COUNTY_ADMIN)) != 0;
    return (p->roles & (BM_ROLE_HANDLER | BM_ROLE_APPROVER | BM_ROLE_TOWNSHIP_ADMIN |
                        BM_ROLE_COUNTY_ADMIN)) != 0;
}

/* Loads a task the caller may see (404 otherwise). */
static enum bm_rc
rect_load(struct bm_req *rq, struct bm_rectification *x)
{
    char scope[BM_ORG_PATH_MAX];
    int64_t id;
    enum bm_rc rc = bm_req_param_id(rq, 0, &id);

    if (rc == BM_OK)
        rc = bm_store_rect_get(rq->store, id, rq->arena, x, &rq->err);
    if (rc != BM_OK)
        return rc;
    if (!bm_access_case_scope(&rq->who, scope, sizeof(scope)) ||
        strncmp(x->unit_path, scope, strlen(scope)) != 0)
        return bm_err_set(&rq->err, BM_ENOTFOUND, "整改任务不存在");
    return BM_OK;
}

/* GET /api/v1/rectifications?status=&overdue=true&limit=&cursor= */
enum bm_rc
bm_api_rects_list(struct bm_req *rq, struct bm_resp *rs)
{
    char scope[BM_ORG_PATH_MAX];
    struct bm_rect_query q;
    struct bm_rectification *x;
    size_t n = 0;
    const char *v;
    json_t *items;
    enum bm_rc rc;

    memset(&q, 0, sizeof(q));
    q.overdue_on = BM_DAY_NONE;
    q.status = "";
    if (!bm_access_case_scope(&rq->who, scope, sizeof(scope)))
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "您无权查看整改任务");
    q.unit_prefix = scope;
    if ((v = bm_req_query(rq, "status")) != NULL && v[0]) {
        if (bm_code_find(bm_rect_statuses, v) < 0)
            (void)bm_err_field(&rq->err, "status", "未知的整改状态");
        q.status = v;
    }
    if ((v = bm_req_query(rq, "overdue")) != NULL && v[0]) {
        if (strcmp(v, "true") == 0)
            q.overdue_on = bm_day_of_instant(rq->now);
        else if (strcmp(v, "false") != 0)
            (void)bm_err_field(&rq->err, "overdue", "应为 true 或 false");
    }
    if (rq->err.n_fields > 0)
        return bm_err_set(&rq->err, BM_EINVAL, "查询条件有误");
    if ((rc = bm_req_page(rq, 20, 200, &q.limit, &q.after_id)) != BM_OK)
        return rc;
    if ((rc = bm_store_rects_list(rq->store, &q, rq->arena, &x, &n, &rq->err)) != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n && (int)i < q.limit; i++)
        json_array_append_new(items, rect_json(rq, &x[i]));
    return bm_json_page(rq, rs, items, (int)n > q.limit,
                        (int)n > q.limit ? x[q.limit - 1].id : 0);
}

/* The task with its rating (what the rater said), for the unit and supervisors. */
static enum bm_rc
rect_reply(struct bm_req *rq, struct bm_resp *rs, const struct bm_rectification *x, int status)
{
    struct bm_rating r;
    json_t *o;
    enum bm_rc rc = bm_store_rating_get(rq->store, x->rating_id, rq->arena, &r, &rq->err);

    if (rc != BM_OK)
        return rc;
    o = rect_json(rq, x);
    json_object_set_new(o, "rating", rating_json(&r));
    bm_resp_header(rs, "ETag", bm_arena_printf(rq->arena, "\"%" PRId64 "\"", x->version));
    return bm_json_reply(rq, rs, status, o);
}

/* GET /api/v1/rectifications/{id} */
enum bm_rc
bm_api_rects_get(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_rectification x;
    enum bm_rc rc = rect_load(rq, &x);

    return rc != BM_OK ? rc : rect_reply(rq, rs, &x, 200);
}

/* The rater hears of the feedback by text message (domain.md 4.4 "feedback"). */
static enum bm_rc
notify_feedback(struct bm_req *rq, const struct bm_rectification *x)
{
    struct bm_case c;
    const char *text;
    enum bm_rc rc;

    if (!rq->cfg->has_data_key)
        return BM_OK; /* no key, no sealed phone number to send to */
    if ((rc = bm_store_case_get(rq->store, x->case_no, rq->arena, &c, &rq->err)) != BM_OK)
        return rc;
    text = bm_arena_printf(rq->arena,
                           "您对办件%s的评价已由%s核实处理：%s。如仍不满意，可凭查询码追评。",
                           x->case_no, x->unit_name, x->outcome);
    if (text == NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    return bm_api_notify(rq, &c, "rating_feedback", text);
}

/* POST /api/v1/rectifications/{id}/actions {"action", "note"} with If-Match. */
enum bm_rc
bm_api_rects_act(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_rectification x;
    struct bm_rect_state s;
    const char *code = NULL, *note = NULL;
    enum bm_rect_status from;
    int64_t version;
    json_t *body;
    int action;
    enum bm_rc rc = rect_load(rq, &x);

    if (rc != BM_OK)
        return rc;
    if ((rc = bm_json_body(rq, &body)) != BM_OK ||
        (rc = bm_json_only(rq, body, action_fields)) != BM_OK)
        return rc;
    (void)bm_json_get_str(rq, body, "action", true, 32, &code, NULL);
    (void)bm_json_get_str(rq, body, "note", true, NOTE_MAX, &note, NULL);
    if (code != NULL && bm_code_find(bm_rect_actions, code) < 0)
        (void)bm_err_field(&rq->err, "action", "未知的操作“%.32s”", code);
    if (note != NULL && note[strspn(note, " \t\r\n")] == '\0')
        (void)bm_err_field(&rq->err, "note", "请填写核实、整改或处理情况");
    if (rq->err.n_fields > 0)
        return bm_err_set(&rq->err, BM_EINVAL, "操作内容有误");
    action = bm_code_find(bm_rect_actions, code);
    if ((rc = bm_req_if_match(rq, &version)) != BM_OK)
        return rc;
    if (version != x.version)
        return bm_err_set(&rq->err, BM_ESTALE, "整改任务已被他人修改，请刷新后重试");
    s = x.st;
    from = s.status;
    if ((rc = bm_rect_step(&s, (enum bm_rect_action)action, &rq->err)) != BM_OK)
        return rc;
    if (!may_act(rq, &x, s.actor))
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "您无权对该整改任务执行“%s”",
                          bm_rect_actions[action].zh);
    /* domain.md 4.4: appeals within 3 working days of the rating. */
    if (action == BM_RECT_APPEAL && bm_day_of_instant(rq->now) > x.appeal_due)
        return bm_err_set(&rq->err, BM_ETRANSITION, "申诉期已过（差评后 %d 个工作日内可申诉）",
                          BM_RECT_APPEAL_DAYS);
    x.st = s;
    switch ((enum bm_rect_action)action) {
    case BM_RECT_CALLBACK:
        x.called_back_at = rq->now;
        x.callback_note = note;
        break;
    case BM_RECT_RECTIFY:
    case BM_RECT_EXPLAIN:
        x.resolved_at = rq->now;
        x.outcome = note;
        break;
    case BM_RECT_APPEAL:
        x.appeal_note = note;
        break;
    case BM_RECT_CLOSE:
    case BM_RECT_UPHOLD_APPEAL:
        x.closed_at = rq->now;
        x.decision_note = note;
        break;
    default:
        x.decision_note = note;
        break;
    }
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_rect_update(rq->store, &x, rq->now, &rq->err);
    if (rc == BM_OK && (action == BM_RECT_RECTIFY || action == BM_RECT_EXPLAIN))
        rc = notify_feedback(rq, &x);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, bm_arena_printf(rq->arena, "rectification.%s", code),
                          "rectification", x.id,
                          json_pack("{s:s,s:s,s:s,s:s}", "case_no", x.case_no, "from",
                                    bm_rect_statuses[from].code, "to",
                                    bm_rect_statuses[x.st.status].code, "note", note));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc != BM_OK)
        return rc;
    if ((rc = bm_store_rect_get(rq->store, x.id, rq->arena, &x, &rq->err)) != BM_OK)
        return rc;
    return rect_reply(rq, rs, &x, 200);
}
