/*
 * Organisation rules: which kind sits under which, and what a division code must look like.
 */
#include "core/org.h"

#include <string.h>

#include "core/checksum.h"
#include "util/utf8.h"

static const struct {
    const char *code, *zh;
} kinds[BM_ORG_KIND_COUNT] = {
    [BM_ORG_COUNTY] = {"county", "县（区）"},
    [BM_ORG_DEPARTMENT] = {"department", "县直部门"},
    [BM_ORG_TOWNSHIP] = {"township", "乡镇（街道）"},
    [BM_ORG_OFFICE] = {"office", "办公室"},
    [BM_ORG_STATION] = {"station", "站所"},
    [BM_ORG_SERVICE_CENTER] = {"service_center", "便民服务中心"},
    [BM_ORG_VILLAGE] = {"village", "行政村（社区）"},
};

static const char *modes[BM_MGMT_COUNT] = {"none", "township", "county", "dual"};

bool
bm_org_kind_parse(const char *code, enum bm_org_kind *out)
{
    for (int i = 0; i < BM_ORG_KIND_COUNT; i++) {
        if (strcmp(code, kinds[i].code) == 0) {
            *out = (enum bm_org_kind)i;
            return true;
        }
    }
    return false;
}

const char *
bm_org_kind_code(enum bm_org_kind k)
{
    return (unsigned)k < BM_ORG_KIND_COUNT ? kinds[k].code : "unknown";
}

const char *
bm_org_kind_name_zh(enum bm_org_kind k)
{
    return (unsigned)k < BM_ORG_KIND_COUNT ? kinds[k].zh : "未知";
}

bool
bm_mgmt_mode_parse(const char *code, enum bm_mgmt_mode *out)
{
    for (int i = 0; i < BM_MGMT_COUNT; i++) {
        if (strcmp(code, modes[i]) == 0) {
            *out = (enum bm_mgmt_mode)i;
            return true;
        }
    }
    return false;
}

const char *
bm_mgmt_mode_code(enum bm_mgmt_mode m)
{
    return (unsigned)m < BM_MGMT_COUNT ? modes[m] : "none";
}

bool
bm_org_parent_allowed(enum bm_org_kind child, enum bm_org_kind parent)
{
    switch (child) {
    case BM_ORG_COUNTY:
        return false;
    case BM_ORG_DEPARTMENT:
    case BM_ORG_TOWNSHIP:
        return parent == BM_ORG_COUNTY;
    case BM_ORG_OFFICE: /* a township office, or a section (科室) of a county department */
    case BM_ORG_STATION: /* a township station, or one dispatched by a department (派驻) */
        return parent == BM_ORG_TOWNSHIP || parent == BM_ORG_DEPARTMENT;
    case BM_ORG_SERVICE_CENTER: /* township centre, or the county's government service centre */
        return parent == BM_ORG_TOWNSHIP || parent == BM_ORG_COUNTY;
    case BM_ORG_VILLAGE:
        return parent == BM_ORG_TOWNSHIP;
    default:
        return false;
    }
}

static bool
all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return s[n] == '\0';
}

static int
segment(const char *code12, int from)
{
    return (code12[from] - '0') * 100 + (code12[from + 1] - '0') * 10 + (code12[from + 2] - '0');
}

const char *
bm_org_township_type(const char *c)
{
    int s;
    if (c == NULL || strlen(c) != 12 || !all_digits(c, 12) || segment(c, 9) != 0)
        return NULL;
    s = segment(c, 6);
    if (s >= 1 && s <= 99)
        return "subdistrict";
    if (s >= 100 && s <= 199)
        return "town";
    if (s >= 200 && s <= 399)
        return "township";
    if (s >= 400 && s <= 599)
        return "combined";
    return NULL;
}

const char *
bm_org_village_type(const char *c)
{
    int s;
    if (c == NULL || strlen(c) != 12 || !all_digits(c, 12))
        return NULL;
    s = segment(c, 9);
    if (s >= 1 && s <= 199)
        return "community";
    if (s >= 200 && s <= 399)
        return "village";
    return NULL;
}

/* County: GB/T 2260, 6 digits, province 11-82, not a prefecture (..00) or province code. */
static enum bm_rc
county_code(const char *in, char out[13], struct bm_err *err)
{
    size_t n = strlen(in);
    if (!((n == 6 && all_digits(in, 6)) || (n == 12 && all_digits(in, 12) &&
                                             strcmp(in + 6, "000000") == 0)))
        return bm_err_field(err, "division_code", "县级区划代码应为6位数字（GB/T 2260）");
    if (memcmp(in, "11", 2) < 0 || memcmp(in, "82", 2) > 0 || memcmp(in + 4, "00", 2) == 0)
        return bm_err_field(err, "division_code", "“%.6s”不是县级行政区划代码", in);
    memcpy(out, in, 6);
    out[6] = '\0';
    return BM_OK;
}

static enum bm_rc
township_code(const char *in, const char *county, char out[13], struct bm_err *err)
{
    size_t n = strlen(in);
    if (!((n == 9 && all_digits(in, 9)) ||
          (n == 12 && all_digits(in, 12) && strcmp(in + 9, "000") == 0)))
        return bm_err_field(err, "division_code",
                            "乡级区划代码应为9位数字，或以000结尾的12位统计用区划代码");
    memcpy(out, in, 9);
    memcpy(out + 9, "000", 4);
    if (county[0] != '\0' && strncmp(out, county, 6) != 0)
        return bm_err_field(err, "division_code", "乡镇区划代码应以所属县的代码%s开头", county);
    if (bm_org_township_type(out) == NULL)
        return bm_err_field(err, "division_code", "乡级代码第7至9位应在001至599之间");
    return BM_OK;
}

static enum bm_rc
village_code(const char *in, const char *township, char out[13], struct bm_err *err)
{
    if (strlen(in) != 12 || !all_digits(in, 12))
        return bm_err_field(err, "division_code", "村级区划代码应为12位数字");
    if (township[0] != '\0' && strncmp(in, township, 9) != 0)
        return bm_err_field(err, "division_code", "村级区划代码应以所属乡镇的代码%.9s开头",
                            township);
    if (bm_org_village_type(in) == NULL)
        return bm_err_field(err, "division_code", "村级代码第10至12位应在001至399之间");
    memcpy(out, in, 13);
    return BM_OK;
}

enum bm_rc
bm_org_validate(const struct bm_org_unit *u, const struct bm_org_unit *parent, char code_out[13],
                struct bm_err *err)
{
    const char *in_code = u->division_code ? u->division_code : "";
    const char *pcode = parent && parent->division_code ? parent->division_code : "";
    size_t name_chars = u->name ? bm_utf8_count(u->name) : 0;
    char code[13] = "";
    if (name_chars < 1 || name_chars > 100)
        (void)bm_err_field(err, "name", "名称应为1至100个字");
    if (u->kind == BM_ORG_COUNTY && parent != NULL)
        (void)bm_err_field(err, "parent_id", "县级单位不能有上级单位");
    if (u->kind != BM_ORG_COUNTY && (parent == NULL || !bm_org_parent_allowed(u->kind, parent->kind)))
        (void)bm_err_field(err, "parent_id", "%s不能设在%s之下", bm_org_kind_name_zh(u->kind),
                           parent ? bm_org_kind_name_zh(parent->kind) : "（无上级）");
    if (u->kind == BM_ORG_STATION && u->mgmt_mode == BM_MGMT_NONE)
        (void)bm_err_field(err, "management_mode", "站所须注明管理方式（乡镇管理、县直部门派驻或双重管理）");
    if (u->kind != BM_ORG_STATION && u->mgmt_mode != BM_MGMT_NONE)
        (void)bm_err_field(err, "management_mode", "只有站所有管理方式");
    if (u->credit_code && u->credit_code[0] != '\0' && !bm_uscc_valid(u->credit_code))
        (void)bm_err_field(err, "credit_code", "统一社会信用代码校验不通过（GB 32100）");

    switch (u->kind) {
    case BM_ORG_COUNTY:
        (void)county_code(in_code, code, err);
        break;
    case BM_ORG_TOWNSHIP:
        (void)township_code(in_code, pcode, code, err);
        break;
    case BM_ORG_VILLAGE:
        (void)village_code(in_code, pcode, code, err);
        break;
    default:
        if (in_code[0] != '\0')
            (void)bm_err_field(err, "division_code", "%s没有行政区划代码",
                               bm_org_kind_name_zh(u->kind));
    }
    if (err->n_fields > 0)
        return BM_EINVAL;
    memcpy(code_out, code, sizeof(code));
    return BM_OK;
}

bool
bm_org_path_prefix(const char *path, int depth, char *out, size_t out_size)
{
    const char *p = path;
    int slashes = 0;
    size_t n;

    if (out_size == 0)
        return false;
    out[0] = '\0';
    if (path == NULL || path[0] != '/')
        return false;
    while (*p && slashes <= depth)
        if (*p++ == '/')
            slashes++;
    if (slashes <= depth || (n = (size_t)(p - path)) >= out_size)
        return false;
    memcpy(out, path, n);
    out[n] = '\0';
    return true;
}
