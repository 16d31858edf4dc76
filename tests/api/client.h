/*
 * Test-side helpers for the API suite: start and stop a real `bianmin serve` on a free
 * loopback port, and a small libcurl client that keeps a session cookie and CSRF token.
 */
#ifndef BM_TEST_CLIENT_H
#define BM_TEST_CLIENT_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/types.h>

struct server {
    pid_t pid;
    int port;
    char dir[256];     /* temporary folder: store, web root, logs */
    char db[320];      /* SQLite file, or a postgres:// URL */
    char log[320];
    const char *bin;
    bool is_pg;        /* the store is the PostgreSQL database named by BIANMIN_TEST_PG */
    /* Set before server_start: each fdatasync() the server makes waits for this process (a
     * seccomp listener, served by a thread of ours), which lets it run or, while
     * sync_broken is set, fails it with EIO as a disk that lost a write does. */
    bool watch_sync;
    atomic_bool sync_broken;
    int sync_fd;
    pthread_t sync_thread;
};

struct session {
    char cookie[128]; /* "bm_session=..." or "" */
    char csrf[64];
    char bearer[96];
};

struct resp {
    long status;
    char *body;
    size_t len;
    json_t *json;           /* parsed body when it is JSON, else NULL */
    char content_type[128];
    char set_cookie[256];
    char allow[64];
    char retry_after[16];
    char csp[512];
    char nosniff[32];
    char frame_options[32];
    char etag[32];
    char location[256];
    char idempotency_replayed[16];
    char content_disposition[256];
};

/* Creates a temp folder, the demo store (`bianmin demo --no-serve`) and a web root. */
bool server_prepare(struct server *s);
/* Starts `bianmin serve` with extra arguments (NULL-terminated) and waits for /healthz. */
bool server_start(struct server *s, const char *const *extra);
/*
 * server_start with the clock of libfaketime: FAKETIME ("@2026-02-10 01:00:00": that
 * instant in UTC, then running); NULL starts on the system clock. The child inherits the
 * environment set here; this process's own is restored afterwards.
 */
bool server_start_at(struct server *s, const char *faketime, const char *const *extra);
/* Sends SIGTERM and waits; returns the exit status (0 for a clean stop), -1 on timeout. */
int server_stop(struct server *s);
/* The value of an unlabelled metric on the server's /metrics; -1 if it is not there. */
double server_metric(struct server *s, const char *name);
/* Removes the temporary folder. */
void server_cleanup(struct server *s);

/*
 * One request. `headers` is NULL or a NULL-terminated list of "Name: value". The session
 * (may be NULL) supplies the cookie, CSRF token (on state-changing methods) or bearer token.
 * `raw_path` sends the path exactly as given (no dot-segment removal).
 */
long req(struct server *s, struct session *ss, const char *method, const char *path,
         const char *body, const char *const *headers, struct resp *r);
long req_raw(struct server *s, const char *method, const char *path, struct resp *r);
/* Like req() with a body of `len` bytes that may hold NULs (uploads); NULL body sends none. */
long req_bin(struct server *s, struct session *ss, const char *method, const char *path,
             const void *body, size_t len, const char *const *headers, struct resp *r);
void resp_free(struct resp *r);

/* Logs in and fills the session; returns the status. */
long login(struct server *s, struct session *ss, const char *user, const char *password);

/* Runs a shell command; returns its exit status. */
int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- JSON and problem helpers shared by the suites ---- */

/* The value at a dotted path ("items.0.id": object keys and array indexes); NULL if none. */
json_t *jget(json_t *j, const char *path);
/* The string at `path`, or "" if it is missing or not a string. */
const char *jstr(json_t *j, const char *path);
/* The integer at `path`, or 0. */
long long jint(json_t *j, const char *path);
/* printf into one of four rotating static buffers (2 KiB each): fine for a call's arguments. */
char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
/*
 * Asserts (cmocka) that `r` is an application/problem+json answer with this status and
 * stable code, and a title and detail.
 */
void assert_problem(struct resp *r, long status, const char *code);
/* True if some per-field error of the problem names `field`. */
bool has_field_error(struct resp *r, const char *field);

#endif
