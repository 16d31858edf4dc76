/*
 * SQLite: disclosure publications (政务公开 / 村务公开), their files (bytes in the shared
 * content-addressed blobs) and their history. Mirrors pg/disclosure.c.
 */
#include <string.h>

#include "core/disclosure.h"
#include "store/sqlite/int.h"

/* The columns read_pub expects, from publications p joined with its unit o, the unit's
 * parent t and the users who created, released and withdrew it. */
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
read_pub(sqlite3_stmt *s, struct bm_arena *a, struct bm_publication *p, struct bm_err *err)
{
    enum bm_org_kind kind = BM_ORG_TOWNSHIP;
    enum bm_pub_stored stored = BM_PUB_S_DRAFT;
    const char *k;

    memset(p, 0, sizeof(*p));
    p->id = sqlite3_column_int64(s, 0);
    p->unit_id = sqlite3_column_int64(s, 1);
    p->county_code = sq_text(a, s, 2);
    p->unit_name = sq_text(a, s, 3);
    p->unit_path = sq_text(a, s, 4);
    k = (const char *)sqlite3_column_text(s, 5);
    (void)bm_org_kind_parse(k, &kind); /* the schema admits only known kinds */
    p->unit_kind = (int)kind;
    p->township_id = sqlite3_column_int64(s, 6);
    p->township_name = sq_text(a, s, 7);
    p->category = sq_text(a, s, 8);
    p->title = sq_text(a, s, 9);
    p->body = sq_text(a, s, 10);
    (void)bm_pub_stored_parse((const char *)sqlite3_column_text(s, 11), &stored);
    p->status = (int)stored;
    p->publish_at = sqlite3_column_int64(s, 12);
    p->withdraw_at = sqlite3_column_int64(s, 13);
    p->released_at = sqlite3_column_int64(s, 14);
    p->released_by = sqlite3_column_int64(s, 15);
    p->withdrawn_at = sqlite3_column_int64(s, 16);
    p->withdrawn_by = sqlite3_column_int64(s, 17);
    p->withdraw_reason = sq_text(a, s, 18);
    p->created_by_name = sq_text(a, s, 19);
    p->released_by_name = sq_text(a, s, 20);
    p->withdrawn_by_name = sq_text(a, s, 21);
    p->created_by = sqlite3_column_int64(s, 22);
    p->updated_by = sqlite3_column_int64(s, 23);
    p->version = sqlite3_column_int64(s, 24);
    p->created_at = sqlite3_column_int64(s, 25);
    p->updated_at = sqlite3_column_int64(s, 26);
    if (!p->county_code || !p->unit_name || !p->unit_path || !p->township_name || !p->category ||
        !p->title || !p->body || !p->withdraw_reason || !p->created_by_name ||
        !p->released_by_name || !p->withdrawn_by_name)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    return BM_OK;
}

static const char SQL_PUB_INSERT[] =
    "INSERT INTO publications (county_code, unit_id, category, title, body, status, publish_at, "
    "withdraw_at, created_by, updated_by, version, created_at, updated_at) VALUES ("
    "(SELECT county_code FROM org_units WHERE id = ?1), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, 1, "
    "?9, ?9)";

enum bm_rc
sqlite_pub_insert(struct bm_store *st, const struct bm_publication *p, int64_t *id,
                  struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_PUB_INSERT, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, p->unit_id);
    sq_bind_text(s, 2, p->category);
    sq_bind_text(s, 3, p->title);
    sq_bind_text(s, 4, p->body);
    sq_bind_text(s, 5, bm_pub_stored_code((enum bm_pub_stored)p->status));
    sqlite3_bind_int64(s, 6, p->publish_at);
    sqlite3_bind_int64(s, 7, p->withdraw_at);
    sqlite3_bind_int64(s, 8, p->created_by);
    sqlite3_bind_int64(s, 9, p->created_at);
    if ((rc = sq_exec(st, s, "publication insert", err)) == BM_OK)
        *id = sqlite3_last_insert_rowid(sq_db(st));
    return rc;
}

static const char SQL_PUB_GET[] = "SELECT " PUB_COLS PUB_FROM "WHERE p.id = ?1";

enum bm_rc
sqlite_pub_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_publication *out,
               struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src;

    if ((rc = sq_prepare(st, SQL_PUB_GET, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW)
        rc = read_pub(s, a, out, err);
    else if (src == SQLITE_DONE)
        rc = bm_err_set(err, BM_ENOTFOUND, "公开信息不存在");
    else
        rc = sq_fail(st, src, "publication get", err);
    sq_done(s);
    return rc;
}

static const char SQL_PUB_UPDATE[] =
    "UPDATE publications SET category = ?3, title = ?4, body = ?5, status = ?6, publish_at = ?7, "
    "withdraw_at = ?8, released_at = ?9, released_by = ?10, withdrawn_at = ?11, "
    "withdrawn_by = ?12, withdraw_reason = ?13, updated_by = ?14, updated_at = ?15, "
    "version = version + 1 WHERE id = ?1 AND version = ?2";
static const char SQL_PUB_EXISTS[] = "SELECT count(*) FROM publications WHERE id = ?1";

enum bm_rc
sqlite_pub_update(struct bm_store *st, const struct bm_publication *p, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int64_t n = 0;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_PUB_UPDATE, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, p->id);
    sqlite3_bind_int64(s, 2, p->version);
    sq_bind_text(s, 3, p->category);
    sq_bind_text(s, 4, p->title);
    sq_bind_text(s, 5, p->body);
    sq_bind_text(s, 6, bm_pub_stored_code((enum bm_pub_stored)p->status));
    sqlite3_bind_int64(s, 7, p->publish_at);
    sqlite3_bind_int64(s, 8, p->withdraw_at);
    sqlite3_bind_int64(s, 9, p->released_at);
    sqlite3_bind_int64(s, 10, p->released_by);
    sqlite3_bind_int64(s, 11, p->withdrawn_at);
    sqlite3_bind_int64(s, 12, p->withdrawn_by);
    sq_bind_text(s, 13, p->withdraw_reason);
    sqlite3_bind_int64(s, 14, p->updated_by);
    sqlite3_bind_int64(s, 15, p->updated_at);
    if ((rc = sq_exec(st, s, "publication update", err)) != BM_OK)
        return rc;
    if (sqlite3_changes(sq_db(st)) > 0)
        return BM_OK;
    if ((rc = sq_prepare(st, SQL_PUB_EXISTS, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, p->id);
    if (sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int64(s, 0);
    sq_done(s);
    return n == 0 ? bm_err_set(err, BM_ENOTFOUND, "公开信息不存在")
                  : bm_err_set(err, BM_ESTALE, "该公开信息已被他人修改，请刷新后重试");
}

/* Optional filters are written so one static statement serves every combination. */
static const char SQL_PUBS_LIST[] =
    "SELECT " PUB_COLS PUB_FROM
    "WHERE o.path LIKE ?1 ESCAPE '\\' AND (?2 = 0 OR p.unit_id = ?2) "
    "AND (?3 = '' OR p.category = ?3) AND (?4 = 0 OR p.id < ?4) "
    "AND (?5 = 0 OR (p.status = 'released' AND p.publish_at <= ?6 "
    "AND (p.withdraw_at = 0 OR p.withdraw_at > ?6))) "
    "ORDER BY p.id DESC LIMIT ?7";

enum bm_rc
sqlite_pubs_list(struct bm_store *st, const struct bm_pub_query *q, struct bm_arena *a,
                 struct bm_publication **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src = SQLITE_DONE;
    size_t cap = (size_t)(q->limit > 0 ? q->limit : 0) + 1;

    *n = 0;
    if ((*out = bm_arena_alloc(a, sizeof(**out) * cap)) == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    if ((rc = sq_prepare(st, SQL_PUBS_LIST, &s, err)) != BM_OK)
        return rc;
    sq_bind_prefix(s, 1, q->path_prefix ? q->path_prefix : "", a);
    sqlite3_bind_int64(s, 2, q->unit_id);
    sq_bind_text(s, 3, q->category);
    sqlite3_bind_int64(s, 4, q->before_id);
    sqlite3_bind_int(s, 5, q->visible_only ? 1 : 0);
    sqlite3_bind_int64(s, 6, q->now);
    sqlite3_bind_int64(s, 7, (int64_t)cap);
    while (rc == BM_OK && *n < cap && (src = sqlite3_step(s)) == SQLITE_ROW)
        if ((rc = read_pub(s, a, &(*out)[*n], err)) == BM_OK)
            (*n)++;
    if (rc == BM_OK && src != SQLITE_DONE && src != SQLITE_ROW)
        rc = sq_fail(st, src, "publications list", err);
    sq_done(s);
    return rc;
}

/* ---- files ---- */

#define FILE_COLS "id, publication_id, sha256, content_type, filename, size, uploaded_by, created_at"

static enum bm_rc
read_file(sqlite3_stmt *s, struct bm_arena *a, struct bm_pub_file *f, struct bm_err *err)
{
    memset(f, 0, sizeof(*f));
    f->id = sqlite3_column_int64(s, 0);
    f->publication_id = sqlite3_column_int64(s, 1);
    if (sqlite3_column_bytes(s, 2) == (int)sizeof(f->sha256))
        memcpy(f->sha256, sqlite3_column_blob(s, 2), sizeof(f->sha256));
    f->content_type = sq_text(a, s, 3);
    f->filename = sq_text(a, s, 4);
    f->size = sqlite3_column_int64(s, 5);
    f->uploaded_by = sqlite3_column_int64(s, 6);
    f->created_at = sqlite3_column_int64(s, 7);
    return f->content_type && f->filename ? BM_OK : bm_err_set(err, BM_ETOOBIG, "结果过大");
}

/* The same content uploaded for a case or another publication is stored once. */
static const char SQL_PUB_BLOB_INSERT[] =
    "INSERT INTO blobs (sha256, size, content, created_at, county_code) VALUES (?1, ?2, ?3, ?4, "
    "(SELECT county_code FROM publications WHERE id = ?5)) ON CONFLICT (sha256) DO NOTHING";
static const char SQL_PUB_FILE_INSERT[] =
    "INSERT INTO publication_files (publication_id, sha256, content_type, size, filename, "
    "uploaded_by, created_at, county_code) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
    "(SELECT county_code FROM publications WHERE id = ?1))";

enum bm_rc
sqlite_pub_file_insert(struct bm_store *st, const struct bm_pub_file *f, const void *content,
                       int64_t *id, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_PUB_BLOB_INSERT, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_blob(s, 1, f->sha256, (int)sizeof(f->sha256), SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, f->size);
    sqlite3_bind_blob64(s, 3, content != NULL ? content : "", (sqlite3_uint64)f->size,
                        SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, f->created_at);
    sqlite3_bind_int64(s, 5, f->publication_id);
    if ((rc = sq_exec(st, s, "publication blob insert", err)) != BM_OK)
        return rc;
    if ((rc = sq_prepare(st, SQL_PUB_FILE_INSERT, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, f->publication_id);
    sqlite3_bind_blob(s, 2, f->sha256, (int)sizeof(f->sha256), SQLITE_TRANSIENT);
    sq_bind_text(s, 3, f->content_type);
    sqlite3_bind_int64(s, 4, f->size);
    sq_bind_text(s, 5, f->filename);
    sqlite3_bind_int64(s, 6, f->uploaded_by);
    sqlite3_bind_int64(s, 7, f->created_at);
    if ((rc = sq_exec(st, s, "publication file insert", err)) == BM_OK)
        *id = sqlite3_last_insert_rowid(sq_db(st));
    return rc;
}

static const char SQL_PUB_FILES[] =
    "SELECT " FILE_COLS " FROM publication_files WHERE publication_id = ?1 ORDER BY id LIMIT 200";

enum bm_rc
sqlite_pub_files(struct bm_store *st, int64_t publication_id, struct bm_arena *a,
                 struct bm_pub_file **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src = SQLITE_DONE;
    const size_t cap = 200;

    *n = 0;
    if ((*out = bm_arena_alloc(a, sizeof(**out) * cap)) == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    if ((rc = sq_prepare(st, SQL_PUB_FILES, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, publication_id);
    while (rc == BM_OK && *n < cap && (src = sqlite3_step(s)) == SQLITE_ROW)
        if ((rc = read_file(s, a, &(*out)[*n], err)) == BM_OK)
            (*n)++;
    if (rc == BM_OK && src != SQLITE_DONE && src != SQLITE_ROW)
        rc = sq_fail(st, src, "publication files", err);
    sq_done(s);
    return rc;
}

static const char SQL_PUB_FILE_GET[] =
    "SELECT " FILE_COLS ", (SELECT content FROM blobs b WHERE b.sha256 = publication_files.sha256) "
    "FROM publication_files WHERE publication_id = ?1 AND id = ?2";

enum bm_rc
sqlite_pub_file_get(struct bm_store *st, int64_t publication_id, int64_t id, struct bm_arena *a,
                    struct bm_pub_file *out, void **content, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src;

    if ((rc = sq_prepare(st, SQL_PUB_FILE_GET, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, publication_id);
    sqlite3_bind_int64(s, 2, id);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW) {
        rc = read_file(s, a, out, err);
        if (rc == BM_OK)
            *content = sq_blob_dup(s, 8, &out->size);
    } else if (src == SQLITE_DONE) {
        rc = bm_err_set(err, BM_ENOTFOUND, "附件不存在");
    } else {
        rc = sq_fail(st, src, "publication file get", err);
    }
    sq_done(s);
    return rc;
}

/* ---- history ---- */

static const char SQL_PUB_EVENT_INSERT[] =
    "INSERT INTO publication_events (publication_id, at, actor_id, actor_name, action, detail, "
    "county_code) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
    "(SELECT county_code FROM publications WHERE id = ?1))";

enum bm_rc
sqlite_pub_event_insert(struct bm_store *st, const struct bm_pub_event *e, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_PUB_EVENT_INSERT, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, e->publication_id);
    sqlite3_bind_int64(s, 2, e->at);
    sqlite3_bind_int64(s, 3, e->actor_id);
    sq_bind_text(s, 4, e->actor_name);
    sq_bind_text(s, 5, e->action);
    sq_bind_text(s, 6, e->detail);
    return sq_exec(st, s, "publication event insert", err);
}

static const char SQL_PUB_EVENTS[] =
    "SELECT id, publication_id, at, actor_id, actor_name, action, detail FROM publication_events "
    "WHERE publication_id = ?1 ORDER BY id LIMIT 500";

enum bm_rc
sqlite_pub_events(struct bm_store *st, int64_t publication_id, struct bm_arena *a,
                  struct bm_pub_event **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src = SQLITE_DONE;
    const size_t cap = 500;

    *n = 0;
    if ((*out = bm_arena_alloc(a, sizeof(**out) * cap)) == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    if ((rc = sq_prepare(st, SQL_PUB_EVENTS, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, publication_id);
    while (rc == BM_OK && *n < cap && (src = sqlite3_step(s)) == SQLITE_ROW) {
        struct bm_pub_event *e = &(*out)[(*n)++];
        e->id = sqlite3_column_int64(s, 0);
        e->publication_id = sqlite3_column_int64(s, 1);
        e->at = sqlite3_column_int64(s, 2);
        e->actor_id = sqlite3_column_int64(s, 3);
        e->actor_name = sq_text(a, s, 4);
        e->action = sq_text(a, s, 5);
        e->detail = sq_text(a, s, 6);
        if (!e->actor_name || !e->action || !e->detail)
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    }
    if (rc == BM_OK && src != SQLITE_DONE && src != SQLITE_ROW)
        rc = sq_fail(st, src, "publication events", err);
    sq_done(s);
    return rc;
}
