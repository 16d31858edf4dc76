/*
 * PostgreSQL: uploaded files. Content is stored once per SHA-256 in blobs; attachments tie
 * it to a case (and a material). Also the reader of variable-length bytea the backend
 * shares. Mirrors sqlite/files.c.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg/int.h"
#include "util/hex.h"
#include "util/log.h"

/* The hex digits of a bytea value and its length in bytes; false if it is not hex bytea. */
static bool
bytea_hex(const PGresult *r, int row, int col, const char **digits, size_t *n)
{
    const char *v = PQgetvalue(r, row, col);
    size_t len = (size_t)PQgetlength(r, row, col);

    /* bytea_output is hex for every session (conn.c): "\x" and two digits a byte. */
    if (len < 2 || v[0] != '\\' || v[1] != 'x' || len % 2 != 0)
        return false;
    *digits = v + 2;
    *n = (len - 2) / 2;
    return true;
}

const unsigned char *
pq_blob_dup(struct bm_arena *a, const PGresult *r, int row, int col, size_t *len)
{
    const char *digits;
    unsigned char *out;
    size_t n;

    if (!bytea_hex(r, row, col, &digits, &n) || (out = bm_arena_alloc(a, n + 1)) == NULL)
        return NULL;
    if (n > 0 && bm_hex_decode(digits, out, n) != (int)n)
        return NULL;
    *len = n;
    return out;
}

#define ATT_COLS                                                                            \
    "t.id, t.case_id, coalesce(t.material_ord, -1), t.sha256, t.content_type, t.filename, "  \
    "t.size, t.uploaded_by, t.created_at"

static enum bm_rc
read_att(const PGresult *r, int row, struct bm_arena *a, struct bm_attachment *t,
         struct bm_err *err)
{
    memset(t, 0, sizeof(*t));
    t->id = pq_int(r, row, 0);
    t->case_id = pq_int(r, row, 1);
    t->material_ord = (int)pq_int(r, row, 2);
    pq_blob(r, row, 3, t->sha256, sizeof(t->sha256));
    t->content_type = pq_text(a, r, row, 4);
    t->filename = pq_text(a, r, row, 5);
    t->size = pq_int(r, row, 6);
    t->uploaded_by = pq_int(r, row, 7);
    t->created_at = pq_int(r, row, 8);
    if (!t->content_type || !t->filename)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    return BM_OK;
}

/* Equal content has equal hashes, so a second upload of it only adds the attachment row. */
static const char SQL_BLOB_INSERT[] =
    "INSERT INTO blobs (sha256, size, content, created_at, county_code) VALUES ($1, $2::bigint, "
    "$3, $4::bigint, (SELECT county_code FROM cases WHERE id = $5::bigint)) "
    "ON CONFLICT (sha256) DO NOTHING";
static const char SQL_ATT_INSERT[] =
    "INSERT INTO attachments (case_id, material_ord, sha256, content_type, size, filename, "
    "uploaded_by, created_at, county_code) VALUES ($1::bigint, nullif($2::bigint, -1), $3, $4, "
    "$5::bigint, $6, $7::bigint, $8::bigint, (SELECT county_code FROM cases WHERE id = "
    "$1::bigint)) RETURNING id";

enum bm_rc
pg_attachment_insert(struct bm_store *st, const struct bm_attachment *at, const void *content,
                     int64_t *id, struct bm_err *err)
{
    struct pq_args b = {0}, a = {0};
    PGresult *r;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if (at->size < 0 || at->size > INT_MAX) /* a libpq parameter's length is an int */
        return bm_err_set(err, BM_ETOOBIG, "附件过大");
    pq_bytes(&b, at->sha256, (int)sizeof(at->sha256));
    pq_i64(&b, at->size);
    /* A NULL value would be SQL NULL even with length 0. */
    pq_bytes(&b, content != NULL ? content : (const void *)"", (int)at->size);
    pq_i64(&b, at->created_at);
    pq_i64(&b, at->case_id);
    rc = pq_exec(st, SQL_BLOB_INSERT, &b, "blob insert", NULL, err);
    if (rc != BM_OK)
        return rc;
    pq_i64(&a, at->case_id);
    pq_i64(&a, at->material_ord);
    pq_bytes(&a, at->sha256, (int)sizeof(at->sha256));
    pq_str(&a, at->content_type);
    pq_i64(&a, at->size);
    pq_str(&a, at->filename);
    pq_i64(&a, at->uploaded_by);
    pq_i64(&a, at->created_at);
    if ((r = pq_run(st, SQL_ATT_INSERT, &a, "attachment insert", err)) == NULL)
        return err->rc;
    *id = pq_int(r, 0, 0);
    PQclear(r);
    return BM_OK;
}

static const char SQL_ATT_LIST[] =
    "SELECT " ATT_COLS " FROM attachments t WHERE t.case_id = $1::bigint ORDER BY t.id "
    "LIMIT 200";

enum bm_rc
pg_attachments_list(struct bm_store *st, int64_t case_id, struct bm_arena *ar,
                    struct bm_attachment **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    struct bm_attachment *ts;
    PGresult *r;
    enum bm_rc rc = BM_OK;
    size_t k = 0;
    int rows;

    pq_i64(&a, case_id);
    if ((r = pq_run(st, SQL_ATT_LIST, &a, "attachments list", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    ts = bm_arena_alloc(ar, sizeof(*ts) * (size_t)(rows + 1));
    if (ts == NULL)
        rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    for (int i = 0; rc == BM_OK && i < rows; i++)
        rc = read_att(r, i, ar, &ts[k++], err);
    PQclear(r);
    if (rc == BM_OK) {
        *out = ts;
        *n = k;
    }
    return rc;
}

static const char SQL_ATT_GET[] =
    "SELECT " ATT_COLS ", b.content FROM attachments t JOIN blobs b ON b.sha256 = t.sha256 "
    "WHERE t.id = $2::bigint AND t.case_id = $1::bigint";

unsigned char *
pq_content_dup(const PGresult *r, int row, int col, size_t *len)
{
    const char *digits;
    unsigned char *out;
    size_t n;

    if (!bytea_hex(r, row, col, &digits, &n))
        return NULL;
    out = bm_xmalloc(n + 1);
    if (n > 0 && bm_hex_decode(digits, out, n) != (int)n) {
        free(out);
        return NULL;
    }
    *len = n;
    return out;
}

enum bm_rc
pg_attachment_get(struct bm_store *st, int64_t case_id, int64_t id, struct bm_arena *ar,
                  struct bm_attachment *out, void **content, struct bm_err *err)
{
    struct pq_args a = {0};
    struct bm_attachment t;
    unsigned char *body = NULL;
    size_t len = 0;
    PGresult *r;
    enum bm_rc rc;

    pq_i64(&a, case_id);
    pq_i64(&a, id);
    if ((r = pq_run(st, SQL_ATT_GET, &a, "attachment get", err)) == NULL)
        return err->rc;
    if (PQntuples(r) != 1) {
        rc = bm_err_set(err, BM_ENOTFOUND, "附件不存在");
    } else if ((rc = read_att(r, 0, ar, &t, err)) == BM_OK &&
               (body = pq_content_dup(r, 0, 9, &len)) == NULL) {
        bm_log(BM_LOG_ERROR, "store_error", "attachment %" PRId64 ": unreadable content", id);
        rc = bm_err_set(err, BM_EINTERNAL, "数据存储出错");
    }
    PQclear(r);
    if (rc != BM_OK)
        return rc;
    t.size = (int64_t)len; /* the bytes handed out, whatever the row claims */
    *out = t;
    *content = body;
    return BM_OK;
}
