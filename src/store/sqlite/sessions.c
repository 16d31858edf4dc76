/*
 * SQLite: sessions, API tokens and log-in failure records.
 */
#include <string.h>

#include "store/sqlite/int.h"

static enum bm_rc
read_auth_user(sqlite3_stmt *s, struct bm_arena *a, struct bm_auth *out, struct bm_err *err)
{
    memset(out, 0, sizeof(*out));
    return sq_read_user(s, a, &out->user, err);
}

static const char SQL_SESSION_INSERT[] =
    "INSERT INTO sessions (token_hash, user_id, csrf_token, ip, user_agent, created_at, "
    "last_seen_at, expires_at, county_code) VALUES (?1, ?2, ?3, ?4, substr(?5, 1, 200), ?6, ?6, "
    "?7, (SELECT county_code FROM users WHERE id = ?2))";

enum bm_rc
sqlite_session_insert(struct bm_store *st, const unsigned char hash[BM_TOKEN_HASH_LEN],
                        int64_t user_id, const char *csrf, const char *ip, const char *ua,
                        int64_t now, int64_t expires_at, int64_t *id, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_SESSION_INSERT, &s, err);

    if (rc != BM_OK)
        return rc;
    sqlite3_bind_blob(s, 1, hash, BM_TOKEN_HASH_LEN, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, user_id);
    sq_bind_text(s, 3, csrf);
    sq_bind_text(s, 4, ip);
    sq_bind_text(s, 5, ua);
    sqlite3_bind_int64(s, 6, now);
    sqlite3_bind_int64(s, 7, expires_at);
    rc = sq_exec(st, s, "session insert", err);
    if (rc == BM_OK)
        *id = sqlite3_last_insert_rowid(sq_db(st));
    return rc;
}

static const char SQL_AUTH_SESSION[] =
    "SELECT " SQ_USER_COLS ", s.id, s.csrf_token, s.last_seen_at FROM sessions s "
    "JOIN users u ON u.id = s.user_id LEFT JOIN org_units o ON o.id = u.org_unit_id "
    "WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.is_active = 1";

enum bm_rc
sqlite_auth_session(struct bm_store *st, const unsigned char hash[BM_TOKEN_HASH_LEN],
                      int64_t now, struct bm_arena *a, struct bm_auth *out, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_AUTH_SESSION, &s, err);
    int src = SQLITE_DONE;

    if (rc != BM_OK)
        return rc;
    sqlite3_bind_blob(s, 1, hash, BM_TOKEN_HASH_LEN, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, now);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW) {
        rc = read_auth_user(s, a, out, err);
        out->session_id = sqlite3_column_int64(s, SQ_USER_NCOLS);
        out->csrf_token = sq_text(a, s, SQ_USER_NCOLS + 1);
        out->last_seen_at = sqlite3_column_int64(s, SQ_USER_NCOLS + 2);
        if (rc == BM_OK && out->csrf_token == NULL)
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    } else if (src == SQLITE_DONE) {
        rc = bm_err_set(err, BM_EUNAUTH, "登录已过期，请重新登录");
    } else {
        rc = sq_fail(st, src, "auth session", err);
    }
    sq_done(s);
    return rc;
}

static const char SQL_SESSION_TOUCH[] =
    "UPDATE sessions SET last_seen_at = ?2, expires_at = min(?3, created_at + ?4) WHERE id = ?1";

enum bm_rc
sqlite_session_touch(struct bm_store *st, int64_t id, int64_t now, int64_t expires_at,
                       int64_t max_age_s, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_SESSION_TOUCH, &s, err);
    if (rc != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, now);
    sqlite3_bind_int64(s, 3, expires_at);
    sqlite3_bind_int64(s, 4, max_age_s);
    return sq_exec(st, s, "session touch", err);
}

static const char SQL_SESSION_DELETE[] = "DELETE FROM sessions WHERE id = ?1";

enum bm_rc
sqlite_session_delete(struct bm_store *st, int64_t id, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_SESSION_DELETE, &s, err);
    if (rc != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    return sq_exec(st, s, "session delete", err);
}

static const char SQL_SESSIONS_DELETE_USER[] = "DELETE FROM sessions WHERE user_id = ?1";

enum bm_rc
sqlite_sessions_delete_user(struct bm_store *st, int64_t user_id, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_SESSIONS_DELETE_USER, &s, err);
    if (rc != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, user_id);
    return sq_exec(st, s, "sessions delete", err);
}

static const char SQL_TOKEN_INSERT[] =
    "INSERT INTO api_tokens (user_id, name, prefix, token_hash, created_at, expires_at, "
    "county_code) VALUES (?1, ?2, ?3, ?4, ?5, ?6, (SELECT county_code FROM users WHERE id = ?1))";

enum bm_rc
sqlite_token_insert(struct bm_store *st, const struct bm_api_token *t,
                      const unsigned char hash[BM_TOKEN_HASH_LEN], int64_t *id,
                      struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_TOKEN_INSERT, &s, err);

    if (rc != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, t->user_id);
    sq_bind_text(s, 2, t->name);
    sq_bind_text(s, 3, t->prefix);
    sqlite3_bind_blob(s, 4, hash, BM_TOKEN_HASH_LEN, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 5, t->created_at);
    sqlite3_bind_int64(s, 6, t->expires_at);
    rc = sq_exec(st, s, "token insert", err);
    if (rc == BM_OK)
        *id = sqlite3_last_insert_rowid(sq_db(st));
    return rc;
}

static const char SQL_AUTH_TOKEN[] =
    "SELECT " SQ_USER_COLS ", t.id FROM api_tokens t "
    "JOIN users u ON u.id = t.user_id LEFT JOIN org_units o ON o.id = u.org_unit_id "
    "WHERE t.token_hash = ?1 AND t.revoked_at = 0 AND (t.expires_at = 0 OR t.expires_at > ?2) "
    "AND u.is_active = 1";
/* Last use is kept to the minute so that a busy integration does not write on every call. */
static const char SQL_TOKEN_USED[] =
    "UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1 AND last_used_at < ?2 - 60";

enum bm_rc
sqlite_auth_token(struct bm_store *st, const unsigned char hash[BM_TOKEN_HASH_LEN], int64_t now,
                    struct bm_arena *a, struct bm_auth *out, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_AUTH_TOKEN, &s, err);
    int src = SQLITE_DONE;

    if (rc != BM_OK)
        return rc;
    sqlite3_bind_blob(s, 1, hash, BM_TOKEN_HASH_LEN, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, now);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW) {
        rc = read_auth_user(s, a, out, err);
        out->token_id = sqlite3_column_int64(s, SQ_USER_NCOLS);
        out->csrf_token = "";
    } else if (src == SQLITE_DONE) {
        rc = bm_err_set(err, BM_EUNAUTH, "访问令牌无效或已被吊销");
    } else {
        rc = sq_fail(st, src, "auth token", err);
    }
    sq_done(s);
    if (rc != BM_OK)
        return rc;
    rc = sq_prepare(st, SQL_TOKEN_USED, &s, err);
    if (rc != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, out->token_id);
    sqlite3_bind_int64(s, 2, now);
    return sq_exec(st, s, "token used", err);
}

#define TOKEN_COLS                                                                       \
    "t.id, t.user_id, u.username, t.name, t.prefix, t.created_at, t.last_used_at, "       \
    "t.expires_at, t.revoked_at, coalesce(o.path, '')"
#define TOKEN_FROM                                                                       \
    " FROM api_tokens t JOIN users u ON u.id = t.user_id "                               \
    "LEFT JOIN org_units o ON o.id = u.org_unit_id "

static enum bm_rc
read_token(sqlite3_stmt *s, struct bm_arena *a, struct bm_api_token *t, const char **path,
           struct bm_err *err)
{
    memset(t, 0, sizeof(*t));
    t->id = sqlite3_column_int64(s, 0);
    t->user_id = sqlite3_column_int64(s, 1);
    t->username = sq_text(a, s, 2);
    t->name = sq_text(a, s, 3);
    t->prefix = sq_text(a, s, 4);
    t->created_at = sqlite3_column_int64(s, 5);
    t->last_used_at = sqlite3_column_int64(s, 6);
    t->expires_at = sqlite3_column_int64(s, 7);
    t->revoked_at = sqlite3_column_int64(s, 8);
    if (path != NULL)
        *path = sq_text(a, s, 9);
    if (!t->username || !t->name || !t->prefix || (path && !*path))
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    return BM_OK;
}

static const char SQL_TOKENS_LIST[] =
    "SELECT " TOKEN_COLS TOKEN_FROM "WHERE coalesce(o.path, '') LIKE ?1 ESCAPE '\\' "
    "ORDER BY t.id DESC LIMIT 1000";

enum bm_rc
sqlite_tokens_list(struct bm_store *st, const char *prefix, struct bm_arena *a,
                     struct bm_api_token **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    size_t i = 0, cap = 16;
    int src = SQLITE_DONE;

    *out = bm_arena_alloc(a, sizeof(**out) * cap);
    rc = *out ? sq_prepare(st, SQL_TOKENS_LIST, &s, err) : bm_err_set(err, BM_ETOOBIG, "结果过大");
    if (rc != BM_OK)
        return rc;
    sq_bind_prefix(s, 1, prefix, a);
    while (rc == BM_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
        if (i == cap) {
            struct bm_api_token *bigger = bm_arena_alloc(a, sizeof(**out) * cap * 2);
            if (bigger == NULL) {
                rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
                break;
            }
            memcpy(bigger, *out, sizeof(**out) * cap);
            *out = bigger;
            cap *= 2;
        }
        rc = read_token(s, a, &(*out)[i++], NULL, err);
    }
    if (rc == BM_OK && src != SQLITE_DONE)
        rc = sq_fail(st, src, "tokens list", err);
    sq_done(s);
    *n = i;
    return rc;
}

static const char SQL_TOKEN_GET[] = "SELECT " TOKEN_COLS TOKEN_FROM "WHERE t.id = ?1";

enum bm_rc
sqlite_token_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_api_token *out,
                   const char **user_path, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_TOKEN_GET, &s, err);
    int src = SQLITE_DONE;

    if (rc != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW)
        rc = read_token(s, a, out, user_path, err);
    else if (src == SQLITE_DONE)
        rc = bm_err_set(err, BM_ENOTFOUND, "令牌不存在");
    else
        rc = sq_fail(st, src, "token get", err);
    sq_done(s);
    return rc;
}

static const char SQL_TOKEN_REVOKE[] =
    "UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at = 0";

enum bm_rc
sqlite_token_revoke(struct bm_store *st, int64_t id, int64_t now, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_TOKEN_REVOKE, &s, err);
    if (rc != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, now);
    rc = sq_exec(st, s, "token revoke", err);
    if (rc == BM_OK && sqlite3_changes(sq_db(st)) == 0)
        rc = bm_err_set(err, BM_ECONFLICT, "令牌已被吊销");
    return rc;
}

static const char SQL_FAIL_COUNT[] =
    "SELECT (SELECT count(*) FROM login_failures WHERE username = ?1 AND at >= ?3), "
    "(SELECT count(*) FROM login_failures WHERE ip = ?2 AND at >= ?3)";

enum bm_rc
sqlite_login_failures(struct bm_store *st, const char *username, const char *ip, int64_t since,
                        int64_t *n_user, int64_t *n_ip, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_FAIL_COUNT, &s, err);
    int src = SQLITE_DONE;

    if (rc != BM_OK)
        return rc;
    sq_bind_text(s, 1, username);
    sq_bind_text(s, 2, ip);
    sqlite3_bind_int64(s, 3, since);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW) {
        *n_user = sqlite3_column_int64(s, 0);
        *n_ip = sqlite3_column_int64(s, 1);
    } else {
        rc = sq_fail(st, src, "login failures", err);
    }
    sq_done(s);
    return rc;
}

static const char SQL_FAIL_ADD[] =
    "INSERT INTO login_failures (username, ip, at, county_code) VALUES (substr(?1, 1, 64), ?2, "
    "?3, coalesce((SELECT county_code FROM users WHERE username = ?1), " BM_SQL_STORE_COUNTY
    ", ''))";

enum bm_rc
sqlite_login_failure_add(struct bm_store *st, const char *username, const char *ip, int64_t now,
                           struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_FAIL_ADD, &s, err);
    if (rc != BM_OK)
        return rc;
    sq_bind_text(s, 1, username);
    sq_bind_text(s, 2, ip);
    sqlite3_bind_int64(s, 3, now);
    return sq_exec(st, s, "login failure add", err);
}

static const char SQL_FAIL_CLEAR[] =
    "DELETE FROM login_failures WHERE username = ?1 OR at < ?2";

enum bm_rc
sqlite_login_failures_clear(struct bm_store *st, const char *username, int64_t before,
                              struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_FAIL_CLEAR, &s, err);
    if (rc != BM_OK)
        return rc;
    sq_bind_text(s, 1, username);
    sqlite3_bind_int64(s, 2, before);
    return sq_exec(st, s, "login failures clear", err);
}
