/*
 * Worker pool for slow work (password hashing, long reads) and for writes: a fixed number of
 * threads, each with its own store connection, taking jobs from one queue. A job's `done`
 * runs back on the event loop that submitted it, where the response may be written, once
 * what the job committed is on disk; the thread meanwhile takes the next job
 * (bm_store_when_durable). The thread count also caps how many argon2id hashes (about
 * 64 MiB each) run at once.
 */
#ifndef BM_HTTP_POOL_H
#define BM_HTTP_POOL_H

#include <event2/event.h>

#include "store/store.h"

struct bm_pool;

struct bm_job {
    void (*run)(struct bm_job *job, struct bm_store *st); /* on a worker thread */
    void (*done)(struct bm_job *job);                     /* on the submitting loop */
    struct event_base *base;                              /* the submitting loop */
    /* Set before `done` when what `run` committed could not be made durable: the answer
     * `run` prepared must not go out. */
    bool not_durable;
    struct bm_durable durable; /* the pool's */
    struct bm_pool *pool;      /* the pool's */
    struct bm_job *next;
};

/* Starts `n` workers, each opening `db_url`. NULL (with err) if a store cannot be opened. */
struct bm_pool *bm_pool_new(int n, const char *db_url, struct bm_err *err);

/* Queues a job. Thread-safe. */
void bm_pool_submit(struct bm_pool *p, struct bm_job *job);

/* Finishes queued jobs, stops the workers and closes their stores. NULL is a no-op. */
void bm_pool_free(struct bm_pool *p);

#endif
