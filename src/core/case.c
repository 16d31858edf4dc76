/*
 * The case (办件) state machine: which action is legal in which state, the next state and
 * who performs the step (docs/domain.md 2.2-2.3, statuses of docs/api-contract.md "Cases"),
 * plus the case number of docs/domain.md 2.7. Used by the cases API and the CLI. Pure.
 */
#include "core/case.h"

#include <string.h>

/*
 * Transition table ("→" gives the new state, actor in brackets). Anything not listed is
 * BM_ETRANSITION; a failed guard is BM_EINVAL. Either way the state is left unchanged.
 *
 *   submit              draft → submitted                                     [APPLICANT]
 *   accept              submitted → accepted, if materials_complete           [FRONT]
 *   reject              submitted | supplement_requested → rejected           [FRONT]
 *   request_supplement  submitted → supplement_requested, once (一次性告知)    [FRONT]
 *                       accepted | processing → suspended (SUPPLEMENT)        [BACK]
 *   supplement          supplement_requested → submitted                      [FRONT]
 *                       suspended (SUPPLEMENT) → the state before             [BACK]
 *   return              supplement_requested → returned                       [FRONT]
 *   assign              accepted | processing/handling → processing/handling  [BACK]
 *   transfer            accepted | processing/handling → accepted, no handler [BACK]
 *   suspend             accepted | processing → suspended (PROCEDURE)         [BACK]
 *   resume              suspended (PROCEDURE) → the state before              [BACK]
 *   extend              accepted | processing | suspended → same, once        [APPROVER]
 *   forward             accepted | processing/handling → forwarded            [BACK]
 *   approve, deny       accepted | processing/handling → processing/approving
 *                         if needs_approval, else → completed                 [BACK]
 *                       processing/approving → completed                      [APPROVER]
 *                       forwarded → completed (the upper body's result)       [BACK]
 *   send_back           processing/approving → processing/handling            [APPROVER]
 *   deliver             completed → delivered                                 [FRONT]
 *   withdraw            draft | submitted | supplement_requested | accepted |
 *                         processing | suspended | forwarded → withdrawn      [APPLICANT]
 *   void                anything but void → void                              [ADMIN]
 *
 * "processing" alone means either stage. A suspended case whose saved state is not
 * accepted or processing (a damaged record) cannot be resumed or supplemented.
 *
 * Invariants kept after every step: stage is NONE outside processing; suspend_kind and
 * resume_status/resume_stage are NONE/draft outside suspended; proposed is NONE unless the
 * case waits for an approver (processing/approving, or suspended from there).
 */

/*
 * "suspended" covers both the special procedures of 行政许可法 art. 45 and supplements asked
 * for after acceptance (domain.md 2.4 rule 4); what they share is that the clock is paused.
 */
const struct bm_code bm_case_statuses[] = {
    {"draft", "草稿"},
    {"submitted", "已申请"},
    {"supplement_requested", "补正中"},
    {"accepted", "已受理"},
    {"processing", "办理中"},
    {"suspended", "暂停计时"},
    {"forwarded", "已上报"},
    {"completed", "已办结"},
    {"delivered", "已出件"},
    {"rejected", "不予受理"},
    {"returned", "已退件"},
    {"withdrawn", "已撤回"},
    {"void", "已作废"},
    {NULL, NULL},
};

const struct bm_code bm_case_stages[] = {
    {"", "无"},
    {"handling", "承办"},
    {"approving", "审批"},
    {NULL, NULL},
};

const struct bm_code bm_case_decisions[] = {
    {"", "无"},
    {"approved", "准予"},
    {"denied", "不予"},
    {NULL, NULL},
};

const struct bm_code bm_case_actions[] = {
    {"submit", "提交"},
    {"accept", "受理"},
    {"reject", "不予受理"},
    {"request_supplement", "一次性告知补正"},
    {"supplement", "补正"},
    {"return", "退件"},
    {"assign", "分派"},
    {"transfer", "转办"},
    {"suspend", "特别程序"},
    {"resume", "恢复计时"},
    {"extend", "延期"},
    {"forward", "上报"},
    {"approve", "准予"},
    {"deny", "不予"},
    {"send_back", "退回"},
    {"deliver", "出件"},
    {"withdraw", "撤回"},
    {"void", "作废"},
    {"auto_accept", "逾期视为受理"},
    {"auto_return", "逾期未补正退件"},
    {NULL, NULL},
};

_Static_assert(sizeof(bm_case_statuses) / sizeof(bm_case_statuses[0]) == BM_CASE_STATUS_COUNT + 1,
               "bm_case_statuses must match enum bm_case_status");
_Static_assert(sizeof(bm_case_actions) / sizeof(bm_case_actions[0]) == BM_CASE_ACTION_COUNT + 1,
               "bm_case_actions must match enum bm_case_action");
_Static_assert(sizeof(bm_case_stages) / sizeof(bm_case_stages[0]) == BM_STAGE_APPROVING + 2,
               "bm_case_stages must match enum bm_case_stage");
_Static_assert(sizeof(bm_case_decisions) / sizeof(bm_case_decisions[0]) == BM_DECISION_DENIED + 2,
               "bm_case_decisions must match enum bm_case_decision");

/* The illegal-transition sentinel used inside step(); never returned to callers. */
#define ILLEGAL BM_RC_COUNT

/* Pauses the clock, remembering where to come back to. */
static void
suspend(struct bm_case_state *n, enum bm_suspend_kind kind)
{
    n->resume_status = n->status;
    n->resume_stage = n->stage;
    n->suspend_kind = kind;
    n->status = BM_CASE_SUSPENDED;
}

/*
 * Ends a pause: the case continues in the state it was suspended from. False, changing
 * nothing, if that state is not one a case can be suspended from.
 */
static bool
unsuspend(struct bm_case_state *n)
{
    if (n->resume_status != BM_CASE_ACCEPTED && n->resume_status != BM_CASE_PROCESSING)
        return false;
    n->status = n->resume_status;
    n->stage = n->resume_stage;
    return true;
}

static void
complete(struct bm_case_state *n, enum bm_case_decision d)
{
    n->status = BM_CASE_COMPLETED;
    n->decision = d;
    n->proposed = BM_DECISION_NONE;
}

/* The handler decides: straight to completed, or to the approver when the item needs one. */
static void
decide(struct bm_case_state *n, enum bm_case_decision d)
{
    if (n->needs_approval) {
        n->status = BM_CASE_PROCESSING;
        n->stage = BM_STAGE_APPROVING;
        n->proposed = d;
    } else {
        complete(n, d);
    }
}

/*
 * Applies `a` to `n` (a copy of the caller's state). Returns BM_OK, ILLEGAL when the table
 * has no such transition, or BM_EINVAL (with err set) when a guard fails.
 */
static enum bm_rc
step(struct bm_case_state *n, enum bm_case_action a, struct bm_err *err)
{
    const enum bm_case_status st = n->status;
    const bool accepted = st == BM_CASE_ACCEPTED;
    const bool processing = st == BM_CASE_PROCESSING;
    const bool handling = processing && n->stage == BM_STAGE_HANDLING;
    const bool approving = processing && n->stage == BM_STAGE_APPROVING;
    const bool suspended = st == BM_CASE_SUSPENDED;
    enum bm_case_decision d;

    switch (a) {
    case BM_ACT_SUBMIT:
        if (st != BM_CASE_DRAFT)
            return ILLEGAL;
        n->status = BM_CASE_SUBMITTED;
        n->actor = BM_ACTOR_APPLICANT;
        return BM_OK;

    case BM_ACT_ACCEPT:
        if (st != BM_CASE_SUBMITTED)
            return ILLEGAL;
        if (!n->materials_complete)
            return bm_err_set(err, BM_EINVAL, "材料不齐全，不能受理");
        n->status = BM_CASE_ACCEPTED;
        n->actor = BM_ACTOR_FRONT;
        return BM_OK;

    case BM_ACT_REJECT:
        if (st != BM_CASE_SUBMITTED && st != BM_CASE_SUPPLEMENT_REQUESTED)
            return ILLEGAL;
        n->status = BM_CASE_REJECTED;
        n->actor = BM_ACTOR_FRONT;
        return BM_OK;

    case BM_ACT_REQUEST_SUPPLEMENT:
        if (st == BM_CASE_SUBMITTED) {
            /* 行政许可法 art. 32: all gaps are told at once, so there is only one notice. */
            if (n->supplement_requests > 0)
                return bm_err_set(err, BM_EINVAL, "已一次性告知补正材料，不能再次要求补正");
            n->supplement_requests++;
            n->status = BM_CASE_SUPPLEMENT_REQUESTED;
            n->actor = BM_ACTOR_FRONT;
            return BM_OK;
        }
        /* After acceptance a supplement pauses the clock like a special procedure
         * (domain.md 2.4 rule 4). */
        if (!accepted && !processing)
            return ILLEGAL;
        suspend(n, BM_SUSPEND_SUPPLEMENT);
        n->actor = BM_ACTOR_BACK;
        return BM_OK;

    case BM_ACT_SUPPLEMENT:
        if (st == BM_CASE_SUPPLEMENT_REQUESTED) {
            n->status = BM_CASE_SUBMITTED;
            n->actor = BM_ACTOR_FRONT;
            return BM_OK;
        }
        if (!suspended || n->suspend_kind != BM_SUSPEND_SUPPLEMENT || !unsuspend(n))
            return ILLEGAL;
        n->actor = BM_ACTOR_BACK;
        return BM_OK;

    case BM_ACT_RETURN:
        if (st != BM_CASE_SUPPLEMENT_REQUESTED)
            return ILLEGAL;
        n->status = BM_CASE_RETURNED;
        n->actor = BM_ACTOR_FRONT;
        return BM_OK;

    case BM_ACT_ASSIGN:
        if (!accepted && !handling)
            return ILLEGAL;
        n->status = BM_CASE_PROCESSING;
        n->stage = BM_STAGE_HANDLING;
        n->has_handler = true;
        n->actor = BM_ACTOR_BACK;
        return BM_OK;

    case BM_ACT_TRANSFER:
        if (!accepted && !handling)
            return ILLEGAL;
        /* Back to routing: the receiving unit assigns its own handler. */
        n->status = BM_CASE_ACCEPTED;
        n->has_handler = false;
        n->actor = BM_ACTOR_BACK;
        return BM_OK;

    case BM_ACT_SUSPEND:
        if (!accepted && !processing)
            return ILLEGAL;
        suspend(n, BM_SUSPEND_PROCEDURE);
        n->actor = BM_ACTOR_BACK;
        return BM_OK;

    case BM_ACT_RESUME:
        /* A supplement pause ends when the supplement arrives, not by resume. */
        if (!suspended || n->suspend_kind != BM_SUSPEND_PROCEDURE || !unsuspend(n))
            return ILLEGAL;
        n->actor = BM_ACTOR_BACK;
        return BM_OK;

    case BM_ACT_EXTEND:
        if (!accepted && !processing && !suspended)
            return ILLEGAL;
        /* 行政许可法 art. 42: the head of the body may extend once. */
        if (n->is_extended)
            return bm_err_set(err, BM_EINVAL, "延期只能申请一次");
        n->is_extended = true;
        n->actor = BM_ACTOR_APPROVER;
        return BM_OK;

    case BM_ACT_FORWARD:
        if (!accepted && !handling)
            return ILLEGAL;
        n->status = BM_CASE_FORWARDED;
        n->actor = BM_ACTOR_BACK;
        return BM_OK;

    case BM_ACT_APPROVE:
    case BM_ACT_DENY:
        d = a == BM_ACT_APPROVE ? BM_DECISION_APPROVED : BM_DECISION_DENIED;
        if (accepted || handling) {
            decide(n, d);
            n->actor = BM_ACTOR_BACK;
        } else if (approving) {
            complete(n, d);
            n->actor = BM_ACTOR_APPROVER;
        } else if (st == BM_CASE_FORWARDED) {
            complete(n, d);
            n->actor = BM_ACTOR_BACK;
        } else {
            return ILLEGAL;
        }
        return BM_OK;

    case BM_ACT_SEND_BACK:
        if (!approving)
            return ILLEGAL;
        n->stage = BM_STAGE_HANDLING;
        n->proposed = BM_DECISION_NONE;
        n->actor = BM_ACTOR_APPROVER;
        return BM_OK;

    case BM_ACT_DELIVER:
        if (st != BM_CASE_COMPLETED)
            return ILLEGAL;
        n->status = BM_CASE_DELIVERED;
        n->actor = BM_ACTOR_FRONT;
        return BM_OK;

    case BM_ACT_WITHDRAW:
        /* Any non-terminal state before a decision (domain.md 2.3). */
        if (st != BM_CASE_DRAFT && st != BM_CASE_SUBMITTED && st != BM_CASE_SUPPLEMENT_REQUESTED &&
            !accepted && !processing && !suspended && st != BM_CASE_FORWARDED)
            return ILLEGAL;
        n->status = BM_CASE_WITHDRAWN;
        n->actor = BM_ACTOR_APPLICANT;
        return BM_OK;

    case BM_ACT_VOID:
        if (st == BM_CASE_VOID)
            return ILLEGAL;
        n->status = BM_CASE_VOID;
        n->actor = BM_ACTOR_ADMIN;
        return BM_OK;

    case BM_ACT_AUTO_ACCEPT:
        /* The law accepts what the window left undecided, complete or not. */
        if (st != BM_CASE_SUBMITTED)
            return ILLEGAL;
        n->status = BM_CASE_ACCEPTED;
        n->actor = BM_ACTOR_SYSTEM;
        return BM_OK;

    case BM_ACT_AUTO_RETURN:
        if (st != BM_CASE_SUPPLEMENT_REQUESTED)
            return ILLEGAL;
        n->status = BM_CASE_RETURNED;
        n->actor = BM_ACTOR_SYSTEM;
        return BM_OK;

    case BM_CASE_ACTION_COUNT:
        break;
    }
    BM_ASSERT(!"unknown case action");
    return ILLEGAL;
}

enum bm_rc
bm_case_step(struct bm_case_state *s, enum bm_case_action action, struct bm_err *err)
{
    struct bm_case_state n;
    enum bm_rc rc;

    BM_ASSERT(s != NULL);
    BM_ASSERT((unsigned)s->status < BM_CASE_STATUS_COUNT);
    BM_ASSERT((unsigned)action < BM_CASE_ACTION_COUNT);

    n = *s;
    rc = step(&n, action, err);
    if (rc == ILLEGAL)
        return bm_err_set(err, BM_ETRANSITION, "当前状态“%s”不能执行“%s”",
                          bm_case_statuses[s->status].zh, bm_case_actions[action].zh);
    if (rc != BM_OK)
        return rc;

    /* Keep the invariants listed at the top of this file whatever the step was. */
    if (n.status != BM_CASE_PROCESSING)
        n.stage = BM_STAGE_NONE;
    if (n.status != BM_CASE_SUSPENDED) {
        n.suspend_kind = BM_SUSPEND_NONE;
        n.resume_status = BM_CASE_DRAFT;
        n.resume_stage = BM_STAGE_NONE;
    }
    if (!(n.status == BM_CASE_PROCESSING && n.stage == BM_STAGE_APPROVING) &&
        !(n.status == BM_CASE_SUSPENDED && n.resume_stage == BM_STAGE_APPROVING))
        n.proposed = BM_DECISION_NONE;
    *s = n;
    return BM_OK;
}

bool
bm_case_is_terminal(enum bm_case_status s)
{
    switch (s) {
    case BM_CASE_DELIVERED:
    case BM_CASE_REJECTED:
    case BM_CASE_RETURNED:
    case BM_CASE_WITHDRAWN:
    case BM_CASE_VOID:
        return true;
    default:
        return false;
    }
}

bool
bm_case_clock_runs(enum bm_case_status s)
{
    return s == BM_CASE_ACCEPTED || s == BM_CASE_PROCESSING || s == BM_CASE_FORWARDED;
}

bool
bm_case_action_needs_reason(enum bm_case_action a)
{
    switch (a) {
    case BM_ACT_REJECT:
    case BM_ACT_TRANSFER:
    case BM_ACT_SUSPEND:
    case BM_ACT_EXTEND:
    case BM_ACT_DENY:
    case BM_ACT_RETURN:
    case BM_ACT_VOID:
    case BM_ACT_SEND_BACK:
        return true;
    default:
        return false;
    }
}

/* ---- case number (domain.md 2.7) ------------------------------------------------------ */

static bool
all_digits(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    return true;
}

static int
digits_value(const char *p, size_t n)
{
    int v = 0;

    for (size_t i = 0; i < n; i++)
        v = v * 10 + (p[i] - '0');
    return v;
}

/* Writes `v` (0 <= v < 10^n) as exactly n digits, zero padded. */
static void
put_digits(char *p, size_t n, int v)
{
    for (size_t i = n; i > 0; i--) {
        p[i - 1] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* A real calendar date within the years a case number may carry. */
static bool
date_ok(int y, int m, int d)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap;

    if (y < 2000 || y > 2100 || m < 1 || m > 12 || d < 1)
        return false;
    leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

bool
bm_case_no_format(const char *town_code, int year, int month, int mday, int seq, char out[27])
{
    BM_ASSERT(out != NULL);
    if (town_code == NULL || strlen(town_code) != 12 || !all_digits(town_code, 12))
        return false;
    if (!date_ok(year, month, mday) || seq < 1 || seq > 999999)
        return false;
    memcpy(out, town_code, 12);
    put_digits(out + 12, 4, year);
    put_digits(out + 16, 2, month);
    put_digits(out + 18, 2, mday);
    put_digits(out + 20, 6, seq);
    out[26] = '\0';
    return true;
}

bool
bm_case_no_valid(const char *case_no)
{
    if (case_no == NULL || strlen(case_no) != 26 || !all_digits(case_no, 26))
        return false;
    if (!date_ok(digits_value(case_no + 12, 4), digits_value(case_no + 16, 2),
                 digits_value(case_no + 18, 2)))
        return false;
    return digits_value(case_no + 20, 6) >= 1;
}
