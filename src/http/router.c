/*
 * Route matching.
 */
#include "http/router.h"

#include <string.h>

static const char *method_names[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS",
                                     "OTHER"};

/* Matches one pattern; fills params. */
static bool
match(const char *pat, const char *path, struct bm_match_result *out)
{
    out->n_params = 0;
    while (*pat != '\0' && *path != '\0') {
        if (*pat != '/' || *path != '/')
            return false;
        pat++;
        path++;
        if (*pat == '{') {
            const char *pe = strchr(pat, '}');
            size_t n = strcspn(path, "/");
            if (pe == NULL || n == 0 || out->n_params >= BM_MAX_PARAMS)
                return false;
            out->param[out->n_params] = path;
            out->param_len[out->n_params] = n;
            out->n_params++;
            pat = pe + 1;
            path += n;
        } else {
            /* In one pass: most routes differ from the path within a few bytes, and this
             * runs for every route before the one that matches. A segment matched only in
             * part leaves pat or path off a '/', which the loop's test or the end refuses. */
            while (*pat != '\0' && *pat != '/' && *pat == *path) {
                pat++;
                path++;
            }
        }
    }
    return *pat == '\0' && *path == '\0';
}

enum bm_match
bm_router_match(const struct bm_route *routes, size_t n, enum bm_method m, const char *path,
                struct bm_match_result *out)
{
    struct bm_match_result tmp;
    bool path_known = false;
    size_t alen = 0;

    memset(out, 0, sizeof(*out));
    out->route = -1;
    for (size_t i = 0; i < n; i++) {
        if (!match(routes[i].pattern, path, &tmp))
            continue;
        if (routes[i].method == m || (m == BM_HEAD && routes[i].method == BM_GET)) {
            tmp.route = (int)i;
            memcpy(tmp.allow, out->allow, sizeof(tmp.allow));
            *out = tmp;
            return BM_MATCH_OK;
        }
        path_known = true;
        {
            const char *name = method_names[routes[i].method];
            size_t nl = strlen(name);
            if (alen + nl + 2 < sizeof(out->allow)) {
                if (alen > 0) {
                    memcpy(out->allow + alen, ", ", 2);
                    alen += 2;
                }
                memcpy(out->allow + alen, name, nl);
                alen += nl;
                out->allow[alen] = '\0';
            }
        }
    }
    return path_known ? BM_MATCH_METHOD : BM_MATCH_NONE;
}
