/*
 * The deadline-warning job that `bianmin serve` runs beside the HTTP loops: a round right
 * after start and then every warn_interval_s (bm_api_warn_round). Several processes on one
 * database may all run it: each warning is claimed by one of them in the database.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/handlers.h"
#include "cli/cli.h"
#include "util/log.h"
#include "util/time.h"

struct warner {
    const struct bm_config *cfg;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop, started;
};

static struct warner wr = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

/* Sleeps `s` seconds unless asked to stop; true if asked. */
static bool
nap(int s)
{
    struct timespec until;
    bool stop;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += s;
    pthread_mutex_lock(&wr.mu);
    if (!wr.stop)
        pthread_cond_timedwait(&wr.cv, &wr.mu, &until);
    stop = wr.stop;
    pthread_mutex_unlock(&wr.mu);
    return stop;
}

/* One round through a request context of its own, as an unauthenticated system caller. */
static void
round_once(struct bm_store *st)
{
    struct bm_req rq;
    int warned = 0, messages = 0;

    memset(&rq, 0, sizeof(rq));
    rq.path = "warner";
    rq.query = "";
    snprintf(rq.request_id, sizeof(rq.request_id), "warner");
    rq.now = bm_now();
    rq.arena = bm_arena_new((size_t)64 << 20);
    rq.store = st;
    rq.cfg = wr.cfg;
    rq.who.username = "system"; /* the audit trail's actor for the cards the job issues */
    bm_err_clear(&rq.err);
    if (bm_api_warn_round(&rq, &warned, &messages) != BM_OK)
        bm_log(BM_LOG_WARN, "warn_round", "%s", rq.err.message);
    else if (warned > 0)
        bm_log(BM_LOG_INFO, "warn_round", "%d case(s) warned or deemed accepted, %d message(s) queued", warned,
               messages);
    bm_arena_free(rq.arena);
}

static void *
run(void *arg)
{
    struct bm_store *st = NULL;
    struct bm_err err;

    (void)arg;
    for (;;) {
        bm_err_clear(&err);
        if (st == NULL && bm_store_open(wr.cfg->db, &st, &err) != BM_OK) {
            bm_log(BM_LOG_WARN, "warn_store", "%s", err.message);
            st = NULL;
            if (nap(5))
                break;
            continue;
        }
        round_once(st);
        if (nap(wr.cfg->warn_interval_s))
            break;
    }
    bm_store_close(st);
    return NULL;
}

bool
cli_warner_start(const struct bm_config *cfg)
{
    wr.cfg = cfg;
    wr.stop = false;
    if (cfg->warn_interval_s == 0)
        return true;
    if (pthread_create(&wr.thread, NULL, run, NULL) != 0) {
        fprintf(stderr, "bianmin: cannot start the deadline-warning job\n");
        return false;
    }
    wr.started = true;
    return true;
}

void
cli_warner_stop(void)
{
    if (!wr.started)
        return;
    pthread_mutex_lock(&wr.mu);
    wr.stop = true;
    pthread_cond_broadcast(&wr.cv);
    pthread_mutex_unlock(&wr.mu);
    pthread_join(wr.thread, NULL);
    wr.started = false;
}
