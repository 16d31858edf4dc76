/*
 * SQLite: demands (诉求 work orders), their events and the per-county daily ticket
 * counters. Mirrors pg/demands.c.
 */
#include <string.h>

#include "store/like.h"
#include "store/sqlite/int.h"

#define DEMAND_COLS                                                                            \
    "d.id, d.ticket_no, d.county_code, d.query_code, d.category, d.urgency, d.channel, "       \
    "d.hotline_no, d.content, d.location, d.is_anonymous, d.contact_masked, d.phone_masked, "  \
    "d.contact_enc, d.status, coalesce(d.intake_unit_id, 0), coalesce(d.unit_id, 0), "         \
    "coalesce(d.handler_id, 0), coalesce(u.name, ''), coalesce(u.path, ''), "                  \
    "coalesce(i.path, ''), d.reply, d.resolved, d.satisfaction, d.reopen_count, "              \
    "d.extension_days, d.merged_into, d.submitted_at, d.dispatched_at, d.due_at, "             \
    "d.replied_at, d.closed_at, d.version, d.created_at, d.updated_at"
#define DEMAND_FROM                                                                            \
    " FROM demands d LEFT JOIN org_units u ON u.id = d.unit_id "                               \
    "LEFT JOIN org_units i ON i.id = d.intake_unit_id "

static void
bind_id_or_null(sqlite3_stmt *s, int idx, int64_t id)
{
    if (id == 0)
        sqlite3_bind_null(s, idx);
    else
        sqlite3_bind_int64(s, idx, id);
}

static enum bm_rc
read_demand(sqlite3_stmt *s, struct bm_arena *a, struct bm_demand *d, struct bm_err *err)
{
    const char **texts[] = {&d->ticket_no,   &d->county_code,   &d->query_code, &d->category,
                            &d->urgency,     &d->channel,       &d->hotline_no, &d->content,
                            &d->location,    &d->contact_masked, &d->phone_masked, &d->status,
                            &d->unit_name,   &d->unit_path,     &d->intake_path, &d->reply,
                            &d->satisfaction, &d->merged_into};
    static const int cols[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 14, 18, 19, 20, 21, 23, 26};
    int len = sqlite3_column_bytes(s, 13);
    unsigned char *enc;

    memset(d, 0, sizeof(*d));
    for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
        if ((*texts[k] = sq_text(a, s, cols[k])) == NULL)
            return bm_err_set(err, BM_ETOOBIG, "结果过大");
    if ((enc = bm_arena_alloc(a, (size_t)len + 1)) == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    if (len > 0)
        memcpy(enc, sqlite3_column_blob(s, 13), (size_t)len);
    d->contact_enc = enc;
    d->contact_enc_len = (size_t)len;
    d->id = sqlite3_column_int64(s, 0);
    d->is_anonymous = sqlite3_column_int(s, 10) != 0;
    d->intake_unit_id = sqlite3_column_int64(s, 15);
    d->unit_id = sqlite3_column_int64(s, 16);
    d->handler_id = sqlite3_column_int64(s, 17);
    d->resolved = sqlite3_column_int(s, 22);
    d->reopen_count = sqlite3_column_int(s, 24);
    d->extension_days = sqlite3_column_int(s, 25);
    d->submitted_at = sqlite3_column_int64(s, 27);
    d->dispatched_at = sqlite3_column_int64(s, 28);
    d->due_at = sqlite3_column_int64(s, 29);
    d->replied_at = sqlite3_column_int64(s, 30);
    d->closed_at = sqlite3_column_int64(s, 31);
    d->version = sqlite3_column_int64(s, 32);
    d->created_at = sqlite3_column_int64(s, 33);
    d->updated_at = sqlite3_column_int64(s, 34);
    return BM_OK;
}

static const char SQL_DEMAND_SEQ[] =
    "INSERT INTO demand_counters (county_code, ymd, last_seq) VALUES (?1, ?2, 1) "
    "ON CONFLICT (county_code, ymd) DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq";

enum bm_rc
sqlite_demand_next_seq(struct bm_store *st, const char *county, int ymd, int *seq,
                       struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_DEMAND_SEQ, &s, err)) != BM_OK)
        return rc;
    sq_bind_text(s, 1, county);
    sqlite3_bind_int(s, 2, ymd);
    if ((src = sqlite3_step(s)) == SQLITE_ROW) {
        *seq = sqlite3_column_int(s, 0);
        src = sqlite3_step(s);
    }
    if (src != SQLITE_DONE)
        rc = sq_fail(st, src, "demand sequence", err);
    sq_done(s);
    return rc;
}

static const char SQL_DEMAND_INSERT[] =
    "INSERT INTO demands (ticket_no, county_code, query_code, category, urgency, channel, "
    "hotline_no, content, location, is_anonymous, contact_masked, phone_masked, contact_enc, "
    "status, intake_unit_id, unit_id, handler_id, submitted_at, dispatched_at, due_at, "
    "created_at, updated_at) VALUES (?1, coalesce((SELECT county_code FROM org_units "
    "WHERE id = ?14), " BM_SQL_STORE_COUNTY ", ''), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
    "?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?20)";

enum bm_rc
sqlite_demand_insert(struct bm_store *st, const struct bm_demand *d, int64_t now, int64_t *id,
                     struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_DEMAND_INSERT, &s, err)) != BM_OK)
        return rc;
    sq_bind_text(s, 1, d->ticket_no);
    sq_bind_text(s, 2, d->query_code);
    sq_bind_text(s, 3, d->category);
    sq_bind_text(s, 4, d->urgency);
    sq_bind_text(s, 5, d->channel);
    sq_bind_text(s, 6, d->hotline_no);
    sq_bind_text(s, 7, d->content);
    sq_bind_text(s, 8, d->location);
    sqlite3_bind_int(s, 9, d->is_anonymous);
    sq_bind_text(s, 10, d->contact_masked);
    sq_bind_text(s, 11, d->phone_masked);
    sqlite3_bind_blob(s, 12, d->contact_enc != NULL ? (const void *)d->contact_enc : "",
                      (int)d->contact_enc_len, SQLITE_TRANSIENT);
    sq_bind_text(s, 13, d->status);
    bind_id_or_null(s, 14, d->intake_unit_id);
    bind_id_or_null(s, 15, d->unit_id);
    bind_id_or_null(s, 16, d->handler_id);
    sqlite3_bind_int64(s, 17, d->submitted_at);
    sqlite3_bind_int64(s, 18, d->dispatched_at);
    sqlite3_bind_int64(s, 19, d->due_at);
    sqlite3_bind_int64(s, 20, now);
    if ((rc = sq_exec(st, s, "demand insert", err)) != BM_OK)
        return rc;
    *id = sqlite3_last_insert_rowid(sq_db(st));
    return BM_OK;
}

static const char SQL_DEMAND_GET[] = "SELECT " DEMAND_COLS DEMAND_FROM "WHERE d.ticket_no = ?1";

enum bm_rc
sqlite_demand_get(struct bm_store *st, const char *ticket_no, struct bm_arena *a,
                  struct bm_demand *out, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src;

    if ((rc = sq_prepare(st, SQL_DEMAND_GET, &s, err)) != BM_OK)
        return rc;
    sq_bind_text(s, 1, ticket_no);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW)
        rc = read_demand(s, a, out, err);
    else if (src == SQLITE_DONE)
        rc = bm_err_set(err, BM_ENOTFOUND, "工单不存在");
    else
        rc = sq_fail(st, src, "demand get", err);
    sq_done(s);
    return rc;
}

static const char SQL_DEMAND_UPDATE[] =
    "UPDATE demands SET status = ?3, unit_id = ?4, handler_id = ?5, reply = ?6, resolved = ?7, "
    "satisfaction = ?8, reopen_count = ?9, extension_days = ?10, merged_into = ?11, "
    "dispatched_at = ?12, due_at = ?13, replied_at = ?14, closed_at = ?15, urgency = ?16, "
    "updated_at = ?17, version = version + 1 WHERE id = ?1 AND version = ?2";

enum bm_rc
sqlite_demand_update(struct bm_store *st, const struct bm_demand *d, int64_t now,
                     struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_DEMAND_UPDATE, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, d->id);
    sqlite3_bind_int64(s, 2, d->version);
    sq_bind_text(s, 3, d->status);
    bind_id_or_null(s, 4, d->unit_id);
    bind_id_or_null(s, 5, d->handler_id);
    sq_bind_text(s, 6, d->reply);
    sqlite3_bind_int(s, 7, d->resolved);
    sq_bind_text(s, 8, d->satisfaction);
    sqlite3_bind_int(s, 9, d->reopen_count);
    sqlite3_bind_int(s, 10, d->extension_days);
    sq_bind_text(s, 11, d->merged_into);
    sqlite3_bind_int64(s, 12, d->dispatched_at);
    sqlite3_bind_int64(s, 13, d->due_at);
    sqlite3_bind_int64(s, 14, d->replied_at);
    sqlite3_bind_int64(s, 15, d->closed_at);
    sq_bind_text(s, 16, d->urgency);
    sqlite3_bind_int64(s, 17, now);
    if ((rc = sq_exec(st, s, "demand update", err)) != BM_OK)
        return rc;
    if (sqlite3_changes(sq_db(st)) == 0)
        return bm_err_set(err, BM_ESTALE, "工单已被他人修改，请刷新后重试");
    return BM_OK;
}

/* Each filter is off when its parameter is '' (or 0). */
static const char SQL_DEMANDS_LIST[] =
    "SELECT " DEMAND_COLS DEMAND_FROM
    "WHERE (?1 = '' OR d.county_code = ?1) "
    "AND (?2 = '' OR u.path LIKE ?2 ESCAPE '\\' OR i.path LIKE ?2 ESCAPE '\\') "
    "AND (?3 = '' OR d.status = ?3) AND (?4 = '' OR d.category = ?4) "
    "AND (?5 = '' OR d.hotline_no = ?5) AND (?6 = 0 OR d.unit_id = ?6) "
    "AND (?7 = 0 OR (d.status IN ('dispatched', 'accepted') AND d.due_at > 0 AND d.due_at < ?7)) "
    "AND (?8 = 0 OR d.id < ?8) ORDER BY d.id DESC LIMIT ?9";

enum bm_rc
sqlite_demands_list(struct bm_store *st, const struct bm_demand_query *q, struct bm_arena *a,
                    struct bm_demand **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src = SQLITE_DONE;
    size_t cap = (size_t)(q->limit > 0 ? q->limit : 1) + 1;
    const char *scope = "";

    *n = 0;
    if (q->scope_prefix != NULL && q->scope_prefix[0] != '\0' &&
        (scope = bm_like_pattern(a, q->scope_prefix, false)) == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    if ((*out = bm_arena_alloc(a, sizeof(**out) * cap)) == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    if ((rc = sq_prepare(st, SQL_DEMANDS_LIST, &s, err)) != BM_OK)
        return rc;
    sq_bind_text(s, 1, q->county_code);
    sq_bind_text(s, 2, scope);
    sq_bind_text(s, 3, q->status);
    sq_bind_text(s, 4, q->category);
    sq_bind_text(s, 5, q->hotline_no);
    sqlite3_bind_int64(s, 6, q->unit_id);
    sqlite3_bind_int64(s, 7, q->overdue_at);
    sqlite3_bind_int64(s, 8, q->after_id);
    sqlite3_bind_int64(s, 9, (int64_t)cap);
    while (rc == BM_OK && *n < cap && (src = sqlite3_step(s)) == SQLITE_ROW)
        if ((rc = read_demand(s, a, &(*out)[*n], err)) == BM_OK)
            (*n)++;
    if (rc == BM_OK && src != SQLITE_DONE && src != SQLITE_ROW)
        rc = sq_fail(st, src, "demands list", err);
    sq_done(s);
    return rc;
}

static const char SQL_DEVENT_INSERT[] =
    "INSERT INTO demand_events (demand_id, county_code, at, actor_id, actor_name, action, "
    "from_status, to_status, note) VALUES (?1, (SELECT county_code FROM demands WHERE id = ?1), "
    "?2, ?3, ?4, ?5, ?6, ?7, ?8)";

enum bm_rc
sqlite_demand_event_insert(struct bm_store *st, const struct bm_demand_event *e,
                           struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_DEVENT_INSERT, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, e->demand_id);
    sqlite3_bind_int64(s, 2, e->at);
    sqlite3_bind_int64(s, 3, e->actor_id);
    sq_bind_text(s, 4, e->actor_name);
    sq_bind_text(s, 5, e->action);
    sq_bind_text(s, 6, e->from_status);
    sq_bind_text(s, 7, e->to_status);
    sq_bind_text(s, 8, e->note);
    return sq_exec(st, s, "demand event insert", err);
}

static const char SQL_DEVENTS[] =
    "SELECT id, demand_id, at, actor_id, actor_name, action, from_status, to_status, note "
    "FROM demand_events WHERE demand_id = ?1 ORDER BY id LIMIT 500";

enum bm_rc
sqlite_demand_events(struct bm_store *st, int64_t demand_id, struct bm_arena *a,
                     struct bm_demand_event **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src = SQLITE_DONE;
    const size_t cap = 500;

    *n = 0;
    if ((*out = bm_arena_alloc(a, sizeof(**out) * cap)) == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    if ((rc = sq_prepare(st, SQL_DEVENTS, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, demand_id);
    while (rc == BM_OK && *n < cap && (src = sqlite3_step(s)) == SQLITE_ROW) {
        struct bm_demand_event *e = &(*out)[*n];
        memset(e, 0, sizeof(*e));
        e->id = sqlite3_column_int64(s, 0);
        e->demand_id = sqlite3_column_int64(s, 1);
        e->at = sqlite3_column_int64(s, 2);
        e->actor_id = sqlite3_column_int64(s, 3);
        e->actor_name = sq_text(a, s, 4);
        e->action = sq_text(a, s, 5);
        e->from_status = sq_text(a, s, 6);
        e->to_status = sq_text(a, s, 7);
        e->note = sq_text(a, s, 8);
        if (!e->actor_name || !e->action || !e->from_status || !e->to_status || !e->note)
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
        else
            (*n)++;
    }
    if (rc == BM_OK && src != SQLITE_DONE && src != SQLITE_ROW)
        rc = sq_fail(st, src, "demand events", err);
    sq_done(s);
    return rc;
}
