/*
 * SQLite: organisation units.
 */
#include <string.h>

#include "store/sqlite/int.h"

#define ORG_COLS                                                                           \
    "id, coalesce(parent_id, 0), kind, name, division_code, credit_code, management_mode, " \
    "path, is_active, version, created_at, updated_at"

static enum bm_rc
read_org(sqlite3_stmt *s, struct bm_arena *a, struct bm_org_unit *o, struct bm_err *err)
{
    memset(o, 0, sizeof(*o));
    o->id = sqlite3_column_int64(s, 0);
    o->parent_id = sqlite3_column_int64(s, 1);
    if (!bm_org_kind_parse((const char *)sqlite3_column_text(s, 2), &o->kind) ||
        !bm_mgmt_mode_parse((const char *)sqlite3_column_text(s, 6), &o->mgmt_mode))
        return bm_err_set(err, BM_EINTERNAL, "数据存储出错");
    o->name = sq_text(a, s, 3);
    o->division_code = sq_text(a, s, 4);
    o->credit_code = sq_text(a, s, 5);
    o->path = sq_text(a, s, 7);
    o->is_active = sqlite3_column_int(s, 8) != 0;
    o->version = sqlite3_column_int64(s, 9);
    o->created_at = sqlite3_column_int64(s, 10);
    o->updated_at = sqlite3_column_int64(s, 11);
    if (o->name == NULL || o->division_code == NULL || o->credit_code == NULL || o->path == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    return BM_OK;
}

/* A unique division code is taken: a conflict (409) that names the field. */
static enum bm_rc
dup_code(struct bm_err *err)
{
    (void)bm_err_field(err, "division_code", "该行政区划代码已被其他单位使用");
    return bm_err_set(err, BM_ECONFLICT, "该行政区划代码已被其他单位使用");
}

static const char SQL_ORG_INSERT[] =
    "INSERT INTO org_units (parent_id, kind, name, division_code, credit_code, management_mode, "
    "county_code, is_active, created_at, updated_at) "
    "VALUES (nullif(?1, 0), ?2, ?3, ?4, ?5, ?6, "
    "coalesce((SELECT county_code FROM org_units WHERE id = ?1), ?4), ?7, ?8, ?8)";
/* A unit's path is its parent's path plus its own id: subtree checks become prefix tests. */
static const char SQL_ORG_SET_PATH[] =
    "UPDATE org_units SET path = coalesce((SELECT path FROM org_units WHERE id = ?2), '/') "
    "|| ?1 || '/' WHERE id = ?1";

enum bm_rc
sqlite_org_insert(struct bm_store *st, const struct bm_org_unit *u, int64_t now, int64_t *id,
                    struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int64_t new_id;

    rc = sq_prepare(st, SQL_ORG_INSERT, &s, err);
    if (rc != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, u->parent_id);
    sq_bind_text(s, 2, bm_org_kind_code(u->kind));
    sq_bind_text(s, 3, u->name);
    sq_bind_text(s, 4, u->division_code);
    sq_bind_text(s, 5, u->credit_code);
    sq_bind_text(s, 6, bm_mgmt_mode_code(u->mgmt_mode));
    sqlite3_bind_int(s, 7, u->is_active);
    sqlite3_bind_int64(s, 8, now);
    rc = sq_exec(st, s, "org insert", err);
    if (rc == BM_ECONFLICT)
        return dup_code(err);
    if (rc != BM_OK)
        return rc;
    new_id = sqlite3_last_insert_rowid(sq_db(st));
    rc = sq_prepare(st, SQL_ORG_SET_PATH, &s, err);
    if (rc != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, new_id);
    sqlite3_bind_int64(s, 2, u->parent_id);
    rc = sq_exec(st, s, "org path", err);
    if (rc == BM_OK)
        *id = new_id;
    return rc;
}

static const char SQL_ORG_GET[] = "SELECT " ORG_COLS " FROM org_units WHERE id = ?1";

enum bm_rc
sqlite_org_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_org_unit *out,
                 struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src = SQLITE_DONE;

    rc = sq_prepare(st, SQL_ORG_GET, &s, err);
    if (rc != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW)
        rc = read_org(s, a, out, err);
    else if (src == SQLITE_DONE)
        rc = bm_err_set(err, BM_ENOTFOUND, "单位不存在");
    else
        rc = sq_fail(st, src, "org get", err);
    sq_done(s);
    return rc;
}

static const char SQL_ORG_LIST[] =
    "SELECT " ORG_COLS " FROM org_units WHERE path LIKE ?1 ESCAPE '\\' ORDER BY id";
static const char SQL_ORG_COUNT_PREFIX[] =
    "SELECT count(*) FROM org_units WHERE path LIKE ?1 ESCAPE '\\'";

enum bm_rc
sqlite_org_list(struct bm_store *st, const char *prefix, struct bm_arena *a,
                  struct bm_org_unit **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int64_t count = 0;
    size_t i = 0;
    int src = SQLITE_DONE;

    rc = sq_prepare(st, SQL_ORG_COUNT_PREFIX, &s, err);
    if (rc != BM_OK)
        return rc;
    sq_bind_prefix(s, 1, prefix, a);
    if (sqlite3_step(s) == SQLITE_ROW)
        count = sqlite3_column_int64(s, 0);
    sq_done(s);
    *out = bm_arena_alloc(a, sizeof(**out) * (size_t)(count + 1));
    if (*out == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    rc = sq_prepare(st, SQL_ORG_LIST, &s, err);
    if (rc != BM_OK)
        return rc;
    sq_bind_prefix(s, 1, prefix, a);
    while ((src = sqlite3_step(s)) == SQLITE_ROW && (int64_t)i < count && rc == BM_OK)
        rc = read_org(s, a, &(*out)[i++], err);
    if (rc == BM_OK && src != SQLITE_DONE && src != SQLITE_ROW)
        rc = sq_fail(st, src, "org list", err);
    sq_done(s);
    *n = i;
    return rc;
}

/* The new parent may not lie inside the unit's own subtree (that would make a cycle). */
static const char SQL_ORG_CYCLE[] =
    "SELECT count(*) FROM org_units p JOIN org_units u ON u.id = ?1 "
    "WHERE p.id = ?2 AND substr(p.path, 1, length(u.path)) = u.path";
static const char SQL_ORG_UPDATE[] =
    "UPDATE org_units SET name = ?2, division_code = ?3, credit_code = ?4, management_mode = ?5, "
    "is_active = ?6, parent_id = nullif(?7, 0), version = version + 1, updated_at = ?8 "
    "WHERE id = ?1 AND version = ?9";
/* The path the unit has, and the one its (possibly new) parent implies, read inside the
 * transaction so that a concurrent move of an ancestor cannot leave a stale path. */
static const char SQL_ORG_PATHS[] =
    "SELECT u.path, coalesce(p.path, '/') || u.id || '/' FROM org_units u "
    "LEFT JOIN org_units p ON p.id = u.parent_id WHERE u.id = ?1";
/* Moving a unit rewrites the path of every unit in its subtree in one statement. */
static const char SQL_ORG_MOVE[] =
    "UPDATE org_units SET path = ?1 || substr(path, length(?2) + 1) "
    "WHERE path LIKE ?3 ESCAPE '\\'";

static enum bm_rc
check_cycle(struct bm_store *st, const struct bm_org_unit *u, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    if (u->parent_id == 0)
        return BM_OK;
    rc = sq_prepare(st, SQL_ORG_CYCLE, &s, err);
    if (rc != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, u->id);
    sqlite3_bind_int64(s, 2, u->parent_id);
    if (sqlite3_step(s) != SQLITE_ROW)
        rc = sq_fail(st, sqlite3_errcode(sq_db(st)), "org cycle", err);
    else if (sqlite3_column_int64(s, 0) > 0)
        rc = bm_err_field(err, "parent_id", "不能把单位移到它自己或它的下级单位之下");
    sq_done(s);
    return rc;
}

static enum bm_rc
repath(struct bm_store *st, int64_t id, struct bm_err *err)
{
    struct bm_arena *a = bm_arena_new(4096);
    const char *old_path = NULL, *new_path = NULL;
    sqlite3_stmt *s;
    enum bm_rc rc;

    rc = sq_prepare(st, SQL_ORG_PATHS, &s, err);
    if (rc != BM_OK)
        goto out;
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) == SQLITE_ROW) {
        old_path = sq_text(a, s, 0);
        new_path = sq_text(a, s, 1);
    } else {
        rc = sq_fail(st, sqlite3_errcode(sq_db(st)), "org paths", err);
    }
    sq_done(s);
    if (rc != BM_OK || strcmp(old_path, new_path) == 0)
        goto out;
    rc = sq_prepare(st, SQL_ORG_MOVE, &s, err);
    if (rc != BM_OK)
        goto out;
    sq_bind_text(s, 1, new_path);
    sq_bind_text(s, 2, old_path);
    sq_bind_prefix(s, 3, old_path, a);
    rc = sq_exec(st, s, "org move", err);
out:
    bm_arena_free(a);
    return rc;
}

enum bm_rc
sqlite_org_update(struct bm_store *st, const struct bm_org_unit *u, int64_t now,
                    struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    rc = check_cycle(st, u, err);
    if (rc == BM_OK)
        rc = sq_prepare(st, SQL_ORG_UPDATE, &s, err);
    if (rc != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, u->id);
    sq_bind_text(s, 2, u->name);
    sq_bind_text(s, 3, u->division_code);
    sq_bind_text(s, 4, u->credit_code);
    sq_bind_text(s, 5, bm_mgmt_mode_code(u->mgmt_mode));
    sqlite3_bind_int(s, 6, u->is_active);
    sqlite3_bind_int64(s, 7, u->parent_id);
    sqlite3_bind_int64(s, 8, now);
    sqlite3_bind_int64(s, 9, u->version);
    rc = sq_exec(st, s, "org update", err);
    if (rc == BM_ECONFLICT)
        return dup_code(err);
    if (rc != BM_OK)
        return rc;
    if (sqlite3_changes(sq_db(st)) == 0)
        return bm_err_set(err, BM_ESTALE, "该单位已被他人修改，请刷新后重试");
    return repath(st, u->id, err);
}

static const char SQL_ORG_COUNT[] = "SELECT count(*) FROM org_units";

enum bm_rc
sqlite_org_count(struct bm_store *st, int64_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_ORG_COUNT, &s, err);
    if (rc != BM_OK)
        return rc;
    if (sqlite3_step(s) == SQLITE_ROW)
        *n = sqlite3_column_int64(s, 0);
    else
        rc = sq_fail(st, sqlite3_errcode(sq_db(st)), "org count", err);
    sq_done(s);
    return rc;
}
