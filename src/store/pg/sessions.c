/*
 * PostgreSQL: sessions, API tokens and log-in failure records. Mirrors sqlite/sessions.c.
 */
#include <string.h>

#include "store/pg/int.h"

static const char SQL_SESSION_INSERT[] =
    "INSERT INTO sessions (token_hash, user_id, csrf_token, ip, user_agent, created_at, "
    "last_seen_at, expires_at, county_code) VALUES ($1, $2::bigint, $3, $4, substr($5, 1, 200), "
    "$6::bigint, $6::bigint, $7::bigint, (SELECT county_code FROM users WHERE id = $2::bigint)) "
    "RETURNING id";

enum bm_rc
pg_session_insert(struct bm_store *st, const unsigned char hash[BM_TOKEN_HASH_LEN],
                  int64_t user_id, const char *csrf, const char *ip, const char *ua, int64_t now,
                  int64_t expires_at, int64_t *id, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;

    pq_bytes(&a, hash, BM_TOKEN_HASH_LEN);
    pq_i64(&a, user_id);
    pq_str(&a, csrf);
    pq_str(&a, ip);
    pq_str(&a, ua);
    pq_i64(&a, now);
    pq_i64(&a, expires_at);
    if ((r = pq_run(st, SQL_SESSION_INSERT, &a, "session insert", err)) == NULL)
        return err->rc;
    *id = pq_int(r, 0, 0);
    PQclear(r);
    return BM_OK;
}

static const char SQL_AUTH_SESSION[] =
    "SELECT " PQ_USER_COLS ", s.id, s.csrf_token, s.last_seen_at FROM sessions s "
    "JOIN users u ON u.id = s.user_id LEFT JOIN org_units o ON o.id = u.org_unit_id "
    "WHERE s.token_hash = $1 AND s.expires_at > $2::bigint AND u.is_active = 1";

enum bm_rc
pg_auth_session(struct bm_store *st, const unsigned char hash[BM_TOKEN_HASH_LEN], int64_t now,
                struct bm_arena *ar, struct bm_auth *out, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc;

    pq_bytes(&a, hash, BM_TOKEN_HASH_LEN);
    pq_i64(&a, now);
    if ((r = pq_run(st, SQL_AUTH_SESSION, &a, "auth session", err)) == NULL)
        return err->rc;
    memset(out, 0, sizeof(*out));
    if (PQntuples(r) != 1) {
        rc = bm_err_set(err, BM_EUNAUTH, "登录已过期，请重新登录");
    } else {
        rc = pq_read_user(r, 0, ar, &out->user, err);
        out->session_id = pq_int(r, 0, PQ_USER_NCOLS);
        out->csrf_token = pq_text(ar, r, 0, PQ_USER_NCOLS + 1);
        out->last_seen_at = pq_int(r, 0, PQ_USER_NCOLS + 2);
        if (rc == BM_OK && out->csrf_token == NULL)
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    }
    PQclear(r);
    return rc;
}

static const char SQL_SESSION_TOUCH[] =
    "UPDATE sessions SET last_seen_at = $2::bigint, "
    "expires_at = LEAST($3::bigint, created_at + $4::bigint) WHERE id = $1::bigint";

enum bm_rc
pg_session_touch(struct bm_store *st, int64_t id, int64_t now, int64_t expires_at,
                 int64_t max_age_s, struct bm_err *err)
{
    struct pq_args a = {0};
    pq_i64(&a, id);
    pq_i64(&a, now);
    pq_i64(&a, expires_at);
    pq_i64(&a, max_age_s);
    return pq_exec(st, SQL_SESSION_TOUCH, &a, "session touch", NULL, err);
}

static const char SQL_SESSION_DELETE[] = "DELETE FROM sessions WHERE id = $1::bigint";
static const char SQL_SESSIONS_DELETE_USER[] = "DELETE FROM sessions WHERE user_id = $1::bigint";

enum bm_rc
pg_session_delete(struct bm_store *st, int64_t id, struct bm_err *err)
{
    struct pq_args a = {0};
    pq_i64(&a, id);
    return pq_exec(st, SQL_SESSION_DELETE, &a, "session delete", NULL, err);
}

enum bm_rc
pg_sessions_delete_user(struct bm_store *st, int64_t user_id, struct bm_err *err)
{
    struct pq_args a = {0};
    pq_i64(&a, user_id);
    return pq_exec(st, SQL_SESSIONS_DELETE_USER, &a, "sessions delete", NULL, err);
}

static const char SQL_TOKEN_INSERT[] =
    "INSERT INTO api_tokens (user_id, name, prefix, token_hash, created_at, expires_at, "
    "county_code) VALUES ($1::bigint, $2, $3, $4, $5::bigint, $6::bigint, (SELECT county_code "
    "FROM users WHERE id = $1::bigint)) RETURNING id";

enum bm_rc
pg_token_insert(struct bm_store *st, const struct bm_api_token *t,
                const unsigned char hash[BM_TOKEN_HASH_LEN], int64_t *id, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;

    pq_i64(&a, t->user_id);
    pq_str(&a, t->name);
    pq_str(&a, t->prefix);
    pq_bytes(&a, hash, BM_TOKEN_HASH_LEN);
    pq_i64(&a, t->created_at);
    pq_i64(&a, t->expires_at);
    if ((r = pq_run(st, SQL_TOKEN_INSERT, &a, "token insert", err)) == NULL)
        return err->rc;
    *id = pq_int(r, 0, 0);
    PQclear(r);
    return BM_OK;
}

static const char SQL_AUTH_TOKEN[] =
    "SELECT " PQ_USER_COLS ", t.id FROM api_tokens t "
    "JOIN users u ON u.id = t.user_id LEFT JOIN org_units o ON o.id = u.org_unit_id "
    "WHERE t.token_hash = $1 AND t.revoked_at = 0 AND (t.expires_at = 0 OR t.expires_at > $2::bigint) "
    "AND u.is_active = 1";
/* Last use is kept to the minute so that a busy integration does not write on every call. */
static const char SQL_TOKEN_USED[] =
    "UPDATE api_tokens SET last_used_at = $2::bigint WHERE id = $1::bigint "
    "AND last_used_at < $2::bigint - 60";

enum bm_rc
pg_auth_token(struct bm_store *st, const unsigned char hash[BM_TOKEN_HASH_LEN], int64_t now,
              struct bm_arena *ar, struct bm_auth *out, struct bm_err *err)
{
    struct pq_args a = {0}, b = {0};
    PGresult *r;
    enum bm_rc rc;

    pq_bytes(&a, hash, BM_TOKEN_HASH_LEN);
    pq_i64(&a, now);
    if ((r = pq_run(st, SQL_AUTH_TOKEN, &a, "auth token", err)) == NULL)
        return err->rc;
    memset(out, 0, sizeof(*out));
    if (PQntuples(r) != 1) {
        rc = bm_err_set(err, BM_EUNAUTH, "访问令牌无效或已被吊销");
    } else {
        rc = pq_read_user(r, 0, ar, &out->user, err);
        out->token_id = pq_int(r, 0, PQ_USER_NCOLS);
        out->csrf_token = "";
    }
    PQclear(r);
    if (rc != BM_OK)
        return rc;
    pq_i64(&b, out->token_id);
    pq_i64(&b, now);
    return pq_exec(st, SQL_TOKEN_USED, &b, "token used", NULL, err);
}

#define TOKEN_COLS                                                                       \
    "t.id, t.user_id, u.username, t.name, t.prefix, t.created_at, t.last_used_at, "       \
    "t.expires_at, t.revoked_at, coalesce(o.path, '')"
#define TOKEN_FROM                                                                       \
    " FROM api_tokens t JOIN users u ON u.id = t.user_id "                               \
    "LEFT JOIN org_units o ON o.id = u.org_unit_id "

static enum bm_rc
read_token(const PGresult *r, int row, struct bm_arena *ar, struct bm_api_token *t,
           const char **path, struct bm_err *err)
{
    memset(t, 0, sizeof(*t));
    t->id = pq_int(r, row, 0);
    t->user_id = pq_int(r, row, 1);
    t->username = pq_text(ar, r, row, 2);
    t->name = pq_text(ar, r, row, 3);
    t->prefix = pq_text(ar, r, row, 4);
    t->created_at = pq_int(r, row, 5);
    t->last_used_at = pq_int(r, row, 6);
    t->expires_at = pq_int(r, row, 7);
    t->revoked_at = pq_int(r, row, 8);
    if (path != NULL)
        *path = pq_text(ar, r, row, 9);
    if (!t->username || !t->name || !t->prefix || (path && !*path))
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    return BM_OK;
}

static const char SQL_TOKENS_LIST[] = "SELECT " TOKEN_COLS TOKEN_FROM
                                      "WHERE coalesce(o.path, '') LIKE $1 "
                                      "ORDER BY t.id DESC LIMIT 1000";

enum bm_rc
pg_tokens_list(struct bm_store *st, const char *prefix, struct bm_arena *ar,
               struct bm_api_token **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    const char *pat = pq_prefix(ar, prefix);
    PGresult *r;
    enum bm_rc rc = BM_OK;
    int rows, i;

    if (pat == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    pq_str(&a, pat);
    if ((r = pq_run(st, SQL_TOKENS_LIST, &a, "tokens list", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    *out = bm_arena_alloc(ar, sizeof(**out) * (size_t)(rows + 1));
    if (*out == NULL)
        rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    for (i = 0; rc == BM_OK && i < rows; i++)
        rc = read_token(r, i, ar, &(*out)[i], NULL, err);
    *n = (size_t)i;
    PQclear(r);
    return rc;
}

static const char SQL_TOKEN_GET[] = "SELECT " TOKEN_COLS TOKEN_FROM "WHERE t.id = $1::bigint";

enum bm_rc
pg_token_get(struct bm_store *st, int64_t id, struct bm_arena *ar, struct bm_api_token *out,
             const char **user_path, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc;

    pq_i64(&a, id);
    if ((r = pq_run(st, SQL_TOKEN_GET, &a, "token get", err)) == NULL)
        return err->rc;
    rc = PQntuples(r) == 1 ? read_token(r, 0, ar, out, user_path, err)
                           : bm_err_set(err, BM_ENOTFOUND, "令牌不存在");
    PQclear(r);
    return rc;
}

static const char SQL_TOKEN_REVOKE[] =
    "UPDATE api_tokens SET revoked_at = $2::bigint WHERE id = $1::bigint AND revoked_at = 0";

enum bm_rc
pg_token_revoke(struct bm_store *st, int64_t id, int64_t now, struct bm_err *err)
{
    struct pq_args a = {0};
    int64_t changed = 0;
    enum bm_rc rc;

    pq_i64(&a, id);
    pq_i64(&a, now);
    rc = pq_exec(st, SQL_TOKEN_REVOKE, &a, "token revoke", &changed, err);
    if (rc == BM_OK && changed == 0)
        rc = bm_err_set(err, BM_ECONFLICT, "令牌已被吊销");
    return rc;
}

static const char SQL_FAIL_COUNT[] =
    "SELECT (SELECT count(*) FROM login_failures WHERE username = $1 AND at >= $3::bigint), "
    "(SELECT count(*) FROM login_failures WHERE ip = $2 AND at >= $3::bigint)";

enum bm_rc
pg_login_failures(struct bm_store *st, const char *username, const char *ip, int64_t since,
                  int64_t *n_user, int64_t *n_ip, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;

    pq_str(&a, username);
    pq_str(&a, ip);
    pq_i64(&a, since);
    if ((r = pq_run(st, SQL_FAIL_COUNT, &a, "login failures", err)) == NULL)
        return err->rc;
    *n_user = pq_int(r, 0, 0);
    *n_ip = pq_int(r, 0, 1);
    PQclear(r);
    return BM_OK;
}

static const char SQL_FAIL_ADD[] =
    "INSERT INTO login_failures (username, ip, at, county_code) VALUES (substr($1, 1, 64), $2, "
    "$3::bigint, coalesce((SELECT county_code FROM users WHERE username = $1), "
    BM_SQL_STORE_COUNTY ", ''))";

enum bm_rc
pg_login_failure_add(struct bm_store *st, const char *username, const char *ip, int64_t now,
                     struct bm_err *err)
{
    struct pq_args a = {0};
    pq_str(&a, username);
    pq_str(&a, ip);
    pq_i64(&a, now);
    return pq_exec(st, SQL_FAIL_ADD, &a, "login failure add", NULL, err);
}

static const char SQL_FAIL_CLEAR[] =
    "DELETE FROM login_failures WHERE username = $1 OR at < $2::bigint";

enum bm_rc
pg_login_failures_clear(struct bm_store *st, const char *username, int64_t before,
                        struct bm_err *err)
{
    struct pq_args a = {0};
    pq_str(&a, username);
    pq_i64(&a, before);
    return pq_exec(st, SQL_FAIL_CLEAR, &a, "login failures clear", NULL, err);
}
