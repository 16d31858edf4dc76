/*
 * What the case handlers share: the calendar snapshot, the data key, loading a case the
 * caller may see, deadlines and lights, the JSON form, the trace and the outbox.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "api/cases.h"
#include "api/json.h"
#include "core/access.h"
#include "core/secret.h"
#include "util/hex.h"

/* ---- calendar snapshot ---- */

#define CAL_TTL_S 60

/* One immutable copy of the stored calendar, shared by requests while they hold a ref. */
struct cal_snap {
    int refs;
    int64_t loaded_at;
    int64_t stamp; /* bm_store_calendar_stamp of what was loaded */
    struct bm_cal_entry *entries;
    size_t n_entries;
    int *years;
    size_t n_years;
    char *names; /* the entries' names, back to back */
};

static pthread_mutex_t cal_mu = PTHREAD_MUTEX_INITIALIZER;
static struct cal_snap *cal_cur;
static bool cal_stale;

static void
snap_unref(void *p)
{
    struct cal_snap *s = p;
    bool last;

    pthread_mutex_lock(&cal_mu);
    last = --s->refs == 0;
    pthread_mutex_unlock(&cal_mu);
    if (last) {
        free(s->entries);
        free(s->years);
        free(s->names);
        free(s);
    }
}

/* Builds a heap snapshot from the store's years. */
static enum bm_rc
snap_load(struct bm_req *rq, struct cal_snap **out)
{
    struct bm_cal_year *ys;
    size_t n = 0, n_entries = 0, names_len = 0, k = 0, pos = 0;
    struct cal_snap *s;
    enum bm_rc rc = bm_store_calendar_load(rq->store, rq->arena, &ys, &n, &rq->err);

    if (rc != BM_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < ys[i].n_entries; j++, n_entries++)
            names_len += strlen(ys[i].entries[j].name) + 1;
    s = bm_xcalloc(1, sizeof(*s));
    s->refs = 1;
    s->loaded_at = rq->now;
    for (size_t i = 0; i < n; i++)
        s->stamp += ys[i].version;
    s->entries = bm_xcalloc(n_entries + 1, sizeof(*s->entries));
    s->years = bm_xcalloc(n + 1, sizeof(*s->years));
    s->names = bm_xmalloc(names_len + 1);
    for (size_t i = 0; i < n; i++) {
        s->years[s->n_years++] = ys[i].year;
        for (size_t j = 0; j < ys[i].n_entries; j++) {
            size_t len = strlen(ys[i].entries[j].name) + 1;
            s->entries[k] = ys[i].entries[j];
            memcpy(s->names + pos, ys[i].entries[j].name, len);
            s->entries[k++].name = s->names + pos;
            pos += len;
        }
    }
    s->n_entries = k; /* years come in order and days within each: the whole is sorted */
    *out = s;
    return BM_OK;
}

/* Lends snapshot `s` (one ref, dropped with the request's arena) as `cal`. */
static enum bm_rc
snap_lend(struct bm_req *rq, struct cal_snap *s, struct bm_calendar *cal)
{
    if (bm_arena_defer(rq->arena, snap_unref, s) != BM_OK) {
        snap_unref(s);
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    }
    cal->entries = s->entries;
    cal->n_entries = s->n_entries;
    cal->years = s->years;
    cal->n_years = s->n_years;
    return BM_OK;
}

enum bm_rc
bm_api_calendar(struct bm_req *rq, struct bm_calendar *cal)
{
    struct cal_snap *s, *fresh = NULL, *old = NULL;
    enum bm_rc rc;

    pthread_mutex_lock(&cal_mu);
    s = cal_cur;
    if (s != NULL && !cal_stale && rq->now - s->loaded_at < CAL_TTL_S && rq->now >= s->loaded_at)
        s->refs++;
    else
        s = NULL;
    pthread_mutex_unlock(&cal_mu);
    if (s == NULL) {
        if ((rc = snap_load(rq, &fresh)) != BM_OK)
            return rc;
        pthread_mutex_lock(&cal_mu);
        old = cal_cur;
        cal_cur = fresh;
        cal_stale = false;
        fresh->refs++; /* one for cal_cur, one for this request */
        pthread_mutex_unlock(&cal_mu);
        if (old != NULL)
            snap_unref(old);
        s = fresh;
    }
    return snap_lend(rq, s, cal);
}

enum bm_rc
bm_api_calendar_stored(struct bm_req *rq, struct bm_calendar *cal)
{
    struct bm_cal_year *ys;
    struct bm_cal_entry *e;
    struct cal_snap *s;
    int *years;
    size_t n = 0, total = 0, k = 0;
    int64_t stamp = 0;
    enum bm_rc rc = bm_store_calendar_stamp(rq->store, &stamp, &rq->err);

    /* The snapshot, when the store still holds what it was loaded from (a whole load is ten
     * times the stamp's query). A miss reads the store and leaves the snapshot alone: this
     * transaction may be the one changing the calendar, and may yet roll back. */
    if (rc != BM_OK)
        return rc;
    pthread_mutex_lock(&cal_mu);
    s = cal_cur != NULL && cal_cur->stamp == stamp ? cal_cur : NULL;
    if (s != NULL)
        s->refs++;
    pthread_mutex_unlock(&cal_mu);
    if (s != NULL)
        return snap_lend(rq, s, cal);
    if ((rc = bm_store_calendar_load(rq->store, rq->arena, &ys, &n, &rq->err)) != BM_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        total += ys[i].n_entries;
    e = bm_arena_alloc(rq->arena, sizeof(*e) * (total + 1));
    years = bm_arena_alloc(rq->arena, sizeof(*years) * (n + 1));
    if (e == NULL || years == NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    /* Years come in order and days within each: the whole is sorted. */
    for (size_t i = 0; i < n; i++) {
        years[i] = ys[i].year;
        for (size_t j = 0; j < ys[i].n_entries; j++)
            e[k++] = ys[i].entries[j];
    }
    *cal = (struct bm_calendar){.entries = e, .n_entries = k, .years = years, .n_years = n};
    return BM_OK;
}

void
bm_api_calendar_changed(void)
{
    pthread_mutex_lock(&cal_mu);
    cal_stale = true;
    pthread_mutex_unlock(&cal_mu);
}

/* ---- personal data ---- */

void
bm_api_pii_key(const struct bm_req *rq, struct bm_pii_key *k)
{
    BM_ASSERT(rq->cfg->has_data_key);
    bm_pii_key_init(k, rq->cfg->data_key);
}

/* A decrypted value in the request arena, wiped when the arena is freed. */
struct wipe {
    void *p;
    size_t n;
};

static void
wipe_fn(void *arg)
{
    struct wipe *w = arg;
    bm_secret_wipe(w->p, w->n);
}

enum bm_rc
bm_api_applicant(struct bm_req *rq, const struct bm_case *c, struct bm_applicant *out)
{
    struct bm_pii_key k;
    char *plain = bm_arena_alloc(rq->arena, c->applicant_enc_len + 1), *sep1, *sep2;
    struct wipe *w = bm_arena_alloc(rq->arena, sizeof(*w));
    bool ok;

    /* Decrypted ID numbers are secrets (docs/c-style.md 5): wiped before release. */
    if (plain == NULL || w == NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    w->p = plain;
    w->n = c->applicant_enc_len + 1;
    if (bm_arena_defer(rq->arena, wipe_fn, w) != BM_OK)
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    bm_api_pii_key(rq, &k);
    ok = bm_pii_open(&k, c->applicant_enc, c->applicant_enc_len, plain, c->applicant_enc_len + 1);
    bm_secret_wipe(&k, sizeof(k));
    if (!ok || (sep1 = strchr(plain, '\x1f')) == NULL || (sep2 = strchr(sep1 + 1, '\x1f')) == NULL)
        return bm_err_set(&rq->err, BM_EINTERNAL, "个人信息无法解密（数据密钥不符）");
    *sep1 = *sep2 = '\0';
    out->name = plain;
    out->id_number = sep1 + 1;
    out->phone = sep2 + 1;
    return BM_OK;
}

/* ---- loading and access ---- */

bool
bm_api_case_is_own(const struct bm_req *rq, const struct bm_case *c)
{
    return rq->is_authenticated && c->applicant_user_id != 0 &&
           c->applicant_user_id == rq->who.user_id;
}

enum bm_rc
bm_api_case_load(struct bm_req *rq, const char *case_no, struct bm_case *c)
{
    char scope[BM_ORG_PATH_MAX];
    enum bm_rc rc;

    if (!bm_case_no_valid(case_no))
        return bm_err_set(&rq->err, BM_ENOTFOUND, "办件不存在");
    rc = bm_store_case_get(rq->store, case_no, rq->arena, c, &rq->err);
    if (rc != BM_OK)
        return rc;
    if (bm_api_case_is_own(rq, c))
        return BM_OK;
    if (rq->is_authenticated && bm_access_case_scope(&rq->who, scope, sizeof(scope)) &&
        (strncmp(c->handling_path, scope, strlen(scope)) == 0 ||
         strncmp(c->accepting_path, scope, strlen(scope)) == 0))
        return BM_OK;
    return bm_err_set(&rq->err, BM_ENOTFOUND, "办件不存在");
}

bool
bm_api_case_materials_complete(const struct bm_case *c)
{
    for (size_t i = 0; i < c->n_materials; i++)
        if (c->materials[i].required && !c->materials[i].provided && !c->materials[i].exempt)
            return false;
    return true;
}

/* ---- deadlines ---- */

/* The case's finished pauses (special procedures, supplements after acceptance) as ranges. */
static enum bm_rc
case_pauses(struct bm_req *rq, const struct bm_case *c, struct bm_pause **out, size_t *n_out)
{
    struct bm_case_pause *ps = NULL;
    size_t n = 0, k = 0;
    enum bm_rc rc;

    if (c->id != 0 && (rc = bm_store_case_pauses(rq->store, c->id, rq->arena, &ps, &n, &rq->err)) != BM_OK)
        return rc;
    if ((*out = bm_arena_alloc(rq->arena, sizeof(**out) * (n + 1))) == NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    for (size_t i = 0; i < n; i++)
        if (ps[i].to_day != BM_DAY_NONE)
            (*out)[k++] = (struct bm_pause){ps[i].from_day, ps[i].to_day};
    *n_out = k;
    return BM_OK;
}

enum bm_rc
bm_api_case_deadline(struct bm_req *rq, struct bm_case *c, const struct bm_calendar *cal)
{
    struct bm_pause *ranges;
    size_t k;
    enum bm_rc rc;

    if (c->accept_day == BM_DAY_NONE)
        return BM_OK;
    if ((rc = case_pauses(rq, c, &ranges, &k)) != BM_OK)
        return rc;
    c->due_day = bm_cal_add_working_days(cal, c->accept_day, c->promised_days + c->extension_days,
                                         ranges, k, &c->due_provisional);
    c->warn_day = bm_cal_warn_day(cal, c->due_day, c->promised_days + c->extension_days);
    return BM_OK;
}

enum bm_rc
bm_api_case_used_days(struct bm_req *rq, struct bm_case *c, const struct bm_calendar *cal,
                      bm_day day)
{
    struct bm_pause *ranges;
    size_t k;
    enum bm_rc rc;

    c->used_days = -1;
    if (c->accept_day == BM_DAY_NONE)
        return BM_OK;
    if ((rc = case_pauses(rq, c, &ranges, &k)) != BM_OK)
        return rc;
    c->used_days = bm_cal_working_days_between(cal, c->accept_day, day, ranges, k);
    return BM_OK;
}

enum bm_light
bm_api_case_light(const struct bm_req *rq, const struct bm_case *c, const struct bm_calendar *cal)
{
    if (!bm_case_clock_runs(c->st.status))
        return BM_LIGHT_NONE;
    return bm_cal_light(cal, c->accept_day, c->due_day, c->promised_days + c->extension_days,
                        bm_day_of_instant(rq->now), NULL, 0);
}

/* ---- JSON ---- */

/* Written straight to the answer's text (json_out.h): a case read is the hottest answer, and
 * lists of cases repeat it per row. */

static void
put_day(struct bm_jw *w, bm_day d)
{
    char buf[12];

    if (d == BM_DAY_NONE) {
        bm_jw_null(w);
        return;
    }
    bm_day_format(d, buf);
    bm_jw_str(w, buf);
}

static void
put_unit(struct bm_jw *w, int64_t id, const char *name)
{
    if (id == 0) {
        bm_jw_null(w);
        return;
    }
    bm_jw_obj(w);
    bm_jw_kint(w, "id", id);
    bm_jw_kstr(w, "name", name);
    bm_jw_obj_end(w);
}

static void
put_applicant(struct bm_jw *w, struct bm_req *rq, const struct bm_case *c, bool reveal)
{
    struct bm_applicant ap;
    char id_m[48], phone_m[48];
    bool ok = bm_api_applicant(rq, c, &ap) == BM_OK;

    bm_jw_obj(w);
    bm_jw_kstr(w, "name", ok && reveal ? ap.name : c->applicant_masked);
    bm_jw_kstr(w, "id_type", c->is_applicant_uscc ? "uscc" : "resident_id");
    if (!ok) {
        bm_err_clear(&rq->err);
        bm_jw_kstr(w, "id_number", NULL);
        bm_jw_kstr(w, "phone", NULL);
        bm_jw_obj_end(w);
        return;
    }
    if (!reveal) {
        bm_pii_mask_id(ap.id_number, id_m, sizeof(id_m));
        bm_pii_mask_phone(ap.phone, phone_m, sizeof(phone_m));
    }
    bm_jw_kstr(w, "id_number", reveal || c->is_applicant_uscc ? ap.id_number : id_m);
    bm_jw_kstr(w, "phone", reveal ? ap.phone : phone_m);
    bm_jw_kbool(w, "masked", !reveal);
    bm_jw_obj_end(w);
}

bool
bm_api_case_may_act(const struct bm_req *rq, const struct bm_case *c, enum bm_case_action action,
                    enum bm_case_actor actor)
{
    if (actor == BM_ACTOR_APPLICANT)
        return bm_api_case_is_own(rq, c) ||
               bm_access_case_actor(&rq->who, BM_ACTOR_FRONT, c->accepting_path, c->handling_path);
    if (action == BM_ACT_SUPPLEMENT && bm_api_case_is_own(rq, c))
        return true; /* the resident hands in what was missing online */
    return bm_access_case_actor(&rq->who, (int)actor, c->accepting_path, c->handling_path);
}

/* Actions the caller could take now: legal in the state machine and allowed to them. */
static void
put_allowed_actions(struct bm_jw *w, struct bm_req *rq, const struct bm_case *c)
{
    bm_jw_arr(w);
    for (int i = 0; i < BM_CASE_ACTION_COUNT; i++) {
        struct bm_case_state s = c->st;
        s.materials_complete = true; /* offered; the guard is checked when it is taken */
        /* No error struct: refusals are expected here and need no message. */
        if (bm_case_step(&s, (enum bm_case_action)i, NULL) != BM_OK)
            continue;
        if (bm_api_case_may_act(rq, c, (enum bm_case_action)i, s.actor))
            bm_jw_str(w, bm_case_actions[i].code);
    }
    bm_jw_arr_end(w);
}

const char *
bm_api_event_name(const char *action)
{
    int k = bm_code_find(bm_case_actions, action);

    if (k >= 0)
        return bm_case_actions[k].zh;
    if (strcmp(action, "create") == 0)
        return "申请";
    if (strcmp(action, "attach") == 0)
        return "上传材料";
    if (strcmp(action, "deadline") == 0)
        return "期限重算";
    if (strcmp(action, "warn") == 0)
        return "期限预警";
    if (strcmp(action, "supervise") == 0)
        return "督办";
    return action;
}

/* The trace; tells whether it holds pauses and files (see bm_api_case_fields). */
static void
put_events(struct bm_jw *w, struct bm_req *rq, const struct bm_case *c, bool *paused,
           bool *attached)
{
    const struct bm_case_event *ev = c->events;
    struct bm_case_event *read = NULL;
    size_t n = c->n_events;

    bm_jw_arr(w);
    if (ev == NULL) {
        if (bm_store_case_events(rq->store, c->id, rq->arena, &read, &n, &rq->err) != BM_OK) {
            bm_err_clear(&rq->err);
            n = 0;
        }
        ev = read;
    }
    for (size_t i = 0; i < n; i++) {
        const char *a = ev[i].action;
        *paused |= strcmp(a, "suspend") == 0 || strcmp(a, "request_supplement") == 0;
        *attached |= strcmp(a, "attach") == 0;
        bm_jw_obj(w);
        bm_jw_kstr(w, "action", a);
        bm_jw_ktime(w, "at", ev[i].at);
        bm_jw_kstr(w, "actor", ev[i].actor_name);
        bm_jw_kstr(w, "from_status", ev[i].from_status);
        bm_jw_kstr(w, "to_status", ev[i].to_status);
        bm_jw_kstr(w, "note", ev[i].note);
        bm_jw_kstr(w, "action_name", bm_api_event_name(a));
        if (ev[i].detail[0]) {
            /* Stored as text; parsed so that a damaged row cannot break the answer. */
            json_t *d = json_loads(ev[i].detail, 0, NULL);
            if (d != NULL) {
                bm_jw_key(w, "detail");
                bm_jw_value(w, d);
                json_decref(d);
            }
        }
        bm_jw_obj_end(w);
    }
    bm_jw_arr_end(w);
}

/* look: the events show a pause; otherwise there is none to read. */
static void
put_pauses(struct bm_jw *w, struct bm_req *rq, const struct bm_case *c, bool look)
{
    struct bm_case_pause *ps;
    size_t n = 0;

    bm_jw_arr(w);
    if (look && bm_store_case_pauses(rq->store, c->id, rq->arena, &ps, &n, &rq->err) != BM_OK) {
        bm_err_clear(&rq->err);
        n = 0;
    }
    for (size_t i = 0; i < n; i++) {
        bm_jw_obj(w);
        bm_jw_kstr(w, "kind", ps[i].is_supplement ? "supplement" : "procedure");
        bm_jw_kstr(w, "procedure", ps[i].procedure);
        bm_jw_kstr(w, "reason", ps[i].reason);
        bm_jw_kint(w, "expected_days", ps[i].expected_days);
        bm_jw_key(w, "from");
        put_day(w, ps[i].from_day);
        bm_jw_key(w, "to");
        put_day(w, ps[i].to_day);
        bm_jw_obj_end(w);
    }
    bm_jw_arr_end(w);
}

/* look: the events show a file attached; otherwise there is none to read. */
static void
put_attachments(struct bm_jw *w, struct bm_req *rq, const struct bm_case *c, bool look)
{
    struct bm_attachment *at;
    size_t n = 0;
    char hex[65];

    bm_jw_arr(w);
    if (look &&
        bm_store_attachments_list(rq->store, c->id, rq->arena, &at, &n, &rq->err) != BM_OK) {
        bm_err_clear(&rq->err);
        n = 0;
    }
    for (size_t i = 0; i < n; i++) {
        bm_hex_encode(at[i].sha256, 32, hex);
        bm_jw_obj(w);
        bm_jw_kint(w, "id", at[i].id);
        bm_jw_key(w, "material_ord");
        if (at[i].material_ord < 0)
            bm_jw_null(w);
        else
            bm_jw_int(w, at[i].material_ord);
        bm_jw_kstr(w, "filename", at[i].filename);
        bm_jw_kstr(w, "content_type", at[i].content_type);
        bm_jw_kint(w, "size", at[i].size);
        bm_jw_kstr(w, "sha256", hex);
        bm_jw_ktime(w, "uploaded_at", at[i].created_at);
        bm_jw_obj_end(w);
    }
    bm_jw_arr_end(w);
}

static void
put_materials(struct bm_jw *w, const struct bm_case *c)
{
    bm_jw_arr(w);
    for (size_t i = 0; i < c->n_materials; i++) {
        const struct bm_case_material *m = &c->materials[i];
        bm_jw_obj(w);
        bm_jw_kint(w, "ord", m->ord);
        bm_jw_kstr(w, "name", m->name);
        bm_jw_kbool(w, "required", m->required);
        bm_jw_kstr(w, "source", bm_material_sources[m->source].code);
        bm_jw_kbool(w, "provided", m->provided);
        bm_jw_kbool(w, "exempt", m->exempt);
        bm_jw_key(w, "certificate_id");
        if (m->certificate_id)
            bm_jw_int(w, m->certificate_id);
        else
            bm_jw_null(w);
        bm_jw_kint(w, "attachments", m->n_attachments);
        bm_jw_obj_end(w);
    }
    bm_jw_arr_end(w);
}

void
bm_api_case_fields(struct bm_jw *w, struct bm_req *rq, const struct bm_case *c,
                   const struct bm_calendar *cal, bool detail, bool reveal)
{
    enum bm_light light = bm_api_case_light(rq, c, cal);
    bm_day today = bm_day_of_instant(rq->now);

    bm_jw_kstr(w, "case_no", c->case_no);
    bm_jw_kstr(w, "query_code", c->query_code);
    bm_jw_kstr(w, "status", bm_case_statuses[c->st.status].code);
    bm_jw_kstr(w, "status_name", bm_case_statuses[c->st.status].zh);
    bm_jw_kstr(w, "stage",
               c->st.status == BM_CASE_PROCESSING ? bm_case_stages[c->st.stage].code : NULL);
    bm_jw_kstr(w, "decision",
               c->st.decision != BM_DECISION_NONE ? bm_case_decisions[c->st.decision].code : NULL);
    if (c->st.stage == BM_STAGE_APPROVING && c->st.proposed != BM_DECISION_NONE) {
        bm_jw_kstr(w, "proposed_decision", bm_case_decisions[c->st.proposed].code);
    }
    bm_jw_kstr(w, "channel", c->is_online ? "online" : "window");
    bm_jw_key(w, "item");
    bm_jw_obj(w);
    bm_jw_kint(w, "id", c->item_id);
    bm_jw_kstr(w, "code", c->item_code);
    bm_jw_kstr(w, "name", c->item_name);
    bm_jw_kint(w, "item_version", c->item_version);
    bm_jw_obj_end(w);
    bm_jw_key(w, "applicant");
    put_applicant(w, rq, c, reveal);
    bm_jw_key(w, "accepting_unit");
    put_unit(w, c->accepting_unit_id, c->accepting_unit_name);
    bm_jw_key(w, "handling_unit");
    put_unit(w, c->handling_unit_id, c->handling_unit_name);
    bm_jw_key(w, "handler");
    put_unit(w, c->handler_id, c->handler_name);
    bm_jw_kint(w, "promised_days", c->promised_days);
    bm_jw_kint(w, "extension_days", c->extension_days);
    bm_jw_ktime(w, "submitted_at", c->submitted_at);
    bm_jw_ktime(w, "accepted_at", c->accepted_at);
    bm_jw_key(w, "deadline");
    put_day(w, c->due_day);
    bm_jw_kbool(w, "deadline_provisional", c->due_provisional);
    bm_jw_key(w, "clock");
    bm_jw_str(w, c->st.status == BM_CASE_SUSPENDED      ? "paused"
                 : bm_case_clock_runs(c->st.status) ? "running"
                                                     : "stopped");
    bm_jw_kstr(w, "light", light == BM_LIGHT_NONE ? NULL : bm_light_code(light));
    if (bm_case_clock_runs(c->st.status) && c->due_day != BM_DAY_NONE) {
        bm_jw_key(w, "days_left");
        bm_jw_int(w, c->due_day < today
                         ? -bm_cal_working_days_between(cal, c->due_day, today, NULL, 0)
                         : bm_cal_working_days_between(cal, today, c->due_day, NULL, 0));
    }
    bm_jw_ktime(w, "decided_at", c->decided_at);
    bm_jw_ktime(w, "closed_at", c->closed_at);
    bm_jw_key(w, "delivery");
    if (c->delivery_method[0]) {
        bm_jw_obj(w);
        bm_jw_kstr(w, "method", c->delivery_method);
        bm_jw_kstr(w, "ref", c->delivery_ref);
        bm_jw_obj_end(w);
    } else {
        bm_jw_null(w);
    }
    bm_jw_kint(w, "visits", c->visits);
    bm_jw_kstr(w, "summary", c->summary);
    bm_jw_kint(w, "version", c->version);
    if (!detail)
        return;
    bm_jw_key(w, "materials");
    put_materials(w, c);
    bm_jw_kbool(w, "materials_complete", bm_api_case_materials_complete(c));
    {
        /* Pauses and files leave a trace event ("suspend", "request_supplement", "attach"):
         * without one there is nothing to look up, which spares most views two queries. */
        bool paused = false, attached = false;
        bm_jw_key(w, "events");
        put_events(w, rq, c, &paused, &attached);
        bm_jw_key(w, "pauses");
        put_pauses(w, rq, c, paused);
        bm_jw_key(w, "attachments");
        put_attachments(w, rq, c, attached);
    }
    bm_jw_key(w, "allowed_actions");
    put_allowed_actions(w, rq, c);
}

enum bm_rc
bm_api_case_reply(struct bm_req *rq, struct bm_resp *rs, int status, const struct bm_case *c,
                  const struct bm_calendar *cal, bool reveal)
{
    struct bm_jw w = {0};

    bm_resp_header(rs, "ETag", bm_arena_printf(rq->arena, "\"%" PRId64 "\"", c->version));
    bm_jw_obj(&w);
    bm_api_case_fields(&w, rq, c, cal, true, reveal);
    bm_jw_obj_end(&w);
    return bm_json_reply_jw(rq, rs, status, &w);
}

enum bm_rc
bm_api_case_page(struct bm_req *rq, struct bm_resp *rs, const struct bm_case *cs, size_t n,
                 const struct bm_calendar *cal, const char *next_cursor)
{
    struct bm_jw w = {0};

    bm_jw_obj(&w);
    bm_jw_key(&w, "items");
    bm_jw_arr(&w);
    for (size_t i = 0; i < n; i++) {
        bm_jw_obj(&w);
        bm_api_case_fields(&w, rq, &cs[i], cal, false, false);
        bm_jw_obj_end(&w);
    }
    bm_jw_arr_end(&w);
    bm_jw_kstr(&w, "next_cursor", next_cursor);
    bm_jw_obj_end(&w);
    return bm_json_reply_jw(rq, rs, 200, &w);
}

/* ---- trace and outbox ---- */

enum bm_rc
bm_api_case_event(struct bm_req *rq, const struct bm_case *c, const char *action,
                  enum bm_case_status from, const char *note, json_t *detail)
{
    return bm_api_case_event_kept(rq, c, action, from, note, detail, NULL);
}

enum bm_rc
bm_api_case_event_kept(struct bm_req *rq, const struct bm_case *c, const char *action,
                       enum bm_case_status from, const char *note, json_t *detail,
                       struct bm_case_event *out)
{
    struct bm_case_event e;
    char *text = NULL;
    enum bm_rc rc;

    memset(&e, 0, sizeof(e));
    e.case_id = c->id;
    e.at = rq->now;
    e.actor_id = rq->who.user_id;
    e.actor_name = rq->is_authenticated ? rq->auth.user.display_name : "系统";
    e.action = action;
    e.from_status = (int)from < 0 ? "" : bm_case_statuses[from].code;
    e.to_status = bm_case_statuses[c->st.status].code;
    e.note = note ? note : "";
    if (detail != NULL) {
        text = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(detail);
    }
    e.detail = text ? text : "";
    rc = bm_store_case_event_insert(rq->store, &e, &rq->err);
    if (rc == BM_OK && out != NULL) {
        *out = e;
        if ((out->detail = bm_arena_strdup(rq->arena, e.detail)) == NULL)
            rc = bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    }
    free(text);
    return rc;
}

enum bm_rc
bm_api_notify(struct bm_req *rq, const struct bm_case *c, const char *template_name,
              const char *text)
{
    struct bm_applicant ap;
    enum bm_rc rc = bm_api_applicant(rq, c, &ap);

    return rc != BM_OK ? rc : bm_api_notify_phone(rq, c, ap.phone, template_name, text);
}

enum bm_rc
bm_api_notify_phone(struct bm_req *rq, const struct bm_case *c, const char *phone,
                    const char *template_name, const char *text)
{
    struct bm_outbox_msg m;
    struct bm_pii_key k;
    unsigned char *sealed;
    size_t len = strlen(phone);

    if ((sealed = bm_arena_alloc(rq->arena, len + BM_PII_OVERHEAD)) == NULL)
        return bm_err_set(&rq->err, BM_ETOOBIG, "请求内容过大");
    bm_api_pii_key(rq, &k);
    bm_pii_seal(&k, phone, len, sealed);
    bm_secret_wipe(&k, sizeof(k));
    memset(&m, 0, sizeof(m));
    m.case_id = c->id;
    m.county_code = c->county_code;
    m.channel = "sms";
    m.template_name = template_name;
    m.body = text;
    m.recipient_enc = sealed;
    m.recipient_enc_len = len + BM_PII_OVERHEAD;
    return bm_store_outbox_insert(rq->store, &m, rq->now, &rq->err);
}

/* ---- case numbers ---- */

enum bm_rc
bm_api_town_code(struct bm_req *rq, const char *unit_path, char out[13])
{
    struct bm_org_unit county, top;
    int64_t ids[2] = {0, 0};
    int n = 0;
    const char *p = unit_path;
    enum bm_rc rc;

    /* "/1/4/17/": the county id, then its child on the way to the unit. */
    while (*p == '/' && n < 2) {
        char *end;
        long long v = strtoll(p + 1, &end, 10);
        if (end == p + 1 || *end != '/')
            break;
        ids[n++] = v;
        p = end;
    }
    if (n == 0)
        return bm_err_set(&rq->err, BM_EINTERNAL, "受理单位路径无效");
    if (n == 2) {
        rc = bm_store_org_get(rq->store, ids[1], rq->arena, &top, &rq->err);
        if (rc != BM_OK)
            return rc;
        if (top.kind == BM_ORG_TOWNSHIP && strlen(top.division_code) == 12) {
            memcpy(out, top.division_code, 13);
            return BM_OK;
        }
    }
    rc = bm_store_org_get(rq->store, ids[0], rq->arena, &county, &rq->err);
    if (rc != BM_OK)
        return rc;
    if (strlen(county.division_code) != 6)
        return bm_err_set(&rq->err, BM_EINVAL, "县级单位缺少行政区划代码，无法生成办件编号");
    snprintf(out, 13, "%s000000", county.division_code);
    return BM_OK;
}
