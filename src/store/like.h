/*
 * Private to src/store: LIKE patterns built from user text, with %, _ and \ escaped (both
 * backends use ESCAPE '\', PostgreSQL's default), so a search for "50%" means 50%.
 */
#ifndef BM_STORE_LIKE_H
#define BM_STORE_LIKE_H

#include <stdbool.h>

#include "util/arena.h"

/* "text%" (a prefix), or "%text%" when `anywhere`. NULL only past the arena cap. */
const char *bm_like_pattern(struct bm_arena *a, const char *text, bool anywhere);

#endif
