/*
 * Powers delegated from county departments to townships (下放事项, policy section 五) and a
 * township's power and responsibility list (权力清单、责任清单, section 十八): the records
 * and their validation. Pure.
 */
#ifndef BM_CORE_DELEGATION_H
#define BM_CORE_DELEGATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/item.h"
#include "util/err.h"

#define BM_DELEGATION_MAX_TOWNSHIPS 64

struct bm_delegation {
    int64_t id;
    const char *name;          /* the delegated power */
    int64_t from_unit_id;      /* the county department that delegates it */
    const char *from_unit_name;
    const char *legal_basis;
    const char *approval_document; /* e.g. 密政发〔2019〕12号 */
    const char *approval_date;     /* YYYY-MM-DD */
    const char *procedure;
    const char *department_responsibility; /* what the department still answers for */
    const char *township_responsibility;
    bool is_active;            /* false once revoked */
    int64_t township_ids[BM_DELEGATION_MAX_TOWNSHIPS];
    const char *township_names[BM_DELEGATION_MAX_TOWNSHIPS];
    size_t n_townships;
    int64_t version, created_at, updated_at;
};

/* Power types of a township's list: the item types plus the enforcement powers. */
extern const struct bm_code bm_power_types[];

struct bm_power {
    int64_t id;
    int64_t township_id;
    const char *township_name;
    const char *name;
    int type; /* index into bm_power_types */
    const char *legal_basis;
    const char *responsibilities; /* JSON array [{"stage","duty"}], checked by the API */
    const char *accountability;   /* JSON array of situations, checked by the API */
    int64_t version, created_at, updated_at;
};

/* Names 2-200 characters, a department, basis, approval document and a real date, 1+ townships. */
enum bm_rc bm_delegation_check(const struct bm_delegation *d, struct bm_err *err);

/* Name, type and legal basis (the JSON arrays are checked where they are parsed). */
enum bm_rc bm_power_check(const struct bm_power *p, struct bm_err *err);

/* True for a real calendar date written YYYY-MM-DD. */
bool bm_date_valid(const char *s);

#endif
