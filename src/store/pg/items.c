/*
 * PostgreSQL: the service catalog and catalog search. Mirrors sqlite/items.c; search uses
 * ILIKE, which the pg_trgm GIN indexes serve for terms of three or more characters, with
 * pg_trgm's similarity() as a tie-breaker (it is 0 for two-character queries, so matches in
 * the name and their position rank first).
 */
#include <stdlib.h>
#include <string.h>

#include "store/like.h"
#include "store/pg/int.h"

#define ITEM_COLS                                                                            \
    "i.id, i.code, i.item_version, i.status, i.catalog_code, i.name, i.type, i.category, "   \
    "i.objects, i.level, i.case_kind, i.result_type, i.deliveries, i.implementing_unit_id, "  \
    "coalesce(o.name, ''), coalesce(o.path, ''), i.conditions, i.legal_basis, i.process, "    \
    "i.faq, i.keywords, i.legal_days, i.promised_days, i.is_fee, i.fee_standard, "            \
    "i.fee_basis, i.visits, i.visits_reason, i.online_depth, i.online_url, i.county_wide, "   \
    "i.needs_approval, i.result_name, i.consult_phone, i.complaint_phone, i.window_address, " \
    "i.office_hours, i.version, i.created_at, i.updated_at, i.published_at, i.retired_at"
#define ITEM_FROM " FROM items i LEFT JOIN org_units o ON o.id = i.implementing_unit_id "

static enum bm_rc
read_item(const PGresult *r, int row, struct bm_arena *a, struct bm_item *it, struct bm_err *err)
{
    const char **texts[] = {&it->code,          &it->catalog_code, &it->name,
                            &it->unit_name,     &it->unit_path,    &it->conditions,
                            &it->legal_basis,   &it->process,      &it->faq,
                            &it->keywords,      &it->fee_standard, &it->fee_basis,
                            &it->visits_reason, &it->online_url,   &it->result_name,
                            &it->consult_phone, &it->complaint_phone, &it->window_address,
                            &it->office_hours};
    static const int text_cols[] = {1, 4, 5, 14, 15, 16, 17, 18, 19, 20, 24, 25, 27, 29, 32, 33,
                                    34, 35, 36};

    memset(it, 0, sizeof(*it));
    for (size_t k = 0; k < sizeof(text_cols) / sizeof(text_cols[0]); k++)
        if ((*texts[k] = pq_text(a, r, row, text_cols[k])) == NULL)
            return bm_err_set(err, BM_ETOOBIG, "结果过大");
    it->id = pq_int(r, row, 0);
    it->item_version = (int)pq_int(r, row, 2);
    it->status = bm_code_find(bm_item_statuses, PQgetvalue(r, row, 3));
    it->type = bm_code_find(bm_item_types, PQgetvalue(r, row, 6));
    it->category = bm_code_find(bm_item_categories, PQgetvalue(r, row, 7));
    it->objects = (unsigned)pq_int(r, row, 8);
    it->level = bm_code_find(bm_item_levels, PQgetvalue(r, row, 9));
    it->case_kind = bm_code_find(bm_item_case_kinds, PQgetvalue(r, row, 10));
    it->result_type = bm_code_find(bm_item_results, PQgetvalue(r, row, 11));
    it->deliveries = (unsigned)pq_int(r, row, 12);
    it->implementing_unit_id = pq_int(r, row, 13);
    it->legal_days = (int)pq_int(r, row, 21);
    it->promised_days = (int)pq_int(r, row, 22);
    it->is_fee = pq_int(r, row, 23) != 0;
    it->visits = (int)pq_int(r, row, 26);
    it->online_depth = (int)pq_int(r, row, 28);
    it->county_wide = pq_int(r, row, 30) != 0;
    it->needs_approval = pq_int(r, row, 31) != 0;
    it->version = pq_int(r, row, 37);
    it->created_at = pq_int(r, row, 38);
    it->updated_at = pq_int(r, row, 39);
    it->published_at = pq_int(r, row, 40);
    it->retired_at = pq_int(r, row, 41);
    if (it->status < 0 || it->type < 0 || it->category < 0 || it->level < 0 || it->case_kind < 0 ||
        it->result_type < 0)
        return bm_err_set(err, BM_EINTERNAL, "数据存储出错");
    return BM_OK;
}

/* The fields shared by insert and update, as parameters $2..$32 (after $1). */
static void
add_fields(struct pq_args *a, const struct bm_item *it)
{
    pq_str(a, it->catalog_code);
    pq_str(a, it->name);
    pq_str(a, bm_item_types[it->type].code);
    pq_str(a, bm_item_categories[it->category].code);
    pq_i64(a, it->objects);
    pq_str(a, bm_item_levels[it->level].code);
    pq_str(a, bm_item_case_kinds[it->case_kind].code);
    pq_str(a, bm_item_results[it->result_type].code);
    pq_i64(a, it->deliveries);
    pq_i64(a, it->implementing_unit_id);
    pq_str(a, it->conditions);
    pq_str(a, it->legal_basis);
    pq_str(a, it->process);
    pq_str(a, it->faq);
    pq_str(a, it->keywords);
    pq_i64(a, it->legal_days);
    pq_i64(a, it->promised_days);
    pq_i64(a, it->is_fee);
    pq_str(a, it->fee_standard);
    pq_str(a, it->fee_basis);
    pq_i64(a, it->visits);
    pq_str(a, it->visits_reason);
    pq_i64(a, it->online_depth);
    pq_str(a, it->online_url);
    pq_i64(a, it->county_wide);
    pq_i64(a, it->needs_approval);
    pq_str(a, it->result_name);
    pq_str(a, it->consult_phone);
    pq_str(a, it->complaint_phone);
    pq_str(a, it->window_address);
    pq_str(a, it->office_hours);
}

static const char SQL_MAT_DELETE[] = "DELETE FROM item_materials WHERE item_id = $1::bigint";
static const char SQL_MAT_INSERT[] =
    "INSERT INTO item_materials (item_id, ord, name, required, original_count, copy_count, "
    "source, notes, form_url, county_code) VALUES ($1::bigint, $2::bigint, $3, $4::bigint, "
    "$5::bigint, $6::bigint, $7, $8, $9, (SELECT county_code FROM items WHERE id = $1::bigint))";

static enum bm_rc
write_materials(struct bm_store *st, int64_t id, const struct bm_item *it, struct bm_err *err)
{
    struct pq_args d = {0};
    enum bm_rc rc;

    pq_i64(&d, id);
    rc = pq_exec(st, SQL_MAT_DELETE, &d, "materials delete", NULL, err);
    for (size_t i = 0; rc == BM_OK && i < it->n_materials; i++) {
        const struct bm_material *m = &it->materials[i];
        struct pq_args a = {0};
        pq_i64(&a, id);
        pq_i64(&a, (int64_t)i + 1);
        pq_str(&a, m->name);
        pq_i64(&a, m->required);
        pq_i64(&a, m->original_count);
        pq_i64(&a, m->copy_count);
        pq_str(&a, bm_material_sources[m->source].code);
        pq_str(&a, m->notes);
        pq_str(&a, m->form_url);
        rc = pq_exec(st, SQL_MAT_INSERT, &a, "material insert", NULL, err);
    }
    return rc;
}

static const char SQL_ITEM_INSERT[] =
    "INSERT INTO items (code, catalog_code, name, type, category, objects, level, case_kind, "
    "result_type, deliveries, implementing_unit_id, conditions, legal_basis, process, faq, "
    "keywords, legal_days, promised_days, is_fee, fee_standard, fee_basis, visits, "
    "visits_reason, online_depth, online_url, county_wide, needs_approval, result_name, "
    "consult_phone, complaint_phone, window_address, office_hours, item_version, status, "
    "county_code, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6::bigint, $7, $8, $9, "
    "$10::bigint, $11::bigint, $12, $13, $14, $15, $16, $17::bigint, $18::bigint, $19::bigint, "
    "$20, $21, $22::bigint, $23, $24::bigint, $25, $26::bigint, $27::bigint, $28, $29, $30, $31, "
    "$32, $33::bigint, $34, (SELECT county_code FROM org_units WHERE id = $11::bigint), "
    "$35::bigint, $35::bigint) RETURNING id";

enum bm_rc
pg_item_insert(struct bm_store *st, const struct bm_item *it, int64_t now, int64_t *id,
               struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;

    BM_ASSERT(st->in_tx);
    pq_str(&a, it->code);
    add_fields(&a, it);
    pq_i64(&a, it->item_version);
    pq_str(&a, bm_item_statuses[it->status].code);
    pq_i64(&a, now);
    r = pq_run(st, SQL_ITEM_INSERT, &a, "item insert", err);
    if (r == NULL) {
        if (err->rc == BM_ECONFLICT) {
            (void)bm_err_field(err, "code", "该事项已有草稿或同一版本，请编辑现有草稿");
            return bm_err_set(err, BM_ECONFLICT, "该事项已有草稿");
        }
        return err->rc;
    }
    *id = pq_int(r, 0, 0);
    PQclear(r);
    return write_materials(st, *id, it, err);
}

static const char SQL_ITEM_GET[] = "SELECT " ITEM_COLS ITEM_FROM "WHERE i.id = $1::bigint";
static const char SQL_MAT_GET[] =
    "SELECT name, required, original_count, copy_count, source, notes, form_url "
    "FROM item_materials WHERE item_id = $1::bigint ORDER BY ord";

enum bm_rc
pg_item_get(struct bm_store *st, int64_t id, struct bm_arena *ar, struct bm_item *out,
            struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc;
    int rows;

    pq_i64(&a, id);
    if ((r = pq_run(st, SQL_ITEM_GET, &a, "item get", err)) == NULL)
        return err->rc;
    rc = PQntuples(r) == 1 ? read_item(r, 0, ar, out, err)
                           : bm_err_set(err, BM_ENOTFOUND, "事项不存在");
    PQclear(r);
    if (rc != BM_OK)
        return rc;
    if ((r = pq_run(st, SQL_MAT_GET, &a, "materials get", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    out->materials = bm_arena_alloc(ar, sizeof(*out->materials) * (size_t)(rows + 1));
    if (out->materials == NULL)
        rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    for (int i = 0; rc == BM_OK && i < rows; i++) {
        struct bm_material *m = &out->materials[out->n_materials++];
        m->name = pq_text(ar, r, i, 0);
        m->required = pq_int(r, i, 1) != 0;
        m->original_count = (int)pq_int(r, i, 2);
        m->copy_count = (int)pq_int(r, i, 3);
        m->source = bm_code_find(bm_material_sources, PQgetvalue(r, i, 4));
        m->notes = pq_text(ar, r, i, 5);
        m->form_url = pq_text(ar, r, i, 6);
        if (!m->name || !m->notes || !m->form_url)
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    }
    PQclear(r);
    return rc;
}

static const char SQL_ITEM_UPDATE[] =
    "UPDATE items SET catalog_code = $2, name = $3, type = $4, category = $5, objects = $6::bigint, "
    "level = $7, case_kind = $8, result_type = $9, deliveries = $10::bigint, "
    "implementing_unit_id = $11::bigint, conditions = $12, legal_basis = $13, process = $14, "
    "faq = $15, keywords = $16, legal_days = $17::bigint, promised_days = $18::bigint, "
    "is_fee = $19::bigint, fee_standard = $20, fee_basis = $21, visits = $22::bigint, "
    "visits_reason = $23, online_depth = $24::bigint, online_url = $25, "
    "county_wide = $26::bigint, needs_approval = $27::bigint, result_name = $28, "
    "consult_phone = $29, complaint_phone = $30, window_address = $31, office_hours = $32, "
    "county_code = (SELECT county_code FROM org_units WHERE id = $11::bigint), "
    "version = version + 1, updated_at = $33::bigint "
    "WHERE id = $1::bigint AND version = $34::bigint AND status = 'draft'";
static const char SQL_ITEM_STATE[] = "SELECT status, version FROM items WHERE id = $1::bigint";

/* As in sqlite/items.c: gone, changed meanwhile, or no longer a draft. */
static enum bm_rc
explain(struct bm_store *st, int64_t id, int64_t version, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc;

    pq_i64(&a, id);
    if ((r = pq_run(st, SQL_ITEM_STATE, &a, "item state", err)) == NULL)
        return err->rc;
    rc = PQntuples(r) == 0         ? bm_err_set(err, BM_ENOTFOUND, "事项不存在")
         : pq_int(r, 0, 1) == version ? bm_err_set(err, BM_ETRANSITION, "该版本已不是草稿，不能修改")
                                      : bm_err_set(err, BM_ESTALE, "该事项已被他人修改，请刷新后重试");
    PQclear(r);
    return rc;
}

enum bm_rc
pg_item_update(struct bm_store *st, const struct bm_item *it, int64_t now, struct bm_err *err)
{
    struct pq_args a = {0};
    int64_t changed = 0;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    pq_i64(&a, it->id);
    add_fields(&a, it);
    pq_i64(&a, now);
    pq_i64(&a, it->version);
    rc = pq_exec(st, SQL_ITEM_UPDATE, &a, "item update", &changed, err);
    if (rc != BM_OK)
        return rc;
    if (changed == 0)
        return explain(st, it->id, it->version, err);
    return write_materials(st, it->id, it, err);
}

static const char SQL_ITEM_SUPERSEDE[] =
    "UPDATE items SET status = 'superseded', version = version + 1, updated_at = $2::bigint "
    "WHERE status = 'published' AND code = (SELECT code FROM items WHERE id = $1::bigint) "
    "AND id <> $1::bigint";
static const char SQL_ITEM_STATUS[] =
    "UPDATE items SET status = $2, version = version + 1, updated_at = $3::bigint, "
    "published_at = CASE WHEN $2 = 'published' THEN $3::bigint ELSE published_at END, "
    "retired_at = CASE WHEN $2 = 'retired' THEN $3::bigint ELSE retired_at END "
    "WHERE id = $1::bigint AND ($4::bigint = 0 OR version = $4::bigint)";

enum bm_rc
pg_item_set_status(struct bm_store *st, int64_t id, int64_t version, int status, int64_t now,
                   struct bm_err *err)
{
    struct pq_args s = {0}, a = {0};
    int64_t changed = 0;
    enum bm_rc rc = BM_OK;

    BM_ASSERT(st->in_tx);
    if (status == BM_ITEM_PUBLISHED) {
        pq_i64(&s, id);
        pq_i64(&s, now);
        rc = pq_exec(st, SQL_ITEM_SUPERSEDE, &s, "item supersede", NULL, err);
    }
    pq_i64(&a, id);
    pq_str(&a, bm_item_statuses[status].code);
    pq_i64(&a, now);
    pq_i64(&a, version);
    if (rc == BM_OK)
        rc = pq_exec(st, SQL_ITEM_STATUS, &a, "item status", &changed, err);
    if (rc == BM_OK && changed == 0)
        rc = explain(st, id, version == 0 ? -1 : version, err);
    return rc;
}

static enum bm_rc
collect(PGresult *r, int max, struct bm_arena *ar, struct bm_item **out, size_t *n,
        struct bm_err *err)
{
    int rows = PQntuples(r);
    enum bm_rc rc = BM_OK;

    *n = 0;
    *out = bm_arena_alloc(ar, sizeof(**out) * (size_t)(max > 0 ? max : 1));
    if (*out == NULL)
        rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    for (int i = 0; rc == BM_OK && i < rows && i < max; i++)
        rc = read_item(r, i, ar, &(*out)[(*n)++], err);
    PQclear(r);
    return rc;
}

static const char SQL_ITEM_VERSIONS[] =
    "SELECT " ITEM_COLS ITEM_FROM "WHERE i.code = $1 ORDER BY i.item_version DESC LIMIT 1000";

enum bm_rc
pg_item_versions(struct bm_store *st, const char *code, struct bm_arena *ar, struct bm_item **out,
                 size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;

    pq_str(&a, code);
    if ((r = pq_run(st, SQL_ITEM_VERSIONS, &a, "item versions", err)) == NULL)
        return err->rc;
    return collect(r, PQntuples(r), ar, out, n, err);
}

static const char SQL_ITEM_LAST[] =
    "SELECT coalesce(max(item_version), 0) FROM items WHERE code = $1";

enum bm_rc
pg_item_last_version(struct bm_store *st, const char *code, int *last, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;

    pq_str(&a, code);
    if ((r = pq_run(st, SQL_ITEM_LAST, &a, "item last version", err)) == NULL)
        return err->rc;
    *last = (int)pq_int(r, 0, 0);
    PQclear(r);
    return BM_OK;
}

/* Units are looked up once (IN subqueries), not joined per row. */
#define SEARCH_FILTERS                                                                       \
    "($1 = '' OR i.category = $1) AND ($2::bigint = 0 OR (i.objects & $2::bigint) <> 0) AND " \
    "($3 = '' OR i.county_wide = 1 OR i.implementing_unit_id IN "                             \
    "(SELECT id FROM org_units WHERE path LIKE $3)) AND "                                     \
    "($4::bigint = 0 OR i.online_depth > 0) AND ($5 = '' OR i.status = $5) AND "              \
    "($6 = '' OR i.implementing_unit_id IN (SELECT id FROM org_units WHERE path LIKE $6))"

/* Searches select ids only; the page's rows are read afterwards (the wide texts of every
 * matching row would otherwise be read and sorted). */
static const char SQL_SEARCH[] =
    "SELECT i.id FROM items i WHERE ($15 = '' OR i.id IN "
    "(SELECT item_id FROM item_bigrams WHERE bigram = lower($15))) AND " SEARCH_FILTERS
    " AND ($7 = '' OR i.name ILIKE $7 OR i.keywords ILIKE $7)"
    " AND ($8 = '' OR i.name ILIKE $8 OR i.keywords ILIKE $8)"
    " AND ($9 = '' OR i.name ILIKE $9 OR i.keywords ILIKE $9)"
    " AND ($10 = '' OR i.name ILIKE $10 OR i.keywords ILIKE $10)"
    " ORDER BY (strpos(i.name, $11) > 0) DESC, similarity(i.name, $12) DESC, strpos(i.name, $11),"
    " length(i.name), i.id LIMIT $13::bigint OFFSET $14::bigint";
static const char SQL_SEARCH_ALL[] =
    "SELECT i.id FROM items i WHERE " SEARCH_FILTERS " ORDER BY i.category, i.code, "
    "i.item_version DESC LIMIT $7::bigint OFFSET $8::bigint";

/* Reads the item row of every id in `ids` (which it clears), in order, without materials. */
static enum bm_rc
rows_of(struct bm_store *st, PGresult *ids, struct bm_arena *ar, struct bm_item **out, size_t *n,
        struct bm_err *err)
{
    int rows = PQntuples(ids);
    enum bm_rc rc = BM_OK;

    *n = 0;
    *out = bm_arena_alloc(ar, sizeof(**out) * (size_t)(rows + 1));
    if (*out == NULL)
        rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    for (int i = 0; rc == BM_OK && i < rows; i++) {
        struct pq_args a = {0};
        PGresult *r;
        pq_i64(&a, pq_int(ids, i, 0));
        if ((r = pq_run(st, SQL_ITEM_GET, &a, "items search row", err)) == NULL) {
            rc = err->rc;
            break;
        }
        rc = PQntuples(r) == 1 ? read_item(r, 0, ar, &(*out)[(*n)++], err) : BM_OK;
        PQclear(r);
    }
    PQclear(ids);
    return rc;
}

/* A two-character term of the query, or "" (lengths in characters). */
static const char *
pair_of(const struct bm_item_query *q)
{
    for (int i = 0; i < q->n_terms; i++) {
        size_t chars = 0;
        for (const char *c = q->terms[i]; *c; c++)
            chars += ((unsigned char)*c & 0xC0) != 0x80;
        if (chars == 2)
            return q->terms[i];
    }
    return "";
}

enum bm_rc
pg_items_search(struct bm_store *st, const struct bm_item_query *q, struct bm_arena *ar,
                struct bm_item **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    const char *all = "";

    pq_str(&a, q->category);
    pq_i64(&a, q->objects);
    pq_str(&a, q->township_path && q->township_path[0] ? pq_prefix(ar, q->township_path) : "");
    pq_i64(&a, q->online_only);
    pq_str(&a, q->status);
    pq_str(&a, q->unit_prefix && q->unit_prefix[0] ? pq_prefix(ar, q->unit_prefix) : "");
    if (q->n_terms == 0) {
        pq_i64(&a, q->limit + 1);
        pq_i64(&a, q->offset);
        r = pq_run(st, SQL_SEARCH_ALL, &a, "items list", err);
    } else {
        for (int i = 0; i < BM_SEARCH_TERMS; i++)
            pq_str(&a, i < q->n_terms ? bm_like_pattern(ar, q->terms[i], true) : "");
        for (int i = 0; i < q->n_terms; i++)
            all = bm_arena_printf(ar, "%s%s%s", all, i ? " " : "", q->terms[i]);
        pq_str(&a, q->terms[0]);
        pq_str(&a, all);
        pq_i64(&a, q->limit + 1);
        pq_i64(&a, q->offset);
        /* A two-character term narrows the rows through the bigram table ($15). */
        pq_str(&a, pair_of(q));
        r = pq_run(st, SQL_SEARCH, &a, "items search", err);
    }
    if (r == NULL)
        return err->rc;
    return rows_of(st, r, ar, out, n, err);
}
