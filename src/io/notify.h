/*
 * Delivery of one text message from the outbox: appended as a JSON line to a log file (the
 * default, for counties without an SMS gateway, and for tests), or POSTed as JSON to a
 * webhook that forwards it to the operator's SMS gateway.
 */
#ifndef BM_IO_NOTIFY_H
#define BM_IO_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"

struct bm_notify_target {
    const char *file;    /* used when webhook is "" */
    const char *webhook; /* http(s) URL, or "" */
    int timeout_s;
    /* The file stays open from the first send until bm_io_notify_end: one open per batch of
     * messages, not per message, while a log rotated between batches is still followed. */
    bool file_open;
    int fd;
};

struct bm_notify_msg {
    int64_t id;          /* outbox id: receivers drop repeats by it */
    const char *phone;   /* full number: only the webhook gets it; the log file is masked */
    const char *template_name, *text;
    int64_t at;
};

/* Once per process before the first send (libcurl's global set-up is not thread-safe). */
void bm_io_notify_init(void);

/*
 * Sends one message. BM_EBUSY (retry later) when the webhook cannot be reached or answers
 * other than 2xx, or the file cannot be written.
 */
BM_MUST_CHECK enum bm_rc bm_io_notify_send(struct bm_notify_target *t,
                                           const struct bm_notify_msg *m, struct bm_err *err);

/* After a batch of sends: closes the log file, if open. */
void bm_io_notify_end(struct bm_notify_target *t);

#endif
