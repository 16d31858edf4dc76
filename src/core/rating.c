/*
 * Ratings (好差评) and the rectification of bad ratings: levels, reasons, the rating window
 * and the rectification state machine (docs/domain.md 4.2-4.4). Pure.
 */
#include "core/rating.h"

#include <string.h>

/* domain.md 4.2: 5 = 非常满意 ... 1 = 非常不满意; indexed by level. */
const struct bm_code bm_rating_levels[] = {
    {"", ""},   {"1", "非常不满意"}, {"2", "不满意"}, {"3", "基本满意"},
    {"4", "满意"}, {"5", "非常满意"},  {NULL, NULL},
};

/*
 * The content dimensions of domain.md 4.2 (online: 办事效率, 办事指南精确度, 办事便捷度,
 * 平台操作性; on site: 服务效率, 服务水平, 服务态度), as what went wrong.
 */
const struct bm_code bm_rating_reasons[] = {
    {"slow", "办事效率低"},
    {"guide_inaccurate", "办事指南不准确"},
    {"inconvenient", "办事不便捷"},
    {"platform_hard", "平台操作不便"},
    {"poor_skill", "服务水平不高"},
    {"poor_attitude", "服务态度不好"},
    {"extra_visits", "多次跑腿"},
    {"other", "其他"},
    {NULL, NULL},
};

const struct bm_code bm_rating_channels[] = {
    {"online", "网上评价"},
    {"window_device", "窗口评价器"},
    {NULL, NULL},
};

bool
bm_rating_is_bad(int level)
{
    return level >= BM_RATING_MIN && level <= BM_RATING_BAD_MAX;
}

enum bm_rc
bm_rating_check(int level, const char *const *reasons, size_t n_reasons, struct bm_err *err)
{
    if (level < BM_RATING_MIN || level > BM_RATING_MAX)
        (void)bm_err_field(err, "level", "评价等级应为 1（非常不满意）到 5（非常满意）");
    if (n_reasons > BM_RATING_MAX_REASONS)
        (void)bm_err_field(err, "reasons", "评价原因最多 %d 项", BM_RATING_MAX_REASONS);
    for (size_t i = 0; i < n_reasons && i < BM_RATING_MAX_REASONS; i++) {
        if (reasons[i] == NULL || bm_code_find(bm_rating_reasons, reasons[i]) < 0) {
            (void)bm_err_field(err, "reasons", "未知的评价原因“%.32s”", reasons[i] ? reasons[i] : "");
            continue;
        }
        for (size_t j = 0; j < i; j++)
            if (reasons[j] != NULL && strcmp(reasons[i], reasons[j]) == 0)
                (void)bm_err_field(err, "reasons", "评价原因“%.32s”重复", reasons[i]);
    }
    /* domain.md 4.2: a bad rating must say why. */
    if (bm_rating_is_bad(level) && n_reasons == 0)
        (void)bm_err_field(err, "reasons", "“%s”的评价须至少选择一项原因",
                           bm_rating_levels[level].zh);
    return err->n_fields > 0 ? bm_err_set(err, BM_EINVAL, "评价内容有误") : BM_OK;
}

bool
bm_rating_window_open(int64_t closed_at, int64_t now)
{
    return closed_at > 0 && now >= closed_at && now - closed_at <= BM_RATING_WINDOW_S;
}

/* ---- rectification ---- */

const struct bm_code bm_rect_statuses[] = {
    {"open", "待回访"},      {"called_back", "已回访"}, {"rectified", "已整改"},
    {"explained", "已解释说明"}, {"closed", "已办结"},   {"appealed", "申诉中"},
    {"upheld", "申诉成立"},  {NULL, NULL},
};

const struct bm_code bm_rect_actions[] = {
    {"callback", "回访核实"}, {"rectify", "整改"},         {"explain", "解释说明"},
    {"close", "办结"},        {"appeal", "申诉"},          {"uphold_appeal", "申诉成立"},
    {"reject_appeal", "申诉驳回"}, {NULL, NULL},
};

enum bm_rc
bm_rect_step(struct bm_rect_state *s, enum bm_rect_action action, struct bm_err *err)
{
    enum bm_rect_status from = s->status, to = from;
    enum bm_rect_actor actor = BM_RECT_BY_UNIT;
    bool ok = false;

    switch (action) {
    case BM_RECT_CALLBACK:
        ok = from == BM_RECT_OPEN;
        to = BM_RECT_CALLED_BACK;
        break;
    case BM_RECT_RECTIFY:
    case BM_RECT_EXPLAIN:
        ok = from == BM_RECT_CALLED_BACK;
        to = action == BM_RECT_RECTIFY ? BM_RECT_RECTIFIED : BM_RECT_EXPLAINED;
        break;
    case BM_RECT_APPEAL:
        ok = from == BM_RECT_OPEN || from == BM_RECT_CALLED_BACK;
        to = BM_RECT_APPEALED;
        break;
    case BM_RECT_CLOSE:
        ok = from == BM_RECT_RECTIFIED || from == BM_RECT_EXPLAINED;
        to = BM_RECT_CLOSED;
        actor = BM_RECT_BY_SUPERVISOR;
        break;
    case BM_RECT_UPHOLD_APPEAL:
    case BM_RECT_REJECT_APPEAL:
        ok = from == BM_RECT_APPEALED;
        to = action == BM_RECT_UPHOLD_APPEAL ? BM_RECT_UPHELD
             : s->is_called_back             ? BM_RECT_CALLED_BACK
                                             : BM_RECT_OPEN;
        actor = BM_RECT_BY_SUPERVISOR;
        break;
    default:
        break;
    }
    if (!ok) {
        if (err == NULL)
            return BM_ETRANSITION;
        if ((unsigned)action >= BM_RECT_ACTION_COUNT || (unsigned)from >= BM_RECT_STATUS_COUNT)
            return bm_err_set(err, BM_ETRANSITION, "无效的整改操作");
        return bm_err_set(err, BM_ETRANSITION, "当前状态“%s”不能执行“%s”",
                          bm_rect_statuses[from].zh, bm_rect_actions[action].zh);
    }
    s->status = to;
    s->actor = actor;
    if (action == BM_RECT_CALLBACK)
        s->is_called_back = true;
    return BM_OK;
}

bool
bm_rect_is_final(enum bm_rect_status s)
{
    return s == BM_RECT_CLOSED || s == BM_RECT_UPHELD;
}

bool
bm_rect_has_feedback(enum bm_rect_status s)
{
    return s == BM_RECT_RECTIFIED || s == BM_RECT_EXPLAINED || s == BM_RECT_CLOSED;
}

bool
bm_rect_is_overdue(enum bm_rect_status s, int32_t callback_due, int32_t rectify_due,
                   int32_t today)
{
    if (s == BM_RECT_OPEN && today > callback_due)
        return true;
    return (s == BM_RECT_OPEN || s == BM_RECT_CALLED_BACK || s == BM_RECT_APPEALED) &&
           today > rectify_due;
}
