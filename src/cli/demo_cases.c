/*
 * Historical cases for the demo county and for benchmarks: applications across townships
 * and items over the past months, with realistic timing on the working-day calendar —
 * supplements before acceptance, special procedures, decisions early, on time and late,
 * deliveries at the window and by post, refusals and withdrawals, cases still open (some
 * overdue), and the certificates that approved results leave. Written straight to the
 * store in large transactions, so a million cases take minutes, not hours.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/checksum.h"
#include "core/pii.h"
#include "core/secret.h"
#include "util/time.h"

#define BATCH 500
#define HOUR 3600

struct gen {
    struct bm_store *st;
    struct bm_pii_key key;
    struct bm_calendar cal;
    uint64_t rng;
    struct bm_item *items;
    size_t n_items;
    struct bm_org_unit *units;
    size_t n_units;
    const struct bm_org_unit **windows; /* service centers, first the county's */
    size_t n_windows;
    int64_t now;
    bm_day today;
    int64_t certificates;
};

static uint32_t
rnd(struct gen *g)
{
    /* xorshift64*: fast, reproducible for a seed, plenty for test data. */
    g->rng ^= g->rng >> 12;
    g->rng ^= g->rng << 25;
    g->rng ^= g->rng >> 27;
    return (uint32_t)((g->rng * 0x2545F4914F6CDD1DULL) >> 32);
}

static int
below(struct gen *g, int n)
{
    return n <= 1 ? 0 : (int)(rnd(g) % (uint32_t)n);
}

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴",
                                       "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗"};
static const char *const given[] = {"伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军",
                                    "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞",
                                    "平", "刚", "桂英", "建国", "玉兰", "志强", "春梅", "海燕"};
static const char *const firms[] = {"密云区绿源种植专业合作社", "北京溪翁庄农业发展有限公司",
                                    "北京云湖餐饮管理有限公司", "密云区山里人家民宿",
                                    "北京古北水镇商贸有限公司", "密云区金叶养殖专业合作社"};

/* A synthetic but valid resident ID number of someone born in the county. */
static void
make_id(struct gen *g, char out[19])
{
    int year = 1940 + below(g, 65), month = 1 + below(g, 12), day = 1 + below(g, 28);
    snprintf(out, 19, "110118%04d%02d%02d%03d", year, month, day, 1 + below(g, 998));
    out[17] = bm_id_check_char(out);
    out[18] = '\0';
}

/* A valid unified social credit code of a local enterprise (9 + 1 + 110118 + 9 chars). */
static void
make_uscc(struct gen *g, char out[19])
{
    static const char cs[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    snprintf(out, 19, "91110118");
    for (int i = 8; i < 17; i++)
        out[i] = cs[below(g, 10 + (i == 16 ? 0 : 21))];
    out[17] = bm_uscc_check_char(out);
    out[18] = '\0';
}

/* Seconds of the CST working day `d` at hh:mm. */
static int64_t
at(bm_day d, int hh, int mm)
{
    return (int64_t)d * 86400 - 8 * HOUR + hh * HOUR + mm * 60;
}

static int64_t
office_time(struct gen *g, bm_day d)
{
    return at(d, 8 + below(g, 8), below(g, 60)) + below(g, 60);
}

static bm_day
add_wd(struct gen *g, bm_day d, int n)
{
    return bm_cal_add_working_days(&g->cal, d, n, NULL, 0, NULL);
}

static const struct bm_org_unit *
unit_by_id(struct gen *g, int64_t id)
{
    for (size_t i = 0; i < g->n_units; i++)
        if (g->units[i].id == id)
            return &g->units[i];
    return NULL;
}

/* The top unit under the county of a path ("/1/4/17/" -> unit 4), or NULL at the county. */
static const struct bm_org_unit *
top_of(struct gen *g, const char *path)
{
    const char *p = strchr(path + 1, '/');
    return p && p[1] ? unit_by_id(g, strtoll(p + 1, NULL, 10)) : NULL;
}

/* The window that receives an application for `it`. */
static const struct bm_org_unit *
pick_window(struct gen *g, const struct bm_item *it)
{
    const struct bm_org_unit *top = top_of(g, it->unit_path);

    if (top != NULL && top->kind == BM_ORG_TOWNSHIP) {
        for (size_t i = 1; i < g->n_windows; i++)
            if (strncmp(g->windows[i]->path, top->path, strlen(top->path)) == 0)
                return g->windows[i];
    }
    if (it->county_wide && g->n_windows > 1 && below(g, 10) < 8)
        return g->windows[1 + below(g, (int)g->n_windows - 1)];
    return g->windows[0];
}

static void
town_code(struct gen *g, const struct bm_org_unit *window, char out[13])
{
    const struct bm_org_unit *top = top_of(g, window->path);
    if (top != NULL && top->kind == BM_ORG_TOWNSHIP && strlen(top->division_code) == 12)
        snprintf(out, 13, "%s", top->division_code);
    else
        snprintf(out, 13, "%s000000", g->units[0].division_code);
}

static enum bm_rc
event(struct gen *g, int64_t case_id, int64_t t, const char *actor, const char *action,
      enum bm_case_status from, enum bm_case_status to, const char *note, struct bm_err *err)
{
    struct bm_case_event e = {.case_id = case_id, .at = t, .actor_name = actor, .action = action,
                              .from_status = (int)from < 0 ? "" : bm_case_statuses[from].code,
                              .to_status = bm_case_statuses[to].code, .note = note, .detail = ""};
    return bm_store_case_event_insert(g->st, &e, err);
}

/* One case from application to wherever it stands today. */
static enum bm_rc
one_case(struct gen *g, struct bm_arena *a, struct bm_err *err)
{
    const struct bm_item *it = &g->items[below(g, (int)g->n_items)];
    const struct bm_org_unit *window = pick_window(g, it);
    struct bm_case c;
    struct bm_case_material ms[BM_CASE_MAX_MATERIALS];
    char id[19], phone[12], name[64], plain[160], town[13], no[27], code[8], masked[64];
    unsigned char sealed[160 + BM_PII_OVERHEAD];
    bool legal = (it->objects & BM_OBJECT_LEGAL) && (!(it->objects & BM_OBJECT_NATURAL) || below(g, 4) == 0);
    bool supplemented = below(g, 100) < 14, online = it->online_depth >= 2 && below(g, 100) < 35;
    int r = below(g, 1000), y, m, d, seq = 0;
    bm_day submit, accept_day, decide_day, deliver_day;
    int64_t cid, t_submit, t_accept;
    enum bm_rc rc;
    const char *clerk = "窗口工作人员", *handler = it->unit_name;

    memset(&c, 0, sizeof(c));
    /* Applied on a working day within the last five months. */
    do
        submit = g->today - 1 - below(g, 150);
    while (!bm_cal_is_working_day(&g->cal, submit));
    t_submit = office_time(g, submit);
    if (legal) {
        make_uscc(g, id);
        snprintf(name, sizeof(name), "%s", firms[below(g, 6)]);
        snprintf(masked, sizeof(masked), "%s", name);
    } else {
        make_id(g, id);
        snprintf(name, sizeof(name), "%s%s", surnames[below(g, 20)], given[below(g, 28)]);
        bm_pii_mask_name(name, masked, sizeof(masked));
    }
    snprintf(phone, sizeof(phone), "1%d%09u", 3 + below(g, 7), rnd(g) % 1000000000u);
    snprintf(plain, sizeof(plain), "%s\x1f%s\x1f%s", name, id, phone);
    bm_pii_seal(&g->key, plain, strlen(plain), sealed);
    bm_pii_hash(&g->key, id, c.applicant_hash);
    bm_secret_digits(code, 6);
    town_code(g, window, town);
    bm_day_to_ymd(submit, &y, &m, &d);
    rc = bm_store_case_next_seq(g->st, town, y * 10000 + m * 100 + d, &seq, err);
    if (rc != BM_OK)
        return rc;
    if (!bm_case_no_format(town, y, m, d, seq, no))
        return bm_err_set(err, BM_EINTERNAL, "办件编号超出范围");

    for (size_t i = 0; i < it->n_materials && i < BM_CASE_MAX_MATERIALS; i++) {
        ms[i] = (struct bm_case_material){.ord = (int)i, .name = it->materials[i].name,
                                          .required = it->materials[i].required,
                                          .source = it->materials[i].source, .provided = true};
    }
    c.case_no = no;
    c.query_code = code;
    c.item_id = it->id;
    c.is_online = online;
    c.is_applicant_uscc = legal;
    c.applicant_masked = masked;
    c.applicant_enc = sealed;
    c.applicant_enc_len = strlen(plain) + BM_PII_OVERHEAD;
    c.accepting_unit_id = window->id;
    c.handling_unit_id = it->implementing_unit_id;
    c.promised_days = it->promised_days;
    c.st.needs_approval = it->needs_approval;
    c.summary = "";
    c.delivery_method = c.delivery_ref = "";
    c.submitted_at = t_submit;
    c.visits = online ? 0 : 1;
    c.materials = ms;
    c.n_materials = it->n_materials < BM_CASE_MAX_MATERIALS ? it->n_materials : BM_CASE_MAX_MATERIALS;
    c.accept_day = c.due_day = c.warn_day = BM_DAY_NONE;

    /* Acceptance: the same day at the window, the next working day online, later after
     * a supplement; 3 % refused. */
    accept_day = supplemented ? add_wd(g, submit, 1 + below(g, 4)) : online ? add_wd(g, submit, 1) : submit;
    if (supplemented) {
        c.st.supplement_requests = 1;
        c.visits += online ? 0 : 1;
    }
    if (r < 30 || accept_day >= g->today) {
        c.st.status = r < 30 ? BM_CASE_REJECTED : supplemented ? BM_CASE_SUPPLEMENT_REQUESTED
                                                               : BM_CASE_SUBMITTED;
        if (supplemented && c.st.status == BM_CASE_SUPPLEMENT_REQUESTED && c.n_materials > 0)
            ms[c.n_materials - 1].provided = false;
        if (c.st.status == BM_CASE_REJECTED)
            c.closed_at = t_submit + HOUR;
        rc = bm_store_case_insert(g->st, &c, g->now, &cid, err);
        if (rc == BM_OK)
            rc = event(g, cid, t_submit, online ? masked : clerk, "create", (enum bm_case_status)-1,
                       BM_CASE_SUBMITTED, online ? "网上申请" : "窗口申请", err);
        if (rc == BM_OK && c.st.status == BM_CASE_REJECTED)
            rc = event(g, cid, c.closed_at, clerk, "reject", BM_CASE_SUBMITTED, BM_CASE_REJECTED,
                       "申请事项不属于本机关职权范围，已告知向有关机关申请", err);
        return rc;
    }
    t_accept = office_time(g, accept_day);
    if (t_accept < t_submit)
        t_accept = t_submit + 600;
    c.accepted_at = t_accept;
    c.accept_day = accept_day;
    c.due_day = add_wd(g, accept_day, c.promised_days);
    c.warn_day = bm_cal_warn_day(&g->cal, c.due_day, c.promised_days);

    /* The decision: most early or on time, about one in ten late. */
    {
        int used = c.promised_days == 0 ? 0
                   : below(g, 100) < 10 ? c.promised_days + 1 + below(g, 5)
                                        : below(g, c.promised_days + 1);
        decide_day = add_wd(g, accept_day, used);
    }
    deliver_day = add_wd(g, decide_day, below(g, 3));
    if (r < 50) { /* withdrawn while being handled */
        c.st.status = BM_CASE_WITHDRAWN;
        c.closed_at = office_time(g, add_wd(g, accept_day, 1));
        if (c.closed_at > g->now)
            c.closed_at = g->now - HOUR;
    } else if (decide_day >= g->today) { /* still open today */
        c.st.status = below(g, 10) == 0 ? BM_CASE_ACCEPTED : BM_CASE_PROCESSING;
        c.st.stage = c.st.status == BM_CASE_PROCESSING ? BM_STAGE_HANDLING : BM_STAGE_NONE;
        c.st.has_handler = c.st.status == BM_CASE_PROCESSING;
    } else {
        bool denied = below(g, 100) < 5;
        c.st.status = deliver_day < g->today ? BM_CASE_DELIVERED : BM_CASE_COMPLETED;
        c.st.decision = denied ? BM_DECISION_DENIED : BM_DECISION_APPROVED;
        c.decided_at = office_time(g, decide_day);
        if (c.decided_at < t_accept)
            c.decided_at = t_accept + HOUR;
        c.used_days = bm_cal_working_days_between(&g->cal, accept_day, decide_day, NULL, 0);
        if (c.st.status == BM_CASE_DELIVERED) {
            bool post = (it->deliveries & BM_DELIVERY_POST) && below(g, 4) == 0;
            c.closed_at = office_time(g, deliver_day);
            if (c.closed_at < c.decided_at)
                c.closed_at = c.decided_at + HOUR;
            c.delivery_method = post ? "post" : "window";
            c.delivery_ref = post ? "SF1234567890" : "";
            c.visits += post ? 0 : 1;
        }
    }
    rc = bm_store_case_insert(g->st, &c, g->now, &cid, err);
    /* The warnings of the generated past were sent then: the warning job starts from
     * today's news, not from months of history. */
    if (rc == BM_OK && bm_case_clock_runs(c.st.status) && c.warn_day <= g->today) {
        bool claimed;
        rc = bm_store_case_mark_warned(g->st, cid, c.due_day < g->today ? 2 : 1, c.due_day,
                                       &claimed, err);
    }
    if (rc == BM_OK)
        rc = event(g, cid, t_submit, online ? masked : clerk, "create", (enum bm_case_status)-1,
                   BM_CASE_SUBMITTED, online ? "网上申请" : "窗口申请", err);
    if (rc == BM_OK && supplemented) {
        rc = event(g, cid, t_submit + 900, clerk, "request_supplement", BM_CASE_SUBMITTED,
                   BM_CASE_SUPPLEMENT_REQUESTED, "一次性告知补正材料", err);
        if (rc == BM_OK)
            rc = event(g, cid, t_accept - 600, clerk, "supplement", BM_CASE_SUPPLEMENT_REQUESTED,
                       BM_CASE_SUBMITTED, "", err);
    }
    if (rc == BM_OK)
        rc = event(g, cid, t_accept, clerk, "accept", BM_CASE_SUBMITTED, BM_CASE_ACCEPTED, "", err);
    if (rc == BM_OK && c.st.status == BM_CASE_WITHDRAWN)
        rc = event(g, cid, c.closed_at, masked, "withdraw", BM_CASE_ACCEPTED, BM_CASE_WITHDRAWN,
                   "申请人书面申请撤回", err);
    if (rc == BM_OK && c.st.status >= BM_CASE_PROCESSING && c.st.status != BM_CASE_WITHDRAWN)
        rc = event(g, cid, t_accept + 2 * HOUR, handler, "assign", BM_CASE_ACCEPTED,
                   BM_CASE_PROCESSING, "", err);
    if (rc == BM_OK && c.decided_at != 0)
        rc = event(g, cid, c.decided_at, handler,
                   c.st.decision == BM_DECISION_APPROVED ? "approve" : "deny", BM_CASE_PROCESSING,
                   BM_CASE_COMPLETED,
                   c.st.decision == BM_DECISION_APPROVED ? "" : "经审查不符合申请条件", err);
    if (rc == BM_OK && c.st.status == BM_CASE_DELIVERED)
        rc = event(g, cid, c.closed_at, clerk, "deliver", BM_CASE_COMPLETED, BM_CASE_DELIVERED, "", err);
    /* ratings: most delivered cases are rated (demo_ratings.c) */
    if (rc == BM_OK && c.st.status == BM_CASE_DELIVERED)
        rc = cli_demo_rating(g->st, &g->cal, g->now, &c, cid, err);
    if (rc == BM_OK && c.st.decision == BM_DECISION_APPROVED && it->result_name[0]) {
        struct bm_certificate cert = {.holder_masked = masked, .name = it->result_name,
                                      .case_id = cid, .issuer_unit_id = it->implementing_unit_id,
                                      .issued_at = c.decided_at, .is_valid = true};
        int64_t cert_id;
        memcpy(cert.holder_hash, c.applicant_hash, sizeof(cert.holder_hash));
        cert.number = bm_arena_printf(a, "DZZZ%s", no);
        rc = bm_store_certificate_insert(g->st, &cert, &cert_id, err);
        g->certificates++;
    }
    return rc;
}

/* The calendar as the core wants it: every stored year's entries in one sorted array. */
static enum bm_rc
load_calendar(struct gen *g, struct bm_arena *a, struct bm_err *err)
{
    struct bm_cal_year *ys;
    struct bm_cal_entry *e;
    int *years;
    size_t n = 0, k = 0;
    enum bm_rc rc = bm_store_calendar_load(g->st, a, &ys, &n, err);

    if (rc != BM_OK)
        return rc;
    e = bm_arena_alloc(a, sizeof(*e) * (n * BM_CAL_MAX_ENTRIES + 1));
    years = bm_arena_alloc(a, sizeof(*years) * (n + 1));
    if (e == NULL || years == NULL)
        return bm_err_set(err, BM_EINTERNAL, "内存不足");
    for (size_t i = 0; i < n; i++) {
        years[i] = ys[i].year;
        for (size_t j = 0; j < ys[i].n_entries; j++)
            e[k++] = ys[i].entries[j];
    }
    g->cal = (struct bm_calendar){.entries = e, .n_entries = k, .years = years, .n_years = n};
    return BM_OK;
}

enum bm_rc
cli_demo_cases(struct bm_store *st, const struct bm_config *cfg, int64_t count, uint64_t seed,
               bool quiet, struct bm_err *err)
{
    struct bm_arena *a = bm_arena_new(64 << 20);
    struct gen g;
    struct bm_item_query q;
    struct bm_item *found;
    size_t n_found = 0;
    enum bm_rc rc;

    if (a == NULL)
        return bm_err_set(err, BM_EINTERNAL, "内存不足");
    memset(&g, 0, sizeof(g));
    g.st = st;
    g.rng = seed ? seed : 0x9E3779B97F4A7C15ULL;
    g.now = bm_now();
    g.today = bm_day_of_instant(g.now);
    bm_pii_key_init(&g.key, cfg->data_key);
    memset(&q, 0, sizeof(q));
    q.category = q.township_path = q.unit_prefix = "";
    q.status = "published";
    q.limit = 5000;
    rc = load_calendar(&g, a, err);
    if (rc == BM_OK)
        rc = bm_store_items_search(st, &q, a, &found, &n_found, err);
    if (rc == BM_OK && n_found == 0)
        rc = bm_err_set(err, BM_EINVAL, "目录中没有已发布的事项，无法生成办件");
    g.items = bm_arena_alloc(a, sizeof(*g.items) * (n_found + 1));
    for (size_t i = 0; rc == BM_OK && i < n_found; i++)
        if ((rc = bm_store_item_get(st, found[i].id, a, &g.items[g.n_items], err)) == BM_OK &&
            g.items[g.n_items].promised_days <= 60)
            g.n_items++;
    if (rc == BM_OK)
        rc = bm_store_org_list(st, "", a, &g.units, &g.n_units, err);
    g.windows = bm_arena_alloc(a, sizeof(*g.windows) * (g.n_units + 1));
    for (size_t i = 0; rc == BM_OK && i < g.n_units; i++) {
        const struct bm_org_unit *top = top_of(&g, g.units[i].path);
        if (g.units[i].kind != BM_ORG_SERVICE_CENTER || !g.units[i].is_active)
            continue;
        if (top == &g.units[i] || top == NULL) { /* the county's own center goes first */
            memmove(g.windows + 1, g.windows, sizeof(*g.windows) * g.n_windows);
            g.windows[0] = &g.units[i];
        } else {
            g.windows[g.n_windows] = &g.units[i];
        }
        g.n_windows++;
    }
    if (rc == BM_OK && (g.n_windows == 0 || g.n_units == 0 || g.units[0].kind != BM_ORG_COUNTY))
        rc = bm_err_set(err, BM_EINVAL, "县里没有便民服务中心，无法生成办件");
    for (int64_t done = 0; rc == BM_OK && done < count;) {
        struct bm_arena *ca = bm_arena_new(8 << 20);
        rc = bm_store_begin(st, err);
        for (int i = 0; rc == BM_OK && i < BATCH && done < count; i++, done++)
            rc = one_case(&g, ca, err);
        if (rc == BM_OK)
            rc = bm_store_commit(st, err);
        bm_store_rollback(st);
        bm_arena_free(ca);
        if (!quiet && rc == BM_OK && (done % 100000 == 0 || done == count))
            fprintf(stderr, "  %" PRId64 " cases\n", done);
    }
    if (rc == BM_OK) {
        char detail[96];
        snprintf(detail, sizeof(detail), "{\"cases\":%" PRId64 ",\"certificates\":%" PRId64 "}",
                 count, g.certificates);
        rc = bm_store_begin(st, err);
        if (rc == BM_OK)
            rc = cli_audit(st, "demo.cases", "case", 0, detail, err);
        if (rc == BM_OK)
            rc = bm_store_commit(st, err);
        bm_store_rollback(st);
    }
    bm_secret_wipe(&g.key, sizeof(g.key));
    bm_arena_free(a);
    return rc;
}
