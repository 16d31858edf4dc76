/*
 * SQLite: user accounts.
 */
#include <string.h>

#include "store/sqlite/int.h"

#define USER_COLS SQ_USER_COLS
#define USER_FROM " FROM users u LEFT JOIN org_units o ON o.id = u.org_unit_id "

enum bm_rc
sq_read_user(sqlite3_stmt *s, struct bm_arena *a, struct bm_user *u, struct bm_err *err)
{
    memset(u, 0, sizeof(*u));
    u->id = sqlite3_column_int64(s, 0);
    u->username = sq_text(a, s, 1);
    u->display_name = sq_text(a, s, 2);
    u->phone = sq_text(a, s, 3);
    u->roles = (unsigned)sqlite3_column_int64(s, 4);
    u->org_unit_id = sqlite3_column_int64(s, 5);
    u->org_path = sq_text(a, s, 6);
    u->org_name = sq_text(a, s, 7);
    u->is_active = sqlite3_column_int(s, 8) != 0;
    u->version = sqlite3_column_int64(s, 9);
    u->created_at = sqlite3_column_int64(s, 10);
    u->updated_at = sqlite3_column_int64(s, 11);
    u->last_login_at = sqlite3_column_int64(s, 12);
    u->county_code = sq_text(a, s, 13);
    if (!u->county_code || !u->username || !u->display_name || !u->phone || !u->org_path || !u->org_name)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    return BM_OK;
}

/* Shared by the functions that read one user: step once, map "no row" to not found. */
static enum bm_rc
one_user(struct bm_store *st, sqlite3_stmt *s, struct bm_arena *a, struct bm_user *out,
         const char **hash, struct bm_err *err)
{
    enum bm_rc rc;
    int src = sqlite3_step(s);

    if (src == SQLITE_ROW) {
        rc = sq_read_user(s, a, out, err);
        if (rc == BM_OK && hash != NULL && (*hash = sq_text(a, s, SQ_USER_NCOLS)) == NULL)
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    } else if (src == SQLITE_DONE) {
        rc = bm_err_set(err, BM_ENOTFOUND, "用户不存在");
    } else {
        rc = sq_fail(st, src, "user get", err);
    }
    sq_done(s);
    return rc;
}

static const char SQL_USER_INSERT[] =
    "INSERT INTO users (username, display_name, phone, password_hash, roles, org_unit_id, "
    "is_active, created_at, updated_at, password_changed_at, county_code) "
    "VALUES (?1, ?2, ?3, ?4, ?5, nullif(?6, 0), ?7, ?8, ?8, ?8, coalesce((SELECT county_code "
    "FROM org_units WHERE id = ?6), " BM_SQL_STORE_COUNTY ", ''))";

enum bm_rc
sqlite_user_insert(struct bm_store *st, const struct bm_user *u, const char *password_hash,
                     int64_t now, int64_t *id, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_USER_INSERT, &s, err);

    if (rc != BM_OK)
        return rc;
    sq_bind_text(s, 1, u->username);
    sq_bind_text(s, 2, u->display_name);
    sq_bind_text(s, 3, u->phone);
    sq_bind_text(s, 4, password_hash);
    sqlite3_bind_int64(s, 5, u->roles);
    sqlite3_bind_int64(s, 6, u->org_unit_id);
    sqlite3_bind_int(s, 7, u->is_active);
    sqlite3_bind_int64(s, 8, now);
    rc = sq_exec(st, s, "user insert", err);
    if (rc == BM_ECONFLICT) {
        (void)bm_err_field(err, "username", "用户名已被使用");
        return bm_err_set(err, BM_ECONFLICT, "用户名已被使用");
    }
    if (rc == BM_OK)
        *id = sqlite3_last_insert_rowid(sq_db(st));
    return rc;
}

static const char SQL_USER_GET[] = "SELECT " USER_COLS USER_FROM "WHERE u.id = ?1";

enum bm_rc
sqlite_user_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_user *out,
                  struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_USER_GET, &s, err);
    if (rc != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    return one_user(st, s, a, out, NULL, err);
}

static const char SQL_USER_LOGIN[] =
    "SELECT " USER_COLS ", u.password_hash" USER_FROM "WHERE u.username = ?1";

enum bm_rc
sqlite_user_get_login(struct bm_store *st, const char *username, struct bm_arena *a,
                        struct bm_user *out, const char **password_hash, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_USER_LOGIN, &s, err);
    if (rc != BM_OK)
        return rc;
    sq_bind_text(s, 1, username);
    return one_user(st, s, a, out, password_hash, err);
}

/* Citizens have no unit; they are listed only when the whole store is asked for (""). */
static const char SQL_USERS_LIST[] =
    "SELECT " USER_COLS USER_FROM
    "WHERE u.id > ?2 AND (coalesce(o.path, '') LIKE ?1 ESCAPE '\\') ORDER BY u.id LIMIT ?3";

enum bm_rc
sqlite_users_list(struct bm_store *st, const char *prefix, int64_t after_id, int limit,
                    struct bm_arena *a, struct bm_user **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    size_t i = 0;
    int src = SQLITE_DONE;

    *out = bm_arena_alloc(a, sizeof(**out) * (size_t)(limit > 0 ? limit : 1));
    if (*out == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    rc = sq_prepare(st, SQL_USERS_LIST, &s, err);
    if (rc != BM_OK)
        return rc;
    sq_bind_prefix(s, 1, prefix, a);
    sqlite3_bind_int64(s, 2, after_id);
    sqlite3_bind_int(s, 3, limit);
    while (rc == BM_OK && (int)i < limit && (src = sqlite3_step(s)) == SQLITE_ROW)
        rc = sq_read_user(s, a, &(*out)[i++], err);
    if (rc == BM_OK && (int)i < limit && src != SQLITE_DONE)
        rc = sq_fail(st, src, "users list", err);
    sq_done(s);
    *n = i;
    return rc;
}

static const char SQL_USER_UPDATE[] =
    "UPDATE users SET display_name = ?2, phone = ?3, roles = ?4, org_unit_id = nullif(?5, 0), "
    "county_code = coalesce((SELECT county_code FROM org_units WHERE id = ?5), county_code), "
    "is_active = ?6, version = version + 1, updated_at = ?7 WHERE id = ?1 AND version = ?8";

enum bm_rc
sqlite_user_update(struct bm_store *st, const struct bm_user *u, int64_t now,
                     struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_USER_UPDATE, &s, err);

    if (rc != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, u->id);
    sq_bind_text(s, 2, u->display_name);
    sq_bind_text(s, 3, u->phone);
    sqlite3_bind_int64(s, 4, u->roles);
    sqlite3_bind_int64(s, 5, u->org_unit_id);
    sqlite3_bind_int(s, 6, u->is_active);
    sqlite3_bind_int64(s, 7, now);
    sqlite3_bind_int64(s, 8, u->version);
    rc = sq_exec(st, s, "user update", err);
    if (rc == BM_OK && sqlite3_changes(sq_db(st)) == 0)
        rc = bm_err_set(err, BM_ESTALE, "该用户已被他人修改，请刷新后重试");
    return rc;
}

static const char SQL_USER_PASSWORD[] =
    "UPDATE users SET password_hash = ?2, password_changed_at = ?3, updated_at = ?3, "
    "version = version + 1 WHERE id = ?1";

enum bm_rc
sqlite_user_set_password(struct bm_store *st, int64_t user_id, const char *hash, int64_t now,
                           struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_USER_PASSWORD, &s, err);

    if (rc != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, user_id);
    sq_bind_text(s, 2, hash);
    sqlite3_bind_int64(s, 3, now);
    rc = sq_exec(st, s, "user password", err);
    if (rc == BM_OK && sqlite3_changes(sq_db(st)) == 0)
        rc = bm_err_set(err, BM_ENOTFOUND, "用户不存在");
    return rc;
}

static const char SQL_USER_TOUCH[] = "UPDATE users SET last_login_at = ?2 WHERE id = ?1";

enum bm_rc
sqlite_user_touch_login(struct bm_store *st, int64_t user_id, int64_t now, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_USER_TOUCH, &s, err);
    if (rc != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, user_id);
    sqlite3_bind_int64(s, 2, now);
    return sq_exec(st, s, "user touch", err);
}

static const char SQL_USER_COUNT[] = "SELECT count(*) FROM users";

enum bm_rc
sqlite_user_count(struct bm_store *st, int64_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_USER_COUNT, &s, err);
    if (rc != BM_OK)
        return rc;
    if (sqlite3_step(s) == SQLITE_ROW)
        *n = sqlite3_column_int64(s, 0);
    else
        rc = sq_fail(st, sqlite3_errcode(sq_db(st)), "user count", err);
    sq_done(s);
    return rc;
}
