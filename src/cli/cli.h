/*
 * Shared pieces of the bianmin subcommands: option parsing into struct bm_config, opening
 * and migrating the store, audit entries for changes made from the command line, and the
 * set-up steps `init` and `demo` share.
 */
#ifndef BM_CLI_CLI_H
#define BM_CLI_CLI_H

#include <stdbool.h>

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

/* Creates a user with an argon2id hash of `password`, and audits it. */
BM_MUST_CHECK enum bm_rc cli_user(struct bm_store *st, const char *username,
                                  const char *display_name, unsigned roles, int64_t org_unit_id,
                                  const char *password, struct bm_err *err);

/* Creates the county unit and the `admin` user (init and demo). */
BM_MUST_CHECK enum bm_rc cli_init_county(struct bm_store *st, const char *name, const char *code,
                                         const char *admin_password, int64_t *county_id,
                                         struct bm_err *err);

/* The administrator password: BIANMIN_ADMIN_PASSWORD, or asked twice on the terminal. */
const char *cli_admin_password(char *buf, size_t size);

void cli_print_err(const struct bm_err *err);

int cli_serve(int argc, char **argv);
int cli_init(int argc, char **argv);
int cli_migrate(int argc, char **argv);
int cli_backup(int argc, char **argv);
int cli_audit_cmd(int argc, char **argv);
int cli_demo(int argc, char **argv);
int cli_migrate_store(int argc, char **argv);
int cli_import(int argc, char **argv);
int cli_export(int argc, char **argv);
/* Imports a catalog file's text into an open store (demo uses it); 0 on success. */
int cli_import_text(struct bm_store *st, const char *text, size_t len, bool publish, bool quiet);

/* Serves with cfg (shared by serve and demo); prints `banner` when listening. */
int cli_run_server(const struct bm_config *cfg, const char *banner);

#endif
