/*
 * bianmin: the server and the command-line tool in one binary.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/secret.h"

static const struct cli_cmd cmds[] = {
    {"serve", "[--db URL] [--listen HOST:PORT] [--web DIR]", "serve the API and web UI", cli_serve},
    {"init", "--db FILE [--county-name NAME] [--county-code CODE]",
     "create a store with its county and the admin account", cli_init},
    {"demo", "[--db FILE] [--listen HOST:PORT]", "create the demo county if empty, then serve",
     cli_demo},
    {"migrate", "--db URL", "apply pending schema migrations", cli_migrate},
    {"migrate-store", "--from URL --to URL",
     "copy a whole store to another backend (e.g. SQLite to PostgreSQL), verified",
     cli_migrate_store},
    {"import", "catalog FILE.json|FILE.xlsx --db URL [--publish]",
     "import a catalog file (items, delegations, power lists); all or nothing", cli_import},
    {"export", "catalog --db URL [--format json|csv|xlsx]", "export the published catalog",
     cli_export},
    {"backup", "--db URL FILE", "write an online, consistent copy of the store to FILE",
     cli_backup},
    {"audit", "verify --db URL", "check the audit chain; exit 1 naming the first bad entry",
     cli_audit_cmd},
    {"stats", "verify|rebuild --db URL",
     "recount the case statistics and compare (exit 1 if they differ), or rebuild them",
     cli_stats_cmd},
};

static void
usage(FILE *f)
{
    fprintf(f, "usage: bianmin COMMAND [options]   (bianmin COMMAND --help for details)\n\n");
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        fprintf(f, "  %-14s %s\n", cmds[i].name, cmds[i].summary);
    fprintf(f, "\nConfiguration: --config FILE (or BIANMIN_CONFIG), BIANMIN_* variables, flags.\n"
               "See docs/operations.md.\n");
}

int
main(int argc, char **argv)
{
    if (!bm_secret_init()) {
        fprintf(stderr, "bianmin: libsodium could not be initialised\n");
        return 1;
    }
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("bianmin 0.1.0\n");
        return 0;
    }
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        if (strcmp(argv[1], cmds[i].name) == 0)
            return cmds[i].run(argc - 1, argv + 1);
    fprintf(stderr, "bianmin: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
