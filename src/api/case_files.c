/*
 * A case's files and papers: scans uploaded as raw request bodies (PDF, JPEG or PNG, the
 * type read from the first bytes, stored once per content), downloading them, and the
 * printable documents (receipt with QR code, supplement, refusal and completion notices).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "api/cases.h"
#include "api/handlers.h"
#include "api/json.h"
#include "core/access.h"
#include "core/secret.h"
#include "io/case_docs.h"

/* ---- uploads ---- */

/* The file type from its first bytes; NULL if it is none of the accepted ones. */
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

/* "image/png; charset=x" -> true when its type is `want`. */
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
    if (n == 0 || n > 200 || strchr(f, '/') || strchr(f, '\\'))
        return false;
    for (const char *p = f; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '"')
            return false;
    return true;
}

/* Files may be added while the case is open: by the applicant, its window or its handlers. */
static bool
may_upload(struct bm_req *rq, const struct bm_case *c)
{
    if (bm_api_case_is_own(rq, c))
        return c->st.status == BM_CASE_DRAFT || c->st.status == BM_CASE_SUBMITTED ||
               c->st.status == BM_CASE_SUPPLEMENT_REQUESTED || c->st.status == BM_CASE_SUSPENDED;
    return bm_access_case_actor(&rq->who, BM_ACTOR_FRONT, c->accepting_path, c->handling_path) ||
           bm_access_case_actor(&rq->who, BM_ACTOR_BACK, c->accepting_path, c->handling_path);
}

enum bm_rc
bm_api_cases_attach(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_case c;
    struct bm_attachment at;
    const char *type, *material = bm_req_query(rq, "material");
    const char *filename = bm_req_query(rq, "filename");
    int64_t id;
    char hex[65];
    enum bm_rc rc = bm_api_case_load(rq, rq->params[0], &c);

    if (rc != BM_OK)
        return rc;
    if (!may_upload(rq, &c))
        return bm_err_set(&rq->err, BM_EFORBIDDEN, "您无权为该办件上传材料");
    if (bm_case_is_terminal(c.st.status))
        return bm_err_set(&rq->err, BM_ETRANSITION, "办件已结束，不能再上传材料");
    if (rq->body_len == 0)
        return bm_err_field(&rq->err, "body", "请上传文件内容");
    if ((type = sniff(rq->body, rq->body_len)) == NULL)
        return bm_err_set(&rq->err, BM_EMEDIA, "只接受 PDF、JPEG 或 PNG 文件（按文件内容识别）");
    if (!same_type(rq->content_type, type))
        return bm_err_set(&rq->err, BM_EMEDIA, "文件内容（%s）与声明的类型不符", type);
    if (filename == NULL || filename[0] == '\0')
        filename = strcmp(type, "application/pdf") == 0 ? "scan.pdf"
                   : strcmp(type, "image/png") == 0      ? "scan.png"
                                                         : "scan.jpg";
    if (!filename_ok(filename))
        return bm_err_field(&rq->err, "filename", "文件名应为1至200个字符，不含路径和控制字符");
    memset(&at, 0, sizeof(at));
    at.material_ord = -1;
    if (material != NULL && material[0]) {
        for (size_t i = 0; i < c.n_materials; i++)
            if (strcmp(c.materials[i].name, material) == 0)
                at.material_ord = c.materials[i].ord;
        if (at.material_ord < 0)
            return bm_err_field(&rq->err, "material", "该办件没有名为“%.60s”的材料", material);
    }
    at.case_id = c.id;
    at.content_type = type;
    at.filename = filename;
    at.size = (int64_t)rq->body_len;
    at.uploaded_by = rq->who.user_id;
    at.created_at = rq->now;
    bm_secret_digest(rq->body, rq->body_len, at.sha256);
    for (int j = 0; j < 32; j++)
        snprintf(hex + 2 * j, 3, "%02x", at.sha256[j]);

    rc = bm_store_begin(rq->store, &rq->err);
    if (rc == BM_OK)
        rc = bm_store_attachment_insert(rq->store, &at, rq->body, &id, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_case_event(rq, &c, "attach", c.st.status, filename,
                               json_pack("{s:s,s:s,s:I}", "material", material ? material : "",
                                         "sha256", hex, "size", (json_int_t)at.size));
    if (rc == BM_OK)
        rc = bm_api_audit(rq, "case.attach", "case", c.id,
                          json_pack("{s:s,s:s,s:I,s:s}", "case_no", c.case_no, "sha256", hex,
                                    "size", (json_int_t)at.size, "filename", filename));
    if (rc == BM_OK)
        rc = bm_store_commit(rq->store, &rq->err);
    if (rc != BM_OK)
        return rc;
    bm_resp_header(rs, "Location",
                   bm_arena_printf(rq->arena, "/api/v1/cases/%s/attachments/%" PRId64, c.case_no, id));
    return bm_json_reply(rq, rs, 201,
                         json_pack("{s:I,s:s,s:s,s:I,s:s,s:o}", "id", (json_int_t)id, "filename",
                                   filename, "content_type", type, "size", (json_int_t)at.size,
                                   "sha256", hex, "material_ord",
                                   at.material_ord < 0 ? json_null() : json_integer(at.material_ord)));
}

enum bm_rc
bm_api_cases_attachment_get(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_case c;
    struct bm_attachment at;
    void *content = NULL;
    int64_t id;
    enum bm_rc rc = bm_api_case_load(rq, rq->params[0], &c);

    if (rc == BM_OK)
        rc = bm_req_param_id(rq, 1, &id);
    if (rc == BM_OK)
        rc = bm_store_attachment_get(rq->store, c.id, id, rq->arena, &at, &content, &rq->err);
    if (rc != BM_OK)
        return rc;
    rs->status = 200;
    rs->body = content;
    rs->body_len = (size_t)at.size;
    rs->content_type = at.content_type;
    bm_resp_header(rs, "Content-Disposition",
                   bm_arena_printf(rq->arena, "inline; filename=\"%s\"", at.filename));
    return BM_OK;
}

/* ---- printable documents ---- */

static const char *
instant_date(struct bm_req *rq, int64_t t)
{
    int y, m, d;
    if (t == 0)
        return "";
    bm_day_to_ymd(bm_day_of_instant(t), &y, &m, &d);
    return bm_arena_printf(rq->arena, "%d年%d月%d日", y, m, d);
}

static const char *
day_date(struct bm_req *rq, bm_day day)
{
    int y, m, d;
    if (day == BM_DAY_NONE)
        return "";
    bm_day_to_ymd(day, &y, &m, &d);
    return bm_arena_printf(rq->arena, "%d年%d月%d日", y, m, d);
}

/* The last event with this action (its note is the reason of a refusal or denial); NULL if
 * there is none. */
static const struct bm_case_event *
last_event(struct bm_req *rq, const struct bm_case *c, const char *action)
{
    struct bm_case_event *ev;
    const struct bm_case_event *found = NULL;
    size_t n = 0;

    if (bm_store_case_events(rq->store, c->id, rq->arena, &ev, &n, &rq->err) != BM_OK) {
        bm_err_clear(&rq->err);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (strcmp(ev[i].action, action) == 0)
            found = &ev[i];
    return found;
}

static const char *
last_note(struct bm_req *rq, const struct bm_case *c, const char *action)
{
    const struct bm_case_event *e = last_event(rq, c, action);
    return e != NULL ? e->note : "";
}

/* True if `name` is in the "missing" list of a supplement request's event detail. */
static bool
was_asked(json_t *asked, const char *name)
{
    json_t *v;
    size_t i;

    json_array_foreach(asked, i, v) {
        if (json_is_string(v) && strcmp(json_string_value(v), name) == 0)
            return true;
    }
    return false;
}

static const char *
public_url(struct bm_req *rq)
{
    if (rq->cfg->public_url[0])
        return rq->cfg->public_url;
    return bm_arena_printf(rq->arena, "http://%s", rq->cfg->listen);
}

enum bm_rc
bm_api_cases_document(struct bm_req *rq, struct bm_resp *rs)
{
    struct bm_case c;
    struct bm_item it;
    struct bm_case_doc d;
    struct bm_case_doc_material *ms;
    struct bm_applicant ap;
    struct bm_buf out;
    const struct bm_case_event *asked_ev = NULL;
    json_t *asked = NULL, *asked_detail = NULL;
    char id_m[48], phone_m[48];
    int kind;
    bool close_reader;
    enum bm_rc rc = bm_api_case_load(rq, rq->params[0], &c);

    if (rc != BM_OK)
        return rc;
    if ((kind = bm_case_doc_kind_parse(rq->params[1])) < 0)
        return bm_err_set(&rq->err, BM_ENOTFOUND, "文书类型应为 receipt、supplement_notice、refusal_notice 或 completion_notice");
    if (kind == BM_DOC_SUPPLEMENT_NOTICE)
        asked_ev = last_event(rq, &c, "request_supplement");
    /* A supplement notice exists once one was issued, before or after acceptance. */
    if ((kind == BM_DOC_RECEIPT && c.accepted_at == 0) ||
        (kind == BM_DOC_SUPPLEMENT_NOTICE && asked_ev == NULL) ||
        (kind == BM_DOC_REFUSAL_NOTICE && c.st.status != BM_CASE_REJECTED) ||
        (kind == BM_DOC_COMPLETION_NOTICE && c.st.decision == BM_DECISION_NONE))
        return bm_err_set(&rq->err, BM_ETRANSITION, "该办件当前没有这份文书");
    rc = bm_store_item_get(rq->store, c.item_id, rq->arena, &it, &rq->err);
    if (rc == BM_OK)
        rc = bm_api_applicant(rq, &c, &ap);
    if (rc != BM_OK)
        return rc;
    /* The full name is for the applicant and the staff who serve them. */
    close_reader = bm_api_case_is_own(rq, &c) ||
                   bm_access_case_actor(&rq->who, BM_ACTOR_FRONT, c.accepting_path, c.handling_path) ||
                   bm_access_case_actor(&rq->who, BM_ACTOR_BACK, c.accepting_path, c.handling_path) ||
                   bm_access_case_actor(&rq->who, BM_ACTOR_APPROVER, c.accepting_path, c.handling_path);
    bm_pii_mask_id(ap.id_number, id_m, sizeof(id_m));
    bm_pii_mask_phone(ap.phone, phone_m, sizeof(phone_m));
    memset(&d, 0, sizeof(d));
    d.kind = (enum bm_case_doc_kind)kind;
    d.issuer = c.handling_unit_name;
    d.window = c.accepting_unit_name;
    d.case_no = c.case_no;
    d.query_code = c.query_code;
    d.item_name = c.item_name;
    d.item_code = c.item_code;
    d.applicant_name = close_reader ? ap.name : c.applicant_masked;
    d.applicant_id = c.is_applicant_uscc ? ap.id_number : id_m;
    d.phone = phone_m;
    d.submitted_date = instant_date(rq, c.submitted_at);
    d.accepted_date = instant_date(rq, c.accepted_at);
    d.due_date = day_date(rq, c.due_day);
    d.decided_date = instant_date(rq, c.decided_at);
    d.issued_date = instant_date(rq, rq->now);
    d.promised_days = c.promised_days + c.extension_days;
    d.handling_unit = c.handling_unit_name;
    d.decision = c.st.decision == BM_DECISION_APPROVED ? "准予" : c.st.decision == BM_DECISION_DENIED ? "不予" : "";
    if (kind == BM_DOC_REFUSAL_NOTICE)
        d.reason = last_note(rq, &c, "reject");
    else if (kind == BM_DOC_COMPLETION_NOTICE && c.st.decision == BM_DECISION_DENIED)
        d.reason = last_note(rq, &c, "deny");
    else if (kind == BM_DOC_SUPPLEMENT_NOTICE) {
        /* The notice as it was issued: the materials the request listed, even after they came
         * in, so that a reprint is the same notice (and not an empty, invalid one). */
        d.reason = asked_ev->note;
        if (asked_ev->detail[0] != '\0' &&
            (asked_detail = json_loads(asked_ev->detail, 0, NULL)) != NULL &&
            json_array_size(json_object_get(asked_detail, "missing")) > 0)
            asked = json_object_get(asked_detail, "missing");
    }
    d.delivery = c.delivery_method[0] == '\0'   ? "窗口领取或邮寄送达"
                 : strcmp(c.delivery_method, "post") == 0 ? bm_arena_printf(rq->arena, "邮寄送达（快递单号%s）", c.delivery_ref)
                 : strcmp(c.delivery_method, "online") == 0 ? "电子送达"
                                                             : "窗口领取";
    d.window_address = it.window_address;
    d.office_hours = it.office_hours;
    d.consult_phone = it.consult_phone;
    d.complaint_phone = it.complaint_phone;
    d.progress_url = bm_arena_printf(rq->arena, "%s/progress?case_no=%s&code=%s", public_url(rq),
                                     c.case_no, c.query_code);
    if ((ms = bm_arena_alloc(rq->arena, sizeof(*ms) * (c.n_materials + 1))) == NULL) {
        json_decref(asked_detail);
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    }
    for (size_t i = 0; i < c.n_materials; i++) {
        const struct bm_case_material *m = &c.materials[i];
        bool missing = !m->provided && !m->exempt;
        if (asked != NULL) {
            if (!was_asked(asked, m->name))
                continue;
            ms[d.n_materials].name = m->name;
            ms[d.n_materials].required = m->required;
            ms[d.n_materials++].state = "需补正";
            continue;
        }
        if (kind == BM_DOC_SUPPLEMENT_NOTICE && (!missing || !m->required))
            continue;
        ms[d.n_materials].name = m->name;
        ms[d.n_materials].required = m->required;
        ms[d.n_materials++].state = m->exempt ? "免提交（已有电子证照）" : m->provided ? "已提交" : "缺少";
    }
    json_decref(asked_detail);
    d.materials = ms;
    bm_buf_init(&out, 1 << 20);
    rc = bm_io_case_doc_html(&d, &out, &rq->err);
    if (rc != BM_OK) {
        bm_buf_fini(&out);
        return rc;
    }
    rs->status = 200;
    rs->body = bm_buf_detach(&out, &rs->body_len);
    rs->content_type = "text/html; charset=utf-8";
    return BM_OK;
}
