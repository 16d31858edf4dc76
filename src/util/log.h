/*
 * One JSON line per event on stderr: {"ts":…,"level":…,"req":…,"event":…,"msg":…}.
 * Thread-safe (one write(2) per line). The request id is per thread, set by http/
 * while a request runs, so lower layers log with it without passing it around.
 */
#ifndef BM_UTIL_LOG_H
#define BM_UTIL_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

enum bm_log_level { BM_LOG_DEBUG, BM_LOG_INFO, BM_LOG_WARN, BM_LOG_ERROR };

/* Minimum level written; may be changed at run time from any thread. */
void bm_log_set_level(enum bm_log_level lvl);
enum bm_log_level bm_log_get_level(void);
/* Parses "debug" | "info" | "warn" | "error"; false if unknown. */
bool bm_log_parse_level(const char *s, enum bm_log_level *out);

/* Sets this thread's request id ("" to clear). Copied. */
void bm_log_set_request(const char *req_id);

void bm_log(enum bm_log_level lvl, const char *event, const char *fmt, ...) BM_PRINTF(3, 4);

/* Writes a prepared JSON object line as is (the access log builds its own). */
void bm_log_raw(const char *line, size_t len);

/* Masks all but the first 4 and last 4 characters with '*' into out (for ID numbers, phones). */
void bm_log_mask(const char *in, char *out, size_t out_size);

#endif
