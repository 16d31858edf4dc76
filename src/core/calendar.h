/*
 * The official working-day calendar (docs/domain.md sections 2.4 and 8): dates as day
 * numbers, the per-year tables of holidays and adjusted working weekends (调休), deadlines
 * counted in working days with special procedures paused, and the deadline light of an open
 * case (section 3.2). The calendar is data handed in by the caller; nothing here reads the
 * clock or a file.
 */
#ifndef BM_CORE_CALENDAR_H
#define BM_CORE_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* A China Standard Time date as days since 1970-01-01 (may be negative). */
typedef int32_t bm_day;

#define BM_DAY_NONE INT32_MIN /* "no date", e.g. a case not yet accepted */
#define BM_CAL_MIN_YEAR 2000
#define BM_CAL_MAX_YEAR 2100
#define BM_CAL_MAX_ENTRIES 120 /* days listed in one year's table */

/* 1 <= month <= 12, 1 <= day <= days in that month; false otherwise. */
bool bm_day_from_ymd(int year, int month, int mday, bm_day *out);
void bm_day_to_ymd(bm_day d, int *year, int *month, int *mday);
/* Strict "YYYY-MM-DD" with a real date in BM_CAL_MIN_YEAR..BM_CAL_MAX_YEAR. */
bool bm_day_parse(const char *s, bm_day *out);
/* "YYYY-MM-DD" into out[11]. */
void bm_day_format(bm_day d, char out[11]);
/* The CST date of an instant (UTC epoch seconds). */
bm_day bm_day_of_instant(int64_t t);
/* 1 = Monday ... 7 = Sunday. */
int bm_day_weekday(bm_day d);
int bm_day_year(bm_day d);

enum bm_cal_kind {
    BM_CAL_OFF,  /* 放假: a day off (weekday or weekend) */
    BM_CAL_WORK, /* 调休上班: a weekend day worked */
};

struct bm_cal_entry {
    bm_day day;
    enum bm_cal_kind kind;
    const char *name; /* "春节", "春节调休"; not owned */
};

/*
 * The loaded calendar: entries of every loaded year sorted by day without duplicates, and
 * the years that have a table. A year without one counts Monday to Friday as working days,
 * and computations that reach it say so (provisional).
 */
struct bm_calendar {
    const struct bm_cal_entry *entries;
    size_t n_entries;
    const int *years;
    size_t n_years;
};

bool bm_cal_has_year(const struct bm_calendar *cal, int year);
/* Make-up working day → true; day off → false; otherwise Monday to Friday. */
bool bm_cal_is_working_day(const struct bm_calendar *cal, bm_day d);

/*
 * Checks one year's table: every day inside `year`, no day listed twice, BM_CAL_WORK only
 * on a Saturday or Sunday, names 1..20 characters. Field errors name the entry
 * ("days[3].date"); returns BM_EINVAL. Entries need not be sorted.
 */
enum bm_rc bm_cal_check_year(int year, const struct bm_cal_entry *e, size_t n, struct bm_err *err);

/*
 * Parses the text format of docs/domain.md 8.3 for `year`: lines "off FROM [TO] NAME" and
 * "work DAY NAME", '#' comments and blank lines ignored; a range expands to one entry per
 * day. Names point into `text`'s copy in `buf` (the caller's, at least strlen(text) + 1
 * bytes). Writes at most `max` entries, sorted by day, and their count; then runs
 * bm_cal_check_year. BM_EINVAL with the line number in the message on a bad line.
 */
enum bm_rc bm_cal_parse_text(const char *text, int year, char *buf, size_t buf_size,
                             struct bm_cal_entry *out, size_t max, size_t *n,
                             struct bm_err *err);

/* A special procedure (特别程序): days `from` .. `to` inclusive are not counted. */
struct bm_pause {
    bm_day from, to;
};

/*
 * The day on which the n-th counted working day after `start` falls (the day of `start`
 * itself is never counted); n = 0 gives `start` (即办件: due the same day). Days inside a
 * pause are skipped. Sets *provisional (if not NULL) when the walk used a year without a
 * table. Pauses need not be sorted and may overlap.
 */
bm_day bm_cal_add_working_days(const struct bm_calendar *cal, bm_day start, int n,
                               const struct bm_pause *pauses, size_t n_pauses, bool *provisional);

/*
 * Counted working days in (from, to]: after `from`, up to and including `to`, pauses
 * skipped; 0 when to <= from. The days a case has used of its limit.
 */
int bm_cal_working_days_between(const struct bm_calendar *cal, bm_day from, bm_day to,
                                const struct bm_pause *pauses, size_t n_pauses);

enum bm_light {
    BM_LIGHT_NONE,   /* no running clock: not accepted yet, closed, or paused */
    BM_LIGHT_GREEN,  /* on track */
    BM_LIGHT_YELLOW, /* near: at most 1 working day left, or >= 80 % of the days used */
    BM_LIGHT_RED,    /* the deadline has passed (overdue after the end of the due day) */
};

/*
 * The deadline light of an open, running case on `today`: red when today > due; yellow
 * when the working days left after today up to the due day are <= 1, or when the days used
 * (limit_days less the days left) are >= 80 % of `limit_days` (the promised days plus any
 * extension); green otherwise. A 即办件 (limit 0) is yellow on its day and red after. Only
 * pauses that cover today matter (none for a running case: the light is then NONE), since
 * `due` already skips the past ones.
 */
enum bm_light bm_cal_light(const struct bm_calendar *cal, bm_day accepted, bm_day due,
                           int limit_days, bm_day today, const struct bm_pause *pauses,
                           size_t n_pauses);
const char *bm_light_code(enum bm_light l); /* "none", "green", "yellow", "red" */

/*
 * The first day on which a running case due on `due` with `limit_days` (promised plus
 * extension) shows a yellow or red light: from this day on, bm_cal_light is never green.
 * It is the (k+1)-th working day counted back from `due` (due itself first when it is a
 * working day), k = max(1, limit_days / 5), since yellow means at most k working days left
 * after today. Stored with the case so that warning lists and the warning job find the
 * cases by index instead of colouring every open case. BM_DAY_NONE if due is.
 */
bm_day bm_cal_warn_day(const struct bm_calendar *cal, bm_day due, int limit_days);

#endif
