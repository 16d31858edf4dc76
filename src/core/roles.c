/*
 * Role codes and names.
 */
#include "core/roles.h"

#include <string.h>

static const struct {
    enum bm_role role;
    const char *code, *zh;
} roles[BM_ROLE_COUNT] = {
    {BM_ROLE_CITIZEN, "citizen", "群众"},
    {BM_ROLE_CLERK, "clerk", "综合窗口受理员"},
    {BM_ROLE_HANDLER, "handler", "后台承办人"},
    {BM_ROLE_APPROVER, "approver", "审批人"},
    {BM_ROLE_SUPERVISOR, "supervisor", "效能监督员"},
    {BM_ROLE_TOWNSHIP_ADMIN, "township_admin", "乡镇管理员"},
    {BM_ROLE_COUNTY_ADMIN, "county_admin", "县级管理员"},
    {BM_ROLE_EVALUATOR, "evaluator", "考核人员"},
    {BM_ROLE_AUDITOR, "auditor", "审计员"},
};

enum bm_role
bm_role_at(int i)
{
    return roles[i].role;
}

bool
bm_role_parse(const char *code, enum bm_role *out)
{
    for (int i = 0; i < BM_ROLE_COUNT; i++) {
        if (strcmp(code, roles[i].code) == 0) {
            *out = roles[i].role;
            return true;
        }
    }
    return false;
}

const char *
bm_role_code(enum bm_role r)
{
    for (int i = 0; i < BM_ROLE_COUNT; i++)
        if (roles[i].role == r)
            return roles[i].code;
    return "unknown";
}

const char *
bm_role_name_zh(enum bm_role r)
{
    for (int i = 0; i < BM_ROLE_COUNT; i++)
        if (roles[i].role == r)
            return roles[i].zh;
    return "未知";
}
