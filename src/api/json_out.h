/*
 * Compact JSON text of a jansson value, byte for byte what json_dumps gives with
 * JSON_COMPACT | JSON_REAL_PRECISION(12) (keys in insertion order, non-ASCII as UTF-8,
 * control characters as \uXXXX), about three times faster: every answer of the API goes
 * through it, and jansson's dumper spends most of its time on per-character callbacks.
 */
#ifndef BM_API_JSON_OUT_H
#define BM_API_JSON_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* The text (malloc'ed, NUL-terminated, the caller frees) and its length; NULL for NULL. */
char *bm_json_compact(const json_t *j, size_t *len);

/*
 * The same text written straight from C values, for the hot answers (a case and the case
 * lists): no jansson tree to build and free. Start with `struct bm_jw w = {0};`, write values
 * in order (in an object, bm_jw_key before each value; commas are the writer's), then
 * bm_jw_finish. Memory runs out by abort (bm_xrealloc), like jansson's answers.
 */
struct bm_jw {
    char *p;
    size_t len, cap;
    bool comma; /* a value was written at this level: the next one needs a ',' */
    bool bad;   /* a string was not UTF-8: the text is unusable */
};

void bm_jw_obj(struct bm_jw *w);
void bm_jw_obj_end(struct bm_jw *w);
void bm_jw_arr(struct bm_jw *w);
void bm_jw_arr_end(struct bm_jw *w);
void bm_jw_key(struct bm_jw *w, const char *k);
void bm_jw_str(struct bm_jw *w, const char *s); /* NULL writes null */
void bm_jw_int(struct bm_jw *w, int64_t v);
void bm_jw_bool(struct bm_jw *w, bool v);
void bm_jw_null(struct bm_jw *w);
void bm_jw_value(struct bm_jw *w, const json_t *j); /* a jansson value, borrowed; NULL: null */
/* A member in one call: bm_jw_key, then the value. */
void bm_jw_kstr(struct bm_jw *w, const char *k, const char *s);
void bm_jw_kint(struct bm_jw *w, const char *k, int64_t v);
void bm_jw_kbool(struct bm_jw *w, const char *k, bool v);
/* The text (malloc'ed, the caller frees) and its length; NULL if a string was not UTF-8.
 * Resets the writer either way. */
char *bm_jw_finish(struct bm_jw *w, size_t *len);

#endif
