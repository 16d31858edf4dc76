/*
 * PostgreSQL: organisation units. Mirrors sqlite/org.c statement for statement.
 */
#include <string.h>

#include "store/pg/int.h"

#define ORG_COLS                                                                           \
    "id, coalesce(parent_id, 0), kind, name, division_code, credit_code, management_mode, " \
    "path, is_active, version, created_at, updated_at"

static enum bm_rc
read_org(const PGresult *r, int row, struct bm_arena *a, struct bm_org_unit *o, struct bm_err *err)
{
    memset(o, 0, sizeof(*o));
    o->id = pq_int(r, row, 0);
    o->parent_id = pq_int(r, row, 1);
    if (!bm_org_kind_parse(PQgetvalue(r, row, 2), &o->kind) ||
        !bm_mgmt_mode_parse(PQgetvalue(r, row, 6), &o->mgmt_mode))
        return bm_err_set(err, BM_EINTERNAL, "数据存储出错");
    o->name = pq_text(a, r, row, 3);
    o->division_code = pq_text(a, r, row, 4);
    o->credit_code = pq_text(a, r, row, 5);
    o->path = pq_text(a, r, row, 7);
    o->is_active = pq_int(r, row, 8) != 0;
    o->version = pq_int(r, row, 9);
    o->created_at = pq_int(r, row, 10);
    o->updated_at = pq_int(r, row, 11);
    if (o->name == NULL || o->division_code == NULL || o->credit_code == NULL || o->path == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    return BM_OK;
}

static enum bm_rc
dup_code(struct bm_err *err)
{
    (void)bm_err_field(err, "division_code", "该行政区划代码已被其他单位使用");
    return bm_err_set(err, BM_ECONFLICT, "该行政区划代码已被其他单位使用");
}

static const char SQL_ORG_INSERT[] =
    "INSERT INTO org_units (parent_id, kind, name, division_code, credit_code, management_mode, "
    "county_code, is_active, created_at, updated_at) "
    "VALUES (nullif($1::bigint, 0), $2, $3, $4, $5, $6, "
    "coalesce((SELECT county_code FROM org_units WHERE id = $1::bigint), $4), $7::bigint, "
    "$8::bigint, $8::bigint) RETURNING id";
/* The parent is share-locked first: a concurrent move of the parent (or an ancestor), which
 * rewrites its path, then either finishes before we read the path or waits for us. */
static const char SQL_ORG_LOCK_PARENT[] =
    "SELECT path FROM org_units WHERE id = $1::bigint FOR SHARE";
static const char SQL_ORG_SET_PATH[] =
    "UPDATE org_units SET path = coalesce((SELECT path FROM org_units WHERE id = $2::bigint), '/') "
    "|| $1::bigint || '/' WHERE id = $1::bigint";

enum bm_rc
pg_org_insert(struct bm_store *st, const struct bm_org_unit *u, int64_t now, int64_t *id,
              struct bm_err *err)
{
    struct pq_args a = {0}, b = {0};
    PGresult *r;
    int64_t new_id;
    enum bm_rc rc;

    if (u->parent_id != 0) {
        struct pq_args l = {0};
        pq_i64(&l, u->parent_id);
        if ((r = pq_run(st, SQL_ORG_LOCK_PARENT, &l, "org lock parent", err)) == NULL)
            return err->rc;
        PQclear(r);
    }
    pq_i64(&a, u->parent_id);
    pq_str(&a, bm_org_kind_code(u->kind));
    pq_str(&a, u->name);
    pq_str(&a, u->division_code);
    pq_str(&a, u->credit_code);
    pq_str(&a, bm_mgmt_mode_code(u->mgmt_mode));
    pq_i64(&a, u->is_active);
    pq_i64(&a, now);
    r = pq_run(st, SQL_ORG_INSERT, &a, "org insert", err);
    if (r == NULL)
        return err->rc == BM_ECONFLICT ? dup_code(err) : err->rc;
    new_id = pq_int(r, 0, 0);
    PQclear(r);
    pq_i64(&b, new_id);
    pq_i64(&b, u->parent_id);
    rc = pq_exec(st, SQL_ORG_SET_PATH, &b, "org path", NULL, err);
    if (rc == BM_OK)
        *id = new_id;
    return rc;
}

static const char SQL_ORG_GET[] = "SELECT " ORG_COLS " FROM org_units WHERE id = $1::bigint";

enum bm_rc
pg_org_get(struct bm_store *st, int64_t id, struct bm_arena *ar, struct bm_org_unit *out,
           struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc;

    pq_i64(&a, id);
    r = pq_run(st, SQL_ORG_GET, &a, "org get", err);
    if (r == NULL)
        return err->rc;
    rc = PQntuples(r) == 1 ? read_org(r, 0, ar, out, err)
                           : bm_err_set(err, BM_ENOTFOUND, "单位不存在");
    PQclear(r);
    return rc;
}

static const char SQL_ORG_LIST[] =
    "SELECT " ORG_COLS " FROM org_units WHERE path LIKE $1 ORDER BY id";

enum bm_rc
pg_org_list(struct bm_store *st, const char *prefix, struct bm_arena *ar, struct bm_org_unit **out,
            size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    const char *pat = pq_prefix(ar, prefix);
    PGresult *r;
    enum bm_rc rc = BM_OK;
    int rows, i;

    if (pat == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    pq_str(&a, pat);
    r = pq_run(st, SQL_ORG_LIST, &a, "org list", err);
    if (r == NULL)
        return err->rc;
    rows = PQntuples(r);
    *out = bm_arena_alloc(ar, sizeof(**out) * (size_t)(rows + 1));
    if (*out == NULL)
        rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    for (i = 0; rc == BM_OK && i < rows; i++)
        rc = read_org(r, i, ar, &(*out)[i], err);
    *n = (size_t)i;
    PQclear(r);
    return rc;
}

/*
 * The cycle check, the versioned update and the path rewrite run in the caller's
 * transaction; the unit's row lock (taken by the UPDATE) and the paths read after it keep a
 * concurrent move of an ancestor from leaving a stale path.
 */
static const char SQL_ORG_CYCLE[] =
    "SELECT count(*) FROM org_units p JOIN org_units u ON u.id = $1::bigint "
    "WHERE p.id = $2::bigint AND substr(p.path, 1, length(u.path)) = u.path";
static const char SQL_ORG_UPDATE[] =
    "UPDATE org_units SET name = $2, division_code = $3, credit_code = $4, management_mode = $5, "
    "is_active = $6::bigint, parent_id = nullif($7::bigint, 0), version = version + 1, "
    "updated_at = $8::bigint WHERE id = $1::bigint AND version = $9::bigint";
static const char SQL_ORG_PATHS[] =
    "SELECT u.path, coalesce(p.path, '/') || u.id || '/' FROM org_units u "
    "LEFT JOIN org_units p ON p.id = u.parent_id WHERE u.id = $1::bigint";
static const char SQL_ORG_MOVE[] =
    "UPDATE org_units SET path = $1 || substr(path, length($2) + 1) WHERE path LIKE $3";

static enum bm_rc
repath(struct bm_store *st, int64_t id, struct bm_err *err)
{
    struct bm_arena *ar = bm_arena_new(4096);
    struct pq_args a = {0}, b = {0};
    const char *old_path = NULL, *new_path = NULL;
    PGresult *r;
    enum bm_rc rc = BM_OK;

    pq_i64(&a, id);
    r = pq_run(st, SQL_ORG_PATHS, &a, "org paths", err);
    if (r == NULL) {
        rc = err->rc;
        goto out;
    }
    if (PQntuples(r) == 1) {
        old_path = pq_text(ar, r, 0, 0);
        new_path = pq_text(ar, r, 0, 1);
    }
    PQclear(r);
    if (old_path == NULL || new_path == NULL || strcmp(old_path, new_path) == 0)
        goto out;
    pq_str(&b, new_path);
    pq_str(&b, old_path);
    pq_str(&b, pq_prefix(ar, old_path));
    rc = pq_exec(st, SQL_ORG_MOVE, &b, "org move", NULL, err);
out:
    bm_arena_free(ar);
    return rc;
}

enum bm_rc
pg_org_update(struct bm_store *st, const struct bm_org_unit *u, int64_t now, struct bm_err *err)
{
    struct pq_args c = {0}, a = {0};
    PGresult *r;
    int64_t changed = 0;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if (u->parent_id != 0) {
        struct pq_args l = {0};
        pq_i64(&l, u->parent_id);
        if ((r = pq_run(st, SQL_ORG_LOCK_PARENT, &l, "org lock parent", err)) == NULL)
            return err->rc;
        PQclear(r);
        pq_i64(&c, u->id);
        pq_i64(&c, u->parent_id);
        r = pq_run(st, SQL_ORG_CYCLE, &c, "org cycle", err);
        if (r == NULL)
            return err->rc;
        rc = pq_int(r, 0, 0) > 0
                 ? bm_err_field(err, "parent_id", "不能把单位移到它自己或它的下级单位之下")
                 : BM_OK;
        PQclear(r);
        if (rc != BM_OK)
            return rc;
    }
    pq_i64(&a, u->id);
    pq_str(&a, u->name);
    pq_str(&a, u->division_code);
    pq_str(&a, u->credit_code);
    pq_str(&a, bm_mgmt_mode_code(u->mgmt_mode));
    pq_i64(&a, u->is_active);
    pq_i64(&a, u->parent_id);
    pq_i64(&a, now);
    pq_i64(&a, u->version);
    rc = pq_exec(st, SQL_ORG_UPDATE, &a, "org update", &changed, err);
    if (rc == BM_ECONFLICT)
        return dup_code(err);
    if (rc != BM_OK)
        return rc;
    if (changed == 0)
        return bm_err_set(err, BM_ESTALE, "该单位已被他人修改，请刷新后重试");
    return repath(st, u->id, err);
}

static const char SQL_ORG_COUNT[] = "SELECT count(*) FROM org_units";

enum bm_rc
pg_org_count(struct bm_store *st, int64_t *n, struct bm_err *err)
{
    PGresult *r = pq_run(st, SQL_ORG_COUNT, NULL, "org count", err);
    if (r == NULL)
        return err->rc;
    *n = pq_int(r, 0, 0);
    PQclear(r);
    return BM_OK;
}
