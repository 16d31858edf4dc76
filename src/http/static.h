/*
 * Static files of the web UI from one folder, with no way out of it: ".." segments, NULs and
 * backslashes are refused, and the resolved real path must stay inside the folder (symlinks
 * pointing out are refused too). Paths without a file extension that match no file get
 * index.html, so the single-page app's own routes load.
 */
#ifndef BM_HTTP_STATIC_H
#define BM_HTTP_STATIC_H

#include <stddef.h>

enum bm_static_rc { BM_STATIC_OK, BM_STATIC_NOT_FOUND, BM_STATIC_BAD_PATH };

struct bm_static_file {
    int fd;
    size_t size;
    const char *content_type;
    const char *cache_control;
};

/*
 * Resolves a decoded request path to an open file under `root_real` (the folder's
 * realpath). On BM_STATIC_OK the caller owns out->fd.
 */
enum bm_static_rc bm_static_open(const char *root_real, const char *path,
                                 struct bm_static_file *out);

#endif
