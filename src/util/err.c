/*
 * The error table: one row per enum bm_rc, and the helpers that fill struct bm_err.
 */
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/utf8.h"

static const struct {
    const char *code;
    int status;
    const char *title;
} table[BM_RC_COUNT] = {
    [BM_OK] = {"ok", 200, "成功"},
    [BM_EINVAL] = {"validation_failed", 400, "请求内容不符合要求"},
    [BM_EUNAUTH] = {"unauthenticated", 401, "请先登录"},
    [BM_EFORBIDDEN] = {"forbidden", 403, "没有权限执行此操作"},
    [BM_ENOTFOUND] = {"not_found", 404, "找不到请求的对象"},
    [BM_ECONFLICT] = {"conflict", 409, "与现有数据冲突"},
    [BM_ETRANSITION] = {"illegal_transition", 409, "当前状态下不能执行此操作"},
    [BM_ESTALE] = {"precondition_failed", 412, "数据已被他人修改，请刷新后重试"},
    [BM_ETOOBIG] = {"too_large", 413, "请求内容过大"},
    [BM_ETHROTTLED] = {"throttled", 429, "请求过于频繁，请稍后再试"},
    [BM_EBUSY] = {"unavailable", 503, "服务暂时繁忙，请稍后重试"},
    [BM_EINTERNAL] = {"internal", 500, "服务器内部错误"},
    [BM_EMETHOD] = {"method_not_allowed", 405, "不支持该请求方法"},
    [BM_EMEDIA] = {"unsupported_media_type", 415, "不支持的内容类型"},
};

/*
 * After a formatting that did not fit (`wanted` >= the buffer): drops the character cut in
 * half at the end, so a long Chinese name or message stays valid UTF-8 (jansson refuses
 * anything else, and the error would lose its text).
 */
static void
cut_clean(char *s, int wanted, size_t size)
{
    size_t n, i, cont = 0, need;
    unsigned char lead;

    if (wanted < 0 || (size_t)wanted < size)
        return;
    n = strlen(s);
    for (i = n; i > 0 && cont < 3 && ((unsigned char)s[i - 1] & 0xC0) == 0x80; i--)
        cont++;
    if (i == 0)
        return;
    lead = (unsigned char)s[i - 1];
    need = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
    if (cont < need)
        s[i - 1] = '\0';
}

void
bm_err_clear(struct bm_err *err)
{
    memset(err, 0, sizeof(*err));
}

enum bm_rc
bm_err_set(struct bm_err *err, enum bm_rc rc, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (err == NULL)
        return rc;
    err->rc = rc;
    va_start(ap, fmt);
    n = vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    cut_clean(err->message, n, sizeof(err->message));
    /* Messages may quote input (a parser's, at the bytes it stopped): jansson would drop
     * the whole text of a problem that is not UTF-8. */
    bm_utf8_scrub(err->message);
    return rc;
}

enum bm_rc
bm_err_field(struct bm_err *err, const char *field, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (err == NULL)
        return BM_EINVAL;
    err->rc = BM_EINVAL;
    if (err->message[0] == '\0')
        snprintf(err->message, sizeof(err->message), "%s", table[BM_EINVAL].title);
    if (err->n_fields < BM_ERR_FIELDS) {
        n = snprintf(err->fields[err->n_fields].field, sizeof(err->fields[0].field), "%s", field);
        cut_clean(err->fields[err->n_fields].field, n, sizeof(err->fields[0].field));
        bm_utf8_scrub(err->fields[err->n_fields].field);
        va_start(ap, fmt);
        n = vsnprintf(err->fields[err->n_fields].message, sizeof(err->fields[0].message), fmt, ap);
        va_end(ap);
        cut_clean(err->fields[err->n_fields].message, n, sizeof(err->fields[0].message));
        bm_utf8_scrub(err->fields[err->n_fields].message);
    }
    err->n_fields++;
    return BM_EINVAL;
}

void
bm_err_prefix_fields(struct bm_err *err, int from, const char *prefix)
{
    for (int i = from; i < err->n_fields && i < BM_ERR_FIELDS; i++) {
        char f[sizeof(err->fields[0].field)];
        int n = snprintf(f, sizeof(f), "%s%s", prefix, err->fields[i].field);
        cut_clean(f, n, sizeof(f));
        memcpy(err->fields[i].field, f, sizeof(f));
    }
}

const char *
bm_rc_code(enum bm_rc rc)
{
    return (unsigned)rc < BM_RC_COUNT ? table[rc].code : "internal";
}

int
bm_rc_status(enum bm_rc rc)
{
    return (unsigned)rc < BM_RC_COUNT ? table[rc].status : 500;
}

const char *
bm_rc_title(enum bm_rc rc)
{
    return (unsigned)rc < BM_RC_COUNT ? table[rc].title : table[BM_EINTERNAL].title;
}

void
bm_assert_fail(const char *what, const char *file, int line)
{
    fprintf(stderr, "{\"level\":\"error\",\"event\":\"assert\",\"msg\":\"%s at %s:%d\"}\n", what,
            file, line);
    abort();
}

static void *
oom(void *p)
{
    if (p == NULL)
        bm_assert_fail("out of memory", __FILE__, __LINE__);
    return p;
}

void *
bm_xmalloc(size_t n)
{
    return oom(malloc(n ? n : 1));
}

void *
bm_xcalloc(size_t n, size_t size)
{
    return oom(calloc(n ? n : 1, size ? size : 1));
}

void *
bm_xrealloc(void *p, size_t n)
{
    return oom(realloc(p, n ? n : 1));
}

char *
bm_xstrdup(const char *s)
{
    return oom(strdup(s));
}
