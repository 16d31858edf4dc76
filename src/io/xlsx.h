/*
 * A small .xlsx reader for imports: the sheets of a workbook (by name, in order) as rows of
 * text cells. Shared, inline and plain cell values are read; formulas are read as their
 * cached values; styles are ignored. libzip opens the package, expat parses its XML.
 */
#ifndef BM_IO_XLSX_H
#define BM_IO_XLSX_H

#include <stddef.h>

#include "util/arena.h"
#include "util/err.h"

#define BM_XLSX_MAX_COLS 64

struct bm_xlsx_row {
    const char *cells[BM_XLSX_MAX_COLS]; /* NULL for an empty cell */
    int n_cells;                         /* one past the last non-empty column */
};

struct bm_xlsx_sheet {
    const char *name;
    struct bm_xlsx_row *rows; /* rows[i] is spreadsheet row i + 1 */
    size_t n_rows;
};

struct bm_xlsx_book {
    struct bm_xlsx_sheet *sheets;
    size_t n_sheets;
};

/* Reads a workbook from memory; everything lands in the arena. BM_EINVAL if it is not one. */
BM_MUST_CHECK enum bm_rc bm_xlsx_read(const void *data, size_t len, struct bm_arena *a,
                                      struct bm_xlsx_book *out, struct bm_err *err);

/* The sheet named `name`, or NULL. */
const struct bm_xlsx_sheet *bm_xlsx_sheet(const struct bm_xlsx_book *b, const char *name);

#endif
