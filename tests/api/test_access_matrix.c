/*
 * The access matrix: every route of the route table (src/api/routes.c, linked in so that a
 * new route without a row here fails the suite), called by an anonymous caller, every role
 * of 西田各庄镇 (township A), the same roles of 溪翁庄镇 (township B, the wrong township),
 * a handler of a county department (人社局, outside the township too), the county-wide
 * roles and a citizen, on real objects of township A. The expected answer
 * comes from ONE table below (`rows`), written from the user guide (docs/guide) and not
 * from core/access.c: it is the specification, and docs/access.md is printed from it
 * (`test_access_matrix --markdown`).
 *
 * A store holds one county (`bianmin init` refuses a second), so there is no caller from
 * another county; the wrong township stands for every out-of-scope caller.
 *
 * Mutating calls send a body every handler refuses ({"matrix_probe": true}: an unknown
 * field, and required fields missing) or lack the If-Match a change needs, so the table's
 * answers do not depend on the order of the calls. The few writes that act all the same
 * (listed as "acted" in the output) act on objects made for this suite (a draft item, a
 * deputy, a publication, an API token), or recompute (an evaluation's trial run); callers
 * are tried in the order of enum caller, those refused before those allowed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "api/routes.h"
#include "client.h"

#define PW "Bianmin2026"
#define PROBE "{\"matrix_probe\":true}"

static struct server srv;

/* ---- callers ---- */

enum caller {
    ANON,
    CITIZEN,
    B_CLERK,
    B_HANDLER,
    B_APPROVER,
    B_TADMIN,
    D_HANDLER,
    A_CLERK,
    A_HANDLER,
    A_APPROVER,
    A_TADMIN,
    SUPERVISOR,
    EVALUATOR,
    AUDITOR,
    C_ADMIN,
    N_CALLERS
};

/* Role bits of the table (independent of core/roles.h). */
enum {
    CIT = 1u << 0,
    CLK = 1u << 1,
    HND = 1u << 2,
    APR = 1u << 3,
    SUP = 1u << 4,
    TAD = 1u << 5,
    CAD = 1u << 6,
    EVA = 1u << 7,
    AUD = 1u << 8,
    PUB = 1u << 9,   /* anyone, anonymous included */
};
#define LOGIN (CIT | CLK | HND | APR | SUP | TAD | CAD | EVA | AUD)
#define STAFF (LOGIN & ~CIT)
#define CASE_READERS (CLK | HND | APR | SUP | TAD | CAD | AUD)
#define PART_READ (TAD | CAD | SUP)
#define PART_WRITE (TAD | CAD)
#define DISC_READ (TAD | CAD | SUP | AUD)
#define DISC_WRITE (TAD | CAD)
#define EVAL_READ (EVA | CAD | SUP | TAD)
#define EVAL_MANAGE (EVA | CAD)

static const struct {
    const char *username, *name;
    unsigned role;
    char town; /* 'A', 'B', 'D' (a county department), or 0 for county-wide roles and citizens */
} callers[N_CALLERS] = {
    [ANON] = {NULL, "anonymous", 0, 0},
    [CITIZEN] = {"citizen", "citizen", CIT, 0},
    [B_CLERK] = {"xwz_clerk", "clerk B", CLK, 'B'},
    [B_HANDLER] = {"acc_xw_handler", "handler B", HND, 'B'},
    [B_APPROVER] = {"acc_xw_approver", "approver B", APR, 'B'},
    [B_TADMIN] = {"xwz_admin", "township admin B", TAD, 'B'},
    [D_HANDLER] = {"rsj_handler", "dept handler", HND, 'D'},
    [A_CLERK] = {"xtgz_clerk", "clerk A", CLK, 'A'},
    [A_HANDLER] = {"xtgz_handler", "handler A", HND, 'A'},
    [A_APPROVER] = {"xtgz_approver", "approver A", APR, 'A'},
    [A_TADMIN] = {"xtgz_admin", "township admin A", TAD, 'A'},
    [SUPERVISOR] = {"supervisor", "supervisor", SUP, 0},
    [EVALUATOR] = {"evaluator", "evaluator", EVA, 0},
    [AUDITOR] = {"auditor", "auditor", AUD, 0},
    [C_ADMIN] = {"admin", "county admin", CAD, 0},
};
static struct session ss[N_CALLERS];

/* ---- the table ---- */

enum {
    T = 1u << 0,      /* the object belongs to township A: callers of other units get 404 */
    D404 = 1u << 1,   /* callers past the gate but not allowed get 404 (may not see it), not 403 */
    CIT404 = 1u << 2, /* a citizen past the gate gets 404 (not their own object) */
    M404 = 1u << 3,   /* an allowed caller may get 404 (a query code or a state the probe lacks) */
    FRESH = 1u << 4,  /* the call ends the caller's session: use a session of its own */
    UPLOAD = 1u << 5, /* the body is a file */
};

/*
 * One route. `roles` may use it on the fixture object; `gate` (when not 0) is the wider set
 * of roles the route lets in before the handler looks at the object: those outside `roles`
 * but inside `gate` are refused by the handler (403, or 404 with D404/CIT404).
 */
struct row {
    const char *label; /* the route's label in routes.c */
    const char *path;  /* the route's pattern with {fixture} names for its parameters */
    unsigned roles;    /* who may: role bits, PUB for everyone */
    unsigned flags;
    const char *note;  /* for docs/access.md */
    unsigned gate;
};

static const struct row rows[] = {
    /* operations and session */
    {"GET /healthz", "/healthz", PUB, 0, "", 0},
    {"GET /readyz", "/readyz", PUB, 0, "", 0},
    {"GET /metrics", "/metrics", PUB, 0, "", 0},
    {"GET /api/v1/enums", "/api/v1/enums", PUB, 0, "", 0},
    {"POST /api/v1/session", "/api/v1/session", PUB, 0, "log in", 0},
    {"DELETE /api/v1/session", "/api/v1/session", LOGIN, FRESH, "log out", 0},
    {"GET /api/v1/me", "/api/v1/me", LOGIN, 0, "", 0},
    {"POST /api/v1/me/password", "/api/v1/me/password", LOGIN, 0, "", 0},
    /* organisation, users, tokens */
    {"GET /api/v1/org-units", "/api/v1/org-units", LOGIN, 0, "the whole county", 0},
    {"POST /api/v1/org-units", "/api/v1/org-units", CAD | TAD, 0,
     "township admin: units under their township", 0},
    {"GET /api/v1/org-units/{id}", "/api/v1/org-units/{office}", LOGIN, 0, "", 0},
    {"PATCH /api/v1/org-units/{id}", "/api/v1/org-units/{office}", CAD | TAD, T,
     "township admin: units under their township", 0},
    {"GET /api/v1/users", "/api/v1/users",
     CAD | TAD, 0, "township admin: their township's users", 0},
    {"POST /api/v1/users", "/api/v1/users", CAD | TAD, 0,
     "township admin: clerk, handler, approver, township admin", 0},
    {"GET /api/v1/users/{id}", "/api/v1/users/{user}", CAD | TAD, T, "", 0},
    {"PATCH /api/v1/users/{id}", "/api/v1/users/{user}", CAD | TAD, T, "", 0},
    {"GET /api/v1/api-tokens", "/api/v1/api-tokens", CAD, 0, "", 0},
    {"POST /api/v1/api-tokens", "/api/v1/api-tokens", CAD, 0, "", 0},
    {"DELETE /api/v1/api-tokens/{id}", "/api/v1/api-tokens/{token}", CAD, 0, "", 0},
    /* catalog */
    {"GET /api/v1/items", "/api/v1/items", PUB, 0, "drafts: administrators, in their scope", 0},
    {"POST /api/v1/items", "/api/v1/items",
     CAD | TAD, 0, "township admin: their township's items", 0},
    {"GET /api/v1/items/{id}", "/api/v1/items/{draft}", CAD | TAD, T | D404,
     "published items: everyone; drafts (tested here): administrators in scope", PUB},
    {"PATCH /api/v1/items/{id}", "/api/v1/items/{draft}", CAD | TAD, T, "", 0},
    {"POST /api/v1/items/{id}/publish", "/api/v1/items/{draft}/publish", CAD, 0, "", 0},
    {"POST /api/v1/items/{id}/retire", "/api/v1/items/{draft}/retire", CAD, 0, "", 0},
    {"GET /api/v1/items/{id}/versions", "/api/v1/items/{item}/versions", PUB, 0, "", 0},
    {"GET /api/v1/delegations", "/api/v1/delegations", PUB, 0, "", 0},
    {"POST /api/v1/delegations", "/api/v1/delegations", CAD, 0, "", 0},
    {"GET /api/v1/delegations/{id}", "/api/v1/delegations/{delegation}", PUB, 0, "", 0},
    {"POST /api/v1/delegations/{id}/revoke", "/api/v1/delegations/{delegation}/revoke", CAD, 0,
     "", 0},
    {"GET /api/v1/powers", "/api/v1/powers", PUB, 0, "", 0},
    {"POST /api/v1/powers", "/api/v1/powers", CAD, 0, "", 0},
    {"GET /api/v1/powers/{id}", "/api/v1/powers/{power}", PUB, 0, "", 0},
    {"PATCH /api/v1/powers/{id}", "/api/v1/powers/{power}", CAD, 0, "", 0},
    {"GET /api/v1/catalog/export", "/api/v1/catalog/export", CAD | TAD, 0, "", 0},
    {"POST /api/v1/catalog/import", "/api/v1/catalog/import", CAD, UPLOAD,
     "a catalog file, all or nothing", 0},
    /* cases */
    {"POST /api/v1/cases", "/api/v1/cases", CLK | CIT, 0, "clerk at a window; citizen online", 0},
    {"GET /api/v1/cases", "/api/v1/cases", CASE_READERS, 0,
     "township roles: their township's cases", 0},
    {"GET /api/v1/supervision/warnings", "/api/v1/supervision/warnings", CASE_READERS, 0, "", 0},
    {"GET /api/v1/stats/cases", "/api/v1/stats/cases", SUP | CAD | EVA | AUD | TAD, 0,
     "township admin: their township", 0},
    {"GET /api/v1/supervision/records", "/api/v1/supervision/records", CASE_READERS, 0, "", 0},
    {"POST /api/v1/supervision/records", "/api/v1/supervision/records", SUP | CAD, 0, "", 0},
    {"GET /api/v1/supervision/records/{id}", "/api/v1/supervision/records/{sup}", CASE_READERS, T,
     "", 0},
    {"POST /api/v1/supervision/records/{id}/actions", "/api/v1/supervision/records/{sup}/actions",
     CASE_READERS, T, "which actions: the record's unit answers, the supervisor decides", 0},
    {"GET /api/v1/cases/{case_no}", "/api/v1/cases/{case}", CASE_READERS, T | D404,
     "citizen: their own cases", LOGIN},
    {"POST /api/v1/cases/{case_no}/actions", "/api/v1/cases/{case}/actions",
     CLK | HND | APR | CAD, T | CIT404,
     "which actions: front desk, back office, approver, county admin; applicant: own case",
     CLK | HND | APR | CAD | CIT},
    {"GET /api/v1/cases/{case_no}/assignees", "/api/v1/cases/{case}/assignees", HND,
     T | CIT404, "the handling side: the handlers an assign may name", CLK | HND | APR | CAD | CIT},
    {"POST /api/v1/cases/{case_no}/attachments", "/api/v1/cases/{case}/attachments", CLK | HND,
     T | CIT404 | UPLOAD, "until the case ends; applicant: own case", CLK | HND | APR | CAD | CIT},
    {"GET /api/v1/cases/{case_no}/attachments/{id}",
     "/api/v1/cases/{case}/attachments/{attachment}",
     CASE_READERS, T | D404, "who may see the case", LOGIN},
    {"GET /api/v1/cases/{case_no}/documents/{kind}", "/api/v1/cases/{case}/documents/receipt",
     CASE_READERS, T | D404, "who may see the case", LOGIN},
    {"POST /api/v1/public/cases", "/api/v1/public/cases", CIT, 0, "online application", LOGIN},
    {"GET /api/v1/public/my-cases", "/api/v1/public/my-cases", LOGIN, 0,
     "a citizen's online applications (staff: an empty list)", 0},
    {"GET /api/v1/public/cases/{case_no}", "/api/v1/public/cases/{case}", PUB, M404,
     "with the query code", 0},
    {"GET /api/v1/calendar", "/api/v1/calendar", PUB, 0, "", 0},
    {"GET /api/v1/calendar/{year}", "/api/v1/calendar/2026", PUB, 0, "", 0},
    {"PUT /api/v1/calendar/{year}", "/api/v1/calendar/2026", CAD, 0, "", 0},
    {"GET /api/v1/audit", "/api/v1/audit", CAD | AUD, 0, "", 0},
    {"GET /api/v1/audit/verify", "/api/v1/audit/verify", CAD | AUD, 0, "", 0},
    /* participation */
    {"GET /api/v1/campaigns", "/api/v1/campaigns",
     PART_READ, 0, "township admin: their township", 0},
    {"POST /api/v1/campaigns", "/api/v1/campaigns", PART_WRITE, 0, "", 0},
    {"GET /api/v1/campaigns/{id}/submissions", "/api/v1/campaigns/{campaign}/submissions",
     PART_READ, T, "", 0},
    {"POST /api/v1/campaigns/{id}/submissions/{sid}/response",
     "/api/v1/campaigns/{campaign}/submissions/{submission}/response", PART_WRITE, T, "", 0},
    {"POST /api/v1/campaigns/{id}/summary", "/api/v1/campaigns/{campaign}/summary", PART_WRITE, T,
     "", 0},
    {"GET /api/v1/public/campaigns", "/api/v1/public/campaigns", PUB, 0, "", 0},
    {"GET /api/v1/public/campaigns/{id}/responses", "/api/v1/public/campaigns/{campaign}/responses",
     PUB, 0, "", 0},
    {"POST /api/v1/public/campaigns/{id}/submissions",
     "/api/v1/public/campaigns/{campaign}/submissions", PUB, 0, "", 0},
    {"GET /api/v1/hearings", "/api/v1/hearings", PART_READ, 0, "", 0},
    {"POST /api/v1/hearings", "/api/v1/hearings", PART_WRITE, 0, "", 0},
    {"GET /api/v1/hearings/{id}/participants", "/api/v1/hearings/{hearing}/participants", PART_READ,
     T, "", 0},
    {"POST /api/v1/hearings/{id}/record", "/api/v1/hearings/{hearing}/record",
     PART_WRITE, T, "", 0},
    {"GET /api/v1/public/hearings", "/api/v1/public/hearings", PUB, 0, "", 0},
    {"POST /api/v1/public/hearings/{id}/registrations",
     "/api/v1/public/hearings/{hearing}/registrations", PUB, 0, "", 0},
    {"GET /api/v1/households", "/api/v1/households", PART_READ, 0, "", 0},
    {"POST /api/v1/households", "/api/v1/households", PART_WRITE, 0, "", 0},
    {"PUT /api/v1/households/{id}/cadre", "/api/v1/households/{household}/cadre",
     PART_WRITE, T, "", 0},
    {"GET /api/v1/households/coverage", "/api/v1/households/coverage", PART_READ, 0, "", 0},
    {"GET /api/v1/receptions", "/api/v1/receptions", PART_READ, 0, "", 0},
    {"POST /api/v1/receptions", "/api/v1/receptions", PART_WRITE, 0, "", 0},
    {"GET /api/v1/receptions/{id}/visits", "/api/v1/receptions/{reception}/visits", PART_READ, T,
     "", 0},
    {"POST /api/v1/receptions/{id}/visits", "/api/v1/receptions/{reception}/visits", PART_WRITE, T,
     "", 0},
    {"GET /api/v1/reception-follow-ups", "/api/v1/reception-follow-ups", PART_READ, 0, "", 0},
    {"POST /api/v1/reception-visits/{id}/follow-up", "/api/v1/reception-visits/{visit}/follow-up",
     PART_WRITE, T, "", 0},
    {"GET /api/v1/public/receptions", "/api/v1/public/receptions", PUB, 0, "", 0},
    {"GET /api/v1/deputies", "/api/v1/deputies", PART_READ, 0, "", 0},
    {"POST /api/v1/deputies", "/api/v1/deputies", CAD, 0, "", 0},
    {"POST /api/v1/deputies/{id}/deactivate", "/api/v1/deputies/{deputy}/deactivate",
     CAD, 0, "", 0},
    {"GET /api/v1/deputy-matters", "/api/v1/deputy-matters", PART_READ, 0,
     "township admin: matters assigned to their township", 0},
    {"POST /api/v1/deputy-matters/{id}/assign", "/api/v1/deputy-matters/{matter}/assign", CAD, 0,
     "", 0},
    {"POST /api/v1/deputy-matters/{id}/answer", "/api/v1/deputy-matters/{matter}/answer",
     PART_WRITE, T, "the township it is assigned to", 0},
    {"POST /api/v1/public/deputy-matters", "/api/v1/public/deputy-matters", PUB, 0,
     "with a deputy's token", 0},
    {"GET /api/v1/public/deputy-matters", "/api/v1/public/deputy-matters", PUB, 0,
     "with a deputy's token", 0},
    /* disclosure */
    {"GET /api/v1/publications", "/api/v1/publications", DISC_READ, 0, "", 0},
    {"POST /api/v1/publications", "/api/v1/publications", DISC_WRITE, 0, "", 0},
    {"GET /api/v1/publications/{id}", "/api/v1/publications/{publication}", DISC_READ, T, "", 0},
    {"PATCH /api/v1/publications/{id}", "/api/v1/publications/{publication}", DISC_WRITE, T, "", 0},
    {"POST /api/v1/publications/{id}/publish", "/api/v1/publications/{publication}/publish",
     DISC_WRITE, T, "", 0},
    {"POST /api/v1/publications/{id}/withdraw", "/api/v1/publications/{publication}/withdraw",
     DISC_WRITE, T, "", 0},
    {"GET /api/v1/publications/{id}/history", "/api/v1/publications/{publication}/history",
     DISC_READ, T, "", 0},
    {"POST /api/v1/publications/{id}/attachments", "/api/v1/publications/{publication}/attachments",
     DISC_WRITE, T | UPLOAD, "", 0},
    {"GET /api/v1/publications/{id}/attachments/{file_id}",
     "/api/v1/publications/{publication}/attachments/{pubfile}", DISC_READ, T, "", 0},
    {"GET /api/v1/public/publications", "/api/v1/public/publications", PUB, 0, "", 0},
    {"GET /api/v1/public/publications.atom", "/api/v1/public/publications.atom", PUB, 0, "", 0},
    {"GET /api/v1/public/publications/{id}", "/api/v1/public/publications/{publication}", PUB, M404,
     "published ones", 0},
    {"GET /api/v1/public/publications/{id}/attachments/{file_id}",
     "/api/v1/public/publications/{publication}/attachments/{pubfile}", PUB, M404, "", 0},
    {"GET /api/v1/public/publication-categories", "/api/v1/public/publication-categories", PUB, 0,
     "", 0},
    /* demands */
    {"POST /api/v1/public/demands", "/api/v1/public/demands", PUB, 0, "", 0},
    {"GET /api/v1/public/demands/{ticket_no}", "/api/v1/public/demands/{ticket}", PUB, M404,
     "with the query code", 0},
    {"POST /api/v1/public/demands/{ticket_no}/feedback", "/api/v1/public/demands/{ticket}/feedback",
     PUB, M404, "with the query code", 0},
    {"POST /api/v1/demands/import", "/api/v1/demands/import", CAD, 0, "", 0},
    {"POST /api/v1/demands", "/api/v1/demands", CLK | TAD | CAD, 0, "", 0},
    {"GET /api/v1/demands", "/api/v1/demands", CASE_READERS, 0, "", 0},
    {"GET /api/v1/demands/{ticket_no}", "/api/v1/demands/{ticket}", CASE_READERS, T, "", 0},
    {"POST /api/v1/demands/{ticket_no}/actions", "/api/v1/demands/{ticket}/actions",
     HND | SUP | TAD | CAD, T,
     "dispatcher: county admin, supervisor, township admin; unit: handler", 0},
    /* ratings and rectification */
    {"POST /api/v1/public/cases/{case_no}/rating", "/api/v1/public/cases/{case}/rating", PUB, M404,
     "with the query code", 0},
    {"POST /api/v1/public/cases/{case_no}/rating/follow-up",
     "/api/v1/public/cases/{case}/rating/follow-up", PUB, M404, "with the query code", 0},
    {"POST /api/v1/cases/{case_no}/rating", "/api/v1/cases/{case}/rating", CLK, T,
     "the window's rating device", 0},
    {"GET /api/v1/ratings", "/api/v1/ratings", CASE_READERS, 0, "", 0},
    {"GET /api/v1/ratings/{id}", "/api/v1/ratings/{rating}", CASE_READERS, T, "", 0},
    {"GET /api/v1/rectifications", "/api/v1/rectifications", CASE_READERS, 0, "", 0},
    {"GET /api/v1/rectifications/{id}", "/api/v1/rectifications/{rect}", CASE_READERS, T, "", 0},
    {"POST /api/v1/rectifications/{id}/actions", "/api/v1/rectifications/{rect}/actions",
     HND | APR | TAD | SUP | CAD, T, "", 0},
    /* evaluation */
    {"GET /api/v1/evaluation/plans", "/api/v1/evaluation/plans", EVAL_READ, 0, "", 0},
    {"POST /api/v1/evaluation/plans", "/api/v1/evaluation/plans", EVAL_MANAGE, 0, "", 0},
    {"GET /api/v1/evaluation/plans/{id}", "/api/v1/evaluation/plans/{plan}", EVAL_READ, 0, "", 0},
    {"PUT /api/v1/evaluation/plans/{id}", "/api/v1/evaluation/plans/{plan}", EVAL_MANAGE, 0, "", 0},
    {"GET /api/v1/evaluation/comparison", "/api/v1/evaluation/comparison", EVAL_READ, 0, "", 0},
    {"GET /api/v1/evaluation/periods", "/api/v1/evaluation/periods", EVAL_READ, 0, "", 0},
    {"POST /api/v1/evaluation/periods", "/api/v1/evaluation/periods", EVAL_MANAGE, 0, "", 0},
    {"GET /api/v1/evaluation/periods/{id}", "/api/v1/evaluation/periods/{period}", EVAL_READ, 0,
     "", 0},
    {"POST /api/v1/evaluation/periods/{id}/scores", "/api/v1/evaluation/periods/{period}/scores",
     EVAL_MANAGE | HND | APR, 0,
     "handler, approver: of the department an indicator names (checked with the body)",
     EVAL_MANAGE | HND | APR | TAD},
    {"POST /api/v1/evaluation/periods/{id}/surveys", "/api/v1/evaluation/periods/{period}/surveys",
     EVAL_MANAGE, 0, "", 0},
    {"POST /api/v1/evaluation/periods/{id}/department-ratings",
     "/api/v1/evaluation/periods/{period}/department-ratings", EVAL_MANAGE | TAD, 0,
     "township admin: for their township", EVAL_MANAGE | TAD | HND | APR},
    {"GET /api/v1/evaluation/periods/{id}/department-ratings",
     "/api/v1/evaluation/periods/{period}/department-ratings", EVAL_MANAGE, 0, "", 0},
    {"GET /api/v1/evaluation/periods/{id}/inputs", "/api/v1/evaluation/periods/{period}/inputs",
     EVAL_MANAGE, 0, "", 0},
    {"POST /api/v1/evaluation/periods/{id}/vetoes", "/api/v1/evaluation/periods/{period}/vetoes",
     EVAL_MANAGE, 0, "", 0},
    {"POST /api/v1/evaluation/periods/{id}/run", "/api/v1/evaluation/periods/{period}/run",
     EVAL_MANAGE, 0, "", 0},
    {"GET /api/v1/evaluation/periods/{id}/results", "/api/v1/evaluation/periods/{period}/results",
     EVAL_READ, 0, "township admin: their own township", 0},
    {"GET /api/v1/evaluation/periods/{id}/results/{township_id}",
     "/api/v1/evaluation/periods/{period}/results/{town}", EVAL_READ, T | M404, "", 0},
    {"POST /api/v1/evaluation/periods/{id}/close", "/api/v1/evaluation/periods/{period}/close",
     EVAL_MANAGE, 0, "", 0},
    {"POST /api/v1/evaluation/periods/{id}/publish", "/api/v1/evaluation/periods/{period}/publish",
     EVAL_MANAGE, 0, "", 0},
    {"GET /api/v1/evaluation/periods/{id}/export", "/api/v1/evaluation/periods/{period}/export",
     EVAL_MANAGE, 0, "", 0},
    {"GET /api/v1/evaluation/periods/{id}/follow-ups",
     "/api/v1/evaluation/periods/{period}/follow-ups", EVAL_READ, 0,
     "township admin: their township's", 0},
    {"POST /api/v1/evaluation/periods/{id}/follow-ups",
     "/api/v1/evaluation/periods/{period}/follow-ups", EVAL_MANAGE, 0, "", 0},
    {"POST /api/v1/evaluation/follow-ups/{id}/complete",
     "/api/v1/evaluation/follow-ups/{followup}/complete", EVAL_MANAGE, M404, "", 0},
    {"GET /api/v1/evaluation/periods/{id}/comments", "/api/v1/evaluation/periods/{period}/comments",
     EVAL_MANAGE, 0, "", 0},
    {"GET /api/v1/public/evaluation/periods", "/api/v1/public/evaluation/periods", PUB, 0, "", 0},
    {"GET /api/v1/public/evaluation/periods/{id}/results",
     "/api/v1/public/evaluation/periods/{period}/results", PUB, M404, "once published", 0},
    {"POST /api/v1/public/evaluation/periods/{id}/comments",
     "/api/v1/public/evaluation/periods/{period}/comments", PUB, M404, "while published", 0},
};
#define N_ROWS (sizeof(rows) / sizeof(rows[0]))

/* The answer the table expects: 0 for "allowed" (anything but 401 and 403), else a status. */
static long
expected(const struct row *w, enum caller c)
{
    unsigned gate = w->gate ? w->gate : w->roles, role = callers[c].role;

    if (w->roles & PUB)
        return 0;
    if (c == ANON)
        return (gate & PUB) ? 404 : 401;
    if (!(gate & (role | PUB)))
        return 403;
    if ((w->flags & T) && callers[c].town != 0 && callers[c].town != 'A')
        return 404;
    if (!(w->roles & role))
        return (w->flags & D404) || ((w->flags & CIT404) && role == CIT) ? 404 : 403;
    return 0;
}

/* ---- fixtures: real objects of township A ---- */

struct fixture {
    const char *name;
    char value[64];
};
static struct fixture fx[] = {
    {"office", ""},   {"user", ""},      {"token", ""},    {"draft", ""},      {"item", ""},
    {"delegation", ""}, {"power", ""},   {"sup", ""},      {"case", ""},       {"attachment", ""},
    {"campaign", ""}, {"submission", ""}, {"hearing", ""}, {"household", ""},  {"reception", ""},
    {"visit", ""},    {"deputy", ""},    {"matter", ""},   {"publication", ""}, {"pubfile", ""},
    {"ticket", ""},   {"rating", ""},    {"rect", ""},     {"plan", ""},       {"period", ""},
    {"followup", ""}, {"town", ""},
};
#define N_FX (sizeof(fx) / sizeof(fx[0]))

static void
fx_set(const char *name, const char *f, ...)
{
    va_list ap;
    for (size_t i = 0; i < N_FX; i++) {
        if (strcmp(fx[i].name, name) == 0) {
            va_start(ap, f);
            vsnprintf(fx[i].value, sizeof(fx[i].value), f, ap);
            va_end(ap);
            return;
        }
    }
    fail_msg("no fixture %s", name);
}

static const char *
fx_get(const char *name, size_t n)
{
    for (size_t i = 0; i < N_FX; i++)
        if (strlen(fx[i].name) == n && strncmp(fx[i].name, name, n) == 0)
            return fx[i].value;
    return NULL;
}

/* "/api/v1/cases/{case}/actions" -> the path with the fixtures' values. */
static bool
expand(const char *tmpl, char *out, size_t size)
{
    size_t o = 0;
    for (const char *p = tmpl; *p; p++) {
        if (*p == '{') {
            const char *e = strchr(p, '}'), *v = e ? fx_get(p + 1, (size_t)(e - p - 1)) : NULL;
            if (v == NULL || v[0] == '\0' || o + strlen(v) >= size)
                return false;
            memcpy(out + o, v, strlen(v));
            o += strlen(v);
            p = e;
        } else {
            if (o + 1 >= size)
                return false;
            out[o++] = *p;
        }
    }
    out[o] = '\0';
    return true;
}

/* A request, retried while the worker pool is full (503). */
static long
call(enum caller c, const char *method, const char *path, const char *body, struct resp *r)
{
    for (int i = 0;; i++) {
        req(&srv, c == ANON ? NULL : &ss[c], method, path, body, NULL, r);
        if (r->status != 503 || i == 30)
            return r->status;
        resp_free(r);
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* A setup call that must answer `want`; returns the JSON value at `key` as text. */
static bool
make(enum caller c, const char *method, const char *path, const char *body, long want,
     const char *key, char *out, size_t size)
{
    struct resp r;
    json_t *v;
    bool ok;

    call(c, method, path, body, &r);
    ok = r.status == want;
    if (!ok)
        fprintf(stderr, "setup %s %s: %ld %s\n", method, path, r.status, r.body ? r.body : "");
    if (ok && key != NULL) {
        v = jget(r.json, key);
        if (json_is_integer(v))
            snprintf(out, size, "%lld", (long long)json_integer_value(v));
        else if (json_is_string(v))
            snprintf(out, size, "%s", json_string_value(v));
        else
            ok = false;
        if (!ok)
            fprintf(stderr, "setup %s %s: no %s in %s\n", method, path, key, r.body);
    }
    resp_free(&r);
    return ok;
}

/* Id of the first element of a list (as caller `c`) whose `field` equals `value` (or any). */
static long long
first_id(enum caller c, const char *path, const char *field, long long value)
{
    struct resp r;
    json_t *e;
    size_t i;
    long long id = 0;

    call(c, "GET", path, NULL, &r);
    json_array_foreach(json_object_get(r.json, "items"), i, e) {
        if (id == 0 && (field == NULL || jint(e, field) == value))
            id = jint(e, "id");
    }
    resp_free(&r);
    if (id == 0)
        fprintf(stderr, "setup: nothing in %s\n", path);
    return id;
}

static long long town_a, town_b;

/* The unit of this name (and parent, if not 0). */
static long long
org_id(const char *name, long long parent)
{
    struct resp r;
    json_t *e;
    size_t i;
    long long id = 0;

    call(C_ADMIN, "GET", "/api/v1/org-units?flat=true", NULL, &r);
    json_array_foreach(json_object_get(r.json, "items"), i, e) {
        if (strcmp(jstr(e, "name"), name) == 0 && (parent == 0 || jint(e, "parent_id") == parent))
            id = jint(e, "id");
    }
    resp_free(&r);
    return id;
}

static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
                                    'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0,
                                    0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae,
                                    0x42, 0x60, 0x82};

static bool
upload_png(enum caller c, const char *path, char *id_out, size_t size)
{
    struct resp r;
    bool ok;
    for (int i = 0;; i++) {
        req_bin(&srv, &ss[c], "POST", path, png, sizeof(png),
                (const char *const[]){"Content-Type: image/png", NULL}, &r);
        if (r.status != 503 || i == 30)
            break;
        resp_free(&r);
    }
    ok = r.status == 201 && jint(r.json, "id") > 0;
    if (ok)
        snprintf(id_out, size, "%lld", jint(r.json, "id"));
    else
        fprintf(stderr, "setup upload %s: %ld %s\n", path, r.status, r.body ? r.body : "");
    resp_free(&r);
    return ok;
}

/* Today in Beijing (the demo county's time zone), plus `days`. */
static const char *
day(int days)
{
    static char buf[4][16];
    static int k;
    time_t t = time(NULL) + 8 * 3600 + (time_t)days * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    k = (k + 1) % 4;
    strftime(buf[k], sizeof(buf[k]), "%Y-%m-%d", &tm);
    return buf[k];
}

#define ITEM_BODY                                                                                \
    "{\"code\":\"%s\",\"name\":\"%s\",\"type\":\"confirmation\",\"category\":\"employment\","    \
    "\"implementing_unit_id\":%lld,\"promised_days\":5,\"legal_days\":10,\"visits\":1,"           \
    "\"visits_reason\":\"核验原件\",\"conditions\":\"本县户籍居民\",\"legal_basis\":"            \
    "\"《测试条例》第一条\",\"consult_phone\":\"010-69041111\",\"complaint_phone\":\"12345\","    \
    "\"window_address\":\"便民服务中心\",\"delivery_methods\":[\"window\"],"                     \
    "\"materials\":[{\"name\":\"申请表\"}]}"
#define APPLICANT                                                                                \
    "{\"name\":\"李秀英\",\"id_type\":\"resident_id\",\"id_number\":\"110119198001010014\","      \
    "\"phone\":\"13800138001\"}"

static bool
act(enum caller c, const char *no, const char *body)
{
    struct resp r;
    long long v;
    char im[48];
    bool ok;

    call(c, "GET", fmt("/api/v1/cases/%s", no), NULL, &r);
    v = jint(r.json, "version");
    resp_free(&r);
    snprintf(im, sizeof(im), "If-Match: \"%lld\"", v);
    req(&srv, &ss[c], "POST", fmt("/api/v1/cases/%s/actions", no), body,
        (const char *const[]){im, NULL}, &r);
    ok = r.status == 200;
    if (!ok)
        fprintf(stderr, "setup action %s: %ld %s\n", body, r.status, r.body ? r.body : "");
    resp_free(&r);
    return ok;
}

static char case_no[32], case_code[16], item_pub[16];

static bool
make_fixtures(void)
{
    char v[64], tok[64], b[2048];
    long long n = 0, village;

    town_a = org_id("西田各庄镇", 0);
    town_b = org_id("溪翁庄镇", 0);
    village = org_id("西田各庄村民委员会", town_a);
    if (town_a == 0 || town_b == 0 || village == 0)
        return false;
    fx_set("town", "%lld", town_a);
    fx_set("office", "%lld", org_id("社会事务办公室", town_a));
    {
        struct resp r;
        json_t *e;
        size_t i;
        call(C_ADMIN, "GET", "/api/v1/users?limit=500", NULL, &r);
        json_array_foreach(json_object_get(r.json, "items"), i, e) {
            if (strcmp(jstr(e, "username"), "xtgz_clerk") == 0)
                fx_set("user", "%lld", jint(e, "id"));
            if (strcmp(jstr(e, "username"), "auditor") == 0)
                n = jint(e, "id");
        }
        resp_free(&r);
    }
    if (!make(C_ADMIN, "POST", "/api/v1/api-tokens",
              fmt("{\"name\":\"matrix\",\"user_id\":%lld,\"expires_in_days\":30}", n), 201, "id",
              v, sizeof(v)))
        return false;
    fx_set("token", "%s", v);

    /* Catalog: a published item of township A (for the case) and a draft of its admin. */
    snprintf(b, sizeof(b), ITEM_BODY, "ACC-M-1", "矩阵测试事项", town_a);
    if (!make(C_ADMIN, "POST", "/api/v1/items", b, 201, "id", item_pub, sizeof(item_pub)) ||
        !make(C_ADMIN, "POST", fmt("/api/v1/items/%s/publish", item_pub), NULL, 200, NULL, NULL,
              0))
        return false;
    fx_set("item", "%s", item_pub);
    snprintf(b, sizeof(b), ITEM_BODY, "ACC-M-2", "矩阵测试草稿", town_a);
    if (!make(A_TADMIN, "POST", "/api/v1/items", b, 201, "id", v, sizeof(v)))
        return false;
    fx_set("draft", "%s", v);
    fx_set("delegation", "%lld", first_id(ANON, "/api/v1/delegations", NULL, 0));
    fx_set("power", "%lld", first_id(ANON, fmt("/api/v1/powers?township_id=%lld", town_a),
                                     "township_id", town_a));

    /* A case of township A, delivered and rated badly: a rating and a rectification task. */
    if (!make(A_CLERK, "POST", "/api/v1/cases",
              fmt("{\"item_id\":%s,\"applicant\":" APPLICANT
                  ",\"materials\":[{\"name\":\"申请表\",\"provided\":true}]}",
                  item_pub),
              201, "case_no", case_no, sizeof(case_no)))
        return false;
    fx_set("case", "%s", case_no);
    {
        struct resp r;
        call(A_CLERK, "GET", fmt("/api/v1/cases/%s", case_no), NULL, &r);
        snprintf(case_code, sizeof(case_code), "%s", jstr(r.json, "query_code"));
        resp_free(&r);
    }
    if (!upload_png(A_CLERK,
                    fmt("/api/v1/cases/%s/attachments?material=%%E7%%94%%B3%%E8%%AF%%B7%%E8%%A1%%A8"
                        "&filename=a.png",
                        case_no),
                    v, sizeof(v)))
        return false;
    fx_set("attachment", "%s", v);
    if (!act(A_CLERK, case_no, "{\"action\":\"accept\"}") ||
        !act(A_HANDLER, case_no, "{\"action\":\"approve\",\"note\":\"符合条件\"}") ||
        !act(A_CLERK, case_no, "{\"action\":\"deliver\",\"method\":\"window\"}"))
        return false;
    if (!make(ANON, "POST", fmt("/api/v1/public/cases/%s/rating?code=%s", case_no, case_code),
              "{\"level\":1,\"reasons\":[\"slow\"],\"comment\":\"太慢\"}", 201, NULL, NULL, 0))
        return false;
    {
        struct resp r;
        json_t *e;
        size_t i;
        call(A_TADMIN, "GET", "/api/v1/rectifications", NULL, &r);
        json_array_foreach(json_object_get(r.json, "items"), i, e) {
            if (strcmp(jstr(e, "case_no"), case_no) == 0) {
                fx_set("rect", "%lld", jint(e, "id"));
                fx_set("rating", "%lld", jint(e, "rating_id"));
            }
        }
        resp_free(&r);
    }
    if (!make(SUPERVISOR, "POST", "/api/v1/supervision/records",
              fmt("{\"kind\":\"notice\",\"case_no\":\"%s\",\"reason\":\"请说明办理情况\"}",
                  case_no),
              201, "id", v, sizeof(v)))
        return false;
    fx_set("sup", "%s", v);

    /* Demands: one of the demo's orders in township A. */
    {
        struct resp r;
        call(A_TADMIN, "GET", "/api/v1/demands?limit=1", NULL, &r);
        fx_set("ticket", "%s", jstr(r.json, "items.0.ticket_no"));
        resp_free(&r);
    }

    /* Disclosure: a draft of township A with an attachment. */
    if (!make(A_TADMIN, "POST", "/api/v1/publications",
              fmt("{\"unit_id\":%lld,\"category\":\"statistics\",\"title\":\"矩阵测试公开\","
                  "\"body\":\"正文\"}",
                  town_a),
              201, "id", v, sizeof(v)))
        return false;
    fx_set("publication", "%s", v);
    if (!upload_png(A_TADMIN, fmt("/api/v1/publications/%s/attachments?filename=a.png", v), tok,
                    sizeof(tok)))
        return false;
    fx_set("pubfile", "%s", tok);

    /* Participation of township A. */
    n = first_id(A_TADMIN, "/api/v1/campaigns", "unit_id", town_a);
    fx_set("campaign", "%lld", n);
    fx_set("submission", "%lld",
           first_id(A_TADMIN, fmt("/api/v1/campaigns/%lld/submissions", n), NULL, 0));
    fx_set("hearing", "%lld", first_id(A_TADMIN, "/api/v1/hearings", "unit_id", town_a));
    if (!make(A_TADMIN, "POST", "/api/v1/households",
              fmt("{\"households\":[{\"village_id\":%lld,\"head_name\":\"王大山\","
                  "\"address\":\"西田各庄村东街1号\",\"members\":4}]}",
                  village),
              201, NULL, NULL, 0))
        return false;
    fx_set("household", "%lld", first_id(A_TADMIN, "/api/v1/households", NULL, 0));
    if (!make(A_TADMIN, "POST", "/api/v1/receptions",
              fmt("{\"kind\":\"reception\",\"leader_name\":\"张建华\",\"leader_title\":"
                  "\"镇党委书记\",\"day\":\"%s\",\"place\":\"镇信访接待室\"}",
                  day(0)),
              201, "id", v, sizeof(v)))
        return false;
    fx_set("reception", "%s", v);
    if (!make(A_TADMIN, "POST", fmt("/api/v1/receptions/%s/visits", v),
              fmt("{\"visitor\":{\"name\":\"刘桂兰\",\"phone\":\"13600136001\"},"
                  "\"matter\":\"反映村道积水\",\"handling\":\"已交镇城建科现场查看\","
                  "\"follow_up_due\":\"%s\"}",
                  day(5)),
              201, "id", v, sizeof(v)))
        return false;
    fx_set("visit", "%s", v);
    if (!make(C_ADMIN, "POST", "/api/v1/deputies",
              fmt("{\"name\":\"孙立平\",\"body\":\"npc\",\"unit_id\":%lld}", town_a), 201, "id", v,
              sizeof(v)))
        return false;
    fx_set("deputy", "%s", v);
    {
        struct resp r;
        call(C_ADMIN, "GET", "/api/v1/deputies", NULL, &r);
        resp_free(&r);
    }
    if (!make(C_ADMIN, "POST", "/api/v1/deputies",
              fmt("{\"name\":\"钱学文\",\"body\":\"cppcc\",\"unit_id\":%lld}", town_a), 201,
              "token", tok, sizeof(tok)) ||
        !make(ANON, "POST", "/api/v1/public/deputy-matters",
              fmt("{\"token\":\"%s\",\"title\":\"农村客运班线太少\",\"content\":\"每日仅两班\"}",
                  tok),
              201, "id", v, sizeof(v)) ||
        !make(C_ADMIN, "POST", fmt("/api/v1/deputy-matters/%s/assign", v),
              fmt("{\"unit_id\":%lld}", town_a), 200, NULL, NULL, 0))
        return false;
    fx_set("matter", "%s", v);

    /* Evaluation: the demo's plan and period. */
    fx_set("plan", "%lld", first_id(EVALUATOR, "/api/v1/evaluation/plans", NULL, 0));
    n = first_id(EVALUATOR, "/api/v1/evaluation/periods", NULL, 0);
    fx_set("period", "%lld", n);
    /* Follow-ups exist only once a period is closed; the demo's is open, and closing it
     * would change what other rows answer. A follow-up that does not exist: the managers
     * get 404 (M404), everyone else is stopped before. */
    fx_set("followup", "999999");
    for (size_t i = 0; i < N_FX; i++) {
        if (fx[i].value[0] == '\0' || strcmp(fx[i].value, "0") == 0) {
            fprintf(stderr, "setup: no fixture %s\n", fx[i].name);
            return false;
        }
    }
    return true;
}

/* ---- setup ---- */

static int
group_setup(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_ALL);
    if (!server_prepare(&srv) || !server_start(&srv, NULL))
        return -1;
    if (login(&srv, &ss[C_ADMIN], "admin", PW) != 200)
        return -1;
    if (!make(C_ADMIN, "POST", "/api/v1/users",
              fmt("{\"username\":\"acc_xw_handler\",\"password\":\"" PW "\",\"display_name\":"
                  "\"钱多\",\"roles\":[\"handler\"],\"org_unit_id\":%lld}",
                  org_id("溪翁庄镇", 0)),
              201, NULL, NULL, 0) ||
        !make(C_ADMIN, "POST", "/api/v1/users",
              fmt("{\"username\":\"acc_xw_approver\",\"password\":\"" PW "\",\"display_name\":"
                  "\"孙少\",\"roles\":[\"approver\"],\"org_unit_id\":%lld}",
                  org_id("溪翁庄镇", 0)),
              201, NULL, NULL, 0))
        return -1;
    for (int i = 1; i < N_CALLERS; i++) {
        if (i != C_ADMIN && login(&srv, &ss[i], callers[i].username, PW) != 200) {
            fprintf(stderr, "log-in of %s failed\n", callers[i].username);
            return -1;
        }
    }
    return make_fixtures() ? 0 : -1;
}

static int
group_teardown(void **state)
{
    (void)state;
    if (srv.pid > 0)
        (void)server_stop(&srv);
    server_cleanup(&srv);
    curl_global_cleanup();
    return 0;
}

/* ---- the matrix ---- */

static const char *
method_name(enum bm_method m)
{
    switch (m) {
    case BM_GET: return "GET";
    case BM_POST: return "POST";
    case BM_PUT: return "PUT";
    case BM_PATCH: return "PATCH";
    case BM_DELETE: return "DELETE";
    default: return "?";
    }
}

/* True if `path` (a row's template) has the route pattern's shape: the same literal
 * segments, a {name} wherever the pattern has one. */
static bool
same_shape(const char *pattern, const char *path)
{
    while (*pattern && *path) {
        size_t a = strcspn(pattern, "/"), b = strcspn(path, "/");
        if (pattern[0] == '{') {
            if (b == 0)
                return false;
        } else if (a != b || strncmp(pattern, path, a) != 0) {
            return false;
        }
        pattern += a;
        path += b;
        if (*pattern != *path)
            return false;
        if (*pattern)
            pattern++, path++;
    }
    return *pattern == '\0' && *path == '\0';
}

static const struct row *
row_for(const char *label)
{
    for (size_t i = 0; i < N_ROWS; i++)
        if (strcmp(rows[i].label, label) == 0)
            return &rows[i];
    return NULL;
}

/* Every route has exactly one row, every row a route, and the rows' paths their shape. */
static void
test_table_covers_routes(void **state)
{
    int bad = 0;
    (void)state;
    for (size_t i = 0; i < bm_n_routes; i++) {
        const struct row *w = row_for(bm_routes[i].label);
        char label[256];
        snprintf(label, sizeof(label), "%s %s", method_name(bm_routes[i].method),
                 bm_routes[i].pattern);
        if (strcmp(label, bm_routes[i].label) != 0) {
            fprintf(stderr, "route label %s does not say %s\n", bm_routes[i].label, label);
            bad++;
        }
        if (w == NULL) {
            fprintf(stderr, "route %s has no row in the access matrix\n", bm_routes[i].label);
            bad++;
        } else if (!same_shape(bm_routes[i].pattern, w->path)) {
            fprintf(stderr, "row %s: path %s does not fit the pattern\n", w->label, w->path);
            bad++;
        }
        if (((bm_routes[i].flags & BM_ROUTE_UPLOAD) != 0) != (w && (w->flags & UPLOAD)))
            fprintf(stderr, "row %s: UPLOAD flag differs from the route\n", bm_routes[i].label),
                bad++;
    }
    for (size_t i = 0; i < N_ROWS; i++) {
        size_t hits = 0;
        for (size_t k = 0; k < bm_n_routes; k++)
            hits += strcmp(bm_routes[k].label, rows[i].label) == 0;
        if (hits != 1) {
            fprintf(stderr, "row %s matches %zu routes\n", rows[i].label, hits);
            bad++;
        }
    }
    assert_int_equal(N_ROWS, bm_n_routes);
    assert_int_equal(bad, 0);
}

static bool
ok_status(long got, long want, unsigned flags)
{
    if (got >= 500 || got == 0)
        return false;
    if (want != 0)
        return got == want;
    return got != 401 && got != 403 && (got != 404 || (flags & M404));
}

static void
test_every_route_every_caller(void **state)
{
    int bad = 0, calls = 0;
    (void)state;
    for (size_t i = 0; i < bm_n_routes; i++) {
        const struct route_ref {
            const char *method;
        } m = {method_name(bm_routes[i].method)};
        const struct row *w = row_for(bm_routes[i].label);
        char path[512];
        bool acted = false; /* a write that changed something: listed, for the reader */
        assert_non_null(w);
        assert_true(expand(w->path, path, sizeof(path)));
        for (int c = 0; c < N_CALLERS; c++) {
            struct session fresh, *who = c == ANON ? NULL : &ss[c];
            long want = expected(w, (enum caller)c), got;
            struct resp r;
            const char *body = strcmp(m.method, "GET") == 0 || strcmp(m.method, "DELETE") == 0
                                   ? NULL
                                   : PROBE;
            if ((w->flags & FRESH) && c != ANON) {
                memset(&fresh, 0, sizeof(fresh));
                assert_int_equal(login(&srv, &fresh, callers[c].username, PW), 200);
                who = &fresh;
            }
            for (int k = 0;; k++) {
                if (w->flags & UPLOAD)
                    req_bin(&srv, who, m.method, path, "%PDF-", 5,
                            (const char *const[]){"Content-Type: application/pdf", NULL}, &r);
                else
                    req(&srv, who, m.method, path, body, NULL, &r);
                if (r.status != 503 || k == 30)
                    break;
                resp_free(&r);
            }
            got = r.status;
            calls++;
            if (got >= 200 && got < 300 && body != NULL && !acted) {
                fprintf(stderr, "  acted: %s (as %s)\n", w->label, callers[c].name);
                acted = true;
            }
            if (!ok_status(got, want, w->flags)) {
                fprintf(stderr, "MISMATCH %-58s %-17s got %ld want %s%ld  %.160s\n", w->label,
                        callers[c].name, got, want ? "" : "allowed, not ", want ? want : 401L,
                        r.body ? r.body : "");
                bad++;
            }
            /* Every answer of the API is JSON (or the documented other type) with the
             * security headers. */
            if (strcmp(r.nosniff, "nosniff") != 0) {
                fprintf(stderr, "%s as %s: no X-Content-Type-Options\n", w->label, callers[c].name);
                bad++;
            }
            resp_free(&r);
        }
    }
    fprintf(stderr, "access matrix: %zu routes, %d calls, %d mismatches\n", bm_n_routes, calls,
            bad);
    assert_int_equal(bad, 0);
}

/* ---- hostile input: SQL injection and markup come back as data ---- */

static const char *const payloads[] = {
    "' OR 1=1 --",
    "\"; DROP TABLE cases; --",
    "%' --",
    "1; DELETE FROM users WHERE '1'='1",
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
};
#define N_PAYLOADS (sizeof(payloads) / sizeof(payloads[0]))

/* Id of the newest audit entry: every change appends one, so equal ids = nothing changed. */
static long long
audit_top(void)
{
    struct resp r;
    long long id;
    assert_int_equal(call(C_ADMIN, "GET", "/api/v1/audit?limit=1", NULL, &r), 200);
    id = jint(r.json, "items.0.id");
    resp_free(&r);
    return id;
}

/* Rows that no payload may touch: users, units, and the audit chain still intact. */
struct census {
    size_t users, units;
};

static size_t
count_items(const char *path)
{
    struct resp r;
    size_t n;
    assert_int_equal(call(C_ADMIN, "GET", path, NULL, &r), 200);
    n = json_array_size(json_object_get(r.json, "items"));
    resp_free(&r);
    return n;
}

static struct census
census(void)
{
    struct census c;
    c.users = count_items("/api/v1/users?limit=500");
    c.units = count_items("/api/v1/org-units?flat=true");
    return c;
}

/* JSON answers carry their type and the security headers. */
static void
assert_json_reply(const struct resp *r)
{
    if (strstr(r->content_type, "json") == NULL || strcmp(r->nosniff, "nosniff") != 0)
        fprintf(stderr, "reply %ld: type %s, nosniff %s\n", r->status, r->content_type,
                r->nosniff);
    assert_true(strncmp(r->content_type, "application/json", 16) == 0 ||
                strncmp(r->content_type, "application/problem+json", 24) == 0);
    assert_string_equal(r->nosniff, "nosniff");
    assert_true(strstr(r->csp, "default-src 'self'") != NULL);
}

static char *
dumps(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    assert_non_null(s);
    return s;
}

/* POST `body` (freed) as `c`; asserts `want` and a JSON reply; returns the reply. */
static void
post(enum caller c, const char *path, char *body, long want, struct resp *r)
{
    call(c, "POST", path, body, r);
    if (r->status != want)
        fprintf(stderr, "POST %s %s: %ld %s\n", path, body, r->status, r->body ? r->body : "");
    free(body);
    assert_int_equal(r->status, want);
    assert_json_reply(r);
}

/* Every payload in every text field of the main create bodies is stored and read back
 * byte for byte, and changes nothing else. */
static void
test_injection_text_fields(void **state)
{
    struct census before = census(), after;
    struct resp r;
    char no[32], id[32], code[16];
    (void)state;

    for (size_t i = 0; i < N_PAYLOADS; i++) {
        const char *p = payloads[i];

        /* a case's applicant (the window side reads the full name) */
        post(A_CLERK, "/api/v1/cases",
             dumps(json_pack("{s:I,s:b,s:{s:s,s:s,s:s,s:s},s:[{s:s,s:b}]}", "item_id",
                             (json_int_t)atoll(item_pub), "accept", 1, "applicant", "name", p,
                             "id_type", "resident_id", "id_number", "110119198001010014",
                             "phone", "13800138001", "materials", "name", "申请表", "provided",
                             1)),
             201, &r);
        snprintf(no, sizeof(no), "%s", jstr(r.json, "case_no"));
        resp_free(&r);
        assert_int_equal(call(A_CLERK, "GET", fmt("/api/v1/cases/%s?reveal=pii", no), NULL, &r),
                         200);
        assert_json_reply(&r);
        assert_string_equal(jstr(r.json, "applicant.name"), p);
        resp_free(&r);

        /* a demand's content and contact */
        post(ANON, "/api/v1/public/demands",
             dumps(json_pack("{s:s,s:s,s:{s:s,s:s}}", "category", "consult", "content", p,
                             "contact", "name", p, "phone", "010-69041234")),
             201, &r);
        snprintf(no, sizeof(no), "%s", jstr(r.json, "ticket_no"));
        snprintf(code, sizeof(code), "%s", jstr(r.json, "query_code"));
        resp_free(&r);
        assert_int_equal(call(ANON, "GET", fmt("/api/v1/public/demands/%s?code=%s", no, code),
                              NULL, &r),
                         200);
        assert_json_reply(&r);
        resp_free(&r);
        assert_int_equal(call(C_ADMIN, "GET", fmt("/api/v1/demands/%s", no), NULL, &r), 200);
        assert_json_reply(&r);
        assert_string_equal(jstr(r.json, "content"), p);
        resp_free(&r);

        /* a suggestion to a campaign */
        post(ANON, fmt("/api/v1/public/campaigns/%s/submissions", fx_get("campaign", 8)),
             dumps(json_pack("{s:s,s:{s:s,s:s}}", "content", p, "contact", "name", "张三丰",
                             "phone", "13800138000")),
             201, &r);
        snprintf(id, sizeof(id), "%lld", jint(r.json, "id"));
        resp_free(&r);
        assert_int_equal(call(A_TADMIN, "GET",
                              fmt("/api/v1/campaigns/%s/submissions?limit=100",
                                  fx_get("campaign", 8)),
                              NULL, &r),
                         200);
        {
            json_t *e;
            size_t k;
            bool found = false;
            json_array_foreach(json_object_get(r.json, "items"), k, e) {
                if (jint(e, "id") == atoll(id)) {
                    assert_string_equal(jstr(e, "content"), p);
                    found = true;
                }
            }
            assert_true(found);
        }
        resp_free(&r);

        /* a catalog item's name and texts */
        post(A_TADMIN, "/api/v1/items",
             dumps(json_pack("{s:s,s:s,s:s,s:s,s:I,s:i,s:i,s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:[s],"
                             "s:[{s:s}]}",
                             "code", fmt("ACC-INJ-%zu", i), "name", p, "type", "confirmation",
                             "category", "employment", "implementing_unit_id",
                             (json_int_t)town_a, "promised_days", 5, "legal_days", 10, "visits",
                             1, "visits_reason", p, "conditions", p, "legal_basis", p,
                             "consult_phone", "010-69041111", "complaint_phone", "12345",
                             "window_address", p, "delivery_methods", "window", "materials",
                             "name", p)),
             201, &r);
        snprintf(id, sizeof(id), "%lld", jint(r.json, "id"));
        resp_free(&r);
        assert_int_equal(call(A_TADMIN, "GET", fmt("/api/v1/items/%s", id), NULL, &r), 200);
        assert_json_reply(&r);
        assert_string_equal(jstr(r.json, "name"), p);
        assert_string_equal(jstr(r.json, "conditions"), p);
        assert_string_equal(jstr(r.json, "window_address"), p);
        assert_string_equal(jstr(r.json, "materials.0.name"), p);
        resp_free(&r);

        /* a publication's title and body */
        post(A_TADMIN, "/api/v1/publications",
             dumps(json_pack("{s:I,s:s,s:s,s:s}", "unit_id", (json_int_t)town_a, "category",
                             "statistics", "title", p, "body", p)),
             201, &r);
        snprintf(id, sizeof(id), "%lld", jint(r.json, "id"));
        resp_free(&r);
        assert_int_equal(call(SUPERVISOR, "GET", fmt("/api/v1/publications/%s", id), NULL, &r),
                         200);
        assert_json_reply(&r);
        assert_string_equal(jstr(r.json, "title"), p);
        assert_string_equal(jstr(r.json, "body"), p);
        resp_free(&r);

        /* a supervision notice's reason */
        post(SUPERVISOR, "/api/v1/supervision/records",
             dumps(json_pack("{s:s,s:s,s:s}", "kind", "notice", "case_no", case_no, "reason",
                             p)),
             201, &r);
        assert_string_equal(jstr(r.json, "reason"), p);
        resp_free(&r);
    }
    after = census();
    assert_int_equal(after.users, before.users);
    assert_int_equal(after.units, before.units);
    assert_int_equal(call(C_ADMIN, "GET", "/api/v1/audit/verify", NULL, &r), 200);
    assert_true(json_is_true(json_object_get(r.json, "ok")));
    resp_free(&r);
}

static char *
escape(const char *s)
{
    static char out[4][1024];
    static int k;
    CURL *h = curl_easy_init();
    char *e = curl_easy_escape(h, s, 0);
    k = (k + 1) % 4;
    snprintf(out[k], sizeof(out[k]), "%s", e);
    curl_free(e);
    curl_easy_cleanup(h);
    return out[k];
}

/* Payloads in search and filter parameters: an answer about data (200, 400 or 404), never
 * more rows than an honest search, and nothing written. */
static void
test_injection_query_parameters(void **state)
{
    static const char *const paths[] = {
        "/api/v1/items?q=",
        "/api/v1/items?category=",
        "/api/v1/cases?status=",
        "/api/v1/cases?queue=",
        "/api/v1/demands?category=",
        "/api/v1/public/publications?category=",
        "/api/v1/public/publications.atom?category=",
        "/api/v1/ratings?from=",
        "/api/v1/stats/cases?group_by=",
        "/api/v1/households?village_id=",
        "/api/v1/supervision/records?case_no=",
        "/api/v1/public/cases/11011810200020261205000001?code=",
        "/api/v1/public/demands/D110118202611250001?code=",
        "/api/v1/org-units?flat=",
    };
    long long top = audit_top();
    struct resp r;
    (void)state;

    /* the control: an honest search finds items */
    assert_int_equal(call(ANON, "GET", fmt("/api/v1/items?q=%s", escape("低保")), NULL, &r), 200);
    assert_true(json_array_size(json_object_get(r.json, "items")) > 0);
    resp_free(&r);
    for (size_t i = 0; i < N_PAYLOADS; i++) {
        for (size_t k = 0; k < sizeof(paths) / sizeof(paths[0]); k++) {
            const char *path = fmt("%s%s", paths[k], escape(payloads[i]));
            long st = call(C_ADMIN, "GET", path, NULL, &r);
            /* (429: wrong query codes are throttled, as they should be) */
            if (st != 200 && st != 400 && st != 404 && st != 429)
                fprintf(stderr, "GET %s: %ld %s\n", path, st, r.body ? r.body : "");
            assert_true(st == 200 || st == 400 || st == 404 || st == 429);
            if (strstr(path, ".atom") == NULL)
                assert_json_reply(&r);
            resp_free(&r);
        }
        /* A public search for the payload finds nothing (no published item carries it),
         * where a search that "OR 1=1" would return the whole catalog. */
        assert_int_equal(call(ANON, "GET", fmt("/api/v1/items?q=%s", escape(payloads[i])), NULL,
                              &r),
                         200);
        assert_json_reply(&r);
        assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
        resp_free(&r);
    }
    assert_int_equal(audit_top(), top);
}

/* Input that is not valid text is refused with a clear 400 (or 413 for size) and changes
 * nothing: NUL bytes, overlong UTF-8, lone surrogates, invalid bytes, very long strings.
 * Each body is valid but for that one string: the same body with plain text is accepted. */
static void
test_injection_invalid_text(void **state)
{
    static const struct {
        const char *what, *bytes;
        size_t len;
    } bad[] = {
        {"escaped NUL", "a\\u0000b", 8},
        {"raw NUL", "a\0b", 3},
        {"overlong UTF-8 '/'", "\xc0\xaf", 2},
        {"overlong UTF-8 NUL", "\xc0\x80", 2},
        {"overlong 3-byte '/'", "\xe0\x80\xaf", 3},
        {"lone surrogate", "\\ud800", 6},
        {"UTF-8 surrogate", "\xed\xa0\x80", 3},
        {"invalid bytes", "\xff\xfe", 2},
    };
    char pub_head[160];
    const char *targets[][3] = {
        /* path, body before the text, body after it */
        {"/api/v1/public/demands", "{\"category\":\"consult\",\"content\":\"",
         "\",\"contact\":{\"name\":\"李秀兰\",\"phone\":\"010-69041234\"}}"},
        {"/api/v1/publications", pub_head, "\"}"},
    };
    static const char head[] = "{\"category\":\"consult\",\"content\":\"";
    size_t h = sizeof(head) - 1, n = 200 * 1024;
    struct resp r;
    long long top;
    char *big, body[512];
    (void)state;

    snprintf(pub_head, sizeof(pub_head),
             "{\"unit_id\":%lld,\"category\":\"statistics\",\"body\":\"正文\",\"title\":\"",
             town_a);
    for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
        enum caller who = t == 0 ? ANON : A_TADMIN;
        size_t a = strlen(targets[t][1]), z = strlen(targets[t][2]);
        /* the control: plain text is accepted */
        snprintf(body, sizeof(body), "%s正常%s", targets[t][1], targets[t][2]);
        assert_int_equal(call(who, "POST", targets[t][0], body, &r), 201);
        resp_free(&r);
        top = audit_top();
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            memcpy(body, targets[t][1], a);
            memcpy(body + a, bad[i].bytes, bad[i].len);
            memcpy(body + a + bad[i].len, targets[t][2], z);
            for (int k = 0;; k++) {
                req_bin(&srv, who == ANON ? NULL : &ss[who], "POST", targets[t][0], body,
                        a + bad[i].len + z,
                        (const char *const[]){"Content-Type: application/json", NULL}, &r);
                if (r.status != 503 || k == 30)
                    break;
                resp_free(&r);
            }
            if (r.status != 400)
                fprintf(stderr, "%s to %s: %ld %s\n", bad[i].what, targets[t][0], r.status,
                        r.body ? r.body : "");
            assert_problem(&r, 400, "validation_failed");
            assert_json_reply(&r);
            resp_free(&r);
        }
        assert_int_equal(audit_top(), top);
    }

    /* A very long string: refused as too long for the body (413) or the field (400). */
    top = audit_top();
    big = malloc(h + n + 128);
    assert_non_null(big);
    memcpy(big, head, h);
    memset(big + h, 'A', n);
    memcpy(big + h + n, "\"}", 3);
    assert_int_equal(strlen(big), h + n + 2);
    call(ANON, "POST", "/api/v1/public/demands", big, &r);
    if (r.status != 413 && r.status != 400)
        fprintf(stderr, "200 KiB content: %ld %s\n", r.status, r.body ? r.body : "");
    assert_true(r.status == 400 || r.status == 413);
    assert_json_reply(&r);
    resp_free(&r);
    /* ... and one that fits the body limit but not the field (2,000 bytes). */
    snprintf(big + h + 5000, 128, "\",\"contact\":{\"name\":\"李秀兰\",\"phone\":\"010-69041234\"}}");
    call(ANON, "POST", "/api/v1/public/demands", big, &r);
    assert_problem(&r, 400, "validation_failed");
    assert_true(has_field_error(&r, "content"));
    resp_free(&r);
    free(big);
    assert_int_equal(audit_top(), top);
}

/* Printable documents, the Atom feed and the web page escape what residents and staff typed. */
static void
test_injection_documents_escaped(void **state)
{
    struct resp r;
    char no[32], pub[32], *body;
    const char *xss = "<script>alert(1)</script>", *img = "\"><img src=x onerror=alert(1)>";
    (void)state;

    /* A case whose applicant is a script, refused with a note that is markup. */
    post(A_CLERK, "/api/v1/cases",
         dumps(json_pack("{s:I,s:b,s:{s:s,s:s,s:s,s:s},s:[{s:s,s:b}]}", "item_id",
                         (json_int_t)atoll(item_pub), "accept", 1, "applicant", "name", xss,
                         "id_type", "resident_id", "id_number", "110119198001010014", "phone",
                         "13800138001", "materials", "name", "申请表", "provided", 1)),
         201, &r);
    snprintf(no, sizeof(no), "%s", jstr(r.json, "case_no"));
    resp_free(&r);
    assert_int_equal(call(A_CLERK, "GET", fmt("/api/v1/cases/%s/documents/receipt", no), NULL, &r),
                     200);
    assert_true(strncmp(r.content_type, "text/html", 9) == 0);
    assert_string_equal(r.nosniff, "nosniff");
    assert_true(strstr(r.csp, "script-src 'self'") != NULL);
    assert_null(strstr(r.body, "<script"));
    assert_non_null(strstr(r.body, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    resp_free(&r);

    post(A_CLERK, "/api/v1/cases",
         dumps(json_pack("{s:I,s:{s:s,s:s,s:s,s:s},s:[{s:s,s:b}]}", "item_id",
                         (json_int_t)atoll(item_pub), "applicant", "name", "李秀英", "id_type",
                         "resident_id", "id_number", "110119198001010014", "phone",
                         "13800138001", "materials", "name", "申请表", "provided", 1)),
         201, &r);
    snprintf(no, sizeof(no), "%s", jstr(r.json, "case_no"));
    resp_free(&r);
    body = dumps(json_pack("{s:s,s:s}", "action", "reject", "note", img));
    assert_true(act(A_CLERK, no, body));
    free(body);
    assert_int_equal(
        call(A_CLERK, "GET", fmt("/api/v1/cases/%s/documents/refusal_notice", no), NULL, &r), 200);
    assert_null(strstr(r.body, "<img"));
    assert_non_null(strstr(r.body, "&lt;img src=x onerror=alert(1)&gt;"));
    resp_free(&r);

    /* A published notice whose title is a script: the Atom feed escapes it. */
    post(A_TADMIN, "/api/v1/publications",
         dumps(json_pack("{s:I,s:s,s:s,s:s}", "unit_id", (json_int_t)town_a, "category",
                         "statistics", "title", xss, "body", img)),
         201, &r);
    snprintf(pub, sizeof(pub), "%lld", jint(r.json, "id"));
    resp_free(&r);
    assert_int_equal(call(A_TADMIN, "POST", fmt("/api/v1/publications/%s/publish", pub), NULL, &r),
                     200);
    resp_free(&r);
    assert_int_equal(call(ANON, "GET", "/api/v1/public/publications.atom", NULL, &r), 200);
    assert_string_equal(r.nosniff, "nosniff");
    assert_non_null(strstr(r.body, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_null(strstr(r.body, "<script"));
    assert_null(strstr(r.body, "<img"));
    resp_free(&r);
    assert_int_equal(call(ANON, "GET", fmt("/api/v1/public/publications/%s", pub), NULL, &r), 200);
    assert_json_reply(&r);
    assert_string_equal(jstr(r.json, "title"), xss);
    resp_free(&r);

    /* The web page itself is served with a script policy that forbids inline scripts. */
    assert_int_equal(call(ANON, "GET", "/", NULL, &r), 200);
    assert_true(strncmp(r.content_type, "text/html", 9) == 0);
    assert_true(strstr(r.csp, "script-src 'self'") != NULL);
    {
        const char *sc = strstr(r.csp, "script-src"), *end = strchr(sc, ';');
        char dir[256];
        snprintf(dir, sizeof(dir), "%.*s", end ? (int)(end - sc) : (int)strlen(sc), sc);
        assert_null(strstr(dir, "unsafe-inline"));
    }
    assert_string_equal(r.nosniff, "nosniff");
    resp_free(&r);
}

/* ---- docs/access.md ---- */

static void
print_markdown(void)
{
    static const enum caller cols[] = {ANON,      CITIZEN,    A_CLERK,    A_HANDLER, A_APPROVER,
                                       A_TADMIN,  SUPERVISOR, C_ADMIN,    EVALUATOR, AUDITOR};
    static const enum caller other[] = {ANON, CITIZEN, B_CLERK, B_HANDLER, B_APPROVER, B_TADMIN,
                                        SUPERVISOR, C_ADMIN, EVALUATOR, AUDITOR};
    static const char *const heads[] = {"anonymous",      "citizen",    "clerk",
                                        "handler",        "approver",   "township_admin",
                                        "supervisor",     "county_admin", "evaluator",
                                        "auditor"};
    size_t nc = sizeof(cols) / sizeof(cols[0]);

    printf("| route |");
    for (size_t k = 0; k < nc; k++)
        printf(" %s |", heads[k]);
    printf(" notes |\n|---|");
    for (size_t k = 0; k < nc; k++)
        printf("---|");
    printf("---|\n");
    for (size_t i = 0; i < N_ROWS; i++) {
        const struct row *w = &rows[i];
        printf("| `%s` |", w->label);
        for (size_t k = 0; k < nc; k++) {
            long a = expected(w, cols[k]), b = expected(w, other[k]);
            if (a == 0)
                printf(" %s |", b == 404 ? "own township" : "yes");
            else
                printf(" %ld |", a);
        }
        printf(" %s |\n", w->note);
    }
}

int
main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_covers_routes),
        cmocka_unit_test(test_every_route_every_caller),
        cmocka_unit_test(test_injection_query_parameters),
        cmocka_unit_test(test_injection_text_fields),
        cmocka_unit_test(test_injection_invalid_text),
        cmocka_unit_test(test_injection_documents_escaped),
    };
    if (argc > 1 && strcmp(argv[1], "--markdown") == 0) {
        print_markdown();
        return 0;
    }
    return cmocka_run_group_tests_name("access matrix", tests, group_setup, group_teardown);
}
