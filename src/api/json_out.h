/*
 * Compact JSON text of a jansson value, byte for byte what json_dumps gives with
 * JSON_COMPACT | JSON_REAL_PRECISION(12) (keys in insertion order, non-ASCII as UTF-8,
 * control characters as \uXXXX), about three times faster: every answer of the API goes
 * through it, and jansson's dumper spends most of its time on per-character callbacks.
 */
#ifndef BM_API_JSON_OUT_H
#define BM_API_JSON_OUT_H

#include <stddef.h>

#include <jansson.h>

/* The text (malloc'ed, NUL-terminated, the caller frees) and its length; NULL for NULL. */
char *bm_json_compact(const json_t *j, size_t *len);

#endif
