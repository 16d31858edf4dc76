/*
 * Government-affairs and village-affairs disclosure (政务公开 / 村务公开), docs/domain.md 9:
 * the category code tables (government categories for townships, village-affairs categories
 * for villages), the life of a publication and its public visibility window. Pure: the
 * clock is always a parameter, so visibility is computed at read time from `now`.
 */
#ifndef BM_CORE_DISCLOSURE_H
#define BM_CORE_DISCLOSURE_H

#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"

/* Who publishes under a category: a township government or a village committee. */
enum bm_pub_level {
    BM_PUB_TOWNSHIP,
    BM_PUB_VILLAGE,
};

struct bm_pub_category {
    const char *code;
    const char *zh;
    enum bm_pub_level level;
    const char *period; /* hint: "monthly", "quarterly", "immediate" or "timely" */
};

/* Every category, ending with {NULL, ...}. */
extern const struct bm_pub_category bm_pub_categories[];

/* The category with this code, or NULL. */
const struct bm_pub_category *bm_pub_category_find(const char *code);

/*
 * Stored states. RELEASED means a person published it: it is public from publish_at until
 * withdraw_at (if any); WITHDRAWN means a person took it down early, with a reason.
 */
enum bm_pub_stored {
    BM_PUB_S_DRAFT,
    BM_PUB_S_RELEASED,
    BM_PUB_S_WITHDRAWN,
};

/* What the API shows at an instant. */
enum bm_pub_status {
    BM_PUB_DRAFT,     /* not yet published */
    BM_PUB_SCHEDULED, /* published for a later publish_at */
    BM_PUB_PUBLISHED, /* publicly visible now */
    BM_PUB_WITHDRAWN, /* withdrawn early, or past its withdraw_at */
};

const char *bm_pub_stored_code(enum bm_pub_stored s);
bool bm_pub_stored_parse(const char *code, enum bm_pub_stored *out);
const char *bm_pub_status_code(enum bm_pub_status s);
const char *bm_pub_status_zh(enum bm_pub_status s);

/* The status at `now` of a publication stored as `s` with this window (withdraw_at 0: none). */
enum bm_pub_status bm_pub_status_at(enum bm_pub_stored s, int64_t publish_at, int64_t withdraw_at,
                                    int64_t now);

/* True if the public may see it at `now`: released and publish_at <= now < withdraw_at. */
bool bm_pub_visible(enum bm_pub_stored s, int64_t publish_at, int64_t withdraw_at, int64_t now);

/* True while it may still be edited, have files added or be (re)scheduled: a draft, or
 * released for a publish_at still in the future. */
bool bm_pub_editable(enum bm_pub_stored s, int64_t publish_at, int64_t now);

#define BM_PUB_TITLE_MAX 200   /* characters */
#define BM_PUB_BODY_MAX 20000  /* characters */
#define BM_PUB_REASON_MAX 500  /* characters */

/*
 * Checks what a publication says: `category` known and of the owner's level (a village
 * category for a township, or the reverse, is refused), title 1..200 characters on one line,
 * body up to 20000 characters of plain text (tabs and line breaks only among control
 * characters: the body is never rendered as HTML). Adds field errors to `err`; BM_EINVAL.
 */
BM_MUST_CHECK enum bm_rc bm_pub_check(enum bm_pub_level level, const char *category,
                                      const char *title, const char *body, struct bm_err *err);

/*
 * Checks a publication window at `now`: withdraw_at (0: none) must come after publish_at and
 * lie in the future. BM_EINVAL with a field error on "withdraw_at".
 */
BM_MUST_CHECK enum bm_rc bm_pub_check_window(int64_t publish_at, int64_t withdraw_at, int64_t now,
                                             struct bm_err *err);

/*
 * Parses an RFC 3339 instant with an offset ("2026-03-01T08:00:00+08:00", "...Z", optional
 * fraction ignored) into epoch seconds. False for anything else.
 */
bool bm_pub_parse_instant(const char *s, int64_t *out);

#endif
