/*
 * Opens a store by URL and dispatches every bm_store_* call to the backend behind it.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store/backend.h"
#include "util/config.h"

enum bm_rc
bm_store_open(const char *url, struct bm_store **out, struct bm_err *err)
{
    if (url == NULL || url[0] == '\0')
        return bm_err_set(err, BM_EINVAL, "未指定数据库（--db 或 BIANMIN_DB）");
    if (bm_url_is_postgres(url))
        return bm_pg_open(url, out, err);
    if (strncmp(url, "sqlite:", 7) == 0)
        url += 7;
    else if (strstr(url, "://") != NULL)
        return bm_err_set(err, BM_EINVAL, "不支持的数据库地址 %s（可用 SQLite 文件路径或 postgres://）",
                          url);
    return bm_sqlite_open(url, out, err);
}

bool
bm_store_exists(const char *url)
{
    if (url == NULL || bm_url_is_postgres(url))
        return url != NULL;
    if (strncmp(url, "sqlite:", 7) == 0)
        url += 7;
    return access(url, F_OK) == 0;
}

bool
bm_store_in_tx(const struct bm_store *st)
{
    return st->in_tx;
}

void
bm_store_close(struct bm_store *st)
{
    if (st != NULL)
        st->ops->close(st);
}

/* The schema that added the case statistics summary (0010_stats.sql). */
#define SCHEMA_STATS 10

enum bm_rc
bm_store_migrate(struct bm_store *st, int *n_applied, struct bm_err *err)
{
    int have = 0, known = 0;
    enum bm_rc rc = st->ops->schema_version(st, &have, &known, err);

    if (rc == BM_OK)
        rc = st->ops->migrate(st, n_applied, err);
    /* A store that had cases before the summary existed gets it counted now. */
    if (rc == BM_OK && have > 0 && have < SCHEMA_STATS && have + *n_applied >= SCHEMA_STATS)
        rc = bm_store_stats_rebuild(st, NULL, err);
    return rc;
}

enum bm_rc
bm_store_schema_version(struct bm_store *st, int *have, int *known, struct bm_err *err)
{
    return st->ops->schema_version(st, have, known, err);
}

enum bm_rc
bm_store_begin(struct bm_store *st, struct bm_err *err)
{
    bm_store_read_end(st); /* a write sees the latest state, not an older snapshot */
    return st->ops->begin(st, err);
}

enum bm_rc
bm_store_commit(struct bm_store *st, struct bm_err *err)
{
    return st->ops->commit(st, err);
}

void
bm_store_rollback(struct bm_store *st)
{
    st->in_read = false;
    st->ops->rollback(st);
}

void
bm_store_read_begin(struct bm_store *st)
{
    struct bm_err e;

    bm_err_clear(&e);
    if (!st->in_tx && !st->in_read && st->ops->begin_read != NULL &&
        st->ops->begin_read(st, &e) == BM_OK)
        st->in_read = true;
}

void
bm_store_read_end(struct bm_store *st)
{
    if (st->in_read)
        bm_store_rollback(st);
}

bool
bm_store_sync_failed(struct bm_store *st)
{
    return st->ops->sync_failed != NULL && st->ops->sync_failed(st);
}

void
bm_store_map_reads(struct bm_store *st)
{
    if (st->ops->map_reads != NULL)
        st->ops->map_reads(st);
}

void
bm_store_defer_durability(struct bm_store *st)
{
    if (st->ops->defer_durability != NULL)
        st->ops->defer_durability(st);
}

bool
bm_store_when_durable(struct bm_store *st, struct bm_durable *d)
{
    return st->ops->when_durable != NULL && st->ops->when_durable(st, d);
}

enum bm_rc
bm_store_ping(struct bm_store *st, struct bm_err *err)
{
    return st->ops->ping(st, err);
}

enum bm_rc
bm_store_backup(struct bm_store *st, const char *dest, struct bm_err *err)
{
    return st->ops->backup(st, dest, err);
}

enum bm_rc
bm_store_org_insert(struct bm_store *st, const struct bm_org_unit *u, int64_t now, int64_t *id, struct bm_err *err)
{
    return st->ops->org_insert(st, u, now, id, err);
}

enum bm_rc
bm_store_org_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_org_unit *out, struct bm_err *err)
{
    return st->ops->org_get(st, id, a, out, err);
}

enum bm_rc
bm_store_org_list(struct bm_store *st, const char *path_prefix, struct bm_arena *a, struct bm_org_unit **out, size_t *n, struct bm_err *err)
{
    return st->ops->org_list(st, path_prefix, a, out, n, err);
}

enum bm_rc
bm_store_org_update(struct bm_store *st, const struct bm_org_unit *u, int64_t now, struct bm_err *err)
{
    return st->ops->org_update(st, u, now, err);
}

enum bm_rc
bm_store_org_count(struct bm_store *st, int64_t *n, struct bm_err *err)
{
    return st->ops->org_count(st, n, err);
}

enum bm_rc
bm_store_user_insert(struct bm_store *st, const struct bm_user *u, const char *password_hash, int64_t now, int64_t *id, struct bm_err *err)
{
    return st->ops->user_insert(st, u, password_hash, now, id, err);
}

enum bm_rc
bm_store_user_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_user *out, struct bm_err *err)
{
    return st->ops->user_get(st, id, a, out, err);
}

enum bm_rc
bm_store_user_get_login(struct bm_store *st, const char *username, struct bm_arena *a, struct bm_user *out, const char **password_hash, struct bm_err *err)
{
    return st->ops->user_get_login(st, username, a, out, password_hash, err);
}

enum bm_rc
bm_store_users_list(struct bm_store *st, const char *path_prefix, int64_t after_id, int limit, struct bm_arena *a, struct bm_user **out, size_t *n, struct bm_err *err)
{
    return st->ops->users_list(st, path_prefix, after_id, limit, a, out, n, err);
}

enum bm_rc
bm_store_user_update(struct bm_store *st, const struct bm_user *u, int64_t now, struct bm_err *err)
{
    return st->ops->user_update(st, u, now, err);
}

enum bm_rc
bm_store_user_set_password(struct bm_store *st, int64_t user_id, const char *password_hash, int64_t now, struct bm_err *err)
{
    return st->ops->user_set_password(st, user_id, password_hash, now, err);
}

enum bm_rc
bm_store_user_count(struct bm_store *st, int64_t *n, struct bm_err *err)
{
    return st->ops->user_count(st, n, err);
}

enum bm_rc
bm_store_session_insert(struct bm_store *st, const unsigned char hash[BM_TOKEN_HASH_LEN], int64_t user_id, const char *csrf_token, const char *ip, const char *user_agent, int64_t now, int64_t expires_at, int64_t *id, struct bm_err *err)
{
    return st->ops->session_insert(st, hash, user_id, csrf_token, ip, user_agent, now, expires_at, id, err);
}

enum bm_rc
bm_store_auth_session(struct bm_store *st, const unsigned char hash[BM_TOKEN_HASH_LEN], int64_t now, struct bm_arena *a, struct bm_auth *out, struct bm_err *err)
{
    return st->ops->auth_session(st, hash, now, a, out, err);
}

enum bm_rc
bm_store_session_touch(struct bm_store *st, int64_t session_id, int64_t now, int64_t expires_at, int64_t max_age_s, struct bm_err *err)
{
    return st->ops->session_touch(st, session_id, now, expires_at, max_age_s, err);
}

enum bm_rc
bm_store_session_delete(struct bm_store *st, int64_t session_id, struct bm_err *err)
{
    return st->ops->session_delete(st, session_id, err);
}

enum bm_rc
bm_store_sessions_delete_user(struct bm_store *st, int64_t user_id, struct bm_err *err)
{
    return st->ops->sessions_delete_user(st, user_id, err);
}

enum bm_rc
bm_store_token_insert(struct bm_store *st, const struct bm_api_token *t, const unsigned char hash[BM_TOKEN_HASH_LEN], int64_t *id, struct bm_err *err)
{
    return st->ops->token_insert(st, t, hash, id, err);
}

enum bm_rc
bm_store_auth_token(struct bm_store *st, const unsigned char hash[BM_TOKEN_HASH_LEN], int64_t now, struct bm_arena *a, struct bm_auth *out, struct bm_err *err)
{
    return st->ops->auth_token(st, hash, now, a, out, err);
}

enum bm_rc
bm_store_tokens_list(struct bm_store *st, const char *path_prefix, struct bm_arena *a, struct bm_api_token **out, size_t *n, struct bm_err *err)
{
    return st->ops->tokens_list(st, path_prefix, a, out, n, err);
}

enum bm_rc
bm_store_token_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_api_token *out, const char **user_path, struct bm_err *err)
{
    return st->ops->token_get(st, id, a, out, user_path, err);
}

enum bm_rc
bm_store_token_revoke(struct bm_store *st, int64_t id, int64_t now, struct bm_err *err)
{
    return st->ops->token_revoke(st, id, now, err);
}

enum bm_rc
bm_store_login_failures(struct bm_store *st, const char *username, const char *ip, int64_t since, int64_t *n_user, int64_t *n_ip, struct bm_err *err)
{
    return st->ops->login_failures(st, username, ip, since, n_user, n_ip, err);
}

enum bm_rc
bm_store_login_failure_add(struct bm_store *st, const char *username, const char *ip, int64_t now, struct bm_err *err)
{
    return st->ops->login_failure_add(st, username, ip, now, err);
}

enum bm_rc
bm_store_login_failures_clear(struct bm_store *st, const char *username, int64_t before, struct bm_err *err)
{
    return st->ops->login_failures_clear(st, username, before, err);
}

enum bm_rc
bm_store_user_touch_login(struct bm_store *st, int64_t user_id, int64_t now, struct bm_err *err)
{
    return st->ops->user_touch_login(st, user_id, now, err);
}

enum bm_rc
bm_store_audit_append(struct bm_store *st, struct bm_audit_entry *e, struct bm_err *err)
{
    return st->ops->audit_append(st, e, err);
}

enum bm_rc
bm_store_audit_list(struct bm_store *st, const char *county, int64_t cursor, bool newest_first, int limit, struct bm_arena *a, struct bm_audit_entry **out, size_t *n, struct bm_err *err)
{
    return st->ops->audit_list(st, county, cursor, newest_first, limit, a, out, n, err);
}

enum bm_rc
bm_store_audit_head(struct bm_store *st, const char *county, int64_t *last_id, unsigned char hash[BM_AUDIT_HASH_LEN], struct bm_err *err)
{
    return st->ops->audit_head(st, county, last_id, hash, err);
}

enum bm_rc
bm_store_audit_chains(struct bm_store *st, struct bm_arena *a, const char ***out, size_t *n, struct bm_err *err)
{
    return st->ops->audit_chains(st, a, out, n, err);
}

enum bm_rc
bm_store_item_insert(struct bm_store *st, const struct bm_item *it, int64_t now, int64_t *id, struct bm_err *err)
{
    return st->ops->item_insert(st, it, now, id, err);
}

enum bm_rc
bm_store_item_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_item *out, struct bm_err *err)
{
    return st->ops->item_get(st, id, a, out, err);
}

enum bm_rc
bm_store_item_update(struct bm_store *st, const struct bm_item *it, int64_t now, struct bm_err *err)
{
    return st->ops->item_update(st, it, now, err);
}

enum bm_rc
bm_store_item_set_status(struct bm_store *st, int64_t id, int64_t version, int status, int64_t now, struct bm_err *err)
{
    return st->ops->item_set_status(st, id, version, status, now, err);
}

enum bm_rc
bm_store_item_versions(struct bm_store *st, const char *code, struct bm_arena *a, struct bm_item **out, size_t *n, struct bm_err *err)
{
    return st->ops->item_versions(st, code, a, out, n, err);
}

enum bm_rc
bm_store_item_last_version(struct bm_store *st, const char *code, int *last, struct bm_err *err)
{
    return st->ops->item_last_version(st, code, last, err);
}

enum bm_rc
bm_store_items_search(struct bm_store *st, const struct bm_item_query *q, struct bm_arena *a, struct bm_item **out, size_t *n, struct bm_err *err)
{
    return st->ops->items_search(st, q, a, out, n, err);
}

enum bm_rc
bm_store_delegation_insert(struct bm_store *st, const struct bm_delegation *d, int64_t now, int64_t *id, struct bm_err *err)
{
    return st->ops->delegation_insert(st, d, now, id, err);
}

enum bm_rc
bm_store_delegation_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_delegation *out, struct bm_err *err)
{
    return st->ops->delegation_get(st, id, a, out, err);
}

enum bm_rc
bm_store_delegations_list(struct bm_store *st, struct bm_arena *a, struct bm_delegation **out, size_t *n, struct bm_err *err)
{
    return st->ops->delegations_list(st, a, out, n, err);
}

enum bm_rc
bm_store_delegation_revoke(struct bm_store *st, int64_t id, int64_t version, int64_t now, struct bm_err *err)
{
    return st->ops->delegation_revoke(st, id, version, now, err);
}

enum bm_rc
bm_store_power_insert(struct bm_store *st, const struct bm_power *p, int64_t now, int64_t *id, struct bm_err *err)
{
    return st->ops->power_insert(st, p, now, id, err);
}

enum bm_rc
bm_store_power_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_power *out, struct bm_err *err)
{
    return st->ops->power_get(st, id, a, out, err);
}

enum bm_rc
bm_store_powers_list(struct bm_store *st, int64_t township_id, struct bm_arena *a, struct bm_power **out, size_t *n, struct bm_err *err)
{
    return st->ops->powers_list(st, township_id, a, out, n, err);
}

enum bm_rc
bm_store_power_update(struct bm_store *st, const struct bm_power *p, int64_t now, struct bm_err *err)
{
    return st->ops->power_update(st, p, now, err);
}

void
bm_store_tune_for_batch(struct bm_store *st)
{
    if (st->ops->tune_for_batch != NULL)
        st->ops->tune_for_batch(st);
}

enum bm_rc
bm_store_calendar_load(struct bm_store *st, struct bm_arena *a, struct bm_cal_year **out, size_t *n, struct bm_err *err)
{
    return st->ops->calendar_load(st, a, out, n, err);
}

enum bm_rc
bm_store_calendar_stamp(struct bm_store *st, int64_t *stamp, struct bm_err *err)
{
    return st->ops->calendar_stamp(st, stamp, err);
}

enum bm_rc
bm_store_calendar_put(struct bm_store *st, const struct bm_cal_year *y, int64_t version, int64_t now, struct bm_err *err)
{
    return st->ops->calendar_put(st, y, version, now, err);
}

enum bm_rc
bm_store_case_next_seq(struct bm_store *st, const char *town_code, int ymd, int *seq, struct bm_err *err)
{
    return st->ops->case_next_seq(st, town_code, ymd, seq, err);
}

enum bm_rc
bm_store_case_insert(struct bm_store *st, const struct bm_case *c, int64_t now, int64_t *id, struct bm_err *err)
{
    enum bm_rc rc = st->ops->case_insert(st, c, now, id, err);

    return rc == BM_OK ? bm_store_stat_after(st, *id, NULL, err) : rc;
}

enum bm_rc
bm_store_case_get(struct bm_store *st, const char *case_no, struct bm_arena *a, struct bm_case *out, struct bm_err *err)
{
    return st->ops->case_get(st, case_no, a, out, err);
}

enum bm_rc
bm_store_case_update(struct bm_store *st, const struct bm_case *c, int64_t now, struct bm_err *err)
{
    struct bm_stat_snap before;
    enum bm_rc rc = bm_store_stat_before(st, c->id, &before, err);

    /* No such case: no version matches (the contract of case_update). */
    if (rc == BM_ENOTFOUND)
        return bm_err_set(err, BM_ESTALE, "办件已被他人修改，请刷新后重试");
    if (rc == BM_OK)
        rc = st->ops->case_update(st, c, now, err);
    return rc == BM_OK ? bm_store_stat_after(st, c->id, &before, err) : rc;
}

enum bm_rc
bm_store_cases_list(struct bm_store *st, const struct bm_case_query *q, struct bm_arena *a, struct bm_case **out, size_t *n, struct bm_err *err)
{
    return st->ops->cases_list(st, q, a, out, n, err);
}

enum bm_rc
bm_store_cases_unrated(struct bm_store *st, int64_t closed_after, int64_t closed_until, int64_t after_closed, int64_t after_id, int limit, struct bm_arena *a, struct bm_case **out, size_t *n, struct bm_err *err)
{
    return st->ops->cases_unrated(st, closed_after, closed_until, after_closed, after_id, limit, a, out, n, err);
}

enum bm_rc
bm_store_cases_to_warn(struct bm_store *st, bm_day today, int64_t after_id, int limit, struct bm_arena *a, struct bm_case **out, size_t *n, struct bm_err *err)
{
    return st->ops->cases_to_warn(st, today, after_id, limit, a, out, n, err);
}

enum bm_rc
bm_store_case_set_warn_day(struct bm_store *st, int64_t case_id, bm_day warn_day, struct bm_err *err)
{
    return st->ops->case_set_warn_day(st, case_id, warn_day, err);
}

enum bm_rc
bm_store_case_mark_warned(struct bm_store *st, int64_t case_id, int level, bm_day due, bool *claimed, struct bm_err *err)
{
    return st->ops->case_mark_warned(st, case_id, level, due, claimed, err);
}

enum bm_rc
bm_store_case_event_insert(struct bm_store *st, const struct bm_case_event *e, struct bm_err *err)
{
    return st->ops->case_event_insert(st, e, err);
}

enum bm_rc
bm_store_case_events(struct bm_store *st, int64_t case_id, struct bm_arena *a, struct bm_case_event **out, size_t *n, struct bm_err *err)
{
    return st->ops->case_events(st, case_id, a, out, n, err);
}

enum bm_rc
bm_store_case_pause_insert(struct bm_store *st, const struct bm_case_pause *p, struct bm_err *err)
{
    return st->ops->case_pause_insert(st, p, err);
}

enum bm_rc
bm_store_case_pause_end(struct bm_store *st, int64_t case_id, bm_day to_day, int64_t now, struct bm_err *err)
{
    return st->ops->case_pause_end(st, case_id, to_day, now, err);
}

enum bm_rc
bm_store_case_pauses(struct bm_store *st, int64_t case_id, struct bm_arena *a, struct bm_case_pause **out, size_t *n, struct bm_err *err)
{
    return st->ops->case_pauses(st, case_id, a, out, n, err);
}

enum bm_rc
bm_store_attachment_insert(struct bm_store *st, const struct bm_attachment *at, const void *content, int64_t *id, struct bm_err *err)
{
    return st->ops->attachment_insert(st, at, content, id, err);
}

enum bm_rc
bm_store_attachments_list(struct bm_store *st, int64_t case_id, struct bm_arena *a, struct bm_attachment **out, size_t *n, struct bm_err *err)
{
    return st->ops->attachments_list(st, case_id, a, out, n, err);
}

enum bm_rc
bm_store_attachment_get(struct bm_store *st, int64_t case_id, int64_t id, struct bm_arena *a, struct bm_attachment *out, void **content, struct bm_err *err)
{
    return st->ops->attachment_get(st, case_id, id, a, out, content, err);
}

enum bm_rc
bm_store_certificate_insert(struct bm_store *st, const struct bm_certificate *c, int64_t *id, struct bm_err *err)
{
    return st->ops->certificate_insert(st, c, id, err);
}

enum bm_rc
bm_store_certificates_of(struct bm_store *st, const unsigned char holder_hash[32], struct bm_arena *a, struct bm_certificate **out, size_t *n, struct bm_err *err)
{
    return st->ops->certificates_of(st, holder_hash, a, out, n, err);
}

enum bm_rc
bm_store_idem_get(struct bm_store *st, int64_t user_id, const char *key, unsigned char body_hash[32], int64_t *case_id, const char **case_no, struct bm_arena *a, struct bm_err *err)
{
    return st->ops->idem_get(st, user_id, key, body_hash, case_id, case_no, a, err);
}

enum bm_rc
bm_store_idem_put(struct bm_store *st, int64_t user_id, const char *key, const unsigned char body_hash[32], int64_t case_id, int64_t now, struct bm_err *err)
{
    return st->ops->idem_put(st, user_id, key, body_hash, case_id, now, err);
}

enum bm_rc
bm_store_outbox_insert(struct bm_store *st, const struct bm_outbox_msg *m, int64_t now, struct bm_err *err)
{
    return st->ops->outbox_insert(st, m, now, err);
}

enum bm_rc
bm_store_outbox_claim(struct bm_store *st, int64_t now, int lease_s, int limit, struct bm_arena *a, struct bm_outbox_msg **out, size_t *n, struct bm_err *err)
{
    return st->ops->outbox_claim(st, now, lease_s, limit, a, out, n, err);
}

enum bm_rc
bm_store_outbox_done(struct bm_store *st, int64_t id, bool sent, const char *error, int64_t retry_at, int64_t now, struct bm_err *err)
{
    return st->ops->outbox_done(st, id, sent, error, retry_at, now, err);
}

enum bm_rc
bm_store_outbox_of_case(struct bm_store *st, int64_t case_id, struct bm_arena *a, struct bm_outbox_msg **out, size_t *n, struct bm_err *err)
{
    return st->ops->outbox_of_case(st, case_id, a, out, n, err);
}

/* ---- participation (公众参与) ---- */

enum bm_rc
bm_store_campaign_insert(struct bm_store *st, const struct bm_campaign *c, int64_t now, int64_t *id, struct bm_err *err)
{
    return st->ops->campaign_insert(st, c, now, id, err);
}

enum bm_rc
bm_store_campaign_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_campaign *out, struct bm_err *err)
{
    return st->ops->campaign_get(st, id, a, out, err);
}

enum bm_rc
bm_store_campaigns_list(struct bm_store *st, const char *path_prefix, bm_day started_by, int64_t after_id, int limit, struct bm_arena *a, struct bm_campaign **out, size_t *n, struct bm_err *err)
{
    return st->ops->campaigns_list(st, path_prefix, started_by, after_id, limit, a, out, n, err);
}

enum bm_rc
bm_store_campaign_summarize(struct bm_store *st, int64_t id, const char *summary, int64_t now, struct bm_err *err)
{
    return st->ops->campaign_summarize(st, id, summary, now, err);
}

enum bm_rc
bm_store_submission_insert(struct bm_store *st, const struct bm_campaign_submission *s, int64_t now, int64_t *id, struct bm_err *err)
{
    return st->ops->submission_insert(st, s, now, id, err);
}

enum bm_rc
bm_store_submissions_list(struct bm_store *st, int64_t campaign_id, bool responded_only, int64_t after_id, int limit, struct bm_arena *a, struct bm_campaign_submission **out, size_t *n, struct bm_err *err)
{
    return st->ops->submissions_list(st, campaign_id, responded_only, after_id, limit, a, out, n, err);
}

enum bm_rc
bm_store_submission_respond(struct bm_store *st, int64_t campaign_id, int64_t id, const char *response, int64_t user_id, int64_t now, struct bm_err *err)
{
    return st->ops->submission_respond(st, campaign_id, id, response, user_id, now, err);
}

enum bm_rc
bm_store_hearing_insert(struct bm_store *st, const struct bm_hearing *h, int64_t now, int64_t *id, struct bm_err *err)
{
    return st->ops->hearing_insert(st, h, now, id, err);
}

enum bm_rc
bm_store_hearing_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_hearing *out, struct bm_err *err)
{
    return st->ops->hearing_get(st, id, a, out, err);
}

enum bm_rc
bm_store_hearings_list(struct bm_store *st, const char *path_prefix, const char *kind, int64_t after_id, int limit, struct bm_arena *a, struct bm_hearing **out, size_t *n, struct bm_err *err)
{
    return st->ops->hearings_list(st, path_prefix, kind, after_id, limit, a, out, n, err);
}

enum bm_rc
bm_store_hearing_record(struct bm_store *st, int64_t id, const char *minutes, const char *outcome, int64_t now, struct bm_err *err)
{
    return st->ops->hearing_record(st, id, minutes, outcome, now, err);
}

enum bm_rc
bm_store_hearing_register(struct bm_store *st, const struct bm_hearing_participant *p, int64_t now, int64_t *id, struct bm_err *err)
{
    return st->ops->hearing_register(st, p, now, id, err);
}

enum bm_rc
bm_store_participants_list(struct bm_store *st, int64_t hearing_id, struct bm_arena *a, struct bm_hearing_participant **out, size_t *n, struct bm_err *err)
{
    return st->ops->participants_list(st, hearing_id, a, out, n, err);
}

enum bm_rc
bm_store_household_insert(struct bm_store *st, const struct bm_household *h, int64_t now, int64_t *id, struct bm_err *err)
{
    return st->ops->household_insert(st, h, now, id, err);
}

enum bm_rc
bm_store_household_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_household *out, struct bm_err *err)
{
    return st->ops->household_get(st, id, a, out, err);
}

enum bm_rc
bm_store_households_list(struct bm_store *st, const struct bm_household_query *q, struct bm_arena *a, struct bm_household **out, size_t *n, struct bm_err *err)
{
    return st->ops->households_list(st, q, a, out, n, err);
}

enum bm_rc
bm_store_household_assign(struct bm_store *st, int64_t id, int64_t version, int64_t cadre_id, int64_t now, struct bm_err *err)
{
    return st->ops->household_assign(st, id, version, cadre_id, now, err);
}

enum bm_rc
bm_store_households_coverage(struct bm_store *st, const char *path_prefix, struct bm_arena *a, struct bm_coverage_row **out, size_t *n, struct bm_err *err)
{
    return st->ops->households_coverage(st, path_prefix, a, out, n, err);
}

enum bm_rc
bm_store_reception_insert(struct bm_store *st, const struct bm_reception *r, int64_t now, int64_t *id, struct bm_err *err)
{
    return st->ops->reception_insert(st, r, now, id, err);
}

enum bm_rc
bm_store_reception_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_reception *out, struct bm_err *err)
{
    return st->ops->reception_get(st, id, a, out, err);
}

enum bm_rc
bm_store_receptions_list(struct bm_store *st, const char *path_prefix, bm_day from_day, int64_t after_id, int limit, struct bm_arena *a, struct bm_reception **out, size_t *n, struct bm_err *err)
{
    return st->ops->receptions_list(st, path_prefix, from_day, after_id, limit, a, out, n, err);
}

enum bm_rc
bm_store_visit_insert(struct bm_store *st, const struct bm_reception_visit *v, int64_t now, int64_t *id, struct bm_err *err)
{
    return st->ops->visit_insert(st, v, now, id, err);
}

enum bm_rc
bm_store_visit_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_reception_visit *out, struct bm_err *err)
{
    return st->ops->visit_get(st, id, a, out, err);
}

enum bm_rc
bm_store_visits_list(struct bm_store *st, int64_t reception_id, struct bm_arena *a, struct bm_reception_visit **out, size_t *n, struct bm_err *err)
{
    return st->ops->visits_list(st, reception_id, a, out, n, err);
}

enum bm_rc
bm_store_follow_ups_open(struct bm_store *st, const char *path_prefix, int limit, struct bm_arena *a, struct bm_reception_visit **out, size_t *n, struct bm_err *err)
{
    return st->ops->follow_ups_open(st, path_prefix, limit, a, out, n, err);
}

enum bm_rc
bm_store_visit_follow_up(struct bm_store *st, int64_t id, const char *result, int64_t user_id, int64_t now, struct bm_err *err)
{
    return st->ops->visit_follow_up(st, id, result, user_id, now, err);
}

enum bm_rc
bm_store_deputy_insert(struct bm_store *st, const struct bm_deputy *d, int64_t now, int64_t *id, struct bm_err *err)
{
    return st->ops->deputy_insert(st, d, now, id, err);
}

enum bm_rc
bm_store_deputies_list(struct bm_store *st, const char *path_prefix, struct bm_arena *a, struct bm_deputy **out, size_t *n, struct bm_err *err)
{
    return st->ops->deputies_list(st, path_prefix, a, out, n, err);
}

enum bm_rc
bm_store_deputy_by_token(struct bm_store *st, const unsigned char hash[32], struct bm_arena *a, struct bm_deputy *out, struct bm_err *err)
{
    return st->ops->deputy_by_token(st, hash, a, out, err);
}

enum bm_rc
bm_store_matter_insert(struct bm_store *st, const struct bm_deputy_matter *m, int64_t now, int64_t *id, struct bm_err *err)
{
    return st->ops->matter_insert(st, m, now, id, err);
}

enum bm_rc
bm_store_matter_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_deputy_matter *out, struct bm_err *err)
{
    return st->ops->matter_get(st, id, a, out, err);
}

enum bm_rc
bm_store_matters_list(struct bm_store *st, const char *path_prefix, bool by_assignee, int64_t deputy_id, int limit, struct bm_arena *a, struct bm_deputy_matter **out, size_t *n, struct bm_err *err)
{
    return st->ops->matters_list(st, path_prefix, by_assignee, deputy_id, limit, a, out, n, err);
}

enum bm_rc
bm_store_matter_assign(struct bm_store *st, int64_t id, int64_t unit_id, int64_t now, struct bm_err *err)
{
    return st->ops->matter_assign(st, id, unit_id, now, err);
}

enum bm_rc
bm_store_matter_answer(struct bm_store *st, int64_t id, const char *answer, int64_t user_id, int64_t now, struct bm_err *err)
{
    return st->ops->matter_answer(st, id, answer, user_id, now, err);
}

enum bm_rc
bm_store_deputy_deactivate(struct bm_store *st, int64_t id, struct bm_err *err)
{
    return st->ops->deputy_deactivate(st, id, err);
}

enum bm_rc
bm_store_sup_insert(struct bm_store *st, const struct bm_sup_record *r, int64_t *id, struct bm_err *err)
{
    return st->ops->sup_insert(st, r, id, err);
}

enum bm_rc
bm_store_sup_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_sup_record *out, struct bm_err *err)
{
    return st->ops->sup_get(st, id, a, out, err);
}

enum bm_rc
bm_store_sup_list(struct bm_store *st, const struct bm_sup_query *q, struct bm_arena *a, struct bm_sup_record **out, size_t *n, struct bm_err *err)
{
    return st->ops->sup_list(st, q, a, out, n, err);
}

enum bm_rc
bm_store_sup_update(struct bm_store *st, const struct bm_sup_record *r, struct bm_err *err)
{
    return st->ops->sup_update(st, r, err);
}

/* ---- disclosure ---- */

enum bm_rc
bm_store_pub_insert(struct bm_store *st, const struct bm_publication *p, int64_t *id, struct bm_err *err)
{
    return st->ops->pub_insert(st, p, id, err);
}

enum bm_rc
bm_store_pub_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_publication *out, struct bm_err *err)
{
    return st->ops->pub_get(st, id, a, out, err);
}

enum bm_rc
bm_store_pub_update(struct bm_store *st, const struct bm_publication *p, struct bm_err *err)
{
    return st->ops->pub_update(st, p, err);
}

enum bm_rc
bm_store_pubs_list(struct bm_store *st, const struct bm_pub_query *q, struct bm_arena *a, struct bm_publication **out, size_t *n, struct bm_err *err)
{
    return st->ops->pubs_list(st, q, a, out, n, err);
}

enum bm_rc
bm_store_pub_file_insert(struct bm_store *st, const struct bm_pub_file *f, const void *content, int64_t *id, struct bm_err *err)
{
    return st->ops->pub_file_insert(st, f, content, id, err);
}

enum bm_rc
bm_store_pub_files(struct bm_store *st, int64_t publication_id, struct bm_arena *a, struct bm_pub_file **out, size_t *n, struct bm_err *err)
{
    return st->ops->pub_files(st, publication_id, a, out, n, err);
}

enum bm_rc
bm_store_pub_file_get(struct bm_store *st, int64_t publication_id, int64_t id, struct bm_arena *a, struct bm_pub_file *out, void **content, struct bm_err *err)
{
    return st->ops->pub_file_get(st, publication_id, id, a, out, content, err);
}

enum bm_rc
bm_store_pub_event_insert(struct bm_store *st, const struct bm_pub_event *e, struct bm_err *err)
{
    return st->ops->pub_event_insert(st, e, err);
}

enum bm_rc
bm_store_pub_events(struct bm_store *st, int64_t publication_id, struct bm_arena *a, struct bm_pub_event **out, size_t *n, struct bm_err *err)
{
    return st->ops->pub_events(st, publication_id, a, out, n, err);
}

/* demands */

enum bm_rc
bm_store_demand_next_seq(struct bm_store *st, const char *county, int ymd, int *seq, struct bm_err *err)
{
    return st->ops->demand_next_seq(st, county, ymd, seq, err);
}

enum bm_rc
bm_store_demand_insert(struct bm_store *st, const struct bm_demand *d, int64_t now, int64_t *id, struct bm_err *err)
{
    return st->ops->demand_insert(st, d, now, id, err);
}

enum bm_rc
bm_store_demand_get(struct bm_store *st, const char *ticket_no, struct bm_arena *a, struct bm_demand *out, struct bm_err *err)
{
    return st->ops->demand_get(st, ticket_no, a, out, err);
}

enum bm_rc
bm_store_demand_update(struct bm_store *st, const struct bm_demand *d, int64_t now, struct bm_err *err)
{
    return st->ops->demand_update(st, d, now, err);
}

enum bm_rc
bm_store_demands_list(struct bm_store *st, const struct bm_demand_query *q, struct bm_arena *a, struct bm_demand **out, size_t *n, struct bm_err *err)
{
    return st->ops->demands_list(st, q, a, out, n, err);
}

enum bm_rc
bm_store_demand_event_insert(struct bm_store *st, const struct bm_demand_event *e, struct bm_err *err)
{
    return st->ops->demand_event_insert(st, e, err);
}

enum bm_rc
bm_store_demand_events(struct bm_store *st, int64_t demand_id, struct bm_arena *a, struct bm_demand_event **out, size_t *n, struct bm_err *err)
{
    return st->ops->demand_events(st, demand_id, a, out, n, err);
}

/* ---- ratings (好差评) and rectification of bad ratings ---- */

enum bm_rc
bm_store_rating_insert(struct bm_store *st, const struct bm_rating *r, int64_t *id, struct bm_err *err)
{
    struct bm_stat_snap before;
    enum bm_rc rc = bm_store_stat_before(st, r->case_id, &before, err);

    if (rc == BM_OK)
        rc = st->ops->rating_insert(st, r, id, err);
    return rc == BM_OK ? bm_store_stat_after(st, r->case_id, &before, err) : rc;
}

enum bm_rc
bm_store_rating_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_rating *out, struct bm_err *err)
{
    return st->ops->rating_get(st, id, a, out, err);
}

enum bm_rc
bm_store_ratings_of_case(struct bm_store *st, int64_t case_id, struct bm_arena *a, struct bm_rating **out, size_t *n, struct bm_err *err)
{
    return st->ops->ratings_of_case(st, case_id, a, out, n, err);
}

enum bm_rc
bm_store_ratings_list(struct bm_store *st, const struct bm_rating_query *q, struct bm_arena *a, struct bm_rating **out, size_t *n, struct bm_err *err)
{
    return st->ops->ratings_list(st, q, a, out, n, err);
}

enum bm_rc
bm_store_rating_counts(struct bm_store *st, const char *handling_prefix, int64_t from, int64_t to, int64_t counts[6], struct bm_err *err)
{
    return st->ops->rating_counts(st, handling_prefix, from, to, counts, err);
}

enum bm_rc
bm_store_rect_insert(struct bm_store *st, const struct bm_rectification *r, int64_t now, int64_t *id, struct bm_err *err)
{
    return st->ops->rect_insert(st, r, now, id, err);
}

enum bm_rc
bm_store_rect_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_rectification *out, struct bm_err *err)
{
    return st->ops->rect_get(st, id, a, out, err);
}

enum bm_rc
bm_store_rect_update(struct bm_store *st, const struct bm_rectification *r, int64_t now, struct bm_err *err)
{
    return st->ops->rect_update(st, r, now, err);
}

enum bm_rc
bm_store_rects_list(struct bm_store *st, const struct bm_rect_query *q, struct bm_arena *a, struct bm_rectification **out, size_t *n, struct bm_err *err)
{
    return st->ops->rects_list(st, q, a, out, n, err);
}

/* ---- township performance evaluation (绩效考核) ---- */

enum bm_rc
bm_store_eval_plan_insert(struct bm_store *st, const struct bm_eval_plan *p, int64_t now, int64_t *id, struct bm_err *err)
{
    return st->ops->eval_plan_insert(st, p, now, id, err);
}

enum bm_rc
bm_store_eval_plan_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_eval_plan *out, struct bm_err *err)
{
    return st->ops->eval_plan_get(st, id, a, out, err);
}

enum bm_rc
bm_store_eval_plans_list(struct bm_store *st, int64_t year, struct bm_arena *a, struct bm_eval_plan **out, size_t *n, struct bm_err *err)
{
    return st->ops->eval_plans_list(st, year, a, out, n, err);
}

enum bm_rc
bm_store_eval_plan_update(struct bm_store *st, const struct bm_eval_plan *p, int64_t now, struct bm_err *err)
{
    return st->ops->eval_plan_update(st, p, now, err);
}

enum bm_rc
bm_store_eval_period_insert(struct bm_store *st, const struct bm_eval_period *p, int64_t now, int64_t *id, struct bm_err *err)
{
    return st->ops->eval_period_insert(st, p, now, id, err);
}

enum bm_rc
bm_store_eval_period_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_eval_period *out, struct bm_err *err)
{
    return st->ops->eval_period_get(st, id, a, out, err);
}

enum bm_rc
bm_store_eval_periods_list(struct bm_store *st, bool published_only, struct bm_arena *a, struct bm_eval_period **out, size_t *n, struct bm_err *err)
{
    return st->ops->eval_periods_list(st, published_only, a, out, n, err);
}

enum bm_rc
bm_store_eval_period_update(struct bm_store *st, const struct bm_eval_period *p, int64_t now, struct bm_err *err)
{
    return st->ops->eval_period_update(st, p, now, err);
}

enum bm_rc
bm_store_eval_input_put(struct bm_store *st, const struct bm_eval_input *in, int64_t now, struct bm_err *err)
{
    return st->ops->eval_input_put(st, in, now, err);
}

enum bm_rc
bm_store_eval_inputs_list(struct bm_store *st, int64_t period_id, struct bm_arena *a, struct bm_eval_input **out, size_t *n, struct bm_err *err)
{
    return st->ops->eval_inputs_list(st, period_id, a, out, n, err);
}

enum bm_rc
bm_store_eval_counts(struct bm_store *st, const char *township_path, int64_t from, int64_t to, struct bm_eval_counts *out, struct bm_err *err)
{
    return st->ops->eval_counts(st, township_path, from, to, out, err);
}

enum bm_rc
bm_store_eval_veto_insert(struct bm_store *st, const struct bm_eval_veto *v, int64_t now, int64_t *id, struct bm_err *err)
{
    return st->ops->eval_veto_insert(st, v, now, id, err);
}

enum bm_rc
bm_store_eval_vetoes_list(struct bm_store *st, int64_t period_id, struct bm_arena *a, struct bm_eval_veto **out, size_t *n, struct bm_err *err)
{
    return st->ops->eval_vetoes_list(st, period_id, a, out, n, err);
}

enum bm_rc
bm_store_eval_results_put(struct bm_store *st, int64_t period_id, const struct bm_eval_result *rs, size_t n, int64_t now, struct bm_err *err)
{
    return st->ops->eval_results_put(st, period_id, rs, n, now, err);
}

enum bm_rc
bm_store_eval_results_list(struct bm_store *st, int64_t period_id, struct bm_arena *a, struct bm_eval_result **out, size_t *n, struct bm_err *err)
{
    return st->ops->eval_results_list(st, period_id, a, out, n, err);
}

enum bm_rc
bm_store_eval_comment_insert(struct bm_store *st, const struct bm_eval_comment *c, int64_t now, int64_t *id, struct bm_err *err)
{
    return st->ops->eval_comment_insert(st, c, now, id, err);
}

enum bm_rc
bm_store_eval_comments_list(struct bm_store *st, int64_t period_id, int64_t after_id, int limit, struct bm_arena *a, struct bm_eval_comment **out, size_t *n, struct bm_err *err)
{
    return st->ops->eval_comments_list(st, period_id, after_id, limit, a, out, n, err);
}

enum bm_rc
bm_store_eval_followup_insert(struct bm_store *st, const struct bm_eval_followup *f, int64_t now, int64_t *id, struct bm_err *err)
{
    return st->ops->eval_followup_insert(st, f, now, id, err);
}

enum bm_rc
bm_store_eval_followup_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_eval_followup *out, struct bm_err *err)
{
    return st->ops->eval_followup_get(st, id, a, out, err);
}

enum bm_rc
bm_store_eval_followups_list(struct bm_store *st, int64_t period_id, struct bm_arena *a, struct bm_eval_followup **out, size_t *n, struct bm_err *err)
{
    return st->ops->eval_followups_list(st, period_id, a, out, n, err);
}

enum bm_rc
bm_store_eval_followup_update(struct bm_store *st, const struct bm_eval_followup *f, int64_t now, struct bm_err *err)
{
    return st->ops->eval_followup_update(st, f, now, err);
}
