/*
 * Option parsing, store opening, and the set-up steps shared by init and demo.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/audit.h"
#include "core/roles.h"
#include "core/secret.h"
#include "core/user.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/time.h"

static const struct {
    const char *flag, *key;
} common[] = {
    {"db", "db"},           {"listen", "listen"},   {"web", "web"},
    {"threads", "threads"}, {"workers", "workers"}, {"writers", "writers"},
    {"log-level", "log_level"},
};

void
cli_print_err(const struct bm_err *err)
{
    fprintf(stderr, "bianmin: %s", err->message[0] ? err->message : bm_rc_title(err->rc));
    for (int i = 0; i < err->n_fields && i < BM_ERR_FIELDS; i++)
        fprintf(stderr, "%s%s: %s", i ? "; " : " — ", err->fields[i].field,
                err->fields[i].message);
    fputc('\n', stderr);
}

static void
print_usage(const char *name, const char *usage, const struct cli_opt *own)
{
    printf("usage: bianmin %s %s\n\ncommon options:\n", name, usage);
    printf("  --config FILE       key = value settings (also BIANMIN_CONFIG)\n"
           "  --db URL            store: SQLite file or sqlite:FILE (BIANMIN_DB)\n"
           "  --listen HOST:PORT  address to serve on (BIANMIN_LISTEN)\n"
           "  --web DIR           web UI folder (BIANMIN_WEB)\n"
           "  --threads N         event loops, 0 = one per core (BIANMIN_THREADS)\n"
           "  --workers N         worker threads for slow work (BIANMIN_WORKERS)\n"
           "  --writers N         worker threads for requests that write, 0 = 32 on SQLite and\n"
           "                      16 on PostgreSQL (BIANMIN_WRITERS)\n"
           "  --log-level LEVEL   debug, info, warn or error (BIANMIN_LOG_LEVEL)\n"
           "  --set KEY=VALUE     any setting of docs/operations.md\n");
    if (own != NULL && own[0].name != NULL) {
        printf("\n%s options:\n", name);
        for (const struct cli_opt *o = own; o->name; o++)
            printf("  --%-18s %s\n", o->name, o->help);
    }
}

int
cli_parse(const char *name, const char *usage, int argc, char **argv, struct bm_config *cfg,
          const struct cli_opt *own, const char **pos, int max_pos, int *n_pos)
{
    const char *config = getenv("BIANMIN_CONFIG");
    struct bm_err err;
    enum bm_log_level lvl;

    bm_err_clear(&err);
    bm_config_defaults(cfg);
    *n_pos = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            print_usage(name, usage, own);
            return 0;
        }
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            config = argv[i + 1];
    }
    if ((config && bm_config_load_file(cfg, config, &err) != BM_OK) ||
        bm_config_load_env(cfg, &err) != BM_OK) {
        cli_print_err(&err);
        return -1;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *key = NULL, *val = NULL;
        bool done = false;

        if (strncmp(a, "--", 2) != 0) {
            if (*n_pos >= max_pos) {
                fprintf(stderr, "bianmin %s: unexpected argument '%s'\n", name, a);
                return -1;
            }
            pos[(*n_pos)++] = a;
            continue;
        }
        a += 2;
        if (strcmp(a, "config") == 0) {
            i++;
            continue;
        }
        for (const struct cli_opt *o = own; o && o->name && !done; o++) {
            if (strcmp(a, o->name) != 0)
                continue;
            done = true;
            if (o->flag != NULL) {
                *o->flag = true;
            } else if (i + 1 < argc) {
                *o->value = argv[++i];
            } else {
                fprintf(stderr, "bianmin %s: --%s needs a value\n", name, a);
                return -1;
            }
        }
        if (done)
            continue;
        for (size_t k = 0; k < sizeof(common) / sizeof(common[0]); k++)
            if (strcmp(a, common[k].flag) == 0)
                key = common[k].key;
        if (strcmp(a, "set") == 0 && i + 1 < argc) {
            static char kv[600];
            char *eq;
            snprintf(kv, sizeof(kv), "%s", argv[++i]);
            eq = strchr(kv, '=');
            if (eq == NULL) {
                fprintf(stderr, "bianmin %s: --set needs KEY=VALUE\n", name);
                return -1;
            }
            *eq = '\0';
            key = kv;
            val = eq + 1;
        } else if (key != NULL && i + 1 < argc) {
            val = argv[++i];
        }
        if (key == NULL || val == NULL) {
            fprintf(stderr, "bianmin %s: unknown option --%s (see --help)\n", name, a);
            return -1;
        }
        if (bm_config_set(cfg, key, val, &err) != BM_OK) {
            cli_print_err(&err);
            return -1;
        }
    }
    if (!bm_log_parse_level(cfg->log_level, &lvl)) {
        fprintf(stderr, "bianmin: log level must be debug, info, warn or error\n");
        return -1;
    }
    bm_log_set_level(lvl);
    return 1;
}

struct bm_store *
cli_open(const struct bm_config *cfg, bool create, bool migrate)
{
    struct bm_store *st = NULL;
    struct bm_err err;
    int n = 0;

    if (!create && !bm_store_exists(cfg->db)) {
        fprintf(stderr, "bianmin: no store at %s (create one with `bianmin init --db %s`)\n",
                cfg->db, cfg->db);
        return NULL;
    }
    bm_err_clear(&err);
    if (bm_store_open(cfg->db, &st, &err) != BM_OK ||
        (migrate && bm_store_migrate(st, &n, &err) != BM_OK)) {
        cli_print_err(&err);
        bm_store_close(st);
        return NULL;
    }
    bm_store_tune_for_batch(st); /* the command line does batch work, not hot reads */
    return st;
}

enum bm_rc
cli_audit(struct bm_store *st, const char *action, const char *object_type, int64_t id,
          const char *detail, struct bm_err *err)
{
    struct bm_audit_entry e;
    char oid[24];

    memset(&e, 0, sizeof(e));
    snprintf(oid, sizeof(oid), "%" PRId64, id);
    e.at = bm_now();
    e.actor = "cli";
    e.action = action;
    e.object_type = object_type;
    e.object_id = oid;
    e.detail = detail;
    return bm_store_audit_append(st, &e, err);
}

enum bm_rc
cli_org(struct bm_store *st, const struct bm_org_unit *u, int64_t *id, struct bm_err *err)
{
    struct bm_arena *a = bm_arena_new(1 << 16);
    struct bm_org_unit parent;
    char code[13] = "";
    struct bm_buf detail;
    struct bm_org_unit v = *u;
    enum bm_rc rc = BM_OK;

    if (u->parent_id != 0)
        rc = bm_store_org_get(st, u->parent_id, a, &parent, err);
    if (rc == BM_OK)
        rc = bm_org_validate(u, u->parent_id ? &parent : NULL, code, err);
    v.division_code = code;
    if (rc == BM_OK)
        rc = bm_store_org_insert(st, &v, bm_now(), id, err);
    /* The same detail, keys sorted, as the API's org_unit.create entries. */
    bm_buf_init(&detail, 4096);
    if (rc == BM_OK &&
        (bm_buf_printf(&detail, "{\"division_code\":\"%s\",\"kind\":\"%s\",\"name\":\"", code,
                       bm_org_kind_code(u->kind)) != BM_OK ||
         bm_buf_json_str(&detail, u->name) != BM_OK ||
         bm_buf_printf(&detail, "\",\"parent_id\":%" PRId64 "}", u->parent_id) != BM_OK))
        rc = bm_err_set(err, BM_ETOOBIG, "单位名称过长");
    if (rc == BM_OK)
        rc = cli_audit(st, "org_unit.create", "org_unit", *id, detail.ptr, err);
    bm_buf_fini(&detail);
    bm_arena_free(a);
    return rc;
}

enum bm_rc
cli_user(struct bm_store *st, const char *username, const char *display_name, const char *phone,
         unsigned roles, int64_t org_unit_id, const char *password, struct bm_err *err)
{
    char hash[BM_SECRET_HASH_STR];
    struct bm_buf detail;
    bool first = true;
    struct bm_user u;
    int64_t id;
    enum bm_rc rc;

    memset(&u, 0, sizeof(u));
    u.username = username;
    u.display_name = display_name;
    u.phone = phone;
    u.roles = roles;
    u.org_unit_id = org_unit_id;
    u.is_active = true;
    bm_user_check_username(username, err);
    bm_user_check_password(password, username, "password", err);
    bm_user_check_roles(roles, org_unit_id, err);
    if (err->n_fields > 0)
        return BM_EINVAL;
    rc = bm_secret_hash_password(password, hash, err);
    if (rc == BM_OK)
        rc = bm_store_user_insert(st, &u, hash, bm_now(), &id, err);
    /* The same detail, keys sorted, as the API's user.create entries. */
    bm_buf_init(&detail, 4096);
    if (rc == BM_OK && (bm_buf_puts(&detail, "{\"display_name\":\"") != BM_OK ||
                        bm_buf_json_str(&detail, display_name) != BM_OK ||
                        bm_buf_printf(&detail, "\",\"org_unit_id\":%" PRId64 ",\"roles\":[",
                                      org_unit_id) != BM_OK))
        rc = bm_err_set(err, BM_ETOOBIG, "姓名过长");
    for (int i = 0; rc == BM_OK && i < BM_ROLE_COUNT; i++) {
        if (!(roles & (unsigned)bm_role_at(i)))
            continue;
        if (bm_buf_printf(&detail, "%s\"%s\"", first ? "" : ",", bm_role_code(bm_role_at(i))) !=
            BM_OK)
            rc = bm_err_set(err, BM_ETOOBIG, "角色过多");
        first = false;
    }
    if (rc == BM_OK && bm_buf_printf(&detail, "],\"username\":\"%s\"}", username) != BM_OK)
        rc = bm_err_set(err, BM_ETOOBIG, "用户名过长");
    if (rc == BM_OK)
        rc = cli_audit(st, "user.create", "user", id, detail.ptr, err);
    bm_buf_fini(&detail);
    bm_secret_wipe(hash, sizeof(hash));
    return rc;
}

enum bm_rc
cli_init_county(struct bm_store *st, const char *name, const char *code,
                const char *admin_password, int64_t *county_id, struct bm_err *err)
{
    struct bm_org_unit county;
    int64_t n = 0;
    enum bm_rc rc;

    rc = bm_store_org_count(st, &n, err);
    if (rc == BM_OK && n > 0)
        return bm_err_set(err, BM_ECONFLICT, "该数据库已经初始化过");
    memset(&county, 0, sizeof(county));
    county.kind = BM_ORG_COUNTY;
    county.name = name;
    county.division_code = code;
    county.credit_code = "";
    county.is_active = true;
    if (rc == BM_OK)
        rc = cli_org(st, &county, county_id, err);
    if (rc == BM_OK)
        rc = cli_user(st, "admin", "县级管理员", "", BM_ROLE_COUNTY_ADMIN, *county_id, admin_password,
                      err);
    return rc;
}

static bool
ask(const char *prompt, char *buf, size_t size)
{
    struct termios old, quiet;
    bool ok;
    size_t n;

    fprintf(stderr, "%s", prompt);
    tcgetattr(STDIN_FILENO, &old);
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    ok = fgets(buf, (int)size, stdin) != NULL;
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    fputc('\n', stderr);
    n = ok ? strlen(buf) : 0;
    if (n > 0 && buf[n - 1] == '\n')
        buf[n - 1] = '\0';
    return ok;
}

const char *
cli_admin_password(char *buf, size_t size)
{
    const char *env = getenv("BIANMIN_ADMIN_PASSWORD");
    char again[BM_PASSWORD_MAX_BYTES + 2];

    if (env != NULL && env[0] != '\0')
        return env;
    if (!isatty(STDIN_FILENO)) {
        fprintf(stderr, "bianmin: set BIANMIN_ADMIN_PASSWORD (no terminal to ask on)\n");
        return NULL;
    }
    if (!ask("admin password: ", buf, size) || !ask("again: ", again, sizeof(again)))
        return NULL;
    if (strcmp(buf, again) != 0) {
        fprintf(stderr, "bianmin: the two passwords differ\n");
        bm_secret_wipe(again, sizeof(again));
        return NULL;
    }
    bm_secret_wipe(again, sizeof(again));
    return buf;
}
