/*
 * PostgreSQL: delegated powers (with the townships they go to) and townships' power lists.
 * Mirrors sqlite/delegations.c.
 */
#include <string.h>

#include "store/pg/int.h"

#define DEL_COLS                                                                            \
    "d.id, d.name, d.from_unit_id, coalesce(o.name, ''), d.legal_basis, d.approval_document, " \
    "d.approval_date, d.procedure, d.department_responsibility, d.township_responsibility, "  \
    "d.status, d.version, d.created_at, d.updated_at"
#define DEL_FROM " FROM delegations d LEFT JOIN org_units o ON o.id = d.from_unit_id "

static enum bm_rc
read_del(const PGresult *r, int row, struct bm_arena *a, struct bm_delegation *d,
         struct bm_err *err)
{
    memset(d, 0, sizeof(*d));
    d->id = pq_int(r, row, 0);
    d->name = pq_text(a, r, row, 1);
    d->from_unit_id = pq_int(r, row, 2);
    d->from_unit_name = pq_text(a, r, row, 3);
    d->legal_basis = pq_text(a, r, row, 4);
    d->approval_document = pq_text(a, r, row, 5);
    d->approval_date = pq_text(a, r, row, 6);
    d->procedure = pq_text(a, r, row, 7);
    d->department_responsibility = pq_text(a, r, row, 8);
    d->township_responsibility = pq_text(a, r, row, 9);
    d->is_active = strcmp(PQgetvalue(r, row, 10), "active") == 0;
    d->version = pq_int(r, row, 11);
    d->created_at = pq_int(r, row, 12);
    d->updated_at = pq_int(r, row, 13);
    if (!d->name || !d->from_unit_name || !d->legal_basis || !d->approval_document ||
        !d->approval_date || !d->procedure || !d->department_responsibility ||
        !d->township_responsibility)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    return BM_OK;
}

static const char SQL_DEL_TOWNS[] =
    "SELECT dt.delegation_id, dt.township_id, coalesce(o.name, '') FROM delegation_townships dt "
    "LEFT JOIN org_units o ON o.id = dt.township_id "
    "WHERE $1::bigint = 0 OR dt.delegation_id = $1::bigint ORDER BY dt.delegation_id, o.path";

static enum bm_rc
attach_towns(struct bm_store *st, int64_t only, struct bm_delegation *ds, size_t n,
             struct bm_arena *a, struct bm_err *err)
{
    struct pq_args args = {0};
    PGresult *r;
    enum bm_rc rc = BM_OK;

    pq_i64(&args, only);
    if ((r = pq_run(st, SQL_DEL_TOWNS, &args, "delegation townships", err)) == NULL)
        return err->rc;
    for (int row = 0; rc == BM_OK && row < PQntuples(r); row++) {
        int64_t did = pq_int(r, row, 0);
        for (size_t i = 0; i < n; i++) {
            struct bm_delegation *d = &ds[i];
            if (d->id != did || d->n_townships >= BM_DELEGATION_MAX_TOWNSHIPS)
                continue;
            d->township_ids[d->n_townships] = pq_int(r, row, 1);
            if ((d->township_names[d->n_townships++] = pq_text(a, r, row, 2)) == NULL)
                rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
        }
    }
    PQclear(r);
    return rc;
}

static const char SQL_DEL_INSERT[] =
    "INSERT INTO delegations (county_code, name, from_unit_id, legal_basis, approval_document, "
    "approval_date, procedure, department_responsibility, township_responsibility, created_at, "
    "updated_at) VALUES ((SELECT county_code FROM org_units WHERE id = $2::bigint), $1, "
    "$2::bigint, $3, $4, $5, $6, $7, $8, $9::bigint, $9::bigint) RETURNING id";
static const char SQL_DEL_TOWN_INSERT[] =
    "INSERT INTO delegation_townships (delegation_id, township_id, county_code) VALUES "
    "($1::bigint, $2::bigint, (SELECT county_code FROM delegations WHERE id = $1::bigint))";

enum bm_rc
pg_delegation_insert(struct bm_store *st, const struct bm_delegation *d, int64_t now, int64_t *id,
                     struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc = BM_OK;

    BM_ASSERT(st->in_tx);
    pq_str(&a, d->name);
    pq_i64(&a, d->from_unit_id);
    pq_str(&a, d->legal_basis);
    pq_str(&a, d->approval_document);
    pq_str(&a, d->approval_date);
    pq_str(&a, d->procedure);
    pq_str(&a, d->department_responsibility);
    pq_str(&a, d->township_responsibility);
    pq_i64(&a, now);
    if ((r = pq_run(st, SQL_DEL_INSERT, &a, "delegation insert", err)) == NULL)
        return err->rc;
    *id = pq_int(r, 0, 0);
    PQclear(r);
    for (size_t i = 0; rc == BM_OK && i < d->n_townships; i++) {
        struct pq_args t = {0};
        pq_i64(&t, *id);
        pq_i64(&t, d->township_ids[i]);
        rc = pq_exec(st, SQL_DEL_TOWN_INSERT, &t, "delegation township", NULL, err);
    }
    return rc;
}

static const char SQL_DEL_GET[] = "SELECT " DEL_COLS DEL_FROM "WHERE d.id = $1::bigint";

enum bm_rc
pg_delegation_get(struct bm_store *st, int64_t id, struct bm_arena *ar, struct bm_delegation *out,
                  struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc;

    pq_i64(&a, id);
    if ((r = pq_run(st, SQL_DEL_GET, &a, "delegation get", err)) == NULL)
        return err->rc;
    rc = PQntuples(r) == 1 ? read_del(r, 0, ar, out, err)
                           : bm_err_set(err, BM_ENOTFOUND, "下放事项不存在");
    PQclear(r);
    return rc == BM_OK ? attach_towns(st, id, out, 1, ar, err) : rc;
}

static const char SQL_DEL_LIST[] = "SELECT " DEL_COLS DEL_FROM "ORDER BY d.id DESC LIMIT 2000";

enum bm_rc
pg_delegations_list(struct bm_store *st, struct bm_arena *ar, struct bm_delegation **out,
                    size_t *n, struct bm_err *err)
{
    PGresult *r;
    enum bm_rc rc = BM_OK;
    int rows;

    *n = 0;
    if ((r = pq_run(st, SQL_DEL_LIST, NULL, "delegations list", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    *out = bm_arena_alloc(ar, sizeof(**out) * (size_t)(rows + 1));
    if (*out == NULL)
        rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    for (int i = 0; rc == BM_OK && i < rows; i++)
        rc = read_del(r, i, ar, &(*out)[(*n)++], err);
    PQclear(r);
    return rc == BM_OK ? attach_towns(st, 0, *out, *n, ar, err) : rc;
}

static const char SQL_DEL_REVOKE[] =
    "UPDATE delegations SET status = 'revoked', version = version + 1, updated_at = $3::bigint "
    "WHERE id = $1::bigint AND version = $2::bigint AND status = 'active'";

enum bm_rc
pg_delegation_revoke(struct bm_store *st, int64_t id, int64_t version, int64_t now,
                     struct bm_err *err)
{
    struct pq_args a = {0};
    int64_t changed = 0;
    enum bm_rc rc;

    pq_i64(&a, id);
    pq_i64(&a, version);
    pq_i64(&a, now);
    rc = pq_exec(st, SQL_DEL_REVOKE, &a, "delegation revoke", &changed, err);
    if (rc == BM_OK && changed == 0)
        rc = bm_err_set(err, BM_ESTALE, "该下放事项已被他人修改或已撤销，请刷新后重试");
    return rc;
}

#define POWER_COLS                                                                           \
    "p.id, p.township_id, coalesce(o.name, ''), p.name, p.type, p.legal_basis, "              \
    "p.responsibilities, p.accountability, p.version, p.created_at, p.updated_at"
#define POWER_FROM " FROM powers p LEFT JOIN org_units o ON o.id = p.township_id "

static enum bm_rc
read_power(const PGresult *r, int row, struct bm_arena *a, struct bm_power *p, struct bm_err *err)
{
    memset(p, 0, sizeof(*p));
    p->id = pq_int(r, row, 0);
    p->township_id = pq_int(r, row, 1);
    p->township_name = pq_text(a, r, row, 2);
    p->name = pq_text(a, r, row, 3);
    p->type = bm_code_find(bm_power_types, PQgetvalue(r, row, 4));
    p->legal_basis = pq_text(a, r, row, 5);
    p->responsibilities = pq_text(a, r, row, 6);
    p->accountability = pq_text(a, r, row, 7);
    p->version = pq_int(r, row, 8);
    p->created_at = pq_int(r, row, 9);
    p->updated_at = pq_int(r, row, 10);
    if (!p->township_name || !p->name || !p->legal_basis || !p->responsibilities ||
        !p->accountability || p->type < 0)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    return BM_OK;
}

static const char SQL_POWER_INSERT[] =
    "INSERT INTO powers (township_id, name, type, legal_basis, responsibilities, accountability, "
    "created_at, updated_at, county_code) VALUES ($1::bigint, $2, $3, $4, $5, $6, $7::bigint, "
    "$7::bigint, (SELECT county_code FROM org_units WHERE id = $1::bigint)) RETURNING id";

enum bm_rc
pg_power_insert(struct bm_store *st, const struct bm_power *p, int64_t now, int64_t *id,
                struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;

    pq_i64(&a, p->township_id);
    pq_str(&a, p->name);
    pq_str(&a, bm_power_types[p->type].code);
    pq_str(&a, p->legal_basis);
    pq_str(&a, p->responsibilities);
    pq_str(&a, p->accountability);
    pq_i64(&a, now);
    if ((r = pq_run(st, SQL_POWER_INSERT, &a, "power insert", err)) == NULL)
        return err->rc;
    *id = pq_int(r, 0, 0);
    PQclear(r);
    return BM_OK;
}

static const char SQL_POWER_GET[] = "SELECT " POWER_COLS POWER_FROM "WHERE p.id = $1::bigint";

enum bm_rc
pg_power_get(struct bm_store *st, int64_t id, struct bm_arena *ar, struct bm_power *out,
             struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc;

    pq_i64(&a, id);
    if ((r = pq_run(st, SQL_POWER_GET, &a, "power get", err)) == NULL)
        return err->rc;
    rc = PQntuples(r) == 1 ? read_power(r, 0, ar, out, err)
                           : bm_err_set(err, BM_ENOTFOUND, "权力事项不存在");
    PQclear(r);
    return rc;
}

static const char SQL_POWER_LIST[] = "SELECT " POWER_COLS POWER_FROM
                                     "WHERE $1::bigint = 0 OR p.township_id = $1::bigint "
                                     "ORDER BY p.id LIMIT 5000";

enum bm_rc
pg_powers_list(struct bm_store *st, int64_t township_id, struct bm_arena *ar,
               struct bm_power **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc = BM_OK;
    int rows;

    *n = 0;
    pq_i64(&a, township_id);
    if ((r = pq_run(st, SQL_POWER_LIST, &a, "powers list", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    *out = bm_arena_alloc(ar, sizeof(**out) * (size_t)(rows + 1));
    if (*out == NULL)
        rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    for (int i = 0; rc == BM_OK && i < rows; i++)
        rc = read_power(r, i, ar, &(*out)[(*n)++], err);
    PQclear(r);
    return rc;
}

static const char SQL_POWER_UPDATE[] =
    "UPDATE powers SET name = $2, type = $3, legal_basis = $4, responsibilities = $5, "
    "accountability = $6, version = version + 1, updated_at = $7::bigint "
    "WHERE id = $1::bigint AND version = $8::bigint";

enum bm_rc
pg_power_update(struct bm_store *st, const struct bm_power *p, int64_t now, struct bm_err *err)
{
    struct pq_args a = {0};
    int64_t changed = 0;
    enum bm_rc rc;

    pq_i64(&a, p->id);
    pq_str(&a, p->name);
    pq_str(&a, bm_power_types[p->type].code);
    pq_str(&a, p->legal_basis);
    pq_str(&a, p->responsibilities);
    pq_str(&a, p->accountability);
    pq_i64(&a, now);
    pq_i64(&a, p->version);
    rc = pq_exec(st, SQL_POWER_UPDATE, &a, "power update", &changed, err);
    if (rc == BM_OK && changed == 0)
        rc = bm_err_set(err, BM_ESTALE, "该权力事项已被他人修改，请刷新后重试");
    return rc;
}
