/*
 * bianmin migrate-store: moves a county's whole store to another backend (typically from
 * the SQLite file to PostgreSQL when it outgrows one machine), verified by row counts and
 * the audit chain. Run it with the server stopped.
 */
#include <inttypes.h>
#include <stdio.h>

#include "cli/cli.h"
#include "store/copy.h"

int
cli_migrate_store(int argc, char **argv)
{
    const char *from = NULL, *to = NULL;
    const struct cli_opt own[] = {
        {"from", &from, NULL, "the store to read (SQLite file or postgres:// URL)"},
        {"to", &to, NULL, "the empty store to fill (created and migrated if needed)"},
        {NULL, NULL, NULL, NULL},
    };
    struct bm_config cfg, to_cfg;
    struct bm_store *src = NULL, *dst = NULL;
    struct bm_copy_report rep;
    struct bm_err err;
    int n_pos, r = cli_parse("migrate-store", "--from URL --to URL", argc, argv, &cfg, own, NULL,
                             0, &n_pos);

    if (r <= 0)
        return r < 0 ? 2 : 0;
    if (from == NULL || to == NULL) {
        fprintf(stderr, "bianmin migrate-store: give both --from and --to\n");
        return 2;
    }
    snprintf(cfg.db, sizeof(cfg.db), "%s", from);
    to_cfg = cfg;
    snprintf(to_cfg.db, sizeof(to_cfg.db), "%s", to);
    if ((src = cli_open(&cfg, false, false)) == NULL || (dst = cli_open(&to_cfg, true, true)) == NULL) {
        bm_store_close(src);
        return 1;
    }
    bm_err_clear(&err);
    r = bm_store_copy_all(src, dst, &rep, &err) == BM_OK ? 0 : 1;
    if (r == 0) {
        char f[512], t[512];
        bm_url_redact(from, f, sizeof(f));
        bm_url_redact(to, t, sizeof(t));
        printf("copied %s to %s:\n", f, t);
        for (size_t i = 0; i < rep.n_tables; i++)
            printf("  %-16s %" PRId64 " rows\n", rep.tables[i].table, rep.tables[i].rows);
        printf("audit chain verified on the destination: %" PRId64 " entries\n", rep.audit_checked);
    } else {
        cli_print_err(&err);
        char t[512];
        bm_url_redact(to, t, sizeof(t));
        fprintf(stderr, "bianmin migrate-store: nothing was written to %s\n", t);
    }
    bm_store_close(dst);
    bm_store_close(src);
    return r;
}
