/*
 * The one interface to persistent data. Callers speak the domain (org units, users,
 * sessions, audit entries), never SQL; a backend is chosen by URL in bm_store_open
 * ("sqlite:FILE" or a plain file path for SQLite; "postgres://..." for PostgreSQL).
 * A handle is one database connection: never use it from two threads at once.
 * Every write use case runs between bm_store_begin and bm_store_commit, audit entry
 * included; any error before commit is followed by bm_store_rollback.
 * Text returned in structs is copied into the caller's arena.
 */
#ifndef BM_STORE_STORE_H
#define BM_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/audit.h"
#include "core/delegation.h"
#include "core/item.h"
#include "core/org.h"
#include "core/user.h"
#include "util/arena.h"
#include "util/err.h"

#define BM_TOKEN_HASH_LEN 32

struct bm_store;

/* What a session cookie or API token resolves to. */
struct bm_auth {
    struct bm_user user;
    int64_t session_id;     /* 0 when authenticated by an API token */
    const char *csrf_token; /* session's CSRF token; "" for API tokens */
    int64_t last_seen_at;
    int64_t token_id;       /* 0 for sessions */
};

struct bm_api_token {
    int64_t id;
    int64_t user_id;
    const char *username;
    const char *name;
    const char *prefix; /* first characters of the token, to recognise it in lists */
    int64_t created_at, last_used_at, expires_at, revoked_at;
};

/*
 * True if the store named by `url` already exists (for SQLite: the file is there; a server
 * database is assumed to). Lets commands other than `init` refuse a mistyped path instead
 * of creating an empty store.
 */
bool bm_store_exists(const char *url);

/* Opens a connection; applies nothing. Caller closes. BM_EINVAL for an unknown scheme. */
BM_MUST_CHECK enum bm_rc bm_store_open(const char *url, struct bm_store **out, struct bm_err *err);
void bm_store_close(struct bm_store *st);

/*
 * Applies pending embedded migrations, each in its own transaction, and reports how many
 * ran. BM_ECONFLICT if the database has a schema newer than this binary knows.
 */
BM_MUST_CHECK enum bm_rc bm_store_migrate(struct bm_store *st, int *n_applied, struct bm_err *err);
/* Highest applied migration (0 for an empty store) and the highest this binary knows. */
BM_MUST_CHECK enum bm_rc bm_store_schema_version(struct bm_store *st, int *have, int *known,
                                                 struct bm_err *err);

/* A write transaction that takes the write lock at once (no upgrade deadlocks). */
BM_MUST_CHECK enum bm_rc bm_store_begin(struct bm_store *st, struct bm_err *err);
BM_MUST_CHECK enum bm_rc bm_store_commit(struct bm_store *st, struct bm_err *err);
/* Safe to call with no transaction open. */
void bm_store_rollback(struct bm_store *st);
bool bm_store_in_tx(const struct bm_store *st);

/*
 * Tunes a connection for batch work (imports, store moves, the CLI): on PostgreSQL every
 * statement is then planned for its parameters, so that plans made while a table was empty
 * are not reused as it fills. The server does not call this (its hot reads would pay the
 * planning every time). Nothing to do on SQLite.
 */
void bm_store_tune_for_batch(struct bm_store *st);

/* Cheap round trip for /readyz. */
BM_MUST_CHECK enum bm_rc bm_store_ping(struct bm_store *st, struct bm_err *err);
/* Online, consistent copy of the whole store to `dest` (a new file for SQLite). */
BM_MUST_CHECK enum bm_rc bm_store_backup(struct bm_store *st, const char *dest,
                                         struct bm_err *err);

/* ---- organisation ---- */

/* Inserts `u` (id, path, version and times are assigned); writes the new id. */
BM_MUST_CHECK enum bm_rc bm_store_org_insert(struct bm_store *st, const struct bm_org_unit *u,
                                             int64_t now, int64_t *id, struct bm_err *err);
BM_MUST_CHECK enum bm_rc bm_store_org_get(struct bm_store *st, int64_t id, struct bm_arena *a,
                                          struct bm_org_unit *out, struct bm_err *err);
/* All units whose path starts with `path_prefix` ("" for all), ordered by id. */
BM_MUST_CHECK enum bm_rc bm_store_org_list(struct bm_store *st, const char *path_prefix,
                                           struct bm_arena *a, struct bm_org_unit **out,
                                           size_t *n, struct bm_err *err);
/*
 * Writes name, division/credit codes, mode, is_active and parent of `u` if its version is
 * still `u->version` (BM_ESTALE otherwise); bumps the version. Inside a transaction. A new
 * parent rewrites the paths of the whole subtree from the paths as they are in the store;
 * a parent inside the unit's own subtree is refused (BM_EINVAL on "parent_id").
 */
BM_MUST_CHECK enum bm_rc bm_store_org_update(struct bm_store *st, const struct bm_org_unit *u,
                                             int64_t now, struct bm_err *err);
BM_MUST_CHECK enum bm_rc bm_store_org_count(struct bm_store *st, int64_t *n, struct bm_err *err);

/* ---- users ---- */

BM_MUST_CHECK enum bm_rc bm_store_user_insert(struct bm_store *st, const struct bm_user *u,
                                              const char *password_hash, int64_t now,
                                              int64_t *id, struct bm_err *err);
BM_MUST_CHECK enum bm_rc bm_store_user_get(struct bm_store *st, int64_t id, struct bm_arena *a,
                                           struct bm_user *out, struct bm_err *err);
/* For log-in: the user and the stored hash. BM_ENOTFOUND if no such user name. */
BM_MUST_CHECK enum bm_rc bm_store_user_get_login(struct bm_store *st, const char *username,
                                                 struct bm_arena *a, struct bm_user *out,
                                                 const char **password_hash, struct bm_err *err);
/*
 * Users whose unit lies under `path_prefix` ("" for all, citizens included), id > after_id,
 * ordered by id, at most `limit`.
 */
BM_MUST_CHECK enum bm_rc bm_store_users_list(struct bm_store *st, const char *path_prefix,
                                             int64_t after_id, int limit, struct bm_arena *a,
                                             struct bm_user **out, size_t *n, struct bm_err *err);
/* Writes display name, phone, roles, unit, is_active if the version matches (else BM_ESTALE). */
BM_MUST_CHECK enum bm_rc bm_store_user_update(struct bm_store *st, const struct bm_user *u,
                                              int64_t now, struct bm_err *err);
BM_MUST_CHECK enum bm_rc bm_store_user_set_password(struct bm_store *st, int64_t user_id,
                                                    const char *password_hash, int64_t now,
                                                    struct bm_err *err);
BM_MUST_CHECK enum bm_rc bm_store_user_count(struct bm_store *st, int64_t *n, struct bm_err *err);

/* ---- sessions and API tokens ---- */

BM_MUST_CHECK enum bm_rc bm_store_session_insert(struct bm_store *st,
                                                 const unsigned char hash[BM_TOKEN_HASH_LEN],
                                                 int64_t user_id, const char *csrf_token,
                                                 const char *ip, const char *user_agent,
                                                 int64_t now, int64_t expires_at, int64_t *id,
                                                 struct bm_err *err);
/*
 * Resolves a session by token hash: it must not have expired at `now`, and the user must
 * be active. BM_EUNAUTH otherwise.
 */
BM_MUST_CHECK enum bm_rc bm_store_auth_session(struct bm_store *st,
                                               const unsigned char hash[BM_TOKEN_HASH_LEN],
                                               int64_t now, struct bm_arena *a,
                                               struct bm_auth *out, struct bm_err *err);
/*
 * Records activity and slides the idle expiry to `expires_at`, but never past
 * `max_age_s` after the session was created.
 */
BM_MUST_CHECK enum bm_rc bm_store_session_touch(struct bm_store *st, int64_t session_id,
                                                int64_t now, int64_t expires_at,
                                                int64_t max_age_s, struct bm_err *err);
BM_MUST_CHECK enum bm_rc bm_store_session_delete(struct bm_store *st, int64_t session_id,
                                                 struct bm_err *err);
/* Ends every session of a user (password change, deactivation). */
BM_MUST_CHECK enum bm_rc bm_store_sessions_delete_user(struct bm_store *st, int64_t user_id,
                                                       struct bm_err *err);

BM_MUST_CHECK enum bm_rc bm_store_token_insert(struct bm_store *st, const struct bm_api_token *t,
                                               const unsigned char hash[BM_TOKEN_HASH_LEN],
                                               int64_t *id, struct bm_err *err);
/* Resolves an API token: not revoked, not expired, user active. BM_EUNAUTH otherwise. */
BM_MUST_CHECK enum bm_rc bm_store_auth_token(struct bm_store *st,
                                             const unsigned char hash[BM_TOKEN_HASH_LEN],
                                             int64_t now, struct bm_arena *a,
                                             struct bm_auth *out, struct bm_err *err);
/* Tokens of users under `path_prefix`, newest first. */
BM_MUST_CHECK enum bm_rc bm_store_tokens_list(struct bm_store *st, const char *path_prefix,
                                              struct bm_arena *a, struct bm_api_token **out,
                                              size_t *n, struct bm_err *err);
BM_MUST_CHECK enum bm_rc bm_store_token_get(struct bm_store *st, int64_t id, struct bm_arena *a,
                                            struct bm_api_token *out, const char **user_path,
                                            struct bm_err *err);
BM_MUST_CHECK enum bm_rc bm_store_token_revoke(struct bm_store *st, int64_t id, int64_t now,
                                               struct bm_err *err);

/* ---- log-in throttling ---- */

/* Failures since `since` for this user name and for this client address. */
BM_MUST_CHECK enum bm_rc bm_store_login_failures(struct bm_store *st, const char *username,
                                                 const char *ip, int64_t since, int64_t *n_user,
                                                 int64_t *n_ip, struct bm_err *err);
BM_MUST_CHECK enum bm_rc bm_store_login_failure_add(struct bm_store *st, const char *username,
                                                    const char *ip, int64_t now,
                                                    struct bm_err *err);
/* Forgets a user name's failures (after a successful log-in) and rows older than `before`. */
BM_MUST_CHECK enum bm_rc bm_store_login_failures_clear(struct bm_store *st, const char *username,
                                                       int64_t before, struct bm_err *err);
BM_MUST_CHECK enum bm_rc bm_store_user_touch_login(struct bm_store *st, int64_t user_id,
                                                   int64_t now, struct bm_err *err);

/* ---- service catalog ---- */

#define BM_SEARCH_TERMS 4

/* What a catalog listing asks for; every filter is optional. */
struct bm_item_query {
    const char *terms[BM_SEARCH_TERMS]; /* search terms (all must match), NULL-padded */
    int n_terms;
    const char *category;      /* category code, "" for any */
    unsigned objects;          /* 0 for any, else items serving one of these objects */
    const char *township_path; /* "" for any, else items of units under it or county-wide */
    bool online_only;          /* only items with some online handling */
    const char *status;        /* status code, "" for any */
    const char *unit_prefix;   /* "" for any, else items of units under this path */
    int offset, limit;         /* ranked results are paged by offset */
};

/*
 * Inserts an item version with its materials (the store sets county_code from the unit).
 * BM_ECONFLICT if the code already has a draft (or the same item_version).
 */
BM_MUST_CHECK enum bm_rc bm_store_item_insert(struct bm_store *st, const struct bm_item *it,
                                              int64_t now, int64_t *id, struct bm_err *err);
/* One item version with materials, unit name and unit path. BM_ENOTFOUND if none. */
BM_MUST_CHECK enum bm_rc bm_store_item_get(struct bm_store *st, int64_t id, struct bm_arena *a,
                                           struct bm_item *out, struct bm_err *err);
/*
 * Rewrites a draft's fields and materials if its version is still it->version (BM_ESTALE
 * otherwise; BM_ETRANSITION if it is no longer a draft).
 */
BM_MUST_CHECK enum bm_rc bm_store_item_update(struct bm_store *st, const struct bm_item *it,
                                              int64_t now, struct bm_err *err);
/*
 * Moves an item version to `status` if its record version is `version` (0: any). Publishing
 * marks the code's previously published version superseded in the same transaction.
 */
BM_MUST_CHECK enum bm_rc bm_store_item_set_status(struct bm_store *st, int64_t id,
                                                  int64_t version, int status, int64_t now,
                                                  struct bm_err *err);
/* Every version of a code, newest first, without materials. */
BM_MUST_CHECK enum bm_rc bm_store_item_versions(struct bm_store *st, const char *code,
                                                struct bm_arena *a, struct bm_item **out,
                                                size_t *n, struct bm_err *err);
/* The highest item_version of a code (0 if the code is new). */
BM_MUST_CHECK enum bm_rc bm_store_item_last_version(struct bm_store *st, const char *code,
                                                    int *last, struct bm_err *err);
/*
 * Items matching `q`, without materials: ranked by relevance when there are terms (names
 * before keywords, earlier and shorter matches first), else by category and code. At most
 * q->limit + 1 are returned, so the caller can tell whether there is a next page.
 */
BM_MUST_CHECK enum bm_rc bm_store_items_search(struct bm_store *st, const struct bm_item_query *q,
                                               struct bm_arena *a, struct bm_item **out,
                                               size_t *n, struct bm_err *err);

/* ---- delegated powers and power lists ---- */

/* Inserts a delegation with its townships; county_code from the delegating department. */
BM_MUST_CHECK enum bm_rc bm_store_delegation_insert(struct bm_store *st,
                                                    const struct bm_delegation *d, int64_t now,
                                                    int64_t *id, struct bm_err *err);
/* One delegation with department and township names. BM_ENOTFOUND if none. */
BM_MUST_CHECK enum bm_rc bm_store_delegation_get(struct bm_store *st, int64_t id,
                                                 struct bm_arena *a, struct bm_delegation *out,
                                                 struct bm_err *err);
/* All delegations, newest first (a county has tens, not thousands). */
BM_MUST_CHECK enum bm_rc bm_store_delegations_list(struct bm_store *st, struct bm_arena *a,
                                                   struct bm_delegation **out, size_t *n,
                                                   struct bm_err *err);
/* Marks a delegation revoked if its version matches (BM_ESTALE otherwise). */
BM_MUST_CHECK enum bm_rc bm_store_delegation_revoke(struct bm_store *st, int64_t id,
                                                    int64_t version, int64_t now,
                                                    struct bm_err *err);
BM_MUST_CHECK enum bm_rc bm_store_power_insert(struct bm_store *st, const struct bm_power *p,
                                               int64_t now, int64_t *id, struct bm_err *err);
BM_MUST_CHECK enum bm_rc bm_store_power_get(struct bm_store *st, int64_t id, struct bm_arena *a,
                                            struct bm_power *out, struct bm_err *err);
/* A township's power list (township_id 0: every township's), by id. */
BM_MUST_CHECK enum bm_rc bm_store_powers_list(struct bm_store *st, int64_t township_id,
                                              struct bm_arena *a, struct bm_power **out,
                                              size_t *n, struct bm_err *err);
/* Rewrites name, type, basis, responsibilities, accountability if the version matches. */
BM_MUST_CHECK enum bm_rc bm_store_power_update(struct bm_store *st, const struct bm_power *p,
                                               int64_t now, struct bm_err *err);

/* ---- audit trail ---- */

/*
 * Appends `e` (actor, action, object, detail, at) to the chain inside the caller's
 * transaction: assigns the next id, sets prev_hash and hash.
 */
BM_MUST_CHECK enum bm_rc bm_store_audit_append(struct bm_store *st, struct bm_audit_entry *e,
                                               struct bm_err *err);
/* Entries with id > after_id, ascending, at most `limit` (newest_first reverses, id < before). */
BM_MUST_CHECK enum bm_rc bm_store_audit_list(struct bm_store *st, int64_t cursor,
                                             bool newest_first, int limit, struct bm_arena *a,
                                             struct bm_audit_entry **out, size_t *n,
                                             struct bm_err *err);
/*
 * The recorded head of the chain (id and hash of the last entry appended), kept apart from
 * the entries so that a truncated tail is noticed. *last_id = 0 for an empty trail.
 */
BM_MUST_CHECK enum bm_rc bm_store_audit_head(struct bm_store *st, int64_t *last_id,
                                             unsigned char hash[BM_AUDIT_HASH_LEN],
                                             struct bm_err *err);

#endif
