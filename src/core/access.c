/*
 * Access decisions: role-to-permission matrix and organisation scope.
 */
#include "core/access.h"

#include <stdio.h>
#include <string.h>

#include "core/case.h"
#include "core/org.h"

static const unsigned perm_roles[BM_PERM_COUNT] = {
    [BM_PERM_PUBLIC] = BM_ROLE_ALL,
    [BM_PERM_LOGIN] = BM_ROLE_ALL,
    [BM_PERM_STAFF] = BM_ROLE_ALL & ~(unsigned)BM_ROLE_CITIZEN,
    [BM_PERM_ORG_WRITE] = BM_ROLE_COUNTY_ADMIN | BM_ROLE_TOWNSHIP_ADMIN,
    [BM_PERM_USER_ADMIN] = BM_ROLE_COUNTY_ADMIN | BM_ROLE_TOWNSHIP_ADMIN,
    [BM_PERM_TOKEN_ADMIN] = BM_ROLE_COUNTY_ADMIN,
    [BM_PERM_AUDIT_READ] = BM_ROLE_COUNTY_ADMIN | BM_ROLE_AUDITOR,
    [BM_PERM_ITEM_WRITE] = BM_ROLE_COUNTY_ADMIN | BM_ROLE_TOWNSHIP_ADMIN,
    [BM_PERM_ITEM_PUBLISH] = BM_ROLE_COUNTY_ADMIN,
    [BM_PERM_CASE_READ] = BM_ROLE_CLERK | BM_ROLE_HANDLER | BM_ROLE_APPROVER | BM_ROLE_SUPERVISOR |
                          BM_ROLE_TOWNSHIP_ADMIN | BM_ROLE_COUNTY_ADMIN | BM_ROLE_AUDITOR,
    [BM_PERM_CASE_CREATE] = BM_ROLE_CLERK | BM_ROLE_CITIZEN,
    [BM_PERM_CASE_ACT] = BM_ROLE_CLERK | BM_ROLE_HANDLER | BM_ROLE_APPROVER |
                         BM_ROLE_COUNTY_ADMIN | BM_ROLE_CITIZEN,
    [BM_PERM_CALENDAR_WRITE] = BM_ROLE_COUNTY_ADMIN,
    /* participation (公众参与) */
    [BM_PERM_PARTICIPATION_READ] = BM_ROLE_TOWNSHIP_ADMIN | BM_ROLE_COUNTY_ADMIN | BM_ROLE_SUPERVISOR,
    [BM_PERM_PARTICIPATION_WRITE] = BM_ROLE_TOWNSHIP_ADMIN | BM_ROLE_COUNTY_ADMIN,
    [BM_PERM_DEPUTY_ADMIN] = BM_ROLE_COUNTY_ADMIN,
    /* township performance evaluation (绩效考核) */
    [BM_PERM_EVAL_READ] = BM_ROLE_EVALUATOR | BM_ROLE_COUNTY_ADMIN | BM_ROLE_SUPERVISOR |
                          BM_ROLE_TOWNSHIP_ADMIN,
    [BM_PERM_EVAL_MANAGE] = BM_ROLE_EVALUATOR | BM_ROLE_COUNTY_ADMIN,
    [BM_PERM_EVAL_SCORE] = BM_ROLE_EVALUATOR | BM_ROLE_COUNTY_ADMIN | BM_ROLE_TOWNSHIP_ADMIN |
                           BM_ROLE_HANDLER | BM_ROLE_APPROVER,
    [BM_PERM_SUPERVISE] = BM_ROLE_SUPERVISOR | BM_ROLE_COUNTY_ADMIN,
    [BM_PERM_STATS_READ] = BM_ROLE_SUPERVISOR | BM_ROLE_COUNTY_ADMIN | BM_ROLE_EVALUATOR |
                           BM_ROLE_AUDITOR | BM_ROLE_TOWNSHIP_ADMIN,
    /* disclosure */
    [BM_PERM_DISCLOSURE_WRITE] = BM_ROLE_COUNTY_ADMIN | BM_ROLE_TOWNSHIP_ADMIN,
    [BM_PERM_DISCLOSURE_READ] = BM_ROLE_COUNTY_ADMIN | BM_ROLE_TOWNSHIP_ADMIN |
                                BM_ROLE_SUPERVISOR | BM_ROLE_AUDITOR,
    /* demands */
    [BM_PERM_DEMAND_READ] = BM_ROLE_CLERK | BM_ROLE_HANDLER | BM_ROLE_APPROVER |
                            BM_ROLE_SUPERVISOR | BM_ROLE_TOWNSHIP_ADMIN | BM_ROLE_COUNTY_ADMIN |
                            BM_ROLE_AUDITOR,
    [BM_PERM_DEMAND_INTAKE] = BM_ROLE_CLERK | BM_ROLE_TOWNSHIP_ADMIN | BM_ROLE_COUNTY_ADMIN,
    [BM_PERM_DEMAND_IMPORT] = BM_ROLE_COUNTY_ADMIN,
    [BM_PERM_DEMAND_ACT] = BM_ROLE_HANDLER | BM_ROLE_SUPERVISOR | BM_ROLE_TOWNSHIP_ADMIN |
                           BM_ROLE_COUNTY_ADMIN,
    /* ratings (好差评) and rectification of bad ratings */
    [BM_PERM_RATING_DEVICE] = BM_ROLE_CLERK,
    [BM_PERM_RATING_READ] = BM_ROLE_CLERK | BM_ROLE_HANDLER | BM_ROLE_APPROVER |
                            BM_ROLE_SUPERVISOR | BM_ROLE_TOWNSHIP_ADMIN | BM_ROLE_COUNTY_ADMIN |
                            BM_ROLE_AUDITOR,
    [BM_PERM_RECT_ACT] = BM_ROLE_HANDLER | BM_ROLE_APPROVER | BM_ROLE_TOWNSHIP_ADMIN |
                         BM_ROLE_SUPERVISOR | BM_ROLE_COUNTY_ADMIN,
};

unsigned
bm_access_roles_for(enum bm_perm perm)
{
    return (unsigned)perm < BM_PERM_COUNT ? perm_roles[perm] : 0;
}

bool
bm_access_role_allows(const struct bm_principal *p, enum bm_perm perm)
{
    if (perm == BM_PERM_PUBLIC)
        return true;
    return p != NULL && p->user_id > 0 && (p->roles & bm_access_roles_for(perm)) != 0;
}

/* "/1/4/17/" -> "/1/" : the county is the first element of every path. */
static bool
county_prefix(const char *path, char *out, size_t out_size)
{
    return bm_org_path_prefix(path, 1, out, out_size);
}

bool
bm_access_scope(const struct bm_principal *p, enum bm_perm perm, char *out, size_t out_size)
{
    unsigned granting;

    if (!bm_access_role_allows(p, perm) || p->org_path[0] == '\0')
        return false;
    granting = p->roles & bm_access_roles_for(perm);
    if (granting & BM_ROLES_COUNTY_WIDE)
        return county_prefix(p->org_path, out, out_size);
    return (size_t)snprintf(out, out_size, "%s", p->org_path) < out_size;
}

bool
bm_access_in_scope(const struct bm_principal *p, enum bm_perm perm, const char *target_path)
{
    char scope[BM_ORG_PATH_MAX];

    if (target_path == NULL || !bm_access_scope(p, perm, scope, sizeof(scope)))
        return false;
    return strncmp(target_path, scope, strlen(scope)) == 0;
}

unsigned
bm_access_grantable_roles(const struct bm_principal *p)
{
    if (p == NULL)
        return 0;
    if (p->roles & BM_ROLE_COUNTY_ADMIN)
        return BM_ROLE_ALL;
    if (p->roles & BM_ROLE_TOWNSHIP_ADMIN)
        return BM_ROLE_CLERK | BM_ROLE_HANDLER | BM_ROLE_APPROVER | BM_ROLE_TOWNSHIP_ADMIN;
    return 0;
}

/* "/1/4/17/" -> "/1/4/": the county and the first unit under it (township or department);
 * false for a user at the county itself. */
static bool
top_unit_prefix(const char *path, char *out, size_t out_size)
{
    return bm_org_path_prefix(path, 2, out, out_size);
}

bool
bm_access_case_scope(const struct bm_principal *p, char *out, size_t out_size)
{
    if (!bm_access_role_allows(p, BM_PERM_CASE_READ) || p->org_path[0] == '\0')
        return false;
    if (p->roles & bm_access_roles_for(BM_PERM_CASE_READ) & BM_ROLES_COUNTY_WIDE)
        return county_prefix(p->org_path, out, out_size);
    if (top_unit_prefix(p->org_path, out, out_size))
        return true;
    /* Staff placed at the county unit itself (not a county-wide role): the whole county. */
    return county_prefix(p->org_path, out, out_size);
}

static bool
under(const char *path, const char *prefix)
{
    return path != NULL && strncmp(path, prefix, strlen(prefix)) == 0;
}

bool
bm_access_case_actor(const struct bm_principal *p, int actor, const char *accepting_path,
                     const char *handling_path)
{
    char top[BM_ORG_PATH_MAX];
    bool has_top;

    if (p == NULL || p->user_id <= 0 || p->org_path[0] == '\0')
        return false;
    has_top = top_unit_prefix(p->org_path, top, sizeof(top));
    if (!has_top && !county_prefix(p->org_path, top, sizeof(top)))
        return false;
    switch (actor) {
    case BM_ACTOR_FRONT:
        return (p->roles & BM_ROLE_CLERK) && under(accepting_path, top);
    case BM_ACTOR_BACK:
        return (p->roles & BM_ROLE_HANDLER) && under(handling_path, top);
    case BM_ACTOR_APPROVER:
        return (p->roles & BM_ROLE_APPROVER) && under(handling_path, top);
    case BM_ACTOR_ADMIN:
        return (p->roles & BM_ROLE_COUNTY_ADMIN) && county_prefix(p->org_path, top, sizeof(top)) &&
               under(handling_path, top);
    default:
        return false;
    }
}

/* ---- demands ---- */

bool
bm_access_demand_scope(const struct bm_principal *p, char *out, size_t out_size)
{
    if (!bm_access_role_allows(p, BM_PERM_DEMAND_READ) || p->org_path[0] == '\0' ||
        out_size == 0)
        return false;
    if (p->roles & bm_access_roles_for(BM_PERM_DEMAND_READ) & BM_ROLES_COUNTY_WIDE) {
        out[0] = '\0';
        return true;
    }
    if (top_unit_prefix(p->org_path, out, out_size))
        return true;
    out[0] = '\0'; /* staff at the county unit itself: the whole county */
    return true;
}

bool
bm_access_demand_actor(const struct bm_principal *p, int actor, const char *intake_path,
                       const char *unit_path)
{
    char top[BM_ORG_PATH_MAX];

    if (p == NULL || p->user_id <= 0 || p->org_path[0] == '\0')
        return false;
    if (!top_unit_prefix(p->org_path, top, sizeof(top)))
        top[0] = '\0'; /* at the county unit: no township of their own */
    if (actor == 0) { /* dispatcher */
        if (p->roles & (BM_ROLE_COUNTY_ADMIN | BM_ROLE_SUPERVISOR))
            return true;
        return (p->roles & BM_ROLE_TOWNSHIP_ADMIN) && top[0] != '\0' &&
               ((unit_path != NULL && unit_path[0] && under(unit_path, top)) ||
                (intake_path != NULL && intake_path[0] && under(intake_path, top)));
    }
    return (p->roles & (BM_ROLE_HANDLER | BM_ROLE_TOWNSHIP_ADMIN)) && top[0] != '\0' &&
           unit_path != NULL && unit_path[0] != '\0' && under(unit_path, top);
}
