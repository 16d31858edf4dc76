/*
 * Demo disclosure (政务公开 / 村务公开) for `bianmin demo`: a few publications of 西田各庄镇 and
 * its villages, relative to the time the demo is made, so the public list, the feed and the
 * staff views show every state (public, public until a notice period ends, scheduled, draft).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/disclosure.h"
#include "util/time.h"

#define DAY ((int64_t)86400)

static const struct {
    const char *unit, *category, *title, *body;
    int64_t publish_in, withdraw_in; /* seconds from now; withdraw 0: none */
    bool release;
} demo_pubs[] = {
    {"西田各庄镇", "budget", "西田各庄镇2026年部门预算公开",
     "一、收支总体情况\n2026年收入预算 8,652.3 万元，支出预算 8,652.3 万元。\n"
     "二、“三公”经费预算\n公务接待费 2.1 万元，公务用车运行维护费 18.6 万元，因公出国（境）费 0 元。\n"
     "详细表格见镇政府公示栏。",
     -20 * DAY, 0, true},
    {"西田各庄镇", "agricultural_policies", "2026年耕地地力保护补贴发放情况公示",
     "全镇共 2,415 户享受耕地地力保护补贴，补贴面积 18,306.5 亩，每亩 113.6 元。\n"
     "公示期 15 天，如有异议请向镇农业农村办公室反映，电话 010-69041234。",
     -5 * DAY, 10 * DAY, true},
    {"西田各庄村民委员会", "village_finances", "西田各庄村2026年10月村集体财务收支公开",
     "收入：土地租金 12,000 元，上级转移支付 30,000 元。\n"
     "支出：村内道路维修 3,500 元，保洁员工资 6,000 元。\n月末结余 118,230.45 元。",
     -25 * DAY, 0, true},
    {"董各庄村民委员会", "subsistence_list", "董各庄村2026年第四季度低保对象名单公示",
     "本季度低保对象 12 户 19 人，名单张贴于村务公开栏。\n"
     "对名单有异议的，请于公示期内向村委会或镇社会事务办公室反映。",
     -3 * DAY, 7 * DAY, true},
    {"西田各庄村民委员会", "village_projects", "西田各庄村村内道路硬化工程公示",
     "工程内容：硬化村内道路 1.2 公里。\n预算 46 万元，资金来源为镇级财政补助和村集体自筹。\n"
     "施工单位经村民代表会议讨论确定。",
     7 * DAY, 0, true},
    {"西田各庄镇", "statistics", "西田各庄镇2026年前三季度经济运行情况", "（草稿，待统计站核对数据）",
     0, 0, false},
};

static int64_t
unit_named(const struct bm_org_unit *us, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(us[i].name, name) == 0)
            return us[i].id;
    return 0;
}

enum bm_rc
cli_demo_disclosure(struct bm_store *st, struct bm_err *err)
{
    struct bm_arena *a = bm_arena_new(1 << 20);
    struct bm_org_unit *us = NULL;
    struct bm_user admin;
    const char *hash;
    size_t n = 0, made = 0;
    int64_t now = bm_now();
    char detail[64];
    enum bm_rc rc;

    rc = bm_store_org_list(st, "", a, &us, &n, err);
    if (rc == BM_OK)
        rc = bm_store_user_get_login(st, "xtgz_admin", a, &admin, &hash, err);
    if (rc == BM_OK)
        rc = bm_store_begin(st, err);
    for (size_t i = 0; rc == BM_OK && i < sizeof(demo_pubs) / sizeof(demo_pubs[0]); i++) {
        struct bm_publication p;
        struct bm_pub_event e;
        int64_t id = 0;

        memset(&p, 0, sizeof(p));
        p.unit_id = unit_named(us, n, demo_pubs[i].unit);
        if (p.unit_id == 0)
            continue; /* a demo store built without that unit */
        p.category = demo_pubs[i].category;
        p.title = demo_pubs[i].title;
        p.body = demo_pubs[i].body;
        p.status = BM_PUB_S_DRAFT;
        p.created_by = admin.id;
        /* Drafted and published the day before it went public, or yesterday. */
        p.created_at = now + (demo_pubs[i].publish_in < 0 ? demo_pubs[i].publish_in : 0) - DAY;
        rc = bm_store_pub_insert(st, &p, &id, err);
        memset(&e, 0, sizeof(e));
        e.publication_id = id;
        e.at = p.created_at;
        e.actor_id = admin.id;
        e.actor_name = admin.display_name;
        e.action = "create";
        e.detail = "{}";
        if (rc == BM_OK)
            rc = bm_store_pub_event_insert(st, &e, err);
        if (rc == BM_OK && demo_pubs[i].release) {
            p.id = id;
            p.version = 1;
            p.status = BM_PUB_S_RELEASED;
            p.publish_at = now + demo_pubs[i].publish_in;
            p.withdraw_at = demo_pubs[i].withdraw_in ? now + demo_pubs[i].withdraw_in : 0;
            p.released_at = p.created_at;
            p.released_by = admin.id;
            p.withdraw_reason = "";
            p.updated_by = admin.id;
            p.updated_at = p.created_at;
            rc = bm_store_pub_update(st, &p, err);
            e.action = "publish";
            if (rc == BM_OK)
                rc = bm_store_pub_event_insert(st, &e, err);
        }
        made++;
    }
    snprintf(detail, sizeof(detail), "{\"publications\":%zu}", made);
    if (rc == BM_OK)
        rc = cli_audit(st, "demo.publications", "publication", 0, detail, err);
    if (rc == BM_OK)
        rc = bm_store_commit(st, err);
    bm_store_rollback(st);
    bm_arena_free(a);
    return rc;
}
