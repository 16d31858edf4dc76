/*
 * Writing .xlsx workbooks into memory: libxlsxwriter (1.1.4 in Debian 12) writes only to a
 * file, so the workbook goes to a private temporary file that is read back and removed.
 */
#ifndef BM_IO_XLSX_OUT_H
#define BM_IO_XLSX_OUT_H

#include <stddef.h>
#include <xlsxwriter.h>

#include "util/err.h"

struct bm_xlsx_out {
    char path[32];
    lxw_workbook *wb; /* add sheets and formats to it between open and finish */
};

/* Creates the workbook. On error nothing is left behind. */
BM_MUST_CHECK enum bm_rc bm_xlsx_out_open(struct bm_xlsx_out *o, struct bm_err *err);

/*
 * Closes the workbook and hands its bytes over in *out (malloc'ed, the caller frees), or
 * fails with `rc` passed in (a caller's earlier error) after cleaning up. Always removes
 * the temporary file.
 */
BM_MUST_CHECK enum bm_rc bm_xlsx_out_finish(struct bm_xlsx_out *o, enum bm_rc rc, char **out,
                                            size_t *len, struct bm_err *err);

#endif
