/*
 * Cases (办件): opening one at a township window or online, the queues, one case's view,
 * and the public progress lookup by case number and query code. Actions on a case are in
 * case_actions.c, files and printable documents in case_files.c.
 */
#include <inttypes.h>
#include <string.h>

#include "api/cases.h"
#include "api/handlers.h"
#include "api/json.h"
#include "api/ratings.h"
#include "core/access.h"
#include "core/checksum.h"
#include "core/secret.h"
#include "util/parse.h"
#include "util/utf8.h"

int
bm_api_ymd(bm_day d)
{
    int y, m, dd;
    bm_day_to_ymd(d, &y, &m, &dd);
    return y * 10000 + m * 100 + dd;
}

/* ---- input checks ---- */

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
has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

struct intake {
    struct bm_case c;
    struct bm_item item;
    const char *name, *id_number, *phone;
    bool accept_now;
};

static const char *const create_fields[] = {"item_id", "channel", "applicant", "materials",
                                            "township_id", "summary", "accept", NULL};
static const char *const applicant_fields[] = {"name", "id_type", "id_number", "phone", NULL};
static const char *const material_fields[] = {"name", "provided", NULL};

/* Field errors added since `from` name keys of a nested object: give them its path. */
static void
prefix_fields(struct bm_req *rq, int from, const char *prefix)
{
    bm_err_prefix_fields(&rq->err, from, prefix);
}

static enum bm_rc
read_applicant(struct bm_req *rq, json_t *body, struct intake *in)
{
    json_t *ap = json_object_get(body, "applicant");
    const char *type = NULL;
    char *id;
    int today = bm_api_ymd(bm_day_of_instant(rq->now)), from = rq->err.n_fields;
    bool bad;

    if (!json_is_object(ap))
        return bm_err_field(&rq->err, "applicant", "必填，应为对象");
    /* Errors name the nested field ("applicant.phone"), as the checks below do. */
    bad = bm_json_only(rq, ap, applicant_fields) != BM_OK;
    (void)bm_json_get_str(rq, ap, "name", true, 50, &in->name, NULL);
    (void)bm_json_get_str(rq, ap, "id_type", true, 16, &type, NULL);
    (void)bm_json_get_str(rq, ap, "id_number", true, 18, &in->id_number, NULL);
    (void)bm_json_get_str(rq, ap, "phone", true, 20, &in->phone, NULL);
    prefix_fields(rq, from, "applicant.");
    if (bad || rq->err.n_fields > 0)
        return BM_EINVAL;
    if (in->name[0] == '\0' || has_control(in->name))
        (void)bm_err_field(&rq->err, "applicant.name", "请填写申请人姓名或名称");
    if (strcmp(type, "resident_id") != 0 && strcmp(type, "uscc") != 0)
        return bm_err_field(&rq->err, "applicant.id_type", "应为 resident_id（居民身份证）或 uscc（统一社会信用代码）");
    in->c.is_applicant_uscc = strcmp(type, "uscc") == 0;
    id = bm_arena_strdup(rq->arena, in->id_number);
    if (id == NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    for (char *p = id; *p; p++)
        if (*p == 'x')
            *p = 'X';
    in->id_number = id;
    if (in->c.is_applicant_uscc ? !bm_uscc_valid(id) : !bm_id_valid(id, today))
        (void)bm_err_field(&rq->err, "applicant.id_number",
                           in->c.is_applicant_uscc ? "统一社会信用代码无效（校验位不符）"
                                                   : "居民身份证号码无效（出生日期或校验位不符）");
    if (!phone_valid(in->phone))
        (void)bm_err_field(&rq->err, "applicant.phone", "联系电话应为11位手机号或带区号的固定电话");
    return rq->err.n_fields > 0 ? BM_EINVAL : BM_OK;
}

/* The checklist of the item's version, with what the applicant handed in (by name). */
static enum bm_rc
read_materials(struct bm_req *rq, json_t *body, struct intake *in)
{
    json_t *ms = json_object_get(body, "materials"), *m;
    size_t i;

    in->c.n_materials = in->item.n_materials;
    in->c.materials = bm_arena_alloc(rq->arena, sizeof(*in->c.materials) * (in->c.n_materials + 1));
    if (in->c.materials == NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    for (i = 0; i < in->item.n_materials; i++) {
        in->c.materials[i].ord = (int)i;
        in->c.materials[i].name = in->item.materials[i].name;
        in->c.materials[i].required = in->item.materials[i].required;
        in->c.materials[i].source = in->item.materials[i].source;
    }
    if (ms == NULL || json_is_null(ms))
        return BM_OK;
    if (!json_is_array(ms))
        return bm_err_field(&rq->err, "materials", "应为数组");
    json_array_foreach(ms, i, m) {
        const char *name = NULL;
        bool provided = true, found = false;
        char prefix[48], field[56];
        int from = rq->err.n_fields;
        bool bad;
        snprintf(prefix, sizeof(prefix), "materials[%zu].", i);
        snprintf(field, sizeof(field), "%sname", prefix);
        if (!json_is_object(m) || (name = json_string_value(json_object_get(m, "name"))) == NULL) {
            (void)bm_err_field(&rq->err, field, "应为 {\"name\", \"provided\"}");
            continue;
        }
        /* Strict like the body itself: a misspelt "provided" must not count as handed in. */
        bad = bm_json_only(rq, m, material_fields) != BM_OK;
        (void)bm_json_get_bool(rq, m, "provided", false, &provided, NULL);
        prefix_fields(rq, from, prefix);
        if (bad || rq->err.n_fields > from)
            continue;
        for (size_t k = 0; k < in->c.n_materials; k++)
            if (strcmp(in->c.materials[k].name, name) == 0) {
                in->c.materials[k].provided = provided;
                found = true;
            }
        if (!found)
            (void)bm_err_field(&rq->err, field, "该事项没有名为“%.60s”的材料", name);
    }
    return rq->err.n_fields > 0 ? BM_EINVAL : BM_OK;
}

/* The name of a document without title marks and spaces: 《残疾人证》 = 残疾人证. */
static void
doc_name(const char *s, char *out, size_t size)
{
    size_t n = 0;

    while (*s && n + 4 < size) {
        if (strncmp(s, "《", 3) == 0 || strncmp(s, "》", 3) == 0 || strncmp(s, "\u3000", 3) == 0) {
            s += 3;
        } else if (*s == ' ') {
            s++;
        } else {
            out[n++] = *s++;
        }
    }
    out[n] = '\0';
}

/*
 * 免提交: what the government can fetch itself is not asked for. Materials obtained by data
 * sharing are exempt outright; materials the government issues are exempt when this holder
 * already has that certificate from an earlier case (电子证照).
 */
static enum bm_rc
exempt_certified(struct bm_req *rq, struct bm_case *c)
{
    struct bm_certificate *cs;
    size_t n = 0;
    char want[512], have[512];
    enum bm_rc rc = bm_store_certificates_of(rq->store, c->applicant_hash, rq->arena, &cs, &n,
                                             &rq->err);

    for (size_t i = 0; rc == BM_OK && i < c->n_materials; i++) {
        struct bm_case_material *m = &c->materials[i];
        if (m->source == BM_SOURCE_SHARED) {
            m->exempt = true;
            continue;
        }
        if (m->source != BM_SOURCE_GOVERNMENT)
            continue;
        doc_name(m->name, want, sizeof(want));
        for (size_t k = 0; k < n; k++) {
            doc_name(cs[k].name, have, sizeof(have));
            if (strcmp(want, have) == 0) {
                m->exempt = true;
                m->certificate_id = cs[k].id;
                break;
            }
        }
    }
    return rc;
}

/* Top unit prefix ("/1/4/") of a path, or "" for a path at the county itself. */
static void
top_prefix(const char *path, char *out, size_t size)
{
    (void)bm_org_path_prefix(path, 2, out, size);
}

/*
 * 一窗受理: a township window takes its own township's items and every item handled
 * county-wide (全县通办); a window at the county takes every item of the county.
 */
static enum bm_rc
check_window(struct bm_req *rq, const struct bm_org_unit *window, const struct bm_item *it)
{
    char top[BM_ORG_PATH_MAX];
    struct bm_org_unit t;
    int64_t top_id;

    top_prefix(window->path, top, sizeof(top));
    if (top[0] == '\0' || it->county_wide || strncmp(it->unit_path, top, strlen(top)) == 0)
        return BM_OK;
    top_id = strtoll(strchr(top + 1, '/') + 1, NULL, 10);
    if (bm_store_org_get(rq->store, top_id, rq->arena, &t, &rq->err) != BM_OK)
        return BM_EINTERNAL;
    if (t.kind != BM_ORG_TOWNSHIP)
        return BM_OK; /* a department's own service hall */
    /* Name the item's own township: "社会事务办公室" alone exists in every township. */
    top_prefix(it->unit_path, top, sizeof(top));
    if (top[0] == '\0' ||
        bm_store_org_get(rq->store, strtoll(strchr(top + 1, '/') + 1, NULL, 10), rq->arena, &t,
                         &rq->err) != BM_OK) {
        bm_err_clear(&rq->err);
        t.name = it->unit_name;
    }
    return bm_err_set(&rq->err, BM_EFORBIDDEN,
                      "该事项不是全县通办事项，只能在%s的便民服务中心办理", t.name);
}

/* The window where an online application is received: the township's service center. */
static enum bm_rc
online_window(struct bm_req *rq, json_t *body, const struct bm_item *it, struct bm_org_unit *out)
{
    json_int_t tid = 0;
    struct bm_org_unit *units;
    size_t n = 0;
    char top[BM_ORG_PATH_MAX];
    const char *prefix;
    enum bm_rc rc;

    if (json_object_get(body, "township_id") && !json_is_null(json_object_get(body, "township_id"))) {
        int64_t v;
        if (bm_json_get_int(rq, body, "township_id", true, 1, INT64_MAX, &v, NULL) != BM_OK)
            return BM_EINVAL;
        tid = v;
        if (bm_store_org_get(rq->store, tid, rq->arena, out, &rq->err) != BM_OK ||
            out->kind != BM_ORG_TOWNSHIP || !out->is_active) {
            bm_err_clear(&rq->err);
            return bm_err_field(&rq->err, "township_id", "乡镇不存在");
        }
        prefix = out->path;
    } else {
        top_prefix(it->unit_path, top, sizeof(top));
        prefix = top;
        if (top[0] != '\0') {
            struct bm_org_unit t;
            int64_t id = strtoll(strchr(top + 1, '/') + 1, NULL, 10);
            if ((rc = bm_store_org_get(rq->store, id, rq->arena, &t, &rq->err)) != BM_OK)
                return rc;
            if (t.kind != BM_ORG_TOWNSHIP)
                prefix = ""; /* a department's item: the county's service center */
            *out = t;
        }
    }
    if (prefix[0] == '\0') {
        /* The county's own service center, else the county itself. */
        char county[BM_ORG_PATH_MAX];
        (void)bm_org_path_prefix(it->unit_path, 1, county, sizeof(county));
        rc = bm_store_org_list(rq->store, county, rq->arena, &units, &n, &rq->err);
        for (size_t i = 0; rc == BM_OK && i < n; i++)
            if (units[i].kind == BM_ORG_SERVICE_CENTER && units[i].is_active &&
                strchr(units[i].path + strlen(county), '/') ==
                    units[i].path + strlen(units[i].path) - 1) {
                *out = units[i];
                return BM_OK;
            }
        return rc != BM_OK ? rc
                           : bm_store_org_get(rq->store, strtoll(county + 1, NULL, 10), rq->arena,
                                              out, &rq->err);
    }
    rc = bm_store_org_list(rq->store, prefix, rq->arena, &units, &n, &rq->err);
    for (size_t i = 0; rc == BM_OK && i < n; i++)
        if (units[i].kind == BM_ORG_SERVICE_CENTER && units[i].is_active) {
            *out = units[i];
            break;
        }
    return rc;
}

static enum bm_rc
seal_applicant(struct bm_req *rq, struct intake *in)
{
    struct bm_pii_key k;
    char *plain = bm_arena_printf(rq->arena, "%s\x1f%s\x1f%s", in->name, in->id_number, in->phone);
    char masked[160];
    unsigned char *sealed;
    size_t len;

    if (plain == NULL || (len = strlen(plain)) > BM_PII_MAX_PLAIN ||
        (sealed = bm_arena_alloc(rq->arena, len + BM_PII_OVERHEAD)) == NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    bm_api_pii_key(rq, &k);
    bm_pii_seal(&k, plain, len, sealed);
    bm_pii_hash(&k, in->id_number, in->c.applicant_hash);
    bm_secret_wipe(&k, sizeof(k));
    bm_secret_wipe(plain, len);
    in->c.applicant_enc = sealed;
    in->c.applicant_enc_len = len + BM_PII_OVERHEAD;
    if (in->c.is_applicant_uscc)
        snprintf(masked, sizeof(masked), "%s", in->name); /* an organisation's name is public */
    else
        bm_pii_mask_name(in->name, masked, sizeof(masked));
    in->c.applicant_masked = bm_arena_strdup(rq->arena, masked);
    return in->c.applicant_masked ? BM_OK : bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
}

/* ---- create ---- */

/* The answer to a creation: the case with a Location header (cal NULL: the snapshot). */
static enum bm_rc
reply_created(struct bm_req *rq, struct bm_resp *rs, int status, const struct bm_case *c,
              const struct bm_calendar *cal)
{
    struct bm_calendar snap;
    enum bm_rc rc;

    if (cal == NULL) {
        if ((rc = bm_api_calendar(rq, &snap)) != BM_OK)
            return rc;
        cal = &snap;
    }
    bm_resp_header(rs, "Location", bm_arena_printf(rq->arena, "/api/v1/cases/%s", c->case_no));
    return bm_api_case_reply(rq, rs, status, c, cal, false);
}

static enum bm_rc
reply_case(struct bm_req *rq, struct bm_resp *rs, int status, const char *case_no)
{
    struct bm_case c;
    enum bm_rc rc = bm_store_case_get(rq->store, case_no, rq->arena, &c, &rq->err);

    return rc == BM_OK ? reply_created(rq, rs, status, &c, NULL) : rc;
}

/* A retried creation: the same key and body give the same case; another body is refused. */
static enum bm_rc
idempotent_replay(struct bm_req *rq, struct bm_resp *rs, const unsigned char hash[32], bool *done)
{
    unsigned char stored[32];
    int64_t case_id;
    const char *case_no;
    enum bm_rc rc = bm_store_idem_get(rq->store, rq->who.user_id, rq->idempotency_key, stored,
                                      &case_id, &case_no, rq->arena, &rq->err);

    *done = false;
    if (rc == BM_ENOTFOUND) {
        bm_err_clear(&rq->err);
        return BM_OK;
    }
    if (rc != BM_OK)
        return rc;
    *done = true;
    if (memcmp(stored, hash, 32) != 0)
        return bm_err_set(&rq->err, BM_ECONFLICT, "该 Idempotency-Key 已用于另一个不同的申请");
    bm_resp_header(rs, "Idempotency-Replayed", "true");
    return reply_case(rq, rs, 200, case_no);
}

static enum bm_rc
create(struct bm_req *rq, struct bm_resp *rs, bool public_route)
{
    struct intake in;
    struct bm_case submitted;
    struct bm_case_event events[2];
    struct bm_case_step step;
    struct bm_org_unit window;
    struct bm_calendar cal;
    unsigned char body_hash[32];
    const char *channel = NULL;
    char town[13], code[8];
    json_t *body;
    int64_t item_id = 0, id;
    int seq = 0;
    bool is_citizen = (rq->who.roles & BM_ROLE_CITIZEN) && !(rq->who.roles & BM_ROLE_CLERK);
    bool replayed, stepped = false;
    enum bm_rc rc;

    memset(&in, 0, sizeof(in));
    if (rq->idempotency_key[0] != '\0') {
        size_t n = strlen(rq->idempotency_key);
        if (n > 100 || has_control(rq->idempotency_key))
            return bm_err_field(&rq->err, "Idempotency-Key", "应为1至100个可见字符");
        bm_secret_digest(rq->body, rq->body_len, body_hash);
        rc = idempotent_replay(rq, rs, body_hash, &replayed);
        if (rc != BM_OK || replayed)
            return rc;
    }
    if ((rc = bm_json_body(rq, &body)) != BM_OK || (rc = bm_json_only(rq, body, create_fields)) != BM_OK)
        return rc;
    (void)bm_json_get_int(rq, body, "item_id", true, 1, INT64_MAX, &item_id, NULL);
    (void)bm_json_get_str(rq, body, "channel", false, 10, &channel, NULL);
    (void)bm_json_get_str(rq, body, "summary", false, 500, &in.c.summary, NULL);
    (void)bm_json_get_bool(rq, body, "accept", false, &in.accept_now, NULL);
    if (rq->err.n_fields > 0)
        return BM_EINVAL;
    if (channel == NULL)
        channel = is_citizen || public_route ? "online" : "window";
    if (strcmp(channel, "online") != 0 && strcmp(channel, "window") != 0)
        return bm_err_field(&rq->err, "channel", "应为 window（窗口）或 online（网上）");
    in.c.is_online = strcmp(channel, "online") == 0;
    if (in.c.is_online != (is_citizen || public_route))
        return bm_err_set(&rq->err, BM_EFORBIDDEN,
                          in.c.is_online ? "网上申请由居民本人登录提交"
                                         : "窗口受理须由便民服务中心窗口人员办理");
    if (in.accept_now && in.c.is_online)
        return bm_err_field(&rq->err, "accept", "网上申请须由窗口预审后受理");
    if (read_applicant(rq, body, &in) != BM_OK)
        return BM_EINVAL;
    if (bm_store_item_get(rq->store, item_id, rq->arena, &in.item, &rq->err) != BM_OK ||
        in.item.status != BM_ITEM_PUBLISHED) {
        bm_err_clear(&rq->err);
        return bm_err_field(&rq->err, "item_id", "事项不存在或未发布（请使用已发布的事项版本）");
    }
    if (!(in.item.objects & (in.c.is_applicant_uscc ? BM_OBJECT_LEGAL : BM_OBJECT_NATURAL)))
        return bm_err_field(&rq->err, "applicant.id_type",
                            in.c.is_applicant_uscc ? "该事项只面向自然人" : "该事项只面向法人和其他组织");
    if (in.c.is_online && in.item.online_depth < 2)
        return bm_err_field(&rq->err, "item_id", "该事项不支持网上申请，请到窗口办理");
    if (read_materials(rq, body, &in) != BM_OK)
        return BM_EINVAL;
    if (in.c.is_online)
        rc = online_window(rq, body, &in.item, &window);
    else if (rq->who.org_unit_id == 0)
        rc = bm_err_set(&rq->err, BM_EFORBIDDEN, "您不属于任何窗口单位");
    else
        rc = bm_store_org_get(rq->store, rq->who.org_unit_id, rq->arena, &window, &rq->err);
    if (rc == BM_OK)
        rc = check_window(rq, &window, &in.item);
    if (rc == BM_OK)
        rc = seal_applicant(rq, &in);
    if (rc != BM_OK)
        return rc;

    in.c.item_id = in.item.id;
    in.c.st.status = BM_CASE_SUBMITTED;
    in.c.st.needs_approval = in.item.needs_approval;
    in.c.applicant_user_id = in.c.is_online ? rq->who.user_id : 0;
    in.c.accepting_unit_id = window.id;
    in.c.accepting_path = window.path;
    in.c.accepting_unit_name = window.name;
    in.c.handling_unit_id = in.item.implementing_unit_id; /* 县乡后台分类办理 */
    in.c.handling_path = in.item.unit_path;
    in.c.handling_unit_name = in.item.unit_name;
    in.c.item_name = in.item.name;
    in.c.promised_days = in.item.promised_days;
    in.c.submitted_at = rq->now;
    in.c.accept_day = in.c.due_day = in.c.warn_day = BM_DAY_NONE;
    in.c.visits = in.c.is_online ? 0 : 1;
    in.c.delivery_method = in.c.delivery_ref = "";
    if (in.c.summary == NULL)
        in.c.summary = "";
    bm_secret_digits(code, 6);
    in.c.query_code = code;

    rc = bm_api_town_code(rq, window.path, town);
    /* Reads before the write lock: the lock is held only for the writes themselves. */
    if (rc == BM_OK)
        rc = exempt_certified(rq, &in.c);
    if (rc == BM_OK)
        rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_case_next_seq(rq->store, town, bm_api_ymd(bm_day_of_instant(rq->now)), &seq,
                                    &rq->err);
    if (rc == BM_OK) {
        char no[27];
        int y, m, d;
        bm_day_to_ymd(bm_day_of_instant(rq->now), &y, &m, &d);
        if (!bm_case_no_format(town, y, m, d, seq, no))
            rc = bm_err_set(&rq->err, BM_ECONFLICT, "今日办件编号已用完");
        else if ((in.c.case_no = bm_arena_strdup(rq->arena, no)) == NULL)
            rc = bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    }
    /* The case as it is written, the county being the first six digits of the town code:
     * the accept notice and the reply need no read back. */
    in.c.county_code = bm_arena_strndup(rq->arena, town, 6);
    in.c.item_code = in.item.code;
    in.c.item_version = in.item.item_version;
    in.c.handler_name = "";
    in.c.created_at = in.c.updated_at = rq->now;
    if (rc == BM_OK && in.c.county_code == NULL)
        rc = bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    /* Accepted at once: the step is applied before the insert, so the row is written once
     * (an insert and then an update rewrote every index of the case). The create event and
     * audit entry still come first and describe the case as submitted. */
    submitted = in.c;
    submitted.version = 1;
    if (rc == BM_OK && in.accept_now) {
        rc = bm_api_calendar_stored(rq, &cal);
        if (rc == BM_OK)
            rc = bm_api_case_step(rq, &in.c, BM_ACT_ACCEPT, NULL, &cal, &step);
        if (rc == BM_OK)
            stepped = true;
    }
    in.c.version = stepped ? 2 : 1;
    if (rc == BM_OK)
        rc = bm_store_case_insert(rq->store, &in.c, rq->now, &id, &rq->err);
    if (rc == BM_OK) {
        in.c.id = submitted.id = id;
        rc = bm_api_case_event_kept(rq, &submitted, "create", (enum bm_case_status)-1,
                                    in.c.is_online ? "网上申请" : "窗口申请",
                                    json_pack("{s:s,s:I}", "channel", channel, "item_id",
                                              (json_int_t)in.item.id),
                                    &events[0]);
    }
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "case.create", "case", id,
                          json_pack("{s:s,s:I,s:s}", "case_no", in.c.case_no, "item_id",
                                    (json_int_t)in.item.id, "channel", channel));
    if (rc == BM_OK && rq->idempotency_key[0] != '\0')
        rc = bm_store_idem_put(rq->store, rq->who.user_id, rq->idempotency_key, body_hash, id,
                               rq->now, &rq->err);
    if (stepped) {
        if (rc == BM_OK)
            rc = bm_api_case_record(rq, &in.c, &step);
        else
            json_decref(step.detail);
        events[1] = step.event;
    }
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc == BM_ECONFLICT && rq->idempotency_key[0] != '\0') {
        /* The same key raced us from another connection: answer as its replay. */
        bm_store_rollback(rq->store);
        bm_err_clear(&rq->err);
        rc = idempotent_replay(rq, rs, body_hash, &replayed);
        if (rc == BM_OK && !replayed)
            rc = bm_err_set(&rq->err, BM_EBUSY, "请稍后重试");
        return rc;
    }
    if (rc != BM_OK)
        return rc;
    /* Answered from what was written: a read on this thread's connection would start cold,
     * its cache dropped by the commit. */
    in.c.events = events;
    in.c.n_events = stepped ? 2 : 1;
    return reply_created(rq, rs, 201, &in.c, stepped ? &cal : NULL);
}

enum bm_rc
bm_api_cases_create(struct bm_req *rq, struct bm_resp *rs)
{
    return create(rq, rs, false);
}

enum bm_rc
bm_api_public_cases_create(struct bm_req *rq, struct bm_resp *rs)
{
    if (!(rq->who.roles & BM_ROLE_CITIZEN))
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "网上申请须以居民账号登录");
    return create(rq, rs, true);
}

/* ---- read ---- */

enum bm_rc
bm_api_cases_get(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_case c;
    struct bm_calendar cal;
    const char *reveal = bm_req_query(rq, "reveal");
    bool full = reveal != NULL && strcmp(reveal, "pii") == 0;
    enum bm_rc rc;

    bm_store_read_begin(rq->store); /* the case and its lists from one snapshot */
    rc = bm_api_case_load(rq, rq->params[0], &c);

    if (rc == BM_OK)
        rc = bm_api_calendar(rq, &cal);
    if (rc != BM_OK)
        return rc;
    if (full) {
        /* Unmasked personal data: for the applicant, the accepting window and the handling
         * unit only; every such view is recorded in the audit trail. */
        if (!bm_api_case_is_own(rq, &c) &&
            !bm_access_case_actor(&rq->who, BM_ACTOR_FRONT, c.accepting_path, c.handling_path) &&
            !bm_access_case_actor(&rq->who, BM_ACTOR_BACK, c.accepting_path, c.handling_path) &&
            !bm_access_case_actor(&rq->who, BM_ACTOR_APPROVER, c.accepting_path, c.handling_path))
            return bm_err_set(&rq->err, BM_EFORBIDDEN, "您无权查看申请人的完整个人信息");
        rc = bm_store_begin(rq->store, &rq->err);
        if (rc == BM_OK)
            rc = bm_api_audit(rq, "case.view_pii", "case", c.id,
                              json_pack("{s:s}", "case_no", c.case_no));
        if (rc == BM_OK)
            rc = bm_store_commit(rq->store, &rq->err);
        if (rc != BM_OK)
            return rc;
    }
    return bm_api_case_reply(rq, rs, 200, &c, &cal, full);
}

/* The queues: GET /api/v1/cases?queue=...&status=...&sort=deadline */
enum bm_rc
bm_api_case_queue(struct bm_req *rq, struct bm_case_query *q)
{
    const char *v = bm_req_query(rq, "queue");

    if (v != NULL && v[0]) {
        /* mine: assigned to me; unit: handled by my unit; window: accepted at my window. */
        if (strcmp(v, "mine") == 0)
            q->handler_id = rq->who.user_id;
        else if (strcmp(v, "unit") == 0)
            q->handling_prefix = rq->who.org_path;
        else if (strcmp(v, "window") == 0)
            q->accepting_prefix = rq->who.org_path;
        else if (strcmp(v, "all") != 0)
            return bm_err_field(&rq->err, "queue", "应为 mine、unit、window 或 all");
    }
    if ((v = bm_req_query(rq, "handling_unit_id")) != NULL && v[0] &&
        !bm_parse_i64z(v, 1, INT64_MAX, &q->handling_unit_id))
        return bm_err_field(&rq->err, "handling_unit_id", "应为单位编号");
    return BM_OK;
}

enum bm_rc
bm_api_due_page(struct bm_req *rq, int default_limit, struct bm_case_query *q)
{
    /* "DAY.ID", which bm_req_page would refuse, so that cursor is read here. */
    const char *cur = bm_req_query(rq, "cursor"), *dot = cur ? strchr(cur, '.') : NULL;
    const char *v = bm_req_query(rq, "limit");
    int64_t num, d;

    if (v != NULL && !bm_parse_i64z(v, 1, 200, &num))
        return bm_err_field(&rq->err, "limit", "应为 1 至 %d 之间的整数", 200);
    q->limit = v != NULL ? (int)num : default_limit;
    if (cur != NULL && cur[0] != '\0') {
        if (dot == NULL || !bm_parse_i64z(dot + 1, 1, INT64_MAX, &q->after_id) ||
            !bm_parse_i64(cur, (size_t)(dot - cur), -1000000, 1000000, &d))
            return bm_err_field(&rq->err, "cursor", "翻页游标无效");
        q->after_due = (bm_day)d;
    }
    return BM_OK;
}

enum bm_rc
bm_api_cases_list(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_case_query q;
    struct bm_calendar cal;
    struct bm_case *cs;
    char scope[BM_ORG_PATH_MAX];
    const char *v;
    size_t n = 0;
    int64_t num;
    enum bm_rc rc;

    memset(&q, 0, sizeof(q));
    q.due_before = BM_DAY_NONE;
    q.after_due = BM_DAY_NONE;
    q.warn_before = BM_DAY_NONE; /* 0 would be a day: status=open would keep only warned cases */
    if (!bm_access_case_scope(&rq->who, scope, sizeof(scope)))
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "您无权查看办件");
    q.scope_prefix = scope;
    if ((v = bm_req_query(rq, "status")) != NULL && v[0]) {
        if (strcmp(v, "open") == 0)
            q.open_only = true;
        else if (bm_code_find(bm_case_statuses, v) < 0)
            return bm_err_field(&rq->err, "status", "未知的办件状态");
        else
            q.status = v;
    }
    if ((rc = bm_api_case_queue(rq, &q)) != BM_OK)
        return rc;
    if ((v = bm_req_query(rq, "accepting_unit_id")) != NULL && v[0]) {
        if (!bm_parse_i64z(v, 1, INT64_MAX, &q.accepting_unit_id))
            return bm_err_field(&rq->err, "accepting_unit_id", "应为单位编号");
    }
    if ((v = bm_req_query(rq, "due_before")) != NULL && v[0]) {
        if (!bm_day_parse(v, &q.due_before))
            return bm_err_field(&rq->err, "due_before", "应为 YYYY-MM-DD 格式的日期");
    }
    if ((v = bm_req_query(rq, "sort")) != NULL && v[0]) {
        if (strcmp(v, "deadline") == 0)
            q.by_due = true;
        else if (strcmp(v, "-id") != 0 && strcmp(v, "newest") != 0)
            return bm_err_field(&rq->err, "sort", "应为 deadline 或 newest");
    }
    /* The cursor is the last id; with sort=deadline also its due day: "DAY.ID", which
     * bm_req_page would refuse, so that cursor is read here. */
    if (q.by_due) {
        if ((rc = bm_api_due_page(rq, 20, &q)) != BM_OK)
            return rc;
    } else {
        rc = bm_req_page(rq, 20, 200, &q.limit, &num);
        if (rc != BM_OK)
            return rc;
        q.after_id = num;
    }
    rc = bm_store_cases_list(rq->store, &q, rq->arena, &cs, &n, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_calendar(rq, &cal);
    if (rc != BM_OK)
        return rc;
    if ((int)n > q.limit) {
        const struct bm_case *last = &cs[q.limit - 1];
        const char *cursor = q.by_due ? bm_arena_printf(rq->arena, "%d.%" PRId64, (int)last->due_day,
                                                        last->id)
                                      : bm_arena_printf(rq->arena, "%" PRId64, last->id);
        return bm_api_case_page(rq, rs, cs, (size_t)q.limit, &cal, cursor ? cursor : "");
    }
    return bm_api_case_page(rq, rs, cs, n, &cal, NULL);
}

/* A resident's own online applications: GET /api/v1/public/my-cases */
enum bm_rc
bm_api_public_my_cases(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_case_query q;
    struct bm_calendar cal;
    struct bm_case *cs;
    size_t n = 0;
    int64_t cursor;
    enum bm_rc rc;

    memset(&q, 0, sizeof(q));
    q.due_before = q.after_due = BM_DAY_NONE;
    q.applicant_user_id = rq->who.user_id;
    rc = bm_req_page(rq, 20, 100, &q.limit, &cursor);
    q.after_id = cursor;
    if (rc == BM_OK)
        rc = bm_store_cases_list(rq->store, &q, rq->arena, &cs, &n, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_calendar(rq, &cal);
    if (rc != BM_OK)
        return rc;
    if ((int)n > q.limit)
        return bm_api_case_page(rq, rs, cs, (size_t)q.limit, &cal,
                                bm_arena_printf(rq->arena, "%" PRId64, cs[q.limit - 1].id));
    return bm_api_case_page(rq, rs, cs, n, &cal, NULL);
}

/*
 * Public progress lookup with the receipt's query code, no log-in: status, steps and the
 * deadline, with personal data masked and no staff names.
 */
enum bm_rc
bm_api_public_case_get(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_case c;
    struct bm_calendar cal;
    struct bm_case_event *ev;
    size_t n = 0;
    const char *code = bm_req_query(rq, "code");
    enum bm_light light;
    json_t *o, *events;
    char buf[12];
    enum bm_rc rc;

    /* Guessing the 6-digit code is throttled like a password: per case number and per
     * client address, with the log-in limits and window. */
    const char *key = bm_arena_printf(rq->arena, "case:%.30s", rq->params[0]);
    int64_t n_case = 0, n_ip = 0;

    if (key == NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    rc = bm_store_login_failures(rq->store, key, rq->client_ip, rq->now - rq->cfg->login_window_s,
                                 &n_case, &n_ip, &rq->err);
    if (rc != BM_OK)
        return rc;
    if (n_case >= rq->cfg->login_max_failures || n_ip >= rq->cfg->login_ip_max_failures) {
        rq->err.retry_after_s = rq->cfg->login_window_s;
        return bm_err_set(&rq->err, BM_ETHROTTLED, "查询码错误次数过多，请 %d 分钟后再试",
                          rq->cfg->login_window_s / 60);
    }
    bm_store_read_begin(rq->store); /* the case and its trace from one snapshot */
    if (!bm_case_no_valid(rq->params[0]) || code == NULL ||
        bm_store_case_get(rq->store, rq->params[0], rq->arena, &c, &rq->err) != BM_OK ||
        !bm_secret_equal(code, c.query_code)) {
        bm_err_clear(&rq->err);
        bm_store_read_end(rq->store);
        if (bm_store_login_failure_add(rq->store, key, rq->client_ip, rq->now, &rq->err) != BM_OK)
            return rq->err.rc;
        return bm_err_set(&rq->err, BM_ENOTFOUND, "办件编号或查询码不正确");
    }
    rc = bm_api_calendar(rq, &cal);
    if (rc == BM_OK)
        rc = bm_store_case_events(rq->store, c.id, rq->arena, &ev, &n, &rq->err);
    if (rc != BM_OK)
        return rc;
    events = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(
            events, json_pack("{s:s,s:s,s:o,s:s}", "action", ev[i].action, "action_name",
                              bm_api_event_name(ev[i].action), "at", bm_json_time(ev[i].at),
                              "to_status", ev[i].to_status));
    }
    light = bm_api_case_light(rq, &c, &cal);
    o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o}", "case_no", c.case_no, "status",
                  bm_case_statuses[c.st.status].code, "status_name",
                  bm_case_statuses[c.st.status].zh, "item_name", c.item_name, "applicant",
                  c.applicant_masked, "accepting_unit", c.accepting_unit_name, "submitted_at",
                  bm_json_time(c.submitted_at), "events", events);
    if (c.due_day != BM_DAY_NONE) {
        bm_day_format(c.due_day, buf);
        json_object_set_new(o, "deadline", json_string(buf));
    } else {
        json_object_set_new(o, "deadline", json_null());
    }
    json_object_set_new(o, "decision", c.st.decision != BM_DECISION_NONE
                                           ? json_string(bm_case_decisions[c.st.decision].code)
                                           : json_null());
    json_object_set_new(o, "light", light == BM_LIGHT_NONE ? json_null()
                                                           : json_string(bm_light_code(light)));
    json_object_set_new(o, "paused", json_boolean(c.st.status == BM_CASE_SUSPENDED));
    /* ratings: whether the case was rated and may be rated now */
    bm_api_rating_public_fields(rq, &c, o);
    if (c.st.status == BM_CASE_SUPPLEMENT_REQUESTED) {
        json_t *missing = json_array();
        for (size_t i = 0; i < c.n_materials; i++)
            if (c.materials[i].required && !c.materials[i].provided && !c.materials[i].exempt)
                json_array_append_new(missing, json_string(c.materials[i].name));
        json_object_set_new(o, "missing_materials", missing);
    }
    return bm_json_reply(rq, rs, 200, o);
}
