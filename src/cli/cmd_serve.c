/*
 * bianmin serve: migrate the store, then serve until SIGTERM/SIGINT.
 */
#include <pthread.h>
#include <signal.h>
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
cli_run_server(const struct bm_config *given, const char *banner)
{
    struct bm_config full = *given, *cfg = &full;
    struct bm_store *st;
    struct bm_err err;
    bool key_created = false;
    int64_t n = 0;
    sigset_t stop;

    if (!cli_data_key(cfg, &key_created) || (st = cli_open(cfg, false, true)) == NULL)
        return 1;
    if (!cli_data_key_check(st, cfg, key_created)) {
        bm_store_close(st);
        return 1;
    }
    bm_err_clear(&err);
    if (bm_store_org_count(st, &n, &err) != BM_OK || n == 0) {
        fprintf(stderr, "bianmin: the store %s is empty; run `bianmin init --db %s` first\n",
                cfg->db, cfg->db);
        bm_store_close(st);
        return 1;
    }
    if (cli_seed_calendars(st, &err) != BM_OK) {
        cli_print_err(&err);
        bm_store_close(st);
        return 1;
    }
    bm_store_close(st);
    /* The stop signals are blocked before the first thread starts, so that every thread
     * inherits the mask and only the server's sigwait takes them: a SIGTERM delivered to
     * the notifier or the warner would otherwise kill the process (exit 143). */
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    if (!cli_notifier_start(cfg))
        return 1;
    if (!cli_warner_start(cfg)) {
        cli_notifier_stop();
        return 1;
    }
    if (bm_server_run(cfg, on_ready, (void *)banner, &err) != BM_OK) {
        cli_warner_stop();
        cli_notifier_stop();
        cli_print_err(&err);
        return 1;
    }
    cli_warner_stop();
    cli_notifier_stop();
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
