/*
 * Private to src/store: the table of operations a backend fills (one slot per store.h
 * verb) and the head every backend's connection struct starts with. store.c dispatches the
 * public bm_store_* functions through it, so callers never know which backend they talk to.
 */
#ifndef BM_STORE_BACKEND_H
#define BM_STORE_BACKEND_H

#include "store/copy.h"
#include "store/store.h"

/*
 * The store's county: the root unit made by `bianmin init`. Rows without a parent that
 * names their county (a citizen's account, a log-in failure for an unknown name) take it.
 */
#define BM_SQL_STORE_COUNTY                                                                 \
    "(SELECT county_code FROM org_units WHERE parent_id IS NULL ORDER BY id LIMIT 1)"

/* ---- case statistics: shared by both backends (placeholders spelled by P: "?" or "$") ---- */

/* A statistics query's rows at most (some 100,000 summary rows). */
#define BM_STATS_MAX_BYTES (32u << 20)

/* One case as the statistics read it, with its own copies of the org paths. */
struct bm_stat_snap {
    char county[16];
    char accepting_path[128], handling_path[128];
    struct bm_stat_case c; /* the paths point into the two buffers */
};

/* Clears `out` and copies the county and the two paths into it (BM_EINTERNAL if too long). */
BM_MUST_CHECK enum bm_rc bm_stat_snap_init(struct bm_stat_snap *out, const char *county,
                                           const char *accepting_path, const char *handling_path,
                                           struct bm_err *err);

typedef enum bm_rc (*bm_stat_snap_fn)(void *ctx, const struct bm_stat_snap *s,
                                      struct bm_err *err);
/* A stored summary row: its counters in d (no day changes) and its histogram. */
typedef enum bm_rc (*bm_stat_row_fn)(void *ctx, const char *county,
                                     const struct bm_stat_delta *d, const unsigned char *days,
                                     size_t days_len, struct bm_err *err);

/* Columns of bm_stat_snap, read by both backends in this order (then the case id). */
#define BM_SQL_STAT_CASE                                                                     \
    "SELECT c.county_code, a.path, h.path, c.item_id, c.channel, c.status, c.submitted_at, "  \
    "c.decided_at, c.closed_at, coalesce(c.accept_day, -2147483648), "                        \
    "coalesce(c.due_day, -2147483648), c.used_days, c.visits, coalesce(r.level, 0), "          \
    "coalesce(r.created_at, 0), c.id FROM cases c "                                                  \
    "JOIN org_units a ON a.id = c.accepting_unit_id "                                          \
    "JOIN org_units h ON h.id = c.handling_unit_id "                                           \
    "LEFT JOIN ratings r ON r.case_id = c.id AND r.kind = 'initial' "

/* The counters of case_stats in enum bm_stat_counter order. */
#define BM_SQL_STAT_COUNTERS                                                                 \
    "received, online_n, accepted, rejected, completed, on_time, early, overdue, same_day, "  \
    "days_sum, days_known, delivered, one_visit, zero_visit, rated, satisfied, good, bad"
#define BM_SQL_STAT_KEY "county_code, grain, period, town_id, dept_id, item_id, online"

/* Adds a delta row's counters: key in 1..7, counters in 8..25. */
#define BM_SQL_STAT_UPSERT(P)                                                                \
    "INSERT INTO case_stats (" BM_SQL_STAT_KEY ", " BM_SQL_STAT_COUNTERS ") VALUES ("        \
    P "1, " P "2, " P "3, " P "4, " P "5, " P "6, " P "7, " P "8, " P "9, " P "10, " P "11, " \
    P "12, " P "13, " P "14, " P "15, " P "16, " P "17, " P "18, " P "19, " P "20, " P "21, " \
    P "22, " P "23, " P "24, " P "25) ON CONFLICT (" BM_SQL_STAT_KEY ") DO UPDATE "          \
    "SET received = case_stats.received + excluded.received, "                                \
    "online_n = case_stats.online_n + excluded.online_n, "                                    \
    "accepted = case_stats.accepted + excluded.accepted, "                                    \
    "rejected = case_stats.rejected + excluded.rejected, "                                    \
    "completed = case_stats.completed + excluded.completed, "                                 \
    "on_time = case_stats.on_time + excluded.on_time, "                                       \
    "early = case_stats.early + excluded.early, "                                             \
    "overdue = case_stats.overdue + excluded.overdue, "                                       \
    "same_day = case_stats.same_day + excluded.same_day, "                                    \
    "days_sum = case_stats.days_sum + excluded.days_sum, "                                    \
    "days_known = case_stats.days_known + excluded.days_known, "                              \
    "delivered = case_stats.delivered + excluded.delivered, "                                 \
    "one_visit = case_stats.one_visit + excluded.one_visit, "                                 \
    "zero_visit = case_stats.zero_visit + excluded.zero_visit, "                              \
    "rated = case_stats.rated + excluded.rated, "                                             \
    "satisfied = case_stats.satisfied + excluded.satisfied, "                                 \
    "good = case_stats.good + excluded.good, bad = case_stats.bad + excluded.bad"

/* One row by its key (1..7; I casts integer parameters); its histogram is parameter 8. */
#define BM_SQL_STAT_ROW(P, I)                                                                \
    " WHERE county_code = " P "1 AND grain = " P "2" I " AND period = " P "3" I               \
    " AND town_id = " P "4" I " AND dept_id = " P "5" I " AND item_id = " P "6" I             \
    " AND online = " P "7" I
#define BM_SQL_STAT_DAYS_GET(P, I) "SELECT days FROM case_stats" BM_SQL_STAT_ROW(P, I)
#define BM_SQL_STAT_DAYS_SET(P, I) "UPDATE case_stats SET days = " P "8" BM_SQL_STAT_ROW(P, I)

/*
 * A period's rows (no grouping: the histograms are summed in C), the dimension's column
 * first (enum bm_stat_dim order), then the counters and the histogram. Parameters: county 1,
 * grain 2, period from 3 to 4, top unit 5 (0 all).
 */
#define BM_SQL_STAT_WHERE(P, I)                                                              \
    " WHERE s.county_code = " P "1 AND s.grain = " P "2" I " AND s.period BETWEEN " P "3" I    \
    " AND " P "4" I " AND (" P "5" I " = 0 OR s.town_id = " P "5" I " OR s.dept_id = " P "5" I \
    ")"
#define BM_SQL_STAT_BY(P, I, col)                                                            \
    "SELECT " col ", " BM_SQL_STAT_COUNTERS ", days FROM case_stats s" BM_SQL_STAT_WHERE(P, I)
#define BM_SQL_STAT_QUERIES(P, I)                                                            \
    {BM_SQL_STAT_BY(P, I, "s.town_id"), BM_SQL_STAT_BY(P, I, "s.dept_id"),                   \
     BM_SQL_STAT_BY(P, I, "s.item_id"), BM_SQL_STAT_BY(P, I, "s.period"),                    \
     BM_SQL_STAT_BY(P, I, "s.online")}

/* Display names of a county's units and item versions, by id. */
#define BM_SQL_STAT_UNIT_NAMES(P)                                                            \
    "SELECT id, '', name FROM org_units WHERE county_code = " P "1 ORDER BY id"
#define BM_SQL_STAT_ITEM_NAMES(P)                                                            \
    "SELECT id, code, name FROM items WHERE county_code = " P "1 ORDER BY id"

struct bm_stat_name {
    int64_t id;
    const char *code, *name;
};

struct bm_store_ops {
    const char *name; /* "sqlite", "postgres" */
    void (*close)(struct bm_store *st);
    enum bm_rc (*migrate)(struct bm_store *st, int *n_applied, struct bm_err *err);
    enum bm_rc (*schema_version)(struct bm_store *st, int *have, int *known, struct bm_err *err);
    enum bm_rc (*begin)(struct bm_store *st, struct bm_err *err);
    enum bm_rc (*commit)(struct bm_store *st, struct bm_err *err);
    void (*rollback)(struct bm_store *st);
    enum bm_rc (*ping)(struct bm_store *st, struct bm_err *err);
    enum bm_rc (*backup)(struct bm_store *st, const char *dest, struct bm_err *err);
    enum bm_rc (*org_insert)(struct bm_store *st, const struct bm_org_unit *u, int64_t now, int64_t *id, struct bm_err *err);
    enum bm_rc (*org_get)(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_org_unit *out, struct bm_err *err);
    enum bm_rc (*org_list)(struct bm_store *st, const char *path_prefix, struct bm_arena *a, struct bm_org_unit **out, size_t *n, struct bm_err *err);
    enum bm_rc (*org_update)(struct bm_store *st, const struct bm_org_unit *u, int64_t now, struct bm_err *err);
    enum bm_rc (*org_count)(struct bm_store *st, int64_t *n, struct bm_err *err);
    enum bm_rc (*user_insert)(struct bm_store *st, const struct bm_user *u, const char *password_hash, int64_t now, int64_t *id, struct bm_err *err);
    enum bm_rc (*user_get)(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_user *out, struct bm_err *err);
    enum bm_rc (*user_get_login)(struct bm_store *st, const char *username, struct bm_arena *a, struct bm_user *out, const char **password_hash, struct bm_err *err);
    enum bm_rc (*users_list)(struct bm_store *st, const char *path_prefix, int64_t after_id, int limit, struct bm_arena *a, struct bm_user **out, size_t *n, struct bm_err *err);
    enum bm_rc (*user_update)(struct bm_store *st, const struct bm_user *u, int64_t now, struct bm_err *err);
    enum bm_rc (*user_set_password)(struct bm_store *st, int64_t user_id, const char *password_hash, int64_t now, struct bm_err *err);
    enum bm_rc (*user_count)(struct bm_store *st, int64_t *n, struct bm_err *err);
    enum bm_rc (*session_insert)(struct bm_store *st, const unsigned char hash[BM_TOKEN_HASH_LEN], int64_t user_id, const char *csrf_token, const char *ip, const char *user_agent, int64_t now, int64_t expires_at, int64_t *id, struct bm_err *err);
    enum bm_rc (*auth_session)(struct bm_store *st, const unsigned char hash[BM_TOKEN_HASH_LEN], int64_t now, struct bm_arena *a, struct bm_auth *out, struct bm_err *err);
    enum bm_rc (*session_touch)(struct bm_store *st, int64_t session_id, int64_t now, int64_t expires_at, int64_t max_age_s, struct bm_err *err);
    enum bm_rc (*session_delete)(struct bm_store *st, int64_t session_id, struct bm_err *err);
    enum bm_rc (*sessions_delete_user)(struct bm_store *st, int64_t user_id, struct bm_err *err);
    enum bm_rc (*token_insert)(struct bm_store *st, const struct bm_api_token *t, const unsigned char hash[BM_TOKEN_HASH_LEN], int64_t *id, struct bm_err *err);
    enum bm_rc (*auth_token)(struct bm_store *st, const unsigned char hash[BM_TOKEN_HASH_LEN], int64_t now, struct bm_arena *a, struct bm_auth *out, struct bm_err *err);
    enum bm_rc (*tokens_list)(struct bm_store *st, const char *path_prefix, struct bm_arena *a, struct bm_api_token **out, size_t *n, struct bm_err *err);
    enum bm_rc (*token_get)(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_api_token *out, const char **user_path, struct bm_err *err);
    enum bm_rc (*token_revoke)(struct bm_store *st, int64_t id, int64_t now, struct bm_err *err);
    enum bm_rc (*login_failures)(struct bm_store *st, const char *username, const char *ip, int64_t since, int64_t *n_user, int64_t *n_ip, struct bm_err *err);
    enum bm_rc (*login_failure_add)(struct bm_store *st, const char *username, const char *ip, int64_t now, struct bm_err *err);
    enum bm_rc (*login_failures_clear)(struct bm_store *st, const char *username, int64_t before, struct bm_err *err);
    enum bm_rc (*user_touch_login)(struct bm_store *st, int64_t user_id, int64_t now, struct bm_err *err);
    enum bm_rc (*audit_append)(struct bm_store *st, struct bm_audit_entry *e, struct bm_err *err);
    enum bm_rc (*audit_list)(struct bm_store *st, const char *county, int64_t cursor, bool newest_first, int limit, struct bm_arena *a, struct bm_audit_entry **out, size_t *n, struct bm_err *err);
    enum bm_rc (*audit_head)(struct bm_store *st, const char *county, int64_t *last_id, unsigned char hash[BM_AUDIT_HASH_LEN], struct bm_err *err);
    enum bm_rc (*audit_chains)(struct bm_store *st, struct bm_arena *a, const char ***out, size_t *n, struct bm_err *err);
    enum bm_rc (*item_insert)(struct bm_store *st, const struct bm_item *it, int64_t now, int64_t *id, struct bm_err *err);
    enum bm_rc (*item_get)(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_item *out, struct bm_err *err);
    enum bm_rc (*item_update)(struct bm_store *st, const struct bm_item *it, int64_t now, struct bm_err *err);
    enum bm_rc (*item_set_status)(struct bm_store *st, int64_t id, int64_t version, int status, int64_t now, struct bm_err *err);
    enum bm_rc (*item_versions)(struct bm_store *st, const char *code, struct bm_arena *a, struct bm_item **out, size_t *n, struct bm_err *err);
    enum bm_rc (*item_last_version)(struct bm_store *st, const char *code, int *last, struct bm_err *err);
    enum bm_rc (*items_search)(struct bm_store *st, const struct bm_item_query *q, struct bm_arena *a, struct bm_item **out, size_t *n, struct bm_err *err);
    enum bm_rc (*delegation_insert)(struct bm_store *st, const struct bm_delegation *d, int64_t now, int64_t *id, struct bm_err *err);
    enum bm_rc (*delegation_get)(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_delegation *out, struct bm_err *err);
    enum bm_rc (*delegations_list)(struct bm_store *st, struct bm_arena *a, struct bm_delegation **out, size_t *n, struct bm_err *err);
    enum bm_rc (*delegation_revoke)(struct bm_store *st, int64_t id, int64_t version, int64_t now, struct bm_err *err);
    enum bm_rc (*power_insert)(struct bm_store *st, const struct bm_power *p, int64_t now, int64_t *id, struct bm_err *err);
    enum bm_rc (*power_get)(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_power *out, struct bm_err *err);
    enum bm_rc (*powers_list)(struct bm_store *st, int64_t township_id, struct bm_arena *a, struct bm_power **out, size_t *n, struct bm_err *err);
    enum bm_rc (*power_update)(struct bm_store *st, const struct bm_power *p, int64_t now, struct bm_err *err);
    void (*tune_for_batch)(struct bm_store *st);
    enum bm_rc (*calendar_load)(struct bm_store *st, struct bm_arena *a, struct bm_cal_year **out, size_t *n, struct bm_err *err);
    enum bm_rc (*calendar_stamp)(struct bm_store *st, int64_t *stamp, struct bm_err *err);
    enum bm_rc (*calendar_put)(struct bm_store *st, const struct bm_cal_year *y, int64_t version, int64_t now, struct bm_err *err);
    enum bm_rc (*case_next_seq)(struct bm_store *st, const char *town_code, int ymd, int *seq, struct bm_err *err);
    enum bm_rc (*case_insert)(struct bm_store *st, const struct bm_case *c, int64_t now, int64_t *id, struct bm_err *err);
    enum bm_rc (*case_get)(struct bm_store *st, const char *case_no, struct bm_arena *a, struct bm_case *out, struct bm_err *err);
    enum bm_rc (*case_update)(struct bm_store *st, const struct bm_case *c, int64_t now, struct bm_err *err);
    enum bm_rc (*cases_list)(struct bm_store *st, const struct bm_case_query *q, struct bm_arena *a, struct bm_case **out, size_t *n, struct bm_err *err);
    enum bm_rc (*sup_insert)(struct bm_store *st, const struct bm_sup_record *r, int64_t *id, struct bm_err *err);
    enum bm_rc (*sup_get)(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_sup_record *out, struct bm_err *err);
    enum bm_rc (*sup_list)(struct bm_store *st, const struct bm_sup_query *q, struct bm_arena *a, struct bm_sup_record **out, size_t *n, struct bm_err *err);
    enum bm_rc (*sup_update)(struct bm_store *st, const struct bm_sup_record *r, struct bm_err *err);
    enum bm_rc (*cases_unrated)(struct bm_store *st, int64_t closed_after, int64_t closed_until, int64_t after_closed, int64_t after_id, int limit, struct bm_arena *a, struct bm_case **out, size_t *n, struct bm_err *err);
    enum bm_rc (*cases_to_warn)(struct bm_store *st, bm_day today, int64_t after_id, int limit, struct bm_arena *a, struct bm_case **out, size_t *n, struct bm_err *err);
    enum bm_rc (*case_set_warn_day)(struct bm_store *st, int64_t case_id, bm_day warn_day, struct bm_err *err);
    enum bm_rc (*case_mark_warned)(struct bm_store *st, int64_t case_id, int level, bm_day due, bool *claimed, struct bm_err *err);
    enum bm_rc (*case_event_insert)(struct bm_store *st, const struct bm_case_event *e, struct bm_err *err);
    enum bm_rc (*case_events)(struct bm_store *st, int64_t case_id, struct bm_arena *a, struct bm_case_event **out, size_t *n, struct bm_err *err);
    enum bm_rc (*case_pause_insert)(struct bm_store *st, const struct bm_case_pause *p, struct bm_err *err);
    enum bm_rc (*case_pause_end)(struct bm_store *st, int64_t case_id, bm_day to_day, int64_t now, struct bm_err *err);
    enum bm_rc (*case_pauses)(struct bm_store *st, int64_t case_id, struct bm_arena *a, struct bm_case_pause **out, size_t *n, struct bm_err *err);
    enum bm_rc (*attachment_insert)(struct bm_store *st, const struct bm_attachment *at, const void *content, int64_t *id, struct bm_err *err);
    enum bm_rc (*attachments_list)(struct bm_store *st, int64_t case_id, struct bm_arena *a, struct bm_attachment **out, size_t *n, struct bm_err *err);
    enum bm_rc (*attachment_get)(struct bm_store *st, int64_t case_id, int64_t id, struct bm_arena *a, struct bm_attachment *out, void **content, struct bm_err *err);
    enum bm_rc (*certificate_insert)(struct bm_store *st, const struct bm_certificate *c, int64_t *id, struct bm_err *err);
    enum bm_rc (*certificates_of)(struct bm_store *st, const unsigned char holder_hash[32], struct bm_arena *a, struct bm_certificate **out, size_t *n, struct bm_err *err);
    enum bm_rc (*idem_get)(struct bm_store *st, int64_t user_id, const char *key, unsigned char body_hash[32], int64_t *case_id, const char **case_no, struct bm_arena *a, struct bm_err *err);
    enum bm_rc (*idem_put)(struct bm_store *st, int64_t user_id, const char *key, const unsigned char body_hash[32], int64_t case_id, int64_t now, struct bm_err *err);
    enum bm_rc (*outbox_insert)(struct bm_store *st, const struct bm_outbox_msg *m, int64_t now, struct bm_err *err);
    enum bm_rc (*outbox_claim)(struct bm_store *st, int64_t now, int lease_s, int limit, struct bm_arena *a, struct bm_outbox_msg **out, size_t *n, struct bm_err *err);
    enum bm_rc (*outbox_done)(struct bm_store *st, int64_t id, bool sent, const char *error, int64_t retry_at, int64_t now, struct bm_err *err);
    enum bm_rc (*outbox_of_case)(struct bm_store *st, int64_t case_id, struct bm_arena *a, struct bm_outbox_msg **out, size_t *n, struct bm_err *err);

    /* disclosure */
    enum bm_rc (*pub_insert)(struct bm_store *st, const struct bm_publication *p, int64_t *id, struct bm_err *err);
    enum bm_rc (*pub_get)(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_publication *out, struct bm_err *err);
    enum bm_rc (*pub_update)(struct bm_store *st, const struct bm_publication *p, struct bm_err *err);
    enum bm_rc (*pubs_list)(struct bm_store *st, const struct bm_pub_query *q, struct bm_arena *a, struct bm_publication **out, size_t *n, struct bm_err *err);
    enum bm_rc (*pub_file_insert)(struct bm_store *st, const struct bm_pub_file *f, const void *content, int64_t *id, struct bm_err *err);
    enum bm_rc (*pub_files)(struct bm_store *st, int64_t publication_id, struct bm_arena *a, struct bm_pub_file **out, size_t *n, struct bm_err *err);
    enum bm_rc (*pub_file_get)(struct bm_store *st, int64_t publication_id, int64_t id, struct bm_arena *a, struct bm_pub_file *out, void **content, struct bm_err *err);
    enum bm_rc (*pub_event_insert)(struct bm_store *st, const struct bm_pub_event *e, struct bm_err *err);
    enum bm_rc (*pub_events)(struct bm_store *st, int64_t publication_id, struct bm_arena *a, struct bm_pub_event **out, size_t *n, struct bm_err *err);
    /* ratings (好差评) and rectification of bad ratings */
    enum bm_rc (*rating_insert)(struct bm_store *st, const struct bm_rating *r, int64_t *id, struct bm_err *err);
    enum bm_rc (*rating_get)(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_rating *out, struct bm_err *err);
    enum bm_rc (*ratings_of_case)(struct bm_store *st, int64_t case_id, struct bm_arena *a, struct bm_rating **out, size_t *n, struct bm_err *err);
    enum bm_rc (*ratings_list)(struct bm_store *st, const struct bm_rating_query *q, struct bm_arena *a, struct bm_rating **out, size_t *n, struct bm_err *err);
    enum bm_rc (*rating_counts)(struct bm_store *st, const char *handling_prefix, int64_t from, int64_t to, int64_t counts[6], struct bm_err *err);
    enum bm_rc (*rect_insert)(struct bm_store *st, const struct bm_rectification *r, int64_t now, int64_t *id, struct bm_err *err);
    enum bm_rc (*rect_get)(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_rectification *out, struct bm_err *err);
    enum bm_rc (*rect_update)(struct bm_store *st, const struct bm_rectification *r, int64_t now, struct bm_err *err);
    enum bm_rc (*rects_list)(struct bm_store *st, const struct bm_rect_query *q, struct bm_arena *a, struct bm_rectification **out, size_t *n, struct bm_err *err);
    /* township performance evaluation (绩效考核) */
    enum bm_rc (*eval_plan_insert)(struct bm_store *st, const struct bm_eval_plan *p, int64_t now, int64_t *id, struct bm_err *err);
    enum bm_rc (*eval_plan_get)(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_eval_plan *out, struct bm_err *err);
    enum bm_rc (*eval_plans_list)(struct bm_store *st, int64_t year, struct bm_arena *a, struct bm_eval_plan **out, size_t *n, struct bm_err *err);
    enum bm_rc (*eval_plan_update)(struct bm_store *st, const struct bm_eval_plan *p, int64_t now, struct bm_err *err);
    enum bm_rc (*eval_period_insert)(struct bm_store *st, const struct bm_eval_period *p, int64_t now, int64_t *id, struct bm_err *err);
    enum bm_rc (*eval_period_get)(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_eval_period *out, struct bm_err *err);
    enum bm_rc (*eval_periods_list)(struct bm_store *st, bool published_only, struct bm_arena *a, struct bm_eval_period **out, size_t *n, struct bm_err *err);
    enum bm_rc (*eval_period_update)(struct bm_store *st, const struct bm_eval_period *p, int64_t now, struct bm_err *err);
    enum bm_rc (*eval_input_put)(struct bm_store *st, const struct bm_eval_input *in, int64_t now, struct bm_err *err);
    enum bm_rc (*eval_inputs_list)(struct bm_store *st, int64_t period_id, struct bm_arena *a, struct bm_eval_input **out, size_t *n, struct bm_err *err);
    enum bm_rc (*eval_counts)(struct bm_store *st, const char *township_path, int64_t from, int64_t to, struct bm_eval_counts *out, struct bm_err *err);
    enum bm_rc (*eval_veto_insert)(struct bm_store *st, const struct bm_eval_veto *v, int64_t now, int64_t *id, struct bm_err *err);
    enum bm_rc (*eval_vetoes_list)(struct bm_store *st, int64_t period_id, struct bm_arena *a, struct bm_eval_veto **out, size_t *n, struct bm_err *err);
    enum bm_rc (*eval_results_put)(struct bm_store *st, int64_t period_id, const struct bm_eval_result *rs, size_t n, int64_t now, struct bm_err *err);
    enum bm_rc (*eval_results_list)(struct bm_store *st, int64_t period_id, struct bm_arena *a, struct bm_eval_result **out, size_t *n, struct bm_err *err);
    enum bm_rc (*eval_comment_insert)(struct bm_store *st, const struct bm_eval_comment *c, int64_t now, int64_t *id, struct bm_err *err);
    enum bm_rc (*eval_comments_list)(struct bm_store *st, int64_t period_id, int64_t after_id, int limit, struct bm_arena *a, struct bm_eval_comment **out, size_t *n, struct bm_err *err);
    enum bm_rc (*eval_followup_insert)(struct bm_store *st, const struct bm_eval_followup *f, int64_t now, int64_t *id, struct bm_err *err);
    enum bm_rc (*eval_followup_get)(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_eval_followup *out, struct bm_err *err);
    enum bm_rc (*eval_followups_list)(struct bm_store *st, int64_t period_id, struct bm_arena *a, struct bm_eval_followup **out, size_t *n, struct bm_err *err);
    enum bm_rc (*eval_followup_update)(struct bm_store *st, const struct bm_eval_followup *f, int64_t now, struct bm_err *err);

    /* Whole-store copy (copy.c): a read snapshot of the source, rows out as text, rows in,
     * and the per-table finish (statement release; identity sequences on PostgreSQL). */
    enum bm_rc (*begin_snapshot)(struct bm_store *st, struct bm_err *err);
    /* bm_store_read_begin's snapshot; NULL where each statement had better read alone. */
    enum bm_rc (*begin_read)(struct bm_store *st, struct bm_err *err);
    /* bm_store_map_reads; NULL where reads have no memory map to take. */
    void (*map_reads)(struct bm_store *st);
    /* bm_store_defer_durability and bm_store_when_durable; NULL where COMMIT is durable. */
    void (*defer_durability)(struct bm_store *st);
    bool (*when_durable)(struct bm_store *st, struct bm_durable *d);
    /* bm_store_sync_failed; NULL where the server syncs no file itself (PostgreSQL). */
    bool (*sync_failed)(struct bm_store *st);
    enum bm_rc (*count_rows)(struct bm_store *st, const struct bm_copy_table *t, int64_t *n,
                             struct bm_err *err);
    enum bm_rc (*copy_out)(struct bm_store *st, const struct bm_copy_table *t, bm_copy_row_fn fn,
                           void *ctx, int64_t *rows, struct bm_err *err);
    enum bm_rc (*copy_in)(struct bm_store *st, const struct bm_copy_table *t,
                          const char *const *values, struct bm_err *err);
    enum bm_rc (*copy_finish)(struct bm_store *st, const struct bm_copy_table *t,
                              struct bm_err *err);

    /* participation (公众参与) */
    enum bm_rc (*campaign_insert)(struct bm_store *st, const struct bm_campaign *c, int64_t now, int64_t *id, struct bm_err *err);
    enum bm_rc (*campaign_get)(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_campaign *out, struct bm_err *err);
    enum bm_rc (*campaigns_list)(struct bm_store *st, const char *path_prefix, bm_day started_by, int64_t after_id, int limit, struct bm_arena *a, struct bm_campaign **out, size_t *n, struct bm_err *err);
    enum bm_rc (*campaign_summarize)(struct bm_store *st, int64_t id, const char *summary, int64_t now, struct bm_err *err);
    enum bm_rc (*submission_insert)(struct bm_store *st, const struct bm_campaign_submission *s, int64_t now, int64_t *id, struct bm_err *err);
    enum bm_rc (*submissions_list)(struct bm_store *st, int64_t campaign_id, bool responded_only, int64_t after_id, int limit, struct bm_arena *a, struct bm_campaign_submission **out, size_t *n, struct bm_err *err);
    enum bm_rc (*submission_respond)(struct bm_store *st, int64_t campaign_id, int64_t id, const char *response, int64_t user_id, int64_t now, struct bm_err *err);
    enum bm_rc (*hearing_insert)(struct bm_store *st, const struct bm_hearing *h, int64_t now, int64_t *id, struct bm_err *err);
    enum bm_rc (*hearing_get)(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_hearing *out, struct bm_err *err);
    enum bm_rc (*hearings_list)(struct bm_store *st, const char *path_prefix, const char *kind, int64_t after_id, int limit, struct bm_arena *a, struct bm_hearing **out, size_t *n, struct bm_err *err);
    enum bm_rc (*hearing_record)(struct bm_store *st, int64_t id, const char *minutes, const char *outcome, int64_t now, struct bm_err *err);
    enum bm_rc (*hearing_register)(struct bm_store *st, const struct bm_hearing_participant *p, int64_t now, int64_t *id, struct bm_err *err);
    enum bm_rc (*participants_list)(struct bm_store *st, int64_t hearing_id, struct bm_arena *a, struct bm_hearing_participant **out, size_t *n, struct bm_err *err);
    enum bm_rc (*household_insert)(struct bm_store *st, const struct bm_household *h, int64_t now, int64_t *id, struct bm_err *err);
    enum bm_rc (*household_get)(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_household *out, struct bm_err *err);
    enum bm_rc (*households_list)(struct bm_store *st, const struct bm_household_query *q, struct bm_arena *a, struct bm_household **out, size_t *n, struct bm_err *err);
    enum bm_rc (*household_assign)(struct bm_store *st, int64_t id, int64_t version, int64_t cadre_id, int64_t now, struct bm_err *err);
    enum bm_rc (*households_coverage)(struct bm_store *st, const char *path_prefix, struct bm_arena *a, struct bm_coverage_row **out, size_t *n, struct bm_err *err);
    enum bm_rc (*reception_insert)(struct bm_store *st, const struct bm_reception *r, int64_t now, int64_t *id, struct bm_err *err);
    enum bm_rc (*reception_get)(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_reception *out, struct bm_err *err);
    enum bm_rc (*receptions_list)(struct bm_store *st, const char *path_prefix, bm_day from_day, int64_t after_id, int limit, struct bm_arena *a, struct bm_reception **out, size_t *n, struct bm_err *err);
    enum bm_rc (*visit_insert)(struct bm_store *st, const struct bm_reception_visit *v, int64_t now, int64_t *id, struct bm_err *err);
    enum bm_rc (*visit_get)(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_reception_visit *out, struct bm_err *err);
    enum bm_rc (*visits_list)(struct bm_store *st, int64_t reception_id, struct bm_arena *a, struct bm_reception_visit **out, size_t *n, struct bm_err *err);
    enum bm_rc (*follow_ups_open)(struct bm_store *st, const char *path_prefix, int limit, struct bm_arena *a, struct bm_reception_visit **out, size_t *n, struct bm_err *err);
    enum bm_rc (*visit_follow_up)(struct bm_store *st, int64_t id, const char *result, int64_t user_id, int64_t now, struct bm_err *err);
    enum bm_rc (*deputy_insert)(struct bm_store *st, const struct bm_deputy *d, int64_t now, int64_t *id, struct bm_err *err);
    enum bm_rc (*deputies_list)(struct bm_store *st, const char *path_prefix, struct bm_arena *a, struct bm_deputy **out, size_t *n, struct bm_err *err);
    enum bm_rc (*deputy_by_token)(struct bm_store *st, const unsigned char hash[32], struct bm_arena *a, struct bm_deputy *out, struct bm_err *err);
    enum bm_rc (*matter_insert)(struct bm_store *st, const struct bm_deputy_matter *m, int64_t now, int64_t *id, struct bm_err *err);
    enum bm_rc (*matter_get)(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_deputy_matter *out, struct bm_err *err);
    enum bm_rc (*matters_list)(struct bm_store *st, const char *path_prefix, bool by_assignee, int64_t deputy_id, int limit, struct bm_arena *a, struct bm_deputy_matter **out, size_t *n, struct bm_err *err);
    enum bm_rc (*matter_assign)(struct bm_store *st, int64_t id, int64_t unit_id, int64_t now, struct bm_err *err);
    enum bm_rc (*matter_answer)(struct bm_store *st, int64_t id, const char *answer, int64_t user_id, int64_t now, struct bm_err *err);
    enum bm_rc (*deputy_deactivate)(struct bm_store *st, int64_t id, struct bm_err *err);
    /* demands */
    enum bm_rc (*demand_next_seq)(struct bm_store *st, const char *county, int ymd, int *seq, struct bm_err *err);
    enum bm_rc (*demand_insert)(struct bm_store *st, const struct bm_demand *d, int64_t now, int64_t *id, struct bm_err *err);
    enum bm_rc (*demand_get)(struct bm_store *st, const char *ticket_no, struct bm_arena *a, struct bm_demand *out, struct bm_err *err);
    enum bm_rc (*demand_update)(struct bm_store *st, const struct bm_demand *d, int64_t now, struct bm_err *err);
    enum bm_rc (*demands_list)(struct bm_store *st, const struct bm_demand_query *q, struct bm_arena *a, struct bm_demand **out, size_t *n, struct bm_err *err);
    enum bm_rc (*demand_event_insert)(struct bm_store *st, const struct bm_demand_event *e, struct bm_err *err);
    enum bm_rc (*demand_events)(struct bm_store *st, int64_t demand_id, struct bm_arena *a, struct bm_demand_event **out, size_t *n, struct bm_err *err);
    /* case statistics (stats.c drives them) */
    enum bm_rc (*stat_snap)(struct bm_store *st, int64_t case_id, struct bm_stat_snap *out, struct bm_err *err);
    enum bm_rc (*stat_scan)(struct bm_store *st, bm_stat_snap_fn fn, void *ctx, struct bm_err *err);
    enum bm_rc (*stat_add)(struct bm_store *st, const char *county, const struct bm_stat_delta *d, struct bm_err *err);
    enum bm_rc (*stat_days_get)(struct bm_store *st, const char *county, const struct bm_stat_key *k, unsigned char *buf, size_t *len, struct bm_err *err);
    enum bm_rc (*stat_days_set)(struct bm_store *st, const char *county, const struct bm_stat_key *k, const unsigned char *buf, size_t len, struct bm_err *err);
    enum bm_rc (*stat_names)(struct bm_store *st, const char *county, bool items, struct bm_arena *a, struct bm_stat_name **out, size_t *n, struct bm_err *err);
    enum bm_rc (*stat_stored)(struct bm_store *st, bm_stat_row_fn fn, void *ctx, struct bm_err *err);
    enum bm_rc (*stat_clear)(struct bm_store *st, struct bm_err *err);
    enum bm_rc (*stat_range)(struct bm_store *st, const struct bm_stats_query *q, const struct bm_stat_range *r, struct bm_arena *a, struct bm_stat_row **out, size_t *n, struct bm_err *err);
};

/* Every backend's connection struct begins with this. */
struct bm_store {
    const struct bm_store_ops *ops;
    bool in_tx;
    bool in_read; /* in_tx is a read snapshot of bm_store_read_begin */
};

/*
 * The summary around a case write (stats.c): read the case's statistics before the write
 * (skip for an insert), then after it add the difference. Inside the write's transaction.
 */
BM_MUST_CHECK enum bm_rc bm_store_stat_before(struct bm_store *st, int64_t case_id,
                                              struct bm_stat_snap *out, struct bm_err *err);
BM_MUST_CHECK enum bm_rc bm_store_stat_after(struct bm_store *st, int64_t case_id,
                                             const struct bm_stat_snap *before,
                                             struct bm_err *err);

extern const struct bm_store_ops bm_sqlite_ops;
extern const struct bm_store_ops bm_pg_ops;

/* Backend constructors, chosen by URL in store.c. */
BM_MUST_CHECK enum bm_rc bm_sqlite_open(const char *path, struct bm_store **out,
                                        struct bm_err *err);

BM_MUST_CHECK enum bm_rc bm_pg_open(const char *url, struct bm_store **out, struct bm_err *err);

#endif
