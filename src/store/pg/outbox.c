/*
 * PostgreSQL: the notification outbox. Messages are queued in the transaction that caused
 * them; senders in any number of processes claim due ones with a lease (SKIP LOCKED, so
 * two claimers never wait on each other or take the same row). Mirrors sqlite/outbox.c.
 */
#include <limits.h>
#include <string.h>

#include "store/pg/int.h"

#define MSG_COLS                                                                             \
    "id, coalesce(case_id, 0), county_code, channel, template, body, recipient_enc, "        \
    "attempts, created_at, sent_at"

static enum bm_rc
read_msgs(PGresult *r, struct bm_arena *ar, struct bm_outbox_msg **out, size_t *n,
          struct bm_err *err)
{
    int rows = PQntuples(r);
    struct bm_outbox_msg *ms;
    enum bm_rc rc = BM_OK;
    size_t k = 0;

    ms = bm_arena_alloc(ar, sizeof(*ms) * (size_t)(rows + 1));
    if (ms == NULL)
        rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    for (int i = 0; rc == BM_OK && i < rows; i++) {
        struct bm_outbox_msg *m = &ms[k++];
        memset(m, 0, sizeof(*m));
        m->id = pq_int(r, i, 0);
        m->case_id = pq_int(r, i, 1);
        m->county_code = pq_text(ar, r, i, 2);
        m->channel = pq_text(ar, r, i, 3);
        m->template_name = pq_text(ar, r, i, 4);
        m->body = pq_text(ar, r, i, 5);
        m->recipient_enc = pq_blob_dup(ar, r, i, 6, &m->recipient_enc_len);
        m->attempts = (int)pq_int(r, i, 7);
        m->created_at = pq_int(r, i, 8);
        m->sent_at = pq_int(r, i, 9);
        if (!m->county_code || !m->channel || !m->template_name || !m->body ||
            !m->recipient_enc)
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    }
    if (rc == BM_OK) {
        *out = ms;
        *n = k;
    }
    return rc;
}

static const char SQL_OUTBOX_INSERT[] =
    "INSERT INTO outbox (county_code, channel, recipient_enc, template, body, case_id, "
    "created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, nullif($6::bigint, 0), "
    "$7::bigint, $7::bigint)";

enum bm_rc
pg_outbox_insert(struct bm_store *st, const struct bm_outbox_msg *m, int64_t now,
                 struct bm_err *err)
{
    struct pq_args a = {0};

    BM_ASSERT(st->in_tx);
    BM_ASSERT(m->recipient_enc_len <= INT_MAX);
    pq_str(&a, m->county_code);
    pq_str(&a, m->channel);
    pq_bytes(&a, m->recipient_enc != NULL ? m->recipient_enc : (const unsigned char *)"",
             (int)m->recipient_enc_len);
    pq_str(&a, m->template_name);
    pq_str(&a, m->body);
    pq_i64(&a, m->case_id);
    pq_i64(&a, now);
    return pq_exec(st, SQL_OUTBOX_INSERT, &a, "outbox insert", NULL, err);
}

/*
 * The inner SELECT locks the candidates it can (rows another claimer holds are skipped);
 * the outer condition repeats the lease test for a row whose lease a claimer that
 * committed meanwhile has just renewed.
 */
static const char SQL_OUTBOX_CLAIM[] =
    "WITH claimed AS (UPDATE outbox SET locked_until = $1::bigint + $2::bigint, "
    "attempts = attempts + 1 WHERE id IN (SELECT id FROM outbox WHERE sent_at = 0 "
    "AND next_attempt_at <= $1::bigint AND locked_until <= $1::bigint ORDER BY next_attempt_at, id "
    "LIMIT $3::bigint FOR UPDATE SKIP LOCKED) AND locked_until <= $1::bigint "
    "RETURNING " MSG_COLS ") SELECT * FROM claimed ORDER BY id";

enum bm_rc
pg_outbox_claim(struct bm_store *st, int64_t now, int lease_s, int limit, struct bm_arena *ar,
                struct bm_outbox_msg **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc;

    pq_i64(&a, now);
    pq_i64(&a, lease_s);
    pq_i64(&a, limit);
    rc = pg_begin(st, err);
    if (rc != BM_OK)
        return rc;
    if ((r = pq_run(st, SQL_OUTBOX_CLAIM, &a, "outbox claim", err)) == NULL) {
        rc = err->rc;
        goto out;
    }
    rc = read_msgs(r, ar, out, n, err);
    PQclear(r);
    if (rc == BM_OK)
        rc = pg_commit(st, err);
out:
    if (rc != BM_OK)
        pg_rollback(st);
    return rc;
}

static const char SQL_OUTBOX_SENT[] =
    "UPDATE outbox SET sent_at = $2::bigint, locked_until = 0, last_error = '' "
    "WHERE id = $1::bigint";
static const char SQL_OUTBOX_FAILED[] =
    "UPDATE outbox SET last_error = $2, next_attempt_at = $3::bigint, locked_until = 0 "
    "WHERE id = $1::bigint";

enum bm_rc
pg_outbox_done(struct bm_store *st, int64_t id, bool sent, const char *error, int64_t retry_at,
               int64_t now, struct bm_err *err)
{
    struct pq_args a = {0};

    pq_i64(&a, id);
    if (!sent) {
        pq_str(&a, error);
        pq_i64(&a, retry_at);
        return pq_exec(st, SQL_OUTBOX_FAILED, &a, "outbox failed", NULL, err);
    }
    pq_i64(&a, now);
    return pq_exec(st, SQL_OUTBOX_SENT, &a, "outbox sent", NULL, err);
}

static const char SQL_OUTBOX_OF_CASE[] =
    "SELECT " MSG_COLS " FROM outbox WHERE case_id = $1::bigint ORDER BY id LIMIT 100";

enum bm_rc
pg_outbox_of_case(struct bm_store *st, int64_t case_id, struct bm_arena *ar,
                  struct bm_outbox_msg **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc;

    pq_i64(&a, case_id);
    if ((r = pq_run(st, SQL_OUTBOX_OF_CASE, &a, "outbox of case", err)) == NULL)
        return err->rc;
    rc = read_msgs(r, ar, out, n, err);
    PQclear(r);
    return rc;
}
