/*
 * The roles of docs/architecture.md as a bit set, with their stable API codes and
 * Chinese names.
 */
#ifndef BM_CORE_ROLES_H
#define BM_CORE_ROLES_H

#include <stdbool.h>

enum bm_role {
    BM_ROLE_CITIZEN = 1u << 0,
    BM_ROLE_CLERK = 1u << 1,
    BM_ROLE_HANDLER = 1u << 2,
    BM_ROLE_APPROVER = 1u << 3,
    BM_ROLE_SUPERVISOR = 1u << 4,
    BM_ROLE_TOWNSHIP_ADMIN = 1u << 5,
    BM_ROLE_COUNTY_ADMIN = 1u << 6,
    BM_ROLE_EVALUATOR = 1u << 7,
    BM_ROLE_AUDITOR = 1u << 8,
};

#define BM_ROLE_COUNT 9
#define BM_ROLE_ALL ((1u << BM_ROLE_COUNT) - 1)
/* Roles whose reach is the whole county rather than their own unit's subtree. */
#define BM_ROLES_COUNTY_WIDE \
    (BM_ROLE_COUNTY_ADMIN | BM_ROLE_SUPERVISOR | BM_ROLE_EVALUATOR | BM_ROLE_AUDITOR)

/* The i-th role (0 <= i < BM_ROLE_COUNT) in canonical order. */
enum bm_role bm_role_at(int i);
/* "clerk" -> BM_ROLE_CLERK; false if unknown. */
bool bm_role_parse(const char *code, enum bm_role *out);
const char *bm_role_code(enum bm_role r);
const char *bm_role_name_zh(enum bm_role r);

#endif
