/*
 * Unit tests of core/demand.c: categories and their limits, ticket numbers, the state
 * machine (reopen once, return and merge), and the demand permissions of core/access.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/access.h"
#include "core/demand.h"

static void
test_categories_and_limits(void **state)
{
    (void)state;
    assert_int_equal(bm_code_find(bm_demand_categories, "consult"), BM_DEMAND_CONSULT);
    assert_int_equal(bm_code_find(bm_demand_categories, "report"), BM_DEMAND_REPORT);
    assert_int_equal(bm_code_find(bm_demand_categories, "praise"), BM_DEMAND_PRAISE);
    assert_int_equal(bm_code_find(bm_demand_categories, "gossip"), -1);
    assert_string_equal(bm_demand_categories[BM_DEMAND_COMPLAINT].zh, "投诉");
    /* Bianmin defaults (domain 5.3): consultation 1, help 3, the rest 5 working days. */
    assert_int_equal(bm_demand_limit_days(BM_DEMAND_CONSULT), 1);
    assert_int_equal(bm_demand_limit_days(BM_DEMAND_HELP), 3);
    assert_int_equal(bm_demand_limit_days(BM_DEMAND_COMPLAINT), 5);
    assert_int_equal(bm_demand_limit_days(BM_DEMAND_REPORT), 5);
    assert_int_equal(bm_demand_limit_days(BM_DEMAND_SUGGESTION), 5);
}

static void
test_ticket_numbers(void **state)
{
    char no[BM_DEMAND_NO_LEN + 1];
    (void)state;
    assert_true(bm_demand_no_format("110118", 20261205, 1, no));
    assert_string_equal(no, "D110118202612050001");
    assert_true(bm_demand_no_valid(no));
    assert_true(bm_demand_no_format("110118", 20261205, 9999, no));
    assert_string_equal(no, "D110118202612059999");
    assert_false(bm_demand_no_format("110118", 20261205, 10000, no));
    assert_false(bm_demand_no_format("11011", 20261205, 1, no));
    assert_false(bm_demand_no_format("11011x", 20261205, 1, no));
    assert_false(bm_demand_no_valid("110118202612050001"));
    assert_false(bm_demand_no_valid("D11011820261205000X"));
    assert_false(bm_demand_no_valid("D1101182026120500011"));
    assert_false(bm_demand_no_valid(NULL));
}

static struct bm_demand_state
st(enum bm_demand_status s, bool unit, int ext, int reopened)
{
    struct bm_demand_state x = {s, unit, ext, reopened};
    return x;
}

static void
test_transitions(void **state)
{
    struct bm_err err;
    struct bm_demand_state s = st(BM_DEMAND_SUBMITTED, false, 0, 0);
    (void)state;

    assert_int_equal(bm_demand_apply(&s, BM_DA_DISPATCH, false, false, &err), BM_OK);
    assert_int_equal(s.status, BM_DEMAND_DISPATCHED);
    assert_true(s.has_unit);
    assert_int_equal(bm_demand_apply(&s, BM_DA_ACCEPT, false, false, &err), BM_OK);
    assert_int_equal(bm_demand_apply(&s, BM_DA_EXTEND, false, false, &err), BM_OK);
    assert_int_equal(bm_demand_apply(&s, BM_DA_REPLY, false, false, &err), BM_OK);
    assert_int_equal(s.status, BM_DEMAND_REPLIED);
    /* Unresolved and unsatisfied: reopened once. */
    assert_int_equal(bm_demand_apply(&s, BM_DA_CALLBACK, false, true, &err), BM_OK);
    assert_int_equal(s.status, BM_DEMAND_ACCEPTED);
    assert_int_equal(s.reopen_count, 1);
    assert_int_equal(bm_demand_apply(&s, BM_DA_REPLY, false, false, &err), BM_OK);
    /* The second time it closes all the same. */
    assert_int_equal(bm_demand_apply(&s, BM_DA_CALLBACK, false, true, &err), BM_OK);
    assert_int_equal(s.status, BM_DEMAND_CLOSED);
    assert_int_equal(bm_demand_apply(&s, BM_DA_REOPEN, false, false, &err), BM_ETRANSITION);
    assert_int_equal(s.status, BM_DEMAND_CLOSED);

    /* Resolved, or merely unsatisfied: closed. */
    s = st(BM_DEMAND_REPLIED, true, 0, 0);
    assert_int_equal(bm_demand_apply(&s, BM_DA_CALLBACK, true, true, &err), BM_OK);
    assert_int_equal(s.status, BM_DEMAND_CLOSED);
    s = st(BM_DEMAND_REPLIED, true, 0, 0);
    assert_int_equal(bm_demand_apply(&s, BM_DA_CALLBACK, false, false, &err), BM_OK);
    assert_int_equal(s.status, BM_DEMAND_CLOSED);
    /* The dispatcher's reopen of a closed order, once. */
    assert_int_equal(bm_demand_apply(&s, BM_DA_REOPEN, false, false, &err), BM_OK);
    assert_int_equal(s.status, BM_DEMAND_ACCEPTED);
    assert_int_equal(s.reopen_count, 1);

    /* A closed order cannot be answered: a conflict, state unchanged. */
    s = st(BM_DEMAND_CLOSED, true, 0, 0);
    assert_int_equal(bm_demand_apply(&s, BM_DA_REPLY, false, false, &err), BM_ETRANSITION);
    assert_int_equal(s.status, BM_DEMAND_CLOSED);
    assert_non_null(strstr(err.message, "已办结"));
    /* One extension only. */
    s = st(BM_DEMAND_ACCEPTED, true, 5, 0);
    assert_int_equal(bm_demand_apply(&s, BM_DA_EXTEND, false, false, &err), BM_ETRANSITION);
    /* Return goes back to the dispatcher without a unit. */
    assert_int_equal(bm_demand_apply(&s, BM_DA_RETURN, false, false, &err), BM_OK);
    assert_int_equal(s.status, BM_DEMAND_SUBMITTED);
    assert_false(s.has_unit);
    assert_int_equal(bm_demand_apply(&s, BM_DA_ACCEPT, false, false, &err), BM_ETRANSITION);
    assert_int_equal(bm_demand_apply(&s, BM_DA_REOPEN, false, false, &err), BM_ETRANSITION);
    /* Merge from any state before the answer; never twice. */
    assert_int_equal(bm_demand_apply(&s, BM_DA_MERGE, false, false, &err), BM_OK);
    assert_int_equal(s.status, BM_DEMAND_MERGED);
    assert_int_equal(bm_demand_apply(&s, BM_DA_MERGE, false, false, &err), BM_ETRANSITION);
    s = st(BM_DEMAND_REPLIED, true, 0, 0);
    assert_int_equal(bm_demand_apply(&s, BM_DA_MERGE, false, false, &err), BM_ETRANSITION);
    /* Close only after an answer. */
    s = st(BM_DEMAND_ACCEPTED, true, 0, 0);
    assert_int_equal(bm_demand_apply(&s, BM_DA_CLOSE, false, false, &err), BM_ETRANSITION);
}

static void
test_actors(void **state)
{
    struct bm_principal admin = {.user_id = 1, .roles = BM_ROLE_COUNTY_ADMIN, .org_path = "/1/"};
    struct bm_principal sup = {.user_id = 2, .roles = BM_ROLE_SUPERVISOR, .org_path = "/1/3/"};
    struct bm_principal town = {.user_id = 3, .roles = BM_ROLE_TOWNSHIP_ADMIN,
                                .org_path = "/1/5/"};
    struct bm_principal handler = {.user_id = 4, .roles = BM_ROLE_HANDLER,
                                   .org_path = "/1/5/9/"};
    struct bm_principal other = {.user_id = 5, .roles = BM_ROLE_HANDLER, .org_path = "/1/6/"};
    struct bm_principal clerk = {.user_id = 6, .roles = BM_ROLE_CLERK, .org_path = "/1/5/8/"};
    char scope[BM_ORG_PATH_MAX];
    (void)state;

    assert_int_equal(bm_demand_action_actor(BM_DA_REPLY), BM_DEMAND_BY_UNIT);
    assert_int_equal(bm_demand_action_actor(BM_DA_ACCEPT), BM_DEMAND_BY_UNIT);
    assert_int_equal(bm_demand_action_actor(BM_DA_DISPATCH), BM_DEMAND_BY_DISPATCHER);
    assert_int_equal(bm_demand_action_actor(BM_DA_CALLBACK), BM_DEMAND_BY_DISPATCHER);
    /* Dispatchers: county-wide roles anywhere, a township administrator in their township. */
    assert_true(bm_access_demand_actor(&admin, BM_DEMAND_BY_DISPATCHER, "", ""));
    assert_true(bm_access_demand_actor(&sup, BM_DEMAND_BY_DISPATCHER, "", ""));
    assert_false(bm_access_demand_actor(&town, BM_DEMAND_BY_DISPATCHER, "", ""));
    assert_true(bm_access_demand_actor(&town, BM_DEMAND_BY_DISPATCHER, "/1/5/8/", ""));
    assert_false(bm_access_demand_actor(&town, BM_DEMAND_BY_DISPATCHER, "/1/6/", ""));
    assert_false(bm_access_demand_actor(&handler, BM_DEMAND_BY_DISPATCHER, "/1/5/8/", "/1/5/"));
    /* The unit: its township's handlers and administrator. */
    assert_true(bm_access_demand_actor(&handler, BM_DEMAND_BY_UNIT, "", "/1/5/"));
    assert_true(bm_access_demand_actor(&handler, BM_DEMAND_BY_UNIT, "", "/1/5/10/"));
    assert_true(bm_access_demand_actor(&town, BM_DEMAND_BY_UNIT, "", "/1/5/"));
    assert_false(bm_access_demand_actor(&other, BM_DEMAND_BY_UNIT, "", "/1/5/"));
    assert_false(bm_access_demand_actor(&clerk, BM_DEMAND_BY_UNIT, "", "/1/5/"));
    assert_false(bm_access_demand_actor(&admin, BM_DEMAND_BY_UNIT, "", "/1/5/"));
    assert_false(bm_access_demand_actor(&handler, BM_DEMAND_BY_UNIT, "", ""));
    /* Scope of the list. */
    assert_true(bm_access_demand_scope(&admin, scope, sizeof(scope)));
    assert_string_equal(scope, "");
    assert_true(bm_access_demand_scope(&handler, scope, sizeof(scope)));
    assert_string_equal(scope, "/1/5/");
    {
        struct bm_principal citizen = {.user_id = 7, .roles = BM_ROLE_CITIZEN};
        struct bm_principal eval = {.user_id = 8, .roles = BM_ROLE_EVALUATOR, .org_path = "/1/"};
        assert_false(bm_access_demand_scope(&citizen, scope, sizeof(scope)));
        assert_false(bm_access_demand_scope(&eval, scope, sizeof(scope)));
    }
}

/* The demand permissions by role (the rest of the matrix is in test_access.c). */
static void
test_demand_perms(void **state)
{
    static const struct {
        enum bm_perm perm;
        unsigned roles;
    } want[] = {
        {BM_PERM_DEMAND_READ, BM_ROLE_CLERK | BM_ROLE_HANDLER | BM_ROLE_APPROVER |
                                  BM_ROLE_SUPERVISOR | BM_ROLE_TOWNSHIP_ADMIN |
                                  BM_ROLE_COUNTY_ADMIN | BM_ROLE_AUDITOR},
        {BM_PERM_DEMAND_INTAKE, BM_ROLE_CLERK | BM_ROLE_TOWNSHIP_ADMIN | BM_ROLE_COUNTY_ADMIN},
        {BM_PERM_DEMAND_IMPORT, BM_ROLE_COUNTY_ADMIN},
        {BM_PERM_DEMAND_ACT, BM_ROLE_HANDLER | BM_ROLE_SUPERVISOR | BM_ROLE_TOWNSHIP_ADMIN |
                                 BM_ROLE_COUNTY_ADMIN},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        assert_int_equal(bm_access_roles_for(want[i].perm), want[i].roles);
        for (int r = 0; r < BM_ROLE_COUNT; r++) {
            struct bm_principal p = {.user_id = 9, .roles = 1u << r, .org_path = "/1/5/"};
            assert_int_equal(bm_access_role_allows(&p, want[i].perm),
                             (want[i].roles & (1u << r)) != 0);
        }
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_categories_and_limits),
        cmocka_unit_test(test_ticket_numbers),
        cmocka_unit_test(test_transitions),
        cmocka_unit_test(test_actors),
        cmocka_unit_test(test_demand_perms),
    };
    return cmocka_run_group_tests_name("demand", tests, NULL, NULL);
}
