/*
 * User accounts: the record, and the rules for user names, display names and passwords.
 * The check functions add a per-field error to `err` and return BM_EINVAL, so a caller
 * may run several and report them together. Hashing itself is done by the caller (libsodium's argon2id) off the event loop.
 */
#ifndef BM_CORE_USER_H
#define BM_CORE_USER_H

#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"

#define BM_PASSWORD_MIN_CHARS 8
#define BM_PASSWORD_MAX_BYTES 128

struct bm_user {
    int64_t id;
    const char *username;
    const char *display_name;
    const char *phone;        /* "" if none */
    unsigned roles;           /* enum bm_role bits */
    int64_t org_unit_id;      /* 0 if none (citizens) */
    const char *org_path;     /* path of the unit, "" if none (joined by the store) */
    const char *org_name;     /* name of the unit, "" if none (joined by the store) */
    const char *county_code;  /* county division code, set by the store from the unit */
    bool is_active;
    int64_t version;
    int64_t created_at, updated_at, last_login_at;
};

/* 3-32 characters: lowercase ASCII letters, digits, '_', '.', '-', starting with a letter. */
enum bm_rc bm_user_check_username(const char *username, struct bm_err *err);

/* 1-50 characters of UTF-8 (jansson has already checked the encoding). */
enum bm_rc bm_user_check_display_name(const char *name, struct bm_err *err);

/*
 * At least 8 characters and at most 128 bytes, with a letter and a digit, and not the
 * user name itself. `field` names the JSON field for the error ("password").
 */
enum bm_rc bm_user_check_password(const char *password, const char *username,
                                                const char *field, struct bm_err *err);

/* Mainland mobile (1 + 10 digits) or a fixed line with area code ("010-69041234"); "" allowed. */
enum bm_rc bm_user_check_phone(const char *phone, struct bm_err *err);

/*
 * Role rules: a user has at least one role; a citizen account has no other role and no
 * org unit; every staff account belongs to an org unit.
 */
enum bm_rc bm_user_check_roles(unsigned roles, int64_t org_unit_id,
                                             struct bm_err *err);

#endif
