/*
 * Error codes and the caller-owned error struct every fallible function fills.
 * The table in err.c maps each code to the API's stable code string, an HTTP status
 * and a default Chinese title; docs/errors.md lists them.
 */
#ifndef BM_UTIL_ERR_H
#define BM_UTIL_ERR_H

#include <stdlib.h>

#define BM_MUST_CHECK __attribute__((warn_unused_result))
#define BM_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Programmer mistakes only; stays on in release builds. */
#define BM_ASSERT(x) \
    do { \
        if (!(x)) \
            bm_assert_fail(#x, __FILE__, __LINE__); \
    } while (0)

/* Append-only: the numeric values may be logged. */
enum bm_rc {
    BM_OK = 0,
    BM_EINVAL,      /* validation_failed    400 */
    BM_EUNAUTH,     /* unauthenticated      401 */
    BM_EFORBIDDEN,  /* forbidden            403 */
    BM_ENOTFOUND,   /* not_found            404 (also: outside the caller's scope) */
    BM_ECONFLICT,   /* conflict             409 */
    BM_ETRANSITION, /* illegal_transition   409 */
    BM_ESTALE,      /* precondition_failed  412 */
    BM_ETOOBIG,     /* too_large            413 */
    BM_ETHROTTLED,  /* throttled            429 */
    BM_EBUSY,       /* unavailable          503, safe to retry */
    BM_EINTERNAL,   /* internal             500, details only in the log */
    BM_EMETHOD,     /* method_not_allowed   405 */
    BM_EMEDIA,      /* unsupported_media_type 415 */
    BM_RC_COUNT
};

#define BM_ERR_FIELDS 8

struct bm_err {
    enum bm_rc rc;
    char message[256]; /* zh-CN, safe to show the user */
    struct {
        char field[48];
        char message[128];
    } fields[BM_ERR_FIELDS];
    int n_fields;       /* per-field errors; the first eight are kept */
    int retry_after_s;  /* for BM_ETHROTTLED / BM_EBUSY: seconds, 0 = not set */
};

/* Clears `err` to BM_OK with no message and no fields. */
void bm_err_clear(struct bm_err *err);

/*
 * Sets the code and a formatted zh-CN message; returns `rc` so callers can write
 * `return bm_err_set(err, BM_EINVAL, "...")`. Allocates nothing. `err` may be NULL.
 */
enum bm_rc bm_err_set(struct bm_err *err, enum bm_rc rc, const char *fmt, ...) BM_PRINTF(3, 4);

/*
 * Adds one per-field validation error and sets the code to BM_EINVAL (keeping any
 * message already set). Fields past the eighth are counted but not kept.
 */
enum bm_rc bm_err_field(struct bm_err *err, const char *field, const char *fmt, ...)
    BM_PRINTF(3, 4);

/*
 * Puts `prefix` ("applicant.") before the names of the field errors from index `from` on,
 * for errors read from a nested object. Names that no longer fit are cut at a character.
 */
void bm_err_prefix_fields(struct bm_err *err, int from, const char *prefix);

/* The API's stable code string ("validation_failed"), HTTP status, and default title. */
const char *bm_rc_code(enum bm_rc rc);
int bm_rc_status(enum bm_rc rc);
const char *bm_rc_title(enum bm_rc rc);

/* Logs and aborts. Used by BM_ASSERT and by allocation failures. */
_Noreturn void bm_assert_fail(const char *what, const char *file, int line);

/* malloc/calloc/realloc that abort on out-of-memory (c-style.md section 4). */
void *bm_xmalloc(size_t n);
void *bm_xcalloc(size_t n, size_t size);
void *bm_xrealloc(void *p, size_t n);
char *bm_xstrdup(const char *s);

#endif
