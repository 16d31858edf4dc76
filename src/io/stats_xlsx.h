/*
 * Case statistics as an .xlsx workbook: one sheet with a title line, a header row in
 * Chinese, one row per group and a total row; rates as percentages.
 */
#ifndef BM_IO_STATS_XLSX_H
#define BM_IO_STATS_XLSX_H

#include <stddef.h>

#include "core/stats.h"
#include "util/err.h"

struct bm_stats_sheet {
    const char *title;      /* first line, e.g. "办件统计（按乡镇） 2026-03-01 至 2026-03-31" */
    const char *key_header; /* header of the first column, e.g. "乡镇" */
    const struct bm_stat_group *groups;
    const char *const *labels; /* first-column text of each group */
    size_t n;
    const struct bm_stat_group *total; /* NULL for none */
};

/* The workbook in *out (malloc'ed, the caller frees). */
BM_MUST_CHECK enum bm_rc bm_io_stats_xlsx(const struct bm_stats_sheet *s, char **out,
                                          size_t *len, struct bm_err *err);

#endif
