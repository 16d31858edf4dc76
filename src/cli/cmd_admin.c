/*
 * Store administration: init, migrate, backup, audit verify.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/secret.h"
#include "store/audit_verify.h"

int
cli_init(int argc, char **argv)
{
    const char *name = "北京市密云区", *code = "110118", *pw;
    const struct cli_opt own[] = {
        {"county-name", &name, NULL, "name of the county (default 北京市密云区)"},
        {"county-code", &code, NULL, "GB/T 2260 code of the county (default 110118)"},
        {NULL, NULL, NULL, NULL},
    };
    struct bm_config cfg;
    struct bm_store *st;
    struct bm_err err;
    bool key_created = false;
    char buf[BM_PASSWORD_MAX_BYTES + 2];
    int64_t county_id = 0;
    int n_pos, r = cli_parse("init", "--db FILE [--county-name NAME] [--county-code CODE]", argc,
                             argv, &cfg, own, NULL, 0, &n_pos);
    enum bm_rc rc;

    if (r <= 0)
        return r < 0 ? 2 : 0;
    if ((pw = cli_admin_password(buf, sizeof(buf))) == NULL)
        return 2;
    if (!cli_data_key(&cfg, &key_created) || (st = cli_open(&cfg, true, true)) == NULL)
        return 1;
    if (!cli_data_key_check(st, &cfg, key_created)) {
        bm_store_close(st);
        return 1;
    }
    bm_err_clear(&err);
    rc = bm_store_begin(st, &err);
    if (rc == BM_OK)
        rc = cli_init_county(st, name, code, pw, &county_id, &err);
    if (rc == BM_OK)
        rc = bm_store_commit(st, &err);
    bm_store_rollback(st);
    /* After the county, so that the calendars' audit entries join its chain. */
    if (rc == BM_OK)
        rc = cli_seed_calendars(st, &err);
    bm_store_close(st);
    bm_secret_wipe(buf, sizeof(buf));
    if (rc != BM_OK) {
        cli_print_err(&err);
        return 1;
    }
    {
        char db[512];
        bm_url_redact(cfg.db, db, sizeof(db));
        printf("initialised %s: county %s (%s), administrator 'admin'\n", db, name, code);
    }
    return 0;
}

int
cli_migrate(int argc, char **argv)
{
    struct bm_config cfg;
    struct bm_store *st = NULL;
    struct bm_err err;
    int n_pos, n = 0, have = 0, known = 0;
    int r = cli_parse("migrate", "--db URL", argc, argv, &cfg, NULL, NULL, 0, &n_pos);

    if (r <= 0)
        return r < 0 ? 2 : 0;
    bm_err_clear(&err);
    if (!bm_store_exists(cfg.db)) {
        fprintf(stderr, "bianmin: no store at %s (create one with `bianmin init`)\n", cfg.db);
        return 1;
    }
    if (bm_store_open(cfg.db, &st, &err) != BM_OK || bm_store_migrate(st, &n, &err) != BM_OK ||
        bm_store_schema_version(st, &have, &known, &err) != BM_OK) {
        cli_print_err(&err);
        bm_store_close(st);
        return 1;
    }
    bm_store_close(st);
    printf("applied %d migration(s); schema version %d\n", n, have);
    return 0;
}

int
cli_backup(int argc, char **argv)
{
    struct bm_config cfg;
    struct bm_store *st;
    struct bm_err err;
    const char *pos[1];
    int n_pos, r = cli_parse("backup", "--db URL FILE", argc, argv, &cfg, NULL, pos, 1, &n_pos);

    if (r <= 0)
        return r < 0 ? 2 : 0;
    if (n_pos != 1) {
        fprintf(stderr, "bianmin backup: name the backup file: bianmin backup --db URL FILE\n");
        return 2;
    }
    if ((st = cli_open(&cfg, false, false)) == NULL)
        return 1;
    bm_err_clear(&err);
    if (bm_store_backup(st, pos[0], &err) != BM_OK) {
        cli_print_err(&err);
        bm_store_close(st);
        return 1;
    }
    bm_store_close(st);
    printf("backed up %s to %s\n", cfg.db, pos[0]);
    return 0;
}

int
cli_audit_cmd(int argc, char **argv)
{
    struct bm_config cfg;
    struct bm_store *st;
    struct bm_err err;
    struct bm_audit_report rep;
    const char *pos[1];
    int n_pos, r = cli_parse("audit", "verify --db URL", argc, argv, &cfg, NULL, pos, 1, &n_pos);

    if (r <= 0)
        return r < 0 ? 2 : 0;
    if (n_pos != 1 || strcmp(pos[0], "verify") != 0) {
        fprintf(stderr, "bianmin audit: the only subcommand is 'verify'\n");
        return 2;
    }
    if ((st = cli_open(&cfg, false, false)) == NULL)
        return 2;
    bm_err_clear(&err);
    if (bm_store_audit_verify(st, NULL, &rep, &err) != BM_OK) {
        cli_print_err(&err);
        bm_store_close(st);
        return 2;
    }
    bm_store_close(st);
    if (rep.bad_id != 0) {
        printf("audit chain of county %s BROKEN at entry %" PRId64 ": %s (%" PRId64
               " entries verified before it, all chains counted)\n",
               rep.county_code, rep.bad_id, rep.reason, rep.checked);
        return 1;
    }
    printf("audit chain intact: %" PRId64 " entries verified in %d chain%s, head %" PRId64 "\n",
           rep.checked, rep.chains, rep.chains == 1 ? "" : "s", rep.head_id);
    return 0;
}

int
cli_stats_cmd(int argc, char **argv)
{
    struct bm_config cfg;
    struct bm_store *st;
    struct bm_err err;
    struct bm_stats_check check;
    const char *pos[1];
    int64_t n = 0;
    int n_pos, r = cli_parse("stats", "verify|rebuild --db URL", argc, argv, &cfg, NULL, pos, 1,
                             &n_pos);
    bool rebuild;

    if (r <= 0)
        return r < 0 ? 2 : 0;
    if (n_pos != 1 || (strcmp(pos[0], "verify") != 0 && strcmp(pos[0], "rebuild") != 0)) {
        fprintf(stderr, "bianmin stats: the subcommands are 'verify' and 'rebuild'\n");
        return 2;
    }
    rebuild = strcmp(pos[0], "rebuild") == 0;
    if ((st = cli_open(&cfg, false, false)) == NULL)
        return 2;
    bm_err_clear(&err);
    if ((rebuild ? bm_store_stats_rebuild(st, &n, &err) : bm_store_stats_verify(st, &check, &err)) !=
        BM_OK) {
        cli_print_err(&err);
        bm_store_close(st);
        return 2;
    }
    bm_store_close(st);
    if (rebuild) {
        printf("case statistics rebuilt from %" PRId64 " cases\n", n);
        return 0;
    }
    if (check.mismatched != 0) {
        printf("case statistics DIFFER from a recount of %" PRId64 " cases: %" PRId64
               " rows wrong; first: %s (bianmin stats rebuild repairs them)\n",
               check.cases, check.mismatched, check.first);
        return 1;
    }
    printf("case statistics agree with a recount of %" PRId64 " cases (%" PRId64 " summary rows)\n",
           check.cases, check.rows);
    return 0;
}
