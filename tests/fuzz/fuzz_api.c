/*
 * Every JSON body parser of the API, through the real handlers: one request per input,
 * dispatched in process (bm_api_dispatch: permission, body type and size checks, the
 * handler, rollback of anything left open, problem rendering) on the demo county's store.
 *
 * Input: a first line "USER METHOD TARGET [IF-MATCH]" and the body after it, e.g.
 *     xtgz_clerk POST /api/v1/cases
 *     {"item_id":1,"channel":"window",...}
 * USER is a demo account ("anon" for nobody; unknown names mean admin). In TARGET, "@caseN"
 * and "@ticketN" (N = 0..7) stand for a demo case or work order in the Nth status, so seeds
 * survive the demo being generated again. A first line that names no route still runs one:
 * its hash picks a route with every path parameter "1". Slow routes (log-in and passwords,
 * which hash with argon2id; exports) run only when named; upload routes (files, not JSON)
 * never.
 *
 * Checked beyond the sanitizers: the answer has a valid status, a JSON body that parses, a
 * problem body with its code, detail and every field error's field and message, and never
 * 500 (hostile input is the caller's fault, never an internal error).
 */
#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/dispatch.h"
#include "api/routes.h"
#include "common.h"
#include "http/router.h"
#include "util/time.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct bm_config cfg;
static struct bm_store *store;

static const char *const user_names[] = {
    "admin",       "xtgz_clerk", "xtgz_handler", "xtgz_approver", "xtgz_admin",
    "xwz_clerk",   "xwz_admin",  "rsj_handler",  "rsj_approver",  "mzj_handler",
    "supervisor",  "evaluator",  "auditor",      "citizen",
};
#define N_USERS (sizeof(user_names) / sizeof(user_names[0]))
static struct bm_user users[N_USERS];
static struct bm_arena *users_arena;

/* Demo case and work-order numbers, one per status (see the header). */
static char case_no[8][40], ticket_no[8][40];

/* Routes a fallback may pick: not the slow ones (password hashing, exports) nor uploads. */
static size_t eligible[512], n_eligible;

static void
load_numbers(const char *db, const char *sql, char out[8][40])
{
    sqlite3 *h;
    sqlite3_stmt *s;
    int i = 0;

    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(h, sql, -1, &s, NULL) != SQLITE_OK) {
        fprintf(stderr, "fuzz_api: %s\n", sqlite3_errmsg(h));
        abort();
    }
    while (i < 8 && sqlite3_step(s) == SQLITE_ROW) {
        snprintf(out[i], sizeof(out[i]), "%s", (const char *)sqlite3_column_text(s, 0));
        i++;
    }
    for (int k = i; k < 8; k++)
        snprintf(out[k], sizeof(out[k]), "%s", i > 0 ? out[k % i] : "NONE");
    sqlite3_finalize(s);
    sqlite3_close(h);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct bm_err err;
    const char *hash;

    (void)argc;
    (void)argv;
    store = fuzz_demo_store(&cfg);
    /* Thousands of anonymous submissions a second from one address: with the limit, all but
     * twenty a minute would be answered 429 and the handlers behind it left unexplored. */
    cfg.public_posts_per_minute = 0;
    users_arena = bm_arena_new(1 << 20);
    for (size_t i = 0; i < N_USERS; i++) {
        bm_err_clear(&err);
        if (bm_store_user_get_login(store, user_names[i], users_arena, &users[i], &hash, &err) !=
            BM_OK) {
            fprintf(stderr, "fuzz_api: demo user %s: %s\n", user_names[i], err.message);
            abort();
        }
    }
    load_numbers(cfg.db, "SELECT min(case_no) FROM cases GROUP BY status ORDER BY status", case_no);
    load_numbers(cfg.db, "SELECT min(ticket_no) FROM demands GROUP BY status ORDER BY status",
                 ticket_no);
    for (size_t i = 0; i < bm_n_routes && n_eligible < 512; i++)
        if (!(bm_routes[i].flags & (BM_ROUTE_SLOW | BM_ROUTE_UPLOAD)))
            eligible[n_eligible++] = i;
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

/* TARGET with "@caseN" / "@ticketN" replaced, into the arena. */
static char *
expand(struct bm_arena *a, const char *t)
{
    size_t cap = strlen(t) * 8 + 64, k = 0;
    char *out = bm_arena_alloc(a, cap);

    if (out == NULL)
        return NULL;
    while (*t != '\0' && k + 48 < cap) {
        const char *v = NULL;
        if (strncmp(t, "@case", 5) == 0 && t[5] >= '0' && t[5] <= '7') {
            v = case_no[t[5] - '0'];
            t += 6;
        } else if (strncmp(t, "@ticket", 7) == 0 && t[7] >= '0' && t[7] <= '7') {
            v = ticket_no[t[7] - '0'];
            t += 8;
        }
        if (v != NULL) {
            size_t n = strlen(v);
            memcpy(out + k, v, n);
            k += n;
        } else {
            out[k++] = *t++;
        }
    }
    out[k] = '\0';
    return out;
}

/* FNV-1a of the first line, for the fallback route. */
static uint32_t
hash_of(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/*
 * A problem body names its code and detail, and each field error its field and message
 * (jansson drops a string that is not valid UTF-8, so a name cut mid-character vanishes).
 */
static void
check_problem(const struct bm_route *route, json_t *j, int status)
{
    json_t *errors = json_object_get(j, "errors"), *e;
    size_t i;

    if (!json_is_string(json_object_get(j, "code")) ||
        !json_is_string(json_object_get(j, "detail")) ||
        json_integer_value(json_object_get(j, "status")) != status) {
        fprintf(stderr, "fuzz_api: %s: problem without code, detail or status\n", route->label);
        abort();
    }
    json_array_foreach(errors, i, e) {
        if (!json_is_string(json_object_get(e, "field")) ||
            !json_is_string(json_object_get(e, "message"))) {
            fprintf(stderr, "fuzz_api: %s: field error %zu without field or message\n",
                    route->label, i);
            abort();
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strndup(data, size);
    char *nl = memchr(text, '\n', size);
    size_t line_len = nl ? (size_t)(nl - text) : size;
    const char *body = nl ? nl + 1 : "";
    size_t body_len = nl ? size - line_len - 1 : 0;
    struct bm_arena *a = bm_arena_new((size_t)cfg.arena_max_bytes + 65536 + size);
    struct bm_req rq;
    struct bm_resp rs;
    struct bm_match_result m;
    const struct bm_route *route = NULL;
    char *tok[4] = {NULL, NULL, NULL, NULL};
    int n_tok = 0;
    int user = 0;

    memset(&rq, 0, sizeof(rq));
    memset(&rs, 0, sizeof(rs));
    if (nl != NULL)
        *nl = '\0';
    {
        char *save = NULL, *line = bm_arena_strdup(a, text);
        for (char *t = strtok_r(line, " ", &save); t != NULL && n_tok < 4;
             t = strtok_r(NULL, " ", &save))
            tok[n_tok++] = t;
    }
    rq.arena = a;
    rq.cfg = &cfg;
    rq.store = store;
    rq.now = bm_now();
    snprintf(rq.request_id, sizeof(rq.request_id), "fuzz");
    rq.content_type = "application/json";
    rq.cookie = "";
    rq.authorization = "";
    rq.csrf_token = "";
    rq.if_match = n_tok >= 4 ? tok[3] : "";
    rq.idempotency_key = "";
    rq.user_agent = "fuzz";
    rq.client_ip = "127.0.0.1";
    rq.query = "";
    rq.body = body;
    rq.body_len = body_len;

    if (n_tok >= 3) {
        char *target = expand(a, tok[2]), *q;
        if (target != NULL && (q = strchr(target, '?')) != NULL) {
            *q = '\0';
            rq.query = q + 1;
        }
        rq.method = method_named(tok[1]);
        rq.path = target;
        if (target != NULL && target[0] == '/' &&
            bm_router_match(bm_routes, bm_n_routes, rq.method, target, &m) == BM_MATCH_OK &&
            !(bm_routes[m.route].flags & BM_ROUTE_UPLOAD)) {
            route = &bm_routes[m.route];
            for (int i = 0; i < m.n_params; i++)
                rq.params[i] = bm_arena_strndup(a, m.param[i], m.param_len[i]);
            rq.n_params = m.n_params;
        }
    }
    if (route == NULL) {
        uint32_t h = hash_of(text, line_len);
        route = &bm_routes[eligible[h % n_eligible]];
        rq.method = route->method;
        rq.path = route->pattern;
        rq.n_params = 0;
        for (const char *p = route->pattern; (p = strchr(p, '{')) != NULL; p++)
            if (rq.n_params < BM_MAX_PARAMS)
                rq.params[rq.n_params++] = "1";
    }
    if (n_tok >= 1 && strcmp(tok[0], "anon") == 0) {
        user = -1;
    } else if (n_tok >= 1) {
        for (size_t i = 0; i < N_USERS; i++)
            if (strcmp(tok[0], user_names[i]) == 0)
                user = (int)i;
    }
    if (user >= 0) {
        struct bm_principal *p = &rq.who;
        rq.is_authenticated = true;
        rq.auth.user = users[user];
        rq.auth.csrf_token = "";
        p->user_id = users[user].id;
        p->username = users[user].username;
        p->roles = users[user].roles;
        p->org_unit_id = users[user].org_unit_id;
        snprintf(p->org_path, sizeof(p->org_path), "%s", users[user].org_path);
    }
    bm_err_clear(&rq.err);

    bm_api_dispatch(route, &rq, &rs);

    if (rs.status < 200 || rs.status > 599) {
        fprintf(stderr, "fuzz_api: %s answered status %d\n", route->label, rs.status);
        abort();
    }
    if (rs.status >= 500) {
        fprintf(stderr, "fuzz_api: %s answered %d: %.*s\n", route->label, rs.status,
                (int)rs.body_len, rs.body ? rs.body : "");
        abort();
    }
    if (rs.body != NULL && rs.content_type != NULL && strstr(rs.content_type, "json") != NULL) {
        json_error_t je;
        json_t *j = json_loadb(rs.body, rs.body_len, 0, &je);
        if (j == NULL) {
            fprintf(stderr, "fuzz_api: %s answered JSON that does not parse: %s\n", route->label,
                    je.text);
            abort();
        }
        if (strstr(rs.content_type, "problem") != NULL)
            check_problem(route, j, rs.status);
        json_decref(j);
    }
    free(rs.body);
    bm_arena_free(a);
    free(text);
    return 0;
}
