/*
 * The HTTP server: one libevent loop per core, each with its own evhttp on a shared
 * SO_REUSEPORT port and its own store connection; a worker pool for slow routes; graceful
 * shutdown on SIGTERM/SIGINT (stop accepting, finish in-flight requests, close stores).
 */
#ifndef BM_HTTP_SERVER_H
#define BM_HTTP_SERVER_H

#include "util/config.h"
#include "util/err.h"

/*
 * Serves until SIGTERM or SIGINT. The store must already be migrated. Calls `ready(arg,
 * port)` once every loop listens (port resolved when cfg->listen asked for port 0).
 */
BM_MUST_CHECK enum bm_rc bm_server_run(const struct bm_config *cfg,
                                       void (*ready)(void *arg, int port), void *arg,
                                       struct bm_err *err);

#endif
