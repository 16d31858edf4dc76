/*
 * Process-wide counters for /metrics (Prometheus text format 0.0.4). Lock-free atomics:
 * any thread may count. Routes are known at start-up (the route table), plus two
 * pseudo-routes: "static" and "unmatched".
 */
#ifndef BM_UTIL_METRICS_H
#define BM_UTIL_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define BM_METRICS_ROUTE_STATIC (-1)
#define BM_METRICS_ROUTE_UNMATCHED (-2)

/* Registers the route labels ("GET /api/v1/users/{id}"); borrowed, must outlive the process. */
void bm_metrics_init(size_t n_routes, const char *const *labels);
void bm_metrics_fini(void);

/* One finished request: route index (or a pseudo-route), status, duration. */
void bm_metrics_request(int route, int status, double duration_ms);

void bm_metrics_conn_open(void);
void bm_metrics_conn_close(void);
void bm_metrics_store_error(void);
/* A transaction committed to the store, carrying `writes` requests' write transactions,
 * whose COMMIT took `commit_ns`. */
void bm_metrics_store_commit(int writes, uint64_t commit_ns);
/* The write lock was held for `ns` (from its taking to its passing on or release). */
void bm_metrics_store_lock_held(uint64_t ns);
/* An fdatasync of the WAL took `ns`, and failed when !ok. */
void bm_metrics_store_sync(uint64_t ns, bool ok);
/* Totals of bm_metrics_store_commit (tests). */
void bm_metrics_store_commits(unsigned long *commits, unsigned long *writes);
void bm_metrics_throttled(void);
/* An anonymous submission was refused by public_posts_per_minute. */
void bm_metrics_public_throttled(void);

/* Appends the whole exposition. */
BM_MUST_CHECK enum bm_rc bm_metrics_render(struct bm_buf *out);

/* Current open-connection gauge (tests, readiness). */
long bm_metrics_conns(void);

#endif
