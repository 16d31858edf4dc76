/*
 * Case statistics as an .xlsx workbook (see stats_xlsx.h).
 */
#include "io/stats_xlsx.h"

#include "io/xlsx_out.h"

enum col_kind { COUNT, RATE, DAYS };

static const struct {
    const char *header;
    enum col_kind kind;
    int counter; /* COUNT: enum bm_stat_counter */
} cols[] = {
    {"收件", COUNT, BM_STAT_RECEIVED},       {"网上申请", COUNT, BM_STAT_ONLINE},
    {"受理", COUNT, BM_STAT_ACCEPTED},       {"不予受理", COUNT, BM_STAT_REJECTED},
    {"办结", COUNT, BM_STAT_COMPLETED},      {"按时办结", COUNT, BM_STAT_ON_TIME},
    {"提前办结", COUNT, BM_STAT_EARLY},      {"超期办结", COUNT, BM_STAT_OVERDUE},
    {"当日办结", COUNT, BM_STAT_SAME_DAY},   {"出件", COUNT, BM_STAT_DELIVERED},
    {"最多跑一次", COUNT, BM_STAT_ONE_VISIT}, {"零跑腿", COUNT, BM_STAT_ZERO_VISIT},
    {"评价数", COUNT, BM_STAT_RATED},        {"满意（含基本满意）", COUNT, BM_STAT_SATISFIED},
    {"差评", COUNT, BM_STAT_BAD},
    {"按时办结率", RATE, 0},                 {"提前办结率", RATE, 1},
    {"超期率", RATE, 2},                     {"当日办结率", RATE, 3},
    {"一次办结率", RATE, 4},                 {"零跑腿率", RATE, 5},
    {"网办率", RATE, 6},                     {"满意率", RATE, 7},
    {"不予受理率", RATE, 8},
    {"平均用时（工作日）", DAYS, 0},         {"90%用时（工作日）", DAYS, 1},
};

static double
rate_of(const struct bm_stat_group *g, int which)
{
    const double r[] = {g->on_time_rate,   g->early_rate,      g->overdue_rate,
                        g->same_day_rate,  g->one_visit_rate,  g->zero_visit_rate,
                        g->online_rate,    g->satisfaction_rate, g->rejection_rate};
    return r[which];
}

static void
write_row(lxw_worksheet *ws, lxw_row_t row, const char *label, const struct bm_stat_group *g,
          lxw_format *pct, lxw_format *days, lxw_format *bold)
{
    worksheet_write_string(ws, row, 0, label, bold);
    for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++) {
        lxw_col_t c = (lxw_col_t)(k + 1);
        double v;
        switch (cols[k].kind) {
        case COUNT:
            worksheet_write_number(ws, row, c, (double)g->n[cols[k].counter], bold);
            break;
        case RATE:
            if ((v = rate_of(g, cols[k].counter)) >= 0)
                worksheet_write_number(ws, row, c, v, pct);
            break;
        case DAYS:
            v = cols[k].counter == 0 ? g->avg_days : (double)g->p90_days;
            if (v >= 0)
                worksheet_write_number(ws, row, c, v, days);
            break;
        }
    }
}

enum bm_rc
bm_io_stats_xlsx(const struct bm_stats_sheet *s, char **out, size_t *len, struct bm_err *err)
{
    struct bm_xlsx_out x;
    lxw_worksheet *ws;
    lxw_format *bold, *pct, *days, *pct_bold, *days_bold;
    enum bm_rc rc = bm_xlsx_out_open(&x, err);

    if (rc != BM_OK)
        return rc;
    ws = workbook_add_worksheet(x.wb, "办件统计");
    bold = workbook_add_format(x.wb);
    format_set_bold(bold);
    pct = workbook_add_format(x.wb);
    format_set_num_format(pct, "0.00%");
    days = workbook_add_format(x.wb);
    format_set_num_format(days, "0.0");
    pct_bold = workbook_add_format(x.wb);
    format_set_num_format(pct_bold, "0.00%");
    format_set_bold(pct_bold);
    days_bold = workbook_add_format(x.wb);
    format_set_num_format(days_bold, "0.0");
    format_set_bold(days_bold);
    worksheet_write_string(ws, 0, 0, s->title, bold);
    worksheet_write_string(ws, 1, 0, s->key_header, bold);
    for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
        worksheet_write_string(ws, 1, (lxw_col_t)(k + 1), cols[k].header, bold);
    worksheet_set_column(ws, 0, 0, 28, NULL);
    worksheet_set_column(ws, 1, (lxw_col_t)(sizeof(cols) / sizeof(cols[0])), 11, NULL);
    worksheet_freeze_panes(ws, 2, 1);
    for (size_t i = 0; i < s->n; i++)
        write_row(ws, (lxw_row_t)(i + 2), s->labels[i], &s->groups[i], pct, days, NULL);
    if (s->total != NULL)
        write_row(ws, (lxw_row_t)(s->n + 2), "合计", s->total, pct_bold, days_bold, bold);
    return bm_xlsx_out_finish(&x, rc, out, len, err);
}
