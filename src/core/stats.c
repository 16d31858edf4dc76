/*
 * Case statistics: summary rows of a case and the figures of a group (see stats.h).
 */
#include "core/stats.h"

#include <stdlib.h>
#include <string.h>

const char *const bm_stat_counters[BM_STAT_COUNT] = {
    [BM_STAT_RECEIVED] = "received",     [BM_STAT_ONLINE] = "online",
    [BM_STAT_ACCEPTED] = "accepted",     [BM_STAT_REJECTED] = "rejected",
    [BM_STAT_COMPLETED] = "completed",   [BM_STAT_ON_TIME] = "on_time",
    [BM_STAT_EARLY] = "early",           [BM_STAT_OVERDUE] = "overdue",
    [BM_STAT_SAME_DAY] = "same_day",     [BM_STAT_DAYS_SUM] = "days_sum",
    [BM_STAT_DAYS_KNOWN] = "days_known", [BM_STAT_DELIVERED] = "delivered",
    [BM_STAT_ONE_VISIT] = "one_visit",   [BM_STAT_ZERO_VISIT] = "zero_visit",
    [BM_STAT_RATED] = "rated",           [BM_STAT_SATISFIED] = "satisfied",
    [BM_STAT_GOOD] = "good",             [BM_STAT_BAD] = "bad",
};

int64_t
bm_stat_top_unit(const char *path)
{
    /* "/county/top/..." : the second id, or the first if there is only one. */
    int64_t ids[2] = {0, 0};
    int n = 0;
    const char *p = path;

    if (p == NULL || *p != '/')
        return 0;
    p++;
    while (*p && n < 2) {
        int64_t v = 0;
        if (*p < '0' || *p > '9')
            return 0;
        while (*p >= '0' && *p <= '9')
            v = v * 10 + (*p++ - '0');
        if (*p != '/')
            return 0;
        p++;
        ids[n++] = v;
    }
    return n == 0 ? 0 : ids[n - 1];
}

bm_day
bm_stat_month_start(bm_day d)
{
    int y, m, md;
    bm_day out;

    bm_day_to_ymd(d, &y, &m, &md);
    return bm_day_from_ymd(y, m, 1, &out) ? out : d;
}

/* The first day of the month after d's. */
static bm_day
next_month_start(bm_day d)
{
    int y, m, md;
    bm_day out;

    bm_day_to_ymd(d, &y, &m, &md);
    if (++m > 12) {
        m = 1;
        y++;
    }
    return bm_day_from_ymd(y, m, 1, &out) ? out : d + 31;
}

size_t
bm_stat_ranges(bm_day from, bm_day to, struct bm_stat_range *out)
{
    /* Whole months are those starting at m1 or later and ending by `to`: [m1, m2). */
    bm_day m1 = bm_stat_month_start(from) == from ? from : next_month_start(from);
    bm_day m2 = bm_stat_month_start(to + 1);
    size_t n = 0;

    if (from > to)
        return 0;
    if (m1 >= m2) {
        out[n++] = (struct bm_stat_range){.is_month = false, .lo = from, .hi = to};
        return n;
    }
    if (from < m1)
        out[n++] = (struct bm_stat_range){.is_month = false, .lo = from, .hi = m1 - 1};
    out[n++] = (struct bm_stat_range){.is_month = true, .lo = m1, .hi = m2 - 1};
    if (m2 <= to)
        out[n++] = (struct bm_stat_range){.is_month = false, .lo = m2, .hi = to};
    return n;
}

static bool
key_eq(const struct bm_stat_key *a, const struct bm_stat_key *b)
{
    return a->town_id == b->town_id && a->dept_id == b->dept_id && a->item_id == b->item_id &&
           a->online == b->online && a->is_month == b->is_month && a->period == b->period;
}

/* Adds n at `used` days to a delta row's histogram changes, merging equal days. */
static void
add_days(struct bm_stat_delta *d, int used, int64_t n)
{
    for (int i = 0; i < d->n_days; i++)
        if (d->days[i].used == used) {
            d->days[i].n += n;
            return;
        }
    BM_ASSERT(d->n_days < 2); /* a case completes once: before's and after's at most */
    d->days[d->n_days].used = used;
    d->days[d->n_days++].n = n;
}

/* Adds the counters of a fact on `day` to the rows, at both grains, and for a completion
 * (used_days >= 0) its working days, `sign` times. */
static size_t
add_fact(struct bm_stat_delta *rows, size_t n, const struct bm_stat_key *base, bm_day day,
         int used_days, int sign, const int64_t *add)
{
    for (int g = 0; g < 2; g++) {
        struct bm_stat_key k = *base;
        size_t i;

        k.is_month = g == 1;
        k.period = g == 1 ? bm_stat_month_start(day) : day;
        for (i = 0; i < n && !key_eq(&rows[i].key, &k); i++)
            ;
        if (i == n) {
            memset(&rows[n], 0, sizeof(rows[n]));
            rows[n++].key = k;
        }
        for (int c = 0; c < BM_STAT_COUNT; c++)
            rows[i].n[c] += add[c];
        if (used_days >= 0)
            add_days(&rows[i], used_days > BM_STAT_MAX_DAYS ? BM_STAT_MAX_DAYS : used_days, sign);
    }
    return n;
}

size_t
bm_stat_rows(const struct bm_stat_case *c, int sign, struct bm_stat_delta *out)
{
    struct bm_stat_key base = {.town_id = bm_stat_top_unit(c->accepting_path),
                               .dept_id = bm_stat_top_unit(c->handling_path),
                               .item_id = c->item_id,
                               .online = c->online};
    int64_t f[BM_STAT_COUNT];
    size_t n = 0;

#define FACT_BEGIN() memset(f, 0, sizeof(f))
    if (c->status != BM_CASE_DRAFT && c->submitted_at > 0) {
        FACT_BEGIN();
        f[BM_STAT_RECEIVED] = sign;
        f[BM_STAT_ONLINE] = c->online ? sign : 0;
        n = add_fact(out, n, &base, bm_day_of_instant(c->submitted_at), -1, sign, f);
    }
    if (c->accept_day != BM_DAY_NONE) {
        FACT_BEGIN();
        f[BM_STAT_ACCEPTED] = sign;
        n = add_fact(out, n, &base, c->accept_day, -1, sign, f);
    }
    if (c->status == BM_CASE_REJECTED && c->closed_at > 0) {
        FACT_BEGIN();
        f[BM_STAT_REJECTED] = sign;
        n = add_fact(out, n, &base, bm_day_of_instant(c->closed_at), -1, sign, f);
    }
    if (c->decided_at > 0) {
        bm_day d = bm_day_of_instant(c->decided_at);
        bool due = c->due_day != BM_DAY_NONE;
        FACT_BEGIN();
        f[BM_STAT_COMPLETED] = sign;
        f[BM_STAT_ON_TIME] = due && d <= c->due_day ? sign : 0;
        f[BM_STAT_EARLY] = due && d < c->due_day ? sign : 0;
        f[BM_STAT_OVERDUE] = due && d > c->due_day ? sign : 0;
        f[BM_STAT_SAME_DAY] = c->accept_day != BM_DAY_NONE && d == c->accept_day ? sign : 0;
        if (c->used_days >= 0) {
            f[BM_STAT_DAYS_SUM] = (int64_t)sign * c->used_days;
            f[BM_STAT_DAYS_KNOWN] = sign;
        }
        n = add_fact(out, n, &base, d, c->used_days >= 0 ? c->used_days : -1, sign, f);
    }
    if (c->status == BM_CASE_DELIVERED && c->closed_at > 0) {
        FACT_BEGIN();
        f[BM_STAT_DELIVERED] = sign;
        f[BM_STAT_ONE_VISIT] = c->visits <= 1 ? sign : 0;
        f[BM_STAT_ZERO_VISIT] = c->visits == 0 ? sign : 0;
        n = add_fact(out, n, &base, bm_day_of_instant(c->closed_at), -1, sign, f);
    }
    if (c->rating_level >= 1 && c->rating_level <= 5 && c->rated_at > 0) {
        FACT_BEGIN();
        f[BM_STAT_RATED] = sign;
        f[BM_STAT_SATISFIED] = c->rating_level >= 3 ? sign : 0;
        f[BM_STAT_GOOD] = c->rating_level >= 4 ? sign : 0;
        f[BM_STAT_BAD] = c->rating_level <= 2 ? sign : 0;
        n = add_fact(out, n, &base, bm_day_of_instant(c->rated_at), -1, sign, f);
    }
#undef FACT_BEGIN
    return n;
}

size_t
bm_stat_diff(const struct bm_stat_case *before, const struct bm_stat_case *after,
             struct bm_stat_delta *out)
{
    struct bm_stat_delta rows[BM_STAT_MAX_ROWS];
    size_t n = after != NULL ? bm_stat_rows(after, 1, out) : 0;
    size_t m = before != NULL ? bm_stat_rows(before, -1, rows) : 0;
    size_t kept = 0;

    for (size_t j = 0; j < m; j++) {
        size_t i;
        for (i = 0; i < n && !key_eq(&out[i].key, &rows[j].key); i++)
            ;
        if (i == n) {
            out[n++] = rows[j];
            continue;
        }
        for (int c = 0; c < BM_STAT_COUNT; c++)
            out[i].n[c] += rows[j].n[c];
        for (int k = 0; k < rows[j].n_days; k++)
            add_days(&out[i], rows[j].days[k].used, rows[j].days[k].n);
    }
    for (size_t i = 0; i < n; i++) {
        bool zero = true;
        int nd = 0;
        for (int k = 0; k < out[i].n_days; k++)
            if (out[i].days[k].n != 0)
                out[i].days[nd++] = out[i].days[k];
        out[i].n_days = nd;
        for (int c = 0; c < BM_STAT_COUNT && zero; c++)
            zero = out[i].n[c] == 0;
        if (!zero || nd > 0)
            out[kept++] = out[i];
    }
    return kept;
}

bool
bm_stat_hist_add(unsigned char *buf, size_t *len, int used, int64_t n)
{
    size_t at, need;
    int64_t v;

    if (used < 0)
        return false;
    if (used > BM_STAT_MAX_DAYS)
        used = BM_STAT_MAX_DAYS;
    at = (size_t)used * 4;
    need = at + 4 > *len ? at + 4 : *len;
    v = bm_stat_hist_at(buf, *len, used) + n;
    if (v < 0 || v > INT32_MAX)
        return false;
    if (need > *len)
        memset(buf + *len, 0, need - *len);
    *len = need;
    for (int b = 0; b < 4; b++)
        buf[at + (size_t)b] = (unsigned char)((uint32_t)v >> (8 * b));
    while (*len >= 4 && bm_stat_hist_at(buf, *len, (int)(*len / 4) - 1) == 0)
        *len -= 4;
    return true;
}

int64_t
bm_stat_hist_at(const unsigned char *h, size_t len, int days)
{
    size_t at = (size_t)days * 4;

    if (days < 0 || at + 4 > len)
        return 0;
    return (int64_t)((uint32_t)h[at] | (uint32_t)h[at + 1] << 8 | (uint32_t)h[at + 2] << 16 |
                     (uint32_t)h[at + 3] << 24);
}

static int
row_cmp(const void *pa, const void *pb)
{
    const struct bm_stat_row *a = pa, *b = pb;

    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return strcmp(a->code, b->code);
}

static double
rate(int64_t num, int64_t den)
{
    return den > 0 ? (double)num / (double)den : -1.0;
}

/* The group of rows[lo, hi): sums, rates and the working days' mean and 90th percentile. */
static void
group_of(const struct bm_stat_row *rows, size_t lo, size_t hi, struct bm_stat_group *g)
{
    int64_t known, need, seen = 0;
    int max_days = 0;

    memset(g, 0, sizeof(*g));
    g->key = rows[lo].key;
    g->code = rows[lo].code;
    g->name = rows[lo].name;
    for (size_t i = lo; i < hi; i++) {
        for (int c = 0; c < BM_STAT_COUNT; c++)
            g->n[c] += rows[i].n[c];
        if (g->name[0] == '\0')
            g->name = rows[i].name;
        if ((int)(rows[i].days_len / 4) > max_days)
            max_days = (int)(rows[i].days_len / 4);
    }
    known = g->n[BM_STAT_DAYS_KNOWN];
    g->avg_days = known > 0 ? (double)g->n[BM_STAT_DAYS_SUM] / (double)known : -1.0;
    /* Nearest rank: the smallest d with at least ceil(0.9 * known) completions <= d, from
     * the rows' histograms summed. */
    g->p90_days = -1;
    need = (known * 9 + 9) / 10;
    if (known > 0 && max_days > 0) {
        int64_t acc[BM_STAT_MAX_DAYS + 1];
        memset(acc, 0, sizeof(acc[0]) * (size_t)max_days);
        for (size_t i = lo; i < hi; i++)
            for (int d = 0; d < (int)(rows[i].days_len / 4); d++)
                acc[d] += bm_stat_hist_at(rows[i].days, rows[i].days_len, d);
        for (int d = 0; d < max_days && g->p90_days < 0; d++)
            if ((seen += acc[d]) >= need)
                g->p90_days = d;
    }
    g->on_time_rate = rate(g->n[BM_STAT_ON_TIME], g->n[BM_STAT_COMPLETED]);
    g->early_rate = rate(g->n[BM_STAT_EARLY], g->n[BM_STAT_COMPLETED]);
    g->overdue_rate = rate(g->n[BM_STAT_OVERDUE], g->n[BM_STAT_COMPLETED]);
    g->same_day_rate = rate(g->n[BM_STAT_SAME_DAY], g->n[BM_STAT_COMPLETED]);
    g->one_visit_rate = rate(g->n[BM_STAT_ONE_VISIT], g->n[BM_STAT_DELIVERED]);
    g->zero_visit_rate = rate(g->n[BM_STAT_ZERO_VISIT], g->n[BM_STAT_DELIVERED]);
    g->online_rate = rate(g->n[BM_STAT_ONLINE], g->n[BM_STAT_RECEIVED]);
    g->satisfaction_rate = rate(g->n[BM_STAT_SATISFIED], g->n[BM_STAT_RATED]);
    g->good_rate = rate(g->n[BM_STAT_GOOD], g->n[BM_STAT_RATED]);
    g->bad_rate = rate(g->n[BM_STAT_BAD], g->n[BM_STAT_RATED]);
    g->rejection_rate =
        rate(g->n[BM_STAT_REJECTED], g->n[BM_STAT_ACCEPTED] + g->n[BM_STAT_REJECTED]);
}

size_t
bm_stat_summarize(struct bm_stat_row *rows, size_t n, struct bm_stat_group *out)
{
    size_t groups = 0, lo = 0;

    if (n == 0)
        return 0;
    qsort(rows, n, sizeof(rows[0]), row_cmp);
    for (size_t i = 1; i <= n; i++) {
        if (i < n && rows[i].key == rows[lo].key && strcmp(rows[i].code, rows[lo].code) == 0)
            continue;
        group_of(rows, lo, i, &out[groups++]);
        lo = i;
    }
    return groups;
}
