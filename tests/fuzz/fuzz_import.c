/*
 * The catalog import, into the demo county's store: bm_io_catalog_import (the JSON file of
 * items, delegations and powers) and bm_io_catalog_import_xlsx (the workbook, read by
 * io/xlsx.c with libzip and expat). The input is
 *  - a workbook as it is, when it starts with "PK";
 *  - the XML parts of a workbook, when it starts with "XLSX\n": xl/workbook.xml,
 *    xl/_rels/workbook.xml.rels, xl/sharedStrings.xml and xl/worksheets/sheet1..4.xml in that
 *    order, separated by lines "=====". The target zips them (stored, so the CRCs are right)
 *    and imports that, which lets mutations reach the XML readers;
 *  - otherwise a JSON catalog file.
 * Odd lengths import items as published, even ones as drafts.
 *
 * Checked beyond the sanitizers: a refused import writes nothing (no row added to the
 * catalog tables or the audit log), its report's lines are valid UTF-8, no transaction is
 * left open, and nothing answers BM_EINTERNAL.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "common.h"
#include "io/catalog.h"
#include "util/time.h"
#include "util/utf8.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct bm_config cfg;
static struct bm_store *store;
/* A second, read-only connection counts rows (test code: plain SQL is fine here). */
static sqlite3 *reader;
static sqlite3_stmt *count_stmt;
static const char count_sql[] =
    "SELECT (SELECT count(*) FROM items) + (SELECT count(*) FROM item_materials) + "
    "(SELECT count(*) FROM delegations) + (SELECT count(*) FROM powers) + "
    "(SELECT count(*) FROM audit_log)";

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    store = fuzz_demo_store(&cfg);
    if (sqlite3_open_v2(cfg.db, &reader, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(reader, count_sql, -1, &count_stmt, NULL) != SQLITE_OK) {
        fprintf(stderr, "fuzz_import: %s\n", sqlite3_errmsg(reader));
        abort();
    }
    return 0;
}

static const char *const part_names[] = {
    "xl/workbook.xml",          "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml",
    "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml",   "xl/worksheets/sheet3.xml",
    "xl/worksheets/sheet4.xml",
};
#define SEPARATOR "\n=====\n"

/* The parts in `data` zipped, stored, into a malloc'ed buffer; NULL if libzip fails. */
static void *
zip_parts(const uint8_t *data, size_t size, size_t *out_len)
{
    zip_error_t ze;
    zip_source_t *src;
    zip_t *z;
    const uint8_t *p = data, *end = data + size;
    void *buf = NULL;
    zip_int64_t len;

    zip_error_init(&ze);
    if ((src = zip_source_buffer_create(NULL, 0, 0, &ze)) == NULL)
        return NULL;
    zip_source_keep(src);
    if ((z = zip_open_from_source(src, ZIP_TRUNCATE, &ze)) == NULL) {
        zip_source_free(src);
        zip_source_free(src);
        return NULL;
    }
    for (size_t i = 0; i < sizeof(part_names) / sizeof(part_names[0]) && p <= end; i++) {
        const uint8_t *sep = memmem(p, (size_t)(end - p), SEPARATOR, strlen(SEPARATOR));
        const uint8_t *stop = sep ? sep : end;
        zip_source_t *ps = zip_source_buffer(z, p, (zip_uint64_t)(stop - p), 0);
        zip_int64_t idx = ps ? zip_file_add(z, part_names[i], ps, ZIP_FL_ENC_UTF_8) : -1;
        if (idx < 0) {
            zip_source_free(ps);
            break;
        }
        (void)zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_STORE, 0);
        if (sep == NULL)
            break;
        p = sep + strlen(SEPARATOR);
    }
    if (zip_close(z) != 0) {
        zip_discard(z);
        zip_source_free(src);
        return NULL;
    }
    if (zip_source_open(src) == 0) {
        if (zip_source_seek(src, 0, SEEK_END) == 0 && (len = zip_source_tell(src)) > 0 &&
            zip_source_seek(src, 0, SEEK_SET) == 0 && (buf = malloc((size_t)len)) != NULL &&
            zip_source_read(src, buf, (zip_uint64_t)len) != len) {
            free(buf);
            buf = NULL;
        }
        *out_len = buf ? (size_t)len : 0;
        zip_source_close(src);
    }
    zip_source_free(src);
    return buf;
}

/* Rows of what an import writes: a witness that a refused one wrote nothing. */
static int64_t
rows_now(void)
{
    int64_t n = -1;

    if (sqlite3_step(count_stmt) == SQLITE_ROW)
        n = sqlite3_column_int64(count_stmt, 0);
    sqlite3_reset(count_stmt);
    if (n < 0) {
        fprintf(stderr, "fuzz_import: count: %s\n", sqlite3_errmsg(reader));
        abort();
    }
    return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bm_arena *a = bm_arena_new((size_t)64 << 20);
    struct bm_import_report rep;
    struct bm_err err;
    bool xlsx = size >= 2 && data[0] == 'P' && data[1] == 'K';
    bool parts = size >= 5 && memcmp(data, "XLSX\n", 5) == 0;
    bool publish = size % 2 == 1;
    int64_t before = rows_now();
    enum bm_rc rc;

    memset(&rep, 0, sizeof(rep));
    bm_err_clear(&err);
    if (parts) {
        size_t len = 0;
        void *book = zip_parts(data + 5, size - 5, &len);
        if (book == NULL) {
            bm_arena_free(a);
            return 0;
        }
        rc = bm_io_catalog_import_xlsx(store, book, len, publish, "fuzz", 0, bm_now(), a, &rep,
                                       NULL, NULL, &err);
        free(book);
    } else if (xlsx) {
        rc = bm_io_catalog_import_xlsx(store, data, size, publish, "fuzz", 0, bm_now(), a, &rep,
                                       NULL, NULL, &err);
    } else {
        char *text = fuzz_strndup(data, size);
        rc = bm_io_catalog_import(store, text, size, publish, "fuzz", 0, bm_now(), a, &rep, NULL,
                                  NULL, &err);
        free(text);
    }
    if (rc == BM_EINTERNAL) {
        fprintf(stderr, "fuzz_import: internal error: %s\n", err.message);
        abort();
    }
    if (bm_store_in_tx(store)) {
        fprintf(stderr, "fuzz_import: import left a transaction open\n");
        abort();
    }
    for (size_t i = 0; i < rep.n_lines; i++)
        if (rep.lines[i] == NULL || !bm_utf8_valid(rep.lines[i], strlen(rep.lines[i]))) {
            fprintf(stderr, "fuzz_import: report line %zu is not UTF-8\n", i);
            abort();
        }
    if (rc != BM_OK) {
        if (rows_now() != before) {
            fprintf(stderr, "fuzz_import: a refused import wrote to the store\n");
            abort();
        }
    }
    bm_arena_free(a);
    return 0;
}
