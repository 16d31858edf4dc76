/*
 * Account field rules.
 */
#include "core/user.h"

#include <string.h>

#include "core/roles.h"
#include "util/utf8.h"

enum bm_rc
bm_user_check_username(const char *u, struct bm_err *err)
{
    size_t n = u ? strlen(u) : 0;

    if (n < 3 || n > 32 || !(u[0] >= 'a' && u[0] <= 'z'))
        return bm_err_field(err, "username", "用户名应为3至32个字符，以小写字母开头");
    for (size_t i = 0; i < n; i++) {
        char c = u[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
              c == '-'))
            return bm_err_field(err, "username", "用户名只能包含小写字母、数字、下划线、点和连字符");
    }
    return BM_OK;
}

enum bm_rc
bm_user_check_display_name(const char *name, struct bm_err *err)
{
    size_t n = name ? bm_utf8_count(name) : 0;
    if (n < 1 || n > 50)
        return bm_err_field(err, "display_name", "姓名应为1至50个字");
    return BM_OK;
}

enum bm_rc
bm_user_check_password(const char *pw, const char *username, const char *field,
                       struct bm_err *err)
{
    bool letter = false, digit = false;

    if (pw == NULL || bm_utf8_count(pw) < BM_PASSWORD_MIN_CHARS || strlen(pw) > BM_PASSWORD_MAX_BYTES)
        return bm_err_field(err, field, "密码应为8至128个字符");
    for (const char *p = pw; *p; p++) {
        letter |= (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');
        digit |= *p >= '0' && *p <= '9';
    }
    if (!letter || !digit)
        return bm_err_field(err, field, "密码须同时包含字母和数字");
    if (username != NULL && strcmp(pw, username) == 0)
        return bm_err_field(err, field, "密码不能与用户名相同");
    return BM_OK;
}

static bool
digits(const char *s, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

enum bm_rc
bm_user_check_phone(const char *p, struct bm_err *err)
{
    size_t n = p ? strlen(p) : 0;
    const char *dash;

    if (n == 0)
        return BM_OK;
    if (n == 11 && p[0] == '1' && digits(p, 0, 11))
        return BM_OK;
    /* Fixed line: 0 + 2-3 digit area code, '-', 7-8 digits. */
    dash = strchr(p, '-');
    if (dash != NULL && p[0] == '0' && dash - p >= 3 && dash - p <= 4 &&
        digits(p, 0, (size_t)(dash - p)) && n - (size_t)(dash - p) - 1 >= 7 &&
        n - (size_t)(dash - p) - 1 <= 8 && digits(p, (size_t)(dash - p) + 1, n))
        return BM_OK;
    return bm_err_field(err, "phone", "电话应为11位手机号码，或带区号的固定电话（如010-69041234）");
}

enum bm_rc
bm_user_check_roles(unsigned roles, int64_t org_unit_id, struct bm_err *err)
{
    if (roles == 0 || (roles & ~BM_ROLE_ALL) != 0)
        return bm_err_field(err, "roles", "至少需要一个有效角色");
    if ((roles & BM_ROLE_CITIZEN) && roles != BM_ROLE_CITIZEN)
        return bm_err_field(err, "roles", "群众账号不能兼任工作人员角色");
    if (roles == BM_ROLE_CITIZEN && org_unit_id != 0)
        return bm_err_field(err, "org_unit_id", "群众账号不属于任何单位");
    if (roles != BM_ROLE_CITIZEN && org_unit_id == 0)
        return bm_err_field(err, "org_unit_id", "工作人员账号须指定所属单位");
    return BM_OK;
}
