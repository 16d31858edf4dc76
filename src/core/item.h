/*
 * Service items (政务服务事项) of the county's catalog: the fields of an implementation
 * list (docs/domain.md section 1), the enumerations that travel as English codes, and the
 * rules a draft and a published item must meet (section 1.6). Pure: no I/O.
 */
#ifndef BM_CORE_ITEM_H
#define BM_CORE_ITEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define BM_ITEM_MAX_MATERIALS 64

/* One code table entry: the API code and the Chinese name shown to users. */
struct bm_code {
    const char *code;
    const char *zh;
};

/* The enumerations, each a table ending with {NULL, NULL}. */
extern const struct bm_code bm_item_types[];      /* permit, payment, ... */
extern const struct bm_code bm_item_categories[]; /* education, employment, ... (section 四) */
extern const struct bm_code bm_item_objects[];    /* natural_person, legal_person */
extern const struct bm_code bm_item_levels[];     /* county, township */
extern const struct bm_code bm_item_case_kinds[]; /* immediate, promised, forwarded, joint */
extern const struct bm_code bm_item_results[];    /* certificate, approval_document, other */
extern const struct bm_code bm_item_deliveries[]; /* window, post, online */
extern const struct bm_code bm_item_statuses[];   /* draft, published, superseded, retired */
extern const struct bm_code bm_material_sources[]; /* applicant, government, shared */

/* Index of `code` in `table`, or -1. */
int bm_code_find(const struct bm_code *table, const char *code);
size_t bm_code_count(const struct bm_code *table);

enum bm_item_status {
    BM_ITEM_DRAFT,
    BM_ITEM_PUBLISHED,
    BM_ITEM_SUPERSEDED,
    BM_ITEM_RETIRED,
};

/* Indices into bm_item_case_kinds and bm_material_sources used by the rules. */
enum { BM_CASE_KIND_IMMEDIATE = 0, BM_CASE_KIND_PROMISED = 1 };
enum { BM_SOURCE_APPLICANT = 0, BM_SOURCE_GOVERNMENT = 1, BM_SOURCE_SHARED = 2 };
/* Bits of bm_item.objects and bm_item.deliveries, in table order. */
#define BM_OBJECT_NATURAL 1u
#define BM_OBJECT_LEGAL 2u
#define BM_DELIVERY_WINDOW 1u
#define BM_DELIVERY_POST 2u
#define BM_DELIVERY_ONLINE 4u
#define BM_ONLINE_DEPTH_FULL 4 /* Ⅳ 全程网办 */

struct bm_material {
    const char *name;
    bool required;
    int original_count, copy_count;
    int source;       /* index into bm_material_sources */
    const char *notes;
    const char *form_url; /* sample or blank form */
};

struct bm_item {
    int64_t id;
    const char *code;         /* 实施编码: stable across versions */
    const char *catalog_code; /* 基本编码, "" if none */
    const char *name;
    int type, category, level, case_kind, result_type; /* indices into the tables */
    unsigned objects, deliveries;                       /* bit sets */
    int64_t implementing_unit_id;
    const char *unit_name, *unit_path; /* joined by the store */
    const char *conditions, *legal_basis, *process, *faq, *keywords;
    int legal_days, promised_days; /* working days; promised 0 = decided on the spot */
    bool is_fee;
    const char *fee_standard, *fee_basis;
    int visits; /* 到办事现场次数 */
    const char *visits_reason;
    int online_depth; /* 0 = not online, 1..4 = Ⅰ..Ⅳ */
    const char *online_url;
    bool county_wide;    /* 全县通办: any township window may accept it */
    bool needs_approval; /* a leader signs off the decision */
    const char *result_name;
    const char *consult_phone, *complaint_phone, *window_address, *office_hours;
    int status;       /* enum bm_item_status */
    int item_version; /* 事项版本: 1, 2, ... per code */
    int64_t version;  /* record version for If-Match */
    int64_t created_at, updated_at, published_at, retired_at;
    struct bm_material *materials;
    size_t n_materials;
};

/*
 * What every stored item (a draft too) must satisfy: code, name, enumerations in range,
 * a unit, time limits 0..365 with the promise not beyond the statutory limit, sane counts,
 * material names. Adds per-field errors ("materials[2].name") and returns BM_EINVAL.
 */
enum bm_rc bm_item_check(const struct bm_item *it, struct bm_err *err);

/*
 * The consistency rules of docs/domain.md 1.6 that publication adds: conditions and legal
 * basis filled; 即办件 iff promise 0; visits > 0 needs a reason; no visit and not fully
 * online needs postal delivery; full online depth means no visit; fees need standard and
 * basis; consultation and complaint phones present, different, with area code (12345
 * allowed for complaints); a licence lists its process and FAQ.
 */
enum bm_rc bm_item_check_publish(const struct bm_item *it, struct bm_err *err);

/*
 * Splits a search text into at most `max` terms at spaces and tabs (ASCII or the ideographic
 * space U+3000), commas (ASCII or full-width) and the ideographic comma 、, copying them into
 * buf. Returns the number of
 * terms, or -1 if the text is longer than 100 characters or a term longer than 50.
 */
int bm_item_split_query(const char *q, char *buf, size_t buf_size, const char **terms, int max);

/* A code: 1-36 characters of A-Z a-z 0-9 - _ . */
bool bm_item_code_valid(const char *code);

#endif
