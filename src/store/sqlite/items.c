/*
 * SQLite: the service catalog (items, their versions and materials) and catalog search.
 * Enumerations are stored as their API codes; service objects and delivery methods as bit sets.
 */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/int.h"
#include "util/utf8.h"

#define ITEM_COLS                                                                            \
    "i.id, i.code, i.item_version, i.status, i.catalog_code, i.name, i.type, i.category, "   \
    "i.objects, i.level, i.case_kind, i.result_type, i.deliveries, i.implementing_unit_id, "  \
    "coalesce(o.name, ''), coalesce(o.path, ''), i.conditions, i.legal_basis, i.process, "    \
    "i.faq, i.keywords, i.legal_days, i.promised_days, i.is_fee, i.fee_standard, "            \
    "i.fee_basis, i.visits, i.visits_reason, i.online_depth, i.online_url, i.county_wide, "   \
    "i.needs_approval, i.result_name, i.consult_phone, i.complaint_phone, i.window_address, " \
    "i.office_hours, i.version, i.created_at, i.updated_at, i.published_at, i.retired_at"
#define ITEM_FROM " FROM items i LEFT JOIN org_units o ON o.id = i.implementing_unit_id "

static int
code_index(const struct bm_code *table, sqlite3_stmt *s, int col)
{
    return bm_code_find(table, (const char *)sqlite3_column_text(s, col));
}

static enum bm_rc
read_item(sqlite3_stmt *s, struct bm_arena *a, struct bm_item *it, struct bm_err *err)
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
        if ((*texts[k] = sq_text(a, s, text_cols[k])) == NULL)
            return bm_err_set(err, BM_ETOOBIG, "结果过大");
    it->id = sqlite3_column_int64(s, 0);
    it->item_version = sqlite3_column_int(s, 2);
    it->status = code_index(bm_item_statuses, s, 3);
    it->type = code_index(bm_item_types, s, 6);
    it->category = code_index(bm_item_categories, s, 7);
    it->objects = (unsigned)sqlite3_column_int(s, 8);
    it->level = code_index(bm_item_levels, s, 9);
    it->case_kind = code_index(bm_item_case_kinds, s, 10);
    it->result_type = code_index(bm_item_results, s, 11);
    it->deliveries = (unsigned)sqlite3_column_int(s, 12);
    it->implementing_unit_id = sqlite3_column_int64(s, 13);
    it->legal_days = sqlite3_column_int(s, 21);
    it->promised_days = sqlite3_column_int(s, 22);
    it->is_fee = sqlite3_column_int(s, 23) != 0;
    it->visits = sqlite3_column_int(s, 26);
    it->online_depth = sqlite3_column_int(s, 28);
    it->county_wide = sqlite3_column_int(s, 30) != 0;
    it->needs_approval = sqlite3_column_int(s, 31) != 0;
    it->version = sqlite3_column_int64(s, 37);
    it->created_at = sqlite3_column_int64(s, 38);
    it->updated_at = sqlite3_column_int64(s, 39);
    it->published_at = sqlite3_column_int64(s, 40);
    it->retired_at = sqlite3_column_int64(s, 41);
    if (it->status < 0 || it->type < 0 || it->category < 0 || it->level < 0 || it->case_kind < 0 ||
        it->result_type < 0)
        return bm_err_set(err, BM_EINTERNAL, "数据存储出错");
    return BM_OK;
}

/* Binds the fields shared by insert and update, at parameters 2..35 (see the SQL below). */
static void
bind_fields(sqlite3_stmt *s, const struct bm_item *it)
{
    sq_bind_text(s, 2, it->catalog_code);
    sq_bind_text(s, 3, it->name);
    sq_bind_text(s, 4, bm_item_types[it->type].code);
    sq_bind_text(s, 5, bm_item_categories[it->category].code);
    sqlite3_bind_int(s, 6, (int)it->objects);
    sq_bind_text(s, 7, bm_item_levels[it->level].code);
    sq_bind_text(s, 8, bm_item_case_kinds[it->case_kind].code);
    sq_bind_text(s, 9, bm_item_results[it->result_type].code);
    sqlite3_bind_int(s, 10, (int)it->deliveries);
    sqlite3_bind_int64(s, 11, it->implementing_unit_id);
    sq_bind_text(s, 12, it->conditions);
    sq_bind_text(s, 13, it->legal_basis);
    sq_bind_text(s, 14, it->process);
    sq_bind_text(s, 15, it->faq);
    sq_bind_text(s, 16, it->keywords);
    sqlite3_bind_int(s, 17, it->legal_days);
    sqlite3_bind_int(s, 18, it->promised_days);
    sqlite3_bind_int(s, 19, it->is_fee);
    sq_bind_text(s, 20, it->fee_standard);
    sq_bind_text(s, 21, it->fee_basis);
    sqlite3_bind_int(s, 22, it->visits);
    sq_bind_text(s, 23, it->visits_reason);
    sqlite3_bind_int(s, 24, it->online_depth);
    sq_bind_text(s, 25, it->online_url);
    sqlite3_bind_int(s, 26, it->county_wide);
    sqlite3_bind_int(s, 27, it->needs_approval);
    sq_bind_text(s, 28, it->result_name);
    sq_bind_text(s, 29, it->consult_phone);
    sq_bind_text(s, 30, it->complaint_phone);
    sq_bind_text(s, 31, it->window_address);
    sq_bind_text(s, 32, it->office_hours);
}

static const char SQL_MAT_DELETE[] = "DELETE FROM item_materials WHERE item_id = ?1";
static const char SQL_MAT_INSERT[] =
    "INSERT INTO item_materials (item_id, ord, name, required, original_count, copy_count, "
    "source, notes, form_url, county_code) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
    "(SELECT county_code FROM items WHERE id = ?1))";

static enum bm_rc
write_materials(struct bm_store *st, int64_t id, const struct bm_item *it, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_MAT_DELETE, &s, err);

    if (rc != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    rc = sq_exec(st, s, "materials delete", err);
    for (size_t i = 0; rc == BM_OK && i < it->n_materials; i++) {
        const struct bm_material *m = &it->materials[i];
        rc = sq_prepare(st, SQL_MAT_INSERT, &s, err);
        if (rc != BM_OK)
            break;
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_int(s, 2, (int)i + 1);
        sq_bind_text(s, 3, m->name);
        sqlite3_bind_int(s, 4, m->required);
        sqlite3_bind_int(s, 5, m->original_count);
        sqlite3_bind_int(s, 6, m->copy_count);
        sq_bind_text(s, 7, bm_material_sources[m->source].code);
        sq_bind_text(s, 8, m->notes);
        sq_bind_text(s, 9, m->form_url);
        rc = sq_exec(st, s, "material insert", err);
    }
    return rc;
}

static const char SQL_ITEM_INSERT[] =
    "INSERT INTO items (code, catalog_code, name, type, category, objects, level, case_kind, "
    "result_type, deliveries, implementing_unit_id, conditions, legal_basis, process, faq, "
    "keywords, legal_days, promised_days, is_fee, fee_standard, fee_basis, visits, "
    "visits_reason, online_depth, online_url, county_wide, needs_approval, result_name, "
    "consult_phone, complaint_phone, window_address, office_hours, item_version, status, "
    "county_code, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
    "?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, "
    "?30, ?31, ?32, ?33, ?34, (SELECT county_code FROM org_units WHERE id = ?11), ?35, ?35)";

enum bm_rc
sqlite_item_insert(struct bm_store *st, const struct bm_item *it, int64_t now, int64_t *id,
                   struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    rc = sq_prepare(st, SQL_ITEM_INSERT, &s, err);
    if (rc != BM_OK)
        return rc;
    sq_bind_text(s, 1, it->code);
    bind_fields(s, it);
    sqlite3_bind_int(s, 33, it->item_version);
    sq_bind_text(s, 34, bm_item_statuses[it->status].code);
    sqlite3_bind_int64(s, 35, now);
    rc = sq_exec(st, s, "item insert", err);
    if (rc == BM_ECONFLICT) {
        (void)bm_err_field(err, "code", "该事项已有草稿或同一版本，请编辑现有草稿");
        return bm_err_set(err, BM_ECONFLICT, "该事项已有草稿");
    }
    if (rc != BM_OK)
        return rc;
    *id = sqlite3_last_insert_rowid(sq_db(st));
    return write_materials(st, *id, it, err);
}

static const char SQL_ITEM_GET[] = "SELECT " ITEM_COLS ITEM_FROM "WHERE i.id = ?1";
static const char SQL_MAT_GET[] =
    "SELECT name, required, original_count, copy_count, source, notes, form_url "
    "FROM item_materials WHERE item_id = ?1 ORDER BY ord";

enum bm_rc
sqlite_item_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_item *out,
                struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_ITEM_GET, &s, err);
    int src;
    size_t cap = 8;

    if (rc != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW)
        rc = read_item(s, a, out, err);
    else if (src == SQLITE_DONE)
        rc = bm_err_set(err, BM_ENOTFOUND, "事项不存在");
    else
        rc = sq_fail(st, src, "item get", err);
    sq_done(s);
    if (rc == BM_OK)
        rc = sq_prepare(st, SQL_MAT_GET, &s, err);
    if (rc != BM_OK)
        return rc;
    out->materials = bm_arena_alloc(a, sizeof(*out->materials) * cap);
    sqlite3_bind_int64(s, 1, id);
    while (rc == BM_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
        struct bm_material *m;
        if (out->n_materials == cap) {
            struct bm_material *bigger = bm_arena_alloc(a, sizeof(*bigger) * cap * 2);
            if (bigger != NULL && out->materials != NULL)
                memcpy(bigger, out->materials, sizeof(*bigger) * cap);
            out->materials = bigger;
            cap *= 2;
        }
        if (out->materials == NULL) {
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
            break;
        }
        m = &out->materials[out->n_materials++];
        m->name = sq_text(a, s, 0);
        m->required = sqlite3_column_int(s, 1) != 0;
        m->original_count = sqlite3_column_int(s, 2);
        m->copy_count = sqlite3_column_int(s, 3);
        m->source = code_index(bm_material_sources, s, 4);
        m->notes = sq_text(a, s, 5);
        m->form_url = sq_text(a, s, 6);
        if (!m->name || !m->notes || !m->form_url)
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    }
    if (rc == BM_OK && src != SQLITE_DONE)
        rc = sq_fail(st, src, "materials get", err);
    sq_done(s);
    return rc;
}

static const char SQL_ITEM_UPDATE[] =
    "UPDATE items SET catalog_code = ?2, name = ?3, type = ?4, category = ?5, objects = ?6, "
    "level = ?7, case_kind = ?8, result_type = ?9, deliveries = ?10, implementing_unit_id = ?11, "
    "conditions = ?12, legal_basis = ?13, process = ?14, faq = ?15, keywords = ?16, "
    "legal_days = ?17, promised_days = ?18, is_fee = ?19, fee_standard = ?20, fee_basis = ?21, "
    "visits = ?22, visits_reason = ?23, online_depth = ?24, online_url = ?25, county_wide = ?26, "
    "needs_approval = ?27, result_name = ?28, consult_phone = ?29, complaint_phone = ?30, "
    "window_address = ?31, office_hours = ?32, "
    "county_code = (SELECT county_code FROM org_units WHERE id = ?11), version = version + 1, "
    "updated_at = ?33 WHERE id = ?1 AND version = ?34 AND status = 'draft'";
static const char SQL_ITEM_STATE[] = "SELECT status, version FROM items WHERE id = ?1";

/*
 * Why an update or status change touched no row: gone (BM_ENOTFOUND), changed meanwhile
 * (BM_ESTALE), or, at the expected version, no longer a draft (BM_ETRANSITION).
 */
static enum bm_rc
explain(struct bm_store *st, int64_t id, int64_t version, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_ITEM_STATE, &s, err);
    int src;

    if (rc != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    src = sqlite3_step(s);
    if (src == SQLITE_DONE)
        rc = bm_err_set(err, BM_ENOTFOUND, "事项不存在");
    else if (src == SQLITE_ROW && sqlite3_column_int64(s, 1) == version)
        rc = bm_err_set(err, BM_ETRANSITION, "该版本已不是草稿，不能修改");
    else if (src == SQLITE_ROW)
        rc = bm_err_set(err, BM_ESTALE, "该事项已被他人修改，请刷新后重试");
    else
        rc = sq_fail(st, src, "item state", err);
    sq_done(s);
    return rc;
}

enum bm_rc
sqlite_item_update(struct bm_store *st, const struct bm_item *it, int64_t now, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    rc = sq_prepare(st, SQL_ITEM_UPDATE, &s, err);
    if (rc != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, it->id);
    bind_fields(s, it);
    sqlite3_bind_int64(s, 33, now);
    sqlite3_bind_int64(s, 34, it->version);
    rc = sq_exec(st, s, "item update", err);
    if (rc != BM_OK)
        return rc;
    if (sqlite3_changes(sq_db(st)) == 0)
        return explain(st, it->id, it->version, err);
    return write_materials(st, it->id, it, err);
}

/* Publishing retires the code's current published version as superseded first. */
static const char SQL_ITEM_SUPERSEDE[] =
    "UPDATE items SET status = 'superseded', version = version + 1, updated_at = ?2 "
    "WHERE status = 'published' AND code = (SELECT code FROM items WHERE id = ?1) AND id <> ?1";
static const char SQL_ITEM_STATUS[] =
    "UPDATE items SET status = ?2, version = version + 1, updated_at = ?3, "
    "published_at = CASE WHEN ?2 = 'published' THEN ?3 ELSE published_at END, "
    "retired_at = CASE WHEN ?2 = 'retired' THEN ?3 ELSE retired_at END "
    "WHERE id = ?1 AND (?4 = 0 OR version = ?4)";

enum bm_rc
sqlite_item_set_status(struct bm_store *st, int64_t id, int64_t version, int status, int64_t now,
                       struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = BM_OK;

    BM_ASSERT(st->in_tx);
    if (status == BM_ITEM_PUBLISHED) {
        rc = sq_prepare(st, SQL_ITEM_SUPERSEDE, &s, err);
        if (rc != BM_OK)
            return rc;
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_int64(s, 2, now);
        rc = sq_exec(st, s, "item supersede", err);
    }
    if (rc == BM_OK)
        rc = sq_prepare(st, SQL_ITEM_STATUS, &s, err);
    if (rc != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    sq_bind_text(s, 2, bm_item_statuses[status].code);
    sqlite3_bind_int64(s, 3, now);
    sqlite3_bind_int64(s, 4, version);
    rc = sq_exec(st, s, "item status", err);
    if (rc == BM_OK && sqlite3_changes(sq_db(st)) == 0)
        rc = explain(st, id, version == 0 ? -1 : version, err);
    return rc;
}

/* Collects the rows of a prepared item query (ITEM_COLS) into an arena array. */
static enum bm_rc
collect(struct bm_store *st, sqlite3_stmt *s, int max, struct bm_arena *a, struct bm_item **out,
        size_t *n, struct bm_err *err)
{
    enum bm_rc rc = BM_OK;
    int src = SQLITE_DONE;

    *n = 0;
    *out = bm_arena_alloc(a, sizeof(**out) * (size_t)(max > 0 ? max : 1));
    if (*out == NULL)
        rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    while (rc == BM_OK && (int)*n < max && (src = sqlite3_step(s)) == SQLITE_ROW)
        rc = read_item(s, a, &(*out)[(*n)++], err);
    if (rc == BM_OK && (int)*n < max && src != SQLITE_DONE)
        rc = sq_fail(st, src, "items", err);
    sq_done(s);
    return rc;
}

static const char SQL_ITEM_VERSION_COUNT[] = "SELECT count(*) FROM items WHERE code = ?1";
static const char SQL_ITEM_VERSIONS[] =
    "SELECT " ITEM_COLS ITEM_FROM "WHERE i.code = ?1 ORDER BY i.item_version DESC LIMIT 1000";

enum bm_rc
sqlite_item_versions(struct bm_store *st, const char *code, struct bm_arena *a,
                     struct bm_item **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    int count = 0;
    enum bm_rc rc = sq_prepare(st, SQL_ITEM_VERSION_COUNT, &s, err);

    /* Counted first, so the array is as long as the history, not a fixed maximum. */
    if (rc != BM_OK)
        return rc;
    sq_bind_text(s, 1, code);
    if (sqlite3_step(s) == SQLITE_ROW)
        count = sqlite3_column_int(s, 0);
    sq_done(s);
    rc = sq_prepare(st, SQL_ITEM_VERSIONS, &s, err);
    if (rc != BM_OK)
        return rc;
    sq_bind_text(s, 1, code);
    return collect(st, s, count < 1000 ? count : 1000, a, out, n, err);
}

static const char SQL_ITEM_LAST[] =
    "SELECT coalesce(max(item_version), 0) FROM items WHERE code = ?1";

enum bm_rc
sqlite_item_last_version(struct bm_store *st, const char *code, int *last, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc = sq_prepare(st, SQL_ITEM_LAST, &s, err);
    if (rc != BM_OK)
        return rc;
    sq_bind_text(s, 1, code);
    if (sqlite3_step(s) == SQLITE_ROW)
        *last = sqlite3_column_int(s, 0);
    else
        rc = sq_fail(st, sqlite3_errcode(sq_db(st)), "item last version", err);
    sq_done(s);
    return rc;
}

/*
 * The filters every search shares, parameters ?1..?6 and ?20: category, objects, township
 * pattern, online only, status range (?5..?20: one status, or '' .. '~' for any), unit
 * pattern. Written so that the planner scans the narrow items_search index (status range)
 * and looks units up once (IN subqueries), not per row.
 */
#define SEARCH_FILTERS                                                                       \
    "i.status BETWEEN ?5 AND ?20 AND (?1 = '' OR i.category = ?1) AND "                      \
    "(?2 = 0 OR (i.objects & ?2) <> 0) AND (?3 = '' OR i.county_wide = 1 OR "               \
    "i.implementing_unit_id IN (SELECT id FROM org_units WHERE path LIKE ?3 ESCAPE '\\')) AND " \
    "(?4 = 0 OR i.online_depth > 0) AND (?6 = '' OR i.implementing_unit_id IN "             \
    "(SELECT id FROM org_units WHERE path LIKE ?6 ESCAPE '\\'))"

/* Every term of three or more characters: the trigram index answers (?7 is the MATCH). */
/* Searches select ids only (from narrow indexes); the page's rows are read afterwards. */
static const char SQL_SEARCH_FTS[] =
    "SELECT i.id FROM items_fts f JOIN items i ON i.id = f.rowid WHERE items_fts MATCH ?7 AND "
    SEARCH_FILTERS " ORDER BY (instr(i.name, ?8) > 0) DESC, bm25(items_fts, 10.0, 1.0), "
    "length(i.name), i.id LIMIT ?9 OFFSET ?10";
/* The terms ?7..?10 ("" when absent, lower-cased) must each appear in the name or the
 * keywords, ignoring ASCII case as the trigram index does. */
#define TERMS_MATCH                                                                          \
    " AND (?7 = '' OR instr(lower(i.name), ?7) > 0 OR instr(lower(i.keywords), ?7) > 0)"     \
    " AND (?8 = '' OR instr(lower(i.name), ?8) > 0 OR instr(lower(i.keywords), ?8) > 0)"     \
    " AND (?9 = '' OR instr(lower(i.name), ?9) > 0 OR instr(lower(i.keywords), ?9) > 0)"     \
    " AND (?10 = '' OR instr(lower(i.name), ?10) > 0 OR instr(lower(i.keywords), ?10) > 0)"  \
    " ORDER BY (instr(i.name, ?11) > 0) DESC, instr(i.name, ?11), length(i.name), i.id"       \
    " LIMIT ?12 OFFSET ?13"
/* Two-character terms, which a trigram cannot index: the bigram table narrows the rows (?21
 * and ?22 are two-character terms, the same one twice when there is one), then every term is
 * checked. */
static const char SQL_SEARCH_BIGRAM[] =
    "SELECT i.id FROM items i WHERE i.id IN (SELECT item_id FROM item_bigrams WHERE bigram = lower(?21))"
    " AND i.id IN (SELECT item_id FROM item_bigrams WHERE bigram = lower(?22))"
    " AND " SEARCH_FILTERS TERMS_MATCH;
/* A single-character term: scan the narrow items_search index. */
static const char SQL_SEARCH_SCAN[] = "SELECT i.id FROM items i WHERE " SEARCH_FILTERS TERMS_MATCH;
static const char SQL_SEARCH_ALL[] =
    "SELECT i.id FROM items i WHERE " SEARCH_FILTERS " ORDER BY i.category, i.code, "
    "i.item_version DESC LIMIT ?7 OFFSET ?8";

/* An FTS5 query: each term a quoted phrase ("" doubled), all of them required. */
static const char *
match_expr(struct bm_arena *a, const struct bm_item_query *q)
{
    size_t len = 1;
    char *p, *w;

    for (int i = 0; i < q->n_terms; i++)
        len += 2 * strlen(q->terms[i]) + 3;
    if ((p = w = bm_arena_alloc(a, len)) == NULL)
        return NULL;
    for (int i = 0; i < q->n_terms; i++) {
        if (i > 0)
            *w++ = ' ';
        *w++ = '"';
        for (const char *t = q->terms[i]; *t; t++) {
            if (*t == '"')
                *w++ = '"';
            *w++ = *t;
        }
        *w++ = '"';
    }
    *w = '\0';
    return p;
}

/* Runs a search that yields item ids, then reads each item's row (without materials). */
static enum bm_rc
rows_of(struct bm_store *st, sqlite3_stmt *ids, int max, struct bm_arena *a, struct bm_item **out,
        size_t *n, struct bm_err *err)
{
    int64_t *id = bm_arena_alloc(a, sizeof(*id) * (size_t)(max > 0 ? max : 1));
    size_t k = 0;
    sqlite3_stmt *s;
    enum bm_rc rc = id ? BM_OK : bm_err_set(err, BM_ETOOBIG, "结果过大");
    int src = SQLITE_DONE;

    while (rc == BM_OK && (int)k < max && (src = sqlite3_step(ids)) == SQLITE_ROW)
        id[k++] = sqlite3_column_int64(ids, 0);
    if (rc == BM_OK && (int)k < max && src != SQLITE_DONE)
        rc = sq_fail(st, src, "items search", err);
    sq_done(ids);
    *n = 0;
    *out = rc == BM_OK ? bm_arena_alloc(a, sizeof(**out) * (k + 1)) : NULL;
    if (rc == BM_OK && *out == NULL)
        rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    for (size_t i = 0; rc == BM_OK && i < k; i++) {
        rc = sq_prepare(st, SQL_ITEM_GET, &s, err);
        if (rc != BM_OK)
            break;
        sqlite3_bind_int64(s, 1, id[i]);
        if ((src = sqlite3_step(s)) == SQLITE_ROW)
            rc = read_item(s, a, &(*out)[(*n)++], err);
        else
            rc = sq_fail(st, src, "items search row", err);
        sq_done(s);
    }
    return rc;
}

/* ASCII lower case (SQLite's lower() folds only ASCII too), in the arena. */
static const char *
lower_ascii(struct bm_arena *a, const char *s)
{
    char *p = bm_arena_strdup(a, s);
    for (char *c = p; c && *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    return p ? p : "";
}

static void
bind_filters(sqlite3_stmt *s, const struct bm_item_query *q, struct bm_arena *a)
{
    sq_bind_text(s, 1, q->category);
    sqlite3_bind_int(s, 2, (int)q->objects);
    if (q->township_path && q->township_path[0])
        sq_bind_prefix(s, 3, q->township_path, a);
    else
        sq_bind_text(s, 3, "");
    sqlite3_bind_int(s, 4, q->online_only);
    /* Any status: the whole range of status codes. */
    sq_bind_text(s, 5, q->status && q->status[0] ? q->status : "");
    sq_bind_text(s, 20, q->status && q->status[0] ? q->status : "~");
    if (q->unit_prefix && q->unit_prefix[0])
        sq_bind_prefix(s, 6, q->unit_prefix, a);
    else
        sq_bind_text(s, 6, "");
}

enum bm_rc
sqlite_items_search(struct bm_store *st, const struct bm_item_query *q, struct bm_arena *a,
                    struct bm_item **out, size_t *n, struct bm_err *err)
{
    const char *pair = NULL, *pair2 = NULL; /* two-character terms, if any */
    bool single = false;
    sqlite3_stmt *s;
    enum bm_rc rc;

    for (int i = 0; i < q->n_terms; i++) {
        size_t chars = bm_utf8_count(q->terms[i]);
        single |= chars < 2;
        if (chars == 2) {
            pair2 = pair ? q->terms[i] : NULL;
            pair = pair ? pair : q->terms[i];
        }
    }
    if (q->n_terms == 0) {
        rc = sq_prepare(st, SQL_SEARCH_ALL, &s, err);
        if (rc != BM_OK)
            return rc;
        bind_filters(s, q, a);
        sqlite3_bind_int(s, 7, q->limit + 1);
        sqlite3_bind_int(s, 8, q->offset);
    } else if (pair == NULL && !single) {
        rc = sq_prepare(st, SQL_SEARCH_FTS, &s, err);
        if (rc != BM_OK)
            return rc;
        bind_filters(s, q, a);
        sq_bind_text(s, 7, match_expr(a, q));
        sq_bind_text(s, 8, q->terms[0]);
        sqlite3_bind_int(s, 9, q->limit + 1);
        sqlite3_bind_int(s, 10, q->offset);
    } else {
        rc = sq_prepare(st, single ? SQL_SEARCH_SCAN : SQL_SEARCH_BIGRAM, &s, err);
        if (rc != BM_OK)
            return rc;
        bind_filters(s, q, a);
        for (int i = 0; i < BM_SEARCH_TERMS; i++)
            sq_bind_text(s, 7 + i, i < q->n_terms ? lower_ascii(a, q->terms[i]) : "");
        sq_bind_text(s, 11, q->terms[0]);
        if (!single) {
            sq_bind_text(s, 21, pair);
            sq_bind_text(s, 22, pair2 ? pair2 : pair);
        }
        sqlite3_bind_int(s, 12, q->limit + 1);
        sqlite3_bind_int(s, 13, q->offset);
    }
    return rows_of(st, s, q->limit + 1, a, out, n, err);
}
