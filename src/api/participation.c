/*
 * Suggestion campaigns (人民建议征集, policy section 十四): a township or the county opens a
 * campaign for a period; residents submit suggestions while it is open (anonymous residents
 * leave a contact, sealed at rest; logged-in residents are known by their account); staff
 * publish a response to each suggestion and a summary. Also the helpers of participation.h.
 */
#include <inttypes.h>
#include <string.h>

#include <sodium.h>

#include "api/cases.h"
#include "api/handlers.h"
#include "api/json.h"
#include "api/participation.h"
#include "core/participation.h"
#include "core/user.h"

/* ---- shared helpers (participation.h) ---- */

const char *
bm_api_part_scope(struct bm_req *rq, enum bm_perm perm)
{
    char scope[BM_ORG_PATH_MAX];
    if (!bm_access_scope(&rq->who, perm, scope, sizeof(scope)))
        return NULL;
    return bm_arena_strdup(rq->arena, scope);
}

enum bm_rc
bm_api_part_unit(struct bm_req *rq, json_t *body, int64_t *unit_id)
{
    struct bm_org_unit u;
    struct bm_err e;
    bool present = false;
    int64_t id = rq->who.org_unit_id;

    if (bm_json_get_int(rq, body, "unit_id", false, 1, INT64_MAX, &id, &present) != BM_OK)
        return BM_EINVAL;
    bm_err_clear(&e);
    if (id <= 0 || bm_store_org_get(rq->store, id, rq->arena, &u, &e) != BM_OK ||
        !bm_access_in_scope(&rq->who, BM_PERM_PARTICIPATION_WRITE, u.path))
        return bm_err_field(&rq->err, "unit_id", "单位不存在或不在您的管理范围内");
    /* Campaigns and hearings are held by a level of government: the county or a township. */
    if (u.kind != BM_ORG_COUNTY && u.kind != BM_ORG_TOWNSHIP)
        return bm_err_field(&rq->err, "unit_id", present ? "应为县或乡镇" : "请指定所属县或乡镇");
    *unit_id = id;
    return BM_OK;
}

static char *
field_name(struct bm_req *rq, const char *prefix, const char *name)
{
    return bm_arena_printf(rq->arena, "%s%s", prefix, name);
}

enum bm_rc
bm_api_part_contact(struct bm_req *rq, json_t *obj, const char *prefix,
                    struct bm_part_contact *out)
{
    const char *name = NULL, *phone = NULL, *plain;
    struct bm_pii_key k;
    struct bm_err e;
    int before = rq->err.n_fields;

    memset(out, 0, sizeof(*out));
    if (!json_is_object(obj))
        return bm_err_field(&rq->err, prefix[0] ? bm_arena_strndup(rq->arena, prefix,
                                                                    strlen(prefix) - 1)
                                                : "contact",
                            "请填写联系人姓名和电话");
    if (prefix[0] != '\0') {
        static const char *const fields[] = {"name", "phone", NULL};
        json_t *copy = obj;
        /* Unknown nested fields are reported under the prefix, like the top level's. */
        const char *key;
        json_t *v;
        json_object_foreach(copy, key, v) {
            bool known = false;
            for (int i = 0; fields[i] != NULL; i++)
                known = known || strcmp(key, fields[i]) == 0;
            if (!known)
                (void)bm_err_field(&rq->err, field_name(rq, prefix, key), "未知字段");
        }
    }
    if (bm_json_get_str(rq, obj, "name", true, 30, &name, NULL) == BM_OK && name[0] == '\0')
        (void)bm_err_field(&rq->err, field_name(rq, prefix, "name"), "请填写姓名");
    if (bm_json_get_str(rq, obj, "phone", true, 20, &phone, NULL) == BM_OK) {
        bm_err_clear(&e);
        if (phone[0] == '\0' || bm_user_check_phone(phone, &e) != BM_OK)
            (void)bm_err_field(&rq->err, field_name(rq, prefix, "phone"),
                               "电话应为11位手机号码，或带区号的固定电话");
    }
    /* bm_json_get_* name the bare key; rename them under the prefix for nested objects. */
    for (int i = before; prefix[0] != '\0' && i < rq->err.n_fields && i < BM_ERR_FIELDS; i++)
        if (strcmp(rq->err.fields[i].field, "name") == 0 ||
            strcmp(rq->err.fields[i].field, "phone") == 0)
            snprintf(rq->err.fields[i].field, sizeof(rq->err.fields[i].field), "%s%s", prefix,
                     strcmp(rq->err.fields[i].field, "name") == 0 ? "name" : "phone");
    if (rq->err.n_fields > before)
        return BM_EINVAL;
    plain = bm_arena_printf(rq->arena, "%s\n%s", name, phone);
    if (plain == NULL || strlen(plain) > BM_PII_MAX_PLAIN ||
        (out->sealed = bm_arena_alloc(rq->arena, strlen(plain) + BM_PII_OVERHEAD)) == NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    bm_api_pii_key(rq, &k);
    bm_pii_seal(&k, plain, strlen(plain), out->sealed);
    out->sealed_len = strlen(plain) + BM_PII_OVERHEAD;
    bm_pii_hash(&k, phone, out->phone_hash);
    sodium_memzero(&k, sizeof(k));
    bm_pii_mask_name(name, out->name_masked, sizeof(out->name_masked));
    bm_pii_mask_phone(phone, out->phone_masked, sizeof(out->phone_masked));
    return BM_OK;
}

json_t *
bm_api_part_day(bm_day d)
{
    char buf[11];
    if (d == BM_DAY_NONE)
        return json_null();
    bm_day_format(d, buf);
    return json_string(buf);
}

enum bm_rc
bm_api_part_get_day(struct bm_req *rq, json_t *body, const char *key, bm_day *out)
{
    const char *s = NULL;
    if (bm_json_get_str(rq, body, key, true, 10, &s, NULL) != BM_OK)
        return BM_EINVAL;
    if (!bm_day_parse(s, out))
        return bm_err_field(&rq->err, key, "日期应为 YYYY-MM-DD");
    return BM_OK;
}

/* ---- campaigns ---- */

static bm_day
today(const struct bm_req *rq)
{
    return bm_day_of_instant(rq->now);
}

static json_t *
campaign_json(const struct bm_req *rq, const struct bm_campaign *c)
{
    enum bm_campaign_state s = bm_campaign_state_on(c->open_from, c->open_until, today(rq));
    json_t *j = json_object();

    json_object_set_new(j, "id", json_integer(c->id));
    json_object_set_new(j, "unit_id", json_integer(c->unit_id));
    json_object_set_new(j, "unit_name", json_string(c->unit_name));
    json_object_set_new(j, "title", json_string(c->title));
    json_object_set_new(j, "description", json_string(c->description));
    json_object_set_new(j, "open_from", bm_api_part_day(c->open_from));
    json_object_set_new(j, "open_until", bm_api_part_day(c->open_until));
    json_object_set_new(j, "state", json_string(bm_campaign_state_code(s)));
    json_object_set_new(j, "state_name", json_string(bm_campaign_state_name_zh(s)));
    json_object_set_new(j, "summary", c->summarized_at ? json_string(c->summary) : json_null());
    json_object_set_new(j, "summarized_at", bm_json_time(c->summarized_at));
    json_object_set_new(j, "submissions", json_integer(c->n_submissions));
    json_object_set_new(j, "responded", json_integer(c->n_responded));
    json_object_set_new(j, "created_at", bm_json_time(c->created_at));
    return j;
}

static json_t *
submission_json(const struct bm_campaign_submission *s, bool staff)
{
    json_t *j = json_object();

    json_object_set_new(j, "id", json_integer(s->id));
    json_object_set_new(j, "campaign_id", json_integer(s->campaign_id));
    json_object_set_new(j, "content", json_string(s->content));
    json_object_set_new(j, "author", json_string(s->author_masked));
    if (staff)
        json_object_set_new(j, "by_account", json_boolean(s->user_id != 0));
    json_object_set_new(j, "response", s->responded_at ? json_string(s->response) : json_null());
    json_object_set_new(j, "responded_at", bm_json_time(s->responded_at));
    json_object_set_new(j, "created_at", bm_json_time(s->created_at));
    return j;
}

/* A campaign the caller reaches under `perm`; BM_ENOTFOUND otherwise (not revealed). */
static enum bm_rc
load_campaign(struct bm_req *rq, enum bm_perm perm, struct bm_campaign *c)
{
    int64_t id;
    enum bm_rc rc = bm_req_param_id(rq, 0, &id);

    if (rc == BM_OK)
        rc = bm_store_campaign_get(rq->store, id, rq->arena, c, &rq->err);
    if (rc == BM_OK && !bm_access_in_scope(&rq->who, perm, c->unit_path))
        rc = bm_err_set(&rq->err, BM_ENOTFOUND, "征集活动不存在");
    return rc;
}

/* A campaign the public may see: one whose period has begun. */
static enum bm_rc
load_public_campaign(struct bm_req *rq, struct bm_campaign *c)
{
    int64_t id;
    enum bm_rc rc = bm_req_param_id(rq, 0, &id);

    if (rc == BM_OK)
        rc = bm_store_campaign_get(rq->store, id, rq->arena, c, &rq->err);
    if (rc == BM_OK && c->open_from > today(rq))
        rc = bm_err_set(&rq->err, BM_ENOTFOUND, "征集活动不存在");
    return rc;
}

static enum bm_rc
list_campaigns(struct bm_req *rq, struct bm_resp *rs, const char *scope, bool public_view)
{
    const char *state = bm_req_query(rq, "state");
    enum bm_campaign_state want = BM_CAMPAIGN_OPEN;
    struct bm_campaign *cs;
    json_t *items;
    size_t n = 0;
    int limit;
    int64_t cursor;
    enum bm_rc rc;

    if (scope == NULL)
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "您没有可查看的范围");
    if (state != NULL && strcmp(state, "open") != 0 && strcmp(state, "closed") != 0 &&
        (public_view || strcmp(state, "upcoming") != 0))
        return bm_err_field(&rq->err, "state", public_view ? "应为 open 或 closed"
                                                           : "应为 upcoming、open 或 closed");
    if (state != NULL)
        want = strcmp(state, "open") == 0     ? BM_CAMPAIGN_OPEN
               : strcmp(state, "closed") == 0 ? BM_CAMPAIGN_CLOSED
                                              : BM_CAMPAIGN_UPCOMING;
    if ((rc = bm_req_page(rq, 50, 200, &limit, &cursor)) != BM_OK)
        return rc;
    rc = bm_store_campaigns_list(rq->store, scope, public_view ? today(rq) : BM_DAY_NONE, cursor,
                                 limit, rq->arena, &cs, &n, &rq->err);
    if (rc != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        if (state == NULL ||
            bm_campaign_state_on(cs[i].open_from, cs[i].open_until, today(rq)) == want)
            json_array_append_new(items, campaign_json(rq, &cs[i]));
    /* The cursor follows the rows read, so a state filter never skips a campaign. */
    return bm_json_page(rq, rs, items, (int)n == limit, n > 0 ? cs[n - 1].id : 0);
}

enum bm_rc
bm_api_campaigns_list(struct bm_req *rq, struct bm_resp *rs)
{
    return list_campaigns(rq, rs, bm_api_part_scope(rq, BM_PERM_PARTICIPATION_READ), false);
}

enum bm_rc
bm_api_public_campaigns_list(struct bm_req *rq, struct bm_resp *rs)
{
    return list_campaigns(rq, rs, "", true);
}

enum bm_rc
bm_api_campaigns_create(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"unit_id", "title", "description", "open_from",
                                         "open_until", NULL};
    struct bm_campaign c;
    json_t *body;
    int64_t id;
    enum bm_rc rc;

    memset(&c, 0, sizeof(c));
    rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, fields);
    if (rc != BM_OK)
        return rc;
    if (bm_json_get_str(rq, body, "title", true, 100, &c.title, NULL) == BM_OK &&
        c.title[0] == '\0')
        (void)bm_err_field(&rq->err, "title", "请填写标题");
    if (bm_json_get_str(rq, body, "description", true, 5000, &c.description, NULL) == BM_OK &&
        c.description[0] == '\0')
        (void)bm_err_field(&rq->err, "description", "请填写征集说明");
    (void)bm_api_part_get_day(rq, body, "open_from", &c.open_from);
    (void)bm_api_part_get_day(rq, body, "open_until", &c.open_until);
    (void)bm_api_part_unit(rq, body, &c.unit_id);
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    if ((rc = bm_campaign_check_period(c.open_from, c.open_until, today(rq), &rq->err)) != BM_OK)
        return rc;
    c.created_by = rq->who.user_id;

    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_campaign_insert(rq->store, &c, rq->now, &id, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "campaign.create", "campaign", id,
                          json_pack("{s:s,s:I,s:o,s:o}", "title", c.title, "unit_id",
                                    (json_int_t)c.unit_id, "open_from",
                                    bm_api_part_day(c.open_from), "open_until",
                                    bm_api_part_day(c.open_until)));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_campaign_get(rq->store, id, rq->arena, &c, &rq->err);
    if (rc != BM_OK)
        return rc;
    bm_resp_header(rs, "Location", bm_arena_printf(rq->arena, "/api/v1/campaigns/%" PRId64, id));
    return bm_json_reply(rq, rs, 201, campaign_json(rq, &c));
}

static enum bm_rc
list_submissions(struct bm_req *rq, struct bm_resp *rs, const struct bm_campaign *c, bool staff)
{
    struct bm_campaign_submission *ss;
    json_t *items;
    size_t n = 0;
    int limit;
    int64_t cursor;
    enum bm_rc rc;

    if ((rc = bm_req_page(rq, 50, 200, &limit, &cursor)) != BM_OK)
        return rc;
    rc = bm_store_submissions_list(rq->store, c->id, !staff, cursor, limit, rq->arena, &ss, &n,
                                   &rq->err);
    if (rc != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, submission_json(&ss[i], staff));
    return bm_json_page(rq, rs, items, (int)n == limit, n > 0 ? ss[n - 1].id : 0);
}

enum bm_rc
bm_api_campaign_submissions(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_campaign c;
    enum bm_rc rc = load_campaign(rq, BM_PERM_PARTICIPATION_READ, &c);
    return rc == BM_OK ? list_submissions(rq, rs, &c, true) : rc;
}

enum bm_rc
bm_api_public_campaign_responses(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_campaign c;
    enum bm_rc rc = load_public_campaign(rq, &c);
    return rc == BM_OK ? list_submissions(rq, rs, &c, false) : rc;
}

enum bm_rc
bm_api_public_campaign_submit(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"content", "contact", NULL};
    struct bm_campaign_submission sub;
    struct bm_part_contact contact;
    struct bm_campaign c;
    json_t *body, *cj, *reply;
    char masked[64];
    bool by_account = rq->is_authenticated && (rq->who.roles & BM_ROLE_CITIZEN);
    int64_t id;
    enum bm_rc rc;

    memset(&sub, 0, sizeof(sub));
    rc = load_public_campaign(rq, &c);
    if (rc == BM_OK)
        rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, fields);
    if (rc != BM_OK)
        return rc;
    if (bm_json_get_str(rq, body, "content", true, 2000, &sub.content, NULL) == BM_OK &&
        sub.content[0] == '\0')
        (void)bm_err_field(&rq->err, "content", "请填写建议内容");
    cj = json_object_get(body, "contact");
    /* A resident's account already says who they are; anyone else leaves a contact. */
    if (cj != NULL && !json_is_null(cj)) {
        if (bm_api_part_contact(rq, cj, "contact.", &contact) == BM_OK) {
            sub.contact_enc = contact.sealed;
            sub.contact_enc_len = contact.sealed_len;
            sub.author_masked = bm_arena_strdup(rq->arena, contact.name_masked);
        }
    } else if (!by_account) {
        (void)bm_err_field(&rq->err, "contact", "请留下联系人姓名和电话，以便答复");
    }
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    if ((rc = bm_campaign_check_submit(c.open_from, c.open_until, today(rq), &rq->err)) != BM_OK)
        return rc;
    if (by_account) {
        sub.user_id = rq->who.user_id;
        if (sub.author_masked == NULL) {
            bm_pii_mask_name(rq->auth.user.display_name, masked, sizeof(masked));
            sub.author_masked = bm_arena_strdup(rq->arena, masked);
        }
    }
    if (sub.author_masked == NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    sub.campaign_id = c.id;

    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_submission_insert(rq->store, &sub, rq->now, &id, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "campaign.submit", "campaign_submission", id,
                          json_pack("{s:I,s:s}", "campaign_id", (json_int_t)c.id, "author",
                                    sub.author_masked));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc != BM_OK)
        return rc;
    reply = json_pack("{s:I,s:I,s:s,s:s}", "id", (json_int_t)id, "campaign_id", (json_int_t)c.id,
                      "author", sub.author_masked, "status", "received");
    return bm_json_reply(rq, rs, 201, reply);
}

enum bm_rc
bm_api_campaign_respond(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"response", NULL};
    struct bm_campaign c;
    const char *response = NULL;
    json_t *body;
    int64_t sid;
    enum bm_rc rc;

    rc = load_campaign(rq, BM_PERM_PARTICIPATION_WRITE, &c);
    if (rc == BM_OK)
        rc = bm_req_param_id(rq, 1, &sid);
    if (rc == BM_OK)
        rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, fields);
    if (rc != BM_OK)
        return rc;
    if (bm_json_get_str(rq, body, "response", true, 5000, &response, NULL) == BM_OK &&
        response[0] == '\0')
        (void)bm_err_field(&rq->err, "response", "请填写答复内容");
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_submission_respond(rq->store, c.id, sid, response, rq->who.user_id,
                                         rq->now, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "campaign.respond", "campaign_submission", sid,
                          json_pack("{s:I}", "campaign_id", (json_int_t)c.id));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc != BM_OK)
        return rc;
    return bm_json_reply(rq, rs, 200,
                         json_pack("{s:I,s:I,s:s,s:o}", "id", (json_int_t)sid, "campaign_id",
                                   (json_int_t)c.id, "response", response, "responded_at",
                                   bm_json_time(rq->now)));
}

enum bm_rc
bm_api_campaign_summarize(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"summary", NULL};
    struct bm_campaign c;
    const char *summary = NULL;
    json_t *body;
    enum bm_rc rc;

    rc = load_campaign(rq, BM_PERM_PARTICIPATION_WRITE, &c);
    if (rc == BM_OK)
        rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, fields);
    if (rc != BM_OK)
        return rc;
    if (bm_json_get_str(rq, body, "summary", true, 10000, &summary, NULL) == BM_OK &&
        summary[0] == '\0')
        (void)bm_err_field(&rq->err, "summary", "请填写总结内容");
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    /* A summary reports on what came in, so it waits until the campaign has begun. */
    if (c.open_from > today(rq))
        return bm_err_set(&rq->err, BM_ETRANSITION, "征集尚未开始，不能发布总结");
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_campaign_summarize(rq->store, c.id, summary, rq->now, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "campaign.summarize", "campaign", c.id, NULL);
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_campaign_get(rq->store, c.id, rq->arena, &c, &rq->err);
    return rc == BM_OK ? bm_json_reply(rq, rs, 200, campaign_json(rq, &c)) : rc;
}
