/*
 * Configuration: defaults, file, environment.
 */
#include "util/config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "util/parse.h"


void
bm_config_defaults(struct bm_config *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->db, sizeof(c->db), "bianmin.db");
    snprintf(c->listen, sizeof(c->listen), "127.0.0.1:8080");
    snprintf(c->web_dir, sizeof(c->web_dir), "web/dist");
    c->threads = 0;
    c->workers = 2;
    c->writers = 0;
    c->body_max_bytes = 1 << 20;
    c->upload_max_bytes = 20 << 20;
    c->timeout_s = 30;
    c->request_timeout_s = 20;
    c->request_min_rate = 8192;
    c->arena_max_bytes = 4 << 20;
    c->session_idle_s = 8 * 3600;
    c->session_max_s = 24 * 3600;
    c->secure_cookies = false;
    c->login_max_failures = 5;
    c->login_ip_max_failures = 50;
    c->login_window_s = 15 * 60;
    c->public_posts_per_minute = 20;
    snprintf(c->log_level, sizeof(c->log_level), "info");
    c->warn_interval_s = 300;
    c->return_after_days = 30;
    c->default_rating = 3;
}

enum kind { STR, INT, I64, BOOL };

static const struct {
    const char *key;
    enum kind kind;
    size_t off, size;
    int64_t min, max;
} keys[] = {
#define S(k, f) {k, STR, offsetof(struct bm_config, f), sizeof(((struct bm_config *)0)->f), 0, 0}
#define I(k, f, lo, hi) {k, INT, offsetof(struct bm_config, f), sizeof(int), lo, hi}
#define L(k, f, lo, hi) {k, I64, offsetof(struct bm_config, f), sizeof(int64_t), lo, hi}
#define B(k, f) {k, BOOL, offsetof(struct bm_config, f), sizeof(bool), 0, 1}
    S("db", db),
    S("listen", listen),
    S("web", web_dir),
    I("threads", threads, 0, 64),
    I("workers", workers, 1, 64),
    I("writers", writers, 0, 64),
    L("body_max_bytes", body_max_bytes, 1024, (int64_t)1 << 30),
    L("upload_max_bytes", upload_max_bytes, 1024, (int64_t)1 << 31),
    I("timeout_s", timeout_s, 1, 3600),
    I("request_timeout_s", request_timeout_s, 1, 3600),
    I("request_min_rate", request_min_rate, 1, 1 << 30),
    L("arena_max_bytes", arena_max_bytes, 65536, (int64_t)1 << 31),
    I("session_idle_s", session_idle_s, 60, 30 * 86400),
    I("session_max_s", session_max_s, 60, 90 * 86400),
    B("secure_cookies", secure_cookies),
    I("login_max_failures", login_max_failures, 1, 1000),
    I("login_ip_max_failures", login_ip_max_failures, 1, 100000),
    I("login_window_s", login_window_s, 10, 86400),
    I("public_posts_per_minute", public_posts_per_minute, 0, 100000),
    S("log_level", log_level),
    B("trust_proxy", trust_proxy),
    S("data_key_file", data_key_file),
    S("public_url", public_url),
    S("notify_file", notify_file),
    S("notify_webhook", notify_webhook),
    I("warn_interval_s", warn_interval_s, 0, 86400),
    I("return_after_days", return_after_days, 1, 365),
    I("default_rating", default_rating, 0, 5),
#undef S
#undef I
#undef L
#undef B
};

enum bm_rc
bm_config_set(struct bm_config *c, const char *key, const char *value, struct bm_err *err)
{
    char *base = (char *)c;
    int64_t v;

    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (strcmp(keys[i].key, key) != 0)
            continue;
        switch (keys[i].kind) {
        case STR:
            if (strlen(value) >= keys[i].size)
                return bm_err_set(err, BM_EINVAL, "配置项 %s 的值过长", key);
            snprintf(base + keys[i].off, keys[i].size, "%s", value);
            return BM_OK;
        case BOOL:
            if (strcmp(value, "true") == 0 || strcmp(value, "1") == 0 || strcmp(value, "yes") == 0)
                *(bool *)(base + keys[i].off) = true;
            else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0 ||
                     strcmp(value, "no") == 0)
                *(bool *)(base + keys[i].off) = false;
            else
                return bm_err_set(err, BM_EINVAL, "配置项 %s 应为 true 或 false", key);
            return BM_OK;
        case INT:
        case I64:
            if (!bm_parse_i64z(value, keys[i].min, keys[i].max, &v))
                return bm_err_set(err, BM_EINVAL, "配置项 %s 应为 %lld 至 %lld 之间的整数", key,
                                  (long long)keys[i].min, (long long)keys[i].max);
            if (keys[i].kind == INT)
                *(int *)(base + keys[i].off) = (int)v;
            else
                *(int64_t *)(base + keys[i].off) = v;
            return BM_OK;
        }
    }
    return bm_err_set(err, BM_EINVAL, "未知的配置项 %s", key);
}

static char *
trim(char *s)
{
    char *e;
    while (isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

enum bm_rc
bm_config_load_file(struct bm_config *c, const char *path, struct bm_err *err)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    int lineno = 0;
    enum bm_rc rc = BM_OK;

    if (f == NULL)
        return bm_err_set(err, BM_EINVAL, "无法读取配置文件 %s", path);
    while (rc == BM_OK && fgets(line, sizeof(line), f) != NULL) {
        char *eq, *k;
        lineno++;
        k = trim(line);
        if (*k == '\0' || *k == '#')
            continue;
        eq = strchr(k, '=');
        if (eq == NULL) {
            rc = bm_err_set(err, BM_EINVAL, "配置文件 %s 第 %d 行应为 键 = 值", path, lineno);
            break;
        }
        *eq = '\0';
        rc = bm_config_set(c, trim(k), trim(eq + 1), err);
    }
    fclose(f);
    return rc;
}

enum bm_rc
bm_config_load_env(struct bm_config *c, struct bm_err *err)
{
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        char name[64];
        const char *v;
        size_t k;

        snprintf(name, sizeof(name), "BIANMIN_%s", keys[i].key);
        for (k = 8; name[k]; k++)
            name[k] = (char)toupper((unsigned char)name[k]);
        v = getenv(name);
        if (v != NULL && bm_config_set(c, keys[i].key, v, err) != BM_OK)
            return err->rc;
    }
    return BM_OK;
}

int
bm_config_writers(const struct bm_config *c)
{
    if (c->writers > 0)
        return c->writers;
    return bm_url_is_postgres(c->db) ? 16 : 32;
}

bool
bm_config_split_listen(const char *listen, char *host, size_t host_size, int *port)
{
    const char *colon = strrchr(listen, ':');
    const char *h = listen;
    size_t hl;
    int64_t p;

    if (colon == NULL || !bm_parse_i64z(colon + 1, 0, 65535, &p))
        return false;
    hl = (size_t)(colon - listen);
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
        h++;
        hl -= 2;
    }
    if (hl == 0 || hl >= host_size || memchr(h, '[', hl) != NULL || memchr(h, ']', hl) != NULL)
        return false;
    memcpy(host, h, hl);
    host[hl] = '\0';
    *port = (int)p;
    return true;
}

bool
bm_url_is_postgres(const char *url)
{
    return strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
}

void
bm_url_redact(const char *url, char *out, size_t out_size)
{
    const char *scheme = strstr(url, "://"), *at, *colon;

    if (scheme == NULL || (at = strchr(scheme + 3, '@')) == NULL ||
        (colon = memchr(scheme + 3, ':', (size_t)(at - scheme - 3))) == NULL) {
        snprintf(out, out_size, "%s", url);
        return;
    }
    snprintf(out, out_size, "%.*s***%s", (int)(colon + 1 - url), url, at);
}
