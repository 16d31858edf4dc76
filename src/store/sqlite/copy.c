/*
 * SQLite: the copy verbs of a whole-store move (store/copy.c). SQL text is assembled only
 * from the constant table and column names of bm_copy_tables; values are always bound.
 */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/int.h"
#include "util/buf.h"
#include "util/hex.h"

static const char SQL_SNAPSHOT[] = "BEGIN DEFERRED";

enum bm_rc
sqlite_begin_snapshot(struct bm_store *st, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_SNAPSHOT, &s, err);

    /* A deferred transaction reads one WAL snapshot from its first read to its end. */
    if (rc == BM_OK)
        rc = sq_exec(st, s, "snapshot", err);
    if (rc == BM_OK)
        st->in_tx = true;
    return rc;
}

static enum bm_rc
build(struct bm_buf *b, const struct bm_copy_table *t, bool insert, struct bm_err *err)
{
    size_t n = strlen(t->kinds);
    enum bm_rc rc = bm_buf_puts(b, insert ? "INSERT INTO " : "SELECT ");

    if (insert && rc == BM_OK)
        rc = bm_buf_printf(b, "%s (", t->name);
    for (size_t i = 0; rc == BM_OK && i < n; i++)
        rc = bm_buf_printf(b, "%s%s", i ? ", " : "", t->columns[i]);
    if (insert) {
        if (rc == BM_OK)
            rc = bm_buf_puts(b, ") VALUES (");
        for (size_t i = 0; rc == BM_OK && i < n; i++)
            rc = bm_buf_printf(b, "%s?%zu", i ? ", " : "", i + 1);
        if (rc == BM_OK)
            rc = bm_buf_puts(b, ")");
    } else if (rc == BM_OK) {
        rc = bm_buf_printf(b, " FROM %s ORDER BY %s", t->name, t->order_by);
    }
    return rc == BM_OK ? BM_OK : bm_err_set(err, BM_EINTERNAL, "语句过长");
}

static enum bm_rc
prepare_tmp(struct bm_store *st, const struct bm_copy_table *t, bool insert, sqlite3_stmt **s,
            struct bm_err *err)
{
    struct bm_buf b;
    enum bm_rc rc;
    int src;

    bm_buf_init(&b, 4096);
    rc = build(&b, t, insert, err);
    if (rc == BM_OK && (src = sqlite3_prepare_v2(sq_db(st), b.ptr, -1, s, NULL)) != SQLITE_OK)
        rc = sq_fail(st, src, "copy prepare", err);
    bm_buf_fini(&b);
    return rc;
}

static const char SQL_COUNT_FMT[] = "SELECT count(*) FROM %s";

enum bm_rc
sqlite_count_rows(struct bm_store *st, const struct bm_copy_table *t, int64_t *n,
                  struct bm_err *err)
{
    struct bm_buf b;
    sqlite3_stmt *s = NULL;
    enum bm_rc rc;
    int src;

    bm_buf_init(&b, 256);
    rc = bm_buf_printf(&b, SQL_COUNT_FMT, t->name);
    if (rc == BM_OK && (src = sqlite3_prepare_v2(sq_db(st), b.ptr, -1, &s, NULL)) != SQLITE_OK)
        rc = sq_fail(st, src, "copy count", err);
    if (rc == BM_OK) {
        if ((src = sqlite3_step(s)) == SQLITE_ROW)
            *n = sqlite3_column_int64(s, 0);
        else
            rc = sq_fail(st, src, "copy count", err);
    }
    sqlite3_finalize(s);
    bm_buf_fini(&b);
    return rc;
}

enum bm_rc
sqlite_copy_out(struct bm_store *st, const struct bm_copy_table *t, bm_copy_row_fn fn, void *ctx,
                int64_t *rows, struct bm_err *err)
{
    size_t n = strlen(t->kinds);
    const char *values[BM_COPY_MAX_COLS];
    char *hexbuf[BM_COPY_MAX_COLS] = {NULL};
    sqlite3_stmt *s = NULL;
    enum bm_rc rc = prepare_tmp(st, t, false, &s, err);
    int src = SQLITE_DONE;

    *rows = 0;
    while (rc == BM_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
        for (size_t i = 0; i < n; i++) {
            if (sqlite3_column_type(s, (int)i) == SQLITE_NULL) {
                values[i] = NULL;
            } else if (t->kinds[i] == 'b') {
                /* Bytes of any length: hashes, sealed personal data, uploaded files. */
                size_t len = (size_t)sqlite3_column_bytes(s, (int)i);
                hexbuf[i] = bm_xrealloc(hexbuf[i], 2 * len + 1);
                bm_hex_encode(sqlite3_column_blob(s, (int)i), len, hexbuf[i]);
                values[i] = hexbuf[i];
            } else {
                values[i] = (const char *)sqlite3_column_text(s, (int)i);
            }
        }
        rc = fn(ctx, values, err);
        (*rows)++;
    }
    if (rc == BM_OK && src != SQLITE_DONE)
        rc = sq_fail(st, src, "copy out", err);
    sqlite3_finalize(s);
    for (size_t i = 0; i < n; i++)
        free(hexbuf[i]);
    return rc;
}

enum bm_rc
sqlite_copy_in(struct bm_store *st, const struct bm_copy_table *t, const char *const *values,
               struct bm_err *err)
{
    struct sq_store *sq = SQ(st);
    size_t n = strlen(t->kinds);
    enum bm_rc rc = BM_OK;

    /* One prepared insert per table, kept while that table is being copied. */
    if (sq->copy_table != t) {
        sqlite3_finalize(sq->copy_stmt);
        sq->copy_stmt = NULL;
        sq->copy_table = NULL;
        rc = prepare_tmp(st, t, true, &sq->copy_stmt, err);
        if (rc != BM_OK)
            return rc;
        sq->copy_table = t;
    }
    for (size_t i = 0; i < n; i++) {
        int col = (int)i + 1;
        if (values[i] == NULL) {
            sqlite3_bind_null(sq->copy_stmt, col);
        } else if (t->kinds[i] == 'b') {
            size_t max = strlen(values[i]) / 2 + 1;
            unsigned char *bytes = bm_xmalloc(max);
            int len = bm_hex_decode(values[i], bytes, max);
            if (len < 0) {
                free(bytes);
                return bm_err_set(err, BM_EINVAL, "%s 表含有损坏的字节数据", t->name);
            }
            sqlite3_bind_blob(sq->copy_stmt, col, bytes, len, free);
        } else if (t->kinds[i] == 't')
            sqlite3_bind_text(sq->copy_stmt, col, values[i], -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_int64(sq->copy_stmt, col, strtoll(values[i], NULL, 10));
    }
    return sq_exec(st, sq->copy_stmt, "copy in", err);
}

enum bm_rc
sqlite_copy_finish(struct bm_store *st, const struct bm_copy_table *t, struct bm_err *err)
{
    struct sq_store *sq = SQ(st);
    (void)t;
    (void)err;
    sqlite3_finalize(sq->copy_stmt);
    sq->copy_stmt = NULL;
    sq->copy_table = NULL;
    return BM_OK;
}
