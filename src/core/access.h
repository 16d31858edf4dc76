/*
 * The one place that decides who may do what: a permission needs one of a set of roles
 * (checked before a handler runs), and the object must lie inside the caller's scope in
 * the organisation tree (checked by the handler with the object's org path). Objects
 * outside the scope are reported as not found, so their existence does not leak.
 */
#ifndef BM_CORE_ACCESS_H
#define BM_CORE_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/roles.h"

#define BM_ORG_PATH_MAX 96

/* Who is calling: filled from the session or API token. */
struct bm_principal {
    int64_t user_id;
    const char *username;
    unsigned roles;                   /* enum bm_role bits */
    int64_t org_unit_id;              /* 0 for citizens without a unit */
    char org_path[BM_ORG_PATH_MAX];   /* "/1/4/17/": ids from the county down to the unit */
};

enum bm_perm {
    BM_PERM_PUBLIC,      /* anyone, no log-in */
    BM_PERM_LOGIN,       /* any logged-in user */
    BM_PERM_STAFF,       /* any role but citizen */
    BM_PERM_ORG_WRITE,   /* create and change org units */
    BM_PERM_USER_ADMIN,  /* list, create and change users */
    BM_PERM_TOKEN_ADMIN, /* API tokens for other systems */
    BM_PERM_AUDIT_READ,  /* read the audit trail */
    BM_PERM_ITEM_WRITE,  /* draft catalog items (township administrators: their own township) */
    BM_PERM_ITEM_PUBLISH, /* publish and retire catalog items; delegations and power lists */
    BM_PERM_CASE_READ,   /* see cases (staff; each within the scope of bm_access_case_scope) */
    BM_PERM_CASE_CREATE, /* open a case: a window clerk, or a resident applying online */
    BM_PERM_CASE_ACT,    /* act on a case; which actions, bm_access_case_actor decides */
    BM_PERM_CALENDAR_WRITE, /* edit the working-day calendar */
    BM_PERM_SUPERVISE,   /* issue supervision notices and cards, decide on them */
    BM_PERM_STATS_READ,  /* case statistics (township administrators: their own township) */
    /* disclosure */
    BM_PERM_DISCLOSURE_WRITE, /* draft, publish and withdraw publications (township admins:
                               * their township and its villages) */
    BM_PERM_DISCLOSURE_READ,  /* staff view of publications, drafts and history included */
    /* demands */
    BM_PERM_DEMAND_READ,   /* see demands (staff; scope by bm_access_demand_scope) */
    BM_PERM_DEMAND_INTAKE, /* file a demand at a window */
    BM_PERM_DEMAND_IMPORT, /* import orders of the 12345 hotline */
    BM_PERM_DEMAND_ACT,    /* act on a demand; which actions, bm_access_demand_actor decides */
    /* ratings (好差评) and rectification of bad ratings */
    BM_PERM_RATING_DEVICE, /* record a rating from the window's rating device (clerk) */
    BM_PERM_RATING_READ,   /* see ratings and rectification tasks (within the case scope) */
    BM_PERM_RECT_ACT,      /* act on a rectification task; which steps, the handler decides */
    /* participation (公众参与) */
    BM_PERM_PARTICIPATION_READ,  /* campaigns, hearings, households: staff lists (scoped) */
    BM_PERM_PARTICIPATION_WRITE, /* open campaigns and hearings, answer, keep the register */
    BM_PERM_DEPUTY_ADMIN,        /* register deputies, assign their matters (直通车) */
    /* township performance evaluation (绩效考核) */
    BM_PERM_EVAL_READ,   /* indicator systems, periods, results (township admins: their own) */
    BM_PERM_EVAL_MANAGE, /* indicator systems, periods, runs, vetoes, publication, follow-up */
    BM_PERM_EVAL_SCORE,  /* enter scores: a department's manual scores, a township's ratings
                          * of county departments (the handler checks which) */
    BM_PERM_COUNT
};

/* Roles that hold `perm` (BM_ROLE_ALL for PUBLIC and LOGIN). */
unsigned bm_access_roles_for(enum bm_perm perm);

/* True if the principal has a role that grants `perm`. */
bool bm_access_role_allows(const struct bm_principal *p, enum bm_perm perm);

/*
 * The subtree the principal may act on under `perm`: the county for county-wide roles
 * (BM_ROLES_COUNTY_WIDE) that grant it, otherwise the user's own unit. Writes the path
 * prefix ("/1/" or "/1/4/") into out; false if the principal has no scope for `perm`.
 */
bool bm_access_scope(const struct bm_principal *p, enum bm_perm perm, char *out, size_t out_size);

/* True if `target_path` (an org path) lies inside the principal's scope for `perm`. */
bool bm_access_in_scope(const struct bm_principal *p, enum bm_perm perm, const char *target_path);

/*
 * Roles the principal may give to users (or take away) under USER_ADMIN: everything for a
 * county administrator; for a township administrator the front and back office roles and
 * township administrator itself (for a deputy in the same township).
 */
unsigned bm_access_grantable_roles(const struct bm_principal *p);

/*
 * The subtree of cases a staff member sees (read): the county for county-wide roles, else
 * the top unit under the county that the user belongs to (their township or department), so
 * every window and office of a township sees the township's cases. False for citizens.
 */
bool bm_access_case_scope(const struct bm_principal *p, char *out, size_t out_size);

/*
 * True if the principal may perform a step of `actor` kind (enum bm_case_actor of
 * core/case.h) on a case accepted at `accepting_path` and handled at `handling_path`:
 * front-desk steps need a clerk of the accepting township (or department), back-office
 * steps a handler and approval steps an approver of the handling township or department,
 * administrative steps a county administrator. The applicant's own steps are checked by
 * the caller (it knows who applied).
 */
bool bm_access_case_actor(const struct bm_principal *p, int actor, const char *accepting_path,
                          const char *handling_path);

/* ---- demands ---- */

/*
 * The subtree of demands a staff member sees: the whole county for county-wide roles (*out
 * set to ""), else the top unit (township or department) of the user. False for citizens.
 */
bool bm_access_demand_scope(const struct bm_principal *p, char *out, size_t out_size);

/*
 * True if the principal may take a demand step of `actor` kind (enum bm_demand_actor of
 * core/demand.h). Dispatcher steps: a county administrator or supervisor anywhere, a
 * township administrator for orders filed or placed in their township. Unit steps: a
 * handler or township administrator of the township or department the order is assigned to.
 */
bool bm_access_demand_actor(const struct bm_principal *p, int actor, const char *intake_path,
                            const char *unit_path);

#endif
