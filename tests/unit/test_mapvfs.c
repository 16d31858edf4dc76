/*
 * Unit tests for src/store/sqlite/mapvfs.c: a read connection's memory map of the database
 * file outlives other connections' commits, still shows what they wrote, and follows the
 * file when it grows. The map is observed in /proc/self/smaps: its size, and how much of it
 * is resident (a fresh map starts with nothing resident).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/sqlite/mapvfs.h"

#define ROWS 2000 /* of 1,000 bytes: about 2.3 MB of pages */

struct fixture {
    char dir[64];
    char path[96];
    sqlite3 *writer; /* "unix", no map: as the server's write connection */
};

static void
exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fail_msg("%s: %s", sql, msg ? msg : sqlite3_errstr(rc));
}

static sqlite3_int64
one_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s;
    sqlite3_int64 v;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

static sqlite3 *
open_reader(const struct fixture *f, const char *vfs)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READWRITE, vfs), SQLITE_OK);
    exec(db, "PRAGMA mmap_size=1099511627776");
    return db;
}

/* The size and the resident part (KiB) of this process's maps of the database file. */
static void
file_map_kib(const struct fixture *f, long *size, long *rss)
{
    char line[512], tail[128];
    FILE *in = fopen("/proc/self/smaps", "r");
    bool in_file = false;
    unsigned long lo, hi;
    size_t n, t;
    long v;

    assert_non_null(in);
    t = (size_t)snprintf(tail, sizeof(tail), " %s\n", f->path);
    *size = *rss = 0;
    while (fgets(line, sizeof(line), in) != NULL) {
        n = strlen(line);
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) /* a map's first line; its file last */
            in_file = n >= t && strcmp(line + n - t, tail) == 0;
        else if (in_file && sscanf(line, "Size: %ld kB", &v) == 1)
            *size += v;
        else if (in_file && sscanf(line, "Rss: %ld kB", &v) == 1)
            *rss += v;
    }
    fclose(in);
}

static long
file_kib(const struct fixture *f)
{
    struct stat sb;
    assert_int_equal(stat(f->path, &sb), 0);
    return (long)(sb.st_size / 1024);
}

/* A WAL database of ROWS rows, all checkpointed into the file. */
static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    char sql[128];

    if (f == NULL || sq_mapvfs_register() == NULL)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/bianmin-mapvfs.XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
    if (sqlite3_open(f->path, &f->writer) != SQLITE_OK)
        return -1;
    exec(f->writer, "PRAGMA journal_mode=WAL");
    exec(f->writer, "CREATE TABLE t (id INTEGER PRIMARY KEY, x BLOB NOT NULL)");
    snprintf(sql, sizeof(sql),
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) "
             "INSERT INTO t SELECT i, randomblob(1000) FROM n",
             ROWS);
    exec(f->writer, sql);
    exec(f->writer, "PRAGMA wal_checkpoint(TRUNCATE)");
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    char p[128];

    sqlite3_close(f->writer);
    for (const char *const *s = (const char *const[]){"", "-wal", "-shm", NULL}; *s; s++) {
        snprintf(p, sizeof(p), "%s%s", f->path, *s);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

/* Another connection's commit: SQLite alone drops the reader's map (nothing of the file
 * stays resident in it); through mapvfs the map stays, and shows the change. */
static void
test_map_outlives_commits(void **state)
{
    struct fixture *f = *state;
    const char *vfs[] = {"unix", SQ_MAPVFS_NAME};
    long size, rss, whole = file_kib(f);

    for (int i = 0; i < 2; i++) {
        sqlite3 *r = open_reader(f, vfs[i]);
        assert_int_equal(one_int(r, "SELECT sum(length(x)) FROM t"), ROWS * 1000);
        file_map_kib(f, &size, &rss);
        assert_true(rss > whole / 2); /* the scan went through the map */

        exec(f->writer, "UPDATE t SET x = zeroblob(1000) WHERE id = 7");
        exec(f->writer, "PRAGMA wal_checkpoint(TRUNCATE)"); /* the change into the file */
        assert_int_equal(one_int(r, "SELECT sum(x = zeroblob(1000)) FROM t WHERE id = 7"), 1);
        file_map_kib(f, &size, &rss);
        if (i == 0)
            assert_true(rss < whole / 4);
        else
            assert_true(rss > whole / 2);
        sqlite3_close(r);
    }
}

/* Rows written past the end of the map are read all the same (without it), and after the
 * next commit the reader maps the whole grown file. */
static void
test_map_follows_growth(void **state)
{
    struct fixture *f = *state;
    sqlite3 *r = open_reader(f, SQ_MAPVFS_NAME);
    long size, rss, before = file_kib(f);

    assert_int_equal(one_int(r, "SELECT count(*) FROM t"), ROWS);
    file_map_kib(f, &size, &rss);
    assert_true(size >= before && size < before + 64);

    exec(f->writer, "INSERT INTO t SELECT id + 100000, randomblob(1000) FROM t");
    exec(f->writer, "PRAGMA wal_checkpoint(TRUNCATE)");
    assert_true(file_kib(f) > 2 * before - 64);
    assert_int_equal(one_int(r, "SELECT length(x) FROM t WHERE id = 102000"), 1000);
    assert_int_equal(one_int(r, "SELECT sum(length(x)) FROM t"), 2 * ROWS * 1000);
    file_map_kib(f, &size, &rss);
    assert_true(size < before + 64); /* still the first map */

    exec(f->writer, "UPDATE t SET x = zeroblob(1000) WHERE id = 1");
    assert_int_equal(one_int(r, "SELECT count(*) FROM t WHERE id > 100000"), ROWS);
    file_map_kib(f, &size, &rss);
    assert_true(size >= file_kib(f) - 4);
    sqlite3_close(r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_map_outlives_commits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_follows_growth, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
