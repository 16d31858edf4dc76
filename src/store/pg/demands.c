/*
 * PostgreSQL: demands (诉求 work orders), their events and the per-county daily ticket
 * counters. Mirrors sqlite/demands.c.
 */
#include <limits.h>
#include <string.h>

#include "store/like.h"
#include "store/pg/int.h"

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

static enum bm_rc
read_demands(PGresult *r, struct bm_arena *a, struct bm_demand **out, size_t *n,
             struct bm_err *err)
{
    static const int cols[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 14, 18, 19, 20, 21, 23, 26};
    int rows = PQntuples(r);
    struct bm_demand *ds = bm_arena_alloc(a, sizeof(*ds) * (size_t)(rows + 1));

    *n = 0;
    if (ds == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    for (int row = 0; row < rows; row++) {
        struct bm_demand *d = &ds[row];
        const char **texts[] = {&d->ticket_no,    &d->county_code,    &d->query_code,
                                &d->category,     &d->urgency,        &d->channel,
                                &d->hotline_no,   &d->content,        &d->location,
                                &d->contact_masked, &d->phone_masked, &d->status,
                                &d->unit_name,    &d->unit_path,      &d->intake_path,
                                &d->reply,        &d->satisfaction,   &d->merged_into};
        memset(d, 0, sizeof(*d));
        for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
            if ((*texts[k] = pq_text(a, r, row, cols[k])) == NULL)
                return bm_err_set(err, BM_ETOOBIG, "结果过大");
        if ((d->contact_enc = pq_blob_dup(a, r, row, 13, &d->contact_enc_len)) == NULL)
            return bm_err_set(err, BM_ETOOBIG, "结果过大");
        d->id = pq_int(r, row, 0);
        d->is_anonymous = pq_int(r, row, 10) != 0;
        d->intake_unit_id = pq_int(r, row, 15);
        d->unit_id = pq_int(r, row, 16);
        d->handler_id = pq_int(r, row, 17);
        d->resolved = (int)pq_int(r, row, 22);
        d->reopen_count = (int)pq_int(r, row, 24);
        d->extension_days = (int)pq_int(r, row, 25);
        d->submitted_at = pq_int(r, row, 27);
        d->dispatched_at = pq_int(r, row, 28);
        d->due_at = pq_int(r, row, 29);
        d->replied_at = pq_int(r, row, 30);
        d->closed_at = pq_int(r, row, 31);
        d->version = pq_int(r, row, 32);
        d->created_at = pq_int(r, row, 33);
        d->updated_at = pq_int(r, row, 34);
    }
    *out = ds;
    *n = (size_t)rows;
    return BM_OK;
}

static const char SQL_DEMAND_SEQ[] =
    "INSERT INTO demand_counters (county_code, ymd, last_seq) VALUES ($1, $2::bigint, 1) "
    "ON CONFLICT (county_code, ymd) DO UPDATE SET last_seq = demand_counters.last_seq + 1 "
    "RETURNING last_seq";

enum bm_rc
pg_demand_next_seq(struct bm_store *st, const char *county, int ymd, int *seq,
                   struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;

    BM_ASSERT(st->in_tx);
    pq_str(&a, county);
    pq_i64(&a, ymd);
    if ((r = pq_run(st, SQL_DEMAND_SEQ, &a, "demand next seq", err)) == NULL)
        return err->rc;
    *seq = (int)pq_int(r, 0, 0);
    PQclear(r);
    return BM_OK;
}

static const char SQL_DEMAND_INSERT[] =
    "INSERT INTO demands (ticket_no, county_code, query_code, category, urgency, channel, "
    "hotline_no, content, location, is_anonymous, contact_masked, phone_masked, contact_enc, "
    "status, intake_unit_id, unit_id, handler_id, submitted_at, dispatched_at, due_at, "
    "created_at, updated_at) VALUES ($1, coalesce((SELECT county_code FROM org_units "
    "WHERE id = $14::bigint), " BM_SQL_STORE_COUNTY ", ''), $2, $3, $4, $5, $6, $7, $8, "
    "$9::bigint, $10, $11, $12, $13, nullif($14::bigint, 0), nullif($15::bigint, 0), "
    "nullif($16::bigint, 0), $17::bigint, $18::bigint, $19::bigint, $20::bigint, $20::bigint) "
    "RETURNING id";

enum bm_rc
pg_demand_insert(struct bm_store *st, const struct bm_demand *d, int64_t now, int64_t *id,
                 struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;

    BM_ASSERT(st->in_tx);
    BM_ASSERT(d->contact_enc_len <= INT_MAX);
    pq_str(&a, d->ticket_no);
    pq_str(&a, d->query_code);
    pq_str(&a, d->category);
    pq_str(&a, d->urgency);
    pq_str(&a, d->channel);
    pq_str(&a, d->hotline_no);
    pq_str(&a, d->content);
    pq_str(&a, d->location);
    pq_i64(&a, d->is_anonymous);
    pq_str(&a, d->contact_masked);
    pq_str(&a, d->phone_masked);
    pq_bytes(&a, d->contact_enc != NULL ? d->contact_enc : (const unsigned char *)"",
             (int)d->contact_enc_len);
    pq_str(&a, d->status);
    pq_i64(&a, d->intake_unit_id);
    pq_i64(&a, d->unit_id);
    pq_i64(&a, d->handler_id);
    pq_i64(&a, d->submitted_at);
    pq_i64(&a, d->dispatched_at);
    pq_i64(&a, d->due_at);
    pq_i64(&a, now);
    if ((r = pq_run(st, SQL_DEMAND_INSERT, &a, "demand insert", err)) == NULL)
        return err->rc;
    *id = pq_int(r, 0, 0);
    PQclear(r);
    return BM_OK;
}

static const char SQL_DEMAND_GET[] = "SELECT " DEMAND_COLS DEMAND_FROM "WHERE d.ticket_no = $1";

enum bm_rc
pg_demand_get(struct bm_store *st, const char *ticket_no, struct bm_arena *ar,
              struct bm_demand *out, struct bm_err *err)
{
    struct pq_args a = {0};
    struct bm_demand *ds = NULL;
    size_t n = 0;
    PGresult *r;
    enum bm_rc rc;

    pq_str(&a, ticket_no);
    if ((r = pq_run(st, SQL_DEMAND_GET, &a, "demand get", err)) == NULL)
        return err->rc;
    rc = read_demands(r, ar, &ds, &n, err);
    PQclear(r);
    if (rc == BM_OK && n == 0)
        rc = bm_err_set(err, BM_ENOTFOUND, "工单不存在");
    if (rc == BM_OK)
        *out = ds[0];
    return rc;
}

static const char SQL_DEMAND_UPDATE[] =
    "UPDATE demands SET status = $3, unit_id = nullif($4::bigint, 0), "
    "handler_id = nullif($5::bigint, 0), reply = $6, resolved = $7::bigint, "
    "satisfaction = $8, reopen_count = $9::bigint, extension_days = $10::bigint, "
    "merged_into = $11, dispatched_at = $12::bigint, due_at = $13::bigint, "
    "replied_at = $14::bigint, closed_at = $15::bigint, urgency = $16, "
    "updated_at = $17::bigint, version = version + 1 "
    "WHERE id = $1::bigint AND version = $2::bigint";

enum bm_rc
pg_demand_update(struct bm_store *st, const struct bm_demand *d, int64_t now,
                 struct bm_err *err)
{
    struct pq_args a = {0};
    int64_t changed = 0;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    pq_i64(&a, d->id);
    pq_i64(&a, d->version);
    pq_str(&a, d->status);
    pq_i64(&a, d->unit_id);
    pq_i64(&a, d->handler_id);
    pq_str(&a, d->reply);
    pq_i64(&a, d->resolved);
    pq_str(&a, d->satisfaction);
    pq_i64(&a, d->reopen_count);
    pq_i64(&a, d->extension_days);
    pq_str(&a, d->merged_into);
    pq_i64(&a, d->dispatched_at);
    pq_i64(&a, d->due_at);
    pq_i64(&a, d->replied_at);
    pq_i64(&a, d->closed_at);
    pq_str(&a, d->urgency);
    pq_i64(&a, now);
    rc = pq_exec(st, SQL_DEMAND_UPDATE, &a, "demand update", &changed, err);
    if (rc == BM_OK && changed == 0)
        rc = bm_err_set(err, BM_ESTALE, "工单已被他人修改，请刷新后重试");
    return rc;
}

/* Each filter is off when its parameter is '' (or 0). */
static const char SQL_DEMANDS_LIST[] =
    "SELECT " DEMAND_COLS DEMAND_FROM
    "WHERE ($1 = '' OR d.county_code = $1) "
    "AND ($2 = '' OR u.path LIKE $2 OR i.path LIKE $2) "
    "AND ($3 = '' OR d.status = $3) AND ($4 = '' OR d.category = $4) "
    "AND ($5 = '' OR d.hotline_no = $5) AND ($6::bigint = 0 OR d.unit_id = $6::bigint) "
    "AND ($7::bigint = 0 OR (d.status IN ('dispatched', 'accepted') AND d.due_at > 0 "
    "AND d.due_at < $7::bigint)) AND ($8::bigint = 0 OR d.id < $8::bigint) "
    "ORDER BY d.id DESC LIMIT $9::bigint";

enum bm_rc
pg_demands_list(struct bm_store *st, const struct bm_demand_query *q, struct bm_arena *ar,
                struct bm_demand **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    const char *scope = "";
    PGresult *r;
    enum bm_rc rc;

    *n = 0;
    if (q->scope_prefix != NULL && q->scope_prefix[0] != '\0' &&
        (scope = bm_like_pattern(ar, q->scope_prefix, false)) == NULL)
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    pq_str(&a, q->county_code);
    pq_str(&a, scope);
    pq_str(&a, q->status);
    pq_str(&a, q->category);
    pq_str(&a, q->hotline_no);
    pq_i64(&a, q->unit_id);
    pq_i64(&a, q->overdue_at);
    pq_i64(&a, q->after_id);
    pq_i64(&a, (q->limit > 0 ? q->limit : 1) + 1);
    if ((r = pq_run(st, SQL_DEMANDS_LIST, &a, "demands list", err)) == NULL)
        return err->rc;
    rc = read_demands(r, ar, out, n, err);
    PQclear(r);
    return rc;
}

static const char SQL_DEVENT_INSERT[] =
    "INSERT INTO demand_events (demand_id, county_code, at, actor_id, actor_name, action, "
    "from_status, to_status, note) VALUES ($1::bigint, (SELECT county_code FROM demands "
    "WHERE id = $1::bigint), $2::bigint, $3::bigint, $4, $5, $6, $7, $8)";

enum bm_rc
pg_demand_event_insert(struct bm_store *st, const struct bm_demand_event *e,
                       struct bm_err *err)
{
    struct pq_args a = {0};

    BM_ASSERT(st->in_tx);
    pq_i64(&a, e->demand_id);
    pq_i64(&a, e->at);
    pq_i64(&a, e->actor_id);
    pq_str(&a, e->actor_name);
    pq_str(&a, e->action);
    pq_str(&a, e->from_status);
    pq_str(&a, e->to_status);
    pq_str(&a, e->note);
    return pq_exec(st, SQL_DEVENT_INSERT, &a, "demand event insert", NULL, err);
}

static const char SQL_DEVENTS[] =
    "SELECT id, demand_id, at, actor_id, actor_name, action, from_status, to_status, note "
    "FROM demand_events WHERE demand_id = $1::bigint ORDER BY id LIMIT 500";

enum bm_rc
pg_demand_events(struct bm_store *st, int64_t demand_id, struct bm_arena *ar,
                 struct bm_demand_event **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    int rows;
    enum bm_rc rc = BM_OK;

    *n = 0;
    pq_i64(&a, demand_id);
    if ((r = pq_run(st, SQL_DEVENTS, &a, "demand events", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    if ((*out = bm_arena_alloc(ar, sizeof(**out) * (size_t)(rows + 1))) == NULL)
        rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
    for (int i = 0; rc == BM_OK && i < rows; i++) {
        struct bm_demand_event *e = &(*out)[i];
        memset(e, 0, sizeof(*e));
        e->id = pq_int(r, i, 0);
        e->demand_id = pq_int(r, i, 1);
        e->at = pq_int(r, i, 2);
        e->actor_id = pq_int(r, i, 3);
        e->actor_name = pq_text(ar, r, i, 4);
        e->action = pq_text(ar, r, i, 5);
        e->from_status = pq_text(ar, r, i, 6);
        e->to_status = pq_text(ar, r, i, 7);
        e->note = pq_text(ar, r, i, 8);
        if (!e->actor_name || !e->action || !e->from_status || !e->to_status || !e->note)
            rc = bm_err_set(err, BM_ETOOBIG, "结果过大");
        else
            (*n)++;
    }
    PQclear(r);
    return rc;
}
