/*
 * PostgreSQL: public participation (公众参与): suggestion campaigns and their submissions,
 * hearings and observed meetings with their registrations, the household register and its
 * coverage by contact cadres. Mirrors sqlite/participation.c.
 */
#include <string.h>

#include "store/pg/int.h"

#define UNIT_COUNTY(param) "(SELECT county_code FROM org_units WHERE id = " param ")"

static enum bm_rc
too_big(struct bm_err *err)
{
    return bm_err_set(err, BM_ETOOBIG, "结果过大");
}

/* Runs an insert ... RETURNING id. */
static enum bm_rc
insert_id(struct bm_store *st, const char *sql, const struct pq_args *a, const char *what,
          int64_t *id, struct bm_err *err)
{
    PGresult *r = pq_run(st, sql, a, what, err);
    if (r == NULL)
        return err->rc;
    *id = pq_int(r, 0, 0);
    PQclear(r);
    return BM_OK;
}

/* ---- campaigns ---- */

static const char SQL_CAMPAIGN_INSERT[] =
    "INSERT INTO campaigns (county_code, unit_id, title, description, open_from, open_until, "
    "created_by, created_at) VALUES (" UNIT_COUNTY("$1::bigint") ", $1::bigint, $2, $3, "
    "$4::bigint, $5::bigint, $6::bigint, $7::bigint) RETURNING id";

enum bm_rc
pg_campaign_insert(struct bm_store *st, const struct bm_campaign *c, int64_t now, int64_t *id,
                   struct bm_err *err)
{
    struct pq_args a = {0};

    BM_ASSERT(st->in_tx);
    pq_i64(&a, c->unit_id);
    pq_str(&a, c->title);
    pq_str(&a, c->description);
    pq_i64(&a, c->open_from);
    pq_i64(&a, c->open_until);
    pq_i64(&a, c->created_by);
    pq_i64(&a, now);
    return insert_id(st, SQL_CAMPAIGN_INSERT, &a, "campaign insert", id, err);
}

#define CAMPAIGN_COLS                                                                          \
    "c.id, c.unit_id, o.name, o.path, c.title, c.description, c.open_from, c.open_until, "      \
    "c.summary, c.summarized_at, c.created_by, c.created_at, "                                  \
    "(SELECT count(*) FROM campaign_submissions s WHERE s.campaign_id = c.id), "                \
    "(SELECT count(*) FROM campaign_submissions s WHERE s.campaign_id = c.id "                  \
    "AND s.responded_at <> 0) "
#define CAMPAIGN_FROM " FROM campaigns c JOIN org_units o ON o.id = c.unit_id "

static enum bm_rc
read_campaign(const PGresult *r, int row, struct bm_arena *a, struct bm_campaign *c,
              struct bm_err *err)
{
    memset(c, 0, sizeof(*c));
    c->id = pq_int(r, row, 0);
    c->unit_id = pq_int(r, row, 1);
    c->unit_name = pq_text(a, r, row, 2);
    c->unit_path = pq_text(a, r, row, 3);
    c->title = pq_text(a, r, row, 4);
    c->description = pq_text(a, r, row, 5);
    c->open_from = (bm_day)pq_int(r, row, 6);
    c->open_until = (bm_day)pq_int(r, row, 7);
    c->summary = pq_text(a, r, row, 8);
    c->summarized_at = pq_int(r, row, 9);
    c->created_by = pq_int(r, row, 10);
    c->created_at = pq_int(r, row, 11);
    c->n_submissions = pq_int(r, row, 12);
    c->n_responded = pq_int(r, row, 13);
    if (!c->unit_name || !c->unit_path || !c->title || !c->description || !c->summary)
        return too_big(err);
    return BM_OK;
}

static const char SQL_CAMPAIGN_GET[] =
    "SELECT " CAMPAIGN_COLS CAMPAIGN_FROM "WHERE c.id = $1::bigint";

enum bm_rc
pg_campaign_get(struct bm_store *st, int64_t id, struct bm_arena *ar, struct bm_campaign *out,
                struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc;

    pq_i64(&a, id);
    if ((r = pq_run(st, SQL_CAMPAIGN_GET, &a, "campaign get", err)) == NULL)
        return err->rc;
    rc = PQntuples(r) == 1 ? read_campaign(r, 0, ar, out, err)
                           : bm_err_set(err, BM_ENOTFOUND, "征集活动不存在");
    PQclear(r);
    return rc;
}

static const char SQL_CAMPAIGNS_LIST[] =
    "SELECT " CAMPAIGN_COLS CAMPAIGN_FROM
    "WHERE o.path LIKE $1 AND c.id > $2::bigint AND ($3::bigint = 0 OR c.open_from <= "
    "$4::bigint) ORDER BY c.id LIMIT $5::bigint";

enum bm_rc
pg_campaigns_list(struct bm_store *st, const char *prefix, bm_day started_by, int64_t after_id,
                  int limit, struct bm_arena *ar, struct bm_campaign **out, size_t *n,
                  struct bm_err *err)
{
    struct pq_args a = {0};
    const char *pat = pq_prefix(ar, prefix);
    PGresult *r;
    enum bm_rc rc = BM_OK;
    int rows, i;

    *out = bm_arena_alloc(ar, sizeof(**out) * (size_t)(limit > 0 ? limit : 1));
    if (*out == NULL || pat == NULL)
        return too_big(err);
    pq_str(&a, pat);
    pq_i64(&a, after_id);
    pq_i64(&a, started_by != BM_DAY_NONE);
    pq_i64(&a, started_by);
    pq_i64(&a, limit);
    if ((r = pq_run(st, SQL_CAMPAIGNS_LIST, &a, "campaigns list", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    for (i = 0; rc == BM_OK && i < rows && i < limit; i++)
        rc = read_campaign(r, i, ar, &(*out)[i], err);
    *n = (size_t)i;
    PQclear(r);
    return rc;
}

static const char SQL_CAMPAIGN_SUMMARIZE[] =
    "UPDATE campaigns SET summary = $2, summarized_at = $3::bigint "
    "WHERE id = $1::bigint AND summarized_at = 0";

enum bm_rc
pg_campaign_summarize(struct bm_store *st, int64_t id, const char *summary, int64_t now,
                      struct bm_err *err)
{
    struct pq_args a = {0};
    struct bm_campaign c;
    struct bm_arena *ar;
    int64_t changed = 0;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    pq_i64(&a, id);
    pq_str(&a, summary);
    pq_i64(&a, now);
    rc = pq_exec(st, SQL_CAMPAIGN_SUMMARIZE, &a, "campaign summarize", &changed, err);
    if (rc != BM_OK || changed > 0)
        return rc;
    /* Nothing changed: either there is no such campaign or its summary is out already. */
    if ((ar = bm_arena_new(64 * 1024)) == NULL)
        return too_big(err);
    rc = pg_campaign_get(st, id, ar, &c, err);
    bm_arena_free(ar);
    return rc == BM_OK ? bm_err_set(err, BM_ECONFLICT, "总结已经发布，不能重复发布") : rc;
}

static const char SQL_SUBMISSION_INSERT[] =
    "INSERT INTO campaign_submissions (county_code, campaign_id, content, author_masked, "
    "contact_enc, user_id, created_at) VALUES ((SELECT county_code FROM campaigns WHERE id = "
    "$1::bigint), $1::bigint, $2, $3, nullif($4, ''::bytea), nullif($5::bigint, 0), $6::bigint) "
    "RETURNING id";

enum bm_rc
pg_submission_insert(struct bm_store *st, const struct bm_campaign_submission *s, int64_t now,
                     int64_t *id, struct bm_err *err)
{
    struct pq_args a = {0};

    BM_ASSERT(st->in_tx);
    pq_i64(&a, s->campaign_id);
    pq_str(&a, s->content);
    pq_str(&a, s->author_masked);
    pq_bytes(&a, s->contact_enc, s->contact_enc != NULL ? (int)s->contact_enc_len : 0);
    pq_i64(&a, s->user_id);
    pq_i64(&a, now);
    return insert_id(st, SQL_SUBMISSION_INSERT, &a, "submission insert", id, err);
}

static const char SQL_SUBMISSIONS_LIST[] =
    "SELECT id, campaign_id, coalesce(user_id, 0), content, author_masked, response, "
    "coalesce(responded_by, 0), responded_at, created_at FROM campaign_submissions "
    "WHERE campaign_id = $1::bigint AND ($2::bigint = 0 OR responded_at <> 0) "
    "AND id > $3::bigint ORDER BY id LIMIT $4::bigint";

enum bm_rc
pg_submissions_list(struct bm_store *st, int64_t campaign_id, bool responded_only,
                    int64_t after_id, int limit, struct bm_arena *ar,
                    struct bm_campaign_submission **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc = BM_OK;
    int rows, i;

    if ((*out = bm_arena_alloc(ar, sizeof(**out) * (size_t)(limit > 0 ? limit : 1))) == NULL)
        return too_big(err);
    pq_i64(&a, campaign_id);
    pq_i64(&a, responded_only);
    pq_i64(&a, after_id);
    pq_i64(&a, limit);
    if ((r = pq_run(st, SQL_SUBMISSIONS_LIST, &a, "submissions list", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    for (i = 0; rc == BM_OK && i < rows && i < limit; i++) {
        struct bm_campaign_submission *x = &(*out)[i];
        memset(x, 0, sizeof(*x));
        x->id = pq_int(r, i, 0);
        x->campaign_id = pq_int(r, i, 1);
        x->user_id = pq_int(r, i, 2);
        x->content = pq_text(ar, r, i, 3);
        x->author_masked = pq_text(ar, r, i, 4);
        x->response = pq_text(ar, r, i, 5);
        x->responded_by = pq_int(r, i, 6);
        x->responded_at = pq_int(r, i, 7);
        x->created_at = pq_int(r, i, 8);
        if (!x->content || !x->author_masked || !x->response)
            rc = too_big(err);
    }
    *n = (size_t)i;
    PQclear(r);
    return rc;
}

static const char SQL_SUBMISSION_RESPOND[] =
    "UPDATE campaign_submissions SET response = $3, responded_by = $4::bigint, "
    "responded_at = $5::bigint WHERE campaign_id = $1::bigint AND id = $2::bigint "
    "AND responded_at = 0";
static const char SQL_SUBMISSION_EXISTS[] =
    "SELECT 1 FROM campaign_submissions WHERE campaign_id = $1::bigint AND id = $2::bigint";

enum bm_rc
pg_submission_respond(struct bm_store *st, int64_t campaign_id, int64_t id, const char *response,
                      int64_t user_id, int64_t now, struct bm_err *err)
{
    struct pq_args a = {0}, b = {0};
    int64_t changed = 0;
    PGresult *r;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    pq_i64(&a, campaign_id);
    pq_i64(&a, id);
    pq_str(&a, response);
    pq_i64(&a, user_id);
    pq_i64(&a, now);
    rc = pq_exec(st, SQL_SUBMISSION_RESPOND, &a, "submission respond", &changed, err);
    if (rc != BM_OK || changed > 0)
        return rc;
    pq_i64(&b, campaign_id);
    pq_i64(&b, id);
    if ((r = pq_run(st, SQL_SUBMISSION_EXISTS, &b, "submission exists", err)) == NULL)
        return err->rc;
    rc = PQntuples(r) > 0 ? bm_err_set(err, BM_ECONFLICT, "该建议已经答复，不能重复答复")
                          : bm_err_set(err, BM_ENOTFOUND, "建议不存在");
    PQclear(r);
    return rc;
}

/* ---- hearings and observed meetings ---- */

static const char SQL_HEARING_INSERT[] =
    "INSERT INTO hearings (county_code, unit_id, kind, title, matter, place, starts_at, "
    "register_until, capacity, created_by, created_at) VALUES (" UNIT_COUNTY("$1::bigint")
    ", $1::bigint, $2, $3, $4, $5, $6::bigint, $7::bigint, $8::bigint, $9::bigint, $10::bigint) "
    "RETURNING id";

enum bm_rc
pg_hearing_insert(struct bm_store *st, const struct bm_hearing *h, int64_t now, int64_t *id,
                  struct bm_err *err)
{
    struct pq_args a = {0};

    BM_ASSERT(st->in_tx);
    pq_i64(&a, h->unit_id);
    pq_str(&a, h->kind);
    pq_str(&a, h->title);
    pq_str(&a, h->matter);
    pq_str(&a, h->place);
    pq_i64(&a, h->starts_at);
    pq_i64(&a, h->register_until);
    pq_i64(&a, h->capacity);
    pq_i64(&a, h->created_by);
    pq_i64(&a, now);
    return insert_id(st, SQL_HEARING_INSERT, &a, "hearing insert", id, err);
}

#define HEARING_COLS                                                                           \
    "h.id, h.unit_id, o.name, o.path, h.kind, h.title, h.matter, h.place, h.starts_at, "        \
    "h.register_until, h.capacity, h.registered, h.minutes, h.outcome, h.recorded_at, "         \
    "h.created_by, h.created_at "
#define HEARING_FROM " FROM hearings h JOIN org_units o ON o.id = h.unit_id "

static enum bm_rc
read_hearing(const PGresult *r, int row, struct bm_arena *a, struct bm_hearing *h,
             struct bm_err *err)
{
    memset(h, 0, sizeof(*h));
    h->id = pq_int(r, row, 0);
    h->unit_id = pq_int(r, row, 1);
    h->unit_name = pq_text(a, r, row, 2);
    h->unit_path = pq_text(a, r, row, 3);
    h->kind = pq_text(a, r, row, 4);
    h->title = pq_text(a, r, row, 5);
    h->matter = pq_text(a, r, row, 6);
    h->place = pq_text(a, r, row, 7);
    h->starts_at = pq_int(r, row, 8);
    h->register_until = (bm_day)pq_int(r, row, 9);
    h->capacity = pq_int(r, row, 10);
    h->registered = pq_int(r, row, 11);
    h->minutes = pq_text(a, r, row, 12);
    h->outcome = pq_text(a, r, row, 13);
    h->recorded_at = pq_int(r, row, 14);
    h->created_by = pq_int(r, row, 15);
    h->created_at = pq_int(r, row, 16);
    if (!h->unit_name || !h->unit_path || !h->kind || !h->title || !h->matter || !h->place ||
        !h->minutes || !h->outcome)
        return too_big(err);
    return BM_OK;
}

static const char SQL_HEARING_GET[] =
    "SELECT " HEARING_COLS HEARING_FROM "WHERE h.id = $1::bigint";

enum bm_rc
pg_hearing_get(struct bm_store *st, int64_t id, struct bm_arena *ar, struct bm_hearing *out,
               struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc;

    pq_i64(&a, id);
    if ((r = pq_run(st, SQL_HEARING_GET, &a, "hearing get", err)) == NULL)
        return err->rc;
    rc = PQntuples(r) == 1 ? read_hearing(r, 0, ar, out, err)
                           : bm_err_set(err, BM_ENOTFOUND, "听证会或会议不存在");
    PQclear(r);
    return rc;
}

static const char SQL_HEARINGS_LIST[] =
    "SELECT " HEARING_COLS HEARING_FROM
    "WHERE o.path LIKE $1 AND ($2 = '' OR h.kind = $2) AND h.id > $3::bigint "
    "ORDER BY h.id LIMIT $4::bigint";

enum bm_rc
pg_hearings_list(struct bm_store *st, const char *prefix, const char *kind, int64_t after_id,
                 int limit, struct bm_arena *ar, struct bm_hearing **out, size_t *n,
                 struct bm_err *err)
{
    struct pq_args a = {0};
    const char *pat = pq_prefix(ar, prefix);
    PGresult *r;
    enum bm_rc rc = BM_OK;
    int rows, i;

    *out = bm_arena_alloc(ar, sizeof(**out) * (size_t)(limit > 0 ? limit : 1));
    if (*out == NULL || pat == NULL)
        return too_big(err);
    pq_str(&a, pat);
    pq_str(&a, kind);
    pq_i64(&a, after_id);
    pq_i64(&a, limit);
    if ((r = pq_run(st, SQL_HEARINGS_LIST, &a, "hearings list", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    for (i = 0; rc == BM_OK && i < rows && i < limit; i++)
        rc = read_hearing(r, i, ar, &(*out)[i], err);
    *n = (size_t)i;
    PQclear(r);
    return rc;
}

static const char SQL_HEARING_RECORD[] =
    "UPDATE hearings SET minutes = $2, outcome = $3, recorded_at = $4::bigint "
    "WHERE id = $1::bigint AND recorded_at = 0";

enum bm_rc
pg_hearing_record(struct bm_store *st, int64_t id, const char *minutes, const char *outcome,
                  int64_t now, struct bm_err *err)
{
    struct pq_args a = {0};
    struct bm_hearing h;
    struct bm_arena *ar;
    int64_t changed = 0;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    pq_i64(&a, id);
    pq_str(&a, minutes);
    pq_str(&a, outcome);
    pq_i64(&a, now);
    rc = pq_exec(st, SQL_HEARING_RECORD, &a, "hearing record", &changed, err);
    if (rc != BM_OK || changed > 0)
        return rc;
    if ((ar = bm_arena_new(64 * 1024)) == NULL)
        return too_big(err);
    rc = pg_hearing_get(st, id, ar, &h, err);
    bm_arena_free(ar);
    return rc == BM_OK ? bm_err_set(err, BM_ECONFLICT, "纪要和结果已经记录，不能重复记录") : rc;
}

/* One place taken only while one is left: the row lock makes a concurrent registration
 * wait and re-check the count, so the capacity holds. */
static const char SQL_HEARING_TAKE[] =
    "UPDATE hearings SET registered = registered + 1 WHERE id = $1::bigint "
    "AND registered < capacity";
static const char SQL_PARTICIPANT_INSERT[] =
    "INSERT INTO hearing_participants (county_code, hearing_id, role, name_masked, phone_masked, "
    "contact_enc, contact_hash, created_at) VALUES ((SELECT county_code FROM hearings WHERE id = "
    "$1::bigint), $1::bigint, $2, $3, $4, $5, $6, $7::bigint) RETURNING id";

enum bm_rc
pg_hearing_register(struct bm_store *st, const struct bm_hearing_participant *p, int64_t now,
                    int64_t *id, struct bm_err *err)
{
    struct pq_args a = {0}, b = {0};
    struct bm_hearing h;
    struct bm_arena *ar;
    int64_t changed = 0;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    pq_i64(&a, p->hearing_id);
    if ((rc = pq_exec(st, SQL_HEARING_TAKE, &a, "hearing take place", &changed, err)) != BM_OK)
        return rc;
    if (changed == 0) {
        if ((ar = bm_arena_new(64 * 1024)) == NULL)
            return too_big(err);
        rc = pg_hearing_get(st, p->hearing_id, ar, &h, err);
        bm_arena_free(ar);
        return rc == BM_OK ? bm_err_set(err, BM_ECONFLICT, "名额已满") : rc;
    }
    pq_i64(&b, p->hearing_id);
    pq_str(&b, p->role);
    pq_str(&b, p->name_masked);
    pq_str(&b, p->phone_masked);
    pq_bytes(&b, p->contact_enc, (int)p->contact_enc_len);
    pq_bytes(&b, p->contact_hash, (int)sizeof(p->contact_hash));
    pq_i64(&b, now);
    rc = insert_id(st, SQL_PARTICIPANT_INSERT, &b, "participant insert", id, err);
    if (rc == BM_ECONFLICT)
        return bm_err_set(err, BM_ECONFLICT, "该手机号已经报名");
    return rc;
}

static const char SQL_PARTICIPANTS_LIST[] =
    "SELECT id, hearing_id, role, name_masked, phone_masked, created_at "
    "FROM hearing_participants WHERE hearing_id = $1::bigint ORDER BY id LIMIT 10000";

enum bm_rc
pg_participants_list(struct bm_store *st, int64_t hearing_id, struct bm_arena *ar,
                     struct bm_hearing_participant **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    struct bm_hearing h;
    PGresult *r;
    enum bm_rc rc;
    int rows, i;

    if ((rc = pg_hearing_get(st, hearing_id, ar, &h, err)) != BM_OK)
        return rc;
    pq_i64(&a, hearing_id);
    if ((r = pq_run(st, SQL_PARTICIPANTS_LIST, &a, "participants list", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    if ((*out = bm_arena_alloc(ar, sizeof(**out) * (size_t)(rows + 1))) == NULL) {
        PQclear(r);
        return too_big(err);
    }
    for (i = 0; rc == BM_OK && i < rows; i++) {
        struct bm_hearing_participant *x = &(*out)[i];
        memset(x, 0, sizeof(*x));
        x->id = pq_int(r, i, 0);
        x->hearing_id = pq_int(r, i, 1);
        x->role = pq_text(ar, r, i, 2);
        x->name_masked = pq_text(ar, r, i, 3);
        x->phone_masked = pq_text(ar, r, i, 4);
        x->created_at = pq_int(r, i, 5);
        if (!x->role || !x->name_masked || !x->phone_masked)
            rc = too_big(err);
    }
    *n = (size_t)i;
    PQclear(r);
    return rc;
}

/* ---- households ---- */

static const char SQL_HOUSEHOLD_INSERT[] =
    "INSERT INTO households (county_code, village_id, head_masked, head_enc, address, members, "
    "created_at) VALUES (" UNIT_COUNTY("$1::bigint") ", $1::bigint, $2, $3, $4, $5::bigint, "
    "$6::bigint) RETURNING id";

enum bm_rc
pg_household_insert(struct bm_store *st, const struct bm_household *h, int64_t now, int64_t *id,
                    struct bm_err *err)
{
    struct pq_args a = {0};

    BM_ASSERT(st->in_tx);
    pq_i64(&a, h->village_id);
    pq_str(&a, h->head_masked);
    pq_bytes(&a, h->head_enc, (int)h->head_enc_len);
    pq_str(&a, h->address);
    pq_i64(&a, h->members);
    pq_i64(&a, now);
    return insert_id(st, SQL_HOUSEHOLD_INSERT, &a, "household insert", id, err);
}

#define HOUSEHOLD_COLS                                                                         \
    "h.id, h.village_id, o.name, o.path, h.head_masked, h.address, h.members, "                 \
    "coalesce(h.cadre_id, 0), coalesce(u.display_name, ''), h.assigned_at, h.version, "         \
    "h.created_at "
#define HOUSEHOLD_FROM                                                                         \
    " FROM households h JOIN org_units o ON o.id = h.village_id "                              \
    "LEFT JOIN users u ON u.id = h.cadre_id "

static enum bm_rc
read_household(const PGresult *r, int row, struct bm_arena *a, struct bm_household *h,
               struct bm_err *err)
{
    memset(h, 0, sizeof(*h));
    h->id = pq_int(r, row, 0);
    h->village_id = pq_int(r, row, 1);
    h->village_name = pq_text(a, r, row, 2);
    h->village_path = pq_text(a, r, row, 3);
    h->head_masked = pq_text(a, r, row, 4);
    h->address = pq_text(a, r, row, 5);
    h->members = pq_int(r, row, 6);
    h->cadre_id = pq_int(r, row, 7);
    h->cadre_name = pq_text(a, r, row, 8);
    h->assigned_at = pq_int(r, row, 9);
    h->version = pq_int(r, row, 10);
    h->created_at = pq_int(r, row, 11);
    if (!h->village_name || !h->village_path || !h->head_masked || !h->address || !h->cadre_name)
        return too_big(err);
    return BM_OK;
}

static const char SQL_HOUSEHOLD_GET[] =
    "SELECT " HOUSEHOLD_COLS HOUSEHOLD_FROM "WHERE h.id = $1::bigint";

enum bm_rc
pg_household_get(struct bm_store *st, int64_t id, struct bm_arena *ar, struct bm_household *out,
                 struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc;

    pq_i64(&a, id);
    if ((r = pq_run(st, SQL_HOUSEHOLD_GET, &a, "household get", err)) == NULL)
        return err->rc;
    rc = PQntuples(r) == 1 ? read_household(r, 0, ar, out, err)
                           : bm_err_set(err, BM_ENOTFOUND, "住户不存在");
    PQclear(r);
    return rc;
}

static const char SQL_HOUSEHOLDS_LIST[] =
    "SELECT " HOUSEHOLD_COLS HOUSEHOLD_FROM
    "WHERE o.path LIKE $1 AND ($2::bigint = 0 OR h.village_id = $2::bigint) "
    "AND ($3::bigint = 0 OR h.cadre_id IS NULL) AND h.id > $4::bigint ORDER BY h.id "
    "LIMIT $5::bigint";

enum bm_rc
pg_households_list(struct bm_store *st, const struct bm_household_query *q, struct bm_arena *ar,
                   struct bm_household **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    const char *pat = pq_prefix(ar, q->path_prefix);
    PGresult *r;
    enum bm_rc rc = BM_OK;
    int rows, i;

    *out = bm_arena_alloc(ar, sizeof(**out) * (size_t)(q->limit > 0 ? q->limit : 1));
    if (*out == NULL || pat == NULL)
        return too_big(err);
    pq_str(&a, pat);
    pq_i64(&a, q->village_id);
    pq_i64(&a, q->uncovered_only);
    pq_i64(&a, q->after_id);
    pq_i64(&a, q->limit);
    if ((r = pq_run(st, SQL_HOUSEHOLDS_LIST, &a, "households list", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    for (i = 0; rc == BM_OK && i < rows && i < q->limit; i++)
        rc = read_household(r, i, ar, &(*out)[i], err);
    *n = (size_t)i;
    PQclear(r);
    return rc;
}

static const char SQL_HOUSEHOLD_ASSIGN[] =
    "UPDATE households SET cadre_id = nullif($3::bigint, 0), assigned_at = $4::bigint, "
    "version = version + 1 WHERE id = $1::bigint AND version = $2::bigint";

enum bm_rc
pg_household_assign(struct bm_store *st, int64_t id, int64_t version, int64_t cadre_id,
                    int64_t now, struct bm_err *err)
{
    struct pq_args a = {0};
    int64_t changed = 0;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    pq_i64(&a, id);
    pq_i64(&a, version);
    pq_i64(&a, cadre_id);
    pq_i64(&a, cadre_id > 0 ? now : 0);
    rc = pq_exec(st, SQL_HOUSEHOLD_ASSIGN, &a, "household assign", &changed, err);
    if (rc == BM_OK && changed == 0)
        rc = bm_err_set(err, BM_ESTALE, "该住户信息已被他人修改，请刷新后重试");
    return rc;
}

static const char SQL_COVERAGE[] =
    "SELECT o.id, o.name, count(h.id), count(h.cadre_id) FROM org_units o "
    "LEFT JOIN households h ON h.village_id = o.id "
    "WHERE o.kind = 'village' AND o.path LIKE $1 "
    "GROUP BY o.id, o.name ORDER BY o.id LIMIT 2000";

enum bm_rc
pg_households_coverage(struct bm_store *st, const char *prefix, struct bm_arena *ar,
                       struct bm_coverage_row **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    const char *pat = pq_prefix(ar, prefix);
    PGresult *r;
    enum bm_rc rc = BM_OK;
    int rows, i;

    if (pat == NULL)
        return too_big(err);
    pq_str(&a, pat);
    if ((r = pq_run(st, SQL_COVERAGE, &a, "households coverage", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    if ((*out = bm_arena_alloc(ar, sizeof(**out) * (size_t)(rows + 1))) == NULL) {
        PQclear(r);
        return too_big(err);
    }
    for (i = 0; rc == BM_OK && i < rows; i++) {
        struct bm_coverage_row *x = &(*out)[i];
        x->village_id = pq_int(r, i, 0);
        x->village_name = pq_text(ar, r, i, 1);
        x->households = pq_int(r, i, 2);
        x->covered = pq_int(r, i, 3);
        if (!x->village_name)
            rc = too_big(err);
    }
    *n = (size_t)i;
    PQclear(r);
    return rc;
}

/* ---- leaders' reception days (接访下访) ---- */

static const char SQL_RECEPTION_INSERT[] =
    "INSERT INTO reception_days (county_code, unit_id, kind, leader_name, leader_title, day, "
    "place, created_by, created_at) VALUES (" UNIT_COUNTY("$1::bigint") ", $1::bigint, $2, $3, "
    "$4, $5::bigint, $6, $7::bigint, $8::bigint) RETURNING id";

enum bm_rc
pg_reception_insert(struct bm_store *st, const struct bm_reception *r, int64_t now, int64_t *id,
                    struct bm_err *err)
{
    struct pq_args a = {0};

    BM_ASSERT(st->in_tx);
    pq_i64(&a, r->unit_id);
    pq_str(&a, r->kind);
    pq_str(&a, r->leader_name);
    pq_str(&a, r->leader_title);
    pq_i64(&a, r->day);
    pq_str(&a, r->place);
    pq_i64(&a, r->created_by);
    pq_i64(&a, now);
    return insert_id(st, SQL_RECEPTION_INSERT, &a, "reception insert", id, err);
}

#define RECEPTION_COLS                                                                         \
    "r.id, r.unit_id, o.name, o.path, r.kind, r.leader_name, r.leader_title, r.day, r.place, "  \
    "r.created_by, r.created_at, "                                                             \
    "(SELECT count(*) FROM reception_visits v WHERE v.reception_id = r.id) "
#define RECEPTION_FROM " FROM reception_days r JOIN org_units o ON o.id = r.unit_id "

static enum bm_rc
read_reception(const PGresult *res, int row, struct bm_arena *a, struct bm_reception *r,
               struct bm_err *err)
{
    memset(r, 0, sizeof(*r));
    r->id = pq_int(res, row, 0);
    r->unit_id = pq_int(res, row, 1);
    r->unit_name = pq_text(a, res, row, 2);
    r->unit_path = pq_text(a, res, row, 3);
    r->kind = pq_text(a, res, row, 4);
    r->leader_name = pq_text(a, res, row, 5);
    r->leader_title = pq_text(a, res, row, 6);
    r->day = (bm_day)pq_int(res, row, 7);
    r->place = pq_text(a, res, row, 8);
    r->created_by = pq_int(res, row, 9);
    r->created_at = pq_int(res, row, 10);
    r->n_visits = pq_int(res, row, 11);
    if (!r->unit_name || !r->unit_path || !r->kind || !r->leader_name || !r->leader_title ||
        !r->place)
        return too_big(err);
    return BM_OK;
}

static const char SQL_RECEPTION_GET[] =
    "SELECT " RECEPTION_COLS RECEPTION_FROM "WHERE r.id = $1::bigint";

enum bm_rc
pg_reception_get(struct bm_store *st, int64_t id, struct bm_arena *ar, struct bm_reception *out,
                 struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc;

    pq_i64(&a, id);
    if ((r = pq_run(st, SQL_RECEPTION_GET, &a, "reception get", err)) == NULL)
        return err->rc;
    rc = PQntuples(r) == 1 ? read_reception(r, 0, ar, out, err)
                           : bm_err_set(err, BM_ENOTFOUND, "接访安排不存在");
    PQclear(r);
    return rc;
}

static const char SQL_RECEPTIONS_LIST[] =
    "SELECT " RECEPTION_COLS RECEPTION_FROM
    "WHERE o.path LIKE $1 AND ($2::bigint = 0 OR r.day >= $3::bigint) AND r.id > $4::bigint "
    "ORDER BY r.id LIMIT $5::bigint";

enum bm_rc
pg_receptions_list(struct bm_store *st, const char *prefix, bm_day from_day, int64_t after_id,
                   int limit, struct bm_arena *ar, struct bm_reception **out, size_t *n,
                   struct bm_err *err)
{
    struct pq_args a = {0};
    const char *pat = pq_prefix(ar, prefix);
    PGresult *r;
    enum bm_rc rc = BM_OK;
    int rows, i;

    *out = bm_arena_alloc(ar, sizeof(**out) * (size_t)(limit > 0 ? limit : 1));
    if (*out == NULL || pat == NULL)
        return too_big(err);
    pq_str(&a, pat);
    pq_i64(&a, from_day != BM_DAY_NONE);
    pq_i64(&a, from_day);
    pq_i64(&a, after_id);
    pq_i64(&a, limit);
    if ((r = pq_run(st, SQL_RECEPTIONS_LIST, &a, "receptions list", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    for (i = 0; rc == BM_OK && i < rows && i < limit; i++)
        rc = read_reception(r, i, ar, &(*out)[i], err);
    *n = (size_t)i;
    PQclear(r);
    return rc;
}

static const char SQL_VISIT_INSERT[] =
    "INSERT INTO reception_visits (county_code, reception_id, visitor_masked, visitor_enc, "
    "matter, handling, follow_up_due, recorded_by, created_at) VALUES ((SELECT county_code "
    "FROM reception_days WHERE id = $1::bigint), $1::bigint, $2, $3, $4, $5, "
    "nullif($6::bigint, " PQ_DAY_NONE "), $7::bigint, $8::bigint) RETURNING id";

enum bm_rc
pg_visit_insert(struct bm_store *st, const struct bm_reception_visit *v, int64_t now, int64_t *id,
                struct bm_err *err)
{
    struct pq_args a = {0};

    BM_ASSERT(st->in_tx);
    pq_i64(&a, v->reception_id);
    pq_str(&a, v->visitor_masked);
    pq_bytes(&a, v->visitor_enc, (int)v->visitor_enc_len);
    pq_str(&a, v->matter);
    pq_str(&a, v->handling);
    pq_i64(&a, v->follow_up_due);
    pq_i64(&a, v->recorded_by);
    pq_i64(&a, now);
    return insert_id(st, SQL_VISIT_INSERT, &a, "visit insert", id, err);
}

#define VISIT_COLS                                                                             \
    "v.id, v.reception_id, v.visitor_masked, v.matter, v.handling, "                           \
    "coalesce(v.follow_up_due, " PQ_DAY_NONE "), v.follow_up_result, "                         \
    "coalesce(v.followed_up_by, 0), v.followed_up_at, v.recorded_by, v.created_at, o.path, "   \
    "r.leader_name, r.day "
#define VISIT_FROM                                                                             \
    " FROM reception_visits v JOIN reception_days r ON r.id = v.reception_id "                 \
    "JOIN org_units o ON o.id = r.unit_id "

static enum bm_rc
read_visit(const PGresult *r, int row, struct bm_arena *a, struct bm_reception_visit *v,
           struct bm_err *err)
{
    memset(v, 0, sizeof(*v));
    v->id = pq_int(r, row, 0);
    v->reception_id = pq_int(r, row, 1);
    v->visitor_masked = pq_text(a, r, row, 2);
    v->matter = pq_text(a, r, row, 3);
    v->handling = pq_text(a, r, row, 4);
    v->follow_up_due = (bm_day)pq_int(r, row, 5);
    v->follow_up_result = pq_text(a, r, row, 6);
    v->followed_up_by = pq_int(r, row, 7);
    v->followed_up_at = pq_int(r, row, 8);
    v->recorded_by = pq_int(r, row, 9);
    v->created_at = pq_int(r, row, 10);
    v->unit_path = pq_text(a, r, row, 11);
    v->leader_name = pq_text(a, r, row, 12);
    v->reception_day = (bm_day)pq_int(r, row, 13);
    if (!v->visitor_masked || !v->matter || !v->handling || !v->follow_up_result ||
        !v->unit_path || !v->leader_name)
        return too_big(err);
    return BM_OK;
}

static const char SQL_VISIT_GET[] = "SELECT " VISIT_COLS VISIT_FROM "WHERE v.id = $1::bigint";

enum bm_rc
pg_visit_get(struct bm_store *st, int64_t id, struct bm_arena *ar, struct bm_reception_visit *out,
             struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc;

    pq_i64(&a, id);
    if ((r = pq_run(st, SQL_VISIT_GET, &a, "visit get", err)) == NULL)
        return err->rc;
    rc = PQntuples(r) == 1 ? read_visit(r, 0, ar, out, err)
                           : bm_err_set(err, BM_ENOTFOUND, "来访记录不存在");
    PQclear(r);
    return rc;
}

static enum bm_rc
visits_read(PGresult *r, int cap, struct bm_arena *ar, struct bm_reception_visit **out, size_t *n,
            struct bm_err *err)
{
    enum bm_rc rc = BM_OK;
    int rows = PQntuples(r), i;

    if (rows > cap)
        rows = cap;
    if ((*out = bm_arena_alloc(ar, sizeof(**out) * (size_t)(rows + 1))) == NULL) {
        PQclear(r);
        return too_big(err);
    }
    for (i = 0; rc == BM_OK && i < rows; i++)
        rc = read_visit(r, i, ar, &(*out)[i], err);
    *n = (size_t)i;
    PQclear(r);
    return rc;
}

static const char SQL_VISITS_LIST[] =
    "SELECT " VISIT_COLS VISIT_FROM "WHERE v.reception_id = $1::bigint ORDER BY v.id LIMIT 1000";

enum bm_rc
pg_visits_list(struct bm_store *st, int64_t reception_id, struct bm_arena *ar,
               struct bm_reception_visit **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;

    pq_i64(&a, reception_id);
    if ((r = pq_run(st, SQL_VISITS_LIST, &a, "visits list", err)) == NULL)
        return err->rc;
    return visits_read(r, 1000, ar, out, n, err);
}

static const char SQL_FOLLOW_UPS_OPEN[] =
    "SELECT " VISIT_COLS VISIT_FROM
    "WHERE v.follow_up_due IS NOT NULL AND v.followed_up_at = 0 AND o.path LIKE $1 "
    "ORDER BY v.follow_up_due, v.id LIMIT $2::bigint";

enum bm_rc
pg_follow_ups_open(struct bm_store *st, const char *prefix, int limit, struct bm_arena *ar,
                   struct bm_reception_visit **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    const char *pat = pq_prefix(ar, prefix);
    PGresult *r;

    if (pat == NULL)
        return too_big(err);
    pq_str(&a, pat);
    pq_i64(&a, limit > 0 ? limit : 1);
    if ((r = pq_run(st, SQL_FOLLOW_UPS_OPEN, &a, "follow-ups open", err)) == NULL)
        return err->rc;
    return visits_read(r, limit > 0 ? limit : 1, ar, out, n, err);
}

static const char SQL_VISIT_FOLLOW_UP[] =
    "UPDATE reception_visits SET follow_up_result = $2, followed_up_by = $3::bigint, "
    "followed_up_at = $4::bigint WHERE id = $1::bigint AND followed_up_at = 0 "
    "AND follow_up_due IS NOT NULL";

enum bm_rc
pg_visit_follow_up(struct bm_store *st, int64_t id, const char *result, int64_t user_id,
                   int64_t now, struct bm_err *err)
{
    struct pq_args a = {0};
    struct bm_reception_visit v;
    struct bm_arena *ar;
    int64_t changed = 0;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    pq_i64(&a, id);
    pq_str(&a, result);
    pq_i64(&a, user_id);
    pq_i64(&a, now);
    rc = pq_exec(st, SQL_VISIT_FOLLOW_UP, &a, "visit follow-up", &changed, err);
    if (rc != BM_OK || changed > 0)
        return rc;
    if ((ar = bm_arena_new(64 * 1024)) == NULL)
        return too_big(err);
    rc = pg_visit_get(st, id, ar, &v, err);
    bm_arena_free(ar);
    return rc == BM_OK ? bm_err_set(err, BM_ECONFLICT, "回访结果已经登记，或该来访无需回访") : rc;
}

/* ---- deputies' direct channel (直通车) ---- */

static const char SQL_DEPUTY_INSERT[] =
    "INSERT INTO deputies (county_code, unit_id, name, body, token_hash, is_active, created_by, "
    "created_at) VALUES (" UNIT_COUNTY("$1::bigint") ", $1::bigint, $2, $3, $4, $5::bigint, "
    "$6::bigint, $7::bigint) RETURNING id";

enum bm_rc
pg_deputy_insert(struct bm_store *st, const struct bm_deputy *d, int64_t now, int64_t *id,
                 struct bm_err *err)
{
    struct pq_args a = {0};

    BM_ASSERT(st->in_tx);
    pq_i64(&a, d->unit_id);
    pq_str(&a, d->name);
    pq_str(&a, d->body);
    pq_bytes(&a, d->token_hash, (int)sizeof(d->token_hash));
    pq_i64(&a, d->is_active);
    pq_i64(&a, d->created_by);
    pq_i64(&a, now);
    return insert_id(st, SQL_DEPUTY_INSERT, &a, "deputy insert", id, err);
}

#define DEPUTY_COLS                                                                            \
    "d.id, d.unit_id, o.name, o.path, d.name, d.body, d.is_active, d.created_by, d.created_at "
#define DEPUTY_FROM " FROM deputies d JOIN org_units o ON o.id = d.unit_id "

static enum bm_rc
read_deputy(const PGresult *r, int row, struct bm_arena *a, struct bm_deputy *d,
            struct bm_err *err)
{
    memset(d, 0, sizeof(*d));
    d->id = pq_int(r, row, 0);
    d->unit_id = pq_int(r, row, 1);
    d->unit_name = pq_text(a, r, row, 2);
    d->unit_path = pq_text(a, r, row, 3);
    d->name = pq_text(a, r, row, 4);
    d->body = pq_text(a, r, row, 5);
    d->is_active = pq_int(r, row, 6) != 0;
    d->created_by = pq_int(r, row, 7);
    d->created_at = pq_int(r, row, 8);
    if (!d->unit_name || !d->unit_path || !d->name || !d->body)
        return too_big(err);
    return BM_OK;
}

static const char SQL_DEPUTIES_LIST[] =
    "SELECT " DEPUTY_COLS DEPUTY_FROM "WHERE o.path LIKE $1 ORDER BY d.id LIMIT 1000";

enum bm_rc
pg_deputies_list(struct bm_store *st, const char *prefix, struct bm_arena *ar,
                 struct bm_deputy **out, size_t *n, struct bm_err *err)
{
    struct pq_args a = {0};
    const char *pat = pq_prefix(ar, prefix);
    PGresult *r;
    enum bm_rc rc = BM_OK;
    int rows, i;

    if (pat == NULL)
        return too_big(err);
    pq_str(&a, pat);
    if ((r = pq_run(st, SQL_DEPUTIES_LIST, &a, "deputies list", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    if ((*out = bm_arena_alloc(ar, sizeof(**out) * (size_t)(rows + 1))) == NULL) {
        PQclear(r);
        return too_big(err);
    }
    for (i = 0; rc == BM_OK && i < rows; i++)
        rc = read_deputy(r, i, ar, &(*out)[i], err);
    *n = (size_t)i;
    PQclear(r);
    return rc;
}

static const char SQL_DEPUTY_BY_TOKEN[] =
    "SELECT " DEPUTY_COLS DEPUTY_FROM "WHERE d.token_hash = $1 AND d.is_active = 1";

enum bm_rc
pg_deputy_by_token(struct bm_store *st, const unsigned char hash[32], struct bm_arena *ar,
                   struct bm_deputy *out, struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc;

    pq_bytes(&a, hash, 32);
    if ((r = pq_run(st, SQL_DEPUTY_BY_TOKEN, &a, "deputy by token", err)) == NULL)
        return err->rc;
    rc = PQntuples(r) == 1 ? read_deputy(r, 0, ar, out, err)
                           : bm_err_set(err, BM_ENOTFOUND, "代表、委员凭证无效");
    PQclear(r);
    return rc;
}

static const char SQL_MATTER_INSERT[] =
    "INSERT INTO deputy_matters (county_code, deputy_id, title, content, is_urgent, created_at) "
    "VALUES ((SELECT county_code FROM deputies WHERE id = $1::bigint), $1::bigint, $2, $3, "
    "$4::bigint, $5::bigint) RETURNING id";

enum bm_rc
pg_matter_insert(struct bm_store *st, const struct bm_deputy_matter *m, int64_t now, int64_t *id,
                 struct bm_err *err)
{
    struct pq_args a = {0};

    BM_ASSERT(st->in_tx);
    pq_i64(&a, m->deputy_id);
    pq_str(&a, m->title);
    pq_str(&a, m->content);
    pq_i64(&a, m->is_urgent);
    pq_i64(&a, now);
    return insert_id(st, SQL_MATTER_INSERT, &a, "matter insert", id, err);
}

#define MATTER_COLS                                                                            \
    "m.id, m.deputy_id, d.name, d.body, du.path, m.title, m.content, m.is_urgent, m.status, "   \
    "coalesce(m.assignee_unit_id, 0), coalesce(au.name, ''), coalesce(au.path, ''), "          \
    "m.assigned_at, m.answer, coalesce(m.answered_by, 0), m.answered_at, m.created_at "
#define MATTER_FROM                                                                            \
    " FROM deputy_matters m JOIN deputies d ON d.id = m.deputy_id "                            \
    "JOIN org_units du ON du.id = d.unit_id LEFT JOIN org_units au ON au.id = m.assignee_unit_id "

static enum bm_rc
read_matter(const PGresult *r, int row, struct bm_arena *a, struct bm_deputy_matter *m,
            struct bm_err *err)
{
    memset(m, 0, sizeof(*m));
    m->id = pq_int(r, row, 0);
    m->deputy_id = pq_int(r, row, 1);
    m->deputy_name = pq_text(a, r, row, 2);
    m->deputy_body = pq_text(a, r, row, 3);
    m->deputy_unit_path = pq_text(a, r, row, 4);
    m->title = pq_text(a, r, row, 5);
    m->content = pq_text(a, r, row, 6);
    m->is_urgent = pq_int(r, row, 7) != 0;
    m->status = pq_text(a, r, row, 8);
    m->assignee_unit_id = pq_int(r, row, 9);
    m->assignee_name = pq_text(a, r, row, 10);
    m->assignee_path = pq_text(a, r, row, 11);
    m->assigned_at = pq_int(r, row, 12);
    m->answer = pq_text(a, r, row, 13);
    m->answered_by = pq_int(r, row, 14);
    m->answered_at = pq_int(r, row, 15);
    m->created_at = pq_int(r, row, 16);
    if (!m->deputy_name || !m->deputy_body || !m->deputy_unit_path || !m->title || !m->content ||
        !m->status || !m->assignee_name || !m->assignee_path || !m->answer)
        return too_big(err);
    return BM_OK;
}

static const char SQL_MATTER_GET[] = "SELECT " MATTER_COLS MATTER_FROM "WHERE m.id = $1::bigint";

enum bm_rc
pg_matter_get(struct bm_store *st, int64_t id, struct bm_arena *ar, struct bm_deputy_matter *out,
              struct bm_err *err)
{
    struct pq_args a = {0};
    PGresult *r;
    enum bm_rc rc;

    pq_i64(&a, id);
    if ((r = pq_run(st, SQL_MATTER_GET, &a, "matter get", err)) == NULL)
        return err->rc;
    rc = PQntuples(r) == 1 ? read_matter(r, 0, ar, out, err)
                           : bm_err_set(err, BM_ENOTFOUND, "代表委员反映的事项不存在");
    PQclear(r);
    return rc;
}

static const char SQL_MATTERS_LIST[] =
    "SELECT " MATTER_COLS MATTER_FROM
    "WHERE (CASE WHEN $2::bigint = 1 THEN coalesce(au.path, '') ELSE du.path END) LIKE $1 "
    "AND ($3::bigint = 0 OR m.deputy_id = $3::bigint) "
    "ORDER BY (m.status = 'answered'), m.is_urgent DESC, m.id LIMIT $4::bigint";

enum bm_rc
pg_matters_list(struct bm_store *st, const char *prefix, bool by_assignee, int64_t deputy_id,
                int limit, struct bm_arena *ar, struct bm_deputy_matter **out, size_t *n,
                struct bm_err *err)
{
    struct pq_args a = {0};
    const char *pat = pq_prefix(ar, prefix);
    PGresult *r;
    enum bm_rc rc = BM_OK;
    int rows, i;

    *out = bm_arena_alloc(ar, sizeof(**out) * (size_t)(limit > 0 ? limit : 1));
    if (*out == NULL || pat == NULL)
        return too_big(err);
    pq_str(&a, pat);
    pq_i64(&a, by_assignee);
    pq_i64(&a, deputy_id);
    pq_i64(&a, limit);
    if ((r = pq_run(st, SQL_MATTERS_LIST, &a, "matters list", err)) == NULL)
        return err->rc;
    rows = PQntuples(r);
    for (i = 0; rc == BM_OK && i < rows && i < limit; i++)
        rc = read_matter(r, i, ar, &(*out)[i], err);
    *n = (size_t)i;
    PQclear(r);
    return rc;
}

static enum bm_rc
matter_not_changed(struct bm_store *st, int64_t id, struct bm_err *err)
{
    struct bm_deputy_matter m;
    struct bm_arena *ar = bm_arena_new(64 * 1024);
    enum bm_rc rc;

    if (ar == NULL)
        return too_big(err);
    rc = pg_matter_get(st, id, ar, &m, err);
    bm_arena_free(ar);
    return rc == BM_OK ? bm_err_set(err, BM_ETRANSITION, "该事项当前状态下不能执行此操作") : rc;
}

static const char SQL_MATTER_ASSIGN[] =
    "UPDATE deputy_matters SET status = 'assigned', assignee_unit_id = $2::bigint, "
    "assigned_at = $3::bigint WHERE id = $1::bigint AND status = 'submitted'";

enum bm_rc
pg_matter_assign(struct bm_store *st, int64_t id, int64_t unit_id, int64_t now,
                 struct bm_err *err)
{
    struct pq_args a = {0};
    int64_t changed = 0;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    pq_i64(&a, id);
    pq_i64(&a, unit_id);
    pq_i64(&a, now);
    rc = pq_exec(st, SQL_MATTER_ASSIGN, &a, "matter assign", &changed, err);
    if (rc != BM_OK || changed > 0)
        return rc;
    return matter_not_changed(st, id, err);
}

static const char SQL_MATTER_ANSWER[] =
    "UPDATE deputy_matters SET status = 'answered', answer = $2, answered_by = $3::bigint, "
    "answered_at = $4::bigint WHERE id = $1::bigint AND status = 'assigned'";

enum bm_rc
pg_matter_answer(struct bm_store *st, int64_t id, const char *answer, int64_t user_id,
                 int64_t now, struct bm_err *err)
{
    struct pq_args a = {0};
    int64_t changed = 0;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    pq_i64(&a, id);
    pq_str(&a, answer);
    pq_i64(&a, user_id);
    pq_i64(&a, now);
    rc = pq_exec(st, SQL_MATTER_ANSWER, &a, "matter answer", &changed, err);
    if (rc != BM_OK || changed > 0)
        return rc;
    return matter_not_changed(st, id, err);
}

static const char SQL_DEPUTY_DEACTIVATE[] =
    "UPDATE deputies SET is_active = 0 WHERE id = $1::bigint";

enum bm_rc
pg_deputy_deactivate(struct bm_store *st, int64_t id, struct bm_err *err)
{
    struct pq_args a = {0};
    int64_t changed = 0;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    pq_i64(&a, id);
    rc = pq_exec(st, SQL_DEPUTY_DEACTIVATE, &a, "deputy deactivate", &changed, err);
    if (rc == BM_OK && changed == 0)
        rc = bm_err_set(err, BM_ENOTFOUND, "代表、委员不存在");
    return rc;
}
