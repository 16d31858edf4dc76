/*
 * Demands (诉求) as work orders, after the 12345 hotline norms (docs/domain.md 5): the
 * categories, the Bianmin default time limits, ticket numbers and the state machine. Pure
 * logic: the API layer loads the order, asks here whether an action is allowed and what the
 * order becomes, and stores the result.
 */
#ifndef BM_CORE_DEMAND_H
#define BM_CORE_DEMAND_H

#include <stdbool.h>
#include <stdint.h>

#include "core/item.h"
#include "util/err.h"

enum bm_demand_category {
    BM_DEMAND_CONSULT,    /* 咨询 */
    BM_DEMAND_HELP,       /* 求助 */
    BM_DEMAND_COMPLAINT,  /* 投诉 */
    BM_DEMAND_REPORT,     /* 举报 */
    BM_DEMAND_SUGGESTION, /* 建议 */
    BM_DEMAND_PRAISE,     /* 表扬 */
    BM_DEMAND_N_CATEGORIES
};

enum bm_demand_status {
    BM_DEMAND_SUBMITTED,  /* 待派单: filed, or returned by a wrongly assigned unit */
    BM_DEMAND_DISPATCHED, /* 已派单: waiting for the unit to accept */
    BM_DEMAND_ACCEPTED,   /* 办理中 */
    BM_DEMAND_REPLIED,    /* 已答复: waiting for the satisfaction callback */
    BM_DEMAND_CLOSED,     /* 已办结 */
    BM_DEMAND_MERGED,     /* 已合并: a duplicate of another order */
    BM_DEMAND_N_STATUSES
};

enum bm_demand_action {
    BM_DA_DISPATCH,
    BM_DA_ACCEPT,
    BM_DA_RETURN,
    BM_DA_REPLY,
    BM_DA_EXTEND,
    BM_DA_CALLBACK,
    BM_DA_CLOSE,
    BM_DA_REOPEN,
    BM_DA_MERGE,
    BM_DA_N_ACTIONS
};

/* Who may take an action: the dispatcher (派单员) or a member of the assigned unit. */
enum bm_demand_actor { BM_DEMAND_BY_DISPATCHER, BM_DEMAND_BY_UNIT };

extern const struct bm_code bm_demand_categories[]; /* "consult", ... "praise" */
extern const struct bm_code bm_demand_statuses[];   /* "submitted", ... "merged" */
extern const struct bm_code bm_demand_actions[];    /* "dispatch", ... "merge" */
extern const struct bm_code bm_demand_channels[];   /* "online", "window", "hotline_12345" */
extern const struct bm_code bm_demand_satisfactions[]; /* "satisfied", "basic", "unsatisfied" */

/* Bianmin default limits (domain 5.3). */
#define BM_DEMAND_RETURN_DAYS 2   /* a wrong dispatch goes back within 2 working days */
#define BM_DEMAND_MAX_EXTENSION 10 /* one extension of at most 10 working days */
#define BM_DEMAND_URGENT_HOURS 24
#define BM_DEMAND_MAX_REOPEN 1

/* Working days to answer a non-urgent order of this category: 1, 3 or 5. */
int bm_demand_limit_days(enum bm_demand_category c);

/* The part of an order the state machine reads and writes. */
struct bm_demand_state {
    enum bm_demand_status status;
    bool has_unit;
    int extension_days;
    int reopen_count;
};

/* The kind of actor the action needs. */
enum bm_demand_actor bm_demand_action_actor(enum bm_demand_action a);

/*
 * Applies `a` to `s` (resolved/unsatisfied matter only for callback). On success `s` holds
 * the new state; otherwise BM_ETRANSITION with a Chinese message and `s` unchanged. Callback
 * with "unresolved and unsatisfied" reopens the order once (domain 5.4), else it closes it.
 */
enum bm_rc bm_demand_apply(struct bm_demand_state *s, enum bm_demand_action a, bool resolved,
                           bool unsatisfied, struct bm_err *err);

/* True for the states in which the order's clock runs (dispatched, accepted). */
bool bm_demand_is_open(enum bm_demand_status s);

/* Ticket number: "D" + 6-digit county code + YYYYMMDD + 4-digit sequence (19 characters). */
#define BM_DEMAND_NO_LEN 19
bool bm_demand_no_valid(const char *s);
/* Writes the ticket number into out[BM_DEMAND_NO_LEN + 1]; false if an input is out of range. */
bool bm_demand_no_format(const char *county, int ymd, int seq, char *out);

#endif
