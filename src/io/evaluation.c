/*
 * The evaluation results workbook, written with libxlsxwriter (see evaluation.h).
 */
#include "io/evaluation.h"

#include <stdio.h>

#include <xlsxwriter.h>

#include "io/xlsx_out.h"

static void
put_num(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, json_t *v)
{
    if (json_is_number(v))
        worksheet_write_number(ws, r, c, json_number_value(v), NULL);
}

static void
put_str(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, json_t *v, lxw_format *f)
{
    worksheet_write_string(ws, r, c, json_is_string(v) ? json_string_value(v) : "", f);
}

enum bm_rc
bm_io_eval_export_xlsx(const char *period_name, json_t *results, char **out, size_t *len,
                       struct bm_err *err)
{
    static const char *const sum_head[] = {"名次", "乡镇", "总分", "等次", "否决项限制等次"};
    static const char *const town_head[] = {"指标编码", "指标名称", "上级指标", "权重", "数据来源",
                                            "计分规则", "原始值", "分子", "分母", "得分"};
    struct bm_xlsx_out x;
    lxw_workbook *wb;
    lxw_worksheet *sum;
    lxw_format *bold;
    json_t *r;
    size_t i;
    enum bm_rc rc = bm_xlsx_out_open(&x, err);

    if (rc != BM_OK)
        return rc;
    wb = x.wb;
    bold = workbook_add_format(wb);
    format_set_bold(bold);
    sum = workbook_add_worksheet(wb, "汇总");
    worksheet_write_string(sum, 0, 0, period_name, bold);
    for (int k = 0; k < 5; k++)
        worksheet_write_string(sum, 1, (lxw_col_t)k, sum_head[k], bold);
    worksheet_set_column(sum, 1, 1, 20, NULL);
    json_array_foreach(results, i, r) {
        lxw_row_t row = (lxw_row_t)(i + 2);
        char sheet[64];
        lxw_worksheet *ws;
        json_t *e;
        size_t k;

        put_num(sum, row, 0, json_object_get(r, "rank"));
        put_str(sum, row, 1, json_object_get(r, "township_name"), NULL);
        put_num(sum, row, 2, json_object_get(r, "total"));
        put_str(sum, row, 3, json_object_get(r, "grade_name"), NULL);
        worksheet_write_string(sum, row, 4,
                               json_is_true(json_object_get(r, "capped_by_veto")) ? "是" : "",
                               NULL);
        /* A sheet per township, named after it (numbered if the name is not usable). */
        snprintf(sheet, sizeof(sheet), "%s", json_string_value(json_object_get(r, "township_name"))
                                                 ? json_string_value(json_object_get(r, "township_name"))
                                                 : "");
        if (workbook_validate_sheet_name(wb, sheet) != LXW_NO_ERROR)
            snprintf(sheet, sizeof(sheet), "乡镇%zu", i + 1);
        ws = workbook_add_worksheet(wb, sheet);
        if (ws == NULL) {
            rc = bm_err_set(err, BM_EINTERNAL, "无法生成表格文件");
            break;
        }
        for (int c = 0; c < 10; c++)
            worksheet_write_string(ws, 0, (lxw_col_t)c, town_head[c], bold);
        worksheet_set_column(ws, 1, 1, 24, NULL);
        json_array_foreach(json_object_get(r, "indicators"), k, e) {
            lxw_row_t rr = (lxw_row_t)(k + 1);
            put_str(ws, rr, 0, json_object_get(e, "code"), NULL);
            put_str(ws, rr, 1, json_object_get(e, "name"), NULL);
            put_str(ws, rr, 2, json_object_get(e, "parent_code"), NULL);
            put_num(ws, rr, 3, json_object_get(e, "weight"));
            put_str(ws, rr, 4, json_object_get(e, "source"), NULL);
            put_str(ws, rr, 5, json_object_get(e, "rule"), NULL);
            put_num(ws, rr, 6, json_object_get(e, "value"));
            put_num(ws, rr, 7, json_object_get(e, "numerator"));
            put_num(ws, rr, 8, json_object_get(e, "denominator"));
            put_num(ws, rr, 9, json_object_get(e, "score"));
        }
        worksheet_write_string(ws, (lxw_row_t)(json_array_size(json_object_get(r, "indicators")) + 2),
                               0, "总分", bold);
        put_num(ws, (lxw_row_t)(json_array_size(json_object_get(r, "indicators")) + 2), 9,
                json_object_get(r, "total"));
    }
    return bm_xlsx_out_finish(&x, rc, out, len, err);
}
