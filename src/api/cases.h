/*
 * Pieces the case handlers share (cases.c, case_actions.c, case_files.c, calendar.c):
 * loading a case the caller may see, its JSON form, the calendar snapshot, the data key,
 * deadlines and the notification outbox. Private to src/api.
 */
#ifndef BM_API_CASES_H
#define BM_API_CASES_H

#include <jansson.h>

#include "api/json_out.h"
#include "api/req.h"
#include "core/calendar.h"
#include "core/case.h"
#include "core/pii.h"
#include "core/supervision.h"

/* The applicant as sealed in a case (NUL-terminated, in the request arena). */
struct bm_applicant {
    const char *name, *id_number, *phone;
};

/*
 * The working-day calendar as stored, copied into the request arena. Reads through a
 * process-wide snapshot refreshed at most every 60 seconds (and at once after a change made
 * by this process), so a case view does not cost a calendar query.
 */
BM_MUST_CHECK enum bm_rc bm_api_calendar(struct bm_req *rq, struct bm_calendar *cal);
void bm_api_calendar_changed(void);
/*
 * The calendar read from the store now, into the request arena: what a deadline that is
 * written uses (inside the writing transaction), since the snapshot may lag a change made
 * by another process.
 */
BM_MUST_CHECK enum bm_rc bm_api_calendar_stored(struct bm_req *rq, struct bm_calendar *cal);

/* The personal-data keys derived from the configured data key. */
void bm_api_pii_key(const struct bm_req *rq, struct bm_pii_key *k);
/* Unseals a case's applicant; BM_EINTERNAL if the data key does not fit. */
BM_MUST_CHECK enum bm_rc bm_api_applicant(struct bm_req *rq, const struct bm_case *c,
                                          struct bm_applicant *out);

/* True if the caller is the resident who applied for the case online. */
bool bm_api_case_is_own(const struct bm_req *rq, const struct bm_case *c);

/*
 * Loads a case by number if the caller may see it: staff within bm_access_case_scope, or
 * its own applicant. BM_ENOTFOUND otherwise (existence is not revealed).
 */
BM_MUST_CHECK enum bm_rc bm_api_case_load(struct bm_req *rq, const char *case_no,
                                          struct bm_case *c);

/* Every required material provided or exempt. */
bool bm_api_case_materials_complete(const struct bm_case *c);

/*
 * Recomputes c->due_day (and due_provisional) from the acceptance day, the promised days,
 * the extension and the case's closed pauses.
 */
BM_MUST_CHECK enum bm_rc bm_api_case_deadline(struct bm_req *rq, struct bm_case *c,
                                              const struct bm_calendar *cal);
/*
 * Sets c->used_days: the working days counted from acceptance to `day` with the case's
 * closed pauses skipped (-1 if the case was never accepted). For the statistics.
 */
BM_MUST_CHECK enum bm_rc bm_api_case_used_days(struct bm_req *rq, struct bm_case *c,
                                               const struct bm_calendar *cal, bm_day day);

/* The deadline light of a case today. */
enum bm_light bm_api_case_light(const struct bm_req *rq, const struct bm_case *c,
                                const struct bm_calendar *cal);

/*
 * The JSON form of a case, its members written into an open object of `w`. `detail` adds
 * materials, events, pauses, attachments and the actions the caller may take now; `reveal`
 * shows the applicant unmasked (the caller has checked and audited that).
 */
void bm_api_case_fields(struct bm_jw *w, struct bm_req *rq, const struct bm_case *c,
                        const struct bm_calendar *cal, bool detail, bool reveal);
/* Replies `status` with the case in detail and its version as ETag. */
BM_MUST_CHECK enum bm_rc bm_api_case_reply(struct bm_req *rq, struct bm_resp *rs, int status,
                                           const struct bm_case *c,
                                           const struct bm_calendar *cal, bool reveal);
/* Replies 200 with {"items": [the cases, in brief], "next_cursor": next_cursor or null}. */
BM_MUST_CHECK enum bm_rc bm_api_case_page(struct bm_req *rq, struct bm_resp *rs,
                                          const struct bm_case *cs, size_t n,
                                          const struct bm_calendar *cal, const char *next_cursor);

/* Chinese name of a trace event's action: a case action, "create" (申请), "attach" or
 * "deadline" (recomputed after a calendar change). */
const char *bm_api_event_name(const char *action);

/*
 * True if the caller may take a step of `actor` kind (the actor bm_case_step gives
 * `action`) on `c`: the applicant's own steps by the applicant or the accepting window,
 * an online applicant's supplement by the applicant, else bm_access_case_actor.
 */
bool bm_api_case_may_act(const struct bm_req *rq, const struct bm_case *c,
                         enum bm_case_action action, enum bm_case_actor actor);

/* Appends one step to the case's trace (inside the transaction); takes `detail`. */
BM_MUST_CHECK enum bm_rc bm_api_case_event(struct bm_req *rq, const struct bm_case *c,
                                           const char *action, enum bm_case_status from,
                                           const char *note, json_t *detail);
/* The same, handing back the event as written in `out` (its texts in the request arena). */
BM_MUST_CHECK enum bm_rc bm_api_case_event_kept(struct bm_req *rq, const struct bm_case *c,
                                                const char *action, enum bm_case_status from,
                                                const char *note, json_t *detail,
                                                struct bm_case_event *out);

/*
 * Queues a text message to the applicant about `c` (inside the transaction): `template_name`
 * names it ("case_accepted", ...), `text` is the message.
 */
BM_MUST_CHECK enum bm_rc bm_api_notify(struct bm_req *rq, const struct bm_case *c,
                                       const char *template_name, const char *text);
/*
 * Reads the queue filters shared by case lists: `queue` (mine, unit, window, all) and
 * `handling_unit_id`, into q.
 */
BM_MUST_CHECK enum bm_rc bm_api_case_queue(struct bm_req *rq, struct bm_case_query *q);
/* Reads `limit` (1-200, default_limit) and a deadline-order cursor "DAY.ID" into q. */
BM_MUST_CHECK enum bm_rc bm_api_due_page(struct bm_req *rq, int default_limit,
                                         struct bm_case_query *q);

/*
 * Issues a yellow card by `rule` (domain.md 3.3: "overdue", "auto_accepted") about `c`
 * against `unit_id` and `officer_id` (0: none), with an audit entry (the warning job,
 * inside its transaction).
 */
BM_MUST_CHECK enum bm_rc bm_api_sup_issue_rule(struct bm_req *rq, const struct bm_case *c,
                                               enum bm_sup_rule rule, int64_t unit_id,
                                               int64_t officer_id, const char *reason);

/*
 * Queues `text` about `c` to its handler and to the approvers and township administrators
 * of its handling unit (of the parent unit when it has none), those with a phone on their
 * account (inside the transaction). Counts the messages in *sent and the heads found.
 */
BM_MUST_CHECK enum bm_rc bm_api_notify_unit(struct bm_req *rq, const struct bm_case *c,
                                            const char *template_name, const char *text,
                                            int *sent, size_t *n_heads);

/* The same to another phone about `c` (a member of staff: deadline warnings). */
BM_MUST_CHECK enum bm_rc bm_api_notify_phone(struct bm_req *rq, const struct bm_case *c,
                                             const char *phone, const char *template_name,
                                             const char *text);

/*
 * Performs `action` on a loaded case inside the caller's transaction: the state machine
 * step, the fields it sets (dates, units, handler, deadline, pauses, delivery), the trace
 * event, the applicant's text message and the audit entry, then writes the case (If-Match:
 * c->version). `body` (may be NULL) carries the action's own fields; the caller has checked
 * who may act. On error nothing is written that the caller's rollback would not undo.
 */
BM_MUST_CHECK enum bm_rc bm_api_case_apply(struct bm_req *rq, struct bm_case *c,
                                           enum bm_case_action action, json_t *body,
                                           const struct bm_calendar *cal);

/*
 * bm_api_case_apply in two halves, for a case that is not stored yet (opened and accepted
 * in one go): bm_api_case_step checks the action and applies it to `c` in memory (the step
 * and the fields it sets; for a stored case also its pauses and certificate), describing
 * what to record in `out`; bm_api_case_record, once the case is written, adds the trace
 * event, the applicant's text message and the audit entry, and frees out->detail.
 */
struct bm_case_step {
    enum bm_case_action action;
    enum bm_case_status from;
    const char *note, *template_name, *notice; /* notice NULL: no text message */
    json_t *detail;                            /* owned */
    struct bm_case_event event;                /* the trace event, once recorded */
};
BM_MUST_CHECK enum bm_rc bm_api_case_step(struct bm_req *rq, struct bm_case *c,
                                          enum bm_case_action action, json_t *body,
                                          const struct bm_calendar *cal,
                                          struct bm_case_step *out);
BM_MUST_CHECK enum bm_rc bm_api_case_record(struct bm_req *rq, const struct bm_case *c,
                                            struct bm_case_step *step);

/* YYYYMMDD of a day, as the integer bm_id_valid and case numbers use. */
int bm_api_ymd(bm_day d);

/* The 12-digit town code for case numbers of cases accepted at `unit_path`. */
BM_MUST_CHECK enum bm_rc bm_api_town_code(struct bm_req *rq, const char *unit_path, char out[13]);

#endif
