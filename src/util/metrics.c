/*
 * Prometheus counters, histogram and gauges.
 */
#include "util/metrics.h"

#include <stdatomic.h>
#include <string.h>

static const int statuses[] = {200, 201, 204, 304, 400, 401, 403, 404, 405, 409,
                               412, 413, 415, 422, 429, 500, 503};
#define N_STATUS (sizeof(statuses) / sizeof(statuses[0]) + 1) /* + "other" */
static const double buckets_ms[] = {0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500};
#define N_BUCKET (sizeof(buckets_ms) / sizeof(buckets_ms[0]))

struct route_stats {
    atomic_ulong by_status[N_STATUS];
};

static size_t n_routes;
static const char *const *labels;
static struct route_stats *routes; /* n_routes + 2 pseudo-routes */
static atomic_ulong hist[N_BUCKET + 1];
static atomic_ulong hist_count;
static atomic_ullong hist_sum_us;
static atomic_long conns;
static atomic_ulong conns_total, store_errors, throttled, public_throttled, store_commits,
    store_writes;
static atomic_ullong store_lock_ns, store_commit_ns, store_sync_ns;
static atomic_ulong store_syncs, store_sync_failures;

void
bm_metrics_init(size_t n, const char *const *route_labels)
{
    n_routes = n;
    labels = route_labels;
    routes = bm_xcalloc(n + 2, sizeof(*routes));
}

void
bm_metrics_fini(void)
{
    free(routes);
    routes = NULL;
    n_routes = 0;
}

static size_t
status_index(int status)
{
    for (size_t i = 0; i < N_STATUS - 1; i++)
        if (statuses[i] == status)
            return i;
    return N_STATUS - 1;
}

void
bm_metrics_request(int route, int status, double duration_ms)
{
    size_t ri, b;

    if (routes == NULL)
        return;
    ri = route >= 0 && (size_t)route < n_routes ? (size_t)route
         : route == BM_METRICS_ROUTE_STATIC     ? n_routes
                                                : n_routes + 1;
    atomic_fetch_add(&routes[ri].by_status[status_index(status)], 1);
    for (b = 0; b < N_BUCKET && duration_ms > buckets_ms[b]; b++)
        ;
    atomic_fetch_add(&hist[b], 1);
    atomic_fetch_add(&hist_count, 1);
    atomic_fetch_add(&hist_sum_us, (unsigned long long)(duration_ms * 1000.0));
}

void bm_metrics_conn_open(void) { atomic_fetch_add(&conns, 1); atomic_fetch_add(&conns_total, 1); }
void bm_metrics_conn_close(void) { atomic_fetch_sub(&conns, 1); }
void bm_metrics_store_error(void) { atomic_fetch_add(&store_errors, 1); }

void
bm_metrics_store_commit(int writes, uint64_t commit_ns)
{
    atomic_fetch_add(&store_commits, 1);
    atomic_fetch_add(&store_writes, (unsigned long)writes);
    atomic_fetch_add(&store_commit_ns, commit_ns);
}

void bm_metrics_store_lock_held(uint64_t ns) { atomic_fetch_add(&store_lock_ns, ns); }

void
bm_metrics_store_sync(uint64_t ns, bool ok)
{
    atomic_fetch_add(ok ? &store_syncs : &store_sync_failures, 1);
    atomic_fetch_add(&store_sync_ns, ns);
}

void
bm_metrics_store_commits(unsigned long *commits, unsigned long *writes)
{
    *commits = atomic_load(&store_commits);
    *writes = atomic_load(&store_writes);
}
void bm_metrics_throttled(void) { atomic_fetch_add(&throttled, 1); }
void bm_metrics_public_throttled(void) { atomic_fetch_add(&public_throttled, 1); }
long bm_metrics_conns(void) { return atomic_load(&conns); }

static const char *
route_label(size_t i)
{
    if (i < n_routes)
        return labels[i];
    return i == n_routes ? "static" : "unmatched";
}

enum bm_rc
bm_metrics_render(struct bm_buf *o)
{
    enum bm_rc rc;
    unsigned long cum = 0;

    rc = bm_buf_puts(o, "# HELP bianmin_http_requests_total HTTP requests by route and status.\n"
                        "# TYPE bianmin_http_requests_total counter\n");
    for (size_t r = 0; rc == BM_OK && routes != NULL && r < n_routes + 2; r++) {
        for (size_t s = 0; rc == BM_OK && s < N_STATUS; s++) {
            unsigned long v = atomic_load(&routes[r].by_status[s]);
            if (v == 0)
                continue;
            if (s < N_STATUS - 1)
                rc = bm_buf_printf(o, "bianmin_http_requests_total{route=\"%s\",status=\"%d\"} %lu\n",
                                   route_label(r), statuses[s], v);
            else
                rc = bm_buf_printf(o,
                                   "bianmin_http_requests_total{route=\"%s\",status=\"other\"} %lu\n",
                                   route_label(r), v);
        }
    }
    if (rc == BM_OK)
        rc = bm_buf_puts(o, "# HELP bianmin_http_request_duration_seconds Time from complete "
                            "request to queued response.\n"
                            "# TYPE bianmin_http_request_duration_seconds histogram\n");
    for (size_t b = 0; rc == BM_OK && b < N_BUCKET; b++) {
        cum += atomic_load(&hist[b]);
        rc = bm_buf_printf(o, "bianmin_http_request_duration_seconds_bucket{le=\"%g\"} %lu\n",
                           buckets_ms[b] / 1000.0, cum);
    }
    if (rc == BM_OK) {
        cum += atomic_load(&hist[N_BUCKET]);
        rc = bm_buf_printf(
            o,
            "bianmin_http_request_duration_seconds_bucket{le=\"+Inf\"} %lu\n"
            "bianmin_http_request_duration_seconds_sum %.6f\n"
            "bianmin_http_request_duration_seconds_count %lu\n"
            "# HELP bianmin_http_connections_open Client connections currently open.\n"
            "# TYPE bianmin_http_connections_open gauge\n"
            "bianmin_http_connections_open %ld\n"
            "# HELP bianmin_http_connections_total Client connections accepted.\n"
            "# TYPE bianmin_http_connections_total counter\n"
            "bianmin_http_connections_total %lu\n"
            "# HELP bianmin_store_errors_total Store operations that failed for a backend reason.\n"
            "# TYPE bianmin_store_errors_total counter\n"
            "bianmin_store_errors_total %lu\n"
            "# HELP bianmin_store_commits_total Transactions committed to an SQLite store.\n"
            "# TYPE bianmin_store_commits_total counter\n"
            "bianmin_store_commits_total %lu\n"
            "# HELP bianmin_store_committed_writes_total Write transactions of requests those "
            "commits carried (several share one commit under load).\n"
            "# TYPE bianmin_store_committed_writes_total counter\n"
            "bianmin_store_committed_writes_total %lu\n"
            "# HELP bianmin_store_commit_seconds_total Time spent in those commits (under the "
            "write lock; the WAL's fdatasync is not in it).\n"
            "# TYPE bianmin_store_commit_seconds_total counter\n"
            "bianmin_store_commit_seconds_total %.6f\n"
            "# HELP bianmin_store_write_lock_seconds_total Time the SQLite write lock was held, "
            "commits included: its rate near 1 means writes queue for it.\n"
            "# TYPE bianmin_store_write_lock_seconds_total counter\n"
            "bianmin_store_write_lock_seconds_total %.6f\n"
            "# HELP bianmin_store_syncs_total fdatasync calls that made commits durable (one "
            "covers every commit before it).\n"
            "# TYPE bianmin_store_syncs_total counter\n"
            "bianmin_store_syncs_total %lu\n"
            "# HELP bianmin_store_sync_seconds_total Time spent in those calls.\n"
            "# TYPE bianmin_store_sync_seconds_total counter\n"
            "bianmin_store_sync_seconds_total %.6f\n"
            "# HELP bianmin_store_sync_failures_total fdatasync calls that failed: from the "
            "first, no write is confirmed (answers 500, /readyz 503) until the server restarts.\n"
            "# TYPE bianmin_store_sync_failures_total counter\n"
            "bianmin_store_sync_failures_total %lu\n"
            "# HELP bianmin_login_throttled_total Log-in attempts refused by throttling.\n"
            "# TYPE bianmin_login_throttled_total counter\n"
            "bianmin_login_throttled_total %lu\n"
            "# HELP bianmin_public_posts_throttled_total Anonymous submissions refused by "
            "public_posts_per_minute (429).\n"
            "# TYPE bianmin_public_posts_throttled_total counter\n"
            "bianmin_public_posts_throttled_total %lu\n",
            cum, (double)atomic_load(&hist_sum_us) / 1e6, atomic_load(&hist_count),
            atomic_load(&conns), atomic_load(&conns_total), atomic_load(&store_errors),
            atomic_load(&store_commits), atomic_load(&store_writes),
            (double)atomic_load(&store_commit_ns) / 1e9, (double)atomic_load(&store_lock_ns) / 1e9,
            atomic_load(&store_syncs), (double)atomic_load(&store_sync_ns) / 1e9,
            atomic_load(&store_sync_failures), atomic_load(&throttled),
            atomic_load(&public_throttled));
    }
    return rc;
}
