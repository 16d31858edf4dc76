/*
 * Unit tests for src/core/case.c: the code tables, every action tried from every state
 * (with each stage and suspension kind, and each combination of the facts that guard
 * transitions), the guards, the two-step approval, both kinds of pause, whole case
 * histories, the status predicates and case numbers (docs/domain.md 2.7).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/case.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers -------------------------------------------------------------------------- */

static const char *
status_code(enum bm_case_status s)
{
    return (unsigned)s < BM_CASE_STATUS_COUNT ? bm_case_statuses[s].code : "?";
}

static const char *
action_code(enum bm_case_action a)
{
    return (unsigned)a < BM_CASE_ACTION_COUNT ? bm_case_actions[a].code : "?";
}

/* Field-by-field, so padding never matters; `what` says which check failed. */
static void
assert_state(const struct bm_case_state *got, const struct bm_case_state *want, const char *what)
{
#define F(f) \
    if ((int)got->f != (int)want->f) \
    fail_msg("%s: " #f " = %d, want %d", what, (int)got->f, (int)want->f)
    F(status);
    F(stage);
    F(decision);
    F(resume_status);
    F(resume_stage);
    F(suspend_kind);
    F(supplement_requests);
    F(is_extended);
    F(needs_approval);
    F(materials_complete);
    F(has_handler);
    F(proposed);
    F(actor);
#undef F
}

/* Applies `a`, which must succeed, and returns nothing; err must stay clear. */
static void
ok(struct bm_case_state *s, enum bm_case_action a)
{
    struct bm_err err;
    enum bm_rc rc;

    bm_err_clear(&err);
    rc = bm_case_step(s, a, &err);
    if (rc != BM_OK)
        fail_msg("%s refused (rc %d): %s", action_code(a), (int)rc, err.message);
    assert_int_equal(err.rc, BM_OK);
}

/* Applies `a`, which must fail with `want_rc` and message `want_msg`, leaving `s` as it was. */
static void
refused(struct bm_case_state *s, enum bm_case_action a, enum bm_rc want_rc, const char *want_msg)
{
    struct bm_case_state before = *s;
    struct bm_err err;
    enum bm_rc rc;

    bm_err_clear(&err);
    rc = bm_case_step(s, a, &err);
    if (rc != want_rc)
        fail_msg("%s in %s: rc %d, want %d", action_code(a), status_code(before.status), (int)rc,
                 (int)want_rc);
    assert_int_equal(err.rc, want_rc);
    assert_string_equal(err.message, want_msg);
    assert_state(s, &before, "refused step changed the state");
}

/* The message for an illegal transition, built from the tables. */
static void
illegal_msg(char *out, size_t size, enum bm_case_status s, enum bm_case_action a)
{
    snprintf(out, size, "当前状态“%s”不能执行“%s”", bm_case_statuses[s].zh,
             bm_case_actions[a].zh);
}

static void
refused_illegal(struct bm_case_state *s, enum bm_case_action a)
{
    char msg[256];

    illegal_msg(msg, sizeof(msg), s->status, a);
    refused(s, a, BM_ETRANSITION, msg);
}

/* A fresh online application: a draft with all materials. */
static struct bm_case_state
draft(bool needs_approval)
{
    struct bm_case_state s = {
        .status = BM_CASE_DRAFT,
        .needs_approval = needs_approval,
        .materials_complete = true,
    };
    return s;
}

/* ---- code tables ---------------------------------------------------------------------- */

static void
test_code_tables(void **state)
{
    static const struct bm_code statuses[] = {
        {"draft", "草稿"},       {"submitted", "已申请"}, {"supplement_requested", "补正中"},
        {"accepted", "已受理"},  {"processing", "办理中"}, {"suspended", NULL},
        {"forwarded", "已上报"}, {"completed", "已办结"}, {"delivered", "已出件"},
        {"rejected", "不予受理"}, {"returned", "已退件"}, {"withdrawn", "已撤回"},
        {"void", "已作废"},
    };
    static const struct bm_code actions[] = {
        {"submit", "提交"},     {"accept", "受理"},     {"reject", "不予受理"},
        {"request_supplement", "一次性告知补正"},      {"supplement", "补正"},
        {"return", "退件"},     {"assign", "分派"},     {"transfer", "转办"},
        {"suspend", "特别程序"}, {"resume", "恢复计时"}, {"extend", "延期"},
        {"forward", "上报"},    {"approve", "准予"},    {"deny", "不予"},
        {"send_back", "退回"},  {"deliver", "出件"},    {"withdraw", "撤回"},
        {"void", "作废"},
        {"auto_accept", "逾期视为受理"},
        {"auto_return", "逾期未补正退件"},
    };
    static const struct bm_code stages[] = {{"", "无"}, {"handling", "承办"}, {"approving", "审批"}};
    static const struct bm_code decisions[] = {{"", "无"}, {"approved", "准予"}, {"denied", "不予"}};
    static const struct {
        const char *what;
        const struct bm_code *table, *want;
        size_t count;
    } tables[] = {
        {"statuses", bm_case_statuses, statuses, N(statuses)},
        {"actions", bm_case_actions, actions, N(actions)},
        {"stages", bm_case_stages, stages, N(stages)},
        {"decisions", bm_case_decisions, decisions, N(decisions)},
    };

    (void)state;
    assert_int_equal(N(statuses), BM_CASE_STATUS_COUNT);
    assert_int_equal(N(actions), BM_CASE_ACTION_COUNT);
    assert_int_equal(N(stages), BM_STAGE_APPROVING + 1);
    assert_int_equal(N(decisions), BM_DECISION_DENIED + 1);
    for (size_t t = 0; t < N(tables); t++) {
        const struct bm_code *tb = tables[t].table;
        size_t n = bm_code_count(tb);

        if (n != tables[t].count)
            fail_msg("%s: %zu entries, want %zu", tables[t].what, n, tables[t].count);
        assert_null(tb[n].code); /* the terminator is {NULL, NULL} */
        assert_null(tb[n].zh);
        for (size_t i = 0; i < n; i++) {
            /* Indexed by the enum; each code finds itself; short, unique Chinese names. */
            assert_string_equal(tb[i].code, tables[t].want[i].code);
            if (tables[t].want[i].zh != NULL)
                assert_string_equal(tb[i].zh, tables[t].want[i].zh);
            assert_int_equal(bm_code_find(tb, tb[i].code), (int)i);
            assert_non_null(tb[i].zh);
            assert_true(strlen(tb[i].zh) > 0);
            assert_true(strlen(tb[i].zh) <= 8 * 3); /* at most eight CJK characters */
            for (size_t j = 0; j < i; j++) {
                assert_string_not_equal(tb[i].code, tb[j].code);
                assert_string_not_equal(tb[i].zh, tb[j].zh);
            }
        }
        assert_int_equal(bm_code_find(tb, "no_such_code"), -1);
        assert_int_equal(bm_code_find(tb, NULL), -1);
    }
    /* The empty code is "none" for stages and decisions only. */
    assert_int_equal(bm_code_find(bm_case_stages, ""), BM_STAGE_NONE);
    assert_int_equal(bm_code_find(bm_case_decisions, ""), BM_DECISION_NONE);
    assert_int_equal(bm_code_find(bm_case_statuses, ""), -1);
    assert_int_equal(bm_code_find(bm_case_actions, ""), -1);
    assert_int_equal(bm_code_find(bm_case_statuses, "Accepted"), -1);
    assert_int_equal(bm_code_find(bm_case_actions, "send-back"), -1);
    /* Whatever the suspended status is called, it is short. */
    assert_true(strlen(bm_case_statuses[BM_CASE_SUSPENDED].zh) <= 5 * 3);
}

/* ---- the whole table: every action from every state ----------------------------------- */

/* Start states: each status, and each stage, suspension kind and saved state that matters. */
enum {
    V_DRAFT,
    V_SUBMITTED,   /* no supplement notice yet */
    V_RESUBMITTED, /* back from supplement_requested: the one notice was used */
    V_SUPP_REQ,
    V_ACCEPTED,
    V_HANDLING,
    V_APPROVING_A, /* the handler proposed approval */
    V_APPROVING_D, /* the handler proposed denial */
    V_SUSP_P_ACC,  /* special procedure, from accepted */
    V_SUSP_P_HAND, /* special procedure, from processing/handling */
    V_SUSP_P_APPR, /* special procedure, from processing/approving (proposed approve) */
    V_SUSP_S_ACC,  /* supplement after acceptance, from accepted */
    V_SUSP_S_HAND,
    V_SUSP_S_APPR, /* ... from processing/approving (proposed deny) */
    V_FORWARDED,
    V_COMPLETED_A,
    V_COMPLETED_D,
    V_DELIVERED,
    V_REJECTED,
    V_RETURNED,
    V_WITHDRAWN,
    V_VOID,
    V_COUNT
};

static const struct {
    const char *name;
    struct bm_case_state s;
} starts[V_COUNT] = {
    [V_DRAFT] = {"draft", {.status = BM_CASE_DRAFT}},
    [V_SUBMITTED] = {"submitted", {.status = BM_CASE_SUBMITTED, .actor = BM_ACTOR_APPLICANT}},
    [V_RESUBMITTED] = {"submitted after supplement",
                       {.status = BM_CASE_SUBMITTED, .supplement_requests = 1,
                        .actor = BM_ACTOR_FRONT}},
    [V_SUPP_REQ] = {"supplement_requested",
                    {.status = BM_CASE_SUPPLEMENT_REQUESTED, .supplement_requests = 1,
                     .actor = BM_ACTOR_FRONT}},
    [V_ACCEPTED] = {"accepted", {.status = BM_CASE_ACCEPTED, .actor = BM_ACTOR_FRONT}},
    [V_HANDLING] = {"processing/handling",
                    {.status = BM_CASE_PROCESSING, .stage = BM_STAGE_HANDLING,
                     .has_handler = true, .actor = BM_ACTOR_BACK}},
    [V_APPROVING_A] = {"processing/approving (approve)",
                       {.status = BM_CASE_PROCESSING, .stage = BM_STAGE_APPROVING,
                        .has_handler = true, .proposed = BM_DECISION_APPROVED,
                        .actor = BM_ACTOR_BACK}},
    [V_APPROVING_D] = {"processing/approving (deny)",
                       {.status = BM_CASE_PROCESSING, .stage = BM_STAGE_APPROVING,
                        .has_handler = true, .proposed = BM_DECISION_DENIED,
                        .actor = BM_ACTOR_BACK}},
    [V_SUSP_P_ACC] = {"suspended (procedure) from accepted",
                      {.status = BM_CASE_SUSPENDED, .resume_status = BM_CASE_ACCEPTED,
                       .suspend_kind = BM_SUSPEND_PROCEDURE, .actor = BM_ACTOR_BACK}},
    [V_SUSP_P_HAND] = {"suspended (procedure) from handling",
                       {.status = BM_CASE_SUSPENDED, .resume_status = BM_CASE_PROCESSING,
                        .resume_stage = BM_STAGE_HANDLING, .suspend_kind = BM_SUSPEND_PROCEDURE,
                        .has_handler = true, .actor = BM_ACTOR_BACK}},
    [V_SUSP_P_APPR] = {"suspended (procedure) from approving",
                       {.status = BM_CASE_SUSPENDED, .resume_status = BM_CASE_PROCESSING,
                        .resume_stage = BM_STAGE_APPROVING, .suspend_kind = BM_SUSPEND_PROCEDURE,
                        .has_handler = true, .proposed = BM_DECISION_APPROVED,
                        .actor = BM_ACTOR_BACK}},
    [V_SUSP_S_ACC] = {"suspended (supplement) from accepted",
                      {.status = BM_CASE_SUSPENDED, .resume_status = BM_CASE_ACCEPTED,
                       .suspend_kind = BM_SUSPEND_SUPPLEMENT, .actor = BM_ACTOR_BACK}},
    [V_SUSP_S_HAND] = {"suspended (supplement) from handling",
                       {.status = BM_CASE_SUSPENDED, .resume_status = BM_CASE_PROCESSING,
                        .resume_stage = BM_STAGE_HANDLING, .suspend_kind = BM_SUSPEND_SUPPLEMENT,
                        .has_handler = true, .actor = BM_ACTOR_BACK}},
    [V_SUSP_S_APPR] = {"suspended (supplement) from approving",
                       {.status = BM_CASE_SUSPENDED, .resume_status = BM_CASE_PROCESSING,
                        .resume_stage = BM_STAGE_APPROVING, .suspend_kind = BM_SUSPEND_SUPPLEMENT,
                        .has_handler = true, .proposed = BM_DECISION_DENIED,
                        .actor = BM_ACTOR_BACK}},
    [V_FORWARDED] = {"forwarded",
                     {.status = BM_CASE_FORWARDED, .has_handler = true, .actor = BM_ACTOR_BACK}},
    [V_COMPLETED_A] = {"completed (approved)",
                       {.status = BM_CASE_COMPLETED, .decision = BM_DECISION_APPROVED,
                        .has_handler = true, .actor = BM_ACTOR_APPROVER}},
    [V_COMPLETED_D] = {"completed (denied)",
                       {.status = BM_CASE_COMPLETED, .decision = BM_DECISION_DENIED,
                        .has_handler = true, .actor = BM_ACTOR_BACK}},
    [V_DELIVERED] = {"delivered",
                     {.status = BM_CASE_DELIVERED, .decision = BM_DECISION_APPROVED,
                      .has_handler = true, .actor = BM_ACTOR_FRONT}},
    [V_REJECTED] = {"rejected", {.status = BM_CASE_REJECTED, .actor = BM_ACTOR_FRONT}},
    [V_RETURNED] = {"returned",
                    {.status = BM_CASE_RETURNED, .supplement_requests = 1,
                     .actor = BM_ACTOR_FRONT}},
    [V_WITHDRAWN] = {"withdrawn", {.status = BM_CASE_WITHDRAWN, .actor = BM_ACTOR_APPLICANT}},
    [V_VOID] = {"void", {.status = BM_CASE_VOID, .actor = BM_ACTOR_ADMIN}},
};

enum { ANY = -1, KEEP = -1 };
enum guard { G_NONE, G_MATERIALS, G_NOTICE, G_EXTEND };

/*
 * One legal transition. `to` gives every enum field of the result and the actor (fields
 * left out are NONE / draft, as the invariants require); its booleans are ignored. The facts
 * are copied from the start state except where handler / extended / requests say otherwise.
 * `na` restricts the row to needs_approval false (0) or true (1).
 */
struct legal {
    int from;
    enum bm_case_action act;
    int na;
    enum guard guard;
    struct bm_case_state to;
    int handler, extended, requests;
};

#define ROW(v, a, st, ...) {v, a, ANY, G_NONE, {.status = st, __VA_ARGS__}, KEEP, KEEP, KEEP}
#define WITHDRAW(v) ROW(v, BM_ACT_WITHDRAW, BM_CASE_WITHDRAWN, .actor = BM_ACTOR_APPLICANT)
#define VOIDED(v, ...) ROW(v, BM_ACT_VOID, BM_CASE_VOID, .actor = BM_ACTOR_ADMIN, __VA_ARGS__)
/* The one extension keeps everything else as it was. */
#define EXTEND(v, st, ...) \
    {v, BM_ACT_EXTEND, ANY, G_EXTEND, {.status = st, .actor = BM_ACTOR_APPROVER, __VA_ARGS__}, \
     KEEP, 1, KEEP}
/* The handler's approve or deny, without and with a leader's sign-off. */
#define DECIDE(v, a, d) \
    {v, a, 0, G_NONE, {.status = BM_CASE_COMPLETED, .decision = d, .actor = BM_ACTOR_BACK}, \
     KEEP, KEEP, KEEP}, \
    {v, a, 1, G_NONE, \
     {.status = BM_CASE_PROCESSING, .stage = BM_STAGE_APPROVING, .proposed = d, \
      .actor = BM_ACTOR_BACK}, \
     KEEP, KEEP, KEEP}

static const struct legal legal[] = {
    ROW(V_DRAFT, BM_ACT_SUBMIT, BM_CASE_SUBMITTED, .actor = BM_ACTOR_APPLICANT),
    WITHDRAW(V_DRAFT),
    VOIDED(V_DRAFT, .decision = BM_DECISION_NONE),

    /* Before acceptance: the front desk accepts, refuses or gives the one notice. */
#define SUBMITTED_ROWS(v) \
    {v, BM_ACT_ACCEPT, ANY, G_MATERIALS, {.status = BM_CASE_ACCEPTED, .actor = BM_ACTOR_FRONT}, \
     KEEP, KEEP, KEEP}, \
    ROW(v, BM_ACT_REJECT, BM_CASE_REJECTED, .actor = BM_ACTOR_FRONT), \
    {v, BM_ACT_REQUEST_SUPPLEMENT, ANY, G_NOTICE, \
     {.status = BM_CASE_SUPPLEMENT_REQUESTED, .actor = BM_ACTOR_FRONT}, KEEP, KEEP, 1}, \
    WITHDRAW(v), VOIDED(v, .decision = BM_DECISION_NONE), \
    /* 行政许可法 art. 32: undecided after 5 working days, complete or not. */ \
    ROW(v, BM_ACT_AUTO_ACCEPT, BM_CASE_ACCEPTED, .actor = BM_ACTOR_SYSTEM)
    SUBMITTED_ROWS(V_SUBMITTED),
    SUBMITTED_ROWS(V_RESUBMITTED),
#undef SUBMITTED_ROWS

    ROW(V_SUPP_REQ, BM_ACT_REJECT, BM_CASE_REJECTED, .actor = BM_ACTOR_FRONT),
    ROW(V_SUPP_REQ, BM_ACT_SUPPLEMENT, BM_CASE_SUBMITTED, .actor = BM_ACTOR_FRONT),
    ROW(V_SUPP_REQ, BM_ACT_RETURN, BM_CASE_RETURNED, .actor = BM_ACTOR_FRONT),
    /* Silent past the limit: the system returns it. */
    ROW(V_SUPP_REQ, BM_ACT_AUTO_RETURN, BM_CASE_RETURNED, .actor = BM_ACTOR_SYSTEM),
    WITHDRAW(V_SUPP_REQ),
    VOIDED(V_SUPP_REQ, .decision = BM_DECISION_NONE),

    /* Accepted, waiting for the handling unit. */
    ROW(V_ACCEPTED, BM_ACT_REQUEST_SUPPLEMENT, BM_CASE_SUSPENDED,
        .resume_status = BM_CASE_ACCEPTED, .suspend_kind = BM_SUSPEND_SUPPLEMENT,
        .actor = BM_ACTOR_BACK),
    {V_ACCEPTED, BM_ACT_ASSIGN, ANY, G_NONE,
     {.status = BM_CASE_PROCESSING, .stage = BM_STAGE_HANDLING, .actor = BM_ACTOR_BACK}, 1, KEEP,
     KEEP},
    {V_ACCEPTED, BM_ACT_TRANSFER, ANY, G_NONE,
     {.status = BM_CASE_ACCEPTED, .actor = BM_ACTOR_BACK}, 0, KEEP, KEEP},
    ROW(V_ACCEPTED, BM_ACT_SUSPEND, BM_CASE_SUSPENDED, .resume_status = BM_CASE_ACCEPTED,
        .suspend_kind = BM_SUSPEND_PROCEDURE, .actor = BM_ACTOR_BACK),
    EXTEND(V_ACCEPTED, BM_CASE_ACCEPTED, .stage = BM_STAGE_NONE),
    ROW(V_ACCEPTED, BM_ACT_FORWARD, BM_CASE_FORWARDED, .actor = BM_ACTOR_BACK),
    DECIDE(V_ACCEPTED, BM_ACT_APPROVE, BM_DECISION_APPROVED),
    DECIDE(V_ACCEPTED, BM_ACT_DENY, BM_DECISION_DENIED),
    WITHDRAW(V_ACCEPTED),
    VOIDED(V_ACCEPTED, .decision = BM_DECISION_NONE),

    /* With a handler. */
    ROW(V_HANDLING, BM_ACT_REQUEST_SUPPLEMENT, BM_CASE_SUSPENDED,
        .resume_status = BM_CASE_PROCESSING, .resume_stage = BM_STAGE_HANDLING,
        .suspend_kind = BM_SUSPEND_SUPPLEMENT, .actor = BM_ACTOR_BACK),
    {V_HANDLING, BM_ACT_ASSIGN, ANY, G_NONE,
     {.status = BM_CASE_PROCESSING, .stage = BM_STAGE_HANDLING, .actor = BM_ACTOR_BACK}, 1, KEEP,
     KEEP},
    {V_HANDLING, BM_ACT_TRANSFER, ANY, G_NONE,
     {.status = BM_CASE_ACCEPTED, .actor = BM_ACTOR_BACK}, 0, KEEP, KEEP},
    ROW(V_HANDLING, BM_ACT_SUSPEND, BM_CASE_SUSPENDED, .resume_status = BM_CASE_PROCESSING,
        .resume_stage = BM_STAGE_HANDLING, .suspend_kind = BM_SUSPEND_PROCEDURE,
        .actor = BM_ACTOR_BACK),
    EXTEND(V_HANDLING, BM_CASE_PROCESSING, .stage = BM_STAGE_HANDLING),
    ROW(V_HANDLING, BM_ACT_FORWARD, BM_CASE_FORWARDED, .actor = BM_ACTOR_BACK),
    DECIDE(V_HANDLING, BM_ACT_APPROVE, BM_DECISION_APPROVED),
    DECIDE(V_HANDLING, BM_ACT_DENY, BM_DECISION_DENIED),
    WITHDRAW(V_HANDLING),
    VOIDED(V_HANDLING, .decision = BM_DECISION_NONE),

    /* Waiting for the approver, who decides whatever was proposed, or sends it back. */
#define APPROVING_ROWS(v, p) \
    ROW(v, BM_ACT_REQUEST_SUPPLEMENT, BM_CASE_SUSPENDED, .resume_status = BM_CASE_PROCESSING, \
        .resume_stage = BM_STAGE_APPROVING, .suspend_kind = BM_SUSPEND_SUPPLEMENT, \
        .proposed = p, .actor = BM_ACTOR_BACK), \
    ROW(v, BM_ACT_SUSPEND, BM_CASE_SUSPENDED, .resume_status = BM_CASE_PROCESSING, \
        .resume_stage = BM_STAGE_APPROVING, .suspend_kind = BM_SUSPEND_PROCEDURE, \
        .proposed = p, .actor = BM_ACTOR_BACK), \
    EXTEND(v, BM_CASE_PROCESSING, .stage = BM_STAGE_APPROVING, .proposed = p), \
    ROW(v, BM_ACT_APPROVE, BM_CASE_COMPLETED, .decision = BM_DECISION_APPROVED, \
        .actor = BM_ACTOR_APPROVER), \
    ROW(v, BM_ACT_DENY, BM_CASE_COMPLETED, .decision = BM_DECISION_DENIED, \
        .actor = BM_ACTOR_APPROVER), \
    ROW(v, BM_ACT_SEND_BACK, BM_CASE_PROCESSING, .stage = BM_STAGE_HANDLING, \
        .actor = BM_ACTOR_APPROVER), \
    WITHDRAW(v), VOIDED(v, .decision = BM_DECISION_NONE)
    APPROVING_ROWS(V_APPROVING_A, BM_DECISION_APPROVED),
    APPROVING_ROWS(V_APPROVING_D, BM_DECISION_DENIED),
#undef APPROVING_ROWS

    /* Paused: only the matching end of the pause, the extension, withdrawal and voiding. */
    ROW(V_SUSP_P_ACC, BM_ACT_RESUME, BM_CASE_ACCEPTED, .actor = BM_ACTOR_BACK),
    EXTEND(V_SUSP_P_ACC, BM_CASE_SUSPENDED, .resume_status = BM_CASE_ACCEPTED,
           .suspend_kind = BM_SUSPEND_PROCEDURE),
    WITHDRAW(V_SUSP_P_ACC),
    VOIDED(V_SUSP_P_ACC, .decision = BM_DECISION_NONE),

    ROW(V_SUSP_P_HAND, BM_ACT_RESUME, BM_CASE_PROCESSING, .stage = BM_STAGE_HANDLING,
        .actor = BM_ACTOR_BACK),
    EXTEND(V_SUSP_P_HAND, BM_CASE_SUSPENDED, .resume_status = BM_CASE_PROCESSING,
           .resume_stage = BM_STAGE_HANDLING, .suspend_kind = BM_SUSPEND_PROCEDURE),
    WITHDRAW(V_SUSP_P_HAND),
    VOIDED(V_SUSP_P_HAND, .decision = BM_DECISION_NONE),

    ROW(V_SUSP_P_APPR, BM_ACT_RESUME, BM_CASE_PROCESSING, .stage = BM_STAGE_APPROVING,
        .proposed = BM_DECISION_APPROVED, .actor = BM_ACTOR_BACK),
    EXTEND(V_SUSP_P_APPR, BM_CASE_SUSPENDED, .resume_status = BM_CASE_PROCESSING,
           .resume_stage = BM_STAGE_APPROVING, .suspend_kind = BM_SUSPEND_PROCEDURE,
           .proposed = BM_DECISION_APPROVED),
    WITHDRAW(V_SUSP_P_APPR),
    VOIDED(V_SUSP_P_APPR, .decision = BM_DECISION_NONE),

    ROW(V_SUSP_S_ACC, BM_ACT_SUPPLEMENT, BM_CASE_ACCEPTED, .actor = BM_ACTOR_BACK),
    EXTEND(V_SUSP_S_ACC, BM_CASE_SUSPENDED, .resume_status = BM_CASE_ACCEPTED,
           .suspend_kind = BM_SUSPEND_SUPPLEMENT),
    WITHDRAW(V_SUSP_S_ACC),
    VOIDED(V_SUSP_S_ACC, .decision = BM_DECISION_NONE),

    ROW(V_SUSP_S_HAND, BM_ACT_SUPPLEMENT, BM_CASE_PROCESSING, .stage = BM_STAGE_HANDLING,
        .actor = BM_ACTOR_BACK),
    EXTEND(V_SUSP_S_HAND, BM_CASE_SUSPENDED, .resume_status = BM_CASE_PROCESSING,
           .resume_stage = BM_STAGE_HANDLING, .suspend_kind = BM_SUSPEND_SUPPLEMENT),
    WITHDRAW(V_SUSP_S_HAND),
    VOIDED(V_SUSP_S_HAND, .decision = BM_DECISION_NONE),

    ROW(V_SUSP_S_APPR, BM_ACT_SUPPLEMENT, BM_CASE_PROCESSING, .stage = BM_STAGE_APPROVING,
        .proposed = BM_DECISION_DENIED, .actor = BM_ACTOR_BACK),
    EXTEND(V_SUSP_S_APPR, BM_CASE_SUSPENDED, .resume_status = BM_CASE_PROCESSING,
           .resume_stage = BM_STAGE_APPROVING, .suspend_kind = BM_SUSPEND_SUPPLEMENT,
           .proposed = BM_DECISION_DENIED),
    WITHDRAW(V_SUSP_S_APPR),
    VOIDED(V_SUSP_S_APPR, .decision = BM_DECISION_NONE),

    /* The upper body's result is recorded by the back office, sign-off or not. */
    ROW(V_FORWARDED, BM_ACT_APPROVE, BM_CASE_COMPLETED, .decision = BM_DECISION_APPROVED,
        .actor = BM_ACTOR_BACK),
    ROW(V_FORWARDED, BM_ACT_DENY, BM_CASE_COMPLETED, .decision = BM_DECISION_DENIED,
        .actor = BM_ACTOR_BACK),
    WITHDRAW(V_FORWARDED),
    VOIDED(V_FORWARDED, .decision = BM_DECISION_NONE),

    /* After the decision: only delivery, and voiding, which keeps the decision on record. */
    ROW(V_COMPLETED_A, BM_ACT_DELIVER, BM_CASE_DELIVERED, .decision = BM_DECISION_APPROVED,
        .actor = BM_ACTOR_FRONT),
    VOIDED(V_COMPLETED_A, .decision = BM_DECISION_APPROVED),
    ROW(V_COMPLETED_D, BM_ACT_DELIVER, BM_CASE_DELIVERED, .decision = BM_DECISION_DENIED,
        .actor = BM_ACTOR_FRONT),
    VOIDED(V_COMPLETED_D, .decision = BM_DECISION_DENIED),
    VOIDED(V_DELIVERED, .decision = BM_DECISION_APPROVED),
    VOIDED(V_REJECTED, .decision = BM_DECISION_NONE),
    VOIDED(V_RETURNED, .decision = BM_DECISION_NONE),
    VOIDED(V_WITHDRAWN, .decision = BM_DECISION_NONE),
    /* Nothing at all from void. */
};

#undef ROW
#undef WITHDRAW
#undef VOIDED
#undef EXTEND
#undef DECIDE

static const struct legal *
find_legal(int from, enum bm_case_action a, bool na)
{
    const struct legal *hit = NULL;

    for (size_t i = 0; i < N(legal); i++) {
        if (legal[i].from != from || legal[i].act != a)
            continue;
        if (legal[i].na != ANY && legal[i].na != (int)na)
            continue;
        if (hit != NULL)
            fail_msg("two rows for %s / %s", starts[from].name, action_code(a));
        hit = &legal[i];
    }
    return hit;
}

static bool
guard_fails(const struct legal *row, const struct bm_case_state *s)
{
    switch (row->guard) {
    case G_MATERIALS:
        return !s->materials_complete;
    case G_NOTICE:
        return s->supplement_requests > 0;
    case G_EXTEND:
        return s->is_extended;
    case G_NONE:
        break;
    }
    return false;
}

static const char *const guard_msg[] = {
    [G_MATERIALS] = "材料不齐全，不能受理",
    [G_NOTICE] = "已一次性告知补正材料，不能再次要求补正",
    [G_EXTEND] = "延期只能申请一次",
};

static void
test_every_action_from_every_state(void **state)
{
    int used[N(legal)] = {0};
    int n_ok = 0, n_guard = 0, n_illegal = 0;

    (void)state;
    /* Every combination of the facts that guard or steer transitions. */
    for (int facts = 0; facts < 8; facts++) {
        bool na = facts & 1, ext = facts & 2, mat = facts & 4;

        for (int v = 0; v < V_COUNT; v++) {
            struct bm_case_state start = starts[v].s;

            start.needs_approval = na;
            start.is_extended = ext;
            start.materials_complete = mat;
            for (int a = 0; a < BM_CASE_ACTION_COUNT; a++) {
                const struct legal *row = find_legal(v, (enum bm_case_action)a, na);
                struct bm_case_state s = start, want;
                char what[200];

                snprintf(what, sizeof(what), "%s / %s (approval %d, extended %d, materials %d)",
                         starts[v].name, action_code((enum bm_case_action)a), na, ext, mat);
                if (row == NULL) {
                    refused_illegal(&s, (enum bm_case_action)a);
                    n_illegal++;
                    continue;
                }
                used[row - legal]++;
                if (guard_fails(row, &start)) {
                    refused(&s, (enum bm_case_action)a, BM_EINVAL, guard_msg[row->guard]);
                    n_guard++;
                    continue;
                }
                want = row->to;
                want.supplement_requests =
                    row->requests == KEEP ? start.supplement_requests : row->requests;
                want.is_extended = row->extended == KEEP ? start.is_extended : row->extended;
                want.has_handler = row->handler == KEEP ? start.has_handler : row->handler;
                want.needs_approval = start.needs_approval;
                want.materials_complete = start.materials_complete;
                ok(&s, (enum bm_case_action)a);
                assert_state(&s, &want, what);
                n_ok++;
            }
        }
    }
    /* Every row of the table was reached, so none is misspelt into a dead entry. */
    for (size_t i = 0; i < N(legal); i++)
        if (used[i] == 0)
            fail_msg("row %zu (%s / %s) never tried", i, starts[legal[i].from].name,
                     action_code(legal[i].act));
    /* Sanity of the sweep itself. */
    assert_int_equal(n_ok + n_guard + n_illegal, 8 * V_COUNT * BM_CASE_ACTION_COUNT);
    assert_true(n_ok > 0 && n_guard > 0 && n_illegal > n_ok);
}

/* Each status has a start variant above, so the sweep really covered every status. */
static void
test_every_status_swept(void **state)
{
    bool seen[BM_CASE_STATUS_COUNT] = {false};
    bool kind_seen[3] = {false}, stage_seen[3] = {false};

    (void)state;
    for (int v = 0; v < V_COUNT; v++) {
        seen[starts[v].s.status] = true;
        if (starts[v].s.status == BM_CASE_SUSPENDED)
            kind_seen[starts[v].s.suspend_kind] = true;
        if (starts[v].s.status == BM_CASE_PROCESSING)
            stage_seen[starts[v].s.stage] = true;
    }
    for (int s = 0; s < BM_CASE_STATUS_COUNT; s++)
        if (!seen[s])
            fail_msg("status %s not swept", status_code((enum bm_case_status)s));
    assert_true(kind_seen[BM_SUSPEND_PROCEDURE] && kind_seen[BM_SUSPEND_SUPPLEMENT]);
    assert_true(stage_seen[BM_STAGE_HANDLING] && stage_seen[BM_STAGE_APPROVING]);
}

/* The message names the status and the action in Chinese, as in case.h. */
static void
test_illegal_message(void **state)
{
    struct bm_case_state s = {.status = BM_CASE_ACCEPTED, .materials_complete = true};

    (void)state;
    refused(&s, BM_ACT_DELIVER, BM_ETRANSITION, "当前状态“已受理”不能执行“出件”");
    s.status = BM_CASE_VOID;
    refused(&s, BM_ACT_VOID, BM_ETRANSITION, "当前状态“已作废”不能执行“作废”");
    s.status = BM_CASE_DRAFT;
    refused(&s, BM_ACT_REQUEST_SUPPLEMENT, BM_ETRANSITION, "当前状态“草稿”不能执行“一次性告知补正”");
    s.status = BM_CASE_PROCESSING;
    s.stage = BM_STAGE_HANDLING;
    refused(&s, BM_ACT_SEND_BACK, BM_ETRANSITION, "当前状态“办理中”不能执行“退回”");
}

/* err may be NULL: the code still comes back and nothing changes. */
static void
test_null_err(void **state)
{
    struct bm_case_state s = draft(false), before;

    (void)state;
    before = s;
    assert_int_equal(bm_case_step(&s, BM_ACT_DELIVER, NULL), BM_ETRANSITION);
    assert_state(&s, &before, "illegal with NULL err");
    assert_int_equal(bm_case_step(&s, BM_ACT_SUBMIT, NULL), BM_OK);
    s.materials_complete = false;
    before = s;
    assert_int_equal(bm_case_step(&s, BM_ACT_ACCEPT, NULL), BM_EINVAL);
    assert_state(&s, &before, "guard with NULL err");
}

/* ---- guards --------------------------------------------------------------------------- */

static void
test_guard_materials(void **state)
{
    struct bm_case_state s = draft(false);

    (void)state;
    s.materials_complete = false;
    ok(&s, BM_ACT_SUBMIT); /* submitting does not need complete materials */
    refused(&s, BM_ACT_ACCEPT, BM_EINVAL, "材料不齐全，不能受理");
    assert_int_equal(s.status, BM_CASE_SUBMITTED);
    ok(&s, BM_ACT_REQUEST_SUPPLEMENT);
    /* Completeness is not re-checked by the supplement step; acceptance checks it. */
    ok(&s, BM_ACT_SUPPLEMENT);
    refused(&s, BM_ACT_ACCEPT, BM_EINVAL, "材料不齐全，不能受理");
    s.materials_complete = true;
    ok(&s, BM_ACT_ACCEPT);
    assert_int_equal(s.status, BM_CASE_ACCEPTED);
    assert_int_equal(s.actor, BM_ACTOR_FRONT);
    /* A state error wins over a guard: accepting twice is illegal, not "incomplete". */
    s.materials_complete = false;
    refused_illegal(&s, BM_ACT_ACCEPT);
}

/* 行政许可法 art. 32: one notice listing all gaps; never a second one. */
static void
test_guard_one_notice(void **state)
{
    struct bm_case_state s = draft(false);

    (void)state;
    ok(&s, BM_ACT_SUBMIT);
    assert_int_equal(s.supplement_requests, 0);
    ok(&s, BM_ACT_REQUEST_SUPPLEMENT);
    assert_int_equal(s.status, BM_CASE_SUPPLEMENT_REQUESTED);
    assert_int_equal(s.supplement_requests, 1);
    assert_int_equal(s.actor, BM_ACTOR_FRONT);
    /* Asking again while waiting is not a transition at all. */
    refused_illegal(&s, BM_ACT_REQUEST_SUPPLEMENT);
    ok(&s, BM_ACT_SUPPLEMENT);
    assert_int_equal(s.status, BM_CASE_SUBMITTED);
    assert_int_equal(s.supplement_requests, 1);
    refused(&s, BM_ACT_REQUEST_SUPPLEMENT, BM_EINVAL, "已一次性告知补正材料，不能再次要求补正");
    assert_int_equal(s.supplement_requests, 1);
    /* Still free to accept or refuse. */
    ok(&s, BM_ACT_ACCEPT);
    /* After acceptance a supplement is a pause and is not limited by the notice count. */
    ok(&s, BM_ACT_REQUEST_SUPPLEMENT);
    assert_int_equal(s.status, BM_CASE_SUSPENDED);
    assert_int_equal(s.supplement_requests, 1);
    ok(&s, BM_ACT_SUPPLEMENT);
    ok(&s, BM_ACT_REQUEST_SUPPLEMENT);
    ok(&s, BM_ACT_SUPPLEMENT);
    assert_int_equal(s.status, BM_CASE_ACCEPTED);
    assert_int_equal(s.supplement_requests, 1);
}

/* 行政许可法 art. 42: one extension, whichever state it is asked in. */
static void
test_guard_one_extension(void **state)
{
    struct bm_case_state s = draft(false);

    (void)state;
    ok(&s, BM_ACT_SUBMIT);
    refused_illegal(&s, BM_ACT_EXTEND); /* the clock has not started */
    ok(&s, BM_ACT_ACCEPT);
    ok(&s, BM_ACT_EXTEND);
    assert_true(s.is_extended);
    assert_int_equal(s.status, BM_CASE_ACCEPTED);
    assert_int_equal(s.actor, BM_ACTOR_APPROVER);
    refused(&s, BM_ACT_EXTEND, BM_EINVAL, "延期只能申请一次");
    ok(&s, BM_ACT_ASSIGN);
    refused(&s, BM_ACT_EXTEND, BM_EINVAL, "延期只能申请一次");
    ok(&s, BM_ACT_SUSPEND);
    refused(&s, BM_ACT_EXTEND, BM_EINVAL, "延期只能申请一次");
    ok(&s, BM_ACT_RESUME);
    assert_true(s.is_extended); /* kept through the pause */

    /* Extending while suspended keeps the pause and where it goes back to. */
    s = draft(false);
    ok(&s, BM_ACT_SUBMIT);
    ok(&s, BM_ACT_ACCEPT);
    ok(&s, BM_ACT_ASSIGN);
    ok(&s, BM_ACT_SUSPEND);
    ok(&s, BM_ACT_EXTEND);
    assert_int_equal(s.status, BM_CASE_SUSPENDED);
    assert_int_equal(s.suspend_kind, BM_SUSPEND_PROCEDURE);
    assert_int_equal(s.resume_status, BM_CASE_PROCESSING);
    assert_int_equal(s.resume_stage, BM_STAGE_HANDLING);
    ok(&s, BM_ACT_RESUME);
    assert_int_equal(s.status, BM_CASE_PROCESSING);
    refused(&s, BM_ACT_EXTEND, BM_EINVAL, "延期只能申请一次");

    /* A forwarded case runs on the upper body's clock: no extension here. */
    s = draft(false);
    ok(&s, BM_ACT_SUBMIT);
    ok(&s, BM_ACT_ACCEPT);
    ok(&s, BM_ACT_FORWARD);
    refused_illegal(&s, BM_ACT_EXTEND);
}

/* ---- flows ---------------------------------------------------------------------------- */

/* A leader's sign-off: handler proposes, approver sends back, handler proposes again. */
static void
test_two_step_approval(void **state)
{
    struct bm_case_state s = draft(true);

    (void)state;
    ok(&s, BM_ACT_SUBMIT);
    ok(&s, BM_ACT_ACCEPT);
    ok(&s, BM_ACT_ASSIGN);
    refused_illegal(&s, BM_ACT_SEND_BACK); /* nothing to send back yet */

    ok(&s, BM_ACT_APPROVE);
    assert_int_equal(s.status, BM_CASE_PROCESSING);
    assert_int_equal(s.stage, BM_STAGE_APPROVING);
    assert_int_equal(s.proposed, BM_DECISION_APPROVED);
    assert_int_equal(s.decision, BM_DECISION_NONE);
    assert_int_equal(s.actor, BM_ACTOR_BACK);
    /* While the approver decides, the handler cannot assign, transfer or forward. */
    refused_illegal(&s, BM_ACT_ASSIGN);
    refused_illegal(&s, BM_ACT_TRANSFER);
    refused_illegal(&s, BM_ACT_FORWARD);
    refused_illegal(&s, BM_ACT_DELIVER);

    ok(&s, BM_ACT_SEND_BACK);
    assert_int_equal(s.status, BM_CASE_PROCESSING);
    assert_int_equal(s.stage, BM_STAGE_HANDLING);
    assert_int_equal(s.proposed, BM_DECISION_NONE);
    assert_int_equal(s.actor, BM_ACTOR_APPROVER);
    assert_true(s.has_handler);

    ok(&s, BM_ACT_DENY);
    assert_int_equal(s.stage, BM_STAGE_APPROVING);
    assert_int_equal(s.proposed, BM_DECISION_DENIED);
    assert_int_equal(s.actor, BM_ACTOR_BACK);

    /* The approver's decision is the one recorded, even against the proposal. */
    ok(&s, BM_ACT_APPROVE);
    assert_int_equal(s.status, BM_CASE_COMPLETED);
    assert_int_equal(s.stage, BM_STAGE_NONE);
    assert_int_equal(s.decision, BM_DECISION_APPROVED);
    assert_int_equal(s.proposed, BM_DECISION_NONE);
    assert_int_equal(s.actor, BM_ACTOR_APPROVER);
    refused_illegal(&s, BM_ACT_SEND_BACK);
    refused_illegal(&s, BM_ACT_APPROVE);
    ok(&s, BM_ACT_DELIVER);
    assert_int_equal(s.status, BM_CASE_DELIVERED);
    assert_int_equal(s.decision, BM_DECISION_APPROVED);

    /* Straight from accepted (即办件 with sign-off): no handler needed. */
    s = draft(true);
    ok(&s, BM_ACT_SUBMIT);
    ok(&s, BM_ACT_ACCEPT);
    ok(&s, BM_ACT_DENY);
    assert_int_equal(s.status, BM_CASE_PROCESSING);
    assert_int_equal(s.stage, BM_STAGE_APPROVING);
    assert_int_equal(s.proposed, BM_DECISION_DENIED);
    assert_false(s.has_handler);
    ok(&s, BM_ACT_DENY);
    assert_int_equal(s.status, BM_CASE_COMPLETED);
    assert_int_equal(s.decision, BM_DECISION_DENIED);
    assert_int_equal(s.actor, BM_ACTOR_APPROVER);
}

/* Without a sign-off, the handler's decision completes the case. */
static void
test_one_step_decision(void **state)
{
    struct bm_case_state s = draft(false);

    (void)state;
    ok(&s, BM_ACT_SUBMIT);
    ok(&s, BM_ACT_ACCEPT);
    ok(&s, BM_ACT_DENY); /* 即办件: decided on acceptance */
    assert_int_equal(s.status, BM_CASE_COMPLETED);
    assert_int_equal(s.decision, BM_DECISION_DENIED);
    assert_int_equal(s.proposed, BM_DECISION_NONE);
    assert_int_equal(s.actor, BM_ACTOR_BACK);
    ok(&s, BM_ACT_DELIVER);
    assert_int_equal(s.status, BM_CASE_DELIVERED);
    assert_int_equal(s.actor, BM_ACTOR_FRONT);
    assert_true(bm_case_is_terminal(s.status));
}

/* 受理后补正 pauses the clock and comes back to exactly where it left, resume cannot end it. */
static void
test_supplement_after_acceptance(void **state)
{
    struct bm_case_state s = draft(true);

    (void)state;
    ok(&s, BM_ACT_SUBMIT);
    ok(&s, BM_ACT_ACCEPT);
    ok(&s, BM_ACT_REQUEST_SUPPLEMENT);
    assert_int_equal(s.status, BM_CASE_SUSPENDED);
    assert_int_equal(s.suspend_kind, BM_SUSPEND_SUPPLEMENT);
    assert_int_equal(s.resume_status, BM_CASE_ACCEPTED);
    assert_int_equal(s.actor, BM_ACTOR_BACK);
    assert_false(bm_case_clock_runs(s.status));
    ok(&s, BM_ACT_SUPPLEMENT);
    assert_int_equal(s.status, BM_CASE_ACCEPTED);
    assert_int_equal(s.suspend_kind, BM_SUSPEND_NONE);
    assert_true(bm_case_clock_runs(s.status));

    ok(&s, BM_ACT_ASSIGN);
    ok(&s, BM_ACT_REQUEST_SUPPLEMENT);
    assert_int_equal(s.resume_status, BM_CASE_PROCESSING);
    assert_int_equal(s.resume_stage, BM_STAGE_HANDLING);
    assert_int_equal(s.stage, BM_STAGE_NONE);
    refused_illegal(&s, BM_ACT_RESUME); /* it ends with the supplement */
    refused_illegal(&s, BM_ACT_SUSPEND);
    refused_illegal(&s, BM_ACT_REQUEST_SUPPLEMENT);
    refused_illegal(&s, BM_ACT_APPROVE);
    refused_illegal(&s, BM_ACT_ASSIGN);
    ok(&s, BM_ACT_SUPPLEMENT);
    assert_int_equal(s.status, BM_CASE_PROCESSING);
    assert_int_equal(s.stage, BM_STAGE_HANDLING);
    assert_true(s.has_handler);

    /* From the approver's desk, the proposal survives the pause. */
    ok(&s, BM_ACT_APPROVE);
    ok(&s, BM_ACT_REQUEST_SUPPLEMENT);
    assert_int_equal(s.resume_stage, BM_STAGE_APPROVING);
    assert_int_equal(s.proposed, BM_DECISION_APPROVED);
    ok(&s, BM_ACT_SUPPLEMENT);
    assert_int_equal(s.status, BM_CASE_PROCESSING);
    assert_int_equal(s.stage, BM_STAGE_APPROVING);
    assert_int_equal(s.proposed, BM_DECISION_APPROVED);
    assert_int_equal(s.resume_status, BM_CASE_DRAFT); /* cleared once no longer suspended */
    assert_int_equal(s.resume_stage, BM_STAGE_NONE);
    ok(&s, BM_ACT_APPROVE);
    assert_int_equal(s.status, BM_CASE_COMPLETED);
    assert_int_equal(s.decision, BM_DECISION_APPROVED);
}

/* 特别程序 (行政许可法 art. 45): resume returns to the saved state and stage. */
static void
test_special_procedure(void **state)
{
    struct bm_case_state s = draft(true);

    (void)state;
    ok(&s, BM_ACT_SUBMIT);
    ok(&s, BM_ACT_ACCEPT);
    ok(&s, BM_ACT_SUSPEND);
    assert_int_equal(s.status, BM_CASE_SUSPENDED);
    assert_int_equal(s.suspend_kind, BM_SUSPEND_PROCEDURE);
    assert_int_equal(s.resume_status, BM_CASE_ACCEPTED);
    assert_int_equal(s.resume_stage, BM_STAGE_NONE);
    refused_illegal(&s, BM_ACT_SUPPLEMENT); /* a procedure ends with resume */
    refused_illegal(&s, BM_ACT_SUSPEND);
    ok(&s, BM_ACT_RESUME);
    assert_int_equal(s.status, BM_CASE_ACCEPTED);
    assert_int_equal(s.suspend_kind, BM_SUSPEND_NONE);
    assert_int_equal(s.actor, BM_ACTOR_BACK);

    ok(&s, BM_ACT_ASSIGN);
    ok(&s, BM_ACT_SUSPEND);
    assert_int_equal(s.resume_status, BM_CASE_PROCESSING);
    assert_int_equal(s.resume_stage, BM_STAGE_HANDLING);
    ok(&s, BM_ACT_RESUME);
    assert_int_equal(s.status, BM_CASE_PROCESSING);
    assert_int_equal(s.stage, BM_STAGE_HANDLING);

    ok(&s, BM_ACT_DENY); /* proposes denial to the approver */
    ok(&s, BM_ACT_SUSPEND); /* e.g. an expert review the approver asked for */
    assert_int_equal(s.resume_stage, BM_STAGE_APPROVING);
    assert_int_equal(s.stage, BM_STAGE_NONE);
    assert_int_equal(s.proposed, BM_DECISION_DENIED);
    ok(&s, BM_ACT_RESUME);
    assert_int_equal(s.status, BM_CASE_PROCESSING);
    assert_int_equal(s.stage, BM_STAGE_APPROVING);
    assert_int_equal(s.proposed, BM_DECISION_DENIED);
    ok(&s, BM_ACT_SEND_BACK);
    assert_int_equal(s.stage, BM_STAGE_HANDLING);
    assert_int_equal(s.proposed, BM_DECISION_NONE);

    /* Withdrawing or voiding while suspended leaves no pause behind. */
    ok(&s, BM_ACT_SUSPEND);
    ok(&s, BM_ACT_WITHDRAW);
    assert_int_equal(s.status, BM_CASE_WITHDRAWN);
    assert_int_equal(s.suspend_kind, BM_SUSPEND_NONE);
    assert_int_equal(s.resume_status, BM_CASE_DRAFT);
    assert_int_equal(s.resume_stage, BM_STAGE_NONE);
    assert_int_equal(s.stage, BM_STAGE_NONE);
}

/* A damaged record (no kind, or a saved state no case is suspended from) does not resume. */
static void
test_damaged_suspension(void **state)
{
    struct bm_case_state s = {
        .status = BM_CASE_SUSPENDED,
        .resume_status = BM_CASE_ACCEPTED,
        .suspend_kind = BM_SUSPEND_NONE,
    };

    (void)state;
    refused_illegal(&s, BM_ACT_RESUME);
    refused_illegal(&s, BM_ACT_SUPPLEMENT);
    s.suspend_kind = BM_SUSPEND_PROCEDURE;
    s.resume_status = BM_CASE_COMPLETED;
    refused_illegal(&s, BM_ACT_RESUME);
    s.resume_status = BM_CASE_SUSPENDED;
    refused_illegal(&s, BM_ACT_RESUME);
    s.suspend_kind = BM_SUSPEND_SUPPLEMENT;
    s.resume_status = BM_CASE_DRAFT;
    refused_illegal(&s, BM_ACT_SUPPLEMENT);
    /* It can still be cleaned up. */
    ok(&s, BM_ACT_VOID);
    assert_int_equal(s.status, BM_CASE_VOID);
    assert_int_equal(s.suspend_kind, BM_SUSPEND_NONE);
}

/* 转办: back to routing without a handler; the new unit assigns its own. */
static void
test_transfer_and_forward(void **state)
{
    struct bm_case_state s = draft(false);

    (void)state;
    ok(&s, BM_ACT_SUBMIT);
    ok(&s, BM_ACT_ACCEPT);
    ok(&s, BM_ACT_ASSIGN);
    assert_true(s.has_handler);
    ok(&s, BM_ACT_ASSIGN); /* reassignment inside the unit */
    assert_int_equal(s.status, BM_CASE_PROCESSING);
    assert_int_equal(s.stage, BM_STAGE_HANDLING);
    ok(&s, BM_ACT_TRANSFER);
    assert_int_equal(s.status, BM_CASE_ACCEPTED);
    assert_int_equal(s.stage, BM_STAGE_NONE);
    assert_false(s.has_handler);
    assert_int_equal(s.actor, BM_ACTOR_BACK);
    ok(&s, BM_ACT_ASSIGN);
    assert_true(s.has_handler);

    /* 上报件: the upper body decides; the back office records its result. */
    ok(&s, BM_ACT_FORWARD);
    assert_int_equal(s.status, BM_CASE_FORWARDED);
    assert_int_equal(s.stage, BM_STAGE_NONE);
    assert_true(bm_case_clock_runs(s.status));
    refused_illegal(&s, BM_ACT_SUSPEND);
    refused_illegal(&s, BM_ACT_ASSIGN);
    refused_illegal(&s, BM_ACT_FORWARD);
    s.needs_approval = true; /* the upper body's decision needs no local sign-off */
    ok(&s, BM_ACT_DENY);
    assert_int_equal(s.status, BM_CASE_COMPLETED);
    assert_int_equal(s.decision, BM_DECISION_DENIED);
    assert_int_equal(s.actor, BM_ACTOR_BACK);
    ok(&s, BM_ACT_DELIVER);
    ok(&s, BM_ACT_VOID);
    assert_int_equal(s.status, BM_CASE_VOID);
    assert_int_equal(s.decision, BM_DECISION_DENIED);
    assert_int_equal(s.actor, BM_ACTOR_ADMIN);
}

/* Every step of a case with everything in it, with who did it. */
static void
test_happy_path(void **state)
{
    static const struct {
        enum bm_case_action act;
        enum bm_case_status status;
        enum bm_case_stage stage;
        enum bm_case_actor actor;
    } steps[] = {
        {BM_ACT_SUBMIT, BM_CASE_SUBMITTED, BM_STAGE_NONE, BM_ACTOR_APPLICANT},
        {BM_ACT_REQUEST_SUPPLEMENT, BM_CASE_SUPPLEMENT_REQUESTED, BM_STAGE_NONE, BM_ACTOR_FRONT},
        {BM_ACT_SUPPLEMENT, BM_CASE_SUBMITTED, BM_STAGE_NONE, BM_ACTOR_FRONT},
        {BM_ACT_ACCEPT, BM_CASE_ACCEPTED, BM_STAGE_NONE, BM_ACTOR_FRONT},
        {BM_ACT_ASSIGN, BM_CASE_PROCESSING, BM_STAGE_HANDLING, BM_ACTOR_BACK},
        {BM_ACT_REQUEST_SUPPLEMENT, BM_CASE_SUSPENDED, BM_STAGE_NONE, BM_ACTOR_BACK},
        {BM_ACT_SUPPLEMENT, BM_CASE_PROCESSING, BM_STAGE_HANDLING, BM_ACTOR_BACK},
        {BM_ACT_SUSPEND, BM_CASE_SUSPENDED, BM_STAGE_NONE, BM_ACTOR_BACK},
        {BM_ACT_EXTEND, BM_CASE_SUSPENDED, BM_STAGE_NONE, BM_ACTOR_APPROVER},
        {BM_ACT_RESUME, BM_CASE_PROCESSING, BM_STAGE_HANDLING, BM_ACTOR_BACK},
        {BM_ACT_APPROVE, BM_CASE_PROCESSING, BM_STAGE_APPROVING, BM_ACTOR_BACK},
        {BM_ACT_SEND_BACK, BM_CASE_PROCESSING, BM_STAGE_HANDLING, BM_ACTOR_APPROVER},
        {BM_ACT_APPROVE, BM_CASE_PROCESSING, BM_STAGE_APPROVING, BM_ACTOR_BACK},
        {BM_ACT_APPROVE, BM_CASE_COMPLETED, BM_STAGE_NONE, BM_ACTOR_APPROVER},
        {BM_ACT_DELIVER, BM_CASE_DELIVERED, BM_STAGE_NONE, BM_ACTOR_FRONT},
    };
    struct bm_case_state s = draft(true);

    (void)state;
    s.materials_complete = false;
    for (size_t i = 0; i < N(steps); i++) {
        if (steps[i].act == BM_ACT_ACCEPT)
            s.materials_complete = true; /* the supplement brought the missing material */
        ok(&s, steps[i].act);
        if (s.status != steps[i].status || s.stage != steps[i].stage ||
            s.actor != steps[i].actor)
            fail_msg("step %zu (%s): %s/%d by %d", i, action_code(steps[i].act),
                     status_code(s.status), (int)s.stage, (int)s.actor);
    }
    assert_int_equal(s.decision, BM_DECISION_APPROVED);
    assert_int_equal(s.supplement_requests, 1);
    assert_true(s.is_extended);
    assert_true(s.has_handler);
    assert_true(bm_case_is_terminal(s.status));
    /* From a terminal state only voiding remains. */
    for (int a = 0; a < BM_CASE_ACTION_COUNT; a++)
        if (a != BM_ACT_VOID)
            refused_illegal(&s, (enum bm_case_action)a);
    ok(&s, BM_ACT_VOID);
    for (int a = 0; a < BM_CASE_ACTION_COUNT; a++)
        refused_illegal(&s, (enum bm_case_action)a);
}

/* The end states before a decision: refused, returned, withdrawn. */
static void
test_early_ends(void **state)
{
    struct bm_case_state s = draft(false);

    (void)state;
    ok(&s, BM_ACT_WITHDRAW);
    assert_int_equal(s.status, BM_CASE_WITHDRAWN);
    assert_int_equal(s.actor, BM_ACTOR_APPLICANT);

    s = draft(false);
    ok(&s, BM_ACT_SUBMIT);
    ok(&s, BM_ACT_REJECT);
    assert_int_equal(s.status, BM_CASE_REJECTED);
    assert_int_equal(s.actor, BM_ACTOR_FRONT);

    s = draft(false);
    ok(&s, BM_ACT_SUBMIT);
    ok(&s, BM_ACT_REQUEST_SUPPLEMENT);
    ok(&s, BM_ACT_RETURN);
    assert_int_equal(s.status, BM_CASE_RETURNED);
    assert_int_equal(s.actor, BM_ACTOR_FRONT);

    s = draft(false);
    ok(&s, BM_ACT_SUBMIT);
    ok(&s, BM_ACT_REQUEST_SUPPLEMENT);
    ok(&s, BM_ACT_REJECT);
    assert_int_equal(s.status, BM_CASE_REJECTED);

    /* Once decided, the applicant can no longer withdraw. */
    s = draft(false);
    ok(&s, BM_ACT_SUBMIT);
    ok(&s, BM_ACT_ACCEPT);
    ok(&s, BM_ACT_APPROVE);
    refused_illegal(&s, BM_ACT_WITHDRAW);
}

/* ---- predicates ----------------------------------------------------------------------- */

static void
test_predicates(void **state)
{
    static const struct {
        enum bm_case_status s;
        bool terminal, clock;
    } statuses[] = {
        {BM_CASE_DRAFT, false, false},
        {BM_CASE_SUBMITTED, false, false},
        {BM_CASE_SUPPLEMENT_REQUESTED, false, false},
        {BM_CASE_ACCEPTED, false, true},
        {BM_CASE_PROCESSING, false, true},
        {BM_CASE_SUSPENDED, false, false},
        {BM_CASE_FORWARDED, false, true},
        {BM_CASE_COMPLETED, false, false},
        {BM_CASE_DELIVERED, true, false},
        {BM_CASE_REJECTED, true, false},
        {BM_CASE_RETURNED, true, false},
        {BM_CASE_WITHDRAWN, true, false},
        {BM_CASE_VOID, true, false},
    };
    static const bool reason[BM_CASE_ACTION_COUNT] = {
        [BM_ACT_REJECT] = true, [BM_ACT_TRANSFER] = true, [BM_ACT_SUSPEND] = true,
        [BM_ACT_EXTEND] = true, [BM_ACT_DENY] = true,     [BM_ACT_RETURN] = true,
        [BM_ACT_VOID] = true,   [BM_ACT_SEND_BACK] = true,
    };

    (void)state;
    assert_int_equal(N(statuses), BM_CASE_STATUS_COUNT);
    for (size_t i = 0; i < N(statuses); i++) {
        assert_int_equal(statuses[i].s, (int)i);
        if (bm_case_is_terminal(statuses[i].s) != statuses[i].terminal)
            fail_msg("terminal(%s)", status_code(statuses[i].s));
        if (bm_case_clock_runs(statuses[i].s) != statuses[i].clock)
            fail_msg("clock_runs(%s)", status_code(statuses[i].s));
        /* A status is never both terminal and counting. */
        assert_false(statuses[i].terminal && statuses[i].clock);
    }
    for (int a = 0; a < BM_CASE_ACTION_COUNT; a++)
        if (bm_case_action_needs_reason((enum bm_case_action)a) != reason[a])
            fail_msg("needs_reason(%s)", action_code((enum bm_case_action)a));
    /* The count sentinels are not statuses or actions. */
    assert_false(bm_case_is_terminal(BM_CASE_STATUS_COUNT));
    assert_false(bm_case_clock_runs(BM_CASE_STATUS_COUNT));
    assert_false(bm_case_action_needs_reason(BM_CASE_ACTION_COUNT));
}

/* Terminal states accept nothing but void (and void nothing at all). */
static void
test_terminal_states_are_final(void **state)
{
    (void)state;
    for (int st = 0; st < BM_CASE_STATUS_COUNT; st++) {
        struct bm_case_state s = {.status = (enum bm_case_status)st, .materials_complete = true};

        if (!bm_case_is_terminal(s.status))
            continue;
        for (int a = 0; a < BM_CASE_ACTION_COUNT; a++) {
            struct bm_case_state t = s;

            if (a == BM_ACT_VOID && st != BM_CASE_VOID)
                ok(&t, (enum bm_case_action)a);
            else
                refused_illegal(&t, (enum bm_case_action)a);
        }
    }
}

/* ---- case numbers --------------------------------------------------------------------- */

static bool
ref_date_ok(int y, int m, int d)
{
    int dim;

    if (y < 2000 || y > 2100 || m < 1 || m > 12)
        return false;
    if (m == 2)
        dim = (y % 400 == 0 || (y % 4 == 0 && y % 100 != 0)) ? 29 : 28;
    else
        dim = (m == 4 || m == 6 || m == 9 || m == 11) ? 30 : 31;
    return d >= 1 && d <= dim;
}

static void
test_case_no_format(void **state)
{
    char out[27];

    (void)state;
    /* The example of docs/domain.md 2.7. */
    assert_true(bm_case_no_format("110118102000", 2025, 9, 26, 17, out));
    assert_string_equal(out, "11011810200020250926000017");
    assert_true(bm_case_no_valid(out));

    assert_true(bm_case_no_format("000000000000", 2000, 1, 1, 1, out));
    assert_string_equal(out, "00000000000020000101000001");
    assert_true(bm_case_no_format("999999999999", 2100, 12, 31, 999999, out));
    assert_string_equal(out, "99999999999921001231999999");
    assert_true(bm_case_no_format("330106001000", 2024, 2, 29, 100000, out));
    assert_string_equal(out, "33010600100020240229100000");
}

static void
test_case_no_format_refused(void **state)
{
    static const struct {
        const char *town;
        int y, m, d, seq;
    } bad[] = {
        /* town code */
        {NULL, 2025, 9, 26, 1},
        {"", 2025, 9, 26, 1},
        {"11011810200", 2025, 9, 26, 1},
        {"1101181020000", 2025, 9, 26, 1},
        {"11011810200A", 2025, 9, 26, 1},
        {"11011810200 ", 2025, 9, 26, 1},
        {" 11011810200", 2025, 9, 26, 1},
        {"-11011810200", 2025, 9, 26, 1},
        {"１１０１１８１０２０", 2025, 9, 26, 1}, /* full-width digits: 30 bytes */
        /* sequence */
        {"110118102000", 2025, 9, 26, 0},
        {"110118102000", 2025, 9, 26, -1},
        {"110118102000", 2025, 9, 26, 1000000},
        {"110118102000", 2025, 9, 26, 2147483647},
        /* date */
        {"110118102000", 1999, 12, 31, 1},
        {"110118102000", 2101, 1, 1, 1},
        {"110118102000", 0, 1, 1, 1},
        {"110118102000", -2025, 1, 1, 1},
        {"110118102000", 20250, 1, 1, 1},
        {"110118102000", 2025, 0, 1, 1},
        {"110118102000", 2025, 13, 1, 1},
        {"110118102000", 2025, -1, 1, 1},
        {"110118102000", 2025, 1, 0, 1},
        {"110118102000", 2025, 1, 32, 1},
        {"110118102000", 2025, 1, -1, 1},
        {"110118102000", 2025, 2, 29, 1},
        {"110118102000", 2100, 2, 29, 1}, /* 2100 is not a leap year */
        {"110118102000", 2025, 4, 31, 1},
        {"110118102000", 2025, 2, 30, 1},
    };

    (void)state;
    for (size_t i = 0; i < N(bad); i++) {
        char out[27];

        memset(out, 'x', sizeof(out));
        if (bm_case_no_format(bad[i].town, bad[i].y, bad[i].m, bad[i].d, bad[i].seq, out))
            fail_msg("case %zu accepted: %.26s", i, out);
        /* out is written only on success */
        for (size_t k = 0; k < sizeof(out); k++)
            assert_int_equal(out[k], 'x');
    }
}

/* Every date from 1999 to 2101, with day and month just out of range, agrees with a reference. */
static void
test_case_no_dates(void **state)
{
    int n_ok = 0;

    (void)state;
    for (int y = 1999; y <= 2101; y++) {
        for (int m = 0; m <= 13; m++) {
            for (int d = 0; d <= 32; d++) {
                char out[27], text[64];
                bool want = ref_date_ok(y, m, d);
                bool got = bm_case_no_format("110118102000", y, m, d, 17, out);

                if (got != want)
                    fail_msg("format %04d-%02d-%02d: %d, want %d", y, m, d, got, want);
                /* The same date written into a number directly. */
                if (m <= 12 && d <= 31) {
                    snprintf(text, sizeof(text), "110118102000%04d%02d%02d000017", y, m, d);
                    if (bm_case_no_valid(text) != want)
                        fail_msg("valid %s: want %d", text, want);
                }
                if (got) {
                    assert_true(bm_case_no_valid(out));
                    assert_int_equal(strlen(out), 26);
                    n_ok++;
                }
            }
        }
    }
    /* 101 years of 365 days, plus 25 leap days (2000 is one, 2100 is not). */
    assert_int_equal(n_ok, 101 * 365 + 25);
}

static void
test_case_no_valid(void **state)
{
    static const struct {
        const char *no;
        bool ok;
    } cases[] = {
        {"11011810200020250926000017", true},
        {"00000000000020000101000001", true},
        {"99999999999921001231999999", true},
        {"11011810200020240229000001", true},
        {"11011810200020000229000001", true},
        {NULL, false},
        {"", false},
        {"1101181020002025092600001", false},   /* 25 digits */
        {"110118102000202509260000170", false}, /* 27 digits */
        {"11011810200020250926000000", false},  /* sequence 0 */
        {"1101181020002025092600001A", false},
        {"A1011810200020250926000017", false},
        {"11011810200020250926 00017", false},
        {"11011810200020250926-00017", false},
        {"+1011810200020250926000017", false},
        {" 11011810200020250926000017", false},
        {"11011810200020250926000017\n", false},
        {"11011810200019991231000017", false}, /* year out of range */
        {"11011810200021010101000017", false},
        {"11011810200020250001000017", false}, /* month 00 */
        {"11011810200020251301000017", false}, /* month 13 */
        {"11011810200020250900000017", false}, /* day 00 */
        {"11011810200020250932000017", false}, /* day 32 */
        {"11011810200020250931000017", false}, /* September has 30 days */
        {"11011810200020250229000017", false},
        {"11011810200021000229000017", false},
        {"１１０１１８１０２０００２０２５", false}, /* full-width digits */
    };

    (void)state;
    for (size_t i = 0; i < N(cases); i++)
        if (bm_case_no_valid(cases[i].no) != cases[i].ok)
            fail_msg("\"%s\": want %d", cases[i].no ? cases[i].no : "(null)", cases[i].ok);
}

/* Every sequence digit position and the whole sequence range round-trip. */
static void
test_case_no_sequences(void **state)
{
    static const int seqs[] = {1, 9, 10, 99, 100, 999, 1000, 9999, 10000, 99999, 100000, 999999};

    (void)state;
    for (size_t i = 0; i < N(seqs); i++) {
        char out[27], want[40];

        assert_true(bm_case_no_format("110118102000", 2025, 9, 26, seqs[i], out));
        snprintf(want, sizeof(want), "11011810200020250926%06d", seqs[i]);
        assert_string_equal(out, want);
        assert_true(bm_case_no_valid(out));
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_code_tables),
        cmocka_unit_test(test_every_action_from_every_state),
        cmocka_unit_test(test_every_status_swept),
        cmocka_unit_test(test_illegal_message),
        cmocka_unit_test(test_null_err),
        cmocka_unit_test(test_guard_materials),
        cmocka_unit_test(test_guard_one_notice),
        cmocka_unit_test(test_guard_one_extension),
        cmocka_unit_test(test_two_step_approval),
        cmocka_unit_test(test_one_step_decision),
        cmocka_unit_test(test_supplement_after_acceptance),
        cmocka_unit_test(test_special_procedure),
        cmocka_unit_test(test_damaged_suspension),
        cmocka_unit_test(test_transfer_and_forward),
        cmocka_unit_test(test_happy_path),
        cmocka_unit_test(test_early_ends),
        cmocka_unit_test(test_predicates),
        cmocka_unit_test(test_terminal_states_are_final),
        cmocka_unit_test(test_case_no_format),
        cmocka_unit_test(test_case_no_format_refused),
        cmocka_unit_test(test_case_no_dates),
        cmocka_unit_test(test_case_no_valid),
        cmocka_unit_test(test_case_no_sequences),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
