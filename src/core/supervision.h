/*
 * Supervision records (docs/domain.md 3.3): supervision notices (督办) on a case, which the
 * handling unit must answer, and cards (黄牌 / 红牌) against a body or an officer, which
 * need a written explanation and may be appealed (申诉). One lifecycle for both, decided
 * here; pure, no I/O.
 */
#ifndef BM_CORE_SUPERVISION_H
#define BM_CORE_SUPERVISION_H

#include <stdbool.h>

#include "core/item.h"
#include "util/err.h"

enum bm_sup_kind { BM_SUP_NOTICE, BM_SUP_YELLOW_CARD, BM_SUP_RED_CARD, BM_SUP_KIND_COUNT };

enum bm_sup_status {
    BM_SUP_OPEN,      /* issued, waiting for the answer (reply or explanation) */
    BM_SUP_ANSWERED,  /* answered; a supervisor closes it (or it is appealed) */
    BM_SUP_APPEALED,  /* a card appealed with evidence; a supervisor decides */
    BM_SUP_REVOKED,   /* appeal upheld: the card no longer counts */
    BM_SUP_CLOSED,    /* done; a card stands */
    BM_SUP_STATUS_COUNT
};

enum bm_sup_action {
    BM_SUP_ANSWER,        /* the body replies to a notice or explains a card */
    BM_SUP_APPEAL,        /* the body appeals a card */
    BM_SUP_UPHOLD_APPEAL, /* supervisor: the card is revoked */
    BM_SUP_REJECT_APPEAL, /* supervisor: the card stands */
    BM_SUP_CLOSE,         /* supervisor: accepts the answer */
    BM_SUP_ACTION_COUNT
};

/* Rules that issue records (code, Chinese). "manual": a supervisor's own decision. */
enum bm_sup_rule {
    BM_SUP_RULE_MANUAL,
    BM_SUP_RULE_OVERDUE,       /* a case passed its promised deadline */
    BM_SUP_RULE_AUTO_ACCEPTED, /* no decision on acceptance within 5 working days */
    BM_SUP_RULE_YELLOW_UNRESOLVED, /* a red card: a yellow card left unexplained past
                                    * BM_SUP_ESCALATE_DAYS working days */
    BM_SUP_RULE_COUNT
};

extern const struct bm_code bm_sup_kinds[];    /* "notice", "yellow_card", "red_card" */
extern const struct bm_code bm_sup_statuses[]; /* "open", "answered", ... */
extern const struct bm_code bm_sup_actions[];  /* "answer", "appeal", ... */
extern const struct bm_code bm_sup_rules[]; /* "manual", "overdue", "auto_accepted",
                                               "yellow_unresolved" */

/* Working days a yellow card may stay unexplained before it becomes a red card (3.3). */
#define BM_SUP_ESCALATE_DAYS 3

/* Working days the body has to answer: 2 for a card (domain.md 3.3), 3 for a notice. */
int bm_sup_answer_days(enum bm_sup_kind k);

/* Whether the action is taken by the supervising side (else by the supervised body). */
bool bm_sup_by_supervisor(enum bm_sup_action a);

/*
 * The status after `a` on a record of kind `k` in status `s`, or BM_ETRANSITION with a
 * Chinese message: a notice is answered, then closed; a card is explained, then closed or
 * appealed (within its answer, or after it, while not closed), and the appeal is upheld
 * (revoked) or rejected (closed).
 */
enum bm_rc bm_sup_step(enum bm_sup_kind k, enum bm_sup_status s, enum bm_sup_action a,
                       enum bm_sup_status *next, struct bm_err *err);

#endif
