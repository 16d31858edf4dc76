/*
 * Deadline supervision (电子监察, docs/domain.md 3.2): the list of running cases whose light
 * is yellow or red, and the warning round that the server's warning job runs, which tells
 * each such case's handler and unit head once per deadline and light.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api/cases.h"
#include "api/handlers.h"
#include "api/json.h"
#include "api/ratings.h"
#include "core/access.h"
#include "core/calendar.h"
#include "core/case.h"
#include "core/rating.h"
#include "core/user.h"
#include "util/log.h"
#include "util/parse.h"

#define WARN_PAGE 100

/* ---- GET /api/v1/supervision/warnings ---- */

enum bm_rc
bm_api_supervision_warnings(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_case_query q;
    struct bm_calendar cal;
    struct bm_case *cs;
    char scope[BM_ORG_PATH_MAX];
    const char *level = bm_req_query(rq, "level");
    bm_day today = bm_day_of_instant(rq->now);
    bool want_red = true, want_yellow = true;
    size_t n = 0;
    struct bm_jw w = {0};
    enum bm_rc rc;

    memset(&q, 0, sizeof(q));
    q.due_before = BM_DAY_NONE;
    q.after_due = BM_DAY_NONE;
    q.open_only = true;
    q.by_due = true;
    q.warn_before = today;
    if (!bm_access_case_scope(&rq->who, scope, sizeof(scope)))
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "您无权查看办件");
    q.scope_prefix = scope;
    if (level != NULL && level[0]) {
        if (strcmp(level, "red") == 0)
            want_yellow = false;
        else if (strcmp(level, "yellow") == 0)
            want_red = false;
        else
            return bm_err_field(&rq->err, "level", "应为 yellow 或 red");
    }
    if ((rc = bm_api_case_queue(rq, &q)) != BM_OK || (rc = bm_api_due_page(rq, 50, &q)) != BM_OK)
        return rc;
    /* Red: due before today. Yellow: due today or later, so the walk by deadline starts
     * past the red ones (a cursor key just before today). */
    if (!want_yellow)
        q.due_before = today - 1;
    if (!want_red && (q.after_id == 0 || q.after_due < today - 1)) {
        q.after_due = today - 1;
        q.after_id = INT64_MAX;
    }
    rc = bm_store_cases_list(rq->store, &q, rq->arena, &cs, &n, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_calendar(rq, &cal);
    if (rc != BM_OK)
        return rc;
    bm_jw_obj(&w);
    bm_jw_key(&w, "items");
    bm_jw_arr(&w);
    for (size_t i = 0; i < n && (int)i < q.limit; i++) {
        enum bm_light l = bm_api_case_light(rq, &cs[i], &cal);
        /* warn_day picks the rows; the light, computed now, has the last word. */
        if (!((l == BM_LIGHT_RED && want_red) || (l == BM_LIGHT_YELLOW && want_yellow)))
            continue;
        bm_jw_obj(&w);
        bm_api_case_fields(&w, rq, &cs[i], &cal, false, false);
        bm_jw_kstr(&w, "level", bm_light_code(l));
        bm_jw_kint(&w, "unit_id", cs[i].handling_unit_id);
        bm_jw_kstr(&w, "unit_name", cs[i].handling_unit_name);
        bm_jw_obj_end(&w);
    }
    bm_jw_arr_end(&w);
    bm_jw_key(&w, "next_cursor");
    if ((int)n > q.limit) {
        const struct bm_case *last = &cs[q.limit - 1];
        const char *next = bm_arena_printf(rq->arena, "%d.%" PRId64, (int)last->due_day, last->id);
        bm_jw_str(&w, next ? next : "");
    } else {
        bm_jw_null(&w);
    }
    bm_jw_obj_end(&w);
    return bm_json_reply_jw(rq, rs, 200, &w);
}

/* ---- the warning round ---- */

/* A case or card that met a busy database (BM_EBUSY) or someone else's change (BM_ESTALE) is
 * left for the next round; the rest of the round goes on. */
static enum bm_rc
skip_busy(struct bm_req *rq, enum bm_rc rc)
{
    if (rc != BM_EBUSY && rc != BM_ESTALE)
        return rc;
    bm_err_clear(&rq->err);
    return BM_OK;
}

/* Users of exactly `unit_id` (under `path`) who lead it: approvers and township admins. */
static enum bm_rc
unit_heads(struct bm_req *rq, int64_t unit_id, const char *path, struct bm_user **out,
           size_t *n)
{
    struct bm_user *us;
    size_t got = 0;
    enum bm_rc rc;

    *n = 0;
    rc = bm_store_users_list(rq->store, path, 0, 200, rq->arena, &us, &got, &rq->err);
    if (rc != BM_OK)
        return rc;
    *out = us;
    for (size_t i = 0; i < got; i++)
        if (us[i].is_active && us[i].org_unit_id == unit_id &&
            (us[i].roles & (BM_ROLE_APPROVER | BM_ROLE_TOWNSHIP_ADMIN)) != 0)
            us[(*n)++] = us[i];
    return BM_OK;
}

/* The parent's path of "/1/4/17/": "/1/4/"; false at the top. */
static bool
parent_path(const char *path, char *out, size_t size)
{
    size_t len = strlen(path);

    if (len < 2 || len >= size)
        return false;
    memcpy(out, path, len + 1);
    out[len - 1] = '\0';
    {
        char *slash = strrchr(out, '/');
        if (slash == NULL || slash == out)
            return false;
        slash[1] = '\0';
    }
    return true;
}

/* The unit's id from the last segment of its path. */
static int64_t
path_unit(const char *path)
{
    size_t len = strlen(path);
    int64_t id = 0;
    const char *p;

    if (len < 3)
        return 0;
    for (p = path + len - 2; p > path && p[-1] != '/'; p--)
        ;
    return bm_parse_i64(p, (size_t)(path + len - 1 - p), 1, INT64_MAX, &id) ? id : 0;
}

enum bm_rc
bm_api_notify_unit(struct bm_req *rq, const struct bm_case *c, const char *template_name,
                   const char *text, int *sent, size_t *n_heads)
{
    char parent[BM_ORG_PATH_MAX];
    struct bm_user *heads = NULL, handler;
    enum bm_rc rc;

    *n_heads = 0;
    rc = unit_heads(rq, c->handling_unit_id, c->handling_path, &heads, n_heads);
    if (rc == BM_OK && *n_heads == 0 && parent_path(c->handling_path, parent, sizeof(parent)))
        rc = unit_heads(rq, path_unit(parent), parent, &heads, n_heads);
    if (rc == BM_OK && c->handler_id != 0)
        rc = bm_store_user_get(rq->store, c->handler_id, rq->arena, &handler, &rq->err);
    if (rc == BM_OK && c->handler_id != 0 && handler.is_active && handler.phone[0]) {
        rc = bm_api_notify_phone(rq, c, handler.phone, template_name, text);
        (*sent)++;
    }
    for (size_t i = 0; rc == BM_OK && i < *n_heads; i++) {
        if (heads[i].id == c->handler_id || !heads[i].phone[0])
            continue;
        rc = bm_api_notify_phone(rq, c, heads[i].phone, template_name, text);
        (*sent)++;
    }
    return rc;
}

/* Queues the warning to the handler and the heads of the handling unit, and records it in
 * the case's trace. Inside the claiming transaction. */
static enum bm_rc
send_warning(struct bm_req *rq, const struct bm_case *c, enum bm_light l,
             const struct bm_calendar *cal, int *sent)
{
    bm_day today = bm_day_of_instant(rq->now);
    char due[11];
    const char *text;
    size_t n_heads = 0;
    int left = bm_cal_working_days_between(cal, today, c->due_day, NULL, 0);
    int late = c->due_day < today ? bm_cal_working_days_between(cal, c->due_day, today, NULL, 0) : 0;
    enum bm_rc rc;

    bm_day_format(c->due_day, due);
    text = l == BM_LIGHT_RED
               ? bm_arena_printf(rq->arena,
                                 "【便民】红灯：办件%s（%s）已超过承诺办结期限%s（超期%d个工作日），"
                                 "请立即办理并说明原因。",
                                 c->case_no, c->item_name, due, late)
               : bm_arena_printf(rq->arena,
                                 "【便民】黄灯：办件%s（%s）承诺办结期限为%s，还剩%d个工作日，"
                                 "请抓紧办理。",
                                 c->case_no, c->item_name, due, left);
    if (text == NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    rc = bm_api_notify_unit(rq, c, l == BM_LIGHT_RED ? "warn_red" : "warn_yellow", text, sent,
                            &n_heads);
    /* Past the promised deadline (not the statutory one): a yellow card (domain.md 3.3). */
    if (rc == BM_OK && l == BM_LIGHT_RED)
        rc = bm_api_sup_issue_rule(
            rq, c, BM_SUP_RULE_OVERDUE, c->handling_unit_id, c->handler_id,
            bm_arena_printf(rq->arena, "办件%s（%s）超过承诺办结期限%s", c->case_no,
                            c->item_name, due));
    if (rc == BM_OK)
        rc = bm_api_case_event(rq, c, "warn", c->st.status,
                               l == BM_LIGHT_RED ? "红灯：已超过承诺办结期限" : "黄灯：临近承诺办结期限",
                               json_pack("{s:s,s:s,s:i}", "level", bm_light_code(l), "deadline",
                                         due, "recipients", (int)n_heads + (c->handler_id != 0)));
    return rc;
}

/*
 * 行政许可法 art. 32: an application neither accepted, refused nor sent a supplement notice
 * within 5 working days of receipt counts as accepted from the day of receipt. Such cases
 * are accepted by the system (action auto_accept, which no person may take), and the window
 * that let the days pass gets a yellow card (domain.md 3.3).
 */
static enum bm_rc
auto_accept(struct bm_req *rq, const struct bm_calendar *cal, int *accepted)
{
    struct bm_case_query q;
    bm_day today = bm_day_of_instant(rq->now);
    size_t n = 0;
    enum bm_rc rc = BM_OK;

    memset(&q, 0, sizeof(q));
    q.status = "submitted";
    q.due_before = BM_DAY_NONE;
    q.after_due = BM_DAY_NONE;
    q.warn_before = BM_DAY_NONE;
    q.limit = WARN_PAGE;
    do {
        struct bm_case *cs;
        rc = bm_store_cases_list(rq->store, &q, rq->arena, &cs, &n, &rq->err);
        for (size_t i = 0; rc == BM_OK && i < n && (int)i < q.limit; i++) {
            struct bm_case *c = &cs[i];
            bm_day received = bm_day_of_instant(c->submitted_at);
            const char *reason;

            q.after_id = c->id;
            if (bm_cal_add_working_days(cal, received, 5, NULL, 0, NULL) >= today)
                continue;
            reason = bm_arena_printf(rq->arena,
                                     "办件%s（%s）收件后5个工作日内未作受理决定，依法视为受理",
                                     c->case_no, c->item_name);
            rc = bm_store_begin(rq->store, &rq->err);
            if (rc == BM_OK)
                rc = bm_api_case_apply(rq, c, BM_ACT_AUTO_ACCEPT, NULL, cal);
            if (rc == BM_OK)
                rc = reason ? bm_api_sup_issue_rule(rq, c, BM_SUP_RULE_AUTO_ACCEPTED,
                                                    c->accepting_unit_id, 0, reason)
                            : bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
            if (rc == BM_OK)
                rc = bm_store_commit(rq->store, &rq->err);
            bm_store_rollback(rq->store);
            if (rc == BM_OK)
                (*accepted)++;
            rc = skip_busy(rq, rc); /* stale: a clerk acted on it meanwhile, theirs stands */
        }
    } while (rc == BM_OK && (int)n > q.limit);
    return rc;
}

/*
 * Yellow cards still open (unexplained) more than BM_SUP_ESCALATE_DAYS working days after
 * they were issued become red cards against the same unit and officer (domain.md 3.3); the
 * yellow card is closed with a note naming the red one. The yellow card's version is the
 * claim, so several processes escalate it once.
 */
static enum bm_rc
escalate(struct bm_req *rq, const struct bm_calendar *cal, int *escalated)
{
    struct bm_sup_query q = {.scope_prefix = "", .kind = BM_SUP_YELLOW_CARD,
                             .status = BM_SUP_OPEN, .limit = WARN_PAGE};
    bm_day today = bm_day_of_instant(rq->now);
    size_t n = 0;
    enum bm_rc rc = BM_OK;

    do {
        struct bm_sup_record *ys;
        rc = bm_store_sup_list(rq->store, &q, rq->arena, &ys, &n, &rq->err);
        for (size_t i = 0; rc == BM_OK && i < n && (int)i < q.limit; i++) {
            struct bm_sup_record y = ys[i], red;
            int64_t red_id = 0;

            q.after_id = y.id;
            if (bm_cal_working_days_between(cal, bm_day_of_instant(y.issued_at), today, NULL, 0) <=
                BM_SUP_ESCALATE_DAYS)
                continue;
            red = y;
            red.id = 0;
            red.kind = BM_SUP_RED_CARD;
            red.rule = BM_SUP_RULE_YELLOW_UNRESOLVED;
            red.status = BM_SUP_OPEN;
            red.reason = bm_arena_printf(rq->arena, "黄牌（第%" PRId64 "号）发出后%d个工作日内未作书面说明：%s",
                                         y.id, BM_SUP_ESCALATE_DAYS, y.reason);
            red.issued_by = 0;
            red.issued_at = rq->now;
            red.answer_due_day = bm_cal_add_working_days(cal, today, bm_sup_answer_days(red.kind),
                                                         NULL, 0, NULL);
            red.answer = red.appeal = red.decision = "";
            red.answered_by = red.answered_at = red.appealed_at = red.decided_by = red.decided_at = 0;
            y.status = BM_SUP_CLOSED;
            y.decided_at = rq->now;
            y.decided_by = 0;
            rc = red.reason == NULL ? bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大")
                                    : bm_store_begin(rq->store, &rq->err);
            if (rc == BM_OK)
                rc = bm_store_sup_insert(rq->store, &red, &red_id, &rq->err);
            if (rc == BM_OK) {
                y.decision = bm_arena_printf(rq->arena, "逾期未说明，已升级为红牌（第%" PRId64 "号）", red_id);
                rc = y.decision == NULL ? bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大")
                                        : bm_store_sup_update(rq->store, &y, &rq->err);
            }
            if (rc == BM_OK)
                rc = bm_api_audit(rq, "supervision.escalate", "supervision_record", red_id,
                                  json_pack("{s:s,s:s,s:I}", "kind", "red_card", "rule",
                                            bm_sup_rules[red.rule].code, "yellow_card",
                                            (json_int_t)y.id));
            if (rc == BM_OK)
                rc = bm_store_commit(rq->store, &rq->err);
            bm_store_rollback(rq->store);
            if (rc == BM_OK)
                (*escalated)++;
            rc = skip_busy(rq, rc); /* stale: answered meanwhile, or escalated elsewhere */
        }
    } while (rc == BM_OK && (int)n > q.limit);
    return rc;
}

/*
 * Applications whose one-time supplement notice (一次性告知) has gone unanswered for
 * return_after_days natural days are returned by the system (退件, action auto_return,
 * domain.md 2.2), and the applicant is told. The days count from the case's last change.
 */
static enum bm_rc
auto_return(struct bm_req *rq, const struct bm_calendar *cal, int *returned)
{
    struct bm_case_query q;
    int64_t limit = (int64_t)rq->cfg->return_after_days * 86400;
    size_t n = 0;
    enum bm_rc rc = BM_OK;

    memset(&q, 0, sizeof(q));
    q.status = "supplement_requested";
    q.due_before = BM_DAY_NONE;
    q.after_due = BM_DAY_NONE;
    q.warn_before = BM_DAY_NONE;
    q.limit = WARN_PAGE;
    do {
        struct bm_case *cs;
        rc = bm_store_cases_list(rq->store, &q, rq->arena, &cs, &n, &rq->err);
        for (size_t i = 0; rc == BM_OK && i < n && (int)i < q.limit; i++) {
            struct bm_case *c = &cs[i];

            q.after_id = c->id;
            /* The notice changed the case; so did anything after it (materials handed in). */
            if (c->updated_at > rq->now - limit)
                continue;
            rc = bm_store_begin(rq->store, &rq->err);
            if (rc == BM_OK)
                rc = bm_api_case_apply(rq, c, BM_ACT_AUTO_RETURN, NULL, cal);
            if (rc == BM_OK)
                rc = bm_store_commit(rq->store, &rq->err);
            bm_store_rollback(rq->store);
            if (rc == BM_OK)
                (*returned)++;
            rc = skip_busy(rq, rc); /* stale: the applicant or a clerk acted meanwhile */
        }
    } while (rc == BM_OK && (int)n > q.limit);
    return rc;
}

/* Days past the rating window a round still looks back, so a server down that long catches
 * up; older cases stay unrated. */
#define DEFAULT_LOOKBACK_S (3 * 86400)

/*
 * Delivered cases nobody rated within the rating window (7 natural days, domain.md 4.3) get
 * the default rating `default_rating` (3 基本满意; 0 none), flagged is_default.
 */
static enum bm_rc
default_ratings(struct bm_req *rq, int *rated)
{
    int64_t until = rq->now - BM_RATING_WINDOW_S, after_closed = until - DEFAULT_LOOKBACK_S;
    int64_t after_id = 0;
    int level = rq->cfg->default_rating;
    size_t n = 0;
    enum bm_rc rc = BM_OK;

    if (level <= BM_RATING_BAD_MAX)
        return BM_OK; /* off: a bad rating is never given for anyone */
    do {
        struct bm_case *cs;
        rc = bm_store_cases_unrated(rq->store, until - DEFAULT_LOOKBACK_S, until, after_closed,
                                    after_id, WARN_PAGE, rq->arena, &cs, &n, &rq->err);
        for (size_t i = 0; rc == BM_OK && i < n; i++) {
            after_closed = cs[i].closed_at;
            after_id = cs[i].id;
            rc = bm_store_begin(rq->store, &rq->err);
            if (rc == BM_OK)
                rc = bm_api_rating_default(rq, &cs[i], level);
            if (rc == BM_OK)
                rc = bm_store_commit(rq->store, &rq->err);
            bm_store_rollback(rq->store);
            if (rc == BM_OK)
                (*rated)++;
            if (rc == BM_ECONFLICT) /* rated at the last moment: the rater's stands */
                rc = BM_ESTALE;
            rc = skip_busy(rq, rc);
        }
    } while (rc == BM_OK && n == WARN_PAGE);
    return rc;
}

/* The yellow and red warnings of the running cases in warning today. */
static enum bm_rc
warn_cases(struct bm_req *rq, const struct bm_calendar *cal, int *warned, int *messages)
{
    bm_day today = bm_day_of_instant(rq->now);
    int64_t after = 0;
    size_t n = 0;
    enum bm_rc rc = BM_OK;

    do {
        struct bm_case *cs;
        rc = rc == BM_OK ? bm_store_cases_to_warn(rq->store, today, after, WARN_PAGE, rq->arena,
                                                  &cs, &n, &rq->err)
                         : rc;
        for (size_t i = 0; rc == BM_OK && i < n; i++) {
            struct bm_case *c = &cs[i];
            enum bm_light l;
            int level;
            bool claimed = false;

            after = c->id;
            if (c->warn_day == BM_DAY_NONE) {
                /* A case accepted before schema 5: its warn_day, once. */
                c->warn_day = bm_cal_warn_day(cal, c->due_day, c->promised_days + c->extension_days);
                rc = bm_store_begin(rq->store, &rq->err);
                if (rc == BM_OK)
                    rc = bm_store_case_set_warn_day(rq->store, c->id, c->warn_day, &rq->err);
                if (rc == BM_OK)
                    rc = bm_store_commit(rq->store, &rq->err);
                bm_store_rollback(rq->store);
                if (rc != BM_OK || c->warn_day > today)
                    continue;
            }
            l = bm_api_case_light(rq, c, cal);
            level = l == BM_LIGHT_RED ? 2 : l == BM_LIGHT_YELLOW ? 1 : 0;
            if (level == 0 || (c->warned_due == c->due_day && c->warned_level >= level))
                continue;
            rc = bm_store_begin(rq->store, &rq->err);
            if (rc == BM_OK)
                rc = bm_store_case_mark_warned(rq->store, c->id, level, c->due_day, &claimed,
                                               &rq->err);
            /* Only the process whose mark took effect sends: the others find it done. */
            if (rc == BM_OK && claimed)
                rc = send_warning(rq, c, l, cal, messages);
            if (rc == BM_OK)
                rc = bm_store_commit(rq->store, &rq->err);
            bm_store_rollback(rq->store);
            if (rc == BM_OK && claimed)
                (*warned)++;
            rc = skip_busy(rq, rc);
        }
    } while (rc == BM_OK && n == WARN_PAGE);
    return rc;
}

enum bm_rc
bm_api_warn_round(struct bm_req *rq, int *warned, int *messages)
{
    static const char *const names[] = {"auto_accept", "escalate", "auto_return",
                                        "default_rating", "warn"};
    struct bm_calendar cal;
    enum bm_rc first = BM_OK, rc = bm_api_calendar(rq, &cal);
    char first_msg[sizeof(rq->err.message)];

    *warned = *messages = 0;
    if (rc != BM_OK)
        return rc;
    /* Each step on its own: one that fails (the database busy, say) neither stops the others
     * nor loses anything, since the next round finds the same work again. */
    for (int step = 0; step < 5; step++) {
        switch (step) {
        case 0: rc = auto_accept(rq, &cal, warned); break;
        case 1: rc = escalate(rq, &cal, warned); break;
        case 2: rc = auto_return(rq, &cal, warned); break;
        case 3: rc = default_ratings(rq, warned); break;
        default: rc = warn_cases(rq, &cal, warned, messages); break;
        }
        if (rc == BM_OK)
            continue;
        bm_log(BM_LOG_WARN, "warn_step", "%s: %s", names[step], rq->err.message);
        if (first == BM_OK) {
            first = rc;
            snprintf(first_msg, sizeof(first_msg), "%s", rq->err.message);
        }
        bm_err_clear(&rq->err);
    }
    if (first != BM_OK)
        bm_err_set(&rq->err, first, "%s", first_msg);
    return first;
}
