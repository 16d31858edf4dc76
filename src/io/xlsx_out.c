/*
 * Writing .xlsx workbooks into memory (see xlsx_out.h).
 */
#include "io/xlsx_out.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum bm_rc
bm_xlsx_out_open(struct bm_xlsx_out *o, struct bm_err *err)
{
    int fd;

    snprintf(o->path, sizeof(o->path), "/tmp/bianmin-xlsx-XXXXXX");
    o->wb = NULL;
    if ((fd = mkstemp(o->path)) < 0)
        return bm_err_set(err, BM_EINTERNAL, "无法创建临时文件");
    close(fd);
    if ((o->wb = workbook_new(o->path)) == NULL) {
        unlink(o->path);
        return bm_err_set(err, BM_EINTERNAL, "无法生成表格文件");
    }
    return BM_OK;
}

enum bm_rc
bm_xlsx_out_finish(struct bm_xlsx_out *o, enum bm_rc rc, char **out, size_t *len,
                   struct bm_err *err)
{
    FILE *f = NULL;
    long size;

    *out = NULL;
    *len = 0;
    if (workbook_close(o->wb) != LXW_NO_ERROR && rc == BM_OK)
        rc = bm_err_set(err, BM_EINTERNAL, "无法生成表格文件");
    o->wb = NULL;
    if (rc == BM_OK && (f = fopen(o->path, "rb")) == NULL)
        rc = bm_err_set(err, BM_EINTERNAL, "无法读取表格文件");
    if (rc == BM_OK) {
        if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
            *out = bm_xmalloc((size_t)size);
            *len = fread(*out, 1, (size_t)size, f);
            if (*len != (size_t)size) {
                free(*out);
                *out = NULL;
                *len = 0;
                rc = bm_err_set(err, BM_EINTERNAL, "无法读取表格文件");
            }
        } else {
            rc = bm_err_set(err, BM_EINTERNAL, "无法读取表格文件");
        }
    }
    if (f != NULL)
        fclose(f);
    unlink(o->path);
    return rc;
}
