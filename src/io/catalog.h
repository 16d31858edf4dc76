/*
 * Catalog files: the JSON import format ({"items", "delegations", "powers"}), shared by
 * `bianmin import`, the demo county and the API's export; CSV export of the items. An import
 * validates every record first and writes nothing if any is wrong; its report names each
 * bad record and field in Chinese.
 */
#ifndef BM_IO_CATALOG_H
#define BM_IO_CATALOG_H

#include <jansson.h>

#include "core/delegation.h"
#include "core/org.h"
#include "store/store.h"

/* The org units an import resolves names against (a county's whole tree). */
struct bm_io_units {
    struct bm_org_unit *units;
    size_t n;
};

BM_MUST_CHECK enum bm_rc bm_io_units_load(struct bm_store *st, struct bm_arena *a,
                                          struct bm_io_units *out, struct bm_err *err);

/*
 * Reads a delegation or power object (API body or import record). Units may be given by id
 * (from_unit_id, township_ids, township_id) or, in files, by name (from_department,
 * townships — ["*"] for every township — township). Field errors go to `err` with `prefix`.
 * The JSON arrays of a power are checked and kept as compact JSON text in the arena.
 */
void bm_io_delegation_read(json_t *obj, const struct bm_io_units *u, const char *prefix,
                           struct bm_delegation *d, struct bm_err *err);
void bm_io_power_read(json_t *obj, const struct bm_io_units *u, struct bm_arena *a,
                      const char *prefix, struct bm_power *p, struct bm_err *err);
json_t *bm_io_delegation_json(const struct bm_delegation *d);
json_t *bm_io_power_json(const struct bm_power *p);

struct bm_import_report {
    const char **lines; /* one Chinese line per problem, in file order */
    size_t n_lines;
    int items, delegations, powers; /* imported (or, with errors, checked) */
    int n_errors;                   /* every problem found, listed or not */
};

typedef void (*bm_progress_fn)(void *ctx, size_t done, size_t total);

/*
 * Imports a catalog file. Items become published when `publish` (the publication rules
 * apply), else drafts. A code that exists in the store, a duplicate in the file, an unknown
 * unit or any invalid field makes the whole import BM_EINVAL with rep->lines filled, and
 * nothing is written. Otherwise one transaction writes everything, with an audit entry per
 * record under `actor`.
 */
BM_MUST_CHECK enum bm_rc bm_io_catalog_import(struct bm_store *st, const char *text, size_t len,
                                              bool publish, const char *actor, int64_t actor_id,
                                              int64_t now, struct bm_arena *a,
                                              struct bm_import_report *rep,
                                              bm_progress_fn progress, void *progress_ctx,
                                              struct bm_err *err);

/* The published catalog in the import format (units by name), as malloc'ed JSON text. */
BM_MUST_CHECK enum bm_rc bm_io_catalog_export_json(struct bm_store *st, struct bm_arena *a,
                                                   char **out, size_t *len, struct bm_err *err);

/* The published items as CSV (UTF-8 with BOM, for spreadsheet programs), malloc'ed. */
BM_MUST_CHECK enum bm_rc bm_io_catalog_export_csv(struct bm_store *st, struct bm_arena *a,
                                                  char **out, size_t *len, struct bm_err *err);

/*
 * The published catalog as an .xlsx workbook, malloc'ed: sheets 服务事项, 申请材料, 下放事项
 * and 权责清单, one column per field under a Chinese header, enumerations by their Chinese
 * names. bm_io_catalog_import_xlsx reads the same workbook back (columns found by header).
 */
BM_MUST_CHECK enum bm_rc bm_io_catalog_export_xlsx(struct bm_store *st, struct bm_arena *a,
                                                   char **out, size_t *len, struct bm_err *err);

/*
 * Imports a workbook in the format of bm_io_catalog_export_xlsx: cells that do not convert
 * are reported by sheet, row and column; then the records go through bm_io_catalog_import
 * (whose report's "第 N 条事项" is row N + 1 of 服务事项).
 */
BM_MUST_CHECK enum bm_rc bm_io_catalog_import_xlsx(struct bm_store *st, const void *data,
                                                   size_t len, bool publish, const char *actor,
                                                   int64_t actor_id, int64_t now,
                                                   struct bm_arena *a,
                                                   struct bm_import_report *rep,
                                                   bm_progress_fn progress, void *progress_ctx,
                                                   struct bm_err *err);

#endif
