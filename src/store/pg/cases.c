/*
 * PostgreSQL: cases (办件) with their materials checklist, daily case-number counters, the
 * trace of events, special-procedure pauses, and the idempotency keys of case creation.
 * Mirrors sqlite/cases.c. States travel as the code strings of core/case.h's tables.
 */
#include <inttypes.h>
#include <stdint.h>
#include <pthread.h>
#include <string.h>

#include "store/pg/int.h"
#include "util/buf.h"
#include "util/log.h"

/* ---- case numbers ---- */

/* The row lock taken by ON CONFLICT DO UPDATE makes a second transaction wait for the first
 * to finish, so concurrent creators get consecutive, distinct numbers (docs/domain.md 2.7). */
static const char SQL_CASE_SEQ[] =
    "INSERT INTO case_counters (town_code, ymd, last_seq, county_code) "
    "VALUES ($1, $2::bigint, 1, substr($1, 1, 6)) "
    "ON CONFLICT (town_code, ymd) DO UPDATE SET last_seq = case_counters.last_seq + 1 "
    "RETURNING last_seq";

enum bm_rc
pg_case_next_seq(struct bm_store *st, const char *town_code, int ymd, int *seq,
                 struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;

    BM_ASSERT(st->in_tx);
    pq_str(&a, town_code);
    pq_i64(&a, ymd);
    if ((r = pq_run(st, SQL_CASE_SEQ, &a, "case next seq", err)) == NULL)
        return err->rc;
    *seq = (int)pq_int(r, 0, 0);
    PQclear(r);
    return BM_OK;
}

/* ---- reading a case ---- */

#define CASE_COLS                                                                             \
    "c.id, c.case_no, c.county_code, c.query_code, c.item_id, i.code, i.name, i.item_version, " \
    "c.channel, c.status, c.stage, c.decision, c.proposed, c.resume_status, c.resume_stage, "  \
    "c.suspend_kind, c.supplement_requests, c.extension_days, c.needs_approval, "             \
    "c.applicant_type, c.applicant_masked, c.applicant_enc, c.applicant_hash, "               \
    "coalesce(c.applicant_user_id, 0), c.accepting_unit_id, ao.name, ao.path, "               \
    "c.handling_unit_id, ho.name, ho.path, coalesce(c.handler_id, 0), "                       \
    "coalesce(u.display_name, ''), c.promised_days, c.summary, c.submitted_at, "              \
    "c.accepted_at, coalesce(c.accept_day, " PQ_DAY_NONE "), "                                \
    "coalesce(c.due_day, " PQ_DAY_NONE "), c.due_provisional, c.decided_at, c.closed_at, "    \
    "c.delivery_method, c.delivery_ref, c.visits, c.version, c.created_at, c.updated_at, "    \
    "coalesce(c.warn_day, " PQ_DAY_NONE "), c.warned_level, coalesce(c.warned_due, "          \
    PQ_DAY_NONE "), c.used_days"
#define CASE_FROM                                                                             \
    " FROM cases c JOIN items i ON i.id = c.item_id "                                          \
    "JOIN org_units ao ON ao.id = c.accepting_unit_id "                                        \
    "JOIN org_units ho ON ho.id = c.handling_unit_id "                                         \
    "LEFT JOIN users u ON u.id = c.handler_id "

/* Index of a stored code in `table`; -1 (and a log line) for a code this binary lacks. */
static int
code_of(const struct bm_code *table, const PGresult *r, int row, int col, const char *what)
{
    int k = bm_code_find(table, PQgetvalue(r, row, col));
    if (k < 0)
        bm_log(BM_LOG_ERROR, "store_error", "case %s: unknown %s \"%s\"",
               PQgetvalue(r, row, 1), what, PQgetvalue(r, row, col));
    return k;
}

static enum bm_rc
read_case(const PGresult *r, int row, struct bm_arena *a, struct bm_case *c, struct bm_err *err)
{
    int status, stage, decision, proposed, resume_status, resume_stage;
    int64_t suspend_kind;
    int k = 0;

    memset(c, 0, sizeof(*c));
    c->id = pq_int(r, row, k++);
    c->case_no = pq_text(a, r, row, k++);
    c->county_code = pq_text(a, r, row, k++);
    c->query_code = pq_text(a, r, row, k++);
    c->item_id = pq_int(r, row, k++);
    c->item_code = pq_text(a, r, row, k++);
    c->item_name = pq_text(a, r, row, k++);
    c->item_version = (int)pq_int(r, row, k++);
    c->is_online = strcmp(PQgetvalue(r, row, k++), "online") == 0;
    status = code_of(bm_case_statuses, r, row, k++, "status");
    stage = code_of(bm_case_stages, r, row, k++, "stage");
    decision = code_of(bm_case_decisions, r, row, k++, "decision");
    proposed = code_of(bm_case_decisions, r, row, k++, "proposed decision");
    /* "" is the column's default for a case that was never suspended. */
    resume_status = PQgetvalue(r, row, k)[0] == '\0'
                        ? BM_CASE_DRAFT
                        : code_of(bm_case_statuses, r, row, k, "resume status");
    k++;
    resume_stage = code_of(bm_case_stages, r, row, k++, "resume stage");
    suspend_kind = pq_int(r, row, k++);
    c->st.supplement_requests = (int)pq_int(r, row, k++);
    c->extension_days = (int)pq_int(r, row, k++);
    c->st.needs_approval = pq_int(r, row, k++) != 0;
    c->is_applicant_uscc = strcmp(PQgetvalue(r, row, k++), "uscc") == 0;
    c->applicant_masked = pq_text(a, r, row, k++);
    c->applicant_enc = pq_blob_dup(a, r, row, k++, &c->applicant_enc_len);
    pq_blob(r, row, k++, c->applicant_hash, sizeof(c->applicant_hash));
    c->applicant_user_id = pq_int(r, row, k++);
    c->accepting_unit_id = pq_int(r, row, k++);
    c->accepting_unit_name = pq_text(a, r, row, k++);
    c->accepting_path = pq_text(a, r, row, k++);
    c->handling_unit_id = pq_int(r, row, k++);
    c->handling_unit_name = pq_text(a, r, row, k++);
    c->handling_path = pq_text(a, r, row, k++);
    c->handler_id = pq_int(r, row, k++);
    c->handler_name = pq_text(a, r, row, k++);
    c->promised_days = (int)pq_int(r, row, k++);
    c->summary = pq_text(a, r, row, k++);
    c->submitted_at = pq_int(r, row, k++);
    c->accepted_at = pq_int(r, row, k++);
    c->accept_day = (bm_day)pq_int(r, row, k++);
    c->due_day = (bm_day)pq_int(r, row, k++);
    c->due_provisional = pq_int(r, row, k++) != 0;
    c->decided_at = pq_int(r, row, k++);
    c->closed_at = pq_int(r, row, k++);
    c->delivery_method = pq_text(a, r, row, k++);
    c->delivery_ref = pq_text(a, r, row, k++);
    c->visits = (int)pq_int(r, row, k++);
    c->version = pq_int(r, row, k++);
    c->created_at = pq_int(r, row, k++);
    c->updated_at = pq_int(r, row, k++);
    c->warn_day = (bm_day)pq_int(r, row, k++);
    c->warned_level = (int)pq_int(r, row, k++);
    c->warned_due = (bm_day)pq_int(r, row, k++);
    c->used_days = (int)pq_int(r, row, k++);
    if (suspend_kind < BM_SUSPEND_NONE || suspend_kind > BM_SUSPEND_SUPPLEMENT)
        bm_log(BM_LOG_ERROR, "store_error", "case %s: unknown suspend kind %" PRId64,
               PQgetvalue(r, row, 1), suspend_kind);
    if (status < 0 || stage < 0 || decision < 0 || proposed < 0 || resume_status < 0 ||
        resume_stage < 0 || suspend_kind < BM_SUSPEND_NONE || suspend_kind > BM_SUSPEND_SUPPLEMENT)
        return bm_err_set(err, BM_EINTERNAL, "数据存储出错");
    c->st.suspend_kind = (enum bm_suspend_kind)suspend_kind;
    c->st.status = (enum bm_case_status)status;
    c->st.stage = (enum bm_case_stage)stage;
    c->st.decision = (enum bm_case_decision)decision;
    c->st.proposed = (enum bm_case_decision)proposed;
    c->st.resume_status = (enum bm_case_status)resume_status;
    c->st.resume_stage = (enum bm_case_stage)resume_stage;
    c->st.is_extended = c->extension_days > 0;
    c->st.has_handler = c->handler_id != 0;
    /* materials_complete is the API's to compute from the materials. */
    if (!c->case_no || !c->county_code || !c->query_code || !c->item_code || !c->item_name ||
        !c->applicant_masked || !c->applicant_enc || !c->accepting_unit_name ||
        !c->accepting_path || !c->handling_unit_name || !c->handling_path || !c->handler_name ||
        !c->summary || !c->delivery_method || !c->delivery_ref)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    return BM_OK;
}

/* ---- insert ---- */

/* Where a suspended case goes back to; "" (the column default) while it is not suspended. */
static const char *
resume_code(const struct bm_case_state *s)
{
    return s->suspend_kind != BM_SUSPEND_NONE ? bm_case_statuses[s->resume_status].code : "";
}

static const char SQL_CASE_INSERT[] =
    "INSERT INTO cases (case_no, county_code, query_code, item_id, channel, status, stage, "
    "decision, proposed, resume_status, resume_stage, suspend_kind, supplement_requests, "
    "extension_days, needs_approval, applicant_type, applicant_masked, applicant_enc, "
    "applicant_hash, applicant_user_id, accepting_unit_id, handling_unit_id, handler_id, "
    "promised_days, summary, submitted_at, accepted_at, accept_day, due_day, due_provisional, "
    "decided_at, closed_at, delivery_method, delivery_ref, visits, created_at, updated_at, "
    "warn_day, used_days, version) "
    "VALUES ($1, (SELECT county_code FROM org_units WHERE id = $20::bigint), $2, $3::bigint, "
    "$4, $5, $6, $7, $8, $9, $10, $11::bigint, $12::bigint, $13::bigint, $14::bigint, $15, $16, "
    "$17, $18, nullif($19::bigint, 0), $20::bigint, $21::bigint, nullif($22::bigint, 0), "
    "$23::bigint, $24, $25::bigint, $26::bigint, nullif($27::bigint, " PQ_DAY_NONE "), "
    "nullif($28::bigint, " PQ_DAY_NONE "), $29::bigint, $30::bigint, $31::bigint, $32, $33, "
    "$34::bigint, $35::bigint, $35::bigint, nullif($36::bigint, " PQ_DAY_NONE "), $37::bigint, "
    "$38::bigint) RETURNING id";
static const char SQL_MAT_INSERT[] =
    "INSERT INTO case_materials (case_id, ord, name, required, source, provided, exempt, "
    "certificate_id, county_code) VALUES ($1::bigint, $2::bigint, $3, $4::bigint, $5, "
    "$6::bigint, $7::bigint, nullif($8::bigint, 0), "
    "(SELECT county_code FROM cases WHERE id = $1::bigint))";

enum bm_rc
pg_case_insert(struct bm_store *st, const struct bm_case *c, int64_t now, int64_t *id,
               struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc = BM_OK;
    int64_t new_id;

    BM_ASSERT(st->in_tx);
    BM_ASSERT(c->applicant_enc_len <= INT32_MAX);
    pq_str(&a, c->case_no);
    pq_str(&a, c->query_code);
    pq_i64(&a, c->item_id);
    pq_str(&a, c->is_online ? "online" : "window");
    pq_str(&a, bm_case_statuses[c->st.status].code);
    pq_str(&a, bm_case_stages[c->st.stage].code);
    pq_str(&a, bm_case_decisions[c->st.decision].code);
    pq_str(&a, bm_case_decisions[c->st.proposed].code);
    pq_str(&a, resume_code(&c->st));
    pq_str(&a, bm_case_stages[c->st.resume_stage].code);
    pq_i64(&a, c->st.suspend_kind);
    pq_i64(&a, c->st.supplement_requests);
    pq_i64(&a, c->extension_days);
    pq_i64(&a, c->st.needs_approval);
    pq_str(&a, c->is_applicant_uscc ? "uscc" : "resident_id");
    pq_str(&a, c->applicant_masked);
    pq_bytes(&a, c->applicant_enc, (int)c->applicant_enc_len);
    pq_bytes(&a, c->applicant_hash, (int)sizeof(c->applicant_hash));
    pq_i64(&a, c->applicant_user_id);
    pq_i64(&a, c->accepting_unit_id);
    pq_i64(&a, c->handling_unit_id);
    pq_i64(&a, c->handler_id);
    pq_i64(&a, c->promised_days);
    pq_str(&a, c->summary);
    pq_i64(&a, c->submitted_at);
    pq_i64(&a, c->accepted_at);
    pq_i64(&a, c->accept_day);
    pq_i64(&a, c->due_day);
    pq_i64(&a, c->due_provisional);
    pq_i64(&a, c->decided_at);
    pq_i64(&a, c->closed_at);
    pq_str(&a, c->delivery_method);
    pq_str(&a, c->delivery_ref);
    pq_i64(&a, c->visits);
    pq_i64(&a, now);
    pq_i64(&a, c->warn_day);
    pq_i64(&a, c->used_days);
    pq_i64(&a, c->version > 0 ? c->version : 1);
    r = pq_run(st, SQL_CASE_INSERT, &a, "case insert", err);
    if (r == NULL) {
        if (err->rc == BM_ECONFLICT)
            return bm_err_set(err, BM_ECONFLICT, "办件编号已存在");
        return err->rc;
    }
    new_id = pq_int(r, 0, 0);
    PQclear(r);
    for (size_t i = 0; rc == BM_OK && i < c->n_materials; i++) {
        const struct bm_case_material *m = &c->materials[i];
        struct pq_args b = {0};
        pq_i64(&b, new_id);
        pq_i64(&b, m->ord);
        pq_str(&b, m->name);
        pq_i64(&b, m->required);
        pq_str(&b, bm_material_sources[m->source].code);
        pq_i64(&b, m->provided);
        pq_i64(&b, m->exempt);
        pq_i64(&b, m->certificate_id);
        rc = pq_exec(st, SQL_MAT_INSERT, &b, "case material insert", NULL, err);
    }
    if (rc == BM_OK)
        *id = new_id;
    return rc;
}

/* ---- get ---- */

static const char SQL_CASE_GET[] = "SELECT " CASE_COLS CASE_FROM "WHERE c.case_no = $1";
static const char SQL_MAT_GET[] =
    "SELECT m.ord, m.name, m.required, m.source, m.provided, m.exempt, "
    "coalesce(m.certificate_id, 0), (SELECT count(*) FROM attachments t "
    "WHERE t.case_id = m.case_id AND t.material_ord = m.ord) "
    "FROM case_materials m WHERE m.case_id = $1::bigint ORDER BY m.ord";

static enum bm_rc
read_materials(struct bm_store *st, struct bm_arena *ar, struct bm_case *c, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc = BM_OK;
    int rows;

    pq_i64(&a, c->id);
    if ((r = pq_run(st, SQL_MAT_GET, &a, "case materials", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    c->materials = bm_arena_alloc(ar, sizeof(*c->materials) * (size_t)(rows + 1));
    if (c->materials == NULL)
        rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    for (int i = 0; rc == BM_OK && i < rows; i++) {
        struct bm_case_material *m = &c->materials[c->n_materials++];
        memset(m, 0, sizeof(*m));
        m->ord = (int)pq_int(r, i, 0);
        m->name = pq_text(ar, r, i, 1);
        m->required = pq_int(r, i, 2) != 0;
        m->source = bm_code_find(bm_material_sources, PQgetvalue(r, i, 3));
        m->provided = pq_int(r, i, 4) != 0;
        m->exempt = pq_int(r, i, 5) != 0;
        m->certificate_id = pq_int(r, i, 6);
        m->n_attachments = (int)pq_int(r, i, 7);
        if (m->source < 0) {
            bm_log(BM_LOG_ERROR, "store_error", "case %s: unknown material source \"%s\"",
                   c->case_no, PQgetvalue(r, i, 3));
            rc = bm_err_set(err, BM_EINTERNAL, "数据存储出错");
        } else if (m->name == NULL) {
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
        }
    }
    PQclear(r);
    return rc;
}

enum bm_rc
pg_case_get(struct bm_store *st, const char *case_no, struct bm_arena *ar, struct bm_case *out,
            struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc;

    pq_str(&a, case_no);
    if ((r = pq_run(st, SQL_CASE_GET, &a, "case get", err)) == NULL)
        return err->rc;
    rc = PQntuples(r) == 1 ? read_case(r, 0, ar, out, err)
                           : bm_err_set(err, BM_ENOTFOUND, "办件不存在");
    PQclear(r);
    return rc == BM_OK ? read_materials(st, ar, out, err) : rc;
}

/* ---- update ---- */

static const char SQL_CASE_UPDATE[] =
    "UPDATE cases SET status = $3, stage = $4, decision = $5, proposed = $6, "
    "resume_status = $7, resume_stage = $8, suspend_kind = $9::bigint, "
    "supplement_requests = $10::bigint, extension_days = $11::bigint, "
    "handling_unit_id = $12::bigint, handler_id = nullif($13::bigint, 0), "
    "accepted_at = $14::bigint, accept_day = nullif($15::bigint, " PQ_DAY_NONE "), "
    "due_day = nullif($16::bigint, " PQ_DAY_NONE "), due_provisional = $17::bigint, "
    "decided_at = $18::bigint, closed_at = $19::bigint, delivery_method = $20, "
    "delivery_ref = $21, visits = $22::bigint, summary = $23, updated_at = $24::bigint, "
    "warn_day = nullif($25::bigint, " PQ_DAY_NONE "), used_days = $26::bigint, "
    "version = version + 1 "
    "WHERE id = $1::bigint AND version = $2::bigint";
static const char SQL_MAT_UPDATE[] =
    "UPDATE case_materials SET provided = $3::bigint, exempt = $4::bigint, "
    "certificate_id = nullif($5::bigint, 0) WHERE case_id = $1::bigint AND ord = $2::bigint";

enum bm_rc
pg_case_update(struct bm_store *st, const struct bm_case *c, int64_t now, struct bm_err *err)
{
    struct pq_args a = {0};
    int64_t changed = 0;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    pq_i64(&a, c->id);
    pq_i64(&a, c->version);
    pq_str(&a, bm_case_statuses[c->st.status].code);
    pq_str(&a, bm_case_stages[c->st.stage].code);
    pq_str(&a, bm_case_decisions[c->st.decision].code);
    pq_str(&a, bm_case_decisions[c->st.proposed].code);
    pq_str(&a, resume_code(&c->st));
    pq_str(&a, bm_case_stages[c->st.resume_stage].code);
    pq_i64(&a, c->st.suspend_kind);
    pq_i64(&a, c->st.supplement_requests);
    pq_i64(&a, c->extension_days);
    pq_i64(&a, c->handling_unit_id);
    pq_i64(&a, c->handler_id);
    pq_i64(&a, c->accepted_at);
    pq_i64(&a, c->accept_day);
    pq_i64(&a, c->due_day);
    pq_i64(&a, c->due_provisional);
    pq_i64(&a, c->decided_at);
    pq_i64(&a, c->closed_at);
    pq_str(&a, c->delivery_method);
    pq_str(&a, c->delivery_ref);
    pq_i64(&a, c->visits);
    pq_str(&a, c->summary);
    pq_i64(&a, now);
    pq_i64(&a, c->warn_day);
    pq_i64(&a, c->used_days);
    rc = pq_exec(st, SQL_CASE_UPDATE, &a, "case update", &changed, err);
    if (rc == BM_OK && changed == 0)
        rc = bm_err_set(err, BM_ESTALE, "办件已被他人修改，请刷新后重试");
    for (size_t i = 0; rc == BM_OK && c->materials_changed && i < c->n_materials; i++) {
        const struct bm_case_material *m = &c->materials[i];
        struct pq_args b = {0};
        pq_i64(&b, c->id);
        pq_i64(&b, m->ord);
        pq_i64(&b, m->provided);
        pq_i64(&b, m->exempt);
        pq_i64(&b, m->certificate_id);
        rc = pq_exec(st, SQL_MAT_UPDATE, &b, "case material update", NULL, err);
    }
    return rc;
}

/* ---- lists ---- */

/*
 * A list's SQL holds only the filters in use, so each shape gets a plan that uses its
 * indexes (a generic plan of "$n = 0 OR ..." terms cannot: it sorted every open case).
 * Parameters keep fixed numbers; one always-true term names them all with their types,
 * which the planner folds away. Each shape's text is built once and kept: the statement
 * cache knows it by its address.
 */
enum {
    F_STATUS = 1 << 0,
    F_HUNIT = 1 << 1,
    F_HPREFIX = 1 << 2,
    F_AUNIT = 1 << 3,
    F_APREFIX = 1 << 4,
    F_SCOPE = 1 << 5,
    F_HANDLER = 1 << 6,
    F_APPLICANT = 1 << 7,
    F_OPEN = 1 << 8,
    F_PROVISIONAL = 1 << 9,
    F_DUE_BEFORE = 1 << 10,
    F_BY_DUE = 1 << 11,
    F_WARN = 1 << 12,
    F_SHAPES = 1 << 13,
};

static pthread_mutex_t shapes_mu = PTHREAD_MUTEX_INITIALIZER;
static char *shapes[F_SHAPES];

static const char *
list_sql(unsigned f)
{
    static const struct {
        unsigned bit;
        const char *sql;
    } terms[] = {
        {F_STATUS, "c.status = $1"},
        {F_HUNIT, "c.handling_unit_id = $2::bigint"},
        {F_HPREFIX, "ho.path LIKE $3"},
        {F_AUNIT, "c.accepting_unit_id = $4::bigint"},
        {F_APREFIX, "ao.path LIKE $5"},
        {F_SCOPE, "(ho.path LIKE $6 OR ao.path LIKE $6)"},
        {F_HANDLER, "c.handler_id = $7::bigint"},
        {F_APPLICANT, "c.applicant_user_id = $8::bigint"},
        {F_OPEN, "c.status IN ('accepted', 'processing', 'forwarded')"},
        {F_PROVISIONAL, "c.due_provisional = 1"},
        {F_DUE_BEFORE, "c.due_day <= $10::bigint"},
        {F_WARN, "c.warn_day <= $9::bigint"},
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
    ok = bm_buf_puts(&b, "SELECT " CASE_COLS CASE_FROM
                         "WHERE (($1::text IS NULL AND $2::bigint IS NULL AND $3::text IS NULL "
                         "AND $4::bigint IS NULL AND $5::text IS NULL AND $6::text IS NULL AND "
                         "$7::bigint IS NULL AND $8::bigint IS NULL AND $9::bigint IS NULL AND "
                         "$10::bigint IS NULL AND $13::bigint IS NULL) OR TRUE)") == BM_OK;
    for (size_t i = 0; ok && i < sizeof(terms) / sizeof(terms[0]); i++)
        if (f & terms[i].bit)
            ok = bm_buf_printf(&b, " AND %s", terms[i].sql) == BM_OK;
    if (ok && (f & F_BY_DUE))
        ok = bm_buf_puts(&b, " AND c.due_day IS NOT NULL AND (c.due_day, c.id) > "
                             "($13::bigint, $11::bigint) ORDER BY c.due_day, c.id "
                             "LIMIT $12::bigint") == BM_OK;
    else if (ok)
        ok = bm_buf_puts(&b, " AND c.id < $11::bigint ORDER BY c.id DESC LIMIT $12::bigint") ==
             BM_OK;
    BM_ASSERT(ok);
    sql = bm_buf_detach(&b, NULL);
    shapes[f] = sql; /* kept for the life of the process: at most F_SHAPES small strings */
    pthread_mutex_unlock(&shapes_mu);
    return sql;
}

/* "" for no filter, else the LIKE pattern of the prefix; NULL past the arena cap. */
static const char *
prefix_arg(struct bm_arena *ar, const char *prefix)
{
    return prefix != NULL && prefix[0] != '\0' ? pq_prefix(ar, prefix) : "";
}

enum bm_rc
pg_cases_list(struct bm_store *st, const struct bm_case_query *q, struct bm_arena *ar,
              struct bm_case **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    const char *handling = prefix_arg(ar, q->handling_prefix);
    const char *accepting = prefix_arg(ar, q->accepting_prefix);
    const char *scope = prefix_arg(ar, q->scope_prefix);
    int max = (q->limit > 0 ? q->limit : 20) + 1; /* no limit given: pages of 20 */
    struct bm_case *cs;
    PGresult *r;
    enum bm_rc rc = BM_OK;
    size_t k = 0;
    int rows;

    cs = bm_arena_alloc(ar, sizeof(*cs) * (size_t)max);
    if (cs == NULL || handling == NULL || accepting == NULL || scope == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    pq_str(&a, q->status);
    pq_i64(&a, q->handling_unit_id);
    pq_str(&a, handling);
    pq_i64(&a, q->accepting_unit_id);
    pq_str(&a, accepting);
    pq_str(&a, scope);
    pq_i64(&a, q->handler_id);
    pq_i64(&a, q->applicant_user_id);
    pq_i64(&a, q->warn_before); /* $9 */
    pq_i64(&a, q->due_before);
    if (q->by_due) {
        /* No cursor: (BM_DAY_NONE, 0) lies before every stored day. */
        pq_i64(&a, q->after_id > 0 ? q->after_id : 0);
        pq_i64(&a, max);
        pq_i64(&a, q->after_id > 0 ? q->after_due : BM_DAY_NONE);
    } else {
        pq_i64(&a, q->after_id > 0 ? q->after_id : INT64_MAX);
        pq_i64(&a, max);
        pq_i64(&a, 0);
    }
    {
        unsigned f = (q->status && q->status[0] ? F_STATUS : 0) |
                     (q->handling_unit_id ? F_HUNIT : 0) | (handling[0] ? F_HPREFIX : 0) |
                     (q->accepting_unit_id ? F_AUNIT : 0) | (accepting[0] ? F_APREFIX : 0) |
                     (scope[0] ? F_SCOPE : 0) | (q->handler_id ? F_HANDLER : 0) |
                     (q->applicant_user_id ? F_APPLICANT : 0) | (q->open_only ? F_OPEN : 0) |
                     (q->open_only && q->provisional_only ? F_PROVISIONAL : 0) |
                     (q->due_before != BM_DAY_NONE ? F_DUE_BEFORE : 0) |
                     (q->by_due ? F_BY_DUE : 0) |
                     (q->open_only && q->warn_before != BM_DAY_NONE ? F_WARN : 0);
        r = pq_run(st, list_sql(f), &a, "cases list", err);
    }
    if (r == NULL)
        return err->rc;
    rows = PQntuples(r);
    for (int i = 0; rc == BM_OK && i < rows && i < max; i++)
        rc = read_case(r, i, ar, &cs[k++], err);
    PQclear(r);
    if (rc == BM_OK) {
        *out = cs;
        *n = k;
    }
    return rc;
}

/* ---- default ratings ---- */

static const char SQL_UNRATED[] =
    "SELECT " CASE_COLS CASE_FROM
    "WHERE c.status = 'delivered' AND c.closed_at > $1::bigint AND c.closed_at <= $2::bigint "
    "AND (c.closed_at, c.id) > ($3::bigint, $4::bigint) AND NOT EXISTS (SELECT 1 FROM ratings "
    "r WHERE r.case_id = c.id) ORDER BY c.closed_at, c.id LIMIT $5::bigint";

/* Runs a query of whole case rows (CASE_COLS) and reads at most `limit` of them. */
static enum bm_rc
run_cases(struct bm_store *st, const char *sql, struct pq_args *a, const char *what, int limit,
          struct bm_arena *ar, struct bm_case **out, size_t *n, struct bm_err *err)
{
    struct bm_case *cs;
    PGresult *r;
    enum bm_rc rc = BM_OK;
    size_t k = 0;

    *n = 0;
    if ((cs = bm_arena_alloc(ar, sizeof(*cs) * (size_t)(limit > 0 ? limit : 1))) == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    if ((r = pq_run(st, sql, a, what, err)) == NULL)
        return err->rc;
    for (int i = 0; rc == BM_OK && i < PQntuples(r) && i < limit; i++)
        rc = read_case(r, i, ar, &cs[k++], err);
    PQclear(r);
    if (rc == BM_OK) {
        *out = cs;
        *n = k;
    }
    return rc;
}

enum bm_rc
pg_cases_unrated(struct bm_store *st, int64_t closed_after, int64_t closed_until,
                 int64_t after_closed, int64_t after_id, int limit, struct bm_arena *ar,
                 struct bm_case **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};

    pq_i64(&a, closed_after);
    pq_i64(&a, closed_until);
    pq_i64(&a, after_closed);
    pq_i64(&a, after_id);
    pq_i64(&a, limit);
    return run_cases(st, SQL_UNRATED, &a, "unrated cases", limit, ar, out, n, err);
}

/* ---- deadline warnings ---- */

static const char SQL_TO_WARN[] =
    "SELECT " CASE_COLS CASE_FROM
    "WHERE c.status IN ('accepted', 'processing', 'forwarded') AND c.id > $2::bigint AND "
    "(c.warn_day IS NULL OR (c.warn_day <= $1::bigint AND (c.warned_due IS NULL OR "
    "c.warned_due <> c.due_day OR c.warned_level < CASE WHEN c.due_day < $1::bigint THEN 2 "
    "ELSE 1 END))) ORDER BY c.id LIMIT $3::bigint";

enum bm_rc
pg_cases_to_warn(struct bm_store *st, bm_day today, int64_t after_id, int limit,
                 struct bm_arena *ar, struct bm_case **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};

    pq_i64(&a, today);
    pq_i64(&a, after_id);
    pq_i64(&a, limit);
    return run_cases(st, SQL_TO_WARN, &a, "cases to warn", limit, ar, out, n, err);
}

static const char SQL_SET_WARN_DAY[] =
    "UPDATE cases SET warn_day = nullif($2::bigint, " PQ_DAY_NONE ") WHERE id = $1::bigint";

enum bm_rc
pg_case_set_warn_day(struct bm_store *st, int64_t case_id, bm_day warn_day, struct bm_err *err)
{
    struct pq_args a = {0};

    BM_ASSERT(st->in_tx);
    pq_i64(&a, case_id);
    pq_i64(&a, warn_day);
    return pq_exec(st, SQL_SET_WARN_DAY, &a, "case warn day", NULL, err);
}

/* The row lock of the UPDATE makes a second process wait, then find the row claimed. */
static const char SQL_MARK_WARNED[] =
    "UPDATE cases SET warned_level = $2::bigint, warned_due = $3::bigint WHERE id = $1::bigint "
    "AND due_day = $3::bigint AND status IN ('accepted', 'processing', 'forwarded') AND "
    "(warned_due IS NULL OR warned_due <> $3::bigint OR warned_level < $2::bigint)";

enum bm_rc
pg_case_mark_warned(struct bm_store *st, int64_t case_id, int level, bm_day due, bool *claimed,
                    struct bm_err *err)
{
    struct pq_args a = {0};
    int64_t changed = 0;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    pq_i64(&a, case_id);
    pq_i64(&a, level);
    pq_i64(&a, due);
    rc = pq_exec(st, SQL_MARK_WARNED, &a, "case mark warned", &changed, err);
    *claimed = rc == BM_OK && changed == 1;
    return rc;
}

/* ---- events ---- */

static const char SQL_EVENT_INSERT[] =
    "INSERT INTO case_events (case_id, at, actor_id, actor_name, action, from_status, "
    "to_status, note, detail, county_code) VALUES ($1::bigint, $2::bigint, $3::bigint, $4, "
    "$5, $6, $7, $8, $9, (SELECT county_code FROM cases WHERE id = $1::bigint))";

enum bm_rc
pg_case_event_insert(struct bm_store *st, const struct bm_case_event *e, struct bm_err *err)
{
    struct pq_args a = {0};

    BM_ASSERT(st->in_tx);
    pq_i64(&a, e->case_id);
    pq_i64(&a, e->at);
    pq_i64(&a, e->actor_id);
    pq_str(&a, e->actor_name);
    pq_str(&a, e->action);
    pq_str(&a, e->from_status);
    pq_str(&a, e->to_status);
    pq_str(&a, e->note);
    pq_str(&a, e->detail);
    return pq_exec(st, SQL_EVENT_INSERT, &a, "case event insert", NULL, err);
}

static const char SQL_EVENTS[] =
    "SELECT id, case_id, at, actor_id, actor_name, action, from_status, to_status, note, "
    "detail FROM case_events WHERE case_id = $1::bigint ORDER BY id LIMIT 500";

enum bm_rc
pg_case_events(struct bm_store *st, int64_t case_id, struct bm_arena *ar,
               struct bm_case_event **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    struct bm_case_event *es;
    PGresult *r;
    enum bm_rc rc = BM_OK;
    size_t k = 0;
    int rows;

    pq_i64(&a, case_id);
    if ((r = pq_run(st, SQL_EVENTS, &a, "case events", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    es = bm_arena_alloc(ar, sizeof(*es) * (size_t)(rows + 1));
    if (es == NULL)
        rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    for (int i = 0; rc == BM_OK && i < rows; i++) {
        struct bm_case_event *e = &es[k++];
        e->id = pq_int(r, i, 0);
        e->case_id = pq_int(r, i, 1);
        e->at = pq_int(r, i, 2);
        e->actor_id = pq_int(r, i, 3);
        e->actor_name = pq_text(ar, r, i, 4);
        e->action = pq_text(ar, r, i, 5);
        e->from_status = pq_text(ar, r, i, 6);
        e->to_status = pq_text(ar, r, i, 7);
        e->note = pq_text(ar, r, i, 8);
        e->detail = pq_text(ar, r, i, 9);
        if (!e->actor_name || !e->action || !e->from_status || !e->to_status || !e->note ||
            !e->detail)
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    }
    PQclear(r);
    if (rc == BM_OK) {
        *out = es;
        *n = k;
    }
    return rc;
}

/* ---- pauses ---- */

static const char SQL_PAUSE_INSERT[] =
    "INSERT INTO case_pauses (case_id, kind, procedure, reason, expected_days, from_day, "
    "to_day, started_at, ended_at, started_by, county_code) VALUES ($1::bigint, $2, $3, $4, $5::bigint, "
    "$6::bigint, nullif($7::bigint, " PQ_DAY_NONE "), $8::bigint, $9::bigint, $10::bigint, "
    "(SELECT county_code FROM cases WHERE id = $1::bigint))";

enum bm_rc
pg_case_pause_insert(struct bm_store *st, const struct bm_case_pause *p, struct bm_err *err)
{
    struct pq_args a = {0};

    BM_ASSERT(st->in_tx);
    pq_i64(&a, p->case_id);
    pq_str(&a, p->is_supplement ? "supplement" : "procedure");
    pq_str(&a, p->procedure);
    pq_str(&a, p->reason);
    pq_i64(&a, p->expected_days);
    pq_i64(&a, p->from_day);
    pq_i64(&a, p->to_day);
    pq_i64(&a, p->started_at);
    pq_i64(&a, p->ended_at);
    pq_i64(&a, p->started_by);
    return pq_exec(st, SQL_PAUSE_INSERT, &a, "case pause insert", NULL, err);
}

static const char SQL_PAUSE_END[] =
    "UPDATE case_pauses SET to_day = $2::bigint, ended_at = $3::bigint "
    "WHERE case_id = $1::bigint AND to_day IS NULL";

enum bm_rc
pg_case_pause_end(struct bm_store *st, int64_t case_id, bm_day to_day, int64_t now,
                  struct bm_err *err)
{
    struct pq_args a = {0};
    int64_t changed = 0;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    pq_i64(&a, case_id);
    pq_i64(&a, to_day);
    pq_i64(&a, now);
    rc = pq_exec(st, SQL_PAUSE_END, &a, "case pause end", &changed, err);
    if (rc == BM_OK && changed == 0)
        rc = bm_err_set(err, BM_ENOTFOUND, "该办件没有进行中的暂停计时");
    return rc;
}

static const char SQL_PAUSES[] =
    "SELECT id, case_id, kind, procedure, reason, expected_days, from_day, "
    "coalesce(to_day, " PQ_DAY_NONE "), started_at, ended_at, started_by FROM case_pauses "
    "WHERE case_id = $1::bigint ORDER BY id LIMIT 100";

enum bm_rc
pg_case_pauses(struct bm_store *st, int64_t case_id, struct bm_arena *ar,
               struct bm_case_pause **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    struct bm_case_pause *ps;
    PGresult *r;
    enum bm_rc rc = BM_OK;
    size_t k = 0;
    int rows;

    pq_i64(&a, case_id);
    if ((r = pq_run(st, SQL_PAUSES, &a, "case pauses", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    ps = bm_arena_alloc(ar, sizeof(*ps) * (size_t)(rows + 1));
    if (ps == NULL)
        rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    for (int i = 0; rc == BM_OK && i < rows; i++) {
        struct bm_case_pause *p = &ps[k++];
        p->id = pq_int(r, i, 0);
        p->case_id = pq_int(r, i, 1);
        p->is_supplement = strcmp(PQgetvalue(r, i, 2), "supplement") == 0;
        p->procedure = pq_text(ar, r, i, 3);
        p->reason = pq_text(ar, r, i, 4);
        p->expected_days = (int)pq_int(r, i, 5);
        p->from_day = (bm_day)pq_int(r, i, 6);
        p->to_day = (bm_day)pq_int(r, i, 7);
        p->started_at = pq_int(r, i, 8);
        p->ended_at = pq_int(r, i, 9);
        p->started_by = pq_int(r, i, 10);
        if (!p->procedure || !p->reason)
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    }
    PQclear(r);
    if (rc == BM_OK) {
        *out = ps;
        *n = k;
    }
    return rc;
}

/* ---- idempotency keys ---- */

static const char SQL_IDEM_GET[] =
    "SELECT k.body_hash, k.case_id, c.case_no FROM idempotency_keys k "
    "JOIN cases c ON c.id = k.case_id WHERE k.user_id = $1::bigint AND k.idem_key = $2";

enum bm_rc
pg_idem_get(struct bm_store *st, int64_t user_id, const char *key, unsigned char body_hash[32],
            int64_t *case_id, const char **case_no, struct bm_arena *ar, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc = BM_OK;
    const char *no;

    pq_i64(&a, user_id);
    pq_str(&a, key);
    if ((r = pq_run(st, SQL_IDEM_GET, &a, "idempotency get", err)) == NULL)
        return err->rc;
    if (PQntuples(r) != 1) {
        rc = bm_err_set(err, BM_ENOTFOUND, "幂等键不存在");
    } else if ((no = pq_text(ar, r, 0, 2)) == NULL) {
        rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    } else {
        pq_blob(r, 0, 0, body_hash, 32);
        *case_id = pq_int(r, 0, 1);
        *case_no = no;
    }
    PQclear(r);
    return rc;
}

static const char SQL_IDEM_PUT[] =
    "INSERT INTO idempotency_keys (user_id, idem_key, body_hash, case_id, created_at, "
    "county_code) VALUES ($1::bigint, $2, $3, $4::bigint, $5::bigint, "
    "(SELECT county_code FROM cases WHERE id = $4::bigint))";

enum bm_rc
pg_idem_put(struct bm_store *st, int64_t user_id, const char *key,
            const unsigned char body_hash[32], int64_t case_id, int64_t now, struct bm_err *err)
{
    struct pq_args a = {0};
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    pq_i64(&a, user_id);
    pq_str(&a, key);
    pq_bytes(&a, body_hash, 32);
    pq_i64(&a, case_id);
    pq_i64(&a, now);
    rc = pq_exec(st, SQL_IDEM_PUT, &a, "idempotency put", NULL, err);
    if (rc == BM_ECONFLICT)
        rc = bm_err_set(err, BM_ECONFLICT, "该幂等键已被使用");
    return rc;
}
