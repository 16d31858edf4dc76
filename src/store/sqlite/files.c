/*
 * SQLite: uploaded files. The bytes live once per content in `blobs`, keyed by their
 * SHA-256; each upload is an `attachments` row that points to them.
 */
#include <string.h>

#include "store/sqlite/int.h"

#define ATT_COLS                                                                               \
    "id, case_id, coalesce(material_ord, -1), sha256, content_type, filename, size, "           \
    "uploaded_by, created_at"

static enum bm_rc
read_att(sqlite3_stmt *s, struct bm_arena *a, struct bm_attachment *t, struct bm_err *err)
{
    memset(t, 0, sizeof(*t));
    t->id = sqlite3_column_int64(s, 0);
    t->case_id = sqlite3_column_int64(s, 1);
    t->material_ord = sqlite3_column_int(s, 2);
    if (sqlite3_column_bytes(s, 3) == (int)sizeof(t->sha256))
        memcpy(t->sha256, sqlite3_column_blob(s, 3), sizeof(t->sha256));
    t->content_type = sq_text(a, s, 4);
    t->filename = sq_text(a, s, 5);
    t->size = sqlite3_column_int64(s, 6);
    t->uploaded_by = sqlite3_column_int64(s, 7);
    t->created_at = sqlite3_column_int64(s, 8);
    return t->content_type && t->filename ? BM_OK : bm_err_set(err, BM_ETOOBIG, "结果过大");
}

void *
sq_blob_dup(sqlite3_stmt *s, int col, int64_t *len)
{
    int n = sqlite3_column_bytes(s, col);
    void *p = bm_xmalloc((size_t)n + 1);

    if (n > 0)
        memcpy(p, sqlite3_column_blob(s, col), (size_t)n);
    *len = n;
    return p;
}

static const char SQL_BLOB_INSERT[] =
    "INSERT INTO blobs (sha256, size, content, created_at, county_code) VALUES (?1, ?2, ?3, ?4, "
    "(SELECT county_code FROM cases WHERE id = ?5)) "
    "ON CONFLICT (sha256) DO NOTHING";
static const char SQL_ATT_INSERT[] =
    "INSERT INTO attachments (case_id, material_ord, sha256, content_type, size, filename, "
    "uploaded_by, created_at, county_code) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
    "(SELECT county_code FROM cases WHERE id = ?1))";

enum bm_rc
sqlite_attachment_insert(struct bm_store *st, const struct bm_attachment *at, const void *content,
                         int64_t *id, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_BLOB_INSERT, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_blob(s, 1, at->sha256, (int)sizeof(at->sha256), SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, at->size);
    sqlite3_bind_blob64(s, 3, content, (sqlite3_uint64)at->size, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, at->created_at);
    sqlite3_bind_int64(s, 5, at->case_id);
    if ((rc = sq_exec(st, s, "blob insert", err)) != BM_OK)
        return rc;
    if ((rc = sq_prepare(st, SQL_ATT_INSERT, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, at->case_id);
    if (at->material_ord < 0)
        sqlite3_bind_null(s, 2);
    else
        sqlite3_bind_int(s, 2, at->material_ord);
    sqlite3_bind_blob(s, 3, at->sha256, (int)sizeof(at->sha256), SQLITE_TRANSIENT);
    sq_bind_text(s, 4, at->content_type);
    sqlite3_bind_int64(s, 5, at->size);
    sq_bind_text(s, 6, at->filename);
    sqlite3_bind_int64(s, 7, at->uploaded_by);
    sqlite3_bind_int64(s, 8, at->created_at);
    if ((rc = sq_exec(st, s, "attachment insert", err)) == BM_OK)
        *id = sqlite3_last_insert_rowid(sq_db(st));
    return rc;
}

static const char SQL_ATT_LIST[] =
    "SELECT " ATT_COLS " FROM attachments WHERE case_id = ?1 ORDER BY id LIMIT 200";

enum bm_rc
sqlite_attachments_list(struct bm_store *st, int64_t case_id, struct bm_arena *a,
                        struct bm_attachment **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src = SQLITE_DONE;
    const size_t cap = 200;

    *n = 0;
    if ((*out = bm_arena_alloc(a, sizeof(**out) * cap)) == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    if ((rc = sq_prepare(st, SQL_ATT_LIST, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, case_id);
    while (rc == BM_OK && *n < cap && (src = sqlite3_step(s)) == SQLITE_ROW)
        if ((rc = read_att(s, a, &(*out)[*n], err)) == BM_OK)
            (*n)++;
    if (rc == BM_OK && src != SQLITE_DONE && src != SQLITE_ROW)
        rc = sq_fail(st, src, "attachments", err);
    sq_done(s);
    return rc;
}

static const char SQL_ATT_GET[] =
    "SELECT " ATT_COLS ", (SELECT content FROM blobs b WHERE b.sha256 = attachments.sha256) "
    "FROM attachments WHERE case_id = ?1 AND id = ?2";

enum bm_rc
sqlite_attachment_get(struct bm_store *st, int64_t case_id, int64_t id, struct bm_arena *a,
                      struct bm_attachment *out, void **content, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src;

    if ((rc = sq_prepare(st, SQL_ATT_GET, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, case_id);
    sqlite3_bind_int64(s, 2, id);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW) {
        rc = read_att(s, a, out, err);
        if (rc == BM_OK)
            *content = sq_blob_dup(s, 9, &out->size);
    } else if (src == SQLITE_DONE) {
        rc = bm_err_set(err, BM_ENOTFOUND, "附件不存在");
    } else {
        rc = sq_fail(st, src, "attachment get", err);
    }
    sq_done(s);
    return rc;
}
