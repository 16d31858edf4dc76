/*
 * LIKE pattern escaping shared by the backends.
 */
#include "store/like.h"

#include <string.h>

const char *
bm_like_pattern(struct bm_arena *a, const char *text, bool anywhere)
{
    size_t n = strlen(text), k = 0;
    char *p = bm_arena_alloc(a, 2 * n + 3);

    if (p == NULL)
        return NULL;
    if (anywhere)
        p[k++] = '%';
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '%' || text[i] == '_' || text[i] == '\\')
            p[k++] = '\\';
        p[k++] = text[i];
    }
    p[k++] = '%';
    p[k] = '\0';
    return p;
}
