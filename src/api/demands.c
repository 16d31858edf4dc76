/*
 * Demands (诉求) as work orders (docs/domain.md 5): filed on the public page, at a window or
 * imported from the 12345 hotline; dispatched to a unit, accepted or returned, answered,
 * called back and closed, reopened once when the citizen is neither helped nor satisfied,
 * merged when duplicated. The state machine is core/demand.c; this file checks input, scope
 * and actor, computes deadlines with the working-day calendar and writes the trail.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "api/cases.h"
#include "api/handlers.h"
#include "api/json.h"
#include "core/access.h"
#include "core/demand.h"
#include "core/secret.h"
#include "util/parse.h"
#include "util/utf8.h"

#define CONTENT_MAX 2000
#define IMPORT_MAX 200
#define CST_OFFSET_S (8 * 3600)

/* ---- input ---- */

struct filing {
    const char *category, *urgency, *content, *location, *hotline_no;
    const char *name, *phone;
    bool anonymous;
};

static bool
phone_valid(const char *p)
{
    size_t n = strlen(p), digits = 0;

    if (n == 11 && p[0] == '1' && p[1] >= '3' && p[1] <= '9') {
        for (size_t i = 0; i < n; i++)
            if (p[i] < '0' || p[i] > '9')
                return false;
        return true;
    }
    /* A landline with its area code: 010-12345678, 0571-8765432. */
    if (p[0] != '0' || n < 10 || n > 13)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '-' && i >= 3 && i <= 4 && digits == i)
            continue;
        if (p[i] < '0' || p[i] > '9')
            return false;
        digits++;
    }
    return digits >= 10 && digits <= 12;
}

static bool
blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return false;
    return true;
}

/* Field errors added since `from` name keys of a nested object: give them its path. */
static void
prefix_fields(struct bm_req *rq, int from, const char *prefix)
{
    bm_err_prefix_fields(&rq->err, from, prefix);
}

/* Refuses unknown fields; the errors join the other field errors in rq->err. */
static void
only(struct bm_req *rq, json_t *o, const char *const *allowed)
{
    if (bm_json_only(rq, o, allowed) != BM_OK)
        return;
}

enum source { SRC_PUBLIC, SRC_WINDOW, SRC_HOTLINE };

/*
 * Reads one filing. Residents give category, content and contact (a report may be
 * anonymous); staff may also set the urgency; the hotline adds its own order number.
 * Errors accumulate in rq->err with field names under `prefix`.
 */
static void
read_filing(struct bm_req *rq, json_t *o, enum source src, const char *prefix, struct filing *f)
{
    static const char *const public_fields[] = {"category", "content", "contact", "anonymous",
                                                "location", NULL};
    static const char *const staff_fields[] = {"category", "content", "contact", "anonymous",
                                               "location", "urgency", NULL};
    static const char *const hotline_fields[] = {"hotline_no", "category", "content", "contact",
                                                 "anonymous", "location", "urgency", NULL};
    static const char *const contact_fields[] = {"name", "phone", NULL};
    int from = rq->err.n_fields, cfrom;
    json_t *c;

    memset(f, 0, sizeof(*f));
    f->urgency = "normal";
    f->location = f->hotline_no = "";
    only(rq, o, src == SRC_PUBLIC ? public_fields : src == SRC_WINDOW ? staff_fields
                                                                       : hotline_fields);
    (void)bm_json_get_str(rq, o, "category", true, 16, &f->category, NULL);
    (void)bm_json_get_str(rq, o, "content", true, CONTENT_MAX, &f->content, NULL);
    (void)bm_json_get_str(rq, o, "location", false, 200, &f->location, NULL);
    (void)bm_json_get_bool(rq, o, "anonymous", false, &f->anonymous, NULL);
    if (src != SRC_PUBLIC)
        (void)bm_json_get_str(rq, o, "urgency", false, 16, &f->urgency, NULL);
    if (src == SRC_HOTLINE)
        (void)bm_json_get_str(rq, o, "hotline_no", true, 40, &f->hotline_no, NULL);
    if (f->category != NULL && bm_code_find(bm_demand_categories, f->category) < 0)
        (void)bm_err_field(&rq->err, "category",
                           "应为 consult、help、complaint、report、suggestion 或 praise");
    if (f->content != NULL && blank(f->content))
        (void)bm_err_field(&rq->err, "content", "请填写诉求内容");
    if (f->urgency == NULL)
        f->urgency = "normal";
    else if (strcmp(f->urgency, "normal") != 0 && strcmp(f->urgency, "urgent") != 0)
        (void)bm_err_field(&rq->err, "urgency", "应为 normal（一般）或 urgent（紧急）");
    if (f->location == NULL)
        f->location = "";
    if (f->hotline_no == NULL)
        f->hotline_no = "";
    else if (src == SRC_HOTLINE && blank(f->hotline_no))
        (void)bm_err_field(&rq->err, "hotline_no", "请填写12345工单编号");
    c = json_object_get(o, "contact");
    if (f->anonymous) {
        /* Only a report may be anonymous: the query code is then the only way back. */
        if (f->category != NULL && strcmp(f->category, "report") != 0)
            (void)bm_err_field(&rq->err, "anonymous", "只有举报可以匿名提交");
        if (c != NULL && !json_is_null(c))
            (void)bm_err_field(&rq->err, "contact", "匿名举报不应填写联系人");
    } else if (!json_is_object(c)) {
        (void)bm_err_field(&rq->err, "contact", "必填，应为对象（匿名举报除外）");
    } else {
        cfrom = rq->err.n_fields;
        only(rq, c, contact_fields);
        (void)bm_json_get_str(rq, c, "name", true, 50, &f->name, NULL);
        (void)bm_json_get_str(rq, c, "phone", true, 20, &f->phone, NULL);
        prefix_fields(rq, cfrom, "contact.");
        if (f->name != NULL && blank(f->name))
            (void)bm_err_field(&rq->err, "contact.name", "请填写联系人姓名");
        if (f->phone != NULL && !phone_valid(f->phone))
            (void)bm_err_field(&rq->err, "contact.phone",
                               "联系电话应为11位手机号或带区号的固定电话");
    }
    if (prefix[0] != '\0')
        prefix_fields(rq, from, prefix);
}

/* ---- helpers ---- */

/* The instant a deadline day ends (24:00 China Standard Time). */
static int64_t
day_end(bm_day d)
{
    return ((int64_t)d + 1) * 86400 - CST_OFFSET_S;
}

/*
 * Sets the order's deadline from `start` (an instant): urgent orders within 24 hours, the
 * others on the n-th working day after the start day, n by category plus any extension.
 */
static enum bm_rc
set_deadline(struct bm_req *rq, struct bm_demand *d, int64_t start)
{
    struct bm_calendar cal;
    int cat = bm_code_find(bm_demand_categories, d->category);
    enum bm_rc rc;

    if (strcmp(d->urgency, "urgent") == 0) {
        d->due_at = start + BM_DEMAND_URGENT_HOURS * 3600 +
                    (int64_t)d->extension_days * 86400;
        return BM_OK;
    }
    if ((rc = bm_api_calendar(rq, &cal)) != BM_OK)
        return rc;
    d->due_at = day_end(bm_cal_add_working_days(
        &cal, bm_day_of_instant(start),
        bm_demand_limit_days((enum bm_demand_category)(cat < 0 ? 0 : cat)) + d->extension_days,
        NULL, 0, NULL));
    return BM_OK;
}

/* The county's 6-digit code for ticket numbers: from the intake unit, else the store's county. */
static enum bm_rc
county_code(struct bm_req *rq, const char *unit_path, char out[7])
{
    struct bm_org_unit u, *all;
    size_t n = 0;
    enum bm_rc rc;

    if (unit_path != NULL && unit_path[0] == '/') {
        long long id = strtoll(unit_path + 1, NULL, 10);
        rc = bm_store_org_get(rq->store, id, rq->arena, &u, &rq->err);
        if (rc != BM_OK)
            return rc;
    } else {
        rc = bm_store_org_list(rq->store, "", rq->arena, &all, &n, &rq->err);
        if (rc != BM_OK)
            return rc;
        for (size_t i = 0; i < n; i++)
            if (all[i].parent_id == 0) {
                u = all[i];
                goto found;
            }
        return bm_err_set(&rq->err, BM_EINTERNAL, "尚未建立县级单位，无法受理诉求");
    }
found:
    if (strlen(u.division_code) != 6)
        return bm_err_set(&rq->err, BM_EINVAL, "县级单位缺少行政区划代码，无法生成工单编号");
    memcpy(out, u.division_code, 7);
    return BM_OK;
}

static enum bm_rc
add_event(struct bm_req *rq, const struct bm_demand *d, const char *action, const char *from,
          const char *note)
{
    struct bm_demand_event e;

    memset(&e, 0, sizeof(e));
    e.demand_id = d->id;
    e.at = rq->now;
    e.actor_id = rq->who.user_id;
    e.actor_name = rq->is_authenticated ? rq->auth.user.display_name : "群众";
    e.action = action;
    e.from_status = from;
    e.to_status = d->status;
    e.note = note ? note : "";
    return bm_store_demand_event_insert(rq->store, &e, &rq->err);
}

/* Seals the contact and fills the demand's fields for one filing (not yet stored). */
static enum bm_rc
prepare(struct bm_req *rq, const struct filing *f, const char *channel, int64_t intake_unit_id,
        struct bm_demand *d)
{
    char *code = bm_arena_alloc(rq->arena, 7);

    memset(d, 0, sizeof(*d));
    if (code == NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    bm_secret_digits(code, 6);
    d->query_code = code;
    d->category = f->category;
    d->urgency = f->urgency;
    d->channel = channel;
    d->hotline_no = f->hotline_no;
    d->content = f->content;
    d->location = f->location;
    d->is_anonymous = f->anonymous;
    d->contact_masked = d->phone_masked = "";
    d->contact_enc = (const unsigned char *)"";
    d->status = bm_demand_statuses[BM_DEMAND_SUBMITTED].code;
    d->intake_unit_id = intake_unit_id;
    d->submitted_at = rq->now;
    d->resolved = -1;
    d->reply = d->satisfaction = d->merged_into = "";
    if (!f->anonymous) {
        struct bm_pii_key k;
        char *plain = bm_arena_printf(rq->arena, "%s\x1f%s", f->name, f->phone);
        char *mname = bm_arena_alloc(rq->arena, 64), *mphone = bm_arena_alloc(rq->arena, 32);
        unsigned char *sealed;
        size_t len;

        if (plain == NULL || mname == NULL || mphone == NULL)
            return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
        len = strlen(plain);
        if ((sealed = bm_arena_alloc(rq->arena, len + BM_PII_OVERHEAD)) == NULL)
            return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
        bm_api_pii_key(rq, &k);
        bm_pii_seal(&k, plain, len, sealed);
        bm_secret_wipe(&k, sizeof(k));
        bm_secret_wipe(plain, len);
        bm_pii_mask_name(f->name, mname, 64);
        bm_pii_mask_phone(f->phone, mphone, 32);
        d->contact_enc = sealed;
        d->contact_enc_len = len + BM_PII_OVERHEAD;
        d->contact_masked = mname;
        d->phone_masked = mphone;
    }
    return BM_OK;
}

/* Numbers and inserts a prepared demand inside the caller's transaction, with its trail. */
static enum bm_rc
insert(struct bm_req *rq, struct bm_demand *d, const char *county, const char *note)
{
    char *no = bm_arena_alloc(rq->arena, BM_DEMAND_NO_LEN + 1);
    int seq = 0, ymd = bm_api_ymd(bm_day_of_instant(rq->now));
    enum bm_rc rc;

    if (no == NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    rc = bm_store_demand_next_seq(rq->store, county, ymd, &seq, &rq->err);
    if (rc == BM_OK && !bm_demand_no_format(county, ymd, seq, no))
        rc = bm_err_set(&rq->err, BM_ECONFLICT, "今日工单编号已用完");
    if (rc != BM_OK)
        return rc;
    d->ticket_no = no;
    rc = bm_store_demand_insert(rq->store, d, rq->now, &d->id, &rq->err);
    if (rc == BM_OK)
        rc = add_event(rq, d, "submit", "", note);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "demand.create", "demand", d->id,
                          json_pack("{s:s,s:s,s:s,s:s}", "ticket_no", d->ticket_no, "category",
                                    d->category, "channel", d->channel, "hotline_no",
                                    d->hotline_no));
    return rc;
}

/* ---- JSON ---- */

static json_t *
events_json(struct bm_req *rq, const struct bm_demand *d, bool staff, enum bm_rc *rc)
{
    struct bm_demand_event *ev;
    size_t n = 0;
    json_t *a = json_array();

    *rc = bm_store_demand_events(rq->store, d->id, rq->arena, &ev, &n, &rq->err);
    for (size_t i = 0; *rc == BM_OK && i < n; i++) {
        int k = bm_code_find(bm_demand_actions, ev[i].action);
        json_t *o = json_pack("{s:s,s:s,s:o,s:s,s:s}", "action", ev[i].action, "action_name",
                              k >= 0 ? bm_demand_actions[k].zh : "提交", "at",
                              bm_json_time(ev[i].at), "from_status", ev[i].from_status,
                              "to_status", ev[i].to_status);
        if (staff) {
            json_object_set_new(o, "actor", json_string(ev[i].actor_name));
            json_object_set_new(o, "note", json_string(ev[i].note));
        }
        json_array_append_new(a, o);
    }
    return a;
}

static bool
may_act(const struct bm_req *rq, const struct bm_demand *d, enum bm_demand_action a)
{
    return bm_access_demand_actor(&rq->who, (int)bm_demand_action_actor(a), d->intake_path,
                                  d->unit_path);
}

static struct bm_demand_state
state_of(const struct bm_demand *d)
{
    struct bm_demand_state s;
    int k = bm_code_find(bm_demand_statuses, d->status);

    s.status = k < 0 ? BM_DEMAND_CLOSED : (enum bm_demand_status)k;
    s.has_unit = d->unit_id != 0;
    s.extension_days = d->extension_days;
    s.reopen_count = d->reopen_count;
    return s;
}

static json_t *
demand_json(struct bm_req *rq, const struct bm_demand *d, bool staff)
{
    int cat = bm_code_find(bm_demand_categories, d->category);
    int st = bm_code_find(bm_demand_statuses, d->status);
    bool open = st >= 0 && bm_demand_is_open((enum bm_demand_status)st);
    json_t *o = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:b,s:s,s:o,s:o}", "ticket_no", d->ticket_no,
        "category", d->category, "category_name", cat >= 0 ? bm_demand_categories[cat].zh : "",
        "status", d->status, "status_name", st >= 0 ? bm_demand_statuses[st].zh : "", "urgency",
        d->urgency, "channel", d->channel, "submitted_at", bm_json_time(d->submitted_at),
        "due_at", bm_json_time(d->due_at), "overdue", open && d->due_at > 0 && rq->now > d->due_at,
        "reply", d->reply, "replied_at", bm_json_time(d->replied_at), "closed_at",
        bm_json_time(d->closed_at));

    json_object_set_new(o, "unit", d->unit_id ? json_pack("{s:I,s:s}", "id",
                                                          (json_int_t)d->unit_id, "name",
                                                          d->unit_name)
                                               : json_null());
    json_object_set_new(o, "resolved", d->resolved < 0 ? json_null() : json_boolean(d->resolved));
    json_object_set_new(o, "satisfaction",
                        d->satisfaction[0] ? json_string(d->satisfaction) : json_null());
    json_object_set_new(o, "merged_into",
                        d->merged_into[0] ? json_string(d->merged_into) : json_null());
    json_object_set_new(o, "reopen_count", json_integer(d->reopen_count));
    json_object_set_new(o, "extension_days", json_integer(d->extension_days));
    if (staff) {
        json_t *allowed = json_array();
        json_object_set_new(o, "content", json_string(d->content));
        json_object_set_new(o, "location", json_string(d->location));
        json_object_set_new(o, "hotline_no", json_string(d->hotline_no));
        json_object_set_new(o, "anonymous", json_boolean(d->is_anonymous));
        json_object_set_new(o, "contact", d->is_anonymous
                                              ? json_null()
                                              : json_pack("{s:s,s:s}", "name", d->contact_masked,
                                                          "phone", d->phone_masked));
        json_object_set_new(o, "version", json_integer(d->version));
        for (int a = 0; a < BM_DA_N_ACTIONS; a++) {
            struct bm_demand_state s = state_of(d);
            struct bm_err e = {0};
            if (may_act(rq, d, (enum bm_demand_action)a) &&
                bm_demand_apply(&s, (enum bm_demand_action)a, true, false, &e) == BM_OK)
                json_array_append_new(allowed, json_string(bm_demand_actions[a].code));
        }
        json_object_set_new(o, "allowed_actions", allowed);
    }
    return o;
}

/* ---- filing ---- */

static enum bm_rc
file_one(struct bm_req *rq, struct bm_resp *rs, enum source src)
{
    struct filing f;
    struct bm_demand d;
    char county[7];
    json_t *body;
    enum bm_rc rc = bm_json_body(rq, &body);

    if (rc != BM_OK)
        return rc;
    read_filing(rq, body, src, "", &f);
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    rc = prepare(rq, &f, src == SRC_WINDOW ? "window" : "online",
                 src == SRC_WINDOW ? rq->who.org_unit_id : 0, &d);
    if (rc == BM_OK)
        rc = county_code(rq, src == SRC_WINDOW ? rq->who.org_path : NULL, county);
    if (rc == BM_OK)
        rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = insert(rq, &d, county, src == SRC_WINDOW ? "窗口登记" : "网上提交");
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc != BM_OK) {
        bm_store_rollback(rq->store);
        return rc;
    }
    bm_resp_header(rs, "Location",
                   bm_arena_printf(rq->arena, "/api/v1/public/demands/%s", d.ticket_no));
    return bm_json_reply(rq, rs, 201,
                         json_pack("{s:s,s:s,s:s,s:s,s:b}", "ticket_no", d.ticket_no,
                                   "query_code", d.query_code, "status", d.status, "category",
                                   d.category, "anonymous", d.is_anonymous));
}

/* POST /api/v1/public/demands: anyone, no log-in. */
enum bm_rc
bm_api_public_demands_create(struct bm_req *rq, struct bm_resp *rs)
{
    return file_one(rq, rs, SRC_PUBLIC);
}

/* POST /api/v1/demands: a demand taken down at a window (or by phone at the township). */
enum bm_rc
bm_api_demands_create(struct bm_req *rq, struct bm_resp *rs)
{
    if (rq->who.org_unit_id == 0)
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "您不属于任何单位，不能登记诉求");
    return file_one(rq, rs, SRC_WINDOW);
}

/*
 * POST /api/v1/demands/import {"orders": [...]}: orders handed over by the 12345 hotline.
 * All or nothing: one bad order refuses the batch. An order whose hotline number is already
 * here is reported as existing and not filed again, so a batch may be sent twice.
 */
enum bm_rc
bm_api_demands_import(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"orders", NULL};
    json_t *body, *orders, *o, *created = json_array(), *existing = json_array();
    struct filing *fs;
    struct bm_demand d;
    char county[7];
    size_t n, i;
    enum bm_rc rc = bm_json_body(rq, &body);

    if (rc != BM_OK || (rc = bm_json_only(rq, body, fields)) != BM_OK)
        goto fail;
    orders = json_object_get(body, "orders");
    if (!json_is_array(orders) || json_array_size(orders) == 0 ||
        json_array_size(orders) > IMPORT_MAX) {
        rc = bm_err_field(&rq->err, "orders", "应为 1 至 %d 条工单的数组", IMPORT_MAX);
        goto fail;
    }
    n = json_array_size(orders);
    if ((fs = bm_arena_alloc(rq->arena, sizeof(*fs) * n)) == NULL) {
        rc = bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
        goto fail;
    }
    json_array_foreach(orders, i, o) {
        char prefix[32];
        snprintf(prefix, sizeof(prefix), "orders[%zu].", i);
        if (!json_is_object(o)) {
            (void)bm_err_field(&rq->err, bm_arena_printf(rq->arena, "orders[%zu]", i), "应为对象");
            continue;
        }
        read_filing(rq, o, SRC_HOTLINE, prefix, &fs[i]);
        for (size_t k = 0; k < i && rq->err.n_fields == 0; k++)
            if (strcmp(fs[k].hotline_no, fs[i].hotline_no) == 0)
                (void)bm_err_field(&rq->err,
                                   bm_arena_printf(rq->arena, "orders[%zu].hotline_no", i),
                                   "与第 %zu 条工单编号重复", k + 1);
        if (rq->err.n_fields >= BM_ERR_FIELDS)
            break;
    }
    if (rq->err.n_fields > 0) {
        rc = BM_EINVAL;
        goto fail;
    }
    if ((rc = county_code(rq, rq->who.org_path, county)) != BM_OK)
        goto fail;
    if ((rc = bm_store_begin(rq->store, &rq->err)) != BM_OK)
        goto fail;
    for (i = 0; rc == BM_OK && i < n; i++) {
        struct bm_demand_query q = {.hotline_no = fs[i].hotline_no, .limit = 1};
        struct bm_demand *found;
        size_t nf = 0;

        rc = bm_store_demands_list(rq->store, &q, rq->arena, &found, &nf, &rq->err);
        if (rc == BM_OK && nf > 0) {
            json_array_append_new(existing, json_pack("{s:s,s:s}", "hotline_no", fs[i].hotline_no,
                                                      "ticket_no", found[0].ticket_no));
            continue;
        }
        if (rc == BM_OK)
            rc = prepare(rq, &fs[i], "hotline_12345", 0, &d);
        if (rc == BM_OK)
            rc = insert(rq, &d, county, "12345热线转办");
        if (rc == BM_OK)
            json_array_append_new(created,
                                  json_pack("{s:s,s:s,s:s}", "hotline_no", fs[i].hotline_no,
                                            "ticket_no", d.ticket_no, "query_code",
                                            d.query_code));
    }
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc != BM_OK) {
        bm_store_rollback(rq->store);
        goto fail;
    }
    return bm_json_reply(rq, rs, 200,
                         json_pack("{s:o,s:o}", "created", created, "existing", existing));
fail:
    json_decref(created);
    json_decref(existing);
    return rc;
}

/* ---- reading ---- */

/* Loads an order the caller may see (staff within their scope); 404 otherwise. */
static enum bm_rc
load(struct bm_req *rq, const char *ticket_no, struct bm_demand *d)
{
    char scope[BM_ORG_PATH_MAX];
    enum bm_rc rc;

    if (!bm_demand_no_valid(ticket_no))
        return bm_err_set(&rq->err, BM_ENOTFOUND, "工单不存在");
    rc = bm_store_demand_get(rq->store, ticket_no, rq->arena, d, &rq->err);
    if (rc != BM_OK)
        return rc;
    if (!bm_access_demand_scope(&rq->who, scope, sizeof(scope)))
        return bm_err_set(&rq->err, BM_ENOTFOUND, "工单不存在");
    if (scope[0] == '\0' ? strcmp(d->county_code, rq->auth.user.county_code) == 0
                         : (strncmp(d->unit_path, scope, strlen(scope)) == 0 ||
                            strncmp(d->intake_path, scope, strlen(scope)) == 0))
        return BM_OK;
    return bm_err_set(&rq->err, BM_ENOTFOUND, "工单不存在");
}

enum bm_rc
bm_api_demands_get(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_demand d;
    json_t *o;
    enum bm_rc rc = load(rq, rq->params[0], &d);

    if (rc != BM_OK)
        return rc;
    o = demand_json(rq, &d, true);
    json_object_set_new(o, "events", events_json(rq, &d, true, &rc));
    if (rc != BM_OK) {
        json_decref(o);
        return rc;
    }
    bm_resp_header(rs, "ETag", bm_arena_printf(rq->arena, "\"%" PRId64 "\"", d.version));
    return bm_json_reply(rq, rs, 200, o);
}

/* GET /api/v1/demands?status=&category=&unit_id=&overdue=true */
enum bm_rc
bm_api_demands_list(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_demand_query q;
    struct bm_demand *ds;
    char scope[BM_ORG_PATH_MAX];
    const char *v;
    size_t n = 0;
    int64_t cursor;
    json_t *items;
    enum bm_rc rc;

    memset(&q, 0, sizeof(q));
    if (!bm_access_demand_scope(&rq->who, scope, sizeof(scope)))
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "您无权查看诉求工单");
    q.county_code = rq->auth.user.county_code;
    q.scope_prefix = scope;
    if ((v = bm_req_query(rq, "status")) != NULL && v[0]) {
        if (bm_code_find(bm_demand_statuses, v) < 0)
            return bm_err_field(&rq->err, "status", "未知的工单状态");
        q.status = v;
    }
    if ((v = bm_req_query(rq, "category")) != NULL && v[0]) {
        if (bm_code_find(bm_demand_categories, v) < 0)
            return bm_err_field(&rq->err, "category", "未知的诉求类型");
        q.category = v;
    }
    if ((v = bm_req_query(rq, "unit_id")) != NULL && v[0] &&
        !bm_parse_i64z(v, 1, INT64_MAX, &q.unit_id))
        return bm_err_field(&rq->err, "unit_id", "应为单位编号");
    if ((v = bm_req_query(rq, "overdue")) != NULL && v[0]) {
        if (strcmp(v, "true") == 0)
            q.overdue_at = rq->now;
        else if (strcmp(v, "false") != 0)
            return bm_err_field(&rq->err, "overdue", "应为 true 或 false");
    }
    if ((v = bm_req_query(rq, "hotline_no")) != NULL && v[0])
        q.hotline_no = v;
    rc = bm_req_page(rq, 20, 200, &q.limit, &cursor);
    q.after_id = cursor;
    if (rc == BM_OK)
        rc = bm_store_demands_list(rq->store, &q, rq->arena, &ds, &n, &rq->err);
    if (rc != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n && (int)i < q.limit; i++)
        json_array_append_new(items, demand_json(rq, &ds[i], true));
    return bm_json_page(rq, rs, items, (int)n > q.limit,
                        n > 0 ? ds[n > (size_t)q.limit ? (size_t)q.limit - 1 : n - 1].id : 0);
}

/*
 * Public lookups check the query code; guessing it is throttled like a password, per
 * ticket and per client address, with the log-in limits and window.
 */
static enum bm_rc
public_load(struct bm_req *rq, struct bm_demand *d)
{
    const char *code = bm_req_query(rq, "code");
    const char *key = bm_arena_printf(rq->arena, "demand:%.30s", rq->params[0]);
    int64_t n_key = 0, n_ip = 0;
    enum bm_rc rc;

    if (key == NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    rc = bm_store_login_failures(rq->store, key, rq->client_ip,
                                 rq->now - rq->cfg->login_window_s, &n_key, &n_ip, &rq->err);
    if (rc != BM_OK)
        return rc;
    if (n_key >= rq->cfg->login_max_failures || n_ip >= rq->cfg->login_ip_max_failures) {
        rq->err.retry_after_s = rq->cfg->login_window_s;
        return bm_err_set(&rq->err, BM_ETHROTTLED, "查询码错误次数过多，请 %d 分钟后再试",
                          rq->cfg->login_window_s / 60);
    }
    if (!bm_demand_no_valid(rq->params[0]) || code == NULL ||
        bm_store_demand_get(rq->store, rq->params[0], rq->arena, d, &rq->err) != BM_OK ||
        !bm_secret_equal(code, d->query_code)) {
        bm_err_clear(&rq->err);
        if (bm_store_login_failure_add(rq->store, key, rq->client_ip, rq->now, &rq->err) != BM_OK)
            return rq->err.rc;
        return bm_err_set(&rq->err, BM_ENOTFOUND, "工单编号或查询码不正确");
    }
    return BM_OK;
}

/* GET /api/v1/public/demands/{ticket_no}?code=: progress and answer, no personal data. */
enum bm_rc
bm_api_public_demand_get(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_demand d;
    json_t *o;
    enum bm_rc rc = public_load(rq, &d);

    if (rc != BM_OK)
        return rc;
    o = demand_json(rq, &d, false);
    json_object_set_new(o, "events", events_json(rq, &d, false, &rc));
    json_object_set_new(o, "feedback_open", json_boolean(strcmp(d.status, "replied") == 0));
    if (rc != BM_OK) {
        json_decref(o);
        return rc;
    }
    return bm_json_reply(rq, rs, 200, o);
}

/* ---- changes ---- */

/* Queues the text message that tells the citizen the answer is there (not for anonymous). */
static enum bm_rc
notify_reply(struct bm_req *rq, const struct bm_demand *d)
{
    struct bm_pii_key k;
    struct bm_outbox_msg m;
    size_t cap = d->contact_enc_len + 1, len;
    char *plain = bm_arena_alloc(rq->arena, cap), *phone;
    unsigned char *sealed;
    bool ok;

    if (d->is_anonymous)
        return BM_OK;
    if (plain == NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    bm_api_pii_key(rq, &k);
    ok = bm_pii_open(&k, d->contact_enc, d->contact_enc_len, plain, cap);
    if (!ok || (phone = strchr(plain, '\x1f')) == NULL) {
        bm_secret_wipe(&k, sizeof(k));
        return bm_err_set(&rq->err, BM_EINTERNAL, "个人信息无法解密（数据密钥不符）");
    }
    phone++;
    len = strlen(phone);
    if ((sealed = bm_arena_alloc(rq->arena, len + BM_PII_OVERHEAD)) == NULL) {
        bm_secret_wipe(&k, sizeof(k));
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    }
    bm_pii_seal(&k, phone, len, sealed);
    bm_secret_wipe(&k, sizeof(k));
    bm_secret_wipe(plain, cap);
    memset(&m, 0, sizeof(m));
    m.county_code = d->county_code;
    m.channel = "sms";
    m.template_name = "demand_replied";
    m.body = bm_arena_printf(rq->arena,
                             "【便民】您的诉求（工单号%s）已答复，请凭查询码查看答复并评价是否满意。",
                             d->ticket_no);
    m.recipient_enc = sealed;
    m.recipient_enc_len = len + BM_PII_OVERHEAD;
    if (m.body == NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    return bm_store_outbox_insert(rq->store, &m, rq->now, &rq->err);
}

/* Writes the changed order, its event and the audit entry (inside the transaction). */
static enum bm_rc
save(struct bm_req *rq, struct bm_demand *d, const char *action, const char *from,
     const char *note, json_t *detail)
{
    enum bm_rc rc = bm_store_demand_update(rq->store, d, rq->now, &rq->err);

    if (rc == BM_OK) {
        d->version++;
        rc = add_event(rq, d, action, from, note);
    }
    if (detail == NULL)
        detail = json_object();
    json_object_set_new(detail, "ticket_no", json_string(d->ticket_no));
    json_object_set_new(detail, "from", json_string(from));
    json_object_set_new(detail, "to", json_string(d->status));
    if (rc == BM_OK)
        return bm_api_audit(rq, bm_arena_printf(rq->arena, "demand.%s", action), "demand", d->id,
                            detail);
    json_decref(detail);
    return rc;
}

/* Records a callback answer: closes the order or reopens it once (domain 5.4). */
static enum bm_rc
apply_callback(struct bm_req *rq, struct bm_demand *d, bool resolved, const char *satisfaction,
               const char *note)
{
    struct bm_demand_state s = state_of(d);
    const char *from = d->status;
    bool unsatisfied = strcmp(satisfaction, "unsatisfied") == 0;
    enum bm_rc rc = bm_demand_apply(&s, BM_DA_CALLBACK, resolved, unsatisfied, &rq->err);

    if (rc != BM_OK)
        return rc;
    d->status = bm_demand_statuses[s.status].code;
    d->resolved = resolved;
    d->satisfaction = satisfaction;
    if (s.status == BM_DEMAND_CLOSED) {
        d->closed_at = rq->now;
    } else {
        /* Reopened: the unit answers again, on a fresh limit from today. */
        d->reopen_count = s.reopen_count;
        d->reply = "";
        d->replied_at = 0;
        d->dispatched_at = rq->now;
        if ((rc = set_deadline(rq, d, rq->now)) != BM_OK)
            return rc;
    }
    return save(rq, d, "callback", from, note,
                json_pack("{s:b,s:s}", "resolved", resolved, "satisfaction", satisfaction));
}

static enum bm_rc
read_satisfaction(struct bm_req *rq, json_t *body, bool *resolved, const char **satisfaction)
{
    (void)bm_json_get_bool(rq, body, "resolved", true, resolved, NULL);
    (void)bm_json_get_str(rq, body, "satisfaction", true, 16, satisfaction, NULL);
    if (*satisfaction != NULL && bm_code_find(bm_demand_satisfactions, *satisfaction) < 0)
        (void)bm_err_field(&rq->err, "satisfaction",
                           "应为 satisfied（满意）、basic（基本满意）或 unsatisfied（不满意）");
    return rq->err.n_fields > 0 ? BM_EINVAL : BM_OK;
}

/* POST /api/v1/public/demands/{ticket_no}/feedback?code=: the citizen's own callback answer. */
enum bm_rc
bm_api_public_demand_feedback(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"resolved", "satisfaction", "comment", NULL};
    struct bm_demand d;
    const char *satisfaction = NULL, *comment = "";
    bool resolved = false;
    json_t *body;
    enum bm_rc rc = public_load(rq, &d);

    if (rc == BM_OK)
        rc = bm_json_body(rq, &body);
    if (rc != BM_OK)
        return rc;
    only(rq, body, fields);
    (void)bm_json_get_str(rq, body, "comment", false, 500, &comment, NULL);
    if (read_satisfaction(rq, body, &resolved, &satisfaction) != BM_OK)
        return BM_EINVAL;
    if (strcmp(d.status, "replied") != 0)
        return bm_err_set(&rq->err, BM_ETRANSITION, "工单当前状态为“%s”，不能评价",
                          bm_demand_statuses[state_of(&d).status].zh);
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = apply_callback(rq, &d, resolved, satisfaction, comment ? comment : "");
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc != BM_OK) {
        bm_store_rollback(rq->store);
        return rc;
    }
    return bm_json_reply(rq, rs, 200,
                         json_pack("{s:s,s:s,s:i}", "ticket_no", d.ticket_no, "status", d.status,
                                   "reopen_count", d.reopen_count));
}

/* The unit a dispatch names: an active township, department, office or station. */
static enum bm_rc
dispatch_unit(struct bm_req *rq, int64_t unit_id, struct bm_demand *d)
{
    struct bm_org_unit u;
    enum bm_rc rc = bm_store_org_get(rq->store, unit_id, rq->arena, &u, &rq->err);

    if (rc == BM_ENOTFOUND) {
        bm_err_clear(&rq->err);
        return bm_err_field(&rq->err, "unit_id", "承办单位不存在");
    }
    if (rc != BM_OK)
        return rc;
    if (!u.is_active || u.kind == BM_ORG_COUNTY || u.kind == BM_ORG_VILLAGE ||
        strncmp(u.path, "/", 1) != 0)
        return bm_err_field(&rq->err, "unit_id", "应为在用的乡镇、部门、站所或科室");
    /* Township administrators dispatch within their own township only. */
    if (!(rq->who.roles & (BM_ROLE_COUNTY_ADMIN | BM_ROLE_SUPERVISOR)) &&
        !bm_access_demand_actor(&rq->who, BM_DEMAND_BY_UNIT, "", u.path))
        return bm_err_field(&rq->err, "unit_id", "只能派给本乡镇的单位");
    d->unit_id = u.id;
    d->unit_name = u.name;
    d->unit_path = u.path;
    return BM_OK;
}

/* POST /api/v1/demands/{ticket_no}/actions {"action", "note", ...} with If-Match. */
enum bm_rc
bm_api_demands_act(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"action",   "note",      "unit_id",      "reply",
                                         "days",     "resolved",  "satisfaction", "target",
                                         "urgency",  NULL};
    struct bm_demand d, target;
    struct bm_demand_state s;
    const char *action = NULL, *note = "", *from, *text = NULL, *satisfaction = NULL,
               *target_no = NULL, *urgency = NULL;
    int64_t version, unit_id = 0, days = 0;
    bool resolved = false;
    json_t *body, *detail = NULL;
    int k;
    enum bm_rc rc = load(rq, rq->params[0], &d);

    if (rc == BM_OK)
        rc = bm_json_body(rq, &body);
    if (rc != BM_OK)
        return rc;
    only(rq, body, fields);
    (void)bm_json_get_str(rq, body, "action", true, 16, &action, NULL);
    (void)bm_json_get_str(rq, body, "note", false, 500, &note, NULL);
    if (note == NULL)
        note = "";
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    if ((k = bm_code_find(bm_demand_actions, action)) < 0)
        return bm_err_field(&rq->err, "action",
                            "应为 dispatch、accept、return、reply、extend、callback、close、"
                            "reopen 或 merge");
    if (!may_act(rq, &d, (enum bm_demand_action)k))
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "您无权对此工单执行“%s”",
                          bm_demand_actions[k].zh);
    if ((rc = bm_req_if_match(rq, &version)) != BM_OK)
        return rc;
    if (version != d.version)
        return bm_err_set(&rq->err, BM_ESTALE, "工单已被他人修改，请刷新后重试");
    s = state_of(&d);
    from = d.status;
    switch ((enum bm_demand_action)k) {
    case BM_DA_DISPATCH:
        (void)bm_json_get_int(rq, body, "unit_id", true, 1, INT64_MAX, &unit_id, NULL);
        (void)bm_json_get_str(rq, body, "urgency", false, 16, &urgency, NULL);
        if (urgency != NULL && strcmp(urgency, "normal") != 0 && strcmp(urgency, "urgent") != 0)
            (void)bm_err_field(&rq->err, "urgency", "应为 normal（一般）或 urgent（紧急）");
        if (rq->err.n_fields > 0)
            return BM_EINVAL;
        if ((rc = bm_demand_apply(&s, BM_DA_DISPATCH, false, false, &rq->err)) != BM_OK ||
            (rc = dispatch_unit(rq, unit_id, &d)) != BM_OK)
            return rc;
        if (urgency != NULL)
            d.urgency = urgency;
        d.dispatched_at = rq->now;
        if ((rc = set_deadline(rq, &d, rq->now)) != BM_OK)
            return rc;
        detail = json_pack("{s:I,s:s}", "unit_id", (json_int_t)d.unit_id, "unit_name",
                           d.unit_name);
        break;
    case BM_DA_ACCEPT:
        if ((rc = bm_demand_apply(&s, BM_DA_ACCEPT, false, false, &rq->err)) != BM_OK)
            return rc;
        d.handler_id = rq->who.user_id;
        break;
    case BM_DA_RETURN: {
        struct bm_calendar cal;
        if (blank(note))
            return bm_err_field(&rq->err, "note", "回退须说明理由");
        if ((rc = bm_demand_apply(&s, BM_DA_RETURN, false, false, &rq->err)) != BM_OK)
            return rc;
        if ((rc = bm_api_calendar(rq, &cal)) != BM_OK)
            return rc;
        if (bm_cal_working_days_between(&cal, bm_day_of_instant(d.dispatched_at),
                                        bm_day_of_instant(rq->now), NULL,
                                        0) > BM_DEMAND_RETURN_DAYS)
            return bm_err_set(&rq->err, BM_ETRANSITION, "派单已超过 %d 个工作日，不能回退",
                              BM_DEMAND_RETURN_DAYS);
        detail = json_pack("{s:I}", "unit_id", (json_int_t)d.unit_id);
        d.unit_id = d.handler_id = 0;
        d.due_at = d.dispatched_at = 0;
        break;
    }
    case BM_DA_REPLY:
        (void)bm_json_get_str(rq, body, "reply", true, CONTENT_MAX, &text, NULL);
        if (text != NULL && blank(text))
            (void)bm_err_field(&rq->err, "reply", "请填写答复内容");
        if (rq->err.n_fields > 0)
            return BM_EINVAL;
        if ((rc = bm_demand_apply(&s, BM_DA_REPLY, false, false, &rq->err)) != BM_OK)
            return rc;
        d.reply = text;
        d.replied_at = rq->now;
        if (d.handler_id == 0)
            d.handler_id = rq->who.user_id;
        break;
    case BM_DA_EXTEND:
        (void)bm_json_get_int(rq, body, "days", true, 1, BM_DEMAND_MAX_EXTENSION, &days, NULL);
        if (rq->err.n_fields > 0)
            return BM_EINVAL;
        if (blank(note))
            return bm_err_field(&rq->err, "note", "延期须说明理由");
        if ((rc = bm_demand_apply(&s, BM_DA_EXTEND, false, false, &rq->err)) != BM_OK)
            return rc;
        d.extension_days = (int)days;
        if ((rc = set_deadline(rq, &d, d.dispatched_at)) != BM_OK)
            return rc;
        detail = json_pack("{s:I}", "days", (json_int_t)days);
        break;
    case BM_DA_CALLBACK:
        if (read_satisfaction(rq, body, &resolved, &satisfaction) != BM_OK)
            return BM_EINVAL;
        if ((rc = bm_store_begin(rq->store, &rq->err)) == BM_OK &&
            (rc = apply_callback(rq, &d, resolved, satisfaction, note)) == BM_OK)
            rc = bm_store_commit(rq->store, &rq->err);
        goto done;
    case BM_DA_CLOSE:
        if ((rc = bm_demand_apply(&s, BM_DA_CLOSE, false, false, &rq->err)) != BM_OK)
            return rc;
        d.closed_at = rq->now;
        break;
    case BM_DA_REOPEN:
        if ((rc = bm_demand_apply(&s, BM_DA_REOPEN, false, false, &rq->err)) != BM_OK)
            return rc;
        d.reopen_count = s.reopen_count;
        d.reply = "";
        d.replied_at = d.closed_at = 0;
        d.dispatched_at = rq->now;
        if ((rc = set_deadline(rq, &d, rq->now)) != BM_OK)
            return rc;
        break;
    case BM_DA_MERGE:
        (void)bm_json_get_str(rq, body, "target", true, 32, &target_no, NULL);
        if (rq->err.n_fields > 0)
            return BM_EINVAL;
        if ((rc = bm_demand_apply(&s, BM_DA_MERGE, false, false, &rq->err)) != BM_OK)
            return rc;
        if (strcmp(target_no, d.ticket_no) == 0)
            return bm_err_field(&rq->err, "target", "不能与自身合并");
        if ((rc = load(rq, target_no, &target)) == BM_ENOTFOUND) {
            bm_err_clear(&rq->err);
            return bm_err_field(&rq->err, "target", "目标工单不存在");
        }
        if (rc != BM_OK)
            return rc;
        if (strcmp(target.status, "merged") == 0)
            return bm_err_field(&rq->err, "target", "目标工单本身已被合并");
        d.merged_into = target.ticket_no;
        d.closed_at = rq->now;
        detail = json_pack("{s:s}", "target", target.ticket_no);
        break;
    default:
        return bm_err_set(&rq->err, BM_EINVAL, "未知的工单操作");
    }
    d.status = bm_demand_statuses[s.status].code;
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = save(rq, &d, action, from, note, detail);
    else
        json_decref(detail);
    if (rc == BM_OK && k == BM_DA_MERGE)
        rc = add_event(rq, &target, "merge",
                       target.status,
                       bm_arena_printf(rq->arena, "合并重复工单 %s", d.ticket_no));
    if (rc == BM_OK && k == BM_DA_REPLY)
        rc = notify_reply(rq, &d);
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
done:
    if (rc != BM_OK) {
        bm_store_rollback(rq->store);
        return rc;
    }
    bm_resp_header(rs, "ETag", bm_arena_printf(rq->arena, "\"%" PRId64 "\"", d.version));
    return bm_json_reply(rq, rs, 200, demand_json(rq, &d, true));
}
