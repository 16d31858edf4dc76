/*
 * Worker threads and the hand-back to event loops (event_base_once is thread-safe once
 * evthread_use_pthreads has run, and wakes the loop).
 */
#include "http/pool.h"

#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <time.h>

#include "util/log.h"

struct worker {
    pthread_t th;
    struct bm_store *st;
    struct bm_pool *pool;
};

struct bm_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct bm_job *head, *tail;
    atomic_int awaiting_disk; /* jobs run whose `done` waits for bm_store_when_durable */
    bool stopping;
    int n;   /* threads started */
    int cap; /* workers allocated */
    struct worker *w;
};

static void
done_cb(evutil_socket_t fd, short what, void *arg)
{
    struct bm_job *job = arg;
    (void)fd;
    (void)what;
    job->done(job);
}

/*
 * A worker that finds no job gives the memory freed by the burst before it back to the
 * system, at most once a second for the process: glibc keeps each thread's freed memory in
 * its heap arena, and with 16 writers that held about 15 MiB after a burst of writes.
 */
static void
trim_when_idle(void)
{
    static atomic_long last;
    struct timespec now;
    long prev;

    clock_gettime(CLOCK_MONOTONIC, &now);
    prev = atomic_load(&last);
    if (now.tv_sec > prev && atomic_compare_exchange_strong(&last, &prev, (long)now.tv_sec))
        (void)malloc_trim(0);
}

static void
hand_back(struct bm_job *job)
{
    static const struct timeval now = {0, 0};

    if (event_base_once(job->base, -1, EV_TIMEOUT, done_cb, job, &now) != 0)
        bm_log(BM_LOG_ERROR, "pool_handback", "could not return a job to its loop");
}

static void
durable_cb(struct bm_durable *d, bool ok)
{
    struct bm_job *job = (struct bm_job *)((char *)d - offsetof(struct bm_job, durable));
    struct bm_pool *p = job->pool;

    job->not_durable = !ok;
    hand_back(job);
    atomic_fetch_sub(&p->awaiting_disk, 1);
}

static void *
work(void *arg)
{
    struct worker *w = arg;
    struct bm_pool *p = w->pool;

    for (;;) {
        struct bm_job *job;
        pthread_mutex_lock(&p->mu);
        if (p->head == NULL && !p->stopping) {
            pthread_mutex_unlock(&p->mu);
            trim_when_idle();
            pthread_mutex_lock(&p->mu);
        }
        while (p->head == NULL && !p->stopping)
            pthread_cond_wait(&p->cv, &p->mu);
        job = p->head;
        if (job == NULL) {
            pthread_mutex_unlock(&p->mu);
            return NULL;
        }
        p->head = job->next;
        if (p->head == NULL)
            p->tail = NULL;
        pthread_mutex_unlock(&p->mu);
        job->run(job, w->st);
        job->not_durable = false;
        job->pool = p;
        job->durable.fn = durable_cb;
        atomic_fetch_add(&p->awaiting_disk, 1);
        if (!bm_store_when_durable(w->st, &job->durable)) {
            atomic_fetch_sub(&p->awaiting_disk, 1);
            hand_back(job);
        }
    }
}

struct bm_pool *
bm_pool_new(int n, const char *db_url, struct bm_err *err)
{
    struct bm_pool *p = bm_xcalloc(1, sizeof(*p));
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->w = bm_xcalloc((size_t)n, sizeof(*p->w));
    p->cap = n;
    for (int i = 0; i < n; i++) {
        p->w[i].pool = p;
        if (bm_store_open(db_url, &p->w[i].st, err) != BM_OK) {
            bm_pool_free(p);
            return NULL;
        }
        bm_store_defer_durability(p->w[i].st);
        pthread_create(&p->w[i].th, NULL, work, &p->w[i]);
        p->n++;
    }
    return p;
}

void
bm_pool_submit(struct bm_pool *p, struct bm_job *job)
{
    job->next = NULL;
    pthread_mutex_lock(&p->mu);
    if (p->tail)
        p->tail->next = job;
    else
        p->head = job;
    p->tail = job;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

void
bm_pool_free(struct bm_pool *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->mu);
    p->stopping = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->n; i++)
        pthread_join(p->w[i].th, NULL);
    /* The last jobs' answers wait for the disk: hand them back before the stores close. */
    while (atomic_load(&p->awaiting_disk) > 0)
        nanosleep(&(struct timespec){0, 1000000L}, NULL);
    for (int i = 0; i < p->cap; i++)
        bm_store_close(p->w[i].st);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->w);
    free(p);
}
