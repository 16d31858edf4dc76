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

/* ---- calendar snapshot ---- */

#define CAL_TTL_S 60

/* One immutable copy of the stored calendar, shared by requests while they hold a ref. */
struct cal_snap {
    int refs;
    int64_t loaded_at;
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
bm_api_calendar_stored(struct bm_req *rq, struct bm_calendar *cal)
{
    struct bm_cal_year *ys;
    struct bm_cal_entry *e;
    int *years;
    size_t n = 0, total = 0, k = 0;
    enum bm_rc rc = bm_store_calendar_load(rq->store, rq->arena, &ys, &n, &rq->err);

    if (rc != BM_OK)
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

static json_t *
day_json(bm_day d)
{
    char buf[12];
    if (d == BM_DAY_NONE)
        return json_null();
    bm_day_format(d, buf);
    return json_string(buf);
}

static json_t *
unit_json(int64_t id, const char *name)
{
    return id == 0 ? json_null() : json_pack("{s:I,s:s}", "id", (json_int_t)id, "name", name);
}

static json_t *
applicant_json(struct bm_req *rq, const struct bm_case *c, bool reveal)
{
    struct bm_applicant ap;
    char id_m[48], phone_m[48];
    const char *type = c->is_applicant_uscc ? "uscc" : "resident_id";

    if (bm_api_applicant(rq, c, &ap) != BM_OK) {
        bm_err_clear(&rq->err);
        return json_pack("{s:s,s:s,s:n,s:n}", "name", c->applicant_masked, "id_type", type,
                         "id_number", "phone");
    }
    if (reveal)
        return json_pack("{s:s,s:s,s:s,s:s,s:b}", "name", ap.name, "id_type", type, "id_number",
                         ap.id_number, "phone", ap.phone, "masked", 0);
    bm_pii_mask_id(ap.id_number, id_m, sizeof(id_m));
    bm_pii_mask_phone(ap.phone, phone_m, sizeof(phone_m));
    return json_pack("{s:s,s:s,s:s,s:s,s:b}", "name", c->applicant_masked, "id_type", type,
                     "id_number", c->is_applicant_uscc ? ap.id_number : id_m, "phone", phone_m,
                     "masked", 1);
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
static json_t *
allowed_actions(struct bm_req *rq, const struct bm_case *c)
{
    json_t *a = json_array();

    for (int i = 0; i < BM_CASE_ACTION_COUNT; i++) {
        struct bm_case_state s = c->st;
        s.materials_complete = true; /* offered; the guard is checked when it is taken */
        /* No error struct: refusals are expected here and need no message. */
        if (bm_case_step(&s, (enum bm_case_action)i, NULL) != BM_OK)
            continue;
        if (bm_api_case_may_act(rq, c, (enum bm_case_action)i, s.actor))
            json_array_append_new(a, json_string(bm_case_actions[i].code));
    }
    return a;
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

static json_t *
events_json(struct bm_req *rq, const struct bm_case *c)
{
    struct bm_case_event *ev;
    size_t n = 0;
    json_t *a = json_array();

    if (bm_store_case_events(rq->store, c->id, rq->arena, &ev, &n, &rq->err) != BM_OK) {
        bm_err_clear(&rq->err);
        return a;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_pack("{s:s,s:o,s:s,s:s,s:s,s:s}", "action", ev[i].action, "at",
                              bm_json_time(ev[i].at), "actor", ev[i].actor_name, "from_status",
                              ev[i].from_status, "to_status", ev[i].to_status, "note", ev[i].note);
        json_object_set_new(e, "action_name", json_string(bm_api_event_name(ev[i].action)));
        if (ev[i].detail[0]) {
            json_t *d = json_loads(ev[i].detail, 0, NULL);
            if (d != NULL)
                json_object_set_new(e, "detail", d);
        }
        json_array_append_new(a, e);
    }
    return a;
}

static json_t *
pauses_json(struct bm_req *rq, const struct bm_case *c)
{
    struct bm_case_pause *ps;
    size_t n = 0;
    json_t *a = json_array();

    if (bm_store_case_pauses(rq->store, c->id, rq->arena, &ps, &n, &rq->err) != BM_OK) {
        bm_err_clear(&rq->err);
        return a;
    }
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            a, json_pack("{s:s,s:s,s:s,s:i,s:o,s:o}", "kind",
                         ps[i].is_supplement ? "supplement" : "procedure", "procedure",
                         ps[i].procedure, "reason", ps[i].reason, "expected_days",
                         ps[i].expected_days, "from", day_json(ps[i].from_day), "to",
                         day_json(ps[i].to_day)));
    return a;
}

static json_t *
attachments_json(struct bm_req *rq, const struct bm_case *c)
{
    struct bm_attachment *at;
    size_t n = 0;
    json_t *a = json_array();
    char hex[65];

    if (bm_store_attachments_list(rq->store, c->id, rq->arena, &at, &n, &rq->err) != BM_OK) {
        bm_err_clear(&rq->err);
        return a;
    }
    for (size_t i = 0; i < n; i++) {
        for (int j = 0; j < 32; j++)
            snprintf(hex + 2 * j, 3, "%02x", at[i].sha256[j]);
        json_array_append_new(
            a, json_pack("{s:I,s:o,s:s,s:s,s:I,s:s,s:o}", "id", (json_int_t)at[i].id,
                         "material_ord",
                         at[i].material_ord < 0 ? json_null() : json_integer(at[i].material_ord),
                         "filename", at[i].filename, "content_type", at[i].content_type, "size",
                         (json_int_t)at[i].size, "sha256", hex, "uploaded_at",
                         bm_json_time(at[i].created_at)));
    }
    return a;
}

json_t *
bm_api_case_json(struct bm_req *rq, const struct bm_case *c, const struct bm_calendar *cal,
                 bool detail, bool reveal)
{
    enum bm_light light = bm_api_case_light(rq, c, cal);
    json_t *o = json_object();
    bm_day today = bm_day_of_instant(rq->now);

    json_object_set_new(o, "case_no", json_string(c->case_no));
    json_object_set_new(o, "query_code", json_string(c->query_code));
    json_object_set_new(o, "status", json_string(bm_case_statuses[c->st.status].code));
    json_object_set_new(o, "status_name", json_string(bm_case_statuses[c->st.status].zh));
    json_object_set_new(o, "stage", c->st.status == BM_CASE_PROCESSING
                                        ? json_string(bm_case_stages[c->st.stage].code)
                                        : json_null());
    json_object_set_new(o, "decision", c->st.decision != BM_DECISION_NONE
                                           ? json_string(bm_case_decisions[c->st.decision].code)
                                           : json_null());
    if (c->st.stage == BM_STAGE_APPROVING && c->st.proposed != BM_DECISION_NONE)
        json_object_set_new(o, "proposed_decision",
                            json_string(bm_case_decisions[c->st.proposed].code));
    json_object_set_new(o, "channel", json_string(c->is_online ? "online" : "window"));
    json_object_set_new(o, "item",
                        json_pack("{s:I,s:s,s:s,s:i}", "id", (json_int_t)c->item_id, "code",
                                  c->item_code, "name", c->item_name, "item_version",
                                  c->item_version));
    json_object_set_new(o, "applicant", applicant_json(rq, c, reveal));
    json_object_set_new(o, "accepting_unit", unit_json(c->accepting_unit_id, c->accepting_unit_name));
    json_object_set_new(o, "handling_unit", unit_json(c->handling_unit_id, c->handling_unit_name));
    json_object_set_new(o, "handler", unit_json(c->handler_id, c->handler_name));
    json_object_set_new(o, "promised_days", json_integer(c->promised_days));
    json_object_set_new(o, "extension_days", json_integer(c->extension_days));
    json_object_set_new(o, "submitted_at", bm_json_time(c->submitted_at));
    json_object_set_new(o, "accepted_at", bm_json_time(c->accepted_at));
    json_object_set_new(o, "deadline", day_json(c->due_day));
    json_object_set_new(o, "deadline_provisional", json_boolean(c->due_provisional));
    json_object_set_new(o, "clock", json_string(c->st.status == BM_CASE_SUSPENDED ? "paused"
                                                : bm_case_clock_runs(c->st.status) ? "running"
                                                                                    : "stopped"));
    json_object_set_new(o, "light", light == BM_LIGHT_NONE ? json_null()
                                                           : json_string(bm_light_code(light)));
    if (bm_case_clock_runs(c->st.status) && c->due_day != BM_DAY_NONE)
        json_object_set_new(o, "days_left",
                            json_integer(c->due_day < today
                                             ? -bm_cal_working_days_between(cal, c->due_day, today,
                                                                            NULL, 0)
                                             : bm_cal_working_days_between(cal, today, c->due_day,
                                                                           NULL, 0)));
    json_object_set_new(o, "decided_at", bm_json_time(c->decided_at));
    json_object_set_new(o, "closed_at", bm_json_time(c->closed_at));
    json_object_set_new(o, "delivery",
                        c->delivery_method[0]
                            ? json_pack("{s:s,s:s}", "method", c->delivery_method, "ref",
                                        c->delivery_ref)
                            : json_null());
    json_object_set_new(o, "visits", json_integer(c->visits));
    json_object_set_new(o, "summary", json_string(c->summary));
    json_object_set_new(o, "version", json_integer(c->version));
    if (!detail)
        return o;
    {
        json_t *ms = json_array();
        for (size_t i = 0; i < c->n_materials; i++) {
            const struct bm_case_material *m = &c->materials[i];
            json_array_append_new(
                ms, json_pack("{s:i,s:s,s:b,s:s,s:b,s:b,s:o,s:i}", "ord", m->ord, "name", m->name,
                              "required", m->required, "source",
                              bm_material_sources[m->source].code, "provided", m->provided,
                              "exempt", m->exempt, "certificate_id",
                              m->certificate_id ? json_integer(m->certificate_id) : json_null(),
                              "attachments", m->n_attachments));
        }
        json_object_set_new(o, "materials", ms);
    }
    json_object_set_new(o, "materials_complete", json_boolean(bm_api_case_materials_complete(c)));
    {
        /* Pauses and files leave a trace event ("suspend", "request_supplement", "attach"):
         * without one there is nothing to look up, which spares most views two queries. */
        json_t *events = events_json(rq, c), *e;
        bool paused = false, attached = false;
        size_t i;
        json_array_foreach(events, i, e) {
            const char *a = json_string_value(json_object_get(e, "action"));
            paused |= a && (strcmp(a, "suspend") == 0 || strcmp(a, "request_supplement") == 0);
            attached |= a && strcmp(a, "attach") == 0;
        }
        json_object_set_new(o, "events", events);
        json_object_set_new(o, "pauses", paused ? pauses_json(rq, c) : json_array());
        json_object_set_new(o, "attachments", attached ? attachments_json(rq, c) : json_array());
    }
    json_object_set_new(o, "allowed_actions", allowed_actions(rq, c));
    return o;
}

/* ---- trace and outbox ---- */

enum bm_rc
bm_api_case_event(struct bm_req *rq, const struct bm_case *c, const char *action,
                  enum bm_case_status from, const char *note, json_t *detail)
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
