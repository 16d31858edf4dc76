/*
 * The JSON form of a catalog item, both ways: the API's request and response bodies and the
 * catalog import/export files share it, so an exported catalog imports as it is.
 */
#ifndef BM_IO_ITEM_JSON_H
#define BM_IO_ITEM_JSON_H

#include <jansson.h>

#include "core/item.h"
#include "util/arena.h"
#include "util/err.h"

/* Every field an item object may carry (NULL-terminated), for strict decoding. */
extern const char *const bm_io_item_fields[];

/*
 * Applies the fields present in `obj` to `it`: codes become table indices, arrays of codes
 * bit sets, materials an arena array. Wrong types, unknown codes and over-long texts add
 * per-field errors to `err` (prefixed with `prefix`, e.g. "items[3]."); missing fields are
 * left as they are. Strings are borrowed from `obj`.
 */
void bm_io_item_read(json_t *obj, struct bm_arena *a, const char *prefix, struct bm_item *it,
                     struct bm_err *err);

/* Defaults of a new item before bm_io_item_read: a township item for natural persons... */
void bm_io_item_defaults(struct bm_item *it);

/* The item as JSON; `full` adds the guide's texts and the materials. New reference. */
json_t *bm_io_item_json(const struct bm_item *it, bool full);

#endif
