/*
 * The outbox sender that `bianmin serve` runs beside the HTTP loops: it claims due text
 * messages (a lease keeps other processes on the same database from sending them too),
 * unseals the phone number, hands each message to the log file or webhook sender, and
 * records the outcome; failures are retried with a growing delay.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/pii.h"
#include "core/secret.h"
#include "io/notify.h"
#include "util/log.h"
#include "util/time.h"

#define LEASE_S 120 /* longer than a batch can take: BATCH_WEBHOOK x the webhook timeout */
/* Messages claimed at once. Each batch costs two write transactions (claim, then the
 * outcomes), which at thousands of cases a second compete with the requests' writes; a
 * line in a file takes microseconds, a webhook call up to its timeout. */
#define BATCH_FILE 100
#define BATCH_WEBHOOK 10
#define MAX_DELAY_S 3600

struct notifier {
    const struct bm_config *cfg;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop, started;
    char file[600];
};

static struct notifier nt = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

/* Sleeps up to `ms` unless asked to stop; true if asked. */
static bool
nap(int ms)
{
    struct timespec until;
    bool stop;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&nt.mu);
    if (!nt.stop)
        pthread_cond_timedwait(&nt.cv, &nt.mu, &until);
    stop = nt.stop;
    pthread_mutex_unlock(&nt.mu);
    return stop;
}

/* Sends one claimed batch; returns how many were claimed. */
static size_t
round_once(struct bm_store *st, const struct bm_pii_key *k, struct bm_notify_target *t,
           size_t batch)
{
    struct bm_arena *a = bm_arena_new(4 << 20);
    struct bm_outbox_msg *ms;
    struct bm_err err;
    size_t n = 0;
    int64_t now = bm_now();

    bm_err_clear(&err);
    if (a == NULL)
        return 0;
    if (bm_store_outbox_claim(st, now, LEASE_S, (int)batch, a, &ms, &n, &err) != BM_OK) {
        bm_log(BM_LOG_WARN, "outbox_claim", "%s", err.message);
        n = 0;
    }
    /* Send first, then mark the whole batch in one transaction: through the store's
     * writer lock like every other write (an autocommit mark took SQLite's lock behind the
     * lock's back and made the loops sleep in the busy handler), one commit per batch. */
    {
        bool *sent = n ? bm_arena_alloc(a, n * sizeof(*sent)) : NULL;
        const char **why = n ? bm_arena_alloc(a, n * sizeof(*why)) : NULL;
        enum bm_rc rc = BM_OK;

        for (size_t i = 0; sent && why && i < n; i++) {
            char phone[64];
            struct bm_notify_msg m = {.id = ms[i].id, .phone = phone,
                                      .template_name = ms[i].template_name,
                                      .text = ms[i].body, .at = now};
            enum bm_rc sr;
            bm_err_clear(&err);
            if (!bm_pii_open(k, ms[i].recipient_enc, ms[i].recipient_enc_len, phone, sizeof(phone)))
                sr = bm_err_set(&err, BM_EINTERNAL, "收件人号码无法解密（数据密钥不符）");
            else
                sr = bm_io_notify_send(t, &m, &err);
            bm_secret_wipe(phone, sizeof(phone));
            sent[i] = sr == BM_OK;
            why[i] = sent[i] ? "" : bm_arena_strdup(a, err.message);
            if (!sent[i])
                bm_log(BM_LOG_WARN, "notify_failed", "outbox %lld: %s", (long long)ms[i].id,
                       err.message);
        }
        bm_io_notify_end(t);
        bm_err_clear(&err);
        if (n > 0 && sent && why)
            rc = bm_store_begin(st, &err);
        for (size_t i = 0; n > 0 && sent && why && rc == BM_OK && i < n; i++) {
            int64_t delay = 30LL * ms[i].attempts * ms[i].attempts;
            rc = bm_store_outbox_done(st, ms[i].id, sent[i], why[i] ? why[i] : "",
                                      bm_now() + (delay > MAX_DELAY_S ? MAX_DELAY_S : delay),
                                      bm_now(), &err);
        }
        if (n > 0 && sent && why && rc == BM_OK)
            rc = bm_store_commit(st, &err);
        if (rc != BM_OK) {
            /* The lease runs out and the batch is claimed again: sent twice at worst. */
            bm_store_rollback(st);
            bm_log(BM_LOG_WARN, "outbox_done", "%s", err.message);
        }
    }
    bm_arena_free(a);
    return n;
}

static void *
run(void *arg)
{
    struct bm_store *st = NULL;
    struct bm_pii_key k;
    struct bm_err err;
    struct bm_notify_target t = {.file = nt.file, .webhook = nt.cfg->notify_webhook,
                                 .timeout_s = 5};
    size_t batch = t.webhook[0] ? BATCH_WEBHOOK : BATCH_FILE;

    (void)arg;
    bm_pii_key_init(&k, nt.cfg->data_key);
    while (!nap(st ? 0 : 200)) {
        bm_err_clear(&err);
        if (st == NULL && bm_store_open(nt.cfg->db, &st, &err) != BM_OK) {
            bm_log(BM_LOG_WARN, "outbox_store", "%s", err.message);
            st = NULL;
            if (nap(5000))
                break;
            continue;
        }
        if (round_once(st, &k, &t, batch) < batch && nap(1000))
            break;
    }
    bm_secret_wipe(&k, sizeof(k));
    bm_store_close(st);
    return NULL;
}

static void
default_file(const struct bm_config *cfg, char *out, size_t size)
{
    const char *db = cfg->db;

    if (cfg->notify_file[0]) {
        snprintf(out, size, "%s", cfg->notify_file);
    } else if (bm_url_is_postgres(db)) {
        snprintf(out, size, "bianmin-sms.log");
    } else {
        if (strncmp(db, "sqlite:", 7) == 0)
            db += 7;
        snprintf(out, size, "%s.sms.log", db);
    }
}

bool
cli_notifier_start(const struct bm_config *cfg)
{
    nt.cfg = cfg;
    nt.stop = false;
    default_file(cfg, nt.file, sizeof(nt.file));
    bm_io_notify_init();
    if (pthread_create(&nt.thread, NULL, run, NULL) != 0) {
        fprintf(stderr, "bianmin: cannot start the notification sender\n");
        return false;
    }
    nt.started = true;
    return true;
}

void
cli_notifier_stop(void)
{
    if (!nt.started)
        return;
    pthread_mutex_lock(&nt.mu);
    nt.stop = true;
    pthread_cond_broadcast(&nt.cv);
    pthread_mutex_unlock(&nt.mu);
    pthread_join(nt.thread, NULL);
    nt.started = false;
}
