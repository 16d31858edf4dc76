/*
 * SQLite: delegated powers (with the townships they go to) and townships' power lists.
 */
#include <string.h>

#include "store/sqlite/int.h"

#define DEL_COLS                                                                            \
    "d.id, d.name, d.from_unit_id, coalesce(o.name, ''), d.legal_basis, d.approval_document, " \
    "d.approval_date, d.procedure, d.department_responsibility, d.township_responsibility, "  \
    "d.status, d.version, d.created_at, d.updated_at"
#define DEL_FROM " FROM delegations d LEFT JOIN org_units o ON o.id = d.from_unit_id "

static enum bm_rc
read_del(sqlite3_stmt *s, struct bm_arena *a, struct bm_delegation *d, struct bm_err *err)
{
    memset(d, 0, sizeof(*d));
    d->id = sqlite3_column_int64(s, 0);
    d->name = sq_text(a, s, 1);
    d->from_unit_id = sqlite3_column_int64(s, 2);
    d->from_unit_name = sq_text(a, s, 3);
    d->legal_basis = sq_text(a, s, 4);
    d->approval_document = sq_text(a, s, 5);
    d->approval_date = sq_text(a, s, 6);
    d->procedure = sq_text(a, s, 7);
    d->department_responsibility = sq_text(a, s, 8);
    d->township_responsibility = sq_text(a, s, 9);
    d->is_active = strcmp((const char *)sqlite3_column_text(s, 10), "active") == 0;
    d->version = sqlite3_column_int64(s, 11);
    d->created_at = sqlite3_column_int64(s, 12);
    d->updated_at = sqlite3_column_int64(s, 13);
    if (!d->name || !d->from_unit_name || !d->legal_basis || !d->approval_document ||
        !d->approval_date || !d->procedure || !d->department_responsibility ||
        !d->township_responsibility)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    return BM_OK;
}

/* Rows a list will return (capped), so its array is sized to them, not to the cap. */
static enum bm_rc
count_rows(struct bm_store *st, const char *sql, int64_t arg, size_t cap, size_t *n,
           struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, sql, &s, err);
    if (rc != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, arg);
    if (sqlite3_step(s) == SQLITE_ROW)
        *n = (size_t)sqlite3_column_int64(s, 0);
    else
        rc = sq_fail(st, sqlite3_errcode(sq_db(st)), "count", err);
    sq_done(s);
    if (*n > cap)
        *n = cap;
    return rc;
}

static const char SQL_DEL_TOWNS[] =
    "SELECT dt.delegation_id, dt.township_id, coalesce(o.name, '') FROM delegation_townships dt "
    "LEFT JOIN org_units o ON o.id = dt.township_id WHERE ?1 = 0 OR dt.delegation_id = ?1 "
    "ORDER BY dt.delegation_id, o.path";

/* Attaches townships to the delegations in `ds` (one, or all when `only` is 0). */
static enum bm_rc
attach_towns(struct bm_store *st, int64_t only, struct bm_delegation *ds, size_t n,
             struct bm_arena *a, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_DEL_TOWNS, &s, err);
    int src = SQLITE_DONE;

    if (rc != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, only);
    while (rc == BM_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t did = sqlite3_column_int64(s, 0);
        for (size_t i = 0; i < n; i++) {
            struct bm_delegation *d = &ds[i];
            if (d->id != did || d->n_townships >= BM_DELEGATION_MAX_TOWNSHIPS)
                continue;
            d->township_ids[d->n_townships] = sqlite3_column_int64(s, 1);
            if ((d->township_names[d->n_townships++] = sq_text(a, s, 2)) == NULL)
                rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
        }
    }
    if (rc == BM_OK && src != SQLITE_DONE)
        rc = sq_fail(st, src, "delegation townships", err);
    sq_done(s);
    return rc;
}

static const char SQL_DEL_INSERT[] =
    "INSERT INTO delegations (county_code, name, from_unit_id, legal_basis, approval_document, "
    "approval_date, procedure, department_responsibility, township_responsibility, created_at, "
    "updated_at) VALUES ((SELECT county_code FROM org_units WHERE id = ?2), ?1, ?2, ?3, ?4, ?5, "
    "?6, ?7, ?8, ?9, ?9)";
static const char SQL_DEL_TOWN_INSERT[] =
    "INSERT INTO delegation_townships (delegation_id, township_id, county_code) VALUES (?1, ?2, "
    "(SELECT county_code FROM delegations WHERE id = ?1))";

enum bm_rc
sqlite_delegation_insert(struct bm_store *st, const struct bm_delegation *d, int64_t now,
                         int64_t *id, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    rc = sq_prepare(st, SQL_DEL_INSERT, &s, err);
    if (rc != BM_OK)
        return rc;
    sq_bind_text(s, 1, d->name);
    sqlite3_bind_int64(s, 2, d->from_unit_id);
    sq_bind_text(s, 3, d->legal_basis);
    sq_bind_text(s, 4, d->approval_document);
    sq_bind_text(s, 5, d->approval_date);
    sq_bind_text(s, 6, d->procedure);
    sq_bind_text(s, 7, d->department_responsibility);
    sq_bind_text(s, 8, d->township_responsibility);
    sqlite3_bind_int64(s, 9, now);
    rc = sq_exec(st, s, "delegation insert", err);
    if (rc != BM_OK)
        return rc;
    *id = sqlite3_last_insert_rowid(sq_db(st));
    for (size_t i = 0; rc == BM_OK && i < d->n_townships; i++) {
        rc = sq_prepare(st, SQL_DEL_TOWN_INSERT, &s, err);
        if (rc != BM_OK)
            break;
        sqlite3_bind_int64(s, 1, *id);
        sqlite3_bind_int64(s, 2, d->township_ids[i]);
        rc = sq_exec(st, s, "delegation township", err);
    }
    return rc;
}

static const char SQL_DEL_GET[] = "SELECT " DEL_COLS DEL_FROM "WHERE d.id = ?1";

enum bm_rc
sqlite_delegation_get(struct bm_store *st, int64_t id, struct bm_arena *a,
                      struct bm_delegation *out, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_DEL_GET, &s, err);
    int src;

    if (rc != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    src = sqlite3_step(s);
    rc = src == SQLITE_ROW    ? read_del(s, a, out, err)
         : src == SQLITE_DONE ? bm_err_set(err, BM_ENOTFOUND, "下放事项不存在")
                              : sq_fail(st, src, "delegation get", err);
    sq_done(s);
    return rc == BM_OK ? attach_towns(st, id, out, 1, a, err) : rc;
}

static const char SQL_DEL_COUNT[] = "SELECT count(*) FROM delegations";
static const char SQL_DEL_LIST[] = "SELECT " DEL_COLS DEL_FROM "ORDER BY d.id DESC LIMIT 2000";

enum bm_rc
sqlite_delegations_list(struct bm_store *st, struct bm_arena *a, struct bm_delegation **out,
                        size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_DEL_LIST, &s, err);
    int src = SQLITE_DONE;

    size_t cap = 0;

    *n = 0;
    if (rc == BM_OK)
        rc = count_rows(st, SQL_DEL_COUNT, 0, 2000, &cap, err);
    if (rc != BM_OK)
        return rc;
    *out = bm_arena_alloc(a, sizeof(**out) * (cap + 1));
    if (*out == NULL)
        rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    while (rc == BM_OK && *n < cap && (src = sqlite3_step(s)) == SQLITE_ROW)
        rc = read_del(s, a, &(*out)[(*n)++], err);
    if (rc == BM_OK && *n < cap && src != SQLITE_DONE)
        rc = sq_fail(st, src, "delegations list", err);
    sq_done(s);
    return rc == BM_OK ? attach_towns(st, 0, *out, *n, a, err) : rc;
}

static const char SQL_DEL_REVOKE[] =
    "UPDATE delegations SET status = 'revoked', version = version + 1, updated_at = ?3 "
    "WHERE id = ?1 AND version = ?2 AND status = 'active'";

enum bm_rc
sqlite_delegation_revoke(struct bm_store *st, int64_t id, int64_t version, int64_t now,
                         struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_DEL_REVOKE, &s, err);
    if (rc != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, version);
    sqlite3_bind_int64(s, 3, now);
    rc = sq_exec(st, s, "delegation revoke", err);
    if (rc == BM_OK && sqlite3_changes(sq_db(st)) == 0)
        rc = bm_err_set(err, BM_ESTALE, "该下放事项已被他人修改或已撤销，请刷新后重试");
    return rc;
}

#define POWER_COLS                                                                           \
    "p.id, p.township_id, coalesce(o.name, ''), p.name, p.type, p.legal_basis, "              \
    "p.responsibilities, p.accountability, p.version, p.created_at, p.updated_at"
#define POWER_FROM " FROM powers p LEFT JOIN org_units o ON o.id = p.township_id "

static enum bm_rc
read_power(sqlite3_stmt *s, struct bm_arena *a, struct bm_power *p, struct bm_err *err)
{
    memset(p, 0, sizeof(*p));
    p->id = sqlite3_column_int64(s, 0);
    p->township_id = sqlite3_column_int64(s, 1);
    p->township_name = sq_text(a, s, 2);
    p->name = sq_text(a, s, 3);
    p->type = bm_code_find(bm_power_types, (const char *)sqlite3_column_text(s, 4));
    p->legal_basis = sq_text(a, s, 5);
    p->responsibilities = sq_text(a, s, 6);
    p->accountability = sq_text(a, s, 7);
    p->version = sqlite3_column_int64(s, 8);
    p->created_at = sqlite3_column_int64(s, 9);
    p->updated_at = sqlite3_column_int64(s, 10);
    if (!p->township_name || !p->name || !p->legal_basis || !p->responsibilities ||
        !p->accountability || p->type < 0)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    return BM_OK;
}

static const char SQL_POWER_INSERT[] =
    "INSERT INTO powers (township_id, name, type, legal_basis, responsibilities, accountability, "
    "created_at, updated_at, county_code) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, "
    "(SELECT county_code FROM org_units WHERE id = ?1))";

enum bm_rc
sqlite_power_insert(struct bm_store *st, const struct bm_power *p, int64_t now, int64_t *id,
                    struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_POWER_INSERT, &s, err);

    if (rc != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, p->township_id);
    sq_bind_text(s, 2, p->name);
    sq_bind_text(s, 3, bm_power_types[p->type].code);
    sq_bind_text(s, 4, p->legal_basis);
    sq_bind_text(s, 5, p->responsibilities);
    sq_bind_text(s, 6, p->accountability);
    sqlite3_bind_int64(s, 7, now);
    rc = sq_exec(st, s, "power insert", err);
    if (rc == BM_OK)
        *id = sqlite3_last_insert_rowid(sq_db(st));
    return rc;
}

static const char SQL_POWER_GET[] = "SELECT " POWER_COLS POWER_FROM "WHERE p.id = ?1";

enum bm_rc
sqlite_power_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_power *out,
                 struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_POWER_GET, &s, err);
    int src;

    if (rc != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    src = sqlite3_step(s);
    rc = src == SQLITE_ROW    ? read_power(s, a, out, err)
         : src == SQLITE_DONE ? bm_err_set(err, BM_ENOTFOUND, "权力事项不存在")
                              : sq_fail(st, src, "power get", err);
    sq_done(s);
    return rc;
}

static const char SQL_POWER_COUNT[] = "SELECT count(*) FROM powers WHERE ?1 = 0 OR township_id = ?1";
static const char SQL_POWER_LIST[] =
    "SELECT " POWER_COLS POWER_FROM "WHERE ?1 = 0 OR p.township_id = ?1 ORDER BY p.id LIMIT 5000";

enum bm_rc
sqlite_powers_list(struct bm_store *st, int64_t township_id, struct bm_arena *a,
                   struct bm_power **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_POWER_LIST, &s, err);
    int src = SQLITE_DONE;

    size_t cap = 0;

    *n = 0;
    if (rc == BM_OK)
        rc = count_rows(st, SQL_POWER_COUNT, township_id, 5000, &cap, err);
    if (rc != BM_OK)
        return rc;
    *out = bm_arena_alloc(a, sizeof(**out) * (cap + 1));
    if (*out == NULL)
        rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    sqlite3_bind_int64(s, 1, township_id);
    while (rc == BM_OK && *n < cap && (src = sqlite3_step(s)) == SQLITE_ROW)
        rc = read_power(s, a, &(*out)[(*n)++], err);
    if (rc == BM_OK && *n < cap && src != SQLITE_DONE)
        rc = sq_fail(st, src, "powers list", err);
    sq_done(s);
    return rc;
}

static const char SQL_POWER_UPDATE[] =
    "UPDATE powers SET name = ?2, type = ?3, legal_basis = ?4, responsibilities = ?5, "
    "accountability = ?6, version = version + 1, updated_at = ?7 WHERE id = ?1 AND version = ?8";

enum bm_rc
sqlite_power_update(struct bm_store *st, const struct bm_power *p, int64_t now, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_POWER_UPDATE, &s, err);

    if (rc != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, p->id);
    sq_bind_text(s, 2, p->name);
    sq_bind_text(s, 3, bm_power_types[p->type].code);
    sq_bind_text(s, 4, p->legal_basis);
    sq_bind_text(s, 5, p->responsibilities);
    sq_bind_text(s, 6, p->accountability);
    sqlite3_bind_int64(s, 7, now);
    sqlite3_bind_int64(s, 8, p->version);
    rc = sq_exec(st, s, "power update", err);
    if (rc == BM_OK && sqlite3_changes(sq_db(st)) == 0)
        rc = bm_err_set(err, BM_ESTALE, "该权力事项已被他人修改，请刷新后重试");
    return rc;
}
