/*
 * Case statistics (docs/domain.md 3.4): what each case adds to the summary table, and the
 * figures a period's summary rows add up to. The summary is kept up to date by the store on
 * every write to a case (the rows of the case after the write less those before it), so a
 * statistics request reads a few thousand summary rows instead of every case; recounting
 * all cases with the same function must give the same table. Pure: no I/O.
 *
 * A summary row is keyed by where the case was accepted (the township, or the top unit of a
 * county window), which body handles it (its township or county department), the item, the
 * channel and a period; besides its counters it holds the histogram of the working days
 * its completions used (for the 90th percentile). Each fact is recorded twice: in a day row
 * and in a month row, so that whole months are read from month rows and only the ragged
 * ends of a period from day rows.
 */
#ifndef BM_CORE_STATS_H
#define BM_CORE_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/case.h"

/* The counters of a summary row; bm_stat_counters names them (columns and JSON fields). */
enum bm_stat_counter {
    BM_STAT_RECEIVED,   /* applications received (submitted), by day of receipt */
    BM_STAT_ONLINE,     /* of them received online (网上申请) */
    BM_STAT_ACCEPTED,   /* accepted (受理), by acceptance day */
    BM_STAT_REJECTED,   /* not accepted (不予受理), by the day of the refusal */
    BM_STAT_COMPLETED,  /* decided (办结: approved or denied), by the day of the decision */
    BM_STAT_ON_TIME,    /* completed on or before the due day */
    BM_STAT_EARLY,      /* completed before the due day */
    BM_STAT_OVERDUE,    /* completed after the due day */
    BM_STAT_SAME_DAY,   /* completed on the day of acceptance */
    BM_STAT_DAYS_SUM,   /* working days used, summed over completions that know them */
    BM_STAT_DAYS_KNOWN, /* completions that know their working days used */
    BM_STAT_DELIVERED,  /* results handed over or posted (出件), by that day */
    BM_STAT_ONE_VISIT,  /* delivered with at most one visit (最多跑一次) */
    BM_STAT_ZERO_VISIT, /* delivered with no visit (不见面) */
    BM_STAT_RATED,      /* first ratings (好差评), by the day of rating */
    BM_STAT_SATISFIED,  /* rated 3 to 5 (满意 + 基本满意) */
    BM_STAT_GOOD,       /* rated 4 or 5 */
    BM_STAT_BAD,        /* rated 1 or 2 (差评) */
    BM_STAT_COUNT
};

extern const char *const bm_stat_counters[BM_STAT_COUNT];

/* What the statistics read of one case and its first rating. */
struct bm_stat_case {
    const char *accepting_path, *handling_path; /* org paths of the two units */
    int64_t item_id;
    bool online;
    enum bm_case_status status;
    int64_t submitted_at, decided_at, closed_at; /* instants, 0 if not yet */
    bm_day accept_day, due_day;                  /* BM_DAY_NONE if not accepted */
    int used_days;                               /* working days used, -1 unknown */
    int visits;
    int rating_level;  /* 1..5 of the first rating, 0 if none */
    int64_t rated_at;
};

/* The key of a summary row. */
struct bm_stat_key {
    int64_t town_id, dept_id, item_id;
    bool online;
    bool is_month; /* a month row (period = its first day) or a day row */
    bm_day period;
};

/* Working days used are counted exactly up to this; longer ones count as this many. */
#define BM_STAT_MAX_DAYS 999

struct bm_stat_delta {
    struct bm_stat_key key;
    int64_t n[BM_STAT_COUNT];
    /* Changes to the row's histogram of working days used: count n at `used` days. */
    struct {
        int used;
        int64_t n;
    } days[2];
    int n_days;
};

/* Rows a case adds at most (6 facts, day and month) and a diff of two cases. */
#define BM_STAT_MAX_ROWS 12
#define BM_STAT_MAX_DIFF (2 * BM_STAT_MAX_ROWS)

/*
 * The id of the top unit below the county on an org path ("/1/4/17/" gives 4): the township
 * or county department a unit belongs to; the deepest id if the path is shallower; 0 if
 * the path is malformed.
 */
int64_t bm_stat_top_unit(const char *path);

/*
 * The summary rows of case `c` times `sign` (+1 or -1) into out[BM_STAT_MAX_ROWS]; returns
 * how many. Facts on the same day with the same key share a row.
 */
size_t bm_stat_rows(const struct bm_stat_case *c, int sign, struct bm_stat_delta *out);

/*
 * What to add to the summary when a case changes from `before` to `after` (either NULL for
 * none): the rows of `after` less those of `before`, rows with equal keys merged and rows
 * that cancel out dropped, into out[BM_STAT_MAX_DIFF]; returns how many.
 */
size_t bm_stat_diff(const struct bm_stat_case *before, const struct bm_stat_case *after,
                    struct bm_stat_delta *out);

/* First day of the month of d. */
bm_day bm_stat_month_start(bm_day d);

/* A run of summary rows of one grain with lo <= period <= hi. */
struct bm_stat_range {
    bool is_month;
    bm_day lo, hi;
};

/*
 * The summary ranges that cover the days from..to (inclusive; from <= to) exactly: the
 * whole months inside as month rows, the days before and after them as day rows. At most
 * three, into out[3]; returns how many.
 */
size_t bm_stat_ranges(bm_day from, bm_day to, struct bm_stat_range *out);

/*
 * A histogram of working days used as stored with a summary row: little-endian 32-bit
 * counts, the i-th for i days; trailing zero counts are left out (so no completions is an
 * empty histogram). bm_stat_hist_add adds n at `used` (capped at BM_STAT_MAX_DAYS) to the
 * histogram in buf (len bytes, room for BM_STAT_HIST_MAX), updating *len; false if a count
 * would go below zero or past 2^31 - 1 (the histogram is then unchanged).
 */
#define BM_STAT_HIST_MAX (4 * (BM_STAT_MAX_DAYS + 1))
bool bm_stat_hist_add(unsigned char *buf, size_t *len, int used, int64_t n);
int64_t bm_stat_hist_at(const unsigned char *h, size_t len, int days);

/* One summary row of a query: the group it belongs to, its counters and histogram. */
struct bm_stat_row {
    int64_t key;      /* unit id, first day of a month, or 1 online / 0 window */
    const char *code; /* item code when grouped by item, else "" */
    const char *name; /* display name, "" if none */
    int64_t n[BM_STAT_COUNT];
    const unsigned char *days; /* histogram of working days used */
    size_t days_len;
};

/* A group's figures. Rates are fractions in 0..1, -1 when the denominator is 0. */
struct bm_stat_group {
    int64_t key;
    const char *code, *name;
    int64_t n[BM_STAT_COUNT];
    double on_time_rate, early_rate, overdue_rate, same_day_rate, one_visit_rate,
        zero_visit_rate, online_rate, satisfaction_rate, good_rate, bad_rate, rejection_rate;
    double avg_days; /* mean working days used, -1 if unknown */
    int p90_days;    /* 90th percentile (nearest rank) of working days used, -1 if unknown */
};

/*
 * Sorts rows[] (from one or several range queries) by key and code, and sums each group
 * into out[] (room for n groups: there are never more); returns the number of groups, in
 * key order (code order for items).
 */
size_t bm_stat_summarize(struct bm_stat_row *rows, size_t n, struct bm_stat_group *out);

#endif
