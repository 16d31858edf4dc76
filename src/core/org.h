/*
 * Organisation units (组织机构): county -> departments and townships -> offices, stations,
 * service centres and villages, with their administrative division codes
 * (GB/T 2260 and the NBS 12-digit statistical codes, docs/domain.md section 6).
 */
#ifndef BM_CORE_ORG_H
#define BM_CORE_ORG_H

#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"

enum bm_org_kind {
    BM_ORG_COUNTY,
    BM_ORG_DEPARTMENT,
    BM_ORG_TOWNSHIP,
    BM_ORG_OFFICE,
    BM_ORG_STATION,
    BM_ORG_SERVICE_CENTER,
    BM_ORG_VILLAGE,
    BM_ORG_KIND_COUNT
};

/* Who manages a station (站所): policy section (七) on 条块 relations. */
enum bm_mgmt_mode {
    BM_MGMT_NONE,     /* not a station */
    BM_MGMT_TOWNSHIP, /* 乡镇管理 */
    BM_MGMT_COUNTY,   /* 县直部门派驻 */
    BM_MGMT_DUAL,     /* 双重管理 */
    BM_MGMT_COUNT
};

struct bm_org_unit {
    int64_t id;
    int64_t parent_id;         /* 0 for a county */
    enum bm_org_kind kind;
    const char *name;
    const char *division_code; /* normalised: 6 digits for a county, 12 below; "" if none */
    const char *credit_code;   /* 统一社会信用代码, "" if none */
    enum bm_mgmt_mode mgmt_mode;
    const char *path;          /* "/1/4/17/", maintained by the store */
    bool is_active;
    int64_t version;
    int64_t created_at, updated_at;
};

bool bm_org_kind_parse(const char *code, enum bm_org_kind *out);
const char *bm_org_kind_code(enum bm_org_kind k);
const char *bm_org_kind_name_zh(enum bm_org_kind k);
bool bm_mgmt_mode_parse(const char *code, enum bm_mgmt_mode *out);
const char *bm_mgmt_mode_code(enum bm_mgmt_mode m);

/* True if a unit of kind `child` may sit directly under a unit of kind `parent`. */
bool bm_org_parent_allowed(enum bm_org_kind child, enum bm_org_kind parent);

/*
 * Checks a unit about to be stored under `parent` (NULL for a county): name length,
 * parent kind, management mode, credit code (GB 32100) and division code, which must
 * fit the parent's (a township's code starts with its county's, a village's with its
 * township's). On BM_OK writes the normalised division code (up to 12 digits) into
 * code_out[13]. Per-field errors name the JSON fields.
 */
BM_MUST_CHECK enum bm_rc bm_org_validate(const struct bm_org_unit *u,
                                         const struct bm_org_unit *parent, char code_out[13],
                                         struct bm_err *err);

/*
 * Township type from its 12-digit code (GB/T 10114 ranges): "subdistrict" (街道 001-099),
 * "town" (镇 100-199), "township" (乡 200-399), "combined" (政企合一 400-599); NULL otherwise.
 * Village type: "community" (居委会 001-199) or "village" (村委会 200-399).
 */
const char *bm_org_township_type(const char *code12);
const char *bm_org_village_type(const char *code12);

/*
 * The first `depth` levels of an org path into out: depth 1 gives the county ("/1/"), depth 2
 * the township or department a unit belongs to ("/1/4/" of "/1/4/17/"). False (out = "") if
 * the path is shallower than that or out too small.
 */
bool bm_org_path_prefix(const char *path, int depth, char *out, size_t out_size);

#endif
