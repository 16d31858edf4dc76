/*
 * SQLite: cases (办件) with their materials, events and pauses, the per-town daily case
 * number counters and the idempotency keys of case creation. State codes are stored as the
 * API's strings; days as day numbers (NULL for "none").
 */
#include <pthread.h>
#include <string.h>

#include "store/sqlite/int.h"
#include "util/buf.h"

#define CASE_COLS                                                                              \
    "c.id, c.case_no, c.county_code, c.query_code, c.item_id, i.code, i.name, i.item_version, " \
    "c.channel, c.status, c.stage, c.decision, c.proposed, c.resume_status, c.resume_stage, "  \
    "c.suspend_kind, c.supplement_requests, c.extension_days, c.needs_approval, "              \
    "c.applicant_type, c.applicant_masked, c.applicant_enc, c.applicant_hash, "                \
    "coalesce(c.applicant_user_id, 0), c.accepting_unit_id, a.name, a.path, "                  \
    "c.handling_unit_id, h.name, h.path, coalesce(c.handler_id, 0), "                          \
    "coalesce(u.display_name, ''), c.promised_days, c.summary, c.submitted_at, "               \
    "c.accepted_at, c.decided_at, c.closed_at, c.accept_day, c.due_day, c.due_provisional, "   \
    "c.delivery_method, c.delivery_ref, c.visits, c.version, c.created_at, c.updated_at, "     \
    "c.warn_day, c.warned_level, c.warned_due, c.used_days"
#define CASE_FROM                                                                              \
    " FROM cases c JOIN items i ON i.id = c.item_id "                                          \
    "JOIN org_units a ON a.id = c.accepting_unit_id "                                          \
    "JOIN org_units h ON h.id = c.handling_unit_id LEFT JOIN users u ON u.id = c.handler_id "

#define CASE_FROM_OPEN_WARN                                                                    \
    " FROM cases c INDEXED BY cases_open_warn JOIN items i ON i.id = c.item_id "               \
    "JOIN org_units a ON a.id = c.accepting_unit_id "                                          \
    "JOIN org_units h ON h.id = c.handling_unit_id LEFT JOIN users u ON u.id = c.handler_id "

static int
code_at(const struct bm_code *table, sqlite3_stmt *s, int col)
{
    return bm_code_find(table, (const char *)sqlite3_column_text(s, col));
}

static bm_day
day_at(sqlite3_stmt *s, int col)
{
    return sqlite3_column_type(s, col) == SQLITE_NULL ? BM_DAY_NONE
                                                     : (bm_day)sqlite3_column_int64(s, col);
}

static void
bind_day(sqlite3_stmt *s, int idx, bm_day d)
{
    if (d == BM_DAY_NONE)
        sqlite3_bind_null(s, idx);
    else
        sqlite3_bind_int64(s, idx, d);
}

static void
bind_id_or_null(sqlite3_stmt *s, int idx, int64_t id)
{
    if (id == 0)
        sqlite3_bind_null(s, idx);
    else
        sqlite3_bind_int64(s, idx, id);
}

static enum bm_rc
read_case(sqlite3_stmt *s, struct bm_arena *a, struct bm_case *c, struct bm_err *err)
{
    const char **texts[] = {&c->case_no,          &c->county_code,        &c->query_code,
                            &c->item_code,        &c->item_name,          &c->applicant_masked,
                            &c->accepting_unit_name, &c->accepting_path,  &c->handling_unit_name,
                            &c->handling_path,    &c->handler_name,       &c->summary,
                            &c->delivery_method,  &c->delivery_ref};
    static const int text_cols[] = {1, 2, 3, 5, 6, 20, 25, 26, 28, 29, 31, 33, 41, 42};
    int status, stage, decision, proposed, rstatus, rstage, enc_len;
    unsigned char *enc;

    memset(c, 0, sizeof(*c));
    for (size_t k = 0; k < sizeof(text_cols) / sizeof(text_cols[0]); k++)
        if ((*texts[k] = sq_text(a, s, text_cols[k])) == NULL)
            return bm_err_set(err, BM_ETOOBIG, "结果过大");
    status = code_at(bm_case_statuses, s, 9);
    stage = code_at(bm_case_stages, s, 10);
    decision = code_at(bm_case_decisions, s, 11);
    proposed = code_at(bm_case_decisions, s, 12);
    rstatus = code_at(bm_case_statuses, s, 13);
    rstage = code_at(bm_case_stages, s, 14);
    if (status < 0 || stage < 0 || decision < 0 || proposed < 0 || rstage < 0 ||
        (rstatus < 0 && sqlite3_column_bytes(s, 13) > 0))
        return bm_err_set(err, BM_EINTERNAL, "办件状态数据损坏");
    c->id = sqlite3_column_int64(s, 0);
    c->item_id = sqlite3_column_int64(s, 4);
    c->item_version = sqlite3_column_int(s, 7);
    c->is_online = strcmp((const char *)sqlite3_column_text(s, 8), "online") == 0;
    c->st.status = (enum bm_case_status)status;
    c->st.stage = (enum bm_case_stage)stage;
    c->st.decision = (enum bm_case_decision)decision;
    c->st.proposed = (enum bm_case_decision)proposed;
    c->st.resume_status = rstatus < 0 ? BM_CASE_DRAFT : (enum bm_case_status)rstatus;
    c->st.resume_stage = (enum bm_case_stage)rstage;
    c->st.suspend_kind = (enum bm_suspend_kind)sqlite3_column_int(s, 15);
    c->st.supplement_requests = sqlite3_column_int(s, 16);
    c->extension_days = sqlite3_column_int(s, 17);
    c->st.is_extended = c->extension_days > 0;
    c->st.needs_approval = sqlite3_column_int(s, 18) != 0;
    c->is_applicant_uscc = strcmp((const char *)sqlite3_column_text(s, 19), "uscc") == 0;
    enc_len = sqlite3_column_bytes(s, 21);
    if ((enc = bm_arena_alloc(a, (size_t)enc_len + 1)) == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    if (enc_len > 0)
        memcpy(enc, sqlite3_column_blob(s, 21), (size_t)enc_len);
    c->applicant_enc = enc;
    c->applicant_enc_len = (size_t)enc_len;
    if (sqlite3_column_bytes(s, 22) == (int)sizeof(c->applicant_hash))
        memcpy(c->applicant_hash, sqlite3_column_blob(s, 22), sizeof(c->applicant_hash));
    c->applicant_user_id = sqlite3_column_int64(s, 23);
    c->accepting_unit_id = sqlite3_column_int64(s, 24);
    c->handling_unit_id = sqlite3_column_int64(s, 27);
    c->handler_id = sqlite3_column_int64(s, 30);
    c->st.has_handler = c->handler_id != 0;
    c->promised_days = sqlite3_column_int(s, 32);
    c->submitted_at = sqlite3_column_int64(s, 34);
    c->accepted_at = sqlite3_column_int64(s, 35);
    c->decided_at = sqlite3_column_int64(s, 36);
    c->closed_at = sqlite3_column_int64(s, 37);
    c->accept_day = day_at(s, 38);
    c->due_day = day_at(s, 39);
    c->due_provisional = sqlite3_column_int(s, 40) != 0;
    c->visits = sqlite3_column_int(s, 43);
    c->version = sqlite3_column_int64(s, 44);
    c->created_at = sqlite3_column_int64(s, 45);
    c->updated_at = sqlite3_column_int64(s, 46);
    c->warn_day = day_at(s, 47);
    c->warned_level = sqlite3_column_int(s, 48);
    c->warned_due = day_at(s, 49);
    c->used_days = sqlite3_column_int(s, 50);
    return BM_OK;
}

/* ---- case numbers ---- */

static const char SQL_NEXT_SEQ[] =
    "INSERT INTO case_counters (town_code, ymd, last_seq, county_code) "
    "VALUES (?1, ?2, 1, substr(?1, 1, 6)) "
    "ON CONFLICT (town_code, ymd) DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq";

enum bm_rc
sqlite_case_next_seq(struct bm_store *st, const char *town_code, int ymd, int *seq,
                     struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_NEXT_SEQ, &s, err)) != BM_OK)
        return rc;
    sq_bind_text(s, 1, town_code);
    sqlite3_bind_int(s, 2, ymd);
    if ((src = sqlite3_step(s)) == SQLITE_ROW) {
        *seq = sqlite3_column_int(s, 0);
        src = sqlite3_step(s);
    }
    if (src != SQLITE_DONE)
        rc = sq_fail(st, src, "case sequence", err);
    sq_done(s);
    return rc;
}

/* ---- insert, get, update ---- */

static const char SQL_CASE_INSERT[] =
    "INSERT INTO cases (case_no, county_code, query_code, item_id, channel, status, stage, "
    "decision, proposed, resume_status, resume_stage, suspend_kind, supplement_requests, "
    "extension_days, needs_approval, applicant_type, applicant_masked, applicant_enc, "
    "applicant_hash, applicant_user_id, accepting_unit_id, handling_unit_id, handler_id, "
    "promised_days, summary, submitted_at, accepted_at, accept_day, due_day, due_provisional, "
    "decided_at, closed_at, delivery_method, delivery_ref, visits, created_at, updated_at, "
    "warn_day, used_days, version) "
    "VALUES (?1, (SELECT county_code FROM org_units WHERE id = ?20), ?2, ?3, ?4, ?5, ?6, ?7, "
    "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, "
    "?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?35, ?36, ?37, ?38)";
static const char SQL_MAT_INSERT[] =
    "INSERT INTO case_materials (case_id, ord, name, required, source, provided, exempt, "
    "certificate_id, county_code) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
    "(SELECT county_code FROM cases WHERE id = ?1))";

static const char *
status_code(enum bm_case_status s)
{
    return bm_case_statuses[s].code;
}

enum bm_rc
sqlite_case_insert(struct bm_store *st, const struct bm_case *c, int64_t now, int64_t *id,
                   struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_CASE_INSERT, &s, err)) != BM_OK)
        return rc;
    sq_bind_text(s, 1, c->case_no);
    sq_bind_text(s, 2, c->query_code);
    sqlite3_bind_int64(s, 3, c->item_id);
    sq_bind_text(s, 4, c->is_online ? "online" : "window");
    sq_bind_text(s, 5, status_code(c->st.status));
    sq_bind_text(s, 6, bm_case_stages[c->st.stage].code);
    sq_bind_text(s, 7, bm_case_decisions[c->st.decision].code);
    sq_bind_text(s, 8, bm_case_decisions[c->st.proposed].code);
    sq_bind_text(s, 9, c->st.suspend_kind != BM_SUSPEND_NONE ? status_code(c->st.resume_status) : "");
    sq_bind_text(s, 10, bm_case_stages[c->st.resume_stage].code);
    sqlite3_bind_int(s, 11, (int)c->st.suspend_kind);
    sqlite3_bind_int(s, 12, c->st.supplement_requests);
    sqlite3_bind_int(s, 13, c->extension_days);
    sqlite3_bind_int(s, 14, c->st.needs_approval);
    sq_bind_text(s, 15, c->is_applicant_uscc ? "uscc" : "resident_id");
    sq_bind_text(s, 16, c->applicant_masked);
    sqlite3_bind_blob(s, 17, c->applicant_enc, (int)c->applicant_enc_len, SQLITE_TRANSIENT);
    sqlite3_bind_blob(s, 18, c->applicant_hash, (int)sizeof(c->applicant_hash), SQLITE_TRANSIENT);
    bind_id_or_null(s, 19, c->applicant_user_id);
    sqlite3_bind_int64(s, 20, c->accepting_unit_id);
    sqlite3_bind_int64(s, 21, c->handling_unit_id);
    bind_id_or_null(s, 22, c->handler_id);
    sqlite3_bind_int(s, 23, c->promised_days);
    sq_bind_text(s, 24, c->summary);
    sqlite3_bind_int64(s, 25, c->submitted_at);
    sqlite3_bind_int64(s, 26, c->accepted_at);
    bind_day(s, 27, c->accept_day);
    bind_day(s, 28, c->due_day);
    sqlite3_bind_int(s, 29, c->due_provisional);
    sqlite3_bind_int64(s, 30, c->decided_at);
    sqlite3_bind_int64(s, 31, c->closed_at);
    sq_bind_text(s, 32, c->delivery_method);
    sq_bind_text(s, 33, c->delivery_ref);
    sqlite3_bind_int(s, 34, c->visits);
    sqlite3_bind_int64(s, 35, now);
    bind_day(s, 36, c->warn_day);
    sqlite3_bind_int(s, 37, c->used_days);
    sqlite3_bind_int64(s, 38, c->version > 0 ? c->version : 1);
    if ((rc = sq_exec(st, s, "case insert", err)) != BM_OK)
        return rc;
    *id = sqlite3_last_insert_rowid(sq_db(st));
    if ((rc = sq_prepare(st, SQL_MAT_INSERT, &s, err)) != BM_OK)
        return rc;
    for (size_t i = 0; i < c->n_materials && rc == BM_OK; i++) {
        const struct bm_case_material *m = &c->materials[i];
        sqlite3_bind_int64(s, 1, *id);
        sqlite3_bind_int(s, 2, m->ord);
        sq_bind_text(s, 3, m->name);
        sqlite3_bind_int(s, 4, m->required);
        sq_bind_text(s, 5, bm_material_sources[m->source].code);
        sqlite3_bind_int(s, 6, m->provided);
        sqlite3_bind_int(s, 7, m->exempt);
        bind_id_or_null(s, 8, m->certificate_id);
        rc = sq_exec(st, s, "case material insert", err);
    }
    return rc;
}

static const char SQL_CASE_GET[] = "SELECT " CASE_COLS CASE_FROM "WHERE c.case_no = ?1";
static const char SQL_MAT_LIST[] =
    "SELECT m.ord, m.name, m.required, m.source, m.provided, m.exempt, "
    "coalesce(m.certificate_id, 0), (SELECT count(*) FROM attachments t "
    "WHERE t.case_id = m.case_id AND t.material_ord = m.ord) "
    "FROM case_materials m WHERE m.case_id = ?1 ORDER BY m.ord";

static enum bm_rc
read_materials(struct bm_store *st, struct bm_case *c, struct bm_arena *a, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src;

    c->materials = bm_arena_alloc(a, sizeof(*c->materials) * BM_CASE_MAX_MATERIALS);
    if (c->materials == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    if ((rc = sq_prepare(st, SQL_MAT_LIST, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, c->id);
    while (rc == BM_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
        struct bm_case_material *m = &c->materials[c->n_materials];
        if (c->n_materials >= BM_CASE_MAX_MATERIALS)
            break;
        m->ord = sqlite3_column_int(s, 0);
        m->name = sq_text(a, s, 1);
        m->required = sqlite3_column_int(s, 2) != 0;
        m->source = code_at(bm_material_sources, s, 3);
        m->provided = sqlite3_column_int(s, 4) != 0;
        m->exempt = sqlite3_column_int(s, 5) != 0;
        m->certificate_id = sqlite3_column_int64(s, 6);
        m->n_attachments = sqlite3_column_int(s, 7);
        if (m->name == NULL)
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
        if (m->source < 0)
            m->source = BM_SOURCE_APPLICANT;
        c->n_materials++;
    }
    if (rc == BM_OK && src != SQLITE_DONE && src != SQLITE_ROW)
        rc = sq_fail(st, src, "case materials", err);
    sq_done(s);
    return rc;
}

enum bm_rc
sqlite_case_get(struct bm_store *st, const char *case_no, struct bm_arena *a, struct bm_case *out,
                struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src;

    if ((rc = sq_prepare(st, SQL_CASE_GET, &s, err)) != BM_OK)
        return rc;
    sq_bind_text(s, 1, case_no);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW)
        rc = read_case(s, a, out, err);
    else if (src == SQLITE_DONE)
        rc = bm_err_set(err, BM_ENOTFOUND, "办件不存在");
    else
        rc = sq_fail(st, src, "case get", err);
    sq_done(s);
    return rc == BM_OK ? read_materials(st, out, a, err) : rc;
}

static const char SQL_CASE_UPDATE[] =
    "UPDATE cases SET status = ?3, stage = ?4, decision = ?5, proposed = ?6, "
    "resume_status = ?7, resume_stage = ?8, suspend_kind = ?9, supplement_requests = ?10, "
    "extension_days = ?11, handling_unit_id = ?12, handler_id = ?13, accepted_at = ?14, "
    "accept_day = ?15, due_day = ?16, due_provisional = ?17, decided_at = ?18, closed_at = ?19, "
    "delivery_method = ?20, delivery_ref = ?21, visits = ?22, summary = ?23, updated_at = ?24, "
    "warn_day = ?25, used_days = ?26, version = version + 1 WHERE id = ?1 AND version = ?2";
static const char SQL_MAT_UPDATE[] =
    "UPDATE case_materials SET provided = ?3, exempt = ?4, certificate_id = ?5 "
    "WHERE case_id = ?1 AND ord = ?2";

enum bm_rc
sqlite_case_update(struct bm_store *st, const struct bm_case *c, int64_t now, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_CASE_UPDATE, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, c->id);
    sqlite3_bind_int64(s, 2, c->version);
    sq_bind_text(s, 3, status_code(c->st.status));
    sq_bind_text(s, 4, bm_case_stages[c->st.stage].code);
    sq_bind_text(s, 5, bm_case_decisions[c->st.decision].code);
    sq_bind_text(s, 6, bm_case_decisions[c->st.proposed].code);
    sq_bind_text(s, 7, c->st.suspend_kind != BM_SUSPEND_NONE ? status_code(c->st.resume_status) : "");
    sq_bind_text(s, 8, bm_case_stages[c->st.resume_stage].code);
    sqlite3_bind_int(s, 9, (int)c->st.suspend_kind);
    sqlite3_bind_int(s, 10, c->st.supplement_requests);
    sqlite3_bind_int(s, 11, c->extension_days);
    sqlite3_bind_int64(s, 12, c->handling_unit_id);
    bind_id_or_null(s, 13, c->handler_id);
    sqlite3_bind_int64(s, 14, c->accepted_at);
    bind_day(s, 15, c->accept_day);
    bind_day(s, 16, c->due_day);
    sqlite3_bind_int(s, 17, c->due_provisional);
    sqlite3_bind_int64(s, 18, c->decided_at);
    sqlite3_bind_int64(s, 19, c->closed_at);
    sq_bind_text(s, 20, c->delivery_method);
    sq_bind_text(s, 21, c->delivery_ref);
    sqlite3_bind_int(s, 22, c->visits);
    sq_bind_text(s, 23, c->summary);
    sqlite3_bind_int64(s, 24, now);
    bind_day(s, 25, c->warn_day);
    sqlite3_bind_int(s, 26, c->used_days);
    if ((rc = sq_exec(st, s, "case update", err)) != BM_OK)
        return rc;
    if (sqlite3_changes(sq_db(st)) == 0)
        return bm_err_set(err, BM_ESTALE, "办件已被他人修改，请刷新后重试");
    if ((rc = sq_prepare(st, SQL_MAT_UPDATE, &s, err)) != BM_OK)
        return rc;
    for (size_t i = 0; c->materials_changed && i < c->n_materials && rc == BM_OK; i++) {
        sqlite3_bind_int64(s, 1, c->id);
        sqlite3_bind_int(s, 2, c->materials[i].ord);
        sqlite3_bind_int(s, 3, c->materials[i].provided);
        sqlite3_bind_int(s, 4, c->materials[i].exempt);
        bind_id_or_null(s, 5, c->materials[i].certificate_id);
        rc = sq_exec(st, s, "case material update", err);
    }
    return rc;
}

/* ---- lists ---- */

/*
 * A list's SQL holds only the filters in use (values always bound, numbered as below), so
 * SQLite plans each shape with its indexes instead of scanning past "?n = 0 OR ..." terms.
 * Each shape's text is built once and kept: the statement cache knows it by its address.
 */
enum {
    F_STATUS = 1 << 0,      /* ?1 */
    F_HUNIT = 1 << 1,       /* ?2 */
    F_HPREFIX = 1 << 2,     /* ?3 */
    F_AUNIT = 1 << 3,       /* ?4 */
    F_APREFIX = 1 << 4,     /* ?5 */
    F_SCOPE = 1 << 5,       /* ?6 */
    F_HANDLER = 1 << 6,     /* ?7 */
    F_APPLICANT = 1 << 7,   /* ?8 */
    F_OPEN = 1 << 8,
    F_PROVISIONAL = 1 << 9,
    F_DUE_BEFORE = 1 << 10, /* ?10 */
    F_CURSOR = 1 << 11,     /* ?11, and ?13 by due */
    F_BY_DUE = 1 << 12,
    F_WARN = 1 << 13,       /* ?9 */
    F_SHAPES = 1 << 14,
};

#define UNITS_UNDER(n) "(SELECT id FROM org_units WHERE path LIKE ?" n " ESCAPE '\\')"

static pthread_mutex_t shapes_mu = PTHREAD_MUTEX_INITIALIZER;
static char *shapes[F_SHAPES];

static const char *
list_sql(unsigned f)
{
    static const struct {
        unsigned bit;
        const char *sql;
    } terms[] = {
        {F_STATUS, "c.status = ?1"},
        {F_HUNIT, "c.handling_unit_id = ?2"},
        {F_HPREFIX, "c.handling_unit_id IN " UNITS_UNDER("3")},
        {F_AUNIT, "c.accepting_unit_id = ?4"},
        {F_APREFIX, "c.accepting_unit_id IN " UNITS_UNDER("5")},
        /* "+": checked row by row while walking the order, not used to pick rows (every
         * case of a township or the county matches: gathering and sorting them is slower). */
        {F_SCOPE, "(+c.handling_unit_id IN " UNITS_UNDER("6") " OR +c.accepting_unit_id IN "
                  UNITS_UNDER("6") ")"},
        {F_HANDLER, "c.handler_id = ?7"},
        {F_APPLICANT, "c.applicant_user_id = ?8"},
        {F_OPEN, "c.status IN ('accepted', 'processing', 'forwarded')"},
        {F_PROVISIONAL, "c.due_provisional = 1"},
        {F_DUE_BEFORE, "c.due_day <= ?10"},
        {F_WARN, "c.warn_day <= ?9"},
    };
    char *sql;
    struct bm_buf b;
    bool ok;

    pthread_mutex_lock(&shapes_mu);
    if ((sql = shapes[f]) != NULL) {
        pthread_mutex_unlock(&shapes_mu);
        return sql;
    }
    bm_buf_init(&b, 1 << 16);
    /* Open cases by deadline, or in warning: a partial index, which SQLite does not pick by
     * itself; it also holds warn_day, so that walking it in deadline order skips the cases
     * not in warning without reading their rows. */
    if ((f & (F_OPEN | F_WARN | F_STATUS)) == (F_OPEN | F_WARN) ||
        (f & (F_OPEN | F_BY_DUE | F_STATUS)) == (F_OPEN | F_BY_DUE))
        ok = bm_buf_puts(&b, "SELECT " CASE_COLS CASE_FROM_OPEN_WARN "WHERE 1") == BM_OK;
    else
        ok = bm_buf_puts(&b, "SELECT " CASE_COLS CASE_FROM "WHERE 1") == BM_OK;
    for (size_t i = 0; ok && i < sizeof(terms) / sizeof(terms[0]); i++)
        if (f & terms[i].bit)
            ok = bm_buf_printf(&b, " AND %s", terms[i].sql) == BM_OK;
    if (ok && (f & F_BY_DUE))
        ok = bm_buf_puts(&b, (f & F_CURSOR) ? " AND c.due_day IS NOT NULL AND (c.due_day, c.id) > "
                                              "(?13, ?11) ORDER BY c.due_day, c.id LIMIT ?12"
                                            : " AND c.due_day IS NOT NULL ORDER BY c.due_day, "
                                              "c.id LIMIT ?12") == BM_OK;
    else if (ok)
        ok = bm_buf_puts(&b, (f & F_CURSOR) ? " AND c.id < ?11 ORDER BY c.id DESC LIMIT ?12"
                                            : " ORDER BY c.id DESC LIMIT ?12") == BM_OK;
    BM_ASSERT(ok);
    sql = bm_buf_detach(&b, NULL);
    shapes[f] = sql; /* kept for the life of the process: at most F_SHAPES small strings */
    pthread_mutex_unlock(&shapes_mu);
    return sql;
}

static bool
has(const char *s)
{
    return s != NULL && s[0] != '\0';
}

enum bm_rc
sqlite_cases_list(struct bm_store *st, const struct bm_case_query *q, struct bm_arena *a,
                  struct bm_case **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src = SQLITE_DONE, limit = q->limit > 0 ? q->limit : 20;
    unsigned f = (has(q->status) ? F_STATUS : 0) | (q->handling_unit_id ? F_HUNIT : 0) |
                 (has(q->handling_prefix) ? F_HPREFIX : 0) | (q->accepting_unit_id ? F_AUNIT : 0) |
                 (has(q->accepting_prefix) ? F_APREFIX : 0) | (has(q->scope_prefix) ? F_SCOPE : 0) |
                 (q->handler_id ? F_HANDLER : 0) | (q->applicant_user_id ? F_APPLICANT : 0) |
                 (q->open_only ? F_OPEN : 0) | (q->open_only && q->provisional_only ? F_PROVISIONAL : 0) |
                 (q->due_before != BM_DAY_NONE ? F_DUE_BEFORE : 0) | (q->after_id > 0 ? F_CURSOR : 0) |
                 (q->by_due ? F_BY_DUE : 0) |
                 (q->open_only && q->warn_before != BM_DAY_NONE ? F_WARN : 0);

    *n = 0;
    if ((*out = bm_arena_alloc(a, sizeof(**out) * (size_t)(limit + 1))) == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    if ((rc = sq_prepare(st, list_sql(f), &s, err)) != BM_OK)
        return rc;
    if (f & F_STATUS)
        sq_bind_text(s, 1, q->status);
    if (f & F_HUNIT)
        sqlite3_bind_int64(s, 2, q->handling_unit_id);
    if (f & F_HPREFIX)
        sq_bind_prefix(s, 3, q->handling_prefix, a);
    if (f & F_AUNIT)
        sqlite3_bind_int64(s, 4, q->accepting_unit_id);
    if (f & F_APREFIX)
        sq_bind_prefix(s, 5, q->accepting_prefix, a);
    if (f & F_SCOPE)
        sq_bind_prefix(s, 6, q->scope_prefix, a);
    if (f & F_HANDLER)
        sqlite3_bind_int64(s, 7, q->handler_id);
    if (f & F_APPLICANT)
        sqlite3_bind_int64(s, 8, q->applicant_user_id);
    if (f & F_DUE_BEFORE)
        bind_day(s, 10, q->due_before);
    if (f & F_WARN)
        bind_day(s, 9, q->warn_before);
    if (f & F_CURSOR) {
        sqlite3_bind_int64(s, 11, q->after_id);
        if (f & F_BY_DUE)
            sqlite3_bind_int64(s, 13, q->after_due);
    }
    sqlite3_bind_int(s, 12, limit + 1);
    while (rc == BM_OK && *n < (size_t)limit + 1 && (src = sqlite3_step(s)) == SQLITE_ROW)
        if ((rc = read_case(s, a, &(*out)[*n], err)) == BM_OK)
            (*n)++;
    if (rc == BM_OK && src != SQLITE_DONE && src != SQLITE_ROW)
        rc = sq_fail(st, src, "case list", err);
    sq_done(s);
    return rc;
}

/* ---- default ratings ---- */

#define CASE_FROM_DELIVERED                                                                    \
    " FROM cases c INDEXED BY cases_delivered JOIN items i ON i.id = c.item_id "               \
    "JOIN org_units a ON a.id = c.accepting_unit_id "                                          \
    "JOIN org_units h ON h.id = c.handling_unit_id LEFT JOIN users u ON u.id = c.handler_id "

static const char SQL_UNRATED[] =
    "SELECT " CASE_COLS CASE_FROM_DELIVERED
    "WHERE c.status = 'delivered' AND c.closed_at > ?1 AND c.closed_at <= ?2 AND "
    "(c.closed_at, c.id) > (?3, ?4) AND NOT EXISTS (SELECT 1 FROM ratings r WHERE "
    "r.case_id = c.id) ORDER BY c.closed_at, c.id LIMIT ?5";

/* Steps a prepared, bound query of whole case rows (CASE_COLS) and reads at most `limit`. */
static enum bm_rc
step_cases(struct bm_store *st, sqlite3_stmt *s, const char *what, int limit,
           struct bm_arena *a, struct bm_case **out, size_t *n, struct bm_err *err)
{
    enum bm_rc rc = BM_OK;
    int src = SQLITE_DONE;

    if ((*out = bm_arena_alloc(a, sizeof(**out) * (size_t)(limit > 0 ? limit : 1))) == NULL)
        rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    while (rc == BM_OK && *n < (size_t)limit && (src = sqlite3_step(s)) == SQLITE_ROW)
        if ((rc = read_case(s, a, &(*out)[*n], err)) == BM_OK)
            (*n)++;
    if (rc == BM_OK && src != SQLITE_DONE && src != SQLITE_ROW)
        rc = sq_fail(st, src, what, err);
    sq_done(s);
    return rc;
}

enum bm_rc
sqlite_cases_unrated(struct bm_store *st, int64_t closed_after, int64_t closed_until,
                     int64_t after_closed, int64_t after_id, int limit, struct bm_arena *a,
                     struct bm_case **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    *n = 0;
    if ((rc = sq_prepare(st, SQL_UNRATED, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, closed_after);
    sqlite3_bind_int64(s, 2, closed_until);
    sqlite3_bind_int64(s, 3, after_closed);
    sqlite3_bind_int64(s, 4, after_id);
    sqlite3_bind_int(s, 5, limit);
    return step_cases(st, s, "unrated cases", limit, a, out, n, err);
}

/* ---- deadline warnings ---- */

static const char SQL_TO_WARN[] =
    "SELECT " CASE_COLS CASE_FROM_OPEN_WARN
    "WHERE c.status IN ('accepted', 'processing', 'forwarded') AND c.id > ?2 AND "
    "(c.warn_day IS NULL OR (c.warn_day <= ?1 AND (c.warned_due IS NULL OR "
    "c.warned_due <> c.due_day OR c.warned_level < CASE WHEN c.due_day < ?1 THEN 2 ELSE 1 END))) "
    "ORDER BY c.id LIMIT ?3";

enum bm_rc
sqlite_cases_to_warn(struct bm_store *st, bm_day today, int64_t after_id, int limit,
                     struct bm_arena *a, struct bm_case **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    *n = 0;
    if ((rc = sq_prepare(st, SQL_TO_WARN, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, today);
    sqlite3_bind_int64(s, 2, after_id);
    sqlite3_bind_int(s, 3, limit);
    return step_cases(st, s, "cases to warn", limit, a, out, n, err);
}

static const char SQL_SET_WARN_DAY[] = "UPDATE cases SET warn_day = ?2 WHERE id = ?1";

enum bm_rc
sqlite_case_set_warn_day(struct bm_store *st, int64_t case_id, bm_day warn_day,
                         struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_SET_WARN_DAY, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, case_id);
    bind_day(s, 2, warn_day);
    return sq_exec(st, s, "case warn day", err);
}

static const char SQL_MARK_WARNED[] =
    "UPDATE cases SET warned_level = ?2, warned_due = ?3 WHERE id = ?1 AND due_day = ?3 AND "
    "status IN ('accepted', 'processing', 'forwarded') AND "
    "(warned_due IS NULL OR warned_due <> ?3 OR warned_level < ?2)";

enum bm_rc
sqlite_case_mark_warned(struct bm_store *st, int64_t case_id, int level, bm_day due,
                        bool *claimed, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    *claimed = false;
    if ((rc = sq_prepare(st, SQL_MARK_WARNED, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, case_id);
    sqlite3_bind_int(s, 2, level);
    sqlite3_bind_int64(s, 3, due);
    rc = sq_exec(st, s, "case mark warned", err);
    if (rc == BM_OK)
        *claimed = sqlite3_changes(sq_db(st)) == 1;
    return rc;
}

/* ---- events ---- */

static const char SQL_EVENT_INSERT[] =
    "INSERT INTO case_events (case_id, at, actor_id, actor_name, action, from_status, "
    "to_status, note, detail, county_code) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
    "(SELECT county_code FROM cases WHERE id = ?1))";

enum bm_rc
sqlite_case_event_insert(struct bm_store *st, const struct bm_case_event *e, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_EVENT_INSERT, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, e->case_id);
    sqlite3_bind_int64(s, 2, e->at);
    sqlite3_bind_int64(s, 3, e->actor_id);
    sq_bind_text(s, 4, e->actor_name);
    sq_bind_text(s, 5, e->action);
    sq_bind_text(s, 6, e->from_status);
    sq_bind_text(s, 7, e->to_status);
    sq_bind_text(s, 8, e->note);
    sq_bind_text(s, 9, e->detail);
    return sq_exec(st, s, "case event insert", err);
}

static const char SQL_EVENTS[] =
    "SELECT id, case_id, at, actor_id, actor_name, action, from_status, to_status, note, detail "
    "FROM case_events WHERE case_id = ?1 ORDER BY id LIMIT 500";

enum bm_rc
sqlite_case_events(struct bm_store *st, int64_t case_id, struct bm_arena *a,
                   struct bm_case_event **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src = SQLITE_DONE;
    size_t cap = 0;

    *n = 0;
    *out = NULL;
    if ((rc = sq_prepare(st, SQL_EVENTS, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, case_id);
    /* SQL_EVENTS stops at 500; most cases have a handful. */
    while (rc == BM_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
        struct bm_case_event *e;
        if (!bm_arena_grow(a, (void **)out, &cap, *n, sizeof(**out))) {
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
            break;
        }
        e = &(*out)[(*n)++];
        e->id = sqlite3_column_int64(s, 0);
        e->case_id = sqlite3_column_int64(s, 1);
        e->at = sqlite3_column_int64(s, 2);
        e->actor_id = sqlite3_column_int64(s, 3);
        e->actor_name = sq_text(a, s, 4);
        e->action = sq_text(a, s, 5);
        e->from_status = sq_text(a, s, 6);
        e->to_status = sq_text(a, s, 7);
        e->note = sq_text(a, s, 8);
        e->detail = sq_text(a, s, 9);
        if (!e->actor_name || !e->action || !e->from_status || !e->to_status || !e->note ||
            !e->detail)
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    }
    if (rc == BM_OK && src != SQLITE_DONE && src != SQLITE_ROW)
        rc = sq_fail(st, src, "case events", err);
    sq_done(s);
    return rc;
}

/* ---- pauses ---- */

static const char SQL_PAUSE_INSERT[] =
    "INSERT INTO case_pauses (case_id, kind, procedure, reason, expected_days, from_day, "
    "to_day, started_at, ended_at, started_by, county_code) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
    "?7, ?8, ?9, ?10, (SELECT county_code FROM cases WHERE id = ?1))";

enum bm_rc
sqlite_case_pause_insert(struct bm_store *st, const struct bm_case_pause *p, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_PAUSE_INSERT, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, p->case_id);
    sq_bind_text(s, 2, p->is_supplement ? "supplement" : "procedure");
    sq_bind_text(s, 3, p->procedure);
    sq_bind_text(s, 4, p->reason);
    sqlite3_bind_int(s, 5, p->expected_days);
    sqlite3_bind_int64(s, 6, p->from_day);
    bind_day(s, 7, p->to_day);
    sqlite3_bind_int64(s, 8, p->started_at);
    sqlite3_bind_int64(s, 9, p->ended_at);
    sqlite3_bind_int64(s, 10, p->started_by);
    return sq_exec(st, s, "case pause insert", err);
}

static const char SQL_PAUSE_END[] =
    "UPDATE case_pauses SET to_day = ?2, ended_at = ?3 WHERE case_id = ?1 AND to_day IS NULL";

enum bm_rc
sqlite_case_pause_end(struct bm_store *st, int64_t case_id, bm_day to_day, int64_t now,
                      struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_PAUSE_END, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, case_id);
    sqlite3_bind_int64(s, 2, to_day);
    sqlite3_bind_int64(s, 3, now);
    if ((rc = sq_exec(st, s, "case pause end", err)) != BM_OK)
        return rc;
    return sqlite3_changes(sq_db(st)) == 0 ? bm_err_set(err, BM_ENOTFOUND, "没有进行中的特别程序")
                                            : BM_OK;
}

static const char SQL_PAUSES[] =
    "SELECT id, case_id, kind, procedure, reason, expected_days, from_day, to_day, started_at, "
    "ended_at, started_by FROM case_pauses WHERE case_id = ?1 ORDER BY id LIMIT 100";

enum bm_rc
sqlite_case_pauses(struct bm_store *st, int64_t case_id, struct bm_arena *a,
                   struct bm_case_pause **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src = SQLITE_DONE;
    size_t cap = 0;

    *n = 0;
    *out = NULL;
    if ((rc = sq_prepare(st, SQL_PAUSES, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, case_id);
    while (rc == BM_OK && (src = sqlite3_step(s)) == SQLITE_ROW) {
        struct bm_case_pause *p;
        if (!bm_arena_grow(a, (void **)out, &cap, *n, sizeof(**out))) {
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
            break;
        }
        p = &(*out)[(*n)++];
        p->id = sqlite3_column_int64(s, 0);
        p->case_id = sqlite3_column_int64(s, 1);
        p->is_supplement = strcmp((const char *)sqlite3_column_text(s, 2), "supplement") == 0;
        p->procedure = sq_text(a, s, 3);
        p->reason = sq_text(a, s, 4);
        p->expected_days = sqlite3_column_int(s, 5);
        p->from_day = day_at(s, 6);
        p->to_day = day_at(s, 7);
        p->started_at = sqlite3_column_int64(s, 8);
        p->ended_at = sqlite3_column_int64(s, 9);
        p->started_by = sqlite3_column_int64(s, 10);
        if (!p->procedure || !p->reason)
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    }
    if (rc == BM_OK && src != SQLITE_DONE && src != SQLITE_ROW)
        rc = sq_fail(st, src, "case pauses", err);
    sq_done(s);
    return rc;
}

/* ---- idempotency keys ---- */

static const char SQL_IDEM_GET[] =
    "SELECT k.body_hash, k.case_id, c.case_no FROM idempotency_keys k "
    "JOIN cases c ON c.id = k.case_id WHERE k.user_id = ?1 AND k.idem_key = ?2";

enum bm_rc
sqlite_idem_get(struct bm_store *st, int64_t user_id, const char *key, unsigned char body_hash[32],
                int64_t *case_id, const char **case_no, struct bm_arena *a, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src;

    if ((rc = sq_prepare(st, SQL_IDEM_GET, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, user_id);
    sq_bind_text(s, 2, key);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW) {
        memset(body_hash, 0, 32);
        if (sqlite3_column_bytes(s, 0) == 32)
            memcpy(body_hash, sqlite3_column_blob(s, 0), 32);
        *case_id = sqlite3_column_int64(s, 1);
        if ((*case_no = sq_text(a, s, 2)) == NULL)
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    } else if (src == SQLITE_DONE) {
        rc = bm_err_set(err, BM_ENOTFOUND, "幂等键不存在");
    } else {
        rc = sq_fail(st, src, "idempotency get", err);
    }
    sq_done(s);
    return rc;
}

static const char SQL_IDEM_PUT[] =
    "INSERT INTO idempotency_keys (user_id, idem_key, body_hash, case_id, created_at, "
    "county_code) VALUES (?1, ?2, ?3, ?4, ?5, (SELECT county_code FROM cases WHERE id = ?4))";

enum bm_rc
sqlite_idem_put(struct bm_store *st, int64_t user_id, const char *key,
                const unsigned char body_hash[32], int64_t case_id, int64_t now,
                struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_IDEM_PUT, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, user_id);
    sq_bind_text(s, 2, key);
    sqlite3_bind_blob(s, 3, body_hash, 32, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 4, case_id);
    sqlite3_bind_int64(s, 5, now);
    return sq_exec(st, s, "idempotency put", err);
}
