/*
 * SQLite: electronic certificates (电子证照) issued by completed cases.
 */
#include <string.h>

#include "store/sqlite/int.h"

static const char SQL_CERT_INSERT[] =
    "INSERT INTO certificates (county_code, holder_hash, holder_masked, name, number, case_id, "
    "issuer_unit_id, issued_at, status) VALUES ((SELECT county_code FROM org_units WHERE id = "
    "?7), ?1, ?2, ?3, ?4, ?5, ?7, ?6, ?8)";

enum bm_rc
sqlite_certificate_insert(struct bm_store *st, const struct bm_certificate *c, int64_t *id,
                          struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_CERT_INSERT, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_blob(s, 1, c->holder_hash, (int)sizeof(c->holder_hash), SQLITE_TRANSIENT);
    sq_bind_text(s, 2, c->holder_masked);
    sq_bind_text(s, 3, c->name);
    sq_bind_text(s, 4, c->number);
    sqlite3_bind_int64(s, 5, c->case_id);
    sqlite3_bind_int64(s, 6, c->issued_at);
    sqlite3_bind_int64(s, 7, c->issuer_unit_id);
    sq_bind_text(s, 8, c->is_valid ? "valid" : "revoked");
    if ((rc = sq_exec(st, s, "certificate insert", err)) == BM_OK)
        *id = sqlite3_last_insert_rowid(sq_db(st));
    return rc;
}

static const char SQL_CERTS_OF[] =
    "SELECT t.id, t.holder_masked, t.name, t.number, t.case_id, c.case_no, t.issuer_unit_id, "
    "coalesce(o.name, ''), t.issued_at FROM certificates t JOIN cases c ON c.id = t.case_id "
    "LEFT JOIN org_units o ON o.id = t.issuer_unit_id "
    "WHERE t.holder_hash = ?1 AND t.status = 'valid' ORDER BY t.id DESC LIMIT 200";

enum bm_rc
sqlite_certificates_of(struct bm_store *st, const unsigned char holder_hash[32],
                       struct bm_arena *a, struct bm_certificate **out, size_t *n,
                       struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src = SQLITE_DONE;
    const size_t cap = 200;

    *n = 0;
    if ((*out = bm_arena_alloc(a, sizeof(**out) * cap)) == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    if ((rc = sq_prepare(st, SQL_CERTS_OF, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_blob(s, 1, holder_hash, 32, SQLITE_TRANSIENT);
    while (rc == BM_OK && *n < cap && (src = sqlite3_step(s)) == SQLITE_ROW) {
        struct bm_certificate *c = &(*out)[(*n)++];
        c->id = sqlite3_column_int64(s, 0);
        memcpy(c->holder_hash, holder_hash, sizeof(c->holder_hash));
        c->holder_masked = sq_text(a, s, 1);
        c->name = sq_text(a, s, 2);
        c->number = sq_text(a, s, 3);
        c->case_id = sqlite3_column_int64(s, 4);
        c->case_no = sq_text(a, s, 5);
        c->issuer_unit_id = sqlite3_column_int64(s, 6);
        c->issuer_name = sq_text(a, s, 7);
        c->issued_at = sqlite3_column_int64(s, 8);
        c->is_valid = true;
        if (!c->holder_masked || !c->name || !c->number || !c->case_no || !c->issuer_name)
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    }
    if (rc == BM_OK && src != SQLITE_DONE && src != SQLITE_ROW)
        rc = sq_fail(st, src, "certificates", err);
    sq_done(s);
    return rc;
}
