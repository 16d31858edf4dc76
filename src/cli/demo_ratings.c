/*
 * Ratings (好差评) for the demo county's historical cases: most delivered cases are rated
 * within a day or two of delivery, mostly 满意 or 非常满意, a few badly with a reason; each bad
 * rating gets its rectification task, fed back and closed when it is old enough, still open
 * when recent. Drawn from a hash of the case id, not from the case generator's random
 * stream, so the cases themselves stay what they were for a given seed.
 */
#include <string.h>

#include "cli/cli.h"
#include "core/rating.h"

#define HOUR 3600

static uint64_t
mix(uint64_t x)
{
    /* splitmix64's finaliser: well spread bits from consecutive ids. */
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

static const char *const bad_reasons[] = {"slow", "poor_attitude", "extra_visits",
                                          "guide_inaccurate", "slow,extra_visits"};
static const char *const comments[] = {"", "", "", "办事很快，工作人员很耐心", "一次就办好了，不用跑腿",
                                       "窗口引导清楚"};
static const char *const bad_comments[] = {"等了很久才办好", "窗口人员态度生硬",
                                           "材料要求前后说法不一，跑了两趟",
                                           "办事指南写的材料和窗口要的不一样", "排队时间太长"};

enum bm_rc
cli_demo_rating(struct bm_store *st, const struct bm_calendar *cal, int64_t now,
                const struct bm_case *c, int64_t case_id, struct bm_err *err)
{
    uint64_t h = mix((uint64_t)case_id);
    unsigned pct = (unsigned)(h % 100), pick = (unsigned)((h >> 8) % 5);
    struct bm_rating r;
    struct bm_rectification x;
    int64_t rating_id = 0, rect_id = 0;
    bm_day day;
    enum bm_rc rc;

    /* Three in four delivered cases are rated, within 1 to 40 hours. */
    if (pct >= 75)
        return BM_OK;
    memset(&r, 0, sizeof(r));
    r.created_at = c->closed_at + HOUR * (int64_t)(1 + (h >> 16) % 40);
    if (r.created_at > now)
        return BM_OK;
    r.case_id = case_id;
    r.item_id = c->item_id;
    r.accepting_unit_id = c->accepting_unit_id;
    r.handling_unit_id = c->handling_unit_id;
    r.handler_id = c->handler_id;
    r.channel = (h >> 24) % 3 == 0 ? "online" : "window_device";
    /* 非常满意 55 %, 满意 12 %, 基本满意 5 %, 不满意 2 %, 非常不满意 1 % of all cases. */
    r.level = pct < 55 ? 5 : pct < 67 ? 4 : pct < 72 ? 3 : pct < 74 ? 2 : 1;
    r.reasons = bm_rating_is_bad(r.level) ? bad_reasons[pick] : "";
    r.comment = bm_rating_is_bad(r.level) ? bad_comments[pick] : comments[(h >> 32) % 6];
    if ((rc = bm_store_rating_insert(st, &r, &rating_id, err)) != BM_OK ||
        !bm_rating_is_bad(r.level))
        return rc;
    memset(&x, 0, sizeof(x));
    x.rating_id = rating_id;
    x.case_id = case_id;
    x.unit_id = c->handling_unit_id;
    day = bm_day_of_instant(r.created_at);
    x.callback_due = bm_cal_add_working_days(cal, day, BM_RECT_CALLBACK_DAYS, NULL, 0, NULL);
    x.rectify_due = bm_cal_add_working_days(cal, day, BM_RECT_RECTIFY_DAYS, NULL, 0, NULL);
    x.appeal_due = bm_cal_add_working_days(cal, day, BM_RECT_APPEAL_DAYS, NULL, 0, NULL);
    x.st.status = BM_RECT_OPEN;
    if ((rc = bm_store_rect_insert(st, &x, r.created_at, &rect_id, err)) != BM_OK)
        return rc;
    /* Tasks whose time is up were worked through: called back the next morning, rectified
     * within the week, closed by supervision. */
    if (bm_day_of_instant(now) <= x.rectify_due)
        return BM_OK;
    x.id = rect_id;
    x.version = 1;
    x.st.status = BM_RECT_CLOSED;
    x.st.is_called_back = true;
    x.called_back_at = r.created_at + 20 * HOUR;
    x.callback_note = "已电话回访申请人，情况属实";
    x.resolved_at = r.created_at + 3 * 24 * HOUR;
    x.outcome = pick == 3 ? "已更正办事指南中的材料清单" : "已约谈窗口人员并调整窗口排班";
    x.closed_at = r.created_at + 5 * 24 * HOUR;
    x.decision_note = "整改到位，予以办结";
    return bm_store_rect_update(st, &x, x.closed_at, err);
}
