/*
 * PostgreSQL: electronic certificates (电子证照) issued by completed cases, found again by
 * the holder's keyed ID hash to exempt later applications. Mirrors sqlite/certificates.c.
 */
#include <string.h>

#include "store/pg/int.h"

static const char SQL_CERT_INSERT[] =
    "INSERT INTO certificates (county_code, holder_hash, holder_masked, name, number, case_id, "
    "issuer_unit_id, issued_at, status) VALUES ((SELECT county_code FROM org_units WHERE id = "
    "$6::bigint), $1, $2, $3, $4, $5::bigint, $6::bigint, $7::bigint, $8) RETURNING id";

enum bm_rc
pg_certificate_insert(struct bm_store *st, const struct bm_certificate *c, int64_t *id,
                      struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;

    BM_ASSERT(st->in_tx);
    pq_bytes(&a, c->holder_hash, (int)sizeof(c->holder_hash));
    pq_str(&a, c->holder_masked);
    pq_str(&a, c->name);
    pq_str(&a, c->number);
    pq_i64(&a, c->case_id);
    pq_i64(&a, c->issuer_unit_id);
    pq_i64(&a, c->issued_at);
    pq_str(&a, c->is_valid ? "valid" : "revoked");
    r = pq_run(st, SQL_CERT_INSERT, &a, "certificate insert", err);
    if (r == NULL) {
        if (err->rc == BM_ECONFLICT)
            return bm_err_set(err, BM_ECONFLICT, "证照编号已存在");
        return err->rc;
    }
    *id = pq_int(r, 0, 0);
    PQclear(r);
    return BM_OK;
}

static const char SQL_CERTS_OF[] =
    "SELECT c.id, c.holder_hash, c.holder_masked, c.name, c.number, cs.case_no, o.name, "
    "c.case_id, c.issuer_unit_id, c.issued_at FROM certificates c "
    "JOIN cases cs ON cs.id = c.case_id JOIN org_units o ON o.id = c.issuer_unit_id "
    "WHERE c.holder_hash = $1 AND c.status = 'valid' ORDER BY c.id DESC LIMIT 200";

enum bm_rc
pg_certificates_of(struct bm_store *st, const unsigned char holder_hash[32], struct bm_arena *ar,
                   struct bm_certificate **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    struct bm_certificate *cs;
    PGresult *r;
    enum bm_rc rc = BM_OK;
    size_t k = 0;
    int rows;

    pq_bytes(&a, holder_hash, 32);
    if ((r = pq_run(st, SQL_CERTS_OF, &a, "certificates of holder", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    cs = bm_arena_alloc(ar, sizeof(*cs) * (size_t)(rows + 1));
    if (cs == NULL)
        rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    for (int i = 0; rc == BM_OK && i < rows; i++) {
        struct bm_certificate *c = &cs[k++];
        memset(c, 0, sizeof(*c));
        c->id = pq_int(r, i, 0);
        pq_blob(r, i, 1, c->holder_hash, sizeof(c->holder_hash));
        c->holder_masked = pq_text(ar, r, i, 2);
        c->name = pq_text(ar, r, i, 3);
        c->number = pq_text(ar, r, i, 4);
        c->case_no = pq_text(ar, r, i, 5);
        c->issuer_name = pq_text(ar, r, i, 6);
        c->case_id = pq_int(r, i, 7);
        c->issuer_unit_id = pq_int(r, i, 8);
        c->issued_at = pq_int(r, i, 9);
        c->is_valid = true;
        if (!c->holder_masked || !c->name || !c->number || !c->case_no || !c->issuer_name)
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    }
    PQclear(r);
    if (rc == BM_OK) {
        *out = cs;
        *n = k;
    }
    return rc;
}
