/*
 * Leaders' reception days (接访下访, policy section 十四: 落实乡镇领导干部接访下访制度): the
 * township or county publishes when and where a leader receives visitors (接访) or goes down
 * to a village (下访); staff record each visit on the day (visitor sealed, shown masked), with
 * a follow-up date when the matter was not settled on the spot, and the follow-up result
 * later. The open follow-ups list shows what is still owed, earliest first.
 */
#include <inttypes.h>
#include <string.h>

#include "api/handlers.h"
#include "api/json.h"
#include "api/participation.h"
#include "core/participation.h"

static bm_day
today(const struct bm_req *rq)
{
    return bm_day_of_instant(rq->now);
}

static json_t *
reception_json(const struct bm_reception *r)
{
    enum bm_reception_kind k = BM_RECEPTION_RECEPTION;
    json_t *j = json_object();

    (void)bm_reception_kind_parse(r->kind, &k);
    json_object_set_new(j, "id", json_integer(r->id));
    json_object_set_new(j, "kind", json_string(bm_reception_kind_code(k)));
    json_object_set_new(j, "kind_name", json_string(bm_reception_kind_name_zh(k)));
    json_object_set_new(j, "unit_id", json_integer(r->unit_id));
    json_object_set_new(j, "unit_name", json_string(r->unit_name));
    json_object_set_new(j, "leader_name", json_string(r->leader_name));
    json_object_set_new(j, "leader_title", json_string(r->leader_title));
    json_object_set_new(j, "day", bm_api_part_day(r->day));
    json_object_set_new(j, "place", json_string(r->place));
    return j;
}

static json_t *
visit_json(const struct bm_req *rq, const struct bm_reception_visit *v)
{
    json_t *j = json_object();
    bool open = v->follow_up_due != BM_DAY_NONE && v->followed_up_at == 0;

    json_object_set_new(j, "id", json_integer(v->id));
    json_object_set_new(j, "reception_id", json_integer(v->reception_id));
    json_object_set_new(j, "reception_day", bm_api_part_day(v->reception_day));
    json_object_set_new(j, "leader_name", json_string(v->leader_name));
    json_object_set_new(j, "visitor", json_string(v->visitor_masked));
    json_object_set_new(j, "matter", json_string(v->matter));
    json_object_set_new(j, "handling", json_string(v->handling));
    json_object_set_new(j, "follow_up_due", bm_api_part_day(v->follow_up_due));
    json_object_set_new(j, "follow_up_open", json_boolean(open));
    json_object_set_new(j, "overdue", json_boolean(open && v->follow_up_due < today(rq)));
    json_object_set_new(j, "follow_up_result",
                        v->followed_up_at ? json_string(v->follow_up_result) : json_null());
    json_object_set_new(j, "followed_up_at", bm_json_time(v->followed_up_at));
    json_object_set_new(j, "created_at", bm_json_time(v->created_at));
    return j;
}

static enum bm_rc
load_reception(struct bm_req *rq, enum bm_perm perm, struct bm_reception *r)
{
    int64_t id;
    enum bm_rc rc = bm_req_param_id(rq, 0, &id);

    if (rc == BM_OK)
        rc = bm_store_reception_get(rq->store, id, rq->arena, r, &rq->err);
    if (rc == BM_OK && !bm_access_in_scope(&rq->who, perm, r->unit_path))
        rc = bm_err_set(&rq->err, BM_ENOTFOUND, "接访安排不存在");
    return rc;
}

static enum bm_rc
list_receptions(struct bm_req *rq, struct bm_resp *rs, const char *scope, bm_day from)
{
    struct bm_reception *list;
    json_t *items;
    size_t n = 0;
    int limit;
    int64_t cursor;
    enum bm_rc rc;

    if (scope == NULL)
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "您没有可查看的范围");
    if ((rc = bm_req_page(rq, 50, 200, &limit, &cursor)) != BM_OK)
        return rc;
    rc = bm_store_receptions_list(rq->store, scope, from, cursor, limit, rq->arena, &list, &n,
                                  &rq->err);
    if (rc != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, reception_json(&list[i]));
    return bm_json_page(rq, rs, items, (int)n == limit, n > 0 ? list[n - 1].id : 0);
}

enum bm_rc
bm_api_receptions_list(struct bm_req *rq, struct bm_resp *rs)
{
    const char *from = bm_req_query(rq, "from");
    bm_day d = BM_DAY_NONE;

    if (from != NULL && !bm_day_parse(from, &d))
        return bm_err_field(&rq->err, "from", "日期应为 YYYY-MM-DD");
    return list_receptions(rq, rs, bm_api_part_scope(rq, BM_PERM_PARTICIPATION_READ), d);
}

enum bm_rc
bm_api_public_receptions_list(struct bm_req *rq, struct bm_resp *rs)
{
    /* The public schedule: what is still to come, today included. */
    return list_receptions(rq, rs, "", today(rq));
}

enum bm_rc
bm_api_receptions_create(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"kind", "unit_id", "leader_name", "leader_title", "day",
                                         "place", NULL};
    enum bm_reception_kind k = BM_RECEPTION_RECEPTION;
    struct bm_reception r;
    const char *kind = NULL;
    json_t *body;
    int64_t id;
    enum bm_rc rc;

    memset(&r, 0, sizeof(r));
    r.day = BM_DAY_NONE;
    rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, fields);
    if (rc != BM_OK)
        return rc;
    if (bm_json_get_str(rq, body, "kind", true, 16, &kind, NULL) == BM_OK &&
        !bm_reception_kind_parse(kind, &k))
        (void)bm_err_field(&rq->err, "kind", "应为 reception（接访）或 visit（下访）");
    if (bm_json_get_str(rq, body, "leader_name", true, 30, &r.leader_name, NULL) == BM_OK &&
        !r.leader_name[0])
        (void)bm_err_field(&rq->err, "leader_name", "请填写领导姓名");
    if (bm_json_get_str(rq, body, "leader_title", true, 50, &r.leader_title, NULL) == BM_OK &&
        !r.leader_title[0])
        (void)bm_err_field(&rq->err, "leader_title", "请填写职务");
    if (bm_json_get_str(rq, body, "place", true, 200, &r.place, NULL) == BM_OK && !r.place[0])
        (void)bm_err_field(&rq->err, "place", "请填写地点");
    if (bm_api_part_get_day(rq, body, "day", &r.day) == BM_OK &&
        bm_reception_check_day(r.day, today(rq), &rq->err) != BM_OK)
        r.day = BM_DAY_NONE; /* the field error is in rq->err */
    (void)bm_api_part_unit(rq, body, &r.unit_id);
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    r.kind = bm_reception_kind_code(k);
    r.created_by = rq->who.user_id;

    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_reception_insert(rq->store, &r, rq->now, &id, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "reception.create", "reception", id,
                          json_pack("{s:s,s:s,s:o,s:I}", "kind", r.kind, "leader_name",
                                    r.leader_name, "day", bm_api_part_day(r.day), "unit_id",
                                    (json_int_t)r.unit_id));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_reception_get(rq->store, id, rq->arena, &r, &rq->err);
    if (rc != BM_OK)
        return rc;
    bm_resp_header(rs, "Location", bm_arena_printf(rq->arena, "/api/v1/receptions/%" PRId64, id));
    return bm_json_reply(rq, rs, 201, reception_json(&r));
}

enum bm_rc
bm_api_reception_visits(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_reception_visit *vs;
    struct bm_reception r;
    json_t *items;
    size_t n = 0;
    enum bm_rc rc = load_reception(rq, BM_PERM_PARTICIPATION_READ, &r);

    if (rc == BM_OK)
        rc = bm_store_visits_list(rq->store, r.id, rq->arena, &vs, &n, &rq->err);
    if (rc != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, visit_json(rq, &vs[i]));
    return bm_json_page(rq, rs, items, false, 0);
}

enum bm_rc
bm_api_reception_visit_create(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"visitor", "matter", "handling", "follow_up_due", NULL};
    struct bm_reception_visit v;
    struct bm_part_contact contact;
    struct bm_reception r;
    const char *due = NULL;
    json_t *body;
    int64_t id;
    enum bm_rc rc;

    memset(&v, 0, sizeof(v));
    v.follow_up_due = BM_DAY_NONE;
    rc = load_reception(rq, BM_PERM_PARTICIPATION_WRITE, &r);
    if (rc == BM_OK)
        rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, fields);
    if (rc != BM_OK)
        return rc;
    (void)bm_api_part_contact(rq, json_object_get(body, "visitor"), "visitor.", &contact);
    if (bm_json_get_str(rq, body, "matter", true, 2000, &v.matter, NULL) == BM_OK && !v.matter[0])
        (void)bm_err_field(&rq->err, "matter", "请填写反映的问题");
    if (bm_json_get_str(rq, body, "handling", true, 2000, &v.handling, NULL) == BM_OK &&
        !v.handling[0])
        (void)bm_err_field(&rq->err, "handling", "请填写办理情况");
    if (bm_json_get_str(rq, body, "follow_up_due", false, 10, &due, NULL) == BM_OK &&
        due != NULL && !bm_day_parse(due, &v.follow_up_due))
        (void)bm_err_field(&rq->err, "follow_up_due", "日期应为 YYYY-MM-DD");
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    rc = bm_reception_check_visit(r.day, v.follow_up_due, today(rq), &rq->err);
    if (rc != BM_OK)
        return rc;
    v.reception_id = r.id;
    v.visitor_masked = contact.name_masked;
    v.visitor_enc = contact.sealed;
    v.visitor_enc_len = contact.sealed_len;
    v.recorded_by = rq->who.user_id;

    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_visit_insert(rq->store, &v, rq->now, &id, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "reception.visit", "reception_visit", id,
                          json_pack("{s:I,s:s,s:o}", "reception_id", (json_int_t)r.id, "visitor",
                                    v.visitor_masked, "follow_up_due",
                                    bm_api_part_day(v.follow_up_due)));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_visit_get(rq->store, id, rq->arena, &v, &rq->err);
    return rc == BM_OK ? bm_json_reply(rq, rs, 201, visit_json(rq, &v)) : rc;
}

enum bm_rc
bm_api_reception_follow_ups(struct bm_req *rq, struct bm_resp *rs)
{
    const char *scope = bm_api_part_scope(rq, BM_PERM_PARTICIPATION_READ);
    struct bm_reception_visit *vs;
    json_t *items;
    size_t n = 0;
    int limit;
    int64_t cursor;
    enum bm_rc rc;

    if (scope == NULL)
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "您没有可查看的范围");
    if ((rc = bm_req_page(rq, 200, 1000, &limit, &cursor)) != BM_OK)
        return rc;
    if (cursor != 0)
        return bm_err_field(&rq->err, "cursor", "该列表不分页，请用 limit");
    rc = bm_store_follow_ups_open(rq->store, scope, limit, rq->arena, &vs, &n, &rq->err);
    if (rc != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, visit_json(rq, &vs[i]));
    return bm_json_page(rq, rs, items, false, 0);
}

enum bm_rc
bm_api_reception_follow_up(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"result", NULL};
    struct bm_reception_visit v;
    const char *result = NULL;
    json_t *body;
    int64_t id;
    enum bm_rc rc;

    rc = bm_req_param_id(rq, 0, &id);
    if (rc == BM_OK)
        rc = bm_store_visit_get(rq->store, id, rq->arena, &v, &rq->err);
    if (rc == BM_OK && !bm_access_in_scope(&rq->who, BM_PERM_PARTICIPATION_WRITE, v.unit_path))
        rc = bm_err_set(&rq->err, BM_ENOTFOUND, "来访记录不存在");
    if (rc == BM_OK)
        rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, fields);
    if (rc != BM_OK)
        return rc;
    if (bm_json_get_str(rq, body, "result", true, 2000, &result, NULL) == BM_OK && !result[0])
        (void)bm_err_field(&rq->err, "result", "请填写回访结果");
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    if ((rc = bm_reception_check_follow_up(v.follow_up_due, v.followed_up_at, &rq->err)) != BM_OK)
        return rc;
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_visit_follow_up(rq->store, v.id, result, rq->who.user_id, rq->now,
                                      &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "reception.follow_up", "reception_visit", v.id, NULL);
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_visit_get(rq->store, v.id, rq->arena, &v, &rq->err);
    return rc == BM_OK ? bm_json_reply(rq, rs, 200, visit_json(rq, &v)) : rc;
}
