/*
 * evhttp plumbing: accept, read the request into a struct bm_req, route, dispatch (inline or
 * on the worker pool), write the struct bm_resp back with the security headers, log, count.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <event2/util.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api/dispatch.h"
#include "api/routes.h"
#include "core/secret.h"
#include "http/pool.h"
#include "http/router.h"
#include "http/static.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/time.h"
#include "util/utf8.h"

#define SHUTDOWN_GRACE_MS 10000
/* Accepting pauses this long when accept() fails (the process is out of descriptors). */
#define ACCEPT_PAUSE_MS 100

/* Set once the server begins to stop: a paused listener is not resumed (it is freed). */
static atomic_bool stopping_all;

struct loop;

struct server {
    const struct bm_config *cfg;
    struct loop *loops;
    int n_loops;
    struct bm_pool *pool;    /* slow work */
    struct bm_pool *writers; /* requests that write */
    char web_real[PATH_MAX]; /* "" when no web folder is served */
};

/* Connections seen on one loop: open addressing, touched only by that loop's thread. */
struct conn_set {
    void **slot;
    size_t cap, n;
};

/*
 * One accepted connection as the request timeout sees it. evhttp's own timeout (timeout_s)
 * is a read timeout that every byte renews, so a client sending a byte a second would hold
 * a connection, and a loop's share of descriptors, for ever. Each connection's bufferevent
 * is made here (evhttp_set_bevcb) with an extra reference, and its input buffer reports
 * every byte: a request must arrive whole within request_timeout_s of its first byte, plus
 * a second per request_min_rate bytes received, or the connection is closed. The extra
 * reference keeps the bufferevent valid after evhttp frees it (its callbacks are then
 * NULL), so the loop's sweep can tell and let it go; a watch whose request is being
 * answered (busy) is never cut or freed, since its call still points to it.
 */
struct watch {
    struct bufferevent *bev;
    struct evbuffer_cb_entry *cb;
    struct loop *loop;
    double started_ms; /* first byte of the request being read; 0 = none */
    uint64_t bytes;    /* received since then */
    bool busy;         /* a complete request is being answered */
};

/* The watches of one loop, by bufferevent: open addressing, touched only by that loop. */
struct watch_set {
    struct watch **slot;
    size_t cap, n;
};

struct loop {
    struct server *srv;
    pthread_t th;
    struct event_base *base;
    struct evhttp *http;
    struct evhttp_bound_socket *bound;
    struct bm_store *store;
    struct conn_set conns;
    struct watch_set watches;
    struct event *sweep_timer;
    /* Access-log lines of this iteration of the loop, written in one write(2) when it ends
     * (or when the next would not fit): a system call per request cost 5-8 % of a case
     * read's CPU. PIPE_BUF bytes, so that a write to a pipe stays whole. */
    struct event *log_flush;
    size_t log_len;
    char log_buf[PIPE_BUF];
    unsigned char rid_key[BM_SECRET_RID_KEY_LEN]; /* request ids: bm_secret_request_id */
    uint64_t rid_seq;
    int in_flight;
    bool stopping;
    double stop_deadline;
    struct event *stop_timer;
};

/* One request in flight: everything a worker thread needs, owned by the arena. */
struct call {
    struct bm_job job;
    struct loop *loop;
    struct evhttp_request *ev;
    const struct bm_route *route;
    int route_idx;
    struct bm_req rq;
    struct bm_resp rs;
    struct watch *watch; /* NULL if the connection was not seen (never, in practice) */
    double started_ms;
};

static const char *CSP =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/* ---- connection tracking (metrics: open connections) ---- */

static size_t
conn_hash(void *p, size_t cap)
{
    return ((uintptr_t)p >> 4) * 2654435761u % cap;
}

static bool
conn_add(struct conn_set *s, void *c)
{
    size_t i;
    if (s->n * 2 >= s->cap) {
        struct conn_set bigger = {bm_xcalloc(s->cap ? s->cap * 2 : 64, sizeof(void *)),
                                  s->cap ? s->cap * 2 : 64, 0};
        for (i = 0; i < s->cap; i++)
            if (s->slot[i] != NULL)
                (void)conn_add(&bigger, s->slot[i]);
        free(s->slot);
        *s = bigger;
    }
    for (i = conn_hash(c, s->cap); s->slot[i] != NULL; i = (i + 1) % s->cap)
        if (s->slot[i] == c)
            return false;
    s->slot[i] = c;
    s->n++;
    return true;
}

static void
conn_del(struct conn_set *s, void *c)
{
    size_t i, j;
    if (s->cap == 0)
        return;
    for (i = conn_hash(c, s->cap); s->slot[i] != NULL; i = (i + 1) % s->cap) {
        if (s->slot[i] != c)
            continue;
        /* Backward-shift deletion keeps probe chains intact without tombstones. */
        s->slot[i] = NULL;
        s->n--;
        for (j = (i + 1) % s->cap; s->slot[j] != NULL; j = (j + 1) % s->cap) {
            void *m = s->slot[j];
            s->slot[j] = NULL;
            s->n--;
            (void)conn_add(s, m);
        }
        return;
    }
}

/* ---- request timeout (see struct watch) ---- */

static size_t
watch_hash(const void *bev, size_t cap)
{
    return ((uintptr_t)bev >> 4) * 2654435761u % cap;
}

static void
watch_put(struct watch_set *s, struct watch *w)
{
    size_t i;
    if (s->n * 2 >= s->cap) {
        struct watch_set bigger = {bm_xcalloc(s->cap ? s->cap * 2 : 64, sizeof(void *)),
                                   s->cap ? s->cap * 2 : 64, 0};
        for (i = 0; i < s->cap; i++)
            if (s->slot[i] != NULL)
                watch_put(&bigger, s->slot[i]);
        free(s->slot);
        *s = bigger;
    }
    for (i = watch_hash(w->bev, s->cap); s->slot[i] != NULL; i = (i + 1) % s->cap)
        ;
    s->slot[i] = w;
    s->n++;
}

static struct watch *
watch_find(struct watch_set *s, const struct bufferevent *bev)
{
    if (s->cap == 0 || bev == NULL)
        return NULL;
    for (size_t i = watch_hash(bev, s->cap); s->slot[i] != NULL; i = (i + 1) % s->cap)
        if (s->slot[i]->bev == bev)
            return s->slot[i];
    return NULL;
}

static void
watch_del(struct watch_set *s, struct watch *w)
{
    size_t i, j;
    for (i = watch_hash(w->bev, s->cap); s->slot[i] != NULL; i = (i + 1) % s->cap) {
        if (s->slot[i] != w)
            continue;
        s->slot[i] = NULL;
        s->n--;
        for (j = (i + 1) % s->cap; s->slot[j] != NULL; j = (j + 1) % s->cap) {
            struct watch *m = s->slot[j];
            s->slot[j] = NULL;
            s->n--;
            watch_put(s, m);
        }
        return;
    }
}

/* Drops our reference; the bufferevent (and its socket) goes once evhttp let it go too. */
static void
watch_free(struct watch *w)
{
    evbuffer_remove_cb_entry(bufferevent_get_input(w->bev), w->cb);
    bufferevent_decref(w->bev);
    free(w);
}

/* Bytes arrived on the connection (or were consumed: n_added is 0 then). */
static void
watch_input(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    struct watch *w = arg;
    (void)buf;
    if (info->n_added == 0 || w->busy)
        return;
    if (w->started_ms == 0)
        w->started_ms = bm_mono_ms();
    w->bytes += info->n_added;
}

/* evhttp asks for each new connection's bufferevent; the descriptor is set after. */
static struct bufferevent *
watch_new(struct event_base *base, void *arg)
{
    struct loop *l = arg;
    struct watch *w = bm_xcalloc(1, sizeof(*w));
    w->bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (w->bev == NULL) {
        free(w);
        return NULL;
    }
    bufferevent_incref(w->bev);
    w->cb = evbuffer_add_cb(bufferevent_get_input(w->bev), watch_input, w);
    w->loop = l;
    watch_put(&l->watches, w);
    return w->bev;
}

/* The request was read whole (busy) or answered (not busy: the next one may have begun). */
static void
watch_busy(struct watch *w, bool busy)
{
    if (w == NULL)
        return;
    w->busy = busy;
    w->bytes = 0;
    w->started_ms = !busy && evbuffer_get_length(bufferevent_get_input(w->bev)) > 0
                        ? bm_mono_ms() : 0;
}

/* Twice a second: forget connections evhttp has freed, close those past their time. */
static void
watch_sweep(evutil_socket_t fd, short what, void *arg)
{
    struct loop *l = arg;
    struct watch_set *s = &l->watches;
    const struct bm_config *cfg = l->srv->cfg;
    double now = bm_mono_ms();
    struct watch **gone = NULL;
    size_t n_gone = 0;
    (void)fd;
    (void)what;

    for (size_t i = 0; i < s->cap; i++) {
        struct watch *w = s->slot[i];
        bufferevent_data_cb rd, wr;
        bufferevent_event_cb ev;
        void *evcon;
        if (w == NULL || w->busy)
            continue;
        bufferevent_getcb(w->bev, &rd, &wr, &ev, &evcon);
        if (rd == NULL && wr == NULL && ev == NULL) {
            if (gone == NULL)
                gone = bm_xcalloc(s->n, sizeof(*gone));
            gone[n_gone++] = w;
        } else if (w->started_ms > 0 &&
                   now > w->started_ms + 1000.0 * cfg->request_timeout_s +
                             1000.0 * (double)w->bytes / cfg->request_min_rate) {
            bm_log(BM_LOG_INFO, "request_timeout",
                   "request not received within its time (%.0f ms, %llu bytes): closed",
                   now - w->started_ms, (unsigned long long)w->bytes);
            w->started_ms = 0;
            /* Frees evhttp's side; ours goes in conn_closed (which may move entries of
             * the set: one skipped now is looked at next time) or at the next sweep. */
            evhttp_connection_free(evcon);
        }
    }
    for (size_t i = 0; i < n_gone; i++) {
        watch_del(s, gone[i]);
        watch_free(gone[i]);
    }
    free(gone);
}

static void
conn_closed(struct evhttp_connection *c, void *arg)
{
    struct loop *l = arg;
    struct watch *w = watch_find(&l->watches, evhttp_connection_get_bufferevent(c));
    conn_del(&l->conns, c);
    bm_metrics_conn_close();
    /* Let go of our reference now, before evhttp frees the bufferevent, rather than at the
     * next sweep: with many short connections the sockets would linger for up to 0.5 s. A
     * watch whose request is still being answered waits for the sweep. */
    if (w != NULL && !w->busy) {
        watch_del(&l->watches, w);
        watch_free(w);
    }
}

/* ---- responses ---- */

static void
free_body(const void *data, size_t len, void *arg)
{
    (void)data;
    (void)len;
    free(arg);
}

static void
common_headers(struct evkeyvalq *h, const char *req_id)
{
    evhttp_add_header(h, "Content-Security-Policy", CSP);
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    evhttp_add_header(h, "X-Frame-Options", "DENY");
    evhttp_add_header(h, "Referrer-Policy", "same-origin");
    evhttp_add_header(h, "X-Request-Id", req_id);
}

static const char *
method_name(enum bm_method m)
{
    static const char *names[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS",
                                  "OTHER"};
    return names[m];
}

static void
log_flush(evutil_socket_t fd, short what, void *arg)
{
    struct loop *l = arg;

    (void)fd;
    (void)what;
    if (l->log_len > 0)
        bm_log_raw(l->log_buf, l->log_len);
    l->log_len = 0;
}

/* Keeps a line for the end of this loop iteration (log_flush runs after the events that are
 * ready now), or writes it at once when there is no event to flush it. */
static void
log_line(struct loop *l, const char *line, size_t len)
{
    if (l->log_len + len > sizeof(l->log_buf))
        log_flush(-1, 0, l);
    if (l->log_flush == NULL || len > sizeof(l->log_buf)) {
        bm_log_raw(line, len);
        return;
    }
    if (l->log_len == 0)
        event_active(l->log_flush, EV_TIMEOUT, 1);
    memcpy(l->log_buf + l->log_len, line, len);
    l->log_len += len;
}

/* One JSON line per request, built from its pieces: two printf calls (with a %.2f) were
 * half of the line's cost, and the line is written for every request. */
static void
access_log(struct call *c, const char *route, int status, size_t bytes, double ms)
{
    enum { TEXT, ESCAPED, NUMBER };
    struct bm_buf b;
    char ts[40], frac[3];
    long long hundredths = ms > 0 ? (long long)(ms * 100.0 + 0.5) : 0;
    enum bm_rc rc = BM_OK;
    /* The texts are read when the line is built, after ts and frac are filled in. */
    const struct {
        int kind;
        const char *s;
        long long n;
    } part[] = {
        {TEXT, "{\"ts\":\"", 0}, {TEXT, ts, 0},
        {TEXT, "\",\"level\":\"info\",\"req\":\"", 0}, {TEXT, c->rq.request_id, 0},
        {TEXT, "\",\"event\":\"access\",\"method\":\"", 0}, {TEXT, method_name(c->rq.method), 0},
        {TEXT, "\",\"route\":\"", 0}, {ESCAPED, route, 0},
        {TEXT, "\",\"status\":", 0}, {NUMBER, NULL, status},
        {TEXT, ",\"ms\":", 0}, {NUMBER, NULL, hundredths / 100}, {TEXT, ".", 0}, {TEXT, frac, 0},
        {TEXT, ",\"bytes\":", 0}, {NUMBER, NULL, (long long)bytes},
        {TEXT, ",\"user\":", 0}, {NUMBER, NULL, (long long)c->rq.who.user_id},
        {TEXT, ",\"ip\":\"", 0}, {ESCAPED, c->rq.client_ip ? c->rq.client_ip : "", 0},
        {TEXT, "\"}\n", 0},
    };

    if (bm_log_get_level() > BM_LOG_INFO)
        return;
    bm_time_rfc3339(bm_now(), ts, sizeof(ts));
    bm_put_digits(frac, (int)(hundredths % 100), 2);
    frac[2] = '\0';
    bm_buf_init(&b, 2048);
    for (size_t i = 0; rc == BM_OK && i < sizeof(part) / sizeof(part[0]); i++)
        rc = part[i].kind == NUMBER    ? bm_buf_int(&b, part[i].n)
             : part[i].kind == ESCAPED ? bm_buf_json_str(&b, part[i].s)
                                       : bm_buf_puts(&b, part[i].s);
    if (rc == BM_OK)
        log_line(c->loop, b.ptr, b.len);
    bm_buf_fini(&b);
}

static void
call_free(struct call *c)
{
    struct bm_arena *a = c->rq.arena;
    free(c->rs.body);
    bm_arena_free(a); /* c itself lives in the arena */
}

/* Writes c->rs, logs, counts, and frees the call. Runs on the loop thread. */
static void
finish(struct call *c)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(c->ev);
    struct evbuffer *out = evbuffer_new();
    size_t len = c->rs.body_len;
    double ms;
    const char *label;

    common_headers(h, c->rq.request_id);
    if (c->rs.content_type != NULL)
        evhttp_add_header(h, "Content-Type", c->rs.content_type);
    evhttp_add_header(h, "Cache-Control", "no-store");
    for (int i = 0; i < c->rs.n_headers; i++)
        if (c->rs.headers[i].value != NULL)
            evhttp_add_header(h, c->rs.headers[i].name, c->rs.headers[i].value);
    if (c->rs.body != NULL && len > 0) {
        /* evhttp writes after we return: hand over the malloc'ed body without a copy. */
        evbuffer_add_reference(out, c->rs.body, len, free_body, c->rs.body);
        c->rs.body = NULL;
    }
    if (c->rs.status == 0)
        c->rs.status = 500;
    evhttp_send_reply(c->ev, c->rs.status, NULL, out);
    evbuffer_free(out);
    watch_busy(c->watch, false);
    ms = bm_mono_ms() - c->started_ms;
    label = c->route_idx >= 0 ? c->route->label
            : c->route_idx == BM_METRICS_ROUTE_STATIC ? "static" : "unmatched";
    bm_metrics_request(c->route_idx, c->rs.status, ms);
    access_log(c, label, c->rs.status, len, ms);
    c->loop->in_flight--;
    bm_log_set_request("");
    call_free(c);
}

static void
fail(struct call *c, enum bm_rc rc, const char *msg)
{
    bm_api_fail(&c->rq, &c->rs, rc, msg);
    finish(c);
}

/* ---- static files ---- */

static void
serve_static(struct call *c)
{
    struct bm_static_file f;
    struct evkeyvalq *h;
    struct evbuffer *out;
    enum bm_static_rc src;
    double ms;

    c->route_idx = BM_METRICS_ROUTE_STATIC;
    if (c->loop->srv->web_real[0] == '\0') {
        fail(c, BM_ENOTFOUND, "找不到请求的页面");
        return;
    }
    src = bm_static_open(c->loop->srv->web_real, c->rq.path, &f);
    if (src != BM_STATIC_OK) {
        fail(c, BM_ENOTFOUND, "找不到请求的页面");
        return;
    }
    h = evhttp_request_get_output_headers(c->ev);
    common_headers(h, c->rq.request_id);
    evhttp_add_header(h, "Content-Type", f.content_type);
    evhttp_add_header(h, "Cache-Control", f.cache_control);
    out = evbuffer_new();
    if (evbuffer_add_file(out, f.fd, 0, (ev_off_t)f.size) != 0) {
        close(f.fd);
        evbuffer_free(out);
        fail(c, BM_EINTERNAL, "无法读取文件");
        return;
    }
    evhttp_send_reply(c->ev, 200, NULL, out);
    evbuffer_free(out);
    watch_busy(c->watch, false);
    ms = bm_mono_ms() - c->started_ms;
    bm_metrics_request(BM_METRICS_ROUTE_STATIC, 200, ms);
    access_log(c, "static", 200, f.size, ms);
    c->loop->in_flight--;
    call_free(c);
}

/* ---- request intake ---- */

static enum bm_method
method_of(enum evhttp_cmd_type t)
{
    switch (t) {
    case EVHTTP_REQ_GET: return BM_GET;
    case EVHTTP_REQ_HEAD: return BM_HEAD;
    case EVHTTP_REQ_POST: return BM_POST;
    case EVHTTP_REQ_PUT: return BM_PUT;
    case EVHTTP_REQ_PATCH: return BM_PATCH;
    case EVHTTP_REQ_DELETE: return BM_DELETE;
    case EVHTTP_REQ_OPTIONS: return BM_OPTIONS;
    default: return BM_METHOD_OTHER;
    }
}

static const char *
header(struct call *c, struct evkeyvalq *h, const char *name)
{
    const char *v = evhttp_find_header(h, name);
    if (v == NULL)
        return "";
    return bm_arena_strdup(c->rq.arena, v);
}

static const char *
client_ip(struct call *c, struct evkeyvalq *h)
{
    struct evhttp_connection *conn = evhttp_request_get_connection(c->ev);
    char *addr = NULL;
    ev_uint16_t port = 0;
    const char *fwd;

    if (c->loop->srv->cfg->trust_proxy && (fwd = evhttp_find_header(h, "X-Forwarded-For")) != NULL) {
        /* Only the last entry was written by our own proxy; earlier ones are the client's word. */
        const char *last = strrchr(fwd, ',');
        char ip[64];
        unsigned char bin[16];
        last = last ? last + 1 : fwd;
        last += strspn(last, " ");
        snprintf(ip, sizeof(ip), "%.*s", (int)strcspn(last, " "), last);
        if (inet_pton(AF_INET, ip, bin) == 1 || inet_pton(AF_INET6, ip, bin) == 1)
            return bm_arena_strdup(c->rq.arena, ip);
    }
    evhttp_connection_get_peer(conn, &addr, &port);
    return bm_arena_strdup(c->rq.arena, addr ? addr : "");
}

static void
run_job(struct bm_job *job, struct bm_store *st)
{
    struct call *c = (struct call *)job;
    c->rq.store = st;
    bm_log_set_request(c->rq.request_id);
    bm_api_dispatch(c->route, &c->rq, &c->rs);
    bm_log_set_request("");
}

static void
job_done(struct bm_job *job)
{
    struct call *c = (struct call *)job;
    bm_log_set_request(c->rq.request_id);
    if (job->not_durable) {
        /* Committed, but the disk did not confirm it: the prepared answer must not say so. */
        free(c->rs.body);
        c->rs.body = NULL;
        c->rs.body_len = 0;
        c->rs.n_headers = 0;
        bm_err_clear(&c->rq.err);
        bm_api_fail(&c->rq, &c->rs, BM_EINTERNAL, "数据存储出错");
    }
    finish(c);
}

static void
on_request(struct evhttp_request *ev, void *arg)
{
    struct loop *l = arg;
    const struct bm_config *cfg = l->srv->cfg;
    struct evhttp_connection *conn = evhttp_request_get_connection(ev);
    struct evbuffer *in = evhttp_request_get_input_buffer(ev);
    /* Room for the body's copy too (uploads may exceed the per-request cap). */
    struct bm_arena *a = bm_arena_new((size_t)cfg->arena_max_bytes + 65536 +
                                      evbuffer_get_length(in));
    struct call *c = bm_arena_alloc(a, sizeof(*c));
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(ev);
    struct evkeyvalq *h = evhttp_request_get_input_headers(ev);
    struct bm_match_result m;
    const char *raw_path, *q;
    char *decoded;
    size_t dlen, blen;
    char *body;

    if (conn_add(&l->conns, conn)) {
        evhttp_connection_set_closecb(conn, conn_closed, l);
        bm_metrics_conn_open();
    }
    c->loop = l;
    c->ev = ev;
    c->watch = watch_find(&l->watches, evhttp_connection_get_bufferevent(conn));
    watch_busy(c->watch, true);
    c->started_ms = bm_mono_ms();
    c->route_idx = BM_METRICS_ROUTE_UNMATCHED;
    c->rq.arena = a;
    c->rq.cfg = cfg;
    c->rq.store = l->store;
    c->rq.now = bm_now();
    bm_secret_request_id(l->rid_key, ++l->rid_seq, c->rq.request_id);
    bm_log_set_request(c->rq.request_id);
    l->in_flight++;

    c->rq.method = method_of(evhttp_request_get_command(ev));
    c->rq.content_type = header(c, h, "Content-Type");
    c->rq.cookie = header(c, h, "Cookie");
    c->rq.authorization = header(c, h, "Authorization");
    c->rq.csrf_token = header(c, h, "X-CSRF-Token");
    c->rq.if_match = header(c, h, "If-Match");
    c->rq.idempotency_key = header(c, h, "Idempotency-Key");
    c->rq.user_agent = header(c, h, "User-Agent");
    c->rq.client_ip = client_ip(c, h);
    q = uri ? evhttp_uri_get_query(uri) : NULL;
    c->rq.query = bm_arena_strdup(a, q ? q : "");
    c->rq.path = "";

    raw_path = uri ? evhttp_uri_get_path(uri) : NULL;
    if (raw_path == NULL || raw_path[0] != '/') {
        fail(c, BM_EINVAL, "请求路径无效");
        return;
    }
    decoded = evhttp_uridecode(raw_path, 0, &dlen);
    if (decoded == NULL || strlen(decoded) != dlen || !bm_utf8_valid(decoded, dlen)) {
        free(decoded);
        fail(c, BM_EINVAL, "请求路径编码无效");
        return;
    }
    c->rq.path = bm_arena_strndup(a, decoded, dlen);
    free(decoded);

    blen = evbuffer_get_length(in);
    if ((int64_t)blen > cfg->upload_max_bytes) {
        fail(c, BM_ETOOBIG, "请求体过大");
        return;
    }
    body = bm_arena_alloc(a, blen + 1);
    if (body == NULL) {
        fail(c, BM_ETOOBIG, "请求体过大");
        return;
    }
    evbuffer_remove(in, body, blen);
    body[blen] = '\0';
    c->rq.body = body;
    c->rq.body_len = blen;

    switch (bm_router_match(bm_routes, bm_n_routes, c->rq.method, c->rq.path, &m)) {
    case BM_MATCH_OK:
        break;
    case BM_MATCH_METHOD:
        bm_resp_header(&c->rs, "Allow", bm_arena_strdup(a, m.allow));
        fail(c, BM_EMETHOD, "该地址不支持此请求方法");
        return;
    case BM_MATCH_NONE:
        if (strncmp(c->rq.path, "/api/", 5) != 0 &&
            (c->rq.method == BM_GET || c->rq.method == BM_HEAD)) {
            serve_static(c);
            return;
        }
        fail(c, BM_ENOTFOUND, "找不到请求的接口");
        return;
    }
    c->route_idx = m.route;
    c->route = &bm_routes[m.route];
    for (int i = 0; i < m.n_params; i++)
        c->rq.params[i] = bm_arena_strndup(a, m.param[i], m.param_len[i]);
    c->rq.n_params = m.n_params;

    /* Slow work, and requests that write: a write waits for the write lock and for the
     * disk, which would hold up every other request of the loop; on the writers' pool,
     * several wait at once and their transactions are committed together (store/sqlite/tx.c). */
    if ((c->route->flags & BM_ROUTE_SLOW) ||
        (c->rq.method != BM_GET && c->rq.method != BM_HEAD)) {
        c->job.run = run_job;
        c->job.done = job_done;
        c->job.base = l->base;
        bm_log_set_request("");
        bm_pool_submit(c->route->flags & BM_ROUTE_SLOW ? l->srv->pool : l->srv->writers, &c->job);
        return;
    }
    bm_api_dispatch(c->route, &c->rq, &c->rs);
    finish(c);
}

/* ---- loops, listening and shutdown ---- */

static void
accept_resume(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    if (!atomic_load(&stopping_all))
        evconnlistener_enable(arg);
}

/*
 * accept() failed: in practice the process is out of descriptors (EMFILE), and the
 * connection stays in the kernel's queue. libevent's default would log a line and try again
 * at once, spinning the loop and flooding the log (100,000 lines in 4 s, measured) until a
 * descriptor frees up. Pause accepting instead, log at most a line a second, and let the
 * queued connections wait; connections already open are served meanwhile.
 */
static void
accept_error(struct evconnlistener *lst, void *arg)
{
    static atomic_long last_log_s = -1;
    static const struct timeval pause = {0, ACCEPT_PAUSE_MS * 1000};
    int e = EVUTIL_SOCKET_ERROR();
    long now_s = (long)(bm_mono_ms() / 1000);
    (void)arg;

    if (atomic_exchange(&last_log_s, now_s) != now_s)
        bm_log(BM_LOG_WARN, "accept_failed", "%s: not accepting for %d ms",
               evutil_socket_error_to_string(e), ACCEPT_PAUSE_MS);
    evconnlistener_disable(lst);
    if (event_base_once(evconnlistener_get_base(lst), -1, EV_TIMEOUT, accept_resume, lst,
                        &pause) != 0)
        evconnlistener_enable(lst);
}

static int
listen_socket(const char *host, int port, struct bm_err *err)
{
    struct addrinfo hints, *res = NULL;
    char ports[8];
    int fd = -1, one = 1, gai;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    snprintf(ports, sizeof(ports), "%d", port);
    gai = getaddrinfo(host, ports, &hints, &res);
    if (gai != 0) {
        (void)bm_err_set(err, BM_EINVAL, "无法解析监听地址 %s：%s", host, gai_strerror(gai));
        return -1;
    }
    fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    /* TCP_NODELAY, inherited by accepted sockets: a reply evhttp writes in two pieces must
     * not wait for the client's delayed acknowledgement (measured: 40 ms per response over
     * 16 KiB on a kept-alive connection without it). */
    if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
                    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0 ||
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0 ||
                    bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 1024) != 0)) {
        (void)bm_err_set(err, BM_EINVAL, "无法监听 %s:%d：%s", host, port, strerror(errno));
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

static int
bound_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
        return -1;
    return ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                    : ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static void
stop_tick(evutil_socket_t fd, short what, void *arg)
{
    struct loop *l = arg;
    (void)fd;
    (void)what;
    if (l->in_flight == 0 || bm_mono_ms() > l->stop_deadline)
        event_base_loopbreak(l->base);
}

/* Runs on the loop: stop accepting, then wait for in-flight requests (bounded). */
static void
begin_stop(evutil_socket_t fd, short what, void *arg)
{
    struct loop *l = arg;
    static const struct timeval tick = {0, 20000};
    (void)fd;
    (void)what;
    if (l->bound != NULL) {
        evhttp_del_accept_socket(l->http, l->bound);
        l->bound = NULL;
    }
    l->stopping = true;
    l->stop_deadline = bm_mono_ms() + SHUTDOWN_GRACE_MS;
    l->stop_timer = event_new(l->base, -1, EV_PERSIST, stop_tick, l);
    event_add(l->stop_timer, &tick);
}

static void *
loop_main(void *arg)
{
    struct loop *l = arg;
    event_base_dispatch(l->base);
    return NULL;
}

static enum bm_rc
loop_init(struct server *s, struct loop *l, int fd, struct bm_err *err)
{
    struct event_config *ec = event_config_new();

    l->srv = s;
    bm_secret_random(l->rid_key, sizeof(l->rid_key));
    /* Changes to a socket's epoll interest made in one loop iteration (evhttp turns reading
     * and writing on and off several times per request) go to the kernel as one call. */
    if (ec != NULL && event_config_set_flag(ec, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST) == 0)
        l->base = event_base_new_with_config(ec);
    if (ec != NULL)
        event_config_free(ec);
    if (l->base == NULL)
        l->base = event_base_new(); /* without the changelist, as before */
    l->http = l->base ? evhttp_new(l->base) : NULL;
    if (l->http == NULL)
        return bm_err_set(err, BM_EINTERNAL, "无法创建事件循环");
    if (bm_store_open(s->cfg->db, &l->store, err) != BM_OK)
        return err->rc;
    bm_store_map_reads(l->store); /* the loops serve the reads */
    evhttp_set_allowed_methods(l->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
                                            EVHTTP_REQ_PUT | EVHTTP_REQ_PATCH |
                                            EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS);
    /* evhttp refuses bodies past the largest any route accepts before reading them;
     * the per-route JSON limit is checked in dispatch so it can answer with problem+json. */
    evhttp_set_max_body_size(l->http, s->cfg->upload_max_bytes);
    evhttp_set_max_headers_size(l->http, 16 * 1024);
    evhttp_set_timeout(l->http, s->cfg->timeout_s);
    evhttp_set_gencb(l->http, on_request, l);
    evhttp_set_bevcb(l->http, watch_new, l);
    {
        static const struct timeval half = {0, 500000};
        l->log_flush = event_new(l->base, -1, 0, log_flush, l);
        l->sweep_timer = event_new(l->base, -1, EV_PERSIST, watch_sweep, l);
        if (l->log_flush == NULL || l->sweep_timer == NULL ||
            event_add(l->sweep_timer, &half) != 0)
            return bm_err_set(err, BM_EINTERNAL, "无法创建事件循环");
    }
    l->bound = evhttp_accept_socket_with_handle(l->http, fd);
    if (l->bound == NULL) {
        close(fd);
        return bm_err_set(err, BM_EINTERNAL, "无法在事件循环上接受连接");
    }
    evconnlistener_set_error_cb(evhttp_bound_socket_get_listener(l->bound), accept_error);
    return BM_OK;
}

static void
loop_fini(struct loop *l)
{
    if (l->stop_timer)
        event_free(l->stop_timer);
    if (l->sweep_timer)
        event_free(l->sweep_timer);
    if (l->http)
        evhttp_free(l->http);
    /* After evhttp_free: requests it ended have been logged. */
    log_flush(-1, 0, l);
    if (l->log_flush)
        event_free(l->log_flush);
    l->log_flush = NULL;
    /* evhttp has let every connection go: drop our references before the base goes. */
    for (size_t i = 0; i < l->watches.cap; i++)
        if (l->watches.slot[i] != NULL)
            watch_free(l->watches.slot[i]);
    free(l->watches.slot);
    if (l->base)
        event_base_free(l->base);
    bm_store_close(l->store);
    free(l->conns.slot);
}

static int
cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 16 ? 16 : (int)n;
}

enum bm_rc
bm_server_run(const struct bm_config *cfg, void (*ready)(void *, int), void *arg,
              struct bm_err *err)
{
    struct server s;
    char host[128];
    int port, sig, started = 0;
    sigset_t set;
    enum bm_rc rc = BM_OK;

    memset(&s, 0, sizeof(s));
    s.cfg = cfg;
    atomic_store(&stopping_all, false);
    if (!bm_config_split_listen(cfg->listen, host, sizeof(host), &port))
        return bm_err_set(err, BM_EINVAL, "监听地址应为 主机:端口，如 127.0.0.1:8080");
    if (cfg->web_dir[0] != '\0' && realpath(cfg->web_dir, s.web_real) == NULL) {
        bm_log(BM_LOG_WARN, "web_dir_missing", "%s not found; serving the API only", cfg->web_dir);
        s.web_real[0] = '\0';
    }
    evthread_use_pthreads();
    /* Signals go to the main thread's sigwait, never to a loop. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    s.n_loops = cfg->threads > 0 ? cfg->threads : cores();
    s.loops = bm_xcalloc((size_t)s.n_loops, sizeof(*s.loops));
    bm_metrics_init(bm_n_routes, bm_route_labels());
    s.pool = bm_pool_new(cfg->workers, cfg->db, err);
    if (s.pool != NULL && (s.writers = bm_pool_new(bm_config_writers(cfg), cfg->db, err)) == NULL) {
        bm_pool_free(s.pool);
        s.pool = NULL;
    }
    if (s.pool == NULL) {
        rc = err->rc;
        goto out;
    }
    for (int i = 0; i < s.n_loops; i++) {
        int fd = listen_socket(host, port, err);
        if (fd < 0) {
            rc = err->rc;
            goto out;
        }
        if (port == 0)
            port = bound_port(fd); /* the other loops share the port the first one got */
        rc = loop_init(&s, &s.loops[i], fd, err);
        if (rc != BM_OK)
            goto out;
    }
    for (int i = 0; i < s.n_loops; i++, started++)
        pthread_create(&s.loops[i].th, NULL, loop_main, &s.loops[i]);
    {
        char db[512];
        bm_url_redact(cfg->db, db, sizeof(db));
        bm_log(BM_LOG_INFO, "listening", "http://%s:%d/ loops=%d workers=%d writers=%d db=%s",
               host, port, s.n_loops, cfg->workers, bm_config_writers(cfg), db);
    }
    if (ready != NULL)
        ready(arg, port);
    sigwait(&set, &sig);
    atomic_store(&stopping_all, true); /* before any loop is asked to free its listener */
    bm_log(BM_LOG_INFO, "shutdown", "signal %d: finishing in-flight requests", sig);
    for (int i = 0; i < s.n_loops; i++) {
        static const struct timeval now = {0, 0};
        event_base_once(s.loops[i].base, -1, EV_TIMEOUT, begin_stop, &s.loops[i], &now);
    }
out:
    for (int i = 0; i < started; i++)
        pthread_join(s.loops[i].th, NULL);
    /* Jobs still queued finish before the stores close; their replies were handed to loops
     * that have stopped, so run each loop once more to send them and free the calls. */
    bm_pool_free(s.pool);
    bm_pool_free(s.writers);
    for (int i = 0; i < started; i++)
        event_base_loop(s.loops[i].base, EVLOOP_NONBLOCK);
    for (int i = 0; i < s.n_loops; i++)
        loop_fini(&s.loops[i]);
    free(s.loops);
    bm_metrics_fini();
    if (rc == BM_OK)
        bm_log(BM_LOG_INFO, "stopped", "clean shutdown");
    return rc;
}
