/*
 * SQLite: the notification outbox. Messages are queued inside the transaction that caused
 * them; the sender claims a batch for a lease, sends, and marks each one done.
 */
#include <string.h>

#include "store/sqlite/int.h"

static const char SQL_OUT_INSERT[] =
    "INSERT INTO outbox (county_code, channel, recipient_enc, template, body, case_id, "
    "created_at, next_attempt_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)";

enum bm_rc
sqlite_outbox_insert(struct bm_store *st, const struct bm_outbox_msg *m, int64_t now,
                     struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_OUT_INSERT, &s, err)) != BM_OK)
        return rc;
    sq_bind_text(s, 1, m->county_code);
    sq_bind_text(s, 2, m->channel);
    sqlite3_bind_blob(s, 3, m->recipient_enc, (int)m->recipient_enc_len, SQLITE_TRANSIENT);
    sq_bind_text(s, 4, m->template_name);
    sq_bind_text(s, 5, m->body);
    if (m->case_id == 0)
        sqlite3_bind_null(s, 6);
    else
        sqlite3_bind_int64(s, 6, m->case_id);
    sqlite3_bind_int64(s, 7, now);
    return sq_exec(st, s, "outbox insert", err);
}

#define OUT_COLS                                                                               \
    "id, coalesce(case_id, 0), county_code, channel, template, body, recipient_enc, attempts, " \
    "created_at, sent_at"

static enum bm_rc
read_msg(sqlite3_stmt *s, struct bm_arena *a, struct bm_outbox_msg *m, struct bm_err *err)
{
    int len = sqlite3_column_bytes(s, 6);
    unsigned char *enc = bm_arena_alloc(a, (size_t)len + 1);

    memset(m, 0, sizeof(*m));
    m->id = sqlite3_column_int64(s, 0);
    m->case_id = sqlite3_column_int64(s, 1);
    m->county_code = sq_text(a, s, 2);
    m->channel = sq_text(a, s, 3);
    m->template_name = sq_text(a, s, 4);
    m->body = sq_text(a, s, 5);
    m->attempts = sqlite3_column_int(s, 7);
    m->created_at = sqlite3_column_int64(s, 8);
    m->sent_at = sqlite3_column_int64(s, 9);
    if (!enc || !m->county_code || !m->channel || !m->template_name || !m->body)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    if (len > 0)
        memcpy(enc, sqlite3_column_blob(s, 6), (size_t)len);
    m->recipient_enc = enc;
    m->recipient_enc_len = (size_t)len;
    return BM_OK;
}

static const char SQL_OUT_CLAIM[] =
    "UPDATE outbox SET locked_until = ?1 + ?2, attempts = attempts + 1 WHERE id IN "
    "(SELECT id FROM outbox WHERE sent_at = 0 AND next_attempt_at <= ?1 AND locked_until <= ?1 "
    "ORDER BY next_attempt_at, id LIMIT ?3) RETURNING " OUT_COLS;

enum bm_rc
sqlite_outbox_claim(struct bm_store *st, int64_t now, int lease_s, int limit, struct bm_arena *a,
                    struct bm_outbox_msg **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src = SQLITE_DONE;

    *n = 0;
    if ((*out = bm_arena_alloc(a, sizeof(**out) * (size_t)(limit > 0 ? limit : 1))) == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    if ((rc = sqlite_begin(st, err)) != BM_OK)
        return rc;
    if ((rc = sq_prepare(st, SQL_OUT_CLAIM, &s, err)) == BM_OK) {
        sqlite3_bind_int64(s, 1, now);
        sqlite3_bind_int(s, 2, lease_s);
        sqlite3_bind_int(s, 3, limit);
        while (rc == BM_OK && (src = sqlite3_step(s)) == SQLITE_ROW)
            if (*n < (size_t)limit && (rc = read_msg(s, a, &(*out)[*n], err)) == BM_OK)
                (*n)++;
        if (rc == BM_OK && src != SQLITE_DONE)
            rc = sq_fail(st, src, "outbox claim", err);
        sq_done(s);
    }
    if (rc == BM_OK)
        rc = sqlite_commit(st, err);
    if (rc != BM_OK) {
        sqlite_rollback(st);
        *n = 0;
    }
    return rc;
}

static const char SQL_OUT_SENT[] =
    "UPDATE outbox SET sent_at = ?2, locked_until = 0, last_error = '' WHERE id = ?1";
static const char SQL_OUT_FAILED[] =
    "UPDATE outbox SET last_error = ?2, next_attempt_at = ?3, locked_until = 0 WHERE id = ?1";

enum bm_rc
sqlite_outbox_done(struct bm_store *st, int64_t id, bool sent, const char *error,
                   int64_t retry_at, int64_t now, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    if ((rc = sq_prepare(st, sent ? SQL_OUT_SENT : SQL_OUT_FAILED, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    if (sent) {
        sqlite3_bind_int64(s, 2, now);
    } else {
        sq_bind_text(s, 2, error);
        sqlite3_bind_int64(s, 3, retry_at);
    }
    return sq_exec(st, s, "outbox done", err);
}

static const char SQL_OUT_OF_CASE[] =
    "SELECT " OUT_COLS " FROM outbox WHERE case_id = ?1 ORDER BY id LIMIT 100";

enum bm_rc
sqlite_outbox_of_case(struct bm_store *st, int64_t case_id, struct bm_arena *a,
                      struct bm_outbox_msg **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src = SQLITE_DONE;
    const size_t cap = 100;

    *n = 0;
    if ((*out = bm_arena_alloc(a, sizeof(**out) * cap)) == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    if ((rc = sq_prepare(st, SQL_OUT_OF_CASE, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, case_id);
    while (rc == BM_OK && *n < cap && (src = sqlite3_step(s)) == SQLITE_ROW)
        if ((rc = read_msg(s, a, &(*out)[*n], err)) == BM_OK)
            (*n)++;
    if (rc == BM_OK && src != SQLITE_DONE && src != SQLITE_ROW)
        rc = sq_fail(st, src, "outbox of case", err);
    sq_done(s);
    return rc;
}
