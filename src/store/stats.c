/*
 * The case statistics summary, for both backends: keeping it up to date around case writes
 * (the rows of the case after the write less those before it), reading a period, and the
 * recount that proves the table right (or rebuilds it).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/backend.h"
#include "util/log.h"

enum bm_rc
bm_stat_snap_init(struct bm_stat_snap *out, const char *county, const char *accepting_path,
                  const char *handling_path, struct bm_err *err)
{
    memset(out, 0, sizeof(*out));
    if (county == NULL || accepting_path == NULL || handling_path == NULL ||
        (size_t)snprintf(out->county, sizeof(out->county), "%s", county) >= sizeof(out->county) ||
        (size_t)snprintf(out->accepting_path, sizeof(out->accepting_path), "%s",
                         accepting_path) >= sizeof(out->accepting_path) ||
        (size_t)snprintf(out->handling_path, sizeof(out->handling_path), "%s", handling_path) >=
            sizeof(out->handling_path))
        return bm_err_set(err, BM_EINTERNAL, "办件统计数据损坏");
    out->c.accepting_path = out->accepting_path;
    out->c.handling_path = out->handling_path;
    return BM_OK;
}

enum bm_rc
bm_store_stat_before(struct bm_store *st, int64_t case_id, struct bm_stat_snap *out,
                     struct bm_err *err)
{
    return st->ops->stat_snap(st, case_id, out, err);
}

/* Adds a delta row: its counters, then its histogram changes (read, changed, written). */
static enum bm_rc
apply(struct bm_store *st, const char *county, const struct bm_stat_delta *d, struct bm_err *err)
{
    unsigned char buf[BM_STAT_HIST_MAX];
    size_t len = 0;
    enum bm_rc rc = st->ops->stat_add(st, county, d, err);

    if (rc != BM_OK || d->n_days == 0)
        return rc;
    if ((rc = st->ops->stat_days_get(st, county, &d->key, buf, &len, err)) != BM_OK)
        return rc;
    for (int i = 0; i < d->n_days; i++)
        if (!bm_stat_hist_add(buf, &len, d->days[i].used, d->days[i].n))
            /* The stored histogram disagrees with the cases; never fail the case's write for
             * it: `bianmin stats verify` reports it, `rebuild` repairs it. */
            bm_log(BM_LOG_WARN, "stats_mismatch", "county %s: no %d-day completion to remove",
                   county, d->days[i].used);
    return st->ops->stat_days_set(st, county, &d->key, buf, len, err);
}

enum bm_rc
bm_store_stat_after(struct bm_store *st, int64_t case_id, const struct bm_stat_snap *before,
                    struct bm_err *err)
{
    struct bm_stat_snap after;
    struct bm_stat_delta d[BM_STAT_MAX_DIFF];
    size_t n;
    enum bm_rc rc = st->ops->stat_snap(st, case_id, &after, err);

    if (rc != BM_OK)
        return rc;
    n = bm_stat_diff(before != NULL ? &before->c : NULL, &after.c, d);
    for (size_t i = 0; i < n && rc == BM_OK; i++)
        rc = apply(st, after.county, &d[i], err);
    return rc;
}

static int
name_cmp(const void *key, const void *elem)
{
    int64_t id = *(const int64_t *)key, other = ((const struct bm_stat_name *)elem)->id;
    return (id > other) - (id < other);
}

enum bm_rc
bm_store_stats_query(struct bm_store *st, const struct bm_stats_query *q, struct bm_arena *a,
                     struct bm_stat_row **out, size_t *n, struct bm_err *err)
{
    struct bm_stat_range r[3];
    struct bm_stat_row *parts[3], *all;
    struct bm_stat_name *names = NULL;
    size_t counts[3] = {0, 0, 0}, nr = bm_stat_ranges(q->from, q->to, r), total = 0, n_names = 0;
    bool named = q->dim == BM_STAT_BY_TOWNSHIP || q->dim == BM_STAT_BY_DEPARTMENT ||
                 q->dim == BM_STAT_BY_ITEM;
    enum bm_rc rc = BM_OK;

    *out = NULL;
    *n = 0;
    for (size_t i = 0; i < nr && rc == BM_OK; i++) {
        rc = st->ops->stat_range(st, q, &r[i], a, &parts[i], &counts[i], err);
        total += counts[i];
    }
    if (rc != BM_OK || total == 0)
        return rc;
    if (named && (rc = st->ops->stat_names(st, q->county_code, q->dim == BM_STAT_BY_ITEM, a,
                                           &names, &n_names, err)) != BM_OK)
        return rc;
    if (nr == 1) {
        all = parts[0];
        *n = total;
    } else if ((all = bm_arena_alloc(a, total * sizeof(*all))) == NULL) {
        return bm_err_set(err, BM_ETOOBIG, "结果过大");
    } else {
        for (size_t i = 0; i < nr; i++) {
            memcpy(all + *n, parts[i], counts[i] * sizeof(*all));
            *n += counts[i];
        }
    }
    for (size_t i = 0; i < *n; i++) {
        const struct bm_stat_name *nm =
            named && n_names > 0 ? bsearch(&all[i].key, names, n_names, sizeof(*names), name_cmp)
                                 : NULL;
        all[i].code = nm != NULL ? nm->code : "";
        all[i].name = nm != NULL ? nm->name : "";
        /* Items group by code, every version together; day rows by their month. */
        if (q->dim == BM_STAT_BY_ITEM && nm != NULL)
            all[i].key = 0;
        else if (q->dim == BM_STAT_BY_MONTH)
            all[i].key = bm_stat_month_start((bm_day)all[i].key);
    }
    *out = all;
    return BM_OK;
}

/* ---- recount: the expected table in memory ---- */

struct entry {
    char county[16];
    struct bm_stat_delta d;
    unsigned char *days; /* histogram, malloc'ed (NULL: empty) */
    size_t days_len;
    bool used;  /* slot taken */
    bool seen;  /* matched by a stored row */
};

struct tally {
    struct entry *slots;
    size_t cap, used;
    int64_t cases;
    struct bm_stats_check *check; /* verify: compare stored rows */
};

static uint64_t
key_hash(const char *county, const struct bm_stat_key *k)
{
    uint64_t h = 1469598103934665603ULL;
    int64_t v[] = {k->town_id, k->dept_id, k->item_id, k->online, k->is_month, k->period};

    for (const char *p = county; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        h = (h ^ (uint64_t)v[i]) * 1099511628211ULL;
    return h;
}

static bool
key_same(const struct entry *e, const char *county, const struct bm_stat_key *k)
{
    return strcmp(e->county, county) == 0 && e->d.key.town_id == k->town_id &&
           e->d.key.dept_id == k->dept_id && e->d.key.item_id == k->item_id &&
           e->d.key.online == k->online && e->d.key.is_month == k->is_month &&
           e->d.key.period == k->period;
}

static struct entry *
tally_find(struct tally *t, const char *county, const struct bm_stat_key *k, bool add)
{
    size_t i;

    if (add && (t->used + 1) * 2 > t->cap) {
        struct tally grown = {.cap = t->cap ? t->cap * 2 : 1024};
        grown.slots = bm_xcalloc(grown.cap, sizeof(*grown.slots));
        for (size_t j = 0; j < t->cap; j++) {
            if (!t->slots[j].used)
                continue;
            i = key_hash(t->slots[j].county, &t->slots[j].d.key) & (grown.cap - 1);
            while (grown.slots[i].used)
                i = (i + 1) & (grown.cap - 1);
            grown.slots[i] = t->slots[j];
        }
        free(t->slots);
        t->slots = grown.slots;
        t->cap = grown.cap;
    }
    if (t->cap == 0)
        return NULL;
    for (i = key_hash(county, k) & (t->cap - 1); t->slots[i].used; i = (i + 1) & (t->cap - 1))
        if (key_same(&t->slots[i], county, k))
            return &t->slots[i];
    if (!add)
        return NULL;
    t->slots[i].used = true;
    snprintf(t->slots[i].county, sizeof(t->slots[i].county), "%s", county);
    t->slots[i].d.key = *k;
    t->used++;
    return &t->slots[i];
}

static enum bm_rc
tally_case(void *ctx, const struct bm_stat_snap *s, struct bm_err *err)
{
    struct tally *t = ctx;
    struct bm_stat_delta rows[BM_STAT_MAX_ROWS];
    size_t n = bm_stat_rows(&s->c, 1, rows);

    t->cases++;
    for (size_t i = 0; i < n; i++) {
        struct entry *e = tally_find(t, s->county, &rows[i].key, true);
        for (int c = 0; c < BM_STAT_COUNT; c++)
            e->d.n[c] += rows[i].n[c];
        for (int k = 0; k < rows[i].n_days; k++) {
            size_t need = 4 * (size_t)rows[i].days[k].used + 4;
            if (need > e->days_len) {
                e->days = realloc(e->days, need);
                if (e->days == NULL)
                    return bm_err_set(err, BM_ETOOBIG, "内存不足");
            }
            if (!bm_stat_hist_add(e->days, &e->days_len, rows[i].days[k].used,
                                  rows[i].days[k].n))
                return bm_err_set(err, BM_EINTERNAL, "统计直方图计数溢出");
        }
    }
    return BM_OK;
}

static bool
all_zero(const int64_t *n)
{
    for (int c = 0; c < BM_STAT_COUNT; c++)
        if (n[c] != 0)
            return false;
    return true;
}

static void
mismatch(struct bm_stats_check *ch, const char *county, const struct bm_stat_key *k,
         const char *what)
{
    if (ch->mismatched++ == 0)
        snprintf(ch->first, sizeof(ch->first),
                 "%s: county %s %s %d town %" PRId64 " dept %" PRId64 " item %" PRId64
                 " online %d",
                 what, county, k->is_month ? "month" : "day", (int)k->period, k->town_id,
                 k->dept_id, k->item_id, (int)k->online);
}

static enum bm_rc
compare_stored(void *ctx, const char *county, const struct bm_stat_delta *d,
               const unsigned char *days, size_t days_len, struct bm_err *err)
{
    struct tally *t = ctx;
    struct entry *e = tally_find(t, county, &d->key, false);

    (void)err;
    if (e == NULL) {
        if (!all_zero(d->n) || days_len > 0)
            mismatch(t->check, county, &d->key, "stored row not expected");
        return BM_OK;
    }
    e->seen = true;
    if (memcmp(e->d.n, d->n, sizeof(d->n)) != 0)
        mismatch(t->check, county, &d->key, "stored counters differ");
    else if (e->days_len != days_len || (days_len > 0 && memcmp(e->days, days, days_len) != 0))
        mismatch(t->check, county, &d->key, "stored working days differ");
    return BM_OK;
}

static void
tally_free(struct tally *t)
{
    for (size_t i = 0; i < t->cap; i++)
        free(t->slots[i].days);
    free(t->slots);
}

enum bm_rc
bm_store_stats_verify(struct bm_store *st, struct bm_stats_check *out, struct bm_err *err)
{
    struct tally t = {.check = out};
    enum bm_rc rc;

    memset(out, 0, sizeof(*out));
    if ((rc = st->ops->begin_snapshot(st, err)) != BM_OK)
        return rc;
    rc = st->ops->stat_scan(st, tally_case, &t, err);
    if (rc == BM_OK)
        rc = st->ops->stat_stored(st, compare_stored, &t, err);
    bm_store_rollback(st);
    for (size_t i = 0; rc == BM_OK && i < t.cap; i++) {
        if (!t.slots[i].used || (all_zero(t.slots[i].d.n) && t.slots[i].days_len == 0))
            continue;
        out->rows++;
        if (!t.slots[i].seen)
            mismatch(out, t.slots[i].county, &t.slots[i].d.key, "expected row missing");
    }
    out->cases = t.cases;
    tally_free(&t);
    return rc;
}

enum bm_rc
bm_store_stats_rebuild(struct bm_store *st, int64_t *n_cases, struct bm_err *err)
{
    struct tally t = {0};
    bool own = !st->in_tx;
    enum bm_rc rc = own ? bm_store_begin(st, err) : BM_OK;

    if (rc == BM_OK)
        rc = st->ops->stat_clear(st, err);
    if (rc == BM_OK)
        rc = st->ops->stat_scan(st, tally_case, &t, err);
    for (size_t i = 0; rc == BM_OK && i < t.cap; i++) {
        struct entry *e = &t.slots[i];
        if (!e->used || (all_zero(e->d.n) && e->days_len == 0))
            continue;
        rc = st->ops->stat_add(st, e->county, &e->d, err);
        if (rc == BM_OK && e->days_len > 0)
            rc = st->ops->stat_days_set(st, e->county, &e->d.key, e->days, e->days_len, err);
    }
    if (own) {
        if (rc == BM_OK)
            rc = bm_store_commit(st, err);
        else
            bm_store_rollback(st);
    }
    tally_free(&t);
    if (n_cases != NULL)
        *n_cases = t.cases;
    return rc;
}
