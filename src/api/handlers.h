/*
 * Every endpoint handler, grouped by the file that defines it. routes.c wires them up.
 */
#ifndef BM_API_HANDLERS_H
#define BM_API_HANDLERS_H

#include "api/req.h"

/* health.c */
enum bm_rc bm_api_healthz(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_readyz(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_metrics(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_enums(struct bm_req *rq, struct bm_resp *rs);

/* session.c */
enum bm_rc bm_api_session_create(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_session_delete(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_me(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_me_password(struct bm_req *rq, struct bm_resp *rs);

/* org_units.c */
enum bm_rc bm_api_org_list(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_org_get(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_org_create(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_org_update(struct bm_req *rq, struct bm_resp *rs);

/* users.c */
enum bm_rc bm_api_users_list(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_users_get(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_users_create(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_users_update(struct bm_req *rq, struct bm_resp *rs);

/* tokens.c */
enum bm_rc bm_api_tokens_list(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_tokens_create(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_tokens_revoke(struct bm_req *rq, struct bm_resp *rs);

/* audit.c */
enum bm_rc bm_api_audit_list(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_audit_verify(struct bm_req *rq, struct bm_resp *rs);

/* items.c */
enum bm_rc bm_api_items_list(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_items_get(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_items_create(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_items_update(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_items_publish(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_items_retire(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_items_versions(struct bm_req *rq, struct bm_resp *rs);

/* catalog.c */
enum bm_rc bm_api_delegations_list(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_delegations_get(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_delegations_create(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_delegations_revoke(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_powers_list(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_powers_get(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_powers_create(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_powers_update(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_catalog_export(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_catalog_import(struct bm_req *rq, struct bm_resp *rs);

/* cases.c */
enum bm_rc bm_api_cases_create(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_cases_list(struct bm_req *rq, struct bm_resp *rs);

/* sup_records.c */
enum bm_rc bm_api_sup_list(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_sup_get(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_sup_create(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_sup_act(struct bm_req *rq, struct bm_resp *rs);

/* supervision.c */
enum bm_rc bm_api_supervision_warnings(struct bm_req *rq, struct bm_resp *rs);
/* stats.c */
enum bm_rc bm_api_stats_cases(struct bm_req *rq, struct bm_resp *rs);
/*
 * One round of the deadline-warning job (the server's warner thread), in steps that run
 * whatever the others did: accepts the applications left undecided past 5 working days
 * (行政许可法 art. 32), turns yellow cards unexplained past 3 working days into red ones,
 * returns applications whose supplement notice went unanswered for return_after_days, gives
 * delivered cases nobody rated within 7 days the default rating (default_rating), and
 * sends each running case's handler and unit head the yellow or red warning due on
 * rq->now's day, once per deadline and level, safely with several processes. Counts the
 * cases and cards acted on, and the messages; returns the first step's error, if any.
 */
enum bm_rc bm_api_warn_round(struct bm_req *rq, int *warned, int *messages);
enum bm_rc bm_api_cases_get(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_public_cases_create(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_public_my_cases(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_public_case_get(struct bm_req *rq, struct bm_resp *rs);

/* case_actions.c */
enum bm_rc bm_api_cases_act(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_cases_assignees(struct bm_req *rq, struct bm_resp *rs);

/* case_files.c */
enum bm_rc bm_api_cases_attach(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_cases_attachment_get(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_cases_document(struct bm_req *rq, struct bm_resp *rs);

/* calendar.c */
enum bm_rc bm_api_calendar_list(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_calendar_get(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_calendar_put(struct bm_req *rq, struct bm_resp *rs);

/* disclosure.c */
enum bm_rc bm_api_pubs_create(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_pubs_list(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_pubs_get(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_pubs_update(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_pubs_publish(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_pubs_withdraw(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_pubs_history(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_pubs_attach(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_pubs_attachment_get(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_public_pubs_list(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_public_pubs_get(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_public_pubs_attachment_get(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_public_pubs_feed(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_public_pub_categories(struct bm_req *rq, struct bm_resp *rs);

/* users.c: the JSON form of a user, shared with session.c */
struct json_t;
struct json_t *bm_api_user_json(const struct bm_user *u);

/* participation (公众参与): participation.c, hearings.c, households.c, receptions.c,
 * deputies.c */
enum bm_rc bm_api_campaigns_list(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_campaigns_create(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_campaign_submissions(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_campaign_respond(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_campaign_summarize(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_public_campaigns_list(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_public_campaign_responses(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_public_campaign_submit(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_hearings_list(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_hearings_create(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_hearing_participants(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_hearing_record(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_public_hearings_list(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_public_hearing_register(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_households_list(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_households_import(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_household_assign(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_households_coverage(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_receptions_list(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_receptions_create(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_public_receptions_list(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_reception_visits(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_reception_visit_create(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_reception_follow_ups(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_reception_follow_up(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_deputies_list(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_deputies_create(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_deputy_deactivate(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_deputy_matters_list(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_deputy_matter_assign(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_deputy_matter_answer(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_public_deputy_submit(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_public_deputy_matters(struct bm_req *rq, struct bm_resp *rs);
/* ratings.c: ratings (好差评) and rectification of bad ratings */
enum bm_rc bm_api_public_rating_create(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_public_rating_follow_up(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_cases_rating_create(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_ratings_list(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_ratings_get(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_rects_list(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_rects_get(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_rects_act(struct bm_req *rq, struct bm_resp *rs);

/* demands.c */
enum bm_rc bm_api_public_demands_create(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_public_demand_get(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_public_demand_feedback(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_demands_create(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_demands_import(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_demands_list(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_demands_get(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_demands_act(struct bm_req *rq, struct bm_resp *rs);

/* evaluation.c, evaluation_run.c: township performance evaluation (绩效考核) */
enum bm_rc bm_api_eval_plans_list(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_eval_plans_create(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_eval_plans_get(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_eval_plans_update(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_eval_comparison(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_eval_periods_list(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_eval_periods_create(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_eval_periods_get(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_eval_scores(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_eval_surveys(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_eval_dept_ratings_create(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_eval_dept_ratings_list(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_eval_inputs_list(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_eval_vetoes_create(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_eval_run(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_eval_results_list(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_eval_result_get(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_eval_close(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_eval_publish(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_eval_export(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_eval_followups_list(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_eval_followups_create(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_eval_followup_complete(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_eval_comments_list(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_public_eval_periods(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_public_eval_results(struct bm_req *rq, struct bm_resp *rs);
enum bm_rc bm_api_public_eval_comment(struct bm_req *rq, struct bm_resp *rs);

#endif
