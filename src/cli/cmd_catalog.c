/*
 * bianmin import / export: the catalog (items, delegated powers, power lists) as files.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "io/catalog.h"
#include "util/time.h"

/* A one-line progress bar on a terminal; silent otherwise. */
static void
progress(void *ctx, size_t done, size_t total)
{
    int width = 40, filled;
    (void)ctx;
    if (!isatty(STDERR_FILENO) || total == 0)
        return;
    filled = (int)(done * (size_t)width / total);
    fprintf(stderr, "\r检查 [%.*s%*s] %zu/%zu", filled, "########################################",
            width - filled, "", done, total);
    if (done == total)
        fputc('\n', stderr);
}

static char *
read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n < (64L << 20) &&
        fseek(f, 0, SEEK_SET) == 0) {
        buf = bm_xmalloc((size_t)n + 1);
        if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        } else {
            buf[n] = '\0';
            *len = (size_t)n;
        }
    }
    fclose(f);
    return buf;
}

int
cli_import_text(struct bm_store *st, const char *text, size_t len, bool publish, bool quiet)
{
    struct bm_arena *a = bm_arena_new((size_t)1 << 30);
    struct bm_import_report rep;
    struct bm_err err;
    int r = 0;

    bm_err_clear(&err);
    /* A workbook is a zip package ("PK\3\4"); anything else is read as JSON. */
    if ((len >= 4 && memcmp(text, "PK\3\4", 4) == 0
             ? bm_io_catalog_import_xlsx(st, text, len, publish, "cli", 0, bm_now(), a, &rep,
                                         quiet ? NULL : progress, NULL, &err)
             : bm_io_catalog_import(st, text, len, publish, "cli", 0, bm_now(), a, &rep,
                                    quiet ? NULL : progress, NULL, &err)) != BM_OK) {
        for (size_t i = 0; i < rep.n_lines; i++)
            fprintf(stderr, "  %s\n", rep.lines[i]);
        cli_print_err(&err);
        r = 1;
    } else if (!quiet) {
        printf("imported %d item(s)%s, %d delegation(s), %d power(s)\n", rep.items,
               publish ? " (published)" : " (drafts)", rep.delegations, rep.powers);
    }
    bm_arena_free(a);
    return r;
}

int
cli_import(int argc, char **argv)
{
    bool publish = false;
    const struct cli_opt own[] = {
        {"publish", NULL, &publish, "publish the items at once (the publication rules apply)"},
        {NULL, NULL, NULL, NULL},
    };
    struct bm_config cfg;
    struct bm_store *st;
    const char *pos[2];
    char *text;
    size_t len = 0;
    int n_pos, r = cli_parse("import", "catalog FILE.json|FILE.xlsx --db URL [--publish]", argc, argv, &cfg,
                             own, pos, 2, &n_pos);

    if (r <= 0)
        return r < 0 ? 2 : 0;
    if (n_pos != 2 || (strcmp(pos[0], "catalog") != 0 && strcmp(pos[0], "items") != 0)) {
        fprintf(stderr, "bianmin import: usage: bianmin import catalog FILE.json|FILE.xlsx --db URL\n");
        return 2;
    }
    if ((text = read_file(pos[1], &len)) == NULL) {
        fprintf(stderr, "bianmin import: cannot read %s\n", pos[1]);
        return 2;
    }
    if ((st = cli_open(&cfg, false, true)) == NULL) {
        free(text);
        return 1;
    }
    r = cli_import_text(st, text, len, publish, false);
    bm_store_close(st);
    free(text);
    return r;
}

int
cli_export(int argc, char **argv)
{
    const char *format = "json", *output = NULL;
    const struct cli_opt own[] = {
        {"format", &format, NULL, "json (the import format), csv or xlsx"},
        {"output", &output, NULL, "write to FILE instead of standard output"},
        {NULL, NULL, NULL, NULL},
    };
    struct bm_config cfg;
    struct bm_store *st;
    struct bm_arena *a;
    struct bm_err err;
    const char *pos[1];
    char *out = NULL;
    size_t len = 0;
    FILE *f;
    enum bm_rc rc;
    int n_pos, r = cli_parse("export", "catalog --db URL [--format json|csv|xlsx] [--output FILE]", argc,
                             argv, &cfg, own, pos, 1, &n_pos);

    if (r <= 0)
        return r < 0 ? 2 : 0;
    if (n_pos != 1 || (strcmp(pos[0], "catalog") != 0 && strcmp(pos[0], "items") != 0) ||
        (strcmp(format, "json") != 0 && strcmp(format, "csv") != 0 &&
         strcmp(format, "xlsx") != 0)) {
        fprintf(stderr,
                "bianmin export: usage: bianmin export catalog --db URL --format json|csv|xlsx\n");
        return 2;
    }
    if ((st = cli_open(&cfg, false, false)) == NULL)
        return 1;
    a = bm_arena_new((size_t)1 << 30);
    bm_err_clear(&err);
    rc = strcmp(format, "csv") == 0    ? bm_io_catalog_export_csv(st, a, &out, &len, &err)
         : strcmp(format, "xlsx") == 0 ? bm_io_catalog_export_xlsx(st, a, &out, &len, &err)
                                       : bm_io_catalog_export_json(st, a, &out, &len, &err);
    bm_arena_free(a);
    bm_store_close(st);
    if (rc != BM_OK) {
        cli_print_err(&err);
        return 1;
    }
    r = 0;
    f = output ? fopen(output, "wb") : stdout;
    if (f == NULL || fwrite(out, 1, len, f) != len) {
        fprintf(stderr, "bianmin export: cannot write %s\n", output ? output : "stdout");
        r = 1;
    }
    if (output && f)
        fclose(f);
    free(out);
    return r;
}
