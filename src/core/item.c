/*
 * Service item enumerations and rules.
 */
#include "core/item.h"

#include <stdio.h>
#include <string.h>

#include "util/utf8.h"

const struct bm_code bm_item_types[] = {
    {"permit", "行政许可"},         {"payment", "行政给付"},     {"confirmation", "行政确认"},
    {"reward", "行政奖励"},         {"adjudication", "行政裁决"}, {"other_power", "其他行政权力"},
    {"public_service", "公共服务"}, {"other", "其他"},           {NULL, NULL},
};

/* The service areas of policy section (四), and the other public services it names. */
const struct bm_code bm_item_categories[] = {
    {"education", "公共教育"},
    {"employment", "劳动就业"},
    {"social_insurance", "社会保险"},
    {"social_assistance", "社会救助与社会福利"},
    {"elderly_care", "养老服务"},
    {"disability", "残疾人服务"},
    {"veterans", "优抚安置"},
    {"health", "医疗卫生"},
    {"family_planning", "计划生育"},
    {"culture_sports", "公共文化体育"},
    {"agriculture", "农业农村"},
    {"poverty_alleviation", "扶贫济困"},
    {"housing", "住房与危房改造"},
    {"environment", "环境保护与卫生"},
    {"public_safety", "公共安全与消防"},
    {"legal_services", "法律服务与矛盾调解"},
    {"other", "其他"},
    {NULL, NULL},
};

const struct bm_code bm_item_objects[] = {
    {"natural_person", "自然人"}, {"legal_person", "法人及其他组织"}, {NULL, NULL}};
const struct bm_code bm_item_levels[] = {{"county", "县级"}, {"township", "乡级"}, {NULL, NULL}};
const struct bm_code bm_item_case_kinds[] = {
    {"immediate", "即办件"}, {"promised", "承诺件"}, {"forwarded", "上报件"},
    {"joint", "联办件"},     {NULL, NULL}};
const struct bm_code bm_item_results[] = {
    {"certificate", "证照"}, {"approval_document", "批文"}, {"other", "其他"}, {NULL, NULL}};
const struct bm_code bm_item_deliveries[] = {
    {"window", "窗口领取"}, {"post", "邮寄送达"}, {"online", "网上送达"}, {NULL, NULL}};
const struct bm_code bm_item_statuses[] = {
    {"draft", "草稿"}, {"published", "已发布"}, {"superseded", "已被新版本取代"},
    {"retired", "已停用"}, {NULL, NULL}};
const struct bm_code bm_material_sources[] = {
    {"applicant", "申请人自备"}, {"government", "政府部门核发"}, {"shared", "共享获取（免提交）"},
    {NULL, NULL}};

int
bm_code_find(const struct bm_code *table, const char *code)
{
    for (int i = 0; code != NULL && table[i].code != NULL; i++)
        if (strcmp(table[i].code, code) == 0)
            return i;
    return -1;
}

size_t
bm_code_count(const struct bm_code *table)
{
    size_t n = 0;
    while (table[n].code != NULL)
        n++;
    return n;
}

bool
bm_item_code_valid(const char *c)
{
    size_t n = c ? strlen(c) : 0;
    if (n < 1 || n > 36)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = c[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_' || ch == '.'))
            return false;
    }
    return true;
}

static bool
in_range(int v, const struct bm_code *table)
{
    return v >= 0 && (size_t)v < bm_code_count(table);
}

static bool
empty(const char *s)
{
    return s == NULL || s[0] == '\0';
}

static size_t
chars(const char *s)
{
    return s ? bm_utf8_count(s) : 0;
}

enum bm_rc
bm_item_check(const struct bm_item *it, struct bm_err *err)
{
    if (!bm_item_code_valid(it->code))
        (void)bm_err_field(err, "code", "事项编码应为1至36位字母、数字、连字符、下划线或点");
    if (chars(it->name) < 2 || chars(it->name) > 200)
        (void)bm_err_field(err, "name", "事项名称应为2至200个字");
    if (!in_range(it->type, bm_item_types))
        (void)bm_err_field(err, "type", "未知的事项类型");
    if (!in_range(it->category, bm_item_categories))
        (void)bm_err_field(err, "category", "未知的服务类别");
    if (!in_range(it->level, bm_item_levels))
        (void)bm_err_field(err, "level", "行使层级应为 county 或 township");
    if (!in_range(it->case_kind, bm_item_case_kinds))
        (void)bm_err_field(err, "case_kind", "未知的办件类型");
    if (!in_range(it->result_type, bm_item_results))
        (void)bm_err_field(err, "result_type", "未知的审批结果类型");
    if (it->objects == 0 || (it->objects & ~(BM_OBJECT_NATURAL | BM_OBJECT_LEGAL)) != 0)
        (void)bm_err_field(err, "service_objects", "至少选择一种服务对象");
    if ((it->deliveries & ~(BM_DELIVERY_WINDOW | BM_DELIVERY_POST | BM_DELIVERY_ONLINE)) != 0)
        (void)bm_err_field(err, "delivery_methods", "未知的送达方式");
    if (it->implementing_unit_id <= 0)
        (void)bm_err_field(err, "implementing_unit_id", "须指定实施主体");
    if (it->legal_days < 0 || it->legal_days > 365)
        (void)bm_err_field(err, "legal_days", "法定办结时限应为0至365个工作日");
    if (it->promised_days < 0 || it->promised_days > 365)
        (void)bm_err_field(err, "promised_days", "承诺办结时限应为0至365个工作日");
    else if (it->legal_days > 0 && it->promised_days > it->legal_days)
        (void)bm_err_field(err, "promised_days", "承诺时限不能超过法定时限（%d个工作日）",
                           it->legal_days);
    if (it->visits < 0 || it->visits > 9)
        (void)bm_err_field(err, "visits", "到办事现场次数应为0至9");
    if (it->online_depth < 0 || it->online_depth > BM_ONLINE_DEPTH_FULL)
        (void)bm_err_field(err, "online_depth", "网上办理深度应为0至4");
    if (it->n_materials > BM_ITEM_MAX_MATERIALS)
        (void)bm_err_field(err, "materials", "材料不能超过%d项", BM_ITEM_MAX_MATERIALS);
    for (size_t i = 0; i < it->n_materials && i < BM_ITEM_MAX_MATERIALS; i++) {
        const struct bm_material *m = &it->materials[i];
        char f[48];
        if (chars(m->name) < 1 || chars(m->name) > 200) {
            (void)snprintf(f, sizeof(f), "materials[%zu].name", i);
            (void)bm_err_field(err, f, "材料名称应为1至200个字");
        }
        if (m->original_count < 0 || m->original_count > 99 || m->copy_count < 0 ||
            m->copy_count > 99) {
            (void)snprintf(f, sizeof(f), "materials[%zu].copies", i);
            (void)bm_err_field(err, f, "原件、复印件份数应为0至99");
        }
        if (!in_range(m->source, bm_material_sources)) {
            (void)snprintf(f, sizeof(f), "materials[%zu].source", i);
            (void)bm_err_field(err, f, "材料来源应为 applicant、government 或 shared");
        }
    }
    return err->n_fields > 0 ? BM_EINVAL : BM_OK;
}

/* Fixed line with area code ("010-69041234"), or the 12345 hotline where allowed. */
static bool
phone_with_area(const char *p, bool allow_12345)
{
    const char *dash;
    size_t n = p ? strlen(p) : 0;

    if (allow_12345 && p != NULL && strcmp(p, "12345") == 0)
        return true;
    if (n < 10 || p[0] != '0' || (dash = strchr(p, '-')) == NULL || dash - p < 3 || dash - p > 4)
        return false;
    for (const char *c = p + 1; *c; c++)
        if (c != dash && (*c < '0' || *c > '9'))
            return false;
    return n - (size_t)(dash - p) - 1 >= 7 && n - (size_t)(dash - p) - 1 <= 8;
}

enum bm_rc
bm_item_check_publish(const struct bm_item *it, struct bm_err *err)
{
    if (bm_item_check(it, err) != BM_OK)
        return BM_EINVAL;
    if (empty(it->conditions))
        (void)bm_err_field(err, "conditions", "发布前须填写受理条件");
    if (empty(it->legal_basis))
        (void)bm_err_field(err, "legal_basis", "发布前须填写设定依据");
    if (it->legal_days == 0 && it->case_kind != BM_CASE_KIND_IMMEDIATE)
        (void)bm_err_field(err, "legal_days", "发布前须填写法定办结时限");
    /* Rule 2: 即办 <=> promised 0. */
    if ((it->promised_days == 0) != (it->case_kind == BM_CASE_KIND_IMMEDIATE))
        (void)bm_err_field(err, "case_kind", "承诺时限为0（即办）当且仅当办件类型为即办件");
    /* Rule 3. */
    if (it->visits > 0 && empty(it->visits_reason))
        (void)bm_err_field(err, "visits_reason", "需到现场办理的，须说明必须现场办理的原因");
    /* Rule 4: nobody comes to the window and it is not fully online: the result is posted. */
    if (it->visits == 0 && it->online_depth < BM_ONLINE_DEPTH_FULL &&
        !(it->deliveries & BM_DELIVERY_POST))
        (void)bm_err_field(err, "delivery_methods", "零跑腿且非全程网办的事项须支持邮寄送达");
    /* Rule 5. */
    if (it->online_depth == BM_ONLINE_DEPTH_FULL && it->visits != 0)
        (void)bm_err_field(err, "visits", "全程网办（Ⅳ级）的事项到现场次数应为0");
    if (it->online_depth > 0 && empty(it->online_url))
        (void)bm_err_field(err, "online_url", "可网上办理的事项须填写网上办理地址");
    /* Rule 6. */
    if (it->is_fee && (empty(it->fee_standard) || empty(it->fee_basis)))
        (void)bm_err_field(err, "fee_standard", "收费事项须填写收费标准和收费依据");
    /* Rule 7. */
    if (!phone_with_area(it->consult_phone, false))
        (void)bm_err_field(err, "consult_phone", "咨询电话须为带区号的固定电话，如010-69041234");
    if (!phone_with_area(it->complaint_phone, true))
        (void)bm_err_field(err, "complaint_phone", "投诉电话须为带区号的固定电话或12345");
    else if (it->consult_phone && strcmp(it->consult_phone, it->complaint_phone) == 0)
        (void)bm_err_field(err, "complaint_phone", "投诉电话不能与咨询电话相同");
    if (it->deliveries == 0)
        (void)bm_err_field(err, "delivery_methods", "至少选择一种出件方式");
    if (empty(it->window_address))
        (void)bm_err_field(err, "window_address", "须填写办理地点");
    /* Rule 10 (licences). */
    if (it->type == bm_code_find(bm_item_types, "permit") && (empty(it->process) || empty(it->faq)))
        (void)bm_err_field(err, "process", "行政许可事项须填写办理流程和常见问题");
    return err->n_fields > 0 ? BM_EINVAL : BM_OK;
}

/* Length of a separator at p (space, comma, U+3000 ideographic space, U+FF0C full-width comma). */
static size_t
separator(const char *p)
{
    if (*p == ' ' || *p == ',' || *p == '\t')
        return 1;
    if (strncmp(p, "\xe3\x80\x80", 3) == 0 || strncmp(p, "\xef\xbc\x8c", 3) == 0 ||
        strncmp(p, "\xe3\x80\x81", 3) == 0)
        return 3;
    return 0;
}

int
bm_item_split_query(const char *q, char *buf, size_t buf_size, const char **terms, int max)
{
    size_t k = 0;
    int n = 0;

    if (q == NULL || bm_utf8_count(q) > 100 || strlen(q) + 1 > buf_size)
        return -1;
    while (*q) {
        size_t sep = separator(q), start;
        if (sep > 0) {
            q += sep;
            continue;
        }
        start = k;
        while (*q && separator(q) == 0)
            buf[k++] = *q++;
        buf[k++] = '\0';
        if (bm_utf8_count(buf + start) > 50)
            return -1;
        if (n < max)
            terms[n++] = buf + start;
    }
    return n;
}
