/*
 * SQLite write transactions: one write connection per database file, requests' writes
 * batched into shared transactions, and commits acknowledged only once on disk.
 *
 * One connection. SQLite's page cache belongs to a connection, and in WAL mode a connection
 * drops all of it when another one has written since its last transaction: with each event
 * loop writing on its own connection, every write began cold and read the indexes' pages
 * again (a fifth of a case creation's time with a million cases, docs/performance.md). So
 * every store of a file writes through the file's one write connection, which only the
 * holder of its lock uses; reads outside write transactions stay on each store's own.
 *
 * Batches. A store's write transaction (a member) runs inside a savepoint of the write
 * connection's transaction. When a member ends and another writer is already waiting for
 * the lock, the transaction stays open and passes on; whoever ends with nobody waiting (or
 * the batch full) commits every member at once. Members wait for that commit and then for
 * the WAL's fdatasync before they return, so no write is acknowledged before it is on disk;
 * a member that fails rolls back to its own savepoint only; a failed COMMIT fails every
 * member. Pages that members share (the ends of indexes, the audit chain, counters) reach
 * the WAL once per batch instead of once per request, and the readers' caches are dropped
 * once per batch.
 *
 * Durability. COMMIT writes the WAL without waiting for the disk (synchronous=NORMAL);
 * then one fdatasync of the WAL, made by whichever committer finds none running, covers
 * every transaction committed before it began. Checkpoints keep SQLite's own ordering.
 * A store with deferred durability (the server's pools) does not wait for that sync in its
 * commit: bm_store_when_durable queues a callback, and a syncer thread per file runs it
 * once a sync has covered the store's last batch, so that a writer thread takes its next
 * request while the disk works (the answer still waits for the disk).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/sqlite/int.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/time.h"

/* Members committed together at most: bounds how long the first one waits. */
#define BATCH_MAX 64
/* A member waiting for its batch checks this often that somebody will commit it. */
#define BATCH_POLL_MS 20

struct sq_writer {
    struct sq_writer *next;
    char *path; /* "" for the private writer of an in-memory database */
    int refs;
    bool shared;           /* false: conn is the one store's own connection */
    struct sq_store *conn; /* opened by the first write */
    pthread_mutex_t lock;  /* the write lock: its holder alone uses conn */
    atomic_int waiting;    /* threads waiting for `lock` */
    /* Under `lock`: written only by its holder, so read there without `mu`. */
    bool open;             /* conn's transaction is open */
    double held_since;     /* bm_mono_ms when the lock was taken, for the metric */
    struct sq_store *members; /* members whose work is in it, by batch_next */
    int n_members;
    pthread_mutex_t mu;    /* guards the fields below and the members' batch_* outcome */
    pthread_cond_t cv;     /* a batch ended, or an fdatasync finished */
    uint64_t committed, synced; /* batches committed / known on disk, in commit order */
    bool syncing;
    /* An fdatasync failed: what it should have covered may be lost, and a later sync that
     * succeeds does not bring it back (the kernel reports a write-back error once), so from
     * then on no commit is reported durable until the process restarts. */
    bool sync_failed;
    int wal_fd; /* the WAL file, opened by the first sync; -1 */
    /* bm_store_when_durable's callbacks not yet run, and the thread that runs them. */
    struct bm_durable *durable;
    pthread_cond_t syncer_cv; /* a callback was queued, a sync ended, or stopping */
    pthread_t syncer;
    bool syncer_started, stopping;
};

static pthread_mutex_t writers_mu = PTHREAD_MUTEX_INITIALIZER;
static struct sq_writer *writers;

static struct sq_writer *
writer_new(const char *path, bool shared)
{
    struct sq_writer *w = bm_xcalloc(1, sizeof(*w));

    w->path = bm_xstrdup(path);
    w->shared = shared;
    w->wal_fd = -1;
    pthread_mutex_init(&w->lock, NULL);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    pthread_cond_init(&w->syncer_cv, NULL);
    return w;
}

void
sq_writer_attach(struct sq_store *sq, const char *file)
{
    struct sq_writer *w;

    if (file == NULL || file[0] == '\0') {
        /* In-memory: the database is private to this connection. */
        sq->writer = writer_new("", false);
        sq->writer->conn = sq;
        sq->writer->refs = 1;
        return;
    }
    pthread_mutex_lock(&writers_mu);
    for (w = writers; w != NULL && strcmp(w->path, file) != 0; w = w->next)
        ;
    if (w == NULL) {
        w = writer_new(file, true);
        w->next = writers;
        writers = w;
    }
    w->refs++;
    pthread_mutex_unlock(&writers_mu);
    sq->writer = w;
}

void
sq_writer_detach(struct sq_store *sq)
{
    struct sq_writer *w = sq->writer, **p;
    bool last;

    if (w == NULL)
        return;
    sq->writer = NULL;
    pthread_mutex_lock(&writers_mu);
    last = --w->refs == 0;
    for (p = &writers; last && w->shared && *p != NULL; p = &(*p)->next)
        if (*p == w) {
            *p = w->next;
            break;
        }
    pthread_mutex_unlock(&writers_mu);
    if (!last)
        return;
    if (w->syncer_started) {
        /* No store is left to queue callbacks: the syncer runs those left, then stops. */
        pthread_mutex_lock(&w->mu);
        w->stopping = true;
        pthread_cond_signal(&w->syncer_cv);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->syncer, NULL);
    }
    if (w->shared && w->conn != NULL)
        sqlite_close(&w->conn->base);
    if (w->wal_fd >= 0)
        close(w->wal_fd);
    pthread_cond_destroy(&w->cv);
    pthread_cond_destroy(&w->syncer_cv);
    pthread_mutex_destroy(&w->mu);
    pthread_mutex_destroy(&w->lock);
    free(w->path);
    free(w);
}

static const char SQL_BEGIN[] = "BEGIN IMMEDIATE";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";
static const char SQL_SAVEPOINT[] = "SAVEPOINT bm_member";
static const char SQL_RELEASE[] = "RELEASE bm_member";
static const char SQL_UNDO[] = "ROLLBACK TO bm_member";

static enum bm_rc
run(struct bm_store *st, const char *sql, const char *what, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, sql, &s, err);

    return rc == BM_OK ? sq_exec(st, s, what, err) : rc;
}

/* Under `lock`: commits the open transaction's members (or rolls back if there are none
 * or SQLite lost it), tells them the outcome and closes the batch. */
static void
end_batch(struct sq_writer *w)
{
    struct bm_store *c = &w->conn->base;
    struct sq_store *m, *next;
    struct bm_err e;
    enum bm_rc rc = BM_OK;
    uint64_t seq = 0;
    double t0, commit_ms = 0;

    bm_err_clear(&e);
    if (sqlite3_get_autocommit(w->conn->db)) {
        /* SQLite already rolled the transaction back (after an I/O error, say). */
        bm_log(BM_LOG_ERROR, "store_error", "write transaction lost before its commit");
        rc = BM_EINTERNAL;
    } else if (w->n_members > 0) {
        t0 = bm_mono_ms();
        rc = run(c, SQL_COMMIT, "commit", &e);
        commit_ms = bm_mono_ms() - t0;
    }
    if ((rc != BM_OK || w->n_members == 0) && !sqlite3_get_autocommit(w->conn->db))
        (void)!run(c, SQL_ROLLBACK, "rollback", &e);
    w->open = false;
    if (rc == BM_OK && w->n_members > 0)
        bm_metrics_store_commit(w->n_members, (uint64_t)(commit_ms * 1e6));
    pthread_mutex_lock(&w->mu);
    if (rc == BM_OK && w->n_members > 0)
        seq = ++w->committed;
    for (m = w->members; m != NULL; m = next) {
        next = m->batch_next;
        m->batch_next = NULL;
        m->batch_rc = rc;
        m->batch_seq = seq;
        m->batch_done = true;
    }
    w->members = NULL;
    w->n_members = 0;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

/* Takes and frees the write lock, counting how long it was held. */
static void
took_lock(struct sq_writer *w)
{
    w->held_since = bm_mono_ms();
}

static void
unlock(struct sq_writer *w)
{
    bm_metrics_store_lock_held((uint64_t)((bm_mono_ms() - w->held_since) * 1e6));
    pthread_mutex_unlock(&w->lock);
}

/* The holder's turn is over: passes the open transaction on to a waiting writer, or ends
 * the batch; then frees the lock. */
static void
leave(struct bm_store *st)
{
    struct sq_writer *w = SQ(st)->writer;
    bool pass;

    SQ(st)->holds_write = false;
    SQ(st)->tx = NULL;
    pass = w->n_members > 0 && w->n_members < BATCH_MAX && atomic_load(&w->waiting) > 0;
    if (w->open && !pass)
        end_batch(w);
    unlock(w);
}

enum bm_rc
sqlite_begin(struct bm_store *st, struct bm_err *err)
{
    struct sq_writer *w = SQ(st)->writer;
    struct timespec deadline;
    enum bm_rc rc = BM_OK;
    int locked;

    BM_ASSERT(!st->in_tx);
    /* Wait as long as SQLite's busy timeout would, then answer "busy, retry". Writers of this
     * process queue here, woken the moment the lock is free; SQLite's own busy handler (for
     * other processes, such as the CLI) polls with growing sleeps. */
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += SQ_BUSY_TIMEOUT_MS / 1000;
    atomic_fetch_add(&w->waiting, 1);
    locked = pthread_mutex_timedlock(&w->lock, &deadline);
    atomic_fetch_sub(&w->waiting, 1);
    if (locked != 0) {
        bm_log(BM_LOG_WARN, "store_busy", "begin: another writer held the store too long");
        if (err)
            err->retry_after_s = 1;
        return bm_err_set(err, BM_EBUSY, "数据库繁忙，请稍后重试");
    }
    took_lock(w);
    SQ(st)->holds_write = true;
    if (w->conn == NULL) {
        struct bm_store *conn;
        if ((rc = sq_open_conn(w->path, true, &conn, err)) == BM_OK)
            w->conn = SQ(conn);
    }
    if (rc == BM_OK) {
        SQ(st)->tx = w->conn;
        if (w->open && sqlite3_get_autocommit(w->conn->db))
            end_batch(w); /* lost: its members learn it, and a new one begins */
        if (!w->open && (rc = run(st, SQL_BEGIN, "begin", err)) == BM_OK)
            w->open = true;
    }
    if (rc == BM_OK)
        rc = run(st, SQL_SAVEPOINT, "savepoint", err);
    if (rc != BM_OK) {
        leave(st);
        return rc;
    }
    st->in_tx = true;
    return BM_OK;
}

/* Waits until the batch holding this member's work has ended; its outcome. */
static enum bm_rc
wait_batch(struct bm_store *st, struct bm_err *err)
{
    struct sq_store *sq = SQ(st);
    struct sq_writer *w = sq->writer;
    enum bm_rc rc;

    pthread_mutex_lock(&w->mu);
    while (!sq->batch_done) {
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        t.tv_nsec += BATCH_POLL_MS * 1000000L;
        if (t.tv_nsec >= 1000000000L) {
            t.tv_sec++;
            t.tv_nsec -= 1000000000L;
        }
        if (pthread_cond_timedwait(&w->cv, &w->mu, &t) != ETIMEDOUT || sq->batch_done)
            continue;
        /* The writer it was passed to may have given up waiting: with the lock free and
         * the transaction still open, nobody else will commit it. */
        pthread_mutex_unlock(&w->mu);
        if (pthread_mutex_trylock(&w->lock) == 0) {
            took_lock(w);
            if (w->open)
                end_batch(w);
            unlock(w);
        }
        pthread_mutex_lock(&w->mu);
    }
    rc = sq->batch_rc;
    pthread_mutex_unlock(&w->mu);
    if (rc == BM_OK)
        return BM_OK;
    if (rc == BM_EBUSY) {
        if (err)
            err->retry_after_s = 1;
        return bm_err_set(err, BM_EBUSY, "数据库繁忙，请稍后重试");
    }
    return bm_err_set(err, BM_EINTERNAL, "数据存储出错");
}

/* Under mu: the WAL's descriptor for syncing, opened by the first sync. The WAL lives as
 * long as any connection does, so it stays valid. */
static bool
wal_open(struct sq_writer *w)
{
    char path[1100];

    if (w->wal_fd >= 0)
        return true;
    snprintf(path, sizeof(path), "%s-wal", w->path);
    w->wal_fd = open(path, O_RDONLY | O_CLOEXEC);
    if (w->wal_fd < 0)
        bm_log(BM_LOG_ERROR, "store_error", "open %s for sync failed", path);
    return w->wal_fd >= 0;
}

/* Under mu, with no sync running and the WAL open: one fdatasync of the WAL, which covers
 * every batch committed before it began; wakes whoever waits for it. Returns with mu held,
 * and the batch it covered up to in *target. */
static bool
sync_wal(struct sq_writer *w, uint64_t *target)
{
    double t0;
    bool ok;

    *target = w->committed;
    if (w->sync_failed)
        return false;
    w->syncing = true;
    pthread_mutex_unlock(&w->mu);
    t0 = bm_mono_ms();
    ok = fdatasync(w->wal_fd) == 0;
    bm_metrics_store_sync((uint64_t)((bm_mono_ms() - t0) * 1e6), ok);
    if (!ok)
        bm_log(BM_LOG_ERROR, "store_error",
               "fdatasync of the WAL failed: no write is confirmed until the server restarts");
    pthread_mutex_lock(&w->mu);
    w->syncing = false;
    w->sync_failed = w->sync_failed || !ok;
    if (ok && *target > w->synced)
        w->synced = *target;
    pthread_cond_broadcast(&w->cv);
    pthread_cond_signal(&w->syncer_cv);
    return ok;
}

/* Under mu: takes the queued callbacks of batches up to `seq` off the queue. */
static struct bm_durable *
take_durable(struct sq_writer *w, uint64_t seq)
{
    struct bm_durable *ready = NULL, **p, *d;

    for (p = &w->durable; (d = *p) != NULL;) {
        if (d->seq <= seq) {
            *p = d->next;
            d->next = ready;
            ready = d;
        } else {
            p = &d->next;
        }
    }
    return ready;
}

/* Outside mu: runs callbacks taken by take_durable. */
static void
run_durable(struct bm_durable *ready, bool ok)
{
    struct bm_durable *d;

    while ((d = ready) != NULL) {
        ready = d->next;
        d->fn(d, ok);
    }
}

/*
 * The thread that makes deferred commits durable (bm_store_when_durable): it runs the
 * callbacks of batches that a sync, its own or a blocking committer's, has covered, and
 * syncs while callbacks wait and nobody else does. It stops once the writer is closed and
 * no callback is left.
 */
static void *
syncer(void *arg)
{
    struct sq_writer *w = arg;

    pthread_mutex_lock(&w->mu);
    for (;;) {
        struct bm_durable *ready = take_durable(w, w->synced);
        uint64_t target;

        if (ready != NULL) {
            pthread_mutex_unlock(&w->mu);
            run_durable(ready, true);
            pthread_mutex_lock(&w->mu);
        } else if (w->durable == NULL) {
            if (w->stopping)
                break;
            pthread_cond_wait(&w->syncer_cv, &w->mu);
        } else if (w->syncing) {
            pthread_cond_wait(&w->syncer_cv, &w->mu);
        } else if (!sync_wal(w, &target)) {
            ready = take_durable(w, target);
            pthread_mutex_unlock(&w->mu);
            run_durable(ready, false);
            pthread_mutex_lock(&w->mu);
        }
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* Waits until an fdatasync of the WAL that began after batch `seq` was committed is over. */
static enum bm_rc
wait_durable(struct sq_writer *w, uint64_t seq, struct bm_err *err)
{
    uint64_t target;
    bool ok;

    if (!w->shared)
        return BM_OK; /* in memory: nothing to sync */
    pthread_mutex_lock(&w->mu);
    ok = wal_open(w);
    while (ok && w->synced < seq) {
        if (w->syncing)
            pthread_cond_wait(&w->cv, &w->mu);
        else
            ok = sync_wal(w, &target);
    }
    pthread_mutex_unlock(&w->mu);
    return ok ? BM_OK : bm_err_set(err, BM_EINTERNAL, "数据存储出错");
}

void
sqlite_defer_durability(struct bm_store *st)
{
    SQ(st)->defer_durable = true;
}

bool
sqlite_sync_failed(struct bm_store *st)
{
    struct sq_writer *w = SQ(st)->writer;
    bool failed;

    if (w == NULL)
        return false;
    pthread_mutex_lock(&w->mu);
    failed = w->sync_failed;
    pthread_mutex_unlock(&w->mu);
    return failed;
}

bool
sqlite_when_durable(struct bm_store *st, struct bm_durable *d)
{
    struct sq_store *sq = SQ(st);
    struct sq_writer *w = sq->writer;
    uint64_t seq = sq->durable_seq;
    bool ok = true;

    sq->durable_seq = 0;
    if (seq == 0 || w == NULL || !w->shared)
        return false;
    pthread_mutex_lock(&w->mu);
    if (w->synced >= seq) {
        pthread_mutex_unlock(&w->mu);
        return false;
    }
    if (!w->syncer_started) {
        ok = wal_open(w) && pthread_create(&w->syncer, NULL, syncer, w) == 0;
        w->syncer_started = ok;
    }
    if (ok) {
        d->seq = seq;
        d->next = w->durable;
        w->durable = d;
        pthread_cond_signal(&w->syncer_cv);
    }
    pthread_mutex_unlock(&w->mu);
    if (!ok) {
        bm_log(BM_LOG_ERROR, "store_error", "cannot start the WAL's sync thread");
        d->fn(d, false);
    }
    return true;
}

enum bm_rc
sqlite_commit(struct bm_store *st, struct bm_err *err)
{
    struct sq_store *sq = SQ(st);
    struct sq_writer *w = sq->writer;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if (!sq->holds_write) { /* a read snapshot (bm_store_read_begin, copies) */
        st->in_tx = false;
        return run(st, SQL_COMMIT, "commit", err);
    }
    if ((rc = run(st, SQL_RELEASE, "release", err)) != BM_OK) {
        bm_store_rollback(st);
        return rc;
    }
    st->in_tx = false;
    /* The list belongs to the holder of `lock`; end_batch, under `lock` too, sets the
     * outcome, under `mu`, after this thread has let go of `lock`. */
    sq->batch_done = false;
    sq->batch_next = w->members;
    w->members = sq;
    w->n_members++;
    leave(st);
    if ((rc = wait_batch(st, err)) != BM_OK)
        return rc;
    if (sq->defer_durable) {
        if (sq->batch_seq > sq->durable_seq)
            sq->durable_seq = sq->batch_seq;
        return BM_OK;
    }
    return wait_durable(w, sq->batch_seq, err);
}

void
sqlite_rollback(struct bm_store *st)
{
    struct sq_store *sq = SQ(st);
    struct bm_err e;

    if (!st->in_tx)
        return;
    st->in_tx = false;
    bm_err_clear(&e);
    if (!sq->holds_write) { /* a read snapshot */
        (void)!run(st, SQL_ROLLBACK, "rollback", &e);
        return;
    }
    /* This member's work only; the batch's other members keep theirs. If SQLite has lost
     * the whole transaction, end_batch finds out and fails them. */
    if (!sqlite3_get_autocommit(sq->tx->db) && run(st, SQL_UNDO, "rollback to", &e) == BM_OK)
        (void)!run(st, SQL_RELEASE, "release", &e);
    leave(st);
}
