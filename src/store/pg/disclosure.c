/*
 * PostgreSQL: disclosure publications (政务公开 / 村务公开), their files (bytes in the shared
 * content-addressed blobs) and their history. Mirrors sqlite/disclosure.c.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/disclosure.h"
#include "store/pg/int.h"
#include "util/hex.h"
#include "util/log.h"

#define PUB_COLS                                                                              \
    "p.id, p.unit_id, p.county_code, o.name, o.path, o.kind, "                                \
    "CASE WHEN o.kind = 'village' THEN coalesce(t.id, 0) ELSE o.id END, "                     \
    "CASE WHEN o.kind = 'village' THEN coalesce(t.name, '') ELSE o.name END, "                \
    "p.category, p.title, p.body, p.status, p.publish_at, p.withdraw_at, p.released_at, "      \
    "p.released_by, p.withdrawn_at, p.withdrawn_by, p.withdraw_reason, "                       \
    "coalesce(uc.display_name, ''), coalesce(ur.display_name, ''), "                          \
    "coalesce(uw.display_name, ''), p.created_by, p.updated_by, p.version, p.created_at, "     \
    "p.updated_at"
#define PUB_FROM                                                                              \
    " FROM publications p JOIN org_units o ON o.id = p.unit_id "                              \
    "LEFT JOIN org_units t ON t.id = o.parent_id "                                            \
    "LEFT JOIN users uc ON uc.id = p.created_by LEFT JOIN users ur ON ur.id = p.released_by "  \
    "LEFT JOIN users uw ON uw.id = p.withdrawn_by "

static enum bm_rc
read_pub(const PGresult *r, int row, struct bm_arena *a, struct bm_publication *p,
         struct bm_err *err)
{
    enum bm_org_kind kind = BM_ORG_TOWNSHIP;
    enum bm_pub_stored stored = BM_PUB_S_DRAFT;

    memset(p, 0, sizeof(*p));
    p->id = pq_int(r, row, 0);
    p->unit_id = pq_int(r, row, 1);
    p->county_code = pq_text(a, r, row, 2);
    p->unit_name = pq_text(a, r, row, 3);
    p->unit_path = pq_text(a, r, row, 4);
    (void)bm_org_kind_parse(PQgetvalue(r, row, 5), &kind); /* the schema admits known kinds */
    p->unit_kind = (int)kind;
    p->township_id = pq_int(r, row, 6);
    p->township_name = pq_text(a, r, row, 7);
    p->category = pq_text(a, r, row, 8);
    p->title = pq_text(a, r, row, 9);
    p->body = pq_text(a, r, row, 10);
    (void)bm_pub_stored_parse(PQgetvalue(r, row, 11), &stored);
    p->status = (int)stored;
    p->publish_at = pq_int(r, row, 12);
    p->withdraw_at = pq_int(r, row, 13);
    p->released_at = pq_int(r, row, 14);
    p->released_by = pq_int(r, row, 15);
    p->withdrawn_at = pq_int(r, row, 16);
    p->withdrawn_by = pq_int(r, row, 17);
    p->withdraw_reason = pq_text(a, r, row, 18);
    p->created_by_name = pq_text(a, r, row, 19);
    p->released_by_name = pq_text(a, r, row, 20);
    p->withdrawn_by_name = pq_text(a, r, row, 21);
    p->created_by = pq_int(r, row, 22);
    p->updated_by = pq_int(r, row, 23);
    p->version = pq_int(r, row, 24);
    p->created_at = pq_int(r, row, 25);
    p->updated_at = pq_int(r, row, 26);
    if (!p->county_code || !p->unit_name || !p->unit_path || !p->township_name || !p->category ||
        !p->title || !p->body || !p->withdraw_reason || !p->created_by_name ||
        !p->released_by_name || !p->withdrawn_by_name)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    return BM_OK;
}

static const char SQL_PUB_INSERT[] =
    "INSERT INTO publications (county_code, unit_id, category, title, body, status, publish_at, "
    "withdraw_at, created_by, updated_by, version, created_at, updated_at) VALUES ("
    "(SELECT county_code FROM org_units WHERE id = $1::bigint), $1::bigint, $2, $3, $4, $5, "
    "$6::bigint, $7::bigint, $8::bigint, $8::bigint, 1, $9::bigint, $9::bigint) RETURNING id";

enum bm_rc
pg_pub_insert(struct bm_store *st, const struct bm_publication *p, int64_t *id,
              struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;

    BM_ASSERT(st->in_tx);
    pq_i64(&a, p->unit_id);
    pq_str(&a, p->category);
    pq_str(&a, p->title);
    pq_str(&a, p->body);
    pq_str(&a, bm_pub_stored_code((enum bm_pub_stored)p->status));
    pq_i64(&a, p->publish_at);
    pq_i64(&a, p->withdraw_at);
    pq_i64(&a, p->created_by);
    pq_i64(&a, p->created_at);
    if ((r = pq_run(st, SQL_PUB_INSERT, &a, "publication insert", err)) == NULL)
        return err->rc;
    *id = pq_int(r, 0, 0);
    PQclear(r);
    return BM_OK;
}

static const char SQL_PUB_GET[] = "SELECT " PUB_COLS PUB_FROM "WHERE p.id = $1::bigint";

enum bm_rc
pg_pub_get(struct bm_store *st, int64_t id, struct bm_arena *ar, struct bm_publication *out,
           struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc;

    pq_i64(&a, id);
    if ((r = pq_run(st, SQL_PUB_GET, &a, "publication get", err)) == NULL)
        return err->rc;
    if (PQntuples(r) != 1)
        rc = bm_err_set(err, BM_ENOTFOUND, "公开信息不存在");
    else
        rc = read_pub(r, 0, ar, out, err);
    PQclear(r);
    return rc;
}

static const char SQL_PUB_UPDATE[] =
    "UPDATE publications SET category = $3, title = $4, body = $5, status = $6, "
    "publish_at = $7::bigint, withdraw_at = $8::bigint, released_at = $9::bigint, "
    "released_by = $10::bigint, withdrawn_at = $11::bigint, withdrawn_by = $12::bigint, "
    "withdraw_reason = $13, updated_by = $14::bigint, updated_at = $15::bigint, "
    "version = version + 1 WHERE id = $1::bigint AND version = $2::bigint";
static const char SQL_PUB_EXISTS[] = "SELECT count(*) FROM publications WHERE id = $1::bigint";

enum bm_rc
pg_pub_update(struct bm_store *st, const struct bm_publication *p, struct bm_err *err)
{
    struct pq_args a = {0}, b = {0};
    int64_t changed = 0, n = 0;
    PGresult *r;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    pq_i64(&a, p->id);
    pq_i64(&a, p->version);
    pq_str(&a, p->category);
    pq_str(&a, p->title);
    pq_str(&a, p->body);
    pq_str(&a, bm_pub_stored_code((enum bm_pub_stored)p->status));
    pq_i64(&a, p->publish_at);
    pq_i64(&a, p->withdraw_at);
    pq_i64(&a, p->released_at);
    pq_i64(&a, p->released_by);
    pq_i64(&a, p->withdrawn_at);
    pq_i64(&a, p->withdrawn_by);
    pq_str(&a, p->withdraw_reason);
    pq_i64(&a, p->updated_by);
    pq_i64(&a, p->updated_at);
    rc = pq_exec(st, SQL_PUB_UPDATE, &a, "publication update", &changed, err);
    if (rc != BM_OK || changed > 0)
        return rc;
    pq_i64(&b, p->id);
    if ((r = pq_run(st, SQL_PUB_EXISTS, &b, "publication exists", err)) == NULL)
        return err->rc;
    n = pq_int(r, 0, 0);
    PQclear(r);
    return n == 0 ? bm_err_set(err, BM_ENOTFOUND, "公开信息不存在")
                  : bm_err_set(err, BM_ESTALE, "该公开信息已被他人修改，请刷新后重试");
}

static const char SQL_PUBS_LIST[] =
    "SELECT " PUB_COLS PUB_FROM
    "WHERE o.path LIKE $1 AND ($2::bigint = 0 OR p.unit_id = $2::bigint) "
    "AND ($3 = '' OR p.category = $3) AND ($4::bigint = 0 OR p.id < $4::bigint) "
    "AND ($5::bigint = 0 OR (p.status = 'released' AND p.publish_at <= $6::bigint "
    "AND (p.withdraw_at = 0 OR p.withdraw_at > $6::bigint))) "
    "ORDER BY p.id DESC LIMIT $7::bigint";

enum bm_rc
pg_pubs_list(struct bm_store *st, const struct bm_pub_query *q, struct bm_arena *ar,
             struct bm_publication **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    struct bm_publication *ps;
    PGresult *r;
    enum bm_rc rc = BM_OK;
    const char *pat = pq_prefix(ar, q->path_prefix ? q->path_prefix : "");
    int64_t cap = (int64_t)(q->limit > 0 ? q->limit : 0) + 1;
    size_t k = 0;
    int rows;

    if (pat == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    pq_str(&a, pat);
    pq_i64(&a, q->unit_id);
    pq_str(&a, q->category);
    pq_i64(&a, q->before_id);
    pq_i64(&a, q->visible_only ? 1 : 0);
    pq_i64(&a, q->now);
    pq_i64(&a, cap);
    if ((r = pq_run(st, SQL_PUBS_LIST, &a, "publications list", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    ps = bm_arena_alloc(ar, sizeof(*ps) * (size_t)(rows + 1));
    if (ps == NULL)
        rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    for (int i = 0; rc == BM_OK && i < rows; i++)
        if ((rc = read_pub(r, i, ar, &ps[k], err)) == BM_OK)
            k++;
    PQclear(r);
    if (rc == BM_OK) {
        *out = ps;
        *n = k;
    }
    return rc;
}

/* ---- files ---- */

#define FILE_COLS                                                                           \
    "f.id, f.publication_id, f.sha256, f.content_type, f.filename, f.size, f.uploaded_by, "  \
    "f.created_at"

static enum bm_rc
read_file(const PGresult *r, int row, struct bm_arena *a, struct bm_pub_file *f,
          struct bm_err *err)
{
    memset(f, 0, sizeof(*f));
    f->id = pq_int(r, row, 0);
    f->publication_id = pq_int(r, row, 1);
    pq_blob(r, row, 2, f->sha256, sizeof(f->sha256));
    f->content_type = pq_text(a, r, row, 3);
    f->filename = pq_text(a, r, row, 4);
    f->size = pq_int(r, row, 5);
    f->uploaded_by = pq_int(r, row, 6);
    f->created_at = pq_int(r, row, 7);
    return f->content_type && f->filename ? BM_OK : bm_err_set(err, BM_ETOOBIG, "结果过大");
}

static const char SQL_PUB_BLOB_INSERT[] =
    "INSERT INTO blobs (sha256, size, content, created_at, county_code) VALUES ($1, $2::bigint, "
    "$3, $4::bigint, (SELECT county_code FROM publications WHERE id = $5::bigint)) "
    "ON CONFLICT (sha256) DO NOTHING";
static const char SQL_PUB_FILE_INSERT[] =
    "INSERT INTO publication_files (publication_id, sha256, content_type, size, filename, "
    "uploaded_by, created_at, county_code) VALUES ($1::bigint, $2, $3, $4::bigint, $5, "
    "$6::bigint, $7::bigint, (SELECT county_code FROM publications WHERE id = $1::bigint)) "
    "RETURNING id";

enum bm_rc
pg_pub_file_insert(struct bm_store *st, const struct bm_pub_file *f, const void *content,
                   int64_t *id, struct bm_err *err)
{
    struct pq_args b = {0}, a = {0};
    PGresult *r;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if (f->size < 0 || f->size > INT_MAX) /* a libpq parameter's length is an int */
        return bm_err_set(err, BM_ETOOBIG, "附件过大");
    pq_bytes(&b, f->sha256, (int)sizeof(f->sha256));
    pq_i64(&b, f->size);
    pq_bytes(&b, content != NULL ? content : (const void *)"", (int)f->size);
    pq_i64(&b, f->created_at);
    pq_i64(&b, f->publication_id);
    if ((rc = pq_exec(st, SQL_PUB_BLOB_INSERT, &b, "publication blob insert", NULL, err)) != BM_OK)
        return rc;
    pq_i64(&a, f->publication_id);
    pq_bytes(&a, f->sha256, (int)sizeof(f->sha256));
    pq_str(&a, f->content_type);
    pq_i64(&a, f->size);
    pq_str(&a, f->filename);
    pq_i64(&a, f->uploaded_by);
    pq_i64(&a, f->created_at);
    if ((r = pq_run(st, SQL_PUB_FILE_INSERT, &a, "publication file insert", err)) == NULL)
        return err->rc;
    *id = pq_int(r, 0, 0);
    PQclear(r);
    return BM_OK;
}

static const char SQL_PUB_FILES[] =
    "SELECT " FILE_COLS " FROM publication_files f WHERE f.publication_id = $1::bigint "
    "ORDER BY f.id LIMIT 200";

enum bm_rc
pg_pub_files(struct bm_store *st, int64_t publication_id, struct bm_arena *ar,
             struct bm_pub_file **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    struct bm_pub_file *fs;
    PGresult *r;
    enum bm_rc rc = BM_OK;
    size_t k = 0;
    int rows;

    pq_i64(&a, publication_id);
    if ((r = pq_run(st, SQL_PUB_FILES, &a, "publication files", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    fs = bm_arena_alloc(ar, sizeof(*fs) * (size_t)(rows + 1));
    if (fs == NULL)
        rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    for (int i = 0; rc == BM_OK && i < rows; i++)
        if ((rc = read_file(r, i, ar, &fs[k], err)) == BM_OK)
            k++;
    PQclear(r);
    if (rc == BM_OK) {
        *out = fs;
        *n = k;
    }
    return rc;
}

static const char SQL_PUB_FILE_GET[] =
    "SELECT " FILE_COLS ", b.content FROM publication_files f JOIN blobs b ON b.sha256 = f.sha256 "
    "WHERE f.publication_id = $1::bigint AND f.id = $2::bigint";

enum bm_rc
pg_pub_file_get(struct bm_store *st, int64_t publication_id, int64_t id, struct bm_arena *ar,
                struct bm_pub_file *out, void **content, struct bm_err *err)
{
    struct pq_args a = {0};
    struct bm_pub_file f;
    unsigned char *body = NULL;
    size_t len = 0;
    PGresult *r;
    enum bm_rc rc;

    pq_i64(&a, publication_id);
    pq_i64(&a, id);
    if ((r = pq_run(st, SQL_PUB_FILE_GET, &a, "publication file get", err)) == NULL)
        return err->rc;
    if (PQntuples(r) != 1) {
        rc = bm_err_set(err, BM_ENOTFOUND, "附件不存在");
    } else if ((rc = read_file(r, 0, ar, &f, err)) == BM_OK &&
               (body = pq_content_dup(r, 0, 8, &len)) == NULL) {
        bm_log(BM_LOG_ERROR, "store_error", "publication file %" PRId64 ": unreadable", id);
        rc = bm_err_set(err, BM_EINTERNAL, "数据存储出错");
    }
    PQclear(r);
    if (rc != BM_OK)
        return rc;
    f.size = (int64_t)len;
    *out = f;
    *content = body;
    return BM_OK;
}

/* ---- history ---- */

static const char SQL_PUB_EVENT_INSERT[] =
    "INSERT INTO publication_events (publication_id, at, actor_id, actor_name, action, detail, "
    "county_code) VALUES ($1::bigint, $2::bigint, $3::bigint, $4, $5, $6, "
    "(SELECT county_code FROM publications WHERE id = $1::bigint))";

enum bm_rc
pg_pub_event_insert(struct bm_store *st, const struct bm_pub_event *e, struct bm_err *err)
{
    struct pq_args a = {0};

    BM_ASSERT(st->in_tx);
    pq_i64(&a, e->publication_id);
    pq_i64(&a, e->at);
    pq_i64(&a, e->actor_id);
    pq_str(&a, e->actor_name);
    pq_str(&a, e->action);
    pq_str(&a, e->detail);
    return pq_exec(st, SQL_PUB_EVENT_INSERT, &a, "publication event insert", NULL, err);
}

static const char SQL_PUB_EVENTS[] =
    "SELECT id, publication_id, at, actor_id, actor_name, action, detail FROM publication_events "
    "WHERE publication_id = $1::bigint ORDER BY id LIMIT 500";

enum bm_rc
pg_pub_events(struct bm_store *st, int64_t publication_id, struct bm_arena *ar,
              struct bm_pub_event **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    struct bm_pub_event *es;
    PGresult *r;
    enum bm_rc rc = BM_OK;
    size_t k = 0;
    int rows;

    pq_i64(&a, publication_id);
    if ((r = pq_run(st, SQL_PUB_EVENTS, &a, "publication events", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    es = bm_arena_alloc(ar, sizeof(*es) * (size_t)(rows + 1));
    if (es == NULL)
        rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    for (int i = 0; rc == BM_OK && i < rows; i++) {
        struct bm_pub_event *e = &es[k++];
        e->id = pq_int(r, i, 0);
        e->publication_id = pq_int(r, i, 1);
        e->at = pq_int(r, i, 2);
        e->actor_id = pq_int(r, i, 3);
        e->actor_name = pq_text(ar, r, i, 4);
        e->action = pq_text(ar, r, i, 5);
        e->detail = pq_text(ar, r, i, 6);
        if (!e->actor_name || !e->action || !e->detail)
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    }
    PQclear(r);
    if (rc == BM_OK) {
        *out = es;
        *n = k;
    }
    return rc;
}
