/*
 * Unit tests for src/io/case_docs.c: each document kind renders its essential content,
 * text is HTML-escaped, required fields give BM_EINVAL naming the field, optional fields
 * are simply left out, the buffer maximum gives BM_ETOOBIG, and the QR SVG is checked
 * module by module against the matrix libqrencode itself produces.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <qrencode.h>

#include "io/case_docs.h"

#define BIG (1u << 20)

static const char url[] = "https://bianmin.example.gov.cn/progress?case=QZ20260210000123&code=7K3M9P";

static const struct bm_case_doc_material mats[] = {
    {"居民身份证", true, "已提交"},
    {"户口簿", true, "免提交（电子证照）"},
    {"房屋权属证明", true, "缺少"},
    {"村民委员会意见", true, "不符合法定形式：缺少村委会盖章"},
    {"其他补充材料", false, NULL},
};
#define N_MATS (sizeof(mats) / sizeof(mats[0]))

static struct bm_case_doc
full_doc(enum bm_case_doc_kind kind)
{
    struct bm_case_doc d = {
        .kind = kind,
        .issuer = "青石镇人民政府",
        .window = "青石镇便民服务中心综合受理窗口",
        .case_no = "QZ20260210000123",
        .query_code = "7K3M9P",
        .item_name = "农村村民宅基地申请",
        .item_code = "330110-ZJD-001",
        .applicant_name = "王小明",
        .applicant_id = "3301**********1234",
        .phone = "138****5678",
        .submitted_date = "2026年2月10日",
        .accepted_date = "2026年2月11日",
        .due_date = "2026年3月11日",
        .decided_date = "2026年3月2日",
        .issued_date = "2026年2月11日",
        .promised_days = 15,
        .handling_unit = "青石镇自然资源所",
        .decision = "准予",
        .reason = "申请人已有宅基地面积超过规定标准。",
        .remedy = NULL,
        .delivery = "窗口领取",
        .window_address = "青石镇人民路1号",
        .office_hours = "周一至周五 8:30-12:00，14:00-17:30",
        .consult_phone = "0571-12345678",
        .complaint_phone = "12345",
        .progress_url = url,
        .materials = mats,
        .n_materials = N_MATS,
    };
    return d;
}

/* Renders into a fresh buffer of `max` bytes; the caller frees *out with bm_buf_fini. */
static enum bm_rc
render(const struct bm_case_doc *d, size_t max, struct bm_buf *out, struct bm_err *err)
{
    bm_buf_init(out, max);
    bm_err_clear(err);
    return bm_io_case_doc_html(d, out, err);
}

static bool
has_field(const struct bm_err *err, const char *field)
{
    for (int i = 0; i < err->n_fields && i < BM_ERR_FIELDS; i++)
        if (strcmp(err->fields[i].field, field) == 0)
            return true;
    return false;
}

static int
count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

#define assert_has(s, needle)                                                                    \
    do {                                                                                         \
        if (strstr((s), (needle)) == NULL)                                                       \
            fail_msg("missing: %s", (needle));                                                   \
    } while (0)
#define assert_lacks(s, needle)                                                                  \
    do {                                                                                         \
        if (strstr((s), (needle)) != NULL)                                                       \
            fail_msg("unexpected: %s", (needle));                                                \
    } while (0)

/* Every document is a complete page laid out for A4. */
static void
assert_page(const char *html, const char *title)
{
    char buf[128];

    assert_true(strncmp(html, "<!doctype html>", 15) == 0);
    assert_has(html, "<html lang=\"zh-CN\">");
    assert_has(html, "<meta charset=\"utf-8\">");
    snprintf(buf, sizeof(buf), "<title>%s", title);
    assert_has(html, buf);
    snprintf(buf, sizeof(buf), "<h1>%s</h1>", title);
    assert_has(html, buf);
    assert_has(html, "@page{size:A4");
    assert_has(html, "\"SimSun\",\"Songti SC\",\"Noto Serif CJK SC\"");
    assert_has(html, "@media print{");
    assert_has(html, ".toolbar{display:none}");
    assert_has(html, "Ctrl+P");
    assert_null(strstr(html, "onclick"));
    assert_has(html, "<header class=\"issuer\">青石镇人民政府</header>");
    assert_has(html, "（盖章）");
    assert_lacks(html, "(null)");
    assert_true(strcmp(html + strlen(html) - 8, "</html>\n") == 0);
}

/* ---- QR matrix from the SVG path ---- */

struct qr_grid {
    int view, size_px, n_paths, n_dark;
    unsigned char *dark; /* view * view */
};

/*
 * Parses the first <svg> in `s`: the viewBox, the width, and the one path's "MX Yh N v1 h-N z"
 * runs into a grid of view*view modules. Fails the test on anything unexpected.
 */
static void
parse_svg(const char *s, struct qr_grid *g)
{
    const char *svg = strstr(s, "<svg "), *end, *p;
    int w2 = -1, h = -1, v0 = -1, v1 = -1, v2 = -1;

    assert_non_null(svg);
    end = strstr(svg, "</svg>");
    assert_non_null(end);
    p = strstr(svg, "viewBox=\"");
    assert_true(p != NULL && p < end);
    assert_int_equal(sscanf(p, "viewBox=\"%d %d %d %d\"", &v0, &v1, &g->view, &v2), 4);
    assert_int_equal(v0, 0);
    assert_int_equal(v1, 0);
    assert_int_equal(v2, g->view);
    p = strstr(svg, " width=\"");
    assert_true(p != NULL && p < end);
    assert_int_equal(sscanf(p, " width=\"%d\"", &w2), 1);
    p = strstr(svg, " height=\"");
    assert_true(p != NULL && p < end);
    assert_int_equal(sscanf(p, " height=\"%d\"", &h), 1);
    assert_int_equal(w2, h);
    g->size_px = w2;

    g->n_paths = 0;
    for (p = strstr(svg, "<path"); p != NULL && p < end; p = strstr(p + 1, "<path"))
        g->n_paths++;

    g->dark = calloc((size_t)g->view * (size_t)g->view, 1);
    assert_non_null(g->dark);
    g->n_dark = 0;
    p = strstr(strstr(svg, "<path"), " d=\"");
    assert_non_null(p);
    p += 4;
    while (*p != '"') {
        int x, y, n, n2, used = 0;
        assert_int_equal(sscanf(p, "M%d %dh%dv1h-%dz%n", &x, &y, &n, &n2, &used), 4);
        assert_true(used > 0);
        assert_int_equal(n, n2);
        assert_true(n > 0 && x >= 0 && y >= 0 && x + n <= g->view && y < g->view);
        for (int i = 0; i < n; i++) {
            unsigned char *cell = &g->dark[(size_t)y * (size_t)g->view + (size_t)(x + i)];
            assert_int_equal(*cell, 0); /* no module drawn twice */
            *cell = 1;
            g->n_dark++;
        }
        p += used;
    }
}

/* The grid must be the library's matrix for `text`, inside a 4-module quiet zone. */
static void
assert_grid_is_qr(const struct qr_grid *g, const char *text)
{
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    int n_dark = 0;

    assert_non_null(qr);
    assert_int_equal(g->view, qr->width + 8);
    for (int y = 0; y < g->view; y++) {
        for (int x = 0; x < g->view; x++) {
            int lib = 0;
            if (x >= 4 && y >= 4 && x < qr->width + 4 && y < qr->width + 4)
                lib = qr->data[(y - 4) * qr->width + (x - 4)] & 1;
            n_dark += lib;
            if (g->dark[y * g->view + x] != lib)
                fail_msg("module (%d,%d): svg %d, libqrencode %d", x, y,
                         g->dark[y * g->view + x], lib);
        }
    }
    assert_int_equal(g->n_dark, n_dark);
    assert_true(n_dark > 0);
    QRcode_free(qr);
}

/* ---- tests ---- */

static void
test_kind_parse_code(void **state)
{
    (void)state;
    for (int k = 0; k < BM_DOC_KIND_COUNT; k++) {
        const char *code = bm_case_doc_kind_code((enum bm_case_doc_kind)k);
        assert_non_null(code);
        assert_int_equal(bm_case_doc_kind_parse(code), k);
    }
    assert_string_equal(bm_case_doc_kind_code(BM_DOC_RECEIPT), "receipt");
    assert_string_equal(bm_case_doc_kind_code(BM_DOC_SUPPLEMENT_NOTICE), "supplement_notice");
    assert_string_equal(bm_case_doc_kind_code(BM_DOC_REFUSAL_NOTICE), "refusal_notice");
    assert_string_equal(bm_case_doc_kind_code(BM_DOC_COMPLETION_NOTICE), "completion_notice");
    assert_int_equal(bm_case_doc_kind_parse("certificate"), -1);
    assert_int_equal(bm_case_doc_kind_parse("Receipt"), -1);
    assert_int_equal(bm_case_doc_kind_parse("receipt "), -1);
    assert_int_equal(bm_case_doc_kind_parse(""), -1);
    assert_int_equal(bm_case_doc_kind_parse(NULL), -1);
    assert_null(bm_case_doc_kind_code(BM_DOC_KIND_COUNT));
}

static void
test_receipt(void **state)
{
    struct bm_case_doc d = full_doc(BM_DOC_RECEIPT);
    struct bm_buf b;
    struct bm_err err;
    struct qr_grid g;

    (void)state;
    assert_int_equal(render(&d, BIG, &b, &err), BM_OK);
    assert_page(b.ptr, "受理回执");
    assert_has(b.ptr, "编号：QZ20260210000123");
    assert_has(b.ptr, "查询码：<span class=\"code\">7K3M9P</span>");
    assert_has(b.ptr, "扫码查询办理进度");
    assert_has(b.ptr, "<p class=\"url\">https://bianmin.example.gov.cn/progress?case=QZ20260210000123"
                      "&amp;code=7K3M9P</p>");
    assert_has(b.ptr, "决定予以受理");
    /* key facts */
    assert_has(b.ptr, "<th scope=\"row\">事项名称</th><td>农村村民宅基地申请</td>");
    assert_has(b.ptr, "<th scope=\"row\">事项编码</th><td>330110-ZJD-001</td>");
    assert_has(b.ptr, "<th scope=\"row\">申请人</th><td>王小明</td>");
    assert_has(b.ptr, "<th scope=\"row\">证件号码</th><td>3301**********1234</td>");
    assert_has(b.ptr, "<th scope=\"row\">联系电话</th><td>138****5678</td>");
    assert_has(b.ptr, "<th scope=\"row\">申请时间</th><td>2026年2月10日</td>");
    assert_has(b.ptr, "<th scope=\"row\">受理时间</th><td>2026年2月11日</td>");
    assert_has(b.ptr, "<th scope=\"row\">承诺办结时限</th><td>15个工作日</td>");
    assert_has(b.ptr, "<th scope=\"row\">预计办结日期</th><td>2026年3月11日</td>");
    assert_has(b.ptr, "<th scope=\"row\">承办单位</th><td>青石镇自然资源所</td>");
    /* every material with its state */
    for (size_t i = 0; i < N_MATS; i++)
        assert_has(b.ptr, mats[i].name);
    assert_has(b.ptr, "免提交（电子证照）");
    assert_has(b.ptr, "不符合法定形式：缺少村委会盖章");
    /* footer */
    assert_has(b.ptr, "窗口地址：青石镇人民路1号");
    assert_has(b.ptr, "办公时间：周一至周五 8:30-12:00，14:00-17:30");
    assert_has(b.ptr, "咨询电话：0571-12345678");
    assert_has(b.ptr, "投诉电话：12345");
    assert_has(b.ptr, "<div class=\"sign\"><p>青石镇人民政府</p><p class=\"seal\">（盖章）</p>"
                      "<p>2026年2月11日</p></div>");
    /* the QR code is the progress URL's, 140 px, the only one on the page */
    assert_int_equal(count(b.ptr, "<svg "), 1);
    assert_has(b.ptr, "aria-label=\"办件进度查询二维码\"");
    parse_svg(b.ptr, &g);
    assert_int_equal(g.size_px, 140);
    assert_int_equal(g.n_paths, 1);
    assert_grid_is_qr(&g, url);
    free(g.dark);
    bm_buf_fini(&b);
}

static void
test_receipt_instant_item(void **state)
{
    struct bm_case_doc d = full_doc(BM_DOC_RECEIPT);
    struct bm_buf b;
    struct bm_err err;

    (void)state;
    d.promised_days = 0;
    assert_int_equal(render(&d, BIG, &b, &err), BM_OK);
    assert_has(b.ptr, "<th scope=\"row\">承诺办结时限</th><td>即办</td>");
    assert_has(b.ptr, "即办件");
    assert_lacks(b.ptr, "个工作日");
    bm_buf_fini(&b);
}

static void
test_receipt_requires_code_and_url(void **state)
{
    struct bm_case_doc d = full_doc(BM_DOC_RECEIPT);
    struct bm_buf b;
    struct bm_err err;

    (void)state;
    d.query_code = NULL;
    d.progress_url = "";
    assert_int_equal(render(&d, BIG, &b, &err), BM_EINVAL);
    assert_int_equal(err.rc, BM_EINVAL);
    assert_int_equal(err.n_fields, 2);
    assert_true(has_field(&err, "query_code"));
    assert_true(has_field(&err, "progress_url"));
    assert_int_equal(b.len, 0);
    bm_buf_fini(&b);

    d = full_doc(BM_DOC_RECEIPT);
    d.progress_url = NULL;
    assert_int_equal(render(&d, BIG, &b, &err), BM_EINVAL);
    assert_int_equal(err.n_fields, 1);
    assert_string_equal(err.fields[0].field, "progress_url");
    bm_buf_fini(&b);

    d = full_doc(BM_DOC_RECEIPT);
    d.query_code = "  ";
    assert_int_equal(render(&d, BIG, &b, &err), BM_EINVAL);
    assert_int_equal(err.n_fields, 1);
    assert_string_equal(err.fields[0].field, "query_code");
    bm_buf_fini(&b);
}

static void
test_supplement_notice(void **state)
{
    struct bm_case_doc d = full_doc(BM_DOC_SUPPLEMENT_NOTICE);
    struct bm_buf b;
    struct bm_err err;
    const char *table;

    (void)state;
    d.reason = "房屋权属证明须提供原件及复印件各一份。";
    assert_int_equal(render(&d, BIG, &b, &err), BM_OK);
    assert_page(b.ptr, "补正材料一次性告知书");
    assert_has(b.ptr, "编号：QZ20260210000123");
    assert_has(b.ptr, "一次性告知");
    assert_has(b.ptr, "行政许可法");
    /* every material not in hand, numbered, with what is wrong */
    table = strstr(b.ptr, "需要补正的材料");
    assert_non_null(table);
    assert_has(table, "<td class=\"num\">1</td><td>房屋权属证明</td><td class=\"req\">是</td>"
                      "<td>缺少</td>");
    assert_has(table, "<td class=\"num\">2</td><td>村民委员会意见</td><td class=\"req\">是</td>"
                      "<td>不符合法定形式：缺少村委会盖章</td>");
    assert_has(table, "<td class=\"num\">3</td><td>其他补充材料</td><td class=\"req\">否</td>"
                      "<td>缺少</td>");
    assert_lacks(table, "<td class=\"num\">4</td>");
    /* the ones in hand are not asked for again */
    assert_lacks(b.ptr, "居民身份证");
    assert_lacks(b.ptr, "户口簿");
    /* the note, when and where to hand them in, when acceptance counts from */
    assert_has(b.ptr, "补正说明");
    assert_has(b.ptr, "房屋权属证明须提供原件及复印件各一份。");
    assert_has(b.ptr, "到青石镇便民服务中心综合受理窗口（地址：青石镇人民路1号）提交");
    assert_has(b.ptr, "补正齐全的全部材料之日起受理");
    /* not accepted yet: no acceptance date, due date or QR code */
    assert_lacks(b.ptr, "<th scope=\"row\">受理时间");
    assert_lacks(b.ptr, "预计办结日期");
    assert_lacks(b.ptr, "<svg");
    bm_buf_fini(&b);
}

static void
test_supplement_needs_something_to_supplement(void **state)
{
    static const struct bm_case_doc_material all_in[] = {
        {"居民身份证", true, "已提交"},
        {"户口簿", true, "免提交（电子证照）"},
    };
    struct bm_case_doc d = full_doc(BM_DOC_SUPPLEMENT_NOTICE);
    struct bm_buf b;
    struct bm_err err;

    (void)state;
    d.materials = all_in;
    d.n_materials = 2;
    d.reason = NULL;
    assert_int_equal(render(&d, BIG, &b, &err), BM_EINVAL);
    assert_true(has_field(&err, "materials"));
    bm_buf_fini(&b);

    /* A note alone (a form to correct) is something to supplement. */
    d.reason = "申请表第3栏填写有误，请更正后签字确认。";
    assert_int_equal(render(&d, BIG, &b, &err), BM_OK);
    assert_has(b.ptr, "申请表第3栏填写有误");
    assert_lacks(b.ptr, "需要补正的材料</h2>");
    bm_buf_fini(&b);
}

static void
test_refusal_notice(void **state)
{
    struct bm_case_doc d = full_doc(BM_DOC_REFUSAL_NOTICE);
    struct bm_buf b;
    struct bm_err err;

    (void)state;
    d.reason = "该事项不属于本机关职权范围，请向县自然资源和规划局申请。";
    assert_int_equal(render(&d, BIG, &b, &err), BM_OK);
    assert_page(b.ptr, "不予受理通知书");
    assert_has(b.ptr, "编号：QZ20260210000123");
    assert_has(b.ptr, "决定不予受理");
    assert_has(b.ptr, "<p class=\"reason\">该事项不属于本机关职权范围，请向县自然资源和规划局申请。</p>");
    assert_has(b.ptr, "如不服本决定，可以自收到本通知书之日起六十日内依法申请行政复议，"
                      "或者在六个月内依法提起行政诉讼。");
    assert_lacks(b.ptr, "预计办结日期");
    assert_lacks(b.ptr, "<svg");
    bm_buf_fini(&b);

    /* The caller's remedy text replaces the default one. */
    d.remedy = "如不服本决定，可以在六十日内向县人民政府申请行政复议。";
    assert_int_equal(render(&d, BIG, &b, &err), BM_OK);
    assert_has(b.ptr, "向县人民政府申请行政复议");
    assert_lacks(b.ptr, "六个月内");
    bm_buf_fini(&b);
}

static void
test_refusal_requires_reason(void **state)
{
    static const char *const blanks[] = {NULL, "", " \n\t", "\u3000\u3000"};
    struct bm_case_doc d = full_doc(BM_DOC_REFUSAL_NOTICE);
    struct bm_buf b;
    struct bm_err err;

    (void)state;
    for (size_t i = 0; i < sizeof(blanks) / sizeof(blanks[0]); i++) {
        d.reason = blanks[i];
        bm_buf_init(&b, BIG);
        assert_int_equal(bm_buf_puts(&b, "before"), BM_OK);
        bm_err_clear(&err);
        assert_int_equal(bm_io_case_doc_html(&d, &b, &err), BM_EINVAL);
        assert_int_equal(err.rc, BM_EINVAL);
        assert_int_equal(err.n_fields, 1);
        assert_string_equal(err.fields[0].field, "reason");
        assert_string_equal(b.ptr, "before"); /* nothing appended */
        bm_buf_fini(&b);
    }
}

static void
test_completion_notice(void **state)
{
    struct bm_case_doc d = full_doc(BM_DOC_COMPLETION_NOTICE);
    struct bm_buf b;
    struct bm_err err;

    (void)state;
    d.reason = NULL;
    assert_int_equal(render(&d, BIG, &b, &err), BM_OK);
    assert_page(b.ptr, "办结通知书");
    assert_has(b.ptr, "编号：QZ20260210000123");
    assert_has(b.ptr, "决定准予办理");
    assert_has(b.ptr, "<th scope=\"row\">办理结果</th><td>准予</td>");
    assert_has(b.ptr, "<th scope=\"row\">出件方式</th><td>窗口领取</td>");
    assert_has(b.ptr, "<th scope=\"row\">办结时间</th><td>2026年3月2日</td>");
    assert_lacks(b.ptr, "行政复议");
    assert_lacks(b.ptr, "不予");
    bm_buf_fini(&b);

    d = full_doc(BM_DOC_COMPLETION_NOTICE);
    d.decision = "不予";
    assert_int_equal(render(&d, BIG, &b, &err), BM_OK);
    assert_page(b.ptr, "办结通知书");
    assert_has(b.ptr, "决定不予办理");
    assert_has(b.ptr, "<th scope=\"row\">办理结果</th><td>不予</td>");
    assert_has(b.ptr, "<p class=\"reason\">申请人已有宅基地面积超过规定标准。</p>");
    assert_has(b.ptr, "申请行政复议");
    assert_has(b.ptr, "提起行政诉讼");
    assert_has(b.ptr, "窗口领取");
    bm_buf_fini(&b);
}

static void
test_completion_requires_decision_and_denial_reason(void **state)
{
    static const char *const bad[] = {NULL, "", "同意", "准予 "};
    struct bm_case_doc d = full_doc(BM_DOC_COMPLETION_NOTICE);
    struct bm_buf b;
    struct bm_err err;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        d.decision = bad[i];
        assert_int_equal(render(&d, BIG, &b, &err), BM_EINVAL);
        assert_int_equal(err.n_fields, 1);
        assert_string_equal(err.fields[0].field, "decision");
        bm_buf_fini(&b);
    }
    d.decision = "不予";
    d.reason = "";
    assert_int_equal(render(&d, BIG, &b, &err), BM_EINVAL);
    assert_int_equal(err.n_fields, 1);
    assert_string_equal(err.fields[0].field, "reason");
    bm_buf_fini(&b);
}

static void
test_unknown_kind(void **state)
{
    struct bm_case_doc d = full_doc(BM_DOC_RECEIPT);
    struct bm_buf b;
    struct bm_err err;

    (void)state;
    d.kind = BM_DOC_KIND_COUNT;
    assert_int_equal(render(&d, BIG, &b, &err), BM_EINVAL);
    assert_true(has_field(&err, "kind"));
    assert_int_equal(b.len, 0);
    bm_buf_fini(&b);
}

static void
test_escaping(void **state)
{
    static const struct bm_case_doc_material evil_mats[] = {
        {"<img src=x onerror=alert(1)>", true, "缺少 & <b>待补</b>"},
    };
    static const char evil[] = "<script>alert('x')</script> & \"Co\"";
    struct bm_buf b;
    struct bm_err err;

    (void)state;
    for (int k = 0; k < BM_DOC_KIND_COUNT; k++) {
        struct bm_case_doc d = full_doc((enum bm_case_doc_kind)k);
        d.applicant_name = evil;
        d.item_name = evil;
        d.issuer = "青石镇<人民政府>";
        d.case_no = "QZ<1>&2";
        d.query_code = "<q>";
        d.reason = "理由</p><script>x()</script>";
        d.decision = "不予";
        d.window_address = "人民路'1'号";
        d.progress_url = "https://example.gov.cn/p?a=1&b=<2>";
        d.materials = evil_mats;
        d.n_materials = 1;
        assert_int_equal(render(&d, BIG, &b, &err), BM_OK);
        assert_lacks(b.ptr, "<script");
        assert_lacks(b.ptr, "<img");
        assert_lacks(b.ptr, "<b>");
        assert_lacks(b.ptr, "<q>");
        assert_lacks(b.ptr, "<1>");
        assert_lacks(b.ptr, "<人民政府>");
        assert_lacks(b.ptr, "& \"");
        assert_has(b.ptr, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Co&quot;");
        assert_has(b.ptr, "<title>");
        assert_has(b.ptr, "QZ&lt;1&gt;&amp;2");
        assert_has(b.ptr, "青石镇&lt;人民政府&gt;");
        assert_has(b.ptr, "人民路&#39;1&#39;号");
        if (k == BM_DOC_RECEIPT) {
            assert_has(b.ptr, "&lt;q&gt;");
            assert_has(b.ptr, "https://example.gov.cn/p?a=1&amp;b=&lt;2&gt;");
        }
        if (k != BM_DOC_RECEIPT)
            assert_has(b.ptr, "理由&lt;/p&gt;&lt;script&gt;x()&lt;/script&gt;");
        if (k != BM_DOC_REFUSAL_NOTICE) {
            assert_has(b.ptr, "&lt;img src=x onerror=alert(1)&gt;");
            assert_has(b.ptr, "缺少 &amp; &lt;b&gt;待补&lt;/b&gt;");
        }
        bm_buf_fini(&b);
    }
}

/* Optional strings NULL or blank: left out, never "(null)", no empty rows or footer. */
static void
test_optional_fields_omitted(void **state)
{
    static const char *const empties[] = {NULL, ""};
    struct bm_buf b;
    struct bm_err err;

    (void)state;
    for (size_t e = 0; e < 2; e++) {
        for (int k = 0; k < BM_DOC_KIND_COUNT; k++) {
            const char *z = empties[e];
            struct bm_case_doc d = {
                .kind = (enum bm_case_doc_kind)k,
                .issuer = z, .window = z, .case_no = z, .query_code = "7K3M9P",
                .item_name = z, .item_code = z, .applicant_name = z, .applicant_id = z,
                .phone = z, .submitted_date = z, .accepted_date = z, .due_date = z,
                .decided_date = z, .issued_date = z, .promised_days = -1,
                .handling_unit = z, .decision = "准予", .reason = z, .remedy = z,
                .delivery = z, .window_address = z, .office_hours = z, .consult_phone = z,
                .complaint_phone = z, .progress_url = url,
            };
            if (k == BM_DOC_SUPPLEMENT_NOTICE || k == BM_DOC_REFUSAL_NOTICE)
                d.reason = "材料不全。"; /* required there */
            assert_int_equal(render(&d, BIG, &b, &err), BM_OK);
            assert_lacks(b.ptr, "(null)");
            assert_lacks(b.ptr, "<td></td>");
            assert_lacks(b.ptr, "编号：");
            assert_lacks(b.ptr, "<header");
            assert_lacks(b.ptr, "<footer");
            assert_lacks(b.ptr, "事项名称");
            assert_lacks(b.ptr, "证件号码");
            assert_lacks(b.ptr, "联系电话");
            assert_lacks(b.ptr, "承诺办结时限");
            assert_lacks(b.ptr, "咨询电话");
            assert_lacks(b.ptr, "<table class=\"materials\"");
            assert_has(b.ptr, "<p class=\"to\">申请人：</p>");
            assert_has(b.ptr, "（盖章）");
            /* the default remedy stands in for a missing one */
            if (k == BM_DOC_REFUSAL_NOTICE)
                assert_has(b.ptr, "六十日内依法申请行政复议");
            bm_buf_fini(&b);
        }
    }
}

static void
test_too_small_buffer(void **state)
{
    struct bm_buf b;
    struct bm_err err;
    size_t full;

    (void)state;
    for (int k = 0; k < BM_DOC_KIND_COUNT; k++) {
        struct bm_case_doc d = full_doc((enum bm_case_doc_kind)k);
        assert_int_equal(render(&d, BIG, &b, &err), BM_OK);
        full = b.len;
        bm_buf_fini(&b);

        /* Every maximum short of the page fails cleanly, wherever the page runs out. */
        for (size_t max = 0; max < full; max += (max < full - 200 ? 61 : 1)) {
            assert_int_equal(render(&d, max, &b, &err), BM_ETOOBIG);
            assert_int_equal(err.rc, BM_ETOOBIG);
            assert_int_equal(b.len, 0);
            bm_buf_fini(&b);
        }
        assert_int_equal(render(&d, full, &b, &err), BM_OK);
        assert_int_equal(b.len, full);
        bm_buf_fini(&b);
    }
}

static void
test_appends_after_existing_content(void **state)
{
    struct bm_case_doc d = full_doc(BM_DOC_RECEIPT);
    struct bm_buf b;
    struct bm_err err;

    (void)state;
    bm_buf_init(&b, BIG);
    assert_int_equal(bm_buf_puts(&b, "PREFIX"), BM_OK);
    bm_err_clear(&err);
    assert_int_equal(bm_io_case_doc_html(&d, &b, &err), BM_OK);
    assert_true(strncmp(b.ptr, "PREFIX<!doctype html>", 21) == 0);
    bm_buf_fini(&b);

    /* A page that does not fit leaves what was there. */
    bm_buf_init(&b, 3000);
    assert_int_equal(bm_buf_puts(&b, "PREFIX"), BM_OK);
    assert_int_equal(bm_io_case_doc_html(&d, &b, &err), BM_ETOOBIG);
    assert_string_equal(b.ptr, "PREFIX");
    bm_buf_fini(&b);
}

static void
test_qr_svg_matches_library(void **state)
{
    static const char *const texts[] = {
        url,
        "A",
        "https://bianmin.example.gov.cn/p/宅基地?q=办件进度",
    };
    struct bm_buf b;
    struct bm_err err;
    struct qr_grid g;

    (void)state;
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        bm_buf_init(&b, BIG);
        bm_err_clear(&err);
        assert_int_equal(bm_io_qr_svg(texts[i], 200, &b, &err), BM_OK);
        assert_true(strncmp(b.ptr, "<svg xmlns=\"http://www.w3.org/2000/svg\" ", 40) == 0);
        assert_true(strcmp(b.ptr + b.len - 6, "</svg>") == 0);
        assert_has(b.ptr, "shape-rendering=\"crispEdges\"");
        assert_has(b.ptr, "role=\"img\"");
        assert_has(b.ptr, "aria-label=\"办件进度查询二维码\"");
        assert_has(b.ptr, "fill=\"#fff\"");
        parse_svg(b.ptr, &g);
        assert_int_equal(g.size_px, 200);
        assert_int_equal(g.n_paths, 1);
        /* quiet zone: viewBox = width + 8, and its border rows and columns are empty */
        assert_grid_is_qr(&g, texts[i]);
        free(g.dark);
        bm_buf_fini(&b);
    }
}

static void
test_qr_svg_errors(void **state)
{
    struct bm_buf b;
    struct bm_err err;
    char *huge;

    (void)state;
    bm_buf_init(&b, BIG);
    bm_err_clear(&err);
    assert_int_equal(bm_io_qr_svg("", 140, &b, &err), BM_EINVAL);
    assert_true(has_field(&err, "text"));
    bm_err_clear(&err);
    assert_int_equal(bm_io_qr_svg("x", 0, &b, &err), BM_EINVAL);
    assert_true(has_field(&err, "size_px"));

    /* Beyond the largest symbol (2331 bytes at level M). */
    huge = malloc(4001);
    assert_non_null(huge);
    memset(huge, 'x', 4000);
    huge[4000] = '\0';
    bm_err_clear(&err);
    assert_int_equal(bm_io_qr_svg(huge, 140, &b, &err), BM_EINTERNAL);
    assert_int_equal(err.rc, BM_EINTERNAL);
    assert_int_equal(b.len, 0);
    free(huge);
    bm_buf_fini(&b);

    /* Too small a buffer: BM_ETOOBIG and nothing appended. */
    bm_buf_init(&b, 500);
    assert_int_equal(bm_buf_puts(&b, "keep"), BM_OK);
    bm_err_clear(&err);
    assert_int_equal(bm_io_qr_svg(url, 140, &b, &err), BM_ETOOBIG);
    assert_int_equal(err.rc, BM_ETOOBIG);
    assert_string_equal(b.ptr, "keep");
    bm_buf_fini(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kind_parse_code),
        cmocka_unit_test(test_receipt),
        cmocka_unit_test(test_receipt_instant_item),
        cmocka_unit_test(test_receipt_requires_code_and_url),
        cmocka_unit_test(test_supplement_notice),
        cmocka_unit_test(test_supplement_needs_something_to_supplement),
        cmocka_unit_test(test_refusal_notice),
        cmocka_unit_test(test_refusal_requires_reason),
        cmocka_unit_test(test_completion_notice),
        cmocka_unit_test(test_completion_requires_decision_and_denial_reason),
        cmocka_unit_test(test_unknown_kind),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_optional_fields_omitted),
        cmocka_unit_test(test_too_small_buffer),
        cmocka_unit_test(test_appends_after_existing_content),
        cmocka_unit_test(test_qr_svg_matches_library),
        cmocka_unit_test(test_qr_svg_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
