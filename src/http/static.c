/*
 * Static file resolution.
 */
#include "http/static.h"

#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
    const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".gif", "image/gif"},
    {".ico", "image/x-icon"},
    {".webp", "image/webp"},
    {".woff", "font/woff"},
    {".woff2", "font/woff2"},
    {".ttf", "font/ttf"},
    {".txt", "text/plain; charset=utf-8"},
    {".map", "application/json; charset=utf-8"},
    {".webmanifest", "application/manifest+json"},
};

static const char *
type_of(const char *path)
{
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    if (dot == NULL || (slash && dot < slash))
        return NULL;
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (strcasecmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

static bool
safe(const char *path)
{
    const char *p = path;
    if (path[0] != '/' || strchr(path, '\\') != NULL)
        return false;
    while ((p = strstr(p, "/..")) != NULL) {
        if (p[3] == '/' || p[3] == '\0')
            return false;
        p += 3;
    }
    return true;
}

static enum bm_static_rc
open_inside(const char *root_real, const char *rel, struct bm_static_file *out)
{
    char joined[PATH_MAX], real[PATH_MAX];
    size_t rl = strlen(root_real);
    struct stat sb;
    int fd;

    if ((size_t)snprintf(joined, sizeof(joined), "%s%s", root_real, rel) >= sizeof(joined))
        return BM_STATIC_BAD_PATH;
    if (realpath(joined, real) == NULL)
        return BM_STATIC_NOT_FOUND;
    if (strncmp(real, root_real, rl) != 0 || (real[rl] != '/' && real[rl] != '\0'))
        return BM_STATIC_NOT_FOUND; /* a symlink that leads out */
    fd = open(real, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return BM_STATIC_NOT_FOUND;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return BM_STATIC_NOT_FOUND;
    }
    out->fd = fd;
    out->size = (size_t)sb.st_size;
    out->content_type = type_of(real);
    if (out->content_type == NULL)
        out->content_type = "application/octet-stream";
    /* Vite puts content-hashed names under /assets/: cache them for good. */
    out->cache_control = strncmp(rel, "/assets/", 8) == 0 ? "public, max-age=31536000, immutable"
                                                          : "no-cache";
    return BM_STATIC_OK;
}

enum bm_static_rc
bm_static_open(const char *root_real, const char *path, struct bm_static_file *out)
{
    enum bm_static_rc rc;
    size_t n = strlen(path);

    if (!safe(path))
        return BM_STATIC_BAD_PATH;
    if (n > 0 && path[n - 1] == '/') {
        char idx[PATH_MAX];
        if ((size_t)snprintf(idx, sizeof(idx), "%sindex.html", path) >= sizeof(idx))
            return BM_STATIC_BAD_PATH;
        rc = open_inside(root_real, idx, out);
        /* A single-page app's route typed with a trailing slash (/guide/). */
        if (rc == BM_STATIC_NOT_FOUND)
            rc = open_inside(root_real, "/index.html", out);
        return rc;
    }
    rc = open_inside(root_real, path, out);
    if (rc == BM_STATIC_NOT_FOUND && type_of(path) == NULL)
        rc = open_inside(root_real, "/index.html", out);
    return rc;
}
