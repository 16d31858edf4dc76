/*
 * Private to the SQLite backend: the connection struct, the statement cache and the
 * helpers every resource file uses. Nothing outside src/store/sqlite includes this.
 */
#ifndef BM_STORE_SQLITE_INT_H
#define BM_STORE_SQLITE_INT_H

#include <sqlite3.h>

#include "store/backend.h"

#define SQ_STMT_CACHE 192

/* How long a writer waits for another (SQLite busy timeout and the write lock). */
#define SQ_BUSY_TIMEOUT_MS 5000

struct sq_writer; /* tx.c */

struct sq_store {
    struct bm_store base; /* first: a struct bm_store * points here */
    sqlite3 *db;
    /* The file's write connection and lock, shared by the process's stores of the file
     * (tx.c); NULL for the write connection itself. */
    struct sq_writer *writer;
    bool holds_write;    /* this store holds its writer's lock */
    struct sq_store *tx; /* while it does: the write connection its statements run on */
    /* This store's place in a batch of write transactions (tx.c, under the writer's mu). */
    struct sq_store *batch_next;
    bool batch_done;
    enum bm_rc batch_rc;
    uint64_t batch_seq;
    /* bm_store_defer_durability: commits leave the WAL's sync to bm_store_when_durable, for
     * the batches up to durable_seq (0: none waiting). */
    bool defer_durable;
    uint64_t durable_seq;
    struct {
        const char *sql; /* identity of the statement: the address of its static text */
        sqlite3_stmt *stmt;
    } cache[SQ_STMT_CACHE];
    int n_cache;
    /* The insert of the table being copied by a whole-store move (copy.c). */
    const struct bm_copy_table *copy_table;
    sqlite3_stmt *copy_stmt;
};

#define SQ(st) ((struct sq_store *)(st))

/* The connection a statement of `st` runs on: the write connection inside a write
 * transaction, the store's own otherwise. */
static inline struct sq_store *
sq_conn(struct bm_store *st)
{
    return SQ(st)->tx != NULL ? SQ(st)->tx : SQ(st);
}
#define sq_db(st) (sq_conn(st)->db)


/*
 * Prepared statement for `sql` (a static string), prepared once per connection. The caller
 * binds, steps and ends with sq_done(), which resets and clears bindings.
 */
BM_MUST_CHECK enum bm_rc sq_prepare(struct bm_store *st, const char *sql, sqlite3_stmt **out,
                                    struct bm_err *err);
void sq_done(sqlite3_stmt *s);

/* Maps a SQLite result code to BM_EBUSY / BM_ECONFLICT / BM_EINTERNAL; logs the detail. */
enum bm_rc sq_fail(struct bm_store *st, int src, const char *what, struct bm_err *err);

/* Runs a prepared statement that returns no rows. */
BM_MUST_CHECK enum bm_rc sq_exec(struct bm_store *st, sqlite3_stmt *s, const char *what,
                                 struct bm_err *err);

/* Copies column text into the arena ("" for NULL); NULL only past the arena cap. */
const char *sq_text(struct bm_arena *a, sqlite3_stmt *s, int col);
/* A blob column (file contents) into a malloc'ed buffer the caller owns; its length in *len. */
void *sq_blob_dup(sqlite3_stmt *s, int col, int64_t *len);

/* The user columns every query that returns a user selects first (users u, org_units o). */
#define SQ_USER_COLS                                                                        \
    "u.id, u.username, u.display_name, u.phone, u.roles, coalesce(u.org_unit_id, 0), "     \
    "coalesce(o.path, ''), coalesce(o.name, ''), u.is_active, u.version, u.created_at, "   \
    "u.updated_at, u.last_login_at, u.county_code"
#define SQ_USER_NCOLS 14

/* Reads SQ_USER_COLS from the current row into `u` (text copied into the arena). */
BM_MUST_CHECK enum bm_rc sq_read_user(sqlite3_stmt *s, struct bm_arena *a, struct bm_user *u,
                                      struct bm_err *err);

/* Binds a C string as text (NULL binds ""). */
int sq_bind_text(sqlite3_stmt *s, int idx, const char *v);

/* Binds a LIKE prefix pattern: `prefix` with %, _ and \ escaped, then '%'. */
int sq_bind_prefix(sqlite3_stmt *s, int idx, const char *prefix, struct bm_arena *a);


/* Opens a connection with the store's pragmas; is_writer: the file's write connection. */
BM_MUST_CHECK enum bm_rc sq_open_conn(const char *path, bool is_writer, struct bm_store **out,
                                      struct bm_err *err);
/* Joins the write connection of `file` (a private one for an in-memory database); leaves
 * it, closing it after the file's last store. */
void sq_writer_attach(struct sq_store *sq, const char *file);
void sq_writer_detach(struct sq_store *sq);

/* The backend's implementations of the store.h verbs (ops.c puts them in bm_sqlite_ops). */
void sqlite_close(struct bm_store *st);
enum bm_rc sqlite_migrate(struct bm_store *st, int *n_applied, struct bm_err *err);
enum bm_rc sqlite_schema_version(struct bm_store *st, int *have, int *known, struct bm_err *err);
enum bm_rc sqlite_begin(struct bm_store *st, struct bm_err *err);
enum bm_rc sqlite_commit(struct bm_store *st, struct bm_err *err);
void sqlite_defer_durability(struct bm_store *st);
void sqlite_map_reads(struct bm_store *st);
bool sqlite_when_durable(struct bm_store *st, struct bm_durable *d);
bool sqlite_sync_failed(struct bm_store *st);
void sqlite_rollback(struct bm_store *st);
enum bm_rc sqlite_ping(struct bm_store *st, struct bm_err *err);
enum bm_rc sqlite_backup(struct bm_store *st, const char *dest, struct bm_err *err);
enum bm_rc sqlite_org_insert(struct bm_store *st, const struct bm_org_unit *u, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc sqlite_org_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_org_unit *out, struct bm_err *err);
enum bm_rc sqlite_org_list(struct bm_store *st, const char *path_prefix, struct bm_arena *a, struct bm_org_unit **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_org_update(struct bm_store *st, const struct bm_org_unit *u, int64_t now, struct bm_err *err);
enum bm_rc sqlite_org_count(struct bm_store *st, int64_t *n, struct bm_err *err);
enum bm_rc sqlite_user_insert(struct bm_store *st, const struct bm_user *u, const char *password_hash, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc sqlite_user_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_user *out, struct bm_err *err);
enum bm_rc sqlite_user_get_login(struct bm_store *st, const char *username, struct bm_arena *a, struct bm_user *out, const char **password_hash, struct bm_err *err);
enum bm_rc sqlite_users_list(struct bm_store *st, const char *path_prefix, int64_t after_id, int limit, struct bm_arena *a, struct bm_user **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_user_update(struct bm_store *st, const struct bm_user *u, int64_t now, struct bm_err *err);
enum bm_rc sqlite_user_set_password(struct bm_store *st, int64_t user_id, const char *password_hash, int64_t now, struct bm_err *err);
enum bm_rc sqlite_user_count(struct bm_store *st, int64_t *n, struct bm_err *err);
enum bm_rc sqlite_session_insert(struct bm_store *st, const unsigned char hash[BM_TOKEN_HASH_LEN], int64_t user_id, const char *csrf_token, const char *ip, const char *user_agent, int64_t now, int64_t expires_at, int64_t *id, struct bm_err *err);
enum bm_rc sqlite_auth_session(struct bm_store *st, const unsigned char hash[BM_TOKEN_HASH_LEN], int64_t now, struct bm_arena *a, struct bm_auth *out, struct bm_err *err);
enum bm_rc sqlite_session_touch(struct bm_store *st, int64_t session_id, int64_t now, int64_t expires_at, int64_t max_age_s, struct bm_err *err);
enum bm_rc sqlite_session_delete(struct bm_store *st, int64_t session_id, struct bm_err *err);
enum bm_rc sqlite_sessions_delete_user(struct bm_store *st, int64_t user_id, struct bm_err *err);
enum bm_rc sqlite_token_insert(struct bm_store *st, const struct bm_api_token *t, const unsigned char hash[BM_TOKEN_HASH_LEN], int64_t *id, struct bm_err *err);
enum bm_rc sqlite_auth_token(struct bm_store *st, const unsigned char hash[BM_TOKEN_HASH_LEN], int64_t now, struct bm_arena *a, struct bm_auth *out, struct bm_err *err);
enum bm_rc sqlite_tokens_list(struct bm_store *st, const char *path_prefix, struct bm_arena *a, struct bm_api_token **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_token_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_api_token *out, const char **user_path, struct bm_err *err);
enum bm_rc sqlite_token_revoke(struct bm_store *st, int64_t id, int64_t now, struct bm_err *err);
enum bm_rc sqlite_login_failures(struct bm_store *st, const char *username, const char *ip, int64_t since, int64_t *n_user, int64_t *n_ip, struct bm_err *err);
enum bm_rc sqlite_login_failure_add(struct bm_store *st, const char *username, const char *ip, int64_t now, struct bm_err *err);
enum bm_rc sqlite_login_failures_clear(struct bm_store *st, const char *username, int64_t before, struct bm_err *err);
enum bm_rc sqlite_user_touch_login(struct bm_store *st, int64_t user_id, int64_t now, struct bm_err *err);
enum bm_rc sqlite_audit_chains(struct bm_store *st, struct bm_arena *a, const char ***out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_audit_append(struct bm_store *st, struct bm_audit_entry *e, struct bm_err *err);
enum bm_rc sqlite_audit_list(struct bm_store *st, const char *county, int64_t cursor, bool newest_first, int limit, struct bm_arena *a, struct bm_audit_entry **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_audit_head(struct bm_store *st, const char *county, int64_t *last_id, unsigned char hash[BM_AUDIT_HASH_LEN], struct bm_err *err);

enum bm_rc sqlite_begin_snapshot(struct bm_store *st, struct bm_err *err);
enum bm_rc sqlite_count_rows(struct bm_store *st, const struct bm_copy_table *t, int64_t *n,
                             struct bm_err *err);
enum bm_rc sqlite_copy_out(struct bm_store *st, const struct bm_copy_table *t, bm_copy_row_fn fn,
                           void *ctx, int64_t *rows, struct bm_err *err);
enum bm_rc sqlite_copy_in(struct bm_store *st, const struct bm_copy_table *t,
                          const char *const *values, struct bm_err *err);
enum bm_rc sqlite_copy_finish(struct bm_store *st, const struct bm_copy_table *t,
                              struct bm_err *err);

enum bm_rc sqlite_item_insert(struct bm_store *st, const struct bm_item *it, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc sqlite_item_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_item *out, struct bm_err *err);
enum bm_rc sqlite_item_update(struct bm_store *st, const struct bm_item *it, int64_t now, struct bm_err *err);
enum bm_rc sqlite_item_set_status(struct bm_store *st, int64_t id, int64_t version, int status, int64_t now, struct bm_err *err);
enum bm_rc sqlite_item_versions(struct bm_store *st, const char *code, struct bm_arena *a, struct bm_item **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_item_last_version(struct bm_store *st, const char *code, int *last, struct bm_err *err);
enum bm_rc sqlite_items_search(struct bm_store *st, const struct bm_item_query *q, struct bm_arena *a, struct bm_item **out, size_t *n, struct bm_err *err);

enum bm_rc sqlite_delegation_insert(struct bm_store *st, const struct bm_delegation *d, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc sqlite_delegation_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_delegation *out, struct bm_err *err);
enum bm_rc sqlite_delegations_list(struct bm_store *st, struct bm_arena *a, struct bm_delegation **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_delegation_revoke(struct bm_store *st, int64_t id, int64_t version, int64_t now, struct bm_err *err);
enum bm_rc sqlite_power_insert(struct bm_store *st, const struct bm_power *p, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc sqlite_power_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_power *out, struct bm_err *err);
enum bm_rc sqlite_powers_list(struct bm_store *st, int64_t township_id, struct bm_arena *a, struct bm_power **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_power_update(struct bm_store *st, const struct bm_power *p, int64_t now, struct bm_err *err);

enum bm_rc sqlite_calendar_load(struct bm_store *st, struct bm_arena *a, struct bm_cal_year **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_calendar_stamp(struct bm_store *st, int64_t *stamp, struct bm_err *err);
enum bm_rc sqlite_calendar_put(struct bm_store *st, const struct bm_cal_year *y, int64_t version, int64_t now, struct bm_err *err);
enum bm_rc sqlite_case_next_seq(struct bm_store *st, const char *town_code, int ymd, int *seq, struct bm_err *err);
enum bm_rc sqlite_case_insert(struct bm_store *st, const struct bm_case *c, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc sqlite_case_get(struct bm_store *st, const char *case_no, struct bm_arena *a, struct bm_case *out, struct bm_err *err);
enum bm_rc sqlite_case_update(struct bm_store *st, const struct bm_case *c, int64_t now, struct bm_err *err);
enum bm_rc sqlite_cases_list(struct bm_store *st, const struct bm_case_query *q, struct bm_arena *a, struct bm_case **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_sup_insert(struct bm_store *st, const struct bm_sup_record *r, int64_t *id, struct bm_err *err);
enum bm_rc sqlite_sup_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_sup_record *out, struct bm_err *err);
enum bm_rc sqlite_sup_list(struct bm_store *st, const struct bm_sup_query *q, struct bm_arena *a, struct bm_sup_record **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_sup_update(struct bm_store *st, const struct bm_sup_record *r, struct bm_err *err);
enum bm_rc sqlite_cases_unrated(struct bm_store *st, int64_t closed_after, int64_t closed_until, int64_t after_closed, int64_t after_id, int limit, struct bm_arena *a, struct bm_case **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_cases_to_warn(struct bm_store *st, bm_day today, int64_t after_id, int limit, struct bm_arena *a, struct bm_case **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_case_set_warn_day(struct bm_store *st, int64_t case_id, bm_day warn_day, struct bm_err *err);
enum bm_rc sqlite_case_mark_warned(struct bm_store *st, int64_t case_id, int level, bm_day due, bool *claimed, struct bm_err *err);
enum bm_rc sqlite_case_event_insert(struct bm_store *st, const struct bm_case_event *e, struct bm_err *err);
enum bm_rc sqlite_case_events(struct bm_store *st, int64_t case_id, struct bm_arena *a, struct bm_case_event **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_case_pause_insert(struct bm_store *st, const struct bm_case_pause *p, struct bm_err *err);
enum bm_rc sqlite_case_pause_end(struct bm_store *st, int64_t case_id, bm_day to_day, int64_t now, struct bm_err *err);
enum bm_rc sqlite_case_pauses(struct bm_store *st, int64_t case_id, struct bm_arena *a, struct bm_case_pause **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_attachment_insert(struct bm_store *st, const struct bm_attachment *at, const void *content, int64_t *id, struct bm_err *err);
enum bm_rc sqlite_attachments_list(struct bm_store *st, int64_t case_id, struct bm_arena *a, struct bm_attachment **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_attachment_get(struct bm_store *st, int64_t case_id, int64_t id, struct bm_arena *a, struct bm_attachment *out, void **content, struct bm_err *err);
enum bm_rc sqlite_certificate_insert(struct bm_store *st, const struct bm_certificate *c, int64_t *id, struct bm_err *err);
enum bm_rc sqlite_certificates_of(struct bm_store *st, const unsigned char holder_hash[32], struct bm_arena *a, struct bm_certificate **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_idem_get(struct bm_store *st, int64_t user_id, const char *key, unsigned char body_hash[32], int64_t *case_id, const char **case_no, struct bm_arena *a, struct bm_err *err);
enum bm_rc sqlite_idem_put(struct bm_store *st, int64_t user_id, const char *key, const unsigned char body_hash[32], int64_t case_id, int64_t now, struct bm_err *err);
enum bm_rc sqlite_outbox_insert(struct bm_store *st, const struct bm_outbox_msg *m, int64_t now, struct bm_err *err);
enum bm_rc sqlite_outbox_claim(struct bm_store *st, int64_t now, int lease_s, int limit, struct bm_arena *a, struct bm_outbox_msg **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_outbox_done(struct bm_store *st, int64_t id, bool sent, const char *error, int64_t retry_at, int64_t now, struct bm_err *err);
enum bm_rc sqlite_outbox_of_case(struct bm_store *st, int64_t case_id, struct bm_arena *a, struct bm_outbox_msg **out, size_t *n, struct bm_err *err);

/* participation (公众参与) */
enum bm_rc sqlite_campaign_insert(struct bm_store *st, const struct bm_campaign *c, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc sqlite_campaign_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_campaign *out, struct bm_err *err);
enum bm_rc sqlite_campaigns_list(struct bm_store *st, const char *path_prefix, bm_day started_by, int64_t after_id, int limit, struct bm_arena *a, struct bm_campaign **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_campaign_summarize(struct bm_store *st, int64_t id, const char *summary, int64_t now, struct bm_err *err);
enum bm_rc sqlite_submission_insert(struct bm_store *st, const struct bm_campaign_submission *s, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc sqlite_submissions_list(struct bm_store *st, int64_t campaign_id, bool responded_only, int64_t after_id, int limit, struct bm_arena *a, struct bm_campaign_submission **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_submission_respond(struct bm_store *st, int64_t campaign_id, int64_t id, const char *response, int64_t user_id, int64_t now, struct bm_err *err);
enum bm_rc sqlite_hearing_insert(struct bm_store *st, const struct bm_hearing *h, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc sqlite_hearing_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_hearing *out, struct bm_err *err);
enum bm_rc sqlite_hearings_list(struct bm_store *st, const char *path_prefix, const char *kind, int64_t after_id, int limit, struct bm_arena *a, struct bm_hearing **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_hearing_record(struct bm_store *st, int64_t id, const char *minutes, const char *outcome, int64_t now, struct bm_err *err);
enum bm_rc sqlite_hearing_register(struct bm_store *st, const struct bm_hearing_participant *p, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc sqlite_participants_list(struct bm_store *st, int64_t hearing_id, struct bm_arena *a, struct bm_hearing_participant **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_household_insert(struct bm_store *st, const struct bm_household *h, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc sqlite_household_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_household *out, struct bm_err *err);
enum bm_rc sqlite_households_list(struct bm_store *st, const struct bm_household_query *q, struct bm_arena *a, struct bm_household **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_household_assign(struct bm_store *st, int64_t id, int64_t version, int64_t cadre_id, int64_t now, struct bm_err *err);
enum bm_rc sqlite_households_coverage(struct bm_store *st, const char *path_prefix, struct bm_arena *a, struct bm_coverage_row **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_reception_insert(struct bm_store *st, const struct bm_reception *r, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc sqlite_reception_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_reception *out, struct bm_err *err);
enum bm_rc sqlite_receptions_list(struct bm_store *st, const char *path_prefix, bm_day from_day, int64_t after_id, int limit, struct bm_arena *a, struct bm_reception **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_visit_insert(struct bm_store *st, const struct bm_reception_visit *v, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc sqlite_visit_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_reception_visit *out, struct bm_err *err);
enum bm_rc sqlite_visits_list(struct bm_store *st, int64_t reception_id, struct bm_arena *a, struct bm_reception_visit **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_follow_ups_open(struct bm_store *st, const char *path_prefix, int limit, struct bm_arena *a, struct bm_reception_visit **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_visit_follow_up(struct bm_store *st, int64_t id, const char *result, int64_t user_id, int64_t now, struct bm_err *err);
enum bm_rc sqlite_deputy_insert(struct bm_store *st, const struct bm_deputy *d, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc sqlite_deputies_list(struct bm_store *st, const char *path_prefix, struct bm_arena *a, struct bm_deputy **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_deputy_by_token(struct bm_store *st, const unsigned char hash[32], struct bm_arena *a, struct bm_deputy *out, struct bm_err *err);
enum bm_rc sqlite_matter_insert(struct bm_store *st, const struct bm_deputy_matter *m, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc sqlite_matter_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_deputy_matter *out, struct bm_err *err);
enum bm_rc sqlite_matters_list(struct bm_store *st, const char *path_prefix, bool by_assignee, int64_t deputy_id, int limit, struct bm_arena *a, struct bm_deputy_matter **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_matter_assign(struct bm_store *st, int64_t id, int64_t unit_id, int64_t now, struct bm_err *err);
enum bm_rc sqlite_matter_answer(struct bm_store *st, int64_t id, const char *answer, int64_t user_id, int64_t now, struct bm_err *err);
enum bm_rc sqlite_deputy_deactivate(struct bm_store *st, int64_t id, struct bm_err *err);

/* disclosure.c */
enum bm_rc sqlite_pub_insert(struct bm_store *st, const struct bm_publication *p, int64_t *id, struct bm_err *err);
enum bm_rc sqlite_pub_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_publication *out, struct bm_err *err);
enum bm_rc sqlite_pub_update(struct bm_store *st, const struct bm_publication *p, struct bm_err *err);
enum bm_rc sqlite_pubs_list(struct bm_store *st, const struct bm_pub_query *q, struct bm_arena *a, struct bm_publication **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_pub_file_insert(struct bm_store *st, const struct bm_pub_file *f, const void *content, int64_t *id, struct bm_err *err);
enum bm_rc sqlite_pub_files(struct bm_store *st, int64_t publication_id, struct bm_arena *a, struct bm_pub_file **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_pub_file_get(struct bm_store *st, int64_t publication_id, int64_t id, struct bm_arena *a, struct bm_pub_file *out, void **content, struct bm_err *err);
enum bm_rc sqlite_pub_event_insert(struct bm_store *st, const struct bm_pub_event *e, struct bm_err *err);
enum bm_rc sqlite_pub_events(struct bm_store *st, int64_t publication_id, struct bm_arena *a, struct bm_pub_event **out, size_t *n, struct bm_err *err);
/* demands.c */
enum bm_rc sqlite_demand_next_seq(struct bm_store *st, const char *county, int ymd, int *seq, struct bm_err *err);
enum bm_rc sqlite_demand_insert(struct bm_store *st, const struct bm_demand *d, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc sqlite_demand_get(struct bm_store *st, const char *ticket_no, struct bm_arena *a, struct bm_demand *out, struct bm_err *err);
enum bm_rc sqlite_demand_update(struct bm_store *st, const struct bm_demand *d, int64_t now, struct bm_err *err);
enum bm_rc sqlite_demands_list(struct bm_store *st, const struct bm_demand_query *q, struct bm_arena *a, struct bm_demand **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_demand_event_insert(struct bm_store *st, const struct bm_demand_event *e, struct bm_err *err);
enum bm_rc sqlite_demand_events(struct bm_store *st, int64_t demand_id, struct bm_arena *a, struct bm_demand_event **out, size_t *n, struct bm_err *err);
/* ratings.c: ratings (好差评) and rectification of bad ratings */
enum bm_rc sqlite_rating_insert(struct bm_store *st, const struct bm_rating *r, int64_t *id, struct bm_err *err);
enum bm_rc sqlite_rating_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_rating *out, struct bm_err *err);
enum bm_rc sqlite_ratings_of_case(struct bm_store *st, int64_t case_id, struct bm_arena *a, struct bm_rating **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_ratings_list(struct bm_store *st, const struct bm_rating_query *q, struct bm_arena *a, struct bm_rating **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_rating_counts(struct bm_store *st, const char *handling_prefix, int64_t from, int64_t to, int64_t counts[6], struct bm_err *err);
enum bm_rc sqlite_rect_insert(struct bm_store *st, const struct bm_rectification *r, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc sqlite_rect_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_rectification *out, struct bm_err *err);
enum bm_rc sqlite_rect_update(struct bm_store *st, const struct bm_rectification *r, int64_t now, struct bm_err *err);
enum bm_rc sqlite_rects_list(struct bm_store *st, const struct bm_rect_query *q, struct bm_arena *a, struct bm_rectification **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_stat_snap(struct bm_store *st, int64_t case_id, struct bm_stat_snap *out, struct bm_err *err);
enum bm_rc sqlite_stat_scan(struct bm_store *st, bm_stat_snap_fn fn, void *ctx, struct bm_err *err);
enum bm_rc sqlite_stat_add(struct bm_store *st, const char *county, const struct bm_stat_delta *d, struct bm_err *err);
enum bm_rc sqlite_stat_days_get(struct bm_store *st, const char *county, const struct bm_stat_key *k, unsigned char *buf, size_t *len, struct bm_err *err);
enum bm_rc sqlite_stat_days_set(struct bm_store *st, const char *county, const struct bm_stat_key *k, const unsigned char *buf, size_t len, struct bm_err *err);
enum bm_rc sqlite_stat_names(struct bm_store *st, const char *county, bool items, struct bm_arena *a, struct bm_stat_name **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_stat_stored(struct bm_store *st, bm_stat_row_fn fn, void *ctx, struct bm_err *err);
enum bm_rc sqlite_stat_clear(struct bm_store *st, struct bm_err *err);
enum bm_rc sqlite_stat_range(struct bm_store *st, const struct bm_stats_query *q, const struct bm_stat_range *r, struct bm_arena *a, struct bm_stat_row **out, size_t *n, struct bm_err *err);
/* township performance evaluation (绩效考核) */
enum bm_rc sqlite_eval_plan_insert(struct bm_store *st, const struct bm_eval_plan *p, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc sqlite_eval_plan_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_eval_plan *out, struct bm_err *err);
enum bm_rc sqlite_eval_plans_list(struct bm_store *st, int64_t year, struct bm_arena *a, struct bm_eval_plan **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_eval_plan_update(struct bm_store *st, const struct bm_eval_plan *p, int64_t now, struct bm_err *err);
enum bm_rc sqlite_eval_period_insert(struct bm_store *st, const struct bm_eval_period *p, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc sqlite_eval_period_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_eval_period *out, struct bm_err *err);
enum bm_rc sqlite_eval_periods_list(struct bm_store *st, bool published_only, struct bm_arena *a, struct bm_eval_period **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_eval_period_update(struct bm_store *st, const struct bm_eval_period *p, int64_t now, struct bm_err *err);
enum bm_rc sqlite_eval_input_put(struct bm_store *st, const struct bm_eval_input *in, int64_t now, struct bm_err *err);
enum bm_rc sqlite_eval_inputs_list(struct bm_store *st, int64_t period_id, struct bm_arena *a, struct bm_eval_input **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_eval_counts(struct bm_store *st, const char *township_path, int64_t from, int64_t to, struct bm_eval_counts *out, struct bm_err *err);
enum bm_rc sqlite_eval_veto_insert(struct bm_store *st, const struct bm_eval_veto *v, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc sqlite_eval_vetoes_list(struct bm_store *st, int64_t period_id, struct bm_arena *a, struct bm_eval_veto **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_eval_results_put(struct bm_store *st, int64_t period_id, const struct bm_eval_result *rs, size_t n, int64_t now, struct bm_err *err);
enum bm_rc sqlite_eval_results_list(struct bm_store *st, int64_t period_id, struct bm_arena *a, struct bm_eval_result **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_eval_comment_insert(struct bm_store *st, const struct bm_eval_comment *c, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc sqlite_eval_comments_list(struct bm_store *st, int64_t period_id, int64_t after_id, int limit, struct bm_arena *a, struct bm_eval_comment **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_eval_followup_insert(struct bm_store *st, const struct bm_eval_followup *f, int64_t now, int64_t *id, struct bm_err *err);
enum bm_rc sqlite_eval_followup_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_eval_followup *out, struct bm_err *err);
enum bm_rc sqlite_eval_followups_list(struct bm_store *st, int64_t period_id, struct bm_arena *a, struct bm_eval_followup **out, size_t *n, struct bm_err *err);
enum bm_rc sqlite_eval_followup_update(struct bm_store *st, const struct bm_eval_followup *f, int64_t now, struct bm_err *err);

#endif
