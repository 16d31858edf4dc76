/*
 * Delegated powers and power lists: validation.
 */
#include "core/delegation.h"

#include <string.h>

#include "util/utf8.h"

const struct bm_code bm_power_types[] = {
    {"permit", "行政许可"},       {"payment", "行政给付"},       {"confirmation", "行政确认"},
    {"reward", "行政奖励"},       {"adjudication", "行政裁决"},   {"penalty", "行政处罚"},
    {"coercion", "行政强制"},     {"inspection", "行政检查"},     {"levy", "行政征收"},
    {"other_power", "其他行政权力"}, {"public_service", "公共服务"}, {NULL, NULL},
};

static size_t
chars(const char *s)
{
    return s ? bm_utf8_count(s) : 0;
}

bool
bm_date_valid(const char *s)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d;

    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1949 || m < 1 || m > 12 || d < 1)
        return false;
    return d <= mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

enum bm_rc
bm_delegation_check(const struct bm_delegation *d, struct bm_err *err)
{
    if (chars(d->name) < 2 || chars(d->name) > 200)
        (void)bm_err_field(err, "name", "下放事项名称应为2至200个字");
    if (d->from_unit_id <= 0)
        (void)bm_err_field(err, "from_unit_id", "须指定下放权力的县直部门");
    if (chars(d->legal_basis) < 2 || chars(d->legal_basis) > 2000)
        (void)bm_err_field(err, "legal_basis", "须填写法律依据（不超过2000字）");
    if (chars(d->approval_document) < 2 || chars(d->approval_document) > 100)
        (void)bm_err_field(err, "approval_document", "须填写批准文件文号（不超过100字）");
    if (chars(d->procedure) > 4000 || chars(d->department_responsibility) > 4000 ||
        chars(d->township_responsibility) > 4000)
        (void)bm_err_field(err, "procedure", "程序和责任说明各不超过4000字");
    if (!bm_date_valid(d->approval_date))
        (void)bm_err_field(err, "approval_date", "批准日期应为YYYY-MM-DD格式的日期");
    if (d->n_townships == 0)
        (void)bm_err_field(err, "township_ids", "至少下放到一个乡镇");
    for (size_t i = 0; i < d->n_townships; i++)
        for (size_t k = 0; k < i; k++)
            if (d->township_ids[i] == d->township_ids[k]) {
                (void)bm_err_field(err, "township_ids", "同一乡镇重复列出");
                i = k = d->n_townships; /* one error is enough */
            }
    return err->n_fields > 0 ? BM_EINVAL : BM_OK;
}

enum bm_rc
bm_power_check(const struct bm_power *p, struct bm_err *err)
{
    if (chars(p->name) < 2 || chars(p->name) > 200)
        (void)bm_err_field(err, "name", "权力名称应为2至200个字");
    if (p->type < 0 || (size_t)p->type >= bm_code_count(bm_power_types))
        (void)bm_err_field(err, "type", "未知的权力类型");
    if (chars(p->legal_basis) < 2 || chars(p->legal_basis) > 2000)
        (void)bm_err_field(err, "legal_basis", "须填写设定依据（不超过2000字）");
    if (p->township_id <= 0)
        (void)bm_err_field(err, "township_id", "须指定乡镇");
    return err->n_fields > 0 ? BM_EINVAL : BM_OK;
}
