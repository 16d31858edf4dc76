/*
 * Access decisions: role-to-permission matrix and organisation scope.
 */
#include "core/access.h"

#include <stdio.h>
#include <string.h>

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
    const char *end;
    size_t n;

    if (path[0] != '/' || (end = strchr(path + 1, '/')) == NULL)
        return false;
    n = (size_t)(end - path) + 1;
    if (n >= out_size)
        return false;
    memcpy(out, path, n);
    out[n] = '\0';
    return true;
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
