/*
 * Start-up pieces every command that touches cases needs: the data key that seals personal
 * data (created on first use, kept in a file readable by the owner only), and the shipped
 * holiday calendars, loaded into a store that lacks them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/calendar.h"
#include "core/pii.h"
#include "core/secret.h"
#include "util/embed.h"
#include "util/time.h"

extern const struct bm_embedded bm_calendar_data[];

static void
key_path(const struct bm_config *cfg, char *out, size_t size)
{
    const char *db = cfg->db;

    if (cfg->data_key_file[0]) {
        snprintf(out, size, "%s", cfg->data_key_file);
    } else if (bm_url_is_postgres(db)) {
        snprintf(out, size, "bianmin-data.key");
    } else {
        if (strncmp(db, "sqlite:", 7) == 0)
            db += 7;
        snprintf(out, size, "%s.key", db);
    }
}

/* Writes a new random key as 64 hex digits, refusing to overwrite an existing file. */
static bool
create_key(const char *path)
{
    unsigned char raw[32];
    char hex[66];
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    bool ok;

    if (fd < 0)
        return errno == EEXIST; /* another process made it first: read theirs */
    bm_secret_random(raw, sizeof(raw));
    for (size_t i = 0; i < sizeof(raw); i++)
        snprintf(hex + 2 * i, 3, "%02x", raw[i]);
    hex[64] = '\n';
    ok = write(fd, hex, 65) == 65 && fsync(fd) == 0;
    bm_secret_wipe(raw, sizeof(raw));
    bm_secret_wipe(hex, sizeof(hex));
    return close(fd) == 0 && ok;
}

static int
hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                          : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

bool
cli_data_key(struct bm_config *cfg, bool *created)
{
    char path[600], hex[80];
    FILE *f;
    size_t n;

    key_path(cfg, path, sizeof(path));
    *created = access(path, F_OK) != 0;
    if (*created && !create_key(path)) {
        fprintf(stderr, "bianmin: cannot create the data key file %s: %s\n", path, strerror(errno));
        return false;
    }
    if ((f = fopen(path, "r")) == NULL) {
        fprintf(stderr, "bianmin: cannot read the data key file %s: %s\n", path, strerror(errno));
        return false;
    }
    n = fread(hex, 1, sizeof(hex) - 1, f);
    fclose(f);
    hex[n] = '\0';
    for (size_t i = 0; i < 32; i++) {
        int hi = hexval(hex[2 * i]), lo = hi < 0 ? -1 : hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            fprintf(stderr, "bianmin: the data key file %s must hold 64 hex digits\n", path);
            bm_secret_wipe(hex, sizeof(hex));
            return false;
        }
        cfg->data_key[i] = (unsigned char)(hi << 4 | lo);
    }
    bm_secret_wipe(hex, sizeof(hex));
    cfg->has_data_key = true;
    return true;
}

bool
cli_data_key_check(struct bm_store *st, struct bm_config *cfg, bool created)
{
    struct bm_arena *a = bm_arena_new(1 << 20);
    struct bm_case_query q;
    struct bm_case *cs;
    struct bm_pii_key k;
    struct bm_err err;
    size_t n = 0;
    char path[600], *plain;
    bool ok = true;

    if (a == NULL)
        return false;
    memset(&q, 0, sizeof(q));
    q.due_before = q.after_due = BM_DAY_NONE;
    q.limit = 1;
    bm_err_clear(&err);
    if (bm_store_cases_list(st, &q, a, &cs, &n, &err) != BM_OK) {
        cli_print_err(&err);
        bm_arena_free(a);
        return false;
    }
    key_path(cfg, path, sizeof(path));
    if (n > 0) {
        /* A sealed applicant opens only with the key it was sealed with. */
        bm_pii_key_init(&k, cfg->data_key);
        plain = bm_arena_alloc(a, cs[0].applicant_enc_len + 1);
        ok = plain != NULL && bm_pii_open(&k, cs[0].applicant_enc, cs[0].applicant_enc_len, plain,
                                          cs[0].applicant_enc_len + 1);
        bm_secret_wipe(&k, sizeof(k));
        if (plain != NULL)
            bm_secret_wipe(plain, cs[0].applicant_enc_len + 1);
    }
    if (!ok && created) {
        unlink(path); /* the key just made is useless: leave the place for the real one */
        fprintf(stderr,
                "bianmin: the data key file %s is missing, and the store holds sealed personal "
                "data; restore the key file that belongs to this store (see docs/operations.md)\n",
                path);
    } else if (!ok) {
        fprintf(stderr,
                "bianmin: the data key in %s does not open this store's personal data; "
                "use the key file that belongs to this store\n",
                path);
    }
    bm_arena_free(a);
    return ok;
}

/* Year of a shipped calendar file named "2026.txt". */
static int
file_year(const char *name)
{
    int y = 0;
    return sscanf(name, "%4d.txt", &y) == 1 ? y : 0;
}

enum bm_rc
cli_seed_calendars(struct bm_store *st, struct bm_err *err)
{
    struct bm_arena *a = bm_arena_new(1 << 20);
    struct bm_cal_year *have;
    size_t n_have = 0;
    enum bm_rc rc;

    if (a == NULL)
        return bm_err_set(err, BM_EINTERNAL, "内存不足");
    rc = bm_store_calendar_load(st, a, &have, &n_have, err);
    for (const struct bm_embedded *f = bm_calendar_data; rc == BM_OK && f->name; f++) {
        struct bm_cal_year y;
        struct bm_cal_entry *entries = bm_arena_alloc(a, sizeof(*entries) * BM_CAL_MAX_ENTRIES);
        size_t len = strlen(f->text), n = 0;
        char *buf = bm_arena_alloc(a, len + 1);
        bool present = false;

        memset(&y, 0, sizeof(y));
        y.year = file_year(f->name);
        for (size_t i = 0; i < n_have; i++)
            present |= have[i].year == y.year;
        if (present || y.year == 0)
            continue;
        if (entries == NULL || buf == NULL) {
            rc = bm_err_set(err, BM_EINTERNAL, "内存不足");
            break;
        }
        rc = bm_cal_parse_text(f->text, y.year, buf, len + 1, entries, BM_CAL_MAX_ENTRIES, &n, err);
        y.entries = entries;
        y.n_entries = n;
        y.source = bm_arena_printf(a, "国务院办公厅%d年部分节假日安排的通知（随软件发布）", y.year);
        if (rc == BM_OK)
            rc = bm_store_begin(st, err);
        if (rc == BM_OK)
            rc = bm_store_calendar_put(st, &y, 0, bm_now(), err);
        if (rc == BM_OK)
            rc = cli_audit(st, "calendar.seed", "calendar", y.year, "{}", err);
        if (rc == BM_OK)
            rc = bm_store_commit(st, err);
        if (rc == BM_ECONFLICT) { /* another process seeded it first */
            bm_store_rollback(st);
            bm_err_clear(err);
            rc = BM_OK;
        }
    }
    if (rc != BM_OK)
        bm_store_rollback(st);
    bm_arena_free(a);
    return rc;
}
