/*
 * Citizen ratings of a case (政务服务"好差评", docs/domain.md 4) and the rectification of bad
 * ratings (4.4): the five levels, the fixed list of reasons, who may rate when, and the
 * state machine of a rectification task. Used by the ratings API. Pure: no I/O.
 */
#ifndef BM_CORE_RATING_H
#define BM_CORE_RATING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/item.h"
#include "util/err.h"

#define BM_RATING_MIN 1
#define BM_RATING_MAX 5
/* Levels up to this one are bad ratings (差评: 不满意, 非常不满意). */
#define BM_RATING_BAD_MAX 2
#define BM_RATING_MAX_REASONS 8
#define BM_RATING_COMMENT_MAX 500 /* characters */
/* Rating is open for 7 natural days after the result was delivered (domain.md 4.3). */
#define BM_RATING_WINDOW_S (7 * 86400)
/* Bianmin defaults of domain.md 4.4, in working days after the day of the rating. */
#define BM_RECT_CALLBACK_DAYS 1
#define BM_RECT_RECTIFY_DAYS 5
#define BM_RECT_APPEAL_DAYS 3

/* Level names, indexed by level (0 unused): {"", ""}, {"1", "非常不满意"} ... {"5", "非常满意"}. */
extern const struct bm_code bm_rating_levels[];
/* Reasons a rater may give (content dimensions of domain.md 4.2), ending {NULL, NULL}. */
extern const struct bm_code bm_rating_reasons[];
/* Channels: "online" (the public page), "window_device" (the window's rating device). */
extern const struct bm_code bm_rating_channels[];

/* True for levels 1 and 2. */
bool bm_rating_is_bad(int level);

/*
 * Checks a rating's content: level within 1..5 (BM_EINVAL on "level"); each reason a code of
 * bm_rating_reasons, none twice (on "reasons"); a bad level needs at least one reason (on
 * "reasons"). Field errors accumulate in `err`; returns its code.
 */
enum bm_rc bm_rating_check(int level, const char *const *reasons, size_t n_reasons,
                           struct bm_err *err);

/*
 * True if a case delivered at `closed_at` (UTC seconds, 0: never) may still be rated at
 * `now`: within BM_RATING_WINDOW_S after delivery.
 */
bool bm_rating_window_open(int64_t closed_at, int64_t now);

/* ---- rectification of a bad rating (差评整改) ---- */

enum bm_rect_status {
    BM_RECT_OPEN,        /* 待回访: waiting for the responsible unit's callback */
    BM_RECT_CALLED_BACK, /* 已回访: the rater was called back, rectification under way */
    BM_RECT_RECTIFIED,   /* 已整改 */
    BM_RECT_EXPLAINED,   /* 已解释说明: nothing to fix (no legal basis for the request) */
    BM_RECT_CLOSED,      /* 已办结: a supervisor accepted the outcome */
    BM_RECT_APPEALED,    /* 申诉中: the unit says the rating is mistaken or malicious */
    BM_RECT_UPHELD,      /* 申诉成立: the rating is left out of statistics, kept in audit */
    BM_RECT_STATUS_COUNT
};

enum bm_rect_action {
    BM_RECT_CALLBACK,      /* 回访核实 */
    BM_RECT_RECTIFY,       /* 整改 */
    BM_RECT_EXPLAIN,       /* 解释说明 */
    BM_RECT_CLOSE,         /* 办结 */
    BM_RECT_APPEAL,        /* 申诉 */
    BM_RECT_UPHOLD_APPEAL, /* 申诉成立 */
    BM_RECT_REJECT_APPEAL, /* 申诉驳回 */
    BM_RECT_ACTION_COUNT
};

/* Who takes a step: the responsible (handling) unit, or supervision. */
enum bm_rect_actor { BM_RECT_BY_UNIT, BM_RECT_BY_SUPERVISOR };

extern const struct bm_code bm_rect_statuses[]; /* "open", ... "upheld" */
extern const struct bm_code bm_rect_actions[];  /* "callback", ... "reject_appeal" */

/* The part of a task the state machine reads and writes. */
struct bm_rect_state {
    enum bm_rect_status status;
    bool is_called_back; /* where a rejected appeal goes back to */
    enum bm_rect_actor actor; /* set by bm_rect_step */
};

/*
 * Applies `action` in place if legal, setting s->actor; otherwise leaves `s` unchanged and
 * returns BM_ETRANSITION with a Chinese message naming the status and the action. Table:
 *
 *   callback       open → called_back                              [UNIT]
 *   rectify        called_back → rectified                         [UNIT]
 *   explain        called_back → explained                         [UNIT]
 *   appeal         open | called_back → appealed                   [UNIT]
 *   close          rectified | explained → closed                  [SUPERVISOR]
 *   uphold_appeal  appealed → upheld                               [SUPERVISOR]
 *   reject_appeal  appealed → called_back if called back, else open [SUPERVISOR]
 *
 * `err` may be NULL (probing which actions are legal).
 */
enum bm_rc bm_rect_step(struct bm_rect_state *s, enum bm_rect_action action, struct bm_err *err);

/* True for closed and upheld. */
bool bm_rect_is_final(enum bm_rect_status s);
/* True once the rater has had feedback: rectified, explained or closed (a follow-up rating,
 * 追评, is open from then on). */
bool bm_rect_has_feedback(enum bm_rect_status s);
/*
 * True if the task is late on `today`: not called back after `callback_due`, or neither
 * rectified nor explained after `rectify_due` (days as bm_day numbers). Appeals stop neither
 * clock, so an appeal that is not decided in time shows as overdue too.
 */
bool bm_rect_is_overdue(enum bm_rect_status s, int32_t callback_due, int32_t rectify_due,
                        int32_t today);

#endif
