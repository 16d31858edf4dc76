/*
 * Server lifecycle, HTTP client and JSON/problem assertions for the API tests.
 */
#include "client.h"
#include "../sync_fault.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int
run(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    int st;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int
free_port(void)
{
    struct sockaddr_in a;
    socklen_t al = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port;

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &al) != 0) {
        close(fd);
        return -1;
    }
    port = ntohs(a.sin_port);
    close(fd);
    return port;
}

bool
server_prepare(struct server *s)
{
    char tmpl[] = "/tmp/bianmin-api-XXXXXX";

    memset(s, 0, sizeof(*s));
    s->bin = getenv("BIANMIN_BIN") ? getenv("BIANMIN_BIN") : "build/asan/bianmin";
    if (mkdtemp(tmpl) == NULL)
        return false;
    snprintf(s->dir, sizeof(s->dir), "%s", tmpl);
    s->is_pg = getenv("BIANMIN_TEST_PG") != NULL;
    if (s->is_pg) {
        /* A scratch database: start from an empty schema. */
        snprintf(s->db, sizeof(s->db), "%s", getenv("BIANMIN_TEST_PG"));
        if (run("psql -q '%s' -c 'SET client_min_messages = warning; DROP SCHEMA IF EXISTS "
                "public CASCADE; CREATE SCHEMA public' > /dev/null", s->db) != 0)
            return false;
    } else {
        snprintf(s->db, sizeof(s->db), "%s/t.db", s->dir);
    }
    snprintf(s->log, sizeof(s->log), "%s/server.log", s->dir);
    if (run("mkdir -p %s/web/assets && printf '<!doctype html><title>便民</title>' > "
            "%s/web/index.html && printf 'console.log(1)' > %s/web/assets/app.js && "
            "ln -s /etc/passwd %s/web/leak.txt",
            s->dir, s->dir, s->dir, s->dir) != 0)
        return false;
    if (run("%s demo --db '%s' --no-serve > %s/demo.log 2>&1", s->bin, s->db, s->dir) != 0)
        return false;
    /* An operator's change to the demo database, such as scripts/pg-partition.sql. */
    if (s->is_pg && getenv("BIANMIN_TEST_PG_SCRIPT") != NULL)
        return run("psql -q -v ON_ERROR_STOP=1 --single-transaction -f '%s' '%s' >> %s/demo.log 2>&1",
                   getenv("BIANMIN_TEST_PG_SCRIPT"), s->db, s->dir) == 0;
    return true;
}

/* ---- a disk that fails to sync (watch_sync) ---- */

/* One byte carrying one descriptor over a unix socket (SCM_RIGHTS): what both ends build. */
struct fd_msg {
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } ctl;
    char byte;
    struct iovec iov;
    struct msghdr m;
};

static struct msghdr *
fd_msg_init(struct fd_msg *f)
{
    memset(f, 0, sizeof(*f));
    f->iov = (struct iovec){.iov_base = &f->byte, .iov_len = 1};
    f->m = (struct msghdr){.msg_iov = &f->iov, .msg_iovlen = 1, .msg_control = f->ctl.buf,
                           .msg_controllen = sizeof(f->ctl.buf)};
    return &f->m;
}

/* In the server's child before exec: from now on its fdatasync() calls wait for the listener
 * this sends to the parent over `sock` (the kernel's seccomp user notification). */
static bool
trap_fdatasync(int sock)
{
    struct fd_msg f;
    struct msghdr *m = fd_msg_init(&f);
    struct cmsghdr *cm = CMSG_FIRSTHDR(m);
    int fd = filter_fdatasync(SECCOMP_RET_USER_NOTIF);

    if (fd <= 0)
        return false;
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof(int));
    if (sendmsg(sock, m, 0) != 1)
        return false;
    close(fd);
    return true;
}

static int
recv_fd(int sock)
{
    struct fd_msg f;
    struct msghdr *m = fd_msg_init(&f);
    struct cmsghdr *cm;
    int fd = -1;

    if (recvmsg(sock, m, MSG_CMSG_CLOEXEC) != 1 || (cm = CMSG_FIRSTHDR(m)) == NULL ||
        cm->cmsg_type != SCM_RIGHTS)
        return -1;
    memcpy(&fd, CMSG_DATA(cm), sizeof(int));
    return fd;
}

/* Lets each of the server's fdatasync calls run, or fails it with EIO while sync_broken is
 * set, until the server has exited (the listener then reports POLLHUP). */
static void *
sync_supervisor(void *arg)
{
    struct server *s = arg;

    for (;;) {
        struct pollfd p = {.fd = s->sync_fd, .events = POLLIN};
        struct seccomp_notif rq;
        struct seccomp_notif_resp rs;

        if (poll(&p, 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (!(p.revents & POLLIN))
            break;
        memset(&rq, 0, sizeof(rq));
        if (ioctl(s->sync_fd, SECCOMP_IOCTL_NOTIF_RECV, &rq) != 0) {
            if (errno == EINTR || errno == ENOENT) /* ENOENT: the caller died meanwhile */
                continue;
            fprintf(stderr, "seccomp listener: %s\n", strerror(errno));
            break;
        }
        memset(&rs, 0, sizeof(rs));
        rs.id = rq.id;
        if (atomic_load(&s->sync_broken))
            rs.error = -EIO;
        else
            rs.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
        (void)ioctl(s->sync_fd, SECCOMP_IOCTL_NOTIF_SEND, &rs);
    }
    return NULL;
}

/* After the server has exited: the supervisor's thread and listener. */
static void
sync_unwatch(struct server *s)
{
    if (s->sync_fd > 0) {
        pthread_join(s->sync_thread, NULL);
        close(s->sync_fd);
    }
    s->sync_fd = 0;
}

bool
server_start(struct server *s, const char *const *extra)
{
    char port_arg[32], web[300];
    const char *argv[40];
    int n = 0, sv[2] = {-1, -1};
    struct resp r;

    s->port = free_port();
    snprintf(port_arg, sizeof(port_arg), "127.0.0.1:%d", s->port);
    snprintf(web, sizeof(web), "%s/web", s->dir);
    argv[n++] = s->bin;
    argv[n++] = "serve";
    argv[n++] = "--db";
    argv[n++] = s->db;
    argv[n++] = "--listen";
    argv[n++] = port_arg;
    argv[n++] = "--web";
    argv[n++] = web;
    argv[n++] = "--threads";
    argv[n++] = "2";
    /* The deadline-warning job's cards are audit entries written at its own pace, which
     * would land in the middle of the suites' "nothing changed" checks: off unless a test
     * turns it on (a later --set wins). */
    argv[n++] = "--set";
    argv[n++] = "warn_interval_s=0";
    /* Suites post anonymously from one address far faster than people do: no limit unless
     * a test sets one (test_demands). */
    argv[n++] = "--set";
    argv[n++] = "public_posts_per_minute=0";
    for (int i = 0; extra && extra[i] && n < 38; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    if (s->watch_sync && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return false;
    s->pid = fork();
    if (s->pid == 0) {
        FILE *lf = freopen(s->log, "a", stderr);
        (void)lf;
        if (freopen("/dev/null", "w", stdout) == NULL)
            _exit(127);
        if (s->watch_sync && !trap_fdatasync(sv[1]))
            _exit(126);
        execv(s->bin, (char *const *)argv);
        _exit(127);
    }
    if (s->watch_sync) {
        close(sv[1]);
        s->sync_fd = s->pid > 0 ? recv_fd(sv[0]) : -1;
        close(sv[0]);
        if (s->sync_fd <= 0 || pthread_create(&s->sync_thread, NULL, sync_supervisor, s) != 0) {
            fprintf(stderr, "no seccomp listener for the server's fdatasync\n");
            if (s->sync_fd > 0)
                close(s->sync_fd);
            s->sync_fd = 0;
            return false;
        }
    }
    /* Up to a minute: a sanitizer build under libfaketime on a busy 2-core machine can take
     * several seconds to start. A server that exited is not waited for. */
    for (int i = 0; i < 3000; i++) {
        struct timespec ts = {0, 20 * 1000 * 1000};
        int st;
        if (req(s, NULL, "GET", "/healthz", NULL, NULL, &r) == 200) {
            resp_free(&r);
            return true;
        }
        resp_free(&r);
        if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
            fprintf(stderr, "bianmin serve exited before it answered (log: %s)\n", s->log);
            s->pid = 0;
            return false;
        }
        nanosleep(&ts, NULL);
    }
    return false;
}

int
server_stop(struct server *s)
{
    int st, rc = -1;

    if (s->pid <= 0) {
        sync_unwatch(s);
        return -1;
    }
    kill(s->pid, SIGTERM);
    for (int i = 0; i < 1000; i++) {
        struct timespec ts = {0, 20 * 1000 * 1000};
        pid_t p = waitpid(s->pid, &st, WNOHANG);
        if (p == s->pid) {
            rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            break;
        }
        nanosleep(&ts, NULL);
    }
    if (rc < 0) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, &st, 0);
    }
    s->pid = 0;
    sync_unwatch(s);
    return rc;
}

double
server_metric(struct server *s, const char *name)
{
    struct resp r;
    const char *p;
    char key[128];
    double v = -1;

    snprintf(key, sizeof(key), "\n%s ", name);
    if (req(s, NULL, "GET", "/metrics", NULL, NULL, &r) == 200 && r.body != NULL &&
        (p = strstr(r.body, key)) != NULL)
        v = strtod(p + strlen(key), NULL);
    resp_free(&r);
    return v;
}

void
server_cleanup(struct server *s)
{
    if (s->dir[0] != '\0' && getenv("BIANMIN_KEEP_TMP") == NULL)
        (void)run("rm -rf %s", s->dir);
}

struct sink {
    char *buf;
    size_t len;
};

static size_t
on_body(char *p, size_t sz, size_t n, void *arg)
{
    struct sink *k = arg;
    size_t add = sz * n;
    char *nb = realloc(k->buf, k->len + add + 1);
    if (nb == NULL)
        return 0;
    k->buf = nb;
    memcpy(k->buf + k->len, p, add);
    k->len += add;
    k->buf[k->len] = '\0';
    return add;
}

static void
copy_header(const char *line, size_t len, const char *name, char *out, size_t out_size)
{
    size_t nl = strlen(name);
    if (len > nl + 1 && strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
        const char *v = line + nl + 1;
        size_t vl = len - nl - 1;
        while (vl > 0 && (*v == ' '))
            v++, vl--;
        while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
            vl--;
        if (vl >= out_size)
            vl = out_size - 1;
        memcpy(out, v, vl);
        out[vl] = '\0';
    }
}

static size_t
on_header(char *p, size_t sz, size_t n, void *arg)
{
    struct resp *r = arg;
    size_t len = sz * n;
    copy_header(p, len, "Content-Type", r->content_type, sizeof(r->content_type));
    copy_header(p, len, "Set-Cookie", r->set_cookie, sizeof(r->set_cookie));
    copy_header(p, len, "Allow", r->allow, sizeof(r->allow));
    copy_header(p, len, "Retry-After", r->retry_after, sizeof(r->retry_after));
    copy_header(p, len, "Content-Security-Policy", r->csp, sizeof(r->csp));
    copy_header(p, len, "X-Content-Type-Options", r->nosniff, sizeof(r->nosniff));
    copy_header(p, len, "X-Frame-Options", r->frame_options, sizeof(r->frame_options));
    copy_header(p, len, "ETag", r->etag, sizeof(r->etag));
    copy_header(p, len, "Location", r->location, sizeof(r->location));
    copy_header(p, len, "Idempotency-Replayed", r->idempotency_replayed,
                sizeof(r->idempotency_replayed));
    copy_header(p, len, "Content-Disposition", r->content_disposition,
                sizeof(r->content_disposition));
    return len;
}

static long
perform(struct server *s, struct session *ss, const char *method, const char *path,
        const char *body, size_t body_len, const char *const *headers, bool raw, struct resp *r)
{
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    struct sink k = {NULL, 0};
    char url[2048], line[256];
    bool changes = strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;

    memset(r, 0, sizeof(*r));
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", s->port, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &k);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    if (raw)
        curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    if (body != NULL) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body_len);
        bool own_type = false;
        for (int i = 0; headers && headers[i]; i++)
            own_type |= strncasecmp(headers[i], "Content-Type:", 13) == 0;
        if (!own_type)
            h = curl_slist_append(h, "Content-Type: application/json");
    }
    {
        bool own_expect = false;
        for (int i = 0; headers && headers[i]; i++)
            own_expect |= strncasecmp(headers[i], "Expect:", 7) == 0;
        if (!own_expect)
            h = curl_slist_append(h, "Expect:");
    }
    if (ss != NULL && ss->cookie[0]) {
        snprintf(line, sizeof(line), "Cookie: %s", ss->cookie);
        h = curl_slist_append(h, line);
        if (changes && ss->csrf[0]) {
            snprintf(line, sizeof(line), "X-CSRF-Token: %s", ss->csrf);
            h = curl_slist_append(h, line);
        }
    }
    if (ss != NULL && ss->bearer[0]) {
        snprintf(line, sizeof(line), "Authorization: Bearer %s", ss->bearer);
        h = curl_slist_append(h, line);
    }
    for (int i = 0; headers && headers[i]; i++)
        h = curl_slist_append(h, headers[i]);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    r->body = k.buf;
    r->len = k.len;
    if (r->body != NULL)
        r->json = json_loadb(r->body, r->len, 0, NULL);
    return r->status;
}

long
req(struct server *s, struct session *ss, const char *method, const char *path, const char *body,
    const char *const *headers, struct resp *r)
{
    return perform(s, ss, method, path, body, body ? strlen(body) : 0, headers, false, r);
}

long
req_bin(struct server *s, struct session *ss, const char *method, const char *path,
        const void *body, size_t len, const char *const *headers, struct resp *r)
{
    return perform(s, ss, method, path, body, len, headers, false, r);
}

long
req_raw(struct server *s, const char *method, const char *path, struct resp *r)
{
    return perform(s, NULL, method, path, NULL, 0, NULL, true, r);
}

void
resp_free(struct resp *r)
{
    free(r->body);
    json_decref(r->json);
    memset(r, 0, sizeof(*r));
}

long
login(struct server *s, struct session *ss, const char *user, const char *password)
{
    char body[256];
    struct resp r;
    long st;
    const char *semi;

    memset(ss, 0, sizeof(*ss));
    snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", user, password);
    st = req(s, NULL, "POST", "/api/v1/session", body, NULL, &r);
    if (st == 200 && r.json != NULL) {
        semi = strchr(r.set_cookie, ';');
        snprintf(ss->cookie, sizeof(ss->cookie), "%.*s",
                 (int)(semi ? (size_t)(semi - r.set_cookie) : strlen(r.set_cookie)), r.set_cookie);
        snprintf(ss->csrf, sizeof(ss->csrf), "%s",
                 json_string_value(json_object_get(r.json, "csrf_token")));
    }
    resp_free(&r);
    return st;
}

/* ---- JSON and problem helpers ---- */

json_t *
jget(json_t *j, const char *path)
{
    char key[64];
    const char *p = path;
    while (j != NULL && *p) {
        size_t n = strcspn(p, ".");
        snprintf(key, sizeof(key), "%.*s", (int)n, p);
        if (json_is_array(j))
            j = json_array_get(j, (size_t)strtol(key, NULL, 10));
        else
            j = json_object_get(j, key);
        p += n;
        if (*p == '.')
            p++;
    }
    return j;
}

const char *
jstr(json_t *j, const char *path)
{
    const char *s = json_string_value(jget(j, path));
    return s ? s : "";
}

long long
jint(json_t *j, const char *path)
{
    return json_integer_value(jget(j, path));
}

char *
fmt(const char *f, ...)
{
    static char buf[4][2048];
    static int k;
    va_list ap;
    char *b = buf[k++ % 4];
    va_start(ap, f);
    vsnprintf(b, sizeof(buf[0]), f, ap);
    va_end(ap);
    return b;
}

void
assert_problem(struct resp *r, long status, const char *code)
{
    if (r->status != status || strcmp(jstr(r->json, "code"), code) != 0)
        fprintf(stderr, "expected %ld %s, got %ld: %s\n", status, code, r->status,
                r->body ? r->body : "");
    assert_int_equal(r->status, status);
    assert_string_equal(r->content_type, "application/problem+json");
    assert_non_null(r->json);
    assert_int_equal(jint(r->json, "status"), status);
    assert_string_equal(jstr(r->json, "code"), code);
    assert_true(strlen(jstr(r->json, "detail")) > 0);
    assert_true(strlen(jstr(r->json, "title")) > 0);
}

bool
has_field_error(struct resp *r, const char *field)
{
    json_t *errs = json_object_get(r->json, "errors"), *e;
    size_t i;
    json_array_foreach(errs, i, e) {
        if (strcmp(jstr(e, "field"), field) == 0)
            return true;
    }
    return false;
}

#define FAKETIME_LIB "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"

bool
server_start_at(struct server *s, const char *faketime, const char *const *extra)
{
    char *asan = getenv("ASAN_OPTIONS") ? strdup(getenv("ASAN_OPTIONS")) : NULL;
    char *tz = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
    char asan_fake[512];
    bool ok;

    if (faketime != NULL) {
        if (access(FAKETIME_LIB, R_OK) != 0) {
            fprintf(stderr, "libfaketime is missing (%s): run scripts/deps.sh\n", FAKETIME_LIB);
            free(asan);
            free(tz);
            return false;
        }
        /* libfaketime is preloaded before the sanitizer runtime, which must not mind. */
        snprintf(asan_fake, sizeof(asan_fake), "%s%sverify_asan_link_order=0", asan ? asan : "",
                 asan ? ":" : "");
        setenv("FAKETIME", faketime, 1);
        setenv("FAKETIME_DONT_FAKE_MONOTONIC", "1", 1);
        setenv("TZ", "UTC", 1);
        setenv("LD_PRELOAD", FAKETIME_LIB, 1);
        setenv("ASAN_OPTIONS", asan_fake, 1);
    }
    ok = server_start(s, extra);
    if (faketime != NULL) {
        unsetenv("FAKETIME");
        unsetenv("FAKETIME_DONT_FAKE_MONOTONIC");
        unsetenv("LD_PRELOAD");
        if (asan != NULL)
            setenv("ASAN_OPTIONS", asan, 1);
        else
            unsetenv("ASAN_OPTIONS");
        if (tz != NULL)
            setenv("TZ", tz, 1);
        else
            unsetenv("TZ");
    }
    free(asan);
    free(tz);
    return ok;
}
