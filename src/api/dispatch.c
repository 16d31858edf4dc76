/*
 * The checks every request passes before its handler, in order: who (401), may they (403),
 * CSRF (403), anonymous submissions per address (429), body type and size (415, 413). Then
 * the handler, then error rendering.
 */
#include "api/dispatch.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/problem.h"
#include "core/limit.h"
#include "core/secret.h"
#include "util/log.h"
#include "util/metrics.h"

/* Activity is written back at most once a minute per session. */
#define TOUCH_INTERVAL_S 60

static const char *
cookie_value(struct bm_req *rq, const char *name)
{
    size_t nl = strlen(name);
    const char *p = rq->cookie;

    while (p && *p) {
        while (*p == ' ' || *p == ';')
            p++;
        if (strncmp(p, name, nl) == 0 && p[nl] == '=') {
            const char *v = p + nl + 1, *e = strchr(v, ';');
            return bm_arena_strndup(rq->arena, v, e ? (size_t)(e - v) : strlen(v));
        }
        p = strchr(p, ';');
    }
    return NULL;
}

static void
principal_from(struct bm_req *rq)
{
    struct bm_principal *p = &rq->who;
    memset(p, 0, sizeof(*p));
    p->user_id = rq->auth.user.id;
    p->username = rq->auth.user.username;
    p->roles = rq->auth.user.roles;
    p->org_unit_id = rq->auth.user.org_unit_id;
    snprintf(p->org_path, sizeof(p->org_path), "%s", rq->auth.user.org_path);
}

static enum bm_rc
authenticate(struct bm_req *rq)
{
    unsigned char digest[BM_SECRET_DIGEST_LEN];
    const char *tok;
    enum bm_rc rc;

    if (strncmp(rq->authorization, "Bearer ", 7) == 0) {
        tok = rq->authorization + 7;
        bm_secret_digest(tok, strlen(tok), digest);
        rc = bm_store_auth_token(rq->store, digest, rq->now, rq->arena, &rq->auth, &rq->err);
        if (rc != BM_OK)
            return rc; /* a wrong token is an error even on public routes */
    } else if (rq->authorization[0] != '\0') {
        return bm_err_set(&rq->err, BM_EUNAUTH, "Authorization 请求头应为 Bearer 令牌");
    } else if ((tok = cookie_value(rq, BM_SESSION_COOKIE)) != NULL && tok[0] != '\0') {
        bm_secret_digest(tok, strlen(tok), digest);
        rc = bm_store_auth_session(rq->store, digest, rq->now, rq->arena, &rq->auth, &rq->err);
        if (rc == BM_EUNAUTH) {
            /* An expired cookie makes the caller anonymous, not an error by itself. */
            bm_err_clear(&rq->err);
            return BM_OK;
        }
        if (rc != BM_OK)
            return rc;
        if (rq->now - rq->auth.last_seen_at >= TOUCH_INTERVAL_S) {
            rc = bm_store_session_touch(rq->store, rq->auth.session_id, rq->now,
                                        rq->now + rq->cfg->session_idle_s, rq->cfg->session_max_s,
                                        &rq->err);
            if (rc != BM_OK)
                return rc;
        }
    } else {
        return BM_OK;
    }
    rq->is_authenticated = true;
    principal_from(rq);
    return BM_OK;
}

/* "application/json", optionally followed by parameters ("; charset=utf-8"). */
static bool
is_json(const char *ct)
{
    return strncasecmp(ct, "application/json", 16) == 0 &&
           (ct[16] == '\0' || ct[16] == ';' || ct[16] == ' ');
}

static bool
changes_state(enum bm_method m)
{
    return m != BM_GET && m != BM_HEAD && m != BM_OPTIONS;
}

/* Anonymous submissions (demands, ratings, comments, registrations…) per client address and
 * minute, shared by the server's threads: without a log-in nothing else stops one address
 * from filling the store. 4096 addresses are counted at a time (limit.h). */
#define PUBLIC_SLOTS 4096
static struct bm_limit_slot public_slots[PUBLIC_SLOTS];
static int64_t public_logged; /* the second of the last refusal logged: one a second at most */
static pthread_mutex_t public_mu = PTHREAD_MUTEX_INITIALIZER;

static enum bm_rc
limit_anonymous(const struct bm_route *r, struct bm_req *rq)
{
    int retry = 0;
    bool ok, log = false;

    if (!changes_state(rq->method) || r->perm != BM_PERM_PUBLIC || rq->is_authenticated ||
        (r->flags & BM_ROUTE_OWN_LIMIT))
        return BM_OK;
    pthread_mutex_lock(&public_mu);
    ok = bm_limit_hit(public_slots, PUBLIC_SLOTS, rq->client_ip ? rq->client_ip : "", rq->now, 60,
                      rq->cfg->public_posts_per_minute, &retry);
    if (!ok && rq->now != public_logged) {
        public_logged = rq->now;
        log = true;
    }
    pthread_mutex_unlock(&public_mu);
    if (ok)
        return BM_OK;
    bm_metrics_public_throttled();
    if (log)
        bm_log(BM_LOG_WARN, "public_post_throttled", "ip=%s route=%s (one line a second at most)",
               rq->client_ip, r->label);
    rq->err.retry_after_s = retry > 0 ? retry : 1;
    return bm_err_set(&rq->err, BM_ETHROTTLED, "提交过于频繁，请 %d 秒后再试",
                      rq->err.retry_after_s);
}

static enum bm_rc
check(const struct bm_route *r, struct bm_req *rq)
{
    enum bm_rc rc = authenticate(rq);

    if (rc != BM_OK)
        return rc;
    if (r->perm != BM_PERM_PUBLIC && !rq->is_authenticated)
        return bm_err_set(&rq->err, BM_EUNAUTH, "请先登录");
    if (!bm_access_role_allows(&rq->who, r->perm) && r->perm != BM_PERM_PUBLIC)
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "您的角色无权执行此操作");
    /* A cookie is sent by the browser on its own; the CSRF token proves the page sent it. */
    if (changes_state(rq->method) && rq->auth.session_id != 0 && !(r->flags & BM_ROUTE_NO_CSRF) &&
        !bm_secret_equal(rq->csrf_token, rq->auth.csrf_token))
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "缺少或错误的 X-CSRF-Token 请求头");
    if ((rc = limit_anonymous(r, rq)) != BM_OK)
        return rc;
    if (r->flags & BM_ROUTE_UPLOAD)
        return BM_OK; /* the handler checks the file's type and size */
    if (rq->body_len > 0 && !is_json(rq->content_type))
        return bm_err_set(&rq->err, BM_EMEDIA, "请求体应为 application/json");
    if ((int64_t)rq->body_len > rq->cfg->body_max_bytes)
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求体超过 %lld 字节的上限",
                          (long long)rq->cfg->body_max_bytes);
    return BM_OK;
}

void
bm_api_fail(struct bm_req *rq, struct bm_resp *rs, enum bm_rc rc, const char *message)
{
    (void)bm_err_set(&rq->err, rc, "%s", message);
    bm_api_problem(rs, &rq->err, rq->request_id, rq->arena);
}

void
bm_api_dispatch(const struct bm_route *r, struct bm_req *rq, struct bm_resp *rs)
{
    enum bm_rc rc;

    /* A read answers from one snapshot, its log-in check included: one read transaction per
     * request instead of two (each takes the WAL's read lock, shared by every thread). */
    if (rq->method == BM_GET || rq->method == BM_HEAD)
        bm_store_read_begin(rq->store);
    rc = check(r, rq);

    if (rc == BM_OK)
        rc = r->fn(rq, rs);
    bm_store_read_end(rq->store);
    if (bm_store_in_tx(rq->store)) {
        /* A handler returned without committing: the request changes nothing. */
        if (rc == BM_OK)
            bm_log(BM_LOG_ERROR, "handler_left_tx", "%s", r->label);
        bm_store_rollback(rq->store);
        if (rc == BM_OK)
            rc = bm_err_set(&rq->err, BM_EINTERNAL, "服务器内部错误");
    }
    if (rc != BM_OK) {
        free(rs->body);
        rs->body = NULL;
        rs->n_headers = 0;
        if (rq->err.rc != rc)
            rq->err.rc = rc;
        bm_api_problem(rs, &rq->err, rq->request_id, rq->arena);
    }
}
