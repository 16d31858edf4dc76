/*
 * The case (办件) state machine of docs/domain.md 2.2-2.3, in the status codes of
 * docs/api-contract.md: one function decides whether an action is legal in a state, what
 * the next state is, and which side of the one-window process performs it. Everything that
 * changes a case's status goes through bm_case_step. Pure: no I/O.
 */
#ifndef BM_CORE_CASE_H
#define BM_CORE_CASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/item.h"
#include "util/err.h"

enum bm_case_status {
    BM_CASE_DRAFT,
    BM_CASE_SUBMITTED,            /* 已申请（待受理）: SUBMITTED, PRE_REVIEW */
    BM_CASE_SUPPLEMENT_REQUESTED, /* 补正中（已一次性告知） */
    BM_CASE_ACCEPTED,             /* 已受理: routed, waiting for the handling unit */
    BM_CASE_PROCESSING,           /* 办理中: stage handling or approving */
    BM_CASE_SUSPENDED,            /* 特别程序 / 受理后补正: the clock is paused */
    BM_CASE_FORWARDED,            /* 已上报: an upper body decides */
    BM_CASE_COMPLETED,            /* 已办结（待出件）: decision approved or denied */
    BM_CASE_DELIVERED,            /* 已出件 */
    BM_CASE_REJECTED,             /* 不予受理 */
    BM_CASE_RETURNED,             /* 退件（补正不来） */
    BM_CASE_WITHDRAWN,            /* 已撤回 */
    BM_CASE_VOID,                 /* 作废 */
    BM_CASE_STATUS_COUNT
};

enum bm_case_stage { BM_STAGE_NONE, BM_STAGE_HANDLING, BM_STAGE_APPROVING };
enum bm_case_decision { BM_DECISION_NONE, BM_DECISION_APPROVED, BM_DECISION_DENIED };
/* Why a case is suspended: a special procedure, or supplements asked for after acceptance. */
enum bm_suspend_kind { BM_SUSPEND_NONE, BM_SUSPEND_PROCEDURE, BM_SUSPEND_SUPPLEMENT };

enum bm_case_action {
    BM_ACT_SUBMIT,             /* draft → submitted (online applicant) */
    BM_ACT_ACCEPT,             /* 受理 */
    BM_ACT_REJECT,             /* 不予受理, with reason */
    BM_ACT_REQUEST_SUPPLEMENT, /* 一次性告知 before acceptance; a paused 补正 after it */
    BM_ACT_SUPPLEMENT,         /* the applicant handed in what was missing */
    BM_ACT_RETURN,             /* 退件: supplements never came */
    BM_ACT_ASSIGN,             /* to a handler of the handling unit */
    BM_ACT_TRANSFER,           /* 转办 to another unit, with reason */
    BM_ACT_SUSPEND,            /* start a special procedure (听证, 专家评审, 现场勘查 ...) */
    BM_ACT_RESUME,             /* end it */
    BM_ACT_EXTEND,             /* 延长 (行政许可法 art. 42), once, with reason */
    BM_ACT_FORWARD,            /* 上报 to an upper body */
    BM_ACT_APPROVE,
    BM_ACT_DENY,               /* with reason */
    BM_ACT_SEND_BACK,          /* approver returns the case to the handler (退回) */
    BM_ACT_DELIVER,            /* 出件 at the accepting window, by post or electronically */
    BM_ACT_WITHDRAW,           /* 撤回 on the applicant's request */
    BM_ACT_VOID,               /* 作废, administrator, with reason */
    BM_ACT_AUTO_ACCEPT,        /* 视为受理: no decision on acceptance within 5 working days of
                                * receipt (行政许可法 art. 32); the system only */
    BM_ACT_AUTO_RETURN,        /* 退件 after the applicant left a supplement notice unanswered
                                * for return_after_days days (domain.md 2.2); the system only */
    BM_CASE_ACTION_COUNT
};

/* Who performs a step (the API maps each to roles and organisation scope). */
enum bm_case_actor {
    BM_ACTOR_APPLICANT, /* the resident who applied online */
    BM_ACTOR_FRONT,     /* a clerk of the accepting window (前台) */
    BM_ACTOR_BACK,      /* a handler of the handling unit (后台) */
    BM_ACTOR_APPROVER,  /* an approver of the handling unit (审批) */
    BM_ACTOR_ADMIN,     /* a county administrator */
    BM_ACTOR_SYSTEM,    /* the server's own jobs; never a person */
};

/* Code tables ({code, zh}, ending {NULL, NULL}), indexed by the enums above. */
extern const struct bm_code bm_case_statuses[];  /* "draft", ... "void" */
extern const struct bm_code bm_case_stages[];    /* "", "handling", "approving" */
extern const struct bm_code bm_case_decisions[]; /* "", "approved", "denied" */
extern const struct bm_code bm_case_actions[];   /* "submit", "accept", ... "void" */

/* The part of a case the state machine reads and writes. */
struct bm_case_state {
    enum bm_case_status status;
    enum bm_case_stage stage;
    enum bm_case_decision decision;
    /* Where a suspended case goes back to. */
    enum bm_case_status resume_status;
    enum bm_case_stage resume_stage;
    enum bm_suspend_kind suspend_kind;
    int supplement_requests; /* 一次性告知 notices issued before acceptance (at most 1) */
    bool is_extended;        /* the one extension was granted */
    /* Facts of the case that guard transitions. */
    bool needs_approval;     /* the item needs a leader's sign-off */
    bool materials_complete; /* every required material provided or exempt */
    bool has_handler;        /* a handler is assigned */
    /* Set by bm_case_step: the decision proposed by the handler of a needs_approval item,
     * and what the approver decides on; also who performed the step. */
    enum bm_case_decision proposed;
    enum bm_case_actor actor;
};

/*
 * Applies `action` to `s` in place if it is legal, setting s->actor; otherwise leaves `s`
 * unchanged and returns BM_ETRANSITION with a Chinese message that names the status and
 * the action ("当前状态“已受理”不能执行“出件”"), or BM_EINVAL for a failed guard (accept with
 * materials incomplete; a second pre-acceptance supplement request; a second extension).
 * The transition table is docs/api-contract.md's, summarised in case.c.
 */
enum bm_rc bm_case_step(struct bm_case_state *s, enum bm_case_action action, struct bm_err *err);

/* True for delivered, rejected, returned, withdrawn and void. */
bool bm_case_is_terminal(enum bm_case_status s);
/* True while the deadline clock runs: accepted, processing, forwarded. */
bool bm_case_clock_runs(enum bm_case_status s);
/* Actions that need a non-empty note (reason): reject, transfer, suspend, extend, deny,
 * return, void, send_back. */
bool bm_case_action_needs_reason(enum bm_case_action a);

/*
 * Case number (docs/domain.md 2.7): 12-digit town code + YYYYMMDD + 6-digit daily sequence
 * into out[27]. False if the town code is not 12 digits or seq is outside 1..999999.
 */
bool bm_case_no_format(const char *town_code, int year, int month, int mday, int seq,
                       char out[27]);
/* 26 digits. */
bool bm_case_no_valid(const char *case_no);

#endif
