/*
 * Text-message delivery: a JSON line in a file, or a JSON POST to a webhook (libcurl).
 */
#include "io/notify.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/pii.h"
#include "util/buf.h"
#include "util/time.h"

static enum bm_rc
to_file(struct bm_notify_target *t, struct bm_buf *line, struct bm_err *err)
{
    if (!t->file_open) {
        t->fd = open(t->file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (t->fd < 0)
            return bm_err_set(err, BM_EBUSY, "无法写入短信记录文件");
        t->file_open = true;
    }
    /* One write of one line, so lines from several processes do not interleave. */
    if (write(t->fd, line->ptr, line->len) != (ssize_t)line->len) {
        bm_io_notify_end(t); /* opened again by the next send */
        return bm_err_set(err, BM_EBUSY, "无法写入短信记录文件");
    }
    return BM_OK;
}

void
bm_io_notify_end(struct bm_notify_target *t)
{
    if (t->file_open)
        (void)close(t->fd);
    t->file_open = false;
}

static size_t
discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

static enum bm_rc
to_webhook(const struct bm_notify_target *t, struct bm_buf *body, struct bm_err *err)
{
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    long status = 0;
    CURLcode cc;

    if (c == NULL)
        return bm_err_set(err, BM_EBUSY, "无法初始化短信网关连接");
    h = curl_slist_append(h, "Content-Type: application/json; charset=utf-8");
    curl_easy_setopt(c, CURLOPT_URL, t->webhook);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->ptr);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body->len);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)(t->timeout_s > 0 ? t->timeout_s : 10));
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    cc = curl_easy_perform(c);
    if (cc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (cc != CURLE_OK)
        return bm_err_set(err, BM_EBUSY, "短信网关无法连接：%s", curl_easy_strerror(cc));
    if (status < 200 || status > 299)
        return bm_err_set(err, BM_EBUSY, "短信网关返回 HTTP %ld", status);
    return BM_OK;
}

void
bm_io_notify_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

enum bm_rc
bm_io_notify_send(struct bm_notify_target *t, const struct bm_notify_msg *m,
                  struct bm_err *err)
{
    struct bm_buf b;
    char at[40], masked[32];
    bool hook = t->webhook != NULL && t->webhook[0] != '\0';
    enum bm_rc rc;

    bm_time_rfc3339(m->at, at, sizeof(at));
    bm_pii_mask_phone(m->phone, masked, sizeof(masked));
    bm_buf_init(&b, 64 * 1024);
    rc = bm_buf_printf(&b, "{\"id\":%lld,\"at\":\"%s\",\"to\":\"", (long long)m->id, at);
    if (rc == BM_OK)
        rc = bm_buf_json_str(&b, hook ? m->phone : masked);
    if (rc == BM_OK)
        rc = bm_buf_puts(&b, "\",\"template\":\"");
    if (rc == BM_OK)
        rc = bm_buf_json_str(&b, m->template_name);
    if (rc == BM_OK)
        rc = bm_buf_puts(&b, "\",\"text\":\"");
    if (rc == BM_OK)
        rc = bm_buf_json_str(&b, m->text);
    if (rc == BM_OK)
        rc = bm_buf_puts(&b, hook ? "\"}" : "\"}\n");
    if (rc != BM_OK)
        rc = bm_err_set(err, BM_ETOOBIG, "短信内容过长");
    else
        rc = hook ? to_webhook(t, &b, err) : to_file(t, &b, err);
    bm_buf_fini(&b);
    return rc;
}
