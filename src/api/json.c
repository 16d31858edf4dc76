/*
 * JSON decoding and encoding helpers, request helpers, and the audit hook.
 */
#include "api/json.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api/json_out.h"
#include "util/parse.h"
#include "util/time.h"
#include "util/utf8.h"

static void
decref(void *p)
{
    json_decref(p);
}

static json_t *
own(struct bm_req *rq, json_t *j)
{
    if (j != NULL && bm_arena_defer(rq->arena, decref, j) != BM_OK) {
        json_decref(j);
        return NULL;
    }
    return j;
}

enum bm_rc
bm_json_body(struct bm_req *rq, json_t **out)
{
    json_error_t jerr;
    json_t *j;

    if (rq->body_len == 0)
        return bm_err_set(&rq->err, BM_EINVAL, "请求体为空，应为 JSON 对象");
    j = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (j == NULL)
        return bm_err_set(&rq->err, BM_EINVAL, "JSON 格式错误（第 %d 行第 %d 列）：%s", jerr.line,
                          jerr.column, jerr.text);
    if (own(rq, j) == NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    if (!json_is_object(j))
        return bm_err_set(&rq->err, BM_EINVAL, "请求体应为 JSON 对象");
    *out = j;
    return BM_OK;
}

enum bm_rc
bm_json_only(struct bm_req *rq, json_t *obj, const char *const *allowed)
{
    const char *key;
    json_t *v;
    enum bm_rc rc = BM_OK;

    json_object_foreach(obj, key, v) {
        const char *const *a;
        for (a = allowed; *a != NULL && strcmp(*a, key) != 0; a++)
            ;
        if (*a == NULL)
            rc = bm_err_field(&rq->err, key, "未知字段");
    }
    return rc;
}

static json_t *
lookup(json_t *obj, const char *key, bool *present)
{
    json_t *v = json_object_get(obj, key);
    if (json_is_null(v))
        v = NULL;
    if (present != NULL)
        *present = v != NULL;
    return v;
}

static enum bm_rc
missing(struct bm_req *rq, const char *key, bool required)
{
    return required ? bm_err_field(&rq->err, key, "必填") : BM_OK;
}

enum bm_rc
bm_json_get_str(struct bm_req *rq, json_t *obj, const char *key, bool required, size_t max_chars,
                const char **out, bool *present)
{
    json_t *v = lookup(obj, key, present);
    const char *s;

    if (v == NULL)
        return missing(rq, key, required);
    if (!json_is_string(v))
        return bm_err_field(&rq->err, key, "应为字符串");
    s = json_string_value(v);
    if (strlen(s) != json_string_length(v))
        return bm_err_field(&rq->err, key, "不能包含空字符");
    if (bm_utf8_count(s) > max_chars)
        return bm_err_field(&rq->err, key, "不能超过 %zu 个字", max_chars);
    *out = s;
    return BM_OK;
}

enum bm_rc
bm_json_get_int(struct bm_req *rq, json_t *obj, const char *key, bool required, int64_t min,
                int64_t max, int64_t *out, bool *present)
{
    json_t *v = lookup(obj, key, present);
    json_int_t n;

    if (v == NULL)
        return missing(rq, key, required);
    if (!json_is_integer(v))
        return bm_err_field(&rq->err, key, "应为整数");
    n = json_integer_value(v);
    if (n < min || n > max)
        return bm_err_field(&rq->err, key, "应在 %" PRId64 " 至 %" PRId64 " 之间", min, max);
    *out = n;
    return BM_OK;
}

enum bm_rc
bm_json_get_bool(struct bm_req *rq, json_t *obj, const char *key, bool required, bool *out,
                 bool *present)
{
    json_t *v = lookup(obj, key, present);

    if (v == NULL)
        return missing(rq, key, required);
    if (!json_is_boolean(v))
        return bm_err_field(&rq->err, key, "应为 true 或 false");
    *out = json_is_true(v);
    return BM_OK;
}

enum bm_rc
bm_json_get_roles(struct bm_req *rq, json_t *obj, const char *key, bool required, unsigned *out,
                  bool *present)
{
    json_t *v = lookup(obj, key, present), *e;
    unsigned roles = 0;
    size_t i;

    if (v == NULL)
        return missing(rq, key, required);
    if (!json_is_array(v))
        return bm_err_field(&rq->err, key, "应为角色代码数组");
    json_array_foreach(v, i, e) {
        enum bm_role r;
        if (!json_is_string(e) || !bm_role_parse(json_string_value(e), &r))
            return bm_err_field(&rq->err, key, "第 %zu 项不是有效的角色代码", i + 1);
        roles |= (unsigned)r;
    }
    *out = roles;
    return BM_OK;
}

enum bm_rc
bm_json_reply(struct bm_req *rq, struct bm_resp *rs, int status, json_t *root)
{
    /* 12 significant digits: rounded figures print as such (0.6493, not 0.6493000000000001). */
    rs->body = bm_json_compact(root, &rs->body_len);
    json_decref(root);
    if (rs->body == NULL)
        return bm_err_set(&rq->err, BM_EINTERNAL, "无法生成响应");
    rs->status = status;
    rs->content_type = "application/json; charset=utf-8";
    return BM_OK;
}

enum bm_rc
bm_json_reply_jw(struct bm_req *rq, struct bm_resp *rs, int status, struct bm_jw *w)
{
    rs->body = bm_jw_finish(w, &rs->body_len);
    if (rs->body == NULL)
        return bm_err_set(&rq->err, BM_EINTERNAL, "无法生成响应");
    rs->status = status;
    rs->content_type = "application/json; charset=utf-8";
    return BM_OK;
}

enum bm_rc
bm_json_page(struct bm_req *rq, struct bm_resp *rs, json_t *items, bool full, int64_t last_id)
{
    return bm_json_reply(rq, rs, 200,
                         json_pack("{s:o,s:o}", "items", items, "next_cursor",
                                   full ? json_sprintf("%" PRId64, last_id) : json_null()));
}

json_t *
bm_json_time(int64_t t)
{
    char buf[40];
    if (t == 0)
        return json_null();
    bm_time_rfc3339(t, buf, sizeof(buf));
    return json_string(buf);
}

void
bm_jw_time(struct bm_jw *w, int64_t t)
{
    char buf[40];

    if (t == 0) {
        bm_jw_null(w);
        return;
    }
    bm_time_rfc3339(t, buf, sizeof(buf));
    bm_jw_str(w, buf);
}

void
bm_jw_ktime(struct bm_jw *w, const char *k, int64_t t)
{
    bm_jw_key(w, k);
    bm_jw_time(w, t);
}

json_t *
bm_json_roles(unsigned roles)
{
    json_t *a = json_array();
    for (int i = 0; i < BM_ROLE_COUNT; i++)
        if (roles & (unsigned)bm_role_at(i))
            json_array_append_new(a, json_string(bm_role_code(bm_role_at(i))));
    return a;
}

void
bm_json_diff_str(json_t *d, const char *field, const char *old, const char *new_value)
{
    if (strcmp(old, new_value) != 0)
        json_object_set_new(d, field, json_pack("[s,s]", old, new_value));
}

enum bm_rc
bm_req_if_match(struct bm_req *rq, int64_t *version)
{
    const char *s = rq->if_match;
    size_t n = strlen(s);

    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        s++;
        n -= 2;
    }
    if (n == 0)
        return bm_err_field(&rq->err, "If-Match", "修改须带上 If-Match 请求头（当前版本号）");
    if (!bm_parse_i64(s, n, 1, INT64_MAX, version))
        return bm_err_field(&rq->err, "If-Match", "If-Match 应为版本号，如 \"3\"");
    return BM_OK;
}

enum bm_rc
bm_req_param_id(struct bm_req *rq, int i, int64_t *id)
{
    if (i >= rq->n_params || !bm_parse_i64z(rq->params[i], 1, INT64_MAX, id))
        return bm_err_set(&rq->err, BM_ENOTFOUND, "找不到请求的对象");
    return BM_OK;
}

static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

const char *
bm_req_query(struct bm_req *rq, const char *name)
{
    size_t nl = strlen(name);
    const char *p = rq->query;

    while (p != NULL && *p != '\0') {
        const char *end = strchr(p, '&');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
            const char *v = p + nl + 1;
            size_t vl = len - nl - 1, k = 0;
            char *out = bm_arena_alloc(rq->arena, vl + 1);
            if (out == NULL)
                return NULL;
            for (size_t i = 0; i < vl; i++) {
                if (v[i] == '%' && i + 2 < vl && hexval(v[i + 1]) >= 0 && hexval(v[i + 2]) >= 0) {
                    out[k++] = (char)(hexval(v[i + 1]) * 16 + hexval(v[i + 2]));
                    i += 2;
                } else {
                    out[k++] = v[i] == '+' ? ' ' : v[i];
                }
            }
            out[k] = '\0';
            /* Decoded text must be valid UTF-8 without NULs; otherwise treat as absent. */
            return strlen(out) == k && bm_utf8_valid(out, k) ? out : NULL;
        }
        p = end ? end + 1 : NULL;
    }
    return NULL;
}

enum bm_rc
bm_req_page(struct bm_req *rq, int default_limit, int max_limit, int *limit, int64_t *cursor)
{
    const char *l = bm_req_query(rq, "limit"), *c = bm_req_query(rq, "cursor");
    int64_t v;

    *limit = default_limit;
    *cursor = 0;
    if (l != NULL) {
        if (!bm_parse_i64z(l, 1, max_limit, &v))
            return bm_err_field(&rq->err, "limit", "应为 1 至 %d 之间的整数", max_limit);
        *limit = (int)v;
    }
    if (c != NULL && c[0] != '\0') {
        if (!bm_parse_i64z(c, 0, INT64_MAX, &v))
            return bm_err_field(&rq->err, "cursor", "翻页游标无效");
        *cursor = v;
    }
    return BM_OK;
}

enum bm_rc
bm_api_audit(struct bm_req *rq, const char *action, const char *object_type, int64_t object_id,
             json_t *detail)
{
    struct bm_audit_entry e;
    char *text;
    enum bm_rc rc;

    memset(&e, 0, sizeof(e));
    e.at = rq->now;
    e.actor_id = rq->who.user_id;
    e.actor = rq->who.username ? rq->who.username : "anonymous";
    e.action = action;
    e.object_type = object_type;
    e.object_id = bm_arena_printf(rq->arena, "%" PRId64, object_id);
    if (detail == NULL)
        detail = json_object();
    text = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(detail);
    e.detail = text ? bm_arena_strdup(rq->arena, text) : NULL;
    free(text);
    if (e.object_id == NULL || e.detail == NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    rc = bm_store_audit_append(rq->store, &e, &rq->err);
    return rc;
}
