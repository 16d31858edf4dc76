/*
 * Printable case documents in Chinese (docs/domain.md 2.1: dated written notices): the
 * acceptance receipt (受理回执) with a QR code that opens the public progress page, the
 * one-time supplement notice (一次性告知书), the refusal notice (不予受理通知书) and the
 * completion notice (办结通知书). Each is one self-contained HTML page laid out for A4
 * printing (inline CSS, the QR code as inline SVG from libqrencode), so the browser prints
 * it and nothing needs fonts or files on the server.
 */
#ifndef BM_IO_CASE_DOCS_H
#define BM_IO_CASE_DOCS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

enum bm_case_doc_kind {
    BM_DOC_RECEIPT,           /* 受理回执 */
    BM_DOC_SUPPLEMENT_NOTICE, /* 补正材料一次性告知书 */
    BM_DOC_REFUSAL_NOTICE,    /* 不予受理通知书 */
    BM_DOC_COMPLETION_NOTICE, /* 办结通知书 */
    BM_DOC_KIND_COUNT
};

/* "receipt", "supplement_notice", "refusal_notice", "completion_notice"; -1 if unknown. */
int bm_case_doc_kind_parse(const char *code);
const char *bm_case_doc_kind_code(enum bm_case_doc_kind k);

struct bm_case_doc_material {
    const char *name;
    bool required;
    const char *state; /* "已提交", "免提交（电子证照）", "缺少" ... as shown */
};

/* Everything a document shows, already formatted as text (dates "2026年2月10日"). */
struct bm_case_doc {
    enum bm_case_doc_kind kind;
    const char *issuer;          /* the body in whose name the document is issued */
    const char *window;          /* accepting window (便民服务中心) */
    const char *case_no, *query_code;
    const char *item_name, *item_code;
    const char *applicant_name;  /* as the applicant wrote it */
    const char *applicant_id;    /* masked */
    const char *phone;           /* masked */
    const char *submitted_date, *accepted_date, *due_date, *decided_date, *issued_date;
    int promised_days;           /* 0: 即办件 */
    const char *handling_unit;
    const char *decision;        /* "准予" / "不予" (completion notice) */
    const char *reason;          /* refusal or denial reason, supplement note */
    const char *remedy;          /* right to reconsideration or litigation (refusal, denial) */
    const char *delivery;        /* how the result is handed over */
    const char *window_address, *office_hours, *consult_phone, *complaint_phone;
    const char *progress_url;    /* what the receipt's QR code encodes */
    const struct bm_case_doc_material *materials;
    size_t n_materials;
};

/*
 * Appends the HTML page to `out`. All text is HTML-escaped. BM_EINVAL if a field the kind
 * needs is missing (the receipt's progress_url and query code, the refusal's reason),
 * BM_ETOOBIG past the buffer's maximum, BM_EINTERNAL if the QR code cannot be made.
 */
BM_MUST_CHECK enum bm_rc bm_io_case_doc_html(const struct bm_case_doc *d, struct bm_buf *out,
                                             struct bm_err *err);

/*
 * The QR code of `text` as an SVG element (one path, black modules on white, a 4-module
 * quiet zone), `size_px` wide. Exposed for tests.
 */
BM_MUST_CHECK enum bm_rc bm_io_qr_svg(const char *text, int size_px, struct bm_buf *out,
                                      struct bm_err *err);

#endif
