/*
 * Printable case documents (受理回执, 一次性告知书, 不予受理通知书, 办结通知书) as
 * self-contained A4 HTML pages, and the progress QR code as inline SVG (libqrencode).
 * Used by the case API to serve the documents the front desk prints and seals
 * (docs/domain.md 2.1: written, dated notices; refusals give reasons and the remedy).
 */
#include "io/case_docs.h"

#include <errno.h>
#include <string.h>

#include <qrencode.h>

#include "util/log.h"

static const char *const kind_codes[BM_DOC_KIND_COUNT] = {
    [BM_DOC_RECEIPT] = "receipt",
    [BM_DOC_SUPPLEMENT_NOTICE] = "supplement_notice",
    [BM_DOC_REFUSAL_NOTICE] = "refusal_notice",
    [BM_DOC_COMPLETION_NOTICE] = "completion_notice",
};

static const char *const kind_titles[BM_DOC_KIND_COUNT] = {
    [BM_DOC_RECEIPT] = "受理回执",
    [BM_DOC_SUPPLEMENT_NOTICE] = "补正材料一次性告知书",
    [BM_DOC_REFUSAL_NOTICE] = "不予受理通知书",
    [BM_DOC_COMPLETION_NOTICE] = "办结通知书",
};

/*
 * Remedy notice when the caller gives none: 行政复议法 art. 20 (sixty days) and
 * 行政诉讼法 art. 46 (six months).
 */
static const char default_remedy[] =
    "如不服本决定，可以自收到本通知书之日起六十日内依法申请行政复议，"
    "或者在六个月内依法提起行政诉讼。";

#define QR_QUIET 4 /* modules of white border on each side (ISO/IEC 18004) */
#define RECEIPT_QR_PX 140

int
bm_case_doc_kind_parse(const char *code)
{
    if (code == NULL)
        return -1;
    for (int i = 0; i < BM_DOC_KIND_COUNT; i++)
        if (strcmp(code, kind_codes[i]) == 0)
            return i;
    return -1;
}

const char *
bm_case_doc_kind_code(enum bm_case_doc_kind k)
{
    return (unsigned)k < BM_DOC_KIND_COUNT ? kind_codes[k] : NULL;
}

/* ---- writer with a sticky error: after the first failure every call is a no-op ---- */

struct w {
    struct bm_buf *b;
    enum bm_rc rc;
};

static void
w_puts(struct w *w, const char *s)
{
    if (w->rc == BM_OK)
        w->rc = bm_buf_puts(w->b, s);
}

static void
w_int(struct w *w, int n)
{
    if (w->rc == BM_OK)
        w->rc = bm_buf_printf(w->b, "%d", n);
}

/* Appends `s` (NULL is empty) escaped for HTML text and attribute values. */
static void
w_esc(struct w *w, const char *s)
{
    const char *run = s, *p;

    if (s == NULL)
        return;
    for (p = s; *p != '\0' && w->rc == BM_OK; p++) {
        const char *rep;
        switch (*p) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: continue;
        }
        w->rc = bm_buf_append(w->b, run, (size_t)(p - run));
        if (w->rc == BM_OK)
            w->rc = bm_buf_puts(w->b, rep);
        run = p + 1;
    }
    if (w->rc == BM_OK)
        w->rc = bm_buf_append(w->b, run, (size_t)(p - run));
}

/* open, escaped text, close: the common shape of one element. */
static void
w_elem(struct w *w, const char *open, const char *text, const char *close)
{
    w_puts(w, open);
    w_esc(w, text);
    w_puts(w, close);
}

/* True when `s` has something besides ASCII white space and the ideographic space. */
static bool
has(const char *s)
{
    if (s == NULL)
        return false;
    while (*s != '\0') {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
            s++;
        else if (strncmp(s, "\u3000", 3) == 0)
            s += 3;
        else
            return true;
    }
    return false;
}

/* ---- QR code ---- */

static void
qr_svg(struct w *w, const QRcode *qr, int size_px)
{
    int n = qr->width, full = n + 2 * QR_QUIET;

    if (w->rc != BM_OK)
        return;
    w->rc = bm_buf_printf(w->b,
                          "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                          "width=\"%d\" height=\"%d\" shape-rendering=\"crispEdges\" "
                          "role=\"img\" aria-label=\"办件进度查询二维码\">"
                          "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
                          full, full, size_px, size_px, full, full);
    /* Dark modules (bit 0 of each byte), each horizontal run as one rectangle. */
    for (int y = 0; y < n && w->rc == BM_OK; y++) {
        const unsigned char *row = qr->data + (size_t)y * (size_t)n;
        int x = 0;
        while (x < n && w->rc == BM_OK) {
            int x0;
            if (!(row[x] & 1)) {
                x++;
                continue;
            }
            for (x0 = x; x < n && (row[x] & 1); x++)
                ;
            w->rc = bm_buf_printf(w->b, "M%d %dh%dv1h-%dz", x0 + QR_QUIET, y + QR_QUIET, x - x0,
                                  x - x0);
        }
    }
    w_puts(w, "\"/></svg>");
}

/* The symbol for `text` (caller frees with QRcode_free); BM_EINTERNAL if it cannot be made. */
static enum bm_rc
encode(const char *text, QRcode **out, struct bm_err *err)
{
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);

    if (qr == NULL) {
        /* ERANGE: the text does not fit the largest symbol. */
        bm_log(BM_LOG_ERROR, "qr_encode_failed", "QRcode_encodeString: errno %d, %zu bytes",
               errno, strlen(text));
        return bm_err_set(err, BM_EINTERNAL, "无法生成二维码");
    }
    *out = qr;
    return BM_OK;
}

/* Restores `b` to `len0` bytes: a refused document or element leaves no partial tail. */
static void
truncate_to(struct bm_buf *b, size_t len0)
{
    if (b->ptr != NULL) {
        b->len = len0;
        b->ptr[len0] = '\0';
    }
}

enum bm_rc
bm_io_qr_svg(const char *text, int size_px, struct bm_buf *out, struct bm_err *err)
{
    struct w w = {out, BM_OK};
    size_t len0;
    QRcode *qr = NULL;
    enum bm_rc rc;

    BM_ASSERT(text != NULL && out != NULL);
    len0 = out->len;
    if (text[0] == '\0')
        return bm_err_field(err, "text", "二维码内容不能为空");
    if (size_px <= 0)
        return bm_err_field(err, "size_px", "二维码尺寸必须为正数");
    rc = encode(text, &qr, err);
    if (rc != BM_OK)
        return rc;
    qr_svg(&w, qr, size_px);
    QRcode_free(qr);
    rc = w.rc;
    if (rc != BM_OK) {
        truncate_to(out, len0);
        (void)bm_err_set(err, rc, rc == BM_ETOOBIG ? "二维码超过大小上限" : "无法生成二维码");
    }
    return rc;
}

/* ---- the page ---- */

/* A4 at print; a sheet on a grey desk on screen. The print button is screen-only. */
static const char page_css[] =
    "@page{size:A4;margin:20mm 18mm 18mm 18mm}"
    "*{box-sizing:border-box}"
    "html{background:#e8e8e8}"
    "body{margin:0;color:#000;font-family:\"SimSun\",\"Songti SC\",\"Noto Serif CJK SC\","
    "\"Source Han Serif SC\",serif;font-size:12pt;line-height:1.8}"
    ".sheet{width:210mm;min-height:297mm;margin:8mm auto;padding:20mm 18mm 18mm;"
    "background:#fff;box-shadow:0 1px 4px rgba(0,0,0,.25)}"
    ".toolbar{width:210mm;margin:8mm auto 0;text-align:right}"
    ".toolbar button{font:inherit;font-size:11pt;padding:4px 18px;cursor:pointer}"
    ".toolbar span{font-size:10pt;color:#555;margin-right:1em}"
    ".issuer{text-align:center;font-size:16pt;font-weight:bold;letter-spacing:.1em;"
    "padding-bottom:4pt;border-bottom:2px solid #000}"
    "h1{text-align:center;font-size:20pt;letter-spacing:.15em;margin:14pt 0 4pt}"
    ".docno{text-align:right;margin:0 0 10pt}"
    "p{margin:4pt 0}"
    ".to{text-indent:0;margin-top:8pt}"
    ".body p{text-indent:2em}"
    ".reason{white-space:pre-line;text-indent:2em}"
    "h2{font-size:12pt;margin:10pt 0 4pt}"
    "table{width:100%;border-collapse:collapse;margin:6pt 0;page-break-inside:auto}"
    "tr{page-break-inside:avoid}"
    "th,td{border:1px solid #000;padding:3pt 6pt;text-align:left;vertical-align:top;"
    "font-size:11pt;line-height:1.5}"
    "th{font-weight:bold;background:#f2f2f2}"
    ".facts th{width:9em;white-space:nowrap}"
    ".num{width:3em;text-align:center}"
    ".req{width:5em;text-align:center}"
    ".query{display:flex;align-items:center;gap:12pt;margin:10pt 0;padding:6pt;"
    "border:1px dashed #000;page-break-inside:avoid}"
    ".query svg{flex:none;display:block}"
    ".code{font-size:16pt;font-weight:bold;letter-spacing:.1em}"
    ".url{font-size:8pt;word-break:break-all;line-height:1.3}"
    ".sign{margin:24pt 0 0 auto;width:max-content;min-width:16em;text-align:center}"
    ".seal{margin-top:6pt}"
    "footer{margin-top:24pt;padding-top:4pt;border-top:1px solid #000;font-size:9.5pt;"
    "line-height:1.6}"
    "footer span{margin-right:1.5em;display:inline-block}"
    "@media print{html{background:none}.toolbar{display:none}"
    ".sheet{width:auto;min-height:0;margin:0;padding:0;box-shadow:none}"
    "th{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

static void
fact(struct w *w, const char *label, const char *value)
{
    if (!has(value))
        return;
    w_puts(w, "<tr><th scope=\"row\">");
    w_puts(w, label);
    w_elem(w, "</th><td>", value, "</td></tr>\n");
}

static void
fact_days(struct w *w, int days)
{
    if (days < 0)
        return;
    w_puts(w, "<tr><th scope=\"row\">承诺办结时限</th><td>");
    if (days == 0) {
        w_puts(w, "即办");
    } else {
        w_int(w, days);
        w_puts(w, "个工作日");
    }
    w_puts(w, "</td></tr>\n");
}

static void
facts(struct w *w, const struct bm_case_doc *d)
{
    bool accepted = d->kind == BM_DOC_RECEIPT || d->kind == BM_DOC_COMPLETION_NOTICE;

    w_puts(w, "<table class=\"facts\"><tbody>\n");
    fact(w, "事项名称", d->item_name);
    fact(w, "事项编码", d->item_code);
    fact(w, "申请人", d->applicant_name);
    fact(w, "证件号码", d->applicant_id);
    fact(w, "联系电话", d->phone);
    fact(w, "申请时间", d->submitted_date);
    fact(w, "受理窗口", d->window);
    /* Before acceptance there is no acceptance date, handling unit or due date to show. */
    if (accepted) {
        fact(w, "受理时间", d->accepted_date);
        fact(w, "承办单位", d->handling_unit);
    }
    if (d->kind != BM_DOC_REFUSAL_NOTICE)
        fact_days(w, d->promised_days);
    if (accepted)
        fact(w, "预计办结日期", d->due_date);
    if (d->kind == BM_DOC_COMPLETION_NOTICE) {
        fact(w, "办结时间", d->decided_date);
        fact(w, "办理结果", d->decision);
        fact(w, "出件方式", d->delivery);
    }
    w_puts(w, "</tbody></table>\n");
}

/*
 * A material counts as in hand when its state says so (已提交…, 免提交…); anything else,
 * a missing state included, is listed on the supplement notice, so a gap is never dropped
 * for an unexpected wording (行政许可法 art. 32: all gaps told at once).
 */
static bool
in_hand(const struct bm_case_doc_material *m)
{
    static const char submitted[] = "已提交", exempt[] = "免提交";

    return m->state != NULL && (strncmp(m->state, submitted, sizeof(submitted) - 1) == 0 ||
                                strncmp(m->state, exempt, sizeof(exempt) - 1) == 0);
}

static size_t
n_to_supplement(const struct bm_case_doc *d)
{
    size_t n = 0;
    for (size_t i = 0; i < d->n_materials; i++)
        if (!in_hand(&d->materials[i]))
            n++;
    return n;
}

/* The materials table; `gaps_only` keeps the ones not in hand (supplement notice). */
static void
materials(struct w *w, const struct bm_case_doc *d, const char *heading, bool gaps_only)
{
    int no = 0;

    if (d->n_materials == 0 || (gaps_only && n_to_supplement(d) == 0))
        return;
    w_elem(w, "<h2>", heading, "</h2>\n");
    w_puts(w, "<table class=\"materials\"><thead><tr><th class=\"num\">序号</th><th>材料名称</th>"
              "<th class=\"req\">是否必需</th><th>");
    w_puts(w, gaps_only ? "补正要求" : "材料状态");
    w_puts(w, "</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < d->n_materials; i++) {
        const struct bm_case_doc_material *m = &d->materials[i];
        if (gaps_only && in_hand(m))
            continue;
        w_puts(w, "<tr><td class=\"num\">");
        w_int(w, ++no);
        w_elem(w, "</td><td>", m->name, "</td><td class=\"req\">");
        w_puts(w, m->required ? "是" : "否");
        w_puts(w, "</td><td>");
        if (has(m->state))
            w_esc(w, m->state);
        else
            w_puts(w, gaps_only ? "缺少" : "—");
        w_puts(w, "</td></tr>\n");
    }
    w_puts(w, "</tbody></table>\n");
}

/* "张三：" (or "申请人：") and the opening words "您于…提交的“…”申请，" */
static void
opening(struct w *w, const struct bm_case_doc *d)
{
    w_elem(w, "<p class=\"to\">", has(d->applicant_name) ? d->applicant_name : "申请人",
           "：</p>\n<div class=\"body\">\n<p>您");
    if (has(d->submitted_date))
        w_elem(w, "于", d->submitted_date, "");
    w_puts(w, "提交的");
    if (has(d->item_name))
        w_elem(w, "“", d->item_name, "”事项");
    w_puts(w, "申请，");
}

static void
remedy(struct w *w, const struct bm_case_doc *d)
{
    w_elem(w, "<p class=\"remedy\">", has(d->remedy) ? d->remedy : default_remedy, "</p>\n");
}

static void
reason(struct w *w, const struct bm_case_doc *d)
{
    w_elem(w, "<p class=\"reason\">", d->reason, "</p>\n");
}

static void
body_receipt(struct w *w, const struct bm_case_doc *d, const QRcode *qr)
{
    opening(w, d);
    w_puts(w, "申请材料齐全、符合法定形式，本机关");
    if (has(d->accepted_date))
        w_elem(w, "已于", d->accepted_date, "");
    w_puts(w, "决定予以受理。现出具本回执，请妥善保管。</p>\n");
    if (d->promised_days == 0) {
        w_puts(w, "<p>本事项为即办件，受理后即时办结。</p>\n");
    } else if (d->promised_days > 0) {
        w_puts(w, "<p>本事项承诺办结时限为");
        w_int(w, d->promised_days);
        /* Working days, holidays excluded, special procedures not counted:
         * 行政许可法 arts. 42, 45 and 82 (docs/domain.md 2.1, 2.4). */
        w_puts(w, "个工作日，自受理之日起计算，法定节假日不计算在内；依法需要听证、检验、检测、"
                  "检疫、鉴定、专家评审的，所需时间不计算在内，本机关将另行书面告知。");
        if (has(d->due_date))
            w_elem(w, "预计办结日期为", d->due_date, "。");
        w_puts(w, "</p>\n");
    }
    w_puts(w, "<p>您可凭办件编号和查询码，扫描下方二维码或者访问下列网址查询办理进度。</p>\n</div>\n");

    w_puts(w, "<section class=\"query\">");
    qr_svg(w, qr, RECEIPT_QR_PX);
    w_elem(w, "<div><p>查询码：<span class=\"code\">", d->query_code, "</span></p>\n");
    w_puts(w, "<p>扫码查询办理进度</p>\n");
    w_elem(w, "<p class=\"url\">", d->progress_url, "</p></div></section>\n");

    materials(w, d, "申请材料清单", false);
}

static void
body_supplement(struct w *w, const struct bm_case_doc *d)
{
    opening(w, d);
    /* 行政许可法 art. 32 ¶1 (4): every gap is told at once, in writing. */
    w_puts(w, "经审查，申请材料不齐全或者不符合法定形式。依据《中华人民共和国行政许可法》"
              "第三十二条等有关规定，现将需要补正的全部材料和内容一次性告知如下：</p>\n</div>\n");
    materials(w, d, "需要补正的材料", true);
    if (has(d->reason)) {
        w_puts(w, "<h2>补正说明</h2>\n");
        reason(w, d);
    }
    w_puts(w, "<div class=\"body\">\n<p>请您按照本告知书的要求一次性补齐上述全部材料，携带本告知书");
    if (has(d->window))
        w_elem(w, "到", d->window, "");
    else
        w_puts(w, "到受理窗口");
    if (has(d->window_address))
        w_elem(w, "（地址：", d->window_address, "）");
    w_puts(w, "提交");
    if (has(d->office_hours))
        w_elem(w, "，办公时间为", d->office_hours, "");
    w_puts(w, "。</p>\n");
    /* docs/domain.md 2.1: after 补正 the acceptance date is the day the last material comes. */
    w_puts(w, "<p>本机关自收到补正齐全的全部材料之日起受理您的申请，受理时间以材料补正齐全之日为准，"
              "办理时限自受理之日起计算。</p>\n");
    if (has(d->consult_phone))
        w_elem(w, "<p>如有疑问，请拨打咨询电话", d->consult_phone, "。</p>\n");
    w_puts(w, "</div>\n");
}

static void
body_refusal(struct w *w, const struct bm_case_doc *d)
{
    opening(w, d);
    /* docs/domain.md 2.1: a refusal gives its reasons and the right to a remedy. */
    w_puts(w, "经审查，依据《中华人民共和国行政许可法》第三十二条等有关规定，本机关决定不予受理。"
              "理由如下：</p>\n</div>\n");
    reason(w, d);
    w_puts(w, "<div class=\"body\">\n<p>特此通知。</p>\n");
    remedy(w, d);
    w_puts(w, "</div>\n");
}

static bool
is_denial(const struct bm_case_doc *d)
{
    return d->decision != NULL && strcmp(d->decision, "不予") == 0;
}

static void
body_completion(struct w *w, const struct bm_case_doc *d)
{
    opening(w, d);
    if (has(d->accepted_date))
        w_elem(w, "本机关于", d->accepted_date, "受理，");
    w_puts(w, "现已");
    if (has(d->decided_date))
        w_elem(w, "于", d->decided_date, "");
    w_puts(w, "办结。");
    if (!is_denial(d)) {
        w_puts(w, "经审查，本机关决定准予办理。");
        if (has(d->delivery))
            w_elem(w, "办理结果的出件方式为：", d->delivery, "。");
        w_puts(w, "</p>\n</div>\n");
    } else {
        /* docs/domain.md 2.3: a denial requires reasons and the remedy notice. */
        w_puts(w, "经审查，本机关决定不予办理。理由如下：</p>\n</div>\n");
        reason(w, d);
        w_puts(w, "<div class=\"body\">\n");
        if (has(d->delivery))
            w_elem(w, "<p>本通知书的送达方式为：", d->delivery, "。</p>\n");
        remedy(w, d);
        w_puts(w, "</div>\n");
    }
    materials(w, d, "申请材料清单", false);
}

static void
footer(struct w *w, const struct bm_case_doc *d)
{
    if (!has(d->window) && !has(d->window_address) && !has(d->office_hours) &&
        !has(d->consult_phone) && !has(d->complaint_phone))
        return;
    w_puts(w, "<footer>");
    if (has(d->window))
        w_elem(w, "<span>受理窗口：", d->window, "</span>");
    if (has(d->window_address))
        w_elem(w, "<span>窗口地址：", d->window_address, "</span>");
    if (has(d->office_hours))
        w_elem(w, "<span>办公时间：", d->office_hours, "</span>");
    if (has(d->consult_phone))
        w_elem(w, "<span>咨询电话：", d->consult_phone, "</span>");
    if (has(d->complaint_phone))
        w_elem(w, "<span>投诉电话：", d->complaint_phone, "</span>");
    w_puts(w, "</footer>\n");
}

static void
page(struct w *w, const struct bm_case_doc *d, const QRcode *qr)
{
    const char *title = kind_titles[d->kind];

    w_puts(w, "<!doctype html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    w_puts(w, title);
    if (has(d->case_no))
        w_elem(w, " ", d->case_no, "");
    w_puts(w, "</title>\n<style>");
    w_puts(w, page_css);
    w_puts(w, "</style>\n</head>\n<body>\n");
    /* No script: the server's Content-Security-Policy forbids inline handlers, and the
     * browser's own print command works everywhere. */
    w_puts(w, "<div class=\"toolbar\"><span>请使用A4纸打印（按 Ctrl+P 或浏览器菜单中的“打印”）</span></div>\n");
    w_puts(w, "<main class=\"sheet\">\n");
    if (has(d->issuer))
        w_elem(w, "<header class=\"issuer\">", d->issuer, "</header>\n");
    w_elem(w, "<h1>", title, "</h1>\n");
    if (has(d->case_no))
        w_elem(w, "<p class=\"docno\">编号：", d->case_no, "</p>\n");

    /* The key facts as a form block first, then the letter to the applicant. */
    facts(w, d);

    switch (d->kind) {
    case BM_DOC_RECEIPT: body_receipt(w, d, qr); break;
    case BM_DOC_SUPPLEMENT_NOTICE: body_supplement(w, d); break;
    case BM_DOC_REFUSAL_NOTICE: body_refusal(w, d); break;
    case BM_DOC_COMPLETION_NOTICE: body_completion(w, d); break;
    case BM_DOC_KIND_COUNT: BM_ASSERT(!"validated kind"); break;
    }

    /* 行政许可法 art. 32 ¶2: the notice is dated and carries the body's seal. */
    w_puts(w, "<div class=\"sign\">");
    if (has(d->issuer))
        w_elem(w, "<p>", d->issuer, "</p>");
    w_puts(w, "<p class=\"seal\">（盖章）</p>");
    if (has(d->issued_date))
        w_elem(w, "<p>", d->issued_date, "</p>");
    w_puts(w, "</div>\n");
    footer(w, d);
    w_puts(w, "</main>\n</body>\n</html>\n");
}

/* Adds a field error for each thing the kind needs and lacks; returns BM_EINVAL if any. */
static enum bm_rc
validate(const struct bm_case_doc *d, struct bm_err *err)
{
    enum bm_rc rc = BM_OK;

    if ((unsigned)d->kind >= BM_DOC_KIND_COUNT)
        return bm_err_field(err, "kind", "未知的文书类型");
    switch (d->kind) {
    case BM_DOC_RECEIPT:
        if (!has(d->query_code))
            rc = bm_err_field(err, "query_code", "受理回执须载明查询码");
        if (!has(d->progress_url))
            rc = bm_err_field(err, "progress_url", "受理回执须载明进度查询网址");
        break;
    case BM_DOC_SUPPLEMENT_NOTICE:
        if (n_to_supplement(d) == 0 && !has(d->reason))
            rc = bm_err_field(err, "materials", "一次性告知书须列明需要补正的材料或内容");
        break;
    case BM_DOC_REFUSAL_NOTICE:
        if (!has(d->reason))
            rc = bm_err_field(err, "reason", "不予受理须说明理由");
        break;
    case BM_DOC_COMPLETION_NOTICE:
        if (d->decision == NULL ||
            (strcmp(d->decision, "准予") != 0 && strcmp(d->decision, "不予") != 0))
            rc = bm_err_field(err, "decision", "办结通知书须载明准予或者不予");
        else if (is_denial(d) && !has(d->reason))
            rc = bm_err_field(err, "reason", "不予决定须说明理由");
        break;
    case BM_DOC_KIND_COUNT:
        break;
    }
    return rc;
}

enum bm_rc
bm_io_case_doc_html(const struct bm_case_doc *d, struct bm_buf *out, struct bm_err *err)
{
    struct w w = {out, BM_OK};
    size_t len0;
    QRcode *qr = NULL;
    enum bm_rc rc;

    BM_ASSERT(d != NULL && out != NULL);
    len0 = out->len;
    BM_ASSERT(d->n_materials == 0 || d->materials != NULL);
    rc = validate(d, err);
    if (rc != BM_OK)
        goto out;
    if (d->kind == BM_DOC_RECEIPT) {
        rc = encode(d->progress_url, &qr, err);
        if (rc != BM_OK)
            goto out;
    }
    page(&w, d, qr);
    rc = w.rc;
    if (rc == BM_ETOOBIG)
        (void)bm_err_set(err, rc, "文书内容超过大小上限");
    else if (rc != BM_OK)
        (void)bm_err_set(err, rc, "无法生成文书");
out:
    if (qr != NULL)
        QRcode_free(qr);
    if (rc != BM_OK)
        truncate_to(out, len0);
    return rc;
}
