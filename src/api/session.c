/*
 * Log-in, log-out, the current user, and changing one's own password.
 * Log-in and password change hash with argon2id, so their routes run on the worker pool.
 */
#include <pthread.h>
#include <string.h>

#include "api/dispatch.h"
#include "api/handlers.h"
#include "api/json.h"
#include "core/secret.h"
#include "util/log.h"
#include "util/metrics.h"

/* Verified against when the user name is unknown, so both failures take equally long. */
static char dummy_hash[BM_SECRET_HASH_STR];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void
make_dummy(void)
{
    struct bm_err e;
    bm_err_clear(&e);
    if (bm_secret_hash_password("bianmin-not-a-password-1", dummy_hash, &e) != BM_OK)
        dummy_hash[0] = '\0';
}

static const char *
session_cookie(struct bm_req *rq, const char *token, int max_age)
{
    return bm_arena_printf(rq->arena, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s",
                           BM_SESSION_COOKIE, token, max_age,
                           rq->cfg->secure_cookies ? "; Secure" : "");
}

static enum bm_rc
me_reply(struct bm_req *rq, struct bm_resp *rs, const struct bm_user *u, const char *csrf)
{
    json_t *root = json_object();
    json_object_set_new(root, "user", bm_api_user_json(u));
    json_object_set_new(root, "csrf_token", json_string(csrf));
    return bm_json_reply(rq, rs, 200, root);
}

static enum bm_rc
throttled(struct bm_req *rq, const char *username, bool *is_throttled)
{
    int64_t n_user = 0, n_ip = 0;
    enum bm_rc rc = bm_store_login_failures(rq->store, username, rq->client_ip,
                                            rq->now - rq->cfg->login_window_s, &n_user, &n_ip,
                                            &rq->err);
    *is_throttled = n_user >= rq->cfg->login_max_failures || n_ip >= rq->cfg->login_ip_max_failures;
    return rc;
}

enum bm_rc
bm_api_session_create(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"username", "password", NULL};
    const char *username = NULL, *password = NULL, *hash = NULL, *cookie;
    char token[BM_SECRET_TOKEN_LEN + 1], csrf[BM_SECRET_TOKEN_LEN + 1];
    unsigned char digest[BM_SECRET_DIGEST_LEN];
    struct bm_user u;
    bool ok, is_throttled;
    int64_t sid;
    json_t *body;
    enum bm_rc rc;

    rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, fields);
    if (rc == BM_OK) {
        (void)bm_json_get_str(rq, body, "username", true, 64, &username, NULL);
        (void)bm_json_get_str(rq, body, "password", true, BM_PASSWORD_MAX_BYTES, &password, NULL);
        rc = rq->err.n_fields > 0 ? BM_EINVAL : BM_OK;
    }
    if (rc == BM_OK)
        rc = throttled(rq, username, &is_throttled);
    if (rc != BM_OK)
        return rc;
    if (is_throttled) {
        bm_log(BM_LOG_WARN, "login_throttled", "user=%s ip=%s", username, rq->client_ip);
        bm_metrics_throttled();
        rq->err.retry_after_s = rq->cfg->login_window_s;
        return bm_err_set(&rq->err, BM_ETHROTTLED, "登录失败次数过多，请 %d 分钟后再试",
                          rq->cfg->login_window_s / 60);
    }

    rc = bm_store_user_get_login(rq->store, username, rq->arena, &u, &hash, &rq->err);
    if (rc == BM_ENOTFOUND) {
        bm_err_clear(&rq->err);
        pthread_once(&dummy_once, make_dummy);
        (void)bm_secret_verify_password(dummy_hash, password);
        ok = false;
    } else if (rc != BM_OK) {
        return rc;
    } else {
        ok = bm_secret_verify_password(hash, password) && u.is_active;
    }
    if (!ok) {
        rc = bm_store_login_failure_add(rq->store, username, rq->client_ip, rq->now, &rq->err);
        if (rc != BM_OK)
            return rc;
        bm_log(BM_LOG_INFO, "login_failed", "user=%s ip=%s", username, rq->client_ip);
        return bm_err_set(&rq->err, BM_EUNAUTH, "用户名或密码错误");
    }

    bm_secret_token(token);
    bm_secret_token(csrf);
    bm_secret_digest(token, strlen(token), digest);
    rq->who.user_id = u.id;
    rq->who.username = u.username;
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_session_insert(rq->store, digest, u.id, csrf, rq->client_ip, rq->user_agent,
                                     rq->now, rq->now + rq->cfg->session_idle_s, &sid, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_login_failures_clear(rq->store, username,
                                           rq->now - rq->cfg->login_window_s, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_user_touch_login(rq->store, u.id, rq->now, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "session.create", "user", u.id,
                          json_pack("{s:s,s:I}", "ip", rq->client_ip, "session_id", (json_int_t)sid));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc == BM_OK) {
        u.last_login_at = rq->now;
        cookie = session_cookie(rq, token, rq->cfg->session_max_s);
        bm_secret_wipe(token, sizeof(token));
        if (cookie == NULL)
            return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
        bm_resp_header(rs, "Set-Cookie", cookie);
        rc = me_reply(rq, rs, &u, csrf);
    }
    return rc;
}

enum bm_rc
bm_api_session_delete(struct bm_req *rq, struct bm_resp *rs)
{
    enum bm_rc rc;

    if (rq->auth.session_id == 0)
        return bm_err_set(&rq->err, BM_EINVAL, "使用访问令牌时无需退出登录");
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_session_delete(rq->store, rq->auth.session_id, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "session.delete", "user", rq->who.user_id, NULL);
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc != BM_OK)
        return rc;
    bm_resp_header(rs, "Set-Cookie", session_cookie(rq, "", 0));
    rs->status = 204;
    return BM_OK;
}

enum bm_rc
bm_api_me(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_user u;
    enum bm_rc rc = bm_store_user_get(rq->store, rq->who.user_id, rq->arena, &u, &rq->err);
    return rc == BM_OK ? me_reply(rq, rs, &u, rq->auth.csrf_token) : rc;
}

enum bm_rc
bm_api_me_password(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"old_password", "new_password", NULL};
    const char *old_pw = NULL, *new_pw = NULL, *hash = NULL;
    char new_hash[BM_SECRET_HASH_STR];
    struct bm_user u;
    json_t *body;
    enum bm_rc rc;

    rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, fields);
    if (rc == BM_OK) {
        (void)bm_json_get_str(rq, body, "old_password", true, BM_PASSWORD_MAX_BYTES, &old_pw, NULL);
        (void)bm_json_get_str(rq, body, "new_password", true, BM_PASSWORD_MAX_BYTES, &new_pw, NULL);
        if (new_pw != NULL)
            (void)bm_user_check_password(new_pw, rq->who.username, "new_password", &rq->err);
        rc = rq->err.n_fields > 0 ? BM_EINVAL : BM_OK;
    }
    if (rc == BM_OK)
        rc = bm_store_user_get_login(rq->store, rq->who.username, rq->arena, &u, &hash, &rq->err);
    if (rc != BM_OK)
        return rc;
    if (!bm_secret_verify_password(hash, old_pw))
        return bm_err_field(&rq->err, "old_password", "原密码不正确");
    rc = bm_secret_hash_password(new_pw, new_hash, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_user_set_password(rq->store, u.id, new_hash, rq->now, &rq->err);
    /* Every session of the account ends, this one included: log in again with the new one. */
    if (rc == BM_OK)
        rc = bm_store_sessions_delete_user(rq->store, u.id, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "user.password_change", "user", u.id, NULL);
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    bm_secret_wipe(new_hash, sizeof(new_hash));
    if (rc != BM_OK)
        return rc;
    bm_resp_header(rs, "Set-Cookie", session_cookie(rq, "", 0));
    rs->status = 204;
    return BM_OK;
}
