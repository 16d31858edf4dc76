/*
 * Public participation (公众参与, policy section 十四): the rules of suggestion campaigns
 * (人民建议征集), hearings on major matters (重大事项听证) and observed meetings (重要会议旁听),
 * and the coverage of households by cadres (联系服务群众全覆盖). Pure: callers pass `now`
 * and `today`; used by api/participation*.c. See docs/guide/participation.md.
 */
#ifndef BM_CORE_PARTICIPATION_H
#define BM_CORE_PARTICIPATION_H

#include <stdbool.h>
#include <stdint.h>

#include "core/calendar.h"
#include "util/err.h"

/* ---- suggestion campaigns ---- */

enum bm_campaign_state {
    BM_CAMPAIGN_UPCOMING, /* before open_from */
    BM_CAMPAIGN_OPEN,     /* open_from <= today <= open_until */
    BM_CAMPAIGN_CLOSED,   /* after open_until */
};

/* State of a campaign open from `from` to `until` (both days included) on `today`. */
enum bm_campaign_state bm_campaign_state_on(bm_day from, bm_day until, bm_day today);
/* "upcoming", "open", "closed" and their Chinese names. */
const char *bm_campaign_state_code(enum bm_campaign_state s);
const char *bm_campaign_state_name_zh(enum bm_campaign_state s);

/*
 * Checks a new campaign's period: it ends on or after it starts, does not end in the past
 * (`today`) and lasts at most a year. BM_EINVAL with field errors on open_from/open_until.
 */
BM_MUST_CHECK enum bm_rc bm_campaign_check_period(bm_day from, bm_day until, bm_day today,
                                                  struct bm_err *err);

/* A suggestion may be submitted only while the campaign is open; BM_ECONFLICT otherwise. */
BM_MUST_CHECK enum bm_rc bm_campaign_check_submit(bm_day from, bm_day until, bm_day today,
                                                  struct bm_err *err);

/* ---- hearings and observed meetings ---- */

enum bm_hearing_kind {
    BM_HEARING_HEARING, /* 重大事项听证 */
    BM_HEARING_MEETING, /* 重要会议旁听 */
};

bool bm_hearing_kind_parse(const char *code, enum bm_hearing_kind *out);
const char *bm_hearing_kind_code(enum bm_hearing_kind k);     /* "hearing", "meeting" */
const char *bm_hearing_kind_name_zh(enum bm_hearing_kind k);  /* 听证会, 旁听会议 */

enum bm_participant_role {
    BM_PARTICIPANT_RESIDENT,   /* 群众代表 */
    BM_PARTICIPANT_INTERESTED, /* 利害关系人 */
    BM_PARTICIPANT_EXPERT,     /* 专家 */
    BM_PARTICIPANT_DEPUTY,     /* 人大代表、政协委员 */
};

bool bm_participant_role_parse(const char *code, enum bm_participant_role *out);
const char *bm_participant_role_code(enum bm_participant_role r);
const char *bm_participant_role_name_zh(enum bm_participant_role r);

#define BM_HEARING_CAPACITY_MAX 10000

/*
 * The instant (UTC epoch seconds) of the China Standard Time wall clock "HH:MM" on day `d`.
 * False unless `hhmm` is exactly two digits, a colon and two digits of a real time.
 */
bool bm_participation_instant(bm_day d, const char *hhmm, int64_t *out);

/*
 * Checks a new hearing or meeting: it starts after `now`; registration closes on a day
 * (`register_until`) not before `today` and not after the day it starts; capacity is
 * 1..BM_HEARING_CAPACITY_MAX. BM_EINVAL with field errors (date, register_until, capacity).
 */
BM_MUST_CHECK enum bm_rc bm_hearing_check_schedule(int64_t starts_at, bm_day register_until,
                                                   int64_t capacity, int64_t now,
                                                   struct bm_err *err);

/*
 * Whether one more participant may register at `now`: registration is open up to the end of
 * `register_until` (CST) and never once the hearing has started; BM_ECONFLICT "报名已截止"
 * after that, BM_ECONFLICT "名额已满" when `registered` has reached `capacity`.
 */
BM_MUST_CHECK enum bm_rc bm_hearing_check_register(int64_t starts_at, bm_day register_until,
                                                   int64_t capacity, int64_t registered,
                                                   int64_t now, struct bm_err *err);

/*
 * Minutes and outcome are recorded once, after the hearing took place (now >= starts_at):
 * BM_ETRANSITION before it, BM_ECONFLICT when they were already recorded (recorded_at != 0).
 */
BM_MUST_CHECK enum bm_rc bm_hearing_check_record(int64_t starts_at, int64_t recorded_at,
                                                 int64_t now, struct bm_err *err);

/* ---- households and their contact cadres ---- */

#define BM_HOUSEHOLD_MEMBERS_MAX 99

/*
 * Whether a user may be a household's contact cadre: an active member of staff (not a
 * resident's account) whose unit lies in the township of the household's village (the first
 * two elements of `village_path`, "/1/4/" of "/1/4/31/"). Serving one's own township is the
 * point of 联系服务群众: cadres know the place and can be reached.
 */
bool bm_household_cadre_fits(unsigned cadre_roles, bool cadre_active, const char *cadre_path,
                             const char *village_path);

/*
 * Coverage of a village: covered households / households, rounded to four decimals
 * (0.8571). -1 when the village has no household on the register (no figure to give).
 */
double bm_coverage_rate(int64_t covered, int64_t households);

/* ---- leaders' reception days (接访下访) ---- */

enum bm_reception_kind {
    BM_RECEPTION_RECEPTION, /* 接访: the leader receives visitors at the office */
    BM_RECEPTION_VISIT,     /* 下访: the leader goes down to a village */
};

bool bm_reception_kind_parse(const char *code, enum bm_reception_kind *out);
const char *bm_reception_kind_code(enum bm_reception_kind k);    /* "reception", "visit" */
const char *bm_reception_kind_name_zh(enum bm_reception_kind k); /* 接访, 下访 */

/* A reception day is scheduled for today or later: BM_EINVAL (field "day") otherwise. */
BM_MUST_CHECK enum bm_rc bm_reception_check_day(bm_day day, bm_day today, struct bm_err *err);

/*
 * A visit is recorded on or after the reception day (BM_ETRANSITION before it); its
 * follow-up date, if any (BM_DAY_NONE: settled on the spot), is not before `today`
 * (BM_EINVAL, field "follow_up_due").
 */
BM_MUST_CHECK enum bm_rc bm_reception_check_visit(bm_day reception_day, bm_day follow_up_due,
                                                  bm_day today, struct bm_err *err);

/*
 * A follow-up result is recorded once, for a visit that needs one: BM_ETRANSITION when the
 * visit was settled on the spot (no due date), BM_ECONFLICT when it was followed up already.
 */
BM_MUST_CHECK enum bm_rc bm_reception_check_follow_up(bm_day follow_up_due, int64_t followed_up_at,
                                                      struct bm_err *err);

/* ---- deputies' direct channel (直通车) ---- */

enum bm_deputy_body {
    BM_DEPUTY_NPC,   /* 人大代表 */
    BM_DEPUTY_CPPCC, /* 政协委员 */
};

bool bm_deputy_body_parse(const char *code, enum bm_deputy_body *out);
const char *bm_deputy_body_code(enum bm_deputy_body b);    /* "npc", "cppcc" */
const char *bm_deputy_body_name_zh(enum bm_deputy_body b); /* 人大代表, 政协委员 */

/* Chinese name of a matter's status ("submitted" 待交办, "assigned" 办理中, "answered" 已答复). */
const char *bm_matter_status_name_zh(const char *status);

#endif
