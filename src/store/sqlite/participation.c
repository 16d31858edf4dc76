/*
 * SQLite: public participation (公众参与): suggestion campaigns and their submissions,
 * hearings and observed meetings with their registrations, the household register and its
 * coverage by contact cadres. Mirrors pg/participation.c.
 */
#include <string.h>

#include "store/sqlite/int.h"

#define UNIT_COUNTY(param) "(SELECT county_code FROM org_units WHERE id = " param ")"

static enum bm_rc
too_big(struct bm_err *err)
{
    return bm_err_set(err, BM_ETOOBIG, "结果过大");
}

/* Runs a prepared UPDATE and reports whether it changed a row. */
static enum bm_rc
exec_changed(struct bm_store *st, sqlite3_stmt *s, const char *what, bool *changed,
             struct bm_err *err)
{
    enum bm_rc rc = sq_exec(st, s, what, err);
    *changed = rc == BM_OK && sqlite3_changes(sq_db(st)) > 0;
    return rc;
}

/* ---- campaigns ---- */

static const char SQL_CAMPAIGN_INSERT[] =
    "INSERT INTO campaigns (county_code, unit_id, title, description, open_from, open_until, "
    "created_by, created_at) VALUES (" UNIT_COUNTY("?1") ", ?1, ?2, ?3, ?4, ?5, ?6, ?7)";

enum bm_rc
sqlite_campaign_insert(struct bm_store *st, const struct bm_campaign *c, int64_t now, int64_t *id,
                       struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_CAMPAIGN_INSERT, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, c->unit_id);
    sq_bind_text(s, 2, c->title);
    sq_bind_text(s, 3, c->description);
    sqlite3_bind_int64(s, 4, c->open_from);
    sqlite3_bind_int64(s, 5, c->open_until);
    sqlite3_bind_int64(s, 6, c->created_by);
    sqlite3_bind_int64(s, 7, now);
    if ((rc = sq_exec(st, s, "campaign insert", err)) == BM_OK)
        *id = sqlite3_last_insert_rowid(sq_db(st));
    return rc;
}

#define CAMPAIGN_COLS                                                                          \
    "c.id, c.unit_id, o.name, o.path, c.title, c.description, c.open_from, c.open_until, "      \
    "c.summary, c.summarized_at, c.created_by, c.created_at, "                                  \
    "(SELECT count(*) FROM campaign_submissions s WHERE s.campaign_id = c.id), "                \
    "(SELECT count(*) FROM campaign_submissions s WHERE s.campaign_id = c.id "                  \
    "AND s.responded_at <> 0) "
#define CAMPAIGN_FROM " FROM campaigns c JOIN org_units o ON o.id = c.unit_id "

static enum bm_rc
read_campaign(sqlite3_stmt *s, struct bm_arena *a, struct bm_campaign *c, struct bm_err *err)
{
    memset(c, 0, sizeof(*c));
    c->id = sqlite3_column_int64(s, 0);
    c->unit_id = sqlite3_column_int64(s, 1);
    c->unit_name = sq_text(a, s, 2);
    c->unit_path = sq_text(a, s, 3);
    c->title = sq_text(a, s, 4);
    c->description = sq_text(a, s, 5);
    c->open_from = (bm_day)sqlite3_column_int64(s, 6);
    c->open_until = (bm_day)sqlite3_column_int64(s, 7);
    c->summary = sq_text(a, s, 8);
    c->summarized_at = sqlite3_column_int64(s, 9);
    c->created_by = sqlite3_column_int64(s, 10);
    c->created_at = sqlite3_column_int64(s, 11);
    c->n_submissions = sqlite3_column_int64(s, 12);
    c->n_responded = sqlite3_column_int64(s, 13);
    if (!c->unit_name || !c->unit_path || !c->title || !c->description || !c->summary)
        return too_big(err);
    return BM_OK;
}

static const char SQL_CAMPAIGN_GET[] = "SELECT " CAMPAIGN_COLS CAMPAIGN_FROM "WHERE c.id = ?1";

enum bm_rc
sqlite_campaign_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_campaign *out,
                    struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src;

    if ((rc = sq_prepare(st, SQL_CAMPAIGN_GET, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW)
        rc = read_campaign(s, a, out, err);
    else if (src == SQLITE_DONE)
        rc = bm_err_set(err, BM_ENOTFOUND, "征集活动不存在");
    else
        rc = sq_fail(st, src, "campaign get", err);
    sq_done(s);
    return rc;
}

static const char SQL_CAMPAIGNS_LIST[] =
    "SELECT " CAMPAIGN_COLS CAMPAIGN_FROM
    "WHERE o.path LIKE ?1 ESCAPE '\\' AND c.id > ?2 AND (?3 = 0 OR c.open_from <= ?4) "
    "ORDER BY c.id LIMIT ?5";

enum bm_rc
sqlite_campaigns_list(struct bm_store *st, const char *prefix, bm_day started_by,
                      int64_t after_id, int limit, struct bm_arena *a, struct bm_campaign **out,
                      size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    size_t i = 0;
    int src = SQLITE_DONE;

    if ((*out = bm_arena_alloc(a, sizeof(**out) * (size_t)(limit > 0 ? limit : 1))) == NULL)
        return too_big(err);
    if ((rc = sq_prepare(st, SQL_CAMPAIGNS_LIST, &s, err)) != BM_OK)
        return rc;
    sq_bind_prefix(s, 1, prefix, a);
    sqlite3_bind_int64(s, 2, after_id);
    sqlite3_bind_int(s, 3, started_by != BM_DAY_NONE);
    sqlite3_bind_int64(s, 4, started_by);
    sqlite3_bind_int(s, 5, limit);
    while (rc == BM_OK && (int)i < limit && (src = sqlite3_step(s)) == SQLITE_ROW)
        rc = read_campaign(s, a, &(*out)[i++], err);
    if (rc == BM_OK && (int)i < limit && src != SQLITE_DONE)
        rc = sq_fail(st, src, "campaigns list", err);
    sq_done(s);
    *n = i;
    return rc;
}

static const char SQL_CAMPAIGN_SUMMARIZE[] =
    "UPDATE campaigns SET summary = ?2, summarized_at = ?3 WHERE id = ?1 AND summarized_at = 0";

enum bm_rc
sqlite_campaign_summarize(struct bm_store *st, int64_t id, const char *summary, int64_t now,
                          struct bm_err *err)
{
    sqlite3_stmt *s;
    struct bm_campaign c;
    struct bm_arena *a;
    bool changed = false;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_CAMPAIGN_SUMMARIZE, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    sq_bind_text(s, 2, summary);
    sqlite3_bind_int64(s, 3, now);
    if ((rc = exec_changed(st, s, "campaign summarize", &changed, err)) != BM_OK || changed)
        return rc;
    /* Nothing changed: either there is no such campaign or its summary is out already. */
    if ((a = bm_arena_new(64 * 1024)) == NULL)
        return too_big(err);
    rc = sqlite_campaign_get(st, id, a, &c, err);
    bm_arena_free(a);
    return rc == BM_OK ? bm_err_set(err, BM_ECONFLICT, "总结已经发布，不能重复发布") : rc;
}

static const char SQL_SUBMISSION_INSERT[] =
    "INSERT INTO campaign_submissions (county_code, campaign_id, content, author_masked, "
    "contact_enc, user_id, created_at) VALUES ((SELECT county_code FROM campaigns WHERE id = ?1), "
    "?1, ?2, ?3, ?4, nullif(?5, 0), ?6)";

enum bm_rc
sqlite_submission_insert(struct bm_store *st, const struct bm_campaign_submission *sub,
                         int64_t now, int64_t *id, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_SUBMISSION_INSERT, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, sub->campaign_id);
    sq_bind_text(s, 2, sub->content);
    sq_bind_text(s, 3, sub->author_masked);
    if (sub->contact_enc != NULL)
        sqlite3_bind_blob(s, 4, sub->contact_enc, (int)sub->contact_enc_len, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, 4);
    sqlite3_bind_int64(s, 5, sub->user_id);
    sqlite3_bind_int64(s, 6, now);
    if ((rc = sq_exec(st, s, "submission insert", err)) == BM_OK)
        *id = sqlite3_last_insert_rowid(sq_db(st));
    return rc;
}

static const char SQL_SUBMISSIONS_LIST[] =
    "SELECT id, campaign_id, coalesce(user_id, 0), content, author_masked, response, "
    "coalesce(responded_by, 0), responded_at, created_at FROM campaign_submissions "
    "WHERE campaign_id = ?1 AND (?2 = 0 OR responded_at <> 0) AND id > ?3 ORDER BY id LIMIT ?4";

enum bm_rc
sqlite_submissions_list(struct bm_store *st, int64_t campaign_id, bool responded_only,
                        int64_t after_id, int limit, struct bm_arena *a,
                        struct bm_campaign_submission **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    size_t i = 0;
    int src = SQLITE_DONE;

    if ((*out = bm_arena_alloc(a, sizeof(**out) * (size_t)(limit > 0 ? limit : 1))) == NULL)
        return too_big(err);
    if ((rc = sq_prepare(st, SQL_SUBMISSIONS_LIST, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, campaign_id);
    sqlite3_bind_int(s, 2, responded_only);
    sqlite3_bind_int64(s, 3, after_id);
    sqlite3_bind_int(s, 4, limit);
    while (rc == BM_OK && (int)i < limit && (src = sqlite3_step(s)) == SQLITE_ROW) {
        struct bm_campaign_submission *x = &(*out)[i++];
        memset(x, 0, sizeof(*x));
        x->id = sqlite3_column_int64(s, 0);
        x->campaign_id = sqlite3_column_int64(s, 1);
        x->user_id = sqlite3_column_int64(s, 2);
        x->content = sq_text(a, s, 3);
        x->author_masked = sq_text(a, s, 4);
        x->response = sq_text(a, s, 5);
        x->responded_by = sqlite3_column_int64(s, 6);
        x->responded_at = sqlite3_column_int64(s, 7);
        x->created_at = sqlite3_column_int64(s, 8);
        if (!x->content || !x->author_masked || !x->response)
            rc = too_big(err);
    }
    if (rc == BM_OK && (int)i < limit && src != SQLITE_DONE)
        rc = sq_fail(st, src, "submissions list", err);
    sq_done(s);
    *n = i;
    return rc;
}

static const char SQL_SUBMISSION_RESPOND[] =
    "UPDATE campaign_submissions SET response = ?3, responded_by = ?4, responded_at = ?5 "
    "WHERE campaign_id = ?1 AND id = ?2 AND responded_at = 0";
static const char SQL_SUBMISSION_EXISTS[] =
    "SELECT 1 FROM campaign_submissions WHERE campaign_id = ?1 AND id = ?2";

enum bm_rc
sqlite_submission_respond(struct bm_store *st, int64_t campaign_id, int64_t id,
                          const char *response, int64_t user_id, int64_t now, struct bm_err *err)
{
    sqlite3_stmt *s;
    bool changed = false;
    enum bm_rc rc;
    int src;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_SUBMISSION_RESPOND, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, campaign_id);
    sqlite3_bind_int64(s, 2, id);
    sq_bind_text(s, 3, response);
    sqlite3_bind_int64(s, 4, user_id);
    sqlite3_bind_int64(s, 5, now);
    if ((rc = exec_changed(st, s, "submission respond", &changed, err)) != BM_OK || changed)
        return rc;
    if ((rc = sq_prepare(st, SQL_SUBMISSION_EXISTS, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, campaign_id);
    sqlite3_bind_int64(s, 2, id);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW)
        rc = bm_err_set(err, BM_ECONFLICT, "该建议已经答复，不能重复答复");
    else if (src == SQLITE_DONE)
        rc = bm_err_set(err, BM_ENOTFOUND, "建议不存在");
    else
        rc = sq_fail(st, src, "submission exists", err);
    sq_done(s);
    return rc;
}

/* ---- hearings and observed meetings ---- */

static const char SQL_HEARING_INSERT[] =
    "INSERT INTO hearings (county_code, unit_id, kind, title, matter, place, starts_at, "
    "register_until, capacity, created_by, created_at) VALUES (" UNIT_COUNTY("?1")
    ", ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

enum bm_rc
sqlite_hearing_insert(struct bm_store *st, const struct bm_hearing *h, int64_t now, int64_t *id,
                      struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_HEARING_INSERT, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, h->unit_id);
    sq_bind_text(s, 2, h->kind);
    sq_bind_text(s, 3, h->title);
    sq_bind_text(s, 4, h->matter);
    sq_bind_text(s, 5, h->place);
    sqlite3_bind_int64(s, 6, h->starts_at);
    sqlite3_bind_int64(s, 7, h->register_until);
    sqlite3_bind_int64(s, 8, h->capacity);
    sqlite3_bind_int64(s, 9, h->created_by);
    sqlite3_bind_int64(s, 10, now);
    if ((rc = sq_exec(st, s, "hearing insert", err)) == BM_OK)
        *id = sqlite3_last_insert_rowid(sq_db(st));
    return rc;
}

#define HEARING_COLS                                                                           \
    "h.id, h.unit_id, o.name, o.path, h.kind, h.title, h.matter, h.place, h.starts_at, "        \
    "h.register_until, h.capacity, h.registered, h.minutes, h.outcome, h.recorded_at, "         \
    "h.created_by, h.created_at "
#define HEARING_FROM " FROM hearings h JOIN org_units o ON o.id = h.unit_id "

static enum bm_rc
read_hearing(sqlite3_stmt *s, struct bm_arena *a, struct bm_hearing *h, struct bm_err *err)
{
    memset(h, 0, sizeof(*h));
    h->id = sqlite3_column_int64(s, 0);
    h->unit_id = sqlite3_column_int64(s, 1);
    h->unit_name = sq_text(a, s, 2);
    h->unit_path = sq_text(a, s, 3);
    h->kind = sq_text(a, s, 4);
    h->title = sq_text(a, s, 5);
    h->matter = sq_text(a, s, 6);
    h->place = sq_text(a, s, 7);
    h->starts_at = sqlite3_column_int64(s, 8);
    h->register_until = (bm_day)sqlite3_column_int64(s, 9);
    h->capacity = sqlite3_column_int64(s, 10);
    h->registered = sqlite3_column_int64(s, 11);
    h->minutes = sq_text(a, s, 12);
    h->outcome = sq_text(a, s, 13);
    h->recorded_at = sqlite3_column_int64(s, 14);
    h->created_by = sqlite3_column_int64(s, 15);
    h->created_at = sqlite3_column_int64(s, 16);
    if (!h->unit_name || !h->unit_path || !h->kind || !h->title || !h->matter || !h->place ||
        !h->minutes || !h->outcome)
        return too_big(err);
    return BM_OK;
}

static const char SQL_HEARING_GET[] = "SELECT " HEARING_COLS HEARING_FROM "WHERE h.id = ?1";

enum bm_rc
sqlite_hearing_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_hearing *out,
                   struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src;

    if ((rc = sq_prepare(st, SQL_HEARING_GET, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW)
        rc = read_hearing(s, a, out, err);
    else if (src == SQLITE_DONE)
        rc = bm_err_set(err, BM_ENOTFOUND, "听证会或会议不存在");
    else
        rc = sq_fail(st, src, "hearing get", err);
    sq_done(s);
    return rc;
}

static const char SQL_HEARINGS_LIST[] =
    "SELECT " HEARING_COLS HEARING_FROM
    "WHERE o.path LIKE ?1 ESCAPE '\\' AND (?2 = '' OR h.kind = ?2) AND h.id > ?3 "
    "ORDER BY h.id LIMIT ?4";

enum bm_rc
sqlite_hearings_list(struct bm_store *st, const char *prefix, const char *kind, int64_t after_id,
                     int limit, struct bm_arena *a, struct bm_hearing **out, size_t *n,
                     struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    size_t i = 0;
    int src = SQLITE_DONE;

    if ((*out = bm_arena_alloc(a, sizeof(**out) * (size_t)(limit > 0 ? limit : 1))) == NULL)
        return too_big(err);
    if ((rc = sq_prepare(st, SQL_HEARINGS_LIST, &s, err)) != BM_OK)
        return rc;
    sq_bind_prefix(s, 1, prefix, a);
    sq_bind_text(s, 2, kind);
    sqlite3_bind_int64(s, 3, after_id);
    sqlite3_bind_int(s, 4, limit);
    while (rc == BM_OK && (int)i < limit && (src = sqlite3_step(s)) == SQLITE_ROW)
        rc = read_hearing(s, a, &(*out)[i++], err);
    if (rc == BM_OK && (int)i < limit && src != SQLITE_DONE)
        rc = sq_fail(st, src, "hearings list", err);
    sq_done(s);
    *n = i;
    return rc;
}

static const char SQL_HEARING_RECORD[] =
    "UPDATE hearings SET minutes = ?2, outcome = ?3, recorded_at = ?4 "
    "WHERE id = ?1 AND recorded_at = 0";

enum bm_rc
sqlite_hearing_record(struct bm_store *st, int64_t id, const char *minutes, const char *outcome,
                      int64_t now, struct bm_err *err)
{
    sqlite3_stmt *s;
    struct bm_hearing h;
    struct bm_arena *a;
    bool changed = false;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_HEARING_RECORD, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    sq_bind_text(s, 2, minutes);
    sq_bind_text(s, 3, outcome);
    sqlite3_bind_int64(s, 4, now);
    if ((rc = exec_changed(st, s, "hearing record", &changed, err)) != BM_OK || changed)
        return rc;
    if ((a = bm_arena_new(64 * 1024)) == NULL)
        return too_big(err);
    rc = sqlite_hearing_get(st, id, a, &h, err);
    bm_arena_free(a);
    return rc == BM_OK ? bm_err_set(err, BM_ECONFLICT, "纪要和结果已经记录，不能重复记录") : rc;
}

/* One place taken only while one is left: the check and the count are one statement. */
static const char SQL_HEARING_TAKE[] =
    "UPDATE hearings SET registered = registered + 1 WHERE id = ?1 AND registered < capacity";
static const char SQL_PARTICIPANT_INSERT[] =
    "INSERT INTO hearing_participants (county_code, hearing_id, role, name_masked, phone_masked, "
    "contact_enc, contact_hash, created_at) VALUES ((SELECT county_code FROM hearings WHERE id = "
    "?1), ?1, ?2, ?3, ?4, ?5, ?6, ?7)";

enum bm_rc
sqlite_hearing_register(struct bm_store *st, const struct bm_hearing_participant *p, int64_t now,
                        int64_t *id, struct bm_err *err)
{
    sqlite3_stmt *s;
    struct bm_hearing h;
    struct bm_arena *a;
    bool changed = false;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_HEARING_TAKE, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, p->hearing_id);
    if ((rc = exec_changed(st, s, "hearing take place", &changed, err)) != BM_OK)
        return rc;
    if (!changed) {
        if ((a = bm_arena_new(64 * 1024)) == NULL)
            return too_big(err);
        rc = sqlite_hearing_get(st, p->hearing_id, a, &h, err);
        bm_arena_free(a);
        return rc == BM_OK ? bm_err_set(err, BM_ECONFLICT, "名额已满") : rc;
    }
    if ((rc = sq_prepare(st, SQL_PARTICIPANT_INSERT, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, p->hearing_id);
    sq_bind_text(s, 2, p->role);
    sq_bind_text(s, 3, p->name_masked);
    sq_bind_text(s, 4, p->phone_masked);
    sqlite3_bind_blob(s, 5, p->contact_enc, (int)p->contact_enc_len, SQLITE_TRANSIENT);
    sqlite3_bind_blob(s, 6, p->contact_hash, (int)sizeof(p->contact_hash), SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 7, now);
    rc = sq_exec(st, s, "participant insert", err);
    if (rc == BM_ECONFLICT)
        return bm_err_set(err, BM_ECONFLICT, "该手机号已经报名");
    if (rc == BM_OK)
        *id = sqlite3_last_insert_rowid(sq_db(st));
    return rc;
}

static const char SQL_PARTICIPANTS_LIST[] =
    "SELECT id, hearing_id, role, name_masked, phone_masked, created_at "
    "FROM hearing_participants WHERE hearing_id = ?1 ORDER BY id LIMIT 10000";

enum bm_rc
sqlite_participants_list(struct bm_store *st, int64_t hearing_id, struct bm_arena *a,
                         struct bm_hearing_participant **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    struct bm_hearing h;
    enum bm_rc rc;
    size_t i = 0, cap;
    int src = SQLITE_DONE;

    /* The hearing's own count bounds the rows, so the array is sized once. */
    if ((rc = sqlite_hearing_get(st, hearing_id, a, &h, err)) != BM_OK)
        return rc;
    cap = (size_t)h.registered + 1;
    if ((*out = bm_arena_alloc(a, sizeof(**out) * cap)) == NULL)
        return too_big(err);
    if ((rc = sq_prepare(st, SQL_PARTICIPANTS_LIST, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, hearing_id);
    while (rc == BM_OK && i < cap && (src = sqlite3_step(s)) == SQLITE_ROW) {
        struct bm_hearing_participant *x = &(*out)[i++];
        memset(x, 0, sizeof(*x));
        x->id = sqlite3_column_int64(s, 0);
        x->hearing_id = sqlite3_column_int64(s, 1);
        x->role = sq_text(a, s, 2);
        x->name_masked = sq_text(a, s, 3);
        x->phone_masked = sq_text(a, s, 4);
        x->created_at = sqlite3_column_int64(s, 5);
        if (!x->role || !x->name_masked || !x->phone_masked)
            rc = too_big(err);
    }
    if (rc == BM_OK && i < cap && src != SQLITE_DONE)
        rc = sq_fail(st, src, "participants list", err);
    sq_done(s);
    *n = i;
    return rc;
}

/* ---- households ---- */

static const char SQL_HOUSEHOLD_INSERT[] =
    "INSERT INTO households (county_code, village_id, head_masked, head_enc, address, members, "
    "created_at) VALUES (" UNIT_COUNTY("?1") ", ?1, ?2, ?3, ?4, ?5, ?6)";

enum bm_rc
sqlite_household_insert(struct bm_store *st, const struct bm_household *h, int64_t now,
                        int64_t *id, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_HOUSEHOLD_INSERT, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, h->village_id);
    sq_bind_text(s, 2, h->head_masked);
    sqlite3_bind_blob(s, 3, h->head_enc, (int)h->head_enc_len, SQLITE_TRANSIENT);
    sq_bind_text(s, 4, h->address);
    sqlite3_bind_int64(s, 5, h->members);
    sqlite3_bind_int64(s, 6, now);
    if ((rc = sq_exec(st, s, "household insert", err)) == BM_OK)
        *id = sqlite3_last_insert_rowid(sq_db(st));
    return rc;
}

#define HOUSEHOLD_COLS                                                                         \
    "h.id, h.village_id, o.name, o.path, h.head_masked, h.address, h.members, "                 \
    "coalesce(h.cadre_id, 0), coalesce(u.display_name, ''), h.assigned_at, h.version, "         \
    "h.created_at "
#define HOUSEHOLD_FROM                                                                         \
    " FROM households h JOIN org_units o ON o.id = h.village_id "                              \
    "LEFT JOIN users u ON u.id = h.cadre_id "

static enum bm_rc
read_household(sqlite3_stmt *s, struct bm_arena *a, struct bm_household *h, struct bm_err *err)
{
    memset(h, 0, sizeof(*h));
    h->id = sqlite3_column_int64(s, 0);
    h->village_id = sqlite3_column_int64(s, 1);
    h->village_name = sq_text(a, s, 2);
    h->village_path = sq_text(a, s, 3);
    h->head_masked = sq_text(a, s, 4);
    h->address = sq_text(a, s, 5);
    h->members = sqlite3_column_int64(s, 6);
    h->cadre_id = sqlite3_column_int64(s, 7);
    h->cadre_name = sq_text(a, s, 8);
    h->assigned_at = sqlite3_column_int64(s, 9);
    h->version = sqlite3_column_int64(s, 10);
    h->created_at = sqlite3_column_int64(s, 11);
    if (!h->village_name || !h->village_path || !h->head_masked || !h->address || !h->cadre_name)
        return too_big(err);
    return BM_OK;
}

static const char SQL_HOUSEHOLD_GET[] = "SELECT " HOUSEHOLD_COLS HOUSEHOLD_FROM "WHERE h.id = ?1";

enum bm_rc
sqlite_household_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_household *out,
                     struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src;

    if ((rc = sq_prepare(st, SQL_HOUSEHOLD_GET, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW)
        rc = read_household(s, a, out, err);
    else if (src == SQLITE_DONE)
        rc = bm_err_set(err, BM_ENOTFOUND, "住户不存在");
    else
        rc = sq_fail(st, src, "household get", err);
    sq_done(s);
    return rc;
}

static const char SQL_HOUSEHOLDS_LIST[] =
    "SELECT " HOUSEHOLD_COLS HOUSEHOLD_FROM
    "WHERE o.path LIKE ?1 ESCAPE '\\' AND (?2 = 0 OR h.village_id = ?2) "
    "AND (?3 = 0 OR h.cadre_id IS NULL) AND h.id > ?4 ORDER BY h.id LIMIT ?5";

enum bm_rc
sqlite_households_list(struct bm_store *st, const struct bm_household_query *q,
                       struct bm_arena *a, struct bm_household **out, size_t *n,
                       struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    size_t i = 0;
    int src = SQLITE_DONE;

    if ((*out = bm_arena_alloc(a, sizeof(**out) * (size_t)(q->limit > 0 ? q->limit : 1))) == NULL)
        return too_big(err);
    if ((rc = sq_prepare(st, SQL_HOUSEHOLDS_LIST, &s, err)) != BM_OK)
        return rc;
    sq_bind_prefix(s, 1, q->path_prefix, a);
    sqlite3_bind_int64(s, 2, q->village_id);
    sqlite3_bind_int(s, 3, q->uncovered_only);
    sqlite3_bind_int64(s, 4, q->after_id);
    sqlite3_bind_int(s, 5, q->limit);
    while (rc == BM_OK && (int)i < q->limit && (src = sqlite3_step(s)) == SQLITE_ROW)
        rc = read_household(s, a, &(*out)[i++], err);
    if (rc == BM_OK && (int)i < q->limit && src != SQLITE_DONE)
        rc = sq_fail(st, src, "households list", err);
    sq_done(s);
    *n = i;
    return rc;
}

static const char SQL_HOUSEHOLD_ASSIGN[] =
    "UPDATE households SET cadre_id = nullif(?3, 0), assigned_at = ?4, version = version + 1 "
    "WHERE id = ?1 AND version = ?2";

enum bm_rc
sqlite_household_assign(struct bm_store *st, int64_t id, int64_t version, int64_t cadre_id,
                        int64_t now, struct bm_err *err)
{
    sqlite3_stmt *s;
    bool changed = false;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_HOUSEHOLD_ASSIGN, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, version);
    sqlite3_bind_int64(s, 3, cadre_id);
    sqlite3_bind_int64(s, 4, cadre_id > 0 ? now : 0);
    rc = exec_changed(st, s, "household assign", &changed, err);
    if (rc == BM_OK && !changed)
        rc = bm_err_set(err, BM_ESTALE, "该住户信息已被他人修改，请刷新后重试");
    return rc;
}

#define COVERAGE_MAX 2000

static const char SQL_COVERAGE[] =
    "SELECT o.id, o.name, count(h.id), count(h.cadre_id) FROM org_units o "
    "LEFT JOIN households h ON h.village_id = o.id "
    "WHERE o.kind = 'village' AND o.path LIKE ?1 ESCAPE '\\' "
    "GROUP BY o.id, o.name ORDER BY o.id LIMIT 2000";

enum bm_rc
sqlite_households_coverage(struct bm_store *st, const char *prefix, struct bm_arena *a,
                           struct bm_coverage_row **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    size_t i = 0;
    int src = SQLITE_DONE;

    if ((*out = bm_arena_alloc(a, sizeof(**out) * COVERAGE_MAX)) == NULL)
        return too_big(err);
    if ((rc = sq_prepare(st, SQL_COVERAGE, &s, err)) != BM_OK)
        return rc;
    sq_bind_prefix(s, 1, prefix, a);
    while (rc == BM_OK && i < COVERAGE_MAX && (src = sqlite3_step(s)) == SQLITE_ROW) {
        struct bm_coverage_row *x = &(*out)[i++];
        x->village_id = sqlite3_column_int64(s, 0);
        x->village_name = sq_text(a, s, 1);
        x->households = sqlite3_column_int64(s, 2);
        x->covered = sqlite3_column_int64(s, 3);
        if (!x->village_name)
            rc = too_big(err);
    }
    if (rc == BM_OK && i < COVERAGE_MAX && src != SQLITE_DONE)
        rc = sq_fail(st, src, "households coverage", err);
    sq_done(s);
    *n = i;
    return rc;
}

/* ---- leaders' reception days (接访下访) ---- */

static const char SQL_RECEPTION_INSERT[] =
    "INSERT INTO reception_days (county_code, unit_id, kind, leader_name, leader_title, day, "
    "place, created_by, created_at) VALUES (" UNIT_COUNTY("?1") ", ?1, ?2, ?3, ?4, ?5, ?6, ?7, "
    "?8)";

enum bm_rc
sqlite_reception_insert(struct bm_store *st, const struct bm_reception *r, int64_t now,
                        int64_t *id, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_RECEPTION_INSERT, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, r->unit_id);
    sq_bind_text(s, 2, r->kind);
    sq_bind_text(s, 3, r->leader_name);
    sq_bind_text(s, 4, r->leader_title);
    sqlite3_bind_int64(s, 5, r->day);
    sq_bind_text(s, 6, r->place);
    sqlite3_bind_int64(s, 7, r->created_by);
    sqlite3_bind_int64(s, 8, now);
    if ((rc = sq_exec(st, s, "reception insert", err)) == BM_OK)
        *id = sqlite3_last_insert_rowid(sq_db(st));
    return rc;
}

#define RECEPTION_COLS                                                                         \
    "r.id, r.unit_id, o.name, o.path, r.kind, r.leader_name, r.leader_title, r.day, r.place, "  \
    "r.created_by, r.created_at, "                                                             \
    "(SELECT count(*) FROM reception_visits v WHERE v.reception_id = r.id) "
#define RECEPTION_FROM " FROM reception_days r JOIN org_units o ON o.id = r.unit_id "

static enum bm_rc
read_reception(sqlite3_stmt *s, struct bm_arena *a, struct bm_reception *r, struct bm_err *err)
{
    memset(r, 0, sizeof(*r));
    r->id = sqlite3_column_int64(s, 0);
    r->unit_id = sqlite3_column_int64(s, 1);
    r->unit_name = sq_text(a, s, 2);
    r->unit_path = sq_text(a, s, 3);
    r->kind = sq_text(a, s, 4);
    r->leader_name = sq_text(a, s, 5);
    r->leader_title = sq_text(a, s, 6);
    r->day = (bm_day)sqlite3_column_int64(s, 7);
    r->place = sq_text(a, s, 8);
    r->created_by = sqlite3_column_int64(s, 9);
    r->created_at = sqlite3_column_int64(s, 10);
    r->n_visits = sqlite3_column_int64(s, 11);
    if (!r->unit_name || !r->unit_path || !r->kind || !r->leader_name || !r->leader_title ||
        !r->place)
        return too_big(err);
    return BM_OK;
}

static const char SQL_RECEPTION_GET[] = "SELECT " RECEPTION_COLS RECEPTION_FROM "WHERE r.id = ?1";

enum bm_rc
sqlite_reception_get(struct bm_store *st, int64_t id, struct bm_arena *a, struct bm_reception *out,
                     struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src;

    if ((rc = sq_prepare(st, SQL_RECEPTION_GET, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW)
        rc = read_reception(s, a, out, err);
    else if (src == SQLITE_DONE)
        rc = bm_err_set(err, BM_ENOTFOUND, "接访安排不存在");
    else
        rc = sq_fail(st, src, "reception get", err);
    sq_done(s);
    return rc;
}

static const char SQL_RECEPTIONS_LIST[] =
    "SELECT " RECEPTION_COLS RECEPTION_FROM
    "WHERE o.path LIKE ?1 ESCAPE '\\' AND (?2 = 0 OR r.day >= ?3) AND r.id > ?4 "
    "ORDER BY r.id LIMIT ?5";

enum bm_rc
sqlite_receptions_list(struct bm_store *st, const char *prefix, bm_day from_day, int64_t after_id,
                       int limit, struct bm_arena *a, struct bm_reception **out, size_t *n,
                       struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    size_t i = 0;
    int src = SQLITE_DONE;

    if ((*out = bm_arena_alloc(a, sizeof(**out) * (size_t)(limit > 0 ? limit : 1))) == NULL)
        return too_big(err);
    if ((rc = sq_prepare(st, SQL_RECEPTIONS_LIST, &s, err)) != BM_OK)
        return rc;
    sq_bind_prefix(s, 1, prefix, a);
    sqlite3_bind_int(s, 2, from_day != BM_DAY_NONE);
    sqlite3_bind_int64(s, 3, from_day);
    sqlite3_bind_int64(s, 4, after_id);
    sqlite3_bind_int(s, 5, limit);
    while (rc == BM_OK && (int)i < limit && (src = sqlite3_step(s)) == SQLITE_ROW)
        rc = read_reception(s, a, &(*out)[i++], err);
    if (rc == BM_OK && (int)i < limit && src != SQLITE_DONE)
        rc = sq_fail(st, src, "receptions list", err);
    sq_done(s);
    *n = i;
    return rc;
}

static const char SQL_VISIT_INSERT[] =
    "INSERT INTO reception_visits (county_code, reception_id, visitor_masked, visitor_enc, "
    "matter, handling, follow_up_due, recorded_by, created_at) VALUES ((SELECT county_code "
    "FROM reception_days WHERE id = ?1), ?1, ?2, ?3, ?4, ?5, nullif(?6, -2147483648), ?7, ?8)";

enum bm_rc
sqlite_visit_insert(struct bm_store *st, const struct bm_reception_visit *v, int64_t now,
                    int64_t *id, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_VISIT_INSERT, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, v->reception_id);
    sq_bind_text(s, 2, v->visitor_masked);
    sqlite3_bind_blob(s, 3, v->visitor_enc, (int)v->visitor_enc_len, SQLITE_TRANSIENT);
    sq_bind_text(s, 4, v->matter);
    sq_bind_text(s, 5, v->handling);
    sqlite3_bind_int64(s, 6, v->follow_up_due);
    sqlite3_bind_int64(s, 7, v->recorded_by);
    sqlite3_bind_int64(s, 8, now);
    if ((rc = sq_exec(st, s, "visit insert", err)) == BM_OK)
        *id = sqlite3_last_insert_rowid(sq_db(st));
    return rc;
}

#define VISIT_COLS                                                                             \
    "v.id, v.reception_id, v.visitor_masked, v.matter, v.handling, "                           \
    "coalesce(v.follow_up_due, -2147483648), v.follow_up_result, coalesce(v.followed_up_by, 0), " \
    "v.followed_up_at, v.recorded_by, v.created_at, o.path, r.leader_name, r.day "
#define VISIT_FROM                                                                             \
    " FROM reception_visits v JOIN reception_days r ON r.id = v.reception_id "                 \
    "JOIN org_units o ON o.id = r.unit_id "

static enum bm_rc
read_visit(sqlite3_stmt *s, struct bm_arena *a, struct bm_reception_visit *v, struct bm_err *err)
{
    memset(v, 0, sizeof(*v));
    v->id = sqlite3_column_int64(s, 0);
    v->reception_id = sqlite3_column_int64(s, 1);
    v->visitor_masked = sq_text(a, s, 2);
    v->matter = sq_text(a, s, 3);
    v->handling = sq_text(a, s, 4);
    v->follow_up_due = (bm_day)sqlite3_column_int64(s, 5);
    v->follow_up_result = sq_text(a, s, 6);
    v->followed_up_by = sqlite3_column_int64(s, 7);
    v->followed_up_at = sqlite3_column_int64(s, 8);
    v->recorded_by = sqlite3_column_int64(s, 9);
    v->created_at = sqlite3_column_int64(s, 10);
    v->unit_path = sq_text(a, s, 11);
    v->leader_name = sq_text(a, s, 12);
    v->reception_day = (bm_day)sqlite3_column_int64(s, 13);
    if (!v->visitor_masked || !v->matter || !v->handling || !v->follow_up_result ||
        !v->unit_path || !v->leader_name)
        return too_big(err);
    return BM_OK;
}

static const char SQL_VISIT_GET[] = "SELECT " VISIT_COLS VISIT_FROM "WHERE v.id = ?1";

enum bm_rc
sqlite_visit_get(struct bm_store *st, int64_t id, struct bm_arena *a,
                 struct bm_reception_visit *out, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src;

    if ((rc = sq_prepare(st, SQL_VISIT_GET, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW)
        rc = read_visit(s, a, out, err);
    else if (src == SQLITE_DONE)
        rc = bm_err_set(err, BM_ENOTFOUND, "来访记录不存在");
    else
        rc = sq_fail(st, src, "visit get", err);
    sq_done(s);
    return rc;
}

/* Runs a visit query with up to two bound values and reads at most `cap` rows. */
static enum bm_rc
visits_query(struct bm_store *st, const char *sql, int64_t v1, const char *prefix, int cap,
             struct bm_arena *a, struct bm_reception_visit **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    size_t i = 0;
    int src = SQLITE_DONE;

    if ((*out = bm_arena_alloc(a, sizeof(**out) * (size_t)cap)) == NULL)
        return too_big(err);
    if ((rc = sq_prepare(st, sql, &s, err)) != BM_OK)
        return rc;
    if (prefix != NULL)
        sq_bind_prefix(s, 1, prefix, a);
    else
        sqlite3_bind_int64(s, 1, v1);
    sqlite3_bind_int(s, 2, cap);
    while (rc == BM_OK && (int)i < cap && (src = sqlite3_step(s)) == SQLITE_ROW)
        rc = read_visit(s, a, &(*out)[i++], err);
    if (rc == BM_OK && (int)i < cap && src != SQLITE_DONE)
        rc = sq_fail(st, src, "visits", err);
    sq_done(s);
    *n = i;
    return rc;
}

static const char SQL_VISITS_LIST[] =
    "SELECT " VISIT_COLS VISIT_FROM "WHERE v.reception_id = ?1 ORDER BY v.id LIMIT ?2";

enum bm_rc
sqlite_visits_list(struct bm_store *st, int64_t reception_id, struct bm_arena *a,
                   struct bm_reception_visit **out, size_t *n, struct bm_err *err)
{
    return visits_query(st, SQL_VISITS_LIST, reception_id, NULL, 1000, a, out, n, err);
}

static const char SQL_FOLLOW_UPS_OPEN[] =
    "SELECT " VISIT_COLS VISIT_FROM
    "WHERE v.follow_up_due IS NOT NULL AND v.followed_up_at = 0 AND o.path LIKE ?1 ESCAPE '\\' "
    "ORDER BY v.follow_up_due, v.id LIMIT ?2";

enum bm_rc
sqlite_follow_ups_open(struct bm_store *st, const char *prefix, int limit, struct bm_arena *a,
                       struct bm_reception_visit **out, size_t *n, struct bm_err *err)
{
    return visits_query(st, SQL_FOLLOW_UPS_OPEN, 0, prefix, limit > 0 ? limit : 1, a, out, n,
                        err);
}

static const char SQL_VISIT_FOLLOW_UP[] =
    "UPDATE reception_visits SET follow_up_result = ?2, followed_up_by = ?3, followed_up_at = ?4 "
    "WHERE id = ?1 AND followed_up_at = 0 AND follow_up_due IS NOT NULL";

enum bm_rc
sqlite_visit_follow_up(struct bm_store *st, int64_t id, const char *result, int64_t user_id,
                       int64_t now, struct bm_err *err)
{
    sqlite3_stmt *s;
    struct bm_reception_visit v;
    struct bm_arena *a;
    bool changed = false;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_VISIT_FOLLOW_UP, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    sq_bind_text(s, 2, result);
    sqlite3_bind_int64(s, 3, user_id);
    sqlite3_bind_int64(s, 4, now);
    if ((rc = exec_changed(st, s, "visit follow-up", &changed, err)) != BM_OK || changed)
        return rc;
    if ((a = bm_arena_new(64 * 1024)) == NULL)
        return too_big(err);
    rc = sqlite_visit_get(st, id, a, &v, err);
    bm_arena_free(a);
    return rc == BM_OK ? bm_err_set(err, BM_ECONFLICT, "回访结果已经登记，或该来访无需回访") : rc;
}

/* ---- deputies' direct channel (直通车) ---- */

static const char SQL_DEPUTY_INSERT[] =
    "INSERT INTO deputies (county_code, unit_id, name, body, token_hash, is_active, created_by, "
    "created_at) VALUES (" UNIT_COUNTY("?1") ", ?1, ?2, ?3, ?4, ?5, ?6, ?7)";

enum bm_rc
sqlite_deputy_insert(struct bm_store *st, const struct bm_deputy *d, int64_t now, int64_t *id,
                     struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_DEPUTY_INSERT, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, d->unit_id);
    sq_bind_text(s, 2, d->name);
    sq_bind_text(s, 3, d->body);
    sqlite3_bind_blob(s, 4, d->token_hash, (int)sizeof(d->token_hash), SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 5, d->is_active);
    sqlite3_bind_int64(s, 6, d->created_by);
    sqlite3_bind_int64(s, 7, now);
    if ((rc = sq_exec(st, s, "deputy insert", err)) == BM_OK)
        *id = sqlite3_last_insert_rowid(sq_db(st));
    return rc;
}

#define DEPUTY_COLS                                                                            \
    "d.id, d.unit_id, o.name, o.path, d.name, d.body, d.is_active, d.created_by, d.created_at "
#define DEPUTY_FROM " FROM deputies d JOIN org_units o ON o.id = d.unit_id "

static enum bm_rc
read_deputy(sqlite3_stmt *s, struct bm_arena *a, struct bm_deputy *d, struct bm_err *err)
{
    memset(d, 0, sizeof(*d));
    d->id = sqlite3_column_int64(s, 0);
    d->unit_id = sqlite3_column_int64(s, 1);
    d->unit_name = sq_text(a, s, 2);
    d->unit_path = sq_text(a, s, 3);
    d->name = sq_text(a, s, 4);
    d->body = sq_text(a, s, 5);
    d->is_active = sqlite3_column_int(s, 6) != 0;
    d->created_by = sqlite3_column_int64(s, 7);
    d->created_at = sqlite3_column_int64(s, 8);
    if (!d->unit_name || !d->unit_path || !d->name || !d->body)
        return too_big(err);
    return BM_OK;
}

static const char SQL_DEPUTIES_LIST[] =
    "SELECT " DEPUTY_COLS DEPUTY_FROM "WHERE o.path LIKE ?1 ESCAPE '\\' ORDER BY d.id LIMIT 1000";

enum bm_rc
sqlite_deputies_list(struct bm_store *st, const char *prefix, struct bm_arena *a,
                     struct bm_deputy **out, size_t *n, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    size_t i = 0;
    int src = SQLITE_DONE;
    const size_t cap = 1000;

    if ((*out = bm_arena_alloc(a, sizeof(**out) * cap)) == NULL)
        return too_big(err);
    if ((rc = sq_prepare(st, SQL_DEPUTIES_LIST, &s, err)) != BM_OK)
        return rc;
    sq_bind_prefix(s, 1, prefix, a);
    while (rc == BM_OK && i < cap && (src = sqlite3_step(s)) == SQLITE_ROW)
        rc = read_deputy(s, a, &(*out)[i++], err);
    if (rc == BM_OK && i < cap && src != SQLITE_DONE)
        rc = sq_fail(st, src, "deputies list", err);
    sq_done(s);
    *n = i;
    return rc;
}

static const char SQL_DEPUTY_BY_TOKEN[] =
    "SELECT " DEPUTY_COLS DEPUTY_FROM "WHERE d.token_hash = ?1 AND d.is_active = 1";

enum bm_rc
sqlite_deputy_by_token(struct bm_store *st, const unsigned char hash[32], struct bm_arena *a,
                       struct bm_deputy *out, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src;

    if ((rc = sq_prepare(st, SQL_DEPUTY_BY_TOKEN, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_blob(s, 1, hash, 32, SQLITE_TRANSIENT);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW)
        rc = read_deputy(s, a, out, err);
    else if (src == SQLITE_DONE)
        rc = bm_err_set(err, BM_ENOTFOUND, "代表、委员凭证无效");
    else
        rc = sq_fail(st, src, "deputy by token", err);
    sq_done(s);
    return rc;
}

static const char SQL_MATTER_INSERT[] =
    "INSERT INTO deputy_matters (county_code, deputy_id, title, content, is_urgent, created_at) "
    "VALUES ((SELECT county_code FROM deputies WHERE id = ?1), ?1, ?2, ?3, ?4, ?5)";

enum bm_rc
sqlite_matter_insert(struct bm_store *st, const struct bm_deputy_matter *m, int64_t now,
                     int64_t *id, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_MATTER_INSERT, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, m->deputy_id);
    sq_bind_text(s, 2, m->title);
    sq_bind_text(s, 3, m->content);
    sqlite3_bind_int(s, 4, m->is_urgent);
    sqlite3_bind_int64(s, 5, now);
    if ((rc = sq_exec(st, s, "matter insert", err)) == BM_OK)
        *id = sqlite3_last_insert_rowid(sq_db(st));
    return rc;
}

#define MATTER_COLS                                                                            \
    "m.id, m.deputy_id, d.name, d.body, du.path, m.title, m.content, m.is_urgent, m.status, "   \
    "coalesce(m.assignee_unit_id, 0), coalesce(au.name, ''), coalesce(au.path, ''), "          \
    "m.assigned_at, m.answer, coalesce(m.answered_by, 0), m.answered_at, m.created_at "
#define MATTER_FROM                                                                            \
    " FROM deputy_matters m JOIN deputies d ON d.id = m.deputy_id "                            \
    "JOIN org_units du ON du.id = d.unit_id LEFT JOIN org_units au ON au.id = m.assignee_unit_id "

static enum bm_rc
read_matter(sqlite3_stmt *s, struct bm_arena *a, struct bm_deputy_matter *m, struct bm_err *err)
{
    memset(m, 0, sizeof(*m));
    m->id = sqlite3_column_int64(s, 0);
    m->deputy_id = sqlite3_column_int64(s, 1);
    m->deputy_name = sq_text(a, s, 2);
    m->deputy_body = sq_text(a, s, 3);
    m->deputy_unit_path = sq_text(a, s, 4);
    m->title = sq_text(a, s, 5);
    m->content = sq_text(a, s, 6);
    m->is_urgent = sqlite3_column_int(s, 7) != 0;
    m->status = sq_text(a, s, 8);
    m->assignee_unit_id = sqlite3_column_int64(s, 9);
    m->assignee_name = sq_text(a, s, 10);
    m->assignee_path = sq_text(a, s, 11);
    m->assigned_at = sqlite3_column_int64(s, 12);
    m->answer = sq_text(a, s, 13);
    m->answered_by = sqlite3_column_int64(s, 14);
    m->answered_at = sqlite3_column_int64(s, 15);
    m->created_at = sqlite3_column_int64(s, 16);
    if (!m->deputy_name || !m->deputy_body || !m->deputy_unit_path || !m->title || !m->content ||
        !m->status || !m->assignee_name || !m->assignee_path || !m->answer)
        return too_big(err);
    return BM_OK;
}

static const char SQL_MATTER_GET[] = "SELECT " MATTER_COLS MATTER_FROM "WHERE m.id = ?1";

enum bm_rc
sqlite_matter_get(struct bm_store *st, int64_t id, struct bm_arena *a,
                  struct bm_deputy_matter *out, struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    int src;

    if ((rc = sq_prepare(st, SQL_MATTER_GET, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW)
        rc = read_matter(s, a, out, err);
    else if (src == SQLITE_DONE)
        rc = bm_err_set(err, BM_ENOTFOUND, "代表委员反映的事项不存在");
    else
        rc = sq_fail(st, src, "matter get", err);
    sq_done(s);
    return rc;
}

static const char SQL_MATTERS_LIST[] =
    "SELECT " MATTER_COLS MATTER_FROM
    "WHERE (CASE WHEN ?2 = 1 THEN coalesce(au.path, '') ELSE du.path END) LIKE ?1 ESCAPE '\\' "
    "AND (?3 = 0 OR m.deputy_id = ?3) "
    "ORDER BY (m.status = 'answered'), m.is_urgent DESC, m.id LIMIT ?4";

enum bm_rc
sqlite_matters_list(struct bm_store *st, const char *prefix, bool by_assignee, int64_t deputy_id,
                    int limit, struct bm_arena *a, struct bm_deputy_matter **out, size_t *n,
                    struct bm_err *err)
{
    sqlite3_stmt *s;
    enum bm_rc rc;
    size_t i = 0;
    int src = SQLITE_DONE;

    if ((*out = bm_arena_alloc(a, sizeof(**out) * (size_t)(limit > 0 ? limit : 1))) == NULL)
        return too_big(err);
    if ((rc = sq_prepare(st, SQL_MATTERS_LIST, &s, err)) != BM_OK)
        return rc;
    sq_bind_prefix(s, 1, prefix, a);
    sqlite3_bind_int(s, 2, by_assignee);
    sqlite3_bind_int64(s, 3, deputy_id);
    sqlite3_bind_int(s, 4, limit);
    while (rc == BM_OK && (int)i < limit && (src = sqlite3_step(s)) == SQLITE_ROW)
        rc = read_matter(s, a, &(*out)[i++], err);
    if (rc == BM_OK && (int)i < limit && src != SQLITE_DONE)
        rc = sq_fail(st, src, "matters list", err);
    sq_done(s);
    *n = i;
    return rc;
}

/* After an UPDATE guarded by status changed nothing: no such matter, or the wrong status. */
static enum bm_rc
matter_not_changed(struct bm_store *st, int64_t id, struct bm_err *err)
{
    struct bm_deputy_matter m;
    struct bm_arena *a = bm_arena_new(64 * 1024);
    enum bm_rc rc;

    if (a == NULL)
        return too_big(err);
    rc = sqlite_matter_get(st, id, a, &m, err);
    bm_arena_free(a);
    return rc == BM_OK ? bm_err_set(err, BM_ETRANSITION, "该事项当前状态下不能执行此操作") : rc;
}

static const char SQL_MATTER_ASSIGN[] =
    "UPDATE deputy_matters SET status = 'assigned', assignee_unit_id = ?2, assigned_at = ?3 "
    "WHERE id = ?1 AND status = 'submitted'";

enum bm_rc
sqlite_matter_assign(struct bm_store *st, int64_t id, int64_t unit_id, int64_t now,
                     struct bm_err *err)
{
    sqlite3_stmt *s;
    bool changed = false;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_MATTER_ASSIGN, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, unit_id);
    sqlite3_bind_int64(s, 3, now);
    if ((rc = exec_changed(st, s, "matter assign", &changed, err)) != BM_OK || changed)
        return rc;
    return matter_not_changed(st, id, err);
}

static const char SQL_MATTER_ANSWER[] =
    "UPDATE deputy_matters SET status = 'answered', answer = ?2, answered_by = ?3, "
    "answered_at = ?4 WHERE id = ?1 AND status = 'assigned'";

enum bm_rc
sqlite_matter_answer(struct bm_store *st, int64_t id, const char *answer, int64_t user_id,
                     int64_t now, struct bm_err *err)
{
    sqlite3_stmt *s;
    bool changed = false;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_MATTER_ANSWER, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    sq_bind_text(s, 2, answer);
    sqlite3_bind_int64(s, 3, user_id);
    sqlite3_bind_int64(s, 4, now);
    if ((rc = exec_changed(st, s, "matter answer", &changed, err)) != BM_OK || changed)
        return rc;
    return matter_not_changed(st, id, err);
}

static const char SQL_DEPUTY_DEACTIVATE[] = "UPDATE deputies SET is_active = 0 WHERE id = ?1";

enum bm_rc
sqlite_deputy_deactivate(struct bm_store *st, int64_t id, struct bm_err *err)
{
    sqlite3_stmt *s;
    bool changed = false;
    enum bm_rc rc;

    BM_ASSERT(st->in_tx);
    if ((rc = sq_prepare(st, SQL_DEPUTY_DEACTIVATE, &s, err)) != BM_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    rc = exec_changed(st, s, "deputy deactivate", &changed, err);
    if (rc == BM_OK && !changed)
        rc = bm_err_set(err, BM_ENOTFOUND, "代表、委员不存在");
    return rc;
}
