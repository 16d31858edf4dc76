/*
 * bianmin serve: migrate the store, then serve until SIGTERM/SIGINT.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>

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

/*
 * Every connection is a descriptor: let the process use as many as its hard limit allows
 * (systemd's default soft limit of 1024 would refuse the 1,025th client).
 */
static void
raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int
cli_run_server(const struct bm_config *given, const char *banner)
{
    struct bm_config full = *given, *cfg = &full;
    struct bm_store *st;
    struct bm_err err;
    bool key_created = false;
    int64_t n = 0;
    sigset_t set;

    /* Block SIGTERM and SIGINT before any thread starts, so that every thread (the notifier,
     * the warner, the loops, the workers) inherits the mask and only bm_server_run's sigwait
     * takes them; a signal that arrives before it waits stays pending instead of killing the
     * process (exit 143). */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    raise_nofile();
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
