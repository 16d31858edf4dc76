/*
 * PostgreSQL: user accounts. Mirrors sqlite/users.c.
 */
#include <string.h>

#include "store/pg/int.h"

#define USER_FROM " FROM users u LEFT JOIN org_units o ON o.id = u.org_unit_id "

/* Reads one user (and, when asked, the hash in the next column); no row is not found. */
static enum bm_rc
one_user(const PGresult *r, struct bm_arena *a, struct bm_user *out, const char **hash,
         struct bm_err *err)
{
    enum bm_rc rc;

    if (PQntuples(r) != 1)
        return bm_err_set(err, BM_ENOTFOUND, "用户不存在");
    rc = pq_read_user(r, 0, a, out, err);
    if (rc == BM_OK && hash != NULL && (*hash = pq_text(a, r, 0, PQ_USER_NCOLS)) == NULL)
        rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    return rc;
}

static const char SQL_USER_INSERT[] =
    "INSERT INTO users (username, display_name, phone, password_hash, roles, org_unit_id, "
    "is_active, created_at, updated_at, password_changed_at, county_code) "
    "VALUES ($1, $2, $3, $4, $5::bigint, nullif($6::bigint, 0), $7::bigint, $8::bigint, "
    "$8::bigint, $8::bigint, coalesce((SELECT county_code FROM org_units WHERE id = "
    "$6::bigint), " BM_SQL_STORE_COUNTY ", '')) RETURNING id";

enum bm_rc
pg_user_insert(struct bm_store *st, const struct bm_user *u, const char *password_hash,
               int64_t now, int64_t *id, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;

    pq_str(&a, u->username);
    pq_str(&a, u->display_name);
    pq_str(&a, u->phone);
    pq_str(&a, password_hash);
    pq_i64(&a, u->roles);
    pq_i64(&a, u->org_unit_id);
    pq_i64(&a, u->is_active);
    pq_i64(&a, now);
    r = pq_run(st, SQL_USER_INSERT, &a, "user insert", err);
    if (r == NULL) {
        if (err->rc == BM_ECONFLICT) {
            (void)bm_err_field(err, "username", "用户名已被使用");
            return bm_err_set(err, BM_ECONFLICT, "用户名已被使用");
        }
        return err->rc;
    }
    *id = pq_int(r, 0, 0);
    PQclear(r);
    return BM_OK;
}

static const char SQL_USER_GET[] = "SELECT " PQ_USER_COLS USER_FROM "WHERE u.id = $1::bigint";

enum bm_rc
pg_user_get(struct bm_store *st, int64_t id, struct bm_arena *ar, struct bm_user *out,
            struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc;

    pq_i64(&a, id);
    if ((r = pq_run(st, SQL_USER_GET, &a, "user get", err)) == NULL)
        return err->rc;
    rc = one_user(r, ar, out, NULL, err);
    PQclear(r);
    return rc;
}

static const char SQL_USER_LOGIN[] =
    "SELECT " PQ_USER_COLS ", u.password_hash" USER_FROM "WHERE u.username = $1";

enum bm_rc
pg_user_get_login(struct bm_store *st, const char *username, struct bm_arena *ar,
                  struct bm_user *out, const char **password_hash, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc;

    pq_str(&a, username);
    if ((r = pq_run(st, SQL_USER_LOGIN, &a, "user login", err)) == NULL)
        return err->rc;
    rc = one_user(r, ar, out, password_hash, err);
    PQclear(r);
    return rc;
}

static const char SQL_USERS_LIST[] =
    "SELECT " PQ_USER_COLS USER_FROM
    "WHERE u.id > $2::bigint AND coalesce(o.path, '') LIKE $1 ORDER BY u.id LIMIT $3::bigint";

enum bm_rc
pg_users_list(struct bm_store *st, const char *prefix, int64_t after_id, int limit,
              struct bm_arena *ar, struct bm_user **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    const char *pat = pq_prefix(ar, prefix);
    PGresult *r;
    enum bm_rc rc = BM_OK;
    int rows, i;

    *out = bm_arena_alloc(ar, sizeof(**out) * (size_t)(limit > 0 ? limit : 1));
    if (*out == NULL || pat == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    pq_str(&a, pat);
    pq_i64(&a, after_id);
    pq_i64(&a, limit);
    if ((r = pq_run(st, SQL_USERS_LIST, &a, "users list", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    for (i = 0; rc == BM_OK && i < rows && i < limit; i++)
        rc = pq_read_user(r, i, ar, &(*out)[i], err);
    *n = (size_t)i;
    PQclear(r);
    return rc;
}

static const char SQL_USER_UPDATE[] =
    "UPDATE users SET display_name = $2, phone = $3, roles = $4::bigint, "
    "org_unit_id = nullif($5::bigint, 0), county_code = coalesce((SELECT county_code FROM "
    "org_units WHERE id = $5::bigint), county_code), is_active = $6::bigint, version = version + 1, "
    "updated_at = $7::bigint WHERE id = $1::bigint AND version = $8::bigint";

enum bm_rc
pg_user_update(struct bm_store *st, const struct bm_user *u, int64_t now, struct bm_err *err)
{
    struct pq_args a = {0};
    int64_t changed = 0;
    enum bm_rc rc;

    pq_i64(&a, u->id);
    pq_str(&a, u->display_name);
    pq_str(&a, u->phone);
    pq_i64(&a, u->roles);
    pq_i64(&a, u->org_unit_id);
    pq_i64(&a, u->is_active);
    pq_i64(&a, now);
    pq_i64(&a, u->version);
    rc = pq_exec(st, SQL_USER_UPDATE, &a, "user update", &changed, err);
    if (rc == BM_OK && changed == 0)
        rc = bm_err_set(err, BM_ESTALE, "该用户已被他人修改，请刷新后重试");
    return rc;
}

static const char SQL_USER_PASSWORD[] =
    "UPDATE users SET password_hash = $2, password_changed_at = $3::bigint, "
    "updated_at = $3::bigint, version = version + 1 WHERE id = $1::bigint";

enum bm_rc
pg_user_set_password(struct bm_store *st, int64_t user_id, const char *hash, int64_t now,
                     struct bm_err *err)
{
    struct pq_args a = {0};
    int64_t changed = 0;
    enum bm_rc rc;

    pq_i64(&a, user_id);
    pq_str(&a, hash);
    pq_i64(&a, now);
    rc = pq_exec(st, SQL_USER_PASSWORD, &a, "user password", &changed, err);
    if (rc == BM_OK && changed == 0)
        rc = bm_err_set(err, BM_ENOTFOUND, "用户不存在");
    return rc;
}

static const char SQL_USER_TOUCH[] =
    "UPDATE users SET last_login_at = $2::bigint WHERE id = $1::bigint";

enum bm_rc
pg_user_touch_login(struct bm_store *st, int64_t user_id, int64_t now, struct bm_err *err)
{
    struct pq_args a = {0};
    pq_i64(&a, user_id);
    pq_i64(&a, now);
    return pq_exec(st, SQL_USER_TOUCH, &a, "user touch", NULL, err);
}

static const char SQL_USER_COUNT[] = "SELECT count(*) FROM users";

enum bm_rc
pg_user_count(struct bm_store *st, int64_t *n, struct bm_err *err)
{
    PGresult *r = pq_run(st, SQL_USER_COUNT, NULL, "user count", err);
    if (r == NULL)
        return err->rc;
    *n = pq_int(r, 0, 0);
    PQclear(r);
    return BM_OK;
}
