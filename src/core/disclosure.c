/*
 * Disclosure categories, publication states and the visibility window (docs/domain.md 9).
 */
#include "core/disclosure.h"

#include <stddef.h>
#include <string.h>

#include "core/calendar.h"
#include "util/utf8.h"

/*
 * Township categories: the proactive-disclosure items of 政府信息公开条例 art. 20 and the
 * township additions of art. 21 (domain.md 9.1), with the areas of the basic-level catalogs
 * (9.2). Village categories: 村民委员会组织法 art. 30 (9.3); ordinary matters at least
 * quarterly, finances monthly where transactions are frequent, major matters immediately.
 */
const struct bm_pub_category bm_pub_categories[] = {
    {"normative_documents", "规章和规范性文件", BM_PUB_TOWNSHIP, "timely"},
    {"organization", "机构职能和联系方式", BM_PUB_TOWNSHIP, "timely"},
    {"plans_policies", "发展规划和相关政策", BM_PUB_TOWNSHIP, "timely"},
    {"statistics", "统计信息", BM_PUB_TOWNSHIP, "timely"},
    {"services", "行政许可和公共服务", BM_PUB_TOWNSHIP, "timely"},
    {"penalties", "行政处罚和行政强制", BM_PUB_TOWNSHIP, "timely"},
    {"budget", "财政预算和决算", BM_PUB_TOWNSHIP, "timely"},
    {"fees", "行政事业性收费", BM_PUB_TOWNSHIP, "timely"},
    {"procurement", "政府采购", BM_PUB_TOWNSHIP, "timely"},
    {"public_resources", "公共资源交易", BM_PUB_TOWNSHIP, "timely"},
    {"major_projects", "重大建设项目", BM_PUB_TOWNSHIP, "timely"},
    {"social_assistance", "社会救助", BM_PUB_TOWNSHIP, "timely"},
    {"employment_social_security", "就业和社会保险", BM_PUB_TOWNSHIP, "timely"},
    {"rural_revitalization", "扶贫和乡村振兴", BM_PUB_TOWNSHIP, "timely"},
    {"agricultural_policies", "农业农村政策和涉农补贴", BM_PUB_TOWNSHIP, "timely"},
    {"farmland_water", "农田水利工程建设", BM_PUB_TOWNSHIP, "timely"},
    {"land_contract_transfer", "农村土地承包经营权流转", BM_PUB_TOWNSHIP, "timely"},
    {"homestead", "宅基地使用审核", BM_PUB_TOWNSHIP, "timely"},
    {"expropriation", "土地和房屋征收", BM_PUB_TOWNSHIP, "timely"},
    {"fund_labour_raising", "筹资筹劳", BM_PUB_TOWNSHIP, "timely"},
    {"emergency", "突发事件应对", BM_PUB_TOWNSHIP, "immediate"},
    {"supervision_results", "环境、卫生、安全生产、食品药品监督检查结果", BM_PUB_TOWNSHIP, "timely"},
    {"recruitment", "招录招聘", BM_PUB_TOWNSHIP, "timely"},
    {"other_government", "其他政府信息", BM_PUB_TOWNSHIP, "timely"},

    {"village_decisions", "村民会议和村民代表会议决定事项及实施情况", BM_PUB_VILLAGE, "quarterly"},
    {"village_finances", "村集体财务收支", BM_PUB_VILLAGE, "monthly"},
    {"collective_assets", "集体资产和资源", BM_PUB_VILLAGE, "quarterly"},
    {"village_projects", "村级工程项目", BM_PUB_VILLAGE, "immediate"},
    {"relief_subsidies", "救灾救助、补贴补助和社会捐赠款物的管理使用", BM_PUB_VILLAGE, "quarterly"},
    {"subsistence_list", "低保和特困供养名单", BM_PUB_VILLAGE, "quarterly"},
    {"family_planning", "计划生育政策落实方案", BM_PUB_VILLAGE, "quarterly"},
    {"assist_government", "协助人民政府开展的工作", BM_PUB_VILLAGE, "quarterly"},
    {"other_village", "其他涉及村民利益的事项", BM_PUB_VILLAGE, "quarterly"},
    {NULL, NULL, BM_PUB_TOWNSHIP, NULL},
};

const struct bm_pub_category *
bm_pub_category_find(const char *code)
{
    for (size_t i = 0; code != NULL && bm_pub_categories[i].code != NULL; i++)
        if (strcmp(bm_pub_categories[i].code, code) == 0)
            return &bm_pub_categories[i];
    return NULL;
}

static const char *const stored_codes[] = {"draft", "released", "withdrawn"};
static const char *const status_codes[] = {"draft", "scheduled", "published", "withdrawn"};
static const char *const status_zh[] = {"草稿", "待发布", "已发布", "已撤下"};

const char *
bm_pub_stored_code(enum bm_pub_stored s)
{
    return (unsigned)s < 3 ? stored_codes[s] : "draft";
}

bool
bm_pub_stored_parse(const char *code, enum bm_pub_stored *out)
{
    for (int i = 0; i < 3; i++)
        if (code != NULL && strcmp(code, stored_codes[i]) == 0) {
            *out = (enum bm_pub_stored)i;
            return true;
        }
    return false;
}

const char *
bm_pub_status_code(enum bm_pub_status s)
{
    return (unsigned)s < 4 ? status_codes[s] : "draft";
}

const char *
bm_pub_status_zh(enum bm_pub_status s)
{
    return (unsigned)s < 4 ? status_zh[s] : "草稿";
}

enum bm_pub_status
bm_pub_status_at(enum bm_pub_stored s, int64_t publish_at, int64_t withdraw_at, int64_t now)
{
    if (s == BM_PUB_S_DRAFT)
        return BM_PUB_DRAFT;
    if (s == BM_PUB_S_WITHDRAWN || (withdraw_at != 0 && now >= withdraw_at))
        return BM_PUB_WITHDRAWN;
    return now < publish_at ? BM_PUB_SCHEDULED : BM_PUB_PUBLISHED;
}

bool
bm_pub_visible(enum bm_pub_stored s, int64_t publish_at, int64_t withdraw_at, int64_t now)
{
    return bm_pub_status_at(s, publish_at, withdraw_at, now) == BM_PUB_PUBLISHED;
}

bool
bm_pub_editable(enum bm_pub_stored s, int64_t publish_at, int64_t now)
{
    return s == BM_PUB_S_DRAFT || (s == BM_PUB_S_RELEASED && now < publish_at);
}

/* Plain text: valid UTF-8 with no control characters but those `allowed`. */
static bool
plain(const char *s, const char *allowed)
{
    if (!bm_utf8_valid(s, strlen(s)))
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 || *p == 0x7f) && strchr(allowed, *p) == NULL)
            return false;
    return true;
}

enum bm_rc
bm_pub_check(enum bm_pub_level level, const char *category, const char *title, const char *body,
             struct bm_err *err)
{
    const struct bm_pub_category *c = bm_pub_category_find(category);
    size_t n;

    if (c == NULL)
        (void)bm_err_field(err, "category", "未知的公开类别");
    else if (c->level != level)
        (void)bm_err_field(err, "category", level == BM_PUB_VILLAGE
                                                ? "“%s”是乡镇政务公开类别，村务公开不能使用"
                                                : "“%s”是村务公开类别，乡镇政务公开不能使用",
                           c->zh);
    n = title != NULL ? strlen(title) : 0;
    if (n == 0 || !plain(title, "") || bm_utf8_count(title) > BM_PUB_TITLE_MAX)
        (void)bm_err_field(err, "title", "标题应为1至%d个字，不含换行和控制字符", BM_PUB_TITLE_MAX);
    else {
        /* A title of spaces only says nothing. */
        bool blank = true;
        for (const char *p = title; *p && blank; p++)
            blank = *p == ' ';
        if (blank)
            (void)bm_err_field(err, "title", "标题不能为空");
    }
    if (body == NULL || !plain(body, "\t\n\r") || bm_utf8_count(body) > BM_PUB_BODY_MAX)
        (void)bm_err_field(err, "body", "正文应为不超过%d个字的纯文本", BM_PUB_BODY_MAX);
    return err != NULL && err->n_fields > 0 ? BM_EINVAL : BM_OK;
}

enum bm_rc
bm_pub_check_window(int64_t publish_at, int64_t withdraw_at, int64_t now, struct bm_err *err)
{
    if (withdraw_at != 0 && withdraw_at <= publish_at)
        return bm_err_field(err, "withdraw_at", "撤下时间应晚于发布时间");
    if (withdraw_at != 0 && withdraw_at <= now)
        return bm_err_field(err, "withdraw_at", "撤下时间应晚于当前时间");
    return BM_OK;
}

/* Reads exactly `n` digits at *p. */
static bool
digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return true;
}

bool
bm_pub_parse_instant(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 1;
    const char *p = s;
    bm_day day;

    if (s == NULL || !digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
        !digits(&p, 2, &d) || (*p != 'T' && *p != 't' && *p != ' '))
        return false;
    p++;
    if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi) || *p++ != ':' ||
        !digits(&p, 2, &sec))
        return false;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        sign = *p++ == '-' ? -1 : 1;
        if (!digits(&p, 2, &oh) || *p++ != ':' || !digits(&p, 2, &om) || oh > 23 || om > 59)
            return false;
    } else {
        return false;
    }
    if (*p != '\0' || h > 23 || mi > 59 || sec > 59 || !bm_day_from_ymd(y, mo, d, &day))
        return false;
    *out = (int64_t)day * 86400 + h * 3600 + mi * 60 + sec - sign * (oh * 3600 + om * 60);
    return true;
}
