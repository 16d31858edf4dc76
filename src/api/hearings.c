/*
 * Hearings on major matters (重大事项听证) and observed important meetings (重要会议旁听),
 * policy section 十四: staff schedule one (kind hearing or meeting) with a place, a time, a
 * capacity and a registration deadline; residents register in public until the deadline or
 * until the places are taken; after it took place staff record the minutes and outcome,
 * which the public list shows.
 */
#include <inttypes.h>
#include <string.h>

#include "api/handlers.h"
#include "api/json.h"
#include "api/participation.h"
#include "core/participation.h"

static json_t *
hearing_json(const struct bm_req *rq, const struct bm_hearing *h, bool staff)
{
    enum bm_hearing_kind k = BM_HEARING_HEARING;
    bm_day reg = h->register_until;
    bool open = bm_day_of_instant(rq->now) <= reg && rq->now < h->starts_at &&
                h->registered < h->capacity;
    json_t *j = json_object();

    (void)bm_hearing_kind_parse(h->kind, &k);
    json_object_set_new(j, "id", json_integer(h->id));
    json_object_set_new(j, "kind", json_string(bm_hearing_kind_code(k)));
    json_object_set_new(j, "kind_name", json_string(bm_hearing_kind_name_zh(k)));
    json_object_set_new(j, "unit_id", json_integer(h->unit_id));
    json_object_set_new(j, "unit_name", json_string(h->unit_name));
    json_object_set_new(j, "title", json_string(h->title));
    json_object_set_new(j, "matter", json_string(h->matter));
    json_object_set_new(j, "place", json_string(h->place));
    json_object_set_new(j, "starts_at", bm_json_time(h->starts_at));
    json_object_set_new(j, "register_until", bm_api_part_day(reg));
    json_object_set_new(j, "capacity", json_integer(h->capacity));
    json_object_set_new(j, "registered", json_integer(h->registered));
    json_object_set_new(j, "registration_open", json_boolean(open));
    json_object_set_new(j, "held", json_boolean(rq->now >= h->starts_at));
    json_object_set_new(j, "minutes", h->recorded_at ? json_string(h->minutes) : json_null());
    json_object_set_new(j, "outcome", h->recorded_at ? json_string(h->outcome) : json_null());
    json_object_set_new(j, "recorded_at", bm_json_time(h->recorded_at));
    if (staff)
        json_object_set_new(j, "created_at", bm_json_time(h->created_at));
    return j;
}

static enum bm_rc
load_hearing(struct bm_req *rq, enum bm_perm perm, struct bm_hearing *h)
{
    int64_t id;
    enum bm_rc rc = bm_req_param_id(rq, 0, &id);

    if (rc == BM_OK)
        rc = bm_store_hearing_get(rq->store, id, rq->arena, h, &rq->err);
    if (rc == BM_OK && perm != BM_PERM_PUBLIC && !bm_access_in_scope(&rq->who, perm, h->unit_path))
        rc = bm_err_set(&rq->err, BM_ENOTFOUND, "听证会或会议不存在");
    return rc;
}

static enum bm_rc
list_hearings(struct bm_req *rq, struct bm_resp *rs, const char *scope, bool staff)
{
    const char *kind = bm_req_query(rq, "kind");
    enum bm_hearing_kind k;
    struct bm_hearing *hs;
    json_t *items;
    size_t n = 0;
    int limit;
    int64_t cursor;
    enum bm_rc rc;

    if (scope == NULL)
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "您没有可查看的范围");
    if (kind != NULL && !bm_hearing_kind_parse(kind, &k))
        return bm_err_field(&rq->err, "kind", "应为 hearing 或 meeting");
    if ((rc = bm_req_page(rq, 50, 200, &limit, &cursor)) != BM_OK)
        return rc;
    rc = bm_store_hearings_list(rq->store, scope, kind ? kind : "", cursor, limit, rq->arena, &hs,
                                &n, &rq->err);
    if (rc != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, hearing_json(rq, &hs[i], staff));
    return bm_json_page(rq, rs, items, (int)n == limit, n > 0 ? hs[n - 1].id : 0);
}

enum bm_rc
bm_api_hearings_list(struct bm_req *rq, struct bm_resp *rs)
{
    return list_hearings(rq, rs, bm_api_part_scope(rq, BM_PERM_PARTICIPATION_READ), true);
}

enum bm_rc
bm_api_public_hearings_list(struct bm_req *rq, struct bm_resp *rs)
{
    return list_hearings(rq, rs, "", false);
}

enum bm_rc
bm_api_hearings_create(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"kind",     "unit_id", "title",          "matter",
                                         "place",    "date",    "time",           "capacity",
                                         "register_until", NULL};
    struct bm_hearing h;
    enum bm_hearing_kind k = BM_HEARING_HEARING;
    const char *kind = NULL, *time = NULL;
    bm_day day = BM_DAY_NONE;
    json_t *body;
    int64_t id;
    enum bm_rc rc;

    memset(&h, 0, sizeof(h));
    rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, fields);
    if (rc != BM_OK)
        return rc;
    if (bm_json_get_str(rq, body, "kind", true, 16, &kind, NULL) == BM_OK &&
        !bm_hearing_kind_parse(kind, &k))
        (void)bm_err_field(&rq->err, "kind", "应为 hearing（听证会）或 meeting（旁听会议）");
    if (bm_json_get_str(rq, body, "title", true, 100, &h.title, NULL) == BM_OK && !h.title[0])
        (void)bm_err_field(&rq->err, "title", "请填写标题");
    if (bm_json_get_str(rq, body, "matter", true, 5000, &h.matter, NULL) == BM_OK && !h.matter[0])
        (void)bm_err_field(&rq->err, "matter", "请填写事项说明");
    if (bm_json_get_str(rq, body, "place", true, 200, &h.place, NULL) == BM_OK && !h.place[0])
        (void)bm_err_field(&rq->err, "place", "请填写地点");
    (void)bm_api_part_get_day(rq, body, "date", &day);
    if (bm_json_get_str(rq, body, "time", true, 5, &time, NULL) == BM_OK && day != BM_DAY_NONE &&
        !bm_participation_instant(day, time, &h.starts_at))
        (void)bm_err_field(&rq->err, "time", "时间应为 HH:MM（北京时间）");
    (void)bm_json_get_int(rq, body, "capacity", true, INT32_MIN, INT32_MAX, &h.capacity, NULL);
    (void)bm_api_part_get_day(rq, body, "register_until", &h.register_until);
    (void)bm_api_part_unit(rq, body, &h.unit_id);
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    rc = bm_hearing_check_schedule(h.starts_at, h.register_until, h.capacity, rq->now, &rq->err);
    if (rc != BM_OK)
        return rc;
    h.kind = bm_hearing_kind_code(k);
    h.created_by = rq->who.user_id;

    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_hearing_insert(rq->store, &h, rq->now, &id, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "hearing.create", "hearing", id,
                          json_pack("{s:s,s:s,s:I,s:o,s:I}", "kind", h.kind, "title", h.title,
                                    "unit_id", (json_int_t)h.unit_id, "starts_at",
                                    bm_json_time(h.starts_at), "capacity",
                                    (json_int_t)h.capacity));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_hearing_get(rq->store, id, rq->arena, &h, &rq->err);
    if (rc != BM_OK)
        return rc;
    bm_resp_header(rs, "Location", bm_arena_printf(rq->arena, "/api/v1/hearings/%" PRId64, id));
    return bm_json_reply(rq, rs, 201, hearing_json(rq, &h, true));
}

enum bm_rc
bm_api_hearing_participants(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_hearing_participant *ps;
    enum bm_participant_role role;
    struct bm_hearing h;
    json_t *items;
    size_t n = 0;
    enum bm_rc rc = load_hearing(rq, BM_PERM_PARTICIPATION_READ, &h);

    if (rc == BM_OK)
        rc = bm_store_participants_list(rq->store, h.id, rq->arena, &ps, &n, &rq->err);
    if (rc != BM_OK)
        return rc;
    items = json_array();
    for (size_t i = 0; i < n; i++) {
        if (!bm_participant_role_parse(ps[i].role, &role))
            role = BM_PARTICIPANT_RESIDENT;
        json_array_append_new(items,
                              json_pack("{s:I,s:s,s:s,s:s,s:s,s:o}", "id", (json_int_t)ps[i].id,
                                        "role", bm_participant_role_code(role), "role_name",
                                        bm_participant_role_name_zh(role), "name",
                                        ps[i].name_masked, "phone", ps[i].phone_masked,
                                        "registered_at", bm_json_time(ps[i].created_at)));
    }
    return bm_json_page(rq, rs, items, false, 0);
}

enum bm_rc
bm_api_public_hearing_register(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"name", "phone", "role", NULL};
    struct bm_hearing_participant p;
    struct bm_part_contact contact;
    enum bm_participant_role role = BM_PARTICIPANT_RESIDENT;
    struct bm_hearing h;
    const char *rs_code = NULL;
    json_t *body;
    int64_t id;
    enum bm_rc rc;

    memset(&p, 0, sizeof(p));
    rc = load_hearing(rq, BM_PERM_PUBLIC, &h);
    if (rc == BM_OK)
        rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, fields);
    if (rc != BM_OK)
        return rc;
    if (bm_json_get_str(rq, body, "role", false, 16, &rs_code, NULL) == BM_OK && rs_code != NULL &&
        !bm_participant_role_parse(rs_code, &role))
        (void)bm_err_field(&rq->err, "role", "应为 resident、interested、expert 或 deputy");
    (void)bm_api_part_contact(rq, body, "", &contact);
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    rc = bm_hearing_check_register(h.starts_at, h.register_until, h.capacity, h.registered,
                                   rq->now, &rq->err);
    if (rc != BM_OK)
        return rc;
    p.hearing_id = h.id;
    p.role = bm_participant_role_code(role);
    p.name_masked = contact.name_masked;
    p.phone_masked = contact.phone_masked;
    p.contact_enc = contact.sealed;
    p.contact_enc_len = contact.sealed_len;
    memcpy(p.contact_hash, contact.phone_hash, sizeof(p.contact_hash));

    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_hearing_register(rq->store, &p, rq->now, &id, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "hearing.register", "hearing_participant", id,
                          json_pack("{s:I,s:s,s:s}", "hearing_id", (json_int_t)h.id, "role",
                                    p.role, "name", p.name_masked));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc != BM_OK)
        return rc;
    return bm_json_reply(rq, rs, 201,
                         json_pack("{s:I,s:I,s:s,s:s,s:s}", "id", (json_int_t)id, "hearing_id",
                                   (json_int_t)h.id, "role", p.role, "name", p.name_masked,
                                   "status", "registered"));
}

enum bm_rc
bm_api_hearing_record(struct bm_req *rq, struct bm_resp *rs)
{
    static const char *const fields[] = {"minutes", "outcome", NULL};
    const char *minutes = NULL, *outcome = NULL;
    struct bm_hearing h;
    json_t *body;
    enum bm_rc rc;

    rc = load_hearing(rq, BM_PERM_PARTICIPATION_WRITE, &h);
    if (rc == BM_OK)
        rc = bm_json_body(rq, &body);
    if (rc == BM_OK)
        rc = bm_json_only(rq, body, fields);
    if (rc != BM_OK)
        return rc;
    if (bm_json_get_str(rq, body, "minutes", true, 20000, &minutes, NULL) == BM_OK &&
        !minutes[0])
        (void)bm_err_field(&rq->err, "minutes", "请填写会议纪要");
    if (bm_json_get_str(rq, body, "outcome", true, 5000, &outcome, NULL) == BM_OK &&
        !outcome[0])
        (void)bm_err_field(&rq->err, "outcome", "请填写结果");
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    if ((rc = bm_hearing_check_record(h.starts_at, h.recorded_at, rq->now, &rq->err)) != BM_OK)
        return rc;
    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_hearing_record(rq->store, h.id, minutes, outcome, rq->now, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "hearing.record", "hearing", h.id, NULL);
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_hearing_get(rq->store, h.id, rq->arena, &h, &rq->err);
    return rc == BM_OK ? bm_json_reply(rq, rs, 200, hearing_json(rq, &h, true)) : rc;
}
