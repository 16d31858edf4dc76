/*
 * bianmin demo: a realistic demo county — 北京市密云区 (110118) with its townships under their
 * NBS statistical division codes, the villages of 西田各庄镇, the district departments that
 * run township services, and one account for every role — then serve it.
 * Village codes are given only where docs/domain.md records them; other townships' villages
 * are left for an import rather than invented.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/roles.h"
#include "util/buf.h"
#include "util/embed.h"
#include "util/parse.h"

extern const struct bm_embedded bm_demo_data[];

#define DEMO_PASSWORD "Bianmin2026"

static const struct {
    const char *code, *name;
} townships[] = {
    {"110118001000", "鼓楼街道"},   {"110118002000", "果园街道"},   {"110118003000", "檀营地区"},
    {"110118100000", "密云镇"},     {"110118101000", "溪翁庄镇"},   {"110118102000", "西田各庄镇"},
    {"110118103000", "十里堡镇"},   {"110118104000", "河南寨镇"},   {"110118105000", "巨各庄镇"},
    {"110118106000", "穆家峪镇"},   {"110118107000", "太师屯镇"},   {"110118108000", "高岭镇"},
    {"110118109000", "不老屯镇"},   {"110118110000", "冯家峪镇"},   {"110118111000", "古北口镇"},
    {"110118112000", "大城子镇"},   {"110118113000", "东邵渠镇"},   {"110118114000", "北庄镇"},
    {"110118115000", "新城子镇"},   {"110118116000", "石城镇"},
};

static const struct {
    const char *code, *name;
} xtgz_villages[] = {
    {"110118102001", "西田各庄社区居民委员会"}, {"110118102003", "大辛庄居民委员会"},
    {"110118102004", "沿村居民委员会"},         {"110118102200", "西田各庄村民委员会"},
    {"110118102201", "董各庄村民委员会"},       {"110118102202", "仓头村民委员会"},
    {"110118102207", "沿村村民委员会"},
};

static const char *departments[] = {
    "北京市密云区政务服务管理局", "北京市密云区人力资源和社会保障局", "北京市密云区民政局",
    "北京市密云区卫生健康委员会", "北京市密云区农业农村局",           "北京市密云区教育委员会",
    "北京市密云区医疗保障局",     "北京市密云区退役军人事务局",       "北京市密云区残疾人联合会",
};

/* Offices and stations set up in the townships that get demo staff. */
static const struct {
    const char *name;
    enum bm_org_kind kind;
    enum bm_mgmt_mode mode;
} township_units[] = {
    {"党政办公室", BM_ORG_OFFICE, BM_MGMT_NONE},
    {"社会事务办公室", BM_ORG_OFFICE, BM_MGMT_NONE},
    {"农业农村办公室", BM_ORG_OFFICE, BM_MGMT_NONE},
    {"农业综合服务中心", BM_ORG_STATION, BM_MGMT_TOWNSHIP},
    {"社区卫生服务中心", BM_ORG_STATION, BM_MGMT_DUAL},
    {"司法所", BM_ORG_STATION, BM_MGMT_COUNTY},
};

struct demo_user {
    const char *username, *display_name, *phone;
    unsigned roles;
    int64_t unit;
};

static enum bm_rc
unit(struct bm_store *st, int64_t parent, enum bm_org_kind kind, const char *name,
     const char *code, enum bm_mgmt_mode mode, int64_t *id, struct bm_err *err)
{
    struct bm_org_unit u;
    memset(&u, 0, sizeof(u));
    u.parent_id = parent;
    u.kind = kind;
    u.name = name;
    u.division_code = code ? code : "";
    u.credit_code = "";
    u.mgmt_mode = mode;
    u.is_active = true;
    return cli_org(st, &u, id, err);
}

/* Service centre, offices and stations of one township; writes the ids demo users need. */
static enum bm_rc
township_set(struct bm_store *st, int64_t tid, const char *tname, int64_t *center,
             int64_t *social_office, struct bm_err *err)
{
    char name[128];
    int64_t id;
    enum bm_rc rc;

    snprintf(name, sizeof(name), "%s便民服务中心", tname);
    rc = unit(st, tid, BM_ORG_SERVICE_CENTER, name, NULL, BM_MGMT_NONE, center, err);
    for (size_t i = 0; rc == BM_OK && i < sizeof(township_units) / sizeof(township_units[0]); i++) {
        rc = unit(st, tid, township_units[i].kind, township_units[i].name, NULL,
                  township_units[i].mode, &id, err);
        if (i == 1)
            *social_office = id;
    }
    return rc;
}

static enum bm_rc
build(struct bm_store *st, const char *admin_pw, const char *pw, struct bm_buf *table,
      struct bm_err *err)
{
    int64_t county, id, dept[9], town[20], xt_center = 0, xt_social = 0, xw_center = 0,
                                           xw_social = 0, county_center;
    enum bm_rc rc;

    rc = cli_init_county(st, "北京市密云区", "110118", admin_pw, &county, err);
    for (size_t i = 0; rc == BM_OK && i < 9; i++)
        rc = unit(st, county, BM_ORG_DEPARTMENT, departments[i], NULL, BM_MGMT_NONE, &dept[i], err);
    if (rc == BM_OK)
        rc = unit(st, county, BM_ORG_SERVICE_CENTER, "北京市密云区政务服务中心", NULL,
                  BM_MGMT_NONE, &county_center, err);
    for (size_t i = 0; rc == BM_OK && i < 20; i++)
        rc = unit(st, county, BM_ORG_TOWNSHIP, townships[i].name, townships[i].code, BM_MGMT_NONE,
                  &town[i], err);
    /* Full set-up for 西田各庄镇 (index 5) and 溪翁庄镇 (index 4); a service centre elsewhere. */
    for (size_t i = 0; rc == BM_OK && i < 20; i++) {
        if (i == 5)
            rc = township_set(st, town[i], townships[i].name, &xt_center, &xt_social, err);
        else if (i == 4)
            rc = township_set(st, town[i], townships[i].name, &xw_center, &xw_social, err);
        else {
            char name[128];
            snprintf(name, sizeof(name), "%s便民服务中心", townships[i].name);
            rc = unit(st, town[i], BM_ORG_SERVICE_CENTER, name, NULL, BM_MGMT_NONE, &id, err);
        }
    }
    for (size_t i = 0; rc == BM_OK && i < sizeof(xtgz_villages) / sizeof(xtgz_villages[0]); i++)
        rc = unit(st, town[5], BM_ORG_VILLAGE, xtgz_villages[i].name, xtgz_villages[i].code,
                  BM_MGMT_NONE, &id, err);
    if (rc != BM_OK)
        return rc;

    {
        const struct demo_user users[] = {
            {"xtgz_clerk", "王丽", "13800000101", BM_ROLE_CLERK, xt_center},
            {"xtgz_handler", "李强", "13800000102", BM_ROLE_HANDLER, xt_social},
            {"xtgz_approver", "张建国", "13800000103", BM_ROLE_APPROVER, town[5]},
            {"xtgz_admin", "赵敏", "13800000104", BM_ROLE_TOWNSHIP_ADMIN, town[5]},
            {"xwz_clerk", "周芳", "13800000201", BM_ROLE_CLERK, xw_center},
            {"xwz_admin", "郑伟", "13800000202", BM_ROLE_TOWNSHIP_ADMIN, town[4]},
            {"rsj_handler", "陈静", "13800000301", BM_ROLE_HANDLER, dept[1]},
            {"rsj_approver", "马丽", "13800000302", BM_ROLE_APPROVER, dept[1]},
            {"mzj_handler", "黄磊", "13800000401", BM_ROLE_HANDLER, dept[2]},
            {"supervisor", "刘洋", "13800000501", BM_ROLE_SUPERVISOR, dept[0]},
            {"evaluator", "孙悦", "", BM_ROLE_EVALUATOR, dept[0]},
            {"auditor", "周正", "", BM_ROLE_AUDITOR, county},
            {"citizen", "吴小梅", "", BM_ROLE_CITIZEN, 0},
        };
        rc = bm_buf_printf(table, "  %-14s %-10s %-16s %s\n", "admin", "县级管理员",
                           "county_admin", admin_pw);
        for (size_t i = 0; rc == BM_OK && i < sizeof(users) / sizeof(users[0]); i++) {
            rc = cli_user(st, users[i].username, users[i].display_name, users[i].phone,
                          users[i].roles, users[i].unit, pw, err);
            if (rc == BM_OK)
                rc = bm_buf_printf(table, "  %-14s %-10s %-16s %s\n", users[i].username,
                                   users[i].display_name,
                                   bm_role_code((enum bm_role)users[i].roles), pw);
        }
    }
    return rc;
}

int
cli_demo(int argc, char **argv)
{
    struct bm_config cfg;
    struct bm_store *st;
    struct bm_err err;
    bool key_created = false;
    struct bm_buf table, banner;
    const char *pw = getenv("BIANMIN_DEMO_PASSWORD"), *admin_pw = getenv("BIANMIN_ADMIN_PASSWORD");
    bool no_serve = false, no_catalog = false;
    const char *cases_arg = NULL;
    int64_t n_cases = 3000;
    const struct cli_opt own[] = {
        {"no-serve", NULL, &no_serve, "create the demo county and exit"},
        {"no-catalog", NULL, &no_catalog, "leave the service catalog empty (for import tests)"},
        {"cases", &cases_arg, NULL, "historical cases to generate (default 3000; 0 for none)"},
        {NULL, NULL, NULL, NULL},
    };
    int64_t n = 0;
    int n_pos, r = cli_parse("demo", "[--db FILE] [--listen HOST:PORT] [--no-serve] [--no-catalog] [--cases N]",
                             argc, argv, &cfg, own, NULL, 0, &n_pos);
    enum bm_rc rc;

    if (r <= 0)
        return r < 0 ? 2 : 0;
    if (cases_arg != NULL && !bm_parse_i64z(cases_arg, 0, 100000000, &n_cases)) {
        fprintf(stderr, "bianmin demo: --cases wants a number from 0 to 100000000\n");
        return 2;
    }
    if (pw == NULL || pw[0] == '\0')
        pw = DEMO_PASSWORD;
    if (admin_pw == NULL || admin_pw[0] == '\0')
        admin_pw = pw;
    if (!cli_data_key(&cfg, &key_created) || (st = cli_open(&cfg, true, true)) == NULL)
        return 1;
    if (!cli_data_key_check(st, &cfg, key_created)) {
        bm_store_close(st);
        return 1;
    }
    bm_err_clear(&err);
    bm_buf_init(&table, 1 << 16);
    bm_buf_init(&banner, 1 << 16);
    /* The shipped calendars are seeded once the county exists, so their audit entries
     * join its chain. */
    rc = bm_store_org_count(st, &n, &err);
    if (rc == BM_OK && n == 0) {
        char db[512];
        bm_url_redact(cfg.db, db, sizeof(db));
        printf("creating the demo county 北京市密云区 in %s ...\n", db);
        fflush(stdout);
        rc = bm_store_begin(st, &err);
        if (rc == BM_OK)
            rc = build(st, admin_pw, pw, &table, &err);
        if (rc == BM_OK)
            rc = bm_store_commit(st, &err);
        bm_store_rollback(st);
        if (rc == BM_OK)
            rc = cli_seed_calendars(st, &err);
        /* The catalog: published items, delegated powers and 西田各庄镇's power list. */
        if (rc == BM_OK && !no_catalog &&
            cli_import_text(st, bm_demo_data[0].text, strlen(bm_demo_data[0].text), true, true) != 0)
            rc = bm_err_set(&err, BM_EINTERNAL, "演示目录导入失败");
        /* Months of history: applications, decisions on time and late, open cases. */
        if (rc == BM_OK && !no_catalog && n_cases > 0) {
            printf("generating %" PRId64 " historical cases ...\n", n_cases);
            fflush(stdout);
            rc = cli_demo_cases(st, &cfg, n_cases, 0, n_cases < 100000, &err);
        }
        /* disclosure: a few publications in every state */
        if (rc == BM_OK && !no_catalog)
            rc = cli_demo_disclosure(st, &err);
        if (rc == BM_OK && !no_catalog)
            rc = cli_demo_participation(st, &err);
        /* township evaluation (绩效考核): this year's systems and an open period */
        if (rc == BM_OK && !no_catalog)
            rc = cli_demo_evaluation(st, &err);
        /* demands */
        if (rc == BM_OK)
            rc = cli_demo_demands(st, &cfg, &err);
    } else if (rc == BM_OK && (rc = cli_seed_calendars(st, &err)) == BM_OK) {
        rc = bm_buf_printf(&table, "  (store already populated; demo passwords as first printed)\n");
    }
    bm_store_close(st);
    if (rc == BM_OK)
        rc = bm_buf_printf(&banner,
                           "\nDemo county: 北京市密云区 (110118), 20 townships, 西田各庄镇 villages, the service catalog, cases\n"
                           "Demo accounts (user name, name, role, password):\n%s\n"
                           "Open http://%s/  ·  health: http://%s/healthz\n",
                           table.ptr ? table.ptr : "", cfg.listen, cfg.listen);
    if (rc != BM_OK) {
        cli_print_err(&err);
        bm_buf_fini(&table);
        bm_buf_fini(&banner);
        return 1;
    }
    bm_buf_fini(&table);
    if (no_serve) {
        printf("%s", banner.ptr);
        bm_buf_fini(&banner);
        return 0;
    }
    r = cli_run_server(&cfg, banner.ptr);
    bm_buf_fini(&banner);
    return r;
}
