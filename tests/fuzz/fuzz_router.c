/*
 * The request router and what the server does with a request target before any handler:
 * URI parsing (libevent, as evhttp does), percent-decoding of the path with the same checks
 * as http/server.c, route matching of method and path, path parameters, query string
 * parsing (bm_req_query, bm_req_page), id parameters and If-Match, and static files.
 *
 * Input: "METHOD TARGET" on the first line, an If-Match value on the second.
 *
 * Properties checked beyond the sanitizers:
 *  - a match is for the method asked (HEAD runs GET routes); putting the parameters back
 *    into the route's pattern gives the path again; parameters are non-empty, without '/';
 *  - "path exists for other methods" names at least one method;
 *  - decoded query values are valid UTF-8 without NULs, page limits stay within bounds;
 *  - a static file opened for any path is one of the files inside the web folder, never the
 *    file beside it that a symlink and ".." point to.
 */
#include <event2/http.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/json.h"
#include "api/routes.h"
#include "common.h"
#include "http/router.h"
#include "http/static.h"
#include "util/log.h"
#include "util/utf8.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char scratch[512], web_real[4096];
static ino_t inside[3], secret;

static void
cleanup(void)
{
    static const char *const files[] = {"web/index.html", "web/assets/app.js", "web/leak",
                                        "web/assets",     "web",               "secret.txt"};
    char p[700];
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(p, sizeof(p), "%s/%s", scratch, files[i]);
        if (unlink(p) != 0)
            (void)rmdir(p);
    }
    (void)rmdir(scratch);
}

static ino_t
make_file(const char *rel, const char *text)
{
    char p[700];
    struct stat sb;
    FILE *f;

    snprintf(p, sizeof(p), "%s/%s", scratch, rel);
    if ((f = fopen(p, "w")) == NULL || fputs(text, f) < 0 || fclose(f) != 0 || stat(p, &sb) != 0)
        abort();
    return sb.st_ino;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
    char p[700];

    (void)argc;
    (void)argv;
    bm_log_set_level(BM_LOG_ERROR);
    snprintf(scratch, sizeof(scratch), "%s/bianmin-fuzz-XXXXXX", tmp ? tmp : "/tmp");
    if (mkdtemp(scratch) == NULL)
        abort();
    atexit(cleanup);
    snprintf(p, sizeof(p), "%s/web", scratch);
    if (mkdir(p, 0700) != 0)
        abort();
    snprintf(p, sizeof(p), "%s/web/assets", scratch);
    if (mkdir(p, 0700) != 0)
        abort();
    inside[0] = make_file("web/index.html", "<!doctype html>");
    inside[1] = make_file("web/assets/app.js", "1");
    inside[2] = inside[0];
    secret = make_file("secret.txt", "secret");
    snprintf(p, sizeof(p), "%s/web/leak", scratch);
    if (symlink("../secret.txt", p) != 0)
        abort();
    snprintf(p, sizeof(p), "%s/web", scratch);
    if (realpath(p, web_real) == NULL)
        abort();
    return 0;
}

static enum bm_method
method_named(const char *m)
{
    static const char *const names[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE",
                                        "OPTIONS"};
    for (int i = 0; i < 7; i++)
        if (strcmp(m, names[i]) == 0)
            return (enum bm_method)i;
    return BM_METHOD_OTHER;
}

static void
fail(const char *what, const char *path)
{
    fprintf(stderr, "fuzz_router: %s (path \"%s\")\n", what, path);
    abort();
}

/* The pattern with the parameters put back must be the path. */
static void
check_match(const struct bm_route *r, const struct bm_match_result *m, enum bm_method meth,
            const char *path)
{
    char rebuilt[8192];
    size_t k = 0;
    int i = 0;

    if (!(r->method == meth || (meth == BM_HEAD && r->method == BM_GET)))
        fail("matched a route of another method", path);
    for (const char *p = r->pattern; *p != '\0' && k + 1 < sizeof(rebuilt);) {
        if (*p == '{') {
            if (i >= m->n_params)
                fail("fewer parameters than the pattern has", path);
            if (m->param_len[i] == 0 || memchr(m->param[i], '/', m->param_len[i]) != NULL)
                fail("empty parameter or one with '/'", path);
            if (m->param[i] < path || m->param[i] + m->param_len[i] > path + strlen(path))
                fail("parameter outside the path", path);
            if (k + m->param_len[i] >= sizeof(rebuilt))
                return;
            memcpy(rebuilt + k, m->param[i], m->param_len[i]);
            k += m->param_len[i];
            i++;
            p = strchr(p, '}') + 1;
        } else {
            rebuilt[k++] = *p++;
        }
    }
    rebuilt[k] = '\0';
    if (i != m->n_params || strcmp(rebuilt, path) != 0)
        fail("parameters do not rebuild the path", path);
}

static void
check_queries(struct bm_req *rq)
{
    static const char *const names[] = {"limit", "cursor", "status", "q",    "from", "to",
                                        "township_id", "item_id", "year", "kind", "", "a"};
    int limit;
    int64_t cursor, id;

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const char *v = bm_req_query(rq, names[i]);
        if (v != NULL && !bm_utf8_valid(v, strlen(v)))
            fail("query value is not UTF-8", rq->path);
    }
    bm_err_clear(&rq->err);
    if (bm_req_page(rq, 20, 100, &limit, &cursor) == BM_OK &&
        (limit < 1 || limit > 100 || cursor < 0))
        fail("page out of bounds", rq->path);
    for (int i = 0; i < rq->n_params; i++) {
        bm_err_clear(&rq->err);
        if (bm_req_param_id(rq, i, &id) == BM_OK && id <= 0)
            fail("a parameter id that is not positive", rq->path);
    }
    bm_err_clear(&rq->err);
    (void)!bm_req_if_match(rq, &id);
}

static void
check_static(const char *path)
{
    struct bm_static_file f;
    struct stat sb;

    if (bm_static_open(web_real, path, &f) != BM_STATIC_OK)
        return;
    if (fstat(f.fd, &sb) != 0)
        fail("static fd", path);
    close(f.fd);
    if (sb.st_ino == secret || (sb.st_ino != inside[0] && sb.st_ino != inside[1]))
        fail("static file from outside the web folder", path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strndup(data, size), *nl, *sp, *target, *decoded;
    const char *raw_path, *q;
    struct evhttp_uri *uri;
    struct bm_arena *a;
    struct bm_req rq;
    struct bm_match_result m;
    enum bm_method meth;
    size_t dlen;

    if ((nl = strchr(text, '\n')) != NULL)
        *nl = '\0';
    if ((sp = strchr(text, ' ')) == NULL) {
        free(text);
        return 0;
    }
    *sp = '\0';
    target = sp + 1;
    meth = method_named(text);
    uri = evhttp_uri_parse_with_flags(target, EVHTTP_URI_NONCONFORMANT);
    raw_path = uri ? evhttp_uri_get_path(uri) : NULL;
    if (raw_path == NULL || raw_path[0] != '/') {
        if (uri)
            evhttp_uri_free(uri);
        free(text);
        return 0;
    }
    decoded = evhttp_uridecode(raw_path, 0, &dlen);
    if (decoded == NULL || strlen(decoded) != dlen || !bm_utf8_valid(decoded, dlen)) {
        free(decoded);
        evhttp_uri_free(uri);
        free(text);
        return 0;
    }
    a = bm_arena_new(1 << 20);
    memset(&rq, 0, sizeof(rq));
    rq.arena = a;
    rq.method = meth;
    rq.path = bm_arena_strndup(a, decoded, dlen);
    q = evhttp_uri_get_query(uri);
    rq.query = bm_arena_strdup(a, q ? q : "");
    rq.if_match = nl ? bm_arena_strdup(a, nl + 1) : "";
    free(decoded);

    switch (bm_router_match(bm_routes, bm_n_routes, meth, rq.path, &m)) {
    case BM_MATCH_OK:
        if (m.route < 0 || (size_t)m.route >= bm_n_routes)
            fail("route index out of the table", rq.path);
        check_match(&bm_routes[m.route], &m, meth, rq.path);
        for (int i = 0; i < m.n_params; i++)
            rq.params[i] = bm_arena_strndup(a, m.param[i], m.param_len[i]);
        rq.n_params = m.n_params;
        break;
    case BM_MATCH_METHOD:
        if (m.allow[0] == '\0')
            fail("405 without an Allow list", rq.path);
        break;
    case BM_MATCH_NONE:
        if (strncmp(rq.path, "/api/", 5) != 0)
            check_static(rq.path);
        break;
    }
    check_queries(&rq);

    bm_arena_free(a);
    evhttp_uri_free(uri);
    free(text);
    return 0;
}
