/*
 * The evaluation results workbook (.xlsx): a summary sheet (rank, township, total, grade,
 * veto cap) and one sheet per township with every indicator, its source data and its score.
 */
#ifndef BM_IO_EVALUATION_H
#define BM_IO_EVALUATION_H

#include <jansson.h>
#include <stddef.h>

#include "util/err.h"

/*
 * Writes the workbook for `results` (borrowed: the API's result objects with "indicators")
 * into a malloc'ed buffer the caller owns (*out, *len).
 */
BM_MUST_CHECK enum bm_rc bm_io_eval_export_xlsx(const char *period_name, json_t *results,
                                                char **out, size_t *len, struct bm_err *err);

#endif
