/*
 * Shared pieces of the bianmin subcommands: option parsing into struct bm_config, opening
 * and migrating the store, audit entries for changes made from the command line, and the
 * set-up steps `init` and `demo` share.
 */
#ifndef BM_CLI_CLI_H
#define BM_CLI_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "core/org.h"
#include "store/store.h"
#include "util/config.h"

/* A subcommand-specific option: --name VALUE (or a flag when value is NULL). */
struct cli_opt {
    const char *name;  /* without the leading dashes */
    const char **value; /* receives the argument; NULL for a flag */
    bool *flag;
    const char *help;
};

struct cli_cmd {
    const char *name;
    const char *usage;   /* one line: arguments after the command name */
    const char *summary; /* one line, English */
    int (*run)(int argc, char **argv);
};

/*
 * Parses argv (after the command name): config file, BIANMIN_* environment, the common
 * flags (--db --listen --web --threads --workers --log-level --config --set KEY=VALUE) and
 * `own` options. Positional arguments go to pos[] (at most max_pos). Prints usage and
 * returns 0 on --help; returns -1 (message printed) on a bad option; 1 to go on.
 */
int cli_parse(const char *name, const char *usage, int argc, char **argv, struct bm_config *cfg,
              const struct cli_opt *own, const char **pos, int max_pos, int *n_pos);

/*
 * Opens cfg->db; prints the error and returns NULL on failure. Only `create` may make a new
 * store (init, demo); `migrate` applies pending migrations (serve and migrate do; backup and
 * audit verify read the store as it is).
 */
struct bm_store *cli_open(const struct bm_config *cfg, bool create, bool migrate);

/* Appends an audit entry for a command-line change (actor "cli"); inside a transaction. */
BM_MUST_CHECK enum bm_rc cli_audit(struct bm_store *st, const char *action,
                                   const char *object_type, int64_t id, const char *detail,
                                   struct bm_err *err);

/* Creates a unit and audits it; writes the id. */
BM_MUST_CHECK enum bm_rc cli_org(struct bm_store *st, const struct bm_org_unit *u,
                                 int64_t *id, struct bm_err *err);

/* Creates a user with an argon2id hash of `password` (phone "" for none), and audits it. */
BM_MUST_CHECK enum bm_rc cli_user(struct bm_store *st, const char *username,
                                  const char *display_name, const char *phone, unsigned roles,
                                  int64_t org_unit_id, const char *password, struct bm_err *err);

/* Creates the county unit and the `admin` user (init and demo). */
BM_MUST_CHECK enum bm_rc cli_init_county(struct bm_store *st, const char *name, const char *code,
                                         const char *admin_password, int64_t *county_id,
                                         struct bm_err *err);

/* The administrator password: BIANMIN_ADMIN_PASSWORD, or asked twice on the terminal. */
const char *cli_admin_password(char *buf, size_t size);

void cli_print_err(const struct bm_err *err);

/*
 * Loads the data key from cfg->data_key_file (default: the SQLite file's name + ".key", or
 * bianmin-data.key for PostgreSQL), creating a random one (mode 0600) if there is none and
 * saying so in *created. Prints the error and returns false on failure.
 */
bool cli_data_key(struct bm_config *cfg, bool *created);

/*
 * True if the loaded key opens the store's sealed personal data (or there is none yet).
 * Otherwise prints why and returns false; a key just created for a store that has sealed
 * data is removed again, so the real one can be restored in its place.
 */
bool cli_data_key_check(struct bm_store *st, struct bm_config *cfg, bool created);

/*
 * Starts and stops the outbox sender thread of `serve` (text messages to applicants: a log
 * file by default, cfg->notify_file or <db>.sms.log; a webhook if cfg->notify_webhook).
 */
bool cli_notifier_start(const struct bm_config *cfg);
void cli_notifier_stop(void);

/* The deadline-warning job beside the HTTP loops (src/cli/warner.c): a round at start and
 * every warn_interval_s; nothing when that is 0. */
bool cli_warner_start(const struct bm_config *cfg);
void cli_warner_stop(void);

/*
 * Generates `count` historical cases of the published catalog over the past five months
 * (demo and benchmarks), reproducibly for a seed (0: the default seed). Progress on stderr
 * unless quiet.
 */
BM_MUST_CHECK enum bm_rc cli_demo_cases(struct bm_store *st, const struct bm_config *cfg,
                                        int64_t count, uint64_t seed, bool quiet,
                                        struct bm_err *err);

/* Demo publications of 西田各庄镇 and its villages, dated relative to now (disclosure). */
BM_MUST_CHECK enum bm_rc cli_demo_disclosure(struct bm_store *st, struct bm_err *err);
/* participation: a campaign with suggestions and an upcoming hearing of 西田各庄镇. */
BM_MUST_CHECK enum bm_rc cli_demo_participation(struct bm_store *st, struct bm_err *err);
/* This year's evaluation systems and an open period for every township (绩效考核). */
BM_MUST_CHECK enum bm_rc cli_demo_evaluation(struct bm_store *st, struct bm_err *err);
/* demands: a few work orders in every state for the demo county. */
BM_MUST_CHECK enum bm_rc cli_demo_demands(struct bm_store *st, const struct bm_config *cfg,
                                          struct bm_err *err);

/* Loads the shipped holiday calendars (2025, 2026, ...) that the store does not have yet. */
BM_MUST_CHECK enum bm_rc cli_seed_calendars(struct bm_store *st, struct bm_err *err);

int cli_serve(int argc, char **argv);
int cli_init(int argc, char **argv);
int cli_migrate(int argc, char **argv);
int cli_backup(int argc, char **argv);
int cli_audit_cmd(int argc, char **argv);
int cli_stats_cmd(int argc, char **argv);
int cli_demo(int argc, char **argv);
int cli_migrate_store(int argc, char **argv);
int cli_import(int argc, char **argv);
int cli_export(int argc, char **argv);
/* Imports a catalog file's text into an open store (demo uses it); 0 on success. */
int cli_import_text(struct bm_store *st, const char *text, size_t len, bool publish, bool quiet);

/* Serves with cfg (shared by serve and demo); prints `banner` when listening. */
int cli_run_server(const struct bm_config *cfg, const char *banner);

/* demo_ratings.c: ratings (好差评) and rectification of bad ratings */
/*
 * Rates a delivered demo case `c` (stored as `case_id`) or not, and opens (and, when its
 * time is up, closes) the rectification task of a bad rating; `cal` counts the due days.
 * Inside the caller's transaction. Deterministic in case_id.
 */
BM_MUST_CHECK enum bm_rc cli_demo_rating(struct bm_store *st, const struct bm_calendar *cal,
                                         int64_t now, const struct bm_case *c, int64_t case_id,
                                         struct bm_err *err);

#endif
