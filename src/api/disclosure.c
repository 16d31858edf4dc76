/*
 * Disclosure (政务公开 / 村务公开, docs/domain.md 9): township administrators draft, schedule,
 * publish and withdraw publications of their township and its villages; anyone reads what is
 * public now, as JSON or as an Atom feed. Visibility is computed from the clock at every
 * read (core/disclosure.h), so a scheduled publication appears and disappears on its own.
 * Every change is one transaction with its history row and its audit entry.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/json.h"
#include "core/disclosure.h"
#include "core/secret.h"
#include "io/atom.h"
#include "util/parse.h"
#include "util/utf8.h"

#define PUB_PATH "/api/v1/publications/"
#define PUBLIC_PATH "/api/v1/public/publications/"

/* ---- JSON ---- */

static json_t *
time_or_null(int64_t t)
{
    return t != 0 ? bm_json_time(t) : json_null();
}

static json_t *
id_or_null(int64_t id)
{
    return id != 0 ? json_integer(id) : json_null();
}

static json_t *
files_json(struct bm_req *rq, const struct bm_publication *p, bool public_view)
{
    struct bm_pub_file *fs;
    size_t n = 0;
    json_t *arr = json_array();
    struct bm_err e;

    bm_err_clear(&e);
    if (bm_store_pub_files(rq->store, p->id, rq->arena, &fs, &n, &e) != BM_OK)
        return arr; /* the list is an extra; the publication itself was read */
    for (size_t i = 0; i < n; i++) {
        char hex[65];
        for (int j = 0; j < 32; j++)
            snprintf(hex + 2 * j, 3, "%02x", fs[i].sha256[j]);
        json_array_append_new(
            arr, json_pack("{s:I,s:s,s:s,s:I,s:s,s:s}", "id", (json_int_t)fs[i].id, "filename",
                           fs[i].filename, "content_type", fs[i].content_type, "size",
                           (json_int_t)fs[i].size, "sha256", hex, "url",
                           bm_arena_printf(rq->arena, "%s%" PRId64 "/attachments/%" PRId64,
                                           public_view ? PUBLIC_PATH : PUB_PATH, p->id,
                                           fs[i].id)));
    }
    return arr;
}

/* The publication as JSON; the staff view adds who did what and the version. */
static json_t *
pub_json(struct bm_req *rq, const struct bm_publication *p, bool public_view, bool with_files)
{
    const struct bm_pub_category *c = bm_pub_category_find(p->category);
    enum bm_pub_status s = bm_pub_status_at((enum bm_pub_stored)p->status, p->publish_at,
                                            p->withdraw_at, rq->now);
    json_t *j = json_pack(
        "{s:I,s:I,s:s,s:s,s:o,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o}", "id", (json_int_t)p->id,
        "unit_id", (json_int_t)p->unit_id, "unit_name", p->unit_name, "unit_kind",
        bm_org_kind_code((enum bm_org_kind)p->unit_kind), "township_id", id_or_null(p->township_id),
        "township_name", p->township_name, "level",
        p->unit_kind == BM_ORG_VILLAGE ? "village" : "township", "category", p->category,
        "category_name", c ? c->zh : "", "period_hint", c ? c->period : "", "title", p->title,
        "body", p->body, "publish_at", time_or_null(p->publish_at), "withdraw_at",
        time_or_null(p->withdraw_at));

    if (!public_view) {
        json_object_set_new(j, "status", json_string(bm_pub_status_code(s)));
        json_object_set_new(j, "status_name", json_string(bm_pub_status_zh(s)));
        json_object_set_new(j, "published_at", time_or_null(p->released_at));
        json_object_set_new(j, "published_by", id_or_null(p->released_by));
        json_object_set_new(j, "published_by_name", json_string(p->released_by_name));
        json_object_set_new(j, "withdrawn_at", time_or_null(p->withdrawn_at));
        json_object_set_new(j, "withdrawn_by", id_or_null(p->withdrawn_by));
        json_object_set_new(j, "withdrawn_by_name", json_string(p->withdrawn_by_name));
        json_object_set_new(j, "withdraw_reason", json_string(p->withdraw_reason));
        json_object_set_new(j, "created_by", json_integer(p->created_by));
        json_object_set_new(j, "created_by_name", json_string(p->created_by_name));
        json_object_set_new(j, "created_at", bm_json_time(p->created_at));
        json_object_set_new(j, "updated_by", json_integer(p->updated_by));
        json_object_set_new(j, "updated_at", bm_json_time(p->updated_at));
        json_object_set_new(j, "version", json_integer(p->version));
    }
    if (with_files)
        json_object_set_new(j, "attachments", files_json(rq, p, public_view));
    return j;
}

/* ---- loading and access ---- */

/* A publication the caller may see as staff under `perm`; others' are "not found". */
static enum bm_rc
load_staff(struct bm_req *rq, enum bm_perm perm, struct bm_publication *p)
{
    int64_t id;
    enum bm_rc rc = bm_req_param_id(rq, 0, &id);

    if (rc == BM_OK)
        rc = bm_store_pub_get(rq->store, id, rq->arena, p, &rq->err);
    if (rc == BM_OK && !bm_access_in_scope(&rq->who, perm, p->unit_path))
        rc = bm_err_set(&rq->err, BM_ENOTFOUND, "公开信息不存在");
    return rc;
}

/* A publication the public sees now; anything else is "not found". */
static enum bm_rc
load_public(struct bm_req *rq, struct bm_publication *p)
{
    int64_t id;
    enum bm_rc rc = bm_req_param_id(rq, 0, &id);

    if (rc == BM_OK)
        rc = bm_store_pub_get(rq->store, id, rq->arena, p, &rq->err);
    if (rc == BM_OK &&
        !bm_pub_visible((enum bm_pub_stored)p->status, p->publish_at, p->withdraw_at, rq->now))
        rc = bm_err_set(&rq->err, BM_ENOTFOUND, "公开信息不存在或已撤下");
    return rc;
}

/* The history row and the audit entry of one change, inside the caller's transaction.
 * Steals `detail`. */
static enum bm_rc
record(struct bm_req *rq, int64_t id, const char *action, json_t *detail)
{
    struct bm_pub_event e;
    char *text;
    enum bm_rc rc;

    if (detail == NULL)
        detail = json_object();
    text = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
    memset(&e, 0, sizeof(e));
    e.publication_id = id;
    e.at = rq->now;
    e.actor_id = rq->who.user_id;
    e.actor_name = rq->auth.user.display_name ? rq->auth.user.display_name : "";
    e.action = action;
    e.detail = text ? bm_arena_strdup(rq->arena, text) : NULL;
    free(text);
    if (e.detail == NULL) {
        json_decref(detail);
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    }
    rc = bm_store_pub_event_insert(rq->store, &e, &rq->err);
    if (rc != BM_OK) {
        json_decref(detail);
        return rc;
    }
    return bm_api_audit(rq, bm_arena_printf(rq->arena, "publication.%s", action), "publication",
                        id, detail);
}

/* Reads an optional instant field: absent or null leaves *out; "" clears it to 0. */
static void
read_instant(struct bm_req *rq, json_t *body, const char *key, int64_t *out, bool *present)
{
    const char *s = NULL;
    bool here = false;

    if (bm_json_get_str(rq, body, key, false, 40, &s, &here) != BM_OK || !here) {
        if (present)
            *present = false;
        return;
    }
    if (present)
        *present = true;
    if (s[0] == '\0')
        *out = 0;
    else if (!bm_pub_parse_instant(s, out))
        (void)bm_err_field(&rq->err, key, "应为带时区的 RFC 3339 时间，例如 2026-03-01T08:00:00+08:00");
}

static enum bm_rc
reply_pub(struct bm_req *rq, struct bm_resp *rs, int status, int64_t id)
{
    struct bm_publication p;
    enum bm_rc rc = bm_store_pub_get(rq->store, id, rq->arena, &p, &rq->err);
    if (rc != BM_OK)
        return rc;
    bm_resp_header(rs, "ETag", bm_arena_printf(rq->arena, "\"%" PRId64 "\"", p.version));
    if (status == 201)
        bm_resp_header(rs, "Location", bm_arena_printf(rq->arena, PUB_PATH "%" PRId64, id));
    return bm_json_reply(rq, rs, status, pub_json(rq, &p, false, true));
}

/* ---- staff handlers ---- */

static const char *const create_fields[] = {"unit_id", "category", "title", "body",
                                            "publish_at", "withdraw_at", NULL};
static const char *const update_fields[] = {"category", "title", "body", "publish_at",
                                            "withdraw_at", NULL};

enum bm_rc
bm_api_pubs_create(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_publication p;
    struct bm_org_unit o;
    json_t *body;
    int64_t id;
    enum bm_rc rc;

    memset(&p, 0, sizeof(p));
    rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, create_fields);
    if (rc != BM_OK)
        return rc;
    (void)bm_json_get_int(rq, body, "unit_id", true, 1, INT64_MAX, &p.unit_id, NULL);
    (void)bm_json_get_str(rq, body, "category", true, 60, &p.category, NULL);
    (void)bm_json_get_str(rq, body, "title", true, BM_PUB_TITLE_MAX, &p.title, NULL);
    (void)bm_json_get_str(rq, body, "body", false, BM_PUB_BODY_MAX, &p.body, NULL);
    read_instant(rq, body, "publish_at", &p.publish_at, NULL);
    read_instant(rq, body, "withdraw_at", &p.withdraw_at, NULL);
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    if (p.body == NULL)
        p.body = "";
    if (bm_store_org_get(rq->store, p.unit_id, rq->arena, &o, &rq->err) != BM_OK) {
        bm_err_clear(&rq->err);
        return bm_err_field(&rq->err, "unit_id", "单位不存在");
    }
    if (o.kind != BM_ORG_TOWNSHIP && o.kind != BM_ORG_VILLAGE)
        return bm_err_field(&rq->err, "unit_id", "公开主体应为乡镇或村（居）委会");
    if (!bm_access_in_scope(&rq->who, BM_PERM_DISCLOSURE_WRITE, o.path))
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "该单位不在您的管理范围内");
    if (!o.is_active)
        return bm_err_field(&rq->err, "unit_id", "单位已停用");
    if (bm_pub_check(o.kind == BM_ORG_VILLAGE ? BM_PUB_VILLAGE : BM_PUB_TOWNSHIP, p.category,
                     p.title, p.body, &rq->err) != BM_OK)
        return BM_EINVAL;
    if (p.publish_at != 0 || p.withdraw_at != 0)
        if (bm_pub_check_window(p.publish_at, p.withdraw_at, rq->now, &rq->err) != BM_OK)
            return BM_EINVAL;
    p.status = BM_PUB_S_DRAFT;
    p.created_by = rq->who.user_id;
    p.created_at = rq->now;
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_pub_insert(rq->store, &p, &id, &rq->err);
    if (rc == BM_OK)
        rc = record(rq, id, "create",
                    json_pack("{s:I,s:s,s:s}", "unit_id", (json_int_t)p.unit_id, "category",
                              p.category, "title", p.title));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    return rc == BM_OK ? reply_pub(rq, rs, 201, id) : rc;
}

enum bm_rc
bm_api_pubs_list(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_pub_query q;
    struct bm_publication *ps;
    char scope[BM_ORG_PATH_MAX];
    const char *v;
    size_t n = 0;
    json_t *items;
    enum bm_rc rc;

    memset(&q, 0, sizeof(q));
    if (!bm_access_scope(&rq->who, BM_PERM_DISCLOSURE_READ, scope, sizeof(scope)))
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "您没有查看公开信息管理列表的权限");
    q.path_prefix = bm_arena_strdup(rq->arena, scope);
    q.category = "";
    q.now = rq->now;
    if ((v = bm_req_query(rq, "unit_id")) != NULL && v[0] &&
        !bm_parse_i64z(v, 1, INT64_MAX, &q.unit_id))
        return bm_err_field(&rq->err, "unit_id", "应为单位编号");
    if ((v = bm_req_query(rq, "category")) != NULL && v[0]) {
        if (bm_pub_category_find(v) == NULL)
            return bm_err_field(&rq->err, "category", "未知的公开类别");
        q.category = v;
    }
    rc = bm_req_page(rq, 20, 200, &q.limit, &q.before_id);
    if (rc == BM_OK)
        rc = bm_store_pubs_list(rq->store, &q, rq->arena, &ps, &n, &rq->err);
    if (rc != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n && (int)i < q.limit; i++)
        json_array_append_new(items, pub_json(rq, &ps[i], false, false));
    return bm_json_page(rq, rs, items, (int)n > q.limit,
                        n > (size_t)q.limit ? ps[q.limit - 1].id : 0);
}

enum bm_rc
bm_api_pubs_get(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_publication p;
    enum bm_rc rc = load_staff(rq, BM_PERM_DISCLOSURE_READ, &p);
    if (rc != BM_OK)
        return rc;
    bm_resp_header(rs, "ETag", bm_arena_printf(rq->arena, "\"%" PRId64 "\"", p.version));
    return bm_json_reply(rq, rs, 200, pub_json(rq, &p, false, true));
}

/* Loads for a change: in the writer's scope, and still editable (not yet public). */
static enum bm_rc
load_editable(struct bm_req *rq, struct bm_publication *p)
{
    enum bm_rc rc = load_staff(rq, BM_PERM_DISCLOSURE_WRITE, p);
    if (rc == BM_OK &&
        !bm_pub_editable((enum bm_pub_stored)p->status, p->publish_at, rq->now))
        rc = bm_err_set(&rq->err, BM_ETRANSITION,
                        "只有草稿和尚未到发布时间的公开信息可以修改；已发布的请撤下后重新起草");
    return rc;
}

enum bm_rc
bm_api_pubs_update(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_publication p;
    json_t *body, *d;
    int64_t version;
    const char *old_title, *old_category, *old_body;
    int64_t old_pub, old_wd;
    enum bm_rc rc = load_editable(rq, &p);

    if (rc == BM_OK)
        rc = bm_req_if_match(rq, &version);
    if (rc == BM_OK && version != p.version)
        rc = bm_err_set(&rq->err, BM_ESTALE, "该公开信息已被他人修改，请刷新后重试");
    if (rc == BM_OK)
        rc = bm_json_body(rq, &body);
    if (rc == BM_OK && json_object_get(body, "unit_id") != NULL)
        rc = bm_err_field(&rq->err, "unit_id", "公开主体不能修改，请重新起草");
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, update_fields);
    if (rc != BM_OK)
        return rc;
    old_title = p.title;
    old_category = p.category;
    old_body = p.body;
    old_pub = p.publish_at;
    old_wd = p.withdraw_at;
    (void)bm_json_get_str(rq, body, "category", false, 60, &p.category, NULL);
    (void)bm_json_get_str(rq, body, "title", false, BM_PUB_TITLE_MAX, &p.title, NULL);
    (void)bm_json_get_str(rq, body, "body", false, BM_PUB_BODY_MAX, &p.body, NULL);
    read_instant(rq, body, "publish_at", &p.publish_at, NULL);
    read_instant(rq, body, "withdraw_at", &p.withdraw_at, NULL);
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    if (bm_pub_check(p.unit_kind == BM_ORG_VILLAGE ? BM_PUB_VILLAGE : BM_PUB_TOWNSHIP, p.category,
                     p.title, p.body, &rq->err) != BM_OK)
        return BM_EINVAL;
    /* A scheduled publication keeps a publish time; a draft's is only a plan. */
    if (p.status == BM_PUB_S_RELEASED && p.publish_at < rq->now)
        return bm_err_field(&rq->err, "publish_at", "待发布的公开信息的发布时间不能早于当前时间");
    if ((p.publish_at != old_pub || p.withdraw_at != old_wd) &&
        bm_pub_check_window(p.publish_at, p.withdraw_at, rq->now, &rq->err) != BM_OK)
        return BM_EINVAL;
    d = json_object();
    bm_json_diff_str(d, "title", old_title, p.title);
    bm_json_diff_str(d, "category", old_category, p.category);
    if (strcmp(old_body, p.body) != 0)
        json_object_set_new(d, "body_changed", json_true());
    if (old_pub != p.publish_at)
        json_object_set_new(d, "publish_at", json_pack("[o,o]", time_or_null(old_pub),
                                                       time_or_null(p.publish_at)));
    if (old_wd != p.withdraw_at)
        json_object_set_new(d, "withdraw_at", json_pack("[o,o]", time_or_null(old_wd),
                                                        time_or_null(p.withdraw_at)));
    p.updated_by = rq->who.user_id;
    p.updated_at = rq->now;
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_pub_update(rq->store, &p, &rq->err);
    if (rc == BM_OK)
        rc = record(rq, p.id, "update", d);
    else
        json_decref(d);
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    return rc == BM_OK ? reply_pub(rq, rs, 200, p.id) : rc;
}

enum bm_rc
bm_api_pubs_publish(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"publish_at", "withdraw_at", NULL};
    struct bm_publication p;
    json_t *body = NULL;
    int64_t version = 0, publish_at = 0, withdraw_at;
    bool has_pub = false;
    enum bm_rc rc = load_editable(rq, &p);

    if (rc == BM_OK && rq->if_match[0] != '\0')
        rc = bm_req_if_match(rq, &version);
    if (rc == BM_OK && version != 0 && version != p.version)
        rc = bm_err_set(&rq->err, BM_ESTALE, "该公开信息已被他人修改，请刷新后重试");
    if (rc == BM_OK && rq->body_len > 0) {
        rc = bm_json_body(rq, &body);
        if (rc == BM_OK)
            rc = bm_json_only(rq, body, fields);
    }
    if (rc != BM_OK)
        return rc;
    withdraw_at = p.withdraw_at;
    if (body != NULL) {
        read_instant(rq, body, "publish_at", &publish_at, &has_pub);
        read_instant(rq, body, "withdraw_at", &withdraw_at, NULL);
        if (rq->err.n_fields > 0)
            return BM_EINVAL;
    }
    /* The time given, else the draft's planned time if still ahead, else at once. */
    if (!has_pub || publish_at == 0)
        publish_at = p.publish_at > rq->now ? p.publish_at : rq->now;
    else if (publish_at < rq->now - 300) /* a few minutes of clock skew are tolerated */
        return bm_err_field(&rq->err, "publish_at", "发布时间不能早于当前时间");
    if (bm_pub_check_window(publish_at, withdraw_at, rq->now, &rq->err) != BM_OK)
        return BM_EINVAL;
    p.publish_at = publish_at;
    p.withdraw_at = withdraw_at;
    p.status = BM_PUB_S_RELEASED;
    p.released_at = rq->now;
    p.released_by = rq->who.user_id;
    p.updated_by = rq->who.user_id;
    p.updated_at = rq->now;
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_pub_update(rq->store, &p, &rq->err);
    if (rc == BM_OK)
        rc = record(rq, p.id, "publish",
                    json_pack("{s:s,s:o,s:o}", "title", p.title, "publish_at",
                              time_or_null(p.publish_at), "withdraw_at",
                              time_or_null(p.withdraw_at)));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    return rc == BM_OK ? reply_pub(rq, rs, 200, p.id) : rc;
}

enum bm_rc
bm_api_pubs_withdraw(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"reason", NULL};
    struct bm_publication p;
    json_t *body;
    const char *reason = NULL;
    int64_t version = 0;
    enum bm_pub_status s;
    enum bm_rc rc = load_staff(rq, BM_PERM_DISCLOSURE_WRITE, &p);

    if (rc == BM_OK && rq->if_match[0] != '\0')
        rc = bm_req_if_match(rq, &version);
    if (rc == BM_OK && version != 0 && version != p.version)
        rc = bm_err_set(&rq->err, BM_ESTALE, "该公开信息已被他人修改，请刷新后重试");
    if (rc == BM_OK)
        rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, fields);
    if (rc == BM_OK)
        rc = bm_json_get_str(rq, body, "reason", true, BM_PUB_REASON_MAX, &reason, NULL);
    if (rc == BM_OK && strspn(reason, " \t\r\n") == strlen(reason))
        rc = bm_err_field(&rq->err, "reason", "请填写撤下原因");
    if (rc != BM_OK)
        return rc;
    s = bm_pub_status_at((enum bm_pub_stored)p.status, p.publish_at, p.withdraw_at, rq->now);
    if (s != BM_PUB_SCHEDULED && s != BM_PUB_PUBLISHED)
        return bm_err_set(&rq->err, BM_ETRANSITION, "只有已发布或待发布的公开信息可以撤下");
    p.status = BM_PUB_S_WITHDRAWN;
    p.withdrawn_at = rq->now;
    p.withdrawn_by = rq->who.user_id;
    p.withdraw_reason = reason;
    p.updated_by = rq->who.user_id;
    p.updated_at = rq->now;
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_pub_update(rq->store, &p, &rq->err);
    if (rc == BM_OK)
        rc = record(rq, p.id, "withdraw",
                    json_pack("{s:s,s:s,s:s}", "title", p.title, "reason", reason, "was",
                              bm_pub_status_code(s)));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    return rc == BM_OK ? reply_pub(rq, rs, 200, p.id) : rc;
}

enum bm_rc
bm_api_pubs_history(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_publication p;
    struct bm_pub_event *ev;
    size_t n = 0;
    json_t *items;
    enum bm_rc rc = load_staff(rq, BM_PERM_DISCLOSURE_READ, &p);

    if (rc == BM_OK)
        rc = bm_store_pub_events(rq->store, p.id, rq->arena, &ev, &n, &rq->err);
    if (rc != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *detail = json_loads(ev[i].detail, 0, NULL);
        json_array_append_new(
            items, json_pack("{s:I,s:o,s:s,s:I,s:s,s:o}", "id", (json_int_t)ev[i].id, "at",
                             bm_json_time(ev[i].at), "action", ev[i].action, "actor_id",
                             (json_int_t)ev[i].actor_id, "actor", ev[i].actor_name, "detail",
                             detail != NULL ? detail : json_object()));
    }
    return bm_json_page(rq, rs, items, false, 0);
}

/* ---- attachments ---- */

/* The file type from its first bytes (the rule of case uploads); NULL if not accepted. */
static const char *
sniff(const char *p, size_t n)
{
    static const unsigned char png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (n >= 5 && memcmp(p, "%PDF-", 5) == 0)
        return "application/pdf";
    if (n >= 3 && (unsigned char)p[0] == 0xFF && (unsigned char)p[1] == 0xD8 &&
        (unsigned char)p[2] == 0xFF)
        return "image/jpeg";
    if (n >= 8 && memcmp(p, png, 8) == 0)
        return "image/png";
    return NULL;
}

static bool
same_type(const char *header, const char *want)
{
    size_t n = strlen(want);
    return strncasecmp(header, want, n) == 0 && (header[n] == '\0' || header[n] == ';');
}

static bool
filename_ok(const char *f)
{
    size_t n = strlen(f);
    if (n == 0 || n > 200 || strchr(f, '/') || strchr(f, '\\') || !bm_utf8_valid(f, n))
        return false;
    for (const char *p = f; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '"')
            return false;
    return true;
}

enum bm_rc
bm_api_pubs_attach(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_publication p;
    struct bm_pub_file f;
    const char *type, *filename = bm_req_query(rq, "filename");
    int64_t id;
    char hex[65];
    enum bm_rc rc = load_editable(rq, &p);

    if (rc != BM_OK)
        return rc;
    if (rq->body_len == 0)
        return bm_err_field(&rq->err, "body", "请上传文件内容");
    if ((type = sniff(rq->body, rq->body_len)) == NULL)
        return bm_err_set(&rq->err, BM_EMEDIA, "只接受 PDF、JPEG 或 PNG 文件（按文件内容识别）");
    if (!same_type(rq->content_type, type))
        return bm_err_set(&rq->err, BM_EMEDIA, "文件内容（%s）与声明的类型不符", type);
    if (filename == NULL || filename[0] == '\0')
        filename = strcmp(type, "application/pdf") == 0 ? "附件.pdf"
                   : strcmp(type, "image/png") == 0      ? "附件.png"
                                                         : "附件.jpg";
    if (!filename_ok(filename))
        return bm_err_field(&rq->err, "filename", "文件名应为1至200个字符，不含路径和控制字符");
    memset(&f, 0, sizeof(f));
    f.publication_id = p.id;
    f.content_type = type;
    f.filename = filename;
    f.size = (int64_t)rq->body_len;
    f.uploaded_by = rq->who.user_id;
    f.created_at = rq->now;
    bm_secret_digest(rq->body, rq->body_len, f.sha256);
    for (int j = 0; j < 32; j++)
        snprintf(hex + 2 * j, 3, "%02x", f.sha256[j]);
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_pub_file_insert(rq->store, &f, rq->body, &id, &rq->err);
    if (rc == BM_OK)
        rc = record(rq, p.id, "attach",
                    json_pack("{s:I,s:s,s:s,s:s,s:I}", "file_id", (json_int_t)id, "filename",
                              filename, "content_type", type, "sha256", hex, "size",
                              (json_int_t)f.size));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc != BM_OK)
        return rc;
    bm_resp_header(rs, "Location", bm_arena_printf(rq->arena, PUB_PATH "%" PRId64
                                                   "/attachments/%" PRId64, p.id, id));
    return bm_json_reply(rq, rs, 201,
                         json_pack("{s:I,s:s,s:s,s:I,s:s}", "id", (json_int_t)id, "filename",
                                   filename, "content_type", type, "size", (json_int_t)f.size,
                                   "sha256", hex));
}

static enum bm_rc
send_file(struct bm_req *rq, struct bm_resp *rs, const struct bm_publication *p)
{
    struct bm_pub_file f;
    void *content = NULL;
    int64_t id;
    enum bm_rc rc = bm_req_param_id(rq, 1, &id);

    if (rc == BM_OK)
        rc = bm_store_pub_file_get(rq->store, p->id, id, rq->arena, &f, &content, &rq->err);
    if (rc != BM_OK)
        return rc;
    rs->status = 200;
    rs->body = content;
    rs->body_len = (size_t)f.size;
    rs->content_type = f.content_type;
    /* The name is percent-encoded (RFC 6266) so non-ASCII names need no quoting rules. */
    {
        struct bm_buf b;
        enum bm_rc brc = BM_OK;
        bm_buf_init(&b, 1024); /* 200 bytes of name, three characters each at most */
        for (const unsigned char *c = (const unsigned char *)f.filename; brc == BM_OK && *c; c++) {
            if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
                strchr("-._~", *c) != NULL)
                brc = bm_buf_append(&b, c, 1);
            else
                brc = bm_buf_printf(&b, "%%%02X", *c);
        }
        bm_resp_header(rs, "Content-Disposition",
                       bm_arena_printf(rq->arena, "inline; filename*=UTF-8''%s", b.ptr ? b.ptr : ""));
        bm_buf_fini(&b);
    }
    return BM_OK;
}

enum bm_rc
bm_api_pubs_attachment_get(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_publication p;
    enum bm_rc rc = load_staff(rq, BM_PERM_DISCLOSURE_READ, &p);
    return rc == BM_OK ? send_file(rq, rs, &p) : rc;
}

/* ---- public handlers ---- */

/* The public filters: unit_id (a township or a village), township_id (a township and its
 * villages), category; into q. */
static enum bm_rc
public_query(struct bm_req *rq, struct bm_pub_query *q, int default_limit, int max_limit)
{
    const char *v;
    int64_t num;
    struct bm_org_unit o;

    memset(q, 0, sizeof(*q));
    q->path_prefix = "";
    q->category = "";
    q->visible_only = true;
    q->now = rq->now;
    if ((v = bm_req_query(rq, "unit_id")) != NULL && v[0] &&
        !bm_parse_i64z(v, 1, INT64_MAX, &q->unit_id))
        return bm_err_field(&rq->err, "unit_id", "应为单位编号");
    if ((v = bm_req_query(rq, "township_id")) != NULL && v[0]) {
        if (!bm_parse_i64z(v, 1, INT64_MAX, &num) ||
            bm_store_org_get(rq->store, num, rq->arena, &o, &rq->err) != BM_OK ||
            o.kind != BM_ORG_TOWNSHIP) {
            bm_err_clear(&rq->err);
            return bm_err_field(&rq->err, "township_id", "乡镇不存在");
        }
        q->path_prefix = o.path;
    }
    if ((v = bm_req_query(rq, "category")) != NULL && v[0]) {
        if (bm_pub_category_find(v) == NULL)
            return bm_err_field(&rq->err, "category", "未知的公开类别");
        q->category = v;
    }
    return bm_req_page(rq, default_limit, max_limit, &q->limit, &q->before_id);
}

enum bm_rc
bm_api_public_pubs_list(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_pub_query q;
    struct bm_publication *ps;
    size_t n = 0;
    json_t *items;
    enum bm_rc rc = public_query(rq, &q, 20, 100);

    if (rc == BM_OK)
        rc = bm_store_pubs_list(rq->store, &q, rq->arena, &ps, &n, &rq->err);
    if (rc != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n && (int)i < q.limit; i++)
        json_array_append_new(items, pub_json(rq, &ps[i], true, false));
    return bm_json_page(rq, rs, items, (int)n > q.limit,
                        n > (size_t)q.limit ? ps[q.limit - 1].id : 0);
}

enum bm_rc
bm_api_public_pubs_get(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_publication p;
    enum bm_rc rc = load_public(rq, &p);
    return rc == BM_OK ? bm_json_reply(rq, rs, 200, pub_json(rq, &p, true, true)) : rc;
}

enum bm_rc
bm_api_public_pubs_attachment_get(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_publication p;
    enum bm_rc rc = load_public(rq, &p);
    return rc == BM_OK ? send_file(rq, rs, &p) : rc;
}

enum bm_rc
bm_api_public_pub_categories(struct bm_req *rq, struct bm_resp *rs)
{
    json_t *items = json_array();
    for (size_t i = 0; bm_pub_categories[i].code != NULL; i++) {
        const struct bm_pub_category *c = &bm_pub_categories[i];
        json_array_append_new(items, json_pack("{s:s,s:s,s:s,s:s}", "code", c->code, "name", c->zh,
                                               "level",
                                               c->level == BM_PUB_VILLAGE ? "village" : "township",
                                               "period_hint", c->period));
    }
    return bm_json_page(rq, rs, items, false, 0);
}

static const char *
public_url(struct bm_req *rq)
{
    if (rq->cfg->public_url[0])
        return rq->cfg->public_url;
    return bm_arena_printf(rq->arena, "http://%s", rq->cfg->listen);
}

enum bm_rc
bm_api_public_pubs_feed(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_pub_query q;
    struct bm_publication *ps;
    struct bm_atom_entry *es;
    struct bm_atom_feed f;
    struct bm_buf out;
    const char *base = public_url(rq);
    size_t n = 0, k;
    enum bm_rc rc = public_query(rq, &q, 50, 100);

    if (rc == BM_OK)
        rc = bm_store_pubs_list(rq->store, &q, rq->arena, &ps, &n, &rq->err);
    if (rc != BM_OK)
        return rc;
    k = n < (size_t)q.limit ? n : (size_t)q.limit;
    if ((es = bm_arena_alloc(rq->arena, sizeof(*es) * (k + 1))) == NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    memset(&f, 0, sizeof(f));
    f.id = bm_arena_printf(rq->arena, "%s/api/v1/public/publications.atom", base);
    f.self = bm_arena_printf(rq->arena, "%s/api/v1/public/publications.atom%s%s", base,
                             rq->query[0] ? "?" : "", rq->query);
    f.title = "政务公开和村务公开";
    f.subtitle = "乡镇政务公开和村务公开信息";
    f.updated = 0;
    for (size_t i = 0; i < k; i++) {
        const struct bm_pub_category *c = bm_pub_category_find(ps[i].category);
        es[i].id = bm_arena_printf(rq->arena, "%s" PUBLIC_PATH "%" PRId64, base, ps[i].id);
        es[i].link = es[i].id;
        es[i].title = ps[i].title;
        es[i].author = ps[i].unit_kind == BM_ORG_VILLAGE
                           ? bm_arena_printf(rq->arena, "%s %s", ps[i].township_name, ps[i].unit_name)
                           : ps[i].unit_name;
        es[i].category = ps[i].category;
        es[i].category_label = c ? c->zh : NULL;
        es[i].content = ps[i].body;
        es[i].published = ps[i].publish_at;
        es[i].updated = ps[i].publish_at;
        if (ps[i].publish_at > f.updated)
            f.updated = ps[i].publish_at;
        if (es[i].id == NULL || es[i].author == NULL)
            return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    }
    if (f.updated == 0)
        f.updated = rq->now;
    f.entries = es;
    f.n_entries = k;
    bm_buf_init(&out, (size_t)8 << 20);
    rc = bm_io_atom(&f, &out, &rq->err);
    if (rc != BM_OK) {
        bm_buf_fini(&out);
        return rc;
    }
    rs->status = 200;
    rs->body = bm_buf_detach(&out, &rs->body_len);
    rs->content_type = "application/atom+xml; charset=utf-8";
    return BM_OK;
}
