/*
 * Demands (诉求 work orders) for the demo county: a handful in most states — waiting for
 * dispatch, dispatched, being handled, answered, closed after a callback, reopened —
 * from the public page, a window and the 12345 hotline, with their trails. Written straight
 * to the store in one transaction; deadlines are approximate (calendar days), which is enough
 * to show them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/demand.h"
#include "core/pii.h"
#include "core/secret.h"
#include "util/time.h"

#define DAY 86400

struct demo_demand {
    const char *category, *urgency, *channel, *hotline_no, *content, *location;
    const char *name, *phone; /* NULL: anonymous report */
    const char *unit;         /* assigned unit by name, NULL: not dispatched */
    const char *status, *reply, *satisfaction;
    int age_days;             /* filed this many days ago */
    int resolved, reopen_count;
};

static const struct demo_demand demo[] = {
    {"complaint", "normal", "online", "", "西田各庄村东口路灯坏了一个多月，晚上出行不便。",
     "西田各庄村", "王建华", "13911112222", NULL, "submitted", "", "", 0, -1, 0},
    {"consult", "normal", "window", "", "新农合今年的缴费标准和截止日期是什么？", "",
     "李秀兰", "13700005678", "西田各庄镇", "dispatched", "", "", 1, -1, 0},
    {"help", "urgent", "hotline_12345", "12345-20261201-0417",
     "独居老人家中自来水管冻裂，请求帮助维修。", "西田各庄镇太子务村", "赵桂芬", "13600001234",
     "西田各庄镇", "accepted", "", "", 2, -1, 0},
    {"report", "normal", "online", "", "有养殖场夜间向白河直排污水。", "溪翁庄镇白河沿岸",
     NULL, NULL, "溪翁庄镇", "accepted", "", "", 3, -1, 0},
    {"suggestion", "normal", "online", "", "建议在镇便民服务中心增设周六上午值班窗口。", "",
     "孙立新", "13500002222", "西田各庄镇", "replied",
     "已研究，自下月起每周六上午开设综合窗口。", "", 6, -1, 0},
    {"complaint", "normal", "hotline_12345", "12345-20261120-0093",
     "小区供暖温度长期不达标。", "溪翁庄镇", "周梅", "13800007777", "溪翁庄镇", "closed",
     "已督促供热单位排查管线，室温已达标。", "satisfied", 14, 1, 0},
    {"complaint", "normal", "online", "", "村道施工后路面坑洼未恢复。", "西田各庄镇",
     "吴建军", "13900003333", "西田各庄镇", "accepted", "", "", 10, 0, 1},
};

static enum bm_rc
event(struct bm_store *st, int64_t id, int64_t at, const char *actor, const char *action,
      const char *from, const char *to, const char *note, struct bm_err *err)
{
    struct bm_demand_event e = {.demand_id = id, .at = at, .actor_name = actor,
                                .action = action, .from_status = from, .to_status = to,
                                .note = note};
    return bm_store_demand_event_insert(st, &e, err);
}

static const struct bm_org_unit *
unit_named(const struct bm_org_unit *us, size_t n, const char *name)
{
    for (size_t i = 0; name != NULL && i < n; i++)
        if (strcmp(us[i].name, name) == 0)
            return &us[i];
    return NULL;
}

enum bm_rc
cli_demo_demands(struct bm_store *st, const struct bm_config *cfg, struct bm_err *err)
{
    struct bm_arena *a = bm_arena_new(1 << 20);
    struct bm_org_unit *us = NULL;
    struct bm_pii_key k;
    size_t n = 0;
    int64_t now = bm_now();
    enum bm_rc rc;

    if (a == NULL)
        return bm_err_set(err, BM_ETOOBIG, "内存不足");
    bm_pii_key_init(&k, cfg->data_key);
    rc = bm_store_org_list(st, "", a, &us, &n, err);
    if (rc == BM_OK && (n == 0 || strlen(us[0].division_code) != 6))
        rc = bm_err_set(err, BM_EINVAL, "演示县缺少区划代码");
    if (rc == BM_OK)
        rc = bm_store_begin(st, err);
    for (size_t i = 0; rc == BM_OK && i < sizeof(demo) / sizeof(demo[0]); i++) {
        const struct demo_demand *x = &demo[i];
        const struct bm_org_unit *u = unit_named(us, n, x->unit);
        int64_t filed = now - (int64_t)x->age_days * DAY - 3600 * (int64_t)(i + 1), id = 0;
        struct bm_demand d;
        char no[BM_DEMAND_NO_LEN + 1], code[7], *mname, *mphone;
        int seq = 0, y, m, dd, ymd;

        bm_day_to_ymd(bm_day_of_instant(filed), &y, &m, &dd);
        ymd = y * 10000 + m * 100 + dd;
        memset(&d, 0, sizeof(d));
        rc = bm_store_demand_next_seq(st, us[0].division_code, ymd, &seq, err);
        if (rc != BM_OK || !bm_demand_no_format(us[0].division_code, ymd, seq, no))
            break;
        bm_secret_digits(code, 6);
        d.ticket_no = no;
        d.query_code = code;
        d.category = x->category;
        d.urgency = x->urgency;
        d.channel = x->channel;
        d.hotline_no = x->hotline_no;
        d.content = x->content;
        d.location = x->location;
        d.status = "submitted";
        d.contact_masked = d.phone_masked = d.reply = d.satisfaction = d.merged_into = "";
        d.contact_enc = (const unsigned char *)"";
        d.resolved = -1;
        d.submitted_at = filed;
        d.is_anonymous = x->name == NULL;
        if (strcmp(x->channel, "window") == 0 && u != NULL) {
            const struct bm_org_unit *w =
                unit_named(us, n, bm_arena_printf(a, "%s便民服务中心", u->name));
            d.intake_unit_id = w != NULL ? w->id : 0;
        }
        if (x->name != NULL) {
            char *plain = bm_arena_printf(a, "%s\x1f%s", x->name, x->phone);
            size_t len = plain ? strlen(plain) : 0;
            unsigned char *sealed = bm_arena_alloc(a, len + BM_PII_OVERHEAD);
            mname = bm_arena_alloc(a, 64);
            mphone = bm_arena_alloc(a, 32);
            if (plain == NULL || sealed == NULL || mname == NULL || mphone == NULL) {
                rc = bm_err_set(err, BM_ETOOBIG, "内存不足");
                break;
            }
            bm_pii_seal(&k, plain, len, sealed);
            bm_pii_mask_name(x->name, mname, 64);
            bm_pii_mask_phone(x->phone, mphone, 32);
            d.contact_enc = sealed;
            d.contact_enc_len = len + BM_PII_OVERHEAD;
            d.contact_masked = mname;
            d.phone_masked = mphone;
        }
        rc = bm_store_demand_insert(st, &d, filed, &id, err);
        if (rc == BM_OK)
            rc = event(st, id, filed, "群众", "submit", "", "submitted",
                       strcmp(x->channel, "hotline_12345") == 0 ? "12345热线转办" : "", err);
        if (rc != BM_OK || u == NULL)
            continue;
        /* Dispatched an hour after filing; the unit accepts and answers in the next days. */
        d.id = id;
        d.version = 1;
        d.unit_id = u->id;
        d.dispatched_at = filed + 3600;
        d.due_at = strcmp(x->urgency, "urgent") == 0
                       ? d.dispatched_at + DAY
                       : d.dispatched_at + (int64_t)bm_demand_limit_days(
                                               (enum bm_demand_category)bm_code_find(
                                                   bm_demand_categories, x->category)) * DAY;
        d.status = x->status;
        d.reply = x->reply;
        d.satisfaction = x->satisfaction;
        d.resolved = x->resolved;
        d.reopen_count = x->reopen_count;
        if (x->reply[0])
            d.replied_at = filed + 2 * DAY;
        if (strcmp(x->status, "closed") == 0)
            d.closed_at = filed + 3 * DAY;
        rc = bm_store_demand_update(st, &d, d.dispatched_at, err);
        if (rc == BM_OK)
            rc = event(st, id, d.dispatched_at, "县级管理员", "dispatch", "submitted",
                       "dispatched", u->name, err);
        if (rc == BM_OK && strcmp(x->status, "dispatched") != 0)
            rc = event(st, id, filed + DAY, u->name, "accept", "dispatched", "accepted", "",
                       err);
        if (rc == BM_OK && x->reopen_count > 0) {
            rc = event(st, id, filed + 2 * DAY, u->name, "reply", "accepted", "replied",
                       "已安排施工单位修补。", err);
            if (rc == BM_OK)
                rc = event(st, id, filed + 3 * DAY, "群众", "callback", "replied", "accepted",
                           "路面仍未修好", err);
        }
        if (rc == BM_OK && x->reply[0])
            rc = event(st, id, d.replied_at, u->name, "reply", "accepted", "replied", "", err);
        if (rc == BM_OK && d.closed_at)
            rc = event(st, id, d.closed_at, "群众", "callback", "replied", "closed", "", err);
    }
    if (rc == BM_OK)
        rc = cli_audit(st, "demo.demands", "demand", 0,
                       bm_arena_printf(a, "{\"demands\":%zu}", sizeof(demo) / sizeof(demo[0])),
                       err);
    if (rc == BM_OK)
        rc = bm_store_commit(st, err);
    bm_store_rollback(st);
    bm_secret_wipe(&k, sizeof(k));
    bm_arena_free(a);
    return rc;
}
