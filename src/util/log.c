/*
 * JSON-lines logger.
 */
#include "util/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/time.h"

static _Atomic int min_level = BM_LOG_INFO;
static _Thread_local char request_id[40];
static const char *names[] = {"debug", "info", "warn", "error"};

void
bm_log_set_level(enum bm_log_level lvl)
{
    atomic_store(&min_level, (int)lvl);
}

enum bm_log_level
bm_log_get_level(void)
{
    return (enum bm_log_level)atomic_load(&min_level);
}

bool
bm_log_parse_level(const char *s, enum bm_log_level *out)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (enum bm_log_level)i;
            return true;
        }
    }
    return false;
}

void
bm_log_set_request(const char *req_id)
{
    snprintf(request_id, sizeof(request_id), "%s", req_id ? req_id : "");
}

void
bm_log_raw(const char *line, size_t len)
{
    /* One write per line so concurrent threads never interleave within a line. */
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w; /* nowhere to report a failed log write */
}

void
bm_log(enum bm_log_level lvl, const char *event, const char *fmt, ...)
{
    char msg[1024], ts[40];
    struct bm_buf b;
    va_list ap;
    enum bm_rc rc;

    if ((int)lvl < atomic_load(&min_level))
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    bm_time_rfc3339(bm_now(), ts, sizeof(ts));
    /* Room for the message escaped at worst (6 bytes per byte) plus the fixed fields. */
    bm_buf_init(&b, 8192);
    rc = bm_buf_printf(&b, "{\"ts\":\"%s\",\"level\":\"%s\"", ts, names[lvl]);
    if (rc == BM_OK && request_id[0] != '\0')
        rc = bm_buf_printf(&b, ",\"req\":\"%s\"", request_id);
    if (rc == BM_OK)
        rc = bm_buf_puts(&b, ",\"event\":\"");
    if (rc == BM_OK)
        rc = bm_buf_json_str(&b, event);
    if (rc == BM_OK)
        rc = bm_buf_puts(&b, "\",\"msg\":\"");
    if (rc == BM_OK)
        rc = bm_buf_json_str(&b, msg);
    if (rc == BM_OK)
        rc = bm_buf_puts(&b, "\"}\n");
    if (rc == BM_OK)
        bm_log_raw(b.ptr, b.len);
    bm_buf_fini(&b);
}

void
bm_log_mask(const char *in, char *out, size_t out_size)
{
    size_t n = strlen(in), i;

    if (out_size == 0)
        return;
    for (i = 0; i < n && i + 1 < out_size; i++)
        out[i] = (i < 4 || i + 4 >= n) && n > 8 ? in[i] : '*';
    out[i] = '\0';
}
