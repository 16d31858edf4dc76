/*
 * bianmin serve: migrate the store, then serve until SIGTERM/SIGINT.
 */
#include <stdio.h>

#include "cli/cli.h"
#include "http/server.h"

static void
on_ready(void *arg, int port)
{
    const char *banner = arg;
    if (banner != NULL)
        printf("%s", banner);
    printf("Bianmin 便民 is serving on port %d (Ctrl-C to stop)\n", port);
    fflush(stdout);
}

int
cli_run_server(const struct bm_config *cfg, const char *banner)
{
    struct bm_store *st = cli_open(cfg, false, true);
    struct bm_err err;
    int64_t n = 0;

    if (st == NULL)
        return 1;
    bm_err_clear(&err);
    if (bm_store_org_count(st, &n, &err) != BM_OK || n == 0) {
        fprintf(stderr, "bianmin: the store %s is empty; run `bianmin init --db %s` first\n",
                cfg->db, cfg->db);
        bm_store_close(st);
        return 1;
    }
    bm_store_close(st);
    if (bm_server_run(cfg, on_ready, (void *)banner, &err) != BM_OK) {
        cli_print_err(&err);
        return 1;
    }
    return 0;
}

int
cli_serve(int argc, char **argv)
{
    struct bm_config cfg;
    int n_pos, r = cli_parse("serve", "[--db URL] [--listen HOST:PORT] [--web DIR]", argc, argv,
                             &cfg, NULL, NULL, 0, &n_pos);
    if (r <= 0)
        return r < 0 ? 2 : 0;
    return cli_run_server(&cfg, NULL);
}
