/*
 * Unit tests for src/core/access.c: the role x permission matrix, the scope of county-wide
 * and unit-bound roles in the organisation tree, in_scope on path prefixes, grantable roles.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/access.h"
#include "core/case.h"

static struct bm_principal
who(unsigned roles, const char *path)
{
    struct bm_principal p = {.user_id = 42, .username = "tester", .roles = roles,
                             .org_unit_id = path[0] ? 17 : 0};
    snprintf(p.org_path, sizeof(p.org_path), "%s", path);
    return p;
}

/* One row per role: does it hold PUBLIC, LOGIN, STAFF, ORG_WRITE, USER_ADMIN, TOKEN_ADMIN,
 * AUDIT_READ, ITEM_WRITE, ITEM_PUBLISH, CASE_READ, CASE_CREATE, CASE_ACT, CALENDAR_WRITE,
 * SUPERVISE, STATS_READ? */
#define T true
#define F false
static const struct {
    unsigned role;
    const char *name;
    bool perm[BM_PERM_COUNT];
} matrix[] = {
    /*                           PUB LOGIN STAFF ORG_W USER_A TOKEN AUDIT ITEM_W ITEM_P
     *                           C_READ C_CREATE C_ACT CAL_W SUPERVISE STATS */
    {BM_ROLE_CITIZEN, "citizen", {T, T, F, F, F, F, F, F, F, F, T, T, F, F, F}},
    {BM_ROLE_CLERK, "clerk", {T, T, T, F, F, F, F, F, F, T, T, T, F, F, F}},
    {BM_ROLE_HANDLER, "handler", {T, T, T, F, F, F, F, F, F, T, F, T, F, F, F}},
    {BM_ROLE_APPROVER, "approver", {T, T, T, F, F, F, F, F, F, T, F, T, F, F, F}},
    {BM_ROLE_SUPERVISOR, "supervisor", {T, T, T, F, F, F, F, F, F, T, F, F, F, T, T}},
    {BM_ROLE_TOWNSHIP_ADMIN, "township_admin", {T, T, T, T, T, F, F, T, F, T, F, F, F, F, T}},
    {BM_ROLE_COUNTY_ADMIN, "county_admin", {T, T, T, T, T, T, T, T, T, T, F, T, T, T, T}},
    {BM_ROLE_EVALUATOR, "evaluator", {T, T, T, F, F, F, F, F, F, F, F, F, F, F, T}},
    {BM_ROLE_AUDITOR, "auditor", {T, T, T, F, F, F, T, F, F, T, F, F, F, F, T}},
};
#undef T
#undef F

static const char *const perm_names[BM_PERM_COUNT] = {
    "PUBLIC", "LOGIN", "STAFF", "ORG_WRITE", "USER_ADMIN", "TOKEN_ADMIN", "AUDIT_READ",
    "ITEM_WRITE", "ITEM_PUBLISH", "CASE_READ", "CASE_CREATE", "CASE_ACT", "CALENDAR_WRITE",
    "SUPERVISE", "STATS_READ",
};

/* Case scope: county-wide roles see the county, others their township or department. */
static void
test_case_scope(void **state)
{
    char out[BM_ORG_PATH_MAX];
    struct bm_principal p;
    (void)state;

    p = who(BM_ROLE_CLERK, "/1/4/17/");
    assert_true(bm_access_case_scope(&p, out, sizeof(out)));
    assert_string_equal(out, "/1/4/");
    p = who(BM_ROLE_HANDLER, "/1/9/");
    assert_true(bm_access_case_scope(&p, out, sizeof(out)));
    assert_string_equal(out, "/1/9/");
    p = who(BM_ROLE_SUPERVISOR, "/1/2/");
    assert_true(bm_access_case_scope(&p, out, sizeof(out)));
    assert_string_equal(out, "/1/");
    p = who(BM_ROLE_CITIZEN, "");
    assert_false(bm_access_case_scope(&p, out, sizeof(out)));
    p = who(BM_ROLE_EVALUATOR, "/1/2/");
    assert_false(bm_access_case_scope(&p, out, sizeof(out)));
}

/* Who takes a step: the accepting township's clerk, the handling unit's handler or
 * approver (anywhere in its township or department), a county administrator. */
static void
test_case_actor(void **state)
{
    struct bm_principal clerk = who(BM_ROLE_CLERK, "/1/4/17/");
    struct bm_principal other_clerk = who(BM_ROLE_CLERK, "/1/5/30/");
    struct bm_principal handler = who(BM_ROLE_HANDLER, "/1/9/");
    struct bm_principal approver = who(BM_ROLE_APPROVER, "/1/9/44/");
    struct bm_principal admin = who(BM_ROLE_COUNTY_ADMIN, "/1/");
    (void)state;

    assert_true(bm_access_case_actor(&clerk, BM_ACTOR_FRONT, "/1/4/17/", "/1/9/"));
    assert_false(bm_access_case_actor(&other_clerk, BM_ACTOR_FRONT, "/1/4/17/", "/1/9/"));
    assert_false(bm_access_case_actor(&clerk, BM_ACTOR_BACK, "/1/4/17/", "/1/9/"));
    assert_true(bm_access_case_actor(&handler, BM_ACTOR_BACK, "/1/4/17/", "/1/9/"));
    assert_false(bm_access_case_actor(&handler, BM_ACTOR_BACK, "/1/4/17/", "/1/8/"));
    assert_false(bm_access_case_actor(&handler, BM_ACTOR_APPROVER, "/1/4/17/", "/1/9/"));
    assert_true(bm_access_case_actor(&approver, BM_ACTOR_APPROVER, "/1/4/17/", "/1/9/"));
    assert_false(bm_access_case_actor(&approver, BM_ACTOR_FRONT, "/1/4/17/", "/1/9/"));
    assert_true(bm_access_case_actor(&admin, BM_ACTOR_ADMIN, "/1/4/17/", "/1/9/"));
    assert_false(bm_access_case_actor(&clerk, BM_ACTOR_ADMIN, "/1/4/17/", "/1/9/"));
    assert_false(bm_access_case_actor(&admin, BM_ACTOR_ADMIN, "/2/4/17/", "/2/9/"));
    assert_false(bm_access_case_actor(&clerk, BM_ACTOR_APPLICANT, "/1/4/17/", "/1/9/"));
}

static void
test_role_matrix(void **state)
{
    (void)state;
    assert_int_equal(sizeof(matrix) / sizeof(matrix[0]), BM_ROLE_COUNT);
    for (size_t r = 0; r < sizeof(matrix) / sizeof(matrix[0]); r++) {
        struct bm_principal p = who(matrix[r].role, "/1/4/17/");

        /* Permissions after STATS_READ are checked by their areas' own unit tests. */
        for (int perm = 0; perm <= BM_PERM_STATS_READ; perm++) {
            bool got = bm_access_role_allows(&p, (enum bm_perm)perm);
            bool in_set = (bm_access_roles_for((enum bm_perm)perm) & matrix[r].role) != 0;

            if (got != matrix[r].perm[perm] || in_set != matrix[r].perm[perm])
                fail_msg("%s / %s: role_allows %d, roles_for %d, want %d", matrix[r].name,
                         perm_names[perm], got, in_set, matrix[r].perm[perm]);
        }
    }
}

/* The permissions of the ratings area (好差评): the window's device, reading, rectification. */
static void
test_rating_perms(void **state)
{
    (void)state;
    assert_int_equal(bm_access_roles_for(BM_PERM_RATING_DEVICE), BM_ROLE_CLERK);
    assert_int_equal(bm_access_roles_for(BM_PERM_RATING_READ),
                     BM_ROLE_CLERK | BM_ROLE_HANDLER | BM_ROLE_APPROVER | BM_ROLE_SUPERVISOR |
                         BM_ROLE_TOWNSHIP_ADMIN | BM_ROLE_COUNTY_ADMIN | BM_ROLE_AUDITOR);
    assert_int_equal(bm_access_roles_for(BM_PERM_RECT_ACT),
                     BM_ROLE_HANDLER | BM_ROLE_APPROVER | BM_ROLE_SUPERVISOR |
                         BM_ROLE_TOWNSHIP_ADMIN | BM_ROLE_COUNTY_ADMIN);
}

/* The permissions of the participation area (公众参与). */
static void
test_participation_perms(void **state)
{
    (void)state;
    assert_int_equal(bm_access_roles_for(BM_PERM_PARTICIPATION_READ),
                     BM_ROLE_SUPERVISOR | BM_ROLE_TOWNSHIP_ADMIN | BM_ROLE_COUNTY_ADMIN);
    assert_int_equal(bm_access_roles_for(BM_PERM_PARTICIPATION_WRITE),
                     BM_ROLE_TOWNSHIP_ADMIN | BM_ROLE_COUNTY_ADMIN);
    assert_int_equal(bm_access_roles_for(BM_PERM_DEPUTY_ADMIN), BM_ROLE_COUNTY_ADMIN);
}

static void
test_roles_for(void **state)
{
    (void)state;
    assert_int_equal(bm_access_roles_for(BM_PERM_PUBLIC), BM_ROLE_ALL);
    assert_int_equal(bm_access_roles_for(BM_PERM_LOGIN), BM_ROLE_ALL);
    assert_int_equal(bm_access_roles_for(BM_PERM_STAFF), BM_ROLE_ALL & ~(unsigned)BM_ROLE_CITIZEN);
    assert_int_equal(bm_access_roles_for(BM_PERM_TOKEN_ADMIN), BM_ROLE_COUNTY_ADMIN);
    assert_int_equal(bm_access_roles_for(BM_PERM_COUNT), 0);
}

static void
test_role_allows_edge_cases(void **state)
{
    struct bm_principal anon = who(0, "");
    struct bm_principal no_id = who(BM_ROLE_COUNTY_ADMIN, "/1/");
    struct bm_principal mixed = who(BM_ROLE_CLERK | BM_ROLE_AUDITOR, "/1/4/");

    (void)state;
    anon.user_id = 0;
    /* Nobody logged in: public only. */
    assert_true(bm_access_role_allows(&anon, BM_PERM_PUBLIC));
    assert_false(bm_access_role_allows(&anon, BM_PERM_LOGIN));
    assert_false(bm_access_role_allows(&anon, BM_PERM_STAFF));
    assert_true(bm_access_role_allows(NULL, BM_PERM_PUBLIC));
    assert_false(bm_access_role_allows(NULL, BM_PERM_LOGIN));
    /* Roles without a user id do not count. */
    no_id.user_id = 0;
    assert_false(bm_access_role_allows(&no_id, BM_PERM_ORG_WRITE));
    assert_false(bm_access_role_allows(&no_id, BM_PERM_LOGIN));
    /* Several roles: any one that grants is enough. */
    assert_true(bm_access_role_allows(&mixed, BM_PERM_AUDIT_READ));
    assert_true(bm_access_role_allows(&mixed, BM_PERM_STAFF));
    assert_false(bm_access_role_allows(&mixed, BM_PERM_USER_ADMIN));
    /* An unknown permission is granted to nobody. */
    assert_false(bm_access_role_allows(&mixed, BM_PERM_COUNT));
}

static void
test_scope(void **state)
{
    static const struct {
        unsigned roles;
        const char *path;
        enum bm_perm perm;
        const char *scope; /* NULL: no scope */
    } cases[] = {
        /* county-wide roles reach the county, wherever their own unit is */
        {BM_ROLE_COUNTY_ADMIN, "/1/", BM_PERM_ORG_WRITE, "/1/"},
        {BM_ROLE_COUNTY_ADMIN, "/1/2/", BM_PERM_USER_ADMIN, "/1/"},
        {BM_ROLE_SUPERVISOR, "/1/4/17/", BM_PERM_STAFF, "/1/"},
        {BM_ROLE_EVALUATOR, "/1/2/", BM_PERM_STAFF, "/1/"},
        {BM_ROLE_AUDITOR, "/1/3/", BM_PERM_AUDIT_READ, "/1/"},
        {BM_ROLE_COUNTY_ADMIN, "/23/", BM_PERM_TOKEN_ADMIN, "/23/"},
        /* the others reach their own unit's subtree */
        {BM_ROLE_TOWNSHIP_ADMIN, "/1/4/", BM_PERM_ORG_WRITE, "/1/4/"},
        {BM_ROLE_TOWNSHIP_ADMIN, "/1/4/", BM_PERM_USER_ADMIN, "/1/4/"},
        {BM_ROLE_CLERK, "/1/4/17/", BM_PERM_STAFF, "/1/4/17/"},
        {BM_ROLE_HANDLER, "/1/2/", BM_PERM_STAFF, "/1/2/"},
        {BM_ROLE_CITIZEN, "", BM_PERM_LOGIN, NULL},          /* no unit, no scope */
        /* the scope follows the role that grants the permission */
        {BM_ROLE_TOWNSHIP_ADMIN | BM_ROLE_SUPERVISOR, "/1/4/", BM_PERM_STAFF, "/1/"},
        {BM_ROLE_TOWNSHIP_ADMIN | BM_ROLE_SUPERVISOR, "/1/4/", BM_PERM_ORG_WRITE, "/1/4/"},
        {BM_ROLE_CLERK | BM_ROLE_AUDITOR, "/1/4/", BM_PERM_AUDIT_READ, "/1/"},
        {BM_ROLE_CLERK | BM_ROLE_AUDITOR, "/1/4/", BM_PERM_LOGIN, "/1/"},
        /* no permission, no scope */
        {BM_ROLE_CLERK, "/1/4/17/", BM_PERM_ORG_WRITE, NULL},
        {BM_ROLE_SUPERVISOR, "/1/4/", BM_PERM_AUDIT_READ, NULL},
        {BM_ROLE_TOWNSHIP_ADMIN, "/1/4/", BM_PERM_TOKEN_ADMIN, NULL},
        /* staff without a unit path */
        {BM_ROLE_CLERK, "", BM_PERM_STAFF, NULL},
        {BM_ROLE_COUNTY_ADMIN, "", BM_PERM_ORG_WRITE, NULL},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct bm_principal p = who(cases[i].roles, cases[i].path);
        char out[BM_ORG_PATH_MAX] = "untouched";
        bool ok = bm_access_scope(&p, cases[i].perm, out, sizeof(out));

        if (ok != (cases[i].scope != NULL) || (ok && strcmp(out, cases[i].scope) != 0))
            fail_msg("case %zu (%s, %s): got %d \"%s\", want %s", i, cases[i].path,
                     perm_names[cases[i].perm], ok, out, cases[i].scope ? cases[i].scope : "none");
    }
}

static void
test_scope_out_buffer(void **state)
{
    struct bm_principal t = who(BM_ROLE_TOWNSHIP_ADMIN, "/1/4/");
    struct bm_principal c = who(BM_ROLE_COUNTY_ADMIN, "/1/4/");
    char out[6];

    (void)state;
    /* "/1/4/" needs 6 bytes. */
    assert_true(bm_access_scope(&t, BM_PERM_ORG_WRITE, out, 6));
    assert_string_equal(out, "/1/4/");
    assert_false(bm_access_scope(&t, BM_PERM_ORG_WRITE, out, 5));
    assert_true(bm_access_scope(&c, BM_PERM_ORG_WRITE, out, 4));
    assert_string_equal(out, "/1/");
    assert_false(bm_access_scope(&c, BM_PERM_ORG_WRITE, out, 3));
}

static void
test_in_scope(void **state)
{
    static const struct {
        unsigned roles;
        const char *path;
        enum bm_perm perm;
        const char *target;
        bool in;
    } cases[] = {
        /* a township administrator: the township and everything under it */
        {BM_ROLE_TOWNSHIP_ADMIN, "/1/4/", BM_PERM_ORG_WRITE, "/1/4/", true},
        {BM_ROLE_TOWNSHIP_ADMIN, "/1/4/", BM_PERM_ORG_WRITE, "/1/4/17/", true},
        {BM_ROLE_TOWNSHIP_ADMIN, "/1/4/", BM_PERM_ORG_WRITE, "/1/4/17/230/", true},
        {BM_ROLE_TOWNSHIP_ADMIN, "/1/4/", BM_PERM_ORG_WRITE, "/1/", false},     /* above */
        {BM_ROLE_TOWNSHIP_ADMIN, "/1/4/", BM_PERM_ORG_WRITE, "/1/5/", false},   /* sibling */
        {BM_ROLE_TOWNSHIP_ADMIN, "/1/4/", BM_PERM_ORG_WRITE, "/1/45/", false},  /* shares "4" */
        {BM_ROLE_TOWNSHIP_ADMIN, "/1/4/", BM_PERM_ORG_WRITE, "/1/45/4/", false},
        {BM_ROLE_TOWNSHIP_ADMIN, "/1/4/", BM_PERM_ORG_WRITE, "/1/40/17/", false},
        {BM_ROLE_TOWNSHIP_ADMIN, "/1/4/", BM_PERM_ORG_WRITE, "/2/4/", false},
        {BM_ROLE_TOWNSHIP_ADMIN, "/1/4/", BM_PERM_ORG_WRITE, "/1/4", false},
        {BM_ROLE_TOWNSHIP_ADMIN, "/1/4/", BM_PERM_ORG_WRITE, "", false},
        {BM_ROLE_TOWNSHIP_ADMIN, "/1/4/", BM_PERM_TOKEN_ADMIN, "/1/4/17/", false}, /* no perm */
        /* a county administrator: the whole county, not another one */
        {BM_ROLE_COUNTY_ADMIN, "/1/", BM_PERM_ORG_WRITE, "/1/", true},
        {BM_ROLE_COUNTY_ADMIN, "/1/", BM_PERM_ORG_WRITE, "/1/45/", true},
        {BM_ROLE_COUNTY_ADMIN, "/1/", BM_PERM_ORG_WRITE, "/1/4/17/", true},
        {BM_ROLE_COUNTY_ADMIN, "/1/", BM_PERM_ORG_WRITE, "/12/", false},        /* shares "1" */
        {BM_ROLE_COUNTY_ADMIN, "/1/", BM_PERM_ORG_WRITE, "/2/", false},
        /* county-wide roles placed in a unit still see the county */
        {BM_ROLE_SUPERVISOR, "/1/4/17/", BM_PERM_STAFF, "/1/5/", true},
        {BM_ROLE_SUPERVISOR, "/1/4/17/", BM_PERM_STAFF, "/10/5/", false},
        {BM_ROLE_AUDITOR, "/1/3/", BM_PERM_AUDIT_READ, "/1/45/9/", true},
        /* a clerk: own unit only */
        {BM_ROLE_CLERK, "/1/4/17/", BM_PERM_STAFF, "/1/4/17/", true},
        {BM_ROLE_CLERK, "/1/4/17/", BM_PERM_STAFF, "/1/4/", false},
        {BM_ROLE_CLERK, "/1/4/17/", BM_PERM_STAFF, "/1/4/171/", false},
        {BM_ROLE_CLERK, "/1/4/17/", BM_PERM_STAFF, "/1/4/18/", false},
        /* a citizen has no unit */
        {BM_ROLE_CITIZEN, "", BM_PERM_LOGIN, "/1/", false},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct bm_principal p = who(cases[i].roles, cases[i].path);

        if (bm_access_in_scope(&p, cases[i].perm, cases[i].target) != cases[i].in)
            fail_msg("case %zu: %s in scope of %s under %s: want %d", i, cases[i].target,
                     cases[i].path, perm_names[cases[i].perm], cases[i].in);
    }
    {
        struct bm_principal c = who(BM_ROLE_COUNTY_ADMIN, "/1/");
        assert_false(bm_access_in_scope(&c, BM_PERM_ORG_WRITE, NULL));
    }
}

static void
test_grantable_roles(void **state)
{
    static const unsigned office = BM_ROLE_CLERK | BM_ROLE_HANDLER | BM_ROLE_APPROVER;
    struct bm_principal county = who(BM_ROLE_COUNTY_ADMIN, "/1/");
    struct bm_principal town = who(BM_ROLE_TOWNSHIP_ADMIN, "/1/4/");
    unsigned g;

    (void)state;
    assert_int_equal(bm_access_grantable_roles(&county), BM_ROLE_ALL);

    /* Front and back office roles, and nothing with a county-wide reach. */
    g = bm_access_grantable_roles(&town);
    assert_int_equal(g & office, office);
    assert_int_equal(g & BM_ROLES_COUNTY_WIDE, 0);
    assert_int_equal(g & BM_ROLE_COUNTY_ADMIN, 0);
    assert_int_equal(g & BM_ROLE_CITIZEN, 0);
    assert_int_equal(g & ~BM_ROLE_ALL, 0);

    /* A county administrator who is also a township administrator keeps the larger set. */
    town.roles |= BM_ROLE_COUNTY_ADMIN;
    assert_int_equal(bm_access_grantable_roles(&town), BM_ROLE_ALL);

    /* Everybody else grants nothing. */
    for (int i = 0; i < BM_ROLE_COUNT; i++) {
        unsigned r = bm_role_at(i);
        struct bm_principal p = who(r, "/1/4/");

        if (r == BM_ROLE_COUNTY_ADMIN || r == BM_ROLE_TOWNSHIP_ADMIN)
            continue;
        if (bm_access_grantable_roles(&p) != 0)
            fail_msg("%s may grant roles", bm_role_code(r));
    }
    assert_int_equal(bm_access_grantable_roles(NULL), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_role_matrix),
        cmocka_unit_test(test_case_scope),
        cmocka_unit_test(test_case_actor),
        cmocka_unit_test(test_roles_for),
        cmocka_unit_test(test_rating_perms),
        cmocka_unit_test(test_participation_perms),
        cmocka_unit_test(test_role_allows_edge_cases),
        cmocka_unit_test(test_scope),
        cmocka_unit_test(test_scope_out_buffer),
        cmocka_unit_test(test_in_scope),
        cmocka_unit_test(test_grantable_roles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
