/*
 * .xlsx reading: the package is a zip of XML parts; the workbook part lists the sheets, its
 * relationships part maps them to worksheet parts, and text lives in the shared-strings part
 * or inline in the cells.
 */
#include "io/xlsx.h"

#include <expat.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "util/buf.h"

#define MAX_PART (64u << 20)

/* Reads one part of the package into the arena (NUL-terminated); NULL if absent. */
static char *
part(zip_t *z, const char *name, struct bm_arena *a, size_t *len)
{
    zip_stat_t st;
    zip_file_t *f;
    char *buf;

    if (zip_stat(z, name, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) || st.size > MAX_PART)
        return NULL;
    if ((buf = bm_arena_alloc(a, (size_t)st.size + 1)) == NULL || (f = zip_fopen(z, name, 0)) == NULL)
        return NULL;
    if (zip_fread(f, buf, st.size) != (zip_int64_t)st.size) {
        zip_fclose(f);
        return NULL;
    }
    zip_fclose(f);
    buf[st.size] = '\0';
    *len = (size_t)st.size;
    return buf;
}

/* Element names without a namespace prefix ("x:row" -> "row"). */
static const char *
local(const char *name)
{
    const char *c = strrchr(name, ':');
    return c ? c + 1 : name;
}

static const char *
attr(const char **atts, const char *name)
{
    for (int i = 0; atts[i]; i += 2)
        if (strcmp(local(atts[i]), name) == 0)
            return atts[i + 1];
    return NULL;
}

static bool
parse(const char *xml, size_t len, void *ctx, XML_StartElementHandler start,
      XML_EndElementHandler end, XML_CharacterDataHandler text)
{
    XML_Parser p = XML_ParserCreate("UTF-8");
    bool ok;
    XML_SetUserData(p, ctx);
    XML_SetElementHandler(p, start, end);
    XML_SetCharacterDataHandler(p, text);
    ok = XML_Parse(p, xml, (int)len, 1) == XML_STATUS_OK;
    XML_ParserFree(p);
    return ok;
}

/* ---- workbook: sheet names and relationship ids; rels: id -> target ---- */

struct names {
    struct bm_arena *a;
    const char *name[64], *rid[64], *target[64], *id[64];
    int n_sheets, n_rels;
};

static void XMLCALL
wb_start(void *ud, const char *el, const char **atts)
{
    struct names *w = ud;
    if (strcmp(local(el), "sheet") == 0 && w->n_sheets < 64 && attr(atts, "name") && attr(atts, "id")) {
        w->name[w->n_sheets] = bm_arena_strdup(w->a, attr(atts, "name"));
        w->rid[w->n_sheets++] = bm_arena_strdup(w->a, attr(atts, "id"));
    } else if (strcmp(local(el), "Relationship") == 0 && w->n_rels < 64 && attr(atts, "Id") &&
               attr(atts, "Target")) {
        w->id[w->n_rels] = bm_arena_strdup(w->a, attr(atts, "Id"));
        w->target[w->n_rels++] = bm_arena_strdup(w->a, attr(atts, "Target"));
    }
}

static void XMLCALL
no_end(void *ud, const char *el)
{
    (void)ud;
    (void)el;
}

static void XMLCALL
no_text(void *ud, const char *s, int n)
{
    (void)ud;
    (void)s;
    (void)n;
}

/* ---- shared strings ---- */

struct strings {
    struct bm_arena *a;
    const char **s;
    size_t n, cap;
    struct bm_buf cur;
    bool in_si, in_t;
};

static void XMLCALL
ss_start(void *ud, const char *el, const char **atts)
{
    struct strings *s = ud;
    (void)atts;
    if (strcmp(local(el), "si") == 0) {
        s->in_si = true;
        s->cur.len = 0;
        if (s->cur.ptr)
            s->cur.ptr[0] = '\0';
    } else if (strcmp(local(el), "t") == 0 && s->in_si) {
        s->in_t = true;
    }
}

static void XMLCALL
ss_end(void *ud, const char *el)
{
    struct strings *s = ud;
    if (strcmp(local(el), "t") == 0) {
        s->in_t = false;
    } else if (strcmp(local(el), "si") == 0 && s->in_si) {
        if (s->n == s->cap) {
            size_t cap = s->cap ? s->cap * 2 : 256;
            const char **bigger = bm_arena_alloc(s->a, sizeof(*bigger) * cap);
            if (bigger != NULL && s->n)
                memcpy(bigger, s->s, sizeof(*bigger) * s->n);
            s->s = bigger;
            s->cap = bigger ? cap : 0;
        }
        if (s->s != NULL)
            s->s[s->n++] = bm_arena_strdup(s->a, s->cur.ptr ? s->cur.ptr : "");
        s->in_si = false;
    }
}

static void XMLCALL
ss_text(void *ud, const char *txt, int n)
{
    struct strings *s = ud;
    /* Rich text: an <si> holds several runs <r><t>; their texts are concatenated. */
    if (s->in_t && n > 0)
        (void)!bm_buf_append(&s->cur, txt, (size_t)n);
}

/* ---- a worksheet ---- */

struct sheet {
    struct bm_arena *a;
    const struct strings *shared;
    struct bm_xlsx_sheet *out;
    size_t cap;
    long row;   /* current row number (1-based), 0 outside a row */
    int col;    /* current cell column (0-based), -1 outside a cell */
    char type[8];
    bool in_value;
    struct bm_buf cur;
};

/* Past the last column a workbook can have (XFD): a cell there is not read. */
#define XLSX_NO_COLUMN (1 << 20)
/* Rows past this are not read (a catalog has hundreds). */
#define XLSX_MAX_ROW 1000000L

static int
column_of(const char *ref)
{
    int c = 0;
    /* Stop before the number overflows: "AAAAAAAAA1" is no column of ours. */
    for (; *ref >= 'A' && *ref <= 'Z'; ref++)
        if ((c = c * 26 + (*ref - 'A' + 1)) > XLSX_NO_COLUMN)
            return XLSX_NO_COLUMN;
    return c - 1;
}

static struct bm_xlsx_row *
row_at(struct sheet *s, long r)
{
    if (r < 1 || r > XLSX_MAX_ROW)
        return NULL;
    if ((size_t)r > s->cap) {
        size_t cap = s->cap ? s->cap : 64;
        struct bm_xlsx_row *bigger;
        while (cap < (size_t)r)
            cap *= 2;
        if ((bigger = bm_arena_alloc(s->a, sizeof(*bigger) * cap)) == NULL)
            return NULL;
        if (s->out->rows)
            memcpy(bigger, s->out->rows, sizeof(*bigger) * s->cap);
        s->out->rows = bigger;
        s->cap = cap;
    }
    if ((size_t)r > s->out->n_rows)
        s->out->n_rows = (size_t)r;
    return &s->out->rows[r - 1];
}

static void XMLCALL
sh_start(void *ud, const char *el, const char **atts)
{
    struct sheet *s = ud;
    const char *name = local(el), *v;

    if (strcmp(name, "row") == 0) {
        /* strtol saturates; a row after the last one we read stays past it, no overflow. */
        s->row = (v = attr(atts, "r")) ? strtol(v, NULL, 10)
                 : s->row <= XLSX_MAX_ROW ? s->row + 1 : s->row;
    } else if (strcmp(name, "c") == 0) {
        s->col = (v = attr(atts, "r")) ? column_of(v)
                 : s->col < XLSX_NO_COLUMN ? s->col + 1 : XLSX_NO_COLUMN;
        snprintf(s->type, sizeof(s->type), "%s", (v = attr(atts, "t")) ? v : "n");
        s->cur.len = 0;
        if (s->cur.ptr)
            s->cur.ptr[0] = '\0';
    } else if (strcmp(name, "v") == 0 || (strcmp(name, "t") == 0 && s->col >= 0)) {
        s->in_value = true;
    }
}

static void XMLCALL
sh_end(void *ud, const char *el)
{
    struct sheet *s = ud;
    const char *name = local(el);
    struct bm_xlsx_row *row;
    const char *value;

    if (strcmp(name, "v") == 0 || strcmp(name, "t") == 0) {
        s->in_value = false;
    } else if (strcmp(name, "c") == 0) {
        value = s->cur.ptr ? s->cur.ptr : "";
        if (strcmp(s->type, "s") == 0) {
            long i = strtol(value, NULL, 10);
            value = i >= 0 && (size_t)i < s->shared->n ? s->shared->s[i] : "";
        }
        row = row_at(s, s->row);
        if (row != NULL && s->col >= 0 && s->col < BM_XLSX_MAX_COLS && value[0] != '\0') {
            row->cells[s->col] = bm_arena_strdup(s->a, value);
            if (s->col + 1 > row->n_cells)
                row->n_cells = s->col + 1;
        }
        s->col = -1;
    }
}

static void XMLCALL
sh_text(void *ud, const char *txt, int n)
{
    struct sheet *s = ud;
    if (s->in_value && n > 0)
        (void)!bm_buf_append(&s->cur, txt, (size_t)n);
}

enum bm_rc
bm_xlsx_read(const void *data, size_t len, struct bm_arena *a, struct bm_xlsx_book *out,
             struct bm_err *err)
{
    zip_error_t ze;
    zip_source_t *src;
    zip_t *z = NULL;
    struct names w;
    struct strings ss;
    char *xml;
    size_t n = 0;
    enum bm_rc rc = BM_OK;

    memset(out, 0, sizeof(*out));
    memset(&w, 0, sizeof(w));
    memset(&ss, 0, sizeof(ss));
    w.a = ss.a = a;
    bm_buf_init(&ss.cur, 1 << 20);
    zip_error_init(&ze);
    if ((src = zip_source_buffer_create(data, len, 0, &ze)) == NULL ||
        (z = zip_open_from_source(src, ZIP_RDONLY, &ze)) == NULL) {
        if (src != NULL)
            zip_source_free(src);
        rc = bm_err_set(err, BM_EINVAL, "不是有效的 .xlsx 文件");
        goto out;
    }
    if ((xml = part(z, "xl/workbook.xml", a, &n)) == NULL ||
        !parse(xml, n, &w, wb_start, no_end, no_text) ||
        (xml = part(z, "xl/_rels/workbook.xml.rels", a, &n)) == NULL ||
        !parse(xml, n, &w, wb_start, no_end, no_text)) {
        rc = bm_err_set(err, BM_EINVAL, "不是有效的 .xlsx 文件（缺少工作簿）");
        goto out;
    }
    /* Shared strings are optional (a workbook of numbers or inline strings has none). */
    if ((xml = part(z, "xl/sharedStrings.xml", a, &n)) != NULL &&
        !parse(xml, n, &ss, ss_start, ss_end, ss_text)) {
        rc = bm_err_set(err, BM_EINVAL, ".xlsx 文件的共享字符串损坏");
        goto out;
    }
    out->sheets = bm_arena_alloc(a, sizeof(*out->sheets) * (size_t)(w.n_sheets + 1));
    for (int i = 0; rc == BM_OK && out->sheets && i < w.n_sheets; i++) {
        struct sheet sh;
        char path[256];
        const char *target = NULL;

        for (int k = 0; k < w.n_rels; k++)
            if (strcmp(w.id[k], w.rid[i]) == 0)
                target = w.target[k];
        if (target == NULL)
            continue;
        /* Targets are relative to xl/ unless absolute ("/xl/worksheets/sheet1.xml"). */
        snprintf(path, sizeof(path), "%s%s", target[0] == '/' ? "" : "xl/",
                 target[0] == '/' ? target + 1 : target);
        memset(&sh, 0, sizeof(sh));
        sh.a = a;
        sh.shared = &ss;
        sh.col = -1;
        sh.out = &out->sheets[out->n_sheets];
        sh.out->name = w.name[i];
        bm_buf_init(&sh.cur, 1 << 20);
        if ((xml = part(z, path, a, &n)) == NULL || !parse(xml, n, &sh, sh_start, sh_end, sh_text))
            rc = bm_err_set(err, BM_EINVAL, ".xlsx 文件的工作表“%s”损坏", w.name[i]);
        else
            out->n_sheets++;
        bm_buf_fini(&sh.cur);
    }
    if (rc == BM_OK && out->sheets == NULL)
        rc = bm_err_set(err, BM_ETOOBIG, "文件过大");
out:
    if (z != NULL)
        zip_discard(z);
    bm_buf_fini(&ss.cur);
    return rc;
}

const struct bm_xlsx_sheet *
bm_xlsx_sheet(const struct bm_xlsx_book *b, const char *name)
{
    for (size_t i = 0; i < b->n_sheets; i++)
        if (strcmp(b->sheets[i].name, name) == 0)
            return &b->sheets[i];
    return NULL;
}
