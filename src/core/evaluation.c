/*
 * Township performance evaluation: indicator-system validation, scoring rules, ranks and
 * grades (see evaluation.h).
 */
#include "core/evaluation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct bm_code bm_eval_sources[] = {
    {"", "汇总"},
    {"manual", "县直部门评分"},
    {"survey", "第三方评估"},
    {"on_time_rate", "按时办结率"},
    {"satisfaction_rate", "好差评满意率"},
    {"rectification_rate", "差评整改率"},
    {"online_rate", "网办率"},
    {"demand_response_rate", "诉求按时答复率"},
    {"household_coverage", "联系服务群众覆盖率"},
    {"public_satisfaction", "群众满意度"},
    {NULL, NULL},
};

const struct bm_code bm_eval_rules[] = {
    {"", "汇总"},
    {"linear", "线性插值"},
    {"threshold", "分档计分"},
    {"rank", "排名计分"},
    {NULL, NULL},
};

const struct bm_code bm_eval_township_types[] = {
    {"general", "通用"},         {"agricultural", "农业型"}, {"industrial", "工业型"},
    {"ecological", "生态型"},    {"remote", "偏远型"},       {"urban", "城镇型"},
    {NULL, NULL},
};

const struct bm_code bm_eval_grades[] = {
    {"excellent", "优秀"}, {"good", "良好"}, {"pass", "合格"}, {"fail", "不合格"}, {NULL, NULL},
};

const struct bm_code bm_eval_period_statuses[] = {
    {"open", "考核中"}, {"closed", "已关账"}, {"published", "已公示"}, {NULL, NULL},
};

const struct bm_code bm_eval_followup_kinds[] = {
    {"talk", "约谈"}, {"rectify", "整改"}, {"notice", "通报"}, {NULL, NULL},
};

bool
bm_eval_source_parse(const char *code, enum bm_eval_source *out)
{
    int i = code != NULL && code[0] != '\0' ? bm_code_find(bm_eval_sources, code) : -1;
    if (i <= 0)
        return false;
    *out = (enum bm_eval_source)i;
    return true;
}

const char *
bm_eval_source_code(enum bm_eval_source s)
{
    return (unsigned)s < BM_EVAL_SRC_COUNT ? bm_eval_sources[s].code : "";
}

const char *
bm_eval_source_name_zh(enum bm_eval_source s)
{
    return (unsigned)s < BM_EVAL_SRC_COUNT ? bm_eval_sources[s].zh : "";
}

bool
bm_eval_source_is_platform(enum bm_eval_source s)
{
    return s >= BM_EVAL_SRC_ON_TIME_RATE && s <= BM_EVAL_SRC_HOUSEHOLD_COVERAGE;
}

bool
bm_eval_rule_parse(const char *code, enum bm_eval_rule *out)
{
    int i = code != NULL && code[0] != '\0' ? bm_code_find(bm_eval_rules, code) : -1;
    if (i <= 0)
        return false;
    *out = (enum bm_eval_rule)i;
    return true;
}

bool
bm_eval_grade_parse(const char *code, enum bm_eval_grade *out)
{
    int i = code != NULL ? bm_code_find(bm_eval_grades, code) : -1;
    if (i < 0)
        return false;
    *out = (enum bm_eval_grade)i;
    return true;
}

int64_t
bm_eval_e4(double v)
{
    double x = v * BM_EVAL_SCALE; /* half away from zero, without libm */
    return x >= 0 ? (int64_t)(x + 0.5) : -(int64_t)(-x + 0.5);
}

/* A plain decimal number ("95", "0.6", "-1.25"): no exponent, no junk, at most 4 decimals. */
static bool
parse_decimal(const char *s, size_t len, int64_t *out_e4)
{
    char buf[32];
    char *end = NULL;
    const char *dot;
    double v;

    if (len == 0 || len >= sizeof(buf))
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    for (size_t i = 0; i < len; i++)
        if (!((buf[i] >= '0' && buf[i] <= '9') || buf[i] == '.' || (i == 0 && buf[i] == '-')))
            return false;
    dot = strchr(buf, '.');
    if (dot != NULL && (strlen(dot + 1) > 4 || strlen(dot + 1) == 0 || strchr(dot + 1, '.')))
        return false;
    v = strtod(buf, &end);
    if (end != buf + len || !(v < 1e9 && v > -1e9))
        return false;
    *out_e4 = bm_eval_e4(v);
    return true;
}

bool
bm_eval_steps_parse(const char *s, struct bm_eval_step *out, int max, int *n)
{
    int k = 0;

    if (s == NULL || s[0] == '\0')
        return false;
    while (*s != '\0') {
        const char *semi = strchr(s, ';'), *colon;
        size_t len = semi ? (size_t)(semi - s) : strlen(s);

        colon = memchr(s, ':', len);
        if (k == max || colon == NULL)
            return false;
        if (!parse_decimal(s, (size_t)(colon - s), &out[k].min_e4) ||
            !parse_decimal(colon + 1, len - (size_t)(colon - s) - 1, &out[k].fraction_e4))
            return false;
        if (out[k].fraction_e4 < 0 || out[k].fraction_e4 > BM_EVAL_SCALE)
            return false;
        if (k > 0 && out[k].min_e4 >= out[k - 1].min_e4)
            return false;
        k++;
        s += len;
        if (*s == ';') {
            s++;
            if (*s == '\0')
                return false;
        }
    }
    *n = k;
    return true;
}

/* Fixed point as the shortest decimal text ("95", "0.6", "-1.25"). */
static void
format_e4(int64_t v, char *out, size_t out_size)
{
    int64_t a = v < 0 ? -v : v;
    int len = snprintf(out, out_size, "%s%lld.%04lld", v < 0 ? "-" : "",
                       (long long)(a / BM_EVAL_SCALE), (long long)(a % BM_EVAL_SCALE));
    while (len > 0 && out[len - 1] == '0')
        out[--len] = '\0';
    if (len > 0 && out[len - 1] == '.')
        out[--len] = '\0';
}

void
bm_eval_steps_format(const struct bm_eval_step *steps, int n, char *out, size_t out_size)
{
    size_t used = 0;

    if (out_size == 0)
        return;
    out[0] = '\0';
    for (int i = 0; i < n && used < out_size; i++) {
        char a[32], b[32];
        int w;
        format_e4(steps[i].min_e4, a, sizeof(a));
        format_e4(steps[i].fraction_e4, b, sizeof(b));
        w = snprintf(out + used, out_size - used, "%s%s:%s", i ? ";" : "", a, b);
        if (w < 0)
            return;
        used += (size_t)w;
    }
}

static int
find_code(const struct bm_eval_indicator *ind, size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(ind[i].code, code) == 0)
            return (int)i;
    return -1;
}

bool
bm_eval_is_inner(const struct bm_eval_indicator *ind, size_t n, size_t i)
{
    for (size_t k = 0; k < n; k++)
        if (strcmp(ind[k].parent_code, ind[i].code) == 0)
            return true;
    return false;
}

static enum bm_rc
field(struct bm_err *err, size_t i, const char *name, const char *msg)
{
    char f[48];
    snprintf(f, sizeof(f), "indicators[%zu].%s", i, name);
    return bm_err_field(err, f, "%s", msg);
}

enum bm_rc
bm_eval_plan_check(const struct bm_eval_indicator *ind, size_t n, struct bm_err *err)
{
    int before = err != NULL ? err->n_fields : 0;
    bool structure_ok = true;

    if (n == 0)
        return bm_err_field(err, "indicators", "请至少设置一项指标");
    if (n > BM_EVAL_MAX_INDICATORS)
        return bm_err_field(err, "indicators", "指标不能超过 %d 项", BM_EVAL_MAX_INDICATORS);
    for (size_t i = 0; i < n; i++) {
        const char *p = ind[i].parent_code;
        if (ind[i].code == NULL || ind[i].code[0] == '\0') {
            (void)field(err, i, "code", "请填写指标编码");
            structure_ok = false;
        } else if (find_code(ind, n, ind[i].code) != (int)i) {
            (void)field(err, i, "code", "指标编码重复");
            structure_ok = false;
        }
        if (ind[i].name == NULL || ind[i].name[0] == '\0')
            (void)field(err, i, "name", "请填写指标名称");
        if (p != NULL && p[0] != '\0' && find_code(ind, n, p) < 0) {
            (void)field(err, i, "parent_code", "上级指标不存在");
            structure_ok = false;
        }
        if (ind[i].weight_e4 <= 0)
            (void)field(err, i, "weight", "权重应大于 0");
    }
    /* No cycles, bounded depth: walk up from every node. */
    for (size_t i = 0; structure_ok && i < n; i++) {
        int cur = (int)i, depth = 1;
        while (ind[cur].parent_code[0] != '\0') {
            cur = find_code(ind, n, ind[cur].parent_code);
            if (++depth > BM_EVAL_MAX_DEPTH || cur == (int)i)
                break;
        }
        if (cur == (int)i && ind[i].parent_code[0] != '\0') {
            (void)field(err, i, "parent_code", "指标的上下级关系形成了循环");
            structure_ok = false;
        } else if (depth > BM_EVAL_MAX_DEPTH) {
            (void)field(err, i, "parent_code", "指标层级过深（最多 4 级）");
            structure_ok = false;
        }
    }
    if (!structure_ok)
        return BM_EINVAL;
    /* Weights: the top level adds up to 100, the children of a node to its weight. */
    {
        int64_t top = 0;
        for (size_t i = 0; i < n; i++)
            if (ind[i].parent_code[0] == '\0')
                top += ind[i].weight_e4;
        if (top != BM_EVAL_TOTAL_E4)
            (void)bm_err_field(err, "indicators", "一级指标权重之和应为 100（现为 %.4g）",
                               (double)top / BM_EVAL_SCALE);
    }
    for (size_t i = 0; i < n; i++) {
        enum bm_eval_source src;
        enum bm_eval_rule rule;
        bool inner = bm_eval_is_inner(ind, n, i);
        int64_t sum = 0;

        if (inner) {
            for (size_t k = 0; k < n; k++)
                if (strcmp(ind[k].parent_code, ind[i].code) == 0)
                    sum += ind[k].weight_e4;
            if (sum != ind[i].weight_e4) {
                char msg[128];
                snprintf(msg, sizeof(msg), "下级指标权重之和（%.4g）应等于本指标权重（%.4g）",
                         (double)sum / BM_EVAL_SCALE, (double)ind[i].weight_e4 / BM_EVAL_SCALE);
                (void)field(err, i, "weight", msg);
            }
            if ((ind[i].source && ind[i].source[0]) || (ind[i].rule && ind[i].rule[0]))
                (void)field(err, i, "source", "有下级指标的指标按下级得分汇总，不设数据来源和计分规则");
            continue;
        }
        if (!bm_eval_source_parse(ind[i].source, &src))
            (void)field(err, i, "source", "数据来源无效");
        if (!bm_eval_rule_parse(ind[i].rule, &rule)) {
            (void)field(err, i, "rule", "应为 linear、threshold 或 rank");
            continue;
        }
        if (rule == BM_EVAL_RULE_LINEAR && ind[i].floor_e4 == ind[i].target_e4)
            (void)field(err, i, "target", "目标值不能等于起评值");
        if (rule == BM_EVAL_RULE_THRESHOLD) {
            struct bm_eval_step st[BM_EVAL_MAX_STEPS];
            int k = 0;
            if (!bm_eval_steps_parse(ind[i].steps, st, BM_EVAL_MAX_STEPS, &k))
                (void)field(err, i, "steps",
                            "分档应从高到低排列，每档写明最低值和得分比例（0～1），最多 8 档");
        }
        if (ind[i].department_id != 0 && (!bm_eval_source_parse(ind[i].source, &src) ||
                                           src != BM_EVAL_SRC_MANUAL))
            (void)field(err, i, "department_id", "只有县直部门评分的指标才指定评分部门");
    }
    return err != NULL && err->n_fields > before ? BM_EINVAL : BM_OK;
}

enum bm_rc
bm_eval_thresholds_check(int64_t excellent_e4, int64_t good_e4, int64_t pass_e4,
                         struct bm_err *err)
{
    if (pass_e4 <= 0 || pass_e4 > good_e4 || good_e4 > excellent_e4 ||
        excellent_e4 > BM_EVAL_TOTAL_E4)
        return bm_err_field(err, "grades", "等次分数线应满足 0 < 合格 ≤ 良好 ≤ 优秀 ≤ 100");
    return BM_OK;
}

static double
clamp01(double v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

double
bm_eval_fraction(const struct bm_eval_indicator *leaf, double value)
{
    enum bm_eval_rule rule = BM_EVAL_RULE_NONE;
    double lo = (double)leaf->floor_e4 / BM_EVAL_SCALE;
    double hi = (double)leaf->target_e4 / BM_EVAL_SCALE;

    (void)bm_eval_rule_parse(leaf->rule, &rule);
    if (rule == BM_EVAL_RULE_LINEAR && hi != lo)
        return clamp01((value - lo) / (hi - lo)); /* also right when lower is better */
    if (rule == BM_EVAL_RULE_THRESHOLD) {
        struct bm_eval_step st[BM_EVAL_MAX_STEPS];
        int n = 0;
        if (!bm_eval_steps_parse(leaf->steps, st, BM_EVAL_MAX_STEPS, &n))
            return 0;
        for (int k = 0; k < n; k++)
            if (bm_eval_e4(value) >= st[k].min_e4)
                return (double)st[k].fraction_e4 / BM_EVAL_SCALE;
    }
    return 0;
}

double
bm_eval_rank_fraction(int rank, int n)
{
    if (n <= 1)
        return 1;
    return clamp01((double)(n - rank) / (double)(n - 1));
}

void
bm_eval_score(const struct bm_eval_indicator *ind, size_t n, size_t n_towns,
              const double *values, const bool *has, double *scores, double *totals)
{
    for (size_t t = 0; t < n_towns; t++)
        for (size_t i = 0; i < n; i++)
            scores[t * n + i] = 0;
    for (size_t i = 0; i < n; i++) {
        enum bm_eval_rule rule = BM_EVAL_RULE_NONE;
        double w = (double)ind[i].weight_e4 / BM_EVAL_SCALE;
        int n_ranked = 0;

        if (bm_eval_is_inner(ind, n, i))
            continue;
        (void)bm_eval_rule_parse(ind[i].rule, &rule);
        for (size_t t = 0; t < n_towns; t++)
            n_ranked += has[t * n + i];
        for (size_t t = 0; t < n_towns; t++) {
            double v = values[t * n + i];
            if (!has[t * n + i])
                continue;
            if (rule == BM_EVAL_RULE_RANK) {
                int rank = 1; /* higher is better; equal values share the better rank */
                for (size_t u = 0; u < n_towns; u++)
                    if (has[u * n + i] && values[u * n + i] > v)
                        rank++;
                scores[t * n + i] = w * bm_eval_rank_fraction(rank, n_ranked);
            } else {
                scores[t * n + i] = w * bm_eval_fraction(&ind[i], v);
            }
        }
    }
    /* Inner nodes and totals: add each leaf to every ancestor. */
    for (size_t t = 0; t < n_towns; t++) {
        totals[t] = 0;
        for (size_t i = 0; i < n; i++) {
            int cur;
            if (bm_eval_is_inner(ind, n, i))
                continue;
            totals[t] += scores[t * n + i];
            cur = (int)i;
            for (int d = 0; d < BM_EVAL_MAX_DEPTH && ind[cur].parent_code[0] != '\0'; d++) {
                cur = find_code(ind, n, ind[cur].parent_code);
                if (cur < 0)
                    break;
                scores[t * n + (size_t)cur] += scores[t * n + i];
            }
        }
    }
}

void
bm_eval_ranks(const int64_t *totals_e4, size_t n, int *ranks)
{
    for (size_t i = 0; i < n; i++) {
        ranks[i] = 1;
        for (size_t k = 0; k < n; k++)
            if (totals_e4[k] > totals_e4[i])
                ranks[i]++;
    }
}

enum bm_eval_grade
bm_eval_grade_of(int64_t total_e4, int64_t excellent_e4, int64_t good_e4, int64_t pass_e4,
                 enum bm_eval_grade cap)
{
    enum bm_eval_grade g = total_e4 >= excellent_e4 ? BM_EVAL_EXCELLENT
                           : total_e4 >= good_e4    ? BM_EVAL_GOOD
                           : total_e4 >= pass_e4    ? BM_EVAL_PASS
                                                    : BM_EVAL_FAIL;
    return g > cap ? g : cap; /* a larger value is a worse grade */
}

enum bm_rc
bm_eval_veto_check(const char *doc_no, const char *body, bool has_date, struct bm_err *err)
{
    int before = err != NULL ? err->n_fields : 0;

    if (doc_no == NULL || doc_no[0] == '\0')
        (void)bm_err_field(err, "approval_doc_no", "请填写省委、省政府批准该否决项的文号");
    if (body == NULL || body[0] == '\0')
        (void)bm_err_field(err, "approving_body", "请填写批准机关");
    if (!has_date)
        (void)bm_err_field(err, "approval_date", "请填写批准日期（YYYY-MM-DD）");
    if (err != NULL && err->n_fields > before)
        return bm_err_set(err, BM_EINVAL,
                          "一票否决事项须经省委、省政府批准：没有批准记录（文号、批准机关、日期）"
                          "的否决项不能适用");
    return BM_OK;
}
