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
#include "core/supervision.h"
#include "core/calendar.h"
#include "core/case.h"
#include "core/delegation.h"
#include "core/item.h"
#include "core/org.h"
#include "core/user.h"
#include "util/arena.h"
#include "util/err.h"
#include "core/rating.h"
#include "core/stats.h"
#include "core/evaluation.h"

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
 * One read snapshot for a request's several reads. On SQLite a deferred transaction: one WAL
 * snapshot (and one round of its locks) instead of one per statement, and the reads agree
 * with each other. On PostgreSQL nothing: each statement reads its own snapshot, where a
 * transaction would cost two round trips. Reads only: bm_store_begin ends it first. Best
 * effort: if the snapshot cannot start, the reads run one by one as before.
 */
void bm_store_read_begin(struct bm_store *st);
void bm_store_read_end(struct bm_store *st);

/*
 * Durability left to whoever answers. On SQLite a commit waits until its transaction is in
 * the WAL and then for an fdatasync of the WAL; after bm_store_defer_durability(st), st's
 * commits return without the second wait, and the request's answer waits instead:
 * bm_store_when_durable queues `d` and returns true, and d->fn runs, on whichever thread
 * syncs, once everything st committed is on disk (ok false if the sync failed); it returns
 * false when there is nothing to wait for (nothing committed since, or a PostgreSQL store,
 * whose COMMIT returns once durable). A writer thread thus takes its next request while
 * the disk works, and no answer still goes out before its data is on disk.
 */
struct bm_durable {
    void (*fn)(struct bm_durable *d, bool ok);
    uint64_t seq;            /* the store's own */
    struct bm_durable *next; /* the store's own */
};
void bm_store_defer_durability(struct bm_store *st);
bool bm_store_when_durable(struct bm_store *st, struct bm_durable *d);
/* True once an fdatasync of st's file has failed: from then on no commit is confirmed until
 * the process restarts (the answer waiting for it gets ok false, a blocking commit fails),
 * and /readyz says so. Always false on PostgreSQL, whose server syncs. */
bool bm_store_sync_failed(struct bm_store *st);

/*
 * For the connections that serve the many reads (the server's event loops): on SQLite, st's
 * reads outside write transactions then take the file's pages in place from a memory map
 * instead of copying each with a system call (src/store/sqlite/mapvfs.c). Each map costs
 * page tables for the pages it touches, up to the file's size, so the pools' connections
 * keep reading by copy. Ignored elsewhere, and when SQLite cannot map.
 */
void bm_store_map_reads(struct bm_store *st);

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
 * Appends `e` (actor, action, object, detail, at) to its county's chain inside the caller's
 * transaction: assigns the next id, sets prev_hash and hash. The chain is e->county_code,
 * or when that is NULL or "" the actor's county, or the store's for the system.
 */
BM_MUST_CHECK enum bm_rc bm_store_audit_append(struct bm_store *st, struct bm_audit_entry *e,
                                               struct bm_err *err);
/*
 * Entries of one county's chain with id > after_id, ascending, at most `limit`
 * (newest_first reverses, id < before).
 */
BM_MUST_CHECK enum bm_rc bm_store_audit_list(struct bm_store *st, const char *county,
                                             int64_t cursor,
                                             bool newest_first, int limit, struct bm_arena *a,
                                             struct bm_audit_entry **out, size_t *n,
                                             struct bm_err *err);
/*
 * The recorded head of a county's chain (id and hash of the last entry appended), kept
 * apart from the entries so that a truncated tail is noticed. *last_id = 0 for an empty chain.
 */
BM_MUST_CHECK enum bm_rc bm_store_audit_head(struct bm_store *st, const char *county,
                                             int64_t *last_id,
                                             unsigned char hash[BM_AUDIT_HASH_LEN],
                                             struct bm_err *err);
/* The chains the store holds (counties with a head or with entries), in code order. */
BM_MUST_CHECK enum bm_rc bm_store_audit_chains(struct bm_store *st, struct bm_arena *a,
                                               const char ***out, size_t *n,
                                               struct bm_err *err);

/* ---- working-day calendar ---- */

/* One year's table as stored (entries point into the caller's arena). */
struct bm_cal_year {
    int year;
    const char *source; /* the State Council notice it follows */
    int64_t version, updated_at;
    struct bm_cal_entry *entries;
    size_t n_entries;
};

/*
 * Every stored year with its entries, years ascending and entries by day: enough to build a
 * struct bm_calendar (a county keeps a handful of years).
 */
BM_MUST_CHECK enum bm_rc bm_store_calendar_load(struct bm_store *st, struct bm_arena *a,
                                                struct bm_cal_year **out, size_t *n,
                                                struct bm_err *err);
/*
 * A number that every change of the calendar raises: the sum of the years' versions (a year
 * is created at version 1, each replacement adds 1, none is deleted). Equal stamps mean an
 * equal calendar, so a cached copy can be checked with one small query.
 */
BM_MUST_CHECK enum bm_rc bm_store_calendar_stamp(struct bm_store *st, int64_t *stamp,
                                                 struct bm_err *err);
/*
 * Replaces year y->year with y's entries and source, inside a transaction. `version` 0
 * creates the year (BM_ECONFLICT if it exists); otherwise the stored version must match
 * (BM_ESTALE). Bumps the version.
 */
BM_MUST_CHECK enum bm_rc bm_store_calendar_put(struct bm_store *st, const struct bm_cal_year *y,
                                               int64_t version, int64_t now, struct bm_err *err);

/* ---- cases (办件) ---- */

#define BM_CASE_MAX_MATERIALS BM_ITEM_MAX_MATERIALS

struct bm_case_material {
    int ord;
    const char *name;
    bool required;
    int source;     /* index into bm_material_sources */
    bool provided;  /* handed in (paper or upload) */
    bool exempt;    /* 免提交: the government already holds it (certificate_id) */
    int64_t certificate_id;
    int n_attachments; /* filled by bm_store_case_get */
};

struct bm_case {
    int64_t id;
    const char *case_no, *county_code, *query_code;
    int64_t item_id;
    const char *item_code, *item_name; /* joined */
    int item_version;                  /* joined */
    bool is_online;                    /* channel "online", else "window" */
    struct bm_case_state st;           /* status, stage, decision ... */
    int extension_days;
    bool is_applicant_uscc;            /* applicant_type "uscc", else "resident_id" */
    const char *applicant_masked;      /* masked name, for lists */
    const unsigned char *applicant_enc; /* sealed name, ID number, phone (core/pii.h) */
    size_t applicant_enc_len;
    unsigned char applicant_hash[32];  /* keyed hash of the ID number */
    int64_t applicant_user_id;         /* the resident who applied online, 0 otherwise */
    int64_t accepting_unit_id, handling_unit_id, handler_id; /* handler 0 = none */
    const char *accepting_unit_name, *accepting_path;       /* joined */
    const char *handling_unit_name, *handling_path;         /* joined */
    const char *handler_name;                               /* joined, "" if none */
    int promised_days;
    const char *summary;
    int64_t submitted_at, accepted_at, decided_at, closed_at;
    bm_day accept_day, due_day; /* BM_DAY_NONE until accepted */
    bool due_provisional;       /* counted through a year without a calendar */
    /* First day of a yellow or red light (bm_cal_warn_day), BM_DAY_NONE until accepted;
     * written by insert and update with the due day. */
    bm_day warn_day;
    /* The last deadline warning sent (0 none, 1 yellow, 2 red) and the due day it was for
     * (BM_DAY_NONE if none); read only: bm_store_case_mark_warned writes them. */
    int warned_level;
    bm_day warned_due;
    /* Working days used from acceptance to the decision (pauses skipped), set with
     * decided_at (-1: unknown); meaningless before. Written by insert and update. */
    int used_days;
    const char *delivery_method, *delivery_ref;
    int visits;
    int64_t version, created_at, updated_at;
    struct bm_case_material *materials;
    size_t n_materials;
    bool materials_changed; /* bm_store_case_update writes the materials only when set */
    /* Its trace when known without reading it (a case just opened); NULL: in the store. */
    const struct bm_case_event *events;
    size_t n_events;
};

struct bm_case_event {
    int64_t id, case_id, at, actor_id;
    const char *actor_name, *action, *from_status, *to_status, *note;
    const char *detail; /* JSON object text, "" if none */
};

struct bm_case_pause {
    int64_t id, case_id;
    bool is_supplement; /* kind "supplement", else "procedure" */
    const char *procedure, *reason;
    int expected_days;
    bm_day from_day, to_day; /* to_day BM_DAY_NONE while it lasts */
    int64_t started_at, ended_at, started_by;
};

/* What a case list asks for; zero/empty fields are no filter, except the two days, which
 * must be BM_DAY_NONE for none. Newest first by id, or by due day (then id) when `by_due`. */
struct bm_case_query {
    const char *status;          /* status code */
    int64_t handling_unit_id;    /* exactly this unit */
    const char *handling_prefix; /* handling unit's path under this prefix */
    int64_t accepting_unit_id;
    const char *accepting_prefix;
    const char *scope_prefix;    /* handling OR accepting unit under this prefix */
    int64_t handler_id;
    int64_t applicant_user_id;
    bool open_only;              /* clock running: accepted, processing, forwarded */
    bool provisional_only;       /* with open_only: deadlines counted through a year that
                                  * had no calendar yet (recomputed when it is loaded) */
    bm_day due_before;           /* due_day <= this (BM_DAY_NONE: no filter) */
    bm_day warn_before;          /* with open_only: warn_day <= this, i.e. the cases whose
                                  * light is yellow or red on that day (BM_DAY_NONE: none) */
    bool by_due;
    /* Keyset cursor: the last row of the previous page (id, and its due day when by_due). */
    int64_t after_id;
    bm_day after_due;
    int limit;
};

/*
 * The next sequence number for case numbers of `town_code` on `ymd` (YYYYMMDD), starting at
 * 1, inside the caller's transaction; concurrent transactions get distinct numbers.
 */
BM_MUST_CHECK enum bm_rc bm_store_case_next_seq(struct bm_store *st, const char *town_code,
                                                int ymd, int *seq, struct bm_err *err);
/*
 * Inserts a case with its materials (county_code from the accepting unit) at c->version
 * (1 when 0). Inside a transaction. BM_ECONFLICT if the case number exists.
 */
BM_MUST_CHECK enum bm_rc bm_store_case_insert(struct bm_store *st, const struct bm_case *c,
                                              int64_t now, int64_t *id, struct bm_err *err);
/* One case by number with materials (and their attachment counts). BM_ENOTFOUND if none. */
BM_MUST_CHECK enum bm_rc bm_store_case_get(struct bm_store *st, const char *case_no,
                                           struct bm_arena *a, struct bm_case *out,
                                           struct bm_err *err);
/*
 * Writes the mutable fields of `c` (state, units, handler, days, delivery, visits, and, when
 * c->materials_changed, the materials' provided/exempt/certificate) if the stored version is
 * still c->version
 * (BM_ESTALE otherwise), and bumps it. Inside a transaction.
 */
BM_MUST_CHECK enum bm_rc bm_store_case_update(struct bm_store *st, const struct bm_case *c,
                                              int64_t now, struct bm_err *err);
/* Cases matching `q`, without materials, at most q->limit + 1 (to tell a next page). */
BM_MUST_CHECK enum bm_rc bm_store_cases_list(struct bm_store *st, const struct bm_case_query *q,
                                             struct bm_arena *a, struct bm_case **out, size_t *n,
                                             struct bm_err *err);
/*
 * Deadline warnings (the warning job): running cases with id > after_id, by id, at most
 * `limit`, whose warning on `today` may not have been sent yet — warn_day <= today and no
 * warning of that level for the current due day — and running cases without a warn_day
 * yet (stores older than schema 5), which the job fills in first.
 */
/*
 * Delivered cases without any rating, delivered in (closed_after, closed_until], after the
 * keyset cursor (after_closed, after_id) in (closed_at, id) order; at most `limit`.
 */
BM_MUST_CHECK enum bm_rc bm_store_cases_unrated(struct bm_store *st, int64_t closed_after,
                                                int64_t closed_until, int64_t after_closed,
                                                int64_t after_id, int limit, struct bm_arena *a,
                                                struct bm_case **out, size_t *n,
                                                struct bm_err *err);
BM_MUST_CHECK enum bm_rc bm_store_cases_to_warn(struct bm_store *st, bm_day today,
                                                int64_t after_id, int limit,
                                                struct bm_arena *a, struct bm_case **out,
                                                size_t *n, struct bm_err *err);
/* Sets a running case's warn_day without touching its version. Inside a transaction. */
BM_MUST_CHECK enum bm_rc bm_store_case_set_warn_day(struct bm_store *st, int64_t case_id,
                                                    bm_day warn_day, struct bm_err *err);
/*
 * Records that the warning of `level` (1 yellow, 2 red) for due day `due` is being sent,
 * if no process recorded it (or a higher one) for that due day and the case still runs
 * with that due day: *claimed tells whether this call did, so that only its caller sends.
 * The case's version is not changed (a handler's concurrent edit must not fail on it).
 * Inside a transaction.
 */
BM_MUST_CHECK enum bm_rc bm_store_case_mark_warned(struct bm_store *st, int64_t case_id,
                                                   int level, bm_day due, bool *claimed,
                                                   struct bm_err *err);
BM_MUST_CHECK enum bm_rc bm_store_case_event_insert(struct bm_store *st,
                                                    const struct bm_case_event *e,
                                                    struct bm_err *err);
/* A case's events, oldest first. */
BM_MUST_CHECK enum bm_rc bm_store_case_events(struct bm_store *st, int64_t case_id,
                                              struct bm_arena *a, struct bm_case_event **out,
                                              size_t *n, struct bm_err *err);
BM_MUST_CHECK enum bm_rc bm_store_case_pause_insert(struct bm_store *st,
                                                    const struct bm_case_pause *p,
                                                    struct bm_err *err);
/* Ends the case's open pause on `to_day`. BM_ENOTFOUND if none is open. */
BM_MUST_CHECK enum bm_rc bm_store_case_pause_end(struct bm_store *st, int64_t case_id,
                                                 bm_day to_day, int64_t now, struct bm_err *err);
/* A case's pauses, oldest first. */
BM_MUST_CHECK enum bm_rc bm_store_case_pauses(struct bm_store *st, int64_t case_id,
                                              struct bm_arena *a, struct bm_case_pause **out,
                                              size_t *n, struct bm_err *err);

/* ---- attachments (content-addressed files) ---- */

struct bm_attachment {
    int64_t id, case_id;
    int material_ord; /* -1 when not tied to a material */
    unsigned char sha256[32];
    const char *content_type, *filename;
    int64_t size, uploaded_by, created_at;
};

/*
 * Stores `content` under at->sha256, which the caller computed (once per content), and an
 * attachment row pointing to it; writes the new id. Inside a transaction.
 */
BM_MUST_CHECK enum bm_rc bm_store_attachment_insert(struct bm_store *st,
                                                    const struct bm_attachment *at,
                                                    const void *content, int64_t *id,
                                                    struct bm_err *err);
BM_MUST_CHECK enum bm_rc bm_store_attachments_list(struct bm_store *st, int64_t case_id,
                                                   struct bm_arena *a, struct bm_attachment **out,
                                                   size_t *n, struct bm_err *err);
/*
 * One attachment of a case with its content in *content: malloc'ed (out->size bytes), the
 * caller frees it or hands it on as a response body. BM_ENOTFOUND if the case has no such
 * attachment.
 */
BM_MUST_CHECK enum bm_rc bm_store_attachment_get(struct bm_store *st, int64_t case_id,
                                                 int64_t id, struct bm_arena *a,
                                                 struct bm_attachment *out, void **content,
                                                 struct bm_err *err);

/* ---- electronic certificates (电子证照) ---- */

struct bm_certificate {
    int64_t id;
    unsigned char holder_hash[32];
    const char *holder_masked, *name, *number, *case_no, *issuer_name;
    int64_t case_id, issuer_unit_id, issued_at;
    bool is_valid;
};

/* Inserts (county_code from the issuing unit; status from is_valid, so set it).
 * BM_ECONFLICT for a duplicate number. */
BM_MUST_CHECK enum bm_rc bm_store_certificate_insert(struct bm_store *st,
                                                     const struct bm_certificate *c, int64_t *id,
                                                     struct bm_err *err);
/* A holder's valid certificates, newest first. */
BM_MUST_CHECK enum bm_rc bm_store_certificates_of(struct bm_store *st,
                                                  const unsigned char holder_hash[32],
                                                  struct bm_arena *a, struct bm_certificate **out,
                                                  size_t *n, struct bm_err *err);

/* ---- idempotency keys of case creation ---- */

/* The case a user's key made, and the hash of the body it came with. BM_ENOTFOUND if new. */
BM_MUST_CHECK enum bm_rc bm_store_idem_get(struct bm_store *st, int64_t user_id, const char *key,
                                           unsigned char body_hash[32], int64_t *case_id,
                                           const char **case_no, struct bm_arena *a,
                                           struct bm_err *err);
/* Records a key inside the creating transaction. BM_ECONFLICT if it exists. */
BM_MUST_CHECK enum bm_rc bm_store_idem_put(struct bm_store *st, int64_t user_id, const char *key,
                                           const unsigned char body_hash[32], int64_t case_id,
                                           int64_t now, struct bm_err *err);

/* ---- notification outbox ---- */

/* ---- supervision records (督办, 黄牌, 红牌) ---- */

struct bm_sup_record {
    int64_t id;
    const char *county_code;       /* set by the store from the unit */
    enum bm_sup_kind kind;
    enum bm_sup_rule rule;
    enum bm_sup_status status;
    int64_t case_id;               /* 0 = none */
    const char *case_no;           /* joined, "" if none */
    int64_t unit_id, officer_id;   /* officer 0 = the unit only */
    const char *unit_name, *unit_path, *officer_name; /* joined */
    const char *reason;
    int64_t issued_by, issued_at;  /* issued_by 0 = the warning job */
    bm_day answer_due_day;
    const char *answer, *appeal, *decision;
    int64_t answered_by, answered_at, appealed_at, decided_by, decided_at;
    int64_t version;
};

struct bm_sup_query {
    const char *scope_prefix; /* the unit's path under this prefix ("" = any) */
    int64_t case_id;          /* 0 = any */
    int kind;                 /* enum bm_sup_kind, -1 = any */
    int status;               /* enum bm_sup_status, -1 = any */
    int64_t after_id;         /* newest first: ids below this (0 = from the newest) */
    int limit;
};

/* Inserts a record (county_code from its unit). Inside a transaction. */
BM_MUST_CHECK enum bm_rc bm_store_sup_insert(struct bm_store *st, const struct bm_sup_record *r,
                                             int64_t *id, struct bm_err *err);
/* One record with its joined names; BM_ENOTFOUND if none. */
BM_MUST_CHECK enum bm_rc bm_store_sup_get(struct bm_store *st, int64_t id, struct bm_arena *a,
                                          struct bm_sup_record *out, struct bm_err *err);
/* Records matching q, newest first, at most q->limit + 1 (the extra one: more pages). */
BM_MUST_CHECK enum bm_rc bm_store_sup_list(struct bm_store *st, const struct bm_sup_query *q,
                                           struct bm_arena *a, struct bm_sup_record **out,
                                           size_t *n, struct bm_err *err);
/*
 * Writes status, answer, appeal, decision and their who and when if r->version is current
 * (BM_ESTALE otherwise), raising the version. Inside a transaction.
 */
BM_MUST_CHECK enum bm_rc bm_store_sup_update(struct bm_store *st, const struct bm_sup_record *r,
                                             struct bm_err *err);

struct bm_outbox_msg {
    int64_t id, case_id;
    const char *county_code, *channel, *template_name, *body;
    const unsigned char *recipient_enc; /* sealed phone number */
    size_t recipient_enc_len;
    int attempts;
    int64_t created_at, sent_at;
};

/* Queues a message inside the caller's transaction (county_code given by the caller). */
BM_MUST_CHECK enum bm_rc bm_store_outbox_insert(struct bm_store *st,
                                                const struct bm_outbox_msg *m, int64_t now,
                                                struct bm_err *err);
/*
 * Claims up to `limit` due, unsent messages (earliest due first) whose previous claim has
 * lapsed, for `lease_s` seconds, counting an attempt on each; safe with several processes (no
 * message is claimed twice while a lease holds). Runs its own transaction.
 */
BM_MUST_CHECK enum bm_rc bm_store_outbox_claim(struct bm_store *st, int64_t now, int lease_s,
                                               int limit, struct bm_arena *a,
                                               struct bm_outbox_msg **out, size_t *n,
                                               struct bm_err *err);
/* Marks a claimed message sent, or failed with `error` and a retry at `retry_at`. */
BM_MUST_CHECK enum bm_rc bm_store_outbox_done(struct bm_store *st, int64_t id, bool sent,
                                              const char *error, int64_t retry_at, int64_t now,
                                              struct bm_err *err);
/* Messages of a case, oldest first (for the case view and tests). */
BM_MUST_CHECK enum bm_rc bm_store_outbox_of_case(struct bm_store *st, int64_t case_id,
                                                 struct bm_arena *a, struct bm_outbox_msg **out,
                                                 size_t *n, struct bm_err *err);


/* ---- participation (公众参与): campaigns, hearings, households ---- */

struct bm_campaign {
    int64_t id, unit_id, created_by, created_at, summarized_at;
    const char *unit_name, *unit_path, *title, *description, *summary;
    bm_day open_from, open_until;
    int64_t n_submissions, n_responded; /* filled by reads */
};

struct bm_campaign_submission {
    int64_t id, campaign_id, user_id; /* user_id 0: an anonymous resident */
    const char *content, *author_masked, *response;
    const unsigned char *contact_enc; /* sealed "name\nphone"; NULL for a logged-in citizen */
    size_t contact_enc_len;           /* (written only; reads leave it NULL) */
    int64_t responded_by, responded_at, created_at;
};

/* Inserts a campaign (county_code from its unit). */
BM_MUST_CHECK enum bm_rc bm_store_campaign_insert(struct bm_store *st, const struct bm_campaign *c,
                                                  int64_t now, int64_t *id, struct bm_err *err);
/* A campaign with its unit and submission counts. BM_ENOTFOUND if there is none. */
BM_MUST_CHECK enum bm_rc bm_store_campaign_get(struct bm_store *st, int64_t id, struct bm_arena *a,
                                               struct bm_campaign *out, struct bm_err *err);
/*
 * Campaigns whose unit lies under `path_prefix`, by id after `after_id`, at most `limit`;
 * with `started_by` != BM_DAY_NONE only those open on or before that day (the public list).
 */
BM_MUST_CHECK enum bm_rc bm_store_campaigns_list(struct bm_store *st, const char *path_prefix,
                                                 bm_day started_by, int64_t after_id, int limit,
                                                 struct bm_arena *a, struct bm_campaign **out,
                                                 size_t *n, struct bm_err *err);
/* Publishes the summary once. BM_ENOTFOUND, or BM_ECONFLICT if one was published. */
BM_MUST_CHECK enum bm_rc bm_store_campaign_summarize(struct bm_store *st, int64_t id,
                                                     const char *summary, int64_t now,
                                                     struct bm_err *err);
/* Inserts a submission (county_code from its campaign). */
BM_MUST_CHECK enum bm_rc bm_store_submission_insert(struct bm_store *st,
                                                    const struct bm_campaign_submission *s,
                                                    int64_t now, int64_t *id, struct bm_err *err);
/*
 * Submissions of a campaign by id after `after_id`, at most `limit`; only those with a
 * published response if `responded_only`. contact_enc is not read.
 */
BM_MUST_CHECK enum bm_rc bm_store_submissions_list(struct bm_store *st, int64_t campaign_id,
                                                   bool responded_only, int64_t after_id,
                                                   int limit, struct bm_arena *a,
                                                   struct bm_campaign_submission **out,
                                                   size_t *n, struct bm_err *err);
/*
 * Publishes the response to submission `id` of campaign `campaign_id`, once. BM_ENOTFOUND if
 * the campaign has no such submission, BM_ECONFLICT if it was answered already.
 */
BM_MUST_CHECK enum bm_rc bm_store_submission_respond(struct bm_store *st, int64_t campaign_id,
                                                     int64_t id, const char *response,
                                                     int64_t user_id, int64_t now,
                                                     struct bm_err *err);

struct bm_hearing {
    int64_t id, unit_id, created_by, created_at;
    const char *unit_name, *unit_path, *kind, *title, *matter, *place, *minutes, *outcome;
    int64_t starts_at, capacity, registered, recorded_at;
    bm_day register_until;
};

struct bm_hearing_participant {
    int64_t id, hearing_id, created_at;
    const char *role, *name_masked, *phone_masked;
    const unsigned char *contact_enc; /* written only */
    size_t contact_enc_len;
    unsigned char contact_hash[32];   /* keyed hash of the phone number */
};

/* Inserts a hearing or meeting (county_code from its unit; registered starts at 0). */
BM_MUST_CHECK enum bm_rc bm_store_hearing_insert(struct bm_store *st, const struct bm_hearing *h,
                                                 int64_t now, int64_t *id, struct bm_err *err);
BM_MUST_CHECK enum bm_rc bm_store_hearing_get(struct bm_store *st, int64_t id, struct bm_arena *a,
                                              struct bm_hearing *out, struct bm_err *err);
/* Hearings under `path_prefix`, of `kind` unless NULL, by id after `after_id`. */
BM_MUST_CHECK enum bm_rc bm_store_hearings_list(struct bm_store *st, const char *path_prefix,
                                                const char *kind, int64_t after_id, int limit,
                                                struct bm_arena *a, struct bm_hearing **out,
                                                size_t *n, struct bm_err *err);
/* Records minutes and outcome once. BM_ENOTFOUND, or BM_ECONFLICT if already recorded. */
BM_MUST_CHECK enum bm_rc bm_store_hearing_record(struct bm_store *st, int64_t id,
                                                 const char *minutes, const char *outcome,
                                                 int64_t now, struct bm_err *err);
/*
 * Registers a participant: takes one place (the count and the capacity are checked in one
 * statement, so concurrent registrations never exceed it) and inserts the row. Inside a
 * transaction. BM_ECONFLICT "名额已满" when no place is left, BM_ECONFLICT when the same
 * phone number registered already; BM_ENOTFOUND for an unknown hearing.
 */
BM_MUST_CHECK enum bm_rc bm_store_hearing_register(struct bm_store *st,
                                                   const struct bm_hearing_participant *p,
                                                   int64_t now, int64_t *id, struct bm_err *err);
/* Participants of a hearing in order of registration (at most BM_HEARING_CAPACITY_MAX). */
BM_MUST_CHECK enum bm_rc bm_store_participants_list(struct bm_store *st, int64_t hearing_id,
                                                    struct bm_arena *a,
                                                    struct bm_hearing_participant **out,
                                                    size_t *n, struct bm_err *err);

struct bm_household {
    int64_t id, village_id, members, cadre_id, assigned_at, version, created_at;
    const char *village_name, *village_path, *head_masked, *address, *cadre_name;
    const unsigned char *head_enc; /* written only */
    size_t head_enc_len;
};

struct bm_household_query {
    const char *path_prefix; /* villages under this path */
    int64_t village_id;      /* 0: any */
    bool uncovered_only;     /* only households without a cadre */
    int64_t after_id;
    int limit;
};

/* Per-village counts of bm_store_households_coverage. */
struct bm_coverage_row {
    int64_t village_id;
    const char *village_name;
    int64_t households, covered;
};

/* Inserts a household (county_code from its village). */
BM_MUST_CHECK enum bm_rc bm_store_household_insert(struct bm_store *st, const struct bm_household *h,
                                                   int64_t now, int64_t *id, struct bm_err *err);
BM_MUST_CHECK enum bm_rc bm_store_household_get(struct bm_store *st, int64_t id, struct bm_arena *a,
                                                struct bm_household *out, struct bm_err *err);
BM_MUST_CHECK enum bm_rc bm_store_households_list(struct bm_store *st,
                                                  const struct bm_household_query *q,
                                                  struct bm_arena *a, struct bm_household **out,
                                                  size_t *n, struct bm_err *err);
/*
 * Sets (cadre_id > 0) or clears (0) the household's contact cadre if its version is still
 * `version`. BM_ESTALE otherwise.
 */
BM_MUST_CHECK enum bm_rc bm_store_household_assign(struct bm_store *st, int64_t id,
                                                   int64_t version, int64_t cadre_id, int64_t now,
                                                   struct bm_err *err);
/*
 * For every village under `path_prefix` (every one, even with no household yet), in id order:
 * its households and those with a contact cadre. At most 2000 villages.
 */
BM_MUST_CHECK enum bm_rc bm_store_households_coverage(struct bm_store *st, const char *path_prefix,
                                                      struct bm_arena *a,
                                                      struct bm_coverage_row **out, size_t *n,
                                                      struct bm_err *err);

/* Leaders' reception days (接访下访) and their visits. */
struct bm_reception {
    int64_t id, unit_id, created_by, created_at;
    const char *unit_name, *unit_path, *kind, *leader_name, *leader_title, *place;
    bm_day day;
    int64_t n_visits; /* filled by reads */
};

struct bm_reception_visit {
    int64_t id, reception_id, recorded_by, followed_up_by, followed_up_at, created_at;
    const char *visitor_masked, *matter, *handling, *follow_up_result;
    const char *unit_path, *leader_name; /* of the reception day (reads) */
    bm_day follow_up_due, reception_day; /* BM_DAY_NONE: no follow-up needed */
    const unsigned char *visitor_enc;    /* written only */
    size_t visitor_enc_len;
};

/* Inserts a reception day (county_code from its unit). */
BM_MUST_CHECK enum bm_rc bm_store_reception_insert(struct bm_store *st, const struct bm_reception *r,
                                                   int64_t now, int64_t *id, struct bm_err *err);
BM_MUST_CHECK enum bm_rc bm_store_reception_get(struct bm_store *st, int64_t id, struct bm_arena *a,
                                                struct bm_reception *out, struct bm_err *err);
/*
 * Reception days under `path_prefix`, on or after `from_day` (BM_DAY_NONE: any), by id after
 * `after_id`, at most `limit`.
 */
BM_MUST_CHECK enum bm_rc bm_store_receptions_list(struct bm_store *st, const char *path_prefix,
                                                  bm_day from_day, int64_t after_id, int limit,
                                                  struct bm_arena *a, struct bm_reception **out,
                                                  size_t *n, struct bm_err *err);
/* Inserts a visit (county_code from its reception day). */
BM_MUST_CHECK enum bm_rc bm_store_visit_insert(struct bm_store *st,
                                               const struct bm_reception_visit *v, int64_t now,
                                               int64_t *id, struct bm_err *err);
BM_MUST_CHECK enum bm_rc bm_store_visit_get(struct bm_store *st, int64_t id, struct bm_arena *a,
                                            struct bm_reception_visit *out, struct bm_err *err);
/* Visits of a reception day in order of recording (at most 1000). */
BM_MUST_CHECK enum bm_rc bm_store_visits_list(struct bm_store *st, int64_t reception_id,
                                              struct bm_arena *a, struct bm_reception_visit **out,
                                              size_t *n, struct bm_err *err);
/*
 * Visits under `path_prefix` that need a follow-up not yet recorded, earliest due first
 * (then by id), at most `limit`.
 */
BM_MUST_CHECK enum bm_rc bm_store_follow_ups_open(struct bm_store *st, const char *path_prefix,
                                                  int limit, struct bm_arena *a,
                                                  struct bm_reception_visit **out, size_t *n,
                                                  struct bm_err *err);
/* Records a follow-up result once. BM_ENOTFOUND, or BM_ECONFLICT if one is recorded. */
BM_MUST_CHECK enum bm_rc bm_store_visit_follow_up(struct bm_store *st, int64_t id,
                                                  const char *result, int64_t user_id,
                                                  int64_t now, struct bm_err *err);

/* Deputies' direct channel (直通车). */
struct bm_deputy {
    int64_t id, unit_id, created_by, created_at;
    const char *unit_name, *unit_path, *name, *body; /* body: "npc" or "cppcc" */
    unsigned char token_hash[32];                    /* written only */
    bool is_active;
};

struct bm_deputy_matter {
    int64_t id, deputy_id, assignee_unit_id, assigned_at, answered_by, answered_at, created_at;
    const char *deputy_name, *deputy_body, *deputy_unit_path, *title, *content, *status, *answer;
    const char *assignee_name, *assignee_path; /* "" while unassigned */
    bool is_urgent;
};

/* Inserts a deputy (county_code from the unit). BM_ECONFLICT for a token hash in use. */
BM_MUST_CHECK enum bm_rc bm_store_deputy_insert(struct bm_store *st, const struct bm_deputy *d,
                                                int64_t now, int64_t *id, struct bm_err *err);
/* Deputies whose unit lies under `path_prefix`, by id (at most 1000). */
BM_MUST_CHECK enum bm_rc bm_store_deputies_list(struct bm_store *st, const char *path_prefix,
                                                struct bm_arena *a, struct bm_deputy **out,
                                                size_t *n, struct bm_err *err);
/* The active deputy holding the token with this hash; BM_ENOTFOUND otherwise. */
BM_MUST_CHECK enum bm_rc bm_store_deputy_by_token(struct bm_store *st,
                                                  const unsigned char hash[32],
                                                  struct bm_arena *a, struct bm_deputy *out,
                                                  struct bm_err *err);
/*
 * Stops a deputy's token from being accepted (a lost token, a term that ended); the deputy's
 * matters stay. BM_ENOTFOUND for an unknown deputy.
 */
BM_MUST_CHECK enum bm_rc bm_store_deputy_deactivate(struct bm_store *st, int64_t id,
                                                    struct bm_err *err);
/* Inserts a matter, status submitted (county_code from the deputy). */
BM_MUST_CHECK enum bm_rc bm_store_matter_insert(struct bm_store *st,
                                                const struct bm_deputy_matter *m, int64_t now,
                                                int64_t *id, struct bm_err *err);
BM_MUST_CHECK enum bm_rc bm_store_matter_get(struct bm_store *st, int64_t id, struct bm_arena *a,
                                             struct bm_deputy_matter *out, struct bm_err *err);
/*
 * The queue: matters whose deputy's unit (or, with `by_assignee`, whose assigned unit) lies
 * under `path_prefix`; with `deputy_id` > 0 only that deputy's. Open before answered, urgent
 * first, then oldest first; at most `limit`.
 */
BM_MUST_CHECK enum bm_rc bm_store_matters_list(struct bm_store *st, const char *path_prefix,
                                               bool by_assignee, int64_t deputy_id, int limit,
                                               struct bm_arena *a, struct bm_deputy_matter **out,
                                               size_t *n, struct bm_err *err);
/* submitted -> assigned to `unit_id`. BM_ENOTFOUND, or BM_ETRANSITION in another status. */
BM_MUST_CHECK enum bm_rc bm_store_matter_assign(struct bm_store *st, int64_t id, int64_t unit_id,
                                                int64_t now, struct bm_err *err);
/* assigned -> answered. BM_ENOTFOUND, or BM_ETRANSITION in another status. */
BM_MUST_CHECK enum bm_rc bm_store_matter_answer(struct bm_store *st, int64_t id,
                                                const char *answer, int64_t user_id, int64_t now,
                                                struct bm_err *err);

/* ---- disclosure (政务公开 / 村务公开) ---- */

/* A publication of a township or one of its villages; `status` is enum bm_pub_stored. */
struct bm_publication {
    int64_t id, unit_id;
    const char *county_code;
    const char *unit_name, *unit_path;
    int unit_kind;                 /* enum bm_org_kind of the owner */
    int64_t township_id;           /* the owner, or a village's parent */
    const char *township_name;
    const char *category, *title, *body;
    int status;
    int64_t publish_at, withdraw_at; /* the public window; withdraw_at 0: none */
    int64_t released_at, released_by; /* who published it, when */
    int64_t withdrawn_at, withdrawn_by;
    const char *withdraw_reason;
    const char *created_by_name, *released_by_name, *withdrawn_by_name; /* "" if none */
    int64_t created_by, updated_by, version, created_at, updated_at;
};

struct bm_pub_query {
    const char *path_prefix; /* owners under this org path ("" for all) */
    int64_t unit_id;         /* 0: any owner */
    const char *category;    /* "" for any */
    bool visible_only;       /* only what the public sees at `now` */
    int64_t now;
    int64_t before_id;       /* keyset cursor: ids below it (0: from the newest) */
    int limit;
};

struct bm_pub_file {
    int64_t id, publication_id;
    unsigned char sha256[32];
    const char *content_type, *filename;
    int64_t size, uploaded_by, created_at;
};

struct bm_pub_event {
    int64_t id, publication_id, at, actor_id;
    const char *actor_name, *action, *detail; /* detail: JSON text */
};

/* Inserts `p` (county_code from its unit; version 1); writes the new id. Inside a transaction. */
BM_MUST_CHECK enum bm_rc bm_store_pub_insert(struct bm_store *st, const struct bm_publication *p,
                                             int64_t *id, struct bm_err *err);
/* One publication with its owner's names. BM_ENOTFOUND if there is none. */
BM_MUST_CHECK enum bm_rc bm_store_pub_get(struct bm_store *st, int64_t id, struct bm_arena *a,
                                          struct bm_publication *out, struct bm_err *err);
/*
 * Writes category, title, body, status, the window, the release and withdrawal fields and
 * updated_by/updated_at if the stored version is still p->version (BM_ESTALE otherwise, or
 * BM_ENOTFOUND if there is no such row), and bumps it. Inside a transaction.
 */
BM_MUST_CHECK enum bm_rc bm_store_pub_update(struct bm_store *st, const struct bm_publication *p,
                                             struct bm_err *err);
/* Publications matching `q`, newest id first, at most q->limit + 1 (to tell a next page). */
BM_MUST_CHECK enum bm_rc bm_store_pubs_list(struct bm_store *st, const struct bm_pub_query *q,
                                            struct bm_arena *a, struct bm_publication **out,
                                            size_t *n, struct bm_err *err);
/* Stores `content` once under f->sha256 (computed by the caller) and a file row; inside a
 * transaction. Writes the new id. */
BM_MUST_CHECK enum bm_rc bm_store_pub_file_insert(struct bm_store *st, const struct bm_pub_file *f,
                                                  const void *content, int64_t *id,
                                                  struct bm_err *err);
/* A publication's files, oldest first (at most 200). */
BM_MUST_CHECK enum bm_rc bm_store_pub_files(struct bm_store *st, int64_t publication_id,
                                            struct bm_arena *a, struct bm_pub_file **out,
                                            size_t *n, struct bm_err *err);
/* One file of a publication with its bytes in *content (malloc'ed, caller frees).
 * BM_ENOTFOUND if the publication has no such file. */
BM_MUST_CHECK enum bm_rc bm_store_pub_file_get(struct bm_store *st, int64_t publication_id,
                                               int64_t id, struct bm_arena *a,
                                               struct bm_pub_file *out, void **content,
                                               struct bm_err *err);
/* Appends to a publication's history (county_code from the publication). Inside a transaction. */
BM_MUST_CHECK enum bm_rc bm_store_pub_event_insert(struct bm_store *st,
                                                   const struct bm_pub_event *e,
                                                   struct bm_err *err);
/* A publication's history, oldest first (at most 500). */
BM_MUST_CHECK enum bm_rc bm_store_pub_events(struct bm_store *st, int64_t publication_id,
                                             struct bm_arena *a, struct bm_pub_event **out,
                                             size_t *n, struct bm_err *err);
/* ---- demands (诉求 work orders) ---- */

struct bm_demand {
    int64_t id;
    const char *ticket_no, *county_code, *query_code;
    const char *category, *urgency, *channel, *hotline_no; /* codes; hotline_no "" if none */
    const char *content, *location;
    bool is_anonymous;
    const char *contact_masked, *phone_masked;  /* masked name and phone, "" if anonymous */
    const unsigned char *contact_enc;           /* sealed "name\x1fphone" (core/pii.h) */
    size_t contact_enc_len;
    const char *status;                         /* enum bm_demand_status code */
    int64_t intake_unit_id, unit_id, handler_id; /* 0 = none */
    const char *unit_name, *unit_path;          /* joined, "" if none */
    const char *intake_path;                    /* joined, "" if none */
    const char *reply;
    int resolved;                               /* -1 unknown, 0 no, 1 yes */
    const char *satisfaction;                   /* "" until the callback */
    int reopen_count, extension_days;
    const char *merged_into;                    /* ticket number, "" if not merged */
    int64_t submitted_at, dispatched_at, due_at, replied_at, closed_at;
    int64_t version, created_at, updated_at;
};

struct bm_demand_event {
    int64_t id, demand_id, at, actor_id;
    const char *actor_name, *action, *from_status, *to_status, *note;
};

/* A demand list; zero/empty fields are no filter. Newest first by id. */
struct bm_demand_query {
    const char *county_code;  /* this county */
    const char *scope_prefix; /* assigned unit OR intake unit under this org path prefix */
    const char *status, *category, *hotline_no;
    int64_t unit_id;
    int64_t overdue_at;       /* open (dispatched, accepted) with 0 < due_at < this */
    int64_t after_id;
    int limit;
};

/* Next ticket sequence of `county` on `ymd`, from 1, inside the caller's transaction. */
BM_MUST_CHECK enum bm_rc bm_store_demand_next_seq(struct bm_store *st, const char *county,
                                                  int ymd, int *seq, struct bm_err *err);
/*
 * Inserts a demand (county_code from the intake unit, else the store's county). Inside a
 * transaction. BM_ECONFLICT for an existing ticket or hotline number.
 */
BM_MUST_CHECK enum bm_rc bm_store_demand_insert(struct bm_store *st, const struct bm_demand *d,
                                                int64_t now, int64_t *id, struct bm_err *err);
/* One demand by ticket number. BM_ENOTFOUND if none. */
BM_MUST_CHECK enum bm_rc bm_store_demand_get(struct bm_store *st, const char *ticket_no,
                                             struct bm_arena *a, struct bm_demand *out,
                                             struct bm_err *err);
/*
 * Writes the mutable fields (status, units, handler, reply, callback, counts, merge, times)
 * if the stored version is still d->version (BM_ESTALE otherwise), and bumps it.
 */
BM_MUST_CHECK enum bm_rc bm_store_demand_update(struct bm_store *st, const struct bm_demand *d,
                                                int64_t now, struct bm_err *err);
/* Demands matching `q`, at most q->limit + 1 (to tell a next page). */
BM_MUST_CHECK enum bm_rc bm_store_demands_list(struct bm_store *st,
                                               const struct bm_demand_query *q,
                                               struct bm_arena *a, struct bm_demand **out,
                                               size_t *n, struct bm_err *err);
/* Appends an event (county_code from its demand). Inside a transaction. */
BM_MUST_CHECK enum bm_rc bm_store_demand_event_insert(struct bm_store *st,
                                                      const struct bm_demand_event *e,
                                                      struct bm_err *err);
/* A demand's events, oldest first. */
BM_MUST_CHECK enum bm_rc bm_store_demand_events(struct bm_store *st, int64_t demand_id,
                                                struct bm_arena *a, struct bm_demand_event **out,
                                                size_t *n, struct bm_err *err);

/* ---- ratings (好差评) and rectification of bad ratings ---- */

/* A rating of a case; the rater is never stored beyond the case (domain.md 4.5). */
struct bm_rating {
    int64_t id, case_id, item_id;
    const char *county_code;                     /* set by the store from the case */
    bool is_follow_up;                           /* kind "follow_up" (追评), else "initial" */
    int64_t accepting_unit_id, handling_unit_id, handler_id; /* handler 0 = none */
    const char *channel;                         /* "online" | "window_device" */
    int level;                                   /* 1..5 */
    const char *reasons;                         /* reason codes joined by ',', "" if none */
    const char *comment;
    bool is_default;                             /* given by the default rule, not the rater */
    int64_t recorded_by;                         /* the clerk whose device took it, 0 online */
    int64_t created_at;
    /* Joined on read. */
    const char *case_no, *item_name, *handling_unit_name, *handling_path, *accepting_path;
    bool is_excluded; /* its rectification's appeal was upheld: out of statistics */
};

/* What a rating list asks for; zero/empty fields are no filter. Newest first by id. */
struct bm_rating_query {
    const char *scope_prefix;    /* handling OR accepting unit's path under this prefix */
    int64_t handling_unit_id;    /* exactly this unit */
    int level;                   /* 1..5 */
    int64_t from, to;            /* created_at in [from, to) */
    int64_t after_id;            /* keyset cursor: id < after_id */
    int limit;
};

/*
 * Inserts a rating (county_code from the case). Inside a transaction. BM_ECONFLICT if the
 * case already has a rating of this kind: a case is rated once, and followed up once.
 * Ratings are never updated or deleted.
 */
BM_MUST_CHECK enum bm_rc bm_store_rating_insert(struct bm_store *st, const struct bm_rating *r,
                                                int64_t *id, struct bm_err *err);
/* One rating with its joined fields. BM_ENOTFOUND if none. */
BM_MUST_CHECK enum bm_rc bm_store_rating_get(struct bm_store *st, int64_t id, struct bm_arena *a,
                                             struct bm_rating *out, struct bm_err *err);
/* A case's ratings (at most two: initial, then follow-up), oldest first. */
BM_MUST_CHECK enum bm_rc bm_store_ratings_of_case(struct bm_store *st, int64_t case_id,
                                                  struct bm_arena *a, struct bm_rating **out,
                                                  size_t *n, struct bm_err *err);
/* Ratings matching `q`, at most q->limit + 1 (to tell a next page). */
BM_MUST_CHECK enum bm_rc bm_store_ratings_list(struct bm_store *st,
                                               const struct bm_rating_query *q,
                                               struct bm_arena *a, struct bm_rating **out,
                                               size_t *n, struct bm_err *err);
/*
 * For statistics (domain.md 4.5): counts[level] (counts[0] unused) of the initial ratings
 * of cases handled by units under `handling_prefix` ("" for all) made in [from, to) (0 for
 * an open end), leaving out ratings whose appeal was upheld. Follow-up ratings are not
 * counted. Satisfaction rate = (counts[5] + counts[4] + counts[3]) / sum of counts.
 */
BM_MUST_CHECK enum bm_rc bm_store_rating_counts(struct bm_store *st, const char *handling_prefix,
                                                int64_t from, int64_t to, int64_t counts[6],
                                                struct bm_err *err);

/* The rectification task a bad rating opens (差评整改, domain.md 4.4). */
struct bm_rectification {
    int64_t id, rating_id, case_id;
    int64_t unit_id;            /* the responsible unit: the case's handling unit */
    const char *county_code;    /* set by the store from the case */
    struct bm_rect_state st;    /* status; is_called_back mirrors called_back_at != 0 */
    bm_day callback_due, rectify_due, appeal_due;
    int64_t called_back_at, resolved_at, closed_at;
    const char *callback_note, *outcome, *appeal_note, *decision_note;
    int64_t version, created_at, updated_at;
    /* Joined on read. */
    const char *case_no, *unit_name, *unit_path;
    int level;
};

/* What a rectification list asks for; zero/empty fields are no filter. Newest first. */
struct bm_rect_query {
    const char *unit_prefix; /* responsible unit's path under this prefix */
    const char *status;      /* status code */
    int64_t case_id;
    bm_day overdue_on;       /* only tasks late on this day (bm_rect_is_overdue); BM_DAY_NONE */
    int64_t after_id;
    int limit;
};

/* Inserts a task (county_code from the case; version 1). Inside a transaction. */
BM_MUST_CHECK enum bm_rc bm_store_rect_insert(struct bm_store *st, const struct bm_rectification *r,
                                              int64_t now, int64_t *id, struct bm_err *err);
/* One task with its joined fields. BM_ENOTFOUND if none. */
BM_MUST_CHECK enum bm_rc bm_store_rect_get(struct bm_store *st, int64_t id, struct bm_arena *a,
                                           struct bm_rectification *out, struct bm_err *err);
/*
 * Writes status, times and notes of `r` if the stored version is still r->version
 * (BM_ESTALE otherwise) and bumps it. Inside a transaction.
 */
BM_MUST_CHECK enum bm_rc bm_store_rect_update(struct bm_store *st, const struct bm_rectification *r,
                                              int64_t now, struct bm_err *err);
/* Tasks matching `q`, at most q->limit + 1. */
BM_MUST_CHECK enum bm_rc bm_store_rects_list(struct bm_store *st, const struct bm_rect_query *q,
                                             struct bm_arena *a, struct bm_rectification **out,
                                             size_t *n, struct bm_err *err);

/* ---- case statistics (summary table, docs/domain.md 3.4) ---- */

/*
 * bm_store_case_insert, bm_store_case_update and bm_store_rating_insert keep the summary
 * table case_stats up to date in the caller's transaction (core/stats.h says what a case
 * adds); these read it, recount it and rebuild it.
 */

enum bm_stat_dim {
    BM_STAT_BY_TOWNSHIP,   /* accepting township (or top unit of a county window) */
    BM_STAT_BY_DEPARTMENT, /* handling township or county department */
    BM_STAT_BY_ITEM,       /* item code, every version together */
    BM_STAT_BY_MONTH,      /* month (row key: its first day) */
    BM_STAT_BY_CHANNEL,    /* 1 online, 0 window */
    BM_STAT_DIM_COUNT
};

struct bm_stats_query {
    const char *county_code;
    enum bm_stat_dim dim;
    bm_day from, to;   /* inclusive */
    int64_t unit_id;   /* only cases accepted or handled by this top unit; 0 for all */
};

/*
 * The summed rows of the period, grouped by the dimension and working days used (several
 * rows per key: summarise them with bm_stat_summarize). Names are joined (unit or item
 * name; "" for months and channels). Reads whole months from month rows.
 */
BM_MUST_CHECK enum bm_rc bm_store_stats_query(struct bm_store *st, const struct bm_stats_query *q,
                                              struct bm_arena *a, struct bm_stat_row **out,
                                              size_t *n, struct bm_err *err);

/* What a recount found: summary rows that differ from what the cases add up to. */
struct bm_stats_check {
    int64_t cases;      /* cases counted */
    int64_t rows;       /* summary rows expected (non-zero) */
    int64_t mismatched; /* expected rows missing or different, plus stored rows not expected */
    char first[200];    /* the first mismatch, described, "" if none */
};

/*
 * Recounts every case of the store (all counties) with core/stats.h and compares the result
 * with the summary table, in one read transaction.
 */
BM_MUST_CHECK enum bm_rc bm_store_stats_verify(struct bm_store *st, struct bm_stats_check *out,
                                               struct bm_err *err);

/*
 * Rebuilds the summary table from the cases in its own transaction; *n_cases tells how many
 * were counted. Migrations run it when they add the table to an existing store.
 */
BM_MUST_CHECK enum bm_rc bm_store_stats_rebuild(struct bm_store *st, int64_t *n_cases,
                                                struct bm_err *err);
/* ---- township performance evaluation (绩效考核) ---- */

/* An indicator system of one year for one township type, with its indicator tree. */
struct bm_eval_plan {
    int64_t id, year, version, created_by, created_at, updated_at;
    const char *county_code;       /* set by the store from the creating user */
    const char *township_type, *name;
    int64_t excellent_e4, good_e4, pass_e4, survey_share_e4;
    struct bm_eval_indicator *indicators; /* in ord order; NULL in lists */
    size_t n_indicators;
};

/* A township evaluated in a period, and the indicator system it is evaluated by. */
struct bm_eval_member {
    int64_t township_id, plan_id;
    const char *township_name, *township_path; /* joined on read */
};

struct bm_eval_period {
    int64_t id, year, version, created_by, created_at, updated_at, closed_at, published_at;
    const char *county_code, *name, *status; /* status: open, closed, published */
    bm_day from_day, to_day, comment_until;  /* comment_until BM_DAY_NONE until published */
    struct bm_eval_member *members;          /* by township id; NULL in lists */
    size_t n_members;
};

/* One input figure of a period (see migration 0011 for the kinds). */
struct bm_eval_input {
    int64_t id, period_id;
    const char *kind, *indicator_code, *note;
    int64_t subject_unit_id, rater_unit_id, value_e4, numerator, denominator;
    int64_t entered_by, created_at, updated_at;
    const char *subject_name, *rater_name; /* joined on read */
};

/* The platform's figures for one township over [from, to) (domain.md 3.4 and 4.5). */
struct bm_eval_counts {
    int64_t decided, decided_on_time;  /* cases accepted there, decided in the period */
    int64_t submitted, online;         /* cases submitted in the period, online ones */
    int64_t ratings, satisfied;        /* initial ratings, at level 3..5 (appeals upheld out) */
    int64_t rect_tasks, rect_done;     /* rectification tasks opened, rectified or explained */
    int64_t demands, demands_on_time;  /* demands dispatched to it, answered by the due time */
    int64_t households, covered;       /* its villages' households, those with a contact cadre
                                        * (the register as it is now, not by period) */
};

struct bm_eval_veto {
    int64_t id, period_id, township_id, created_by, created_at;
    const char *item, *reason, *approval_doc_no, *approving_body, *grade_cap;
    bm_day approval_date;
    const char *township_name; /* joined on read */
};

struct bm_eval_result {
    int64_t period_id, township_id, plan_id, total_e4, computed_at;
    int rank;
    const char *grade, *detail; /* detail: JSON text written by the api */
    bool is_capped;
    const char *township_name, *township_path; /* joined on read */
};

struct bm_eval_comment {
    int64_t id, period_id, township_id, created_at; /* township_id 0: the whole evaluation */
    const char *content, *author_masked;
};

struct bm_eval_followup {
    int64_t id, period_id, township_id, version, created_by, created_at, updated_at, done_at;
    const char *kind, *note, *status, *result;
    bm_day due_day;
    const char *township_name, *township_path; /* joined on read */
};

/*
 * Inserts a plan and its indicators (county_code from the creating user; version 1).
 * Inside a transaction. BM_ECONFLICT if the county has a plan for that year and type.
 */
BM_MUST_CHECK enum bm_rc bm_store_eval_plan_insert(struct bm_store *st, const struct bm_eval_plan *p,
                                                   int64_t now, int64_t *id, struct bm_err *err);
/* A plan with its indicators (department names joined). BM_ENOTFOUND if none. */
BM_MUST_CHECK enum bm_rc bm_store_eval_plan_get(struct bm_store *st, int64_t id, struct bm_arena *a,
                                                struct bm_eval_plan *out, struct bm_err *err);
/* Plans of `year` (0: all years) by year and type, without indicators (at most 200). */
BM_MUST_CHECK enum bm_rc bm_store_eval_plans_list(struct bm_store *st, int64_t year,
                                                  struct bm_arena *a, struct bm_eval_plan **out,
                                                  size_t *n, struct bm_err *err);
/*
 * Replaces name, thresholds and indicators of plan p->id if its version is still p->version
 * (BM_ESTALE otherwise; BM_ENOTFOUND if none) and bumps it. Inside a transaction.
 */
BM_MUST_CHECK enum bm_rc bm_store_eval_plan_update(struct bm_store *st, const struct bm_eval_plan *p,
                                                   int64_t now, struct bm_err *err);

/* Inserts a period (status open, county_code from the creating user) with its members. */
BM_MUST_CHECK enum bm_rc bm_store_eval_period_insert(struct bm_store *st,
                                                     const struct bm_eval_period *p, int64_t now,
                                                     int64_t *id, struct bm_err *err);
/* A period with its members. BM_ENOTFOUND if none. */
BM_MUST_CHECK enum bm_rc bm_store_eval_period_get(struct bm_store *st, int64_t id,
                                                  struct bm_arena *a, struct bm_eval_period *out,
                                                  struct bm_err *err);
/* Periods, newest first (at most 200), only published ones if `published_only`. */
BM_MUST_CHECK enum bm_rc bm_store_eval_periods_list(struct bm_store *st, bool published_only,
                                                    struct bm_arena *a,
                                                    struct bm_eval_period **out, size_t *n,
                                                    struct bm_err *err);
/*
 * Writes status, comment_until, closed_at and published_at of p->id if its version is still
 * p->version (BM_ESTALE otherwise) and bumps it. Inside a transaction.
 */
BM_MUST_CHECK enum bm_rc bm_store_eval_period_update(struct bm_store *st,
                                                     const struct bm_eval_period *p, int64_t now,
                                                     struct bm_err *err);

/*
 * Writes an input: a new row, or the new value, figures and note of the row with the same
 * period, kind, indicator, subject and rater. Inside a transaction.
 */
BM_MUST_CHECK enum bm_rc bm_store_eval_input_put(struct bm_store *st,
                                                 const struct bm_eval_input *in, int64_t now,
                                                 struct bm_err *err);
/* Every input of a period, by kind, indicator, subject and rater (at most 20 000). */
BM_MUST_CHECK enum bm_rc bm_store_eval_inputs_list(struct bm_store *st, int64_t period_id,
                                                   struct bm_arena *a, struct bm_eval_input **out,
                                                   size_t *n, struct bm_err *err);
/*
 * The platform's figures for cases accepted (ratings, rectifications) and demands placed
 * under `township_path` in [from, to) (UTC instants; the day of a decision is its CST day).
 */
BM_MUST_CHECK enum bm_rc bm_store_eval_counts(struct bm_store *st, const char *township_path,
                                              int64_t from, int64_t to,
                                              struct bm_eval_counts *out, struct bm_err *err);

BM_MUST_CHECK enum bm_rc bm_store_eval_veto_insert(struct bm_store *st,
                                                   const struct bm_eval_veto *v, int64_t now,
                                                   int64_t *id, struct bm_err *err);
/* Vetoes of a period by id. */
BM_MUST_CHECK enum bm_rc bm_store_eval_vetoes_list(struct bm_store *st, int64_t period_id,
                                                   struct bm_arena *a, struct bm_eval_veto **out,
                                                   size_t *n, struct bm_err *err);

/* Replaces the results of a period with `rs` (county_code from the period). In a transaction. */
BM_MUST_CHECK enum bm_rc bm_store_eval_results_put(struct bm_store *st, int64_t period_id,
                                                   const struct bm_eval_result *rs, size_t n,
                                                   int64_t now, struct bm_err *err);
/* Results of a period by rank, then township id. */
BM_MUST_CHECK enum bm_rc bm_store_eval_results_list(struct bm_store *st, int64_t period_id,
                                                    struct bm_arena *a,
                                                    struct bm_eval_result **out, size_t *n,
                                                    struct bm_err *err);

BM_MUST_CHECK enum bm_rc bm_store_eval_comment_insert(struct bm_store *st,
                                                      const struct bm_eval_comment *c,
                                                      int64_t now, int64_t *id,
                                                      struct bm_err *err);
/* Comments of a period by id after `after_id`, at most `limit`. */
BM_MUST_CHECK enum bm_rc bm_store_eval_comments_list(struct bm_store *st, int64_t period_id,
                                                     int64_t after_id, int limit,
                                                     struct bm_arena *a,
                                                     struct bm_eval_comment **out, size_t *n,
                                                     struct bm_err *err);

/* Inserts a follow-up (status open, version 1). Inside a transaction. */
BM_MUST_CHECK enum bm_rc bm_store_eval_followup_insert(struct bm_store *st,
                                                       const struct bm_eval_followup *f,
                                                       int64_t now, int64_t *id,
                                                       struct bm_err *err);
BM_MUST_CHECK enum bm_rc bm_store_eval_followup_get(struct bm_store *st, int64_t id,
                                                    struct bm_arena *a,
                                                    struct bm_eval_followup *out,
                                                    struct bm_err *err);
/* Follow-ups of a period by id (at most 1 000). */
BM_MUST_CHECK enum bm_rc bm_store_eval_followups_list(struct bm_store *st, int64_t period_id,
                                                      struct bm_arena *a,
                                                      struct bm_eval_followup **out, size_t *n,
                                                      struct bm_err *err);
/* Writes status, result and done_at if the version is still f->version (else BM_ESTALE). */
BM_MUST_CHECK enum bm_rc bm_store_eval_followup_update(struct bm_store *st,
                                                       const struct bm_eval_followup *f,
                                                       int64_t now, struct bm_err *err);

#endif
