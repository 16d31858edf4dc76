/*
 * Unit tests for src/io/xlsx.c, the workbook reader of imports: cells by reference, shared and
 * inline strings, and references no workbook has (found by fuzz_import: a column reference of
 * ten letters overflowed an int, and a row after row 9223372036854775807 a long).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zip.h>

#include "io/xlsx.h"

static const char WORKBOOK[] =
    "<workbook xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
    "<sheets><sheet name=\"服务事项\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
static const char RELS[] =
    "<Relationships><Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\"/></Relationships>";
static const char STRINGS[] = "<sst><si><t>事项编码</t></si><si><r><t>富</t></r><r><t>文本</t></r></si></sst>";

/* A workbook (stored, not compressed) with `sheet` as its only worksheet; malloc'ed. */
static void *
workbook(const char *sheet, size_t *len)
{
    const char *names[] = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                           "xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"};
    const char *parts[] = {WORKBOOK, RELS, STRINGS, sheet};
    zip_error_t ze;
    zip_source_t *src;
    zip_t *z;
    void *buf;
    zip_int64_t n;

    zip_error_init(&ze);
    src = zip_source_buffer_create(NULL, 0, 0, &ze);
    assert_non_null(src);
    zip_source_keep(src);
    z = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
    assert_non_null(z);
    for (int i = 0; i < 4; i++) {
        zip_source_t *ps = zip_source_buffer(z, parts[i], strlen(parts[i]), 0);
        assert_true(zip_file_add(z, names[i], ps, ZIP_FL_ENC_UTF_8) >= 0);
    }
    assert_int_equal(zip_close(z), 0);
    assert_int_equal(zip_source_open(src), 0);
    assert_int_equal(zip_source_seek(src, 0, SEEK_END), 0);
    n = zip_source_tell(src);
    assert_true(n > 0);
    assert_int_equal(zip_source_seek(src, 0, SEEK_SET), 0);
    buf = malloc((size_t)n);
    assert_non_null(buf);
    assert_int_equal(zip_source_read(src, buf, (zip_uint64_t)n), n);
    zip_source_close(src);
    zip_source_free(src);
    *len = (size_t)n;
    return buf;
}

static const struct bm_xlsx_sheet *
read_sheet(const char *xml, struct bm_arena *a)
{
    struct bm_xlsx_book b;
    struct bm_err err;
    size_t len;
    void *data = workbook(xml, &len);
    const struct bm_xlsx_sheet *s;

    bm_err_clear(&err);
    assert_int_equal(bm_xlsx_read(data, len, a, &b, &err), BM_OK);
    free(data);
    s = bm_xlsx_sheet(&b, "服务事项");
    assert_non_null(s);
    return s;
}

static void
test_cells(void **state)
{
    struct bm_arena *a = bm_arena_new(1 << 22);
    const struct bm_xlsx_sheet *s;
    (void)state;

    s = read_sheet("<worksheet><sheetData>"
                   "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"C1\" t=\"s\"><v>1</v></c></row>"
                   "<row r=\"3\"><c r=\"B3\" t=\"inlineStr\"><is><t>西田各庄镇</t></is></c>"
                   "<c r=\"AA3\"><v>42</v></c></row>"
                   "</sheetData></worksheet>",
                   a);
    assert_int_equal(s->n_rows, 3);
    assert_string_equal(s->rows[0].cells[0], "事项编码");
    assert_null(s->rows[0].cells[1]);
    assert_string_equal(s->rows[0].cells[2], "富文本");
    assert_int_equal(s->rows[1].n_cells, 0);
    assert_string_equal(s->rows[2].cells[1], "西田各庄镇");
    assert_string_equal(s->rows[2].cells[26], "42");
    bm_arena_free(a);
}

/* References past any workbook's last column or row are skipped, without overflow. */
static void
test_references_out_of_range(void **state)
{
    struct bm_arena *a = bm_arena_new(1 << 22);
    const struct bm_xlsx_sheet *s;
    (void)state;

    s = read_sheet("<worksheet><sheetData>"
                   "<row r=\"1\"><c r=\"ZZZZZZZZZZ1\"><v>far</v></c><c r=\"B1\"><v>near</v></c>"
                   "<c r=\"XFE1\"><v>past XFD</v></c><c r=\"BM1\"><v>col 65</v></c></row>"
                   "<row r=\"9223372036854775807\"><c r=\"A9\"><v>x</v></c></row>"
                   "<row><c r=\"A1\"><v>y</v></c></row>"
                   "<row><c r=\"A1\"><v>z</v></c></row>"
                   "</sheetData></worksheet>",
                   a);
    assert_int_equal(s->n_rows, 1);
    assert_int_equal(s->rows[0].n_cells, 2);
    assert_string_equal(s->rows[0].cells[1], "near");
    bm_arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cells),
        cmocka_unit_test(test_references_out_of_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
