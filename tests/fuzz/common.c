/*
 * The demo store of the fuzz targets (common.h).
 */
#include "common.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/log.h"

static char scratch[512];

/* Removes the scratch folder and the files the store made in it (no subfolders). */
static void
remove_scratch(void)
{
    DIR *d;
    struct dirent *e;
    char path[1024];

    if (scratch[0] == '\0' || (d = opendir(scratch)) == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", scratch, e->d_name);
        (void)unlink(path);
    }
    closedir(d);
    (void)rmdir(scratch);
}

struct bm_store *
fuzz_demo_store(struct bm_config *cfg)
{
    const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
    char db[600];
    struct bm_store *st;
    struct bm_err err;
    bool created = false;
    int n_pos;

    snprintf(scratch, sizeof(scratch), "%s/bianmin-fuzz-XXXXXX", tmp ? tmp : "/tmp");
    if (mkdtemp(scratch) == NULL) {
        perror("fuzz: mkdtemp");
        abort();
    }
    /* BIANMIN_FUZZ_KEEP=1 keeps the store for a look afterwards (writing seeds, say). */
    if (getenv("BIANMIN_FUZZ_KEEP") == NULL)
        atexit(remove_scratch);
    else
        fprintf(stderr, "fuzz: keeping the demo store in %s\n", scratch);
    snprintf(db, sizeof(db), "%s/demo.db", scratch);
    setenv("BIANMIN_DEMO_PASSWORD", "fuzz-demo-pw-2026", 1);
    {
        char *argv[] = {"demo", "--db", db, "--no-serve", "--cases", "40", "--log-level",
                        "error", NULL};
        /* `bianmin demo` prints its banner and progress; a fuzz run's output is the fuzzer's. */
        int out = dup(STDOUT_FILENO), null = open("/dev/null", O_WRONLY | O_CLOEXEC), r;
        fflush(stdout);
        if (out >= 0 && null >= 0)
            (void)dup2(null, STDOUT_FILENO);
        r = cli_demo(8, argv);
        fflush(stdout);
        if (out >= 0) {
            (void)dup2(out, STDOUT_FILENO);
            close(out);
        }
        if (null >= 0)
            close(null);
        if (r != 0) {
            fprintf(stderr, "fuzz: could not create the demo county in %s\n", db);
            abort();
        }
    }
    {
        char *argv[] = {"fuzz", "--db", db, "--log-level", "error", NULL};
        if (cli_parse("fuzz", "", 5, argv, cfg, NULL, NULL, 0, &n_pos) != 1 ||
            !cli_data_key(cfg, &created)) {
            fprintf(stderr, "fuzz: could not read the demo configuration\n");
            abort();
        }
    }
    /* Handlers log refused input at WARN; thousands of runs a second need silence. */
    bm_log_set_level(BM_LOG_ERROR);
    bm_err_clear(&err);
    if (bm_store_open(db, &st, &err) != BM_OK) {
        fprintf(stderr, "fuzz: open %s: %s\n", db, err.message);
        abort();
    }
    return st;
}

char *
fuzz_strndup(const unsigned char *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s == NULL)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}
