/*
 * The supervision records' lifecycle (see supervision.h).
 */
#include "core/supervision.h"

const struct bm_code bm_sup_kinds[] = {
    {"notice", "督办通知"}, {"yellow_card", "黄牌"}, {"red_card", "红牌"}, {NULL, NULL},
};
const struct bm_code bm_sup_statuses[] = {
    {"open", "待答复"}, {"answered", "已答复"}, {"appealed", "申诉中"},
    {"revoked", "已撤销"}, {"closed", "已办结"}, {NULL, NULL},
};
const struct bm_code bm_sup_actions[] = {
    {"answer", "答复/说明"}, {"appeal", "申诉"}, {"uphold_appeal", "申诉成立"},
    {"reject_appeal", "申诉驳回"}, {"close", "办结"}, {NULL, NULL},
};
const struct bm_code bm_sup_rules[] = {
    {"manual", "监督员发出"},
    {"overdue", "超过承诺办结期限"},
    {"auto_accepted", "逾期未作受理决定，视为受理"},
    {"yellow_unresolved", "黄牌逾期未整改说明"},
    {NULL, NULL},
};

int
bm_sup_answer_days(enum bm_sup_kind k)
{
    return k == BM_SUP_NOTICE ? 3 : 2;
}

bool
bm_sup_by_supervisor(enum bm_sup_action a)
{
    return a == BM_SUP_UPHOLD_APPEAL || a == BM_SUP_REJECT_APPEAL || a == BM_SUP_CLOSE;
}

enum bm_rc
bm_sup_step(enum bm_sup_kind k, enum bm_sup_status s, enum bm_sup_action a,
            enum bm_sup_status *next, struct bm_err *err)
{
    bool card = k != BM_SUP_NOTICE;

    switch (a) {
    case BM_SUP_ANSWER:
        if (s == BM_SUP_OPEN) {
            *next = BM_SUP_ANSWERED;
            return BM_OK;
        }
        return bm_err_set(err, BM_ETRANSITION, "已答复，不能重复答复");
    case BM_SUP_APPEAL:
        if (!card)
            return bm_err_set(err, BM_ETRANSITION, "督办通知不能申诉");
        if (s == BM_SUP_OPEN || s == BM_SUP_ANSWERED) {
            *next = BM_SUP_APPEALED;
            return BM_OK;
        }
        return bm_err_set(err, BM_ETRANSITION, "当前状态下不能申诉");
    case BM_SUP_UPHOLD_APPEAL:
    case BM_SUP_REJECT_APPEAL:
        if (s != BM_SUP_APPEALED)
            return bm_err_set(err, BM_ETRANSITION, "没有待处理的申诉");
        *next = a == BM_SUP_UPHOLD_APPEAL ? BM_SUP_REVOKED : BM_SUP_CLOSED;
        return BM_OK;
    case BM_SUP_CLOSE:
        if (s == BM_SUP_ANSWERED) {
            *next = BM_SUP_CLOSED;
            return BM_OK;
        }
        return bm_err_set(err, BM_ETRANSITION,
                          s == BM_SUP_OPEN ? "尚未答复，不能办结" : "当前状态下不能办结");
    default:
        return bm_err_set(err, BM_EINVAL, "未知的操作");
    }
}
