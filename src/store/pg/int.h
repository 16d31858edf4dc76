/*
 * Private to the PostgreSQL backend: the connection struct, the prepared-statement cache,
 * parameter lists and result readers every resource file uses. Nothing outside
 * src/store/pg includes this.
 */
#ifndef BM_STORE_PG_INT_H
#define BM_STORE_PG_INT_H

#include <libpq-fe.h>

#include "store/backend.h"

#define PQ_STMT_CACHE 160
#define PQ_MAX_ARGS 40

struct pq_store {
    struct bm_store base; /* first: a struct bm_store * points here */
    PGconn *conn;
    char *url;
    struct {
        const char *sql; /* identity of the statement: the address of its static text */
        char name[16];
    } cache[PQ_STMT_CACHE];
    int n_cache;
    const struct bm_copy_table *copy_table; /* whose insert "bmcopy_<table>" is prepared */
};

#define PQ(st) ((struct pq_store *)(st))

/* Parameters of one statement, all sent as text except byte strings (binary). */
struct pq_args {
    const char *v[PQ_MAX_ARGS];
    int len[PQ_MAX_ARGS];
    int fmt[PQ_MAX_ARGS];
    char num[PQ_MAX_ARGS][24];
    int n;
};

void pq_i64(struct pq_args *a, int64_t v);
void pq_str(struct pq_args *a, const char *s); /* NULL sends "" */
void pq_bytes(struct pq_args *a, const unsigned char *p, int len);

/*
 * Runs the static statement `sql` (prepared once per connection) with `args`. Returns the
 * result (caller PQclear()s it) or NULL with err set: unique violation -> BM_ECONFLICT,
 * serialization failure, deadlock or a lost connection -> BM_EBUSY, else BM_EINTERNAL.
 */
PGresult *pq_run(struct bm_store *st, const char *sql, const struct pq_args *args,
                 const char *what, struct bm_err *err);

/* Runs a statement that returns no rows; writes the number of affected rows if asked. */
BM_MUST_CHECK enum bm_rc pq_exec(struct bm_store *st, const char *sql, const struct pq_args *args,
                                 const char *what, int64_t *changed, struct bm_err *err);

/* Readers of a text-format result. pq_text copies into the arena ("" for NULL). */
const char *pq_text(struct bm_arena *a, const PGresult *r, int row, int col);
/* A bytea column (file contents) into a malloc'ed buffer the caller owns; NULL if corrupt. */
unsigned char *pq_content_dup(const PGresult *r, int row, int col, size_t *len);
int64_t pq_int(const PGresult *r, int row, int col);
/* Decodes a bytea column ("\x..." hex) of exactly `len` bytes; zeros otherwise. */
void pq_blob(const PGresult *r, int row, int col, unsigned char *out, size_t len);
/*
 * Decodes a bytea column of any length into the arena (files.c, beside the blobs it was
 * written for). NULL past the arena cap or for a value that is not hex bytea.
 */
const unsigned char *pq_blob_dup(struct bm_arena *a, const PGresult *r, int row, int col,
                                 size_t *len);

/*
 * BM_DAY_NONE as SQL text: day columns are NULL for "no date", written with
 * nullif($n::bigint, PQ_DAY_NONE) and read with coalesce(col, PQ_DAY_NONE).
 */
#define PQ_DAY_NONE "-2147483648"

/* The user columns every query that returns a user selects first (users u, org_units o). */
#define PQ_USER_COLS                                                                        \
    "u.id, u.username, u.display_name, u.phone, u.roles, coalesce(u.org_unit_id, 0), "     \
    "coalesce(o.path, ''), coalesce(o.name, ''), u.is_active, u.version, u.created_at, "   \
    "u.updated_at, u.last_login_at, u.county_code"
#define PQ_USER_NCOLS 14

BM_MUST_CHECK enum bm_rc pq_read_user(const PGresult *r, int row, struct bm_arena *a,
                                      struct bm_user *u, struct bm_err *err);

/* A LIKE pattern matching everything that starts with `prefix` (%, _ and \ escaped). */
const char *pq_prefix(struct bm_arena *a, const char *prefix);

/* The backend's implementations of the store.h verbs (ops.c puts them in bm_pg_ops). */
void pg_close(struct bm_store *st);
enum bm_rc pg_migrate(struct bm_store *st, int *n_applied, struct bm_err *err);
enum bm_rc pg_schema_version(struct bm_store *st, int *have, int *known, struct bm_err *err);
enum bm_rc pg_begin(struct bm_store *st, struct bm_err *err);
enum bm_rc pg_commit(struct bm_store *st, struct bm_err *err);
void pg_rollback(struct bm_store *st);
enum bm_rc pg_ping(struct bm_store *st, struct bm_err *err);
enum bm_rc pg_backup(struct bm_store *st, const char *dest, struct bm_err *err);
enum bm_rc pg_org_insert(struct bm_store *st, const struct bm_org_unit *u, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc pg_org_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_org_unit *out, struct bm_err *err);
enum bm_rc pg_org_list(struct bm_store *st, const char *path_prefix, struct bm_arena *a, struct bm_org_unit **out, size_t *n, struct bm_err *err);
enum bm_rc pg_org_update(struct bm_store *st, const struct bm_org_unit *u, int64_t now, struct bm_err *err);
enum bm_rc pg_org_count(struct bm_store *st, int64_t *n, struct bm_err *err);
enum bm_rc pg_user_insert(struct bm_store *st, const struct bm_user *u, const char *password_hash, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc pg_user_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_user *out, struct bm_err *err);
enum bm_rc pg_user_get_login(struct bm_store *st, const char *username, struct bm_arena *a, struct bm_user *out, const char **password_hash, struct bm_err *err);
enum bm_rc pg_users_list(struct bm_store *st, const char *path_prefix, int64_t after_id, int limit, struct bm_arena *a, struct bm_user **out, size_t *n, struct bm_err *err);
enum bm_rc pg_user_update(struct bm_store *st, const struct bm_user *u, int64_t now, struct bm_err *err);
enum bm_rc pg_user_set_password(struct bm_store *st, int64_t user_id, const char *password_hash, int64_t now, struct bm_err *err);
enum bm_rc pg_user_count(struct bm_store *st, int64_t *n, struct bm_err *err);
enum bm_rc pg_session_insert(struct bm_store *st, const unsigned char hash[BM_TOKEN_HASH_LEN], int64_t user_id, const char *csrf_token, const char *ip, const char *user_agent, int64_t now, int64_t expires_at, int64_t *id, struct bm_err *err);
enum bm_rc pg_auth_session(struct bm_store *st, const unsigned char hash[BM_TOKEN_HASH_LEN], int64_t now, struct bm_arena *a, struct bm_auth *out, struct bm_err *err);
enum bm_rc pg_session_touch(struct bm_store *st, int64_t session_id, int64_t now, int64_t expires_at, int64_t max_age_s, struct bm_err *err);
enum bm_rc pg_session_delete(struct bm_store *st, int64_t session_id, struct bm_err *err);
enum bm_rc pg_sessions_delete_user(struct bm_store *st, int64_t user_id, struct bm_err *err);
enum bm_rc pg_token_insert(struct bm_store *st, const struct bm_api_token *t, const unsigned char hash[BM_TOKEN_HASH_LEN], int64_t *id, struct bm_err *err);
enum bm_rc pg_auth_token(struct bm_store *st, const unsigned char hash[BM_TOKEN_HASH_LEN], int64_t now, struct bm_arena *a, struct bm_auth *out, struct bm_err *err);
enum bm_rc pg_tokens_list(struct bm_store *st, const char *path_prefix, struct bm_arena *a, struct bm_api_token **out, size_t *n, struct bm_err *err);
enum bm_rc pg_token_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_api_token *out, const char **user_path, struct bm_err *err);
enum bm_rc pg_token_revoke(struct bm_store *st, int64_t id, int64_t now, struct bm_err *err);
enum bm_rc pg_login_failures(struct bm_store *st, const char *username, const char *ip, int64_t since, int64_t *n_user, int64_t *n_ip, struct bm_err *err);
enum bm_rc pg_login_failure_add(struct bm_store *st, const char *username, const char *ip, int64_t now, struct bm_err *err);
enum bm_rc pg_login_failures_clear(struct bm_store *st, const char *username, int64_t before, struct bm_err *err);
enum bm_rc pg_user_touch_login(struct bm_store *st, int64_t user_id, int64_t now, struct bm_err *err);
enum bm_rc pg_audit_chains(struct bm_store *st, struct bm_arena *a, const char ***out, size_t *n, struct bm_err *err);
enum bm_rc pg_audit_append(struct bm_store *st, struct bm_audit_entry *e, struct bm_err *err);
enum bm_rc pg_audit_list(struct bm_store *st, const char *county, int64_t cursor, bool newest_first, int limit, struct bm_arena *a, struct bm_audit_entry **out, size_t *n, struct bm_err *err);
enum bm_rc pg_audit_head(struct bm_store *st, const char *county, int64_t *last_id, unsigned char hash[BM_AUDIT_HASH_LEN], struct bm_err *err);

void pg_tune_for_batch(struct bm_store *st);
enum bm_rc pg_begin_snapshot(struct bm_store *st, struct bm_err *err);
enum bm_rc pg_count_rows(struct bm_store *st, const struct bm_copy_table *t, int64_t *n,
                         struct bm_err *err);
enum bm_rc pg_copy_out(struct bm_store *st, const struct bm_copy_table *t, bm_copy_row_fn fn,
                       void *ctx, int64_t *rows, struct bm_err *err);
enum bm_rc pg_copy_in(struct bm_store *st, const struct bm_copy_table *t,
                      const char *const *values, struct bm_err *err);
enum bm_rc pg_copy_finish(struct bm_store *st, const struct bm_copy_table *t, struct bm_err *err);

enum bm_rc pg_item_insert(struct bm_store *st, const struct bm_item *it, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc pg_item_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_item *out, struct bm_err *err);
enum bm_rc pg_item_update(struct bm_store *st, const struct bm_item *it, int64_t now, struct bm_err *err);
enum bm_rc pg_item_set_status(struct bm_store *st, int64_t id, int64_t version, int status, int64_t now, struct bm_err *err);
enum bm_rc pg_item_versions(struct bm_store *st, const char *code, struct bm_arena *a, struct bm_item **out, size_t *n, struct bm_err *err);
enum bm_rc pg_item_last_version(struct bm_store *st, const char *code, int *last, struct bm_err *err);
enum bm_rc pg_items_search(struct bm_store *st, const struct bm_item_query *q, struct bm_arena *a, struct bm_item **out, size_t *n, struct bm_err *err);

enum bm_rc pg_delegation_insert(struct bm_store *st, const struct bm_delegation *d, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc pg_delegation_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_delegation *out, struct bm_err *err);
enum bm_rc pg_delegations_list(struct bm_store *st, struct bm_arena *a, struct bm_delegation **out, size_t *n, struct bm_err *err);
enum bm_rc pg_delegation_revoke(struct bm_store *st, int64_t id, int64_t version, int64_t now, struct bm_err *err);
enum bm_rc pg_power_insert(struct bm_store *st, const struct bm_power *p, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc pg_power_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_power *out, struct bm_err *err);
enum bm_rc pg_powers_list(struct bm_store *st, int64_t township_id, struct bm_arena *a, struct bm_power **out, size_t *n, struct bm_err *err);
enum bm_rc pg_power_update(struct bm_store *st, const struct bm_power *p, int64_t now, struct bm_err *err);

enum bm_rc pg_calendar_load(struct bm_store *st, struct bm_arena *a, struct bm_cal_year **out, size_t *n, struct bm_err *err);
enum bm_rc pg_calendar_stamp(struct bm_store *st, int64_t *stamp, struct bm_err *err);
enum bm_rc pg_calendar_put(struct bm_store *st, const struct bm_cal_year *y, int64_t version, int64_t now, struct bm_err *err);
enum bm_rc pg_case_next_seq(struct bm_store *st, const char *town_code, int ymd, int *seq, struct bm_err *err);
enum bm_rc pg_case_insert(struct bm_store *st, const struct bm_case *c, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc pg_case_get(struct bm_store *st, const char *case_no, struct bm_arena *a, struct bm_case *out, struct bm_err *err);
enum bm_rc pg_case_update(struct bm_store *st, const struct bm_case *c, int64_t now, struct bm_err *err);
enum bm_rc pg_cases_list(struct bm_store *st, const struct bm_case_query *q, struct bm_arena *a, struct bm_case **out, size_t *n, struct bm_err *err);
enum bm_rc pg_sup_insert(struct bm_store *st, const struct bm_sup_record *r, int64_t *id, struct bm_err *err);
enum bm_rc pg_sup_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_sup_record *out, struct bm_err *err);
enum bm_rc pg_sup_list(struct bm_store *st, const struct bm_sup_query *q, struct bm_arena *a, struct bm_sup_record **out, size_t *n, struct bm_err *err);
enum bm_rc pg_sup_update(struct bm_store *st, const struct bm_sup_record *r, struct bm_err *err);
enum bm_rc pg_cases_unrated(struct bm_store *st, int64_t closed_after, int64_t closed_until, int64_t after_closed, int64_t after_id, int limit, struct bm_arena *a, struct bm_case **out, size_t *n, struct bm_err *err);
enum bm_rc pg_cases_to_warn(struct bm_store *st, bm_day today, int64_t after_id, int limit, struct bm_arena *a, struct bm_case **out, size_t *n, struct bm_err *err);
enum bm_rc pg_case_set_warn_day(struct bm_store *st, int64_t case_id, bm_day warn_day, struct bm_err *err);
enum bm_rc pg_case_mark_warned(struct bm_store *st, int64_t case_id, int level, bm_day due, bool *claimed, struct bm_err *err);
enum bm_rc pg_case_event_insert(struct bm_store *st, const struct bm_case_event *e, struct bm_err *err);
enum bm_rc pg_case_events(struct bm_store *st, int64_t case_id, struct bm_arena *a, struct bm_case_event **out, size_t *n, struct bm_err *err);
enum bm_rc pg_case_pause_insert(struct bm_store *st, const struct bm_case_pause *p, struct bm_err *err);
enum bm_rc pg_case_pause_end(struct bm_store *st, int64_t case_id, bm_day to_day, int64_t now, struct bm_err *err);
enum bm_rc pg_case_pauses(struct bm_store *st, int64_t case_id, struct bm_arena *a, struct bm_case_pause **out, size_t *n, struct bm_err *err);
enum bm_rc pg_attachment_insert(struct bm_store *st, const struct bm_attachment *at, const void *content, int64_t *id, struct bm_err *err);
enum bm_rc pg_attachments_list(struct bm_store *st, int64_t case_id, struct bm_arena *a, struct bm_attachment **out, size_t *n, struct bm_err *err);
enum bm_rc pg_attachment_get(struct bm_store *st, int64_t case_id, int64_t id, struct bm_arena *a, struct bm_attachment *out, void **content, struct bm_err *err);
enum bm_rc pg_certificate_insert(struct bm_store *st, const struct bm_certificate *c, int64_t *id, struct bm_err *err);
enum bm_rc pg_certificates_of(struct bm_store *st, const unsigned char holder_hash[32], struct bm_arena *a, struct bm_certificate **out, size_t *n, struct bm_err *err);
enum bm_rc pg_idem_get(struct bm_store *st, int64_t user_id, const char *key, unsigned char body_hash[32], int64_t *case_id, const char **case_no, struct bm_arena *a, struct bm_err *err);
enum bm_rc pg_idem_put(struct bm_store *st, int64_t user_id, const char *key, const unsigned char body_hash[32], int64_t case_id, int64_t now, struct bm_err *err);
enum bm_rc pg_outbox_insert(struct bm_store *st, const struct bm_outbox_msg *m, int64_t now, struct bm_err *err);
enum bm_rc pg_outbox_claim(struct bm_store *st, int64_t now, int lease_s, int limit, struct bm_arena *a, struct bm_outbox_msg **out, size_t *n, struct bm_err *err);
enum bm_rc pg_outbox_done(struct bm_store *st, int64_t id, bool sent, const char *error, int64_t retry_at, int64_t now, struct bm_err *err);
enum bm_rc pg_outbox_of_case(struct bm_store *st, int64_t case_id, struct bm_arena *a, struct bm_outbox_msg **out, size_t *n, struct bm_err *err);

/* participation (公众参与) */
enum bm_rc pg_campaign_insert(struct bm_store *st, const struct bm_campaign *c, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc pg_campaign_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_campaign *out, struct bm_err *err);
enum bm_rc pg_campaigns_list(struct bm_store *st, const char *path_prefix, bm_day started_by, int64_t after_id, int limit, struct bm_arena *a, struct bm_campaign **out, size_t *n, struct bm_err *err);
enum bm_rc pg_campaign_summarize(struct bm_store *st, int64_t id, const char *summary, int64_t now, struct bm_err *err);
enum bm_rc pg_submission_insert(struct bm_store *st, const struct bm_campaign_submission *s, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc pg_submissions_list(struct bm_store *st, int64_t campaign_id, bool responded_only, int64_t after_id, int limit, struct bm_arena *a, struct bm_campaign_submission **out, size_t *n, struct bm_err *err);
enum bm_rc pg_submission_respond(struct bm_store *st, int64_t campaign_id, int64_t id, const char *response, int64_t user_id, int64_t now, struct bm_err *err);
enum bm_rc pg_hearing_insert(struct bm_store *st, const struct bm_hearing *h, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc pg_hearing_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_hearing *out, struct bm_err *err);
enum bm_rc pg_hearings_list(struct bm_store *st, const char *path_prefix, const char *kind, int64_t after_id, int limit, struct bm_arena *a, struct bm_hearing **out, size_t *n, struct bm_err *err);
enum bm_rc pg_hearing_record(struct bm_store *st, int64_t id, const char *minutes, const char *outcome, int64_t now, struct bm_err *err);
enum bm_rc pg_hearing_register(struct bm_store *st, const struct bm_hearing_participant *p, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc pg_participants_list(struct bm_store *st, int64_t hearing_id, struct bm_arena *a, struct bm_hearing_participant **out, size_t *n, struct bm_err *err);
enum bm_rc pg_household_insert(struct bm_store *st, const struct bm_household *h, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc pg_household_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_household *out, struct bm_err *err);
enum bm_rc pg_households_list(struct bm_store *st, const struct bm_household_query *q, struct bm_arena *a, struct bm_household **out, size_t *n, struct bm_err *err);
enum bm_rc pg_household_assign(struct bm_store *st, int64_t id, int64_t version, int64_t cadre_id, int64_t now, struct bm_err *err);
enum bm_rc pg_households_coverage(struct bm_store *st, const char *path_prefix, struct bm_arena *a, struct bm_coverage_row **out, size_t *n, struct bm_err *err);
enum bm_rc pg_reception_insert(struct bm_store *st, const struct bm_reception *r, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc pg_reception_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_reception *out, struct bm_err *err);
enum bm_rc pg_receptions_list(struct bm_store *st, const char *path_prefix, bm_day from_day, int64_t after_id, int limit, struct bm_arena *a, struct bm_reception **out, size_t *n, struct bm_err *err);
enum bm_rc pg_visit_insert(struct bm_store *st, const struct bm_reception_visit *v, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc pg_visit_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_reception_visit *out, struct bm_err *err);
enum bm_rc pg_visits_list(struct bm_store *st, int64_t reception_id, struct bm_arena *a, struct bm_reception_visit **out, size_t *n, struct bm_err *err);
enum bm_rc pg_follow_ups_open(struct bm_store *st, const char *path_prefix, int limit, struct bm_arena *a, struct bm_reception_visit **out, size_t *n, struct bm_err *err);
enum bm_rc pg_visit_follow_up(struct bm_store *st, int64_t id, const char *result, int64_t user_id, int64_t now, struct bm_err *err);
enum bm_rc pg_deputy_insert(struct bm_store *st, const struct bm_deputy *d, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc pg_deputies_list(struct bm_store *st, const char *path_prefix, struct bm_arena *a, struct bm_deputy **out, size_t *n, struct bm_err *err);
enum bm_rc pg_deputy_by_token(struct bm_store *st, const unsigned char hash[32], struct bm_arena *a, struct bm_deputy *out, struct bm_err *err);
enum bm_rc pg_matter_insert(struct bm_store *st, const struct bm_deputy_matter *m, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc pg_matter_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_deputy_matter *out, struct bm_err *err);
enum bm_rc pg_matters_list(struct bm_store *st, const char *path_prefix, bool by_assignee, int64_t deputy_id, int limit, struct bm_arena *a, struct bm_deputy_matter **out, size_t *n, struct bm_err *err);
enum bm_rc pg_matter_assign(struct bm_store *st, int64_t id, int64_t unit_id, int64_t now, struct bm_err *err);
enum bm_rc pg_matter_answer(struct bm_store *st, int64_t id, const char *answer, int64_t user_id, int64_t now, struct bm_err *err);
enum bm_rc pg_deputy_deactivate(struct bm_store *st, int64_t id, struct bm_err *err);

/* disclosure.c */
enum bm_rc pg_pub_insert(struct bm_store *st, const struct bm_publication *p, int64_t *id, struct bm_err *err);
enum bm_rc pg_pub_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_publication *out, struct bm_err *err);
enum bm_rc pg_pub_update(struct bm_store *st, const struct bm_publication *p, struct bm_err *err);
enum bm_rc pg_pubs_list(struct bm_store *st, const struct bm_pub_query *q, struct bm_arena *a, struct bm_publication **out, size_t *n, struct bm_err *err);
enum bm_rc pg_pub_file_insert(struct bm_store *st, const struct bm_pub_file *f, const void *content, int64_t *id, struct bm_err *err);
enum bm_rc pg_pub_files(struct bm_store *st, int64_t publication_id, struct bm_arena *a, struct bm_pub_file **out, size_t *n, struct bm_err *err);
enum bm_rc pg_pub_file_get(struct bm_store *st, int64_t publication_id, int64_t id, struct bm_arena *a, struct bm_pub_file *out, void **content, struct bm_err *err);
enum bm_rc pg_pub_event_insert(struct bm_store *st, const struct bm_pub_event *e, struct bm_err *err);
enum bm_rc pg_pub_events(struct bm_store *st, int64_t publication_id, struct bm_arena *a, struct bm_pub_event **out, size_t *n, struct bm_err *err);
/* demands.c */
enum bm_rc pg_demand_next_seq(struct bm_store *st, const char *county, int ymd, int *seq, struct bm_err *err);
enum bm_rc pg_demand_insert(struct bm_store *st, const struct bm_demand *d, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc pg_demand_get(struct bm_store *st, const char *ticket_no, struct bm_arena *a, struct bm_demand *out, struct bm_err *err);
enum bm_rc pg_demand_update(struct bm_store *st, const struct bm_demand *d, int64_t now, struct bm_err *err);
enum bm_rc pg_demands_list(struct bm_store *st, const struct bm_demand_query *q, struct bm_arena *a, struct bm_demand **out, size_t *n, struct bm_err *err);
enum bm_rc pg_demand_event_insert(struct bm_store *st, const struct bm_demand_event *e, struct bm_err *err);
enum bm_rc pg_demand_events(struct bm_store *st, int64_t demand_id, struct bm_arena *a, struct bm_demand_event **out, size_t *n, struct bm_err *err);
/* ratings.c: ratings (好差评) and rectification of bad ratings */
enum bm_rc pg_rating_insert(struct bm_store *st, const struct bm_rating *r, int64_t *id, struct bm_err *err);
enum bm_rc pg_rating_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_rating *out, struct bm_err *err);
enum bm_rc pg_ratings_of_case(struct bm_store *st, int64_t case_id, struct bm_arena *a, struct bm_rating **out, size_t *n, struct bm_err *err);
enum bm_rc pg_ratings_list(struct bm_store *st, const struct bm_rating_query *q, struct bm_arena *a, struct bm_rating **out, size_t *n, struct bm_err *err);
enum bm_rc pg_rating_counts(struct bm_store *st, const char *handling_prefix, int64_t from, int64_t to, int64_t counts[6], struct bm_err *err);
enum bm_rc pg_rect_insert(struct bm_store *st, const struct bm_rectification *r, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc pg_rect_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_rectification *out, struct bm_err *err);
enum bm_rc pg_rect_update(struct bm_store *st, const struct bm_rectification *r, int64_t now, struct bm_err *err);
enum bm_rc pg_rects_list(struct bm_store *st, const struct bm_rect_query *q, struct bm_arena *a, struct bm_rectification **out, size_t *n, struct bm_err *err);
enum bm_rc pg_stat_snap(struct bm_store *st, int64_t case_id, struct bm_stat_snap *out, struct bm_err *err);
enum bm_rc pg_stat_scan(struct bm_store *st, bm_stat_snap_fn fn, void *ctx, struct bm_err *err);
enum bm_rc pg_stat_add(struct bm_store *st, const char *county, const struct bm_stat_delta *d, struct bm_err *err);
enum bm_rc pg_stat_days_get(struct bm_store *st, const char *county, const struct bm_stat_key *k, unsigned char *buf, size_t *len, struct bm_err *err);
enum bm_rc pg_stat_days_set(struct bm_store *st, const char *county, const struct bm_stat_key *k, const unsigned char *buf, size_t len, struct bm_err *err);
enum bm_rc pg_stat_names(struct bm_store *st, const char *county, bool items, struct bm_arena *a, struct bm_stat_name **out, size_t *n, struct bm_err *err);
enum bm_rc pg_stat_stored(struct bm_store *st, bm_stat_row_fn fn, void *ctx, struct bm_err *err);
enum bm_rc pg_stat_clear(struct bm_store *st, struct bm_err *err);
enum bm_rc pg_stat_range(struct bm_store *st, const struct bm_stats_query *q, const struct bm_stat_range *r, struct bm_arena *a, struct bm_stat_row **out, size_t *n, struct bm_err *err);
/* township performance evaluation (绩效考核) */
enum bm_rc pg_eval_plan_insert(struct bm_store *st, const struct bm_eval_plan *p, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc pg_eval_plan_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_eval_plan *out, struct bm_err *err);
enum bm_rc pg_eval_plans_list(struct bm_store *st, int64_t year, struct bm_arena *a, struct bm_eval_plan **out, size_t *n, struct bm_err *err);
enum bm_rc pg_eval_plan_update(struct bm_store *st, const struct bm_eval_plan *p, int64_t now, struct bm_err *err);
enum bm_rc pg_eval_period_insert(struct bm_store *st, const struct bm_eval_period *p, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc pg_eval_period_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_eval_period *out, struct bm_err *err);
enum bm_rc pg_eval_periods_list(struct bm_store *st, bool published_only, struct bm_arena *a, struct bm_eval_period **out, size_t *n, struct bm_err *err);
enum bm_rc pg_eval_period_update(struct bm_store *st, const struct bm_eval_period *p, int64_t now, struct bm_err *err);
enum bm_rc pg_eval_input_put(struct bm_store *st, const struct bm_eval_input *in, int64_t now, struct bm_err *err);
enum bm_rc pg_eval_inputs_list(struct bm_store *st, int64_t period_id, struct bm_arena *a, struct bm_eval_input **out, size_t *n, struct bm_err *err);
enum bm_rc pg_eval_counts(struct bm_store *st, const char *township_path, int64_t from, int64_t to, struct bm_eval_counts *out, struct bm_err *err);
enum bm_rc pg_eval_veto_insert(struct bm_store *st, const struct bm_eval_veto *v, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc pg_eval_vetoes_list(struct bm_store *st, int64_t period_id, struct bm_arena *a, struct bm_eval_veto **out, size_t *n, struct bm_err *err);
enum bm_rc pg_eval_results_put(struct bm_store *st, int64_t period_id, const struct bm_eval_result *rs, size_t n, int64_t now, struct bm_err *err);
enum bm_rc pg_eval_results_list(struct bm_store *st, int64_t period_id, struct bm_arena *a, struct bm_eval_result **out, size_t *n, struct bm_err *err);
enum bm_rc pg_eval_comment_insert(struct bm_store *st, const struct bm_eval_comment *c, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc pg_eval_comments_list(struct bm_store *st, int64_t period_id, int64_t after_id, int limit, struct bm_arena *a, struct bm_eval_comment **out, size_t *n, struct bm_err *err);
enum bm_rc pg_eval_followup_insert(struct bm_store *st, const struct bm_eval_followup *f, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc pg_eval_followup_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_eval_followup *out, struct bm_err *err);
enum bm_rc pg_eval_followups_list(struct bm_store *st, int64_t period_id, struct bm_arena *a, struct bm_eval_followup **out, size_t *n, struct bm_err *err);
enum bm_rc pg_eval_followup_update(struct bm_store *st, const struct bm_eval_followup *f, int64_t now, struct bm_err *err);

#endif
