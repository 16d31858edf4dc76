/*
 * PostgreSQL: the copy verbs of a whole-store move (store/copy.c). SQL text is assembled only
 * from the constant table and column names of bm_copy_tables; values are always bound.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg/int.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/log.h"

static const char SQL_SNAPSHOT[] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

enum bm_rc
pg_begin_snapshot(struct bm_store *st, struct bm_err *err)
{
    enum bm_rc rc = pq_exec(st, SQL_SNAPSHOT, NULL, "snapshot", NULL, err);
    if (rc == BM_OK)
        st->in_tx = true;
    return rc;
}

/* Runs SQL assembled from constant names, with no parameters. */
static PGresult *
run_const(struct bm_store *st, const char *sql, const char *what, struct bm_err *err)
{
    PGresult *r = PQexec(PQ(st)->conn, sql);
    ExecStatusType s = PQresultStatus(r);

    if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK)
        return r;
    bm_log(BM_LOG_ERROR, "store_error", "%s: %s", what, PQresultErrorMessage(r));
    PQclear(r);
    (void)bm_err_set(err, BM_EINTERNAL, "数据存储出错");
    return NULL;
}

enum bm_rc
pg_count_rows(struct bm_store *st, const struct bm_copy_table *t, int64_t *n, struct bm_err *err)
{
    char sql[128];
    PGresult *r;

    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", t->name);
    if ((r = run_const(st, sql, "copy count", err)) == NULL)
        return err->rc;
    *n = pq_int(r, 0, 0);
    PQclear(r);
    return BM_OK;
}

enum bm_rc
pg_copy_out(struct bm_store *st, const struct bm_copy_table *t, bm_copy_row_fn fn, void *ctx,
            int64_t *rows, struct bm_err *err)
{
    size_t n = strlen(t->kinds);
    const char *values[BM_COPY_MAX_COLS];
    struct bm_buf b;
    PGresult *r = NULL;
    enum bm_rc rc;

    bm_buf_init(&b, 4096);
    rc = bm_buf_puts(&b, "SELECT ");
    for (size_t i = 0; rc == BM_OK && i < n; i++)
        rc = bm_buf_printf(&b, "%s%s", i ? ", " : "", t->columns[i]);
    if (rc == BM_OK)
        rc = bm_buf_printf(&b, " FROM %s ORDER BY %s", t->name, t->order_by);
    if (rc == BM_OK && (r = run_const(st, b.ptr, "copy out", err)) == NULL)
        rc = err->rc;
    *rows = 0;
    for (int row = 0; rc == BM_OK && row < PQntuples(r); row++) {
        for (size_t i = 0; i < n; i++) {
            const char *v = PQgetisnull(r, row, (int)i) ? NULL : PQgetvalue(r, row, (int)i);
            /* bytea arrives as "\x<hex>": hand on the hex */
            values[i] = v != NULL && t->kinds[i] == 'b' && v[0] == '\\' && v[1] == 'x' ? v + 2 : v;
        }
        rc = fn(ctx, values, err);
        (*rows)++;
    }
    PQclear(r);
    bm_buf_fini(&b);
    return rc;
}

enum bm_rc
pg_copy_in(struct bm_store *st, const struct bm_copy_table *t, const char *const *values,
           struct bm_err *err)
{
    struct pq_store *pq = PQ(st);
    size_t n = strlen(t->kinds);
    unsigned char *bytes[BM_COPY_MAX_COLS] = {NULL};
    const char *v[BM_COPY_MAX_COLS];
    int len[BM_COPY_MAX_COLS], fmt[BM_COPY_MAX_COLS];
    char name[64];
    PGresult *r;

    /* One prepared insert per table, named after it, prepared on first use. */
    snprintf(name, sizeof(name), "bmcopy_%s", t->name);
    if (pq->copy_table != t) {
        struct bm_buf b;
        enum bm_rc rc;

        bm_buf_init(&b, 4096);
        rc = bm_buf_printf(&b, "INSERT INTO %s (", t->name);
        for (size_t i = 0; rc == BM_OK && i < n; i++)
            rc = bm_buf_printf(&b, "%s%s", i ? ", " : "", t->columns[i]);
        if (rc == BM_OK)
            rc = bm_buf_puts(&b, ") VALUES (");
        for (size_t i = 0; rc == BM_OK && i < n; i++)
            rc = bm_buf_printf(&b, "%s$%zu%s", i ? ", " : "", i + 1,
                               t->kinds[i] == 'b' ? "::bytea"
                               : t->kinds[i] == 't' ? "::text"
                                                    : "::bigint");
        if (rc == BM_OK)
            rc = bm_buf_puts(&b, ")");
        r = rc == BM_OK ? PQprepare(pq->conn, name, b.ptr, (int)n, NULL) : NULL;
        bm_buf_fini(&b);
        if (r == NULL || PQresultStatus(r) != PGRES_COMMAND_OK) {
            bm_log(BM_LOG_ERROR, "store_error", "copy prepare %s: %s", t->name,
                   r ? PQresultErrorMessage(r) : "statement too long");
            PQclear(r);
            return bm_err_set(err, BM_EINTERNAL, "数据存储出错");
        }
        PQclear(r);
        pq->copy_table = t;
    }
    for (size_t i = 0; i < n; i++) {
        v[i] = values[i];
        len[i] = 0;
        fmt[i] = 0;
        if (values[i] != NULL && t->kinds[i] == 'b') {
            size_t max = strlen(values[i]) / 2 + 1;
            bytes[i] = bm_xmalloc(max);
            len[i] = bm_hex_decode(values[i], bytes[i], max);
            if (len[i] < 0) {
                for (size_t k = 0; k <= i; k++)
                    free(bytes[k]);
                return bm_err_set(err, BM_EINVAL, "%s 表含有损坏的字节数据", t->name);
            }
            v[i] = (const char *)bytes[i];
            fmt[i] = 1;
        }
    }
    r = PQexecPrepared(pq->conn, name, (int)n, v, len, fmt, 0);
    for (size_t i = 0; i < n; i++)
        free(bytes[i]);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        bm_log(BM_LOG_ERROR, "store_error", "copy in %s: %s", t->name, PQresultErrorMessage(r));
        PQclear(r);
        return bm_err_set(err, BM_EINTERNAL, "数据存储出错");
    }
    PQclear(r);
    return BM_OK;
}

enum bm_rc
pg_copy_finish(struct bm_store *st, const struct bm_copy_table *t, struct bm_err *err)
{
    char sql[256];
    PGresult *r;

    if (PQ(st)->copy_table == t) {
        snprintf(sql, sizeof(sql), "DEALLOCATE bmcopy_%s", t->name);
        if ((r = run_const(st, sql, "copy deallocate", err)) == NULL)
            return err->rc;
        PQclear(r);
    }
    PQ(st)->copy_table = NULL;
    if (!t->has_identity)
        return BM_OK;
    /* Ids were copied as they were: move the identity past them for the next insert. */
    snprintf(sql, sizeof(sql),
             "SELECT setval(pg_get_serial_sequence('%s', 'id'), coalesce(max(id), 0) + 1, false) "
             "FROM %s",
             t->name, t->name);
    if ((r = run_const(st, sql, "copy identity", err)) == NULL)
        return err->rc;
    PQclear(r);
    return BM_OK;
}
