/*
 * Unit tests for src/io/notify.c: a text message as one JSON line in the log file (phone
 * masked), and as a JSON POST to a webhook (a tiny HTTP listener on loopback in a thread):
 * 2xx is success, anything else or no listener is "retry later".
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "io/notify.h"

static const struct bm_notify_msg msg = {
    .id = 42, .phone = "13812345678", .template_name = "case_accepted",
    .text = "【便民服务】您申请的“测试”已受理，办件编号110118102000202602100000001。", .at = 1770685200};

static void
test_file_line(void **state)
{
    char path[] = "/tmp/bm-notify-XXXXXX", line[1024];
    struct bm_notify_target t = {.file = path, .webhook = ""};
    struct bm_err err;
    FILE *f;
    int fd = mkstemp(path);
    (void)state;

    assert_true(fd >= 0);
    close(fd);
    bm_err_clear(&err);
    assert_int_equal(bm_io_notify_send(&t, &msg, &err), BM_OK);
    assert_int_equal(bm_io_notify_send(&t, &msg, &err), BM_OK);
    assert_true(t.file_open); /* one open for the batch */
    bm_io_notify_end(&t);
    assert_false(t.file_open);
    assert_non_null(f = fopen(path, "r"));
    assert_non_null(fgets(line, sizeof(line), f));
    assert_non_null(strstr(line, "{\"id\":42,\"at\":\"2026-02-10T09:00:00+08:00\",\"to\":\"138****5678\""));
    assert_non_null(strstr(line, "\"template\":\"case_accepted\""));
    assert_non_null(strstr(line, "已受理"));
    assert_null(strstr(line, "13812345678")); /* the log file never holds the full number */
    assert_int_equal(line[strlen(line) - 1], '\n');
    assert_non_null(fgets(line, sizeof(line), f)); /* appended, not overwritten */
    assert_null(fgets(line, sizeof(line), f));
    fclose(f);
    /* A log rotated (renamed) between batches: the next batch writes a new file. */
    {
        char rotated[sizeof(path) + 2];
        snprintf(rotated, sizeof(rotated), "%s.1", path);
        assert_int_equal(rename(path, rotated), 0);
        assert_int_equal(bm_io_notify_send(&t, &msg, &err), BM_OK);
        bm_io_notify_end(&t);
        assert_non_null(f = fopen(path, "r"));
        assert_non_null(fgets(line, sizeof(line), f));
        assert_non_null(strstr(line, "{\"id\":42,"));
        assert_null(fgets(line, sizeof(line), f));
        fclose(f);
        unlink(rotated);
    }
    unlink(path);
    /* An unwritable file is a failure to retry. */
    t.file = "/nonexistent-dir/sms.log";
    assert_int_equal(bm_io_notify_send(&t, &msg, &err), BM_EBUSY);
    assert_false(t.file_open);
}

struct listener {
    int fd, port, status;
    char got[4096];
};

static void *
serve_one(void *arg)
{
    struct listener *l = arg;
    int c = accept(l->fd, NULL, NULL);
    size_t n = 0;
    char reply[128];

    if (c < 0)
        return NULL;
    /* Read until the JSON body's closing brace has arrived. */
    while (n < sizeof(l->got) - 1) {
        ssize_t k = read(c, l->got + n, sizeof(l->got) - 1 - n);
        if (k <= 0)
            break;
        n += (size_t)k;
        l->got[n] = '\0';
        if (strstr(l->got, "\r\n\r\n") && l->got[n - 1] == '}')
            break;
    }
    snprintf(reply, sizeof(reply), "HTTP/1.1 %d X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
             l->status);
    if (write(c, reply, strlen(reply)) < 0)
        l->status = -1;
    close(c);
    return NULL;
}

static void
listen_on(struct listener *l, int status)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);

    memset(l, 0, sizeof(*l));
    l->status = status;
    assert_true((l->fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
    assert_int_equal(bind(l->fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(l->fd, 1), 0);
    assert_int_equal(getsockname(l->fd, (struct sockaddr *)&a, &len), 0);
    l->port = ntohs(a.sin_port);
}

static void
test_webhook(void **state)
{
    struct listener l;
    pthread_t th;
    char url[64];
    struct bm_notify_target t = {.file = "", .webhook = url, .timeout_s = 5};
    struct bm_err err;
    (void)state;

    bm_io_notify_init();
    listen_on(&l, 204);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/sms", l.port);
    pthread_create(&th, NULL, serve_one, &l);
    bm_err_clear(&err);
    assert_int_equal(bm_io_notify_send(&t, &msg, &err), BM_OK);
    pthread_join(th, NULL);
    assert_non_null(strstr(l.got, "POST /sms HTTP/1.1"));
    assert_non_null(strstr(l.got, "application/json"));
    /* The gateway gets the full number; the id lets it drop repeats. */
    assert_non_null(strstr(l.got, "\"to\":\"13812345678\""));
    assert_non_null(strstr(l.got, "{\"id\":42,"));
    close(l.fd);

    /* A gateway error is retried later. */
    listen_on(&l, 503);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/sms", l.port);
    pthread_create(&th, NULL, serve_one, &l);
    assert_int_equal(bm_io_notify_send(&t, &msg, &err), BM_EBUSY);
    pthread_join(th, NULL);
    assert_non_null(strstr(err.message, "503"));
    close(l.fd);

    /* Nobody listening: retried later too. */
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/sms", l.port);
    assert_int_equal(bm_io_notify_send(&t, &msg, &err), BM_EBUSY);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_line),
        cmocka_unit_test(test_webhook),
    };
    return cmocka_run_group_tests_name("notify", tests, NULL, NULL);
}
