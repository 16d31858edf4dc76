/*
 * Settings of a bianmin process. Sources, weakest first: built-in defaults, the config
 * file (key = value lines), BIANMIN_* environment variables, command-line flags.
 * docs/operations.md lists every key.
 */
#ifndef BM_UTIL_CONFIG_H
#define BM_UTIL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct bm_config {
    char db[512];           /* store URL or SQLite file */
    char listen[128];       /* HOST:PORT */
    char web_dir[512];      /* static files of the web UI; "" serves none */
    int threads;            /* event loops; 0 = one per core */
    int workers;            /* worker threads for slow work (password hashing caps here) */
    int writers;            /* worker threads for requests that write; 0: bm_config_writers */
    int64_t body_max_bytes; /* JSON request bodies */
    int64_t upload_max_bytes; /* largest body any route accepts (attachments) */
    int timeout_s;          /* idle connection read/write timeout */
    int request_timeout_s;  /* a request must arrive within this from its first byte ... */
    int request_min_rate;   /* ... plus a second per this many bytes received (bytes/s) */
    int64_t arena_max_bytes;  /* per-request memory cap */
    int session_idle_s;     /* session ends after this long without a request */
    int session_max_s;      /* and at the latest this long after log-in */
    bool secure_cookies;    /* add Secure to the session cookie (behind TLS) */
    int login_max_failures; /* per user name within login_window_s */
    int login_ip_max_failures; /* per client address within login_window_s */
    int login_window_s;
    int public_posts_per_minute; /* anonymous submissions per client address; 0 = no limit */
    char log_level[16];
    bool trust_proxy;       /* take the client address from X-Forwarded-For */
    char data_key_file[512]; /* key that seals personal data; "" = beside the SQLite file */
    char public_url[256];   /* base of links printed on receipts; "" = http://LISTEN */
    char notify_file[512];  /* where the log sender appends text messages; "" = beside the store */
    char notify_webhook[512]; /* if set, text messages are POSTed here as JSON instead */
    int warn_interval_s;    /* seconds between rounds of the deadline-warning job; 0 = off */
    int return_after_days;  /* natural days a supplement notice may go unanswered (退件) */
    int default_rating;     /* level given when nobody rated within 7 days; 0 = none */
    /* Loaded at start-up from data_key_file (not a setting). */
    unsigned char data_key[32];
    bool has_data_key;
};

/* Built-in defaults. */
void bm_config_defaults(struct bm_config *c);

/*
 * Applies one "key = value" setting (keys as in the file; also used for BIANMIN_KEY
 * environment variables and --key flags). BM_EINVAL with a message for an unknown key or
 * a bad value.
 */
BM_MUST_CHECK enum bm_rc bm_config_set(struct bm_config *c, const char *key, const char *value,
                                       struct bm_err *err);

/* Reads a config file: blank lines and '#' comments are skipped. */
BM_MUST_CHECK enum bm_rc bm_config_load_file(struct bm_config *c, const char *path,
                                             struct bm_err *err);

/* Applies every BIANMIN_<KEY> environment variable that names a known key. */
BM_MUST_CHECK enum bm_rc bm_config_load_env(struct bm_config *c, struct bm_err *err);

/* The writer threads to start: `writers`, or when it is 0, 32 on SQLite (writes waiting
 * together share one commit and one sync: more of them, more shared) and 16 on PostgreSQL
 * (each holds a server connection). */
int bm_config_writers(const struct bm_config *c);

/* Splits "host:port" (or "[v6]:port"); false if malformed. */
bool bm_config_split_listen(const char *listen, char *host, size_t host_size, int *port);

/* True for a PostgreSQL store URL ("postgres://…" or "postgresql://…"). */
bool bm_url_is_postgres(const char *url);

/*
 * A store URL fit for logs and messages: the password of "postgres://user:secret@host/db"
 * becomes "***". Other text is copied as is (truncated to out_size).
 */
void bm_url_redact(const char *url, char *out, size_t out_size);

#endif
