/*
 * Demands (诉求): categories, limits, ticket numbers and the state machine.
 */
#include "core/demand.h"

#include <stdio.h>
#include <string.h>

const struct bm_code bm_demand_categories[] = {
    {"consult", "咨询"}, {"help", "求助"},       {"complaint", "投诉"},
    {"report", "举报"},  {"suggestion", "建议"}, {"praise", "表扬"},
    {NULL, NULL}};
const struct bm_code bm_demand_statuses[] = {
    {"submitted", "待派单"}, {"dispatched", "已派单"}, {"accepted", "办理中"},
    {"replied", "已答复"},   {"closed", "已办结"},     {"merged", "已合并"},
    {NULL, NULL}};
const struct bm_code bm_demand_actions[] = {
    {"dispatch", "派单"}, {"accept", "签收"},   {"return", "回退"},
    {"reply", "答复"},    {"extend", "延期"},   {"callback", "回访"},
    {"close", "办结"},    {"reopen", "重办"},   {"merge", "合并"},
    {NULL, NULL}};
const struct bm_code bm_demand_channels[] = {
    {"online", "网上"}, {"window", "窗口"}, {"hotline_12345", "12345热线"}, {NULL, NULL}};
const struct bm_code bm_demand_satisfactions[] = {
    {"satisfied", "满意"}, {"basic", "基本满意"}, {"unsatisfied", "不满意"}, {NULL, NULL}};

int
bm_demand_limit_days(enum bm_demand_category c)
{
    switch (c) {
    case BM_DEMAND_CONSULT:
        return 1;
    case BM_DEMAND_HELP:
        return 3;
    default:
        return 5;
    }
}

enum bm_demand_actor
bm_demand_action_actor(enum bm_demand_action a)
{
    return a == BM_DA_ACCEPT || a == BM_DA_RETURN || a == BM_DA_REPLY ? BM_DEMAND_BY_UNIT
                                                                      : BM_DEMAND_BY_DISPATCHER;
}

bool
bm_demand_is_open(enum bm_demand_status s)
{
    return s == BM_DEMAND_DISPATCHED || s == BM_DEMAND_ACCEPTED;
}

static enum bm_rc
refuse(struct bm_demand_state *s, enum bm_demand_action a, struct bm_err *err)
{
    return bm_err_set(err, BM_ETRANSITION, "工单当前状态为“%s”，不能%s",
                      bm_demand_statuses[s->status].zh, bm_demand_actions[a].zh);
}

enum bm_rc
bm_demand_apply(struct bm_demand_state *s, enum bm_demand_action a, bool resolved,
                bool unsatisfied, struct bm_err *err)
{
    enum bm_demand_status st = s->status;

    switch (a) {
    case BM_DA_DISPATCH:
        if (st != BM_DEMAND_SUBMITTED)
            return refuse(s, a, err);
        s->status = BM_DEMAND_DISPATCHED;
        s->has_unit = true;
        return BM_OK;
    case BM_DA_ACCEPT:
        if (st != BM_DEMAND_DISPATCHED)
            return refuse(s, a, err);
        s->status = BM_DEMAND_ACCEPTED;
        return BM_OK;
    case BM_DA_RETURN:
        if (!bm_demand_is_open(st))
            return refuse(s, a, err);
        s->status = BM_DEMAND_SUBMITTED;
        s->has_unit = false;
        return BM_OK;
    case BM_DA_REPLY:
        if (!bm_demand_is_open(st))
            return refuse(s, a, err);
        s->status = BM_DEMAND_REPLIED;
        return BM_OK;
    case BM_DA_EXTEND:
        if (!bm_demand_is_open(st))
            return refuse(s, a, err);
        if (s->extension_days > 0)
            return bm_err_set(err, BM_ETRANSITION, "工单已延期一次，不能再次延期");
        return BM_OK; /* the caller sets extension_days */
    case BM_DA_CALLBACK:
        if (st != BM_DEMAND_REPLIED)
            return refuse(s, a, err);
        if (!resolved && unsatisfied && s->reopen_count < BM_DEMAND_MAX_REOPEN) {
            s->status = BM_DEMAND_ACCEPTED;
            s->reopen_count++;
        } else {
            s->status = BM_DEMAND_CLOSED;
        }
        return BM_OK;
    case BM_DA_CLOSE:
        if (st != BM_DEMAND_REPLIED)
            return refuse(s, a, err);
        s->status = BM_DEMAND_CLOSED;
        return BM_OK;
    case BM_DA_REOPEN:
        if (st != BM_DEMAND_CLOSED || !s->has_unit)
            return refuse(s, a, err);
        if (s->reopen_count >= BM_DEMAND_MAX_REOPEN)
            return bm_err_set(err, BM_ETRANSITION, "工单已重办过一次，不能再次重办");
        s->status = BM_DEMAND_ACCEPTED;
        s->reopen_count++;
        return BM_OK;
    case BM_DA_MERGE:
        if (st != BM_DEMAND_SUBMITTED && !bm_demand_is_open(st))
            return refuse(s, a, err);
        s->status = BM_DEMAND_MERGED;
        return BM_OK;
    default:
        return bm_err_set(err, BM_EINVAL, "未知的工单操作");
    }
}

bool
bm_demand_no_valid(const char *s)
{
    if (s == NULL || strlen(s) != BM_DEMAND_NO_LEN || s[0] != 'D')
        return false;
    for (int i = 1; i < BM_DEMAND_NO_LEN; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

bool
bm_demand_no_format(const char *county, int ymd, int seq, char *out)
{
    if (county == NULL || strlen(county) != 6 || ymd < 19000101 || ymd > 99991231 || seq < 1 ||
        seq > 9999)
        return false;
    for (int i = 0; i < 6; i++)
        if (county[i] < '0' || county[i] > '9')
            return false;
    snprintf(out, BM_DEMAND_NO_LEN + 1, "D%s%08d%04d", county, ymd, seq);
    return true;
}
