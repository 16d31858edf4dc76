/*
 * The route table. Adding an endpoint: a handler in api/<resource>.c, one line here,
 * API tests for every role, and an entry in docs/openapi.yaml.
 */
#include "api/routes.h"

#include "api/handlers.h"


const struct bm_route bm_routes[] = {
    {BM_GET, "/healthz", bm_api_healthz, BM_PERM_PUBLIC, 0, "GET /healthz"},
    {BM_GET, "/readyz", bm_api_readyz, BM_PERM_PUBLIC, 0, "GET /readyz"},
    {BM_GET, "/metrics", bm_api_metrics, BM_PERM_PUBLIC, 0, "GET /metrics"},
    {BM_GET, "/api/v1/enums", bm_api_enums, BM_PERM_PUBLIC, 0, "GET /api/v1/enums"},

    {BM_POST, "/api/v1/session", bm_api_session_create, BM_PERM_PUBLIC,
     BM_ROUTE_SLOW | BM_ROUTE_NO_CSRF, "POST /api/v1/session"},
    {BM_DELETE, "/api/v1/session", bm_api_session_delete, BM_PERM_LOGIN, 0,
     "DELETE /api/v1/session"},
    {BM_GET, "/api/v1/me", bm_api_me, BM_PERM_LOGIN, 0, "GET /api/v1/me"},
    {BM_POST, "/api/v1/me/password", bm_api_me_password, BM_PERM_LOGIN, BM_ROUTE_SLOW,
     "POST /api/v1/me/password"},

    {BM_GET, "/api/v1/org-units", bm_api_org_list, BM_PERM_LOGIN, 0, "GET /api/v1/org-units"},
    {BM_POST, "/api/v1/org-units", bm_api_org_create, BM_PERM_ORG_WRITE, 0,
     "POST /api/v1/org-units"},
    {BM_GET, "/api/v1/org-units/{id}", bm_api_org_get, BM_PERM_LOGIN, 0,
     "GET /api/v1/org-units/{id}"},
    {BM_PATCH, "/api/v1/org-units/{id}", bm_api_org_update, BM_PERM_ORG_WRITE, 0,
     "PATCH /api/v1/org-units/{id}"},

    {BM_GET, "/api/v1/users", bm_api_users_list, BM_PERM_USER_ADMIN, 0, "GET /api/v1/users"},
    {BM_POST, "/api/v1/users", bm_api_users_create, BM_PERM_USER_ADMIN, BM_ROUTE_SLOW,
     "POST /api/v1/users"},
    {BM_GET, "/api/v1/users/{id}", bm_api_users_get, BM_PERM_USER_ADMIN, 0,
     "GET /api/v1/users/{id}"},
    {BM_PATCH, "/api/v1/users/{id}", bm_api_users_update, BM_PERM_USER_ADMIN, BM_ROUTE_SLOW,
     "PATCH /api/v1/users/{id}"},

    {BM_GET, "/api/v1/api-tokens", bm_api_tokens_list, BM_PERM_TOKEN_ADMIN, 0,
     "GET /api/v1/api-tokens"},
    {BM_POST, "/api/v1/api-tokens", bm_api_tokens_create, BM_PERM_TOKEN_ADMIN, 0,
     "POST /api/v1/api-tokens"},
    {BM_DELETE, "/api/v1/api-tokens/{id}", bm_api_tokens_revoke, BM_PERM_TOKEN_ADMIN, 0,
     "DELETE /api/v1/api-tokens/{id}"},

    {BM_GET, "/api/v1/items", bm_api_items_list, BM_PERM_PUBLIC, 0, "GET /api/v1/items"},
    {BM_POST, "/api/v1/items", bm_api_items_create, BM_PERM_ITEM_WRITE, 0, "POST /api/v1/items"},
    {BM_GET, "/api/v1/items/{id}", bm_api_items_get, BM_PERM_PUBLIC, 0, "GET /api/v1/items/{id}"},
    {BM_PATCH, "/api/v1/items/{id}", bm_api_items_update, BM_PERM_ITEM_WRITE, 0,
     "PATCH /api/v1/items/{id}"},
    {BM_POST, "/api/v1/items/{id}/publish", bm_api_items_publish, BM_PERM_ITEM_PUBLISH, 0,
     "POST /api/v1/items/{id}/publish"},
    {BM_POST, "/api/v1/items/{id}/retire", bm_api_items_retire, BM_PERM_ITEM_PUBLISH, 0,
     "POST /api/v1/items/{id}/retire"},
    {BM_GET, "/api/v1/items/{id}/versions", bm_api_items_versions, BM_PERM_PUBLIC, 0,
     "GET /api/v1/items/{id}/versions"},

    {BM_GET, "/api/v1/delegations", bm_api_delegations_list, BM_PERM_PUBLIC, 0,
     "GET /api/v1/delegations"},
    {BM_POST, "/api/v1/delegations", bm_api_delegations_create, BM_PERM_ITEM_PUBLISH, 0,
     "POST /api/v1/delegations"},
    {BM_GET, "/api/v1/delegations/{id}", bm_api_delegations_get, BM_PERM_PUBLIC, 0,
     "GET /api/v1/delegations/{id}"},
    {BM_POST, "/api/v1/delegations/{id}/revoke", bm_api_delegations_revoke, BM_PERM_ITEM_PUBLISH,
     0, "POST /api/v1/delegations/{id}/revoke"},
    {BM_GET, "/api/v1/powers", bm_api_powers_list, BM_PERM_PUBLIC, 0, "GET /api/v1/powers"},
    {BM_POST, "/api/v1/powers", bm_api_powers_create, BM_PERM_ITEM_PUBLISH, 0,
     "POST /api/v1/powers"},
    {BM_GET, "/api/v1/powers/{id}", bm_api_powers_get, BM_PERM_PUBLIC, 0, "GET /api/v1/powers/{id}"},
    {BM_PATCH, "/api/v1/powers/{id}", bm_api_powers_update, BM_PERM_ITEM_PUBLISH, 0,
     "PATCH /api/v1/powers/{id}"},
    {BM_GET, "/api/v1/catalog/export", bm_api_catalog_export, BM_PERM_ITEM_WRITE, BM_ROUTE_SLOW,
     "GET /api/v1/catalog/export"},

    {BM_POST, "/api/v1/cases", bm_api_cases_create, BM_PERM_CASE_CREATE, 0, "POST /api/v1/cases"},
    {BM_GET, "/api/v1/cases", bm_api_cases_list, BM_PERM_CASE_READ, 0, "GET /api/v1/cases"},
    {BM_GET, "/api/v1/cases/{case_no}", bm_api_cases_get, BM_PERM_LOGIN, 0,
     "GET /api/v1/cases/{case_no}"},
    {BM_POST, "/api/v1/cases/{case_no}/actions", bm_api_cases_act, BM_PERM_CASE_ACT, 0,
     "POST /api/v1/cases/{case_no}/actions"},
    {BM_POST, "/api/v1/cases/{case_no}/attachments", bm_api_cases_attach, BM_PERM_CASE_ACT,
     BM_ROUTE_UPLOAD, "POST /api/v1/cases/{case_no}/attachments"},
    {BM_GET, "/api/v1/cases/{case_no}/attachments/{id}", bm_api_cases_attachment_get,
     BM_PERM_LOGIN, 0, "GET /api/v1/cases/{case_no}/attachments/{id}"},
    {BM_GET, "/api/v1/cases/{case_no}/documents/{kind}", bm_api_cases_document, BM_PERM_LOGIN, 0,
     "GET /api/v1/cases/{case_no}/documents/{kind}"},
    {BM_POST, "/api/v1/public/cases", bm_api_public_cases_create, BM_PERM_LOGIN, 0,
     "POST /api/v1/public/cases"},
    {BM_GET, "/api/v1/public/my-cases", bm_api_public_my_cases, BM_PERM_LOGIN, 0,
     "GET /api/v1/public/my-cases"},
    {BM_GET, "/api/v1/public/cases/{case_no}", bm_api_public_case_get, BM_PERM_PUBLIC, 0,
     "GET /api/v1/public/cases/{case_no}"},
    {BM_GET, "/api/v1/calendar", bm_api_calendar_list, BM_PERM_PUBLIC, 0, "GET /api/v1/calendar"},
    {BM_GET, "/api/v1/calendar/{year}", bm_api_calendar_get, BM_PERM_PUBLIC, 0,
     "GET /api/v1/calendar/{year}"},
    {BM_PUT, "/api/v1/calendar/{year}", bm_api_calendar_put, BM_PERM_CALENDAR_WRITE, 0,
     "PUT /api/v1/calendar/{year}"},

    {BM_GET, "/api/v1/audit", bm_api_audit_list, BM_PERM_AUDIT_READ, 0, "GET /api/v1/audit"},
    {BM_GET, "/api/v1/audit/verify", bm_api_audit_verify, BM_PERM_AUDIT_READ, BM_ROUTE_SLOW,
     "GET /api/v1/audit/verify"},

    /* participation (公众参与) */
    {BM_GET, "/api/v1/campaigns", bm_api_campaigns_list, BM_PERM_PARTICIPATION_READ, 0,
     "GET /api/v1/campaigns"},
    {BM_POST, "/api/v1/campaigns", bm_api_campaigns_create, BM_PERM_PARTICIPATION_WRITE, 0,
     "POST /api/v1/campaigns"},
    {BM_GET, "/api/v1/campaigns/{id}/submissions", bm_api_campaign_submissions, BM_PERM_PARTICIPATION_READ, 0,
     "GET /api/v1/campaigns/{id}/submissions"},
    {BM_POST, "/api/v1/campaigns/{id}/submissions/{sid}/response", bm_api_campaign_respond, BM_PERM_PARTICIPATION_WRITE, 0,
     "POST /api/v1/campaigns/{id}/submissions/{sid}/response"},
    {BM_POST, "/api/v1/campaigns/{id}/summary", bm_api_campaign_summarize, BM_PERM_PARTICIPATION_WRITE, 0,
     "POST /api/v1/campaigns/{id}/summary"},
    {BM_GET, "/api/v1/public/campaigns", bm_api_public_campaigns_list, BM_PERM_PUBLIC, 0,
     "GET /api/v1/public/campaigns"},
    {BM_GET, "/api/v1/public/campaigns/{id}/responses", bm_api_public_campaign_responses, BM_PERM_PUBLIC, 0,
     "GET /api/v1/public/campaigns/{id}/responses"},
    {BM_POST, "/api/v1/public/campaigns/{id}/submissions", bm_api_public_campaign_submit, BM_PERM_PUBLIC, 0,
     "POST /api/v1/public/campaigns/{id}/submissions"},
    {BM_GET, "/api/v1/hearings", bm_api_hearings_list, BM_PERM_PARTICIPATION_READ, 0,
     "GET /api/v1/hearings"},
    {BM_POST, "/api/v1/hearings", bm_api_hearings_create, BM_PERM_PARTICIPATION_WRITE, 0,
     "POST /api/v1/hearings"},
    {BM_GET, "/api/v1/hearings/{id}/participants", bm_api_hearing_participants, BM_PERM_PARTICIPATION_READ, 0,
     "GET /api/v1/hearings/{id}/participants"},
    {BM_POST, "/api/v1/hearings/{id}/record", bm_api_hearing_record, BM_PERM_PARTICIPATION_WRITE, 0,
     "POST /api/v1/hearings/{id}/record"},
    {BM_GET, "/api/v1/public/hearings", bm_api_public_hearings_list, BM_PERM_PUBLIC, 0,
     "GET /api/v1/public/hearings"},
    {BM_POST, "/api/v1/public/hearings/{id}/registrations", bm_api_public_hearing_register, BM_PERM_PUBLIC, 0,
     "POST /api/v1/public/hearings/{id}/registrations"},
    {BM_GET, "/api/v1/households", bm_api_households_list, BM_PERM_PARTICIPATION_READ, 0,
     "GET /api/v1/households"},
    {BM_POST, "/api/v1/households", bm_api_households_import, BM_PERM_PARTICIPATION_WRITE, 0,
     "POST /api/v1/households"},
    {BM_PUT, "/api/v1/households/{id}/cadre", bm_api_household_assign, BM_PERM_PARTICIPATION_WRITE, 0,
     "PUT /api/v1/households/{id}/cadre"},
    {BM_GET, "/api/v1/households/coverage", bm_api_households_coverage, BM_PERM_PARTICIPATION_READ, 0,
     "GET /api/v1/households/coverage"},
};

const size_t bm_n_routes = sizeof(bm_routes) / sizeof(bm_routes[0]);

const char *const *
bm_route_labels(void)
{
    static const char *labels[sizeof(bm_routes) / sizeof(bm_routes[0])];
    for (size_t i = 0; i < bm_n_routes; i++)
        labels[i] = bm_routes[i].label;
    return labels;
}
